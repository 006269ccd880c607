"""The ledger engine: a parsed deal (:mod:`mbsxl.deal.dealtable`) run over pool cash flows, period by period.

Each period ``t`` (one row of the pool table, a month; accruing 1/12 of a year under 30/360, as the pool
engine, or the month's days / 365 under the ``day_count`` setting ACT/365; with ``payment_frequency``
n > 1 the priority of payments runs every n-th month and in the last, the months between are
collected and accrued):

1. **Pool figures.**  Collections: interest = the pool's ``Net Interest``, principal = its ``Total
   Principal`` (scheduled + prepaid + recoveries).  The pool balance is tracked as in
   :func:`mbsxl.tranches`: it starts at the pool table's first ``Beginning Balance`` (or the deal's
   ``pool_balance`` setting) and falls by principal and loss each period.
2. **Clean-up call** (payment months): when the pool's ending balance is above 0 and at most
   ``cleanup_call x`` its balance at period 1 (and the period is not before ``cleanup_from``), or the
   period is ``call_period`` or later, the remaining pool balance is bought at ``cleanup_price`` x
   its balance (default par) paid into the principal ledger with the period's collections (with
   ``par_accrued``: at par, and its interest for the period at the pool's own yield, ``balance x
   Net Interest / beginning balance``, into the interest ledger); the deal ends with the period (what
   classes still owe is written off, cash left in the ledgers leaves the trust); later periods are
   rows of zeros.
3. **Collections** are paid into the ledger(s) receiving interest and principal.
4. **Dues.**  Class interest accrues ``coupon_t x yf_t x`` the balance each month (``yf_t`` = 1/12
   under 30/360, days / 365 under ACT/365) and is due in the payment month, plus the carried unpaid
   interest (``carry`` yes; with ``compound`` the carried amount also earns the coupon for the
   period: interest on unpaid interest).  Fee due: ``rate x yf_t x`` the pool's beginning balance,
   ``rate x`` the interest collections (with ``inclusive``: ``rate / (1 + rate) x``), or ``rate x
   yf_t`` yuan, summed over the months of the payment period; the carried unpaid fee earns
   ``arrears_rate`` for the period; for a non-performing pool (issue 20)
   ``rate x`` the period's disposal costs, ``rate x`` its collections (interest + principal), or
   ``rate x`` the new excess ``max(E_t - max(E_1..t-1), 0)`` of ``E_t = max(cumulative collections -
   cumulative expected collections, 0)`` (a high-water mark: an excess lost and regained is not paid
   twice); times ``1 + surcharge``; plus the unpaid fee carried.  ``pay_share`` pays ``limit x`` the
   ledger's cash to a fee (its due grows by the same amount).  The default-cover amount outstanding
   grows by the period's pool ``Default``.
5. **Events at the start of the period** (payment months; pool measures: cumulative default rate,
   90+ ratio, pool factor, the period number, excess spread = ``(interest collections - the period's
   fees - the named classes' interest for the period, carried amounts left out) / the pool's balance
   at the start of the payment period / the period's year fraction``; a class's overcollateralisation
   ``(pool beginning balance - beginning balances of the classes listed down to it) / pool beginning
   balance``) are tested on the period's own figures; ``all`` / ``any`` / ``none`` count the named
   events (listed above) on at that moment.  An event is *on* after ``periods`` consecutive payment
   periods in breach; an event that cures goes off in a period not in breach, one that does not cure
   stays on.  Measures of the end of the period (a class's ``interest_shortfall``, ``class_loss`` =
   cumulative write-down / original balance, ``principal_deficiency`` = its bottom-up part of ``the
   classes' balances - (pool ending balance + cash in the ledger receiving principal)``; a reserve's
   ``reserve_shortfall`` = target - balance; a class's ``class_factor`` = balance / original) are
   tested after the steps and losses and act from the next period.  With ``average`` n an event
   tests the mean of its measure over the last n payment periods (fewer at the start).  The deal's **status** is the latest status (in Priority-block order) among the events
   on, else the closing status.
6. **Steps** of the status run in the order its rows list them (ledgers may interleave); every step
   moves ``min(what the ledger holds, what the step asks)``, and
   the amount is recorded (:data:`ACTION` codes in :mod:`mbsxl.deal.dealtable`).  Cash paid for fees or
   interest out of a ledger receiving only principal (directly, or a ``transfer ... shortfall`` into
   an interest ledger) adds to ``borrowed``; ``transfer ... borrowed`` repays it.  ``pay_principal
   A1+A2 original`` splits the cash by the classes' original balances, a paid-off class's share going
   to the others; ``pay_principal A oc`` pays A down to ``(1 - oc_target) x`` the pool's ending
   balance less the classes listed above it (a group: their total, pro rata by current balance); with
   an ``oc_floor`` the target is at most the pool's ending balance less ``oc_floor x`` its balance at
   period 1.
   A reserve's target is its yuan (or schedule) plus ``interest_periods x`` the next
   period's interest of its ``interest_of`` classes (their balances when the step runs, the next
   period's coupon and year fraction; with ``with_fees`` also so many times the period's fees and taxes,
   carried amounts left out, as the estimate of the next period's; ``with_fees fees``: the fees no ``pay_tax``
   step pays; ``interest_basis current``: this period's interest due of the classes, carried left out, and fees,
   0 in the call period and once the classes' beginning balances are 0), plus ``target_ratio x`` the pool's ending balance (or the
   ``ratio_of`` classes' balances when the step runs), and at least its ``floor``.  ``transfer ... deficiency`` moves the principal deficiency
   (the classes' balances less the pool's ending balance and the cash in the ledger receiving
   principal) to the target ledger: the principal deficiency ledger cured from income, for
   ``writedown none``.
7. **Losses.**  ``writedown = loss``: the pool's ``Loss`` writes the classes down bottom-up after the
   period's principal, as :func:`mbsxl.tranches`; ``none``: no write-down until the deal ends.
   Unpaid interest is carried (``carry``) when at least 1e-9 yuan.  Cash left in a ledger stays there
   for the next period.
8. **Conservation** (checked inside, every ledger and period): the ledgers' beginning balances +
   collections = what was paid to classes, fees and out of the trust + the ledgers' ending balances,
   within 1e-6 yuan (plus 1e-14 of the cash, the rounding of a
   double at billions of yuan), and no ledger below -1e-6; a breach raises ``AssertionError`` (a defect, never a
   result).

The period loop is one numba kernel (:func:`_kernel`, compiled once, cached on disk by
:mod:`mbsxl._jitcache`) over S scenarios at once; its opcodes are those of
:data:`mbsxl.deal.dealtable.ACTIONS`.  ``run(deal, pool)`` returns a :class:`Run` of arrays.

>>> import mbsxl
>>> from mbsxl.deal.dealtable import parse_deal
>>> d = parse_deal([["Classes", "balance", "coupon"], ["A", 100.0, 0.12],
...                 ["Ledgers", "receives"], ["cash", "both"],
...                 ["Priority", "ledger", "step", "action", "target"],
...                 ["normal", "cash", 1, "pay_interest", "A"], ["normal", "cash", 2, "pay_principal", "A"]])
>>> r = run(d, mbsxl.cashflows(100.0, 0.12, 2))
>>> [round(float(x), 4) for x in r.classes[0, :, 0, 5]]       # class A's principal in periods 1, 2
[49.7512, 50.2488]
"""
from __future__ import annotations

import math
import os
from typing import NamedTuple

import numpy as np
import pandas as pd

from mbsxl import columns as C
from mbsxl.deal import dealtable as dt
from mbsxl._jitcache import njit
from mbsxl.errors import MbsxlInputError

# limit codes of the kernel
LIM_NONE, LIM_CAP, LIM_TARGET, LIM_ALL, LIM_NEW_DEFAULTS, LIM_SHORTFALL, LIM_BORROWED, LIM_AMOUNT, LIM_ORIGINAL, LIM_OC, LIM_DEFICIENCY = range(11)
LIMIT_CODES = {None: LIM_NONE, "cap": LIM_CAP, "target": LIM_TARGET, "all": LIM_ALL, "new_defaults": LIM_NEW_DEFAULTS,
               "shortfall": LIM_SHORTFALL, "borrowed": LIM_BORROWED,
               "original": LIM_ORIGINAL, "oc": LIM_OC,
               "deficiency": LIM_DEFICIENCY}
# class output fields (last axis of Run.classes)
BEG, DUE, PAID, SHORT, RESID, PRIN, LOSS, END = range(8)
# misc output fields
M_IN, M_RELEASED, M_BORROWED, M_UNCOVERED, M_CALL, M_POOL_BEG = range(6)
TOL = 1e-6


def _kernel(P, I, L, D, DQ, KC, XC, bal0, callf, wmode,
            cb0, cpn, carry, sched,
            fee_base, fee_factor, fee_cap, fee_carry,
            led_rec, led_target, led_init,
            grp,
            op, lg, tg, lim, limval, sstart,
            ev_meas, ev_of, ev_above, ev_thr, ev_per, ev_cure, ev_to,
            yf12, paym, ynext12, callfrom, callat, callprice, callaccr, fee_arr, led_ip, led_ig, ev_comb, coc, ev_avg, led_ratio, led_rg, led_floor, led_fees, cfl, led_cur,
            cls_out, step_out, led_out, ev_out, status_out, fee_out, misc_out, err):
    S, T = P.shape
    n = cb0.size
    m = fee_base.size
    g = led_rec.size
    ne = ev_meas.size
    hw = 1
    for e in range(ne):
        if ev_avg[e] > hw:
            hw = ev_avg[e]
    for s in range(S):
        bal = cb0.copy()
        tol = np.empty(n)
        for k in range(n):
            tol[k] = 1e-10 * max(cb0[k], 1.0)
        short = np.zeros(n)
        fshort = np.zeros(m)
        acc = np.zeros(n)           # interest accrued in the months of a payment period before its payment month
        racc = np.zeros(n)          # the coupon fractions accrued so (a carried shortfall earns their sum, compound)
        facc = np.zeros(m)
        yacc = 0.0                  # the year fraction (x 12) and the interest collections of those months
        iacc = 0.0
        pb0 = 0.0                   # the pool's balance at the start of the payment period
        cumloss = np.zeros(n)
        lbal = led_init.copy()
        run_ = np.zeros(ne, dtype=np.int64)
        hist = np.zeros((ne, hw))   # the last ev_avg values of an averaged measure
        hpos = np.zeros(ne, dtype=np.int64)
        on = np.zeros(ne, dtype=np.bool_)
        borrowed = 0.0
        uncovered = 0.0
        cum_def = 0.0
        cum_c = 0.0                 # NPL: cumulative collections, expected collections, excess high-water mark
        cum_x = 0.0
        hwm = 0.0
        pool_bal = bal0[s]
        level = callf * bal0[s] + 1e-9 * bal0[s]
        called = False
        st = 0
        due = np.zeros(n)
        cdue = np.zeros(n)
        paid = np.zeros(n)
        resid = np.zeros(n)
        prin = np.zeros(n)
        fdue = np.zeros(m)
        fcar = np.zeros(m)
        fpaid = np.zeros(m)
        tried_c = np.full(n, -1, dtype=np.int64)
        tried_f = np.full(m, -1, dtype=np.int64)
        lbeg = np.zeros(g)
        for t in range(T):
            if called:
                for j in range(g):
                    led_out[s, t, j, 0] = lbal[j]
                    led_out[s, t, j, 2] = lbal[j]
                status_out[s, t] = -1
                continue
            pay = paym[t]
            pool_beg = pool_bal
            if yacc == 0.0:
                pb0 = pool_beg
            pool_end = max(pool_bal - P[s, t] - L[s, t], 0.0)
            call = False
            if pay and pool_end > 0:
                if callf > 0 and pool_end <= level and t + 1 >= callfrom:
                    call = True
                if callat > 0 and t + 1 >= callat:
                    call = True
            cum_def += D[s, t]
            # collections (with the call: the price of the pool's remaining balance, and its accrued interest)
            accr = 0.0
            if call and callaccr and pool_beg > 0:
                accr = pool_end * I[s, t] / pool_beg
            cash_in = 0.0
            for j in range(g):
                lbeg[j] = lbal[j]
                led_out[s, t, j, 0] = lbal[j]
                x = 0.0
                if led_rec[j] & 1:
                    x += I[s, t] + accr
                if led_rec[j] & 2:
                    x += P[s, t] + (pool_end * callprice if call else 0.0)
                lbal[j] += x
                led_out[s, t, j, 1] = x
                cash_in += x
            # dues: accrued in every month, payable in the payment months
            yacc += yf12[t]
            iacc += I[s, t]
            for k in range(n):
                r = cpn[t, k] / 12.0 * yf12[t]
                racc[k] += r
                if pay:
                    c = short[k] * (1.0 + racc[k]) if carry[k] == 2 else (short[k] if carry[k] == 1 else 0.0)
                    cdue[k] = c
                    due[k] = acc[k] + bal[k] * r + c
                    acc[k] = 0.0
                else:
                    acc[k] += bal[k] * r
                    due[k] = 0.0
                paid[k] = 0.0
                resid[k] = 0.0
                prin[k] = 0.0
                tried_c[k] = -1
                cls_out[s, t, k, BEG] = bal[k]
            cum_c += P[s, t] + I[s, t]
            cum_x += XC[s, t]
            exc = cum_c - cum_x if cum_c > cum_x else 0.0
            exc_new = exc - hwm if exc > hwm else 0.0
            if exc > hwm:
                hwm = exc
            for f in range(m):
                b = fee_base[f]
                if b == 0:
                    base = pool_beg * yf12[t]
                elif b == 1:
                    base = I[s, t]
                elif b == 2:
                    base = yf12[t]
                elif b == 3:                                 # NPL: the period's disposal costs
                    base = KC[s, t]
                elif b == 4:                                 # NPL: the period's collections
                    base = P[s, t] + I[s, t]
                elif b == 5:                                 # NPL: new cumulative excess over the expected path
                    base = exc_new
                else:                                        # share: paid by pay_share steps only
                    base = 0.0
                if pay:
                    c = fshort[f] * (1.0 + fee_arr[f] / 12.0 * yacc) if fee_arr[f] > 0 else fshort[f]
                    fcar[f] = c
                    fdue[f] = facc[f] + fee_factor[f] * base + c
                    facc[f] = 0.0
                else:
                    facc[f] += fee_factor[f] * base
                    fdue[f] = 0.0
                fpaid[f] = 0.0
                tried_f[f] = -1
            uncovered += D[s, t]
            # events at the start of the period (payment months), then the status
            if pay:
                for e in range(ne):
                    mcode = ev_meas[e]
                    if mcode == 3 or mcode == 5 or mcode == 6 or mcode == 7 or mcode == 13:
                        continue
                    if mcode == 0:
                        val = cum_def / bal0[s] if bal0[s] > 0 else 0.0
                    elif mcode == 1:
                        val = DQ[s, t]
                    elif mcode == 2:
                        val = pool_beg / bal0[s] if bal0[s] > 0 else 0.0
                    elif mcode == 4:                         # excess spread, annualised, on the period's own figures
                        val = iacc
                        for f in range(m):
                            val -= fdue[f] - fcar[f]
                        for k in range(n):
                            if grp[ev_of[e], k]:
                                val -= due[k] - cdue[k]
                        val = val / pb0 * 12.0 / yacc if pb0 > 0 and yacc > 0 else 0.0
                    elif mcode == 8 or mcode == 9 or mcode == 12:   # all / any / none: the number of the named events on
                        val = 0.0
                        for e2 in range(ne):
                            if ev_comb[e, e2] and on[e2]:
                                val += 1.0
                    elif mcode == 10:
                        val = t + 1.0
                    else:                                    # overcollateralisation of a class (beginning balances)
                        val = pool_beg
                        for k in range(ev_of[e] + 1):
                            val -= bal[k]
                        val = val / pool_beg if pool_beg > 0 else 0.0
                    if ev_avg[e] > 1:                        # the average over the last ev_avg payment periods
                        hist[e, hpos[e] % ev_avg[e]] = val
                        hpos[e] += 1
                        kk = hpos[e] if hpos[e] < ev_avg[e] else ev_avg[e]
                        sm = 0.0
                        for i in range(kk):
                            sm += hist[e, i]
                        val = sm / kk
                    ev_out[s, t, e, 0] = val
                    breach = val > ev_thr[t, e] if ev_above[e] else val < ev_thr[t, e]
                    run_[e] = run_[e] + 1 if breach else 0
                    if run_[e] >= ev_per[e]:
                        on[e] = True
                    elif ev_cure[e] and not breach:
                        on[e] = False
                st = 0
                for e in range(ne):
                    if on[e] and ev_to[e] > st:
                        st = ev_to[e]
            status_out[s, t] = st
            released = 0.0
            # the steps of the status (payment months only)
            q1 = sstart[st + 1] if pay else sstart[st]
            for q in range(sstart[st], q1):
                o = op[q]
                a = lg[q]
                avail = lbal[a] if lbal[a] > 0 else 0.0
                x = 0.0
                if o == 0:                                   # pay fee / tax
                    f = tg[q]
                    want = fdue[f] - fpaid[f]
                    if lim[q] == LIM_CAP:
                        want = min(fdue[f], fee_cap[f]) - fpaid[f]
                    if want < 0:
                        want = 0.0
                    x = want if avail >= want else avail
                    fpaid[f] += x
                    tried_f[f] = a
                    lbal[a] -= x
                    if led_rec[a] == 2:
                        borrowed += x
                elif o == 1:                                 # pay interest (pro rata by due in a group)
                    tot = 0.0
                    for k in range(n):
                        if grp[tg[q], k]:
                            tot += max(due[k] - paid[k], 0.0)
                            tried_c[k] = a
                    x = tot if avail >= tot else avail
                    if x > 0:
                        for k in range(n):
                            if grp[tg[q], k]:
                                w = max(due[k] - paid[k], 0.0)
                                paid[k] += w if x >= tot else x * w / tot
                    lbal[a] -= x
                    if led_rec[a] == 2:
                        borrowed += x
                elif o == 2:                                 # pay principal
                    tot = 0.0
                    cnt = 0
                    for k in range(n):
                        if grp[tg[q], k]:
                            cnt += 1
                            if lim[q] == LIM_TARGET:
                                tot += max(bal[k] - sched[t, k], 0.0)
                            else:
                                tot += bal[k]
                    if lim[q] == LIM_OC:                     # down to the OC target of the pool's ending balance
                        gb = tot
                        first = -1
                        last = -1
                        for k in range(n):
                            if grp[tg[q], k]:
                                last = k
                                if first < 0:
                                    first = k
                        above = 0.0
                        for k in range(first):
                            if not grp[tg[q], k]:
                                above += bal[k]
                        tgt = (1.0 - coc[last]) * pool_end
                        if cfl[last] > 0 and pool_end - cfl[last] * bal0[s] < tgt:   # the OC floor
                            tgt = pool_end - cfl[last] * bal0[s]
                        tgt -= above
                        if tgt < 0:
                            tgt = 0.0
                        tot = gb - tgt if gb > tgt else 0.0
                        amount = tot if avail >= tot else avail
                        x = 0.0
                        if amount > 0:
                            for k in range(n):
                                if grp[tg[q], k]:
                                    y = min(bal[k], amount * bal[k] / gb)
                                    prin[k] += y
                                    bal[k] -= y
                                    x += y
                    elif cnt == 1:
                        x = tot if avail >= tot else avail
                        for k in range(n):
                            if grp[tg[q], k]:
                                prin[k] += x
                                bal[k] -= x
                    elif tot > 0 and lim[q] == LIM_ORIGINAL:  # pro rata by original balance, a paid-off class's
                        left = min(avail, tot)               # share going to the others
                        x = 0.0
                        for it in range(cnt):
                            w = 0.0
                            for k in range(n):
                                if grp[tg[q], k] and bal[k] > 0:
                                    w += cb0[k]
                            if w <= 0 or left <= 0:
                                break
                            rnd = left
                            for k in range(n):
                                if grp[tg[q], k] and bal[k] > 0:
                                    y = min(bal[k], rnd * cb0[k] / w)
                                    prin[k] += y
                                    bal[k] -= y
                                    x += y
                                    left -= y
                    elif tot > 0:
                        amount = min(avail, tot)
                        x = 0.0
                        for k in range(n):
                            if grp[tg[q], k]:
                                share = max(bal[k] - sched[t, k], 0.0) if lim[q] == LIM_TARGET else bal[k]
                                y = min(share, amount * share / tot)
                                prin[k] += y
                                bal[k] -= y
                                x += y
                    lbal[a] -= x
                elif o == 3:                                 # transfer
                    b = tg[q]
                    lk = lim[q]
                    if lk == LIM_ALL:
                        want = avail
                    elif lk == LIM_NEW_DEFAULTS:
                        want = uncovered
                    elif lk == LIM_BORROWED:
                        want = borrowed
                    elif lk == LIM_DEFICIENCY:                # the classes' balances not backed by the pool or
                        want = 0.0                           # the cash in the ledger(s) receiving principal
                        for k in range(n):
                            want += bal[k]
                        want -= 0.0 if call else pool_end
                        for j in range(g):
                            if led_rec[j] & 2:
                                want -= lbal[j] if lbal[j] > 0 else 0.0
                    elif lk == LIM_SHORTFALL:
                        want = 0.0
                        for k in range(n):
                            if tried_c[k] == b:
                                want += max(due[k] - paid[k], 0.0)
                        for f in range(m):
                            if tried_f[f] == b:
                                want += fdue[f] - fpaid[f]
                        want -= lbal[b] if lbal[b] > 0 else 0.0
                    else:
                        want = limval[q]
                    if want < 0:
                        want = 0.0
                    x = want if avail >= want else avail
                    lbal[a] -= x
                    lbal[b] += x
                    if lk == LIM_NEW_DEFAULTS:
                        uncovered -= x
                    elif lk == LIM_BORROWED:
                        borrowed -= x
                    elif lk == LIM_SHORTFALL and led_rec[a] == 2:
                        borrowed += x
                elif o == 4 or o == 5:                       # fund the reserve to its target / release above it
                    b = tg[q]
                    tgt = led_target[t, b]
                    if led_ip[b] > 0 and led_cur[b]:         # + periods of this period's interest (and fees)
                        live = False                         # (0 in the call period and once they are repaid)
                        for k in range(n):
                            if grp[led_ig[b], k] and cls_out[s, t, k, BEG] > 0:
                                live = True
                        if live and not call:
                            for k in range(n):
                                if grp[led_ig[b], k]:
                                    tgt += led_ip[b] * (due[k] - cdue[k])
                            for f in range(m):
                                tgt += led_ip[b] * (fdue[f] - fcar[f]) * led_fees[b, f]
                    elif led_ip[b] > 0:                      # + periods of the next period's interest of classes
                        tn = t + 1 if t + 1 < T else t
                        for k in range(n):
                            if grp[led_ig[b], k]:
                                tgt += led_ip[b] * bal[k] * cpn[tn, k] / 12.0 * ynext12[t]
                        for f in range(m):                   # and of the fees (this period's, carried left out)
                            tgt += led_ip[b] * (fdue[f] - fcar[f]) * led_fees[b, f]
                    if led_ratio[b] > 0:                     # + a ratio of the pool's ending balance or of classes
                        if led_rg[b] < 0:
                            tgt += led_ratio[b] * (0.0 if call else pool_end)
                        else:
                            for k in range(n):
                                if grp[led_rg[b], k]:
                                    tgt += led_ratio[b] * bal[k]
                    if tgt < led_floor[b]:
                        tgt = led_floor[b]
                    if o == 4:
                        want = tgt - lbal[b]
                        x = 0.0 if want <= 0 else (want if avail >= want else avail)
                        lbal[a] -= x
                        lbal[b] += x
                    else:
                        x = lbal[b] - tgt
                        if x < 0:
                            x = 0.0
                        lbal[b] -= x
                        lbal[a] += x
                elif o == 6:                                 # draw reserve: this ledger's unpaid dues
                    b = tg[q]
                    want = 0.0
                    for k in range(n):
                        if tried_c[k] == a:
                            want += max(due[k] - paid[k], 0.0)
                    for f in range(m):
                        if tried_f[f] == a:
                            want += fdue[f] - fpaid[f]
                    want -= avail
                    rb = lbal[b] if lbal[b] > 0 else 0.0
                    x = 0.0 if want <= 0 else (want if rb >= want else rb)
                    lbal[b] -= x
                    lbal[a] += x
                elif o == 7:                                 # residual to a class
                    x = avail
                    k = tg[q]
                    resid[k] += x
                    lbal[a] -= x
                elif o == 8:                                 # release out of the trust
                    want = avail if lim[q] == LIM_NONE else limval[q]
                    x = want if avail >= want else avail
                    released += x
                    lbal[a] -= x
                elif o == 9:                                 # NPL: a share of the ledger's cash to a fee
                    f = tg[q]
                    x = limval[q] * avail
                    fdue[f] += x
                    fpaid[f] += x
                    tried_f[f] = a
                    lbal[a] -= x
                step_out[s, t, q] = x
            # losses, bottom up (or none), and the end of the deal
            L_t = L[s, t] if wmode == 0 else 0.0
            rem = L_t
            for k in range(n - 1, -1, -1):
                x = bal[k] if rem >= bal[k] else rem
                cls_out[s, t, k, LOSS] = x
                rem -= x
            for k in range(n):
                e_ = bal[k] - cls_out[s, t, k, LOSS]
                bal[k] = e_ if e_ >= tol[k] else 0.0
            last = call or t == T - 1
            if call or (last and wmode == 1):
                for k in range(n):
                    cls_out[s, t, k, LOSS] += bal[k]
                    bal[k] = 0.0
            for k in range(n):
                cumloss[k] += cls_out[s, t, k, LOSS]
            if call:
                for j in range(g):
                    if lbal[j] > 0:
                        released += lbal[j]
                        step_out[s, t, sstart[sstart.size - 1] + j] = lbal[j]
                        lbal[j] = 0.0
            paid_out = released
            for k in range(n):
                if pay:
                    gap = due[k] - paid[k]
                    short[k] = gap if (carry[k] > 0 and gap >= 1e-9) else 0.0
                    racc[k] = 0.0
                cls_out[s, t, k, DUE] = due[k]
                cls_out[s, t, k, PAID] = paid[k] + resid[k]
                cls_out[s, t, k, SHORT] = short[k]
                cls_out[s, t, k, RESID] = resid[k]
                cls_out[s, t, k, PRIN] = prin[k]
                cls_out[s, t, k, END] = bal[k]
                paid_out += paid[k] + resid[k] + prin[k]
            for f in range(m):
                if pay:
                    fshort[f] = fdue[f] - fpaid[f] if fee_carry[f] else 0.0
                fee_out[s, t, f, 0] = fdue[f]
                fee_out[s, t, f, 1] = fpaid[f]
                paid_out += fpaid[f]
            # conservation, every ledger and the trust
            tot_beg = 0.0
            tot_end = 0.0
            for j in range(g):
                led_out[s, t, j, 2] = lbal[j]
                tot_beg += lbeg[j]
                tot_end += lbal[j]
                if lbal[j] < -TOL:
                    err[s, 0] = 1
                    err[s, 1] = t
            if abs(tot_beg + cash_in - paid_out - tot_end) > TOL + 1e-14 * (abs(tot_beg) + cash_in):
                err[s, 0] = 2
                err[s, 1] = t
            # events at the end of the period (payment months; class and reserve measures)
            if pay:
                for e in range(ne):
                    mcode = ev_meas[e]
                    if mcode == 3:
                        val = due[ev_of[e]] - paid[ev_of[e]]
                    elif mcode == 5:                         # reserve: its target less its balance
                        b = ev_of[e]
                        val = led_target[t, b]
                        if led_ip[b] > 0 and led_cur[b]:
                            live = False
                            for k in range(n):
                                if grp[led_ig[b], k] and cls_out[s, t, k, BEG] > 0:
                                    live = True
                            if live and not call:
                                for k in range(n):
                                    if grp[led_ig[b], k]:
                                        val += led_ip[b] * (due[k] - cdue[k])
                                for f in range(m):
                                    val += led_ip[b] * (fdue[f] - fcar[f]) * led_fees[b, f]
                        elif led_ip[b] > 0:
                            tn = t + 1 if t + 1 < T else t
                            for k in range(n):
                                if grp[led_ig[b], k]:
                                    val += led_ip[b] * bal[k] * cpn[tn, k] / 12.0 * ynext12[t]
                            for f in range(m):
                                val += led_ip[b] * (fdue[f] - fcar[f]) * led_fees[b, f]
                        if led_ratio[b] > 0:
                            if led_rg[b] < 0:
                                val += led_ratio[b] * (0.0 if call else pool_end)
                            else:
                                for k in range(n):
                                    if grp[led_rg[b], k]:
                                        val += led_ratio[b] * bal[k]
                        if val < led_floor[b]:
                            val = led_floor[b]
                        val -= lbal[b]
                        if val < 0:
                            val = 0.0
                    elif mcode == 13:                        # class: its balance after the period / original
                        k = ev_of[e]
                        val = bal[k] / cb0[k] if cb0[k] > 0 else 0.0
                    elif mcode == 6:                         # class: cumulative loss / original balance
                        k = ev_of[e]
                        val = cumloss[k] / cb0[k] if cb0[k] > 0 else 0.0
                    elif mcode == 7:                         # class: its part of the principal deficiency
                        coll = 0.0 if call else pool_end
                        tb = 0.0
                        for j in range(g):
                            if led_rec[j] & 2:
                                coll += lbal[j]
                        for k in range(n):
                            tb += bal[k]
                        val = tb - coll
                        for k in range(ev_of[e] + 1, n):
                            val -= bal[k]
                        k = ev_of[e]
                        val = 0.0 if val <= 0 else (val if val < bal[k] else bal[k])
                    else:
                        continue
                    if ev_avg[e] > 1:                        # the average over the last ev_avg payment periods
                        hist[e, hpos[e] % ev_avg[e]] = val
                        hpos[e] += 1
                        kk = hpos[e] if hpos[e] < ev_avg[e] else ev_avg[e]
                        sm = 0.0
                        for i in range(kk):
                            sm += hist[e, i]
                        val = sm / kk
                    ev_out[s, t, e, 0] = val
                    if ev_above[e]:
                        breach = val > ev_thr[t, e] + 1e-9 if (mcode == 3 or mcode == 5 or mcode == 7) else val > ev_thr[t, e]
                    else:
                        breach = val < ev_thr[t, e]
                    run_[e] = run_[e] + 1 if breach else 0
                    if run_[e] >= ev_per[e]:
                        on[e] = True
                    elif ev_cure[e] and not breach:
                        on[e] = False
                yacc = 0.0
                iacc = 0.0
            for e in range(ne):
                ev_out[s, t, e, 1] = 1.0 if on[e] else 0.0
            misc_out[s, t, M_IN] = cash_in
            misc_out[s, t, M_RELEASED] = released
            misc_out[s, t, M_BORROWED] = borrowed
            misc_out[s, t, M_UNCOVERED] = uncovered
            misc_out[s, t, M_CALL] = 1.0 if call else 0.0
            misc_out[s, t, M_POOL_BEG] = pool_beg
            pool_bal = pool_end
            called = call


_jit = None


def _compiled():
    """The kernel compiled by numba (cached on disk); the same function uncompiled where numba cannot load
    (xlwings Lite / Pyodide, a broken install) or when ``MBSXL_ENGINE`` is ``numpy`` or ``python``: same
    arithmetic, about a hundred times slower."""
    global _jit
    if os.environ.get("MBSXL_ENGINE", "").strip().lower() in ("numpy", "python"):
        return _kernel
    if _jit is None:
        from mbsxl.pool._engine import _HAVE_NUMBA
        try:
            if not _HAVE_NUMBA:
                raise ImportError("numba is not installed")
            _jit = njit(cache=True, nogil=True)(_kernel)
        except Exception:  # numba missing or refused: the plain Python kernel serves
            _jit = _kernel
    return _jit


# ------------------------------------------------------------------ compiling a deal to arrays
class Compiled(NamedTuple):
    deal: dt.Deal
    T: int
    arrays: tuple          # the kernel's deal arguments, in order
    order: list            # the steps in run order (one list of Step), then one release row per ledger
    groups: list           # each group: tuple of class indices


def compile_deal(deal: dt.Deal, T: int, index=None) -> Compiled:
    """The deal as the kernel's arrays for a projection of ``T`` periods; ``index``: the per-period
    index rate column of floating classes (annual decimals; shorter columns hold their last value)."""
    n = len(deal.classes)
    names = [c.name for c in deal.classes]
    # coupons
    cpn = np.empty((T, n))
    idx = None
    if any(c.floating for c in deal.classes):
        if index is None:
            fl = next(c for c in deal.classes if c.floating)
            raise MbsxlInputError(f"deal table block {dt.BLOCKS['classes'][0]}, row {fl.row}, column rate_type: class "
                                  f"{fl.name} is floating but index is empty; pass the index column (e.g. MBS_COUPONINDEX)")
        a = np.atleast_1d(np.asarray(index, dtype=float)).ravel()
        if a.size == 0 or not np.isfinite(a).all():
            raise MbsxlInputError("index is empty or has a blank; pass one rate a period (decimals)")
        if (np.abs(a) > 1).any():
            raise MbsxlInputError(f"index has {a[np.abs(a) > 1][0]:g}, which looks like a percent; pass decimals")
        idx = a[:T] if a.size >= T else np.concatenate([a, np.full(T - a.size, a[-1])])
    for k, c in enumerate(deal.classes):
        base = (deal.schedule_values(c.coupon_schedule, T, f"coupon of class {c.name}") if c.coupon_schedule
                else c.coupon)
        cpn[:, k] = base + (idx if c.floating else 0.0)
        if math.isfinite(c.coupon_cap) or math.isfinite(c.coupon_floor):
            cpn[:, k] = np.clip(cpn[:, k], c.coupon_floor, c.coupon_cap)
        if (cpn[:, k] < 0).any():
            t = int(np.argmax(cpn[:, k] < 0))
            raise MbsxlInputError(f"deal table block {dt.BLOCKS['classes'][0]}, row {c.row}, column coupon: class "
                                  f"{c.name}'s coupon in period {t + 1} is {cpn[t, k]:g}; index + spread must be >= 0")
    carry = np.array([c.carry for c in deal.classes], dtype=np.int64)
    sched = np.full((T, n), np.nan)
    for k, c in enumerate(deal.classes):
        if c.schedule:
            sched[:, k] = deal.schedule_values(c.schedule, T, f"target balance of class {c.name}")
    sched = np.where(np.isnan(sched), 0.0, sched)
    # fees
    fb = np.array([f.base for f in deal.fees], dtype=np.int64)
    ff = np.array([(f.rate / (1 + f.rate) if f.inclusive else f.rate) * (1.0 if f.base in (1, 3, 4, 5) else 1 / 12.0)
                   * (1 + f.surcharge) for f in deal.fees], dtype=float)
    fcap = np.array([f.cap for f in deal.fees], dtype=float)
    fcarry = np.array([f.carry for f in deal.fees], dtype=np.bool_)
    # ledgers
    lnames = [x.name for x in deal.ledgers]
    lrec = np.array([x.receives for x in deal.ledgers], dtype=np.int64)
    ltarget = np.zeros((T, len(lnames)))
    for j, x in enumerate(deal.ledgers):
        if isinstance(x.target, str):
            ltarget[:, j] = deal.schedule_values(x.target, T, f"target of reserve {x.name}")
        else:
            ltarget[:, j] = x.target
    linit = np.array([x.initial for x in deal.ledgers], dtype=float)
    # steps, status by status
    groups: list = []
    order: list = []
    op, lgv, tgv, limv, limval, sstart = [], [], [], [], [], [0]
    fnames = [f.name for f in deal.fees]
    for status in deal.statuses:
        rows = [s for s in deal.steps if s.status == status]      # in the order listed
        for s in rows:
            a = dt.ACTIONS[s.action]
            if a.target in ("class", "group"):
                members = tuple(names.index(p) for p in s.target.split("+"))
                if a.target == "class":
                    tgt = members[0]
                else:
                    if members not in groups:
                        groups.append(members)
                    tgt = groups.index(members)
            elif a.target == "fee":
                tgt = fnames.index(s.target)
            elif a.target in ("ledger", "reserve"):
                tgt = lnames.index(s.target)
            else:
                tgt = 0
            op.append(a.op)
            lgv.append(lnames.index(s.ledger))
            tgv.append(tgt)
            if isinstance(s.limit, float):
                limv.append(LIM_AMOUNT)
                limval.append(s.limit)
            else:
                limv.append(LIMIT_CODES[s.limit])
                limval.append(0.0)
            order.append(s)
        sstart.append(len(op))
    # groups named by reserves (interest target) and events (excess spread): classes joined by +
    gidx = {}
    for key in [x.interest_of for x in deal.ledgers if x.interest_of] + [x.ratio_of for x in deal.ledgers if x.ratio_of] + \
               [ev.of or "+".join(names) for ev in deal.events if dt.MEASURES[ev.measure][1] == "group"]:
        members = tuple(names.index(p) for p in key.split("+"))
        if members not in groups:
            groups.append(members)
        gidx[key] = groups.index(members)
    grp = np.zeros((max(len(groups), 1), n), dtype=np.bool_)
    for i, mem in enumerate(groups):
        grp[i, list(mem)] = True
    # events
    st_rank = {s: i for i, s in enumerate(deal.statuses)}
    ne = len(deal.events)
    ev_thr = np.zeros((T, ne))
    ev_comb = np.zeros((ne, ne), dtype=np.bool_)
    enames = [ev.name for ev in deal.events]
    for e, ev in enumerate(deal.events):
        for c in ev.components:
            ev_comb[e, enames.index(c)] = True
    for e, ev in enumerate(deal.events):
        ev_thr[:, e] = (deal.schedule_values(ev.threshold, T, f"threshold of event {ev.name}")
                        if isinstance(ev.threshold, str) else ev.threshold)
    arrays = (
        np.array([deal.cleanup_call], dtype=float)[0], int(deal.writedown),
        np.array([c.balance for c in deal.classes], dtype=float), cpn, carry, sched,
        fb, ff, fcap, fcarry, lrec, ltarget, linit, grp,
        np.array(op, dtype=np.int64), np.array(lgv, dtype=np.int64), np.array(tgv, dtype=np.int64),
        np.array(limv, dtype=np.int64), np.array(limval, dtype=float), np.array(sstart, dtype=np.int64),
        np.array([dt.MEASURES[ev.measure][0] for ev in deal.events], dtype=np.int64),
        np.array([_of_index(ev, names, lnames, gidx, deal) for ev in deal.events], dtype=np.int64),
        np.array([ev.above for ev in deal.events], dtype=np.bool_), ev_thr,
        np.array([ev.periods for ev in deal.events], dtype=np.int64),
        np.array([ev.cure for ev in deal.events], dtype=np.bool_),
        np.array([st_rank[ev.to] if ev.to else 0 for ev in deal.events], dtype=np.int64),
        *deal.accruals(T),
        int(deal.cleanup_from), int(deal.call_period),
        1.0 if deal.cleanup_price == "par_accrued" else float(deal.cleanup_price), deal.cleanup_price == "par_accrued",
        np.array([f.arrears_rate for f in deal.fees], dtype=float),
        np.array([x.interest_periods for x in deal.ledgers], dtype=float),
        np.array([gidx[x.interest_of] if x.interest_of else 0 for x in deal.ledgers], dtype=np.int64),
        ev_comb, np.array([c.oc_target for c in deal.classes], dtype=float),
        np.array([ev.average for ev in deal.events], dtype=np.int64),
        np.array([x.target_ratio for x in deal.ledgers], dtype=float),
        np.array([gidx[x.ratio_of] if x.ratio_of else -1 for x in deal.ledgers], dtype=np.int64),
        np.array([x.floor for x in deal.ledgers], dtype=float),
        _fee_weights(deal),
        np.array([c.oc_floor for c in deal.classes], dtype=float),
        np.array([x.interest_basis == "current" for x in deal.ledgers], dtype=np.bool_))
    return Compiled(deal, T, arrays, order, groups)


def _fee_weights(deal) -> np.ndarray:
    """ledgers x fees: 1 where a reserve's ``with_fees`` counts the fee in its target (``yes``: every fee and tax
    but a ``share`` fee; ``fees``: only the fees no ``pay_tax`` step pays), else 0."""
    taxes = {s.target for s in deal.steps if s.action == "pay_tax"}
    w = np.zeros((len(deal.ledgers), len(deal.fees)))
    for j, x in enumerate(deal.ledgers):
        for f, fee in enumerate(deal.fees):
            if x.with_fees and fee.base != 6 and not (x.with_fees == "fees" and fee.name in taxes):
                w[j, f] = 1.0
    return w


def _of_index(ev, names, lnames, gidx, deal) -> int:
    """What an event's ``of`` names, as the kernel's index: a class, a group, a reserve ledger (0: none)."""
    kind = dt.MEASURES[ev.measure][1]
    if kind == "class":
        return names.index(ev.of)
    if kind == "group":
        return gidx[ev.of or "+".join(names)]
    if kind == "reserve":
        return lnames.index(ev.of)
    return 0


# ------------------------------------------------------------------ pool inputs
def pool_columns(pool, delinquency=None):
    """(P, I, L, D, DQ, bal0) as S x T arrays from a pool table (:func:`mbsxl.cashflows` /
    :func:`mbsxl.loan_cashflows`, columns found by name), a list of such tables (scenarios), or a dict
    of columns ``{"Total Principal": ..., "Net Interest": ..., "Loss": ..., "Default": ...,
    "Beginning Balance": ...}``."""
    tables = pool if isinstance(pool, (list, tuple)) and pool and hasattr(pool[0], "columns") else [pool]
    cols = []
    for tab in tables:
        if isinstance(tab, dict):
            tab = pd.DataFrame({k: np.asarray(x, dtype=float) for k, x in tab.items()})
        if not hasattr(tab, "columns"):
            raise MbsxlInputError("pool is not a pool table; pass the table of MBS_CASHFLOWS / MBS_LOANCASHFLOWS "
                                  "(with its header row)")
        need = [C.TOTAL_PRINCIPAL, C.NET_INTEREST]
        miss = [c for c in need if c not in tab.columns]
        if miss:
            raise MbsxlInputError(f"pool has no column {', '.join(miss)}; pass the table of MBS_CASHFLOWS with its header row")
        T = len(tab)
        if T == 0:
            raise MbsxlInputError("pool has no rows")

        def col(name, default=0.0):
            if name in tab.columns:
                col_ = tab[name]
                a = (col_.to_numpy(dtype=float) if col_.dtype.kind in "fi"
                     else pd.to_numeric(col_, errors="coerce").to_numpy(dtype=float))
                if not np.isfinite(a).all():
                    raise MbsxlInputError(f"pool column {name!r} has a blank or text in row {int(np.argmax(~np.isfinite(a))) + 1}")
                return a
            return np.full(T, default)
        P, I, L, D = col(C.TOTAL_PRINCIPAL), col(C.NET_INTEREST), col(C.LOSS), col(C.DEFAULT)
        for nm, a in ((C.TOTAL_PRINCIPAL, P), (C.NET_INTEREST, I), (C.LOSS, L), (C.DEFAULT, D)):
            if (a < 0).any():
                raise MbsxlInputError(f"pool column {nm!r} is negative in row {int(np.argmax(a < 0)) + 1}")
        b0 = float(tab[C.BEGINNING_BALANCE].iloc[0]) if C.BEGINNING_BALANCE in tab.columns else float(P.sum() + L.sum())
        cols.append((P, I, L, D, b0))
    T = len(cols[0][0])
    if any(len(c[0]) != T for c in cols):
        raise MbsxlInputError("pool scenarios differ in length; pass tables of one length")
    P, I, L, D = (np.ascontiguousarray(np.stack([c[i] for c in cols])) for i in range(4))
    bal0 = np.array([c[4] for c in cols])
    if delinquency is None:
        DQ = np.full_like(P, np.nan)
    else:
        a = np.atleast_1d(np.asarray(delinquency, dtype=float)).ravel()
        if a.size == 0 or a.size > T or not np.isfinite(a).all() or (a < 0).any() or (a > 1).any():
            raise MbsxlInputError(f"delinquency has {a.size} values; pass one 90+ ratio a period (decimals in [0, 1]), "
                                  f"at most {T}")
        a = np.concatenate([a, np.full(T - a.size, a[-1])])
        DQ = np.broadcast_to(a, P.shape).copy()
    return P, I, L, D, DQ, bal0


def npl_columns(pool, S: int, T: int):
    """(K, X) as S x T arrays: the non-performing pool's disposal costs (column 处置费用 Disposal costs) and
    expected collections (预期回收 Expected recoveries) of each period, zeros where the pool table has no
    such column (issue 20; :func:`mbsxl.npl_pool` writes both).  Fee bases ``disposal_costs`` and
    ``excess_collections`` read them."""
    tables = pool if isinstance(pool, (list, tuple)) and pool and hasattr(pool[0], "columns") else [pool]
    K, X = np.zeros((S, T)), np.zeros((S, T))
    for i, tab in enumerate(tables):
        if not isinstance(tab, (dict, pd.DataFrame)):
            continue                                   # no pool table (the arrays were given): no NPL columns
        for out, name in ((K, C.NPL_COSTS), (X, C.NPL_EXPECTED)):
            if name in tab:
                a = pd.to_numeric(pd.Series(np.asarray(tab[name], dtype=object).ravel()), errors="coerce").to_numpy(dtype=float)
                if a.size != T or not np.isfinite(a).all() or (a < 0).any():
                    raise MbsxlInputError(f"pool column {name!r} has a blank, a negative amount or another length than "
                                          f"the pool's {T} periods; pass one amount >= 0 a period")
                out[i] = a
    return K, X


class Run(NamedTuple):
    """Arrays of one run over S scenarios and T periods (S first)."""
    compiled: Compiled
    classes: np.ndarray     # S x T x n x 8 (BEG, DUE, PAID, SHORT, RESID, PRIN, LOSS, END)
    steps: np.ndarray       # S x T x (K + ledgers): each step's amount, then cash released at the call per ledger
    ledgers: np.ndarray     # S x T x g x 3 (begin, collections, end)
    events: np.ndarray      # S x T x e x 2 (value, on)
    status: np.ndarray      # S x T (status index; -1 after the call)
    fees: np.ndarray        # S x T x m x 2 (due, paid)
    misc: np.ndarray        # S x T x 6 (cash in, released, borrowed, uncovered defaults, call, pool beginning)


def run(deal, pool, index=None, delinquency=None, *, compiled: Compiled | None = None, arrays=None) -> Run:
    """Run the deal (a :class:`mbsxl.deal.dealtable.Deal` or a deal table) over ``pool`` (module docstring);
    ``arrays``: ``(P, I, L, D, DQ, bal0)`` already in the form :func:`pool_columns` returns (``pool`` unused)."""
    d = dt.parse_deal(deal)
    P, I, L, D, DQ, bal0 = pool_columns(pool, delinquency) if arrays is None else arrays
    S, T = P.shape
    KC, XC = npl_columns(pool, S, T)
    if d.pool_balance is not None:
        bal0 = np.full(S, d.pool_balance)
    if any(ev.measure == "delinquency_90" for ev in d.events) and delinquency is None:
        ev = next(ev for ev in d.events if ev.measure == "delinquency_90")
        raise MbsxlInputError(f"deal table block {dt.BLOCKS['events'][0]}, row {ev.row}, column measure: delinquency_90 "
                              "needs the delinquency argument (the 90+ ratio of each period)")
    total = sum(c.balance for c in d.classes)
    if total > bal0.max() * (1 + 1e-9) + 1e-6:
        raise MbsxlInputError(f"the classes of the deal table total {total:,.2f}, more than the pool balance "
                              f"({bal0.max():,.2f}); pass class balances summing to at most the pool balance")
    cp = compiled if compiled is not None and compiled.T == T else compile_deal(d, T, index)
    a = cp.arrays
    n, K, g, m, ne = len(d.classes), len(cp.order), len(d.ledgers), len(d.fees), len(d.events)
    cls = np.zeros((S, T, n, 8))
    steps = np.zeros((S, T, K + g))
    led = np.zeros((S, T, g, 3))
    ev = np.zeros((S, T, ne, 2))
    status = np.zeros((S, T), dtype=np.int64)
    fees = np.zeros((S, T, m, 2))
    misc = np.zeros((S, T, 6))
    err = np.zeros((S, 2), dtype=np.int64)
    _compiled()(P, I, L, D, DQ, KC, XC, bal0, a[0], a[1], *a[2:], cls, steps, led, ev, status, fees, misc, err)
    if err[:, 0].any():
        s = int(np.argmax(err[:, 0] > 0))
        what = "a ledger went below zero" if err[s, 0] == 1 else "cash in != cash out"
        raise AssertionError(f"ledger engine defect: {what} in period {err[s, 1] + 1} (scenario {s + 1})")
    return Run(cp, cls, steps, led, ev, status, fees, misc)
