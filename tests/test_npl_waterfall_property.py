"""Property test over random NPL deal tables (issue 20 on issue 19's deal table): every ledger conserves
cash in every period (recomputed here from each step's amount, independently of the engine's own check),
no class is paid more principal than its balance nor more interest (residual aside) than is due, and a
pay_share step never pays more than its share of the ledger's cash.  Source of the properties: the
issues' texts ("cash conserved by ledger and period"); the deals are random (hypothesis), the pools
projections of generated NPL tapes (mbsxl.reference.npl_tape, random seeds and stresses)."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import mbsxl
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg
from mbsxl.reference.npl_tape import generated_tape

OUT = {"pay_fee", "pay_tax", "pay_interest", "pay_principal", "pay_residual", "release", "transfer", "pay_share"}


@st.composite
def npl_cases(draw):
    tape = generated_tape(draw(st.integers(1, 40)), seed=draw(st.integers(0, 10_000)))
    rec = mbsxl.recoveries(tape, amount_stress=draw(st.floats(0.0, 0.6)), delay=draw(st.integers(0, 12)),
                           cost_stress=draw(st.floats(0.0, 2.0)), window=draw(st.integers(1, 6)))
    base = mbsxl.recoveries(tape)
    pool = mbsxl.npl_pool(rec, base if draw(st.booleans()) else None)
    claim = float(pool["Beginning Balance"].iloc[0])
    n = draw(st.integers(1, 3))
    names = [f"C{k}" for k in range(n)]
    w = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    scale = draw(st.floats(0.1, 0.9)) * claim / sum(w)
    rows = [["Classes", "balance", "coupon", "carry"]]
    rows += [[nm, x * scale, draw(st.floats(0.0, 0.12)), draw(st.sampled_from(["yes", "no", "compound"]))]
             for nm, x in zip(names, w)]
    fees = [["costs", 1.0, "disposal_costs", None], ["base_fee", draw(st.floats(0.0, 0.1)), "collections",
                                                     draw(st.sampled_from(["yes", "no"]))],
            ["incentive", draw(st.floats(0.0, 0.5)), "excess_collections", draw(st.sampled_from(["yes", "no"]))],
            ["share_fee", 0.0, "share", None], ["trustee", draw(st.floats(0.0, 0.01)), "pool_balance", None]]
    rows += [[None], ["Fees", "rate", "base", "carry"]] + fees
    two = draw(st.booleans())
    rows += [[None], ["Ledgers", "receives"]]
    rows += [["inc", "interest"], ["prin", "principal"]] if two else [["cash", "both"]]
    rows += [[None], ["Priority", "ledger", "step", "action", "target", "limit"]]
    steps = [("pay_fee", "costs", None), ("pay_fee", "base_fee", None), ("pay_fee", "trustee", None)]
    steps += [("pay_interest", nm, None) for nm in names]
    steps = draw(st.permutations(steps))
    steps += [("pay_principal", nm, None) for nm in names]
    tail = [("pay_fee", "incentive", None), ("pay_share", "share_fee", draw(st.floats(0.01, 1.0)))]
    steps += draw(st.permutations(tail))
    steps.append(("pay_residual", names[-1], None) if draw(st.booleans()) else ("release", None, None))
    led = "prin" if two else "cash"          # NPL collections come in as principal
    for k, (a, t, lim) in enumerate(steps, start=1):
        rows.append(["normal", led, k, a, t, lim])
    if two:
        rows.append(["normal", "inc", 1, "transfer", "prin", "all"])
    rows += [[None], ["Settings", "value"], ["writedown", "none"]]
    return rows, pool


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(npl_cases())
def test_npl_deals_conserve_cash_and_never_overpay(case):
    rows, pool = case
    d = dt.parse_deal(rows)
    r = lg.run(d, pool)                                  # the engine's own conservation check passes
    order = r.compiled.order
    names = [x.name for x in d.ledgers]
    K = len(order)
    for t in range(r.status.shape[1]):
        net = r.ledgers[0, t, :, 0] + r.ledgers[0, t, :, 1]
        for q, s in enumerate(order):
            x = r.steps[0, t, q]
            a = names.index(s.ledger)
            if s.action == "pay_share":
                assert x <= s.limit * max(net[a], 0.0) + 1e-9      # its share of what the ledger holds
            if s.action in OUT:
                net[a] -= x
            if s.action == "transfer":
                net[names.index(s.target)] += x
        net -= r.steps[0, t, K:]
        np.testing.assert_allclose(net, r.ledgers[0, t, :, 2], atol=1e-6, rtol=0)
        assert (r.ledgers[0, t, :, 2] >= -1e-9).all()
    x = r.classes[0]
    orig = np.array([c.balance for c in d.classes])
    assert (x[:, :, lg.PRIN].sum(0) <= orig + 1e-6).all()
    assert (x[:, :, lg.PAID] - x[:, :, lg.RESID] <= x[:, :, lg.DUE] + 1e-9).all()
    # all cash in = all cash out (fees, classes, released) + what the ledgers hold at the end
    fees = r.fees[0, :, :, 1].sum()
    paid = x[:, :, lg.PAID].sum() + x[:, :, lg.PRIN].sum()
    np.testing.assert_allclose(r.misc[0, :, lg.M_IN].sum(), fees + paid + r.misc[0, :, lg.M_RELEASED].sum()
                               + r.ledgers[0, -1, :, 2].sum(), atol=1e-6)
