"""Accurate ordinary least squares for :mod:`mbsxl.stats.regression`: a column-scaled QR solution refined on
the augmented system (Bjorck 1967), residuals in double-double arithmetic, and statsmodels results whose
fit, ``(X'X)^-1``, pseudo-inverse and rank all come from that QR (:func:`ols_results`); VIFs (:func:`vifs`).
"""
from __future__ import annotations

import numpy as np

from mbsxl.columns import CONSTANT_NAME


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


def ols_results(y: np.ndarray, X: np.ndarray, cov_type: str, cov_kwds: dict | None):
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


def vifs(X: np.ndarray, names: list[str], xtx_inv: np.ndarray | None = None) -> list:
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
