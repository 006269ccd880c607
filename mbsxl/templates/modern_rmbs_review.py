"""Template ``modern_rmbs_review.xlsx``: an illustrative 2020s Chinese RMBS written as a deal table (issue 19).

Every figure of the deal and the pool is an **assumption for illustration** (labelled as such in the
workbook), not a real transaction: priority A1 on a 固定摊还 target schedule, A2 pass-through, both
floating at LPR 5y + a (negative) spread; a subordinate class with a 2% interim return (期间收益);
VAT 3% on a tax-inclusive base with 12% surcharges, trustee / custodian / rating fees (the rating fee
capped); income and principal ledgers and a liquidity reserve; default-principal cover (违约本金补足);
principal used for senior interest and repaid; a cumulative-default acceleration event on a schedule;
an event of default (senior interest unpaid) switching to the merged order; clean-up call at 10%.

Sheets
------
- ``交易要素 Deal``: the deal table, one range (blocks found by their titles; rows can be added).
- ``资产池 Pool``: assumptions, a five-line illustrative tape (LPR 5y loans, 1 January repricing), the
  LPR 5y scenario (MBS_LPRSCENARIO), the senior classes' index by period (MBS_RATEINDEX) and the pool
  projected loan by loan with the LPR repricing arguments of MBS_LOANCASHFLOWS.
- ``分档 Classes``: MBS_DEALSTATS and MBS_DEALFLOWS (classes by month).
- ``账户 Ledgers``: MBS_DEALFLOWS view "ledgers": every step's amount, month by month.
- ``事件 Events``: MBS_DEALFLOWS view "events": each event's measure, threshold, state, the deal status.
- ``敏感性 Grid``: MBS_DEALGRID (A2's WAL over CPR x CDR) and MBS_DEALBREAKEVEN, on the pool as one
  representative loan (balance, WAC and WAM of the tape).
- ``检查 Check``: MBS_DEALCHECK (what the parser understood) and MBS_DEALFROMTRANCHES (the old
  positional arguments as a deal table).
- ``说明 Notes``: sources, conventions, what the deal table cannot express.

No formula is longer than 200 characters (tests/test_modern_template.py checks it).
"""
from __future__ import annotations

import datetime as _dt

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import columns as C
from ._book import Book, build_with_values, label

FILENAME = "modern_rmbs_review.xlsx"
DEAL = "交易要素 Deal"
POOL = "资产池 Pool"
CLASSES = "分档 Classes"
LEDGERS = "账户 Ledgers"
EVENTS = "事件 Events"
GRID = "敏感性 Grid"
CHECK = "检查 Check"
NOTES = "说明 Notes"

A = "assumption (illustrative)"
# ---------------------------------------------------------------- the deal table (all assumptions, illustrative)
PRIORITY_HEAD = ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit", "说明 note"]


def _steps(status, ledger, rows):
    return [[status, ledger, k, a, t, lim, note] for k, (a, t, lim, note) in enumerate(rows, start=1)]


SENIOR_FEES = [("pay_tax", "增值税及附加 VAT", None, "3% / 1.03 of interest, + 12% surcharges"),
               ("pay_fee", "受托费 trustee", None, ""), ("pay_fee", "托管费 custodian", None, ""),
               ("pay_fee", "评级费 rating", "cap", "up to its cap")]
DEAL_ROWS = [
    ["分档 Classes", "金额 balance", "利率 coupon", "利率类型 rate type", "目标余额 schedule", "累计 carry", "说明 note"],
    ["A1", 1_500_000_000, -0.0130, "floating", "A1目标", "yes", f"{A}: LPR 5y - 1.30%, 固定摊还"],
    ["A2", 3_000_000_000, -0.0110, "floating", None, "yes", f"{A}: LPR 5y - 1.10%, pass-through (过手)"],
    ["次级 Sub", 500_000_000, 0.02, "fixed", None, "no", f"{A}: 2% interim return (期间收益), not carried"],
    [None],
    ["费用税收 Fees", "费率 rate", "基数 base", "含税 inclusive", "附加 surcharge", "上限 cap", "说明 note"],
    ["增值税及附加 VAT", 0.03, "interest", "yes", 0.12, None, "3% simplified VAT (Caishui [2017] 56) + surcharges"],
    ["受托费 trustee", 0.0005, "pool_balance", None, None, None, f"{A}: 0.05% a year"],
    ["托管费 custodian", 0.0001, "pool_balance", None, None, None, f"{A}: 0.01% a year"],
    ["评级费 rating", 600_000, "fixed", None, None, 25_000, f"{A}: 600k yuan a year, 25k a month senior"],
    [None],
    ["账户 Ledgers", "收入来源 receives", "类型 type", "目标 target", "初始余额 initial", None, "说明 note"],
    ["收入 income", "interest", "ledger", None, None, None, "收入分账户"],
    ["本金 principal", "principal", "ledger", None, None, None, "本金分账户"],
    ["储备 reserve", "none", "reserve", 17_000_000, 0, None, f"{A}: about 2 months of senior interest"],
    [None],
    PRIORITY_HEAD,
    *_steps("正常 normal", "收入 income", SENIOR_FEES + [
        ("pay_interest", "A1+A2", None, "seniors pro rata"), ("draw_reserve", "储备 reserve", None, "shortfall"),
        ("pay_interest", "A1+A2", None, "after the draw"), ("fund_reserve", "储备 reserve", None, "to target"),
        ("transfer", "本金 principal", "borrowed", "repay principal used"),
        ("transfer", "本金 principal", "new_defaults", "违约本金补足"), ("pay_interest", "次级 Sub", None, "期间收益"),
        ("pay_fee", "评级费 rating", None, "above the cap"), ("transfer", "本金 principal", "all", "rest to principal")]),
    *_steps("正常 normal", "本金 principal", [
        ("pay_interest", "A1+A2", None, "cover senior interest"), ("pay_principal", "A1", "target", "固定摊还"),
        ("pay_principal", "A2", None, "过手"), ("pay_principal", "A1", None, "rest"),
        ("pay_principal", "次级 Sub", None, ""), ("pay_residual", "次级 Sub", None, "剩余收益")]),
    *_steps("加速清偿 accelerated", "收入 income", SENIOR_FEES + [
        ("pay_interest", "A1+A2", None, ""), ("draw_reserve", "储备 reserve", None, ""),
        ("pay_interest", "A1+A2", None, ""), ("transfer", "本金 principal", "all", "no interim return")]),
    *_steps("加速清偿 accelerated", "本金 principal", [
        ("pay_interest", "A1+A2", None, ""), ("pay_principal", "A1", None, "sequential"),
        ("pay_principal", "A2", None, ""), ("pay_principal", "次级 Sub", None, ""),
        ("pay_residual", "次级 Sub", None, "")]),
    *_steps("违约 default", "本金 principal", [("transfer", "收入 income", "all", "ledgers merged")]),
    *_steps("违约 default", "收入 income", SENIOR_FEES[:3] + [
        ("pay_fee", "评级费 rating", None, ""), ("pay_interest", "A1+A2", None, ""),
        ("draw_reserve", "储备 reserve", None, ""), ("pay_interest", "A1+A2", None, ""),
        ("pay_principal", "A1+A2", None, "pro rata"), ("pay_interest", "次级 Sub", None, ""),
        ("pay_principal", "次级 Sub", None, ""), ("pay_residual", "次级 Sub", None, "")]),
    [None],
    ["事件 Events", "指标 measure", "对象 of", "阈值 threshold", "连续期数 periods", "可恢复 cure", "转入状态 to"],
    ["加速清偿事件", "cumulative_default", None, "累计违约率上限", 1, "no", "加速清偿 accelerated"],
    ["违约事件 A1", "interest_shortfall", "A1", 0, 1, "no", "违约 default"],
    ["违约事件 A2", "interest_shortfall", "A2", 0, 1, "no", "违约 default"],
    [None],
    ["计划 Schedules", "起始期 from", "结束期 to", "数值 value", None, None, "说明 note"],
    ["A1目标", 1, 12, 1_300_000_000, None, None, f"{A}: A1 target after each period"],
    ["A1目标", 13, 24, 1_000_000_000], ["A1目标", 25, 36, 650_000_000], ["A1目标", 37, 48, 300_000_000],
    ["A1目标", 49, None, 0],
    ["累计违约率上限", 1, 12, 0.01, None, None, f"{A}: acceleration threshold by year"],
    ["累计违约率上限", 13, 24, 0.02], ["累计违约率上限", 25, 36, 0.03], ["累计违约率上限", 37, None, 0.04],
    [None],
    ["参数 Settings", "数值 value", None, None, None, None, "说明 note"],
    ["清仓回购 cleanup_call", 0.10, None, None, None, None, f"{A}: at 10% of the initial pool"],
    ["损失核销 writedown", "none", None, None, None, None, "no write-down; owed at the end = loss"],
]
R_DEAL = 5                                       # 0-based first row of the deal table
NCOL_DEAL = 7

# ---------------------------------------------------------------- the pool (assumptions, illustrative)
START = _dt.date(2025, 7, 1)
POOL_INPUTS = [  # key, zh, en, value, fmt, note
    ("start", "首个预测月", "First projection month", START, "date", A),
    ("cpr", "提前还款率", "CPR", 0.08, "pct", A),
    ("cdr", "违约率", "CDR", 0.01, "pct", A),
    ("severity", "损失率", "Loss severity", 0.40, "pct", A),
    ("lag", "回收滞后(月)", "Recovery lag, months", 12, "int", A),
    ("servicing", "贷款服务费率", "Servicing fee (annual, off the pool's interest)", 0.001, "pct", A),
    ("shift", "LPR情景变动", "LPR 5y scenario: change from the last fixing", -0.0025, "pct", f"{A}: -25 bp"),
    ("months", "情景月数", "Scenario months (linear)", 24, "int", A),
    ("price", "价格(每百元面值)", "Price per 100 of face (yields)", 100.0, "dec2", "for MBS_DEALSTATS"),
    ("comp", "年复利次数", "Yield compounding a year", 1, "int", "1: Chinese bond convention"),
]
P = {key: 3 + i for i, (key, *_r) in enumerate(POOL_INPUTS)}
TAPE = [  # balance, rate, remaining term, age, spread over LPR 5y
    (1_200_000_000, 0.0320, 300, 60, -0.0030), (1_000_000_000, 0.0340, 240, 84, -0.0010),
    (1_100_000_000, 0.0350, 330, 30, 0.0000), (900_000_000, 0.0310, 180, 120, -0.0040),
    (800_000_000, 0.0330, 360, 12, -0.0020)]
R_TAPE = P["comp"] + 3                          # tape header row (0-based)
T = max(x[2] for x in TAPE)                     # projection months
R_LPR = R_TAPE + len(TAPE) + 3                  # LPR scenario header (spills below)


def _lpr_rows() -> int:
    import mbsxl
    return len(mbsxl.lpr_scenario(POOL_INPUTS[6][3], POOL_INPUTS[7][3]))


R_PT = R_LPR + _lpr_rows() + 3                  # pool table header (MBS_LOANCASHFLOWS spills from here)
NCOL_PT = len(C.CASHFLOW_COLUMNS)
C_IDX = NCOL_PT + 1                             # period date, then index column


def _abs(sheet, r, c):
    return f"'{sheet}'!{xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)}"


def _rng(sheet, r0, c0, r1, c1):
    a = xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)
    b = xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)
    return f"'{sheet}'!{a}:{b}"


DEAL_REF = _rng(DEAL, R_DEAL, 0, R_DEAL + len(DEAL_ROWS) - 1, NCOL_DEAL - 1)
POOL_REF = _rng(POOL, R_PT, 0, R_PT + T, NCOL_PT - 1)
INDEX_REF = _rng(POOL, R_PT + 1, C_IDX + 1, R_PT + T, C_IDX + 1)


def _fmt(v, col):
    if isinstance(v, str) or v is None:
        return "general"
    if float(v).is_integer() and abs(v) < 1000:
        return "int"
    return "yuan" if abs(v) >= 1000 else "pct3"


def _python_pool():
    """The pool table and index as the workbook computes them (to size the spilled ranges)."""
    import mbsxl
    scen = mbsxl.lpr_scenario(POOL_INPUTS[6][3], POOL_INPUTS[7][3])
    dates, rates = list(scen.iloc[:, 0]), list(scen.iloc[:, 1])
    v = {k: x for k, _z, _e, x, _f, _n in POOL_INPUTS}
    pool = mbsxl.loan_cashflows([x[0] for x in TAPE], [x[1] for x in TAPE], [x[2] for x in TAPE], v["cpr"], "CPR",
                                v["cdr"], "CDR", v["severity"], v["lag"], v["servicing"], ages=[x[3] for x in TAPE],
                                start_date=START, rate_type="lpr", spreads=[x[4] for x in TAPE], reset="january",
                                index_dates=dates, index_rates=rates)
    days = [_dt.date(START.year + (START.month - 1 + k) // 12, (START.month - 1 + k) % 12 + 1, 1) for k in range(T)]
    index = mbsxl.rate_index(days, table_dates=dates, table_rates=rates)
    return pool, index


def _write_deal(book: Book):
    ws = book.sheet(DEAL)
    book.text(ws, "A1", label("交易要素表", "Deal table: an illustrative 2020s RMBS (every figure an assumption)"),
              "title")
    book.note(ws, "A2", "One range, blocks found by their titles (first column); add rows inside a block, keep a "
                        "blank row between blocks. Layout and every action: mbsxl.deal.dealtable; rules: mbsxl.deal.ledger.")
    book.note(ws, "A3", "Yellow cells are inputs. MBS_DEALCHECK on the Check sheet lists what was understood.")
    for i, row in enumerate(DEAL_ROWS):
        r = R_DEAL + i
        if len(row) == 1 and row[0] is None:
            continue
        head = i in _HEADS
        for j in range(NCOL_DEAL):
            x = row[j] if j < len(row) else None
            if head:
                if x is not None:
                    book.text(ws, (r, j), x, "header")
            elif j == NCOL_DEAL - 1 and x:
                book.note(ws, (r, j), x)
            elif x is not None:
                book.input(ws, (r, j), x, _fmt(x, j))
    book.widths(ws, {"A": 24, "B": 17, "C:D": 14, "E": 16, "F": 12, "G": 66})
    book.freeze(ws, R_DEAL, 1)
    book.print_setup(ws, landscape=True, area=f"A1:G{R_DEAL + len(DEAL_ROWS)}")


_HEADS = {i for i, r in enumerate(DEAL_ROWS) if r and isinstance(r[0], str)
          and r[0].split()[0] in ("分档", "费用税收", "账户", "偿付顺序", "事件", "计划", "参数")}


def _write_pool(book: Book, pool_rows: int):
    ws = book.sheet(POOL)
    book.text(ws, "A1", label("资产池", "Pool: illustrative LPR 5y tape projected loan by loan"), "title")
    book.note(ws, "A2", "Each loan reprices every 1 January to LPR 5y (scenario below) + its spread; "
                        "MBS_LOANCASHFLOWS with rate_type lpr, spreads, reset january, index_dates / index_rates.")
    for key, zh, en, val, fmt, note in POOL_INPUTS:
        book.value(ws, (P[key], 0), label(zh, en))
        book.input(ws, (P[key], 1), val, fmt)
        book.note(ws, (P[key], 2), note)
    book.header(ws, (R_TAPE, 0), [label("余额", "Balance"), label("利率", "Rate"), label("剩余期限", "Remaining term"),
                                  label("账龄", "Age"), label("LPR加点", "Spread over LPR 5y"),
                                  label("利率类型", "Rate type")])
    for i, (b, rate, term, age, spr) in enumerate(TAPE):
        book.inputs(ws, (R_TAPE + 1 + i, 0), [[b, rate, term, age, spr, "lpr"]],
                    fmts=["yuan", "pct", "int", "int", "pct", "general"])
    book.note(ws, (R_TAPE + 1, 6), f"{A}: five representative loan groups, 5 bn yuan")
    c = lambda key: xl_rowcol_to_cell(P[key], 1)                     # noqa: E731
    book.text(ws, (R_LPR - 1, 0), label("LPR 5年期情景", "LPR 5y: history, then the scenario (MBS_LPRSCENARIO)"),
              "subtitle")
    n_lpr = _lpr_rows()
    book.array(ws, (R_LPR, 0), (R_LPR + n_lpr, 2), f"=MBS_LPRSCENARIO({c('shift')},{c('months')})",
               col_fmts=["date", "pct", "general"], header_row=True)
    lpr_d = f"A{R_LPR + 2}:A{R_LPR + n_lpr + 1}"
    lpr_r = f"B{R_LPR + 2}:B{R_LPR + n_lpr + 1}"
    t0, t1 = R_TAPE + 2, R_TAPE + 1 + len(TAPE)
    col = lambda L: f"{L}{t0}:{L}{t1}"                              # noqa: E731
    f = (f"=MBS_LOANCASHFLOWS({col('A')},{col('B')},{col('C')},{c('cpr')},,{c('cdr')},,{c('severity')},{c('lag')},"
         f"{c('servicing')},{col('D')},,,,{c('start')},,,{col('F')},{col('E')},\"january\",,,,,,,{lpr_d},{lpr_r})")
    book.text(ws, (R_PT - 1, 0), label("资产池现金流", "Pool cash flows, month by month (MBS_LOANCASHFLOWS)"),
              "subtitle")
    fmts = ["int"] + ["money"] * (NCOL_PT - 3) + ["pct4", "pct4"]
    book.array(ws, (R_PT, 0), (R_PT + pool_rows, NCOL_PT - 1), f, col_fmts=fmts, header_row=True)
    # period start dates and the seniors' index (LPR 5y in force on the first day of each period)
    book.header(ws, (R_PT, C_IDX), [label("计息期首日", "Period start"), label("LPR 5年期", "Index: LPR 5y")])
    for k in range(T):
        book.formula(ws, (R_PT + 1 + k, C_IDX), f"=DATE(YEAR({c('start')}),MONTH({c('start')})+{k},1)", "date")
    dates = f"{xl_rowcol_to_cell(R_PT + 1, C_IDX)}:{xl_rowcol_to_cell(R_PT + T, C_IDX)}"
    book.array(ws, (R_PT + 1, C_IDX + 1), (R_PT + T, C_IDX + 1), f"=MBS_RATEINDEX({dates},,{lpr_d},{lpr_r})",
               "pct3")
    book.widths(ws, {"A": 36, "B": 16, "C:P": 14, "R:S": 13})
    book.freeze(ws, R_PT + 1, 1)
    book.print_setup(ws, landscape=True, area=f"A1:S{R_PT + 40}")


def _spill(book, sheet, r0, table, fmts, title, note):
    ws = book.sheet(sheet)
    book.text(ws, (r0 - 2, 0), title, "subtitle")
    book.note(ws, (r0 - 1, 0), note)
    return ws


def write(book: Book):
    pool, index = _python_pool()
    import mbsxl
    ledgers = mbsxl.deal_flows(pool, DEAL_ROWS, "ledgers", index=index)
    events = mbsxl.deal_flows(pool, DEAL_ROWS, "events", index=index)
    check = mbsxl.deal_check(DEAL_ROWS)
    _write_deal(book)
    _write_pool(book, len(pool))
    args = f"{POOL_REF},{DEAL_REF}"
    price, comp = _abs(POOL, P["price"], 1), _abs(POOL, P["comp"], 1)
    # classes
    ws = book.sheet(CLASSES)
    book.text(ws, "A1", label("分档", "Classes: statistics and flows by month (MBS_DEALSTATS, MBS_DEALFLOWS)"), "title")
    book.note(ws, "A2", "Yield at the Pool sheet's price, compounded as set there; WAL in years (period t paid t "
                        "months after the start); loss = what a class still owes when the deal ends.")
    n = len([r for r in DEAL_ROWS[1:4]])
    sf = ["general", "yuan", "dec2", "int", "int", "int", "yuan", "yuan", "yuan", "pct3"]
    book.array(ws, (3, 0), (3 + n, len(C.DEAL_STATS_COLUMNS) - 1),
               f"=MBS_DEALSTATS({args},{price},{comp},{INDEX_REF})", col_fmts=sf, header_row=True)
    r0 = 5 + n
    book.text(ws, (r0 - 1, 0), label("分档现金流", "Flows by class and month"), "subtitle")
    cf = ["int", "general", "yuan", "pct3"] + ["yuan"] * 7
    book.array(ws, (r0, 0), (r0 + n * len(pool), len(C.TRANCHE_COLUMNS) - 1),
               f'=MBS_DEALFLOWS({args},"classes",{INDEX_REF})', col_fmts=cf, header_row=True)
    book.widths(ws, {"A": 10, "B": 12, "C:K": 15})
    book.freeze(ws, r0 + 1, 2)
    book.print_setup(ws, landscape=True, area=f"A1:K{r0 + 40}", fit_height=1)
    # ledgers
    ws = book.sheet(LEDGERS)
    book.text(ws, "A1", label("账户", "Ledgers: every step of the priority of payments, month by month"), "title")
    book.note(ws, "A2", "Per month and ledger: beginning balance, collections, each step of the month's status "
                        "with its amount (what the ledger held, at most what the step asks), ending balance.")
    book.array(ws, (3, 0), (3 + len(ledgers), len(C.DEAL_LEDGER_COLUMNS) - 1),
               f'=MBS_DEALFLOWS({args},"ledgers",{INDEX_REF})',
               col_fmts=["int", "general", "general", "general", "general", "general", "money"], header_row=True)
    book.widths(ws, {"A": 8, "B": 20, "C": 16, "D": 6, "E": 18, "F": 26, "G": 18})
    book.freeze(ws, 4, 0)
    book.print_setup(ws, landscape=False, area="A1:G64", fit_height=1)
    # events
    ws = book.sheet(EVENTS)
    book.text(ws, "A1", label("事件", "Events and deal status by month"), "title")
    book.note(ws, "A2", "Cumulative default rate tested at the start of a month (acts that month); unpaid senior "
                        "interest at the end (acts from the next month).")
    book.array(ws, (3, 0), (3 + len(events), len(C.DEAL_EVENT_COLUMNS) - 1),
               f'=MBS_DEALFLOWS({args},"events",{INDEX_REF})',
               col_fmts=["int", "general", "general", "pct3", "pct3", "int", "general"], header_row=True)
    book.widths(ws, {"A": 8, "B": 16, "C": 24, "D:E": 12, "F": 6, "G": 22})
    book.freeze(ws, 4, 0)
    book.print_setup(ws, landscape=False, area="A1:G64", fit_height=1)
    _write_grid(book)
    # check
    ws = book.sheet(CHECK)
    book.text(ws, "A1", label("解析检查", "What the parser understood (MBS_DEALCHECK)"), "title")
    book.array(ws, (2, 0), (2 + len(check), len(C.DEAL_CHECK_COLUMNS) - 1), f"=MBS_DEALCHECK({DEAL_REF})",
               col_fmts=["general", "int", "general", "general", "general"], header_row=True)
    r = 5 + len(check)
    book.text(ws, (r - 2, 0), label("旧参数转换", "The old positional arguments as a deal table (MBS_DEALFROMTRANCHES)"),
              "subtitle")
    book.inputs(ws, (r - 1, 7), [["A", 0.8, 0.03], ["B", 0.15, 0.04], ["Sub", 0.05, 0.0]], fmts=["general", "pct", "pct"])
    book.note(ws, (r - 2, 7), "example classes: name, balance, coupon")
    rows = mbsxl.deal_from_tranches(["A", "B", "Sub"], [0.8, 0.15, 0.05], [0.03, 0.04, 0.0])
    width = max(len(x) for x in rows)
    book.array(ws, (r, 0), (r + len(rows) - 1, width - 1),
               f"=MBS_DEALFROMTRANCHES(H{r}:H{r + 2},I{r}:I{r + 2},J{r}:J{r + 2})")
    book.widths(ws, {"A": 18, "B": 8, "C": 40, "D": 12, "E": 72, "F": 10, "H:J": 10})
    book.print_setup(ws, landscape=True, area=f"A1:J{r + len(rows)}")
    _write_notes(book)


CPRS = [0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30]
CDRS = [0.0, 0.01, 0.02, 0.03, 0.05]


def _write_grid(book: Book):
    ws = book.sheet(GRID)
    book.text(ws, "A1", label("敏感性", "A2's WAL over CPR x CDR, and breakevens (MBS_DEALGRID, MBS_DEALBREAKEVEN)"),
              "title")
    book.note(ws, "A2", "The pool as one representative loan (balance, WAC and WAM of the tape), each scenario a "
                        "full projection and run of the deal; index = the Pool sheet's LPR 5y column.")
    t0, t1 = R_TAPE + 2, R_TAPE + 1 + len(TAPE)
    bal = f"'{POOL}'!A{t0}:A{t1}"
    items = [("balance", "资产池余额", "Balance", f"=SUM({bal})", "yuan"),
             ("wac", "加权平均利率", "WAC", f"=SUMPRODUCT({bal},'{POOL}'!B{t0}:B{t1})/B4", "pct"),
             ("wam", "加权平均剩余期限", "WAM, months", f"=ROUND(SUMPRODUCT({bal},'{POOL}'!C{t0}:C{t1})/B4,0)", "int"),
             ("age", "加权平均账龄", "Age, months", f"=ROUND(SUMPRODUCT({bal},'{POOL}'!D{t0}:D{t1})/B4,0)", "int")]
    for i, (_k, zh, en, f, fmt) in enumerate(items):
        book.value(ws, (3 + i, 0), label(zh, en))
        book.formula(ws, (3 + i, 1), f, fmt)
    pc = lambda key: _abs(POOL, P[key], 1)                           # noqa: E731
    book.value(ws, (7, 0), label("损失率 / 回收滞后 / 服务费", "Severity, lag, servicing: the Pool sheet's"))
    r = 10
    book.text(ws, (r - 1, 0), label("A2加权平均期限(年)", "A2 WAL, years: rows CPR, columns CDR"), "subtitle")
    book.value(ws, (r, 0), label("提前还款率(行)", "CPRs (rows)"))
    book.value(ws, (r + 1, 0), label("违约率(列)", "CDRs (columns)"))
    book.inputs(ws, (r, 1), [CPRS], fmts=["pct"] * len(CPRS))
    book.inputs(ws, (r + 1, 1), [CDRS], fmts=["pct"] * len(CDRS))
    cprs = f"{xl_rowcol_to_cell(r, 1)}:{xl_rowcol_to_cell(r, len(CPRS))}"
    cdrs = f"{xl_rowcol_to_cell(r + 1, 1)}:{xl_rowcol_to_cell(r + 1, len(CDRS))}"
    f = (f'=MBS_DEALGRID(B4,B5,B6,{DEAL_REF},"A2",100,{cprs},{cdrs},{pc("severity")},{pc("lag")},{pc("servicing")},'
         f'B7,{INDEX_REF},1,,"wal")')
    rb = r + 3
    book.array(ws, (rb, 0), (rb + len(CPRS), len(CDRS)), f, col_fmts=["pct"] + ["dec2"] * len(CDRS), header_row=True)
    book.explain_blanks(ws, (rb + 1, 1), (rb + len(CPRS), len(CDRS)), (r + 2, 0),
                        "A2 receives no principal in that scenario (written down in full), so it has no WAL.")
    re_ = rb + len(CPRS) + 3
    book.text(ws, (re_ - 1, 0), label("盈亏平衡违约率", "Breakeven CDR of A2 at the Pool sheet's CPR and severity"),
              "subtitle")
    f = f'=MBS_DEALBREAKEVEN(B4,B5,B6,{DEAL_REF},"A2",{pc("cpr")},{pc("severity")},,100,{pc("lag")},{pc("servicing")},B7,{INDEX_REF})'
    book.array(ws, (re_, 0), (re_ + len(C.BREAKEVEN_ROWS), 1), f, col_fmts=["general", "general"], header_row=True)
    book.explain_blanks(ws, (re_ + 1, 1), (re_ + len(C.BREAKEVEN_ROWS), 1), (re_ + 2, 2),
                        "no yield threshold is given (the argument is left empty), so no yield breakeven.")
    book.widths(ws, {"A": 44, "B:H": 12})
    book.print_setup(ws, landscape=True, area=f"A1:H{re_ + 8}")


NOTE_LINES = [
    "Every figure of the deal and of the pool is an assumption for illustration, not a real transaction.",
    "Deal table: one range of blocks (分档 Classes, 费用税收 Fees, 账户 Ledgers, 偿付顺序 Priority, 事件 Events, "
    "计划 Schedules, 参数 Settings), found by their titles; the layout is in mbsxl.deal.dealtable.",
    "Month: interest collections to 收入, principal collections to 本金; a status's steps run in the order "
    "listed (ledgers may interleave); each moves what the ledger holds, at most what it asks.",
    "Interest due = coupon / 12 x beginning balance (30/360); floating coupon = LPR 5y in force on the period's "
    "first day + spread; unpaid senior interest is carried, the interim return is not.",
    "VAT = 3% / 1.03 of interest collections x 1.12 (urban construction and education surcharges).",
    "Events: cumulative default rate vs the schedule at the start of a month (acts that month, never cures); "
    "unpaid A1 or A2 interest at the end of a month moves the deal to 违约 from the next.",
    "违约 default: the principal ledger moves all its cash to income (merged order): seniors' interest, then "
    "their principal pro rata, then the subordinate class.",
    "Clean-up call at 10% of the initial pool: the rest bought at par in that month; the deal ends.",
    "Cannot be expressed yet: reserve target as months of interest; triggers on excess spread or reserve "
    "balance; interest on unpaid fees; day-count other than 30/360; per-class payment dates.",
    "LibreOffice shows #NAME? in the spilled MBS_ ranges (it recalculates arrays); mbsxl calc --out copy.xlsx "
    "--values-only gives a copy with values.",
]


def _write_notes(book: Book):
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    for i, s in enumerate(NOTE_LINES):
        book.paragraph(ws, (2 + i, 0), s, 110)
    book.widths(ws, {"A": 110})
    book.print_setup(ws, landscape=True, area=f"A1:A{3 + len(NOTE_LINES)}")


def build(path: str) -> dict:
    return build_with_values(path, write)
