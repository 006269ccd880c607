"""Issue 19, item 3: does the deal table reproduce the Triggers sheet's positional mechanisms month by month?

The Triggers sheet of the Jianyuan 2007-1 deal review (mbsxl/templates/deal_review_triggers.py) runs
MBS_TRANCHES(..., view="pool", vat_rate 3%, triggers, reserve 3 months, principal_cover, delinquency 0.5%,
senior_classes 1) on the prospectus scenario.  This script writes the same mechanisms as deal-table rows
(:func:`table`), runs both on the same pool and prints, column by column, the months that differ and the
largest difference.  ``python bench/triggers_vs_dealtable.py``.
"""
from __future__ import annotations

import sys

import numpy as np

import mbsxl
from mbsxl.deal import ledger as lg
from mbsxl.deal.dealtable import parse_deal
from mbsxl.reference import jianyuan as jy
from mbsxl.templates import deal_review_dealtable as D
from mbsxl.templates import deal_review_rating as R
from mbsxl.templates import deal_review_triggers as TR
from mbsxl.templates import jianyuan_deal_review as J


def pool():
    kw = R.python_args(J)
    p = mbsxl.cashflows(kw["balance"], J.WAC, J.WAM, jy.PROSPECTUS_CPR, "CPR", J.CDR, "CDR", J.SEVERITY, J.LAG,
                        J.SERVICING, J.AGE)
    return p, kw


def positional(p, kw):
    args = dict(index=kw["index"], floating=kw["floating"], fees=J.FEES, vat_rate=TR.VAT_RATE,
                triggers=[list(t[:4]) for t in TR.TRIGGERS], reserve=[["months", TR.RESERVE_MONTHS]],
                principal_cover=TR.PRINCIPAL_COVER, delinquency=TR.DELINQUENCY, senior_classes=TR.SENIOR_CLASSES)
    a = (None, None, kw["tranche_names"], kw["tranche_balances"], kw["tranche_coupons"], "sequential", J.CALL)
    return mbsxl.tranches(p, *a, view="pool", **args), mbsxl.tranches(p, *a, **args)


def table(basis: str | None = None) -> list:
    """The Jianyuan deal table (Deal table sheet) plus the Triggers sheet's mechanisms as rows."""
    names = list(jy.TRANCHES)
    cls = [["分档 Classes", "金额 balance", "利率 coupon", "利率类型 rate type", "累计 carry"]]
    cls += [[n, float(b), J.SPREADS[n], "floating" if J.FLOATING[n] else "fixed", "yes"] for n, b in jy.TRANCHES.items()]
    fees = [["费用税收 Fees", "费率 rate", "基数 base"], ["VAT", TR.VAT_RATE, "interest"], ["fees", J.FEES, "pool_balance"]]
    led = [["账户 Ledgers", "收入来源 receives", "类型 type", "目标利息期数 interest_periods", "利息对象 interest_of",
            "含费用 with_fees"] + (["目标利息期 interest_basis"] if basis else []),
           ["income", "interest", "ledger"], ["principal", "principal", "ledger"],
           ["reserve", "none", "reserve", TR.RESERVE_MONTHS, names[0], "fees" if basis == "current" else "yes"] + ([basis] if basis else [])]
    steps_income_1 = [("pay_tax", "VAT", None), ("pay_fee", "fees", None), ("pay_interest", names[0], None),
                      ("draw_reserve", "reserve", None)]
    steps_income_2 = [("pay_fee", "fees", None), ("pay_interest", names[0], None), ("fund_reserve", "reserve", None)]
    pri = [["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]]
    for status in ("normal", "default", "accelerated"):
        k = 0
        rows = []
        for a, t, lim in steps_income_1:
            k += 1
            rows.append([status, "income", k, a, t, lim])
        rows.append([status, "principal", 1, "transfer", "income", "shortfall"])
        for a, t, lim in steps_income_2:
            k += 1
            rows.append([status, "income", k, a, t, lim])
        if status != "accelerated":                       # block_release
            k += 1
            rows.append([status, "income", k, "release_reserve", "reserve", None])
        if status == "normal":
            for n in names[1:-1]:
                k += 1
                rows.append([status, "income", k, "pay_interest", n, None])
            rows.append([status, "income", k + 1, "pay_residual", names[-1], None])
        else:                                             # stop_subordinate: the interest left pays principal
            rows.append([status, "income", k + 1, "transfer", "principal", "all"])
        for j, n in enumerate(names):
            rows.append([status, "principal", 2 + j, "pay_principal", n, None])
        rows.append([status, "principal", 2 + len(names), "release", None, None])
        pri += rows
    ev = [["事件 Events", "指标 measure", "对象 of", "阈值 threshold", "连续期数 periods", "转入状态 to"],
          ["cdr", "cumulative_default", None, 0.02, 1, "accelerated"],
          ["dq90", "delinquency_90", None, 0.03, 3, None],
          ["senior_short", "interest_shortfall", names[0], 1e-9, 1, "default"]]
    st = [["参数 Settings", "数值 value"], ["cleanup_call", J.CALL]]
    return cls + [[None]] + fees + [[None]] + led + [[None]] + pri + [[None]] + ev + [[None]] + st


def compare(basis=None, out=sys.stdout):
    p, kw = pool()
    pv, cv = positional(p, kw)
    d = parse_deal(table(basis))
    T = len(p)
    r = lg.run(d, p, index=kw["index"], delinquency=TR.DELINQUENCY)
    flows = mbsxl.deal_flows(p, table(basis), index=kw["index"], delinquency=TR.DELINQUENCY)
    led = mbsxl.deal_flows(p, table(basis), view="ledgers", index=kw["index"], delinquency=TR.DELINQUENCY)
    res = led[led.iloc[:, 1].astype(str).str.contains("reserve")] if False else None
    diffs = {}
    # classes: every column of the classes view against the positional classes table
    for col in cv.columns:
        if col in ("Class", "Period") or col not in flows.columns:
            continue
        a = cv[col].to_numpy(dtype=float)
        b = flows[col].to_numpy(dtype=float)
        dd = np.abs(a - b)
        diffs[f"classes {col}"] = (dd.max(), int((dd > 1e-6).sum()))
    # reserve balance, target, draw; VAT, fees
    g = [x.name for x in d.ledgers].index("reserve")
    bal = r.ledgers[0, :, g, 2]
    diffs["Reserve Balance"] = (np.abs(bal - pv["Reserve Balance"].to_numpy()).max(),
                                int((np.abs(bal - pv["Reserve Balance"].to_numpy()) > 1e-6).sum()))
    fee = r.fees[0]
    for j, col in ((0, "VAT"), (1, "Fees Due")):
        x = np.abs(fee[:, j, 0] - pv[col].to_numpy())
        diffs[col] = (x.max(), int((x > 1e-6).sum()))
    for k, v in diffs.items():
        print(f"{k:32s} max |diff| {v[0]:.3e}  months > 1e-6: {v[1]}", file=out)
    return diffs, pv, r, d


if __name__ == "__main__":
    compare(sys.argv[1] if len(sys.argv) > 1 else None)
