"""Benchmark: the deal table's ledger engine (issue 19) against today's ``tranches`` path.

One process, runs interleaved (baseline, candidate, baseline, ...), medians printed:

- Jianyuan 2007-1 as the deal review sets it up (seed 001/002 pool and class sizes, the review's
  labelled assumptions, prospectus CPR 17.26%, floating seniors on the PBoC one-year deposit rate,
  10% clean-up call): ``mbsxl.tranches`` (positional arguments) against ``mbsxl.deal_flows`` on the
  table ``mbsxl.deal_from_tranches`` builds (parse + run + class table), and the ledger run alone
  (``mbsxl.deal.ledger.run`` on a parsed deal, compiled once);
- the modern template's deal (3 classes, 3 ledgers, 44 steps over 3 statuses, 3 events, 360 months):
  one ledger-level run (target < 5 ms) and a 21 x 11 CPR x CDR grid (CPR 0-40% step 2% x CDR 0-10%
  step 1%, each a full projection and run; target < 1 s).

Run: ``python bench/bench_deal.py [--runs N]``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import mbsxl
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg
from mbsxl.templates import jianyuan_deal_review as jr
from mbsxl.templates import modern_rmbs_review as mr


def _interleaved(fns: dict, runs: int) -> dict:
    times = {k: [] for k in fns}
    for _ in range(runs):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args(argv)
    names, bals = list(jr.SPREADS), list(mbsxl.reference.jianyuan.TRANCHES.values())
    cps, fl = list(jr.SPREADS.values()), list(jr.FLOATING.values())
    pool = mbsxl.cashflows(4_160_683_708.0, jr.WAC, jr.WAM, prepay=0.1726, default=jr.CDR, severity=jr.SEVERITY,
                           recovery_lag=jr.LAG, servicing=jr.SERVICING, age=jr.AGE)
    idx = mbsxl.coupon_index("2007-12-14", jr.WAM, reset="period", payment_day=26)
    table = mbsxl.deal_from_tranches(names, bals, cps, "sequential", jr.CALL, fl, jr.FEES)
    deal = dt.parse_deal(table)
    comp = lg.compile_deal(deal, len(pool), idx)
    lg.run(deal, pool, compiled=comp)                                  # compile (or load) the kernel
    old = mbsxl.tranches(pool, None, None, names, bals, cps, "sequential", jr.CALL, index=idx, floating=fl, fees=jr.FEES)
    new = mbsxl.deal_flows(pool, table, index=idx)
    gap = float(np.abs(old["Cash Flow"].to_numpy() - new["Cash Flow"].to_numpy()).max())
    m = _interleaved({
        "tranches": lambda: mbsxl.tranches(pool, None, None, names, bals, cps, "sequential", jr.CALL, index=idx,
                                           floating=fl, fees=jr.FEES),
        "deal_flows": lambda: mbsxl.deal_flows(pool, table, index=idx),
        "ledger run": lambda: lg.run(deal, pool, compiled=comp)}, a.runs)
    print(f"Jianyuan 2007-1, {len(pool)} months, 4 classes (largest Cash Flow difference {gap:.1e} yuan)")
    print(f"  mbsxl.tranches (positional)       {m['tranches'] * 1e3:8.2f} ms")
    print(f"  mbsxl.deal_flows (deal table)     {m['deal_flows'] * 1e3:8.2f} ms   ratio {m['deal_flows'] / m['tranches']:.2f}")
    print(f"  ledger run (parsed, compiled)     {m['ledger run'] * 1e3:8.2f} ms   ratio {m['ledger run'] / m['tranches']:.3f}")

    mpool, mindex = mr._python_pool()
    md = dt.parse_deal(mr.DEAL_ROWS)
    mc = lg.compile_deal(md, len(mpool), mindex)
    bal, wac = sum(x[0] for x in mr.TAPE), sum(x[0] * x[1] for x in mr.TAPE) / sum(x[0] for x in mr.TAPE)
    cprs, cdrs = np.round(np.arange(0, 0.4001, 0.02), 4), np.round(np.arange(0, 0.1001, 0.01), 4)
    m2 = _interleaved({
        "run": lambda: lg.run(md, mpool, compiled=mc),
        "flows": lambda: mbsxl.deal_flows(mpool, mr.DEAL_ROWS, index=mindex)}, a.runs)
    g = _interleaved({"grid": lambda: mbsxl.deal_grid(bal, wac, 360, mr.DEAL_ROWS, "A2", 100, cprs, cdrs, 0.4, 12,
                                                      0.001, 0, mindex)}, max(3, a.runs // 3))
    print(f"Modern template deal: {len(md.classes)} classes, {len(md.ledgers)} ledgers, {len(md.steps)} steps, "
          f"{len(md.events)} events, {len(mpool)} months")
    print(f"  ledger-level run (compiled deal)  {m2['run'] * 1e3:8.2f} ms   (target < 5 ms)")
    print(f"  deal_flows (parse + run + table)  {m2['flows'] * 1e3:8.2f} ms")
    print(f"  deal_grid 21 x 11 CPR x CDR       {g['grid'] * 1e3:8.1f} ms   (target < 1000 ms)")


if __name__ == "__main__":
    main()
