"""The template workbooks/lpr_repricing.xlsx: current, recalculating to its stored values, and its figures
checked against the rules written out here (not against mbsxl's output).

Outside figures and rules: ``shared/data/lpr.csv`` (read with the csv module; the NIFC fixings) and the
data README / issue 13: the 2020 conversion (spread = the rate in force - 4.80%, the December 2019 LPR 5y;
rate unchanged in 2020; first reset on 1 January 2021 at the LPR 5y in force that day), the 2023-09-25
first-home cut to the floor of the loan's city at origination, the 2024-10-25 cut of every loan to LPR 5y - 30 bp
(not below the city's current floor; issue 18);
the PBoC over-5-year benchmark 4.90% (in force from 2015-10-24); level payment recomputed at each
rate change over the months left (annuity formula below).  Timing of a mid-month event: from the next
month (mbsxl.rates.repricing's stated convention).  Class shares: Jianyuan 2007-1 (seed 002).
"""
from __future__ import annotations

import csv
import datetime as dt
import os

import openpyxl
import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

calc = pytest.importorskip("mbsxl.excel.calc")

from mbsxl import columns as C  # noqa: E402
from mbsxl.templates import build_all, lpr_repricing as t  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WB = os.path.join(ROOT, "workbooks")
PATH = os.path.join(WB, t.FILENAME)
CSV = os.path.join(ROOT, "mbsxl", "data", "lpr.csv")
t.layout()                                   # the template's rows that depend on its data


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(PATH, data_only=True)


@pytest.fixture(scope="module")
def values():
    return calc.calculate(PATH, progress=False)


def _v(book, sheet, r, c):
    return book[sheet][xl_rowcol_to_cell(r, c)].value


def _lpr_in_force(day):
    with open(CSV, encoding="utf-8") as fh:
        rows = [(dt.date.fromisoformat(r["effective_date"]), float(r["lpr_1y"]), float(r["lpr_5y"]))
                for r in csv.DictReader(fh)]
    return [r for r in rows if r[0] <= day][-1]


def test_template_is_current():
    res = build_all(WB, check=True, only=[t.FILENAME])
    assert res[t.FILENAME] == "current", res[t.FILENAME] if isinstance(res[t.FILENAME], str) else res[t.FILENAME][:10]


def test_recalculates_to_stored_values(values):
    stored = {}
    f = openpyxl.load_workbook(PATH)
    v = openpyxl.load_workbook(PATH, data_only=True)
    for ws in f.worksheets:
        for row in ws.iter_rows():
            for c in row:
                text = getattr(c.value, "text", c.value)
                if isinstance(text, str) and text.startswith("="):
                    stored[f"{ws.title}!{c.coordinate}"] = v[ws.title][c.coordinate].value
    assert len(stored) > 100
    got = {k.replace("'", ""): x for k, x in values.items()}
    errors = [k for k, x in got.items() if isinstance(x, str) and x.startswith("#")]
    assert not errors, errors[:5]
    for k, s in stored.items():
        g = got[k]
        if isinstance(s, (int, float)) and not isinstance(s, bool):
            assert g == pytest.approx(s, rel=1e-9, abs=1e-9), k
        elif isinstance(s, dt.datetime):
            continue                                  # a date cell read back as a datetime; its serial is compared above
        else:
            assert g == s or (g in (None, "") and s in (None, "")), k


def test_lpr_history_is_the_published_table(book):
    days = t._month_ends(t.HIST_FIRST, t.HIST_LAST)
    assert len(days) == 82 and days[0] == dt.date(2019, 8, 31) and days[-1] == dt.date(2026, 5, 31)
    for k, d in enumerate(days):
        _, one, five = _lpr_in_force(d)
        assert _v(book, t.HIST, t.R_HIST + k, 1) == pytest.approx(one, abs=1e-12), d
        assert _v(book, t.HIST, t.R_HIST + k, 2) == pytest.approx(five, abs=1e-12), d
    assert _v(book, t.HIST, t.R_HIST + 4, 2) == 0.048          # December 2019: 4.80%, the conversion base
    assert _v(book, t.HIST, t.R_HIST + 81, 1) == 0.03 and _v(book, t.HIST, t.R_HIST + 81, 2) == 0.035


def _annuity(balance, annual_rate, months):
    r = annual_rate / 12
    return balance * r / (1 - (1 + r) ** -months)


def _roll(balance, annual_rate, payment, months):
    r = annual_rate / 12
    for _ in range(months):
        balance = balance * (1 + r) - payment
    return balance


def test_one_loan_by_the_rules(book):
    """5.88% (4.90% x 1.2), 1,000,000 yuan, 300 months from 2019-12-01, first home originated 2016-06-15
    (before the LPR reform), no current floor.  Issue 18 corrected the example (it entered the 2023 cut as a
    cap at LPR - 20 bp because the engine kept one floor a loan):
    - notice of 2023-08-31: the spread "不得低于原贷款发放时所在城市首套房贷款利率政策下限" (not below the
      first-home floor of the city when the loan was originated); for a pre-reform loan mbsxl reads the
      2019-10-08 floor, LPR 5y + 0 (data/mortgage_floors.csv): spread 1.08% -> 0 from October 2023;
    - announcement of 2024-09-29: spreads above -30 bp "统一调整为不低于-30个基点" (to -30 bp), not below the
      city's current floor (none here): spread 0 -> -0.30% from November 2024."""
    rows = [[_v(book, t.LOAN, t.R_RULE + 1 + i, j) for j in range(11)] for i in range(len(t.RULE_ROWS))]
    dates = [r[0].date() for r in rows]            # input and formula date cells
    assert dates == [dt.date(2019, 12, 1), dt.date(2020, 3, 1), dt.date(2021, 1, 1), dt.date(2022, 1, 1),
                     dt.date(2023, 1, 1), dt.date(2023, 10, 1), dt.date(2024, 1, 1), dt.date(2024, 11, 1),
                     dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    spread = 0.0588 - 0.0480                                   # the conversion: 1.08%
    lpr = {d: _lpr_in_force(d)[2] for d in dates}
    assert (lpr[dt.date(2021, 1, 1)], lpr[dt.date(2023, 1, 1)], lpr[dt.date(2024, 1, 1)],
            lpr[dt.date(2025, 1, 1)], lpr[dt.date(2026, 1, 1)]) == (0.0465, 0.043, 0.042, 0.036, 0.035)
    want_rate = [0.0588, 0.0588, 0.0465 + spread, 0.0465 + spread, 0.0430 + spread,
                 0.0430 + 0.0,                                 # 2023 cut: spread to 0, LPR of the period 4.30%
                 0.0420 + 0.0,                                 # 1 Jan 2024: 4.20% + 0
                 0.0420 - 0.0030,                              # 2024 cut: -0.30%, LPR of the period 4.20%
                 0.0360 - 0.0030, 0.0350 - 0.0030]
    got_rate = [r[4] for r in rows]
    assert got_rate == pytest.approx(want_rate, abs=1e-12)
    assert got_rate[2] == pytest.approx(0.0573, abs=1e-12)     # issue 13: 4.65% + 1.08% = 5.73%
    assert rows[1][3] == pytest.approx(0.0108, abs=1e-12)      # the converted spread
    assert [r[3] for r in rows[2:5]] == pytest.approx([0.0108] * 3, abs=1e-12)
    # level payment recomputed at each change over the months left, the balance rolled month by month
    bal, months, pay = 1_000_000.0, 300, None
    prev = dates[0]
    for k, d in enumerate(dates):
        gap = (d.year - prev.year) * 12 + d.month - prev.month
        if k:
            bal = _roll(bal, want_rate[k - 1], pay, gap)
            months -= gap
        pay = _annuity(bal, want_rate[k], months)
        assert rows[k][5] == months, d
        assert rows[k][6] == pytest.approx(bal, rel=1e-9), d
        assert rows[k][7] == pytest.approx(pay, rel=1e-9), d
        prev = d
    assert round(rows[0][7], 2) == 6369.86 and round(rows[2][7], 2) == 6281.81
    # the engine's path (MBS_LOANRATES) beside the rules: the same rates and payments on every step
    assert [r[8] for r in rows] == pytest.approx(want_rate, abs=1e-12)
    assert [r[9] for r in rows] == pytest.approx([r[7] for r in rows], rel=1e-9)
    assert all(r[10] is True for r in rows)


def test_scenario_paths(book):
    n = t.N_PATH
    ends = [_v(book, t.PATHS, t.R_PATH + n, 4 * s + 1) for s in range(3)]
    assert ends == pytest.approx([0.035, 0.030, 0.040], abs=1e-12)      # 3.50% flat, -50 bp, +50 bp after 24 months
    assert _v(book, t.PATHS, t.R_PATH + n - 24, 4 * 1 + 2) == C.SOURCE_FIXING
    assert _v(book, t.PATHS, t.R_PATH + n - 23, 4 * 1 + 2) == C.SOURCE_SCENARIO


def test_excess_spread_and_cpr_by_definition(book):
    """Excess spread = net interest - fees/12 x pool beginning balance - interest due of A, B, C (coupon/12 x the
    class's beginning balance, classes paid down sequentially by the pool's total principal; no defaults here);
    annual rate = x 12 / pool beginning balance; CPR = 1 - (1 - SMM)^12 -- the waterfall redone by hand from the
    stored pool tables."""
    fees = _v(book, t.SCEN, t.P["fees"], 1)
    classes = [(_v(book, t.SCEN, t.P["classes"] + k, 2), _v(book, t.SCEN, t.P["classes"] + k, 3)) for k in range(4)]
    assert [c[1] for c in classes] == [0.02, 0.024, 0.028, 0.0]
    h = t.R_SC_HEAD
    head = [_v(book, t.FLOWS, t.FLOW_HEAD, j) for j in range(t.NCOL_POOL)]
    means = []
    for s in range(3):
        c0, sc = t._flow_c0(s), t._sc_c0(s)
        bal = [c[0] for c in classes]
        for m in range(1, t.SHOW + 1):
            row = {name: _v(book, t.FLOWS, t.FLOW_HEAD + m, c0 + j) for j, name in enumerate(head)}
            due = sum(bal[k] * classes[k][1] / 12 for k in range(3))
            es = row[C.NET_INTEREST] - fees / 12 * row[C.BEGINNING_BALANCE] - due
            assert _v(book, t.SCEN, h + m, sc + 2) == pytest.approx(es, rel=1e-8, abs=1e-6), (s, m)
            assert _v(book, t.SCEN, h + m, sc + 3) == pytest.approx(es * 12 / row[C.BEGINNING_BALANCE], rel=1e-8)
            assert _v(book, t.SCEN, h + m, sc + 1) == pytest.approx(1 - (1 - row[C.SMM]) ** 12, rel=1e-9)
            paid = row[C.TOTAL_PRINCIPAL]
            for k in range(4):                                  # sequential: A, then B, C, the subordinate class
                x = min(paid, bal[k])
                bal[k] -= x
                paid -= x
        means.append(_v(book, t.SCEN, h + t.SHOW + 1, sc + 3))
    assert means[1] < means[0] < means[2]                     # lower LPR, lower excess spread (fixed coupons)


def test_rate_incentive_raises_cpr_when_new_loans_get_cheaper(book):
    """Months 2-7 (July-December 2026): old loans keep their rates until 1 January while the new-loan rate
    follows the path, so the -50 bp path prepays faster than flat, and +50 bp slower."""
    h = t.R_SC_HEAD
    for m in range(2, 8):
        flat, down, up = (_v(book, t.SCEN, h + m, t._sc_c0(s) + 1) for s in range(3))
        assert down > flat > up, m
