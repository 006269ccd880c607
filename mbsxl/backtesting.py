"""Back-test: a projection with given CPR/CDR vectors against the realised trustee-report history.

The projection starts at ``balance`` (default: the first period's realised beginning balance) and runs
the history's own conventions (:mod:`mbsxl.performance`) forward, month by month ``m``::

    defaults_m  = MDR_m x beginning_m                      MDR = 1 - (1 - CDR)^(1/12)
    scheduled_m = ratio_m x beginning_m
    prepayment_m = SMM_m x (beginning_m - scheduled_m)     SMM = 1 - (1 - CPR)^(1/12)
    ending_m    = beginning_m - scheduled_m - prepayment_m - defaults_m   (defaults capped at what is left)

so that projecting with the realised CPRs and CDRs (``mbsxl.history``) gives the realised amounts back
exactly.  ``ratio_m`` is the scheduled-principal share of the balance:

- without ``wac``/``wam``: the realised ``scheduled / beginning`` of each period (the back-test then
  isolates the prepayment and default assumptions);
- with ``wac`` and ``wam``: the pool's own amortisation as one representative level-payment loan,
  ``scheduled / beginning`` of :func:`mbsxl.cashflows` (``balance`` 1, no prepayment or default; the
  share does not depend on prepayments for a level-payment loan).

``lead`` months (default 0) are projected before the first history period, e.g. from the cut-off
(``balance`` the cut-off balance, ``wac``/``wam`` required since no realised schedule exists for them);
``cpr``/``cdr`` run by projection month from the start (a number, or a vector whose last value holds;
at most ``lead`` + periods values).  Projected CPR is computed from the projected amounts as the
realised CPR is from the report's (``prepayment / (beginning - scheduled)``), so the two are
comparable; differences are projected minus realised.

>>> h = {"Period": [1, 2], "Beginning balance": [1000.0, 900.0], "Scheduled principal": [20.0, 18.0],
...      "Prepayment": [80.0, 44.1], "Ending balance": [900.0, 837.9]}
>>> bt = backtest(h, 0.0)                       # no prepayment: 980 = 1000 - 20; 960.4 = 980 x (1 - 18/900)
>>> [round(x, 2) for x in bt["余额差异 Balance difference"]]
[80.0, 122.5]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validate as v
from . import columns as C
from .conventions import annual_to_monthly, monthly_to_annual
from .errors import MbsxlInputError
from .performance import history as _measures
from .report_table import DEFAULT_TOLERANCE, read_history


def _path(name: str, value, months: int) -> np.ndarray:
    """A rate or a per-month vector (last value held) as ``months`` values."""
    if value is None:
        return np.zeros(months)
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        a = v.array(name, value, lo=0.0, hi=1.0, percent_hint=True)
        if a.size == 0:
            raise MbsxlInputError(f"{name} is empty; pass a rate or one rate a month")
        if a.size > months:
            raise MbsxlInputError(f"{name} has {a.size} values, more than the {months} months of the back-test "
                                  "(lead + history periods); pass at most one a month")
        return np.concatenate([a, np.full(months - a.size, a[-1])])
    return np.full(months, v.fraction(name, value))


def _ratios(t: pd.DataFrame, wac, wam, lead: int, months: int) -> np.ndarray:
    if wac is None and wam is None:
        if lead:
            raise MbsxlInputError(f"lead={lead} months need the pool's wac and wam (there is no realised schedule "
                                  "before the first history period); pass both, or lead 0")
        beg = t[C.TRUSTEE_BEGINNING].to_numpy()
        return np.where(beg > 0, t[C.TRUSTEE_SCHEDULED].to_numpy() / np.where(beg > 0, beg, 1.0), 0.0)
    if wac is None or wam is None:
        raise MbsxlInputError(f"{'wam' if wam is None else 'wac'} is missing; pass both wac and wam (the pool's "
                              "amortisation) or neither (the realised scheduled principal)")
    from .projection import cashflows
    n = v.months("wam", wam)
    if n < months:
        raise MbsxlInputError(f"wam={n} is shorter than the back-test ({months} months: lead + history periods); "
                              "the pool would be paid off before the history ends")
    cf = cashflows(1.0, wac, n)
    return (cf[C.SCHEDULED_PRINCIPAL] / cf[C.BEGINNING_BALANCE]).to_numpy()[:months]


def backtest(history, cpr, cdr=None, wac=None, wam=None, balance=None, lead=0,
             tolerance=DEFAULT_TOLERANCE) -> pd.DataFrame:
    """Projected against realised, one row a history period (columns :data:`mbsxl.columns.BACKTEST_COLUMNS`).

    ``history``: the trustee-report table (:mod:`mbsxl.report_table`); ``cpr``, ``cdr``: annual
    decimals, a number or one a month (``cdr`` default 0); ``wac``, ``wam``: the pool's amortisation
    (default the realised schedule); ``balance``: the projection's starting balance (default the first
    beginning balance; required with ``lead``); ``lead``: months projected before the first period.
    Conventions in the module docstring.
    """
    t = read_history(history, "history", tolerance)
    n = len(t)
    lead_ = v.whole("lead", lead, lo=0, hi=v.MAX_MONTHS, why=" months")
    months = lead_ + n
    if balance is None:
        if lead_:
            raise MbsxlInputError(f"balance is missing; with lead={lead_} pass the balance the projection starts "
                                  "from (e.g. the cut-off balance)")
        b = float(t[C.TRUSTEE_BEGINNING].iloc[0])
    else:
        b = v.number("balance", balance, lo=0.0, accepted="pass a balance >= 0")
    smm = annual_to_monthly(_path("cpr", cpr, months))
    mdr = annual_to_monthly(_path("cdr", cdr, months))
    ratio = _ratios(t, wac, wam, lead_, months)
    rows = np.zeros((months, 5))
    for m in range(months):
        s = ratio[m] * b
        p = smm[m] * (b - s)
        d = min(mdr[m] * b, b - s - p)
        e = b - s - p - d
        rows[m] = (b, s, p, d, e)
        b = e
    proj = rows[lead_:]
    real = _measures(t, tolerance=tolerance)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = proj[:, 0] - proj[:, 1]
        proj_cpr = np.where(base > 0, monthly_to_annual(proj[:, 2] / np.where(base > 0, base, 1.0)), np.nan)
    real_cpr = real[C.H_CPR].to_numpy()
    rp, rd = t[C.TRUSTEE_PREPAYMENT].to_numpy(), t[C.TRUSTEE_DEFAULTS].to_numpy()
    re_ = t[C.TRUSTEE_ENDING].to_numpy()
    return pd.DataFrame({
        C.TRUSTEE_PERIOD: t[C.TRUSTEE_PERIOD].tolist(),
        C.B_BEGINNING_PROJ: proj[:, 0], C.B_BEGINNING_REAL: t[C.TRUSTEE_BEGINNING].to_numpy(),
        C.B_SCHEDULED_PROJ: proj[:, 1], C.B_SCHEDULED_REAL: t[C.TRUSTEE_SCHEDULED].to_numpy(),
        C.B_PREPAYMENT_PROJ: proj[:, 2], C.B_PREPAYMENT_REAL: rp, C.B_PREPAYMENT_DIFF: proj[:, 2] - rp,
        C.B_DEFAULTS_PROJ: proj[:, 3], C.B_DEFAULTS_REAL: rd,
        C.B_ENDING_PROJ: proj[:, 4], C.B_ENDING_REAL: re_, C.B_BALANCE_DIFF: proj[:, 4] - re_,
        C.B_CPR_PROJ: proj_cpr, C.B_CPR_REAL: real_cpr, C.B_CPR_DIFF: proj_cpr - real_cpr,
    }, columns=C.BACKTEST_COLUMNS)
