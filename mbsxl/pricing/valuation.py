"""Option-adjusted spread (OAS, 期权调整利差) of a pass-through, its effective measures and path flows.

The product side of the Monte Carlo: the rate model is :mod:`mbsxl.pricing.ratemodels` (Hull-White), the
curve :mod:`mbsxl.pricing.zerocurve`, the prepayment model :mod:`mbsxl.pool.prepayment`, the pool arithmetic
:mod:`mbsxl.pool.sf4`; the compiled per-path kernel is :func:`mbsxl.pool._kernels.oas_paths` and the engine
is chosen by :func:`mbsxl.pool._engine.engine_name` (``engine=`` or ``MBSXL_ENGINE``, read per call).

OAS
    A continuously compounded spread ``s`` added to the short rate on every path:
    ``price + accrued = mean over paths of sum_k CF_pk P_p(0, T_k) exp(-s T_k)`` (per 100 of current
    face).  With a continuously compounded curve, zero volatility and the same flows, the OAS equals
    the Z-spread.  The pool's flows on each path come from a prepayment rate that depends on the path
    (:func:`mbsxl.pool.prepayment.refi_cpr`, or any callable) and the Standard Formulas pool arithmetic
    (SF-4: pool factor = survival factor x amortised loan balance), see :func:`path_cashflows`.  The
    price standard error comes from the independent antithetic pairs; effective duration and
    convexity (SF-51) from the curve shifted by +-``bump``, on the same paths, holding the OAS.  The
    paths run in a numba kernel parallel over paths when numba is installed, else vectorised over
    paths in numpy (same arithmetic, same numbers).

Command line: ``mbsxl oas --paths 100000`` runs the Jianyuan pool with progress on stderr.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import options as _opt
from mbsxl.pricing import measures as _pr
from mbsxl.pool import sf4
from mbsxl.pool._engine import compiled, engine_name
from mbsxl.columns import OAS_COLUMNS, OAS_ROWS   # re-exported; the labels live in columns
from mbsxl.pool.conventions import psa, psa_ramp
from mbsxl.pool.prepayment import ALMOST_ONE, cpr_matrix, refi_fast
from mbsxl.pricing.ratemodels import (DEFAULT_SEED, HullWhiteGrid, check_model, chunk_normals, cumsum_rows, rng)
from mbsxl.pricing.zerocurve import ZeroCurve, solve_spread

__all__ = ["oas", "OASResult", "effective_duration", "effective_convexity", "path_cashflows", "OAS_COLUMNS",
           "OAS_ROWS"]

_GROUPS = 32                     # path groups of the compiled kernel (run in parallel, each with its own sums)
_MOMENTS = 16                    # Taylor terms kept per antithetic pair for its price at any spread near the centre


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
        raise v.MbsxlInputError(f"smm has {smm.shape[1]} months; wam={n} needs {n}")
    if (~np.isfinite(smm)).any() or (smm < 0).any() or (smm > 1).any():
        raise v.MbsxlInputError("smm holds values outside [0, 1]; pass monthly rates as decimals")
    kind = _opt.amortization(amortization)
    cf, principal = sf4.pool_flows(smm[:, :n].T, sf4.amortized_balance(c, n, kind), c - svc)
    return cf.T, principal.T


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
    """What :func:`oas` reports, as named attributes; ``table()`` is a shortcut to
    :func:`mbsxl.stats.tables.oas_table`, the Measure/Value table ``MBS_OAS`` spills."""
    oas: float
    price_std_error: float
    effective_duration: float
    effective_convexity: float
    paths: int
    model_price: float
    zspread: float
    seconds: float

    def table(self) -> pd.DataFrame:
        from mbsxl.stats.tables import oas_table
        return oas_table(self)


def _progress_fn(progress):
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    start = time.perf_counter()

    tty = bool(getattr(sys.stderr, "isatty", lambda: False)())

    def report(done, total):
        line = f"OAS: {done:,}/{total:,} path blocks, {time.perf_counter() - start:.1f} s"
        if tty:                                       # a terminal: one line redrawn in place
            sys.stderr.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or done == 1 or done % max(1, total // 4) == 0:
            sys.stderr.write(line + "\n")            # a log or pipe: a few plain lines
        sys.stderr.flush()

    return report


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
    cumsum_rows(rate)
    if prepay_type == "CPR":
        rate *= 1.0 / 12.0
    np.exp(rate, out=rate)                        # S_1 .. S_n
    out = sf4.survival_flows(rate, coef_a, coef_b)
    out *= growth
    return out


def _simulate(curves, t, ages, a, sigma, wac, bal, net, prepay, prepay_type, model, mortgage_spread,
              draws, n_paths, anti, chunk, report, done, total, engine, center):
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
    g = HullWhiteGrid(t, a, sigma)
    grid0 = np.r_[0.0, t[:-1]]
    consts = []
    for curve in curves:
        phi = curve.forward(grid0) + g.phi_conv
        scale = curve.discount(t) * np.exp(-0.5 * g.var_i)
        consts.append((phi, *sf4.flow_coefficients(bal, net, scale)))
    signs = (1.0, -1.0) if anti else (1.0,)
    sums = [np.zeros(t.size) for _ in curves]
    static = None if prepay is None or callable(prepay) else cpr_matrix(prepay, np.zeros((t.size, 1)), ages, wac,
                                                                          model)[:, 0]
    use_jit = engine == "numba" and not callable(prepay)
    if use_jit:
        kernel = compiled().oas_paths
        slope = model["refi_slope"]
        cc = np.array([model["base_cpr"] + slope * (wac - mortgage_spread - phi) for phi, _, _ in consts])
        ca = np.array([c[1] for c in consts])
        cb = np.array([c[2] for c in consts])
        ramp = psa_ramp(ages)
        mode = 0 if static is None else (1 if prepay_type == "CPR" else 2)
        rates = np.zeros(t.size) if static is None else static
        decay = np.exp(-a * g.h)
    for lo in range(0, n_paths, chunk):
        hc = min(chunk, n_paths - lo)
        eps = chunk_normals(draws, hc, t.size, anti)
        if use_jit:
            groups = np.zeros((min(_GROUPS, eps.shape[0]), len(curves), t.size))
            mom = np.zeros((eps.shape[0], _MOMENTS))
            with _dynamic_schedule():             # groups handed out one by one: a busy core does not hold the rest
                kernel(eps, anti, g.sd, decay, 0.5 * g.h, cc, ca, cb, ramp, slope, model["cpr_floor"],
                       min(model["cpr_cap"], ALMOST_ONE), mode, rates, basis, groups, mom)
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
                        rate = refi_fast(start, sign, phi, ages, wac, mortgage_spread, model)
                    elif static is not None:
                        rate = np.repeat(static[:, None], start.shape[1], axis=1)
                    else:
                        rate = cpr_matrix(prepay, sign * start + (phi + mortgage_spread)[:, None], ages, wac, model)
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


def _dynamic_schedule():
    """numba's ``parallel_chunksize(1)`` (dynamic scheduling of the path groups) where available."""
    import contextlib

    import numba

    chunks = getattr(numba, "parallel_chunksize", None)
    return chunks(1) if chunks is not None else contextlib.nullcontext()


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
    a, s = check_model(mean_reversion, sigma)
    n_paths = v.whole("paths", paths, hi=v.MAX_PATHS, why=" paths (memory and time)")
    anti = bool(antithetic)
    if anti and n_paths % 2:
        raise v.MbsxlInputError(f"paths={n_paths} is odd; antithetic variates need an even number of paths")
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

    kind = _opt.amortization(amortization)
    ptype = _opt.prepay_type(prepay_type)
    if ptype == "PSA":
        if prepay is None or callable(prepay) or np.ndim(prepay) != 0:
            raise v.MbsxlInputError("prepay_type='PSA' needs prepay = one PSA speed (e.g. 150)")
        prepay = np.asarray(psa(ages, float(v.speeds("prepay", v.number("prepay", prepay, lo=0)))), dtype=float)
        ptype = "CPR"
    bal = sf4.amortized_balance(c, n, kind)
    started = time.perf_counter()
    report = _progress_fn(progress)
    blocks = -(-n_paths // chunk)
    total = blocks + 1
    done = [0]

    # Z-spread of the zero-volatility flows (the paths' common flows when sigma = 0); the centre of
    # the pairs' price series
    mort0 = (curve.forward(np.r_[0.0, t[:-1]]) + spread)[:, None]
    rate0 = cpr_matrix(prepay, mort0, ages, c, model)
    smm0 = -np.expm1(np.log1p(-rate0) / 12.0) if ptype == "CPR" else rate0
    cf0, _ = sf4.pool_flows(smm0, bal, c - svc)
    zs = solve_spread(lambda sp: float(cf0[:, 0] @ curve.discount(t, sp)), target, "Z-spread")
    done[0] += 1
    if report:
        report(done[0], total)

    curves = [curve, curve.shifted(b), curve.shifted(-b)] if effective else [curve]
    sim = (t, ages, a, s, c, bal, c - svc, prepay, ptype, model, spread)
    means, moments = _simulate(curves, *sim, rng(seed), n_paths, anti, chunk, report, done, total, eng, zs)
    mean = means[0]
    x = solve_spread(lambda sp: float(mean @ np.exp(-sp * t)), target, "OAS")
    if abs(x - zs) * t[-1] > 1.5:
        # the series about the Z-spread (error below (1.5**16 / 16!) e**1.5 = 1.4e-10 relative up to
        # here) would lose accuracy this far out: run the base curve again, same random numbers,
        # centred on the OAS (rare: 500 bp between OAS and Z-spread on a 30-year pool)
        total += blocks
        _, moments = _simulate([curve], *sim, rng(seed), n_paths, anti, chunk, report, done, total, eng, x)
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
