"""Jianyuan 2007-1 through the deal table equals today's waterfall (issue 19, "done when").

The deal-review workbook's defaults (mbsxl/templates/jianyuan_deal_review.py: class sizes of seed 002,
pool of seed 001, its fee, spread, loss and call assumptions, the PBoC one-year deposit index) are run
through :func:`mbsxl.tranches` (positional arguments) and through :func:`mbsxl.deal_flows` on the deal
table :func:`mbsxl.deal_from_tranches` builds from the same arguments.  The combinations are the
review's 9 CPRs x 6 CDRs of its grid sheet, with and without the 10% clean-up call, sequential and pro
rata, residual to the subordinate class or released: 9 x 6 x 2 x 2 x 2 = 432 class tables, every
column compared to 1e-6 yuan.
"""
import itertools

import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.templates import jianyuan_deal_review as t

NAMES = list(t.SPREADS)
BALS = list(mbsxl.reference.jianyuan.TRANCHES.values())
SPREADS = list(t.SPREADS.values())
FLOAT = list(t.FLOATING.values())
COLS = [C.BEGINNING_BALANCE, C.COUPON, C.INTEREST_DUE, C.INTEREST_PAID, C.SHORTFALL, C.PRINCIPAL, C.LOSS,
        C.ENDING_BALANCE, C.CASH_FLOW]


@pytest.fixture(scope="module")
def index():
    return mbsxl.coupon_index("2007-12-14", t.WAM, reset="period", payment_day=26)


def _pool(cpr, cdr):
    return mbsxl.cashflows(4_160_683_708.0, t.WAC, t.WAM, prepay=cpr, default=cdr, severity=t.SEVERITY,
                           recovery_lag=t.LAG, servicing=t.SERVICING, age=t.AGE)


def test_432_default_combinations_equal_tranches(index):
    compared = 0
    worst = 0.0
    for cpr, cdr in itertools.product(t.CPRS, t.CDRS):
        pool = _pool(cpr, cdr)
        for call, structure, residual in itertools.product((0.0, t.CALL), ("sequential", "pro_rata"), (True, False)):
            old = mbsxl.tranches(pool, None, None, NAMES, BALS, SPREADS, structure, call, index=index, floating=FLOAT,
                                 fees=t.FEES, residual=residual)
            deal = mbsxl.deal_from_tranches(NAMES, BALS, SPREADS, structure, call, FLOAT, t.FEES, False, None, residual)
            new = mbsxl.deal_flows(pool, deal, index=index)
            assert list(new[C.CLASS]) == list(old[C.CLASS])
            for c in COLS:
                gap = float(np.abs(new[c].to_numpy(dtype=float) - old[c].to_numpy(dtype=float)).max())
                worst = max(worst, gap)
                assert gap <= 1e-6, (cpr, cdr, call, structure, residual, c, gap)
            compared += 1
    assert compared == 432
    assert worst <= 1e-6


def test_stats_and_interest_on_shortfall_equal_tranche_stats(index):
    # the review's prospectus scenario (17.26% CPR, seed 002) with shortfall earning the coupon
    pool = _pool(0.1726, 0.05)
    old = mbsxl.tranche_stats(pool, None, None, NAMES, BALS, SPREADS, "sequential", t.CALL, index=index,
                              floating=FLOAT, fees=t.FEES, interest_on_shortfall=True)
    deal = mbsxl.deal_from_tranches(NAMES, BALS, SPREADS, "sequential", t.CALL, FLOAT, t.FEES, True)
    new = mbsxl.deal_stats(pool, deal, index=index)
    for c in C.STATS_COLUMNS[1:]:
        np.testing.assert_allclose(new[c].to_numpy(dtype=float), old[c].to_numpy(dtype=float), atol=1e-6, rtol=0)


def test_ledger_view_reconciles_to_the_class_table(index):
    """Every step's amount adds up to the class table: interest paid = the pay_interest and pay_residual
    lines of the class; principal = its pay_principal lines (pro rata group split by the class table)."""
    pool = _pool(0.25, 0.02)
    deal = mbsxl.deal_from_tranches(NAMES, BALS, SPREADS, "sequential", t.CALL, FLOAT, t.FEES)
    cls = mbsxl.deal_flows(pool, deal, index=index)
    led = mbsxl.deal_flows(pool, deal, "ledgers", index=index)
    for name in NAMES:
        paid = led[(led[C.ACTION].isin(["pay_interest", "pay_residual"])) & (led[C.TARGET] == name)][C.AMOUNT].sum()
        prin = led[(led[C.ACTION] == "pay_principal") & (led[C.TARGET] == name)][C.AMOUNT].sum()
        rows = cls[cls[C.CLASS] == name]
        assert paid == pytest.approx(rows[C.INTEREST_PAID].sum(), abs=1e-6)
        assert prin == pytest.approx(rows[C.PRINCIPAL].sum(), abs=1e-6)
