"""The reconstructed trustee-report series (mbsxl.surveillance.trustee) gives back the published prepayment figures.

Expected figures from seed 002 (``shared/seeds/002_504b3d5613d6b378.txt``): the 24 monthly CPRs
January 2008 - December 2009 (0.4179, 0.1347, ... 0.3436), yearly means 20.200% (2008) and 30.710%
(2009), about 25% over the 24 months; first collection period: 700 loans, 155,912,242.71 yuan,
"4.35%", "74.9% of the principal collected"; cut-off balance 4,160,683,708 (seed 001).  SMM and CPR
are recomputed here with plain numpy from seed 002's definitions (SMM = prepayment / (beginning -
scheduled), CPR = 1 - (1 - SMM)^12).
"""
from __future__ import annotations


import numpy as np
import pytest

from mbsxl.surveillance import trustee as TR


PUBLISHED_CPR = [0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
                 0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436]


@pytest.fixture(scope="module")
def series():
    return TR.jianyuan_series()


def test_cprs_back_to_four_decimals(series):
    b, s, p = (series[c].to_numpy() for c in (TR.BEGINNING, TR.SCHEDULED, TR.PREPAYMENT))
    smm = p / (b - s)
    cpr = 1 - (1 - smm) ** 12
    assert list(np.round(cpr, 4)) == PUBLISHED_CPR
    assert round(cpr[:12].mean() * 100, 3) == 20.200       # 2008年的CPR均值为20.200%
    assert round(cpr[12:].mean() * 100, 3) == 30.710       # 2009年的CPR均值为30.710%
    assert round(cpr.mean(), 2) == 0.25                    # 均值在25%左右


def test_whole_fen_and_balances_roll(series):
    for c in (TR.BEGINNING, TR.SCHEDULED, TR.PREPAYMENT, TR.ENDING):
        x = series[c].to_numpy() * 100
        np.testing.assert_allclose(x, np.rint(x), atol=1e-4)
    b, s, p, e = (np.rint(series[c].to_numpy() * 100).astype(np.int64)
                  for c in (TR.BEGINNING, TR.SCHEDULED, TR.PREPAYMENT, TR.ENDING))
    np.testing.assert_array_equal(e, b - s - p)
    np.testing.assert_array_equal(b[1:], e[:-1])
    assert (s > 0).all() and (p > 0).all()


def test_first_period_published_facts(series):
    first = series.iloc[0]
    assert first[TR.PREPAYMENT] == 155_912_242.71                              # 金额为155912242.71元
    assert round(first[TR.PREPAYMENT] / first[TR.BEGINNING] * 100, 2) == 4.35  # stated 4.35% (of this balance)
    assert round(first[TR.PREPAYMENT] / (first[TR.PREPAYMENT] + first[TR.SCHEDULED]) * 100, 1) == 74.9
    assert round(155_912_242.71 / 4_160_683_708 * 100, 2) == 3.75             # of the cut-off balance: 3.75%
    info = TR.first_period()
    lo, hi = info["window"]
    assert lo <= first[TR.BEGINNING] <= hi
    assert info["prepaid_loans"] == 700
    assert first[TR.BEGINNING] < 4_160_683_708
