"""What a reviewer could not express in the deal table before (issue 19's closing note), each hand-worked.

Source of every figure: the schedules worked by hand in each test's comments from the rules of
mbsxl.deal.ledger (interest due = coupon / 12 x beginning balance under 30/360; days / 365 under
ACT/365); the mechanisms follow the practice cited in each test.  Pools are given as columns so each
period's cash is a round number.
"""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.deal import dealtable as dt
from mbsxl.errors import MbsxlInputError


def _pool(P, I, L=None, D=None, B0=100.0):
    T = len(P)
    return {C.TOTAL_PRINCIPAL: P, C.NET_INTEREST: I, C.LOSS: L or [0.0] * T, C.DEFAULT: D or [0.0] * T,
            C.BEGINNING_BALANCE: [B0] + [0.0] * (T - 1)}


def _cls(pool, deal, name, col, **kw):
    t = mbsxl.deal_flows(pool, deal, **kw)
    return [round(float(x), 9) for x in t[t[C.CLASS] == name][col]]


def _steps(pool, deal, ledger, action, **kw):
    t = mbsxl.deal_flows(pool, deal, "ledgers", **kw)
    return [round(float(x), 9) for x in t[(t[C.LEDGER] == ledger) & (t[C.ACTION] == action)][C.AMOUNT]]


def _events(pool, deal, name, col):
    t = mbsxl.deal_flows(pool, deal, "events")
    x = t[t[C.EVENT] == name][col]
    return [round(float(v), 9) for v in x] if col in (C.VALUE, C.THRESHOLD) else list(x)


LEDGERS = [["账户 Ledgers", "收入来源 receives"], ["income", "interest"], ["principal", "principal"]]
HEAD = ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]
EVENTS = ["事件 Events", "指标 measure", "对象 of", "比较 compare", "阈值 threshold", "连续期数 periods", "可恢复 cure",
          "转入状态 to"]


def test_excess_spread_event_below_a_threshold_switches_principal_to_sequential_and_cures():
    # 超额利差 (excess spread) as the rating agencies and the market define it: the pool's interest (net of
    # servicing) less the fees and the notes' interest accrued for the period (e.g. "Excess Interest
    # Spread", commercialloandirect.com glossary; S&P's U.S. RMBS cash-flow assumptions, 2008), here
    # annualised over the pool's balance.  Trigger: below 2% a year -> sequential, cures.
    # Pool 1000; A 800 at 6% (0.5% a month), Sub 200; servicing 1.2% a year of the pool (0.1% a month).
    # P1: pool 1000, fee 1.0, A interest 4.0, interest 8   -> (8-1-4)/1000 x 12 = 3.6% : normal, pro rata
    #     principal 100: A 80, Sub 20 (A 720, Sub 180).
    # P2: pool 900, fee 0.9, A 720 x 0.5% = 3.6, interest 5.4 -> 0.9/900 x 12 = 1.2% : sequential, A 100.
    # P3: pool 800, fee 0.8, A 620 x 0.5% = 3.1, interest 7.1 -> 3.2/800 x 12 = 4.8% : cured, pro rata by
    #     current balance: A 620/800 x 100 = 77.5, Sub 22.5.
    inc = [("pay_fee", "servicing"), ("pay_interest", "A"), ("pay_residual", "Sub")]
    deal = [["分档 Classes", "金额 balance", "利率 coupon"], ["A", 800, 0.06], ["Sub", 200, 0.0], [None],
            ["费用税收 Fees", "费率 rate"], ["servicing", 0.012], [None], *LEDGERS, [None], HEAD,
            *[["normal", "income", k, a, t, None] for k, (a, t) in enumerate(inc, 1)],
            ["normal", "principal", 1, "pay_principal", "A+Sub", None],
            *[["顺序 sequential", "income", k, a, t, None] for k, (a, t) in enumerate(inc, 1)],
            ["顺序 sequential", "principal", 1, "pay_principal", "A", None],
            ["顺序 sequential", "principal", 2, "pay_principal", "Sub", None], [None], EVENTS,
            ["xs", "超额利差", "A", "低于", 0.02, 1, "yes", "顺序 sequential"]]
    pool = _pool([100.0] * 3, [8.0, 5.4, 7.1], B0=1000.0)
    assert _events(pool, deal, "xs", C.VALUE) == [0.036, 0.012, 0.048]
    assert _events(pool, deal, "xs", C.STATUS) == ["normal", "顺序 sequential", "normal"]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [80.0, 100.0, 77.5]
    assert _cls(pool, deal, "Sub", C.PRINCIPAL) == [20.0, 0.0, 22.5]


def test_reserve_target_in_periods_of_next_period_senior_interest_and_its_shortfall_event():
    # 流动性储备账户: the required amount is a number of periods of the senior class's interest due on the
    # next payment date (the liquidity reserve sized "in months of senior interest" of the rating methods,
    # cf. S&P's Australian RMBS reports: "a liquidity reserve equal to 0.85% of the notes", and the
    # existing waterfall's reserve "months of senior interest").  Here 3 periods of A's next interest.
    # A 600 at 12% (1% a month), Sub 400; principal 100 and interest 10 a period.  The principal rows are
    # listed first, so the target counts A's balance after the period's principal.
    # P1: A 600 -> 500; interest 6, 4 left; target 3 x 500 x 1% = 15; fund 4 (reserve 4); residual 0;
    #     reserve shortfall at the end 15 - 4 = 11.
    # P2: A 500 -> 400; interest 5, 5 left; target 12; fund 5 (reserve 9); residual 0; shortfall 3.
    # P3: A 400 -> 300; interest 4, 6 left; target 9: fund 0, release 0; residual 6; shortfall 0.
    # P4: A 300 -> 200; interest 3, 7 left; target 6: fund 0, release 3 (income 10); residual 10.
    deal = [["分档 Classes", "金额 balance", "利率 coupon"], ["A", 600, 0.12], ["Sub", 400, 0.0], [None],
            ["账户 Ledgers", "收入来源 receives", "类型 type", "目标利息期数 interest_periods", "利息对象 interest_of"],
            ["income", "interest", None, None, None], ["principal", "principal", None, None, None],
            ["储备 reserve", "none", "储备账户", 3, "A"], [None], HEAD,
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "补足储备", "储备 reserve", None],
            ["normal", "income", 3, "释放储备", "储备 reserve", None], ["normal", "income", 4, "pay_residual", "Sub", None],
            [None], EVENTS, ["res_low", "储备不足", "储备 reserve", None, 0, 1, "yes", None]]
    pool = _pool([100.0] * 4, [10.0] * 4, B0=1000.0)
    assert _steps(pool, deal, "income", "fund_reserve") == [4.0, 5.0, 0.0, 0.0]
    assert _steps(pool, deal, "income", "release_reserve") == [0.0, 0.0, 0.0, 3.0]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [0.0, 0.0, 6.0, 10.0]
    assert _events(pool, deal, "res_low", C.VALUE) == [11.0, 3.0, 0.0, 0.0]
    assert _events(pool, deal, "res_low", C.EVENT_ON) == [1, 1, 0, 0]
    assert _events(pool, deal, "res_low", C.STATUS) == ["normal"] * 4       # no status change: a condition only


def test_reserve_target_counting_the_next_period_fees_and_senior_interest():
    # The Chinese RMBS liquidity reserve's required amount: the taxes, fees and senior interest payable on
    # the next payment date (必备流动性储备金额 = 下一个支付日应付的税费、费用和优先级证券利息之和); the
    # next period's fees estimated by this period's.  A 600 at 12% (1% a month), Sub 400; trustee 12 yuan
    # a year (1 a month); principal 100 and interest 10 a period, principal rows listed first.
    # P1: A 500; fee 1, interest 6, 3 left; target 1 x (500 x 1% + 1) = 6: fund 3, residual 0.
    # P2: A 400; fee 1, interest 5, 4 left; target 4 + 1 = 5, reserve 3: fund 2, residual 2.
    deal = [["Classes", "balance", "coupon"], ["A", 600, 0.12], ["Sub", 400, 0.0], [None],
            ["Fees", "rate", "base"], ["trustee", 12, "fixed"], [None],
            ["账户 Ledgers", "收入来源 receives", "类型 type", "目标利息期数 interest_periods", "利息对象 interest_of",
             "含费用 with_fees"],
            ["income", "interest", None, None, None, None], ["principal", "principal", None, None, None, None],
            ["储备 reserve", "none", "储备账户", 1, "A", "是"], [None], HEAD,
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            ["normal", "income", 1, "pay_fee", "trustee", None], ["normal", "income", 2, "pay_interest", "A", None],
            ["normal", "income", 3, "fund_reserve", "储备 reserve", None], ["normal", "income", 4, "pay_residual", "Sub", None]]
    pool = _pool([100.0] * 3, [10.0] * 3, B0=1000.0)
    assert _steps(pool, deal, "income", "fund_reserve")[:2] == [3.0, 2.0]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID)[:2] == [0.0, 2.0]
    bad = [r if r[:1] != ["储备 reserve"] else ["储备 reserve", "none", "储备账户", None, None, "是"] for r in deal]
    with pytest.raises(MbsxlInputError, match=r"账户 Ledgers, row 11, column with_fees: with_fees counts the fees"):
        dt.parse_deal(bad)


def test_reserve_target_a_ratio_of_the_senior_balance_with_a_floor():
    # "The reserve required amount is the greater of 10% of the class A balance and a floor" (the EMEA
    # reserve fund form, Fitch EMEA RMBS Cash Flow Analysis: amortising reserve with a floor).
    # A 80, Sub 20 (no coupons), principal 20 and interest 10 a period; principal rows listed first.
    # P1: A 60, target max(6, 5) = 6: fund 6, residual 4.  P2: A 40, target 5: release 1, residual 11.
    # P3: A 20, target 5: residual 10.  P4: A 0, target 5 (the floor): residual 10.
    # Ratio of the pool instead (5%): P1 pool 80 -> 4 funded, residual 6; P2 pool 60 -> 3, release 1.
    def deal(ratio_of, ratio, floor):
        return [["Classes", "balance", "coupon"], ["A", 80, 0.0], ["Sub", 20, 0.0], [None],
                ["账户 Ledgers", "收入来源 receives", "类型 type", "目标比例 target_ratio", "比例基数 ratio_of", "目标下限 floor"],
                ["income", "interest", None, None, None, None], ["principal", "principal", None, None, None, None],
                ["res", "none", "reserve", ratio, ratio_of, floor], [None], HEAD,
                ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
                ["normal", "income", 1, "fund_reserve", "res", None], ["normal", "income", 2, "release_reserve", "res", None],
                ["normal", "income", 3, "pay_residual", "Sub", None]]
    pool = _pool([20.0] * 5, [10.0] * 5)
    assert _steps(pool, deal("A", 0.1, 5), "income", "fund_reserve")[:4] == [6.0, 0.0, 0.0, 0.0]
    assert _steps(pool, deal("A", 0.1, 5), "income", "release_reserve")[:4] == [0.0, 1.0, 0.0, 0.0]
    assert _cls(pool, deal("A", 0.1, 5), "Sub", C.INTEREST_PAID)[:4] == [4.0, 11.0, 10.0, 10.0]
    assert _steps(pool, deal("pool", 0.05, None), "income", "fund_reserve")[:2] == [4.0, 0.0]
    assert _steps(pool, deal("pool", 0.05, None), "income", "release_reserve")[:2] == [0.0, 1.0]
    with pytest.raises(MbsxlInputError, match=r"账户 Ledgers, row 8, column ratio_of: 'A2': 'A2' is neither pool nor a class"):
        dt.parse_deal(deal("A2", 0.1, 5))


def _call_deal(*settings):
    return [["Classes", "balance", "coupon"], ["A", 90, 0.0], ["Sub", 10, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            [None], ["参数 Settings", "数值 value"], *[list(s) for s in settings]]


def test_clean_up_call_at_a_price_par_plus_accrued_and_on_or_after_a_period_or_date():
    # 清仓回购: the seller buys the remaining pool when it is at most 10% of the initial balance (the
    # Jianyuan 2007-1 prospectus term); the price may be below par, or par plus accrued interest; the
    # issuer's optional redemption on or after a date is the same purchase in a given period.
    # Pool 100, principal 50, 42, 8 and interest 1 a period.  P2 ends at 8 <= 10: called in P2.
    pool = _pool([50.0, 42.0, 8.0], [1.0] * 3)
    # price 0.98: 7.84 paid into principal, 42 + 7.84 = 49.84: A 40, Sub 9.84, Sub's 0.16 written off.
    low = _call_deal(["清仓回购 cleanup_call", 0.1], ["清仓回购价格 cleanup_price", 0.98])
    assert _cls(pool, low, "Sub", C.PRINCIPAL) == [0.0, 9.84, 0.0]
    assert _cls(pool, low, "Sub", C.LOSS) == [0.0, 0.16, 0.0]
    # par + accrued: 8 at par and its interest for the period at the pool's own yield, 8 x 1/50 = 0.16,
    # paid into the income ledger: Sub's residual 1.16, principal 50 (A 40, Sub 10), no loss.
    acc = _call_deal(["cleanup_call", 0.1], ["cleanup_price", "par_accrued"])
    assert _cls(pool, acc, "Sub", C.INTEREST_PAID) == [1.0, 1.16, 0.0]
    assert _cls(pool, acc, "Sub", C.PRINCIPAL) == [0.0, 10.0, 0.0]
    assert _cls(pool, acc, "Sub", C.LOSS) == [0.0, 0.0, 0.0]
    # Pool 50, 30, 20: P2 ends at 20.  call_period 2: called whatever the factor (A 40 + Sub 10 from 30 + 20).
    pool2 = _pool([50.0, 30.0, 20.0], [1.0] * 3)
    assert _cls(pool2, _call_deal(["call_period", 2]), "A", C.PRINCIPAL) == [50.0, 40.0, 0.0]
    # factor 25% met in P2 (20 <= 25) but not before period 3: P3 ends at 0, so no call; the pool runs out.
    late = _call_deal(["cleanup_call", 0.25], ["清仓回购起始期 cleanup_from", 3])
    assert mbsxl.deal_flows(pool2, late, "ledgers")[C.ACTION].eq(C.LEDGER_CALL_RELEASE).sum() == 0
    assert _cls(pool2, late, "Sub", C.PRINCIPAL) == [0.0, 0.0, 10.0]
    # the same as a date: payment dates 2024-01-26, 02-26, 03-26; on or after 02-20 is period 2 (called
    # there), on or after 02-27 is period 3 (not called)
    d1 = _call_deal(["cleanup_call", 0.25], ["cleanup_from", "2024-02-20"], ["首个支付日 first_payment_date", "2024-01-26"])
    d2 = _call_deal(["cleanup_call", 0.25], ["cleanup_from", "2024-02-27"], ["first_payment_date", "2024-01-26"])
    assert _cls(pool2, d1, "Sub", C.PRINCIPAL) == [0.0, 10.0, 0.0]
    assert _cls(pool2, d2, "Sub", C.PRINCIPAL) == [0.0, 0.0, 10.0]


def test_pro_rata_by_original_balance_against_current_balance():
    # Senior classes paid pro rata "in proportion to their original principal amounts" (pro rata by
    # original balance, 按初始本金比例) rather than their current balances; a class paid off passes its
    # share to the others.  A1 60, A2 40 (no coupon); losses write A2 down first (it is listed last).
    # P1: principal 10 -> A1 6, A2 4 (54, 36); loss 20 -> A2 16.
    # P2: principal 35 -> original: A1 0.6 x 35 = 21 (33), A2 14 (2); current: A1 54/70 x 35 = 27, A2 8.
    # P3: principal 25 -> original: A1 15, A2 10 capped at 2, the 8 left to A1: A1 23 (10), A2 2 (0).
    # P4: principal 10 -> A1 10.
    def deal(limit):
        return [["Classes", "balance", "coupon"], ["A1", 60, 0.0], ["A2", 40, 0.0], [None], *LEDGERS, [None], HEAD,
                ["normal", "income", 1, "release", None, None],
                ["normal", "principal", 1, "pay_principal", "A1+A2", limit]]
    pool = _pool([10.0, 35.0, 25.0, 10.0], [0.0] * 4, L=[20.0, 0.0, 0.0, 0.0])
    assert _cls(pool, deal("按初始比例"), "A1", C.PRINCIPAL) == [6.0, 21.0, 23.0, 10.0]
    assert _cls(pool, deal("original"), "A2", C.PRINCIPAL) == [4.0, 14.0, 2.0, 0.0]
    assert _cls(pool, deal(None), "A1", C.PRINCIPAL)[:2] == [6.0, 27.0]


def test_oc_step_down_to_the_subordinate_class_after_a_period_combined_with_and():
    # Step-down (S&P U.S. RMBS cash-flow assumptions, 2008: the senior enhancement must reach a multiple
    # before principal goes to the subordinate classes, not before the step-down date and only while no
    # trigger event is on): here the 超额抵押比例 of A above 30% AND not before period 4 -> subordinate paid
    # pro rata; cures.
    # A 80, Sub 20, pool 100, principal 20 a period; sequential before the step-down.
    # P1: OC (100-80)/100 = 20%: A 20 (60).  P2: (80-60)/80 = 25%: A 20 (40).  P3: (60-40)/60 = 33.3%
    # but period 3: A 20 (20).  P4: (40-20)/40 = 50%, period 4: pro rata A 20/40 x 20 = 10, Sub 10.
    # P5: (20-10)/20 = 50%: A 10, Sub 10.
    deal = [["Classes", "balance", "coupon"], ["A", 80, 0.0], ["Sub", 20, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            ["step-down", "income", 1, "pay_residual", "Sub", None],
            ["step-down", "principal", 1, "pay_principal", "A+Sub", None], [None], EVENTS,
            ["oc_pass", "超额抵押比例", "A", "above", 0.3, 1, "yes", None],
            ["after_3", "period", None, "above", 3.5, 1, "yes", None],
            ["step", "且", "oc_pass+after_3", None, None, 1, "yes", "step-down"]]
    pool = _pool([20.0] * 5, [1.0] * 5)
    assert _events(pool, deal, "oc_pass", C.VALUE) == pytest.approx([0.2, 0.25, 1 / 3, 0.5, 0.5])
    assert _events(pool, deal, "step", C.EVENT_ON) == [0, 0, 0, 1, 1]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [20.0, 20.0, 20.0, 10.0, 10.0]
    assert _cls(pool, deal, "Sub", C.PRINCIPAL) == [0.0, 0.0, 0.0, 10.0, 10.0]
    # and only while no trigger is on (均未 none): a cumulative default rate above 5% (6 defaulted in P4,
    # tested at the start of P4, no cure) stops the step-down from P4: A 20 in P4, Sub 20 in P5.
    guarded = deal[:-1] + [["trig", "累计违约率", None, "above", 0.05, 1, "no", None],
                           ["quiet", "均未", "trig", None, None, 1, "yes", None],
                           ["step", "all", "oc_pass+after_3+quiet", None, None, 1, "yes", "step-down"]]
    pool_d = _pool([20.0] * 5, [1.0] * 5, D=[0.0, 0.0, 0.0, 6.0, 0.0])
    assert _events(pool_d, guarded, "quiet", C.EVENT_ON) == [1, 1, 1, 0, 0]
    assert _cls(pool_d, guarded, "A", C.PRINCIPAL) == [20.0, 20.0, 20.0, 20.0, 0.0]
    assert _cls(pool_d, guarded, "Sub", C.PRINCIPAL) == [0.0, 0.0, 0.0, 0.0, 20.0]
    assert _cls(pool_d, deal, "Sub", C.PRINCIPAL) == [0.0, 0.0, 0.0, 10.0, 10.0]    # unguarded: steps down


def test_oc_target_senior_principal_amount_after_the_step_down():
    # The senior principal distribution amount of a step-down (S&P U.S. RMBS cash-flow assumptions, 2008:
    # after step-down each class keeps its credit enhancement; "senior balance less (1 - target CE) x
    # the pool balance", with an OC floor): A pays down to 60% of the pool's ending balance (oc_target
    # 40%), the rest of the principal goes to Sub, then anything left to A.  A 80, Sub 20, pool 100, principal 20 a period.
    # P1: pool ends 80, A's target 48: A pays min(20, 80 - 48) = 20 (60).  P2: pool 60, target 36: A 20 (40).
    # P3: pool 40, target 24: A 16 (24), Sub 4 (16); OC after (40 - 24)/40 = 40%.
    # P4: pool 20, target 12: A 12 (12), Sub 8 (8).  P5: pool 0, target 0: A 12, Sub 8.
    deal = [["Classes", "balance", "coupon", "目标超额抵押 oc_target"], ["A", 80, 0.0, 0.4], ["Sub", 20, 0.0, None],
            [None], *LEDGERS, [None], HEAD, ["normal", "income", 1, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", "超额抵押目标"],
            ["normal", "principal", 2, "pay_principal", "Sub", None], ["normal", "principal", 3, "pay_principal", "A", None]]
    pool = _pool([20.0] * 5, [1.0] * 5)
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [20.0, 20.0, 16.0, 12.0, 12.0]
    assert _cls(pool, deal, "Sub", C.PRINCIPAL) == [0.0, 0.0, 4.0, 8.0, 8.0]
    # with an OC floor of 10% of the initial pool (10): the target is min(0.6 x pool, pool - 10):
    # P3 min(24, 30) = 24 as before; P4 min(12, 10) = 10: A 14 (10), Sub 6 (10); P5 A 10, Sub 10.
    floored = [["Classes", "balance", "coupon", "oc_target", "超额抵押下限 oc_floor"], ["A", 80, 0.0, 0.4, 0.1],
               ["Sub", 20, 0.0, None, None]] + deal[3:]
    assert _cls(pool, floored, "A", C.PRINCIPAL) == [20.0, 20.0, 16.0, 14.0, 10.0]
    assert _cls(pool, floored, "Sub", C.PRINCIPAL) == [0.0, 0.0, 4.0, 6.0, 10.0]
    # a class without an oc_target is refused, naming the row
    bad = [r if r[:1] != ["A"] else ["A", 80, 0.0, None] for r in deal]
    with pytest.raises(MbsxlInputError, match=r"偿付顺序 Priority, row 11, column limit: limit oc: class A has no oc_target"):
        dt.parse_deal(bad)


def test_principal_deficiency_and_class_loss_events_combined_with_or():
    # A class's principal deficiency (本金亏损; the principal deficiency ledger of the EMEA rating
    # criteria, Fitch "EMEA RMBS Cash Flow Analysis") and its cumulative loss; either moves the deal to
    # a status that traps the income into the principal ledger (acting from the next period: both are
    # end-of-period measures).
    # A 80, Sub 20, pool 100; P1 principal 10, loss 15; P2 principal 10; interest 1 a period.
    # writedown none: after P1 A 70, Sub 20 (90) against a pool of 75: deficiency 15, Sub's 15, A's 0;
    #   P2 in "lock": income 1 moved to principal, A paid 11.
    # writedown loss: Sub written down 15 (loss 15/20 = 75%), no deficiency; same status in P2.
    def deal(wd):
        return [["Classes", "balance", "coupon"], ["A", 80, 0.0], ["Sub", 20, 0.0], [None], *LEDGERS, [None], HEAD,
                ["normal", "income", 1, "pay_residual", "Sub", None], ["normal", "principal", 1, "pay_principal", "A", None],
                ["normal", "principal", 2, "pay_principal", "Sub", None],
                ["lock", "income", 1, "transfer", "principal", "all"], ["lock", "principal", 1, "pay_principal", "A", None],
                ["lock", "principal", 2, "pay_principal", "Sub", None], [None], EVENTS,
                ["pdl_sub", "本金亏损", "Sub", None, 10, 1, None, None],
                ["pdl_a", "principal_deficiency", "A", None, 0, 1, None, None],
                ["loss_sub", "累计损失率", "Sub", None, 0.5, 1, None, None],
                ["lock", "或", "pdl_sub+loss_sub", None, None, 1, None, "lock"],
                [None], ["Settings", "value"], ["writedown", wd]]
    pool = _pool([10.0, 10.0], [1.0, 1.0], L=[15.0, 0.0], D=[15.0, 0.0])
    assert _events(pool, deal("none"), "pdl_sub", C.VALUE)[0] == 15.0
    assert _events(pool, deal("none"), "pdl_a", C.VALUE)[0] == 0.0
    assert _events(pool, deal("loss"), "loss_sub", C.VALUE)[0] == 0.75
    assert _events(pool, deal("loss"), "pdl_sub", C.VALUE)[0] == 0.0
    for wd in ("none", "loss"):
        assert _events(pool, deal(wd), "lock", C.STATUS) == ["normal", "lock"]
        assert _cls(pool, deal(wd), "A", C.PRINCIPAL) == [10.0, 11.0]


def test_averaged_delinquency_trigger_and_a_class_not_repaid_by_its_legal_final_period():
    # "The average 90+ delinquency ratio of the last three collection periods above x" (the rolling
    # average form of the delinquency trigger, S&P U.S. RMBS cash-flow assumptions, 2008: user-defined
    # delinquency triggers; 严重拖欠率 in Chinese deals) and the event of default "a class not repaid by
    # its legal final maturity" (违约事件: 优先级证券在法定到期日未获足额偿付): class factor above 0
    # after period 3 AND the period after it.
    # 90+ ratios 1%, 5%, 4%, 0%: averages 1%, 3%, 3.333%, 3%: above 3.2% in P3 only (cures).
    # A 80, Sub 20, pool 100, principal 20 a period sequential: A 60, 40, 20 after P1..P3 (factors 0.75,
    # 0.5, 0.25).  A's factor after P3 is 0.25 > 0 and the period test "above 3.5" is met at the start of
    # P4 -> default from P4: the merged order pays A and Sub pro rata, A 20/40 x 20 = 10 and Sub 10 in P4
    # (A's factor 10/80 = 0.125), A 10 and Sub 10 in P5 (0).
    deal = [["Classes", "balance", "coupon"], ["A", 80, 0.0], ["Sub", 20, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_residual", "Sub", None], ["normal", "principal", 1, "pay_principal", "A", None],
            ["normal", "principal", 2, "pay_principal", "Sub", None],
            ["违约 default", "principal", 1, "pay_principal", "A+Sub", None], ["违约 default", "income", 1, "release", None, None],
            [None], ["Events", "measure", "of", "compare", "threshold", "平均期数 average", "cure", "to"],
            ["dq3", "严重拖欠率", None, None, 0.032, 3, "yes", None],
            ["dq1", "严重拖欠率", None, None, 0.032, None, "yes", None],
            ["a_left", "证券余额比例", "A", None, 0, None, "yes", None],
            ["final_3", "period", None, None, 3.5, None, None, None],
            ["eod", "且", "a_left+final_3", None, None, None, None, "违约 default"]]
    pool = _pool([20.0] * 5, [1.0] * 5)
    kw = {"delinquency": [0.01, 0.05, 0.04, 0.0, 0.0]}
    ev = mbsxl.deal_flows(pool, deal, "events", **kw)
    dq3 = ev[ev[C.EVENT] == "dq3"]
    assert [round(x, 9) for x in dq3[C.VALUE]][:4] == [0.01, 0.03, 0.033333333, 0.03]
    assert list(dq3[C.EVENT_ON])[:4] == [0, 0, 1, 0]
    assert list(ev[ev[C.EVENT] == "dq1"][C.EVENT_ON])[:4] == [0, 1, 1, 0]
    assert list(ev[ev[C.EVENT] == "a_left"][C.VALUE]) == [0.75, 0.5, 0.25, 0.125, 0.0]
    assert list(ev[ev[C.EVENT] == "eod"][C.STATUS]) == ["normal"] * 3 + ["违约 default"] * 2
    assert _cls(pool, deal, "A", C.PRINCIPAL, **kw) == [20.0, 20.0, 20.0, 10.0, 10.0]
    assert _cls(pool, deal, "Sub", C.PRINCIPAL, **kw) == [0.0, 0.0, 0.0, 10.0, 10.0]
    # average on a combination is refused
    bad = deal[:-1] + [["eod", "且", "a_left+final_3", None, None, 2, None, "违约 default"]]
    with pytest.raises(MbsxlInputError, match=r"事件 Events, row 21, column average"):
        dt.parse_deal(bad)


def test_principal_deficiency_cured_from_income_before_the_residual():
    # The principal deficiency ledger cured from income (Fitch, EMEA RMBS Cash Flow Analysis: excess spread
    # credited to the PDL before anything reaches the subordinate class; 本金亏损补足), with no write-down.
    # A 80, Sub 20, pool 100.  P1: principal 10, loss 15, interest 12; at the income step the classes
    # owe 100 against a pool of 75 and 10 in the principal ledger: deficiency 15, income moves 12;
    # residual 0; A paid 22 (58).  P2: principal 10, interest 5: 78 - 65 - 10 = 3 moved, residual 2;
    # A paid 13 (45).  P3: principal 65: A 45, Sub 20; nobody loses (without the step Sub loses 15).
    deal = [["Classes", "balance", "coupon"], ["A", 80, 0.0], ["Sub", 20, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "transfer", "principal", "本金亏损补足"],
            ["normal", "income", 2, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            [None], ["Settings", "value"], ["writedown", "none"]]
    pool = _pool([10.0, 10.0, 65.0], [12.0, 5.0, 0.0], L=[15.0, 0.0, 0.0], D=[15.0, 0.0, 0.0])
    assert _steps(pool, deal, "income", "transfer") == [12.0, 3.0, 0.0]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [22.0, 13.0, 45.0]
    assert _cls(pool, deal, "Sub", C.CASH_FLOW) == [0.0, 2.0, 20.0]
    assert _cls(pool, deal, "Sub", C.LOSS) == [0.0, 0.0, 0.0]
    plain = [r for r in deal if not (len(r) > 3 and r[3] == "transfer")]
    assert _cls(pool, plain, "Sub", C.LOSS) == [0.0, 0.0, 15.0]


def test_coupon_stepping_up_after_the_optional_redemption_date():
    # A coupon (or spread) schedule: the step-up of a class not called at its optional redemption date
    # (EMEA RMBS practice, e.g. the margin doubling after the call date).  A 100 at 12% in periods 1-2,
    # 24% from period 3 (1% then 2% a month); principal 20 a period.
    # Interest due: 100 x 1% = 1, 80 x 1% = 0.8, 60 x 2% = 1.2, 40 x 2% = 0.8.
    deal = [["Classes", "balance", "coupon"], ["A", 100, "a_step"], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "release", None, None],
            ["normal", "principal", 1, "pay_principal", "A", None], [None],
            ["计划 Schedules", "起始期 from", "结束期 to", "数值 value"], ["a_step", 1, 2, 0.12], ["a_step", 3, None, 0.24]]
    pool = _pool([20.0] * 4 + [20.0], [5.0] * 5)
    assert _cls(pool, deal, "A", C.INTEREST_DUE)[:4] == [1.0, 0.8, 1.2, 0.8]
    assert _cls(pool, deal, "A", C.COUPON)[:4] == [0.12, 0.12, 0.24, 0.24]
    bad = [r if r[:1] != ["a_step"] or r[1] != 3 else ["a_step", 3, None, 24] for r in deal]
    with pytest.raises(MbsxlInputError, match=r"计划 Schedules, row 15, column value: coupon schedule 'a_step' has 24"):
        dt.parse_deal(bad)


def test_floating_coupon_with_a_cap_and_a_floor():
    # A floating class's coupon capped and floored (an interest-rate cap / floor on index + spread, e.g. a
    # net-WAC cap).  A 100, LPR + 0.5%, cap 4.5%, floor 4%; index 3.5%, 4.5%, 3.0%: coupons 4%, 4.5%
    # (5% capped), 4% (3.5% floored); interest due 100 x 4%/12 = 0.333333333, then on 80: 0.3, on 60: 0.2.
    deal = [["Classes", "balance", "coupon", "rate_type", "利率上限 coupon_cap", "利率下限 coupon_floor"],
            ["A", 100, 0.005, "浮动", 0.045, 0.04], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "release", None, None],
            ["normal", "principal", 1, "pay_principal", "A", None]]
    pool = _pool([20.0] * 3, [1.0] * 3)
    kw = {"index": [0.035, 0.045, 0.03]}
    assert _cls(pool, deal, "A", C.COUPON, **kw) == [0.04, 0.045, 0.04]
    assert _cls(pool, deal, "A", C.INTEREST_DUE, **kw) == [0.333333333, 0.3, 0.2]
    bad = [r if r[:1] != ["A"] else ["A", 100, 0.005, "浮动", 0.03, 0.04] for r in deal]
    with pytest.raises(MbsxlInputError, match=r"分档 Classes, row 2, column coupon_floor: 0.04 is above the coupon cap 0.03"):
        dt.parse_deal(bad)


def test_interest_on_unpaid_interest_and_on_unpaid_fees():
    # A carried shortfall accruing at the class coupon (interest on unpaid interest: carry compound, the
    # interest_on_shortfall of mbsxl.tranches), and an unpaid fee earning an arrears rate (欠付利率).
    # A 100 at 12% (1% a month); trustee 12 yuan a year (1 a month), unpaid fee earning 12% a year.
    # P1: interest 0.5: fee 0.5 of 1 (0.5 carried); A 0 of 1 (1 carried).
    # P2: nothing: fee 1 + 0.5 x 1.01 = 1.505; A 1 + 1 x 1.01 = 2.01.
    # P3: interest 5: fee 1 + 1.505 x 1.01 = 2.52005 paid; A due 1 + 2.01 x 1.01 = 3.0301, paid 2.47995.
    deal = [["Classes", "balance", "coupon", "carry"], ["A", 100, 0.12, "compound"], [None],
            ["Fees", "rate", "base", "欠付利率 arrears_rate"], ["trustee", 12, "fixed", 0.12], [None], *LEDGERS,
            [None], HEAD, ["normal", "income", 1, "pay_fee", "trustee", None], ["normal", "income", 2, "pay_interest", "A", None],
            ["normal", "principal", 1, "pay_principal", "A", None]]
    pool = _pool([0.0, 0.0, 100.0], [0.5, 0.0, 5.0])
    assert _steps(pool, deal, "income", "pay_fee") == [0.5, 0.0, 2.52005]
    assert _cls(pool, deal, "A", C.INTEREST_DUE) == [1.0, 2.01, 3.0301]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.0, 0.0, 2.47995]
    # carried without interest (carry yes, no arrears rate): fee 1, 1.5, 2.5; A due 1, 2, 3
    plain = [[c if c != "compound" else "yes" for c in r] for r in deal]
    plain[4] = ["trustee", 12, "fixed", 0.0]
    assert _steps(pool, plain, "income", "pay_fee") == [0.5, 0.0, 2.5]
    assert _cls(pool, plain, "A", C.INTEREST_DUE) == [1.0, 2.0, 3.0]


def test_quarterly_payment_dates_over_monthly_collections_act_365():
    # Chinese interbank ABS accrue ACT/365 between payment dates; many RMBS pay quarterly on monthly
    # collections (collections held in the trust account until the payment date).
    # Closing 2024-01-01, first payment 2024-03-26, quarterly: months end 01-26, 02-26, 03-26, 04-26,
    # 05-26, 06-26, i.e. 25, 31, 29 (2024 is a leap year), 31, 30, 31 days; quarters of 85 and 92 days.
    # Pool 100, principal 10 and interest 1 a month.  A 80 at 3.65% (0.01% a day), Sub 20.
    # Fee 3.65% a year on the pool's balance of each month: 100 x 25 + 90 x 31 + 80 x 29 = 7610 x 0.0001
    # = 0.761; then 70 x 31 + 60 x 30 + 50 x 31 = 5520 -> 0.552.
    # Q1 (month 3): A 80 x 85 x 0.0001 = 0.68, principal 30 (A 50); Sub 3 - 0.761 - 0.68 = 1.559.
    # Q2 (month 6): A 50 x 92 x 0.0001 = 0.46, principal 30 (A 20); Sub 3 - 0.552 - 0.46 = 1.988.
    deal = [["Classes", "balance", "coupon"], ["A", 80, 0.0365], ["Sub", 20, 0.0], [None],
            ["Fees", "rate"], ["trustee", 0.0365], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_fee", "trustee", None], ["normal", "income", 2, "pay_interest", "A", None],
            ["normal", "income", 3, "pay_residual", "Sub", None], ["normal", "principal", 1, "pay_principal", "A", None],
            [None], ["参数 Settings", "数值 value"], ["支付频率 payment_frequency", 3], ["计息基准 day_count", "ACT/365"],
            ["起息日 closing_date", "2024-01-01"], ["首个支付日 first_payment_date", "2024-03-26"]]
    pool = _pool([10.0] * 6, [1.0] * 6)
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.0, 0.0, 0.68, 0.0, 0.0, 0.46]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [0.0, 0.0, 30.0, 0.0, 0.0, 30.0]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [0.0, 0.0, 1.559, 0.0, 0.0, 1.988]
    assert _steps(pool, deal, "income", "pay_fee") == [0.761, 0.552]
    t = mbsxl.deal_flows(pool, deal, "ledgers")
    held = t[(t[C.LEDGER] == "income") & (t[C.ACTION] == C.LEDGER_ENDING)][C.AMOUNT]
    assert [round(float(x), 9) for x in held] == [1.0, 2.0, 0.0, 1.0, 2.0, 0.0]     # held to the payment date
    # the dates as Excel serials (a recalculated workbook's cells): 45292 = 2024-01-01, 45377 = 2024-03-26
    serial = [r if r[:1] not in (["起息日 closing_date"], ["首个支付日 first_payment_date"]) else
              [r[0], 45292 if "closing" in r[0] else 45377.0] for r in deal]
    assert _cls(pool, serial, "A", C.INTEREST_PAID) == [0.0, 0.0, 0.68, 0.0, 0.0, 0.46]
    # 30/360 quarterly: A 80 x 3.65% x 3/12 = 0.73 a quarter on 80
    d30 = [r for r in deal if not (r and r[0] in ("计息基准 day_count",))]
    assert _cls(pool, d30, "A", C.INTEREST_PAID)[2] == 0.73


def test_act_365_monthly_from_the_trust_delivery_date_with_a_long_first_period():
    # 兴元 2018 年第四期个人住房抵押贷款资产支持证券发行说明书 (as quoted at wanglu.net/thread/t12-55464-0):
    # the securities accrue from the trust delivery date 2018-12-13, are paid monthly (按月付息) on the
    # 26th, first on 2019-01-26, interest on the period's beginning balance; the interbank market counts
    # ACT/365.  A 100 at 3.65% (0.01% a day): 2018-12-13 -> 2019-01-26 is 44 days (0.44), then 31 (on 90:
    # 0.279), 28 (on 80: 0.224); principal 10 a month.
    deal = [["Classes", "balance", "coupon"], ["A", 100, 0.0365], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "release", None, None],
            ["normal", "principal", 1, "pay_principal", "A", None], [None], ["Settings", "value"],
            ["day_count", "ACT/365"], ["起息日 closing_date", "2018-12-13"], ["首个支付日 first_payment_date", "2019-01-26"]]
    pool = _pool([10.0] * 3, [1.0] * 3)
    assert _cls(pool, deal, "A", C.INTEREST_DUE) == [0.44, 0.279, 0.224]


@pytest.mark.parametrize("block_rows, words", [
    ([[None], EVENTS, ["e1", "all", "e0+e9", None, None, 1, None, "acc"]], ["事件 Events", "column of", "'e0'"]),
    ([[None], EVENTS, ["e1", "period", None, None, 3, 1, None, "acc"], ["e2", "any", "e1", None, 1, 1, None, "acc"]],
     ["事件 Events", "column threshold", "leave threshold empty"]),
    ([[None], EVENTS, ["e1", "excess_spread", "A9", "below", 0.02, 1, None, "acc"]], ["事件 Events", "column of", "'A9'"]),
    ([[None], EVENTS, ["e1", "reserve_shortfall", "income", None, 0, 1, None, "acc"]],
     ["事件 Events", "column of", "reserve ledger", "'income'"]),
    ([[None], EVENTS, ["e1", "pool_factor", "A", "below", 0.1, 1, None, "acc"]], ["事件 Events", "column of", "'A'"]),
    ([[None], EVENTS, ["e1", "period", None, None, 3, 1, None, "acc"], ["e1", "period", None, None, 4, 1, None, "acc"]],
     ["事件 Events", "listed twice", "'e1'"]),
    ([[None], ["Settings", "value"], ["cleanup_price", 3]], ["参数 Settings", "column value", "3 is outside"]),
    ([[None], ["Settings", "value"], ["payment_frequency", 4]], ["参数 Settings", "payment_frequency 4"]),
    ([[None], ["Settings", "value"], ["cleanup_from", 2.5]], ["参数 Settings", "cleanup_from 2.5"]),
    ([[None], ["Settings", "value"], ["day_count", "ACT/365"]], ["参数 Settings", "closing_date", "first_payment_date"]),
    ([[None], ["Settings", "value"], ["day_count", "act/366"]], ["参数 Settings", "day_count", "'act/366'"]),
    ([[None], ["Settings", "value"], ["call_period", "2024-05-01"]], ["参数 Settings", "call_period", "2024-05-01"]),
    ([[None], ["Fees", "rate", "arrears_rate"], ["f", 0.01, 12]], ["费用税收 Fees", "column arrears_rate", "12"]),
    ([[None], ["Fees", "rate", "carry", "arrears_rate"], ["f", 0.01, "no", 0.1]], ["费用税收 Fees", "carry is no"]),
])
def test_refused_naming_block_row_and_value(block_rows, words):
    deal = [["Classes", "balance", "coupon"], ["A", 80, 0.05], ["Sub", 20, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "principal", 1, "pay_principal", "A", None],
            ["acc", "income", 1, "transfer", "principal", "all"], ["acc", "principal", 1, "pay_principal", "A", None],
            *block_rows]
    with pytest.raises(MbsxlInputError) as e:
        dt.parse_deal(deal)
    msg = str(e.value)
    assert "row" in msg
    for w in words:
        assert w in msg, (w, msg)


@pytest.mark.parametrize("ledger_row, limit, words", [
    (["income2", "none", None, 3, "A"], None, ["账户 Ledgers", "row 5", "interest_periods", "not a reserve"]),
    (["res", "none", "reserve", 3, None], None, ["账户 Ledgers", "row 5", "interest_of", "A1+A2"]),
    (["res", "none", "reserve", 3, "A7"], None, ["账户 Ledgers", "row 5", "interest_of", "'A7'"]),
    (["res", "none", "reserve", -1, "A"], None, ["账户 Ledgers", "row 5", "interest_periods", "-1"]),
    (["res", "none", "reserve", None, None], "original", ["偿付顺序 Priority", "column limit", "'original'"]),
])
def test_reserve_interest_target_and_limit_original_refused(ledger_row, limit, words):
    deal = [["Classes", "balance", "coupon"], ["A", 100, 0.05], [None],
            ["Ledgers", "receives", "type", "interest_periods", "interest_of"], ledger_row,
            ["income", "interest", None, None, None], ["principal", "principal", None, None, None], [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", limit], ["normal", "principal", 1, "pay_principal", "A", None]]
    with pytest.raises(MbsxlInputError) as e:
        dt.parse_deal(deal)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
