"""Benchmark of the loan-level engine (issue 2), one run, medians, ratios against the baseline.

Baseline: the straightforward per-loan Python loop of the same arithmetic (``engine="python"``: the
uncompiled kernel), timed on a slice of the tape and scaled linearly to the whole tape (its cost
is exactly linear in loans x months).  Peak memory of the 1,000,000-loan run is measured in a
child process (ru_maxrss).

    python bench/bench_core.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

import mbsxl
from mbsxl.pool import _engine

ASSUME = dict(prepay=0.20, default=0.01, severity=0.30, recovery_lag=12, servicing=0.0025)


def tape(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    return (rng.uniform(5e4, 2.8e6, n), rng.uniform(0.055, 0.0783, n), np.full(n, 360),
            rng.integers(0, 72, n))


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child_million() -> None:
    b, r, t, a = tape(1_000_000)
    mbsxl.loan_cashflows(b[:5000], r[:5000], t[:5000], ages=a[:5000], **ASSUME)   # compile / warm
    sec = median_time(lambda: mbsxl.loan_cashflows(b, r, t, ages=a, **ASSUME), 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    print(json.dumps({"seconds": sec, "peak_mib": peak}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats, no 1M run")
    ap.add_argument("--child-million", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_million:
        child_million()
        return
    n = 12_254
    b, r, t, a = tape(n)
    mbsxl.loan_cashflows(b, r, t, ages=a, **ASSUME)  # compile / warm caches
    rep = 5 if args.quick else 15
    fast = median_time(lambda: mbsxl.loan_cashflows(b, r, t, ages=a, **ASSUME), rep)
    npy = median_time(lambda: mbsxl.loan_cashflows(b, r, t, ages=a, engine="numpy", **ASSUME), 3 if args.quick else 5)
    k = 150 if args.quick else 400
    loop_slice = median_time(lambda: mbsxl.loan_cashflows(b[:k], r[:k], t[:k], ages=a[:k], engine="python",
                                                          **ASSUME), 3)
    loop = loop_slice * n / k
    rows = [
        ("engine", _engine.engine_name(), ""),
        (f"12,254 loans x 360 months, {_engine.engine_name()} (median of {rep})", f"{fast * 1000:.1f} ms", "target < 30 ms"),
        ("same, numpy engine (no numba)", f"{npy * 1000:.1f} ms", ""),
        (f"baseline per-loan Python loop ({k} loans, scaled to 12,254)", f"{loop:.2f} s", ""),
        ("speed-up vs loop", f"{loop / fast:.0f}x", "target >= 150x"),
        ("numpy engine speed-up vs loop", f"{loop / npy:.0f}x", ""),
    ]
    if not args.quick:
        out = subprocess.run([sys.executable, __file__, "--child-million"], capture_output=True, text=True, check=True)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(("1,000,000 loans x 360 months (median of 3)", f"{m['seconds']:.2f} s", "target < 3 s"))
        rows.append(("peak memory of that process", f"{m['peak_mib']:.0f} MiB", "target < 2048 MiB"))
    width = max(len(x[0]) for x in rows)
    print(f"mbsxl {mbsxl.__version__} core benchmark (CPR 20%, CDR 1%, severity 30%, lag 12, servicing 0.25%)")
    for name, val, target in rows:
        print(f"  {name:<{width}}  {val:>12}  {target}")


if __name__ == "__main__":
    main()
