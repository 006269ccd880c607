"""Actual against expected recoveries of a non-performing pool, from its trustee reports (受托机构报告).

:func:`recovery_track` reads a trustee-report history of recoveries -- the layout of ``MBS_HISTORY``
(:mod:`mbsxl.surveillance.report_table`: a 收款期间 Collection period column, one row a period, oldest first) with the
recovery columns of an NPL report: 回收金额 Recoveries (the period's collections) or 累计回收金额
Cumulative recoveries (differenced; it must not fall).  Balance columns, if any, are ignored: an NPL pool
does not amortise, so the roll check of ``MBS_HISTORY`` does not apply.

Per period ``t`` (``A`` actual, ``E`` expected, the expected path e.g. the gross proceeds of
:func:`mbsxl.recoveries` at the report frequency):

- actual / expected ``A_t / E_t`` and cumulative ``sum A / sum E`` (blank where the divisor is 0);
- cumulative recovery rate (累计回收率) ``= sum A_1..t / claim``, the claim at cut-off (principal,
  interest and fees), actual and expected;
- a re-projection from today's position (after the last report, period ``n``): actual up to ``n``, then
  by ``method`` (:func:`mbsxl.options.reprojection`):
  ``ratio`` ``E_t x (sum A_1..n / sum E_1..n)`` (the pool goes on as it has done so far; when nothing was
  expected yet, the expected path), ``catch_up`` ``E_t x (E_total - sum A_1..n) / (E_total - sum E_1..n)``
  (the total expected is still collected; nothing more if already collected), ``as_expected`` ``E_t``.

Example (hand-worked in ``tests/test_recovery_tracking.py``): claim 1,000, expected 100, 100, 100, 100,
two reports of 80 and 70: A/E 0.8, 0.7, cumulative 0.75; ratio re-projects 75, 75; catch-up spreads
400 - 150 = 250 over the two remaining periods: 125, 125.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl import options as O
from mbsxl.surveillance import report_table as rt
from mbsxl.errors import MbsxlInputError

_LOOKUP = {s: C.TRUSTEE_PERIOD for s in rt._spellings(C.TRUSTEE_PERIOD)}
_LOOKUP.update({"period": C.TRUSTEE_PERIOD, "期次": C.TRUSTEE_PERIOD})
_LOOKUP.update({s: C.TRUSTEE_RECOVERIES for s in rt._spellings(C.TRUSTEE_RECOVERIES)})
_LOOKUP.update({s: C.NPL_CUM_GROSS for s in rt._spellings(C.NPL_CUM_GROSS)})


def read_recovery_history(history, name: str = "history") -> tuple[list, np.ndarray]:
    """(period labels, recoveries of each period) from a trustee-report table (DataFrame or dict)."""
    df = rt._frame(history, name)
    cols: dict[str, int] = {}
    for j, h in enumerate(df.columns):
        label = _LOOKUP.get(rt._key(h)) if isinstance(h, str) else None
        if label is None:
            continue
        if label in cols:
            raise MbsxlInputError(f"{name} has two columns for {label!r}: {df.columns[cols[label]]!r} and {h!r}; keep one")
        cols[label] = j
    if C.TRUSTEE_PERIOD not in cols:
        raise MbsxlInputError(f"{name} has no column {C.TRUSTEE_PERIOD!r} (or Period / 期次); found {list(df.columns)}")
    if C.TRUSTEE_RECOVERIES in cols and C.NPL_CUM_GROSS in cols:
        raise MbsxlInputError(f"{name} has both {C.TRUSTEE_RECOVERIES!r} and {C.NPL_CUM_GROSS!r}; keep one")
    if C.TRUSTEE_RECOVERIES not in cols and C.NPL_CUM_GROSS not in cols:
        raise MbsxlInputError(f"{name} has no recovery column: name {C.TRUSTEE_RECOVERIES!r} (the period's "
                              f"recoveries) or {C.NPL_CUM_GROSS!r} (cumulative); found {list(df.columns)}")
    n = len(df)
    if n == 0:
        raise MbsxlInputError(f"{name} has no rows; pass one row a period")
    if n > rt.MAX_PERIODS:
        raise MbsxlInputError(f"{name} has {n:,} periods, above the cap of {rt.MAX_PERIODS}")
    periods = df.iloc[:, cols[C.TRUSTEE_PERIOD]].tolist()
    rt._check_periods(periods, name)
    label = C.TRUSTEE_RECOVERIES if C.TRUSTEE_RECOVERIES in cols else C.NPL_CUM_GROSS
    a = rt._amounts(label, df.iloc[:, cols[label]].tolist(), name)
    if a is None:
        raise MbsxlInputError(f"{name} column {label!r} is empty; it is required")
    if label == C.NPL_CUM_GROSS:
        falls = np.flatnonzero(np.diff(a) < 0)
        if falls.size:
            i = int(falls[0]) + 1
            raise MbsxlInputError(f"{name} column {label!r} falls at row {i + 1} (period {periods[i]!r}): "
                                  f"{a[i]:,.2f} after {a[i - 1]:,.2f}; cumulative recoveries never fall")
        a = np.diff(np.concatenate([[0.0], a]))
    return periods, a


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def recovery_track(history, expected, claim, method="ratio") -> pd.DataFrame:
    """Actual against expected recoveries and the re-projection of the rest (columns
    :data:`mbsxl.columns.NPL_TRACK_COLUMNS`; conventions in the module docstring).

    ``history``: the trustee-report table (DataFrame or dict; period and recovery columns).  ``expected``:
    the expected recoveries by period from cut-off, same frequency as the reports (a column, >= 0; at
    least as many periods as reported -- shorter is refused).  ``claim``: the claim at cut-off (> 0).
    ``method``: ``ratio`` (default), ``catch_up`` or ``as_expected``.  One row a period of the longer of
    the two; the history's period labels in 收款期间 for the reported periods.

    >>> t = recovery_track({"Period": [1, 2], "Recoveries": [80.0, 70.0]}, [100.0] * 4, 1000.0, "catch_up")
    >>> t["重估回收 Re-projected recoveries"].tolist()
    [80.0, 70.0, 125.0, 125.0]
    """
    periods, actual = read_recovery_history(history)
    e = v.array("expected", expected, lo=0.0)
    total = v.number("claim", claim, lo=0.0, lo_open=True, accepted="pass the claim at cut-off (> 0)")
    how = O.reprojection(method)
    n = actual.size
    if e.size < n:
        raise MbsxlInputError(f"expected has {e.size} periods and history {n}; pass the expected recoveries of every "
                              "reported period (and after)")
    N = e.size
    a = np.concatenate([actual, np.full(N - n, np.nan)])
    ca, ce = np.cumsum(actual), np.cumsum(e)
    cum_a = np.concatenate([ca, np.full(N - n, np.nan)])
    A_n, E_n, E_tot = ca[-1], ce[n - 1], ce[-1]
    rest = e[n:]
    if how == "ratio":
        proj = rest * (A_n / E_n) if E_n > 0 else rest.copy()
    elif how == "catch_up":
        left = E_tot - E_n
        proj = rest * (max(E_tot - A_n, 0.0) / left) if left > 0 else np.zeros_like(rest)
    else:
        proj = rest.copy()
    re = np.concatenate([actual, proj])
    labels = list(periods) + [None] * (N - n)
    return pd.DataFrame({C.NPL_PERIOD: np.arange(1, N + 1), C.TRUSTEE_PERIOD: labels, C.NPL_ACTUAL: a,
                         C.NPL_EXPECTED: e, C.NPL_AE: _ratio(a, e), C.NPL_CUM_ACTUAL: cum_a, C.NPL_CUM_EXPECTED: ce,
                         C.NPL_CUM_AE: _ratio(cum_a, ce), C.NPL_CUM_RATE_ACTUAL: cum_a / total,
                         C.NPL_CUM_RATE_EXPECTED: ce / total, C.NPL_REPROJECTED: re,
                         C.NPL_CUM_RATE_REPROJECTED: np.cumsum(re) / total}, columns=C.NPL_TRACK_COLUMNS)
