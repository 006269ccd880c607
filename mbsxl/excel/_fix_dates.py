"""Date functions where pycel's answer differed from Excel's cached one (issue 21, s6-silent); each follows
Microsoft's function reference (support.microsoft.com, "<NAME> function") and the cells cited.

- ``DATE(year, month, day)`` counts in Excel's calendar, where February 1900 has 29 days: months and days
  beyond their range carry into the next unit (``DATE(1,0,0)`` is 30 Nov 1900 = 335, formulas test.xlsx
  DATE & TIME!V3; pycel gave 336);
- ``DATEVALUE`` and ``TIMEVALUE`` are evaluated element by element inside an array formula (formulas
  test.xlsx DATE & TIME!AH5:AW5 ``{=DATEVALUE(C5:Q5)}``, AH20:AW20); ``TIMEVALUE`` of a date with a time
  (``"1/1/1987 05:00 AM"``) is the time's fraction (0.208333...), of a date alone 0;
- ``VALUE``, ``ISEVEN`` and ``ISODD`` read a date or time written as text as Excel does
  (``VALUE("1987-08-26")`` is 32015, TEXT!X53; ``ISODD("1/1/1900")`` is TRUE, INFORMATION!X15).  Only the
  plain forms ``y-m-d``, ``m/d/y`` (with an optional ``h:mm[:ss] [AM|PM]``) and a time alone are read
  this way; other text stays #VALUE! as before.

>>> date(1, 0, 0), date(1900, 2, 29), date(1900, 3, 1), date(2024, 14, 1)
(335, 60, 61, 45689)
>>> timevalue("1/1/1987 05:00 AM"), value("1987-08-26"), isodd("1/1/1900")
(0.20833333333333334, 32015, True)
"""
from __future__ import annotations

import datetime as dt
import math
import re

from pycel.excelutil import ERROR_CODES, NUM_ERROR, VALUE_ERROR
from pycel.lib.function_helpers import excel_helper

_EPOCH = dt.date(1899, 12, 31)
_MAR_1900 = dt.date(1900, 3, 1)
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?"
_DATE_TEXT = re.compile(rf"^\s*(\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})(?:\s+({_TIME}))?\s*$")
_TIME_TEXT = re.compile(rf"^\s*({_TIME})\s*$")


def _serial_month(year: int, month: int) -> int:
    """Excel's serial number of the day before the 1st of ``month`` (1..12) of ``year``."""
    d = dt.date(year, month, 1)
    return (d - _EPOCH).days - 1 + (1 if d >= _MAR_1900 else 0)


@excel_helper(number_params=-1)
def date(year, month_, day):
    year, month_, day = math.trunc(year), math.trunc(month_), math.trunc(day)
    if not 0 <= year <= 9999:
        return NUM_ERROR
    if year < 1900:
        year += 1900
    year += (month_ - 1) // 12
    month_ = (month_ - 1) % 12 + 1
    if not 1900 <= year <= 9999:
        return NUM_ERROR
    serial = _serial_month(year, month_) + day
    if serial < 0 or serial > 2958465:
        return NUM_ERROR
    return serial


def _text_serial(text: str):
    """Serial number of a date and/or time written as text (plain forms only), or None."""
    from pycel.lib.date_time import datevalue as pycel_datevalue, timevalue as pycel_timevalue
    m = _DATE_TEXT.match(text)
    if m:
        d = pycel_datevalue(m.group(1))
        if isinstance(d, str):
            return None
        t = pycel_timevalue(m.group(2)) if m.group(2) else 0
        return None if isinstance(t, str) else d + t
    m = _TIME_TEXT.match(text)
    if m:
        t = pycel_timevalue(m.group(1))
        return None if isinstance(t, str) else t
    return None


@excel_helper(cse_params=0, err_str_params=0)
def datevalue(date_text):
    from pycel.lib.date_time import datevalue as pycel_datevalue
    if not isinstance(date_text, str):
        return VALUE_ERROR
    return pycel_datevalue(date_text)


@excel_helper(cse_params=0, err_str_params=0)
def timevalue(time_text):
    from pycel.lib.date_time import timevalue as pycel_timevalue
    if not isinstance(time_text, str):
        return VALUE_ERROR
    m = _DATE_TEXT.match(time_text)
    if m:
        return pycel_timevalue(m.group(2)) if m.group(2) else 0
    return pycel_timevalue(time_text)


@excel_helper(cse_params=0)
def value(text):
    from pycel.lib.text import value as pycel_value
    r = pycel_value.__wrapped__(text) if hasattr(pycel_value, "__wrapped__") else pycel_value(text)
    if r == VALUE_ERROR and isinstance(text, str) and text not in ERROR_CODES:
        s = _text_serial(text)
        if s is not None:
            return s
    return r


def _parity(number):
    from ._excel_fixes import _number
    if isinstance(number, str) and number not in ERROR_CODES:
        try:
            float(number.strip())
        except ValueError:
            s = _text_serial(number)
            if s is not None:
                number = s
    n = _number(number)
    if isinstance(n, str):
        return n
    return math.trunc(n) % 2


def iseven(number):
    p = _parity(number)
    return p if isinstance(p, str) else p == 0


def isodd(number):
    p = _parity(number)
    return p if isinstance(p, str) else p == 1


@excel_helper(cse_params=-1, err_str_params=2, number_params=None)
def yearfrac(start_date, end_date, basis=0):
    """pycel's YEARFRAC, except: a logical date (from a cell) is #VALUE! (formulas test.xlsx DATE & TIME!Y27),
    dates are whole days and a basis given as numeric text is read (T27: ``YEARFRAC(2.9,345,"3")`` is 343/365), and in the
    actual/actual average of year lengths over several years 1900 counts 365 days (R27:
    ``YEARFRAC(1987,345,1)`` is 1642 / (2191/6) = 4.496577, not 1642 / (2192/6))."""
    from pycel.lib.date_time import yearfrac as pycel_yearfrac, date_from_int
    if isinstance(start_date, bool) or isinstance(end_date, bool):
        return VALUE_ERROR
    if isinstance(basis, str) and basis not in ERROR_CODES:
        try:
            basis = float(basis.strip())
        except ValueError:
            return VALUE_ERROR
    start_date, end_date = (math.trunc(x) if isinstance(x, float) and math.isfinite(x) else x
                            for x in (start_date, end_date))          # Excel reads whole days
    r = pycel_yearfrac(start_date, end_date, basis)
    try:
        b = 0 if basis is None else int(basis)
        lo, hi = sorted((start_date, end_date))
        y1, y2 = date_from_int(lo)[0], date_from_int(hi)[0]
    except (TypeError, ValueError, OverflowError):
        return r
    if b == 1 and y1 == 1900 and isinstance(r, float) and (dt.date(*date_from_int(hi)) - dt.date(*date_from_int(lo))).days > 365:
        years = range(y1, y2 + 1)
        lengths = sum(366 if (y % 4 == 0 and y % 100 != 0 or y % 400 == 0) else 365 for y in years)
        return (dt.date(*date_from_int(hi)) - dt.date(*date_from_int(lo))).days / (lengths / len(years))
    return r


FIXES = {"yearfrac": yearfrac, "date": date, "datevalue": datevalue, "timevalue": timevalue, "value": value,
         "iseven": iseven, "isodd": isodd}
