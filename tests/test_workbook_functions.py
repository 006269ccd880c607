"""Every registered MBS_ function is computed through a workbook (issue 3's acceptance, extended to the
functions of the later issues): openpyxl writes the formulas (array formulas for tables),
``mbsxl.excel.calc.calculate`` recalculates, and the values equal the analytics core called directly
to 1e-12 relative.  This file covers MBS_STRAT, MBS_POOLSUMMARY, MBS_REGRESS, MBS_PREDICT, MBS_LOGIT,
MBS_TRANCHES, MBS_TRANCHESTATS, MBS_COUPONINDEX, MBS_ERROR, MBS_GRID, MBS_BREAKEVEN and MBS_KRD;
test_excel_workbooks.py, test_calc.py and
test_pricing_workbook.py cover the rest, and the last test here fails when a registered function is in
no test workbook.

Outside figures: the Jianyuan 2007-1 class sizes (seed 002: A 3,582,348,600, B 356,154,500,
C 82,381,500, subordinate 139,799,108, summing to the pool's 4,160,683,708, seed 001) and the PBoC
one-year deposit rate, 4.14% from 2007-12-21 (../shared/data/pboc_benchmark_rates.csv), the index of
the senior classes' first reset after the issue date 2007-12-14 (seeds 001, 002).
"""
import datetime as dt
import math
import pathlib
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl.excel.calc import calculate
from mbsxl.excel.registry import functions

ROOT = pathlib.Path(__file__).resolve().parent
REL = 1e-12
N = 60
SIZES = [3_582_348_600, 356_154_500, 82_381_500, 139_799_108]
NAMES = ["A", "B", "C", "Subordinate"]
COUPONS = [0.045, 0.05, 0.06, 0.0]


def _tape():
    rng = np.random.default_rng(2007)
    bal = rng.uniform(5e4, 2.8e6, N).round(2)
    contract = (bal * rng.uniform(1.0, 1.6, N)).round(-3)
    rate = rng.choice([0.0783 * 0.85, 0.0783 * 0.9, 0.0783], N)
    term = rng.integers(12, 360, N)
    y = (rng.uniform(0, 1, N) < 1 / (1 + np.exp(-(term - 180) / 60))).astype(float)   # 0/1 outcome
    return bal, contract, rate, term, y


def _grid(values, sheet, top_left, rows, cols):
    m = re.match(r"([A-Z]+)(\d+)", top_left)
    c0 = openpyxl.utils.column_index_from_string(m.group(1))
    r0 = int(m.group(2))
    return [[values[f"{sheet}!{openpyxl.utils.get_column_letter(c0 + j)}{r0 + i}"] for j in range(cols)]
            for i in range(rows)]


def _same(got, want):
    """One cell against the core's value: numbers to 1e-12 relative, empty as empty, text exactly."""
    if isinstance(want, (float, np.floating)) and math.isnan(want) or want is None:
        return got in (None, "", 0)
    if isinstance(want, (bool, np.bool_)):
        return got == bool(want)
    if isinstance(want, (int, float, np.integer, np.floating)):
        return isinstance(got, (int, float)) and abs(got - want) <= REL * max(abs(got), abs(want), 1e-300)
    return got == want


def _assert_table(values, sheet, top_left, df: pd.DataFrame, header=True):
    rows = [list(df.columns)] if header else []
    rows += [list(r) for r in df.itertuples(index=False, name=None)]
    got = _grid(values, sheet, top_left, len(rows), len(rows[0]))
    bad = [(i, j, got[i][j], rows[i][j]) for i in range(len(rows)) for j in range(len(rows[0]))
           if not _same(got[i][j], rows[i][j])]
    assert not bad, bad[:5]


def _expected(bal, contract, rate, term, y) -> dict:
    """The core called directly: what each table formula must show."""
    x = np.column_stack([rate, term])
    pool = mbsxl.cashflows(sum(SIZES), 0.068, 200, prepay=0.1726, default=0.005, severity=0.3, recovery_lag=12)
    deal = (pool, None, None, NAMES, SIZES, COUPONS, "sequential", 0.1)
    return {"strat": mbsxl.strat(contract, bal, [500000, 1000000, 2000000]),
            "summary": mbsxl.pool_summary(bal, rate, term),
            "predict": mbsxl.predict(bal, x, x[:6]),
            "regress": mbsxl.regress(bal, x, cov_type="HC1").table(),
            "logit": mbsxl.logit(y, term.astype(float)).table(),
            "pool": pool, "tranches": mbsxl.tranches(*deal), "stats": mbsxl.tranche_stats(*deal),
            "history": mbsxl.history(HIST, recovery_lag=1), "backtest": mbsxl.backtest(HIST, 0.1, 0.02),
            "grid": mbsxl.grid(4161683708, 0.068, 200, NAMES, SIZES, COUPONS, "C", 99, [0, 0.2], [0, 0.05], 0.3, 12),
            "breakeven": mbsxl.breakeven(4161683708, 0.068, 200, NAMES, SIZES, COUPONS, "B", 0.2, 0.4, 0.04, 100, 12),
            "krd": mbsxl.krd(pool["Cash Flow"].to_numpy(), [1, 10], [0.02, 0.035], [1, 3, 5, 10])}


def _ref(top_left: str, df: pd.DataFrame) -> str:
    """The range a table with its header row fills from ``top_left``."""
    m = re.match(r"([A-Z]+)(\d+)", top_left)
    c2 = openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(m.group(1)) + df.shape[1] - 1)
    return f"{top_left}:{c2}{int(m.group(2)) + df.shape[0]}"


# a three-period trustee report (MBS_HISTORY, MBS_BACKTEST); rows roll: 1000-10-49.5-5 = 935.5, ...
HIST = pd.DataFrame({"收款期间 Collection period": ["2020-01", "2020-02", "2020-03"],
                     "期初本金余额 Beginning balance": [1000.0, 935.5, 870.0],
                     "计划偿还本金 Scheduled principal": [10.0, 15.5, 20.0],
                     "提前还款额 Prepayment": [49.5, 46.0, 85.0], "违约金额 Defaults": [5.0, 4.0, 5.0],
                     "回收金额 Recoveries": [0.0, 2.0, 3.0], "期末本金余额 Ending balance": [935.5, 870.0, 760.0],
                     "拖欠90天以上 Delinquent 90+ days": [9.355, 17.4, 0.0]})

AT = {"strat": ("F", "A1"), "summary": ("F", "H1"), "predict": ("F", "A20"), "logit": ("F", "A30"),
      "regress": ("F", "A60"),
      "pool": ("Deal", "E1"), "tranches": ("Deal", "V1"), "stats": ("Deal", "AH1"),
      "history": ("Hist", "A10"), "backtest": ("Hist", "A20")}
SCENARIO_AT = {"grid": "AR1", "breakeven": "AR10", "krd": "AR20"}        # MBS_GRID, MBS_BREAKEVEN, MBS_KRD


RATE_DAYS = [dt.date(2019, 12, 31), dt.date(2021, 1, 1), dt.date(2026, 5, 20)]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    bal, contract, rate, term, y = _tape()
    want = _expected(bal, contract, rate, term, y)
    path = tmp_path_factory.mktemp("wb") / "functions.xlsx"
    wb = openpyxl.Workbook()
    t = wb.active
    t.title = "Tape"
    for i in range(N):
        t.append([float(bal[i]), float(contract[i]), float(rate[i]), int(term[i]), float(y[i])])
    f = wb.create_sheet("F")
    d = wb.create_sheet("Deal")
    for i, (n, s, c) in enumerate(zip(NAMES, SIZES, COUPONS), start=1):
        d.cell(i, 1, n)
        d.cell(i, 2, s)
        d.cell(i, 3, c)
    pool = "E1:" + _ref("E1", want["pool"]).split(":")[1]
    h = wb.create_sheet("Hist")
    h.append(list(HIST.columns))
    for row in HIST.itertuples(index=False, name=None):
        h.append(list(row))
    hist = _ref("A1", HIST)
    formulas = {
        "strat": f"=MBS_STRAT(Tape!B1:B{N},Tape!A1:A{N},{{500000;1000000;2000000}})",
        "summary": f"=MBS_POOLSUMMARY(Tape!A1:A{N},Tape!C1:C{N},Tape!D1:D{N})",
        "predict": f"=MBS_PREDICT(Tape!A1:A{N},Tape!C1:D{N},Tape!C1:D6)",
        "logit": f"=MBS_LOGIT(Tape!E1:E{N},Tape!D1:D{N})",
        "regress": f"=MBS_REGRESS(Tape!A1:A{N},Tape!C1:D{N},,TRUE,\"HC1\")",
        "pool": f"=MBS_CASHFLOWS({sum(SIZES)},0.068,200,0.1726,\"CPR\",0.005,\"CDR\",0.3,12)",
        "tranches": f"=MBS_TRANCHES({pool},,,A1:A4,B1:B4,C1:C4,\"sequential\",0.1)",
        "stats": f"=MBS_TRANCHESTATS({pool},,,A1:A4,B1:B4,C1:C4,\"sequential\",0.1)",
        "history": f"=MBS_HISTORY({hist},,,,,,,,,1)",
        "backtest": f"=MBS_BACKTEST({hist},0.1,0.02)",
    }
    for key, text in formulas.items():
        sheet, top_left = AT[key]
        wb[sheet][top_left] = ArrayFormula(_ref(top_left, want[key]), text)
    f["K20"] = ArrayFormula("K20:K31", "=MBS_COUPONINDEX(DATE(2007,12,14),12,\"period\",26)")
    for r, day in enumerate(RATE_DAYS, start=20):                     # date cells in, a column out
        f[f"O{r}"] = day
    f["P20"] = ArrayFormula(f"P20:P{19 + len(RATE_DAYS)}", f"=MBS_RATEINDEX(O20:O{19 + len(RATE_DAYS)})")
    f["Q20"] = "=MBS_RATEINDEX(DATE(2009,1,1),\"lending_over_5y\")"
    f["AC20"] = ArrayFormula("AC20:AE38", "=MBS_LPRSCENARIO(-0.005,3,\"lpr_1y\",\"step\")")   # header + 15 + 3 rows
    f["S20"] = ArrayFormula("S20:AA44", "=MBS_LOANRATES(1000,0.0588,24,DATE(2019,12,1),\"基准\",,,,TRUE,,,,,,,1.2)")
    # scenario analytics (issue 14) on the Deal sheet's classes
    flows = f"Q2:Q{1 + len(want['pool'])}"                       # the pool table's Cash Flow column
    assert "Q" == openpyxl.utils.get_column_letter(5 + list(want["pool"].columns).index("Cash Flow"))
    for key, text in {"grid": "=MBS_GRID(4161683708,0.068,200,A1:A4,B1:B4,C1:C4,\"C\",99,{0;0.2},{0,0.05},0.3,12)",
                      "breakeven": "=MBS_BREAKEVEN(4161683708,0.068,200,A1:A4,B1:B4,C1:C4,\"B\",0.2,0.4,0.04,100,12)",
                      "krd": f"=MBS_KRD({flows},{{1;10}},{{0.02;0.035}},{{1,3,5,10}})"}.items():
        wb["Deal"][SCENARIO_AT[key]] = ArrayFormula(_ref(SCENARIO_AT[key], want[key]), text)
    f["M20"] = "=MBS_SMM(8)"
    f["M21"] = "=MBS_ERROR(M20)"
    wb.save(path)
    return calculate(path, progress=False), want


@pytest.mark.parametrize("key", list(AT))
def test_table_functions_equal_the_core(book, key):
    values, want = book
    _assert_table(values, *AT[key], want[key])


@pytest.mark.parametrize("key", ["grid", "breakeven", "krd"])
def test_scenario_functions_equal_the_core(book, key):
    values, want = book
    _assert_table(values, "Deal", SCENARIO_AT[key], want[key])


def test_coupon_index_and_error(book):
    values, _ = book
    want = mbsxl.coupon_index(dt.date(2007, 12, 14), 12, "period", 26)
    got = [values[f"F!K{r}"] for r in range(20, 32)]
    assert got == pytest.approx(list(want), rel=REL)
    assert got[1] == pytest.approx(0.0414, abs=1e-12)   # period 2 starts 2007-12-26: 4.14% since 2007-12-21
    assert values["F!M20"] == "#VALUE!"
    assert values["F!M21"] == "MBS_SMM: cpr=8 looks like a percent; pass 0.08"


def test_rate_index(book):
    values, _ = book
    got = [values[f"F!P{r}"] for r in range(20, 20 + len(RATE_DAYS))]
    assert got == pytest.approx(list(mbsxl.rate_index(RATE_DAYS)), abs=1e-12)
    assert got[:2] == pytest.approx([0.048, 0.0465], abs=1e-12)       # LPR 5y on 2019-12-31, 2021-01-01
    assert values["F!Q20"] == pytest.approx(0.0594, abs=1e-12)


def test_lpr_scenario(book):
    """LPR 1y history (data/lpr.csv: 15 rows, last 3.00% from 2025-05-20; checked through the 2026-05-20
    fixing), then -50 bp at once: 2.50% on 2026-06-20, -07-20, -08-20 (serials 46193, 46223, 46254)."""
    values, _ = book
    assert values["F!AC20"] == "生效日 Effective Date" and values["F!AE20"] == "来源 Source"
    assert [values[f"F!AC{r}"] for r in (21, 35, 36, 37, 38)] == [43697, 45797, 46193, 46223, 46254]
    assert [values[f"F!AD{r}"] for r in (21, 35)] == pytest.approx([0.0425, 0.03], abs=1e-12)
    assert [values[f"F!AD{r}"] for r in (36, 37, 38)] == pytest.approx([0.025] * 3, abs=1e-12)
    assert [values[f"F!AE{r}"] for r in (35, 36)] == ["LPR fixing", "scenario"]


def test_loan_rates(book):
    """MBS_LOANRATES in a workbook equals the core; the 2020 conversion of a 5.88% loan (1.2 x the 4.90%
    benchmark) reads 4.65% + 1.08% = 5.73% from 1 January 2021 (issue 13)."""
    values, _ = book
    want = mbsxl.loan_rates([1000.0], [0.0588], [24], dt.date(2019, 12, 1), rate_type="benchmark", conversion=True,
                            multipliers=[1.2])
    from mbsxl.excel.convert import date_to_serial
    want["Date"] = [date_to_serial(d) for d in want["Date"]]           # dates show as serial numbers
    want["Event"] = [e or None for e in want["Event"]]                 # an empty text shows as an empty cell
    _assert_table(values, "F", "S20", want)
    assert values["F!X34"] == pytest.approx(0.0573, abs=1e-12)          # row 14 of the table: January 2021


def test_every_registered_function_is_in_a_test_workbook():
    """A function added to the registry must be recalculated through a workbook by some test."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("test_*.py")
                     if re.search(r"\bcalculate\(|\brecalc_to\(", p.read_text(encoding="utf-8")))
    missing = [n for n in functions() if not re.search(rf"=\s*{n}\(", text)]
    assert not missing, f"no test workbook computes {missing}"
