"""The committed deal-review workbook (workbooks/jianyuan_2007_1_deal_review.xlsx): its stored values
against the seeds and against the Python API on the same inputs.

Outside figures: class sizes (seed 002), pool balance and loans (seed 001), prospectus CPR 17.26% and the
~25% realised speed (seed 002), the PBoC one-year deposit rate in force on 2007-12-14, 3.87% (PBoC table,
data/pboc_benchmark_rates.csv, effective 2007-09-15).
"""
import os

import numpy as np
import openpyxl
import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

import mbsxl
from mbsxl.deal import waterfall as wf
from mbsxl.templates import jianyuan_deal_review as t

PATH = os.path.join(os.path.dirname(__file__), "..", "workbooks", t.FILENAME)


@pytest.fixture(scope="module")
def book():
    if not os.path.exists(PATH):
        pytest.skip("template not built")
    return openpyxl.load_workbook(PATH, data_only=True)


def _v(book, sheet, r, c):
    return book[sheet][xl_rowcol_to_cell(r, c)].value


def test_published_structure(book):
    sizes = [_v(book, t.DEAL, t.R_CLS + i, 1) for i in range(4)]
    assert sizes == [3_582_348_600, 356_154_500, 82_381_500, 139_799_108]          # seed 002
    assert _v(book, t.DEAL, t.R_TOTAL, 1) == 4_160_683_708                           # seed 001
    assert _v(book, t.DEAL, t.R_TOTAL + 1, 1) == 0
    assert _v(book, t.DEAL, t.P["loans"], 1) == 12_254                               # seed 001
    assert [_v(book, t.DEAL, t.R_SCEN + i, 1) for i in range(2)] == [0.1726, 0.25]   # seed 002
    # class A coupon, period 1 = deposit rate in force at issue (3.87%) + the spread assumption
    assert _v(book, t.DEAL, t.R_CLS, 5) == pytest.approx(0.0387 + t.SPREADS["A"])


def test_summary_equals_python_api(book):
    # the worksheet path (MBS_CASHFLOWS -> MBS_TRANCHESTATS) and the Python path on the same inputs
    pool = mbsxl.cashflows(4_160_683_708.0, t.WAC, t.WAM, prepay=0.1726, default=t.CDR, severity=t.SEVERITY,
                           recovery_lag=t.LAG, servicing=t.SERVICING, age=t.AGE)
    idx = mbsxl.coupon_index("2007-12-14", t.WAM, reset="period", payment_day=26)
    s = mbsxl.tranche_stats(pool, None, None, list(t.SPREADS), list(mbsxl.reference.jianyuan.TRANCHES.values()),
                            list(t.SPREADS.values()), cleanup_call=t.CALL, index=idx,
                            floating=list(t.FLOATING.values()), fees=t.FEES)
    r0 = 4 + 2                                    # first scenario: title row 4, header row 5, classes from 6
    for i in range(4):
        for j, col in enumerate(wf.STATS_COLUMNS[2:], start=2):
            assert _v(book, t.SUMMARY, r0 + i, j) == pytest.approx(s[col].iloc[i], rel=1e-9), (i, col)


def test_grid_wal_falls_with_cpr(book):
    top = 8
    wal = np.array([[_v(book, t.GRID, top + i, 1 + j) for j in range(len(t.CDRS))] for i in range(len(t.CPRS))],
                   dtype=float)
    assert np.isfinite(wal).all()
    assert (np.diff(wal, axis=0) < 0).all()       # faster prepayment shortens class A at every CDR
