"""Deal mechanisms of the waterfall (issue 14): VAT, excess spread, triggers, the liquidity reserve,
fixed-amortisation classes, principal covering a senior interest shortfall.

Figures from outside the project: the rules stated in issue 14 (VAT = 3% of the trust's interest
income under the simplified method since 2018; excess spread = pool net interest - fees - taxes -
interest due on every class except the residual class, x 12 / pool beginning balance as a rate; a
trigger trips in the period its measure crosses and switches principal that same period; the reserve
filled to target and drawn by exactly the shortfall; an A-1 class follows its schedule), each
computed by hand in the test from small round numbers.  Class sizes of Jianyuan 2007-1 from seed 002
(A 3,582,348,600, B 356,154,500, C 82,381,500, subordinate 139,799,108; pool 4,160,683,708, seed 001).
"""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.excel.convert import to_excel
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import XlError

NAMES = ["A", "B", "C", "Subordinate"]
SIZES = [3_582_348_600.0, 356_154_500.0, 82_381_500.0, 139_799_108.0]
POOL_BALANCE = 4_160_683_708.0


def _pool_view(*a, **k):
    return mbsxl.tranches(*a, view="pool", **k)


# ---------------------------------------------------------------------------------- VAT and excess spread
def test_vat_and_excess_spread_by_hand():
    # Two classes, A 600 at 6% (0.5% a month), residual B 400; pool 1000; fees 1.2% a year.
    # Period 1: interest collections 10; VAT 3% = 0.30; fees 1.2%/12 x 1000 = 1.00;
    #   A interest due 600 x 0.005 = 3.00; excess spread = 10 - 0.30 - 1.00 - 3.00 = 5.70;
    #   as a rate 12 x 5.70 / 1000 = 6.84%.  The residual class B is paid the 5.70.
    # Period 2: principal 100 was paid to A in period 1 -> A 500, pool 900; interest 9:
    #   VAT 0.27, fees 0.90, A due 2.50, excess 9 - 0.27 - 0.90 - 2.50 = 5.33, rate 12 x 5.33 / 900.
    prin, intr = [100.0, 100.0], [10.0, 9.0]
    args = (prin, intr, None, ["A", "B"], [600.0, 400.0], [0.06, 0.0])
    p = _pool_view(*args, fees=0.012, vat_rate=0.03)
    assert list(p.columns) == C.POOL_PERIOD_COLUMNS
    assert p[C.VAT].tolist() == pytest.approx([0.30, 0.27], abs=1e-12)
    assert p[C.FEES_DUE].tolist() == pytest.approx([1.00, 0.90], abs=1e-12)
    assert p[C.INTEREST_DUE_EX_RESIDUAL].tolist() == pytest.approx([3.00, 2.50], abs=1e-12)
    assert p[C.EXCESS_SPREAD].tolist() == pytest.approx([5.70, 5.33], abs=1e-12)
    assert p[C.EXCESS_SPREAD_RATE].tolist() == pytest.approx([0.0684, 12 * 5.33 / 900], abs=1e-12)
    t = mbsxl.tranches(*args, fees=0.012, vat_rate=0.03)
    assert t[t[C.CLASS] == "B"][C.INTEREST_PAID].tolist() == pytest.approx([5.70, 5.33], abs=1e-12)
    # the class table's columns and order are unchanged by the new arguments
    assert list(t.columns) == C.TRANCHE_COLUMNS


def test_vat_is_three_percent_of_interest_income_on_jianyuan():
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.1726, default=0.01, severity=0.3, servicing=0.001)
    p = _pool_view(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], vat_rate=0.03, fees=0.0005)
    np.testing.assert_allclose(p[C.VAT], 0.03 * pool[C.NET_INTEREST].to_numpy(), rtol=1e-15)
    # VAT comes first: interest paid + fees paid + VAT = interest collections (residual takes the rest)
    t = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], vat_rate=0.03, fees=0.0005)
    paid = t.groupby(C.PERIOD)[C.INTEREST_PAID].sum().to_numpy()
    np.testing.assert_allclose(paid + p[C.FEES_PAID] + p[C.VAT], pool[C.NET_INTEREST], rtol=1e-12)
    # and lowers the residual class's interest by exactly the VAT
    t0 = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], fees=0.0005)
    sub = t[t[C.CLASS] == "Subordinate"][C.INTEREST_PAID].to_numpy()
    sub0 = t0[t0[C.CLASS] == "Subordinate"][C.INTEREST_PAID].to_numpy()
    np.testing.assert_allclose(sub0 - sub, p[C.VAT], rtol=1e-9)


def test_excess_spread_worksheet_view():
    pool = mbsxl.cashflows(1000.0, 0.06, 12)
    cells = np.array(to_excel(pool), dtype=object)
    out = call("MBS_TRANCHES", cells, None, None, [["A"], ["B"]], [[600], [400]], [[0.04], [0.0]], None, None,
               None, None, None, 0.012, None, None, None, True, "pool", 0.03)
    assert out[0] == C.POOL_PERIOD_COLUMNS and len(out) == 13
    row = dict(zip(out[0], out[1]))
    # period 1 by hand: interest 1000 x 6%/12 = 5; VAT 0.15; fees 1.00; A due 600 x 4%/12 = 2
    assert row[C.EXCESS_SPREAD] == pytest.approx(5 - 0.15 - 1.0 - 2.0, abs=1e-12)
    assert row[C.EXCESS_SPREAD_RATE] == pytest.approx(12 * 1.85 / 1000, abs=1e-12)
    e = call("MBS_TRANCHES", cells, None, None, [["A"]], [[600]], [[0.04]], None, None, None, None, None, None,
             None, None, None, True, "deal summary")
    assert isinstance(e, XlError) and "view='deal summary'" in e.reason


# ---------------------------------------------------------------------------------- triggers
def _class(t, name, col):
    return t[t[C.CLASS] == name][col].tolist()


def test_delinquency_trigger_switches_to_sequential_in_the_period_it_crosses():
    # Pro rata A 500 / B 300 / Sub 200 (no coupons), principal 100 a month.  The 90+ ratio is
    # 1%, 3%, 5%, 0%: above the 2% threshold from period 2.  Period 1 pro rata: 50 / 30 / 20.
    # Period 2 the trigger trips and principal is sequential that same period: all 100 to A.
    # Period 4 the ratio is back to 0 but a tripped trigger stays tripped: still all to A.
    prin, intr = [100.0] * 4, [0.0] * 4
    args = (prin, intr, None, ["A", "B", "Sub"], [500.0, 300.0, 200.0], [0.0, 0.0, 0.0], "pro_rata")
    trig = [["measure", "threshold", "periods", "consequence"], ["delinquency_90", 0.02, 1, "sequential"]]
    dq = [0.01, 0.03, 0.05, 0.0]
    t = mbsxl.tranches(*args, triggers=trig, delinquency=dq)
    assert _class(t, "A", C.PRINCIPAL) == pytest.approx([50, 100, 100, 100])
    assert _class(t, "B", C.PRINCIPAL) == pytest.approx([30, 0, 0, 0])
    assert _class(t, "Sub", C.PRINCIPAL) == pytest.approx([20, 0, 0, 0])
    p = mbsxl.tranches(*args, triggers=trig, delinquency=dq, view="pool")
    assert p[C.SEQUENTIAL_TRIGGERED].tolist() == [0, 1, 1, 1] and p[C.TRIGGERS_TRIPPED].tolist() == [0, 1, 1, 1]
    assert p[C.DELINQUENCY_90].tolist() == dq
    # "for 2 consecutive periods": above 2% in periods 2 and 3 -> trips in period 3
    trig2 = [["delinquency_90", 0.02, 2, "sequential"]]
    t = mbsxl.tranches(*args, triggers=trig2, delinquency=dq)
    assert _class(t, "A", C.PRINCIPAL) == pytest.approx([50, 50, 100, 100])


def test_cumulative_default_trigger():
    # Pool 1000, defaults 10 a month: cumulative default rate 1%, 2%, 3%; threshold 1.5% -> trips in period 2.
    prin, intr = [100.0] * 3, [0.0] * 3
    args = (prin, intr, None, ["A", "B"], [600.0, 400.0], [0.0, 0.0], "pro_rata")
    trig = [["cumulative_default", 0.015, None, "sequential"]]
    p = mbsxl.tranches(*args, triggers=trig, pool_default=[10.0] * 3, pool_balance=1000.0, view="pool")
    assert p[C.CUMULATIVE_DEFAULT_RATE].tolist() == pytest.approx([0.01, 0.02, 0.03])
    assert p[C.SEQUENTIAL_TRIGGERED].tolist() == [0, 1, 1]
    t = mbsxl.tranches(*args, triggers=trig, pool_default=[10.0] * 3, pool_balance=1000.0)
    assert _class(t, "A", C.PRINCIPAL) == pytest.approx([60, 100, 100])
    # from a pool table: its Default column; cumulative default / original balance
    pool = mbsxl.cashflows(1000.0, 0.06, 24, default=0.05, severity=0.4)
    p = mbsxl.tranches(pool, None, None, ["A", "B"], [600.0, 400.0], [0.03, 0.0], view="pool",
                       triggers=[["cumulative_default", 0.02, 1, "sequential"]])
    expect = np.cumsum(pool[C.DEFAULT].to_numpy()) / 1000.0
    np.testing.assert_allclose(p[C.CUMULATIVE_DEFAULT_RATE], expect, rtol=1e-12)
    first = int(np.argmax(expect > 0.02))
    assert p[C.SEQUENTIAL_TRIGGERED].tolist() == [0] * first + [1] * (24 - first)


def test_senior_shortfall_stops_subordinate_interest_the_same_period():
    # A 600 at 12% (6 a month), B 300 at 12% (3), Sub 100 at 0; no principal; interest 20, 5, 20.
    # Period 1: A 6, B 3, Sub the excess 11.
    # Period 2: 5 available, A paid 5, shortfall 1 -> the trigger trips; B's interest stops that period
    #   (paid 0, shortfall 3).
    # Period 3: A due 6 + 1 carried = 7, paid; B stopped (shortfall 3 + 3 = 6); the remaining 13 pays A's
    #   principal (Interest to Principal 13), Sub gets nothing.
    prin, intr = [0.0] * 3, [20.0, 5.0, 20.0]
    trig = [["senior_shortfall", 0, 1, "stop_subordinate"]]
    args = (prin, intr, None, ["A", "B", "Sub"], [600.0, 300.0, 100.0], [0.12, 0.12, 0.0])
    t = mbsxl.tranches(*args, triggers=trig)
    assert _class(t, "A", C.INTEREST_PAID) == pytest.approx([6, 5, 7])
    assert _class(t, "B", C.INTEREST_PAID) == pytest.approx([3, 0, 0])
    assert _class(t, "B", C.SHORTFALL) == pytest.approx([0, 3, 6])
    assert _class(t, "Sub", C.INTEREST_PAID) == pytest.approx([11, 0, 0])
    assert _class(t, "A", C.PRINCIPAL) == pytest.approx([0, 0, 13])
    p = mbsxl.tranches(*args, triggers=trig, view="pool")
    assert p[C.SUBORDINATE_STOPPED].tolist() == [0, 1, 1]
    assert p[C.INTEREST_TO_PRINCIPAL].tolist() == pytest.approx([0, 0, 13])
    # "two periods running": P2 is short (one period), P3 is paid in full -> never trips; P3 pays A 7,
    # B 3 + 3 carried = 6, Sub 20 - 13 = 7
    t = mbsxl.tranches(*args, triggers=[["senior_shortfall", 0, 2, "stop_subordinate"]])
    assert _class(t, "B", C.INTEREST_PAID) == pytest.approx([3, 0, 6])
    assert _class(t, "Sub", C.INTEREST_PAID) == pytest.approx([11, 0, 7])


# ---------------------------------------------------------------------------------- liquidity reserve
RES_ARGS = ([0.0, 0.0, 0.0, 450.0, 0.0], [30.0, 4.0, 20.0, 20.0, 20.0], None, ["A", "Sub"], [900.0, 100.0],
            [0.12, 0.0])


def test_reserve_filled_to_target_and_drawn_by_exactly_the_shortfall():
    # A 900 at 12% (9 a month), Sub 100 residual; target 2 months of senior interest = 18.
    # P1: interest 30 -> A 9, reserve funded 0 -> 18, Sub 3.
    # P2: interest 4 -> A due 9, short 5 -> drawn 5 (exactly the shortfall): A paid 9, reserve 13, Sub 0.
    # P3: interest 20 -> A 9, refill 5 -> 18, Sub 6.
    # P4: A 9, Sub 11; principal 450 -> A 450.
    # P5: A due 4.5, target 2 x 4.5 = 9 -> 9 released to the interest account -> Sub 20 - 4.5 + 9 = 24.5.
    reserve = [["months", 2]]
    t = mbsxl.tranches(*RES_ARGS, reserve=reserve)
    p = mbsxl.tranches(*RES_ARGS, reserve=reserve, view="pool")
    assert p[C.RESERVE_TARGET].tolist() == pytest.approx([18, 18, 18, 18, 9])
    assert p[C.RESERVE_DRAW].tolist() == pytest.approx([0, 5, 0, 0, 0])
    assert p[C.RESERVE_BALANCE].tolist() == pytest.approx([18, 13, 18, 18, 9])
    assert _class(t, "A", C.INTEREST_PAID) == pytest.approx([9, 9, 9, 9, 4.5])
    assert _class(t, "A", C.SHORTFALL) == pytest.approx([0] * 5)
    assert _class(t, "Sub", C.INTEREST_PAID) == pytest.approx([3, 0, 6, 11, 24.5])
    # a fixed amount works the same way: target 18 throughout, no release in P5
    p = mbsxl.tranches(*RES_ARGS, reserve=[["amount", 18]], view="pool")
    assert p[C.RESERVE_BALANCE].tolist() == pytest.approx([18, 13, 18, 18, 18])


def test_reserve_release_blocked_by_a_trigger():
    # As above; the shortfall of P2 is covered by the reserve, so a senior_shortfall trigger does not
    # trip.  A cumulative default trigger (defaults 0, 0, 20 of 1000 -> 2% in P3 > 1%) blocks the release.
    reserve = [["months", 2]]
    trig = [["cumulative_default", 0.01, 1, "block_release"]]
    p = mbsxl.tranches(*RES_ARGS, reserve=reserve, triggers=trig, pool_default=[0, 0, 20, 0, 0],
                       pool_balance=1000.0, view="pool")
    assert p[C.RELEASE_BLOCKED].tolist() == [0, 0, 1, 1, 1]
    assert p[C.RESERVE_BALANCE].tolist() == pytest.approx([18, 13, 18, 18, 18])   # P5 keeps 18 > target 9
    t = mbsxl.tranches(*RES_ARGS, reserve=reserve, triggers=trig, pool_default=[0, 0, 20, 0, 0], pool_balance=1000.0)
    assert _class(t, "Sub", C.INTEREST_PAID)[-1] == pytest.approx(20 - 4.5)


def test_principal_covers_a_senior_shortfall_after_the_reserve():
    # A 900 at 12% (9), Sub 100; interest 4, principal 50; reserve initial 3, target amount 3.
    # Shortfall 5: reserve draws 3 (all it has), principal covers 2 (本金账户 -> 收入账户): A paid 9;
    # principal left 48 pays A.  Without principal_cover A is short 2.
    args = ([50.0], [4.0], None, ["A", "Sub"], [900.0, 100.0], [0.12, 0.0])
    res = [["amount", 3], ["initial", 3]]
    p = mbsxl.tranches(*args, reserve=res, principal_cover=True, view="pool")
    assert p[C.RESERVE_DRAW].tolist() == [3] and p[C.PRINCIPAL_TO_INTEREST].tolist() == [2]
    t = mbsxl.tranches(*args, reserve=res, principal_cover=True)
    assert _class(t, "A", C.INTEREST_PAID) == [9] and _class(t, "A", C.PRINCIPAL) == [48]
    t = mbsxl.tranches(*args, reserve=res)
    assert _class(t, "A", C.SHORTFALL) == pytest.approx([2]) and _class(t, "A", C.PRINCIPAL) == [50]


# ---------------------------------------------------------------------------------- fixed amortisation
def test_a1_follows_its_schedule_ahead_of_a2():
    # A-1 300 with targets 250, 200, 100, 0; A-2 500 and Sub 200 pass through, sequential; principal 150 a month.
    # P1: A-1 50 (to 250), A-2 100.  P2: A-1 50, A-2 100.  P3: A-1 100, A-2 50.  P4: A-1 100, A-2 50.
    # P5: A-1 retired, A-2 150 (-> 50).  P6: A-2 50, Sub 100.
    args = ([150.0] * 6, [0.0] * 6, None, ["A-1", "A-2", "Sub"], [300.0, 500.0, 200.0], [0.0] * 3)
    sched = [["A-1"], [250], [200], [100], [0]]
    t = mbsxl.tranches(*args, schedule=sched)
    assert _class(t, "A-1", C.ENDING_BALANCE) == pytest.approx([250, 200, 100, 0, 0, 0])
    assert _class(t, "A-2", C.PRINCIPAL) == pytest.approx([100, 100, 50, 50, 150, 50])
    assert _class(t, "Sub", C.PRINCIPAL) == pytest.approx([0, 0, 0, 0, 0, 100])
    # a dict works too; an acceleration (sequential) trigger overrides the schedule: A-1 first, in full
    t = mbsxl.tranches(*args, schedule={"A-1": [250, 200, 100, 0]}, triggers=[["senior_shortfall", 0, 1, "sequential"]],
                       pool_default=None)
    assert _class(t, "A-1", C.ENDING_BALANCE) == pytest.approx([250, 200, 100, 0, 0, 0])
    t = mbsxl.tranches(*args, schedule={"A-1": [250, 200, 100, 0]}, triggers=[["delinquency_90", 0.0, 1, "sequential"]],
                       delinquency=[0.01])
    assert _class(t, "A-1", C.PRINCIPAL) == pytest.approx([150, 150, 0, 0, 0, 0])


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kw, match", [
    (dict(triggers=[["default_rate", 0.1, 1, "sequential"]]), "triggers row 1 measure='default_rate' is not one of"),
    (dict(triggers=[["senior_shortfall", 0, 1, "stop"]]), "triggers row 1 consequence='stop' is not one of"),
    (dict(triggers=[["delinquency_90", 0.1, 1, "sequential"]]), "delinquency_90 needs the delinquency argument"),
    (dict(triggers=[["cumulative_default", 0.1, 1, "sequential"]]), "cumulative_default needs the pool's Default"),
    (dict(triggers=[["delinquency_90", 5, 1, "sequential"]], delinquency=[0.01]), "looks like a percent"),
    (dict(reserve=[["amount", 2000]]), "reserve amount=2000 is larger than the deal"),
    (dict(reserve=[["months", 2], ["amount", 5]]), "reserve needs exactly one of months"),
    # 120 months of A's interest at 5% (2.5 a month) = 300, fees 0: below the deal (1000) -> accepted below;
    # at 100% fees (83.33 a month on 1000) + 2.5: 120 x 85.83 = 10,300 > 1000
    (dict(reserve=[["months", 120]], fees=1.0), "reserve months=120 gives a period-1 target of 10300"),
    (dict(reserve=[["size", 2]]), "reserve row 1 item='size' is not one of"),
    (dict(schedule={"A": [500, 400, 300, 200]}), "schedule column 'A' has 4 periods, longer than the projection"),
    (dict(schedule={"Z": [500]}), "schedule column 'Z' is not one of the classes A, B"),
    (dict(schedule={"A": [500, 550]}), "schedule column 'A' rises in period 2 \\(550 after 500\\)"),
    (dict(schedule={"A": [700]}), "schedule column 'A' starts at 700, above the class balance \\(600\\)"),
    (dict(triggers=[["delinquency_90", 0.1, 4, "sequential"]], delinquency=[0.1]), "triggers row 1 periods=4"),
    (dict(delinquency=[0.1] * 4), "delinquency has 4 values, longer than the projection"),
    (dict(senior_classes=3), "senior_classes"),
    (dict(vat_rate=3), "vat_rate"),
    (dict(principal_cover="maybe"), "principal_cover='maybe' is not TRUE or FALSE"),
])
def test_bad_mechanism_arguments_name_the_argument(kw, match):
    with pytest.raises(ValueError, match=match):
        mbsxl.tranches([10.0] * 3, [1.0] * 3, None, ["A", "B"], [600.0, 400.0], [0.05, 0.0], **kw)


def test_worksheet_mechanism_arguments():
    # the worksheet path takes the tables as ranges, at the end of the argument list
    pool = mbsxl.cashflows(1000.0, 0.06, 12, prepay=0.2, default=0.05, severity=0.4)
    cells = np.array(to_excel(pool), dtype=object)
    trig = np.array([["measure", "threshold", "periods", "consequence"],
                     ["cumulative_default", 0.002, None, "sequential+block_release"]], dtype=object)
    res = np.array([["months", 3.0]], dtype=object)
    sched = np.array([["A"], [550.0], [500.0]], dtype=object)
    base = [cells, None, None, [["A"], ["B"], ["Sub"]], [[600], [300], [100]], [[0.04], [0.05], [0.0]],
            "pro_rata", None, None, None, None, 0.001, None, None, None]
    mech = [0.03, trig, res, sched, True, None, 1]
    out = call("MBS_TRANCHES", *base, True, "pool", *mech)
    py = mbsxl.tranches(pool, None, None, ["A", "B", "Sub"], [600, 300, 100], [0.04, 0.05, 0.0], "pro_rata",
                        fees=0.001, view="pool", vat_rate=0.03, triggers=trig, reserve=[("months", 3)],
                        schedule={"A": [550, 500]}, principal_cover=True)
    assert out[0] == C.POOL_PERIOD_COLUMNS
    got = np.array([[np.nan if c == "" else c for c in r] for r in out[1:]], dtype=float)   # NaN spills as ""
    np.testing.assert_allclose(got, py.to_numpy(dtype=float), rtol=1e-12)
    assert (py[C.SEQUENTIAL_TRIGGERED] == py[C.RELEASE_BLOCKED]).all() and py[C.SEQUENTIAL_TRIGGERED].iloc[-1] == 1
    stats = call("MBS_TRANCHESTATS", *base, *mech)
    s = mbsxl.tranche_stats(pool, None, None, ["A", "B", "Sub"], [600, 300, 100], [0.04, 0.05, 0.0], "pro_rata",
                            fees=0.001, vat_rate=0.03, triggers=trig, reserve=[("months", 3)],
                            schedule={"A": [550, 500]}, principal_cover=True)
    assert [r[2] for r in stats[1:]] == pytest.approx(s[C.WAL].tolist(), rel=1e-12)
    e = call("MBS_TRANCHES", *base, True, None, None, np.array([["unknown", 0.1, 1, "sequential"]], dtype=object))
    assert isinstance(e, XlError) and "triggers row 1 measure='unknown'" in e.reason


# ---------------------------------------------------------------------------------- invariants (hypothesis)
from hypothesis import given, settings, strategies as st   # noqa: E402


@st.composite
def deals(draw):
    n = draw(st.integers(2, 4))
    T = draw(st.integers(2, 36))
    sizes = [draw(st.floats(1.0, 1000.0)) for _ in range(n)]
    oc = draw(st.floats(0.0, 0.2))
    pool = mbsxl.cashflows(sum(sizes) * (1 + oc), draw(st.floats(0.002, 0.12)), T,
                           prepay=draw(st.floats(0.0, 0.6)), default=draw(st.floats(0.0, 0.4)),
                           severity=draw(st.floats(0.0, 1.0)), recovery_lag=draw(st.integers(0, T - 1)),
                           servicing=draw(st.sampled_from([0.0, 0.001])))
    cpns = [draw(st.floats(0.0, 0.15)) for _ in range(n - 1)] + [0.0]
    kw = dict(structure=draw(st.sampled_from(["sequential", "pro_rata"])),
              cleanup_call=draw(st.sampled_from([0.0, 0.1])), fees=draw(st.sampled_from([0.0, 0.005, 0.05])),
              interest_on_shortfall=draw(st.booleans()), residual=draw(st.booleans()),
              vat_rate=draw(st.sampled_from([0.0, 0.03])), principal_cover=draw(st.booleans()),
              senior_classes=draw(st.integers(1, n - 1)))
    trig = []
    for measure in ("cumulative_default", "delinquency_90", "senior_shortfall"):
        if draw(st.booleans()):
            cons = "+".join(draw(st.lists(st.sampled_from(["sequential", "stop_subordinate", "block_release"]),
                                          min_size=1, max_size=3, unique=True)))
            trig.append([measure, draw(st.floats(0.0, 0.1)), draw(st.integers(1, T)), cons])
    kw["triggers"] = trig or None
    kw["delinquency"] = [draw(st.floats(0.0, 0.2)) for _ in range(draw(st.integers(1, T)))]
    reserve = draw(st.sampled_from([None, "months", "amount"]))
    if reserve == "months":
        kw["reserve"] = [["months", draw(st.floats(0.0, 6.0))], ["initial", draw(st.floats(0.0, sizes[0] / 10))]]
    elif reserve == "amount":
        kw["reserve"] = [["amount", draw(st.floats(0.0, sizes[0] / 10))]]
    if draw(st.booleans()):
        steps = sorted((draw(st.floats(0.0, sizes[0])) for _ in range(draw(st.integers(1, T)))), reverse=True)
        kw["schedule"] = {"C0": steps}
    return pool, [f"C{k}" for k in range(n)], sizes, cpns, kw


@settings(max_examples=150, deadline=None)
@given(deals())
def test_principal_conserved_and_losses_bottom_up_under_every_mechanism(deal):
    pool, names, sizes, cpns, kw = deal
    t = mbsxl.tranches(pool, None, None, names, sizes, cpns, **kw)
    p = mbsxl.tranches(pool, None, None, names, sizes, cpns, view="pool", **kw)
    n, T = len(names), len(pool)
    g = {c: t[t[C.CLASS] == c] for c in names}
    beg = np.array([g[c][C.BEGINNING_BALANCE].to_numpy() for c in names])
    prin = np.array([g[c][C.PRINCIPAL].to_numpy() for c in names])
    loss = np.array([g[c][C.LOSS].to_numpy() for c in names])
    end = np.array([g[c][C.ENDING_BALANCE].to_numpy() for c in names])
    paid = np.array([g[c][C.INTEREST_PAID].to_numpy() for c in names])
    tol = 1e-7 * max(sizes)
    assert (prin >= -tol).all() and (loss >= -tol).all() and (end >= -tol).all() and (paid >= -tol).all()
    # each class: beginning - principal - loss = ending; ending = next beginning (until the call)
    assert np.allclose(beg - prin - loss, end, atol=tol)
    # principal conserved: original = principal received + losses + what is still outstanding
    assert np.allclose(prin.sum(1) + loss.sum(1) + end[:, -1], sizes, atol=tol)
    # losses bottom up: a class takes a loss only when every class below it is written off
    for k in range(n - 1):
        hit = loss[k] > tol
        assert (end[k + 1:, hit] <= tol).all()
    # cash conserved each period: collections = VAT + fees + interest + principal + released + reserve change
    res = p[C.RESERVE_BALANCE].to_numpy()
    initial = dict(kw["reserve"]).get("initial", 0.0) if kw.get("reserve") else 0.0
    d_res = np.diff(np.concatenate([[initial], res]))
    cash_in = p[C.INTEREST_COLLECTIONS].to_numpy() + p[C.PRINCIPAL_COLLECTIONS].to_numpy()
    cash_out = (p[C.VAT] + p[C.FEES_PAID] + p[C.RELEASED]).to_numpy() + paid.sum(0) + prin.sum(0) + d_res
    live = p[C.POOL_BALANCE].to_numpy() > 0
    assert np.allclose(cash_in[live], cash_out[live], atol=tol)
    # VAT is vat_rate of the interest collections; a tripped trigger stays tripped
    assert np.allclose(p[C.VAT], kw["vat_rate"] * p[C.INTEREST_COLLECTIONS])
    tripped = p[C.TRIGGERS_TRIPPED].to_numpy()[live]
    assert (np.diff(tripped) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(deals())
def test_defaults_reproduce_the_plain_waterfall(deal):
    # every mechanism at its default (vat 0, no table, no cover, one senior class) = the waterfall without them
    pool, names, sizes, cpns, kw = deal
    base = {k: kw[k] for k in ("structure", "cleanup_call", "fees", "interest_on_shortfall", "residual")}
    a = mbsxl.tranches(pool, None, None, names, sizes, cpns, **base)
    b = mbsxl.tranches(pool, None, None, names, sizes, cpns, **base, vat_rate=0.0, triggers=None, reserve=None,
                       schedule=None, principal_cover=False, delinquency=kw["delinquency"], senior_classes=1)
    assert a.equals(b)


def test_worksheet_pool_default_column_for_bare_columns():
    # As test_cumulative_default_trigger, through the worksheet: pool 1000, defaults 10 a month, 1.5% threshold
    # -> sequential from period 2 (A gets 60 pro rata in period 1, then all 100).
    col = lambda xs: [[x] for x in xs]                            # noqa: E731
    trig = np.array([["cumulative_default", 0.015, None, "sequential"]], dtype=object)
    out = call("MBS_TRANCHES", col([100.0] * 3), col([0.0] * 3), None, col(["A", "B"]), col([600, 400]),
               col([0.0, 0.0]), "pro_rata", None, "A", None, None, None, None, 1000.0, None, False, None, None, trig,
               None, None, None, None, None, col([10.0] * 3))
    assert [r[7] for r in out] == pytest.approx([60, 100, 100])
    e = call("MBS_TRANCHES", col([100.0] * 3), col([0.0] * 3), None, col(["A", "B"]), col([600, 400]),
             col([0.0, 0.0]), "pro_rata", None, None, None, None, None, None, 1000.0, None, True, None, None, trig)
    assert isinstance(e, XlError) and "cumulative_default needs the pool's Default column" in e.reason
