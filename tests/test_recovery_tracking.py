"""Actual against expected NPL recoveries (issue 20, item 3), against hand arithmetic in the comments.

Cumulative recovery rate as the issue and the trustee reports define it: 累计回收金额 / the claim at
cut-off (principal, interest and fees).
"""
from __future__ import annotations

import numpy as np
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError

# claim 1,000; expected 100 a period for four periods; two reports: 80, then 70
HIST = {"收款期间 Collection period": ["2024-06", "2024-12"], "回收金额 Recoveries": [80.0, 70.0]}
EXP = [100.0, 100.0, 100.0, 100.0]


def test_actual_against_expected_by_period_and_cumulative():
    t = mbsxl.recovery_track(HIST, EXP, 1000.0)
    # A/E: 80/100 = 0.8, 70/100 = 0.7, blank after the last report
    ae = t[C.NPL_AE].to_numpy()
    assert ae[:2] == pytest.approx([0.8, 0.7]) and np.isnan(ae[2:]).all()
    # cumulative A/E: 80/100 = 0.8, 150/200 = 0.75
    assert t[C.NPL_CUM_AE].to_numpy()[:2] == pytest.approx([0.8, 0.75])
    # cumulative recovery rate: 80/1000 = 8 %, 150/1000 = 15 %; expected 10 %, 20 %, 30 %, 40 %
    assert t[C.NPL_CUM_RATE_ACTUAL].to_numpy()[:2] == pytest.approx([0.08, 0.15])
    assert t[C.NPL_CUM_RATE_EXPECTED].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert t[C.TRUSTEE_PERIOD].tolist()[:2] == ["2024-06", "2024-12"] and t[C.TRUSTEE_PERIOD].iloc[2:].isna().all()
    assert t[C.NPL_PERIOD].tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("method, rest, total_rate", [
    # ratio: the rest x 150/200 = 75, 75; re-projected total 150 + 150 = 300 -> 30 %
    ("ratio", [75.0, 75.0], 0.30),
    # catch-up: 400 - 150 = 250 still to come, spread over the remaining expected 100, 100 -> 125, 125 -> 40 %
    ("catch_up", [125.0, 125.0], 0.40),
    # as expected: 100, 100 -> 150 + 200 = 350 -> 35 %
    ("as_expected", [100.0, 100.0], 0.35),
    ("按比例", [75.0, 75.0], 0.30),
])
def test_reprojection_methods(method, rest, total_rate):
    t = mbsxl.recovery_track(HIST, EXP, 1000.0, method)
    re = t[C.NPL_REPROJECTED].to_numpy()
    assert re[:2].tolist() == [80.0, 70.0] and re[2:] == pytest.approx(rest)
    assert t[C.NPL_CUM_RATE_REPROJECTED].iloc[-1] == pytest.approx(total_rate)


def test_cumulative_column_is_differenced():
    # a report giving 累计回收金额 80, 150 is the same as recoveries 80, 70
    h = {"Period": [1, 2], "累计回收金额 Cumulative recoveries": [80.0, 150.0]}
    t = mbsxl.recovery_track(h, EXP, 1000.0)
    assert t[C.NPL_ACTUAL].to_numpy()[:2].tolist() == [80.0, 70.0]


def test_catch_up_when_ahead_collects_nothing_more():
    # actual 250 + 200 = 450 > expected total 400: catch-up leaves 0 for periods 3 and 4
    t = mbsxl.recovery_track({"Period": [1, 2], "Recoveries": [250.0, 200.0]}, EXP, 1000.0, "catch_up")
    assert t[C.NPL_REPROJECTED].to_numpy()[2:].tolist() == [0.0, 0.0]


def test_track_from_a_projection():
    # the expected path straight from MBS_RECOVERIES: one loan, S = 100, month 2 (auction, T = 2);
    # the report shows 60 in month 2: A/E 0.6 in period 2, cumulative rate 60 / claim 150 = 0.4
    tape = {"Principal": [150.0], "Collateral": [100.0], "Haircut": [0.0], "Stage": ["拍卖"]}
    exp = mbsxl.recoveries(tape, stage_table={"拍卖": 2})[C.NPL_GROSS]
    t = mbsxl.recovery_track({"Period": [1, 2], "Recoveries": [0.0, 60.0]}, exp, 150.0)
    assert np.isnan(t[C.NPL_AE].iloc[0]) and t[C.NPL_AE].iloc[1] == pytest.approx(0.6)
    assert t[C.NPL_CUM_RATE_ACTUAL].iloc[1] == pytest.approx(0.4)


@pytest.mark.parametrize("hist, exp, claim, match", [
    ({"Period": [1, 2], "累计回收金额": [80.0, 70.0]}, EXP, 1000.0, r"falls at row 2"),
    ({"Period": [1, 2], "Recoveries": [80.0, -1.0]}, EXP, 1000.0, r"Recoveries' row 2=-1 is negative"),
    ({"Period": [2, 1], "Recoveries": [80.0, 1.0]}, EXP, 1000.0, r"out of order"),
    ({"Period": [1, 2], "Prepayment": [80.0, 1.0]}, EXP, 1000.0, r"no recovery column"),
    (HIST, [100.0], 1000.0, r"expected has 1 periods and history 2"),
    (HIST, EXP, 0.0, r"claim=0 is out of range"),
    (HIST, [100.0, -5.0, 0, 0], 1000.0, r"expected\[1\]=-5 is below 0"),
])
def test_bad_history(hist, exp, claim, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.recovery_track(hist, exp, claim)


def test_bad_method():
    with pytest.raises(MbsxlInputError, match=r"method='faster' is not one of ratio"):
        mbsxl.recovery_track(HIST, EXP, 1000.0, "faster")


def test_worksheet_wrapper():
    from mbsxl.excel.functions import npl
    rng = [["收款期间", "回收金额"], ["2024-06", 80.0], ["2024-12", "70"], [None, None]]
    t = npl.MBS_RECOVERYTRACK(rng, np.array(EXP), 1000.0, None)
    assert t[C.NPL_REPROJECTED].tolist() == pytest.approx([80.0, 70.0, 75.0, 75.0])
