"""A reserve target on the period's own interest and fees (账户 Ledgers ``目标利息期 interest_basis current``,
``含费用 with_fees fees``): the positional waterfall's liquidity reserve (``reserve`` months x (the period's fees +
senior interest), 0 once the seniors are repaid, as in mbsxl.deal.waterfall step d), written as a deal table.

Hand-worked schedule (30/360, classes A 1000 at 12% = 1% a month, Sub 200 with no coupon; fees 1.2% a year of the
pool's beginning balance; VAT 3% of the interest collections, paid by a pay_tax step; reserve target 3 periods):

period 1: pool 1200, interest 20, principal 100.  VAT 0.60, fee 1.20, A interest 10.00, 8.20 left.
          target = 3 x (10.00 + 1.20) = 33.60 (VAT left out: with_fees fees); the reserve takes 8.20; Sub 0.
          A repaid 100 -> 900.
period 2: pool 1100, interest 18, principal 900.  VAT 0.54, fee 1.10, A interest 9.00, 7.36 left.
          target = 3 x (9.00 + 1.10) = 30.30; the reserve takes 7.36 -> 15.56; Sub 0.  A repaid 900 -> 0.
period 3: pool 200, interest 4, principal 0.  VAT 0.12, fee 0.20, A's beginning balance 0 -> target 0: the reserve
          releases 15.56 into income; Sub's residual = 4 - 0.12 - 0.20 + 15.56 = 19.24.
With the default ``next`` basis and with_fees yes, period 3's target is 3 x (0 + 0.12 + 0.20) = 0.96 (the fees and
taxes still count after A is repaid), the release 14.60 and Sub's residual 18.28.
"""
import numpy as np
import pandas as pd
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.deal import ledger as lg
from mbsxl.deal.dealtable import parse_deal
from mbsxl.errors import MbsxlInputError

POOL = pd.DataFrame({C.PERIOD: [1, 2, 3], C.BEGINNING_BALANCE: [1200.0, 1100.0, 200.0],
                     C.NET_INTEREST: [20.0, 18.0, 4.0], C.TOTAL_PRINCIPAL: [100.0, 900.0, 0.0],
                     C.LOSS: [0.0, 0.0, 0.0], C.DEFAULT: [0.0, 0.0, 0.0], C.ENDING_BALANCE: [1100.0, 200.0, 200.0]})


def table(basis="current", with_fees="fees"):
    return [["Classes", "balance", "coupon", "carry"], ["A", 1000.0, 0.12, "yes"], ["Sub", 200.0, 0.0, "no"], [None],
            ["Fees", "rate", "base"], ["VAT", 0.03, "interest"], ["fee", 0.012, "pool_balance"], [None],
            ["Ledgers", "receives", "type", "interest_periods", "interest_of", "with_fees", "interest_basis"],
            ["income", "interest"], ["principal", "principal"],
            ["reserve", "none", "reserve", 3, "A", with_fees, basis], [None],
            ["Priority", "ledger", "step", "action", "target"],
            ["normal", "income", 1, "pay_tax", "VAT"], ["normal", "income", 2, "pay_fee", "fee"],
            ["normal", "income", 3, "pay_interest", "A"], ["normal", "income", 4, "fund_reserve", "reserve"],
            ["normal", "income", 5, "release_reserve", "reserve"], ["normal", "income", 6, "pay_residual", "Sub"],
            ["normal", "principal", 1, "pay_principal", "A"], ["normal", "principal", 2, "pay_principal", "Sub"]]


def _reserve(r, d):
    return r.ledgers[0, :, [x.name for x in d.ledgers].index("reserve"), 2]


def test_current_basis_hand_worked():
    d = parse_deal(table())
    r = lg.run(d, POOL)
    assert _reserve(r, d) == pytest.approx([8.20, 15.56, 0.0], abs=1e-9)
    assert r.classes[0, :, 1, lg.RESID] == pytest.approx([0.0, 0.0, 19.24], abs=1e-9)
    assert r.fees[0, :, 0, 0] == pytest.approx([0.60, 0.54, 0.12], abs=1e-12)


def test_next_basis_keeps_the_fees_after_the_class_is_repaid():
    d = parse_deal(table(basis="next", with_fees="yes"))
    r = lg.run(d, POOL)
    assert _reserve(r, d)[2] == pytest.approx(0.96, abs=1e-9)
    assert r.classes[0, 2, 1, lg.RESID] == pytest.approx(18.28, abs=1e-9)


def test_equals_the_positional_reserve():
    # the same deal through mbsxl.tranches (view pool): reserve 3 months, VAT 3%, class A the senior class
    pv = mbsxl.tranches(POOL, None, None, ["A", "Sub"], [1000.0, 200.0], [0.12, 0.0], "sequential", view="pool",
                        fees=0.012, vat_rate=0.03, reserve=[["months", 3]])
    d = parse_deal(table())
    assert _reserve(lg.run(d, POOL), d) == pytest.approx(pv[C.RESERVE_BALANCE].to_numpy(), abs=1e-9)
    assert pv[C.RESERVE_TARGET].to_numpy() == pytest.approx([33.60, 30.30, 0.0], abs=1e-9)


def test_reserve_shortfall_event_uses_the_same_target():
    # period 1: target 33.60, balance 8.20 -> shortfall 25.40; period 2: 30.30 - 15.56 = 14.74; period 3: 0
    t = table() + [[None], ["Events", "measure", "of", "threshold"], ["short", "reserve_shortfall", "reserve", 1e12]]
    r = lg.run(parse_deal(t), POOL)
    assert r.events[0, :, 0, 0] == pytest.approx([25.40, 14.74, 0.0], abs=1e-9)


@pytest.mark.parametrize("cell, words", [("this month", ["interest_basis", "not accepted", "current"]),
                                         ("current", ["interest_basis", "interest_periods"])])
def test_refused(cell, words):
    t = table(basis=cell)
    if cell == "current":
        t[11] = ["reserve", "none", "reserve", None, None, None, "current"]
    with pytest.raises(MbsxlInputError) as e:
        parse_deal(t)
    assert all(w in str(e.value) for w in words), str(e.value)
