"""Sheet ``触发与储备 Triggers`` of the Jianyuan 2007-1 deal review (issue 14): the deal mechanisms.

VAT, triggers (加速清偿 / 违约事件), the liquidity reserve (流动性储备账户) and principal covering a senior
interest shortfall, applied to the prospectus scenario of the Pool sheet through
``MBS_TRANCHES(..., view="pool", vat_rate, triggers, reserve, , principal_cover, delinquency,
senior_classes)``: one row a month with VAT, fees, excess spread, the trigger state, the reserve.
Above it, single-cell summaries (first month each consequence is on, totals) and the classes' WAL and
interest with and without the mechanisms (MBS_TRANCHESTATS).  The seeds publish none of the trigger
levels, the reserve size or the delinquency ratio: every input here is a labelled assumption.

Issue 19: the "plain" columns of the class comparison are MBS_DEALSTATS of the ``交易要素 Deal table`` sheet's
deal table; the mechanisms stay on MBS_TRANCHES / MBS_TRANCHESTATS's positional arguments (through the
workbook's names), because the deal table cannot yet say what this sheet computes with the same numbers:

- the reserve's target here is ``months`` x (the month's senior fees + class A interest), a target that moves
  with the pool; a deal-table reserve's target is yuan or a schedule of yuan (账户 Ledgers ``目标 target``);
- the ``senior_shortfall`` trigger acts in the month class A is short; the deal table's
  ``interest_shortfall`` event is tested at the end of a period and acts from the next;
- the table below is MBS_TRANCHES's ``pool`` view (VAT, fees, excess spread and its rate, the cumulative
  default and 90+ ratios, each consequence's flag, the reserve's funding, draws and balance, one row a
  month); MBS_DEALFLOWS's ``ledgers`` and ``events`` views show the same kind of figures in another layout,
  so the sheet's cells and summaries would change even where the amounts agree.

Adding a target in months of fees and senior interest and a same-period shortfall test to the deal table's
ledger kernel, and then this sheet, is left to a later change.
:func:`write` is called from :func:`mbsxl.templates.jianyuan_deal_review._write`, which hands over the
references it needs (no import back, so no import cycle).
"""
from __future__ import annotations

from typing import Callable

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import columns as C
from ._book import Book, label

SHEET = "触发与储备 Triggers"

VAT_RATE = 0.03            # 财税〔2017〕56号: simplified 3% VAT on asset-management products from 2018-01-01
RESERVE_MONTHS = 3
PRINCIPAL_COVER = True
SENIOR_CLASSES = 1
DELINQUENCY = 0.005
TRIGGERS = [
    ("cumulative_default", 0.02, None, "stop_subordinate+block_release",
     "assumption: 加速清偿事件 at a 2% cumulative default rate"),
    ("delinquency_90", 0.03, 3, "sequential", "assumption: 90+ ratio above 3% three months running"),
    ("senior_shortfall", 0, None, "sequential+stop_subordinate",
     "违约事件: senior (A) interest not paid in full (usual term; not in the seeds)"),
]

R_IN = 4                                   # first input row (0-based)
INPUTS = [  # key, zh, en, value, fmt, note
    ("vat", "增值税率", "VAT on the trust's interest income", VAT_RATE, "pct",
     "assumption: today's rule (3% simplified method since 2018, Caishui [2017] 56) applied for illustration; "
     "in 2007-09 the trust was under business tax"),
    ("cover", "本金补足利息", "Principal covers a senior shortfall (TRUE/FALSE)", PRINCIPAL_COVER, "general",
     "assumption: 本金账户 -> 收入账户 after the reserve"),
    ("senior", "优先级档数", "Senior classes (first n)", SENIOR_CLASSES, "int", "seed 002: class A is the senior class"),
    ("dq", "严重拖欠率(90天以上)", "90+ delinquency ratio (held constant)", DELINQUENCY, "pct",
     "assumption: the seeds give no projected ratio; a constant"),
]
I = {key: R_IN + i for i, (key, *_r) in enumerate(INPUTS)}
R_RES = R_IN + len(INPUTS)                 # the reserve table: item / value
R_TRIG_HEAD = R_RES + 3
R_TRIG = R_TRIG_HEAD + 1
R_SUM = R_TRIG + len(TRIGGERS) + 2         # summaries
SUMMARY = [  # zh, en, column of the pool table, how, fmt
    ("首个顺序偿付月", "First month principal sequential by trigger", C.SEQUENTIAL_TRIGGERED, "first", "general"),
    ("首个次级停付月", "First month subordinate interest stopped", C.SUBORDINATE_STOPPED, "first", "general"),
    ("首个储备冻结月", "First month reserve release blocked", C.RELEASE_BLOCKED, "first", "general"),
    ("增值税合计", "Total VAT", C.VAT, "sum", "yuan"),
    ("储备最高余额", "Highest reserve balance", C.RESERVE_BALANCE, "max", "yuan"),
    ("储备提取合计", "Total reserve draws", C.RESERVE_DRAW, "sum", "yuan"),
    ("本金补足利息合计", "Total principal used for interest", C.PRINCIPAL_TO_INTEREST, "sum", "yuan"),
    ("超额利差(首12个月平均,年化)", "Excess spread rate, mean of months 1-12", C.EXCESS_SPREAD_RATE, "mean12", "pct"),
]
R_CMP_HEAD = R_SUM + len(SUMMARY) + 2      # classes with and without the mechanisms
MAX_CLASSES = 4                            # rows of the class comparison (Jianyuan: A, B, C, Subordinate)
R_TABLE = R_CMP_HEAD + 1 + MAX_CLASSES + 3  # header row of the spilled pool-period table
NCOL = len(C.POOL_PERIOD_COLUMNS)


def _mech_args() -> str:
    """vat_rate, triggers, reserve, schedule (none), principal_cover, delinquency, senior_classes."""
    cell = lambda key: xl_rowcol_to_cell(I[key], 1, row_abs=True, col_abs=True)   # noqa: E731
    trig = f"{xl_rowcol_to_cell(R_TRIG_HEAD, 0, True, True)}:{xl_rowcol_to_cell(R_TRIG + len(TRIGGERS) - 1, 3, True, True)}"
    res = f"{xl_rowcol_to_cell(R_RES, 0, True, True)}:{xl_rowcol_to_cell(R_RES, 1, True, True)}"
    return ",".join([cell("vat"), trig, res, "", cell("cover"), cell("dq"), cell("senior")])


def _col(name: str, months: int) -> str:
    """The spilled pool-period table's column ``name`` (rows 1..months), by its position in the header list."""
    c = C.POOL_PERIOD_COLUMNS.index(name)
    return f"{xl_rowcol_to_cell(R_TABLE + 1, c, True, True)}:{xl_rowcol_to_cell(R_TABLE + months, c, True, True)}"


def write(book: Book, pool: str, waterfall_args: Callable[..., str], months: int, class_cells: list[str]) -> None:
    """Write the sheet: inputs, summaries, class comparison, the pool-period table.

    ``pool``: the reference (or name) of the scenario's MBS_CASHFLOWS table; ``waterfall_args(pool, class_="",
    header=None)``: the deal review's MBS_TRANCHES argument text up to ``fees`` (up to ``header`` when
    ``header`` is given); ``months``: rows of the table; ``class_cells``: references of the class names."""
    assert len(class_cells) <= MAX_CLASSES, "the class comparison has rows for MAX_CLASSES classes"
    ws = book.sheet(SHEET)
    book.text(ws, "A1", label("触发事件、流动性储备与税费", "Triggers, liquidity reserve, VAT: prospectus scenario"), "title")
    book.note(ws, "A2", "Table below: MBS_TRANCHES(prospectus pool table, Deal sheet classes and assumptions, view "
                        "\"pool\", the inputs here): one row a month. Order: VAT, fees, A interest, reserve draw,")
    book.note(ws, "A3", "principal cover, reserve funding/release, B, C interest, excess to the subordinate class; "
                        "a trigger is tested on the month's figures, acts that month and stays tripped.")
    book.text(ws, (R_IN - 1, 0), label("假设(种子未公布)", "Assumptions (not published in the seeds)"), "subtitle")
    for key, zh, en, v, fmt, note in INPUTS:
        book.value(ws, (I[key], 0), label(zh, en))
        book.input(ws, (I[key], 1), v, fmt)
        book.note(ws, (I[key], 2), note)
    book.inputs(ws, (R_RES, 0), [["months", RESERVE_MONTHS]], fmts=["general", "int"])
    book.note(ws, (R_RES, 2), "assumption: liquidity reserve (流动性储备) target = 3 months of fees + class A interest, "
                              "funded after A interest; item months / amount (yuan) / initial, and its value")
    book.text(ws, (R_TRIG_HEAD - 1, 0), label("触发事件(假设)", "Triggers (assumptions), one row each"), "subtitle")
    book.header(ws, (R_TRIG_HEAD, 0), ["measure", "threshold", "periods", "consequence", label("说明", "Note")])
    for k, (measure, thr, per, cons, note) in enumerate(TRIGGERS):
        r = R_TRIG + k
        book.inputs(ws, (r, 0), [[measure, thr, per, cons]], fmts=["general", "pct", "int", "general"])
        book.note(ws, (r, 4), note)

    book.text(ws, (R_SUM - 1, 0), label("结果", "Results (from the table below)"), "subtitle")
    for k, (zh, en, col, how, fmt) in enumerate(SUMMARY):
        r = R_SUM + k
        book.value(ws, (r, 0), label(zh, en))
        rng = _col(col, months)
        if how == "first":
            f = f'=IFERROR(MATCH(1,{rng},0),"never")'
        elif how == "sum":
            f = f"=SUM({rng})"
        elif how == "max":
            f = f"=MAX({rng})"
        else:
            f = f"=AVERAGE({xl_rowcol_to_cell(R_TABLE + 1, C.POOL_PERIOD_COLUMNS.index(col), True, True)}:"
            f += f"{xl_rowcol_to_cell(R_TABLE + 12, C.POOL_PERIOD_COLUMNS.index(col), True, True)})"
        book.formula(ws, (r, 1), f, fmt)

    book.text(ws, (R_CMP_HEAD - 1, 0), label("分档对比", "Classes without (MBS_DEALSTATS) / with the mechanisms (MBS_TRANCHESTATS)"),
              "subtitle")
    book.header(ws, (R_CMP_HEAD, 0), [label("档次", "Class"), label("WAL(无)", "WAL, plain"), label("WAL(有)", "WAL, with"),
                                     label("利息(无)", "Interest, plain"), label("利息(有)", "Interest, with"),
                                     label("损失(有)", "Loss, with")])
    plain = f"MBS_DEALSTATS({pool},Deal_table,,,Coupon_index)"
    mech = "MBS_TRANCHESTATS(" + waterfall_args(pool) + ",,,," + _mech_args() + ")"
    pos = lambda name: C.position(C.STATS_COLUMNS, name)          # noqa: E731
    for i, name in enumerate(class_cells):
        r = R_CMP_HEAD + 1 + i
        book.formula(ws, (r, 0), f"={name}", "general")
        book.formula(ws, (r, 1), f"=INDEX({plain},{i + 2},{pos(C.WAL)})", "dec2")
        book.formula(ws, (r, 2), f"=INDEX({mech},{i + 2},{pos(C.WAL)})", "dec2")
        book.formula(ws, (r, 3), f"=INDEX({plain},{i + 2},{pos(C.TOTAL_INTEREST)})", "yuan")
        book.formula(ws, (r, 4), f"=INDEX({mech},{i + 2},{pos(C.TOTAL_INTEREST)})", "yuan")
        book.formula(ws, (r, 5), f"=INDEX({mech},{i + 2},{pos(C.TOTAL_LOSS)})", "yuan")

    book.text(ws, (R_TABLE - 1, 0), label("每月资产池账户", "Per month: taxes, fees, excess spread, triggers, reserve"),
              "subtitle")
    rate_cols = {C.EXCESS_SPREAD_RATE, C.CUMULATIVE_DEFAULT_RATE, C.DELINQUENCY_90}
    flag_cols = {C.TRIGGERS_TRIPPED, C.SEQUENTIAL_TRIGGERED, C.SUBORDINATE_STOPPED, C.RELEASE_BLOCKED, C.PERIOD}
    fmts = ["pct4" if c in rate_cols else "int" if c in flag_cols else "money" for c in C.POOL_PERIOD_COLUMNS]
    f = "=MBS_TRANCHES(" + waterfall_args(pool, header=True) + ',"pool",' + _mech_args() + ")"
    book.array(ws, (R_TABLE, 0), (R_TABLE + months, NCOL - 1), f, col_fmts=fmts, header_row=True)
    ws.set_row(R_TABLE, 42)
    book.widths(ws, {"A": 46, "B": 16, "C:E": 15, "F:V": 14})
    book.freeze(ws, R_TABLE + 1, 1)
    book.print_setup(ws, landscape=True, area=f"A1:V{R_TABLE + months + 1}", repeat_rows=(R_TABLE, R_TABLE),
                     compact=True)
