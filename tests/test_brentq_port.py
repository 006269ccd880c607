"""mbsxl.pricing._brentq.brentq is SciPy's brentq (scipy/optimize/Zeros/brentq.c), bit for bit.

The reference is SciPy itself (``scipy.optimize.brentq``, a test-only dependency here): on thousands of
random functions — polynomials with random roots, exponentials, the price-yield function of random cash
flows, steps, flat stretches, roots at a bracket end — both must call ``f`` at exactly the same points in
the same order and return the same float (``==`` on the bits, no tolerance), and fail the same way (sign
error, non-convergence after ``maxiter``, a NaN from ``f``).
"""
from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mbsxl.pricing._brentq import brentq

optimize = pytest.importorskip("scipy.optimize")


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _run(solver, f, a, b, **kw):
    seen = []

    def g(x):
        seen.append(_bits(x))
        return f(x)
    try:
        out = ("ok", _bits(solver(g, a, b, **kw)))
    except (ValueError, RuntimeError) as e:
        out = (type(e).__name__, str(e))
    return out, seen


def _same(f, a, b, **kw):
    ours = _run(brentq, f, a, b, **kw)
    theirs = _run(optimize.brentq, f, a, b, **kw)
    assert ours == theirs
    return ours[0][0]


def _function(rng):
    kind = int(rng.integers(0, 7))
    if kind == 0:                                       # polynomial through random roots
        roots = rng.uniform(-3, 3, int(rng.integers(1, 6)))
        scale = float(rng.choice([1e-200, 1e-8, 1.0, 1e8, 1e200]))
        return lambda x: scale * float(np.prod(x - roots))
    if kind == 1:                                       # exponential with a shift
        k, c = rng.uniform(-5, 5), rng.uniform(0.1, 10)
        return lambda x: math.exp(k * x) - c if abs(k * x) < 700 else math.copysign(1e300, k * x)
    if kind == 2:                                       # price - target of random cash flows (a yield)
        cf = rng.uniform(0, 10, int(rng.integers(2, 120)))
        cf[-1] += 100
        t = np.arange(1, cf.size + 1) / 12.0
        target = float(rng.uniform(50, 150))
        def price_gap(y):
            return float(cf @ (1 + y / 12) ** (-12 * t)) - target
        return price_gap
    if kind == 3:                                       # a step: no root, a sign change
        s = rng.uniform(-1, 1)
        return lambda x: 1.0 if x > s else -1.0
    if kind == 4:                                       # flat stretch then a slope
        s = rng.uniform(-1, 1)
        return lambda x: max(x - s, 0.0) - 1e-3
    if kind == 5:                                       # rounding noise near the root
        s = rng.uniform(-1, 1)
        return lambda x: (x - s) ** 3 + 1e-15 * math.sin(1e6 * x)
    r = rng.uniform(-2, 2)                              # tan-like: steep near the root
    return lambda x: math.atan(1e6 * (x - r)) + 1e-3 * (x - r)


def kind_of_yield(f):
    return getattr(f, "__name__", "") == "price_gap"


@settings(max_examples=3000, deadline=None)
@given(st.integers(0, 2**63 - 1))
def test_same_points_same_root_as_scipy(seed):
    rng = np.random.default_rng(seed)
    f = _function(rng)
    a, b = sorted(rng.uniform(-4, 4, 2)) if rng.random() < 0.3 else (rng.uniform(-4, -3), rng.uniform(3, 4))
    if kind_of_yield(f):
        a, b = -0.05, 1.0                               # measures.yield_'s bracket
    if rng.random() < 0.5:
        a, b = b, a                                     # brackets given either way round
    xtol = float(rng.choice([1e-300, 1e-14, 2e-12, 1e-6, 0.1]))
    rtol = float(rng.choice([4 * np.finfo(float).eps, 1e-13, 1e-8]))
    maxiter = int(rng.choice([0, 1, 3, 100, 100, 100, 500, 500, 500]))
    _same(f, a, b, xtol=xtol, rtol=rtol, maxiter=maxiter)


def test_the_callers_settings_and_edge_cases():
    # measures.yield_ (xtol 1e-14, rtol 1e-13), zerocurve.solve_spread (1e-13, 1e-13), deal.breakeven (4 eps)
    assert _same(lambda x: x * x - 2.0, 0.0, 2.0, xtol=1e-14, rtol=1e-13, maxiter=500) == "ok"
    root = brentq(lambda x: x * x - 2.0, 0.0, 2.0, xtol=1e-14, rtol=1e-13)
    assert abs(root - math.sqrt(2.0)) < 1e-13 and root != math.sqrt(2.0)   # stops within tolerance, as SciPy
    assert _same(lambda x: x - 1.0, 1.0, 3.0) == "ok"                 # root at a bracket end
    assert _same(lambda x: x - 3.0, 1.0, 3.0) == "ok"
    assert _same(lambda x: x + 5.0, 1.0, 3.0) == "ValueError"         # no sign change
    assert _same(lambda x: x ** 3 - 1.5, 0.0, 2.0, maxiter=2) == "RuntimeError"
    assert _same(lambda x: math.nan if x > 0.5 else -1.0, 0.0, 2.0) == "ValueError"
    assert _same(lambda x: 1e-200 * (x - 0.3), 0.0, 1.0) == "ok"      # products underflow (SciPy 873b43c)
    assert _same(lambda x: np.float64(x) - 0.25, 0.0, 1.0) == "ok"    # numpy scalars from f
    for bad in (dict(xtol=0.0), dict(rtol=1e-17)):
        assert _same(lambda x: x, -1.0, 1.0, **bad) == "ValueError"
