"""Breakeven default rates (盈亏平衡违约率): the CDR at which a class first loses principal, and the CDR
at which its yield falls to a threshold.

Each evaluation at a CDR ``c`` is a full pool projection (:func:`mbsxl.cashflows` at the given CPR,
CDR ``c``, severity) and a full waterfall (:func:`mbsxl.tranches`, every waterfall keyword passed
on unchanged), as one scenario of :func:`mbsxl.grid`.

Search (bracket ``[0, cdr_max]``, default ``[0, 1]`` = 0% to 100% CDR; ``tolerance`` in CDR, default
1e-6 = 0.0001%):

- **Principal loss**: bisection on "the class is written down (its ``Loss`` column sums to more than
  0)"; the bracket keeps a CDR without a loss below and one with a loss above until they are at most
  ``tolerance`` apart, and the upper one is returned: a loss at the returned CDR, none at
  ``tolerance`` below it.  About ``log2(cdr_max / tolerance)`` (20) waterfalls.
- **Yield**: Brent's method on ``price_c(threshold) - price``, the class's price per 100 of original
  face at the threshold yield minus the given price (the yield at CDR ``c`` is above the threshold
  exactly when that difference is positive), to ``tolerance`` in CDR: the yield at the returned CDR
  equals the threshold to the accuracy the CDR allows.  It starts from the tightest bracket among
  the CDRs the loss search ran (each CDR is run once; ``Waterfalls run`` counts them).

Assumption: the class's loss and yield are monotone in the CDR (more defaults never reduce the loss
or raise the yield).  That holds for bottom-up losses at a fixed severity; a trigger, a clean-up
call that moves with the CDR or excess spread released to a class can break it, and then the search
returns one crossing, not necessarily the first.  When the bracket's ends do not straddle the
breakeven (no loss even at ``cdr_max``, a loss already at CDR 0, a yield below the threshold at
CDR 0 or above it at ``cdr_max``) the error says so, naming the argument.

Example
-------
>>> t = breakeven(1000.0, 0.06, 60, ["A", "B"], [800, 200], [0.04, 0.0], "A", 0.1, 0.5, 0.02)
>>> [(m, round(float(x), 4)) for m, x in zip(t["Measure"], t["Value"])][:2]
[('Principal loss breakeven CDR', 0.2259), ('Yield breakeven CDR', 0.2672)]
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from mbsxl.pricing._brentq import brentq

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError
from mbsxl.deal.scenario import Deal, Pricing


def _search_args(cpr, severity, cdr_max, tolerance):
    c = v.fraction("cpr", cpr)
    s = v.fraction("severity", severity)
    hi = v.number("cdr_max", cdr_max, lo=0.0, hi=1.0, lo_open=True,
                  accepted="accepted: a CDR as a decimal in (0, 1], e.g. 1 for 100%")
    tol = v.number("tolerance", tolerance, lo=1e-10, hi=0.01,
                   accepted="accepted: a CDR step as a decimal in [1e-10, 0.01], e.g. 1e-6")
    return c, s, hi, tol


class _Counter:
    """The class's flows at a CDR, each CDR run once (the two searches share their evaluations)."""

    def __init__(self, deal: Deal, cpr: float, severity: float):
        self.deal, self.cpr, self.severity, self.seen = deal, cpr, severity, {}

    @property
    def runs(self) -> int:
        return len(self.seen)

    def __call__(self, cdr: float):
        if cdr not in self.seen:
            self.seen[cdr] = self.deal.flows(self.deal.project(self.cpr, cdr, self.severity))
        return self.seen[cdr]


def loss_breakeven(flows: _Counter, cdr_max: float, tolerance: float) -> float:
    """The lowest CDR with a principal loss, by bisection (module docstring)."""
    name = flows.deal.class_
    if flows(0.0)[1].sum() > 0:
        raise MbsxlInputError(f"class_={name!r} loses principal already at CDR 0; no loss breakeven in "
                              f"[0, cdr_max={v._fmt(cdr_max)}]")
    if not flows(cdr_max)[1].sum() > 0:
        raise MbsxlInputError(f"class_={name!r} loses no principal even at CDR cdr_max={v._fmt(cdr_max)} (severity "
                              f"{v._fmt(flows.severity)}, CPR {v._fmt(flows.cpr)}): no loss breakeven in the bracket; "
                              "raise cdr_max or the severity")
    lo, hi = 0.0, cdr_max
    while hi - lo > tolerance:
        mid = 0.5 * (lo + hi)
        if flows(mid)[1].sum() > 0:
            hi = mid
        else:
            lo = mid
    return hi


def yield_breakeven(flows: _Counter, pricing: Pricing, threshold: float, cdr_max: float, tolerance: float) -> float:
    """The CDR at which the yield at the price equals ``threshold``, by Brent's method (module docstring),
    started from the tightest bracket among the CDRs already run."""
    def gap(cdr):
        prin, loss, cf, original = flows(cdr)
        return pricing.price_at(cf, original, threshold) - pricing.price

    name = flows.deal.class_
    g0 = gap(0.0)
    if g0 < 0:
        raise MbsxlInputError(f"yield_threshold={v._fmt(threshold)} is above class_={name!r}'s yield already at CDR 0 "
                              "at this price; no yield breakeven in the bracket")
    if g0 == 0:
        return 0.0
    g1 = gap(cdr_max)
    if g1 == 0:
        return cdr_max
    if g1 > 0:
        raise MbsxlInputError(f"class_={name!r}'s yield stays above yield_threshold={v._fmt(threshold)} up to CDR "
                              f"cdr_max={v._fmt(cdr_max)}: no yield breakeven in the bracket; raise cdr_max or "
                              "yield_threshold")
    known = sorted((c, gap(c)) for c in list(flows.seen) if 0.0 <= c <= cdr_max)
    lo = max(c for c, g in known if g >= 0)
    hi = min(c for c, g in known if g < 0 and c > lo)
    return float(brentq(gap, lo, hi, xtol=tolerance, rtol=4 * np.finfo(float).eps, maxiter=200))


def breakeven(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, cpr, severity,
              yield_threshold=None, price=100.0, recovery_lag=0, servicing=0.0, age=0, structure="sequential",
              cleanup_call=0.0, index=None, floating=None, fees=0.0, compounding=2, payment_day=None,
              cdr_max=1.0, tolerance=1e-6, *, delay_days=0, interest_on_shortfall=False, pool_balance=None,
              residual=True, advance=True, amortization="level_payment", **waterfall) -> pd.DataFrame:
    """Breakeven CDRs of ``class_`` at a fixed ``cpr`` and ``severity`` (module docstring), a
    Measure/Value table with rows :data:`mbsxl.columns.BREAKEVEN_ROWS`: the principal-loss breakeven
    CDR; the yield breakeven CDR and the threshold (empty without ``yield_threshold``); the tolerance;
    the number of waterfalls run.  Other arguments as :func:`mbsxl.grid`; ``yield_threshold`` an
    annual decimal on ``compounding``, at ``price`` per 100 of original face.
    """
    c, s, hi, tol = _search_args(cpr, severity, cdr_max, tolerance)
    pricing = Pricing(price, compounding, delay_days, payment_day)
    thr = None if yield_threshold is None else _yield_threshold(yield_threshold)
    deal = Deal(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, recovery_lag,
                servicing, age, advance, amortization,
                dict(structure=structure, cleanup_call=cleanup_call, index=index, floating=floating, fees=fees,
                     interest_on_shortfall=interest_on_shortfall, pool_balance=pool_balance, residual=residual,
                     **waterfall))
    flows = _Counter(deal, c, s)
    loss_cdr = loss_breakeven(flows, hi, tol)
    yield_cdr = np.nan if thr is None else yield_breakeven(flows, pricing, thr, hi, tol)
    values = [loss_cdr, yield_cdr, np.nan if thr is None else thr, tol, flows.runs]
    return pd.DataFrame({C.MEASURE: C.BREAKEVEN_ROWS, C.VALUE: values}, columns=[C.MEASURE, C.VALUE])


def _yield_threshold(value) -> float:
    y = v.number("yield_threshold", value)
    if 1.0 < abs(y) <= 100.0:
        raise MbsxlInputError(f"yield_threshold={v._fmt(y)} looks like a percent; pass {v._fmt(y / 100)}")
    return v.number("yield_threshold", y, lo=-0.99, hi=1.0, accepted="accepted: an annual yield as a decimal "
                    "in [-0.99, 1], e.g. 0.04 for 4%")
