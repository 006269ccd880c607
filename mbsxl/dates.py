"""Dates of mbsxl: one parser and one month arithmetic.

- :func:`as_date` accepts a ``datetime.date`` / ``datetime`` (time of day dropped), a
  ``numpy.datetime64`` or ISO text (``"2008-01-01"``, ``"2008-01-01T00:00"``); anything else is
  refused with ``"<name>=<value> is not a date; pass a date or an ISO text such as 2008-01-01"``.
  (Excel serial numbers are turned into dates by :mod:`mbsxl.excel.convert`, not here.)
- :func:`add_months` moves a date by whole months, keeping the day of the month or, when that
  month is shorter, taking its last day (2008-01-31 + 1 month = 2008-02-29); ``day`` puts the
  result on that day of the target month instead (clipped the same way).

>>> add_months(as_date("d", "2008-01-31"), 1), add_months(_dt.date(2007, 12, 14), 2, day=26)
(datetime.date(2008, 2, 29), datetime.date(2008, 2, 26))
"""
from __future__ import annotations

import calendar
import datetime as _dt

import numpy as np

from .errors import MbsxlInputError


def as_date(name: str, value, *, optional: bool = False) -> _dt.date | None:
    """``value`` as a ``datetime.date``; ``None`` passes through when ``optional``."""
    if value is None and optional:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, np.datetime64):
        import pandas as pd
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        s = value.strip()
        for parse in (_dt.date.fromisoformat, lambda t: _dt.datetime.fromisoformat(t).date(),
                      lambda t: _dt.date.fromisoformat(t[:10])):
            try:
                return parse(s)
            except ValueError:
                pass
    raise MbsxlInputError(f"{name}={value!r} is not a date; pass a date or an ISO text such as 2008-01-01")


def add_months(d: _dt.date, months: int, day: int | None = None) -> _dt.date:
    """``d`` moved by ``months`` (may be negative), on ``day`` (default ``d.day``), clipped to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return _dt.date(year, month, min(d.day if day is None else day, calendar.monthrange(year, month)[1]))
