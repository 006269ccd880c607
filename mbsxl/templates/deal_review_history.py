"""The deal-review workbook's ``历史 History`` sheet (issue 14): trustee-report history and a back-test.

Written by :func:`write`, which :mod:`mbsxl.templates.jianyuan_deal_review` calls while it writes its
workbook (one sheet a module, so that other sheets are added the same way).  The sheet holds:

- the trustee-report table of Jianyuan 2007-1 in the layout of :mod:`mbsxl.surveillance.report_table` (headers from
  :data:`mbsxl.columns.HISTORY_LAYOUT`): the 24 periods January 2008 - December 2009 *reconstructed* by
  :func:`mbsxl.surveillance.trustee.jianyuan_series` from the published CPRs (the reports' amounts are not in the
  seeds); defaults, recoveries and delinquency buckets are not published and stay empty, so the
  measures that need them are blank;
- ``=MBS_HISTORY(table, ..., cutoff_balance)``: SMM, CPR, MDR, CDR, cumulative default rate, 90+ ratio,
  severity, delinquency buckets and the cumulative prepayment over the cut-off balance (4,160,683,708
  yuan, an input cell) per period, beside the 24 CPRs published in seed 002 and a check that each agrees
  to 4 decimals;
- ``=MBS_BACKTEST(table, CPR)``: the prospectus pricing CPR 17.26% (seed 002; an input cell) projected
  from the first period's beginning balance on the realised scheduled principal, against the realised
  history; a chart of projected against realised balance and one of the CPRs.

No column number is written by hand: each is ``HISTORY_LAYOUT.index`` / ``HISTORY_COLUMNS.index`` /
``BACKTEST_COLUMNS.index`` of its header.
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import columns as C
from mbsxl.reference import jianyuan as jy
from mbsxl.surveillance import trustee as tr
from ._book import Book, label

SHEET = "历史 History"
N = len(jy.CPR)                         # 24 collection periods

R_TABLE = 6                             # 0-based header row of the report table
R_HIST = R_TABLE + N + 4                # MBS_HISTORY header row
R_BT = R_HIST + N + 4                   # MBS_BACKTEST header row
R_CHART = R_BT + N + 3
C_PUB = len(C.HISTORY_COLUMNS)          # published CPR column right of the MBS_HISTORY spill
R_INPUT = 3                             # the back-test CPR input row

LAYOUT_FMTS = {C.TRUSTEE_PERIOD: "general"}
HIST_FMTS = ["general", "pct4", "pct", "pct4", "pct", "pct", "pct", "pct", "pct", "pct", "pct", "pct", "pct", "pct"]
R_CUTOFF = R_INPUT + 1                  # the cut-off balance input row (issue 18)
BT_FMTS = ["general"] + ["money"] * 12 + ["pct", "pct", "pct4"]


def _rng(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)}:{xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)}"


def table_range() -> str:
    """The report table, header row included (the MBS_HISTORY / MBS_BACKTEST argument)."""
    return _rng(R_TABLE, 0, R_TABLE + N, len(C.HISTORY_LAYOUT) - 1)


def _report(book: Book, ws) -> None:
    series = tr.jianyuan_series()
    book.text(ws, (R_TABLE - 1, 0), label("受托机构报告(重构)", "Trustee-report history, reconstructed: amounts are "
                                          "not published; defaults, recoveries, delinquencies not published (empty)"),
              "subtitle")
    book.header(ws, (R_TABLE, 0), C.HISTORY_LAYOUT)
    ws.set_row(R_TABLE, 42)
    for k in range(N):
        r = R_TABLE + 1 + k
        for j, name in enumerate(C.HISTORY_LAYOUT):
            if name in tr.SERIES_COLUMNS:
                v = series[name].iloc[k]
                book.input(ws, (r, j), str(v) if name == C.TRUSTEE_PERIOD else float(v),
                           LAYOUT_FMTS.get(name, "money"))
            else:
                book.input(ws, (r, j), None, "money")


def _history(book: Book, ws) -> None:
    r0, r1 = R_HIST, R_HIST + N
    book.text(ws, (r0 - 1, 0), label("历史表现", "MBS_HISTORY of the table above; published CPRs (seed 002) beside"),
              "subtitle")
    cutoff = xl_rowcol_to_cell(R_CUTOFF, 1, row_abs=True, col_abs=True)
    # arguments 2-12 empty (table given whole; defaults), the 13th the cut-off balance
    book.array(ws, (r0, 0), (r1, len(C.HISTORY_COLUMNS) - 1), f"=MBS_HISTORY({table_range()}{',' * 12}{cutoff})",
               col_fmts=HIST_FMTS, header_row=True)
    ws.set_row(r0, 42)
    book.header(ws, (r0, C_PUB), [label("公布CPR", "Published CPR (seed 002)"), label("差异", "Difference"),
                                  label("一致(4位)", "Agrees (4 dp) 1/0")])
    c_cpr = C.HISTORY_COLUMNS.index(C.H_CPR)
    for k in range(N):
        r = r0 + 1 + k
        book.input(ws, (r, C_PUB), jy.CPR[k], "pct")
        cpr, pub = xl_rowcol_to_cell(r, c_cpr), xl_rowcol_to_cell(r, C_PUB)
        book.formula(ws, (r, C_PUB + 1), f"={cpr}-{pub}", "pct4")
        book.formula(ws, (r, C_PUB + 2), f"=IF(ROUND({cpr},4)={pub},1,0)", "int")
    diff = _rng(r0 + 1, C_PUB + 1, r1, C_PUB + 1)
    agree = _rng(r0 + 1, C_PUB + 2, r1, C_PUB + 2)
    book.value(ws, (r1 + 1, C_PUB), label("最大偏差", "Max |difference|"), style="total")
    book.formula(ws, (r1 + 1, C_PUB + 1), f"=MAX(MAX({diff}),-MIN({diff}))", "pct4", style="total")
    book.formula(ws, (r1 + 1, C_PUB + 2), f"=SUM({agree})", "int", style="total")


def _backtest(book: Book, ws) -> None:
    r0, r1 = R_BT, R_BT + N
    cpr_cell = xl_rowcol_to_cell(R_INPUT, 1, row_abs=True, col_abs=True)
    book.text(ws, (r0 - 1, 0), label("回溯检验", "MBS_BACKTEST: the CPR in B4 from the first beginning balance, "
                                     "on the realised scheduled principal, against the history"), "subtitle")
    book.array(ws, (r0, 0), (r1, len(C.BACKTEST_COLUMNS) - 1), f"=MBS_BACKTEST({table_range()},{cpr_cell})",
               col_fmts=BT_FMTS, header_row=True)
    ws.set_row(r0, 42)
    cats = [SHEET, r0 + 1, 0, r1, 0]
    col = C.BACKTEST_COLUMNS.index
    charts = [
        ("Ending balance: projected at the CPR in B4 vs realised (reconstructed) 期末余额", "Yuan", "#,##0,,\"m\"",
         [(C.B_ENDING_PROJ, "#C00000", "dash"), (C.B_ENDING_REAL, "#1F4E9E", "solid")]),
        ("CPR: projected vs realised 早偿率", "CPR", "0%",
         [(C.B_CPR_PROJ, "#C00000", "dash"), (C.B_CPR_REAL, "#1F4E9E", "solid")]),
    ]
    for i, (title, axis, fmt, series) in enumerate(charts):
        ch = book.chart({"type": "line"})
        for name, color, dash in series:
            j = col(name)
            ch.add_series({"name": [SHEET, r0, j], "categories": cats, "values": [SHEET, r0 + 1, j, r1, j],
                           "line": {"color": color, "width": 2, "dash_type": dash}})
        ch.set_title({"name": title, "name_font": {"size": 10}})
        ch.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
        ch.set_y_axis({"name": axis, "num_format": fmt, "major_gridlines": {"visible": True}})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": 620, "height": 300})
        ws.insert_chart(R_CHART, i * 7, ch)


def write(book: Book) -> None:
    """Write the History sheet into the deal-review ``book``."""
    ws = book.sheet(SHEET)
    book.text(ws, "A1", label("受托机构报告历史与回溯检验", "Trustee-report history and back-test (Jianyuan 2007-1)"),
              "title")
    book.note(ws, "A2", "Yellow: the reconstructed series (mbsxl.surveillance.trustee.jianyuan_series: it gives the 24 CPRs seed 002 "
                        "publishes; the amounts themselves are not published). SMM = prepayment / (beginning - scheduled), "
                        "CPR = 1 - (1 - SMM)^12; MDR = defaults / beginning; 90+ ratio on the ending balance.")
    book.value(ws, (R_INPUT, 0), label("回溯检验CPR", "Back-test CPR (prospectus pricing CPR, seed 002)"))
    book.input(ws, (R_INPUT, 1), jy.PROSPECTUS_CPR, "pct")
    book.note(ws, (R_INPUT, 2), "replace with another speed (or a column of 24 CPRs) to back-test it")
    book.value(ws, (R_CUTOFF, 0), label("初始起算日资产池余额", "Cut-off balance 2007-10-10 (seed 001/002)"))
    book.input(ws, (R_CUTOFF, 1), jy.POOL["balance"], "money")
    book.note(ws, (R_CUTOFF, 2), "MBS_HISTORY's cutoff_balance: the cumulative prepayment rate is over it (the "
                                 "January 2008 report is not the first since the cut-off, so the unconditional "
                                 "annualised rate, which needs the months since the cut-off, is blank)")
    _report(book, ws)
    _history(book, ws)
    _backtest(book, ws)
    book.widths(ws, {"A": 14, "B:P": 16})
    book.freeze(ws, 0, 1)
    last = xl_col_to_name(len(C.BACKTEST_COLUMNS) - 1)
    book.print_setup(ws, landscape=True, area=f"A1:{last}{R_CHART + 20}")
