"""Chinese performance conventions over a trustee-report history (issue 18): SMM type, annualisation,
prepayment over the cut-off balance, and where the history starts.

The options and the published definitions they follow are in :mod:`mbsxl.options`
(:data:`~mbsxl.options.PREPAY_CONVENTION`, :data:`~mbsxl.options.DEFAULT_DEFINITION`); this module
computes them.  Rates are decimals.

SMM of period ``t`` (单月早偿率)::

    type 2 (default):  SMM_t = prepayment_t / (beginning_t - scheduled_t)
    type 1:            SMM_t = prepayment_t / beginning_t

Annualisation (条件早偿率 CPR)::

    monthly (default): CPR_t = 1 - (1 - SMM_t)^12
    days:              CPR_t = 1 - (1 - SMM_t)^(365 / days_t)

``days_t`` are the days between the report dates (:func:`period_days`).

Over the cut-off (initial, 初始起算日) balance ``B0``, with ``m_t`` the months from the cut-off to the
end of period ``t``::

    cumulative prepayment rate (累计早偿率)      C_t = (prepayment_1 + ... + prepayment_t) / B0
    unconditional annualised rate (无条件年化早偿率)  U_t = 1 - (1 - C_t)^(12 / m_t)
                                                (days: 1 - (1 - C_t)^(365 / D_t), D_t the days since the cut-off)

``U_t`` is the constant annual rate at which, compounded like the CPR, the initial balance would have
lost the share ``C_t`` to prepayment in ``m_t`` months; unlike the CPR it is not conditional on the
balance still outstanding (the scheduled run-off is not taken out of the divisor).  The reference
corpus gave no published sentence with this formula; the compounding is the CPR's own (above).

Where the history starts (:func:`initial_balance`): numbered periods count collection periods from the
cut-off, so a first period numbered ``k > 1`` means ``k - 1`` periods are missing and ``cutoff_balance``
is required; dated periods (dates or month texts) cannot say where the cut-off was, so the history is
taken to start at the cut-off unless ``cutoff_balance`` is given and differs from the first beginning
balance (then ``m_t`` is unknown and ``U_t`` is blank; number the periods from the cut-off to get it).

>>> import numpy as np
>>> round(float(annualise(np.array(0.01), np.array(31.0))), 6)       # 1 - 0.99^(365/31)
0.111601
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl import options as opt
from mbsxl.pool.conventions import monthly_to_annual
from mbsxl.errors import MbsxlInputError

DAYS_IN_YEAR = 365.0
_MONTH_ONLY = (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$"), re.compile(r"^(\d{4})-(\d{1,2})$"))


def annualise(smm: np.ndarray, days: np.ndarray | None = None) -> np.ndarray:
    """``1 - (1 - smm)^12`` (``days`` None) or ``1 - (1 - smm)^(365/days)``; NaN stays NaN."""
    if days is None:
        return monthly_to_annual(smm)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.expm1(DAYS_IN_YEAR / np.asarray(days, dtype=float) * np.log1p(-np.asarray(smm, dtype=float)))


def deannualise(cpr: np.ndarray, days: np.ndarray | None = None) -> np.ndarray:
    """The period rate of an annual rate: ``1 - (1 - cpr)^(1/12)`` or ``1 - (1 - cpr)^(days/365)``."""
    with np.errstate(divide="ignore"):
        k = 1.0 / 12.0 if days is None else np.asarray(days, dtype=float) / DAYS_IN_YEAR
        return -np.expm1(k * np.log1p(-np.asarray(cpr, dtype=float)))


def _ratio(num, den) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def period_smm(smm_type: int, beginning, scheduled, prepayment) -> np.ndarray:
    """The SMM of each period by type (blank where the divisor is 0)."""
    base = np.asarray(beginning, dtype=float)
    if smm_type == 2:
        base = base - np.asarray(scheduled, dtype=float)
    return _ratio(prepayment, base)


def _as_date(p):
    """(date, month_only) of a period cell, or None for a number."""
    if isinstance(p, np.generic):
        p = p.item()
    if isinstance(p, bool):
        return None
    if isinstance(p, (int, float)):
        return None
    if isinstance(p, pd.Timestamp):
        p = p.to_pydatetime()
    if isinstance(p, np.datetime64):
        p = pd.Timestamp(p).to_pydatetime()
    if isinstance(p, _dt.datetime):
        return p.date(), False
    if isinstance(p, _dt.date):
        return p, False
    s = str(p).strip()
    for rx in _MONTH_ONLY:
        m = rx.match(s)
        if m:
            return _dt.date(int(m.group(1)), int(m.group(2)), 1), True
    return _dt.date.fromisoformat(s[:10]), False


def _month_back(d: _dt.date) -> _dt.date:
    y, m = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    last = calendar.monthrange(y, m)[1]
    day = last if d.day == calendar.monthrange(d.year, d.month)[1] else min(d.day, last)
    return _dt.date(y, m, day)


def period_days(periods, convention_value="type2_days", name: str = "convention") -> np.ndarray:
    """Days of each collection period, for the ``days`` annualisation.

    - a month text (``2008-01``, ``2008年1月``): the days of that calendar month (31);
    - a date (the report's or period's end date): the days since the previous row's date; the first
      row (and a date after a month text) counts from the same day one calendar month earlier, taken
      as the report before it (a month end counts from the previous month end: 2008-03-31 from
      2008-02-29, 31 days).

    Numbered periods carry no dates: refused, naming the convention.

    >>> period_days(["2008-01", "2008-02"]).tolist(), period_days(["2008-01-31", "2008-02-29", "2008-03-31"]).tolist()
    ([31.0, 29.0], [31.0, 29.0, 31.0])
    """
    dates = [_as_date(p) for p in periods]
    if any(d is None for d in dates):
        raise MbsxlInputError(f"{name}={convention_value!r} annualises by the days between report dates, but the "
                              "history's periods are numbers; label the periods with their report dates (e.g. "
                              "2008-01-31 or 2008-01), or use a monthly convention (type2_monthly, type1_monthly)")
    out = np.empty(len(dates))
    for i, (d, month_only) in enumerate(dates):
        if month_only:
            out[i] = calendar.monthrange(d.year, d.month)[1]
        elif i > 0 and not dates[i - 1][1]:
            out[i] = (d - dates[i - 1][0]).days
        else:
            out[i] = (d - _month_back(d)).days
    return out


def first_period_number(periods) -> float | None:
    """The first period's number, or None when the periods are dates or texts."""
    p = periods[0]
    if isinstance(p, np.generic):
        p = p.item()
    if isinstance(p, (int, float)) and not isinstance(p, bool):
        return float(p)
    return None


def _months_before(k: float | None) -> int | None:
    """Periods before a first period numbered ``k`` (1 -> 0); None when ``k`` is not a whole number >= 1."""
    return int(k) - 1 if k is not None and k == int(k) and k >= 1 else None


def initial_balance(periods, first_beginning: float, cutoff_balance, tolerance: float,
                    name: str = "cutoff_balance") -> tuple[float, int | None]:
    """``(B0, months_before)``: the cut-off balance the cumulative measures divide by, and the number of
    monthly periods between the cut-off and the first period (None when unknown).  Rules in the module
    docstring; a cut-off balance below the first beginning balance is refused (a pool only runs off)."""
    k = first_period_number(periods)
    if cutoff_balance is None:
        if k is not None and k > 1:
            raise MbsxlInputError(f"{name} is missing: the history's first period is number {k:g}, so {k - 1:g} "
                                  "collection period(s) since the cut-off are not in it and its first beginning "
                                  "balance is not the initial one; pass the initial pool balance "
                                  "(初始起算日资产池余额) as cutoff_balance for the cumulative default rate and the "
                                  "prepayment over the initial balance")
        if first_beginning <= 0:
            raise MbsxlInputError(f"history: the first beginning balance is 0; pass {name} (> 0)")
        return float(first_beginning), (0 if k is None else _months_before(k))
    b0 = v.number(name, cutoff_balance, lo=0.0, lo_open=True,
                  accepted="pass the initial pool balance at the cut-off (初始起算日资产池余额, > 0)")
    if b0 < first_beginning - tolerance:
        raise MbsxlInputError(f"{name}={b0:,.2f} is below the first report's beginning balance "
                              f"{first_beginning:,.2f}; the pool only runs off after the cut-off, so the cut-off "
                              "balance is at least the first beginning balance: pass the initial pool balance "
                              "(初始起算日资产池余额)")
    if k is not None:
        return b0, _months_before(k)
    return b0, (0 if abs(b0 - first_beginning) <= tolerance else None)


def prepayment_over_initial(prepayment, b0: float, months_before: int | None,
                            days: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``(C_t, U_t)`` of the module docstring; ``U_t`` blank where the time since the cut-off is unknown
    (``months_before`` None, or the ``days`` annualisation of a history not starting at the cut-off)."""
    cum = np.cumsum(np.asarray(prepayment, dtype=float)) / b0
    n = cum.size
    if months_before is None or (days is not None and months_before != 0):
        return cum, np.full(n, np.nan)
    if days is None:
        span = (months_before + np.arange(1, n + 1)) / 12.0
    else:
        span = np.cumsum(days) / DAYS_IN_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(cum < 1.0, -np.expm1(np.log1p(-np.minimum(cum, 1.0 - 1e-300)) / span), np.nan)
    return cum, u


def defaults_by_definition(t: pd.DataFrame, default_definition, name: str = "default_definition") -> np.ndarray:
    """The period default amounts under ``default_definition`` (:data:`mbsxl.options.DEFAULT_DEFINITION`):
    the reported Defaults column, the 90+ / 180+ new-defaults column, or a given column of amounts.
    A definition whose column the history does not report is refused, naming the column."""
    n = len(t)
    if isinstance(default_definition, (list, tuple, np.ndarray, pd.Series)):
        a = v.array(name, default_definition, lo=0.0)
        if a.size != n:
            raise MbsxlInputError(f"{name} has {a.size} amounts and the history {n} periods; pass one defaulted "
                                  "amount a period, or reported / 90+ / 180+")
        return a
    d = opt.default_definition(default_definition, name)
    col = {"reported": C.TRUSTEE_DEFAULTS, "90+": C.TRUSTEE_DEFAULTS_90, "180+": C.TRUSTEE_DEFAULTS_180}[d]
    out = t[col].to_numpy(dtype=float)
    if d != "reported" and np.isnan(out).all():
        raise MbsxlInputError(f"{name}={default_definition!r} needs the history column {col!r} (the principal of "
                              f"the loans that became {d} days past due in each period); the history has no such "
                              "column. Add it, or pass default_definition reported (the 违约金额 Defaults column) "
                              "or a column of defaulted amounts, one a period")
    return out
