"""The deal table (交易要素表): a deal written down as the prospectus writes it, parsed into a typed deal.

One range (a list of rows, a DataFrame, or a dict ``{block title: rows}``) holds **blocks**.  A block
starts at a row whose first cell is a block title; that row's other cells are the block's column
labels; the block's rows follow until a blank row or the next title.  Every block may have a ``说明 note`` column (ignored).  Titles and labels are Chinese,
English or both (``"分档 Classes"``, ``"Classes"``, ``"分档"``); columns may come in any order and rows
may be added.  The first column of every block is its key (class name, fee name, ...).

Blocks and columns (required columns marked *):

- **分档 Classes** - class name; ``金额 balance``* (yuan); ``利率 coupon``* (annual decimal: the fixed
  coupon, or the spread over the index for a floating class; a subordinate class's 期间收益 interim
  return, e.g. 0.02; or a schedule name: the coupon or spread period by period, e.g. a step-up after
  the optional redemption date); ``利率类型 rate type`` (``fixed`` 固定 / ``floating`` 浮动: coupon + the index
  column given to the deal functions); ``目标余额 schedule`` (a schedule name: the class's
  固定摊还 target balance after each period, for ``pay_principal ... limit target``); ``累计 carry``
  (unpaid interest: ``yes`` carried to the next period (default), ``no`` forgone (interim return,
  capped at its rate), ``compound`` carried and earning the coupon: interest on unpaid interest,
  e.g. at 12% a 1.00 shortfall is due as 1.01 the next month); ``目标超额抵押 oc_target`` (decimal: the
  class's target overcollateralisation for ``pay_principal ... limit oc``); ``超额抵押下限 oc_floor``
  (a fraction of the pool's balance at period 1: the OC kept at least this many yuan, e.g. 0.005);
  ``利率上限 coupon_cap`` / ``利率下限 coupon_floor`` (annual decimals: the coupon, index + spread, at
  most / at least these each period).
- **费用税收 Fees** - fee or tax name; ``费率 rate``* (annual decimal on the pool balance; a per-period
  decimal of the interest collections; or yuan a year for a fixed fee); ``基数 base`` (``pool_balance``
  资产池余额 (default): rate / 12 x the pool's beginning balance; ``interest`` 利息收入: rate x the
  period's interest collections (VAT); ``fixed`` 固定: rate yuan a year / 12); ``含税 inclusive``
  (``yes``: the base includes the tax, due = rate / (1 + rate) x base: 3% VAT on a tax-inclusive base
  is 0.03/1.03); non-performing pools (issue 20): ``disposal_costs`` 处置费用 (rate x the period's disposal
  costs, the pool table's 处置费用 column: 1 = all of them), ``collections`` 回收款 (rate x the period's
  collections: the base servicing fee on recoveries), ``excess_collections`` 超额回收 (rate x the new
  excess of cumulative collections over the expected path, the pool's 预期回收 column, above its
  high-water mark: the excess incentive fee, 超额奖励服务费), ``share`` 分成 (due only what ``pay_share``
  steps pay it); ``附加 surcharge`` (a fraction of the amount added: urban construction and education
  surcharges, about 0.12 of the VAT); ``上限 cap`` (yuan a period; ``pay_fee ... limit cap`` pays up to
  it, a later ``pay_fee`` the rest); ``累计 carry`` (unpaid fee carried, default yes); ``欠付利率
  arrears_rate`` (annual decimal: the carried unpaid fee earns it, 0.12 = 1% a month; needs carry).
- **账户 Ledgers** - ledger name; ``收入来源 receives`` (``interest`` 利息 / ``principal`` 本金 /
  ``both`` / ``none``): the pool collections paid into it each period; ``类型 type`` (``ledger`` 分账户
  default, ``reserve`` 储备账户); ``目标 target`` (a reserve's target: yuan, or a schedule name);
  ``初始余额 initial`` (yuan at closing); ``目标利息期数 interest_periods`` and ``利息对象 interest_of``
  (a reserve's target adds so many periods of the next period's interest of these classes, joined by
  ``+``: 必备流动性储备金额 = e.g. 3 x the next period's interest of A1+A2, on the classes' balances when
  the step runs (after any principal steps listed before it) at the next period's coupon); ``含费用
  with_fees`` (``yes``: the periods count the fees and taxes too, the period's own, carried amounts
  left out, as the estimate of the next period's: 下一期应付税费、费用和优先级利息之和; ``fees`` 仅费用: the fees
  only, a fee paid by a ``pay_tax`` step left out); ``目标利息期 interest_basis`` (``next`` 下一期 (default) as
  above; ``current`` 本期: the periods count **this** period's interest due of the classes (carried left out; on
  their beginning balances at this period's coupon) and, with with_fees, this period's fees, and the target is 0 in
  the call period and once those classes' beginning balances are all 0: the positional waterfall's reserve, ``months
  x`` (the period's fees + senior interest), e.g. A 1000 at 12% and fees 1.20 in period 1 with 3 periods: 3 x
  (10.00 + 1.20) = 33.60 whatever the coupon of period 2);
  ``目标比例 target_ratio`` and ``比例基数 ratio_of`` (the target adds this fraction of the pool's ending
  balance, ``pool`` (default), or of the classes' balances, ``A1+A2``, when the step runs) and
  ``目标下限 floor`` (yuan: the target is at least this): "the greater of 1% of the senior classes and
  0.5% of the initial pool" is target_ratio 0.01, ratio_of A1+A2, floor = 0.005 x the initial pool.
- **偿付顺序 Priority** - deal status (``正常 normal`` ...; the first status listed is the status at
  closing); ``账户 ledger``* (the ledger paying); ``步骤 step``* (a number, unique within a status and
  ledger); ``动作 action``* (:data:`ACTIONS`); ``对象 target``; ``上限 limit`` (``pay_principal
  A1+A2 original`` 按初始比例: pro rata by original balance; ``pay_principal A oc`` 超额抵押目标: A
  down to ``(1 - its oc_target) x`` the pool's ending balance less the classes listed above it, the
  senior principal amount of a step-down).  Within
  a status the steps run in the order the rows list them, so ledgers may interleave (income steps
  1-5, then the principal ledger covering their shortfall, then income 6 ...); a ledger's step
  numbers must increase down the rows.
- **事件 Events** - event name (unique); ``指标 measure``* (:data:`MEASURES`: pool measures
  ``cumulative_default`` 累计违约率, ``delinquency_90``, ``pool_factor``, ``excess_spread`` 超额利差,
  ``period``; class measures ``interest_shortfall``, ``class_loss`` 累计损失率, ``principal_deficiency``
  本金亏损, ``overcollateralization`` 超额抵押比例, ``class_factor`` 证券余额比例; ``reserve_shortfall``
  储备不足 of a reserve; ``all`` 且 / ``any`` 或 / ``none`` 均未 of events listed above); ``对象 of`` (the class of a class
  measure; the classes whose interest excess spread deducts, ``A1+A2``, empty = all; the reserve; the
  events combined, ``oc_pass+after_36``); ``比较 compare`` (``above`` 高于 (default) / ``below`` 低于);
  ``阈值 threshold`` (a number or a schedule name; empty for all / any / none); ``连续期数 periods``
  (consecutive payment periods in breach, default 1); ``平均期数 average`` (the measure averaged over
  the last n payment periods, fewer at the start: "the 3-period average 90+ ratio above 2%");
  ``可恢复 cure`` (``no`` (default): once on, on to the end; ``yes``: off again in a period not in breach); ``转入状态 to`` (the status the deal moves
  to; empty: the event only feeds all / any / none and the events view).  The deal's status each
  period is the latest-listed status (in the Priority block) among the events on, else the closing
  status.  An OC step-down: ``oc_pass`` = overcollateralization of A above 0.30, ``after_36`` =
  period above 36.5, ``quiet`` = none of the triggers, ``step`` = all of ``oc_pass+after_36+quiet``
  -> a status paying principal pro rata to A and the subordinate class.
- **计划 Schedules** - schedule name; ``起始期 from``*, ``结束期 to`` (empty = to the end of the
  projection), ``数值 value``*: the value in periods from..to.  Rows of a schedule must be contiguous
  from period 1.
- **参数 Settings** - key, ``数值 value``: ``cleanup_call`` 清仓回购 (pool factor, 0.10 = 10%);
  ``writedown`` 损失核销 (``loss`` (default): the pool's Loss writes the classes down bottom-up each
  period, as :func:`mbsxl.tranches`; ``none``: no write-down, what a class still owes when the deal
  ends (the last period or the call) is its loss); ``pool_balance`` 初始资产池余额 (default: the pool
  table's first Beginning Balance); ``cleanup_price`` 清仓回购价格 (the price of the remaining pool as
  a fraction of its balance, default 1 = par, paid into the ledger receiving principal; ``par_accrued``
  本金加应计利息: par into principal, plus the remaining balance x the period's net interest / the
  pool's beginning balance into the ledger receiving interest); ``cleanup_from`` 清仓回购起始期 (the
  factor call not before this period, or the first payment date on or after this date);
  ``call_period`` 赎回期 (the deal is called in this period, or on the first payment date on or after
  this date, whatever the pool factor: an optional redemption date); ``payment_frequency`` 支付频率
  (months a payment period: 1 (default), 3 quarterly, 6, 12; the pool's months are collected into the
  ledgers every month and the priority of payments runs in every n-th month and the last; interest
  and fees accrue month by month, on each month's balances, and are due on the payment month; events
  are tested and the call exercised on payment months only); ``day_count`` 计息基准 (``30/360``
  (default): a month accrues 1/12; ``ACT/365`` (China interbank), ``ACT/360``: the days between the
  month's dates / 365, the dates running monthly back from ``first_payment_date`` 首个支付日, the
  first from ``closing_date`` 起息日: both needed); a date is an ISO text (2024-03-26), a date cell or an
  Excel serial date (45377 = 2024-03-26).

Errors name the block, the row of the range (1-based) and the label:
``deal table block 偿付顺序 Priority, row 14, column target: 'A3' is not a class ...``.

Example (a list of rows; ``None`` = an empty cell)::

    [["分档 Classes", "金额 balance", "利率 coupon", "累计 carry"],
     ["A", 800.0, 0.04, None],
     ["Sub", 200.0, 0.02, "no"],
     [None],
     ["账户 Ledgers", "收入来源 receives"],
     ["income", "interest"],
     ["principal", "principal"],
     [None],
     ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"],
     ["normal", "income", 1, "pay_interest", "A", None],
     ["normal", "income", 2, "transfer", "principal", "new_defaults"],
     ["normal", "income", 3, "pay_interest", "Sub", None],
     ["normal", "principal", 1, "pay_principal", "A", None],
     ["normal", "principal", 2, "pay_principal", "Sub", None],
     ["normal", "income", 4, "pay_residual", "Sub", None]]

>>> d = parse_deal([["Classes", "balance", "coupon"], ["A", 100.0, 0.05],
...                 ["Ledgers", "receives"], ["cash", "both"],
...                 ["Priority", "ledger", "step", "action", "target"],
...                 ["normal", "cash", 1, "pay_interest", "A"], ["normal", "cash", 2, "pay_principal", "A"]])
>>> [c.name for c in d.classes], d.statuses, [s.action for s in d.steps]
(['A'], ['normal'], ['pay_interest', 'pay_principal'])
"""
from __future__ import annotations

import dataclasses as _dc
import functools
import math
import re

import numpy as np

from mbsxl import _validate as v
from mbsxl.errors import MbsxlInputError

# ------------------------------------------------------------------ vocabulary (Chinese and English)
BLOCKS = {
    "classes": ("分档 Classes", ("classes", "class", "tranches", "notes", "分档", "证券", "档次", "资产支持证券")),
    "fees": ("费用税收 Fees", ("fees", "fee", "taxes", "fees_and_taxes", "费用", "税费", "费用税收", "税收")),
    "ledgers": ("账户 Ledgers", ("ledgers", "ledger", "accounts", "账户", "分账户")),
    "priority": ("偿付顺序 Priority", ("priority", "waterfall", "priority_of_payments", "偿付顺序", "支付顺序",
                                    "分配顺序", "现金流分配顺序")),
    "events": ("事件 Events", ("events", "event", "triggers", "事件", "触发事件")),
    "schedules": ("计划 Schedules", ("schedules", "schedule", "计划", "时间表")),
    "settings": ("参数 Settings", ("settings", "terms", "参数", "设置")),
}

#: per block: column key -> aliases (the first column, the key, is not listed)
LABELS = {
    "classes": {"balance": ("balance", "金额", "本金", "面值", "发行金额"),
                "coupon": ("coupon", "rate", "spread", "利率", "票面利率", "利差", "期间收益率"),
                "rate_type": ("rate_type", "rate type", "type", "利率类型"),
                "schedule": ("schedule", "target", "目标余额", "摊还计划"),
                "carry": ("carry", "累计", "未付累计"),
                "oc_target": ("oc_target", "oc target", "目标超额抵押", "目标超额抵押比例"),
                "oc_floor": ("oc_floor", "oc floor", "超额抵押下限"),
                "coupon_cap": ("coupon_cap", "coupon cap", "利率上限"), "coupon_floor": ("coupon_floor", "coupon floor", "利率下限")},
    "fees": {"rate": ("rate", "费率", "税率"), "base": ("base", "基数", "计费基数"),
             "inclusive": ("inclusive", "含税"), "surcharge": ("surcharge", "附加", "附加税"),
             "cap": ("cap", "上限"), "carry": ("carry", "累计", "未付累计"),
             "arrears_rate": ("arrears_rate", "arrears rate", "欠付利率", "滞纳利率")},
    "ledgers": {"receives": ("receives", "收入来源", "来源"), "type": ("type", "类型"),
                "target": ("target", "目标", "目标余额"), "initial": ("initial", "初始余额", "初始"),
                "interest_periods": ("interest_periods", "interest periods", "利息期数", "目标利息期数"),
                "interest_of": ("interest_of", "interest of", "利息对象", "目标利息对象"),
                "target_ratio": ("target_ratio", "target ratio", "目标比例"),
                "ratio_of": ("ratio_of", "ratio of", "比例基数"), "floor": ("floor", "目标下限", "下限"),
                "with_fees": ("with_fees", "with fees", "含费用", "含税费"),
                "interest_basis": ("interest_basis", "interest basis", "目标利息期", "利息期")},
    "priority": {"ledger": ("ledger", "account", "账户"), "step": ("step", "步骤", "顺序", "序号"),
                 "action": ("action", "动作", "操作"), "target": ("target", "对象", "目标"),
                 "limit": ("limit", "上限", "限额", "金额"), "note": ("note", "说明", "备注")},
    "events": {"measure": ("measure", "指标"), "of": ("of", "对象"), "compare": ("compare", "比较"),
               "threshold": ("threshold", "阈值", "触发值"), "periods": ("periods", "连续期数", "期数"),
               "cure": ("cure", "可恢复", "恢复"), "average": ("average", "平均期数", "移动平均"), "to": ("to", "to status", "转入状态", "状态")},
    "schedules": {"from": ("from", "起始期", "自"), "to": ("to", "结束期", "至"), "value": ("value", "数值", "值")},
    "settings": {"value": ("value", "数值", "值")},
}
for _blk in LABELS.values():                       # every block may carry a note column (ignored)
    _blk.setdefault("note", ("note", "说明", "备注"))
REQUIRED = {"classes": ("balance", "coupon"), "fees": ("rate",), "ledgers": (), "priority": ("ledger", "step", "action"),
            "events": ("measure",), "schedules": ("from", "value"), "settings": ("value",)}


@_dc.dataclass(frozen=True)
class Action:
    """One action of the priority of payments: its opcode in :mod:`mbsxl.deal.ledger`, what ``target`` names
    (``class``, ``group`` = classes joined by ``+``, ``fee``, ``ledger``, ``reserve``, ``none``) and the
    ``limit`` words it accepts (a number of yuan is accepted where ``amount`` is listed)."""
    name: str
    op: int
    target: str
    limits: tuple
    doc: str


#: The documented action set: name -> :class:`Action`.  Aliases (Chinese) in :data:`ACTION_ALIASES`.
#: To add an action: a new opcode in :mod:`mbsxl.deal.ledger` (``OP_*`` and one branch of its kernel) and
#: one entry here; the parser, the check table and the views pick it up.
ACTIONS = {
    "pay_fee": Action("pay_fee", 0, "fee", ("cap",), "pay the fee's (or tax's) due, carried included; limit cap: up to its cap"),
    "pay_tax": Action("pay_tax", 0, "fee", ("cap",), "as pay_fee, for a tax row (增值税及附加)"),
    "pay_interest": Action("pay_interest", 1, "group", (), "pay the class's interest due (a group A1+A2: pro rata "
                           "by interest due)"),
    "pay_principal": Action("pay_principal", 2, "group", ("target", "original", "oc"), "pay principal up to the class's "
                            "balance (过手); limit target: down to its schedule (固定摊还); a group A1+A2: pro rata by "
                            "current balance, or with limit original (按初始比例) by original balance, a paid-off "
                            "class's share going to the others; limit oc (超额抵押目标): down to (1 - its oc_target) "
                            "x the pool's ending balance less the classes listed above it (a step-down's senior "
                            "principal amount)"),
    "transfer": Action("transfer", 3, "ledger", ("all", "new_defaults", "shortfall", "borrowed", "deficiency", "amount"),
                       "move cash to the target ledger: all; new_defaults (违约本金补足: the period's defaults plus any "
                       "not yet covered); shortfall (the target ledger's unpaid fees and interest this period); "
                       "borrowed (principal used earlier for fees and interest, repaid); deficiency (本金亏损补足: the "
                       "classes' balances less the pool's ending balance and the cash in the ledger receiving "
                       "principal, with writedown none); a number of yuan"),
    "fund_reserve": Action("fund_reserve", 4, "reserve", (), "fill the reserve up to its target (yuan or a schedule, "
                           "plus interest_periods x the next period's interest of its interest_of classes)"),
    "release_reserve": Action("release_reserve", 5, "reserve", (), "move the reserve's balance above its target into this ledger"),
    "draw_reserve": Action("draw_reserve", 6, "reserve", (), "draw this ledger's unpaid fees and interest (so far this "
                           "period) from the reserve; pay them again in a later step"),
    "pay_residual": Action("pay_residual", 7, "class", (), "pay all that is left in the ledger to the class (剩余收益)"),
    "release": Action("release", 8, "none", ("amount",), "cash leaves the trust (returned to the originator)"),
    # issue 20, non-performing pools
    "pay_share": Action("pay_share", 9, "fee", ("amount",), "pay a share of what is left in the ledger to the fee "
                        "(limit: the share, 0 to 1; e.g. the servicer's part of the excess, 超额收益分成)"),
}
ACTION_ALIASES = {"支付费用": "pay_fee", "支付税费": "pay_tax", "缴税": "pay_tax", "支付利息": "pay_interest",
                  "支付本金": "pay_principal", "偿还本金": "pay_principal", "转移": "transfer", "转入": "transfer",
                  "划转": "transfer", "补足储备": "fund_reserve", "释放储备": "release_reserve",
                  "提取储备": "draw_reserve", "剩余收益": "pay_residual", "支付剩余": "pay_residual",
                  "释放": "release", "返还": "release", "分成": "pay_share", "按比例分配": "pay_share"}
LIMIT_ALIASES = {"上限": "cap", "目标余额": "target", "目标": "target", "schedule": "target", "全部": "all",
                 "违约本金": "new_defaults", "新增违约": "new_defaults", "defaults": "new_defaults",
                 "差额": "shortfall", "不足": "shortfall", "借用": "borrowed", "borrow": "borrowed",
                 "按初始比例": "original", "初始比例": "original", "original_balance": "original",
                 "超额抵押目标": "oc", "oc_target": "oc", "目标超额抵押": "oc", "本金亏损": "deficiency",
                 "本金亏损补足": "deficiency", "pdl": "deficiency", "principal_deficiency": "deficiency"}

#: event measures -> (code in :mod:`mbsxl.deal.ledger`, what column ``of`` names: None, ``class``, ``group``
#: (classes joined by +; empty = all classes), ``reserve`` or ``events`` (events listed above, joined by +), doc).
#: Start-of-period measures act the same period; end-of-period ones (marked) from the next.
MEASURES = {
    "cumulative_default": (0, None, "cumulative pool Default through the period / the pool balance at period 1 "
                           "(tested at the start of the period, acting the same period)"),
    "delinquency_90": (1, None, "the period's 90+ delinquency ratio (the delinquency column; start of period)"),
    "pool_factor": (2, None, "the pool's beginning balance / its balance at period 1 (start of period)"),
    "interest_shortfall": (3, "class", "the class's unpaid interest after the period, yuan (tested at the end of the "
                           "period, acting from the next)"),
    "excess_spread": (4, "group", "超额利差: (the period's interest collections - the fees and taxes accrued for the "
                      "period - the interest of the of classes (empty: all) accrued for the period; carried amounts "
                      "left out) / the pool's balance at the start of the period, annualised (x 12 a month); start "
                      "of period"),
    "reserve_shortfall": (5, "reserve", "the reserve's target less its balance after the period's steps, yuan, 0 when "
                          "at or above (end of period)"),
    "class_loss": (6, "class", "the class's cumulative write-down / its original balance (end of period)"),
    "principal_deficiency": (7, "class", "本金亏损: the class's part of the principal deficiency after the period, yuan: "
                             "the classes' balances less the pool's ending balance and the cash held in the ledger "
                             "receiving principal, allocated bottom-up (end of period)"),
    "all": (8, "events", "且: the number of the named events on (events listed above, joined by +); on when all are "
            "(leave threshold empty)"),
    "any": (9, "events", "或: as all; on when any is"),
    "none": (12, "events", "均未: as all; on when none is (e.g. a step-down only while no trigger is on)"),
    "class_factor": (13, "class", "证券余额比例: the class's balance after the period / its original balance (end of "
                     "period): with period, the legal final maturity test (违约事件: a class not repaid by its "
                     "法定到期日)"),
    "period": (10, None, "the period number (1 = the first month): e.g. a step-down not before period 37"),
    "overcollateralization": (11, "class", "超额抵押比例 of a class: (the pool's beginning balance - the beginning "
                              "balances of the classes from the first listed down to it) / the pool's beginning "
                              "balance (start of period)"),
}
MEASURE_ALIASES = {"cumulative_default_rate": "cumulative_default", "cdr_cum": "cumulative_default",
                   "累计违约率": "cumulative_default", "delinquency": "delinquency_90", "严重拖欠率": "delinquency_90",
                   "90+": "delinquency_90", "资产池余额比例": "pool_factor", "factor": "pool_factor",
                   "利息不足": "interest_shortfall", "shortfall": "interest_shortfall", "未付利息": "interest_shortfall",
                   "超额利差": "excess_spread", "储备不足": "reserve_shortfall", "储备账户不足": "reserve_shortfall",
                   "累计损失率": "class_loss", "loss": "class_loss", "本金亏损": "principal_deficiency",
                   "pdl": "principal_deficiency", "且": "all", "and": "all", "全部满足": "all", "或": "any",
                   "or": "any", "任一": "any", "not": "none", "均未": "none", "无一": "none", "期数": "period", "支付期": "period",
                   "超额抵押": "overcollateralization", "超额抵押比例": "overcollateralization",
                   "oc": "overcollateralization", "overcollateralisation": "overcollateralization",
                   "证券余额比例": "class_factor", "未偿比例": "class_factor", "factor_of_class": "class_factor"}
YES = {"yes", "y", "true", "1", "是", "1.0"}
NO = {"no", "n", "false", "0", "否", "0.0", ""}
RECEIVES = {"interest": 1, "利息": 1, "收入": 1, "principal": 2, "本金": 2, "both": 3, "全部": 3, "none": 0, "无": 0}
FEE_BASES = {"disposal_costs": 3, "处置费用": 3, "costs": 3, "collections": 4, "回收款": 4, "recoveries": 4,
             "excess_collections": 5, "超额回收": 5, "excess": 5, "share": 6, "分成": 6,
             "pool_balance": 0, "资产池余额": 0, "balance": 0, "interest": 1, "利息收入": 1, "利息": 1,
             "interest_collections": 1, "fixed": 2, "固定": 2, "固定金额": 2}
CARRY = {"yes": 1, "y": 1, "true": 1, "1": 1, "是": 1, "": 1, "no": 0, "n": 0, "false": 0, "0": 0, "否": 0,
         "compound": 2, "复利": 2}
SETTINGS = {"cleanup_call": ("cleanup_call", "清仓回购", "clean-up call", "cleanup"),
            "cleanup_price": ("cleanup_price", "清仓回购价格", "clean-up price", "call price"),
            "cleanup_from": ("cleanup_from", "清仓回购起始期", "clean-up from", "call from"),
            "call_period": ("call_period", "赎回期", "call period", "optional redemption"),
            "payment_frequency": ("payment_frequency", "支付频率", "payment frequency"),
            "day_count": ("day_count", "计息基准", "day count", "basis"),
            "closing_date": ("closing_date", "起息日", "closing date", "信托生效日"),
            "first_payment_date": ("first_payment_date", "首个支付日", "first payment date"),
            "writedown": ("writedown", "损失核销", "write-down", "losses"),
            "pool_balance": ("pool_balance", "初始资产池余额", "pool balance")}
INTEREST_BASES = {"next": "next", "下一期": "next", "下期": "next", "current": "current", "本期": "current",
                  "this": "current", "当期": "current"}
WRITEDOWNS = {"loss": 0, "losses": 0, "损失": 0, "none": 1, "无": 1, "no": 1}
ABOVE = {"above": True, "高于": True, ">": True, ">=": True, "": True, "below": False, "低于": False, "<": False,
         "<=": False}


# ------------------------------------------------------------------ the typed deal
@_dc.dataclass
class DealClass:
    name: str
    balance: float
    coupon: float
    floating: bool
    schedule: str | None
    carry: int                    # 0 forgone, 1 carried, 2 carried with interest
    row: int
    oc_target: float = math.nan   # target overcollateralisation for pay_principal ... limit oc
    coupon_schedule: str | None = None   # the coupon (or spread) period by period: a step-up
    oc_floor: float = 0.0         # OC floor for limit oc, a fraction of the pool's balance at period 1
    coupon_cap: float = math.inf  # the coupon (index + spread) at most / at least these
    coupon_floor: float = -math.inf


@_dc.dataclass
class Fee:
    name: str
    rate: float
    base: int                     # 0 pool balance (annual), 1 interest collections (per period), 2 fixed yuan a year
    inclusive: bool
    surcharge: float
    cap: float                    # yuan a period (inf = none)
    carry: bool
    row: int
    arrears_rate: float = 0.0     # annual rate earned by the carried unpaid fee


@_dc.dataclass
class Ledger:
    name: str
    receives: int                 # 0 none, 1 interest, 2 principal, 3 both
    reserve: bool
    target: float | str           # yuan or a schedule name (reserve)
    initial: float
    row: int
    interest_periods: float = 0.0  # + this many periods of the next period's interest of interest_of
    interest_of: str | None = None  # classes joined by +
    target_ratio: float = 0.0     # + this fraction of the pool's ending balance (or of ratio_of's balances)
    ratio_of: str | None = None   # classes joined by + (None: the pool)
    floor: float = 0.0            # the target is at least this (yuan)
    with_fees: bool | str = False  # interest_periods also count the period's fees and taxes (True), or fees only ("fees")
    interest_basis: str = "next"  # "next": the next period's interest; "current": this period's (see the docstring)


@_dc.dataclass
class Step:
    status: str
    ledger: str
    step: float
    action: str
    target: str
    limit: str | float | None     # a limit word, a number of yuan, or None
    note: str
    row: int


@_dc.dataclass
class Event:
    name: str
    measure: str
    of: str | None
    above: bool
    threshold: float | str        # a number or a schedule name
    periods: int
    cure: bool
    to: str | None                # None: a condition of other events only
    row: int
    components: tuple = ()        # all / any: the names of the events combined
    average: int = 1              # the measure averaged over this many payment periods


@_dc.dataclass
class Deal:
    """A parsed deal table.  ``statuses`` in order of first appearance in the Priority block (the first is
    the status at closing); ``schedules``: name -> list of (from, to or None, value, row); ``found``: the
    (block, row, label, detail) lines :func:`mbsxl.deal_check` lists as understood."""
    classes: list
    fees: list
    ledgers: list
    steps: list
    events: list
    schedules: dict
    statuses: list
    cleanup_call: float = 0.0
    writedown: int = 0
    pool_balance: float | None = None
    found: list = _dc.field(default_factory=list)
    refused: list = _dc.field(default_factory=list)
    cleanup_price: float | str = 1.0   # fraction of the pool's balance, or "par_accrued"
    cleanup_from: int = 0              # the factor call not before this period
    call_period: int = 0               # called in this period whatever the factor (0: never)
    payment_frequency: int = 1         # months a payment period
    day_count: str = "30/360"
    closing_date: object = None
    first_payment_date: object = None

    def class_index(self, name: str) -> int:
        return [c.name.lower() for c in self.classes].index(name.lower())

    def accruals(self, T: int):
        """(yf12, paym, ynext12) for T months: each month's accrual as a year fraction x 12 (1 under
        30/360; days / 365 x 12 under ACT/365 between the month's dates, which run monthly back from
        ``first_payment_date``, the first from ``closing_date``); whether the month is a payment month
        (every ``payment_frequency``-th, and the last); and the next payment period's year fraction x 12
        (a reserve target counting the next period's interest)."""
        f = self.payment_frequency
        if f == 1 and self.day_count == "30/360":        # the common case, without the loops below
            return np.ones(T), np.ones(T, dtype=np.bool_), np.ones(T)
        paym = np.zeros(T, dtype=np.bool_)
        paym[f - 1::f] = True
        paym[T - 1] = True
        if self.day_count == "30/360":
            yf12 = np.ones(T)
        else:
            from mbsxl import dates as _dates
            den = 365.0 if self.day_count == "act/365" else 360.0
            ds = [self.closing_date] + [max(_dates.add_months(self.first_payment_date, t - f), self.closing_date)
                                        for t in range(1, T + 1)]
            yf12 = np.array([(ds[t] - ds[t - 1]).days / den * 12.0 for t in range(1, T + 1)])
        pays = np.flatnonzero(paym)
        cs = np.concatenate([[0.0], np.cumsum(yf12)])   # cs[t + 1] = yf12[0..t] summed
        t = np.arange(T)
        i = np.searchsorted(pays, t, side="right")      # the first payment month after t
        last = i >= pays.size
        nxt = pays[np.minimum(i, pays.size - 1)]
        ynext = cs[nxt + 1] - cs[t + 1]
        # after the last payment month there is no next period: the current period's fraction
        prev = np.where(i >= 2, pays[np.maximum(i - 2, 0)] + 1, 0)
        ynext[last] = (cs[t + 1] - cs[prev])[last]
        return yf12, paym, ynext

    def schedule_values(self, name: str, T: int, what: str) -> np.ndarray:
        """The schedule ``name`` as T values; refused (naming the block, row and label) when it does not
        reach period T or leaves a gap."""
        rows = self.schedules[name.lower()]
        out = np.full(T, np.nan)
        nxt = 1
        for f, to, val, row in rows:
            if f != nxt:
                _raise("schedules", row, "from", f"schedule {name!r} jumps from period {nxt - 1} to {f}; its rows "
                       "must run contiguously from period 1")
            end = T if to is None else min(int(to), T)
            out[f - 1:end] = val
            nxt = (T + 1) if to is None else int(to) + 1
            if nxt > T:
                break
        if nxt <= T:
            _raise("schedules", rows[-1][3], "to", f"schedule {name!r} ({what}) ends at period {nxt - 1}, shorter than "
                   f"the projection ({T} periods); extend its last row (empty to = to the end)")
        return out


# ------------------------------------------------------------------ reading cells
def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and not x.strip())


def _text(x) -> str:
    if _blank(x):
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).strip()


@functools.lru_cache(maxsize=4096)
def _norm(s: str) -> str:
    return _SEP.sub("_", s.strip().lower())


_SEP = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=None)
def _keys(aliases: tuple) -> frozenset:
    return frozenset(_norm(a) for a in aliases)


def _match(cell, aliases) -> bool:
    """A label matches when the whole text, or one of its space-separated words, is an alias."""
    s = _text(cell)
    if not s:
        return False
    keys = _keys(tuple(aliases))
    if _norm(s) in keys:
        return True
    return any(_norm(w) in keys for w in re.split(r"[\s/()（）]+", s) if w)


def _block_of(cell) -> str | None:
    for key, (_, aliases) in BLOCKS.items():
        if _match(cell, aliases):
            return key
    return None


def _label_of(block: str, cell) -> str | None:
    """The column a label names: the whole text first, then its words in order (the first word that
    names a column wins, so "利率类型 rate type" is rate_type, not coupon)."""
    s = _text(cell)
    if not s:
        return None
    for k, al in LABELS[block].items():
        if _norm(s) in _keys(al):
            return k
    for w in re.split(r"[\s/()（）]+", s):
        for k, al in LABELS[block].items():
            if w and _norm(w) in _keys(al):
                return k
    return None


def _title(row) -> str | None:
    """The block a row opens: its first cell a block title and every other non-empty cell a label of
    that block (so a fee named "fees" with numbers beside it is a row, not a title)."""
    key = _block_of(row[0])
    if key is None:
        return None
    rest = [c for c in row[1:] if not _blank(c)]
    if rest and not any(isinstance(c, str) and _label_of(key, c) is not None for c in rest):
        return None
    return key


def _raise(block: str, row: int, label: str, message: str):
    raise MbsxlInputError(f"deal table block {BLOCKS[block][0]}, row {row}, column {label}: {message}")


def _rows(table) -> list[list]:
    """The range as a list of rows; a DataFrame's header is its first row unless it is 0..n-1;
    a dict {block title: rows or DataFrame or list of dicts} is laid out block after block."""
    if table is None:
        raise MbsxlInputError("deal is empty; pass the deal table (a range, a DataFrame or a dict of blocks)")
    if isinstance(table, Deal):
        raise TypeError("already parsed")
    if isinstance(table, dict):
        out = []
        for title, body in table.items():
            if hasattr(body, "columns"):
                head = [title] + [str(c) for c in list(body.columns)[1:]]
                out += [head] + [list(r) for r in body.to_numpy(dtype=object)]
            elif body and isinstance(body[0], dict):
                cols = list(body[0])
                out += [[title] + cols[1:]] + [[r.get(c) for c in cols] for r in body]
            else:
                body = [list(r) for r in body]            # first row: the labels (its first cell is replaced by the title)
                if not body:
                    raise MbsxlInputError(f"deal block {title!r} is empty; pass its labels row, then its rows")
                out += [[title] + list(body[0][1:])] + body[1:]
            out.append([None])
        return out
    if hasattr(table, "to_numpy") and hasattr(table, "columns"):
        rows = [list(r) for r in table.to_numpy(dtype=object)]
        cols = list(table.columns)
        if cols != list(range(len(cols))):
            rows = [cols] + rows
        return rows
    if isinstance(table, (list, tuple)) and table and all(isinstance(r, (list, tuple)) for r in table):
        return [list(r) if len(r) else [None] for r in table]
    a = np.asarray(table, dtype=object)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise MbsxlInputError(f"deal has shape {a.shape}; pass one range, one row a line of the deal table")
    return [list(r) for r in a]


# ------------------------------------------------------------------ the parser
class _Parser:
    def __init__(self):
        self.found, self.refused = [], []

    def err(self, block, row, label, message):
        self.refused.append((BLOCKS[block][0], row, label, message))

    def ok(self, block, row, label, detail):
        self.found.append((BLOCKS[block][0], row, label, detail))

    # -- splitting the range into blocks
    def blocks(self, rows):
        out = {}
        cur = None
        for r, row in enumerate(rows, start=1):
            if all(_blank(c) for c in row):
                cur = None
                continue
            key = _title(row)
            if key is not None:
                if key in out:
                    self.err(key, r, "title", f"block {BLOCKS[key][0]} appears twice (first at row {out[key][0]}); "
                             "put all its rows in one block")
                    cur = None
                    continue
                cols = {}
                for c, cell in enumerate(row[1:], start=1):
                    if _blank(cell):
                        continue
                    name = _label_of(key, cell)
                    if name is None:
                        self.err(key, r, _text(cell), f"label {_text(cell)!r} is not a column of this block; accepted: "
                                 + ", ".join(f"{al[1]} {al[0]}" if len(al) > 1 else al[0] for al in LABELS[key].values()))
                    elif name in cols:
                        self.err(key, r, _text(cell), f"column {name} appears twice")
                    else:
                        cols[name] = c
                for need in REQUIRED[key]:
                    if need not in cols:
                        self.err(key, r, need, f"the block has no {need} column ({' / '.join(LABELS[key][need][:3])})")
                out[key] = (r, cols, [])
                cur = key
                continue
            if cur is None:
                self.refused.append(("(no block)", r, _text(row[0]), f"row {r} ({_text(row[0])!r}) is outside any block: "
                                     "a block starts at a row whose first cell is a block title ("
                                     + ", ".join(t for t, _ in BLOCKS.values()) + ")"))
                continue
            out[cur][2].append((r, row))
        return out

    @staticmethod
    def cell(row, cols, name):
        c = cols.get(name)
        return None if c is None or c >= len(row) else row[c]

    def number(self, block, r, label, x, *, lo=None, hi=None, default=None, blank_ok=True):
        if _blank(x):
            if default is None and not blank_ok:
                self.err(block, r, label, "is empty; pass a number")
            return default
        try:
            val = float(x)
        except (TypeError, ValueError):
            self.err(block, r, label, f"{x!r} is not a number")
            return default
        if not math.isfinite(val) or (lo is not None and val < lo) or (hi is not None and val > hi):
            self.err(block, r, label, f"{val:g} is outside [{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]")
            return default
        return val

    def word(self, block, r, label, x, table: dict, default=None):
        s = _norm(_text(x)) if not _blank(x) else ""
        if s == "" and default is not None:
            return default
        for k, val in table.items():
            if _norm(str(k)) == s:
                return val
        self.err(block, r, label, f"{_text(x)!r} is not accepted; accepted: {', '.join(map(str, table))}")
        return default

    # -- the blocks
    def parse(self, table) -> Deal:
        rows = _rows(table)
        b = self.blocks(rows)
        for key in ("classes", "ledgers", "priority"):
            if key not in b:
                self.refused.append((BLOCKS[key][0], 0, "title", f"the deal table has no {BLOCKS[key][0]} block (a row "
                                     f"whose first cell is {BLOCKS[key][0]!r}, its other cells the labels)"))
        scheds = self.schedules(b.get("schedules"))
        classes = self.classes(b.get("classes"), scheds)
        fees = self.fees(b.get("fees"))
        ledgers = self.ledgers(b.get("ledgers"), scheds)
        settings = self.settings(b.get("settings"))
        steps, statuses = self.priority(b.get("priority"), classes, fees, ledgers)
        events = self.events(b.get("events"), classes, statuses, scheds, ledgers)
        self.reachable(b, statuses, events)
        self.funded(steps, ledgers)
        self.interest_of(b.get("ledgers"), ledgers, classes)
        self.calendar(settings)
        extra = {k: settings[k] for k in ("cleanup_price", "cleanup_from", "call_period", "payment_frequency",
                                          "day_count", "closing_date", "first_payment_date") if k in settings}
        deal = Deal(classes, fees, ledgers, steps, events, scheds, statuses, settings.get("cleanup_call", 0.0),
                    settings.get("writedown", 0), settings.get("pool_balance"), self.found, self.refused, **extra)
        return deal

    def schedules(self, blk):
        out = {}
        if blk is None:
            return out
        _, cols, body = blk
        for r, row in body:
            name = _text(row[0])
            f = self.number("schedules", r, "from", self.cell(row, cols, "from"), lo=1, blank_ok=False)
            to = self.number("schedules", r, "to", self.cell(row, cols, "to"), lo=1)
            val = self.number("schedules", r, "value", self.cell(row, cols, "value"), blank_ok=False)
            if f is None or val is None:
                continue
            if not float(f).is_integer() or (to is not None and (not float(to).is_integer() or to < f)):
                self.err("schedules", r, "from", f"periods {f:g}..{to} are not whole periods from <= to")
                continue
            out.setdefault(name.lower(), []).append((int(f), None if to is None else int(to), val, r))
            self.ok("schedules", r, name, f"periods {int(f)}-{'end' if to is None else int(to)}: {val:g}")
        for name, rows in out.items():
            rows.sort(key=lambda x: x[0])
        return out

    def classes(self, blk, scheds):
        out = []
        if blk is None:
            return out
        _, cols, body = blk
        for r, row in body:
            name = _text(row[0])
            if any(c.name.lower() == name.lower() for c in out):
                self.err("classes", r, "name", f"class {name!r} is listed twice")
                continue
            bal = self.number("classes", r, "balance", self.cell(row, cols, "balance"), lo=0.0, blank_ok=False)
            cc = self.cell(row, cols, "coupon")
            csched = None
            if isinstance(cc, str) and not re.fullmatch(r"\s*[\d.eE+-]+\s*", cc):
                if cc.strip().lower() not in scheds:
                    self.err("classes", r, "coupon", f"{cc!r} is neither a number nor a schedule of the 计划 Schedules "
                             "block")
                    continue
                csched, cpn = cc.strip(), 0.0
                big = [x for x in scheds[csched.lower()] if abs(x[2]) > 1]
                if big:
                    self.err("schedules", big[0][3], "value", f"coupon schedule {csched!r} has {big[0][2]:g}, which "
                             "looks like a percent; pass decimals")
                    continue
            else:
                cpn = self.number("classes", r, "coupon", cc, lo=-1.0, hi=1.0, default=0.0)
            flt = self.word("classes", r, "rate_type", self.cell(row, cols, "rate_type"),
                            {"fixed": False, "固定": False, "floating": True, "浮动": True, "float": True}, default=False)
            sched = _text(self.cell(row, cols, "schedule")) or None
            carry = self.word("classes", r, "carry", self.cell(row, cols, "carry"), CARRY, default=1)
            oc = self.number("classes", r, "oc_target", self.cell(row, cols, "oc_target"), lo=0.0, hi=1.0,
                             default=math.nan)
            ocf = self.number("classes", r, "oc_floor", self.cell(row, cols, "oc_floor"), lo=0.0, hi=1.0, default=0.0)
            ccap = self.number("classes", r, "coupon_cap", self.cell(row, cols, "coupon_cap"), lo=0.0, hi=1.0,
                               default=math.inf)
            cflo = self.number("classes", r, "coupon_floor", self.cell(row, cols, "coupon_floor"), lo=0.0, hi=1.0,
                               default=-math.inf)
            if cflo > ccap:
                self.err("classes", r, "coupon_floor", f"{cflo:g} is above the coupon cap {ccap:g}")
                continue
            if ocf > 0 and not math.isfinite(oc):
                self.err("classes", r, "oc_floor", f"{ocf:g}: an OC floor needs the class's oc_target")
                continue
            if sched is not None:
                if sched.lower() not in scheds:
                    self.err("classes", r, "schedule", f"schedule {sched!r} is not in the 计划 Schedules block")
                    sched = None
                else:
                    vals = [x[2] for x in scheds[sched.lower()]]
                    rise = [i for i in range(1, len(vals)) if vals[i] > vals[i - 1] + 1e-9]
                    if rise:
                        rr = scheds[sched.lower()][rise[0]][3]
                        self.err("schedules", rr, "value", f"target schedule {sched!r} of class {name} rises to "
                                 f"{vals[rise[0]]:g} after {vals[rise[0] - 1]:g}; target balances must not increase")
                    elif bal is not None and vals and vals[0] > bal * (1 + 1e-12):
                        self.err("classes", r, "schedule", f"schedule {sched!r} starts at {vals[0]:g}, above the "
                                 f"class balance {bal:g}")
            if bal is None:
                continue
            out.append(DealClass(name, bal, cpn, flt, sched, carry, r, oc, csched, ocf, ccap, cflo))
            self.ok("classes", r, name, f"balance {bal:,.2f}, {'index + ' if flt else ''}{csched or f'{cpn:g}'}, "
                    f"{'target ' + sched if sched else 'pass-through'}, unpaid interest "
                    f"{['forgone', 'carried', 'carried with interest'][carry]}"
                    f"{f', OC target {oc:g}' if math.isfinite(oc) else ''}{f', OC floor {ocf:g}' if ocf else ''}"
                    f"{f', coupon at most {ccap:g}' if math.isfinite(ccap) else ''}"
                    f"{f', coupon at least {cflo:g}' if math.isfinite(cflo) else ''}")
        if blk is not None and not out:
            self.err("classes", blk[0], "name", "the block has no class")
        return out

    def fees(self, blk):
        out = []
        if blk is None:
            return out
        _, cols, body = blk
        for r, row in body:
            name = _text(row[0])
            rate = self.number("fees", r, "rate", self.cell(row, cols, "rate"), lo=0.0, blank_ok=False)
            base = self.word("fees", r, "base", self.cell(row, cols, "base"), FEE_BASES, default=0)
            if rate is not None and base != 2 and rate > 1:
                self.err("fees", r, "rate", f"{rate:g} looks like a percent; pass a decimal ({rate / 100:g})")
                continue
            inc = self.word("fees", r, "inclusive", self.cell(row, cols, "inclusive"),
                            {**{k: True for k in YES}, **{k: False for k in NO}}, default=False)
            sur = self.number("fees", r, "surcharge", self.cell(row, cols, "surcharge"), lo=0.0, hi=1.0, default=0.0)
            cap = self.number("fees", r, "cap", self.cell(row, cols, "cap"), lo=0.0, default=math.inf)
            carry = self.word("fees", r, "carry", self.cell(row, cols, "carry"), CARRY, default=1)
            arr = self.number("fees", r, "arrears_rate", self.cell(row, cols, "arrears_rate"), lo=0.0, default=0.0)
            if arr > 1:
                self.err("fees", r, "arrears_rate", f"{arr:g} looks like a percent; pass a decimal ({arr / 100:g})")
                continue
            if arr > 0 and carry == 0:
                self.err("fees", r, "arrears_rate", f"{arr:g}: an unpaid fee earns it only when carried; carry is no")
                continue
            if rate is None:
                continue
            if any(f.name.lower() == name.lower() for f in out):
                self.err("fees", r, "name", f"fee {name!r} is listed twice")
                continue
            out.append(Fee(name, rate, base, inc, sur, cap, carry > 0, r, arr))
            self.ok("fees", r, name, f"{rate:g} on {['the pool balance (annual)', 'interest collections', 'fixed yuan a year', 'the disposal costs', 'the collections', 'the new excess over expected collections', 'the shares of pay_share steps'][base]}"
                    f"{' tax-inclusive' if inc else ''}{f', surcharge {sur:g}' if sur else ''}"
                    f"{f', cap {cap:,.2f} a period' if math.isfinite(cap) else ''}"
                    f"{f', unpaid fee earns {arr:g} a year' if arr else ''}")
        return out

    def ledgers(self, blk, scheds):
        out = []
        if blk is None:
            return out
        _, cols, body = blk
        for r, row in body:
            name = _text(row[0])
            rec = self.word("ledgers", r, "receives", self.cell(row, cols, "receives"), RECEIVES, default=0)
            res = self.word("ledgers", r, "type", self.cell(row, cols, "type"),
                            {"ledger": False, "分账户": False, "账户": False, "reserve": True, "储备": True,
                             "储备账户": True}, default=False)
            tcell = self.cell(row, cols, "target")
            target = 0.0
            if not _blank(tcell):
                if isinstance(tcell, str) and not re.fullmatch(r"[\d.eE+-]+", tcell.strip()):
                    if tcell.strip().lower() not in scheds:
                        self.err("ledgers", r, "target", f"{tcell!r} is neither a number nor a schedule of the 计划 "
                                 "Schedules block")
                    target = tcell.strip()
                else:
                    target = self.number("ledgers", r, "target", tcell, lo=0.0, default=0.0)
            init = self.number("ledgers", r, "initial", self.cell(row, cols, "initial"), lo=0.0, default=0.0)
            ip = self.number("ledgers", r, "interest_periods", self.cell(row, cols, "interest_periods"), lo=0.0,
                             hi=24.0, default=0.0)
            iof = _text(self.cell(row, cols, "interest_of")) or None
            if (ip > 0 or iof) and not res:
                self.err("ledgers", r, "interest_periods", f"ledger {name!r} is not a reserve (type reserve); only a "
                         "reserve's target counts periods of interest")
                continue
            ratio = self.number("ledgers", r, "target_ratio", self.cell(row, cols, "target_ratio"), lo=0.0, hi=1.0,
                                default=0.0)
            rof = _text(self.cell(row, cols, "ratio_of")) or None
            if rof is not None and _norm(rof) in ("pool", "资产池", "pool_balance"):
                rof = None
            floor = self.number("ledgers", r, "floor", self.cell(row, cols, "floor"), lo=0.0, default=0.0)
            if (ratio > 0 or rof or floor > 0) and not res:
                self.err("ledgers", r, "target_ratio", f"ledger {name!r} is not a reserve (type reserve); only a "
                         "reserve has a target ratio or floor")
                continue
            wf = self.word("ledgers", r, "with_fees", self.cell(row, cols, "with_fees"),
                           {**{k: True for k in YES}, **{k: False for k in NO}, "fees": "fees", "仅费用": "fees",
                            "fees_only": "fees"}, default=False)
            basis = self.word("ledgers", r, "interest_basis", self.cell(row, cols, "interest_basis"),
                              INTEREST_BASES, default="next")
            if basis == "current" and not ip > 0:
                self.err("ledgers", r, "interest_basis", "interest_basis current counts interest_periods periods of "
                         "this period's interest; give interest_periods (e.g. 3)")
                continue
            if wf and not ip > 0:
                self.err("ledgers", r, "with_fees", "with_fees counts the fees for interest_periods periods; give "
                         "interest_periods (e.g. 1)")
                continue
            if ip > 0 and iof is None:
                self.err("ledgers", r, "interest_of", f"interest_periods {ip:g} needs the classes whose interest the "
                         "target counts (e.g. A1+A2)")
                continue
            if any(x.name.lower() == name.lower() for x in out):
                self.err("ledgers", r, "name", f"ledger {name!r} is listed twice")
                continue
            out.append(Ledger(name, rec, res, target, init, r, ip, iof, ratio, rof, floor, wf, basis))
            self.ok("ledgers", r, name, f"{'reserve' if res else 'ledger'}, receives "
                    f"{['nothing', 'interest', 'principal', 'interest and principal'][rec]}"
                    f"{f', target {target} + {ip:g} period(s) of the {basis} interest of {iof}' if ip else ''}"
                    f"{' and of the fees' if wf == 'fees' else ' and of the fees and taxes' if wf else ''}"
                    f"{(', + ' + format(ratio, 'g') + ' x the balance of ' + (rof or 'the pool')) if ratio else ''}"
                    f"{f', at least {floor:,.2f}' if floor else ''}")
        if out and not any(x.receives & 2 for x in out):
            self.err("ledgers", blk[0], "receives", "no ledger receives principal; mark one 'principal' or 'both'")
        if out and not any(x.receives & 1 for x in out):
            self.err("ledgers", blk[0], "receives", "no ledger receives interest; mark one 'interest' or 'both'")
        if sum(1 for x in out if x.receives & 1) > 1 or sum(1 for x in out if x.receives & 2) > 1:
            self.err("ledgers", blk[0], "receives", "two ledgers receive the same collections; one ledger receives "
                     "the interest, one the principal")
        return out

    def settings(self, blk):
        out = {}
        if blk is None:
            return out
        _, cols, body = blk
        for r, row in body:
            key = next((k for k, al in SETTINGS.items() if _match(row[0], al)), None)
            val = self.cell(row, cols, "value")
            if key is None:
                self.err("settings", r, _text(row[0]), f"{_text(row[0])!r} is not a setting; accepted: "
                         + ", ".join(f"{al[1]} {k}" for k, al in SETTINGS.items()))
            elif key == "cleanup_call":
                x = self.number("settings", r, "value", val, lo=0.0, hi=1.0, default=0.0)
                out[key] = x
                self.ok("settings", r, key, f"clean-up call at pool factor {x:g}")
            elif key == "cleanup_price":
                if isinstance(val, str) and _norm(val) in ("par_accrued", "本金加应计利息", "par+accrued", "par_+_accrued"):
                    out[key] = "par_accrued"
                    self.ok("settings", r, key, "clean-up call at par plus accrued interest")
                else:
                    x = self.number("settings", r, "value", val, lo=0.0, hi=2.0, default=None)
                    if x is not None:
                        out[key] = x
                        self.ok("settings", r, key, f"clean-up call at {x:g} x the pool's balance")
            elif key in ("cleanup_from", "call_period") and _is_date(val):
                out[key] = _as_date(key, val)
                out[key + "_row"] = r
                self.ok("settings", r, key, f"{'clean-up call not before' if key == 'cleanup_from' else 'called on'} the "
                        f"first payment date on or after {out[key]}")
            elif key in ("cleanup_from", "call_period", "payment_frequency"):
                x = self.number("settings", r, "value", val, lo=1.0, default=None, blank_ok=False)
                if x is None:
                    continue
                if not float(x).is_integer():
                    self.err("settings", r, "value", f"{key} {x:g} is not a whole number of periods")
                elif key == "payment_frequency" and x not in (1, 2, 3, 6, 12):
                    self.err("settings", r, "value", f"payment_frequency {x:g} is not accepted; accepted: 1 (monthly), "
                             "3 (quarterly), 6, 12 (months a payment period), 2")
                else:
                    out[key] = int(x)
                    self.ok("settings", r, key, {"cleanup_from": f"clean-up call not before period {int(x)}",
                                                 "call_period": f"called in period {int(x)} whatever the pool factor",
                                                 "payment_frequency": f"paid every {int(x)} month(s)"}[key])
            elif key == "day_count":
                from mbsxl import options as _opt
                out["_day_count_row"] = r
                try:
                    out[key] = _opt.basis(_text(val), "day_count")
                    self.ok("settings", r, key, f"interest and fees accrue {out[key]}")
                except MbsxlInputError as e:
                    self.err("settings", r, "value", str(e))
            elif key in ("closing_date", "first_payment_date"):
                try:
                    out[key] = _as_date(key, val)
                    self.ok("settings", r, key, str(out[key]))
                except MbsxlInputError as e:
                    self.err("settings", r, "value", str(e))
            elif key == "writedown":
                out[key] = self.word("settings", r, "value", val, WRITEDOWNS, default=0)
                self.ok("settings", r, key, ["pool losses write classes down bottom-up",
                                             "no write-down; what is owed at the end is the loss"][out[key]])
            else:
                x = self.number("settings", r, "value", val, lo=0.0, default=None)
                if x is not None and x > 0:
                    out[key] = x
                    self.ok("settings", r, key, f"pool balance at period 1: {x:,.2f}")
        return out

    def priority(self, blk, classes, fees, ledgers):
        steps, statuses = [], []
        if blk is None:
            return steps, statuses
        _, cols, body = blk
        cls = {c.name.lower(): c.name for c in classes}
        fee = {f.name.lower(): f.name for f in fees}
        led = {x.name.lower(): x for x in ledgers}
        seen, prev = {}, {}
        for r, row in body:
            status = _text(row[0])
            lg = _text(self.cell(row, cols, "ledger"))
            step = self.number("priority", r, "step", self.cell(row, cols, "step"), blank_ok=False)
            act_s = _text(self.cell(row, cols, "action"))
            act = ACTION_ALIASES.get(act_s, _norm(act_s))
            target = _text(self.cell(row, cols, "target"))
            lim_c = self.cell(row, cols, "limit")
            note = _text(self.cell(row, cols, "note"))
            if not status:
                self.err("priority", r, "status", "is empty; name the deal status (e.g. normal / 正常)")
                continue
            if lg.lower() not in led:
                self.err("priority", r, "ledger", f"{lg!r} is not a ledger of the 账户 Ledgers block "
                         f"({', '.join(x.name for x in ledgers)})")
                continue
            if step is None:
                continue
            if act not in ACTIONS:
                self.err("priority", r, "action", f"{act_s!r} is not an action; accepted: {', '.join(ACTIONS)}")
                continue
            a = ACTIONS[act]
            key = (status.lower(), lg.lower(), step)
            if key in seen:
                self.err("priority", r, "step", f"step {step:g} of ledger {lg} in status {status} repeats row {seen[key]}; "
                         "number the steps of a ledger once each")
                continue
            ok = True
            if a.target == "class" or a.target == "group":
                parts = [p.strip() for p in target.split("+")] if target else []
                bad = [p for p in parts if p.lower() not in cls]
                if not parts or bad or (a.target == "class" and len(parts) > 1):
                    self.err("priority", r, "target", f"{target!r} is not {'a class' if a.target == 'class' else 'a class or classes joined by +'} "
                             f"({', '.join(c.name for c in classes)})")
                    ok = False
                else:
                    target = "+".join(cls[p.lower()] for p in parts)
            elif a.target == "fee":
                if target.lower() not in fee:
                    self.err("priority", r, "target", f"{target!r} is not a fee or tax of the 费用税收 Fees block "
                             f"({', '.join(f.name for f in fees) or 'none listed'})")
                    ok = False
                else:
                    target = fee[target.lower()]
            elif a.target in ("ledger", "reserve"):
                t = led.get(target.lower())
                if t is None or (a.target == "reserve" and not t.reserve):
                    kind = "a reserve ledger (type reserve)" if a.target == "reserve" else "a ledger"
                    self.err("priority", r, "target", f"{target!r} is not {kind} of the 账户 Ledgers block")
                    ok = False
                elif t.name.lower() == lg.lower():
                    self.err("priority", r, "target", f"{target!r} is the paying ledger itself")
                    ok = False
                else:
                    target = t.name
            lim = None
            if not _blank(lim_c):
                s = _text(lim_c)
                w = LIMIT_ALIASES.get(s, _norm(s))
                if w in a.limits:
                    lim = w
                    if w == "target" and act == "pay_principal":
                        no = [p for p in target.split("+") if p and next((c for c in classes if c.name == p), None)
                              and next(c for c in classes if c.name == p).schedule is None]
                        if no:
                            self.err("priority", r, "limit", f"limit target: class {no[0]} has no target schedule "
                                     "(column schedule of the 分档 Classes block)")
                            ok = False
                    if w == "oc":
                        last = next((c for c in classes if c.name == target.split("+")[-1]), None)
                        if last is not None and not math.isfinite(last.oc_target):
                            self.err("priority", r, "limit", f"limit oc: class {last.name} has no oc_target (column "
                                     "目标超额抵押 oc_target of the 分档 Classes block)")
                            ok = False
                    if w == "cap" and target.lower() in fee:
                        f = next(f for f in fees if f.name.lower() == target.lower())
                        if not math.isfinite(f.cap):
                            self.err("priority", r, "limit", f"limit cap: fee {f.name} has no cap (column cap of the 费用税收 Fees block)")
                            ok = False
                elif "amount" in a.limits and re.fullmatch(r"[\d.eE+-]+", s):
                    lim = self.number("priority", r, "limit", s, lo=0.0)
                else:
                    acc = ", ".join(x if x != "amount" else "a number of yuan" for x in a.limits) or "none (leave it empty)"
                    self.err("priority", r, "limit", f"{s!r} is not a limit of {act}; accepted: {acc}")
                    ok = False
            if act == "pay_share" and ok and not (isinstance(lim, float) and 0.0 < lim <= 1.0):
                self.err("priority", r, "limit", f"pay_share needs the share as its limit, a decimal in (0, 1] (0.2 = "
                         f"20%); got {_text(lim_c)!r}")
                ok = False
            elif act == "transfer" and _blank(lim_c):
                self.err("priority", r, "limit", "transfer needs a limit naming the amount: "
                         + ", ".join(x if x != "amount" else "a number of yuan" for x in a.limits))
                ok = False
            if not ok:
                continue
            last = prev.get(key[:2])
            if last is not None and step <= last[0]:
                self.err("priority", r, "step", f"step {step:g} of ledger {lg} in status {status} comes after step "
                         f"{last[0]:g} (row {last[1]}); steps run in the order listed, so number a ledger's steps "
                         "upwards")
                continue
            prev[key[:2]] = (step, r)
            seen[key] = r
            if status.lower() not in [s.lower() for s in statuses]:
                statuses.append(status)
            st = next(s for s in statuses if s.lower() == status.lower())
            steps.append(Step(st, led[lg.lower()].name, step, act, target, lim, note, r))
            self.ok("priority", r, f"{st} / {led[lg.lower()].name} / {step:g}",
                    f"{act} {target}{'' if lim is None else f' (limit {lim})'}")
        return steps, statuses

    def events(self, blk, classes, statuses, scheds, ledgers=()):
        out = []
        if blk is None:
            return out
        _, cols, body = blk
        st = {s.lower(): s for s in statuses}
        cls = {c.name.lower(): c.name for c in classes}
        for r, row in body:
            name = _text(row[0])
            m_s = _text(self.cell(row, cols, "measure"))
            m = MEASURE_ALIASES.get(m_s, _norm(m_s))
            if m not in MEASURES:
                self.err("events", r, "measure", f"{m_s!r} is not a measure; accepted: {', '.join(MEASURES)}")
                continue
            if any(e.name.lower() == name.lower() for e in out):
                self.err("events", r, "name", f"event {name!r} is listed twice")
                continue
            of = _text(self.cell(row, cols, "of")) or None
            kind = MEASURES[m][1]
            comps = ()
            if kind == "class":
                if of is None or of.lower() not in cls:
                    self.err("events", r, "of", f"measure {m} needs a class in column of; {of!r} is not one of "
                             f"{', '.join(c.name for c in classes)}")
                    continue
                of = cls[of.lower()]
            elif kind == "group" and of is not None:
                parts = [p.strip() for p in of.split("+")]
                bad = [p for p in parts if p.lower() not in cls]
                if bad:
                    self.err("events", r, "of", f"{of!r}: {bad[0]!r} is not a class ({', '.join(c.name for c in classes)}); "
                             "name the classes whose interest counts, joined by + (empty: all)")
                    continue
                of = "+".join(cls[p.lower()] for p in parts)
            elif kind == "reserve":
                res = [x for x in ledgers if x.reserve]
                hit = next((x for x in res if of is not None and x.name.lower() == of.lower()), None)
                if hit is None:
                    self.err("events", r, "of", f"measure {m} needs a reserve ledger in column of; {of!r} is not one of "
                             f"{', '.join(x.name for x in res) or 'none (no ledger of type reserve)'}")
                    continue
                of = hit.name
            elif kind == "events":
                parts = [p.strip() for p in (of or "").split("+") if p.strip()]
                known = {e.name.lower(): e.name for e in out}
                bad = [p for p in parts if p.lower() not in known]
                if not parts or bad:
                    self.err("events", r, "of", f"measure {m} combines events listed above it, joined by + (e.g. "
                             f"oc_pass+after_36); {(bad[0] if bad else of)!r} is not one "
                             f"({', '.join(e.name for e in out) or 'none listed above'})")
                    continue
                comps = tuple(known[p.lower()] for p in parts)
                of = "+".join(comps)
            elif of is not None:
                self.err("events", r, "of", f"measure {m} is a pool measure; leave of empty (got {of!r})")
                continue
            above = self.word("events", r, "compare", self.cell(row, cols, "compare"), ABOVE, default=True)
            tc = self.cell(row, cols, "threshold")
            if kind == "events":
                if not _blank(tc):
                    self.err("events", r, "threshold", f"{_text(tc)!r}: measure {m} combines events; leave threshold "
                             "empty")
                    continue
                thr, above = ((len(comps) - 0.5) if m == "all" else 0.5), m != "none"
            elif isinstance(tc, str) and not re.fullmatch(r"[\d.eE+-]+", tc.strip()):
                if tc.strip().lower() not in scheds:
                    self.err("events", r, "threshold", f"{tc!r} is neither a number nor a schedule of the 计划 Schedules block")
                    continue
                thr = tc.strip()
            else:
                thr = self.number("events", r, "threshold", tc, blank_ok=False)
                if thr is None:
                    continue
            per = self.number("events", r, "periods", self.cell(row, cols, "periods"), lo=1, default=1.0)
            avg = self.number("events", r, "average", self.cell(row, cols, "average"), lo=1, hi=24, default=1.0)
            if not float(avg).is_integer() or (avg > 1 and kind == "events"):
                self.err("events", r, "average", f"{avg:g}: average is a whole number of periods (1-24) and applies "
                         "to a measure, not to all / any / none")
                continue
            cure = self.word("events", r, "cure", self.cell(row, cols, "cure"),
                             {**{k: True for k in YES}, **{k: False for k in NO}}, default=False)
            to = _text(self.cell(row, cols, "to"))
            if not to:
                to_s = None
            elif to.lower() not in st:
                self.err("events", r, "to", f"status {to!r} has no priority of payments (statuses in the 偿付顺序 "
                         f"Priority block: {', '.join(statuses)}); leave it empty for an event that only feeds all / any")
                continue
            elif statuses and to.lower() == statuses[0].lower():
                self.err("events", r, "to", f"status {to!r} is the status at closing (the first in the 偿付顺序 Priority "
                         "block); an event moves the deal to a later status")
                continue
            else:
                to_s = st[to.lower()]
            out.append(Event(name, m, of, above, thr, int(per), cure, to_s, r, comps, int(avg)))
            what = f"{m}{'' if of is None else ' of ' + of}"
            if kind == "events":
                what = {"all": " and ".join(comps), "any": " or ".join(comps), "none": "none of " + ", ".join(comps)}[m]
            else:
                what += f"{f' averaged over {int(avg)} periods' if avg > 1 else ''} {'above' if above else 'below'} {thr}"
            self.ok("events", r, name, f"{what} for {int(per)} period(s) -> "
                    f"{to_s if to_s else '(no status change: a condition of all / any / none)'}{', cures' if cure else ''}")
        return out

    def calendar(self, st):
        """Day counts other than 30/360 need the dates; a call date becomes the payment period on or after it."""
        f = st.get("payment_frequency", 1)
        fp, cd = st.get("first_payment_date"), st.get("closing_date")
        if st.get("day_count", "30/360") != "30/360" and (fp is None or cd is None):
            self.err("settings", st.get("_day_count_row", 0), "day_count", f"day_count {st['day_count']} counts the days "
                     "between payment dates; add the settings closing_date (起息日) and first_payment_date (首个支付日)")
        if fp is not None and cd is not None and not cd < fp:
            self.err("settings", 0, "first_payment_date", f"first_payment_date {fp} is not after closing_date {cd}")
        for key in ("cleanup_from", "call_period"):
            d = st.get(key)
            if d is None or isinstance(d, int):
                continue
            if fp is None:
                self.err("settings", st[key + "_row"], key, f"{key} {d} is a date; add the setting first_payment_date "
                         "(首个支付日) to map it to a payment period, or give a period number")
                st.pop(key)
                continue
            from mbsxl import dates as _dates
            k = 1                                        # the payment months are f, 2f, ...; the k-th on fp + (k-1) f months
            while _dates.add_months(fp, (k - 1) * f) < d and k < 10000:
                k += 1
            st[key] = k * f
            self.ok("settings", st[key + "_row"], key, f"{d} is payment period {k} (month {k * f})")

    def interest_of(self, blk, ledgers, classes):
        """A reserve's interest_of and ratio_of name classes (joined by +)."""
        cls = {c.name.lower(): c.name for c in classes}
        for x in ledgers:
            if x.ratio_of is not None:
                parts = [p.strip() for p in x.ratio_of.split("+")]
                bad = [p for p in parts if p.lower() not in cls]
                if bad:
                    self.err("ledgers", x.row, "ratio_of", f"{x.ratio_of!r}: {bad[0]!r} is neither pool nor a class "
                             f"({', '.join(c.name for c in classes)})")
                    x.ratio_of, x.target_ratio = None, 0.0
                else:
                    x.ratio_of = "+".join(cls[p.lower()] for p in parts)
            if x.interest_of is None:
                continue
            parts = [p.strip() for p in x.interest_of.split("+")]
            bad = [p for p in parts if p.lower() not in cls]
            if bad:
                self.err("ledgers", x.row, "interest_of", f"{x.interest_of!r}: {bad[0]!r} is not a class "
                         f"({', '.join(c.name for c in classes)})")
                x.interest_of = None
                x.interest_periods = 0.0
            else:
                x.interest_of = "+".join(cls[p.lower()] for p in parts)

    def reachable(self, b, statuses, events):
        to = {e.to.lower() for e in events if e.to}
        first = {}
        for s in (b.get("priority") or (0, {}, []))[2]:
            first.setdefault(_text(s[1][0]).lower(), s[0])
        for s in statuses[1:]:
            if s.lower() not in to:
                self.err("priority", first.get(s.lower(), 0), "status", f"status {s!r} has steps but no event leads to "
                         "it (column to of the 事件 Events block)")

    def funded(self, steps, ledgers):
        """A ledger that receives no collections and that no step moves cash into cannot pay."""
        fed = {x.name for x in ledgers if x.receives or x.initial > 0}
        for s in steps:
            if s.action == "transfer":
                fed.add(s.target)
            if s.action in ("release_reserve", "draw_reserve"):
                fed.add(s.ledger)
        for s in steps:
            if s.ledger not in fed and s.action in ("pay_fee", "pay_tax", "pay_interest", "pay_principal", "pay_residual"):
                self.err("priority", s.row, "ledger", f"{s.action} {s.target} is paid from ledger {s.ledger}, which never "
                         "receives cash (no collections, no initial balance, no transfer into it)")


def _is_date(x) -> bool:
    """A date cell: a date, an ISO text, or an Excel serial date (a number from 20000, 1954-10-03)."""
    import datetime as _d
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return 20000 <= x < 100000
    return isinstance(x, (_d.date, np.datetime64)) or (isinstance(x, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}.*", x)
                                                        is not None)


def _as_date(key, x):
    """A date cell as a date (an Excel serial counts days from 1899-12-30, as Excel does after 1900-02-28)."""
    import datetime as _d
    if isinstance(x, (int, float)) and not isinstance(x, bool) and 20000 <= x < 100000:
        return _d.date(1899, 12, 30) + _d.timedelta(days=int(x))
    from mbsxl import dates as _dates
    return _dates.as_date(key, x)


def parse_deal(deal, strict: bool = True) -> Deal:
    """The deal table (module docstring) as a :class:`Deal`.  ``strict`` (default): refuse the table when
    any row is refused, with every reason (block, row, label); otherwise return what was understood
    (``Deal.refused`` lists the rest) - :func:`mbsxl.deal_check` uses that."""
    if isinstance(deal, Deal):
        return deal
    key = _hashable(deal)
    d = _parsed(key) if key is not None else _Parser().parse(deal)
    if strict and d.refused:
        lines = [f"block {b}, row {r}, column {lab}: {msg}" for b, r, lab, msg in d.refused]
        more = f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
        raise MbsxlInputError("deal table: " + "; ".join(lines[:5]) + more)
    return d


def _hashable(deal):
    """A list of rows as a tuple key (for the cache of parsed tables), or None (a DataFrame, a dict)."""
    if not isinstance(deal, (list, tuple)):
        return None
    try:
        key = tuple(tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in deal)
        hash(key)
        return key
    except TypeError:
        return None


@functools.lru_cache(maxsize=32)
def _parsed(key) -> Deal:
    """Parsed tables, kept: a workbook's deal functions and a grid's scenarios parse one table once (a
    :class:`Deal` is never changed after parsing)."""
    return _Parser().parse([list(r) for r in key])
