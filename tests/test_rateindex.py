"""Issue 13, rate indices: mbsxl.rate_index / MBS_RATEINDEX, the index value in force on a date.

The shipped tables are read here independently with the csv module (not through mbsxl's loaders):
``mbsxl/data/lpr.csv`` (loan prime rate, National Interbank Funding Center monthly announcements) and
``mbsxl/data/pboc_benchmark_rates.csv`` (People's Bank of China benchmark announcements); sources in
/work/shared/data/README.md.  Every row is checked on its own date and on the day before the next row.
"""
from __future__ import annotations

import csv
import datetime as dt
import pathlib

import numpy as np
import pytest

import mbsxl
from mbsxl.errors import MbsxlInputError
from mbsxl.excel.convert import date_to_serial
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import last_reason

DATA = pathlib.Path(mbsxl.__file__).parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [{k: (dt.date.fromisoformat(v) if k == "effective_date" else float(v)) for k, v in r.items()}
                for r in csv.DictReader(fh)]


LPR = _rows("lpr.csv")
PBOC = _rows("pboc_benchmark_rates.csv")
CASES = [(i, rows, col) for rows, cols in ((LPR, ("lpr_1y", "lpr_5y")),
                                           (PBOC, ("deposit_1y", "lending_1y", "lending_over_5y")))
         for col in cols for i in range(len(rows))]


@pytest.mark.parametrize("i,rows,col", CASES, ids=[f"{c}-{r[i]['effective_date']}" for i, r, c in CASES])
def test_every_row_on_its_day_and_the_day_before_the_next(i, rows, col):
    day = rows[i]["effective_date"]
    last = rows[i + 1]["effective_date"] - dt.timedelta(days=1) if i + 1 < len(rows) else day + dt.timedelta(3650)
    assert mbsxl.rate_index(day, col) == rows[i][col]
    assert mbsxl.rate_index(last, col) == rows[i][col]
    got = mbsxl.rate_index([day, last, day.isoformat()], col)
    assert got.tolist() == [rows[i][col]] * 3


def test_the_files_are_the_documented_ones():
    assert LPR[0]["effective_date"] == dt.date(2019, 8, 20) and len(LPR) == 15
    assert (LPR[-1]["lpr_1y"], LPR[-1]["lpr_5y"]) == (0.03, 0.035)      # in force at the 2026-05-20 fixing
    assert PBOC[0]["effective_date"] == dt.date(2006, 8, 19) and PBOC[-1]["effective_date"] == dt.date(2015, 10, 24)
    assert mbsxl.rate_index("2026-05-20", "lpr_5y") == 0.035


def test_first_of_january_resets():
    assert mbsxl.rate_index("2021-01-01") == 0.0465                     # default lpr_5y
    assert mbsxl.rate_index("2019-12-31", "lpr_5y") == 0.048
    assert mbsxl.rate_index("2009-01-01", "lending_over_5y") == 0.0594
    assert mbsxl.rate_index(dt.date(2008, 1, 1), "deposit_1y") == 0.0414


def test_names_and_chinese_spellings():
    d = "2020-06-30"
    assert mbsxl.rate_index(d, "五年期以上LPR") == mbsxl.rate_index(d, "lpr_5y") == 0.0465
    assert mbsxl.rate_index(d, "一年期LPR") == mbsxl.rate_index(d, " LPR-1Y ") == 0.0385
    assert mbsxl.rate_index("2010-01-01", "一年期存款") == 0.0225
    assert mbsxl.rate_index("2010-01-01", "五年期以上贷款") == 0.0594


def test_shapes_and_blanks():
    days = np.array([["2019-12-31", "2021-01-01"], ["2024-10-21", "2026-05-20"]], dtype=object)
    assert mbsxl.rate_index(days).tolist() == [[0.048, 0.0465], [0.036, 0.035]]
    assert isinstance(mbsxl.rate_index(dt.datetime(2021, 1, 1, 12)), float)
    got = mbsxl.rate_index(["2021-01-01", None])
    assert got[0] == 0.0465 and np.isnan(got[1])


def test_user_table_sorted_is_required():
    td, tr = ["2020-01-01", "2021-01-01", "2022-01-01"], [0.01, 0.02, 0.03]
    assert mbsxl.rate_index(["2020-01-01", "2020-12-31", "2021-01-01", "2030-01-01"], None, td, tr).tolist() == \
        [0.01, 0.01, 0.02, 0.03]
    with pytest.raises(MbsxlInputError, match=r"table_dates\[2\]=2019-01-01 is not after table_dates\[1\].*increasing"):
        mbsxl.rate_index("2021-06-01", None, ["2020-01-01", "2019-01-01"], [0.01, 0.02])
    with pytest.raises(MbsxlInputError, match=r"table_dates\[2\]=2020-01-01 is not after"):      # duplicate
        mbsxl.rate_index("2021-06-01", None, ["2020-01-01", "2020-01-01"], [0.01, 0.02])
    with pytest.raises(MbsxlInputError, match=r"table_rates is missing"):
        mbsxl.rate_index("2021-06-01", None, td, None)
    with pytest.raises(MbsxlInputError, match=r"table_dates has 3 values and table_rates 2"):
        mbsxl.rate_index("2021-06-01", None, td, tr[:2])
    with pytest.raises(MbsxlInputError, match=r"table_rates\[2\]=4.65 is not a decimal rate"):
        mbsxl.rate_index("2021-06-01", None, td, [0.01, 4.65, 0.03])
    with pytest.raises(MbsxlInputError, match=r"index='lpr_1y' and a user table"):
        mbsxl.rate_index("2021-06-01", "lpr_1y", td, tr)
    with pytest.raises(MbsxlInputError, match=r"dates=2019-12-31 is before the first row of table_dates \(2020-01-01\)"):
        mbsxl.rate_index("2019-12-31", None, td, tr)


def test_bad_input_names_the_argument():
    with pytest.raises(MbsxlInputError, match=r"dates=2019-08-19 is before the first row of index lpr_5y "
                                              r"\(2019-08-20\)"):
        mbsxl.rate_index("2019-08-19")
    with pytest.raises(MbsxlInputError, match=r"dates\[2\]=2006-08-18 is before .*deposit_1y \(2006-08-19\)"):
        mbsxl.rate_index(["2010-01-01", "2006-08-18"], "deposit_1y")
    with pytest.raises(MbsxlInputError, match=r"index='lpr_10y' is not one of deposit_1y .*lpr_1y .*lpr_5y"):
        mbsxl.rate_index("2021-01-01", "lpr_10y")
    with pytest.raises(MbsxlInputError, match=r"dates\[1\]"):
        mbsxl.rate_index(["not a date"])


def test_excel_path_equals_the_core():
    days = [r["effective_date"] for r in LPR] + [dt.date(2021, 1, 1), dt.date(2019, 12, 31)]
    col = [[date_to_serial(d)] for d in days]
    for index in (None, "lpr_1y", "lpr_5y", "五年期以上LPR"):
        got = call("MBS_RATEINDEX", col, index)
        assert got == [[x] for x in mbsxl.rate_index(days, index).tolist()]
    assert call("MBS_RATEINDEX", 39814.0, "lending_over_5y") == 0.0594          # 2009-01-01
    assert call("MBS_RATEINDEX", [[44197.0], [None], ["2019-12-31"]]) == [[0.0465], [""], [0.048]]
    td, tr = [[43831.0], [44197.0], [None]], [[0.01], [0.02]]                      # 2020-01-01, 2021-01-01
    assert call("MBS_RATEINDEX", [[44196.0], [44197.0]], None, td, tr) == [[0.01], [0.02]]


def test_excel_bad_input_reasons():
    assert call("MBS_RATEINDEX", 43696.0) == "#VALUE!"                                # 2019-08-19
    assert last_reason() == ("MBS_RATEINDEX: dates=2019-08-19 is before the first row of index lpr_5y "
                             "(2019-08-20); pass a date on or after 2019-08-20")
    assert call("MBS_RATEINDEX", [[44197.0], [43696.0]]) == "#VALUE!"
    assert "dates[2]=2019-08-19" in last_reason()
    assert call("MBS_RATEINDEX", 44197.0, "libor") == "#VALUE!"
    assert last_reason().startswith("MBS_RATEINDEX: index='libor' is not one of deposit_1y")
    assert call("MBS_RATEINDEX", 44197.0, None, [[44000.0], [43000.0]], [[0.01], [0.02]]) == "#VALUE!"
    assert "table_dates[2]" in last_reason() and "strictly increasing" in last_reason()


def test_coupon_index_looks_up_through_rate_index():
    starts = mbsxl.deal.waterfall.period_starts("2007-12-14", 30, 26)
    assert mbsxl.coupon_index("2007-12-14", 30, payment_day=26).tolist() == \
        mbsxl.rate_index(starts, "deposit_1y").tolist()
    with pytest.raises(MbsxlInputError, match=r"start_date=2005-01-01 is before the first benchmark row"):
        mbsxl.coupon_index("2005-01-01", 3)
