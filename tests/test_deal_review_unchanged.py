"""Issue 19, item 3 and its first "Done when": the Jianyuan 2007-1 deal review, rewritten so that every sheet reads
the deal from the ``交易要素 Deal table`` sheet (MBS_DEALFLOWS, MBS_DEALSTATS, MBS_DEALGRID, MBS_DEALBREAKEVEN,
MBS_RATINGSTRESS's deal), stores the same values as the workbook before the rewrite.

The reference is the committed workbook at :data:`BEFORE` (the last commit with the positional sheets: MBS_TRANCHES,
MBS_TRANCHESTATS, MBS_GRID, MBS_BREAKEVEN in every cell), read from git; bench/compare_workbooks.py compares every
stored cell of the two (numbers to 1e-9 relative, text exact).  Every number is equal (measured: the largest
relative difference is 4.3e-16, rounding in the last bit of 26 cells: 23 on the Grid, 2 on the Summary, 1 on the
Triggers sheet); the only differences are the texts below,
each a title or note that names the functions the sheet now calls, and the cells of the Triggers sheet's second deal
table (``Deal_triggers``, written below the monthly table, which the old workbook did not have).  The Triggers
sheet's class comparison reads MBS_DEALSTATS of that table in both its columns (plain and with the mechanisms), and
its 12 stored numbers "with" equal the old MBS_TRANCHESTATS ones; its monthly table stays MBS_TRANCHES's pool view
(mbsxl/templates/deal_review_triggers.py says why).
"""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = "workbooks/jianyuan_2007_1_deal_review.xlsx"
BEFORE = "a76a9ae31f812d4d05deaae36f384ee972fa1ce8"

#: (sheet, cell) -> why the stored text changed on purpose
INTENDED = {
    ("汇总 Summary", "A2"): "note: the cells are INDEX(MBS_DEALSTATS(..., Deal_table)), no longer MBS_TRANCHESTATS",
    ("汇总 Summary", "A3"): "note: yields and prices read each class's flows from MBS_DEALFLOWS, not MBS_TRANCHES",
    ("敏感性 Grid", "A2"): "note: each cell is MBS_DEALGRID of the deal table, not MBS_TRANCHESTATS / MBS_YIELD",
    ("敏感性 Grid", "A3"): "note: the cell's own pool projection is inside MBS_DEALGRID, not a nested MBS_CASHFLOWS",
    ("压力测试 Stress", "A1"): "title: MBS_DEALGRID, MBS_DEALBREAKEVEN instead of MBS_GRID, MBS_BREAKEVEN",
    ("压力测试 Stress", "A2"): "note: each matrix is one MBS_DEALGRID formula over the Deal table sheet's deal",
    ("分档现金流 Tranches", "A1"): "title: the table is MBS_DEALFLOWS, not MBS_TRANCHES",
    ("分档现金流 Tranches", "A2"): "note: the rules are the Deal table sheet's priority of payments",
    ("说明 Notes", "A12"): "subtitle: the header lists are those of MBS_DEALFLOWS / MBS_DEALSTATS (same columns)",
    ("触发与储备 Triggers", "A27"): "subtitle: both columns are MBS_DEALSTATS, of Deal_table and of Deal_triggers",
    ("交易 Deal", "C32"): "note of the structure input: only the Triggers sheet and the Deal table sheet's check read "
                        "it now; the other sheets pay principal as the deal table's steps say",
    ("交易要素 Deal table", "L2"): "subtitle: L:V is now the positional MBS_TRANCHES, the reference for the "
                                  "Tranches sheet's MBS_DEALFLOWS (the check compares the two, sum 0)",
}


def _cw():
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    import compare_workbooks as cw
    return cw


@pytest.fixture(scope="module")
def result():
    cw = _cw()
    try:
        old = cw.git_file(BEFORE, BOOK)
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip(f"git history with commit {BEFORE[:7]} is not available (shallow clone?)")
    return cw.compare(old, ROOT / BOOK)


def _new_deal_cells():
    """The cells of the Triggers sheet's Deal_triggers block (subtitle, note, the table), all new on purpose."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    from mbsxl.templates import deal_review_triggers as TR
    from mbsxl.templates import jianyuan_deal_review as J
    r0 = TR.R_TABLE + J.T + 3
    cells = {xl_rowcol_to_cell(r0 - 2, 0), xl_rowcol_to_cell(r0 - 1, 0)}
    cells |= {xl_rowcol_to_cell(r0 + i, j) for i, row in enumerate(TR.deal_rows(J)) for j, x in enumerate(row)
              if x is not None}
    return {(TR.SHEET, c) for c in cells}


def test_every_number_is_unchanged_and_only_the_listed_texts_differ(result):
    got = {(s, c): (a, b, why) for s, c, a, b, why in result.differing}
    assert not result.sheets_only
    numbers = {k: v for k, v in got.items() if v[2].startswith("number")}
    assert not numbers, f"numbers changed: {numbers}"
    new = {k for k, v in got.items() if v[2] == "only in new"}
    assert new == _new_deal_cells() and len(new) == 383
    got = {k: v for k, v in got.items() if k not in new}
    assert set(got) == set(INTENDED), (sorted(set(got) - set(INTENDED)), sorted(set(INTENDED) - set(got)))
    assert all(why == "text differs" for _a, _b, why in got.values())
    # measured 34,796 cells holding a value, 34,401 equal, 12 texts, 383 new cells of the Deal_triggers block:
    # the old workbook's 34,413 cells all kept, none lost
    assert result.compared == result.equal + len(INTENDED) + len(new) and result.compared > 34_000


def test_no_formula_over_200_characters():
    """Issue 19: no cell of the deal review over 200 characters (the Rating sheet had 239, the Grid 527)."""
    import openpyxl
    wb = openpyxl.load_workbook(ROOT / BOOK)
    longest = max((len(t), ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
                  for t in [getattr(c.value, "text", c.value)] if isinstance(t, str) and t.startswith("="))
    assert longest[0] <= 200, longest


def test_positional_calls_only_where_the_module_says():
    """The deal is described by deal tables: MBS_TRANCHES / MBS_TRANCHESTATS remain only on the Deal table sheet's
    check block, and MBS_TRANCHES in the Triggers sheet's monthly pool table (see
    mbsxl/templates/deal_review_triggers.py); MBS_GRID and MBS_BREAKEVEN nowhere."""
    import re

    import openpyxl
    wb = openpyxl.load_workbook(ROOT / BOOK)
    where = {}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                t = getattr(c.value, "text", c.value)
                if isinstance(t, str) and t.startswith("="):
                    for f in re.findall(r"MBS_(?:TRANCHES|TRANCHESTATS|GRID|BREAKEVEN)\(", t):
                        where.setdefault(f, set()).add(ws.title)
    assert where == {"MBS_TRANCHES(": {"交易要素 Deal table", "触发与储备 Triggers"},
                     "MBS_TRANCHESTATS(": {"交易要素 Deal table"}}


def test_the_comparison_finds_what_it_should(tmp_path):
    """bench/compare_workbooks.py on two hand-made workbooks: a number 1e-8 apart (relative) differs, one 1e-10
    apart does not; a changed text, a cell only in one workbook and a number turned text are each listed."""
    import openpyxl
    cw = _cw()
    old, new = openpyxl.Workbook(), openpyxl.Workbook()
    for wb, vals in ((old, [100.0, 100.0, "Class A", None, 5.0, 0.0]),
                     (new, [100.0 * (1 + 1e-8), 100.0 * (1 + 1e-10), "Class B", 7.0, "5", 0.0])):
        ws = wb.active
        ws.title = "S"
        for i, x in enumerate(vals, start=1):
            ws.cell(i, 1, x)
        wb.save(tmp_path / ("old.xlsx" if wb is old else "new.xlsx"))
    r = cw.compare(tmp_path / "old.xlsx", tmp_path / "new.xlsx")
    got = {cell: why for _s, cell, _a, _b, why in r.differing}
    assert got == {"A1": "number differs (rel 1.0e-08)", "A3": "text differs", "A4": "only in new",
                   "A5": "type int -> str"}   # openpyxl reads 5.0 back as 5
    assert (r.compared, r.equal) == (6, 2)
