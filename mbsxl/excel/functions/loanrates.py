"""Worksheet function MBS_LOANRATES, and the repricing arguments MBS_LOANCASHFLOWS shares with it.

Wrapper only: the rules are in :mod:`mbsxl.rates.repricing`, the table in :mod:`mbsxl.pool.loanrates`.

    =MBS_LOANRATES(B2:B3, C2:C3, D2:D3, DATE(2019,12,1), E2:E3, F2:F3)           LPR / fixed loans
    =MBS_LOANRATES(B2, 5.88%, 120, DATE(2019,12,1), "基准", , , , TRUE, , "standard", , , , , , 1.2)
"""
from __future__ import annotations

import numpy as np

import mbsxl
from mbsxl._validate import MAX_MONTHS
from mbsxl.excel import convert
from mbsxl.excel.registry import Arg, udf

_LOANS = 1_048_575

#: The repricing arguments, in the order MBS_LOANCASHFLOWS and MBS_LOANRATES take them.
REPRICING_ARGS = [
    Arg("rate_type", "Optional: fixed (固定), benchmark (基准: PBoC x multiplier + margin) or lpr (LPR 5y + spread), "
        "one for all or a column; default lpr with spreads, benchmark with multipliers/margins, else fixed",
        kind="matrix", optional=True, default=None),
    Arg("spreads", "LPR loans: each loan's spread over LPR 5y as a decimal (1.08% or 0.0108), a column or one for all",
        kind="vector", optional=True, default=None),
    Arg("reset", "Optional LPR reset rule: \"january\" (1月1日, default), \"anniversary\" (对月对日, needs "
        "anniversaries) or N (every N months); one for all or a column", kind="matrix", optional=True, default=None),
    Arg("anniversaries", "With reset \"anniversary\": each loan's anniversary date (e.g. its disbursement date), a "
        "column", kind="matrix", optional=True, default=None),
    Arg("conversion", "Optional: TRUE = benchmark loans convert in 2020 to LPR 5y + (rate - 4.80%), same rate until "
        "the first 2021 reset; default FALSE", kind="bool", optional=True, default=False),
    Arg("fixed_choice", "With conversion: TRUE where the borrower chose a fixed rate at conversion (never reprices "
        "again), a column or one for all", kind="matrix", optional=True, default=None),
    Arg("events", "Optional: \"standard\" (2023-09-25 first homes to the origination floor; 2024-10-25 all "
        "loans to LPR - 30 bp, not below a current floor) or a range: date, rule (floor/cap), value, covers "
        "(first/second/all), floor (origination/current/none)", kind="matrix",
        optional=True, default=None),
    Arg("first_home", "Optional: TRUE/首套 for a first home, FALSE/二套 for a second, a column or one for all; "
        "default TRUE (first homes)", kind="matrix", optional=True, default=None),
    Arg("origination_floors", "Optional: each loan's floor spread over LPR 5y when it was originated (its city's, "
        "decimal, -2%..+1%; read by the 2023 cut); blank = the national floor on its origination date "
        "(MBS_MORTGAGEFLOORS table)", kind="matrix", optional=True, default=None),
    Arg("index_dates", "Optional LPR 5y path (history + scenario): the dates of each value, oldest first; default "
        "the shipped LPR table", kind="matrix", optional=True, default=None),
    Arg("index_rates", "With index_dates: the LPR 5y in force from each date (decimals)", kind="matrix",
        optional=True, default=None),
]

#: The issue-18 arguments (current floors, origination dates, the 2024-11-01 options), last in both functions.
REPRICING_2024_ARGS = [
    Arg("current_floors", "Optional: the current floor spread for new loans of each loan's city (decimal, -2%..+1%; "
        "read by the 2024-10-25 adjustment); blank = none (after 2024-05-17 only a few cities keep one)",
        kind="matrix", optional=True, default=None),
    Arg("origination_dates", "Optional: each loan's origination date (for the floors at origination); default the "
        "anniversaries, else start_date less ages months", kind="matrix", optional=True, default=None),
    Arg("repricing_periods", "Optional 2024-11-01 option: each loan's new repricing period in months (3, 6 or 12; "
        "1..12), blank = none", kind="matrix", optional=True, default=None),
    Arg("repricing_period_dates", "With repricing_periods: the date of each loan's first reset on the new period "
        "(from 2024-11-01)", kind="matrix", optional=True, default=None),
    Arg("average_spread_dates", "Optional spread renegotiation: dates of the national average spread of new loans "
        "(from 2024-11-01); off when blank", kind="matrix", optional=True, default=None),
    Arg("average_spreads", "With average_spread_dates: the average new-loan spread over LPR 5y from each date "
        "(decimal)", kind="matrix", optional=True, default=None),
    Arg("renegotiation_tolerance", "Optional: a spread more than this above the average re-sets to average + this; "
        "default 0.003 (30 bp)", kind="number", optional=True, default=0.003),
]


def repricing_2024_kwargs(current_floors=None, origination_dates=None, repricing_periods=None,
                          repricing_period_dates=None, average_spread_dates=None, average_spreads=None,
                          renegotiation_tolerance=0.003) -> dict:
    """Cells of :data:`REPRICING_2024_ARGS` -> the core's keyword arguments (blank cells stay None)."""
    def keep(m, name=None, kind=None):
        c = _cells(m)
        if c is None:
            return None
        return [None if convert.is_blank(x) else x if kind is None else convert.to_kind(f"{name}[{i + 1}]", x, kind)
                for i, x in enumerate(c if isinstance(c, list) else [c])]
    return dict(current_floors=keep(current_floors), origination_dates=_each("origination_dates", origination_dates,
                                                                             "date"),
                repricing_periods=keep(repricing_periods),
                repricing_period_dates=keep(repricing_period_dates, "repricing_period_dates", "date"),
                average_spread_dates=_each("average_spread_dates", average_spread_dates, "date"),
                average_spreads=_each("average_spreads", average_spreads, "number"),
                renegotiation_tolerance=0.003 if renegotiation_tolerance is None else renegotiation_tolerance)


#: The rate-incentive prepayment arguments of MBS_LOANCASHFLOWS.
INCENTIVE_ARGS = [
    Arg("incentive_slope", "Optional rate-incentive prepayment: CPR = base + slope x (loan rate - new-loan rate), "
        "e.g. 5 (1% above adds 5% CPR); default 0 = off", kind="number", optional=True, default=0.0),
    Arg("incentive_cap", "Optional: the highest CPR the incentive can give (decimal); default 1 (no cap)",
        kind="number", optional=True, default=1.0),
    Arg("new_loan_spread", "Optional: new loans' spread over LPR 5y for the incentive (decimal, e.g. -0.003); "
        "default 0", kind="number", optional=True, default=0.0),
]


def _cells(m):
    """A range -> its cells up to the last non-blank as a list (one cell -> that cell; none -> None)."""
    if m is None:
        return None
    cells = list(convert.as_grid(m).ravel())
    while cells and convert.is_blank(cells[-1]):
        cells.pop()
    return None if not cells else cells[0] if len(cells) == 1 else cells


def _events(m):
    if _cells(m) is None:
        return None
    g = convert.as_grid(m)
    if g.size == 1:
        return g[0, 0]                                  # "standard"
    if g.shape[1] < 4:
        raise mbsxl.MbsxlInputError(f"events has {g.shape[1]} columns; pass four or five: date, rule, value, covers"
                                    ", floor read (origination/current/none)")
    rows = []
    for i in range(g.shape[0]):
        row = [None if convert.is_blank(c) else c for c in g[i, :5]]
        if all(c is None for c in row):
            continue
        if i == 0 and isinstance(row[0], str) and not row[0].strip()[:4].isdigit():
            continue                                    # a header row
        row[0] = convert.to_kind(f"events[{i + 1},1]", row[0], "date")
        if row[2] is not None:
            row[2] = convert.to_kind(f"events[{i + 1},3]", row[2], "number")
        rows.append(row)
    return rows


def repricing_kwargs(rate_type=None, spreads=None, reset=None, anniversaries=None, conversion=False,
                     fixed_choice=None, events=None, first_home=None, origination_floors=None, index_dates=None,
                     index_rates=None) -> dict:
    """Cells of :data:`REPRICING_ARGS` -> the core's keyword arguments."""
    ann, idx_d, idx_r = (_each(name, m, kind) for name, m, kind in (
        ("anniversaries", anniversaries, "date"), ("index_dates", index_dates, "date"),
        ("index_rates", index_rates, "number")))
    reset = _cells(reset)
    return dict(rate_type=_cells(rate_type), spreads=spreads, reset="january" if reset is None else reset,
                anniversaries=ann, conversion=conversion, fixed_choice=_cells(fixed_choice), events=_events(events),
                first_home=_cells(first_home), index_dates=idx_d, index_rates=idx_r,
                origination_floors=None if _cells(origination_floors) is None else
                [None if convert.is_blank(x) else x for x in np.ravel(convert.as_grid(origination_floors))])


def _each(name, m, kind):
    """A range of dates or numbers -> a list, each cell converted (errors name ``name[k]``); none -> None."""
    c = _cells(m)
    if c is None:
        return None
    return [convert.to_kind(f"{name}[{i + 1}]", x, kind) for i, x in enumerate(c if isinstance(c, list) else [c])]


@udf("MBS_LOANRATES", "Each loan's rate path (利率重定价): one row per loan and month with the index, spread, rate, "
     "scheduled payment and event (LPR reset, 2020 conversion, 2023/2024 policy cuts)",
     args=[Arg("balances", "Current principal balance of each loan (本金余额), a column; at most 1,048,575 loans x "
               "months in all", kind="vector", max_len=_LOANS),
           Arg("rates", "Each loan's annual rate in force in the first month, decimal (5.88% or 0.0588)",
               kind="vector"),
           Arg("remaining_terms", "Each loan's remaining term in months (剩余期限); at most 600", kind="vector",
               max=MAX_MONTHS),
           Arg("start_date", "The date of the first projection month (e.g. 2019-12-01)", kind="date"),
           *REPRICING_ARGS,
           Arg("multipliers", "Benchmark loans: multiple of the PBoC benchmark (1.2 = 20% above), a column or one "
               "for all", kind="vector", optional=True, default=None),
           Arg("margins", "Benchmark loans: margin over benchmark x multiplier, decimal; default 0", kind="vector",
               optional=True, default=None),
           Arg("ages", "Optional: each loan's age in months (账龄), for every-N-month resets; default 0; at most 600",
               kind="vector", optional=True, default=None, max=MAX_MONTHS),
           *REPRICING_2024_ARGS],
     returns="table")
def MBS_LOANRATES(balances, rates, remaining_terms, start_date, rate_type=None, spreads=None, reset=None,
                  anniversaries=None, conversion=False, fixed_choice=None, events=None, first_home=None,
                  origination_floors=None, index_dates=None, index_rates=None, multipliers=None, margins=None,
                  ages=None, current_floors=None, origination_dates=None, repricing_periods=None,
                  repricing_period_dates=None, average_spread_dates=None, average_spreads=None,
                  renegotiation_tolerance=0.003):
    kw = repricing_kwargs(rate_type, spreads, reset, anniversaries, conversion, fixed_choice, events, first_home,
                          origination_floors, index_dates, index_rates)
    kw.update(repricing_2024_kwargs(current_floors, origination_dates, repricing_periods, repricing_period_dates,
                                    average_spread_dates, average_spreads, renegotiation_tolerance))
    return mbsxl.loan_rates(balances, rates, remaining_terms, start_date, multipliers=multipliers,
                            margins=margins, ages=ages, **kw)
