"""Worksheet functions for the rating agencies' stress test (issue 18): MBS_DEFAULTTIMING, MBS_RATINGSTRESS.

Wrappers only: the conventions (when defaults hit and on what balance, the timing shapes, "paid in full and on
time", the bracketing search) are in :mod:`mbsxl.deal.agency_stress`.  Wiring (classes in H2:K5 as on a deal sheet,
the multiplier table in M2:N9, the scenario table with its header row in P1:V9)::

    =MBS_DEFAULTTIMING(B1, B2, B3, 0.08, "front", "year", 5, 0, 0.7, 12, 0.05)
    =MBS_RATINGSTRESS(B1, B2, B3, H2:H5, I2:I5, J2:J5, 0.02, M2:M9, N2:N9, P1:V9, 0.7, 12, 0.001)

The waterfall mechanisms (VAT, triggers, reserve, schedule, principal cover, senior classes) follow, as in
MBS_TRANCHES; with any of them each evaluation runs through that waterfall (slower).  The last argument, ``deal``,
is a deal table (the deal sheet's range, as MBS_DEALFLOWS reads it) in place of the class and waterfall
arguments, left empty (``index`` still feeds its floating classes)::

    =MBS_RATINGSTRESS(B1,B2,B3,,,,0.02,M2:M9,N2:N9,P1:V9,0.7,12,0.001,,,X1:X360,,,3,,,,,,"breakevens",,,,,,,,,,,Deal!A1:G60)
"""
from __future__ import annotations

import numpy as np

import mbsxl
from dataclasses import replace as _replace

from mbsxl.excel.registry import Arg, udf

from .core import _SERVICING
from .scenario import _BALANCE, _WAC, _WAM, _flags
from .waterfall import (_BALS, _CALL, _COVER, _CPNS, _FEES, _FLOAT, _INDEX, _IOS, _NAMES, _RES, _RESID, _SCHED,
                        _SENIOR, _STRUCT, _TRIG, _VAT, _cells)
from .deal import _deal

_OPT = " Leave empty when deal is given."
_NAMES_O = _replace(_NAMES, optional=True, doc=_NAMES.doc + _OPT)
_BALS_O = _replace(_BALS, optional=True, doc=_BALS.doc + _OPT)
_CPNS_O = _replace(_CPNS, doc="Each class's annual coupon (fixed) or spread over index (floating); 0 for a residual "
                   "class." + _OPT, optional=True)
_DEAL_O = Arg("deal", "A deal table (交易要素表, the range MBS_DEALFLOWS reads) in place of tranche_names ... "
              "senior_classes (leave those empty; index feeds its floating classes): the breakeven search runs its "
              "priority of payments", kind="matrix", optional=True, default=None)

_REC = Arg("recovery_rate", "Share of a defaulted balance recovered (回收率), decimal; default 0", kind="number",
           optional=True, default=0)
_RLAG = Arg("recovery_lag", "Months from the default month to the recovery (回收时间), whole, below wam; default 0",
            kind="int", optional=True, default=0)
_UNIT = Arg("timing_unit", "Step of a timing vector and of horizon: \"year\" (default, 年: each year's weight spread "
            "evenly over its 12 months) or \"month\" (月)", kind="text", optional=True, default="year")
_HORIZON = Arg("horizon", "Length of the named shapes front / even / back in timing_unit steps; default 5 (years)",
               kind="int", optional=True, default=5)
_WAC_PATH = Arg("wac", "Loan rate, annual decimal (6.8% or 0.068), or a column of rates one a month (the last holds)",
                kind="number_or_vector")
_AMORT = Arg("amortization", "level_payment (default, 等额本息) or level_principal (等额本金)", kind="text",
             optional=True, default="level_payment")


def _timing(timing):
    if timing is None or isinstance(timing, str):
        return "even" if timing is None else timing
    cells = _cells("timing", timing)
    if len(cells) == 1 and isinstance(cells[0], str):
        return cells[0]
    return [np.nan if c is None else c for c in cells]


@udf("MBS_DEFAULTTIMING", "Pool cash flows driven by a cumulative default rate (of the initial balance) spread "
     "over time by a timing vector (违约时间分布: front, even, back, scheduled, or yours), a recovery rate and lag and "
     "a CPR; the MBS_CASHFLOWS table",
     args=[_BALANCE, _WAC_PATH, _WAM,
           Arg("cumulative_default", "Cumulative default rate: defaulted principal over the life / the initial "
               "balance, before recoveries (累计违约率), decimal", kind="number"),
           Arg("timing", "front (前置), even (均匀), back (后置), scheduled (按计划本金), or a column of weights "
               "summing to 1 (never rescaled); default even", kind="any", optional=True, default="even"),
           _UNIT, _HORIZON,
           Arg("shift", "Months the timing vector moves later (negative: earlier); default 0", kind="int",
               optional=True, default=0),
           _REC, _RLAG,
           Arg("prepay", "CPR, annual decimal, or a column of CPRs one a month (last holds); default 0",
               kind="number_or_vector", optional=True, default=0),
           _SERVICING, _AMORT],
     returns="table")
def MBS_DEFAULTTIMING(balance, wac, wam, cumulative_default, timing="even", timing_unit="year", horizon=5, shift=0,
                      recovery_rate=0, recovery_lag=0, prepay=0, servicing=0, amortization="level_payment"):
    return mbsxl.default_timing(balance, wac, wam, cumulative_default, _timing(timing), timing_unit,
                                5 if horizon is None else horizon, 0 if shift is None else shift,
                                0 if recovery_rate is None else recovery_rate,
                                0 if recovery_lag is None else recovery_lag, 0 if prepay is None else prepay,
                                0 if servicing is None else servicing, amortization)


@udf("MBS_RATINGSTRESS", "Rating agencies' stress test (临界违约率 vs 目标评级违约比率): each class's breakeven "
     "cumulative default rate per scenario (paid in full and on time); per class and rating the target rate "
     "(base x multiplier), the minimum breakeven, pass/fail, highest rating passed",
     args=[_BALANCE, _WAC, _WAM, _NAMES_O, _BALS_O, _CPNS_O,
           Arg("base_default_rate", "Base cumulative default rate of the pool (基准违约率), decimal", kind="number"),
           Arg("ratings", "Ratings, highest first (e.g. AAA, AA+, ...), a row or column; empty with multipliers "
               "empty = the example table of mbsxl.deal.agency_stress (labelled there)", kind="matrix", optional=True,
               default=None),
           Arg("multipliers", "Stress multiplier of each rating, strictly decreasing down the table (e.g. AAA 5.0 "
               "... BB- 1.2)", kind="vector", optional=True, default=None),
           Arg("scenarios", "Scenario rows: name, timing (front/even/back/scheduled or a column of timing_vectors), "
               "shift months, CPR, index shift, pool rate shift, pool rate lag (trailing ones optional; header row "
               "\"Scenario\" optional); empty = the example set",
               kind="matrix", optional=True, default=None),
           _REC, _RLAG, _SERVICING, _STRUCT, _CALL, _INDEX, _FLOAT, _FEES,
           Arg("rated", "How many of the most senior classes are tested; default all but the most junior",
               kind="int", optional=True, default=None),
           Arg("timely_interest", "How many of them must have no interest shortfall in any period (the others: none "
               "left at legal_final); default all tested", kind="int", optional=True, default=None),
           Arg("legal_final", "Period by which principal must be repaid (法定到期); default wam", kind="int",
               optional=True, default=None),
           _HORIZON,
           Arg("timing_vectors", "Your timing vectors, one column each (weights summing to 1, by timing_unit), "
               "named in scenarios by column number", kind="matrix", optional=True, default=None),
           _UNIT,
           Arg("view", "\"ratings\" (default: class x rating) or \"breakevens\" (class x scenario)", kind="text",
               optional=True, default="ratings"),
           Arg("tolerance", "Width of the search's final bracket in default rate; default 1e-7", kind="number",
               optional=True, default=1e-7),
           _IOS, _RESID, _AMORT, _VAT, _TRIG, _RES, _SCHED, _COVER, _SENIOR, _DEAL_O],
     returns="table")
def MBS_RATINGSTRESS(balance, wac, wam, tranche_names=None, tranche_balances=None, tranche_coupons=None,
                     base_default_rate=None,
                     ratings=None, multipliers=None, scenarios=None, recovery_rate=0, recovery_lag=0, servicing=0,
                     structure="sequential", cleanup_call=0, index=None, floating=None, fees=0, rated=None,
                     timely_interest=None, legal_final=None, horizon=5, timing_vectors=None, timing_unit="year",
                     view="ratings", tolerance=1e-7, interest_on_shortfall=False, residual=True,
                     amortization="level_payment", vat_rate=None, triggers=None, reserve=None, schedule=None,
                     principal_cover=None, senior_classes=None, deal=None):
    from mbsxl import options as _opt
    from mbsxl.deal import agency_stress as _as
    from mbsxl.excel import _runmemo
    key = (balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, base_default_rate, ratings,
           multipliers, scenarios, recovery_rate, recovery_lag, servicing, structure, cleanup_call, index, floating,
           fees, rated, timely_interest, legal_final, horizon, timing_vectors, timing_unit, tolerance,
           interest_on_shortfall, residual, amortization, vat_rate, triggers, reserve, schedule, principal_cover,
           senior_classes, deal)                                     # all but view
    scen = None if scenarios is None else [list(r) for r in np.asarray(scenarios, dtype=object)]
    names = None if tranche_names is None else _cells("tranche_names", tranche_names)
    if deal is not None:          # the worksheet defaults of the mechanisms are no mechanism: not "given"
        vat_rate = None if vat_rate == 0 else vat_rate
        principal_cover = None if principal_cover is False else principal_cover
        senior_classes = None if senior_classes == 1 else senior_classes
    ratings = None if ratings is None else _cells("ratings", ratings)
    floating = _flags(floating)
    kind = _opt.stress_view(view)
    # the two views of the same arguments share one search within a recalculation (mbsxl.excel._runmemo)
    solved = _runmemo.shared("MBS_RATINGSTRESS", key, lambda: _as.stress_breakevens(
        balance, wac, wam, names, tranche_balances, tranche_coupons, base_default_rate, ratings, multipliers, scen,
        0 if recovery_rate is None else recovery_rate, 0 if recovery_lag is None else recovery_lag,
        0 if servicing is None else servicing, structure, 0 if cleanup_call is None else cleanup_call, index,
        floating, 0 if fees is None else fees, rated, timely_interest, legal_final, 5 if horizon is None else horizon,
        timing_vectors, timing_unit, 1e-7 if tolerance is None else tolerance,
        interest_on_shortfall=interest_on_shortfall, residual=residual, amortization=amortization, vat_rate=vat_rate,
        triggers=triggers, reserve=reserve, schedule=schedule, principal_cover=principal_cover,
        senior_classes=senior_classes, deal=None if deal is None else _deal(deal)))
    return _as.stress_table(kind, solved)
