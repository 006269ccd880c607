"""Implicit intersection for the headless engine (issue 21): in an ordinary (not array) formula, a range
where Excel expects one value stands for the cell of that range in the formula's own row (a range one
column wide) or column (one row high), or at both (a block); no such cell is ``#VALUE!``.  Excel
(Microsoft, "Implicit intersection operator: @") does this for every range given to an argument that
takes a single value, and for a range inside an expression (``=A1:A3*2`` in row 2 is ``A2*2``) unless the
argument takes arrays (``SUMPRODUCT(A1:A3*2)``).  pycel instead takes the range's first cell (``=A1:A3*2``
in row 2 gave ``A1*2``), so this pass rewrites such ranges into their single cell before compiling;
it also writes ``ROW()`` and ``COLUMN()`` as the formula cell's row and column number (pycel compiled
them into a reference to the cell itself: a circular reference).

It runs on the formula text after :func:`mbsxl.excel.formula_guard.rewrite` (defined names already
replaced by their ranges) and only on ordinary formula cells; array formulas evaluate ranges whole.
Which arguments take a single value (``V``), a reference or array as given but a value inside an
expression (``R``: ``SUM(A1:A3)`` keeps the range, ``SUM(A1:A3*2)`` intersects), or arrays throughout
(``A``) follows Excel's function reference; a function not listed is left alone (``A``), as are the
``MBS_`` functions (their arguments take ranges).

>>> intersect_formula("=A1:A3*2", 2, 5)
'=A2*2'
>>> intersect_formula("=SUM(A1:A3)+ROW()", 7, 2)
'=SUM(A1:A3)+7'
>>> intersect_formula("=SUMPRODUCT(A1:A3*2)+B1:B3", 9, 2)
'=SUMPRODUCT(A1:A3*2)+#VALUE!'
"""
from __future__ import annotations

import re

from .addresses import col_index as _col, col_letters as _letters

_V = ("ABS INT ROUND ROUNDUP ROUNDDOWN TRUNC MOD POWER SQRT EXP LN LOG LOG10 SIN COS TAN ASIN ACOS ATAN "
      "ATAN2 SINH COSH TANH SIGN FACT EVEN ODD CEILING FLOOR DATE YEAR MONTH DAY HOUR MINUTE SECOND TIME "
      "EDATE EOMONTH WEEKDAY WEEKNUM DATEDIF DAYS YEARFRAC DATEVALUE VALUE LEN LEFT RIGHT MID UPPER LOWER "
      "PROPER TRIM CLEAN TEXT CONCATENATE EXACT FIND SEARCH SUBSTITUTE REPLACE REPT CHAR CODE NOT ERF ERFC "
      "BITAND BITOR BITXOR BITLSHIFT BITRSHIFT DEC2BIN DEC2OCT DEC2HEX BIN2DEC OCT2DEC HEX2DEC BIN2OCT "
      "BIN2HEX OCT2BIN OCT2HEX HEX2BIN HEX2OCT ISEVEN ISODD ISNUMBER ISTEXT ISBLANK ISERROR ISERR ISNA "
      "ISLOGICAL ISNONTEXT PMT FV PV NPER IPMT PPMT SLN DDB VDB SYD EFFECT NOMINAL IFERROR IFNA RADIANS "
      "DEGREES SQRTPI QUOTIENT DOLLAR FIXED")
_R = ("SUM AVERAGE AVERAGEA COUNT COUNTA COUNTBLANK MAX MIN MAXA MINA PRODUCT SUMSQ STDEV STDEVP STDEV.S "
      "STDEV.P VAR VARP VAR.S VAR.P MEDIAN AND OR XOR CONCAT GCD LCM")
#: name -> (types of the leading arguments, types repeated for the rest)
SPEC: dict[str, tuple[str, str]] = {n: ("", "V") for n in _V.split()}
SPEC.update({n: ("", "R") for n in _R.split()})
SPEC.update({
    "IF": ("V", "I"), "CHOOSE": ("V", "I"), "IFS": ("", "VI"),
    "LARGE": ("RV", "V"), "SMALL": ("RV", "V"), "PERCENTILE": ("RV", "V"), "QUARTILE": ("RV", "V"),
    "RANK": ("VRV", "V"), "COUNTIF": ("RV", "V"), "COUNTIFS": ("", "RV"), "SUMIF": ("RVR", "V"),
    "AVERAGEIF": ("RVR", "V"), "SUMIFS": ("R", "RV"), "AVERAGEIFS": ("R", "RV"), "MAXIFS": ("R", "RV"),
    "MINIFS": ("R", "RV"), "NPV": ("V", "R"), "IRR": ("RV", "V"), "MIRR": ("RVV", "V"),
    "XNPV": ("VRR", "V"), "XIRR": ("RRV", "V"), "TEXTJOIN": ("VV", "R"), "SUBTOTAL": ("V", "R"),
    "INDEX": ("AVVV", "V"), "MATCH": ("VAV", "V"), "VLOOKUP": ("VAVV", "V"), "HLOOKUP": ("VAVV", "V"),
    "LOOKUP": ("V", "A"), "OFFSET": ("RVVVV", "V"), "INDIRECT": ("VV", "V"),
})

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_AREA = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SHEET = re.compile(r"^((?:'(?:[^']|'')+'|[^'!]+)!)?(.+)$", re.S)
_ROWCOL = re.compile(r"\b(ROW|COLUMN)\(\s*\)", re.I)




def _arg_type(name: str, i: int) -> str:
    spec = SPEC.get(name)
    if spec is None:
        return "A"
    lead, rest = spec
    if i < len(lead):
        return lead[i]
    return rest[(i - len(lead)) % len(rest)]


def _intersection(ref: str, row: int, col: int) -> str | None:
    """The single cell of ``ref`` in (row, col) as text, ``"#VALUE!"`` if none, None if ``ref`` is one
    cell or not a plain area."""
    m = _SHEET.match(ref)
    if not m:
        return None
    prefix, addr = m.group(1) or "", m.group(2)
    a = _AREA.match(addr)
    if not a:
        return None
    c1, r1, c2, r2 = _col(a.group(1)), int(a.group(2)), _col(a.group(3)), int(a.group(4))
    c1, c2, r1, r2 = min(c1, c2), max(c1, c2), min(r1, r2), max(r1, r2)
    if (c1, r1) == (c2, r2):
        return None
    if c1 == c2:
        return f"{prefix}{_letters(c1)}{row}" if r1 <= row <= r2 else "#VALUE!"
    if r1 == r2:
        return f"{prefix}{_letters(col)}{r1}" if c1 <= col <= c2 else "#VALUE!"
    if r1 <= row <= r2 and c1 <= col <= c2:
        return f"{prefix}{_letters(col)}{row}"
    return "#VALUE!"


def intersect_formula(formula: str, row: int, col: int, cse: bool = False) -> str:
    """``formula`` (an ordinary formula in the cell at ``row``, ``col``) with implicit intersection
    written out and ``ROW()``/``COLUMN()`` replaced by numbers; unchanged when nothing applies.

    ``cse``: the formula is a one-cell array formula (Ctrl+Shift+Enter).  Excel evaluates it element by
    element and shows the first element, so a range reaching the result only through single-value
    arguments and operators stands for its first cell (``=LEN(C22:D22)`` is ``LEN(C22)``); below an
    argument that takes a range or array (``SUM(ABS(A1:A3))``) the ranges stay whole."""
    if not cse and "(" in formula and _ROWCOL.search(formula):
        formula = _rowcol(formula, row, col)
    if ":" not in formula:
        return formula
    from openpyxl.formula.tokenizer import Token
    from ._tokens import tokens as _tokenize
    try:
        tokens = _tokenize(formula)              # once per text and run (tokens read, never changed)
    except Exception:  # noqa: BLE001 - the guard already parsed it; leave it to the engine
        return formula
    stack: list[list] = []            # [kind, name, arg index, ctx of the parent]
    changed = False
    out = []

    def ctx() -> str:
        if not stack:
            return "V"
        kind, name, i, parent = stack[-1]
        if kind == "paren":
            return parent
        if kind == "array" or parent == "A":
            return "A"
        t = _arg_type(name, i)
        t = parent if t == "I" else t
        return "A" if (cse and t == "R") else t

    n = len(tokens)
    for k, t in enumerate(tokens):
        v, typ, sub = t.value, t.type, t.subtype
        text = v
        if typ == Token.FUNC and sub == Token.OPEN:
            name = v[:-1].upper()
            stack.append(["func", name if ":" not in name else "", 0, ctx()])
        elif typ == Token.PAREN and sub == Token.OPEN:
            stack.append(["paren", "", 0, ctx()])
        elif typ == Token.ARRAY and sub == Token.OPEN:
            stack.append(["array", "", 0, "A"])
        elif sub == Token.CLOSE:
            if stack:
                stack.pop()
        elif typ == Token.SEP and v == ",":
            if stack and stack[-1][0] == "func":
                stack[-1][2] += 1
            elif stack and stack[-1][0] == "paren":
                stack[-1][3] = "A"              # a union (A1:A2,B1:B2): left alone
        elif typ == Token.OPERAND and sub == Token.RANGE:
            c = ctx()
            prev = tokens[k - 1] if k > 0 else None
            nxt = tokens[k + 1] if k + 1 < n else None
            before = tokens[k - 2] if k > 1 else None
            after = tokens[k + 2] if k + 2 < n else None
            near_op = any(x is not None and x.type == Token.OP_IN and x.value in (":", " ") for x in (prev, nxt)) \
                or (prev is not None and prev.type == Token.WSPACE and before is not None
                    and (before.subtype in (Token.RANGE, Token.CLOSE))) \
                or (nxt is not None and nxt.type == Token.WSPACE and after is not None
                    and (after.subtype in (Token.RANGE, Token.OPEN)))      # "A1:B2 B1:B3": an intersection
            if prev is not None and prev.type == Token.WSPACE:
                prev = before
            if nxt is not None and nxt.type == Token.WSPACE:
                nxt = after
            bare = (prev is None or prev.subtype == Token.OPEN or (prev.type == Token.SEP and prev.value == ",")) \
                and (nxt is None or nxt.subtype == Token.CLOSE or (nxt.type == Token.SEP and nxt.value == ","))
            if not near_op and (c == "V" or (c == "R" and not bare)):
                cell = _first_cell(v) if cse else _intersection(v, row, col)
                if cell is not None:
                    text, changed = cell, True
        out.append(text)
    if not changed:
        return formula
    return "=" + "".join(out)


def _first_cell(ref: str) -> str | None:
    m = _SHEET.match(ref)
    a = _AREA.match(m.group(2)) if m else None
    if not a:
        return None
    c1, r1 = min(_col(a.group(1)), _col(a.group(3))), min(int(a.group(2)), int(a.group(4)))
    return f"{m.group(1) or ''}{_letters(c1)}{r1}"


def _rowcol(formula: str, row: int, col: int) -> str:
    """``ROW()``/``COLUMN()`` outside text literals -> the number."""
    parts = re.split(r'("(?:[^"]|"")*")', formula)
    for i in range(0, len(parts), 2):
        parts[i] = _ROWCOL.sub(lambda m: str(row if m.group(1).upper() == "ROW" else col), parts[i])
    return "".join(parts)


def apply(wb, cells, in_arrays, dynamic=frozenset()) -> None:
    """Rewrite the ordinary formula cells of ``wb`` (after :func:`~mbsxl.excel._load._prepare`) in place."""
    for sheet, coord in cells:
        if (sheet, coord) in in_arrays:
            continue
        c = wb[sheet][coord]
        v = c.value
        text = getattr(v, "text", None)
        if isinstance(text, str) and (sheet, coord) not in dynamic and (getattr(v, "ref", None) or coord).replace("$", "") in (coord, f"{coord}:{coord}"):
            new = intersect_formula(text, c.row, c.column, cse=True)     # a one-cell array formula
            if new != text:
                v.text = new
            continue
        if c.data_type != "f" or not isinstance(v, str) or not v.startswith("="):
            continue
        new = intersect_formula(v, c.row, c.column)
        if new != v:
            c.value = new
