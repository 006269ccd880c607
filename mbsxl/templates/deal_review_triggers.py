"""Sheet ``触发与储备 Triggers`` of the Jianyuan 2007-1 deal review (issue 14): the deal mechanisms.

VAT, triggers (加速清偿 / 违约事件), the liquidity reserve (流动性储备账户) and principal covering a senior
interest shortfall, applied to the prospectus scenario of the Pool sheet through
``MBS_TRANCHES(..., view="pool", vat_rate, triggers, reserve, , principal_cover, delinquency,
senior_classes)``: one row a month with VAT, fees, excess spread, the trigger state, the reserve.
Above it, single-cell summaries (first month each consequence is on, totals) and the classes' WAL and
interest with and without the mechanisms (MBS_TRANCHESTATS).  The seeds publish none of the trigger
levels, the reserve size or the delinquency ratio: every input here is a labelled assumption.

Issue 19: both class-comparison columns run on deal tables: the "plain" ones MBS_DEALSTATS of the ``交易要素 Deal
table`` sheet's deal (``Deal_table``), the "with" ones MBS_DEALSTATS of the second deal table written below the
monthly table (``Deal_triggers``, :func:`deal_rows`): the same classes, VAT and fees, three ledgers (income,
principal, a reserve with ``interest_periods`` 3 of class A, ``with_fees fees``, ``interest_basis current``: 3 x
(the month's senior fees + class A interest), 0 once A is repaid), the order written as steps (VAT, fees, A
interest, the reserve's draw, the principal ledger's cover of the shortfall, fees and A again, fund / release the
reserve, B and C interest, the excess to the subordinate class) and the triggers as events moving the deal to the
statuses ``default`` (subordinate interest stopped) and ``accelerated`` (also the reserve's release blocked).
bench/triggers_vs_dealtable.py runs both paths month by month: every class column and the reserve balance agree
within 1.2e-8 yuan.  Two conventions differ and cannot change the cash of this sheet:

- the ``senior_shortfall`` trigger acts here in the month class A is short; the deal table's
  ``interest_shortfall`` event from the next month.  In the month of the shortfall nothing is left for the classes
  below A (the reserve and, with principal cover, the principal have been drawn) and principal is sequential
  anyway, so the amounts agree; only the month a flag shows differs (the positional table flags it a month earlier;
  tests/test_deal_review_triggers_table.py trips it with no interest collected in months 4-8: both paths' cash
  equal every month, the positional flag from month 5, the deal's status from month 6);
- the ``delinquency_90`` trigger's consequence ``sequential`` is the deal's order already: its event moves to no
  status (it is listed for the events view).

The monthly table stays MBS_TRANCHES's ``pool`` view (VAT, fees, excess spread and its rate, the cumulative default
and 90+ ratios, each consequence's flag, the reserve's target, funding, draws and balance, one row a month):
MBS_DEALFLOWS's ``ledgers`` and ``events`` views hold the same amounts one step a row (some 40 rows a month), and
the reserve's target is in no view, so the sheet's 197 x 22 cells would become thousands.
:func:`write` is called from :func:`mbsxl.templates.jianyuan_deal_review._write`, which hands over the
references it needs (no import back, so no import cycle).
"""
from __future__ import annotations

from types import ModuleType
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


def write(book: Book, pool: str, waterfall_args: Callable[..., str], months: int, class_cells: list[str],
          deal: ModuleType) -> None:
    """Write the sheet: inputs, summaries, class comparison, the pool-period table.

    ``pool``: the reference (or name) of the scenario's MBS_CASHFLOWS table; ``waterfall_args(pool, class_="",
    header=None)``: the deal review's MBS_TRANCHES argument text up to ``fees`` (up to ``header`` when
    ``header`` is given); ``months``: rows of the table; ``class_cells``: references of the class names;
    ``deal``: :mod:`mbsxl.templates.jianyuan_deal_review` (for :func:`deal_rows`)."""
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

    book.text(ws, (R_CMP_HEAD - 1, 0), label("分档对比", "Classes without (Deal_table) / with the mechanisms (Deal_triggers, "
                                                     "below the table)"),
              "subtitle")
    book.header(ws, (R_CMP_HEAD, 0), [label("档次", "Class"), label("WAL(无)", "WAL, plain"), label("WAL(有)", "WAL, with"),
                                     label("利息(无)", "Interest, plain"), label("利息(有)", "Interest, with"),
                                     label("损失(有)", "Loss, with")])
    plain = f"MBS_DEALSTATS({pool},Deal_table,,,Coupon_index)"
    mech = f"MBS_DEALSTATS({pool},{NAME},,,Coupon_index,{xl_rowcol_to_cell(I['dq'], 1, True, True)})"
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
    r_end = _write_deal(book, ws, deal, R_TABLE + months + 3)
    book.widths(ws, {"A": 46, "B": 16, "C:E": 15, "F:V": 14})
    book.freeze(ws, R_TABLE + 1, 1)
    book.print_setup(ws, landscape=True, area=f"A1:V{r_end + 1}", repeat_rows=(R_TABLE, R_TABLE), compact=True)


NAME = "Deal_triggers"                      # the workbook name of the deal table below the monthly table
NCOL_DEAL = 7                               # A:G
STATUSES = ("正常 normal", "违约 default", "加速 accelerated")


def deal_rows(deal: ModuleType) -> list:
    """The second deal table: the Deal table sheet's classes, fees, call, with this sheet's VAT, reserve and
    triggers; a cell is a value or ``("=", formula, value[, format])`` (linked to this sheet's inputs or the Deal
    sheet).
    ``deal`` is :mod:`mbsxl.templates.jianyuan_deal_review`."""
    from mbsxl.reference import jianyuan as jy
    from . import deal_review_dealtable as D
    cell = lambda key: xl_rowcol_to_cell(I[key], 1, True, True)                     # noqa: E731
    trig = lambda k, c: xl_rowcol_to_cell(R_TRIG + k, c, True, True)                 # noqa: E731
    names = list(jy.TRANCHES)
    base = D.rows(deal)
    out = base[:1 + len(names)]                                                      # the classes, as Deal_table
    fees = next(r for r in base if r and r[0] == "优先费用 senior fees")
    out += [[None], ["费用税收 Fees", "费率 rate", "基数 base", None, None, None, "说明 note"],
            ["增值税 VAT", ("=", f"={cell('vat')}", VAT_RATE), "interest", None, None, None,
             "the VAT input above, on the month's interest collections; paid by a pay_tax step"],
            ["优先费用 senior fees", fees[1], "pool_balance", None, None, None, fees[6]],
            [None], ["账户 Ledgers", "收入来源 receives", "类型 type", "利息期数 interest_periods",
                     "利息对象 interest_of", "含费用 with_fees", "目标利息期 interest_basis"],
            ["收入 income", "interest", "ledger"], ["本金 principal", "principal", "ledger"],
            ["储备 reserve", "none", "reserve",
             ("=", f"={xl_rowcol_to_cell(R_RES, 1, True, True)}", RESERVE_MONTHS), names[0], "fees", "current"],
            [None], ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit",
                     "说明 note"]]
    cover = ("=", f'=IF({cell("cover")},"shortfall",0)', "shortfall" if PRINCIPAL_COVER else 0)
    for st in STATUSES:
        inc = [("pay_tax", "增值税 VAT", None, "VAT first"), ("pay_fee", "优先费用 senior fees", None, ""),
               ("pay_interest", names[0], None, "senior (A) interest"),
               ("draw_reserve", "储备 reserve", None, "the reserve pays what fees and A lack")]
        out += [[st, "收入 income", k, a, t, lim, note] for k, (a, t, lim, note) in enumerate(inc, start=1)]
        out.append([st, "本金 principal", 1, "transfer", "收入 income", cover,
                    "principal covers the rest (shortfall; 0 when the input above is FALSE)"])
        k = len(inc)
        nxt = [("pay_fee", "优先费用 senior fees", "paid with the cash drawn"), ("pay_interest", names[0], ""),
               ("fund_reserve", "储备 reserve", "to 3 x (the month's fees + A interest)")]
        if st != STATUSES[2]:
            nxt.append(("release_reserve", "储备 reserve", "above its target (blocked when accelerated)"))
        if st == STATUSES[0]:
            nxt += [("pay_interest", n, "") for n in names[1:-1]]
            nxt.append(("pay_residual", names[-1], "excess interest to the subordinate class"))
        else:
            nxt.append(("transfer", "本金 principal", "subordinate interest stopped: the rest pays principal"))
        for a, t, note in nxt:
            k += 1
            out.append([st, "收入 income", k, a, t, "all" if a == "transfer" else None, note])
        out += [[st, "本金 principal", 2 + j, "pay_principal", n, None, "sequential" if j == 0 else ""]
                for j, n in enumerate(names)]
        out.append([st, "本金 principal", 2 + len(names), "release", None, None, ""])
    out += [[None], ["事件 Events", "指标 measure", "对象 of", "阈值 threshold", "连续期数 periods", "转入状态 to",
                     "说明 note"],
            ["累计违约 cdr", "cumulative_default", None, ("=", f"={trig(0, 1)}", TRIGGERS[0][1]), 1, STATUSES[2],
             "the first trigger above: stop_subordinate+block_release"],
            ["严重拖欠 dq90", "delinquency_90", None, ("=", f"={trig(1, 1)}", TRIGGERS[1][1]),
             ("=", f"={trig(1, 2)}", TRIGGERS[1][2]), None, "sequential: the order already; no status"],
            ["优先级利息 short_a", "interest_shortfall", names[0], ("=", f"={trig(2, 1)}+1E-9", 1e-9, "general"), 1, STATUSES[1],
             "yuan (+1e-9: rounding); acts from the next month"],
            [None], ["参数 Settings", "数值 value", None, None, None, None, "说明 note"],
            next(r for r in base if r and r[0] == "清仓回购 cleanup_call"),
            ["损失核销 writedown", "loss", None, None, None, None, "pool losses write the classes down bottom-up"]]
    return out


def python_deal(deal: ModuleType) -> list:
    """:func:`deal_rows` as values (what the workbook's range holds), for tests and bench scripts."""
    return [[(x[2] if isinstance(x, tuple) else x) for x in (r + [None] * (NCOL_DEAL - len(r)))[:NCOL_DEAL]]
            for r in deal_rows(deal)]


def _write_deal(book: Book, ws, deal: ModuleType, r0: int) -> int:
    """Write :func:`deal_rows` from row ``r0`` (0-based), name it :data:`NAME`; the last row written."""
    from . import deal_review_dealtable as D
    table = deal_rows(deal)
    book.text(ws, (r0 - 2, 0), label("交易要素表(含机制)", "The deal with the mechanisms, a deal table (Deal_triggers): "
                                                      "the 'with' columns above"), "subtitle")
    book.note(ws, (r0 - 1, 0), "Classes, fees, call linked to the Deal sheet; VAT, reserve months, cover, trigger "
                               "levels linked to the inputs above. Layout: mbsxl.deal.dealtable.")
    block = ""
    for i, row in enumerate(table):
        r = r0 + i
        head = bool(row) and isinstance(row[0], str) and row[0].split()[0] in D._HEAD_WORDS
        block = row[0].split()[0] if head else block
        for j, x in enumerate(row[:NCOL_DEAL]):
            if x is None:
                continue
            if head:
                book.text(ws, (r, j), x, "header")
            elif isinstance(x, tuple):
                v = x[2]
                book.formula(ws, (r, j), x[1], x[3] if len(x) > 3 else "general" if isinstance(v, str) else
                             ("yuan" if v >= 1000 else "int" if float(v).is_integer() and v >= 1 else "pct"))
            elif j == NCOL_DEAL - 1 and block != "账户":          # G: notes, but the ledgers' interest_basis
                book.note(ws, (r, j), x)
            else:
                book.input(ws, (r, j), x, "general" if isinstance(x, str) else "int")
    r1 = r0 + len(table) - 1
    book.name(NAME, f"'{SHEET}'!{xl_rowcol_to_cell(r0, 0, True, True)}:{xl_rowcol_to_cell(r1, NCOL_DEAL - 1, True, True)}")
    return r1
