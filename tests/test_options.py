"""Issue 12: one home for each convention (mbsxl.options, mbsxl.dates), one input error type, plain package."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import mbsxl
from mbsxl import dates, options
from mbsxl.errors import MbsxlInputError
from mbsxl.excel import dispatch, errors


@pytest.mark.parametrize("spelling, want", [("等额本息", "level_payment"), ("Level-Payment", "level_payment"),
                                            ("annuity", "level_payment"), ("等额本金", "level_principal")])
def test_amortization_spellings(spelling, want):
    assert options.amortization(spelling) == want
    lp = want == "level_principal"
    a = mbsxl.cashflows(1200.0, 0.06, 12, amortization=spelling)
    b = mbsxl.cashflows(1200.0, 0.06, 12, amortization="level_principal" if lp else "level_payment")
    assert a.equals(b)


def test_refusals_are_input_errors_with_the_accepted_values():
    for fn, bad, text in [(options.basis, "act/999", "basis='act/999' is not one of 30/360, act/365, act/360"),
                          (options.structure, "random", "structure='random' is not one of sequential, pro_rata"),
                          (options.prepay_type, "ABS", "prepay_type='ABS' is not one of CPR, SMM, PSA"),
                          (options.series, "libor", "series='libor' is not one of deposit_1y")]:
        with pytest.raises(MbsxlInputError, match=text.split(" is not")[0]) as e:
            fn(bad)
        assert str(e.value).startswith(text)
    assert options.compounding("Semiannual") == 2 and options.compounding("12") == 12
    assert options.structure("比例") == "pro_rata" and options.series("Deposit_1Y") == "deposit_1y"


def test_dates_one_parser_and_month_arithmetic():
    assert dates.as_date("d", "2008-01-31") == dt.date(2008, 1, 31)
    assert dates.as_date("d", np.datetime64("2008-01-31")) == dt.date(2008, 1, 31)
    assert dates.as_date("d", None, optional=True) is None
    assert dates.add_months(dt.date(2008, 1, 31), 1) == dt.date(2008, 2, 29)
    assert dates.add_months(dt.date(2007, 12, 14), 1, day=26) == dt.date(2008, 1, 26)
    assert dates.add_months(dt.date(2008, 3, 31), -1) == dt.date(2008, 2, 29)
    with pytest.raises(MbsxlInputError, match="is not a date"):
        dates.as_date("start_date", "yesterday")


def test_a_bug_is_never_shown_as_bad_input():
    """A ValueError raised inside numpy is an internal error naming its type; MbsxlInputError is the reason."""
    bug = errors.one_line("MBS_X", ValueError("operands could not be broadcast together"))
    assert bug == "MBS_X: internal error (ValueError: operands could not be broadcast together); please report"
    assert errors.one_line("MBS_X", MbsxlInputError("wac=8 looks like a percent; pass 0.08")) == \
        "MBS_X: wac=8 looks like a percent; pass 0.08"
    assert "internal error (TypeError" in errors.one_line("MBS_X", TypeError("bad operand"))
    r = dispatch.call("MBS_SMM", 8)
    assert r.reason == "MBS_SMM: cpr=8 looks like a percent; pass 0.08"


def test_plain_package_modules_are_reachable():
    import mbsxl.pool.projection
    import mbsxl.stats.regression
    import mbsxl.pool.stratification
    assert callable(mbsxl.cashflows) and callable(mbsxl.strat) and callable(mbsxl.regress)
    assert mbsxl.pool.projection.cashflows is mbsxl.cashflows and mbsxl.stats.regression.regress is mbsxl.regress
    assert mbsxl.MbsxlInputError is MbsxlInputError and issubclass(MbsxlInputError, ValueError)


def test_regression_named_attributes_and_display_outside_the_core():
    from mbsxl import columns as C
    from mbsxl.stats import tables
    r = mbsxl.regress([1.0, 2.1, 2.9, 4.2, 4.9, 6.2], [1, 2, 3, 4, 5, 6])
    assert r.nobs == 6 and r.df_resid == 4 and r.df_model == 1
    assert r.stats[C.R2] == r.rsquared and r.stats[C.F_STAT] == r.fvalue
    t = tables.regression_table(r)
    assert list(t.columns) == C.COEF_COLUMNS and t.equals(r.table())


def test_path_cashflows_takes_every_spelling_cashflows_takes():
    """Issue 12: the OAS path flows accept the same option spellings as mbsxl.cashflows (等额本金 was
    refused there); and equal them (SF-4 level principal, zero prepayment: 1/n of par a month)."""
    import numpy as np

    import mbsxl
    cf, pr = mbsxl.path_cashflows(np.zeros((1, 4)), 0.12, 4, amortization="等额本金")
    np.testing.assert_allclose(pr[0], [25.0, 25.0, 25.0, 25.0])
    ref = mbsxl.cashflows(100.0, 0.12, 4, amortization="等额本金")
    np.testing.assert_allclose(cf[0], ref["Cash Flow"].to_numpy(), atol=1e-12)


def test_curve_compounding_spellings():
    from mbsxl import options
    assert [options.curve_compounding(x) for x in ("continuous", 0, "semiannual", 12)] == [0, 0, 2, 12]
    with pytest.raises(ValueError, match="compounding=7 is not one of"):
        options.curve_compounding(7)


def test_oas_result_table_is_built_from_named_attributes():
    """Issue 12: the OAS result has named attributes; its display table is built outside the core
    (mbsxl.stats.tables), rows in columns.OAS_ROWS, each value the attribute it names."""
    from mbsxl import columns
    from mbsxl.stats import tables
    from mbsxl.pricing.valuation import OASResult
    r = OASResult(oas=0.0123, price_std_error=0.05, effective_duration=4.2, effective_convexity=-0.8,
                  paths=1000, model_price=101.5, zspread=0.011, seconds=0.1)
    t = tables.oas_table(r)
    assert t["Measure"].tolist() == columns.OAS_ROWS
    assert dict(zip(t["Measure"], t["Value"])) == {
        "OAS": 0.0123, "Price std error": 0.05, "Effective duration": 4.2, "Effective convexity": -0.8,
        "Paths": 1000.0, "Model price": 101.5, "Z-spread (zero vol)": 0.011}
    assert r.table().equals(t)
