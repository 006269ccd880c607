"""LPR scenarios (mbsxl.lpr_scenario / MBS_LPRSCENARIO), checked by hand against the stated rules.

Outside figures: ``shared/data/lpr.csv`` (read here with the csv module; the NIFC fixings) and its README:
every fixing through 2026-05-20 is covered, the last one 3.00% (1y) / 3.50% (5y).  Scenario rules
(mbsxl/rates/lprscenario.py docstring): future fixings on the 20th of each month after 2026-05-20; linear:
fixing k of n = base + shift x k / n; step: base + shift at every fixing.
"""
from __future__ import annotations

import csv
import datetime as dt
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mbsxl
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError

CSV = os.path.join(os.path.dirname(__file__), "..", "mbsxl", "data", "lpr.csv")
D, R, S = C.SCENARIO_COLUMNS


def _csv_rows():
    with open(CSV, encoding="utf-8") as fh:
        return [(dt.date.fromisoformat(r["effective_date"]), float(r["lpr_1y"]), float(r["lpr_5y"]))
                for r in csv.DictReader(fh)]


def test_history_rows_are_the_csv():
    rows = _csv_rows()
    for index, k in (("lpr_1y", 1), ("lpr_5y", 2)):
        t = mbsxl.lpr_scenario(0.0, 1, index)
        hist = t[t[S] == C.SOURCE_FIXING]
        assert list(hist[D]) == [r[0] for r in rows]
        assert list(hist[R]) == [r[k] for r in rows]


def test_minus_50bp_over_24_months_by_hand():
    t = mbsxl.lpr_scenario(-0.005, 24)
    fut = t[t[S] == C.SOURCE_SCENARIO]
    assert len(fut) == 24 and len(t) == len(_csv_rows()) + 24
    # the 20th of each month from June 2026 (the month after the 2026-05-20 fixing) to May 2028
    assert fut[D].iloc[0] == dt.date(2026, 6, 20) and fut[D].iloc[11] == dt.date(2027, 5, 20)
    assert fut[D].iloc[-1] == dt.date(2028, 5, 20)
    # base 3.50%: 3.50 - 0.50 x 1/24 = 3.479167%, x 12/24 = 3.25%, x 24/24 = 3.00%
    assert fut[R].iloc[0] == pytest.approx(0.035 - 0.005 / 24, abs=1e-12)
    assert fut[R].iloc[11] == pytest.approx(0.0325, abs=1e-12)
    assert fut[R].iloc[-1] == pytest.approx(0.030, abs=1e-12)
    # as an index table: in force from each date until the next; the last row stays in force
    td, tr = list(t[D]), list(t[R])
    got = mbsxl.rate_index(["2026-05-20", "2026-06-19", "2027-06-01", "2035-01-01"], table_dates=td, table_rates=tr)
    assert list(got) == pytest.approx([0.035, 0.035, 0.0325, 0.030], abs=1e-12)


def test_step_on_lpr_1y_and_chinese_spellings():
    t = mbsxl.lpr_scenario(0.005, 12, "一年期LPR", "一次性")
    fut = t[t[S] == C.SOURCE_SCENARIO]
    assert list(fut[R]) == pytest.approx([0.035] * 12, abs=1e-12)            # 3.00% + 0.50% at once
    assert fut[D].iloc[-1] == dt.date(2027, 5, 20)
    lin = mbsxl.lpr_scenario(0.0025, 2, "五年期以上LPR", "线性")
    assert list(lin[R].iloc[-2:]) == pytest.approx([0.03625, 0.0375], abs=1e-12)   # 3.50 + 0.25 x 1/2, 2/2
    flat = mbsxl.lpr_scenario(0.0, 3)
    assert list(flat[R].iloc[-3:]) == [0.035] * 3


@pytest.mark.parametrize("kwargs, words", [
    ({"shift": -50}, ["shift=-50", "basis points", "-0.005"]),
    ({"shift": -0.5}, ["shift=-0.5", "percent", "-0.005"]),
    ({"shift": 0.2}, ["shift=0.2", "percent"]),
    ({"shift": -0.04}, ["shift=-0.04", "below 0", "-0.035"]),
    ({"shift": "x"}, ["shift='x'", "not a number"]),
    ({"shift": 0.0, "months": 0}, ["months=0", "positive whole number"]),
    ({"shift": 0.0, "months": -3}, ["months=-3"]),
    ({"shift": 0.0, "months": 2.5}, ["months=2.5"]),
    ({"shift": 0.0, "months": 601}, ["months=601", "600"]),
    ({"shift": 0.0, "index": "deposit_1y"}, ["index='deposit_1y'", "lpr_5y", "lpr_1y"]),
    ({"shift": 0.0, "index": "shibor"}, ["index='shibor'", "lpr_5y"]),
    ({"shift": 0.0, "shape": "zigzag"}, ["shape='zigzag'", "linear", "step"]),
])
def test_bad_input_names_the_argument(kwargs, words):
    with pytest.raises(MbsxlInputError) as e:
        mbsxl.lpr_scenario(**kwargs)
    for w in words:
        assert w in str(e.value), (w, str(e.value))


@settings(max_examples=60, deadline=None)
@given(shift=st.floats(-0.03, 0.1), n=st.integers(1, 120), step=st.booleans())
def test_path_properties(shift, n, step):
    t = mbsxl.lpr_scenario(shift, n, "lpr_5y", "step" if step else "linear")
    fut = t[R].to_numpy()[-n:]
    assert fut[-1] == pytest.approx(0.035 + shift, abs=1e-11)                 # the full shift at the end
    d = np.diff(fut)
    if step:
        assert np.allclose(d, 0.0, atol=1e-11)
    else:                                                                      # equal monthly parts
        assert np.allclose(d, shift / n, atol=1e-11)
    dates = list(t[D])
    assert all(a < b for a, b in zip(dates, dates[1:]))                        # strictly increasing
