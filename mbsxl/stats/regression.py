"""Regressions for prepayment and default rates: OLS and logit on statsmodels, with diagnostics and prediction.

``regress(y, x)`` fits ordinary least squares of ``y`` on the columns of ``x`` (plus a constant unless
``constant=False``) with :class:`statsmodels.regression.linear_model.OLS` and returns a
:class:`Regression` whose numbers are named attributes as in statsmodels (``params``, ``bse``, ``nobs``,
``rsquared``, ``fvalue`` ...); ``.results`` is the statsmodels results object.  The table that
``MBS_REGRESS`` spills, with its labels, is built by :mod:`mbsxl.stats.tables` (``r.table()`` is a shortcut).

Layout: this module holds the public functions and the results object; the input cleaning (cells to a
design matrix, collinearity checks) is in :mod:`mbsxl.stats._regdata`, the accurate least-squares solution in
:mod:`mbsxl.stats._ols`.

Conventions
-----------
- **Rows with an empty cell** (``None``, ``""`` or NaN) in ``y`` or in any column of ``x`` are dropped,
  never filled; the table reports how many were used and how many dropped.  The remaining rows keep their
  order (the Durbin-Watson statistic and HAC covariance treat them as consecutive periods).
- **Text in the data** is refused with the row and column named (numeric text such as ``"0.05"`` too:
  Excel stores it as text, and silently reading it hides a data problem).
- **Covariance** (``cov_type``): ``"nonrobust"`` (classical OLS), ``"HC1"`` (White heteroskedasticity-
  robust with the n/(n-k) small-sample factor, as Stata's ``robust``) or ``"HAC"`` (Newey-West, Bartlett
  kernel, statsmodels' small-sample correction, for autocorrelated monthly series).  The HAC lag defaults
  to the Newey-West (1994) rule ``floor(4 * (n / 100) ** (2 / 9))`` (2 lags for 24 months, 4 for 118).
  Student t (with the residual degrees of freedom) is used for p-values and intervals under every
  ``cov_type`` (statsmodels ``use_t=True``), and the F statistic is the Wald F on the chosen covariance.
- **VIF** of a column is 1 / (1 - R^2) of that column regressed on the other columns of the design
  (statsmodels ``variance_inflation_factor``); with the constant included this is the usual centred VIF.
  No VIF is shown for the constant.
- **Accuracy**: the design's columns are scaled to unit length and factored by QR; the solution takes
  three rounds of iterative refinement on the augmented least-squares system (Bjorck 1967) with
  residuals computed in double-double arithmetic (error-free transformations, portable to every
  platform), and ``(X'X)^-1`` (the standard errors, VIF, intervals, HC/HAC sandwiches) comes from the
  same scaled QR.  The residual degrees of freedom are n - k: a design whose scaled columns are
  numerically dependent is refused (below), never fitted on a reduced rank.  On NIST StRD the
  coefficients agree with the certified values to 14.6+ digits on Longley and every digit on Wampler1, 3
  and 4; the standard errors to 12.5+ digits on Longley; on Filip (cond(X) = 1.8e15) coefficients and
  standard errors to 7.6+ digits with 71 residual degrees of freedom, where statsmodels' pinv keeps
  rank 10 of 11 (72 df, standard errors 25-100x too small).
- **Checks** (``MbsxlInputError`` naming the argument, the value and what is accepted): y and x of different
  lengths, text, infinities (by row and column), no more complete rows than parameters, a constant column
  beside the constant, perfectly collinear columns (the dependent set is named from the null space of the
  scaled design) and nearly collinear ones (scaled condition number above :data:`MAX_SCALED_CONDITION`).

Table layout (``Regression.table()``, built by :func:`mbsxl.stats.tables.regression_table`; ``MBS_REGRESS``
spills it): the header row is :data:`COEF_COLUMNS`; one row per coefficient; one blank row; a sub-header
row ``Statistic | Value``; then one row per model statistic in the order of :data:`OLS_STATS`.

Example
-------
>>> import numpy as np
>>> x = np.arange(10.0)
>>> y = 2.0 + 0.5 * x + np.array([0.1, -0.1, 0.05, 0, -0.05, 0.1, -0.1, 0, 0.05, -0.05])
>>> r = regress(y, x, headers=["age"])
>>> [round(float(b), 4) for b in r.params]
[2.0191, 0.4958]
>>> r.nobs, round(r.rsquared, 4)
(10, 0.9966)
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import options as _opt
from mbsxl.stats._ols import ols_results, vifs
from mbsxl.stats._regdata import MAX_SCALED_CONDITION, Design, _is_blank, _to_float, design  # noqa: F401
from mbsxl.errors import MbsxlInputError

# --------------------------------------------------------------------------------------------------
# Table vocabulary (defined once in mbsxl.columns; the Excel layer and the templates reuse these as headers)
# --------------------------------------------------------------------------------------------------
from mbsxl.columns import (ADJ_R2, AIC, BIC, CI_HIGH, CI_LOW, COEF_COLUMNS, COEFFICIENT, CONDITION_NUMBER, CONSTANT_NAME, COVARIANCE, DF_MODEL, DF_RESID, DURBIN_WATSON, F_PVALUE, F_STAT, FITTED, ITERATIONS, LL_NULL, LOG_LIKELIHOOD, LOGIT_COLUMNS, LOGIT_STATS, LR_CHI2, LR_PVALUE, MEAN_HIGH, MEAN_LOW, MEAN_SE, OBS_USED, OLS_STATS, P_VALUE, PRED_HIGH, PRED_LOW, PREDICT_COLUMNS, PSEUDO_R2, R2, RESID_SE, ROWS_DROPPED, STATISTIC, STD_ERROR, T_STAT, TERM, VALUE, VIF, Z_STAT)
from mbsxl.columns import REGRESSION_LABELS_ZH as LABELS_ZH  # noqa: F401  (Chinese labels, bilingual templates)

COV_TYPES = _opt.COV_TYPES


def newey_west_lags(nobs: int) -> int:
    """Default HAC lag: Newey-West (1994) rule of thumb ``floor(4 * (nobs / 100) ** (2 / 9))``.

    >>> newey_west_lags(24), newey_west_lags(118)
    (2, 4)
    """
    return int(math.floor(4.0 * (nobs / 100.0) ** (2.0 / 9.0)))


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass(repr=False)
class Regression:
    """A fitted regression, its numbers as named attributes (statsmodels' names where it has one).

    Coefficients, in the order of :attr:`names` (the constant first when included): ``params``, ``bse``,
    ``tvalues`` (t for OLS, z for logit; NaN where the standard error is 0), ``pvalues``, ``conf_int``
    (k x 2, 95%), ``vif`` (None for the constant).  Model: ``nobs`` (rows used), ``nobs_dropped`` (rows
    dropped for an empty cell), ``df_resid``, ``df_model``, ``llf``, ``aic``, ``bic``,
    ``condition_number``; OLS only: ``rsquared``, ``rsquared_adj``, ``fvalue``, ``f_pvalue``,
    ``durbin_watson``, ``resid_se`` (sqrt of the scale), ``cov_type`` (nonrobust, HC1, HAC) and
    ``hac_lags``; logit only: ``prsquared`` (McFadden), ``llnull``, ``llr``, ``llr_pvalue``, ``iterations``.
    A statistic that is undefined (an exact fit) is None.  ``results`` is the statsmodels results object;
    any other attribute is looked up on it.

    The display (the spill table and its labels) is built outside the core, in :mod:`mbsxl.stats.tables`;
    :meth:`table`, :attr:`stats` and :attr:`summary_frame` are shortcuts to it.
    """
    kind: str
    names: list
    y_name: str
    params: np.ndarray
    bse: np.ndarray
    tvalues: np.ndarray
    pvalues: np.ndarray
    conf_int: np.ndarray
    vif: list
    nobs: int
    nobs_dropped: int
    df_resid: int
    df_model: int
    llf: float | None
    aic: float | None
    bic: float | None
    condition_number: float | None
    used_mask: np.ndarray
    results: Any
    rsquared: float | None = None
    rsquared_adj: float | None = None
    fvalue: float | None = None
    f_pvalue: float | None = None
    durbin_watson: float | None = None
    resid_se: float | None = None
    cov_type: str | None = None
    hac_lags: int | None = None
    prsquared: float | None = None
    llnull: float | None = None
    llr: float | None = None
    llr_pvalue: float | None = None
    iterations: int | None = None

    def __getattr__(self, name):
        if name in ("results", "__setstate__", "__getstate__") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.results, name)

    @property
    def dropped(self) -> int:
        return self.nobs_dropped

    @property
    def stats(self) -> dict:
        """The model statistics keyed by their display labels (:func:`mbsxl.stats.tables.regression_stats`)."""
        from mbsxl.stats.tables import regression_stats
        return regression_stats(self)

    @property
    def summary_frame(self) -> pd.DataFrame:
        """The coefficient rows as displayed (:func:`mbsxl.stats.tables.coefficient_frame`)."""
        from mbsxl.stats.tables import coefficient_frame
        return coefficient_frame(self)

    def table(self) -> pd.DataFrame:
        """The spill table of ``MBS_REGRESS`` / ``MBS_LOGIT`` (:func:`mbsxl.stats.tables.regression_table`)."""
        from mbsxl.stats.tables import regression_table
        return regression_table(self)

    def __repr__(self):
        return f"Regression({self.kind}, y={self.y_name!r}, terms={self.names}, n={self.nobs})"


def _num(x) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else x


def regress(y, x, headers=None, constant: bool = True, cov_type: str = "nonrobust",
            hac_lags: int | None = None) -> Regression:
    """Ordinary least squares of ``y`` on the columns of ``x`` (MBS_REGRESS).

    Parameters
    ----------
    y : a column of numbers (e.g. monthly CPR); empty cells drop their row.
    x : one column or a block of columns, the same number of rows as ``y``.
    headers : names of the x columns (one per column), or True when the first row of ``x`` (and of ``y``,
        when it is text) holds the names; default ``x1, x2, ...`` or the DataFrame's column names.
    constant : include a constant (intercept) term; default True.
    cov_type : ``"nonrobust"`` (default), ``"HC1"`` or ``"HAC"`` (Newey-West); see the module notes.
    hac_lags : lags for HAC; default ``newey_west_lags(n)``.

    Returns a :class:`Regression` (``.results`` is the statsmodels ``OLSResults``; ``.table()`` the spill).

    >>> r = regress([1.0, 2.1, 2.9, 4.2, 4.9], [1, 2, 3, 4, 5], cov_type="HC1")
    >>> round(float(r.params[1]), 3), r.cov_type
    (0.99, 'HC1')
    """
    cov = _opt.cov_type(cov_type)
    d = design(y, x, headers, constant)
    n = d.X.shape[0]
    cov_kwds = None
    if hac_lags is not None and not _is_blank(hac_lags):
        if cov != "HAC":
            raise MbsxlInputError(f"hac_lags={hac_lags!r} applies only to cov_type='HAC' (cov_type is {cov!r}); "
                             f"leave it empty or pass cov_type 'HAC'")
        lags = v.whole("hac_lags", hac_lags, lo=0)
        if lags >= n:
            raise MbsxlInputError(f"hac_lags={lags} is not below the {n} observations used; pass a lag in [0, {n - 1}]")
    else:
        lags = newey_west_lags(n)
    if cov == "HAC":
        cov_kwds = {"maxlags": lags}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # an exact fit (residuals 0, e.g. NIST Wampler1) leaves t, F, DW and the likelihood undefined: empty cells
        warnings.simplefilter("ignore", RuntimeWarning)
        return _ols_fit(d, cov, cov_kwds, lags if cov == "HAC" else None)


def _coefficients(res) -> dict:
    """params, bse, tvalues (t or z; NaN, an empty cell, where the standard error is 0), pvalues, conf_int."""
    tv = np.asarray(res.tvalues, dtype=float)
    return {"params": np.asarray(res.params, dtype=float), "bse": np.asarray(res.bse, dtype=float),
            "tvalues": np.where(np.isfinite(tv), tv, np.nan), "pvalues": np.asarray(res.pvalues, dtype=float),
            "conf_int": np.asarray(res.conf_int(alpha=0.05))}


def _ols_fit(d: Design, cov: str, cov_kwds, lags: int | None) -> Regression:
    from statsmodels.stats.stattools import durbin_watson

    res = ols_results(d.y, d.X, cov, cov_kwds)
    return Regression(
        "ols", d.names, d.y_name, **_coefficients(res), vif=vifs(d.X, d.names, res.model.normalized_cov_params),
        nobs=int(res.nobs), nobs_dropped=d.dropped, df_resid=int(round(res.df_resid)),
        df_model=int(round(res.df_model)), llf=_num(res.llf), aic=_num(res.aic), bic=_num(res.bic),
        condition_number=_num(res.condition_number), used_mask=d.used_mask, results=res,
        rsquared=_num(res.rsquared), rsquared_adj=_num(res.rsquared_adj), fvalue=_num(np.squeeze(res.fvalue)),
        f_pvalue=_num(np.squeeze(res.f_pvalue)), durbin_watson=_num(durbin_watson(res.resid)),
        resid_se=_num(np.sqrt(res.scale)), cov_type=cov, hac_lags=lags)


def predict(y, x, x_new, constant: bool = True, level: float = 0.95) -> pd.DataFrame:
    """Fitted values of the OLS of ``y`` on ``x`` at the rows of ``x_new``, with intervals (MBS_PREDICT).

    One output row per row of ``x_new`` (a row of ``x_new`` with an empty cell gives an empty row, so the
    result lines up with its input).  Columns :data:`PREDICT_COLUMNS`: the fitted value, its standard error
    as an estimate of the mean, the ``level`` confidence interval of the mean and the ``level`` prediction
    interval of a new observation (classical OLS: t with the residual degrees of freedom, as statsmodels
    ``get_prediction``, with ``x'(X'X)^-1 x`` from the column-scaled QR so it stays >= 0).  To drive
    ``MBS_CASHFLOWS``, pass the Fitted column as the CPR path.

    >>> t = predict([1.0, 2.1, 2.9, 4.2, 4.9], [1, 2, 3, 4, 5], [[6], [7]])
    >>> [round(float(f), 2) for f in t["Fitted"]]
    [5.99, 6.98]
    """
    lv = v.number("level", level, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
                  accepted="pass a confidence level between 0 and 1, e.g. 0.95")
    d = design(y, x, None, constant)
    xn = x_new
    if isinstance(xn, (pd.DataFrame, pd.Series)):
        xn = xn.to_numpy(dtype=object)
    xn = np.asarray(xn, dtype=object)
    k_x = len(d.x_names)
    if xn.ndim <= 1:
        xn = xn.reshape(-1, 1) if k_x == 1 else xn.reshape(1, -1)
    if xn.ndim != 2 or xn.shape[1] != k_x:
        raise MbsxlInputError(f"x_new has {xn.shape[-1] if xn.ndim else 1} columns but x has {k_x}; pass x_new with "
                         f"the same columns as x, one row per prediction")
    xnf = _to_float("x_new", xn, d.x_names)
    ok = ~np.isnan(xnf).any(axis=1)
    res = ols_results(d.y, d.X, "nonrobust", None)
    out = pd.DataFrame(np.nan, index=range(xnf.shape[0]), columns=PREDICT_COLUMNS, dtype=float)
    if ok.any():
        Xn = xnf[ok]
        if constant:
            Xn = np.column_stack([np.ones(Xn.shape[0]), Xn])
        from scipy import stats as _st
        from scipy.linalg import solve_triangular
        qr = res.model.mbsxl_qr
        # var(x'b) = s^2 x'(X'X)^-1 x = s^2 |R^-T (x / norms)|^2: a sum of squares, never negative, where
        # statsmodels' x' C x cancels to below zero on an ill-conditioned design (NIST Filip)
        z = solve_triangular(qr.R, (Xn / qr.norms).T, trans=1)
        scale = float(res.scale)
        mean = Xn @ np.asarray(res.params, dtype=float)
        with np.errstate(over="ignore"):                 # an x_new of 1e300 gives inf: #NUM! with a reason
            se = np.sqrt(scale * (z * z).sum(axis=0))
        q = float(_st.t.ppf(0.5 + lv / 2.0, res.df_resid))
        obs = np.sqrt(se ** 2 + scale)
        out.loc[ok, FITTED] = mean
        out.loc[ok, MEAN_SE] = se
        out.loc[ok, MEAN_LOW] = mean - q * se
        out.loc[ok, MEAN_HIGH] = mean + q * se
        out.loc[ok, PRED_LOW] = mean - q * obs
        out.loc[ok, PRED_HIGH] = mean + q * obs
    out.attrs["results"] = res
    return out


def logit(y, x, headers=None, constant: bool = True) -> Regression:
    """Logistic regression of a 0/1 outcome on the columns of ``x`` (MBS_LOGIT), by maximum likelihood.

    ``y`` holds 0 or 1 per loan (1 = prepaid or defaulted); TRUE/FALSE are read as 1/0.  Statsmodels
    ``Logit`` fitted by Newton's method; standard errors from the inverse Hessian, z statistics with normal
    p-values and 95% intervals.  Same table shape as :func:`regress` with ``z`` for ``t`` and the statistics
    :data:`LOGIT_STATS` (McFadden pseudo R^2 = 1 - llf / llnull, likelihood-ratio chi^2 against the
    constant-only model).  Refuses y values other than 0/1, a y with one value only, and data perfectly
    separated by x (the maximum-likelihood estimate does not exist there).

    >>> r = logit([0, 0, 1, 0, 1, 1, 0, 1], [1, 2, 3, 4, 5, 6, 7, 8])
    >>> r.nobs
    8
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, PerfectSeparationError

    d = design(y, x, headers, constant, allow_bool_y=True)
    bad = ~np.isin(d.y, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(d.used_mask)[int(np.argmax(bad))])
        raise MbsxlInputError(f"y row {i + 1} is {v._fmt(float(d.y[np.argmax(bad)]))}; logit needs y of 0 or 1 "
                         f"(1 = the event, e.g. prepaid) in every used row")
    if d.y.min() == d.y.max():
        raise MbsxlInputError(f"y is {v._fmt(float(d.y[0]))} in every used row; logit needs both 0s and 1s")
    sep_msg = ("x separates y perfectly (or quasi-perfectly): some combination of the columns predicts "
               "every 0 and 1 exactly, so the maximum-likelihood coefficients are infinite; drop or merge "
               "the separating column, or add observations")
    model = sm.Logit(d.y, d.X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            from statsmodels.tools.sm_exceptions import ConvergenceWarning
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = model.fit(method="newton", disp=0, maxiter=100)
        except (PerfectSeparationWarning, PerfectSeparationError):
            raise MbsxlInputError(sep_msg) from None
        except np.linalg.LinAlgError:
            raise MbsxlInputError(sep_msg) from None
    p = np.asarray(res.predict(), dtype=float)
    if not np.all(np.isfinite(res.params)) or not res.mle_retvals.get("converged", True) or \
            (np.all((p < 1e-6) | (p > 1 - 1e-6))):
        raise MbsxlInputError(sep_msg)
    return Regression(
        "logit", d.names, d.y_name, **_coefficients(res), vif=vifs(d.X, d.names), nobs=int(res.nobs),
        nobs_dropped=d.dropped, df_resid=int(round(res.df_resid)), df_model=int(round(res.df_model)),
        llf=_num(res.llf), aic=_num(res.aic), bic=_num(res.bic), condition_number=_num(np.linalg.cond(d.X)),
        used_mask=d.used_mask, results=res, prsquared=_num(res.prsquared), llnull=_num(res.llnull),
        llr=_num(res.llr), llr_pvalue=_num(res.llr_pvalue), iterations=int(res.mle_retvals.get("iterations", 0)))
