"""Bad input gets a clear error, never a silent wrong value (issue 11, function level).

Each case was a silent wrong value or a non-ValueError found by a probe of bad calls.  For each: the
Python twin raises ValueError (``MbsxlInputError`` for the new checks) whose message names the argument
and the value, and the Excel path (:func:`mbsxl.excel.dispatch.call`) gives an error code with the
reason ``"MBS_X: ..."``.

Conventions the refusals rest on (sources):

- servicing is deducted from the gross coupon (SIFMA Uniform Practices, Standard Formulas SF-4: the
  net coupon 9.0% of a 9.5% gross pool); a fee above the coupon would make net interest negative;
- the default rate is 0 in a loan's last ``recovery_lag`` months (SF-19 j), so a lag not below the
  term drops every default;
- PSA and SDA speeds are percent numbers: 100% PSA = speed 100, 150% PSA = 150 (SF-6, SF-20);
- price is the present value of the investor's receipts discounted at ``(1 + y/m) ** (m T)`` (SF-48 a),
  which is no discount at all for y <= -100%.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import mbsxl
from mbsxl._validate import MbsxlInputError
from mbsxl.excel import dispatch, errors


def col(*values):
    return [[x] for x in values]


def refused(fn, *args, names=(), **kw):
    """Call ``fn``; it must raise MbsxlInputError whose message contains every string of ``names``."""
    with pytest.raises(ValueError) as e:
        fn(*args, **kw)
    assert isinstance(e.value, MbsxlInputError) or type(e.value) is ValueError
    for s in names:
        assert s in str(e.value), f"{s!r} not in {str(e.value)!r}"
    return str(e.value)


def xl_refused(name, *args, code="#VALUE!", names=()):
    out = dispatch.call(name, *args)
    assert isinstance(out, errors.XlError), f"{name} returned {out!r}"
    assert out.code == code, (out.code, out.reason)
    assert out.reason.startswith(f"{name}: ")
    for s in names:
        assert s in out.reason, f"{s!r} not in {out.reason!r}"
    return out.reason


# --------------------------------------------------------------------------------- servicing > coupon
def test_servicing_above_the_coupon_is_refused():
    refused(mbsxl.cashflows, 1e6, 0.05, 360, servicing=0.06, names=["servicing=0.06", "wac=0.05", "<="])
    refused(mbsxl.loan_cashflows, [100.0, 100.0], [0.05, 0.04], [360, 360], servicing=0.045,
            names=["servicing=0.045", "rates[1]=0.04"])
    refused(mbsxl.oas, 100, 0.05, 120, [1, 10], [0.03, 0.03], servicing=0.06, paths=20,
            names=["servicing=0.06", "wac=0.05"])
    xl_refused("MBS_CASHFLOWS", 1e6, 0.05, 360, 0, "CPR", 0, "CDR", 0, 0, 0.06, names=["servicing=0.06", "wac=0.05"])
    # servicing equal to the coupon is allowed: net interest 0, principal still paid (SF-4 with a 0% net coupon)
    cf = mbsxl.cashflows(1000.0, 0.05, 12, servicing=0.05)
    assert (cf["Net Interest"].abs() < 1e-12).all() and cf["Total Principal"].sum() == pytest.approx(1000.0)


# --------------------------------------------------------------------------------- PSA speeds
def test_psa_speed_given_as_a_fraction_is_refused():
    # "150%" text and a percent-formatted cell holding 150% both arrive as 1.5: refused, asking for 150
    reason = xl_refused("MBS_PSA", 30, "150%", names=["speed=1.5", "pass 150", "100% PSA = speed 100"])
    assert "150%" in reason
    refused(mbsxl.psa, 30, 1.5, names=["speed=1.5", "pass 150"])
    refused(mbsxl.sda, 30, 2, names=["speed=2", "pass 200"])
    refused(mbsxl.cashflows, 1e6, 0.08, 360, prepay=1.5, prepay_type="PSA", names=["prepay=1.5", "pass 150"])
    refused(mbsxl.oas, 100, 0.06, 120, [1, 10], [0.03, 0.03], prepay=1.5, prepay_type="PSA", paths=20,
            names=["prepay=1.5"])
    # SF-6: 150% PSA is 1.5 x 0.2% x month up to 30, i.e. 9% CPR at month 30; speed 0 stays allowed
    assert mbsxl.psa(30, 150) == pytest.approx(0.09)
    assert mbsxl.psa(30, 0) == 0.0
    assert dispatch.call("MBS_PSA", 30, 150) == pytest.approx(0.09)


# --------------------------------------------------------------------------------- recovery lag
def test_recovery_lag_not_below_the_term_is_refused():
    msg = refused(mbsxl.cashflows, 1e6, 0.08, 12, default=0.05, recovery_lag=24,
                  names=["recovery_lag=24", "wam=12", "SF-19"])
    assert "at most 11" in msg
    refused(mbsxl.loan_cashflows, [100.0], [0.06], [12], default=0.05, recovery_lag=12,
            names=["recovery_lag=12", "remaining_terms=12"])
    xl_refused("MBS_CASHFLOWS", 1e6, 0.08, 12, 0, "CPR", 0.05, "CDR", 0.3, 24, names=["recovery_lag=24", "wam=12"])
    # without defaults the lag changes nothing and is accepted
    assert len(mbsxl.cashflows(1e6, 0.08, 12, recovery_lag=24)) == 12


# --------------------------------------------------------------------------------- rate-like bounds
def test_margins_and_multipliers_are_bounded():
    br = mbsxl.benchmark_rates()
    kw = dict(benchmark=br, start_date="2008-01-01")
    refused(mbsxl.loan_cashflows, [100.0], [0.06], [36], margins=1e6, **kw, names=["margins=1000000", "0.2"])
    refused(mbsxl.loan_cashflows, [100.0], [0.06], [36], margins=1.5, **kw, names=["margins=1.5", "percent",
                                                                                  "0.015"])
    refused(mbsxl.loan_cashflows, [100.0], [0.06], [36], multipliers=10, **kw, names=["multipliers[0]=10"])
    # a margin that takes the reset rate below zero: the loan, the rate and the parts are named
    refused(mbsxl.loan_cashflows, [100.0], [0.06], [36], multipliers=1, margins=-0.1, **kw,
            names=["loan 1 reprices to", "margins (-0.1)"])
    refused(mbsxl.oas, 100, 0.06, 120, [1, 10], [0.03, 0.03], mortgage_spread=1e6, paths=20,
            names=["mortgage_spread=1000000"])
    refused(mbsxl.loan_rate_path, 0.06, br, "2008-06-01", 24, multiplier=0.85, margin=1e6, names=["margin=1000000"])


def test_benchmark_not_a_table_is_a_value_error():
    for bad in ("junk", 5, [1, 2], [("2008-01-01", "x")]):
        refused(mbsxl.loan_cashflows, [100.0], [0.06], [24], benchmark=bad, start_date="2008-01-01",
                multipliers=1, names=["benchmark", "(date, rate) rows"])


# --------------------------------------------------------------------------------- tranches
def test_classes_above_the_collateral_are_refused():
    pool = mbsxl.cashflows(1000.0, 0.06, 12)
    refused(mbsxl.tranches, pool, None, None, ["A", "B"], [6000, 4000], [0.04, 0.05],
            names=["tranche_balances sum to 10000", "1000"])
    p, i = pool["Total Principal"], pool["Net Interest"]
    refused(mbsxl.tranche_stats, p, i, None, ["A"], [5000], [0.04], pool_balance=1000,
            names=["5000", "pool_balance = 1000"])
    table = dispatch.call("MBS_CASHFLOWS", 1000, 0.06, 12)
    xl_refused("MBS_TRANCHES", table, None, None, col("A", "B"), col(6000, 4000), col(0.04, 0.05),
               names=["tranche_balances sum to 10000"])
    # classes equal to the pool are repaid in full (the SF waterfall passes all principal through)
    s = mbsxl.tranche_stats(pool, None, None, ["A", "B"], [600, 400], [0.04, 0.05])
    assert s["Total Principal"].sum() == pytest.approx(1000.0)


# --------------------------------------------------------------------------------- price / yield
def test_flows_with_nothing_received_are_refused():
    for fn, arg in ((mbsxl.price, 0.05), (mbsxl.yield_, 99), (mbsxl.duration, 0.05), (mbsxl.convexity, 0.05)):
        refused(fn, [-1, -1, -101], arg, names=["cash_flows has no positive flow", "-1"])
    refused(mbsxl.price, [0, 0, 0], 0.05, names=["cash_flows has no positive flow"])
    xl_refused("MBS_PRICE", col(-1, -1, -101), 0.05, names=["cash_flows has no positive flow"])
    refused(mbsxl.wal, [10, -5], names=["principal[1]=-5"])


@pytest.mark.parametrize("y", [-1.0, -1.5, -2.0])
def test_yields_at_or_below_minus_100_percent_are_refused(y):
    for m in (1, 2, 12):
        refused(mbsxl.price, [1, 1, 101], y, compounding=m, names=[f"yield_={y:g}", "-100%"])
    refused(mbsxl.convert_yield, y, 2, 12, names=[f"y={y:g}"])
    xl_refused("MBS_PRICE", col(1, 1, 101), y, names=[f"yield_={y:g}"])
    # just above -100% is a (strange but) valid yield: the price is finite and above the undiscounted sum
    assert np.isfinite(mbsxl.price([1, 1, 101], -0.99, compounding=1)) and mbsxl.price([1, 1, 101], -0.99,
                                                                                       compounding=1) > 103


# --------------------------------------------------------------------------------- #NUM! with a reason
def test_overflowing_totals_are_refused_with_a_reason():
    refused(mbsxl.strat, [1, 2], [1e308, 1e308], [1], names=["balances", "1e+308", "overflow"])
    refused(mbsxl.pool_summary, [1e308, 1e308], names=["balances", "overflow"])
    xl_refused("MBS_STRAT", col(1, 2), col(1e308, 1e308), col(1), names=["overflow"])
    xl_refused("MBS_POOLSUMMARY", col(1e308, 1e308), names=["overflow"])


def test_an_exact_fit_leaves_t_empty_not_infinite():
    # y = 1 + 2x exactly: standard errors 0 and t undefined (as F and Durbin-Watson for NIST Wampler1)
    x = np.arange(10.0)
    out = dispatch.call("MBS_REGRESS", col(*(1 + 2 * x)), col(*x))
    assert isinstance(out, list)
    assert not any(c == "#NUM!" for row in out for c in row)
    header = out[0]
    assert out[1][header.index("t")] == "" and out[1][header.index("Std Error")] == 0.0


def test_a_num_cell_inside_a_result_carries_a_reason():
    out = dispatch.call("MBS_PREDICT", col(1.0, 2.1, 2.9, 4.2, 4.9, 6.1), col(1, 2, 3, 4, 5, 6.5), col(1e300))
    assert any(c == "#NUM!" for row in out for c in row)
    assert "infinite or too large" in errors.last_reason("MBS_PREDICT")


# --------------------------------------------------------------------------------- Python twins
def test_loan_cashflows_junk_benchmark_is_a_value_error_naming_it():
    msg = refused(mbsxl.loan_cashflows, [100.0], [0.06], [24], benchmark="junk", start_date="2008-01-01",
                  multipliers=1, names=["benchmark='junk'", "(date, rate) rows"])
    assert "IndexError" not in msg


@pytest.mark.parametrize("fn", [mbsxl.smm, mbsxl.cpr, mbsxl.mdr, mbsxl.cdr])
def test_booleans_are_not_rates(fn):
    refused(fn, True, names=["True", "logical"])
    refused(fn, np.array([True, False]), names=["logical"])
    xl_refused({mbsxl.smm: "MBS_SMM", mbsxl.cpr: "MBS_CPR", mbsxl.mdr: "MBS_MDR", mbsxl.cdr: "MBS_CDR"}[fn], True)


def test_booleans_are_not_balances_or_flows():
    refused(mbsxl.loan_cashflows, [True, False], [0.06], [24], names=["balances", "logical"])
    refused(mbsxl.price, [True, False], 0.05, names=["cash_flows", "logical"])
    refused(mbsxl.strat, [1, 2], [True, False], [1], names=["balances", "logical"])


def test_regress_refuses_infinities_by_row():
    refused(mbsxl.regress, [1, 2, np.inf, 4, 5], [1, 2, 3, 4, 6], names=["y row 3", "inf"])
    refused(mbsxl.regress, [1, 2, 3, 4, 5], np.array([[1, 2], [2, 3], [3, -np.inf], [4, 5], [6, 1]]),
            names=["x row 3, column 2", "-inf"])
    refused(mbsxl.predict, [1, 2, 3, 4, 5.5], [1, 2, 3, 4, 5], np.array([[np.inf]]), names=["x_new row 1"])


def test_pool_summary_refuses_a_nan_balance():
    refused(mbsxl.pool_summary, [np.nan, 1.0], names=["balances[0] is NaN"])


def test_no_type_index_or_key_error_reaches_the_user():
    # each of these raised TypeError, IndexError or KeyError before
    calls = [
        lambda: mbsxl.smm({}), lambda: mbsxl.psa(object()), lambda: mbsxl.smm_from_factors({}, 1, 1, 1),
        lambda: mbsxl.short_rate_paths([1, 10], [0.03, 0.04], [], paths=10),
        lambda: mbsxl.strat(None, [1.0], [1]),
        lambda: mbsxl.tranches(mbsxl.cashflows(100.0, 0.06, 12), None, None, 0, [100], [0.05]),
        lambda: mbsxl.loan_rate_path(None, mbsxl.benchmark_rates(), "2008-06-01", 24),
        lambda: mbsxl.loan_rate_path(0.06, mbsxl.benchmark_rates(), "2008-06-01", float("inf")),
        lambda: mbsxl.refi_cpr(np.array([[0.05]]), [40], "junk"),
        lambda: mbsxl.path_cashflows({}, 0.06, 12),
    ]
    for c in calls:
        with pytest.raises(ValueError):
            c()


def test_dates_still_work_after_the_checks():
    # guard: the new benchmark checks accept datetime.date rows (PBoC table as rows)
    rows = [(dt.date(2007, 12, 21), 0.0783), (dt.date(2008, 12, 23), 0.0594)]
    cf = mbsxl.loan_cashflows([100.0], [0.0783], [36], benchmark=rows, start_date="2008-01-01", multipliers=0.85)
    assert len(cf) == 36


def test_psa_sda_month_above_cap_refused():
    # SF-6 / SF-20 curves are defined by loan month; a month number above the 600-month cap (50 years,
    # mbsxl._validate.MAX_MONTHS, the cap of every term and age) is a typing error, not a plateau value.
    refused(mbsxl.psa, 601, 100, names=("age=601", "600"))
    refused(mbsxl.sda, 10_000, 100, names=("age=10000", "600"))
    assert mbsxl.psa(600, 100) == pytest.approx(0.06)        # SF-6 plateau: 6% CPR at 100% PSA
    code = dispatch.call("MBS_PSA", 601, 100)
    assert isinstance(code, errors.XlError) and "age=601" in errors.last_reason()


def test_smm_from_factors_above_one_refused():
    # SF-5/SF-7: a pool factor is the outstanding balance per unit of original balance, so it lies in
    # [0, 1]; 85.15 (a percent typed for 0.8515) would give a meaningless SMM.
    refused(mbsxl.smm_from_factors, 85.150625, 0.84732282, 0.99213300, 0.99157471, names=("factor_begin=85.1506", "[0, 1]"))
    refused(mbsxl.smm_from_factors, 0.85150625, 0.84732282, 1.2, 0.99157471, names=("scheduled_balance_begin=1.2",))
    # the SF-7 example still gives its published SMM 0.4353%
    assert mbsxl.smm_from_factors(0.85150625, 0.84732282, 0.99213300, 0.99157471) == pytest.approx(0.004353, abs=5e-7)
