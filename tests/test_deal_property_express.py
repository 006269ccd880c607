"""The property test of tests/test_deal_property.py (issue 19, "done when") over deal tables that use the
mechanisms added after it: events on excess spread (averaged or not), a reserve's shortfall, a class's
loss, principal deficiency and factor, overcollateralisation and the period, combined with all / any /
none; principal down to an OC target; the principal deficiency cured from income; a coupon schedule
(step-up); a reserve target in periods of senior interest, a ratio
of the pool or the seniors, a floor; pro rata by original balance; a clean-up
call at a price, par plus accrued, not before a period, or in a given period; interest on unpaid
interest and fees; quarterly payment dates and ACT/365.  Properties (the issue text): every ledger
conserves cash in every month (recomputed here from each step's amount, independently of the engine's
own check), no class is paid more than it is owed, every class is repaid or written off, losses fall
bottom-up.  Deals random (hypothesis), pools projections of mbsxl.cashflows."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import mbsxl
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg

OUT = {"pay_fee", "pay_tax", "pay_interest", "pay_principal", "pay_residual", "release", "transfer", "fund_reserve"}


@st.composite
def deals(draw):
    n = draw(st.integers(2, 4))
    names = [f"C{k}" for k in range(n)]
    w = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    scale = draw(st.floats(0.5, 1.0)) * 1000.0 / sum(w)
    rows = [["Classes", "balance", "coupon", "carry", "oc_target", "oc_floor"]]
    for k, nm in enumerate(names):
        rows.append([nm, w[k] * scale, draw(st.floats(0.0, 0.1)), draw(st.sampled_from(["yes", "no", "compound"])),
                     draw(st.floats(0.0, 0.6)), draw(st.sampled_from([None, 0.005, 0.1]))])
    if draw(st.booleans()):                             # a coupon step-up (a schedule) on the first class
        rows[1][2] = "stepc"
        rows += [[None], ["Schedules", "from", "to", "value"], ["stepc", 1, 5, draw(st.floats(0.0, 0.05))],
                 ["stepc", 6, None, draw(st.floats(0.0, 0.1))]]
    rows += [[None], ["Fees", "rate", "base", "carry", "arrears_rate", "cap"],
             ["trustee", draw(st.floats(0.0, 0.02)), "pool_balance", "yes", draw(st.sampled_from([0.0, 0.1])),
              draw(st.sampled_from([None, 0.05]))],
             ["audit", draw(st.floats(0.0, 5.0)), "fixed", "yes", draw(st.sampled_from([0.0, 0.24])), None]]
    seniors = "+".join(names[:2])
    rows += [[None], ["Ledgers", "receives", "type", "target", "initial", "interest_periods", "interest_of",
                      "target_ratio", "ratio_of", "floor", "with_fees"],
             ["inc", "interest", None, None, None, None, None, None, None, None, None],
             ["prin", "principal", None, None, None, None, None, None, None, None, None],
             ["res", "none", "reserve", draw(st.floats(0.0, 5.0)), draw(st.floats(0.0, 10.0)),
              draw(st.sampled_from([0, 1, 3])), seniors, draw(st.sampled_from([0.0, 0.01, 0.05])),
              draw(st.sampled_from(["pool", seniors])), draw(st.sampled_from([None, 2.0])), None]]
    if rows[-1][5]:
        rows[-1][10] = draw(st.sampled_from(["yes", "no"]))
    rows += [[None], ["Priority", "ledger", "step", "action", "target", "limit"]]
    statuses = ["normal", "acc", "step"]
    for status in statuses:
        inc = [("pay_fee", "trustee", None), ("pay_fee", "audit", None), ("pay_interest", seniors, None)]
        inc += [("pay_interest", nm, None) for nm in names[2:]]
        inc += [("draw_reserve", "res", None), ("fund_reserve", "res", None), ("release_reserve", "res", None)]
        if draw(st.booleans()):
            inc.append(("transfer", "prin", "new_defaults"))
        if status == "acc" and draw(st.booleans()):
            inc.append(("transfer", "prin", "all"))
        if draw(st.booleans()):
            inc.append(("transfer", "prin", "deficiency"))
        inc = draw(st.permutations(inc))
        inc.append(("pay_residual", names[-1], None))
        lim = draw(st.sampled_from([None, "original"]))
        if status == "step":
            prin = [("pay_principal", draw(st.sampled_from([seniors, names[0]])), "oc"),
                    ("pay_principal", "+".join(names[1:]), lim), ("pay_principal", "+".join(names), None)]
        elif status == "acc":
            prin = [("pay_principal", nm, None) for nm in names]
        else:
            prin = [("pay_principal", seniors, lim)] + [("pay_principal", nm, None) for nm in names[2:]]
        if draw(st.booleans()):
            prin.append(("transfer", "inc", "shortfall"))
        prin.append(("release", None, None))
        for k, (a, t, li) in enumerate(inc, start=1):
            rows.append([status, "inc", k, a, t, li])
        for k, (a, t, li) in enumerate(prin, start=1):
            rows.append([status, "prin", k, a, t, li])
    cure = lambda: draw(st.sampled_from(["yes", "no"]))
    rows += [[None], ["Events", "measure", "of", "compare", "threshold", "periods", "cure", "to", "average"],
             ["xs", "excess_spread", draw(st.sampled_from([None, seniors])), "below", draw(st.floats(-0.02, 0.05)),
              draw(st.integers(1, 3)), cure(), None, draw(st.sampled_from([None, 3]))],
             ["left", "class_factor", names[0], "above", draw(st.floats(0.0, 0.5)), 1, cure(), None, None],
             ["reslow", "reserve_shortfall", "res", "above", draw(st.floats(0.0, 2.0)), 1, cure(), None],
             ["loss", "class_loss", names[-1], "above", draw(st.floats(0.0, 0.5)), 1, cure(), None],
             ["pdl", "principal_deficiency", names[-2], "above", draw(st.floats(0.0, 5.0)), 1, cure(), None],
             ["oc", "overcollateralization", names[0], "above", draw(st.floats(0.0, 0.6)), 1, "yes", None],
             ["late", "period", None, "above", draw(st.integers(1, 20)) + 0.5, 1, "yes", None],
             ["stuck", "all", "left+late", None, None, 1, "no", "acc"],
             ["calm", "none", draw(st.sampled_from(["xs", "loss+pdl"])), None, None, 1, "yes", None],
             ["stepdown", "all", draw(st.sampled_from(["oc+late", "oc+late+calm"])), None, None, 1, "yes", "step"],
             ["accel", "any", draw(st.sampled_from(["xs+reslow", "loss+pdl", "xs+reslow+loss+pdl"])), None, None,
              draw(st.integers(1, 2)), cure(), "acc"]]
    freq = draw(st.sampled_from([1, 1, 3]))
    rows += [[None], ["Settings", "value"], ["writedown", draw(st.sampled_from(["loss", "none"]))],
             ["cleanup_call", draw(st.sampled_from([0.0, 0.1, 0.3]))],
             ["cleanup_price", draw(st.sampled_from([1.0, 0.9, 1.02, "par_accrued"]))],
             ["payment_frequency", freq]]
    if draw(st.booleans()):
        rows.append(["cleanup_from", draw(st.integers(1, 30))])
    if draw(st.booleans()):
        rows.append(["call_period", draw(st.integers(2, 40))])
    if draw(st.booleans()):
        rows += [["day_count", "ACT/365"], ["closing_date", "2024-01-01"],
                 ["first_payment_date", draw(st.sampled_from(["2024-01-26", "2024-03-26", "2024-02-29"]))]]
    wam = draw(st.integers(8, 40))
    pool = mbsxl.cashflows(1000.0, draw(st.floats(0.0, 0.1)), wam, prepay=draw(st.floats(0, 0.4)),
                           default=draw(st.floats(0, 0.3)), severity=draw(st.floats(0, 1)),
                           recovery_lag=draw(st.integers(0, 6)))
    return rows, pool


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals())
def test_cash_conserved_nothing_overpaid_losses_bottom_up_with_the_new_mechanisms(case):
    rows, pool = case
    d = dt.parse_deal(rows)
    r = lg.run(d, pool)                                 # the engine's own conservation check passes
    order = r.compiled.order
    names = [x.name for x in d.ledgers]
    S, T = r.status.shape
    K = len(order)
    for t in range(T):
        if r.status[0, t] < 0:
            continue
        net = r.ledgers[0, t, :, 0] + r.ledgers[0, t, :, 1]
        for q, s in enumerate(order):
            x = r.steps[0, t, q]
            a = names.index(s.ledger)
            if s.action in OUT:
                net[a] -= x
            if s.action in ("transfer", "fund_reserve"):
                net[names.index(s.target)] += x
            if s.action in ("release_reserve", "draw_reserve"):
                net[a] += x
                net[names.index(s.target)] -= x
        net -= r.steps[0, t, K:]
        np.testing.assert_allclose(net, r.ledgers[0, t, :, 2], atol=1e-6, rtol=0)
        assert (r.ledgers[0, t, :, 2] >= -1e-9).all()
        # the trust: cash in = paid out + held (classes, fees, released)
        out = (r.classes[0, t, :, lg.PAID].sum() + r.classes[0, t, :, lg.PRIN].sum() + r.fees[0, t, :, 1].sum()
               + r.misc[0, t, lg.M_RELEASED])
        assert abs(r.ledgers[0, t, :, 0].sum() + r.misc[0, t, lg.M_IN] - out - r.ledgers[0, t, :, 2].sum()) < 1e-6
    x = r.classes[0]
    orig = np.array([c.balance for c in d.classes])
    assert (x[:, :, lg.PRIN].sum(0) + x[:, :, lg.LOSS].sum(0) <= orig + 1e-6).all()
    assert (x[:, :, lg.PAID] - x[:, :, lg.RESID] <= x[:, :, lg.DUE] + 1e-9).all()
    assert (r.fees[0, :, :, 1] <= r.fees[0, :, :, 0] + 1e-9).all()
    assert (x[:, :, lg.END] >= 0).all()
    np.testing.assert_allclose(x[:, :, lg.PRIN].sum(0) + x[:, :, lg.LOSS].sum(0) + x[-1, :, lg.END], orig, atol=1e-6)
    # nothing paid in a month between payment dates
    paym = r.compiled.arrays[28]
    assert (r.steps[0, ~paym, :K] == 0).all()
    if d.writedown == 0:
        for t in range(T):
            if r.misc[0, t, lg.M_CALL] or r.status[0, t] < 0:
                continue
            for k in range(len(orig)):
                if x[t, k, lg.LOSS] > 1e-9:
                    assert (x[t, k + 1:, lg.END] == 0).all(), (t, k)
