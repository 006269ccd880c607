"""Argument checks shared by the core.

Every check raises ``ValueError`` whose message names the argument, the value and what is
accepted, e.g. ``"wac=8 looks like a percent; pass 0.08"``.  The Excel layer prefixes the
worksheet function's name and shows the message in the cell.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def number(name: str, value, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False, accepted: str | None = None) -> float:
    """A finite real number, optionally within [lo, hi] (or open at either end)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ValueError(f"{name}={value!r} is not a number; {accepted or 'pass a number'}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a number; {accepted or 'pass a number'}") from None
    if math.isnan(x):
        raise ValueError(f"{name} is NaN; {accepted or 'pass a number'}")
    if math.isinf(x):
        raise ValueError(f"{name}={x} is not finite; {accepted or 'pass a finite number'}")
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        if accepted is None:
            left = "(" if lo_open else "["
            right = ")" if hi_open else "]"
            accepted = f"accepted: {left}{'-inf' if lo is None else _fmt(lo)}, {'inf' if hi is None else _fmt(hi)}{right}"
        raise ValueError(f"{name}={_fmt(x)} is out of range; {accepted}")
    return x


def rate(name: str, value, *, hi: float = 1.0) -> float:
    """An annual or monthly rate as a decimal in [0, hi]; 8 is caught as a percent typed as a whole number."""
    x = number(name, value)
    if x > hi and x <= 100 * max(hi, 1.0):
        raise ValueError(f"{name}={_fmt(x)} looks like a percent; pass {_fmt(x / 100)}")
    return number(name, x, lo=0.0, hi=hi)


def fraction(name: str, value) -> float:
    """A fraction in [0, 1] (CPR, SMM, severity ...); a whole-number percent is named as such."""
    return rate(name, value, hi=1.0)


def whole(name: str, value, *, lo: int = 1) -> int:
    """A whole number >= lo (terms, lags, ages)."""
    x = number(name, value)
    if not float(x).is_integer() or x < lo:
        what = "a positive whole number" if lo == 1 else f"a whole number >= {lo}"
        raise ValueError(f"{name}={_fmt(x)} is not {what}")
    return int(x)


def choice(name: str, value, options: Iterable[str]) -> str:
    """A case-insensitive choice among ``options``; returns the canonical spelling."""
    opts = list(options)
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        for o in opts:
            if o.lower() == key:
                return o
    raise ValueError(f"{name}={value!r} is not one of {', '.join(opts)}")


def array(name: str, value, *, lo: float | None = None, hi: float | None = None,
          percent_hint: bool = False) -> np.ndarray:
    """A 1-D float array with no NaN, optionally within [lo, hi]."""
    try:
        a = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} holds a value that is not a number") from None
    if a.ndim != 1:
        raise ValueError(f"{name} has shape {a.shape}; pass a single row or column")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}[{i}] is {a[i]}; pass finite numbers")
    if hi is not None and (a > hi).any():
        i = int(np.argmax(a > hi))
        if percent_hint and a[i] <= 100 * hi:
            raise ValueError(f"{name}[{i}]={_fmt(float(a[i]))} looks like a percent; pass {_fmt(float(a[i]) / 100)}")
        raise ValueError(f"{name}[{i}]={_fmt(float(a[i]))} is above {_fmt(hi)}; accepted: [{_fmt(lo if lo is not None else -np.inf)}, {_fmt(hi)}]")
    if lo is not None and (a < lo).any():
        i = int(np.argmax(a < lo))
        raise ValueError(f"{name}[{i}]={_fmt(float(a[i]))} is below {_fmt(lo)}")
    return a
