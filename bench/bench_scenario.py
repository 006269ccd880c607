"""Benchmark: scenario analytics on the reference deal (issue 14: grid under 1 s, breakeven under 0.2 s).

Jianyuan 2007-1 as the deal-review template sets it up (seed 001/002 pool and class sizes; WAC 6.80%,
WAM 197, age 22, servicing 0.1%, fees 0.05%, spreads 0.9/1.5/2.5%, floating seniors on the PBoC
one-year deposit rate, severity 30%, recovery lag 12, clean-up call 10%, payment on the 26th: the
template's labelled assumptions).  One process, medians of several runs:

- ``mbsxl.grid``: 21 x 11 scenarios (CPR 0-40% step 2% x CDR 0-10% step 1%), class A and class C,
  every scenario a full projection and waterfall (the batch path);
- the same grid with each scenario's waterfall through ``mbsxl.tranches`` (the path any added
  waterfall mechanism takes);
- the baseline: the plain loop of single worksheet calls, ``MBS_CASHFLOWS`` -> ``MBS_TRANCHESTATS``
  through ``mbsxl.excel.dispatch.call`` for each of the 231 cells (WAL and loss only, no yield);
- ``mbsxl.breakeven`` of class C (loss and yield breakevens) and of class B (loss only).

Run: ``python bench/bench_scenario.py [--runs N]``.
"""
from __future__ import annotations

import argparse

import numpy as np

import mbsxl
from mbsxl.reference import jianyuan as jy
from mbsxl.deal import scenario as sc
from mbsxl.excel.dispatch import call

from bench_waterfall import _median  # bench/ is on sys.path when a script here runs

NAMES, SIZES = list(jy.TRANCHES), list(jy.TRANCHES.values())
SPREADS, FLAGS = [0.009, 0.015, 0.025, 0.0], [1, 1, 1, 0]
CPRS = np.round(np.arange(0, 0.4001, 0.02), 4)
CDRS = np.round(np.arange(0, 0.1001, 0.01), 4)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args(argv)
    idx = mbsxl.coupon_index(jy.ISSUE_DATE, 197, payment_day=jy.PAYMENT_DAY)
    deal = dict(recovery_lag=12, servicing=0.001, age=22, cleanup_call=0.1, index=idx, floating=FLAGS, fees=0.0005,
                payment_day=jy.PAYMENT_DAY)

    def grid(cls):
        return mbsxl.grid(jy.POOL["balance"], 0.068, 197, NAMES, SIZES, SPREADS, cls, 100, CPRS, CDRS, 0.3, **deal)

    def grid_tranches():
        """The per-scenario path of mbsxl.grid (what a keyword only mbsxl.tranches knows takes)."""
        w = {k: deal[k] for k in ("cleanup_call", "index", "floating", "fees")}
        d = sc.Deal(jy.POOL["balance"], 0.068, 197, NAMES, SIZES, SPREADS, "A", 12, 0.001, 22, True,
                    "level_payment", w)
        p = sc.Pricing(100, 2, 0, jy.PAYMENT_DAY)
        return [sc.measures(*d.flows(d.project(float(c), float(r), 0.3)), p) for c in CPRS for r in CDRS]

    col = lambda xs: np.array([[x] for x in xs], dtype=object)

    def baseline():
        out = []
        for c in CPRS:
            for r in CDRS:
                cf = call("MBS_CASHFLOWS", jy.POOL["balance"], 0.068, 197, float(c), "CPR", float(r), "CDR", 0.3, 12,
                          0.001, 22)
                out.append(call("MBS_TRANCHESTATS", np.array(cf, dtype=object), None, None, col(NAMES), col(SIZES),
                                col(SPREADS), "sequential", 0.1, "A", idx.reshape(-1, 1), col(FLAGS), 0.0005))
        return out

    def breakeven_c():
        return mbsxl.breakeven(jy.POOL["balance"], 0.068, 197, NAMES, SIZES, SPREADS, "C", 0.2, 0.3, 0.04, **deal)

    def breakeven_b():
        return mbsxl.breakeven(jy.POOL["balance"], 0.068, 197, NAMES, SIZES, SPREADS, "B", 0.2, 0.3, **deal)

    # same numbers: the grid's WAL and loss against the single worksheet calls, class A
    g = grid("A")
    cells = baseline()
    for (_, row), st in zip(g.iterrows(), cells):
        wal, loss = st[1][2], st[1][8]
        assert (wal == "" and np.isnan(row["WAL"])) or abs(wal - row["WAL"]) <= 1e-12 * abs(wal)
        assert abs(loss - row["Loss"]) <= 1e-6 * max(1.0, abs(loss))
    runs_base = max(1, a.runs // 2)
    rows = [("mbsxl.grid 21 x 11, class A (batch waterfall)", _median(lambda: grid("A"), a.runs)),
            ("mbsxl.grid 21 x 11, class C (batch waterfall)", _median(lambda: grid("C"), a.runs)),
            ("grid 21 x 11 via mbsxl.tranches per scenario", _median(grid_tranches, max(1, a.runs // 2))),
            (f"baseline: 231 x (MBS_CASHFLOWS -> MBS_TRANCHESTATS), dispatch ({runs_base} runs)",
             _median(baseline, runs_base)),
            ("mbsxl.breakeven class C: loss and yield", _median(breakeven_c, a.runs)),
            ("mbsxl.breakeven class B: loss only", _median(breakeven_b, a.runs))]
    w = max(len(r[0]) for r in rows)
    print(f"{'what':<{w}}  median")
    for name, sec in rows:
        print(f"{name:<{w}}  {sec * 1000:9.1f} ms")
    base = rows[3][1]
    print(f"ratio baseline / mbsxl.grid (class A): {base / rows[0][1]:.1f}x")
    print(f"ratio baseline / grid via mbsxl.tranches: {base / rows[2][1]:.1f}x")
    be = breakeven_c()
    print("breakeven class C:", ", ".join(f"{m} {v:.6g}" for m, v in zip(be["Measure"], be["Value"])))


if __name__ == "__main__":
    main()
