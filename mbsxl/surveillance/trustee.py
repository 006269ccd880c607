"""Trustee-report series of Jianyuan 2007-1 (建元2007-1), January 2008 - December 2009, reconstructed.

Seed 002 publishes the 24 monthly CPRs computed from the trustee reports (受托机构报告), not the
reports' columns.  :func:`jianyuan_series` rebuilds, for each collection period, the beginning
balance, the scheduled principal and the prepayment so that the historical-SMM convention of
seed 002 gives the published CPRs back to 4 decimals::

    SMM = prepayment / (beginning balance - scheduled principal)
    CPR = 1 - (1 - SMM) ** 12

Amounts are in integer fen (whole fen in the returned yuan columns), balances roll exactly:
``ending = beginning - scheduled - prepayment`` and the next period begins at that ending balance
(no defaults; none are published).

How the balance at the start of January 2008 is obtained (a decision, documented in the workbook):
the pool was cut off on 2007-10-10 at 4,160,683,708 yuan, but the first collection period's
published figures -- prepayment 155,912,242.71 yuan (700 loans), "4.35%", "74.9% of the principal
collected this period" and CPR 41.79% -- hold together only if the period began at about
3,588.3 million yuan: 4.35% must then be the prepayment's share of the *period's beginning balance*
(its share of the cut-off balance is 3.75%), and 74.9% fixes the period's other principal at about
52.2 million.  :func:`first_period` computes the window of beginning balances for which all three
published roundings hold (exact CPR 0.4179) and takes its midpoint; the scheduled principal of
period 1 is then what the CPR implies.  The gap to the cut-off balance (about 572 million, 13.8%)
is the run-off between the cut-off and January 2008, which the seeds do not report.

Unrounded CPRs: the reports gave amounts, so the true monthly CPRs are known to seed 002 only to
4 decimals, and its yearly means (2008: 20.200%, 2009: 30.710%) were taken from unrounded values:
the mean of the twelve rounded 2008 figures is 20.2017%.  :func:`target_cprs` therefore uses the
published CPRs, with February - December 2008 each lowered by 0.0002/11 = 0.0000182 (inside the
+-0.00005 rounding of every monthly figure) so that the 2008 mean is 20.200% as published; the 2009
figures already average 30.710% and January 2008 stays at 0.4179 (its window above is narrow).

From period 2 on, scheduled principal = beginning balance x the scheduled-principal ratio of the
tape's own amortisation (:func:`scheduled_ratios`: every loan on its rate, remaining term and
amortisation type, repricing each 1 January, no prepayment, months since the cut-off; January 2008
is month 4), and the
prepayment is ``SMM(published CPR) x (beginning - scheduled)``, each rounded to the fen.

Example
-------
>>> s = jianyuan_series()
>>> float(s.loc[0, PREPAYMENT])
155912242.71
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl.reference import jianyuan as _jy

from mbsxl import columns as _c

# the series' columns (mbsxl.columns)
PERIOD = _c.TRUSTEE_PERIOD
BEGINNING = _c.TRUSTEE_BEGINNING
SCHEDULED = _c.TRUSTEE_SCHEDULED
PREPAYMENT = _c.TRUSTEE_PREPAYMENT
ENDING = _c.TRUSTEE_ENDING
PUBLISHED_CPR = _c.TRUSTEE_PUBLISHED_CPR
SERIES_COLUMNS = _c.TRUSTEE_COLUMNS

REPRICING_BENCHMARK = 0.0783     # the over-5-year benchmark the tape's 2008 rates are multiples of
FIRST_MONTH_SINCE_CUTOFF = 4      # Oct 10 - Nov 9 is month 1, so the January 2008 period is month 4


def _smm(cpr: float) -> float:
    return 1.0 - (1.0 - cpr) ** (1.0 / 12.0)


def target_cprs() -> list[float]:
    """The unrounded monthly CPRs the reconstruction reproduces: the published ones, February -
    December 2008 shifted equally so that the 2008 mean is the published 20.200% (each still rounds
    to its published 4-decimal value); 2009 unchanged (its mean is already 30.710%)."""
    c = list(_jy.CPR)
    shift08 = (12 * _jy.CPR_MEAN_2008 - sum(c[:12])) / 11
    shift09 = (12 * _jy.CPR_MEAN_2009 - sum(c[12:24])) / 12
    out = [c[0]] + [x + shift08 for x in c[1:12]] + [x + shift09 for x in c[12:24]]
    if max(abs(a - b) for a, b in zip(out, c)) >= 0.00005:
        raise RuntimeError("the published yearly means are not reachable within the monthly rounding")
    return out


def first_period() -> dict:
    """The first collection period (January 2008) from its published figures.

    Returns the window ``[lo, hi]`` of beginning balances (yuan) for which prepayment / beginning
    rounds to the stated 4.35%, prepayment / (prepayment + other principal) to 74.9% and the CPR is
    0.4179; the chosen beginning balance (midpoint, to the fen) and scheduled principal; and the
    shares of the prepayment in the cut-off balance (3.75%) and in the chosen beginning balance.
    """
    fp = _jy.FIRST_PERIOD
    p = fp["prepaid_amount"]
    smm = _smm(_jy.CPR[0])
    net = p / smm                                   # beginning - scheduled
    share_b, share_c = fp["stated_share_of_cutoff_balance"], fp["stated_share_of_principal_collected"]
    lo_b, hi_b = p / (share_b + 0.00005), p / (share_b - 0.00005)         # P/B in [4.345%, 4.355%)
    lo_s, hi_s = p / (share_c + 0.0005) - p, p / (share_c - 0.0005) - p  # P/(P+S) in [74.85%, 74.95%)
    lo, hi = max(lo_b, net + lo_s), min(hi_b, net + hi_s)
    if lo > hi:
        raise RuntimeError("the published first-period figures admit no beginning balance")
    begin_fen = int(round((lo + hi) / 2 * 100))
    sched_fen = begin_fen - int(round(net * 100))
    return {
        "window": (lo, hi),
        "beginning_balance": begin_fen / 100,
        "scheduled_principal": sched_fen / 100,
        "prepayment": p,
        "prepaid_loans": fp["prepaid_loans"],
        "share_of_cutoff_balance": p / _jy.POOL["balance"],
        "share_of_beginning_balance": p / (begin_fen / 100),
        "share_of_principal_collected": p / (p + sched_fen / 100),
        "runoff_since_cutoff": _jy.POOL["balance"] - begin_fen / 100,
    }


def scheduled_ratios(tape: pd.DataFrame | None = None, months: int = 27) -> np.ndarray:
    """Scheduled principal / beginning balance of the tape's amortisation with no prepayment, for
    months 1..``months`` after the cut-off (loan-level: each loan's rate, remaining term and type).

    Rates reprice each 1 January as Chinese mortgages do (:func:`mbsxl.loan_cashflows` with the PBoC
    over-5-year benchmark): each loan's multiple of 7.83% is kept, so 2008 runs at the tape's rates and
    2009 at 5.94% x the same multiple (the benchmark was cut to 5.94% on 2008-12-23)."""
    from mbsxl.pool.projection import loan_cashflows
    from mbsxl.reference import tape as _tape
    t = _tape.jianyuan_tape() if tape is None else tape
    from mbsxl.rates.floating import benchmark_rates
    rates = t[_tape.RATE].to_numpy()
    cf = loan_cashflows(t[_tape.BALANCE].to_numpy(), rates,
                        t[_tape.REMAINING_TERM].to_numpy(), prepay=0.0,
                        amortization=(t[_tape.AMORTIZATION] == _tape.LEVEL_PRINCIPAL).astype(int).to_numpy(),
                        benchmark=benchmark_rates("lending_over_5y"), start_date=_jy.CUTOFF_DATE,
                        multipliers=rates / REPRICING_BENCHMARK)
    beg = cf[_c.BEGINNING_BALANCE].to_numpy()[:months]
    sch = cf["Scheduled Principal"].to_numpy()[:months]
    return sch / beg


def jianyuan_series(tape: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 24 collection periods (columns :data:`SERIES_COLUMNS`), amounts in yuan to the fen."""
    first = first_period()
    cprs = target_cprs()
    ratios = scheduled_ratios(tape, FIRST_MONTH_SINCE_CUTOFF + len(cprs))
    rows = []
    b = int(round(first["beginning_balance"] * 100))
    for t, (month, c) in enumerate(zip(_jy.MONTHS, cprs)):
        if t == 0:
            s = int(round(first["scheduled_principal"] * 100))
            p = int(round(first["prepayment"] * 100))
        else:
            s = int(round(b * ratios[FIRST_MONTH_SINCE_CUTOFF - 1 + t]))
            p = int(round(_smm(c) * (b - s)))
        e = b - s - p
        rows.append((month, b / 100, s / 100, p / 100, e / 100, _jy.CPR[t]))
        b = e
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)
