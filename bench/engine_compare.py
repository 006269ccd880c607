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
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)



def _fz_value(v):
    """A formualizer value as the conformance comparison reads it (:func:`mbsxl.excel.engine._fz_value`)."""
    from mbsxl.excel.engine import _fz_value as value
    return value(v)


def fz_conformance():
    """The conformance corpus through :class:`mbsxl.excel.engine.FormualizerEngine`."""
    from mbsxl.excel import conformance as cf
    from mbsxl.excel.engine import get_engine
    from mbsxl.excel.errors import CalcError
    counts = {"cells": 0, "agree": 0, "error": 0, "different": 0, "failed_books": 0}
    t0 = time.perf_counter()
    for path in cf.corpus_files():
        cached = cf._cached(path)
        texts = cf._formulas(path)
        try:
            values = get_engine("formualizer").run(path)
        except Exception:  # noqa: BLE001
            values = {}
            counts["failed_books"] += 1
        for key in texts:
            excel, etype = cached.get(key, (None, "n"))
            mine = values.get(key, CalcError("#VALUE!", ""))
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


_CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[2])
from mbsxl.excel import conformance as cf
from mbsxl.excel.engine import get_engine
from mbsxl.excel.errors import CalcError
v = get_engine(sys.argv[3]).run(sys.argv[1])
cached = cf._cached(sys.argv[1])
agree = n = 0; bad = []
for key, x in v.items():
    ex, et = cached.get(key, (None, "n"))
    n += 1
    if cf.classify(x, ex, et, v.errors.get(key, "") if isinstance(x, CalcError) else "") == "agree":
        agree += 1
    elif len(bad) < 3:
        bad.append(f"{key}: stored={ex!r} {sys.argv[3]}={x!r}")
print(json.dumps({"seconds_in_process": v.seconds["total"], "cells": n, "equal": agree, "examples": bad}))
"""


def _child(engine, path):
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _CHILD, path, ROOT, engine], capture_output=True, text=True, timeout=900,
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
            res["pycel"].append(_child("pycel", path))
            res["formualizer"].append(_child("formualizer", path))
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
