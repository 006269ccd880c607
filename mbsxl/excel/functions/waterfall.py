"""Worksheet functions for tranches: MBS_TRANCHES, MBS_TRANCHESTATS, MBS_COUPONINDEX.

Wrappers only: the waterfall's rules are stated in :mod:`mbsxl.deal.waterfall`.  The conversions here
turn cell blocks into what the core takes: the pool argument may be a whole MBS_CASHFLOWS table
with its header row (its "Total Principal", "Net Interest", "Loss" columns are picked by name) or a
single column; name and flag ranges drop blank cells after the last value.

Wiring in a worksheet (pool table spilled at A10 from ``=MBS_CASHFLOWS(...)``)::

    =MBS_TRANCHES(A10:P190, , , H2:H5, I2:I5, J2:J5)                       whole table
    =MBS_TRANCHES(L11:L190, F11:F190, J11:J190, H2:H5, I2:I5, J2:J5)        three columns
    =MBS_TRANCHESTATS(MBS_CASHFLOWS(B1,B2,B3,0.25), , , H2:H5, I2:I5, J2:J5, "sequential", 0.1)
    =MBS_YIELD(INDEX(MBS_TRANCHES(A10:P190,,,H2:H5,I2:I5,J2:J5,,,"A",,,,,,,FALSE),0,11), 100)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import mbsxl
from mbsxl.deal import waterfall as _wf
from mbsxl.excel import convert
from mbsxl._validate import MAX_MONTHS
from mbsxl.excel.registry import Arg, udf
from ...errors import MbsxlInputError


def _cells(name: str, m) -> list:
    """A row or column of cells as a list, blanks after the last value dropped."""
    g = convert.as_grid(m)
    if g.shape[0] > 1 and g.shape[1] > 1:
        raise MbsxlInputError(f"{name} is a {g.shape[0]}x{g.shape[1]} block; pass a single row or column")
    cells = [None if convert.is_blank(c) else c for c in g.ravel()]
    while cells and cells[-1] is None:
        cells.pop()
    if not cells:
        raise MbsxlInputError(f"{name} is empty; pass one value a class")
    return cells


def _pool_arg(m):
    """A pool table with its header row -> DataFrame; a single row or column -> float vector."""
    g = convert.as_grid(m)
    if g.shape[0] > 1 and g.shape[1] > 1:
        header = [str(c).strip() if isinstance(c, str) else c for c in g[0]]
        if not all(isinstance(h, str) for h in header):
            raise MbsxlInputError("pool_principal is a block without a header row; pass the whole MBS_CASHFLOWS "
                             "table (header included) or one column of principal")
        want = (_wf.POOL_PRINCIPAL, _wf.POOL_INTEREST, _wf.POOL_LOSS)
        missing = [w for w in want if w not in header]
        if missing:
            raise MbsxlInputError(f"pool_principal table has no column {', '.join(missing)}; pass the MBS_CASHFLOWS "
                             "table or three columns")
        body = g[1:]
        keep = [i for i in range(body.shape[0]) if not all(convert.is_blank(c) for c in body[i])]
        body = body[: (keep[-1] + 1) if keep else 0]
        cols = {}
        for h in want + tuple(h for h in (_wf.POOL_BALANCE, _wf.POOL_DEFAULT) if h in header):
            j = header.index(h)
            cols[h] = convert.to_kind(f"pool_principal column {h!r}", body[:, j].tolist(), "vector")
        return pd.DataFrame(cols)
    return convert.to_kind("pool_principal", m, "vector")


_POOL = Arg("pool_principal", "Pool principal each month (Total Principal column), or the whole MBS_CASHFLOWS "
            "table with its header row (then leave pool_interest and pool_loss empty)", kind="matrix")
_INT = Arg("pool_interest", "Pool interest available each month, net of servicing (Net Interest column); empty "
           "when pool_principal is a table", kind="vector", optional=True, default=None)
_LOSS = Arg("pool_loss", "Pool loss each month (Loss column), written down from the most junior class up; "
            "empty = no losses or taken from the table", kind="vector", optional=True, default=None)
_NAMES = Arg("tranche_names", "Class names, most senior first (e.g. A, B, C, Subordinate 次级), a row or column",
             kind="matrix")
_BALS = Arg("tranche_balances", "Original balance of each class (yuan), same order as tranche_names",
            kind="vector")
_CPNS = Arg("tranche_coupons", "Each class's annual coupon as a decimal (fixed), or its spread over index "
            "(floating, see floating); 0 for a residual class", kind="vector")
_STRUCT = Arg("structure", "\"sequential\" (default: A, then B, then C ...) or \"pro_rata\" (by balance)",
              kind="text", optional=True, default="sequential")
_CALL = Arg("cleanup_call", "Clean-up call (清仓回购) at this pool factor, e.g. 10% (0.1); 0 or empty = none",
            kind="number", optional=True, default=0)
_CLASS = Arg("class_", "Optional: one class name to return only its rows; empty = every class", kind="any",
             optional=True, default=None)
_INDEX = Arg("index", "Index rate for floating classes, annual decimal: a column with one rate a month (last "
             "holds) or one number, e.g. MBS_COUPONINDEX (PBoC 1-year deposit rate)", kind="number_or_vector",
             optional=True, default=None)
_FLOAT = Arg("floating", "Per class TRUE/1 = coupon is index + spread, FALSE/0 = fixed; default every class "
             "floating when index is given (Jianyuan: 1, 1, 1, 0)", kind="matrix", optional=True, default=None)
_FEES = Arg("fees", "Senior fees (trustee, 受托费 etc.) as an annual rate on the pool balance, paid before "
            "interest; default 0", kind="number", optional=True, default=0)
_IOS = Arg("interest_on_shortfall", "TRUE: carried interest shortfalls earn the coupon; FALSE (default): "
           "carried without interest", kind="bool", optional=True, default=False)
_PBAL = Arg("pool_balance", "Pool balance at period 1, for fees and the call; default the table's first "
            "Beginning Balance or the sum of tranche_balances", kind="number", optional=True, default=None)
_RESID = Arg("residual", "TRUE (default): excess interest goes to the most junior class; FALSE: it leaves the "
             "deal", kind="bool", optional=True, default=True)
_ARGS = [_POOL, _INT, _LOSS, _NAMES, _BALS, _CPNS, _STRUCT, _CALL, _CLASS, _INDEX, _FLOAT, _FEES, _IOS, _PBAL,
         _RESID]

# issue 14: the deal mechanisms, optional, at the end of both functions (rules in mbsxl.deal.waterfall)
_VIEW = Arg("view", "\"classes\" (default): one row per class and month; \"pool\" (资产池): one row a month with VAT, "
            "fees, excess spread, trigger state, reserve balance", kind="text", optional=True, default="classes")
_VAT = Arg("vat_rate", "VAT on the trust's interest income, paid first out of interest: 3% (0.03) under the "
           "simplified method since 2018; default 0", kind="number", optional=True, default=0)
_TRIG = Arg("triggers", "Triggers (加速清偿/违约事件), a row each: measure (cumulative_default, delinquency_90, "
            "senior_shortfall), threshold, consecutive periods, consequence (sequential, stop_subordinate, block_release)",
            kind="matrix", optional=True, default=None)
_RES = Arg("reserve", "Liquidity reserve (流动性储备), two columns item/value: months (target = months of senior "
           "interest + fees) or amount (yuan), optional initial (yuan); empty = none", kind="matrix", optional=True,
           default=None)
_SCHED = Arg("schedule", "Fixed-amortisation (固定摊还) target balances: header row of class names (e.g. A-1), "
             "then the target after each month; paid ahead of the other classes", kind="matrix", optional=True,
             default=None)
_COVER = Arg("principal_cover", "TRUE: principal collections cover a senior interest/fee shortfall after the "
             "reserve (本金账户 -> 收入账户); FALSE (default)", kind="bool", optional=True, default=False)
_DQ = Arg("delinquency", "90+ days delinquency ratio of each month (严重拖欠率), a column of decimals; needed by "
          "delinquency_90 triggers (last value holds)", kind="vector", optional=True, default=None)
_SENIOR = Arg("senior_classes", "How many of the first classes are senior (interest covered by the reserve, "
              "tested by senior_shortfall); default 1", kind="int", optional=True, default=1)
_PDEF = Arg("pool_default", "Pool defaults each month (Default column), for cumulative_default triggers when "
             "pool_principal is a column; empty = the table's Default column", kind="vector", optional=True,
             default=None)
_MECH = [_VAT, _TRIG, _RES, _SCHED, _COVER, _DQ, _SENIOR, _PDEF]


def _call(fn, pool_principal, pool_interest, pool_loss, tranche_names, tranche_balances, tranche_coupons,
          structure, cleanup_call, class_, index, floating, fees, interest_on_shortfall, pool_balance, residual,
          **mech):
    pool = _pool_arg(pool_principal)
    if isinstance(pool, pd.DataFrame):
        if pool_interest is not None or pool_loss is not None:
            raise MbsxlInputError("pool_principal is a table; leave pool_interest and pool_loss empty")
    elif pool_interest is None:
        raise MbsxlInputError("pool_interest is empty; pass the Net Interest column, or the whole MBS_CASHFLOWS "
                         "table as pool_principal")
    names = _cells("tranche_names", tranche_names)
    if any(n is None for n in names):
        raise MbsxlInputError(f"tranche_names[{names.index(None) + 1}] is empty; name every class")
    flags = None if floating is None else _cells("floating", floating)
    if flags is not None and any(f is None for f in flags):
        raise MbsxlInputError(f"floating[{flags.index(None) + 1}] is empty; pass 1 or 0 for every class")
    class_ = None if convert.is_blank(class_) else class_
    return fn(pool, pool_interest, pool_loss, names, tranche_balances, tranche_coupons, structure,
              0 if cleanup_call is None else cleanup_call, class_, index=index, floating=flags,
              fees=0 if fees is None else fees, interest_on_shortfall=interest_on_shortfall,
              pool_balance=pool_balance, residual=residual, **mech)


@udf("MBS_TRANCHES", "Tranche waterfall (分档现金流): fees, interest by seniority with shortfalls carried, "
     "principal sequential or pro rata, losses bottom-up, clean-up call; one row per class and month",
     args=_ARGS + [Arg("header", "TRUE (default): with the header row; FALSE: rows only, so that "
                       "INDEX(MBS_TRANCHES(...,FALSE),0,11) is a class's Cash Flow column for MBS_YIELD",
                       kind="bool", optional=True, default=True), _VIEW] + _MECH,
     returns="table")
def MBS_TRANCHES(pool_principal, pool_interest=None, pool_loss=None, tranche_names=None, tranche_balances=None,
                 tranche_coupons=None, structure="sequential", cleanup_call=0, class_=None, index=None,
                 floating=None, fees=0, interest_on_shortfall=False, pool_balance=None, residual=True, header=True,
                 view="classes", vat_rate=0, triggers=None, reserve=None, schedule=None, principal_cover=False,
                 delinquency=None, senior_classes=1, pool_default=None):
    table = _call(mbsxl.tranches, pool_principal, pool_interest, pool_loss, tranche_names, tranche_balances,
                  tranche_coupons, structure, cleanup_call, class_, index, floating, fees, interest_on_shortfall,
                  pool_balance, residual, view=view, **_mech(vat_rate, triggers, reserve, schedule, principal_cover,
                                                            delinquency, senior_classes, pool_default))
    return table if header else table.to_numpy(dtype=object)


@udf("MBS_TRANCHESTATS", "Per class: WAL in years (加权平均期限), principal window (first and last month), "
     "final month, total interest, principal and loss; same arguments as MBS_TRANCHES without header and view",
     args=_ARGS + _MECH, returns="table")
def MBS_TRANCHESTATS(pool_principal, pool_interest=None, pool_loss=None, tranche_names=None,
                     tranche_balances=None, tranche_coupons=None, structure="sequential", cleanup_call=0,
                     class_=None, index=None, floating=None, fees=0, interest_on_shortfall=False, pool_balance=None,
                     residual=True, vat_rate=0, triggers=None, reserve=None, schedule=None, principal_cover=False,
                     delinquency=None, senior_classes=1, pool_default=None):
    return _call(mbsxl.tranche_stats, pool_principal, pool_interest, pool_loss, tranche_names, tranche_balances,
                 tranche_coupons, structure, cleanup_call, class_, index, floating, fees, interest_on_shortfall,
                 pool_balance, residual, **_mech(vat_rate, triggers, reserve, schedule, principal_cover, delinquency,
                                                 senior_classes, pool_default))


def _mech(vat_rate, triggers, reserve, schedule, principal_cover, delinquency, senior_classes, pool_default) -> dict:
    """The mechanism arguments as keywords of mbsxl.tranches (blank cells -> the defaults)."""
    return dict(vat_rate=0 if vat_rate is None else vat_rate, triggers=triggers, reserve=reserve, schedule=schedule,
                principal_cover=False if principal_cover is None else principal_cover, delinquency=delinquency,
                senior_classes=1 if senior_classes is None else senior_classes, pool_default=pool_default)


@udf("MBS_COUPONINDEX", "Index of floating classes per interest period (基准利率): the PBoC one-year deposit "
     "rate in force at each reset, a column (Jianyuan 2007-1 seniors: deposit rate + spread)",
     args=[Arg("start_date", "First day of interest period 1 (Jianyuan 2007-1: issue date 2007-12-14)",
               kind="date"),
           Arg("months", "Number of interest periods (rows), at most 600 (50 years)", kind="int", max=MAX_MONTHS,
               cap_note="months: 50 years"),
           Arg("reset", "\"period\" (default: rate in force on each period's first day), \"annual\" (1 January "
               "each year) or \"fixed\" (rate at start_date)", kind="text", optional=True, default="period"),
           Arg("payment_day", "Day of the month periods 2, 3, ... start on (Jianyuan: 26); empty = start_date's "
               "day", kind="int", optional=True, default=None),
           Arg("benchmark", "Optional: two columns, effective date and rate; default the PBoC one-year deposit "
               "rate table shipped with mbsxl", kind="matrix", optional=True, default=None)],
     returns="array")
def MBS_COUPONINDEX(start_date, months, reset="period", payment_day=None, benchmark=None):
    if benchmark is not None:
        benchmark = convert.date_rate_rows("benchmark", benchmark)
    return np.asarray(mbsxl.coupon_index(start_date, months, reset, payment_day, benchmark)).reshape(-1, 1)
