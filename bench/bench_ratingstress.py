"""Benchmark: the rating agencies' stress table of Jianyuan 2007-1 (issue 18: 3 classes x 8 scenarios x 8 ratings,
each breakeven a bracketing search over full projections and waterfalls, in under 2 s).

The deal as the deal-review template's Rating sheet sets it up (:mod:`mbsxl.templates.deal_review_rating`: seed
001/002 pool and class sizes; WAC 6.80%, WAM 197, servicing 0.1%, fees 0.05%, spreads 0.9/1.5/2.5%, floating
seniors on the PBoC one-year deposit rate, clean-up call 10%, recovery 70% after 12 months, base cumulative
default 3%: labelled assumptions), the example scenario set and multiplier table of :mod:`mbsxl.deal.agency_stress`.

- candidate: ``mbsxl.rating_stress`` (every search's 15 probes a round, all searches projected and run through
  the batched waterfall together);
- baseline: the same 24 searches as a worksheet would run them, one evaluation at a time through
  ``mbsxl.excel.dispatch.call``: ``MBS_DEFAULTTIMING`` -> ``MBS_TRANCHES`` (MBS_TRANCHESTATS has no Shortfall
  column, and "on time" needs it), bisection on [0, 1] to the same width (1e-7).

Runs alternate (candidate, baseline, candidate, ...); medians.  The baseline's breakevens are checked against
the candidate's.  Run: ``python bench/bench_ratingstress.py [--runs N]``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import mbsxl
from mbsxl.deal import agency_stress as ag
from mbsxl import columns as C
from mbsxl.excel.dispatch import call
from mbsxl.templates import deal_review_rating as R
from mbsxl.templates import jianyuan_deal_review as J


def _col(xs):
    return np.array([[x] for x in xs], dtype=object)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    d = R.python_args(J)
    idx = np.asarray(d["index"], dtype=float)
    scen = ag.scenario_table(None)
    T, bal, tol = d["wam"], d["balance"], 1e-7

    def candidate():
        return mbsxl.rating_stress(**d)

    def fails(c, s, k):
        rates = np.full(T, d["wac"])
        rates[s["rate_lag"]:] += s["rate_shift"]
        pool = call("MBS_DEFAULTTIMING", bal, _col(rates), T, c, s["timing"], "year", d["horizon"], s["shift"],
                    d["recovery_rate"], d["recovery_lag"], s["cpr"], d["servicing"])
        t = np.asarray(call("MBS_TRANCHES", np.asarray(pool, dtype=object), None, None, _col(d["tranche_names"]),
                            _col(d["tranche_balances"]), _col(d["tranche_coupons"]), "sequential", d["cleanup_call"],
                            None, _col(idx + s["index_shift"]), _col(d["floating"]), d["fees"]), dtype=object)
        head = list(t[0])
        rows = t[1:][t[1:, head.index(C.CLASS)] == d["tranche_names"][k]]
        short = rows[:, head.index(C.SHORTFALL)].astype(float)
        loss = rows[:, head.index(C.LOSS)].astype(float)
        end = rows[:, head.index(C.ENDING_BALANCE)].astype(float)
        lim = max(1e-12 * d["tranche_balances"][k], 1e-9)
        return short.max() > lim or loss.sum() > lim or end[-1] > lim

    def baseline():
        out = np.zeros((3, len(scen)))
        for k in range(3):
            for i, s in enumerate(scen):
                if fails(0.0, s, k):
                    continue
                if not fails(1.0, s, k):
                    out[k, i] = 1.0
                    continue
                lo, hi = 0.0, 1.0
                while hi - lo > tol:
                    mid = 0.5 * (lo + hi)
                    lo, hi = (lo, mid) if fails(mid, s, k) else (mid, hi)
                out[k, i] = lo
        return out

    candidate()                                                   # warm-up (imports, first allocations), not timed
    cand_t, base_t = [], []
    table = base = None
    for _ in range(a.runs):
        t0 = time.perf_counter()
        table = candidate()
        cand_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        base = baseline()
        base_t.append(time.perf_counter() - t0)
    be = mbsxl.rating_stress(**{**d, "view": "breakevens"})[C.BREAKEVEN_DEFAULT].to_numpy().reshape(3, -1)
    diff = float(np.abs(be - base).max())
    assert diff <= 2e-7, diff
    cm, bm = statistics.median(cand_t), statistics.median(base_t)
    print(f"mbsxl.rating_stress, Jianyuan 2007-1, 3 classes x {len(scen)} scenarios x {len(ag.EXAMPLE_MULTIPLIERS)} "
          f"ratings: median {cm * 1000:.0f} ms over {a.runs} runs")
    print(f"baseline: 24 bisections through MBS_DEFAULTTIMING -> MBS_TRANCHES dispatch calls: median {bm:.2f} s")
    print(f"ratio baseline / candidate: {bm / cm:.1f}x;  largest breakeven difference {diff:.1e}")
    print(table.drop_duplicates(C.CLASS)[[C.CLASS, C.MIN_BREAKEVEN, C.WORST_SCENARIO, C.HIGHEST_RATING]]
          .to_string(index=False))


if __name__ == "__main__":
    main()
