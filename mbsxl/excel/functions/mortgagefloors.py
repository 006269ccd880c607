"""Worksheet function for the shipped national floors of new mortgages: MBS_MORTGAGEFLOORS.

Wrapper only: the table and its sources are :func:`mbsxl.mortgage_floors` (``data/mortgage_floors.csv``):
one row a date from which the national first- and second-home floors (spreads over LPR 5y) held, blank
where there was none (from 2024-05-17), the notice quoted in the Source column.  The first row (1998-01-01, also read for earlier dates)
is mbsxl's reading for loans originated before the LPR reform.

    =MBS_MORTGAGEFLOORS()
"""
from __future__ import annotations

import mbsxl
from mbsxl.excel.registry import udf


@udf("MBS_MORTGAGEFLOORS", "National floors of new mortgages by origination date (房贷利率政策下限): first- and "
     "second-home floor spreads over LPR 5y, blank for none, the notice quoted; the default of origination_floors",
     args=[], returns="table")
def MBS_MORTGAGEFLOORS():
    return mbsxl.mortgage_floors()
