"""Shared formulas on the columnar fast path (issue 21).

Excel writes a formula filled down a column as one shared formula: the first cell holds the text and
the range (``<f t="shared" ref="D2:D3001" si="0">A2*B2/12</f>``), every other cell only
``<f t="shared" si="0"/>``.  ECMA-376 Part 1, 18.3.1.40 (``f``, Formula): the other cells' formula is
the master's "with references adjusted as if it had been copied", i.e. relative rows moved by the
cell's offset from the master, absolute (``$``) rows fixed.  Here the shared formulas are written by
hand into the XML of a tape whose plain formulas the fast path and the ordinary path already agree on;
the shared copy must give the same values cell for cell, and the hand-worked values below.
"""
from __future__ import annotations

import os
import re
import zipfile

import pytest

from mbsxl.excel import _columnar, calc

N = 3000          # formula rows: above _columnar.MIN_FORMULAS (2,000) so that calc takes the fast path


def _plain(path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tape")
    ws.write_row(0, 0, ["bal", "rate", "term", "int", "prin", "pay", "share"])
    for i in range(N):
        r = i + 2
        ws.write_row(i + 1, 0, [1000.0 + i, 0.05, (i % 5) * 12])
        ws.write_formula(i + 1, 3, f"=A{r}*B{r}/12", None, -1)
        ws.write_formula(i + 1, 4, f"=IF(C{r}>0,A{r}/C{r},0)", None, -1)
        ws.write_formula(i + 1, 5, f"=ROUND(D{r}+E{r},2)", None, -1)
        ws.write_formula(i + 1, 6, f"=D{r}/$A$2", None, -1)
    ws.write_formula(0, 8, f"=SUM(F2:F{N + 1})", None, -1)
    wb.close()


def _to_shared(src, dst, cols="DEFG", across=False):
    """Rewrite every formula of columns ``cols`` from row 2 on as Excel does: the row-2 cell the master
    (its text, ``ref`` the column's range), the rest children.  ``across``: one shared formula for
    D2:E2 as well (a formula filled right; column offsets are not modelled by the fast path)."""
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    si = {c: i for i, c in enumerate(cols)}

    def cell(m):
        c, r, body = m.group(1), int(m.group(2)), m.group(3)
        if c not in si or r < 2:
            return m.group(0)
        if r == 2:
            return f'<c r="{c}{r}"><f t="shared" ref="{c}2:{c}{N + 1}" si="{si[c]}">{body}</f><v>-1</v></c>'
        return f'<c r="{c}{r}"><f t="shared" si="{si[c]}"/><v>-1</v></c>'
    xml = re.sub(r'<c r="([A-Z]+)(\d+)"[^>]*><f>([^<]*)</f><v>[^<]*</v></c>', cell, xml)
    if across:
        xml = xml.replace('<c r="E2"><f t="shared" ref="E2:E3001" si="1">IF(C2&gt;0,A2/C2,0)</f><v>-1</v></c>',
                          '<c r="E2"><f t="shared" si="0"/><v>-1</v></c>')
        xml = xml.replace('ref="D2:D3001" si="0"', 'ref="D2:E3001" si="0"')
    assert xml.count('t="shared"') >= len(cols) * N
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in parts.items():
            out.writestr(n, data)


def test_shared_formulas_give_the_plain_formulas_values(tmp_path):
    """Hand-worked (row 3: bal 1001, rate 5 %, term 12): interest 1001*0.05/12 = 4.170833...,
    principal 1001/12 = 83.41666..., payment ROUND(87.5875, 2) = 87.59 (half away from zero), share
    4.170833.../$A$2 (= 1000, the absolute row not moved) = 0.004170833..."""
    plain = os.path.join(tmp_path, "plain.xlsx")
    shared = os.path.join(tmp_path, "shared.xlsx")
    _plain(plain)
    _to_shared(plain, shared)
    want = _columnar.calculate(plain)
    got = _columnar.calculate(shared)
    assert got is not None, _columnar.LAST_REASON
    assert want is not None
    assert len(got) == len(want) == 4 * N + 1
    assert list(got.keys()) == list(want.keys())
    assert all(str(got[k]) == str(want[k]) for k in want.keys())          # numbers by repr, errors by code
    assert got["Tape!D3"] == 1001 * 0.05 / 12
    assert got["Tape!E3"] == 1001 / 12
    assert got["Tape!F3"] == 87.59
    assert got["Tape!G3"] == (1001 * 0.05 / 12) / 1000
    assert got["Tape!E2"] == 0                                          # term 0: IF's else
    # the whole pipeline: calc takes the fast path, and the --out copy keeps the shared formulas
    v = calc.calculate(shared, progress=False)
    assert isinstance(v, _columnar.ColumnValues)
    out = os.path.join(tmp_path, "out.xlsx")
    calc.recalc_to(shared, out, progress=False)
    from openpyxl import load_workbook
    ws = load_workbook(out, data_only=True)["Tape"]
    assert ws["F3"].value == 87.59 and ws[f"D{N + 1}"].value == pytest.approx((999 + N) * 0.05 / 12, rel=1e-15)
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b't="shared"') == 4 * N


def test_shared_formulas_agree_with_the_ordinary_path(tmp_path, monkeypatch):
    """openpyxl expands shared formulas for the ordinary path itself (its own translator): both paths
    must give the same value in every cell."""
    plain = os.path.join(tmp_path, "plain.xlsx")
    shared = os.path.join(tmp_path, "shared.xlsx")
    _plain(plain)
    _to_shared(plain, shared, cols="DF")           # two shared columns, E and G plain
    fast = calc.calculate(shared, progress=False)
    assert isinstance(fast, _columnar.ColumnValues)
    monkeypatch.setattr(_columnar, "MIN_FORMULAS", 10 ** 12)
    slow = calc.calculate(shared, progress=False)
    assert not isinstance(slow, _columnar.ColumnValues)
    assert set(fast.keys()) == set(slow.keys())
    for k in slow.keys():
        a, b = fast[k], slow[k]
        assert str(a) == str(b) if not isinstance(b, (int, float)) else float(a) == float(b), k


def test_a_shared_formula_filled_across_columns_goes_to_the_ordinary_path(tmp_path):
    """Column offsets are not modelled: the fast path declines and the ordinary path computes E2 as
    D2's formula moved one column right, B2*C2/12 = 0.05*0/12 = 0 (ECMA-376 18.3.1.40)."""
    plain = os.path.join(tmp_path, "plain.xlsx")
    shared = os.path.join(tmp_path, "shared.xlsx")
    _plain(plain)
    _to_shared(plain, shared, across=True)
    assert _columnar.calculate(shared) is None
    assert "across columns" in _columnar.LAST_REASON
    v = calc.calculate(shared, progress=False)
    assert not isinstance(v, _columnar.ColumnValues)
    assert v["Tape!E2"] == 0 and v["Tape!D2"] == 1000 * 0.05 / 12


def test_excel_saved_shared_formulas_are_read(tmp_path):
    """tests/conformance/workbooks/koala/tests__files__SharedFormula.xlsx, saved by Microsoft Excel:
    B2:B4 share ``A2 * 2`` down a column and E2:G2 share a formula across a row.  The scanner reads
    Excel's XML; the row-wise group declines (column offsets), so the workbook is the ordinary path's."""
    path = os.path.join(os.path.dirname(__file__), "conformance", "workbooks", "koala",
                        "tests__files__SharedFormula.xlsx")
    assert _columnar.calculate(path, min_formulas=1) is None
    assert "across columns" in _columnar.LAST_REASON


def test_excel_saved_shared_column_gives_excels_cached_values(tmp_path):
    """The same Excel-saved workbook with every formula cell removed except Sheet1!B1:B4 (B1 ``A1 * 2``,
    B2:B4 Excel's shared formula ``A2 * 2``): the fast path takes it and gives the values Excel cached,
    4, 6.4646 and 8 (A2:A4 = 2, 3.2323, 4)."""
    src = os.path.join(os.path.dirname(__file__), "conformance", "workbooks", "koala",
                       "tests__files__SharedFormula.xlsx")
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    cached = {}
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        xml = parts[name].decode()
        keep = name.endswith("sheet1.xml")
        if keep:
            cached = {m.group(1): float(m.group(2)) for m in
                      re.finditer(r'<c r="(B[2-4])"><f[^>]*>[^<]*(?:</f>)?<v>([^<]*)</v>', xml)}
        parts[name] = re.sub(r'<c r="(?!B[1-4]")[A-Z]+\d+"[^>]*>(?:(?!</c>).)*?<f.*?</c>' if keep
                             else r'<c r="[A-Z]+\d+"[^>]*>(?:(?!</c>).)*?<f.*?</c>', "", xml).encode()
    path = os.path.join(tmp_path, "k.xlsx")
    with zipfile.ZipFile(path, "w") as out:
        for n, data in parts.items():
            out.writestr(n, data)
    assert cached == {"B2": 4.0, "B3": 6.4646, "B4": 8.0}
    v = _columnar.calculate(path, min_formulas=1)
    assert v is not None, _columnar.LAST_REASON
    sheet = next(k for k in v.keys() if k.endswith("!B2")).rsplit("!", 1)[0]
    for ref, x in cached.items():
        assert v[f"{sheet}!{ref}"] == pytest.approx(x, rel=1e-15), ref
