"""Edge cases where the engine gave a value Excel does not (issue 21, s7-edges; mbsxl.excel._fix_edges).
Each workbook is built here, recalculated with ``mbsxl.excel.calc.calculate`` and compared with the
value Microsoft documents for Excel."""
from __future__ import annotations

import time

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from mbsxl.excel.calc import calculate


def _calc(tmp_path, cells, arrays=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for k, v in cells.items():
        ws[k] = v
    for ref, text in arrays:
        ws[ref.split(":")[0]] = ArrayFormula(ref, text)
    p = tmp_path / "edges.xlsx"
    wb.save(p)
    return calculate(p, progress=False)


# ------------------------------------------------------------------- criteria against logicals
# Microsoft, COUNTIF / SUMIF / SUMIFS / COUNTIFS / AVERAGEIF / AVERAGEIFS function pages
# (support.microsoft.com/office/countif-function-e0de10c6-f885-4e71-abb4-1f464816df34 and the others):
# the criterion "defines which cells will be counted" as a number, expression or text; a numeric
# criterion (1, ">0", "1") selects cells holding numbers, and a logical TRUE/FALSE cell is not a number
# (Excel: =COUNTIF({TRUE},1) is 0, =COUNTIF({TRUE},TRUE) is 1). Hand-worked on A1:A4 = TRUE, 1, 2, "x"
# and B1:B4 = 10, 20, 30, 40: the cells matching 1 are A2 only; ">0" A2 and A3; "<>1" A1, A3, A4.
CRITERIA = {
    "C1": ("=SUMIF(A1:A4,1,B1:B4)", 20),
    "C2": ('=COUNTIF(A1:A4,">0")', 2),
    "C3": ('=SUMIFS(B1:B4,A1:A4,">0")', 50),
    "C4": ("=COUNTIFS(A1:A4,1)", 1),
    "C5": ('=AVERAGEIF(A1:A4,">0",B1:B4)', 25),
    "C6": ('=AVERAGEIFS(B1:B4,A1:A4,">=1")', 25),
    "C7": ("=COUNTIF(A1:A4,TRUE)", 1),
    "C8": ('=COUNTIF(A1:A4,"<>1")', 3),
    "C9": ('=SUMIF(A1:A4,"1",B1:B4)', 20),
    "C10": ('=COUNTIF(A1:A4,"<=5")', 2),
    "C11": ('=SUMIF(A1:A4,"TRUE",B1:B4)', 10),
}


def test_numeric_criteria_do_not_match_logicals(tmp_path):
    cells = {"A1": True, "A2": 1, "A3": 2, "A4": "x", "B1": 10, "B2": 20, "B3": 30, "B4": 40}
    cells.update({k: f for k, (f, _) in CRITERIA.items()})
    v = _calc(tmp_path, cells)
    for k, (f, want) in CRITERIA.items():
        assert v[f"S!{k}"] == pytest.approx(want), f


def test_numeric_criteria_fast_path_over_a_long_range(tmp_path):
    # the numpy matcher (mbsxl.excel._pycel_speed) sees the same rule: 300 rows alternating TRUE and
    # 1 -> 150 numbers equal to 1; ">0" matches the 150 ones, "<>1" the 150 logicals
    cells = {f"A{r}": (True if r % 2 else 1) for r in range(1, 301)}
    cells.update({"C1": '=COUNTIF(A1:A300,">0")', "C2": '=COUNTIFS(A1:A300,"<>1")',
                  "C3": '=SUMIFS(A1:A300,A1:A300,">=1")'})
    v = _calc(tmp_path, cells)
    assert (v["S!C1"], v["S!C2"], v["S!C3"]) == (150, 150, 150)


# ------------------------------------------------------------------- 32,767 characters of text
# Microsoft, "Excel specifications and limits" (support.microsoft.com/office/excel-specifications-and-
# limits-1672b34d-7043-467e-8e27-269d656771c3): "Total number of characters that a cell can contain:
# 32,767 characters". Microsoft, REPT function (support.microsoft.com/office/rept-function-04c4d778-
# e712-43b4-9c15-d656582bb061): "The result of the REPT function cannot be longer than 32,767
# characters, or REPT returns #VALUE!"; number_times must be a positive number (negative -> #VALUE!).
TEXT = {
    "E1": ('=LEN(REPT("ab",40000))', "#VALUE!"),
    "E2": ('=REPT("a",-1)', "#VALUE!"),
    "E3": ('=LEN(REPT("a",20000)&REPT("b",20000))', "#VALUE!"),
    "E4": ('=LEN(CONCATENATE(REPT("a",20000),REPT("b",20000)))', "#VALUE!"),
    "E5": ('=LEN(CONCAT(REPT("a",20000),REPT("b",20000)))', "#VALUE!"),
    "E6": ('=LEN(TEXTJOIN(",",TRUE,REPT("a",20000),REPT("b",20000)))', "#VALUE!"),
    "E7": ('=LEN(SUBSTITUTE(REPT("a",20000),"a","bb"))', "#VALUE!"),
    "E8": ('=LEN(REPT("ab",16384))', "#VALUE!"),          # 32,768 characters: one too many
    "E9": ('=LEN(REPT("a",32767))', 32767),               # exactly the limit
    "E10": ('=LEN(REPT("a",16383)&REPT("b",16384))', 32767),
    "E11": ('=REPT("ab",2.9)', "abab"),                    # number_times truncated
    "E12": ('=REPT("a",0)', ""),
    "E13": ('=REPT(1.5,2)&"|"&REPT(TRUE,1)', "1.51.5|TRUE"),
    "E14": ('=LEN(REPLACE(REPT("a",30000),1,0,REPT("b",5000)))', "#VALUE!"),
    "E15": ('=LEN(REPLACE(REPT("a",30000),1,5000,"b"))', 25001),
    # Microsoft, TEXTJOIN function (support.microsoft.com/office/textjoin-function-357b449a-ec91-49d0-
    # 80c3-0e8fc845691c): ignore_empty "If TRUE, ignores empty cells" (an empty text too)
    "E16": ('=TEXTJOIN(",",TRUE,"",5,{"","a"})', "5,a"),
    "E17": ('=TEXTJOIN(",",FALSE,"",5)', ",5"),
}


def test_text_longer_than_a_cell_is_value_error(tmp_path):
    v = _calc(tmp_path, {k: f for k, (f, _) in TEXT.items()})
    for k, (f, want) in TEXT.items():
        assert v[f"S!{k}"] == want, f


def test_rept_checks_the_size_before_allocating(tmp_path):
    # issue 21: REPT("a",1E10) was one 10 GB allocation; the limit is checked first, so it ends at once
    t = time.perf_counter()
    v = _calc(tmp_path, {"A1": '=REPT("a",1E10)', "A2": '=LEN(REPT("a",1E10))', "A3": '=REPT("ab",3)'})
    assert time.perf_counter() - t < 30
    assert (v["S!A1"], v["S!A2"], v["S!A3"]) == ("#VALUE!", "#VALUE!", "ababab")


# ------------------------------------------------------------------ ranges below the used rows
# Microsoft, COUNTA function (support.microsoft.com/office/counta-function-7dc98875-d5c1-46f1-9a82-
# 53f3219e2509): "The COUNTA function does not count empty cells"; SUM, COUNT, MAX, MIN, AVERAGE pages:
# empty cells in a reference are ignored; MAX/MIN "If the arguments contain no numbers, MAX returns 0";
# AVERAGE of no numbers is #DIV/0!. A range wholly below the sheet's used rows is a range of empty
# cells, not an empty value. Hand-worked: A1:A3 = 1, 2, 3; D1000:D1001 empty.
BELOW = {
    "B1": ("=COUNTA(D1000:D1001,A3)", 1),
    "B2": ("=SUM(D1000:D1001,A3)", 3),
    "B3": ("=COUNT(D1000:D1001,A3)", 1),
    "B4": ("=MAX(D1000:D1001,A3)", 3),
    "B5": ("=MIN(D1000:D1001,A3)", 3),
    "B6": ("=AVERAGE(D1000:D1001,A3)", 3),
    "B7": ("=COUNTA(D1000:D1001)", 0),
    "B8": ("=MAX(D1000:E1001)", 0),
    "B9": ("=AVERAGE(D1000:D1001)", "#DIV/0!"),
    "B10": ("=COUNTBLANK(D1000:D1001)", 2),
    "B11": ("=SUM(T!D1000:D1001,A2)", 2),           # another, empty sheet
}


def test_ranges_below_the_used_rows_are_empty_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    wb.create_sheet("T")
    for r, x in enumerate((1, 2, 3), start=1):
        ws[f"A{r}"] = x
    for k, (f, _) in BELOW.items():
        ws[k] = f
    p = tmp_path / "below.xlsx"
    wb.save(p)
    v = calculate(p, progress=False)
    for k, (f, want) in BELOW.items():
        assert v[f"S!{k}"] == pytest.approx(want) if not isinstance(want, str) else v[f"S!{k}"] == want, f


# ------------------------------------------------------------- one-cell Ctrl+Shift+Enter formulas
# Microsoft, "Guidelines and examples of array formulas" (support.microsoft.com/office/guidelines-and-
# examples-of-array-formulas-7d94a64e-3ff3-4686-9372-ecfd5caa57c7): a single-cell array formula
# "performs multiple calculations to generate a single result", e.g. {=SUM(B2:B6*C2:C6)} multiplies
# each pair and adds the products; a formula returning an array in one cell shows its first element.
# Hand-worked on A1:A3 = 1, 2, 3 and B1:B3 = 4, 5, 6.
ONE_CELL = {
    "D1": ("=SUM(A1:A3*B1:B3)", 32),                 # 4 + 10 + 18
    "D2": ("=MAX(B1:B3-A1:A3)", 3),
    "D3": ("=AVERAGE(A1:A3*2)", 4),
    "D4": ("=SUM(IF(A1:A3>1,B1:B3))", 11),
    "D5": ("=MIN(IF(A1:A3>1,B1:B3))", 5),
    "D6": ("=SUM(LEN(A1:A3&\"xx\"))", 9),
    "D7": ("=A1:A3*10", 10),                           # an array result: its first element
    "D8": ("=INDEX(A1:A3*B1:B3,3)", 18),
    "D9": ("=COUNT(1/(A1:A3>1))", 2),
    "D10": ("=SUM(COUNTIF(A1:A3,A1:A3))", 3),          # each value once: 1 + 1 + 1
    "D11": ("=SUM(SUMIF(A1:A3,A1:A3,B1:B3))", 15),     # 4 + 5 + 6
    "D12": ('=TEXTJOIN(",",TRUE,IF(A1:A3>1,B1:B3,""))', "5,6"),
}


def test_one_cell_array_formula_computes_the_whole_array(tmp_path):
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": 4, "B2": 5, "B3": 6}
    v = _calc(tmp_path, cells, [(k, f) for k, (f, _) in ONE_CELL.items()])
    for k, (f, want) in ONE_CELL.items():
        assert v[f"S!{k}"] == (want if isinstance(want, str) else pytest.approx(want)), f


# ------------------------------------------------------------- array constants over several cells
# Microsoft, "Use array constants in array formulas" (support.microsoft.com/office/use-array-constants-
# in-array-formulas-477443ea-5e71-4242-877d-fd2ef1a7ac1a): select five cells of a row, type
# ={1,2,3,4,5} and press Ctrl+Shift+Enter: the cells hold 1, 2, 3, 4, 5; a semicolon starts a new row.
def test_array_constant_entered_over_several_cells_spreads(tmp_path):
    v = _calc(tmp_path, {}, [("A1:C1", "={TRUE,FALSE,TRUE}"), ("A2:E2", "={1,2,3,4,5}"),
                             ("A3:B3", "={1,2}+{3,4}"), ("A4:A6", "={1;2;3}"), ("A7:B8", "={1,2;3,4}"),
                             ("A9:C10", '={"a","b","c"}'), ("A11", "={7,8,9}")])
    assert [v[f"S!{c}1"] for c in "ABC"] == [True, False, True]
    assert [v[f"S!{c}2"] for c in "ABCDE"] == [1, 2, 3, 4, 5]
    assert [v["S!A3"], v["S!B3"]] == [4, 6]
    assert [v[f"S!A{r}"] for r in (4, 5, 6)] == [1, 2, 3]
    assert [v["S!A7"], v["S!B7"], v["S!A8"], v["S!B8"]] == [1, 2, 3, 4]
    # a one-row array over two rows repeats its row (same guidelines page: a single row fills down)
    assert [v[f"S!{c}{r}"] for r in (9, 10) for c in "ABC"] == ["a", "b", "c"] * 2
    assert v["S!A11"] == 7                             # one cell: the first element


def test_overflow_inside_a_formula_is_num(tmp_path):
    # Excel's largest number is 1.7976931348623158E+308 ("Excel specifications and limits", Microsoft
    # support): a sum past it is #NUM!, and so is any formula built on it.  Here the engine's SUM gave an
    # integer beyond a float's range and the division failed (found by test_columnar's random tapes).
    import openpyxl
    from mbsxl.excel.calc import calculate
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r in range(1, 4):
        ws.cell(r, 1, "=-1E+308")
    ws["B1"] = "=SUM(A1:A3)"
    ws["B2"] = "=SUM(A1:A3)/2"
    ws["B3"] = "=A1/2"
    p = tmp_path / "ov.xlsx"
    wb.save(p)
    v = calculate(str(p), progress=False)
    assert v["S!B1"] == "#NUM!" and v["S!B2"] == "#NUM!"
    assert v["S!B3"] == -5e307
