"""Tests of mbsxl.pricing.measures against figures published outside the project.

Main source: The Bond Market Association, *Uniform Practices / Standard Formulas for the Analysis of
Mortgage-Backed Securities and Other Related Securities* (chapter SF, 02/01/99), section G.1,
SF-50 to SF-52: a Ginnie Mae I 9.0% pass-through (gross coupon 9.5%, the SF-4 example and the SF-43
Ginnie Mae I servicing spread of 50 bp), 360-month term, 150% PSA, 14-day actual delay, settled on the
issue date at 100:

    CF1 = 0.8242, CF2 = 0.8491, CF3 = 0.8738, CF360 = 0.0562,
    Yield 9.10675%, Mortgage Yield 8.93863%, Average Life 9.77844 years,
    Duration 5.73147 years, Modified Duration 5.48186 years, Cash-Flow Convexity 54.4326 years^2;
    settled seven days after issue at par: P = 100.1750 (with accrued interest), Yield 9.10644%.
"""
from __future__ import annotations

import datetime

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings, strategies as st

from mbsxl.pricing import measures as pr
from sf_gnma import sf_gnma_flows


CF, PRIN = sf_gnma_flows()


def test_sf_cash_flows_as_published():
    """SF-51: CF1 0.8242, CF2 0.8491, CF3 0.8738, CF360 0.0562 (our test fixture is right)."""
    assert np.round(CF[[0, 1, 2, 359]], 4).tolist() == [0.8242, 0.8491, 0.8738, 0.0562]


def test_sf_yield_and_mortgage_yield():
    """SF-51: Yield 9.10675%, Mortgage Yield 8.93863% at price 100, 14-day actual delay."""
    y = pr.yield_(CF, 100, delay_days=14)
    assert round(100 * y, 5) == 9.10675
    assert round(100 * pr.yield_(CF, 100, delay_days=14, compounding=12), 5) == 8.93863
    assert round(100 * pr.yield_(CF, 100, delay_days=14, compounding="mortgage"), 5) == 8.93863
    assert round(100 * pr.convert_yield(y, 2, 12), 5) == 8.93863


def test_sf_average_life_duration_convexity():
    """SF-51: Average Life 9.77844, Duration 5.73147, Modified Duration 5.48186, Convexity 54.4326."""
    y = pr.yield_(CF, 100, delay_days=14)
    assert round(pr.wal(PRIN, delay_days=14), 5) == 9.77844
    assert round(pr.duration(CF, y, delay_days=14), 5) == 5.73147
    assert round(pr.duration(CF, y, delay_days=14, modified=True), 5) == 5.48186
    assert round(pr.duration(CF, price=100, delay_days=14, modified=True), 5) == 5.48186
    assert round(pr.convexity(CF, y, delay_days=14), 4) == 54.4326
    assert round(pr.convexity(CF, price=100, delay_days=14) / 100, 6) == 0.544326


def test_sf_settlement_seven_days_after_issue():
    """SF-52: bought at par for settlement seven days after issue: P = 100.1750 with accrued, yield 9.10644%."""
    assert round(100 + pr.accrued(0.09, 7), 4) == 100.1750
    y = pr.yield_(CF, 100, delay_days=14, settle_days=7, coupon=0.09)
    assert round(100 * y, 5) == 9.10644
    assert round(pr.price(CF, y, delay_days=14, settle_days=7, coupon=0.09), 8) == 100.0


def test_sf_first_payment_times():
    """SF-50: the first two flows of a Ginnie Mae I settled at issue are discounted over 44/360 and 74/360."""
    t = pr.payment_times(2, delay_days=14)
    assert t.tolist() == pytest.approx([44 / 360, 74 / 360], abs=1e-15)
    # payment on the 15th of the month (Ginnie Mae I) is the same as a 14-day delay
    assert pr.payment_times(2, payment_day=15).tolist() == pytest.approx(t.tolist(), abs=1e-15)


def test_sf_example_through_the_pool_engine():
    """The same SF-51 figures when the flows come from mbsxl.cashflows (150% PSA, 9.5% gross, 50 bp servicing)."""
    mbsxl = pytest.importorskip("mbsxl")
    try:
        df = mbsxl.cashflows(100, 0.095, 360, prepay=150, prepay_type="PSA", servicing=0.005)
    except (ImportError, AttributeError):
        pytest.skip("mbsxl.cashflows not available")
    cf = df["Cash Flow"].to_numpy()
    y = pr.yield_(cf, 100, delay_days=14)
    assert round(100 * y, 5) == 9.10675
    assert round(pr.wal(df["Total Principal"], delay_days=14), 5) == 9.77844
    assert round(pr.duration(cf, y, delay_days=14), 5) == 5.73147


def test_balance_scales_to_per_100_of_face():
    """Flows of a 4,160,683,708-yuan pool priced per 100 of current face equal the flows scaled to 100."""
    bal = 4_160_683_708.0
    p1 = pr.price(CF * bal / 100, 0.08, 14, balance=bal)
    assert p1 == pytest.approx(pr.price(CF, 0.08, 14), rel=1e-13)


def test_level_annuity_against_numpy_financial():
    """A 360-month level annuity: numpy_financial.pv / rate give the same price and monthly yield.

    With no delay and monthly compounding, price = PV at rate/12 over 360 months; numpy_financial
    discounts payment k over k months, the SF equation over T_k = 30k/360 years at (1 + y/12)^(12 T).
    """
    pmt = 0.8
    r = 0.07 / 12
    expected = -npf.pv(r, 360, pmt)
    assert pr.price(np.full(360, pmt), 0.07, compounding=12) == pytest.approx(expected, rel=1e-12)
    rate = npf.rate(360, pmt, -100.0, 0.0)
    assert pr.yield_(np.full(360, pmt), 100, compounding=12) == pytest.approx(12 * rate, rel=1e-10)
    # npv: numpy_financial's npv discounts the first value at t=0, so lead with a zero
    npv = npf.npv(0.01, np.r_[0.0, np.full(24, 5.0)])
    assert pr.price(np.full(24, 5.0), 0.12, compounding=12) == pytest.approx(npv, rel=1e-12)


def test_act365_calendar_for_a_26th_payment_day():
    """China: Act/365 and payment on the 26th (Jianyuan, seed 002). 2008-01-01 to 2008-02-26 is 56 days,
    to 2008-03-26 85 days (2008 is a leap year); settlement 2008-01-10 (9 days) shortens each by 9."""
    t = pr.payment_times(3, settle_days=9, basis="act/365", start_date=datetime.date(2008, 1, 1), payment_day=26)
    assert (t * 365).round(9).tolist() == [47.0, 76.0, 107.0]
    # a year of twelve 26th payments: the first at 56/365 and yields discount over actual days
    p = pr.price([100.0], 0.05, basis="act/365", start_date="2008-01-01", payment_day=26, compounding=1)
    assert p == pytest.approx(100 / 1.05 ** (56 / 365), rel=1e-14)


def test_validation_messages():
    with pytest.raises(ValueError, match="basis"):
        pr.price(CF, 0.09, basis="30/365")
    with pytest.raises(ValueError, match="percent"):
        pr.price(CF, 9.0)
    with pytest.raises(ValueError, match="coupon"):
        pr.yield_(CF, 100, delay_days=14, settle_days=7)
    with pytest.raises(ValueError, match="compounding"):
        pr.yield_(CF, 100, compounding=3)
    with pytest.raises(ValueError, match="cash_flows"):
        pr.price([1.0, np.nan], 0.05)
    with pytest.raises(ValueError, match="exactly one"):
        pr.duration(CF)


@settings(max_examples=60, deadline=None)
@given(y1=st.floats(0.0, 0.3), dy=st.floats(1e-4, 0.1), delay=st.integers(0, 60), m=st.sampled_from([1, 2, 12]))
def test_price_decreasing_in_yield(y1, dy, delay, m):
    """Positive flows: a higher yield always gives a lower price."""
    assert pr.price(CF, y1 + dy, delay, compounding=m) < pr.price(CF, y1, delay, compounding=m)


@settings(max_examples=60, deadline=None)
@given(y=st.floats(-0.02, 0.4), delay=st.integers(0, 60), settle=st.integers(0, 29),
       m=st.sampled_from([1, 2, 4, 12]), basis=st.sampled_from(["30/360", "act/365"]))
def test_price_yield_round_trip(y, delay, settle, m, basis):
    """yield_(price(y)) == y for any delay, settlement day, basis and compounding."""
    p = pr.price(CF, y, delay, settle, basis, coupon=0.09, compounding=m)
    assert pr.yield_(CF, p, delay, settle, basis, coupon=0.09, compounding=m) == pytest.approx(y, abs=1e-10)


@settings(max_examples=40, deadline=None)
@given(y=st.floats(0.0, 0.2), dy=st.floats(-5e-4, 5e-4))
def test_duration_convexity_approximate_price_change(y, dy):
    """SF-49 g: P(y+dy) ~ P(y) [1 - ModDur dy + Conv dy^2 / 2] to third order in dy (|d3P/dy3| / 6P < 5000 for flows within 30 years)."""
    p0 = pr.price(CF, y, 14)
    md = pr.duration(CF, y, 14, modified=True)
    cx = pr.convexity(CF, y, 14)
    approx = p0 * (1 - md * dy + 0.5 * cx * dy * dy)
    assert pr.price(CF, y + dy, 14) == pytest.approx(approx, abs=p0 * 5000 * abs(dy) ** 3 + 1e-10)
