"""Prepayment models on rate paths: the refinancing CPR with the PSA ramp, static and callable rates.

:func:`refi_cpr` is the default model of the OAS (:func:`mbsxl.pricing.valuation.oas`): the CPR rises with the
refinancing incentive ``wac - mortgage rate`` and is seasoned by the PSA ramp
(:func:`mbsxl.pool.conventions.psa_ramp`).  The same model comes in three forms, all the same arithmetic:
:func:`refi_cpr` (validated, paths x months), :func:`refi_fast` (the numpy engine's months x paths
form on the short-rate state) and :func:`survival_keep` (one path, one month, ``1 - SMM``; compiled
inline into the numba kernel of :mod:`mbsxl.pool._kernels`).
"""
from __future__ import annotations

import math

import numpy as np

from mbsxl import _validate as v
from mbsxl.pool.conventions import psa_ramp

__all__ = ["refi_cpr", "cpr_matrix", "refi_fast", "survival_keep", "ALMOST_ONE"]

ALMOST_ONE = 1.0 - 1e-15         # a prepayment rate of 100% is taken as this, so ln(1 - rate) stays finite


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
    ramp = psa_ramp(v.floats("ages", ages))
    c = v.rate("wac", wac)
    rates = v.floats("mortgage_rates", mortgage_rates)
    if not np.isfinite(rates).all():
        raise v.MbsxlInputError("mortgage_rates holds a value that is not a finite number; pass decimal rates")
    model = (v.number("base_cpr", base_cpr, lo=0, hi=1), v.number("refi_slope", refi_slope, lo=-100, hi=100),
             v.fraction("cpr_floor", cpr_floor), v.fraction("cpr_cap", cpr_cap))
    cpr = np.clip(model[0] + model[1] * (c - rates), model[2], model[3])
    return ramp * cpr


def cpr_matrix(prepay, mort_t, ages, wac, model):
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
            raise v.MbsxlInputError("prepay is an empty range; pass a number, a column by month or a callable")
        # a column by month is extended with its last value (as mbsxl.cashflows does)
        rate = rate[:n] if rate.size >= n else np.concatenate([rate, np.full(n - rate.size, rate[-1])])
        rate = np.broadcast_to(rate.reshape(-1, 1), (n, n_paths))
    bad = ~((rate >= 0) & (rate <= 1))
    if bad.any():
        raise v.MbsxlInputError("prepay gave rates outside [0, 1] (or NaN); CPR and SMM are decimals (25% = 0.25)")
    return np.minimum(rate, ALMOST_ONE, order="C")


def refi_fast(x_start, sign, phi, ages, wac, spread, model):
    """:func:`refi_cpr` on mortgage rates ``sign * x + phi + spread`` without forming them (months x paths)."""
    slope = model["refi_slope"]
    c = model["base_cpr"] + slope * (wac - spread - phi)
    u = x_start * (-slope * sign)
    u += c[:, None]
    np.clip(u, model["cpr_floor"], min(model["cpr_cap"], ALMOST_ONE), out=u)
    ramp = psa_ramp(ages)
    young = int(np.count_nonzero(ramp < 1.0))          # ramp < 1 only in the first months
    if young:
        u[:young] *= ramp[:young, None]
    return u


def survival_keep(mode, c, k, x, cc, ramp, slope, floor, cap, rates):
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
