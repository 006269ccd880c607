"""Brent's root finder, a line-for-line port of SciPy's ``scipy.optimize.brentq`` (so that a yield does not
import ``scipy.optimize``: 0.15-0.3 s of every process that prices a bond).

Source: ``scipy/optimize/Zeros/brentq.c`` (Charles Harris; unchanged since SciPy 1.11, commit 873b43c
"fix underflow sign check bug", through SciPy 1.17), its caller ``call_solver`` in
``scipy/optimize/_zerosmodule.c`` and the checks of ``brentq`` in ``scipy/optimize/_zeros_py.py``
(BSD-3-Clause, Copyright (c) 2001-2002 Enthought, Inc. 2003, SciPy Developers).  The arithmetic is the
C code's, operation for operation in IEEE double (Python floats are C doubles; the C divisions that
can meet a zero divisor give inf/nan, reproduced by :func:`_div`), so the root returned is the same
float SciPy returns, bit for bit, after the same function calls at the same points
(``tests/test_brentq_port.py`` checks both on thousands of random functions against SciPy itself).

Conventions (SciPy's): ``f(a)`` and ``f(b)`` must differ in sign (else ValueError); a zero at either
end is returned at once; convergence when the bracket's half-width is below
``(xtol + rtol * |x|) / 2``; ``maxiter`` iterations then RuntimeError; a NaN from ``f`` is a
ValueError.  Example: ``brentq(lambda x: x * x - 2.0, 0.0, 2.0, xtol=1e-14, rtol=1e-13)`` is
1.4142135623730607, as SciPy's (sqrt(2) = 1.41421356237309505 to within the 1e-13 asked for).
"""
from __future__ import annotations

import math
import operator

_RTOL = 4 * 2.220446049250313e-16          # 4 * np.finfo(float).eps, SciPy's smallest rtol


def _signbit(x: float) -> bool:
    return math.copysign(1.0, x) < 0.0


def _div(n: float, d: float) -> float:
    """``n / d`` as C computes it in IEEE double: a zero divisor gives +-inf or nan, no exception."""
    if d != 0.0:
        return n / d
    if n != n or n == 0.0:
        return math.nan
    return math.inf if _signbit(n) == _signbit(d) else -math.inf


def brentq(f, a, b, xtol: float = 2e-12, rtol: float = _RTOL, maxiter: int = 100) -> float:
    """The root of ``f`` in the bracket ``[a, b]`` (or ``[b, a]``): ``scipy.optimize.brentq(f, a, b, xtol=xtol,
    rtol=rtol, maxiter=maxiter)``, the same float (module docstring)."""
    maxiter = operator.index(maxiter)
    if xtol <= 0:
        raise ValueError(f"xtol too small ({xtol:g} <= 0)")
    if rtol < _RTOL:
        raise ValueError(f"rtol too small ({rtol:g} < {_RTOL:g})")
    if maxiter < 0:
        raise ValueError("maxiter must be >= 0")
    xtol = float(xtol)
    rtol = float(rtol)

    def call(x: float) -> float:
        fx = f(x)
        if fx != fx:
            raise ValueError(f"The function value at x={x} is NaN; solver cannot continue.")
        return float(fx)

    xpre = float(a)
    xcur = float(b)
    xblk = fblk = spre = scur = 0.0
    fpre = call(xpre)
    fcur = call(xcur)
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    if _signbit(fpre) == _signbit(fcur):
        raise ValueError("f(a) and f(b) must have different signs")
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and _signbit(fpre) != _signbit(fcur):
            xblk = xpre
            fblk = fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre = xcur
            xcur = xblk
            xblk = xpre
            fpre = fcur
            fcur = fblk
            fblk = fpre
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:                                     # interpolate
                stry = _div(-fcur * (xcur - xpre), fcur - fpre)
            else:                                                # extrapolate
                dpre = _div(fpre - fcur, xpre - xcur)
                dblk = _div(fblk - fcur, xblk - xcur)
                stry = _div(-fcur * (fblk * dblk - fpre * dpre), dblk * dpre * (fblk - fpre))
            lim_a, lim_b = abs(spre), 3 * abs(sbis) - delta
            if 2 * abs(stry) < (lim_a if lim_a < lim_b else lim_b):      # C's MIN(a, b)
                spre = scur                                      # good short step
                scur = stry
            else:                                                # bisect
                spre = sbis
                scur = sbis
        else:                                                    # bisect
            spre = sbis
            scur = sbis
        xpre = xcur
        fpre = fcur
        if abs(scur) > delta:
            xcur += scur
        else:
            xcur += delta if sbis > 0 else -delta
        fcur = call(xcur)
    raise RuntimeError(f"Failed to converge after {maxiter} iterations.")
