"""Excel's VDB, XNPV and XIRR for the headless engine (issue 21: the conformance suite found pycel's
and ``formulas``' versions differ from the values Excel cached).  Installed into the pycel plug-in
module by :func:`install` (pycel searches it before its own library).

- ``VDB(cost, salvage, life, start_period, end_period, [factor=2], [no_switch=FALSE])``: declining
  balance at ``factor / life`` a period, switching to straight line over the remaining life when that
  gives more (unless ``no_switch``); a fractional start or end period takes that fraction of the
  period's depreciation.  #NUM! when cost or salvage < 0, life <= 0, start < 0, end < start,
  end > life or factor <= 0 (Microsoft, "VDB function").
  Microsoft's example: cost 2400, salvage 300, life 10 years (120 months):
  ``VDB(2400,300,3650,0,1)`` = 1.32 (first day), ``VDB(2400,300,120,0,1)`` = 40.00 (first month),
  ``VDB(2400,300,10,0,1)`` = 480.00, ``VDB(2400,300,120,6,18)`` = 396.31,
  ``VDB(2400,300,120,6,18,1.5)`` = 311.81, ``VDB(2400,300,10,0,0.875,1.5)`` = 315.00.
- ``XNPV(rate, values, dates)``: ``sum(values_i / (1 + rate) ** ((dates_i - dates_1) / 365))``
  (actual/365 from the first date given, dates truncated to whole days).
- ``XIRR(values, dates, [guess=0.1])``: the rate at which XNPV is 0, by Newton's method from the guess.

>>> round(vdb(2400, 300, 10, 0, 1), 2), round(vdb(2400, 300, 120, 6, 18), 2)
(480.0, 396.31)
>>> round(xnpv(0.09, ((-10000,), (2750,), (4250,), (3250,), (2750,)),
...            ((39448,), (39508,), (39751,), (39859,), (39904,))), 2)
2086.65
"""
from __future__ import annotations

import math

from ._fn_args import NA, NUM, VALUE, first_error, grid, is_error, is_multi, number


# --- VDB -------------------------------------------------------------------------------------------

_VDB_MAX_STEPS = 1_000_000


def _vdb(cost, salvage, life, start, end, factor=2, no_switch=False):
    """Excel's VDB as the conformance corpus shows it (koala/xlcalculator VDB.xlsx): the periods are
    laid out from ``start``'s fraction -- a first step of ``start - floor(start)``, then whole
    periods, the last one cut at ``end`` -- and at each step's beginning ``t`` the declining balance
    ``book * factor / life`` (never below salvage) is compared with straight line over the remaining
    life, ``(book - salvage) / (life - t)``; once straight line gives more it is kept.  A step of
    length ``L`` depreciates ``L`` times the period's amount.  The depreciation of the steps inside
    ``[start, end]`` is summed.  (Declining balance alone is the same on any grid; the grid decides
    only where the switch happens: ``VDB(1,0,14,3.5,4.5,1.25)`` switches at 3.5 and is 0.0687263,
    while ``VDB(1,0,14,4,5,1.25)`` switched at 3 and is 0.0686679.)"""
    args = [number(a) for a in (cost, salvage, life, start, end, factor)]
    err = next((a for a in args if is_error(a)), None)
    if err:
        return err
    cost, salvage, life, start, end, factor = (float(a) for a in args)
    if is_error(no_switch):
        return no_switch
    if isinstance(no_switch, str):
        up = no_switch.strip().upper()
        if up in ("TRUE", "FALSE"):
            no_switch = up == "TRUE"
        else:
            n = number(no_switch)
            if is_error(n):
                return n
            no_switch = bool(n)
    no_switch = bool(no_switch)
    if cost < 0 or salvage < 0 or life <= 0 or start < 0 or end < start or end > life or factor <= 0:
        return NUM
    if end > _VDB_MAX_STEPS:
        from .errors import CalcError
        return CalcError(NUM, f"unsupported: VDB over more than {_VDB_MAX_STEPS:,} periods")
    rate = min(factor / life, 1.0)
    frac = start - math.floor(start)
    book, t, total = cost, 0.0, 0.0
    sln = None                                     # the straight-line amount once switched
    while t < end - 1e-12:
        step = frac if (t == 0.0 and frac > 0) else 1.0
        step = min(step, end - t)
        if sln is None:
            ddb = max(min(book * rate, book - salvage), 0.0)
            remaining = life - t
            sl = (book - salvage) / remaining if remaining > 0 else 0.0
            if not no_switch and sl > ddb:
                sln = sl
                amount = sl
            else:
                amount = ddb
        else:
            amount = sln
        dep = amount * step
        if t >= start - 1e-12:
            total += dep
        book -= dep
        t = t + step if step != 1.0 else t + 1.0
    return total


def vdb(cost, salvage, life, start_period, end_period, factor=2, no_switch=False):
    if factor is None:
        factor = 2
    return _vdb(cost, salvage, life, start_period, end_period, factor, no_switch)


# --- XNPV / XIRR -------------------------------------------------------------------------------------

def _flows(values, dates):
    """``(values, day offsets from the first date)`` or an error text.  Errors in either range come
    first; then every value and date must be a number (a logical, text or empty cell is #VALUE!),
    the ranges the same size, dates within 0..2958465 (#NUM! otherwise)."""
    vs = [v for row in grid(values) for v in row]
    ds = [d for row in grid(dates) for d in row]
    err = first_error(values, dates)
    if err:
        return err
    if len(vs) != len(ds):
        return NUM
    out_v, out_d = [], []
    for v, d in zip(vs, ds):
        if isinstance(v, bool) or isinstance(d, bool) or v is None or d is None:
            return VALUE
        v, d = number(v), number(d)
        if is_error(v) or is_error(d):
            return VALUE
        if d < 0 or d >= 2958466:
            return NUM
        out_v.append(float(v))
        out_d.append(math.floor(d))
    d0 = out_d[0]
    if any(d < d0 for d in out_d):
        return NUM
    return out_v, [(d - d0) / 365.0 for d in out_d]


def _npv(rate, vs, ts):
    return sum(v / (1.0 + rate) ** t for v, t in zip(vs, ts))


def xnpv(rate, values, dates):
    if is_multi(rate):
        return VALUE
    r = number(rate)
    if is_error(r):
        return r
    if isinstance(rate, bool) or (isinstance(rate, tuple) and isinstance(grid(rate)[0][0], bool)):
        return VALUE
    if r <= 0:                   # Excel: #NUM! for a rate of 0 or below (formulas test.xlsx FINANCIAL!S56, U56)
        return NUM
    fl = _flows(values, dates)
    if isinstance(fl, str):
        return fl
    try:
        return _npv(float(r), *fl)
    except (OverflowError, ZeroDivisionError):
        return NUM


def _xirr_flows(values, dates):
    """XIRR's reading of its ranges: errors in the dates first, then in the values; a logical in
    either is #VALUE!; a pair holding text or an empty cell is left out (formulas test.xlsx
    FINANCIAL!AD54: a text value with its date changes nothing); sizes must match and the values
    hold a payment and a receipt (#NUM!); a date before the first is #NUM!."""
    vs = [v for row in grid(values) for v in row]
    ds = [d for row in grid(dates) for d in row]
    err = first_error(dates) or first_error(values)
    if err:
        return err
    if len(vs) != len(ds):
        return NUM
    out_v, out_d = [], []
    for v, d in zip(vs, ds):
        if isinstance(v, bool) or isinstance(d, bool):
            return VALUE
        if not isinstance(v, (int, float)) or not isinstance(d, (int, float)):
            continue
        if d < 0 or d >= 2958466:
            return NUM
        out_v.append(float(v))
        out_d.append(math.floor(d))
    if not out_v or not any(v > 0 for v in out_v) or not any(v < 0 for v in out_v):
        return NUM
    if any(d < out_d[0] for d in out_d):
        return NUM
    return out_v, [(d - out_d[0]) / 365.0 for d in out_d]


def xirr(values, dates, guess=0.1):
    """XIRR's arguments and its error values as Excel gives them (formulas test.xlsx FINANCIAL!R54:AW55):
    the guess first (a range of several cells, a logical or text that is no number #VALUE!, an error
    itself, empty as 0, below 0 #NUM!), then :func:`_xirr_flows`.  Past those checks the cell is
    refused: Excel's iteration stops about 1e-8 from the root at a point that depends on the guess
    (0.5993197500705721 from 0.1, 0.5993197485804558 from 1, 0.599319755859375 from 0, for a root at
    0.5993197557530...), and that stopping point -- and whether Excel finds a rate at all from a far
    guess -- is not reproduced; the reason gives the rate Newton's method finds, if any."""
    if guess is None:
        guess = 0
    if is_multi(guess):
        return VALUE
    if isinstance(guess, tuple):
        guess = grid(guess)[0][0]
    if isinstance(guess, bool):
        return VALUE
    g = number(guess)
    if g == VALUE and isinstance(guess, str):
        from ._fn_args import scalar_number as _scalar_number
        g = _scalar_number(guess)
    if is_error(g):
        return g
    if g < 0:
        return NUM
    fl = _xirr_flows(values, dates)
    if isinstance(fl, str):
        return fl
    vs, ts = fl
    from .errors import CalcError
    rate = _newton(vs, ts, float(g))
    found = "" if rate is None else f" (the rate is {rate:.10g})"
    return CalcError(NUM, "unsupported: XIRR's result: Excel stops its iteration about 1e-8 from the rate, "
                          f"at a point that depends on the guess and that this engine does not reproduce{found}")


def _newton(vs, ts, r):
    """The rate at which :func:`_npv` is 0 by Newton's method from ``r``, or None."""
    for _ in range(100):
        try:
            f = _npv(r, vs, ts)
            df = sum(-t * v / (1.0 + r) ** (t + 1.0) for v, t in zip(vs, ts))
            step = f / df
        except (OverflowError, ZeroDivisionError):
            return None
        if isinstance(step, complex) or not math.isfinite(step):
            return None
        r -= step
        if r <= -1:
            return None
        if abs(step) < 1e-12 * max(1.0, abs(r)):
            return r
    return None


def install(mod) -> None:
    """Put these functions into the pycel plug-in module."""
    mod.vdb = vdb
    mod.xnpv = xnpv
    mod.xirr = xirr
