"""Stratification tables (分布表) and the pool summary (资产池总体特征) of a loan tape.

Conventions
-----------
- **Buckets are closed on the right**: breakpoints ``b1 < b2 < ... < bk`` make the buckets
  ``(-inf, b1], (b1, b2], ..., (bk, +inf)``.  This matches the way Chinese pool tables state their
  buckets, e.g. "100万及以下" (at or below 1,000,000 yuan) is the bucket ``(-inf, 1000000]`` and a
  loan of exactly 1,000,000 falls in it; "0-2年" with seasoning in months is ``(-inf, 24]``.
- Shares are of the pool: % of count = bucket count / all loans, % of balance = bucket
  balance / pool balance.  Average balance = bucket balance / bucket count (blank, NaN, for
  an empty bucket).  The last row is the total.
- Weighted averages in :func:`pool_summary` are weighted by **current balance** (the usual
  convention of offering documents and trustee reports: WA rate, WA remaining term, WA seasoning,
  WA borrower age).
- Blank rows are allowed in :func:`strat`: a row whose balance is NaN (a blank cell below a pasted
  tape) is dropped when its value is blank too; a row with a balance but a blank value, or the
  reverse, is an error naming the row.  :func:`pool_summary` counts loans, so it refuses a NaN
  balance by position rather than drop it.  Totals that overflow a double are refused.

Example
-------
>>> import mbsxl
>>> t = mbsxl.strat([300_000, 1_000_000, 1_500_000], [250_000, 800_000, 1_200_000], [1_000_000],
...                 labels=["<=100万", ">100万"])
>>> t[[BUCKET, COUNT, BALANCE]].values.tolist()
[['<=100万', 2, 1050000.0], ['>100万', 1, 1200000.0], ['合计 Total', 3, 2250000.0]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.errors import MbsxlInputError

# table columns and pool-summary statistics (the Excel headers of MBS_STRAT / MBS_POOLSUMMARY; mbsxl.columns)
from mbsxl.columns import (AVERAGE_BALANCE, BALANCE, BALANCE_SHARE, BUCKET, COUNT, COUNT_SHARE, S_AVERAGE, S_AVERAGE_SHARE, S_BALANCE, S_LARGEST, S_LARGEST_SHARE, S_LOANS, S_ORIGINAL, S_ORIGINAL_AVERAGE, S_ORIGINAL_LARGEST, S_WA_AGE, S_WA_RATE, S_WA_REMAINING, S_WA_SEASONING, STRAT_COLUMNS, SUMMARY_COLUMNS, TOTAL)
from mbsxl.columns import POOL_STATISTIC as STATISTIC, POOL_VALUE as VALUE  # noqa: F401

# (statistic, which optional input it needs or None): the order of the rows
SUMMARY_ROWS = [
    (S_LOANS, None), (S_BALANCE, None), (S_AVERAGE, None), (S_AVERAGE_SHARE, None),
    (S_LARGEST, None), (S_LARGEST_SHARE, None),
    (S_ORIGINAL, "original_amounts"), (S_ORIGINAL_AVERAGE, "original_amounts"),
    (S_ORIGINAL_LARGEST, "original_amounts"),
    (S_WA_RATE, "rates"), (S_WA_REMAINING, "remaining_terms"), (S_WA_SEASONING, "seasoning"),
    (S_WA_AGE, "ages"),
]


def _column(name: str, value) -> np.ndarray:
    """A 1-D float column; NaN marks a blank cell; booleans are refused."""
    v.no_bool(name, value)
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise MbsxlInputError(f"{name} holds a value that is not a number") from None
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    a = np.atleast_1d(a)
    if a.ndim != 1:
        raise MbsxlInputError(f"{name} has shape {a.shape}; pass a single row or column")
    if np.isinf(a).any():
        i = int(np.argmax(np.isinf(a)))
        raise MbsxlInputError(f"{name}[{i}] is {a[i]}; pass finite numbers")
    return a


def _rows(balances, *, drop_blank: bool = True, **others):
    """Balances and the other columns with blank rows dropped; checks lengths and partial blanks.
    ``drop_blank=False``: a NaN balance is refused by position (nothing is dropped)."""
    bal = _column("balances", balances)
    if not drop_blank and np.isnan(bal).any():
        i = int(np.argmax(np.isnan(bal)))
        raise v.MbsxlInputError(f"balances[{i}] is NaN (an empty cell?); pass a number for every loan, or remove the "
                                f"row ({bal.size} rows, {int(np.isnan(bal).sum())} NaN)")
    cols = {}
    for name, x in others.items():
        if x is None:
            continue
        a = _column(name, x)
        if a.size != bal.size:
            raise MbsxlInputError(f"{name} has {a.size} values but balances has {bal.size}; pass one a loan")
        cols[name] = a
    blank = np.isnan(bal)
    for name, a in cols.items():
        bad = np.isnan(a) != blank
        if bad.any():
            i = int(np.argmax(bad))
            what = "is blank" if np.isnan(a[i]) else "has a value"
            where = "balances has one" if not blank[i] else "balances is blank"
            raise MbsxlInputError(f"{name}[{i}] {what} but {where}; fill or clear the whole row")
    keep = ~blank
    bal = bal[keep]
    if bal.size == 0:
        raise MbsxlInputError("balances is empty (every row blank); pass one balance a loan")
    if (bal < 0).any():
        i = int(np.flatnonzero(keep)[np.argmax(bal < 0)])
        raise MbsxlInputError(f"balances[{i}]={_column('balances', balances)[i]:g} is negative; balances are >= 0")
    cols = {k: a[keep] for k, a in cols.items()}
    for name, a in [("balances", bal)] + list(cols.items()):
        with np.errstate(over="ignore"):
            overflow = not np.isfinite(a.sum()) or not np.isfinite(np.dot(a, bal))
        if overflow:
            big = float(np.abs(a).max())
            raise v.MbsxlInputError(f"{name} holds values up to {big:g}: their totals overflow a double "
                                    f"(above 1.8e308); pass amounts in yuan (or 万元), not encoded values")
    return bal, cols


def strat(values, balances, breakpoints, labels=None) -> pd.DataFrame:
    """Stratification of a tape: one row a bucket of ``values`` (count, % of count, balance, % of
    balance, average balance) and a total row; columns :data:`STRAT_COLUMNS`.

    ``values``: the characteristic of each loan (contract amount, remaining term in months, seasoning,
    borrower age ...); ``balances``: current balance of each loan; ``breakpoints``: increasing upper
    bounds, buckets closed on the right (see the module docstring), k breakpoints make k + 1 buckets;
    ``labels``: k + 1 bucket names (default ``"<= b1"``, ``"b1 - b2"``, ..., ``"> bk"``).
    """
    if values is None:
        raise v.MbsxlInputError("values is empty; pass the characteristic bucketed, one a loan")
    bal, cols = _rows(balances, values=values)
    x = cols["values"]
    bp = v.array("breakpoints", breakpoints)
    if bp.size == 0:
        raise MbsxlInputError("breakpoints is empty; pass at least one upper bound")
    if bp.size > 1 and (np.diff(bp) <= 0).any():
        i = int(np.argmax(np.diff(bp) <= 0)) + 1
        raise MbsxlInputError(f"breakpoints[{i}]={bp[i]:g} is not above breakpoints[{i - 1}]={bp[i - 1]:g}; "
                         "pass strictly increasing upper bounds")
    k = bp.size
    if labels is None:
        g = lambda z: f"{z:,.0f}" if float(z).is_integer() else f"{z:,g}"  # noqa: E731
        labels = [f"<= {g(bp[0])}"] + [f"{g(bp[i - 1])} - {g(bp[i])}" for i in range(1, k)] + [f"> {g(bp[-1])}"]
    else:
        labels = [("" if s is None else str(s)) for s in np.asarray(labels, dtype=object).ravel()]
        if len(labels) != k + 1:
            raise MbsxlInputError(f"labels has {len(labels)} names but {k} breakpoints make {k + 1} buckets; "
                             f"pass {k + 1} labels")
    # (lo, hi]: index = number of breakpoints strictly below x
    idx = np.searchsorted(bp, x, side="left")
    counts = np.bincount(idx, minlength=k + 1).astype(np.int64)
    sums = np.bincount(idx, weights=bal, minlength=k + 1)
    n, total = int(bal.size), float(bal.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    df = pd.DataFrame({
        BUCKET: labels + [TOTAL],
        COUNT: np.append(counts, n),
        COUNT_SHARE: np.append(counts / n, 1.0),
        BALANCE: np.append(sums, total),
        BALANCE_SHARE: np.append(sums / total if total > 0 else np.full(k + 1, np.nan), 1.0 if total > 0 else np.nan),
        AVERAGE_BALANCE: np.append(avg, total / n),
    }, columns=STRAT_COLUMNS)
    return df


def pool_summary(balances, rates=None, remaining_terms=None, seasoning=None, ages=None,
                 original_amounts=None) -> pd.DataFrame:
    """Table 1, the overall characteristics of a pool, as two columns (:data:`SUMMARY_COLUMNS`).

    Rows (:data:`SUMMARY_ROWS`; a row whose input is omitted is left out): number of loans, total,
    average and largest current balance and the shares of the average and the largest in the total;
    with ``original_amounts`` their total, average and largest; balance-weighted averages of
    ``rates`` (annual decimals), ``remaining_terms`` and ``seasoning`` (months) and ``ages``
    (borrower age at origination, years).

    >>> t = pool_summary([100.0, 300.0], rates=[0.06, 0.07])
    >>> dict(zip(t[STATISTIC], t[VALUE]))[S_WA_RATE]
    0.0675
    """
    bal, cols = _rows(balances, drop_blank=False, rates=rates, remaining_terms=remaining_terms,
                      seasoning=seasoning, ages=ages, original_amounts=original_amounts)
    if "rates" in cols:
        cols["rates"] = v.array("rates", cols["rates"], lo=0.0, hi=1.0, percent_hint=True)
    for name in ("remaining_terms", "seasoning", "ages", "original_amounts"):
        if name in cols and (cols[name] < 0).any():
            i = int(np.argmax(cols[name] < 0))
            raise MbsxlInputError(f"{name}[{i}]={cols[name][i]:g} is negative; pass values >= 0")
    n = int(bal.size)
    total = float(bal.sum())
    largest = float(bal.max())
    stats = {
        S_LOANS: n, S_BALANCE: total, S_AVERAGE: total / n,
        S_AVERAGE_SHARE: (total / n) / total if total > 0 else np.nan,
        S_LARGEST: largest, S_LARGEST_SHARE: largest / total if total > 0 else np.nan,
    }
    if "original_amounts" in cols:
        o = cols["original_amounts"]
        stats.update({S_ORIGINAL: float(o.sum()), S_ORIGINAL_AVERAGE: float(o.sum()) / n,
                      S_ORIGINAL_LARGEST: float(o.max())})

    def wa(a):
        return float(np.dot(a, bal) / total) if total > 0 else np.nan

    for key, stat in (("rates", S_WA_RATE), ("remaining_terms", S_WA_REMAINING), ("seasoning", S_WA_SEASONING),
                      ("ages", S_WA_AGE)):
        if key in cols:
            stats[stat] = wa(cols[key])
    rows = [(s, stats[s]) for s, need in SUMMARY_ROWS if s in stats]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
