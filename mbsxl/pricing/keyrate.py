"""Key-rate durations (关键期限久期) of a cash-flow column on a zero curve.

Price: ``PV(curve) = sum CF_k x DF(T_k; z(T_k) + spread)``, the flows' times ``T_k`` from
:func:`mbsxl.pricing.measures.payment_times` (30/360, delay and settlement as the Standard Formulas), the
zero curve of :class:`mbsxl.pricing.zerocurve.ZeroCurve` (zero rate linear in term, flat beyond the ends)
on its ``compounding`` (continuous by default, or 1, 2, 4, 12 a year), ``spread`` added on that basis.

Key-rate shifts (Ho, 1992): for key tenors ``k_1 < ... < k_n`` the shift of key rate ``i`` moves
the zero rate at term ``t`` by ``bump x s_i(t)``, ``s_i`` the triangle equal to 1 at ``k_i``, 0 at
the neighbouring key tenors and beyond them, linear in between; ``s_1`` is 1 for every term below
``k_1`` and ``s_n`` 1 for every term above ``k_n`` (flat beyond the ends).  The shifts add up to a
parallel shift: ``sum_i s_i(t) = 1`` for every ``t``.

``KRD_i = (PV(-bump s_i) - PV(+bump s_i)) / (2 x bump x PV)`` in years (central difference, rates
as decimals, default ``bump`` 0.0001 = 1 bp), and the effective duration is the same with the
parallel shift (:func:`mbsxl.effective_duration`, SF-51).  The key-rate durations sum to the
effective duration up to terms of third order in the bump.  The flows are held fixed (a static
cash-flow column): for flows that depend on rates, reproject them under each shifted curve.

Example
-------
>>> t = krd([5.0] * 9 + [105.0], [1, 10], [0.04, 0.04], [2, 5, 10], periods_per_year=1)
>>> [(k, round(d, 4)) for k, d in zip(t["Key Tenor"], t["Key Rate Duration"])]      # doctest: +NORMALIZE_WHITESPACE
[(2.0, 0.2661), (5.0, 0.8277), (10.0, 7.0905), ('Sum of key rate durations', 8.1842),
 ('Effective duration (parallel shift)', 8.1842)]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.pricing import measures as _pr
from mbsxl.pricing.valuation import effective_duration
from mbsxl.pricing.zerocurve import ZeroCurve


def _key_tenors(values) -> np.ndarray:
    """Key tenors in years: non-empty, >= 0, strictly increasing, at most :data:`MAX_KEY_TENORS`."""
    k = v.array("key_tenors", values, lo=0.0)
    if k.size == 0:
        raise v.MbsxlInputError("key_tenors is empty; pass the key terms in years, e.g. 1, 2, 3, 5, 7, 10")
    if k.size > v.MAX_KEY_TENORS:
        raise v.MbsxlInputError(f"key_tenors has {k.size} values, above the cap of {v.MAX_KEY_TENORS}")
    if k.size > 1 and (np.diff(k) <= 0).any():
        i = int(np.argmax(np.diff(k) <= 0)) + 1
        raise v.MbsxlInputError(f"key_tenors[{i}]={v._fmt(float(k[i]))} does not increase; pass the key tenors in "
                                "increasing order without repeats")
    return k


def shapes(t: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``n x len(t)``: the triangular key-rate shift of each key tenor at the terms ``t``."""
    eye = np.eye(keys.size)
    return np.array([np.interp(t, keys, eye[i]) for i in range(keys.size)])


def krd(cash_flows, curve_terms, curve_rates, key_tenors, compounding="continuous", bump=0.0001, spread=0.0,
        delay_days=0, settle_days=0, basis="30/360", *, balance=100.0, periods_per_year=12, payment_day=None,
        start_date=None) -> pd.DataFrame:
    """Key-rate durations (module docstring): a table with :data:`mbsxl.columns.KRD_COLUMNS`, one row
    a key tenor, then the rows :data:`~mbsxl.columns.KRD_SUM` and :data:`~mbsxl.columns.KRD_EFFECTIVE`
    (the parallel shift's effective duration).  Timing arguments as :func:`mbsxl.price`."""
    curve = ZeroCurve(curve_terms, curve_rates, compounding)
    keys = _key_tenors(key_tenors)
    h = v.number("bump", bump, lo=0.0, hi=0.01, lo_open=True,
                 accepted="accepted: a decimal in (0, 0.01], e.g. 0.0001 for 1 bp")
    s = v.spread("spread", spread)
    cf, t = _pr._setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date,
                       payment_day)
    z = curve.rate(t) + s

    def pv(shift):
        dz = z + shift
        df = np.exp(-dz * t) if curve.m == 0 else np.exp(-curve.m * t * np.log1p(dz / curve.m))
        return float(cf @ df)

    p0 = pv(0.0)
    if p0 <= 0:
        raise v.MbsxlInputError("cash_flows are worth zero or less on the curve; key-rate durations are undefined")
    krds = [effective_duration(p0, pv(-h * sh), pv(h * sh), h) for sh in shapes(t, keys)]
    eff = effective_duration(p0, pv(-h), pv(h), h)
    first = [float(k) for k in keys] + [C.KRD_SUM, C.KRD_EFFECTIVE]
    return pd.DataFrame({C.KEY_TENOR: first, C.KEY_RATE_DURATION: krds + [float(np.sum(krds)), eff]},
                        columns=C.KRD_COLUMNS)
