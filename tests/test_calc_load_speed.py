"""The load-speed paths of the headless engine (issue 21: "Speed and memory") give the values the
general path gives.

- Ranges holding only values become one node carrying their values (mbsxl/excel/_pycel_speed.py
  ``install_value_ranges``); a range overlapping an array formula's cells or a refused formula keeps
  pycel's per-cell nodes.  Expected values are worked by hand in the comments.
- ``formulas``' function modules that import scipy.stats are loaded only when a formula needs one of
  their functions (mbsxl/excel/_allowlist.py ``FORMULAS_SLOW``).
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from mbsxl.excel.calc import calculate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, (a, b, label) in enumerate([(1, 10, "x"), (2, 20, "y"), (3, 30, "x"), (4, 40, "y")], start=2):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
        ws.cell(r, 3, label)
    ws["A1"], ws["B1"], ws["C1"] = "a", "b", "label"
    ws["E2"] = ArrayFormula("E2:E5", "=A2:A5*2")          # array cells: 2, 4, 6, 8
    ws["G2"] = "=SUM(A2:A5)"                              # 1+2+3+4 = 10, a values-only range
    ws["G3"] = '=SUMIFS(B2:B5,C2:C5,"x")'                 # 10+30 = 40 (rows labelled x)
    ws["G4"] = "=SUM(E2:E5)"                              # 2+4+6+8 = 20, the array formula's cells
    ws["G5"] = "=SUM(A2:B3)"                              # 1+10+2+20 = 33
    ws["G6"] = "=COUNTA(A1:C5)"                           # 3 headers + 12 values = 15
    ws["H2"] = "=A2+1"                                    # 2
    ws["H3"] = "=SUM(H2:H2,A2:A3)"                        # 2 + 1 + 2 = 5, a range holding a formula
    ws["J2"] = '=WEBSERVICE("http://example.invalid")'    # refused (reaches outside the workbook)
    ws["J3"] = 7
    ws["K2"] = "=SUM(J2:J3)"                              # an error from the refused cell, with its reason
    p = tmp_path / "book.xlsx"
    wb.save(p)
    return p


def test_value_ranges_array_ranges_and_formula_ranges(tmp_path):
    v = calculate(_book(tmp_path), progress=False)
    assert v["Data!G2"] == 10
    assert v["Data!G3"] == 40
    assert v["Data!G4"] == 20
    assert v["Data!G5"] == 33
    assert v["Data!G6"] == 15
    assert v["Data!H3"] == 5
    assert [v[f"Data!E{r}"] for r in range(2, 6)] == [2, 4, 6, 8]


def test_range_over_a_refused_formula_names_the_reason(tmp_path):
    v = calculate(_book(tmp_path), progress=False)
    assert str(v["Data!K2"]).startswith("#")
    assert "J2" in v.errors["Data!K2"] and "WEBSERVICE" in v.errors["Data!K2"].upper()


def test_overrides_reach_value_ranges(tmp_path):
    # --set Data!A3=100: SUM(A2:A5) = 1+100+3+4 = 108
    v = calculate(_book(tmp_path), sets={"Data!A3": 100}, progress=False)
    assert v["Data!G2"] == 108


def test_fast_formulas_table_is_exact():
    """No function of formulas' fast modules is also defined by the slow ones (formulas.get_functions
    would take the slow module's); the fast table's functions are get_functions' own."""
    pytest.importorskip("formulas")
    from formulas import functions as F
    from mbsxl.excel._allowlist import FORMULAS_SLOW, formulas_table
    fast = formulas_table(False)
    slow = set()
    for m in FORMULAS_SLOW:
        slow |= set(importlib.import_module(m, F.__name__).FUNCTIONS)
    assert fast and slow
    assert not set(fast) & slow
    full = formulas_table(True)
    assert all(full[k] is fast[k] for k in fast)


def test_pmt_without_scipy_stats(tmp_path):
    """PMT comes from formulas' financial module without importing scipy.stats.  A 100,000 loan at 6 %
    a year over 30 years pays 599.55 a month (the standard amortization example:
    P = L r / (1 - (1+r)^-n), r = 0.005, n = 360; Excel's PMT(0.005,360,100000) = -599.55)."""
    pytest.importorskip("formulas")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=PMT(0.06/12,360,100000)"
    p = tmp_path / "pmt.xlsx"
    wb.save(p)
    code = ("import sys; from mbsxl.excel.calc import calculate; "
            f"v = calculate({str(p)!r}, progress=False); "
            "print(round(v['Sheet!A1'], 2), 'scipy.stats' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["-599.55", "False"]
