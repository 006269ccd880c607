"""Worksheet functions for rate indices: MBS_RATEINDEX.

Wrapper only: the lookup and its data are in :mod:`mbsxl.rates.rateindex`.  Dates arrive as Excel serial
numbers (or dates / ISO text); a range of dates gives a range of the same shape back, blank cells
giving blank cells.

    =MBS_RATEINDEX(A2:A13)                        LPR 5y in force on each date
    =MBS_RATEINDEX(A2:A13, "一年期存款")            PBoC one-year deposit rate
    =MBS_RATEINDEX(A2:A13, , F2:F9, G2:G9)        a user's own table of dates and rates
"""
from __future__ import annotations

import numpy as np

import mbsxl
from mbsxl.excel import convert
from mbsxl.excel.registry import Arg, udf

MAX_DATES = 1_048_576          # one Excel column


def _dates(name: str, m):
    """Cells -> dates of the same shape, blanks -> None; labels as the core's (dates[k], k counted
    along rows), so that an error names the same cell either way."""
    g = convert.to_kind(name, m, "matrix")
    out = np.empty(g.shape, dtype=object)
    for k, (idx, c) in enumerate(np.ndenumerate(g)):
        out[idx] = None if convert.is_blank(c) else convert.to_kind(f"{name}[{k + 1}]", c, "date")
    return out


def _column(m) -> list:
    """A row or column of cells, blanks after the last value dropped (a blank inside is refused later)."""
    cells = list(convert.as_grid(m).ravel())
    while cells and convert.is_blank(cells[-1]):
        cells.pop()
    return cells


@udf("MBS_RATEINDEX", "Index value in force on each date (利率指数: LPR 5y default, LPR 1y, PBoC deposit / "
     "lending benchmarks, or your own table of dates and rates); a range of dates gives a range back",
     args=[Arg("dates", "Date(s): a cell or a range of dates (serial numbers); at most 1,048,576; not before the "
               "index's first row", kind="matrix", max_len=MAX_DATES),
           Arg("index", "lpr_5y (default, 五年期以上LPR), lpr_1y (一年期LPR), deposit_1y (一年期存款), lending_1y, "
               "lending_over_5y; leave empty when table_dates / table_rates are given", kind="text",
               optional=True, default=None),
           Arg("table_dates", "Optional: your own index, its effective dates, oldest first (strictly increasing)",
               kind="matrix", optional=True, default=None),
           Arg("table_rates", "Optional: your own index, the decimal rate in force from each table date",
               kind="matrix", optional=True, default=None)],
     returns="array")
def MBS_RATEINDEX(dates, index=None, table_dates=None, table_rates=None):
    from mbsxl.excel import _runmemo
    d = _dates("dates", dates)
    # a user table read by many cells (a row of dates a cell) is converted once per recalculation
    td = None if table_dates is None else _runmemo.shared("MBS_RATEINDEX table_dates", (table_dates,), lambda: [
        convert.to_kind(f"table_dates[{i + 1}]", c, "date") for i, c in enumerate(_column(table_dates))])
    tr = None if table_rates is None else _runmemo.shared("MBS_RATEINDEX table_rates", (table_rates,), lambda: [
        convert.to_kind(f"table_rates[{i + 1}]", c, "number") for i, c in enumerate(_column(table_rates))])
    if d.size == 1 and d[0, 0] is not None:            # one cell: errors name "dates", as the core's
        return mbsxl.rate_index(d[0, 0], index, td, tr)
    return mbsxl.rate_index(d, index, td, tr)          # blanks (None) -> NaN -> blank cells
