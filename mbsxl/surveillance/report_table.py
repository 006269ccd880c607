"""The trustee-report history table (受托机构报告): one row a collection period, read and checked.

Layout (:data:`mbsxl.columns.HISTORY_LAYOUT`, amounts in the deal's currency, balances of the pool):

==========================================  ========  =============================================
column                                      needed    meaning
==========================================  ========  =============================================
收款期间 Collection period                    yes       period number, date, or text 2008-01 /
                                                      2008-01-31 / 2008年1月; strictly increasing
期初本金余额 Beginning balance                  yes       pool balance at the start of the period
计划偿还本金 Scheduled principal               yes       scheduled (contractual) principal collected
提前还款额 Prepayment                          yes       unscheduled principal (full and partial)
违约金额 Defaults                              no        balance of the loans that defaulted in the period
回收金额 Recoveries                            no        recoveries received in the period
期末本金余额 Ending balance                     yes       pool balance at the end of the period
拖欠1-30天 / 31-60天 / 61-90天 / 90天以上        no        end-of-period balance of loans 1-30, 31-60,
Delinquent 1-30 / 31-60 / 61-90 / 90+ days              61-90, 90+ days past due (part of the ending
                                                      balance)
==========================================  ========  =============================================

A column is found by its header: the full label, its Chinese part or its English part (case, extra
spaces ignored; the period column may also be headed ``Period`` or ``期次``), so ``期初本金余额``, ``Beginning balance`` and ``期初本金余额 Beginning balance`` all
name the beginning balance.  Other columns are ignored.  An optional column that is absent, or present
with every cell blank, is *not reported*: the measures that need it come out blank (NaN), never 0.

Checks (each raises :class:`mbsxl.MbsxlInputError` naming the argument, the row and the value):
a required column missing; a blank cell in a column that is reported; an amount that is not a finite
number >= 0; periods not strictly increasing (one row a period, oldest first); a period whose balance
does not roll -- ``|beginning - scheduled - prepayment - defaults - ending| > tolerance`` (default
1 currency unit: a report's amounts are rounded to the fen; the roll is refused rather than flagged,
since every measure divides by these balances; a deal whose reports move other amounts through the
balance, e.g. repurchases (赎回), adds them to the prepayment column or raises ``tolerance``);
delinquent balances whose sum exceeds the ending balance by more than ``tolerance``.
The next period's beginning balance is not required to equal this period's ending balance.

>>> t = read_history({"Period": [1, 2], "Beginning balance": [100.0, 90.0], "Scheduled principal": [2.0, 2.0],
...                   "Prepayment": [8.0, 4.4], "Ending balance": [90.0, 83.6]})
>>> t["期末本金余额 Ending balance"].tolist()
[90.0, 83.6]
"""
from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError

AMOUNTS = [c for c in C.HISTORY_LAYOUT if c != C.TRUSTEE_PERIOD]
DELINQUENCY = [C.TRUSTEE_DQ_1_30, C.TRUSTEE_DQ_31_60, C.TRUSTEE_DQ_61_90, C.TRUSTEE_DQ_90]
DEFAULT_TOLERANCE = 1.0
MAX_PERIODS = v.MAX_MONTHS


def _key(s) -> str:
    return re.sub(r"\s+", " ", str(s)).strip().lower()


def _spellings(label: str) -> set[str]:
    """The full label, its Chinese part and its English part (split at the first space)."""
    zh, _, en = label.partition(" ")
    return {_key(label), _key(zh), _key(en)} - {""}


_LOOKUP = {s: label for label in C.HISTORY_LAYOUT for s in _spellings(label)}
_LOOKUP.update({"period": C.TRUSTEE_PERIOD, "期次": C.TRUSTEE_PERIOD})     # the plain words, as other tables say


def find_columns(headers, name: str = "history") -> dict[str, int]:
    """Layout label -> position of its column among ``headers`` (only the columns found).

    >>> find_columns(["Period", "期初本金余额", "Scheduled principal", "prepayment", "Ending  Balance", "x"])[C.TRUSTEE_ENDING]
    4
    """
    out: dict[str, int] = {}
    for j, h in enumerate(headers):
        if not isinstance(h, str):
            continue
        label = _LOOKUP.get(_key(h))
        if label is None:
            continue
        if label in out:
            raise MbsxlInputError(f"{name} has two columns for {label!r}: {headers[out[label]]!r} and {h!r}; "
                                  "keep one")
        out[label] = j
    missing = [c for c in C.HISTORY_REQUIRED if c not in out]
    if missing:
        raise MbsxlInputError(f"{name} has no column {', '.join(repr(m) for m in missing)}; the header row must name "
                              f"{', '.join(repr(c) for c in C.HISTORY_REQUIRED)} (Chinese or English part alone is "
                              f"enough); found {[h for h in headers]}")
    return out


def _blank(x) -> bool:
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip() == ""
    return isinstance(x, (float, np.floating)) and np.isnan(x)


_MONTH_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$")
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")


def _period_key(where: str, x) -> tuple[str, float]:
    """(kind, sortable value) of a period cell: a number, a date, or a month/date text."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool):
        raise MbsxlInputError(f"{where}={x!r} is a logical value; pass a period number or a date")
    if isinstance(x, (int, float)):
        if not np.isfinite(x):
            raise MbsxlInputError(f"{where}={x!r} is not a finite number")
        return "number", float(x)
    if isinstance(x, pd.Timestamp):
        x = x.to_pydatetime()
    if isinstance(x, np.datetime64):
        x = pd.Timestamp(x).to_pydatetime()
    if isinstance(x, _dt.datetime):
        x = x.date()
    if isinstance(x, _dt.date):
        return "date", float(x.toordinal())
    if isinstance(x, str):
        s = x.strip()
        m = _MONTH_ZH.match(s) or _MONTH_ISO.match(s)
        try:
            d = _dt.date(int(m.group(1)), int(m.group(2)), 1) if m else _dt.date.fromisoformat(s[:10])
            return "date", float(d.toordinal())
        except ValueError:
            pass
    raise MbsxlInputError(f"{where}={x!r} is not a period; pass a period number, a date, or a text such as "
                          "2008-01, 2008-01-31 or 2008年1月")


def _amounts(label: str, cells, name: str) -> np.ndarray | None:
    """A reported amount column as floats; None when every cell is blank (not reported)."""
    cells = list(cells)
    blank = [_blank(c) for c in cells]
    if all(blank):
        return None
    out = np.empty(len(cells))
    for i, c in enumerate(cells):
        where = f"{name} column {label!r} row {i + 1}"
        if blank[i]:
            raise MbsxlInputError(f"{where} is empty; fill every row of a reported column (or leave the whole "
                                  "column empty: not reported)")
        if isinstance(c, np.generic):
            c = c.item()
        if isinstance(c, bool) or not isinstance(c, (int, float)):
            raise MbsxlInputError(f"{where}={c!r} is not a number; pass amounts as numbers")
        if not np.isfinite(c):
            raise MbsxlInputError(f"{where}={c!r} is not a finite number")
        if c < 0:
            raise MbsxlInputError(f"{where}={c:g} is negative; amounts must be >= 0")
        out[i] = float(c)
    return out


def _frame(history, name: str) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        return history
    if isinstance(history, dict):
        try:
            return pd.DataFrame(history)
        except ValueError as e:
            raise MbsxlInputError(f"{name}: the columns have different lengths ({e}); pass one value a period "
                                  "in every column") from None
    raise MbsxlInputError(f"{name} is a {type(history).__name__}; pass a table (DataFrame or dict of columns) whose "
                          "headers name the layout's columns")


def read_history(history, name: str = "history", tolerance=DEFAULT_TOLERANCE) -> pd.DataFrame:
    """The history as a DataFrame with every column of :data:`mbsxl.columns.HISTORY_LAYOUT` (not reported
    ones all NaN), checked as the module docstring says.  ``history``: a DataFrame or a dict of columns."""
    df = _frame(history, name)
    tol = v.number("tolerance", tolerance, lo=0.0, accepted="pass an amount >= 0 (default 1)")
    cols = find_columns(list(df.columns), name)
    n = len(df)
    if n == 0:
        raise MbsxlInputError(f"{name} has no rows; pass one row a period")
    if n > MAX_PERIODS:
        raise MbsxlInputError(f"{name} has {n:,} periods, above the cap of {MAX_PERIODS} (50 years of months)")
    periods = df.iloc[:, cols[C.TRUSTEE_PERIOD]].tolist()
    out = {C.TRUSTEE_PERIOD: periods}
    for label in AMOUNTS:
        a = None if label not in cols else _amounts(label, df.iloc[:, cols[label]].tolist(), name)
        if a is None and label in C.HISTORY_REQUIRED:
            raise MbsxlInputError(f"{name} column {label!r} is empty; it is required")
        out[label] = np.full(n, np.nan) if a is None else a
    _check_periods(periods, name)
    t = pd.DataFrame(out, columns=C.HISTORY_LAYOUT)
    _check_roll(t, name, tol)
    return t


def _check_periods(periods, name: str) -> None:
    keys = []
    for i, p in enumerate(periods):
        where = f"{name} column {C.TRUSTEE_PERIOD!r} row {i + 1}"
        if _blank(p):
            raise MbsxlInputError(f"{where} is empty; name every period")
        keys.append(_period_key(where, p))
    kinds = {k for k, _ in keys}
    if len(kinds) > 1:
        raise MbsxlInputError(f"{name} column {C.TRUSTEE_PERIOD!r} mixes period numbers and dates; use one kind")
    for i in range(1, len(keys)):
        if keys[i][1] <= keys[i - 1][1]:
            raise MbsxlInputError(f"{name} rows out of order: period {periods[i]!r} (row {i + 1}) is not after "
                                  f"{periods[i - 1]!r} (row {i}); one row a period, oldest first, periods strictly "
                                  "increasing")


def _check_roll(t: pd.DataFrame, name: str, tol: float) -> None:
    d = np.nan_to_num(t[C.TRUSTEE_DEFAULTS].to_numpy())
    rolled = t[C.TRUSTEE_BEGINNING] - t[C.TRUSTEE_SCHEDULED] - t[C.TRUSTEE_PREPAYMENT] - d
    gap = (t[C.TRUSTEE_ENDING] - rolled).to_numpy()
    bad = np.flatnonzero(np.abs(gap) > tol)
    if bad.size:
        i = int(bad[0])
        what = "beginning - scheduled - prepayment" + (" - defaults" if not np.isnan(t[C.TRUSTEE_DEFAULTS]).all() else "")
        raise MbsxlInputError(f"{name} row {i + 1} (period {t[C.TRUSTEE_PERIOD][i]!r}) does not roll: ending balance "
                              f"{t[C.TRUSTEE_ENDING][i]:,.2f} but {what} = {rolled[i]:,.2f} (difference {gap[i]:,.2f},"
                              f" tolerance {tol:g}); correct the row, put other principal (e.g. repurchases) into "
                              "the prepayment, or raise tolerance")
    dq = t[DELINQUENCY].to_numpy()
    if not np.isnan(dq).all():
        over = np.nansum(dq, axis=1) - t[C.TRUSTEE_ENDING].to_numpy()
        bad = np.flatnonzero(over > tol)
        if bad.size:
            i = int(bad[0])
            raise MbsxlInputError(f"{name} row {i + 1} (period {t[C.TRUSTEE_PERIOD][i]!r}): the delinquent balances "
                                  f"add up to {np.nansum(dq[i]):,.2f}, above the ending balance "
                                  f"{t[C.TRUSTEE_ENDING][i]:,.2f}; delinquent loans are part of the ending balance")
