"""The ``评级压力 Rating`` sheet of the deal-review template (issue 18): the rating agencies' stress test of
Jianyuan 2007-1.

Written by :func:`write` into :mod:`mbsxl.templates.jianyuan_deal_review`'s workbook (its ``_write`` calls it);
two formulas over the Deal sheet's inputs and this sheet's labelled tables:

- ``MBS_RATINGSTRESS`` view ``ratings``: per class A, B, C and rating, the target default rate (base x
  multiplier), the minimum breakeven cumulative default rate (临界违约率) over the scenarios, pass/fail and the
  highest rating passed;
- the same, view ``breakevens``: each class's breakeven under each scenario.

Both read the deal from the ``交易要素 Deal table`` sheet (:mod:`mbsxl.templates.deal_review_dealtable`, issue 19):
MBS_RATINGSTRESS's ``deal`` argument, the breakeven search run through the ledger engine.

Assumptions, all labelled on the sheet: the base cumulative default rate (3%: not published; about the Deal
sheet's 0.5% CDR over a pool WAL of about six years), the recovery rate (1 - the Deal sheet's severity), the
recovery lag, WAC, fees and spreads (Deal sheet), the horizon of the named timing shapes (5 years), legal final =
WAM (the deal's legal maturity is not in the seeds).  The multiplier table and the scenario set are the EXAMPLES
of :mod:`mbsxl.deal.agency_stress` (:data:`~mbsxl.deal.agency_stress.EXAMPLE_MULTIPLIERS`,
:data:`~mbsxl.deal.agency_stress.EXAMPLE_SCENARIOS`), labelled as such with their sources.
"""
from __future__ import annotations

from types import ModuleType

from xlsxwriter.utility import xl_rowcol_to_cell

from mbsxl.deal import agency_stress as ag
from .. import columns as C
from ._book import Book, label

RATING = "评级压力 Rating"
BASE_DEFAULT = 0.03
HORIZON = 5
RATED = 3                                         # A, B, C (the subordinate class is not rated)

R_IN = 4                                          # inputs
INPUTS = [
    ("base", label("基准累计违约率", "Base cumulative default rate"), BASE_DEFAULT, "pct",
     "assumption: not published; about the Deal sheet's 0.5% CDR over a pool WAL of about 6 years"),
    ("recovery", label("回收率", "Recovery rate"), None, "pct", "from the Deal sheet: 1 - loss severity (assumption)"),
    ("lag", label("回收时间(月)", "Recovery lag, months"), None, "int", "from the Deal sheet (assumption)"),
    ("horizon", label("违约分布年数", "Years of the front/even/back timing shapes"), HORIZON, "int",
     "assumption (mbsxl.deal.agency_stress example shapes)"),
    ("legal", label("法定到期(期)", "Legal final, period"), None, "int",
     "assumption: WAM (the deal's legal maturity is not in the seeds)"),
    ("rated", label("受评档次数", "Classes rated (A, B, C)"), RATED, "int", "seed 002: A, B, C rated; subordinate not"),
]
I = {key: R_IN + i for i, (key, *_r) in enumerate(INPUTS)}
R_MULT = R_IN + len(INPUTS) + 2                   # multiplier table header row
R_SCEN = R_MULT + len(ag.EXAMPLE_MULTIPLIERS) + 3  # scenario table header row
N_SCEN = len(ag.EXAMPLE_SCENARIOS)
R_OUT = R_SCEN + N_SCEN + 3                       # the ratings table (header row)
N_OUT = RATED * len(ag.EXAMPLE_MULTIPLIERS)
R_BE = R_OUT + N_OUT + 3                          # the breakevens table (header row)
N_BE = RATED * N_SCEN


def python_args(deal: ModuleType) -> dict:
    """The sheet's MBS_RATINGSTRESS arguments as keywords of :func:`mbsxl.rating_stress` (bench, tests);
    ``deal`` is :mod:`mbsxl.templates.jianyuan_deal_review` (passed in: that module imports this one)."""
    import mbsxl
    from mbsxl.reference import jianyuan as jy
    return dict(balance=jy.POOL["balance"], wac=deal.WAC, wam=deal.WAM, tranche_names=list(jy.TRANCHES),
                tranche_balances=list(jy.TRANCHES.values()), tranche_coupons=list(deal.SPREADS.values()),
                base_default_rate=BASE_DEFAULT, ratings=[r for r, _ in ag.EXAMPLE_MULTIPLIERS],
                multipliers=[m for _, m in ag.EXAMPLE_MULTIPLIERS], scenarios=[list(s) for s in ag.EXAMPLE_SCENARIOS],
                recovery_rate=1.0 - deal.SEVERITY, recovery_lag=deal.LAG, servicing=deal.SERVICING,
                cleanup_call=deal.CALL,
                index=mbsxl.coupon_index(jy.ISSUE_DATE, deal.WAM, payment_day=jy.PAYMENT_DAY),
                floating=list(deal.FLOATING.values()), fees=deal.FEES, rated=RATED, legal_final=deal.WAM,
                horizon=HORIZON)


def _ref(deal: ModuleType, key: str) -> str:
    return xl_rowcol_to_cell(I[key], 1, row_abs=True, col_abs=True)          # this sheet: no sheet name


def _local(r0: int, c0: int, r1: int, c1: int) -> str:
    return (f"{xl_rowcol_to_cell(r0, c0, row_abs=True, col_abs=True)}:"
            f"{xl_rowcol_to_cell(r1, c1, row_abs=True, col_abs=True)}")


def _formula(deal: ModuleType, view: str) -> str:
    """MBS_RATINGSTRESS with the deal table of the ``交易要素 Deal table`` sheet (issue 19: the classes, fees,
    priority of payments and call read from the table, the class and waterfall arguments left empty); the
    pool, the scenarios and the multipliers as before.  The breakevens equal the positional path's
    (tests/test_rating_stress_deal.py)."""
    n_m = len(ag.EXAMPLE_MULTIPLIERS)
    ratings = _local(R_MULT + 1, 0, R_MULT + n_m, 0)
    mults = _local(R_MULT + 1, 1, R_MULT + n_m, 1)
    scen = _local(R_SCEN, 0, R_SCEN + N_SCEN, len(C.STRESS_SCENARIO_COLUMNS) - 1)
    args = ["Pool_balance", "Pool_WAC", "Pool_WAM", "", "", "", _ref(deal, "base"),
            ratings, mults, scen, _ref(deal, "recovery"), _ref(deal, "lag"), "Servicing", "", "",
            "Coupon_index", "", "", _ref(deal, "rated"), "", _ref(deal, "legal"), _ref(deal, "horizon"), "", '"year"',
            f'"{view}"'] + [""] * 10 + ["Deal_table"]
    return "=MBS_RATINGSTRESS(" + ",".join(args) + ")"


def write(book: Book, deal: ModuleType):
    """Write the Rating sheet; ``deal`` is :mod:`mbsxl.templates.jianyuan_deal_review` (passed in, not imported:
    that module calls this one), whose Deal-sheet cell map and reference helpers it reads."""
    ws = book.sheet(RATING)
    book.text(ws, "A1", label("评级压力测试", "Rating agencies' stress test: breakeven default rates against target "
                                          "default rates (MBS_RATINGSTRESS)"), "title")
    book.note(ws, "A2", "Method (中债资信 RMBS rating method): a class passes a rating when its 临界违约率 (the largest "
                        "cumulative default rate, of the initial balance, at which it is paid in full and on time in "
                        "every scenario) is at least the rating's 目标评级违约比率 (base x multiplier).")
    book.note(ws, "A3", "Each breakeven: a bracketing search to 1e-7 over full projections (MBS_DEFAULTTIMING rules) "
                        "and the deal table of the 交易要素 Deal table sheet (ledger engine); on time = no interest shortfall in any period, principal "
                        "repaid by the legal final period. The multipliers and scenarios below are EXAMPLES.")
    for key, lab, v, fmt, note in INPUTS:
        r = I[key]
        book.value(ws, (r, 0), lab)
        if key == "recovery":
            book.formula(ws, (r, 1), f"=1-{deal.D('severity')}", fmt)
        elif key == "lag":
            book.formula(ws, (r, 1), f"={deal.D('lag')}", fmt)
        elif key == "legal":
            book.formula(ws, (r, 1), f"={deal.D('wam')}", fmt)
        else:
            book.input(ws, (r, 1), v, fmt)
        book.note(ws, (r, 2), note)

    book.text(ws, (R_MULT - 1, 0), label("评级乘数(示例)", "Stress multipliers: EXAMPLE table"), "subtitle")
    book.note(ws, (R_MULT - 1, 3), "AAA 5.0 and BB- 1.2 as quoted in issue 18 from one public implementation of a "
                                   "Chinese agency's method; the ratings between are an illustrative interpolation, "
                                   "not published (mbsxl.deal.agency_stress.EXAMPLE_MULTIPLIERS). Type your agency's table.")
    book.header(ws, (R_MULT, 0), [C.RATING, C.MULTIPLIER])
    for i, (r, m) in enumerate(ag.EXAMPLE_MULTIPLIERS):
        book.input(ws, (R_MULT + 1 + i, 0), r, "general")
        book.input(ws, (R_MULT + 1 + i, 1), m, "dec2")

    book.text(ws, (R_SCEN - 1, 0), label("压力情景(示例)", "Stress scenarios: EXAMPLE set (timing x prepayment x "
                                                        "rates)"), "subtitle")
    book.note(ws, (R_SCEN - 1, 3), "mbsxl.deal.agency_stress.EXAMPLE_SCENARIOS: CPR 5% low / 25% high (about the realised "
                                   "2008-09 mean, seed 002); rates +-100 bp on the notes' index, the pool following "
                                   "after 12 months. Assumptions, not an agency's set.")
    book.header(ws, (R_SCEN, 0), C.STRESS_SCENARIO_COLUMNS)
    fmts = ["general", "general", "int", "pct1", "pct", "pct", "int"]
    for i, row in enumerate(ag.EXAMPLE_SCENARIOS):
        for j, x in enumerate(row):
            book.input(ws, (R_SCEN + 1 + i, j), x, fmts[j])

    book.text(ws, (R_OUT - 1, 0), label("评级结果", "Class x rating: target default rate, minimum breakeven, "
                                                  "pass (1/0), highest rating passed"), "subtitle")
    out_fmts = ["general", "general", "dec2", "pct", "pct4", "general", "int", "general"]
    book.array(ws, (R_OUT, 0), (R_OUT + N_OUT, len(C.RATING_STRESS_COLUMNS) - 1), _formula(deal, "ratings"),
               col_fmts=out_fmts, header_row=True)
    book.text(ws, (R_BE - 1, 0), label("各情景临界违约率", "Breakeven cumulative default rate by class and scenario"),
              "subtitle")
    be_fmts = ["general", "general", "general", "int", "pct1", "pct", "pct", "int", "pct4"]
    book.array(ws, (R_BE, 0), (R_BE + N_BE, len(C.STRESS_BREAKEVEN_COLUMNS) - 1), _formula(deal, "breakevens"),
               col_fmts=be_fmts, header_row=True)
    ws.set_row(R_OUT, 30)
    ws.set_row(R_BE, 30)
    book.widths(ws, {"A": 34, "B": 16, "C:E": 14, "F": 30, "G:I": 14})
    book.print_setup(ws, landscape=True, area=f"A1:I{R_BE + N_BE + 2}", fit_height=1)
