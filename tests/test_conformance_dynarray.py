"""Excel 365's array functions in the headless engine (issue 21): GROUPBY, PIVOTBY, PERCENTOF and the
array-shaping functions (mbsxl/excel/_fn_dynarray.py, mbsxl/excel/_fn_groupby.py).

Expected values are Microsoft Excel's: the values Excel cached in the ``formulas`` project's test
workbook (tests/conformance/workbooks/formulas/test__test_files__test.xlsx, sheets LOOKUP, EXTRA and
MATH & TRIG), and the worked examples of Microsoft's function pages (support.microsoft.com, cited per
test).
"""
from __future__ import annotations

import os

import pytest

pytest.importorskip("pycel")

from mbsxl.excel import _fn_dynarray as D  # noqa: E402
from mbsxl.excel import _fn_groupby as G  # noqa: E402
from mbsxl.excel import conformance as cf  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK = os.path.join(ROOT, "tests", "conformance", "workbooks", "formulas", "test__test_files__test.xlsx")
FUNCTIONS = ["PIVOTBY", "GROUPBY", "PERCENTOF", "VSTACK", "HSTACK", "CHOOSECOLS", "CHOOSEROWS", "DROP", "TAKE",
             "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "EXPAND", "TRIMRANGE"]
# cells of each function in the corpus (all in test.xlsx), measured when the functions were added
CORPUS_CELLS = {"PIVOTBY": 588, "GROUPBY": 272, "PERCENTOF": 31, "VSTACK": 90, "HSTACK": 21, "CHOOSECOLS": 58,
                "CHOOSEROWS": 40, "DROP": 48, "TAKE": 37, "TOCOL": 46, "TOROW": 36, "WRAPROWS": 24, "WRAPCOLS": 10,
                "EXPAND": 21, "TRIMRANGE": 44}


@pytest.fixture(scope="module")
def report():
    rep = cf.run([BOOK])
    return {x.key: x for x in rep.cells}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_cached_cell_agrees(report, name):
    # every cell of every formula calling the function, spilled cells included, against Excel's cached value
    cells = [x for x in report.values() if name in cf.functions_of(x.formula)]
    assert len(cells) == CORPUS_CELLS[name]
    bad = [(x.key, x.excel, x.mine, x.reason) for x in cells if x.kind != "agree"]
    assert not bad, bad[:10]


def test_named_cells(report):
    # a few of the cells above, spelled out: Excel's cached value of test.xlsx!<cell>
    expect = {
        "LOOKUP!M39": "Grand Total", "LOOKUP!P39": 41, "LOOKUP!Q28": -3,        # GROUPBY(...,SUM,3,3) subtotal r2/r2-1
        "LOOKUP!V28": 5 / 41,                                                   # the same with PERCENTOF
        "LOOKUP!Y32": "Total", "LOOKUP!AB32": 41 / 18,                          # GROUPBY(...,AVERAGE)
        "LOOKUP!AJ93": "Total", "LOOKUP!AL92": "b", "LOOKUP!AM95": 22,          # PIVOTBY totals first, by value
        "LOOKUP!AF101": 22 / 29,                                                # PIVOTBY PERCENTOF relative_to 1
        "EXTRA!BH104": 0.4,                                                     # PIVOTBY PERCENTOF parent column
        "LOOKUP!R155": -1.1, "LOOKUP!W155": 0,                                  # VSTACK: a blank cell is 0
        "LOOKUP!T128": 0, "LOOKUP!AH132": "#VALUE!",                            # TOCOL / TOROW lifted
        "MATH & TRIG!S49": 41.00000000000014, "MATH & TRIG!W49": "#NUM!",       # PERCENTOF
        "LOOKUP!Z136": "#REF!",                                                 # TRIMRANGE of a blank range
    }
    for key, value in expect.items():
        x = report[key]
        assert x.kind == "agree" and x.excel == value, (key, x.excel, x.mine)


A = ((1, 2, 3), (4, 5, 6), (7, 8, 9))


def test_take_drop_microsoft_examples():
    # support.microsoft.com "TAKE function" / "DROP function" examples over {1,2,3;4,5,6;7,8,9}
    assert D.take(A, 2) == ((1, 2, 3), (4, 5, 6))
    assert D.take(A, 2, 2) == ((1, 2), (4, 5))
    assert D.take(A, -2) == ((4, 5, 6), (7, 8, 9))
    assert D.drop(A, 2) == ((7, 8, 9),)
    assert D.drop(A, None, 2) == ((3,), (6,), (9,))       # =DROP(A2:C4,,2)
    assert D.drop(A, -2) == ((1, 2, 3),)
    assert D.drop(A, 2, 2) == ((9,),)


def test_expand_wrap_tocol_choose_microsoft_examples():
    # "EXPAND function": =EXPAND(A2:B3,3,3) pads with #N/A, =EXPAND(A2:B3,3,3,"-") with "-"
    assert D.expand(((1, 2), (3, 4)), 3, 3) == ((1, 2, "#N/A"), (3, 4, "#N/A"), ("#N/A",) * 3)
    assert D.expand(((1, 2), (3, 4)), 3, 3, "-") == ((1, 2, "-"), (3, 4, "-"), ("-",) * 3)
    # "WRAPROWS function": =WRAPROWS(A2:G2,3) of A..G, and "WRAPCOLS function"
    row = (tuple("ABCDEFG"),)
    assert D.wraprows(row, 3) == (("A", "B", "C"), ("D", "E", "F"), ("G", "#N/A", "#N/A"))
    assert D.wrapcols(row, 3, "x") == (("A", "D", "G"), ("B", "E", "x"), ("C", "F", "x"))
    # "TOCOL function": scanned by row, or by column
    assert D.tocol(((1, 2), (3, 4))) == ((1,), (2,), (3,), (4,))
    assert D.torow(((1, 2), (3, 4)), 0, True) == ((1, 3, 2, 4),)
    # "CHOOSECOLS function" / "CHOOSEROWS function": negative counts from the end
    assert D.choosecols(A, 1, 3) == ((1, 3), (4, 6), (7, 9))
    assert D.chooserows(A, -1, -2) == ((7, 8, 9), (4, 5, 6))
    # "VSTACK function" / "HSTACK function"
    assert D.vstack((("A", "B", "C"),), (("AA", "BB", "CC"),)) == (("A", "B", "C"), ("AA", "BB", "CC"))
    assert D.hstack((("A",), ("B",)), (("AA",),)) == (("A", "AA"), ("B", "#N/A"))


def test_groupby_microsoft_example_sorted_by_value_descending():
    # "GROUPBY function", example 2: =GROUPBY(C2:C76,D2:D76,SUM,,,-2) sorts the products by sales,
    # descending (a small table here; the grand total stays last)
    rows = (("Apple",), ("Pear",), ("Apple",), ("Fig",))
    vals = ((3,), (10,), (4,), (1,))
    r = G.groupby(rows, vals, G.Eta("SUM"), None, None, -2)
    assert r == (("Pear", 10), ("Apple", 7), ("Fig", 1), ("Total", 18))


def test_pivotby_percentof_relative_to():
    # "PIVOTBY function": relative_to 0 column totals, 1 row totals, 2 grand total; the LOOKUP!AE96..AE107
    # cells of the corpus test the same on Excel's own results
    rows, cols, vals = (("r1",), ("r1",), ("r2",)), (("a",), ("b",), ("a",)), ((1,), (3,), (4,))
    col_tot = G.pivotby(rows, cols, vals, G.Eta("PERCENTOF"), None, None, None, None, None, None, 0)
    assert col_tot[1] == ("r1", 0.2, 1.0, 0.5)
    row_tot = G.pivotby(rows, cols, vals, G.Eta("PERCENTOF"), None, None, None, None, None, None, 1)
    assert row_tot[1] == ("r1", 0.25, 0.75, 1.0)
    assert row_tot[2] == ("r2", 1.0, "", 1.0)                  # no data under b: a blank cell


def test_refusals_carry_reasons():
    # layouts never checked against Excel are refused, never guessed
    r = G.groupby((("a",), ("b",)), ((1,), (2,)), G.Eta("SUM"), 2)
    assert isinstance(r, CalcError) and r.reason.startswith("unsupported: GROUPBY with field_headers 2")
    r = G.groupby((("a",), ("b",)), ((1,), (2,)), object())
    assert isinstance(r, CalcError) and "LAMBDA" in r.reason
    # a blank cell and a left-out argument both arrive as None: where they differ, refused
    r = D.expand(((1,),), None)
    assert isinstance(r, CalcError) and r == "#VALUE!" and "cannot tell" in r.reason
    assert D.expand(((1,),), 2) == ((1,), ("#N/A",))


def test_function_adapter_hook():
    # a module evaluating LAMBDA plugs its function values in through FUNCTION_ADAPTERS
    class Fn:
        pass

    def adapter(value):
        if isinstance(value, Fn):
            return lambda values, all_values=None: len(values)       # LAMBDA(x, ROWS(x))
        return None

    G.FUNCTION_ADAPTERS.append(adapter)
    try:
        assert G.groupby((("a",), ("b",), ("a",)), ((1,), (2,), (3,)), Fn()) == (("a", 2), ("b", 1), ("Total", 3))
    finally:
        G.FUNCTION_ADAPTERS.remove(adapter)


def test_lambda_module_values(monkeypatch):
    # the LAMBDA module (mbsxl/excel/_fn_lambda.py, another branch of issue 21) hands GROUPBY its eta
    # values as _Eta(<engine function>) and LAMBDAs as XlLambda(fn, arity): stand-ins of those classes
    import sys
    import types

    class XlLambda:
        def __init__(self, fn, arity=None):
            self.fn, self.arity = fn, arity

        def __call__(self, *args):
            return self.fn(*args)

    class _Eta(XlLambda):
        pass

    def sum_(*args):                       # pycel's name for SUM
        return 0

    fake = types.ModuleType("mbsxl.excel._fn_lambda")
    fake.XlLambda, fake._Eta = XlLambda, _Eta
    monkeypatch.setitem(sys.modules, "mbsxl.excel._fn_lambda", fake)
    rows, vals = (("a",), ("b",), ("a",)), ((1,), (2,), (3,))
    assert G.groupby(rows, vals, _Eta(sum_)) == (("a", 4), ("b", 2), ("Total", 6))
    count = XlLambda(lambda x: len(x), 1)                          # LAMBDA(x, ROWS(x))
    assert G.groupby(rows, vals, count) == (("a", 2), ("b", 1), ("Total", 3))
    two = G.groupby(rows, vals, XlLambda(lambda x, y: 0, 2))
    assert isinstance(two, CalcError) and "LAMBDA" in two.reason


def test_huge_results_refused_before_allocating():
    # hostile input: a result over --max-array-cells (or Excel's grid) is #NUM! with a reason
    for r in (D.expand(((1,),), 1_000_000, 10_000), D.wraprows(((1, 2),), 1e9),
              D.expand(((1,),), 2_000_000), D.tocol(((1,),), ((0,) * 5000,) * 5000)):
        assert isinstance(r, CalcError) and r == "#NUM!", r
        assert "--max-array-cells" in r.reason or "grid" in r.reason


def test_eta_only_as_groupby_argument(tmp_path):
    # how Excel saves =GROUPBY(A2:A9,B2:B9,SUM): the function argument is the operand _xleta.SUM
    # (test.xlsx LOOKUP!M25).  It is a function value: TYPE(_xleta.SUM) is 128 in Excel (test.xlsx
    # INFORMATION!S24, computed since LAMBDA values exist, mbsxl/excel/_fn_lambda.py); this engine
    # refuses a vector of functions, an unknown name and the engine's own MBSXL_ETA written in a workbook
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula
    from mbsxl.excel.calc import calculate
    wb = Workbook()
    ws = wb.active
    ws.append(["k", "v"])
    for k, v in (("x", 1), ("y", 2), ("x", 4)):
        ws.append([k, v])
    ws["D1"] = ArrayFormula("D1:E3", "=_xlfn.GROUPBY(A2:A4,B2:B4,_xleta.SUM)")
    ws["D5"] = ArrayFormula("D5:E7", "=_xlfn.GROUPBY(A2:A4,B2:B4,_xleta.AVERAGE)")
    ws["G1"] = "=TYPE(_xleta.SUM)"
    ws["H1"] = '=MBSXL_ETA("SUM")'
    ws["I1"] = ArrayFormula("I1:J2", "=_xlfn.GROUPBY(A2:A4,B2:B4,_xleta.NOSUCH)")
    ws["K1"] = ArrayFormula("K1:M3", "=_xlfn.GROUPBY(A2:A4,B2:B4,_xlfn.HSTACK(_xleta.SUM,_xleta.COUNT))")
    p = tmp_path / "eta.xlsx"
    wb.save(p)
    v = calculate(str(p), progress=False)
    assert [v[f"Sheet!{c}"] for c in ("D1", "E1", "D2", "E2", "D3", "E3")] == ["x", 5, "y", 2, "Total", 7]
    assert [v[f"Sheet!{c}"] for c in ("D5", "E5", "D6", "E6", "D7", "E7")] == ["x", 2.5, "y", 2, "Total", 7 / 3]
    assert v["Sheet!G1"] == 128
    for key in ("Sheet!H1", "Sheet!I1", "Sheet!K1"):
        assert isinstance(v[key], CalcError) and v.errors.get(key), key


def test_stacking_bounded():
    # VSTACK/HSTACK of large ranges: beyond Excel's 16,384 columns, or over --max-array-cells, refused
    wide = ((0,) * 10_000,)
    r = D.hstack(wide, wide)
    assert isinstance(r, CalcError) and r == "#NUM!" and "grid" in r.reason
    block = ((0,) * 1000,) * 1000
    r = D.vstack(block, block, block)
    assert isinstance(r, CalcError) and r == "#NUM!" and "--max-array-cells" in r.reason


def test_refused_dynamic_array_covers_its_range(tmp_path):
    # a dynamic array (saved with its spill range, as Excel and xlsxwriter's write_dynamic_array_formula
    # do) that this engine refuses is refused in every cell of that range, not only in its anchor: the
    # other cells would otherwise be empty where Excel shows values
    import xlsxwriter
    from mbsxl.excel.calc import calculate
    p = tmp_path / "dyn.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("S")
    for i, (k, v) in enumerate((("k", "v"), ("x", 1), ("y", 2), ("x", 4))):
        ws.write(i, 0, k)
        ws.write(i, 1, v)
    # field_headers 2 ("no, but generate"): a layout this engine refuses
    ws.write_dynamic_array_formula("D1:E4", "=_xlfn.GROUPBY(A1:A4,B1:B4,_xleta.SUM,2)")
    wb.close()
    v = calculate(str(p), progress=False)
    for key in ("S!D1", "S!E1", "S!D4", "S!E4"):
        assert isinstance(v[key], CalcError) and "field_headers 2" in v.errors.get(key, ""), (key, v[key])
