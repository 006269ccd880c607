"""Loan repricing: each loan's annual rate by projection month (Chinese mortgages before and after 2019).

Rules (issue 13; ``data/README`` of the shared data; ``data/lpr.csv``, ``data/policy_events.csv``):

- ``rate_type`` ``fixed``: the loan keeps its ``rates`` value.
- ``benchmark``: the pre-2019 rule of :mod:`mbsxl.rates.floating` (reused, not repeated): the loan keeps
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
- Two floors a loan (issue 18), each a spread over LPR 5y in [-2%, +1%], blank = none:
  ``origination_floors``: the floor of the loan's city for new loans when the loan was originated;
  default the national floor of :func:`mortgage_floors` (``data/mortgage_floors.csv``, sources quoted)
  on the loan's origination date for a first or second home: LPR + 0 / + 60 bp from 2019-10-08,
  - 20 bp / + 60 bp from 2022-05-15, - 20 bp / + 20 bp from 2023-08-31, none from 2024-05-17.  Loans
  originated before the LPR reform: mbsxl's reading of the 2023 notice (its text: "不得低于原贷款发放时
  所在城市首套房贷款利率政策下限", not below the first-home floor of the city at origination; a
  benchmark-era floor is a multiple of the benchmark, not a spread over LPR) is the first floor stated on
  LPR, the 2019-10-08 one (first homes LPR + 0, second homes + 60 bp), in force when such loans were
  converted in 2020; pass ``origination_floors`` where a city's differed.  ``current_floors``: the
  city's floor for new loans today (default none: the national floors were abolished on 2024-05-17;
  Beijing, Shanghai and Shenzhen kept local ones).  ``origination_dates``: default the
  ``anniversaries`` (a disbursement date) when given, else the first day of the month ``ages`` months
  before ``start_date``.
- Policy events (``events``; the shipped table :func:`policy_events`, ``events="standard"``): rows
  (effective date, rule, value, covers, floor).  ``floor`` names the floor the event reads:
  ``origination`` (default of a ``floor`` rule), ``current`` (default of a ``cap``) or ``none``.
  ``floor`` rule: covered loans' spreads above that floor are cut to it (a loan without one is not
  moved); ``cap``: spreads above ``value`` (e.g. -0.0030 = LPR 5y - 30 bp) are cut to ``value``, not
  below that floor where the loan has one.  Shipped: 2023-09-25 (notice of 2023-08-31) first homes
  down to the origination floor; 2024-10-25 (PBoC announcement of 2024-09-29) every loan, first or
  second home, with a spread above -30 bp down to -30 bp, not below its current floor.  An event
  moves loans originated before its date only, and changes only the spread; the new rate is the LPR
  value of the loan's current repricing period (the one read at its last reset, 4.80% for a loan
  converted but not yet reset) + the new spread, from the event's month on; the next reset then reads
  the LPR of its own date.  Only LPR-priced loans move (LPR loans and converted loans; fixed,
  fixed-choice and unconverted benchmark loans are untouched).  ``covers``: ``first`` (first homes,
  ``first_home`` TRUE), ``second`` or ``all``.  "Rates above LPR 5y - 30 bp" is read on the spread.
  Shipped events outside the projection are not applied (they are in the loans' rates already, or after
  the end); a user's event outside it is refused, as are two events on one date covering the same loans.
- The 2024-11-01 options (off unless given): ``repricing_periods`` (whole months 1..12; the option
  offers 3, 6 or 12) from ``repricing_period_dates`` (from 2024-11-01): the loan keeps its reset rule
  for resets dated before that date, resets on it and every N months after (same day of the month,
  the month's last day where shorter; timing as any reset).  Spread renegotiation: a user table of the
  national average spread of new loans (``average_spread_dates`` / ``average_spreads``, from
  2024-11-01); on each date in the projection an LPR-priced loan whose spread is more than
  ``renegotiation_tolerance`` (default 0.003, the 30 bp of the rule) above the average re-sets to
  average + tolerance, not below its current floor (Event column: ``renegotiation``).  Rows before the
  projection are taken as already in the loans' spreads.
- Index: LPR 5y of ``data/lpr.csv`` (the last row held), or a rate scenario ``index_dates`` /
  ``index_rates`` (history + future fixings, each row in force from its date); resets, events and
  the new-loan rate of the incentive all read it.  Reading a date before its first row is refused.
- Defaults: ``first_home`` TRUE for every loan.  ``floor_spreads`` (one floor a loan for both rules,
  before issue 18) is refused with a message naming ``origination_floors`` and ``current_floors``.

Timing (the month convention of :mod:`mbsxl.pool.projection`): projection month t is the calendar month
``start_date`` + t - 1; a month's interest is at the rate in force on its first day.  A reset or event
dated on a month's first day applies from that month, one dated later in a month from the next month
(25 September 2023 -> October 2023).  Index values are read on the reset date itself.  Month 1 pays
``rates``: a reset falling on the first day of month 1 is taken as already in it.

Simplifications (stated): one reset rule for LPR repricing only (benchmark loans keep the 1 January
rule before conversion); the conversion taken in March 2020 for every loan; each rule's floor fixed per
loan (the city's floor at origination, its floor today); a borrower takes every cut the rules allow, on
the date of the batch or the table; no split of a month at a mid-month change.

Memory: the projection takes the rule in compact form (:func:`kernel_terms`: one LPR path a group of
loans resetting alike, per-loan base, spread and event changes); no loans x months matrix is built.
:func:`month_rates` expands it for inspection (:func:`mbsxl.loan_rates`).

>>> p = plan([0.0588], 60, "2019-12-01", ages=[0], rate_type="benchmark", multipliers=[1.2],
...          conversion=True, events=None)
>>> r = month_rates(p)[0]
>>> [round(float(r[k]), 4) for k in (0, 12, 13)]      # Dec 2019, Dec 2020, Jan 2021 (4.65% + 1.08%)
[0.0588, 0.0588, 0.0573]
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from mbsxl import _validate as v
from mbsxl import columns as _c
from mbsxl import options as _opt
from mbsxl.dates import as_date as _as_date
from mbsxl.errors import MbsxlInputError

#: LPR 5y of December 2019 (the 2019-11-20 fixing in lpr.csv): the base of the 2020 conversion.
CONVERSION_LPR = 0.048
#: The conversion window opened on 1 March 2020; converted loans first reset on or after 1 January 2021.
CONVERSION_DATE = _dt.date(2020, 3, 1)
CONVERSION_END = _dt.date(2020, 12, 31)
FIRST_LPR_RESET = _dt.date(2021, 1, 1)
#: Floors a loan can be given (origination_floors, current_floors): at most +1%, at least -2% over LPR 5y.
FLOOR_LO, FLOOR_HI = -0.02, 0.01
#: The 2024-11-01 options (PBoC announcement of 2024-09-29 and the pricing self-discipline mechanism's
#: initiative): a new repricing period from a date, and the renegotiation of a spread more than 30 bp above
#: the national average spread of new loans.
OPTIONS_FROM = _dt.date(2024, 11, 1)
RENEGOTIATION_TOLERANCE = 0.003
MAX_SPREAD = 0.1                # +-10%: a spread of 1.08 (meaning 1.08%) is named as a percent

FIXED, BENCHMARK, LPR = 0, 1, 2
RATE_TYPE_NAMES = ("fixed", "benchmark", "lpr")
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
    orig_floor: np.ndarray        # floor spread at origination per loan (NaN: none)
    cur_floor: np.ndarray         # the city's current floor per loan (NaN: none)
    orig_date: np.ndarray         # datetime64[D] origination date per loan
    period: np.ndarray            # repricing period (months) from period_date; 0: none
    period_date: np.ndarray       # datetime64[D] (NaT: none)
    events: tuple                 # (month index, rule, value, covers, floor, date, label) in date order
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
    :data:`mbsxl.columns.POLICY_EVENT_COLUMNS` (effective date, rule, value, covers, floor, note; the
    note quotes the notice).

    >>> policy_events()[["Effective Date", "Rule", "Value", "Covers", "Floor"]].values.tolist()[1]
    [datetime.date(2024, 10, 25), 'cap', -0.003, 'all', 'current']
    """
    import pandas as pd
    with resources.files("mbsxl.data").joinpath("policy_events.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, keep_default_na=False)
    return pd.DataFrame({_c.EFFECTIVE_DATE: [_dt.date.fromisoformat(x) for x in df["effective_date"]],
                         _c.RULE: df["rule"].tolist(),
                         _c.VALUE: [float(x) if str(x).strip() else np.nan for x in df["value"]],
                         _c.COVERS: df["covers"].tolist(), _c.FLOOR: df["floor"].tolist(),
                         _c.NOTE: df["note"].tolist()},
                        columns=_c.POLICY_EVENT_COLUMNS)


@lru_cache(maxsize=1)
def _standard_rows() -> tuple:
    return tuple(tuple(r) for r in policy_events().iloc[:, :5].itertuples(index=False))


@lru_cache(maxsize=1)
def _pboc_over_5y():
    from mbsxl.rates.floating import benchmark_rates
    return benchmark_rates()


def mortgage_floors():
    """The shipped national floors of new mortgages by origination date (``data/mortgage_floors.csv``):
    columns :data:`mbsxl.columns.MORTGAGE_FLOOR_COLUMNS` (from date, first-home floor, second-home floor
    as spreads over LPR 5y, NaN = no national floor, source quoting the notice).  Each row holds from its
    date to the next; the first row (1998-01-01, also read for earlier dates) is mbsxl's reading for
    loans originated before the LPR reform (see its source).

    >>> t = mortgage_floors()
    >>> [(str(d), f, s) for d, f, s in t.iloc[1:4, :3].itertuples(index=False)]
    [('2019-10-08', 0.0, 0.006), ('2022-05-15', -0.002, 0.006), ('2023-08-31', -0.002, 0.002)]
    """
    import pandas as pd
    d, first, second, src = _floor_table()
    return pd.DataFrame({_c.FROM_DATE: [x.item() for x in d], _c.FIRST_HOME_FLOOR: first,
                         _c.SECOND_HOME_FLOOR: second, _c.SOURCE: list(src)}, columns=_c.MORTGAGE_FLOOR_COLUMNS)


@lru_cache(maxsize=1)
def _floor_table():
    import pandas as pd
    with resources.files("mbsxl.data").joinpath("mortgage_floors.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, keep_default_na=False)
    num = lambda col: np.array([float(x) if str(x).strip() else np.nan for x in df[col]])   # noqa: E731
    return (np.array(df["from_date"].tolist(), dtype="datetime64[D]"), num("first_home"), num("second_home"),
            tuple(df["source"]))


def national_floors(origination_dates, first_home) -> np.ndarray:
    """The national floor spread of new loans on each origination date (datetime64[D]) for first or
    second homes (NaN: none, from 2024-05-17), from :func:`mortgage_floors`."""
    d, first, second, _ = _floor_table()
    pos = np.clip(np.searchsorted(d, np.asarray(origination_dates, dtype="datetime64[D]"), side="right") - 1, 0, None)
    return np.where(first_home, first[pos], second[pos])


def _event_rows(events) -> list:
    """``events`` as (date, rule, value, covers, floor) rows: a DataFrame (first five columns; a table of
    four gets no floor column), rows of four or five cells (an optional header row of text is skipped), or
    "standard"."""
    if _opt.standard_events(events):
        return list(_standard_rows())
    if hasattr(events, "iloc"):
        rows = [tuple(r) for r in events.iloc[:, :5].itertuples(index=False)]
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
        out.append(tuple(r[:5]) if len(r) >= 5 else tuple(r[:4]) + (None,))
    return out


def _events(events, months: np.ndarray, standard: bool):
    if events is None:
        return ()
    first = months[0].item()
    last = (months[-1].astype("datetime64[M]") + 1).astype("datetime64[D]").item() - _dt.timedelta(days=1)
    parsed = []
    for i, (d, rule, value, cov, which) in enumerate(_event_rows(events)):
        where = f"events row {i + 1}"
        d = _as_date(f"{where} date", d)
        rule = _opt.event_rule(rule, f"{where} rule")
        which = _opt.event_floor(which, rule, f"{where} floor")
        if rule == "floor" and which == "none":
            raise MbsxlInputError(f"{where} floor='none' with rule floor: a floor event cuts spreads to a floor; "
                                  "name origination or current (or use a cap with a value)")
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
                raise MbsxlInputError(f"{where} value={value!r}: a floor event cuts to each loan's floor (its "
                                      "origination_floors or current_floors); leave value empty")
            value = np.nan
        if not first <= d <= last:
            if standard:
                continue                               # shipped events outside the projection: not applied
            raise MbsxlInputError(f"{where} date={d} is outside the projection ({first} .. {last}); "
                                  "pass events within the projection months")
        parsed.append((d, rule, value, cov, which))
    parsed.sort(key=lambda e: e[0])
    for a in range(len(parsed)):
        for b in range(a + 1, len(parsed)):
            (da, _, _, ca, _), (db, _, _, cb, _) = parsed[a], parsed[b]
            if da == db and (ca == cb or "all" in (ca, cb)):
                raise MbsxlInputError(f"events: two events on {da} cover the same loans ({ca}, {cb}); "
                                      "merge them into one row")
    return tuple((int(np.searchsorted(months, np.datetime64(d, "D"), side="left")), rule, value, cov, which,
                  np.datetime64(d, "D"), rule) for d, rule, value, cov, which in parsed)


def _renegotiation(dates, spreads, tolerance, months: np.ndarray):
    """The 2024-11-01 spread renegotiation as events: on each date of the user's table of the national
    average spread of new loans, every LPR-priced loan whose spread is more than ``tolerance`` above it
    re-sets to average + tolerance (not below its current floor).  Rows before the projection are
    already in the loans' spreads and rows after it are not reached: neither is applied."""
    if dates is None and spreads is None:
        return ()
    if dates is None or spreads is None:
        raise MbsxlInputError("average_spread_dates and average_spreads go together: the national average spread "
                              "of new loans over LPR 5y (decimal) in force from each date; pass both or neither")
    d = np.ravel(np.asarray(dates, dtype=object))
    r = np.ravel(np.asarray(spreads, dtype=object))
    if d.size != r.size or d.size == 0:
        raise MbsxlInputError(f"average_spread_dates has {d.size} values and average_spreads {r.size}; pass one "
                              "spread a date")
    tol = v.number("renegotiation_tolerance", tolerance, lo=0.0, hi=0.02,
                   accepted="accepted: a decimal in [0, 0.02] (0.003 = the 30 bp of the 2024 rule)")
    first = months[0].item()
    last = (months[-1].astype("datetime64[M]") + 1).astype("datetime64[D]").item() - _dt.timedelta(days=1)
    out = []
    prev = None
    for i, (x, y) in enumerate(zip(d, r)):
        x = _as_date(f"average_spread_dates[{i}]", x)
        if x < OPTIONS_FROM:
            raise MbsxlInputError(f"average_spread_dates[{i}]={x} is before {OPTIONS_FROM}, when the renegotiation "
                                  "of existing loans' spreads began; pass dates from 2024-11-01")
        if prev is not None and x <= prev:
            raise MbsxlInputError(f"average_spread_dates[{i}]={x} is not after the row before ({prev}); pass "
                                  "dates in increasing order")
        prev = x
        y = v.spread(f"average_spreads[{i}]", y, hi=MAX_SPREAD)
        if first <= x <= last:
            out.append((int(np.searchsorted(months, np.datetime64(x, "D"), side="left")), "cap", y + tol, "all",
                        "current", np.datetime64(x, "D"), _c.EVENT_RENEGOTIATION))
    return tuple(out)


# ------------------------------------------------------------------------------- per-loan terms
def _per_loan(name, value, n, parse, dtype=object) -> np.ndarray:
    """One parsed value a loan as an array (one value for all is repeated); each distinct value is parsed
    once, in the order of first appearance, so an error names the first loan holding a bad value."""
    import pandas as pd
    if isinstance(value, str) or np.ndim(value) == 0:
        arr = np.array([value], dtype=object)
    else:
        arr = np.ravel(np.asarray(value, dtype=object))
    if arr.size == 1:
        one = np.empty(1, dtype=dtype)
        one[0] = parse(arr[0], name)
        return np.repeat(one, n)
    if arr.size != n:
        raise MbsxlInputError(f"{name} has {arr.size} values but balances has {n}; pass one a loan or one for all")
    codes, uniq = pd.factorize(arr, use_na_sentinel=False)
    first = np.empty(len(uniq), dtype=np.int64)
    first[codes[::-1]] = np.arange(n)[::-1]
    vals = np.empty(len(uniq), dtype=dtype)
    for k, i in enumerate(first):
        vals[k] = parse(arr[i], f"{name}[{i}]")
    return vals[codes]


def _dates_fast(value, n):
    """A column of dates (datetime.date or ISO text, none missing) as datetime64[D]; None when a cell
    needs a named check (:func:`_per_loan` then names it)."""
    if isinstance(value, str) or np.ndim(value) == 0 or np.size(value) != n:
        return None
    cells = np.ravel(np.asarray(value, dtype=object))
    if all(isinstance(x, _dt.date) for x in cells):
        days = np.fromiter((x.toordinal() for x in cells), dtype=np.int64, count=cells.size)
        d = (days - _dt.date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    elif all(isinstance(x, str) for x in cells):    # ISO text; a number is not read as days since 1970
        try:
            d = np.array(cells.astype(str), dtype="datetime64[D]")
        except (TypeError, ValueError):
            return None
    else:
        return None
    return None if np.isnat(d).any() else d


def _fast(value, n, kinds, lo, hi):
    """A numeric (or bool) array already in range, as an array of n values; None when a check must name a cell."""
    a = np.asarray(value)
    if a.dtype.kind not in kinds or a.size not in (1, n):
        return None
    a = np.ravel(a)
    if a.dtype.kind != "b" and (not np.isfinite(a).all() or (a < lo).any() or (a > hi).any()):
        return None
    return np.broadcast_to(a, (n,)).copy()


def _numbers(name, value, n, *, hi, lo=None):
    got = _fast(value, n, "fiu", -hi if lo is None else lo, hi)
    if got is not None:
        return got.astype(float)

    def one(x, label):
        if isinstance(x, np.generic):
            x = x.item()
        return v.spread(label, x, hi=hi) if lo is None else v.number(label, x, lo=lo, hi=hi)
    return _per_loan(name, value, n, one, float)


def _flags(name, value, n, parse=None):
    got = _fast(value, n, "b", 0, 1)
    if got is not None:
        return got
    parse = parse or (lambda x, label: _opt.flag(label, x))
    return _per_loan(name, value, n, parse, bool)


def _index(index_dates, index_rates):
    from mbsxl.rates.rateindex import _shipped, _user_table
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


def _blank(x) -> bool:
    return x is None or (isinstance(x, str) and not x.strip()) or (isinstance(x, float) and np.isnan(x))


def _floors(name, value, n) -> np.ndarray:
    """Per-loan floor spreads over LPR 5y in [FLOOR_LO, FLOOR_HI]; a blank cell (None, "", NaN) -> NaN."""
    if value is None:
        return np.full(n, np.nan)
    got = _fast(value, n, "fiu", FLOOR_LO, FLOOR_HI)
    if got is not None:
        return got.astype(float)

    def one(x, label):
        if isinstance(x, np.generic):
            x = x.item()
        if _blank(x) or (isinstance(x, str) and x.strip().lower() in ("none", "无", "不设")):
            return np.nan
        where = f"{label} (loan {int(label[label.find('[') + 1:-1]) + 1})" if label.endswith("]") else \
            f"{label} (all loans)"
        f = v.number(where, x)
        if 0.1 < abs(f) <= 100 * abs(FLOOR_LO):        # 1.5 meaning 1.5%
            raise MbsxlInputError(f"{where}={v._fmt(f)} looks like a percent; pass {v._fmt(f / 100)}")
        return v.number(where, f, lo=FLOOR_LO, hi=FLOOR_HI,
                        accepted="accepted: a floor spread over LPR 5y in [-0.02, 0.01] (-2% .. +1%), "
                                 "blank for none")
    return _per_loan(name, value, n, one, float)


def _periods(value, n) -> np.ndarray:
    """repricing_periods: whole months 1..12 a loan (the 2024-11-01 option: 3, 6 or 12); blank -> 0 (none)."""
    if value is None:
        return np.zeros(n, dtype=np.int64)

    def one(x, label):
        if isinstance(x, np.generic):
            x = x.item()
        if _blank(x):
            return 0
        where = f"{label} (loan {int(label[label.find('[') + 1:-1]) + 1})" if label.endswith("]") else \
            f"{label} (all loans)"
        ok = isinstance(x, (int, float)) and not isinstance(x, bool) and float(x).is_integer() and 1 <= x <= 12
        if isinstance(x, str) and x.strip().isdigit():
            x = int(x.strip())
            ok = 1 <= x <= 12
        if not ok:
            raise MbsxlInputError(f"{where}={x!r} is not a repricing period; accepted: a whole "
                                  "number of months 1..12 (the 2024-11-01 option: 3, 6 or 12), blank for none")
        return int(x)
    return _per_loan("repricing_periods", value, n, one, np.int64)


def plan(rates, remaining_terms, start_date, *, ages=None, rate_type=None, spreads=None, reset="january",
         anniversaries=None, conversion=False, fixed_choice=None, events=None, first_home=None,
         floor_spreads=None, index_dates=None, index_rates=None, benchmark=None, multipliers=None,
         margins=None, origination_floors=None, current_floors=None, origination_dates=None,
         repricing_periods=None, repricing_period_dates=None, average_spread_dates=None, average_spreads=None,
         renegotiation_tolerance=RENEGOTIATION_TOLERANCE) -> Plan:
    """Validate the repricing terms of every loan (arguments of :func:`mbsxl.loan_cashflows`).

    ``rates``: each loan's rate in force in month 1 (an array); ``remaining_terms``: the longest term
    or an array (only its maximum, the projection length, is used).  ``rate_type`` None: ``lpr`` when
    ``spreads`` is given, ``benchmark`` when ``benchmark`` / ``multipliers`` / ``margins`` is, else
    ``fixed``."""
    rates = np.asarray(rates, dtype=float).ravel()
    n = rates.size
    T = int(np.max(remaining_terms))
    if start_date is None:
        raise MbsxlInputError("start_date is required with repricing or the rate incentive: the date of the first "
                              "projection month (e.g. 2019-12-01)")
    start = _as_date("start_date", start_date)
    months = (np.datetime64(start, "M") + np.arange(T)).astype("datetime64[D]")
    ages = np.zeros(n, dtype=np.int64) if ages is None else np.asarray(ages, dtype=np.int64).ravel()
    if rate_type is None:
        rate_type = "lpr" if spreads is not None else \
            "benchmark" if (benchmark is not None or multipliers is not None or margins is not None) else "fixed"
    codes = {"fixed": FIXED, "benchmark": BENCHMARK, "lpr": LPR}
    kind = _per_loan("rate_type", rate_type, n, lambda x, label: codes[_opt.rate_type(x, label)], np.int8)
    is_lpr = kind == LPR
    is_bench = kind == BENCHMARK

    spread0 = np.zeros(n)
    if spreads is not None:
        spread0 = _numbers("spreads", spreads, n, hi=MAX_SPREAD)
        spread0 = np.where(is_lpr, spread0, 0.0)
    elif is_lpr.any():
        raise MbsxlInputError("spreads is missing: pass each LPR loan's spread over LPR 5y as a decimal "
                              "(0.0108 for +108 bp)")

    rules = {"january": JANUARY, "anniversary": ANNIVERSARY}
    reset_code = _per_loan("reset", reset, n, lambda x, label: rules.get(_opt.repricing(x, label),
                                                                       _opt.repricing(x, label)), np.int64)
    anniv = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if anniversaries is not None:
        anniv = _dates_fast(anniversaries, n)
    if anniversaries is not None and anniv is None:
        anniv = _per_loan("anniversaries", anniversaries, n,
                          lambda x, label: np.datetime64(_as_date(label, x), "D"), "datetime64[D]")
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
            raise MbsxlInputError(f"fixed_choice[{i}] is TRUE for a {RATE_TYPE_NAMES[kind[i]]} loan; only benchmark loans "
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
        from mbsxl.rates.floating import reset_path
        if multipliers is None and margins is None:
            raise MbsxlInputError("benchmark loans need multipliers (e.g. 1.2) and/or margins: rate = PBoC "
                                  "benchmark x multiplier + margin")
        mult = np.zeros(n) if multipliers is None else _numbers("multipliers", multipliers, n, lo=0.0, hi=3.0)
        margin = np.zeros(n) if margins is None else _numbers("margins", margins, n, hi=0.2)
        bench = reset_path(_pboc_over_5y() if benchmark is None else benchmark, start, T)
        resets = bench[~np.isnan(bench)]
        if resets.size:
            for label, b in (("lowest", resets.min()), ("highest", resets.max())):
                new_rate = np.where(is_bench, b * mult + margin, 0.5)
                bad = (new_rate < 0.0) | (new_rate > 1.0)
                if bad.any():
                    i = int(np.argmax(bad))
                    raise MbsxlInputError(
                        f"loan {i + 1} reprices to {v._fmt(float(new_rate[i]))} at the {label} benchmark "
                        f"({v._fmt(float(b))}) x multipliers ({v._fmt(float(mult[i]))}) + margins "
                        f"({v._fmt(float(margin[i]))}); a reset rate must be in [0, 1]")

    if floor_spreads is not None:
        raise MbsxlInputError("floor_spreads is no longer taken (one floor a loan misapplied two rules): pass "
                              "origination_floors (the floor of the loan's city when it was originated, read by the "
                              "2023-09-25 cut; default the national floors of mortgage_floors()) and current_floors "
                              "(the city's floor for new loans today, read by the 2024-10-25 adjustment; default none)")
    home = np.ones(n, dtype=bool) if first_home is None else \
        _flags("first_home", first_home, n, lambda x, label: _opt.first_home(x, label))
    if origination_dates is not None:
        orig = _dates_fast(origination_dates, n)
        if orig is None:
            orig = _per_loan("origination_dates", origination_dates, n,
                             lambda x, label: np.datetime64(_as_date(label, x), "D"), "datetime64[D]")
    elif anniversaries is not None:
        orig = anniv.copy()
    else:                                               # the first day of the month ages months before start
        orig = (np.datetime64(start, "M") - ages).astype("datetime64[D]")
    of = _floors("origination_floors", origination_floors, n)
    orig_floor = np.where(np.isnan(of), national_floors(orig, home), of)
    cur_floor = _floors("current_floors", current_floors, n)
    period = _periods(repricing_periods, n)
    pdate = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if repricing_period_dates is not None:
        def one_date(x, label):
            if _blank(x):
                return np.datetime64("NaT")
            d = _as_date(label, x)
            if d < OPTIONS_FROM:
                raise MbsxlInputError(f"{label}={d} is before {OPTIONS_FROM}, when existing loans could first "
                                      "change their repricing period; pass a date from 2024-11-01")
            return np.datetime64(d, "D")
        pdate = _per_loan("repricing_period_dates", repricing_period_dates, n, one_date, "datetime64[D]")
    has_p = period > 0
    if (has_p & np.isnat(pdate)).any():
        i = int(np.argmax(has_p & np.isnat(pdate)))
        raise MbsxlInputError(f"repricing_periods[{i}] (loan {i + 1})={int(period[i])} needs its "
                              f"repricing_period_dates[{i}]: the date of the first reset on the new period")
    if (~has_p & ~np.isnat(pdate)).any():
        i = int(np.argmax(~has_p & ~np.isnat(pdate)))
        raise MbsxlInputError(f"repricing_period_dates[{i}] (loan {i + 1}) is given without repricing_periods[{i}]; "
                              "pass the new period (3, 6 or 12 months) or leave both blank")
    priced = is_lpr | (converted & ~(fixed & converted))
    if (has_p & ~priced).any():
        i = int(np.argmax(has_p & ~priced))
        raise MbsxlInputError(f"repricing_periods[{i}] (loan {i + 1}) is given for a loan that is not LPR-priced "
                              f"({RATE_TYPE_NAMES[kind[i]]}{', fixed choice' if fixed[i] else ''}); only LPR loans "
                              "and converted loans reprice")
    ev = _events(events, months, _opt.standard_events(events))
    ev = tuple(sorted(ev + _renegotiation(average_spread_dates, average_spreads, renegotiation_tolerance, months),
                      key=lambda e: e[5]))
    idx_d, idx_r, label = _index(index_dates, index_rates)
    return Plan(months, kind, rates, spread0, mult, margin, reset_code, anniv, ages, converted, fixed & converted,
                k_conv, bench, home, orig_floor, cur_floor, orig, period, pdate, ev, idx_d, idx_r, label)


# ------------------------------------------------------------------------------- the compact rule
def _add_months(d: np.ndarray, m) -> np.ndarray:
    """Dates (datetime64[D]) moved by m months, the day kept (the month's last day where it is shorter)."""
    dm = d.astype("datetime64[M]")
    day = (d - dm.astype("datetime64[D]")).astype(np.int64)
    nm = dm + np.asarray(m, dtype=np.int64)
    last = (nm + 1).astype("datetime64[D]") - 1
    return np.minimum(nm.astype("datetime64[D]") + day, last)


def _reset_values(p: Plan, sel: np.ndarray, after: np.ndarray) -> np.ndarray:
    """len(sel) x T: the LPR read by a reset applying in month k (NaN: no reset that month).

    ``after``: per loan, the earliest reset date allowed (datetime64[D]).  A loan with a new repricing
    period (the 2024-11-01 option) keeps its rule for resets dated before ``period_date`` and from that
    date resets on it and every ``period`` months after (the same day of the month)."""
    months = p.months
    T = months.size
    out = np.full((sel.size, T), np.nan)
    code = p.reset[sel]
    k = np.arange(T)
    at_start = np.zeros(T, dtype=bool)
    at_start[0] = True
    until = np.where(np.isnat(p.period_date[sel]), np.datetime64("9999-12-31", "D"), p.period_date[sel])

    def on_months(due):                 # the LPR on the first day of the months some loan resets in
        vals = np.full(T, np.nan)
        need = due.any(axis=0)
        vals[need] = lpr_on(p, months[need])
        return np.where(due, vals[None, :], np.nan)

    jan = code == JANUARY
    if jan.any():
        due = (months.astype("datetime64[M]").astype(int) % 12 == 0) & ~at_start
        out[jan] = on_months(due[None, :] & (months[None, :] >= after[jan, None]) & (months[None, :] < until[jan, None]))
    every = code > 0
    if every.any():
        due = ((p.ages[sel][every, None] + k[None, :]) % code[every, None] == 0) & ~at_start[None, :]
        out[every] = on_months(due & (months[None, :] >= after[every, None]) & (months[None, :] < until[every, None]))
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
            ok = (kk >= 1) & (kk < T) & (d >= after[ann]) & (d < until[ann])
            if ok.any():
                out[rows[ok], kk[ok]] = lpr_on(p, d[ok])
    for r in np.flatnonzero(p.period[sel] > 0):         # the new period: few distinct (date, period) groups
        n_p = int(p.period[sel][r])
        d = _add_months(np.full(T // n_p + 2, p.period_date[sel][r]), np.arange(T // n_p + 2) * n_p)
        kk = np.searchsorted(months, d, side="left")
        ok = (kk >= 1) & (kk < T) & (d >= after[r])
        if ok.any():
            out[r, kk[ok]] = lpr_on(p, d[ok])
    return out


def _group_paths(p: Plan, sel: np.ndarray, conv: np.ndarray):
    """Loans ``sel`` grouped by reset schedule (rule, anniversary month and day, age mod N, converted):
    loans of a group reset in the same months to the same LPR.  Returns the groups' paths (G x T: the
    LPR read at the last reset by month, NaN before the first), the group of each loan, and where the
    groups reset (G x T)."""
    code = p.reset[sel]
    md = np.zeros(sel.size, dtype=np.int64)               # anniversary month x 32 + day - 1 (< 384)
    ann = code == ANNIVERSARY
    if ann.any():
        a = p.anniv[sel][ann]
        m = a.astype("datetime64[M]")
        md[ann] = (m.astype(np.int64) % 12) * 32 + (a - m.astype("datetime64[D]")).astype(np.int64)
    phase = np.where(code > 0, p.ages[sel] % np.maximum(code, 1), 0)          # < N <= MAX_MONTHS
    key = (((code + 2) * 384 + md) * (v.MAX_MONTHS + 1) + phase) * 2 + conv
    per = p.period[sel]
    if (per > 0).any():                                 # + the new repricing period and its first date
        pd_ = np.where(per > 0, p.period_date[sel].astype(np.int64), 0)
        key = np.stack([key, per, pd_], axis=1)
        _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    else:
        _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    rep = sel[first]
    after = np.where(conv[first], np.datetime64(FIRST_LPR_RESET, "D"), p.months[0])
    rv = _reset_values(p, rep, after)
    has = ~np.isnan(rv)
    T = p.months.size
    pos = np.where(has, np.arange(T)[None, :], -1)
    np.maximum.accumulate(pos, axis=1, out=pos)
    paths = np.where(pos >= 0, np.take_along_axis(rv, np.maximum(pos, 0), axis=1), np.nan)
    return paths, inv.ravel(), has


def _terms(p: Plan):
    """:func:`kernel_terms` and where each group resets (G x T, for the Event column)."""
    T = p.months.size
    n = p.kind.size
    kind, conv, fixed = p.kind, p.converted, p.fixed
    group = np.zeros(n, dtype=np.int64)                   # group 0: no LPR path (all NaN)
    b0 = np.zeros(n)
    s0 = np.zeros(n)
    from_k = np.full(n, T, dtype=np.int64)               # the benchmark rule throughout
    plain = kind == FIXED
    from_k[plain] = 0
    b0[plain] = p.rate0[plain]
    at_conv = np.zeros(n)
    if p.k_conv >= 0:
        b = p.bench[p.k_conv]
        at_conv = p.rate0 if np.isnan(b) else b * p.mult + p.margin     # the rate in force at conversion
        from_k[fixed] = p.k_conv
        b0[fixed] = at_conv[fixed]
    lpr = (kind == LPR) | (conv & ~fixed)
    paths = np.full((1, T), np.nan)
    has = np.zeros((1, T), dtype=bool)
    ev_k = np.array([e[0] for e in p.events], dtype=np.int64)
    ev_delta = np.zeros((n, len(p.events)))
    if lpr.any():
        sel = np.flatnonzero(lpr)
        is_conv = conv[sel]
        s0[sel] = np.where(is_conv, at_conv[sel] - CONVERSION_LPR, p.spread0[sel])
        b0[sel] = np.where(is_conv, CONVERSION_LPR, p.rate0[sel] - s0[sel])
        from_k[sel] = np.where(is_conv, p.k_conv, 0)
        gp, inv, gh = _group_paths(p, sel, is_conv)
        paths = np.vstack([paths, gp])
        has = np.vstack([has, gh])
        group[sel] = inv + 1
        home, cur = p.first_home[sel], s0[sel].copy()
        floors = {"origination": p.orig_floor[sel], "current": p.cur_floor[sel],
                  "none": np.full(sel.size, np.nan)}
        orig = p.orig_date[sel]
        for e, (k, rule, value, cov, which, date, _label) in enumerate(p.events):
            covered = np.ones(sel.size, dtype=bool) if cov == "all" else (home if cov == "first" else ~home)
            covered &= orig < date                      # loans existing on the event's date
            floor = floors[which]
            if rule == "floor":                         # down to the floor; a loan without one is not moved
                target = floor
                covered &= ~np.isnan(floor)
            else:                                       # down to value, not below the floor (if any)
                target = np.fmax(value, floor)
            moved = covered & (from_k[sel] <= k) & (cur > target) & (k < T)
            ev_delta[sel, e] = np.where(moved, target - cur, 0.0)
            cur = np.where(moved, target, cur)
    return (group, paths, b0, s0, from_k, ev_k, ev_delta), has


def kernel_terms(p: Plan):
    """The repricing rule in compact form for the projection kernel (:func:`mbsxl.pool._engine.project`), no
    loans x months matrix: ``(group, paths, b0, s0, from_k, ev_k, ev_delta)``.

    Loan i's rate in month k: before ``from_k[i]`` the benchmark rule (``rates`` while the benchmark
    path is NaN, then benchmark x multiplier + margin); from it ``base + spread``: base =
    ``paths[group[i], k]`` (the LPR read at the group's last reset; ``b0[i]`` before the first: 4.80% for
    a converted loan, rates - spreads for an LPR loan, the fixed rate for a fixed or fixed-choice loan),
    spread = ``s0[i]`` plus ``ev_delta[i, e]`` from each event month ``ev_k[e]``.  Loans reset in groups
    (same rule, anniversary day, phase and conversion): ``paths`` has one row a group (row 0: none)."""
    return _terms(p)[0]


def month_rates(p: Plan, detail: bool = False):
    """Every loan's annual rate by projection month (loans x months), expanded from :func:`kernel_terms`
    (for inspection: :func:`mbsxl.loan_rates`; the projection never builds this matrix).

    ``detail=True``: also the index matrix (the LPR of the current repricing period, the benchmark
    read at the last 1 January reset; NaN for fixed rates), and a dict of event masks by label."""
    (group, paths, b0, s0, from_k, ev_k, ev_delta), has = _terms(p)
    T = p.months.size
    k = np.arange(T)[None, :]
    bench = p.bench[None, :]
    rule = np.where(np.isnan(bench), p.rate0[:, None], bench * p.mult[:, None] + p.margin[:, None])
    base = paths[group]
    base = np.where(np.isnan(base), b0[:, None], base)
    spread = np.repeat(s0[:, None], T, axis=1)
    for e, ke in enumerate(ev_k):
        spread[:, ke:] += ev_delta[:, e, None]
    priced = k >= from_k[:, None]
    R = np.where(priced, base + spread, rule)
    if not detail:
        return R
    is_bench = (p.kind == BENCHMARK)[:, None]
    index = np.where(priced, np.where(group[:, None] > 0, base, np.nan), np.where(is_bench, bench, np.nan))
    jan = (p.months.astype("datetime64[M]").astype(int) % 12 == 0)[None, :]
    marks = {_c.EVENT_BENCHMARK_RESET: is_bench & ~priced & jan & ~np.isnan(bench),
             _c.EVENT_RESET: has[group] & priced & (group[:, None] > 0)}
    at_conv = np.zeros(R.shape, dtype=bool)
    if p.k_conv >= 0:
        at_conv[p.converted, p.k_conv] = True
    marks[_c.EVENT_CONVERSION] = at_conv
    marks[_c.EVENT_FIXED_CHOICE] = at_conv & p.fixed[:, None]
    for e, (ke, *_rest, label) in enumerate(p.events):
        mk = marks.setdefault(label, np.zeros(R.shape, dtype=bool))
        if ke < T:
            mk[:, ke] |= ev_delta[:, e] != 0
    return R, index, marks


def new_loan_rates(p: Plan, new_loan_spread: float) -> np.ndarray:
    """The new-loan rate of each projection month: LPR 5y in force on its first day + ``new_loan_spread``."""
    return lpr_on(p, p.months) + new_loan_spread

