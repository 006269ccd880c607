"""Per-function caps: a cell gets #NUM! with a reason instead of running the machine out of memory or time.

The caps are data on the registry entries (``Arg.max``, ``Arg.max_len``, ``Function.limits``) and are
checked by :func:`mbsxl.excel.dispatch.call` before the call; the Python twins refuse the same sizes with
``MbsxlInputError`` (a ValueError), never MemoryError.  The values (``mbsxl._validate``): 600 months
(50 years: above the longest mortgage terms in use, US 30/40-year and Chinese mortgages of at most 30
years), 2,000,000 loans (above an Excel column, 1,048,576 rows), 600,000,000 loan-months, 100,000 paths.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

import mbsxl
from mbsxl import _validate as V
from mbsxl._validate import MbsxlInputError
from mbsxl.excel import dispatch, errors
from mbsxl.excel.registry import functions


def col(*values):
    return [[x] for x in values]


def num_error(name, *args, names=()):
    t0 = time.perf_counter()
    out = dispatch.call(name, *args)
    assert time.perf_counter() - t0 < 5, "the cap must be checked before the work"
    assert isinstance(out, errors.XlError) and out.code == "#NUM!", out
    for s in names:
        assert s in out.reason, (s, out.reason)
    return out.reason


def test_the_three_runaway_calls_get_num_with_a_reason():
    num_error("MBS_CASHFLOWS", 1000, 0.06, 10_000_000, names=["wam=10,000,000", "cap of 600"])
    num_error("MBS_LOANCASHFLOWS", col(1000), col(0.06), col(1e7), names=["remaining_terms=10,000,000", "600"])
    num_error("MBS_OAS", 100, 0.06, 360, col(1, 30), col(0.03, 0.04), 0, 0, 0.01, 0.1, 10_000_000,
              names=["paths=10,000,000", "cap of 100,000"])
    assert "wam=10,000,000" in errors.last_reason("MBS_CASHFLOWS")     # what =MBS_ERROR() shows


def test_loan_months_budget():
    n = 1_048_576                                     # a full Excel column of loans at 600 months
    reason = num_error("MBS_LOANCASHFLOWS", np.full((n, 1), 100.0), col(0.06), col(600),
                       names=["1,048,576 values of balances", "629,145,600 loan-months", "600,000,000"])
    assert "split" in reason
    with pytest.raises(MbsxlInputError, match="loan-months"):
        mbsxl.loan_cashflows(np.full(n, 100.0), 0.06, 600)


def test_python_twins_refuse_with_value_error_not_memory_error():
    with pytest.raises(MbsxlInputError, match=r"wam=10000000 is above the cap of 600"):
        mbsxl.cashflows(1000, 0.06, 10_000_000)
    with pytest.raises(MbsxlInputError, match=r"remaining_terms\[0\]"):
        mbsxl.loan_cashflows([1000.0], [0.06], [1e7])
    with pytest.raises(MbsxlInputError, match=r"paths=10000000"):
        mbsxl.oas(100, 0.06, 360, [1, 30], [0.03, 0.04], paths=10_000_000)
    with pytest.raises(MbsxlInputError, match=r"paths=10000000"):
        mbsxl.short_rate_paths([1, 30], [0.03, 0.04], [1.0], paths=10_000_000)
    with pytest.raises(MbsxlInputError, match=r"months=100000"):
        mbsxl.coupon_index("2008-01-01", 100_000)


def test_at_the_cap_is_accepted():
    # a 50-year level-payment loan amortises to zero in month 600 (SF-4 BAL_600 = 0)
    cf = mbsxl.cashflows(1000.0, 0.06, 600)
    assert len(cf) == 600 and cf["Ending Balance"].iloc[-1] == pytest.approx(0.0, abs=1e-9)
    out = dispatch.call("MBS_CASHFLOWS", 1000, 0.06, 600)
    assert isinstance(out, list) and len(out) == 601


def test_caps_are_registry_data_and_documented():
    fns = functions()
    capped = {(f.name, a.name): a for f in fns.values() for a in f.args if a.max is not None or a.max_len}
    for key in [("MBS_CASHFLOWS", "wam"), ("MBS_LOANCASHFLOWS", "remaining_terms"), ("MBS_LOANCASHFLOWS", "balances"),
                ("MBS_OAS", "paths"), ("MBS_OAS", "wam"), ("MBS_STRAT", "balances"), ("MBS_POOLSUMMARY", "balances")]:
        assert key in capped, key
    for (name, arg), a in capped.items():
        cap = a.max if a.max is not None else a.max_len
        assert f"{int(cap):,}" in a.doc or str(int(cap)) in a.doc, (name, arg, a.doc)    # the cap is in the doc
        assert len(a.doc) < 255
    assert capped[("MBS_CASHFLOWS", "wam")].max == V.MAX_MONTHS == 600
    assert capped[("MBS_OAS", "paths")].max == V.MAX_PATHS
    assert capped[("MBS_LOANCASHFLOWS", "balances")].max_len == V.MAX_LOANS
    budget = fns["MBS_LOANCASHFLOWS"].limits[0]
    assert budget.cap == V.MAX_LOAN_MONTHS and budget.factors == (("balances", "count"), ("remaining_terms", "max"))


def test_reference_shows_the_caps():
    from mbsxl.excel.registry import reference_markdown
    ref = reference_markdown()
    assert "Limit: loan-months at most 600,000,000" in ref
    assert "(at most 100,000)" in ref
