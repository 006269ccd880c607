"""Template ``jianyuan_2007_1_deal_review.xlsx``: the Jianyuan 2007-1 securities (issue 6, item 4).

Every number below the inputs is a formula (MBS_CASHFLOWS, MBS_COUPONINDEX, MBS_DEALFLOWS,
MBS_DEALSTATS, MBS_DEALGRID, MBS_DEALBREAKEVEN, MBS_WAL, MBS_YIELD, MBS_PRICE), so a reviewer changes a
yellow cell and the workbook follows.

The deal is described once (issue 19, item 3): the ``交易要素 Deal table`` sheet's deal table, which every
sheet reads through the workbook name ``Deal_table``.  The other names (:func:`names`) stand for the pool
tables (``Pool_prospectus``, ``Pool_realised``, ``Pool_PSA``), the coupon index (``Coupon_index``) and the Deal
sheet's labelled assumptions (``Pool_WAC``, ``Severity``, ``Deal_price`` ...), so a cell reads
``=INDEX(MBS_DEALSTATS(Pool_prospectus,Deal_table,,,Coupon_index),2,3)`` and no formula is over 200
characters.  MBS_TRANCHES / MBS_TRANCHESTATS's positional arguments remain in two places on purpose: the
Deal table sheet's check block (the reference the deal table must equal) and the Triggers sheet's monthly
pool table (MBS_TRANCHES view "pool"; :mod:`mbsxl.templates.deal_review_triggers` says why).  The Triggers
sheet's mechanisms are also a second deal table there (``Deal_triggers``), which its class comparison reads.  Every stored value equals
the workbook before the rewrite (bench/compare_workbooks.py, tests/test_deal_review_unchanged.py).

Sheets
------
- ``交易 Deal``: the pool at cut-off and the class sizes as published (seeds 001, 002), the
  assumptions the seeds do not publish (representative loan WAC/WAM/age, fees, spreads, losses,
  clean-up call, reset rule, price and yield), the three prepayment scenarios (17.26% CPR, the
  prospectus; 25% CPR, the realised 24-month mean; a PSA speed).
- ``汇总 Summary``: per scenario, the class table of MBS_DEALSTATS (WAL, principal window,
  final month, interest, loss); per class and scenario, yield at the price and price at the yield;
  the stacked chart of class balances (prospectus scenario).
- ``敏感性 Grid``: WAL and yield of one class (A by default) against CPR (rows) and CDR (columns),
  each cell one MBS_DEALGRID of its own CPR and CDR (its own pool projection).
- ``资产池现金流 Pool``: the three pool projections side by side (MBS_CASHFLOWS tables).
- ``分档现金流 Tranches``: the waterfall, one row per class and month (MBS_DEALFLOWS), prospectus
  scenario, with filters.
- ``利率 Rates``: the PBoC one-year deposit rate table and the coupon index per interest period
  (MBS_COUPONINDEX).
- ``历史 History``: the reconstructed trustee-report series through MBS_HISTORY and MBS_BACKTEST
  (:mod:`mbsxl.templates.deal_review_history`).
- ``说明 Notes``: sources, the waterfall's rules, what is assumed.
- ``触发与储备 Triggers`` (:mod:`mbsxl.templates.deal_review_triggers`): VAT, triggers, the liquidity
  reserve and principal cover on the prospectus scenario, one row a month (MBS_TRANCHES view "pool"); the
  same mechanisms as the deal table ``Deal_triggers`` (MBS_DEALSTATS with and without them).
- ``评级压力 Rating`` (:mod:`mbsxl.templates.deal_review_rating`): the rating agencies' stress test, breakeven
  default rates against target default rates (MBS_RATINGSTRESS).
- ``交易要素 Deal table`` (:mod:`mbsxl.templates.deal_review_dealtable`): the deal as a deal table (issue 19),
  MBS_DEALCHECK, MBS_DEALSTATS / MBS_DEALFLOWS on the prospectus scenario, and the differences to
  MBS_TRANCHESTATS / MBS_TRANCHES (expected 0).

A column of MBS_DEALFLOWS / MBS_DEALSTATS (the columns of MBS_TRANCHES / MBS_TRANCHESTATS) is found in the
workbook by ``MATCH`` on its header, in the header lists the Notes sheet holds (written from
:mod:`mbsxl.columns`); the Cash Flow column of the yields and prices and the columns of the spilled
MBS_CASHFLOWS tables on the Pool sheet are addressed through :func:`mbsxl.columns.position`.  The module is over 450 lines because
it is one workbook of seven sheets whose layout constants are shared across sheets; splitting it by
sheet would scatter them.
"""
from __future__ import annotations

import datetime as _dt
import sys

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import columns as C
from mbsxl.reference import jianyuan as jy
from mbsxl.deal import waterfall as wf
from mbsxl.rates.floating import benchmark_rates
from . import deal_review_triggers
from ._book import Book, build_with_values, label, line_style, viewers_note
from . import deal_review_history
from . import deal_review_stress as _stress
from . import deal_review_rating as _rating
from . import deal_review_dealtable as _dealtable

FILENAME = "jianyuan_2007_1_deal_review.xlsx"
DEAL = "交易 Deal"
SUMMARY = "汇总 Summary"
GRID = "敏感性 Grid"
POOL = "资产池现金流 Pool"
TRANCHES = "分档现金流 Tranches"
RATES = "利率 Rates"
NOTES = "说明 Notes"

# ---------------------------------------------------------------- assumptions (not published)
WAC = 0.0680      # balance-weighted rate of the reconstructed tape (mbsxl.reference.tape: 2008 reset rates)
WAM = 197         # balance-weighted remaining term of the reconstructed tape, months
AGE = 22          # balance-weighted seasoning of the reconstructed tape, months
SERVICING = 0.001
FEES = 0.0005
SPREADS = {"A": 0.0090, "B": 0.0150, "C": 0.0250, "Subordinate": 0.0}
FLOATING = {"A": 1, "B": 1, "C": 1, "Subordinate": 0}
CDR = 0.005
SEVERITY = 0.30
LAG = 12
CALL = 0.10
PRICE = 100.0
YIELD = 0.045
COMPOUNDING = 2
PSA_SPEED = 300
CPRS = [0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40]
CDRS = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05]

T = WAM                         # rows of the pool and index tables (= WAM)
N_CLASSES = len(jy.TRANCHES)
NCOL_POOL = len(C.CASHFLOW_COLUMNS)
NCOL_TR = len(wf.TRANCHE_COLUMNS)
NCOL_ST = len(wf.STATS_COLUMNS)


def _header_block(table: str) -> tuple[int, list[str]]:
    """(first 0-based row, headers) of the header list of ``MBS_TRANCHES`` or ``MBS_TRANCHESTATS`` that the
    Notes sheet holds in column B, written from :mod:`mbsxl.columns`."""
    first = 2 + len(NOTE_LINES) + 2
    if table == "MBS_TRANCHES":
        return first, C.TRANCHE_COLUMNS
    return first + len(C.TRANCHE_COLUMNS) + 1, C.STATS_COLUMNS


def _col(table: str, name: str) -> str:
    """``MATCH("<name>", <header list on the Notes sheet>, 0)``: a column of ``table`` found by its header."""
    r0, heads = _header_block(table)
    assert name in heads, (table, name)
    return f'MATCH("{name}",{_rng(NOTES, r0, 1, r0 + len(heads) - 1, 1)},0)'


def _q(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _abs(sheet: str, r: int, c: int) -> str:
    """Absolute reference to a cell of ``sheet`` (0-based row, col)."""
    return f"{_q(sheet)}!{xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)}"


def _rng(sheet: str, r0: int, c0: int, r1: int, c1: int) -> str:
    a = xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)
    b = xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)
    return f"{_q(sheet)}!{a}:{b}"


# ---------------------------------------------------------------- Deal sheet cell map (0-based rows)
R_POOL = 4                 # pool block first row
R_CLS_HEAD = 13            # class table header
R_CLS = R_CLS_HEAD + 1     # first class row
R_TOTAL = R_CLS + N_CLASSES
R_ASSUME = R_TOTAL + 4     # first assumption row
ASSUMPTIONS = [
    # key, zh, en, value, format, note
    ("wac", "加权平均利率", "WAC (representative loan)", WAC, "pct", "assumption: balance-weighted rate of the reconstructed tape (mbsxl.reference.tape; 2008 reset rates)"),
    ("wam", "加权平均剩余期限(月)", "WAM, months", WAM, "int", "assumption: tape's balance-weighted remaining term; also the rows of the tables"),
    ("age", "账龄(月)", "Pool age, months (PSA ramp)", AGE, "int", "assumption: tape's balance-weighted seasoning"),
    ("servicing", "贷款服务费率", "Servicing fee (annual)", SERVICING, "pct", "assumption: deducted from the pool's gross interest"),
    ("fees", "受托及其他优先费用", "Senior fees: trustee etc. (annual, on pool)", FEES, "pct", "assumption: paid before class interest"),
    ("cdr", "违约率", "CDR (scenario tables)", CDR, "pct", "assumption"),
    ("severity", "损失率", "Loss severity", SEVERITY, "pct", "assumption"),
    ("lag", "回收滞后(月)", "Recovery lag, months", LAG, "int", "assumption"),
    ("call", "清仓回购", "Clean-up call at pool factor", CALL, "pct", "assumption: 0 = no call"),
    ("structure", "本金偿付顺序", "Principal: sequential / pro_rata", "sequential", "general",
     "read by the Triggers sheet and the Deal table check only; elsewhere the deal table's steps"),
    ("reset", "基准利率调整", "Coupon reset: period / annual / fixed", "period", "general", "assumption: the rate in force on the first day of each interest period"),
    ("price", "价格(每百元面值)", "Price per 100 of face", PRICE, "dec2", "for the yields"),
    ("yield", "收益率", "Yield (for the prices)", YIELD, "pct", "for the prices"),
    ("comp", "年复利次数", "Yield compounding, times a year", COMPOUNDING, "int", "2: SIFMA bond-equivalent yield; 1: Chinese bond convention"),
]
A = {key: R_ASSUME + i for i, (key, *_rest) in enumerate(ASSUMPTIONS)}
R_SCEN_HEAD = R_ASSUME + len(ASSUMPTIONS) + 2
R_SCEN = R_SCEN_HEAD + 1
SCENARIOS = [
    ("发行说明书", "Prospectus pricing speed", jy.PROSPECTUS_CPR, "CPR", "seed 002: prospectus pricing CPR 17.26%"),
    ("实际(24个月均值)", "Realised, 24-month mean", jy.CPR_MEAN_24M_APPROX, "CPR", "seed 002: about 25% over Jan 2008 - Dec 2009"),
    ("PSA速度", "PSA speed", float(PSA_SPEED), "PSA", "assumption: 300% PSA = 18% CPR from month 30"),
]

# pool at cut-off: (zh, en, value, fmt, source); published figures
POOL_ROWS = [
    ("贷款笔数", "Loans", jy.POOL["loans"], "count", "seed 001, Table 1"),
    ("资产池本金余额", "Pool balance, yuan", jy.POOL["balance"], "yuan", "seed 001, Table 1"),
    ("初始起算日", "Cut-off date", jy.CUTOFF_DATE, "date", "seed 001"),
    ("发行日", "Issue date (interest period 1 starts)", jy.ISSUE_DATE, "date", "seeds 001, 002"),
    ("支付日", "Payment day of the month", jy.PAYMENT_DAY, "int", "seed 002 (Jianyuan deals pay on the 26th)"),
]
P = {"loans": R_POOL, "balance": R_POOL + 1, "cutoff": R_POOL + 2, "issue": R_POOL + 3, "payday": R_POOL + 4}


def D(key: str) -> str:
    """Absolute reference to an assumption's value on the Deal sheet."""
    return _abs(DEAL, A[key], 1)


def _names() -> str:
    return _rng(DEAL, R_CLS, 0, R_TOTAL - 1, 0)


def _bals() -> str:
    return _rng(DEAL, R_CLS, 1, R_TOTAL - 1, 1)


def _spreads() -> str:
    return _rng(DEAL, R_CLS, 3, R_TOTAL - 1, 3)


def _floats() -> str:
    return _rng(DEAL, R_CLS, 4, R_TOTAL - 1, 4)


# ---------------------------------------------------------------- defined names (issue 19: formulas a reviewer reads)
POOL_NAMES = ["Pool_prospectus", "Pool_realised", "Pool_PSA"]     # the Pool sheet's tables, one a scenario


def names() -> dict:
    """Workbook-scope names -> the ranges they stand for.  The deal is the ``交易要素 Deal table`` sheet's range
    (``Deal_table``); the pool tables, the coupon index and the Deal sheet's labelled assumptions have names
    too, so that a formula reads ``=MBS_DEALSTATS(Pool_prospectus,Deal_table,,,Coupon_index)``."""
    out = {"Deal_table": _dealtable.table_ref(sys.modules[__name__]), "Coupon_index": _index()}
    out.update({n: _pool_table(s) for s, n in enumerate(POOL_NAMES)})
    out.update({"Pool_balance": _abs(DEAL, P["balance"], 1), "Payment_day": _abs(DEAL, P["payday"], 1)})
    for key, name in (("wac", "Pool_WAC"), ("wam", "Pool_WAM"), ("age", "Pool_age"), ("servicing", "Servicing"),
                      ("fees", "Senior_fees"), ("severity", "Severity"), ("lag", "Recovery_lag"),
                      ("call", "Cleanup_call"), ("structure", "Structure"), ("price", "Deal_price"),
                      ("yield", "Deal_yield"), ("comp", "Compounding")):
        out[name] = D(key)
    out.update({"Class_names": _names(), "Class_balances": _bals(), "Class_spreads": _spreads(),
                "Class_floating": _floats()})
    return out


def _define_names(book: Book):
    for n, ref in names().items():
        book.name(n, ref)


# Rates sheet: PBoC table from row 4 (0-based), index from row 4 in columns D:F
R_RATES = 4
R_IDX = 4


def _rates_col(c: int) -> str:
    n = len(benchmark_rates("deposit_1y"))
    return _rng(RATES, R_RATES, c, R_RATES + n - 1, c)


def _index() -> str:
    return _rng(RATES, R_IDX, 5, R_IDX + T - 1, 5)


# Pool sheet: three tables side by side, header at row 4 (0-based 3)
R_POOL_HEAD = 3


def _pool_c0(s: int) -> int:
    return s * (NCOL_POOL + 1)


def _pool_table(s: int) -> str:
    c0 = _pool_c0(s)
    return _rng(POOL, R_POOL_HEAD, c0, R_POOL_HEAD + T, c0 + NCOL_POOL - 1)


def _pool_col(s: int, name: str) -> str:
    c = _pool_c0(s) + C.CASHFLOW_COLUMNS.index(name)
    return _rng(POOL, R_POOL_HEAD + 1, c, R_POOL_HEAD + T, c)


def _waterfall_args(pool: str, class_: str = "", header: bool | None = None) -> str:
    """MBS_TRANCHES's positional arguments (the Triggers sheet's mechanisms and the Deal table sheet's check
    still use them), through the workbook's names."""
    args = [pool, "", "", "Class_names", "Class_balances", "Class_spreads", "Structure", "Cleanup_call", class_,
            "Coupon_index", "Class_floating", "Senior_fees"]
    if header is not None:
        args += ["", "", "", "TRUE" if header else "FALSE"]
    return ",".join(args)


def _cashflows_formula(prepay: str, prepay_type: str, cdr: str) -> str:
    return (f"MBS_CASHFLOWS({_abs(DEAL, P['balance'], 1)},{D('wac')},{D('wam')},{prepay},{prepay_type},{cdr},\"CDR\","
            f"{D('severity')},{D('lag')},{D('servicing')},{D('age')})")


def _yield_args() -> str:
    """delay 0, settle 0, 30/360; payment on the deal's payment day."""
    return "0,0,\"30/360\",{bal},,Compounding,Payment_day"


def _class_flows(s: int, cls: str) -> str:
    """One class's rows of MBS_DEALFLOWS (no header row) on scenario ``s``'s pool table."""
    return f"MBS_DEALFLOWS({POOL_NAMES[s]},Deal_table,,Coupon_index,,{cls},FALSE)"


# ---------------------------------------------------------------- writers
def _deal(book: Book):
    ws = book.sheet(DEAL)
    book.text(ws, "A1", label("建元2007-1 交易评估", "Jianyuan 2007-1 deal review"), "title")
    book.note(ws, "A2", "Yellow cells are inputs (published figures or labelled assumptions); black cells are formulas. "
                        "Amounts in yuan; rates annual decimals.")
    book.text(ws, xl_rowcol_to_cell(R_POOL - 1, 0), label("资产池(初始起算日)", "Pool at cut-off (published)"), "subtitle")
    for i, (zh, en, v, fmt, src) in enumerate(POOL_ROWS):
        r = R_POOL + i
        book.value(ws, (r, 0), label(zh, en))
        book.input(ws, (r, 1), v, fmt)
        book.note(ws, (r, 2), src)
    r = R_POOL + len(POOL_ROWS)
    book.value(ws, (r, 0), label("平均余额", "Average balance (published 339,537)"))
    book.formula(ws, (r, 1), f"=B{P['balance'] + 1}/B{P['loans'] + 1}", "yuan")
    book.note(ws, (r, 2), "formula: balance / loans")

    book.text(ws, xl_rowcol_to_cell(R_CLS_HEAD - 1, 0), label("分档结构", "Classes (seed 002)"), "subtitle")
    book.header(ws, (R_CLS_HEAD, 0), [label("档次", "Class"), label("发行本金", "Balance, yuan"), label("占比", "Share"),
                                     label("基本利差(假设)", "Spread (assumption)"), label("浮动", "Floating 1/0"),
                                     label("首期票面利率", "Coupon, period 1"), label("来源", "Source")])
    ws.set_row(R_CLS_HEAD, 42)
    for i, (name, bal) in enumerate(jy.TRANCHES.items()):
        r = R_CLS + i
        book.input(ws, (r, 0), name, "general")
        book.input(ws, (r, 1), bal, "yuan")
        book.formula(ws, (r, 2), f"=B{r + 1}/B${R_TOTAL + 1}", "pct")
        book.input(ws, (r, 3), SPREADS[name], "pct")
        book.input(ws, (r, 4), FLOATING[name], "int")
        book.formula(ws, (r, 5), f"=IF(E{r + 1}=1,LOOKUP({_abs(DEAL, P['issue'], 1)},{_rates_col(0)},{_rates_col(1)})"
                              f"+D{r + 1},D{r + 1})", "pct")
        book.note(ws, (r, 6), "seed 002: size; spread not published" if name != "Subordinate"
                  else "seed 002: size; no coupon, receives the excess interest")
    book.value(ws, (R_TOTAL, 0), label("合计", "Total"), style="total")
    book.formula(ws, (R_TOTAL, 1), f"=SUM(B{R_CLS + 1}:B{R_TOTAL})", "yuan", style="total")
    book.formula(ws, (R_TOTAL, 2), f"=SUM(C{R_CLS + 1}:C{R_TOTAL})", "pct", style="total")
    book.value(ws, (R_TOTAL + 1, 0), label("减资产池余额", "Total less pool balance (0 = classes match the pool)"))
    book.formula(ws, (R_TOTAL + 1, 1), f"=B{R_TOTAL + 1}-B{P['balance'] + 1}", "yuan")

    book.text(ws, xl_rowcol_to_cell(R_ASSUME - 1, 0), label("假设", "Assumptions (not published in the seeds)"), "subtitle")
    for key, zh, en, v, fmt, note in ASSUMPTIONS:
        r = A[key]
        book.value(ws, (r, 0), label(zh, en))
        book.input(ws, (r, 1), v, fmt)
        book.note(ws, (r, 2), note)

    book.text(ws, xl_rowcol_to_cell(R_SCEN_HEAD - 1, 0), label("提前还款情景", "Prepayment scenarios"), "subtitle")
    book.header(ws, (R_SCEN_HEAD, 0), [label("情景", "Scenario"), label("提前还款", "Prepay"), label("类型", "Type"),
                                      label("来源", "Source")])
    for i, (zh, en, v, kind, src) in enumerate(SCENARIOS):
        r = R_SCEN + i
        book.input(ws, (r, 0), label(zh, en), "general")
        book.input(ws, (r, 1), v, "pct" if kind == "CPR" else "int")
        book.input(ws, (r, 2), kind, "general")
        book.note(ws, (r, 3), src)
    book.widths(ws, {"A": 52, "B": 16, "C": 11, "D": 14, "E": 11, "F": 13, "G": 40})
    book.print_setup(ws, landscape=False, area=f"A1:G{R_SCEN + len(SCENARIOS) + 1}")


def _rates(book: Book):
    ws = book.sheet(RATES)
    book.text(ws, "A1", label("人民银行一年期定期存款利率与票面基准利率", "PBoC one-year deposit rate and the coupon index"), "title")
    book.note(ws, "A2", "A:B the PBoC table (each rate in force from its date; data/pboc_benchmark_rates.csv). "
                        "F: =MBS_COUPONINDEX(issue date, WAM, reset, payment day, A:B).")
    book.header(ws, (R_RATES - 1, 0), [label("生效日", "Effective date"), label("一年期存款利率", "1-year deposit rate")])
    br = benchmark_rates("deposit_1y")
    rows = [(_dt.datetime(d.year, d.month, d.day), float(r)) for d, r in zip(br["date"], br["rate"])]
    for i, (d, r) in enumerate(rows):
        book.input(ws, (R_RATES + i, 0), d, "date")
        book.input(ws, (R_RATES + i, 1), r, "pct")
    table = _rng(RATES, R_RATES, 0, R_RATES + len(rows) - 1, 1)
    book.header(ws, (R_IDX - 1, 3), [label("期次", "Period"), label("计息起始日", "Period start"),
                                    label("基准利率", "Index")])
    issue, payday = _abs(DEAL, P["issue"], 1), _abs(DEAL, P["payday"], 1)
    for k in range(T):
        r = R_IDX + k
        book.formula(ws, (r, 3), f"={k + 1}" if k == 0 else f"=D{r}+1", "int")
        if k == 0:
            book.formula(ws, (r, 4), f"={issue}", "date")
        else:
            book.formula(ws, (r, 4), f"=DATE(YEAR({issue}),MONTH({issue})+{k},{payday})", "date")
    book.array(ws, (R_IDX, 5), (R_IDX + T - 1, 5),
               f"=MBS_COUPONINDEX({issue},{D('wam')},{D('reset')},{payday},{table})", "pct")
    book.widths(ws, {"A": 14, "B": 14, "C": 3, "D": 9, "E": 14, "F": 12})
    book.freeze(ws, R_IDX, 0)
    book.print_setup(ws, landscape=False, area=f"A1:F{R_IDX + T}", repeat_rows=(R_IDX - 1, R_IDX - 1),
                     compact=True)


def _pool(book: Book):
    ws = book.sheet(POOL)
    book.text(ws, "A1", label("资产池现金流(代表性贷款)", "Pool cash flows by scenario (one representative loan)"), "title")
    book.note(ws, "A2", "Each table: MBS_CASHFLOWS(pool balance, WAC, WAM, prepay, type, CDR, \"CDR\", severity, lag, servicing, age); "
                        "inputs on the Deal sheet. Period 1 = the first interest period.")
    fmts = ["int"] + ["yuan"] * 13 + ["pct4", "pct4"]
    for s in range(len(SCENARIOS)):
        c0 = _pool_c0(s)
        r = R_SCEN + s
        book.formula(ws, (R_POOL_HEAD - 1, c0), _scenario_title(r), fmt=book.fmt("general", "subtitle"))
        f = "=" + _cashflows_formula(_abs(DEAL, r, 1), _abs(DEAL, r, 2), D("cdr"))
        book.array(ws, (R_POOL_HEAD, c0), (R_POOL_HEAD + T, c0 + NCOL_POOL - 1), f, col_fmts=fmts, header_row=True)
        ws.set_column(c0, c0, 7)
        ws.set_column(c0 + 1, c0 + 13, 14)
        ws.set_column(c0 + 14, c0 + 15, 9)
        if s < len(SCENARIOS) - 1:
            ws.set_column(c0 + NCOL_POOL, c0 + NCOL_POOL, 2)
    ws.set_row(R_POOL_HEAD, 30)
    book.freeze(ws, R_POOL_HEAD + 1, 1)
    last_col = xl_col_to_name(_pool_c0(len(SCENARIOS) - 1) + NCOL_POOL - 1)
    book.print_setup(ws, landscape=True, fit_width=False, area=f"A1:{last_col}{R_POOL_HEAD + T + 1}",
                     repeat_rows=(R_POOL_HEAD, R_POOL_HEAD), compact=True)
    ws.set_print_scale(55)                                   # one scenario a page width
    ws.set_v_pagebreaks([_pool_c0(s) for s in range(1, len(SCENARIOS))])


def _tranches(book: Book):
    ws = book.sheet(TRANCHES)
    book.text(ws, "A1", label("分档现金流(发行说明书情景)", "Tranche cash flows, prospectus scenario (MBS_DEALFLOWS)"), "title")
    book.note(ws, "A2", "One row per class and month; filter on Class. The priority of payments of the Deal table sheet: "
                        "fees, interest by seniority (shortfall carried, no interest on it), excess interest to the "
                        "subordinate class, principal in order, losses bottom-up, clean-up call.")
    r0 = 3
    fmts = ["int", "general", "money", "pct", "money", "money", "money", "money", "money", "money", "money"]
    book.array(ws, (r0, 0), (r0 + N_CLASSES * T, NCOL_TR - 1), f"=MBS_DEALFLOWS({POOL_NAMES[0]},Deal_table,,Coupon_index)",
               col_fmts=fmts, header_row=True)
    ws.autofilter(r0, 0, r0 + N_CLASSES * T, NCOL_TR - 1)
    ws.set_row(r0, 30)
    book.widths(ws, {"A": 8, "B": 12, "C": 16, "D": 9, "E:K": 15})
    book.freeze(ws, r0 + 1, 2)
    book.print_setup(ws, landscape=True, area=f"A1:K{r0 + N_CLASSES * T + 1}", repeat_rows=(r0, r0), compact=True)


STATS_LABELS = {
    wf.CLASS: label("档次", "Class"), wf.ORIGINAL_BALANCE: label("发行本金", "Original balance"),
    wf.WAL: label("加权平均期限(年)", "WAL, years"), wf.FIRST_PRINCIPAL: label("本金起始月", "First principal month"),
    wf.LAST_PRINCIPAL: label("本金结束月", "Last principal month"), wf.FINAL_MONTH: label("清偿月", "Final month"),
    wf.TOTAL_INTEREST: label("利息合计", "Total interest"), wf.TOTAL_PRINCIPAL: label("本金合计", "Total principal"),
    wf.TOTAL_LOSS: label("损失合计", "Total loss"),
}
BAL_STEP = 12                   # the balance table: every 12 months


def _scenario_title(r: int) -> str:
    return (f"={_abs(DEAL, r, 0)}&\": \"&IF({_abs(DEAL, r, 2)}=\"PSA\",TEXT({_abs(DEAL, r, 1)},\"0\")&\"% PSA\","
            f"TEXT({_abs(DEAL, r, 1)},\"0.00%\")&\" \"&{_abs(DEAL, r, 2)})")


def _summary(book: Book):
    """Single-cell formulas only (INDEX into MBS_DEALSTATS / MBS_DEALFLOWS), so the page also reads in
    viewers that recalculate array formulas without mbsxl (LibreOffice shows #NAME? in spilled tables)."""
    ws = book.sheet(SUMMARY)
    book.text(ws, "A1", label("分档结果汇总", "Classes by scenario: average life, windows, yields"), "title")
    book.note(ws, "A2", "Each cell: INDEX(MBS_DEALSTATS(pool table of the scenario on the Pool sheet, Deal_table), class, "
                        "column). WAL in years from period start (no delay);")
    book.note(ws, "A3", "months counted from the first interest period. Yields and prices: MBS_YIELD / MBS_PRICE on each "
                        "class's cash flows (MBS_DEALFLOWS), paid on the payment day, per 100 of original face.")
    row = 4
    st_fmts = ["general", "yuan", "dec2", "int", "int", "int", "yuan", "yuan", "yuan"]
    for s in range(len(SCENARIOS)):
        r = R_SCEN + s
        book.formula(ws, (row, 0), _scenario_title(r), fmt=book.fmt("general", "subtitle"))
        book.value(ws, (row, 5), label("资产池加权平均期限(年)", "Pool WAL, years"))
        book.formula(ws, (row, 7), f"=MBS_WAL({_pool_col(s, C.TOTAL_PRINCIPAL)})", "dec2")
        book.header(ws, (row + 1, 0), [STATS_LABELS[c] for c in wf.STATS_COLUMNS])
        stats = f"MBS_DEALSTATS({POOL_NAMES[s]},Deal_table,,,Coupon_index)"
        for i in range(N_CLASSES):
            rr = row + 2 + i
            book.formula(ws, (rr, 0), f"={_abs(DEAL, R_CLS + i, 0)}", "general")
            book.formula(ws, (rr, 1), f"={_abs(DEAL, R_CLS + i, 1)}", "yuan")
            for j in range(2, NCOL_ST):
                book.formula(ws, (rr, j), f"=INDEX({stats},{i + 2},{_col('MBS_TRANCHESTATS', wf.STATS_COLUMNS[j])})",
                             st_fmts[j])
        row += N_CLASSES + 4

    # pricing table: rows = classes, columns = scenario x (yield at price, price at yield)
    book.text(ws, (row, 0), label("收益率与价格", "Yield at the price and price at the yield (Deal sheet inputs)"), "subtitle")
    row += 1
    heads = [label("档次", "Class")]
    for zh, en, *_r in SCENARIOS:
        heads += [f"{en}: {label('收益率', 'yield')}", f"{en}: {label('价格', 'price')}"]
    book.header(ws, (row, 0), heads)
    ws.set_row(row, 42)
    for i in range(N_CLASSES):
        r = row + 1 + i
        book.formula(ws, (r, 0), f"={_abs(DEAL, R_CLS + i, 0)}", "general")
        bal = _abs(DEAL, R_CLS + i, 1)
        cls = xl_rowcol_to_cell(r, 0, col_abs=True)
        for s in range(len(SCENARIOS)):
            flows = f"INDEX({_class_flows(s, cls)},0,{C.position(C.TRANCHE_COLUMNS, C.CASH_FLOW)})"
            ya = _yield_args().format(bal=bal)
            book.formula(ws, (r, 1 + 2 * s), f"=MBS_YIELD({flows},Deal_price,{ya})", "pct3")
            book.formula(ws, (r, 2 + 2 * s), f"=MBS_PRICE({flows},Deal_yield,{ya})", "dec2")
    book.note(ws, (row + 1 + N_CLASSES, 0), "The subordinate class is the residual holder: its 'yield' is that of the "
                                           "excess interest and principal at the price, not a coupon yield.")
    row += N_CLASSES + 3

    # class balances every 12 months, prospectus scenario, and the chart
    book.text(ws, (row, 0), label("分档余额(发行说明书情景)", "Class balances every 12 months, prospectus scenario"),
              "subtitle")
    row += 1
    book.header(ws, (row, 0), [label("月", "Month")] + list(jy.TRANCHES))
    months = list(range(0, T, BAL_STEP))
    r_first = row + 1
    for k, m in enumerate(months):
        r = r_first + k
        book.value(ws, (r, 0), m, "int")
        for i in range(N_CLASSES):
            if m == 0:
                book.formula(ws, (r, 1 + i), f"={_abs(DEAL, R_CLS + i, 1)}", "yuan")
            else:
                cls = _abs(DEAL, R_CLS + i, 0)
                book.formula(ws, (r, 1 + i), f"=INDEX({_class_flows(0, cls)},{m},{_col('MBS_TRANCHES', C.ENDING_BALANCE)})",
                             "yuan")
    r_last = r_first + len(months) - 1
    ch = book.chart({"type": "area", "subtype": "stacked"})
    colors = ["#1F4E9E", "#5B9BD5", "#A5A5A5", "#ED7D31"]
    for i, name in enumerate(jy.TRANCHES):
        ch.add_series({"name": [SUMMARY, row, 1 + i], "categories": [SUMMARY, r_first, 0, r_last, 0],
                       "values": [SUMMARY, r_first, 1 + i, r_last, 1 + i],
                       "fill": {"color": colors[i]}, "line": {"none": True}})
    ch.set_title({"name": "Class balances, prospectus scenario (分档余额)", "name_font": {"size": 11}})
    ch.set_x_axis({"name": "Month (月)"})
    ch.set_y_axis({"name": "Yuan", "num_format": "#,##0,,\"m\"", "major_gridlines": {"visible": True}})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 520, "height": 300})
    ws.insert_chart(r_first - 1, 6, ch, {"x_offset": 10})
    book.widths(ws, {"A": 30, "B:K": 15})
    book.print_setup(ws, landscape=False, area=f"A1:K{r_last + 2}", fit_height=1)


def _grid(book: Book):
    ws = book.sheet(GRID)
    book.text(ws, "A1", label("敏感性分析", "WAL and yield of one class against CPR and CDR"), "title")
    book.note(ws, "A2", "Each cell: the class's WAL or its yield at the Deal sheet's price, MBS_DEALGRID of the deal table")
    book.note(ws, "A3", "at the row's CPR and the column's CDR (its own pool projection); other inputs from the Deal sheet.")
    book.value(ws, "A5", label("档次", "Class"))
    book.input(ws, "B5", "A", "general")
    cls = "$B$5"
    n_r, n_c = len(CPRS), len(CDRS)
    blocks = [("wal", label("加权平均期限(年)", "WAL, years"), "dec2", 8),
              ("yield", label("收益率", "Yield at the price"), "pct3", 8 + n_r + 4)]
    for kind, title, fmt, top in blocks:
        book.text(ws, (top - 2, 0), title, "subtitle")
        book.value(ws, (top - 1, 0), "CPR \\ CDR", fmt=book.fmt("general", "header"))
        for j, cdr in enumerate(CDRS):
            book.input(ws, (top - 1, 1 + j), cdr, "pct1")
        for i, cpr in enumerate(CPRS):
            r = top + i
            book.input(ws, (r, 0), cpr, "pct1")
            for j in range(n_c):
                cpr_ref = xl_rowcol_to_cell(r, 0, col_abs=True)
                cdr_ref = xl_rowcol_to_cell(top - 1, 1 + j, row_abs=True)
                f = (f"=INDEX(MBS_DEALGRID(Pool_balance,Pool_WAC,Pool_WAM,Deal_table,{cls},Deal_price,{cpr_ref},"
                     f"{cdr_ref},Severity,Recovery_lag,Servicing,Pool_age,Coupon_index,Compounding,Payment_day,"
                     f"\"{kind}\"),2,2)")
                book.formula(ws, (r, 1 + j), f, fmt)
        book.explain_blanks(ws, (top, 1), (top + n_r - 1, n_c), (top + n_r, 0),
                            "the class receives no principal in that scenario (no WAL)" if kind == "wal" else
                            "no yield in (-99%, 100%] reprices the class's flows at the price.")
        # one line a CDR against CPR, beside its block
        ch = book.chart({"type": "line"})
        # three of the six CDR columns (first, middle, last), each its own colour, dash and marker: six
        # lines a few hundredths apart could not be told apart (issue 22); the table has them all
        shown = sorted({0, n_c // 2, n_c - 1})
        for k, j in enumerate(shown):
            ch.add_series({"name": f"CDR {CDRS[j]:.0%}", "categories": [GRID, top, 0, top + n_r - 1, 0],
                           "values": [GRID, top, 1 + j, top + n_r - 1, 1 + j], **line_style(k)})
        what = "WAL, years (加权平均期限)" if kind == "wal" else "Yield at the price (收益率)"
        cdrs = ", ".join(f"{CDRS[j]:.0%}" for j in shown)
        ch.set_title({"name": f"{what} at CDR {cdrs}", "name_font": {"size": 10}})
        ch.set_x_axis({"name": "CPR", "num_format": "0%"})
        ch.set_y_axis({"name": "Years" if kind == "wal" else "Yield", "num_format": "0.0" if kind == "wal" else "0.0%",
                       "major_gridlines": {"visible": True}})
        ch.set_legend({"position": "right"})
        ch.set_size({"width": 480, "height": 230})
        ws.insert_chart(top - 2, 8, ch, {"x_offset": 5})
    book.widths(ws, {"A": 16, "B:G": 12})
    book.print_setup(ws, landscape=True, area=f"A1:P{8 + 2 * n_r + 5}", fit_height=1)


NOTE_LINES = [
    ("Sources", "seed 001 (pool at cut-off: 12,254 loans, 4,160,683,708 yuan, cut-off 2007-10-10); seed 002 (issue "
                "2007-12-14, classes A 3,582,348,600, B 356,154,500, C 82,381,500, subordinate 139,799,108; seniors "
                "float at the PBoC one-year deposit rate plus a spread fixed at book-building; prospectus CPR 17.26%; "
                "about 25% realised over 2008-2009; payment on the 26th)."),
    ("Not published", "The spreads, fees, losses, the reset date of the index and the pool's WAC/WAM/age are "
                      "assumptions (yellow cells on the Deal sheet). WAC 6.80%, WAM 197 and age 22 months are the "
                      "balance-weighted figures of the reconstructed tape (mbsxl.reference.tape), not published figures."),
    ("Pool", "One representative level-payment loan (MBS_CASHFLOWS) at a fixed WAC. The pool's loans reprice each "
             "1 January with the PBoC lending rate; the fixed WAC overstates the excess interest after the 2008 cuts "
             "(it only changes what the subordinate class receives while the seniors are paid in full). "
             "Period 1 is the first interest period (from the issue date), the cut-off-to-issue months are not projected."),
    ("Index", "MBS_COUPONINDEX: the one-year deposit rate in force on the first day of each interest period "
              "(period 1 from 2007-12-14, then from each 26th), reset = \"period\"; \"annual\" uses the rate on "
              "1 January; \"fixed\" the rate at issue. The deal's own reset rule is not in the seeds."),
    ("Waterfall", "Each month: senior fees (annual rate on the pool balance) from the pool's net interest; class "
                  "interest (index + spread)/12 on the beginning balance in order A, B, C; a shortfall is carried "
                  "forward without interest; the excess goes to the subordinate class; principal sequential (A, "
                  "then B, then C, then subordinate) or pro rata; losses written down from the subordinate class up; "
                  "clean-up call at the pool factor: the pool is bought at par and the classes repaid that month."),
    ("Measures", "WAL from period start; yields per 100 of original class face, payment on the 26th (30/360, "
                 "MBS_YIELD payment_day), compounding as the Deal sheet says. Grid cells recompute the pool and "
                 "the waterfall for their CPR and CDR."),
    ("Sizes", f"The Pool, Rates and Tranches tables hold WAM = {WAM} months; in Excel the spills follow a new "
              "WAM, the headless engine computes the stored ranges."),
    ("Viewers", viewers_note(FILENAME)),
]


def _notes(book: Book):
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    for i, (k, s) in enumerate(NOTE_LINES):
        book.value(ws, (2 + i, 0), k, fmt=book.fmt("general", "label", bold=True))
        book.paragraph(ws, (2 + i, 1), s, width=120)
    first, _ = _header_block("MBS_TRANCHES")
    book.text(ws, (first - 1, 0), label("表头", "Table columns (mbsxl.columns): formulas find a column of "
                                              "MBS_DEALFLOWS / MBS_DEALSTATS (the MBS_TRANCHES / MBS_TRANCHESTATS "
                                              "columns) by MATCH on these headers"), "subtitle")
    last = first
    for table in ("MBS_TRANCHES", "MBS_TRANCHESTATS"):
        r0, heads = _header_block(table)
        book.value(ws, (r0, 0), table, fmt=book.fmt("general", "label", bold=True))
        for k, h in enumerate(heads):
            book.value(ws, (r0 + k, 1), h)
        last = r0 + len(heads)
    book.widths(ws, {"A": 16, "B": 120})
    book.print_setup(ws, landscape=True, area=f"A1:B{last}")


def _write(book: Book):
    _define_names(book)
    _deal(book)
    _summary(book)
    _grid(book)
    _stress.write(book, sys.modules[__name__])
    _rating.write(book, sys.modules[__name__])
    _pool(book)
    _tranches(book)
    _rates(book)
    deal_review_history.write(book)
    _notes(book)
    deal_review_triggers.write(book, POOL_NAMES[0], _waterfall_args, T, [_abs(DEAL, R_CLS + i, 0) for i in range(N_CLASSES)],
                               sys.modules[__name__])
    _dealtable.write(book, sys.modules[__name__])


def build(path: str) -> dict:
    """Write the deal-review template to ``path``; returns the computed values."""
    return build_with_values(path, _write)
