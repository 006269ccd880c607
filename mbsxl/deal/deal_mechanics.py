"""The optional mechanisms of a Chinese RMBS waterfall, checked and put in the form the loop reads.

The rules (order of payments, when a trigger trips) are stated in :mod:`mbsxl.deal.waterfall`; this module
only reads the arguments and refuses bad ones, naming the argument:

- ``vat_rate``: VAT on the trust's interest income (3% under the simplified method since 2018: 0.03).
- ``triggers``: one row a trigger, ``(measure, threshold, periods, consequence)`` (``periods``: how
  many consecutive periods above the threshold trip it, empty = 1); measures and
  consequences in :mod:`mbsxl.options` (``cumulative_default`` / ``delinquency_90`` / ``senior_shortfall``;
  ``sequential`` / ``stop_subordinate`` / ``block_release``, several joined by ``+``).  A first row
  starting with the word ``measure`` is a header and skipped.
- ``reserve``: ``(item, value)`` rows: ``months`` (target = so many months of senior interest and
  fees) or ``amount`` (a fixed target, yuan), and optionally ``initial`` (balance at closing, yuan).
- ``schedule``: target balances of fixed-amortisation (固定摊还) classes: ``{class name: [target
  after period 1, 2, ...]}``, or rows with a header row of class names.
- ``delinquency``: the per-period 90+ delinquency ratio (a column, decimals).

>>> m = mechanics(4, 3, ["A", "B"], 100.0, vat_rate=0.03, reserve=[("months", 2)])
>>> m.vat_rate, m.reserve
(0.03, (2.0, None, 0.0))
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mbsxl import _validate as v
from mbsxl import options as _opt
from mbsxl.errors import MbsxlInputError

#: at most this many trigger rows; a reserve target of at most this many months
MAX_TRIGGERS = 50
MAX_RESERVE_MONTHS = 120


class Mechanics(NamedTuple):
    vat_rate: float = 0.0
    triggers: tuple = ()                  # (measure, threshold, periods, frozenset of consequences)
    reserve: tuple | None = None          # (months or None, amount or None, initial)
    schedule: list | None = None          # T lists of n targets (nan = no schedule for that class)
    principal_cover: bool = False
    delinquency: list | None = None       # T ratios
    defaults: list | None = None          # T pool defaults (yuan)
    senior: int = 1                       # the first `senior` classes are the senior classes

    @property
    def active(self) -> bool:
        return bool(self.triggers or self.reserve or self.schedule or self.principal_cover or self.senior != 1)


NONE = Mechanics()


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or (isinstance(x, str) and not x.strip())


def _rows(name: str, value) -> list[list]:
    """A table as a list of rows (lists); a DataFrame's rows, or a list of tuples/dicts."""
    if value is None:
        return []
    if hasattr(value, "to_numpy") and hasattr(value, "columns"):
        return [list(r) for r in value.to_numpy(dtype=object)]
    if isinstance(value, dict):
        return [[k, x] for k, x in value.items()]
    a = np.asarray(value, dtype=object)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2:
        raise MbsxlInputError(f"{name} has shape {a.shape}; pass a table, one row an entry")
    return [[c for c in r] for r in a if not all(_blank(c) for c in r)]


def _triggers(rows, T: int, has_defaults: bool, has_delinquency: bool) -> tuple:
    if rows and isinstance(rows[0][0], str) and rows[0][0].strip().lower() in ("measure", "指标"):
        rows = rows[1:]
    if len(rows) > MAX_TRIGGERS:
        raise MbsxlInputError(f"triggers has {len(rows)} rows; at most {MAX_TRIGGERS}")
    out = []
    for j, r in enumerate(rows, start=1):
        r = list(r) + [None] * (4 - len(r))
        if len(r) > 4 and not all(_blank(c) for c in r[4:]):
            raise MbsxlInputError(f"triggers row {j} has {len(r)} cells; pass measure, threshold, periods, consequence")
        measure = _opt.trigger_measure(r[0], f"triggers row {j} measure")
        if measure == "cumulative_default" and not has_defaults:
            raise MbsxlInputError(f"triggers row {j}: measure cumulative_default needs the pool's Default column; pass "
                                  "the MBS_CASHFLOWS table as pool_principal (or pool_default)")
        if measure == "delinquency_90" and not has_delinquency:
            raise MbsxlInputError(f"triggers row {j}: measure delinquency_90 needs the delinquency argument (the "
                                  "90+ delinquency ratio of each period)")
        if _blank(r[1]):
            raise MbsxlInputError(f"triggers row {j} threshold is empty; pass a ratio (0.02 = 2%) or, for "
                                  "senior_shortfall, an amount in yuan (0 = any shortfall)")
        thr = (v.number(f"triggers row {j} threshold", r[1], lo=0.0) if measure == "senior_shortfall"
               else v.rate(f"triggers row {j} threshold", r[1]))
        periods = 1 if _blank(r[2]) else v.whole(f"triggers row {j} periods", r[2], lo=1, hi=T)
        out.append((measure, float(thr), int(periods), _opt.trigger_consequences(r[3], f"triggers row {j} consequence")))
    return tuple(out)


def _reserve(rows, deal: float) -> tuple | None:
    if not rows:
        return None
    seen = {}
    for j, r in enumerate(rows, start=1):
        if len(r) < 2:
            raise MbsxlInputError(f"reserve row {j} has one cell; pass two columns: item (months, amount, initial) "
                                  "and value")
        item = _opt.reserve_item(r[0], f"reserve row {j} item")
        if item in seen:
            raise MbsxlInputError(f"reserve repeats {item}; give it once")
        seen[item] = v.number(f"reserve {item}", r[1], lo=0.0)
    if ("months" in seen) == ("amount" in seen):
        raise MbsxlInputError("reserve needs exactly one of months (target = months of senior interest and fees) "
                              "and amount (a fixed target in yuan)")
    months = seen.get("months")
    if months is not None and months > MAX_RESERVE_MONTHS:
        raise MbsxlInputError(f"reserve months={v._fmt(months)} is above {MAX_RESERVE_MONTHS}")
    for item in ("amount", "initial"):
        if seen.get(item, 0.0) > deal:
            raise MbsxlInputError(f"reserve {item}={v._fmt(seen[item])} is larger than the deal (classes total "
                                  f"{v._fmt(deal)}); pass a target below the class balances")
    return (months, seen.get("amount"), float(seen.get("initial", 0.0)))


def _schedule(value, names: list[str], balances, T: int) -> list | None:
    if value is None:
        return None
    if isinstance(value, dict):
        cols = {str(k).strip(): list(np.asarray(x, dtype=object).ravel()) for k, x in value.items()}
    else:
        rows = _rows("schedule", value)
        if hasattr(value, "columns"):
            rows = [list(value.columns)] + rows
        if not rows or not all(isinstance(c, str) for c in rows[0] if not _blank(c)):
            raise MbsxlInputError("schedule has no header row; the first row names the classes with a schedule")
        cols = {}
        for c, h in enumerate(rows[0]):
            if not _blank(h):
                cols[str(h).strip()] = [r[c] if c < len(r) else None for r in rows[1:]]
    lower = {n.lower(): k for k, n in enumerate(names)}
    targets = np.full((T, len(names)), np.nan)
    for h, col in cols.items():
        if h.lower() not in lower:
            raise MbsxlInputError(f"schedule column {h!r} is not one of the classes {', '.join(names)}")
        k = lower[h.lower()]
        while col and _blank(col[-1]):
            col.pop()
        if not col:
            raise MbsxlInputError(f"schedule column {h!r} is empty; pass the target balance after each period")
        if len(col) > T:
            raise MbsxlInputError(f"schedule column {h!r} has {len(col)} periods, longer than the projection "
                                  f"({T} periods); pass at most {T}")
        a = v.array(f"schedule column {h!r}", [np.nan if _blank(c) else c for c in col], lo=0.0)
        if (np.diff(a) > 1e-9).any():
            i = int(np.argmax(np.diff(a) > 1e-9)) + 2
            raise MbsxlInputError(f"schedule column {h!r} rises in period {i} ({v._fmt(float(a[i - 1]))} after "
                                  f"{v._fmt(float(a[i - 2]))}); target balances must not increase")
        if a[0] > balances[k] * (1 + 1e-12):
            raise MbsxlInputError(f"schedule column {h!r} starts at {v._fmt(float(a[0]))}, above the class balance "
                                  f"({v._fmt(float(balances[k]))})")
        targets[: a.size, k] = a
        targets[a.size:, k] = a[-1]                  # documented: the last target holds to the end
    return targets.tolist()


def _column(name: str, value, T: int, *, hi=None) -> list:
    a = v.array(name, value, lo=0.0, hi=hi, percent_hint=hi is not None)
    if a.size == 0:
        raise MbsxlInputError(f"{name} is empty; pass one value a period")
    if a.size > T:
        raise MbsxlInputError(f"{name} has {a.size} values, longer than the projection ({T} periods)")
    return np.concatenate([a, np.full(T - a.size, a[-1])]).tolist()  # documented: the last value holds


def mechanics(n: int, T: int, names: list[str], deal: float, *, vat_rate=0.0, triggers=None, reserve=None,
              schedule=None, principal_cover=False, delinquency=None, defaults=None, senior_classes=1,
              balances=None) -> Mechanics:
    """Check the mechanism arguments of :func:`mbsxl.tranches` for ``n`` classes and ``T`` periods."""
    vat = v.rate("vat_rate", 0.0 if vat_rate is None else vat_rate)
    senior = 1 if senior_classes is None else v.whole("senior_classes", senior_classes, lo=1, hi=n)
    dq = None if delinquency is None else _column("delinquency", delinquency, T, hi=1.0)
    d = None if defaults is None else _column("pool_default", defaults, T)
    trig = _triggers(_rows("triggers", triggers), T, d is not None, dq is not None)
    res = _reserve(_rows("reserve", reserve), deal)
    bals = np.asarray(balances if balances is not None else [deal] * n, dtype=float)
    sched = _schedule(schedule, names, bals, T)
    cover = _opt.flag("principal_cover", False if principal_cover is None else principal_cover)
    return Mechanics(vat, trig, res, sched, cover, dq, d, senior)
