"""The numba-compiled twins of mbsxl's projection loops; imported only when the numba engine runs.

Nothing here is rebound at run time: this module is loaded once, on the first call that uses the
numba engine, by :func:`mbsxl.pool._engine.compiled` (a cached loader), and its kernels compile on their
first call (cached on disk, see :mod:`mbsxl._jitcache`).  Each kernel has a numpy twin that computes
the same numbers and is tested against it:

- :data:`loans_loop` / :func:`run_chunks`: the loan-level SF-17..19 projection, compiled from
  :func:`mbsxl.pool._engine._loans_loop` (twin: :func:`mbsxl.pool._engine._vector`);
- :func:`oas_paths`: Hull-White paths of the OAS, path by path and month by month, with the SF-4
  flow :func:`mbsxl.pool.sf4.survival_flow` and the prepayment model :func:`mbsxl.pool.prepayment.survival_keep`
  compiled inline (twin: the numpy engine of :func:`mbsxl.pricing.valuation._simulate`).
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from mbsxl.pool import _engine
from mbsxl.pool import prepayment
from mbsxl.pool import sf4
from mbsxl._jitcache import njit

loans_loop = njit(cache=True, nogil=True)(_engine._loans_loop)
_keep = njit(inline="always", cache=True)(prepayment.survival_keep)
_flow = njit(inline="always", cache=True)(sf4.survival_flow)


@njit(cache=True, parallel=True)
def run_chunks(bal, rate0, term, age, lp, bench, mult, margin, group, paths, b0, s0, from_k, ev_k, ev_delta, bad,
               newrate, slope, cap, cpr_tab, svc, smm_tab, mdr_tab, severity, lag, advance, T, nchunks):
    """:data:`loans_loop` over ``nchunks`` slices of the loans in parallel, each into its own month table."""
    outs = np.zeros((nchunks, T, _engine.N_ACC))
    n = bal.shape[0]
    for c in prange(nchunks):
        loans_loop(c * n // nchunks, (c + 1) * n // nchunks, bal, rate0, term, age, lp, bench, mult,
                   margin, group, paths, b0, s0, from_k, ev_k, ev_delta, bad, newrate, slope, cap, cpr_tab, svc,
                   smm_tab, mdr_tab, severity, lag, advance, outs[c])
    return outs.sum(axis=0)


@njit(parallel=True, cache=True, nogil=True)
def oas_paths(eps, anti, sd, decay, half_h, cc, coef_a, coef_b, ramp, slope, floor, cap, mode, rates, basis,
              sums, moments):
    """Per path and month: the Hull-White step (exact x, trapezoid integral), the prepayment rate
    (:func:`mbsxl.pool.prepayment.survival_keep`), the SF-4 survival factor and
    ``(coef_a S_{k-1} - coef_b S_k) exp(-I_k)`` (:func:`mbsxl.pool.sf4.survival_flow`) for one or three
    curves.  With antithetic variates the mirror of each drawn path (state -x, -I) is evaluated in the
    same pass.

    Accumulates ``sums[g, c, k]`` (the flows of curve c, month k, over the paths of group g: groups
    run in parallel, so no two threads add into the same cell) and ``moments[q]``, the pair's (or
    path's) curve-0 flows times ``basis`` (the price series of :func:`mbsxl.pricing.valuation._simulate`;
    computed here rather than by a BLAS product, whose threads would compete with these)."""
    n_groups, ncur, n = sums.shape
    n_draws = eps.shape[0]
    for grp in prange(n_groups):
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
                value = _flow(coef_a[0, k], s0, coef_b[0, k], t0) * growth
                s0 = t0
                if ncur == 3:
                    t1 = s1 * _keep(mode, 1, k, x, cc, ramp, slope, floor, cap, rates)
                    sums[grp, 1, k] += _flow(coef_a[1, k], s1, coef_b[1, k], t1) * growth
                    s1 = t1
                    t2 = s2 * _keep(mode, 2, k, x, cc, ramp, slope, floor, cap, rates)
                    sums[grp, 2, k] += _flow(coef_a[2, k], s2, coef_b[2, k], t2) * growth
                    s2 = t2
                if anti:
                    mirror = 1.0 / growth
                    t0 = m0 * _keep(mode, 0, k, -x, cc, ramp, slope, floor, cap, rates)
                    value_m = _flow(coef_a[0, k], m0, coef_b[0, k], t0) * mirror
                    m0 = t0
                    if ncur == 3:
                        t1 = m1 * _keep(mode, 1, k, -x, cc, ramp, slope, floor, cap, rates)
                        sums[grp, 1, k] += _flow(coef_a[1, k], m1, coef_b[1, k], t1) * mirror
                        m1 = t1
                        t2 = m2 * _keep(mode, 2, k, -x, cc, ramp, slope, floor, cap, rates)
                        sums[grp, 2, k] += _flow(coef_a[2, k], m2, coef_b[2, k], t2) * mirror
                        m2 = t2
                    sums[grp, 0, k] += value + value_m
                    value = 0.5 * (value + value_m)
                else:
                    sums[grp, 0, k] += value
                for j in range(basis.shape[1]):
                    moments[q, j] += value * basis[k, j]
                x = x_next
    return sums
