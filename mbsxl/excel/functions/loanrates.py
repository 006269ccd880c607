"""Worksheet function MBS_LOANRATES, and the repricing arguments MBS_LOANCASHFLOWS shares with it.

Wrapper only: the rules are in :mod:`mbsxl.repricing`, the table in :mod:`mbsxl.loanrates`.

    =MBS_LOANRATES(B2:B3, C2:C3, D2:D3, DATE(2019,12,1), E2:E3, F2:F3)           LPR / fixed loans
    =MBS_LOANRATES(B2, 5.88%, 120, DATE(2019,12,1), "基准", , , , TRUE, , "standard", , , , , , 1.2)
"""
from __future__ import annotations

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
    Arg("events", "Optional policy events: \"standard\" (2023-09-25 first-home floor, 2024-10-25 cap LPR - 30 bp) "
        "or a range: date, rule (floor/cap), value, covers (first/second/all)", kind="matrix", optional=True,
        default=None),
    Arg("first_home", "Optional: TRUE/首套 for a first home, FALSE/二套 for a second, a column or one for all; "
        "default TRUE (first homes)", kind="matrix", optional=True, default=None),
    Arg("floor_spreads", "Optional: each loan's local floor spread over LPR 5y (decimal); default 0 first homes, "
        "0.006 second homes (national floors since 2019-10-08)", kind="vector", optional=True, default=None),
    Arg("index_dates", "Optional LPR 5y path (history + scenario): the dates of each value, oldest first; default "
        "the shipped LPR table", kind="matrix", optional=True, default=None),
    Arg("index_rates", "With index_dates: the LPR 5y in force from each date (decimals)", kind="matrix",
        optional=True, default=None),
]

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
        raise mbsxl.MbsxlInputError(f"events has {g.shape[1]} columns; pass four: date, rule, value, covers")
    rows = []
    for i in range(g.shape[0]):
        row = [None if convert.is_blank(c) else c for c in g[i, :4]]
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
                     fixed_choice=None, events=None, first_home=None, floor_spreads=None, index_dates=None,
                     index_rates=None) -> dict:
    """Cells of :data:`REPRICING_ARGS` -> the core's keyword arguments."""
    ann, idx_d, idx_r = (_each(name, m, kind) for name, m, kind in (
        ("anniversaries", anniversaries, "date"), ("index_dates", index_dates, "date"),
        ("index_rates", index_rates, "number")))
    reset = _cells(reset)
    return dict(rate_type=_cells(rate_type), spreads=spreads, reset="january" if reset is None else reset,
                anniversaries=ann, conversion=conversion, fixed_choice=_cells(fixed_choice), events=_events(events),
                first_home=_cells(first_home), floor_spreads=floor_spreads, index_dates=idx_d, index_rates=idx_r)


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
               kind="vector", optional=True, default=None, max=MAX_MONTHS)],
     returns="table")
def MBS_LOANRATES(balances, rates, remaining_terms, start_date, rate_type=None, spreads=None, reset=None,
                  anniversaries=None, conversion=False, fixed_choice=None, events=None, first_home=None,
                  floor_spreads=None, index_dates=None, index_rates=None, multipliers=None, margins=None,
                  ages=None):
    kw = repricing_kwargs(rate_type, spreads, reset, anniversaries, conversion, fixed_choice, events, first_home,
                          floor_spreads, index_dates, index_rates)
    return mbsxl.loan_rates(balances, rates, remaining_terms, start_date, multipliers=multipliers,
                            margins=margins, ages=ages, **kw)
