"""Back-test: a projection with given CPR/CDR vectors against the realised trustee-report history.

The projection starts at ``balance`` (default: the first period's realised beginning balance) and runs
the history's own conventions (:mod:`mbsxl.surveillance.performance`) forward, month by month ``m``::

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

``convention`` (issue 18; :func:`mbsxl.options.prepay_convention`) changes both sides alike: SMM type 1
projects ``prepayment_m = SMM_m x beginning_m`` (capped at ``beginning_m - scheduled_m``) and measures the
CPRs as prepayment / beginning; the ``days`` annualisation turns each CPR into the period's rate by
``SMM_m = 1 - (1 - CPR_m)^(days_m/365)`` (and ``MDR`` likewise), ``days_m`` the days between the history's
report dates (:func:`mbsxl.surveillance.history_conventions.period_days`; no lead months then, their days being
unknown).  The default (type 2, monthly) is the form above.

>>> h = {"Period": [1, 2], "Beginning balance": [1000.0, 900.0], "Scheduled principal": [20.0, 18.0],
...      "Prepayment": [80.0, 44.1], "Ending balance": [900.0, 837.9]}
>>> bt = backtest(h, 0.0)                       # no prepayment: 980 = 1000 - 20; 960.4 = 980 x (1 - 18/900)
>>> [round(x, 2) for x in bt["余额差异 Balance difference"]]
[80.0, 122.5]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.surveillance import history_conventions as hc
from mbsxl import options as opt
from mbsxl.errors import MbsxlInputError
from mbsxl.surveillance.report_table import DEFAULT_TOLERANCE, read_history


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
    from mbsxl.pool.projection import cashflows
    n = v.months("wam", wam)
    if n < months:
        raise MbsxlInputError(f"wam={n} is shorter than the back-test ({months} months: lead + history periods); "
                              "the pool would be paid off before the history ends")
    cf = cashflows(1.0, wac, n)
    return (cf[C.SCHEDULED_PRINCIPAL] / cf[C.BEGINNING_BALANCE]).to_numpy()[:months]


def backtest(history, cpr, cdr=None, wac=None, wam=None, balance=None, lead=0,
             tolerance=DEFAULT_TOLERANCE, convention=None) -> pd.DataFrame:
    """Projected against realised, one row a history period (columns :data:`mbsxl.columns.BACKTEST_COLUMNS`).

    ``history``: the trustee-report table (:mod:`mbsxl.surveillance.report_table`); ``cpr``, ``cdr``: annual
    decimals, a number or one a month (``cdr`` default 0); ``wac``, ``wam``: the pool's amortisation
    (default the realised schedule); ``balance``: the projection's starting balance (default the first
    beginning balance; required with ``lead``); ``lead``: months projected before the first period.
    Conventions in the module docstring.
    """
    t = read_history(history, "history", tolerance)
    smm_type, annual = opt.prepay_convention(convention)
    n = len(t)
    lead_ = v.whole("lead", lead, lo=0, hi=v.MAX_MONTHS, why=" months")
    months = lead_ + n
    days = None
    if annual == "days":
        if lead_:
            raise MbsxlInputError(f"lead={lead_} months with convention={opt.prepay_convention_name((smm_type, annual))!r}: "
                                  "the days of the lead months are not in the history; use lead 0 or a monthly "
                                  "convention")
        days = hc.period_days(t[C.TRUSTEE_PERIOD].tolist(), opt.prepay_convention_name((smm_type, annual)))
    if balance is None:
        if lead_:
            raise MbsxlInputError(f"balance is missing; with lead={lead_} pass the balance the projection starts "
                                  "from (e.g. the cut-off balance)")
        b = float(t[C.TRUSTEE_BEGINNING].iloc[0])
    else:
        b = v.number("balance", balance, lo=0.0, accepted="pass a balance >= 0")
    smm = hc.deannualise(_path("cpr", cpr, months), days)
    mdr = hc.deannualise(_path("cdr", cdr, months), days)
    ratio = _ratios(t, wac, wam, lead_, months)
    rows = np.zeros((months, 5))
    for m in range(months):
        s = ratio[m] * b
        p = smm[m] * (b - s) if smm_type == 2 else min(smm[m] * b, b - s)
        d = min(mdr[m] * b, b - s - p)
        e = b - s - p - d
        rows[m] = (b, s, p, d, e)
        b = e
    proj = rows[lead_:]
    proj_cpr = hc.annualise(hc.period_smm(smm_type, proj[:, 0], proj[:, 1], proj[:, 2]), days)
    rb, rs = t[C.TRUSTEE_BEGINNING].to_numpy(), t[C.TRUSTEE_SCHEDULED].to_numpy()
    rp, rd = t[C.TRUSTEE_PREPAYMENT].to_numpy(), t[C.TRUSTEE_DEFAULTS].to_numpy()
    real_cpr = hc.annualise(hc.period_smm(smm_type, rb, rs, rp), days)
    re_ = t[C.TRUSTEE_ENDING].to_numpy()
    return pd.DataFrame({
        C.TRUSTEE_PERIOD: t[C.TRUSTEE_PERIOD].tolist(),
        C.B_BEGINNING_PROJ: proj[:, 0], C.B_BEGINNING_REAL: rb,
        C.B_SCHEDULED_PROJ: proj[:, 1], C.B_SCHEDULED_REAL: rs,
        C.B_PREPAYMENT_PROJ: proj[:, 2], C.B_PREPAYMENT_REAL: rp, C.B_PREPAYMENT_DIFF: proj[:, 2] - rp,
        C.B_DEFAULTS_PROJ: proj[:, 3], C.B_DEFAULTS_REAL: rd,
        C.B_ENDING_PROJ: proj[:, 4], C.B_ENDING_REAL: re_, C.B_BALANCE_DIFF: proj[:, 4] - re_,
        C.B_CPR_PROJ: proj_cpr, C.B_CPR_REAL: real_cpr, C.B_CPR_DIFF: proj_cpr - real_cpr,
    }, columns=C.BACKTEST_COLUMNS)
