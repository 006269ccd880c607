"""Excel values in and out.

**In** (:func:`to_kind`): a cell value or a range as Excel hands it over, converted to what a wrapper
expects for its :class:`~mbsxl.excel.registry.Arg` kind.  What arrives:

- from xlwings (Windows, with the options :mod:`mbsxl.excel.udfs` sets: ``ndim=2``, ``err_to_str=True``):
  ``float`` for every number, ``str``, ``bool``, ``datetime.datetime`` for date-formatted cells,
  ``None`` for an empty cell, an error cell as its text (``"#N/A"``), a range as a list of row lists;
- from the headless engine (:mod:`mbsxl.excel.calc`): the same Python types (the engine's empty and
  error values are translated there), a range as a 2-D numpy object array, dates as serial numbers.

Rules:

- empty cell -> ``None``: refused for a required argument ("balance is empty"), the default for an
  optional one; inside a range, blanks after the last value are dropped (a range longer than the data
  works) and a blank in the middle is refused by name and position;
- numbers stored as text are read: ``"1,234.5"``, ``" 0.25 "``, ``"25%"`` (= 0.25), ``"(100)"`` (= -100),
  full-width digits; percent-formatted cells already arrive as decimals (Excel stores 25% as 0.25);
- booleans are not numbers (TRUE in a number argument is refused), but 1/0 and TRUE/FALSE/yes/no are
  booleans;
- Excel serial dates use the 1900 date system with Lotus' leap-year bug: serial 1 = 1900-01-01,
  serial 60 = the fictitious 1900-02-29 (refused), serial 61 = 1900-03-01; a serial < 1 is refused as
  a date before 1900; the time of day is dropped;
- an Excel error in an input cell (``#N/A``) makes the result that same error.

Every refusal is a ``ValueError`` naming the argument, the value and what is accepted.

**Out** (:func:`to_excel`): a scalar stays a scalar (NaN -> empty string, numpy scalars -> Python);
an ndarray keeps its shape as a list of row lists (a 1-D array becomes a column); a DataFrame becomes
``[header] + rows``.

>>> to_kind("cpr", "25%", "number")
0.25
>>> to_kind("cpr", [[0.1], [0.2], [None]], "vector").tolist()
[0.1, 0.2]
>>> serial_to_date(61), serial_to_date(59)
(datetime.date(1900, 3, 1), datetime.date(1900, 2, 28))
>>> to_excel(np.array([0.5, float("nan")]))
[[0.5], ['']]
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata

import numpy as np

from .errors import CODES, InputError, XlError
from ..errors import MbsxlInputError

_EPOCH = _dt.date(1899, 12, 30)        # serial 0 for serials >= 61 (after the fictitious 1900-02-29)


# ------------------------------------------------------------------------------------------ basics
def is_blank(v) -> bool:
    """An empty cell: ``None``, ``""`` (or only spaces)."""
    return v is None or (isinstance(v, str) and v.strip() == "")


def _error_code(v) -> str | None:
    if isinstance(v, XlError):
        return v.code
    if isinstance(v, str):
        s = v.strip().upper()
        if s in CODES:
            return s
    return None


def _check_error(name: str, v) -> None:
    code = _error_code(v)
    if code:
        raise InputError(code, f"{name} is {code} (an error in the input cell)")


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number_text(s: str):
    """A number stored as text, or ``None`` when the text is not a number.

    Accepts spaces around it, thousands separators (``1,234.5``), a trailing percent sign
    (``25%`` -> 0.25), accounting negatives (``(100)``) and full-width characters.

    >>> parse_number_text(" 1,234.5 "), parse_number_text("25%"), parse_number_text("abc")
    (1234.5, 0.25, None)
    """
    t = unicodedata.normalize("NFKC", s).strip().replace("\u2212", "-")
    if not t:
        return None
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip()
    if "," in t:
        parts = t.lstrip("+-").split(".")[0].split(",")
        if not all(p.isdigit() for p in parts) or any(len(p) != 3 for p in parts[1:]) or not parts[0]:
            return None
        t = t.replace(",", "")
    if not _NUM_RE.match(t):
        return None
    x = float(t)
    if pct:
        x /= 100.0
    return -x if neg else x


# ------------------------------------------------------------------------------------------ dates
def serial_to_date(serial: float, name: str = "date") -> _dt.date:
    """An Excel (1900 system) serial number to a date, with the 1900 leap-year quirk."""
    x = float(serial)
    if not math.isfinite(x):
        raise MbsxlInputError(f"{name}={serial!r} is not a date; enter a date or an Excel serial number")
    if x < 1:
        raise MbsxlInputError(f"{name}={_show(x)} is a date before 1900; enter a date from 1900-01-01 "
                         "(Excel serial 1) on")
    d = int(math.floor(x))
    if d == 60:
        raise MbsxlInputError(f"{name}=60 is 1900-02-29, a day that does not exist (Excel's 1900 leap-year bug); "
                         "enter a real date")
    if d < 60:
        return _dt.date(1899, 12, 31) + _dt.timedelta(days=d)
    if d > 2958465:
        raise MbsxlInputError(f"{name}={_show(x)} is after 9999-12-31; enter a date or an Excel serial number")
    return _EPOCH + _dt.timedelta(days=d)


def date_to_serial(d) -> float:
    """A date (or datetime) to its Excel 1900-system serial number (dates before 1900-03-01 include the
    quirk: 1900-02-28 is 59, 1900-03-01 is 61)."""
    if isinstance(d, _dt.datetime):
        frac = (d - d.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() / 86400.0
        d = d.date()
    else:
        frac = 0.0
    if d < _dt.date(1900, 1, 1):
        raise MbsxlInputError(f"{d.isoformat()} is a date before 1900; Excel's dates start at 1900-01-01")
    days = (d - _EPOCH).days
    if d < _dt.date(1900, 3, 1):
        days -= 1
    return float(days) + frac


def _to_date(name: str, v):
    if isinstance(v, _dt.datetime):
        if v.year < 1900:
            raise MbsxlInputError(f"{name}={v.date().isoformat()} is a date before 1900; enter a date from 1900 on")
        return v.date()
    if isinstance(v, _dt.date):
        if v.year < 1900:
            raise MbsxlInputError(f"{name}={v.isoformat()} is a date before 1900; enter a date from 1900 on")
        return v
    if isinstance(v, (bool, np.bool_)):
        raise MbsxlInputError(f"{name}={v} is not a date; enter a date (2007-12-31) or an Excel serial number")
    if isinstance(v, (int, float, np.integer, np.floating)):
        return serial_to_date(float(v), name)
    if isinstance(v, str):
        t = unicodedata.normalize("NFKC", v).strip()
        m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$", t)
        if m:
            y, mo, da = (int(g) for g in m.groups())
            try:
                d = _dt.date(y, mo, da)
            except ValueError:
                raise MbsxlInputError(f"{name}={v!r} is not a real date") from None
            return _to_date(name, d)
        x = parse_number_text(t)
        if x is not None:
            return serial_to_date(x, name)
    raise MbsxlInputError(f"{name}={v!r} is not a date; enter a date (2007-12-31) or an Excel serial number")


# ------------------------------------------------------------------------------------------ scalars
def _to_number(name: str, v) -> float:
    _check_error(name, v)
    if isinstance(v, (bool, np.bool_)):
        raise MbsxlInputError(f"{name}={v} is TRUE/FALSE, not a number; enter a number")
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        if math.isnan(x):
            raise MbsxlInputError(f"{name} is empty or not a number; enter a number")
        return x
    if isinstance(v, _dt.datetime) or isinstance(v, _dt.date):
        return date_to_serial(v)
    if isinstance(v, str):
        x = parse_number_text(v)
        if x is None:
            raise MbsxlInputError(f"{name}={v!r} is text, not a number; enter a number (text like '1,234.5' or "
                             "'25%' is read too)")
        return x
    raise MbsxlInputError(f"{name}={v!r} is not a number; enter a number")


def _to_bool(name: str, v) -> bool:
    _check_error(name, v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)) and float(v) in (0.0, 1.0):
        return bool(v)
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("true", "yes", "y", "1", "是", "t"):
            return True
        if t in ("false", "no", "n", "0", "否", "f"):
            return False
    raise MbsxlInputError(f"{name}={v!r} is not TRUE or FALSE; enter TRUE/FALSE (or 1/0)")


def _to_text(name: str, v) -> str:
    _check_error(name, v)
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return _show(float(v)) if float(v).is_integer() else repr(float(v))
    raise MbsxlInputError(f"{name}={v!r} is not text")


# ------------------------------------------------------------------------------------------ ranges
def as_grid(v) -> np.ndarray:
    """Any cell or range as a 2-D object array (a scalar is 1x1, a flat list is a column)."""
    if isinstance(v, np.ndarray):
        a = v.astype(object, copy=False)
    elif isinstance(v, (list, tuple)):
        if len(v) and all(isinstance(r, (list, tuple, np.ndarray)) for r in v):
            width = max(len(r) for r in v)
            a = np.empty((len(v), width), dtype=object)
            a[:] = None
            for i, r in enumerate(v):
                for j, c in enumerate(r):
                    a[i, j] = c
        else:
            a = np.empty((len(v), 1), dtype=object)
            for i, c in enumerate(v):
                a[i, 0] = c
    else:
        a = np.empty((1, 1), dtype=object)
        a[0, 0] = v
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(-1, 1)
    elif a.ndim > 2:
        raise MbsxlInputError(f"a range of {a.ndim} dimensions")
    return a


def _is_range(v) -> bool:
    return isinstance(v, (list, tuple, np.ndarray)) and not (isinstance(v, np.ndarray) and v.ndim == 0)


def _plain_floats(cells):
    """``cells`` (a list or an object array) as a float array when every cell is a Python ``int`` or
    ``float`` other than NaN (what a range of numbers is), else None: one pass over the types instead of
    a conversion and a label per cell (issue 21: MBS_POOLSUMMARY at 100k loans spent 15x the core in
    converting its ranges).  Any other cell takes the cell-by-cell path and its messages."""
    flat = cells.ravel() if isinstance(cells, np.ndarray) else cells
    if not set(map(type, flat)) <= {float, int}:
        return None
    try:
        out = np.asarray(cells, dtype=float)
    except (OverflowError, ValueError, TypeError):
        return None
    return None if np.isnan(out).any() else out


def _numbers(name: str, cells, where) -> np.ndarray:
    fast = _plain_floats(cells)
    if fast is not None:
        return fast
    out = np.empty(len(cells), dtype=float)
    for i, c in enumerate(cells):
        label = f"{name}{where(i)}"
        if is_blank(c):
            raise MbsxlInputError(f"{label} is empty; fill it or shorten the range")
        out[i] = _to_number(label, c)
    return out


def _to_vector(name: str, v) -> np.ndarray:
    g = as_grid(v)
    r, c = g.shape
    if r > 1 and c > 1:
        raise MbsxlInputError(f"{name} is a {r}x{c} block; pass a single row or column")
    cells = list(g.ravel())
    while cells and is_blank(cells[-1]):
        cells.pop()
    if not cells:
        raise MbsxlInputError(f"{name} is empty; pass a row or column of numbers")
    return _numbers(name, cells, lambda i: f"[{i + 1}]")


def _to_array(name: str, v) -> np.ndarray:
    g = as_grid(v)
    fast = _plain_floats(g)
    if fast is not None:
        return fast
    out = np.empty(g.shape, dtype=float)
    for (i, j), c in np.ndenumerate(g):
        label = f"{name}[{i + 1},{j + 1}]" if g.shape[1] > 1 else f"{name}[{i + 1}]"
        if is_blank(c):
            raise MbsxlInputError(f"{label} is empty; fill it or shorten the range")
        out[i, j] = _to_number(label, c)
    return out


def _matrix(v) -> np.ndarray:
    g = as_grid(v).copy()
    kinds = set(map(type, g.ravel()))
    if kinds <= {float, int, bool, type(None)}:
        return g                          # nothing to normalise: one pass over the types
    flat = g.reshape(-1)                  # a view of the copy
    for i, c in enumerate(flat.tolist()):
        t = c.__class__
        if t is float or t is int or t is bool or c is None:
            continue
        if isinstance(c, str):
            if c.strip() == "":
                flat[i] = None
            elif isinstance(c, np.generic):
                flat[i] = c.item()
        elif isinstance(c, XlError):
            flat[i] = c.code
        elif isinstance(c, np.generic):
            flat[i] = c.item()
    return g


# ------------------------------------------------------------------------------------------ dispatch
def to_kind(name: str, value, kind: str, optional: bool = False, default=None):
    """Convert one argument to ``kind`` (see :mod:`mbsxl.excel.registry`); blanks give ``default`` when
    ``optional``; a 1x1 range counts as its single cell for the scalar kinds."""
    if kind == "any":
        return default if (optional and is_blank(value)) else value
    if _is_range(value) and kind in ("number", "int", "bool", "text", "date"):
        g = as_grid(value)
        if g.size != 1:
            raise MbsxlInputError(f"{name} is a range of {g.shape[0]}x{g.shape[1]} cells; pass a single cell")
        value = g[0, 0]
    if kind == "matrix":
        if value is None or (not _is_range(value) and is_blank(value)):
            if optional:
                return default
            raise MbsxlInputError(f"{name} is empty; pass a range")
        return _matrix(value)
    if _is_range(value):
        g = as_grid(value)
        if all(is_blank(c) for c in g.ravel()):
            value = None
        elif kind == "number_or_vector" and g.size == 1:
            value = g[0, 0]
    if is_blank(value):
        if optional:
            return default
        raise MbsxlInputError(f"{name} is empty; it is required")
    if kind == "number":
        return _to_number(name, value)
    if kind == "int":
        x = _to_number(name, value)
        if not x.is_integer():
            raise MbsxlInputError(f"{name}={_show(x)} is not a whole number; enter a whole number")
        return int(x)
    if kind == "bool":
        return _to_bool(name, value)
    if kind == "text":
        return _to_text(name, value)
    if kind == "date":
        _check_error(name, value)
        return _to_date(name, value)
    if kind == "vector":
        return _to_vector(name, value)
    if kind == "number_or_vector":
        return _to_vector(name, value) if _is_range(value) else _to_number(name, value)
    if kind == "array":
        return _to_array(name, value) if _is_range(value) else _to_number(name, value)
    raise ValueError(f"unknown argument kind {kind!r}")


# ------------------------------------------------------------------------------------------ out
_TOO_LARGE = "infinite or too large for a cell"


def _cell_out(x):
    """One result value as a cell value; an infinite number is a real ``#NUM!`` error (an
    :class:`XlError`, which each client turns into its own error value), never the text "#NUM!"."""
    t = x.__class__
    if t is float:                        # the common cases first, as the general path below treats them
        return "" if math.isnan(x) else (x if math.isfinite(x) else XlError("#NUM!", _TOO_LARGE))
    if t is str or t is int or t is bool:
        return x
    if x is None:
        return ""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return "" if (math.isnan(x)) else (x if math.isfinite(x) else XlError("#NUM!", _TOO_LARGE))
    if isinstance(x, XlError):
        return x
    if isinstance(x, (_dt.date, _dt.datetime)):
        return date_to_serial(x)
    try:
        import pandas as pd
        if x is pd.NaT or (not isinstance(x, str) and pd.isna(x)):
            return ""
        if isinstance(x, pd.Timestamp):
            return date_to_serial(x.to_pydatetime())
    except (TypeError, ValueError):
        pass
    return x


def to_excel(result):
    """A wrapper's result as cell values: a scalar, or a list of row lists."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(result, pd.DataFrame):
        header = [str(c) for c in result.columns]
        rows = [[_cell_out(x) for x in row] for row in result.itertuples(index=False, name=None)]
        return [header] + rows
    if pd is not None and isinstance(result, pd.Series):
        result = result.to_numpy()
    if isinstance(result, (list, tuple)):
        result = np.asarray(result, dtype=object)
    if isinstance(result, np.ndarray):
        if result.ndim == 0:
            return _cell_out(result.item())
        if result.ndim == 1:
            result = result.reshape(-1, 1)
        return [[_cell_out(x) for x in row] for row in result.tolist()]
    return _cell_out(result)


def date_rate_rows(name: str, m) -> list[tuple]:
    """A two-column block of (date, rate) rows -> list of ``(datetime.date, float)``; blank rows dropped.

    Dates may be Excel serials, dates or ISO text; rates decimals or percent text.
    """
    g = as_grid(m)
    if g.shape[1] != 2:
        raise MbsxlInputError(f"{name} has {g.shape[1]} columns; pass two columns: date, rate")
    rows = []
    for i in range(g.shape[0]):
        d, r = g[i, 0], g[i, 1]
        if is_blank(d) and is_blank(r):
            continue
        if isinstance(d, str) and i == 0 and parse_number_text(d) is None and not re.match(r"^\d{4}", d.strip()):
            continue                                     # a header row
        rows.append((_to_date(f"{name}[{i + 1},1]", d), _to_number(f"{name}[{i + 1},2]", r)))
    if not rows:
        raise MbsxlInputError(f"{name} is empty; pass (date, rate) rows")
    return rows
