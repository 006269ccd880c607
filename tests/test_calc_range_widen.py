"""A bounded range that reaches past a sheet's used extent: mbsxl makes the missing cells in one loop
(``_pycel_speed.WIDEN_MAX``) instead of pycel's cell-by-cell read through openpyxl's ``ws[range]``.
Both must leave the same cells behind, so every result, including unbounded ranges cut to the widened
extent afterwards, is the same as pycel's own read (``WIDEN_MAX = 0``).  Expected figures hand-worked:
A1:A3 = 1, 2, 3 and nothing below."""
import openpyxl
import pytest

from mbsxl.excel import _pycel_speed, calc


def _book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T"
    for r, v in enumerate((1, 2, 3), start=1):
        ws.cell(row=r, column=1, value=v)
    ws["C1"] = "=SUM(A1:A5000)"          # past the extent (row 3): 6
    ws["C2"] = "=COUNT(A1:B5000)"        # 3
    ws["C3"] = "=ROWS(A1:A5000)"         # 5000
    ws["C4"] = "=SUM(A:A)"               # an unbounded range after the widening: 6
    ws["C5"] = "=SUMPRODUCT(A1:A5000,A1:A5000)"   # 1 + 4 + 9 = 14
    wb.save(path)
    return path


@pytest.mark.parametrize("widen", [0, _pycel_speed.WIDEN_MAX])
def test_past_extent_same_as_pycel(tmp_path, monkeypatch, widen):
    monkeypatch.setattr(_pycel_speed, "WIDEN_MAX", widen)
    v = calc.calculate(_book(tmp_path / "w.xlsx"), progress=False)
    assert not v.errors
    assert [v[f"T!C{r}"] for r in range(1, 6)] == [6, 3, 5000, 6, 14]
