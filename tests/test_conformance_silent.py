"""The conformance suite's silent differences taken to zero (issue 21, helper s6-silent).

Two kinds of checks:

- corpus cells: the engine's value for a cell of an Excel-saved workbook in ``tests/conformance/workbooks``
  must agree with the value Microsoft Excel cached in that same cell (each cited as workbook!cell), or,
  where the use is refused, be an error whose reason says so -- never a different value;
- Microsoft's worked examples from the function reference pages (support.microsoft.com, "<NAME>
  function"), called on the engine's functions directly (ranges as pycel passes them: tuples of rows).
"""
from __future__ import annotations

import functools
import os

import pytest

pytest.importorskip("pycel")

from mbsxl.excel import conformance as cf  # noqa: E402
from mbsxl.excel import _fix_array, _fix_arith, _fix_dates, _fix_lookup, _fix_math, _fix_stats  # noqa: E402
from mbsxl.excel._pycel_plugin import _plugin_module  # noqa: E402
from mbsxl.excel.calc import calculate  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOKS = os.path.join(ROOT, "tests", "conformance", "workbooks")
TEST_XLSX = "formulas/test__test_files__test.xlsx"
_plugin_module()            # installs the fixes (and the ``formulas`` adapters they call) as calc does


@functools.lru_cache(maxsize=None)
def _run(rel):
    path = os.path.join(BOOKS, rel)
    return cf._cached(path), calculate(path, progress=False)


def _kinds(rel, keys):
    cached, values = _run(rel)
    out = {}
    for key in keys:
        excel, etype = cached[key]
        mine = values[key]
        reason = values.errors.get(key, "") if isinstance(mine, CalcError) else ""
        out[key] = (cf.classify(mine, excel, etype, reason), excel, mine, reason)
    return out


def _agree(rel, keys):
    bad = [f"{k}: {v}" for k, v in _kinds(rel, keys).items() if v[0] != "agree"]
    assert not bad, bad


def _refused(rel, keys, words):
    for key, (kind, excel, mine, reason) in _kinds(rel, keys).items():
        assert kind in ("refused", "agree"), (key, excel, mine)
        assert isinstance(mine, CalcError) and words in reason, (key, mine, reason)


# ---- corpus cells (Excel's cached values) -------------------------------------------------------------

def test_lookup_and_match_binary_search_over_mixed_types():
    # formulas test.xlsx LOOKUP: LOOKUP(4.1,{"a",2.1,"b",4.1}) is 4.1; LOOKUP(20,{"b",4.1,"a",1.1},..) "R";
    # LOOKUP("b",{TRUE,4.1,FALSE,"b"}) "b"; MATCH(3,{4.1,3.1,2.1,1.1}) #N/A; MATCH("A?",{..},5) #N/A
    _agree(TEST_XLSX, ["LOOKUP!V57", "LOOKUP!AG57", "LOOKUP!AL57", "LOOKUP!V58", "LOOKUP!AG60",
                       "LOOKUP!AG61", "LOOKUP!AG62", "LOOKUP!X63", "LOOKUP!AN63", "LOOKUP!AN64",
                       "LOOKUP!V66", "LOOKUP!X66", "LOOKUP!V67", "LOOKUP!T68", "LOOKUP!X69", "EXTRA!M78"])
    # pycel lookup.xlsx: the array form over a table holding text, logicals and errors
    _agree("pycel/tests__fixtures__lookup.xlsx", ["Lookup!C21", "Lookup!D25", "Lookup!E26", "Lookup!J30"])


def test_array_formula_cells_beyond_the_arrays():
    # formulas test.xlsx INFORMATION: {=ISNA(C12:Q12)} over 16 cells of a 15-cell row is TRUE in AW12,
    # ISERR FALSE (AW7), ISERROR TRUE (AW8), ISNONTEXT TRUE (AT13:AW13), ISTEXT FALSE (AT18:AW18)
    _agree(TEST_XLSX, ["INFORMATION!AW6", "INFORMATION!AW7", "INFORMATION!AW8", "INFORMATION!AW12",
                       "INFORMATION!AT13", "INFORMATION!AW13", "INFORMATION!AW14", "INFORMATION!AT18",
                       "INFORMATION!AT11"])
    assert _fix_array.pad_value("=ISNA(C12:Q12)") is True
    assert _fix_array.pad_value("=ISERR(C7:Q7)") is False
    assert _fix_array.pad_value("=DATEVALUE(C5:Q5)") is None
    pad = _fix_array.pad_value("=SUM(IFERROR(A1:A3,0))")
    assert isinstance(pad, CalcError) and str(pad) == "#N/A" and pad.reason.startswith("unsupported:")


def test_date_functions_from_the_corpus():
    # DATE & TIME!V3 DATE(1,0,0)=335; AN5 {=DATEVALUE(C5:Q5)} 31778, AQ5 #N/A, AW5 #N/A (beyond the row);
    # AN20 TIMEVALUE of "1/1/1987 05:00 AM" 0.2083; R27/T27/Y27 YEARFRAC; INFORMATION!X9/X15 ISEVEN/ISODD
    # of "1/1/1900"; TEXT!X53/AN53 VALUE("1987-08-26") = 32015
    _agree(TEST_XLSX, ["DATE & TIME!V3", "DATE & TIME!AN5", "DATE & TIME!AQ5", "DATE & TIME!AW5",
                       "DATE & TIME!AG20", "DATE & TIME!AN20", "DATE & TIME!AR20", "DATE & TIME!R27",
                       "DATE & TIME!T27", "DATE & TIME!Y27", "INFORMATION!X9", "INFORMATION!X15",
                       "TEXT!X53", "TEXT!AN53"])


def test_statistics_from_the_corpus():
    # formulas test.xlsx STATISTICAL: SLOPE/INTERCEPT drop pairs with text/empty (S94 -0.25, S55 0.175);
    # LARGE/SMALL k read as Excel does; TREND new_x checks; LINEST const #N/A is #VALUE!
    _agree(TEST_XLSX, ["STATISTICAL!S55", "STATISTICAL!T55", "STATISTICAL!U55", "STATISTICAL!Y55",
                       "STATISTICAL!S94", "STATISTICAL!T94", "STATISTICAL!Y94", "STATISTICAL!AN57",
                       "STATISTICAL!AK95", "STATISTICAL!AN95", "STATISTICAL!V113", "STATISTICAL!AA113",
                       "STATISTICAL!AF113", "STATISTICAL!Z58"])
    # pycel stats.xlsx: an exact fit has standard errors exactly 0 (Stats!D46:E47), TREND predicts 0
    _agree("pycel/tests__fixtures__stats.xlsx", ["Stats!D46", "Stats!E46", "Stats!E47", "Trend!B8"])
    _refused(TEST_XLSX, ["STATISTICAL!AD55", "STATISTICAL!AD94"], "#NULL!")


def test_math_text_and_finance_from_the_corpus():
    # MATH & TRIG!V31 FACTDOUBLE(-1)=1, AT34 GCD over TRUE,#VALUE!.. = #VALUE!, T51 POWER(0,0) #NUM!;
    # FINANCIAL!S40/V40 PPMT's small principal; ENGINEERING!S35/S53 0.0000692.., V44 "0";
    # LOOKUP!Y134 {=TRANSPOSE(H134:J134)} over an empty cell 0; TEXT!AN8 CLEAN of control characters
    _agree(TEST_XLSX, ["MATH & TRIG!V31", "MATH & TRIG!T31", "MATH & TRIG!AT34", "MATH & TRIG!T51",
                       "FINANCIAL!S40", "FINANCIAL!V40", "FINANCIAL!Y40", "FINANCIAL!AI40",
                       "ENGINEERING!S35", "ENGINEERING!S53", "ENGINEERING!V44", "ENGINEERING!R35",
                       "LOOKUP!Y134", "TEXT!AN8", "TEXT!AG8"])
    _refused(TEST_XLSX, ["ENGINEERING!T36", "ENGINEERING!T42"], "15th digit")


def test_references_and_refusals_from_the_corpus():
    # OFFSET of one row in a dynamic array (pycel lookup.xlsx Offset!G19 8, G25 2); a formula showing an
    # empty cell shows 0 (koala basic.xlsx Sheet2!C11)
    _agree("pycel/tests__fixtures__lookup.xlsx", ["Offset!G19", "Offset!G25"])
    _agree("koala/examples__basic.xlsx", ["Sheet2!C11"])
    _refused("pycel/tests__fixtures__lookup.xlsx", ["Offset!B50", "Offset!C51"], "INDIRECT")
    _refused(TEST_XLSX, ["CORE!F9"], "defined name")
    # a one-cell {=SWITCH(C25:G25,...)} is evaluated in an array context since s7-edges: Excel's 3
    _agree(TEST_XLSX, ["LOGICAL!AG25"])
    _refused("koala/tests__files__NamedRanges.xlsx", ["Sheet1!D9"], "OFFSET")
    _refused("formulas/test__test_files__circular.xlsx", ["DATA!D8", "DATA!D9"], "circular reference")


def test_final_subtraction_as_excel_shows_it():
    # pycel npv.xlsx NPV!D3 =C3-A3 is 0 in Excel (Excel's near-zero correction of the last operation);
    # NPV!D2 cancels seven digits of NPV's result: refused, not a different value
    _agree("pycel/tests__fixtures__npv.xlsx", ["NPV!D3", "NPV!E3", "NPV!A2", "NPV!B7"])
    _refused("pycel/tests__fixtures__npv.xlsx", ["NPV!D2", "NPV!E2", "NPV!D8"], "cancelling")
    ops = {"C3": (8.02572628005743, ""), "A3": (8.025726280057427, "digits")}
    assert _fix_arith.settle("=C3-A3", 3.552713678800501e-15, ops.get) == 0.0
    ops = {"C3": (8.02572628005743, ""), "A3": (8.025726280057427, "")}       # no NPV: left as computed
    assert _fix_arith.settle("=C3-A3", 3.552713678800501e-15, ops.get) == 3.552713678800501e-15
    assert _fix_arith.kind("=NPV(0.1,A1:A3)") == "digits" and _fix_arith.kind("=MBS_WAL(A1:A3)") == ""
    ops = {"A1": (3.0, ""), "B1": (1.0, "")}
    assert _fix_arith.settle("=A1-B1", 2.0, ops.get) == 2.0
    assert _fix_arith.settle("=SUM(A1)-B1", 2.0, ops.get) == 2.0       # not a two-cell formula


# ---- Microsoft's worked examples -----------------------------------------------------------------------

def test_lookup_and_match_microsoft_examples():
    # support.microsoft.com "LOOKUP function", vector form: 4.19 -> orange, 5.75 -> yellow, 7.66 -> blue,
    # 0 -> #N/A
    keys = ((4.14, 4.19, 5.17, 5.77, 6.39),)
    colours = (("red", "orange", "yellow", "green", "blue"),)
    assert [_fix_lookup.lookup(v, keys, colours) for v in (4.19, 5.75, 7.66, 0)] == \
        ["orange", "yellow", "blue", "#N/A"]
    # "MATCH function": {25;38;40;41}: MATCH(39,..,1)=2, MATCH(41,..,0)=4, MATCH(40,..,-1)=#N/A
    col = ((25,), (38,), (40,), (41,))
    assert _fix_lookup.match(39, col, 1) == 2
    assert _fix_lookup.match(41, col, 0) == 4
    assert _fix_lookup.match(40, col, -1) == "#N/A"


def test_binary_search_rule():
    # formulas test.xlsx LOOKUP!R62:AG62: an exact match stops the search, values of another type skipped
    assert _fix_lookup.approx_match(4.1, (True, 4.1, False, 1.1)) == 2
    assert _fix_lookup.approx_match(20, (True, 4.1, False, 1.1)) == 4
    assert _fix_lookup.approx_match("b", ("b", 4.1, "a", 1.1)) == 3
    assert _fix_lookup.approx_match(None, (-1.1, 2.1, 3.1, 4.1)) == 1        # empty is 0
    assert _fix_lookup.approx_match("#DIV/0!", (1, 2)) == "#DIV/0!"


def test_date_microsoft_examples():
    # "DATE function": DATE(2008,1,-15) is December 16, 2007 (39432); DATE(108,1,2) is January 2, 2008
    assert _fix_dates.date(2008, 1, -15) == 39432
    assert _fix_dates.date(108, 1, 2) == 39449
    assert _fix_dates.date(1900, 2, 29) == 60 and _fix_dates.date(1900, 3, 1) == 61
    assert _fix_dates.date(10000, 1, 1) == "#NUM!"
    # "TIMEVALUE function": TIMEVALUE("2:24 AM") = 0.1
    assert _fix_dates.timevalue("2:24 AM") == pytest.approx(0.1, abs=1e-12)
    # "YEARFRAC function": 1/1/2012 to 7/30/2012: basis 0 0.58055556, 1 0.57650273, 3 0.57808219
    assert _fix_dates.yearfrac(40909, 41120, 0) == pytest.approx(0.58055556, abs=1e-8)
    assert _fix_dates.yearfrac(40909, 41120, 1) == pytest.approx(0.57650273, abs=1e-8)
    assert _fix_dates.yearfrac(40909, 41120, 3) == pytest.approx(0.57808219, abs=1e-8)


def test_statistics_microsoft_examples():
    # "SLOPE function": 0.305556; "INTERCEPT function": 0.0483871
    assert _fix_stats.slope(((2, 3, 9, 1, 8, 7, 5),), ((6, 5, 11, 7, 5, 4, 4),)) == pytest.approx(0.305556, abs=1e-6)
    assert _fix_stats.intercept(((2, 3, 9, 1, 8),), ((6, 5, 11, 7, 5),)) == pytest.approx(0.0483871, abs=1e-7)
    assert _fix_stats.slope(((1, 2),), ((1, 2, 3),)) == "#N/A"
    # "LARGE function": {3,5,3,5,4;4,2,4,6,7}: 3rd largest 5, 7th largest 4
    data = ((3, 5, 3, 5, 4), (4, 2, 4, 6, 7))
    assert _fix_stats.large(data, 3) == 5 and _fix_stats.large(data, 7) == 4
    # "SMALL function": 4th smallest of {3,4,5,2,3,4,5,6,4,7} is 4; 2nd of {1,4,8,3,7,12,54,8,23} is 3
    assert _fix_stats.small(((3, 4, 5, 2, 3), (4, 5, 6, 4, 7)), 4) == 4
    assert _fix_stats.small(((1, 4, 8, 3, 7, 12, 54, 8, 23),), 2) == 3


def test_math_and_finance_microsoft_examples():
    # "PPMT function": PPMT(10%/12, 1, 2*12, 2000) = -75.62; PPMT(8%, 10, 10, 200000) = -27,598.05
    assert _fix_math.ppmt(0.1 / 12, 1, 24, 2000) == pytest.approx(-75.62, abs=0.005)
    assert _fix_math.ppmt(0.08, 10, 10, 200000) == pytest.approx(-27598.05, abs=0.005)
    # "GCD function": GCD(5,2)=1, GCD(24,36)=12, GCD(5,0)=5; "FACTDOUBLE function": 6 -> 48, 7 -> 105
    assert (_fix_math.gcd(5, 2), _fix_math.gcd(24, 36), _fix_math.gcd(5, 0)) == (1, 12, 5)
    assert (_fix_math.factdouble(6), _fix_math.factdouble(7)) == (48, 105)
    # "POWER function": POWER(5,2) = 25; "CLEAN function": CLEAN(CHAR(9)&"Monthly report"&CHAR(10))
    assert _fix_math.power(5, 2) == 25
    assert _fix_math.clean("\tMonthly report\n") == "Monthly report"
    assert _fix_math.clean("_x0001_a_x001F_b") == "ab"
