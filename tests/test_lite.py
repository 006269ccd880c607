"""``mbsxl lite``: the generated xlwings Lite ``main.py`` imports with xlwings' own Lite decorators and
with the packages Lite does not have blocked, and each function called through xlwings' Lite calling
path (``xlwings.server.custom_functions_call``, Office.js-shaped arguments) equals the analytics core.
The checks run in a child process (tests/_lite_child.py), one reported line per case.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from mbsxl.cli import main as cli_main
from mbsxl.excel import lite
from mbsxl.excel.registry import functions

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("lite")
    assert cli_main(["lite", "--out", str(out)]) == 0
    return out


TEMPLATES = ("jianyuan_2007_1_deal_review.xlsx", "jianyuan_2007_1_pool.xlsx", "prepayment_regression.xlsx",
             "modern_rmbs_review.xlsx", "npl_rmbs_review.xlsx")


def _serial(d):
    """Excel's 1900 serial of a date after 1900-03-01 (what Office.js passes for a date cell)."""
    import datetime as dt
    return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400.0


@pytest.fixture(scope="module")
def templates_json(tmp_path_factory):
    """The MBS_ formulas and stored values of the templates (the third has no MBS_ formula), as JSON."""
    import datetime as dt

    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula
    spec = {}
    for name in TEMPLATES:
        path = HERE.parent / "workbooks" / name
        wb, vals = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
        formulas, values = [], {}
        for ws in vals.worksheets:
            sheet = values.setdefault(ws.title, {})
            for row in ws.iter_rows():
                for c in row:
                    v = c.value
                    if v is None:
                        continue
                    if isinstance(v, dt.datetime):
                        v = _serial(v)
                    elif isinstance(v, str) and c.data_type == "e":
                        v = {"type": "Error", "basicValue": v}
                    sheet[f"{c.row},{c.column}"] = v
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    v = c.value
                    f = v.text if isinstance(v, ArrayFormula) else v
                    if isinstance(f, str) and f.startswith("=") and "MBS_" in f:
                        formulas.append({"sheet": ws.title, "cell": c.coordinate, "formula": f,
                                         "ref": v.ref if isinstance(v, ArrayFormula) else None})
        names = {n: d.attr_text.lstrip("=") for n, d in wb.defined_names.items()}    # Deal_table, Pool_WAC ...
        spec[name] = {"formulas": formulas, "values": values, "names": names}
    out = tmp_path_factory.mktemp("lite_templates") / "templates.json"
    out.write_text(json.dumps(spec), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def child(generated, templates_json):
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial",
               PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, str(HERE / "_lite_child.py"), str(generated / "main.py"),
                        str(templates_json)],
                       capture_output=True, text=True, env=env, timeout=600, cwd=str(generated))
    assert p.returncode == 0, p.stderr[-3000:]
    return {r["case"]: r for r in map(json.loads, p.stdout.splitlines())}


CASES = ["every registry function is a Lite function", "descriptions", "scalar from a cell", "row", "column",
         "block", "text number", "vector column", "vector row", "blank, omitted, boolean",
         "blank as JsNull", "column with trailing JsNull",
         "error cell (data type)", "error cell (text)", "bad input", "MBS_ERROR gives the reason", "date serial",
         "date serials, a column",
         "MBS_TRANCHES class_ from a cell", "MBS_TRANCHESTATS class_ from a cell", "MBS_REGRESS headers TRUE",
         "MBS_LOGIT headers TRUE", "MBS_ZSPREAD compounding from a cell", "MBS_OAS compounding from a cell",
         "no heavy package imported", "every registry function called"] + [
             f"template {t}" for t in TEMPLATES] + [f"{n} equals the core" for n in (
             "MBS_CPR", "MBS_MDR", "MBS_CDR", "MBS_PSA", "MBS_SDA", "MBS_PRICE", "MBS_YIELD", "MBS_DURATION",
             "MBS_CONVEXITY", "MBS_LOANCASHFLOWS", "MBS_STRAT", "MBS_POOLSUMMARY", "MBS_PREDICT", "MBS_VERSION",
             "MBS_HISTORY", "MBS_BACKTEST", "MBS_MORTGAGEFLOORS")]


@pytest.mark.parametrize("case", CASES)
def test_lite_call_path(child, case):
    assert case in child, sorted(child)
    assert child[case]["ok"], child[case]["detail"]


def test_files_written(generated):
    main = (generated / "main.py").read_text(encoding="utf-8")
    req = (generated / "requirements.txt").read_text(encoding="utf-8").split()
    # mbsxl is not on PyPI: the first line is the hosted wheel's URL, a placeholder to replace (issue 22)
    assert req[0] == lite.PLACEHOLDER_HOST + lite.wheel_name() and req[1:] == list(lite.PYODIDE_PACKAGES)
    fns = functions()
    assert main.count("\n@func") == len(fns)
    # ndim=2 exactly for the true ranges
    for f in fns.values():
        for a in f.args:
            line = next(line for line in main.splitlines() if line.startswith(f"@arg({a.name!r}, doc={a.doc!r}"))
            assert ("ndim=2" in line) == (a.kind in lite.RANGE_KINDS), (f.name, a.name)


def test_core_dependencies_only():
    """``pip install mbsxl`` without extras installs only the core's dependencies (pyproject.toml)."""
    import tomllib
    with open(HERE.parent / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    names = sorted(d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower()
                   for d in project["dependencies"])
    assert names == sorted(lite.PYODIDE_PACKAGES)
    assert "xlwings" in " ".join(project["optional-dependencies"]["excel"])
