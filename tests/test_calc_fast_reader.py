"""The shorter cell path of ``mbsxl/excel/_load.py`` (``_fast_cells``, issue 21 load speed) reads every
cell as openpyxl's own reader does: value, type, style and number format, on a workbook mixing the
kinds of cells xlsxwriter writes (numbers, shared strings, booleans, errors, dates, formulas, array
formulas, styled cells, cells without a value) and on the template workbooks."""
from __future__ import annotations

import datetime as dt
import glob
import math
import os

import pytest

openpyxl = pytest.importorskip("openpyxl")
xlsxwriter = pytest.importorskip("xlsxwriter")

from mbsxl.excel._load import _load_workbook  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _same(a, b):
    assert [ws.title for ws in a.worksheets] == [ws.title for ws in b.worksheets]
    for wa, wb in zip(a.worksheets, b.worksheets):
        assert set(wa._cells) == set(wb._cells), wa.title
        for k, c in wa._cells.items():
            d = wb._cells[k]
            va, vb = c._value, d._value
            if hasattr(va, "text"):                       # ArrayFormula
                assert (va.text, va.ref) == (vb.text, vb.ref)
            elif isinstance(va, float) and math.isnan(va):
                assert isinstance(vb, float) and math.isnan(vb)
            else:
                assert type(va) is type(vb) and va == vb, (wa.title, k, va, vb)
            assert (c.data_type, c._style, c.row, c.column, c.number_format) == \
                   (d.data_type, d._style, d.row, d.column, d.number_format), (wa.title, k)
        assert wa._current_row == wb._current_row


def test_mixed_cells(tmp_path):
    path = str(tmp_path / "mixed.xlsx")
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("Tape")
    money = book.add_format({"num_format": "#,##0.00", "bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for r in range(200):
        ws.write_number(r, 0, r * 1234.5, money if r % 3 else None)
        ws.write_number(r, 1, r)                                   # integers
        ws.write_string(r, 2, f"loan {r % 7}")                     # shared strings, repeated
        ws.write_boolean(r, 3, r % 2 == 0)
        ws.write_datetime(r, 4, dt.datetime(2024, 1, 1) + dt.timedelta(days=r), date)
        ws.write_formula(r, 5, f"=A{r + 1}*2", None, r * 2469.0)
        ws.write_blank(r, 6, None, money)                          # a styled cell without a value
        ws.write_number(r, 7, 1e-300 * (r + 1))
    ws.write(200, 0, "#N/A")
    ws.write_formula(200, 1, "=1/0", None, "#DIV/0!")
    ws.write_array_formula(201, 0, 203, 0, "{=B1:B3*2}")
    book.close()
    _same(_load_workbook(path, checked=False), _load_workbook(path, checked=True))


@pytest.mark.parametrize("name", ["jianyuan_2007_1_pool.xlsx", "lpr_repricing.xlsx"])
def test_templates(name):
    path = os.path.join(ROOT, "workbooks", name)
    if not glob.glob(path):
        pytest.skip("templates not built")
    _same(_load_workbook(path, checked=False), _load_workbook(path, checked=True))
