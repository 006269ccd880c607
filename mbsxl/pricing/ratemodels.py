"""Short-rate models fitted to a zero curve: Hull-White one factor (赫尔-怀特模型).

``dr = (theta(t) - a r) dt + sigma dW``, fitted exactly to the zero curve:
``r(t) = x(t) + phi(t)``, ``dx = -a x dt + sigma dW``, ``x(0) = 0``,
``phi(t) = f(0, t) + sigma**2 / (2 a**2) (1 - exp(-a t))**2``.  ``x`` is simulated exactly
(Ornstein-Uhlenbeck transition) at the flows' times, ``I``, its integral, by the trapezoid rule on
those times; the path discount factor ``P(0, T) exp(-I(T) - V(T)/2)``, ``V`` the exact variance of
that discrete ``I``, has expectation ``P(0, T)`` for any step, so the paths reprice the curve.
Antithetic variates (each normal draw used with both signs) are on by default; the seed is fixed
by default (numpy SFC64 stream) so a recalculation returns the same number.

The model is kept apart from the products that use it (:mod:`mbsxl.pricing.valuation` prices a pool on its
paths), so another model (e.g. CIR) can sit next to it with the same ``Grid``-like interface:
per-period constants, ``state(eps)`` and ``rates(curve, ...)``.
"""
from __future__ import annotations

import numpy as np

from mbsxl import _validate as v
from mbsxl.pricing.zerocurve import ZeroCurve

__all__ = ["short_rate_paths", "DEFAULT_SEED", "HullWhiteGrid"]

DEFAULT_SEED = 20071214          # Jianyuan 2007-1 issue date


def rng(seed) -> np.random.Generator:
    """The random stream of the simulation: numpy's SFC64 generator seeded with ``seed`` (an int)."""
    if seed is None:
        raise v.MbsxlInputError("seed is blank; pass a whole number (the default is fixed so results repeat)")
    return np.random.Generator(np.random.SFC64(v.whole("seed", seed, lo=0)))


def chunk_normals(rng: np.random.Generator, n_paths: int, n_steps: int, antithetic: bool) -> np.ndarray:
    """Standard normals for one block of paths, draws x steps (path-major).

    Draws come path by path from one generator, so blocks of any size read the same stream.  With
    antithetic variates only ``n_paths/2`` paths are drawn: the block's second half is the first half
    negated (paths ``i`` and ``i + n_paths/2`` are a pair).
    """
    if antithetic and n_paths % 2:
        raise v.MbsxlInputError(f"paths={n_paths} is odd; antithetic variates need an even number of paths")
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


def check_model(mean_reversion, sigma):
    a = v.number("mean_reversion", mean_reversion, lo=0, hi=5)
    s = v.number("sigma", sigma, lo=0, hi=0.2, accepted="accepted: [0, 0.2] (an absolute rate volatility, "
                 "e.g. 0.01 for 100 bp a year)")
    return a, s


def cumsum_rows(a: np.ndarray) -> np.ndarray:
    """In-place cumulative sum down the rows of a C-ordered months x paths array.

    A row loop of whole-row additions: about twice as fast as ``np.cumsum(axis=0)`` at 360 x 500.
    """
    for k in range(1, a.shape[0]):
        a[k] += a[k - 1]
    return a


class HullWhiteGrid:
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
            raise v.MbsxlInputError("payment times must increase")
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
        x = cumsum_rows(eps * (self.sd * self.grow)[:, None])
        x *= self.shrink[:, None]                 # x at T_1..T_n
        start = np.empty_like(x)
        start[0] = 0.0
        start[1:] = x[:-1]                        # x at 0, T_1..T_{n-1}
        integral = start + x
        integral *= (0.5 * self.h)[:, None]
        cumsum_rows(integral)
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
    g = HullWhiteGrid(times, a, sigma)
    start, integral = g.state(eps, antithetic)
    short, disc = g.rates(curve, start, integral)
    return short.T, disc.T


def short_rate_paths(curve_terms, curve_rates, times, *, compounding="continuous", mean_reversion=0.1,
                     sigma=0.01, paths=1000, seed=DEFAULT_SEED, antithetic=True):
    """Hull-White short-rate paths fitted to a zero curve, and the path discount factors.

    Returns ``(short_rates, discount)``: ``short_rates[p, k]`` is path p's short rate (continuous) at
    ``times[k-1]`` (0 for k = 0), the rate in force at the start of period k+1;
    ``discount[p, k] = P(0, T_k) exp(-I_p(T_k) - V(T_k)/2)``, ``I`` the trapezoid integral of ``x`` on
    the grid and ``V`` its exact variance, so the mean over paths is the curve's discount factor.
    ``times`` are in years, increasing, > 0.

    >>> r, d = short_rate_paths([1, 30], [0.03, 0.03], [0.5, 1.0], paths=20000)
    >>> bool(abs(d[:, 1].mean() / np.exp(-0.03) - 1) < 1e-3)
    True
    """
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    t = v.array("times", times, lo=0)
    if t.size == 0:
        raise v.MbsxlInputError("times is empty; pass the times in years at which to give the rates")
    a, s = check_model(mean_reversion, sigma)
    n = v.whole("paths", paths, hi=v.MAX_PATHS, why=" paths (memory and time)")
    if n * t.size > v.MAX_PATHS * v.MAX_MONTHS:
        raise v.MbsxlInputError(f"paths={n:,} x {t.size:,} times = {n * t.size:,} rates, above the cap of "
                                f"{v.MAX_PATHS * v.MAX_MONTHS:,} (the matrix is held in memory); pass fewer")
    eps = chunk_normals(rng(seed), n, t.size, bool(antithetic))
    return _hw_paths(curve, t, a, s, np.ascontiguousarray(eps.T), bool(antithetic))
