"""NPL recovery projection (issue 20): each loan-level rule, the stresses, the pool curve and bad input.

Every expected figure below is worked by hand in the comments from the rule stated in the issue
(recovery = min(collateral x (1 - haircut) - costs, claim), in the month of resolution or spread over a
window; months to resolution from the stage table) and the published three-year shape (20/40/50 % after
1/2/3 years: 不良住房抵押贷款的回收数据分析:来自对不良资产证券化公开数据的观察, 2024-10-28,
https://reportify.ai/reports/1048339642987974656).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.pool import recovery as R
from mbsxl.errors import MbsxlInputError
from mbsxl.reference.npl_tape import generated_tape

STAGES = {"协商": 40, "诉讼": 30, "执行": 18, "拍卖": 9}


def tape(**over):
    # loan A: principal 800,000 + interest 50,000 + fees 10,000 = claim 860,000; appraisal 1,000,000,
    # haircut 30 %, costs 40,000, 6 months into litigation (诉讼, T = 30)
    base = {"Loan": ["A"], "Principal": [800_000.0], "Interest": [50_000.0], "Fees": [10_000.0],
            "Collateral appraisal": [1_000_000.0], "Haircut": [0.30], "Legal stage": ["诉讼"],
            "Months in stage": [6], "Disposal costs": [40_000.0]}
    base.update(over)
    return base


def one(t, **kw):
    return mbsxl.recovery_loans(t, stage_table=STAGES, **kw).iloc[0]


def test_loan_rule_uncapped():
    # S = 1,000,000 x (1 - 0.3) = 700,000; net = min(700,000 - 40,000, 860,000) = 660,000;
    # gross = 660,000 + 40,000 = 700,000; month = max(30 - 6, 1) = 24; rate 660,000 / 860,000
    r = one(tape())
    assert r[C.NPL_CLAIM] == 860_000.0
    assert r[C.NPL_NET_SALE] == pytest.approx(700_000.0)
    assert r[C.NPL_NET] == pytest.approx(660_000.0)
    assert r[C.NPL_GROSS] == pytest.approx(700_000.0)
    assert r[C.NPL_COSTS] == pytest.approx(40_000.0)
    assert r[C.NPL_RESOLUTION_MONTH] == 24
    assert r[C.NPL_RECOVERY_RATE] == pytest.approx(660_000 / 860_000)
    assert not r[C.NPL_CAPPED]


def test_loan_rule_capped_by_claim_is_flagged():
    # principal 100,000 + interest 5,000 = claim 105,000; appraisal 500,000, haircut 20 % -> S = 400,000;
    # costs 20,000 -> 380,000 > 105,000: net = 105,000 (capped, flagged), gross = 105,000 + 20,000
    r = one(tape(Principal=[100_000.0], Interest=[5_000.0], Fees=[0.0], **{"Collateral appraisal": [500_000.0]},
                 Haircut=[0.2], **{"Disposal costs": [20_000.0]}))
    assert r[C.NPL_NET] == pytest.approx(105_000.0)
    assert r[C.NPL_GROSS] == pytest.approx(125_000.0)
    assert bool(r[C.NPL_CAPPED]) is True
    assert r[C.NPL_RECOVERY_RATE] == pytest.approx(1.0)


def test_months_spent_beyond_table_resolve_next_month_and_delay_adds():
    # auction (拍卖, T = 9), 15 months already spent: max(9 - 15, 1) = month 1; delay 6 -> month 7
    t = tape(**{"Legal stage": ["Auction"], "Months in stage": [15]})
    assert one(t)[C.NPL_RESOLUTION_MONTH] == 1
    assert one(t, delay=6)[C.NPL_RESOLUTION_MONTH] == 7


def test_default_stage_table_is_labelled_illustration():
    s = mbsxl.recovery_stages()
    assert s[C.NPL_STAGE].tolist() == ["协商 negotiation", "诉讼 litigation", "执行 enforcement", "拍卖 auction"]
    assert all("illustration" in n and "not a published table" in n for n in s[C.NPL_STAGE_NOTE])
    # the default table: litigation 54 months, 6 spent -> month 48
    r = mbsxl.recovery_loans(tape()).iloc[0]
    assert r[C.NPL_RESOLUTION_MONTH] == R.DEFAULT_STAGE_TABLE["诉讼"] - 6 == 42


def test_window_spreads_equal_parts():
    # net 660,000, costs 40,000 over a 4-month window from month 24: 165,000 net and 10,000 costs in
    # each of months 24, 25, 26, 27; nothing before or after
    t = mbsxl.recoveries(tape(), stage_table=STAGES, window=4)
    assert len(t) == 27
    net = t[C.NPL_NET].to_numpy()
    assert np.all(net[:23] == 0)
    assert net[23:] == pytest.approx([165_000.0] * 4)
    assert t[C.NPL_COSTS].to_numpy()[23:] == pytest.approx([10_000.0] * 4)
    assert t[C.NPL_LOANS_RESOLVED].sum() == 1 and t[C.NPL_LOANS_RESOLVED].iloc[23] == 1


def test_stresses_amount_cost_delay():
    # amount -30 %: S = 700,000 x 0.7 = 490,000; costs +50 %: 40,000 x 1.5 = 60,000;
    # net = 490,000 - 60,000 = 430,000; gross 490,000; month 24 + 6 = 30
    r = one(tape(), amount_stress=0.3, cost_stress=0.5, delay=6)
    assert r[C.NPL_NET] == pytest.approx(430_000.0)
    assert r[C.NPL_GROSS] == pytest.approx(490_000.0)
    assert r[C.NPL_RESOLUTION_MONTH] == 30


def test_stress_floors_net_at_zero():
    # appraisal 100,000, haircut 50 % -> S = 50,000, costs 45,000 (accepted: below S);
    # amount -20 %: S = 40,000 < costs 45,000 -> net 0, costs paid 40,000 (all the proceeds), gross 40,000
    r = one(tape(**{"Collateral appraisal": [100_000.0], "Haircut": [0.5], "Disposal costs": [45_000.0]}),
            amount_stress=0.2)
    assert r[C.NPL_NET] == 0.0
    assert r[C.NPL_COSTS] == pytest.approx(40_000.0)
    assert r[C.NPL_GROSS] == pytest.approx(40_000.0)


def test_pool_by_quarter_and_cumulative_rate():
    # two loans, no costs: X claim 100, S = 200 x 0.5 = 100 -> 100 at auction month 2;
    # Y claim 100, S = 50 -> 50 at litigation month 30 - 26 = 4.  Quarterly: months 1-3 -> 100,
    # months 4-6 -> 50; cumulative recovery rate 100/200 = 0.5, then 150/200 = 0.75
    t = {"Principal": [100.0, 100.0], "Collateral": [200.0, 50.0], "Haircut": [0.5, 0.0],
         "Stage": ["拍卖", "litigation"], "Months in stage": [7, 26]}
    p = mbsxl.recoveries(t, stage_table=STAGES, months_per_period=3)
    assert p[C.NPL_PERIOD].tolist() == [1, 2]
    assert p[C.NPL_GROSS].tolist() == [100.0, 50.0]
    assert p[C.NPL_CUM_RATE].tolist() == [0.5, 0.75]
    assert p[C.NPL_LOANS_RESOLVED].tolist() == [1, 1]


def test_haircut_argument_overrides_the_column():
    # haircut 0.4 for every loan: S = 600,000, net = 560,000
    assert one(tape(), haircut=0.4)[C.NPL_NET] == pytest.approx(560_000.0)
    t = tape()
    del t["Haircut"]
    with pytest.raises(MbsxlInputError, match="haircut is empty"):
        one(t)


def test_user_stage_names_and_a_stage_table_with_a_header():
    t = tape(**{"Legal stage": ["破产 bankruptcy"], "Months in stage": [0]})
    table = [["诉讼阶段 Legal stage", "处置月数 Months to resolution"], ["破产 bankruptcy", 70]]
    assert mbsxl.recovery_loans(t, stage_table=table).iloc[0][C.NPL_RESOLUTION_MONTH] == 70


def test_published_three_year_shape():
    # 20 % / 40 % / 50 % after 12 / 24 / 36 months, linear monthly between: month 6 = 10 %, month 18 = 30 %,
    # month 30 = 45 %; on a claim of 1,200: month 1 recovers 1,200 x 0.2 / 12 = 20
    c = mbsxl.recovery_curve(1200.0, "three_year")
    rate = c[C.NPL_CUM_RATE].to_numpy()
    assert len(c) == 36
    assert rate[[5, 11, 17, 23, 29, 35]] == pytest.approx([0.10, 0.20, 0.30, 0.40, 0.45, 0.50])
    assert c[C.NPL_GROSS].iloc[0] == pytest.approx(20.0)
    assert "reportify.ai/reports/1048339642987974656" in R.PUBLISHED_SHAPES["three_year"][2]


def test_curve_stresses():
    # -50 % amount and 6 months' delay: months 1-6 nothing, month 18 = 0.5 x 20 % = 10 %, last = 25 %
    c = mbsxl.recovery_curve(1.0, "three_year", amount_stress=0.5, delay=6)
    rate = c[C.NPL_CUM_RATE].to_numpy()
    assert len(c) == 42 and np.all(rate[:6] == 0)
    assert rate[17] == pytest.approx(0.10) and rate[-1] == pytest.approx(0.25)


def test_generated_tape_vectorised_equals_a_loan_by_loan_loop():
    # the bench's loop baseline (the rules written out per loan) against the vectorised projection
    import importlib.util
    import pathlib
    spec = importlib.util.spec_from_file_location("bench_npl", pathlib.Path(__file__).parents[1] / "bench" / "bench_npl.py")
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    t = generated_tape(500, seed=7)
    for kw in ({}, dict(amount_stress=0.25, delay=3, cost_stress=1.0)):
        got = mbsxl.recoveries(t, **kw)[[C.NPL_GROSS, C.NPL_COSTS, C.NPL_NET]].to_numpy()
        ref = b.loop_baseline(t, R.DEFAULT_STAGE_TABLE, **kw)
        assert np.abs(got - ref).max() < 1e-6
    assert generated_tape(50, seed=3).equals(generated_tape(50, seed=3))


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("over, match", [
    ({"Collateral appraisal": [-1.0]}, r"Collateral appraisal.*loan 'A' \(row 1\).*out of range"),
    ({"Principal": [-5.0]}, r"Principal.*loan 'A'.*out of range"),
    ({"Interest": [-5.0]}, r"Interest.*loan 'A'"),
    ({"Haircut": [1.2]}, r"Haircut.*loan 'A'.*\[0, 1\]"),
    ({"Haircut": [-0.1]}, r"Haircut.*loan 'A'"),
    ({"Legal stage": ["调解"]}, r"Legal stage.*loan 'A'.*'调解' is not in the stage table"),
    ({"Disposal costs": [750_000.0]}, r"Disposal costs.*loan 'A'.*above the recovery"),
    ({"Months in stage": [2.5]}, r"Months in stage.*loan 'A'.*whole number"),
    ({"Principal": ["abc"]}, r"Principal.*loan 'A'.*not a number"),
])
def test_bad_loan_input_names_the_argument_and_the_loan(over, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.recovery_loans(tape(**over), stage_table=STAGES)


def test_bad_loan_in_a_bigger_tape_is_named():
    t = generated_tape(20, seed=1)
    t.loc[13, C.NPL_COLLATERAL] = -100.0
    with pytest.raises(MbsxlInputError, match=r"loan 'NPL00014' \(row 14\)"):
        mbsxl.recoveries(t)


@pytest.mark.parametrize("curve, match", [
    ([0.1, 0.3, 0.2], r"curve falls at period 3: 0.2 after 0.3"),
    ([0.5, 1.2], r"curve ends above 100% of the claim: period 2 = 1.2"),
    ([20, 40, 50], r"looks like percent"),
    ("five_year", r"not a published shape"),
])
def test_bad_curve(curve, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.recovery_curve(100.0, curve)


@pytest.mark.parametrize("kw, match", [
    (dict(amount_stress=1.5), r"amount_stress=1.5 is out of range"),
    (dict(delay=-1), r"delay=-1"),
    (dict(cost_stress=-0.1), r"cost_stress"),
    (dict(window=0), r"window=0"),
])
def test_bad_stresses(kw, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.recoveries(tape(), stage_table=STAGES, **kw)


def test_missing_column_and_bad_stage_table():
    t = tape()
    del t["Legal stage"]
    with pytest.raises(MbsxlInputError, match=r"no column '诉讼阶段 Legal stage'"):
        mbsxl.recoveries(t)
    with pytest.raises(MbsxlInputError, match=r"stage_table names stage 'Litigation' twice \(row 2\)"):
        mbsxl.recoveries(tape(), stage_table=[["诉讼", 10], ["Litigation", 12]])
    with pytest.raises(MbsxlInputError, match=r"stage_table stage '诉讼' months=-3"):
        mbsxl.recoveries(tape(), stage_table={"诉讼": -3})


def test_market_statistics_have_sources():
    s = mbsxl.npl_market()
    assert len(s) >= 20
    for col in (C.NPL_STAT_TITLE, C.NPL_STAT_PUBLISHER, C.NPL_STAT_URL, C.NPL_STAT_DATE):
        assert s[col].str.len().min() > 0
    assert s[C.NPL_STAT_URL].str.startswith("https://").all()
    # the figures: 84 deals to October 2024, 28 deals in 2024, 73 % / 27 % at period 10
    v = dict(zip(s[C.NPL_STAT], s[C.NPL_STAT_VALUE]))
    assert v["Mortgage NPL deals issued (房贷NPL产品发行单数)"] == 84
    assert v["Mortgage NPL deals issued in 2024"] == 28
    assert v["Average cumulative recovery rate at the 10th recovery period: 2016 deals"] == 0.73
    assert v["Average cumulative recovery rate at the 10th recovery period: 2022 deals"] == 0.27


def test_worksheet_wrappers():
    from mbsxl.excel.functions import npl
    # a range as Excel hands it over: header row, a number stored as text, a blank row at the end
    rng = [["Loan", "Principal", "Interest", "Fees", "Collateral", "Haircut", "Stage", "Months in stage", "Costs"],
           ["A", "800,000", 50_000.0, 10_000.0, 1_000_000.0, 0.3, "诉讼", 6.0, 40_000.0],
           [None] * 9]
    r = npl.MBS_RECOVERYLOANS(rng, None, [["诉讼", 30.0]])
    assert r[C.NPL_NET].tolist() == [660_000.0] and r[C.NPL_RESOLUTION_MONTH].tolist() == [24]
    p = npl.MBS_RECOVERIES(rng, None, [["诉讼", 30.0]], 1, 0.0, 0, 0.0, 6)
    assert len(p) == 4 and p[C.NPL_NET].iloc[3] == pytest.approx(660_000.0)
    c = npl.MBS_RECOVERYCURVE(100.0, [[0.1], [0.3]])
    assert c[C.NPL_GROSS].tolist() == pytest.approx([10.0, 20.0])
    with pytest.raises(Exception, match="#N/A"):
        npl.MBS_RECOVERYLOANS([rng[0], ["A", "#N/A", 0, 0, 1.0, 0.3, "诉讼", 0, 0]])
