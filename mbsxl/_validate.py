"""Argument checks shared by the core.

Every check raises :class:`MbsxlInputError` (a ``ValueError``; the one type of bad-input error in
the core, exported as ``mbsxl.MbsxlInputError``) whose message names the argument, the value and what is
accepted, e.g. ``"wac=8 looks like a percent; pass 0.08"``.  The Excel layer prefixes the
worksheet function's name and shows the message in the cell.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from .errors import MbsxlInputError  # noqa: F401  (the checks raise it; importable from here too)

#: Caps on sizes, so that a bad argument gets a clear error instead of exhausting memory or time.
#: Terms: 600 months (50 years) is above every mortgage term in use (US 30 and 40 years, Chinese
#: mortgages at most 30 years).  Loans: 2,000,000 is above an Excel column (1,048,576 rows).
#: Loan-months (loans x the longest term): 6e8, about 6 s of the compiled engine at ~1e8
#: loan-months a second on a 2-core machine (a full column of 1,048,575 loans x 360 months fits).
#: Paths: 100,000 Monte Carlo paths (x 600 months = 6e7 path-months, ~2 s, ~250 MB).
MAX_MONTHS = 600
MAX_LOANS = 2_000_000
MAX_LOAN_MONTHS = 600_000_000
MAX_PATHS = 100_000


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def number(name: str, value, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False, accepted: str | None = None) -> float:
    """A finite real number, optionally within [lo, hi] (or open at either end)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise MbsxlInputError(f"{name}={value!r} is not a number; {accepted or 'pass a number'}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise MbsxlInputError(f"{name}={value!r} is not a number; {accepted or 'pass a number'}") from None
    if math.isnan(x):
        raise MbsxlInputError(f"{name} is NaN; {accepted or 'pass a number'}")
    if math.isinf(x):
        raise MbsxlInputError(f"{name}={x} is not finite; {accepted or 'pass a finite number'}")
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        if accepted is None:
            left = "(" if lo_open else "["
            right = ")" if hi_open else "]"
            accepted = f"accepted: {left}{'-inf' if lo is None else _fmt(lo)}, {'inf' if hi is None else _fmt(hi)}{right}"
        raise MbsxlInputError(f"{name}={_fmt(x)} is out of range; {accepted}")
    return x


def rate(name: str, value, *, hi: float = 1.0) -> float:
    """An annual or monthly rate as a decimal in [0, hi]; 8 is caught as a percent typed as a whole number."""
    x = number(name, value)
    if x > hi and x <= 100 * max(hi, 1.0):
        raise MbsxlInputError(f"{name}={_fmt(x)} looks like a percent; pass {_fmt(x / 100)}")
    return number(name, x, lo=0.0, hi=hi)


def fraction(name: str, value) -> float:
    """A fraction in [0, 1] (CPR, SMM, severity ...); a whole-number percent is named as such."""
    return rate(name, value, hi=1.0)


def whole(name: str, value, *, lo: int = 1, hi: int | None = None, why: str = "") -> int:
    """A whole number >= lo (terms, lags, ages), and <= hi when given (``why`` explains the cap)."""
    x = number(name, value)
    if not float(x).is_integer() or x < lo:
        what = "a positive whole number" if lo == 1 else f"a whole number >= {lo}"
        raise MbsxlInputError(f"{name}={_fmt(x)} is not {what}")
    if hi is not None and x > hi:
        raise MbsxlInputError(f"{name}={_fmt(x)} is above the cap of {hi:,}{why}; pass at most {hi:,}")
    return int(x)


def months(name: str, value, *, lo: int = 1) -> int:
    """A number of months: whole, >= lo, at most :data:`MAX_MONTHS` (600 = 50 years)."""
    return whole(name, value, lo=lo, hi=MAX_MONTHS, why=" months (50 years)")


def spread(name: str, value, *, hi: float = 0.2) -> float:
    """A rate-like margin or spread as a decimal in [-hi, hi] (default +-20%); 1.5 is named as a percent."""
    x = number(name, value)
    if hi < abs(x) <= 100 * hi:
        raise MbsxlInputError(f"{name}={_fmt(x)} looks like a percent; pass {_fmt(x / 100)}")
    return number(name, x, lo=-hi, hi=hi, accepted=f"accepted: a decimal in [-{_fmt(hi)}, {_fmt(hi)}] "
                  f"(+-{_fmt(100 * hi)}%)")


def choice(name: str, value, options: Iterable[str]) -> str:
    """A case-insensitive choice among ``options`` (``-`` and spaces count as ``_``); the canonical spelling.

    The generic matcher behind :mod:`mbsxl.options` (which holds every named option's table)."""
    opts = list(options)
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        for o in opts:
            if o.lower() == key:
                return o
    raise MbsxlInputError(f"{name}={value!r} is not one of {', '.join(opts)}")


def array(name: str, value, *, lo: float | None = None, hi: float | None = None,
          percent_hint: bool = False) -> np.ndarray:
    """A 1-D float array with no NaN or booleans, optionally within [lo, hi]."""
    no_bool(name, value)
    try:
        a = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise MbsxlInputError(f"{name} holds a value that is not a number") from None
    if a.ndim != 1:
        raise MbsxlInputError(f"{name} has shape {a.shape}; pass a single row or column")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argmax(bad))
        raise MbsxlInputError(f"{name}[{i}] is {a[i]}; pass finite numbers")
    if hi is not None and (a > hi).any():
        i = int(np.argmax(a > hi))
        if percent_hint and a[i] <= 100 * hi:
            raise MbsxlInputError(f"{name}[{i}]={_fmt(float(a[i]))} looks like a percent; pass {_fmt(float(a[i]) / 100)}")
        raise MbsxlInputError(f"{name}[{i}]={_fmt(float(a[i]))} is above {_fmt(hi)}; accepted: [{_fmt(lo if lo is not None else -np.inf)}, {_fmt(hi)}]")
    if lo is not None and (a < lo).any():
        i = int(np.argmax(a < lo))
        raise MbsxlInputError(f"{name}[{i}]={_fmt(float(a[i]))} is below {_fmt(lo)}")
    return a


def no_bool(name: str, value) -> None:
    """Refuse a boolean (or an array holding one) where a number is expected: TRUE is not 1."""
    if isinstance(value, (bool, np.bool_)):
        raise MbsxlInputError(f"{name}={value!r} is a logical value, not a number; pass a number")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "b":
            raise MbsxlInputError(f"{name} holds logical values (TRUE/FALSE), not numbers; pass numbers")
        if value.dtype == object and any(isinstance(c, (bool, np.bool_)) for c in value.ravel()):
            raise MbsxlInputError(f"{name} holds a logical value (TRUE/FALSE), not a number; pass numbers")
    elif isinstance(value, (list, tuple)):
        flat = np.asarray(value, dtype=object).ravel()
        if any(isinstance(c, (bool, np.bool_)) for c in flat):
            raise MbsxlInputError(f"{name} holds a logical value (TRUE/FALSE), not a number; pass numbers")


#: A PSA or SDA speed below this (and above 0) is taken for a percent written as a fraction.
MIN_SPEED = 5.0


def speeds(name: str, value) -> np.ndarray:
    """PSA / SDA speeds as percent numbers (SIFMA SF-6, SF-20: 100% PSA = speed 100, 150% PSA = 150).

    Finite and >= 0; a speed strictly between 0 and 5 is refused as a percent written as a
    fraction (a cell formatted as a percent holding 150%, or the text "150%", has the value 1.5).
    """
    no_bool(name, value)
    try:
        s = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise MbsxlInputError(f"{name}={value!r} is not a number; pass a speed in percent of the "
                              "benchmark (150 = 150%)") from None
    bad = ~np.isfinite(s) | (s < 0)
    if bad.any():
        x = float(s[bad].flat[0]) if s.ndim else float(s)
        raise MbsxlInputError(f"{name}={_fmt(x)} is not a speed; pass a speed >= 0 in percent of the "
                              "benchmark (100 = 100%)")
    small = (s > 0) & (s < MIN_SPEED)
    if small.any():
        x = float(s[small].flat[0]) if s.ndim else float(s)
        raise MbsxlInputError(f"{name}={_fmt(x)} looks like {_fmt(100 * x)}% written as a fraction; speeds are "
                              f"percent numbers (SIFMA: 100% PSA = speed 100): pass {_fmt(100 * x)}. Speeds "
                              f"between 0 and {_fmt(MIN_SPEED)} are refused")
    return s


def floats(name: str, value) -> np.ndarray:
    """``np.asarray(value, dtype=float)`` with a named error for what is not numbers (text, None, a
    dict, a ragged list) and for booleans (TRUE is not 1)."""
    no_bool(name, value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise MbsxlInputError(f"{name}={value!r} is not a number or a range of numbers; pass numbers") from None


# ------------------------------------------------------------------ issue 14: scenario analytics
#: Scenarios of one MBS_GRID call (CPRs x CDRs x severities), each a full projection and waterfall
#: (~1 ms a scenario in the batch path, ~3 ms through mbsxl.tranches): 2,500 = 50 x 50, a few seconds.
MAX_GRID_CELLS = 2_500
#: Key tenors of one MBS_KRD call.
MAX_KEY_TENORS = 60
