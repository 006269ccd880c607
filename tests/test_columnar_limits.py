"""The cell limit follows the path that will hold the cells (issue 21, mbsxl/excel/limits.py).

The ordinary (pycel) path holds ~18 KB a formula cell, so ``--max-cells`` stays 5,000,000; the columnar
path ~100 bytes a cell, so ``--max-columnar-cells`` is 30,000,000.  The benchmark's 1,000,000-row tape
(bench/bench_headless.py: 4 inputs + 5 formulas a row, 6 summary cells, 9,000,006 cells and more) is
over the first and under the second.  Here every figure is scaled by 1/1000: the same tape at 1,000
rows against limits of one thousandth of the defaults.  The values are checked against numpy
(``bench_headless.expected``, computed independently of both paths).
"""
from __future__ import annotations

import importlib.util
import os

import pytest

from mbsxl.excel import _columnar, calc
from mbsxl.excel.limits import LimitExceeded, Limits, precheck

SCALE = 1000
HERE = os.path.dirname(os.path.abspath(__file__))


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_headless", os.path.join(HERE, os.pardir, "bench", "bench_headless.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _scaled() -> Limits:
    d = Limits()
    return Limits(max_cells=d.max_cells // SCALE, max_columnar_cells=d.max_columnar_cells // SCALE)


def test_defaults_hold_the_million_row_tape_on_the_columnar_path_only():
    d = Limits()
    cells = 9 * 1_000_000 + 6                 # the 1M-row tape's formula and input cells (README)
    assert d.max_cells < cells <= d.max_columnar_cells
    # ~100 bytes a cell on the columnar path stays inside the default memory limit
    assert d.max_columnar_cells * 100 < d.max_memory_mb * 1024 * 1024


def test_tape_shaped_count_passes_on_the_columnar_path(tmp_path):
    b = _bench()
    path = os.path.join(tmp_path, "tape.xlsx")
    b.make_tape(path, SCALE)                   # 1,000 rows: > max_cells/1000, < max_columnar_cells/1000
    with pytest.raises(LimitExceeded, match="--max-cells"):      # the ordinary path's load check refuses it
        precheck(path, _scaled())
    v = calc.calculate(path, progress=False, limits=_scaled())
    assert isinstance(v, _columnar.ColumnValues)
    want = b.expected(SCALE)
    for ref, x in want.items():
        assert v[f"Tape!{ref}"] == pytest.approx(x, rel=1e-12), ref


def test_a_workbook_the_columnar_path_declines_is_still_refused_over_max_cells(tmp_path):
    """A running balance (a column reading itself) is not modelled: the columnar path reads it within
    its own limit, declines, and the ordinary path refuses it above --max-cells."""
    import xlsxwriter
    path = os.path.join(tmp_path, "run.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("T")
    n = 3000                                   # 6,000 cells > 5,000
    ws.write(0, 0, 1.0)
    ws.write(0, 1, 1.0)
    for i in range(1, n):
        ws.write(i, 0, 1.0)
        ws.write_formula(i, 1, f"=B{i}+A{i + 1}")
    wb.close()
    assert _columnar.calculate(path, limits=_scaled()) is None          # declined, not refused
    with pytest.raises(LimitExceeded, match=r"more than 5,000 cells.*--max-cells"):
        calc.calculate(path, progress=False, limits=_scaled())
    # within --max-cells the ordinary path computes it: B(n) = n ones added (hand-worked)
    assert calc.calculate(path, progress=False)[f"T!B{n}"] == n
