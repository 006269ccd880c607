"""Work shared between the MBS_ calls of ONE headless recalculation (issue 21 item 4).

The per-run call cache of :mod:`mbsxl.excel._pycel_plugin` computes each MBS_ call once when its
arguments are the same.  Some calls differ only in how they show one computation: the deal review's two
``MBS_RATINGSTRESS`` tables ask for ``view="ratings"`` and ``view="breakevens"`` of the same breakeven
searches.  A wrapper shares that computation with :func:`shared`, keyed by its converted arguments
(:func:`freeze`); the memo exists only while :mod:`mbsxl.excel.calc` evaluates a workbook
(:func:`scope`), so each recalculation computes everything afresh, and a call from Excel (xlwings) or
from Python outside a run computes as before.

>>> with scope():
...     shared("f", (1.0, "a"), lambda: [1]) is shared("f", (1.0, "a"), lambda: [2])
True
>>> shared("f", (1.0,), lambda: 3)         # no run under way: computed
3
"""
from __future__ import annotations

import contextlib
import datetime as _dt

import numpy as np

_MEMO: dict | None = None


@contextlib.contextmanager
def scope():
    """The span of one recalculation: a fresh memo, dropped at the end (also on an error)."""
    global _MEMO
    outer, _MEMO = _MEMO, {}
    try:
        yield
    finally:
        _MEMO = outer


def freeze(x):
    """A hashable key for a converted argument that tells 1, 1.0 and TRUE apart (equal in Python), and
    0.0 from -0.0, and holds a range by value; ``TypeError`` for a value it cannot key (then nothing is
    shared)."""
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            return ("nd", x.shape, tuple(freeze(c) for c in x.ravel().tolist()))
        return ("nd", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(freeze(c) for c in x))
    if isinstance(x, (float, np.floating)):
        return (type(x), float(x).hex())          # by its bits: -0.0 is not 0.0, and NaN equals NaN
    if x is None or isinstance(x, (bool, int, str, np.generic, _dt.date)):
        return (type(x), x)
    raise TypeError(f"cannot key a {type(x).__name__}")


def shared(name: str, args: tuple, compute):
    """``compute()``, once per recalculation for ``name`` and the same ``args`` (converted arguments);
    outside a recalculation, or for arguments :func:`freeze` cannot key, simply ``compute()``.  An
    exception is not kept: a later call computes (and raises) again.  The result is shared, not
    copied: callers only read it."""
    if _MEMO is None:
        return compute()
    try:
        key = (name, freeze(tuple(args)))
        hit = _MEMO.get(key, _MEMO)
    except TypeError:
        return compute()
    if hit is not _MEMO:
        return hit
    out = _MEMO[key] = compute()
    return out
