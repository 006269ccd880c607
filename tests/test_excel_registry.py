"""The registry is the single source: every function described (< 255 characters, Excel's limit for
Function Wizard texts), wrappers' parameters match the registry, xlwings functions are generated with
the same signatures, docs/FUNCTIONS.md is current, and the CLI prints the catalogue and calculates."""
import inspect
import json
import os
import re
import subprocess
import sys

import openpyxl
import pytest

from mbsxl.excel import udfs
from mbsxl.excel.dispatch import check_wrapper
from mbsxl.excel.registry import KINDS, RETURNS, functions, reference_markdown

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FNS = functions()


def test_core_functions_are_registered():
    for name in ("MBS_SMM", "MBS_CPR", "MBS_PSA", "MBS_MDR", "MBS_CDR", "MBS_SDA", "MBS_CASHFLOWS",
                 "MBS_LOANCASHFLOWS", "MBS_VERSION", "MBS_ERROR"):
        assert name in FNS


@pytest.mark.parametrize("name", sorted(FNS))
def test_described(name):
    f = FNS[name]
    assert f.category == "MBS" and f.returns in RETURNS
    assert f.description.strip() and len(f.description) < 255
    for a in f.args:
        assert a.doc.strip() and len(a.doc) < 255, (name, a.name)
        assert a.kind in KINDS
        assert a.name.isidentifier() and a.name.lower() not in udfs.VBA_RESERVED, (name, a.name)
    check_wrapper(f)


@pytest.mark.parametrize("name", sorted(FNS))
def test_xlwings_functions_mirror_the_registry(name):
    f, g = FNS[name], getattr(udfs, name)
    params = list(inspect.signature(g).parameters)
    assert params[:-1] == [a.name + ("_" if a.name in ("lambda", "class") else "") for a in f.args]
    assert params[-1] == "caller"                   # xlwings' reserved argument, hidden from Excel
    assert g.__doc__ == f.description


def test_reference_is_current():
    with open(os.path.join(ROOT, "docs", "FUNCTIONS.md"), encoding="utf-8") as fh:
        assert fh.read() == reference_markdown(), "regenerate: mbsxl functions --markdown > docs/FUNCTIONS.md"


def _mbsxl(*args):
    return subprocess.run([sys.executable, "-m", "mbsxl", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_functions_json():
    r = _mbsxl("functions", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [d["name"] for d in doc] == sorted(FNS)
    smm = next(d for d in doc if d["name"] == "MBS_SMM")
    assert smm["args"][0]["name"] == "cpr" and smm["category"] == "MBS"


def test_cli_calc_json(tmp_path):
    path = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "In"
    ws["A1"], ws["B1"], ws["B2"], ws["B3"] = 0.06, "=MBS_SMM(A1)", "=MBS_CASHFLOWS(1000000,A2,360)", "=B2+1"
    ws["A2"] = 8
    wb.save(path)
    r = _mbsxl("calc", str(path), "--json", "--set", "In!A1=25%")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert round(doc["In!B1"], 6) == 0.023688        # 1-(1-0.25)^(1/12), SF-5
    assert doc["In!B2"] == "#VALUE!" and doc["In!B3"] == "#VALUE!"
    assert doc["errors"]["In!B2"] == "MBS_CASHFLOWS: wac=8 looks like a percent; pass 0.08"
    assert "wac=8 looks like a percent" in r.stderr
    out = tmp_path / "out.xlsx"
    r = _mbsxl("calc", str(path), "--out", str(out), "--strict")
    assert r.returncode == 1 and out.exists()
    assert openpyxl.load_workbook(out, data_only=True)["In"]["B1"].value == pytest.approx(0.005143, abs=1e-6)
    r = _mbsxl("calc", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_readme_reference_matches_the_registry():
    """Issue 3: the README's function reference is generated from the registry and kept current."""
    from mbsxl.excel.registry import summary_markdown
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"<!-- functions:start -->\n(.*?)<!-- functions:end -->", text, re.S)
    assert block, "README.md lacks <!-- functions:start --> ... <!-- functions:end -->"
    assert block.group(1) == summary_markdown(), \
        "regenerate the README table: mbsxl functions --markdown --summary"
    for name in FNS:                                  # every function listed, linked to its argument table
        assert f"[`={name}(" in block.group(1) and f"(docs/FUNCTIONS.md#{name.lower()})" in block.group(1)
