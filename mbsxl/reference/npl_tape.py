"""A reproducible GENERATED tape of non-performing mortgages, for the NPL template, tests and benchmarks.

Not data: every field is drawn from a fixed-seed random generator (``numpy.random.default_rng(seed)``) to
look like a Chinese NPL mortgage pool (the mbsxl authors' choices, not a published distribution):

- principal: lognormal, median 400,000 yuan, clipped to [50,000, 3,000,000];
- interest owed: 3 % to 15 % of principal; fees: 0 to 8,000 yuan;
- appraisal: principal / current LTV, the LTV uniform in [0.35, 0.95];
- haircut: uniform in [0.25, 0.45]; disposal costs: 3 % to 6 % of the appraisal;
- stage: 协商 25 %, 诉讼 35 %, 执行 25 %, 拍卖 15 %; months already in the stage uniform in 0 .. 24.

>>> t = generated_tape(3, seed=1)
>>> list(t.columns)[:3], len(t)
(['贷款编号 Loan', '未偿本金 Principal', '欠息 Interest'], 3)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C

STAGE_MIX = {"协商": 0.25, "诉讼": 0.35, "执行": 0.25, "拍卖": 0.15}


def generated_tape(n: int = 3000, seed: int = 20) -> pd.DataFrame:
    """``n`` generated NPL loans (columns :data:`mbsxl.columns.NPL_TAPE_LAYOUT`), the same for the same seed."""
    n = v.whole("n", n, lo=1, hi=v.MAX_LOANS)
    rng = np.random.default_rng(v.whole("seed", seed, lo=0))
    principal = np.clip(np.round(rng.lognormal(np.log(400_000.0), 0.6, n), 2), 50_000.0, 3_000_000.0)
    interest = np.round(principal * rng.uniform(0.03, 0.15, n), 2)
    fees = np.round(rng.uniform(0.0, 8_000.0, n), 2)
    appraisal = np.round(principal / rng.uniform(0.35, 0.95, n), -2)
    haircut = np.round(rng.uniform(0.25, 0.45, n), 3)
    costs = np.round(appraisal * rng.uniform(0.03, 0.06, n), 2)
    stages = np.array(list(STAGE_MIX), dtype=object)[rng.choice(len(STAGE_MIX), n, p=list(STAGE_MIX.values()))]
    spent = rng.integers(0, 25, n)
    return pd.DataFrame({C.NPL_LOAN: [f"NPL{i + 1:05d}" for i in range(n)], C.NPL_PRINCIPAL: principal,
                         C.NPL_INTEREST: interest, C.NPL_FEES: fees, C.NPL_COLLATERAL: appraisal,
                         C.NPL_HAIRCUT: haircut, C.NPL_STAGE: stages, C.NPL_MONTHS_IN_STAGE: spent,
                         C.NPL_COSTS: costs}, columns=C.NPL_TAPE_LAYOUT)
