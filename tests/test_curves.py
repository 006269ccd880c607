"""Tests of the curve and OAS modules: zero curve and Z-spread (mbsxl.pricing.zerocurve), Hull-White paths
(mbsxl.pricing.ratemodels), refinancing prepayment (mbsxl.pool.prepayment), path flows, OAS, effective duration/convexity
(mbsxl.pricing.valuation).

Outside figures: The Bond Market Association, Uniform Practices / Standard Formulas (02/01/99), SF-50/51
(Ginnie Mae I 9.0%, 150% PSA, 14-day delay, price 100, yield 9.10675%; effective duration 5.44 and
effective convexity -60.0 from prices 99.453 / 100.541 at +-10 bp); Hull-White moments from
Brigo & Mercurio, *Interest Rate Models* (2nd ed., 2006), section 3.3.2: x(t) = r(t) - alpha(t) is
Gaussian with mean 0 and variance sigma^2 (1 - exp(-2 a t)) / (2 a).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mbsxl.pool import prepayment as pp
from mbsxl.pricing import ratemodels as hw
from mbsxl.pool import sf4
from mbsxl.pricing import valuation as va
from mbsxl.pricing import zerocurve as zc
from mbsxl.pricing import measures as pr
from sf_gnma import sf_gnma_flows



CF = sf_gnma_flows()[0]
TERMS = [0.25, 1, 3, 5, 10, 30]
RATES = [0.030, 0.035, 0.040, 0.042, 0.045, 0.047]


def test_zspread_zero_on_flat_curve_at_the_sf_yield():
    """SF-51: at price 100 the SF pool yields 9.10675% bond-equivalent; on a flat zero curve at that rate,
    semiannually compounded, the Z-spread is 0 (to the 5 published digits: |s| < 1e-7)."""
    s = zc.zspread(CF, 100.0, [1, 30], [0.0910675, 0.0910675], 14, compounding=2)
    assert abs(s) < 1e-7
    # the same flat curve quoted continuously (2 ln(1 + y/2)): Z-spread 0 again
    yc = 2 * math.log1p(0.0910675 / 2)
    assert abs(zc.zspread(CF, 100.0, [30], [yc], 14)) < 1e-7


@settings(max_examples=40, deadline=None)
@given(y=st.floats(0.0, 0.2), delay=st.integers(0, 45), m=st.sampled_from([1, 2, 12]))
def test_zspread_zero_on_flat_curve_equals_yield_price(y, delay, m):
    """Z-spread 0 on a flat curve at y (same compounding) reproduces the yield-based price."""
    p = pr.price(CF, y, delay, compounding=m)
    assert abs(zc.zspread(CF, p, [0.5, 30], [y, y], delay, compounding=m)) < 1e-9


def test_zspread_of_a_zero_coupon_flow_in_closed_form():
    """One flow of 100 at 5 years priced 80: continuous Z-spread = ln(100/80)/5 - z(5), z(5) = 4.2%."""
    cf = np.zeros(60)
    cf[-1] = 100.0
    s = zc.zspread(cf, 80.0, TERMS, RATES)
    assert s == pytest.approx(math.log(100 / 80) / 5 - 0.042, abs=1e-12)


def test_curve_interpolation_and_flat_ends():
    c = zc.ZeroCurve(TERMS, RATES)
    assert float(c.rate(2.0)) == pytest.approx(0.0375)
    assert float(c.rate(0.1)) == 0.03 and float(c.rate(40)) == 0.047
    with pytest.raises(ValueError, match="increase"):
        zc.ZeroCurve([1, 1], [0.03, 0.03])
    with pytest.raises(ValueError, match="percent"):
        zc.ZeroCurve([1, 2], [3.0, 3.5])


def test_effective_measures_sf51():
    """SF-51: prices 99.453 (+10 bp) and 100.541 (-10 bp) around 100 give 5.44 years and -60.0 years^2."""
    assert round(va.effective_duration(100.0, 100.541, 99.453, 0.001), 2) == 5.44
    assert round(va.effective_convexity(100.0, 100.541, 99.453, 0.001), 1) == -60.0


def test_path_engine_reproduces_sf_flows():
    """path_cashflows on the SF-50 pool (9.5% gross, 9.0% net, 150% PSA) gives the SF-51 flows and yield."""
    month = np.arange(1, 361)
    cpr = 1.5 * 0.002 * np.minimum(month, 30)
    smm = 1 - (1 - cpr) ** (1 / 12)
    cf, prin = va.path_cashflows(np.vstack([smm, smm]), 0.095, 360, servicing=0.005)
    assert np.round(cf[0, [0, 1, 2, 359]], 4).tolist() == [0.8242, 0.8491, 0.8738, 0.0562]
    assert round(100 * pr.yield_(cf[1], 100, 14), 5) == 9.10675
    assert round(pr.wal(prin[0], 14), 5) == 9.77844


def test_hull_white_moments_and_martingale():
    """Brigo-Mercurio 3.3.2: Var r(t) = sigma^2 (1 - e^{-2at}) / 2a; E[discount] = P(0, t) within MC error."""
    a, sig = 0.1, 0.01
    times = np.arange(1, 121) / 12
    short, disc = hw.short_rate_paths(TERMS, RATES, times, mean_reversion=a, sigma=sig, paths=20000)
    t = times[-2]                                  # short[:, -1] is the rate at times[-2]
    var = sig ** 2 * (1 - math.exp(-2 * a * t)) / (2 * a)
    assert short[:, -1].var() == pytest.approx(var, rel=0.03)
    curve = zc.ZeroCurve(TERMS, RATES)
    for k in (11, 59, 119):
        d = disc[:, k]
        se = d.std() / math.sqrt(d.size)
        assert abs(d.mean() - float(curve.discount(times[k]))) < 4 * se + 1e-12
    # zero volatility: every path is the forward curve, discount = curve
    s0, d0 = hw.short_rate_paths(TERMS, RATES, times, sigma=0, paths=4)
    np.testing.assert_allclose(d0, np.broadcast_to(curve.discount(times), d0.shape), rtol=1e-13)


POOL = dict(wac=0.0783 * 0.85, wam=220, curve_terms=TERMS, curve_rates=RATES, servicing=0.003, delay_days=25)


def test_oas_zero_volatility_equals_zspread_of_the_forward_path_flows():
    """At sigma = 0 every path follows the forward curve; the OAS equals the Z-spread of that path's flows."""
    r = va.oas(99.0, sigma=0.0, paths=50 * 2, effective=False, **POOL)
    times = pr.payment_times(220, delay_days=25)
    short, _ = hw.short_rate_paths(TERMS, RATES, times, sigma=0.0, paths=2)
    mort = short[:1] + (POOL["wac"] - float(zc.ZeroCurve(TERMS, RATES).forward(0.0)))
    cpr = pp.refi_cpr(mort, np.arange(1, 221), POOL["wac"])
    cf, _ = va.path_cashflows(1 - (1 - cpr) ** (1 / 12), POOL["wac"], 220, 0.003)
    z = zc.zspread(cf[0], 99.0, TERMS, RATES, 25)
    assert r.oas == pytest.approx(z, abs=1e-10)
    assert r.zspread == pytest.approx(z, abs=1e-10)
    assert r.price_std_error < 1e-10


def test_oas_with_static_prepayment_equals_zspread_within_standard_error():
    """Flows that do not depend on the path (constant 17.26% CPR, the Jianyuan prospectus speed): the
    OAS at sigma = 1% differs from the Z-spread only by Monte Carlo error of the discount factors."""
    r = va.oas(99.0, sigma=0.01, paths=1000, prepay=0.1726, effective=False, **POOL)
    cf, _ = va.path_cashflows(np.full((1, 220), 1 - (1 - 0.1726) ** (1 / 12)), POOL["wac"], 220, 0.003)
    z = zc.zspread(cf[0], 99.0, TERMS, RATES, 25)
    assert r.zspread == pytest.approx(z, abs=1e-12)
    # price error -> spread error through the spread duration (continuous: sum T CF DF / P)
    t = pr.payment_times(220, delay_days=25)
    dfz = zc.ZeroCurve(TERMS, RATES).discount(t) * np.exp(-z * t)
    spread_duration = float((t * cf[0]) @ dfz) / 99.0
    assert abs(r.oas - z) < 3 * r.price_std_error / (99.0 * spread_duration)


def test_antithetic_variates_reduce_standard_error():
    a = va.oas(99.0, paths=1000, antithetic=True, effective=False, **POOL)
    b = va.oas(99.0, paths=1000, antithetic=False, effective=False, **POOL)
    assert a.price_std_error < 0.5 * b.price_std_error


def test_fixed_seed_reproducible():
    a = va.oas(99.0, paths=200, **POOL)
    b = va.oas(99.0, paths=200, **POOL)
    c = va.oas(99.0, paths=200, seed=7, **POOL)
    assert (a.oas, a.price_std_error, a.effective_duration) == (b.oas, b.price_std_error, b.effective_duration)
    assert c.oas != a.oas
    # chunking the paths does not change the numbers
    d = va.oas(99.0, paths=200, chunk_paths=60, **POOL)
    assert d.oas == pytest.approx(a.oas, abs=1e-13)


def test_oas_model_price_and_negative_convexity():
    """The model price at the OAS is the input price; with refinancing the pool's effective convexity is
    negative (SF-50: 'the Effective Convexity is frequently negative') while its cash-flow convexity is positive."""
    r = va.oas(101.0, sigma=0.012, paths=1000, refi_slope=8.0, **POOL)
    assert r.model_price == pytest.approx(101.0, abs=1e-9)
    assert r.effective_convexity < 0 < r.effective_duration


def test_pluggable_prepayment_callable():
    """A callable standing in for a fitted regression: CPR = 6% + 5 x incentive, ramped, gives the default model."""
    wac = POOL["wac"]

    def fitted(mortgage_rates, ages):
        ramp = np.minimum(np.maximum(ages, 1), 30) / 30
        return ramp * np.clip(0.06 + 5.0 * (wac - mortgage_rates), 0.0, 0.6)

    a = va.oas(99.0, paths=200, effective=False, **POOL)
    b = va.oas(99.0, paths=200, effective=False, prepay=fitted, **POOL)
    assert b.oas == pytest.approx(a.oas, abs=1e-12)
    # an SMM matrix from a callable
    c = va.oas(99.0, paths=200, effective=False, prepay=lambda m, ages: np.full(m.shape, 0.01), prepay_type="SMM",
               **POOL)
    d = va.oas(99.0, paths=200, effective=False, prepay=1 - 0.99 ** 12, **POOL)
    assert c.oas == pytest.approx(d.oas, abs=1e-12)


def test_progress_callback_and_table():
    seen = []
    r = va.oas(99.0, paths=200, chunk_paths=100, progress=lambda done, total: seen.append((done, total)), **POOL)
    assert seen[-1][0] == seen[-1][1] == len(seen)
    table = r.table()
    assert list(table.columns) == va.OAS_COLUMNS and table["Measure"].tolist() == va.OAS_ROWS


def test_oas_validation():
    with pytest.raises(ValueError, match="odd"):
        va.oas(99.0, paths=101, **POOL)
    with pytest.raises(ValueError, match="sigma"):
        va.oas(99.0, sigma=1.0, **POOL)
    with pytest.raises(ValueError, match="percent"):
        va.oas(99.0, prepay=[0.1, 25], **POOL)
    with pytest.raises(ValueError, match="PSA"):
        va.oas(99.0, prepay=[100, 150], prepay_type="PSA", **POOL)


def test_static_prepayment_forms():
    """A short column is extended with its last value (as mbsxl.cashflows does); a PSA speed gives the SF-6 ramp."""
    a = va.oas(99.0, paths=100, effective=False, prepay=[0.3, 0.2], **POOL)
    b = va.oas(99.0, paths=100, effective=False, prepay=np.r_[0.3, np.full(219, 0.2)], **POOL)
    assert a.oas == pytest.approx(b.oas, abs=1e-13)
    months = np.arange(1, 221)
    c = va.oas(99.0, paths=100, effective=False, prepay=150, prepay_type="PSA", **POOL)
    d = va.oas(99.0, paths=100, effective=False, prepay=0.003 * np.minimum(months, 30), **POOL)
    assert c.oas == pytest.approx(d.oas, abs=1e-13)


@pytest.mark.parametrize("extra", [{}, {"prepay": 0.1726}, {"prepay": 0.01, "prepay_type": "SMM"},
                                   {"prepay": np.linspace(0.05, 0.3, 220)}, {"antithetic": False}])
def test_engines_agree(extra):
    """The compiled kernel and the numpy engine compute the same OAS, error and effective measures."""
    pytest.importorskip("numba")
    a = va.oas(99.0, paths=200, engine="numba", **extra, **POOL)
    b = va.oas(99.0, paths=200, engine="numpy", chunk_paths=60, **extra, **POOL)
    assert a.oas == pytest.approx(b.oas, abs=1e-12)
    assert a.price_std_error == pytest.approx(b.price_std_error, rel=1e-9)
    assert a.effective_duration == pytest.approx(b.effective_duration, rel=1e-9)
    assert a.effective_convexity == pytest.approx(b.effective_convexity, rel=1e-7, abs=1e-7)


def test_pair_price_series_is_accurate():
    """Each antithetic pair keeps a Taylor series of its price in the spread (16 terms about the Z-spread):
    up to 500 bp from the centre over 30 years it matches the series centred on the spread itself to 1e-9."""
    t = pr.payment_times(360, delay_days=25)
    curve = zc.ZeroCurve(TERMS, RATES)
    bal = sf4.amortized_balance(0.0666, 360, "level_payment")
    model = dict(base_cpr=0.06, refi_slope=5.0, cpr_floor=0.0, cpr_cap=0.6)
    sim = (t, np.arange(1, 361), 0.1, 0.01, 0.0666, bal, 0.0636, None, "CPR", model, 0.02)
    far = 0.06
    _, m1 = va._simulate([curve], *sim, hw.rng(1), 200, True, 64, None, [0], 1, "numpy", far)
    for gap in (0.004, 0.02, 0.05):
        _, m0 = va._simulate([curve], *sim, hw.rng(1), 200, True, 64, None, [0], 1, "numpy", far - gap)
        p0 = m0 @ gap ** np.arange(va._MOMENTS)
        np.testing.assert_allclose(p0, m1[:, 0], rtol=1e-9)


def test_effective_measures_with_fixed_flows_match_direct_repricing():
    """Zero volatility and a static CPR: the flows are fixed, so the bumped prices are the flows discounted on
    the shifted curve plus the OAS; effective duration and convexity follow the SF-51 formulas exactly."""
    b = 0.0025
    r = va.oas(99.0, sigma=0.0, paths=2, prepay=0.1726, bump=b, **POOL)
    cf, _ = va.path_cashflows(np.full((1, 220), 1 - (1 - 0.1726) ** (1 / 12)), POOL["wac"], 220, 0.003)
    t = pr.payment_times(220, delay_days=25)

    def priced(shift):
        curve = zc.ZeroCurve(TERMS, np.array(RATES) + shift)
        return float(cf[0] @ (curve.discount(t) * np.exp(-r.oas * t)))

    p0, up, down = priced(0.0), priced(b), priced(-b)
    assert p0 == pytest.approx(99.0, abs=1e-9)
    assert r.effective_duration == pytest.approx(va.effective_duration(p0, down, up, b), rel=1e-9)
    assert r.effective_convexity == pytest.approx(va.effective_convexity(p0, down, up, b), rel=1e-7)
    # fixed flows: positive convexity (SF-50: cash-flow convexity of a pass-through is always positive)
    assert r.effective_convexity > 0
