"""Benchmark rate paths and the Chinese mortgage repricing rule.

People's Bank of China benchmark rates (``data/pboc_benchmark_rates.csv``): each row is the rate in
force from its effective date until the next row; decimals.  Floating-rate mortgages of the
Jianyuan era reprice once a year: from 1 January the loan rate is the benchmark in force on that
day times the loan's multiplier (e.g. 0.85) plus its margin; during the calendar year in which a
projection starts, the loan keeps its current rate.

Example
-------
>>> br = benchmark_rates()
>>> rate_on(br, "2009-01-01")                 # over-5-year lending rate in force on 1 Jan 2009
0.0594
>>> [round(float(x), 4) for x in reset_path(br, "2008-11-01", 4)]   # Nov, Dec 2008 keep the loan rate
[nan, nan, 0.0594, 0.0594]
"""
from __future__ import annotations

import datetime as _dt
from importlib import resources

import numpy as np
import pandas as pd

from mbsxl import options as _opt
from mbsxl.dates import as_date as _as_date
from mbsxl.errors import MbsxlInputError

SERIES = _opt.SERIES


def benchmark_rates(series: str = "lending_over_5y") -> pd.DataFrame:
    """The PBoC benchmark table as (date, rate) rows for one series.

    ``series``: ``deposit_1y`` (Jianyuan senior coupons' index), ``lending_1y`` or
    ``lending_over_5y`` (the mortgage benchmark, default).
    """
    series = _opt.series(series)
    df = pboc_table()
    return pd.DataFrame({"date": df["effective_date"].dt.date, "rate": df[series].astype(float)})


def pboc_table() -> pd.DataFrame:
    """``data/pboc_benchmark_rates.csv`` as read (the one loader): ``effective_date`` (datetime64) and one
    column of decimal rates a series (:data:`SERIES`), one row a change, oldest first."""
    with resources.files("mbsxl.data").joinpath("pboc_benchmark_rates.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, parse_dates=["effective_date"])


def _table(benchmark) -> tuple[np.ndarray, np.ndarray]:
    accepted = ("pass (date, rate) rows: a two-column table of effective dates and decimal rates, "
                "e.g. benchmark_rates()")
    if isinstance(benchmark, pd.DataFrame):
        if benchmark.shape[1] < 2:
            raise MbsxlInputError(f"benchmark has {benchmark.shape[1]} column; {accepted}")
        dates, rates = benchmark.iloc[:, 0].tolist(), benchmark.iloc[:, 1].tolist()
    else:
        if isinstance(benchmark, (str, bytes)) or np.ndim(benchmark) == 0:
            raise MbsxlInputError(f"benchmark={benchmark!r} is not a table; {accepted}")
        pairs = list(benchmark)
        for i, p in enumerate(pairs):
            if isinstance(p, (str, bytes)) or np.ndim(p) != 1 or len(p) != 2:
                raise MbsxlInputError(f"benchmark row {i + 1} is {p!r}, not a (date, rate) pair; {accepted}")
        dates, rates = [p[0] for p in pairs], [p[1] for p in pairs]
    for i, x in enumerate(rates):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
            raise MbsxlInputError(f"benchmark row {i + 1} rate={x!r} is not a number; {accepted}")
    rates = np.asarray(rates, dtype=float)
    d = np.array([np.datetime64(_as_date("benchmark date", x), "D") for x in dates])
    if d.size == 0:
        raise MbsxlInputError("benchmark is empty; pass (date, rate) rows")
    if (np.diff(d.astype("int64")) <= 0).any():
        raise MbsxlInputError("benchmark dates must be strictly increasing")
    if (~np.isfinite(rates)).any() or (rates < 0).any() or (rates > 1).any():
        raise MbsxlInputError("benchmark rates must be decimals in [0, 1] (0.0783 for 7.83%)")
    return d, rates


def rate_on(benchmark, date) -> float:
    """The benchmark rate in force on ``date`` (the last row effective on or before it)."""
    d, r = _table(benchmark)
    x = np.datetime64(_as_date("date", date), "D")
    i = int(np.searchsorted(d, x, side="right")) - 1
    if i < 0:
        raise MbsxlInputError(f"date={_as_date('date', date)} is before the first benchmark row ({d[0]})")
    return float(r[i])


def reset_path(benchmark, start_date, months: int) -> np.ndarray:
    """Per projection month, the benchmark a floating loan reprices to, or NaN while the loan keeps
    its current rate (the months of the starting calendar year).  Month 1 is the month of
    ``start_date``; month t of calendar year Y > start year uses the benchmark in force on 1 Jan Y.
    """
    from mbsxl import _validate as v
    months = v.whole("months", months, lo=0)
    d, r = _table(benchmark)
    start = _as_date("start_date", start_date)
    out = np.full(int(months), np.nan)
    for t in range(int(months)):
        y = start.year + (start.month - 1 + t) // 12
        if y == start.year:
            continue
        i = int(np.searchsorted(d, np.datetime64(_dt.date(y, 1, 1), "D"), side="right")) - 1
        if i < 0:
            raise MbsxlInputError(f"the benchmark starts after 1 January {y}; add the rate in force then")
        out[t] = r[i]
    return out


def loan_rate_path(rate, benchmark, start_date, months: int, multiplier=None, margin=0.0) -> np.ndarray:
    """A loan's annual rate by projection month under the 1 January repricing rule."""
    from mbsxl import _validate as v
    r = v.rate("rate", rate)
    n = v.months("months", months)
    m = 0.0 if multiplier is None else v.number("multiplier", multiplier, lo=0.0, hi=3.0)
    g = v.spread("margin", margin)
    bench = reset_path(benchmark, start_date, n)
    return np.where(np.isnan(bench), r, bench * m + g)
