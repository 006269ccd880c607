"""The columnar fast path of ``mbsxl calc`` (issue 21) against the ordinary (pycel) path.

Property: a random small tape (numbers, blanks, booleans, text and error values in four input columns)
with random formulas from the subset the fast path models, copied down every row, plus summary cells
over whole columns, gives exactly the ordinary path's value in every formula cell whenever the fast path
takes the workbook (numbers equal as doubles, booleans as booleans, errors by code).  The reference
values are the ordinary path's, itself checked against the values Microsoft Excel cached in the
conformance workbooks (``tests/conformance``); the hand-worked cases cite Excel's documented rules.
"""
from __future__ import annotations

import math
import os
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

from mbsxl.excel import _columnar, calc  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402

ROWS = 12


def _ordinary(path, monkeypatch):
    monkeypatch.setattr(_columnar, "MIN_FORMULAS", 10 ** 12)
    try:
        return calc.calculate(path, progress=False)
    finally:
        monkeypatch.undo()


def _same(a, b) -> bool:
    if isinstance(a, CalcError) or isinstance(b, CalcError):
        return isinstance(a, CalcError) and isinstance(b, CalcError) and str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if a is None:
        a = 0.0
    if b is None:
        b = 0.0
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    return a == b


def _write(path, inputs, formulas, summary):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Tape"
    ws.append(["a", "b", "c", "d"])
    for i, row in enumerate(inputs):
        for j, v in enumerate(row):
            if v is None:
                continue
            cell = ws.cell(i + 2, j + 1)
            if isinstance(v, str) and v.startswith("#"):
                cell.value = v
                cell.data_type = "e"
            else:
                cell.value = v
    for k, f in enumerate(formulas):
        for i in range(len(inputs)):
            ws.cell(i + 2, 5 + k).value = "=" + f.format(r=i + 2)
    for k, f in enumerate(summary):
        ws.cell(2 + k, 12).value = "=" + f.format(last=len(inputs) + 1)
    wb.save(path)


numbers = st.one_of(
    st.integers(-5, 400),
    st.sampled_from([0.0, 1.005, 2.675, -2.5, 0.125, 1e-9, 1234567.891, -0.5, 0.1, 0.3, 1e300, 2.5e-5]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)))
# mostly numbers: text in arithmetic is not modelled (the whole workbook then goes to the ordinary path)
cells = st.one_of(*[numbers] * 12, st.none(), st.none(), st.booleans(), st.just("text"),
                  st.sampled_from(["#DIV/0!", "#N/A", "#VALUE!"]))


def _exprs(cols):
    refs = st.sampled_from([f"{c}{{r}}" for c in cols] + ["$A$2", "B$3"])
    lits = st.sampled_from(["0", "1", "2", "12", "0.5", "-3", "100", "TRUE", "FALSE", "1E+308"])
    leaf = st.one_of(refs, refs, lits)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "=", "<>", "<", ">", "<=", ">="]), inner)
            .map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            inner.map(lambda x: f"-{x}"),
            inner.map(lambda x: f"{x}%"),
            st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]},{t[1]},{t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"IF({t[0]},{t[1]})"),
            st.tuples(st.sampled_from(["AND", "OR"]), inner, inner).map(lambda t: f"{t[0]}({t[1]},{t[2]})"),
            inner.map(lambda x: f"NOT({x})"),
            st.tuples(st.sampled_from(["ROUND", "ROUNDUP", "ROUNDDOWN"]), inner, st.integers(0, 4))
            .map(lambda t: f"{t[0]}({t[1]},{t[2]})"),
            inner.map(lambda x: f"ABS({x})"),
            st.tuples(st.sampled_from(["MIN", "MAX", "SUM"]), inner, inner).map(lambda t: f"{t[0]}({t[1]},{t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"IFERROR({t[0]},{t[1]})"),
            st.tuples(st.sampled_from(["ISBLANK", "ISNUMBER", "ISERROR", "ISTEXT"]), refs)
            .map(lambda t: f"{t[0]}({t[1]})"),
        )
    return st.recursive(leaf, extend, max_leaves=6)


SUMMARY = st.lists(st.sampled_from([
    "SUM(E2:E{last})", "AVERAGE(A2:A{last})", "COUNT(B2:B{last})", 'COUNTIF(C2:C{last},">1")',
    "MAX(F2:F{last})", "MIN(E2:F{last})", "SUMPRODUCT(A2:A{last},B2:B{last})", "SUM(E2:E{last})+SUM(F2:F{last})/2",
    "COUNTIF(A2:A{last},3)", "SUMPRODUCT(E2:E{last},A2:A{last})/SUM(A2:A{last})"]), min_size=1, max_size=4)


@st.composite
def tapes(draw):
    inputs = draw(st.lists(st.tuples(cells, cells, numbers, cells), min_size=ROWS, max_size=ROWS))
    f1 = draw(_exprs(["A", "B", "C", "D"]))
    f2 = draw(_exprs(["A", "B", "C", "D", "E"]))
    f3 = draw(_exprs(["A", "C", "E", "F"]))
    return inputs, [f1, f2, f3], draw(SUMMARY)


TAKEN = {"fast": 0, "ordinary": 0}
REASONS: dict = {}


@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(tapes())
def test_random_tapes_agree_with_the_ordinary_path(tmp_path, monkeypatch, tape):
    inputs, formulas, summary = tape
    path = os.path.join(tmp_path, "tape.xlsx")
    _write(path, inputs, formulas, summary)
    fast = _columnar.calculate(path, min_formulas=1)
    if fast is None:
        TAKEN["ordinary"] += 1
        REASONS[_columnar.LAST_REASON] = REASONS.get(_columnar.LAST_REASON, 0) + 1
        return
    TAKEN["fast"] += 1
    want = _ordinary(path, monkeypatch)
    assert set(want) == set(fast.keys()), (formulas, summary)
    bad = [(k, want[k], fast[k]) for k in want if not _same(want[k], fast[k])]
    assert not bad, (formulas, summary, bad[:5])
    assert {k for k, v in want.items() if isinstance(v, CalcError)} == set(fast.errors)


def test_the_property_exercised_the_fast_path():
    """The random tapes above must mostly be taken by the fast path, or the property says little."""
    if TAKEN["fast"] + TAKEN["ordinary"] == 0:
        pytest.skip("run with the property test")
    assert TAKEN["fast"] >= 10, (TAKEN, REASONS)


def _tape(path, n=3000):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tape")
    ws.write_row(0, 0, ["bal", "rate", "term"])
    for i in range(n):
        r = i + 2
        ws.write_row(i + 1, 0, [1000.0 + i, 0.05, (i % 5) * 12])
        ws.write_formula(i + 1, 3, f"=A{r}*B{r}/12", None, -1)
        ws.write_formula(i + 1, 4, f"=IF(C{r}>0,A{r}/C{r},0)", None, -1)
        ws.write_formula(i + 1, 5, f"=ROUND(D{r}+E{r},2)", None, -1)
        ws.write_formula(i + 1, 6, f"=A{r}/C{r}", None, -1)
    ws.write_formula(0, 8, f"=SUM(F2:F{n + 1})", None, -1)
    ws.write_formula(1, 8, f"=COUNTIF(C2:C{n + 1},\">0\")", None, -1)
    wb.close()


def test_a_tape_by_hand(tmp_path):
    """Hand-worked: row 2 has bal 1000, rate 5 %, term 0: interest 1000*0.05/12 = 4.1666..., principal
    0 (IF's else), payment ROUND(4.1666..+0, 2) = 4.17 (half away from zero), 1000/0 = #DIV/0!
    (Excel's error for a division by zero).  COUNTIF(">0") counts the 4 rows in 5 with term > 0."""
    path = os.path.join(tmp_path, "t.xlsx")
    _tape(path)
    v = _columnar.calculate(path)
    assert v is not None
    assert v["Tape!D2"] == 1000 * 0.05 / 12
    assert v["Tape!E2"] == 0 and v["Tape!F2"] == 4.17
    assert str(v["Tape!G2"]) == "#DIV/0!" and "Tape!G2" in v.errors
    assert v["Tape!E3"] == 1001.0 / 12
    assert v["Tape!I2"] == 2400.0
    assert len(v) == 3000 * 4 + 2


def test_out_copy_is_streamed_and_keeps_the_rules(tmp_path):
    """The --out copy carries the computed values (the stale -1 replaced), drops fullCalcOnLoad and
    keeps only understood parts (the rules of mbsxl.excel._xlsxvalues)."""
    from openpyxl import load_workbook
    path = os.path.join(tmp_path, "t.xlsx")
    _tape(path)
    out = os.path.join(tmp_path, "o.xlsx")
    values = calc.recalc_to(path, out, progress=False)
    assert isinstance(values, _columnar.ColumnValues)
    wb = load_workbook(out, data_only=True)
    ws = wb["Tape"]
    assert ws["F2"].value == 4.17 and ws["G2"].value == "#DIV/0!" and ws["I2"].value == 2400
    assert ws["D3001"].value == pytest.approx(3999 * 0.05 / 12, rel=1e-15)
    with zipfile.ZipFile(out) as z:
        assert b"fullCalcOnLoad" not in z.read("xl/workbook.xml")
    wbf = load_workbook(out)
    assert wbf["Tape"]["F2"].value == "=ROUND(D2+E2,2)"


def test_unsupported_goes_to_the_ordinary_path(tmp_path):
    """A running balance (a column reading itself) and text concatenation are not modelled: the fast
    path declines and the ordinary path computes the workbook."""
    import xlsxwriter
    path = os.path.join(tmp_path, "run.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("T")
    ws.write(0, 0, 1.0)
    ws.write(0, 1, 1.0)
    for i in range(1, 50):
        ws.write(i, 0, 1.0)
        ws.write_formula(i, 1, f"=B{i}+A{i + 1}")
    wb.close()
    assert _columnar.calculate(path, min_formulas=1) is None
    v = calc.calculate(path, progress=False)
    assert v["T!B50"] == 50


def test_pickles_compactly(tmp_path):
    import pickle
    path = os.path.join(tmp_path, "t.xlsx")
    _tape(path)
    v = _columnar.calculate(path)
    w = pickle.loads(pickle.dumps(v))
    assert len(w) == len(v) and w["Tape!F2"] == 4.17 and w.errors == v.errors
    assert dict(list(w.items())[:3]) == dict(list(v.items())[:3])
    assert np.isclose(sum(x for x in w.values() if isinstance(x, float) and math.isfinite(x)),
                      sum(x for x in v.values() if isinstance(x, float) and math.isfinite(x)))


# ------------------------------------------------------------------ the limits hold on the fast path

def test_cell_and_size_limits_hold_while_streaming(tmp_path):
    """The load limits of mbsxl.excel.limits (--max-columnar-cells, the fast path's cell limit, and
    --max-unzipped-mb) stop a tape the fast path reads, with the flag named, as precheck does for the
    ordinary path."""
    from mbsxl.excel.limits import LimitExceeded, Limits
    path = os.path.join(tmp_path, "t.xlsx")
    _tape(path)
    with pytest.raises(LimitExceeded, match="--max-columnar-cells"):
        calc.calculate(path, progress=False, limits=Limits(max_columnar_cells=5000))
    with pytest.raises(LimitExceeded, match="--max-unzipped-mb"):
        calc.calculate(path, progress=False, limits=Limits(max_unzipped_mb=0.2))


def _rezip(src, dst, edit):
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = edit(info.filename, z.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
        extra = edit(None, None)
        for name, data in (extra or {}).items():
            out.writestr(name, data)


def test_a_dtd_in_a_sheet_is_refused(tmp_path):
    """An XML bomb's DTD inside a streamed sheet part is refused as precheck refuses it."""
    from mbsxl.excel.limits import LimitExceeded
    path = os.path.join(tmp_path, "t.xlsx")
    bomb = os.path.join(tmp_path, "bomb.xlsx")
    _tape(path)

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1)
        return data
    _rezip(path, bomb, edit)
    with pytest.raises(LimitExceeded, match="DTD"):
        calc.calculate(bomb, progress=False)


def test_out_copy_drops_traversal_names(tmp_path):
    """The streamed --out copy keeps only the parts the writer understands (no ../ names)."""
    path = os.path.join(tmp_path, "t.xlsx")
    evil = os.path.join(tmp_path, "evil.xlsx")
    _tape(path)
    _rezip(path, evil, lambda name, data: {"../../x": b"gotcha"} if name is None else data)
    out = os.path.join(tmp_path, "o.xlsx")
    values = calc.recalc_to(evil, out, progress=False)
    assert isinstance(values, _columnar.ColumnValues)
    with zipfile.ZipFile(out) as z:
        assert "../../x" not in z.namelist() and "xl/worksheets/sheet1.xml" in z.namelist()


def test_a_formula_over_the_length_limit_goes_to_the_ordinary_path(tmp_path):
    """--max-formula-chars: the fast path declines, so the ordinary path refuses that cell with its
    reason and computes the rest."""
    from mbsxl.excel.limits import Limits
    path = os.path.join(tmp_path, "t.xlsx")
    _tape(path, n=2100)
    lim = Limits(max_formula_chars=16)           # "=ROUND(D2+E2,2)" has 15 characters, the others fewer
    assert _columnar.calculate(path, limits=lim) is None
    v = calc.calculate(path, progress=False, limits=Limits(max_formula_chars=8192))
    assert isinstance(v, _columnar.ColumnValues)
