"""Benchmark: whole-process ``mbsxl calc`` of the three templates with issue 21's speed targets, this
checkout against another revision of the code (default: the branch point of the load/speed work).

Each run is a fresh ``python -m mbsxl calc WORKBOOK --strict`` (imports, the isolated child process,
load, calculation), the two codes interleaved (base, new, base, new, ...).  Reported per template:
wall-clock median and CPU median (user + system of the process tree, which a busy shared machine
disturbs less than wall time) of each code, and new/base ratios.  The base code is ``git archive``'d
from ``--base`` into a temporary directory and run from there with the same interpreter.

Both copies have their bytecode compiled first (``compileall``), as an installed package has it (pip
compiles ``.pyc`` files at install): without it, a machine that sets ``PYTHONDONTWRITEBYTECODE=1`` (this
one does) recompiles every mbsxl module on every run, 0.4-0.9 s of each template's time that no user
pays.  ``--no-bytecode`` measures without it.

    python bench/bench_templates_calc.py [--runs 5] [--base 39e33f4]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = {"pool template": ("jianyuan_2007_1_pool.xlsx", 2.0),
             "deal review": ("jianyuan_2007_1_deal_review.xlsx", 3.0),
             "LPR template": ("lpr_repricing.xlsx", 2.0)}

_WRAP = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
dt = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.returncode, f"{dt:.3f}", f"{u.ru_utime + u.ru_stime:.3f}", f"{u.ru_maxrss / 1024:.0f}")
if r.returncode:
    print(r.stderr[-1500:], file=sys.stderr)
"""


def run(code_dir: str, workbook: str) -> tuple[float, float, float]:
    env = dict(os.environ, PYTHONPATH=code_dir)
    r = subprocess.run([sys.executable, "-c", _WRAP, sys.executable, "-m", "mbsxl", "calc",
                        os.path.join(ROOT, "workbooks", workbook), "--strict"],
                       capture_output=True, text=True, env=env, cwd=code_dir)
    rc, wall, cpu, peak = r.stdout.split()
    if rc != "0":
        raise SystemExit(f"{code_dir}: mbsxl calc {workbook} failed:\n{r.stderr}")
    return float(wall), float(cpu), float(peak)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--base", default="39e33f4", help="git revision to compare against")
    ap.add_argument("--no-bytecode", action="store_true", help="do not compile the .pyc files first")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        arch = subprocess.run(["git", "-C", ROOT, "archive", args.base, "mbsxl"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=arch.stdout, check=True)
        if not args.no_bytecode:
            for d in (tmp, ROOT):
                subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(d, "mbsxl")],
                               check=True, stdout=subprocess.DEVNULL)
        print(f"| workbook | target | base {args.base} wall / CPU s | this code wall / CPU s | ratio wall | ratio CPU | peak MB base / new |")
        print("|---|---|---|---|---|---|---|")
        for label, (wb, target) in TEMPLATES.items():
            res = {"base": [], "new": []}
            for _ in range(args.runs):
                res["base"].append(run(tmp, wb))
                res["new"].append(run(ROOT, wb))
            med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in res.items()}
            (bw, bc, bp), (nw, nc, np_) = med["base"], med["new"]
            print(f"| {label} | < {target:g} s | {bw:.2f} / {bc:.2f} | {nw:.2f} / {nc:.2f} | "
                  f"{nw / bw:.2f} | {nc / bc:.2f} | {bp:.0f} / {np_:.0f} |", flush=True)


if __name__ == "__main__":
    main()
