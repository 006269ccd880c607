"""Worksheet functions for pool tables: MBS_STRAT, MBS_POOLSUMMARY.  Wrappers only; the conventions
(buckets closed on the right, balance-weighted averages, blank rows) are in :mod:`mbsxl.pool.stratification`.

Tape columns are ``vector`` arguments: a range longer than the pasted tape works (blanks after the
last value are dropped by the converter), a blank inside the tape is refused by position.
"""
from __future__ import annotations

import numpy as np

import mbsxl
from mbsxl._validate import MAX_LOANS
from mbsxl.excel.registry import Arg, udf


def _labels(x):
    if x is None:
        return None
    a = np.asarray(x, dtype=object).ravel()
    return [("" if c is None else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c))) for c in a]


_BAL = Arg("balances", "Current principal balance of each loan (本金余额), a tape column; blank rows below "
           "the tape are ignored; at most 2,000,000 loans", kind="vector", max_len=MAX_LOANS,
           cap_note="loans: above an Excel column of 1,048,576 rows")


@udf("MBS_STRAT", "Stratification table (分布表) of a loan tape: one row a bucket (count, % of count, balance, "
     "% of balance, average balance) plus a total row; buckets closed on the right (lo, hi]",
     args=[Arg("values", "The characteristic bucketed, one a loan (contract amount, remaining term in months, "
               "seasoning, borrower age ...), a tape column", kind="vector"),
           _BAL,
           Arg("breakpoints", "Increasing upper bounds of the buckets; k bounds make k+1 buckets, "
               "(-inf,b1], (b1,b2], ..., (bk,inf); e.g. 1000000 puts 100万及以下 in the first", kind="vector"),
           Arg("labels", "Optional bucket names, one more than the breakpoints (e.g. 100万及以下); default "
               "from the breakpoints", kind="matrix", optional=True, default=None)],
     returns="table")
def MBS_STRAT(values, balances, breakpoints, labels=None):
    return mbsxl.strat(values, balances, breakpoints, _labels(labels))


@udf("MBS_POOLSUMMARY", "Pool summary (资产池总体特征, Table 1): loans, total/average/largest balance and "
     "shares, original amounts, balance-weighted average rate, remaining term, seasoning and borrower age",
     args=[_BAL,
           Arg("rates", "Optional loan interest rates as decimals (6.6555% or 0.066555)", kind="vector",
               optional=True, default=None),
           Arg("remaining_terms", "Optional remaining terms in months (剩余期限)", kind="vector", optional=True,
               default=None),
           Arg("seasoning", "Optional seasoning in months (账龄)", kind="vector", optional=True, default=None),
           Arg("ages", "Optional borrower age at origination in years (借款人年龄)", kind="vector", optional=True,
               default=None),
           Arg("original_amounts", "Optional original (contract) amounts (合同金额)", kind="vector",
               optional=True, default=None)],
     returns="table")
def MBS_POOLSUMMARY(balances, rates=None, remaining_terms=None, seasoning=None, ages=None, original_amounts=None):
    return mbsxl.pool_summary(balances, rates, remaining_terms, seasoning, ages, original_amounts)
