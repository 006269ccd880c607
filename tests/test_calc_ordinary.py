"""Ordinary workbooks computed right (issue 11) and ``mbsxl calc --out`` behaving.

Expected values are worked by hand from the cell inputs with Excel's documented semantics:
- a defined name stands for what it names (Microsoft, "Define and use names in formulas"); a
  sheet-scoped name wins over a workbook-scoped one of the same name on its own sheet;
- ``SUM(A:A)`` adds every number of column A (the whole column, rows 1 to 1,048,576);
- the 360-row roll-back ``F[r] = (E[r] + F[r+1]) / (1 + i)`` with ``F[362]`` empty is the present value
  of 360 payments of 100 at i = 1% a period: ``100 * (1 - 1.01**-360) / 0.01`` = 9,721.8331...
  (the annuity formula, e.g. Fabozzi, *Bond Markets*, ch. 2).
"""
import os
import stat

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl.cli import main
from mbsxl.excel.calc import calculate


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("ord") / "o.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 0.05
    ws["A2"] = 3
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="S!$A$1")
    wb.defined_names["Terms"] = DefinedName("Terms", attr_text="S!$A$1:$A$2")
    wb.defined_names["Half"] = DefinedName("Half", attr_text="0.5")
    wb.defined_names["Scope"] = DefinedName("Scope", attr_text="S!$A$2")
    ws["B1"] = "=Rate*2"
    ws["B2"] = "=SUM(Terms)"
    ws["B3"] = "=Half+Rate"
    ws["B4"] = "=Scope"
    t = wb.create_sheet("T")
    t["A1"] = 7
    t.defined_names["Scope"] = DefinedName("Scope", attr_text="T!$A$1")            # sheet scope
    t["B1"] = "=Scope"
    p = wb.create_sheet('Pool "A"')
    p["A1"], p["A2"] = 1.5, 2.5
    b = wb.create_sheet("Bob's")
    b["A1"] = 10
    ws["C1"] = "=SUM('Pool \"A\"'!A1:A2)"
    ws["C2"] = "='Bob''s'!A1*2"
    ws["C3"] = '="line one\nline two"'
    ws["C4"] = '=LEN("a\nb")'
    d = wb.create_sheet("Data")
    d["A1"], d["A5"], d["C1"] = 0.06, 2, 4
    ws["D1"] = "=SUM(Data!A:A)"
    ws["D2"] = "=SUM(Data!1:1)"
    ws["D3"] = "=SUM(Data!A1:XFD1048576)"
    ws["D4"] = "=COUNT(Data!A:C)"
    # one bad array cell never changes a good cell on the same data
    ws["E1"], ws["E2"], ws["E3"] = 0.1, 8, 0.2
    ws["F1"] = ArrayFormula("F1:F3", "=MBS_SMM(E1:E3)")
    ws["G1"] = "=SUM(E1:E3)"
    ws["G2"] = "=SUM(F1:F3)"
    ws["G3"] = "=F1+F3"
    # circular reference and a missing sheet
    ws["H1"] = "=H2+1"
    ws["H2"] = "=H1+1"
    ws["H3"] = "=H1*0+5"
    ws["H4"] = "=Nowhere!A1"
    # the 360-row backward chain (present-value roll-back)
    ws["J1"] = 0.01
    for r in range(2, 362):
        ws[f"K{r}"] = 100
        ws[f"L{r}"] = f"=(K{r}+L{r + 1})/(1+$J$1)"
    ws["M1"] = "=L2"
    ws["M2"] = "=SUM(L2:L361)"
    wb.save(path)
    return calculate(path, progress=False)


def test_defined_names(book):
    assert book["S!B1"] == 0.1
    assert book["S!B2"] == 3.05
    assert book["S!B3"] == 0.55
    assert book["S!B4"] == 3                     # workbook-scoped Scope on sheet S
    assert book["T!B1"] == 7                     # T's own Scope


def test_quoted_sheet_names_and_line_breaks(book):
    assert book["S!C1"] == 4.0
    assert book["S!C2"] == 20
    assert book["S!C3"] == "line one\nline two"
    assert book["S!C4"] == 3


def test_full_column_and_row_references(book):
    assert book["S!D1"] == 2.06
    assert book["S!D2"] == 4.06
    assert book["S!D3"] == 6.06
    assert book["S!D4"] == 3


def test_a_bad_array_cell_changes_no_good_cell(book):
    # MBS_SMM over E1:E3 with one bad input is an error (the function's rule, tests/test_calc.py); the
    # cells reading the data themselves stay good, those reading the error get it, as in Excel
    assert book["S!F2"] == "#VALUE!" and "=8 looks like a percent" in book.errors["S!F2"]
    assert book["S!G1"] == pytest.approx(8.3, rel=1e-15)
    assert book["S!G2"] == "#VALUE!" and book["S!G3"] == "#VALUE!"
    assert book["S!B1"] == 0.1                                        # and the rest of the sheet computes


def test_plain_reasons(book):
    assert book["S!H1"] == "#VALUE!" and book["S!H2"] == "#VALUE!"
    assert "circular reference: S!H" in book.errors["S!H1"] and "cycles=True" not in book.errors["S!H1"]
    assert book["S!H3"] == "#VALUE!"                                  # reads the loop
    assert book["S!H4"] == "#REF!" and "sheet named 'Nowhere'" in book.errors["S!H4"]


def test_360_row_backward_chain(book):
    pv = 100 * (1 - 1.01 ** -360) / 0.01
    assert book["S!M1"] == pytest.approx(pv, rel=1e-12)
    assert pv == pytest.approx(9721.8331, abs=1e-4)
    # sum over the chain: sum_k PV of the remaining (361-k) payments
    assert book["S!M2"] == pytest.approx(sum(100 * (1 - 1.01 ** -n) / 0.01 for n in range(1, 361)), rel=1e-12)


def test_values_in_the_last_row_and_column(tmp_path):
    path = tmp_path / "edge.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    d = wb.create_sheet("Data")
    d["A1"], d["A1048576"], d["B1"], d["XFD1"] = 0.06, 1, 0.5, 2
    ws["A1"] = "=SUM(Data!A:A)"
    ws["A2"] = "=SUM(Data!1:1)"
    ws["A3"] = "=Data!A1048576+Data!XFD1"
    ws["A5"] = "=SUM(Data!A1:XFD1048576)"                             # 17e9 cells: refused, with the reason
    wb.save(path)
    v = calculate(path, progress=False)
    assert v["S!A1"] == 1.06 and v["S!A2"] == 2.56 and v["S!A3"] == 3
    assert v["S!A5"] == 3.06 or "--max-range-cells" in v.errors["S!A5"]


# ------------------------------------------------------------------------------------ --out
@pytest.fixture
def small(tmp_path):
    path = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 2
    ws["B1"] = "=A1*3"
    wb.save(path)
    os.chmod(path, 0o644)
    return path


def test_out_refuses_the_input(small, capsys):
    before = small.read_bytes()
    assert main(["calc", str(small), "--out", str(small), "--values-only"]) == 2
    assert "is the input workbook" in capsys.readouterr().err and small.read_bytes() == before
    assert main(["calc", str(small), "--out", str(small), "--force"]) == 0
    assert openpyxl.load_workbook(small, data_only=True)["S"]["B1"].value == 6


def test_out_names_the_file_and_keeps_permissions(small, tmp_path, capsys):
    out = tmp_path / "copy.xlsx"
    assert main(["calc", str(small), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.xlsx", "in.xlsx"]


def test_out_folder_and_missing_folder(small, tmp_path, capsys):
    assert main(["calc", str(small), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "cannot read" not in err
    missing = tmp_path / "nope" / "copy.xlsx"
    assert main(["calc", str(small), "--out", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"output folder does not exist: {missing.parent}" in err and "cannot read" not in err


def test_out_cleans_up_after_a_failure(small, tmp_path, monkeypatch):
    from mbsxl.excel import _xlsxvalues
    from mbsxl.excel.calc import recalc_to

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(_xlsxvalues, "_edit_sheet", boom)
    with pytest.raises(KeyboardInterrupt):
        recalc_to(small, tmp_path / "copy.xlsx", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_set_formula_flag(small, capsys):
    assert main(["calc", str(small), "--set", "S!A1==2+40", "--json"]) == 0
    assert '"S!B1": "#VALUE!"' in capsys.readouterr().out               # the text "=2+40" times 3
    assert main(["calc", str(small), "--set-formula", "S!A1==2+40", "--json"]) == 0
    assert '"S!B1": 126' in capsys.readouterr().out


def test_out_cleans_up_after_sigterm(small, tmp_path):
    """A run stopped by SIGTERM while writing leaves neither the copy nor a partial file."""
    import signal
    import subprocess
    import sys
    import time
    code = ("import sys, time; from mbsxl.excel import _xlsxvalues as x; real = x._edit_sheet\n"
            "def slow(*a, **k):\n    print('writing', flush=True); time.sleep(60); return real(*a, **k)\n"
            "x._edit_sheet = slow\nfrom mbsxl.cli import main\n"
            f"sys.exit(main(['calc', {str(small)!r}, '--out', {str(tmp_path / 'copy.xlsx')!r}]))\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    line = ""
    while "writing" not in line and time.monotonic() < deadline:
        line = p.stdout.readline()
    assert any(n.name.endswith(".mbsxl-partial") for n in tmp_path.iterdir())
    p.send_signal(signal.SIGTERM)
    assert p.wait(30) == 128 + signal.SIGTERM
    assert sorted(n.name for n in tmp_path.iterdir()) == ["in.xlsx"]
