"""The deal-table worksheet functions through a workbook, and the modern RMBS template (issue 19, item 3).

1. openpyxl writes a deal table and the six MBS_DEAL* formulas into a workbook; ``mbsxl.excel.calc.calculate``
   recalculates it; every value equals the Python twin on the same inputs (1e-12 relative).
2. workbooks/modern_rmbs_review.xlsx: every formula at most 200 characters; its stored values equal the
   Python API on the template's own (illustrative, labelled) inputs; the deal parses with nothing refused.
Outside figures: none beyond the rules; the template's deal is an illustrative assumption (its notes say so).
"""
import pathlib

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl import columns as C
from mbsxl.excel.calc import calculate
from mbsxl.templates import modern_rmbs_review as m

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / m.FILENAME
DEAL = mbsxl.deal_from_tranches(["A", "B", "Sub"], [700.0, 200.0, 100.0], [0.04, 0.05, 0.0], cleanup_call=0.1)
POOL = dict(balance=1000.0, wac=0.06, wam=36, prepay=0.1, default=0.05, severity=0.4)


def _cell(x):
    return None if x is None else x


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("deal") / "deal.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "D"
    for i, row in enumerate(DEAL, start=1):
        for j, x in enumerate(row, start=1):
            ws.cell(i, j, _cell(x))
    nd = len(DEAL)
    deal = f"A1:F{nd}"
    pool = mbsxl.cashflows(POOL["balance"], POOL["wac"], POOL["wam"], POOL["prepay"], "CPR", POOL["default"], "CDR",
                           POOL["severity"])
    want = {"flows": mbsxl.deal_flows(pool, DEAL), "ledgers": mbsxl.deal_flows(pool, DEAL, "ledgers"),
            "events": mbsxl.deal_flows(pool, DEAL, "events"), "stats": mbsxl.deal_stats(pool, DEAL, 100),
            "check": mbsxl.deal_check(DEAL),
            "grid": mbsxl.deal_grid(1000.0, 0.06, 36, DEAL, "B", 100, [0.0, 0.2], [0.0, 0.1], 0.4),
            "breakeven": mbsxl.deal_breakeven(1000.0, 0.06, 36, DEAL, "B", 0.1, 0.4)}
    ws["H1"] = ArrayFormula(f"H1:W{len(pool) + 1}", "=MBS_CASHFLOWS(1000,0.06,36,0.1,\"CPR\",0.05,\"CDR\",0.4)")
    p = f"H1:W{len(pool) + 1}"
    at = {"flows": ("Y1", f"=MBS_DEALFLOWS({p},{deal})"), "ledgers": ("AK1", f"=MBS_DEALFLOWS({p},{deal},\"ledgers\")"),
          "events": ("AS1", f"=MBS_DEALFLOWS({p},{deal},\"events\")"), "stats": ("BA1", f"=MBS_DEALSTATS({p},{deal},100)"),
          "check": ("BM1", f"=MBS_DEALCHECK({deal})"),
          "grid": ("BS1", f"=MBS_DEALGRID(1000,0.06,36,{deal},\"B\",100,{{0;0.2}},{{0,0.1}},0.4)"),
          "breakeven": ("CD1", f"=MBS_DEALBREAKEVEN(1000,0.06,36,{deal},\"B\",0.1,0.4)")}
    for key, (top, text) in at.items():
        c = openpyxl.utils.cell.coordinate_from_string(top)
        col = openpyxl.utils.column_index_from_string(c[0])
        last = openpyxl.utils.get_column_letter(col + want[key].shape[1] - 1)
        ws[top] = ArrayFormula(f"{top}:{last}{len(want[key]) + 1}", text)
    ws["CH1"] = ArrayFormula(f"CH1:CM{nd}", "=MBS_DEALFROMTRANCHES({\"A\";\"B\";\"Sub\"},{700;200;100},{0.04;0.05;0},,0.1)")
    wb.save(path)
    return calculate(path, progress=False), want, at


@pytest.mark.parametrize("key", ["flows", "ledgers", "events", "stats", "check", "grid", "breakeven"])
def test_deal_functions_equal_the_python_twins(book, key):
    values, want, at = book
    top = at[key][0]
    c = openpyxl.utils.cell.coordinate_from_string(top)
    col0 = openpyxl.utils.column_index_from_string(c[0])
    t = want[key]
    for j, h in enumerate(t.columns):
        assert values[f"D!{openpyxl.utils.get_column_letter(col0 + j)}1"] == str(h)
    for i, row in enumerate(t.itertuples(index=False), start=2):
        for j, x in enumerate(row):
            got = values[f"D!{openpyxl.utils.get_column_letter(col0 + j)}{i}"]
            if isinstance(x, float) and x != x:
                assert got in (None, ""), (key, i, j, got)
            elif isinstance(x, (int, float)) and not isinstance(x, bool):
                assert got == pytest.approx(float(x), rel=1e-12, abs=1e-9), (key, i, j)
            else:
                assert (got if got is not None else "") == x, (key, i, j)


def test_deal_from_tranches_through_the_workbook(book):
    values, _, _ = book
    for i, row in enumerate(DEAL, start=1):
        for j, x in enumerate(row):
            got = values.get(f"D!{openpyxl.utils.get_column_letter(86 + j)}{i}")
            assert (got if got not in (None, "") else None) == x, (i, j, got, x)


# ------------------------------------------------------------------ the committed template
@pytest.fixture(scope="module")
def stored():
    if not BOOK.exists():
        pytest.skip("template not built")
    return openpyxl.load_workbook(BOOK, data_only=True), openpyxl.load_workbook(BOOK)


def test_no_formula_over_200_characters(stored):
    _, wb = stored
    worst = max(len(getattr(c.value, "text", c.value)) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if isinstance(getattr(c.value, "text", c.value), str) and getattr(c.value, "text", c.value).startswith("="))
    assert worst <= 200


def test_the_deal_parses_whole_and_the_stored_stats_equal_the_python_api(stored):
    values, _ = stored
    chk = mbsxl.deal_check(m.DEAL_ROWS)
    assert set(chk[C.RESULT]) == {C.CHECK_UNDERSTOOD}
    pool, index = m._python_pool()
    s = mbsxl.deal_stats(pool, m.DEAL_ROWS, 100, 1, index)
    ws = values[m.CLASSES]
    for i, row in enumerate(s.itertuples(index=False), start=5):
        for j, x in enumerate(row, start=1):
            got = ws.cell(i, j).value
            if isinstance(x, str):
                assert got == x
            else:
                assert got == pytest.approx(float(x), rel=1e-9), (i, j)
    # the illustrative deal exercises what it says: acceleration on, the call, A1 on its schedule
    ev = mbsxl.deal_flows(pool, m.DEAL_ROWS, "events", index=index)
    assert "加速清偿 accelerated" in set(ev[C.STATUS])
    cls = mbsxl.deal_flows(pool, m.DEAL_ROWS, index=index)
    a1 = cls[cls[C.CLASS] == "A1"]
    assert a1[C.ENDING_BALANCE].iloc[11] <= 1_300_000_000 + 1e-6          # target after period 12
    assert (cls[C.LOSS] == 0).all()


def test_template_is_registered():
    from mbsxl.templates import modules
    assert m.FILENAME in modules()
