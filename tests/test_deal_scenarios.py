"""Grids and breakevens on the deal table (issue 19, item 2) against the existing scenario functions and
against single runs.  Source of the expected figures: mbsxl.grid / mbsxl.breakeven on the same deal
given as positional arguments (Jianyuan 2007-1 as the deal review sets it up: seed 001/002 pool and class
sizes, the review's labelled assumptions), and mbsxl.deal_flows run scenario by scenario."""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.templates import jianyuan_deal_review as t

NAMES, BALS = list(t.SPREADS), list(mbsxl.reference.jianyuan.TRANCHES.values())
SPREADS, FLOAT = list(t.SPREADS.values()), list(t.FLOATING.values())
POOL = (4_160_683_708.0, t.WAC, t.WAM)


@pytest.fixture(scope="module")
def index():
    return mbsxl.coupon_index("2007-12-14", t.WAM, reset="period", payment_day=26)


def test_deal_grid_equals_grid_on_the_same_deal(index):
    cprs, cdrs = [0.0, 0.1, 0.25, 0.4], [0.0, 0.02, 0.06, 0.1]
    deal = mbsxl.deal_from_tranches(NAMES, BALS, SPREADS, "sequential", t.CALL, FLOAT, t.FEES)
    for cls in ("A", "C"):
        old = mbsxl.grid(*POOL, NAMES, BALS, SPREADS, cls, 100, cprs, cdrs, t.SEVERITY, t.LAG, t.SERVICING, t.AGE,
                         "sequential", t.CALL, index, FLOAT, t.FEES, 2, 26)
        new = mbsxl.deal_grid(*POOL, deal, cls, 100, cprs, cdrs, t.SEVERITY, t.LAG, t.SERVICING, t.AGE, index, 2, 26)
        for c in C.GRID_COLUMNS:
            np.testing.assert_allclose(new[c].to_numpy(dtype=float), old[c].to_numpy(dtype=float), rtol=1e-10,
                                       atol=1e-9, err_msg=(cls, c))


def test_deal_breakeven_equals_breakeven_on_the_same_deal(index):
    deal = mbsxl.deal_from_tranches(NAMES, BALS, SPREADS, "sequential", t.CALL, FLOAT, t.FEES)
    old = mbsxl.breakeven(*POOL, NAMES, BALS, SPREADS, "C", 0.2, 0.4, 0.04, 100, t.LAG, t.SERVICING, t.AGE,
                          "sequential", t.CALL, index, FLOAT, t.FEES)
    new = mbsxl.deal_breakeven(*POOL, deal, "C", 0.2, 0.4, 0.04, 100, t.LAG, t.SERVICING, t.AGE, index)
    np.testing.assert_allclose(new[C.VALUE].to_numpy(dtype=float), old[C.VALUE].to_numpy(dtype=float), rtol=1e-9)


def test_grid_scenarios_equal_single_runs_of_a_deal_with_events():
    # the modern template's deal (events, default cover, a reserve): each grid cell = a single run of the
    # deal over mbsxl.cashflows at that CPR and CDR
    from mbsxl.templates import modern_rmbs_review as m
    _, index = m._python_pool()
    grid = mbsxl.deal_grid(5e9, 0.033, 300, m.DEAL_ROWS, "A2", 100, [0.05, 0.3], [0.0, 0.04], 0.4, 12, 0.001, 0, index)
    for row in grid.itertuples(index=False):
        pool = mbsxl.cashflows(5e9, 0.033, 300, row[0], "CPR", row[1], "CDR", 0.4, 12, 0.001)
        s = mbsxl.deal_stats(pool, m.DEAL_ROWS, 100, 2, index)
        a2 = s[s[C.CLASS] == "A2"].iloc[0]
        assert row[3] == pytest.approx(a2[C.WAL], rel=1e-12)
        assert row[4] == pytest.approx(a2[C.YIELD], rel=1e-9)
        assert row[5] == pytest.approx(a2[C.TOTAL_LOSS], abs=1e-6)
