"""Benchmark: what the conversion of ranges and results costs over the core (issue 21, item 4).

For MBS_POOLSUMMARY and MBS_LOANCASHFLOWS on a synthetic N-loan tape (``--loans``, default 100,000):
the core function on numpy arrays, :func:`mbsxl.excel.dispatch.call` on object arrays of cells (what
xlwings and the engine pass to it: argument conversion, the call, result conversion), and the
headless engine's whole call from the tuples of rows pycel hands over (its own conversion included); medians of ``--runs`` runs, and the ratio to the core.

    python bench/bench_convert.py [--loans 100000] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _median(fn, runs):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main() -> int:
    import mbsxl
    from mbsxl.excel._pycel_plugin import _engine_function, call_cache_reset
    from mbsxl.excel.dispatch import call
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(21)
    n = a.loans
    bal = rng.uniform(5e4, 2.8e6, n).round(2)
    rate = rng.uniform(0.035, 0.065, n).round(6)
    term = rng.integers(12, 361, n).astype(float)
    age = rng.integers(0, 61, n).astype(float)
    col = lambda x: tuple((float(v),) for v in x)            # noqa: E731 - a column as the engine hands it over
    cases = {
        "MBS_POOLSUMMARY": (lambda: mbsxl.pool_summary(bal, rate, term, age),
                            (col(bal), col(rate), col(term), col(age))),
        "MBS_LOANCASHFLOWS": (lambda: mbsxl.loan_cashflows(bal, rate, term, 0.1, "CPR", 0, "CDR", 0, 0, 0, age),
                              (col(bal), col(rate), col(term), 0.1, "CPR", 0, "CDR", 0, 0, 0, col(age))),
    }
    print(f"{n:,} loans, median of {a.runs} runs, seconds")
    print(f"{'function':<20} {'core':>8} {'dispatch':>9} {'ratio':>7} {'engine':>8} {'ratio':>7}")
    for name, (core, args) in cases.items():
        core()                                              # warm-up (numba compiles on the first call)
        tc = _median(core, a.runs)
        grids = [np.array([list(r) for r in x], dtype=object) if isinstance(x, tuple) else x for x in args]
        td = _median(lambda: call(name, *grids), a.runs)
        f = _engine_function(name)

        def engine():
            call_cache_reset()
            f(*args)
        te = _median(engine, a.runs)
        print(f"{name:<20} {tc:>8.3f} {td:>9.3f} {td / tc:>6.1f}x {te:>8.3f} {te / tc:>6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
