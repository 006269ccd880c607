"""Each action and event of the deal table, hand-worked (issue 19).  Source of every figure: the
schedules worked by hand in each test's comments from the rules of mbsxl.deal.ledger (months of 30/360,
interest due = coupon / 12 x beginning balance); pools are given as columns so each period's cash is a
round number."""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.deal import ledger as lg


def _pool(P, I, L=None, D=None, B0=100.0):
    T = len(P)
    return {C.TOTAL_PRINCIPAL: P, C.NET_INTEREST: I, C.LOSS: L or [0.0] * T, C.DEFAULT: D or [0.0] * T,
            C.BEGINNING_BALANCE: [B0] + [0.0] * (T - 1)}


def _cls(pool, deal, name, col, **kw):
    t = mbsxl.deal_flows(pool, deal, **kw)
    return [round(float(x), 9) for x in t[t[C.CLASS] == name][col]]


def _steps(pool, deal, ledger, action, target=None, **kw):
    t = mbsxl.deal_flows(pool, deal, "ledgers", **kw)
    sel = (t[C.LEDGER] == ledger) & (t[C.ACTION] == action)
    if target is not None:
        sel &= t[C.TARGET] == target
    return [round(float(x), 9) for x in t[sel][C.AMOUNT]]


LEDGERS = [["账户 Ledgers", "收入来源 receives", "类型 type", "目标 target", "初始余额 initial"],
           ["income", "interest", None, None, None], ["principal", "principal", None, None, None]]
HEAD = ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]


def test_vat_inclusive_with_surcharge_and_a_capped_fee():
    # VAT 3% on a tax-inclusive base: 10.30 x 0.03 / 1.03 = 0.30, + 12% surcharges = 0.336 a period.
    # Trustee fee 12% a year on the pool's beginning balance: period 1 100 x 1% = 1.0, cap 0.5 a period:
    # step 2 pays 0.5, step 4 (after A's interest) pays the other 0.5; period 2 50 x 1% = 0.5 (all capped).
    # A (80, 12%): interest 0.8, then 30 x 1% = 0.3.  Residual to Sub: 10.3 - .336 - .5 - .8 - .5 = 8.164;
    # period 2: 10.3 - .336 - .5 - .3 = 9.164.  Principal 50, 50: A 50; A 30 and Sub 20.
    deal = [["分档 Classes", "金额 balance", "利率 coupon"], ["A", 80, 0.12], ["Sub", 20, 0.0], [None],
            ["费用税收 Fees", "费率 rate", "基数 base", "含税 inclusive", "附加 surcharge", "上限 cap"],
            ["增值税 VAT", 0.03, "interest", "yes", 0.12, None], ["trustee", 0.12, "pool_balance", None, None, 0.5],
            [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_tax", "增值税 VAT", None], ["normal", "income", 2, "pay_fee", "trustee", "cap"],
            ["normal", "income", 3, "pay_interest", "A", None], ["normal", "income", 4, "pay_fee", "trustee", None],
            ["normal", "income", 5, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None]]
    pool = _pool([50.0, 50.0], [10.3, 10.3])
    assert _steps(pool, deal, "income", "pay_tax") == [0.336, 0.336]
    assert _steps(pool, deal, "income", "pay_fee") == [0.5, 0.5, 0.5, 0.0]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.8, 0.3]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [8.164, 9.164]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [50.0, 30.0]
    assert _cls(pool, deal, "Sub", C.PRINCIPAL) == [0.0, 20.0]


def test_default_cover_moves_new_defaults_to_principal_before_the_residual():
    # Pool: defaults 10 in period 1 (lost in full), principal 40, 50, interest 6, 5; A 90, Sub 10, no coupon,
    # no write-down (losses are what is owed at the end).  Income step 1 moves the defaults to principal:
    # period 1 only 6 of 10 (4 carried), residual 0; principal 40 + 6 = 46 to A (44 left).
    # Period 2: the 4 carried, residual 1; principal 50 + 4 = 54: A 44, Sub 10.  Nobody loses.
    deal = [["Classes", "balance", "coupon"], ["A", 90, 0.0], ["Sub", 10, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "transfer", "principal", "违约本金"],
            ["normal", "income", 2, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None],
            [None], ["Settings", "value"], ["writedown", "none"]]
    pool = _pool([40.0, 50.0], [6.0, 5.0], L=[10.0, 0.0], D=[10.0, 0.0])
    assert _steps(pool, deal, "income", "transfer") == [6.0, 4.0]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [46.0, 44.0]
    assert _cls(pool, deal, "Sub", C.CASH_FLOW) == [0.0, 11.0]
    assert _cls(pool, deal, "Sub", C.LOSS) == [0.0, 0.0]
    # without the cover step Sub loses its 10 at the end (written off in the last period) and the residual is 11
    plain = [r for r in deal if not (len(r) > 3 and r[3] == "transfer")]
    assert _cls(pool, plain, "Sub", C.LOSS) == [0.0, 10.0]
    assert _cls(pool, plain, "Sub", C.INTEREST_PAID) == [6.0, 5.0]


def test_principal_used_for_senior_interest_is_repaid_from_income():
    # A 90 at 12% (due 0.9), Sub 10.  Period 1: income 0.4 pays A 0.4; the principal ledger pays the other
    # 0.5 (borrowed 0.5) then 9.5 of principal (A 80.5).  Period 2: A due 80.5 x 1% = 0.805; income 3 pays
    # it, repays the 0.5 borrowed to principal, residual 1.695; principal 10 + 0.5 = 10.5 to A (70 left).
    deal = [["Classes", "balance", "coupon"], ["A", 90, 0.12], ["Sub", 10, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "transfer", "principal", "borrowed"],
            ["normal", "income", 3, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_interest", "A", None], ["normal", "principal", 2, "pay_principal", "A", None],
            ["normal", "principal", 3, "pay_principal", "Sub", None]]
    pool = _pool([10.0, 10.0], [0.4, 3.0])
    assert _steps(pool, deal, "principal", "pay_interest") == [0.5, 0.0]
    assert _steps(pool, deal, "income", "transfer") == [0.0, 0.5]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.9, 0.805]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [9.5, 10.5]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [0.0, 1.695]
    assert _cls(pool, deal, "A", C.SHORTFALL) == [0.0, 0.0]


def test_reserve_funded_drawn_by_the_shortfall_and_released_above_its_target():
    # A 90 at 12% (due 0.9 a period), Sub 10; reserve target 2.0 in periods 1-2, 0.5 from period 3.
    # P1: income 4: A 0.9, draw 0, fund 2.0, release 0, residual 1.1.
    # P2: income 0.5: A 0.5 (0.4 short), draw 0.4 (reserve 1.6), A again 0.4, fund 0 (nothing left), residual 0.
    # P3: income 3: A 0.9, fund 0 (1.6 above 0.5), release 1.1, residual 2.1 + 1.1 = 3.2.
    # P4: income 3: A 0.9, residual 2.1; principal 100: A 90, Sub 10.  Reserve ends at 0.5.
    deal = [["Classes", "balance", "coupon"], ["A", 90, 0.12], ["Sub", 10, 0.0], [None],
            ["Schedules", "from", "to", "value"], ["res_target", 1, 2, 2.0], ["res_target", 3, None, 0.5], [None],
            *LEDGERS, ["reserve", "none", "reserve", "res_target", 0.0], [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "draw_reserve", "reserve", None],
            ["normal", "income", 3, "pay_interest", "A", None], ["normal", "income", 4, "fund_reserve", "reserve", None],
            ["normal", "income", 5, "release_reserve", "reserve", None], ["normal", "income", 6, "pay_residual", "Sub", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "Sub", None]]
    pool = _pool([0.0, 0.0, 0.0, 100.0], [4.0, 0.5, 3.0, 3.0])
    assert _steps(pool, deal, "income", "draw_reserve") == [0.0, 0.4, 0.0, 0.0]
    assert _steps(pool, deal, "income", "fund_reserve") == [2.0, 0.0, 0.0, 0.0]
    assert _steps(pool, deal, "income", "release_reserve") == [0.0, 0.0, 1.1, 0.0]
    assert _steps(pool, deal, "reserve", C.LEDGER_ENDING) == [2.0, 1.6, 0.5, 0.5]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.9, 0.9, 0.9, 0.9]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [1.1, 0.0, 3.2, 2.1]


def test_target_schedule_pass_through_and_pro_rata_interest():
    # A1 60 on 固定摊还 targets 40, 20, 0; A2 40 pass-through; both 12%.  Principal 30, 30, 40:
    # P1 A1 20 (to 40), A2 10; P2 A1 20, A2 10; P3 A1 20, A2 20.
    # Interest as one group (pro rata by due): P1 due A1 0.6, A2 0.4, income 0.5 -> 0.3, 0.2 (shortfalls
    # 0.3, 0.2 carried); P2 due A1 0.4 + 0.3 = 0.7, A2 0.3 + 0.2 = 0.5, income 1.2 pays both.
    deal = [["Classes", "balance", "coupon", "schedule"], ["A1", 60, 0.12, "a1"], ["A2", 40, 0.12, None], [None],
            ["Schedules", "from", "to", "value"], ["a1", 1, 1, 40], ["a1", 2, 2, 20], ["a1", 3, None, 0], [None],
            *LEDGERS, [None], HEAD, ["normal", "income", 1, "pay_interest", "A1+A2", None],
            ["normal", "principal", 1, "pay_principal", "A1", "target"], ["normal", "principal", 2, "pay_principal", "A2", None],
            ["normal", "principal", 3, "pay_principal", "A1", None]]
    pool = _pool([30.0, 30.0, 40.0], [0.5, 1.2, 0.0])
    assert _cls(pool, deal, "A1", C.PRINCIPAL) == [20.0, 20.0, 20.0]
    assert _cls(pool, deal, "A2", C.PRINCIPAL) == [10.0, 10.0, 20.0]
    assert _cls(pool, deal, "A1", C.INTEREST_PAID)[:2] == [0.3, 0.7]
    assert _cls(pool, deal, "A2", C.INTEREST_PAID)[:2] == [0.2, 0.5]
    assert _cls(pool, deal, "A1", C.SHORTFALL)[:2] == [0.3, 0.0]


def _event_deal(threshold, periods=1, cure="no"):
    # normal: principal pro rata A+B (50/50); 加速清偿 accelerated: A then B.
    return [["Classes", "balance", "coupon"], ["A", 50, 0.0], ["B", 50, 0.0], [None],
            ["Schedules", "from", "to", "value"], ["cdr_limit", 1, 2, 0.015], ["cdr_limit", 3, None, 0.05], [None],
            *LEDGERS, [None], HEAD,
            ["normal", "principal", 1, "pay_principal", "A+B", None],
            ["加速清偿", "principal", 1, "pay_principal", "A", None], ["加速清偿", "principal", 2, "pay_principal", "B", None],
            [None], ["事件 Events", "指标 measure", "比较 compare", "阈值 threshold", "连续期数 periods", "可恢复 cure", "转入状态 to"],
            ["加速清偿事件", "累计违约率", "高于", threshold, periods, cure, "加速清偿"]]


def test_cumulative_default_event_with_a_threshold_schedule_consecutive_periods_and_cure():
    # Defaults 1 a period on a pool of 100: cumulative rate 1%, 2%, 3%, 3%.  Threshold 1.5% in periods
    # 1-2, 5% from 3: in breach in period 2 only.  Principal 20 a period.
    pool = _pool([20.0] * 4, [0.0] * 4, D=[1.0, 1.0, 1.0, 0.0])
    ev = mbsxl.deal_flows(pool, _event_deal("cdr_limit"), "events")
    assert [round(x, 9) for x in ev[C.VALUE]] == [0.01, 0.02, 0.03, 0.03]
    assert list(ev[C.THRESHOLD]) == [0.015, 0.015, 0.05, 0.05]
    # no cure: on from period 2 to the end; principal switches to sequential in the crossing period
    assert list(ev[C.EVENT_ON]) == [0, 1, 1, 1]
    assert list(ev[C.STATUS]) == ["normal", "加速清偿", "加速清偿", "加速清偿"]
    assert _cls(pool, _event_deal("cdr_limit"), "A", C.PRINCIPAL) == [10.0, 20.0, 20.0, 0.0]
    # cure: off again in period 3 (3% < 5%), back to pro rata: A 50-10-20 = 20 and B 40 split 20/40 of 20
    cured = _event_deal("cdr_limit", cure="yes")
    assert list(mbsxl.deal_flows(pool, cured, "events")[C.EVENT_ON]) == [0, 1, 0, 0]
    assert _cls(pool, cured, "A", C.PRINCIPAL) == pytest.approx([10.0, 20.0, 20 * 20 / 60, 20 * (20 - 20 / 3) / (60 - 20)])
    # two consecutive periods needed: never (breach in period 2 only)
    assert list(mbsxl.deal_flows(pool, _event_deal("cdr_limit", periods=2), "events")[C.EVENT_ON]) == [0, 0, 0, 0]
    # a plain number: 2.5% is first exceeded in period 3
    assert list(mbsxl.deal_flows(pool, _event_deal(0.025), "events")[C.EVENT_ON]) == [0, 0, 1, 1]


def test_event_of_default_on_senior_interest_switches_to_the_merged_order():
    # A 50 at 12% (due 0.5), B 50 at 12%.  Normal: income pays A, then B interest; principal pays A then B.
    # 违约事件 when A's unpaid interest after a period is above 0 (acting from the next period):
    # merged order = principal ledger moves all its cash to income first, then A interest, A principal,
    # B interest, B principal.  Income 0.3, 3, 3; principal 10 a period.
    # P1 normal: A paid 0.3 (0.2 short, carried); principal A 10.  Event on at the end of P1.
    # P2 default: all 10 + 3 in income: A due 40 x 1% + 0.2 = 0.6, A principal 12.4 (27.6 left), B 0.
    # P3: 13: A due 0.276 -> principal 12.724 (14.876 left); B due 0.5 + 0.5 + 0.5 carried = 1.5, nothing left.
    deal = [["Classes", "balance", "coupon"], ["A", 50, 0.12], ["B", 50, 0.12], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_interest", "A", None], ["normal", "income", 2, "pay_interest", "B", None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "B", None],
            ["违约", "principal", 1, "transfer", "income", "all"],
            ["违约", "income", 1, "pay_interest", "A", None], ["违约", "income", 2, "pay_principal", "A", None],
            ["违约", "income", 3, "pay_interest", "B", None], ["违约", "income", 4, "pay_principal", "B", None],
            [None], ["Events", "measure", "of", "threshold", "to"], ["违约事件", "interest_shortfall", "A", 0, "违约"]]
    pool = _pool([10.0] * 3, [0.3, 3.0, 3.0])
    ev = mbsxl.deal_flows(pool, deal, "events")
    assert list(ev[C.STATUS]) == ["normal", "违约", "违约"]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.3, 0.6, 0.276]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [10.0, 12.4, 12.724]
    assert _cls(pool, deal, "B", C.INTEREST_PAID) == [0.0, 0.0, 0.0]
    assert _cls(pool, deal, "B", C.SHORTFALL) == [0.5, 1.0, 1.5]


def test_pool_factor_below_and_the_clean_up_call():
    # Pool 100, principal 30 a period: beginning factors 1.0, 0.7, 0.4, 0.1.  An event "pool factor below 0.5"
    # (start of period) is on from period 3.  Clean-up call at 10%: period 3 ends at 10 <= 10 -> the 10 is
    # bought at par and paid as principal in period 3 (40 in all); period 4 is zeros.
    deal = [["Classes", "balance", "coupon"], ["A", 100, 0.0], [None], *LEDGERS, ["spare", "none"], [None], HEAD,
            ["normal", "principal", 1, "pay_principal", "A", None], ["low", "principal", 1, "pay_principal", "A", None],
            [None], ["Events", "measure", "compare", "threshold", "to"], ["small", "pool_factor", "below", 0.5, "low"],
            [None], ["参数 Settings", "数值 value"], ["清仓回购", 0.1]]
    pool = _pool([30.0] * 4, [0.0] * 4)
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [30.0, 30.0, 40.0, 0.0]
    ev = mbsxl.deal_flows(pool, deal, "events")
    assert list(ev[C.EVENT_ON]) == [0, 0, 1]                 # no rows after the call
    assert list(ev[C.STATUS]) == ["normal", "normal", "low"]


def test_losses_written_down_bottom_up_and_a_fixed_fee_and_release():
    # A 60, B 40, no coupon; pool loss 50 in period 1 and principal 50: A is paid 50 (10 left), the loss
    # writes B off (40) then A by 10.  A fixed fee of 12 yuan a year = 1 a period; income 3: fee 1, 2 released.
    deal = [["Classes", "balance", "coupon"], ["A", 60, 0.0], ["B", 40, 0.0], [None],
            ["Fees", "rate", "base"], ["audit", 12, "fixed"], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_fee", "audit", None], ["normal", "income", 2, "release", None, None],
            ["normal", "principal", 1, "pay_principal", "A", None], ["normal", "principal", 2, "pay_principal", "B", None]]
    pool = _pool([50.0], [3.0], L=[50.0])
    assert _cls(pool, deal, "A", C.LOSS) == [10.0]
    assert _cls(pool, deal, "B", C.LOSS) == [40.0]
    assert _steps(pool, deal, "income", "pay_fee") == [1.0]
    assert _steps(pool, deal, "income", "release") == [2.0]


def test_engine_refuses_to_return_a_run_that_loses_cash(monkeypatch):
    """The conservation check is live: a kernel that forgets to debit a ledger is caught."""
    deal = [["Classes", "balance", "coupon"], ["A", 100, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "principal", 1, "pay_principal", "A", None]]
    pool = _pool([30.0], [1.0])
    good = lg._compiled()

    def bad(*a):
        good(*a)
        a[-2][:, :, 0] += 1.0                     # misc: pretend 1 yuan more came in
        cls = a[-8]
        cls[:, :, :, lg.PRIN] += 0.0
        a[-1][:, 0] = 2                            # what the kernel's check sets when in != out
    monkeypatch.setattr(lg, "_compiled", lambda: bad)
    with pytest.raises(AssertionError, match="cash in != cash out"):
        mbsxl.deal_flows(pool, deal)


def test_principal_covers_the_income_ledgers_shortfall_with_interleaved_steps():
    # A 90 at 12%, Sub 10; trustee fee 12% a year on the pool balance.  Rows run in the order listed:
    # income 1-2, then principal 1 (moves the income ledger's shortfall), then income 3-6, then principal 2-3.
    # P1: income 1.5: fee 1.0, A 0.5 (0.4 unpaid); principal moves 0.4 (borrowed 0.4); income pays A 0.4 again;
    #     nothing left to repay; principal 10 - 0.4 = 9.6 to A (80.4 left).
    # P2: pool 90 -> fee 0.9; A due 0.804; income 5: fee 0.9, A 0.804, shortfall 0, borrowed 0.4 back to
    #     principal, residual 5 - 0.9 - 0.804 - 0.4 = 2.896; principal 10 + 0.4 = 10.4 to A.
    deal = [["Classes", "balance", "coupon"], ["A", 90, 0.12], ["Sub", 10, 0.0], [None],
            ["Fees", "rate", "base"], ["trustee", 0.12, "pool_balance"], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "pay_fee", "trustee", None], ["normal", "income", 2, "pay_interest", "A", None],
            ["normal", "principal", 1, "transfer", "income", "shortfall"],
            ["normal", "income", 3, "pay_fee", "trustee", None], ["normal", "income", 4, "pay_interest", "A", None],
            ["normal", "income", 5, "transfer", "principal", "borrowed"], ["normal", "income", 6, "pay_residual", "Sub", None],
            ["normal", "principal", 2, "pay_principal", "A", None], ["normal", "principal", 3, "pay_principal", "Sub", None]]
    pool = _pool([10.0, 10.0], [1.5, 5.0])
    t = mbsxl.deal_flows(pool, deal, "ledgers")
    sel = (t[C.LEDGER] == "principal") & (t[C.ACTION] == "transfer")
    assert [round(x, 9) for x in t[sel][C.AMOUNT]] == [0.4, 0.0]
    assert _steps(pool, deal, "income", "transfer") == [0.0, 0.4]
    assert _cls(pool, deal, "A", C.INTEREST_PAID) == [0.9, 0.804]
    assert _cls(pool, deal, "A", C.PRINCIPAL) == [9.6, 10.4]
    assert _cls(pool, deal, "Sub", C.INTEREST_PAID) == [0.0, 2.896]
    assert _steps(pool, deal, "income", "pay_fee") == [1.0, 0.0, 0.9, 0.0]


def test_delinquency_event_two_periods_running_that_cures_and_fixed_amounts():
    # 90+ ratio 1%, 3%, 3%, 1%, 1% against "above 2% for 2 periods, cures": on in period 3 only (the second
    # month in breach), off in period 4.  Normal: principal pro rata A+B; 加速: A then B.  Principal 20 a
    # month: P1 10/10, P2 10/10, P3 A 20, P4 pro rata on 10 and 30: 5/15, P5 A 5, B 15.
    # Income 3 a month: a fixed 1 yuan is released each month (both statuses), the other 2 stay in the ledger.
    deal = [["Classes", "balance", "coupon"], ["A", 50, 0.0], ["B", 50, 0.0], [None], *LEDGERS, [None], HEAD,
            ["normal", "income", 1, "release", None, 1], ["normal", "principal", 1, "pay_principal", "A+B", None],
            ["加速", "income", 1, "release", None, 1],
            ["加速", "principal", 1, "pay_principal", "A", None], ["加速", "principal", 2, "pay_principal", "B", None],
            [None], ["Events", "measure", "threshold", "periods", "cure", "to"],
            ["dq", "严重拖欠率", 0.02, 2, "yes", "加速"]]
    pool = _pool([20.0] * 5, [3.0] * 5)
    kw = dict(delinquency=[0.01, 0.03, 0.03, 0.01, 0.01])
    ev = mbsxl.deal_flows(pool, deal, "events", **kw)
    assert list(ev[C.EVENT_ON]) == [0, 0, 1, 0, 0]
    assert _cls(pool, deal, "A", C.PRINCIPAL, **kw) == [10.0, 10.0, 20.0, 5.0, 5.0]
    assert _cls(pool, deal, "B", C.PRINCIPAL, **kw) == [10.0, 10.0, 0.0, 15.0, 15.0]
    assert _steps(pool, deal, "income", "release", **kw) == [1.0] * 5
    # what is not released stays in the income ledger: 2 a month
    assert _steps(pool, deal, "income", C.LEDGER_ENDING, **kw) == [2.0, 4.0, 6.0, 8.0, 10.0]
    # a transfer of a fixed amount in the normal status: 2.5 a month from income to principal in months 1, 2,
    # 4 and 5 (month 3 runs the 加速 rows, which release 1)
    fixed = [r if not (len(r) > 3 and r[3] == "release" and r[0] == "normal") else
             ["normal", "income", 1, "transfer", "principal", 2.5] for r in deal]
    assert _steps(pool, fixed, "income", "transfer", **kw) == [2.5] * 4
    assert _steps(pool, fixed, "income", "release", **kw) == [1.0]


def test_a_list_of_rows_a_dataframe_and_a_dict_of_blocks_are_one_deal():
    """A script and a workbook share one description: the same deal as rows, as a DataFrame (header row =
    its columns) and as a dict of blocks gives the same flows (A 60 at 4%, B 40 residual; hand-checkable:
    12 months of a 100-yuan 6% pool, A is paid first)."""
    import pandas as pd
    rows = [["分档 Classes", "金额 balance", "利率 coupon"], ["A", 60.0, 0.04], ["B", 40.0, 0.0], [None],
            ["Ledgers", "receives"], ["cash", "both"], [None],
            ["Priority", "ledger", "step", "action", "target"], ["normal", "cash", 1, "pay_interest", "A"],
            ["normal", "cash", 2, "pay_principal", "A"], ["normal", "cash", 3, "pay_principal", "B"],
            ["normal", "cash", 4, "pay_residual", "B"]]
    padded = [list(r) + [None] * (5 - len(r)) for r in rows]
    frame = pd.DataFrame(padded[1:], columns=padded[0])
    blocks = {"分档 Classes": pd.DataFrame({"name": ["A", "B"], "balance": [60.0, 40.0], "coupon": [0.04, 0.0]}),
              "Ledgers": [{"name": "cash", "receives": "both"}],
              "Priority": [["status", "ledger", "step", "action", "target"]] + [r for r in rows[8:]]}
    pool = mbsxl.cashflows(100.0, 0.06, 12)
    want = mbsxl.deal_flows(pool, rows)
    assert want[C.PRINCIPAL].sum() == pytest.approx(100.0)
    for other in (frame, blocks):
        got = mbsxl.deal_flows(pool, other)
        assert got[C.CASH_FLOW].tolist() == want[C.CASH_FLOW].tolist()
