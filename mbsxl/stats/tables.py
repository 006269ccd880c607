"""Display tables of result objects: the labels of :mod:`mbsxl.columns` put on the core's numbers.

The core returns results with named attributes (:class:`mbsxl.stats.regression.Regression`: ``nobs``,
``rsquared``, ``fvalue`` ...); the tables that ``MBS_REGRESS`` / ``MBS_LOGIT`` spill and the templates
show are built here, so no label lives in the computation.

Spill layout of a regression (:func:`regression_table`): the header row :data:`~mbsxl.columns.COEF_COLUMNS`
(``t`` becomes ``z`` for logit, :data:`~mbsxl.columns.LOGIT_COLUMNS`); one row a coefficient; one
blank row; a sub-header ``Statistic | Value``; one row a model statistic in the order of
:data:`~mbsxl.columns.OLS_STATS` / :data:`~mbsxl.columns.LOGIT_STATS`.  Empty cells are ``None``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import columns as C

#: statistic label -> attribute of the results object (OLS, then logit)
OLS_ATTRIBUTES = {
    C.OBS_USED: "nobs", C.ROWS_DROPPED: "nobs_dropped", C.DF_RESID: "df_resid", C.DF_MODEL: "df_model",
    C.R2: "rsquared", C.ADJ_R2: "rsquared_adj", C.F_STAT: "fvalue", C.F_PVALUE: "f_pvalue",
    C.DURBIN_WATSON: "durbin_watson", C.LOG_LIKELIHOOD: "llf", C.AIC: "aic", C.BIC: "bic",
    C.RESID_SE: "resid_se", C.CONDITION_NUMBER: "condition_number", C.COVARIANCE: "cov_type",
}
LOGIT_ATTRIBUTES = {
    C.OBS_USED: "nobs", C.ROWS_DROPPED: "nobs_dropped", C.DF_RESID: "df_resid", C.DF_MODEL: "df_model",
    C.PSEUDO_R2: "prsquared", C.LOG_LIKELIHOOD: "llf", C.LL_NULL: "llnull", C.LR_CHI2: "llr",
    C.LR_PVALUE: "llr_pvalue", C.AIC: "aic", C.BIC: "bic", C.CONDITION_NUMBER: "condition_number",
    C.ITERATIONS: "iterations",
}


def covariance_label(r) -> str:
    """``nonrobust``, ``HC1`` or ``HAC (Newey-West, 2 lags)``."""
    if r.cov_type == "HAC":
        return f"HAC (Newey-West, {r.hac_lags} lag{'s' if r.hac_lags != 1 else ''})"
    return r.cov_type


def regression_stats(r) -> dict:
    """The model statistics of ``r`` keyed by their display labels, in table order."""
    labels = C.OLS_STATS if r.kind == "ols" else C.LOGIT_STATS
    attrs = OLS_ATTRIBUTES if r.kind == "ols" else LOGIT_ATTRIBUTES
    return {lab: covariance_label(r) if lab == C.COVARIANCE else getattr(r, attrs[lab]) for lab in labels}


def coefficient_frame(r) -> pd.DataFrame:
    """One row a coefficient, indexed by term; columns of :func:`regression_table` after the term."""
    ci = np.asarray(r.conf_int)
    return pd.DataFrame({
        C.TERM: r.names, C.COEFFICIENT: r.params, C.STD_ERROR: r.bse,
        C.T_STAT if r.kind == "ols" else C.Z_STAT: r.tvalues, C.P_VALUE: r.pvalues,
        C.CI_LOW: ci[:, 0], C.CI_HIGH: ci[:, 1], C.VIF: r.vif,
    }).set_index(C.TERM)


def regression_table(r) -> pd.DataFrame:
    """The spill table of ``MBS_REGRESS`` / ``MBS_LOGIT`` (layout in the module docstring)."""
    cols = list(C.COEF_COLUMNS if r.kind == "ols" else C.LOGIT_COLUMNS)
    rows = [list(x) for x in coefficient_frame(r).reset_index()[cols].itertuples(index=False, name=None)]
    rows = [[None if (isinstance(c, float) and np.isnan(c)) else c for c in x] for x in rows]
    pad = [None] * (len(cols) - 2)
    rows.append([None] * len(cols))
    rows.append([C.STATISTIC, C.VALUE] + pad)
    for label, value in regression_stats(r).items():
        rows.append([label, value] + pad)
    return pd.DataFrame(rows, columns=cols, dtype=object)


#: OAS row label -> attribute of :class:`mbsxl.pricing.valuation.OASResult`
OAS_ATTRIBUTES = {
    C.OAS: "oas", C.PRICE_STD_ERROR: "price_std_error", C.EFFECTIVE_DURATION: "effective_duration",
    C.EFFECTIVE_CONVEXITY: "effective_convexity", C.PATHS: "paths", C.MODEL_PRICE: "model_price",
    C.ZSPREAD_ZERO_VOL: "zspread",
}


def oas_table(result) -> pd.DataFrame:
    """The ``Measure | Value`` table of an OAS result (``MBS_OAS``'s spill), rows in :data:`~mbsxl.columns.OAS_ROWS`."""
    values = [float(getattr(result, OAS_ATTRIBUTES[label])) for label in C.OAS_ROWS]
    return pd.DataFrame({C.MEASURE: C.OAS_ROWS, C.VALUE: values})
