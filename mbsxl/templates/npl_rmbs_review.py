"""Template ``npl_rmbs_review.xlsx``: a non-performing mortgage securitisation (个人住房抵押贷款不良资产支持证券)
reviewed loan by loan (issue 20).

Sheets
------
- ``概要 Summary``: the inputs (haircut override, stresses: amount, delay, costs; window) and the figures a
  reviewer reads: the pool's claim, base and stressed recoveries, cumulative recovery rates, loans
  capped by their claim, the share resolved within 60 months (beside the published "more than 50 %").
- ``资产池 Tape``: a GENERATED tape of 3,000 NPL loans (:func:`mbsxl.reference.npl_tape.generated_tape`, seed 20;
  not data).  Formulas read rows 2 to ``TAPE_ROWS + 1``: paste another tape and clear the rest.
- ``阶段 Stages``: months to resolution by legal stage (input cells; the default is an illustration,
  MBS_RECOVERYSTAGES shows its note).
- ``回收预测 Projection``: MBS_RECOVERIES by month, base and stressed, side by side.
- ``逐笔 Loans``: MBS_RECOVERYLOANS (base): each loan's claim, resolution month, recovery, capped flag.
- ``曲线 Curve``: cumulative recovery rate by month, base and stressed, against the published three-year
  shape (MBS_RECOVERYCURVE "three_year": 20/40/50 % after 1/2/3 years), and a chart.
- ``跟踪 Tracking``: MBS_RECOVERYTRACK on an ILLUSTRATIVE half-yearly trustee history (made-up figures,
  90 %, 75 %, 85 % of the expected path), against MBS_RECOVERIES at six months a period.
- ``交易要素 Deal``: an ILLUSTRATIVE NPL deal table (:func:`mbsxl.deal.npl_deal.example_deal`: senior A 65 % and
  subordinate 15 % of the base collections, disposal costs first, base fee 2 % of collections, incentive
  fee 20 % of the excess over the expected path, 30 % of the excess to the servicer), MBS_DEALCHECK beside.
- ``分配 Waterfall``: class by class and month (MBS_NPLFLOWS) and the monthly recoveries as the deal's
  pool (MBS_NPLPOOL); per class WAL, window, interest, principal, what is still owed, yield at 100
  (MBS_NPLDEALSTATS), base and stressed; the breakeven recovery haircut of each class (MBS_NPLBREAKEVEN);
  a 9 x 7 haircut x delay grid of the subordinate class (MBS_NPLGRID).
- ``市场统计 Market``: the market statistics with their sources (MBS_NPLMARKET; the shipped
  ``data/npl_market_stats.csv``).
- ``说明 Notes``: what is generated, what is an illustration, what is published.
"""
from __future__ import annotations

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import columns as C
from mbsxl.pool import recovery as R
from mbsxl.deal.npl_deal import example_deal
from mbsxl.reference.npl_tape import generated_tape
from ._book import Book, build_with_values, label

FILENAME = "npl_rmbs_review.xlsx"
SUMMARY = "概要 Summary"
TAPE = "资产池 Tape"
STAGES = "阶段 Stages"
PROJ = "回收预测 Projection"
LOANS = "逐笔 Loans"
CURVE = "曲线 Curve"
TRACK = "跟踪 Tracking"
MARKET = "市场统计 Market"
DEAL = "交易要素 Deal"
WATER = "分配 Waterfall"
GRID_HAIRCUTS = [0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60]
GRID_DELAYS = [0, 3, 6, 9, 12, 18, 24]
NOTES = "说明 Notes"

N_LOANS = 3000
SEED = 20
TAPE_ROWS = 5000
# stresses: the ranges (rating agencies stress the amount -10 % to -50 % and the timing 6 months or more;
# no published agency figure was found, so these are the template's illustration)
AMOUNT_STRESS = 0.30
DELAY = 6
COST_STRESS = 0.50
WINDOW = 1
TRACK_K = 6                                   # months a trustee-report period (half-yearly)
TRACK_SHARES = (0.90, 0.75, 0.85)             # ILLUSTRATIVE actual / expected of the made-up reports

TAPE_FMTS = ["text", "money", "money", "money", "yuan", "pct1", "text", "int", "money"]
PERIOD_FMTS = ["int", "money", "money", "money", "count", "money", "pct", "pct"]
LOAN_FMTS = ["text", "text", "money", "money", "money", "int", "money", "money", "pct", "bool"]
TRACK_FMTS = ["int", "general", "money", "money", "pct", "money", "money", "pct", "pct", "pct", "money", "pct"]


def _a(sheet: str, r: int, c: int) -> str:
    return f"'{sheet}'!{xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)}"


def _rng(sheet: str, r0: int, c0: int, r1: int, c1: int) -> str:
    return (f"'{sheet}'!{xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)}:"
            f"{xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)}")


TAPE_RANGE = _rng(TAPE, 0, 0, TAPE_ROWS, len(C.NPL_TAPE_LAYOUT) - 1)
STAGE_RANGE = _rng(STAGES, 4, 0, 4 + len(R.DEFAULT_STAGE_TABLE) - 1, 1)
# summary input cells (column B)
IN_HAIRCUT, IN_AMOUNT, IN_DELAY, IN_COST, IN_WINDOW = (_a(SUMMARY, r, 1) for r in range(3, 8))


def _args(stressed: bool, k: int = 1) -> str:
    s = f"{IN_AMOUNT},{IN_DELAY},{IN_COST}" if stressed else "0,0,0"
    return f"{TAPE_RANGE},{IN_HAIRCUT},{STAGE_RANGE},{IN_WINDOW},{s},{k}"


def _tape_sheet(book: Book, tape) -> None:
    ws = book.sheet(TAPE)
    book.header(ws, (0, 0), C.NPL_TAPE_LAYOUT)
    ws.set_row(0, 30)
    book.inputs(ws, (1, 0), tape.itertuples(index=False), TAPE_FMTS)
    book.widths(ws, {"A": 11, "B:F": 15, "G": 10, "H": 12, "I": 14})
    book.freeze(ws, 1, 1)
    book.print_setup(ws, landscape=True, area="A1:I101", repeat_rows=(0, 0), compact=True)


def _stage_sheet(book: Book, n_stage: int) -> None:
    ws = book.sheet(STAGES)
    book.text(ws, "A1", label("处置阶段与处置月数", "Months to resolution by legal stage"), "title")
    book.note(ws, "A2", "Yellow: months from the start of a stage to the recovery; replace with the servicer's plan "
                        "(处置计划) or the rating report's. The values below are an ILLUSTRATION, not a published table.")
    book.header(ws, (3, 0), [C.NPL_STAGE, C.NPL_STAGE_MONTHS])
    for i, (s, m) in enumerate(R.DEFAULT_STAGE_TABLE.items()):
        book.input(ws, (4 + i, 0), s, "text")
        book.input(ws, (4 + i, 1), float(m), "int")
    r = 4 + len(R.DEFAULT_STAGE_TABLE) + 2
    book.text(ws, (r - 1, 0), label("使用中的阶段表", "The stage table in use (MBS_RECOVERYSTAGES)"), "subtitle")
    book.array(ws, (r, 0), (r + n_stage, 2), f"=MBS_RECOVERYSTAGES({STAGE_RANGE})",
               col_fmts=["text", "int", "text"], header_row=True)
    r2 = r + n_stage + 3
    book.text(ws, (r2 - 1, 0), label("默认阶段表(示例)", "The default table and its note (MBS_RECOVERYSTAGES())"),
              "subtitle")
    book.array(ws, (r2, 0), (r2 + len(R.DEFAULT_STAGE_TABLE), 2), "=MBS_RECOVERYSTAGES()",
               col_fmts=["text", "int", "text"], header_row=True)
    book.widths(ws, {"A": 22, "B": 16, "C": 100})
    book.print_setup(ws, landscape=True, area=f"A1:C{r2 + 8}")


def _projection_sheet(book: Book, n_base: int, n_stress: int) -> None:
    ws = book.sheet(PROJ)
    book.text(ws, "A1", label("回收预测", "Recoveries by month: base and stressed (MBS_RECOVERIES)"), "title")
    book.note(ws, "A2", "Month 1 = the first month after cut-off. Stressed: the amount, delay and cost stresses of the "
                        "Summary sheet. Cumulative recovery rate = cumulative gross proceeds / the pool's claim.")
    w = len(C.NPL_PERIOD_COLUMNS)
    for j, (title, stressed, n) in enumerate(((label("基准", "Base"), False, n_base),
                                              (label("压力", "Stressed"), True, n_stress))):
        c0 = j * (w + 1)
        book.text(ws, (3, c0), title, "subtitle")
        book.array(ws, (4, c0), (4 + n, c0 + w - 1), f"=MBS_RECOVERIES({_args(stressed)})", col_fmts=PERIOD_FMTS,
                   header_row=True)
    ws.set_row(4, 42)
    book.widths(ws, {"A": 8, "B:H": 14, "I": 3, "J": 8, "K:Q": 14})
    book.freeze(ws, 5, 0)
    book.print_setup(ws, landscape=True, area=f"A1:Q{5 + max(n_base, n_stress)}", repeat_rows=(4, 4))


def _loans_sheet(book: Book, n: int) -> None:
    ws = book.sheet(LOANS)
    book.text(ws, "A1", label("逐笔回收", "Loan by loan, base case (MBS_RECOVERYLOANS)"), "title")
    book.note(ws, "A2", "受债权上限 Capped by claim = TRUE: collateral after haircut less costs exceeds the claim; the "
                        "recovery is the claim and the surplus belongs to the borrower (reported, not cut silently).")
    book.array(ws, (3, 0), (3 + n, len(C.NPL_LOAN_COLUMNS) - 1), f"=MBS_RECOVERYLOANS({_args(False)[:-2]})",
               col_fmts=LOAN_FMTS, header_row=True)
    ws.set_row(3, 42)
    book.widths(ws, {"A": 11, "B": 10, "C:E": 15, "F": 10, "G:H": 15, "I": 10, "J": 12})
    book.freeze(ws, 4, 1)
    book.print_setup(ws, landscape=True, area="A1:J104", repeat_rows=(3, 3), compact=True)


def _curve_sheet(book: Book, n_base: int, n_stress: int, n_shape: int) -> None:
    ws = book.sheet(CURVE)
    book.text(ws, "A1", label("累计回收率", "Cumulative recovery rate: the pool against the published shape"), "title")
    book.note(ws, "A2", "Published shape: typical three-year cumulative recovery of mortgage NPAS 20% / 40% / 50% after "
                        "1 / 2 / 3 years (reportify.ai summary, 2024-10-28; see the Market sheet), linear by month.")
    claim = _a(SUMMARY, 10, 1)
    r0 = 4
    book.text(ws, (r0 - 1, 0), label("公布形状", "Published three-year shape (MBS_RECOVERYCURVE)"), "subtitle")
    book.array(ws, (r0, 0), (r0 + n_shape, 3), f'=MBS_RECOVERYCURVE({claim},"three_year")',
               col_fmts=["int", "money", "money", "pct"], header_row=True)
    ws.set_row(r0, 42)
    rate_col = C.NPL_PERIOD_COLUMNS.index(C.NPL_CUM_RATE)
    w = len(C.NPL_PERIOD_COLUMNS)
    ch = book.chart({"type": "line"})
    n_max = max(n_base, n_stress)
    ch.add_series({"name": label("基准", "Base"), "categories": [PROJ, 5, 0, 4 + n_max, 0],
                   "values": [PROJ, 5, rate_col, 4 + n_base, rate_col], "line": {"color": "#1F4E9E", "width": 2}})
    ch.add_series({"name": label("压力", "Stressed"), "values": [PROJ, 5, w + 1 + rate_col, 4 + n_stress,
                                                               w + 1 + rate_col],
                   "line": {"color": "#C00000", "width": 2, "dash_type": "dash"}})
    ch.add_series({"name": label("公布三年形状", "Published 20/40/50% shape"),
                   "values": [CURVE, r0 + 1, 3, r0 + n_shape, 3],
                   "line": {"color": "#7F7F7F", "width": 2, "dash_type": "round_dot"}})
    ch.set_title({"name": "累计回收率 Cumulative recovery rate by month", "name_font": {"size": 11}})
    ch.set_x_axis({"name": "Month after cut-off", "interval_unit": 6, "num_font": {"size": 8}})
    ch.set_y_axis({"name": "of the claim", "num_format": "0%", "min": 0, "max": 1,
                   "major_gridlines": {"visible": True}})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 720, "height": 360})
    ws.insert_chart(r0, 5, ch)
    book.widths(ws, {"A": 8, "B:D": 16})
    book.print_setup(ws, landscape=True, area=f"A1:P{r0 + n_shape + 2}")


def _track_sheet(book: Book, history: list, n_k: int) -> None:
    ws = book.sheet(TRACK)
    book.text(ws, "A1", label("实际与预期", "Actual against expected recoveries (MBS_RECOVERYTRACK)"), "title")
    book.note(ws, "A2", "ILLUSTRATIVE trustee history: made-up figures (90%, 75%, 85% of the expected path), not a "
                        "report. Paste the real 收款期间 and 回收金额 of each report; one row a half-year.")
    h0 = 4
    book.header(ws, (h0, 0), [C.TRUSTEE_PERIOD, C.TRUSTEE_RECOVERIES])
    ws.set_row(h0, 30)
    for i, (p, a) in enumerate(history):
        book.input(ws, (h0 + 1 + i, 0), p, "text")
        book.input(ws, (h0 + 1 + i, 1), a, "money")
    hist = _rng(TRACK, h0, 0, h0 + len(history), 1)
    # the expected path at six months a period
    e0 = h0
    ec = 3
    w = len(C.NPL_PERIOD_COLUMNS)
    book.text(ws, (e0 - 1, ec), label("预期(半年)", "Expected, half-yearly (MBS_RECOVERIES, 6 months a period)"),
              "subtitle")
    book.array(ws, (e0, ec), (e0 + n_k, ec + w - 1), f"=MBS_RECOVERIES({_args(False, TRACK_K)})",
               col_fmts=PERIOD_FMTS, header_row=True)
    exp = _rng(TRACK, e0 + 1, ec + 1, e0 + n_k, ec + 1)
    t0 = e0 + n_k + 4
    book.text(ws, (t0 - 1, 0), label("跟踪", "Actual against expected, re-projected from today (ratio)"), "subtitle")
    claim = _a(SUMMARY, 10, 1)
    book.array(ws, (t0, 0), (t0 + n_k, len(C.NPL_TRACK_COLUMNS) - 1),
               f"=MBS_RECOVERYTRACK({hist},{exp},{claim})", col_fmts=TRACK_FMTS, header_row=True)
    ws.set_row(t0, 42)
    ws.set_row(e0, 42)
    book.widths(ws, {"A": 10, "B": 14, "C": 14, "D:O": 14})
    book.print_setup(ws, landscape=True, area=f"A1:O{t0 + n_k + 2}")


def _deal_sheet(book: Book, rows: list) -> str:
    ws = book.sheet(DEAL)
    book.text(ws, "A1", label("交易要素表(示例)", "Deal table: an ILLUSTRATIVE NPL structure (not a deal's terms)"),
              "title")
    book.note(ws, "A2", "Yellow: the deal as the prospectus writes it (blocks found by their titles). NPL fee bases: "
                        "disposal_costs, collections, excess_collections, share; pay_share pays a share of the cash.")
    r0 = 3
    titles = ("分档", "费用", "账户", "偿付", "参数")
    for i, row in enumerate(rows):
        is_title = bool(row) and isinstance(row[0], str) and row[0].startswith(titles)
        for j, c in enumerate(row):
            if c is None:
                continue
            if is_title:
                book.text(ws, (r0 + i, j), c, "subtitle" if j == 0 else "header")
            elif isinstance(c, float) and 0 < c < 1:
                book.input(ws, (r0 + i, j), c, "pct1")
            else:
                book.input(ws, (r0 + i, j), c, "yuan" if isinstance(c, float) and c >= 1000 else "general")
    width = max(len(r) for r in rows)
    rng = _rng(DEAL, r0, 0, r0 + len(rows) - 1, width - 1)
    c0 = width + 1
    book.text(ws, (r0 - 1, c0), label("解析结果", "What the parser understood (MBS_DEALCHECK)"), "subtitle")
    n_check = len(__import__("mbsxl").deal_check(rows))
    book.array(ws, (r0, c0), (r0 + n_check, c0 + len(C.DEAL_CHECK_COLUMNS) - 1), f"=MBS_DEALCHECK({rng})",
               col_fmts=["text", "int", "text", "text", "text"], header_row=True)
    book.widths(ws, {"A": 24, "B": 22, "C": 10, "D": 14, "E": 28, "F": 10, "G": 3, "H": 16, "I": 6, "J": 26,
                     "K": 11, "L": 70})
    book.print_setup(ws, landscape=True, area=f"A1:L{r0 + max(len(rows), n_check) + 2}")
    return rng


def _waterfall_sheet(book: Book, deal_rng: str, n_base: int, n_stress: int, n_classes: int, class_names: list,
                     n_flows: int) -> None:
    ws = book.sheet(WATER)
    book.text(ws, "A1", label("现金流分配", "The NPL waterfall on the deal table: base and stressed"), "title")
    book.note(ws, "A2", "The monthly recoveries of the Projection sheet as the deal's pool (MBS_NPLPOOL); the expected "
                        "path of the incentive fee is the base case. Yields at 100 per 100 of face, semi-annual.")
    w = len(C.NPL_PERIOD_COLUMNS)
    base = _rng(PROJ, 4, 0, 4 + n_base, w - 1)
    stress = _rng(PROJ, 4, w + 1, 4 + n_stress, 2 * w)
    ns = len(C.DEAL_STATS_COLUMNS)
    stat_fmts = ["text", "yuan", "dec2", "int", "int", "int", "yuan", "yuan", "yuan", "pct"]
    r = 4
    for title, rec, exp in ((label("基准", "Base: per class (MBS_NPLDEALSTATS)"), base, ""),
                            (label("压力", "Stressed: per class, expected path = base"), stress, base)):
        book.text(ws, (r - 1, 0), title, "subtitle")
        book.array(ws, (r, 0), (r + n_classes, ns - 1), f"=MBS_NPLDEALSTATS({rec},{DEAL_RANGE[0]},100,{exp})",
                   col_fmts=stat_fmts, header_row=True)
        ws.set_row(r, 30)
        r += n_classes + 3
    book.text(ws, (r - 1, 0), label("盈亏平衡折价率", "Breakeven recovery haircut per class (every loan; base timing; "
                                    "with the Summary's delay)"), "subtitle")
    book.header(ws, (r, 0), [C.CLASS, label("无推迟", "No delay"), label("推迟", "With the Summary's delay")])
    for i, nm in enumerate(class_names):
        book.value(ws, (r + 1 + i, 0), nm)
        book.formula(ws, (r + 1 + i, 1), f'=MBS_NPLBREAKEVEN({TAPE_RANGE},{DEAL_RANGE[0]},"{nm}",0,0,0,{STAGE_RANGE})',
                     "pct1")
        book.formula(ws, (r + 1 + i, 2),
                     f'=MBS_NPLBREAKEVEN({TAPE_RANGE},{DEAL_RANGE[0]},"{nm}",{IN_DELAY},0,0,{STAGE_RANGE})', "pct1")
    r += n_classes + 4
    sub = class_names[-1]
    hs = _rng(WATER, r, 1, r, len(GRID_HAIRCUTS))
    ds = _rng(WATER, r + 1, 1, r + 1, len(GRID_DELAYS))
    book.text(ws, (r - 1, 0), label("压力矩阵", f"Grid: haircut x delay for {sub} (MBS_NPLGRID; inputs below)"),
              "subtitle")
    book.value(ws, (r, 0), label("折价率", "Haircuts"))
    book.value(ws, (r + 1, 0), label("推迟月数", "Delays"))
    for j, h in enumerate(GRID_HAIRCUTS):
        book.input(ws, (r, 1 + j), h, "pct1")
    for j, dly in enumerate(GRID_DELAYS):
        book.input(ws, (r + 1, 1 + j), float(dly), "int")
    g0 = r + 3
    n_grid = len(GRID_HAIRCUTS) * len(GRID_DELAYS)
    book.array(ws, (g0, 0), (g0 + n_grid, len(C.NPL_GRID_COLUMNS) - 1),
               f'=MBS_NPLGRID({TAPE_RANGE},{DEAL_RANGE[0]},"{sub}",{hs},{ds},0,0,{STAGE_RANGE})',
               col_fmts=["pct1", "int", "dec2", "yuan", "yuan", "yuan"], header_row=True)
    book.explain_blanks(ws, (g0 + 1, 0), (g0 + n_grid, len(C.NPL_GRID_COLUMNS) - 1), (r + 2, 0),
                        f"WAL: {sub} receives no principal in that scenario (0 principal; all of it unpaid), "
                        "so it has no WAL.")
    ws.set_row(g0, 30)
    f0 = g0 + n_grid + 3
    book.text(ws, (f0 - 1, 0), label("逐月分配", "Base case, class by class and month (MBS_NPLFLOWS)"), "subtitle")
    book.array(ws, (f0, 0), (f0 + n_flows, len(C.TRANCHE_COLUMNS) - 1), f"=MBS_NPLFLOWS({base},{DEAL_RANGE[0]})",
               col_fmts=["int", "text"] + ["money"] * (len(C.TRANCHE_COLUMNS) - 2), header_row=True)
    ws.set_row(f0, 30)
    p0 = f0 + n_flows + 3
    book.text(ws, (p0 - 1, 0), label("资产池现金流", "The deal's pool: collections, costs, expected path (MBS_NPLPOOL)"),
              "subtitle")
    pool_cols = 8
    book.array(ws, (p0, 0), (p0 + n_base, pool_cols - 1), f"=MBS_NPLPOOL({base})",
               col_fmts=["int"] + ["money"] * (pool_cols - 1), header_row=True)
    ws.set_row(p0, 30)
    book.widths(ws, {"A": 18, "B:K": 15})
    book.freeze(ws, 0, 1)
    book.print_setup(ws, landscape=True, area=f"A1:K{g0 + n_grid + 1}")


DEAL_RANGE = [""]                 # set by build(): the deal table's range on the Deal sheet


def _market_sheet(book: Book, n_stats: int) -> None:
    ws = book.sheet(MARKET)
    book.text(ws, "A1", label("市场统计与来源", "Market statistics of mortgage NPL securitisation, with sources"),
              "title")
    book.note(ws, "A2", "From mbsxl/data/npl_market_stats.csv (MBS_NPLMARKET). Summary pages are cited where the full "
                        "report was not available; each row names its publisher, URL and date.")
    book.array(ws, (3, 0), (3 + n_stats, len(C.NPL_STATS_COLUMNS) - 1), "=MBS_NPLMARKET(\"\")",
               col_fmts=["text", "general", "text", "text", "text", "text", "text", "text"], header_row=True)
    ws.set_row(3, 30)
    book.widths(ws, {"A": 60, "B": 10, "C": 22, "D": 44, "E": 60, "F": 40, "G": 56, "H": 11})
    book.print_setup(ws, landscape=True, area=f"A1:H{4 + n_stats}")


def _summary_sheet(book: Book, n_base: int, n_stress: int, n_loans: int) -> None:
    ws = book.sheet(SUMMARY)
    book.text(ws, "A1", label("个人住房抵押贷款不良资产支持证券 回收复核",
                              "Non-performing mortgage securitisation: recovery review (illustration)"), "title")
    book.note(ws, "A2", "Yellow cells are inputs. The pool is GENERATED (fixed seed), not a real deal; the stage table "
                        "and the stresses are illustrations. Sources of every published figure on the Market sheet.")
    rows = [(label("折价率(全池)", "Haircut for every loan (empty = the tape's column)"), None, "pct1"),
            (label("回收金额压力", "Amount stress (0.3 = recoveries 30% lower)"), AMOUNT_STRESS, "pct1"),
            (label("回收时间推迟(月)", "Delay, months"), DELAY, "int"),
            (label("处置费用上调", "Cost stress (0.5 = costs 50% higher)"), COST_STRESS, "pct1"),
            (label("回收分摊月数", "Window: months a recovery is spread over"), WINDOW, "int")]
    for i, (text, v, f) in enumerate(rows):
        book.value(ws, (3 + i, 0), text)
        book.input(ws, (3 + i, 1), v, f)
    book.note(ws, (4, 2), "the issue's range: rating agencies stress the amount -10% to -50% and delay 6 months or more "
                          "(no published agency figure found; an illustration)")
    cols = {lab: xl_col_to_name(j) for j, lab in enumerate(C.NPL_TAPE_LAYOUT)}
    tape_col = lambda lab: f"'{TAPE}'!${cols[lab]}$2:${cols[lab]}${TAPE_ROWS + 1}"     # noqa: E731
    w = len(C.NPL_PERIOD_COLUMNS)
    pc = lambda j, stressed, n: _rng(PROJ, 5, j + (w + 1 if stressed else 0), 4 + n, j + (w + 1 if stressed else 0))  # noqa: E731
    g, k, r_, cnt = (C.NPL_PERIOD_COLUMNS.index(x) for x in (C.NPL_GROSS, C.NPL_COSTS, C.NPL_NET,
                                                                C.NPL_LOANS_RESOLVED))
    book.text(ws, (9, 0), label("资产池", "Pool (generated tape)"), "subtitle")
    book.header(ws, (9, 1), [label("基准", "Base"), label("压力", "Stressed")])
    lines = [
        (label("债权金额", "Claim at cut-off (principal + interest + fees)"),
         f"=SUM({tape_col(C.NPL_PRINCIPAL)})+SUM({tape_col(C.NPL_INTEREST)})+SUM({tape_col(C.NPL_FEES)})", None,
         "yuan"),
        (label("贷款笔数", "Loans"), f"=COUNT({tape_col(C.NPL_PRINCIPAL)})", None, "count"),
        (label("评估价值", "Collateral appraisal"), f"=SUM({tape_col(C.NPL_COLLATERAL)})", None, "yuan"),
        (label("处置回收", "Gross proceeds"), f"=SUM({pc(g, False, n_base)})", f"=SUM({pc(g, True, n_stress)})", "yuan"),
        (label("处置费用", "Disposal costs"), f"=SUM({pc(k, False, n_base)})", f"=SUM({pc(k, True, n_stress)})", "yuan"),
        (label("净回收", "Net recoveries"), f"=SUM({pc(r_, False, n_base)})", f"=SUM({pc(r_, True, n_stress)})", "yuan"),
        (label("累计回收率", "Cumulative recovery rate (gross / claim)"), "=B14/B11", "=C14/B11", "pct"),
        (label("累计净回收率", "Net recovery rate (net / claim)"), "=B16/B11", "=C16/B11", "pct"),
        (label("60个月内结清", "Loans resolved within 60 months"),
         f"=SUM({_rng(PROJ, 5, cnt, 4 + min(60, n_base), cnt)})/B12",
         f"=SUM({_rng(PROJ, 5, w + 1 + cnt, 4 + min(60, n_stress), w + 1 + cnt)})/B12", "pct"),
        (label("受债权上限笔数", "Loans capped by their claim (base)"),
         f"=COUNTIF({_rng(LOANS, 4, len(C.NPL_LOAN_COLUMNS) - 1, 3 + n_loans, len(C.NPL_LOAN_COLUMNS) - 1)},TRUE)",
         None, "count"),
    ]
    for i, (text, fb, fs, f) in enumerate(lines):
        r = 10 + i
        book.value(ws, (r, 0), text)
        book.formula(ws, (r, 1), fb, f)
        if fs:
            book.formula(ws, (r, 2), fs, f)
    r = 10 + len(lines)
    book.note(ws, (r, 0), "Published: more than 50% of non-performing mortgages are disposed of within 60 months; "
                          "typical cumulative recovery 20/40/50% after 1/2/3 years (Market sheet).")
    book.widths(ws, {"A": 52, "B:C": 18, "D": 60})
    book.print_setup(ws, landscape=True, area=f"A1:D{r + 2}")


def _notes_sheet(book: Book) -> None:
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    notes = [
        ("Generated pool", f"The tape is GENERATED by mbsxl.reference.npl_tape.generated_tape({N_LOANS}, seed={SEED}): lognormal "
                           "principal (median 400,000), LTV 35-95%, haircut 25-45%, costs 3-6% of the appraisal, "
                           "stage mix 协商 25% / 诉讼 35% / 执行 25% / 拍卖 15%. It is not a real deal."),
        ("Loan rule", "claim = principal + interest + fees; net recovery = min(appraisal x (1 - haircut) - costs, "
                      "claim), gross = net + costs, in month max(T(stage) - months in stage, 1) + delay, or spread "
                      "equally over the window. A loan whose net recovery is cut by its claim is flagged."),
        ("Stresses", "Amount: appraisal after haircut x (1 - stress); costs x (1 + stress); delay: whole months. Under "
                     "stress the net recovery is floored at 0. The stress levels are illustrations in the issue's "
                     "range; no agency's published figure was found."),
        ("Stage table", "An illustration (mbsxl authors' assumption), not a published table. Replace it."),
        ("Tracking", "The trustee history is ILLUSTRATIVE (made-up figures). Cumulative recovery rate = cumulative "
                     "recoveries / the claim at cut-off. Re-projection 'ratio': the rest of the expected path x "
                     "cumulative actual / expected."),
        ("LibreOffice", "LibreOffice recalculates array formulas on load and has no MBS_ functions: spilled MBS_ "
                        "tables show #NAME? there. For a copy that reads anywhere: mbsxl calc FILE --out COPY "
                        "--values-only."),
        ("Rebuild", "Generated by mbsxl/templates/npl_rmbs_review.py (`mbsxl templates build`)."),
    ]
    for i, (head, text) in enumerate(notes):
        book.text(ws, (2 + i, 0), head, "subtitle")
        book.paragraph(ws, (2 + i, 1), text, 110)
    book.widths(ws, {"A": 18, "B": 110})
    book.print_setup(ws, landscape=True, area=f"A1:B{3 + len(notes)}")


def _history(tape) -> list:
    exp = R.recoveries(tape, months_per_period=TRACK_K)[C.NPL_GROSS].to_numpy()
    months = ("2025-06", "2025-12", "2026-06")          # half-years after an illustrative 2024-12 cut-off
    return [(months[i], round(float(exp[i]) * s, 2)) for i, s in enumerate(TRACK_SHARES)]


def build(path: str) -> dict:
    """Write the NPL review template to ``path``; returns the computed values."""
    tape = generated_tape(N_LOANS, SEED)
    n_base = len(R.recoveries(tape))
    n_stress = len(R.recoveries(tape, amount_stress=AMOUNT_STRESS, delay=DELAY, cost_stress=COST_STRESS))
    n_k = len(R.recoveries(tape, months_per_period=TRACK_K))
    n_shape = len(R.recovery_curve(1.0, "three_year"))
    n_stats = len(R.npl_market())
    history = _history(tape)
    base = R.recoveries(tape)
    deal = example_deal(float(base[C.NPL_GROSS].sum()))
    import mbsxl
    from mbsxl.deal import dealtable as dt
    d = dt.parse_deal(deal)
    names = [c.name for c in d.classes]
    n_flows = len(mbsxl.npl_flows(base, deal))

    def write(book: Book) -> None:
        _summary_sheet(book, n_base, n_stress, N_LOANS)
        _tape_sheet(book, tape)
        _stage_sheet(book, len(R.DEFAULT_STAGE_TABLE))
        _projection_sheet(book, n_base, n_stress)
        _loans_sheet(book, N_LOANS)
        _curve_sheet(book, n_base, n_stress, n_shape)
        _track_sheet(book, history, n_k)
        DEAL_RANGE[0] = _deal_sheet(book, deal)
        _waterfall_sheet(book, DEAL_RANGE[0], n_base, n_stress, len(names), names, n_flows)
        _market_sheet(book, n_stats)
        _notes_sheet(book)

    return build_with_values(path, write)
