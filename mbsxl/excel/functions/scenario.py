"""Worksheet functions for scenario analytics: MBS_GRID, MBS_BREAKEVEN, MBS_KRD.

Wrappers only: the conventions are in :mod:`mbsxl.deal.scenario`, :mod:`mbsxl.breakeven` and
:mod:`mbsxl.pricing.keyrate`.  Class names and floating flags arrive as ranges and are read as MBS_TRANCHES
reads them.  Wiring (classes in H2:K5 as on a deal sheet)::

    =MBS_GRID(B1, B2, B3, H2:H5, I2:I5, J2:J5, "A", 100, A20:A40, B19:L19, 0.3, 12, 0.001, 22)
    =MBS_BREAKEVEN(B1, B2, B3, H2:H5, I2:I5, J2:J5, "B", 0.2, 0.3, 0.04)
    =MBS_KRD(INDEX(MBS_TRANCHES(...,"A",,,,,,,FALSE),0,11), N2:N10, O2:O10, {1,2,3,5,7,10})
"""
from __future__ import annotations

import numpy as np

import mbsxl
from mbsxl import columns as C
from mbsxl import options as _opt
from mbsxl._validate import MAX_GRID_CELLS, MAX_KEY_TENORS, MAX_MONTHS
from mbsxl.excel.registry import Arg, Budget, udf

from .core import _ADVANCE, _LAG, _SERVICING
from .pricing import _BASIS, _CF, _COMP, _CURVE_COMP, _DELAY, _PAYDAY, _RATES, _SETTLE, _TERMS
from .waterfall import _BALS, _CALL, _CPNS, _FEES, _FLOAT, _INDEX, _IOS, _NAMES, _RESID, _STRUCT, _cells

_BALANCE = Arg("balance", "Pool balance at the start (资产池本金余额), > 0, as MBS_CASHFLOWS", kind="number")
_WAC = Arg("wac", "Pool gross weighted-average coupon, annual decimal (6.8% or 0.068)", kind="number")
_WAM = Arg("wam", "Pool remaining term in months, whole, at most 600; also the rows of each projection", kind="int",
           max=MAX_MONTHS, cap_note="months: 50 years")
_CLASS = Arg("class_", "The class analysed, one of tranche_names (e.g. \"A\")", kind="any")
_PRICE = Arg("price", "Price per 100 of the class's original face, for the yield (100 = par)", kind="number")
_AGE = Arg("age", f"Pool age in months at the start (账龄); default 0; at most {MAX_MONTHS}", kind="int",
           optional=True, default=0, max=MAX_MONTHS, cap_note="months: 50 years")
_POOL_ARGS = [_BALANCE, _WAC, _WAM, _NAMES, _BALS, _CPNS, _CLASS]
_DEAL_OPTS = [_LAG, _SERVICING, _AGE, _STRUCT, _CALL, _INDEX, _FLOAT, _FEES, _COMP, _PAYDAY]


def _flags(floating):
    return None if floating is None else _cells("floating", floating)


@udf("MBS_GRID", "One class's WAL, yield at a price, loss and first-loss period for every CPR x CDR x severity "
     "(敏感性分析), each a full projection and waterfall: a long table, or one measure as a CPR x CDR matrix",
     args=_POOL_ARGS[:7] + [_PRICE,
           Arg("cprs", "CPRs to run, annual decimals (0%, 2%, ... 40%), a row or column", kind="vector"),
           Arg("cdrs", "CDRs to run, annual decimals (0%, 1%, ... 10%), a row or column", kind="vector"),
           Arg("severities", "Loss severities, decimals (a number or a range); default 0", kind="vector",
               optional=True, default=0)] + _DEAL_OPTS + [
           Arg("metric", "\"table\" (default: CPR, CDR, Severity, WAL, Yield, Loss, Loss %, First Loss Period) or "
               "one of wal, yield, loss, loss_pct, first_loss as a CPR x CDR matrix (one severity)", kind="text",
               optional=True, default="table"),
           _IOS, _RESID, _ADVANCE],
     returns="table",
     limits=[Budget("scenarios", (("cprs", "count"), ("cdrs", "count"), ("severities", "count")), MAX_GRID_CELLS,
                    "each a full projection and waterfall; 50 x 50 runs in a few seconds")])
def MBS_GRID(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, price, cprs, cdrs,
             severities=0, recovery_lag=0, servicing=0, age=0, structure="sequential", cleanup_call=0, index=None,
             floating=None, fees=0, compounding=2, payment_day=None, metric="table", interest_on_shortfall=False,
             residual=True, advance=True):
    t = mbsxl.grid(balance, wac, wam, _cells("tranche_names", tranche_names), tranche_balances, tranche_coupons,
                   class_, price, cprs, cdrs, 0 if severities is None else severities, recovery_lag, servicing, age,
                   structure, 0 if cleanup_call is None else cleanup_call, index, _flags(floating),
                   0 if fees is None else fees, compounding, payment_day, metric,
                   interest_on_shortfall=interest_on_shortfall, residual=residual, advance=advance)
    if _opt.grid_metric(metric) == "table":
        return t
    head = np.array([[C.GRID_CORNER] + [float(c) for c in t.columns[1:]]], dtype=object)
    return np.vstack([head, t.to_numpy(dtype=object)])


@udf("MBS_BREAKEVEN", "Breakeven CDRs (盈亏平衡违约率) of a class at a CPR and severity: where it first loses "
     "principal, and where its yield at the price falls to a threshold; bracketing search, Measure/Value table",
     args=_POOL_ARGS + [
           Arg("cpr", "CPR of every scenario searched, annual decimal (e.g. 0.2)", kind="number"),
           Arg("severity", "Loss severity, decimal (e.g. 0.3)", kind="number"),
           Arg("yield_threshold", "Optional: the yield (annual decimal on compounding) whose breakeven CDR is "
               "wanted; empty = the loss breakeven only", kind="number", optional=True, default=None),
           Arg("price", "Price per 100 of original face for the yield; default 100", kind="number", optional=True,
               default=100)] + _DEAL_OPTS + [
           Arg("cdr_max", "Top of the searched CDR bracket [0, cdr_max]; default 1 (100%)", kind="number",
               optional=True, default=1),
           Arg("tolerance", "Search tolerance in CDR; default 1e-6 (0.0001%)", kind="number", optional=True,
               default=1e-6),
           _IOS, _RESID, _ADVANCE],
     returns="table")
def MBS_BREAKEVEN(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, class_, cpr, severity,
                  yield_threshold=None, price=100, recovery_lag=0, servicing=0, age=0, structure="sequential",
                  cleanup_call=0, index=None, floating=None, fees=0, compounding=2, payment_day=None, cdr_max=1,
                  tolerance=1e-6, interest_on_shortfall=False, residual=True, advance=True):
    return mbsxl.breakeven(balance, wac, wam, _cells("tranche_names", tranche_names), tranche_balances,
                           tranche_coupons, class_, cpr, severity, yield_threshold,
                           100 if price is None else price, recovery_lag, servicing, age, structure,
                           0 if cleanup_call is None else cleanup_call, index, _flags(floating),
                           0 if fees is None else fees, compounding, payment_day,
                           1 if cdr_max is None else cdr_max, 1e-6 if tolerance is None else tolerance,
                           interest_on_shortfall=interest_on_shortfall, residual=residual, advance=advance)


@udf("MBS_KRD", "Key-rate durations (关键期限久期) of a cash-flow column on a zero curve: triangular 1 bp "
     "shifts at each key tenor; rows add the sum and the parallel-shift effective duration",
     args=[_CF, _TERMS, _RATES,
           Arg("key_tenors", "Key tenors in years, increasing (e.g. 1, 2, 3, 5, 7, 10); each shift peaks there, "
               f"falls to 0 at its neighbours, flat beyond the ends; at most {MAX_KEY_TENORS}", kind="vector",
               max_len=MAX_KEY_TENORS, cap_note="key tenors"),
           _CURVE_COMP,
           Arg("bump", "Size of each shift, decimal; default 0.0001 (1 bp), central difference", kind="number",
               optional=True, default=0.0001),
           Arg("spread", "Constant spread over the curve, on its compounding (e.g. MBS_ZSPREAD); default 0",
               kind="number", optional=True, default=0),
           _DELAY, _SETTLE, _BASIS, _PAYDAY],
     returns="table")
def MBS_KRD(cash_flows, curve_terms, curve_rates, key_tenors, compounding="continuous", bump=0.0001, spread=0,
            delay_days=0, settle_days=0, basis="30/360", payment_day=None):
    return mbsxl.krd(cash_flows, curve_terms, curve_rates, key_tenors,
                     "continuous" if compounding is None else compounding, 0.0001 if bump is None else bump,
                     0 if spread is None else spread, delay_days, settle_days, basis, payment_day=payment_day)
