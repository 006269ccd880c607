"""Ranges read inside an array formula's range (issue 21 speed: one node for the range, read from the
array's computed values, instead of a node per cell): the readers get the array's values, in
dependency order, whether the range is the whole array, part of it, or reaches outside it.  Figures
by hand in the comments (A = 1..5, the array C1:C5 = A x 2 = 2, 4, 6, 8, 10; C6:C7 hold 100 and 1000)."""
from __future__ import annotations

import pytest

xlsxwriter = pytest.importorskip("xlsxwriter")
pytest.importorskip("pycel")

from mbsxl.excel import calc  # noqa: E402


def _book(path):
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    # readers first in the sheet, so that the order cannot come from the cell order
    ws.write_formula("E1", "=SUM(C1:C5)")                # 30
    ws.write_formula("E2", "=INDEX(C2:C4,2)")            # C3 = 6
    ws.write_formula("E3", "=C4")                        # 8
    ws.write_formula("E4", "=SUM(C4:C7)")                # 8 + 10 + 100 + 1000 = 1118 (reaches outside)
    ws.write_formula("E5", "=SUMPRODUCT(C1:C5,A1:A5)")   # 2+8+18+32+50 = 110
    ws.write_formula("E6", "=SUM(G1:G3)")                # the dynamic array G1:G3 = 2, 3, 4: 9
    ws.write_formula("E7", "=MAX(G2:G3)")                # 4
    for r in range(5):
        ws.write_number(r, 0, r + 1)
    ws.write_number(5, 2, 100)
    ws.write_number(6, 2, 1000)
    ws.write_array_formula("C1:C5", "{=A1:A5*2}")
    ws.write_dynamic_array_formula("G1:G3", "=A1:A3+1")
    wb.close()
    return path


def test_readers_of_array_ranges(tmp_path):
    v = calc.calculate(_book(str(tmp_path / "box.xlsx")), progress=False)
    assert [v[f"S!C{r}"] for r in range(1, 6)] == [2, 4, 6, 8, 10]
    assert v["S!E1"] == 30
    assert v["S!E2"] == 6
    assert v["S!E3"] == 8
    assert v["S!E4"] == 1118
    assert v["S!E5"] == 110
    assert v["S!E6"] == 9
    assert v["S!E7"] == 4
    assert not v.errors


def test_readers_see_a_set_input(tmp_path):
    v = calc.calculate(_book(str(tmp_path / "box.xlsx")), sets={"S!A3": 10}, progress=False)
    assert v["S!C3"] == 20 and v["S!E1"] == 2 + 4 + 20 + 8 + 10 and v["S!E2"] == 20
