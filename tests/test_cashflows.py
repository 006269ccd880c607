"""Cash-flow engines against the SIFMA/BMA Standard Formulas (chapter SF) and numpy-financial."""
import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import assume, given, settings, strategies as st

import mbsxl
from mbsxl.pool.projection import COLUMNS


def test_columns_exact():
    # issue 2: the columns the Excel layer uses as headers, named exactly so
    cf = mbsxl.cashflows(100.0, 0.06, 12)
    assert list(cf.columns) == COLUMNS == [
        "Period", "Beginning Balance", "Scheduled Payment", "Gross Interest", "Servicing Fee",
        "Net Interest", "Scheduled Principal", "Prepayment", "Default", "Loss", "Recovery",
        "Total Principal", "Cash Flow", "Ending Balance", "SMM", "MDR"]


def test_sf4_first_month_150psa():
    # SF-4: 9.0% net / 9.5% gross, 360 months, 150% PSA, month 1 per unit of par.
    cf = mbsxl.cashflows(1.0, 0.095, 360, prepay=150, prepay_type="PSA", servicing=0.005).iloc[0]
    assert round(cf["Scheduled Principal"], 8) == 0.00049188
    assert round(cf["Prepayment"], 8) == 0.00025022
    assert round(cf["Gross Interest"], 8) == 0.00791667
    assert round(cf["Servicing Fee"], 8) == 0.00041667
    assert round(cf["Total Principal"], 8) == 0.00074210
    assert round(cf["Net Interest"], 8) == 0.00750000
    assert round(cf["Cash Flow"], 8) == 0.00824210


# SF-22 (Section C.6, "Numerical Examples of SDA"): cumulative defaults, % of original balance, for an
# 8% WAC 30-year pool, 12 months to liquidation; rows % PSA, columns % SDA.
SF22_MATRIX = {
    100: [1.56, 3.09, 4.59, 6.08, 7.53, 8.97],
    150: [1.40, 2.78, 4.13, 5.47, 6.79, 8.08],
    200: [1.26, 2.51, 3.74, 4.95, 6.14, 7.32],
    300: [1.05, 2.08, 3.10, 4.11, 5.10, 6.08],
}


@pytest.mark.parametrize("psa", sorted(SF22_MATRIX))
def test_sf22_cumulative_default_matrix(psa):
    got = [round(100 * mbsxl.cashflows(1.0, 0.08, 360, prepay=psa, prepay_type="PSA", default=sda,
                                       default_type="SDA", severity=0.2, recovery_lag=12)["Default"].sum(), 2)
           for sda in (50, 100, 150, 200, 250, 300)]
    assert got == SF22_MATRIX[psa]


def test_sf_cash_flow_b_structure():
    # SF-31..38 "Cash Flow B": 8% WAC, 360 months, 150% PSA, 100% SDA, 12-month lag, 20% severity, P&I advanced.
    cf = mbsxl.cashflows(100_000_000, 0.08, 360, prepay=150, prepay_type="PSA", default=100,
                         default_type="SDA", severity=0.2, recovery_lag=12, advance=True)
    # month 1 by the SF-18 definitions, computed here independently of the engine
    r = 0.08 / 12
    f = r / ((1 + r) ** 360 - 1)
    mdr = -np.expm1(np.log1p(-0.0002) / 12)      # 1 - (1 - CDR)^(1/12), month 1 of 100% SDA: 0.02%
    smm = -np.expm1(np.log1p(-0.003) / 12)       # month 1 of 150% PSA: CPR 0.3%
    nd = 1e8 * mdr
    act_am = (1e8 - nd) * f
    vol = 1e8 * (1 - f) * smm
    first = cf.iloc[0]
    assert first["Default"] == pytest.approx(nd, rel=1e-12)
    assert first["Prepayment"] == pytest.approx(vol, rel=1e-12)
    assert first["Scheduled Principal"] == pytest.approx(act_am + nd * f, rel=1e-12)   # ACT AM + AM DEF
    assert first["Gross Interest"] == pytest.approx(1e8 * r, rel=1e-12)               # advanced: on PERF + FCL
    # first liquidation in month 13; severity 20% of the balance at default (SF-18 PRIN LOSS)
    assert cf["Loss"].iloc[:12].sum() == 0
    assert cf["Loss"].iloc[12] == pytest.approx(0.2 * nd, rel=1e-12)
    # SF-19 j: no new defaults in the last 12 months; everything liquidated by the end
    assert cf["Default"].iloc[-12:].sum() == 0
    assert cf["Ending Balance"].iloc[-1] == pytest.approx(0, abs=1e-6)
    # SF-22 matrix: cumulative default 2.78% at 150% PSA / 100% SDA
    assert round(100 * cf["Default"].sum() / 1e8, 2) == 2.78


def test_no_advance_interest_stops_at_default():
    # SF-18: without advances, ACT INT = (PERF BAL - NEW DEF) x rate and AM DEF = 0.
    cf = mbsxl.cashflows(1e6, 0.06, 120, default=0.01, default_type="MDR", severity=0.3, recovery_lag=6,
                         advance=False)
    r = 0.005
    assert cf["Gross Interest"].iloc[0] == pytest.approx((1e6 - 1e4) * r, rel=1e-12)
    f = r / ((1 + r) ** 120 - 1)
    assert cf["Scheduled Principal"].iloc[0] == pytest.approx((1e6 - 1e4) * f, rel=1e-12)
    # unamortised defaulted balance liquidated 6 months later: loss 30%, recovery 70%
    assert cf["Loss"].iloc[6] == pytest.approx(0.3 * 1e4, rel=1e-12)
    assert cf["Recovery"].iloc[6] == pytest.approx(0.7 * 1e4, rel=1e-12)


@pytest.mark.parametrize("rate, n", [(0.0783, 240), (0.06655, 360), (0.045, 12), (0.0, 60)])
def test_scheduled_flows_equal_numpy_financial(rate, n):
    # with no prepayment and no default, principal and interest are numpy-financial's ppmt / ipmt
    cf = mbsxl.cashflows(1_000_000.0, rate, n)
    per = np.arange(1, n + 1)
    if rate == 0:
        ppmt, ipmt = np.full(n, 1_000_000.0 / n), np.zeros(n)
    else:
        ppmt = -npf.ppmt(rate / 12, per, n, 1_000_000.0)
        ipmt = -npf.ipmt(rate / 12, per, n, 1_000_000.0)
    assert cf["Scheduled Principal"].to_numpy() == pytest.approx(ppmt, rel=1e-9, abs=1e-7)
    assert cf["Gross Interest"].to_numpy() == pytest.approx(ipmt, rel=1e-9, abs=1e-7)


def test_level_principal():
    # 等额本金: equal principal each month = balance / term; interest on the declining balance
    cf = mbsxl.cashflows(360_000.0, 0.06, 360, amortization="level_principal")
    assert cf["Scheduled Principal"].to_numpy() == pytest.approx(np.full(360, 1000.0))
    assert cf["Gross Interest"].to_numpy() == pytest.approx(0.005 * (360_000.0 - 1000.0 * np.arange(360)))


def _tape(n, seed=3):
    rng = np.random.default_rng(seed)
    return (rng.uniform(5e4, 2e6, n), rng.uniform(0.04, 0.08, n), rng.integers(12, 360, n),
            rng.integers(0, 60, n), rng.integers(0, 2, n))


@pytest.mark.parametrize("assume", [
    dict(prepay=0.2, default=0.02, severity=0.3, recovery_lag=12, servicing=0.0025),
    dict(prepay=150, prepay_type="PSA", default=100, default_type="SDA", severity=0.2, recovery_lag=12),
    dict(prepay=[0.4, 0.1, 0.2], default=[0.001, 0.01], default_type="MDR", severity=0.5, recovery_lag=0,
         advance=False),
])
def test_identical_loans_equal_pool(assume):
    # issue 2: where every loan is identical the loan-level engine agrees with the pool engine to 1e-9
    pool = mbsxl.cashflows(3 * 250_000.0, 0.0666, 240, age=7, **assume)
    loans = mbsxl.loan_cashflows([250_000.0] * 3, [0.0666] * 3, [240] * 3, ages=[7] * 3, **assume)
    assert np.allclose(loans.to_numpy(), pool.to_numpy(), rtol=1e-9, atol=1e-9 * 750_000)


def test_engines_agree():
    b, r, t, a, am = _tape(300)
    kw = dict(prepay=150, prepay_type="PSA", default=200, default_type="SDA", severity=0.25,
              recovery_lag=9, servicing=0.003, ages=a, amortization=am)
    ref = mbsxl.loan_cashflows(b, r, t, engine="python", **kw).to_numpy()
    for engine in ("numpy", None):
        got = mbsxl.loan_cashflows(b, r, t, engine=engine, **kw).to_numpy()
        assert np.allclose(got, ref, rtol=1e-9, atol=1e-6)


def test_loan_level_is_sum_of_single_loans():
    b, r, t, a, am = _tape(5)
    kw = dict(prepay=0.15, default=0.01, severity=0.4, recovery_lag=3)
    pool = mbsxl.loan_cashflows(b, r, t, ages=a, amortization=am, **kw)
    total = None
    for i in range(5):
        one = mbsxl.cashflows(b[i], r[i], int(t[i]), age=int(a[i]),
                              amortization="level_principal" if am[i] else "level_payment", **kw)
        one = one.reindex(range(pool.shape[0])).fillna(0.0)
        total = one if total is None else total + one
    for col in ["Scheduled Principal", "Prepayment", "Default", "Loss", "Recovery", "Cash Flow", "Ending Balance"]:
        assert pool[col].to_numpy() == pytest.approx(total[col].to_numpy(), rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(balance=st.floats(1.0, 1e9), wac=st.floats(0.0, 0.2), wam=st.integers(1, 480),
       cpr=st.floats(0, 1), cdr=st.floats(0, 1), sev=st.floats(0, 1), lag=st.integers(0, 24),
       advance=st.booleans(), lp=st.booleans())
def test_principal_conserved_and_nonnegative(balance, wac, wam, cpr, cdr, sev, lag, advance, lp):
    assume(lag < wam or cdr == 0)       # a lag not below the term is refused (SF-19 j would drop every default)
    cf = mbsxl.cashflows(balance, wac, wam, prepay=cpr, default=cdr, severity=sev, recovery_lag=lag,
                         advance=advance, amortization="level_principal" if lp else "level_payment")
    # scheduled + prepaid + defaulted-and-liquidated (recovery + loss) = starting balance, run to term
    out = cf["Scheduled Principal"].sum() + cf["Prepayment"].sum() + cf["Recovery"].sum() + cf["Loss"].sum()
    assert out == pytest.approx(balance, rel=1e-9)
    assert cf["Ending Balance"].iloc[-1] == pytest.approx(0.0, abs=1e-9 * balance)
    num = cf.drop(columns=["Period"]).to_numpy()
    assert (num >= -1e-9 * balance).all()
    # each month: beginning - ending = principal paid + loss
    flow = cf["Beginning Balance"] - cf["Ending Balance"]
    assert np.allclose(flow, cf["Total Principal"] + cf["Loss"], rtol=1e-9, atol=1e-9 * balance)


def test_vector_last_value_holds():
    cf = mbsxl.cashflows(1e6, 0.06, 24, prepay=[0.1, 0.2], prepay_type="SMM")
    # the last month amortises the whole balance, so nothing is left to prepay: its SMM is 0 by convention
    assert cf["SMM"].to_numpy() == pytest.approx([0.1] + [0.2] * 22 + [0.0])


def test_psa_uses_age():
    # a pool seasoned 10 months is in PSA month 11 in its first projected month (SF-6)
    cf = mbsxl.cashflows(1e6, 0.06, 300, prepay=100, prepay_type="PSA", age=10)
    assert cf["SMM"].iloc[0] == pytest.approx(mbsxl.smm(mbsxl.psa(11)))
    assert cf["SMM"].iloc[25] == pytest.approx(mbsxl.smm(0.06))


def test_floating_reprices_on_1_january():
    # PBoC over-5-year rate: 7.83% in force on 1 Jan 2008, 5.94% on 1 Jan 2009 (data/pboc_benchmark_rates.csv)
    br = mbsxl.benchmark_rates("lending_over_5y")
    cf = mbsxl.loan_cashflows([1_000_000.0], [0.0783 * 0.85], [240], benchmark=br, start_date="2008-01-01",
                              multipliers=[0.85])
    r1, r2 = 0.0783 * 0.85 / 12, 0.0594 * 0.85 / 12
    bal12 = cf["Ending Balance"].iloc[11]
    assert cf["Gross Interest"].iloc[0] == pytest.approx(1_000_000.0 * r1)
    assert cf["Gross Interest"].iloc[12] == pytest.approx(bal12 * r2)
    # the level payment is recomputed on the new rate over the 228 months left
    assert cf["Scheduled Payment"].iloc[12] == pytest.approx(-npf.pmt(r2, 228, bal12))
    assert cf["Scheduled Payment"].iloc[0] == pytest.approx(-npf.pmt(r1, 240, 1_000_000.0))


@pytest.mark.parametrize("kwargs, words", [
    (dict(balance=-1), ["balance=-1"]),
    (dict(wac=8), ["wac=8 looks like a percent; pass 0.08"]),
    (dict(wam=12.5), ["wam=12.5", "whole"]),
    (dict(wam=0), ["wam=0", "positive whole"]),
    (dict(prepay=1.5), ["prepay=1.5", "percent"]),
    (dict(prepay=[0.1, -0.2]), ["prepay[1]=-0.2"]),
    (dict(prepay=0.1, prepay_type="ABS"), ["prepay_type='ABS'", "CPR, SMM, PSA"]),
    (dict(default_type="XYZ"), ["default_type='XYZ'", "CDR, MDR, SDA"]),
    (dict(severity=1.2), ["severity=1.2"]),
    (dict(severity=float("nan")), ["severity is NaN"]),
    (dict(recovery_lag=-1), ["recovery_lag=-1"]),
    (dict(amortization="balloon"), ["amortization='balloon'", "level_payment"]),
    (dict(advance="maybe"), ["advance='maybe'"]),
])
def test_bad_input(kwargs, words):
    args = dict(balance=1e6, wac=0.06, wam=120)
    args.update(kwargs)
    with pytest.raises(ValueError) as e:
        mbsxl.cashflows(**args)
    for w in words:
        assert w in str(e.value)


def test_loan_level_bad_input():
    with pytest.raises(ValueError, match="rates has 2 values but balances has 3"):
        mbsxl.loan_cashflows([1, 2, 3], [0.05, 0.05], [10, 10, 10])
    with pytest.raises(ValueError, match=r"rates\[1\]=6 looks like a percent"):
        mbsxl.loan_cashflows([1, 2], [0.05, 6], [10, 10])
    with pytest.raises(ValueError, match=r"balances\[0\]=-5 is below 0"):
        mbsxl.loan_cashflows([-5, 2], [0.05, 0.05], [10, 10])
    with pytest.raises(ValueError, match="start_date is required"):
        mbsxl.loan_cashflows([1], [0.05], [10], benchmark=mbsxl.benchmark_rates(), multipliers=[1])
