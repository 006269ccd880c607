"""Issue 18 item 2, Chinese performance conventions: convention (SMM type 1/2, monthly or by days),
cutoff_balance, default_definition, delinquency buckets, prepayment over the cut-off balance -- on
mbsxl.history / MBS_HISTORY, mbsxl.smm / mbsxl.cpr / MBS_SMM / MBS_CPR and mbsxl.backtest / MBS_BACKTEST.

Definitions (quoted with their sources in mbsxl/options.py, PREPAY_CONVENTION / DEFAULT_DEFINITION /
DELINQUENCY_BUCKETS):
- type 2 SMM = prepayment / (beginning - scheduled), CPR = 1 - (1 - SMM)^12: seed 002 lines 24-32
  (/work/shared/seeds/002_504b3d5613d6b378.txt), SIFMA SF-5;
- type 1 SMM = prepayment / beginning: J. Hu, Asset Securitization: Theory and Practice, appendix A
  ("the excess paydown in a given month as a percentage of the outstanding principal balance at the
  beginning of the month");
- by days: CPR = 1 - (1 - SMM)^(365/days) (the issue's statement of the practice; act/365);
- cumulative default rate = cumulative defaulted amount / the initial amount (NAFMII disclosure guideline
  2019, "累计违约率=累计违约金额/期初金额"), before recoveries;
- delinquency ratio of a bucket = bucket balance / pool balance ("M1逾期率 = M1阶段逾期贷款金额 / 贷款总额").
Seed figures: the 24 CPRs of seed 002 line 32; the first period's "4.35%" and 155,912,242.71 yuan
(seed 002 line 33) against the cut-off balance 4,160,683,708 (seed 001/002; seeds README).
Every other figure is computed by hand in the comments from the small table below.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.reference import jianyuan as jy
from mbsxl.surveillance import trustee
from mbsxl.errors import MbsxlInputError
from mbsxl.excel import convert
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import last_reason

SEED_002_CPR = [0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
                0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436]

# A three-period report dated by its period-end dates (31, 29 and 31 days).  Rolls:
# 1000 - 10 - 49.5 - 5 = 935.5;   935.5 - 15.5 - 46 - 4 = 870;   870 - 20 - 85 - 5 = 760
# buckets at period end: 1-30 = 2%, 3%, 4% of the ending balance; 31-60 = 1%; 61-90 = 0.5%; 90+ = 0, 1%, 2%
T = pd.DataFrame({
    C.TRUSTEE_PERIOD: ["2020-01-31", "2020-02-29", "2020-03-31"],
    C.TRUSTEE_BEGINNING: [1000.0, 935.5, 870.0],
    C.TRUSTEE_SCHEDULED: [10.0, 15.5, 20.0],
    C.TRUSTEE_PREPAYMENT: [49.5, 46.0, 85.0],
    C.TRUSTEE_DEFAULTS: [5.0, 4.0, 5.0],
    C.TRUSTEE_RECOVERIES: [0.0, 2.0, 3.0],
    C.TRUSTEE_ENDING: [935.5, 870.0, 760.0],
    C.TRUSTEE_DQ_1_30: [18.71, 26.1, 30.4],          # 18.71/935.5 = 0.02, 26.1/870 = 0.03, 30.4/760 = 0.04
    C.TRUSTEE_DQ_31_60: [9.355, 8.7, 7.6],           # 0.01 each
    C.TRUSTEE_DQ_61_90: [4.6775, 4.35, 3.8],         # 0.005 each
    C.TRUSTEE_DQ_90: [0.0, 8.7, 15.2],               # 0, 0.01, 0.02
    C.TRUSTEE_DEFAULTS_90: [2.0, 3.0, 4.0],          # became 90+ days past due in the period
    C.TRUSTEE_DEFAULTS_180: [0.0, 1.0, 2.0],         # became 180+ days past due in the period
}, columns=C.HISTORY_LAYOUT)


def _rows(df):
    return convert.to_excel(df)


# ------------------------------------------------------------------------------ SMM type and annualisation
def test_type2_monthly_is_the_default_and_todays_form():
    h = mbsxl.history(T)
    # type 2: 49.5/(1000-10) = 0.05, 46/(935.5-15.5) = 0.05, 85/(870-20) = 0.1
    assert h[C.H_SMM].tolist() == pytest.approx([0.05, 0.05, 0.1], rel=1e-15)
    # 0.95^12 = 0.5403600877 -> 0.4596399123;  0.9^12 = 0.2824295365 -> 0.7175704635
    assert h[C.H_CPR].tolist() == pytest.approx([0.4596399123, 0.4596399123, 0.7175704635], abs=1e-10)
    for spelling in ("type2_monthly", "type2", "2", 2, "类型2", "扣除计划还款", "monthly", " Type2_Monthly "):
        pd.testing.assert_frame_equal(mbsxl.history(T, convention=spelling), h)


def test_type1_divides_by_the_beginning_balance():
    h = mbsxl.history(T, convention="type1")
    # 49.5/1000 = 0.0495;  46/935.5 = 0.0491715660;  85/870 = 0.0977011494
    assert h[C.H_SMM].tolist() == pytest.approx([0.0495, 0.0491715660, 0.0977011494], abs=1e-10)
    # 1 - 0.9505^12: 0.9505^2 = 0.90345025, ^4 = 0.81622236, ^8 = 0.66621894, ^12 = 0.54378278 -> 0.45621722
    assert h[C.H_CPR][0] == pytest.approx(0.45621722, abs=1e-8)
    pd.testing.assert_frame_equal(mbsxl.history(T, convention="期初余额"), h)


def test_annualisation_by_days_between_report_dates():
    h = mbsxl.history(T, convention="type2_days")
    # days: 2019-12-31 -> 2020-01-31 = 31 (the first period counts from a month earlier), 29 (2020 leap), 31
    # period 1: 1 - 0.95^(365/31); ln 0.95 = -0.0512932944, x 11.7741935 = -0.6039372, e^ = 0.5466551
    # period 2: 1 - 0.95^(365/29); x 12.5862069 = -0.6455834, e^ = 0.5243541
    # period 3: 1 - 0.9^(365/31);  ln 0.9 = -0.1053605157, x 11.7741935 = -1.2405350, e^ = 0.2892294
    assert h[C.H_CPR].tolist() == pytest.approx([0.4533449, 0.4756459, 0.7107706], abs=1e-7)
    assert h[C.H_SMM].tolist() == pytest.approx([0.05, 0.05, 0.1], rel=1e-15)      # the SMM is type 2's
    # MDR 5/1000 = 0.005 annualised by 31 days: 1 - 0.995^(365/31); ln 0.995 = -0.0050125418,
    # x 11.7741935 = -0.0590187, e^ = 0.9426892 -> 0.0573108
    assert h[C.H_CDR][0] == pytest.approx(0.0573108, abs=1e-7)
    h1 = mbsxl.history(T, convention="type1_days")
    # 1 - 0.9505^(365/31): ln 0.9505 = -0.0507679, x 11.7741935 = -0.5977530, e^ = 0.5500524
    assert h1[C.H_CPR][0] == pytest.approx(0.4499477, abs=1e-7)


def test_days_of_month_labels_are_the_months_own():
    # "2020-02" is February 2020: 29 days; 1 - 0.95^(365/29) = 0.4756459 (above)
    df = T.assign(**{C.TRUSTEE_PERIOD: ["2020-01", "2020-02", "2020-03"]})
    assert mbsxl.history(df, convention="days")[C.H_CPR][1] == pytest.approx(0.4756459, abs=1e-7)


# ------------------------------------------------------------------------------ MBS_SMM / MBS_CPR
def test_smm_cpr_conventions_by_hand():
    assert mbsxl.smm(100.0, 1000.0, 200.0) == pytest.approx(0.125, rel=1e-15)           # 100 / (1000 - 200)
    assert mbsxl.smm(100.0, 1000.0, 200.0, "type1") == pytest.approx(0.1, rel=1e-15)    # 100 / 1000
    assert mbsxl.smm(100.0, 1000.0, convention="type1") == pytest.approx(0.1, rel=1e-15)  # no schedule needed
    # 1 - 0.9^12 = 0.7175704635
    assert mbsxl.cpr(100.0, 1000.0, None, "type1") == pytest.approx(0.7175704635, abs=1e-10)
    # 1 - 0.99^(365/31): ln 0.99 = -0.0100503359, x 11.7741935 = -0.1183346, e^ = 0.8883987
    assert mbsxl.cpr(0.01, convention="type2_days", days=31) == pytest.approx(0.1116013, abs=1e-7)
    # from a CPR over 31 days: 1 - (1 - 0.1116013)^(31/365) = 0.01 back
    assert mbsxl.smm(mbsxl.cpr(0.01, convention="days", days=31), convention="days", days=31) == \
        pytest.approx(0.01, rel=1e-12)
    assert mbsxl.smm(0.06) == pytest.approx(1 - 0.94 ** (1 / 12), rel=1e-15)               # default unchanged


def test_mbs_smm_cpr_through_dispatch():
    assert call("MBS_CPR", 100.0, 1000.0, None, "type1") == pytest.approx(0.7175704635, abs=1e-10)
    assert call("MBS_CPR", 0.01, None, None, "type2_days", 31) == pytest.approx(0.1116013, abs=1e-7)
    out = call("MBS_SMM", [[100.0], [46.0]], [[1000.0], [935.5]], None, "类型1")
    assert [r[0] for r in out] == pytest.approx([0.1, 46 / 935.5], rel=1e-15)
    assert call("MBS_CPR", 0.01, None, None, "days") == "#VALUE!"
    assert "days is missing: convention='type2_days'" in last_reason()
    assert call("MBS_CPR", 0.01, None, None, None, 31) == "#VALUE!"
    assert "days=" in last_reason() and "annualises monthly" in last_reason()
    assert call("MBS_SMM", 0.01, None, None, "type3") == "#VALUE!"
    assert last_reason().startswith("MBS_SMM: convention='type3' is not one of type2_monthly")
    assert call("MBS_CPR", 0.01, None, None, "days", 0) == "#VALUE!"
    assert "days=0 is out of range" in last_reason()
    assert call("MBS_SMM", 1200.0, 1000.0, None, "type1") == "#VALUE!"
    assert "exceeds the beginning balance (1000)" in last_reason()


# ------------------------------------------------------------------------------ delinquency buckets
def test_delinquency_ratios_by_bucket():
    h = mbsxl.history(T)
    assert h[C.H_DQ_1_30_RATIO].tolist() == pytest.approx([0.02, 0.03, 0.04], rel=1e-14)
    assert h[C.H_DQ_31_60_RATIO].tolist() == pytest.approx([0.01, 0.01, 0.01], rel=1e-14)
    assert h[C.H_DQ_61_90_RATIO].tolist() == pytest.approx([0.005, 0.005, 0.005], rel=1e-14)
    assert h[C.H_DQ90_RATIO].tolist() == pytest.approx([0.0, 0.01, 0.02], rel=1e-14, abs=0)
    # not reported: blank, not 0
    h = mbsxl.history(T.drop(columns=[C.TRUSTEE_DQ_31_60]))
    assert h[C.H_DQ_31_60_RATIO].isna().all() and not h[C.H_DQ_1_30_RATIO].isna().any()


# ------------------------------------------------------------------------------ cumulative default rate
def test_cumulative_default_rate_by_definition_before_recoveries():
    # reported: (5, 5+4, 5+4+5) / 1000; recoveries (0, 2, 3) are not netted
    h = mbsxl.history(T)
    assert h[C.H_CUM_DEFAULT].tolist() == pytest.approx([0.005, 0.009, 0.014], rel=1e-15)
    # 90+: (2, 5, 9) / 1000;  MDR 2/1000, 3/935.5, 4/870
    h = mbsxl.history(T, default_definition="90+")
    assert h[C.H_CUM_DEFAULT].tolist() == pytest.approx([0.002, 0.005, 0.009], rel=1e-15)
    assert h[C.H_MDR].tolist() == pytest.approx([0.002, 3 / 935.5, 4 / 870], rel=1e-15)
    # severity stays on the reported defaults: 1 - 2/4 in period 2
    assert h[C.H_SEVERITY][1] == pytest.approx(0.5, rel=1e-15)
    # 180+: (0, 1, 3) / 2000 over a cut-off balance of 2000
    h = mbsxl.history(T, cutoff_balance=2000, default_definition="逾期180天以上")
    assert h[C.H_CUM_DEFAULT].tolist() == pytest.approx([0.0, 0.0005, 0.0015], abs=1e-18)
    # a column of defaulted amounts as reported: (1, 2, 3) / 1000
    h = mbsxl.history(T, default_definition=[1.0, 1.0, 1.0])
    assert h[C.H_CUM_DEFAULT].tolist() == pytest.approx([0.001, 0.002, 0.003], rel=1e-15)
    # serious delinquency is a separate stock measure, unchanged by the definition
    assert h[C.H_DQ90_RATIO].tolist() == pytest.approx([0.0, 0.01, 0.02], rel=1e-14, abs=0)


def test_original_balance_is_the_older_name_of_cutoff_balance():
    a = mbsxl.history(T, original_balance=2000)
    pd.testing.assert_frame_equal(a, mbsxl.history(T, cutoff_balance=2000))
    assert a[C.H_CUM_DEFAULT].tolist() == pytest.approx([0.0025, 0.0045, 0.007], rel=1e-15)   # 5, 9, 14 / 2000
    with pytest.raises(MbsxlInputError, match=r"original_balance=2000 and cutoff_balance=3000 differ"):
        mbsxl.history(T, original_balance=2000, cutoff_balance=3000)


# ------------------------------------------------------------------------------ prepayment over the cut-off balance
def test_cumulative_and_unconditional_prepayment_from_the_cut_off():
    h = mbsxl.history(T)             # dated, no cut-off balance: taken to start at the cut-off (1000)
    # C = 49.5/1000, 95.5/1000, 180.5/1000
    assert h[C.H_CUM_PREPAY].tolist() == pytest.approx([0.0495, 0.0955, 0.1805], rel=1e-15)
    # U_t = 1 - (1 - C_t)^(12/t):  1 - 0.9505^12 = 0.4562172;  1 - 0.9045^6 = 0.4524151;  1 - 0.8195^4 = 0.5489800
    #   (0.9045^2 = 0.81812025, ^6 = 0.5475849; 0.8195^2 = 0.67158025, ^4 = 0.4510200)
    assert h[C.H_UNCOND_CPR].tolist() == pytest.approx([0.4562172, 0.4524151, 0.5489800], abs=1e-7)
    # by days since the cut-off: 31, 60, 91 days -> 1 - 0.9505^(365/31) = 0.4499477, 1 - 0.9045^(365/60),
    # 1 - 0.8195^(365/91): ln 0.9045 = -0.1003712 x 6.0833333 = -0.6105915, e^ = 0.5430237 -> 0.4569763
    hd = mbsxl.history(T, convention="type2_days")
    assert hd[C.H_UNCOND_CPR][:2].tolist() == pytest.approx([0.4499477, 0.4569763], abs=1e-7)


def test_numbered_periods_count_from_the_cut_off():
    df = T.assign(**{C.TRUSTEE_PERIOD: [4, 5, 6]})       # three periods since the cut-off are missing
    with pytest.raises(MbsxlInputError, match=r"cutoff_balance is missing: the history's first period is number 4, "
                                              r"so 3 collection period\(s\) since the cut-off are not in it"):
        mbsxl.history(df)
    h = mbsxl.history(df, cutoff_balance=1100)
    # C_1 = 49.5/1100 = 0.045; m_1 = 3 + 1 = 4 months: U_1 = 1 - 0.955^(12/4) = 1 - 0.870983875 = 0.129016125
    assert h[C.H_CUM_PREPAY][0] == pytest.approx(0.045, rel=1e-15)
    assert h[C.H_UNCOND_CPR][0] == pytest.approx(0.129016125, abs=1e-12)
    assert h[C.H_CUM_DEFAULT][0] == pytest.approx(5 / 1100, rel=1e-15)
    # a first period numbered 0 says nothing about the months since the cut-off: U blank, C over 1000
    h0 = mbsxl.history(T.assign(**{C.TRUSTEE_PERIOD: [0, 1, 2]}))
    assert h0[C.H_UNCOND_CPR].isna().all() and h0[C.H_CUM_PREPAY][0] == pytest.approx(0.0495, rel=1e-15)
    # dated periods after the cut-off: the months since it are unknown, so U is blank (C is computed)
    h = mbsxl.history(T, cutoff_balance=1100)
    assert h[C.H_UNCOND_CPR].isna().all() and h[C.H_CUM_PREPAY][0] == pytest.approx(0.045, rel=1e-15)


# ------------------------------------------------------------------------------ the seeds' published figures
def test_seed_002_cprs_follow_type2_monthly_and_not_type1():
    s = trustee.jianyuan_series()
    t2 = mbsxl.history(s, convention="type2_monthly")[C.H_CPR]
    assert [round(x, 4) for x in t2] == SEED_002_CPR          # seed 002 line 32, to 4 decimals
    t1 = mbsxl.history(s, convention="type1_monthly")[C.H_CPR]
    # type 1 divides by the larger beginning balance: every CPR lower, none rounding to the published one
    assert all(a < b for a, b in zip(t1, t2))
    assert sum(round(x, 4) == p for x, p in zip(t1, SEED_002_CPR)) == 0


def test_seed_002_first_period_shares():
    s = trustee.jianyuan_series()
    # seed 002 line 33: 155,912,242.71 yuan prepaid, "占起算日个人住房抵押贷款余额的4.35%".  As the type-1 SMM
    # (prepayment / the period's beginning balance) of the reconstructed January 2008 period it is 4.35%;
    # the reconstruction (mbsxl.surveillance.trustee.first_period) chose that balance inside the window where this holds,
    # so this is a consistency check of the convention, not an independent reproduction.
    h1 = mbsxl.history(s, convention="type1")
    assert round(h1[C.H_SMM][0], 4) == 0.0435
    # over the cut-off balance 4,160,683,708 (seed README) the same prepayment is 3.747% (155,912,242.71 /
    # 4,160,683,708 = 0.0374727), the cumulative prepayment rate after the first period: the stated 4.35% is
    # not a share of the cut-off balance
    h = mbsxl.history(s, cutoff_balance=jy.POOL["balance"])
    assert h[C.H_CUM_PREPAY][0] == pytest.approx(155_912_242.71 / 4_160_683_708, rel=1e-15)
    assert round(h[C.H_CUM_PREPAY][0], 4) == 0.0375
    assert h[C.H_UNCOND_CPR].isna().all()         # dated reports not starting at the cut-off: months unknown
    # numbered from the cut-off (January 2008 is the 4th month since 2007-10-10, mbsxl.surveillance.trustee), U is defined:
    # 1 - (1 - 0.0374727)^(12/4) = 1 - 0.9625273^3; 0.9625273^2 = 0.9264587, x 0.9625273 = 0.8917418 -> 0.1082582
    hn = mbsxl.history(s.assign(**{C.TRUSTEE_PERIOD: list(range(4, 28))}), cutoff_balance=jy.POOL["balance"])
    assert hn[C.H_UNCOND_CPR][0] == pytest.approx(1 - (1 - 155_912_242.71 / 4_160_683_708) ** 3, rel=1e-13)
    assert hn[C.H_UNCOND_CPR][0] == pytest.approx(0.1082582, abs=1e-7)


# ------------------------------------------------------------------------------ back-test
@pytest.mark.parametrize("conv", ["type2_monthly", "type1_monthly", "type2_days", "type1_days"])
def test_backtest_with_the_realised_rates_gives_the_history_back(conv):
    h = mbsxl.history(T, convention=conv)
    bt = mbsxl.backtest(T, h[C.H_CPR].to_numpy(), h[C.H_CDR].to_numpy(), convention=conv)
    assert np.abs(bt[C.B_BALANCE_DIFF]).max() < 1e-10
    assert np.abs(bt[C.B_CPR_DIFF]).max() < 1e-12
    assert bt[C.B_CPR_REAL].tolist() == pytest.approx(h[C.H_CPR].tolist(), rel=1e-15)


def test_backtest_conventions_by_hand():
    c = 1 - 0.95 ** 12                                  # SMM 0.05 a month
    # type 2: 0.05 x (1000 - 10) = 49.5;  type 1: 0.05 x 1000 = 50
    assert mbsxl.backtest(T, c)[C.B_PREPAYMENT_PROJ][0] == pytest.approx(49.5, rel=1e-13)
    assert mbsxl.backtest(T, c, convention="type1")[C.B_PREPAYMENT_PROJ][0] == pytest.approx(50.0, rel=1e-13)
    # by days: the CPR 1 - 0.95^(365/31) is SMM 0.05 over the 31 days of January: 49.5 again
    cd = 1 - 0.95 ** (365 / 31)
    assert mbsxl.backtest(T, cd, convention="days")[C.B_PREPAYMENT_PROJ][0] == pytest.approx(49.5, rel=1e-12)
    with pytest.raises(MbsxlInputError, match=r"lead=1 months with convention='type2_days'"):
        mbsxl.backtest(T, cd, wac=0.05, wam=100, balance=1100, lead=1, convention="days")


# ------------------------------------------------------------------------------ Excel, through the dispatch path
def test_mbs_history_conventions_through_dispatch_equal_the_core():
    rows = _rows(T)
    blanks = [None] * 7                                  # scheduled ... periods
    out = call("MBS_HISTORY", rows, *blanks, None, None, None, "type1_days", 1100.0, "90+")
    want = mbsxl.history(T, convention="type1_days", cutoff_balance=1100, default_definition="90+")
    assert out[0] == C.HISTORY_COLUMNS == list(want.columns)
    for got, exp in zip(out[1:], want.itertuples(index=False, name=None)):
        assert got[0] == exp[0]
        for g, e in zip(got[1:], exp[1:]):
            assert (g == "" and math.isnan(e)) or g == pytest.approx(e, rel=1e-15, abs=0)
    # default_definition as a range of amounts: (1, 2, 3) cumulative over 1000
    out = call("MBS_HISTORY", rows, *blanks, None, None, None, None, None, [[1.0], [1.0], [1.0]])
    j = C.HISTORY_COLUMNS.index(C.H_CUM_DEFAULT)
    assert [r[j] for r in out[1:]] == pytest.approx([0.001, 0.002, 0.003], rel=1e-15)
    # 90 typed as a number is the 90+ definition
    out = call("MBS_HISTORY", rows, *blanks, None, None, None, None, None, 90)
    assert [r[j] for r in out[1:]] == pytest.approx([0.002, 0.005, 0.009], rel=1e-15)


def test_mbs_backtest_convention_through_dispatch():
    rows = _rows(T)
    out = call("MBS_BACKTEST", rows, 1 - 0.95 ** 12, None, None, None, None, None, None, "type1")
    assert out[1][C.BACKTEST_COLUMNS.index(C.B_PREPAYMENT_PROJ)] == pytest.approx(50.0, rel=1e-13)


# ------------------------------------------------------------------------------ bad input
def test_a_definition_the_history_cannot_support_is_refused():
    with pytest.raises(MbsxlInputError, match=r"default_definition='180\+' needs the history column "
                                              r"'新增180天以上违约 New defaults 180\+ days'.*no such column"):
        mbsxl.history(T.drop(columns=[C.TRUSTEE_DEFAULTS_180]), default_definition="180+")
    with pytest.raises(MbsxlInputError, match=r"default_definition='120\+' is not one of reported"):
        mbsxl.history(T, default_definition="120+")
    with pytest.raises(MbsxlInputError, match=r"default_definition has 2 amounts and the history 3 periods"):
        mbsxl.history(T, default_definition=[1.0, 2.0])
    rows = _rows(T.drop(columns=[C.TRUSTEE_DEFAULTS_90]))
    assert call("MBS_HISTORY", rows, *[None] * 10, None, None, "90+") == "#VALUE!"
    assert last_reason().startswith("MBS_HISTORY: default_definition='90+' needs the history column")


def test_a_cut_off_balance_below_the_first_report_is_refused():
    with pytest.raises(MbsxlInputError, match=r"cutoff_balance=900.00 is below the first report's beginning balance "
                                              r"1,000.00"):
        mbsxl.history(T, cutoff_balance=900)
    with pytest.raises(MbsxlInputError, match=r"original_balance=900.00 is below"):
        mbsxl.history(T, original_balance=900)
    assert len(mbsxl.history(T, cutoff_balance=999.5)) == 3          # within the roll tolerance of 1
    with pytest.raises(MbsxlInputError, match=r"cutoff_balance=-5 is out of range"):
        mbsxl.history(T, cutoff_balance=-5)
    assert call("MBS_HISTORY", _rows(T), *[None] * 10, None, 500.0) == "#VALUE!"
    assert "cutoff_balance=500.00 is below the first report's beginning balance 1,000.00" in last_reason()


def test_days_need_dated_periods_and_bad_conventions_are_named():
    with pytest.raises(MbsxlInputError, match=r"convention='type2_days' annualises by the days between report dates, "
                                              r"but the history's periods are numbers"):
        mbsxl.history(T.assign(**{C.TRUSTEE_PERIOD: [1, 2, 3]}), convention="days")
    with pytest.raises(MbsxlInputError, match=r"convention='quarterly' is not one of type2_monthly"):
        mbsxl.history(T, convention="quarterly")
    with pytest.raises(MbsxlInputError, match=r"convention=3 is not one of"):
        mbsxl.backtest(T, 0.1, convention=3)
