"""The evaluator interface of ``mbsxl/excel/engine.py`` (issue 21, item 2): the pycel engine's steps give
what :func:`mbsxl.excel.calc.calculate` (``mbsxl calc``) gives.

Figures: a workbook built here whose expected values are worked by hand in the comments, from the
SMM of a CPR (SIFMA Standard Formulas SF-4: SMM = 1 - (1 - CPR)^(1/12); 1 - 0.94^(1/12) = 0.0051430...)."""
from __future__ import annotations

import math

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("pycel")

from mbsxl.excel import calc  # noqa: E402
from mbsxl.excel.engine import ENGINES, Engine, PycelEngine, get_engine  # noqa: E402
from mbsxl.excel.limits import LimitExceeded, Limits  # noqa: E402


def _book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "In"
    ws["A1"] = 0.06                      # CPR 6 %
    ws["B1"] = "=MBS_SMM(A1)"            # SF-4: 1 - 0.94^(1/12) = 0.005143...
    ws["C1"] = "=$B$1*12"                # an absolute reference, copied down
    ws["C2"] = "=$B$1*12"
    ws["D1"] = "=A1*2"                   # 0.12
    ws["D2"] = "=A2*2"                   # A2 empty: 0
    wb.save(path)
    return path


def test_steps_give_what_calculate_gives(tmp_path):
    path = _book(tmp_path / "b.xlsx")
    eng = get_engine("pycel")
    assert isinstance(eng, PycelEngine) and isinstance(eng, Engine)
    eng.load(path)
    eng.register()
    eng.evaluate()
    v = eng.values()
    smm = 1 - 0.94 ** (1 / 12)                                     # SF-4
    assert math.isclose(v["In!B1"], smm, rel_tol=1e-12)
    assert math.isclose(v["In!C1"], 12 * smm, rel_tol=1e-12) and v["In!C2"] == v["In!C1"]
    assert v["In!D1"] == pytest.approx(0.12) and v["In!D2"] == 0
    assert dict(calc.calculate(path, progress=False)) == dict(v)
    assert set(v.seconds) == {"load", "calc", "total"}


def test_sets_and_limits_reach_the_engine(tmp_path):
    path = _book(tmp_path / "b.xlsx")
    v = get_engine("pycel").run(path, sets={"In!A1": 0.12})       # 1 - 0.88^(1/12)
    assert math.isclose(v["In!B1"], 1 - 0.88 ** (1 / 12), rel_tol=1e-12)
    with pytest.raises(LimitExceeded):
        get_engine("pycel", Limits(max_cells=2)).run(path)        # the load limit holds in the engine


def test_unknown_engine_is_named():
    with pytest.raises(ValueError, match="engine='excel' is not one of pycel, formualizer"):
        get_engine("excel")
    assert set(ENGINES) == {"pycel", "formualizer"}


def test_formualizer_engine_same_interface(tmp_path):
    pytest.importorskip("formualizer")
    path = _book(tmp_path / "b.xlsx")
    v = get_engine("formualizer").run(path)
    assert math.isclose(v["In!B1"], 1 - 0.94 ** (1 / 12), rel_tol=1e-12)
    assert v["In!D1"] == pytest.approx(0.12)


def test_copied_formulas_with_absolute_references(tmp_path):
    """Formulas copied down and across with absolute, mixed and relative references (issue 21: their
    compiled code is shared by shape): each cell gets its own addresses.  A = row number, B1 = 2, and
    row 1 holds 10 x column number, so by hand: C = 2 x r, D = r + 10 x 1 (=$A r + A$1 with A1 = 1,
    i.e. r + 1), E = B1 x r summed with the row's own A."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["B1"] = 2
    for r in range(1, 41):
        ws[f"A{r}"] = r
        ws[f"C{r}"] = f"=$B$1*A{r}"                  # 2r
        ws[f"D{r}"] = f"=$A{r}+A$1"                  # r + 1
        ws[f"E{r}"] = f"=SUM($A$1:A{r})*$B$1"        # 2 x r(r+1)/2 = r(r+1)
        ws[f"F{r}"] = f"=$B$1+$B$1*A{r}"             # 2 + 2r
    path = tmp_path / "abs.xlsx"
    wb.save(path)
    v = calc.calculate(path, progress=False)
    for r in range(1, 41):
        assert v[f"S!C{r}"] == 2 * r
        assert v[f"S!D{r}"] == r + 1
        assert v[f"S!E{r}"] == r * (r + 1)
        assert v[f"S!F{r}"] == 2 + 2 * r
