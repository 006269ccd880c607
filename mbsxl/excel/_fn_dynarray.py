"""Excel 365's array-shaping functions for the headless engine (issue 21): VSTACK, HSTACK, CHOOSECOLS,
CHOOSEROWS, DROP, TAKE, EXPAND, TOCOL, TOROW, WRAPROWS, WRAPCOLS, TRIMRANGE, and PERCENTOF.

Installed into the pycel plug-in module (:func:`install`, called from
:func:`mbsxl.excel._pycel_plugin._plugin_module`); each returns a 2-D result (a tuple of row tuples)
that :func:`mbsxl.excel.calc._fit` spills into the range Excel stored with the formula.

Semantics follow Microsoft's function reference (support.microsoft.com, "<NAME> function") and were
checked against every value Excel cached for them in ``tests/conformance/workbooks/`` (the
``formulas`` project's ``test.xlsx``, sheet LOOKUP rows 6-19, 123-159, sheet MATH & TRIG row 49):

- a number argument (rows, columns, wrap count, ignore, trim mode) is truncated toward zero; text that
  reads as a number (``"1.1"``, ``"01/01/1900"``) is that number, TRUE is 1, an empty cell is 0, other
  text is #VALUE!, an error is itself;
- a blank cell of a range comes out as 0 (Excel's array values have no blanks); missing cells of a
  stacked or expanded result are #N/A (or ``pad_with``);
- a single-value argument given an array (``DROP(a, 1, {1;2;1})``) is computed for each of its elements
  and each result's top-left value is kept, as Excel lifts such calls;
- an empty result (dropping every row, TAKE 0, no cell left by TOCOL) is #CALC!, which Excel saves in
  the file as #VALUE!: this engine gives #VALUE!;
- PERCENTOF(data_subset, data_all) = SUM(data_subset)/SUM(data_all), text and logicals in ranges
  ignored; an error in either range gives #NUM! (the value Excel cached in MATH & TRIG!W49:AF49).

>>> vstack(((1, 2),), ((3,),))
((1, 2), (3, '#N/A'))
>>> drop(((1, 2, 3), (4, 5, 6), (7, 8, 9)), -2)
((1, 2, 3),)
>>> tocol(((1, 2), ("#VALUE!", None)), 2, 1)
((1,), (2,), (0,))

Results are bounded: a result over :data:`MAX_RESULT_CELLS` cells (the engine's ``--max-array-cells``
default) or beyond Excel's grid is refused with #NUM! and a reason, before anything is allocated.
"""
from __future__ import annotations

import datetime as _dt
import math
from numbers import Number

from .errors import CalcError
from .limits import Limits

ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                    "#SPILL!", "#CALC!"})
MAX_ROWS, MAX_COLS = 1_048_576, 16_384
#: the largest result (cells) an array-building function may allocate: the engine's --max-array-cells default
MAX_RESULT_CELLS = Limits().max_array_cells
NA = "#N/A"
OMITTED = type("Omitted", (), {"__repr__": lambda self: "OMITTED"})()   # a trailing argument not given


def ambiguous(name: str, arg: str):
    """The refusal of an empty argument whose meaning differs between a blank cell (0) and an argument left
    out (the default): the engine receives both as None."""
    return CalcError("#VALUE!", f"unsupported: {name}'s {arg} is empty; Excel reads a blank cell there as 0 "
                                "and a left-out argument as its default, which this engine cannot tell apart")
EMPTY_RESULT = "#VALUE!"      # Excel's #CALC! (empty array), as Excel saves it in the file


def is_error(x) -> bool:
    return isinstance(x, str) and x in ERRORS


def grid(x) -> list[list]:
    """An engine value as a list of rows (a scalar is 1x1)."""
    if isinstance(x, tuple):
        if not x:
            return [[None]]
        return [list(r) if isinstance(r, tuple) else [r] for r in x]
    return [[x]]


def as_engine(rows) -> tuple:
    return tuple(tuple(r) for r in rows)


def _zero(x):
    return 0 if x is None else x


def too_big(h: int, w: int, name: str):
    """#NUM! with the reason when an ``h`` x ``w`` result is beyond the grid or the engine's cell limit."""
    if h > MAX_ROWS or w > MAX_COLS:
        return CalcError("#NUM!", f"{name}: a {h:,} x {w:,} result is beyond Excel's grid (1,048,576 x 16,384)")
    if h * w > MAX_RESULT_CELLS:
        return CalcError("#NUM!", f"{name}: a result of {h * w:,} cells is over the limit of {MAX_RESULT_CELLS:,} "
                                  "(--max-array-cells)")
    return None


def _text_number(s: str):
    t = s.strip()
    try:
        return float(t)
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y"):
        try:
            d = _dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
        serial = (d - _dt.date(1899, 12, 30)).days
        return float(serial - 1 if serial <= 60 else serial)     # Excel's 1900 leap-year rule
    return None


def number(x):
    """A number argument as Excel reads it (see the module docstring), or an error value."""
    if is_error(x):
        return x
    if x is None:
        return 0.0
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, Number):
        x = float(x)
        return x if math.isfinite(x) else "#NUM!"
    if isinstance(x, str):
        v = _text_number(x)
        return "#VALUE!" if v is None else v
    return "#VALUE!"


def integer(x):
    """:func:`number` truncated toward zero (an error value stays)."""
    v = number(x)
    return v if isinstance(v, str) else int(v)


def lifted(fn, base, *args):
    """``fn(base, *args)``; where one of ``args`` is an array of several values, ``fn`` is computed for
    each element (arrays broadcast, missing elements #N/A) and each result's top-left value kept."""
    shapes = [(len(g), len(g[0])) for g in (grid(a) for a in args if isinstance(a, tuple))]
    if not any(h * w > 1 for h, w in shapes):
        return fn(base, *[grid(a)[0][0] if isinstance(a, tuple) else a for a in args])
    h = max(s[0] for s in shapes)
    w = max(s[1] for s in shapes)
    big = too_big(h, w, getattr(fn, "__name__", "function").upper())
    if big:
        return big
    grids = [grid(a) if isinstance(a, tuple) else None for a in args]

    def pick(k, i, j):
        g = grids[k]
        if g is None:
            return args[k]
        gh, gw = len(g), len(g[0])
        ii = 0 if gh == 1 else i
        jj = 0 if gw == 1 else j
        return g[ii][jj] if ii < gh and jj < gw else NA

    out = []
    for i in range(h):
        row = []
        for j in range(w):
            vals = [pick(k, i, j) for k in range(len(args))]
            if any(v is NA for v in vals):
                row.append(NA)
                continue
            r = fn(base, *vals)
            row.append(grid(r)[0][0] if isinstance(r, tuple) else r)
        out.append(row)
    return as_engine(out)


# ------------------------------------------------------------------------------------------- stacking
def _stack(arrays, vertical: bool, name: str):
    gs = [grid(a) for a in arrays]
    if vertical:
        h = sum(len(g) for g in gs)
        w = max(len(g[0]) for g in gs)
    else:
        h = max(len(g) for g in gs)
        w = sum(len(g[0]) for g in gs)
    big = too_big(h, w, name)
    if big:
        return big
    if vertical:
        out = [[_zero(x) for x in r] + [NA] * (w - len(r)) for g in gs for r in g]
    else:
        out = [[] for _ in range(h)]
        for g in gs:
            gw = len(g[0])
            for i in range(h):
                out[i].extend([_zero(x) for x in g[i]] if i < len(g) else [NA] * gw)
    return as_engine(out)


def vstack(*arrays):
    """VSTACK(array1, [array2], ...): the arrays one under another, #N/A where a row is short."""
    return _stack(arrays, True, "VSTACK")


def hstack(*arrays):
    """HSTACK(array1, [array2], ...): the arrays side by side, #N/A where a column is short."""
    return _stack(arrays, False, "HSTACK")


# ---------------------------------------------------------------------------------------- choosing
def _indexes(args, n: int):
    """The 0-based positions CHOOSECOLS/CHOOSEROWS pick, or an error value.  Each argument is a number
    or a one-row/one-column array of numbers; negative counts from the end."""
    out = []
    for a in args:
        g = grid(a)
        if len(g) > 1 and len(g[0]) > 1:
            return "#VALUE!"
        for r in g:
            for x in r:
                k = integer(x)
                if isinstance(k, str):
                    return k
                if k == 0 or abs(k) > n:
                    return "#VALUE!"
                out.append(k - 1 if k > 0 else n + k)
    return out


def choosecols(array, *col_num):
    """CHOOSECOLS(array, col_num1, [col_num2], ...)."""
    g = grid(array)
    if not col_num:
        return "#VALUE!"
    idx = _indexes(col_num, len(g[0]))
    if isinstance(idx, str):
        return idx
    big = too_big(len(g), len(idx), "CHOOSECOLS")
    return big or as_engine([[_zero(r[k]) for k in idx] for r in g])


def chooserows(array, *row_num):
    """CHOOSEROWS(array, row_num1, [row_num2], ...)."""
    g = grid(array)
    if not row_num:
        return "#VALUE!"
    idx = _indexes(row_num, len(g))
    if isinstance(idx, str):
        return idx
    big = too_big(len(idx), len(g[0]), "CHOOSEROWS")
    return big or as_engine([[_zero(x) for x in g[k]] for k in idx])


def _drop(array, rows=None, columns=None):
    g = grid(array)
    h, w = len(g), len(g[0])
    r = 0 if rows is None else integer(rows)
    c = 0 if columns is None else integer(columns)
    for v in (r, c):
        if isinstance(v, str):
            return v
    r0, r1 = (r, h) if r >= 0 else (0, h + r)
    c0, c1 = (c, w) if c >= 0 else (0, w + c)
    if r0 >= r1 or c0 >= c1:
        return EMPTY_RESULT
    return as_engine([[_zero(x) for x in row[c0:c1]] for row in g[r0:r1]])


def _take(array, rows, columns=OMITTED):
    g = grid(array)
    h, w = len(g), len(g[0])
    if rows is None or columns is None:
        return ambiguous("TAKE", "rows" if rows is None else "columns")
    r = integer(rows)
    c = w if columns is OMITTED else integer(columns)
    for v in (r, c):
        if isinstance(v, str):
            return v
    if r == 0 or c == 0:
        return EMPTY_RESULT
    r0, r1 = (0, min(r, h)) if r > 0 else (max(h + r, 0), h)
    c0, c1 = (0, min(c, w)) if c > 0 else (max(w + c, 0), w)
    return as_engine([[_zero(x) for x in row[c0:c1]] for row in g[r0:r1]])


def drop(array, rows, columns=None):
    """DROP(array, rows, [columns]): without the first (positive) or last (negative) rows/columns."""
    return lifted(_drop, array, rows, columns) if columns is not None else lifted(_drop, array, rows)


def take(array, rows, columns=OMITTED):
    """TAKE(array, rows, [columns]): the first (positive) or last (negative) rows/columns."""
    return lifted(_take, array, rows, columns) if columns is not OMITTED else lifted(_take, array, rows)


def _expand(array, rows, columns=OMITTED, pad_with=OMITTED):
    g = grid(array)
    h, w = len(g), len(g[0])
    for arg, v in (("rows", rows), ("columns", columns), ("pad_with", pad_with)):
        if v is None:
            return ambiguous("EXPAND", arg)
    r = integer(rows)
    c = w if columns is OMITTED else integer(columns)
    for v in (r, c):
        if isinstance(v, str):
            return v
    if r < h or c < w:
        return "#VALUE!"
    big = too_big(r, c, "EXPAND")
    if big:
        return big
    pad = NA if pad_with is OMITTED else pad_with
    return as_engine([[_zero(x) for x in row] + [pad] * (c - w) for row in g] + [[pad] * c for _ in range(r - h)])


def expand(array, rows, columns=OMITTED, pad_with=OMITTED):
    """EXPAND(array, rows, [columns], [pad_with]): the array grown to rows x columns, padded (#N/A)."""
    return lifted(_expand, array, rows, columns, pad_with)


# -------------------------------------------------------------------------------------- flattening
def _flat(array, ignore=None, scan_by_column=None):
    g = grid(array)
    mode = 0 if ignore is None else integer(ignore)
    if isinstance(mode, str):
        return mode
    if mode not in (0, 1, 2, 3):
        return "#VALUE!"
    by_col = False
    if scan_by_column is not None:
        b = number(scan_by_column)
        if isinstance(b, str):
            return b
        by_col = bool(b)
    cells = [g[i][j] for j in range(len(g[0])) for i in range(len(g))] if by_col else [x for r in g for x in r]
    out = [x for x in cells if not ((mode & 1 and x is None) or (mode & 2 and is_error(x)))]
    if not out:
        return EMPTY_RESULT
    return [_zero(x) for x in out]


def _tocol(array, ignore=None, scan_by_column=None):
    r = _flat(array, ignore, scan_by_column)
    return r if isinstance(r, str) else as_engine([[x] for x in r])


def _torow(array, ignore=None, scan_by_column=None):
    r = _flat(array, ignore, scan_by_column)
    return r if isinstance(r, str) else as_engine([r])


def tocol(array, ignore=None, scan_by_column=None):
    """TOCOL(array, [ignore], [scan_by_column]): the values in one column; ignore 1 blanks, 2 errors, 3 both."""
    return lifted(_tocol, array, ignore, scan_by_column)


def torow(array, ignore=None, scan_by_column=None):
    """TOROW(array, [ignore], [scan_by_column]): the values in one row."""
    return lifted(_torow, array, ignore, scan_by_column)


def _wrap(vector, wrap_count, pad_with, by_rows: bool, name: str):
    g = grid(vector)
    if len(g) > 1 and len(g[0]) > 1:
        return "#VALUE!"
    vals = [_zero(x) for r in g for x in r]
    n = integer(wrap_count)
    if isinstance(n, str):
        return n
    if n < 1:
        return "#NUM!"
    lines = -(-len(vals) // n)
    big = too_big(lines, n, name) if by_rows else too_big(n, lines, name)
    if big:
        return big
    if pad_with is None:
        return ambiguous(name, "pad_with")
    pad = NA if pad_with is OMITTED else pad_with
    chunks = [vals[k * n:(k + 1) * n] for k in range(lines)]
    chunks = [c + [pad] * (n - len(c)) for c in chunks]
    if by_rows:
        return as_engine(chunks)
    return as_engine([[c[i] for c in chunks] for i in range(n)])


def _wraprows(vector, wrap_count, pad_with=OMITTED):
    return _wrap(vector, wrap_count, pad_with, True, "WRAPROWS")


def _wrapcols(vector, wrap_count, pad_with=OMITTED):
    return _wrap(vector, wrap_count, pad_with, False, "WRAPCOLS")


def wraprows(vector, wrap_count, pad_with=OMITTED):
    """WRAPROWS(vector, wrap_count, [pad_with]): the vector in rows of wrap_count values."""
    return lifted(_wraprows, vector, wrap_count, pad_with)


def wrapcols(vector, wrap_count, pad_with=OMITTED):
    """WRAPCOLS(vector, wrap_count, [pad_with]): the vector in columns of wrap_count values."""
    return lifted(_wrapcols, vector, wrap_count, pad_with)


# --------------------------------------------------------------------------------------- trimming
def _trim_mode(x):
    """TRIMRANGE's trim_rows/trim_cols: 0-3; a whole number (text too), else #VALUE!; an array #VALUE!
    for each element (MS's cached LOOKUP!AA135:AC136)."""
    if x is OMITTED:
        return 3
    if x is None:
        return ambiguous("TRIMRANGE", "trim_rows or trim_cols")
    v = number(x)
    if isinstance(v, str):
        return v
    if v != int(v) or not 0 <= v <= 3:
        return "#VALUE!"
    return int(v)


def trimrange(range_, trim_rows=OMITTED, trim_cols=OMITTED):
    """TRIMRANGE(range, [trim_rows], [trim_cols]): the range without its blank leading (1), trailing (2)
    or both (3, the default) rows and columns; a range with no value is #REF!."""
    for a in (trim_rows, trim_cols):
        if isinstance(a, tuple):
            g = grid(a)
            if len(g) * len(g[0]) > 1:
                return as_engine([["#VALUE!"] * len(g[0]) for _ in g])
    rows_mode = _trim_mode(grid(trim_rows)[0][0] if isinstance(trim_rows, tuple) else trim_rows)
    cols_mode = _trim_mode(grid(trim_cols)[0][0] if isinstance(trim_cols, tuple) else trim_cols)
    for m in (rows_mode, cols_mode):
        if isinstance(m, str):
            return m
    g = grid(range_)
    filled_rows = [i for i, r in enumerate(g) if any(x is not None for x in r)]
    filled_cols = [j for j in range(len(g[0])) if any(r[j] is not None for r in g)]
    if not filled_rows:
        return "#REF!"
    r0 = filled_rows[0] if rows_mode & 1 else 0
    r1 = filled_rows[-1] + 1 if rows_mode & 2 else len(g)
    c0 = filled_cols[0] if cols_mode & 1 else 0
    c1 = filled_cols[-1] + 1 if cols_mode & 2 else len(g[0])
    return as_engine([[_zero(x) for x in r[c0:c1]] for r in g[r0:r1]])


# --------------------------------------------------------------------------------------- PERCENTOF
def _range_sum(a):
    total, err = 0.0, None
    for r in grid(a):
        for x in r:
            if is_error(x):
                err = err or x
            elif isinstance(x, Number) and not isinstance(x, bool):
                total += x
    return total, err


def percentof(data_subset, data_all):
    """PERCENTOF(data_subset, data_all): SUM(data_subset) / SUM(data_all)."""
    for a in (data_subset, data_all):
        if isinstance(a, str) and not is_error(a):
            return CalcError("#VALUE!", "unsupported: PERCENTOF of a text value (not a range or number)")
    sub, e1 = _range_sum(data_subset)
    tot, e2 = _range_sum(data_all)
    if e1 or e2:
        return "#NUM!"
    if tot == 0:
        return "#DIV/0!"
    return sub / tot


#: pycel name -> function (pycel looks Excel's DROP up as ``drop``)
FUNCTIONS = {"vstack": vstack, "hstack": hstack, "choosecols": choosecols, "chooserows": chooserows,
             "drop": drop, "take": take, "expand": expand, "tocol": tocol, "torow": torow,
             "wraprows": wraprows, "wrapcols": wrapcols, "trimrange": trimrange, "percentof": percentof}
#: the Excel names this module adds to the engine
NAMES = frozenset(n.upper() for n in FUNCTIONS)


def install(mod) -> None:
    """Put the functions into the pycel plug-in module."""
    for name, f in FUNCTIONS.items():
        setattr(mod, name, f)
