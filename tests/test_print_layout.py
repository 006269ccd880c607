"""The committed workbooks on paper (issue 22), checked from the files themselves (openpyxl and the
drawing XML; tests/test_libreoffice.py renders them): every chart inside the print area, no header text
wider than its column (in the lines its row has), titles in rows tall enough for their font, print
settings on every sheet (A4, fit to one page wide or a print area, footer with file, sheet and page),
header rows repeated on long tables, no General-format number printing as float noise.

Widths: xlsxwriter's units (a column of width w characters is 7w + 5 px; a 10 pt line about 17 px) and
the wrap rule of :mod:`mbsxl.templates._book` (a CJK character counts two).
"""
import math
import pathlib
import re
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from mbsxl.templates import _book as B

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "workbooks").glob("*.xlsx"))
NS = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _chart_boxes(path):
    """sheet name -> [(row0, col0, row1, col1)] of the charts' two-cell anchors (0-based)."""
    z = zipfile.ZipFile(path)
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for sh in wb.find("m:sheets", NS):
        target = rels[sh.get(f"{{{NS['r']}}}id")]
        sheet_file = "xl/" + target.lstrip("/").replace("xl/", "")
        rel_file = sheet_file.replace("worksheets/", "worksheets/_rels/") + ".rels"
        boxes = []
        if rel_file in z.namelist():
            for r in ET.fromstring(z.read(rel_file)):
                if r.get("Target", "").endswith(".xml") and "drawing" in r.get("Target"):
                    d = ET.fromstring(z.read("xl/drawings/" + r.get("Target").rsplit("/", 1)[1]))
                    for a in d.findall("xdr:twoCellAnchor", NS):
                        f, t = a.find("xdr:from", NS), a.find("xdr:to", NS)
                        g = lambda e, k: int(e.find(f"xdr:{k}", NS).text)
                        boxes.append((g(f, "row"), g(f, "col"), g(t, "row"), g(t, "col")))
        out[sh.get("name")] = boxes
    return out


def _area(ws):
    if not ws.print_area:
        return None
    ref = ws.print_area.rsplit("!", 1)[-1].replace("$", "")
    from openpyxl.utils.cell import range_boundaries
    c0, r0, c1, r1 = range_boundaries(ref)
    return r0 - 1, c0 - 1, r1 - 1, c1 - 1


@pytest.fixture(scope="module", params=BOOKS, ids=[b.name for b in BOOKS])
def book(request):
    return request.param, openpyxl.load_workbook(request.param)


def test_every_chart_inside_the_print_area(book):
    path, wb = book
    for name, boxes in _chart_boxes(path).items():
        area = _area(wb[name])
        for r0, c0, r1, c1 in boxes:
            if area:
                assert area[0] <= r0 and area[1] <= c0 and r1 <= area[2] and c1 <= area[3], (name, (r0, c0, r1, c1), area)


def _col_px(ws, col_letter):
    d = ws.column_dimensions.get(col_letter)
    if d is None or not d.customWidth or d.width is None:
        # openpyxl groups columns: find the dimension whose min..max covers this column
        from openpyxl.utils import column_index_from_string
        i = column_index_from_string(col_letter)
        for dim in ws.column_dimensions.values():
            if dim.min and dim.max and dim.min <= i <= dim.max and dim.customWidth:
                return int(dim.width * 7 + 5)
        return B.DEFAULT_COL_PX
    return int(d.width * 7 + 5)


def _row_px(ws, r):
    h = ws.row_dimensions[r].height
    return B.DEFAULT_ROW_PX if h is None else int(round(h * 4 / 3))


def test_no_header_text_wider_than_its_column(book):
    _, wb = book
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.font and c.font.b and c.fill and c.fill.fgColor
                        and str(c.fill.fgColor.rgb).endswith("D9D9D9") and not c.value.startswith("=")):
                    continue
                units = (_col_px(ws, c.column_letter) - 5) / B.CHAR_PX
                lines = max(1, _row_px(ws, c.row) // B.LINE_PX)
                if B.longest_word(c.value) > units + 0.5 or B.wrap_lines(c.value, units) > lines:
                    bad.append(f"{ws.title}!{c.coordinate} {c.value!r} ({units:.0f} chars x {lines} lines)")
    assert not bad, bad[:10]


def test_titles_have_rows_tall_enough(book):
    _, wb = book
    for ws in wb.worksheets:
        c = ws["A1"]
        if isinstance(c.value, str) and c.font and c.font.sz and c.font.sz >= 14:
            assert ws.row_dimensions[1].height and ws.row_dimensions[1].height >= c.font.sz * 1.4, ws.title


def test_print_settings_on_every_sheet(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize in (9, "9"), ws.title                        # A4
        assert "&A" in (ws.oddFooter.left.text or "") and "&F" in (ws.oddFooter.left.text or ""), ws.title
        assert "&P" in (ws.oddFooter.right.text or ""), ws.title
        fit = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
        assert fit or ws.print_area, ws.title                                     # one page wide, or an area
        if ws.max_row > 60 and ws.max_column > 3:
            assert ws.print_title_rows, f"{ws.title}: a long table without its header repeated"


def test_no_general_number_prints_as_float_noise(book):
    path, _ = book
    wb = openpyxl.load_workbook(path, data_only=True)
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if (isinstance(v, float) and not v.is_integer() and c.number_format == "General"
                        and (abs(v) < 1e-4 or abs(v) >= 1000)):
                    bad.append(f"{ws.title}!{c.coordinate}={v!r}")
    assert not bad, bad[:10]
