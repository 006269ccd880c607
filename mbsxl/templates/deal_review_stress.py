"""The ``压力测试 Stress`` sheet of the deal-review template (issue 14): grids, breakevens and a chart.

Written by :func:`write` into :mod:`mbsxl.templates.jianyuan_deal_review`'s workbook (its ``_write``
calls it); every figure is one formula over the Deal sheet's inputs and the deal table of the ``交易要素 Deal
table`` sheet (issue 19: MBS_DEALGRID / MBS_DEALBREAKEVEN, read through the workbook's names):

- three ``MBS_GRID`` matrices of one class (yellow cell, C by default): yield at the price, loss as a
  share of the class's original balance, WAL; rows the CPRs, columns the CDRs typed on this sheet,
  every cell a full projection and waterfall;
- ``MBS_BREAKEVEN`` of classes A, B and C at the prospectus CPR (Deal sheet) and the Deal sheet's
  severity: the CDR at which the class first loses principal, and the CDR at which its yield at the
  price falls to the threshold (0% by default: the CDR at which the investor gets back no more than
  the price);
- a line chart of the yield matrix, one line a CPR.

The class, price, threshold and the CPR and CDR lists are scenario choices of this sheet (labelled);
severity, recovery lag, fees, spreads and the pool's WAC/WAM/age are the Deal sheet's labelled
assumptions, not published figures.
"""
from __future__ import annotations

from types import ModuleType

from ._book import Book, label, line_style

STRESS = "压力测试 Stress"
CLASS = "C"
PRICE = 100.0
THRESHOLD = 0.0
CPRS = [0.0, 0.10, 0.20, 0.30, 0.40]
CDRS = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10]
BREAKEVEN_CLASSES = ["A", "B", "C"]

# rows (0-based)
R_IN = 4                                     # inputs: class, price, threshold, CPR, severity
R_CPRS, R_CDRS = 10, 11                      # the scenario lists, across from column B
R_GRID = 14                                  # first matrix's title row
GRID_STEP = len(CPRS) + 4
MATRICES = [("yield", label("收益率", "Yield at the price"), "pct3"),
            ("loss_pct", label("损失占本金比例", "Loss, % of the class's original balance"), "pct1"),
            ("wal", label("加权平均期限(年)", "WAL, years"), "dec2")]
# what a blank cell of a matrix means (MBS_GRID leaves the cell empty, mbsxl.deal.scenario); the loss matrix
# has no blanks (a scenario without a write-down shows 0)
BLANK_MEANING = {
    "yield": "no yield in (-99%, 100%] reprices the class's flows at the price (e.g. it receives nothing).",
    "wal": "the class receives no principal in that scenario (written down in full), so it has no WAL.",
}
R_BE = R_GRID + len(MATRICES) * GRID_STEP + 1
BE_ROWS = 6                                  # MBS_BREAKEVEN: header + 5 rows

INPUTS = [
    # key, label, value or formula, fmt, note
    ("class", label("档次", "Class of the grids"), CLASS, "general",
     "scenario choice: one of the Deal sheet's classes"),
    ("price", label("价格(每百元面值)", "Price per 100 of original face"), PRICE, "dec2", "scenario choice"),
    ("threshold", label("收益率阈值", "Yield threshold of the breakeven"), THRESHOLD, "pct",
     "scenario choice: 0% = the CDR at which the class returns no more than the price"),
    ("cpr", label("盈亏平衡测算CPR", "CPR of the breakevens"), None, "pct",
     "from the Deal sheet: the prospectus pricing speed (seed 002)"),
    ("severity", label("损失率", "Loss severity"), None, "pct", "from the Deal sheet (assumption)"),
]
I = {key: R_IN + i for i, (key, *_r) in enumerate(INPUTS)}


def _ref(deal: ModuleType, key: str) -> str:
    return deal._abs(STRESS, I[key], 1)


def _deal_args(class_ref: str) -> list[str]:
    """balance, wac, wam (the workbook's names of the Deal sheet's cells), the deal table, class_."""
    return ["Pool_balance", "Pool_WAC", "Pool_WAM", "Deal_table", class_ref]


def _options() -> list[str]:
    """recovery_lag, servicing, age, index, compounding, payment_day: the Deal sheet's assumptions and the
    Rates sheet's index, by the workbook's names."""
    return ["Recovery_lag", "Servicing", "Pool_age", "Coupon_index", "Compounding", "Payment_day"]


def _local(r: int, c: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell
    return xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)


def _grid_formula(deal: ModuleType, metric: str) -> str:
    """MBS_DEALGRID on the deal table (issue 19; equal to the positional MBS_GRID, tests/test_deal_scenarios.py)."""
    cprs = f"{_local(R_CPRS, 1)}:{_local(R_CPRS, len(CPRS))}"
    cdrs = f"{_local(R_CDRS, 1)}:{_local(R_CDRS, len(CDRS))}"
    args = (_deal_args(_local(I["class"], 1)) + [_local(I["price"], 1), cprs, cdrs, _local(I["severity"], 1)]
            + _options() + [f'"{metric}"'])
    return "=MBS_DEALGRID(" + ",".join(args) + ")"


def _breakeven_formula(deal: ModuleType, class_ref: str) -> str:
    """MBS_DEALBREAKEVEN on the deal table (issue 19; equal to the positional MBS_BREAKEVEN)."""
    args = (_deal_args(class_ref) + [_local(I[key], 1) for key in ("cpr", "severity", "threshold", "price")]
            + _options())
    return "=MBS_DEALBREAKEVEN(" + ",".join(args) + ")"


def write(book: Book, deal: ModuleType):
    """Write the Stress sheet; ``deal`` is :mod:`mbsxl.templates.jianyuan_deal_review` (passed in, not
    imported: that module calls this one), whose Deal-sheet cell map and reference helpers it reads."""
    ws = book.sheet(STRESS)
    book.text(ws, "A1", label("压力测试", "Stress: grids and breakeven default rates (MBS_DEALGRID, MBS_DEALBREAKEVEN)"),
              "title")
    book.note(ws, "A2", "Each matrix is one MBS_DEALGRID formula: every cell a full pool projection (MBS_CASHFLOWS rules) "
                        "and run of the Deal table sheet's deal at the row's CPR and the column's CDR; other inputs from "
                        "the Deal sheet.")
    book.note(ws, "A3", "Yields per 100 of original face, paid on the payment day; loss = principal written down. "
                        "Breakevens: bisection / Brent in CDR on [0, 100%], tolerance 0.0001%.")
    for key, lab, v, fmt, note in INPUTS:
        r = I[key]
        book.value(ws, (r, 0), lab)
        if key == "cpr":
            book.formula(ws, (r, 1), f"={deal._abs(deal.DEAL, deal.R_SCEN, 1)}", fmt)
        elif key == "severity":
            book.formula(ws, (r, 1), f"={deal.D('severity')}", fmt)
        else:
            book.input(ws, (r, 1), v, fmt)
        book.note(ws, (r, 2), note)
    book.value(ws, (R_CPRS, 0), label("CPR(行)", "CPRs (rows), scenario choice"))
    book.value(ws, (R_CDRS, 0), label("CDR(列)", "CDRs (columns), scenario choice"))
    for j, x in enumerate(CPRS):
        book.input(ws, (R_CPRS, 1 + j), x, "pct1")
    for j, x in enumerate(CDRS):
        book.input(ws, (R_CDRS, 1 + j), x, "pct1")

    for m, (metric, title, fmt) in enumerate(MATRICES):
        top = R_GRID + m * GRID_STEP
        book.text(ws, (top, 0), title, "subtitle")
        book.formula(ws, (top, 3), f'="{label("档次", "Class")} "&{_ref(deal, "class")}', "general")
        r0 = top + 1

        def cell_fmt(i, j, fmt=fmt):
            if i == 0 and j == 0:
                return "general"
            return "pct1" if i == 0 or j == 0 else fmt
        book.array(ws, (r0, 0), (r0 + len(CPRS), len(CDRS)), _grid_formula(deal, metric), fmt_fn=cell_fmt)
        if metric in BLANK_MEANING:
            book.explain_blanks(ws, (r0 + 1, 1), (r0 + len(CPRS), len(CDRS)), (r0 + len(CPRS) + 1, 0),
                                BLANK_MEANING[metric])

    # the yield matrix against CDR, one line a CPR
    r0 = R_GRID + 1
    ch = book.chart({"type": "line"})
    for i in range(len(CPRS)):
        ch.add_series({"name": f"CPR {CPRS[i]:.0%}", "categories": [STRESS, r0, 1, r0, len(CDRS)],
                       "values": [STRESS, r0 + 1 + i, 1, r0 + 1 + i, len(CDRS)], **line_style(i)})
    ch.set_title({"name": "Yield at the price against CDR, one line a CPR (收益率)", "name_font": {"size": 10}})
    # yields fall far below 0: the CDR labels go to the foot of the plot, not on the 0% line across the data
    ch.set_x_axis({"name": "CDR", "num_format": "0%", "label_position": "low"})
    ch.set_y_axis({"name": "Yield", "num_format": "0.0%", "major_gridlines": {"visible": True}})
    ch.set_legend({"position": "right"})
    ch.set_size({"width": 560, "height": 300})
    ws.insert_chart(R_GRID, len(CDRS) + 2, ch, {"x_offset": 5})

    book.text(ws, (R_BE, 0), label("盈亏平衡违约率", "Breakeven CDRs at the CPR and severity above"), "subtitle")
    for k, name in enumerate(BREAKEVEN_CLASSES):
        c0 = 3 * k
        book.input(ws, (R_BE + 1, c0 + 1), name, "general")
        book.value(ws, (R_BE + 1, c0), label("档次", "Class"))
        r1 = R_BE + 2

        def be_fmt(i, j):
            return None if j == 0 or i == 0 else ("int" if i == BE_ROWS - 1 else "pct4")
        book.array(ws, (r1, c0), (r1 + BE_ROWS - 1, c0 + 1),
                   _breakeven_formula(deal, _local(R_BE + 1, c0 + 1)), header_row=True, fmt_fn=be_fmt)
    book.widths(ws, {"A": 34, "B:J": 11})
    book.print_setup(ws, landscape=True, area=f"A1:W{R_BE + BE_ROWS + 3}", fit_height=1)
