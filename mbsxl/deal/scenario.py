"""Scenario grids (敏感性分析): one class's WAL, yield, loss and first-loss period over CPR x CDR x severity.

Every scenario is a full pool projection (:func:`mbsxl.cashflows` at the scenario's CPR, CDR and
severity, the other pool inputs fixed) and a full waterfall (:func:`mbsxl.tranches` rules) over the
deal's classes; one call returns the whole grid, so a sheet holds one formula, not thousands.

Measures of the class ``class_`` in each scenario:

- ``WAL``: years, ``sum t x principal_t / (12 x sum principal_t)``, period t paid t months after the
  start, as :func:`mbsxl.tranche_stats` (empty when the class receives no principal);
- ``Yield``: :func:`mbsxl.yield_` of the class's ``Cash Flow`` column (interest paid + principal) at
  ``price`` per 100 of the class's **original** balance, compounded ``compounding`` times a year,
  flow t received ``payment_day`` (or ``delay_days`` after the end) of month t (empty when no yield
  in (-99%, 100%] reprices the flows, e.g. a class that receives nothing);
- ``Loss``: principal written down (the class's ``Loss`` column summed), and ``Loss %`` of the
  original balance;
- ``First Loss Period``: the first period with a write-down (empty when none).

Rows come CPR by CPR, within a CPR CDR by CDR, within a CDR severity by severity, in the order given.
``metric`` = ``wal``, ``yield``, ``loss``, ``loss_pct`` or ``first_loss`` returns that measure as a
matrix instead (one severity only): rows the CPRs, columns the CDRs, the CPR in the first column
(headed ``CPR \\ CDR``).

Speed: with only the waterfall arguments of :mod:`mbsxl.deal.waterfall` the scenarios' waterfalls run
together (:mod:`mbsxl.deal._waterfall_batch`, same rules, checked against :func:`mbsxl.tranches` in the
tests); any other keyword (a mechanism added to :func:`mbsxl.tranches`) is passed to
:func:`mbsxl.tranches` unchanged, one scenario at a time.

Example
-------
>>> g = grid(1000.0, 0.06, 60, ["A", "B"], [800, 200], [0.04, 0.0], "A", 100, [0, 0.2], [0, 0.1], 0.5)
>>> g[["CPR", "CDR", "Loss", "First Loss Period"]].values.tolist()
[[0.0, 0.0, 0.0, nan], [0.0, 0.1, 0.0, nan], [0.2, 0.0, 0.0, nan], [0.2, 0.1, 0.0, nan]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.deal import _waterfall_batch
from mbsxl import columns as C
from mbsxl import options as _opt
from mbsxl.pricing import measures as _pr
from mbsxl.pool import projection as _proj
from mbsxl.deal import waterfall as _wf
from mbsxl.errors import MbsxlInputError


# ------------------------------------------------------------------ inputs
def rates(name: str, values) -> np.ndarray:
    """A non-empty list of annual rates as decimals in [0, 1]; 5 (a whole percent) named as such."""
    a = v.array(name, values, lo=0.0, hi=1.0, percent_hint=True)
    if a.size == 0:
        raise MbsxlInputError(f"{name} is empty; pass at least one rate as a decimal (e.g. 0.02 for 2%)")
    return a


def axes(cprs, cdrs, severities):
    """The grid's CPRs, CDRs and severities as checked arrays, their product within the grid cap."""
    cpr_a, cdr_a = rates("cprs", cprs), rates("cdrs", cdrs)
    sev_a = v.array("severities", severities, lo=0.0, hi=1.0, percent_hint=True)
    if sev_a.size == 0:
        raise MbsxlInputError("severities is empty; pass at least one loss severity as a decimal (e.g. 0.3)")
    cells = cpr_a.size * cdr_a.size * sev_a.size
    if cells > v.MAX_GRID_CELLS:
        raise MbsxlInputError(f"cprs x cdrs x severities = {cpr_a.size} x {cdr_a.size} x {sev_a.size} = {cells:,} "
                              f"scenarios, above the cap of {v.MAX_GRID_CELLS:,}; split the grid")
    return cpr_a, cdr_a, sev_a


class Deal:
    """The pool inputs (all but the scenario's CPR, CDR, severity) and the waterfall inputs of one deal.

    ``project(cpr, cdr, severity)`` is the pool table; ``flows(pool)`` the class's principal, loss and
    cash flow through :func:`mbsxl.tranches` (every waterfall keyword passed on unchanged).
    """

    def __init__(self, balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_,
                 recovery_lag, servicing, age, advance, amortization, waterfall: dict):
        self.pool_kw = dict(balance=balance, wac=wac, wam=wam, recovery_lag=recovery_lag, servicing=servicing,
                            age=age, advance=advance, amortization=amortization)
        if class_ is None or (isinstance(class_, str) and not class_.strip()):
            raise MbsxlInputError("class_ is empty; pass the name of the class to analyse (e.g. A)")
        self.names, self.class_ = tranche_names, class_
        self.balances, self.coupons = tranche_balances, tranche_coupons
        self.waterfall = dict(waterfall)
        self.name = None

    def project(self, cpr, cdr, severity) -> pd.DataFrame:
        k = self.pool_kw
        return _proj.cashflows(k["balance"], k["wac"], k["wam"], prepay=cpr, prepay_type="CPR", default=cdr,
                               default_type="CDR", severity=severity, recovery_lag=k["recovery_lag"],
                               servicing=k["servicing"], age=k["age"], advance=k["advance"],
                               amortization=k["amortization"])

    def table(self, pool, class_=None) -> pd.DataFrame:
        return _wf.tranches(pool, None, None, self.names, self.balances, self.coupons, class_=class_,
                            **self.waterfall)

    def check(self, pool) -> pd.DataFrame:
        """The whole waterfall table of ``pool``, after checking every argument once (an unknown
        ``class_`` named here); sets ``name``, the class's name as the table spells it."""
        self.name = self.table(pool, self.class_)[C.CLASS].iloc[0]
        return self.table(pool)

    def flows(self, pool):
        """The class's principal, loss and cash-flow columns and original balance in the scenario ``pool``
        (the whole table is run and the class's rows picked: cheaper than ``class_=``)."""
        if self.name is None:
            self.check(pool)
        t = self.table(pool)
        rows = t[C.CLASS].to_numpy() == self.name
        prin, loss, cf, beg = (t[c].to_numpy(dtype=float)[rows]
                               for c in (C.PRINCIPAL, C.LOSS, C.CASH_FLOW, C.BEGINNING_BALANCE))
        return prin, loss, cf, float(beg[0])


class Pricing:
    """Price and timing of the class's yield: per 100 of original face, SF-48 yield of :mod:`mbsxl.pricing.measures`."""

    def __init__(self, price, compounding, delay_days, payment_day):
        self.price = v.number("price", price, lo=0, lo_open=True,
                              accepted="pass a price per 100 of original face > 0 (e.g. 100 = par)")
        self.compounding = _opt.compounding(compounding)
        _pr.payment_times(1, delay_days, 0, "30/360", 12, None, payment_day)     # checks delay_days, payment_day
        self.kw = dict(delay_days=delay_days, payment_day=payment_day, compounding=self.compounding)

    def yield_(self, cash_flow, original) -> float:
        """The yield at the price, or NaN when the flows cannot be repriced (none positive, or no yield)."""
        if original <= 0 or not (cash_flow > 0).any():
            return np.nan
        try:
            return _pr.yield_(cash_flow, self.price, balance=original, **self.kw)
        except MbsxlInputError:
            return np.nan

    def price_at(self, cash_flow, original, y) -> float:
        """Price per 100 of original face at yield ``y`` (0 for flows with nothing positive)."""
        if not (cash_flow > 0).any():
            return 0.0
        return _pr.price(cash_flow, y, balance=original, **self.kw)


def measures(prin, loss, cf, original, pricing: Pricing) -> list:
    """WAL, yield, loss, loss % and first-loss period of one scenario's class flows."""
    months = np.arange(1, prin.size + 1)
    tot = prin.sum()
    hit = np.flatnonzero(loss > 0)
    total_loss = float(loss.sum())
    return [float(months @ prin / tot / 12.0) if tot > 0 else np.nan,
            pricing.yield_(cf, original),
            total_loss, total_loss / original if original > 0 else np.nan,
            int(months[hit[0]]) if hit.size else np.nan]


# ------------------------------------------------------------------ the grid
_BATCH_KEYS = {"structure", "cleanup_call", "index", "floating", "fees", "interest_on_shortfall", "pool_balance",
               "residual"}


def _batch(deal: Deal, pools: list[pd.DataFrame], first: pd.DataFrame, name: str):
    """Every scenario's class flows by :mod:`mbsxl.deal._waterfall_batch`; ``first`` is a checked
    :func:`mbsxl.tranches` table of the deal (scenario 1), from which the parsed inputs are read;
    ``name`` the class's name as there."""
    w = deal.waterfall
    names = list(dict.fromkeys(first[C.CLASS]))
    T = len(pools[0])
    balances = [float(first[C.BEGINNING_BALANCE].iloc[j * T]) for j in range(len(names))]
    coupons = first[C.COUPON].to_numpy().reshape(len(names), T).T
    k = names.index(name)
    P = np.column_stack([p[C.TOTAL_PRINCIPAL].to_numpy() for p in pools])
    I = np.column_stack([p[C.NET_INTEREST].to_numpy() for p in pools])
    L = np.column_stack([p[C.LOSS].to_numpy() for p in pools])
    pb = w.get("pool_balance")
    bal0 = float(pools[0][C.BEGINNING_BALANCE].iloc[0]) if pb is None else float(pb)
    prin, loss, cf = _waterfall_batch.run(
        P, I, L, bal0, balances, coupons, _opt.structure(w.get("structure", "sequential")),
        v.fraction("cleanup_call", w.get("cleanup_call") or 0.0), v.rate("fees", w.get("fees") or 0.0),
        _opt.flag("interest_on_shortfall", w.get("interest_on_shortfall", False)),
        _opt.flag("residual", w.get("residual", True)), k)
    return [(prin[:, s], loss[:, s], cf[:, s], balances[k]) for s in range(len(pools))]


def grid(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, price, cprs, cdrs,
         severities=0.0, recovery_lag=0, servicing=0.0, age=0, structure="sequential", cleanup_call=0.0,
         index=None, floating=None, fees=0.0, compounding=2, payment_day=None, metric="table", *,
         delay_days=0, interest_on_shortfall=False, pool_balance=None, residual=True, advance=True,
         amortization="level_payment", **waterfall) -> pd.DataFrame:
    """The class's measures in every CPR x CDR x severity scenario (module docstring).

    Pool: ``balance, wac, wam, recovery_lag, servicing, age, advance, amortization`` as
    :func:`mbsxl.cashflows`; classes and waterfall: ``tranche_names ... residual`` as
    :func:`mbsxl.tranche_stats`, plus any further keyword of :func:`mbsxl.tranches` in
    ``**waterfall``.  ``cprs``, ``cdrs``, ``severities``: lists (or one number) of annual decimals in
    [0, 1]; at most :data:`mbsxl._validate.MAX_GRID_CELLS` scenarios.  ``price`` per 100 of the class's
    original face; ``compounding``, ``payment_day``, ``delay_days`` as :func:`mbsxl.yield_`.
    ``metric``: ``"table"`` (default, columns :data:`mbsxl.columns.GRID_COLUMNS`) or one measure as a
    CPR x CDR matrix (first column the CPRs, headed :data:`mbsxl.columns.GRID_CORNER`, then one column
    a CDR, headed by the CDR).
    """
    cpr_a, cdr_a, sev_a = axes(cprs, cdrs, severities)
    kind = _opt.grid_metric(metric)
    if kind != "table" and sev_a.size != 1:
        raise MbsxlInputError(f"metric={metric!r} is a CPR x CDR matrix for one severity, and severities has "
                              f"{sev_a.size}; pass one severity, or metric=\"table\"")
    pricing = Pricing(price, compounding, delay_days, payment_day)
    wf_kw = dict(structure=structure, cleanup_call=cleanup_call, index=index, floating=floating, fees=fees,
                 interest_on_shortfall=interest_on_shortfall, pool_balance=pool_balance, residual=residual,
                 **waterfall)
    deal = Deal(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, recovery_lag,
                servicing, age, advance, amortization, wf_kw)
    scen = [(c, d, s) for c in cpr_a for d in cdr_a for s in sev_a]
    pools = [deal.project(*map(float, scen[0]))]
    first = deal.check(pools[0])                     # every waterfall argument checked once, class_ too
    pools += [deal.project(float(c), float(d), float(s)) for c, d, s in scen[1:]]
    if set(wf_kw) <= _BATCH_KEYS:
        flows = _batch(deal, pools, first, deal.name)
    else:
        flows = [deal.flows(p) for p in pools]
    rows = [[c, d, s] + measures(*f, pricing) for (c, d, s), f in zip(scen, flows)]
    table = pd.DataFrame(rows, columns=C.GRID_COLUMNS)
    return table if kind == "table" else matrix(table, C.GRID_METRIC_COLUMN[kind], cpr_a, cdr_a)


def matrix(table: pd.DataFrame, column: str, cprs, cdrs) -> pd.DataFrame:
    """One column of the long table (one severity) as rows CPR x columns CDR; column 1 is the CPR."""
    return matrix_of(table[column].to_numpy(dtype=float), cprs, cdrs)


def matrix_of(values, cprs, cdrs) -> pd.DataFrame:
    """:func:`matrix` of one measure's values, scenario by scenario (CPR-major, as the long table runs)."""
    values = np.asarray(values, dtype=float).reshape(len(cprs), len(cdrs))
    # built in one go (an insert of the text header into the float column index costs pandas a type search)
    data = np.column_stack([np.asarray(cprs, dtype=float).reshape(-1), values])
    return pd.DataFrame(data, columns=pd.Index([C.GRID_CORNER] + [float(d) for d in cdrs], dtype=object))
