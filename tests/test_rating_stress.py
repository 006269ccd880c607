"""The rating agencies' stress test (issue 18, item 3): MBS_DEFAULTTIMING / mbsxl.default_timing and
MBS_RATINGSTRESS / mbsxl.rating_stress (module mbsxl.deal.agency_stress).

Sources outside the project: the method's rule (中债资信 RMBS method: a class passes a rating when its
临界违约率, the largest cumulative default rate at which it is paid in full and on time, is at least the
rating's 目标评级违约比率; the agency's 2017 Q&A: "本金和利息获得及时、足额偿付"); the issue's definitions
(cumulative default rate over the initial balance, before recoveries; timing vectors front / even / back /
in proportion to scheduled principal, shifted; target = base x multiplier).  The small deal is worked by hand
below (closed form, month by month) and by an independent plain-Python loop written here from the same stated
rules, not from mbsxl's code.
"""
import numpy as np
import pytest

import mbsxl
from mbsxl.deal import agency_stress as ag
from mbsxl.errors import MbsxlInputError

# ------------------------------------------------------------------ the small deal worked by hand
# Pool 1000 yuan, 12 months, 12% a year (1% a month), level principal (等额本金: the performing balance / months
# left each month), no prepayment, no servicing, no fees.  Classes A 600 at 6% (0.5% a month) and B 400 at 9%
# (0.75% a month), sequential, excess interest leaves the deal (residual=False), both rated and both with
# timely interest.  Scenario "month 1": the whole cumulative default c x 1000 defaults in month 1 (timing
# vector [1] by month), recovered in full (recovery rate 100%) 3 months later, in month 4.  Nothing is ever
# written down, so the classes can only fail by an interest shortfall.
#
# Month t (1-based), with c the cumulative default rate:
#   performing balance after the month-1 default: 1000 (1 - c); level principal pays 1/(13 - t) of it each month,
#   so the performing balance at the start of month t is  perf_t = 1000 (1 - c) (13 - t) / 12;
#   interest collected  I_t = 1% x perf_t = 10 (1 - c) (13 - t) / 12 (defaulted loans pay nothing);
#   principal paid before month t (t <= 4, all to A): 1000 (1 - c) (t - 1) / 12 (the recovery 1000 c is paid in
#   month 4, after month 4's interest), so A's balance is  A_t = 600 - 1000 (1 - c) (t - 1) / 12  (t <= 4);
#   interest due:  A: 0.5% x A_t = 3 - 5 (1 - c) (t - 1) / 12;   B: 0.75% x 400 = 3.
#   B is short in month t when  I_t < 6 - 5 (1 - c)(t - 1)/12  <=>  (1 - c)(125 - 5 t) / 12 < 6
#                                                          <=>  c > 1 - 72 / (125 - 5 t):
#       t = 1: 0.4;  t = 2: 1 - 72/115 = 0.37391;  t = 3: 1 - 72/110 = 0.34545;  t = 4: 1 - 72/105 = 11/35.
#   A is short in month t when  (1 - c)(125 - 5 t) / 12 < 3  <=>  c > 1 - 36 / (125 - 5 t):
#       t = 1: 0.7;  t = 2: 0.68696;  t = 3: 0.67273;  t = 4: 1 - 36/105 = 23/35.
#   From month 5 the recovery has paid A down (A_5 = 600 - 1000(1 - c) 4/12 - 1000 c < 100 for c > 0.3) or off,
#   and once A is retired B's balance equals perf_t, due 0.75% x perf_t < 1% x perf_t: no shortfall later.
# Breakevens: A 23/35 = 0.657142857..., B 11/35 = 0.314285714...
# Ratings, base 10% x multipliers AAA 5 / AA 4 / A 3 / BBB 2 -> targets 50% / 40% / 30% / 20%:
#   A passes all (highest AAA); B fails AAA and AA, passes A and BBB (highest A).
POOL = dict(balance=1000.0, wac=0.12, wam=12)
CLASSES = dict(tranche_names=["A", "B"], tranche_balances=[600.0, 400.0], tranche_coupons=[0.06, 0.09])
HAND = dict(recovery_rate=1.0, recovery_lag=3, rated=2, timing_unit="month", residual=False,
            amortization="level_principal")
MONTH1 = [["month 1", 1, 0, 0.0]]                          # timing = column 1 of timing_vectors
VECTORS = [[1.0]]
RATINGS, MULTS = ["AAA", "AA", "A", "BBB"], [5.0, 4.0, 3.0, 2.0]
BE_A, BE_B = 23 / 35, 11 / 35


def _stress(view="ratings", scenarios=MONTH1, **kw):
    return mbsxl.rating_stress(POOL["balance"], POOL["wac"], POOL["wam"], *CLASSES.values(), 0.10, RATINGS, MULTS,
                               scenarios, timing_vectors=VECTORS, view=view, **{**HAND, **kw})


def test_hand_worked_breakevens_to_1e6():
    b = _stress("breakevens")
    assert b["Class"].tolist() == ["A", "B"]
    assert b["Breakeven Default Rate"].iloc[0] == pytest.approx(BE_A, abs=1e-6)
    assert b["Breakeven Default Rate"].iloc[1] == pytest.approx(BE_B, abs=1e-6)
    # closer than the 1e-6: the search's bracket is 1e-7 wide, and a shortfall counts above 1e-9 yuan
    # (A's month-4 gap moves 8.75 yuan per unit of c, so that is 1e-10 in c)
    assert abs(b["Breakeven Default Rate"].iloc[0] - BE_A) < 2e-7
    assert abs(b["Breakeven Default Rate"].iloc[1] - BE_B) < 2e-7


def test_hand_worked_rating_table():
    t = _stress()
    assert t["Class"].tolist() == ["A"] * 4 + ["B"] * 4
    assert t["Target Default Rate"].tolist() == pytest.approx([0.5, 0.4, 0.3, 0.2] * 2)
    assert t["Pass"].tolist() == [1, 1, 1, 1, 0, 0, 1, 1]
    assert t["Highest Rating Passed"].tolist() == ["AAA"] * 4 + ["A"] * 4
    assert t["Minimum Breakeven Default Rate"].iloc[4] == pytest.approx(BE_B, abs=1e-6)


def _reference(c, timing, lag=3, rec=1.0):
    """Independent reference, plain Python, from the stated rules: returns (A short?, B short?) for a cumulative
    default c with monthly timing weights ``timing`` (level principal, 1% a month, classes as above): whether
    each class has an interest shortfall, a write-down or a balance left at month 12."""
    T, perf, r = 12, 1000.0, 0.01
    recov = [0.0] * (T + lag + 1)
    loss = [0.0] * (T + lag + 1)
    a, b = 600.0, 400.0
    short_a = short_b = False
    sa = sb = 0.0
    for t in range(T):
        d = min(c * 1000.0 * (timing[t] if t < len(timing) else 0.0), perf)
        perf -= d
        interest = perf * r
        sched = perf / (T - t)
        perf -= sched
        recov[t + lag] += rec * d
        loss[t + lag] += (1 - rec) * d
        due_a, due_b = a * 0.005 + sa, b * 0.0075 + sb
        pa = min(interest, due_a)
        pb = min(interest - pa, due_b)
        sa, sb = due_a - pa, due_b - pb
        short_a |= sa > 1e-9
        short_b |= sb > 1e-9
        prin = sched + recov[t]
        x = min(prin, a)
        a -= x
        b -= min(prin - x, b)
        lb = min(loss[t], b)                          # losses bottom up, each class at most its balance
        b -= lb
        la = min(loss[t] - lb, a)
        a -= la
        short_b |= lb > 1e-9
        short_a |= la > 1e-9
    return short_a or a > 1e-9, short_b or b > 1e-9          # A fails?, B fails? (a balance left at month 12)


def _reference_breakeven(k, timing, **kw):
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-10:
        mid = 0.5 * (lo + hi)
        sa, sb = _reference(mid, timing, **kw)
        if (sa if k == 0 else sb):
            hi = mid
        else:
            lo = mid
    return lo


def test_reference_loop_reproduces_the_closed_form():
    assert _reference_breakeven(0, [1.0]) == pytest.approx(BE_A, abs=1e-9)
    assert _reference_breakeven(1, [1.0]) == pytest.approx(BE_B, abs=1e-9)


def test_even_timing_and_a_loss_against_the_reference():
    # second scenario: even over months 1..9 (the last month whose recovery, lag 3, falls inside 12 months),
    # 60% recovered: B is now written down by the losses; the reference loop decides each breakeven
    scen = [["even 9 months", "even", 0, 0.0]]
    b = _stress("breakevens", scen, horizon=9, recovery_rate=0.6)
    w = [1 / 9] * 9
    assert b["Breakeven Default Rate"].iloc[0] == pytest.approx(_reference_breakeven(0, w, rec=0.6), abs=1e-6)
    assert b["Breakeven Default Rate"].iloc[1] == pytest.approx(_reference_breakeven(1, w, rec=0.6), abs=1e-6)


def test_minimum_over_scenarios_names_the_worst():
    scen = MONTH1 + [["even 9 months", "even", 0, 0.0]]
    b = _stress("breakevens", scen, horizon=9)
    t = _stress("ratings", scen, horizon=9)
    for k, cls in enumerate(["A", "B"]):
        vals = b["Breakeven Default Rate"].to_numpy()[2 * k:2 * k + 2]
        row = t[t["Class"] == cls].iloc[0]
        assert row["Minimum Breakeven Default Rate"] == vals.min()
        assert row["Worst Scenario"] == scen[int(np.argmin(vals))][0]


# ------------------------------------------------------------------ the projection
def test_default_timing_month_by_month():
    # 1000 yuan, 1% a month, level principal, c = 30% all in month 1, 60% recovered 3 months later (month 4):
    # month 1: default 300, interest 1% x 700 = 7, scheduled 700 / 12; month 4: recovery 180, loss 120
    p = mbsxl.default_timing(1000.0, 0.12, 12, 0.30, [1.0], "month", recovery_rate=0.6, recovery_lag=3,
                             amortization="level_principal")
    assert p["Default"].tolist() == pytest.approx([300.0] + [0.0] * 11)
    assert p["Gross Interest"].iloc[0] == pytest.approx(7.0)
    assert p["Scheduled Principal"].iloc[0] == pytest.approx(700.0 / 12)
    assert p["Recovery"].tolist() == pytest.approx([0.0] * 3 + [180.0] + [0.0] * 8)
    assert p["Loss"].tolist() == pytest.approx([0.0] * 3 + [120.0] + [0.0] * 8)
    # the defaulted 300 stays in the beginning balance until liquidated in month 4
    assert p["Beginning Balance"].iloc[3] == pytest.approx(700.0 * 9 / 12 + 300.0)
    assert p["Ending Balance"].iloc[-1] == pytest.approx(0.0, abs=1e-9)
    # cumulative default over the initial balance = c, before recoveries (the definition)
    assert p["Default"].sum() / 1000.0 == pytest.approx(0.30)


def test_prepayment_is_smm_of_performing_less_scheduled():
    # SIFMA SF-17: SMM = 1 - (1 - CPR)^(1/12) of (balance after defaults - scheduled principal)
    p = mbsxl.default_timing(1000.0, 0.12, 12, 0.0, "even", "month", 12, prepay=0.2, amortization="level_principal")
    smm = 1 - 0.8 ** (1 / 12)
    assert p["Prepayment"].iloc[0] == pytest.approx(smm * (1000.0 - 1000.0 / 12))


@pytest.mark.parametrize("shape, years", [("front", [5, 4, 3, 2, 1]), ("even", [1, 1, 1, 1, 1]),
                                           ("back", [1, 2, 3, 4, 5])])
def test_named_shapes_by_year(shape, years):
    # front / even / back over 5 years: year weights k / 15 (or 1/5), each spread evenly over its 12 months
    w = ag.timing_weights(shape, 120, 12)
    expect = np.repeat(np.array(years) / sum(years) / 12, 12)
    assert w[:60] == pytest.approx(expect) and not w[60:].any()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    # Chinese names are the same shapes
    zh = {"front": "前置", "even": "均匀", "back": "后置"}[shape]
    assert (ag.timing_weights(zh, 120, 12) == w).all()


def test_scheduled_shape_level_principal_is_flat():
    # level principal, no prepayment: 1000/12 scheduled each month; defaults allowed in months 1..12 - 3 = 9
    w = ag.timing_weights("scheduled", 12, 3, level_principal=True)
    assert w[:9] == pytest.approx([1 / 9] * 9) and not w[9:].any()


def test_shift_later_and_earlier():
    w = ag.timing_weights([0.5, 0.5], 12, 0, "month", shift=2)
    assert w[:4].tolist() == [0, 0, 0.5, 0.5]
    w = ag.timing_weights([0.25, 0.25, 0.5], 12, 0, "month", shift=-1)      # month 1's weight moves to month 1
    assert w[:3].tolist() == [0.5, 0.5, 0.0]


# ------------------------------------------------------------------ bad input
def test_timing_not_summing_to_one_is_refused_naming_the_sum():
    with pytest.raises(MbsxlInputError, match=r"timing sums to 0\.99.*never rescaled"):
        mbsxl.default_timing(1000.0, 0.06, 120, 0.1, [0.5, 0.49])
    with pytest.raises(MbsxlInputError, match=r"sums to 1\.000001"):
        mbsxl.default_timing(1000.0, 0.06, 120, 0.1, [0.5, 0.500001])
    mbsxl.default_timing(1000.0, 0.06, 120, 0.1, [0.5, 0.5 + 5e-10])        # within 1e-9: accepted


def test_multipliers_not_decreasing_are_refused():
    with pytest.raises(MbsxlInputError, match="multipliers do not decrease with the rating: AA has 5 after AAA 4"):
        mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600, 400], [0.06, 0.09], 0.1, ["AAA", "AA"], [4, 5])
    with pytest.raises(MbsxlInputError, match="multipliers do not decrease"):
        mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600, 400], [0.06, 0.09], 0.1, ["AAA", "AA"], [4, 4])
    with pytest.raises(MbsxlInputError, match="ratings has 2 entries and multipliers 3"):
        mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600, 400], [0.06, 0.09], 0.1, ["AAA", "AA"], [5, 4, 3])


@pytest.mark.parametrize("kw, msg", [
    (dict(shift=61), r"timing puts defaults in month 121 after shift=61"),
    (dict(timing="sideways"), r"timing='sideways' is not one of front"),
    (dict(horizon=20), r"horizon=20 years \(240 months\) is longer"),
    (dict(recovery_lag=120), r"recovery_lag=120 months is not below wam=120"),
    (dict(cumulative_default=10), r"cumulative_default=10 looks like a percent"),
    (dict(timing=[0.5, -0.1, 0.6]), r"timing\[1\]=-0.1"),
])
def test_default_timing_bad_input(kw, msg):
    args = dict(balance=1000.0, wac=0.06, wam=120, cumulative_default=0.1, timing="front")
    with pytest.raises(MbsxlInputError, match=msg):
        mbsxl.default_timing(**{**args, **kw})


def test_scenario_table_bad_input():
    with pytest.raises(MbsxlInputError, match="scenarios row 1 timing=2 names column 2 of timing_vectors, which has 1"):
        _stress(scenarios=[["x", 2, 0, 0.0]])
    with pytest.raises(MbsxlInputError, match="scenarios row 1 CPR=20 looks like a percent"):
        _stress(scenarios=[["x", 1, 0, 20]])
    with pytest.raises(MbsxlInputError, match=r"timing_vectors column 1 sums to 0\.9"):
        mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600, 400], [0.06, 0.09], 0.1, RATINGS, MULTS,
                            [["x", 1]], timing_vectors=[[0.9]], timing_unit="month")
    with pytest.raises(MbsxlInputError, match="view='pool' is not one of ratings"):
        _stress(view="pool")


# ------------------------------------------------------------------ the worksheet path
def _col(xs):
    return np.array([[x] for x in xs], dtype=object)


def test_worksheet_dispatch_equals_python():
    from mbsxl.excel.dispatch import call
    scen = np.array([["Scenario", "Timing", "Shift Months", "CPR"], ["month 1", 1, 0, 0.0]], dtype=object)
    args = [1000.0, 0.12, 12, _col(["A", "B"]), _col([600.0, 400.0]), _col([0.06, 0.09]), 0.10, _col(RATINGS),
            _col(MULTS), scen, 1.0, 3, 0, "sequential", 0, None, None, 0, 2, None, None, 5, _col([1.0]), "month",
            "ratings", 1e-7, False, False, "level_principal"]
    cells = call("MBS_RATINGSTRESS", *args)
    g = np.asarray(cells, dtype=object)
    assert g[0].tolist() == ["Class", "Rating", "Multiplier", "Target Default Rate", "Minimum Breakeven Default Rate",
                             "Worst Scenario", "Pass", "Highest Rating Passed"]
    py = _stress()
    assert [r[0] for r in g[1:]] == py["Class"].tolist()
    assert [r[6] for r in g[1:]] == py["Pass"].tolist()
    assert [r[7] for r in g[1:]] == ["AAA"] * 4 + ["A"] * 4
    assert float(g[5][4]) == pytest.approx(BE_B, abs=1e-6)
    # the pool projection through its own worksheet function equals the Python twin
    p = call("MBS_DEFAULTTIMING", 1000.0, 0.12, 12, 0.3, _col([1.0]), "month", 5, 0, 0.6, 3, 0, 0, "level_principal")
    twin = mbsxl.default_timing(1000.0, 0.12, 12, 0.3, [1.0], "month", 5, 0, 0.6, 3, 0, 0, "level_principal")
    assert np.asarray(p, dtype=object)[1:, 9].astype(float) == pytest.approx(twin["Loss"].to_numpy())


def test_worksheet_bad_input_names_argument_and_value():
    from mbsxl.excel.dispatch import call
    e = call("MBS_DEFAULTTIMING", 1000.0, 0.06, 120, 0.1, _col([0.5, 0.4]))
    assert "timing sums to 0.9" in e.reason
    e = call("MBS_RATINGSTRESS", 1000.0, 0.12, 12, _col(["A", "B"]), _col([600.0, 400.0]), _col([0.06, 0.09]), 0.1,
             _col(["AAA", "AA"]), _col([3.0, 4.0]))
    assert "multipliers do not decrease with the rating" in e.reason and "AA has 4 after AAA 3" in e.reason


def test_rate_path_equals_shifted_scenario():
    # a pool-rate shift of -1% from month 3 in the scenario table (lag 2) is the same projection as a wac column
    # (6% for months 1-2, 5% after): the table's breakeven passes and 1e-6 above it fails when the class is run
    # through default_timing (with the rate column) and tranches one rate at a time
    scen = [["down", 1, 0, 0.0, 0.0, -0.01, 2]]
    b = mbsxl.rating_stress(1000.0, 0.06, 12, ["A", "B"], [600.0, 400.0], [0.055, 0.0], 0.1, RATINGS, MULTS, scen,
                            recovery_rate=1.0, recovery_lag=3, rated=1, timing_unit="month", timing_vectors=[[1.0]],
                            view="breakevens")["Breakeven Default Rate"].iloc[0]
    path = [0.06] * 2 + [0.05]

    def a_fails(c):
        p = mbsxl.default_timing(1000.0, path, 12, c, [1.0], "month", 5, 0, 1.0, 3)
        t = mbsxl.tranches(p, None, None, ["A", "B"], [600.0, 400.0], [0.055, 0.0], class_="A")
        return t["Shortfall"].max() > 1e-9 or t["Loss"].sum() > 1e-9 or t["Ending Balance"].iloc[-1] > 1e-9
    assert 0.0 < b < 1.0
    assert not a_fails(b) and a_fails(b + 1e-6)


# ------------------------------------------------------------------ the deal-review template's Rating sheet
def test_template_rating_sheet_equals_python():
    # workbooks/jianyuan_2007_1_deal_review.xlsx, sheet 评级压力 Rating: the stored MBS_RATINGSTRESS table against
    # mbsxl.rating_stress on the same inputs (class sizes seed 002, pool balance seed 001; the rest labelled
    # assumptions of the sheet and the Deal sheet)
    import os

    import openpyxl
    from mbsxl.templates import deal_review_rating as R
    from mbsxl.templates import jianyuan_deal_review as J
    path = os.path.join(os.path.dirname(__file__), "..", "workbooks", J.FILENAME)
    if not os.path.exists(path):
        pytest.skip("template not built")
    ws = openpyxl.load_workbook(path, data_only=True)[R.RATING]
    rows = list(ws.iter_rows(min_row=R.R_OUT + 1, max_row=R.R_OUT + 1 + R.N_OUT, max_col=8, values_only=True))
    py = mbsxl.rating_stress(**R.python_args(J))
    assert list(rows[0]) == list(py.columns)
    for got, (_, want) in zip(rows[1:], py.iterrows()):
        assert got[0] == want["Class"] and got[1] == want["Rating"] and got[6] == want["Pass"]
        assert got[4] == pytest.approx(want["Minimum Breakeven Default Rate"], abs=1e-12)
        assert got[7] == want["Highest Rating Passed"]
    # the labelled assumptions: recovery = 1 - the Deal sheet's severity; the example tables say EXAMPLE
    assert ws.cell(R.I["recovery"] + 1, 2).value == pytest.approx(1 - J.SEVERITY)
    assert "EXAMPLE" in ws.cell(R.R_MULT, 1).value and "EXAMPLE" in ws.cell(R.R_SCEN, 1).value


# ------------------------------------------------------------------ a waterfall mechanism: the liquidity reserve
def test_reserve_lifts_the_senior_breakeven_by_hand():
    # The hand-worked deal with a liquidity reserve (流动性储备) of 1 yuan, funded at closing and targeted at 1
    # yuan, covering A's interest (senior_classes=1; order of payments in mbsxl.deal.waterfall: A's interest, then the
    # reserve draw/top-up, then B).  A's gap in month t (t <= 4) is g_t = 3 - (1 - c)(125 - 5 t)/12 (above): it
    # grows with t, so the reserve is full until the first month with g_t > 0 and is never topped up after (no
    # interest is left once A is short).  A survives while the sum of the positive gaps is at most 1:
    #   months 3-4: 6 - (1-c) 215/12 = 1 -> c = 0.7209, outside (0.6727, 0.6870) where only they are positive;
    #   months 2-4: 9 - (1-c) 330/12 = 1 -> c = 0.7091, outside (0.6870, 0.7);
    #   months 1-4: 12 - (1-c) 450/12 = 1 -> c = 1 - 132/450 = 53/75 = 0.70667, inside (0.7, 1): the breakeven.
    kw = dict(recovery_rate=1.0, recovery_lag=3, rated=1, timing_unit="month", residual=False,
              amortization="level_principal", timing_vectors=VECTORS)
    args = (1000.0, 0.12, 12, ["A", "B"], [600.0, 400.0], [0.06, 0.09], 0.1, RATINGS, MULTS, MONTH1)
    plain = mbsxl.rating_stress(*args, view="breakevens", **kw)["Breakeven Default Rate"].iloc[0]
    res = mbsxl.rating_stress(*args, view="breakevens", reserve=[["amount", 1.0], ["initial", 1.0]],
                              **kw)["Breakeven Default Rate"].iloc[0]
    assert plain == pytest.approx(BE_A, abs=1e-6)
    assert res == pytest.approx(53 / 75, abs=1e-6)
    # the same through the public functions, one default rate at a time
    def a_short(c):
        p = mbsxl.default_timing(1000.0, 0.12, 12, c, [1.0], "month", 5, 0, 1.0, 3, amortization="level_principal")
        t = mbsxl.tranches(p, None, None, ["A", "B"], [600.0, 400.0], [0.06, 0.09], class_="A", residual=False,
                           reserve=[["amount", 1.0], ["initial", 1.0]])
        return t["Shortfall"].max() > 1e-9
    assert not a_short(res) and a_short(res + 1e-6)


def test_reserve_through_the_worksheet_dispatch():
    from mbsxl.excel.dispatch import call
    scen = np.array([["Scenario", "Timing"], ["month 1", 1]], dtype=object)
    reserve = np.array([["amount", 1.0], ["initial", 1.0]], dtype=object)
    g = call("MBS_RATINGSTRESS", 1000.0, 0.12, 12, _col(["A", "B"]), _col([600.0, 400.0]), _col([0.06, 0.09]), 0.1,
             _col(RATINGS), _col(MULTS), scen, 1.0, 3, 0, "sequential", 0, None, None, 0, 1, None, None, 5,
             _col([1.0]), "month", "breakevens", 1e-7, False, False, "level_principal", 0, None, reserve)
    assert g[0][-1] == "Breakeven Default Rate" and g[1][-1] == pytest.approx(53 / 75, abs=1e-6)   # hand-worked above


def test_workbook_recalculation_equals_python(tmp_path):
    # the two functions as array formulas in a workbook, recalculated headless (mbsxl.excel.calc.calculate)
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula
    from mbsxl.excel.calc import calculate
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for i, (n, b, c) in enumerate(zip(["A", "B"], [600.0, 400.0], [0.06, 0.09])):
        ws.cell(1 + i, 1, n), ws.cell(1 + i, 2, b), ws.cell(1 + i, 3, c)
    for i, (r, m) in enumerate(zip(RATINGS, MULTS)):
        ws.cell(1 + i, 5, r), ws.cell(1 + i, 6, m)
    ws["H1"], ws["I1"], ws["J1"], ws["K1"] = "Scenario", "Timing", "Shift Months", "CPR"
    ws["H2"], ws["I2"], ws["J2"], ws["K2"] = "month 1", 1, 0, 0.0
    ws["M1"] = 1.0
    ws["A20"] = ArrayFormula("A20:H28", "=MBS_RATINGSTRESS(1000,0.12,12,A1:A2,B1:B2,C1:C2,0.1,E1:E4,F1:F4,H1:K2,1,3,0,"
                                        "\"sequential\",0,,,0,2,,,5,M1,\"month\",\"ratings\",1E-07,FALSE,FALSE,"
                                        "\"level_principal\")")
    ws["A40"] = ArrayFormula("A40:P52", "=MBS_DEFAULTTIMING(1000,0.12,12,0.3,M1,\"month\",5,0,0.6,3,0,0,"
                                        "\"level_principal\")")
    path = tmp_path / "stress.xlsx"
    wb.save(path)
    values = calculate(str(path), progress=False)
    py = _stress()
    assert [values[f"S!{c}20"] for c in "ABCDEFGH"] == list(py.columns)
    for i, (_, row) in enumerate(py.iterrows()):
        assert values[f"S!A{21 + i}"] == row["Class"] and values[f"S!G{21 + i}"] == row["Pass"]
        assert values[f"S!E{21 + i}"] == pytest.approx(row["Minimum Breakeven Default Rate"], rel=1e-12)
    assert values["S!E25"] == pytest.approx(BE_B, abs=1e-6)                        # hand-worked above
    pool = mbsxl.default_timing(1000.0, 0.12, 12, 0.3, [1.0], "month", 5, 0, 0.6, 3, 0, 0, "level_principal")
    assert [values[f"S!J{41 + i}"] for i in range(12)] == pytest.approx(pool["Loss"].tolist(), rel=1e-12)
