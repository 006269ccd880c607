"""Benchmark of LPR repricing (issue 13), one run, medians, the ratio against a baseline measured in the
same run: 12,254 loans x 360 months with per-loan repricing vs the same projection at fixed rates.

Tape (synthetic, documented; the size of the Jianyuan 2007-1 pool, :data:`mbsxl.reference.tape.LOANS`): balances
uniform in [50,000, 2,800,000], 360 months left, ages 0..71, benchmark-rate loans at 4.90% x a multiplier
of 0.85 / 0.9 / 1.0 / 1.1 (rates 4.165% .. 5.39%), projected from 1 December 2019.  Repriced run: every
loan converts in 2020 (LPR 5y + rate - 4.80%; 5% choose a fixed rate), half reset each 1 January and
half on their anniversary, 70% first homes, the two shipped policy events (2023-09-25 floor,
2024-10-25 cap), LPR 5y from ``data/lpr.csv`` (last row held).  Baseline: the same loans and
assumptions at their starting rates (no repricing).  Assumptions: CPR 20%, CDR 1%, severity 30%,
lag 12, servicing 0.25%.  A third run adds the rate-incentive prepayment (slope 5, cap 50%).

    python bench/bench_lpr.py [--quick]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np

import mbsxl
from mbsxl.pool import _engine
from mbsxl.rates import repricing
from mbsxl.reference.tape import LOANS

ASSUME = dict(prepay=0.20, default=0.01, severity=0.30, recovery_lag=12, servicing=0.0025)


def tape(n: int = LOANS, seed: int = 13) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    mult = rng.choice([0.85, 0.9, 1.0, 1.1], n, p=[0.6, 0.2, 0.15, 0.05])
    base = dict(balances=rng.uniform(5e4, 2.8e6, n), rates=0.049 * mult, remaining_terms=np.full(n, 360),
                ages=rng.integers(0, 72, n))
    first = dt.date(2010, 1, 1).toordinal()
    repriced = dict(start_date="2019-12-01", rate_type="benchmark", multipliers=mult, conversion=True,
                    fixed_choice=rng.uniform(size=n) < 0.05,
                    reset=np.where(rng.uniform(size=n) < 0.5, "january", "anniversary"),
                    anniversaries=[dt.date.fromordinal(first + int(k)) for k in rng.integers(0, 3650, n)],
                    first_home=rng.uniform(size=n) < 0.7, events="standard")
    return base, repriced


def median_times(fns: dict, repeat: int) -> dict:
    """Median seconds of each function, the runs interleaved (one of each per round) so that the load of
    a shared machine falls on all of them alike."""
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    rep = 3 if args.quick else 15
    base, rp = tape()
    incentive = dict(incentive_slope=5.0, incentive_cap=0.5, new_loan_spread=-0.003)
    runs = {"fixed": lambda e: mbsxl.loan_cashflows(**base, **ASSUME, engine=e),
            "repriced": lambda e: mbsxl.loan_cashflows(**base, **rp, **ASSUME, engine=e),
            "incentive": lambda e: mbsxl.loan_cashflows(**base, **rp, **incentive, **ASSUME, engine=e)}
    engine = _engine.engine_name()
    for f in runs.values():
        f(None)                                            # compile / warm caches
    kw = {k: v for k, v in rp.items() if k != "start_date"}
    p = repricing.plan(base["rates"], 360, rp["start_date"], ages=base["ages"], **kw)
    t = median_times({**{k: (lambda f=f: f(None)) for k, f in runs.items()},
                      "plan": lambda: repricing.plan(base["rates"], 360, rp["start_date"], ages=base["ages"], **kw),
                      "terms": lambda: repricing.kernel_terms(p)}, rep)
    tn = median_times({k: (lambda f=f: f("numpy")) for k, f in runs.items() if k != "incentive"}, max(3, rep // 3))
    t_plan, t_terms = t["plan"], t["terms"]
    group, paths, *_ = repricing.kernel_terms(p)
    cf = runs["repriced"](None)
    rows = [
        ("engine", engine, ""),
        (f"{LOANS:,} loans x 360 months, fixed rates (baseline, median of {rep})", f"{t['fixed'] * 1000:.1f} ms", ""),
        ("same, LPR repricing + conversion + two policy events", f"{t['repriced'] * 1000:.1f} ms", ""),
        ("ratio repriced / baseline", f"{t['repriced'] / t['fixed']:.2f}x", "target <= 2x"),
        ("  of which: plan (validation)", f"{t_plan * 1000:.1f} ms", ""),
        (f"  of which: compact rule ({paths.shape[0] - 1} reset groups)", f"{t_terms * 1000:.1f} ms", ""),
        ("same + rate-incentive prepayment", f"{t['incentive'] * 1000:.1f} ms", ""),
        ("ratio incentive / baseline", f"{t['incentive'] / t['fixed']:.2f}x", ""),
        ("numpy engine: baseline", f"{tn['fixed'] * 1000:.1f} ms", ""),
        ("numpy engine: repriced", f"{tn['repriced'] * 1000:.1f} ms", ""),
        ("numpy engine ratio", f"{tn['repriced'] / tn['fixed']:.2f}x", ""),
        ("pool gross interest, month 14 (Jan 2021) / balance x 12", f"{cf.loc[13, 'Gross Interest'] / cf.loc[13, 'Beginning Balance'] * 12:.4%}", ""),
    ]
    width = max(len(x[0]) for x in rows)
    print(f"mbsxl {mbsxl.__version__} LPR repricing benchmark (CPR 20%, CDR 1%, severity 30%, lag 12, servicing 0.25%)")
    for name, val, target in rows:
        print(f"  {name:<{width}}  {val:>12}  {target}")


if __name__ == "__main__":
    main()
