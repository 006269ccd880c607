"""Benchmark `mbsxl calc` (headless recalculation) on the two workbooks of issue 3.

(a) 1,000 cells =MBS_SMM(A1) ... =MBS_SMM(A1000) plus a SUM over them;
(b) one =MBS_LOANCASHFLOWS array formula (A1:P361) over a synthetic 12,254-loan tape (the size of the
    Jianyuan 2007-1 pool: balances 50k-2.8m yuan, rates 5.5-7.8%, terms 12-360 months, ages 0-60), 10% CPR.

For each: load (read + formula graph), calculation and total seconds, median of RUNS runs, each in a
fresh process through the command line (`python -m mbsxl calc WORKBOOK --json`, which prints the
timings on stderr), so import and first-call costs count as a user sees them.  Baseline measured in
the same run: the `formulas` engine (the other maintained engine) on the same workbooks with the same
MBS_ functions registered.  Target: each under 5 s total.

    python bench/bench_calc.py [--runs 3] [--no-formulas]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

N_SMM = 1000
N_LOANS = 12_254


def make_smm(path: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "SMM"
    for i in range(1, N_SMM + 1):
        ws.cell(i, 1, round(0.0005 * (i % 600), 6))
        ws.cell(i, 2, f"=MBS_SMM(A{i})")
    ws["D1"] = f"=SUM(B1:B{N_SMM})"
    wb.save(path)


def make_tape(path: str) -> None:
    rng = np.random.default_rng(20071214)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tape"
    ws.append(["Balance", "Rate", "Remaining term", "Age"])
    bal = rng.uniform(5e4, 2.8e6, N_LOANS).round(2)
    rate = rng.uniform(0.055, 0.078, N_LOANS).round(6)
    term = rng.integers(12, 361, N_LOANS)
    age = rng.integers(0, 61, N_LOANS)
    for i in range(N_LOANS):
        ws.append([float(bal[i]), float(rate[i]), int(term[i]), int(age[i])])
    cf = wb.create_sheet("Cash flows")
    last = N_LOANS + 1
    cf["A1"] = ArrayFormula("A1:P361", f"=MBS_LOANCASHFLOWS(Tape!A2:A{last},Tape!B2:B{last},Tape!C2:C{last},0.1,"
                                       f"\"CPR\",0,\"CDR\",0,0,0,Tape!D2:D{last})")
    cf["R1"] = "=SUM(M2:M360)"
    wb.save(path)


_TIMES = re.compile(r"load ([\d.]+) s, calc ([\d.]+) s, total ([\d.]+) s")


def run_cli(path: str) -> tuple[float, float, float, float]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "mbsxl", "calc", path, "--json"], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = _TIMES.search(r.stderr)
    if r.returncode != 0 or m is None:
        raise SystemExit(f"mbsxl calc failed on {path}:\n{r.stderr[-2000:]}")
    load, calc, total = (float(g) for g in m.groups())
    return load, calc, total, wall


_FORMULAS_SCRIPT = r"""
import sys, time, numpy as np, formulas, schedula as sh
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError as FX
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import XlError
def raw(a):
    if isinstance(a, Ranges): a = a.value
    if isinstance(a, np.ndarray):
        out = np.empty(a.shape, dtype=object)
        for idx, c in np.ndenumerate(a):
            out[idx] = None if c is sh.EMPTY else (str(c) if isinstance(c, FX) else c)
        return out
    return None if a is sh.EMPTY else a
def wrap(name):
    def f(*args):
        r = call(name, *[raw(a) for a in args])
        if isinstance(r, XlError): return FX(r.code)
        return np.asarray(r, dtype=object) if isinstance(r, list) else r
    return f
F = formulas.get_functions()
for n in ("MBS_SMM", "MBS_LOANCASHFLOWS"): F[n] = wrap(n)
t0 = time.perf_counter(); m = formulas.ExcelModel().loads(sys.argv[1]).finish(); t1 = time.perf_counter()
sol = m.calculate(); t2 = time.perf_counter()
print(f"load {t1 - t0:.3f} s, calc {t2 - t1:.3f} s, total {t2 - t0:.3f} s", file=sys.stderr)
"""


def run_formulas(path: str) -> tuple[float, float, float, float]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _FORMULAS_SCRIPT, path], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = _TIMES.search(r.stderr)
    if m is None:
        raise SystemExit(f"formulas failed on {path}:\n{r.stderr[-2000:]}")
    load, calc, total = (float(g) for g in m.groups())
    return load, calc, total, wall


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-formulas", action="store_true", help="skip the formulas-engine baseline")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_calc_")
    books = {"1,000 x =MBS_SMM": os.path.join(tmp, "smm.xlsx"),
             f"=MBS_LOANCASHFLOWS, {N_LOANS:,} loans": os.path.join(tmp, "tape.xlsx")}
    make_smm(books["1,000 x =MBS_SMM"])
    make_tape(books[f"=MBS_LOANCASHFLOWS, {N_LOANS:,} loans"])
    rows = []
    for label, path in books.items():
        runs = [run_cli(path) for _ in range(a.runs)]
        med = [statistics.median(r[i] for r in runs) for i in range(4)]
        base = None
        if not a.no_formulas:
            bruns = [run_formulas(path) for _ in range(a.runs)]
            base = [statistics.median(r[i] for r in bruns) for i in range(4)]
        rows.append((label, med, base))
    print(f"\nmbsxl calc (pycel engine), median of {a.runs} runs, seconds; baseline: formulas engine, same run")
    hdr = f"{'workbook':<36} {'load':>6} {'calc':>6} {'total':>6} {'process':>8} {'< 5 s':>6} | " \
          f"{'formulas':>8} {'ratio':>6}"
    print(hdr)
    print("-" * len(hdr))
    for label, m, b in rows:
        ok = "yes" if m[2] < 5 else "NO"
        btxt = f"{b[2]:>8.2f} {b[2] / m[2]:>5.1f}x" if b else f"{'-':>8} {'-':>6}"
        print(f"{label:<36} {m[0]:>6.2f} {m[1]:>6.2f} {m[2]:>6.2f} {m[3]:>8.2f} {ok:>6} | {btxt}")
    print("\nload = read the workbook and build the formula graph; calc = evaluate every formula cell; "
          "total = load + calc;\nprocess = wall time of the whole `python -m mbsxl calc --json` process "
          "(Python start-up and imports included).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
