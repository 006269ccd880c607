"""Tests for mbsxl.regress (MBS_REGRESS, MBS_PREDICT, MBS_LOGIT).

Every expected figure comes from outside the project:
- statsmodels (an independent fit of the same rows: OLS, get_prediction, Logit, variance_inflation_factor,
  durbin_watson), compared at 1e-10 relative;
- NIST Statistical Reference Datasets, linear least squares (https://www.itl.nist.gov/div898/strd/lls/):
  Longley (data shipped by statsmodels.datasets.longley; certified values from NIST's Longley.dat) and
  Wampler1 (y = 1 + x + x^2 + x^3 + x^4 + x^5, x = 0..20; certified: every coefficient 1, every standard
  deviation 0, residual standard deviation 0, R^2 1).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings, strategies as st
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.stats.stattools import durbin_watson

import mbsxl
from mbsxl.stats import regression as R

RTOL = 1e-10


def _close(a, b, rtol=RTOL, atol=0.0):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def _data(n=40, k=3, seed=7, holes=True):
    """Synthetic prepayment-like data: y autocorrelated noise around a linear model; some empty cells."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * np.array([0.01, 5.0, 1.0][:k] + [1.0] * max(0, k - 3)) + np.arange(k)
    e = np.zeros(n)
    for t in range(n):
        e[t] = (0.5 * e[t - 1] if t else 0.0) + rng.normal(scale=0.03)
    y = 0.2 + X @ np.linspace(0.5, -0.2, k) * 0.1 + e
    yo = y.astype(object)
    Xo = X.astype(object)
    if holes:
        yo[3] = None
        Xo[10, 1] = None
        Xo[17, 0] = float("nan")
        yo[25] = ""
    return yo, Xo, y, X


def _sm_fit(y, X, cov_type, lags=None):
    """The reference: statsmodels on the complete rows, constant prepended, Student t throughout."""
    kw = {}
    if cov_type == "HAC":
        kw = {"cov_kwds": {"maxlags": lags}}
    return sm.OLS(y, sm.add_constant(X, has_constant="add")).fit(cov_type=cov_type, use_t=True, **kw)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1", "HAC"])
def test_every_number_in_the_table_equals_statsmodels(cov_type):
    yo, Xo, y, X = _data()
    names = ["rate", "age", "season"]
    r = mbsxl.regress(yo, Xo, headers=names, cov_type=cov_type)
    keep = np.ones(len(y), bool)
    keep[[3, 10, 17, 25]] = False
    lags = R.newey_west_lags(int(keep.sum()))
    ref = _sm_fit(y[keep], X[keep], cov_type, lags)
    Xd = sm.add_constant(X[keep])

    t = r.table()
    assert list(t.columns) == R.COEF_COLUMNS
    coef = t.iloc[:4]
    assert list(coef[R.TERM]) == [R.CONSTANT_NAME] + names
    _close(coef[R.COEFFICIENT], ref.params)
    _close(coef[R.STD_ERROR], ref.bse)
    _close(coef[R.T_STAT], ref.tvalues)
    _close(coef[R.P_VALUE], ref.pvalues)
    _close(coef[R.CI_LOW], ref.conf_int(0.05)[:, 0])
    _close(coef[R.CI_HIGH], ref.conf_int(0.05)[:, 1])
    assert coef[R.VIF].iloc[0] is None
    _close(list(coef[R.VIF].iloc[1:]), [variance_inflation_factor(Xd, j) for j in (1, 2, 3)])

    # blank row, sub-header, statistics
    assert all(c is None for c in t.iloc[4])
    assert list(t.iloc[5][:2]) == [R.STATISTIC, R.VALUE]
    stats = dict(zip(t.iloc[6:][R.TERM], t.iloc[6:][R.COEFFICIENT]))
    assert list(stats) == R.OLS_STATS
    assert stats[R.OBS_USED] == ref.nobs == 36
    assert stats[R.ROWS_DROPPED] == 4
    assert stats[R.DF_RESID] == ref.df_resid and stats[R.DF_MODEL] == ref.df_model
    expected = {R.R2: ref.rsquared, R.ADJ_R2: ref.rsquared_adj, R.F_STAT: ref.fvalue, R.F_PVALUE: ref.f_pvalue,
                R.DURBIN_WATSON: durbin_watson(ref.resid), R.LOG_LIKELIHOOD: ref.llf, R.AIC: ref.aic,
                R.BIC: ref.bic, R.RESID_SE: np.sqrt(ref.scale), R.CONDITION_NUMBER: ref.condition_number}
    for label, value in expected.items():
        _close(stats[label], np.squeeze(value), rtol=RTOL)
    if cov_type == "HAC":
        assert stats[R.COVARIANCE] == f"HAC (Newey-West, {lags} lags)"
    else:
        assert stats[R.COVARIANCE] == cov_type
    # the Python twin carries the statsmodels results object
    assert r.results.cov_type == cov_type
    _close(r.params, ref.params)


def test_hac_explicit_lags_and_default_rule():
    """Explicit lags against statsmodels; the default is Newey-West (1994) floor(4 (n/100)^(2/9))."""
    _, _, y, X = _data(n=118, holes=False)
    for lags in (0, 1, 6):
        r = mbsxl.regress(y, X, cov_type="HAC", hac_lags=lags)
        _close(r.bse, _sm_fit(y, X, "HAC", lags).bse)
    assert [R.newey_west_lags(n) for n in (24, 100, 118, 500)] == [
        math.floor(4 * (n / 100) ** (2 / 9)) for n in (24, 100, 118, 500)]
    r = mbsxl.regress(y, X, cov_type="hac")
    _close(r.bse, _sm_fit(y, X, "HAC", 4).bse)


def test_no_constant_matches_statsmodels():
    _, _, y, X = _data(holes=False)
    r = mbsxl.regress(y, X, constant=False)
    ref = sm.OLS(y, X).fit()
    _close(r.params, ref.params)
    _close(r.bse, ref.bse)
    _close([r.stats[R.R2], r.stats[R.F_STAT]], [ref.rsquared, ref.fvalue])   # uncentred, as statsmodels
    assert r.names == ["x1", "x2", "x3"]


def test_dataframe_input_and_header_row():
    """pandas names carry through; headers=TRUE reads the first row of x (and of y) as names."""
    yo, Xo, y, X = _data(holes=False)
    df = pd.DataFrame(X, columns=["rate", "age", "season"])
    r1 = mbsxl.regress(pd.Series(y, name="cpr"), df)
    assert r1.names == ["Constant", "rate", "age", "season"] and r1.y_name == "cpr"
    block = [["rate", "age", "season"]] + X.tolist()
    r2 = mbsxl.regress([["cpr"]] + [[v] for v in y], block, headers=True)
    assert r2.names == r1.names and r2.y_name == "cpr"
    _close(r2.params, r1.params, rtol=0)
    # data laid out in rows: y a row, x one row per variable
    r4 = mbsxl.regress([list(y)], X.T.tolist())
    _close(r4.params, r1.params, rtol=1e-13)
    # a header range of names (Excel passes a row of cells)
    r3 = mbsxl.regress(y, X, headers=[["rate", "age", "season"]])
    assert r3.names == r1.names


# ---------------------------------------------------------------------------------------------------
# NIST StRD
# ---------------------------------------------------------------------------------------------------
# Certified values, NIST StRD Longley.dat (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml)
LONGLEY_B = [-3482258.63459582, 15.0618722713733, -0.358191792925910e-01, -2.02022980381683,
             -1.03322686717359, -0.511041056535807e-01, 1829.15146461355]
LONGLEY_SD = [890420.383607373, 84.9149257747669, 0.334910077722432e-01, 0.488399681651699,
              0.214274163161675, 0.226073200069370, 455.478499142212]
LONGLEY_RESID_SD = 304.854073561965
LONGLEY_R2 = 0.995479004577296


def lre(estimate, certified):
    """Log relative error: the number of correct significant digits (NIST's measure), capped at 15."""
    e = np.asarray(estimate, dtype=float)
    c = np.asarray(certified, dtype=float)
    with np.errstate(divide="ignore"):
        rel = np.where(c != 0, np.abs(e - c) / np.abs(np.where(c != 0, c, 1)), np.abs(e))
        return np.minimum(-np.log10(np.maximum(rel, 1e-300)), 15.0)


def test_nist_longley_at_least_nine_digits():
    d = sm.datasets.longley.load_pandas().data            # the NIST Longley data, 16 x (1 + 6)
    r = mbsxl.regress(d["TOTEMP"], d[["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]])
    digits_b = lre(r.params, LONGLEY_B)
    digits_sd = lre(r.bse, LONGLEY_SD)
    print("Longley digits: coefficients", np.round(digits_b, 1), "std errors", np.round(digits_sd, 1))
    assert digits_b.min() >= 9 and digits_sd.min() >= 9     # the acceptance bar
    assert digits_b.min() >= 13                               # what the augmented-system refinement gives (14.6)
    assert lre(r.stats[R.RESID_SE], LONGLEY_RESID_SD) >= 9
    assert lre(r.stats[R.R2], LONGLEY_R2) >= 9


def test_nist_wampler1_digits():
    x = np.arange(21.0)
    y = 1 + x + x ** 2 + x ** 3 + x ** 4 + x ** 5           # NIST Wampler1 data (y exact integers)
    r = mbsxl.regress(y, np.column_stack([x ** p for p in range(1, 6)]))
    digits = lre(r.params, np.ones(6))
    print("Wampler1 digits:", np.round(digits, 1))
    assert digits.min() >= 12                                # certified: every coefficient exactly 1
    assert r.stats[R.RESID_SE] <= 1e-9                       # certified residual SD 0
    np.testing.assert_allclose(r.bse, 0, atol=1e-9)          # certified SDs of the estimates 0
    assert r.stats[R.R2] == pytest.approx(1.0, abs=1e-14)    # certified R^2 1


# ---------------------------------------------------------------------------------------------------
# predict
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_predict_matches_statsmodels_get_prediction(level):
    yo, Xo, y, X = _data()
    keep = np.ones(len(y), bool)
    keep[[3, 10, 17, 25]] = False
    ref = sm.OLS(y[keep], sm.add_constant(X[keep])).fit()
    rng = np.random.default_rng(3)
    Xn = X[:5] + rng.normal(scale=0.1, size=(5, 3))
    Xn_o = Xn.astype(object)
    Xn_o[2, 1] = None                                       # an incomplete row gives an empty output row
    t = mbsxl.predict(yo, Xo, Xn_o, level=level)
    assert list(t.columns) == R.PREDICT_COLUMNS and len(t) == 5
    assert t.iloc[2].isna().all()
    ok = [0, 1, 3, 4]
    sf = ref.get_prediction(sm.add_constant(Xn[ok], has_constant="add")).summary_frame(alpha=1 - level)
    for col, ref_col in [(R.FITTED, "mean"), (R.MEAN_SE, "mean_se"), (R.MEAN_LOW, "mean_ci_lower"),
                         (R.MEAN_HIGH, "mean_ci_upper"), (R.PRED_LOW, "obs_ci_lower"), (R.PRED_HIGH, "obs_ci_upper")]:
        _close(t[col].iloc[ok], sf[ref_col])


def test_predict_single_column_shapes():
    x = [1.0, 2, 3, 4, 5, 6]
    y = [0.1, 0.22, 0.29, 0.41, 0.48, 0.62]
    ref = sm.OLS(y, sm.add_constant(x)).fit()
    t = mbsxl.predict(y, x, [7.0, 8.0])                      # a flat list of new x values
    _close(t[R.FITTED], ref.predict(sm.add_constant([7.0, 8.0])))
    with pytest.raises(ValueError, match="x_new has 2 columns but x has 1"):
        mbsxl.predict(y, x, [[7.0, 1.0]])


# ---------------------------------------------------------------------------------------------------
# logit
# ---------------------------------------------------------------------------------------------------
def test_logit_matches_statsmodels_spector():
    """Spector & Mazzeo (1980) data as shipped by statsmodels; reference fit statsmodels Logit (Newton)."""
    d = sm.datasets.spector.load_pandas()
    r = mbsxl.logit(d.endog, d.exog)
    ref = sm.Logit(d.endog.to_numpy(), sm.add_constant(d.exog.to_numpy())).fit(disp=0)
    t = r.table()
    assert list(t.columns) == R.LOGIT_COLUMNS
    coef = t.iloc[:4]
    assert list(coef[R.TERM]) == ["Constant", "GPA", "TUCE", "PSI"]
    _close(coef[R.COEFFICIENT], ref.params, rtol=RTOL)
    _close(coef[R.STD_ERROR], ref.bse, rtol=RTOL)
    _close(coef[R.Z_STAT], ref.tvalues, rtol=RTOL)
    _close(coef[R.P_VALUE], ref.pvalues, rtol=RTOL)
    _close(coef[R.CI_LOW], ref.conf_int()[:, 0], rtol=RTOL)
    _close(coef[R.CI_HIGH], ref.conf_int()[:, 1], rtol=RTOL)
    stats = dict(zip(t.iloc[6:][R.TERM], t.iloc[6:][R.COEFFICIENT]))
    assert list(stats) == R.LOGIT_STATS and stats[R.OBS_USED] == 32
    for label, value in {R.PSEUDO_R2: ref.prsquared, R.LOG_LIKELIHOOD: ref.llf, R.LL_NULL: ref.llnull,
                         R.LR_CHI2: ref.llr, R.LR_PVALUE: ref.llr_pvalue, R.AIC: ref.aic, R.BIC: ref.bic}.items():
        _close(stats[label], value, rtol=RTOL)
    # McFadden's definition, independently of statsmodels' attribute
    _close(stats[R.PSEUDO_R2], 1 - ref.llf / ref.llnull, rtol=1e-12)


def test_logit_refuses_non_binary_and_separation():
    x = [1.0, 2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(ValueError, match=r"y row 3 is 2; logit needs y of 0 or 1"):
        mbsxl.logit([0, 1, 2, 0, 1, 0, 1, 1], x)
    with pytest.raises(ValueError, match="every used row; logit needs both 0s and 1s"):
        mbsxl.logit([1] * 8, x)
    with pytest.raises(ValueError, match="separates y perfectly"):
        mbsxl.logit([0, 0, 0, 0, 1, 1, 1, 1], x)
    r = mbsxl.logit([False, False, True, False, True, True, False, True], x)   # TRUE/FALSE read as 1/0
    assert r.stats[R.OBS_USED] == 8


# ---------------------------------------------------------------------------------------------------
# bad input: ValueError naming the argument, the value and what is accepted
# ---------------------------------------------------------------------------------------------------
def test_bad_inputs_are_named():
    _, _, y, X = _data(n=12, holes=False)
    with pytest.raises(ValueError, match="y has 11 rows but x has 12"):
        mbsxl.regress(y[:-1], X)
    Xt = X.astype(object)
    Xt[4, 1] = "n/a"
    with pytest.raises(ValueError, match=r"x row 5, column 2 \(age\) holds text 'n/a'"):
        mbsxl.regress(y, Xt, headers=["rate", "age", "season"])
    yt = y.astype(object)
    yt[0] = "0.05"
    with pytest.raises(ValueError, match=r"y row 1 holds text '0.05'"):
        mbsxl.regress(yt, X)
    with pytest.raises(ValueError, match=r"3 complete rows .* for 4 parameters .*at least 5"):
        mbsxl.regress(y[:3], X[:3])
    with pytest.raises(ValueError, match="0 complete rows"):
        mbsxl.regress([None] * 5, [[None, None]] * 5)
    Xc = X.copy()
    Xc[:, 2] = 1.0
    with pytest.raises(ValueError, match=r"x column 3 \(x3\) is constant .* constant=FALSE"):
        mbsxl.regress(y, Xc)
    with pytest.raises(ValueError, match="cov_type='robust' is not one of nonrobust, HC1, HAC"):
        mbsxl.regress(y, X, cov_type="robust")
    with pytest.raises(ValueError, match="hac_lags=3 applies only to cov_type='HAC'"):
        mbsxl.regress(y, X, hac_lags=3)
    with pytest.raises(ValueError, match="headers has 2 names but x has 3 columns"):
        mbsxl.regress(y, X, headers=["a", "b"])


def test_collinear_columns_are_named():
    _, _, y, X = _data(n=20, holes=False)
    Xl = np.column_stack([X, X[:, 0] + 2 * X[:, 1]])
    with pytest.raises(ValueError, match=r"x columns rate, age, combo are perfectly collinear") as e:
        mbsxl.regress(y, Xl, headers=["rate", "age", "season", "combo"])
    assert "season" not in str(e.value)
    # a column equal to a multiple of the constant beside the constant is caught as constant; without the
    # constant, two constant columns are collinear
    Xk = np.column_stack([np.ones(20), 2 * np.ones(20), X[:, 0]])
    with pytest.raises(ValueError, match=r"x columns one, two are perfectly collinear"):
        mbsxl.regress(y, Xk, headers=["one", "two", "rate"], constant=False)
    # a dummy set that sums to the constant (the dummy-variable trap) names the constant too
    season = np.tile([1.0, 0.0], 10)
    with pytest.raises(ValueError, match=r"Constant, spring, other are perfectly collinear"):
        mbsxl.regress(y, np.column_stack([season, 1 - season]), headers=["spring", "other"])


# ---------------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(1e-3, 1e3), st.lists(st.integers(0, 29), max_size=6))
def test_properties_scaling_and_empty_rows(seed, scale, holes):
    """Rescaling a column rescales its coefficient and leaves t, R^2 unchanged; empty rows only drop."""
    _, _, y, X = _data(n=30, seed=seed, holes=False)
    base = mbsxl.regress(y, X)
    Xs = X.copy()
    Xs[:, 1] *= scale
    scaled = mbsxl.regress(y, Xs)
    np.testing.assert_allclose(scaled.params[2] * scale, base.params[2], rtol=RTOL)
    np.testing.assert_allclose(scaled.tvalues, base.tvalues, rtol=1e-7)
    np.testing.assert_allclose(scaled.rsquared, base.rsquared, rtol=1e-10)
    holes = sorted(set(holes))
    yo = y.astype(object)
    for i in holes:
        yo[i] = None
    if 30 - len(holes) > 4:
        r = mbsxl.regress(yo, X)
        keep = np.setdiff1d(np.arange(30), holes)
        np.testing.assert_allclose(r.params, mbsxl.regress(y[keep], X[keep]).params, rtol=1e-12)
        assert r.stats[R.ROWS_DROPPED] == len(holes)


# NIST StRD Wampler3 and Wampler4 (https://www.itl.nist.gov/div898/strd/lls/data/Wampler3.shtml, ...4.shtml):
# Wampler1's polynomial with large residuals added; certified coefficients all 1, certified SDs below.
WAMPLER3_Y = [760., -2042., 2111., -1684., 3888., 1858., 11379., 17560., 39287., 64382., 113159., 175108.,
              273291., 400186., 581243., 811568., 1121004., 1506550., 2002767., 2611612., 3369180.]
WAMPLER3_SD = [2152.32624678170, 2363.55173469681, 779.343524331583, 101.475507550350, 5.64566512170752,
               0.112324854679312]
WAMPLER4_Y = [75901., -204794., 204863., -204436., 253665., -200894., 214131., -185192., 221249., -138370.,
              315911., -27644., 455253., 197434., 783995., 608816., 1370781., 1303798., 2205519., 2408860.,
              3444321.]
WAMPLER4_SD = [215232.624678170, 236355.173469681, 77934.3524331583, 10147.5507550350, 564.566512170752,
               11.2324854679312]


@pytest.mark.parametrize("name,y,sd", [("Wampler3", WAMPLER3_Y, WAMPLER3_SD), ("Wampler4", WAMPLER4_Y, WAMPLER4_SD)])
def test_nist_wampler3_and_4(name, y, sd):
    x = np.arange(21.0)
    r = mbsxl.regress(y, np.column_stack([x ** p for p in range(1, 6)]))
    digits, digits_sd = lre(r.params, np.ones(6)), lre(r.bse, sd)
    print(f"{name} digits: coefficients", np.round(digits, 1), "std errors", np.round(digits_sd, 1))
    assert digits.min() >= 12 and digits_sd.min() >= 9
