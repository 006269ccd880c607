"""Recoveries of a non-performing mortgage pool (个人住房抵押贷款不良资产支持证券): loan by loan, or from a curve.

A non-performing pool does not amortise: its cash is what the servicer recovers, mostly by selling the
mortgaged property after negotiation (协商), litigation (诉讼), enforcement (执行) and auction (拍卖).

Loan level (:func:`recovery_loans`, :func:`recoveries`), one row a loan of the tape (layout
:data:`mbsxl.columns.NPL_TAPE_LAYOUT`, headers found by the full label, its Chinese or its English part):

- claim (债权金额) ``= principal + interest + fees`` (the cut-off claim a trustee report divides by);
- collateral after haircut ``S = appraisal x (1 - haircut)``; the disposal costs ``K`` (诉讼费、执行费用、
  处置费用) are paid out of the sale;
- net recovery ``R = min(S - K, claim)`` and gross proceeds ``G = R + K`` (what the servicer collects;
  the deal pays the costs first).  A loan with ``S - K > claim`` is *capped*: it is flagged in the
  column 受债权上限 Capped by claim (the surplus belongs to the borrower), never silently cut;
- resolution month ``m = max(T(stage) - months already spent in the stage, 1) + delay``, ``T`` from the
  stage table (months from the start of a stage to the cash; the user's, or :data:`DEFAULT_STAGE_TABLE`,
  an illustration);  month 1 is the first month after the cut-off date.  With a ``window`` of ``w``
  months the amounts are spread equally over months ``m .. m + w - 1``.
- stresses (the rating agencies' recovery-amount and timing stresses): ``amount_stress`` ``a`` scales
  the collateral after haircut to ``S x (1 - a)`` (0.3 = -30 %), ``cost_stress`` ``c`` raises the costs
  to ``K x (1 + c)``, ``delay`` adds whole months.  Under stress the net recovery is floored at 0 (the
  costs paid are then at most the stressed sale proceeds); on the inputs as given, costs above the
  collateral after haircut are refused as bad input.

Pool level (:func:`recovery_curve`): a cumulative recovery curve by period (fraction of the claim at
cut-off), the user's or the published three-year shape (:data:`PUBLISHED_SHAPES`), stressed the same
way (amount scaled, delayed).

Example (hand-worked in ``tests/test_recovery.py``): one loan, principal 800,000, interest 50,000,
fees 10,000 (claim 860,000), appraisal 1,000,000, haircut 30 %, costs 40,000, in litigation for 6
months with T(诉讼) = 30: S = 700,000, R = min(660,000, 860,000) = 660,000, G = 700,000, month 24.

>>> t = recovery_loans({"Principal": [800000.0], "Interest": [50000.0], "Fees": [10000.0],
...                     "Collateral appraisal": [1e6], "Haircut": [0.3], "Legal stage": ["诉讼"],
...                     "Months in stage": [6], "Disposal costs": [40000.0]},
...                    stage_table={"诉讼": 30})
>>> float(t["净回收 Net recovery"][0]), int(t["回收月 Resolution month"][0])
(660000.0, 24)
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl import options as O
from mbsxl.errors import MbsxlInputError

#: Months from the start of each stage to the recovery.  AN ILLUSTRATION, not a published table: the
#: mbsxl authors' assumption, tuned so that the generated tape of :mod:`mbsxl.reference.npl_tape` (stage mix 协商 25 %,
#: 诉讼 35 %, 执行 25 %, 拍卖 15 %, 0-24 months already spent) roughly follows the two published timing
#: statistics: cumulative recovery about 20 / 40 / 50 % of the claim after 1 / 2 / 3 years, and more than
#: 50 % of the loans disposed of within 60 months (不良住房抵押贷款的回收数据分析:来自对不良资产证券化公开
#: 数据的观察, 2024-10-28, https://reportify.ai/reports/1048339642987974656).  A loan still in negotiation
#: usually goes through the courts, hence the longest time.  Replace it with the servicer's business plan
#: (处置计划) or the rating report's assumptions.
DEFAULT_STAGE_TABLE = {"协商": 84, "诉讼": 48, "执行": 30, "拍卖": 12}
DEFAULT_STAGE_NOTE = ("illustration (mbsxl authors' assumption), not a published table; tuned to the published "
                      "20/40/50% three-year shape and >50% of loans disposed within 60 months (reportify.ai, 2024-10-28)")

#: Published cumulative recovery shapes: name -> (months, cumulative fraction of the claim, source).
#: Linear between the points (0 at month 0), flat after the last.
PUBLISHED_SHAPES = {
    "three_year": ((12, 24, 36), (0.20, 0.40, 0.50),
                   "typical three-year cumulative recovery 20/40/50% of mortgage NPAS: 不良住房抵押贷款的回收数据"
                   "分析:来自对不良资产证券化公开数据的观察, 2024-10-28, "
                   "https://reportify.ai/reports/1048339642987974656"),
}
SHAPE_ALIASES = {"three_year": "three_year", "3y": "three_year", "三年": "three_year", "published": "three_year"}

MAX_LOANS = v.MAX_LOANS
MAX_STAGE_MONTHS = v.MAX_MONTHS


# ----------------------------------------------------------------------------------------------- reading
def _key(s) -> str:
    return re.sub(r"\s+", " ", str(s)).strip().lower()


def _spellings(label: str) -> set[str]:
    zh, _, en = label.partition(" ")
    return {_key(label), _key(zh), _key(en)} - {""}


_TAPE_LOOKUP = {s: label for label in C.NPL_TAPE_LAYOUT for s in _spellings(label)}
_TAPE_LOOKUP.update({"loan id": C.NPL_LOAN, "贷款": C.NPL_LOAN, "appraisal": C.NPL_COLLATERAL,
                     "collateral": C.NPL_COLLATERAL, "stage": C.NPL_STAGE, "costs": C.NPL_COSTS})


def _frame(x, name: str) -> pd.DataFrame:
    if isinstance(x, pd.DataFrame):
        return x
    if isinstance(x, dict):
        try:
            return pd.DataFrame(x)
        except ValueError as e:
            raise MbsxlInputError(f"{name}: the columns have different lengths ({e}); pass one value a loan in "
                                  "every column") from None
    raise MbsxlInputError(f"{name} is a {type(x).__name__}; pass a table (DataFrame or dict of columns) whose headers "
                          f"name the layout's columns ({', '.join(C.NPL_TAPE_LAYOUT)})")


@dataclass
class Tape:
    """The checked loan tape, one entry a loan (arrays of equal length)."""
    loan: np.ndarray          # object: the loan's name (the tape's 贷款编号, or 1, 2, ...)
    principal: np.ndarray
    interest: np.ndarray
    fees: np.ndarray
    collateral: np.ndarray
    haircut: np.ndarray
    stage: np.ndarray         # object: the stage as typed
    months_in_stage: np.ndarray
    costs: np.ndarray

    @property
    def claim(self) -> np.ndarray:
        return self.principal + self.interest + self.fees


def _loan_name(tape_loans, i: int) -> str:
    return f"loan {tape_loans[i]!r} (row {i + 1})"


def _amount_column(name: str, label: str, cells, loans, lo: float | None = 0.0, hi: float | None = None,
                   accepted: str = ">= 0") -> np.ndarray:
    try:
        a = np.asarray(pd.to_numeric(pd.Series(cells), errors="coerce"), dtype=float)
    except (TypeError, ValueError):
        a = np.full(len(cells), np.nan)
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MbsxlInputError(f"{name} column {label!r}, {_loan_name(loans, i)} = {list(cells)[i]!r} is not a number; "
                              f"pass a finite number {accepted}")
    raw = list(cells)
    for i, c in enumerate(raw):               # TRUE is not 1
        if isinstance(c, (bool, np.bool_)):
            raise MbsxlInputError(f"{name} column {label!r}, {_loan_name(loans, i)} = {c!r} is a logical value; pass a "
                                  "number")
        break
    out = (a < lo) if lo is not None else np.zeros(a.shape, bool)
    if hi is not None:
        out |= a > hi
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise MbsxlInputError(f"{name} column {label!r}, {_loan_name(loans, i)} = {v._fmt(float(a[i]))} is out of "
                              f"range; accepted: {accepted}")
    return a


def read_tape(tape, haircut=None, name: str = "tape") -> Tape:
    """The NPL loan tape (layout :data:`mbsxl.columns.NPL_TAPE_LAYOUT`) checked: every amount finite and
    >= 0, haircut in [0, 1], months in stage a whole number >= 0, costs not above the collateral after
    haircut.  ``haircut``: one number for every loan (overrides the tape's column; needed when the tape
    has none).  Each refusal names the column and the loan."""
    df = _frame(tape, name)
    cols: dict[str, int] = {}
    for j, h in enumerate(df.columns):
        label = _TAPE_LOOKUP.get(_key(h)) if isinstance(h, str) else None
        if label is None:
            continue
        if label in cols:
            raise MbsxlInputError(f"{name} has two columns for {label!r}: {df.columns[cols[label]]!r} and {h!r}; "
                                  "keep one")
        cols[label] = j
    missing = [c for c in C.NPL_TAPE_REQUIRED if c not in cols]
    if missing:
        raise MbsxlInputError(f"{name} has no column {', '.join(repr(m) for m in missing)}; the header row must name "
                              f"{', '.join(repr(c) for c in C.NPL_TAPE_REQUIRED)} (Chinese or English part alone is "
                              f"enough); found {list(df.columns)}")
    n = len(df)
    if n == 0:
        raise MbsxlInputError(f"{name} has no loans; pass one row a loan")
    if n > MAX_LOANS:
        raise MbsxlInputError(f"{name} has {n:,} loans, above the cap of {MAX_LOANS:,}")
    col = lambda label: df.iloc[:, cols[label]].tolist()     # noqa: E731
    loans = np.array(col(C.NPL_LOAN) if C.NPL_LOAN in cols else list(range(1, n + 1)), dtype=object)

    def amounts(label, default=0.0):
        if label not in cols:
            return np.full(n, default)
        return _amount_column(name, label, col(label), loans)

    principal = amounts(C.NPL_PRINCIPAL)
    interest = amounts(C.NPL_INTEREST)
    fees = amounts(C.NPL_FEES)
    collateral = amounts(C.NPL_COLLATERAL)
    costs = amounts(C.NPL_COSTS)
    if haircut is not None:
        h = np.full(n, v.number("haircut", haircut, lo=0.0, hi=1.0, accepted="a fraction in [0, 1] (0.3 = 30%)"))
    elif C.NPL_HAIRCUT in cols:
        h = _amount_column(name, C.NPL_HAIRCUT, col(C.NPL_HAIRCUT), loans, 0.0, 1.0, "a fraction in [0, 1] (0.3 = 30%)")
    else:
        raise MbsxlInputError(f"{name} has no column {C.NPL_HAIRCUT!r} and haircut is empty; pass one (0.3 = 30%)")
    spent = (amounts(C.NPL_MONTHS_IN_STAGE) if C.NPL_MONTHS_IN_STAGE in cols else np.zeros(n))
    frac = spent != np.floor(spent)
    if frac.any() or (spent > MAX_STAGE_MONTHS).any():
        i = int(np.flatnonzero(frac | (spent > MAX_STAGE_MONTHS))[0])
        raise MbsxlInputError(f"{name} column {C.NPL_MONTHS_IN_STAGE!r}, {_loan_name(loans, i)} = "
                              f"{v._fmt(float(spent[i]))} is not a whole number of months in [0, {MAX_STAGE_MONTHS}]")
    stage = np.array(col(C.NPL_STAGE), dtype=object)
    sale = collateral * (1.0 - h)
    over = costs > sale + 1e-9
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise MbsxlInputError(f"{name} column {C.NPL_COSTS!r}, {_loan_name(loans, i)} = {v._fmt(float(costs[i]))} is "
                              f"above the recovery: collateral after haircut {v._fmt(float(sale[i]))} (appraisal "
                              f"{v._fmt(float(collateral[i]))} x (1 - {v._fmt(float(h[i]))})); costs must not exceed it")
    return Tape(loans, principal, interest, fees, collateral, h, stage, spent, costs)


def stage_table(stage_table=None, name: str = "stage_table") -> dict[str, int]:
    """The stage table as {stage key: months to resolution}.  ``None``: :data:`DEFAULT_STAGE_TABLE` (an
    illustration).  A dict {stage: months}, or a table (DataFrame / 2-D list) of stage and months,
    with or without a header row.  A stage's key is :func:`mbsxl.options.npl_stage_key` (协商 / negotiation
    ... match each other; other names as typed, case and spaces ignored)."""
    if stage_table is None:
        return dict(DEFAULT_STAGE_TABLE)
    if isinstance(stage_table, pd.DataFrame):
        rows = [list(r) for r in stage_table.itertuples(index=False)]
    elif isinstance(stage_table, dict):
        rows = [[k, m] for k, m in stage_table.items()]
    else:
        g = np.asarray(stage_table, dtype=object)
        if g.ndim != 2:
            raise MbsxlInputError(f"{name} has shape {g.shape}; pass two columns: stage, months")
        rows = [list(r) for r in g]
    out: dict[str, int] = {}
    for i, r in enumerate(rows):
        if len(r) < 2:
            raise MbsxlInputError(f"{name} row {i + 1} has {len(r)} cell(s); pass two columns: stage, months")
        s, m = r[0], r[1]
        if s is None or (isinstance(s, float) and np.isnan(s)) or (isinstance(s, str) and not s.strip()):
            continue                                           # blank rows
        if i == 0 and isinstance(m, str) and not re.fullmatch(r"\s*\d+(\.0*)?\s*", m):
            continue                                           # a header row
        key = O.npl_stage_key(s)
        if key in out:
            raise MbsxlInputError(f"{name} names stage {s!r} twice (row {i + 1}); one row a stage")
        out[key] = v.whole(f"{name} stage {s!r} months", m, lo=0, hi=MAX_STAGE_MONTHS, why=" months (50 years)")
    if not out:
        raise MbsxlInputError(f"{name} is empty; pass stage and months rows, or leave it empty for the default "
                              "(an illustration)")
    return out


def stage_months(stages: np.ndarray, table: dict[str, int], loans, name: str = "tape") -> np.ndarray:
    """Months to resolution of each loan's stage; a stage not in the table is refused naming the loan."""
    uniq, inv = np.unique(np.array([str(s) for s in stages], dtype=object), return_inverse=True)
    months = np.empty(len(uniq))
    for k, s in enumerate(uniq):
        key = O.npl_stage_key(s)
        if key not in table:
            i = int(np.flatnonzero(inv == k)[0])
            raise MbsxlInputError(f"{name} column {C.NPL_STAGE!r}, {_loan_name(loans, i)} = {stages[i]!r} is not in "
                                  f"the stage table; accepted: {', '.join(table)} (or add it to stage_table)")
        months[k] = table[key]
    return months[inv]


# ---------------------------------------------------------------------------------------------- the rules
def _stresses(amount_stress, delay, cost_stress, window):
    a = v.number("amount_stress", 0.0 if amount_stress is None else amount_stress, lo=0.0, hi=1.0,
                 accepted="a fraction in [0, 1]: 0.3 = recoveries 30% lower")
    d = v.whole("delay", 0 if delay is None else delay, lo=0, hi=v.MAX_MONTHS, why=" months (50 years)")
    c = v.number("cost_stress", 0.0 if cost_stress is None else cost_stress, lo=0.0, hi=10.0,
                 accepted="a fraction >= 0, at most 10: 0.5 = costs 50% higher")
    w = v.whole("window", 1 if window is None else window, lo=1, hi=v.MAX_MONTHS, why=" months (50 years)")
    return a, d, c, w


def project_arrays(claim, sale, costs, months, *, amount_stress=0.0, delay=0, cost_stress=0.0):
    """The loan-level rules on checked arrays (vectorised): net recovery, costs paid, gross proceeds,
    resolution month, capped flag.  ``sale`` is the collateral after haircut, ``months`` the months left
    to resolution (already ``max(T - spent, 1)``).  See the module docstring."""
    s = sale * (1.0 - amount_stress)
    k = costs * (1.0 + cost_stress)
    uncapped = np.maximum(s - k, 0.0)
    net = np.minimum(uncapped, claim)
    capped = uncapped > claim
    paid = np.minimum(k, s)
    month = months.astype(np.int64) + int(delay)
    return net, paid, net + paid, month, capped


def by_month(month: np.ndarray, amounts: list[np.ndarray], window: int, horizon: int | None = None) -> np.ndarray:
    """Amounts received in months ``month .. month + window - 1`` (equal parts) summed by month:
    an array (len(amounts), horizon) for months 1..horizon (default: the last month with cash)."""
    last = int(month.max()) + window - 1 if month.size else 0
    h = last if horizon is None else int(horizon)
    out = np.zeros((len(amounts), h + 1))
    for j, a in enumerate(amounts):
        part = a / window
        acc = np.zeros(last + 2)
        for k in range(window):               # one bincount a month of the window: sums of amounts >= 0,
            acc += np.bincount(month + k, weights=part, minlength=last + 2)   # no cancellation
        m = min(h, last)
        out[j, 1: m + 1] = acc[1: m + 1]
    return out[:, 1:]


def _project(tape, haircut, stage_table_, window, amount_stress, delay, cost_stress):
    a, d, c, w = _stresses(amount_stress, delay, cost_stress, window)
    t = read_tape(tape, haircut)
    table = stage_table(stage_table_)
    T = stage_months(t.stage, table, t.loan)
    months = np.maximum(T - t.months_in_stage, 1.0)
    sale = t.collateral * (1.0 - t.haircut)
    net, paid, gross, month, capped = project_arrays(t.claim, sale, t.costs, months, amount_stress=a, delay=d,
                                                     cost_stress=c)
    return t, sale, net, paid, gross, month, capped, w


def recovery_loans(tape, haircut=None, stage_table=None, window=1, amount_stress=0.0, delay=0,
                   cost_stress=0.0) -> pd.DataFrame:
    """One row a loan (columns :data:`mbsxl.columns.NPL_LOAN_COLUMNS`): stage, claim, collateral after
    haircut, costs paid, resolution month (the first month of the window; month 1 = the first month after
    cut-off), gross proceeds, net recovery, recovery rate (net / claim; blank for a zero claim) and
    whether the claim capped the recovery.  Rules and stresses in the module docstring."""
    t, sale, net, paid, gross, month, capped, _ = _project(tape, haircut, stage_table, window, amount_stress,
                                                           delay, cost_stress)
    claim = t.claim
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(claim > 0, net / np.where(claim > 0, claim, 1.0), np.nan)
    return pd.DataFrame({C.NPL_LOAN: t.loan, C.NPL_STAGE: t.stage, C.NPL_CLAIM: claim, C.NPL_NET_SALE: sale,
                         C.NPL_COSTS: paid, C.NPL_RESOLUTION_MONTH: month, C.NPL_GROSS: gross, C.NPL_NET: net,
                         C.NPL_RECOVERY_RATE: rate, C.NPL_CAPPED: capped}, columns=C.NPL_LOAN_COLUMNS)


def _periods_table(gross_m, costs_m, net_m, count_m, claim_total, months_per_period) -> pd.DataFrame:
    k = months_per_period
    n_months = gross_m.size
    n = -(-n_months // k) if n_months else 0
    pad = n * k - n_months

    def agg(x):
        return np.pad(x, (0, pad)).reshape(n, k).sum(axis=1) if n else np.zeros(0)

    g, c, r, cnt = agg(gross_m), agg(costs_m), agg(net_m), agg(count_m)
    cg = np.cumsum(g)
    div = claim_total if claim_total > 0 else np.nan
    return pd.DataFrame({C.NPL_PERIOD: np.arange(1, n + 1), C.NPL_GROSS: g, C.NPL_COSTS: c, C.NPL_NET: r,
                         C.NPL_LOANS_RESOLVED: np.rint(cnt).astype(int), C.NPL_CUM_GROSS: cg,
                         C.NPL_CUM_RATE: cg / div, C.NPL_CUM_NET_RATE: np.cumsum(r) / div},
                        columns=C.NPL_PERIOD_COLUMNS)


def recoveries(tape, haircut=None, stage_table=None, window=1, amount_stress=0.0, delay=0, cost_stress=0.0,
               months_per_period=1) -> pd.DataFrame:
    """The pool's recoveries by period (columns :data:`mbsxl.columns.NPL_PERIOD_COLUMNS`): gross proceeds,
    disposal costs, net recoveries, loans resolved (counted in their resolution month), cumulative
    recoveries, cumulative recovery rate (累计回收率 = cumulative gross proceeds / the pool's claim at
    cut-off, as trustee reports define it) and cumulative net recovery rate (net of costs).

    Period ``p`` holds months ``(p-1) k + 1 .. p k`` with ``k = months_per_period`` (1 monthly, 3
    quarterly, 6 half-yearly: the trustee-report frequency), from the cut-off date to the last recovery.
    Arguments as :func:`recovery_loans`.

    >>> t = recoveries({"Principal": [100.0, 100.0], "Collateral": [200.0, 50.0], "Haircut": [0.5, 0.0],
    ...                 "Stage": ["拍卖", "Auction"]}, stage_table={"拍卖": 2})
    >>> t["累计回收率 Cumulative recovery rate"].round(4).tolist()
    [0.0, 0.75]
    """
    k = v.whole("months_per_period", 1 if months_per_period is None else months_per_period, lo=1, hi=12,
                why=" (monthly 1 to annual 12)")
    t, sale, net, paid, gross, month, capped, w = _project(tape, haircut, stage_table, window, amount_stress, delay,
                                                           cost_stress)
    g, c, r = by_month(month, [gross, paid, net], w)
    cnt = np.bincount(month, minlength=g.size + 1)[1: g.size + 1].astype(float)
    return _periods_table(g, c, r, cnt, float(t.claim.sum()), k)


# -------------------------------------------------------------------------------------------- pool curve
def _curve_points(curve, name: str = "curve") -> tuple[np.ndarray, str]:
    """Cumulative fractions by month from a shape name or the user's column (checked: no fall, <= 1)."""
    if isinstance(curve, str):
        key = SHAPE_ALIASES.get(curve.strip().lower().replace("-", "_").replace(" ", "_"))
        if key is None:
            raise MbsxlInputError(f"{name}={curve!r} is not a published shape; accepted: "
                                  f"{', '.join(PUBLISHED_SHAPES)}, or a column of cumulative recovery rates")
        months, cum, source = PUBLISHED_SHAPES[key]
        return np.interp(np.arange(1, months[-1] + 1), (0,) + tuple(months), (0.0,) + tuple(cum)), source
    a = v.array(name, curve)
    if a.size == 0:
        raise MbsxlInputError(f"{name} is empty; pass cumulative recovery rates by period, or a shape name")
    if a.size > v.MAX_MONTHS:
        raise MbsxlInputError(f"{name} has {a.size} periods, above the cap of {v.MAX_MONTHS}")
    if a[0] < 0:
        raise MbsxlInputError(f"{name} period 1 = {v._fmt(float(a[0]))} is below 0; cumulative recovery rates are "
                              "fractions of the claim in [0, 1]")
    falls = np.flatnonzero(np.diff(a) < -1e-12)
    if falls.size:
        i = int(falls[0]) + 1
        raise MbsxlInputError(f"{name} falls at period {i + 1}: {v._fmt(float(a[i]))} after {v._fmt(float(a[i - 1]))}; "
                              "a cumulative recovery rate never falls")
    if a[-1] > 1.0 + 1e-12:
        i = int(np.argmax(a > 1.0 + 1e-12))
        hint = " (it looks like percent: pass 0.5 for 50%)" if a[-1] <= 100 else ""
        raise MbsxlInputError(f"{name} ends above 100% of the claim: period {i + 1} = {v._fmt(float(a[i]))}{hint}; "
                              "accepted: cumulative fractions of the claim in [0, 1]")
    return a, "user"


def recovery_curve(claim, curve="three_year", amount_stress=0.0, delay=0) -> pd.DataFrame:
    """A pool's recoveries from a cumulative recovery curve (columns :data:`mbsxl.columns.NPL_CURVE_COLUMNS`).

    ``claim``: the pool's claim at cut-off (> 0).  ``curve``: cumulative recovery rates by period, first
    period first (fractions of the claim, never falling, at most 1), or a published shape name
    (``three_year``: 20 % / 40 % / 50 % after 12 / 24 / 36 months, linear monthly between, source in
    :data:`PUBLISHED_SHAPES`).  Stresses: ``amount_stress`` scales every rate by ``1 - a``; ``delay``
    prepends ``n`` periods without recoveries.

    >>> recovery_curve(1000.0, [0.25, 0.5, 0.5], amount_stress=0.5, delay=1)["处置回收 Gross proceeds"].tolist()
    [0.0, 125.0, 125.0, 0.0]
    """
    total = v.number("claim", claim, lo=0.0, lo_open=True, accepted="pass the claim at cut-off (> 0)")
    a, d, _, _ = _stresses(amount_stress, delay, 0.0, 1)
    cum, _source = _curve_points(curve)
    cum = np.concatenate([np.zeros(d), cum * (1.0 - a)])
    amounts = np.diff(np.concatenate([[0.0], cum])) * total
    return pd.DataFrame({C.NPL_PERIOD: np.arange(1, cum.size + 1), C.NPL_GROSS: amounts,
                         C.NPL_CUM_GROSS: cum * total, C.NPL_CUM_RATE: cum}, columns=C.NPL_CURVE_COLUMNS)


# ----------------------------------------------------------------------------------- stage table, stats
def recovery_stages(stage_table=None) -> pd.DataFrame:
    """The stage table in use (columns :data:`mbsxl.columns.NPL_STAGE_COLUMNS`): with no argument the
    default (an illustration; its note says so and gives the statistic it was tuned to)."""
    table = globals()["stage_table"](stage_table)
    note = DEFAULT_STAGE_NOTE if stage_table is None else "user"
    rows = [(f"{s} {O.NPL_STAGE_ENGLISH[s]}" if s in O.NPL_STAGE_ENGLISH else s, m, note) for s, m in table.items()]
    return pd.DataFrame(rows, columns=C.NPL_STAGE_COLUMNS)


def npl_market(contains=None) -> pd.DataFrame:
    """The market statistics of mortgage NPL securitisation shipped with mbsxl (``data/npl_market_stats.csv``),
    each with its source: title, publisher, URL and date (columns :data:`mbsxl.columns.NPL_STATS_COLUMNS`).
    ``contains``: only the statistics whose name contains this text (case ignored); None = all."""
    with resources.files("mbsxl.data").joinpath("npl_market_stats.csv").open("r", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keys = ["statistic", "value", "unit", "scope", "source_title", "publisher", "url", "date"]
    if contains is not None and str(contains).strip():
        key = str(contains).strip().lower()
        rows = [r for r in rows if key in r["statistic"].lower()]
        if not rows:
            raise MbsxlInputError(f"contains={contains!r} matches no statistic; leave it empty for all")
    return pd.DataFrame([[r[k] if k != "value" else float(r[k]) for k in keys] for r in rows],
                        columns=C.NPL_STATS_COLUMNS)
