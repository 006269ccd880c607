"""Benchmark: the NPL recovery projection (issue 20) against a per-loan Python loop.

10,000 generated NPL loans (mbsxl.reference.npl_tape.generated_tape, seed 20), base and stressed (-30 % amount,
+6 months, costs +50 %), monthly by period.  Candidate: ``mbsxl.recoveries`` (vectorised numpy, tape
checks included).  Baseline: the same rules loan by loan in plain Python (a dict of month -> amounts),
on the same already-read tape.  Runs are interleaved (baseline, candidate, baseline, ...) on this noisy
shared machine and the medians are quoted; the two results are compared to 1e-6 yuan first.

Then (issue 20, speed): 10,000 loans projected (stressed) and run through the illustrative NPL deal
(:func:`mbsxl.deal.npl_deal.example_deal`, the ledger engine of the deal table), and a 9 x 7 grid of recovery
haircut x delay (:func:`mbsxl.npl_grid`, one ledger run of 63 scenarios); medians.

Run: ``PYTHONPATH=$PWD python bench/bench_npl.py [--loans N] [--runs N]``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import mbsxl
from mbsxl import columns as C
from mbsxl.pool import recovery as R
from mbsxl.reference.npl_tape import generated_tape


def loop_baseline(tape, table, amount_stress=0.0, delay=0, cost_stress=0.0):
    """Per-loan Python: the module's rules written out, month -> [gross, costs, net]."""
    rows = tape.to_dict("records")
    out = {}
    for r in rows:
        claim = r[C.NPL_PRINCIPAL] + r[C.NPL_INTEREST] + r[C.NPL_FEES]
        sale = r[C.NPL_COLLATERAL] * (1 - r[C.NPL_HAIRCUT]) * (1 - amount_stress)
        cost = r[C.NPL_COSTS] * (1 + cost_stress)
        net = min(max(sale - cost, 0.0), claim)
        paid = min(cost, sale)
        m = max(table[r[C.NPL_STAGE]] - r[C.NPL_MONTHS_IN_STAGE], 1) + delay
        acc = out.setdefault(m, [0.0, 0.0, 0.0])
        acc[0] += net + paid
        acc[1] += paid
        acc[2] += net
    last = max(out)
    return np.array([out.get(m, [0.0, 0.0, 0.0]) for m in range(1, last + 1)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    tape = generated_tape(a.loans, seed=20)
    table = R.DEFAULT_STAGE_TABLE
    cases = {"base": {}, "stressed": dict(amount_stress=0.3, delay=6, cost_stress=0.5)}
    for name, kw in cases.items():
        got = mbsxl.recoveries(tape, **kw)[[C.NPL_GROSS, C.NPL_COSTS, C.NPL_NET]].to_numpy()
        ref = loop_baseline(tape, table, **kw)
        assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-6, name
    print(f"{a.loans:,} NPL loans, monthly, medians of {a.runs} interleaved runs")
    print(f"{'case':10s} {'vectorised s':>13s} {'loop s':>9s} {'ratio':>7s}")
    for name, kw in cases.items():
        tv, tl = [], []
        for _ in range(a.runs):
            t = time.perf_counter()
            loop_baseline(tape, table, **kw)
            tl.append(time.perf_counter() - t)
            t = time.perf_counter()
            mbsxl.recoveries(tape, **kw)
            tv.append(time.perf_counter() - t)
        mv, ml = statistics.median(tv), statistics.median(tl)
        print(f"{name:10s} {mv:13.4f} {ml:9.4f} {ml / mv:7.1f}")




def waterfall_main(loans=10_000, runs=7):
    """10,000 loans projected and run through the illustrative NPL deal (mbsxl.deal.npl_deal.example_deal);
    and a 9 x 7 haircut x delay grid (mbsxl.npl_grid: one ledger run of 63 scenarios).  Medians."""
    from mbsxl.deal.npl_deal import example_deal
    tape = generated_tape(loans, seed=20)
    base = mbsxl.recoveries(tape)
    deal = example_deal(float(base[C.NPL_GROSS].sum()))
    mbsxl.deal_flows(mbsxl.npl_pool(base), deal)               # compile the ledger kernel once

    def one():
        rec = mbsxl.recoveries(tape, amount_stress=0.3, delay=6, cost_stress=0.5)
        return mbsxl.deal_flows(mbsxl.npl_pool(rec, base), deal)

    hs = np.linspace(0.2, 0.6, 9)
    ds = np.arange(0, 19, 3)

    def grid():
        return mbsxl.npl_grid(tape, deal, "优先A Senior A", hs, ds)

    for name, fn in (("projection + waterfall", one), ("9 x 7 haircut x delay grid", grid)):
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        print(f"{name:28s} {statistics.median(ts):8.4f} s (median of {runs}, {loans:,} loans)")


if __name__ == "__main__":
    main()
    waterfall_main()
