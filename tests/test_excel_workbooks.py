"""Every worksheet function of mbsxl/excel/functions/core.py through a workbook: openpyxl writes the
formulas (single cells and array formulas), mbsxl.excel.calc.calculate recalculates, and the values
equal the analytics core called directly to 1e-12 relative (the Excel layer adds no arithmetic).
One anchor from outside the project: SIFMA Standard Formulas (SF-5/SF-6): 100% PSA reaches 6% CPR at
month 30, and a 6% CPR is an SMM of 0.5143%.
"""
import numpy as np
import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl.excel.calc import calculate

REL = 1e-12


def close(a, b):
    return abs(a - b) <= REL * max(abs(a), abs(b), 1e-300)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "core.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    cprs = [0.0, 0.06, 0.1, 0.25, 0.4179, 0.99]
    for i, c in enumerate(cprs, start=1):
        ws.cell(i, 1, c)                      # A: CPR
        ws.cell(i, 2, i * 7)                  # B: age
        ws.cell(i, 3, 100.0 * i)              # C: prepayment amount
        ws.cell(i, 4, 100000.0 * i)           # D: beginning balance
        ws.cell(i, 5, 800.0 * i)              # E: scheduled principal
    f = wb.create_sheet("F")
    for i in range(1, 7):
        f[f"A{i}"] = f"=MBS_SMM(Inputs!A{i})"
        f[f"B{i}"] = f"=MBS_CPR(A{i})"
        f[f"C{i}"] = f"=MBS_MDR(Inputs!A{i}/10)"
        f[f"D{i}"] = f"=MBS_CDR(C{i})"
        f[f"E{i}"] = f"=MBS_PSA(Inputs!B{i},150)"
        f[f"F{i}"] = f"=MBS_SDA(Inputs!B{i}*3)"
        f[f"G{i}"] = f"=MBS_SMM(Inputs!C{i},Inputs!D{i},Inputs!E{i})"
        f[f"H{i}"] = f"=MBS_CPR(Inputs!C{i},Inputs!D{i},Inputs!E{i})"
    f["J1"] = ArrayFormula("J1:J6", "=MBS_SMM(Inputs!A1:A6)")
    f["K1"] = ArrayFormula("K1:L3", "=MBS_MDR(Inputs!A1:B3/1000)")
    f["O1"] = ArrayFormula("O1:O6", "=MBS_PSA(Inputs!B1:B6,150)")
    f["M1"] = ArrayFormula("M1:M6", "=MBS_CPR(Inputs!C1:C6,Inputs!D1:D6,Inputs!E1:E6)")
    f["N1"] = "=MBS_VERSION()"
    f["N2"] = "=MBS_PSA(30)"
    f["N3"] = "=MBS_SMM(0.06)"
    f["N4"] = "=SUM(J1:J6)"
    cf = wb.create_sheet("CF")
    cf["A1"] = ArrayFormula("A1:P361", "=MBS_CASHFLOWS(1000000,0.0783,360,150,\"PSA\",0.01,\"CDR\",0.4,6,0.005,10)")
    tape = wb.create_sheet("Tape")
    rng = np.random.default_rng(7)
    n = 40
    bal = rng.uniform(5e4, 1e6, n)
    rate = rng.uniform(0.05, 0.08, n)
    term = rng.integers(12, 240, n)
    age = rng.integers(0, 60, n)
    for i in range(n):
        tape.append([float(bal[i]), float(rate[i]), int(term[i]), int(age[i])])
    lc = wb.create_sheet("LCF")
    lc["A1"] = ArrayFormula("A1:P241", f"=MBS_LOANCASHFLOWS(Tape!A1:A{n},Tape!B1:B{n},Tape!C1:C{n},0.12,\"CPR\","
                                       f"0.02,\"CDR\",0.3,3,0.0025,Tape!D1:D{n},FALSE,\"level_principal\")")
    lc["R1"] = "=SUM(M2:M241)"
    wb.save(path)
    return {"values": calculate(path), "cprs": cprs, "tape": (bal, rate, term, age)}


def test_conversions_and_curves(book):
    v, cprs = book["values"], book["cprs"]
    for i, c in enumerate(cprs, start=1):
        smm = mbsxl.smm(c)
        assert close(v[f"F!A{i}"], smm)
        assert close(v[f"F!B{i}"], mbsxl.cpr(smm))
        assert close(v[f"F!C{i}"], mbsxl.mdr(c / 10))
        assert close(v[f"F!D{i}"], mbsxl.cdr(mbsxl.mdr(c / 10)))
        assert close(v[f"F!E{i}"], mbsxl.psa(i * 7, 150))
        assert close(v[f"F!F{i}"], mbsxl.sda(i * 21))
        assert close(v[f"F!G{i}"], mbsxl.smm(100.0 * i, 100000.0 * i, 800.0 * i))
        assert close(v[f"F!H{i}"], mbsxl.cpr(100.0 * i, 100000.0 * i, 800.0 * i))
        assert close(v[f"F!J{i}"], mbsxl.smm(c))
        assert close(v[f"F!M{i}"], mbsxl.cpr(100.0 * i, 100000.0 * i, 800.0 * i))
    for r in range(3):                                   # a 2-D block keeps its shape
        assert close(v[f"F!K{r + 1}"], mbsxl.mdr(cprs[r] / 1000))
        assert close(v[f"F!L{r + 1}"], mbsxl.mdr((r + 1) * 7 / 1000))
    for i in range(1, 7):
        assert close(v[f"F!O{i}"], mbsxl.psa(i * 7, 150))
    assert v["F!N1"] == mbsxl.__version__
    assert round(v["F!N2"], 10) == 0.06                  # SF-6: 100% PSA at month 30
    assert round(v["F!N3"], 6) == 0.005143                # SF-5: 6% CPR -> 0.5143% SMM
    assert close(v["F!N4"], sum(mbsxl.smm(c) for c in cprs))
    assert not v.errors or all(not k.startswith("F!") for k in v.errors)


def test_cashflows_table(book):
    v = book["values"]
    df = mbsxl.cashflows(1000000, 0.0783, 360, prepay=150, prepay_type="PSA", default=0.01, default_type="CDR",
                         severity=0.4, recovery_lag=6, servicing=0.005, age=10)
    cols = "ABCDEFGHIJKLMNOP"
    assert [v[f"CF!{c}1"] for c in cols] == list(mbsxl.COLUMNS)
    for r in (0, 1, 59, 200, 359):
        for j, name in enumerate(mbsxl.COLUMNS):
            got, want = v[f"CF!{cols[j]}{r + 2}"], float(df[name].iloc[r])
            assert close(got, want), (r, name, got, want)


def test_loan_cashflows_table(book):
    v = book["values"]
    bal, rate, term, age = book["tape"]
    df = mbsxl.loan_cashflows(bal, rate, term, prepay=0.12, prepay_type="CPR", default=0.02, default_type="CDR",
                              severity=0.3, recovery_lag=3, servicing=0.0025, ages=age, advance=False,
                              amortization="level_principal")
    cols = "ABCDEFGHIJKLMNOP"
    assert [v[f"LCF!{c}1"] for c in cols] == list(mbsxl.COLUMNS)
    T = len(df)
    for r in range(T):
        for j, name in enumerate(mbsxl.COLUMNS):
            got, want = v[f"LCF!{cols[j]}{r + 2}"], float(df[name].iloc[r])
            assert close(got, want), (r, name, got, want)
    # rows below the table inside the fixed range are #N/A, as Excel fills an oversized array range
    if T < 240:
        assert v[f"LCF!A{T + 2}"] == "#N/A"
        assert v["LCF!R1"] == "#N/A"
