"""A reproducible loan tape for Jianyuan 2007-1 (建元2007-1), built to match every published pool figure.

No loan-level data of the deal is public.  :func:`jianyuan_tape` generates, from a fixed seed, 12,254
loans whose aggregates reproduce seed 001 (``shared/seeds/001_*``, Tables 1-5) **exactly** where it
publishes an amount and **to the published rounding** where it publishes a share:

====================================  ====================================  ==============================
published (seed 001)                  reproduced                            basis
====================================  ====================================  ==============================
12,254 loans                          exactly                               count
total balance 4,160,683,708           exactly (integer fen arithmetic)      current balance
largest loan 2,842,537 (0.068%)       exactly                               current balance
average 339,537 (0.0081%)             total / count = 339,537.4             current balance
contract amount <= 1,000,000: 87.48%  87.48% (to 0.01%)                     **share of current balance**
remaining term 10-20 years: 55.5%     55.5% (to 0.1%), the largest bucket   share of current balance
seasoning 0-2 years 2,799,168,689     exactly                               current balance
seasoning 2-4 years ~30%, 4-6 ~2%     30.40%, 2.32%                         share of current balance
age 18-25 ~1/10, 25-35 >1/2,          10.0%, 51.7%, 33.3%, 5.0%             share of current balance
35-45 ~1/3, 45-65 ~5%; WA age 35      WA 35.0 (balance-weighted)
====================================  ====================================  ==============================

The 87.48% is read as a share of the pool balance (the article: "贷款额在100万及以下的贷款额占比",
the amount of the loans whose contract amount is at or below 1,000,000), not of the loan count.
Buckets are closed on the right as in :mod:`mbsxl.pool.stratification`: contract <= 1,000,000; remaining term
(120, 240] months; seasoning (0, 24], (24, 48], (48, 72] months; age (-, 25], (25, 35], (35, 45], (45, 65].

What is **not** published and is an assumption of this generator: each loan's rate (the PBoC benchmark
in force on 1 January 2008, 7.83% for terms over 5 years, 7.74% for 3-5 years, 7.56% for 1-3 years,
times 0.85 (78% of loans), 0.9 (14%) or 1.0 (8%): the rate the loan pays from the 2008 reset), original
term (whole years, at most 30), the split of remaining term and seasoning inside the buckets, the
contract amounts (the scheduled balance grossed up to the original amount, rounded up to 1,000 yuan),
the individual ages and the amortisation type (85% level payment 等额本息, 15% level principal 等额本金).

Amounts: balances are in yuan with two decimals (whole fen); the generator works in integer fen so
the totals are exact; contract amounts are whole multiples of 1,000 yuan.

Example
-------
>>> t = jianyuan_tape()
>>> len(t), round(t[BALANCE].sum())
(12254, 4160683708)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl.pool import sf4

SEED = 20071010            # the cut-off date
LOANS = 12_254
TOTAL_FEN = 416_068_370_800
LARGEST_FEN = 284_253_700
SEASONING_0_2_FEN = 279_916_868_900

# tape columns (also the Excel headers of the template's tape sheet)
LOAN_ID = "贷款编号 Loan ID"
CONTRACT = "合同金额 Contract amount"
BALANCE = "本金余额 Current balance"
RATE = "利率 Interest rate"
ORIGINAL_TERM = "原始期限(月) Original term (months)"
REMAINING_TERM = "剩余期限(月) Remaining term (months)"
SEASONING = "账龄(月) Seasoning (months)"
AGE = "借款人年龄 Borrower age at origination"
AMORTIZATION = "还款方式 Amortization"
COLUMNS = [LOAN_ID, CONTRACT, BALANCE, RATE, ORIGINAL_TERM, REMAINING_TERM, SEASONING, AGE, AMORTIZATION]
LEVEL_PAYMENT = "level_payment"
LEVEL_PRINCIPAL = "level_principal"

# which column is constrained by a published figure and which is an assumption (shown in the workbook)
PROVENANCE = {
    LOAN_ID: "assumption: sequential identifiers (JY07-00001 ...); the count 12,254 is published",
    CONTRACT: "published: share of balance with contract <= 1,000,000 is 87.48%; the amounts are assumptions "
              "(scheduled balance grossed up, rounded up to 1,000 yuan)",
    BALANCE: "published: total 4,160,683,708, largest 2,842,537, seasoning 0-2y total 2,799,168,689 and the "
             "bucket shares; the individual balances are assumptions",
    RATE: "assumption: PBoC benchmark in force on 2008-01-01 (7.83% over 5 years) x 0.85 / 0.9 / 1.0",
    ORIGINAL_TERM: "assumption: whole years, at most 30, consistent with remaining term + seasoning",
    REMAINING_TERM: "published: 10-20 years is 55.5% of the balance; the other buckets and values are assumptions",
    SEASONING: "published: 0-2 years 2,799,168,689 yuan, 2-4 years ~30%, 4-6 years ~2%; values inside "
               "buckets are assumptions",
    AGE: "published: buckets ~10% / >50% / ~1/3 / ~5% and weighted average 35; individual ages are assumptions",
    AMORTIZATION: "assumption: 85% level payment (等额本息), 15% level principal (等额本金)",
}

# published bucket targets (shares of current balance) the generator aims at
SEASONING_BREAKS = [24, 48, 72]                      # months: 0-2y, 2-4y, 4-6y (, >6y empty)
SEASONING_SHARES = [SEASONING_0_2_FEN / TOTAL_FEN, 0.3040, None]   # last = the rest (2.32%)
REMAINING_BREAKS = [60, 120, 240]                    # months: <=5y, 5-10y, 10-20y, 20-30y
REMAINING_SHARES = [0.030, 0.150, 0.555, 0.265]
CONTRACT_BREAK = 1_000_000
CONTRACT_SHARES = [0.8748, 0.1252]                   # <= 1,000,000 ; above
AGE_BREAKS = [25, 35, 45]                            # years: 18-25, 25-35, 35-45, 45-65
AGE_SHARES = [0.100, 0.517, 0.333, 0.050]
TARGET_WA_AGE = 35.0

BENCHMARK_2008 = {"1-3y": 0.0756, "3-5y": 0.0774, "over_5y": 0.0783}   # PBoC, in force from 2007-12-21


def _ceil_to(x: np.ndarray, step: int) -> np.ndarray:
    return (np.ceil(np.asarray(x) / step) * step).astype(np.int64)


def _rake(bal: np.ndarray, free: np.ndarray, dims: list[tuple[np.ndarray, np.ndarray]], iters: int = 500):
    """Iterative proportional fitting of the free balances so every dimension's category amounts hit
    their targets (amounts, fixed loans counted as they are)."""
    bal = bal.copy()
    for _ in range(iters):
        worst = 0.0
        for cat, target in dims:
            k = target.size
            fixed_amt = np.bincount(cat[~free], weights=bal[~free], minlength=k)
            free_amt = np.bincount(cat[free], weights=bal[free], minlength=k)
            need = target - fixed_amt
            f = np.where(free_amt > 0, need / np.where(free_amt > 0, free_amt, 1.0), 1.0)
            worst = max(worst, float(np.max(np.abs(f - 1.0))))
            bal[free] *= f[cat[free]]
        if worst < 1e-14:
            break
    return bal


def jianyuan_tape(seed: int = SEED) -> pd.DataFrame:
    """The 12,254-loan tape (columns :data:`COLUMNS`); same seed, same tape.  See the module docstring
    for what is published and what is assumed."""
    rng = np.random.default_rng(seed)
    n = LOANS

    # categories (count mix chosen so balances come out plausible; the balance shares are raked below)
    s_cat = rng.choice(3, size=n, p=[0.60, 0.365, 0.035])
    r_cat = rng.choice(4, size=n, p=[0.05, 0.19, 0.55, 0.21])
    big = rng.random(n) < 0.024
    a_cat = rng.choice(4, size=n, p=[0.115, 0.515, 0.315, 0.055])

    # seasoning (months) inside its bucket; the pool was cut off on 2007-10-10, loans at least 3 months old
    lo_s = np.array([3, 25, 49])[s_cat]
    hi_s = np.array([24, 48, 72])[s_cat]
    seasoning = lo_s + (rng.random(n) * (hi_s - lo_s + 1)).astype(np.int64)

    # original term in whole years (<= 30) so that the remaining term falls in its bucket
    years = np.arange(1, 31)
    w_year = np.where(years % 5 == 0, 4.0, 1.0)
    original = np.empty(n, dtype=np.int64)
    r_lo = np.array([0, 60, 120, 240])
    r_hi = np.array([60, 120, 240, 360])
    for i in range(n):
        rem = 12 * years - seasoning[i]
        ok = (rem > r_lo[r_cat[i]]) & (rem <= r_hi[r_cat[i]]) & (rem >= 1)
        p = w_year * ok
        original[i] = 12 * int(rng.choice(years, p=p / p.sum()))
    remaining = original - seasoning

    # rates from the 2008-01-01 reset: benchmark by original term x multiplier
    bench = np.where(original > 60, BENCHMARK_2008["over_5y"],
                     np.where(original > 36, BENCHMARK_2008["3-5y"], BENCHMARK_2008["1-3y"]))
    mult = rng.choice([0.85, 0.9, 1.0], size=n, p=[0.78, 0.14, 0.08])
    rate = np.round(bench * mult, 6)
    level_principal = rng.random(n) < 0.15

    # base balances: lognormal for contract <= 1m loans, 1.05m - 2.6m for the large ones
    base = np.where(big, rng.uniform(1.05e6, 2.6e6, n), np.clip(rng.lognormal(np.log(2.6e5), 0.55, n), 3e4, 8.5e5))
    # the largest loan: the biggest of the large ones, fixed at the published 2,842,537
    top = int(np.argmax(np.where(big, base, -1)))
    base[top] = LARGEST_FEN / 100.0
    free = np.ones(n, dtype=bool)
    free[top] = False

    total = TOTAL_FEN / 100.0
    s_targets = np.array(SEASONING_SHARES[:2] + [1.0 - sum(SEASONING_SHARES[:2])]) * total
    dims = [
        (s_cat, s_targets),
        (r_cat, np.array(REMAINING_SHARES) * total),
        (big.astype(np.int64), np.array(CONTRACT_SHARES) * total),
        (a_cat, np.array(AGE_SHARES) * total),
    ]
    # rake; loans pushed past their group's cap are held at the cap and the rest raked again
    cap = np.where(big, 2_800_000.0, 950_000.0) * rng.uniform(0.9, 1.0, n)
    floor = np.where(big, 1_001_000.0, 0.0) * rng.uniform(1.0, 1.1, n)
    cap[top] = floor[top] = LARGEST_FEN / 100.0
    bal = base
    for _ in range(50):
        bal = _rake(bal, free, dims)
        over = free & ((bal > cap) | (bal < floor))
        if not over.any():
            break
        bal = np.clip(bal, floor, cap)
        free &= ~over
    else:
        raise RuntimeError("tape: raking did not settle within the caps")
    if not free.all() and bal[free].max() >= bal[top]:
        raise RuntimeError("tape: raking made another loan larger than the published largest loan")

    # to integer fen; exact totals: seasoning 0-2 years and the whole pool
    fen = np.rint(bal * 100.0).astype(np.int64)
    for group, target in ((s_cat == 0, SEASONING_0_2_FEN), (s_cat != 0, TOTAL_FEN - SEASONING_0_2_FEN)):
        idx = np.flatnonzero(group & free)
        resid = int(target - fen[group].sum())
        step = 1 if resid > 0 else -1
        q, r = divmod(abs(resid), idx.size)
        fen[idx] += step * q
        fen[idx[:r]] += step
    assert fen.sum() == TOTAL_FEN and fen[s_cat == 0].sum() == SEASONING_0_2_FEN and fen.max() == LARGEST_FEN

    # contract amounts: scheduled balance grossed up (some loans partly prepaid), rounded up to 1,000
    f = sf4.balance_factor(rate, original, seasoning, level_principal)   # SF-4 scheduled balance / original
    gross = fen / 100.0 / f * np.where(rng.random(n) < 0.25, rng.uniform(1.0, 1.08, n), 1.0)
    contract = _ceil_to(gross, 1000)
    contract = np.where(big, np.maximum(contract, _ceil_to(np.maximum(fen / 100.0, 1_001_000), 1000)),
                        np.minimum(contract, CONTRACT_BREAK))
    contract = np.maximum(contract, _ceil_to(fen / 100.0, 1000))
    if (contract[~big] > CONTRACT_BREAK).any():
        raise RuntimeError("tape: a loan with balance above 1,000,000 is in the <= 1,000,000 contract group")

    # ages inside the buckets, then nudged (deterministically) to the published weighted average 35
    lo_a = np.array([18, 26, 36, 46])[a_cat]
    hi_a = np.array([25, 35, 45, 65])[a_cat]
    u = rng.beta(2.0, 1.6, n)
    age = lo_a + np.floor(u * (hi_a - lo_a + 1)).astype(np.int64)
    age = np.minimum(age, hi_a)
    w = fen / TOTAL_FEN
    order = rng.permutation(n)
    for _ in range(40):
        wa = float(np.dot(age, w))
        if abs(wa - TARGET_WA_AGE) < 0.02:
            break
        step = 1 if wa < TARGET_WA_AGE else -1
        movable = order[(age[order] + step >= lo_a[order]) & (age[order] + step <= hi_a[order])]
        need = abs(TARGET_WA_AGE - wa)
        moved = np.cumsum(w[movable])
        k = int(np.searchsorted(moved, need)) + 1
        age[movable[:k]] += step

    ids = np.array([f"JY07-{i + 1:05d}" for i in range(n)], dtype=object)
    df = pd.DataFrame({
        LOAN_ID: ids,
        CONTRACT: contract.astype(float),
        BALANCE: fen / 100.0,
        RATE: rate,
        ORIGINAL_TERM: original,
        REMAINING_TERM: remaining,
        SEASONING: seasoning,
        AGE: age,
        AMORTIZATION: np.where(level_principal, LEVEL_PRINCIPAL, LEVEL_PAYMENT),
    }, columns=COLUMNS)
    return df


def balances_fen(tape: pd.DataFrame) -> np.ndarray:
    """The tape's balances as integer fen (exact sums)."""
    return np.rint(tape[BALANCE].to_numpy() * 100.0).astype(np.int64)
