"""Benchmark: the tranche waterfall and the deal-review template's headless recalculation.

Medians of several runs, one process, printed as a small table:

- ``mbsxl.tranches`` on Jianyuan 2007-1 (4 classes, 197 months, floating seniors, fees, losses, call)
  against a straightforward baseline in the same run: the same arithmetic in plain Python lists (the
  independent loop of tests/test_waterfall.py);
- one grid cell's work (MBS_CASHFLOWS -> MBS_TRANCHESTATS through the worksheet dispatch);
- the deal mechanisms of issue 14: ``tranche_stats`` with none and with every one on (VAT, three
  triggers, a 3-month liquidity reserve, an A schedule, principal cover) and the pool-period view;
- ``mbsxl.excel.calc.calculate`` on workbooks/jianyuan_2007_1_deal_review.xlsx (load + calc).

Run: ``python bench/bench_waterfall.py [--runs N]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import mbsxl
from mbsxl.reference import jianyuan as jy
from mbsxl.excel.convert import to_excel
from mbsxl.excel.dispatch import call

HERE = os.path.dirname(os.path.abspath(__file__))
WORKBOOK = os.path.join(HERE, "..", "workbooks", "jianyuan_2007_1_deal_review.xlsx")


def _median(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _baseline(prin, intr, loss, sizes, coupons, fee_rate, pool0):
    """Plain Python lists: fees, interest in order with carried shortfall, excess to the last class,
    sequential principal, losses bottom-up (no call)."""
    n = len(sizes)
    bal = list(sizes)
    short = [0.0] * n
    fee_short = 0.0
    pool = pool0
    rows = []
    for t in range(len(prin)):
        cash = intr[t]
        fee = fee_rate / 12 * pool + fee_short
        paid_fee = min(cash, fee)
        fee_short = fee - paid_fee
        cash -= paid_fee
        paid = []
        for k in range(n):
            due = bal[k] * coupons[t][k] / 12 + short[k]
            p = min(cash, due)
            cash -= p
            short[k] = due - p
            paid.append(p)
        paid[-1] += cash
        left = prin[t]
        pr = []
        for k in range(n):
            x = min(left, bal[k])
            left -= x
            pr.append(x)
        lo = loss[t]
        for k in reversed(range(n)):
            after = bal[k] - pr[k]
            w = min(lo, after)
            lo -= w
            bal[k] = after - w
        pool -= prin[t] + loss[t]
        rows.append((paid, pr, list(bal)))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args(argv)

    pool = mbsxl.cashflows(jy.POOL["balance"], 0.068, 197, prepay=0.1726, default=0.005, severity=0.3,
                           recovery_lag=12, servicing=0.001, age=22)
    names, sizes = list(jy.TRANCHES), list(jy.TRANCHES.values())
    spreads, flags = [0.009, 0.015, 0.025, 0.0], [1, 1, 1, 0]
    idx = mbsxl.coupon_index("2007-12-14", len(pool), payment_day=26)
    coupons = [[idx[t] + s if f else s for s, f in zip(spreads, flags)] for t in range(len(pool))]
    prin = pool["Total Principal"].tolist()
    intr = pool["Net Interest"].tolist()
    loss = pool["Loss"].tolist()

    def ours():
        return mbsxl.tranches(pool, None, None, names, sizes, spreads, index=idx, floating=flags, fees=0.0005)

    def base():
        return _baseline(prin, intr, loss, sizes, coupons, 0.0005, jy.POOL["balance"])

    # same numbers (no call here)
    t = ours()
    b = base()
    end_a = np.array([r[2][0] for r in b])
    assert np.allclose(t[t["Class"] == "A"]["Ending Balance"].to_numpy(), end_a, rtol=1e-10, atol=1e-3)

    cells = np.array(to_excel(pool), dtype=object)

    def grid_cell():
        cf = call("MBS_CASHFLOWS", jy.POOL["balance"], 0.068, 197, 0.2, "CPR", 0.01, "CDR", 0.3, 12, 0.001, 22)
        return call("MBS_TRANCHESTATS", np.array(cf, dtype=object), None, None, [[n] for n in names],
                    [[x] for x in sizes], [[x] for x in spreads], "sequential", 0.1, "A", idx.reshape(-1, 1),
                    [[f] for f in flags], 0.0005)

    def tranches_cells():
        return call("MBS_TRANCHES", cells, None, None, [[n] for n in names], [[x] for x in sizes],
                    [[x] for x in spreads], "sequential", 0.1, None, idx.reshape(-1, 1), [[f] for f in flags], 0.0005)

    mech = dict(vat_rate=0.03, reserve=[["months", 3]], principal_cover=True, delinquency=[0.01] * len(pool),
                triggers=[["cumulative_default", 0.01, 1, "sequential+stop_subordinate"],
                          ["delinquency_90", 0.02, 3, "block_release"], ["senior_shortfall", 0, 1, "sequential"]],
                schedule={"A": list(np.linspace(sizes[0] * 0.98, 0.0, 60))})

    def stats(**kw):
        return mbsxl.tranche_stats(pool, None, None, names, sizes, spreads, cleanup_call=0.1, index=idx,
                                   floating=flags, fees=0.0005, **kw)

    rows = [("mbsxl.tranches (4 classes x 197 months)", _median(ours, a.runs)),
            ("baseline: plain-Python loop, same arithmetic", _median(base, a.runs)),
            ("MBS_TRANCHES through the dispatch (cells in/out)", _median(tranches_cells, a.runs)),
            ("one grid cell: MBS_CASHFLOWS -> MBS_TRANCHESTATS", _median(grid_cell, a.runs)),
            ("mbsxl.tranche_stats, no mechanism", _median(stats, a.runs)),
            ("mbsxl.tranche_stats, every mechanism on", _median(lambda: stats(**mech), a.runs)),
            ("mbsxl.tranches view='pool', every mechanism on",
             _median(lambda: mbsxl.tranches(pool, None, None, names, sizes, spreads, cleanup_call=0.1, index=idx,
                                            floating=flags, fees=0.0005, view="pool", **mech), a.runs)),
            ("pool projection: mbsxl.cashflows (197 months)",
             _median(lambda: mbsxl.cashflows(jy.POOL["balance"], 0.068, 197, prepay=0.2, default=0.01, severity=0.3,
                                             recovery_lag=12, servicing=0.001, age=22), a.runs))]
    if os.path.exists(WORKBOOK):
        from mbsxl.excel.calc import calculate
        secs = []

        def calc():
            secs.append(calculate(WORKBOOK, progress=False).seconds)
        runs = max(3, a.runs // 2)
        rows.append((f"deal review workbook, headless calculate ({runs} runs)", _median(calc, runs)))
        load = statistics.median(s["load"] for s in secs)
        calc_only = statistics.median(s["calc"] for s in secs)
        rows.append(("  of which: load", load))
        rows.append(("  of which: calc", calc_only))
    w = max(len(r[0]) for r in rows)
    print(f"{'what':<{w}}  median")
    for name, sec in rows:
        print(f"{name:<{w}}  {sec * 1000:9.1f} ms")
    print(f"ratio baseline / mbsxl.tranches: {rows[1][1] / rows[0][1]:.2f}x")


if __name__ == "__main__":
    main()
