"""Tranche waterfall (mbsxl.deal.waterfall): an independent sequential-pay computation, invariants
(hypothesis), floating coupons from the PBoC table, shortfalls, the clean-up call, and the
worksheet functions through the dispatch.

Figures from outside the project: the Jianyuan 2007-1 class sizes (seed 002: A 3,582,348,600,
B 356,154,500, C 82,381,500, subordinate 139,799,108; pool 4,160,683,708, seed 001) and the
PBoC one-year deposit rates (``data/pboc_benchmark_rates.csv``: 3.87% from 2007-09-15, 4.14% from
2007-12-21, 2.52% from 2008-11-27, 2.25% from 2008-12-23).  Coupons, spreads, speeds and losses
are assumptions of each test (the seeds do not publish the spreads).
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import mbsxl
from mbsxl.deal import waterfall as wf
from mbsxl.excel.dispatch import call
from mbsxl.excel.convert import to_excel
from mbsxl.excel.errors import XlError

# seed 002 (deal structure) and seed 001 (pool balance)
NAMES = ["A", "B", "C", "Subordinate"]
SIZES = [3_582_348_600.0, 356_154_500.0, 82_381_500.0, 139_799_108.0]
POOL_BALANCE = 4_160_683_708.0


def _by_class(t, col):
    """class -> the column as an array over periods."""
    return {k: g[col].to_numpy() for k, g in t.groupby(wf.CLASS, sort=False)}


def _loop_sequential(prin, intr, loss, sizes, coupons):
    """Sequential pay written out plainly: interest in order of seniority (no fees, shortfall
    carried without interest, excess to the last class), principal to the most senior class
    outstanding, losses from the bottom.  Returns per class lists of (interest paid, principal,
    loss, ending balance)."""
    n = len(sizes)
    bal = list(sizes)
    short = [0.0] * n
    out = [[] for _ in range(n)]
    for t in range(len(prin)):
        cash = intr[t]
        paid = []
        for k in range(n):
            due = bal[k] * coupons[k] / 12 + short[k]
            pay = due if cash >= due else cash
            cash -= pay
            short[k] = due - pay
            paid.append(pay)
        paid[-1] += cash
        left = prin[t]
        pr = []
        for k in range(n):
            x = min(left, bal[k])
            left -= x
            pr.append(x)
        after = [bal[k] - pr[k] for k in range(n)]
        lo = loss[t]
        ls = [0.0] * n
        for k in reversed(range(n)):
            ls[k] = min(lo, after[k])
            lo -= ls[k]
        for k in range(n):
            bal[k] = after[k] - ls[k]
            out[k].append((paid[k], pr[k], ls[k], bal[k]))
    return out


@pytest.mark.parametrize("cdr,severity", [(0.0, 0.0), (0.03, 0.4), (0.2, 0.6)])
def test_sequential_jianyuan_against_plain_loop(cdr, severity):
    # Jianyuan 2007-1 class sizes (seed 002) on a pool projected at the prospectus 17.26% CPR (seed 002);
    # WAC 7.11%, WAM 200, coupons and losses are test assumptions.
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.1726, default=cdr, severity=severity,
                           recovery_lag=3, servicing=0.002)
    coupons = [0.045, 0.05, 0.06, 0.0]
    t = mbsxl.tranches(pool, None, None, NAMES, SIZES, coupons)
    ref = _loop_sequential(pool["Total Principal"].to_numpy(), pool["Net Interest"].to_numpy(),
                           pool["Loss"].to_numpy(), SIZES, coupons)
    for k, name in enumerate(NAMES):
        g = t[t[wf.CLASS] == name]
        r = np.array(ref[k])
        np.testing.assert_allclose(g[wf.INTEREST_PAID], r[:, 0], rtol=1e-10, atol=1e-4)
        np.testing.assert_allclose(g[wf.PRINCIPAL], r[:, 1], rtol=1e-10, atol=1e-4)
        np.testing.assert_allclose(g[wf.LOSS], r[:, 2], rtol=1e-10, atol=1e-4)
        np.testing.assert_allclose(g[wf.ENDING_BALANCE], r[:, 3], rtol=1e-10, atol=1e-3)
    # the classes sum to the pool (seed 001 and 002: senior + subordinate = pool balance)
    assert sum(SIZES) == POOL_BALANCE
    ends = t.groupby(wf.PERIOD)[wf.ENDING_BALANCE].sum().to_numpy()
    np.testing.assert_allclose(ends, pool["Ending Balance"].to_numpy(), rtol=1e-12, atol=1e-3)


def test_stats_against_plain_computation():
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.25)
    s = mbsxl.tranche_stats(pool, None, None, NAMES, SIZES, [0.04, 0.05, 0.06, 0.0])
    ref = _loop_sequential(pool["Total Principal"].to_numpy(), pool["Net Interest"].to_numpy(),
                           np.zeros(len(pool)), SIZES, [0.04, 0.05, 0.06, 0.0])
    months = np.arange(1, len(pool) + 1)
    for k, row in s.iterrows():
        r = np.array(ref[k])
        pr = r[:, 1]
        assert row[wf.WAL] == pytest.approx((months * pr).sum() / pr.sum() / 12, rel=1e-12)
        assert row[wf.FIRST_PRINCIPAL] == months[pr > 1e-6][0]
        assert row[wf.LAST_PRINCIPAL] == months[pr > 1e-6][-1]
        assert row[wf.FINAL_MONTH] == months[r[:, 3] <= 1e-3][0]
        assert row[wf.TOTAL_INTEREST] == pytest.approx(r[:, 0].sum(), rel=1e-12)
        assert row[wf.TOTAL_PRINCIPAL] == pytest.approx(SIZES[k], rel=1e-12)
        # WAL agrees with the pricing module's SF-49 average life on the class's principal column
        assert row[wf.WAL] == pytest.approx(mbsxl.wal(pr), rel=1e-12)
    assert list(s.columns) == wf.STATS_COLUMNS


# ---------------------------------------------------------------------------------- invariants
@st.composite
def deals(draw):
    n = draw(st.integers(1, 5))
    sizes = [draw(st.floats(1.0, 1000.0)) for _ in range(n)]
    T = draw(st.integers(1, 60))
    total = sum(sizes)
    # pool: balance = sum of sizes, random principal and loss paths that exhaust at most the balance
    parts = np.array([draw(st.floats(0.0, 1.0)) for _ in range(2 * T)])
    parts = parts / max(parts.sum(), 1e-12) * total * draw(st.floats(0.1, 1.0))
    prin, loss = parts[:T], parts[T:] * draw(st.sampled_from([0.0, 0.2, 1.0]))
    intr = np.array([draw(st.floats(0.0, 20.0)) for _ in range(T)])
    coupons = [draw(st.floats(0.0, 0.2)) for _ in range(n)]
    return sizes, prin, intr, loss, coupons


@settings(max_examples=150, deadline=None)
@given(deals(), st.sampled_from(["sequential", "pro_rata"]))
def test_invariants(deal, structure):
    sizes, prin, intr, loss, coupons = deal
    n = len(sizes)
    t = mbsxl.tranches(prin, intr, loss, [f"K{k}" for k in range(n)], sizes, coupons, structure)
    T = len(prin)
    P = np.array(list(_by_class(t, wf.PRINCIPAL).values()))
    L = np.array(list(_by_class(t, wf.LOSS).values()))
    B = np.array(list(_by_class(t, wf.BEGINNING_BALANCE).values()))
    E = np.array(list(_by_class(t, wf.ENDING_BALANCE).values()))
    scale = sum(sizes)
    # principal: the classes together receive the pool's principal each period
    np.testing.assert_allclose(P.sum(axis=0), prin, atol=1e-9 * scale)
    # losses: the classes together absorb the pool's loss each period (it never exceeds the balance)
    np.testing.assert_allclose(L.sum(axis=0), loss, atol=1e-9 * scale)
    # balances never negative, and roll forward
    assert (B >= 0).all() and (E >= 0).all() and (P >= 0).all() and (L >= 0).all()
    np.testing.assert_allclose(E, B - P - L, atol=1e-9 * scale)
    for s in range(T):
        for k in range(n):
            # losses reach a class only after every class below it is written off
            if L[k, s] > 1e-9 * scale:
                assert (E[k + 1:, s] <= 1e-9 * scale).all()
            if structure == "sequential" and P[k, s] > 1e-9 * scale:
                # no class is paid principal before the class above it is retired
                assert (E[:k, s] <= 1e-9 * scale).all()
        if structure == "pro_rata" and B[:, s].sum() > 0:
            # pro rata: each class's share of the principal is its share of the beginning balance
            np.testing.assert_allclose(P[:, s], prin[s] * B[:, s] / B[:, s].sum(), atol=1e-9 * scale)
    # interest: what the classes are paid is what the pool pays (excess to the residual class)
    paid = np.array(list(_by_class(t, wf.INTEREST_PAID).values()))
    np.testing.assert_allclose(paid.sum(axis=0), intr, atol=1e-9 * max(scale, 1.0))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.05), st.floats(0.0, 10.0))
def test_fees_and_interest_conservation(fee_rate, interest):
    # fees are paid first from interest: fees paid + class interest = pool interest
    prin, intr = np.array([10.0, 10.0, 10.0]), np.full(3, interest)
    t = mbsxl.tranches(prin, intr, None, ["A", "B"], [60.0, 40.0], [0.06, 0.08], fees=fee_rate)
    paid = t.groupby(wf.PERIOD)[wf.INTEREST_PAID].sum().to_numpy()
    bal = 100.0 - np.r_[0, np.cumsum(prin)][:3]
    fee_due = np.cumsum(fee_rate / 12 * bal)
    fee_paid = np.minimum(np.cumsum(intr), fee_due)      # fees come first, unpaid fees carried
    np.testing.assert_allclose(np.cumsum(paid), np.cumsum(intr) - fee_paid, atol=1e-12)


def test_shortfall_carried_with_and_without_interest():
    # A 1200 at 12% is due 12 a month; the pool pays 5, then 30.  Without interest on shortfall the
    # 7 unpaid is due again next month (12 + 7 = 19); with it, 7 x (1 + 1%) = 7.07.
    prin, intr = [0.0, 0.0], [5.0, 30.0]
    t = mbsxl.tranches(prin, intr, None, ["A", "B"], [1200.0, 600.0], [0.12, 0.12], residual=False)
    a, b = t[t.Class == "A"], t[t.Class == "B"]
    assert a[wf.INTEREST_PAID].tolist() == [5.0, 19.0]
    assert a[wf.SHORTFALL].tolist() == [7.0, 0.0]
    assert b[wf.INTEREST_DUE].tolist() == [6.0, 12.0]          # B: 6 due, nothing paid, carried
    assert b[wf.INTEREST_PAID].tolist() == [0.0, 11.0]
    assert b[wf.SHORTFALL].tolist() == [6.0, 1.0]
    t2 = mbsxl.tranches(prin, intr, None, ["A", "B"], [1200.0, 600.0], [0.12, 0.12], interest_on_shortfall=True,
                        residual=False)
    a2 = t2[t2.Class == "A"]
    assert a2[wf.INTEREST_DUE].tolist() == pytest.approx([12.0, 12.0 + 7.0 * 1.01])


def test_residual_class_takes_excess_interest():
    t = mbsxl.tranches([0.0], [10.0], None, ["A", "Sub"], [1200.0, 100.0], [0.06, 0.0])
    assert t[wf.INTEREST_PAID].tolist() == [6.0, 4.0]
    t = mbsxl.tranches([0.0], [10.0], None, ["A", "Sub"], [1200.0, 100.0], [0.06, 0.0], residual=False)
    assert t[wf.INTEREST_PAID].tolist() == [6.0, 0.0]


def test_floating_coupons_from_pboc_deposit_rate():
    # PBoC one-year deposit rate (data/pboc_benchmark_rates.csv): 3.87% from 2007-09-15, 4.14% from
    # 2007-12-21, 3.87% from 2008-10-09, 3.60% from 2008-10-30, 2.52% from 2008-11-27, 2.25% from 2008-12-23.
    idx = mbsxl.coupon_index("2007-12-14", 14, payment_day=26)          # periods start 12-14, 1-26, 2-26, ...
    assert idx[0] == 0.0387 and idx[1] == 0.0414
    # period 11 starts 2008-10-26 (3.87%), period 12 2008-11-26 (3.60%), 13 2008-12-26 (2.25%)
    assert idx[10] == 0.0387 and idx[11] == 0.0360 and idx[12] == 0.0225
    ann = mbsxl.coupon_index("2007-12-14", 14, reset="annual", payment_day=26)
    assert ann[0] == 0.0387 and (ann[1:13] == 0.0414).all() and ann[13] == 0.0225
    assert (mbsxl.coupon_index("2007-12-14", 5, reset="fixed") == 0.0387).all()
    assert [d.isoformat() for d in wf.period_starts("2007-12-14", 3, 26)] == ["2007-12-14", "2008-01-26",
                                                                            "2008-02-26"]
    # seniors float (index + spread), the subordinate class is fixed at 0 (residual)
    prin = np.zeros(14)
    intr = np.full(14, 1e9)
    t = mbsxl.tranches(prin, intr, None, NAMES, SIZES, [0.008, 0.012, 0.02, 0.0], index=idx,
                       floating=[1, 1, 1, 0], residual=False)
    a = t[t.Class == "A"]
    np.testing.assert_allclose(a[wf.COUPON], idx + 0.008)
    np.testing.assert_allclose(a[wf.INTEREST_DUE], SIZES[0] * (idx + 0.008) / 12)
    assert (t[t.Class == "Subordinate"][wf.COUPON] == 0).all()
    # a short index column holds its last value
    t = mbsxl.tranches(prin, intr, None, ["A"], [100.0], [0.01], index=[0.03, 0.04])
    np.testing.assert_allclose(t[wf.COUPON], [0.04] + [0.05] * 13)


def test_cleanup_call_at_ten_percent():
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.25)
    t = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.04, 0.05, 0.06, 0.0], cleanup_call=0.10)
    factor = pool["Ending Balance"].to_numpy() / POOL_BALANCE
    call_period = int(np.argmax(factor <= 0.10)) + 1
    assert t[wf.PERIOD].max() == len(pool)                  # the table keeps one row a pool period
    last = t[t[wf.PERIOD] == call_period]
    assert (last[wf.ENDING_BALANCE] == 0).all()
    after = t[t[wf.PERIOD] > call_period]
    assert (after[[wf.BEGINNING_BALANCE, wf.INTEREST_PAID, wf.PRINCIPAL, wf.LOSS, wf.CASH_FLOW]] == 0).all().all()
    s = mbsxl.tranche_stats(pool, None, None, NAMES, SIZES, [0.04, 0.05, 0.06, 0.0], cleanup_call=0.10)
    assert s[wf.FINAL_MONTH].max() == call_period
    # every class is repaid in full by principal (no losses): the call pays the pool at par
    assert t.groupby(wf.CLASS)[wf.PRINCIPAL].sum().to_numpy() == pytest.approx(
        pd.Series(SIZES, index=NAMES).sort_index().to_numpy(), rel=1e-12)
    # the call period's principal = that month's pool principal + the pool balance left
    assert last[wf.PRINCIPAL].sum() == pytest.approx(pool["Total Principal"].iloc[call_period - 1]
                                                     + pool["Ending Balance"].iloc[call_period - 1], rel=1e-12)


def test_one_class_and_errors():
    pool = mbsxl.cashflows(1000.0, 0.06, 12)
    t = mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05], class_="b")
    assert set(t[wf.CLASS]) == {"B"} and len(t) == 12 and list(t.columns) == wf.TRANCHE_COLUMNS
    with pytest.raises(ValueError, match="class_='Z' is not one of the classes A, B"):
        mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05], class_="Z")
    with pytest.raises(ValueError, match="tranche_coupons.*looks like a percent"):
        mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400], [4, 5])
    with pytest.raises(ValueError, match="tranche_balances has 3 values for 2 classes"):
        mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400, 1], [0.04, 0.05])
    with pytest.raises(ValueError, match="structure='waterfall' is not one of sequential, pro_rata"):
        mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05], "waterfall")
    with pytest.raises(ValueError, match="pool columns differ in length"):
        mbsxl.tranches([1.0, 2.0], [1.0], None, ["A"], [3.0], [0.0])
    with pytest.raises(ValueError, match="tranche_names repeats A"):
        mbsxl.tranches(pool, None, None, ["A", "A"], [600, 400], [0.04, 0.05])
    with pytest.raises(ValueError, match="floating marks a class as floating but index is empty"):
        mbsxl.tranches(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05], floating=[1, 0])
    with pytest.raises(ValueError, match="reset='monthly' is not one of period, annual, fixed"):
        mbsxl.coupon_index("2008-01-01", 3, reset="monthly")


# ---------------------------------------------------------------------------------- worksheet functions
def test_worksheet_functions_table_or_columns():
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.1726, default=0.01, severity=0.3)
    cells = np.array(to_excel(pool), dtype=object)            # what a spilled MBS_CASHFLOWS hands over
    cols = {h: cells[1:, j:j + 1] for j, h in enumerate(cells[0])}
    names = [["A"], ["B"], ["C"], ["Subordinate"], [None]]     # a longer range than the classes
    bals = [[x] for x in SIZES] + [[None]]
    cpns = [[0.01], [0.015], [0.025], [0.0], [None]]
    args = (names, bals, cpns, "sequential", 0.1, None, 0.0414, [[1], [1], [1], [0]], 0.0005)
    whole = call("MBS_TRANCHES", cells, None, None, *args)
    parts = call("MBS_TRANCHES", cols["Total Principal"], cols["Net Interest"], cols["Loss"], *args)
    assert whole[0] == wf.TRANCHE_COLUMNS
    assert np.array(whole, dtype=object)[1:, 2:].astype(float) == pytest.approx(
        np.array(parts, dtype=object)[1:, 2:].astype(float), rel=1e-12)
    py = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], cleanup_call=0.1, index=0.0414,
                        floating=[1, 1, 1, 0], fees=0.0005)
    assert np.array(whole, dtype=object)[1:, 9].astype(float) == pytest.approx(py[wf.ENDING_BALANCE].to_numpy())
    stats = call("MBS_TRANCHESTATS", cells, None, None, *args[:5], "A", *args[6:])
    assert stats[0] == wf.STATS_COLUMNS and len(stats) == 2 and stats[1][0] == "A"
    # header=FALSE: rows only, so INDEX(...,0,11) is a class's cash-flow column for MBS_YIELD
    rows = call("MBS_TRANCHES", cells, None, None, *args[:5], "B", *args[6:], None, None, None, False)
    assert len(rows) == len(pool) and rows[0][1] == "B"
    assert [r[10] for r in rows] == pytest.approx(py[py[wf.CLASS] == "B"][wf.CASH_FLOW].tolist())
    idx = call("MBS_COUPONINDEX", 39430, 3, "period", 26)     # serial 39430 = 2007-12-14
    assert idx == [[0.0387], [0.0414], [0.0414]]


def test_worksheet_errors_name_the_argument():
    pool = mbsxl.cashflows(1000.0, 0.06, 12)
    cells = np.array(to_excel(pool), dtype=object)
    e = call("MBS_TRANCHES", cells, cells[1:, 5:6], None, [["A"]], [[1000]], [[0.05]])
    assert isinstance(e, XlError) and "leave pool_interest and pool_loss empty" in e.reason
    e = call("MBS_TRANCHES", cells[1:, 11:12], None, None, [["A"]], [[1000]], [[0.05]])
    assert isinstance(e, XlError) and "pool_interest is empty" in e.reason
    e = call("MBS_TRANCHESTATS", cells, None, None, [["A"]], [[1000]], [[5]])
    assert isinstance(e, XlError) and "MBS_TRANCHESTATS: tranche_coupons" in e.reason
