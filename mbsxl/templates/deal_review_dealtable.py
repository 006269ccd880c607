"""Sheet ``交易要素 Deal table`` of the Jianyuan 2007-1 deal review (issue 19, item 3): the deal written as a
deal table (:mod:`mbsxl.deal.dealtable`), as the prospectus states it, run by the ledger engine on the same pool
as the ``分档现金流 Tranches`` sheet, with a check block against the positional waterfall.

- The deal table (A:G): classes (sizes from seed 002, spreads and floating flags linked to the Deal sheet's
  labelled assumptions), the senior fees, the two ledgers (收入分账户 / 本金分账户), the priority of payments (fees,
  interest A, B, C, excess interest to the subordinate class; principal A, B, C, subordinate), the clean-up call
  and the write-down rule.  No events: the plain waterfall of the Tranches sheet has none (the Triggers sheet
  applies the usual 加速清偿 / 违约事件 through MBS_TRANCHES); writing them here would make the two differ.
- ``MBS_DEALCHECK`` of the table; ``MBS_DEALSTATS`` on the prospectus scenario; beside it ``MBS_TRANCHESTATS``
  with the Deal sheet's positional arguments (as the Summary sheet computed it before issue 19) and, per class,
  the differences (expected 0).
- ``MBS_TRANCHES`` with the same positional arguments (classes by month) in columns L:V, and the sum of the
  absolute differences to the Tranches sheet, which holds ``MBS_DEALFLOWS`` of the deal table (expected 0).

Every other sheet reads the deal from this sheet (the workbook name ``Deal_table``); this check block is the one
place the positional waterfall arguments are kept on purpose, as the reference the deal table must equal.

Every formula here is under 200 characters.  :func:`write` is called from
:func:`mbsxl.templates.jianyuan_deal_review._write`, which passes itself in (no import back, no cycle).
"""
from __future__ import annotations

from types import ModuleType

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import columns as C
from ._book import Book, label

SHEET = "交易要素 Deal table"
R_DEAL = 4                                # 0-based first row of the deal table
NCOL = 7                                  # A:G (G: notes)
TR_ROW = 3                                # 0-based header row of the Tranches sheet's MBS_TRANCHES table
C_FLOWS = 11                              # column L: MBS_DEALFLOWS (right of the statistics, A:J)
PRIORITY_HEAD = ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit", "说明 note"]
_HEAD_WORDS = ("分档", "费用税收", "账户", "偿付顺序", "事件", "计划", "参数")


def rows(deal: ModuleType) -> list:
    """The deal table's rows: a value, or ``("=", formula, value)`` for a cell linked to the Deal sheet (the
    value is the linked input, for the Python twin and the sizing of the check)."""
    from mbsxl.reference import jianyuan as jy
    link = lambda r, c, v: ("=", f"={deal._abs(deal.DEAL, r, c)}", v)
    out = [["分档 Classes", "金额 balance", "利率 coupon", "利率类型 rate type", "累计 carry", None, "说明 note"]]
    for i, (name, bal) in enumerate(jy.TRANCHES.items()):
        r = deal.R_CLS + i
        fl = ("=", f'=IF({deal._abs(deal.DEAL, r, 4)}=1,"floating","fixed")',
              "floating" if deal.FLOATING[name] else "fixed")
        note = ("seed 002: size; spread over the 1-year deposit rate: assumption (Deal sheet)" if deal.FLOATING[name]
                else "seed 002: size; no coupon, receives the excess interest (剩余收益)")
        out.append([link(r, 0, name), link(r, 1, float(bal)), link(r, 3, deal.SPREADS[name]), fl, "yes", None, note])
    out += [[None],
            ["费用税收 Fees", "费率 rate", "基数 base", "累计 carry", None, None, "说明 note"],
            ["优先费用 senior fees", ("=", f"={deal.D('fees')}", deal.FEES), "pool_balance", "yes", None, None,
             "assumption (Deal sheet): trustee etc., a year on the pool balance; servicing is off the pool's interest"],
            [None],
            ["账户 Ledgers", "收入来源 receives", "类型 type", None, None, None, "说明 note"],
            ["收入 income", "interest", "ledger", None, None, None, "收入分账户: the pool's net interest"],
            ["本金 principal", "principal", "ledger", None, None, None,
             "本金分账户: scheduled + prepaid principal, recoveries, the call price"],
            [None],
            PRIORITY_HEAD]
    names = list(jy.TRANCHES)
    inc = [("pay_fee", "优先费用 senior fees", "senior fees first")]
    inc += [("pay_interest", n, "interest, shortfall carried (no interest on it)") for n in names[:-1]]
    inc += [("pay_residual", names[-1], "excess interest to the subordinate class")]
    prin = [("pay_principal", n, "sequential" if k == 0 else "") for k, n in enumerate(names)]
    prin += [("release", None, "nothing is left once every class is repaid")]
    for ledger, steps in (("收入 income", inc), ("本金 principal", prin)):
        out += [["正常 normal", ledger, k, a, t, None, note] for k, (a, t, note) in enumerate(steps, start=1)]
    out += [[None],
            ["参数 Settings", "数值 value", None, None, None, None, "说明 note"],
            ["清仓回购 cleanup_call", ("=", f"={deal.D('call')}", deal.CALL), None, None, None, None,
             "assumption (Deal sheet): the pool bought at par at this pool factor"],
            ["损失核销 writedown", "loss", None, None, None, None, "pool losses write the classes down bottom-up"]]
    return out


def table_ref(deal: ModuleType) -> str:
    """The deal table's range, absolute, with the sheet name (for formulas on other sheets)."""
    return deal._rng(SHEET, R_DEAL, 0, R_DEAL + len(rows(deal)) - 1, NCOL - 1)


def python_table(deal: ModuleType) -> list:
    """The deal table as values (what the workbook's range holds), for tests and scripts."""
    return [[(x[2] if isinstance(x, tuple) else x) for x in (r + [None] * (NCOL - len(r)))[:NCOL]] if r != [None]
            else [None] * NCOL for r in rows(deal)]


def _ref(r0: int, c0: int, r1: int, c1: int) -> str:
    a = xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)
    return f"{a}:{xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)}"


def write(book: Book, deal: ModuleType):
    """Write the sheet; ``deal`` is :mod:`mbsxl.templates.jianyuan_deal_review`."""
    import mbsxl
    ws = book.sheet(SHEET)
    book.text(ws, "A1", label("交易要素表", "Jianyuan 2007-1 as a deal table, run by the ledger engine (MBS_DEALFLOWS, "
                                       "MBS_DEALSTATS), checked against MBS_TRANCHES"), "title")
    book.note(ws, "A2", "One range, blocks found by their titles. Sizes: seed 002; spreads, floating flags, fees and the "
                        "call: the Deal sheet's labelled assumptions (linked). Layout: mbsxl.deal.dealtable.")
    book.note(ws, "A3", "No events: the Tranches sheet's plain waterfall has none (the Triggers sheet applies them). "
                        "The order is written as steps: the Deal sheet's structure input is not read here.")
    table = rows(deal)
    heads = {i for i, r in enumerate(table) if r and isinstance(r[0], str) and r[0].split()[0] in _HEAD_WORDS}
    for i, row in enumerate(table):
        r = R_DEAL + i
        if row == [None]:
            continue
        for j in range(NCOL):
            x = row[j] if j < len(row) else None
            if x is None:
                continue
            if i in heads:
                book.text(ws, (r, j), x, "header")
            elif isinstance(x, tuple):
                v = x[2]
                book.formula(ws, (r, j), x[1], "general" if isinstance(v, str) else ("yuan" if v >= 1000 else "pct"))
            elif j == NCOL - 1:
                book.note(ws, (r, j), x)
            else:
                book.input(ws, (r, j), x, "general" if isinstance(x, str) else "int")
    r_end = R_DEAL + len(table) - 1
    dref = _ref(R_DEAL, 0, r_end, NCOL - 1)

    # what the parser understood
    n_check = len(mbsxl.deal_check(python_table(deal)))
    r = r_end + 3
    book.text(ws, (r - 1, 0), label("解析检查", "What the parser understood (MBS_DEALCHECK)"), "subtitle")
    book.array(ws, (r, 0), (r + n_check, len(C.DEAL_CHECK_COLUMNS) - 1), f"=MBS_DEALCHECK({dref})",
               col_fmts=["general", "int", "general", "general", "general"], header_row=True)

    # statistics through the deal table, through MBS_TRANCHESTATS, and the differences
    n = deal.N_CLASSES
    nst = len(C.STATS_COLUMNS)
    st_fmts = ["general", "yuan", "dec2", "int", "int", "int", "yuan", "yuan", "yuan", "pct3"]
    r = r + n_check + 3
    book.text(ws, (r - 1, 0), label("分档统计(交易要素表)", "Class statistics, prospectus scenario, through the deal "
                                                        "table (MBS_DEALSTATS)"), "subtitle")
    book.array(ws, (r, 0), (r + n, len(C.DEAL_STATS_COLUMNS) - 1), f"=MBS_DEALSTATS(Pool_prospectus,{dref},,,Coupon_index)",
               col_fmts=st_fmts[:len(C.DEAL_STATS_COLUMNS)], header_row=True)
    r_ds = r
    r = r + n + 3
    book.text(ws, (r - 1, 0), label("分档统计(原参数)", "The same through MBS_TRANCHESTATS with the Deal sheet's "
                                                    "arguments (as the Summary sheet computes it)"), "subtitle")
    # the Deal sheet's arguments, the class columns read through this sheet's links to them (shorter references)
    loc = [_ref(R_DEAL + 1, c, R_DEAL + n, c) for c in (0, 1, 2)]
    args = ["Pool_prospectus", "", "", *loc, "Structure", "Cleanup_call", "", "Coupon_index", "Class_floating",
            "Senior_fees"]
    book.array(ws, (r, 0), (r + n, nst - 1), "=MBS_TRANCHESTATS(" + ",".join(args) + ")",
               col_fmts=st_fmts[:nst], header_row=True)
    r_ts = r
    r = r + n + 3
    book.text(ws, (r - 1, 0), label("差异检查", "Check: deal table less MBS_TRANCHESTATS, per class (expected 0)"),
              "subtitle")
    book.header(ws, (r, 0), [C.CLASS] + list(C.STATS_COLUMNS[1:]))
    for i in range(n):
        rr = r + 1 + i
        book.formula(ws, (rr, 0), f"={xl_rowcol_to_cell(r_ds + 1 + i, 0)}", "general")
        for j in range(1, nst):
            assert C.DEAL_STATS_COLUMNS[j] == C.STATS_COLUMNS[j]
            a = xl_rowcol_to_cell(r_ds + 1 + i, j)
            b = xl_rowcol_to_cell(r_ts + 1 + i, j)
            book.formula(ws, (rr, j), f"={a}-{b}", "dec2" if j == 2 else ("int" if j < 6 else "yuan"))
    r_sum = r + n + 1
    book.value(ws, (r_sum, 0), label("绝对差合计", "Sum of absolute differences"), style="total")
    body = _ref(r + 1, 1, r + n, nst - 1)
    book.formula(ws, (r_sum, 1), f"=SUMPRODUCT(ABS({body}))", "yuan", style="total")

    # flows by class and month through the deal table, against the Tranches sheet
    T = deal.T
    ntr = len(C.TRANCHE_COLUMNS)
    fr = 3
    c0 = C_FLOWS
    book.text(ws, (fr - 2, c0), label("分档现金流(原参数)", "Class flows by month through MBS_TRANCHES's positional "
                                                      "arguments: the reference for the Tranches sheet (MBS_DEALFLOWS)"),
              "subtitle")
    fmts = ["int", "general", "money", "pct", "money", "money", "money", "money", "money", "money", "money"]
    tr_args = ",".join(["Pool_prospectus", "", "", *loc, "Structure", "Cleanup_call", "", "Coupon_index",
                        "Class_floating", "Senior_fees"])
    book.array(ws, (fr, c0), (fr + n * T, c0 + ntr - 1), f"=MBS_TRANCHES({tr_args})",
               col_fmts=fmts, header_row=True)
    mine = _ref(fr + 1, c0 + 2, fr + n * T, c0 + ntr - 1)
    theirs = deal._rng(deal.TRANCHES, TR_ROW + 1, 2, TR_ROW + n * T, ntr - 1)
    book.value(ws, (r_sum + 2, 0), label("现金流绝对差合计", "Class flows: sum of absolute differences to the Tranches "
                                                         "sheet (C:K, every month)"), style="total")
    book.formula(ws, (r_sum + 2, 1), f"=SUMPRODUCT(ABS({mine}-{theirs}))", "yuan", style="total")
    ws.set_row(fr, 30)
    book.widths(ws, {"A": 26, "B": 17, "C:D": 14, "E": 16, "F": 12, "G": 60, "H:I": 15, "J": 10, "K": 2,
                     f"{xl_col_to_name(c0)}:{xl_col_to_name(c0 + 1)}": 10,
                     f"{xl_col_to_name(c0 + 2)}:{xl_col_to_name(c0 + ntr - 1)}": 15})
    book.freeze(ws, R_DEAL, 1)
    book.print_setup(ws, landscape=True, area=f"A1:J{r_sum + 3}")
