"""Scalar Excel functions over ranges inside array formulas (issue 21: the conformance corpus found the
engine gave every cell of ``{=DAY(C6:Q6)}`` the first cell's day, where Excel evaluates the function
cell by cell).  Installed into the pycel plug-in module by :func:`install`, in front of pycel's own
functions:

- DAY, MONTH, YEAR, WEEKDAY, HOUR, MINUTE, SECOND, NOT, SUBSTITUTE (an empty instance_num #VALUE!), CONCATENATE, DATE, SWITCH (its expression), NPV (its rate), INDEX
  (its row and column numbers; an element giving a whole row or column shows its first cell): inside
  an array formula, a range or array argument is evaluated element by element (:func:`mbsxl.excel._fn_args.elementwise`: the larger shape, a row or column of one
  repeated, ``#N/A`` beyond an argument's size), each element by pycel's own function (for the date
  functions, date text read as Excel reads it and a serial number past 9999-12-31 #NUM!); outside
  array formulas nothing changes;
- N reads the top-left cell of a range (it takes a reference; formulas test.xlsx INFORMATION!AH19:AW19);
- EDATE, EOMONTH computed here (:func:`_months_from`: Excel's month arithmetic on its serials, months
  truncated -- formulas test.xlsx DATE & TIME!T9 ``EDATE(1,".55")`` is 1, W9 ``EDATE(0.7,31778)``
  967223, where pycel gave 1661186);
- EDATE, EOMONTH, YEARFRAC, FACTDOUBLE (Analysis ToolPak functions): Excel does not evaluate them
  element by element -- a range or array of several cells as an argument is #VALUE! inside an array
  formula (formulas test.xlsx ``DATE & TIME!AH9:AW10``, ``AH27:AW27``, ``MATH & TRIG!AH31:AW31``).

>>> from pycel.excelutil import in_array_formula_context
>>> day = _wrapped("day")
>>> with in_array_formula_context("S!A1:C1"):
...     day(((1, 32, "x"),))
((1, 1, '#VALUE!'),)
"""
from __future__ import annotations

import math

from ._fn_args import NUM, VALUE, elementwise, grid, in_array, is_error, is_multi, number, scalar_number

#: engine function name -> the argument positions Excel evaluates element by element over a range
#: inside an array formula (None: all)
ELEMENTWISE: dict = {"day": None, "month": None, "year": None, "weekday": None, "not_": None,
                     "hour": None, "minute": None, "second": None, "substitute": None,
                     "concatenate": None, "date": None, "switch": (0,), "npv": (0,), "index": (1, 2)}
#: functions reading only the top-left cell of a range (N takes a reference: formulas test.xlsx
#: INFORMATION!AH19:AW19 are all the first cell's value)
FIRST = ("n",)
#: Analysis ToolPak functions: a range of several cells is #VALUE! inside an array formula
NOT_ELEMENTWISE = ("edate", "eomonth", "yearfrac", "factdouble")


def excel_date(year, month, day):
    """Excel's DATE: each argument truncated; a year below 1900 has 1900 added (0..9999, else #NUM!);
    months and days beyond their range roll over, counted in Excel's serial numbers (which hold the
    fictitious 29 February 1900: ``DATE(1900,2,29)`` is 60, ``DATE(1,0,0)`` is 335); a result outside
    0 .. 2958465 is #NUM!.

    >>> excel_date(1987, 8, 26), excel_date(1900, 2, 29), excel_date(1, 0, 0), excel_date(0.9, 0.9, 0.9)
    (32015, 60, 335, '#NUM!')
    """
    import datetime as _dt
    args = [number(a) for a in (year, month, day)]
    err = next((a for a in args if is_error(a)), None)
    if err:
        return err
    if not all(math.isfinite(a) for a in args):
        return NUM
    y, m, d = (math.trunc(a) for a in args)
    if not 0 <= y <= 9999:
        return NUM
    if y < 1900:
        y += 1900
    y, m0 = divmod(y * 12 + (m - 1), 12)
    if not 1899 <= y <= 9999:
        return NUM
    first = _dt.date(y, m0 + 1, 1) if y >= 1900 else None
    if first is None:                              # December 1899 (DATE(0,0,d))
        serial_first = -30
    else:
        serial_first = (first - _dt.date(1899, 12, 31)).days + (1 if first >= _dt.date(1900, 3, 1) else 0)
    r = serial_first + d - 1
    return r if 0 <= r <= _MAX_SERIAL else NUM


def _ymd(serial: int):
    """Excel's (year, month, day) of a whole serial number: 0 is 1900-01-00, 60 the fictitious
    1900-02-29."""
    import datetime as _dt
    if serial == 0:
        return 1900, 1, 0
    if serial == 60:
        return 1900, 2, 29
    d = _dt.date(1899, 12, 31) + _dt.timedelta(days=serial - (1 if serial > 60 else 0))
    return d.year, d.month, d.day


def _months_from(name: str, start_date, months):
    """EDATE (``eomonth`` False) and EOMONTH: Excel's month arithmetic on its serial numbers, the
    start truncated to a day and the months to a whole number; the day kept (cut to the month's
    length; day 0 -- serial 0 -- stays the day before the 1st) or the month's last day.

    >>> _months_from("edate", 40558, 1), _months_from("edate", 40558, -1), _months_from("eomonth", 40544, -3)
    (40589, 40527, 40482)
    """
    import calendar
    if isinstance(start_date, bool) or isinstance(months, bool):
        return VALUE
    vals = []
    for v in (start_date, months):
        n = number(v)
        if n == VALUE and isinstance(v, str):
            n = scalar_number(v)
        if is_error(n):
            return n
        if not math.isfinite(n):
            return NUM
        vals.append(math.trunc(n))
    start, m = vals
    if not 0 <= start <= _MAX_SERIAL or abs(m) > 12 * 10000:
        return NUM
    y, mo, d = _ymd(start)
    y, mo0 = divmod(y * 12 + (mo - 1) + m, 12)
    mo = mo0 + 1
    if not 1900 <= y <= 9999:
        return NUM
    length = 29 if (y, mo) == (1900, 2) else calendar.monthrange(y, mo)[1]
    if name == "eomonth":
        d = length
    else:
        d = min(d, length)
    r = excel_date(y, mo, d)
    return r


def _base_function(name: str, existing=None):
    """The function the engine would call for ``name``: one already in the plug-in module (the
    corrections of :mod:`mbsxl.excel._excel_fixes`), pycel's own with its argument handling
    (``excel_helper``) applied, or the ``formulas`` adapter (:func:`mbsxl.excel._pycel_plugin._supplement`)."""
    import importlib
    import types
    if name == "date":
        return excel_date
    if name in ("edate", "eomonth"):
        return lambda start_date, months: _months_from(name, start_date, months)
    from pycel.excelformula import ExcelFormula
    from pycel.lib.function_helpers import apply_meta
    if callable(existing):          # a correction decorated with pycel's excel_helper gets its argument
        return apply_meta(existing, name_space={})[0]      # handling here, as pycel would apply it
    for m in ExcelFormula.default_modules:
        f = getattr(importlib.import_module(m), name, None)
        if callable(f):
            return apply_meta(f, name_space={})[0]
    import sys
    # the plug-in builder (mbsxl.excel._pycel_plugin) is loaded: it installs these functions; read
    # from sys.modules rather than imported, so that the two modules do not import each other
    plugin = sys.modules[__package__ + "._pycel_plugin"]
    tmp = types.ModuleType("mbsxl_fn_array_base")
    plugin._supplement(tmp, {name})
    f = getattr(tmp, name, None)
    if not callable(f):
        raise LookupError(name)
    return f


_in_array = in_array


_DATES = ("day", "month", "year", "weekday", "hour", "minute", "second")
_MAX_SERIAL = 2958465                  # 9999-12-31


def _element(name: str, base):
    """One element: date text read as Excel reads it, a serial past 9999-12-31 #NUM! (DAY ...), an
    element pycel cannot evaluate refused with the reason."""
    def one(*vals):
        if name == "substitute" and len(vals) == 4 and vals[3] is None:
            return VALUE                   # an empty cell as instance_num is 0, not "every one"
        if name in _DATES and vals:
            v = vals[0]
            if isinstance(v, str) and not is_error(v):
                n = scalar_number(v)
                if not is_error(n):
                    vals = (n,) + vals[1:]
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and v > _MAX_SERIAL:
                return NUM
        try:
            r = base(*vals)
            if isinstance(r, tuple) and name == "index":    # a whole row or column: its first cell
                r = grid(r)[0][0]                           # (formulas test.xlsx LOOKUP!AK53:AL53)
            return r
        except Exception as e:  # noqa: BLE001 - this element only
            from .errors import CalcError
            return CalcError(VALUE, f"formula engine: {name.upper()} of {vals[0]!r}: {type(e).__name__}")
    return one


def _wrapped(name: str, existing=None):
    cache: list = []

    def base(*args):
        if not cache:
            cache.append(_base_function(name, existing))
        return cache[0](*args)
    if name in ELEMENTWISE:
        pos = ELEMENTWISE[name]
        one = _element(name, base)

        def f(*args):
            sel = [i for i in range(len(args)) if pos is None or i in pos]
            if name == "index" and _in_array() and not any(is_multi(args[i]) for i in sel) \
                    and any(isinstance(args[i], tuple) for i in sel):
                # INDEX(array,{1}): an array of one position is still evaluated as an array, whose one
                # value fills the formula's range (formulas test.xlsx LOOKUP!AN54:AO54 are 2 and 2)
                full = [grid(a)[0][0] if (i in sel and isinstance(a, tuple)) else a for i, a in enumerate(args)]
                return ((one(*full),),)
            if _in_array() and any(is_multi(args[i]) for i in sel):
                def pick(*vals):
                    full = list(args)
                    for i, v in zip(sel, vals):
                        full[i] = v
                    return one(*full)
                return elementwise(pick, *[args[i] for i in sel])
            return base(*args)
    elif name in FIRST:
        def f(*args):
            if args and is_multi(args[0]):
                args = (grid(args[0])[0][0],) + args[1:]
            return base(*args)
    else:
        def f(*args):
            if any(is_multi(a) for a in args):
                if _in_array():
                    return VALUE
                from .errors import CalcError      # Excel intersects the range with the formula's row
                return CalcError(VALUE, f"unsupported: {name.upper()} of a range of several cells "
                                        "outside an array formula (implicit intersection)")
            return base(*args)
    f.__name__ = name
    return f


def install(mod) -> None:
    """Put the wrapped functions into the pycel plug-in module."""
    for name in (*ELEMENTWISE, *FIRST, *NOT_ELEMENTWISE):
        setattr(mod, name, _wrapped(name, getattr(mod, name, None)))
