"""The generated Jianyuan 2007-1 tape reproduces the published pool figures.

Every expected figure is from seed 001 (``shared/seeds/001_98fbd18c71f4246a.txt``, Tables 1-5 and
their text; listed in ``shared/seeds/README.md``): 12,254 loans; total balance 4,160,683,708 yuan;
average 339,537 (0.0081%); largest 2,842,537 (0.068%); contract amount at or below 1,000,000:
87.48%; remaining term 10-20 years: 55.5%; seasoning 0-2 years 2,799,168,689 yuan (close to 70%),
2-4 years about 30%, 4-6 years about 2%; borrower age 18-25 about a tenth, 25-35 over half, 35-45
about a third, 45-65 about 5%, weighted average 35.  Shares are computed here with plain numpy on
the balance (the tape module reads the shares as shares of the pool balance).
"""
from __future__ import annotations


import numpy as np
import pytest

from mbsxl.reference import tape as T



@pytest.fixture(scope="module", params=[T.SEED, 1, 42])
def tape(request):
    """The shipped tape (fixed seed) and two other seeds: the generator meets the figures by construction."""
    return T.jianyuan_tape(request.param)


def _share(fen, mask):
    return fen[mask].sum() / fen.sum()


def test_published_amounts_exactly(tape):
    fen = T.balances_fen(tape)
    assert len(tape) == 12_254                               # seed 001: 12254筆貸款
    assert int(fen.sum()) == 4_160_683_708 * 100             # 總本金余額為4160683708元
    assert int(fen.max()) == 2_842_537 * 100                 # 單筆貸款最高本金余額 2842537元
    assert round(fen.sum() / 100 / len(tape)) == 339_537     # 平均本金余額為339537元
    s = tape[T.SEASONING].to_numpy()
    assert int(fen[s <= 24].sum()) == 2_799_168_689 * 100    # 0-2年的賬齡的貸款余額為2799168689元
    np.testing.assert_array_equal(fen, np.rint(tape[T.BALANCE].to_numpy() * 100))   # whole fen


def test_published_shares_to_their_rounding(tape):
    fen = T.balances_fen(tape)
    assert round(fen.max() / fen.sum() * 100, 3) == 0.068                       # 占比 0.068%
    assert round(_share(fen, tape[T.CONTRACT].to_numpy() <= 1_000_000) * 100, 2) == 87.48   # 87.48%
    rem = tape[T.REMAINING_TERM].to_numpy()
    buckets = [_share(fen, rem <= 60), _share(fen, (rem > 60) & (rem <= 120)),
               _share(fen, (rem > 120) & (rem <= 240)), _share(fen, rem > 240)]
    assert round(buckets[2] * 100, 1) == 55.5 and buckets[2] == max(buckets)   # 占比最多的是10-20年 55.5%
    s = tape[T.SEASONING].to_numpy()
    assert round(_share(fen, s <= 24), 1) == 0.7                                 # 接近七成
    assert round(_share(fen, (s > 24) & (s <= 48)) * 100) == 30                  # 百分之三十左右
    assert round(_share(fen, (s > 48) & (s <= 72)) * 100) == 2                   # 2%左右
    a = tape[T.AGE].to_numpy()
    assert round(_share(fen, a <= 25) * 100) == 10                               # 十分之一左右
    assert _share(fen, (a > 25) & (a <= 35)) > 0.5                               # 一半以上
    assert round(_share(fen, (a > 35) & (a <= 45)) * 100) == round(100 / 3)     # 三分之一左右
    assert round(_share(fen, (a > 45) & (a <= 65)) * 100) == 5                   # 百分之五左右
    assert round(np.average(a, weights=fen)) == 35                               # 加權平均后只有35歲
    assert a.min() >= 18 and a.max() <= 65


def test_plausible_and_consistent(tape):
    """Assumptions stated in the module: terms <= 30 years in whole years, remaining = original - seasoning,
    contract >= balance, rates = 2008 benchmark (7.83% over 5 years) x 0.85/0.9/1.0."""
    orig = tape[T.ORIGINAL_TERM].to_numpy()
    assert orig.max() <= 360 and (orig % 12 == 0).all()
    np.testing.assert_array_equal(tape[T.REMAINING_TERM].to_numpy(), orig - tape[T.SEASONING].to_numpy())
    assert (tape[T.REMAINING_TERM] >= 1).all()
    assert (tape[T.CONTRACT] >= tape[T.BALANCE]).all()
    allowed = {round(b * m, 6) for b in (0.0756, 0.0774, 0.0783) for m in (0.85, 0.9, 1.0)}
    assert set(np.round(tape[T.RATE].unique(), 6)) <= allowed
    assert (tape[T.RATE] == 0.066555).mean() > 0.5                                # 7.83% x 0.85 most common
    assert set(tape[T.AMORTIZATION]) == {T.LEVEL_PAYMENT, T.LEVEL_PRINCIPAL}
    assert list(tape.columns) == T.COLUMNS and set(T.PROVENANCE) == set(T.COLUMNS)


def test_reproducible():
    a, b = T.jianyuan_tape(), T.jianyuan_tape()
    assert a.equals(b)
    assert not T.jianyuan_tape(seed=7)[T.BALANCE].equals(a[T.BALANCE])
