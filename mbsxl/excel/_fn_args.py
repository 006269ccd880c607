"""Argument reading shared by the engine's own Excel functions (``_fn_finance``, ``_fn_stats``,
``_fn_eng``; issue 21): values arrive as pycel passes them -- numbers, text, booleans, ``None`` for an
empty cell, error text (``"#N/A"``) and tuples of rows for a range or array.

- :func:`number`: one numeric argument as Excel reads a scalar: a number; TRUE/FALSE as 1/0; an empty
  cell as 0; text that reads as a number; an error is returned as is; other text is ``#VALUE!``; a range
  of one cell is that cell, of several cells ``#VALUE!``;
- :func:`is_error`, :func:`first_error`; :func:`grid` (a range or scalar as a list of rows);
- :func:`elementwise`: a scalar function applied element by element when an argument is a range or
  array (Excel's array evaluation: the result has the larger shape, a missing cell is ``#N/A``; a row
  or column of one is repeated).

>>> number("2.5"), number(True), number(None), number("x"), number("#N/A")
(2.5, 1, 0, '#VALUE!', '#N/A')
>>> elementwise(lambda a, b: a + b, ((1, 2),), 10)
((11, 12),)
"""
from __future__ import annotations

from numbers import Number

from pycel.excelutil import ERROR_CODES

VALUE, NUM, NA, DIV0 = "#VALUE!", "#NUM!", "#N/A", "#DIV/0!"


def is_error(x) -> bool:
    return isinstance(x, str) and x in ERROR_CODES


def first_error(*xs):
    """The first error among ``xs`` (ranges searched row by row), else None."""
    for x in xs:
        if isinstance(x, tuple):
            for row in x:
                for v in (row if isinstance(row, tuple) else (row,)):
                    if is_error(v):
                        return v
        elif is_error(x):
            return x
    return None


def _text_number(s: str):
    t = s.strip()
    if not t:
        return VALUE
    try:
        return float(t)
    except ValueError:
        pass
    if t.endswith("%"):
        try:
            return float(t[:-1]) / 100
        except ValueError:
            return VALUE
    return VALUE


def number(x):
    """See the module docstring."""
    if isinstance(x, tuple):
        cells = [v for row in x for v in (row if isinstance(row, tuple) else (row,))]
        if len(cells) != 1:
            return VALUE
        x = cells[0]
    if x is None:
        return 0
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, str):
        if x in ERROR_CODES:
            return x
        return _text_number(x)
    if isinstance(x, Number):
        return x
    return VALUE


def scalar_number(x):
    """:func:`number`, and date text read as Excel reads it (``"29/02/1900"`` is 60, through the
    ``formulas`` package's date parser when it is installed)."""
    n = number(x)
    if n == VALUE and isinstance(x, str):
        try:
            from formulas.functions import _text2num
            v = _text2num(x)
            if isinstance(v, Number) and not isinstance(v, bool):
                return v
        except Exception:  # noqa: BLE001 - formulas absent or the text is no date
            pass
    return n


def in_array() -> bool:
    """Whether pycel is evaluating an array (Ctrl+Shift+Enter) formula."""
    from pycel.excelutil import in_array_formula_context
    return bool(in_array_formula_context)


def grid(x) -> list[list]:
    """A range or array as a list of rows; a scalar as one row of one."""
    if isinstance(x, tuple):
        return [list(row) if isinstance(row, tuple) else [row] for row in x]
    return [[x]]


def is_multi(x) -> bool:
    return isinstance(x, tuple) and (len(x) > 1 or (len(x) == 1 and isinstance(x[0], tuple) and len(x[0]) > 1))


def elementwise(f, *args):
    """``f(*scalars)`` or, when an argument is a range/array of several cells, a tuple of rows of
    ``f`` over the elements (Excel's broadcasting: a 1-row or 1-column argument is repeated, cells
    beyond an argument's size are ``#N/A``)."""
    if not any(is_multi(a) for a in args):
        return f(*[(grid(a)[0][0] if isinstance(a, tuple) else a) for a in args])
    grids = [grid(a) for a in args]
    rows = max(len(g) for g in grids)
    cols = max(len(g[0]) for g in grids)

    def at(g, r, c):
        if len(g) == 1:
            r = 0
        if len(g[0]) == 1:
            c = 0
        if r >= len(g) or c >= len(g[r]):
            return ...
        return g[r][c]
    out = []
    for r in range(rows):
        row = []
        for c in range(cols):
            vals = [at(g, r, c) for g in grids]
            row.append(NA if any(v is ... for v in vals) else f(*vals))
        out.append(tuple(row))
    return tuple(out)


def excel_number_text(x: float) -> str:
    """A number as Excel writes it into text: 15 significant digits, ``E-22`` exponents."""
    t = f"{x:.15g}"
    if "e" in t:
        m, e = t.split("e")
        t = f"{m}E{e}"
    return t
