"""Issue 14, trustee-report history: mbsxl.history / MBS_HISTORY and mbsxl.backtest / MBS_BACKTEST.

Outside figures:
- the 24 monthly CPRs of Jianyuan 2007-1, January 2008 - December 2009, copied from seed 002
  (/work/shared/seeds/002_504b3d5613d6b378.txt, line 32: "得出2008年1月到2009年12月的提前还款率分别为:
  0.4179、0.1347、...、0.3436"), computed there from the trustee reports as SMM = prepayment /
  (beginning - scheduled), CPR = 1 - (1 - SMM)^12;
- small histories whose measures are computed by hand in each test (the arithmetic is written out);
- a level-payment loan's principal from numpy-financial (``npf.ppmt``).
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import mbsxl
from mbsxl import columns as C
from mbsxl.surveillance import trustee
from mbsxl.errors import MbsxlInputError
from mbsxl.excel import convert
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import last_reason

# seed 002, line 32 (see the module docstring)
SEED_002_CPR = [0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
                0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436]

# A hand-made four-period report: every column of the layout.  Each row rolls:
# 1000 - 10 - 49.5 - 5 = 935.5;  935.5 - 15.5 - 46 - 4 = 870;  870 - 20 - 85 - 5 = 760;  760 - 10 - 0 - 0 = 750
SMALL = pd.DataFrame({
    C.TRUSTEE_PERIOD: ["2020-01", "2020-02", "2020-03", "2020-04"],
    C.TRUSTEE_BEGINNING: [1000.0, 935.5, 870.0, 760.0],
    C.TRUSTEE_SCHEDULED: [10.0, 15.5, 20.0, 10.0],
    C.TRUSTEE_PREPAYMENT: [49.5, 46.0, 85.0, 0.0],
    C.TRUSTEE_DEFAULTS: [5.0, 4.0, 5.0, 0.0],
    C.TRUSTEE_RECOVERIES: [0.0, 2.0, 3.0, 4.0],
    C.TRUSTEE_ENDING: [935.5, 870.0, 760.0, 750.0],
    C.TRUSTEE_DQ_1_30: [20.0, 25.0, 30.0, 20.0],
    C.TRUSTEE_DQ_31_60: [5.0, 6.0, 7.0, 8.0],
    C.TRUSTEE_DQ_61_90: [3.0, 2.0, 1.0, 0.0],
    C.TRUSTEE_DQ_90: [9.355, 17.4, 0.0, 15.0],
}, columns=C.HISTORY_LAYOUT)


def _table_rows(df: pd.DataFrame) -> list[list]:
    return convert.to_excel(df)


# ------------------------------------------------------------------------------ the published CPRs
def test_history_reproduces_the_24_published_cprs_to_4_decimals():
    series = trustee.jianyuan_series()
    got = mbsxl.history(series)[C.H_CPR].to_numpy()
    assert len(got) == 24
    assert [round(float(x), 4) for x in got] == SEED_002_CPR
    assert np.abs(got - np.array(SEED_002_CPR)).max() < 0.00005


def test_mbs_history_on_the_table_gives_the_published_cprs():
    rows = _table_rows(trustee.jianyuan_series())
    out = call("MBS_HISTORY", rows)
    assert out[0] == C.HISTORY_COLUMNS
    cpr = [r[C.HISTORY_COLUMNS.index(C.H_CPR)] for r in out[1:]]
    assert [round(x, 4) for x in cpr] == SEED_002_CPR
    assert [r[0] for r in out[1:]][:2] == ["2008-01", "2008-02"]
    # defaults, recoveries and delinquencies are not published: those measures are blank, not 0
    for name in (C.H_MDR, C.H_CDR, C.H_CUM_DEFAULT, C.H_DQ90_RATIO, C.H_SEVERITY, C.H_CUM_SEVERITY):
        assert {r[C.HISTORY_COLUMNS.index(name)] for r in out[1:]} == {""}


def test_mbs_history_separate_columns_and_partial_headers():
    s = trustee.jianyuan_series()
    col = lambda name: [[float(x)] for x in s[name]]          # noqa: E731
    out = call("MBS_HISTORY", col(C.TRUSTEE_BEGINNING), col(C.TRUSTEE_SCHEDULED), col(C.TRUSTEE_PREPAYMENT),
               col(C.TRUSTEE_ENDING))
    assert [round(r[2], 4) for r in out[1:]] == SEED_002_CPR
    assert [r[0] for r in out[1:4]] == [1, 2, 3]
    # headers by their Chinese part or English part alone; extra columns ignored
    rows = _table_rows(s)
    rows[0] = ["收款期间", "Beginning balance", "计划偿还本金", "PREPAYMENT", "期末本金余额", "anything"]
    assert [round(r[2], 4) for r in call("MBS_HISTORY", rows)[1:]] == SEED_002_CPR


# ------------------------------------------------------------------------------ hand-computed measures
def test_smm_cpr_mdr_cdr_by_hand():
    h = mbsxl.history(SMALL)
    smm = [49.5 / (1000 - 10), 46 / (935.5 - 15.5), 85 / (870 - 20), 0 / (760 - 10)]     # 0.05, 0.05, 0.1, 0
    assert np.allclose(h[C.H_SMM], [0.05, 0.05, 0.1, 0.0], rtol=0, atol=1e-15)
    assert np.allclose(h[C.H_SMM], smm, rtol=1e-15)
    assert np.allclose(h[C.H_CPR], [1 - 0.95 ** 12, 1 - 0.95 ** 12, 1 - 0.9 ** 12, 0.0], rtol=1e-14)
    mdr = [5 / 1000, 4 / 935.5, 5 / 870, 0 / 760]
    assert np.allclose(h[C.H_MDR], mdr, rtol=1e-15)
    assert np.allclose(h[C.H_CDR], [1 - (1 - m) ** 12 for m in mdr], rtol=1e-13)
    assert h[C.H_CDR][0] == pytest.approx(0.058377, abs=5e-7)           # 1 - 0.995^12 = 1 - 0.941623 = 0.058377


def test_cumulative_default_rate_by_hand():
    h = mbsxl.history(SMALL)
    assert np.allclose(h[C.H_CUM_DEFAULT], [5 / 1000, 9 / 1000, 14 / 1000, 14 / 1000], rtol=1e-15)
    # the cut-off balance as the divisor
    h = mbsxl.history(SMALL, original_balance=2000)
    assert np.allclose(h[C.H_CUM_DEFAULT], [0.0025, 0.0045, 0.007, 0.007], rtol=1e-15)


def test_90_plus_ratio_is_on_the_ending_balance():
    h = mbsxl.history(SMALL)
    # 9.355 / 935.5, 17.4 / 870, 0 / 760, 15 / 750
    assert np.allclose(h[C.H_DQ90_RATIO], [0.01, 0.02, 0.0, 0.02], rtol=1e-14, atol=0)


def test_loss_severity_by_hand():
    h = mbsxl.history(SMALL)                                          # lag 0: recoveries of t on defaults of t
    sev = h[C.H_SEVERITY].to_numpy()
    assert np.allclose(sev[:3], [1 - 0 / 5, 1 - 2 / 4, 1 - 3 / 5], rtol=1e-15)   # 1, 0.5, 0.4
    assert math.isnan(sev[3])                                         # no defaults in period 4
    assert np.allclose(h[C.H_CUM_SEVERITY], [1 - 0 / 5, 1 - 2 / 9, 1 - 5 / 14, 1 - 9 / 14], rtol=1e-15)
    h = mbsxl.history(SMALL, recovery_lag=1)                          # recoveries of t on defaults of t - 1
    sev = h[C.H_SEVERITY].to_numpy()
    assert math.isnan(sev[0])
    assert np.allclose(sev[1:], [1 - 2 / 5, 1 - 3 / 4, 1 - 4 / 5], rtol=1e-15)    # 0.6, 0.25, 0.2
    cum = h[C.H_CUM_SEVERITY].to_numpy()
    assert math.isnan(cum[0])
    assert np.allclose(cum[1:], [1 - 2 / 5, 1 - 5 / 9, 1 - 9 / 14], rtol=1e-15)


def test_severity_blank_without_recoveries():
    h = mbsxl.history(SMALL.drop(columns=[C.TRUSTEE_RECOVERIES]))
    assert h[C.H_SEVERITY].isna().all() and h[C.H_CUM_SEVERITY].isna().all()
    assert not h[C.H_MDR].isna().any()


def test_mbs_history_excel_equals_the_core():
    out = call("MBS_HISTORY", _table_rows(SMALL), None, None, None, None, None, None, None, 2000.0, 1.0)
    want = mbsxl.history(SMALL, original_balance=2000, recovery_lag=1)
    assert out[0] == list(want.columns)
    for got, exp in zip(out[1:], want.itertuples(index=False, name=None)):
        assert got[0] == exp[0]
        for g, e in zip(got[1:], exp[1:]):
            assert (g == "" and math.isnan(e)) or g == pytest.approx(e, rel=1e-15, abs=0)


# ------------------------------------------------------------------------------ back-test
def test_backtest_of_the_jianyuan_history_against_itself_is_zero():
    s = trustee.jianyuan_series()
    realised = mbsxl.history(s)[C.H_CPR].to_numpy()
    bt = mbsxl.backtest(s, realised)
    assert list(bt.columns) == C.BACKTEST_COLUMNS
    assert np.abs(bt[C.B_BALANCE_DIFF]).max() < 1e-5                  # yuan, on balances of ~3.5e9
    assert np.abs(bt[C.B_PREPAYMENT_DIFF]).max() < 1e-5
    assert np.abs(bt[C.B_CPR_DIFF]).max() < 1e-12
    assert np.allclose(bt[C.B_BEGINNING_PROJ], s[C.TRUSTEE_BEGINNING], rtol=1e-14)
    assert [round(x, 4) for x in bt[C.B_CPR_REAL]] == SEED_002_CPR


def test_backtest_with_defaults_against_itself_is_zero():
    h = mbsxl.history(SMALL)
    bt = mbsxl.backtest(SMALL, h[C.H_CPR].to_numpy(), h[C.H_CDR].to_numpy())
    assert np.abs(bt[C.B_BALANCE_DIFF]).max() < 1e-12
    assert np.allclose(bt[C.B_DEFAULTS_PROJ], SMALL[C.TRUSTEE_DEFAULTS], rtol=1e-13, atol=1e-13)
    assert np.allclose(bt[C.B_PREPAYMENT_PROJ], SMALL[C.TRUSTEE_PREPAYMENT], rtol=1e-13, atol=1e-13)


def test_backtest_realised_schedule_by_hand():
    hist = {"Period": [1, 2], "Beginning balance": [1000.0, 900.0], "Scheduled principal": [20.0, 18.0],
            "Prepayment": [80.0, 44.1], "Ending balance": [900.0, 837.9]}
    bt = mbsxl.backtest(hist, 0.0)
    # no prepayment: 1000 - 20 = 980; then 980 x (1 - 18/900) = 960.4
    assert np.allclose(bt[C.B_ENDING_PROJ], [980.0, 960.4], rtol=1e-15)
    assert np.allclose(bt[C.B_BALANCE_DIFF], [80.0, 122.5], rtol=1e-13)
    assert np.allclose(bt[C.B_PREPAYMENT_DIFF], [-80.0, -44.1], rtol=1e-13)
    # realised SMM 80/980 and 44.1/882 = 0.05
    assert bt[C.B_CPR_REAL][1] == pytest.approx(1 - 0.95 ** 12, rel=1e-14)


def test_backtest_with_the_pools_amortisation_matches_numpy_financial():
    hist = {"Period": [1, 2], "Beginning balance": [1000.0, 500.0], "Scheduled principal": [500.0, 500.0],
            "Prepayment": [0.0, 0.0], "Ending balance": [500.0, 0.0]}
    bt = mbsxl.backtest(hist, 0.0, wac=0.12, wam=2)
    p1 = -npf.ppmt(0.01, 1, 2, 1000.0)                                # 497.5124...
    p2 = -npf.ppmt(0.01, 2, 2, 1000.0)
    assert bt[C.B_SCHEDULED_PROJ].tolist() == pytest.approx([p1, p2], rel=1e-12)
    assert bt[C.B_ENDING_PROJ][1] == pytest.approx(0.0, abs=1e-9)


def test_backtest_from_the_cut_off_with_lead_months():
    # zero-rate pool of 1100 over 10 months: 110 a month; one lead month, then the history's two periods
    hist = {"Period": [1, 2], "Beginning balance": [990.0, 880.0], "Scheduled principal": [110.0, 110.0],
            "Prepayment": [0.0, 10.0], "Ending balance": [880.0, 760.0]}
    bt = mbsxl.backtest(hist, 0.0, wac=0.0, wam=10, balance=1100.0, lead=1)
    assert bt[C.B_BEGINNING_PROJ].tolist() == pytest.approx([990.0, 880.0], rel=1e-14)
    assert bt[C.B_BALANCE_DIFF].tolist() == pytest.approx([0.0, 10.0], abs=1e-9)


def test_mbs_backtest_excel_equals_the_core():
    rows = _table_rows(trustee.jianyuan_series())
    out = call("MBS_BACKTEST", rows, 0.1726)
    want = mbsxl.backtest(trustee.jianyuan_series(), 0.1726)
    assert out[0] == C.BACKTEST_COLUMNS
    got = np.array([r[1:] for r in out[1:]], dtype=object)
    exp = want.iloc[:, 1:].to_numpy()
    for g, e in zip(got.ravel(), exp.ravel()):
        assert (g == "" and math.isnan(e)) or g == pytest.approx(e, rel=1e-15, abs=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 0.05), st.floats(0, 0.3), st.floats(0, 0.02)), min_size=1, max_size=30))
def test_property_realised_rates_reproduce_the_history(rows):
    """Any rolling history: projecting with its own CPRs and CDRs gives it back."""
    b, data = 1e8, []
    for k, (sch, smm, mdr) in enumerate(rows):
        s = round(b * sch, 2)
        d = round(b * mdr, 2)
        p = round(min(smm * (b - s), b - s - d), 2)
        e = round(b - s - p - d, 2)
        if e < 0:
            break
        data.append((k + 1, b, s, p, d, e))
        b = e
    df = pd.DataFrame(data, columns=["Period", "Beginning balance", "Scheduled principal", "Prepayment", "Defaults",
                                     "Ending balance"])
    h = mbsxl.history(df)
    assert (h[C.H_SMM].dropna() <= 1).all()
    bt = mbsxl.backtest(df, h[C.H_CPR].fillna(0).to_numpy(), h[C.H_CDR].fillna(0).to_numpy())
    assert np.abs(bt[C.B_BALANCE_DIFF]).max() < 1e-5


# ------------------------------------------------------------------------------ bad input
def test_rows_out_of_order_are_refused_naming_history():
    for periods in (["2020-01", "2020-03", "2020-02", "2020-04"], [1, 2, 2, 3],
                    ["2020年1月", "2020年2月", "2019年12月", "2020年4月"],
                    [dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 2, 29), dt.date(2020, 4, 30)]):
        df = SMALL.copy()
        df[C.TRUSTEE_PERIOD] = periods
        with pytest.raises(MbsxlInputError, match=r"history rows out of order: period .* \(row 3\) is not after"):
            mbsxl.history(df)
    rows = _table_rows(SMALL)
    rows[2], rows[3] = rows[3], rows[2]
    assert call("MBS_HISTORY", rows) == "#VALUE!"
    assert last_reason().startswith("MBS_HISTORY: history rows out of order: period '2020-02' (row 3)")
    with pytest.raises(MbsxlInputError, match="mixes period numbers and dates"):
        mbsxl.history(SMALL.assign(**{C.TRUSTEE_PERIOD: [1, "2020-02", 3, 4]}))
    with pytest.raises(MbsxlInputError, match=r"row 2=.*'Feb' is not a period"):
        mbsxl.history(SMALL.assign(**{C.TRUSTEE_PERIOD: ["2020-01", "Feb", "2020-03", "2020-04"]}))


def test_balances_that_do_not_roll_are_refused():
    df = SMALL.copy()
    df.loc[2, C.TRUSTEE_ENDING] = 765.0                             # 870 - 20 - 85 - 5 = 760
    with pytest.raises(MbsxlInputError, match=r"history row 3 \(period '2020-03'\) does not roll: ending balance "
                                              r"765.00 but beginning - scheduled - prepayment - defaults = 760.00 "
                                              r"\(difference 5.00, tolerance 1\)"):
        mbsxl.history(df)
    assert len(mbsxl.history(df, tolerance=5)) == 4                  # within a raised tolerance
    df.loc[2, C.TRUSTEE_ENDING] = 760.5                             # within the default 1
    assert len(mbsxl.history(df)) == 4
    with pytest.raises(MbsxlInputError, match=r"tolerance=-1 is out of range"):
        mbsxl.history(SMALL, tolerance=-1)


def test_negative_amounts_and_blanks_are_refused():
    df = SMALL.copy()
    df.loc[1, C.TRUSTEE_RECOVERIES] = -2.0
    with pytest.raises(MbsxlInputError, match=r"history column '回收金额 Recoveries' row 2=-2 is negative"):
        mbsxl.history(df)
    df = SMALL.copy()
    df.loc[1, C.TRUSTEE_DEFAULTS] = np.nan
    with pytest.raises(MbsxlInputError, match=r"history column '违约金额 Defaults' row 2 is empty"):
        mbsxl.history(df)
    rows = _table_rows(SMALL)
    rows[2][2] = "abc"
    assert call("MBS_HISTORY", rows) == "#VALUE!"
    assert "history column '计划偿还本金 Scheduled principal' row 2" in last_reason()


def test_missing_required_columns_are_refused():
    with pytest.raises(MbsxlInputError, match=r"history has no column '计划偿还本金 Scheduled principal'"):
        mbsxl.history(SMALL.drop(columns=[C.TRUSTEE_SCHEDULED]))
    with pytest.raises(MbsxlInputError, match=r"history column '期末本金余额 Ending balance' is empty; it is required"):
        mbsxl.history(SMALL.assign(**{C.TRUSTEE_ENDING: [None] * 4}))
    with pytest.raises(MbsxlInputError, match=r"ending is missing"):
        mbsxl.history([1000.0, 935.5], [10.0, 15.5], [49.5, 46.0])
    with pytest.raises(MbsxlInputError, match=r"prepayment has 1 values and history \(beginning balances\) 2"):
        mbsxl.history([1000.0, 935.5], [10.0, 15.5], [49.5], [935.5, 870.0])
    with pytest.raises(MbsxlInputError, match=r"scheduled\[1\]=-15.5 is below 0"):
        mbsxl.history([1000.0, 935.5], [10.0, -15.5], [49.5, 46.0], [935.5, 870.0])
    with pytest.raises(MbsxlInputError, match=r"history is a table; leave scheduled empty"):
        mbsxl.history(SMALL, [1.0])
    with pytest.raises(MbsxlInputError, match="two columns for"):
        mbsxl.history(SMALL.assign(Prepayment=SMALL[C.TRUSTEE_PREPAYMENT]))


def test_delinquencies_above_the_ending_balance_are_refused():
    df = SMALL.copy()
    df.loc[3, C.TRUSTEE_DQ_90] = 800.0
    with pytest.raises(MbsxlInputError, match=r"history row 4 \(period '2020-04'\): the delinquent balances add up"):
        mbsxl.history(df)


def test_backtest_bad_input():
    with pytest.raises(MbsxlInputError, match=r"cpr has 5 values, more than the 4 months"):
        mbsxl.backtest(SMALL, [0.1] * 5)
    with pytest.raises(MbsxlInputError, match=r"cpr\[1\]=25 looks like a percent"):
        mbsxl.backtest(SMALL, [0.1, 25])
    with pytest.raises(MbsxlInputError, match=r"lead=2 months need the pool's wac and wam"):
        mbsxl.backtest(SMALL, 0.1, balance=1100, lead=2)
    with pytest.raises(MbsxlInputError, match=r"balance is missing"):
        mbsxl.backtest(SMALL, 0.1, wac=0.05, wam=100, lead=2)
    with pytest.raises(MbsxlInputError, match=r"wam is missing"):
        mbsxl.backtest(SMALL, 0.1, wac=0.05)
    with pytest.raises(MbsxlInputError, match=r"wam=3 is shorter than the back-test"):
        mbsxl.backtest(SMALL, 0.1, wac=0.05, wam=3)
    assert call("MBS_BACKTEST", [[1.0], [2.0]], 0.1) == "#VALUE!"
    assert "history is a single row or column" in last_reason()


# ------------------------------------------------------------------------------ the deal-review History sheet
def test_deal_review_history_sheet_reproduces_the_published_cprs():
    import os
    import openpyxl
    from xlsxwriter.utility import xl_rowcol_to_cell as cell
    from mbsxl.templates import deal_review_history as H, jianyuan_deal_review as T
    path = os.path.join(os.path.dirname(__file__), "..", "workbooks", T.FILENAME)
    ws = openpyxl.load_workbook(path, data_only=True)[H.SHEET]
    v = lambda r, c: ws[cell(r, c)].value                              # noqa: E731
    assert [v(H.R_TABLE, j) for j in range(len(C.HISTORY_LAYOUT))] == C.HISTORY_LAYOUT
    c_cpr = C.HISTORY_COLUMNS.index(C.H_CPR)
    cprs = [v(H.R_HIST + 1 + k, c_cpr) for k in range(24)]
    assert [round(x, 4) for x in cprs] == SEED_002_CPR
    assert v(H.R_HIST + 25, H.C_PUB + 2) == 24                        # every period agrees to 4 decimals
    # back-test, period 1, by hand from the sheet's inputs: 17.26% CPR on the realised schedule
    b, s = v(H.R_TABLE + 1, 1), v(H.R_TABLE + 1, 2)
    smm = 1 - (1 - 0.1726) ** (1 / 12)                                 # seed 002: prospectus pricing CPR
    col = C.BACKTEST_COLUMNS.index
    assert v(H.R_BT + 1, col(C.B_ENDING_PROJ)) == pytest.approx(b - s - smm * (b - s), rel=1e-12)
    assert v(H.R_BT + 1, col(C.B_CPR_PROJ)) == pytest.approx(0.1726, rel=1e-12)
