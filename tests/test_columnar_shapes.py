"""Formulas of one column that share a shape but differ in a constant (issue 21, columnar fast path).

The fast path groups a column's formulas by their shape: the text with every run of digits after a
letter or ``$`` replaced by a marker, so ``S1!A2`` and ``S2!A3`` (sheet names ending in digits) or
``A2*1E5`` and ``A3*1E6`` (exponents) have one shape.  Only the digits that are a reference's row may
differ between the cells of a group; the others belong to the formula.  Such a column must go to the
ordinary path (it computed row 3 from row 2's sheet and exponent before this was checked).

Hand-worked: S1!A3 = 10 and S2!A2 = 20 (the values written); A3*1E5 = 100,000, A2*1E6 = 1,000,000.
"""
from __future__ import annotations

import os

from mbsxl.excel import _columnar, calc


def _book(path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tape")
    s1 = wb.add_worksheet("S1")
    s2 = wb.add_worksheet("S2")
    for i in range(20):
        r = i + 2
        ws.write(i + 1, 0, 1.0)
        s1.write(i + 1, 0, 10.0)
        s2.write(i + 1, 0, 20.0)
        ws.write_formula(i + 1, 1, f"=S1!A{r}" if i % 2 else f"=S2!A{r}", None, -1)
        ws.write_formula(i + 1, 2, f"=A{r}*1E5" if i % 2 else f"=A{r}*1E6", None, -1)
    wb.close()


def test_sheet_names_and_exponents_that_differ_go_to_the_ordinary_path(tmp_path):
    path = os.path.join(tmp_path, "s.xlsx")
    _book(path)
    assert _columnar.calculate(path, min_formulas=1) is None
    assert "differ" in _columnar.LAST_REASON
    v = calc.calculate(path, progress=False)
    assert v["Tape!B2"] == 20 and v["Tape!B3"] == 10
    assert v["Tape!C2"] == 1_000_000 and v["Tape!C3"] == 100_000


def test_the_same_constants_stay_on_the_fast_path(tmp_path):
    """One sheet name and one exponent down the column: the fast path keeps it (S1!A2 = 10; 1*1E5)."""
    import xlsxwriter
    path = os.path.join(tmp_path, "t.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tape")
    s1 = wb.add_worksheet("S1")
    for i in range(20):
        r = i + 2
        ws.write(i + 1, 0, 1.0)
        s1.write(i + 1, 0, 10.0)
        ws.write_formula(i + 1, 1, f"=S1!A{r}", None, -1)
        ws.write_formula(i + 1, 2, f"=A{r}*1E5", None, -1)
    wb.close()
    v = _columnar.calculate(path, min_formulas=1)
    assert v is not None, _columnar.LAST_REASON
    assert v["Tape!B3"] == 10 and v["Tape!C3"] == 100_000
