"""Regressions for prepayment and default rates: OLS and logit on statsmodels, with diagnostics and prediction.

``regress(y, x)`` fits ordinary least squares of ``y`` on the columns of ``x`` (plus a constant unless
``constant=False``) with :class:`statsmodels.regression.linear_model.OLS` and returns a
:class:`Regression`: the statsmodels results object (``.results``; attribute access such as ``.params``,
``.bse``, ``.rsquared`` is passed through to it) plus the table that ``MBS_REGRESS`` spills in Excel.

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
- **Checks** (``ValueError`` naming the argument, the value and what is accepted): y and x of different
  lengths, text, infinities (by row and column), no more complete rows than parameters, a constant column
  beside the constant, perfectly collinear columns (the dependent set is named from the null space of the
  scaled design) and nearly collinear ones (scaled condition number above :data:`MAX_SCALED_CONDITION`).

Table layout (``Regression.table()``; ``MBS_REGRESS`` spills it): the header row is :data:`COEF_COLUMNS`;
one row per coefficient; one blank row; a sub-header row ``Statistic | Value``; then one row per model
statistic in the order of :data:`OLS_STATS` (label in the first column, value in the second).

Example
-------
>>> import numpy as np
>>> x = np.arange(10.0)
>>> y = 2.0 + 0.5 * x + np.array([0.1, -0.1, 0.05, 0, -0.05, 0.1, -0.1, 0, 0.05, -0.05])
>>> r = regress(y, x, headers=["age"])
>>> [round(float(b), 4) for b in r.params]
[2.0191, 0.4958]
>>> r.stats["Observations used"]
10
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _validate as v
from . import options as _opt
from .errors import EXCEL_ERROR_CODES, MbsxlInputError

# --------------------------------------------------------------------------------------------------
# Table vocabulary (defined once in mbsxl.columns; the Excel layer and the templates reuse these as headers)
# --------------------------------------------------------------------------------------------------
from .columns import (ADJ_R2, AIC, BIC, CI_HIGH, CI_LOW, COEF_COLUMNS, COEFFICIENT, CONDITION_NUMBER,  # noqa: F401
                      CONSTANT_NAME, COVARIANCE, DF_MODEL, DF_RESID, DURBIN_WATSON, F_PVALUE, F_STAT, FITTED,
                      ITERATIONS, LL_NULL, LOG_LIKELIHOOD, LOGIT_COLUMNS, LOGIT_STATS, LR_CHI2, LR_PVALUE,
                      MEAN_HIGH, MEAN_LOW, MEAN_SE, OBS_USED, OLS_STATS, P_VALUE, PRED_HIGH, PRED_LOW,
                      PREDICT_COLUMNS, PSEUDO_R2, R2, RESID_SE, ROWS_DROPPED, STATISTIC, STD_ERROR, T_STAT, TERM,
                      VALUE, VIF, Z_STAT)
from .columns import REGRESSION_LABELS_ZH as LABELS_ZH  # noqa: F401  (Chinese labels, bilingual templates)

COV_TYPES = _opt.COV_TYPES


def newey_west_lags(nobs: int) -> int:
    """Default HAC lag: Newey-West (1994) rule of thumb ``floor(4 * (nobs / 100) ** (2 / 9))``.

    >>> newey_west_lags(24), newey_west_lags(118)
    (2, 4)
    """
    return int(math.floor(4.0 * (nobs / 100.0) ** (2.0 / 9.0)))


# --------------------------------------------------------------------------------------------------
# Input cleaning
# --------------------------------------------------------------------------------------------------


def _is_blank(c) -> bool:
    if c is None:
        return True
    if isinstance(c, str):
        return c.strip() == ""
    if isinstance(c, (float, np.floating)):
        return bool(np.isnan(c))
    return False


def _raw(a) -> np.ndarray:
    """Numeric input stays a numeric array (fast path); anything else becomes an object array of cells."""
    if isinstance(a, np.ndarray) and a.dtype.kind in "fiub":
        return a
    try:
        b = np.asarray(a)
    except ValueError:                      # ragged rows
        raise MbsxlInputError("the data has rows of different lengths; pass a rectangular range") from None
    return b if b.dtype.kind in "fiub" else np.asarray(a, dtype=object)


def _to_float(name: str, block, names: Sequence[str] | None = None, allow_bool: bool = False) -> np.ndarray:
    """Object block -> float array, blanks -> NaN; text or booleans raise naming row and column (1-based)."""
    a = np.asarray(block, dtype=object) if not isinstance(block, np.ndarray) or block.dtype == object \
        else block
    if a.dtype != object:
        if a.dtype.kind in "fiu" or (a.dtype.kind == "b" and allow_bool):
            out = a.astype(float)
            inf = np.isinf(out)
            if inf.any():                     # NaN is an empty cell (row dropped); an infinity is refused
                i = int(np.argmax(inf.reshape(-1)))
                ncol = a.shape[1] if a.ndim == 2 else 1
                raise v.MbsxlInputError(f"{name}{_where(i, ncol, a.ndim, names)} is {out.reshape(-1)[i]}; pass "
                                        f"finite numbers, or leave the cell empty to drop the row")
            return out
        a = a.astype(object)
    out = np.empty(a.shape, dtype=float)
    flat_in = a.reshape(-1)
    flat_out = out.reshape(-1)
    ncol = a.shape[1] if a.ndim == 2 else 1
    for i, c in enumerate(flat_in):
        if _is_blank(c):
            flat_out[i] = np.nan
            continue
        if isinstance(c, (bool, np.bool_)):
            if allow_bool:
                flat_out[i] = float(c)
                continue
            what = f"the logical value {'TRUE' if c else 'FALSE'}"
        elif isinstance(c, (int, float, np.integer, np.floating)):
            x = float(c)
            if not np.isfinite(x):
                raise MbsxlInputError(f"{name}{_where(i, ncol, a.ndim, names)} is {x}; pass finite numbers")
            flat_out[i] = x
            continue
        elif isinstance(c, str) and c.strip().upper() in EXCEL_ERROR_CODES:
            raise MbsxlInputError(f"{name}{_where(i, ncol, a.ndim, names)} is the error {c.strip().upper()} (an error in "
                             f"the input cell); fix that cell or leave it empty to drop the row")
        else:
            what = f"text {c!r}" if isinstance(c, str) else f"{type(c).__name__} {c!r}"
        raise MbsxlInputError(f"{name}{_where(i, ncol, a.ndim, names)} holds {what}; pass numbers, or leave the "
                         f"cell empty to drop the row")
    return out


def _where(i: int, ncol: int, ndim: int, names) -> str:
    row, col = divmod(i, ncol)
    if ndim < 2:
        return f" row {row + 1}"
    label = f" ({names[col]})" if names is not None and col < len(names) else ""
    return f" row {row + 1}, column {col + 1}{label}"


def _as_2d(name: str, a: np.ndarray) -> np.ndarray:
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    if a.ndim == 2:
        return a
    raise MbsxlInputError(f"{name} has shape {a.shape}; pass a column or a block of columns")


def _as_column(name: str, a: np.ndarray) -> np.ndarray:
    """y: a single row or column, returned 1-D."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.ndim == 2:
        if a.shape[1] == 1:
            return a[:, 0]
        if a.shape[0] == 1:
            return a[0, :]
        raise MbsxlInputError(f"{name} has {a.shape[0]} rows and {a.shape[1]} columns; pass a single column")
    if a.ndim == 1:
        return a
    raise MbsxlInputError(f"{name} has shape {a.shape}; pass a single column")


def _header_text(c) -> str | None:
    if _is_blank(c):
        return None
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c).strip()


@dataclass
class _Data:
    y: np.ndarray            # used rows
    X: np.ndarray            # used rows, design incl. constant
    names: list[str]         # design column names
    y_name: str
    dropped: int
    used_mask: np.ndarray    # over the input rows
    x_names: list[str]       # x column names (no constant)


def _prepare(y, x, headers, constant: bool, *, need_obs: bool = True, allow_bool_y: bool = False) -> _Data:
    constant = bool(constant)
    y_name = "y"
    x_names: list[str] | None = None
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        y_name = str(y.name) if y.name is not None else y_name
        y = _raw(y.to_numpy())
    if isinstance(x, pd.Series):
        x_names = [str(x.name) if x.name is not None else "x1"]
        x = _raw(x.to_numpy())
    elif isinstance(x, pd.DataFrame):
        x_names = [str(c) for c in x.columns]
        x = _raw(x.to_numpy())
    ya = _raw(y)
    xa = _as_2d("x", _raw(x))
    y_is_row = ya.ndim == 2 and ya.shape[0] == 1 and ya.shape[1] > 1
    ya = _as_column("y", ya)
    if y_is_row and xa.shape[1] == ya.shape[0] and xa.shape[0] != ya.shape[0]:
        xa = xa.T                           # data laid out in rows: y a row, x one row per variable

    if headers is True or (isinstance(headers, (int, float, np.bool_)) and not isinstance(headers, bool)
                           and bool(headers) and float(headers) == 1.0):
        # the first row of x names the columns; the first cell of y names y when it is text or empty
        if xa.shape[0] < 1:
            raise MbsxlInputError("headers=TRUE but x has no rows; include the header row in x")
        x_names = [_header_text(c) or f"x{j + 1}" for j, c in enumerate(xa[0])]
        xa = xa[1:]
        if ya.size and (isinstance(ya[0], str) or ya[0] is None) and not isinstance(ya[0], bool):
            y_name = _header_text(ya[0]) or y_name
            ya = ya[1:]
    elif headers is None or headers is False or (isinstance(headers, str) and headers.strip() == ""):
        pass
    else:
        hs = np.asarray(headers, dtype=object).reshape(-1)
        hs = [h for h in (_header_text(c) for c in hs)]
        while hs and hs[-1] is None:       # trailing empty cells of a header range
            hs.pop()
        if len(hs) != xa.shape[1]:
            raise MbsxlInputError(f"headers has {len(hs)} names but x has {xa.shape[1]} columns; pass one name per "
                             f"column of x, or TRUE when the first row of x holds the names")
        x_names = [h or f"x{j + 1}" for j, h in enumerate(hs)]
    if x_names is None:
        x_names = [f"x{j + 1}" for j in range(xa.shape[1])]
    if xa.shape[1] == 0:
        raise MbsxlInputError("x has no columns; pass at least one explanatory column")
    if len(set(x_names)) != len(x_names) or (constant and CONSTANT_NAME in x_names):
        seen: dict[str, int] = {}
        fixed = []
        for h in x_names:
            k = seen.get(h, 0)
            seen[h] = k + 1
            fixed.append(h if k == 0 and not (constant and h == CONSTANT_NAME) else f"{h} ({k + 1})")
        x_names = fixed

    if ya.shape[0] != xa.shape[0]:
        raise MbsxlInputError(f"y has {ya.shape[0]} rows but x has {xa.shape[0]}; pass y and x with the same number "
                         f"of rows (one row per period or loan)")
    yf = _to_float("y", ya, allow_bool=allow_bool_y)
    xf = _to_float("x", xa, x_names)
    used = ~np.isnan(yf) & ~np.isnan(xf).any(axis=1)
    n_used = int(used.sum())
    dropped = int(ya.shape[0] - n_used)
    k = xf.shape[1] + (1 if constant else 0)
    if need_obs and n_used <= k:
        what = f"{k} parameters ({'the constant + ' if constant else ''}{xf.shape[1]} column" \
               f"{'s' if xf.shape[1] != 1 else ''} of x)"
        if n_used == 0:
            raise MbsxlInputError(f"y and x have 0 complete rows ({ya.shape[0]} rows, all with an empty cell); "
                             f"enter data: the fit needs more complete rows than its {what}")
        raise MbsxlInputError(f"y and x have {n_used} complete rows ({dropped} dropped for empty cells) for {what}; "
                         f"pass more observations than parameters (at least {k + 1} complete rows)")
    X = xf[used]
    names = list(x_names)
    if constant:
        for j in range(X.shape[1]):
            col = X[:, j]
            if n_used and np.all(col == col[0]):
                raise MbsxlInputError(f"x column {j + 1} ({x_names[j]}) is constant (every used row = "
                                 f"{v._fmt(float(col[0]))}) and the constant term is already included; drop "
                                 f"the column or pass constant=FALSE")
        X = np.column_stack([np.ones(n_used), X])
        names = [CONSTANT_NAME] + names
    if n_used:
        _check_collinear(X, names)
    return _Data(yf[used], X, names, y_name, dropped, used, list(x_names))


#: Largest condition number of the column-scaled design that is fitted: (X'X)^-1 from its QR keeps about
#: 16 - log10(cond) digits, so 1e12 leaves 4 (NIST Filip: 5.2e9, 7.6 digits).
MAX_SCALED_CONDITION = 1e12


def _check_collinear(X: np.ndarray, names: list[str]) -> None:
    """Raise naming the perfectly collinear columns, found from the null space of the column-scaled design."""
    norms = np.sqrt((X * X).sum(axis=0))
    if (norms == 0).any():
        j = int(np.argmax(norms == 0))
        raise MbsxlInputError(f"x column {names[j]} is zero in every used row; drop it")
    Xs = X / norms
    _, s, vt = np.linalg.svd(Xs, full_matrices=False)   # n > k here, so vt is k x k
    k = X.shape[1]
    tol = s[0] * max(X.shape) * np.finfo(float).eps * 10
    rank = int((s > tol).sum())
    if rank >= k and s[-1] >= s[0] / MAX_SCALED_CONDITION:
        return
    if rank >= k:
        # numerically full rank but so ill-conditioned that (X'X)^-1 keeps < 4 digits: refuse, naming the columns
        w = np.abs(vt[-1])
        involved = [names[j] for j in range(k) if w[j] > 0.05 * w.max()]
        raise v.MbsxlInputError(
            f"x columns {', '.join(involved)} are nearly collinear: the design with its columns scaled to unit length "
            f"has condition number {s[0] / s[-1]:.3g}, above {MAX_SCALED_CONDITION:.0e}, so the standard errors would "
            f"keep fewer than 4 correct digits; drop one of them or rescale (e.g. centre x before taking powers)")
    null = vt[rank:k]                               # basis of the null space (scaled coordinates)
    weight = np.abs(null).max(axis=0)
    involved = [names[j] for j in range(k) if weight[j] > 1e-8 * weight.max()]
    msg = f"x columns {', '.join(involved)} are perfectly collinear"
    if k - rank == 1:
        c = null[0] / norms                         # relation in original units: sum c_j X_j = 0
        j0 = int(np.argmax(np.abs(null[0])))
        terms = []
        for j in range(k):
            if j != j0 and abs(null[0][j]) > 1e-8 * abs(null[0][j0]):
                coef = -c[j] / c[j0]
                terms.append(f"{coef:+.6g}*{names[j]}")
        if terms:
            msg += f" ({names[j0]} = {' '.join(terms).lstrip('+')})"
    else:
        msg += f" ({k - rank} exact linear relations)"
    raise MbsxlInputError(msg + "; drop one of them (x's columns must be linearly independent"
                     + (", including the constant)" if CONSTANT_NAME in names else ")"))


# --------------------------------------------------------------------------------------------------
# Accurate least squares: a column-scaled QR solution refined on the augmented system (Bjorck 1967),
# with the residuals of the refinement accumulated in double-double arithmetic
# --------------------------------------------------------------------------------------------------
_SPLIT = 134217729.0  # 2**27 + 1 (Veltkamp splitting)


def _two_sum(a, b):
    """s + e == a + b exactly (Knuth)."""
    s = a + b
    z = s - a
    return s, (a - (s - z)) + (b - z)


def _split(a):
    """Veltkamp split: a == hi + lo with hi, lo of 26 bits each."""
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a, b, a_split=None):
    """p + e == a * b exactly (Dekker; no FMA needed).  ``a_split`` reuses a precomputed split of a."""
    p = a * b
    ah, al = a_split if a_split is not None else _split(a)
    bh, bl = _split(b)
    return p, al * bl - (((p - ah * bh) - al * bh) - ah * bl)


def _sum_dd(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Column sums of p + e with p summed by error-free pairwise two_sum (cascaded summation)."""
    err = e.sum(axis=0)
    while p.shape[0] > 1:
        if p.shape[0] % 2:
            p = np.concatenate([p, np.zeros((1,) + p.shape[1:])])
        p, q = _two_sum(p[0::2], p[1::2])
        err = err + q.sum(axis=0)
    return p[0] + err


def _residual_dd(X: np.ndarray, y: np.ndarray, b: np.ndarray, r: np.ndarray | None = None,
                 X_split=None) -> np.ndarray:
    """y - r - X @ b, each row accumulated in double-double (Ogita-Rump-Oishi Dot2), rounded once."""
    s = y.astype(float).copy()
    c = np.zeros_like(s)
    if r is not None:
        s, q = _two_sum(s, -r)
        c += q
    for j in range(X.shape[1]):
        sp = (X_split[0][:, j], X_split[1][:, j]) if X_split is not None else None
        p, e = _two_prod(X[:, j], -b[j], sp)
        s, q = _two_sum(s, p)
        c += q + e
    return s + c


def _xt_dot_dd(X: np.ndarray, r: np.ndarray, X_split=None) -> np.ndarray:
    """X' r in double-double."""
    p, e = _two_prod(X, r[:, None], X_split)
    return _sum_dd(p, e)


class _ScaledQR:
    """Thin QR of the column-scaled design ``X / norms`` (each column scaled to unit length).

    Column scaling makes the factorisation, the solve and the inverse insensitive to the columns'
    units (Filip's powers x^0 .. x^10 span 10 orders of magnitude: cond(X) = 1.8e15, cond(X / norms)
    = 5.2e9), so the full-rank solution and ``(X'X)^-1`` keep about 16 - log10(cond(X / norms)) digits
    where a pseudo-inverse on X itself would truncate a singular value and drop a dimension.
    """

    def __init__(self, X: np.ndarray):
        from scipy.linalg import solve_triangular
        self.norms = np.sqrt((X * X).sum(axis=0))
        self.Q, self.R = np.linalg.qr(X / self.norms)
        self._solve = lambda rhs, trans=0: solve_triangular(self.R, rhs, trans=trans)
        Rinv = self._solve(np.eye(self.R.shape[0]))
        self.xtx_inv = (Rinv @ Rinv.T) / np.outer(self.norms, self.norms)       # (X'X)^-1
        self.pinv = (Rinv @ self.Q.T) / self.norms[:, None]                      # (X'X)^-1 X'

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """b minimising |X b - rhs| (full column rank)."""
        return self._solve(self.Q.T @ rhs) / self.norms

    def correction(self, f: np.ndarray, g: np.ndarray):
        """One step of the augmented system [I X; X' 0][dr; db] = [f; g] (Bjorck 1967)."""
        gs = g / self.norms                                  # in the scaled coordinates: X_s' dr = D^-1 g
        a = self._solve(gs, trans=1)                         # R' a = gs
        qf = self.Q.T @ f
        db = self._solve(qf - a) / self.norms
        dr = self.Q @ a + f - self.Q @ qf
        return dr, db


def _refined_params(X: np.ndarray, y: np.ndarray, qr: "_ScaledQR", steps: int = 3) -> np.ndarray:
    """Least-squares coefficients to (nearly) full double precision.

    Start from the column-scaled QR solution b and its residual r, then take ``steps`` rounds of
    iterative refinement on the augmented system [I X; X' 0][r; b] = [y; 0] (Bjorck 1967), each
    correction solved with the same QR and the right-hand sides f = y - r - X b and g = -X' r computed
    in double-double.  Unlike refining b alone, this removes the cond(X)^2 error term that large
    residuals bring.  The refined b is kept only if its (double-double) residual sum of squares is not
    larger.
    """
    X = np.asfortranarray(X, dtype=float)               # column-contiguous for the per-column kernels
    y = np.asarray(y, dtype=float)
    b0 = qr.solve(y)
    sp = _split(X)
    b = b0.copy()
    try:
        r = _residual_dd(X, y, b, X_split=sp)
        for _ in range(steps):
            f = _residual_dd(X, y, b, r, X_split=sp)
            g = -_xt_dot_dd(X, r, sp)
            dr, db = qr.correction(f, g)
            b = b + db
            r = r + dr
            if np.all(np.abs(db) <= 4.5e-16 * np.abs(b)):     # below 2 ulps: converged
                break
    except np.linalg.LinAlgError:
        return b0
    if not np.all(np.isfinite(b)):
        return b0
    r0 = _residual_dd(X, y, b0, X_split=sp)
    r1 = _residual_dd(X, y, b, X_split=sp)
    return b if r1 @ r1 <= (r0 @ r0) * (1 + 1e-12) else b0


def _ols_results(y: np.ndarray, X: np.ndarray, cov_type: str, cov_kwds: dict | None):
    """statsmodels OLS results with the fit, ``(X'X)^-1``, the pseudo-inverse (for HC covariances) and
    the rank all taken from the column-scaled QR (:class:`_ScaledQR`), never from statsmodels' pinv.

    The design has full column rank here (:func:`_check_collinear` refused it otherwise), so the
    residual degrees of freedom are n - k.  statsmodels' own ``fit(method="pinv")`` would cut singular
    values of the unscaled X below 1e-15 x the largest: on NIST Filip it keeps rank 10 of 11, reports
    72 residual degrees of freedom instead of 71 and standard errors 25-100x too small.
    """
    import statsmodels.api as sm
    from statsmodels.regression.linear_model import OLSResults, RegressionResultsWrapper

    model = sm.OLS(y, X)
    k = X.shape[1]
    qr = _ScaledQR(np.asarray(model.wexog, dtype=float))
    model.pinv_wexog = qr.pinv
    model.mbsxl_qr = qr                       # predict() computes x'(X'X)^-1 x from it
    model.normalized_cov_params = qr.xtx_inv
    model.wexog_singular_values = np.linalg.svd(model.wexog, compute_uv=False)
    model.rank = k
    model.df_model = float(k - model.k_constant)
    model.df_resid = float(model.nobs - k)
    params = _refined_params(model.wexog, model.wendog, qr)
    res = OLSResults(model, params, normalized_cov_params=qr.xtx_inv,
                     cov_type=cov_type, cov_kwds=cov_kwds, use_t=True)
    return RegressionResultsWrapper(res)


def _vifs(X: np.ndarray, names: list[str], xtx_inv: np.ndarray | None = None) -> list:
    """VIF_j = 1 / (1 - R_j^2) = TSS_j * [(X'X)^-1]_jj, R_j^2 of column j on the other design columns.

    TSS_j is centred when another column is a constant (as statsmodels' ``variance_inflation_factor``,
    which takes the centred R^2 when the auxiliary regression has a constant), uncentred otherwise.
    """
    k = X.shape[1]
    if xtx_inv is None:
        xtx_inv = np.linalg.pinv(X.T @ X)
    const_cols = [j for j in range(k) if np.all(X[:, j] == X[0, j]) and X[0, j] != 0]
    out: list = []
    for j, name in enumerate(names):
        if name == CONSTANT_NAME or k < 2:
            out.append(None)
            continue
        col = X[:, j]
        centred = any(c != j for c in const_cols)
        tss = float(((col - col.mean()) ** 2).sum()) if centred else float(col @ col)
        out.append(tss * float(xtx_inv[j, j]))
    return out


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass
class Regression:
    """A fitted regression: the statsmodels results plus the spill table.

    Attributes
    ----------
    results : the statsmodels results object (``OLSResults`` or ``LogitResults``); attributes not found
        here are looked up on it, so ``r.params``, ``r.bse``, ``r.rsquared`` work directly.
    summary_frame : DataFrame of the coefficient rows, columns :data:`COEF_COLUMNS` (or
        :data:`LOGIT_COLUMNS`), indexed by term.
    stats : dict of model statistics keyed by the labels in :data:`OLS_STATS` / :data:`LOGIT_STATS`.
    names, y_name, dropped, used_mask : design column names, name of y, rows dropped for empty cells,
        boolean mask of the input rows used.
    """
    results: Any
    summary_frame: pd.DataFrame
    stats: dict
    names: list
    y_name: str
    dropped: int
    used_mask: np.ndarray
    kind: str = "ols"
    columns: list = field(default_factory=lambda: list(COEF_COLUMNS))

    def __getattr__(self, name):
        if name in ("results", "__setstate__", "__getstate__") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.results, name)

    def table(self) -> pd.DataFrame:
        """The spill table: coefficient rows, a blank row, ``Statistic | Value``, the model statistics.

        Empty cells are ``None``; the header is :data:`COEF_COLUMNS` (``t`` becomes ``z`` for logit).
        """
        cols = self.columns
        rows = [list(r) for r in self.summary_frame.reset_index()[cols].itertuples(index=False, name=None)]
        rows = [[None if (isinstance(c, float) and np.isnan(c)) else c for c in r] for r in rows]
        blank = [None] * len(cols)
        rows.append(list(blank))
        rows.append([STATISTIC, VALUE] + [None] * (len(cols) - 2))
        for label, value in self.stats.items():
            rows.append([label, value] + [None] * (len(cols) - 2))
        return pd.DataFrame(rows, columns=cols, dtype=object)

    def __repr__(self):
        return f"Regression({self.kind}, y={self.y_name!r}, terms={self.names}, n={self.stats[OBS_USED]})"


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
    >>> round(float(r.params[1]), 3), r.stats["Covariance"]
    (0.99, 'HC1')
    """
    cov = _opt.cov_type(cov_type)
    d = _prepare(y, x, headers, constant)
    n = d.X.shape[0]
    cov_kwds = None
    cov_label = cov
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
        cov_label = f"HAC (Newey-West, {lags} lag{'s' if lags != 1 else ''})"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # an exact fit (residuals 0, e.g. NIST Wampler1) leaves t, F, DW and the likelihood undefined: empty cells
        warnings.simplefilter("ignore", RuntimeWarning)
        return _ols_table(d, cov, cov_kwds, cov_label)


def _coefficients(res, names, stat: str, vif) -> pd.DataFrame:
    """One row a coefficient: estimate, standard error, t (OLS) or z (logit), p-value, 95% interval, VIF.

    A standard error of 0 (an exact fit) leaves t undefined: NaN (an empty cell), never an infinity."""
    ci = np.asarray(res.conf_int(alpha=0.05))
    tv = np.asarray(res.tvalues, dtype=float)
    tv = np.where(np.isfinite(tv), tv, np.nan)
    return pd.DataFrame({
        TERM: names,
        COEFFICIENT: np.asarray(res.params, dtype=float),
        STD_ERROR: np.asarray(res.bse, dtype=float),
        stat: tv,
        P_VALUE: np.asarray(res.pvalues, dtype=float),
        CI_LOW: ci[:, 0],
        CI_HIGH: ci[:, 1],
        VIF: vif,
    }).set_index(TERM)


def _ols_table(d: _Data, cov: str, cov_kwds, cov_label: str) -> Regression:
    from statsmodels.stats.stattools import durbin_watson

    res = _ols_results(d.y, d.X, cov, cov_kwds)
    frame = _coefficients(res, d.names, T_STAT, _vifs(d.X, d.names, res.model.normalized_cov_params))
    stats = {
        OBS_USED: int(res.nobs),
        ROWS_DROPPED: d.dropped,
        DF_RESID: int(round(res.df_resid)),
        DF_MODEL: int(round(res.df_model)),
        R2: _num(res.rsquared),
        ADJ_R2: _num(res.rsquared_adj),
        F_STAT: _num(np.squeeze(res.fvalue)),
        F_PVALUE: _num(np.squeeze(res.f_pvalue)),
        DURBIN_WATSON: _num(durbin_watson(res.resid)),
        LOG_LIKELIHOOD: _num(res.llf),
        AIC: _num(res.aic),
        BIC: _num(res.bic),
        RESID_SE: _num(np.sqrt(res.scale)),
        CONDITION_NUMBER: _num(res.condition_number),
        COVARIANCE: cov_label,
    }
    return Regression(res, frame, stats, d.names, d.y_name, d.dropped, d.used_mask, "ols", list(COEF_COLUMNS))


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
    d = _prepare(y, x, None, constant)
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
    res = _ols_results(d.y, d.X, "nonrobust", None)
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
    >>> r.stats["Observations used"]
    8
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, PerfectSeparationError

    d = _prepare(y, x, headers, constant, allow_bool_y=True)
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
    frame = _coefficients(res, d.names, Z_STAT, _vifs(d.X, d.names))
    stats = {
        OBS_USED: int(res.nobs),
        ROWS_DROPPED: d.dropped,
        DF_RESID: int(round(res.df_resid)),
        DF_MODEL: int(round(res.df_model)),
        PSEUDO_R2: _num(res.prsquared),
        LOG_LIKELIHOOD: _num(res.llf),
        LL_NULL: _num(res.llnull),
        LR_CHI2: _num(res.llr),
        LR_PVALUE: _num(res.llr_pvalue),
        AIC: _num(res.aic),
        BIC: _num(res.bic),
        CONDITION_NUMBER: _num(np.linalg.cond(d.X)),
        ITERATIONS: int(res.mle_retvals.get("iterations", 0)),
    }
    return Regression(res, frame, stats, d.names, d.y_name, d.dropped, d.used_mask, "logit", list(LOGIT_COLUMNS))
