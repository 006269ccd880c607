"""LPR rate scenarios: a loan prime rate path as a shift from the last fixing, as an index table.

The table is the published history (every row of ``data/lpr.csv`` through :func:`mbsxl.rates.rateindex.lpr_table`,
the rate of the chosen index) followed by ``months`` future monthly fixings, each row in force from its
date until the next (the convention of :func:`mbsxl.rate_index`): pass its first two columns as
``index_dates`` / ``index_rates`` of :func:`mbsxl.loan_cashflows` or ``table_dates`` / ``table_rates`` of
:func:`mbsxl.rate_index`.

Conventions
-----------
- **Last fixing**: :data:`LAST_FIXING` (2026-05-20, the last fixing ``data/lpr.csv`` is checked against;
  the file lists only fixings that changed a rate), or the file's last row if a later one is appended.
  The base is the index value in force on that date (LPR 5y 3.50%, LPR 1y 3.00%).
- **Future fixing dates**: the 20th of each month after the last fixing (the publication day; when the
  20th is a weekend or holiday the real fixing moves to the next working day -- not modelled).
- **shift** is a decimal (-0.005 = -50 bp).  ``shape="linear"``: fixing ``k`` of ``months`` is
  base + shift x k / months (the full shift at the last); ``shape="step"``: every future fixing is
  base + shift.  The last row stays in force after the table ends.  Rates are not rounded to the
  5 bp steps of real quotes.
- Refused: ``|shift| >= 0.2`` (a whole number of basis points or a percent: -50 or -0.5 for -50 bp;
  the message gives the decimal), a path below 0, ``months`` not a whole number in [1, 600], an index
  other than ``lpr_5y`` / ``lpr_1y`` (the PBoC benchmarks stopped moving in 2015).

Example: -50 bp on LPR 5y reached linearly over 24 months
>>> t = lpr_scenario(-0.005, 24)
>>> [str(d) for d in t.iloc[-24:-22, 0]], [round(r, 6) for r in t.iloc[[-24, -1], 1]]
(['2026-06-20', '2026-07-20'], [0.034792, 0.03])
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as _c
from mbsxl import options as _opt
from mbsxl.dates import add_months
from mbsxl.errors import MbsxlInputError

#: The last fixing ``data/lpr.csv`` is checked against (``shared/data/README.md``): 3.00% / 3.50%.
LAST_FIXING = _dt.date(2026, 5, 20)
FIXING_DAY = 20
MAX_SHIFT = 0.2
LPR_INDICES = ("lpr_5y", "lpr_1y")


def _shift(value) -> float:
    x = v.number("shift", value)
    if abs(x) >= MAX_SHIFT:
        if abs(x) <= 100 * MAX_SHIFT:
            hint = f"looks like a percent; pass {v._fmt(x / 100)} ({v._fmt(x * 100)} bp)"
        else:
            hint = f"looks like basis points; pass {v._fmt(x / 10_000)} ({v._fmt(x)} bp)"
        raise MbsxlInputError(f"shift={v._fmt(x)} {hint}; shift is a decimal in (-0.2, 0.2), -0.005 = -50 bp")
    return x


def _index(index) -> str:
    name = "lpr_5y" if index is None or (isinstance(index, str) and not index.strip()) else _opt.rate_index(index)
    if name not in LPR_INDICES:
        raise MbsxlInputError(f"index={index!r} is a PBoC benchmark (unchanged since 2015-10); a scenario is for "
                              "the loan prime rate: lpr_5y (五年期以上LPR) or lpr_1y (一年期LPR)")
    return name


def last_fixing() -> _dt.date:
    """The date of the last fixing the shipped LPR table covers (:data:`LAST_FIXING` or a later row)."""
    from mbsxl.rates.rateindex import lpr_table
    return max(LAST_FIXING, lpr_table()["effective_date"].iloc[-1].date())


def lpr_scenario(shift=0.0, months=24, index="lpr_5y", shape="linear") -> pd.DataFrame:
    """The LPR history plus ``months`` future monthly fixings moved by ``shift`` from the last fixing.

    Returns a DataFrame with :data:`mbsxl.columns.SCENARIO_COLUMNS`: ``Effective Date`` (a date),
    ``Rate`` (annual decimal) and ``Source`` (``LPR fixing`` for a published row, ``scenario`` for an
    assumed one), oldest first.  See the module docstring for the conventions and refusals.
    """
    from mbsxl.rates.rateindex import lpr_table
    s = _shift(shift)
    n = v.months("months", months)
    name = _index(index)
    form = _opt.scenario_shape(shape)
    hist = lpr_table()
    last = last_fixing()
    base = float(hist.loc[hist["effective_date"] <= pd.Timestamp(last), name].iloc[-1])
    k = np.arange(1, n + 1, dtype=float)
    future = base + (s * k / n if form == "linear" else np.full(n, s))
    if (future < 0).any():
        raise MbsxlInputError(f"shift={v._fmt(s)} takes {name} below 0 ({base:.4%} {s:+.4%}); pass a shift "
                              f"of at least {v._fmt(-base)}")
    dates = [add_months(last, j, day=FIXING_DAY) for j in range(1, n + 1)]
    return pd.DataFrame({
        _c.SCENARIO_DATE: [d.date() for d in hist["effective_date"]] + dates,
        _c.SCENARIO_RATE: np.concatenate([hist[name].to_numpy(dtype=float), np.round(future, 12)]),
        _c.SCENARIO_SOURCE: [_c.SOURCE_FIXING] * len(hist) + [_c.SOURCE_SCENARIO] * n,
    }, columns=_c.SCENARIO_COLUMNS)
