"""Bad deal tables are refused naming the block, the row of the range and the label (issue 19, "Bad
input"): a step naming a class, ledger or amount that does not exist; two steps with one number; a status
no event leads to; a threshold schedule shorter than the projection; a target schedule that rises; a class
paid from a ledger that never receives cash.  Source: the issue's list; rows counted 1-based in GOOD."""
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError

GOOD = [["分档 Classes", "金额 balance", "利率 coupon", "目标余额 schedule"],           # row 1
        ["A1", 50, 0.03, "a1"], ["A2", 30, 0.03, None], ["Sub", 20, 0.02, None],      # rows 2-4
        [None],                                                                      # row 5
        ["计划 Schedules", "起始期 from", "结束期 to", "数值 value"],                     # row 6
        ["a1", 1, 2, 40], ["a1", 3, None, 0], ["cdr", 1, None, 0.02],                 # rows 7-9
        [None],                                                                      # row 10
        ["账户 Ledgers", "收入来源 receives"], ["收入", "interest"], ["本金", "principal"], ["spare", "none"],  # 11-14
        [None],                                                                      # row 15
        ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"],  # row 16
        ["正常", "收入", 1, "支付利息", "A1+A2", None],                                 # row 17
        ["正常", "收入", 2, "transfer", "本金", "new_defaults"],                         # row 18
        ["正常", "收入", 3, "pay_residual", "Sub", None],                               # row 19
        ["正常", "本金", 1, "pay_principal", "A1", "target"],                          # row 20
        ["正常", "本金", 2, "pay_principal", "A2", None],                              # row 21
        ["加速", "本金", 1, "pay_principal", "A1+A2", None],                           # row 22
        [None],                                                                      # row 23
        ["事件 Events", "指标 measure", "阈值 threshold", "转入状态 to"],                 # row 24
        ["e1", "累计违约率", "cdr", "加速"]]                                            # row 25

POOL = mbsxl.cashflows(100.0, 0.06, 12, default=0.01, severity=0.5)


def _with(row, value):
    return [value if i == row - 1 else r for i, r in enumerate(GOOD)]


def test_the_good_table_runs():
    assert mbsxl.deal_flows(POOL, GOOD)[C.PRINCIPAL].sum() > 0
    assert set(mbsxl.deal_check(GOOD)[C.RESULT]) == {C.CHECK_UNDERSTOOD}


@pytest.mark.parametrize("row, value, words", [
    (17, ["正常", "收入", 1, "pay_interest", "A3", None], ["偿付顺序 Priority", "row 17", "column target", "'A3'"]),
    (18, ["正常", "收入", 2, "transfer", "储备", "all"], ["row 18", "column target", "'储备'"]),
    (18, ["正常", "收入", 2, "transfer", "本金", "recoveries"], ["row 18", "column limit", "'recoveries'", "new_defaults"]),
    (19, ["正常", "现金", 3, "pay_residual", "Sub", None], ["row 19", "column ledger", "'现金'"]),
    (19, ["正常", "收入", 1, "pay_residual", "Sub", None], ["row 19", "column step", "step 1", "repeats row 17"]),
    (19, ["正常", "收入", 3, "pay_bonus", "Sub", None], ["row 19", "column action", "'pay_bonus'", "pay_principal"]),
    (19, ["正常", "spare", 3, "pay_residual", "Sub", None], ["row 19", "column ledger", "never receives cash"]),
    (21, ["正常", "本金", 2, "pay_principal", "A2", "target"], ["row 21", "column limit", "no target schedule"]),
    (8, ["a1", 3, None, 45], ["计划 Schedules", "row 8", "column value", "rises"]),
    (25, ["e1", "累计违约率", "cdr", "违约"], ["事件 Events", "row 25", "column to", "'违约'"]),
    (25, ["e1", "interest_coverage", "cdr", "加速"], ["row 25", "column measure", "'interest_coverage'"]),
    (2, ["A1", "fifty", 0.03, "a1"], ["分档 Classes", "row 2", "column balance", "'fifty'"]),
])
def test_refused_naming_block_row_and_label(row, value, words):
    bad = _with(row, value)
    with pytest.raises(MbsxlInputError) as e:
        mbsxl.deal_flows(POOL, bad)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    chk = mbsxl.deal_check(bad)
    assert C.CHECK_REFUSED in set(chk[C.RESULT])


def test_a_status_no_event_leads_to():
    bad = GOOD[:23]                                     # no Events block: status 加速 is unreachable
    with pytest.raises(MbsxlInputError, match=r"row 22, column status: status '加速' has steps but no event leads to it"):
        mbsxl.deal_flows(POOL, bad)


def test_a_threshold_schedule_shorter_than_the_projection():
    bad = _with(9, ["cdr", 1, 6, 0.02])                # 6 periods for a 12-period pool
    with pytest.raises(MbsxlInputError, match=r"计划 Schedules, row 9, column to: schedule 'cdr' \(threshold of "
                                              r"event e1\) ends at period 6, shorter than the projection \(12"):
        mbsxl.deal_flows(POOL, bad)


def test_unknown_label_missing_block_and_a_row_outside_any_block():
    bad = _with(1, ["分档 Classes", "金额 balance", "利率 coupon", "目标余额 schedule", "评级 rating"])
    with pytest.raises(MbsxlInputError, match=r"row 1, column 评级 rating: label '评级 rating' is not a column"):
        mbsxl.deal_flows(POOL, bad)
    with pytest.raises(MbsxlInputError, match=r"no 账户 Ledgers block"):
        mbsxl.deal_flows(POOL, GOOD[:10] + GOOD[15:])
    stray = GOOD[:4] + [[None], ["A9", 1, 0.0]] + GOOD[5:]
    with pytest.raises(MbsxlInputError, match=r"row 6 \('A9'\) is outside any block"):
        mbsxl.deal_flows(POOL, stray)


def test_floating_class_without_index_and_classes_above_the_pool():
    flt = [["Classes", "balance", "coupon", "rate type"], ["A", 50, 0.01, "浮动"]] + GOOD[4:]
    flt = [r for r in flt if not (r and r[0] in ("正常", "加速") and r[4] in ("A1+A2", "A1", "A2", "Sub"))]
    flt = flt[:flt.index(["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]) + 1] + \
        [["正常", "本金", 1, "pay_principal", "A", None]]
    with pytest.raises(MbsxlInputError, match=r"row 2, column rate_type: class A is floating but index is empty"):
        mbsxl.deal_flows(POOL, flt)
    big = _with(2, ["A1", 5000, 0.03, "a1"])
    with pytest.raises(MbsxlInputError, match=r"more than the pool balance"):
        mbsxl.deal_flows(POOL, big)


def test_steps_numbered_downwards_within_a_ledger():
    bad = GOOD[:19] + [["正常", "收入", 0, "pay_interest", "Sub", None]] + GOOD[19:]     # row 20: step 0 after 3
    with pytest.raises(MbsxlInputError, match=r"row 20, column step: step 0 of ledger 收入 in status 正常 comes after "
                                              r"step 3 \(row 19\)"):
        mbsxl.deal_flows(POOL, bad)
