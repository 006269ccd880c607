"""Stratification and pool summary (mbsxl.strat), MBS_STRAT / MBS_POOLSUMMARY.

Expected tables are computed independently with pandas (``pd.cut`` with ``right=True`` and
``groupby``) and numpy (``np.average`` with weights).  The bucket convention follows seed 001's
wording "100万及以下" (at or below 1,000,000 yuan): a loan of exactly 1,000,000 is in that bucket.
"""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as hs

import mbsxl
from mbsxl.pool import stratification as S
from mbsxl.excel.dispatch import call
from mbsxl.excel.errors import XlError



def _pandas_strat(values, balances, bps):
    cats = pd.cut(pd.Series(values), bins=[-np.inf, *bps, np.inf], right=True, labels=False)
    g = pd.DataFrame({"b": cats, "bal": balances}).groupby("b")["bal"]
    k = len(bps) + 1
    counts = g.count().reindex(range(k), fill_value=0).to_numpy()
    sums = g.sum().reindex(range(k), fill_value=0.0).to_numpy()
    return counts, sums


def test_strat_matches_pandas_cut():
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 3e6, 500).round(-3)
    balances = rng.uniform(1e4, 2e6, 500)
    bps = [200_000, 500_000, 1_000_000, 2_000_000]
    t = mbsxl.strat(values, balances, bps)
    counts, sums = _pandas_strat(values, balances, bps)
    body = t.iloc[:-1]
    assert list(t.columns) == S.STRAT_COLUMNS
    np.testing.assert_array_equal(body[S.COUNT].to_numpy(), counts)
    np.testing.assert_allclose(body[S.BALANCE].to_numpy(), sums, rtol=1e-13)
    np.testing.assert_allclose(body[S.BALANCE_SHARE].to_numpy(), sums / balances.sum(), rtol=1e-12)
    np.testing.assert_allclose(body[S.COUNT_SHARE].to_numpy(), counts / 500, rtol=1e-12)
    np.testing.assert_allclose(body[S.AVERAGE_BALANCE].to_numpy(), sums / counts, rtol=1e-12)
    total = t.iloc[-1]
    assert total[S.BUCKET] == S.TOTAL and total[S.COUNT] == 500
    assert total[S.BALANCE] == pytest.approx(balances.sum(), rel=1e-13)
    assert total[S.AVERAGE_BALANCE] == pytest.approx(balances.mean(), rel=1e-13)


def test_bucket_closed_on_the_right_as_seed_001_states():
    """Seed 001: "贷款额在100万及以下" -- a contract of exactly 1,000,000 is 'at or below'."""
    t = mbsxl.strat([1_000_000, 1_000_001], [10.0, 20.0], [1_000_000], labels=["100万及以下", "100万以上"])
    assert t[S.COUNT].tolist() == [1, 1, 2]
    assert t[S.BALANCE].tolist() == [10.0, 20.0, 30.0]
    assert t[S.BUCKET].tolist() == ["100万及以下", "100万以上", S.TOTAL]


def test_empty_bucket_and_default_labels():
    t = mbsxl.strat([1, 2], [5.0, 5.0], [10, 20])
    assert t[S.BUCKET].tolist()[:3] == ["<= 10", "10 - 20", "> 20"]
    assert t[S.COUNT].tolist() == [2, 0, 0, 2]
    assert np.isnan(t[S.AVERAGE_BALANCE].iloc[1])


def test_blank_rows_are_dropped():
    t = mbsxl.strat([1, np.nan, 3], [5.0, np.nan, 7.0], [2])
    assert t[S.COUNT].tolist() == [1, 1, 2]


@pytest.mark.parametrize("kwargs, words", [
    (dict(values=[1, 2], balances=[1.0], breakpoints=[1]), ["values", "2", "1"]),
    (dict(values=[1, 2], balances=[1.0, 2.0], breakpoints=[3, 2]), ["breakpoints[1]", "increasing"]),
    (dict(values=[1, 2], balances=[1.0, 2.0], breakpoints=[1], labels=["a"]), ["labels", "2"]),
    (dict(values=[1, 2], balances=[1.0, -2.0], breakpoints=[1]), ["balances[1]", "negative"]),
    (dict(values=[1, np.nan], balances=[1.0, 2.0], breakpoints=[1]), ["values[1]", "blank"]),
    (dict(values=[1, 2], balances=[1.0, 2.0], breakpoints=[]), ["breakpoints", "empty"]),
])
def test_strat_errors_name_the_argument(kwargs, words):
    with pytest.raises(ValueError) as e:
        mbsxl.strat(**kwargs)
    for w in words:
        assert w in str(e.value)


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.tuples(hs.integers(0, 400), hs.floats(0, 1e7, allow_nan=False)), min_size=1, max_size=60),
       hs.lists(hs.integers(1, 399), min_size=1, max_size=6, unique=True))
def test_strat_properties(rows, bps):
    """Every loan in exactly one bucket; the total row is the sum; shares sum to 1."""
    bps = sorted(bps)
    values = np.array([r[0] for r in rows], float)
    bal = np.array([r[1] for r in rows], float)
    t = mbsxl.strat(values, bal, bps)
    body = t.iloc[:-1]
    assert body[S.COUNT].sum() == len(rows)
    assert body[S.BALANCE].sum() == pytest.approx(bal.sum(), rel=1e-12, abs=1e-6)
    assert body[S.COUNT_SHARE].sum() == pytest.approx(1.0)
    counts, _ = _pandas_strat(values, bal, bps)
    np.testing.assert_array_equal(body[S.COUNT].to_numpy(), counts)
    if bal.sum() > 0:
        assert body[S.BALANCE_SHARE].sum() == pytest.approx(1.0)


def test_pool_summary_matches_numpy():
    rng = np.random.default_rng(2)
    bal = rng.uniform(1e4, 3e6, 300)
    rate = rng.choice([0.066555, 0.07047, 0.0783], 300)
    rem = rng.integers(12, 360, 300)
    seas = rng.integers(3, 72, 300)
    age = rng.integers(18, 65, 300)
    orig = bal * 1.2
    t = mbsxl.pool_summary(bal, rate, rem, seas, age, orig)
    d = dict(zip(t[S.STATISTIC], t[S.VALUE]))
    assert list(t[S.STATISTIC]) == [s for s, _ in S.SUMMARY_ROWS]
    assert d[S.S_LOANS] == 300
    assert d[S.S_BALANCE] == pytest.approx(bal.sum(), rel=1e-13)
    assert d[S.S_AVERAGE] == pytest.approx(bal.mean(), rel=1e-13)
    assert d[S.S_AVERAGE_SHARE] == pytest.approx(1 / 300, rel=1e-12)
    assert d[S.S_LARGEST] == bal.max()
    assert d[S.S_LARGEST_SHARE] == pytest.approx(bal.max() / bal.sum(), rel=1e-12)
    assert d[S.S_ORIGINAL_LARGEST] == pytest.approx(orig.max())
    for stat, x in ((S.S_WA_RATE, rate), (S.S_WA_REMAINING, rem), (S.S_WA_SEASONING, seas), (S.S_WA_AGE, age)):
        assert d[stat] == pytest.approx(np.average(x, weights=bal), rel=1e-12)


def test_pool_summary_leaves_out_rows_without_input_and_catches_percent_rates():
    t = mbsxl.pool_summary([1.0, 3.0])
    assert list(t[S.STATISTIC]) == [S.S_LOANS, S.S_BALANCE, S.S_AVERAGE, S.S_AVERAGE_SHARE, S.S_LARGEST,
                                    S.S_LARGEST_SHARE]
    with pytest.raises(ValueError, match="percent"):
        mbsxl.pool_summary([1.0, 3.0], rates=[6.6555, 7.83])


def test_worksheet_functions_with_raw_cells():
    """A tape range longer than the data (trailing blank cells) works; the header is the core's columns."""
    vals = [[300_000.0], [1_000_000.0], [1_500_000.0], [None], [None]]
    bals = [[250_000.0], [800_000.0], [1_200_000.0], [None], [None]]
    out = call("MBS_STRAT", vals, bals, [[1_000_000.0]], [["100万及以下", "100万以上"]])
    assert out[0] == S.STRAT_COLUMNS
    assert out[1][:2] == ["100万及以下", 2] and out[1][3] == 1_050_000.0
    assert out[-1][0] == S.TOTAL and out[-1][3] == 2_250_000.0
    summ = call("MBS_POOLSUMMARY", bals, [[0.066555], [0.0783], [0.07047], [None], [None]])
    assert summ[0] == S.SUMMARY_COLUMNS
    d = {r[0]: r[1] for r in summ[1:]}
    assert d[S.S_WA_RATE] == pytest.approx(np.average([0.066555, 0.0783, 0.07047], weights=[2.5e5, 8e5, 1.2e6]))
    err = call("MBS_STRAT", vals, bals, [[2.0], [1.0]])
    assert isinstance(err, XlError) and "MBS_STRAT" in repr(err) and "breakpoints" in repr(err)
