"""The MBS_ functions as Excel for Windows reaches them: through xlwings' OWN call path, on Linux.

Each call goes ``xlwings.com_server.XLPython.CallUDF`` -> ``xlwings.udfs.call_udf`` -> ``xlwings.conversion``
(``_xlwindows`` engine) -> ``mbsxl.excel.udfs``, with the VARIANTs Excel's COM interface passes (see
tests/_com_stubs.py: a cell reference is a Range COM object whose ``.Value`` is a scalar or a tuple of
row tuples, empty cells ``None``, numbers ``float``, error cells their ``int`` scode, dates
``pywintypes.TimeType``, an omitted Optional argument VBA's ``Missing`` -2147352572, the ``caller``
slot ``Nothing``).  The argument tuple is built as xlwings' generated VBA builds it
(``Array(a, b, ..., Nothing)``, ``xlwings.udfs.generate_vba_wrapper``), and ``CallUDF``'s own
unwrapping of the 2-D result (one cell -> scalar, one row -> 1-D) is kept.

Expected values come from the analytics core called directly (``mbsxl.smm``, ``mbsxl.cashflows`` ...),
never from mbsxl.excel.  Two modes:

- Excel 365 (native dynamic arrays): ``Application.Caller`` is the formula's single (anchor) cell and a
  table spills;
- Excel 2016/2019 (legacy): a table is an array formula entered over a range with Ctrl+Shift+Enter, so
  ``Application.Caller`` is that range (e.g. ``$A$10:$P$370``).  mbsxl declares no
  ``@ret(expand=...)``, so ``call_udf`` takes no resize path: the stand-in Range has no ``Resize``, and
  any attempt to resize would fail these tests.

Every MBS_ formula of the four committed templates is also recomputed through this path from the
values the workbook stores (test_templates_recalculate_through_call_udf).
"""
from __future__ import annotations

import datetime as dt
import functools
import pathlib

import numpy as np
import pytest

import _com_stubs as S
from _expected import expected_rows
from _xl_formula import parse
import mbsxl

REL = 1e-12
ROOT = pathlib.Path(__file__).resolve().parents[1]
ERR_TEXT = {v: k for k, v in S.SCODES.items()}


# ------------------------------------------------------------------------------------------ harness
class Excel:
    """One Excel session: an application, a workbook with sheets of cells, and the COM server."""

    def __init__(self, udfs, server):
        self.udfs, self.server = udfs, server
        self.app = S.Application()
        self.book = S.Workbook("Book1.xlsx", self.app)
        self.sheet = self.book.sheet("Sheet1")
        self._free = 1

    def put(self, values, sheet=None) -> S.RangeCOM:
        """Values in fresh cells (a scalar or a list of rows), returned as a Range COM object."""
        sh = sheet or self.sheet
        rows = values if isinstance(values, list) else [[values]]
        r0 = self._free
        self._free += len(rows) + 1
        ref = f"A{r0}:{S._col(len(rows[0]))}{r0 + len(rows) - 1}"
        return sh.put(ref, rows)

    called: set = set()

    default_caller = "Z1"

    def call(self, name, *args, caller=None):
        Excel.called.add(name)
        caller = caller or self.default_caller
        caller = self.sheet.Range(caller) if isinstance(caller, str) else caller
        fn = getattr(self.udfs, name)
        return self.server.CallUDF("mbsxl.excel.udfs", name, S.vba_array(fn, *args), self.book, caller)


@pytest.fixture(scope="module")
def xl():
    S.install()
    try:
        udfs = S.windows_mbsxl_udfs()
        import xlwings.com_server as cs
        yield Excel(udfs, cs.XLPython())
    finally:
        S.uninstall()


@pytest.fixture(params=["365", "legacy"])
def xlm(xl, request):
    """The session in one mode: in legacy Excel the formula is entered with Ctrl+Shift+Enter over a
    range, so ``Application.Caller`` is that range (here Z1:AL60); in Excel 365 it is the one cell."""
    xl.default_caller = "Z1" if request.param == "365" else "Z1:AL60"
    yield xl
    xl.default_caller = "Z1"


def cell(v):
    """A returned cell as a comparable value: an Excel error VARIANT -> its text."""
    if isinstance(v, S.VARIANT):
        assert v.varianttype == S.VT_ERROR
        return ERR_TEXT[v.value]
    return v


def rows_of(res):
    """``CallUDF``'s result as a list of rows (it returns a scalar for 1x1 and a flat list for one row)."""
    if not isinstance(res, (list, tuple)):
        return [[cell(res)]]
    if res and not isinstance(res[0], (list, tuple)):
        return [[cell(x) for x in res]]
    return [[cell(x) for x in r] for r in res]


def same(a, b) -> bool:
    if isinstance(a, (dt.date, dt.datetime)) or isinstance(b, (dt.date, dt.datetime)):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return abs(float(a) - float(b)) <= REL * max(abs(float(a)), abs(float(b)), 1e-300)
    return a == b


def assert_rows(got, want):
    assert len(got) == len(want), (len(got), len(want))
    for i, (g, w) in enumerate(zip(got, want)):
        assert len(g) == len(w), (i, g, w)
        for j, (x, y) in enumerate(zip(g, w)):
            assert same(x, y), f"row {i}, column {j}: {x!r} != {y!r}"


# ------------------------------------------------------------------------------------------ kinds
def test_scalar_from_a_cell_and_typed_number(xlm):
    a1 = xlm.put(0.25)
    assert same(xlm.call("MBS_SMM", a1), float(mbsxl.smm(0.25)))
    assert same(xlm.call("MBS_SMM", 0.25), float(mbsxl.smm(0.25)))        # =MBS_SMM(0.25)
    # SIFMA SF-6 (outside the project): 6% CPR is an SMM of 0.5143%
    assert round(xlm.call("MBS_SMM", xlm.put(0.06)), 6) == 0.005143


def test_row_column_block(xlm):
    row = xlm.put([[0.1, 0.2, 0.3]])
    assert_rows(rows_of(xlm.call("MBS_SMM", row)), [list(mbsxl.smm(np.array([0.1, 0.2, 0.3])))])
    col = xlm.put([[0.1], [0.2], [0.3]])
    assert_rows(rows_of(xlm.call("MBS_SMM", col)), [[x] for x in mbsxl.smm(np.array([0.1, 0.2, 0.3]))])
    block = xlm.put([[0.1, 0.2], [0.3, 0.4]])
    assert_rows(rows_of(xlm.call("MBS_SMM", block)), mbsxl.smm(np.array([[0.1, 0.2], [0.3, 0.4]])).tolist())
    principal = [10.0, 20.0, 30.0, 40.0]
    assert same(xlm.call("MBS_WAL", xlm.put([[p] for p in principal])), mbsxl.wal(np.array(principal)))
    assert same(xlm.call("MBS_WAL", xlm.put([principal])), mbsxl.wal(np.array(principal)))       # a row
    # a block for a vector is refused by name
    assert cell(xlm.call("MBS_WAL", block)) == "#VALUE!"
    assert "principal is a 2x2 block" in xlm.call("MBS_ERROR", S.MISSING)


def test_array_constants(xlm):
    # ={0.1,0.2,0.3}: Excel hands VBA a one-row array as a 1-D array (pywin32: a flat tuple); both that
    # and a one-row 2-D array work; ={0.1;0.2} arrives as a column of one-element rows
    for row in ((0.1, 0.2, 0.3), ((0.1, 0.2, 0.3),)):
        got = xlm.call("MBS_SMM", row)
        assert_rows(rows_of(got), [list(mbsxl.smm(np.array([0.1, 0.2, 0.3])))])
        assert same(xlm.call("MBS_WAL", row), mbsxl.wal(np.array([0.1, 0.2, 0.3])))
    got = xlm.call("MBS_SMM", ((0.1,), (0.2,)))
    assert_rows(rows_of(got), [[x] for x in mbsxl.smm(np.array([0.1, 0.2]))])


@pytest.mark.parametrize("mode", ["365", "legacy"])
def test_blank_omitted_bool_text_number_table(xl, mode):
    bal, wac, wam = 1_000_000.0, 0.0666, 36
    want = expected_rows(mbsxl.cashflows(bal, wac, wam, 0.1, advance=False))
    n = len(want)
    caller = xl.sheet.Range("AA1") if mode == "365" else S.RangeCOM(xl.sheet, 1, 27, n, len(want[0]))
    got = xl.call("MBS_CASHFLOWS", xl.put(bal), xl.put("6.66%"), xl.put(float(wam)), xl.put(0.1),
                  xl.put(None), S.MISSING, xl.put(None), S.MISSING, S.MISSING, S.MISSING, S.MISSING,
                  xl.put(False), caller=caller)
    assert_rows(rows_of(got), want)


def test_required_blank_and_error_input(xlm):
    got = xlm.call("MBS_CASHFLOWS", xlm.put(None), 0.06, 360.0)
    assert cell(got) == "#VALUE!"
    assert xlm.call("MBS_ERROR", S.MISSING) == "MBS_CASHFLOWS: balance is empty; it is required"
    na = xlm.put(S.SCODES["#N/A"])
    assert cell(xlm.call("MBS_CASHFLOWS", na, 0.06, 360.0)) == "#N/A"
    div = xlm.put([[0.1], [S.SCODES["#DIV/0!"]]])
    assert cell(xlm.call("MBS_WAL", div)) == "#DIV/0!"


def test_date_from_a_cell(xlm):
    d = xlm.put(S.TimeType(2007, 12, 14))
    want = mbsxl.coupon_index(dt.date(2007, 12, 14), 24)
    assert_rows(rows_of(xlm.call("MBS_COUPONINDEX", d, 24.0)), expected_rows(want))
    # a serial number typed in works the same (Excel 1900 system: 2007-12-14 is 39430)
    assert_rows(rows_of(xlm.call("MBS_COUPONINDEX", 39430.0, 24.0)), expected_rows(want))
    # a column of date cells in, a column of index values out (MBS_RATEINDEX, LPR 5y by default)
    days = [dt.date(2019, 12, 31), dt.date(2021, 1, 1), dt.date(2024, 10, 21)]
    col = xlm.put([[S.TimeType(d.year, d.month, d.day)] for d in days])
    assert_rows(rows_of(xlm.call("MBS_RATEINDEX", col)), expected_rows(mbsxl.rate_index(days).reshape(-1, 1)))
    assert same(xlm.call("MBS_RATEINDEX", 39430.0, "deposit_1y"), mbsxl.rate_index(dt.date(2007, 12, 14), "deposit_1y"))
    # an LPR scenario table (dates as serials, a header row): the core's table, -50 bp over 6 months
    want = mbsxl.lpr_scenario(-0.005, 6)
    want.iloc[:, 0] = [float((d - dt.date(1899, 12, 30)).days) for d in want.iloc[:, 0]]     # Excel serials
    assert_rows(rows_of(xlm.call("MBS_LPRSCENARIO", -0.005, 6.0)), expected_rows(want))
    # the national floors of new mortgages (MBS_MORTGAGEFLOORS, issue 18): dates as serials, blank floors
    want = mbsxl.mortgage_floors()
    want.iloc[:, 0] = [float((d - dt.date(1899, 12, 30)).days) for d in want.iloc[:, 0]]     # Excel serials
    assert_rows(rows_of(xlm.call("MBS_MORTGAGEFLOORS")), expected_rows(want))
    # a loan's rate path (MBS_LOANRATES): a benchmark loan at 5.88% through the 2020 conversion, a date cell in
    start = xlm.put(S.TimeType(2019, 12, 1))
    want = mbsxl.loan_rates([1000.0], [0.0588], [24], dt.date(2019, 12, 1), rate_type="benchmark", conversion=True,
                            multipliers=[1.2])
    want["Date"] = [float((d - dt.date(1899, 12, 30)).days) for d in want["Date"]]   # dates come back as serials
    got = rows_of(xlm.call("MBS_LOANRATES", 1000.0, 0.0588, 24.0, start, "benchmark", None, None, None, True,
                           None, None, None, None, None, None, 1.2))
    assert_rows(got, expected_rows(want))
    principal = np.array([10.0, 20.0, 30.0, 40.0])
    got = xlm.call("MBS_WAL", xlm.put([[p] for p in principal]), 0.0, 0.0, "ACT/365", 12.0, 26.0,
                   xlm.put(S.TimeType(2008, 1, 1)))
    assert same(got, mbsxl.wal(principal, 0, 0, "ACT/365", payment_day=26, start_date=dt.date(2008, 1, 1)))


def test_history_and_backtest_from_a_report_table(xlm):
    # the trustee-report table with its header row in (text periods, yuan amounts), a table out
    from mbsxl.surveillance.trustee import jianyuan_series
    series = jianyuan_series()
    table = xlm.put(expected_rows(series))
    assert_rows(rows_of(xlm.call("MBS_HISTORY", table)), expected_rows(mbsxl.history(series)))
    assert_rows(rows_of(xlm.call("MBS_BACKTEST", table, 0.1726)), expected_rows(mbsxl.backtest(series, 0.1726)))


# ------------------------------------------------------------------------ the six #VALUE! cases
def _deal(xl):
    flows = mbsxl.cashflows(1_000_000.0, 0.07, 36, 0.15, default=0.02, severity=0.4)
    table = expected_rows(flows)
    return flows, xl.put(table), xl.put([["A"], ["B"], ["Sub"]]), xl.put([[700_000.0], [200_000.0], [100_000.0]]), \
        xl.put([[0.04], [0.05], [0.0]])


@pytest.mark.parametrize("name, core", [("MBS_TRANCHES", "tranches"), ("MBS_TRANCHESTATS", "tranche_stats")])
def test_class_from_a_cell(xlm, name, core):
    flows, pool, names, bals, cpns = _deal(xlm)
    want = getattr(mbsxl, core)(flows, None, None, ["A", "B", "Sub"], np.array([7e5, 2e5, 1e5]),
                                np.array([0.04, 0.05, 0.0]), "sequential", 0, "A")
    got = xlm.call(name, pool, S.MISSING, S.MISSING, names, bals, cpns, S.MISSING, S.MISSING, xlm.put("A"))
    assert_rows(rows_of(got), expected_rows(want))


def _regression_data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 2))
    y = 0.3 + x @ np.array([0.5, -0.2]) + rng.normal(scale=0.1, size=40)
    yb = (x @ np.array([1.0, -0.5]) + rng.logistic(size=40) > 0).astype(float)
    return x, y, yb


def test_regress_and_logit_headers_true(xlm):
    x, y, yb = _regression_data()
    xs = [["rate", "age"]] + x.tolist()
    for name, core, yy in [("MBS_REGRESS", mbsxl.regress, y), ("MBS_LOGIT", mbsxl.logit, yb)]:
        ys = [["cpr"]] + [[v] for v in yy]
        want = core(np.array(ys, dtype=object), np.array(xs, dtype=object), headers=True).table()
        got = xlm.call(name, xlm.put(ys), xlm.put(xs), xlm.put(True))
        assert_rows(rows_of(got), expected_rows(want))
        got = xlm.call(name, xlm.put(ys), xlm.put(xs), True)                  # TRUE typed into the formula
        assert_rows(rows_of(got), expected_rows(want))
    # names from a row of text cells arrive as a list
    want = mbsxl.regress(y, x, headers=["rate", "age"]).table()
    got = xlm.call("MBS_REGRESS", xlm.put([[v] for v in y]), xlm.put(x.tolist()), xlm.put([["rate", "age"]]))
    assert_rows(rows_of(got), expected_rows(want))


def test_zspread_and_oas_compounding_from_a_cell(xlm):
    flows = np.full(24, 5.0)
    flows[-1] += 100.0
    terms, rates = np.array([0.5, 1.0, 2.0]), np.array([0.03, 0.032, 0.035])
    want = mbsxl.zspread(flows, 98.0, terms, rates, compounding=2)
    got = xlm.call("MBS_ZSPREAD", xlm.put([[f] for f in flows]), 98.0, xlm.put([[t] for t in terms]),
                   xlm.put([[r] for r in rates]), S.MISSING, S.MISSING, S.MISSING, xlm.put(2.0))
    assert same(got, want)
    want = mbsxl.oas(100.0, 0.06, 24, terms, rates, paths=50, compounding=2).table()
    got = xlm.call("MBS_OAS", 100.0, 0.06, 24.0, xlm.put([[t] for t in terms]), xlm.put([[r] for r in rates]),
                   S.MISSING, S.MISSING, S.MISSING, S.MISSING, 50.0, S.MISSING, S.MISSING, S.MISSING,
                   S.MISSING, S.MISSING, S.MISSING, S.MISSING, S.MISSING, S.MISSING, xlm.put(2.0))
    assert_rows(rows_of(got), expected_rows(want))


# ------------------------------------------------------------------- the remaining functions
def _col(xl, values):
    return xl.put([[float(v)] for v in values])


def _others(xl):
    """(label, result through Excel, core's result) for the functions not exercised above."""
    ages = np.array([1.0, 15.0, 30.0, 45.0])
    smm = np.array([0.005, 0.01, 0.02])
    cf = np.full(36, 1.5)
    cf[-1] += 100.0
    bal = np.array([100_000.0, 250_000.0, 80_000.0, 310_000.0])
    rate = np.array([0.065, 0.0612, 0.07, 0.0588])
    term = np.array([120.0, 240.0, 60.0, 180.0])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 2))
    y = 0.2 + x @ np.array([0.4, 0.1]) + rng.normal(scale=0.2, size=30)
    return [
        ("MBS_CPR", rows_of(xl.call("MBS_CPR", _col(xl, smm))), expected_rows(mbsxl.cpr(smm))),
        ("MBS_MDR", rows_of(xl.call("MBS_MDR", _col(xl, smm * 10))), expected_rows(mbsxl.mdr(smm * 10))),
        ("MBS_CDR", rows_of(xl.call("MBS_CDR", _col(xl, smm / 10))), expected_rows(mbsxl.cdr(smm / 10))),
        ("MBS_PSA", rows_of(xl.call("MBS_PSA", _col(xl, ages), xl.put(150.0))), expected_rows(mbsxl.psa(ages, 150))),
        ("MBS_SDA", rows_of(xl.call("MBS_SDA", _col(xl, ages), 200.0)), expected_rows(mbsxl.sda(ages, 200))),
        ("MBS_PRICE", rows_of(xl.call("MBS_PRICE", _col(xl, cf), xl.put(0.05))),
         [[mbsxl.price(cf, 0.05)]]),
        ("MBS_YIELD", rows_of(xl.call("MBS_YIELD", _col(xl, cf), xl.put(101.5))), [[mbsxl.yield_(cf, 101.5)]]),
        ("MBS_DURATION", rows_of(xl.call("MBS_DURATION", _col(xl, cf), 0.05, S.MISSING, S.MISSING, S.MISSING,
                                         xl.put(True))), [[mbsxl.duration(cf, 0.05, modified=True)]]),
        ("MBS_CONVEXITY", rows_of(xl.call("MBS_CONVEXITY", _col(xl, cf), 0.05)), [[mbsxl.convexity(cf, 0.05)]]),
        ("MBS_LOANCASHFLOWS", rows_of(xl.call("MBS_LOANCASHFLOWS", _col(xl, bal), _col(xl, rate), _col(xl, term),
                                              xl.put(0.08))),
         expected_rows(mbsxl.loan_cashflows(bal, rate, term, 0.08))),
        ("MBS_STRAT", rows_of(xl.call("MBS_STRAT", _col(xl, rate), _col(xl, bal), xl.put([[0.06, 0.065]]))),
         expected_rows(mbsxl.strat(rate, bal, np.array([0.06, 0.065])))),
        ("MBS_POOLSUMMARY", rows_of(xl.call("MBS_POOLSUMMARY", _col(xl, bal), _col(xl, rate), _col(xl, term))),
         expected_rows(mbsxl.pool_summary(bal, rate, term))),
        # scenario analytics (issue 14): a small deal, classes and lists as ranges
        ("MBS_GRID", rows_of(xl.call("MBS_GRID", 1e6, 0.07, 36.0, xl.put([["A"], ["B"]]), _col(xl, [8e5, 2e5]),
                                     _col(xl, [0.04, 0.0]), "B", 100.0, _col(xl, [0.0, 0.2]), xl.put([[0.0, 0.1]]),
                                     0.5)),
         expected_rows(mbsxl.grid(1e6, 0.07, 36, ["A", "B"], [8e5, 2e5], [0.04, 0.0], "B", 100.0, [0.0, 0.2],
                                  [0.0, 0.1], 0.5))),
        ("MBS_BREAKEVEN", rows_of(xl.call("MBS_BREAKEVEN", 1e6, 0.07, 36.0, xl.put([["A"], ["B"]]),
                                          _col(xl, [8e5, 2e5]), _col(xl, [0.04, 0.0]), "A", 0.1, 0.6)),
         expected_rows(mbsxl.breakeven(1e6, 0.07, 36, ["A", "B"], [8e5, 2e5], [0.04, 0.0], "A", 0.1, 0.6))),
        ("MBS_KRD", rows_of(xl.call("MBS_KRD", _col(xl, cf), _col(xl, [0.5, 3.0]), _col(xl, [0.02, 0.03]),
                                    xl.put([[1.0, 2.0, 3.0]]))),
         expected_rows(mbsxl.krd(cf, [0.5, 3.0], [0.02, 0.03], [1.0, 2.0, 3.0]))),
        # the rating agencies' stress test (issue 18): a two-class deal, 12 months, defaults front-loaded by month
        ("MBS_DEFAULTTIMING", rows_of(xl.call("MBS_DEFAULTTIMING", 1000.0, 0.12, 12.0, 0.3, "front", "month", 6.0,
                                              S.MISSING, 0.6, 3.0)),
         expected_rows(mbsxl.default_timing(1000.0, 0.12, 12, 0.3, "front", "month", 6, 0, 0.6, 3))),
        ("MBS_RATINGSTRESS", rows_of(xl.call("MBS_RATINGSTRESS", 1000.0, 0.12, 12.0, xl.put([["A"], ["B"]]),
                                             _col(xl, [600.0, 400.0]), _col(xl, [0.06, 0.09]), 0.1,
                                             xl.put([["AAA"], ["AA"]]), _col(xl, [5.0, 4.0]), xl.put([["m1", "front"]]),
                                             1.0, 3.0, *[S.MISSING] * 9, 6.0, S.MISSING, "month")),
         expected_rows(mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600.0, 400.0], [0.06, 0.09], 0.1,
                                           ["AAA", "AA"], [5.0, 4.0], [["m1", "front"]], 1.0, 3, horizon=6,
                                           timing_unit="month"))),
        ("MBS_PREDICT", rows_of(xl.call("MBS_PREDICT", _col(xl, y), xl.put(x.tolist()), xl.put(x[:5].tolist()))),
         expected_rows(mbsxl.predict(y, x, x[:5]))),
    ]


def test_remaining_functions_equal_the_core(xlm):
    for label, got, want in _others(xlm):
        try:
            assert_rows(got, want)
        except AssertionError as e:
            raise AssertionError(f"{label}: {e}") from None


# ------------------------------------------------------------- MBS_ERROR, the status bar, legacy
def test_error_reason_of_an_array_formula_range_and_status_bar(xl):
    caller = S.RangeCOM(xl.sheet, 10, 1, 200, 16)                     # Ctrl+Shift+Enter over A10:P209
    assert caller.Address == "$A$10:$P$209"
    got = xl.call("MBS_CASHFLOWS", 8.0, 0.06, 360.0, caller=caller)   # balance fine, wac=0.06, wam 360
    assert isinstance(rows_of(got)[0][0], str)                        # a table: header row first
    bad = xl.call("MBS_CASHFLOWS", 1e6, 6.0, 360.0, caller=caller)    # wac=6 (a percent typed as 6)
    assert cell(bad) == "#VALUE!"
    reason = xl.app.StatusBar
    assert reason.startswith("MBS_CASHFLOWS: wac=6")
    for ref in ("A10", "B12", "P209"):                                # any cell of the range
        assert xl.call("MBS_ERROR", xl.sheet.Range(ref), caller="R1") == reason
    assert xl.call("MBS_ERROR", xl.sheet.Range("Q12"), caller="R1") == ""
    # the input fixed: the reason and the status bar are cleared
    xl.call("MBS_CASHFLOWS", 1e6, 0.06, 360.0, caller=caller)
    assert xl.app.StatusBar is False
    assert xl.call("MBS_ERROR", xl.sheet.Range("B12"), caller="R1") == ""


def test_no_resize_declared(xl):
    for name in xl.udfs.__all__:
        info = getattr(xl.udfs, name).__xlfunc__
        assert "expand" not in info["ret"]["options"], name


def test_every_function_registered_and_reachable(xl):
    from mbsxl.excel.registry import functions
    assert sorted(functions()) == sorted(xl.udfs.__all__)
    assert xl.call("MBS_VERSION") == mbsxl.__version__


# ------------------------------------------------------------------------------ the templates
def _com_value(v):
    """A stored cell value as COM delivers it (numbers as float, dates as TimeType, errors as scodes)."""
    if isinstance(v, bool) or v is None or isinstance(v, str) and not v.startswith("#"):
        return v
    if isinstance(v, str):
        return S.SCODES.get(v, v)
    if isinstance(v, dt.datetime):
        return S.TimeType(v.year, v.month, v.day, v.hour, v.minute, v.second)
    return float(v)


@functools.lru_cache(maxsize=None)
def _load(path):
    """A template's formulas, stored values and its cells in COM form (loaded once for both modes)."""
    import openpyxl
    formulas, values = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    cells = {ws.title: {(c.row, c.column): _com_value(c.value) for row in ws.iter_rows() for c in row
                        if c.value is not None} for ws in values.worksheets}
    return formulas, values, cells


class _Book:
    """A committed template as Excel holds it: every sheet's stored values in COM form."""

    def __init__(self, xl, path):
        self.xl = xl
        self.formulas, self.stored, cells = _load(path)
        self.book = S.Workbook(path.name, xl.app)
        # workbook-scope defined names (the deal review's Deal_table, Pool_WAC, ...) -> their references
        self.names = {n: d.attr_text.lstrip("=") for n, d in self.formulas.defined_names.items()}
        for title, sheet_cells in cells.items():
            self.book.sheet(title).cells = sheet_cells          # read only: shared by both modes

    def ref(self, text, here):
        text = self.names.get(text, text)
        if "!" in text:
            sheet, addr = text.rsplit("!", 1)
            sheet = sheet.strip("'").replace("''", "'")
        else:
            sheet, addr = here, text
        return self.book.sheet(sheet).Range(addr.replace("$", ""))

    def eval(self, node, here, caller):
        kind = node[0]
        if kind == "missing":
            return S.MISSING
        if kind == "value":
            return node[1]
        if kind == "ref":
            return self.ref(node[1], here)
        name, args = node[1], node[2]
        if name.startswith("MBS_"):
            vals = [self.eval(a, here, caller) for a in args]
            fn = getattr(self.xl.udfs, name)
            res = self.xl.server.CallUDF("mbsxl.excel.udfs", name, S.vba_array(fn, *vals), self.book, caller)
            self.calls += 1
            Excel.called.add(name)
            return _as_excel_array(res)
        if name == "INDEX":
            src = self.eval(args[0], here, caller)
            r = _num(self.eval(args[1], here, caller))
            c = _num(self.eval(args[2], here, caller)) if len(args) > 2 else 0
            if isinstance(src, S.RangeCOM):                  # INDEX of a reference is a reference
                if src.Columns.Count == 1 and len(args) == 2:
                    r, c = r, 1
                return S.RangeCOM(src.Worksheet, src.Row + max(r, 1) - 1, src.Column + max(c, 1) - 1,
                                  src.Rows.Count if r == 0 else 1, src.Columns.Count if c == 0 else 1)
            grid = src if isinstance(src, tuple) else ((src,),)
            if r == 0:
                return tuple((row[c - 1],) for row in grid)
            if c == 0:
                return (grid[r - 1],)
            return grid[r - 1][c - 1]
        if name == "IF":                     # IF(cell, MBS_..., "text"): only the branch taken is evaluated
            cond = self.eval(args[0], here, caller)
            cond = cond.Value if isinstance(cond, S.RangeCOM) else cond
            taken = args[1] if cond not in (None, False, 0) else args[2]
            if taken[0] == "value":          # the MBS_ call waits for data (the empty macro-factor sheet)
                self.skipped = getattr(self, "skipped", 0) + 1
            return self.eval(taken, here, caller)
        if name == "MATCH":
            key = self.eval(args[0], here, caller)
            key = key.Value if isinstance(key, S.RangeCOM) else key
            rng = self.eval(args[1], here, caller)
            flat = [v for row in rng.Value for v in row]
            return float(flat.index(key) + 1)
        raise NotImplementedError(name)


def _num(v):
    v = v.Value if isinstance(v, S.RangeCOM) else v
    return int(v)


def _as_excel_array(res):
    """What Excel hands the next function for a UDF's result: a scalar, or a tuple of row tuples
    (CallUDF returns a flat list for one row), errors as their scodes."""
    def c(x):
        return x.value if isinstance(x, S.VARIANT) else x
    if not isinstance(res, (list, tuple)):
        return c(res)
    if res and not isinstance(res[0], (list, tuple)):
        return (tuple(c(x) for x in res),)
    return tuple(tuple(c(x) for x in r) for r in res)


#: Template values: stored by ``mbsxl templates build`` (headless, long waterfalls summed over up to 700
#: rows); the call path agrees to a few 1e-12 relative, the bound leaves room for the summation order.
TEMPLATE_REL = 1e-10
#: ... and amounts within a millionth of a yuan of each other agree: a difference of sums that is 0 in exact
#: arithmetic (e.g. the pool view's Released column, ~1e-9) has no relative precision.
TEMPLATE_ABS = 1e-6
WORST = {"rel": 0.0}


def _cmp(got, want_cell):
    if isinstance(got, int) and not isinstance(got, bool) and got in ERR_TEXT:
        got = ERR_TEXT[got]
    if isinstance(want_cell, dt.datetime) and isinstance(got, float):
        # a date in a spilled table (MBS_LPRSCENARIO, MBS_LOANRATES): Excel holds its serial; openpyxl reads the
        # stored cell back as a datetime because of its date format
        want_cell = float((want_cell - dt.datetime(1899, 12, 30)).days)
    if got == "" and want_cell is None:
        return True
    if isinstance(got, (int, float)) and not isinstance(got, bool) and isinstance(want_cell, (int, float)) \
            and not isinstance(want_cell, bool):
        if abs(got - want_cell) <= TEMPLATE_ABS:
            return True
        rel = abs(got - want_cell) / max(abs(got), abs(want_cell), 1e-300)
        WORST["rel"] = max(WORST["rel"], rel)
        return rel <= TEMPLATE_REL
    return same(got, want_cell)


TEMPLATES = sorted(p.name for p in (ROOT / "workbooks").glob("*.xlsx"))


@pytest.mark.parametrize("mode", ["365", "legacy"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_recalculate_through_call_udf(xl, template, mode):
    from openpyxl.worksheet.formula import ArrayFormula
    book = _Book(xl, ROOT / "workbooks" / template)
    book.calls = 0
    cells = arrays = 0
    for ws in book.formulas.worksheets:
        stored = book.stored[ws.title]
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                f = v.text if isinstance(v, ArrayFormula) else v
                if not (isinstance(f, str) and f.startswith("=") and "MBS_" in f):
                    continue
                cells += 1
                if mode == "legacy" and not isinstance(v, ArrayFormula):
                    continue
                here = ws.title
                if isinstance(v, ArrayFormula):
                    arrays += 1
                    top = book.ref(v.ref.split(":")[0], here)
                    full = book.ref(v.ref, here)
                    caller = full if mode == "legacy" else top
                    got = book.eval(parse(f), here, caller)
                    grid = got if isinstance(got, tuple) else ((got,),)
                    if mode == "legacy" and len(grid) == 1 and len(grid[0]) == 1:
                        # legacy Excel repeats a single result (here an error) over the whole range;
                        # the dynamic-array template stores it in the anchor only
                        want = stored.cell(full.Row, full.Column).value
                        assert _cmp(grid[0][0], want), f"{template} {here}!{c.coordinate}"
                        continue
                    for i in range(full.Rows.Count):
                        for j in range(full.Columns.Count):
                            want = stored.cell(full.Row + i, full.Column + j).value
                            if i < len(grid) and j < len(grid[i]):
                                g = grid[i][j]
                            else:
                                # beyond the result: 365 leaves the cell empty; legacy Excel shows #N/A
                                # in a larger Ctrl+Shift+Enter range, which the template does not store
                                g = None
                            assert _cmp(g, want), f"{template} {here}!{c.coordinate} [{i},{j}]: {g!r} != {want!r}"
                elif mode == "365":       # a single-cell formula has the same caller in both modes
                    got = book.eval(parse(f), here, book.ref(c.coordinate, here))
                    want = stored[c.coordinate].value
                    assert _cmp(got, want), f"{template} {here}!{c.coordinate}: {got!r} != {want!r}"
    print(f"{template} {mode}: {cells} MBS_ formula cells ({arrays} array formulas), {book.calls} calls, "
          f"worst rel {WORST['rel']:.1e}")
    # the prepayment template has no MBS_ formula (SMM/CPR by plain formulas); the others are all reached
    if template == "jianyuan_2007_1_prepayment.xlsx":
        assert cells == 0
    else:
        assert arrays > 0 and book.calls + getattr(book, "skipped", 0) >= (cells if mode == "365" else arrays)


def test_every_registered_function_went_through_call_udf(xl):
    """Runs last (pytest keeps file order): each registry function was called through CallUDF above."""
    from mbsxl.excel.registry import functions
    assert sorted(set(functions()) - Excel.called) == []


def test_an_infinite_value_in_a_table_is_an_error_cell_not_text(xlm):
    # 1e300 as a predictor value overflows the prediction: that cell must reach Excel as the error value
    # #NUM! (a VT_ERROR variant, so ISERROR sees it), not the text "#NUM!"; the other cells are numbers.
    res = xlm.call("MBS_PREDICT", [[1.0], [2.1], [2.9], [4.2], [4.9], [6.1]], [[1.0], [2.0], [3.0], [4.0], [5.0], [6.5]],
                   [[1e300]])
    flat = [x for r in (res if isinstance(res[0], (list, tuple)) else [res]) for x in r]
    errs = [x for x in flat if isinstance(x, S.VARIANT)]
    assert errs and all(x.varianttype == S.VT_ERROR and ERR_TEXT[x.value] == "#NUM!" for x in errs)
    assert not any(isinstance(x, str) and x.startswith("#") for x in flat)
