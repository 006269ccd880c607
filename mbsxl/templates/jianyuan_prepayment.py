"""Template ``jianyuan_2007_1_prepayment.xlsx``: the prepayment tables of Jianyuan 2007-1 (seed 002).

Sheets
------
- ``提前还款 CPR``: one row a collection period, January 2008 - December 2009: beginning balance,
  scheduled principal and prepayment (input cells: the trustee-report figures, here reconstructed by
  :func:`mbsxl.surveillance.trustee.jianyuan_series`), SMM = prepayment / (beginning - scheduled) and
  CPR = 1 - (1 - SMM)^12 by formulas (seed 002), the published CPR beside them; yearly means
  (2008: 20.200%, 2009: 30.710%), the 24-month mean and the prospectus pricing CPR 17.26%; a line
  chart of the monthly CPR with the 17.26% line; the first collection period's published facts
  with the 4.35% / 3.75% discrepancy shown.
- ``说明 Notes``: how the series was reconstructed and what is published.

Paste another deal's trustee-report columns over the yellow cells and recalculate.
"""
from __future__ import annotations

import pandas as pd

from mbsxl.reference import jianyuan as jy
from mbsxl.surveillance import trustee as tr
from ._book import Book, build_with_values, label

FILENAME = "jianyuan_2007_1_prepayment.xlsx"
SHEET = "提前还款 CPR"
NOTES = "说明 Notes"

HEAD_ROW = 5            # 1-based row of the header; periods start on the next row
N = 24


def _write(book: Book, series: pd.DataFrame):
    ws = book.sheet(SHEET)
    book.text(ws, "A1", label("建元2007-1 提前还款率", "Jianyuan 2007-1: monthly prepayment rates (SMM, CPR)"), "title")
    book.note(ws, "A2", "SMM = prepayment / (beginning balance - scheduled principal);  CPR = 1 - (1 - SMM)^12  "
                        "(seed 002). Yellow cells: trustee-report figures (inputs); black cells: formulas.")
    book.note(ws, "A3", "Amounts in yuan. The series is reconstructed from the 24 published CPRs and the first "
                        "period's published facts (see the notes sheet); paste another deal's report columns over it.")
    heads = [label("收款期间", "Period"), label("期初本金余额", "Beginning balance"),
             label("计划偿还本金", "Scheduled principal"), label("提前还款额", "Prepayment"),
             label("单月提前还款率", "SMM"), label("年化提前还款率", "CPR"),
             label("公布CPR", "Published CPR"), label("差异", "Difference"), label("一致(4位)", "Agrees (4 dp)"),
             label("期末本金余额", "Ending balance"), label("发行说明书CPR", "Prospectus CPR")]
    book.header(ws, f"A{HEAD_ROW}", heads)
    ws.set_row(HEAD_ROW - 1, 30)
    first = HEAD_ROW + 1
    last = HEAD_ROW + N
    # summary block location (rows below the table)
    r_sum = last + 2
    prospectus_cell = f"$B${r_sum + 5}"
    for k in range(N):
        r = first + k
        row = series.iloc[k]
        book.input(ws, f"A{r}", str(row[tr.PERIOD]), "general")
        book.input(ws, f"B{r}", float(row[tr.BEGINNING]), "money")
        book.input(ws, f"C{r}", float(row[tr.SCHEDULED]), "money")
        book.input(ws, f"D{r}", float(row[tr.PREPAYMENT]), "money")
        book.formula(ws, f"E{r}", f"=D{r}/(B{r}-C{r})", "pct4")
        book.formula(ws, f"F{r}", f"=1-(1-E{r})^12", "pct")
        book.input(ws, f"G{r}", float(row[tr.PUBLISHED_CPR]), "pct")
        book.formula(ws, f"H{r}", f"=F{r}-G{r}", "pct4")
        book.formula(ws, f"I{r}", f"=ROUND(F{r},4)=G{r}", book.fmt("bool", "formula", align="center"))
        book.formula(ws, f"J{r}", f"=B{r}-C{r}-D{r}", "money")
        book.formula(ws, f"K{r}", f"={prospectus_cell}", "pct")
    # ------------------------------------------------------------ means and the prospectus CPR
    book.header(ws, f"A{r_sum}", [label("年化提前还款率均值", "CPR means"), label("计算值", "Computed"),
                                  label("公布值", "Published"), label("差异", "Difference"),
                                  label("一致", "Agrees"), label("来源", "Source")])
    y08 = f"F{first}:F{first + 11}"
    y09 = f"F{first + 12}:F{last}"
    means = [
        (label("2008年均值", "Mean 2008"), f"=AVERAGE({y08})", jy.CPR_MEAN_2008, "pct3", "=ROUND(B{r},5)=C{r}",
         "seed 002: 20.200%"),
        (label("2009年均值", "Mean 2009"), f"=AVERAGE({y09})", jy.CPR_MEAN_2009, "pct3", "=ROUND(B{r},5)=C{r}",
         "seed 002: 30.710%"),
        (label("24个月均值", "Mean of the 24 months"), f"=AVERAGE(F{first}:F{last})", jy.CPR_MEAN_24M_APPROX, "pct3",
         "=ROUND(B{r},2)=C{r}", "seed 002: about 25%"),
        (label("2008年公布CPR简单均值", "Mean 2008 of the rounded published CPRs"), f"=AVERAGE(G{first}:G{first + 11})",
         jy.CPR_MEAN_2008, "pct3", "=ROUND(B{r},5)=C{r}", "20.2017%: the published mean used unrounded CPRs"),
    ]
    for k, (name, f, pub, kind, agrees, src) in enumerate(means):
        r = r_sum + 1 + k
        book.text(ws, f"A{r}", name)
        book.formula(ws, f"B{r}", f, kind)
        book.input(ws, f"C{r}", pub, kind)
        book.formula(ws, f"D{r}", f"=B{r}-C{r}", "pct4")
        book.formula(ws, f"E{r}", agrees.format(r=r), book.fmt("bool", "formula", align="center"))
        book.text(ws, f"F{r}", src)
    r = r_sum + 5
    book.text(ws, f"A{r}", label("发行说明书定价CPR", "Prospectus pricing CPR"))
    book.input(ws, f"B{r}", jy.PROSPECTUS_CPR, "pct")
    book.text(ws, f"F{r}", "seed 002: 17.26% (发行说明书)")
    r += 1
    book.text(ws, f"A{r}", label("24个月均值 - 定价CPR", "24-month mean minus pricing CPR"))
    book.formula(ws, f"B{r}", f"=B{r_sum + 3}-B{r - 1}", "pct")
    r += 1
    book.text(ws, f"A{r}", label("高于定价CPR的月数", "Months above the pricing CPR"))
    book.formula(ws, f"B{r}", f"=COUNTIF(F{first}:F{last},\">\"&B{r - 2})", "count")

    # ------------------------------------------------------------ first collection period
    r = r + 2
    r_fp = r
    book.text(ws, f"A{r}", label("第一期(2008年1月)公布情况", "First collection period (January 2008): published facts"),
              "subtitle")
    fp = jy.FIRST_PERIOD
    book.header(ws, f"A{r + 1}", [label("项目", "Item"), label("数值", "Value"), label("说明", "Note")])
    items = [
        ("input", label("提前还款笔数", "Loans prepaid"), fp["prepaid_loans"], "count", "published (seed 002)"),
        ("input", label("提前还款金额", "Amount prepaid (yuan)"), fp["prepaid_amount"], "money", "published (seed 002)"),
        ("input", label("起算日资产池余额", "Cut-off balance 2007-10-10 (yuan)"), jy.POOL["balance"], "money",
         "published (seed 001)"),
        ("input", label("公布: 占起算日余额", "Stated: share of the cut-off balance"),
         fp["stated_share_of_cutoff_balance"], "pct", "published 4.35%"),
        ("formula", label("重算: 金额 / 起算日余额", "Recomputed: amount / cut-off balance"),
         "=B{a}/B{c}", "pct", "3.75%: the stated 4.35% does not follow from the cut-off balance"),
        ("formula", label("金额 / 本期期初余额", "Amount / beginning balance of the period"),
         f"=B{{a}}/B{first}", "pct", "4.35% here: the stated share fits the period's beginning balance"),
        ("formula", label("期初余额较起算日减少", "Beginning balance below the cut-off balance (yuan)"),
         f"=B{{c}}-B{first}", "money", "run-off from the cut-off to January 2008 (not reported in the seeds)"),
        ("input", label("公布: 占本期回收本金", "Stated: share of principal collected"),
         fp["stated_share_of_principal_collected"], "pct1", "published 74.9%"),
        ("formula", label("重算: 提前还款 / (计划本金 + 提前还款)", "Recomputed: prepayment / (scheduled + prepayment)"),
         f"=D{first}/(C{first}+D{first})", "pct1", "from the period's row"),
        ("formula", label("本期提前还款额与公布值之差", "Row's prepayment minus the published amount"),
         f"=D{first}-B{{a}}", "money", "0 when the first row carries the published amount"),
    ]
    r0 = r + 2
    a_row, c_row = r0 + 1, r0 + 2           # rows of the amount and the cut-off balance
    for k, (kind, name, v, fmt, note) in enumerate(items):
        rr = r0 + k
        book.text(ws, f"A{rr}", name)
        if kind == "input":
            book.input(ws, f"B{rr}", v, fmt)
        else:
            book.formula(ws, f"B{rr}", v.format(a=a_row, c=c_row), fmt)
        book.text(ws, f"C{rr}", note, "note")
    r_end = r0 + len(items)

    # ------------------------------------------------------------ chart
    ch = book.chart({"type": "line"})
    ch.add_series({"name": label("月度CPR", "Monthly CPR"), "categories": [SHEET, first - 1, 0, last - 1, 0],
                   "values": [SHEET, first - 1, 5, last - 1, 5], "line": {"color": "#1F4E9E", "width": 2},
                   "marker": {"type": "circle", "size": 4, "fill": {"color": "#1F4E9E"},
                              "border": {"color": "#1F4E9E"}}})
    ch.add_series({"name": label("发行说明书CPR 17.26%", "Prospectus CPR"), "categories": [SHEET, first - 1, 0, last - 1, 0],
                   "values": [SHEET, first - 1, 10, last - 1, 10],
                   "line": {"color": "#C00000", "width": 1.5, "dash_type": "dash"}})
    ch.set_title({"name": label("建元2007-1 月度CPR", "Jianyuan 2007-1 monthly CPR, 2008-2009"), "name_font": {"size": 11}})
    ch.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    ch.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 760, "height": 360})
    ws.insert_chart(r_end + 1, 0, ch)

    book.widths(ws, {"A": 52, "B:D": 18, "E:H": 13, "I": 11, "J": 18, "K": 13})
    book.freeze(ws, HEAD_ROW, 1)
    book.print_setup(ws, landscape=True, area=f"A1:K{r_end + 20}", fit_height=0)
    ws.set_h_pagebreaks([r_fp - 1])

    # ------------------------------------------------------------ notes
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    info = tr.first_period()
    lo, hi = info["window"]
    lines = [
        ("Source", "Seed 002: SMM from the trustee reports (受托机构报告) of CITIC Trust, CPR = 1 - (1 - SMM)^12, "
                   "the 24 monthly CPRs January 2008 - December 2009 (February 2008 derived from the January and "
                   "March reports), yearly means 20.200% and 30.710%, prospectus pricing CPR 17.26%."),
        ("Published", "The CPR column 'Published CPR', the yearly means, the prospectus CPR and the first-period "
                      "facts (700 loans, 155,912,242.71 yuan, 4.35%, 74.9%). The report columns are not published."),
        ("Reconstructed", "Beginning balance, scheduled principal and prepayment are reconstructed by "
                          "mbsxl.surveillance.trustee.jianyuan_series so that the SMM and CPR formulas give the published CPRs "
                          "back to 4 decimals. Amounts are whole fen; each period begins at the previous ending "
                          "balance (no defaults are published)."),
        ("January 2008 balance", f"The pool was cut off on 2007-10-10 at 4,160,683,708 yuan. The first period's "
                                 f"published figures (prepayment 155,912,242.71; 4.35%; 74.9% of principal collected; "
                                 f"CPR 41.79%) hold together only for a beginning balance between {lo:,.0f} and "
                                 f"{hi:,.0f} yuan; the midpoint {info['beginning_balance']:,.2f} is used. The 4.35% "
                                 f"is then the prepayment's share of that balance; its share of the cut-off balance "
                                 f"is 3.75%. Both are shown. The {info['runoff_since_cutoff']:,.0f} yuan between the "
                                 f"cut-off balance and January 2008 is run-off the seeds do not report."),
        ("Scheduled principal", "Period 1: what the published 74.9% and CPR imply (about 52.1 million, more than "
                                "a month's amortisation, so the first report's other principal likely spans more than "
                                "one month). Later periods: beginning balance x the scheduled-principal ratio of the "
                                "generated tape's own amortisation (mbsxl.reference.tape, each loan's rate, term and type; rates reprice "
                                "each 1 January: 2008 at the tape's rates, 2009 at the 5.94% benchmark x the "
                                "same multiple)."),
        ("Rounding", "The published monthly CPRs are rounded to 4 decimals; the mean of the twelve rounded 2008 "
                     "figures is 20.2017%, not the published 20.200%. The reconstruction lowers February-December "
                     "2008 by 0.0000182 each (inside every figure's rounding), so that its 2008 mean is 20.200%."),
        ("Another deal", "Overwrite the yellow cells (period, beginning balance, scheduled principal, prepayment, "
                         "published CPR if any) and recalculate (Excel with mbsxl, or `mbsxl calc FILE --out FILE`)."),
        ("Rebuild", "Generated by mbsxl/templates/jianyuan_prepayment.py (`mbsxl templates build`)."),
    ]
    for k, (head, text) in enumerate(lines):
        book.text(ws, f"A{3 + k}", head, "subtitle")
        book.paragraph(ws, f"B{3 + k}", text, 120)
    book.widths(ws, {"A": 22, "B": 120})
    book.print_setup(ws, landscape=True, area=f"A1:B{3 + len(lines)}")


def build(path: str, series: pd.DataFrame | None = None) -> dict:
    """Write the prepayment template to ``path`` (default series: :func:`mbsxl.surveillance.trustee.jianyuan_series`);
    returns the computed values."""
    s = tr.jianyuan_series() if series is None else series
    if len(s) != N:
        raise ValueError(f"series has {len(s)} periods; the template holds {N}")
    return build_with_values(path, lambda book: _write(book, s))
