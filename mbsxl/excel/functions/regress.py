"""Worksheet functions for regressions: MBS_REGRESS, MBS_PREDICT, MBS_LOGIT.  Wrappers only; the
conventions (empty rows dropped and counted, covariance choices, table layout) are documented in
:mod:`mbsxl.stats.regression`.

The data arguments are ``matrix`` kind (raw cell values): the core reads blanks as empty cells (row
dropped and counted) and refuses text naming its row and column, rather than have blanks become zeros.
"""
from __future__ import annotations

import mbsxl
from mbsxl.excel.registry import Arg, udf
from mbsxl.stats.tables import regression_table

_Y = Arg("y", "Dependent variable, one column (e.g. monthly CPR as decimals); a row with an empty cell in y or "
         "x is dropped and counted", kind="matrix")
_X = Arg("x", "Explanatory variables: one column per variable, same rows as y (e.g. mortgage rate, its "
         "change, a Spring Festival dummy, loan age)", kind="matrix")
_HEADERS = Arg("headers", "Names of the x columns (a row of text cells), or TRUE when the first row of x and y "
               "holds the names; default x1, x2, ...", kind="any", optional=True, default=None)
_CONSTANT = Arg("constant", "TRUE (default) to include a constant term (截距); FALSE to fit through the origin",
                kind="bool", optional=True, default=True)


@udf("MBS_REGRESS", "Multiple regression (多元线性回归, OLS): coefficients with std errors, t, p-values, 95% "
     "intervals, VIF, then R², F, Durbin-Watson, AIC/BIC, rows used and dropped",
     args=[_Y, _X, _HEADERS, _CONSTANT,
           Arg("cov_type", "Standard errors: \"nonrobust\" (default), \"HC1\" (heteroskedasticity-robust) or "
               "\"HAC\" (Newey-West, for autocorrelated monthly series)", kind="text", optional=True,
               default="nonrobust"),
           Arg("hac_lags", "Lags for HAC; default floor(4*(n/100)^(2/9)) (Newey-West 1994): 2 for 24 months",
               kind="int", optional=True, default=None)],
     returns="table")
def MBS_REGRESS(y, x, headers=None, constant=True, cov_type="nonrobust", hac_lags=None):
    return regression_table(mbsxl.regress(y, x, headers=headers, constant=constant, cov_type=cov_type,
                                          hac_lags=hac_lags))


@udf("MBS_PREDICT", "Fitted values (预测值) of the OLS of y on x at new rows x_new, with the confidence interval "
     "of the mean and the prediction interval; one output row per x_new row",
     args=[_Y, _X,
           Arg("x_new", "Rows to predict, same columns as x (e.g. x itself for fitted values, or a scenario); a "
               "row with an empty cell gives an empty row", kind="matrix"),
           _CONSTANT,
           Arg("level", "Confidence level of both intervals; default 0.95", kind="number", optional=True,
               default=0.95)],
     returns="table")
def MBS_PREDICT(y, x, x_new, constant=True, level=0.95):
    t = mbsxl.predict(y, x, x_new, constant=constant, level=level)
    return t.astype(object).where(t.notna(), None)       # empty rows stay empty cells


@udf("MBS_LOGIT", "Logistic regression (逻辑回归) of a 0/1 outcome per loan (prepaid or defaulted) on x: "
     "coefficients, std errors, z, p-values, 95% intervals, VIF, then McFadden pseudo R², LR test",
     args=[Arg("y", "Outcome per loan: 1 (event, e.g. prepaid/defaulted) or 0; TRUE/FALSE accepted; a row with "
               "an empty cell is dropped and counted", kind="matrix"),
           Arg("x", "Loan characteristics, one column each (e.g. age, debt-to-income, loan-to-value), same rows "
               "as y", kind="matrix"),
           _HEADERS, _CONSTANT],
     returns="table")
def MBS_LOGIT(y, x, headers=None, constant=True):
    return regression_table(mbsxl.logit(y, x, headers=headers, constant=constant))
