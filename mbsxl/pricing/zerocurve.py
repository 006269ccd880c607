"""Zero curves and the Z-spread (静态利差).

Zero curve
    ``curve_terms`` (years, increasing) and ``curve_rates`` (zero-coupon rates as decimals) on the
    basis ``compounding``: ``"continuous"`` (default), or 1, 2, 4, 12 times a year.  Between terms the
    zero rate is interpolated linearly in term; before the first and after the last it is held flat.
    The discount factor at ``t`` years is ``exp(-z t)`` or ``(1 + z/m) ** (-m t)``.

Z-spread (static spread)
    The constant ``s`` added to every zero rate, on the curve's own compounding, so that the flows
    discounted at ``z(T_k) + s`` equal the price (plus accrued).  The flows' times ``T_k`` follow
    :func:`mbsxl.pricing.measures.payment_times` (30/360, delay and settlement days as in the Standard Formulas).

Example
-------
>>> cf = [5.0] * 9 + [105.0]
>>> round(zspread(cf, 100.0, [1, 10], [0.04, 0.04], periods_per_year=1) * 1e4, 2)   # ln(1.05) - 4%, in bp
87.9
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from mbsxl.pricing._brentq import brentq

from mbsxl import _validate as v
from mbsxl import options as _opt
from mbsxl.pricing import measures as _pr

__all__ = ["ZeroCurve", "zspread", "solve_spread"]


class ZeroCurve:
    """A zero curve: linear interpolation of the quoted zero rate in term, flat beyond the ends.

    >>> c = ZeroCurve([1, 2], [0.02, 0.04], compounding=2)
    >>> round(float(c.rate(1.5)), 4), round(float(c.discount(2.0)), 6)
    (0.03, 0.923845)
    """

    def __init__(self, curve_terms, curve_rates, compounding="continuous"):
        t = v.array("curve_terms", curve_terms, lo=0)
        r = v.array("curve_rates", curve_rates, lo=-0.5, hi=1.0, percent_hint=True)
        if t.size != r.size:
            raise v.MbsxlInputError(f"curve_terms has {t.size} values and curve_rates {r.size}; pass one rate per term")
        if t.size == 0:
            raise v.MbsxlInputError("curve_terms is empty; pass at least one term and rate")
        if t.size > 1 and (np.diff(t) <= 0).any():
            i = int(np.argmax(np.diff(t) <= 0)) + 1
            raise v.MbsxlInputError(f"curve_terms[{i}]={t[i]:g} does not increase; pass terms in increasing order")
        self.terms, self.rates, self.m = t, r, _opt.curve_compounding(compounding)

    def rate(self, t):
        """Zero rate at ``t`` years on the curve's compounding."""
        return np.interp(np.asarray(t, dtype=float), self.terms, self.rates)

    def discount(self, t, spread: float = 0.0):
        """Discount factor at ``t`` years with ``spread`` added to the zero rate."""
        t = np.asarray(t, dtype=float)
        z = self.rate(t) + spread
        if self.m == 0:
            return np.exp(-z * t)
        return np.exp(-self.m * t * np.log1p(z / self.m))

    def forward(self, t, h: float = 1e-4):
        """Instantaneous forward rate ``-d ln P / dt`` (continuous), by a central difference."""
        t = np.asarray(t, dtype=float)
        lo = np.maximum(t - h, 0.0)
        hi = t + h
        return (np.log(self.discount(lo)) - np.log(self.discount(hi))) / (hi - lo)

    def shifted(self, bump: float) -> "ZeroCurve":
        """The same curve with every quoted rate moved by ``bump``."""
        return ZeroCurve(self.terms, self.rates + bump, "continuous" if self.m == 0 else self.m)


# --------------------------------------------------------------------------------------------
# Z-spread
# --------------------------------------------------------------------------------------------
def solve_spread(pv: Callable[[float], float], target: float, what: str) -> float:
    """The spread ``s`` with ``pv(s) = target`` (``pv`` decreasing in ``s``), bracketed then solved by Brent."""
    lo, hi = -0.05, 0.05
    with np.errstate(over="ignore"):
        while pv(lo) < target and lo > -0.9:
            lo *= 2
        while pv(hi) > target and hi < 5.0:
            hi *= 2
        if not (pv(lo) >= target >= pv(hi)):
            raise v.MbsxlInputError(f"no {what} between {lo:g} and {hi:g} reprices the flows at the given price")
        return float(brentq(lambda s: pv(s) - target, lo, hi, xtol=1e-13, rtol=1e-13, maxiter=500))


def zspread(cash_flows, price, curve_terms, curve_rates, delay_days=0, settle_days=0, basis="30/360", *,
            compounding="continuous", balance=100.0, coupon=None, periods_per_year=12, start_date=None,
            payment_day=None) -> float:
    """Z-spread (decimal) over a zero curve that reprices a cash-flow column at ``price``.

    Solves ``price + accrued = 100 / balance * sum CF_k * DF(T_k; z(T_k) + s)`` where ``z`` is the
    curve's zero rate (linear in term, flat beyond the ends) on its ``compounding`` and the spread is
    added on that same compounding.  Times, delay, settlement and accrued interest as in
    :func:`mbsxl.pricing.measures.price`.  A flat curve at a bond-equivalent yield with ``compounding=2``
    gives a Z-spread of 0 at the yield's price.

    >>> import numpy as np
    >>> from mbsxl.pricing.measures import price
    >>> cf = np.full(120, 1.0); cf[-1] += 100
    >>> p = price(cf, 0.06, compounding=2)
    >>> abs(zspread(cf, p, [0.5, 30], [0.06, 0.06], compounding=2)) < 1e-12
    True
    """
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    cf, t = _pr._setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day)
    p = v.number("price", price, lo=0, lo_open=True)
    target = p + _pr._accrued_or_zero(coupon, settle_days, basis)
    return solve_spread(lambda s: float(cf @ curve.discount(t, s)), target, "Z-spread")
