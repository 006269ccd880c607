"""Input cleaning of the regressions: cell blocks to a design matrix (:func:`design`).

Conventions (see :mod:`mbsxl.stats.regression`): a row with an empty cell (``None``, ``""``, NaN) in y or x is
dropped and counted, never filled; text, Excel error values and infinities are refused naming their row
and column; headers come from ``headers``, a header row (``headers=True``) or a DataFrame's columns;
the constant column (named :data:`~mbsxl.columns.CONSTANT_NAME`) comes first; constant, zero and
collinear columns are refused, naming them (:func:`_check_collinear`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.columns import CONSTANT_NAME
from mbsxl.errors import EXCEL_ERROR_CODES, MbsxlInputError


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
class Design:
    y: np.ndarray            # used rows
    X: np.ndarray            # used rows, design incl. constant
    names: list[str]         # design column names
    y_name: str
    dropped: int
    used_mask: np.ndarray    # over the input rows
    x_names: list[str]       # x column names (no constant)


def design(y, x, headers, constant: bool, *, need_obs: bool = True, allow_bool_y: bool = False) -> Design:
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
    return Design(yf[used], X, names, y_name, dropped, used, list(x_names))


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
