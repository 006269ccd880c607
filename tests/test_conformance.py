"""Excel conformance of the headless engine (issue 21).

The expected values are Microsoft Excel's own: the values Excel computed and cached in the public test
workbooks of pycel, formulas, xlcalculator and koala (``tests/conformance/workbooks/``, sources and
licences in its SOURCES.md).  ``mbsxl calc`` must give Excel's value or an error whose reason says the
formula is not supported -- never a different value.  The whole-suite test is a ratchet on the figures
measured when it was written (README "Excel conformance"); the others pin single fixes on the corpus
cells that exposed them, compared with the value Excel cached in the same cell.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import pytest

pytest.importorskip("pycel")

from mbsxl.excel import conformance as cf  # noqa: E402
from mbsxl.excel.calc import calculate  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOKS = os.path.join(ROOT, "tests", "conformance", "workbooks")

# measured on the 86 workbooks (46,773 formula cells) when this test was written; raise them as the
# engine improves.  Before issue 21: 25,988 agreeing (55.6 %), 18,185 silent; then 43,016 (92.0 %) and
# 451 silent; refusing the uses that differed (mbsxl/excel/_patterns.py) traded 78 agreeing cells
# (uses the engine got right next to ones it got wrong) for 331 fewer silent differences, with
# BIN2DEC.. of empty text and SWITCH on an empty cell computed as Excel does: 42,938 agreeing
# (91.8 %), 120 silent; ISFORMULA of one cell written from the workbook: 42,954; the silent
# differences fixed or refused precisely (s6-silent: LOOKUP/MATCH binary search, array cells beyond
# their arrays, SLOPE/INTERCEPT, TREND/LINEST, DATE.., mbsxl/excel/_fix_*.py): 43,065 (92.1 %), 0 silent; the
# refused functions and uses computed (mbsxl/excel/_fn_*.py, tests/test_conformance_refused.py).

AGREE_MIN = 0.9918
SILENT_MAX = 0


def _book(rel):
    return os.path.join(BOOKS, rel)


def _check_cells(rel, keys):
    """Each cell's engine value classified against Excel's cached value: all must agree."""
    path = _book(rel)
    cached = cf._cached(path)
    values = calculate(path, progress=False)
    bad = []
    for key in keys:
        excel, etype = cached[key]
        mine = values[key]
        reason = values.errors.get(key, "") if isinstance(mine, CalcError) else ""
        if cf.classify(mine, excel, etype, reason) != "agree":
            bad.append(f"{key}: Excel {excel!r}, mbsxl {mine!r} {reason}")
    assert not bad, bad


def test_corpus_is_excel_saved_with_sources():
    files = cf.corpus_files()
    assert len(files) == 86
    sources = open(os.path.join(BOOKS, "SOURCES.md"), encoding="utf-8").read()
    for f in files:
        with zipfile.ZipFile(f) as z:
            app = z.read("docProps/app.xml").decode("utf-8", "replace")
        assert "<Application>Microsoft" in app, f
        assert os.path.basename(f).replace("__", "/") in sources.replace("`", ""), f
    for proj, lic in (("pycel", "LICENSE.txt"), ("formulas", "LICENSE.txt"), ("koala", "LICENSE.txt"),
                      ("xlcalculator", "LICENSE")):
        assert os.path.exists(os.path.join(BOOKS, proj, lic))


def test_classify_follows_the_rule():
    # numbers 1e-9 relative, booleans as booleans, errors by type, an unexplained error is silent
    assert cf.classify(1.0 + 5e-10, 1.0, "n", "") == "agree"
    assert cf.classify(1.0 + 5e-9, 1.0, "n", "") == "silent"
    assert cf.classify(1, True, "b", "") == "silent"
    assert cf.classify(CalcError("#N/A", ""), "#N/A", "e", "") == "agree"
    assert cf.classify(CalcError("#VALUE!", ""), 3, "n", "") == "silent"
    assert cf.classify(CalcError("#NAME?", "unsupported: X"), 3, "n", "unsupported: X") == "refused"


def test_implicit_intersection_of_ranges_and_names():
    # koala basic_evaluation: =Liste*100 +B2:B4 in row 2 (Liste names B2:B4); Excel intersects each
    # range with the formula's row (220, not the first row's 120)
    path = "koala/tests__ast__basic_evaluation.xlsx"
    keys = [k for k, f in cf._formulas(_book(path)).items() if re.match(r"^=Liste\d? ?[+*]", f)]
    assert len(keys) >= 8
    _check_cells(path, keys)


def test_offset_and_indirect_ranges():
    # koala: =SUM(OFFSET(A22:B23,1,0,2,1)) is 17 in Excel (was 0); pycel lookup fixture: OFFSET as an
    # array formula over a range of cells
    _check_cells("koala/tests__ast__basic_evaluation.xlsx", ["Sheet1!F26"])
    _check_cells("pycel/tests__fixtures__lookup.xlsx", ["Offset!F17", "Offset!F18", "Offset!F21", "Offset!G22"])


def test_rows_columns_areas_if_xor_switch():
    # formulas test.xlsx LOOKUP!R4 =AREAS(C4:F4), R15 =COLUMNS(C15:F15), R115 =ROWS(C114:F115);
    # pycel logical fixture G26 =IF(0,A26) (FALSE, not 0), H10 =XOR(A10:A11) (TRUE, not 1), SWITCH
    _check_cells("formulas/test__test_files__test.xlsx", ["LOOKUP!R4", "LOOKUP!R15", "LOOKUP!R115"])
    cells = cf._formulas(_book("pycel/tests__fixtures__logical.xlsx"))
    switch = [k for k, f in cells.items() if "SWITCH" in f.upper()][:12]
    assert switch
    _check_cells("pycel/tests__fixtures__logical.xlsx", ["Logical!G26", "Logical!H10"] + switch)


def test_empty_text_in_base_conversions_and_switch():
    # xlcalculator BASES.xlsx sheet non-numeric: BIN2DEC/OCT2HEX... of a cell holding ="" are 0 / "0"
    # in Excel (were #NUM!); pycel logical.xlsx Switch!C38/C40: SWITCH(<empty>, "", "match") is #N/A
    path = _book("xlcalculator/tests__resources__BASES.xlsx")
    keys = [k for k in cf._formulas(path) if k.startswith("non-numeric!") and k.endswith("3") and k[-2].isalpha()]
    assert len(keys) >= 9
    _check_cells("xlcalculator/tests__resources__BASES.xlsx", keys)
    _check_cells("pycel/tests__fixtures__logical.xlsx", ["Switch!C36", "Switch!C37", "Switch!C38", "Switch!C40",
                                                         "Switch!C41"])


def test_refused_patterns_name_the_use():
    # formulas test.xlsx: array formulas of scalar functions over ranges (LOGICAL!AH20:AW20 =NOT(C20:Q20)),
    # SUM of text literals (CORE!H14 =SUM("2","4",Q8:Q9) is 6 in Excel), TYPE of an empty cell
    # (INFORMATION!W24 is 1 in Excel): each is Excel's value or an error whose reason says unsupported
    path = _book("formulas/test__test_files__test.xlsx")
    cached = cf._cached(path)
    values = calculate(path, progress=False)
    for key in ("LOGICAL!AH20", "LOGICAL!AW20", "CORE!H14", "CORE!I14", "INFORMATION!W24", "EXTRA!A4"):
        mine = values[key]
        reason = values.errors.get(key, "") if isinstance(mine, CalcError) else ""
        kind = cf.classify(mine, *cached[key], reason)
        assert kind in ("agree", "refused"), (key, mine, cached[key])
        if kind == "refused":
            assert reason.startswith("unsupported: "), reason


def test_isformula_of_one_cell():
    # formulas test.xlsx INFORMATION!R10:AF10 =ISFORMULA(C10) ... =ISFORMULA(Q10): Excel's TRUE/FALSE
    # (the engine passes values, so ISFORMULA of one cell is written from the workbook before compiling)
    path = "formulas/test__test_files__test.xlsx"
    keys = [k for k, f in cf._formulas(_book(path)).items()
            if re.fullmatch(r"=_xlfn\.ISFORMULA\([A-Z]+\d+\)", f) and k.startswith("INFORMATION!")]
    assert len(keys) >= 15
    _check_cells(path, keys)


def test_dec2bin_places():
    # xlcalculator BASES.xlsx, sheet "places": DEC2BIN/OCT/HEX with places 0..11, negative numbers
    path = _book("xlcalculator/tests__resources__BASES.xlsx")
    keys = [k for k, f in cf._formulas(path).items() if k.startswith("places!") and "DEC2" in f.upper()]
    assert len(keys) > 50
    _check_cells("xlcalculator/tests__resources__BASES.xlsx", keys)


def test_empty_cells_in_an_array_formula_are_zero():
    # xlcalculator reader.xlsm: {=First!1:1} over A1:XFD1 shows 0 in every empty column (16,381 cells)
    _check_cells("xlcalculator/tests__resources__reader.xlsm", ["Eleventh!A1", "Eleventh!D1", "Eleventh!XFD1"])


def test_numbers_beyond_excels_range_are_num_and_out_does_not_crash(tmp_path):
    # Excel's largest number is 1.7976931348623158E+308 ("Excel specifications and limits"); beyond
    # it a formula is #NUM!
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=10^400"
    ws["A2"] = "=1E+308*10"
    ws["A3"] = "=2^10"
    src = tmp_path / "big.xlsx"
    wb.save(src)
    out = tmp_path / "big_out.xlsx"
    p = subprocess.run([sys.executable, "-m", "mbsxl", "calc", str(src), "--out", str(out)], capture_output=True,
                       text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, timeout=300)
    assert p.returncode in (0, 1), p.stderr
    assert "OverflowError" not in p.stderr
    v = calculate(src, progress=False)
    assert v["Sheet!A1"] == "#NUM!" and v["Sheet!A2"] == "#NUM!" and v["Sheet!A3"] == 1024
    assert out.exists()


def test_iterative_calculation_when_the_workbook_asks_for_it():
    # pycel circular.xlsx: calcPr iterate="1" iterateCount="10000" iterateDelta="0.01"; Excel's cached
    # values of the loop's cells
    path = "pycel/tests__fixtures__circular.xlsx"
    _check_cells(path, list(cf._formulas(_book(path))))


def test_circular_reference_is_named_the_same_on_every_run():
    # formulas circular.xlsx has no iterate setting: the loop's cells are errors naming the loop
    path = _book("formulas/test__test_files__circular.xlsx")
    runs = []
    for _ in range(2):
        code = ("import sys, json; from mbsxl.excel.calc import calculate; v = calculate(sys.argv[1], progress=False);"
                "print(json.dumps(v.errors, sort_keys=True))")
        p = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": ROOT, "PYTHONHASHSEED": "random"}, timeout=300)
        assert p.returncode == 0, p.stderr
        runs.append(p.stdout)
    assert runs[0] == runs[1]
    v = calculate(path, progress=False)
    assert "circular reference: DATA!B3 -> DATA!C3 -> DATA!B3" in v.errors["DATA!C3"]


def test_whole_suite_agreement_and_no_new_silent_differences():
    rep = cf.run(jobs=2)                 # two workbooks at a time: the suite fits CI's 3 minutes
    t = rep.totals()
    print(rep.markdown(worst=15))
    assert t["cells"] == 46_773
    assert t["agree"] / t["cells"] >= AGREE_MIN, t
    assert t["silent"] <= SILENT_MAX, t
