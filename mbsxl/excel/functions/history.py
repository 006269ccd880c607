"""Worksheet functions for trustee-report history: MBS_HISTORY, MBS_BACKTEST.

Wrappers only: the layout and its checks are in :mod:`mbsxl.surveillance.report_table`, the measures in
:mod:`mbsxl.surveillance.performance`, the back-test in :mod:`mbsxl.surveillance.backtesting`.  ``history`` is the report table
with its header row; each column is found by its header (期初本金余额 / Beginning balance / the full
label; see the layout in mbsxl.surveillance.report_table), other columns are ignored, blank rows after the last
period dropped.  MBS_HISTORY also takes separate columns (history = the beginning balances).

    =MBS_HISTORY(A4:K28)                                     whole table, header row included
    =MBS_HISTORY(B5:B28, C5:C28, D5:D28, G5:G28)             beginning, scheduled, prepayment, ending
    =MBS_HISTORY(A4:K28, , , , , , , , 4160683708, 6)        cut-off balance, 6-month recovery lag
    =MBS_BACKTEST(A4:K28, 0.1726)                            the prospectus CPR against the realised
    =MBS_HISTORY(A4:M28, , , , , , , , , , , "type1_days", 4160683708, "90+")
                              type-1 SMM annualised by days, over the cut-off balance, 90+ defaults
"""
from __future__ import annotations

import mbsxl
from mbsxl import columns as C
from mbsxl.surveillance import report_table as _rt
from mbsxl._validate import MAX_MONTHS
from mbsxl.excel import convert
from mbsxl.excel.registry import Arg, udf
from ...errors import MbsxlInputError

MAX_CELLS = 200_000        # (600 periods + header) x the layout's 13 columns, with room for other columns


def _table(name: str, m) -> dict:
    """A report table with its header row -> {layout label: cells}, amounts converted to numbers."""
    g = convert.as_grid(m)
    header = [c.strip() if isinstance(c, str) else c for c in g[0]]
    cols = _rt.find_columns(header, name)
    body = g[1:]
    keep = [i for i in range(body.shape[0]) if not all(convert.is_blank(c) for c in body[i])]
    body = body[: (keep[-1] + 1) if keep else 0]
    out = {}
    for label, j in cols.items():
        cells = []
        for i, c in enumerate(body[:, j]):
            where = f"{name} column {label!r} row {i + 1}"
            if convert.is_blank(c):
                cells.append(None)
            elif label == C.TRUSTEE_PERIOD:          # a number, a date or a text (an error cell refused)
                cells.append(convert.to_kind(where, c, "text") if isinstance(c, str) else c)
            else:
                cells.append(convert.to_kind(where, c, "number"))
        out[label] = cells
    return out


def _is_table(m) -> bool:
    g = convert.as_grid(m)
    return g.shape[0] > 1 and g.shape[1] > 1


_HIST = Arg("history", "Trustee-report table with its header row (收款期间 Period, 期初本金余额 Beginning balance, "
            "Scheduled principal, Prepayment, Ending balance; optional Defaults, Recoveries, 90+ days), or the "
            "beginning-balance column; at most 200,000 cells", kind="matrix", max_len=MAX_CELLS)
_CONV = Arg("convention", "Prepayment convention (早偿率口径): type2_monthly (default: prepayment / (beginning - "
            "scheduled), 1-(1-SMM)^12), type1_monthly (prepayment / beginning), type2_days / type1_days "
            "(1-(1-SMM)^(365/days), days between report dates; dated periods)", kind="text", optional=True,
            default=None)
_TOL = Arg("tolerance", "How far an ending balance may differ from beginning - scheduled - prepayment - defaults "
           "before the row is refused; default 1 (yuan)", kind="number", optional=True, default=1.0)


@udf("MBS_HISTORY", "Trustee-report history (受托报告): per period SMM, CPR (早偿率), MDR, CDR, cumulative default "
     "rate (累计违约率), 90+ delinquency ratio (严重拖欠率) and loss severity; table or separate columns",
     args=[_HIST,
           Arg("scheduled", "Scheduled principal column; empty when history is the whole table", kind="vector",
               optional=True, default=None),
           Arg("prepayment", "Prepayment column; empty when history is the whole table", kind="vector",
               optional=True, default=None),
           Arg("ending", "Ending balance column; empty when history is the whole table", kind="vector",
               optional=True, default=None),
           Arg("defaults", "Optional defaults column (balance defaulted in the period); empty = not reported",
               kind="vector", optional=True, default=None),
           Arg("recoveries", "Optional recoveries column (for the loss severity); empty = not reported",
               kind="vector", optional=True, default=None),
           Arg("delinquent_90", "Optional 90+ days delinquent balance at period end; empty = not reported",
               kind="vector", optional=True, default=None),
           Arg("periods", "Optional period labels (numbers, dates or 2008-01), oldest first; default 1, 2, ...",
               kind="matrix", optional=True, default=None),
           Arg("original_balance", "Divisor of the cumulative default rate, e.g. the cut-off balance; default the "
               "first beginning balance", kind="number", optional=True, default=None),
           Arg("recovery_lag", "Periods from default to recovery for the loss severity; default 0; at most 600", kind="int",
               optional=True, default=0, max=MAX_MONTHS, cap_note="recovery_lag: 50 years"),
           _TOL, _CONV,
           Arg("cutoff_balance", "Initial pool balance at the cut-off (初始起算日资产池余额): divisor of the cumulative "
               "default and prepayment rates; required when the first period is numbered above 1; not below the "
               "first beginning balance", kind="number", optional=True, default=None),
           Arg("default_definition", "What counts as default (违约口径): reported (default, the Defaults column), "
               "90+ or 180+ (the 'New defaults 90+/180+ days' columns), or a column of defaulted amounts",
               kind="any", optional=True, default=None)],
     returns="table")
def MBS_HISTORY(history, scheduled=None, prepayment=None, ending=None, defaults=None, recoveries=None,
                delinquent_90=None, periods=None, original_balance=None, recovery_lag=0, tolerance=1.0,
                convention=None, cutoff_balance=None, default_definition=None):
    if _is_table(history):
        h = _table("history", history)
    else:
        h = convert.to_kind("history", history, "vector")
        if periods is not None:
            periods = [None if convert.is_blank(c) else c for c in convert.as_grid(periods).ravel()]
            while periods and periods[-1] is None:
                periods.pop()
    return mbsxl.history(h, scheduled, prepayment, ending, defaults, recoveries, delinquent_90, periods,
                         original_balance, 0 if recovery_lag is None else recovery_lag,
                         1.0 if tolerance is None else tolerance, convention, cutoff_balance,
                         _definition(default_definition))


def _definition(value):
    """A default_definition cell: a name (text, or 90 / 180), or a range of amounts (one a period)."""
    if value is None or convert.is_blank(value):
        return None
    g = convert.as_grid(value)
    if g.size == 1:
        c = g[0, 0]
        return c.strip() if isinstance(c, str) else c
    cells = [c for c in g.ravel()]
    while cells and convert.is_blank(cells[-1]):
        cells.pop()
    return [convert.to_kind(f"default_definition[{i}]", c, "number") for i, c in enumerate(cells)]


@udf("MBS_BACKTEST", "Back-test (回溯检验): a projection at given CPR/CDR against the realised trustee-report "
     "history, per period: projected and realised balance, prepayment, defaults, CPR and the differences",
     args=[Arg("history", "Trustee-report table with its header row (see MBS_HISTORY): the realised history; at "
               "most 200,000 cells",
               kind="matrix", max_len=MAX_CELLS),
           Arg("cpr", "Projected CPR, annual decimal: one number or a column, one a month from the start (last "
               "holds); the realised CPR column of MBS_HISTORY gives the history back", kind="number_or_vector"),
           Arg("cdr", "Projected CDR, annual decimal, a number or a column; default 0", kind="number_or_vector",
               optional=True, default=None),
           Arg("wac", "Pool WAC for the scheduled principal (one level-payment loan); empty with wam = the "
               "realised scheduled principal", kind="number", optional=True, default=None),
           Arg("wam", "Pool remaining term, months, at the projection start; with wac; at most 600", kind="int", optional=True,
               default=None, max=MAX_MONTHS, cap_note="wam: 50 years"),
           Arg("balance", "Balance the projection starts from; default the first beginning balance (with lead: "
               "e.g. the cut-off balance)", kind="number", optional=True, default=None),
           Arg("lead", "Months projected before the first history period (cut-off to first report); default 0; "
               "needs wac, wam and balance; at most 600", kind="int", optional=True, default=0, max=MAX_MONTHS,
               cap_note="lead: 50 years"),
           _TOL, _CONV],
     returns="table")
def MBS_BACKTEST(history, cpr, cdr=None, wac=None, wam=None, balance=None, lead=0, tolerance=1.0, convention=None):
    if not _is_table(history):
        raise MbsxlInputError("history is a single row or column; pass the trustee-report table with its header row")
    return mbsxl.backtest(_table("history", history), cpr, cdr, wac, wam, balance, 0 if lead is None else lead,
                          1.0 if tolerance is None else tolerance, convention)
