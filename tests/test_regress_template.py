"""The template workbooks/prepayment_regression.xlsx, recalculated headless (mbsxl calc).

Expected figures are computed independently in the test: the explanatory series with pandas from the
PBoC table (mbsxl/data/pboc_benchmark_rates.csv, the PBoC's announcements) and the public Spring Festival
dates, the CPRs as published in seed 002, and the regression by statsmodels.
"""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import openpyxl
from openpyxl.utils.datetime import to_excel
import pandas as pd
import pytest
import statsmodels.api as sm

from mbsxl.stats import regression as R
from mbsxl.excel.calc import calculate
from mbsxl.templates import build_all
from mbsxl.templates import prepayment_regression as T

HERE = os.path.dirname(__file__)
WB = os.path.join(HERE, "..", "workbooks")
PATH = os.path.join(WB, T.FILENAME)
S1, S2 = T.S1, T.S2

# seed 002: the 24 published monthly CPRs of Jianyuan 2007-1, January 2008 - December 2009
CPR = [0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
       0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436]
CNY = {(2008, 2), (2009, 1)}                       # Chinese New Year 2008-02-07, 2009-01-26
CUTOFF = dt.date(2007, 10, 10)                     # seed 001


def _series() -> pd.DataFrame:
    rates = pd.read_csv(os.path.join(HERE, "..", "mbsxl", "data", "pboc_benchmark_rates.csv"),
                        parse_dates=["effective_date"])

    def in_force(d):
        return float(rates.loc[rates.effective_date <= pd.Timestamp(d), "lending_over_5y"].iloc[-1])

    months = pd.date_range("2008-01-01", "2009-12-01", freq="MS")
    rate = np.array([in_force(d) for d in months])
    return pd.DataFrame({
        "rate": rate,
        "chg3": rate - np.array([in_force(d - pd.DateOffset(months=3)) for d in months]),
        "spring": [1.0 if (d.year, d.month) in CNY else 0.0 for d in months],
        "age": [(d.year - CUTOFF.year) * 12 + d.month - CUTOFF.month for d in months],
        "chg12": rate - np.array([in_force(d - pd.DateOffset(months=12)) for d in months]),
    })


@pytest.fixture(scope="module")
def values():
    return calculate(PATH, progress=False)


def _block(values, sheet, top, left, rows, cols):
    from openpyxl.utils import get_column_letter
    return [[values.get(f"{sheet}!{get_column_letter(left + j)}{top + i}") for j in range(cols)]
            for i in range(rows)]


def test_explanatory_series_by_formula(values):
    s = _series()
    got = np.array(_block(values, S1, 7, 3, 24, 5), dtype=float)      # C7:G30
    np.testing.assert_allclose(got[:, 0], s["rate"], rtol=1e-12)
    np.testing.assert_allclose(got[:, 1], s["chg3"], atol=1e-12)
    np.testing.assert_array_equal(got[:, 2], s["spring"])
    np.testing.assert_array_equal(got[:, 3], s["age"])
    np.testing.assert_allclose(got[:, 4], s["chg12"], atol=1e-12)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HAC"])
def test_regression_table_matches_statsmodels(cov_type):
    v = calculate(PATH, sets={f"{S1}!B3": cov_type}, progress=False)
    s = _series()
    X = sm.add_constant(s[["rate", "chg3", "spring", "age"]].to_numpy())
    kw = {"cov_type": "HAC", "cov_kwds": {"maxlags": 2}} if cov_type == "HAC" else {}
    ref = sm.OLS(np.array(CPR), X).fit(use_t=True, **kw)
    top = T._REG_ROW
    table = _block(v, S1, top, 1, 6, 8)                                 # header + 5 coefficient rows
    assert table[0] == R.COEF_COLUMNS
    coef = np.array([row[1:7] for row in table[1:]], dtype=float)
    np.testing.assert_allclose(coef[:, 0], ref.params, rtol=1e-10)
    np.testing.assert_allclose(coef[:, 1], ref.bse, rtol=1e-10)
    np.testing.assert_allclose(coef[:, 3], ref.pvalues, rtol=1e-10)
    np.testing.assert_allclose(coef[:, 4:6], ref.conf_int(0.05), rtol=1e-10)
    stats = {row[0]: row[1] for row in _block(v, S1, top + 8, 1, len(R.OLS_STATS), 2)}
    assert stats[R.OBS_USED] == 24 and stats[R.ROWS_DROPPED] == 0
    assert stats[R.R2] == pytest.approx(ref.rsquared, rel=1e-10)
    assert stats[R.F_STAT] == pytest.approx(float(np.squeeze(ref.fvalue)), rel=1e-10)


def test_fitted_cpr_matches_statsmodels_prediction(values):
    s = _series()
    X = sm.add_constant(s[["rate", "chg3", "spring", "age"]].to_numpy())
    sf = sm.OLS(np.array(CPR), X).fit().get_prediction(X).summary_frame(alpha=0.05)
    got = np.array(_block(values, S1, 7, 9, 24, 6), dtype=float)       # I7:N30
    np.testing.assert_allclose(got[:, 0], sf["mean"], rtol=1e-10)
    np.testing.assert_allclose(got[:, 4], sf["obs_ci_lower"], rtol=1e-10)
    np.testing.assert_allclose(got[:, 5], sf["obs_ci_upper"], rtol=1e-10)


def test_stored_values_equal_recalculated(values):
    wb = openpyxl.load_workbook(PATH, data_only=True)
    bad = []
    for key, v in values.items():
        sheet, _, cell = key.rpartition("!")
        stored = wb[sheet][cell].value
        if isinstance(stored, (dt.date, dt.datetime)):
            stored = to_excel(stored)                # date-formatted cells come back as dates
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if stored in (None, "") and v == 0:
                continue                     # an empty cell of a spilled table (the engine reads it as 0)
            if not isinstance(stored, (int, float)) or abs(stored - v) > 1e-9 * max(1.0, abs(v)):
                bad.append((key, stored, v))
        elif str(v).startswith("#") and stored is None and key in values.errors:
            continue                         # an error result: stored in the anchor only, as Excel shows it
        elif str(v) != str(stored) and not (v in (None, "") and stored in (None, "")):
            bad.append((key, stored, v))
    assert not bad, bad[:10]


def test_macro_sheet_is_empty_and_says_why(values):
    wb = openpyxl.load_workbook(PATH)
    ws = wb[S2]
    first, last = T._M_FIRST, T._M_LAST
    assert last - first + 1 == 118                                     # 2008-01 .. 2017-10
    filled = [c.coordinate for row in ws.iter_rows(min_row=first, max_row=last, min_col=2, max_col=10)
              for c in row if c.value not in (None, "")]
    assert filled == []                                                # no macro statistic invented
    assert values[f"{S2}!J4"] == 0 and values[f"{S2}!I4"] == 0
    anchor = f"{S2}!L{T._M_HDR}"
    assert values[anchor] in ("", None) and anchor not in values.errors    # no error cell: waits for data
    assert not [k for k in values.errors if k.startswith(S2)]               # calc --strict passes (issue 22)
    assert values[f"{S2}!L{T._M_HDR - 1}"] == (T.PASTE_HERE + ": 0 complete rows so far, the fit needs at "
                                                "least 9")


def test_macro_sheet_with_pasted_data():
    """Paste 40 months of (synthetic) factor data: the prepared formula fits exactly those rows."""
    rng = np.random.default_rng(5)
    n, k = 40, len(T.MACRO_FACTORS)
    X = rng.normal(size=(n, k))
    y = 0.2 + X @ rng.normal(scale=0.01, size=k) + rng.normal(scale=0.01, size=n)
    sets = {}
    from openpyxl.utils import get_column_letter
    for i in range(n):
        r = T._M_FIRST + 10 + i
        for j in range(k):
            sets[f"{S2}!{get_column_letter(2 + j)}{r}"] = float(X[i, j])
        sets[f"{S2}!J{r}"] = float(y[i])
    v = calculate(PATH, sets=sets, progress=False)
    assert v[f"{S2}!J4"] == n
    ref = sm.OLS(y, sm.add_constant(X)).fit()
    table = _block(v, S2, T._M_HDR, 12, 1 + 1 + k, 3)
    np.testing.assert_allclose(np.array([r[1] for r in table[1:]], dtype=float), ref.params, rtol=1e-10)
    stats = {row[0]: row[1] for row in _block(v, S2, T._M_HDR + 1 + 1 + k + 2, 12, len(R.OLS_STATS), 2)}
    assert stats[R.OBS_USED] == n and stats[R.ROWS_DROPPED] == 118 - n


def test_committed_template_is_current():
    res = build_all(WB, check=True, only=[T.FILENAME])
    assert res[T.FILENAME] == "current", res[T.FILENAME]
