"""Jianyuan 2007-1 (建元2007-1), the reference deal: every figure the seed documents publish.

Sources (``shared/seeds``): seed 001 (pool analysis, Tables 1-5) and seed 002 (prepayment study,
deal structure).  Values are as published; where the seeds contradict themselves the module keeps
both (see ``FIRST_PERIOD``).
"""
from __future__ import annotations

import datetime as _dt

NAME = "Jianyuan 2007-1 (建元2007-1)"
ISSUE_DATE = _dt.date(2007, 12, 14)      # seed 001 and 002: issue date = trust date
CUTOFF_DATE = _dt.date(2007, 10, 10)     # seed 001: 信托财产起算日
PAYMENT_DAY = 26                         # seed 002: Jianyuan deals pay on the 26th

# seed 001, Table 1 and text
POOL = {
    "loans": 12_254,
    "balance": 4_160_683_708.0,
    "average_balance": 339_537.0,
    "average_share": 0.000081,           # "0.0081%"
    "largest_balance": 2_842_537.0,
    "largest_share": 0.00068,            # "0.068%"
    "share_contract_le_1m": 0.8748,      # contract amount <= 1,000,000 yuan
    "share_remaining_10_20y": 0.555,     # remaining term 10-20 years, the largest bucket
    "seasoning_0_2y_balance": 2_799_168_689.0,
    "share_seasoning_2_4y": 0.30,        # "about 30%"
    "share_seasoning_4_6y": 0.02,        # "about 2%"
    "weighted_average_age": 35,          # borrower age at origination
    "share_age_18_25": 0.10,             # "about a tenth"
    "share_age_25_35": 0.50,             # "over half"
    "share_age_35_45": 1 / 3,            # "about a third"
    "share_age_45_65": 0.05,             # "about 5%"
}

# seed 002: tranche sizes (yuan); seniors float at the PBoC one-year deposit rate + a spread
TRANCHES = {
    "A": 3_582_348_600.0,
    "B": 356_154_500.0,
    "C": 82_381_500.0,
    "Subordinate": 139_799_108.0,
}
SENIOR_TOTAL = 4_020_884_600.0

# seed 002: monthly CPR, January 2008 to December 2009 (February 2008 derived from Jan and Mar reports)
MONTHS = [f"{y}-{m:02d}" for y in (2008, 2009) for m in range(1, 13)]
CPR = [
    0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
    0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436,
]
CPR_MEAN_2008 = 0.20200        # as published; the mean of the 12 published monthly CPRs is 0.202017
CPR_MEAN_2009 = 0.30710
CPR_MEAN_24M_APPROX = 0.25     # "about 25%"
PROSPECTUS_CPR = 0.1726        # 发行说明书 pricing CPR

# seed 002: the first collection period
FIRST_PERIOD = {
    "prepaid_loans": 700,
    "prepaid_amount": 155_912_242.71,
    "stated_share_of_cutoff_balance": 0.0435,   # as published
    "stated_share_of_principal_collected": 0.749,
    # 155,912,242.71 / 4,160,683,708 = 3.747%: the stated 4.35% does not follow from the pool balance
}


def first_period_share_recomputed() -> float:
    """Prepaid amount of the first period over the cut-off balance (3.75%, against the stated 4.35%)."""
    return FIRST_PERIOD["prepaid_amount"] / POOL["balance"]
