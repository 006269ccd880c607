"""Values typed into the argument list of functions that read a typed value differently from a
referenced one (issue 21).  Excel's AVEDEV, DEVSQ, GEOMEAN and HARMEAN skip text and logicals in a
*referenced* cell but convert them when typed (``AVEDEV(A1,2)`` with A1 holding TRUE is 0;
``AVEDEV(TRUE,2)`` is 0.5).  pycel passes a one-cell reference as the bare value (a one-cell range
too), so the two cannot be told apart when the function runs.  :func:`widen` therefore converts the
typed values when the formula is prepared -- TRUE/FALSE to 1/0, text to the number it reads as (date
text included) or ``#VALUE!`` -- and the functions (:mod:`mbsxl.excel._fn_stats`) read every scalar
text or logical they receive as a referenced cell's (skipped).

>>> widen('=AVEDEV(I3,G3:H3,TRUE,"2")+SUM(A1,"2")')
'=AVEDEV(I3,G3:H3,1,2)+SUM(A1,"2")'
>>> widen('=GEOMEAN("x", 4)')
'=GEOMEAN(#VALUE!, 4)'
"""
from __future__ import annotations

import re

#: functions whose typed text and logical arguments are converted when the formula is prepared
WIDEN = frozenset("AVEDEV DEVSQ GEOMEAN HARMEAN".split())
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.")
_WIDEN_CALL = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(sorted(WIDEN)) + r")\(", re.I)


def widen(formula: str) -> str:
    """``formula`` with each typed text or logical argument of a :data:`WIDEN` function converted."""
    if not isinstance(formula, str) or not any(n in formula.upper() for n in WIDEN):
        return formula
    from openpyxl.formula.tokenizer import Token, Tokenizer
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 - left to the formula check
        return formula
    stack: list = []                      # function name (or None for a parenthesis) per open level
    changed = False
    for i, t in enumerate(tokens):
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            for p in _PREFIXES:
                if name.startswith(p):
                    name = name[len(p):]
            stack.append(name)
            continue
        if t.subtype == Token.OPEN:
            stack.append(None)
            continue
        if t.subtype == Token.CLOSE:
            if stack:
                stack.pop()
            continue
        if not (t.type == Token.OPERAND and t.subtype in (Token.TEXT, Token.LOGICAL) and stack
                and stack[-1] in WIDEN):
            continue
        prev = next((x for x in reversed(tokens[:i]) if x.type != Token.WSPACE), None)
        nxt = next((x for x in tokens[i + 1:] if x.type != Token.WSPACE), None)
        starts = prev is not None and ((prev.type == Token.FUNC and prev.subtype == Token.OPEN)
                                       or (prev.type == Token.SEP and prev.value == ","))
        ends = nxt is not None and ((nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
                                    or (nxt.type == Token.SEP and nxt.value == ","))
        if not (starts and ends):
            continue
        if t.subtype == Token.LOGICAL:
            t.value = "1" if t.value.upper() == "TRUE" else "0"
        else:
            from ._fn_args import scalar_number as _scalar_number
            n = _scalar_number(t.value[1:-1].replace('""', '"'))
            t.value = n if isinstance(n, str) else repr(float(n)) if n != int(n) else str(int(n))
        changed = True
    if not changed:
        return formula
    return "=" + "".join(t.value for t in tokens)


def apply(wb, cells, arrays, texts, refused) -> None:
    """Rewrite the formulas of a prepared workbook in place (what :func:`mbsxl.excel._load._prepare`
    returns; called before :func:`mbsxl.excel._patterns.apply`): :func:`widen`, then :func:`statics`."""
    statics(wb, cells, arrays, texts, refused)
    typed_refs(wb, cells, arrays, texts, refused)
    array_constants(wb, arrays, texts)
    calls: dict = {}                              # text -> whether it calls one (array cells share a text)
    for sheet, coord in cells:
        original = texts.get(f"{sheet}!{coord}")
        if not isinstance(original, str):
            continue
        hit = calls.get(original)
        if hit is None:
            hit = calls[original] = _WIDEN_CALL.search(original) is not None
        if not hit:
            continue
        c = wb[sheet][coord]
        v = c.value
        text = getattr(v, "text", None)
        if isinstance(text, str):
            new = widen(text)
            if new != text:
                v.text = new
        elif isinstance(v, str) and v.startswith("="):
            new = widen(v)
            if new != v:
                c.value = new


# --- ISREF and ISFORMULA, decided from the formula and the workbook -----------------------------------

_REF = re.compile(r"^(?:('(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})"
                  r"(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")
_MAX_ISFORMULA_CELLS = 10_000          # a larger range stays refused (the constant would be that big)


def _statics(text: str, sheet: str, formulas, array: bool):
    """``text`` with each ``ISREF(x)`` and ``ISFORMULA(range)`` replaced by its value, or None when one
    cannot be decided here: ISREF of a cell or range is TRUE, of a typed number, text or logical
    FALSE; ISFORMULA of a range is whether each cell holds a formula (``formulas`` holds the
    ``"Sheet!A1"`` of every formula cell) -- the top-left cell in an ordinary formula, the whole
    range as ``IF(TRUE,{...})`` in an array formula (Excel evaluates it cell by cell there)."""
    from openpyxl.formula.tokenizer import Token, Tokenizer
    from openpyxl.utils.cell import column_index_from_string, get_column_letter
    try:
        tokens = Tokenizer(text).items
    except Exception:  # noqa: BLE001
        return None
    out, i = [], 0
    while i < len(tokens):
        t = tokens[i]
        name = t.value[:-1].upper().replace("_XLFN.", "") if (t.type == Token.FUNC and t.subtype == Token.OPEN) else ""
        if name in ("ISREF", "ISFORMULA") and i + 2 < len(tokens) and tokens[i + 2].type == Token.FUNC \
                and tokens[i + 2].subtype == Token.CLOSE:
            arg = tokens[i + 1]
            m = _REF.match(arg.value) if (arg.type == Token.OPERAND and arg.subtype == Token.RANGE) else None
            if name == "ISREF":
                if m:
                    out.append("TRUE")
                elif arg.type == Token.OPERAND and arg.subtype in (Token.NUMBER, Token.TEXT, Token.LOGICAL):
                    out.append("FALSE")
                else:
                    return None
                i += 3
                continue
            if not m:
                return None
            ws = (m.group(1) or "").strip("'").replace("''", "'") if m.group(1) else sheet
            c1, r1 = column_index_from_string(m.group(2).upper()), int(m.group(3))
            c2, r2 = (column_index_from_string(m.group(4).upper()), int(m.group(5))) if m.group(4) else (c1, r1)
            c1, c2, r1, r2 = min(c1, c2), max(c1, c2), min(r1, r2), max(r1, r2)
            if not array:
                c2, r2 = c1, r1
            if (c2 - c1 + 1) * (r2 - r1 + 1) > _MAX_ISFORMULA_CELLS:
                return None
            rows = [[("TRUE" if f"{ws}!{get_column_letter(c)}{r}" in formulas else "FALSE")
                     for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            if len(rows) == 1 and len(rows[0]) == 1:
                out.append(rows[0][0])
            else:
                out.append("IF(TRUE,{" + ";".join(",".join(r) for r in rows) + "})")
            i += 3
            continue
        out.append(t.value)
        i += 1
    return "=" + "".join(out)


def statics(wb, cells, arrays, texts, refused) -> None:
    """Turn the cells refused for ISREF/ISFORMULA (:mod:`mbsxl.excel._unsupported`) into ordinary
    formulas where :func:`_statics` decides every such call; the new formula goes through
    :func:`mbsxl.excel.formula_guard.rewrite` like any other (called before
    :func:`mbsxl.excel._patterns.apply`, with what :func:`mbsxl.excel._load._prepare` returns)."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from . import formula_guard as fg
    todo = [k for k, e in refused.items()
            if getattr(e, "reason", "").startswith(("unsupported: ISFORMULA", "unsupported: ISREF"))]
    if not todo:
        return
    book = fg.Book.from_openpyxl(wb)
    formulas = set(texts)
    groups: dict = {}                                  # the refusal (one object per formula) -> its cells
    for k in todo:
        groups.setdefault(id(refused[k]), []).append(k)
    for keys in groups.values():
        sheet, _ = keys[0].rsplit("!", 1)
        coords = [k.rsplit("!", 1)[1] for k in keys]
        bounds = [range_boundaries(f"{c}:{c}") for c in coords]
        c1, r1 = min(b[0] for b in bounds), min(b[1] for b in bounds)
        c2, r2 = max(b[0] for b in bounds), max(b[1] for b in bounds)
        anchor = f"{get_column_letter(c1)}{r1}"
        text = texts.get(f"{sheet}!{anchor}")
        cell = wb[sheet][anchor]
        is_array = len(keys) > 1            # a one-cell array formula shows the top-left value, as here
        if not isinstance(text, str) or (len(keys) > 1 and len(keys) != (c2 - c1 + 1) * (r2 - r1 + 1)):
            continue
        new = _statics(text, sheet, formulas, is_array)
        if new is None or "ISFORMULA" in new.upper() or "ISREF" in new.upper():
            continue
        try:
            new = fg.rewrite(new, sheet, book)
        except fg.Refused:
            continue
        for k in keys:
            del refused[k]
        if len(keys) == 1 and not is_array:
            cell.value = new
            continue
        ref = f"{anchor}:{get_column_letter(c2)}{r2}"
        for k in keys:
            wb[sheet][k.rsplit("!", 1)[1]].value = None
        cell.value = new
        arrays.append((sheet, anchor, ref))



# --- one-cell references and typed values given to the aggregates ------------------------------------

#: an argument that reads as "referenced cells that are all empty": two cells of the formula's sheet
#: at the top of its last columns (checked to hold nothing; rows 1 are inside any sheet's used rows)
EMPTY_RANGE = "XFC1:XFD1"
_GCD = frozenset({"GCD", "LCM"})


def _replacement(name: str, kind: str, value):
    """The token standing for one argument of the aggregate ``name``: ``kind`` is ``"ref"`` (a
    one-cell reference to a constant cell holding ``value``) or ``"typed"`` (a typed text or logical);
    None to leave it."""
    from ._patterns import _AGG_A
    from ._fn_args import is_error
    if is_error(value):
        return None
    if kind == "ref":
        if name in _GCD:                         # nonnumeric arguments are #VALUE! (empty cells too)
            return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "#VALUE!"
        if value is None:
            return EMPTY_RANGE                    # an empty cell: ignored by every aggregate
        if isinstance(value, bool):
            return ("1" if value else "0") if (name in _AGG_A) else EMPTY_RANGE
        if isinstance(value, str):
            return "0" if name in _AGG_A else EMPTY_RANGE
        return None
    if isinstance(value, bool):                  # TRUE typed into the list counts as 1
        return "1" if value else "0"
    if name == "COUNTA":
        return "0"                                # any typed value counts once
    from ._fn_args import scalar_number as _scalar_number
    n = _scalar_number(value)
    if is_error(n):
        return EMPTY_RANGE if name == "COUNT" else "#VALUE!"
    return repr(float(n)) if n != int(n) else str(int(n))


def _type_of(value):
    """``TYPE(cell)`` of a constant cell the engine reads wrongly, written as its value: an empty cell
    is a number (1), an error 16 (formulas test.xlsx INFORMATION!W24, Z24:AF24); other values are
    left to the engine."""
    from ._fn_args import is_error
    if value is None:
        return "1"
    if is_error(value):
        return "16"
    return None


_CLOCK = re.compile(r"^\s*(?:(\d{1,2})/(\d{1,2})/(\d{4})\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])\s*$")


def _clock_text(name: str, value):
    """A date or time typed as text with a 12-hour clock (``"1/1/1987 02:00 AM"``, ``"12:59:59 AM"``),
    which pycel reads wrongly, given as the serial number it stands for (DATEVALUE and TIMEVALUE, which
    need text, get it in ISO form).  None -- left refused -- for anything else, and for a date whose
    day and month could be swapped (the workbook's locale decides; only equal ones are unambiguous)."""
    import datetime as _dt
    if not isinstance(value, str):
        return None
    m = _CLOCK.match(value)
    if not m:
        return None
    a, b, year, hour, minute, second, ampm = m.groups()
    hour, minute, second = int(hour), int(minute), int(second or 0)
    if not (1 <= hour <= 12 and minute < 60 and second < 60):
        return None
    hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
    fraction = (hour * 3600 + minute * 60 + second) / 86400.0
    day = None
    if year is not None:
        if a != b and int(a) <= 12 and int(b) <= 12:
            return None
        mo, d = (int(a), int(b)) if int(b) > 12 else (int(b), int(a)) if int(a) > 12 else (int(a), int(b))
        try:
            day = _dt.date(int(year), mo, d)
        except ValueError:
            return None
        if day < _dt.date(1900, 3, 1):
            return None
    if name in ("DATEVALUE", "TIMEVALUE"):
        iso = f"{hour:02d}:{minute:02d}:{second:02d}"
        return f'"{day.isoformat()} {iso}"' if (day is not None and name == "DATEVALUE") else f'"{iso}"'
    serial = 0 if day is None else (day - _dt.date(1899, 12, 30)).days
    return repr(serial + fraction)


_A1 = re.compile(r"(?<![A-Za-z0-9_.!'$])\$?([A-Za-z]{1,3})\$?(\d{1,7})(?![A-Za-z0-9_(!])")


_COLUMNS: dict = {}


def _may_need(text: str, ws, sheet: str, texts) -> bool:
    """Whether :func:`typed_refs` may rewrite ``text``: it holds a text or logical literal, or a
    reference to a cell of its sheet that is empty or holds a constant other than a number.  A cheap
    test (no tokenizing) that lets formulas reading numbers pass untouched (a few microseconds a
    formula)."""
    if '"' in text:
        return True
    up = text.upper()
    if "TRUE" in up or "FALSE" in up:
        return True
    cells = ws._cells
    cols = _COLUMNS
    for letters, row in _A1.findall(up):
        col = cols.get(letters)
        if col is None:
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            cols[letters] = col
        cell = cells.get((int(row), col))
        if cell is None:
            return True
        v = cell.value
        if type(v) is not int and type(v) is not float and cell.data_type != "f" \
                and f"{sheet}!{letters}{row}" not in texts:
            return True
    return False


def typed_refs(wb, cells, arrays, texts, refused) -> None:
    """Rewrite the aggregates' arguments that Excel reads by where they come from (the refusals
    ``"... of a cell holding text, a logical or nothing"`` and ``"... of a text literal"`` of
    :mod:`mbsxl.excel._patterns`): a one-cell reference to a constant cell holding text, a logical or
    nothing becomes what Excel reads there (nothing -- :data:`EMPTY_RANGE` --, or 0/1 for the
    ``...A`` functions; #VALUE! for GCD and LCM), a typed text or logical the number it reads as (or
    #VALUE!).  A rewritten formula replaces the cell's formula and its text in ``texts``."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.formula.tokenizer import Token, Tokenizer
    from ._patterns import _AGG, _AGG_LITERAL, _CELL, _FROM_TEXT, _rc
    names = _AGG | _AGG_LITERAL | _FROM_TEXT | {"TYPE"}
    called = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True))
                        + r")\(", re.I)
    anchors = {(s, a) for s, a, _ in arrays}
    sheets: dict = {}
    calls: dict = {}                              # text -> whether it calls one (array cells share a text)
    for sheet, coord in cells:
        key = f"{sheet}!{coord}"
        original = texts.get(key)
        if not isinstance(original, str) or key in refused:
            continue
        hit = calls.get(original)
        if hit is None:
            hit = calls[original] = called.search(original) is not None
        if not hit:
            continue                              # cheap: no call of these functions
        ws = sheets.get(sheet)
        if ws is None:
            ws = sheets[sheet] = wb[sheet]
        if not _may_need(original, ws, sheet, texts):
            continue                              # the common case, without tokenizing (big tapes)
        c = ws[coord]
        v = c.value
        text = getattr(v, "text", None) if not isinstance(v, str) else v
        if not isinstance(text, str):
            continue
        if any(ws._cells.get(_rc(x)) is not None and ws._cells[_rc(x)].value is not None
               for x in EMPTY_RANGE.split(":")):
            continue
        try:
            tokens = Tokenizer(text).items
        except Exception:  # noqa: BLE001
            continue
        stack: list = []
        changed = False
        for i, t in enumerate(tokens):
            if t.type == Token.FUNC and t.subtype == Token.OPEN:
                n = t.value[:-1].upper()
                for p in _PREFIXES:
                    if n.startswith(p):
                        n = n[len(p):]
                stack.append(n)
                continue
            if t.subtype == Token.OPEN:
                stack.append(None)
                continue
            if t.subtype == Token.CLOSE:
                if stack:
                    stack.pop()
                continue
            if t.type != Token.OPERAND or not stack or stack[-1] not in names:
                continue
            prev = next((x for x in reversed(tokens[:i]) if x.type != Token.WSPACE), None)
            nxt = next((x for x in tokens[i + 1:] if x.type != Token.WSPACE), None)
            if not (prev is not None and ((prev.type == Token.FUNC and prev.subtype == Token.OPEN)
                                          or (prev.type == Token.SEP and prev.value == ","))
                    and nxt is not None and ((nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
                                             or (nxt.type == Token.SEP and nxt.value == ","))):
                continue
            name, new = stack[-1], None
            if t.subtype == Token.RANGE and name in _AGG | _FROM_TEXT | {"TYPE"}:
                m = _CELL.match(t.value)
                if not m:
                    continue
                other = (m.group(1) or "").replace("''", "'") or m.group(2)
                if other and other != sheet:
                    continue                      # another sheet's cell: left as it is
                cell = ws._cells.get(_rc(f"{m.group(3).upper()}{m.group(4)}"))
                if cell is None or isinstance(cell, MergedCell):
                    value = None
                elif cell.data_type == "f" or f"{sheet}!{m.group(3).upper()}{m.group(4)}" in texts:
                    continue                      # a formula: its value is not known here
                else:
                    value = cell.value
                    if value == "":
                        value = None
                    if not isinstance(value, (str, bool, int, float, type(None))):
                        continue
                if name == "TYPE":
                    new = _type_of(value)
                    if new is not None:           # the whole call TYPE(K24) becomes its value
                        if not (prev.type == Token.FUNC and prev.subtype == Token.OPEN
                                and nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE):
                            continue
                        prev.value = nxt.value = ""
                elif name in _FROM_TEXT:
                    # not in array formulas: there the engine hands a one-cell array's function the
                    # first cell of a range (formulas test.xlsx DATE & TIME!AG9), so it stays refused
                    new = None if (not isinstance(v, str) or (sheet, coord) in anchors) else _clock_text(name, value)
                else:
                    new = _replacement(name, "ref", value)
            elif t.subtype == Token.TEXT and name in _AGG_LITERAL:
                new = _replacement(name, "typed", t.value[1:-1].replace('""', '"'))
            elif t.subtype == Token.LOGICAL and name in _AGG_LITERAL:
                new = _replacement(name, "typed", t.value.upper() == "TRUE")
            if new is not None and new != t.value:
                t.value = new
                changed = True
        if not changed:
            continue
        new_text = "=" + "".join(t.value for t in tokens)
        if isinstance(v, str):
            c.value = new_text
        else:
            v.text = new_text
        texts[key] = new_text
        if (sheet, coord) in anchors:
            from openpyxl.utils.cell import get_column_letter, range_boundaries
            ref = next(r for s, a, r in arrays if (s, a) == (sheet, coord))
            c1, r1, c2, r2 = range_boundaries(ref)
            for r in range(r1, r2 + 1):
                for col in range(c1, c2 + 1):
                    texts[f"{sheet}!{get_column_letter(col)}{r}"] = new_text


_ROWS_CONSTANT = re.compile(r"^=\s*(\{[^{}]*;[^{}]*\})\s*$")


def array_constants(wb, arrays, texts) -> None:
    """An array formula that is only an array constant of several rows (``={1,2;1,2}`` entered over
    M4:N5, which the engine spreads wrongly) written as ``=IF(TRUE,{1,2;1,2})``, which it spreads as
    Excel does (formulas test.xlsx CORE!M4:N5)."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    for sheet, anchor, ref in arrays:
        c = wb[sheet][anchor]
        m = _ROWS_CONSTANT.match(c.value) if isinstance(c.value, str) else None
        if not m:
            continue
        new = f"=IF(TRUE,{m.group(1)})"
        c.value = new
        c1, r1, c2, r2 = range_boundaries(ref)
        for r in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                texts[f"{sheet}!{get_column_letter(col)}{r}"] = new
