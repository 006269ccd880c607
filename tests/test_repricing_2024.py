"""Issue 18, item 1: existing mortgages repriced by the notices' rules, twelve loans month by month to 2027-12.

The rules, quoted from the notices (the shipped tables data/policy_events.csv and data/mortgage_floors.csv
carry the same quotes; /work/shared/data/README.md states them):

- 2019 (PBoC announcement [2019] No. 16, from 2019-10-08): new loans LPR 5y + a fixed spread;
  "首套商业性个人住房贷款利率不得低于相应期限贷款市场报价利率，二套 ... 不得低于 ... 加60个基点"
  (first homes >= LPR + 0, second homes >= LPR + 60 bp).
- 2020 conversion (PBoC announcement [2019] No. 30): benchmark loans become LPR 5y + (rate in force - 4.80%,
  the December 2019 LPR 5y), the rate unchanged in 2020, repricing at least yearly; or a fixed rate.
- 2022-05-15 (银发〔2022〕115号): "首套住房商业性个人住房贷款利率下限调整为不低于相应期限贷款市场报价利率减
  20个基点，二套 ... 按现行规定执行" (first homes LPR - 20 bp, second homes unchanged).
- 2023-08-31 (关于降低存量首套住房贷款利率有关事项的通知, from 2023-09-25): existing first-home loans may be cut,
  "在贷款市场报价利率（LPR）上的加点幅度，不得低于原贷款发放时所在城市首套房贷款利率政策下限" (the spread not
  below the first-home floor of the loan's city at the time the loan was originated).  Loans originated
  before the LPR reform: mbsxl's reading (data/mortgage_floors.csv, first row) is the first floor stated
  on LPR, the 2019-10-08 one (first homes LPR + 0): the floor in force when these loans were converted.
- 2024-09-29 (PBoC announcement; the large banks applied it on 2024-10-25): "对于加点幅度高于-30个基点的
  存量房贷，将统一调整为不低于-30个基点，且不低于所在城市目前执行的新发放房贷加点下限（如有）"; first and second
  homes are no longer told apart (spread above -30 bp -> -30 bp, not below the city's current floor if any).
- 2024-05-17: "取消全国层面首套住房和二套住房商业性个人住房贷款利率政策下限" (no national floor; cities may keep one).

LPR 5y (/work/shared/data/lpr.csv, NIFC fixings): 4.85% from 2019-08-20, 4.80% 2019-11-20, 4.75% 2020-02-20,
4.65% 2020-04-20, 4.60% 2022-01-20, 4.45% 2022-05-20, 4.30% 2022-08-22, 4.20% 2023-06-20, 3.95% 2024-02-20,
3.85% 2024-07-22, 3.60% 2024-10-21, 3.50% 2025-05-20 (held to 2027-12).  PBoC over-5-year benchmark: 4.90%
from 2015-10-24 (pboc_benchmark_rates.csv).

Timing (mbsxl.rates.repricing's stated convention): a month's interest at the rate in force on its first day; a
reset or event dated after the 1st applies from the next month (2023-09-25 -> October 2023; 2024-10-25 ->
November 2024); a reset reads the LPR in force on its own date; an event changes the spread only.

The reference below is plain annuity arithmetic written here (not mbsxl): level payment over the months
left, recomputed every month; interest = balance x rate / 12.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import mbsxl
from mbsxl.errors import MbsxlInputError

D = dt.date
END = D(2027, 12, 1)
LPR5Y = [(D(2019, 8, 20), 0.0485), (D(2019, 11, 20), 0.0480), (D(2020, 2, 20), 0.0475), (D(2020, 4, 20), 0.0465),
         (D(2022, 1, 20), 0.0460), (D(2022, 5, 20), 0.0445), (D(2022, 8, 22), 0.0430), (D(2023, 6, 20), 0.0420),
         (D(2024, 2, 20), 0.0395), (D(2024, 7, 22), 0.0385), (D(2024, 10, 21), 0.0360), (D(2025, 5, 20), 0.0350)]


def lpr(day):
    return [r for d, r in LPR5Y if d <= day][-1]


def national_floor(orig, first):
    """The notices' national floors of new loans on the origination date (pre-reform: the reading above)."""
    if orig < D(2022, 5, 15):
        return 0.0 if first else 0.006                 # 2019-10-08 (and the reading before it)
    if orig < D(2023, 8, 31):
        return -0.002 if first else 0.006              # 2022-05-15
    if orig < D(2024, 5, 17):
        return -0.002 if first else 0.002              # 2023-08-31
    return None                                        # 2024-05-17: abolished


def add_month(m, k=1):
    y, mo = divmod(m.month - 1 + k, 12)
    return D(m.year + y, mo + 1, 1)


# The twelve loans.  conv: a benchmark loan (4.90% x mult) converted in 2020; lpr: an LPR loan.
LOANS = {
    "A": dict(kind="conv", start=D(2019, 12, 1), bal=800_000.0, term=240, rate=0.0441, mult=0.9, first=True,
              orig=D(2017, 3, 10)),
    "B": dict(kind="conv", start=D(2019, 12, 1), bal=600_000.0, term=200, rate=0.0539, mult=1.1, first=True,
              orig=D(2016, 11, 2)),
    "C": dict(kind="conv", start=D(2019, 12, 1), bal=1_200_000.0, term=300, rate=0.0637, mult=1.3, first=True,
              orig=D(2018, 8, 15), anniversary=True),
    "D": dict(kind="conv", start=D(2019, 12, 1), bal=1_000_000.0, term=300, rate=0.0588, mult=1.2, first=True,
              orig=D(2019, 6, 20)),
    "E": dict(kind="conv", start=D(2019, 12, 1), bal=350_000.0, term=160, rate=0.0490, mult=1.0, first=True,
              orig=D(2013, 5, 8)),
    "F": dict(kind="conv", start=D(2019, 12, 1), bal=500_000.0, term=180, rate=0.0588, mult=1.2, first=True,
              orig=D(2018, 11, 1), fixed=True),
    "G": dict(kind="lpr", start=D(2021, 4, 1), bal=900_000.0, term=359, rate=0.0555, spread=0.0090, first=True,
              orig=D(2021, 3, 15)),
    "H": dict(kind="lpr", start=D(2022, 7, 1), bal=700_000.0, term=359, rate=0.0480, spread=0.0035, first=True,
              orig=D(2022, 6, 10), anniversary=True),
    "I": dict(kind="lpr", start=D(2022, 11, 1), bal=650_000.0, term=299, rate=0.0410, spread=-0.0020, first=True,
              orig=D(2022, 10, 12)),
    "J": dict(kind="conv", start=D(2019, 12, 1), bal=450_000.0, term=220, rate=0.0539, mult=1.1, first=False,
              orig=D(2017, 9, 1)),
    "K": dict(kind="lpr", start=D(2021, 8, 1), bal=1_500_000.0, term=299, rate=0.0585, spread=0.0120, first=False,
              orig=D(2021, 7, 5)),
    "L": dict(kind="lpr", start=D(2022, 4, 1), bal=2_000_000.0, term=299, rate=0.0560, spread=0.0100, first=False,
              orig=D(2022, 3, 18), current_floor=0.0020),
}

# Each loan's rate, hand-worked from the rules above: {first month it applies: annual rate}.
HAND = {
    # A: 4.90% x 0.9 = 4.41%; spread 4.41% - 4.80% = -0.39%.  1 Jan 2021/2022: 4.65% - 0.39% = 4.26%;
    # 2023: 4.30% - 0.39% = 3.91%.  2023 cut: -0.39% is not above the origination floor (0, reading): no
    # move.  2024: 4.20% - 0.39% = 3.81%; 2024 cut: -0.39% not above -0.30%: no move.  2025: 3.60% - 0.39%
    # = 3.21%; 2026: 3.50% - 0.39% = 3.11%.
    "A": {D(2019, 12, 1): 0.0441, D(2021, 1, 1): 0.0426, D(2023, 1, 1): 0.0391, D(2024, 1, 1): 0.0381,
          D(2025, 1, 1): 0.0321, D(2026, 1, 1): 0.0311},
    # B: 4.90% x 1.1 = 5.39%, spread +0.59%.  2021: 5.24%; 2023: 4.89%; Oct 2023 (first home, origination
    # floor 0): spread 0 on the period's 4.30% = 4.30%; 2024: 4.20%; Nov 2024: spread -0.30% on 4.20% =
    # 3.90%; 2025: 3.60% - 0.30% = 3.30%; 2026: 3.20%.
    "B": {D(2019, 12, 1): 0.0539, D(2021, 1, 1): 0.0524, D(2023, 1, 1): 0.0489, D(2023, 10, 1): 0.0430,
          D(2024, 1, 1): 0.0420, D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # C: 4.90% x 1.3 = 6.37%, spread +1.57%, reset on the anniversary (15 August -> from September), the
    # first on or after 2021-01-01: 2021-08-15 reads 4.65% -> 6.22%; 2022-08-15 reads 4.45% (4.30% only
    # from 2022-08-22) -> 6.02%; 2023-08-15 reads 4.20% -> 5.77%; Oct 2023: spread 0 -> 4.20%;
    # 2024-08-15 reads 3.85% -> 3.85%; Nov 2024: -0.30% -> 3.55%; 2025-08-15 reads 3.50% -> 3.20%.
    "C": {D(2019, 12, 1): 0.0637, D(2021, 9, 1): 0.0622, D(2022, 9, 1): 0.0602, D(2023, 9, 1): 0.0577,
          D(2023, 10, 1): 0.0420, D(2024, 9, 1): 0.0385, D(2024, 11, 1): 0.0355, D(2025, 9, 1): 0.0320},
    # D: 4.90% x 1.2 = 5.88%, spread +1.08% (issue 13's loan): 2021: 5.73%; 2023: 5.38%; Oct 2023: 4.30%;
    # 2024: 4.20%; Nov 2024: 3.90%; 2025: 3.30%; 2026: 3.20%.
    "D": {D(2019, 12, 1): 0.0588, D(2021, 1, 1): 0.0573, D(2023, 1, 1): 0.0538, D(2023, 10, 1): 0.0430,
          D(2024, 1, 1): 0.0420, D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # E: a 2013 loan at 1.0 x the benchmark (6.55% then; 4.90% by December 2019), spread +0.10%: 2021:
    # 4.75%; 2023: 4.40%; Oct 2023 (pre-reform, floor 0 by the reading): 4.30%; 2024: 4.20%; Nov 2024:
    # 3.90%; 2025: 3.30%; 2026: 3.20%.
    "E": {D(2019, 12, 1): 0.0490, D(2021, 1, 1): 0.0475, D(2023, 1, 1): 0.0440, D(2023, 10, 1): 0.0430,
          D(2024, 1, 1): 0.0420, D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # F: the fixed option at conversion: 5.88% to the end; the batch adjustment covers floating (LPR) loans.
    "F": {D(2019, 12, 1): 0.0588},
    # G: LPR loan of 2021-03-15, 4.65% + 0.90%; 2022: 5.55%; 2023: 4.30% + 0.90% = 5.20%; Oct 2023 (floor
    # at origination, 2021: LPR + 0): 4.30%; 2024: 4.20%; Nov 2024: 3.90%; 2025: 3.30%; 2026: 3.20%.
    "G": {D(2021, 4, 1): 0.0555, D(2023, 1, 1): 0.0520, D(2023, 10, 1): 0.0430, D(2024, 1, 1): 0.0420,
          D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # H: LPR loan of 2022-06-10 (after 2022-05-15: floor LPR - 20 bp), 4.45% + 0.35% = 4.80%, anniversary
    # resets (10 June -> July): 2023-06-10 reads 4.30% -> 4.65%; Oct 2023: spread -0.20% -> 4.10%;
    # 2024-06-10 reads 3.95% -> 3.75%; Nov 2024: -0.30% -> 3.65%; 2025-06-10 reads 3.50% -> 3.20%.
    "H": {D(2022, 7, 1): 0.0480, D(2023, 7, 1): 0.0465, D(2023, 10, 1): 0.0410, D(2024, 7, 1): 0.0375,
          D(2024, 11, 1): 0.0365, D(2025, 7, 1): 0.0320},
    # I: first home already at -20 bp (2022-10-12, 4.30% - 0.20% = 4.10%): 2023: 4.10%; Oct 2023: -0.20% is
    # the origination floor: no move; 2024: 4.00%; Nov 2024: -0.20% > -0.30% -> 3.90%; 2025: 3.30%; 2026:
    # 3.20%.
    "I": {D(2022, 11, 1): 0.0410, D(2024, 1, 1): 0.0400, D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330,
          D(2026, 1, 1): 0.0320},
    # J: second home at +59 bp (4.90% x 1.1 = 5.39%, converted): 2021: 5.24%; 2023: 4.89%; the 2023 cut is
    # for first homes only; 2024: 4.79%; Nov 2024 (all loans): -0.30% -> 3.90%; 2025: 3.30%; 2026: 3.20%.
    "J": {D(2019, 12, 1): 0.0539, D(2021, 1, 1): 0.0524, D(2023, 1, 1): 0.0489, D(2024, 1, 1): 0.0479,
          D(2024, 11, 1): 0.0390, D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # K: second home LPR loan of 2021-07-05, 4.65% + 1.20% = 5.85%: 2022: 5.85%; 2023: 5.50%; 2024: 5.40%;
    # Nov 2024: -0.30% -> 3.90%; 2025: 3.30%; 2026: 3.20%.
    "K": {D(2021, 8, 1): 0.0585, D(2023, 1, 1): 0.0550, D(2024, 1, 1): 0.0540, D(2024, 11, 1): 0.0390,
          D(2025, 1, 1): 0.0330, D(2026, 1, 1): 0.0320},
    # L: second home of 2022-03-18, 4.60% + 1.00% = 5.60%, in a city keeping a current floor of LPR + 20 bp
    # (an assumed figure, as Beijing, Shanghai and Shenzhen kept second-home floors): 2023: 5.30%; 2024:
    # 5.20%; Nov 2024: max(-0.30%, +0.20%) = +0.20% -> 4.40%; 2025: 3.80%; 2026: 3.70%.
    "L": {D(2022, 4, 1): 0.0560, D(2023, 1, 1): 0.0530, D(2024, 1, 1): 0.0520, D(2024, 11, 1): 0.0440,
          D(2025, 1, 1): 0.0380, D(2026, 1, 1): 0.0370},
}


def reference(loan):
    """Month by month from the loan's start to 2027-12: (month, rate, balance, payment, interest)."""
    m, bal, n = loan["start"], loan["bal"], loan["term"]
    conv, fixed = loan["kind"] == "conv", loan.get("fixed", False)
    rate = loan["rate"]
    spread = loan.get("spread", 0.0)
    base = rate - spread
    priced = loan["kind"] == "lpr"
    od = loan["orig"]
    rows = []
    while m <= END:
        if conv and m == D(2020, 3, 1):                 # the conversion: spread = rate in force - 4.80%
            if not fixed:                               # (the fixed option: never repriced again)
                priced, base, spread = True, 0.0480, rate - 0.0480
        first_reset = D(2021, 1, 1) if conv else loan["start"]
        if priced:
            if loan.get("anniversary"):                 # the reset dated on the anniversary; one after
                for y in (m.year - 1, m.year):          # the 1st applies from the next month
                    d = D(y, od.month, od.day)
                    applies = D(y, od.month, 1) if od.day == 1 else add_month(D(y, od.month, 1))
                    if applies == m and d >= first_reset and m > loan["start"]:
                        base = lpr(d)
            elif m.month == 1 and m >= first_reset and m > loan["start"]:
                base = lpr(m)
            if m == D(2023, 10, 1) and loan["first"] and od < D(2023, 9, 25):
                spread = min(spread, national_floor(od, True))
            if m == D(2024, 11, 1):
                cf = loan.get("current_floor")
                spread = min(spread, -0.003 if cf is None else max(-0.003, cf))
            rate = base + spread
        r = rate / 12
        pay = bal * r / (1 - (1 + r) ** -n)
        interest = bal * r
        rows.append((m, rate, bal, pay, interest))
        bal -= pay - interest
        n -= 1
        m = add_month(m)
    return rows


def _kw(loan):
    kw = dict(first_home=[loan["first"]], origination_dates=[loan["orig"]], events="standard")
    if loan.get("anniversary"):
        kw.update(reset="anniversary", anniversaries=[loan["orig"]])
    if loan.get("current_floor") is not None:
        kw["current_floors"] = [loan["current_floor"]]
    if loan["kind"] == "conv":
        kw.update(rate_type="benchmark", multipliers=[loan["mult"]], conversion=True,
                  fixed_choice=[loan.get("fixed", False)])
    else:
        kw.update(rate_type="lpr", spreads=[loan["spread"]])
    return kw


def _hand_rate(key, m):
    return [r for d, r in sorted(HAND[key].items()) if d <= m][-1]


@pytest.mark.parametrize("key", sorted(LOANS))
def test_twelve_loans_month_by_month_to_2027(key):
    loan = LOANS[key]
    ref = reference(loan)
    # the reference follows the hand-worked path every month
    assert [r for _, r, *_ in ref] == pytest.approx([_hand_rate(key, m) for m, *_ in ref], abs=1e-12)
    t = mbsxl.loan_rates([loan["bal"]], [loan["rate"]], [loan["term"]], loan["start"], **_kw(loan))
    t = t[t["Date"] <= END]
    assert list(t["Date"]) == [m for m, *_ in ref]
    assert np.abs(t["Rate"].to_numpy() - [r for _, r, *_ in ref]).max() <= 1e-12
    assert np.abs(t["Balance"].to_numpy() - [b for _, _, b, *_ in ref]).max() <= 1e-8
    assert np.abs(t["Payment"].to_numpy() - [p for _, _, _, p, _ in ref]).max() <= 1e-8


def test_the_2024_cut_marks_the_loans_it_moves():
    # Event column: the 2023 floor moves B, C, D, E, G, H; the 2024 cut moves every loan but A and F.
    moved = {}
    for key, loan in LOANS.items():
        t = mbsxl.loan_rates([loan["bal"]], [loan["rate"]], [loan["term"]], loan["start"], **_kw(loan))
        moved[key] = {e for ev in t["Event"] for e in ev.split("; ") if e in ("floor", "cap")}
    assert {k for k, v in moved.items() if "floor" in v} == set("BCDEGH")
    assert {k for k, v in moved.items() if "cap" in v} == set("BCDEGHIJKL")


# ------------------------------------------------------------------------------- one pool in one call
def _state_2023(key):
    """The loan as it stands on 2023-01-01 (from the reference): balance, rate, spread, months left."""
    loan = LOANS[key]
    ref = reference(loan)
    k = [m for m, *_ in ref].index(D(2023, 1, 1))
    _, rate, bal, _, _ = ref[k]
    spread = {"A": -0.0039, "B": 0.0059, "C": 0.0157, "D": 0.0108, "E": 0.0010, "G": 0.0090, "H": 0.0035,
              "I": -0.0020, "J": 0.0059, "K": 0.0120, "L": 0.0100}.get(key)
    return bal, rate, spread, loan["term"] - k


@pytest.mark.parametrize("engine", ["python", "numpy", None])
def test_a_mixed_pool_in_one_call_equals_the_loans_one_by_one(engine):
    # All twelve loans from 2023-01-01 in one call (the converted ones as LPR loans with their converted
    # spreads, F as a fixed loan), their anniversaries, origination dates, homes and floors per loan.
    keys = sorted(LOANS)
    st = [_state_2023(k) for k in keys]
    kw = dict(rate_type=["fixed" if k == "F" else "lpr" for k in keys],
              spreads=[0.0 if s is None else s for _, _, s, _ in st],
              reset=["anniversary" if LOANS[k].get("anniversary") else "january" for k in keys],
              anniversaries=[LOANS[k]["orig"] for k in keys], origination_dates=[LOANS[k]["orig"] for k in keys],
              first_home=[LOANS[k]["first"] for k in keys], events="standard",
              current_floors=[LOANS[k].get("current_floor") for k in keys])
    bal, rate, term = [s[0] for s in st], [s[1] for s in st], [s[3] for s in st]
    pool = mbsxl.loan_rates(bal, rate, term, "2023-01-01", **kw)
    one = lambda x, i: [x[i]] if isinstance(x, list) else x          # noqa: E731
    total_int = np.zeros(60)
    total_prin = np.zeros(60)
    for i, k in enumerate(keys):
        mine = pool[(pool["Loan"] == i + 1) & (pool["Date"] <= END)]
        ref = [r for r in reference(LOANS[k]) if r[0] >= D(2023, 1, 1)]
        assert np.abs(mine["Rate"].to_numpy() - [r[1] for r in ref]).max() <= 1e-12, k
        assert np.abs(mine["Balance"].to_numpy() - [r[2] for r in ref]).max() <= 1e-8, k
        assert np.abs(mine["Payment"].to_numpy() - [r[3] for r in ref]).max() <= 1e-8, k
        total_int += [r[4] for r in ref]
        total_prin += [r[3] - r[4] for r in ref]
        single = mbsxl.loan_cashflows([bal[i]], [rate[i]], [term[i]], start_date="2023-01-01", engine=engine,
                                      **{a: one(x, i) for a, x in kw.items()})
        assert np.abs(single["Gross Interest"].to_numpy()[:60] - [r[4] for r in ref]).max() <= 1e-8, k
    cf = mbsxl.loan_cashflows(bal, rate, term, start_date="2023-01-01", engine=engine, **kw)
    assert np.abs(cf["Gross Interest"].to_numpy()[:60] - total_int).max() <= 1e-8
    assert np.abs(cf["Scheduled Principal"].to_numpy()[:60] - total_prin).max() <= 1e-8


def test_the_benchmark_era_loans_in_one_call_from_2019():
    # A-F and J in one call with the 2020 conversion: each loan's rows equal its own call's (and the reference)
    keys = list("ABCDEFJ")
    L_ = [LOANS[k] for k in keys]
    pool = mbsxl.loan_rates([x["bal"] for x in L_], [x["rate"] for x in L_], [x["term"] for x in L_], "2019-12-01",
                            rate_type="benchmark", multipliers=[x["mult"] for x in L_], conversion=True,
                            fixed_choice=[x.get("fixed", False) for x in L_], first_home=[x["first"] for x in L_],
                            reset=["anniversary" if x.get("anniversary") else "january" for x in L_],
                            anniversaries=[x["orig"] for x in L_], events="standard")
    for i, k in enumerate(keys):
        ref = reference(LOANS[k])
        mine = pool[(pool["Loan"] == i + 1) & (pool["Date"] <= END)]
        assert np.abs(mine["Rate"].to_numpy() - [r[1] for r in ref]).max() <= 1e-12, k
        assert np.abs(mine["Balance"].to_numpy() - [r[2] for r in ref]).max() <= 1e-8, k


# ------------------------------------------------------------------------------- the 2024-11-01 options
def test_a_new_repricing_period_from_a_date():
    # Loan D from 2025-01-01 (3.30% = 3.60% - 0.30%), choosing on 2025-02-01 a 3-month period: resets on
    # 2025-02-01 (reads 3.60%: rate unchanged), 2025-05-01 (3.60%: the 3.50% fixing is 2025-05-20),
    # 2025-08-01 (3.50% -> 3.20%), ...; the 1 January rule stops at the new period's first date.
    t = mbsxl.loan_rates([800_000.0], [0.0330], [240], "2025-01-01", rate_type="lpr", spreads=[-0.003],
                         repricing_periods=[3], repricing_period_dates=["2025-02-01"],
                         index_dates=["2024-10-21", "2025-05-20"], index_rates=[0.036, 0.035])
    r = dict(zip(t["Date"], t["Rate"]))
    assert r[D(2025, 7, 1)] == pytest.approx(0.033, abs=1e-12)
    assert r[D(2025, 8, 1)] == pytest.approx(0.032, abs=1e-12)
    ev = dict(zip(t["Date"], t["Event"]))
    assert [d for d in sorted(ev) if ev[d] == "reset"][:4] == [D(2025, 2, 1), D(2025, 5, 1), D(2025, 8, 1),
                                                              D(2025, 11, 1)]
    # a 12-month period from 2025-06-15 on a January loan: no reset on 1 January 2026, one from July 2025
    # (2025-06-15 reads 3.50%) and from July 2026
    t = mbsxl.loan_rates([800_000.0], [0.0330], [60], "2025-01-01", rate_type="lpr", spreads=[-0.003],
                         repricing_periods=12, repricing_period_dates="2025-06-15",
                         index_dates=["2024-10-21", "2025-05-20", "2025-12-22"], index_rates=[0.036, 0.035, 0.030])
    r = dict(zip(t["Date"], t["Rate"]))
    assert (r[D(2025, 6, 1)], r[D(2025, 7, 1)], r[D(2026, 1, 1)], r[D(2026, 7, 1)]) == \
        pytest.approx((0.033, 0.032, 0.032, 0.027), abs=1e-12)


def test_spread_renegotiation_against_the_national_average():
    # From 2024-11-01 a spread more than 30 bp above the national average spread of new loans may be
    # renegotiated (the issue; shared data README).  Average new-loan spread (a user table, assumed figures):
    # -0.35% from 2025-03-01.  Loans on 2025-01-01 (LPR 3.60%): +0.20% (a city floor kept it there),
    # +0.05%, -0.30%.  On 2025-03-01: +0.20% (55 bp above -0.35%) and +0.05% (40 bp above) are more than
    # 30 bp above: re-set to -0.35% + 0.30% = -0.05%, the first not below its current floor +0.20% (stays
    # +0.20%); -0.30% is 5 bp above: unchanged.  Off by default: without the table the spreads stay.
    kw = dict(rate_type="lpr", spreads=[0.002, 0.0005, -0.003], current_floors=[0.002, None, None])
    rates = [0.036 + s for s in (0.002, 0.0005, -0.003)]
    on = mbsxl.loan_rates([1e5] * 3, rates, [24] * 3, "2025-01-01", average_spread_dates=["2025-03-01"],
                          average_spreads=[-0.0035], **kw)
    off = mbsxl.loan_rates([1e5] * 3, rates, [24] * 3, "2025-01-01", **kw)
    march = on[on["Date"] == D(2025, 3, 1)]
    assert march["Spread"].tolist() == pytest.approx([0.002, -0.0005, -0.003], abs=1e-12)
    assert march["Event"].tolist() == ["", "renegotiation", ""]
    assert off[off["Date"] == D(2025, 3, 1)]["Spread"].tolist() == pytest.approx([0.002, 0.0005, -0.003], abs=1e-12)
    # tolerance as an argument: 10 bp -> -0.25%; the -0.30% loan is 5 bp above: within it
    t = mbsxl.loan_rates([1e5] * 3, rates, [24] * 3, "2025-01-01", average_spread_dates=["2025-03-01"],
                         average_spreads=[-0.0035], renegotiation_tolerance=0.001, **kw)
    assert t[t["Date"] == D(2025, 3, 1)]["Spread"].tolist() == pytest.approx([0.002, -0.0025, -0.003], abs=1e-12)


def test_a_user_event_names_the_floor_it_reads():
    # the same cut read against the origination floor or the current floor: a first home of 2021 (origination
    # floor 0, national) in a city with a current floor of -0.20%
    base = dict(rate_type="lpr", spreads=[0.008], origination_dates=["2021-03-15"], current_floors=[-0.002])
    for floor, want in (("origination", 0.0), ("current", -0.002), ("none", -0.003)):
        t = mbsxl.loan_rates([1e5], [0.0445], [24], "2025-01-01", index_dates=["2024-10-21"], index_rates=[0.0365],
                             events=[["date", "rule", "value", "covers", "floor"],
                                     ["2025-02-01", "cap", -0.003, "all", floor]], **base)
        assert t[t["Date"] == D(2025, 2, 1)]["Spread"].iloc[0] == pytest.approx(want, abs=1e-12), floor


def test_shipped_floor_table_and_events():
    ft = mbsxl.mortgage_floors()
    rows = [(d, f, s) for d, f, s in ft.iloc[:, :3].itertuples(index=False)]
    assert rows[1:4] == [(D(2019, 10, 8), 0.0, 0.006), (D(2022, 5, 15), -0.002, 0.006), (D(2023, 8, 31), -0.002, 0.002)]
    assert rows[4][0] == D(2024, 5, 17) and np.isnan(rows[4][1]) and np.isnan(rows[4][2])
    assert all("下限" in s or "不得低于" in s for s in ft["Source"]) and "reading" in ft["Source"].iloc[0]
    ev = mbsxl.policy_events()
    assert ev[["Covers", "Floor"]].values.tolist() == [["first", "origination"], ["all", "current"]]
    assert "原贷款发放时" in ev["Note"].iloc[0] and "-30个基点" in ev["Note"].iloc[1]


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kw, match", [
    (dict(repricing_periods=[3, 24], repricing_period_dates=["2025-02-01"] * 2),
     r"repricing_periods\[1\] \(loan 2\)=24 is not a repricing period; accepted: a whole number of months 1\.\.12"),
    (dict(repricing_periods=0, repricing_period_dates="2025-02-01"),
     r"repricing_periods \(all loans\)=0 is not a repricing period"),
    (dict(repricing_periods=[6, 6]), r"repricing_periods\[0\] \(loan 1\)=6 needs its repricing_period_dates"),
    (dict(repricing_periods=6, repricing_period_dates="2024-06-01"), r"is before 2024-11-01"),
    (dict(origination_floors=[0.0, 0.015]),
     r"origination_floors\[1\] \(loan 2\)=0.015 .*accepted: a floor spread over LPR 5y in \[-0.02, 0.01\]"),
    (dict(current_floors=[-0.025, None]), r"current_floors\[0\] \(loan 1\)=-0.025 .*\[-0.02, 0.01\]"),
    (dict(current_floors=[1.5, None]), r"current_floors\[0\] \(loan 1\)=1.5 looks like a percent; pass 0.015"),
    (dict(floor_spreads=[0.0, 0.006]), r"floor_spreads is no longer taken .* origination_floors .* current_floors"),
    (dict(events=[["2025-03-01", "cap", -0.003, "all", "city"]]), r"events row 1 floor='city' is not one of"),
    (dict(average_spreads=[-0.0035]), r"average_spread_dates and average_spreads go together"),
    (dict(average_spread_dates=["2024-06-01"], average_spreads=[-0.0035]), r"average_spread_dates\[0\]=2024-06-01 is before"),
])
def test_bad_input_names_argument_loan_and_value(kw, match):
    with pytest.raises(MbsxlInputError, match=match):
        mbsxl.loan_rates([1e5, 1e5], [0.035, 0.035], [36, 36], "2025-01-01", rate_type="lpr", spreads=-0.001, **kw)


# ------------------------------------------------------------------------------- the worksheet functions
def test_worksheet_functions_take_the_new_arguments(tmp_path):
    # Loan L through MBS_LOANRATES with its floors and origination date as cells (a date serial), the events
    # as a five-column range; and the floors table through MBS_MORTGAGEFLOORS.  Recalculated headless.
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula
    from mbsxl.excel.calc import calculate
    loan = LOANS["L"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append([loan["bal"], loan["rate"], loan["term"], loan["start"], loan["spread"], False, 0.002, loan["orig"]])
    ws.append(["date", "rule", "value", "covers", "floor"])
    ws.append([D(2023, 9, 25), "floor", None, "first", "origination"])
    ws.append([D(2024, 10, 25), "上限", -0.003, "全部", "当前"])
    n = len(reference(loan))
    ws["J1"] = ArrayFormula(f"J1:R{n + 1}", "=MBS_LOANRATES(A1,B1,C1,D1,\"lpr\",E1,,,,,A2:E4,F1,,,,,,,G1,H1)")
    ws["T1"] = ArrayFormula("T1:W6", "=MBS_MORTGAGEFLOORS()")
    path = tmp_path / "r.xlsx"
    wb.save(path)
    got = calculate(str(path), progress=False)
    assert not got.errors, got.errors
    ref = reference(loan)
    assert got["S!O1"] == "Rate"                      # a header row, then one row a month
    rates = [got[f"S!O{i + 2}"] for i in range(n)]
    assert np.abs(np.array(rates) - [r[1] for r in ref]).max() <= 1e-12
    assert np.abs(np.array([got[f"S!Q{i + 2}"] for i in range(n)]) - [r[3] for r in ref]).max() <= 1e-8
    assert [got[f"S!U{k}"] for k in range(2, 6)] == [0.0, 0.0, -0.002, -0.002]
    assert got["S!V4"] == 0.006 and got["S!V5"] == 0.002


def test_event_floor_spellings():
    from mbsxl import options as o
    assert [o.event_floor(x, "cap") for x in ("发放时", "当前", "无", None, "")] == \
        ["origination", "current", "none", "current", "current"]
    assert o.event_floor(None, "floor") == "origination"
    with pytest.raises(MbsxlInputError, match=r"events floor='city' is not one of origination"):
        o.event_floor("city", "cap")
    with pytest.raises(MbsxlInputError, match=r"events row 1 floor='none' with rule floor"):
        mbsxl.loan_rates([1e5], [0.035], [36], "2025-01-01", rate_type="lpr", spreads=0.0,
                         events=[["2025-03-01", "floor", None, "all", "none"]])
