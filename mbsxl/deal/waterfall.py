"""Tranches (分档证券): a pool's monthly cash flows paid to classes of notes, period by period.

The waterfall of each period ``t`` (one row of the pool table, see :mod:`mbsxl.pool.projection`):

1. **Interest** available = the pool's ``Net Interest`` (servicing is already deducted there).
   First the **senior fees** (trustee, custodian, ... as one annual rate ``fees``): ``fees / 12 x``
   the pool's beginning balance; an unpaid fee is carried forward (no interest on it).
2. Then **interest to the classes in order of seniority** (the order of ``tranche_names``, most
   senior first).  Interest due = ``coupon_t / 12 x`` the class's beginning balance (months of 30
   days in years of 360, like the pool engine) plus any shortfall carried from earlier periods;
   with ``interest_on_shortfall=True`` the carried shortfall also earns the period's coupon
   (``shortfall x coupon_t / 12``).  What is not paid is the class's ``Shortfall`` (cumulative,
   carried forward).  Interest is paid out of interest only (principal is never diverted).
3. **Excess interest** (after fees and every class's interest due) goes to the most junior class
   when ``residual=True`` (default; the Jianyuan subordinate class is the residual holder, so its
   ``Interest Paid`` can exceed its ``Interest Due``); with ``residual=False`` it leaves the deal.
4. **Principal** available = the pool's ``Total Principal`` (scheduled + prepaid + recoveries).
   ``structure="sequential"`` pays each class in order until it is retired (A, then B, then C, then
   the subordinate class); ``"pro_rata"`` splits it in proportion to the classes' beginning balances.
   Principal left when every class is retired (a pool larger than the notes) leaves the deal.
   The classes may not total more than the collateral: with a pool table (its first ``Beginning
   Balance``) or ``pool_balance``, class balances summing above it are refused; with bare columns
   and no ``pool_balance`` the classes are taken to be the whole pool (``pool_balance`` = their sum).
5. **Losses** (the pool's ``Loss``) write the classes down from the bottom up: the most junior
   class first, a class only after every class below it is written off (after the period's
   principal).
6. **Clean-up call** (清仓回购): with ``cleanup_call = f > 0`` the seller buys the pool back at par in
   the first period whose pool ending balance is at or below ``f x`` the pool's balance at period 1;
   that period the remaining pool balance is paid as extra principal (by the same structure); the
   later periods stay in the table with every amount 0 (one row a class and pool period, whatever
   the inputs, so a worksheet's ranges keep their shape).

Deal mechanisms (issue 14; all off by default, so the defaults reproduce the plain waterfall above).
The order of payments of a period, declared once:

a. **Triggers** (加速清偿事件 / 违约事件), table ``triggers``, one row a trigger (measure, threshold,
   periods, consequence; layout in :mod:`mbsxl.deal.deal_mechanics`).  A trigger trips when its measure is
   above the threshold in ``periods`` consecutive periods (default 1), tested on the period's own
   figures at its start: ``cumulative_default`` = cumulative pool ``Default`` through this period / the
   pool's balance at period 1; ``delinquency_90`` = the period's 90+ ratio (``delinquency``).
   ``senior_shortfall`` is tested after step c (unpaid senior interest, carried included, above the
   threshold in yuan; 0 = any shortfall).  The consequence applies in the period the trigger trips and,
   once tripped, a trigger stays tripped to the end (as the events of default and acceleration of the
   transaction documents): ``sequential`` (principal strictly by seniority, schedules ignored),
   ``stop_subordinate`` (no interest to the classes after the senior ones: it accrues as their shortfall,
   and the interest left after the reserve pays principal, sequentially or as the structure says),
   ``block_release`` (the reserve keeps any balance above its target).
b. **VAT** = ``vat_rate x`` the period's interest collections (the pool's interest entering the
   trust, ``pool_interest`` / ``Net Interest``), paid first; 3% under the simplified method since 2018
   (pass ``0.03 / 1.03`` for a tax-inclusive base).  Then the fees of step 1.
c. **Senior interest**: the first ``senior_classes`` classes (default 1).  A fee or senior interest
   shortfall is drawn from the **liquidity reserve** (流动性储备账户) by exactly the shortfall (at most
   its balance), then, with ``principal_cover=True``, from the period's principal collections
   (本金账户 -> 收入账户).
d. **Reserve**: target = ``months x`` (the period's fees + senior interest at the coupon on the
   beginning balances), or a fixed ``amount``; 0 once every senior class is retired and in a call
   period.  Below target it is funded from the interest left after step c; above target the excess
   is released into the interest account at this step, unless a ``block_release`` trigger is on
   (a call releases it regardless).
e. **Subordinate interest**, in order (step 2), then the excess (step 3).
f. **Principal**: classes with a target-balance ``schedule`` (固定摊还) are paid down to their target
   first, in seniority order; then the other classes by ``structure``; what remains goes to the
   scheduled classes below their target in order.  A scheduled column shorter than the projection
   holds its last target.  Then losses (step 5).

**Excess spread** (the pool-period view) = interest collections - VAT - fees due - interest due of
every class except the most junior (residual) one, in yuan, and as an annual rate, ``12 x`` that /
the pool's beginning balance.  ``view="pool"`` returns one row a period, :data:`POOL_PERIOD_COLUMNS`
(trigger state as 1/0 columns and a count of tripped triggers; reserve target, draw and balance;
principal moved to interest, interest moved to principal and cash released out of the deal).

Coupons: ``tranche_coupons`` are annual decimals, one per class: a **fixed** coupon, or, for a
class marked in ``floating``, the **spread** over ``index`` (a per-period column of the index
rate, annual decimals; a column shorter than the table holds its last value).  The coupon of a
floating class in period ``t`` is ``index_t + spread``.  :func:`coupon_index` builds the index
column from the PBoC one-year deposit rate (Jianyuan 2007-1 seniors: "the one-year deposit rate
published by the People's Bank of China plus a spread fixed at book-building", seed 002), by the
reset rule chosen there.

Output (:func:`tranches`): a long table, one row per class and period (class by class, each
period 1..T), columns :data:`TRANCHE_COLUMNS`; ``Cash Flow`` = interest paid + principal, the
investor's flow for :func:`mbsxl.yield_` and :func:`mbsxl.price`.  :func:`tranche_stats` sums it
up per class (:data:`STATS_COLUMNS`).

Example
-------
>>> import mbsxl
>>> pool = mbsxl.cashflows(1000.0, 0.06, 12)          # 12 months, no prepayment
>>> s = tranche_stats(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05])
>>> s[["Class", "First Principal Month", "Last Principal Month"]].values.tolist()
[['A', 1, 8], ['B', 8, 12]]
"""
from __future__ import annotations

import datetime as _dt
import itertools

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.deal import deal_mechanics as _mech
from mbsxl import options as _opt
from mbsxl.dates import add_months, as_date
from mbsxl.errors import MbsxlInputError

# ------------------------------------------------------------------ table columns (Excel headers, mbsxl.columns)
from mbsxl.columns import (BEGINNING_BALANCE, CASH_FLOW, CLASS, COUPON, ENDING_BALANCE, FINAL_MONTH, FIRST_PRINCIPAL, INTEREST_DUE, INTEREST_PAID, LAST_PRINCIPAL, LOSS, ORIGINAL_BALANCE, PERIOD, PRINCIPAL, SHORTFALL, STATS_COLUMNS, TOTAL_INTEREST, TOTAL_LOSS, TOTAL_PRINCIPAL, TRANCHE_COLUMNS, WAL, POOL_PERIOD_COLUMNS)
from mbsxl import columns as _c

STRUCTURES = _opt.STRUCTURES
RESETS = _opt.RESETS

# the pool table's columns the waterfall reads (mbsxl.columns.CASHFLOW_COLUMNS)
POOL_PRINCIPAL = _c.TOTAL_PRINCIPAL
POOL_INTEREST = _c.NET_INTEREST
POOL_LOSS = _c.LOSS
POOL_BALANCE = _c.BEGINNING_BALANCE
POOL_DEFAULT = _c.DEFAULT


# ------------------------------------------------------------------ inputs
def _pool(pool_principal, pool_interest, pool_loss):
    """Three equal-length columns, or one pool table (DataFrame with mbsxl.COLUMNS) in pool_principal."""
    if isinstance(pool_principal, pd.DataFrame):
        if pool_interest is not None or pool_loss is not None:
            raise MbsxlInputError("pool_principal is a pool table; leave pool_interest and pool_loss empty")
        df = pool_principal
        missing = [c for c in (POOL_PRINCIPAL, POOL_INTEREST, POOL_LOSS) if c not in df.columns]
        if missing:
            raise MbsxlInputError(f"pool_principal table has no column {', '.join(missing)}; pass the table of "
                             "MBS_CASHFLOWS or three columns")
        bal = float(df[POOL_BALANCE].iloc[0]) if POOL_BALANCE in df.columns and len(df) else None
        p, i, l = (v.array(f"pool_principal column {c!r}", df[c].to_numpy(dtype=float), lo=0.0)
                   for c in (POOL_PRINCIPAL, POOL_INTEREST, POOL_LOSS))
        if p.size == 0:
            raise MbsxlInputError("pool_principal table has no rows")
        d = df[POOL_DEFAULT].to_numpy(dtype=float) if POOL_DEFAULT in df.columns else None
        return p, i, l, bal, d
    if pool_interest is None:
        raise MbsxlInputError("pool_interest is empty; pass the pool's net interest column (or a pool table in "
                         "pool_principal)")
    p = v.array("pool_principal", pool_principal, lo=0.0)
    i = v.array("pool_interest", pool_interest, lo=0.0)
    l = np.zeros_like(p) if pool_loss is None else v.array("pool_loss", pool_loss, lo=0.0)
    if p.size == 0:
        raise MbsxlInputError("pool_principal is empty; pass one value a month")
    if i.size != p.size or l.size != p.size:
        raise MbsxlInputError(f"pool columns differ in length: pool_principal {p.size}, pool_interest {i.size}, "
                         f"pool_loss {l.size}; pass one value a month in each")
    return p, i, l, None, None


def _names(tranche_names) -> list[str]:
    if isinstance(tranche_names, str):
        tranche_names = [tranche_names]
    if tranche_names is None or np.ndim(tranche_names) == 0 or isinstance(tranche_names, dict):
        raise v.MbsxlInputError(f"tranche_names={tranche_names!r} is not a list of names; pass one name a class, "
                                "most senior first (e.g. A, B, Subordinate)")
    names = []
    for k, n in enumerate(np.asarray(list(tranche_names), dtype=object).ravel()):
        if n is None or (isinstance(n, float) and np.isnan(n)):
            raise MbsxlInputError(f"tranche_names[{k + 1}] is empty; name every class")
        s = (str(int(n)) if isinstance(n, float) and float(n).is_integer() else str(n)).strip()
        if not s:
            raise MbsxlInputError(f"tranche_names[{k + 1}] is empty; name every class")
        names.append(s)
    if not names:
        raise MbsxlInputError("tranche_names is empty; pass one name a class, most senior first")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise MbsxlInputError(f"tranche_names repeats {', '.join(dup)}; give each class its own name")
    return names


def _per_class(name: str, value, n: int, *, percent_hint: bool, lo=0.0, hi=None) -> np.ndarray:
    if np.ndim(value) == 0:
        x = v.number(name, value, lo=lo) if hi is None else v.rate(name, value, hi=hi)
        return np.full(n, x)
    a = v.array(name, value, lo=lo, hi=hi, percent_hint=percent_hint)
    if a.size == 1:
        return np.full(n, a[0])
    if a.size != n:
        raise MbsxlInputError(f"{name} has {a.size} values for {n} classes; pass one a class")
    return a


def _coupons(tranche_coupons, n, T, index, floating) -> np.ndarray:
    """T x n matrix of annual coupons."""
    c = _per_class("tranche_coupons", tranche_coupons, n, percent_hint=True, lo=-1.0, hi=1.0)
    flags = _opt.class_flags("floating", floating, n)
    if index is None:
        if flags is not None and flags.any():
            raise MbsxlInputError("floating marks a class as floating but index is empty; pass the index column")
        if (c < 0).any():
            k = int(np.argmax(c < 0))
            raise MbsxlInputError(f"tranche_coupons[{k + 1}]={c[k]:g} is negative; a fixed coupon is >= 0")
        return np.broadcast_to(c, (T, n)).copy()
    if np.ndim(index) == 0:
        idx = np.full(T, v.rate("index", index))
    else:
        a = v.array("index", index, lo=0.0, hi=1.0, percent_hint=True)
        if a.size == 0:
            raise MbsxlInputError("index is empty; pass a number or a column with one rate a period")
        idx = a[:T] if a.size >= T else np.concatenate([a, np.full(T - a.size, a[-1])])
    if flags is None:
        flags = np.ones(n, dtype=bool)
    out = np.where(flags[None, :], idx[:, None] + c[None, :], c[None, :])
    if (out < 0).any():
        t, k = np.argwhere(out < 0)[0]
        raise MbsxlInputError(f"the coupon of class {k + 1} in period {t + 1} is {out[t, k]:g}; index + spread must be >= 0")
    return out


# ------------------------------------------------------------------ the waterfall
def _run(p, i, l, bal0, balances, coupons, structure, cleanup_call, fees, interest_on_shortfall, residual,
         mech=_mech.NONE, want_pool=True):
    """The period loop on plain Python floats (faster than numpy scalars for a handful of classes).

    Returns (classes, pool): an (8, n, T) array of the class columns and a (len(POOL_PERIOD_COLUMNS) - 1, T)
    array of the pool-period columns (without Period), or None when ``want_pool`` is False."""
    T, n = coupons.shape
    P, I, L = p.tolist(), i.tolist(), l.tolist()
    C = coupons.tolist()
    bal = [float(x) for x in balances]
    tol = [1e-10 * max(x, 1.0) for x in bal]          # rounding residue of a retired class
    short = [0.0] * n
    zeros = [0.0] * n
    fee_short = 0.0
    pool_bal = float(bal0)
    call_level = cleanup_call * pool_bal + 1e-9 * pool_bal
    called = False
    # mechanisms (issue 14); all off by default
    vat_rate, ns = mech.vat_rate, mech.senior
    trig = mech.triggers
    tripped = [False] * len(trig)
    runs = [0] * len(trig)
    seq_on = stop_on = block_on = False
    res = mech.reserve
    res_bal = res[2] if res else 0.0
    sched = mech.schedule
    sched_k = [] if sched is None else [k for k in range(n) if sched[0][k] == sched[0][k]]
    free_k = [k for k in range(n) if k not in sched_k]
    cover_on = mech.principal_cover
    D, DQ = mech.defaults, mech.delinquency
    cum_def = 0.0
    nan = float("nan")
    rows, prow = [], []
    for t in range(T):
        if called:                                   # after the clean-up call: rows of zeros
            rows.append((zeros, zeros, zeros, zeros, zeros, zeros, zeros))
            if want_pool:
                prow.append(_ZERO_POOL_ROW)
            continue
        beg = bal
        pool_beg = pool_bal
        pool_end = max(pool_bal - P[t] - L[t], 0.0)
        call = cleanup_call > 0 and 0 < pool_end <= call_level
        prin_avail = P[t] + (pool_end if call else 0.0)
        prin_in = prin_avail
        # triggers on the period's pool figures (before any payment)
        if D is not None:
            cum_def += D[t]
        cdr = cum_def / bal0 if D is not None and bal0 > 0 else nan
        dq = DQ[t] if DQ is not None else nan
        for j, (measure, thr, per, _) in enumerate(trig):
            if tripped[j] or measure == "senior_shortfall":
                continue
            runs[j] = runs[j] + 1 if (cdr if measure == "cumulative_default" else dq) > thr else 0
            tripped[j] = runs[j] >= per
        if trig:
            seq_on, stop_on, block_on = _consequences(trig, tripped)
        # interest account: VAT, fees, senior interest
        avail = I[t]
        vat = vat_rate * I[t]
        avail -= vat
        fee_due = fees / 12.0 * pool_bal + fee_short
        fee_paid = min(avail, fee_due)
        avail -= fee_paid
        r = [c / 12.0 for c in C[t]]
        due = [beg[k] * r[k] + short[k] * (1.0 + r[k] if interest_on_shortfall else 1.0) for k in range(n)]
        paid = [0.0] * n
        for k in range(ns):
            x = due[k] if avail >= due[k] else avail
            paid[k] = x
            avail -= x
        draw = cover = 0.0
        if (res_bal > 0 or cover_on) and avail <= 0:
            gap = fee_due - fee_paid + sum(due[k] - paid[k] for k in range(ns))
            if gap > 1e-9:                           # reserve first, then principal (本金账户 -> 收入账户)
                draw = min(res_bal, gap)
                res_bal -= draw
                cover = min(prin_avail, gap - draw) if cover_on else 0.0
                prin_avail -= cover
                extra = draw + cover
                x = min(extra, fee_due - fee_paid)
                fee_paid += x
                extra -= x
                for k in range(ns):
                    x = min(extra, due[k] - paid[k])
                    paid[k] += x
                    extra -= x
        fee_short = fee_due - fee_paid
        if trig:
            sen_gap = sum(due[k] - paid[k] for k in range(ns))
            for j, (measure, thr, per, _) in enumerate(trig):
                if measure == "senior_shortfall" and not tripped[j]:
                    runs[j] = runs[j] + 1 if sen_gap > thr + 1e-9 else 0
                    tripped[j] = runs[j] >= per
            seq_on, stop_on, block_on = _consequences(trig, tripped)
        # liquidity reserve: funded after senior interest, released above its target
        target = 0.0
        if res:
            if not call and sum(beg[:ns]) > 0:
                target = res[1] if res[0] is None else res[0] * (fees / 12.0 * pool_beg
                                                                 + sum(beg[k] * r[k] for k in range(ns)))
            if res_bal < target:
                x = min(max(avail, 0.0), target - res_bal)
                res_bal += x
                avail -= x
            elif res_bal > target and (call or not block_on):
                avail += res_bal - target
                res_bal = target
        # subordinate interest, then the excess
        to_prin = released = 0.0
        if not stop_on:
            for k in range(ns, n):
                x = due[k] if avail >= due[k] else avail
                paid[k] = x
                avail -= x
        short = [due[k] - paid[k] if due[k] - paid[k] >= 1e-9 else 0.0 for k in range(n)]
        if avail > 0:
            if stop_on:
                to_prin = avail
                prin_avail += avail
            elif residual:
                paid[n - 1] += avail
            else:
                released = avail
        # principal
        if seq_on or (sched is None and structure == "sequential"):
            prin = [0.0] * n
            for k in range(n):
                x = beg[k] if prin_avail >= beg[k] else prin_avail
                prin[k] = x
                prin_avail -= x
        elif sched is None:
            tot = sum(beg)
            amount = min(prin_avail, tot)
            prin = [min(beg[k], amount * beg[k] / tot) if tot > 0 else 0.0 for k in range(n)]
            prin_avail -= sum(prin)
        else:
            prin, prin_avail = _scheduled(beg, prin_avail, sched[t], sched_k, free_k, structure)
        released += prin_avail if prin_avail > 0 else 0.0
        after = [beg[k] - prin[k] for k in range(n)]
        # losses, bottom up
        loss = [0.0] * n
        rem = L[t]
        for k in range(n - 1, -1, -1):
            x = after[k] if rem >= after[k] else rem
            loss[k] = x
            rem -= x
        bal = [after[k] - loss[k] if after[k] - loss[k] >= tol[k] else 0.0 for k in range(n)]
        if call and any(bal):                        # the call ends the deal: what its proceeds do not repay
            loss = [loss[k] + bal[k] for k in range(n)]  # (principal diverted to interest) is written off
            bal = zeros
        rows.append((beg, due, paid, short, prin, loss, bal))
        if want_pool:
            rated = sum(due[:n - 1])
            excess = I[t] - vat - fee_due - rated
            prow.append((pool_beg, I[t], vat, fee_due, fee_paid, rated, excess,
                         12.0 * excess / pool_beg if pool_beg > 0 else nan, cdr, dq, float(sum(tripped)),
                         float(seq_on), float(stop_on), float(block_on), target, draw, res_bal, prin_in, cover,
                         to_prin, released))
        pool_bal = pool_end
        called = call
    out = np.empty((8, n, T))
    chain = itertools.chain.from_iterable
    out[:7] = np.fromiter(chain(chain(rows)), dtype=float, count=7 * n * T).reshape(T, 7, n).transpose(1, 2, 0)
    out[7] = coupons.T
    return out, (np.asarray(prow, dtype=float).T if want_pool else None)


_ZERO_POOL_ROW = (0.0,) * (len(POOL_PERIOD_COLUMNS) - 1)


def _consequences(trig, tripped):
    """(sequential, stop subordinate interest, block reserve release) from the tripped triggers."""
    on = set()
    for (_, _, _, cons), tr in zip(trig, tripped):
        if tr:
            on |= cons
    return "sequential" in on, "stop_subordinate" in on, "block_release" in on


def _scheduled(beg, avail, targets, sched_k, free_k, structure):
    """Fixed-amortisation classes down to their targets first (seniority order), then the pass-through
    classes by ``structure``, then what is left to the scheduled classes in order."""
    n = len(beg)
    prin = [0.0] * n
    for k in sched_k:
        x = min(avail, max(beg[k] - targets[k], 0.0))
        prin[k] = x
        avail -= x
    if structure == "sequential":
        for k in free_k:
            x = beg[k] if avail >= beg[k] else avail
            prin[k] = x
            avail -= x
    else:
        tot = sum(beg[k] for k in free_k)
        amount = min(avail, tot)
        for k in free_k:
            prin[k] = min(beg[k], amount * beg[k] / tot) if tot > 0 else 0.0
        avail -= sum(prin[k] for k in free_k)
    for k in sched_k:
        x = min(avail, beg[k] - prin[k])
        prin[k] += x
        avail -= x
    return prin, avail


def _check_and_run(pool_principal, pool_interest, pool_loss, tranche_names, tranche_balances, tranche_coupons,
                   structure, cleanup_call, index, floating, fees, interest_on_shortfall, pool_balance, residual,
                   extra=None, want_pool=True):
    """Check every argument of :func:`tranches` / :func:`tranche_stats`, run the waterfall; names, balances,
    class flows, pool-period flows.  ``extra``: the mechanism keywords of :func:`tranches`."""
    extra = extra or {}
    p, i, l, table_bal, table_def = _pool(pool_principal, pool_interest, pool_loss)
    names = _names(tranche_names)
    n = len(names)
    balances = _per_class("tranche_balances", tranche_balances, n, percent_hint=False)
    if np.ndim(tranche_balances) == 0 and n > 1:
        raise MbsxlInputError(f"tranche_balances is one number for {n} classes; pass one balance a class")
    coupons = _coupons(tranche_coupons, n, p.size, index, floating)
    st = _opt.structure(structure)
    call = v.fraction("cleanup_call", 0.0 if cleanup_call is None else cleanup_call)
    fee = v.rate("fees", 0.0 if fees is None else fees)
    if pool_balance is None:
        bal0 = table_bal if table_bal is not None else float(balances.sum())
    else:
        bal0 = v.number("pool_balance", pool_balance, lo=0.0, lo_open=True)
    total = float(balances.sum())
    if total > bal0 * (1 + 1e-9) + 1e-6:
        src = "pool_balance" if pool_balance is not None else "the pool table's first Beginning Balance"
        raise v.MbsxlInputError(
            f"tranche_balances sum to {v._fmt(total)}, more than the collateral ({src} = {v._fmt(bal0)}); the "
            f"classes could never be repaid or written down in full. Pass class balances summing to at most "
            f"the pool balance (the excess of the pool over the classes is overcollateralisation)")
    shortfall_interest = _opt.flag("interest_on_shortfall", interest_on_shortfall)
    keep_residual = _opt.flag("residual", residual)
    defaults = extra.get("pool_default")
    if defaults is not None and table_def is not None:
        raise MbsxlInputError("pool_default is given but pool_principal is a table with a Default column; "
                              "leave pool_default empty")
    mech = _mech.mechanics(n, p.size, names, total, vat_rate=extra.get("vat_rate"),
                           triggers=extra.get("triggers"), reserve=extra.get("reserve"),
                           schedule=extra.get("schedule"), principal_cover=extra.get("principal_cover"),
                           delinquency=extra.get("delinquency"),
                           defaults=(table_def if want_pool or extra.get("triggers") is not None else None)
                           if defaults is None else defaults,
                           senior_classes=extra.get("senior_classes"), balances=balances)
    if mech.reserve is not None and mech.reserve[0] is not None:
        first = mech.reserve[0] * (fee / 12.0 * bal0 + float(balances[:mech.senior] @ coupons[0, :mech.senior]) / 12.0)
        if first > total:
            raise MbsxlInputError(f"reserve months={v._fmt(mech.reserve[0])} gives a period-1 target of {v._fmt(first)}, "
                                  f"larger than the deal (classes total {v._fmt(total)}); pass fewer months")
    out, pool = _run(p, i, l, bal0, balances, coupons, st, call, fee, shortfall_interest, keep_residual, mech,
                     want_pool)
    return names, balances, out, pool


def tranches(pool_principal, pool_interest=None, pool_loss=None, tranche_names=("A",), tranche_balances=(0.0,),
             tranche_coupons=0.0, structure="sequential", cleanup_call=0.0, class_=None, *, index=None,
             floating=None, fees=0.0, interest_on_shortfall=False, pool_balance=None, residual=True,
             view="classes", vat_rate=0.0, triggers=None, reserve=None, schedule=None,
             principal_cover=False, delinquency=None, senior_classes=1, pool_default=None) -> pd.DataFrame:
    """The waterfall table: one row per class and period (:data:`TRANCHE_COLUMNS`).

    Parameters (the rules are in the module docstring)
    ----------
    pool_principal, pool_interest, pool_loss : the pool's ``Total Principal``, ``Net Interest`` and
        ``Loss`` columns (one value a month, equal lengths; ``pool_loss`` may be None = no losses),
        or a pool table (:func:`mbsxl.cashflows` output) as ``pool_principal`` with the other two None.
    tranche_names : class names, most senior first (e.g. ``["A", "B", "C", "Subordinate"]``).
    tranche_balances : original balances, one a class.
    tranche_coupons : annual coupons (fixed classes) or spreads over ``index`` (floating classes).
    structure : ``"sequential"`` (default) or ``"pro_rata"``.
    cleanup_call : pool factor at which the pool is called (0.10 = 10%); 0 = no call (default).
    class_ : a class name to return only its rows; None = every class.
    index : per-period index rate column (e.g. :func:`coupon_index`), or one rate; for floating classes.
    floating : per-class flags (True = coupon is index + spread); default every class when ``index``
        is given.
    fees : senior fees (trustee etc.) as an annual rate on the pool's beginning balance; default 0.
    interest_on_shortfall : carried interest shortfall earns the coupon; default False.
    pool_balance : the pool's balance at period 1 (for fees and the call); default the table's first
        ``Beginning Balance`` or the sum of the class balances.
    residual : excess interest to the most junior class (default True).
    view : ``"classes"`` (default): one row per class and period (:data:`TRANCHE_COLUMNS`); ``"pool"``:
        one row a period (:data:`POOL_PERIOD_COLUMNS`: VAT, fees, excess spread, triggers, reserve).
    vat_rate, triggers, reserve, schedule, principal_cover, delinquency, senior_classes, pool_default :
        the mechanisms of the module docstring (all off by default; :mod:`mbsxl.deal.deal_mechanics`
        describes their layouts).

    >>> t = tranches([50.0, 50.0], [1.0, 0.5], [0.0, 0.0], ["A", "B"], [50.0, 50.0], [0.12, 0.0])
    >>> t["Principal"].tolist(), t["Interest Paid"].tolist()
    ([50.0, 0.0, 0.0, 50.0], [0.5, 0.0, 0.5, 0.5])
    """
    extra = dict(vat_rate=vat_rate, triggers=triggers, reserve=reserve, schedule=schedule,
                 principal_cover=principal_cover, delinquency=delinquency, senior_classes=senior_classes,
                 pool_default=pool_default)
    names, balances, out, pool = _check_and_run(pool_principal, pool_interest, pool_loss, tranche_names,
                                                tranche_balances, tranche_coupons, structure, cleanup_call, index,
                                                floating, fees, interest_on_shortfall, pool_balance, residual,
                                                extra, want_pool=_opt.view(view) == "pool")
    if _opt.view(view) == "pool":
        if _select(names, class_) != list(range(len(names))):
            raise MbsxlInputError(f"class_={class_!r} selects a class's rows; leave it empty with view='pool'")
        T = out.shape[2]
        return pd.DataFrame(dict(zip(POOL_PERIOD_COLUMNS, [np.arange(1, T + 1), *pool])),
                            columns=POOL_PERIOD_COLUMNS)
    keep = _select(names, class_)
    T = out.shape[2]
    sub = out[:, keep, :].reshape(8, -1)            # class by class, each period 1..T
    beg, due, paid, short, prin, loss, end, cpn = sub
    return pd.DataFrame({
        PERIOD: np.tile(np.arange(1, T + 1), len(keep)), CLASS: np.repeat(np.array(names, dtype=object)[keep], T),
        BEGINNING_BALANCE: beg, COUPON: cpn, INTEREST_DUE: due, INTEREST_PAID: paid, SHORTFALL: short,
        PRINCIPAL: prin, LOSS: loss, ENDING_BALANCE: end, CASH_FLOW: paid + prin}, columns=TRANCHE_COLUMNS)


def _select(names, class_) -> list[int]:
    if class_ is None or (isinstance(class_, str) and class_.strip() == ""):
        return list(range(len(names)))
    key = str(int(class_)) if isinstance(class_, float) and float(class_).is_integer() else str(class_).strip()
    for k, n in enumerate(names):
        if n.lower() == key.lower():
            return [k]
    raise MbsxlInputError(f"class_={class_!r} is not one of the classes {', '.join(names)}")


def tranche_stats(pool_principal, pool_interest=None, pool_loss=None, tranche_names=("A",), tranche_balances=(0.0,),
                  tranche_coupons=0.0, structure="sequential", cleanup_call=0.0, class_=None, *, index=None,
                  floating=None, fees=0.0, interest_on_shortfall=False, pool_balance=None, residual=True,
                  vat_rate=0.0, triggers=None, reserve=None, schedule=None, principal_cover=False,
                  delinquency=None, senior_classes=1, pool_default=None) -> pd.DataFrame:
    """Per class (:data:`STATS_COLUMNS`): original balance; ``WAL`` in years, ``sum t x principal_t /
    (12 x sum principal_t)`` with period t paid t months after the start (no payment delay; use
    :func:`mbsxl.wal` on the ``Principal`` column for delays); principal window (first and last month
    with principal); ``Final Month``, the period the balance reaches zero by principal or write-down
    (empty if it never does); total interest paid, principal and loss.  WAL is empty for a class that
    receives no principal.  Same arguments as :func:`tranches`.

    >>> s = tranche_stats([50.0, 50.0], [1.0, 0.5], [0.0, 0.0], ["A", "B"], [50.0, 50.0], [0.12, 0.0])
    >>> s[["Class", "WAL", "First Principal Month", "Final Month"]].values.tolist()
    [['A', 0.08333333333333333, 1, 1], ['B', 0.16666666666666666, 2, 2]]
    """
    extra = dict(vat_rate=vat_rate, triggers=triggers, reserve=reserve, schedule=schedule,
                 principal_cover=principal_cover, delinquency=delinquency, senior_classes=senior_classes,
                 pool_default=pool_default)
    names, balances, out, pool = _check_and_run(pool_principal, pool_interest, pool_loss, tranche_names,
                                                tranche_balances, tranche_coupons, structure, cleanup_call, index,
                                                floating, fees, interest_on_shortfall, pool_balance, residual,
                                                extra, want_pool=False)
    rows = []
    months = np.arange(1, out.shape[2] + 1)
    for k in _select(names, class_):
        beg, due, paid, short, prin, loss, end, cpn = out[:, k, :]
        tot = prin.sum()
        has = np.flatnonzero(prin > 0)
        gone = np.flatnonzero((end <= 0) & (beg > 0))
        rows.append({
            CLASS: names[k], ORIGINAL_BALANCE: balances[k],
            WAL: float(months @ prin / tot / 12.0) if tot > 0 else np.nan,
            FIRST_PRINCIPAL: int(months[has[0]]) if has.size else np.nan,
            LAST_PRINCIPAL: int(months[has[-1]]) if has.size else np.nan,
            FINAL_MONTH: int(months[gone[0]]) if gone.size else np.nan,
            TOTAL_INTEREST: paid.sum(), TOTAL_PRINCIPAL: tot, TOTAL_LOSS: loss.sum()})
    return pd.DataFrame(rows, columns=STATS_COLUMNS)


# ------------------------------------------------------------------ the index of floating coupons
def period_starts(start_date, months, payment_day=None) -> list[_dt.date]:
    """First day of each interest period: period 1 starts on ``start_date``; period k > 1 starts on
    the (k-1)-th payment date, on ``payment_day`` of the (k-1)-th month after ``start_date``'s month
    (Jianyuan 2007-1: issued 2007-12-14, paying on the 26th -> 2007-12-14, 2008-01-26, 2008-02-26, ...),
    or ``start_date`` + (k-1) months when ``payment_day`` is None."""
    start = as_date("start_date", start_date)
    T = v.months("months", months)
    day = None if payment_day is None else v.whole("payment_day", payment_day)
    if day is not None and day > 31:
        raise MbsxlInputError(f"payment_day={day} is not a day of the month (1-31)")
    return [start] + [add_months(start, k, day) for k in range(1, T)]


def coupon_index(start_date, months, reset="period", payment_day=None, benchmark=None,
                 series="deposit_1y") -> np.ndarray:
    """Per interest period, the index rate of floating classes (annual decimals).

    ``benchmark``: (date, rate) rows, each rate in force from its date (default: the PBoC
    ``series`` from ``data/pboc_benchmark_rates.csv``, the one-year deposit rate, index of the
    Jianyuan 2007-1 senior classes, seed 002).  ``reset`` (the seeds do not give the deal's reset
    date; the default is a stated assumption):

    - ``"period"`` (default): the rate in force on the first day of each interest period
      (:func:`period_starts`), so a PBoC change applies from the next period;
    - ``"annual"``: the rate in force on ``start_date`` until the end of that calendar year, then
      the rate in force on 1 January of each year (the mortgage repricing rule of
      :mod:`mbsxl.rates.floating`);
    - ``"fixed"``: the rate in force on ``start_date`` throughout.

    >>> [round(float(x), 4) for x in coupon_index("2007-12-14", 3, payment_day=26)]
    [0.0387, 0.0414, 0.0414]
    """
    from mbsxl.rates.floating import _table
    from mbsxl.rates.rateindex import first_date as rate_index_first, rate_index
    kind = _opt.reset(reset)
    starts = period_starts(start_date, months, payment_day)
    if kind == "fixed":
        on = [starts[0]] * len(starts)
    elif kind == "annual":
        y0 = starts[0].year
        on = [starts[0] if d.year == y0 else _dt.date(d.year, 1, 1) for d in starts]
    else:
        on = starts
    if benchmark is None:
        first = rate_index_first(_opt.series(series))
        tables = dict(index=_opt.series(series))
    else:
        d, r = _table(benchmark)                    # validated (date, rate) rows, errors naming benchmark
        first, tables = d[0].item(), dict(table_dates=d.astype(object), table_rates=r)
    if on[0] < first:                               # on[] is increasing: name start_date, not rate_index's dates
        raise MbsxlInputError(f"start_date={on[0]} is before the first benchmark row ({first})")
    return np.asarray(rate_index(on, **tables), dtype=float)
