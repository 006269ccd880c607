"""Pool and loan-level mortgage cash-flow projection.

Conventions (SIFMA Standard Formulas, chapter SF, sections B and C):

- monthly periods; period 1 is the first month after the as-of date; the rate of a month is the
  annual rate / 12 (monthly compounding), interest is paid on the balance at the start of the month;
- ``prepay``: CPR (annual), SMM (monthly) or PSA (a speed, 150 = 150%, on the ramp by loan age);
  the SMM applies to the performing balance at the start of the month less that month's scheduled
  amortisation (SF-17 e, SF-18);
- ``default``: CDR (annual), MDR (monthly) or SDA (a speed); the MDR applies to the performing
  balance at the start of the month, before scheduled amortisation; the default rate is 0 in a
  loan's last ``recovery_lag`` months (SF-19 j);
- defaulted loans are liquidated ``recovery_lag`` months after default; loss = ``severity`` x the
  balance at default (at most the balance left at liquidation); recovery = the rest;
- ``advance=True``: the servicer advances scheduled principal and interest on loans in
  foreclosure until liquidation, so investors receive them; ``False``: they stop at default;
- ``servicing`` is an annual fee rate on the interest-bearing balance;
- ``amortization``: ``level_payment`` (等额本息, annuity re-amortised over the months left) or
  ``level_principal`` (等额本金, balance / months left each month).

Table columns (:data:`COLUMNS`) are the headers the Excel layer shows.  ``Beginning Balance`` and
``Ending Balance`` include loans in foreclosure; ``Scheduled Principal`` includes advanced
amortisation of loans in foreclosure; ``Total Principal`` = scheduled + prepayment + recovery;
``Cash Flow`` = net interest + total principal.  ``SMM`` and ``MDR`` are the realised pool rates
(prepayment / its base, default / performing balance), 0 where the base is 0.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.pool import _engine
from mbsxl.pool.conventions import PSA_PEAK_CPR, PSA_RAMP_MONTHS, annual_to_monthly, psa_ramp, sda as _sda
from mbsxl import columns as _c
from mbsxl import options as _opt
from mbsxl.errors import MbsxlInputError

COLUMNS = _c.CASHFLOW_COLUMNS          # the table's headers (mbsxl.columns)

PREPAY_TYPES = _opt.PREPAY_TYPES
DEFAULT_TYPES = _opt.DEFAULT_TYPES
AMORTIZATIONS = _opt.AMORTIZATIONS


#: Bounds on the floating-rate terms: a multiplier of the benchmark in [0, 3] (floating mortgages use
#: multipliers near 1, e.g. 0.85), a margin within +-20% (a decimal: 0.005 = 50 bp).
MAX_MULTIPLIER = 3.0
MAX_MARGIN = 0.2


def _path(name: str, value, T: int, *, hi: float | None) -> np.ndarray:
    """A scalar or a per-month vector, extended with its last value to T months.  ``hi=None``: a
    PSA/SDA speed in percent (150 = 150%; 0 < speed < 5 refused, see :func:`mbsxl._validate.speeds`)."""
    v.no_bool(name, value)
    if hi is None:
        v.speeds(name, value)
    if np.ndim(value) == 0:
        x = v.number(name, value, lo=0.0) if hi is None else v.rate(name, value, hi=hi)
        return np.full(T, x)
    a = v.array(name, value, lo=0.0, hi=hi, percent_hint=hi is not None)
    if a.size == 0:
        raise MbsxlInputError(f"{name} is an empty range; pass a number or a column of numbers")
    if a.size >= T:
        return a[:T].copy()
    return np.concatenate([a, np.full(T - a.size, a[-1])])


def _prepay_table(prepay, prepay_type, T: int) -> np.ndarray:
    """months x age-index table of SMM: by projection month (CPR, SMM) or also by loan month (PSA)."""
    kind = _opt.prepay_type(prepay_type)
    if kind == "PSA":
        speed = _path("prepay", prepay, T, hi=None)
        ramp = psa_ramp(np.arange(PSA_RAMP_MONTHS + 1), PSA_PEAK_CPR)
        return annual_to_monthly(np.minimum(speed[:, None] / 100.0 * ramp[None, :], 1.0))
    x = _path("prepay", prepay, T, hi=1.0)
    smm = x if kind == "SMM" else annual_to_monthly(x)
    return smm[:, None]


def _default_table(default, default_type, T: int) -> np.ndarray:
    kind = _opt.default_type(default_type)
    if kind == "SDA":
        speed = _path("default", default, T, hi=None)
        return annual_to_monthly(np.minimum(speed[:, None] / 100.0 * np.asarray(_sda(np.arange(121), 100))[None, :], 1.0))
    x = _path("default", default, T, hi=1.0)
    mdr = x if kind == "MDR" else annual_to_monthly(x)
    return mdr[:, None]


def _table(acc: np.ndarray) -> pd.DataFrame:
    A = _engine
    T = acc.shape[0]
    gross, fee = acc[:, A.A_GROSS], acc[:, A.A_FEE]
    sched, prepay, recov = acc[:, A.A_SCHED], acc[:, A.A_PREPAY], acc[:, A.A_RECOV]
    total_prin = sched + prepay + recov
    net = gross - fee
    with np.errstate(divide="ignore", invalid="ignore"):
        smm = np.where(acc[:, A.A_PREPAY_BASE] > 0, prepay / acc[:, A.A_PREPAY_BASE], 0.0)
        mdr = np.where(acc[:, A.A_PERF_BEG] > 0, acc[:, A.A_DEF] / acc[:, A.A_PERF_BEG], 0.0)
    data = {
        _c.PERIOD: np.arange(1, T + 1),
        _c.BEGINNING_BALANCE: acc[:, A.A_BEG],
        _c.SCHEDULED_PAYMENT: sched + gross,
        _c.GROSS_INTEREST: gross,
        _c.SERVICING_FEE: fee,
        _c.NET_INTEREST: net,
        _c.SCHEDULED_PRINCIPAL: sched,
        _c.PREPAYMENT: prepay,
        _c.DEFAULT: acc[:, A.A_DEF],
        _c.LOSS: acc[:, A.A_LOSS],
        _c.RECOVERY: recov,
        _c.TOTAL_PRINCIPAL: total_prin,
        _c.CASH_FLOW: net + total_prin,
        _c.ENDING_BALANCE: np.maximum(acc[:, A.A_END], 0.0),
        _c.SMM: smm,
        _c.MDR: mdr,
    }
    return pd.DataFrame(data, columns=COLUMNS)


def _assumptions(T, prepay, prepay_type, default, default_type, severity, recovery_lag, servicing,
                 term_name="wam"):
    smm_tab = _prepay_table(prepay, prepay_type, T)
    mdr_tab = _default_table(default, default_type, T)
    sev = v.fraction("severity", severity)
    lag = v.whole("recovery_lag", recovery_lag, lo=0)
    svc = v.rate("servicing", servicing)
    if lag >= T and (mdr_tab > 0).any():
        # SF-19 j: no default in a loan's last recovery_lag months, so no month could default at all
        raise v.MbsxlInputError(
            f"recovery_lag={lag} months is not below the term ({term_name}={T} months): the Standard "
            f"Formulas allow no default in a loan's last recovery_lag months (SF-19 j), so every default "
            f"would be dropped; pass a lag of at most {T - 1}, or default=0")
    return smm_tab, mdr_tab, sev, lag, svc


def _servicing_below(svc: float, name: str, rates: np.ndarray) -> None:
    """Servicing is paid out of interest: refuse a fee above the (gross) loan rate."""
    bad = rates < svc
    if bad.any():
        i = int(np.argmax(bad))
        where = name if rates.size == 1 and name == "wac" else f"{name}[{i}]"
        raise v.MbsxlInputError(
            f"servicing={v._fmt(svc)} is above {where}={v._fmt(float(rates[i]))}; the servicing fee is paid out "
            f"of the loan interest, so it must be <= the loan rate (net interest would be negative)")


def cashflows(balance, wac, wam, prepay=0, prepay_type="CPR", default=0, default_type="CDR",
              severity=0, recovery_lag=0, servicing=0, age=0, advance=True,
              amortization="level_payment") -> pd.DataFrame:
    """Monthly cash flows of a pool projected as one representative loan.

    Parameters
    ----------
    balance : current pool balance (> 0).
    wac : gross weighted-average coupon, annual decimal (0.0783); paid monthly at wac / 12.
    wam : weighted-average remaining term in months (whole, >= 1).
    prepay, prepay_type : a number or a per-month vector (last value held); CPR, SMM or PSA (speed).
    default, default_type : likewise; CDR, MDR or SDA (speed).
    severity : loss as a fraction of the defaulted balance.
    recovery_lag : months from default to liquidation (0 = same month); with defaults, below ``wam``
        (SF-19 j: no default in the last ``recovery_lag`` months, so a longer lag would drop them all).
    servicing : annual servicing fee rate, deducted from gross interest; at most ``wac``.
    age : loan age in months at the start (seasoning) for the PSA and SDA curves.

    ``wam`` and ``age`` are at most 600 months (:data:`mbsxl._validate.MAX_MONTHS`); PSA/SDA speeds
    between 0 and 5 are refused (a percent written as a fraction).  Bad input raises ValueError
    naming the argument and the value.
    advance : whether the servicer advances P&I on defaulted loans until liquidation.
    amortization : level_payment (等额本息) or level_principal (等额本金).

    Returns a DataFrame with :data:`COLUMNS`, one row a month for ``wam`` months.

    Example (SF-4: 9.5% gross, 9.0% net, 360 months, 150% PSA, month 1 per unit of par)
    >>> cf = cashflows(1.0, 0.095, 360, prepay=150, prepay_type="PSA", servicing=0.005)
    >>> [round(float(cf.loc[0, c]), 8) for c in ("Scheduled Principal", "Prepayment", "Cash Flow")]
    [0.00049188, 0.00025022, 0.0082421]
    """
    return _table(_cashflows_acc(balance, wac, wam, prepay, prepay_type, default, default_type, severity,
                                 recovery_lag, servicing, age, advance, amortization))


def _cashflows_acc(balance, wac, wam, prepay=0, prepay_type="CPR", default=0, default_type="CDR", severity=0,
                   recovery_lag=0, servicing=0, age=0, advance=True, amortization="level_payment") -> np.ndarray:
    """:func:`cashflows` (every argument checked as there) before its table: the engine's months x
    accumulator array (``mbsxl.pool._engine.A_*`` columns), for callers that read a few columns."""
    bal = v.number("balance", balance, lo=0.0, accepted="pass a balance >= 0")
    rate = v.rate("wac", wac)
    n = v.months("wam", wam)
    a = v.months("age", age, lo=0)
    lp = _opt.amortization(amortization) == "level_principal"
    adv = _opt.flag("advance", advance)
    smm_tab, mdr_tab, sev, lag, svc = _assumptions(n, prepay, prepay_type, default, default_type,
                                                   severity, recovery_lag, servicing)
    _servicing_below(svc, "wac", np.array([rate]))
    return _engine.project(np.array([bal]), np.array([rate]), np.array([n]), np.array([a]), np.array([lp]),
                           np.full(n, np.nan), np.ones(1), np.zeros(1), svc, smm_tab, mdr_tab, sev, lag, adv)


def _loan_array(name: str, value, n: int | None, *, lo=None, hi=None, percent_hint=False) -> np.ndarray:
    a = v.array(name, value, lo=lo, hi=hi, percent_hint=percent_hint)
    if n is not None and a.size != n:
        if a.size == 1:
            return np.full(n, a[0])
        raise MbsxlInputError(f"{name} has {a.size} values but balances has {n}; pass one value a loan")
    return a


def _loan_tape(balances, rates, remaining_terms, ages):
    """The validated tape columns of :func:`loan_cashflows`: balances, rates, terms and ages (int)."""
    bal = _loan_array("balances", balances, None, lo=0.0)
    n = bal.size
    if n == 0:
        raise MbsxlInputError("balances is empty; pass one balance a loan")
    if n > v.MAX_LOANS:
        raise v.MbsxlInputError(f"balances has {n:,} loans, above the cap of {v.MAX_LOANS:,}; split the tape")
    rates_a = _loan_array("rates", rates, n, lo=0.0, hi=1.0, percent_hint=True)
    terms = _loan_array("remaining_terms", remaining_terms, n, lo=1.0)
    if (terms != np.floor(terms)).any():
        i = int(np.argmax(terms != np.floor(terms)))
        raise MbsxlInputError(f"remaining_terms[{i}]={terms[i]:g} is not a whole number of months")
    if terms.max() > v.MAX_MONTHS:
        i = int(np.argmax(terms > v.MAX_MONTHS))
        raise v.MbsxlInputError(f"remaining_terms[{i}]={terms[i]:g} is above the cap of {v.MAX_MONTHS} months "
                                f"(50 years); pass terms of at most {v.MAX_MONTHS}")
    if n * terms.max() > v.MAX_LOAN_MONTHS:
        raise v.MbsxlInputError(
            f"balances has {n:,} loans x {int(terms.max())} months = {n * int(terms.max()):,} loan-months, above the "
            f"cap of {v.MAX_LOAN_MONTHS:,}; split the tape or project a representative pool with cashflows")
    terms = terms.astype(np.int64)
    ages_a = np.zeros(n, dtype=np.int64) if ages is None else _loan_array("ages", ages, n, lo=0.0)
    if ages is not None and (ages_a != np.floor(ages_a)).any():
        i = int(np.argmax(ages_a != np.floor(ages_a)))
        raise MbsxlInputError(f"ages[{i}]={ages_a[i]:g} is not a whole number of months")
    if ages is not None and (ages_a > v.MAX_MONTHS).any():
        i = int(np.argmax(ages_a > v.MAX_MONTHS))
        raise v.MbsxlInputError(f"ages[{i}]={ages_a[i]:g} is above the cap of {v.MAX_MONTHS} months (50 years)")
    ages_a = np.asarray(ages_a, dtype=np.int64)
    return bal, rates_a, terms, ages_a


def loan_cashflows(balances, rates, remaining_terms, prepay=0, prepay_type="CPR", default=0,
                   default_type="CDR", severity=0, recovery_lag=0, servicing=0, ages=None, advance=True,
                   amortization=None, benchmark=None, start_date=None, multipliers=None, margins=None,
                   engine=None, rate_type=None, spreads=None, reset="january", anniversaries=None,
                   conversion=False, fixed_choice=None, events=None, first_home=None, floor_spreads=None,
                   index_dates=None, index_rates=None, incentive_slope=0.0, incentive_cap=1.0,
                   new_loan_spread=0.0, origination_floors=None, current_floors=None, origination_dates=None,
                   repricing_periods=None, repricing_period_dates=None, average_spread_dates=None,
                   average_spreads=None, renegotiation_tolerance=0.003) -> pd.DataFrame:
    """Loan-level projection: every loan on its own rate, term, age and amortisation type; the pool
    aggregate is returned with the same :data:`COLUMNS` as :func:`cashflows`.

    The assumptions (``prepay`` ... ``advance``) are those of :func:`cashflows`, applied to each
    loan; vectors run by projection month; PSA and SDA read each loan's own age.  ``ages`` default
    to 0; ``amortization`` is one type for all loans or one a loan ("level_payment"/"level_principal",
    or 0/1 with 1 = level principal); default level payment.

    Floating-rate loans (Chinese mortgages of this era): pass ``benchmark`` (date/rate pairs, e.g.
    :func:`mbsxl.benchmark_rates`), ``start_date`` (the first projection month) and per-loan
    ``multipliers`` and/or ``margins``.  Each loan keeps its ``rates`` value for the rest of the
    calendar year it starts in; from each 1 January its rate is benchmark-in-force-that-day x
    multiplier + margin, and the level payment is recomputed on the new rate over the months left.

    Limits (ValueError beyond them): ``servicing`` at most each loan's rate and every reset rate;
    terms and ages at most 600 months; at most 2,000,000 loans and 600,000,000 loans x months;
    ``multipliers`` in [0, 3], ``margins`` in [-0.2, 0.2].

    The flows are added into the month table as they are computed: no loans x months matrix.
    ``engine``: numba (default when installed), numpy, or python (the uncompiled per-loan loop).

    Repricing after 2019 (:mod:`mbsxl.rates.repricing`, which states every rule and its timing): per loan
    ``rate_type`` fixed / benchmark / lpr, ``spreads`` over LPR 5y (decimals, 0.0108), ``reset``
    ("january", "anniversary" with ``anniversaries`` dates, or every N months), ``conversion`` (the
    2020 conversion of benchmark loans, spread = rate - 4.80%), ``fixed_choice`` flags, ``events``
    (rows of date, rule, value, covers[, floor]; "standard" = :func:`mbsxl.policy_events`), ``first_home``
    flags, ``origination_floors`` (default the national floors of :func:`mbsxl.mortgage_floors` on each
    loan's ``origination_dates``) and ``current_floors`` (default none), the 2024-11-01 options
    (``repricing_periods`` from ``repricing_period_dates``; spread renegotiation against
    ``average_spread_dates`` / ``average_spreads`` within ``renegotiation_tolerance``), and an LPR path ``index_dates`` / ``index_rates`` (history + scenario,
    each row in force from its date; default ``data/lpr.csv``).  The level payment is recomputed over
    the months left at every rate change.  Needs ``start_date``.  The rule reaches the kernel in
    compact form (one LPR path a group of loans resetting alike): no loans x months matrix.

    Rate-incentive prepayment (``incentive_slope`` != 0), a calibratable form: for loan i in month t,
    CPR_i(t) = min(incentive_cap, max(0, base CPR(t, age) + incentive_slope x (rate_i(t) - new(t))))
    where the base CPR is the ``prepay`` / ``prepay_type`` assumption (as a CPR) and new(t) = LPR 5y in
    force on the month's first day + ``new_loan_spread``; e.g. slope 5: a loan 1% above the new-loan
    rate prepays 5% CPR faster.  Fit slope and cap to observed prepayments (e.g. with MBS_REGRESS).

    >>> cf = loan_cashflows([100_000.0], [0.0588], [120], start_date="2019-12-01", rate_type="benchmark",
    ...                     multipliers=[1.2], conversion=True, events="standard")
    >>> round(float(cf.loc[13, "Gross Interest"] / cf.loc[13, "Beginning Balance"] * 12), 4)  # January 2021
    0.0573
    """
    bal, rates_a, terms, ages_a = _loan_tape(balances, rates, remaining_terms, ages)
    n = bal.size
    lp = _amortization_types(amortization, n)
    adv = _opt.flag("advance", advance)
    T = int(terms.max())
    smm_tab, mdr_tab, sev, lag, svc = _assumptions(T, prepay, prepay_type, default, default_type,
                                                   severity, recovery_lag, servicing,
                                                   term_name="the longest of remaining_terms")
    _servicing_below(svc, "rates", rates_a)
    repricing = any(x is not None for x in (rate_type, spreads, anniversaries, fixed_choice, events, first_home,
                                            floor_spreads, index_dates, index_rates, origination_floors,
                                            current_floors, origination_dates, repricing_periods,
                                            repricing_period_dates, average_spread_dates, average_spreads)) \
        or not (isinstance(conversion, (bool, np.bool_, int, float)) and not conversion)
    slope = v.number("incentive_slope", incentive_slope, lo=-100.0, hi=100.0)
    if repricing or slope != 0.0:
        return _table(_repriced(bal, rates_a, terms, ages_a, lp, svc, smm_tab, mdr_tab, sev, lag, adv, engine,
                                start_date, slope, incentive_cap, new_loan_spread,
                                dict(rate_type=rate_type, spreads=spreads, reset=reset, anniversaries=anniversaries,
                                     conversion=conversion, fixed_choice=fixed_choice, events=events,
                                     first_home=first_home, floor_spreads=floor_spreads, index_dates=index_dates,
                                     index_rates=index_rates, benchmark=benchmark, multipliers=multipliers,
                                     margins=margins, origination_floors=origination_floors,
                                     current_floors=current_floors, origination_dates=origination_dates,
                                     repricing_periods=repricing_periods, repricing_period_dates=repricing_period_dates,
                                     average_spread_dates=average_spread_dates, average_spreads=average_spreads,
                                     renegotiation_tolerance=renegotiation_tolerance)))
    bench = np.full(T, np.nan)
    mult = np.ones(n)
    marg = np.zeros(n)
    if benchmark is not None:
        from mbsxl.rates.floating import reset_path
        if start_date is None:
            raise MbsxlInputError("start_date is required with benchmark: the date of the first projection month")
        if multipliers is None and margins is None:
            raise MbsxlInputError("pass multipliers (e.g. 0.85) and/or margins with benchmark")
        bench = reset_path(benchmark, start_date, T)
        mult = np.zeros(n) if multipliers is None else _loan_array("multipliers", multipliers, n, lo=0.0,
                                                                   hi=MAX_MULTIPLIER)
        if margins is None:
            marg = np.zeros(n)
        else:
            marg = _loan_array("margins", margins, n)
            for i, m in enumerate(marg):
                v.spread(f"margins[{i}]" if marg.size > 1 else "margins", float(m), hi=MAX_MARGIN)
        resets = bench[~np.isnan(bench)]
        if resets.size:
            for label, lo_hi in (("lowest", resets.min()), ("highest", resets.max())):
                new_rate = lo_hi * mult + marg
                bad = (new_rate < svc) | (new_rate > 1.0)
                if bad.any():
                    i = int(np.argmax(bad))
                    raise v.MbsxlInputError(
                        f"loan {i + 1} reprices to {v._fmt(float(new_rate[i]))} at the {label} benchmark "
                        f"({v._fmt(float(lo_hi))}) x multipliers ({v._fmt(float(mult[i]))}) + margins "
                        f"({v._fmt(float(marg[i]))}); a reset rate must be in [servicing={v._fmt(svc)}, 1]")
    acc = _engine.project(bal, rates_a, terms, ages_a, lp, bench, mult, marg, svc, smm_tab, mdr_tab, sev,
                          lag, adv, engine=engine)
    return _table(acc)


def _repriced(bal, rates_a, terms, ages_a, lp, svc, smm_tab, mdr_tab, sev, lag, adv, engine, start_date, slope,
              incentive_cap, new_loan_spread, terms_kw) -> np.ndarray:
    """The projection with per-loan repricing (:mod:`mbsxl.rates.repricing`) and/or incentive prepayment."""
    from mbsxl.rates import repricing as _rp
    T = int(terms.max())
    cap = v.fraction("incentive_cap", incentive_cap)
    nls = v.spread("new_loan_spread", new_loan_spread, hi=_rp.MAX_SPREAD)
    p = _rp.plan(rates_a, T, start_date, ages=ages_a, **terms_kw)
    newrate = _rp.new_loan_rates(p, nls) if slope != 0.0 else None
    return _engine.project(bal, rates_a, terms, ages_a, lp, p.bench, p.mult, p.margin, svc, smm_tab, mdr_tab, sev,
                           lag, adv, engine=engine, terms=_rp.kernel_terms(p), newrate=newrate, slope=slope, cap=cap)


def _amortization_types(amortization, n: int) -> np.ndarray:
    if amortization is None:
        return np.zeros(n, dtype=bool)
    if isinstance(amortization, str):
        return np.full(n, _opt.amortization(amortization) == "level_principal")
    vals = list(np.asarray(amortization, dtype=object).ravel())
    if len(vals) != n:
        raise MbsxlInputError(f"amortization has {len(vals)} values but balances has {n}; pass one a loan or one for all")
    out = np.zeros(n, dtype=bool)
    for i, x in enumerate(vals):
        if isinstance(x, str):
            out[i] = _opt.amortization(x, f"amortization[{i}]") == "level_principal"
        elif x in (0, 1, True, False):
            out[i] = bool(x)
        else:
            raise MbsxlInputError(f"amortization[{i}]={x!r} is not level_payment, level_principal, 0 or 1")
    return out
