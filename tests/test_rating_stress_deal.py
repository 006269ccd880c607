"""The rating agencies' stress test on a deal table (issue 19 item 2, issue 18 item 3): ``mbsxl.rating_stress`` /
MBS_RATINGSTRESS with ``deal`` in place of the positional class and waterfall arguments, the breakeven search run
through the ledger engine (mbsxl.deal.ledger), every probe of a round in one kernel call.

Sources outside the project: the method's rule (中债资信 RMBS method: 临界违约率 = the largest cumulative default
rate, of the initial balance and before recoveries, at which a class is paid in full and on time); the
default-principal cover (违约本金补足) as Chinese RMBS prospectuses state it: a step of the income ledger moving an
amount equal to the period's newly defaulted principal to the principal ledger, before anything reaches the
subordinate class (issue 19's "Why").  The breakevens are worked by hand below (closed form) or found by an
independent scalar bisection written here over ``mbsxl.default_timing`` + ``mbsxl.deal_flows``, one default rate
at a time (not the batched search under test).
"""
import numpy as np
import pytest

import mbsxl
from mbsxl.deal import agency_stress as ag
from mbsxl.deal.dealviews import deal_flows, deal_from_tranches
from mbsxl.errors import MbsxlInputError

COL = "Breakeven Default Rate"
RATINGS, MULTS = ["AAA", "AA", "A", "BBB"], [5.0, 4.0, 3.0, 2.0]


# ------------------------------------------------------------------ Jianyuan 2007-1: both paths agree
def test_jianyuan_deal_table_equals_positional_to_1e6():
    # The deal review's Rating sheet (3 rated classes x the 8 example scenarios; floating A/B/C over the coupon
    # index, fees, 10% clean-up call): the positional path (the plain waterfall, _waterfall_batch) and the same
    # deal written as a deal table (deal_from_tranches) run through the ledger engine give the same breakevens.
    from mbsxl.templates import deal_review_rating as R
    from mbsxl.templates import jianyuan_deal_review as J
    kw = R.python_args(J)
    pos = mbsxl.rating_stress(**kw, view="breakevens")
    deal = deal_from_tranches(kw.pop("tranche_names"), kw.pop("tranche_balances"), kw.pop("tranche_coupons"),
                              cleanup_call=kw.pop("cleanup_call"), floating=kw.pop("floating"), fees=kw.pop("fees"))
    tab = mbsxl.rating_stress(**kw, view="breakevens", deal=deal)
    assert tab["Class"].tolist() == pos["Class"].tolist() and tab["Scenario"].tolist() == pos["Scenario"].tolist()
    assert np.abs(tab[COL].to_numpy() - pos[COL].to_numpy()).max() <= 1e-6
    assert (pos[COL] > 0).all() and (pos[COL] < 1).all()              # every search found an interior breakeven
    r_pos = mbsxl.rating_stress(**R.python_args(J))
    r_tab = mbsxl.rating_stress(**kw, deal=deal)
    assert r_tab["Highest Rating Passed"].tolist() == r_pos["Highest Rating Passed"].tolist()
    assert r_tab["Pass"].tolist() == r_pos["Pass"].tolist()


def test_hand_worked_small_deal_through_the_deal_table():
    # tests/test_rating_stress.py's deal worked by hand (pool 1000, 12% level principal, 12 months; A 600 at 6%,
    # B 400 at 9%; all defaults in month 1, recovered in full 3 months later; excess interest released):
    # breakevens A 23/35, B 11/35 (interest shortfall in month 4).  Same deal as a deal table.
    deal = deal_from_tranches(["A", "B"], [600.0, 400.0], [0.06, 0.09], residual=False)
    b = mbsxl.rating_stress(1000.0, 0.12, 12, base_default_rate=0.10, ratings=RATINGS, multipliers=MULTS,
                            scenarios=[["month 1", 1, 0, 0.0]], timing_vectors=[[1.0]], recovery_rate=1.0,
                            recovery_lag=3, rated=2, timing_unit="month", amortization="level_principal",
                            view="breakevens", deal=deal)[COL].to_numpy()
    assert b == pytest.approx([23 / 35, 11 / 35], abs=1e-6)


# ------------------------------------------------------------------ a mechanism only the deal table has
# Default-principal cover (违约本金补足), worked by hand.  Pool 1000 yuan, 12% a year (1% a month), 12 months, level
# principal (等额本金), no prepayment, no servicing; recovery 0, lag 0 (the loss recognised in the default month).
# Scenario "month 1": the whole cumulative default c x 1000 defaults in month 1.
# Classes: A 800 at 0% (no interest due: only principal can fail it), Sub 200 at 0%, interest not carried.
# Income ledger: step 1 transfers to the principal ledger an amount equal to the defaults not yet covered
# (new_defaults); step 2 the residual to Sub.  Principal ledger: A, then Sub, then release.  writedown none: a
# class's loss is what it still owes at the end (period 12 = legal final).
#   performing balance after the default 1000 (1 - c), paying 1/(13 - t) of it each month:
#   interest of month t = 1% x 1000 (1 - c)(13 - t)/12; over the life 10 (1 - c) x 78/12 = 65 (1 - c);
#   pool principal over the life 1000 (1 - c); the cover moves min(interest, defaults uncovered) each month, in
#   all min(1000 c, 65 (1 - c)).
#   A is repaid by month 12 iff 1000 (1 - c) + min(1000 c, 65 (1 - c)) >= 800.  For c > 65/1065 the cover is
#   capped by the interest: 1065 (1 - c) >= 800 <=> c <= 1 - 800/1065 = 53/213 = 0.248826...
#   Without the cover (the positional waterfall, excess interest to Sub): 1000 (1 - c) >= 800 <=> c <= 0.2.
COVER = [["分档 Classes", "金额 balance", "利率 coupon", "累计 carry"],
         ["A", 800.0, 0.0, "yes"],
         ["Sub", 200.0, 0.0, "no"],
         [None],
         ["账户 Ledgers", "收入来源 receives"],
         ["income", "interest"],
         ["principal", "principal"],
         [None],
         ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"],
         ["normal", "income", 1, "transfer", "principal", "new_defaults"],
         ["normal", "income", 2, "pay_residual", "Sub", None],
         ["normal", "principal", 1, "pay_principal", "A", None],
         ["normal", "principal", 2, "pay_principal", "Sub", None],
         ["normal", "principal", 3, "release", None, None],
         [None],
         ["参数 Settings", "数值 value"],
         ["writedown", "none"]]
MONTH1 = dict(scenarios=[["month 1", 1, 0, 0.0]], timing_vectors=[[1.0]], timing_unit="month", rated=1,
              amortization="level_principal", view="breakevens", base_default_rate=0.02, ratings=RATINGS,
              multipliers=MULTS)


def test_default_cover_breakeven_by_hand():
    b = mbsxl.rating_stress(1000.0, 0.12, 12, deal=COVER, **MONTH1)[COL].iloc[0]
    assert b == pytest.approx(53 / 213, abs=1e-6)
    plain = mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "Sub"], [800.0, 200.0], [0.0, 0.0], **MONTH1)[COL].iloc[0]
    assert plain == pytest.approx(0.2, abs=1e-6)                     # the positional waterfall has no cover


# A richer version checked by brute force: A 750 at 4% carried, B 150 at 5% carried, Sub 100 with a 2% interim
# return not carried; income: A's interest, B's interest, the cover, Sub's return, the residual to Sub; principal
# A, B, Sub; writedown none (a class loses what it still owes at the end).  Front-loaded defaults over 3 years,
# 30% recovered 6 months later, 8% CPR, level payment, 0.5% servicing; A (timely interest) and B (interest by the
# legal final period) tested.
RICH = [["分档 Classes", "金额 balance", "利率 coupon", "累计 carry"],
        ["A", 750.0, 0.04, "yes"],
        ["B", 150.0, 0.05, "yes"],
        ["Sub", 100.0, 0.02, "no"],
        [None],
        ["账户 Ledgers", "收入来源 receives"],
        ["income", "interest"],
        ["principal", "principal"],
        [None],
        ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"],
        ["normal", "income", 1, "pay_interest", "A", None],
        ["normal", "income", 2, "pay_interest", "B", None],
        ["normal", "income", 3, "transfer", "principal", "new_defaults"],
        ["normal", "income", 4, "pay_interest", "Sub", None],
        ["normal", "income", 5, "pay_residual", "Sub", None],
        ["normal", "principal", 1, "pay_principal", "A", None],
        ["normal", "principal", 2, "pay_principal", "B", None],
        ["normal", "principal", 3, "pay_principal", "Sub", None],
        ["normal", "principal", 4, "release", None, None],
        [None],
        ["参数 Settings", "数值 value"],
        ["writedown", "none"]]
RICH_POOL = dict(balance=1000.0, wac=0.07, wam=120)
RICH_KW = dict(recovery_rate=0.3, recovery_lag=6, servicing=0.005, horizon=3)


def _fails(c, k, timely):
    """Independent check, one default rate at a time: the pool by default_timing, the deal by deal_flows."""
    p = mbsxl.default_timing(*RICH_POOL.values(), c, "front", "year", 3, 0, 0.3, 6, 0.08, 0.005)
    f = deal_flows(p, RICH)
    x = f[f["Class"] == ["A", "B"][k]]
    tol = max(1e-12 * [750.0, 150.0][k], 1e-9)
    gap = x["Interest Due"].to_numpy() - x["Interest Paid"].to_numpy()      # A and B receive no residual
    bad_int = (gap > tol).any() if timely else x["Shortfall"].iloc[-1] > tol
    return bool(bad_int or x["Loss"].sum() > tol or x["Ending Balance"].iloc[-1] > tol)


def _bisect(k, timely, tol=1e-7):
    lo, hi = 0.0, 1.0
    assert not _fails(lo, k, timely) and _fails(hi, k, timely)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if not _fails(mid, k, timely) else (lo, mid)
    return lo


def test_default_cover_breakeven_against_brute_force_bisection():
    t = mbsxl.rating_stress(*RICH_POOL.values(), base_default_rate=0.02, ratings=RATINGS, multipliers=MULTS,
                            scenarios=[["front, CPR 8%", "front", 0, 0.08]], rated=2, timely_interest=1,
                            view="breakevens", deal=RICH, **RICH_KW)
    a, b = t[COL].to_numpy()
    assert a == pytest.approx(_bisect(0, True), abs=2e-7)
    assert b == pytest.approx(_bisect(1, False), abs=2e-7)
    assert 0.0 < b < a < 1.0
    # the cover is what lifts A: the same deal without step 2 survives less
    no_cover = [r for r in RICH if not (len(r) > 3 and r[3] == "transfer")]
    t0 = mbsxl.rating_stress(*RICH_POOL.values(), base_default_rate=0.02, ratings=RATINGS, multipliers=MULTS,
                             scenarios=[["front, CPR 8%", "front", 0, 0.08]], rated=2, timely_interest=1,
                             view="breakevens", deal=no_cover, **RICH_KW)
    assert (t0[COL].to_numpy() < [a - 1e-3, b - 1e-3]).all()


# ------------------------------------------------------------------ the worksheet function
def test_worksheet_deal_argument_equals_python():
    from mbsxl.excel.dispatch import call
    grid = np.array([r + [None] * (6 - len(r)) for r in COVER], dtype=object)
    scen = np.array([["Scenario", "Timing", "Shift Months", "CPR"], ["month 1", 1, 0, 0.0]], dtype=object)
    col = lambda xs: np.array([[x] for x in xs], dtype=object)
    args = [1000.0, 0.12, 12, None, None, None, 0.02, col(RATINGS), col(MULTS), scen, 0, 0, 0, None, None, None,
            None, None, 1, None, None, 5, col([1.0]), "month", "breakevens", 1e-7, None, None, "level_principal",
            None, None, None, None, None, None, grid]
    g = np.asarray(call("MBS_RATINGSTRESS", *args), dtype=object)
    assert float(g[1][-1]) == pytest.approx(53 / 213, abs=1e-6)


# ------------------------------------------------------------------ bad input
def test_deal_and_positional_classes_together_are_refused():
    with pytest.raises(MbsxlInputError, match=r"deal is given and so is tranche_names, tranche_balances, "
                                              r"tranche_coupons; pass the deal table or"):
        mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "Sub"], [800.0, 200.0], [0.0, 0.0], deal=COVER, **MONTH1)
    with pytest.raises(MbsxlInputError, match=r"deal is given and so is cleanup_call, fees"):
        mbsxl.rating_stress(1000.0, 0.12, 12, deal=COVER, fees=0.01, cleanup_call=0.1, **MONTH1)


def test_neither_deal_nor_classes_is_refused():
    with pytest.raises(MbsxlInputError, match=r"tranche_names, tranche_balances, tranche_coupons is empty; pass the "
                                              r"classes .* or a deal table \(deal\)"):
        mbsxl.rating_stress(1000.0, 0.12, 12, **MONTH1)


def test_bad_deal_table_names_block_and_row():
    bad = [r[:] for r in COVER]
    bad[11] = ["normal", "principal", 1, "pay_principal", "A3", None]
    with pytest.raises(MbsxlInputError, match=r"block 偿付顺序 Priority, row 12"):
        mbsxl.rating_stress(1000.0, 0.12, 12, deal=bad, **MONTH1)


def test_worksheet_both_given_is_an_error_naming_the_arguments():
    from mbsxl.excel.dispatch import call
    grid = np.array([r + [None] * (6 - len(r)) for r in COVER], dtype=object)
    col = lambda xs: np.array([[x] for x in xs], dtype=object)
    args = [1000.0, 0.12, 12, col(["A", "Sub"]), col([800.0, 200.0]), col([0.0, 0.0]), 0.02] + [None] * 28 + [grid]
    e = call("MBS_RATINGSTRESS", *args)
    assert "deal is given and so is tranche_names" in e.reason
