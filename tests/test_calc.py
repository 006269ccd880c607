"""Headless recalculation (mbsxl.excel.calc): the bad-input catalogue through a workbook, Excel's own
functions, error propagation, dynamic-array formulas as xlsxwriter writes them, --set overrides, and
recalc_to keeping charts.  Expected values of Excel's built-ins are worked by hand from the cell
inputs (Excel's documented semantics); MBS_ values are compared with the core called directly.
"""
import zipfile

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl.excel.calc import calculate, parse_set, recalc_to

CATALOGUE = {
    # cell: (formula, argument named in the reason, text in the reason)
    "B1": ('=MBS_SMM(A1)', "cpr", "is text, not a number"),                          # text for a number
    "B2": ('=MBS_CASHFLOWS(A2,0.08,360)', "balance", "is empty"),                    # empty required
    "B3": ('=MBS_CASHFLOWS(1000000,A3,360)', "wac=8", "looks like a percent"),       # percent as whole
    "B4": ('=MBS_LOANCASHFLOWS(D1:D3,E1:E4,120)', "rates", "has 4 values but balances has 3"),  # lengths
    "B5": ('=MBS_LOANCASHFLOWS(D1:E3,E1:E3,120)', "balances", "3x2 block; pass a single row or column"),                # block for a column
    "B6": ('=MBS_SMM(A6)', "cpr=1.5", ""),                                            # CPR above 100%
    "B7": ('=MBS_CASHFLOWS(A7,0.08,360)', "balance=-1000", "out of range"),          # negative balance
    "B8": ('=MBS_LOANCASHFLOWS(D1:D3,0.06,120,0,"CPR",0,"CDR",0,0,0,,TRUE,,G1:H2,A8,0.9)', "start_date",
           "a date before 1900"),                                                      # date before 1900
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = "abc"
    ws["A3"] = 8
    ws["A6"] = 1.5
    ws["A7"] = -1000
    ws["A8"] = -3
    for i, (b, r) in enumerate([(1e5, 0.05), (2e5, 0.06), (3e5, 0.07), (4e5, 0.08)], start=1):
        ws[f"D{i}"], ws[f"E{i}"] = b, r
    ws["G1"], ws["H1"] = 39000, 0.0684
    ws["G2"], ws["H2"] = 39500, 0.0747
    for cell, (formula, _, _) in CATALOGUE.items():
        ws[cell] = formula
        ws["C" + cell[1:]] = f"={cell}+1"                        # downstream of the error
    ws["B10"] = "=MBS_SMM(0.06)"                                  # the rest still computes
    ws["B11"] = "=SUM(D1:D4)"
    ws["B12"] = "=IFERROR(B1,-1)"
    ws["B13"] = "=ISERROR(B3)"
    ws["B14"] = "=SUM(B1:B3)"
    ws["B15"] = "=1/0"
    ws["B16"] = "=MBS_SMM(B15)"
    ws["B17"] = ArrayFormula("B17:B19", "=MBS_SMM(A1:A3)")
    ws["B20"] = "=NOSUCHFUNCTION(1)"
    ws["B21"] = "=MBS_LOANCASHFLOWS(D1:D3,0.06,120,0,\"CPR\",0,\"CDR\",0,0,0,,TRUE,,G1:H2,39387,0.9)"
    wb.save(path)
    return calculate(path)


@pytest.mark.parametrize("cell", sorted(CATALOGUE))
def test_bad_input_gives_an_error_with_a_reason(bad, cell):
    formula, arg, text = CATALOGUE[cell]
    v = bad[f"S!{cell}"]
    assert v == "#VALUE!"
    reason = bad.errors[f"S!{cell}"]
    fname = formula[1:formula.index("(")]
    assert reason.startswith(f"{fname}: ") and arg in reason and text in reason, reason
    assert "\n" not in reason and "Traceback" not in reason
    assert bad[f"S!C{cell[1:]}"] == "#VALUE!"                     # =B1+1 propagates the error
    assert bad.errors[f"S!C{cell[1:]}"] == f"from S!{cell}: {reason}"  # ... and says where it came from


def test_the_rest_computes(bad):
    assert bad["S!B10"] == pytest.approx(mbsxl.smm(0.06), rel=1e-15)
    assert bad["S!B11"] == 1e6
    assert bad["S!B12"] == -1
    assert bad["S!B13"] is True
    assert bad["S!B14"] == "#VALUE!"
    assert bad["S!B15"] == "#DIV/0!"
    assert bad["S!B16"] == "#DIV/0!" and "cpr is #DIV/0!" in bad.errors["S!B16"]
    assert [bad[f"S!B{r}"] for r in (17, 18, 19)] == ["#VALUE!"] * 3
    assert bad["S!B20"] in ("#NAME?", "#VALUE!") and bad.errors["S!B20"]
    assert bad["S!B21"] == "Period"                              # the same call with a real date works


def test_excel_builtins(tmp_path):
    path = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data Sheet"                                       # a sheet name that needs quoting
    for i, (a, b, c) in enumerate([(1, 10, "x"), (2, 20, "y"), (3, 30, "x"), (4, 40, "y")], start=1):
        ws[f"A{i}"], ws[f"B{i}"], ws[f"C{i}"] = a, b, c
    f = {"E1": "=SUM(A1:A4)", "E2": "=AVERAGE(B1:B4)", "E3": "=INDEX(B1:B4,3)", "E4": "=SUMPRODUCT(A1:A4,B1:B4)",
         "E5": '=SUMIFS(B1:B4,C1:C4,"x")', "E6": '=COUNTIFS(C1:C4,"y",A1:A4,">2")', "E7": '=IF(E1>5,"big","small")',
         "E8": "=ROUND(E2/7,3)", "E9": "=ABS(-E1)", "E10": "=MAX(A1:B4)", "E11": "=LOOKUP(2.5,A1:A4,B1:B4)",
         "E12": "=MBS_SMM(A1/100)*100", "E13": "=_xlfn.STDEV.S(A1:A4)"}
    for k, v in f.items():
        ws[k] = v
    ws["G1"] = ArrayFormula("G1:H4", "=MBS_SMM(A1:B4/100)")        # an array on a quoted sheet
    ws["J1"] = "=SUM(G1:H4)"
    wb.save(path)
    v = calculate(path)
    smm = [[mbsxl.smm(a / 100), mbsxl.smm(b / 100)] for a, b in ((1, 10), (2, 20), (3, 30), (4, 40))]
    got = [v[f"Data Sheet!{c}{r}"] for r in range(1, 5) for c in "GH"]
    assert got == pytest.approx([x for row in smm for x in row], rel=1e-15)
    assert v["Data Sheet!J1"] == pytest.approx(sum(map(sum, smm)), rel=1e-14)
    assert v["Data Sheet!E1"] == 10 and v["Data Sheet!E2"] == 25 and v["Data Sheet!E3"] == 30
    assert v["Data Sheet!E4"] == 300 and v["Data Sheet!E5"] == 40 and v["Data Sheet!E6"] == 1
    assert v["Data Sheet!E7"] == "big" and v["Data Sheet!E8"] == 3.571 and v["Data Sheet!E9"] == 10
    assert v["Data Sheet!E10"] == 40 and v["Data Sheet!E11"] == 20
    assert v["Data Sheet!E12"] == pytest.approx(100 * mbsxl.smm(0.01), rel=1e-15)
    assert v["Data Sheet!E13"] == pytest.approx(1.2909944487358056, rel=1e-12)   # sqrt(5/3)
    v2 = calculate(path, sets={"'Data Sheet'!A1": 11})
    assert v2["Data Sheet!E1"] == 20


def _xlsxwriter_book(path):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("In")
    money = wb.add_format({"num_format": "#,##0.00", "bg_color": "#FFF2CC"})
    ws.write("A1", "CPR")
    for i in range(5):
        ws.write_number(i + 1, 0, 0.05 * (i + 1), money)
    ws.write_dynamic_array_formula("B2:B6", "=MBS_SMM(A2:A6)")
    ws.write_dynamic_array_formula("C2:C6", "=_xlfn.ANCHORARRAY(B2)*12")
    ws.write_formula("D1", "=SUM(B2#)")
    ws.write_dynamic_array_formula("F1:U361", "=MBS_CASHFLOWS(1000000,0.07,360,A3)")
    ws.write_formula("W1", '=MBS_CASHFLOWS(1000000,8,360)')
    ws.write_formula("W2", "=MBS_VERSION()")
    ws.write_formula("W3", "=A2>0")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=In!$B$2:$B$6"})
    ws.insert_chart("H5", chart)
    wb.close()


def test_dynamic_arrays_prefixes_and_recalc_to(tmp_path):
    src, out = tmp_path / "dyn.xlsx", tmp_path / "dyn_values.xlsx"
    _xlsxwriter_book(src)
    v = recalc_to(src, out, sets={"In!A2": 0.5})
    smm = [mbsxl.smm(x) for x in (0.5, 0.1, 0.15, 0.2, 0.25)]
    assert [v[f"In!B{r}"] for r in range(2, 7)] == pytest.approx(smm, rel=1e-15)
    assert [v[f"In!C{r}"] for r in range(2, 7)] == pytest.approx([12 * s for s in smm], rel=1e-15)
    assert v["In!D1"] == pytest.approx(sum(smm), rel=1e-14)
    df = mbsxl.cashflows(1000000, 0.07, 360, prepay=0.1)
    assert v["In!F1"] == "Period" and v["In!S361"] == pytest.approx(df["Ending Balance"].iloc[-1], abs=1e-6)
    assert v["In!S2"] == pytest.approx(df["Ending Balance"].iloc[0], rel=1e-12)
    assert v["In!W1"] == "#VALUE!" and "wac=8" in v.errors["In!W1"]
    with zipfile.ZipFile(out) as z:                                  # charts and formats survive
        names = z.namelist()
        assert any(n.startswith("xl/charts/chart") for n in names)
        assert any(n.startswith("xl/drawings/drawing") for n in names)
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb["In"]
    assert ws["A2"].value == 0.5 and ws["B2"].value == pytest.approx(smm[0], rel=1e-15)
    assert ws["B6"].value == pytest.approx(smm[4], rel=1e-15)
    assert ws["F1"].value == "Period" and ws["W1"].value == "#VALUE!" and ws["W3"].value is True
    assert ws["W2"].value == mbsxl.__version__
    assert ws["A2"].number_format == "#,##0.00" and ws["A3"].fill.fgColor.rgb.endswith("FFF2CC")
    wbf = openpyxl.load_workbook(out)                                 # formulas kept
    assert "MBS_SMM" in wbf["In"]["B2"].value.text


def test_dynamic_array_spills_as_excel_365_legacy_array_fills(tmp_path):
    """Microsoft, "Dynamic array formulas and spilled array behavior": a dynamic array spills its
    result as it is (an error value stands in the anchor alone; a shorter result leaves the rest of the
    old spill range empty), while a legacy Ctrl+Shift+Enter range repeats a scalar over the range and
    pads a shorter result with #N/A ("Guidelines and examples of array formulas")."""
    path = tmp_path / "spill.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_column("H1", [0.1, 0.2])
    ws.write_dynamic_array_formula("A1:C3", "=MBS_SMM(8)")            # an error: anchor only
    ws.write_array_formula("E1:F2", "{=MBS_SMM(8)}")                   # legacy: the error fills the range
    ws.write_dynamic_array_formula("I1:I4", "=MBS_SMM(H1:H2)")        # 2 results in a 4-cell spill range
    ws.write_array_formula("J1:J4", "{=MBS_SMM(H1:H2)}")
    ws.write_formula("K1", "=ISERROR(A1)")
    wb.close()
    v = calculate(path, progress=False)
    assert v["S!A1"] == "#VALUE!" and "cpr=8 looks like a percent" in v.errors["S!A1"]
    assert all(v[f"S!{c}{r}"] is None for c in "ABC" for r in (1, 2, 3) if (c, r) != ("A", 1))
    assert all(v[f"S!{c}{r}"] == "#VALUE!" for c in "EF" for r in (1, 2))
    smm = [mbsxl.smm(0.1), mbsxl.smm(0.2)]
    assert [v["S!I1"], v["S!I2"]] == pytest.approx(smm, rel=1e-15) and v["S!I3"] is None and v["S!I4"] is None
    assert [v["S!J1"], v["S!J2"]] == pytest.approx(smm, rel=1e-15) and v["S!J3"] == v["S!J4"] == "#N/A"
    assert v["S!K1"] is True


def test_parse_set():
    assert parse_set("Inputs!B2=25%") == ("Inputs!B2", 0.25)
    assert parse_set("'My Sheet'!C3=1,234") == ("'My Sheet'!C3", 1234.0)
    assert parse_set("S!A1=TRUE") == ("S!A1", True)
    assert parse_set('S!A1="PSA"') == ("S!A1", "PSA")
    with pytest.raises(ValueError, match="not a cell address"):
        parse_set("nonsense=1")


def test_values_only_copy(tmp_path):
    """A values-only copy: no formulas left, every computed value in place, the chart kept."""
    src, out = tmp_path / "dyn.xlsx", tmp_path / "dyn_vals.xlsx"
    _xlsxwriter_book(src)
    v = recalc_to(src, out, keep_formulas=False)
    wb = openpyxl.load_workbook(out)
    ws = wb["In"]
    for key, value in v.items():
        cell = ws[key.split("!")[1]]
        assert not (isinstance(cell.value, str) and cell.value.startswith("=")), key
        assert cell.data_type != "f" and not hasattr(cell.value, "text"), key
    assert ws["B2"].value == pytest.approx(mbsxl.smm(0.05), rel=1e-15) and ws["F1"].value == "Period"
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
        assert b"fullCalcOnLoad" not in z.read("xl/workbook.xml")
