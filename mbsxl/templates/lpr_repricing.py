"""Template ``lpr_repricing.xlsx``: Chinese mortgage rates after 2019 -- the LPR, one loan through the 2020
conversion and the 2023 / 2024 policy cuts, and a pool under three LPR scenarios (issue 13).

Sheets
------
- ``LPR 历史 History``: LPR 1y and 5y in force at each month end since August 2019 (MBS_RATEINDEX over the
  shipped table, data/lpr.csv, NIFC announcements), a line chart, and the fixings the rules use.
- ``单笔贷款 One loan``: a 5.88% benchmark-rate loan (PBoC 4.90% x 1.2) through the 2020 conversion
  (spread = 5.88% - 4.80% = 1.08%), its 1 January resets, the 2023-09-25 first-home cut to the floor at
  origination and the 2024-10-25 cut of every loan to LPR 5y - 30 bp (not below a current floor): the rule
  written out by built-in formulas beside the engine's path.
- ``LPR 情景 Paths``: three LPR 5y paths (MBS_LPRSCENARIO): flat, -50 bp over 24 months, +50 bp over
  24 months, and their chart.
- ``情景 Scenarios``: inputs (deal classes, fees, prepayment), and per month for five years, per scenario:
  LPR 5y, CPR and excess spread (yuan and annual rate); two charts.
- ``资产池 Pool``: the illustrative pool (a sample of the Jianyuan 2007-1 tape re-dated, LPR 5y + spread).
- ``现金流 Flows`` / ``分档 Tranches``: MBS_LOANCASHFLOWS and MBS_TRANCHES of each scenario.
- ``说明 Notes``: what is published and what is an illustration.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import columns as C
from mbsxl.reference import jianyuan as jy
from mbsxl.reference import tape as T_
from ._book import Book, build_with_values, label, viewers_note

FILENAME = "lpr_repricing.xlsx"
HIST = "LPR 历史 History"
LOAN = "单笔贷款 One loan"
PATHS = "LPR 情景 Paths"
SCEN = "情景 Scenarios"
POOL = "资产池 Pool"
FLOWS = "现金流 Flows"
TRANCHES = "分档 Tranches"
NOTES = "说明 Notes"

# ---------------------------------------------------------------- LPR history
HIST_FIRST = _dt.date(2019, 8, 31)           # month ends from the first LPR fixing (2019-08-20)
HIST_LAST = _dt.date(2026, 5, 31)            # the month of the last checked fixing (2026-05-20)
R_HIST = 5                                   # 0-based row of the first month

# ---------------------------------------------------------------- scenarios (illustrations)
SCENARIOS = [(label("持平", "Flat"), 0.0, 24, "linear"),
             (label("两年降50bp", "-50 bp over 24 months"), -0.005, 24, "linear"),
             (label("两年升50bp", "+50 bp over 24 months"), 0.005, 24, "linear")]
START = _dt.date(2026, 6, 1)                 # first projection month (after the 2026-05-20 fixing)
SHOW = 60                                    # months shown side by side
SAMPLE_EVERY = 200                           # every 200th loan of the Jianyuan tape: 62 loans
CLASSES = [("A", 0.0200), ("B", 0.0240), ("C", 0.0280), ("Subordinate", 0.0)]   # coupons assumed, fixed
SERVICING = 0.0010
FEES = 0.0005
BASE_CPR = 0.10
INCENTIVE_SLOPE = 20.0
INCENTIVE_CAP = 0.40
NEW_LOAN_SPREAD = -0.0045
BENCH_2019 = 0.0490                          # PBoC over-5-year lending rate in force 2015-10-24 .. 2019


def _q(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _abs(sheet: str, r: int, c: int) -> str:
    return f"{_q(sheet)}!{xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)}"


def _rng(sheet: str, r0: int, c0: int, r1: int, c1: int) -> str:
    return (f"{_q(sheet)}!{xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)}:"
            f"{xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)}")


def _month_ends(first: _dt.date, last: _dt.date) -> list[_dt.date]:
    out, d = [], first
    while d <= last:
        out.append(d)
        nxt = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        d = _dt.date(nxt.year + (nxt.month == 12), nxt.month % 12 + 1, 1) - _dt.timedelta(days=1)
    return out


# ---------------------------------------------------------------- the pool sample (illustration)
def pool_sample():
    """The illustrative pool: every :data:`SAMPLE_EVERY`-th loan of the Jianyuan 2007-1 tape (balances, remaining
    terms, amortisation as generated), re-dated to :data:`START`, as LPR 5y loans.  Spread: the 2020 conversion
    of the loan's benchmark multiple (PBoC 4.90% x multiple - 4.80%), then the 2024 cap (spread at most -0.30%)."""
    tape = T_.jianyuan_tape().iloc[::SAMPLE_EVERY].reset_index(drop=True)
    bench = np.where(tape[T_.ORIGINAL_TERM] > 60, T_.BENCHMARK_2008["over_5y"],
                     np.where(tape[T_.ORIGINAL_TERM] > 36, T_.BENCHMARK_2008["3-5y"], T_.BENCHMARK_2008["1-3y"]))
    mult = np.round(tape[T_.RATE].to_numpy() / bench, 2)
    spread = np.minimum(np.round(BENCH_2019 * mult - 0.0480, 6), -0.0030)
    return tape, mult, spread


# ---------------------------------------------------------------- sheets
def _history(book: Book):
    ws = book.sheet(HIST)
    book.text(ws, "A1", label("贷款市场报价利率", "Loan prime rate (LPR), 1-year and over-5-year, since August 2019"),
              "title")
    book.note(ws, "A2", "Each row: the rate in force at the month end, =MBS_RATEINDEX(dates, index) over the shipped "
                        "table (data/lpr.csv: the NIFC's monthly announcements, every fixing 2019-08-20 .. 2026-05-20).")
    book.note(ws, "A3", "Published figures. LPR 5y is the mortgage reference since 2019-10-08.")
    book.header(ws, (R_HIST - 1, 0), [label("月末", "Month end"), label("一年期LPR", "LPR 1y"),
                                      label("五年期以上LPR", "LPR 5y")])
    days = _month_ends(HIST_FIRST, HIST_LAST)
    r1 = R_HIST + len(days) - 1
    for k, d in enumerate(days):
        book.input(ws, (R_HIST + k, 0), d, "date")
    dates = _rng(HIST, R_HIST, 0, r1, 0)
    book.array(ws, (R_HIST, 1), (r1, 1), f'=MBS_RATEINDEX({dates},"lpr_1y")', "pct")
    book.array(ws, (R_HIST, 2), (r1, 2), f'=MBS_RATEINDEX({dates},"lpr_5y")', "pct")
    ch = book.chart({"type": "line"})
    for col, name, color in ((1, label("一年期LPR", "LPR 1y"), "#1F4E9E"), (2, label("五年期以上LPR", "LPR 5y"), "#C00000")):
        ch.add_series({"name": name, "categories": [HIST, R_HIST, 0, r1, 0], "values": [HIST, R_HIST, col, r1, col],
                       "line": {"color": color, "width": 2}})
    ch.set_title({"name": label("LPR 2019-08 至 2026-05", "LPR at each month end, 2019-08 to 2026-05"),
                  "name_font": {"size": 11}})
    ch.set_x_axis({"date_axis": True, "num_format": "yyyy-mm", "major_unit": 6, "major_unit_type": "months",
                   "num_font": {"rotation": -45, "size": 8}})
    ch.set_y_axis({"num_format": "0.00%", "min": 0.025, "max": 0.05,
                   "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 720, "height": 360})
    ws.insert_chart(R_HIST - 1, 4, ch)
    # the fixings the rules below use (published; formulas over the shipped table)
    r = R_HIST + 20
    book.text(ws, (r, 4), label("规则所用的报价", "Fixings the rules use"), "subtitle")
    book.header(ws, (r + 1, 4), [label("日期", "Date"), label("五年期以上LPR", "LPR 5y in force"),
                                 label("用途", "Used for")])
    for k, (d, use) in enumerate(KEY_DATES):
        rr = r + 2 + k
        book.input(ws, (rr, 4), d, "date")
        book.formula(ws, (rr, 5), f"=MBS_RATEINDEX({xl_rowcol_to_cell(rr, 4)})", "pct")
        book.text(ws, (rr, 6), use, "note")
    book.widths(ws, {"A": 12, "B:C": 14, "D": 3, "E": 12, "F": 14, "G": 60})
    book.freeze(ws, R_HIST, 0)
    book.print_setup(ws, landscape=True, area=f"A1:G{r1 + 1}", fit_height=0)


KEY_DATES = [(_dt.date(2019, 12, 20), "the 2020 conversion: spread = rate in force - 4.80% (the December 2019 LPR 5y)"),
             (_dt.date(2021, 1, 1), "first 1 January reset after the conversion"),
             (_dt.date(2022, 1, 1), "1 January 2022 reset"),
             (_dt.date(2023, 1, 1), "1 January 2023 reset"),
             (_dt.date(2023, 9, 25), "2023 cut of first-home rates to the floor at origination"),
             (_dt.date(2024, 1, 1), "1 January 2024 reset"),
             (_dt.date(2024, 10, 25), "2024 cap at LPR 5y - 30 bp"),
             (_dt.date(2025, 1, 1), "1 January 2025 reset"),
             (_dt.date(2026, 1, 1), "1 January 2026 reset"),
             (_dt.date(2026, 5, 20), "the last checked fixing (scenario base)")]


def _paths(book: Book):
    ws = book.sheet(PATHS)
    book.text(ws, "A1", label("LPR情景", "LPR 5y scenarios (MBS_LPRSCENARIO)"), "title")
    book.note(ws, "A2", "Illustration: each scenario moves LPR 5y from the last fixing (3.50% on 2026-05-20) by the shift, "
                        "linearly over the months (fixings on the 20th). Rows 'LPR fixing' are published; rows "
                        "'scenario' are assumptions.")
    book.header(ws, (3, 0), [label("情景", "Scenario"), label("变动", "Shift"), label("月数", "Months"),
                             label("形态", "Shape")])
    for s, (name, shift, months, shape) in enumerate(SCENARIOS):
        book.input(ws, (4 + s, 0), name)
        book.input(ws, (4 + s, 1), shift, "pct")
        book.input(ws, (4 + s, 2), months, "int")
        book.input(ws, (4 + s, 3), shape)
    for s in range(len(SCENARIOS)):
        c0 = 4 * s
        book.formula(ws, (R_PATH - 1, c0), f"={_abs(PATHS, 4 + s, 0)}", book.fmt("general", "subtitle"))
        book.array(ws, (R_PATH, c0), (R_PATH + N_PATH, c0 + 2),
                   f"=MBS_LPRSCENARIO({_abs(PATHS, 4 + s, 1)},{_abs(PATHS, 4 + s, 2)},\"lpr_5y\",{_abs(PATHS, 4 + s, 3)})",
                   col_fmts=["date", "pct3", "general"], header_row=True)
    ch = book.chart({"type": "line"})
    colors = ["#595959", "#1F4E9E", "#C00000"]
    for s in range(len(SCENARIOS)):
        c0 = 4 * s
        ch.add_series({"name": [PATHS, 4 + s, 0], "categories": [PATHS, R_PATH + 1, c0, R_PATH + N_PATH, c0],
                       "values": [PATHS, R_PATH + 1, c0 + 1, R_PATH + N_PATH, c0 + 1],
                       "line": {"color": colors[s], "width": 2}})
    ch.set_title({"name": label("五年期以上LPR: 历史与情景", "LPR 5y: history and three scenarios (illustration)"),
                  "name_font": {"size": 11}})
    ch.set_x_axis({"date_axis": True, "num_format": "yyyy-mm", "major_unit": 6, "major_unit_type": "months",
                   "num_font": {"rotation": -45, "size": 8}})
    ch.set_y_axis({"num_format": "0.00%", "min": 0.025, "max": 0.05})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 720, "height": 340})
    ws.insert_chart(3, 13, ch)
    book.widths(ws, {"A": 24, "B": 10, "C": 8, "D": 10, "E": 12, "F": 10, "G": 10, "H": 3, "I": 12, "J": 10,
                     "K": 10})
    book.print_setup(ws, landscape=True, area=f"A1:K{R_PATH + N_PATH + 1}", fit_height=0)


def _n_history() -> int:
    from mbsxl.rates.rateindex import lpr_table
    return len(lpr_table())


R_PATH = 10                                 # 0-based header row of the scenario tables
N_PATH = 0                                  # rows of each scenario table below its header (set in build)


def _path_dates(s: int) -> str:
    return _rng(PATHS, R_PATH + 1, 4 * s, R_PATH + N_PATH, 4 * s)


def _path_rates(s: int) -> str:
    return _rng(PATHS, R_PATH + 1, 4 * s + 1, R_PATH + N_PATH, 4 * s + 1)


POOL_HEAD = 4                               # 0-based header row of the loan table
POOL_COLS = [label("贷款编号", "Loan ID"), label("本金余额", "Balance"), label("剩余期限(月)", "Remaining term"),
             label("还款方式", "Amortization"), label("基准倍数(2019)", "Benchmark multiple (2019)"),
             label("加点", "Spread over LPR 5y"), label("当前利率", "Current rate")]


def _pool(book: Book, tape, mult, spread):
    ws = book.sheet(POOL)
    n = len(tape)
    book.text(ws, "A1", label("示例资产池", "Illustrative pool: LPR 5y + spread loans"), "title")
    book.note(ws, "A2", f"Illustration: every {SAMPLE_EVERY}th loan of the reconstructed Jianyuan 2007-1 tape (mbsxl.reference.tape; "
                        f"balances, remaining terms, amortisation as generated), re-dated to start {START.isoformat()}.")
    book.note(ws, "A3", "Spread = the 2020 conversion of the loan's 2019 rate (4.90% x multiple - 4.80%), then the 2024 cap "
                        "(at most LPR 5y - 30 bp). Current rate = LPR 5y in force on the start date + spread.")
    start = _abs(SCEN, P["start"], 1)
    book.value(ws, (POOL_HEAD - 1, 0), label("起始日LPR", "LPR 5y in force on the start date"))
    book.formula(ws, (POOL_HEAD - 1, 1), f"=MBS_RATEINDEX({start})", "pct")
    book.header(ws, (POOL_HEAD, 0), POOL_COLS)
    r0 = POOL_HEAD + 1
    for i in range(n):
        r = r0 + i
        book.input(ws, (r, 0), str(tape[T_.LOAN_ID].iloc[i]))
        book.input(ws, (r, 1), float(tape[T_.BALANCE].iloc[i]), "money")
        book.input(ws, (r, 2), int(tape[T_.REMAINING_TERM].iloc[i]), "int")
        book.input(ws, (r, 3), str(tape[T_.AMORTIZATION].iloc[i]))
        book.input(ws, (r, 4), float(mult[i]), "dec2")
        book.formula(ws, (r, 5), f"=MIN(ROUND({BENCH_2019}*E{r + 1}-{_abs(HIST, R_HIST + 20 + 2, 5)},6),-0.003)", "pct3")
        book.formula(ws, (r, 6), f"=$B${POOL_HEAD}+F{r + 1}", "pct3")
    r = r0 + n
    book.text(ws, (r, 0), label("合计/加权", "Total / balance-weighted"), "total")
    book.formula(ws, (r, 1), f"=SUM(B{r0 + 1}:B{r})", book.fmt("money", "total"))
    book.formula(ws, (r, 2), f"=SUMPRODUCT(B{r0 + 1}:B{r},C{r0 + 1}:C{r})/B{r + 1}", book.fmt("dec1", "total"))
    book.formula(ws, (r, 5), f"=SUMPRODUCT(B{r0 + 1}:B{r},F{r0 + 1}:F{r})/B{r + 1}", book.fmt("pct3", "total"))
    book.formula(ws, (r, 6), f"=SUMPRODUCT(B{r0 + 1}:B{r},G{r0 + 1}:G{r})/B{r + 1}", book.fmt("pct3", "total"))
    book.widths(ws, {"A": 14, "B": 16, "C": 12, "D": 16, "E": 14, "F": 14, "G": 12})
    book.freeze(ws, POOL_HEAD + 1, 1)
    book.print_setup(ws, landscape=False, area=f"A1:G{r + 1}", fit_height=1)
    return r0, r0 + n - 1, r


def _pool_col(c: int) -> str:
    return _rng(POOL, POOL_R0, c, POOL_R1, c)


POOL_R0 = POOL_R1 = POOL_TOTAL = 0
P = {}                                       # Scenarios sheet: input name -> 0-based row (column B)


def _loancashflows(s: int) -> str:
    S = {k: _abs(SCEN, P[k], 1) for k in P if k != "classes"}
    return (f"=MBS_LOANCASHFLOWS({_pool_col(1)},{_pool_col(6)},{_pool_col(2)},{S['cpr']},\"CPR\",0,\"CDR\",0,0,"
            f"{S['servicing']},,TRUE,{_pool_col(3)},,{S['start']},,,\"lpr\",{_pool_col(5)},\"january\",,FALSE,,,,,"
            f"{_path_dates(s)},{_path_rates(s)},{S['slope']},{S['cap']},{S['new_spread']})")


T = 0                                        # rows of each pool table (the longest remaining term)
FLOW_HEAD = 3
NCOL_POOL = len(C.CASHFLOW_COLUMNS)
NCOL_TR = len(C.POOL_PERIOD_COLUMNS)


def _flow_c0(s: int) -> int:
    return s * (NCOL_POOL + 1)


def _flows(book: Book):
    ws = book.sheet(FLOWS)
    book.text(ws, "A1", label("资产池现金流", "Pool cash flows by scenario (MBS_LOANCASHFLOWS, loan by loan)"), "title")
    book.note(ws, "A2", "Each table: MBS_LOANCASHFLOWS over the Pool sheet's loans, each loan LPR 5y + its spread, "
                        "reset each 1 January on the scenario's LPR path (Paths sheet); inputs on the Scenarios sheet.")
    fmts = ["int"] + ["yuan"] * 13 + ["pct4", "pct4"]
    for s in range(len(SCENARIOS)):
        c0 = _flow_c0(s)
        book.formula(ws, (FLOW_HEAD - 1, c0), f"={_abs(PATHS, 4 + s, 0)}", book.fmt("general", "subtitle"))
        book.array(ws, (FLOW_HEAD, c0), (FLOW_HEAD + T, c0 + NCOL_POOL - 1), _loancashflows(s), col_fmts=fmts,
                   header_row=True)
        ws.set_column(c0, c0, 7)
        ws.set_column(c0 + 1, c0 + 13, 13)
        ws.set_column(c0 + 14, c0 + 15, 9)
    book.freeze(ws, FLOW_HEAD + 1, 1)
    last = xl_col_to_name(_flow_c0(len(SCENARIOS) - 1) + NCOL_POOL - 1)
    book.print_setup(ws, landscape=True, fit_width=False, area=f"A1:{last}{FLOW_HEAD + T + 1}", compact=True)
    ws.set_print_scale(55)


def _body_and_head(sheet: str, c0: int, ncol: int) -> tuple[str, str]:
    """A spilled table's body (T rows under the header) and its header row, for INDEX/MATCH by column name."""
    return (_rng(sheet, FLOW_HEAD + 1, c0, FLOW_HEAD + T, c0 + ncol - 1),
            _rng(sheet, FLOW_HEAD, c0, FLOW_HEAD, c0 + ncol - 1))


def _pick(table: tuple[str, str], t: int, col: str) -> str:
    """Month ``t`` of column ``col`` of a table given by :func:`_body_and_head`."""
    body, head = table
    return f'INDEX({body},{t},MATCH("{col}",{head},0))'


def _tr_c0(s: int) -> int:
    return s * (NCOL_TR + 1)


def _class_rng(c: int) -> str:
    return _rng(SCEN, P["classes"], c, P["classes"] + len(CLASSES) - 1, c)


def _tranches_formula(s: int) -> str:
    """MBS_TRANCHES' pool-period view (one row a month: fees, interest due ex residual, excess spread)."""
    c0 = _flow_c0(s)
    pool = _rng(FLOWS, FLOW_HEAD, c0, FLOW_HEAD + T, c0 + NCOL_POOL - 1)
    return (f"=MBS_TRANCHES({pool},,,{_class_rng(0)},{_class_rng(2)},{_class_rng(3)},\"sequential\",0,,,,"
            f"{_abs(SCEN, P['fees'], 1)},,,,TRUE,\"pool\")")


def _tranches(book: Book):
    ws = book.sheet(TRANCHES)
    book.text(ws, "A1", label("分档现金流: 资产池视图", "Waterfall by scenario, one row a month (MBS_TRANCHES, view \"pool\")"),
              "title")
    book.note(ws, "A2", "Illustration: classes A, B, C (fixed coupons assumed) and the subordinate class (residual), sized "
                        "as Jianyuan 2007-1's shares of the pool; sequential principal; senior fees on the Scenarios sheet.")
    for s in range(len(SCENARIOS)):
        c0 = _tr_c0(s)
        book.formula(ws, (FLOW_HEAD - 1, c0), f"={_abs(PATHS, 4 + s, 0)}", book.fmt("general", "subtitle"))
        fmts = ["int" if c == C.PERIOD else "pct3" if c in (C.EXCESS_SPREAD_RATE,) else
                "pct" if "Rate" in c else "yuan" for c in C.POOL_PERIOD_COLUMNS]
        book.array(ws, (FLOW_HEAD, c0), (FLOW_HEAD + T, c0 + NCOL_TR - 1), _tranches_formula(s),
                   col_fmts=fmts, header_row=True)
        ws.set_column(c0, c0 + NCOL_TR - 1, 12)
    book.freeze(ws, FLOW_HEAD + 1, 0)
    last = xl_col_to_name(_tr_c0(len(SCENARIOS) - 1) + NCOL_TR - 1)
    book.print_setup(ws, landscape=True, fit_width=False, area=f"A1:{last}{FLOW_HEAD + T + 1}", compact=True)
    ws.set_print_scale(52)          # at 55% each strip of columns ran onto a fifth page of five lines


INPUTS = [
    ("start", label("预测起始月", "First projection month"), START, "date", "after the last checked fixing"),
    ("servicing", label("服务费率", "Servicing fee (annual)"), SERVICING, "pct", "illustration; deducted in net interest"),
    ("fees", label("优先费用", "Senior fees (annual, on pool balance)"), FEES, "pct", "illustration; trustee etc."),
    ("cpr", label("基础提前还款率", "Base CPR"), BASE_CPR, "pct", "illustration"),
    ("slope", label("利差激励斜率", "Incentive slope (CPR per 1.00 of rate gap)"), INCENTIVE_SLOPE, "dec1",
     "illustration: CPR = base + slope x (loan rate - new-loan rate), capped"),
    ("cap", label("提前还款率上限", "CPR cap"), INCENTIVE_CAP, "pct", "illustration"),
    ("new_spread", label("新发放贷款加点", "New-loan spread over LPR 5y"), NEW_LOAN_SPREAD, "pct",
     "illustration: new first-home loans near LPR 5y - 45 bp"),
]
R_SC_HEAD = 0                               # header row of the side-by-side table (set in build)
SC_COLS = [label("五年期LPR", "LPR 5y"), label("提前还款率", "CPR"), label("超额利差(元)", "Excess spread (yuan)"),
           label("超额利差(年化)", "Excess spread (annual)")]


def _sc_c0(s: int) -> int:
    return 2 + s * (len(SC_COLS) + 1)


def _scenarios(book: Book):
    ws = book.sheet(SCEN)
    book.text(ws, "A1", label("三种LPR情景下的资产池", "The pool under three LPR scenarios: CPR and excess spread"), "title")
    book.note(ws, "A2", "Illustration (not a published figure): the Pool sheet's loans, each at LPR 5y + spread reset on "
                        "1 January, under the Paths sheet's three LPR 5y paths; classes and coupons assumed.")
    book.note(ws, "A3", "Excess spread (MBS_TRANCHES, view \"pool\") = pool net interest - senior fees - interest due on "
                        "classes A, B, C; annual rate = x 12 / pool beginning balance. CPR = 1 - (1 - SMM)^12.")
    r = 4
    book.header(ws, (r, 0), [label("假设", "Assumption"), label("数值", "Value"), label("说明", "Note")])
    for k, (key, name, val, fmt, note) in enumerate(INPUTS):
        rr = r + 1 + k
        book.value(ws, (rr, 0), name)
        book.input(ws, (rr, 1), val, fmt)
        book.note(ws, (rr, 2), note)
    r = r + 2 + len(INPUTS)
    book.header(ws, (r, 0), [label("分档", "Class"), label("占资产池", "Share of pool (Jianyuan 2007-1)"),
                             label("金额", "Balance"), label("票面利率", "Coupon (assumed, fixed)"),
                             label("角色", "Role")])
    total = jy.SENIOR_TOTAL + jy.TRANCHES["Subordinate"]
    pool_total = _abs(POOL, POOL_TOTAL, 1)
    for k, (name, cpn) in enumerate(CLASSES):
        rr = r + 1 + k
        book.input(ws, (rr, 0), name)
        book.formula(ws, (rr, 1), f"={jy.TRANCHES[name]:.1f}/{total:.1f}", "pct3")
        if k < len(CLASSES) - 1:
            book.formula(ws, (rr, 2), f"=ROUND({pool_total}*B{rr + 1},2)", "money")
        else:
            book.formula(ws, (rr, 2), f"={pool_total}-SUM(C{r + 2}:C{rr})", "money")
        book.input(ws, (rr, 3), cpn, "pct")
        book.note(ws, (rr, 4), "senior: its coupon is paid before the excess spread" if k < len(CLASSES) - 1
                  else "residual (most junior): receives the excess spread")
    # ---------------------------------------------------------------- side by side
    assert (P[INPUTS[0][0]], P['classes'], R_SC_HEAD) == (5, r + 1, r + 2 + len(CLASSES) + 1)
    h = R_SC_HEAD
    book.header(ws, (h, 0), [label("月", "Month"), label("日期", "Date")])
    for s in range(len(SCENARIOS)):
        c0 = _sc_c0(s)
        book.formula(ws, (h - 1, c0), f"={_abs(PATHS, 4 + s, 0)}", book.fmt("general", "subtitle"))
        book.header(ws, (h, c0), SC_COLS)
    start = _abs(SCEN, P["start"], 1)
    for t in range(1, SHOW + 1):
        rr = h + t
        book.value(ws, (rr, 0), t, "int")
        book.formula(ws, (rr, 1), f"=DATE(YEAR({start}),MONTH({start})+{t - 1},1)", "month")
        for s in range(len(SCENARIOS)):
            c0 = _sc_c0(s)
            flows = _body_and_head(FLOWS, _flow_c0(s), NCOL_POOL)
            waterfall = _body_and_head(TRANCHES, _tr_c0(s), NCOL_TR)
            date = xl_rowcol_to_cell(rr, 1)
            book.formula(ws, (rr, c0), f"=MBS_RATEINDEX({date},,{_path_dates(s)},{_path_rates(s)})", "pct3")
            book.formula(ws, (rr, c0 + 1), f"=1-(1-{_pick(flows, t, C.SMM)})^12", "pct1")
            book.formula(ws, (rr, c0 + 2), f"={_pick(waterfall, t, C.EXCESS_SPREAD)}", "yuan")
            book.formula(ws, (rr, c0 + 3), f"={_pick(waterfall, t, C.EXCESS_SPREAD_RATE)}", "pct")
    last = h + SHOW
    # totals over the months shown
    rr = last + 1
    book.text(ws, (rr, 0), label("合计/平均", "Sum / mean"), "total")
    for s in range(len(SCENARIOS)):
        c0 = _sc_c0(s)
        for j, (fn, fmt) in enumerate((("AVERAGE", "pct3"), ("AVERAGE", "pct1"), ("SUM", "yuan"), ("AVERAGE", "pct"))):
            col = xl_col_to_name(c0 + j)
            book.formula(ws, (rr, c0 + j), f"={fn}({col}{h + 2}:{col}{last + 1})", book.fmt(fmt, "total"))
    # charts
    colors = ["#595959", "#1F4E9E", "#C00000"]
    for k, (j, title, fmt) in enumerate(((3, label("超额利差(年化)", "Excess spread, annual rate (illustration)"), "0.0%"),
                                         (1, label("提前还款率", "CPR (illustration)"), "0%"))):
        ch = book.chart({"type": "line"})
        for s in range(len(SCENARIOS)):
            c0 = _sc_c0(s)
            ch.add_series({"name": [SCEN, h - 1, c0], "categories": [SCEN, h + 1, 1, last, 1],
                           "values": [SCEN, h + 1, c0 + j, last, c0 + j], "line": {"color": colors[s], "width": 2}})
        ch.set_title({"name": title, "name_font": {"size": 11}})
        ch.set_x_axis({"date_axis": True, "num_format": "yyyy-mm", "major_unit": 6, "major_unit_type": "months",
                       "num_font": {"rotation": -45, "size": 8}})
        ch.set_y_axis({"num_format": fmt, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": 620, "height": 320})
        ws.insert_chart(3 + 17 * k, _sc_c0(len(SCENARIOS)) + 1, ch)
    book.widths(ws, {"A": 40, "B": 14, "C": 12})
    ws.set_column(3, _sc_c0(len(SCENARIOS)), 13)
    book.freeze(ws, h + 1, 2)
    book.print_setup(ws, landscape=True, area=f"A1:{xl_col_to_name(_sc_c0(len(SCENARIOS)) - 2)}{rr + 1}", fit_height=0)


# ---------------------------------------------------------------- the one loan (illustration)
LOAN_INPUTS = [
    ("start", label("起始月", "First month (projection start)"), _dt.date(2019, 12, 1), "date", "illustration"),
    ("balance", label("本金余额", "Balance on the first month"), 1_000_000.0, "money", "illustration"),
    ("term", label("剩余期限(月)", "Remaining term (months)"), 300, "int", "illustration"),
    ("rate", label("执行利率", "Rate in force (benchmark 4.90% x 1.2)"), 0.0588, "pct", "issue 13's example loan"),
    ("mult", label("基准利率倍数", "Benchmark multiple"), 1.2, "dec2", "5.88% / 4.90%"),
    ("first", label("首套住房", "First home"), True, "bool", "the 2023 cut covers first homes"),
    ("orig_date", label("贷款发放日", "Origination date"), _dt.date(2016, 6, 15), "date",
     "illustration: a benchmark-era loan (before the 2019-10-08 LPR reform)"),
    ("orig_floor", label("发放时首套利率下限加点", "Floor spread at origination (read by the 2023 cut)"), 0.0, "pct",
     "mbsxl's reading for a pre-reform loan: the 2019-10-08 first-home floor, LPR 5y + 0 (data/mortgage_floors.csv)"),
    ("cur_floor", label("当前新发放贷款下限加点", "Current floor of the city (read by the 2024 cut)"), "none", "pct",
     "none: the national floors were abolished on 2024-05-17 (a number where the city keeps one)"),
    ("conv_date", label("2019年12月LPR报价日", "December 2019 LPR fixing (conversion base)"), _dt.date(2019, 11, 20),
     "date", "published: LPR 5y 4.80% from 2019-11-20, in force in December 2019"),
]
#: The events the loan meets: the shipped rules (data/policy_events.csv), each naming the floor it reads.
LOAN_EVENTS = [(_dt.date(2023, 9, 25), "floor", None, "first", "origination",
                "notice of 2023-08-31: first homes down to the first-home floor of the city when the loan was "
                "originated"),
               (_dt.date(2024, 10, 25), "cap", -0.0030, "all", "current",
                "announcement of 2024-09-29: every loan above LPR 5y - 30 bp to -30 bp, not below the city's "
                "current floor (if any)")]
L = {}                                       # loan input name -> 0-based row (column B)
R_LEV = 0                                    # first events row
R_RULE = 0                                   # header row of the rules table
RULE_ROWS = [  # (date or event index, step, kind)
    (_dt.date(2019, 12, 1), "start: benchmark 4.90% x 1.2 = 5.88%", "start"),
    (_dt.date(2020, 3, 1), "2020 conversion: spread = 5.88% - 4.80% (LPR 5y of December 2019); rate unchanged in 2020",
     "conversion"),
    (_dt.date(2021, 1, 1), "1 January reset: LPR 5y in force that day + spread", "reset"),
    (_dt.date(2022, 1, 1), "1 January reset", "reset"),
    (_dt.date(2023, 1, 1), "1 January reset", "reset"),
    (0, "event 2023-09-25 (from October): spread cut to the floor at origination; LPR of the period kept",
     "event"),
    (_dt.date(2024, 1, 1), "1 January reset", "reset"),
    (1, "event 2024-10-25 (from November): spread cut to -0.30%, not below a current floor", "event"),
    (_dt.date(2025, 1, 1), "1 January reset", "reset"),
    (_dt.date(2026, 1, 1), "1 January reset", "reset"),
]
RULE_COLS = [label("月份", "Month"), label("步骤", "Step"), label("五年期LPR(本期)", "LPR 5y of the period"),
             label("加点", "Spread"), label("利率", "Rate"), label("剩余月数", "Months left"),
             label("月初余额", "Balance"), label("月供", "Payment"), label("引擎利率", "MBS_LOANRATES rate"),
             label("引擎月供", "MBS_LOANRATES payment"), label("一致", "Agrees")]
R_LR = 4                                     # 0-based header row of the MBS_LOANRATES table
C_LR = 12                                    # its first column (M)


def _loan(book: Book):
    ws = book.sheet(LOAN)
    book.text(ws, "A1", label("单笔贷款: 2020年转换与两次存量利率下调", "One loan through the 2020 conversion and the "
                                                               "2023 / 2024 cuts"), "title")
    book.note(ws, "A2", "Illustration: a constructed loan under the published rules (issue 13; shared data README). "
                        "Built-in formulas write each rule out; yellow cells are inputs.")
    book.note(ws, "A3", "Payment: level payment recomputed at each rate change over the months left, "
                        "=PMT(rate/12, months left, -balance); balance carried by =FV(previous rate/12, months, payment, -balance).")
    r = 4
    book.header(ws, (r, 0), [label("输入", "Input"), label("数值", "Value"), label("说明", "Note")])
    for k, (key, name, val, fmt, note) in enumerate(LOAN_INPUTS):
        book.value(ws, (r + 1 + k, 0), name)
        book.input(ws, (r + 1 + k, 1), val, fmt)
        book.note(ws, (r + 1 + k, 2), note)
    r = r + 2 + len(LOAN_INPUTS)
    book.text(ws, (r, 0), label("政策事件", "Policy events the loan meets (events argument)"), "subtitle")
    book.header(ws, (r + 1, 0), [label("生效日", "Effective date"), label("规则", "Rule"), label("数值", "Value"),
                                 label("覆盖", "Covers"), label("下限", "Floor read"), label("说明", "Note")])
    assert (L[LOAN_INPUTS[0][0]], R_LEV) == (5, r + 2)
    for k, (d, rule, val, covers, floor, note) in enumerate(LOAN_EVENTS):
        book.input(ws, (R_LEV + k, 0), d, "date")
        book.input(ws, (R_LEV + k, 1), rule)
        if val is None:                              # a floor rule: no value (the floor named in Floor read)
            book.inputs(ws, (R_LEV + k, 2), [[None]], ["pct"])
        else:
            book.input(ws, (R_LEV + k, 2), val, "pct")
        book.input(ws, (R_LEV + k, 3), covers)
        book.input(ws, (R_LEV + k, 4), floor)
        book.note(ws, (R_LEV + k, 5), note)
    book.text(ws, (R_RULE - 1, 0), label("规则逐步计算", "The rules step by step (built-in formulas)"), "subtitle")
    book.header(ws, (R_RULE, 0), RULE_COLS)
    B = {k: _abs(LOAN, L[k], 1) for k in L}
    for i, (when, step, kind) in enumerate(RULE_ROWS):
        rr = R_RULE + 1 + i
        x = rr + 1                                   # 1-based row
        if kind == "event":
            e = R_LEV + when + 1
            book.formula(ws, (rr, 0), f"=DATE(YEAR($A${e}),MONTH($A${e})+IF(DAY($A${e})>1,1,0),1)", "date")
        else:
            book.input(ws, (rr, 0), when, "date")
        book.text(ws, (rr, 1), step, "note")
        if kind == "start":
            book.formula(ws, (rr, 2), f'=MBS_RATEINDEX(A{x},"lending_over_5y")', "pct")
            book.formula(ws, (rr, 4), f"={B['rate']}", "pct")
            book.formula(ws, (rr, 3), f"=E{x}-C{x}", "pct")
            book.formula(ws, (rr, 5), f"={B['term']}", "int")
            book.formula(ws, (rr, 6), f"={B['balance']}", "money")
        else:
            if kind == "conversion":
                book.formula(ws, (rr, 2), f"=MBS_RATEINDEX({B['conv_date']})", "pct")
                book.formula(ws, (rr, 3), f"=E{x - 1}-C{x}", "pct")
                book.formula(ws, (rr, 4), f"=E{x - 1}", "pct")
            elif kind == "reset":
                book.formula(ws, (rr, 2), f"=MBS_RATEINDEX(A{x})", "pct")
                book.formula(ws, (rr, 3), f"=D{x - 1}", "pct")
                book.formula(ws, (rr, 4), f"=C{x}+D{x}", "pct")
            else:
                e = R_LEV + when + 1
                book.formula(ws, (rr, 2), f"=C{x - 1}", "pct")
                # floor rule: down to the floor read (MIN); cap: down to MAX(value, floor) where the loan has
                # that floor (a number), else to value; the floor read is the event's Floor cell
                fl = f'IF($E${e}="origination",{B["orig_floor"]},{B["cur_floor"]})'
                target = (f'IF($B${e}="floor",{fl},IF(AND($E${e}<>"none",ISNUMBER({fl})),MAX($C${e},{fl}),'
                          f'$C${e}))')
                book.formula(ws, (rr, 3), f'=IF(OR($D${e}="all",AND($D${e}="first",{B["first"]})),'
                                          f"MIN(D{x - 1},{target}),D{x - 1})", "pct")
                book.formula(ws, (rr, 4), f"=C{x}+D{x}", "pct")
            book.formula(ws, (rr, 5), f"={B['term']}-((YEAR(A{x})-YEAR({B['start']}))*12+MONTH(A{x})-MONTH({B['start']}))",
                         "int")
            book.formula(ws, (rr, 6), f"=FV(E{x - 1}/12,F{x - 1}-F{x},H{x - 1},-G{x - 1})", "money")
        book.formula(ws, (rr, 7), f"=PMT(E{x}/12,F{x},-G{x})", "money")
        for j, col in ((8, C.RATE), (9, C.PAYMENT)):
            book.formula(ws, (rr, j), f"=INDEX({_lr_col(col)},MATCH(A{x},{_lr_col(C.DATE)},0))",
                         "pct" if j == 8 else "money")
        book.formula(ws, (rr, 10), f"=AND(ROUND(I{x}-E{x},10)=0,ROUND(J{x}-H{x},6)=0)",
                     book.fmt("bool", "formula", align="center"))
    last = R_RULE + len(RULE_ROWS)
    # the engine's path, month by month
    book.text(ws, (R_LR - 1, C_LR), label("逐月利率路径", "The loan month by month (MBS_LOANRATES)"), "subtitle")
    n = LOAN_INPUTS[2][2]
    ev = _rng(LOAN, R_LEV, 0, R_LEV + len(LOAN_EVENTS) - 1, 4)
    book.array(ws, (R_LR, C_LR), (R_LR + n, C_LR + len(C.LOAN_RATES_COLUMNS) - 1),
               f"=MBS_LOANRATES({B['balance']},{B['rate']},{B['term']},{B['start']},\"benchmark\",,\"january\",,TRUE,,"
               f"{ev},{B['first']},{B['orig_floor']},,,{B['mult']},,,{B['cur_floor']},{B['orig_date']})",
               col_fmts=["int", "int", "date", "pct", "pct", "pct", "money", "money", "general"], header_row=True)
    ch = book.chart({"type": "line"})
    months = 86                                   # December 2019 .. January 2027
    for col, name, color in ((C.RATE, label("贷款利率", "Loan rate"), "#C00000"),
                             (C.INDEX, label("基准/LPR", "Index of the period"), "#1F4E9E")):
        j = C_LR + C.LOAN_RATES_COLUMNS.index(col)
        ch.add_series({"name": name, "categories": [LOAN, R_LR + 1, C_LR + 2, R_LR + months, C_LR + 2],
                       "values": [LOAN, R_LR + 1, j, R_LR + months, j], "line": {"color": color, "width": 2}})
    ch.set_title({"name": label("单笔贷款利率路径", "One loan: rate and index, 2019-12 to 2027-01 (illustration)"),
                  "name_font": {"size": 11}})
    ch.set_x_axis({"date_axis": True, "num_format": "yyyy-mm", "major_unit": 6, "major_unit_type": "months",
                   "num_font": {"rotation": -45, "size": 8}})
    ch.set_y_axis({"num_format": "0.00%", "min": 0.03, "max": 0.06})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 760, "height": 340})
    ws.insert_chart(last + 2, 0, ch)
    book.widths(ws, {"A": 34, "B": 16, "C": 14, "D": 10, "E": 10, "F": 10, "G": 14, "H": 12, "I": 12, "J": 12,
                     "K": 8, "L": 3, "M": 6, "N": 7, "O": 11, "P:R": 9, "S:T": 12, "U": 16})
    ws.set_column(1, 1, 60)
    book.print_setup(ws, landscape=True, area=f"A1:K{last + 20}", fit_height=0)


def _lr_col(name: str) -> str:
    j = C_LR + C.LOAN_RATES_COLUMNS.index(name)
    return _rng(LOAN, R_LR + 1, j, R_LR + LOAN_INPUTS[2][2], j)


NOTE_LINES = [
    ("Published", "LPR 1y and 5y (data/lpr.csv, NIFC announcements, every fixing 2019-08-20 .. 2026-05-20); the PBoC "
                  "over-5-year benchmark 4.90% in force from 2015-10-24; the policy rules: 2020 conversion (spread = "
                  "rate in force - 4.80%, rate unchanged in 2020, reset at least yearly), 2023-09-25 first-home cut to "
                  "the floor of the loan's city at origination (notice of 2023-08-31), 2024-10-25 every loan above "
                  "LPR 5y - 30 bp to -30 bp, not below the city's current floor (announcement of 2024-09-29); the "
                  "national floors of new loans by date (data/mortgage_floors.csv); class shares of "
                  "Jianyuan 2007-1 (seed 002)."),
    ("Illustration", "Everything else: the one loan (5.88%, 1,000,000 yuan, 300 months from 2019-12), its floors, "
                     "the pool (every 200th loan of the reconstructed Jianyuan tape, re-dated to 2026-06 as LPR loans), "
                     "the three scenarios, class coupons, fees, servicing and the prepayment assumptions."),
    ("One loan", "Resets on 1 January at the LPR 5y in force that day. A mid-month event applies from the next month "
                 "(2023-09-25 -> October 2023) and changes the spread only: the rate is the LPR of the current repricing "
                 "period + the new spread until the next reset (mbsxl.rates.repricing). Each loan has two floors: the floor "
                 "of its city at origination (read by the 2023 cut; for a loan originated before the LPR reform "
                 "mbsxl reads the 2019-10-08 floor, LPR 5y + 0 for first homes) and the city's current floor for "
                 "new loans (read by the 2024 cut; none here). So the loan goes to LPR + 0 in October 2023 and to "
                 "LPR - 30 bp in November 2024."),
    ("Prepayment", "Rate incentive (MBS_LOANCASHFLOWS incentive_slope, incentive_cap, new_loan_spread): CPR of a loan "
                   "= min(cap, max(0, base CPR + slope x (loan rate - new-loan rate))), new-loan rate = LPR 5y of the "
                   "month + new-loan spread. Old loans reprice only on 1 January, so a falling LPR opens a gap during "
                   "the year and prepayment rises; a rising LPR closes it. Not calibrated: fit slope and cap to a "
                   "deal's trustee reports."),
    ("Excess spread", "Per month (MBS_TRANCHES, view \"pool\"): pool net interest (after servicing) - senior fees "
                      "(annual rate / 12 x pool beginning balance) - interest due on classes A, B, C; as an annual rate "
                      "x 12 / pool beginning balance. Fixed coupons: a lower LPR lowers the pool's interest from the "
                      "next 1 January and the excess spread with it."),
    ("Viewers", viewers_note(FILENAME)),
    ("Rebuild", "Generated by mbsxl/templates/lpr_repricing.py (`mbsxl templates build`); recalculate with "
                "`mbsxl calc workbooks/lpr_repricing.xlsx`."),
]


def _notes(book: Book):
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    for k, (head, text) in enumerate(NOTE_LINES):
        book.text(ws, f"A{3 + k}", head, "subtitle")
        book.paragraph(ws, f"B{3 + k}", text, 120)
    book.widths(ws, {"A": 18, "B": 120})
    book.print_setup(ws, landscape=True, area=f"A1:B{3 + len(NOTE_LINES)}")


# ---------------------------------------------------------------- layout (0-based rows)
L.update({key: 5 + k for k, (key, *_) in enumerate(LOAN_INPUTS)})
R_LEV = 4 + 2 + len(LOAN_INPUTS) + 2
R_RULE = R_LEV + len(LOAN_EVENTS) + 2
P.update({key: 5 + k for k, (key, *_) in enumerate(INPUTS)})
P["classes"] = 4 + 2 + len(INPUTS) + 1
R_SC_HEAD = P["classes"] + len(CLASSES) + 2


def layout():
    """Set the data-dependent layout (rows of the LPR paths, of the pool and of the pool tables) and return the
    pool sample; the tests call it too."""
    global N_PATH, T, POOL_R0, POOL_R1, POOL_TOTAL
    tape, mult, spread = pool_sample()
    N_PATH = _n_history() + max(m for _, _, m, _ in SCENARIOS)
    T = int(tape[T_.REMAINING_TERM].max())
    POOL_R0, POOL_R1, POOL_TOTAL = POOL_HEAD + 1, POOL_HEAD + len(tape), POOL_HEAD + 1 + len(tape)
    return tape, mult, spread


def _write(book: Book):
    tape, mult, spread = layout()
    _history(book)
    _loan(book)
    _paths(book)
    book.sheet(SCEN)                        # sheet order: Scenarios before Pool
    _pool(book, tape, mult, spread)
    _scenarios(book)
    _flows(book)
    _tranches(book)
    _notes(book)


def build(path: str) -> dict:
    return build_with_values(path, _write)
