"""Statistics where pycel's answer differed from Excel's cached one (issue 21, s6-silent), following
Microsoft's function reference (support.microsoft.com, "SLOPE function", "INTERCEPT function", "TREND
function", "LINEST function") and the cells cited.

- ``SLOPE(known_y's, known_x's)`` / ``INTERCEPT``: the two ranges are read pair by pair; a pair where
  either value is text, a logical or empty is left out; the first error met (the y value's before the
  x value's, pair by pair) is the answer; fewer than two pairs or no spread in x is #DIV/0!; ranges of
  different sizes are #N/A (formulas test.xlsx STATISTICAL!R55:AF55 and R94:AF94:
  ``SLOPE(D94:F94,F94:H94)`` over (0.1,0.2,0.3) and (0.3,-0.1,<empty>) is -0.25).  Where that first
  error is #NULL! the cell is refused: Excel's answer there (AD55, AD94: #NUM!) follows a rule not
  reproduced;
- ``TREND(known_y's, known_x's, new_x's)``: ``new_x's`` holding anything but numbers is #VALUE! (an error
  in it too), and with several x variables ``new_x's`` must have one column (row) per variable, else
  #REF! (STATISTICAL!V113:AF113);
- ``LINEST(..., const, stats)``: an error or text in ``const``/``stats`` is #VALUE! (Z58);
- ``LINEST``/``TREND`` fit: of pycel's least squares (SVD) and the normal equations of the data centred
  on their means, the one with the smaller residual sum of squares (an exact fit then comes out exact,
  as in Excel: pycel stats.xlsx Stats!D45:E49 ``LINEST`` of (1,2,3) on (2,3,4) has standard errors 0,
  Trend!B8 predicts 0, not -2.7e-15).

>>> slope(((0.1, 0.2, 0.3),), ((0.3, -0.1, None),)), intercept(((0.1, 0.2, 0.3),), ((0.3, -0.1, None),))
(-0.25, 0.17500000000000002)
"""
from __future__ import annotations

import math
from numbers import Number

from pycel.excelutil import DIV0, ERROR_CODES, NA_ERROR, REF_ERROR, VALUE_ERROR, flatten

from pycel.lib.function_helpers import excel_helper

from .errors import CalcError

_NULL_REASON = ("unsupported: {name} whose first error is #NULL! (Excel's answer there is another error; "
                "its rule is not reproduced)")


def _is_num(x) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def _pairs(ys, xs, name):
    y = list(flatten(ys if isinstance(ys, tuple) else (ys,)))
    x = list(flatten(xs if isinstance(xs, tuple) else (xs,)))
    if len(y) != len(x):
        return NA_ERROR
    out = []
    for a, b in zip(y, x):
        for v in (a, b):
            if isinstance(v, str) and v in ERROR_CODES:
                return CalcError("#N/A", _NULL_REASON.format(name=name)) if v == "#NULL!" else v
        if _is_num(a) and _is_num(b):
            out.append((float(a), float(b)))
    return out


def _fit(ys, xs, name):
    p = _pairs(ys, xs, name)
    if isinstance(p, str):
        return p
    n = len(p)
    if n < 2:
        return DIV0
    my = math.fsum(a for a, _ in p) / n
    mx = math.fsum(b for _, b in p) / n
    sxx = math.fsum((b - mx) ** 2 for _, b in p)
    if sxx == 0:
        return DIV0
    sxy = math.fsum((b - mx) * (a - my) for a, b in p)
    s = sxy / sxx
    return s, my - s * mx


def slope(known_y_s, known_x_s):
    r = _fit(known_y_s, known_x_s, "SLOPE")
    return r if isinstance(r, str) else r[0]


def intercept(known_y_s, known_x_s):
    r = _fit(known_y_s, known_x_s, "INTERCEPT")
    return r if isinstance(r, str) else r[1]


def _shape(a):
    if isinstance(a, tuple) and a and isinstance(a[0], tuple):
        return len(a), len(a[0])
    return 1, 1


@excel_helper(bool_params=3, err_str_params=(0, 1))
def trend(known_y_s, known_x_s=None, new_x_s=None, const=None):
    from pycel.lib import stats as _stats
    if new_x_s is not None:
        vals = list(flatten(new_x_s if isinstance(new_x_s, tuple) else (new_x_s,)))
        if any(not _is_num(v) for v in vals):
            return VALUE_ERROR
        if known_x_s is not None and isinstance(known_x_s, tuple):
            yr, yc = _shape(known_y_s)
            xr, xc = _shape(known_x_s)
            nr, nc = _shape(new_x_s)
            if yc == 1 and yr > 1 and xc > 1 and xr == yr and nc != xc:
                return REF_ERROR
            if yr == 1 and yc > 1 and xr > 1 and xc == yc and nr != xr:
                return REF_ERROR
    return _pycel("trend")(known_y_s, known_x_s, new_x_s, const)


def linest(known_y_s, known_x_s=None, const=None, stats=None):
    from pycel.lib import stats as _stats
    for v in (const, stats):
        if isinstance(v, str):
            return VALUE_ERROR
    return _pycel("linest")(known_y_s, known_x_s, const, stats)


def _lstsq(a, b, rcond=None):
    """numpy's ``lstsq``, with the centred normal-equation solution when its residuals are no larger."""
    import numpy as np
    coefs, res, rank, sv = np.linalg.lstsq(a, b, rcond=rcond)
    try:
        if a.shape[1] > 1 and np.all(a[:, 0] == 1) and rank == a.shape[1]:
            x = a[:, 1:]
            mx, my = x.mean(axis=0), b.mean()
            xc, yc = x - mx, b - my
            slope = np.linalg.solve(xc.T @ xc, xc.T @ yc)
            alt = np.concatenate(([my - mx @ slope], slope))
            if np.all(np.isfinite(alt)) and np.sum((a @ alt - b) ** 2) <= np.sum((a @ coefs - b) ** 2):
                coefs = alt
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        pass
    return coefs, res, rank, sv


class _Linalg:
    def __getattr__(self, name):
        import numpy as np
        return getattr(np.linalg, name)

    lstsq = staticmethod(_lstsq)


class _Numpy:
    """numpy as pycel's LINEST/TREND see it: ``np.linalg.lstsq`` is :func:`_lstsq`."""
    linalg = _Linalg()

    def __getattr__(self, name):
        import numpy as np
        return getattr(np, name)


_PYCEL: dict = {}


def _pycel(name):
    """pycel's ``linest``/``trend`` (raw, without their argument wrappers) fitting with :func:`_lstsq`."""
    f = _PYCEL.get(name)
    if f is None:
        import types
        from pycel.lib import stats as _stats
        g = dict(vars(_stats))
        g["np"] = _Numpy()
        g["linest_helper"] = types.FunctionType(_stats.linest_helper.__code__, g, "linest_helper",
                                                _stats.linest_helper.__defaults__)
        orig = getattr(_stats, name)
        f = _PYCEL[name] = types.FunctionType(orig.__code__, g, name, orig.__defaults__)
    return f


def _kth(array, k, largest):
    """LARGE/SMALL: k read as a number (numeric or date text too: ``LARGE(C57:J57,"01/01/1900")`` is the
    largest, formulas test.xlsx STATISTICAL!AN57); SMALL(k) is LARGE(n + 1 - k), k rounded up (so
    ``SMALL({0,-10,0.9,2.2,-0.1}, 2.2)`` is -0.1, AK95); errors, ranges and k over an array as in
    :func:`mbsxl.excel._excel_fixes._kth`."""
    from . import _excel_fixes
    from ._fix_dates import _text_serial
    if isinstance(k, tuple) and len(k) and isinstance(k[0], tuple) and len(list(flatten(k))) > 1:
        return tuple(tuple(_kth(array, x, largest) for x in row) for row in k)
    if isinstance(k, tuple):
        k = next(iter(flatten(k)), None)
    if isinstance(k, str) and k not in ERROR_CODES:
        try:
            float(k.strip())
        except ValueError:
            t = _text_serial(k)
            if t is not None:
                k = t
    if largest:
        return _excel_fixes._kth(array, k, True)
    kk = int(k) if isinstance(k, bool) else _excel_fixes._number(k)
    if isinstance(kk, str):
        return kk
    for x in flatten(array if isinstance(array, tuple) else (array,)):
        if isinstance(x, str) and x in ERROR_CODES:
            return x
    n = sum(1 for x in flatten(array if isinstance(array, tuple) else (array,)) if _is_num(x))
    return _excel_fixes._kth(array, n + 1 - kk, True)


def large(array, k):
    return _kth(array, k, True)


def small(array, k):
    return _kth(array, k, False)


FIXES = {"large": large, "small": small, "slope": slope, "intercept": intercept, "trend": trend, "linest": linest}
