"""Worksheet functions for non-performing mortgage pools (不良资产支持证券): MBS_RECOVERIES, MBS_RECOVERYLOANS,
MBS_RECOVERYCURVE, MBS_RECOVERYTRACK, MBS_RECOVERYSTAGES, MBS_NPLMARKET.

Wrappers only: the rules are in :mod:`mbsxl.pool.recovery` and :mod:`mbsxl.surveillance.recovery_tracking`.  ``tape`` is the
loan tape with its header row (贷款编号 Loan, 未偿本金 Principal, 欠息 Interest, 费用 Fees, 评估价值 Collateral
appraisal, 折价率 Haircut, 诉讼阶段 Legal stage, 已处阶段月数 Months in stage, 处置费用 Disposal costs; Chinese or
English part alone is enough); blank rows after the last loan are dropped.

    =MBS_RECOVERIES(A4:I3004)                        by month, the default stage table (an illustration)
    =MBS_RECOVERIES(A4:I3004, 0.35, K4:L7, 1, 0.3, 6, 0.5, 6)   haircut 35 %, own stages, -30 %, +6 months,
                                                     costs +50 %, half-yearly periods
    =MBS_RECOVERYCURVE(2.5E9, "three_year")          the published 20/40/50 % three-year shape
    =MBS_RECOVERYTRACK(N4:O12, P5:P40, 2.5E9)        trustee reports against the expected path
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import mbsxl
from mbsxl._validate import MAX_MONTHS
from mbsxl.excel import convert
from mbsxl.excel.registry import Arg, udf
from mbsxl.errors import MbsxlInputError

MAX_CELLS = 2_000_000          # 200,000 loans x the tape's 9 columns, with room


def _frame(name: str, m) -> pd.DataFrame:
    """A table with its header row -> a DataFrame; numbers stored as text read; error cells refused."""
    g = convert.as_grid(m)
    if g.shape[0] < 2 or g.shape[1] < 2:
        raise MbsxlInputError(f"{name} is a single row or column; pass the table with its header row")
    header = [c.strip() if isinstance(c, str) else c for c in g[0]]
    body = g[1:]
    blank = np.vectorize(convert.is_blank, otypes=[bool])(body) if body.size else np.zeros(body.shape, bool)
    keep = np.flatnonzero(~blank.all(axis=1))
    body = body[: (keep[-1] + 1) if keep.size else 0].copy()
    for (i, j), c in np.ndenumerate(body):
        if convert.is_blank(c):
            body[i, j] = None
        elif isinstance(c, str):
            convert._check_error(f"{name} row {i + 1} column {header[j]!r}", c)
            x = convert.parse_number_text(c)
            if x is not None:
                body[i, j] = x
        elif isinstance(c, np.generic):
            body[i, j] = c.item()
        else:
            convert._check_error(f"{name} row {i + 1} column {header[j]!r}", c)
    cols = [h if isinstance(h, str) else f"column {j + 1}" for j, h in enumerate(header)]
    return pd.DataFrame(body, columns=cols)


def _stages(m):
    if m is None:
        return None
    g = convert.as_grid(m)
    if g.shape[1] < 2:
        raise MbsxlInputError("stage_table has one column; pass two: stage, months to resolution")
    return [[c, d] for c, d in g[:, :2] if not (convert.is_blank(c) and convert.is_blank(d))]


_TAPE = Arg("tape", "Loan tape with its header row: Principal, Collateral appraisal, Legal stage (诉讼阶段) needed; "
            "Loan, Interest, Fees, Haircut, Months in stage, Disposal costs optional; at most 2,000,000 cells", kind="matrix", max_len=MAX_CELLS)
_HAIRCUT = Arg("haircut", "Haircut on the appraisal for every loan, 0 to 1 (0.3 = 30%); empty = the tape's Haircut "
               "column", kind="number", optional=True, default=None)
_STAGES = Arg("stage_table", "Two columns: stage, months from the start of the stage to the recovery; empty = the "
              "default (an illustration: see MBS_RECOVERYSTAGES)", kind="matrix", optional=True, default=None)
_WINDOW = Arg("window", "Months the recovery is spread over from the resolution month, equal parts; default 1; at most 600",
              kind="int", optional=True, default=1, max=MAX_MONTHS, cap_note="window: 50 years")
_AMOUNT = Arg("amount_stress", "Recovery amount stress, 0 to 1: 0.3 = collateral after haircut 30% lower; default 0",
              kind="number", optional=True, default=0.0)
_DELAY = Arg("delay", "Timing stress: whole months added to every resolution; default 0; at most 600", kind="int", optional=True,
             default=0, max=MAX_MONTHS, cap_note="delay: 50 years")
_COST = Arg("cost_stress", "Cost stress, >= 0: 0.5 = disposal costs 50% higher; default 0", kind="number",
            optional=True, default=0.0)


@udf("MBS_RECOVERIES", "NPL recoveries by period (不良回收预测): gross proceeds, disposal costs, net, loans resolved, "
     "cumulative recovery rate (累计回收率); loan-level rule min(collateral x (1-haircut) - costs, claim)",
     args=[_TAPE, _HAIRCUT, _STAGES, _WINDOW, _AMOUNT, _DELAY, _COST,
           Arg("months_per_period", "Months a period: 1 monthly (default), 3 quarterly, 6 half-yearly; at most 12", kind="int",
               optional=True, default=1, max=12, cap_note="months_per_period: annual")],
     returns="table")
def MBS_RECOVERIES(tape, haircut=None, stage_table=None, window=1, amount_stress=0.0, delay=0, cost_stress=0.0,
                   months_per_period=1):
    return mbsxl.recoveries(_frame("tape", tape), haircut, _stages(stage_table), window, amount_stress, delay,
                            cost_stress, months_per_period)


@udf("MBS_RECOVERYLOANS", "NPL recoveries loan by loan: claim, collateral after haircut, costs, resolution month, "
     "gross and net recovery, recovery rate and a flag for loans capped by their claim (受债权上限)",
     args=[_TAPE, _HAIRCUT, _STAGES, _WINDOW, _AMOUNT, _DELAY, _COST],
     returns="table")
def MBS_RECOVERYLOANS(tape, haircut=None, stage_table=None, window=1, amount_stress=0.0, delay=0, cost_stress=0.0):
    return mbsxl.recovery_loans(_frame("tape", tape), haircut, _stages(stage_table), window, amount_stress, delay,
                                cost_stress)


@udf("MBS_RECOVERYCURVE", "NPL recoveries from a cumulative recovery curve (累计回收率曲线): the user's, or the "
     "published three-year shape 20/40/50%; amount and timing stresses",
     args=[Arg("claim", "The pool's claim at cut-off (principal + interest + fees), > 0", kind="number"),
           Arg("curve", "Cumulative recovery rates by period (fractions, never falling, at most 1), or three_year "
               "(default: 20/40/50% after 12/24/36 months, published 2024-10-28)", kind="any", optional=True,
               default="three_year"),
           _AMOUNT, _DELAY],
     returns="table")
def MBS_RECOVERYCURVE(claim, curve="three_year", amount_stress=0.0, delay=0):
    if curve is None:
        curve = "three_year"
    elif not isinstance(curve, str):
        curve = convert.to_kind("curve", curve, "vector")
    return mbsxl.recovery_curve(claim, curve, amount_stress, delay)


@udf("MBS_RECOVERYTRACK", "NPL actual against expected recoveries (实际/预期): per period and cumulative, the "
     "cumulative recovery rate (累计回收金额/债权) and a re-projection of the rest from today",
     args=[Arg("history", "Trustee-report table with its header row: 收款期间 Collection period and 回收金额 "
               "Recoveries (or 累计回收金额 Cumulative recoveries); at most 200,000 cells", kind="matrix", max_len=200_000),
           Arg("expected", "Expected recoveries by period from cut-off, same frequency as the reports (e.g. the "
               "Gross proceeds column of MBS_RECOVERIES)", kind="vector"),
           Arg("claim", "The claim at cut-off (principal + interest + fees), > 0", kind="number"),
           Arg("method", "Re-projection: ratio (default: the rest times cumulative actual/expected), catch_up (the "
               "expected total still collected) or as_expected", kind="text", optional=True, default="ratio")],
     returns="table")
def MBS_RECOVERYTRACK(history, expected, claim, method="ratio"):
    return mbsxl.recovery_track(_frame("history", history), expected, claim, "ratio" if method is None else method)


@udf("MBS_RECOVERYSTAGES", "The stage table of the recovery projection: stage, months to resolution, note; empty = "
     "the default, an illustration (not a published table)",
     args=[_STAGES], returns="table")
def MBS_RECOVERYSTAGES(stage_table=None):
    return mbsxl.recovery_stages(_stages(stage_table))


@udf("MBS_NPLMARKET", "Market statistics of mortgage NPL securitisation (房贷不良ABS) with their sources: title, "
     "publisher, URL, date",
     args=[Arg("contains", "Optional text: only the statistics whose name contains it (case ignored), e.g. recovery; "
               "empty = all", kind="text", optional=True, default=None)],
     returns="table")
def MBS_NPLMARKET(contains=None):
    return mbsxl.npl_market(contains)


# ------------------------------------------------------------------ the NPL pool through the deal table
def _deal_rows(m) -> list:
    g = convert.as_grid(m)
    return [[None if convert.is_blank(c) else (c.item() if isinstance(c, np.generic) else c) for c in row]
            for row in g.tolist()]


def _rec(name, m):
    return None if m is None else _frame(name, m)


def _expected(m):
    if m is None:
        return None
    g = convert.as_grid(m)
    if g.shape[0] > 1 and g.shape[1] > 1:
        return _frame("expected", m)
    return convert.to_kind("expected", m, "vector")


_REC = Arg("recoveries", "The MONTHLY table of MBS_RECOVERIES with its header row (gross proceeds, disposal costs ...); at most 2,000,000 cells",
           kind="matrix", max_len=MAX_CELLS)
_EXP = Arg("expected", "Expected collections by month for the excess incentive fee: an MBS_RECOVERIES table or a "
           "column; empty = the recoveries' own gross proceeds", kind="matrix", optional=True, default=None)
_CLAIM = Arg("claim", "The pool's claim at cut-off; empty = from the recoveries table", kind="number", optional=True,
             default=None)
_DEAL = Arg("deal", "The deal table (交易要素表) with the NPL fee bases (disposal_costs, collections, "
            "excess_collections, share) and pay_share steps; see MBS_DEALCHECK", kind="matrix")
_CLS = Arg("class_", "The class analysed, a name in the deal's 分档 Classes block", kind="any")


@udf("MBS_NPLPOOL", "The pool table of an NPL pool for the deal-table functions: collections, disposal costs "
     "(处置费用) and the expected path (预期回收) by month, the claim as the first beginning balance",
     args=[_REC, _EXP, _CLAIM], returns="table")
def MBS_NPLPOOL(recoveries, expected=None, claim=None):
    return mbsxl.npl_pool(_frame("recoveries", recoveries), _expected(expected), claim)


@udf("MBS_NPLFLOWS", "The deal table run over an NPL pool (不良资产支持证券 waterfall): classes by month, every "
     "ledger step (disposal costs, fees, incentive fee, shares) or the events",
     args=[_REC, _DEAL, Arg("view", "classes (default), ledgers or events", kind="text", optional=True,
                            default="classes"), _EXP, _CLAIM],
     returns="table")
def MBS_NPLFLOWS(recoveries, deal, view="classes", expected=None, claim=None):
    return mbsxl.npl_flows(_frame("recoveries", recoveries), _deal_rows(deal), view or "classes",
                           _expected(expected), claim)


@udf("MBS_NPLDEALSTATS", "Per class of the deal table over an NPL pool: WAL, principal window, interest, "
     "principal, what is still owed at the end, and the yield at a price",
     args=[_REC, _DEAL, Arg("price", "Optional price per 100 of original face: adds each class's yield", kind="number",
                            optional=True, default=None), _EXP, _CLAIM,
           Arg("compounding", "Yield compounding a year: 2 (default), 1, 4, 12", kind="int", optional=True,
               default=2)],
     returns="table")
def MBS_NPLDEALSTATS(recoveries, deal, price=None, expected=None, claim=None, compounding=2):
    return mbsxl.npl_deal_stats(_frame("recoveries", recoveries), _deal_rows(deal), price, _expected(expected), claim,
                                2 if compounding is None else compounding)


@udf("MBS_NPLGRID", "An NPL deal over recovery haircut x delay stresses: one class's WAL, principal, interest and "
     "what it is not paid, one row a scenario (one ledger run)",
     args=[_TAPE, _DEAL, _CLS,
           Arg("haircuts", "Haircuts for every loan (replacing the tape's), 0 to 1, a row or column", kind="vector"),
           Arg("delays", "Delays in whole months, a row or column", kind="vector"),
           _AMOUNT, _COST, _STAGES, _WINDOW],
     returns="table")
def MBS_NPLGRID(tape, deal, class_, haircuts, delays, amount_stress=0.0, cost_stress=0.0, stage_table=None, window=1):
    return mbsxl.npl_grid(_frame("tape", tape), _deal_rows(deal), class_, haircuts, delays, amount_stress or 0.0,
                          cost_stress or 0.0, _stages(stage_table), window or 1)


@udf("MBS_NPLBREAKEVEN", "Breakeven recovery haircut (盈亏平衡折价率) of a class of an NPL deal: the largest haircut "
     "on every loan at which the class is still paid in full, principal and interest",
     args=[_TAPE, _DEAL, _CLS, _DELAY, _AMOUNT, _COST, _STAGES, _WINDOW],
     returns="scalar")
def MBS_NPLBREAKEVEN(tape, deal, class_, delay=0, amount_stress=0.0, cost_stress=0.0, stage_table=None, window=1):
    return mbsxl.npl_breakeven(_frame("tape", tape), _deal_rows(deal), class_, delay or 0, amount_stress or 0.0,
                               cost_stress or 0.0, _stages(stage_table), window or 1)
