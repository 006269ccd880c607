"""MBS_REGRESS, MBS_PREDICT, MBS_LOGIT as registered worksheet functions, called with raw cell values.

Expected figures come from statsmodels fitting the same complete rows (independent library).
"""
from __future__ import annotations


import numpy as np
import pytest
import statsmodels.api as sm

from mbsxl.stats import regression as R
from mbsxl.excel.registry import functions

F = functions()


def _cells():
    """A block as Excel hands it over (kind "matrix"): floats, None for blank cells, a header row."""
    rng = np.random.default_rng(11)
    n = 24
    rate = np.r_[np.full(9, 0.0783), np.full(3, 0.0720), np.full(12, 0.0594)]
    age = np.arange(3.0, 3 + n)
    spring = np.zeros(n)
    spring[[1, 12]] = 1.0
    y = 0.1 + 2.0 * (0.08 - rate) + 0.004 * age - 0.05 * spring + rng.normal(scale=0.02, size=n)
    X = np.column_stack([rate, age, spring])
    ycells = [["CPR"]] + [[float(v)] for v in y]
    xcells = [["rate", "age", "spring"]] + [[float(a) for a in row] for row in X]
    ycells[5][0] = None                     # a blank CPR cell: row dropped and counted
    return ycells, xcells, y, X


def test_registry_entries():
    for name in ("MBS_REGRESS", "MBS_PREDICT", "MBS_LOGIT"):
        f = F[name]
        assert f.returns == "table"
        assert f.args[0].kind == "matrix" and f.args[1].kind == "matrix"
        assert len(f.description) < 255 and all(len(a.doc) < 255 for a in f.args)


def test_mbs_regress_spill_with_header_row_and_blank():
    ycells, xcells, y, X = _cells()
    t = F["MBS_REGRESS"].impl(ycells, xcells, True, True, "HAC", 2)
    keep = np.ones(24, bool)
    keep[4] = False
    ref = sm.OLS(y[keep], sm.add_constant(X[keep])).fit(cov_type="HAC", cov_kwds={"maxlags": 2}, use_t=True)
    assert list(t.columns) == R.COEF_COLUMNS
    assert list(t[R.TERM][:4]) == ["Constant", "rate", "age", "spring"]
    np.testing.assert_allclose(t[R.COEFFICIENT][:4].astype(float), ref.params, rtol=1e-10)
    np.testing.assert_allclose(t[R.STD_ERROR][:4].astype(float), ref.bse, rtol=1e-10)
    stats = dict(zip(t[R.TERM][6:], t[R.COEFFICIENT][6:]))
    assert stats[R.OBS_USED] == 23 and stats[R.ROWS_DROPPED] == 1
    assert stats[R.COVARIANCE] == "HAC (Newey-West, 2 lags)"


def test_mbs_predict_lines_up_with_its_input():
    ycells, xcells, y, X = _cells()
    t = F["MBS_PREDICT"].impl(ycells[1:], xcells[1:], xcells[1:], True, 0.95)
    assert len(t) == 24 and list(t.columns) == R.PREDICT_COLUMNS
    keep = np.ones(24, bool)
    keep[4] = False
    ref = sm.OLS(y[keep], sm.add_constant(X[keep])).fit()
    np.testing.assert_allclose(t[R.FITTED].astype(float), ref.predict(sm.add_constant(X)), rtol=1e-10)
    xb = [list(r) for r in xcells[1:]]
    xb[3][1] = None
    t2 = F["MBS_PREDICT"].impl(ycells[1:], xcells[1:], xb)
    assert all(v is None for v in t2.iloc[3])          # empty cells, not NaN (no #NUM! in Excel)


def test_mbs_logit_table_shape():
    d = sm.datasets.spector.load_pandas()
    xcells = [list(d.exog.columns)] + d.exog.to_numpy().tolist()
    ycells = [["GRADE"]] + [[v] for v in d.endog.tolist()]
    t = F["MBS_LOGIT"].impl(ycells, xcells, True)
    ref = sm.Logit(d.endog.to_numpy(), sm.add_constant(d.exog.to_numpy())).fit(disp=0)
    assert list(t.columns) == R.LOGIT_COLUMNS
    np.testing.assert_allclose(t[R.COEFFICIENT][:4].astype(float), ref.params, rtol=1e-10)
    stats = dict(zip(t[R.TERM][6:], t[R.COEFFICIENT][6:]))
    assert stats[R.PSEUDO_R2] == pytest.approx(ref.prsquared, rel=1e-10)


def test_excel_errors_carry_a_reason():
    ycells, xcells, _, _ = _cells()
    xt = [list(r) for r in xcells]
    xt[7][2] = "yes"
    with pytest.raises(ValueError, match=r"x row 7, column 3 \(spring\) holds text 'yes'"):
        F["MBS_REGRESS"].impl(ycells, xt, True)
    xe = [list(r) for r in xcells]
    xe[3][0] = "#N/A"                                  # an error value in an input cell (matrix kind gives its code)
    with pytest.raises(ValueError, match=r"x row 3, column 1 \(rate\) is the error #N/A"):
        F["MBS_REGRESS"].impl(ycells, xe, True)
    with pytest.raises(ValueError, match="y has 24 rows but x has 23"):
        F["MBS_REGRESS"].impl(ycells[1:], xcells[2:])
    empty_y = [[None]] * 118
    empty_x = [[None] * 7] * 118
    with pytest.raises(ValueError, match="0 complete rows"):
        F["MBS_REGRESS"].impl(empty_y, empty_x)


def test_bad_input_in_a_workbook_gives_an_error_with_its_reason(tmp_path):
    """Each bad input through `mbsxl calc`: the formula's cell is an Excel error whose reason names the
    problem, and a good regression in the same workbook still computes (reference: statsmodels)."""
    import xlsxwriter
    from mbsxl.excel.calc import calculate

    ycells, xcells, y, X = _cells()
    path = str(tmp_path / "bad.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Data sheet")
    n = 24
    for i in range(n):
        ws.write_number(i + 1, 0, float(y[i]))
        for j in range(3):
            ws.write_number(i + 1, 1 + j, float(X[i, j]))
        ws.write_number(i + 1, 4, 1.0)                               # E: a constant column
        ws.write_number(i + 1, 5, float(X[i, 0] + X[i, 1]))          # F: rate + age
        ws.write_number(i + 1, 6, float(X[i, 1]))                    # G: age again, with one text cell
    ws.write_string(8, 6, "n/a")                                     # G9: text in the data
    ws.write_row(0, 0, ["CPR", "rate", "age", "spring", "one", "sum", "age2"])
    cases = {
        "H2": ("=MBS_REGRESS(A2:A4,B2:D4)", "3 complete rows"),
        "H30": ("=MBS_REGRESS(A2:A25,B2:E25)", "is constant"),
        "H60": ("=MBS_REGRESS(A1:A25,B1:F25,TRUE,FALSE)", "perfectly collinear"),
        "H90": ("=MBS_REGRESS(A2:A25,B2:D24)", "y has 24 rows but x has 23"),
        "H120": ("=MBS_REGRESS(A2:A25,G2:G25)", "x row 8, column 1 (x1) holds text 'n/a'"),
    }
    for cell, (formula, _) in cases.items():
        ws.write_dynamic_array_formula(f"{cell}:{cell}", formula)
    ws.write_dynamic_array_formula("R2:Y24", "=MBS_REGRESS(A1:A25,B1:D25,TRUE)")
    wb.close()
    v = calculate(path, progress=False)
    for cell, (_, reason) in cases.items():
        key = f"Data sheet!{cell}"
        assert str(v[key]).startswith("#"), key
        assert reason in v.errors[key] and v.errors[key].startswith("MBS_REGRESS: "), v.errors[key]
    assert "rate, age, sum" in v.errors["Data sheet!H60"] or "age, rate, sum" in v.errors["Data sheet!H60"]
    ref = sm.OLS(y, sm.add_constant(X)).fit()
    np.testing.assert_allclose([v[f"Data sheet!S{r}"] for r in (3, 4, 5, 6)], ref.params, rtol=1e-10)
