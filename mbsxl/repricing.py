"""Loan repricing: each loan's annual rate by projection month (Chinese mortgages before and after 2019).

Rules (issue 13; ``data/README`` of the shared data; ``data/lpr.csv``, ``data/policy_events.csv``):

- ``rate_type`` ``fixed``: the loan keeps its ``rates`` value.
- ``benchmark``: the pre-2019 rule of :mod:`mbsxl.floating` (reused, not repeated): the loan keeps
  ``rates`` for the calendar year of ``start_date``; from each 1 January, PBoC benchmark in force that
  day x multiplier + margin.
- ``lpr``: LPR 5y in force on the reset date + the loan's spread.  Before its first reset in the
  projection the loan pays ``rates``; the LPR value behind it is taken as ``rates - spreads``.
  Reset rule ``reset``: ``"january"`` (each 1 January), ``"anniversary"`` (each year on the month and
  day of the loan's ``anniversaries`` date; 29 February -> 28 February), or N (every N months counted
  from the loan's first month: months where age + months elapsed is a multiple of N).
- ``conversion=True`` (the 2020 conversion): benchmark loans become LPR loans with spread = the loan's
  rate in force in March 2020 (the first month of the 1 March - 31 August 2020 window) minus 4.80%
  (the December 2019 LPR 5y).  The rate does not change at conversion and stays for the rest of 2020;
  LPR resets start on the loan's first reset date on or after 1 January 2021.  ``fixed_choice``: the
  borrower took a fixed rate instead: the rate in force at conversion, never repriced again.
- Policy events (``events``; the shipped table :func:`policy_events`, ``events="standard"``): rows
  (effective date, rule, value, covers).  ``floor``: covered loans' spreads above the loan's floor
  spread are cut to it (rate = LPR + floor spread); ``cap``: spreads above ``value`` (e.g. -0.0030 =
  LPR 5y - 30 bp) are cut to ``value``, not below the loan's floor spread.  An event changes only the
  spread; the new rate is the LPR value of the loan's current repricing period (the one read at its
  last reset, 4.80% for a loan converted but not yet reset) + the new spread, from the event's month
  on; the next reset then reads the LPR of its own date.  Only LPR-priced loans move (LPR loans and
  converted loans; fixed, fixed-choice and unconverted benchmark loans are untouched).
  ``covers``: ``first`` (first homes, ``first_home`` TRUE), ``second`` or ``all``.
- Defaults: ``first_home`` TRUE for every loan; ``floor_spreads`` 0 for first homes and +0.0060 for
  second homes (the national floors of new loans from 2019-10-08: first homes LPR 5y + 0, second
  homes LPR 5y + 60 bp).  Pass ``floor_spreads`` for local floors (e.g. -0.0030 where a city allowed
  LPR - 30 bp, as many did by 2024).

Timing (the month convention of :mod:`mbsxl.projection`): projection month t is the calendar month
``start_date`` + t - 1; a month's interest is at the rate in force on its first day.  A reset or event
dated on a month's first day applies from that month, one dated later in a month from the next month
(25 September 2023 -> October 2023).  Index values are read on the reset date itself.  Month 1 pays
``rates``: a reset falling on the first day of month 1 is taken as already in it.

Simplifications (stated): one reset rule for LPR repricing only (benchmark loans keep the 1 January
rule before conversion); the conversion taken in March 2020 for every loan; one floor spread per loan
for every event (local floors changed over time); no split of a month at a mid-month change.

Memory: :func:`month_rates` builds the rate matrix of loans ``lo..hi`` only; :func:`chunk_size` gives a
chunk within :data:`CHUNK_BYTES`.

>>> p = plan([0.0588], 60, "2019-12-01", ages=[0], rate_type="benchmark", multipliers=[1.2],
...          conversion=True, events=None)
>>> r = month_rates(p, 0, 1)[0]
>>> [round(float(r[k]), 4) for k in (0, 12, 13)]      # Dec 2019, Dec 2020, Jan 2021 (4.65% + 1.08%)
[0.0588, 0.0588, 0.0573]
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from importlib import resources

import numpy as np

from . import _validate as v
from . import columns as _c
from . import options as _opt
from .dates import as_date as _as_date
from .errors import MbsxlInputError

#: LPR 5y of December 2019 (the 2019-11-20 fixing in lpr.csv): the base of the 2020 conversion.
CONVERSION_LPR = 0.048
#: The conversion window opened on 1 March 2020; converted loans first reset on or after 1 January 2021.
CONVERSION_DATE = _dt.date(2020, 3, 1)
CONVERSION_END = _dt.date(2020, 12, 31)
FIRST_LPR_RESET = _dt.date(2021, 1, 1)
#: Default floor spreads: national floors of new loans from 2019-10-08 (first home +0, second +60 bp).
FLOOR_FIRST_HOME = 0.0
FLOOR_SECOND_HOME = 0.006
#: Memory budget of one chunk's rate matrices (the rate matrix and its temporaries).
CHUNK_BYTES = 100_000_000
_TEMPS = 8                      # n x T float/int arrays alive at once in month_rates
MAX_SPREAD = 0.1                # +-10%: a spread of 1.08 (meaning 1.08%) is named as a percent

FIXED, BENCHMARK, LPR = 0, 1, 2
JANUARY, ANNIVERSARY = 0, -1


@dataclass(frozen=True)
class Plan:
    """Validated per-loan repricing terms (see :func:`plan`)."""
    months: np.ndarray            # datetime64[D], first day of each projection month
    kind: np.ndarray              # FIXED / BENCHMARK / LPR per loan
    rate0: np.ndarray
    spread0: np.ndarray           # LPR loans' spreads (0 elsewhere)
    mult: np.ndarray
    margin: np.ndarray
    reset: np.ndarray             # JANUARY, ANNIVERSARY or N months
    anniv: np.ndarray             # datetime64[D] per loan (NaT unless anniversary)
    ages: np.ndarray
    converted: np.ndarray         # benchmark loans converted in 2020
    fixed: np.ndarray             # converted loans that chose a fixed rate
    k_conv: int                   # month index of the conversion (-1: none)
    bench: np.ndarray             # floating.reset_path: benchmark reset value by month, NaN = keep
    first_home: np.ndarray
    floor: np.ndarray
    events: tuple                 # (month index, rule, value, covers) in date order
    index_dates: np.ndarray
    index_rates: np.ndarray
    index_label: str              # the argument to name when a date is before the index

    @property
    def needs_matrix(self) -> bool:
        """Whether any loan is LPR-priced at some month (else the benchmark rule of the engine serves)."""
        return bool((self.kind == LPR).any() or self.converted.any())


# ------------------------------------------------------------------------------- policy events
def policy_events():
    """The shipped policy events (``data/policy_events.csv``): one row an event, columns
    :data:`mbsxl.columns.POLICY_EVENT_COLUMNS` (effective date, rule, value, covers, note).

    >>> policy_events()[["Effective Date", "Rule", "Value", "Covers"]].values.tolist()[1]
    [datetime.date(2024, 10, 25), 'cap', -0.003, 'all']
    """
    import pandas as pd
    with resources.files("mbsxl.data").joinpath("policy_events.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, keep_default_na=False)
    return pd.DataFrame({_c.EFFECTIVE_DATE: [_dt.date.fromisoformat(x) for x in df["effective_date"]],
                         _c.RULE: df["rule"].tolist(),
                         _c.VALUE: [float(x) if str(x).strip() else np.nan for x in df["value"]],
                         _c.COVERS: df["covers"].tolist(), _c.NOTE: df["note"].tolist()},
                        columns=_c.POLICY_EVENT_COLUMNS)


def _event_rows(events) -> list:
    """``events`` as (date, rule, value, covers) rows: a DataFrame (first four columns), rows of four
    cells (an optional header row of text is skipped), or "standard"."""
    if _opt.standard_events(events):
        df = policy_events()
        return [tuple(r) for r in df.iloc[:, :4].itertuples(index=False)]
    if hasattr(events, "iloc"):
        rows = [tuple(r) for r in events.iloc[:, :4].itertuples(index=False)]
    elif isinstance(events, str) or np.ndim(events) == 0:
        raise MbsxlInputError(f"events={events!r} is not a table; pass rows of (date, rule, value, covers), "
                              "\"standard\" (the shipped policy events) or None")
    else:
        rows = [tuple(np.ravel(np.asarray(r, dtype=object))) for r in events]
    out = []
    for i, r in enumerate(rows):
        if len(r) < 4:
            raise MbsxlInputError(f"events row {i + 1} has {len(r)} cells; pass date, rule, value, covers")
        if i == 0 and isinstance(r[0], str) and r[0].strip().lower() in ("date", "effective date", "effective_date",
                                                                          "生效日期", "日期"):
            continue                                   # a header row
        if all(x is None or (isinstance(x, str) and not x.strip()) or (isinstance(x, float) and np.isnan(x))
               for x in r[:4]):
            continue                                   # a blank row of the range
        out.append(tuple(r[:4]))
    return out


def _events(events, months: np.ndarray, standard: bool):
    if events is None:
        return ()
    first = months[0].item()
    last = (months[-1].astype("datetime64[M]") + 1).astype("datetime64[D]").item() - _dt.timedelta(days=1)
    parsed = []
    for i, (d, rule, value, cov) in enumerate(_event_rows(events)):
        where = f"events row {i + 1}"
        d = _as_date(f"{where} date", d)
        rule = _opt.event_rule(rule, f"{where} rule")
        cov = _opt.covers("" if cov is None else cov, f"{where} covers")
        blank = value is None or (isinstance(value, str) and not value.strip()) or \
            (isinstance(value, float) and np.isnan(value))
        if rule == "cap":
            if blank:
                raise MbsxlInputError(f"{where} value is empty; a cap needs its spread over LPR 5y (-0.003 = "
                                      "LPR - 30 bp)")
            value = v.spread(f"{where} value", value, hi=MAX_SPREAD)
        else:
            if not blank and float(value) != 0.0:
                raise MbsxlInputError(f"{where} value={value!r}: a floor event cuts to each loan's floor_spreads; "
                                      "leave value empty")
            value = np.nan
        if not first <= d <= last:
            if standard:
                continue                               # shipped events outside the projection: not applied
            raise MbsxlInputError(f"{where} date={d} is outside the projection ({first} .. {last}); "
                                  "pass events within the projection months")
        parsed.append((d, rule, value, cov))
    parsed.sort(key=lambda e: e[0])
    for a in range(len(parsed)):
        for b in range(a + 1, len(parsed)):
            (da, _, _, ca), (db, _, _, cb) = parsed[a], parsed[b]
            if da == db and (ca == cb or "all" in (ca, cb)):
                raise MbsxlInputError(f"events: two events on {da} cover the same loans ({ca}, {cb}); "
                                      "merge them into one row")
    return tuple((int(np.searchsorted(months, np.datetime64(d, "D"), side="left")), rule, value, cov)
                 for d, rule, value, cov in parsed)


# ------------------------------------------------------------------------------- per-loan terms
def _per_loan(name, value, n, parse):
    vals = [value] if isinstance(value, str) or np.ndim(value) == 0 else list(np.ravel(np.asarray(value, dtype=object)))
    if len(vals) == 1:
        return [parse(vals[0], name)] * n
    if len(vals) != n:
        raise MbsxlInputError(f"{name} has {len(vals)} values but balances has {n}; pass one a loan or one for all")
    return [parse(x, f"{name}[{i}]") for i, x in enumerate(vals)]


def _numbers(name, value, n, *, hi):
    def one(x, label):
        if isinstance(x, np.generic):
            x = x.item()
        return v.spread(label, x, hi=hi)
    return np.asarray(_per_loan(name, value, n, one), dtype=float)


def _flags(name, value, n, parse=None):
    parse = parse or (lambda x, label: _opt.flag(label, x))
    return np.asarray(_per_loan(name, value, n, parse), dtype=bool)


def _index(index_dates, index_rates):
    from .rateindex import _shipped, _user_table
    if index_dates is None and index_rates is None:
        d, r = _shipped("lpr_5y")
        return d, r, "start_date"
    try:
        d, r = _user_table(index_dates, index_rates)
    except MbsxlInputError as e:
        raise MbsxlInputError(str(e).replace("table_dates", "index_dates").replace("table_rates", "index_rates")) \
            from None
    return d, r, "index_dates"


def lpr_on(p: Plan, dates) -> np.ndarray:
    """LPR 5y (or the user index) in force on each date (datetime64[D] array)."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    pos = np.searchsorted(p.index_dates, dates, side="right") - 1
    if dates.size and (pos < 0).any():
        bad = dates[pos < 0].min()
        what = "the LPR 5y table (lpr.csv)" if p.index_label == "start_date" else "index_dates"
        raise MbsxlInputError(f"{p.index_label}: the repricing reads the index on {bad}, before the first row of "
                              f"{what} ({p.index_dates[0]}); " +
                              ("start the projection later" if p.index_label == "start_date"
                               else "add the rate in force then to index_dates / index_rates"))
    return p.index_rates[np.clip(pos, 0, None)]


def plan(rates, remaining_terms, start_date, *, ages=None, rate_type=None, spreads=None, reset="january",
         anniversaries=None, conversion=False, fixed_choice=None, events=None, first_home=None,
         floor_spreads=None, index_dates=None, index_rates=None, benchmark=None, multipliers=None,
         margins=None) -> Plan:
    """Validate the repricing terms of every loan (arguments of :func:`mbsxl.loan_cashflows`).

    ``rates``: each loan's rate in force in month 1 (an array); ``remaining_terms``: the longest term
    or an array (only its maximum, the projection length, is used).  ``rate_type`` None: ``lpr`` when
    ``spreads`` is given, ``benchmark`` when ``benchmark`` / ``multipliers`` / ``margins`` is, else
    ``fixed``."""
    rates = np.asarray(rates, dtype=float).ravel()
    n = rates.size
    T = int(np.max(remaining_terms))
    if start_date is None:
        raise MbsxlInputError("start_date is required with repricing: the date of the first projection month")
    start = _as_date("start_date", start_date)
    months = (np.datetime64(start, "M") + np.arange(T)).astype("datetime64[D]")
    ages = np.zeros(n, dtype=np.int64) if ages is None else np.asarray(ages, dtype=np.int64).ravel()
    if rate_type is None:
        rate_type = "lpr" if spreads is not None else \
            "benchmark" if (benchmark is not None or multipliers is not None or margins is not None) else "fixed"
    kind_name = _per_loan("rate_type", rate_type, n, lambda x, label: _opt.rate_type(x, label))
    kind = np.array([{"fixed": FIXED, "benchmark": BENCHMARK, "lpr": LPR}[k] for k in kind_name], dtype=np.int8)
    is_lpr = kind == LPR
    is_bench = kind == BENCHMARK

    spread0 = np.zeros(n)
    if spreads is not None:
        spread0 = _numbers("spreads", spreads, n, hi=MAX_SPREAD)
        spread0 = np.where(is_lpr, spread0, 0.0)
    elif is_lpr.any():
        raise MbsxlInputError("spreads is missing: pass each LPR loan's spread over LPR 5y as a decimal "
                              "(0.0108 for +108 bp)")

    resets = _per_loan("reset", reset, n, lambda x, label: _opt.repricing(x, label))
    reset_code = np.array([JANUARY if r == "january" else ANNIVERSARY if r == "anniversary" else r
                           for r in resets], dtype=np.int64)
    anniv = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if anniversaries is not None:
        anniv = np.array(_per_loan("anniversaries", anniversaries, n,
                                   lambda x, label: np.datetime64(_as_date(label, x), "D")), dtype="datetime64[D]")
    needs_anniv = (reset_code == ANNIVERSARY) & (is_lpr | (is_bench & bool(conversion)))
    if needs_anniv.any() and anniversaries is None:
        raise MbsxlInputError("reset='anniversary' needs anniversaries: each loan's anniversary date (e.g. its "
                              "disbursement date)")

    conv = _opt.flag("conversion", conversion)
    converted = is_bench & conv
    fixed = np.zeros(n, dtype=bool)
    if fixed_choice is not None:
        fixed = _flags("fixed_choice", fixed_choice, n)
        if fixed.any() and not conv:
            raise MbsxlInputError("fixed_choice is given without conversion=TRUE; the fixed-rate choice is made at "
                                  "the 2020 conversion")
        bad = fixed & ~is_bench
        if bad.any():
            i = int(np.argmax(bad))
            raise MbsxlInputError(f"fixed_choice[{i}] is TRUE for a {kind_name[i]} loan; only benchmark loans "
                                  "converting in 2020 can choose a fixed rate")
    k_conv = -1
    if conv:
        if not is_bench.any():
            raise MbsxlInputError("conversion=TRUE but no loan has rate_type benchmark; the 2020 conversion "
                                  "applies to benchmark-rate loans")
        if start > CONVERSION_END:
            raise MbsxlInputError(f"conversion=TRUE but start_date={start} is after 2020: the conversion happened "
                                  "in 2020; pass converted loans as rate_type='lpr' with their spreads")
        k_conv = int(np.searchsorted(months, np.datetime64(CONVERSION_DATE, "D"), side="left"))
        if k_conv >= T:
            raise MbsxlInputError(f"conversion=TRUE but the projection ends before March 2020 "
                                  f"(start_date={start}, {T} months); the conversion is outside the projection")

    mult = np.ones(n)
    margin = np.zeros(n)
    bench = np.full(T, np.nan)
    if is_bench.any():
        from .floating import benchmark_rates, reset_path
        if multipliers is None and margins is None:
            raise MbsxlInputError("benchmark loans need multipliers (e.g. 1.2) and/or margins: rate = PBoC "
                                  "benchmark x multiplier + margin")
        mult = np.zeros(n) if multipliers is None else np.asarray(_per_loan(
            "multipliers", multipliers, n, lambda x, label: v.number(label, x, lo=0.0, hi=3.0)), dtype=float)
        margin = np.zeros(n) if margins is None else _numbers("margins", margins, n, hi=0.2)
        bench = reset_path(benchmark_rates() if benchmark is None else benchmark, start, T)

    home = np.ones(n, dtype=bool) if first_home is None else \
        _flags("first_home", first_home, n, lambda x, label: _opt.first_home(x, label))
    floor = np.where(home, FLOOR_FIRST_HOME, FLOOR_SECOND_HOME) if floor_spreads is None else \
        _numbers("floor_spreads", floor_spreads, n, hi=MAX_SPREAD)
    ev = _events(events, months, _opt.standard_events(events))
    idx_d, idx_r, label = _index(index_dates, index_rates)
    return Plan(months, kind, rates, spread0, mult, margin, reset_code, anniv, ages, converted, fixed & converted,
                k_conv, bench, home, floor, ev, idx_d, idx_r, label)


# ------------------------------------------------------------------------------- the rate matrix
def chunk_size(T: int) -> int:
    """Loans a chunk so that one chunk's rate matrices stay within :data:`CHUNK_BYTES`."""
    return max(1, CHUNK_BYTES // (8 * _TEMPS * max(T, 1)))


def _reset_values(p: Plan, sel: np.ndarray, after: np.ndarray) -> np.ndarray:
    """len(sel) x T: the LPR read by a reset applying in month k (NaN: no reset that month).

    ``after``: per loan, the earliest reset date allowed (datetime64[D])."""
    months = p.months
    T = months.size
    out = np.full((sel.size, T), np.nan)
    code = p.reset[sel]
    k = np.arange(T)
    at_start = np.zeros(T, dtype=bool)
    at_start[0] = True

    def on_months(due):                 # the LPR on the first day of the months some loan resets in
        vals = np.full(T, np.nan)
        need = due.any(axis=0)
        vals[need] = lpr_on(p, months[need])
        return np.where(due, vals[None, :], np.nan)

    jan = code == JANUARY
    if jan.any():
        due = (months.astype("datetime64[M]").astype(int) % 12 == 0) & ~at_start
        out[jan] = on_months(due[None, :] & (months[None, :] >= after[jan, None]))
    every = code > 0
    if every.any():
        due = ((p.ages[sel][every, None] + k[None, :]) % code[every, None] == 0) & ~at_start[None, :]
        out[every] = on_months(due & (months[None, :] >= after[every, None]))
    ann = code == ANNIVERSARY
    if ann.any():
        rows = np.flatnonzero(ann)
        a = p.anniv[sel][ann]
        a_m = a.astype("datetime64[M]")
        month_of_year = a_m.astype(int) % 12
        day = (a - a_m.astype("datetime64[D]")).astype(int)           # day of month - 1
        y0 = months[0].astype("datetime64[Y]").astype(int)
        y1 = months[-1].astype("datetime64[Y]").astype(int)
        for y in range(y0, y1 + 1):
            m = (np.datetime64(y, "Y").astype("datetime64[M]") + month_of_year)
            last = (m + 1).astype("datetime64[D]") - 1
            d = np.minimum(m.astype("datetime64[D]") + day, last)        # 29 Feb -> 28 Feb
            kk = np.searchsorted(months, d, side="left")
            ok = (kk >= 1) & (kk < T) & (d >= after[ann])
            if ok.any():
                out[rows[ok], kk[ok]] = lpr_on(p, d[ok])
    return out


def month_rates(p: Plan, lo: int, hi: int, detail: bool = False):
    """Annual rates of loans lo..hi-1 by projection month, a (hi - lo) x months matrix.

    ``detail=True``: also the index matrix (the LPR of the current repricing period, the benchmark
    read at the last 1 January reset; NaN for fixed rates), and a dict of event masks by label."""
    T = p.months.size
    kind = p.kind[lo:hi]
    rate0 = p.rate0[lo:hi]
    R = np.repeat(rate0[:, None], T, axis=1)
    index = np.full(R.shape, np.nan) if detail else None
    marks = {}
    bench = kind == BENCHMARK
    if bench.any():
        keep = np.isnan(p.bench)[None, :]
        R[bench] = np.where(keep, rate0[bench, None],
                            p.bench[None, :] * p.mult[lo:hi][bench, None] + p.margin[lo:hi][bench, None])
        if detail:
            index[bench] = p.bench[None, :]
            jan = (p.months.astype("datetime64[M]").astype(int) % 12 == 0) & ~np.isnan(p.bench)
            marks[_c.EVENT_BENCHMARK_RESET] = np.zeros(R.shape, dtype=bool)
            until = np.where(p.converted[lo:hi][bench], p.k_conv, T)       # benchmark-priced months
            marks[_c.EVENT_BENCHMARK_RESET][bench] = jan[None, :] & (np.arange(T)[None, :] < until[:, None])
    conv = p.converted[lo:hi]
    fixed = p.fixed[lo:hi]
    if conv.any():
        at_conv = R[:, p.k_conv].copy()
        if fixed.any():
            R[fixed, p.k_conv:] = at_conv[fixed, None]
            if detail:
                index[fixed, p.k_conv:] = np.nan
                marks[_c.EVENT_FIXED_CHOICE] = np.zeros(R.shape, dtype=bool)
                marks[_c.EVENT_FIXED_CHOICE][fixed, p.k_conv] = True
    lpr = (kind == LPR) | (conv & ~fixed)
    if lpr.any():
        sel = np.flatnonzero(lpr)
        is_conv = conv[sel]
        s0 = np.where(is_conv, R[sel, max(p.k_conv, 0)] - CONVERSION_LPR, p.spread0[lo:hi][sel])
        b0 = np.where(is_conv, CONVERSION_LPR, rate0[sel] - s0)
        from_k = np.where(is_conv, p.k_conv, 0)
        after = np.where(is_conv, np.datetime64(FIRST_LPR_RESET, "D"), p.months[0])
        rv = _reset_values(p, sel + lo, after)
        has = ~np.isnan(rv)
        pos = np.where(has, np.arange(T)[None, :], -1)
        np.maximum.accumulate(pos, axis=1, out=pos)
        base = np.where(pos >= 0, np.take_along_axis(rv, np.maximum(pos, 0), axis=1), b0[:, None])
        del rv, pos
        S = np.repeat(s0[:, None], T, axis=1)
        home = p.first_home[lo:hi][sel]
        floor = p.floor[lo:hi][sel]
        for k, rule, value, cov in p.events:
            if k >= T:
                continue
            covered = np.ones(sel.size, dtype=bool) if cov == "all" else (home if cov == "first" else ~home)
            covered &= from_k <= k
            target = floor if rule == "floor" else np.maximum(value, floor)
            moved = covered & (S[:, k] > target)
            if moved.any():
                S[moved, k:] = np.minimum(S[moved, k:], target[moved, None])
                if detail:
                    mk = marks.setdefault(rule, np.zeros(R.shape, dtype=bool))
                    mk[sel[moved], k] = True
        on = np.arange(T)[None, :] >= from_k[:, None]
        R[sel] = np.where(on, base + S, R[sel])
        if detail:
            index[sel] = np.where(on, base, index[sel])
            mk = marks.setdefault(_c.EVENT_RESET, np.zeros(R.shape, dtype=bool))
            mk[sel] |= has & on
            if is_conv.any():
                mc = marks.setdefault(_c.EVENT_CONVERSION, np.zeros(R.shape, dtype=bool))
                mc[sel[is_conv], p.k_conv] = True
    if conv.any() and fixed.any() and detail:
        mc = marks.setdefault(_c.EVENT_CONVERSION, np.zeros(R.shape, dtype=bool))
        mc[fixed, p.k_conv] = True
    if detail:
        return R, index, marks
    return R


def new_loan_rates(p: Plan, new_loan_spread: float) -> np.ndarray:
    """The new-loan rate of each projection month: LPR 5y in force on its first day + ``new_loan_spread``."""
    return lpr_on(p, p.months) + new_loan_spread

