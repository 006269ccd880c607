"""The Stress sheet of the committed deal-review workbook (workbooks/jianyuan_2007_1_deal_review.xlsx): its
stored MBS_GRID and MBS_BREAKEVEN values against single calls of mbsxl.cashflows and mbsxl.tranche_stats on
the Deal sheet's inputs (the issue's rules: a grid cell is one projection and one waterfall; the breakeven
CDR is where the class's first principal loss appears, to the tolerance).

Outside figures: class sizes (seed 002), pool balance (seed 001), prospectus CPR 17.26% (seed 002); the
index is the PBoC one-year deposit rate through mbsxl.coupon_index (data/pboc_benchmark_rates.csv).
"""
import os

import numpy as np
import openpyxl
import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

import mbsxl
from mbsxl.templates import deal_review_stress as s
from mbsxl.templates import jianyuan_deal_review as t

PATH = os.path.join(os.path.dirname(__file__), "..", "workbooks", t.FILENAME)
NAMES = list(mbsxl.reference.jianyuan.TRANCHES)
SIZES = list(mbsxl.reference.jianyuan.TRANCHES.values())


@pytest.fixture(scope="module")
def sheet():
    if not os.path.exists(PATH):
        pytest.skip("template not built")
    return openpyxl.load_workbook(PATH, data_only=True)[s.STRESS]


def _v(ws, r, c):
    return ws[xl_rowcol_to_cell(r, c)].value


def _stats(cls, cpr, cdr):
    pool = mbsxl.cashflows(4_160_683_708.0, t.WAC, t.WAM, prepay=cpr, default=cdr, severity=t.SEVERITY,
                           recovery_lag=t.LAG, servicing=t.SERVICING, age=t.AGE)
    idx = mbsxl.coupon_index("2007-12-14", t.WAM, reset="period", payment_day=26)
    return mbsxl.tranche_stats(pool, None, None, NAMES, SIZES, list(t.SPREADS.values()), cleanup_call=t.CALL,
                               index=idx, floating=list(t.FLOATING.values()), fees=t.FEES, class_=cls).iloc[0]


def test_inputs_are_labelled_and_from_the_deal_sheet(sheet):
    assert _v(sheet, s.I["cpr"], 1) == pytest.approx(0.1726)            # seed 002, prospectus CPR
    assert _v(sheet, s.I["severity"], 1) == t.SEVERITY
    assert "assumption" in _v(sheet, s.I["severity"], 2) and "scenario choice" in _v(sheet, s.I["class"], 2)


def test_loss_and_wal_matrices_equal_single_calls(sheet):
    cls = _v(sheet, s.I["class"], 1)
    loss_top = s.R_GRID + 1 * s.GRID_STEP + 1
    wal_top = s.R_GRID + 2 * s.GRID_STEP + 1
    for i in (0, 2, 4):
        for j in (0, 3, 8):
            cpr, cdr = s.CPRS[i], s.CDRS[j]
            assert _v(sheet, loss_top + 1 + i, 0) == cpr and _v(sheet, loss_top, 1 + j) == cdr
            st = _stats(cls, cpr, cdr)
            assert _v(sheet, loss_top + 1 + i, 1 + j) == pytest.approx(st["Total Loss"] / SIZES[NAMES.index(cls)],
                                                                       rel=1e-9, abs=1e-12)
            wal = _v(sheet, wal_top + 1 + i, 1 + j)
            assert (wal is None and np.isnan(st["WAL"])) or wal == pytest.approx(st["WAL"], rel=1e-9)


def test_breakevens_are_where_the_first_loss_appears(sheet):
    for k, cls in enumerate(s.BREAKEVEN_CLASSES):
        c0 = 3 * k
        assert _v(sheet, s.R_BE + 1, c0 + 1) == cls
        be, tol = _v(sheet, s.R_BE + 3, c0 + 1), _v(sheet, s.R_BE + 6, c0 + 1)
        assert _stats(cls, 0.1726, be)["Total Loss"] > 0
        assert _stats(cls, 0.1726, be - tol)["Total Loss"] == 0
        # seniority: a more senior class breaks at a higher CDR
        if k:
            assert be < _v(sheet, s.R_BE + 3, c0 - 2)
