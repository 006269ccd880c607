"""Rate indices: the index value in force on a date.

Indices (:func:`mbsxl.options.rate_index`): the People's Bank of China benchmarks ``deposit_1y``,
``lending_1y``, ``lending_over_5y`` (``data/pboc_benchmark_rates.csv``, the PBoC's announcements,
2006-08 .. 2015-10; loaded by :func:`mbsxl.rates.floating.pboc_table`) and the loan prime rate
(贷款市场报价利率) ``lpr_1y`` and ``lpr_5y`` (``data/lpr.csv``, the National Interbank Funding Center's
monthly announcements; every fixing 2019-08-20 .. 2026-05-20 covered), or a user's own table of
dates and rates.  Each row is in force from its date until the day before the next row; the last row
stays in force (later fixings: append rows).  A date before an index's first row is refused.

A user table (``table_dates``, ``table_rates``) must have strictly increasing dates (an unsorted or
duplicated table is refused rather than sorted: a mis-sorted range in Excel is more likely a mistake
than an intent) and decimal rates in [0, 1].

>>> rate_index("2021-01-01")                     # LPR 5y in force on 1 January 2021
0.0465
>>> rate_index(["2019-12-31", "2024-10-21"], "五年期以上LPR").tolist()
[0.048, 0.036]
>>> rate_index("2009-01-01", "lending_over_5y")
0.0594
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from mbsxl import options as _opt
from mbsxl.dates import as_date as _as_date
from mbsxl.errors import MbsxlInputError

INDICES = _opt.RATE_INDICES


def lpr_table():
    """``data/lpr.csv`` as read (the one loader): ``effective_date`` (datetime64), ``lpr_1y`` and ``lpr_5y``
    (decimals), one row a fixing that changed a rate, oldest first."""
    import pandas as pd
    with resources.files("mbsxl.data").joinpath("lpr.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, parse_dates=["effective_date"])


@lru_cache(maxsize=None)
def _shipped(index: str) -> tuple[np.ndarray, np.ndarray]:
    if index in _opt.SERIES:
        from mbsxl.rates.floating import pboc_table
        df = pboc_table()
    else:
        df = lpr_table()
    d = df["effective_date"].to_numpy().astype("datetime64[D]")
    r = df[index].to_numpy(dtype=float)
    d.flags.writeable = False
    r.flags.writeable = False
    return d, r


def first_date(index):
    """The date of the first row of a shipped index (dates before it are refused)."""
    return _shipped(_opt.rate_index(index))[0][0].item()


def _user_table(table_dates, table_rates) -> tuple[np.ndarray, np.ndarray]:
    if table_dates is None or table_rates is None:
        missing = "table_rates" if table_rates is None else "table_dates"
        raise MbsxlInputError(f"{missing} is missing; pass both table_dates and table_rates (same length) "
                              "or neither")
    ds = [table_dates] if isinstance(table_dates, str) or np.ndim(table_dates) == 0 else list(np.ravel(table_dates))
    rs = [table_rates] if isinstance(table_rates, str) or np.ndim(table_rates) == 0 else list(np.ravel(table_rates))
    if len(ds) != len(rs):
        raise MbsxlInputError(f"table_dates has {len(ds)} values and table_rates {len(rs)}; pass one rate a date")
    if not ds:
        raise MbsxlInputError("table_dates is empty; pass at least one (date, rate) row")
    d = np.array([np.datetime64(_as_date(f"table_dates[{i + 1}]", x), "D") for i, x in enumerate(ds)])
    rates = np.empty(len(rs))
    for i, x in enumerate(rs):
        x = x.item() if isinstance(x, np.generic) else x
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)) \
                or not np.isfinite(x) or not 0 <= x <= 1:
            raise MbsxlInputError(f"table_rates[{i + 1}]={x!r} is not a decimal rate in [0, 1] (0.0465 for 4.65%)")
        rates[i] = float(x)
    bad = np.flatnonzero(np.diff(d.astype("int64")) <= 0)
    if bad.size:
        i = int(bad[0])
        raise MbsxlInputError(f"table_dates[{i + 2}]={d[i + 1]} is not after table_dates[{i + 1}]={d[i]}; "
                              "table_dates must be strictly increasing (sort the table, oldest first)")
    return d, rates


def rate_index(dates, index=None, table_dates=None, table_rates=None):
    """The index value in force on each of ``dates`` (annual decimals).

    ``dates``: one date (a float back) or an array-like of dates (an array of the same shape back;
    ``None`` entries, blank cells, give NaN).
    ``index``: a name of :data:`INDICES` (Chinese spellings too, :func:`mbsxl.options.rate_index`);
    default ``lpr_5y``, or the user table when ``table_dates`` / ``table_rates`` are given (then
    ``index`` must be left empty).
    """
    if table_dates is not None or table_rates is not None:
        if index is not None and not (isinstance(index, str) and index.strip() == ""):
            raise MbsxlInputError(f"index={index!r} and a user table (table_dates, table_rates) were both given; "
                                  "leave index empty to use the table, or drop the table")
        d, r, label = *_user_table(table_dates, table_rates), "table_dates"
    else:
        name = "lpr_5y" if index is None else _opt.rate_index(index)
        d, r = _shipped(name)
        label = f"index {name}"
    scalar = isinstance(dates, str) or np.ndim(dates) == 0
    flat = [dates] if scalar else list(np.ravel(np.asarray(dates, dtype=object)))
    if not flat:
        raise MbsxlInputError("dates is empty; pass a date or a range of dates")
    x = np.array([np.datetime64("NaT") if v is None else
                  np.datetime64(_as_date("dates" if scalar else f"dates[{i + 1}]", v), "D")
                  for i, v in enumerate(flat)], dtype="datetime64[D]")
    blank = np.isnat(x)
    pos = np.searchsorted(d, x, side="right") - 1
    early = (pos < 0) & ~blank
    if early.any():
        i = int(np.flatnonzero(early)[0])
        where = "dates" if scalar else f"dates[{i + 1}]"
        raise MbsxlInputError(f"{where}={x[i]} is before the first row of {label} ({d[0]}); "
                              f"pass a date on or after {d[0]}")
    out = np.where(blank, np.nan, r[np.clip(pos, 0, None)])
    if scalar:
        return float(out[0])
    return out.reshape(np.shape(np.asarray(dates, dtype=object)))
