"""The rating agencies' stress test of a Chinese RMBS (issue 18, item 3): a cumulative default rate spread
over time, each class's breakeven default rate (临界违约率) and the target default rate of each rating
(目标评级违约比率).

The method (中债资信, 个人住房抵押贷款资产支持证券信用评级方法, 2016 edition, code P-J-N-0010-F,
https://360docs.net/doc/3417561252.html, and 2019 edition; the 2019 edition as
applied to 建元2020-1, http://www.intdcqh.com/caijingrili/12115.html: "通过组合模型确定不同信用等级下资产池目标违约
比率(TDR); 通过现金流模型, 确定压力条件下优先档证券临界违约率; 比较临界违约率与TDR的大小"; the agency's Q&A of
2017-02-24, http://cj.sina.com.cn/article/detail/3787884325/172326: a class is rated on "本金和利息获得及时、
足额偿付"): a class passes a rating when the most cumulative default it survives, paid in full and on time, under
the worst of the stress scenarios, is at least the rating's target default rate.  The agencies' own portfolio
models, timing vectors and multipliers are not published in machine-readable form; the shapes and the example
tables below are labelled as this module's examples.

Projection (:func:`default_timing`), monthly, one representative loan (conventions of :mod:`mbsxl.pool.projection`
where they apply):

- months 1..``wam``; the loan rate of month t is ``wac`` (plus a scenario's pool-rate shift from its lag),
  interest ``rate / 12`` of the performing balance after that month's defaults (a defaulted loan pays nothing
  from its default month: no servicer advance); ``servicing / 12`` of the same balance is deducted;
- **defaults**: the amount defaulting in month t is ``cumulative_default x balance x w_t`` (``balance`` the
  initial balance, so the cumulative default rate is over the initial balance, before recoveries, as Chinese
  disclosures define it), taken from the performing balance **at the start of the month, before scheduled
  principal** (at most that balance: a default rate so high that the pool runs out is capped);
- scheduled principal: level payment (等额本息) re-amortised each month over the months left, or level
  principal (等额本金); prepayment: ``SMM = 1 - (1 - CPR)^(1/12)`` of the performing balance after defaults
  less scheduled principal (SIFMA SF-17);
- **recovery**: ``recovery_rate x`` the defaulted amount, received ``recovery_lag`` months after the default
  month (0 = same month), with the loss (the rest) recognised then; until then the defaulted balance stays in
  ``Beginning Balance`` (as :func:`mbsxl.cashflows` with ``advance=False``).  Defaults are allowed only in
  months 1..``wam - recovery_lag`` so every recovery falls inside the table.

Timing vector ``w`` (sums to 1; a vector that does not, beyond 1e-9, is refused naming its sum, never
rescaled): a user's column of weights by year (``timing_unit="year"``, each year's weight spread evenly over its
12 months) or by month, or a named shape over ``horizon`` steps of ``timing_unit`` (years by default; the
formulas below by year, the same by month with months for years; these shapes are this module's examples, not an
agency's published vectors):

- ``front`` (前置): year weights ``H, H-1, ..., 1`` over ``H`` years, divided by their sum (H = 5: 1/3, 4/15,
  1/5, 2/15, 1/15);
- ``even`` (均匀): ``1/H`` a year;
- ``back`` (后置): ``1, 2, ..., H`` over their sum;
- ``scheduled`` (按计划本金): in proportion to the scheduled principal of the loan with no prepayment or
  default, months 1..``wam - recovery_lag`` (at the month-1 rate).

``shift`` moves the vector ``n`` months later (negative: earlier); weight moved before month 1 is added to month
1; weight moved past the last default month is refused (naming ``shift``).

Breakeven (:func:`rating_stress`, view ``breakevens``): for each tested class and scenario, the largest
cumulative default rate in [0, 1] at which the class is **paid in full and on time**: no interest shortfall in
any period for the first ``timely_interest`` classes (the others: no shortfall left at ``legal_final``), and no
principal written down and its balance 0 by period ``legal_final`` (a shortfall, write-down or balance counts
above 1e-12 of the class's original balance, at least 1e-9 yuan: above rounding, far below a fen).  The tested
classes are the ``rated`` most senior ones (default all but the most junior, the residual holder); the waterfall
is the plain one of :mod:`mbsxl.deal.waterfall` (fees, interest by seniority with the shortfall carried, excess to the
junior class, principal sequential or pro rata, losses written down bottom-up when recognised, clean-up call):
there is no principal-deficiency ledger, so excess interest does not cover defaulted principal, and a class's
breakeven through losses is (the classes below it / the pool) / (1 - recovery rate) unless the defaults are
capped or the interest test binds first.  The mechanisms of :func:`mbsxl.tranches` (``vat_rate``, ``triggers``,
``reserve``, ``schedule``, ``principal_cover``, ``senior_classes``; a ``cumulative_default`` trigger reads the
projection's defaults) may be given: each evaluation then runs through that waterfall one column at a time, and
the search is a plain bisection (slower: seconds, not a second).  Without them, found by a bracketing search: every
search's bracket is cut into 16 at once (15 probes a search; the first round also runs both ends, 0 and 1; all
searches and probes projected and run through the waterfall of :mod:`mbsxl.deal._waterfall_batch` together, one numpy
column each: six rounds for 1e-7) until it is at most
``tolerance`` wide (default 1e-7); the returned rate passes and the rate ``tolerance`` above it fails.  0 when
the class fails with no defaults at all, 1 when it survives 100%.  Assumes failing is monotone in the default
rate (it is for bottom-up losses; a clean-up call may break it, as in :mod:`mbsxl.breakeven`).

Ratings (view ``ratings``): target default rate = ``base_default_rate x multiplier`` of the rating; the class's
breakeven is the minimum over the scenarios; it passes when breakeven >= target; the highest rating passed is the
first passing rating of the table (ordered from the highest; multipliers must decrease strictly down the table).

Example
-------
>>> pool = default_timing(1000.0, 0.06, 12, 0.10, "even", "month", horizon=12, recovery_rate=0.5)
>>> [round(float(x), 4) for x in pool["Default"][:2]], round(float(pool["Loss"].sum()), 6)
([8.3333, 8.3333], 50.0)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl.deal import _waterfall_batch
from mbsxl import columns as C
from mbsxl.deal import deal_mechanics as _mech
from mbsxl import options as _opt
from mbsxl.deal import waterfall as _wf
from mbsxl.pool.conventions import annual_to_monthly
from mbsxl.errors import MbsxlInputError

#: sum of a timing vector must be 1 within this
TIMING_TOLERANCE = 1e-9
#: default years of the named shapes front / even / back
HORIZON_YEARS = 5
#: probes a search per round of the bracketing search (the bracket is cut into PROBES + 1)
PROBES = 15
MAX_SCENARIOS = 100
MAX_RATINGS = 30

#: EXAMPLE multiplier table (rating, multiplier), highest rating first.  AAA 5.0 and BB- 1.2 are the ends
#: quoted in issue 18 from "one public implementation of a Chinese agency's method" (that implementation was
#: not found by this module's author; the quote is the source).  The six ratings between are this module's
#: illustrative interpolation, NOT published figures.  Pass your agency's table.
EXAMPLE_MULTIPLIERS = (("AAA", 5.0), ("AA+", 4.5), ("AA", 4.0), ("AA-", 3.5), ("A+", 3.0), ("A", 2.5),
                       ("BBB", 1.8), ("BB-", 1.2))

#: EXAMPLE scenario table (:data:`mbsxl.columns.STRESS_SCENARIO_COLUMNS`): timing x prepayment x rate path, the
#: agencies' dimensions (front/even/back timing, high/low prepayment, rate up/down); the values (CPR 5% low,
#: 25% high = about the Jianyuan 2007-1 realised 2008-2009 mean of seed 002; +-100 bp with the pool repricing
#: 12 months later, as loans reset each 1 January) are labelled assumptions, not an agency's set.
EXAMPLE_SCENARIOS = (
    ("Front, low CPR", "front", 0, 0.05, 0.0, 0.0, 0),
    ("Front, high CPR", "front", 0, 0.25, 0.0, 0.0, 0),
    ("Even, low CPR", "even", 0, 0.05, 0.0, 0.0, 0),
    ("Back, high CPR", "back", 0, 0.25, 0.0, 0.0, 0),
    ("Scheduled, low CPR", "scheduled", 0, 0.05, 0.0, 0.0, 0),
    ("Front +6m, low CPR", "front", 6, 0.05, 0.0, 0.0, 0),
    ("Front, low CPR, rates +100bp", "front", 0, 0.05, 0.01, 0.01, 12),
    ("Back, high CPR, rates -100bp", "back", 0, 0.25, -0.01, -0.01, 12),
)


# ------------------------------------------------------------------ timing vectors
def _scheduled_weights(wac: float, T: int, last: int, level_principal: bool) -> np.ndarray:
    """Scheduled principal of one unit, no prepayment or default, months 1..last, divided by its sum."""
    r = wac / 12.0
    bal, out = 1.0, np.zeros(T)
    for t in range(last):
        n = T - t
        s = bal / n if (level_principal or r == 0.0) else bal * r / ((1.0 + r) ** n - 1.0)
        out[t] = s
        bal -= s
    return out / out.sum()


def timing_weights(timing, T: int, recovery_lag: int = 0, timing_unit="year", horizon=HORIZON_YEARS, shift=0,
                   wac: float = 0.0, level_principal: bool = False, name: str = "timing") -> np.ndarray:
    """The monthly timing vector ``w`` (length ``T``, sums to 1) of :func:`default_timing` (module docstring).

    >>> [round(float(x), 4) for x in timing_weights("front", 36, horizon=3)[[0, 12, 24]]]
    [0.0417, 0.0278, 0.0139]
    """
    last = T - recovery_lag                            # the last month a default may fall in
    unit = _opt.timing_unit(timing_unit)
    step = 12 if unit == "year" else 1
    if isinstance(timing, str):
        shape = _opt.timing_shape(timing, name)
        if shape == "scheduled":
            w = _scheduled_weights(wac, T, last, level_principal)
        else:
            h = v.whole("horizon", horizon, lo=1, hi=600, why=f" {unit}s")
            if step * h > last:
                raise MbsxlInputError(f"horizon={h} {unit}s ({step * h} months) is longer than the months a default "
                                      f"may fall in ({last} = wam {T} - recovery_lag {recovery_lag}); pass at most "
                                      f"{last // step}")
            steps = np.arange(1, h + 1, dtype=float)
            yw = {"even": np.ones(h), "front": steps[::-1], "back": steps}[shape]
            w = np.zeros(T)
            w[:step * h] = np.repeat(yw / yw.sum() / step, step)
    else:
        a = v.array(name, timing, lo=0.0)
        if a.size == 0:
            raise MbsxlInputError(f"{name} is empty; pass a shape name or a column of weights summing to 1")
        total = float(a.sum())
        if abs(total - 1.0) > TIMING_TOLERANCE:
            raise MbsxlInputError(f"{name} sums to {total!r}, not 1 (tolerance {TIMING_TOLERANCE:g}); pass weights "
                                  "summing to 1 (they are never rescaled)")
        monthly = np.repeat(a / 12.0, 12) if step == 12 else a
        if monthly.size > T:
            extra = monthly[T:]
            if (extra > 0).any():
                raise MbsxlInputError(f"{name} has weight after month {T} (wam); shorten it to the term")
            monthly = monthly[:T]
        w = np.zeros(T)
        w[:monthly.size] = monthly
    n = int(v.number("shift", shift))
    if n != v.number("shift", shift) or abs(n) > T:
        raise MbsxlInputError(f"shift={v._fmt(v.number('shift', shift))} is not a whole number of months in "
                              f"[-{T}, {T}]")
    if n > 0:
        w = np.concatenate([np.zeros(n), w])
    elif n < 0:
        head = w[:(-n) + 1].sum()
        w = np.concatenate([[head], w[(-n) + 1:]])
    if (w[last:] > 0).any():
        beyond = int(np.flatnonzero(w > 0)[-1]) + 1
        why = f" after shift={n}" if n else ""
        raise MbsxlInputError(f"{name} puts defaults in month {beyond}{why}, after the last month a default may fall "
                              f"in ({last} = wam {T} - recovery_lag {recovery_lag}, so that its recovery is inside "
                              "the table); pass a smaller shift or a shorter vector")
    out = np.zeros(T)
    out[:min(T, w.size)] = w[:T]
    return out


# ------------------------------------------------------------------ the projection, many columns at once
def _project(bal0: float, rates: np.ndarray, level_principal: bool, svc: float, amounts: np.ndarray,
             smm: np.ndarray, recovery_rate: float, lag: int):
    """Columns of the pool table for S projections at once: ``rates``, ``amounts`` (default targets, yuan),
    ``smm``: ``T x S``.  Returns a dict of ``T x S`` arrays."""
    T, S = amounts.shape
    perf = np.full(S, float(bal0))
    fore = np.zeros(S)                                  # defaulted, not yet liquidated
    due_rec = np.zeros((T + lag + 1, S))
    due_loss = np.zeros((T + lag + 1, S))
    due_def = np.zeros((T + lag + 1, S))
    keys = ("beg", "gross", "fee", "sched", "prepay", "default", "loss", "recovery", "end", "perf_beg", "base")
    out = {k: np.zeros((T, S)) for k in keys}
    rec, los = recovery_rate, 1.0 - recovery_rate
    for t in range(T):
        out["beg"][t] = perf + fore
        out["perf_beg"][t] = perf
        d = np.minimum(amounts[t], perf)
        p1 = perf - d
        r = rates[t] / 12.0
        n = T - t
        if level_principal:
            s = p1 / n
        else:
            g = (1.0 + r) ** n - 1.0
            s = np.where(g > 0, p1 * r / np.where(g > 0, g, 1.0), p1 / n)
        base = p1 - s
        pp = smm[t] * base
        perf = base - pp
        due_rec[t + lag] += rec * d
        due_loss[t + lag] += los * d
        due_def[t + lag] += d
        fore = fore + d - due_def[t]
        out["gross"][t] = p1 * r
        out["fee"][t] = p1 * (svc / 12.0)
        out["sched"][t] = s
        out["prepay"][t] = pp
        out["default"][t] = d
        out["loss"][t] = due_loss[t]
        out["recovery"][t] = due_rec[t]
        out["base"][t] = base
        out["end"][t] = perf + fore
    return out


def _table(o: dict, col: int = 0) -> pd.DataFrame:
    gross, fee, sched, pp, rec = (o[k][:, col] for k in ("gross", "fee", "sched", "prepay", "recovery"))
    net = gross - fee
    tot = sched + pp + rec
    T = gross.size
    with np.errstate(divide="ignore", invalid="ignore"):
        smm = np.where(o["base"][:, col] > 0, pp / o["base"][:, col], 0.0)
        mdr = np.where(o["perf_beg"][:, col] > 0, o["default"][:, col] / o["perf_beg"][:, col], 0.0)
    data = {C.PERIOD: np.arange(1, T + 1), C.BEGINNING_BALANCE: o["beg"][:, col], C.SCHEDULED_PAYMENT: sched + gross,
            C.GROSS_INTEREST: gross, C.SERVICING_FEE: fee, C.NET_INTEREST: net, C.SCHEDULED_PRINCIPAL: sched,
            C.PREPAYMENT: pp, C.DEFAULT: o["default"][:, col], C.LOSS: o["loss"][:, col], C.RECOVERY: rec,
            C.TOTAL_PRINCIPAL: tot, C.CASH_FLOW: net + tot, C.ENDING_BALANCE: np.maximum(o["end"][:, col], 0.0),
            C.SMM: smm, C.MDR: mdr}
    return pd.DataFrame(data, columns=C.CASHFLOW_COLUMNS)


def _pool_args(balance, wac, wam, recovery_rate, recovery_lag, servicing, amortization):
    bal = v.number("balance", balance, lo=0.0, lo_open=True, accepted="pass a balance > 0")
    rate = v.rate("wac", wac)
    T = v.months("wam", wam)
    rec = v.fraction("recovery_rate", recovery_rate)
    lag = v.whole("recovery_lag", recovery_lag, lo=0)
    if lag >= T:
        raise MbsxlInputError(f"recovery_lag={lag} months is not below wam={T}: no month could default with its "
                              f"recovery inside the table; pass at most {T - 1}")
    svc = v.rate("servicing", servicing)
    if svc > rate:
        raise MbsxlInputError(f"servicing={v._fmt(svc)} is above wac={v._fmt(rate)}; the fee is paid out of the "
                              "loan interest, so it must be <= the loan rate")
    lp = _opt.amortization(amortization) == "level_principal"
    return bal, rate, T, rec, lag, svc, lp


def _cpr_path(prepay, T: int, name: str = "prepay") -> np.ndarray:
    """A CPR (one number) or a CPR a month (a column; the last value holds) as T monthly SMMs."""
    if np.ndim(prepay) == 0:
        x = np.full(T, v.fraction(name, prepay))
    else:
        a = v.array(name, prepay, lo=0.0, hi=1.0, percent_hint=True)
        if a.size == 0:
            raise MbsxlInputError(f"{name} is empty; pass a CPR or a column of CPRs, one a month")
        x = a[:T] if a.size >= T else np.concatenate([a, np.full(T - a.size, a[-1])])
    return annual_to_monthly(x)


def default_timing(balance, wac, wam, cumulative_default, timing="even", timing_unit="year",
                   horizon=HORIZON_YEARS, shift=0, recovery_rate=0.0, recovery_lag=0, prepay=0.0, servicing=0.0,
                   amortization="level_payment") -> pd.DataFrame:
    """Pool cash flows driven by a cumulative default rate and a timing vector (module docstring), the
    :data:`mbsxl.columns.CASHFLOW_COLUMNS` table of :func:`mbsxl.cashflows`, ready for :func:`mbsxl.tranches`.

    balance, wac, wam : initial balance (> 0), loan rate (annual decimal, paid monthly at wac / 12; or a column
        of rates one a month, the last holding: a rate path), term in months.
    cumulative_default : defaulted principal over the life / ``balance``, before recoveries (0.10 = 10%).
    timing : ``front`` / ``even`` / ``back`` / ``scheduled`` (Chinese names too), or a column of weights
        summing to 1, by ``timing_unit`` (``year`` or ``month``).
    horizon : length of the named shapes front / even / back, in ``timing_unit`` steps (default 5 years).
    shift : months the vector moves later (negative: earlier).
    recovery_rate, recovery_lag : share of a default recovered, and months after the default month.
    prepay : CPR (annual decimal), or a column of CPRs one a month (the last holds).
    servicing : annual fee rate on the performing balance, out of interest.
    amortization : ``level_payment`` (等额本息) or ``level_principal`` (等额本金).
    """
    path = None
    if np.ndim(wac) > 0:                                  # a loan rate a month (a rate path)
        path = v.array("wac", wac, lo=0.0, hi=1.0, percent_hint=True)
        if path.size == 0:
            raise MbsxlInputError("wac is empty; pass a rate or a column of rates, one a month")
        wac = float(path.min())                           # for the checks below (servicing <= every rate)
    bal, rate, T, rec, lag, svc, lp = _pool_args(balance, wac, wam, recovery_rate, recovery_lag, servicing,
                                                 amortization)
    rates = np.full(T, rate) if path is None else (
        path[:T] if path.size >= T else np.concatenate([path, np.full(T - path.size, path[-1])]))
    c = v.fraction("cumulative_default", cumulative_default)
    w = timing_weights(timing, T, lag, timing_unit, horizon, shift, float(rates[0]), lp)
    smm = _cpr_path(prepay, T)
    o = _project(bal, rates[:, None], lp, svc, (c * bal * w)[:, None], smm[:, None], rec, lag)
    return _table(o)


# ------------------------------------------------------------------ scenario and multiplier tables
def _is_blank(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or (isinstance(x, str) and not x.strip())


def _rows(name: str, value) -> list[list]:
    if hasattr(value, "to_numpy") and hasattr(value, "columns"):
        rows = [list(r) for r in value.to_numpy(dtype=object)]
    elif isinstance(value, (list, tuple)) and value and all(isinstance(r, (list, tuple, np.ndarray)) for r in value):
        rows = [list(r) for r in value]                   # rows of any length (trailing columns may be left out)
    else:
        a = np.asarray(value, dtype=object)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise MbsxlInputError(f"{name} has shape {a.shape}; pass a table, one row an entry")
        rows = [list(r) for r in a]
    return [r for r in rows if not all(_is_blank(c) for c in r)]


def scenario_table(scenarios=None, timing_vectors=None) -> list[dict]:
    """The stress scenarios as dicts (columns :data:`mbsxl.columns.STRESS_SCENARIO_COLUMNS`): name, timing (a
    shape name, or k = column k of ``timing_vectors``), shift (months), CPR, index shift (added to the floating
    classes' index), pool-rate shift (added to the loan rate from month ``lag + 1``) and lag.  A first row whose
    first cell is ``Scenario`` / ``情景`` is a header; trailing columns may be left out (0).  None: the
    :data:`EXAMPLE_SCENARIOS`."""
    rows = _rows("scenarios", EXAMPLE_SCENARIOS if scenarios is None else scenarios)
    if rows and isinstance(rows[0][0], str) and rows[0][0].strip().lower() in ("scenario", "情景"):
        rows = rows[1:]
    if not rows:
        raise MbsxlInputError("scenarios is empty; pass one row a scenario: name, timing, shift months, CPR, "
                              "index shift, pool rate shift, pool rate lag")
    if len(rows) > MAX_SCENARIOS:
        raise MbsxlInputError(f"scenarios has {len(rows)} rows; at most {MAX_SCENARIOS}")
    vectors = None
    if timing_vectors is not None:
        vectors = np.asarray(timing_vectors, dtype=object)
        if vectors.ndim == 1:
            vectors = vectors.reshape(-1, 1)
    out = []
    for i, r in enumerate(rows):
        r = list(r) + [None] * (7 - len(r))
        if len(r) > 7:
            raise MbsxlInputError(f"scenarios row {i + 1} has {len(r)} columns; pass at most 7: "
                                  + ", ".join(C.STRESS_SCENARIO_COLUMNS))
        label = f"scenarios row {i + 1}"
        vector_name = f"{label} timing"
        name = f"Scenario {i + 1}" if _is_blank(r[0]) else str(r[0]).strip()
        tm = r[1]
        if isinstance(tm, str) and not tm.strip().replace(".", "").isdigit():
            timing = _opt.timing_shape(tm, f"{label} timing")
        else:
            k = v.whole(f"{label} timing", tm, lo=1)
            if vectors is None or k > vectors.shape[1]:
                have = 0 if vectors is None else vectors.shape[1]
                raise MbsxlInputError(f"{label} timing={k} names column {k} of timing_vectors, which has {have} "
                                      "columns; pass a shape name (front, even, back, scheduled) or a column number")
            col = [x for x in vectors[:, k - 1] if not _is_blank(x)]
            timing = v.array(f"timing_vectors column {k}", col, lo=0.0)
            vector_name = f"timing_vectors column {k}"
        cpr = v.fraction(f"{label} CPR", 0.0 if _is_blank(r[3]) else r[3])
        out.append(dict(name=name, timing=timing, timing_name=vector_name, timing_label=tm if isinstance(tm, str) else f"vector {int(tm)}",
                        shift=_shift(f"{label} shift", r[2]), cpr=cpr,
                        index_shift=v.spread(f"{label} index shift", 0.0 if _is_blank(r[4]) else r[4], hi=0.1),
                        rate_shift=v.spread(f"{label} pool rate shift", 0.0 if _is_blank(r[5]) else r[5], hi=0.1),
                        rate_lag=v.whole(f"{label} pool rate lag", 0 if _is_blank(r[6]) else r[6], lo=0)))
    return out


def _shift(name: str, value) -> int:
    x = 0.0 if _is_blank(value) else v.number(name, value, lo=-600, hi=600)
    if not float(x).is_integer():
        raise MbsxlInputError(f"{name}={v._fmt(x)} is not a whole number of months")
    return int(x)


def multiplier_table(ratings, multipliers) -> tuple[list[str], np.ndarray]:
    """Ratings (highest first) and their multipliers, strictly decreasing, > 0."""
    names = [str(x).strip() for x in np.asarray(ratings, dtype=object).ravel() if not _is_blank(x)]
    m = v.array("multipliers", multipliers, lo=0.0)
    if not names:
        raise MbsxlInputError("ratings is empty; pass the ratings, highest first (e.g. AAA, AA+, AA)")
    if len(names) != m.size:
        raise MbsxlInputError(f"ratings has {len(names)} entries and multipliers {m.size}; pass one multiplier a rating")
    if len(names) > MAX_RATINGS:
        raise MbsxlInputError(f"ratings has {len(names)} entries; at most {MAX_RATINGS}")
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise MbsxlInputError(f"ratings repeats {', '.join(dup)}; give each rating once")
    if (m <= 0).any():
        i = int(np.argmax(m <= 0))
        raise MbsxlInputError(f"multipliers[{i + 1}]={v._fmt(float(m[i]))} for {names[i]} is not > 0")
    for i in range(1, m.size):
        if not m[i] < m[i - 1]:
            raise MbsxlInputError(
                f"multipliers do not decrease with the rating: {names[i]} has {v._fmt(float(m[i]))} after "
                f"{names[i - 1]} {v._fmt(float(m[i - 1]))}; list the ratings from the highest, each with a smaller "
                "multiplier than the one above")
    return names, m


# ------------------------------------------------------------------ the deal and the searches
def _scenario_paths(deal, i, s, T, timing_unit, horizon):
    """Scenario row ``i``'s default timing weights, monthly SMMs and pool rates over ``T`` months (the
    pool rate moved by the row's shift from its lag, never below servicing)."""
    w = timing_weights(s["timing"], T, deal.lag, timing_unit, horizon, s["shift"], deal.wac, deal.lp,
                       name=s.get("timing_name", f"scenarios row {i + 1} timing"))
    rate = np.full(T, deal.wac)
    rate[s["rate_lag"]:] += s["rate_shift"]
    if (rate < deal.svc).any():
        raise MbsxlInputError(f"scenarios row {i + 1}: the pool rate {v._fmt(float(rate.min()))} after the "
                              f"pool rate shift is below servicing={v._fmt(deal.svc)}")
    return w, np.full(T, annual_to_monthly(s["cpr"])), rate


class StressDeal:
    """The pool and waterfall inputs of one deal, checked once; ``fails(scen, cls, c)`` runs many columns at
    once.  Built from :func:`rating_stress`'s arguments (a deal description can be turned into one)."""

    def __init__(self, balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, recovery_rate,
                 recovery_lag, servicing, amortization, structure, cleanup_call, index, floating, fees,
                 interest_on_shortfall, residual, rated, timely_interest, legal_final, horizon, timing_unit,
                 scenarios, mechanisms=None):
        self.bal, self.wac, self.T, self.rec, self.lag, self.svc, self.lp = _pool_args(
            balance, wac, wam, recovery_rate, recovery_lag, servicing, amortization)
        T = self.T
        self.scen = scenarios
        pool0 = _table(_project(self.bal, np.full((T, 1), self.wac), self.lp, self.svc, np.zeros((T, 1)),
                                np.zeros((T, 1)), self.rec, self.lag))
        wf = dict(structure=structure, cleanup_call=0.0 if cleanup_call is None else cleanup_call, index=index,
                  floating=floating, fees=0.0 if fees is None else fees, interest_on_shortfall=interest_on_shortfall,
                  residual=residual)
        mechanisms = {k: x for k, x in (mechanisms or {}).items() if x is not None}
        first = _wf.tranches(pool0, None, None, tranche_names, tranche_balances, tranche_coupons, **wf,
                             **mechanisms)                                              # checks every argument
        self.names = list(dict.fromkeys(first[C.CLASS]))
        n = len(self.names)
        self.balances = np.array([float(first[C.BEGINNING_BALANCE].iloc[j * T]) for j in range(n)])
        self.structure = _opt.structure(structure)
        self.call = v.fraction("cleanup_call", wf["cleanup_call"])
        self.fees = v.rate("fees", wf["fees"])
        self.ios = _opt.flag("interest_on_shortfall", interest_on_shortfall)
        self.resid = _opt.flag("residual", residual)
        default_rated = n - 1 if n > 1 else 1
        self.rated = default_rated if rated is None else v.whole("rated", rated, lo=1, hi=n,
                                                                 why=" (the number of classes)")
        self.timely = self.rated if timely_interest is None else v.whole("timely_interest", timely_interest, lo=0,
                                                                         hi=n, why=" (the number of classes)")
        self.legal = T if legal_final is None else v.whole("legal_final", legal_final, lo=1, hi=T,
                                                           why=f" (wam = {T}, the months projected)")
        # per scenario: weights, SMMs, loan rates, coupons (T x n)
        W, SMM, R, CPN = [], [], [], []
        for i, s in enumerate(scenarios):
            w, smm, rate = _scenario_paths(self, i, s, T, timing_unit, horizon)
            W.append(w)
            SMM.append(smm)
            R.append(rate)
            idx = index
            if index is not None and s["index_shift"] != 0.0:
                idx = np.asarray(index, dtype=float) + s["index_shift"] if np.ndim(index) else float(index) + s[
                    "index_shift"]
            CPN.append(_wf._coupons(tranche_coupons, n, T, idx, floating))
        self.W, self.SMM, self.R = np.array(W).T, np.array(SMM).T, np.array(R).T       # T x nscen
        self.CPN = np.stack(CPN, axis=2)                                                 # T x n x nscen
        self.short_tol = np.maximum(1e-12 * self.balances, 1e-9)      # yuan: above rounding, far below a fen
        self.mech = _mech.mechanics(n, T, self.names, float(self.balances.sum()), defaults=np.zeros(T),
                                    balances=self.balances, **mechanisms)
        self.slow = self.mech.active or self.mech.vat_rate != 0.0
        self.runs = 0

    def fails(self, scen: np.ndarray, cls: np.ndarray, c: np.ndarray) -> np.ndarray:
        """For columns j (scenario ``scen[j]``, class ``cls[j]``, cumulative default ``c[j]``): True when the
        class is not paid in full and on time (module docstring)."""
        self.runs += c.size
        amounts = self.W[:, scen] * (c * self.bal)[None, :]
        o = _project(self.bal, self.R[:, scen], self.lp, self.svc, amounts, self.SMM[:, scen], self.rec, self.lag)
        P = o["sched"] + o["prepay"] + o["recovery"]
        I = o["gross"] - o["fee"]
        J = np.arange(c.size)
        if self.slow:                                             # the mechanisms: mbsxl.tranches' loop, by column
            out = {key: np.zeros((self.T, len(self.names), c.size)) for key in ("shortfall", "loss", "ending")}
            for j in J:
                m = self.mech._replace(defaults=o["default"][:, j].tolist())
                res, _ = _wf._run(P[:, j], I[:, j], o["loss"][:, j], self.bal, self.balances, self.CPN[:, :, scen[j]],
                                  self.structure, self.call, self.fees, self.ios, self.resid, m, want_pool=False)
                out["shortfall"][:, :, j], out["loss"][:, :, j], out["ending"][:, :, j] = res[3].T, res[5].T, res[6].T
        else:
            out = _waterfall_batch.run_all(P, I, o["loss"], self.bal, self.balances, self.CPN[:, :, scen],
                                           self.structure, self.call, self.fees, self.ios, self.resid,
                                           record=("shortfall", "loss", "ending"))
        short = out["shortfall"][:, cls, J]                       # T x J
        tol = self.short_tol[cls]
        timely = cls < self.timely
        bad_int = np.where(timely, (short > tol).any(axis=0), short[self.legal - 1] > tol)
        bad_loss = out["loss"][:, cls, J].sum(axis=0) > tol
        bad_end = out["ending"][self.legal - 1, cls, J] > tol
        return bad_int | bad_loss | bad_end


class DealTableStress:
    """As :class:`StressDeal`, with the waterfall a deal table (:mod:`mbsxl.deal.dealtable`) run by the ledger
    engine (:mod:`mbsxl.deal.ledger`): ``fails(scen, cls, c)`` projects every column and runs them through one
    kernel call (a call per distinct index shift of the scenarios, the floating coupons compiled once each).

    The pool is that of :class:`StressDeal` (``_project``: defaults, recoveries and losses of the default
    timing); the pool's ``Default`` column feeds the deal's default-cover transfers (``new_defaults``) and its
    ``cumulative_default`` events.  Paid in full and on time as in the module docstring, read off the ledger
    engine's class flows: interest shortfall = due - interest paid (the residual paid to a class is not
    interest), principal loss (write-downs, and what a class still owes at the call or the last period with
    ``writedown none``), balance at ``legal_final``."""

    slow = False

    def __init__(self, balance, wac, wam, deal, recovery_rate, recovery_lag, servicing, amortization, index, rated,
                 timely_interest, legal_final, horizon, timing_unit, scenarios):
        from mbsxl.deal import dealtable as _dt
        from mbsxl.deal import ledger as _lg
        self._lg = _lg
        self.bal, self.wac, self.T, self.rec, self.lag, self.svc, self.lp = _pool_args(
            balance, wac, wam, recovery_rate, recovery_lag, servicing, amortization)
        T = self.T
        self.scen = scenarios
        self.deal = _dt.parse_deal(deal)                               # errors name the block, row and label
        if any(ev.measure == "delinquency_90" for ev in self.deal.events):
            ev = next(ev for ev in self.deal.events if ev.measure == "delinquency_90")
            raise MbsxlInputError(f"deal table block {_dt.BLOCKS['events'][0]}, row {ev.row}, column measure: "
                                  "delinquency_90 cannot be tested by the rating stress (its projection has no "
                                  "delinquency); use cumulative_default or pool_factor")
        self.names = [c.name for c in self.deal.classes]
        n = len(self.names)
        self.balances = np.array([c.balance for c in self.deal.classes], dtype=float)
        pb = self.bal if self.deal.pool_balance is None else self.deal.pool_balance
        if self.balances.sum() > pb * (1 + 1e-9) + 1e-6:
            raise MbsxlInputError(f"the classes of the deal table total {self.balances.sum():,.2f}, more than the pool "
                                  f"balance={v._fmt(pb)}; pass class balances summing to at most the pool balance")
        self.carry = np.array([c.carry for c in self.deal.classes])
        default_rated = n - 1 if n > 1 else 1
        self.rated = default_rated if rated is None else v.whole("rated", rated, lo=1, hi=n,
                                                                 why=" (the number of classes)")
        self.timely = self.rated if timely_interest is None else v.whole("timely_interest", timely_interest, lo=0,
                                                                         hi=n, why=" (the number of classes)")
        self.legal = T if legal_final is None else v.whole("legal_final", legal_final, lo=1, hi=T,
                                                           why=f" (wam = {T}, the months projected)")
        W, SMM, R = [], [], []
        self.shift_of = np.zeros(len(scenarios))
        for i, s in enumerate(scenarios):
            w, smm, rate = _scenario_paths(self, i, s, T, timing_unit, horizon)
            W.append(w)
            SMM.append(smm)
            R.append(rate)
            self.shift_of[i] = s["index_shift"]
        self.W, self.SMM, self.R = np.array(W).T, np.array(SMM).T, np.array(R).T
        floating = any(c.floating for c in self.deal.classes)
        if not floating:
            self.shift_of[:] = 0.0                                     # the index moves no coupon
        self.compiled = {}
        for x in np.unique(self.shift_of):                             # checks the index and the schedules once
            idx = None if index is None else np.asarray(index, dtype=float) + x
            self.compiled[float(x)] = _lg.compile_deal(self.deal, T, idx if floating else None)
        self.short_tol = np.maximum(1e-12 * self.balances, 1e-9)
        self.runs = 0

    def fails(self, scen: np.ndarray, cls: np.ndarray, c: np.ndarray) -> np.ndarray:
        """As :meth:`StressDeal.fails`, through the ledger engine."""
        lg = self._lg
        self.runs += c.size
        amounts = self.W[:, scen] * (c * self.bal)[None, :]
        o = _project(self.bal, self.R[:, scen], self.lp, self.svc, amounts, self.SMM[:, scen], self.rec, self.lag)
        P = np.ascontiguousarray((o["sched"] + o["prepay"] + o["recovery"]).T)
        I = np.ascontiguousarray((o["gross"] - o["fee"]).T)
        L = np.ascontiguousarray(o["loss"].T)
        D = np.ascontiguousarray(o["default"].T)
        k = np.zeros((c.size, self.T, 8))                              # J x T x 8: the tested class of each column
        shifts = self.shift_of[scen]
        for sh in np.unique(shifts):
            j = np.flatnonzero(shifts == sh)
            arrays = (P[j], I[j], L[j], D[j], np.full((j.size, self.T), np.nan), np.full(j.size, self.bal))
            classes = lg.run(self.deal, None, compiled=self.compiled[float(sh)], arrays=arrays).classes
            k[j] = classes[np.arange(j.size), :, cls[j], :]            # only the tested class is kept
        tol = self.short_tol[cls]
        gap = k[:, :, lg.DUE] - (k[:, :, lg.PAID] - k[:, :, lg.RESID])  # interest not paid in the period
        any_gap = (gap > tol[:, None]).any(axis=1)
        late = np.where(self.carry[cls] > 0, k[:, self.legal - 1, lg.SHORT] > tol, any_gap)
        bad_int = np.where(cls < self.timely, any_gap, late)
        bad_loss = k[:, :, lg.LOSS].sum(axis=1) > tol
        bad_end = k[:, self.legal - 1, lg.END] > tol
        return bad_int | bad_loss | bad_end


def breakevens(deal: StressDeal, tolerance: float = 1e-7) -> np.ndarray:
    """Breakeven cumulative default rate of each tested class (rows) under each scenario (columns), by the
    bracketing search of the module docstring, all searches together."""
    ns, nk = len(deal.scen), deal.rated
    scen = np.tile(np.arange(ns), nk)
    cls = np.repeat(np.arange(nk), ns)
    J = scen.size
    m = 1 if deal.slow else PROBES                                # one probe a round: bisection
    # first round: both ends and the m points between, for every search at once
    pts = np.linspace(0.0, 1.0, m + 2)
    f = deal.fails(np.repeat(scen, m + 2), np.repeat(cls, m + 2), np.tile(pts, J)).reshape(J, m + 2)
    be = np.where(f[:, 0], 0.0, np.where(f[:, -1], np.nan, 1.0))  # fails with no default / survives 100%
    first = np.argmax(f, axis=1)                                   # first failing point
    lo, hi = pts[np.maximum(first - 1, 0)], pts[first]
    act = np.flatnonzero(np.isnan(be) & (hi - lo > tolerance))
    k = np.arange(1, m + 1) / (m + 1.0)
    while act.size:
        width = hi[act] - lo[act]
        probes = lo[act][:, None] + width[:, None] * k[None, :]              # A x m
        f = deal.fails(np.repeat(scen[act], m), np.repeat(cls[act], m), probes.ravel()).reshape(-1, m)
        first = np.where(f.any(axis=1), np.argmax(f, axis=1), m)              # first failing probe
        new_lo = np.where(first > 0, probes[np.arange(act.size), np.maximum(first - 1, 0)], lo[act])
        new_hi = np.where(first < m, probes[np.arange(act.size), np.minimum(first, m - 1)], hi[act])
        lo[act], hi[act] = new_lo, new_hi
        act = act[(hi[act] - lo[act]) > tolerance]
    be = np.where(np.isnan(be), lo, be)
    return be.reshape(nk, ns)


def rating_stress(balance, wac, wam, tranche_names=None, tranche_balances=None, tranche_coupons=None,
                  base_default_rate=None, ratings=None, multipliers=None, scenarios=None, recovery_rate=0.0, recovery_lag=0, servicing=0.0,
                  structure="sequential", cleanup_call=0.0, index=None, floating=None, fees=0.0, rated=None,
                  timely_interest=None, legal_final=None, horizon=HORIZON_YEARS, timing_vectors=None,
                  timing_unit="year", view="ratings", tolerance=1e-7, *, interest_on_shortfall=False, residual=True,
                  amortization="level_payment", vat_rate=None, triggers=None, reserve=None, schedule=None,
                  principal_cover=None, senior_classes=None, deal=None) -> pd.DataFrame:
    """The rating agencies' stress table (module docstring).

    Pool: ``balance, wac, wam, recovery_rate, recovery_lag, servicing, amortization`` as :func:`default_timing`;
    classes and waterfall: ``tranche_names ... fees, interest_on_shortfall, residual`` as
    :func:`mbsxl.tranches` (the plain waterfall: fees, interest by seniority, excess to the junior class,
    principal sequential or pro rata, losses bottom-up, clean-up call).
    ``base_default_rate`` : the pool's base cumulative default rate (基准违约率), a decimal.
    ``ratings``, ``multipliers`` : the multiplier table, highest rating first, multipliers strictly
        decreasing; both None = :data:`EXAMPLE_MULTIPLIERS` (an example, labelled there).
    ``scenarios`` : the scenario table (:func:`scenario_table`); None = :data:`EXAMPLE_SCENARIOS`.
    ``rated`` : how many of the most senior classes are tested (default all but the most junior);
    ``timely_interest`` : how many of them must have no interest shortfall in any period (default all tested);
    ``legal_final`` : the period by which principal must be repaid (default ``wam``).
    ``horizon``, ``timing_vectors``, ``timing_unit`` : for the scenarios' timing (:func:`timing_weights`).
    ``vat_rate ... senior_classes`` : the mechanisms of :func:`mbsxl.tranches` (none by default; module docstring).
    ``view`` : ``ratings`` (columns :data:`mbsxl.columns.RATING_STRESS_COLUMNS`) or ``breakevens``
        (:data:`mbsxl.columns.STRESS_BREAKEVEN_COLUMNS`).  ``tolerance``: the search's width, in [1e-10, 1e-4].
    ``deal`` : a deal table (:mod:`mbsxl.deal.dealtable`; a list of rows, a DataFrame, a dict of blocks or a
        parsed deal) **in place of** the class and waterfall arguments (``tranche_names ... senior_classes``
        except ``index``, which feeds the deal's floating classes): every evaluation runs the deal's priority
        of payments through the ledger engine (:class:`DealTableStress`), all probes of a round in one kernel
        call, so mechanisms only the deal table has (default-principal cover 违约本金补足, events with
        schedules, interim returns ...) are stressed at the speed of the plain waterfall.  Giving both is
        refused.  :func:`mbsxl.deal_from_tranches` turns the positional arguments into the equivalent table.

    >>> from mbsxl.deal.dealviews import deal_from_tranches
    >>> d = deal_from_tranches(["A", "B"], [800.0, 200.0], [0.0, 0.0])
    >>> sc = [["even", "even", 0, 0.0]]
    >>> t = rating_stress(1000.0, 0.0, 12, base_default_rate=0.02, scenarios=sc, view="breakevens",
    ...                   horizon=12, timing_unit="month", deal=d)
    >>> round(float(t["Breakeven Default Rate"].iloc[0]), 6)
    0.2
    """
    kind = _opt.stress_view(view)
    return stress_table(kind, stress_breakevens(
        balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, base_default_rate, ratings, multipliers,
        scenarios, recovery_rate, recovery_lag, servicing, structure, cleanup_call, index, floating, fees, rated,
        timely_interest, legal_final, horizon, timing_vectors, timing_unit, tolerance,
        interest_on_shortfall=interest_on_shortfall, residual=residual, amortization=amortization, vat_rate=vat_rate,
        triggers=triggers, reserve=reserve, schedule=schedule, principal_cover=principal_cover,
        senior_classes=senior_classes, deal=deal))


class StressSolved(NamedTuple):
    """What both views of :func:`rating_stress` are read from: the tested classes' names (``rated`` of
    them), the scenario rows, the multiplier table, the base rate and the breakevens (classes x scenarios)."""
    names: list
    rated: int
    scen: list
    ratings: list
    multipliers: list
    base: float
    be: np.ndarray


def stress_breakevens(balance, wac, wam, tranche_names=None, tranche_balances=None, tranche_coupons=None,
                      base_default_rate=None, ratings=None, multipliers=None, scenarios=None, recovery_rate=0.0,
                      recovery_lag=0, servicing=0.0, structure="sequential", cleanup_call=0.0, index=None,
                      floating=None, fees=0.0, rated=None, timely_interest=None, legal_final=None,
                      horizon=HORIZON_YEARS, timing_vectors=None, timing_unit="year", tolerance=1e-7, *,
                      interest_on_shortfall=False, residual=True, amortization="level_payment", vat_rate=None,
                      triggers=None, reserve=None, schedule=None, principal_cover=None, senior_classes=None,
                      deal=None) -> StressSolved:
    """:func:`rating_stress` but its ``view``: every argument checked and every breakeven searched, as a
    :class:`StressSolved` that :func:`stress_table` shows in either view (so that the two views of the same
    arguments can share one search)."""
    if deal is not None:
        given = [nm for nm, x in (("tranche_names", tranche_names), ("tranche_balances", tranche_balances),
                                  ("tranche_coupons", tranche_coupons), ("floating", floating),
                                  ("vat_rate", vat_rate), ("triggers", triggers), ("reserve", reserve),
                                  ("schedule", schedule), ("principal_cover", principal_cover),
                                  ("senior_classes", senior_classes)) if x is not None]
        given += [nm for nm, x, d0 in (("structure", structure, "sequential"), ("cleanup_call", cleanup_call, 0.0),
                                       ("fees", fees, 0.0), ("interest_on_shortfall", interest_on_shortfall, False),
                                       ("residual", residual, True))
                  if x is not None and x != d0 and not (isinstance(x, str) and x.strip().lower() == d0)]
        if given:
            raise MbsxlInputError(f"deal is given and so is {', '.join(given)}; pass the deal table or the class and "
                                  "waterfall arguments (tranche_names ... senior_classes), not both: the deal table "
                                  "states the classes, fees, priority of payments, events and clean-up call itself")
    elif tranche_names is None or tranche_balances is None or tranche_coupons is None:
        miss = [nm for nm, x in (("tranche_names", tranche_names), ("tranche_balances", tranche_balances),
                                 ("tranche_coupons", tranche_coupons)) if x is None]
        raise MbsxlInputError(f"{', '.join(miss)} is empty; pass the classes (tranche_names, tranche_balances, "
                              "tranche_coupons) or a deal table (deal)")
    if base_default_rate is None:
        raise MbsxlInputError("base_default_rate is empty; pass the pool's base cumulative default rate as a decimal "
                              "in (0, 1], e.g. 0.02 for 2%")
    tol = v.number("tolerance", tolerance, lo=1e-10, hi=1e-4,
                   accepted="accepted: a default-rate step as a decimal in [1e-10, 1e-4], e.g. 1e-7")
    base = v.number("base_default_rate", base_default_rate, lo=0.0, hi=1.0, lo_open=True,
                    accepted="accepted: a cumulative default rate as a decimal in (0, 1], e.g. 0.02 for 2%")
    if ratings is None and multipliers is None:
        ratings, multipliers = [r for r, _ in EXAMPLE_MULTIPLIERS], [m for _, m in EXAMPLE_MULTIPLIERS]
    elif ratings is None or multipliers is None:
        raise MbsxlInputError("pass both ratings and multipliers (or neither, for the example table)")
    names_r, mult = multiplier_table(ratings, multipliers)
    scen = scenario_table(scenarios, timing_vectors)
    if deal is not None:
        deal = DealTableStress(balance, wac, wam, deal, recovery_rate, recovery_lag, servicing, amortization, index,
                               rated, timely_interest, legal_final, horizon, timing_unit, scen)
    else:
        deal = StressDeal(balance, wac, wam, tranche_names, tranche_balances, tranche_coupons, recovery_rate,
                          recovery_lag, servicing, amortization, structure, cleanup_call, index, floating, fees,
                          interest_on_shortfall, residual, rated, timely_interest, legal_final, horizon, timing_unit,
                          scen, dict(vat_rate=vat_rate, triggers=triggers, reserve=reserve, schedule=schedule,
                                     principal_cover=principal_cover, senior_classes=senior_classes))
    be = breakevens(deal, tol)
    return StressSolved(list(deal.names), deal.rated, scen, names_r, mult, base, be)


def stress_table(view: str, solved: StressSolved) -> pd.DataFrame:
    """The ``view`` (``ratings`` or ``breakevens``, as :func:`rating_stress`) of :func:`stress_breakevens`'
    result; reads ``solved`` only."""
    kind = _opt.stress_view(view)
    names, scen, names_r, mult, base, be = solved.names, solved.scen, solved.ratings, solved.multipliers, \
        solved.base, solved.be
    if kind == "breakevens":
        rows = [[names[k], s["name"], s["timing_label"], s["shift"], s["cpr"], s["index_shift"],
                 s["rate_shift"], s["rate_lag"], be[k, i]] for k in range(solved.rated) for i, s in enumerate(scen)]
        return pd.DataFrame(rows, columns=C.STRESS_BREAKEVEN_COLUMNS)
    rows = []
    for k in range(solved.rated):
        i = int(np.argmin(be[k]))
        worst = be[k, i]
        passed = [r for r, m in zip(names_r, mult) if worst >= base * m]
        top = passed[0] if passed else ""
        for r, m in zip(names_r, mult):
            rows.append([names[k], r, m, base * m, worst, scen[i]["name"], int(worst >= base * m), top])
    return pd.DataFrame(rows, columns=C.RATING_STRESS_COLUMNS)
