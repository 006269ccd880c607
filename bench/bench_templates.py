"""Benchmark: headless recalculation of the template workbooks (``mbsxl calc``).

Times, median of ``--runs`` (default 3):

- ``calc pool``: :func:`mbsxl.excel.calc.calculate` on ``workbooks/jianyuan_2007_1_pool.xlsx``
  (12,254-loan tape, Tables 1-5 by COUNTIFS/SUMIFS/SUMPRODUCT, MBS_POOLSUMMARY and 4 MBS_STRAT);
  target under 10 s (issue 4);
- ``calc prepayment``: the same on ``workbooks/jianyuan_2007_1_prepayment.xlsx``; likewise the deal
  review and the prepayment regression workbooks, and the sum of the four medians (issue 11: the
  safety guards must not make it more than 20% slower);
- baseline ``python tables``: the straightforward computation of the same tables in Python -- read the
  tape with openpyxl, then :func:`mbsxl.pool_summary` and four :func:`mbsxl.strat` -- in the same run;
  the ratio says what the spreadsheet engine costs over it.

Run: ``/work/venv/bin/python bench/bench_templates.py [--runs 3]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _time(fn, runs):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    import openpyxl
    import mbsxl
    from mbsxl.excel.calc import calculate
    from mbsxl.templates import jianyuan_pool as PT
    from mbsxl.reference import tape as tp
    pool = os.path.join(ROOT, "workbooks", PT.FILENAME)
    prepay = os.path.join(ROOT, "workbooks", "jianyuan_2007_1_prepayment.xlsx")

    def python_tables():
        wb = openpyxl.load_workbook(pool, read_only=True, data_only=True)
        rows = [r for r in wb[PT.TAPE].iter_rows(min_row=2, values_only=True) if r[2] is not None]
        cols = list(zip(*rows))
        bal = cols[2]
        mbsxl.pool_summary(bal, cols[3], cols[5], cols[6], cols[7], cols[1])
        for _, col, bps, labels in PT.TABLES:
            mbsxl.strat(cols[tp.COLUMNS.index(col)], bal, bps, labels)

    res = {}
    res["calc pool"] = _time(lambda: calculate(pool, progress=False), a.runs)
    res["calc prepayment"] = _time(lambda: calculate(prepay, progress=False), a.runs)
    for name in ("jianyuan_2007_1_deal_review.xlsx", "prepayment_regression.xlsx"):
        path = os.path.join(ROOT, "workbooks", name)
        res[f"calc {name.split('.')[0].replace('jianyuan_2007_1_', '')}"] = _time(
            lambda path=path: calculate(path, progress=False), a.runs)
    res["calc all four (sum)"] = (sum(res[k][0] for k in list(res) if k.startswith("calc ")), [])
    res["python tables (baseline)"] = _time(python_tables, a.runs)
    base = res["python tables (baseline)"][0]
    print(f"{'what':28s} {'median s':>9s} {'runs':>24s} {'x baseline':>10s}")
    for k, (m, ts) in res.items():
        print(f"{k:28s} {m:9.2f} {' '.join(f'{t:.2f}' for t in ts):>24s} {m / base:10.1f}")
    print(f"pool template under 10 s: {res['calc pool'][0] < 10}")


if __name__ == "__main__":
    main()
