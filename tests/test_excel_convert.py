"""Excel values in and out (mbsxl.excel.convert) and the dispatch's error contract.

Reference for serial dates: openpyxl's own Excel-date conversion (openpyxl.utils.datetime), an
independent implementation of the 1900 date system with the Lotus 1-2-3 leap-year bug
(Microsoft: "Excel incorrectly assumes that the year 1900 is a leap year", KB 214326).
"""
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st
from openpyxl.utils.datetime import from_excel, to_excel as opx_to_excel

from mbsxl.excel import convert
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import XlError


@pytest.mark.parametrize("text,value", [("1,234.5", 1234.5), (" 0.25 ", 0.25), ("25%", 0.25), ("(100)", -100.0),
                                        ("１２.５", 12.5), ("1e-3", 0.001), ("-7", -7.0)])
def test_numbers_stored_as_text(text, value):
    assert convert.to_kind("x", text, "number") == value


@pytest.mark.parametrize("text", ["abc", "1,23", "12 34", "1.2.3", "%"])
def test_text_that_is_not_a_number_is_named(text):
    with pytest.raises(ValueError, match=r"^x=.* is text, not a number"):
        convert.to_kind("x", text, "number")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_thousands_separated_text_reads_back(x):
    assert convert.parse_number_text(f"{x:,.6f}") == pytest.approx(float(f"{x:.6f}"), rel=0, abs=1e-9)


@given(st.integers(min_value=1, max_value=2958465))
def test_serial_dates_match_openpyxl(serial):
    """openpyxl maps serial 60 to 1900-02-28/03-01 depending on version; we refuse 60 (1900-02-29 never existed)."""
    if serial == 60:
        with pytest.raises(ValueError, match="1900-02-29"):
            convert.serial_to_date(serial)
        return
    d = convert.serial_to_date(serial)
    assert d == from_excel(serial).date()
    assert convert.date_to_serial(d) == opx_to_excel(dt.datetime(d.year, d.month, d.day))


def test_1900_quirk_and_before_1900():
    assert convert.serial_to_date(59) == dt.date(1900, 2, 28)
    assert convert.serial_to_date(61) == dt.date(1900, 3, 1)
    assert convert.serial_to_date(39387.75) == dt.date(2007, 11, 1)          # time of day dropped
    for bad in (0, -5, 0.5):
        with pytest.raises(ValueError, match="a date before 1900"):
            convert.to_kind("start_date", bad, "date")
    assert convert.to_kind("d", "2007-12-14", "date") == dt.date(2007, 12, 14)
    assert convert.to_kind("d", dt.datetime(2007, 12, 14, 9), "date") == dt.date(2007, 12, 14)


def test_ranges_rows_columns_blocks_and_blanks():
    assert convert.to_kind("v", [[1.0, 2.0, 3.0]], "vector").tolist() == [1, 2, 3]        # a row
    assert convert.to_kind("v", [[1.0], [2.0], [None], [""]], "vector").tolist() == [1, 2]  # trailing blanks
    assert convert.to_kind("v", [1.0, "2"], "vector").tolist() == [1, 2]                    # flat list, text
    with pytest.raises(ValueError, match=r"v is a 2x2 block; pass a single row or column"):
        convert.to_kind("v", [[1, 2], [3, 4]], "vector")
    with pytest.raises(ValueError, match=r"v\[2\] is empty"):
        convert.to_kind("v", [[1.0], [None], [3.0]], "vector")
    a = convert.to_kind("a", np.array([[0.1, 0.2], [0.3, 0.4]], dtype=object), "array")
    assert a.shape == (2, 2)
    assert convert.to_kind("n", [[5.0]], "number") == 5.0                                  # 1x1 range
    assert convert.to_kind("n", None, "number", optional=True, default=7) == 7
    with pytest.raises(ValueError, match="n is empty; it is required"):
        convert.to_kind("n", "  ", "number")
    with pytest.raises(ValueError, match="TRUE/FALSE, not a number"):
        convert.to_kind("n", True, "number")
    assert convert.to_kind("b", "yes", "bool") is True and convert.to_kind("b", 0.0, "bool") is False
    m = convert.to_kind("m", [[1.0, ""], [None, "x"]], "matrix")
    assert m.shape == (2, 2) and m[0, 1] is None and m[1, 1] == "x"


def test_values_out():
    df = pd.DataFrame({"A": [1.0, np.nan], "B": ["x", None]})
    assert convert.to_excel(df) == [["A", "B"], [1.0, "x"], ["", ""]]
    assert convert.to_excel(np.array([[1.0, np.nan]])) == [[1.0, ""]]
    assert convert.to_excel(np.array([1.0, 2.0])) == [[1.0], [2.0]]
    assert convert.to_excel(np.float64(2.5)) == 2.5 and isinstance(convert.to_excel(np.float64(2.5)), float)
    assert convert.to_excel(np.array(3.0)) == 3.0


def test_dispatch_never_raises_and_names_the_function():
    for args in [("abc",), (None,), (8,), ([[1, 2], [3, 4]], 1), (object(),)]:
        r = call("MBS_CASHFLOWS", *args)
        assert isinstance(r, XlError) and r.code == "#VALUE!" and r.reason.startswith("MBS_CASHFLOWS: ")
        assert "\n" not in r.reason and "Traceback" not in r.reason
    r = call("MBS_NOSUCH", 1)
    assert r.code == "#NAME?"
    r = call("MBS_SMM", "#N/A")
    assert r.code == "#N/A" and "cpr is #N/A" in r.reason
    r = call("MBS_SMM", 0.2, 1, 2, 3, 4, 5, 6)              # issue 18 added convention and days: 5 at most
    assert r.code == "#VALUE!" and "at most 5 arguments" in r.reason


_CELL = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
                  st.integers(-10**6, 10**6), st.text(max_size=8), st.sampled_from(["#N/A", "25%", "1,234", ""]))
_ARG = st.one_of(_CELL, st.lists(st.lists(_CELL, min_size=1, max_size=3), min_size=1, max_size=3))


@given(st.sampled_from(["MBS_SMM", "MBS_CPR", "MBS_PSA", "MBS_SDA", "MBS_CASHFLOWS", "MBS_LOANCASHFLOWS"]),
       st.lists(_ARG, max_size=6))
def test_nothing_escapes_the_dispatch(name, args):
    """Whatever cells arrive, the call returns cell values or an Excel error with a one-line reason."""
    r = call(name, *args)
    if isinstance(r, XlError):
        assert r.code.startswith("#") and r.reason.startswith(name + ": ") and "\n" not in r.reason
    else:
        assert isinstance(r, (float, int, str, list))


def test_udfs_off_windows_return_the_error_text():
    from mbsxl.excel import udfs
    assert udfs.MBS_SMM(0.06) == pytest.approx(0.005143, abs=5e-7)       # SF-5
    assert udfs.MBS_SMM(8) == "#VALUE!"
    assert udfs.MBS_ERROR() == "MBS_SMM: cpr=8 looks like a percent; pass 0.08"


def test_elementwise_over_a_range_with_blanks():
    """A column selected longer than its data: blanks stay blank, the rest as for single cells."""
    from mbsxl.pool.conventions import psa, smm
    assert call("MBS_SMM", [[0.1], [None], [0.2], [""]]) == [[smm(0.1)], [""], [smm(0.2)], [""]]
    assert call("MBS_PSA", [[1.0, None], [30.0, 2.0]], 150) == [[psa(1, 150), ""], [psa(30, 150), psa(2, 150)]]
    r = call("MBS_SMM", [[0.1], [None], [8]])
    assert r.code == "#VALUE!" and r.reason == "MBS_SMM: cpr=8 looks like a percent; pass 0.08 (row 3 of the range)"
