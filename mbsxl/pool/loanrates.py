"""Each loan's rate path as a table, for inspection (MBS_LOANRATES): the rates of
:mod:`mbsxl.rates.repricing` with the scheduled balance and payment they give, month by month.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import columns as _c
from mbsxl.pool import projection as _proj
from mbsxl.pool import sf4
from mbsxl.errors import MbsxlInputError
from mbsxl.rates.repricing import month_rates, plan

#: At most this many rows (loans x months) in :func:`loan_rates`: one Excel sheet.
MAX_RATE_ROWS = 1_048_575


def loan_rates(balances, rates, remaining_terms, start_date, rate_type=None, spreads=None, reset="january",
               anniversaries=None, conversion=False, fixed_choice=None, events=None, first_home=None,
               floor_spreads=None, index_dates=None, index_rates=None, benchmark=None, multipliers=None,
               margins=None, ages=None, amortization=None, origination_floors=None, current_floors=None,
               origination_dates=None, repricing_periods=None, repricing_period_dates=None, average_spread_dates=None,
               average_spreads=None, renegotiation_tolerance=0.003):
    """Each loan's rate path for inspection: one row per loan and projection month.

    Columns :data:`mbsxl.columns.LOAN_RATES_COLUMNS`: Loan (1-based), Period, Date (first day of the
    month), Index (the LPR of the current repricing period, or the PBoC benchmark of the last 1 January
    reset; blank for a fixed rate and before a benchmark loan's first reset), Spread (Rate - Index),
    Rate (annual), Balance (at the start of the month, scheduled amortisation only: no prepayment or
    default), Payment (the month's scheduled payment, level payment recomputed over the months left at
    each rate change, or level principal + interest), Event (reset, benchmark reset, conversion, fixed
    choice, floor, cap, renegotiation; several joined by "; ").  Arguments and rules: :func:`mbsxl.loan_cashflows`
    and this module's notes.  At most :data:`MAX_RATE_ROWS` rows.

    >>> t = loan_rates([100_000.0], [0.0588], [120], "2019-12-01", rate_type="benchmark", multipliers=[1.2],
    ...                conversion=True)
    >>> row = t.loc[13]                                  # January 2021, the first LPR reset
    >>> str(row["Date"]), float(row["Index"]), float(row["Spread"]), float(row["Rate"]), row["Event"]
    ('2021-01-01', 0.0465, 0.0108, 0.0573, 'reset')
    """
    bal, rates_a, terms, ages_a = _proj._loan_tape(balances, rates, remaining_terms, ages)
    n = bal.size
    T = int(terms.max())
    rows = int(terms.sum())
    if rows > MAX_RATE_ROWS:
        raise MbsxlInputError(f"balances: {n:,} loans give {rows:,} rows (loans x months), above {MAX_RATE_ROWS:,} "
                              "(one sheet); pass fewer loans (the projection itself has no such cap)")
    lp = _proj._amortization_types(amortization, n)
    p = plan(rates_a, T, start_date, ages=ages_a, rate_type=rate_type, spreads=spreads, reset=reset,
             anniversaries=anniversaries, conversion=conversion, fixed_choice=fixed_choice, events=events,
             first_home=first_home, floor_spreads=floor_spreads, index_dates=index_dates, index_rates=index_rates,
             benchmark=benchmark, multipliers=multipliers, margins=margins, origination_floors=origination_floors, current_floors=current_floors,
             origination_dates=origination_dates, repricing_periods=repricing_periods,
             repricing_period_dates=repricing_period_dates, average_spread_dates=average_spread_dates,
             average_spreads=average_spreads, renegotiation_tolerance=renegotiation_tolerance)
    R, index, marks = month_rates(p, detail=True)
    R = np.round(R, 12)                     # 0.0465 + 0.0108 shown as 0.0573, not 0.057300000000000004
    index = np.round(index, 12)
    B = np.zeros((n, T))
    pay = np.zeros((n, T))
    P = bal.copy()
    for t in range(T):
        m = np.maximum(terms - t, 1).astype(float)
        r = R[:, t] / 12.0
        f = np.where(terms > t, sf4.scheduled_fraction(r, m, lp), 0.0)
        B[:, t] = P
        pay[:, t] = P * (r + f)
        P = P * (1.0 - f)
    ev = np.full((n, T), "", dtype=object)
    for label in (_c.EVENT_BENCHMARK_RESET, _c.EVENT_CONVERSION, _c.EVENT_FIXED_CHOICE, _c.EVENT_RESET,
                  _c.EVENT_FLOOR, _c.EVENT_CAP, _c.EVENT_RENEGOTIATION):
        mk = marks.get(label)
        if mk is not None and mk.any():
            ev[mk] = np.where(ev[mk] == "", label, ev[mk] + "; " + label)
    alive = np.arange(T)[None, :] < terms[:, None]
    li, tk = np.nonzero(alive)
    dates = np.array([d.item() for d in p.months], dtype=object)
    return pd.DataFrame({_c.LOAN: li + 1, _c.PERIOD: tk + 1, _c.DATE: dates[tk], _c.INDEX: index[alive],
                         _c.SPREAD: np.round(R - index, 12)[alive], _c.RATE: R[alive], _c.LOAN_BALANCE: B[alive],
                         _c.PAYMENT: pay[alive], _c.EVENT: ev[alive]}, columns=_c.LOAN_RATES_COLUMNS)
