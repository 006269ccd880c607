"""Prepayment and default rate conventions (SIFMA Standard Formulas, chapter SF, sections B and C).

All functions are elementwise on scalars and numpy arrays and return the same shape (a float for
a scalar).  Rates are decimals: 0.06 is 6%.

Conventions
-----------
- SMM (single monthly mortality) and CPR (conditional prepayment rate) are linked by
  ``(1 - SMM)**12 = 1 - CPR`` (SF-5).  MDR (monthly default rate) and CDR (constant default rate)
  are linked the same way (SF-20).
- Loan *age* is a point in time (a new loan has age 0); *month* is a span: month ``m`` is the
  period in which age goes from ``m - 1`` to ``m`` (SF-6).  :func:`psa` and :func:`sda` take the
  month number.  A pool of age ``a`` at the start of a projection is in month ``a + t`` in
  projection month ``t``.
- The historical SMM of a collection period is the prepayment over the balance that was left
  after scheduled amortisation: ``prepayment / (beginning_balance - scheduled_principal)``
  (SF-5; seed 002 eq. 1).  The Chinese market's other forms (issue 18: type 1 over the beginning
  balance; annualisation by the days of the period) are the ``convention`` of :func:`smm` and
  :func:`cpr` (options and published sources in :mod:`mbsxl.options`).

Example
-------
>>> round(float(smm(0.06)), 8)       # 6% CPR
0.00514301
>>> round(float(psa(1, 100)), 4)     # 100% PSA, month 1
0.002
"""
from __future__ import annotations

import numpy as np

from mbsxl import _validate as v
from mbsxl.errors import MbsxlInputError

__all__ = ["smm", "cpr", "mdr", "cdr", "psa", "psa_ramp", "sda", "smm_from_factors",
           "PSA_RAMP_MONTHS", "PSA_PEAK_CPR"]

PSA_RAMP_MONTHS = 30
PSA_PEAK_CPR = 0.06          # 100% PSA: 0.2% a month up to 6% at month 30, the plateau (SF-6)
SDA_PEAK_MONTH = 30
SDA_PEAK_CDR = 0.006         # 100% SDA: 0.02% a month up to 0.60% at month 30 (SF-20)
SDA_PLATEAU_END = 60
SDA_DECLINE_PER_MONTH = 0.000095
SDA_TAIL_CDR = 0.0003        # 0.03% from month 120


def _out(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


def _rates(name: str, x, *, hi: float = 1.0) -> np.ndarray:
    """Decimal rates in [0, hi] as an array; a scalar 8 is named as a percent typed as a number."""
    v.no_bool(name, x)
    a = v.floats(name, x) if not isinstance(x, (int, float)) else np.asarray(float(x))
    if a.ndim == 0:
        v.rate(name, float(a), hi=hi)
        return a
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise MbsxlInputError(f"{name}{list(idx)} is {a[idx]}; pass finite decimals")
    if (a < 0).any() or (a > hi).any():
        idx = tuple(int(i) for i in np.argwhere((a < 0) | (a > hi))[0])
        val = float(a[idx])
        if hi < val <= 100 * hi:
            raise MbsxlInputError(f"{name}{list(idx)}={val:g} looks like a percent; pass {val / 100:g}")
        raise MbsxlInputError(f"{name}{list(idx)}={val:g} is out of range; accepted: [0, {hi:g}]")
    return a


def annual_to_monthly(a: np.ndarray) -> np.ndarray:
    """``1 - (1 - a)**(1/12)``, computed as ``-expm1(log1p(-a)/12)`` to keep full precision at small rates."""
    with np.errstate(divide="ignore"):
        return -np.expm1(np.log1p(-np.asarray(a, dtype=float)) / 12.0)


def monthly_to_annual(a: np.ndarray) -> np.ndarray:
    """``1 - (1 - a)**12``, computed as ``-expm1(12 log1p(-a))``."""
    with np.errstate(divide="ignore"):
        return -np.expm1(12.0 * np.log1p(-np.asarray(a, dtype=float)))


def _from_report(name: str, amount, beginning_balance, scheduled_principal, smm_type: int = 2) -> np.ndarray:
    """``amount / (beginning_balance - scheduled_principal)`` (type 2) or ``amount / beginning_balance``
    (type 1, ``scheduled_principal`` may be None) with the arguments named in errors."""
    args = [(name, amount), ("beginning_balance", beginning_balance)]
    if scheduled_principal is not None or smm_type == 2:
        args.append(("scheduled_principal", scheduled_principal))
    for label, arg in args:
        v.no_bool(label, arg)
    arrs = [v.floats(label, arg) for label, arg in args]
    try:
        arrs = list(np.broadcast_arrays(*arrs))
    except ValueError:
        raise MbsxlInputError(f"{', '.join(a for a, _ in args)} have shapes "
                              f"{', '.join(str(np.shape(x)) for _, x in args)}; pass ranges of the same length") from None
    for (label, _), arr in zip(args, arrs):
        if (~np.isfinite(arr)).any():
            raise MbsxlInputError(f"{label} holds a value that is not a finite number")
        if (arr < 0).any():
            i = tuple(int(k) for k in np.argwhere(arr < 0)[0])
            raise MbsxlInputError(f"{label}{list(i) if arr.ndim else ''}={float(arr[i]):g} is negative; amounts must be >= 0")
    amt, beg = arrs[0], arrs[1]
    if smm_type == 2:
        base = beg - arrs[2]
        if (base <= 0).any():
            i = tuple(int(k) for k in np.argwhere(base <= 0)[0])
            raise MbsxlInputError(f"beginning_balance - scheduled_principal = {float(base[i]):g} at "
                                  f"{list(i) if base.ndim else 'the period'}; it must be positive")
        what = "the balance left after scheduled principal"
    else:
        base = beg
        if (base <= 0).any():
            i = tuple(int(k) for k in np.argwhere(base <= 0)[0])
            raise MbsxlInputError(f"beginning_balance = {float(base[i]):g} at {list(i) if base.ndim else 'the period'};"
                                  " it must be positive")
        what = "the beginning balance"
    out = amt / base
    if (out > 1).any():
        i = tuple(int(k) for k in np.argwhere(out > 1)[0])
        raise MbsxlInputError(f"{name}={float(amt[i]):g} exceeds {what} ({float(base[i]):g})")
    return out


def _days(days, conv) -> np.ndarray | None:
    """The period's days for the ``days`` annualisation (None for monthly); refused when missing or <= 0."""
    from mbsxl.options import prepay_convention_name
    if conv[1] == "monthly":
        if days is not None:
            raise MbsxlInputError(f"days={days!r} is given but convention={prepay_convention_name(conv)!r} annualises "
                                  "monthly; pass a days convention (type2_days, type1_days) or leave days empty")
        return None
    if days is None:
        raise MbsxlInputError(f"days is missing: convention={prepay_convention_name(conv)!r} annualises by the days "
                              "in the period, 1-(1-SMM)^(365/days); pass the days (e.g. 31)")
    v.no_bool("days", days)
    d = v.floats("days", days)
    if (~np.isfinite(d)).any() or (d <= 0).any() or (d > 366).any():
        bad = d[~np.isfinite(d) | (d <= 0) | (d > 366)].flat[0]
        raise MbsxlInputError(f"days={bad:g} is out of range; accepted: the days of a collection period, (0, 366]")
    return d


def smm(cpr, beginning_balance=None, scheduled_principal=None, convention=None, days=None):
    """Single monthly mortality.

    With one argument, from a CPR: ``SMM = 1 - (1 - CPR)**(1/12)`` (SF-5), or with a ``days``
    convention the rate of a period of ``days`` days, ``1 - (1 - CPR)**(days/365)``.
    With the trustee-report columns, the historical SMM of a collection period: the first argument is
    then the period's prepayment amount and ``SMM = prepayment / (beginning_balance -
    scheduled_principal)`` (type 2, default) or ``prepayment / beginning_balance`` (type 1; the
    scheduled principal is then not needed).  ``convention``: :func:`mbsxl.options.prepay_convention`
    (the SMM type matters only with the report columns; the annualisation only from a CPR).

    >>> round(smm(0.4179), 6)
    0.044091
    >>> smm(100.0, 1000.0, 0.0)
    0.1
    >>> smm(100.0, 1000.0, 200.0, "type1"), smm(100.0, 1000.0, 200.0)       # 100/1000; 100/(1000-200)
    (0.1, 0.125)
    """
    from mbsxl.options import prepay_convention
    conv = prepay_convention(convention)
    if beginning_balance is None and scheduled_principal is None:
        d = _days(days, conv)
        a = _rates("cpr", cpr)
        return _out(annual_to_monthly(a) if d is None else -np.expm1(d / 365.0 * np.log1p(-a)))
    if days is not None:
        raise MbsxlInputError(f"days={days!r} is not used with the trustee-report columns (the SMM of a period is a "
                              "period rate); leave days empty")
    if beginning_balance is None or (scheduled_principal is None and conv[0] == 2):
        raise MbsxlInputError("pass both beginning_balance and scheduled_principal, or neither (type 1, "
                              "prepayment / beginning, needs beginning_balance only)")
    return _out(_from_report("prepayment", cpr, beginning_balance, scheduled_principal, conv[0]))


def cpr(smm, beginning_balance=None, scheduled_principal=None, convention=None, days=None):
    """Conditional prepayment rate (annualised SMM): ``CPR = 1 - (1 - SMM)**12`` (SF-5), or with a
    ``days`` convention ``1 - (1 - SMM)**(365/days)`` (``days`` the days of the period).

    With the trustee-report columns the first argument is the period's prepayment amount and the SMM is
    first backed out of them as in :func:`smm` (type 2 default, seed 002: CPR = 1 - (1 - SMM)^12; type 1
    over the beginning balance).

    >>> round(cpr(0.005143), 4)
    0.06
    >>> round(cpr(0.01, convention="type2_days", days=31), 6)          # 1 - 0.99^(365/31)
    0.111601
    """
    from mbsxl.options import prepay_convention
    conv = prepay_convention(convention)
    d = _days(days, conv)
    if beginning_balance is None and scheduled_principal is None:
        s = _rates("smm", smm)
    elif beginning_balance is None or (scheduled_principal is None and conv[0] == 2):
        raise MbsxlInputError("pass both beginning_balance and scheduled_principal, or neither (type 1, "
                              "prepayment / beginning, needs beginning_balance only)")
    else:
        s = _from_report("prepayment", smm, beginning_balance, scheduled_principal, conv[0])
    return _out(monthly_to_annual(s) if d is None else -np.expm1(365.0 / d * np.log1p(-s)))


def mdr(cdr):
    """Monthly default rate from an annual CDR: ``MDR = 1 - (1 - CDR)**(1/12)`` (SF-20).

    >>> round(mdr(0.006), 8)
    0.00050138
    """
    return _out(annual_to_monthly(_rates("cdr", cdr)))


def cdr(mdr):
    """Annual constant default rate from an MDR: ``CDR = 1 - (1 - MDR)**12`` (SF-20)."""
    return _out(monthly_to_annual(_rates("mdr", mdr)))


def _months(name: str, month) -> np.ndarray:
    v.no_bool(name, month)
    m = v.floats(name, month)
    if (~np.isfinite(m)).any():
        raise MbsxlInputError(f"{name} holds a value that is not a finite number")
    if (m < 0).any() or (m != np.floor(m)).any():
        bad = m[(m < 0) | (m != np.floor(m))].flat[0]
        raise MbsxlInputError(f"{name}={bad:g} is not a whole number of months >= 0")
    if (m > v.MAX_MONTHS).any():
        bad = m[m > v.MAX_MONTHS].flat[0]
        raise MbsxlInputError(f"{name}={bad:g} is above the cap of {v.MAX_MONTHS} months (50 years); "
                              f"pass a month number of at most {v.MAX_MONTHS}")
    return m


def _speed(name: str, speed) -> np.ndarray:
    """Speeds in percent of the benchmark (150 = 150%); see :func:`mbsxl._validate.speeds`."""
    return v.speeds(name, speed)


def psa_ramp(month, peak=1.0):
    """The PSA ramp of SF-6: ``min(max(month, 1), 30) * peak / 30`` (``psa`` and the OAS prepayment read it).

    ``peak=1`` (default) gives the ramp as a fraction of the plateau (0 < ramp <= 1, the factor the
    refinancing model of :func:`mbsxl.pool.prepayment.refi_cpr` applies); ``peak=PSA_PEAK_CPR`` gives the
    100% PSA CPR.  No validation (callers check ``month``); numpy arrays in, a float array out.

    >>> psa_ramp([0, 15, 30, 40]).tolist()
    [0.03333333333333333, 0.5, 1.0, 1.0]
    """
    return np.clip(np.asarray(month, dtype=float), 1, PSA_RAMP_MONTHS) * (peak / PSA_RAMP_MONTHS)


def psa(age, speed=100):
    """CPR on the PSA ramp (SF-6): ``CPR = speed/100 * 0.2% * min(month, 30)``, capped at 100%.

    ``age`` is the month number (1 for a new loan's first month; a pool seasoned 10 months is in
    month 11 in its next month).  Month 0 is treated as month 1, as SF-6's ``max(1, ...)`` does.
    ``speed`` is a percent number (150 = 150% PSA); 0 < speed < 5 is refused as a percent written as
    a fraction (1.5 for "150%").

    >>> round(psa(30, 100), 4), round(psa(15, 150), 4)
    (0.06, 0.045)
    """
    m = _months("age", age)
    s = _speed("speed", speed)
    return _out(np.minimum(psa_ramp(m, PSA_PEAK_CPR) * s / 100.0, 1.0))


def sda(age, speed=100, remaining_term=None, recovery_lag=0):
    """Annual default rate (CDR) on the SDA curve (SF-20).

    100% SDA: 0.02% x month for months 1-30 (0.60% at month 30), 0.60% to month 60, then down
    0.0095% a month to 0.03% at month 120, 0.03% after.  Speed scales the curve (capped at 100%).
    The Standard Formulas set the default rate to 0 in the final ``recovery_lag`` months of a
    loan's life: pass ``remaining_term`` (months left, counted from this month) to apply that.

    >>> round(sda(30), 6), round(sda(61), 7), round(sda(120), 6), round(sda(200), 6)
    (0.006, 0.005905, 0.0003, 0.0003)
    """
    m = _months("age", age)
    s = _speed("speed", speed)
    base = np.where(m <= SDA_PEAK_MONTH, SDA_PEAK_CDR / SDA_PEAK_MONTH * m,
           np.where(m <= SDA_PLATEAU_END, SDA_PEAK_CDR,
           np.maximum(SDA_PEAK_CDR - SDA_DECLINE_PER_MONTH * (m - SDA_PLATEAU_END), SDA_TAIL_CDR)))
    out = np.minimum(base * s / 100.0, 1.0)
    if remaining_term is not None:
        rt = _months("remaining_term", remaining_term)
        out = np.where(rt <= v.whole("recovery_lag", recovery_lag, lo=0), 0.0, out)
    return _out(out)


def smm_from_factors(factor_begin, factor_end, scheduled_balance_begin, scheduled_balance_end):
    """Historical SMM from pool factors (SF-5/SF-7).

    ``F_sched = F1 * BAL2 / BAL1`` is the factor the pool would have had with no prepayment;
    ``SMM = (F_sched - F2) / F_sched``.  ``BAL`` is the amortised loan balance per unit of par
    (scheduled factor) at the start and end of the month.

    >>> round(smm_from_factors(0.85150625, 0.84732282, 0.99213300, 0.99157471), 6)   # SF-7 example
    0.004353
    """
    f1, f2 = v.floats("factor_begin", factor_begin), v.floats("factor_end", factor_end)
    b1 = v.floats("scheduled_balance_begin", scheduled_balance_begin)
    b2 = v.floats("scheduled_balance_end", scheduled_balance_end)
    for name, a in (("factor_begin", f1), ("factor_end", f2), ("scheduled_balance_begin", b1),
                    ("scheduled_balance_end", b2)):
        if (~np.isfinite(a)).any() or (a < 0).any():
            raise MbsxlInputError(f"{name} must hold finite factors >= 0")
        if (a > 1).any():
            bad = float(a[a > 1].flat[0])
            raise MbsxlInputError(f"{name}={bad:g} is above 1; a factor is a balance per unit of original "
                                  f"balance, in [0, 1] (pass 0.85 for 85% outstanding)")
    if (b1 <= 0).any():
        raise MbsxlInputError("scheduled_balance_begin must be > 0")
    fsched = f1 * b2 / b1
    if (fsched <= 0).any():
        raise MbsxlInputError("the scheduled factor F1 * BAL2 / BAL1 is 0; the SMM is undefined")
    return _out((fsched - f2) / fsched)
