"""Property test over random deal tables (issue 19, "done when"): every ledger conserves cash in every
period (recomputed here from each step's amount, independently of the engine's own check), no class is
paid more than it is owed, and losses fall bottom-up.  Source of the properties: the issue text; the
deals are random (hypothesis), the pools projections of mbsxl.cashflows."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import mbsxl
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg

OUT = {"pay_fee", "pay_tax", "pay_interest", "pay_principal", "pay_residual", "release", "transfer", "fund_reserve"}


@st.composite
def deals(draw):
    n = draw(st.integers(1, 4))
    names = [f"C{k}" for k in range(n)]
    bal = 1000.0
    w = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    scale = draw(st.floats(0.5, 1.0)) * bal / sum(w)
    bals = [x * scale for x in w]
    cpns = draw(st.lists(st.floats(0.0, 0.1), min_size=n, max_size=n))
    carry = draw(st.lists(st.sampled_from(["yes", "no", "compound"]), min_size=n, max_size=n))
    rows = [["Classes", "balance", "coupon", "carry"]] + [[a, b, c, d] for a, b, c, d in zip(names, bals, cpns, carry)]
    fees = []
    if draw(st.booleans()):
        fees.append(["vat", 0.03, "interest", "yes", 0.12, None])
    if draw(st.booleans()):
        fees.append(["trustee", draw(st.floats(0.0, 0.02)), "pool_balance", "no", 0.0,
                     draw(st.sampled_from([None, 0.05, 1.0]))])
    if fees:
        rows += [[None], ["Fees", "rate", "base", "inclusive", "surcharge", "cap"]] + fees
    reserve = draw(st.booleans())
    rows += [[None], ["Ledgers", "receives", "type", "target", "initial"], ["inc", "interest", None, None, None],
             ["prin", "principal", None, None, None]]
    if reserve:
        rows.append(["res", "none", "reserve", draw(st.floats(0.0, 20.0)), draw(st.floats(0.0, 10.0))])
    rows += [[None], ["Priority", "ledger", "step", "action", "target", "limit"]]
    inc = [("pay_fee", f[0], "cap" if f[5] is not None and draw(st.booleans()) else None) for f in fees]
    for nm in names:
        inc.append(("pay_interest", nm, None))
    if reserve:
        inc += [("draw_reserve", "res", None), ("fund_reserve", "res", None), ("release_reserve", "res", None)]
    if draw(st.booleans()):
        inc.append(("transfer", "prin", "new_defaults"))
    if draw(st.booleans()):
        inc.append(("transfer", "prin", "borrowed"))
    inc = draw(st.permutations(inc))
    inc.append(("pay_residual", names[-1], None) if draw(st.booleans()) else ("release", None, None))
    prin = []
    if draw(st.booleans()):
        prin.append(("pay_interest", names[0], None))
    if n > 1 and draw(st.booleans()):
        prin.append(("pay_principal", "+".join(names[:2]), None))
    prin += [("pay_principal", nm, None) for nm in draw(st.permutations(names))]
    if draw(st.booleans()):
        prin.append(("transfer", "inc", "shortfall"))
    prin.append(("release", None, None))
    for k, (a, t, lim) in enumerate(inc, start=1):
        rows.append(["normal", "inc", k, a, t, lim])
    for k, (a, t, lim) in enumerate(prin, start=1):
        rows.append(["normal", "prin", k, a, t, lim])
    event = draw(st.booleans())
    if event:
        rows.append(["acc", "prin", 1, "transfer", "inc", "all"])
        for k, nm in enumerate(names, start=1):
            rows.append(["acc", "inc", 2 * k - 1, "pay_interest", nm, None])
            rows.append(["acc", "inc", 2 * k, "pay_principal", nm, None])
        rows.append(["acc", "inc", 2 * n + 1, "pay_residual", names[-1], None])
        rows += [[None], ["Events", "measure", "threshold", "periods", "cure", "to"],
                 ["ev", "cumulative_default", draw(st.floats(0.0, 0.05)), draw(st.integers(1, 3)),
                  draw(st.sampled_from(["yes", "no"])), "acc"]]
    wd = draw(st.sampled_from(["loss", "none"]))
    rows += [[None], ["Settings", "value"], ["writedown", wd], ["cleanup_call", draw(st.sampled_from([0.0, 0.1]))]]
    wam = draw(st.integers(8, 36))
    pool = mbsxl.cashflows(bal, draw(st.floats(0.0, 0.1)), wam, prepay=draw(st.floats(0, 0.4)),
                           default=draw(st.floats(0, 0.3)), severity=draw(st.floats(0, 1)),
                           recovery_lag=draw(st.integers(0, 6)))
    return rows, pool, wd


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals())
def test_cash_conserved_nothing_overpaid_losses_bottom_up(case):
    rows, pool, wd = case
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
    x = r.classes[0]
    orig = np.array([c.balance for c in d.classes])
    # never paid more than owed: principal + write-downs <= the original balance; interest (residual
    # aside) <= interest due
    assert (x[:, :, lg.PRIN].sum(0) + x[:, :, lg.LOSS].sum(0) <= orig + 1e-6).all()
    assert (x[:, :, lg.PAID] - x[:, :, lg.RESID] <= x[:, :, lg.DUE] + 1e-9).all()
    assert (x[:, :, lg.END] >= 0).all()
    # every class is repaid or written off by the end
    np.testing.assert_allclose(x[:, :, lg.PRIN].sum(0) + x[:, :, lg.LOSS].sum(0) + x[-1, :, lg.END], orig, atol=1e-6)
    # losses bottom-up: a class is written down in a period only when every class below is gone by then
    if wd == "loss":
        for t in range(T):
            if r.misc[0, t, lg.M_CALL] or r.status[0, t] < 0:
                continue
            for k in range(len(orig)):
                if x[t, k, lg.LOSS] > 1e-9:
                    assert (x[t, k + 1:, lg.END] == 0).all(), (t, k)
