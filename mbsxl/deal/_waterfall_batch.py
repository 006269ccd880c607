"""The waterfall of :mod:`mbsxl.deal.waterfall` run for many scenarios at once (numpy across scenarios).

:func:`mbsxl.deal.scenario.grid` evaluates hundreds of pool projections against one deal.  Running
:func:`mbsxl.tranches` once a scenario costs a few milliseconds, mostly the per-period loop in
Python; here the same period loop runs once with every quantity a vector over scenarios, so a
21 x 11 grid costs about as much as a few single waterfalls.

The rules are those of :mod:`mbsxl.deal.waterfall` (its module docstring), step for step and in the same
order of floating-point operations: senior fees with the unpaid fee carried; interest by seniority
with the shortfall carried (earning the coupon when ``interest_on_shortfall``); the excess to the
most junior class when ``residual``; principal sequential or pro rata; losses bottom-up; the
clean-up call and its rows of zeros.  Only those mechanisms: :func:`mbsxl.deal.scenario.grid` sends any
other waterfall argument to :func:`mbsxl.tranches`, scenario by scenario.  The inputs come already
checked and parsed (the coupon matrix is read off a :func:`mbsxl.tranches` table of the same deal),
and ``tests/test_scenario.py`` checks every output against :func:`mbsxl.tranches`.  :func:`run_all` returns
every class's flows (interest paid, shortfall, principal, loss, ending balance) and accepts a coupon path a
scenario: :mod:`mbsxl.deal.agency_stress` runs its breakeven searches through it.
"""
from __future__ import annotations

import numpy as np


def run(P, I, L, bal0, balances, coupons, structure, cleanup_call, fees, interest_on_shortfall, residual, k):
    """One class's flows in every scenario.

    ``P``, ``I``, ``L``: pool principal, net interest and loss, ``T x S`` (S scenarios);
    ``bal0``: pool balance at period 1 (one number); ``balances``: the ``n`` class balances;
    ``coupons``: ``T x n`` annual coupons; ``k``: the class reported.
    Returns ``(principal, loss, cash_flow)``, each ``T x S``, for class ``k``.
    """
    out = run_all(P, I, L, bal0, balances, coupons, structure, cleanup_call, fees, interest_on_shortfall, residual,
                  classes=[k])
    return out["principal"][:, 0], out["loss"][:, 0], out["paid"][:, 0] + out["principal"][:, 0]


RECORDS = ("paid", "shortfall", "principal", "loss", "ending")


def run_all(P, I, L, bal0, balances, coupons, structure, cleanup_call, fees, interest_on_shortfall, residual,
            classes=None, record=RECORDS):
    """Every listed class's flows in every scenario (``classes``: class indices, default all).

    As :func:`run`, but ``coupons`` may also be ``T x n x S`` (a coupon path a scenario, e.g. an index
    shifted by the scenario).  Returns a dict of ``T x len(classes) x S`` arrays: ``paid`` (interest
    paid), ``shortfall`` (carried interest shortfall after the period), ``principal``, ``loss`` and
    ``ending`` (ending balance), those named in ``record``; a scenario called in an earlier period reports
    zeros.  (``min(a, b)`` is taken with ``np.minimum``, which picks the same float as the loop's comparisons.)
    """
    T, S = P.shape
    n = len(balances)
    bal = [np.full(S, float(b)) for b in balances]
    tol = [1e-10 * max(float(b), 1.0) for b in balances]
    short = [np.zeros(S) for _ in range(n)]
    fee_short = np.zeros(S)
    pool_bal = np.full(S, float(bal0))
    call_level = cleanup_call * float(bal0) + 1e-9 * float(bal0)
    called = np.zeros(S, dtype=bool)
    keep = list(range(n)) if classes is None else list(classes)
    out = {key: np.zeros((T, len(keep), S)) for key in record}
    fee_rate = fees / 12.0
    for t in range(T):
        masked = bool(called.any())                 # no scenario called yet: nothing to keep apart
        live = ~called
        beg = bal
        pool_end = np.maximum(pool_bal - P[t] - L[t], 0.0)
        call = (pool_end > 0) & (pool_end <= call_level) if cleanup_call > 0 else np.zeros(S, dtype=bool)
        # interest: fees first, then classes in order of seniority
        avail = I[t].copy()
        fee_due = fee_rate * pool_bal + fee_short
        fee_paid = np.minimum(avail, fee_due)
        new_fee_short = fee_due - fee_paid
        avail = avail - fee_paid
        paid, new_short = [], []
        for j in range(n):
            r = coupons[t, j] / 12.0
            due = beg[j] * r + short[j] * ((1.0 + r) if interest_on_shortfall else 1.0)
            x = np.minimum(avail, due)
            avail = avail - x
            paid.append(x)
            gap = due - x
            new_short.append(np.where(gap >= 1e-9, gap, 0.0))
        if residual:
            paid[n - 1] = paid[n - 1] + np.where(avail > 0, avail, 0.0)
        # principal
        prin_avail = P[t] + np.where(call, pool_end, 0.0)
        prin = []
        if structure == "sequential":
            for j in range(n):
                x = np.minimum(prin_avail, beg[j])
                prin.append(x)
                prin_avail = prin_avail - x
        else:
            tot = beg[0]
            for j in range(1, n):
                tot = tot + beg[j]
            amount = np.minimum(prin_avail, tot)
            safe = np.where(tot > 0, tot, 1.0)
            prin = [np.where(tot > 0, np.minimum(beg[j], amount * beg[j] / safe), 0.0) for j in range(n)]
        after = [beg[j] - prin[j] for j in range(n)]
        # losses, bottom up
        loss = [None] * n
        rem = L[t]
        for j in range(n - 1, -1, -1):
            x = np.minimum(rem, after[j])
            loss[j] = x
            rem = rem - x
        new_bal = []
        for j in range(n):
            e = after[j] - loss[j]
            new_bal.append(np.where(e >= tol[j], e, 0.0))
        # a scenario called in an earlier period keeps its state and reports zeros
        flows = {"paid": paid, "shortfall": new_short, "principal": prin, "loss": loss, "ending": new_bal}
        for key in record:
            for i, j in enumerate(keep):
                out[key][t, i] = np.where(live, flows[key][j], 0.0) if masked else flows[key][j]
        if masked:
            bal = [np.where(live, new_bal[j], bal[j]) for j in range(n)]
            short = [np.where(live, new_short[j], short[j]) for j in range(n)]
            fee_short = np.where(live, new_fee_short, fee_short)
            pool_bal = np.where(live, pool_end, pool_bal)
        else:
            bal, short, fee_short, pool_bal = new_bal, new_short, new_fee_short, pool_end
        called = called | (live & call)
    return out
