"""Functions on the deal table: flows by class, ledger and event; per-class statistics; the parser's
check; grids and breakevens; the deal table built from the old positional waterfall arguments.

Every function takes the pool's cash flows as today (the table of :func:`mbsxl.cashflows` /
:func:`mbsxl.loan_cashflows`, columns found by name) and the deal as one argument: a deal table (a
list of rows, a DataFrame, a dict of blocks; layout in :mod:`mbsxl.deal.dealtable`) or a parsed
:class:`mbsxl.deal.dealtable.Deal`.  The rules of a period are in :mod:`mbsxl.deal.ledger`.

- :func:`deal_flows` ``view``: ``classes`` (default; one row a class and period, the columns of
  :func:`mbsxl.tranches`, so MBS_YIELD / MBS_WAL read it as before), ``ledgers`` (each ledger's
  beginning balance, collections, every step of the period's status with its amount, ending balance:
  the priority of payments audited line by line; with a ``payment_frequency`` above 1 the months
  between payment dates show the collections held, no steps) or ``events`` (each event's measure,
  threshold, on or off, and the deal status; payment months only).
- :func:`deal_stats`: per class, the statistics of :func:`mbsxl.tranche_stats` and, with ``price``,
  the yield at that price (per 100 of original face, SF-48 yield, ``compounding`` a year).
- :func:`deal_check`: one row a line of the table the parser understood or refused, naming the block,
  row and label.
- :func:`deal_grid` / :func:`deal_breakeven`: :func:`mbsxl.grid` / :func:`mbsxl.breakeven` with the
  deal table in place of the positional waterfall arguments (every scenario run together by the
  kernel).
- :func:`deal_from_tranches`: the deal table equivalent to :func:`mbsxl.tranches`'s positional
  arguments (tests check the two agree to 1e-6 yuan on the Jianyuan 2007-1 deal).

>>> import mbsxl
>>> deal = deal_from_tranches(["A", "B"], [600.0, 400.0], [0.04, 0.05])
>>> s = deal_stats(mbsxl.cashflows(1000.0, 0.06, 12), deal)
>>> s[["Class", "First Principal Month", "Last Principal Month"]].values.tolist()
[['A', 1, 8], ['B', 8, 12]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg
from mbsxl import options as _opt
from mbsxl.errors import MbsxlInputError


def _view(value) -> str:
    return _opt.deal_view(value)


# ------------------------------------------------------------------ views
def deal_flows(pool, deal, view="classes", index=None, delinquency=None, class_=None) -> pd.DataFrame:
    """The deal's flows over ``pool`` (module docstring); ``index``: the per-period index of floating
    classes (annual decimals, e.g. :func:`mbsxl.coupon_index`); ``delinquency``: the per-period 90+
    ratio (for a ``delinquency_90`` event); ``class_``: with view ``classes``, one class's rows only (a
    name of the 分档 Classes block, case-insensitive; None = every class), as :func:`mbsxl.tranches`'s
    ``class_``, so that MBS_YIELD / MBS_PRICE read one class's Cash Flow column.

    >>> import mbsxl
    >>> deal = deal_from_tranches(["A", "B"], [600.0, 400.0], [0.04, 0.05])
    >>> f = deal_flows(mbsxl.cashflows(1000.0, 0.06, 12), deal, class_="b")
    >>> f["Class"].unique().tolist(), len(f)
    (['B'], 12)
    """
    kind = _view(view)
    blank = class_ is None or (isinstance(class_, str) and class_.strip() == "")
    if not blank and kind != "classes":
        raise MbsxlInputError(f"class_={class_!r} selects a class's rows of view 'classes'; leave it empty with "
                              f"view={view!r}")
    r = lg.run(deal, pool, index, delinquency)
    if kind == "classes":
        t = _classes(r)
        if blank:
            return t
        from mbsxl.deal.waterfall import _select
        names = [c.name for c in r.compiled.deal.classes]
        keep = names[_select(names, class_)[0]]
        return t[t[C.CLASS] == keep].reset_index(drop=True)
    if kind == "ledgers":
        return _ledgers(r)
    return _events(r)


def _classes(r: lg.Run, s: int = 0) -> pd.DataFrame:
    d = r.compiled.deal
    x = r.classes[s]                                   # T x n x 8
    T, n = x.shape[:2]
    cpn = r.compiled.arrays[3]
    live = r.status[s] >= 0
    col = lambda f: x[:, :, f].T.ravel()             # class by class, each period 1..T
    return pd.DataFrame({
        C.PERIOD: np.tile(np.arange(1, T + 1), n), C.CLASS: np.repeat([c.name for c in d.classes], T),
        C.BEGINNING_BALANCE: np.where(np.tile(live, n), col(lg.BEG), 0.0),
        C.COUPON: cpn.T.ravel(), C.INTEREST_DUE: col(lg.DUE), C.INTEREST_PAID: col(lg.PAID),
        C.SHORTFALL: col(lg.SHORT), C.PRINCIPAL: col(lg.PRIN), C.LOSS: col(lg.LOSS),
        C.ENDING_BALANCE: col(lg.END), C.CASH_FLOW: col(lg.PAID) + col(lg.PRIN)}, columns=C.TRANCHE_COLUMNS)


def _ledgers(r: lg.Run, s: int = 0) -> pd.DataFrame:
    d = r.compiled.deal
    order = r.compiled.order
    K = len(order)
    starts = r.compiled.arrays[19]
    paym = r.compiled.arrays[28]
    rows = []
    T = r.status.shape[1]
    for t in range(T):
        st = int(r.status[s, t])
        if st < 0:
            break
        status = d.statuses[st]
        q0, q1 = int(starts[st]), int(starts[st + 1])
        if not paym[t]:                                # collections held to the payment month: no steps
            q1 = q0
        for j, led in enumerate(d.ledgers):
            rows.append((t + 1, status, led.name, "", C.LEDGER_BEGINNING, "", r.ledgers[s, t, j, 0]))
            rows.append((t + 1, status, led.name, "", C.LEDGER_COLLECTIONS, "", r.ledgers[s, t, j, 1]))
            for q in range(q0, q1):
                stp = order[q]
                if stp.ledger == led.name:
                    rows.append((t + 1, status, led.name, stp.step, stp.action,
                                 stp.target + ("" if stp.limit is None else f" ({stp.limit})"), r.steps[s, t, q]))
            if r.steps[s, t, K + j] > 0:
                rows.append((t + 1, status, led.name, "", C.LEDGER_CALL_RELEASE, "", r.steps[s, t, K + j]))
            rows.append((t + 1, status, led.name, "", C.LEDGER_ENDING, "", r.ledgers[s, t, j, 2]))
    out = pd.DataFrame(rows, columns=C.DEAL_LEDGER_COLUMNS)
    out[C.STEP] = out[C.STEP].map(lambda x: "" if x == "" else (int(x) if float(x).is_integer() else float(x)))
    return out


def _events(r: lg.Run, s: int = 0) -> pd.DataFrame:
    d = r.compiled.deal
    thr = r.compiled.arrays[23]
    paym = r.compiled.arrays[28]
    rows = []
    for t in range(r.status.shape[1]):
        st = int(r.status[s, t])
        if st < 0:
            break
        if not paym[t]:                                # events are tested on payment months only
            continue
        for e, ev in enumerate(d.events):
            rows.append((t + 1, ev.name, ev.measure + ("" if ev.of is None else f" of {ev.of}"), r.events[s, t, e, 0],
                         thr[t, e], int(r.events[s, t, e, 1]), d.statuses[st]))
        if not d.events:
            rows.append((t + 1, "", "", np.nan, np.nan, 0, d.statuses[st]))
    return pd.DataFrame(rows, columns=C.DEAL_EVENT_COLUMNS)


# ------------------------------------------------------------------ statistics
def _stats_rows(names, balances, x, months, pricing=None):
    rows = []
    for k, name in enumerate(names):
        prin, loss, end, beg, paid = x[:, k, lg.PRIN], x[:, k, lg.LOSS], x[:, k, lg.END], x[:, k, lg.BEG], x[:, k, lg.PAID]
        tot = prin.sum()
        has = np.flatnonzero(prin > 0)
        gone = np.flatnonzero((end <= 0) & (beg > 0))
        row = [name, balances[k], float(months @ prin / tot / 12.0) if tot > 0 else np.nan,
               int(months[has[0]]) if has.size else np.nan, int(months[has[-1]]) if has.size else np.nan,
               int(months[gone[0]]) if gone.size else np.nan, paid.sum(), tot, loss.sum()]
        row.append(np.nan if pricing is None else pricing.yield_(paid + prin, balances[k]))
        rows.append(row)
    return rows


def deal_stats(pool, deal, price=None, compounding=2, index=None, delinquency=None, *, delay_days=0,
               payment_day=None) -> pd.DataFrame:
    """Per class (:data:`mbsxl.columns.DEAL_STATS_COLUMNS`): original balance, WAL in years (``sum t x
    principal_t / (12 x sum principal_t)``, period t paid t months after the start), principal window,
    final month, total interest, principal and loss, as :func:`mbsxl.tranche_stats`; and the yield of
    ``interest paid + principal`` at ``price`` per 100 of original face (:func:`mbsxl.yield_`,
    ``compounding`` a year, flow t ``delay_days`` after month t or on ``payment_day``; empty without a
    price or when nothing is received)."""
    from mbsxl.deal.scenario import Pricing
    pricing = None if price is None else Pricing(price, compounding, delay_days, payment_day)
    r = lg.run(deal, pool, index, delinquency)
    d = r.compiled.deal
    months = np.arange(1, r.classes.shape[1] + 1)
    rows = _stats_rows([c.name for c in d.classes], [c.balance for c in d.classes], r.classes[0], months, pricing)
    return pd.DataFrame(rows, columns=C.DEAL_STATS_COLUMNS)


def deal_check(deal) -> pd.DataFrame:
    """What the parser understood and refused (:data:`mbsxl.columns.DEAL_CHECK_COLUMNS`), refused lines first.

    >>> t = deal_check([["Classes", "balance", "coupon"], ["A", 100, 0.05], ["Ledgers", "receives"],
    ...                 ["cash", "both"], ["Priority", "ledger", "step", "action", "target"],
    ...                 ["normal", "cash", 1, "pay_interest", "A3"]])
    >>> t[["Row", "Result"]].values.tolist()[0]
    [6, 'refused']
    """
    d = dt._Parser().parse(deal)
    rows = [(b, r, lab, C.CHECK_REFUSED, msg) for b, r, lab, msg in d.refused]
    rows += [(b, r, lab, C.CHECK_UNDERSTOOD, msg) for b, r, lab, msg in d.found]
    return pd.DataFrame(rows, columns=C.DEAL_CHECK_COLUMNS)


# ------------------------------------------------------------------ the old arguments as a deal table
def deal_from_tranches(tranche_names, tranche_balances, tranche_coupons, structure="sequential", cleanup_call=0.0,
                       floating=None, fees=0.0, interest_on_shortfall=False, pool_balance=None,
                       residual=True) -> list:
    """The deal table (a list of rows) that pays as :func:`mbsxl.tranches` with these arguments: the
    classes (floating ones as index + spread); a ``fees`` row on the pool balance; an income ledger
    receiving interest (fees, each class's interest by seniority, the residual to the last class or
    released) and a principal ledger receiving principal (classes in order, or one pro rata group,
    then what is left released); pool losses written down bottom-up; the clean-up call.

    >>> deal_from_tranches(["A", "B"], [60, 40], [0.04, 0.05])[:3]
    [['分档 Classes', '金额 balance', '利率 coupon', '利率类型 rate type', '累计 carry'], ['A', 60.0, 0.04, 'fixed', 'yes'], ['B', 40.0, 0.05, 'fixed', 'yes']]
    """
    from mbsxl.deal.waterfall import _names, _per_class
    names = _names(tranche_names)
    n = len(names)
    bals = _per_class("tranche_balances", tranche_balances, n, percent_hint=False)
    cpns = _per_class("tranche_coupons", tranche_coupons, n, percent_hint=True, lo=-1.0, hi=1.0)
    flags = _opt.class_flags("floating", floating, n)
    flags = np.zeros(n, dtype=bool) if flags is None else flags
    st = _opt.structure(structure)
    fee = v.rate("fees", 0.0 if fees is None else fees)
    carry = "compound" if _opt.flag("interest_on_shortfall", interest_on_shortfall) else "yes"
    rows = [["分档 Classes", "金额 balance", "利率 coupon", "利率类型 rate type", "累计 carry"]]
    rows += [[nm, float(b), float(c), "floating" if f else "fixed", carry] for nm, b, c, f in zip(names, bals, cpns, flags)]
    rows += [[None]]
    if fee > 0:
        rows += [["费用税收 Fees", "费率 rate", "基数 base"], ["fees", fee, "pool_balance"], [None]]
    rows += [["账户 Ledgers", "收入来源 receives"], ["income", "interest"], ["principal", "principal"], [None]]
    rows += [["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"]]
    k = 1
    if fee > 0:
        rows.append(["normal", "income", k, "pay_fee", "fees", None])
        k += 1
    for nm in names:
        rows.append(["normal", "income", k, "pay_interest", nm, None])
        k += 1
    if _opt.flag("residual", residual):
        rows.append(["normal", "income", k, "pay_residual", names[-1], None])
    else:
        rows.append(["normal", "income", k, "release", None, None])
    if st == "sequential":
        for j, nm in enumerate(names, start=1):
            rows.append(["normal", "principal", j, "pay_principal", nm, None])
        j = n + 1
    else:
        rows.append(["normal", "principal", 1, "pay_principal", "+".join(names), None])
        j = 2
    rows.append(["normal", "principal", j, "release", None, None])
    rows += [[None], ["参数 Settings", "数值 value"], ["cleanup_call", v.fraction("cleanup_call", cleanup_call or 0.0)]]
    if pool_balance is not None:
        rows.append(["pool_balance", v.number("pool_balance", pool_balance, lo=0.0, lo_open=True)])
    return rows


# ------------------------------------------------------------------ scenarios
class _DealScenarios:
    """The pool inputs of :func:`mbsxl.grid` and a parsed deal; ``flows(pools)`` runs every scenario together."""

    def __init__(self, balance, wac, wam, deal, class_, recovery_lag, servicing, age, advance, amortization, index):
        from mbsxl.deal.scenario import Deal as _PoolDeal
        self.pool = _PoolDeal(balance, wac, wam, None, None, None, class_, recovery_lag, servicing, age, advance,
                              amortization, {})
        self.deal = dt.parse_deal(deal)
        names = [c.name.lower() for c in self.deal.classes]
        key = str(class_).strip().lower()
        if key not in names:
            raise MbsxlInputError(f"class_={class_!r} is not one of the deal's classes "
                                  f"({', '.join(c.name for c in self.deal.classes)})")
        self.k = names.index(key)
        self.class_ = self.deal.classes[self.k].name
        self.index = index
        self.compiled = None

    def project(self, cpr, cdr, severity):
        return self.pool.project(cpr, cdr, severity)

    def arrays(self, scen):
        """The pool columns the deal reads (S x T) for scenarios ``(cpr, cdr, severity)``: the first through
        :func:`mbsxl.cashflows`' checks (every pool argument checked there; its columns as that table
        computes them, without building the table), the rest by the same engine call
        (``tests/test_deal_scenarios.py`` checks they equal cashflows')."""
        from mbsxl.pool import _engine
        from mbsxl.pool import projection as _proj
        k = self.pool.pool_kw
        cpr0, cdr0, sev0 = scen[0]
        first = _proj._cashflows_acc(k["balance"], k["wac"], k["wam"], prepay=cpr0, prepay_type="CPR", default=cdr0,
                                     default_type="CDR", severity=sev0, recovery_lag=k["recovery_lag"],
                                     servicing=k["servicing"], age=k["age"], advance=k["advance"],
                                     amortization=k["amortization"])
        bal, rate, n = float(k["balance"]), float(k["wac"]), first.shape[0]
        age = int(k["age"] or 0)
        lp = _opt.amortization(k["amortization"]) == "level_principal"
        adv = _opt.flag("advance", k["advance"])
        A = _engine
        cols = []
        for i, (cpr, cdr, sev) in enumerate(scen):
            if i == 0:
                acc = first
            else:
                smm, mdr, sv, lag, svc = _proj._assumptions(n, cpr, "CPR", cdr, "CDR", sev, k["recovery_lag"],
                                                            k["servicing"])
                acc = _engine.project(np.array([bal]), np.array([rate]), np.array([n]), np.array([age]),
                                      np.array([lp]), np.full(n, np.nan), np.ones(1), np.zeros(1), svc, smm, mdr, sv,
                                      lag, adv)
            cols.append((acc[:, A.A_SCHED] + acc[:, A.A_PREPAY] + acc[:, A.A_RECOV], acc[:, A.A_GROSS] - acc[:, A.A_FEE],
                         acc[:, A.A_LOSS], acc[:, A.A_DEF]))
        P, I, L, D = (np.ascontiguousarray(np.stack([c[i] for c in cols])) for i in range(4))
        b0 = np.full(len(scen), float(first[0, A.A_BEG]))
        return P, I, L, D, np.full_like(P, np.nan), b0

    def flows(self, pools=None, arrays=None):
        if arrays is None:
            arrays = lg.pool_columns(list(pools))
        if self.compiled is None:
            self.compiled = lg.compile_deal(self.deal, arrays[0].shape[1], self.index)
        r = lg.run(self.deal, None, compiled=self.compiled, arrays=arrays)
        x = r.classes[:, :, self.k, :]
        orig = self.deal.classes[self.k].balance
        return [(x[s, :, lg.PRIN], x[s, :, lg.LOSS], x[s, :, lg.PAID] + x[s, :, lg.PRIN], orig) for s in range(x.shape[0])]


def deal_grid(balance, wac, wam, deal, class_, price, cprs, cdrs, severities=0.0, recovery_lag=0, servicing=0.0,
              age=0, index=None, compounding=2, payment_day=None, metric="table", *, delay_days=0, advance=True,
              amortization="level_payment") -> pd.DataFrame:
    """:func:`mbsxl.grid` on a deal table: the class's WAL, yield at ``price``, loss and first-loss period
    in every CPR x CDR x severity scenario of the representative-loan pool (``balance, wac, wam,
    recovery_lag, servicing, age, advance, amortization`` as :func:`mbsxl.cashflows`), every scenario a
    full projection and a full run of the deal (:mod:`mbsxl.deal.ledger`, all scenarios in one kernel call).
    Columns and ``metric`` as :func:`mbsxl.grid`."""
    from mbsxl.deal.scenario import Pricing, axes, matrix_of, measures
    cpr_a, cdr_a, sev_a = axes(cprs, cdrs, severities)
    kind = _opt.grid_metric(metric)
    if kind != "table" and sev_a.size != 1:
        raise MbsxlInputError(f"metric={metric!r} is a CPR x CDR matrix for one severity, and severities has "
                              f"{sev_a.size}; pass one severity, or metric=\"table\"")
    pricing = Pricing(price, compounding, delay_days, payment_day)
    sc = _DealScenarios(balance, wac, wam, deal, class_, recovery_lag, servicing, age, advance, amortization, index)
    scen = [(float(c), float(d), float(s)) for c in cpr_a for d in cdr_a for s in sev_a]
    flows = sc.flows(arrays=sc.arrays(scen))
    rows = [[c, d, s] + measures(*f, pricing) for (c, d, s), f in zip(scen, flows)]
    if kind == "table":
        return pd.DataFrame(rows, columns=C.GRID_COLUMNS)
    j = C.GRID_COLUMNS.index(C.GRID_METRIC_COLUMN[kind])          # one measure: no long table built
    return matrix_of([r[j] for r in rows], cpr_a, cdr_a)


class _Counter:
    """The class's flows at a CDR, each CDR run once (as :class:`mbsxl.deal.breakeven._Counter`)."""

    def __init__(self, sc: _DealScenarios, cpr, severity):
        self.deal, self.cpr, self.severity, self.seen = sc, cpr, severity, {}

    @property
    def runs(self) -> int:
        return len(self.seen)

    def __call__(self, cdr):
        if cdr not in self.seen:
            self.seen[cdr] = self.deal.flows([self.deal.project(self.cpr, cdr, self.severity)])[0]
        return self.seen[cdr]


def deal_breakeven(balance, wac, wam, deal, class_, cpr, severity, yield_threshold=None, price=100.0, recovery_lag=0,
                   servicing=0.0, age=0, index=None, compounding=2, payment_day=None, cdr_max=1.0, tolerance=1e-6, *,
                   delay_days=0, advance=True, amortization="level_payment") -> pd.DataFrame:
    """:func:`mbsxl.breakeven` on a deal table: the CDR at which ``class_`` first loses principal and the
    CDR at which its yield at ``price`` falls to ``yield_threshold`` (same search, same Measure/Value
    table; the monotonicity assumption there matters more with events and default cover)."""
    from mbsxl.deal.breakeven import _search_args, _yield_threshold, loss_breakeven, yield_breakeven
    from mbsxl.deal.scenario import Pricing
    c, s, hi, tol = _search_args(cpr, severity, cdr_max, tolerance)
    pricing = Pricing(price, compounding, delay_days, payment_day)
    thr = None if yield_threshold is None else _yield_threshold(yield_threshold)
    sc = _DealScenarios(balance, wac, wam, deal, class_, recovery_lag, servicing, age, advance, amortization, index)
    flows = _Counter(sc, c, s)
    loss_cdr = loss_breakeven(flows, hi, tol)
    yield_cdr = np.nan if thr is None else yield_breakeven(flows, pricing, thr, hi, tol)
    values = [loss_cdr, yield_cdr, np.nan if thr is None else thr, tol, flows.runs]
    return pd.DataFrame({C.MEASURE: C.BREAKEVEN_ROWS, C.VALUE: values}, columns=[C.MEASURE, C.VALUE])
