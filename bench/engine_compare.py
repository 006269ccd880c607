"""Engine comparison (issue 21): today's pycel path of ``mbsxl calc`` against ``formualizer`` (a Rust
formula engine on PyPI that hosts Python functions), side by side on

- the Excel-conformance suite (``tests/conformance/workbooks``; every formula cell against the value
  Microsoft Excel cached): cells agreeing, errors where Excel has a value, and different values;
- the five template workbooks (``workbooks/*.xlsx``) with the MBS_ functions registered in formualizer
  through :func:`mbsxl.excel.dispatch.call` (the same conversion and errors as Excel's path): the
  time of load + calc as a whole process (median of ``--runs``, runs of the two engines interleaved),
  and how many formula cells equal the values stored in the template.

Run: ``/work/venv/bin/python bench/engine_compare.py [--runs 3] [--skip-conformance]``.  Needs
``pip install formualizer`` (the ``compare`` extra of ``pyproject.toml``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

_EPOCH = dt.datetime(1899, 12, 30)
_KINDS = {"div": "#DIV/0!", "num": "#NUM!", "value": "#VALUE!", "ref": "#REF!", "name": "#NAME?", "null": "#NULL!",
          "na": "#N/A", "n/a": "#N/A", "spill": "#SPILL!", "calc": "#CALC!"}


def _fz_value(v):
    """A formualizer value as the conformance comparison reads it (errors as their text, dates as
    Excel serial numbers, a 1x1 array as its value)."""
    from mbsxl.excel.errors import CalcError
    while isinstance(v, list) and len(v) == 1:
        v = v[0] if not isinstance(v[0], list) or len(v[0]) == 1 else v
        if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list):
            v = v[0]
    if isinstance(v, list):
        v = v[0][0] if v and isinstance(v[0], list) else (v[0] if v else None)
    if isinstance(v, dict) and v.get("type") == "Error":
        kind = str(v.get("kind", "")).lower()
        return CalcError(_KINDS.get(kind, "#VALUE!"), "")
    name = type(v).__name__
    if "Error" in name:
        text = str(getattr(v, "kind", v))
        code = next((c for c in ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!",
                                 "#CALC!") if c.strip("#!?/").replace("/", "").upper() in text.upper().replace("/", "")
                     or c in text), "#VALUE!")
        return CalcError(code, "")
    if isinstance(v, dt.datetime):
        return (v - _EPOCH).total_seconds() / 86400.0
    if isinstance(v, dt.date):
        return float((v - _EPOCH.date()).days)
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    if isinstance(v, str) and v.startswith("#") and v in ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!",
                                                          "#VALUE!", "#SPILL!", "#CALC!"):
        return CalcError(v, "")
    return v


def _register_mbs(wb):
    """Register every MBS_ function of the registry into a formualizer workbook."""
    import numpy as np
    from mbsxl.excel.dispatch import call
    from mbsxl.excel import errors as xe
    from mbsxl.excel.registry import functions

    def make(name):
        def f(*args):
            raw = [np.array(a, dtype=object) if isinstance(a, list) else a for a in args]
            r = call(name, *raw)
            if isinstance(r, xe.XlError):
                raise ValueError(f"{r}: {r.reason}")
            if isinstance(r, np.ndarray):
                r = r.tolist()
            return r
        return f

    for name, fn in functions().items():
        n = len(fn.args)
        req = sum(1 for a in fn.args if not a.optional)
        wb.register_function(name, make(name), min_args=req, max_args=n)


def fz_conformance():
    import formualizer as fz
    from mbsxl.excel import conformance as cf
    from openpyxl.utils.cell import coordinate_to_tuple
    from mbsxl.excel.errors import CalcError
    counts = {"cells": 0, "agree": 0, "error": 0, "different": 0, "failed_books": 0}
    t0 = time.perf_counter()
    for path in cf.corpus_files():
        cached = cf._cached(path)
        texts = cf._formulas(path)
        try:
            wb = fz.load_workbook(path)
            wb.evaluate_all()
        except Exception:  # noqa: BLE001
            wb = None
            counts["failed_books"] += 1
        for key, formula in texts.items():
            sheet, _, coord = key.rpartition("!")
            excel, etype = cached.get(key, (None, "n"))
            if wb is None:
                mine = CalcError("#VALUE!", "")
            else:
                try:
                    r, c = coordinate_to_tuple(coord)
                    mine = _fz_value(wb.get_value(sheet, r, c))
                except Exception:  # noqa: BLE001
                    mine = CalcError("#VALUE!", "")
            kind = cf.classify(mine, excel, etype, "")
            counts["cells"] += 1
            if kind == "agree":
                counts["agree"] += 1
            elif isinstance(mine, CalcError):
                counts["error"] += 1
            else:
                counts["different"] += 1
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def pycel_conformance():
    from mbsxl.excel import conformance as cf
    t0 = time.perf_counter()
    rep = cf.run()
    t = rep.totals()
    t["seconds"] = round(time.perf_counter() - t0, 1)
    return t


_FZ_CHILD = r"""
import sys, time, json
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from bench.engine_compare import _register_mbs, _fz_value
from mbsxl.excel import conformance as cf
from mbsxl.excel.calc import _result
import formualizer as fz
from openpyxl.utils.cell import coordinate_to_tuple
wb = fz.load_workbook(sys.argv[1])
_register_mbs(wb)
wb.evaluate_all()
t1 = time.perf_counter()
cached = cf._cached(sys.argv[1]); texts = cf._formulas(sys.argv[1])
agree = n = 0; bad = []
for key in texts:
    sheet, _, coord = key.rpartition("!")
    r, c = coordinate_to_tuple(coord)
    try:
        v = _fz_value(wb.get_value(sheet, r, c))
    except Exception as e:
        v = "#VALUE!"
    ex, et = cached.get(key, (None, "n"))
    n += 1
    if cf.classify(v, ex, et, "") == "agree":
        agree += 1
    elif len(bad) < 3:
        bad.append(f"{key}: stored={ex!r} formualizer={v!r}")
print(json.dumps({"seconds_in_process": t1 - t0, "cells": n, "equal": agree, "examples": bad}))
"""

_PYCEL_CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[2])
from mbsxl.excel import conformance as cf
from mbsxl.excel.calc import calculate
from mbsxl.excel.errors import CalcError
v = calculate(sys.argv[1], progress=False)
cached = cf._cached(sys.argv[1])
agree = n = 0; bad = []
for key, x in v.items():
    ex, et = cached.get(key, (None, "n"))
    n += 1
    if cf.classify(x, ex, et, v.errors.get(key, "") if isinstance(x, CalcError) else "") == "agree":
        agree += 1
    elif len(bad) < 3:
        bad.append(f"{key}: stored={ex!r} mbsxl={x!r}")
print(json.dumps({"seconds_in_process": v.seconds["total"], "cells": n, "equal": agree, "examples": bad}))
"""


def _child(code, path):
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, path, ROOT], capture_output=True, text=True, timeout=900,
                       env={**os.environ, "PYTHONPATH": ROOT})
    wall = time.perf_counter() - t
    if p.returncode != 0:
        return {"wall": wall, "failed": (p.stderr.strip().splitlines() or ["?"])[-1][:200]}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def templates(runs):
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "workbooks", "*.xlsx"))):
        res = {"pycel": [], "formualizer": []}
        for _ in range(runs):                      # interleaved
            res["pycel"].append(_child(_PYCEL_CHILD, path))
            res["formualizer"].append(_child(_FZ_CHILD, path))
        row = {"workbook": os.path.basename(path)}
        for eng, rs in res.items():
            ok = [r for r in rs if "failed" not in r]
            row[eng] = {"wall_median": round(statistics.median(r["wall"] for r in rs), 2),
                        "cells": ok[-1]["cells"] if ok else None, "equal": ok[-1]["equal"] if ok else None,
                        "examples": ok[-1]["examples"] if ok else [], "failed": rs[-1].get("failed")}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-conformance", action="store_true")
    ap.add_argument("--skip-templates", action="store_true")
    a = ap.parse_args()
    if not a.skip_conformance:
        print("formualizer conformance:", json.dumps(fz_conformance()), flush=True)
    if not a.skip_templates:
        templates(a.runs)


if __name__ == "__main__":
    main()
