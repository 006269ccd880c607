"""Loan repricing (issue 13): hand-computable cases cited to the rules.

Sources of every figure:
- the issue's rules and ``/work/shared/data/README.md``: the 2020 conversion (spread = rate in force - 4.80%,
  the December 2019 LPR 5y), resets on 1 January or the anniversary, the 2023-09-25 first-home floor cut
  (not below the floor of the loan's city at origination) and the 2024-10-25 cap at LPR 5y - 30 bp for
  every loan (not below the city's current floor, where one exists; issue 18 corrected the earlier reading
  of one floor a loan for both rules); new-loan floors of 2019-10-08 (first homes LPR 5y + 0, second homes + 60 bp);
- ``/work/shared/data/lpr.csv`` (LPR 5y: 4.80% from 2019-11-20, 4.65% from 2020-04-20, 4.60% from
  2022-01-20, 4.45% from 2022-05-20, 4.30% from 2022-08-22, 4.20% from 2023-06-20, 3.95% from 2024-02-20,
  3.85% from 2024-07-22, 3.60% from 2024-10-21, 3.50% from 2025-05-20);
- ``/work/shared/data/pboc_benchmark_rates.csv`` (over-5-year lending 4.90% from 2015-10-24);
- numpy-financial's ``pmt`` for the level payment.
Timing convention under test (mbsxl.rates.repricing): a month's rate is the one in force on its first day.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings, strategies as st

import mbsxl
from mbsxl.rates import repricing
from mbsxl.errors import MbsxlInputError


def _rates(table, loan=1):
    t = table[table["Loan"] == loan]
    return dict(zip(t["Date"], t["Rate"]))


def _d(y, m):
    return dt.date(y, m, 1)


# ------------------------------------------------------------------------------- the 2020 conversion
def test_conversion_of_a_588_loan():
    # 1.2 x the 4.90% benchmark = 5.88%; converted spread 5.88% - 4.80% = 1.08%; first 2021 reset on
    # 1 January 2021 reads the LPR 5y in force then, 4.65% (2020-04-20): 4.65% + 1.08% = 5.73%.
    t = mbsxl.loan_rates([100_000.0], [0.0588], [120], "2019-12-01", rate_type="benchmark", multipliers=[1.2],
                         conversion=True)
    r = _rates(t)
    assert all(r[_d(y, m)] == pytest.approx(0.0588, abs=1e-12) for y, m in [(2019, 12), (2020, 3), (2020, 12)])
    row = t[t["Date"] == _d(2021, 1)].iloc[0]
    assert row["Spread"] == pytest.approx(0.0108, abs=1e-12)
    assert row["Index"] == pytest.approx(0.0465, abs=1e-12)
    assert row["Rate"] == pytest.approx(0.0573, abs=1e-12)
    assert "conversion" in t[t["Date"] == _d(2020, 3)].iloc[0]["Event"]
    # 1 January 2022 reads 4.65% again (the 4.60% fixing is 2022-01-20); 1 January 2023 reads 4.30%
    assert r[_d(2022, 1)] == pytest.approx(0.0573, abs=1e-12)
    assert r[_d(2023, 1)] == pytest.approx(0.0430 + 0.0108, abs=1e-12)


def test_conversion_in_the_projection_pays_573_in_january_2021():
    cf = mbsxl.loan_cashflows([100_000.0], [0.0588], [120], start_date="2019-12-01", rate_type="benchmark",
                              multipliers=[1.2], conversion=True)
    jan21 = cf.iloc[13]                                    # month 14 = January 2021
    assert jan21["Gross Interest"] / jan21["Beginning Balance"] * 12 == pytest.approx(0.0573, rel=1e-12)
    dec20 = cf.iloc[12]
    assert dec20["Gross Interest"] / dec20["Beginning Balance"] * 12 == pytest.approx(0.0588, rel=1e-12)


def test_fixed_choice_never_reprices():
    # the borrower took a fixed rate at conversion: 5.88% to the end, through resets and both policy events
    t = mbsxl.loan_rates([100_000.0, 100_000.0], [0.0588, 0.0588], [120, 120], "2019-12-01",
                         rate_type="benchmark", multipliers=1.2, conversion=True, fixed_choice=[True, False],
                         events="standard")
    fixed = t[t["Loan"] == 1]
    assert np.allclose(fixed["Rate"], 0.0588, rtol=0, atol=1e-15)
    assert fixed[fixed["Date"] == _d(2020, 3)]["Event"].tolist() == ["conversion; fixed choice"]
    assert (fixed[fixed["Date"] > _d(2020, 3)]["Event"] == "").all()        # no reset, no event after it
    assert (t[t["Loan"] == 2]["Rate"] < 0.0588 - 1e-9).any()          # the other one does reprice


# ------------------------------------------------------------------------------- reset dates
def test_january_reset_reads_the_lpr_in_force_on_1_january():
    # LPR 5y on 2022-01-01: 4.65% (the 4.60% cut is fixed 2022-01-20); on 2023-01-01: 4.30% (2022-08-22)
    t = mbsxl.loan_rates([1e5], [0.05], [60], "2021-06-01", rate_type="lpr", spreads=[0.005])
    r = _rates(t)
    assert r[_d(2021, 12)] == pytest.approx(0.05, abs=1e-12)            # before the first reset: rates
    assert r[_d(2022, 1)] == pytest.approx(0.0465 + 0.005, abs=1e-12)
    assert r[_d(2022, 12)] == pytest.approx(0.0465 + 0.005, abs=1e-12)
    assert r[_d(2023, 1)] == pytest.approx(0.0430 + 0.005, abs=1e-12)


def test_anniversary_reset_reads_the_lpr_in_force_on_the_anniversary():
    # 2022-05-20 is the day LPR 5y fell from 4.60% to 4.45%: an anniversary on 20 May reads 4.45%,
    # one on 19 May reads 4.60%; both apply from June 2022 (the first month starting after the date).
    # An anniversary on 1 June applies in June and reads 4.45%.
    t = mbsxl.loan_rates([1e5] * 3, [0.055] * 3, [36] * 3, "2021-12-01", rate_type="lpr", spreads=0.0,
                         reset="anniversary", anniversaries=["2016-05-20", "2016-05-19", "2016-06-01"])
    assert _rates(t, 1)[_d(2022, 5)] == pytest.approx(0.055, abs=1e-12)
    assert _rates(t, 1)[_d(2022, 6)] == pytest.approx(0.0445, abs=1e-12)
    assert _rates(t, 2)[_d(2022, 6)] == pytest.approx(0.0460, abs=1e-12)
    assert _rates(t, 3)[_d(2022, 6)] == pytest.approx(0.0445, abs=1e-12)
    # next anniversary, 2023-05-20: 4.20% (2023-06-20 is later: on 2023-05-20 4.30% is in force)
    assert _rates(t, 1)[_d(2023, 6)] == pytest.approx(0.0430, abs=1e-12)


def test_every_n_months_from_the_loan_start():
    # reset every 6 months counted from the loan's first month: age 4 at the start -> resets in months 3, 9, ...
    t = mbsxl.loan_rates([1e5], [0.05], [24], "2022-03-01", rate_type="lpr", spreads=0.001, reset=6, ages=[4])
    r = _rates(t)
    assert r[_d(2022, 4)] == pytest.approx(0.05, abs=1e-12)
    assert r[_d(2022, 5)] == pytest.approx(0.0460 + 0.001, abs=1e-12)        # LPR on 2022-05-01: 4.60%
    assert r[_d(2022, 11)] == pytest.approx(0.0430 + 0.001, abs=1e-12)       # LPR on 2022-11-01: 4.30%


# ------------------------------------------------------------------------------- policy events
def test_2023_and_2024_events_move_the_right_loans():
    # Start January 2023, every loan on the 4.30% LPR of 1 January 2023 (+ its spread), standard events.
    # (Issue 18: the 2023 cut reads the floor at origination, the 2024 cut reads the city's current floor
    # and covers second homes alike; the old expectations of loans A, B, D read one floor for both.)
    # A first home +1.08%, origination floor 0: 2023-09-25 -> spread 0, 4.30% from October 2023;
    #   2024-10-25: spread 0 above -0.30%, no current floor -> -0.30%: 4.20% - 0.30% = 3.90% (4.20% = the
    #   LPR of its current period, read on 1 January 2024) from November 2024.
    # B second home +1.08%: not covered in 2023; 2024 -> -0.30%: 3.90% from November 2024.
    # C first home -0.40%: below both: never moves.
    # D first home +1.08%, origination floor +0.20%: 2023 -> +0.20% (4.50%); 2024 -> -0.30%: 3.90%.
    # E second home +1.08%, current floor -0.10%: 2024 -> max(-0.30%, -0.10%) = -0.10%: 4.10%.
    spreads = [0.0108, 0.0108, -0.004, 0.0108, 0.0108]
    rates = [0.0430 + s for s in spreads]
    t = mbsxl.loan_rates([1e5] * 5, rates, [60] * 5, "2023-01-01", rate_type="lpr", spreads=spreads,
                         events="standard", first_home=["首套", "二套", True, 1, "second"],
                         origination_floors=[0.0, 0.006, 0.0, 0.002, 0.002],
                         current_floors=[None, None, None, None, -0.001])
    r = {k: _rates(t, k) for k in range(1, 6)}
    want = {  # loan: (Sep 2023, Oct 2023, Oct 2024, Nov 2024, Jan 2025 on LPR 3.60%)
        1: (0.0538, 0.0430, 0.0420, 0.0390, 0.0330),
        2: (0.0538, 0.0538, 0.0528, 0.0390, 0.0330),
        3: (0.0390, 0.0390, 0.0380, 0.0380, 0.0320),
        4: (0.0538, 0.0450, 0.0440, 0.0390, 0.0330),
        5: (0.0538, 0.0538, 0.0528, 0.0410, 0.0350),
    }
    for k, w in want.items():
        got = [r[k][d] for d in (_d(2023, 9), _d(2023, 10), _d(2024, 10), _d(2024, 11), _d(2025, 1))]
        assert got == pytest.approx(list(w), abs=1e-12), k
    moved = {k: set(t[(t["Loan"] == k) & t["Event"].str.contains("floor|cap")]["Event"]) for k in range(1, 6)}
    assert moved == {1: {"floor", "cap"}, 2: {"cap"}, 3: set(), 4: {"floor", "cap"}, 5: {"cap"}}


def test_policy_events_table():
    ev = mbsxl.policy_events()
    assert ev.iloc[:, :4].values.tolist()[0][:2] == [dt.date(2023, 9, 25), "floor"]
    assert ev.iloc[1, :5].tolist() == [dt.date(2024, 10, 25), "cap", -0.003, "all", "current"]
    assert ev.iloc[0, 4] == "origination"


def test_a_user_events_table_and_scenario_index():
    # LPR path given as a table (history then a scenario: 3.00% from 2026-01-01); the cap on its own
    rows = [["date", "rule", "value", "covers"], [dt.date(2025, 3, 1), "上限", -0.002, "全部"]]
    t = mbsxl.loan_rates([1e5], [0.045], [36], "2025-01-01", rate_type="LPR", spreads=0.009, events=rows,
                         current_floors=-0.01, index_dates=["2024-10-21", "2026-01-01"], index_rates=[0.036, 0.030])
    r = _rates(t)
    assert r[_d(2025, 2)] == pytest.approx(0.045, abs=1e-12)
    assert r[_d(2025, 3)] == pytest.approx(0.045 - 0.009 - 0.002, abs=1e-12)     # base 3.60% - 0.20%
    assert r[_d(2026, 1)] == pytest.approx(0.030 - 0.002, abs=1e-12)


# ------------------------------------------------------------------------------- level payment
def test_payment_after_each_change_is_pmt_on_the_balance_left():
    t = mbsxl.loan_rates([300_000.0], [0.0588], [240], "2019-12-01", rate_type="benchmark", multipliers=1.2,
                         conversion=True, events="standard", first_home=True)
    bal = 300_000.0
    changes = 0
    for _, row in t.iterrows():
        left = 240 - row["Period"] + 1
        assert row["Balance"] == pytest.approx(bal, rel=1e-10)
        want = float(npf.pmt(row["Rate"] / 12, left, -bal))
        assert row["Payment"] == pytest.approx(want, rel=1e-10)
        changes += bool(row["Event"]) and row["Period"] > 1
        bal -= row["Payment"] - bal * row["Rate"] / 12
    assert changes >= 6 and abs(bal) < 1e-6


# ------------------------------------------------------------------------------- engines
def _tape(n, seed=1):
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["fixed", "benchmark", "lpr"], n)
    return dict(
        balances=rng.uniform(1e5, 1e6, n), rates=rng.uniform(0.045, 0.065, n), remaining_terms=rng.integers(24, 300, n),
        ages=rng.integers(0, 60, n), rate_type=list(kinds), spreads=rng.uniform(-0.003, 0.015, n),
        reset=list(rng.choice(["january", "anniversary", "12", "3"], n)),
        anniversaries=[dt.date(2015, int(m), int(d)) for m, d in zip(rng.integers(1, 13, n), rng.integers(1, 29, n))],
        conversion=True, fixed_choice=list((kinds == "benchmark") & (rng.uniform(size=n) < 0.2)),
        multipliers=rng.choice([0.85, 1.0, 1.1], n), events="standard", first_home=list(rng.uniform(size=n) < 0.7),
        start_date="2019-10-01")


@pytest.mark.parametrize("assume", [
    dict(prepay=0.1, default=0.01, severity=0.3, recovery_lag=6, servicing=0.002),
    dict(prepay=150, prepay_type="PSA", default=100, default_type="SDA", severity=0.2, recovery_lag=9,
         incentive_slope=4.0, incentive_cap=0.45, new_loan_spread=-0.002, advance=False),
])
def test_engines_agree(assume):
    kw = {**_tape(400), **assume}
    ref = mbsxl.loan_cashflows(engine="python", **kw).to_numpy()
    for engine in ("numpy", None):
        got = mbsxl.loan_cashflows(engine=engine, **kw).to_numpy()
        assert np.allclose(got, ref, rtol=1e-9, atol=1e-6), engine


def test_the_kernel_pays_the_rates_of_loan_rates():
    # the projection takes the rule in compact form; the rate it charges each month (gross interest /
    # balance x 12, one loan at a time, no prepayment or default) is the rate mbsxl.loan_rates expands
    kw = _tape(40, seed=3)
    start = kw.pop("start_date")
    table = mbsxl.loan_rates(start_date=start, **{k: v for k, v in kw.items()})
    per_loan = lambda x, i: x[i] if isinstance(x, (list, np.ndarray)) else x      # noqa: E731
    for i in range(40):
        one = {k: [per_loan(v, i)] if isinstance(v, (list, np.ndarray)) else v for k, v in kw.items()}
        if one["rate_type"] != ["benchmark"]:             # conversion applies to benchmark loans only
            one.update(conversion=False, fixed_choice=None)
        for engine in ("python", "numpy", None):
            cf = mbsxl.loan_cashflows(start_date=start, engine=engine, **one)
            rate = (cf["Gross Interest"] / cf["Beginning Balance"] * 12).to_numpy()
            want = table[table["Loan"] == i + 1]["Rate"].to_numpy()
            assert np.allclose(rate, want, rtol=1e-11, atol=1e-12), (i, engine)    # the table rounds to 1e-12


def test_old_benchmark_path_unchanged():
    # the pre-existing arguments (benchmark table + multipliers) and rate_type="benchmark" give the same flows
    br = mbsxl.benchmark_rates()
    kw = dict(prepay=0.1, start_date="2007-11-01", multipliers=[0.85, 0.9, 1.0], margins=[0, 0.001, 0])
    old = mbsxl.loan_cashflows([1e5, 2e5, 3e5], [0.0666, 0.07, 0.0783], [120, 200, 240], benchmark=br, **kw)
    new = mbsxl.loan_cashflows([1e5, 2e5, 3e5], [0.0666, 0.07, 0.0783], [120, 200, 240], benchmark=br,
                               rate_type="benchmark", **kw)
    assert np.allclose(old.to_numpy(), new.to_numpy(), rtol=1e-12, atol=1e-8)


# ------------------------------------------------------------------------------- incentive prepayment
def test_incentive_prepayment_hand_case():
    # a 6% fixed loan from November 2024: LPR 5y on 2024-11-01 is 3.60%, new loans at LPR - 30 bp = 3.30%;
    # CPR = min(cap, max(0, 10% + slope x (6% - 3.30%))): slope 2 -> 15.4%; slope 20 -> 64% capped at 50%;
    # a 2% loan, slope 10: 10% + 10 x (2% - 3.30%) = -3% -> 0.
    base = dict(prepay=0.10, start_date="2024-11-01", new_loan_spread=-0.003, incentive_cap=0.5)
    for rate, slope, cpr in ((0.06, 2.0, 0.154), (0.06, 20.0, 0.5), (0.02, 10.0, 0.0)):
        cf = mbsxl.loan_cashflows([1e5], [rate], [120], incentive_slope=slope, **base)
        assert cf.loc[0, "SMM"] == pytest.approx(1 - (1 - cpr) ** (1 / 12), rel=1e-12, abs=1e-15)
    off = mbsxl.loan_cashflows([1e5], [0.06], [120], prepay=0.10)
    assert mbsxl.loan_cashflows([1e5], [0.06], [120], incentive_slope=0, **base).equals(off)


# ------------------------------------------------------------------------------- invariants
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.005, 0.02), st.booleans(), st.floats(-0.005, 0.008)), min_size=1, max_size=8))
def test_events_never_raise_a_rate(loans):
    spreads = [s for s, _, _ in loans]
    kw = dict(rate_type="lpr", spreads=spreads, first_home=[h for _, h, _ in loans],
              origination_floors=[f for _, _, f in loans], current_floors=[f for _, _, f in loans])
    rates = [0.043 + s for s in spreads]
    p0 = repricing.plan(rates, 48, "2023-01-01", **kw)
    p1 = repricing.plan(rates, 48, "2023-01-01", events="standard", **kw)
    assert (repricing.month_rates(p1) <= repricing.month_rates(p0) + 1e-15).all()


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kw, match", [
    (dict(rate_type="lpr", spreads=1.08), r"spreads=1.08 looks like a percent; pass 0.0108"),
    (dict(rate_type="lpr"), r"spreads is missing"),
    (dict(rate_type="floating", spreads=0.01), r"rate_type='floating' is not one of"),
    (dict(rate_type="lpr", spreads=0.01, reset="monthly"), r"reset='monthly' is not one of"),
    (dict(rate_type="lpr", spreads=0.01, reset="anniversary"), r"needs anniversaries"),
    (dict(rate_type="lpr", spreads=0.01, events=[["2030-01-01", "cap", -0.003, "all"]]),
     r"events row 1 date=2030-01-01 is outside the projection"),
    (dict(rate_type="lpr", spreads=0.01, events=[["2023-09-25", "floor", None, "first"],
                                                 ["2023-09-25", "cap", -0.003, "all"]]),
     r"events: two events on 2023-09-25 cover the same loans"),
    (dict(rate_type="lpr", spreads=0.01, events=[["2023-09-25", "lower", None, "first"]]),
     r"events row 1 rule='lower' is not one of"),
    (dict(rate_type="lpr", spreads=0.01, events=[["2023-09-25", "cap", None, "all"]]), r"events row 1 value is empty"),
    (dict(rate_type="lpr", spreads=0.01, events=[["2023-09-25", "cap", -3, "all"]]),
     r"events row 1 value=-3 looks like a percent"),
    (dict(rate_type="benchmark", multipliers=1.0, fixed_choice=True), r"fixed_choice is given without conversion"),
    (dict(rate_type="lpr", spreads=0.01, conversion=True), r"no loan has rate_type benchmark"),
    (dict(rate_type="lpr", spreads=0.01, index_dates=["2024-06-01"], index_rates=[0.04]),
     r"index_dates: the repricing reads the index on 2024-01-01, before the first row of index_dates"),
    (dict(rate_type="lpr", spreads=0.01, index_dates=["2020-01-01"], index_rates=[4.0]),
     r"index_rates\[1\]=4.0 is not a decimal rate"),
    (dict(rate_type="lpr", spreads=0.01, first_home="third"), r"first_home='third' is not one of"),
])
def test_bad_input_names_the_argument(kw, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.loan_cashflows([1e5], [0.05], [36], start_date="2023-01-01", **kw)


def test_benchmark_rule_out_of_range():
    # 4.90% x 1 - 5% = -0.10%: refused before projecting, naming the loan and the benchmark
    with pytest.raises(MbsxlInputError, match=r"loan 1 reprices to -0.001 at the lowest benchmark \(0.049\)"):
        mbsxl.loan_cashflows([1e5], [0.05], [36], start_date="2019-06-01", rate_type="benchmark", multipliers=1,
                             margins=-0.05)


def test_bad_dates():
    with pytest.raises(MbsxlInputError, match=r"start_date: the repricing reads the index on 2016-01-01, before "
                                              r"the first row of the LPR 5y table"):
        mbsxl.loan_rates([1e5], [0.05], [36], "2015-06-01", rate_type="lpr", spreads=0.01)
    with pytest.raises(MbsxlInputError, match=r"conversion=TRUE but start_date=2021-01-01 is after 2020"):
        mbsxl.loan_rates([1e5], [0.05], [36], "2021-01-01", rate_type="benchmark", multipliers=1, conversion=True)
    with pytest.raises(MbsxlInputError, match=r"start_date is required"):
        mbsxl.loan_cashflows([1e5], [0.05], [36], rate_type="lpr", spreads=0.01)
    with pytest.raises(MbsxlInputError, match=r"loan 1 reprices outside \[servicing=0, 1\] in month 2"):
        mbsxl.loan_cashflows([1e5], [0.05], [36], start_date="2024-12-01", rate_type="lpr", spreads=-0.04)


def test_option_spellings():
    from mbsxl import options as o
    assert [o.rate_type(x) for x in ("固定", "基准", "LPR", "贷款市场报价利率")] == ["fixed", "benchmark", "lpr", "lpr"]
    assert [o.repricing(x) for x in ("每年1月1日", "对月对日", "12", 3.0)] == ["january", "anniversary", 12, 3]
    assert [o.first_home(x) for x in ("首套", "二套", True, 0)] == [True, False, True, False]
    assert [o.event_rule(x) for x in ("下限", "上限")] == ["floor", "cap"]
    assert [o.covers(x) for x in ("首套", "二套", "全部")] == ["first", "second", "all"]
    with pytest.raises(MbsxlInputError, match=r"reset=2.5 is not one of"):
        o.repricing(2.5)
