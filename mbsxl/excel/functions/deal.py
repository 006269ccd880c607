"""Worksheet functions on the deal table: MBS_DEALFLOWS, MBS_DEALSTATS, MBS_DEALCHECK, MBS_DEALGRID,
MBS_DEALBREAKEVEN, MBS_DEALFROMTRANCHES.

Wrappers only: the deal table's layout is in :mod:`mbsxl.deal.dealtable`, the rules of a period in
:mod:`mbsxl.deal.ledger`, the views in :mod:`mbsxl.deal.dealviews`.  The deal argument is one range (the deal
sheet's blocks, found by their header labels); the pool argument is a whole MBS_CASHFLOWS /
MBS_LOANCASHFLOWS table with its header row.  Wiring (deal table in Deal!A1:G60, pool spilled at Pool!A1)::

    =MBS_DEALCHECK(Deal!A1:G60)
    =MBS_DEALFLOWS(Pool!A1#, Deal!A1:G60, "ledgers")
    =MBS_DEALSTATS(Pool!A1#, Deal!A1:G60, 100)
    =MBS_DEALGRID(B1, B2, B3, Deal!A1:G60, "A1", 100, A20:A40, B19:L19, 0.3)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import mbsxl
from mbsxl import columns as C
from mbsxl import options as _opt
from mbsxl._validate import MAX_GRID_CELLS
from mbsxl.excel import convert
from mbsxl.excel.registry import Arg, Budget, udf
from ...errors import MbsxlInputError

from .core import _ADVANCE, _LAG, _SERVICING
from .pricing import _COMP, _PAYDAY
from .scenario import _AGE, _BALANCE, _PRICE, _WAC, _WAM
from .waterfall import _BALS, _CALL, _CPNS, _FEES, _FLOAT, _IOS, _NAMES, _PBAL, _RESID, _STRUCT, _cells

_POOL_COLS = (C.TOTAL_PRINCIPAL, C.NET_INTEREST, C.LOSS, C.DEFAULT, C.BEGINNING_BALANCE,
              C.NPL_COSTS, C.NPL_EXPECTED)          # issue 20: an NPL pool (MBS_NPLPOOL) keeps its costs and expected path


def _pool(m) -> pd.DataFrame:
    """A pool table with its header row -> DataFrame of the columns the deal reads."""
    g = convert.as_grid(m)
    if g.shape[0] < 2:
        raise MbsxlInputError("pool is not a table; pass the whole MBS_CASHFLOWS / MBS_LOANCASHFLOWS table with its "
                              "header row")
    header = [str(c).strip() if isinstance(c, str) else c for c in g[0]]
    missing = [w for w in (C.TOTAL_PRINCIPAL, C.NET_INTEREST) if w not in header]
    if missing:
        raise MbsxlInputError(f"pool has no column {', '.join(missing)}; pass the MBS_CASHFLOWS table with its header row")
    body = g[1:]
    keep = [i for i in range(body.shape[0]) if not all(convert.is_blank(c) for c in body[i])]
    body = body[: (keep[-1] + 1) if keep else 0]
    return pd.DataFrame({h: convert.to_kind(f"pool column {h!r}", body[:, header.index(h)].tolist(), "vector")
                         for h in _POOL_COLS if h in header})


def _deal(m) -> list:
    """The deal range as rows of cells (blank cells None)."""
    if isinstance(m, (dict, pd.DataFrame)):
        return m
    g = convert.as_grid(m)
    return [[None if convert.is_blank(c) else c for c in row] for row in g.tolist()]


def _vec(x):
    return None if x is None else convert.to_kind("index", x, "number_or_vector")


_POOLA = Arg("pool", "The pool's cash flows: the whole MBS_CASHFLOWS / MBS_LOANCASHFLOWS table with its header row "
             "(Total Principal, Net Interest, Loss, Default, Beginning Balance read by name)", kind="matrix")
_DEALA = Arg("deal", "The deal table (交易要素表): one range of blocks found by their titles - 分档 Classes, 费用税收 "
             "Fees, 账户 Ledgers, 偿付顺序 Priority, 事件 Events, 计划 Schedules, 参数 Settings", kind="matrix")
_VIEWA = Arg("view", "\"classes\" (default, one row a class and month, as MBS_TRANCHES), \"ledgers\" (every step's "
             "amount, ledger by ledger) or \"events\" (each event's measure and state, the deal status)",
             kind="text", optional=True, default="classes")
_INDEXA = Arg("index", "Index rate of floating classes, annual decimals, one a month (last holds), e.g. "
              "MBS_COUPONINDEX or an LPR 5y column", kind="number_or_vector", optional=True, default=None)
_DQA = Arg("delinquency", "90+ delinquency ratio of each month, decimals; needed by delinquency_90 events",
           kind="vector", optional=True, default=None)
_PRICEO = Arg("price", "Optional price per 100 of original face: adds each class's yield at that price",
              kind="number", optional=True, default=None)
_CLASSA = Arg("class_", "The class analysed, a name in the deal's 分档 Classes block (e.g. \"A1\")", kind="any")


@udf("MBS_DEALFLOWS", "The deal table run over the pool (账户/偿付顺序/事件): classes by month, every ledger step's "
     "amount by month, or events and deal status by month",
     args=[_POOLA, _DEALA, _VIEWA, _INDEXA, _DQA,
           Arg("class_", "Optional, view \"classes\": one class name to return only its rows (as MBS_TRANCHES's "
               "class_); empty = every class", kind="any", optional=True, default=None),
           Arg("header", "TRUE (default): with the header row; FALSE: rows only, so that INDEX(...,0,col) is one "
               "class's column for MBS_YIELD / MBS_PRICE", kind="bool", optional=True, default=True)],
     returns="table")
def MBS_DEALFLOWS(pool, deal, view="classes", index=None, delinquency=None, class_=None, header=True):
    class_ = None if convert.is_blank(class_) else class_
    table = mbsxl.deal_flows(_pool(pool), _deal(deal), view, _vec(index), delinquency, class_)
    return table if header is None or header else table.to_numpy(dtype=object)


@udf("MBS_DEALSTATS", "Per class of the deal table: WAL, principal window, final month, interest, principal, "
     "loss, and the yield at a price", args=[_POOLA, _DEALA, _PRICEO, _COMP, _INDEXA, _DQA, _PAYDAY],
     returns="table")
def MBS_DEALSTATS(pool, deal, price=None, compounding=2, index=None, delinquency=None, payment_day=None):
    return mbsxl.deal_stats(_pool(pool), _deal(deal), price, compounding, _vec(index), delinquency,
                            payment_day=payment_day)


@udf("MBS_DEALCHECK", "What the parser understood and refused in a deal table, one row a line: block, row, label, "
     "result, detail (refused lines first)", args=[_DEALA], returns="table")
def MBS_DEALCHECK(deal):
    return mbsxl.deal_check(_deal(deal))


_GRID_OPTS = [Arg("severities", "Loss severities, decimals (a number or a range); default 0", kind="vector",
                  optional=True, default=0), _LAG, _SERVICING, _AGE, _INDEXA, _COMP, _PAYDAY]


@udf("MBS_DEALGRID", "MBS_GRID on a deal table: one class's WAL, yield, loss and first-loss period for every CPR x "
     "CDR x severity, each a full projection and run of the deal",
     args=[_BALANCE, _WAC, _WAM, _DEALA, _CLASSA, _PRICE,
           Arg("cprs", "CPRs to run, annual decimals, a row or column", kind="vector"),
           Arg("cdrs", "CDRs to run, annual decimals, a row or column", kind="vector")] + _GRID_OPTS + [
           Arg("metric", "\"table\" (default) or one of wal, yield, loss, loss_pct, first_loss as a CPR x CDR matrix",
               kind="text", optional=True, default="table"), _ADVANCE],
     returns="table",
     limits=[Budget("scenarios", (("cprs", "count"), ("cdrs", "count"), ("severities", "count")), MAX_GRID_CELLS,
                    "each a full projection and run of the deal")])
def MBS_DEALGRID(balance, wac, wam, deal, class_, price, cprs, cdrs, severities=0, recovery_lag=0, servicing=0, age=0,
                 index=None, compounding=2, payment_day=None, metric="table", advance=True):
    t = mbsxl.deal_grid(balance, wac, wam, _deal(deal), class_, price, cprs, cdrs,
                        0 if severities is None else severities, recovery_lag, servicing, age, _vec(index), compounding,
                        payment_day, metric, advance=advance)
    if _opt.grid_metric(metric) == "table":
        return t
    head = np.array([[C.GRID_CORNER] + [float(c) for c in t.columns[1:]]], dtype=object)
    return np.vstack([head, t.to_numpy(dtype=object)])


@udf("MBS_DEALBREAKEVEN", "MBS_BREAKEVEN on a deal table: the CDR at which a class first loses principal, and the "
     "one at which its yield falls to a threshold; Measure/Value table",
     args=[_BALANCE, _WAC, _WAM, _DEALA, _CLASSA,
           Arg("cpr", "CPR of every scenario searched, annual decimal", kind="number"),
           Arg("severity", "Loss severity, decimal", kind="number"),
           Arg("yield_threshold", "Optional yield whose breakeven CDR is wanted; empty = the loss breakeven only",
               kind="number", optional=True, default=None),
           Arg("price", "Price per 100 of original face for the yield; default 100", kind="number", optional=True,
               default=100), _LAG, _SERVICING, _AGE, _INDEXA, _COMP, _PAYDAY,
           Arg("cdr_max", "Top of the searched CDR bracket; default 1 (100%)", kind="number", optional=True, default=1)],
     returns="table")
def MBS_DEALBREAKEVEN(balance, wac, wam, deal, class_, cpr, severity, yield_threshold=None, price=100, recovery_lag=0,
                      servicing=0, age=0, index=None, compounding=2, payment_day=None, cdr_max=1):
    return mbsxl.deal_breakeven(balance, wac, wam, _deal(deal), class_, cpr, severity, yield_threshold,
                                100 if price is None else price, recovery_lag, servicing, age, _vec(index),
                                compounding, payment_day, 1 if cdr_max is None else cdr_max)


@udf("MBS_DEALFROMTRANCHES", "The deal table equivalent to MBS_TRANCHES's positional arguments (classes, fees, "
     "income and principal ledgers, priority, clean-up call), to paste on a deal sheet and extend",
     args=[_NAMES, _BALS, _CPNS, _STRUCT, _CALL, _FLOAT, _FEES, _IOS, _PBAL, _RESID], returns="array")
def MBS_DEALFROMTRANCHES(tranche_names, tranche_balances, tranche_coupons, structure="sequential", cleanup_call=0,
                         floating=None, fees=0, interest_on_shortfall=False, pool_balance=None, residual=True):
    rows = mbsxl.deal_from_tranches(_cells("tranche_names", tranche_names), tranche_balances, tranche_coupons,
                                    structure, 0 if cleanup_call is None else cleanup_call,
                                    None if floating is None else _cells("floating", floating),
                                    0 if fees is None else fees, interest_on_shortfall, pool_balance, residual)
    width = max(len(r) for r in rows)
    return np.array([[("" if c is None else c) for c in r] + [""] * (width - len(r)) for r in rows], dtype=object)
