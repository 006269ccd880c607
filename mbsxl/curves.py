"""Zero curves, the Z-spread, Hull-White short-rate paths and the option-adjusted spread (OAS).

Zero curve
    ``curve_terms`` (years, increasing) and ``curve_rates`` (zero-coupon rates as decimals) on the
    basis ``compounding``: ``"continuous"`` (default), or 1, 2, 4, 12 times a year.  Between terms the
    zero rate is interpolated linearly in term; before the first and after the last it is held flat.
    The discount factor at ``t`` years is ``exp(-z t)`` or ``(1 + z/m) ** (-m t)``.

Z-spread (static spread, 静态利差)
    The constant ``s`` added to every zero rate, on the curve's own compounding, so that the flows
    discounted at ``z(T_k) + s`` equal the price (plus accrued).  The flows' times ``T_k`` follow
    :func:`mbsxl.pricing.payment_times` (30/360, delay and settlement days as in the Standard Formulas).

Short-rate model (Hull-White one factor, 赫尔-怀特模型)
    ``dr = (theta(t) - a r) dt + sigma dW``, fitted exactly to the zero curve:
    ``r(t) = x(t) + phi(t)``, ``dx = -a x dt + sigma dW``, ``x(0) = 0``,
    ``phi(t) = f(0, t) + sigma**2 / (2 a**2) (1 - exp(-a t))**2``.  ``x`` is simulated exactly
    (Ornstein-Uhlenbeck transition) at the flows' times, ``I``, its integral, by the trapezoid rule on
    those times; the path discount factor ``P(0, T) exp(-I(T) - V(T)/2)``, ``V`` the exact variance of
    that discrete ``I``, has expectation ``P(0, T)`` for any step, so the paths reprice the curve.
    Antithetic variates (each normal draw used with both signs) are on by default; the seed is fixed
    by default (numpy SFC64 stream) so a recalculation returns the same number.  The paths run in a
    numba kernel parallel over paths when numba is installed, else vectorised over paths in numpy
    (same arithmetic, same numbers; ``engine=`` or ``MBSXL_ENGINE`` chooses).

OAS (期权调整利差)
    A continuously compounded spread ``s`` added to the short rate on every path:
    ``price + accrued = mean over paths of sum_k CF_pk P_p(0, T_k) exp(-s T_k)`` (per 100 of current
    face).  With a continuously compounded curve, zero volatility and the same flows, the OAS equals
    the Z-spread.  The pool's flows on each path come from a prepayment rate that depends on the path
    (:func:`refi_cpr`, or any callable) and the Standard Formulas pool arithmetic (SF-4: pool factor =
    survival factor x amortised loan balance), see :func:`path_cashflows`.  The price standard
    error comes from the independent antithetic pairs; effective duration and convexity (SF-51) from
    the curve shifted by +-``bump``, on the same paths, holding the OAS.

Command line: ``python -m mbsxl.curves --paths 100000`` runs the Jianyuan pool with progress on stderr.

Example
-------
>>> import mbsxl
>>> cf = [5.0] * 9 + [105.0]
>>> round(zspread(cf, 100.0, [1, 10], [0.04, 0.04], periods_per_year=1) * 1e4, 2)   # ln(1.05) - 4%, in bp
87.9
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from . import _validate as v
from . import pricing as _pr

DEFAULT_SEED = 20071214          # Jianyuan 2007-1 issue date
_ALMOST_ONE = 1.0 - 1e-15        # a prepayment rate of 100% is taken as this, so ln(1 - rate) stays finite
OAS_COLUMNS = ["Measure", "Value"]
OAS_ROWS = ["OAS", "Price std error", "Effective duration", "Effective convexity", "Paths",
            "Model price", "Z-spread (zero vol)"]


# --------------------------------------------------------------------------------------------
# zero curve
# --------------------------------------------------------------------------------------------
def _comp(value) -> int:
    """0 for continuous compounding, else 1, 2, 4 or 12."""
    if isinstance(value, str) and value.strip().lower() in ("continuous", "cont", "c", "0"):
        return 0
    if value in (0, 0.0):
        return 0
    return _pr._compounding(value)


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
            raise ValueError(f"curve_terms has {t.size} values and curve_rates {r.size}; pass one rate per term")
        if t.size == 0:
            raise ValueError("curve_terms is empty; pass at least one term and rate")
        if t.size > 1 and (np.diff(t) <= 0).any():
            i = int(np.argmax(np.diff(t) <= 0)) + 1
            raise ValueError(f"curve_terms[{i}]={t[i]:g} does not increase; pass terms in increasing order")
        self.terms, self.rates, self.m = t, r, _comp(compounding)

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
def _solve_spread(pv: Callable[[float], float], target: float, what: str) -> float:
    lo, hi = -0.05, 0.05
    with np.errstate(over="ignore"):
        while pv(lo) < target and lo > -0.9:
            lo *= 2
        while pv(hi) > target and hi < 5.0:
            hi *= 2
        if not (pv(lo) >= target >= pv(hi)):
            raise ValueError(f"no {what} between {lo:g} and {hi:g} reprices the flows at the given price")
        return float(brentq(lambda s: pv(s) - target, lo, hi, xtol=1e-13, rtol=1e-13, maxiter=500))


def zspread(cash_flows, price, curve_terms, curve_rates, delay_days=0, settle_days=0, basis="30/360", *,
            compounding="continuous", balance=100.0, coupon=None, periods_per_year=12, start_date=None,
            payment_day=None) -> float:
    """Z-spread (decimal) over a zero curve that reprices a cash-flow column at ``price``.

    Solves ``price + accrued = 100 / balance * sum CF_k * DF(T_k; z(T_k) + s)`` where ``z`` is the
    curve's zero rate (linear in term, flat beyond the ends) on its ``compounding`` and the spread is
    added on that same compounding.  Times, delay, settlement and accrued interest as in
    :func:`mbsxl.pricing.price`.  A flat curve at a bond-equivalent yield with ``compounding=2``
    gives a Z-spread of 0 at the yield's price.

    >>> import numpy as np
    >>> from mbsxl.pricing import price
    >>> cf = np.full(120, 1.0); cf[-1] += 100
    >>> p = price(cf, 0.06, compounding=2)
    >>> abs(zspread(cf, p, [0.5, 30], [0.06, 0.06], compounding=2)) < 1e-12
    True
    """
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    cf, t = _pr._setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day)
    p = v.number("price", price, lo=0, lo_open=True)
    target = p + _pr._accrued_or_zero(coupon, settle_days, basis)
    return _solve_spread(lambda s: float(cf @ curve.discount(t, s)), target, "Z-spread")


# --------------------------------------------------------------------------------------------
# Hull-White paths
# --------------------------------------------------------------------------------------------
def _rng(seed) -> np.random.Generator:
    """The random stream of the simulation: numpy's SFC64 generator seeded with ``seed`` (an int)."""
    if seed is None:
        raise ValueError("seed is blank; pass a whole number (the default is fixed so results repeat)")
    return np.random.Generator(np.random.SFC64(v.whole("seed", seed, lo=0)))


def _chunk_normals(rng: np.random.Generator, n_paths: int, n_steps: int, antithetic: bool) -> np.ndarray:
    """Standard normals for one block of paths, draws x steps (path-major).

    Draws come path by path from one generator, so blocks of any size read the same stream.  With
    antithetic variates only ``n_paths/2`` paths are drawn: the block's second half is the first half
    negated (paths ``i`` and ``i + n_paths/2`` are a pair).
    """
    if antithetic and n_paths % 2:
        raise ValueError(f"paths={n_paths} is odd; antithetic variates need an even number of paths")
    return rng.standard_normal((n_paths // 2 if antithetic else n_paths, n_steps))


def _hw_moments(a: float, sigma: float, h: np.ndarray):
    """Exact one-step moments of (x, I = integral of x) for Hull-White: decay, I-loading, var x, var I, cov."""
    if a < 1e-8:
        return (np.ones_like(h), h, sigma ** 2 * h, sigma ** 2 * h ** 3 / 3, sigma ** 2 * h ** 2 / 2)
    e1 = -np.expm1(-a * h)            # 1 - exp(-a h)
    e2 = -np.expm1(-2 * a * h)        # 1 - exp(-2 a h)
    decay = 1.0 - e1
    load = e1 / a
    vx = sigma ** 2 * e2 / (2 * a)
    vi = sigma ** 2 / a ** 2 * (h - 2 * e1 / a + e2 / (2 * a))
    cov = sigma ** 2 / (2 * a ** 2) * e1 ** 2
    return decay, load, vx, vi, cov


def _check_model(mean_reversion, sigma):
    a = v.number("mean_reversion", mean_reversion, lo=0, hi=5)
    s = v.number("sigma", sigma, lo=0, hi=0.2, accepted="accepted: [0, 0.2] (an absolute rate volatility, "
                 "e.g. 0.01 for 100 bp a year)")
    return a, s


def _cumsum_rows(a: np.ndarray) -> np.ndarray:
    """In-place cumulative sum down the rows of a C-ordered months x paths array.

    A row loop of whole-row additions: about twice as fast as ``np.cumsum(axis=0)`` at 360 x 500.
    """
    for k in range(1, a.shape[0]):
        a[k] += a[k - 1]
    return a


class _Grid:
    """Per-period constants of the Hull-White simulation on the payment times T_1..T_n.

    ``x`` is simulated exactly at 0, T_1, ..., T_n (Ornstein-Uhlenbeck transition); its integral
    ``I`` by the trapezoid rule on that grid.  ``var_i`` is the exact variance of that discrete
    ``I`` (a recursion on Var x, Cov(I, x), Var I), so ``E[exp(-I - var_i/2)] = 1`` and the mean path
    discount factor equals the curve's at every T_k.
    """

    def __init__(self, times: np.ndarray, a: float, sigma: float):
        grid = np.r_[0.0, times]
        h = np.diff(grid)
        if (h <= 0).any():
            raise ValueError("payment times must increase")
        self.times, self.a, self.sigma, self.h = times, a, sigma, h
        decay, _, vx, _, _ = _hw_moments(a, sigma, h)
        self.sd = np.sqrt(vx)                     # step k (0-based): x_{k+1} = decay_k x_k + sd_k eps_k
        self.grow = np.exp(a * times)             # x_{k+1} = exp(-a T_{k+1}) cumsum_j sd_j eps_j exp(a T_{j+1})
        self.shrink = np.exp(-a * times)
        var_x = cov_ix = var_i = 0.0
        out = []
        for d, s2, hh in zip(decay.tolist(), vx.tolist(), (0.5 * h).tolist()):    # Python floats: fast scalars
            var_i = var_i + hh * hh * ((1 + d) ** 2 * var_x + s2) + 2 * hh * (1 + d) * cov_ix
            cov_ix = d * cov_ix + hh * (1 + d) * d * var_x + hh * s2
            var_x = d * d * var_x + s2
            out.append(var_i)
        self.var_i = np.array(out)
        self.phi_conv = (sigma ** 2 * grid[:-1] ** 2 / 2 if a < 1e-8
                         else sigma ** 2 / (2 * a ** 2) * (-np.expm1(-a * grid[:-1])) ** 2)

    def state(self, eps: np.ndarray, antithetic: bool = False):
        """x at 0, T_1..T_{n-1} (rows: the state at the start of each period) and I at T_1..T_n.

        ``eps`` is steps x draws; with ``antithetic`` the negated draws' paths are appended (x and I
        are linear in eps, so they are the negatives).
        """
        x = _cumsum_rows(eps * (self.sd * self.grow)[:, None])
        x *= self.shrink[:, None]                 # x at T_1..T_n
        start = np.empty_like(x)
        start[0] = 0.0
        start[1:] = x[:-1]                        # x at 0, T_1..T_{n-1}
        integral = start + x
        integral *= (0.5 * self.h)[:, None]
        _cumsum_rows(integral)
        if antithetic:
            start = np.concatenate([start, -start], axis=1)
            integral = np.concatenate([integral, -integral], axis=1)
        return start, integral

    def rates(self, curve: ZeroCurve, start: np.ndarray, integral: np.ndarray):
        """Short rates at the start of each period and path discount factors at T_k (time-major)."""
        phi = curve.forward(np.r_[0.0, self.times[:-1]]) + self.phi_conv
        lnp = np.log(curve.discount(self.times)) - 0.5 * self.var_i
        return start + phi[:, None], np.exp(lnp[:, None] - integral)


def _hw_paths(curve: ZeroCurve, times: np.ndarray, a: float, sigma: float, eps: np.ndarray, antithetic: bool):
    """Short rates and path discount factors, paths x n."""
    g = _Grid(times, a, sigma)
    start, integral = g.state(eps, antithetic)
    short, disc = g.rates(curve, start, integral)
    return short.T, disc.T


def short_rate_paths(curve_terms, curve_rates, times, *, compounding="continuous", mean_reversion=0.1,
                     sigma=0.01, paths=1000, seed=DEFAULT_SEED, antithetic=True):
    """Hull-White short-rate paths fitted to a zero curve, and the path discount factors.

    Returns ``(short_rates, discount)``: ``short_rates[p, k]`` is path p's short rate (continuous) at
    ``times[k-1]`` (0 for k = 0), the rate in force at the start of period k+1;
    ``discount[p, k] = P(0, T_k) exp(-I_p(T_k) - V(T_k)/2)``, ``I`` the trapezoid integral of ``x`` on
    the grid and ``V`` its exact variance, so the mean over paths is the curve's discount factor.  ``times`` are in years, increasing, > 0.

    >>> r, d = short_rate_paths([1, 30], [0.03, 0.03], [0.5, 1.0], paths=20000)
    >>> bool(abs(d[:, 1].mean() / np.exp(-0.03) - 1) < 1e-3)
    True
    """
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    t = v.array("times", times, lo=0)
    if t.size == 0:
        raise v.MbsxlInputError("times is empty; pass the times in years at which to give the rates")
    a, s = _check_model(mean_reversion, sigma)
    n = v.whole("paths", paths, hi=v.MAX_PATHS, why=" paths (memory and time)")
    if n * t.size > v.MAX_PATHS * v.MAX_MONTHS:
        raise v.MbsxlInputError(f"paths={n:,} x {t.size:,} times = {n * t.size:,} rates, above the cap of "
                                f"{v.MAX_PATHS * v.MAX_MONTHS:,} (the matrix is held in memory); pass fewer")
    eps = _chunk_normals(_rng(seed), n, t.size, bool(antithetic))
    return _hw_paths(curve, t, a, s, np.ascontiguousarray(eps.T), bool(antithetic))


# --------------------------------------------------------------------------------------------
# prepayment on a path, pool flows on a path
# --------------------------------------------------------------------------------------------
def refi_cpr(mortgage_rates, ages, wac, base_cpr=0.06, refi_slope=5.0, cpr_floor=0.0, cpr_cap=0.6):
    """CPR from the refinancing incentive and the PSA ramp (the default OAS prepayment model).

    ``CPR = ramp(MONTH) * clip(base_cpr + refi_slope * (wac - mortgage_rate), cpr_floor, cpr_cap)``,
    ``ramp = min(max(MONTH, 1), 30) / 30`` (the PSA ramp of SF-6, ``mbsxl.psa(month) / 6%``).
    ``mortgage_rates`` is paths x months (the current mortgage rate on each path at the start of each
    month); ``ages`` the loan age MONTH of each month.  A fitted regression of CPR on the incentive
    gives ``base_cpr`` (intercept) and ``refi_slope`` (slope).

    >>> round(float(refi_cpr(np.array([[0.05]]), [40], 0.06)[0, 0]), 12)     # 6% + 5 x 1%
    0.11
    """
    from .conventions import psa

    ramp = np.asarray(psa(v.floats("ages", ages), 100), dtype=float) / 0.06
    c = v.rate("wac", wac)
    rates = v.floats("mortgage_rates", mortgage_rates)
    if not np.isfinite(rates).all():
        raise v.MbsxlInputError("mortgage_rates holds a value that is not a finite number; pass decimal rates")
    model = (v.number("base_cpr", base_cpr, lo=0, hi=1), v.number("refi_slope", refi_slope, lo=-100, hi=100),
             v.fraction("cpr_floor", cpr_floor), v.fraction("cpr_cap", cpr_cap))
    cpr = np.clip(model[0] + model[1] * (c - rates), model[2], model[3])
    return ramp * cpr


def path_cashflows(smm, wac, wam, servicing=0.0, amortization="level_payment"):
    """Pass-through flows per 100 of current face on each path from a paths x months SMM matrix.

    SF-4: with ``BAL_k`` the amortised balance of a $1 loan after k of ``wam`` months at ``wac``
    (level payment, 等额本息; or ``1 - k/wam``, level principal, 等额本金) and the survival factor
    ``S_k = prod (1 - SMM_j)``, the pool factor is ``F_k = S_k BAL_k``; principal ``F_{k-1} - F_k``,
    net interest ``F_{k-1} (wac - servicing) / 12``.  Returns ``(cash_flow, principal)`` (paths x wam).

    >>> cf, pr = path_cashflows(np.zeros((1, 2)), 0.12, 2)
    >>> [round(float(x), 6) for x in cf[0]]                       # a 2-month level-payment loan at 1% a month
    [50.751244, 50.751244]
    """
    smm = np.atleast_2d(v.floats("smm", smm))
    n = v.months("wam", wam)
    c = v.rate("wac", wac)
    svc = v.rate("servicing", servicing)
    if svc > c:
        raise v.MbsxlInputError(f"servicing={svc:g} is above wac={c:g}; the servicing fee is paid out of the loan "
                                "interest, so it must be <= wac")
    if smm.shape[1] < n:
        raise ValueError(f"smm has {smm.shape[1]} months; wam={n} needs {n}")
    if (~np.isfinite(smm)).any() or (smm < 0).any() or (smm > 1).any():
        raise ValueError("smm holds values outside [0, 1]; pass monthly rates as decimals")
    kind = v.choice("amortization", amortization, ["level_payment", "level_principal"])
    cf, principal = _pool_flows(smm[:, :n].T, _amortized_balance(c, n, kind), c - svc)
    return cf.T, principal.T


def _amortized_balance(wac: float, n: int, kind: str) -> np.ndarray:
    """SF-4 BAL_k, k = 0..n: balance of a $1 loan after k of n months (level payment or level principal)."""
    k = np.arange(n + 1, dtype=float)
    r = wac / 12.0
    if kind == "level_principal" or r == 0:
        return 1.0 - k / n
    return -np.expm1(-(n - k) * np.log1p(r)) / -np.expm1(-n * np.log1p(r))


def _pool_flows(smm_t: np.ndarray, bal: np.ndarray, net: float):
    """Time-major kernel of :func:`path_cashflows`: smm_t is months x paths; returns (cash flow, principal)."""
    n, n_paths = smm_t.shape
    factor = np.empty((n + 1, n_paths))
    factor[0] = 1.0
    np.cumprod(1.0 - smm_t, axis=0, out=factor[1:])
    factor *= bal[:, None]
    principal = factor[:-1] - factor[1:]
    principal *= 100.0
    cf = factor[:-1] * (100.0 * net / 12.0)
    cf += principal
    return cf, principal


# --------------------------------------------------------------------------------------------
# effective duration and convexity
# --------------------------------------------------------------------------------------------
def _bumped(price, price_down, price_up, bump):
    """Prices > 0 and a bump in (0, 0.05] (a parallel shift of at most 500 bp)."""
    return (v.number("price", price, lo=0, lo_open=True),
            v.number("bump", bump, lo=0, lo_open=True, hi=0.05, accepted="accepted: (0, 0.05] (a decimal shift)"),
            v.number("price_down", price_down, lo=0, lo_open=True),
            v.number("price_up", price_up, lo=0, lo_open=True))


def effective_duration(price, price_down, price_up, bump) -> float:
    """Effective duration from prices after a parallel fall and rise of ``bump`` in rates (SF-51).

    ``(price_down - price_up) / (2 * price * bump)``, ``bump`` a decimal (0.001 = 10 bp).

    >>> round(effective_duration(100.0, 100.541, 99.453, 0.001), 2)     # SF-51: 5.44 years
    5.44
    """
    p, b, down, up = _bumped(price, price_down, price_up, bump)
    return (down - up) / (2 * p * b)


def effective_convexity(price, price_down, price_up, bump) -> float:
    """Effective convexity ``(price_down + price_up - 2 price) / (price * bump**2)`` (SF-51), years².

    >>> round(effective_convexity(100.0, 100.541, 99.453, 0.001), 1)    # SF-51: -60.0 (or -0.600)
    -60.0
    """
    p, b, down, up = _bumped(price, price_down, price_up, bump)
    return (down + up - 2 * p) / (p * b * b)


# --------------------------------------------------------------------------------------------
# OAS
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OASResult:
    """What :func:`oas` reports; ``table()`` gives the Measure/Value table of ``MBS_OAS``."""
    oas: float
    price_std_error: float
    effective_duration: float
    effective_convexity: float
    paths: int
    model_price: float
    zspread: float
    seconds: float

    def table(self) -> pd.DataFrame:
        values = [self.oas, self.price_std_error, self.effective_duration, self.effective_convexity,
                  float(self.paths), self.model_price, self.zspread]
        return pd.DataFrame({OAS_COLUMNS[0]: OAS_ROWS, OAS_COLUMNS[1]: values})


def _progress_fn(progress):
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    start = time.perf_counter()

    def report(done, total):
        sys.stderr.write(f"\rOAS: {done}/{total} path blocks, {time.perf_counter() - start:.1f} s")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def _cpr_matrix(prepay, mort_t, ages, wac, model):
    """Prepayment rates, months x paths (a fresh array), from mortgage rates (months x paths)."""
    n, n_paths = mort_t.shape
    if prepay is None:
        rate = refi_cpr(mort_t.T, ages, wac, **model).T
    elif callable(prepay):
        rate = np.asarray(prepay(mort_t.T, ages), dtype=float)
        rate = np.broadcast_to(rate, (n_paths, n)).T
    else:
        rate = v.array("prepay", prepay, lo=0.0, hi=1.0, percent_hint=True)
        if rate.size == 0:
            raise ValueError("prepay is an empty range; pass a number, a column by month or a callable")
        # a column by month is extended with its last value (as mbsxl.cashflows does)
        rate = rate[:n] if rate.size >= n else np.concatenate([rate, np.full(n - rate.size, rate[-1])])
        rate = np.broadcast_to(rate.reshape(-1, 1), (n, n_paths))
    bad = ~((rate >= 0) & (rate <= 1))
    if bad.any():
        raise ValueError("prepay gave rates outside [0, 1] (or NaN); CPR and SMM are decimals (25% = 0.25)")
    return np.minimum(rate, _ALMOST_ONE, order="C")


def _refi_fast(x_start, sign, phi, ages, wac, spread, model):
    """:func:`refi_cpr` on mortgage rates ``sign * x + phi + spread`` without forming them (months x paths)."""
    slope = model["refi_slope"]
    c = model["base_cpr"] + slope * (wac - spread - phi)
    u = x_start * (-slope * sign)
    u += c[:, None]
    np.clip(u, model["cpr_floor"], min(model["cpr_cap"], _ALMOST_ONE), out=u)
    ramp = np.minimum(np.maximum(ages, 1), 30) / 30.0
    young = int(np.count_nonzero(ramp < 1.0))          # ramp < 1 only in the first months
    if young:
        u[:young] *= ramp[:young, None]
    return u


def _discounted_flows(rate, prepay_type, growth, coef_a, coef_b):
    """CF x DF, months x paths, from prepayment rates (consumed) by the SF-4 pool arithmetic.

    ``l_k = ln(1 - SMM_k)`` (``ln(1 - CPR_k) / 12`` for CPR); the survival factor
    ``S_k = exp(l_1 + ... + l_k)``; the flow of month k is ``100 [S_{k-1} BAL_{k-1} (1 + net/12) - S_k BAL_k]``
    and its path discount factor ``P(0, T_k) exp(-V_k/2) * growth_k`` (``growth = exp(-I)``), so with
    ``coef_a_k = 100 BAL_{k-1} (1 + net/12) P(0,T_k) e^{-V_k/2}`` and ``coef_b_k = 100 BAL_k P(0,T_k) e^{-V_k/2}``
    the result is ``(coef_a_k S_{k-1} - coef_b_k S_k) growth_k``.
    """
    np.subtract(1.0, rate, out=rate)
    np.log(rate, out=rate)
    _cumsum_rows(rate)
    if prepay_type == "CPR":
        rate *= 1.0 / 12.0
    np.exp(rate, out=rate)                        # S_1 .. S_n
    out = rate * (-coef_b[:, None])
    rate[:-1] *= coef_a[1:, None]
    out[1:] += rate[:-1]                          # + coef_a_k S_{k-1}, k >= 2
    out[0] += coef_a[0]                           # S_0 = 1
    out *= growth
    return out


_GROUPS = 32                     # path groups of the compiled kernel (run in parallel, each with its own sums)
_MOMENTS = 16                    # Taylor terms kept per antithetic pair for its price at any spread near the centre


def _simulate(curves, t, ages, a, sigma, wac, bal, net, prepay, prepay_type, model, mortgage_spread,
              rng, n_paths, anti, chunk, report, done, total, engine, center):
    """Mean discounted flows per month on each curve, and each pair's price as moments about ``center``.

    Returns ``(means, moments)``: ``means[c]`` the mean over paths of CF x DF per month on curve c;
    ``moments`` (pairs x _MOMENTS) with ``sum_j moments[i, j] (s - center)**j`` = pair i's mean price
    at spread s on ``curves[0]`` (a Taylor series of ``sum_k m_k exp(-s T_k)``), so memory stays
    bounded by one block however many paths run.  The short-rate state of a block is simulated once and
    shared by all curves (common random numbers); mirrored paths reuse it with the sign reversed.  The
    normals are drawn block by block from one stream, so both engines give the same numbers.
    """
    basis = np.empty((t.size, _MOMENTS))              # exp(-center T_k) (-T_k)**j / j!
    basis[:, 0] = np.exp(-center * t)
    for j in range(1, _MOMENTS):
        basis[:, j] = basis[:, j - 1] * (-t / j)
    moments = []
    g = _Grid(t, a, sigma)
    grid0 = np.r_[0.0, t[:-1]]
    consts = []
    for curve in curves:
        phi = curve.forward(grid0) + g.phi_conv
        scale = curve.discount(t) * np.exp(-0.5 * g.var_i)
        consts.append((phi, 100.0 * bal[:-1] * (1.0 + net / 12.0) * scale, 100.0 * bal[1:] * scale))
    signs = (1.0, -1.0) if anti else (1.0,)
    sums = [np.zeros(t.size) for _ in curves]
    static = None if prepay is None or callable(prepay) else _cpr_matrix(prepay, np.zeros((t.size, 1)), ages, wac,
                                                                          model)[:, 0]
    use_jit = engine == "numba" and not callable(prepay)
    if use_jit:
        kernel = _jit_kernel()
        slope = model["refi_slope"]
        cc = np.array([model["base_cpr"] + slope * (wac - mortgage_spread - phi) for phi, _, _ in consts])
        ca = np.array([c[1] for c in consts])
        cb = np.array([c[2] for c in consts])
        ramp = np.minimum(np.maximum(ages, 1), 30) / 30.0
        mode = 0 if static is None else (1 if prepay_type == "CPR" else 2)
        rates = np.zeros(t.size) if static is None else static
        decay = np.exp(-a * g.h)
    for lo in range(0, n_paths, chunk):
        hc = min(chunk, n_paths - lo)
        eps = _chunk_normals(rng, hc, t.size, anti)
        if use_jit:
            groups = np.zeros((min(_GROUPS, eps.shape[0]), len(curves), t.size))
            mom = np.zeros((eps.shape[0], _MOMENTS))
            with _dynamic_schedule():             # groups handed out one by one: a busy core does not hold the rest
                kernel(eps, anti, g.sd, decay, 0.5 * g.h, cc, ca, cb, ramp, slope, model["cpr_floor"],
                       min(model["cpr_cap"], _ALMOST_ONE), mode, rates, basis, groups, mom)
            moments.append(mom)
            for j, total_j in enumerate(groups.sum(axis=0)):
                sums[j] += total_j
        else:
            start, integral = g.state(np.ascontiguousarray(eps.T))
            pair = []
            for sign in signs:
                growth = np.exp(-sign * integral)
                for j, (phi, coef_a, coef_b) in enumerate(consts):
                    if prepay is None:
                        rate = _refi_fast(start, sign, phi, ages, wac, mortgage_spread, model)
                    elif static is not None:
                        rate = np.repeat(static[:, None], start.shape[1], axis=1)
                    else:
                        rate = _cpr_matrix(prepay, sign * start + (phi + mortgage_spread)[:, None], ages, wac, model)
                    pv = _discounted_flows(rate, prepay_type, growth, coef_a, coef_b)
                    if j == 0:
                        pair.append(pv)
                    sums[j] += pv.sum(axis=1)
            base = 0.5 * (pair[0] + pair[1]) if anti else pair[0]
            moments.append(np.einsum("kp,kj->pj", base, basis))   # not BLAS (its idle threads spin)
        done[0] += 1
        if report:
            report(done[0], total)
    return [x / n_paths for x in sums], np.concatenate(moments)


# --------------------------------------------------------------------------------------------
# compiled kernel (numba), the same arithmetic path by path; numpy above when numba is absent
# --------------------------------------------------------------------------------------------
def _keep_py(mode, c, k, x, cc, ramp, slope, floor, cap, rates):
    """Survival over month k, ``1 - SMM_k``, for curve c (mode 0: refinancing model; 1: CPR; 2: SMM)."""
    if mode == 0:
        u = cc[c, k] - slope * x
        if u < floor:
            u = floor
        if u > cap:
            u = cap
        return math.exp(math.log1p(-ramp[k] * u) / 12.0)
    if mode == 1:
        return math.exp(math.log1p(-rates[k]) / 12.0)
    return 1.0 - rates[k]


_keep = _keep_py


def _kernel_py(eps, anti, sd, decay, half_h, cc, coef_a, coef_b, ramp, slope, floor, cap, mode, rates, basis,
               sums, moments):
    """Per path and month: the Hull-White step (exact x, trapezoid integral), the prepayment rate
    (:func:`_keep_py`), the SF-4 survival factor and ``(coef_a S_{k-1} - coef_b S_k) exp(-I_k)`` for
    one or three curves (see :func:`_discounted_flows`).  With antithetic variates the mirror of each
    drawn path (state -x, -I) is evaluated in the same pass.

    Accumulates ``sums[g, c, k]`` (the flows of curve c, month k, over the paths of group g: groups
    run in parallel, so no two threads add into the same cell) and ``moments[q]``, the pair's (or
    path's) curve-0 flows times ``basis`` (the price series of :func:`_simulate`; computed here
    rather than by a BLAS product, whose threads would compete with these)."""
    n_groups, ncur, n = sums.shape
    n_draws = eps.shape[0]
    for grp in _prange(n_groups):
        for q in range(grp * n_draws // n_groups, (grp + 1) * n_draws // n_groups):
            x = 0.0
            integral = 0.0
            s0 = s1 = s2 = 1.0                     # survival factors, drawn path, curves 0..2
            m0 = m1 = m2 = 1.0                     # the same for the mirrored path
            for k in range(n):
                x_next = x * decay[k] + sd[k] * eps[q, k]
                integral += half_h[k] * (x + x_next)
                growth = math.exp(-integral)
                t0 = s0 * _keep(mode, 0, k, x, cc, ramp, slope, floor, cap, rates)
                value = (coef_a[0, k] * s0 - coef_b[0, k] * t0) * growth
                s0 = t0
                if ncur == 3:
                    t1 = s1 * _keep(mode, 1, k, x, cc, ramp, slope, floor, cap, rates)
                    sums[grp, 1, k] += (coef_a[1, k] * s1 - coef_b[1, k] * t1) * growth
                    s1 = t1
                    t2 = s2 * _keep(mode, 2, k, x, cc, ramp, slope, floor, cap, rates)
                    sums[grp, 2, k] += (coef_a[2, k] * s2 - coef_b[2, k] * t2) * growth
                    s2 = t2
                if anti:
                    mirror = 1.0 / growth
                    t0 = m0 * _keep(mode, 0, k, -x, cc, ramp, slope, floor, cap, rates)
                    value_m = (coef_a[0, k] * m0 - coef_b[0, k] * t0) * mirror
                    m0 = t0
                    if ncur == 3:
                        t1 = m1 * _keep(mode, 1, k, -x, cc, ramp, slope, floor, cap, rates)
                        sums[grp, 1, k] += (coef_a[1, k] * m1 - coef_b[1, k] * t1) * mirror
                        m1 = t1
                        t2 = m2 * _keep(mode, 2, k, -x, cc, ramp, slope, floor, cap, rates)
                        sums[grp, 2, k] += (coef_a[2, k] * m2 - coef_b[2, k] * t2) * mirror
                        m2 = t2
                    sums[grp, 0, k] += value + value_m
                    value = 0.5 * (value + value_m)
                else:
                    sums[grp, 0, k] += value
                for j in range(basis.shape[1]):
                    moments[q, j] += value * basis[k, j]
                x = x_next
    return sums


_prange = range
_JIT = None


def _jit_kernel():
    """The numba-compiled :func:`_kernel_py` (parallel over paths), compiled once and cached on disk."""
    global _JIT, _prange, _keep
    if _JIT is None:
        import numba

        from ._jitcache import njit

        _prange = numba.prange                    # globals are read when the kernel compiles (first call)
        _keep = njit(inline="always", cache=True)(_keep_py)
        _JIT = njit(parallel=True, cache=True, nogil=True)(_kernel_py)
    return _JIT


def _dynamic_schedule():
    """numba's ``parallel_chunksize(1)`` (dynamic scheduling of the path groups) where available."""
    import contextlib

    import numba

    chunks = getattr(numba, "parallel_chunksize", None)
    return chunks(1) if chunks is not None else contextlib.nullcontext()


def engine_name(engine=None) -> str:
    """``"numba"`` when numba is importable (and ``MBSXL_ENGINE`` is not ``numpy``), else ``"numpy"``."""
    choice = (engine or os.environ.get("MBSXL_ENGINE", "") or "auto").lower()
    if choice not in ("auto", "numba", "numpy"):
        raise ValueError(f"engine={engine!r} is not one of auto, numba, numpy")
    if choice == "numpy":
        return "numpy"
    try:
        import numba  # noqa: F401
    except Exception:
        if choice == "numba":
            raise ValueError("engine='numba' but numba is not installed; pip install numba") from None
        return "numpy"
    return "numba"


def oas(price, wac, wam, curve_terms, curve_rates, *, servicing=0.0, age=0, amortization="level_payment",
        compounding="continuous", mean_reversion=0.1, sigma=0.01, paths=1000, seed=DEFAULT_SEED,
        antithetic=True, prepay=None, prepay_type="CPR", base_cpr=0.06, refi_slope=5.0, cpr_floor=0.0,
        cpr_cap=0.6, mortgage_spread=None, delay_days=0, settle_days=0, basis="30/360", coupon=None,
        bump=0.0025, effective=True, progress=None, chunk_paths=None, engine=None, start_date=None,
        payment_day=None) -> OASResult:
    """Option-adjusted spread of a mortgage pool pass-through at ``price`` (per 100 of current face).

    Model (see the module docstring): Hull-White short rates fitted to the zero curve, the current
    mortgage rate on each path = short rate + ``mortgage_spread`` (default: ``wac`` minus the curve's
    short rate today, so the refinancing incentive starts at 0), prepayment from :func:`refi_cpr`
    (or ``prepay``: a CPR or SMM number, a column by month extended with its last value, a PSA speed
    with ``prepay_type="PSA"``, or a callable ``prepay(mortgage_rates, ages) -> paths x months``
    rates, e.g. a fitted regression), pool flows by :func:`path_cashflows`,
    discounting along each path plus the OAS (continuous).  ``price`` is the quoted price;
    accrued interest at ``coupon`` (default ``wac - servicing``) is added when ``settle_days > 0``.

    Reports the OAS, the standard error of the model price at that OAS (from independent antithetic
    pairs), effective duration and convexity from curve shifts of ``+-bump`` holding the OAS and the
    random numbers fixed, the path count, the model price, and the Z-spread of the zero-volatility
    flows.  ``progress=True`` writes progress to stderr (or pass a callable ``progress(done, total)``),
    one step per block of ``chunk_paths`` paths.

    ``engine``: ``"numba"`` (a compiled kernel, parallel over paths; the default when numba is
    installed), ``"numpy"`` (months in a loop, paths as arrays; the default otherwise, and always for a
    callable ``prepay``), or the environment variable ``MBSXL_ENGINE``.  Both give the same numbers
    (the normals come from one numpy stream, block by block).  Memory is bounded by one block (about
    ``8 x block paths x months x 3`` bytes; blocks of 8192 paths with numba, 512 with numpy): each
    antithetic pair keeps only a short series of its price in the spread, centred on the Z-spread
    (or, when the OAS lies far from it, on the OAS after a second pass over the same paths).

    >>> r = oas(100.0, 0.06, 120, [1, 10], [0.04, 0.04], paths=200, effective=False)
    >>> 0.0 < r.oas < 0.03 and r.price_std_error < 0.5
    True
    """
    p = v.number("price", price, lo=0, lo_open=True)
    c = v.rate("wac", wac)
    n = v.months("wam", wam)
    svc = v.rate("servicing", servicing)
    if svc > c:
        raise v.MbsxlInputError(f"servicing={svc:g} is above wac={c:g}; the servicing fee is paid out of the loan "
                                "interest, so it must be <= wac")
    a0 = v.months("age", age, lo=0)
    a, s = _check_model(mean_reversion, sigma)
    n_paths = v.whole("paths", paths, hi=v.MAX_PATHS, why=" paths (memory and time)")
    anti = bool(antithetic)
    if anti and n_paths % 2:
        raise ValueError(f"paths={n_paths} is odd; antithetic variates need an even number of paths")
    b = v.number("bump", bump, lo=0, lo_open=True, hi=0.05)
    eng = engine_name(engine)
    if chunk_paths is None:
        chunk = 8192 if eng == "numba" and not callable(prepay) else 512
    else:
        chunk = v.whole("chunk_paths", chunk_paths)
    if anti and chunk % 2:
        chunk += 1
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    model = dict(base_cpr=v.number("base_cpr", base_cpr, lo=0, hi=1),
                 refi_slope=v.number("refi_slope", refi_slope, lo=-100, hi=100,
                                     accepted="accepted: [-100, 100] (CPR added per unit of incentive)"),
                 cpr_floor=v.fraction("cpr_floor", cpr_floor), cpr_cap=v.fraction("cpr_cap", cpr_cap))
    t = _pr.payment_times(n, delay_days, settle_days, basis, 12, start_date, payment_day)
    cpn = c - svc if coupon is None else coupon
    target = p + _pr._accrued_or_zero(cpn, settle_days, basis)
    ages = np.arange(1, n + 1) + a0
    r0 = float(curve.forward(0.0))
    spread = c - r0 if mortgage_spread is None else v.spread("mortgage_spread", mortgage_spread)

    kind = v.choice("amortization", amortization, ["level_payment", "level_principal"])
    ptype = v.choice("prepay_type", prepay_type, ["CPR", "SMM", "PSA"])
    if ptype == "PSA":
        if prepay is None or callable(prepay) or np.ndim(prepay) != 0:
            raise ValueError("prepay_type='PSA' needs prepay = one PSA speed (e.g. 150)")
        from .conventions import psa

        prepay = np.asarray(psa(ages, float(v.speeds("prepay", v.number("prepay", prepay, lo=0)))), dtype=float)
        ptype = "CPR"
    bal = _amortized_balance(c, n, kind)
    started = time.perf_counter()
    report = _progress_fn(progress)
    blocks = -(-n_paths // chunk)
    total = blocks + 1
    done = [0]

    # Z-spread of the zero-volatility flows (the paths' common flows when sigma = 0); the centre of
    # the pairs' price series
    mort0 = (curve.forward(np.r_[0.0, t[:-1]]) + spread)[:, None]
    rate0 = _cpr_matrix(prepay, mort0, ages, c, model)
    smm0 = -np.expm1(np.log1p(-rate0) / 12.0) if ptype == "CPR" else rate0
    cf0, _ = _pool_flows(smm0, bal, c - svc)
    zs = _solve_spread(lambda sp: float(cf0[:, 0] @ curve.discount(t, sp)), target, "Z-spread")
    done[0] += 1
    if report:
        report(done[0], total)

    curves = [curve, curve.shifted(b), curve.shifted(-b)] if effective else [curve]
    sim = (t, ages, a, s, c, bal, c - svc, prepay, ptype, model, spread)
    means, moments = _simulate(curves, *sim, _rng(seed), n_paths, anti, chunk, report, done, total, eng, zs)
    mean = means[0]
    x = _solve_spread(lambda sp: float(mean @ np.exp(-sp * t)), target, "OAS")
    if abs(x - zs) * t[-1] > 1.5:
        # the series about the Z-spread (error below (1.5**16 / 16!) e**1.5 = 1.4e-10 relative up to
        # here) would lose accuracy this far out: run the base curve again, same random numbers,
        # centred on the OAS (rare: 500 bp between OAS and Z-spread on a 30-year pool)
        total += blocks
        _, moments = _simulate([curve], *sim, _rng(seed), n_paths, anti, chunk, report, done, total, eng, x)
        centre = x
    else:
        centre = zs
    pairs = moments @ (x - centre) ** np.arange(_MOMENTS)
    se = float(pairs.std(ddof=1) / math.sqrt(pairs.size)) if pairs.size > 1 else float("nan")
    shift = np.exp(-x * t)
    base = float(mean @ shift)
    model_price = base - (target - p)

    ed = ec = float("nan")
    if effective:
        up, down = float(means[1] @ shift), float(means[2] @ shift)
        ed = effective_duration(base, down, up, b)
        ec = effective_convexity(base, down, up, b)
    return OASResult(oas=x, price_std_error=se, effective_duration=ed, effective_convexity=ec, paths=n_paths,
                     model_price=model_price, zspread=zs, seconds=time.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# command line: python -m mbsxl.curves [--paths N] ...  (progress on stderr, the table on stdout)
# --------------------------------------------------------------------------------------------
def _main(argv=None) -> None:
    import argparse

    from . import jianyuan

    ap = argparse.ArgumentParser(prog="python -m mbsxl.curves",
                                 description="Monte Carlo OAS of a mortgage pool (default: Jianyuan 2007-1 at "
                                             "cut-off, WAC 7.83% x 0.85, WAM 220, paid on the 26th)")
    ap.add_argument("--price", type=float, default=100.0, help="quoted price per 100 of current face")
    ap.add_argument("--wac", type=float, default=0.0783 * 0.85)
    ap.add_argument("--wam", type=int, default=220)
    ap.add_argument("--servicing", type=float, default=0.003)
    ap.add_argument("--payment-day", type=int, default=jianyuan.PAYMENT_DAY)
    ap.add_argument("--curve", default="0.25:0.036,1:0.039,2:0.041,3:0.042,5:0.044,7:0.0445,10:0.045,20:0.046,30:0.047",
                    help="term:rate pairs of a continuously compounded zero curve")
    ap.add_argument("--paths", type=int, default=10000)
    ap.add_argument("--sigma", type=float, default=0.01)
    ap.add_argument("--mean-reversion", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--engine", default=None, choices=["numba", "numpy"])
    args = ap.parse_args(argv)
    pairs = [p.split(":") for p in args.curve.split(",") if p.strip()]
    terms, rates = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    r = oas(args.price, args.wac, args.wam, terms, rates, servicing=args.servicing, payment_day=args.payment_day,
            paths=args.paths, sigma=args.sigma, mean_reversion=args.mean_reversion, seed=args.seed,
            engine=args.engine, progress=True)
    print(r.table().to_string(index=False))
    print(f"{r.seconds:.2f} s, engine {engine_name(args.engine)}")


if __name__ == "__main__":
    from mbsxl.curves import _main as _run    # the importable module, so numba's on-disk cache applies

    _run()
