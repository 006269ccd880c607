"""Deal mechanisms of the waterfall (issue 14): VAT, excess spread, triggers, the liquidity reserve,
fixed-amortisation classes, principal covering a senior interest shortfall.

Figures from outside the project: the rules stated in issue 14 (VAT = 3% of the trust's interest
income under the simplified method since 2018; excess spread = pool net interest - fees - taxes -
interest due on every class except the residual class, x 12 / pool beginning balance as a rate; a
trigger trips in the period its measure crosses and switches principal that same period; the reserve
filled to target and drawn by exactly the shortfall; an A-1 class follows its schedule), each
computed by hand in the test from small round numbers.  Class sizes of Jianyuan 2007-1 from seed 002
(A 3,582,348,600, B 356,154,500, C 82,381,500, subordinate 139,799,108; pool 4,160,683,708, seed 001).
"""
import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.excel.convert import to_excel
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import XlError

NAMES = ["A", "B", "C", "Subordinate"]
SIZES = [3_582_348_600.0, 356_154_500.0, 82_381_500.0, 139_799_108.0]
POOL_BALANCE = 4_160_683_708.0


def _pool_view(*a, **k):
    return mbsxl.tranches(*a, view="pool", **k)


# ---------------------------------------------------------------------------------- VAT and excess spread
def test_vat_and_excess_spread_by_hand():
    # Two classes, A 600 at 6% (0.5% a month), residual B 400; pool 1000; fees 1.2% a year.
    # Period 1: interest collections 10; VAT 3% = 0.30; fees 1.2%/12 x 1000 = 1.00;
    #   A interest due 600 x 0.005 = 3.00; excess spread = 10 - 0.30 - 1.00 - 3.00 = 5.70;
    #   as a rate 12 x 5.70 / 1000 = 6.84%.  The residual class B is paid the 5.70.
    # Period 2: principal 100 was paid to A in period 1 -> A 500, pool 900; interest 9:
    #   VAT 0.27, fees 0.90, A due 2.50, excess 9 - 0.27 - 0.90 - 2.50 = 5.33, rate 12 x 5.33 / 900.
    prin, intr = [100.0, 100.0], [10.0, 9.0]
    args = (prin, intr, None, ["A", "B"], [600.0, 400.0], [0.06, 0.0])
    p = _pool_view(*args, fees=0.012, vat_rate=0.03)
    assert list(p.columns) == C.POOL_PERIOD_COLUMNS
    assert p[C.VAT].tolist() == pytest.approx([0.30, 0.27], abs=1e-12)
    assert p[C.FEES_DUE].tolist() == pytest.approx([1.00, 0.90], abs=1e-12)
    assert p[C.INTEREST_DUE_EX_RESIDUAL].tolist() == pytest.approx([3.00, 2.50], abs=1e-12)
    assert p[C.EXCESS_SPREAD].tolist() == pytest.approx([5.70, 5.33], abs=1e-12)
    assert p[C.EXCESS_SPREAD_RATE].tolist() == pytest.approx([0.0684, 12 * 5.33 / 900], abs=1e-12)
    t = mbsxl.tranches(*args, fees=0.012, vat_rate=0.03)
    assert t[t[C.CLASS] == "B"][C.INTEREST_PAID].tolist() == pytest.approx([5.70, 5.33], abs=1e-12)
    # the class table's columns and order are unchanged by the new arguments
    assert list(t.columns) == C.TRANCHE_COLUMNS


def test_vat_is_three_percent_of_interest_income_on_jianyuan():
    pool = mbsxl.cashflows(POOL_BALANCE, 0.0711, 200, prepay=0.1726, default=0.01, severity=0.3, servicing=0.001)
    p = _pool_view(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], vat_rate=0.03, fees=0.0005)
    np.testing.assert_allclose(p[C.VAT], 0.03 * pool[C.NET_INTEREST].to_numpy(), rtol=1e-15)
    # VAT comes first: interest paid + fees paid + VAT = interest collections (residual takes the rest)
    t = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], vat_rate=0.03, fees=0.0005)
    paid = t.groupby(C.PERIOD)[C.INTEREST_PAID].sum().to_numpy()
    np.testing.assert_allclose(paid + p[C.FEES_PAID] + p[C.VAT], pool[C.NET_INTEREST], rtol=1e-12)
    # and lowers the residual class's interest by exactly the VAT
    t0 = mbsxl.tranches(pool, None, None, NAMES, SIZES, [0.01, 0.015, 0.025, 0.0], fees=0.0005)
    sub = t[t[C.CLASS] == "Subordinate"][C.INTEREST_PAID].to_numpy()
    sub0 = t0[t0[C.CLASS] == "Subordinate"][C.INTEREST_PAID].to_numpy()
    np.testing.assert_allclose(sub0 - sub, p[C.VAT], rtol=1e-9)


def test_excess_spread_worksheet_view():
    pool = mbsxl.cashflows(1000.0, 0.06, 12)
    cells = np.array(to_excel(pool), dtype=object)
    out = call("MBS_TRANCHES", cells, None, None, [["A"], ["B"]], [[600], [400]], [[0.04], [0.0]], None, None,
               None, None, None, 0.012, None, None, None, True, "pool", 0.03)
    assert out[0] == C.POOL_PERIOD_COLUMNS and len(out) == 13
    row = dict(zip(out[0], out[1]))
    # period 1 by hand: interest 1000 x 6%/12 = 5; VAT 0.15; fees 1.00; A due 600 x 4%/12 = 2
    assert row[C.EXCESS_SPREAD] == pytest.approx(5 - 0.15 - 1.0 - 2.0, abs=1e-12)
    assert row[C.EXCESS_SPREAD_RATE] == pytest.approx(12 * 1.85 / 1000, abs=1e-12)
    e = call("MBS_TRANCHES", cells, None, None, [["A"]], [[600]], [[0.04]], None, None, None, None, None, None,
             None, None, None, True, "deal summary")
    assert isinstance(e, XlError) and "view='deal summary'" in e.reason
