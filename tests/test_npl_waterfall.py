"""The NPL actions of the deal table (issue 20 on issue 19's ledger engine), hand-worked period by period.

Source of every figure: the schedules worked by hand in the comments from the rules stated in the issue
(disposal costs first; base servicing fee as a share of recoveries; excess incentive fee 超额奖励服务费 on
recoveries above the expected path; the subordinate class's fixed return 固定资金成本; the excess shared
between the subordinate class and the servicer by a ratio) and in mbsxl.deal.ledger (interest due = coupon /
12 x beginning balance; unpaid fees and interest carried).
"""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError

HEAD = ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]


def deal(share=0.3):
    return [["分档 Classes", "金额 balance", "利率 coupon"], ["A", 600.0, 0.06], ["Sub", 200.0, 0.12], [None],
            ["费用税收 Fees", "费率 rate", "基数 base"],
            ["处置费用", 1.0, "disposal_costs"], ["基础服务费", 0.02, "collections"],
            ["超额奖励服务费", 0.2, "excess_collections"], ["超额分成", 0.0, "share"], [None],
            ["账户 Ledgers", "收入来源 receives"], ["cash", "both"], [None], HEAD,
            ["normal", "cash", 1, "pay_fee", "处置费用", None],
            ["normal", "cash", 2, "pay_fee", "基础服务费", None],
            ["normal", "cash", 3, "pay_interest", "A", None],
            ["normal", "cash", 4, "pay_principal", "A", None],
            ["normal", "cash", 5, "pay_principal", "Sub", None],
            ["normal", "cash", 6, "pay_interest", "Sub", None],
            ["normal", "cash", 7, "pay_fee", "超额奖励服务费", None],
            ["normal", "cash", 8, "pay_share", "超额分成", share],
            ["normal", "cash", 9, "pay_residual", "Sub", None],
            [None], ["参数 Settings", "数值 value"], ["writedown", "none"]]


def pool(P, K, X, claim=2000.0):
    T = len(P)
    return {C.BEGINNING_BALANCE: [claim] + [0.0] * (T - 1), C.TOTAL_PRINCIPAL: P, C.NET_INTEREST: [0.0] * T,
            C.LOSS: [0.0] * T, C.DEFAULT: [0.0] * T, C.NPL_COSTS: K, C.NPL_EXPECTED: X}


def steps(p, d, action, target):
    t = mbsxl.deal_flows(p, d, "ledgers")
    sel = (t[C.ACTION] == action) & (t[C.TARGET].str.startswith(target))
    return [round(float(x), 9) for x in t[sel][C.AMOUNT]]


def cls(p, d, name, col):
    t = mbsxl.deal_flows(p, d)
    return [round(float(x), 9) for x in t[t[C.CLASS] == name][col]]


P3 = pool([400.0, 500.0, 300.0], [20.0, 10.0, 0.0], [350.0, 450.0, 300.0])


def test_npl_waterfall_three_periods():
    # Period 1: cash 400. Costs 20 -> 380. Base fee 2% x 400 = 8 -> 372. A interest 600 x 0.5% = 3 -> 369.
    #   A principal 369 (A 600 -> 231) -> 0. Sub principal 0; Sub fixed return 200 x 1% = 2 unpaid (carried).
    #   Incentive: cumulative 400 vs expected 350 -> excess 50 (new) x 20% = 10, unpaid (carried). Share 0.
    # Period 2: cash 500. Costs 10 -> 490. Base fee 10 -> 480. A interest 231 x 0.5% = 1.155 -> 478.845.
    #   A principal 231 -> 247.845. Sub principal 200 -> 47.845. Sub return 200 x 1% + 2 = 4 -> 43.845.
    #   Incentive: 900 vs 800 -> excess 100, new 50 x 20% = 10 + 10 carried = 20 -> 23.845.
    #   Share 30% x 23.845 = 7.1535 -> 16.6915 residual to Sub.
    # Period 3: cash 300. Costs 0. Base fee 6 -> 294. A and Sub repaid: no interest. Incentive: 1,200 vs
    #   1,100 -> excess 100, no new excess -> 0. Share 30% x 294 = 88.2; residual 205.8.
    d = deal()
    assert steps(P3, d, "pay_fee", "处置费用") == [20.0, 10.0, 0.0]
    assert steps(P3, d, "pay_fee", "基础服务费") == [8.0, 10.0, 6.0]
    assert steps(P3, d, "pay_fee", "超额奖励服务费") == [0.0, 20.0, 0.0]
    assert steps(P3, d, "pay_share", "超额分成") == pytest.approx([0.0, 7.1535, 88.2])
    assert cls(P3, d, "A", C.INTEREST_PAID) == [3.0, 1.155, 0.0]
    assert cls(P3, d, "A", C.PRINCIPAL) == [369.0, 231.0, 0.0]
    assert cls(P3, d, "Sub", C.PRINCIPAL) == [0.0, 200.0, 0.0]
    # Sub's interest paid = its fixed return and the residual: 0; 4 + 16.6915; 205.8
    assert cls(P3, d, "Sub", C.INTEREST_PAID) == pytest.approx([0.0, 20.6915, 205.8])
    assert cls(P3, d, "Sub", C.SHORTFALL) == [2.0, 0.0, 0.0]
    # cash conserved: 1,200 in = 30 costs + 24 base fee + 20 incentive + 95.3535 share + 604.155 A
    # + 200 Sub principal + 226.4915 Sub interest and residual
    t = mbsxl.deal_flows(P3, d)
    out = t[C.CASH_FLOW].sum() + 30 + 24 + 20 + 7.1535 + 88.2
    assert out == pytest.approx(1200.0)


def test_incentive_fee_high_water_mark():
    # expected 350, 550, 200: period 1 excess 400 - 350 = 50 -> 10; period 2 900 - 900 = 0 (no fee);
    # period 3 1,200 - 1,100 = 100, above the high-water mark 50 by 50 -> 10 (not 20: the first 50 was paid)
    p = pool([400.0, 500.0, 300.0], [0.0, 0.0, 0.0], [350.0, 550.0, 200.0])
    t = mbsxl.deal_flows(p, deal(), "ledgers")
    sel = t[C.ACTION] == "pay_fee"
    # period 1: the fee is due 10 but nothing is left after A's principal; carried 10 is paid in period 2;
    # period 3: 10 new
    assert steps(p, deal(), "pay_fee", "超额奖励服务费") == [0.0, 10.0, 10.0]
    assert sel.any()


def test_below_expected_no_incentive():
    # collections never above expected: 400 < 500, 900 < 1,000, 1,200 = 1,200 -> no incentive fee
    p = pool([400.0, 500.0, 300.0], [0.0] * 3, [500.0, 500.0, 200.0])
    assert steps(p, deal(), "pay_fee", "超额奖励服务费") == [0.0, 0.0, 0.0]


def test_npl_pool_from_a_projection_runs_through_the_deal():
    # one loan: claim 1,000, appraisal 1,000, no haircut, costs 50, auction month 2 (T = 2):
    # gross 1,000 in month 2 (net 950 + costs 50); costs 50 first, base fee 2% x 1,000 = 20, A interest
    # 600 x 0.5% x 2 months? No: month 1 has no cash -> A's 3 is carried; month 2 A due 3 + 3 = 6,
    # A principal 600, Sub principal 200, Sub return 2 + 2 = 4, incentive 0 (expected = the same path),
    # share 30% x (1,000 - 50 - 20 - 6 - 600 - 200 - 4 = 120) = 36, residual 84
    tape = {"Principal": [1000.0], "Collateral": [1000.0], "Haircut": [0.0], "Stage": ["拍卖"], "Costs": [50.0]}
    rec = mbsxl.recoveries(tape, stage_table={"拍卖": 2})
    p = mbsxl.npl_pool(rec)
    assert p[C.TOTAL_PRINCIPAL].tolist() == [0.0, 1000.0] and p[C.BEGINNING_BALANCE].iloc[0] == 1000.0
    d = deal()
    assert steps(p, d, "pay_fee", "处置费用") == [0.0, 50.0]
    assert cls(p, d, "A", C.INTEREST_PAID) == [0.0, 6.0]
    assert steps(p, d, "pay_share", "超额分成") == pytest.approx([0.0, 36.0])
    assert cls(p, d, "Sub", C.INTEREST_PAID) == pytest.approx([0.0, 88.0])      # return 4 + residual 84


def test_grid_and_breakeven_haircut():
    # the same one-loan pool; A (600 + interest) is paid in full while 1,000 x (1 - h) - 50 costs - 2% fee
    # covers 606: (1 - h) x 1,000 x 0.98 - 50 >= 606 (the base fee is on gross = (1 - h) x 1,000)
    # -> 1 - h >= 656 / 980 -> h <= 0.330612...
    tape = {"Principal": [1000.0], "Collateral": [1000.0], "Haircut": [0.0], "Stage": ["拍卖"], "Costs": [50.0]}
    st = {"拍卖": 2}
    h = mbsxl.npl_breakeven(tape, deal(), "A", stage_table=st, tolerance=1e-7)
    assert h == pytest.approx(1 - 656 / 980, abs=1e-6)
    g = mbsxl.npl_grid(tape, deal(), "A", [0.0, 0.5], [0, 6], stage_table=st)
    # haircut 0.5: gross 500 -> 500 - 50 costs - 10 base fee = 440 to A.  No delay: interest 6 (3 carried
    # from month 1 + 3), principal 434, A's balance 166 left; the grid's common horizon is 8 months (the
    # delayed case), so months 3-8 add 6 x 166 x 0.5% = 4.98 of unpaid interest: 170.98.  Delay 6: cash in
    # month 8, interest 8 x 3 = 24, principal 416, unpaid 184.
    assert g[C.NPL_UNPAID].round(6).tolist() == [0.0, 0.0, 170.98, 184.0]
    assert g[C.NPL_DELAY].tolist() == [0, 6, 0, 6]


def test_pay_share_needs_a_share():
    d = deal(share=1.5)
    with pytest.raises(MbsxlInputError, match=r"偿付顺序 Priority, row 22.*pay_share needs the share"):
        mbsxl.deal_flows(P3, d)
    with pytest.raises(MbsxlInputError, match=r"pay_share needs the share"):
        mbsxl.deal_flows(P3, deal(share=None))


def test_npl_pool_bad_input():
    with pytest.raises(MbsxlInputError, match="recoveries is not a table"):
        mbsxl.npl_pool([1.0, 2.0])
    tape = {"Principal": [10.0], "Collateral": [10.0], "Haircut": [0.0], "Stage": ["拍卖"]}
    with pytest.raises(MbsxlInputError, match=r"class_='C' is not a class"):
        mbsxl.npl_grid(tape, deal(), "C", [0.1], [0], stage_table={"拍卖": 1})
    with pytest.raises(MbsxlInputError, match=r"haircuts=1.5 is out of range"):
        mbsxl.npl_grid(tape, deal(), "A", [1.5], [0], stage_table={"拍卖": 1})


def test_npl_pool_through_the_deal_worksheet_functions():
    # MBS_NPLPOOL's table into MBS_DEALFLOWS keeps the costs and the expected path: the same three
    # periods as test_npl_waterfall_three_periods (costs 20, 10, 0; incentive 0, 20, 0)
    from mbsxl.excel.convert import to_excel
    from mbsxl.excel.functions import deal as xd
    from mbsxl.excel.functions import npl as xn
    rec = {C.NPL_GROSS: [400.0, 500.0, 300.0], C.NPL_COSTS: [20.0, 10.0, 0.0]}
    import pandas as pd
    table = to_excel(pd.DataFrame(rec))
    p = xn.MBS_NPLPOOL(table, [[350.0], [450.0], [300.0]], 2000.0)
    t = xd.MBS_DEALFLOWS(to_excel(p), deal(), "ledgers")
    fee = t[t[C.ACTION] == "pay_fee"]
    assert fee[fee[C.TARGET] == "处置费用"][C.AMOUNT].tolist() == [20.0, 10.0, 0.0]
    assert fee[fee[C.TARGET] == "超额奖励服务费"][C.AMOUNT].tolist() == [0.0, 20.0, 0.0]
