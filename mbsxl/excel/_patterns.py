"""Formula *patterns* the headless engine refuses (issue 21): the function itself is supported, but
used this way its result differed from the value Microsoft Excel cached in the conformance corpus
(``python -m mbsxl.excel.conformance --silent``).  The rule of ``mbsxl calc``: a cell is Excel's value or
an error whose reason says it is not supported, never a different value.  Whole functions that differ
are in :mod:`mbsxl.excel._unsupported`; this module refuses only the failing use, so that the
function's other uses keep being computed.

:func:`refusal` looks at one formula (after :func:`mbsxl.excel.formula_guard.rewrite`), whether it is
an array formula, and the constant cells of the workbook it reads, and returns ``"unsupported: ..."``
or None.  :func:`apply` runs it over a prepared workbook (called by :func:`mbsxl.excel.calc.calculate`
between loading and compiling): a refused cell holds ``#N/A`` with the reason and is never compiled.

>>> refusal('=TEXT(A1,"[<=1]0;0.0")')
'unsupported: TEXT with this number format (conditions, doubled quotes, E+# or several points)'
>>> refusal("=NOT(C20)", array=True) is None
True
>>> refusal('=SUM("2","4",A1)')
'unsupported: SUM of a text literal (Excel converts text given directly to a number; the engine does not)'
"""
from __future__ import annotations

import re

CODE = "#N/A"

#: function -> argument positions evaluated element by element in an array formula (None: every one)
_ELEMENTWISE: dict[str, tuple | None] = {}   # evaluated element by element: mbsxl.excel._fn_array
#: of those, the ones that also differ in a one-cell (Ctrl+Shift+Enter) array formula
_ELEMENTWISE_ONE_CELL = frozenset()

#: statistics whose direct cell arguments Excel reads by the cell's type (text, logicals and empty
#: cells ignored or counted depending on the function); the engine reads them as values
_AGG = frozenset((
    "SUM AVERAGE AVERAGEA COUNT COUNTA MAX MIN MAXA MINA PRODUCT SUMSQ STDEV STDEVP STDEV.S STDEV.P "
    "STDEVA STDEVPA VAR VARP VAR.S VAR.P VARA VARPA MEDIAN GCD LCM MODE MODE.SNGL KURT SKEW").split())

#: the aggregates counting text and logicals, which fail on an empty cell given directly (MAXA(H63,F63))
_AGG_A = frozenset("MAXA MINA COUNTA AVERAGEA STDEVA STDEVPA VARA VARPA".split())

#: the aggregates whose text-literal arguments differed (``SUM("2","4",TRUE)`` is 7 in Excel)
_AGG_LITERAL = frozenset("SUM AVERAGE COUNT COUNTA MAX MIN".split())

#: functions reading a date, time or number given as text in a cell (Excel converts the text)
_FROM_TEXT = frozenset(("EDATE EOMONTH YEARFRAC WEEKDAY WEEKNUM VALUE TIMEVALUE DATEVALUE ISEVEN ISODD "
                        "DAY MONTH YEAR HOUR MINUTE SECOND DAYS DATEDIF NETWORKDAYS WORKDAY FACTDOUBLE "
                        "POWER PPMT IPMT PMT").split())

_ERRORS = frozenset("#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A".split())   # an error cell passes as itself
_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")      # a control character as the file stores it
#: TEXT formats the engine renders differently: quotes escaped by doubling, conditions ([<=1]),
#: exponents with optional digits (0.00E+##), several decimal points
_TEXT_FORMAT = re.compile(r'""|\[[<>=]|[Ee][+-]#|#[^;]*[Ee][+-]|\.[^;]*\.')
_CRIT_FUNCS = frozenset()     # comparisons with TRUE/FALSE: computed (mbsxl.excel._fn_stats)
_CRIT_BOOL = re.compile(r'^"(?:<=|>=|<>|<|>)(?:TRUE|FALSE)"$', re.I)
_LOOKUPS = frozenset()      # approximate match (binary search) only
_CLOCK_TEXT = re.compile(r"\d\s*[AP]M\s*$", re.I)     # "1/1/1987 05:00 AM": a 12-hour clock in text
_CELL = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _calls(formula: str):
    """Each function call as ``(NAME, [argument token lists])`` (arguments at the call's own level,
    nested calls' tokens included in the argument that holds them)."""
    from openpyxl.formula.tokenizer import Token
    from ._tokens import tokens as _tokenize
    try:
        tokens = _tokenize(formula)              # once per text and run (tokens read, never changed)
    except Exception:  # noqa: BLE001 - the guard already parsed it
        return []
    stack, out = [], []
    for t in tokens:
        for frame in stack:
            if frame[0] is not None:
                frame[1][-1].append(t)
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper().split(":")[-1]
            for p in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
                if name.startswith(p):
                    name = name[len(p):]
            stack.append([name, [[]], 0])
        elif t.subtype == Token.OPEN:
            stack.append([None, [[]], 0])
        elif t.subtype == Token.CLOSE:
            if stack:
                frame = stack.pop()
                if frame[0] is not None:
                    frame[1][-1].pop()            # the closing token itself
                    out.append((frame[0], [a for a in frame[1] if a] if frame[1] != [[]] else []))
        elif t.type == Token.SEP and t.value == "," and stack and stack[-1][0] is not None:
            stack[-1][1][-1].pop()
            stack[-1][1].append([])
        # separators inside an array constant or parenthesis belong to the enclosing argument
    return out


def _top(arg):
    """The tokens of an argument outside nested calls and parentheses."""
    from openpyxl.formula.tokenizer import Token
    depth, out = 0, []
    for t in arg:
        if t.subtype == Token.OPEN and t.type != Token.ARRAY:
            depth += 1
            continue
        if t.subtype == Token.CLOSE and t.type != Token.ARRAY:
            depth -= 1
            continue
        if depth == 0:
            out.append(t)
    return out


def _is_multi(arg) -> bool:
    """A range of several cells or an array constant at the argument's own level."""
    from openpyxl.formula.tokenizer import Token
    for t in _top(arg):
        if t.type == Token.ARRAY:
            return True
        if t.type == Token.OPERAND and t.subtype == Token.RANGE and (":" in t.value or not _CELL.match(t.value)):
            return True
    return False


def _single_cell(arg):
    from openpyxl.formula.tokenizer import Token
    if len(arg) == 1 and arg[0].type == Token.OPERAND and arg[0].subtype == Token.RANGE:
        m = _CELL.match(arg[0].value)
        if m:
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            return sheet, f"{m.group(3).upper()}{m.group(4)}"
    return None


def refusal(formula: str, array: bool = False, constant=None, sheet: str = "") -> str | None:
    """The ``unsupported: ...`` reason for ``formula`` or None; ``constant(sheet, coord)`` gives the
    constant a cell holds (``...`` for a formula cell)."""
    from openpyxl.formula.tokenizer import Token
    if not isinstance(formula, str) or "(" not in formula and "{" not in formula:
        return None
    from . import _fix_refuse
    found: list = []                             # the formula's calls, found once for both checks

    def calls(text):
        if text is not formula:
            return _calls(text)
        if not found:
            found.append(_calls(formula))
        return found[0]
    if (why := _fix_refuse.refusal(formula, array, calls, _is_multi)) is not None:
        return why
    if array and re.fullmatch(r"=\s*\{[^{}]*;[^{}]*\}\s*", formula):
        return "unsupported: an array constant of several rows as an array formula"
    for name, args in calls(formula):
        if array and name in _ELEMENTWISE and (array != "one" or name in _ELEMENTWISE_ONE_CELL):
            pos = _ELEMENTWISE[name]
            if any(_is_multi(a) for i, a in enumerate(args) if pos is None or i in pos):
                return (f"unsupported: {name} over a range or array inside an array formula "
                        "(element-by-element evaluation differs from Excel)")
        if name in _AGG_LITERAL:
            if any(len(a) == 1 and a[0].subtype == Token.TEXT for a in args):
                return (f"unsupported: {name} of a text literal (Excel converts text given directly to a "
                        "number; the engine does not)")
        if name == "TEXT" and len(args) > 1 and len(args[1]) == 1 and args[1][0].subtype == Token.TEXT \
                and _TEXT_FORMAT.search(args[1][0].value[1:-1]):
            return "unsupported: TEXT with this number format (conditions, doubled quotes, E+# or several points)"
        if name in _CRIT_FUNCS and any(len(a) == 1 and _CRIT_BOOL.match(a[0].value) for a in args):
            return f"unsupported: {name} with a comparison against TRUE/FALSE as criteria"
        if name in _LOOKUPS and (name == "LOOKUP" or len(args) < 3 or
                                 "".join(t.value for t in args[2]).strip() not in ("0", "FALSE")):
            for a in args[1:]:
                kinds = {("t" if t.subtype == Token.TEXT else "b" if t.subtype == Token.LOGICAL else "n")
                         for t in a if t.type == Token.OPERAND}
                if any(t.type == Token.ARRAY for t in a) and len(kinds) > 1:
                    return f"unsupported: {name} over an array constant mixing text, numbers and logicals"
        if constant is not None:
            for a in args:
                cell = _single_cell(a)
                if cell is None:
                    continue
                v = constant(cell[0] or sheet, cell[1])
                if v is ...:
                    continue
                if isinstance(v, str) and _ESCAPED.search(v):
                    return f"unsupported: {name} of text holding control characters ({cell[1]})"
                if name == "TYPE" and (v is None or (isinstance(v, str) and v.startswith("#"))):
                    return f"unsupported: TYPE of an empty or error cell ({cell[1]})"
                if name in _FROM_TEXT and isinstance(v, str) and _CLOCK_TEXT.search(v):
                    return f"unsupported: {name} of a date given as text with a 12-hour clock ({cell[1]})"
                if name in _AGG and ((v is None and (len(args) == 1 or name in _AGG_A)) or isinstance(v, bool)
                                     or (isinstance(v, str) and v not in _ERRORS)):
                    return (f"unsupported: {name} of a cell holding text, a logical or nothing ({cell[1]}; "
                            "Excel reads such cells by their type)")
    return None


_ISFORMULA = re.compile(r"(?:_xlfn\.)?ISFORMULA\(\s*((?:'(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*\)", re.I)


def _isformula(wb, cells, arrays, texts, refused) -> None:
    """``ISFORMULA(A1)`` of one cell in an ordinary formula, which the engine cannot evaluate (it passes
    values, not references), written as TRUE or FALSE: whether that cell holds a formula, which the
    workbook says (a cell in an array formula's range holds one).  The formula is then checked by
    :func:`mbsxl.excel.formula_guard.rewrite` as any other and compiled."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from . import formula_guard as fg
    if not any(str(e and e.reason).startswith("unsupported: ISFORMULA") for e in refused.values()):
        return                                      # (the walk below: every cell of every array range)
    todo = [(s, c) for s, c in cells if str(refused.get(f"{s}!{c}", "") and
                                             refused[f"{s}!{c}"].reason).startswith("unsupported: ISFORMULA")]
    if not todo:
        return
    anchors = {(s, a) for s, a, _ in arrays}
    in_array = set()
    for s, a, ref in arrays:
        c1, r1, c2, r2 = range_boundaries(ref)
        in_array.update(f"{s}!{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    book = fg.Book.from_openpyxl(wb)
    for s, coord in todo:
        key = f"{s}!{coord}"
        text = texts.get(key, "")
        c = wb[s][coord]
        if (s, coord) in anchors or key in in_array or not isinstance(text, str) or getattr(c.value, "text", None):
            continue

        def put(m):
            sheet = m.group(1)[:-1].strip("'").replace("''", "'") if m.group(1) else s
            ref = f"{sheet}!{m.group(2).upper()}{m.group(3)}"
            return "TRUE" if (ref in texts or ref in in_array) else "FALSE"
        parts = re.split(r'("(?:[^"]|"")*")', text)
        for i in range(0, len(parts), 2):
            parts[i] = _ISFORMULA.sub(put, parts[i])
        new = "".join(parts)
        if "ISFORMULA" in new.upper():
            continue
        try:
            new = fg.rewrite(new, s, book)
        except fg.Refused:
            continue
        c.value = new
        del refused[key]


def apply(wb, cells, arrays, texts, refused, errors_cls) -> None:
    """Refuse the matching formula cells of a prepared workbook in place (see the module docstring):
    ``cells``/``arrays``/``texts``/``refused`` as :func:`mbsxl.excel._load._prepare` returns them."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.cell.cell import MergedCell

    sheets = {ws.title: ws for ws in wb.worksheets}     # wb[s] walks the sheets; ws[coord] parses it

    def constant(sheet, coord):
        ws = sheets.get(sheet)
        if ws is None:
            return ...
        c = ws._cells.get(_rc(coord))
        if c is None or isinstance(c, MergedCell):
            return None
        v = c.value
        if c.data_type == "f" or not isinstance(v, (str, bool, int, float, type(None))):
            return ...
        return v

    from . import _fix_refuse
    _fix_refuse.set_names(wb)
    _isformula(wb, cells, arrays, texts, refused)
    anchors = {(s, a): ref for s, a, ref in arrays}
    keep = []
    for s, a, ref in arrays:
        why = refusal(texts.get(f"{s}!{a}", ""), True, constant, s)
        if why is None:
            keep.append((s, a, ref))
            continue
        c1, r1, c2, r2 = range_boundaries(ref)
        err = errors_cls(CODE, why)
        for r in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                k = f"{s}!{get_column_letter(col)}{r}"
                refused[k] = err
                wb[s].cell(r, col).value = CODE
    arrays[:] = keep
    stored = {s: ws._cells for s, ws in sheets.items()}
    for s, coord in cells:
        c = stored[s].get(_rc(coord))
        v = None if c is None else c.value
        if v is None:                                   # an array formula's emptied cell
            continue
        key = f"{s}!{coord}"
        if key in refused or (s, coord) in anchors:
            continue
        text = getattr(v, "text", None)
        is_array = isinstance(text, str)
        formula = text if is_array else v
        if not isinstance(formula, str):
            continue
        why = refusal(texts.get(key, formula), "one" if is_array else False, constant, s)
        if why is not None:
            if is_array:
                wb[s].array_formulae.pop(coord, None) if hasattr(wb[s], "array_formulae") else None
            refused[key] = errors_cls(CODE, why)
            c.value = CODE


_COLUMN_OF: dict = {}            # "AB" -> 28 (column letters seen; at most Excel's 16,384)
_RC = re.compile(r"([A-Z]+)(\d+)$")


def _rc(coord: str):
    """``(row, column)`` of ``"AB12"`` (openpyxl's key of a stored cell)."""
    letters = coord.rstrip("0123456789")
    col = _COLUMN_OF.get(letters)
    if col is None or len(letters) == len(coord):
        m = _RC.match(coord)
        n = 0
        for ch in m.group(1):
            n = n * 26 + ord(ch) - 64
        if m.group(1) == letters and len(_COLUMN_OF) < 20_000:
            _COLUMN_OF[letters] = n
        return int(m.group(2)), n
    return int(coord[len(letters):]), col
