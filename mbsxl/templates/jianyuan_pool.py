"""Template ``jianyuan_2007_1_pool.xlsx``: the pool analysis of Jianyuan 2007-1 (seed 001, Tables 1-5).

Sheets
------
- ``总体特征 Table 1``: count, balances, shares, weighted averages over the tape.
- ``分布表 Tables 2-5``: the distributions by contract amount, remaining term, seasoning and borrower
  age; the bucket bounds and names are input cells; a bar chart of each distribution (% of balance).
- ``函数核对 MBS check``: ``=MBS_POOLSUMMARY(...)`` and ``=MBS_STRAT(...)`` (dynamic arrays) on the same
  tape beside Tables 1-5 and the differences (0).  Tables 1-5 themselves use Excel built-ins (COUNT,
  SUM, MAX, SUMPRODUCT, COUNTIFS, SUMIFS) so that they compute in any spreadsheet, with or without
  mbsxl (LibreOffice recalculates array formulas on load and has no MBS_ functions).
- ``公布值对照 Published``: each figure seed 001 (and the tranche sizes of seed 002) publishes, the
  formula's value, the difference and whether they agree to the published rounding.
- ``资产池明细 Tape``: the loan tape (input cells; :func:`mbsxl.reference.tape.jianyuan_tape`).  The formulas read
  rows 2 to ``TAPE_ROWS + 1``: paste a tape of up to ``TAPE_ROWS`` loans and clear the rest.
- ``说明 Notes``: which tape columns are published facts and which are assumptions; conventions.

Build with ``mbsxl templates build`` (or :func:`build`); ``build(path, tape=...)`` writes the same
template around another tape.
"""
from __future__ import annotations

import pandas as pd

from mbsxl.reference import jianyuan as jy
from mbsxl.pool import stratification as st
from mbsxl.reference import tape as tp
from ._book import Book, build_with_values, label

FILENAME = "jianyuan_2007_1_pool.xlsx"
TAPE_ROWS = 15_000                       # capacity of the tape ranges the formulas read (12,254 + room)

SUMMARY = "总体特征 Table 1"
STRAT = "分布表 Tables 2-5"
PUBLISHED = "公布值对照 Published"
TAPE = "资产池明细 Tape"
CHECK = "函数核对 MBS check"
NOTES = "说明 Notes"

# tape sheet columns (A..I) in the order of mbsxl.reference.tape.COLUMNS
TAPE_FORMATS = ["text", "yuan", "money", "pct4", "int", "int", "int", "int", "text"]
_COL = {name: chr(ord("A") + i) for i, name in enumerate(tp.COLUMNS)}


def _rng(column: str) -> str:
    c = _COL[column]
    return f"'{TAPE}'!${c}$2:${c}${TAPE_ROWS + 1}"


# (title, tape column, breakpoints, labels)
TABLES = [
    (label("表2 合同金额分布", "Table 2: Contract amount (yuan)"), tp.CONTRACT,
     [200_000, 500_000, 1_000_000, 2_000_000],
     ["20万及以下 <=200k", "20-50万 200k-500k", "50-100万 500k-1m", "100-200万 1m-2m", "200万以上 >2m"]),
    (label("表3 贷款剩余期限分布", "Table 3: Remaining term (months)"), tp.REMAINING_TERM,
     [60, 120, 240],
     ["5年及以下 <=5y", "5-10年 5-10y", "10-20年 10-20y", "20年以上 >20y"]),
    (label("表4 贷款账龄分布", "Table 4: Seasoning (months)"), tp.SEASONING,
     [24, 48, 72],
     ["0-2年 0-2y", "2-4年 2-4y", "4-6年 4-6y", "6年以上 >6y"]),
    (label("表5 借款人发放贷款时的年龄分布", "Table 5: Borrower age at origination"), tp.AGE,
     [25, 35, 45, 65],
     ["18-25岁 18-25", "25-35岁 25-35", "35-45岁 35-45", "45-65岁 45-65", "65岁以上 >65"]),
]
STRAT_FORMATS = ["general", "count", "pct", "money", "pct", "money"]
SUMMARY_FORMATS = {st.S_LOANS: "count", st.S_BALANCE: "money", st.S_AVERAGE: "money",
                   st.S_AVERAGE_SHARE: "pct4", st.S_LARGEST: "money", st.S_LARGEST_SHARE: "pct3",
                   st.S_ORIGINAL: "money", st.S_ORIGINAL_AVERAGE: "money", st.S_ORIGINAL_LARGEST: "money",
                   st.S_WA_RATE: "pct4", st.S_WA_REMAINING: "dec1", st.S_WA_SEASONING: "dec1",
                   st.S_WA_AGE: "dec2"}


def _layout():
    """Row of each table's block on the strat sheet: (title row, bounds row, labels row, first table row)."""
    rows, r = [], 3
    for title, col, bps, labels in TABLES:
        rows.append((r, r + 1, r + 2, r + 3))
        r += 3 + len(bps) + 3 + 3        # header + buckets + total, then a gap
        r = max(r, rows[-1][0] + 19)     # room for the chart beside the table
    return rows


def _write(book: Book, tape: pd.DataFrame):
    # ---------------------------------------------------------------- Table 1 (Excel built-ins)
    ws = book.sheet(SUMMARY)
    book.text(ws, "A1", label("建元2007-1 资产池总体特征", "Table 1"), "title")
    book.note(ws, "A2", "Jianyuan 2007-1 pool: formulas over the tape; WA by current balance (seed 001).")
    stats = [s for s, _ in st.SUMMARY_ROWS]
    row = {s: 5 + k for k, s in enumerate(stats)}
    bal = _rng(tp.BALANCE)
    formulas = {
        st.S_LOANS: f"=COUNT({bal})",
        st.S_BALANCE: f"=SUM({bal})",
        st.S_AVERAGE: f"=B{row[st.S_BALANCE]}/B{row[st.S_LOANS]}",
        st.S_AVERAGE_SHARE: f"=B{row[st.S_AVERAGE]}/B{row[st.S_BALANCE]}",
        st.S_LARGEST: f"=MAX({bal})",
        st.S_LARGEST_SHARE: f"=B{row[st.S_LARGEST]}/B{row[st.S_BALANCE]}",
        st.S_ORIGINAL: f"=SUM({_rng(tp.CONTRACT)})",
        st.S_ORIGINAL_AVERAGE: f"=B{row[st.S_ORIGINAL]}/B{row[st.S_LOANS]}",
        st.S_ORIGINAL_LARGEST: f"=MAX({_rng(tp.CONTRACT)})",
        st.S_WA_RATE: f"=SUMPRODUCT({bal},{_rng(tp.RATE)})/B{row[st.S_BALANCE]}",
        st.S_WA_REMAINING: f"=SUMPRODUCT({bal},{_rng(tp.REMAINING_TERM)})/B{row[st.S_BALANCE]}",
        st.S_WA_SEASONING: f"=SUMPRODUCT({bal},{_rng(tp.SEASONING)})/B{row[st.S_BALANCE]}",
        st.S_WA_AGE: f"=SUMPRODUCT({bal},{_rng(tp.AGE)})/B{row[st.S_BALANCE]}",
    }
    book.header(ws, "A4", st.SUMMARY_COLUMNS)
    for s_ in stats:
        book.text(ws, f"A{row[s_]}", s_)
        book.formula(ws, f"B{row[s_]}", formulas[s_], SUMMARY_FORMATS[s_])
    summary_cell = {s_: f"'{SUMMARY}'!$B${row[s_]}" for s_ in stats}
    n_rows = len(stats)
    book.widths(ws, {"A": 48, "B": 20})
    book.freeze(ws, 4)
    book.print_setup(ws, landscape=False, area=f"A1:B{4 + n_rows}")

    # ---------------------------------------------------------------- Tables 2-5 (Excel built-ins)
    ws = book.sheet(STRAT)
    book.text(ws, "A1", label("建元2007-1 资产池分布表", "Jianyuan 2007-1: pool distributions (Tables 2-5)"), "title")
    book.note(ws, "A2", "COUNTIFS/SUMIFS over the tape, buckets closed on the right (lower, upper]; yellow cells are "
                        "inputs (change the bounds/names to re-bucket). Shares are of the pool. Same as MBS_STRAT.")
    strat_cells = {}
    for (title, col, bps, labels), (rt, rb, rl, r0) in zip(TABLES, _layout()):
        book.text(ws, f"A{rt + 1}", title, "subtitle")
        book.text(ws, f"A{rb + 1}", label("分档上限(含)", "Upper bounds (<=)"))
        book.text(ws, f"A{rl + 1}", label("分档名称", "Bucket names"))
        kind = "yuan" if col == tp.CONTRACT else "int"
        for j, b in enumerate(bps):
            book.input(ws, (rb, 1 + j), b, kind)
        for j, s_ in enumerate(labels):
            book.input(ws, (rl, 1 + j), s_, "general")
        nb = len(labels)
        vals = _rng(col)
        book.header(ws, (r0, 0), st.STRAT_COLUMNS)
        first, last = r0 + 2, r0 + 1 + nb          # 1-based rows of the buckets
        tot = last + 1
        for k in range(nb):
            r = first + k
            lab = f"{chr(ord('B') + k)}${rl + 1}"
            lo = f"{chr(ord('B') + k - 1)}${rb + 1}" if k > 0 else None
            hi = f"{chr(ord('B') + k)}${rb + 1}" if k < nb - 1 else None
            crit = ",".join(([f'{vals},">"&{lo}'] if lo else []) + ([f'{vals},"<="&{hi}'] if hi else []))
            book.formula(ws, f"A{r}", f"={lab}", "general")
            book.formula(ws, f"B{r}", f"=COUNTIFS({crit})", "count")
            book.formula(ws, f"C{r}", f"=B{r}/B${tot}", "pct")
            book.formula(ws, f"D{r}", f"=SUMIFS({bal},{crit})", "money")
            book.formula(ws, f"E{r}", f"=D{r}/D${tot}", "pct")
            book.formula(ws, f"F{r}", f'=IF(B{r}>0,D{r}/B{r},"")', "money")
        book.text(ws, f"A{tot}", st.TOTAL, "total")
        book.formula(ws, f"B{tot}", f"=SUM(B{first}:B{last})", "count", style="total")
        book.formula(ws, f"C{tot}", f"=SUM(C{first}:C{last})", "pct", style="total")
        book.formula(ws, f"D{tot}", f"=SUM(D{first}:D{last})", "money", style="total")
        book.formula(ws, f"E{tot}", f"=SUM(E{first}:E{last})", "pct", style="total")
        book.formula(ws, f"F{tot}", f'=IF(B{tot}>0,D{tot}/B{tot},"")', "money", style="total")
        strat_cells[col] = {"first": r0 + 1, "n": nb}
        ch = book.chart({"type": "bar"})
        ch.add_series({
            "name": label("余额占比", "% of balance"),
            "categories": [STRAT, r0 + 1, 0, r0 + nb, 0],
            "values": [STRAT, r0 + 1, 4, r0 + nb, 4],
            "data_labels": {"value": True, "num_format": "0.0%"},
            "fill": {"color": "#4472C4"},
        })
        ch.set_title({"name": title, "name_font": {"size": 10}})
        ch.set_legend({"none": True})
        ch.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        ch.set_y_axis({"reverse": True})
        ch.set_size({"width": 480, "height": 300})
        ws.insert_chart(rt, 7, ch, {"x_offset": 10})
    book.widths(ws, {"A": 26, "B:F": 15, "G": 3})
    book.freeze(ws, 3)
    ws.set_h_pagebreaks([_layout()[2][0]])          # two tables (and their charts) a page
    last_row = _layout()[-1][0] + 19
    book.print_setup(ws, landscape=True, area=f"A1:O{last_row}", fit_height=0)

    # ---------------------------------------------------------------- Published vs computed
    ws = book.sheet(PUBLISHED)
    book.text(ws, "A1", label("公布值与计算值对照", "Published vs computed"), "title")
    book.note(ws, "A2", "Published: the figures of seed 001 (pool) and seed 002 (tranches), typed in as inputs. "
                        "Computed: formulas over the tables. Agrees: equal to the published rounding (column E).")
    book.header(ws, "A4", [label("项目", "Figure"), label("公布值", "Published"), label("计算值", "Computed"),
                           label("差异", "Difference"), label("公布精度", "Published rounding"),
                           label("一致", "Agrees"), label("来源", "Source")])

    def scell(col, bucket, field):          # cell of a strat table: bucket index, field column 0..5
        info = strat_cells[col]
        return f"'{STRAT}'!${chr(ord('A') + field)}${info['first'] + bucket + 1}"

    rows = [
        # (figure, published, computed formula, fmt, rounding text, agrees formula template, source)
        (label("贷款笔数", "Number of loans"), jy.POOL["loans"], f"={summary_cell[st.S_LOANS]}", "count",
         "exact", "=C{r}=B{r}", "seed 001, Table 1"),
        (label("本金余额总额", "Total balance (yuan)"), jy.POOL["balance"], f"={summary_cell[st.S_BALANCE]}", "money",
         "yuan", "=ROUND(C{r},0)=B{r}", "seed 001, Table 1"),
        (label("单笔平均本金余额", "Average balance (yuan)"), jy.POOL["average_balance"],
         f"={summary_cell[st.S_AVERAGE]}", "money", "yuan", "=ROUND(C{r},0)=B{r}", "seed 001, Table 1"),
        (label("平均余额占比", "Average balance / total"), jy.POOL["average_share"],
         f"={summary_cell[st.S_AVERAGE_SHARE]}", "pct4",
         "0.0001% truncated (1/12,254 = 0.00816%)", "=TRUNC(C{r},6)=B{r}", "seed 001, Table 1"),
        (label("单笔最高本金余额", "Largest balance (yuan)"), jy.POOL["largest_balance"],
         f"={summary_cell[st.S_LARGEST]}", "money", "yuan", "=ROUND(C{r},0)=B{r}", "seed 001, Table 1"),
        (label("最高余额占比", "Largest balance / total"), jy.POOL["largest_share"],
         f"={summary_cell[st.S_LARGEST_SHARE]}", "pct3", "0.001%", "=ROUND(C{r},5)=B{r}", "seed 001, Table 1"),
        (label("合同金额100万及以下占比", "Contract <= 1,000,000, share of balance"),
         jy.POOL["share_contract_le_1m"],
         f"={scell(tp.CONTRACT, 0, 4)}+{scell(tp.CONTRACT, 1, 4)}+{scell(tp.CONTRACT, 2, 4)}", "pct",
         "0.01%", "=ROUND(C{r},4)=B{r}", "seed 001, Table 2 text"),
        (label("剩余期限10-20年占比", "Remaining term 10-20y, share of balance"), jy.POOL["share_remaining_10_20y"],
         f"={scell(tp.REMAINING_TERM, 2, 4)}", "pct1", "0.1%", "=ROUND(C{r},3)=B{r}", "seed 001, Table 3 text"),
        (label("账龄0-2年本金余额", "Seasoning 0-2y balance (yuan)"), jy.POOL["seasoning_0_2y_balance"],
         f"={scell(tp.SEASONING, 0, 3)}", "money", "yuan", "=ROUND(C{r},0)=B{r}", "seed 001, Table 4 text"),
        (label("账龄0-2年占比(接近七成)", "Seasoning 0-2y share (close to 70%)"), 0.70,
         f"={scell(tp.SEASONING, 0, 4)}", "pct", "about: nearest 10%", "=ROUND(C{r},1)=B{r}",
         "seed 001, Table 4 text"),
        (label("账龄2-4年占比(百分之三十左右)", "Seasoning 2-4y share (about 30%)"), jy.POOL["share_seasoning_2_4y"],
         f"={scell(tp.SEASONING, 1, 4)}", "pct", "about: nearest 1%", "=ROUND(C{r},2)=B{r}",
         "seed 001, Table 4 text"),
        (label("账龄4-6年占比(2%左右)", "Seasoning 4-6y share (about 2%)"), jy.POOL["share_seasoning_4_6y"],
         f"={scell(tp.SEASONING, 2, 4)}", "pct", "about: nearest 1%", "=ROUND(C{r},2)=B{r}",
         "seed 001, Table 4 text"),
        (label("18-25岁占比(十分之一左右)", "Age 18-25 share (about a tenth)"), jy.POOL["share_age_18_25"],
         f"={scell(tp.AGE, 0, 4)}", "pct", "about: nearest 1%", "=ROUND(C{r},2)=B{r}", "seed 001, Table 5 text"),
        (label("25-35岁占比(一半以上)", "Age 25-35 share (over half)"), jy.POOL["share_age_25_35"],
         f"={scell(tp.AGE, 1, 4)}", "pct", "over: > published", "=C{r}>B{r}", "seed 001, Table 5 text"),
        (label("35-45岁占比(三分之一左右)", "Age 35-45 share (about a third)"), jy.POOL["share_age_35_45"],
         f"={scell(tp.AGE, 2, 4)}", "pct", "about: nearest 1%", "=ROUND(C{r},2)=ROUND(B{r},2)",
         "seed 001, Table 5 text"),
        (label("45-65岁占比(百分之五左右)", "Age 45-65 share (about 5%)"), jy.POOL["share_age_45_65"],
         f"={scell(tp.AGE, 3, 4)}", "pct", "about: nearest 1%", "=ROUND(C{r},2)=B{r}", "seed 001, Table 5 text"),
        (label("加权平均年龄", "WA borrower age"), jy.POOL["weighted_average_age"],
         f"={summary_cell[st.S_WA_AGE]}", "dec2", "whole years", "=ABS(C{r}-B{r})<0.5", "seed 001, Table 5 text"),
        (label("优先级+次级 = 资产池余额", "Senior + subordinate tranches (yuan)"),
         jy.SENIOR_TOTAL + jy.TRANCHES["Subordinate"], f"={summary_cell[st.S_BALANCE]}", "money", "yuan",
         "=ROUND(C{r},0)=B{r}", "seed 002: 4,020,884,600 + 139,799,108"),
    ]
    for k, (name, pub, comp, kind, rounding, agrees, src) in enumerate(rows):
        r = 5 + k
        book.text(ws, f"A{r}", name)
        book.input(ws, f"B{r}", pub, kind)
        book.formula(ws, f"C{r}", comp, kind)
        book.formula(ws, f"D{r}", f"=C{r}-B{r}", kind)
        book.text(ws, f"E{r}", rounding, "label", indent=1)
        book.formula(ws, f"F{r}", agrees.format(r=r), book.fmt("bool", "formula", align="center"))
        book.text(ws, f"G{r}", src)
    last = 4 + len(rows)
    book.text(ws, f"A{last + 2}", label("全部一致", "All agree"), "subtitle")
    book.formula(ws, f"F{last + 2}", f"=AND(F5:F{last})", book.fmt("bool", "formula", align="center"))
    book.note(ws, f"A{last + 4}", "The published 0.0081% is 1/12,254 = 0.00816% cut (not rounded) to 4 decimals; "
                                  "the check truncates. \"About\" and \"over\" figures are checked as stated in column E.")
    book.note(ws, f"A{last + 5}", "Shares are of the current balance (本金余额占比), the basis of the seed's tables; "
                                  "the contract-amount share 87.48% is read the same way.")
    book.widths(ws, {"A": 58, "B:D": 18, "E": 40, "F": 10, "G": 40})
    book.freeze(ws, 4, 1)
    book.print_setup(ws, landscape=True, area=f"A1:G{last + 5}")

    # ---------------------------------------------------------------- MBS functions on the same tape
    ws = book.sheet(CHECK)
    book.text(ws, "A1", label("函数核对", "The mbsxl functions on the same tape"), "title")
    book.note(ws, "A2", "MBS_POOLSUMMARY and MBS_STRAT (dynamic arrays) against Tables 1-5. They need mbsxl (Excel "
                        "add-in or `mbsxl calc`); without it Excel/LibreOffice show #NAME? here. Stored values are mbsxl's.")
    formula = (f"=MBS_POOLSUMMARY({bal},{_rng(tp.RATE)},{_rng(tp.REMAINING_TERM)},"
               f"{_rng(tp.SEASONING)},{_rng(tp.AGE)},{_rng(tp.CONTRACT)})")
    top = 5
    book.array(ws, (top - 1, 0), (top - 1 + n_rows, 1), formula, header_row=True,
               fmt_fn=lambda i, j: ("general" if j == 0 else SUMMARY_FORMATS[stats[i - 1]]) if i > 0 else None)
    book.header(ws, (top - 1, 2), [label("表1", "Table 1"), label("差异", "Difference")])
    diff_cells = []
    for k2, s_ in enumerate(stats):
        r = top + 1 + k2
        book.formula(ws, f"C{r}", f"={summary_cell[s_]}", SUMMARY_FORMATS[s_])
        book.formula(ws, f"D{r}", f"=B{r}-C{r}", "general")
        diff_cells.append(f"D{r}")
    r = top + n_rows + 2
    for (title, col, bps, labels), (rt, rb, rl, r0) in zip(TABLES, _layout()):
        nb = len(labels)
        book.text(ws, f"A{r}", title, "subtitle")
        last_b = chr(ord("B") + len(bps) - 1)
        last_l = chr(ord("B") + len(labels) - 1)
        f = (f"=MBS_STRAT({_rng(col)},{bal},'{STRAT}'!$B${rb + 1}:${last_b}${rb + 1},"
             f"'{STRAT}'!$B${rl + 1}:${last_l}${rl + 1})")
        a0 = r                                          # 0-based row of the spill's header
        book.array(ws, (a0, 0), (a0 + nb + 1, 5), f, col_fmts=STRAT_FORMATS, header_row=True, total_row=True)
        book.header(ws, (a0, 6), [label("笔数差异", "Count difference"), label("余额差异", "Balance difference")])
        for k2 in range(nb + 1):
            rr = a0 + 2 + k2                            # 1-based
            tr_ = r0 + 2 + k2
            book.formula(ws, f"G{rr}", f"=B{rr}-'{STRAT}'!B{tr_}", "general")
            book.formula(ws, f"H{rr}", f"=D{rr}-'{STRAT}'!D{tr_}", "general")
            diff_cells += [f"G{rr}", f"H{rr}"]
        r = a0 + nb + 4
    book.text(ws, f"A{r + 1}", label("最大绝对差异", "Largest absolute difference"), "subtitle")
    book.formula(ws, f"B{r + 1}", "=MAX(" + ",".join(f"ABS({c})" for c in diff_cells) + ")", "general")
    book.widths(ws, {"A": 48, "B:F": 15, "G:H": 17})
    book.freeze(ws, 3)
    book.print_setup(ws, landscape=True, area=f"A1:H{r + 1}", fit_height=1)

    # ---------------------------------------------------------------- Tape
    ws = book.sheet(TAPE)
    book.header(ws, "A1", tp.COLUMNS)
    book.inputs(ws, "A2", tape[tp.COLUMNS].itertuples(index=False, name=None), TAPE_FORMATS)
    book.widths(ws, {"A": 14, "B": 16, "C": 18, "D": 12, "E:H": 14, "I": 16})
    ws.set_row(0, 42)
    book.freeze(ws, 1, 1)
    # prints the first 100 loans (a reviewer rarely wants 12,254 rows on paper); widen the area to print all
    book.print_setup(ws, landscape=True, repeat_rows=(0, 0), area=f"A1:I{min(len(tape), 100) + 1}")

    # ---------------------------------------------------------------- Notes
    ws = book.sheet(NOTES)
    book.text(ws, "A1", label("说明", "Notes"), "title")
    lines = [
        ("What this is", "The pool analysis of Jianyuan 2007-1 (建元2007-1, CCB / CITIC Trust, cut-off 2007-10-10) as "
                         "published in seed 001 (Tables 1-5), reproduced by formulas over a loan tape."),
        ("The tape", "No loan-level data of the deal is public. The tape is generated by mbsxl.reference.tape.jianyuan_tape "
                     f"(fixed seed {tp.SEED}) to reproduce every published amount exactly and every published share "
                     "to its rounding. Column by column, what is published and what is an assumption:"),
    ]
    r = 3
    for head, text in lines:
        book.text(ws, f"A{r}", head, "subtitle")
        book.paragraph(ws, f"B{r}", text, 110)
        r += 1
    book.header(ws, f"A{r}", [label("列", "Column"), label("依据", "Published fact or assumption")])
    r += 1
    for col in tp.COLUMNS:
        book.text(ws, f"A{r}", col)
        book.paragraph(ws, f"B{r}", tp.PROVENANCE[col], 110)
        r += 1
    r += 1
    more = [
        ("Inputs", "Yellow cells with blue text are inputs (the tape, bucket bounds and names, published figures); "
                   "black cells are formulas. Every formula cell stores its computed value."),
        ("Another deal", f"Paste a tape of up to {TAPE_ROWS:,} loans on the tape sheet (same columns, rows 2-"
                         f"{TAPE_ROWS + 1:,}) and clear the rows below it; recalculate (Excel with mbsxl, or "
                         "`mbsxl calc FILE --out FILE`). Blank rows are ignored. For a longer tape insert rows "
                         "inside the tape (above its last row): the formulas' ranges grow with them."),
        ("Buckets", "Closed on the right: a contract of exactly 1,000,000 is in 50-100万 (i.e. 100万及以下); "
                    "seasoning 24 months is in 0-2y. Terms and seasoning in months, ages in years."),
        ("Weights", "Shares and weighted averages use the current balance (本金余额)."),
        ("Printing", "The tape sheet's print area is its first 100 loans; widen it to print the whole tape."),
        ("Rebuild", "Generated by mbsxl/templates/jianyuan_pool.py (`mbsxl templates build`)."),
    ]
    for head, text in more:
        book.text(ws, f"A{r}", head, "subtitle")
        book.paragraph(ws, f"B{r}", text, 110)
        r += 1
    book.widths(ws, {"A": 34, "B": 110})
    book.print_setup(ws, landscape=True, area=f"A1:B{r}")


def build(path: str, tape: pd.DataFrame | None = None) -> dict:
    """Write the pool template to ``path`` (default tape: :func:`mbsxl.reference.tape.jianyuan_tape`); returns the
    computed values."""
    t = tp.jianyuan_tape() if tape is None else tape
    if len(t) > TAPE_ROWS:
        raise ValueError(f"tape has {len(t)} loans; the template reads at most {TAPE_ROWS}")
    return build_with_values(path, lambda book: _write(book, t))
