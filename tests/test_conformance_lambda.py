"""LAMBDA, LET, the LAMBDA helpers (MAP, REDUCE, SCAN, MAKEARRAY, BYROW, BYCOL) and the Excel 365 text
functions (ARRAYTOTEXT, VALUETOTEXT, REGEX*, TEXTSPLIT, TEXTBEFORE, TEXTAFTER) in ``mbsxl calc``
(issue 21; mbsxl/excel/_fn_lambda.py, mbsxl/excel/_fn_text365.py).

Expected values come from outside the project: the values Microsoft Excel cached in the corpus workbook
``tests/conformance/workbooks/formulas/test__test_files__test.xlsx`` (cells cited by sheet!cell), and the
examples of Microsoft's function pages (support.microsoft.com, cited at each test).  Hostile-input
tests: recursion, array sizes and regular-expression time are bounded with a reason, and no workbook
text reaches Python other than through the checked closures.
"""
from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("pycel")
openpyxl = pytest.importorskip("openpyxl")

from openpyxl.worksheet.formula import ArrayFormula  # noqa: E402

from mbsxl.excel import conformance as cf  # noqa: E402
from mbsxl.excel import formula_guard as fg  # noqa: E402
from mbsxl.excel.calc import calculate  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402
from mbsxl.excel.limits import Limits  # noqa: E402

from test_conformance import _book  # noqa: E402

TEST_XLSX = "formulas/test__test_files__test.xlsx"


@pytest.fixture(scope="module")
def corpus():
    path = _book(TEST_XLSX)
    return cf._cached(path), calculate(path, progress=False)


def _cols(c1, c2):
    from openpyxl.utils import column_index_from_string as ci, get_column_letter as gl
    return [gl(i) for i in range(ci(c1), ci(c2) + 1)]


def _agree(corpus, keys):
    cached, values = corpus
    bad = []
    for key in keys:
        excel, etype = cached[key]
        mine = values[key]
        reason = values.errors.get(key, "") if isinstance(mine, CalcError) else ""
        if cf.classify(mine, excel, etype, reason) != "agree":
            bad.append(f"{key}: Excel {excel!r}, mbsxl {mine!r} {reason}")
    assert not bad, bad


# ------------------------------------------------------------------ corpus: Excel's cached values
def test_byrow_bycol_eta_and_lambda(corpus):
    # LOGICAL!R4:AF4 =BYCOL(C4:Q5,LAMBDA(x,SUM(x))); R5:R6 =BYROW(C4:J5,LAMBDA(x,SUM(x)));
    # S5:AF6 =BYROW(C4:E5,_xleta.SUM) ... (SUM given as a function value), errors included
    _agree(corpus, [f"LOGICAL!{c}4" for c in _cols("R", "AF") if c != "AC"]
           + [f"LOGICAL!{c}{r}" for c in _cols("R", "AF") for r in (5, 6)])


def test_lambda_calls_let_and_named_lambda(corpus):
    # LOGICAL!C12 =LAMBDA(x,y,z,SUM(y)+SUM(x+1,(y+x+D3+C3)))(1,2,3) -> 8; C13 =LET(x,1,y,E10,z,L11,
    # 232+x+y) -> 235.3; E13 =LAMBDA(D3+C3)() -> 1; R12 =MYLAMBDA(2,1,2) (a defined name) -> 8
    _agree(corpus, ["LOGICAL!C12", "LOGICAL!C13", "LOGICAL!E13", "LOGICAL!R12"])


def test_makearray_map_scan_reduce(corpus):
    # LOGICAL!R14:AF14 MAKEARRAY over an array of row counts; R15..AF15 one count each (0, 2.3, -1, text,
    # empty: #VALUE!; TRUE: 1 row); S15:S16, U15:U17 the spilled rows; R18:T19 =MAP(C18:E19,
    # LAMBDA(a,a^2)); W18 a second LAMBDA where an array belongs: #VALUE!; X18:AF19 =SCAN(H18,{1;3},..);
    # R22 =REDUCE(,C20:E21,..) 12.58; S22:U22 an array accumulator; R23:T24, U23 SCAN over a range
    keys = [f"LOGICAL!{c}14" for c in _cols("R", "AF")]
    keys += [f"LOGICAL!{c}15" for c in _cols("R", "AF") if c != "AC"] + ["LOGICAL!S16", "LOGICAL!U16", "LOGICAL!U17"]
    keys += [f"LOGICAL!{c}{r}" for c in _cols("R", "V") for r in (18, 19)] + ["LOGICAL!W18"]
    keys += [f"LOGICAL!{c}{r}" for c in _cols("X", "AF") for r in (18, 19)]
    keys += [f"LOGICAL!{c}22" for c in _cols("R", "AF")]
    keys += [f"LOGICAL!{c}23" for c in _cols("R", "AF")]
    _agree(corpus, keys)


def test_arraytotext_valuetotext(corpus):
    # TEXT!R3:AW4 ARRAYTOTEXT concise and strict, formats 0.9/2/{0,1}/a range of formats; TEXT!R54:AO55
    # VALUETOTEXT of numbers, text, TRUE, empty, with formats "0", FALSE, 0.9, "1.99", -1, "a", 2
    keys = [f"TEXT!{c}{r}" for r in (3, 4) for c in _cols("R", "AW")]
    keys += [f"TEXT!{c}54" for c in _cols("R", "Y")] + [f"TEXT!{c}54" for c in _cols("AG", "AO")]
    keys += [f"TEXT!{c}55" for c in _cols("R", "Y")] + [f"TEXT!{c}55" for c in _cols("AG", "AO")]
    _agree(corpus, keys)


def test_valuetotext_of_an_error_is_refused_not_wrong(corpus):
    # TEXT!AA54 =VALUETOTEXT(L54,0): Excel gives the *text* "#N/A", which the engine's values cannot tell
    # from the error: refused with a reason, never a different value
    cached, values = corpus
    for key in ("TEXT!AA54", "TEXT!Z54", "TEXT!AQ55"):
        assert isinstance(values[key], CalcError)
        assert values.errors[key].startswith("unsupported: VALUETOTEXT of the error value"), values.errors[key]


def test_regex_functions(corpus):
    # TEXT!R31:AW33 REGEXEXTRACT/REGEXREPLACE/REGEXTEST of numbers, text, TRUE, empty and errors, pattern
    # 1.9, case_sensitivity 1, 1.9 and 2; EXTRA!I2:P2 every phone number (return_mode 1, a row);
    # I3, I4, J3:J4, K3, M3:O3 (return_mode 2: a group outside the match is #N/A), I5:I7, K6:L6
    keys = [f"TEXT!{c}{r}" for r in (31, 32, 33) for c in _cols("R", "AW") if c not in ("AC", "AS")]
    keys += [f"EXTRA!{c}2" for c in _cols("I", "P")] + ["EXTRA!I3", "EXTRA!J3", "EXTRA!J4", "EXTRA!K3",
                                                         "EXTRA!M3", "EXTRA!N3", "EXTRA!O3", "EXTRA!I4",
                                                         "EXTRA!I5", "EXTRA!I6", "EXTRA!I7", "EXTRA!K6",
                                                         "EXTRA!L6"]
    _agree(corpus, keys)


def test_textsplit_textbefore_textafter(corpus):
    # TEXT!R44:AW45 TEXTAFTER/TEXTBEFORE with {"3","4"}, instance numbers 0, 1.9, 2.3, 10, -1, empty,
    # text, TRUE; TEXT!R47:AW47 TEXTSPLIT; EXTRA!J28:L30 rows {6,9}, columns {"/","|",TRUE}, padded with
    # 10; O28:Q30 ignore_empty, match_mode 1, pad "pi"; M27, M28:N28; H30:H34 match_end and negatives
    keys = [f"TEXT!{c}{r}" for r in (44, 45, 47) for c in _cols("R", "AW") if c not in ("AC", "AS")]
    keys += [f"EXTRA!{c}{r}" for c in _cols("J", "L") for r in (28, 29, 30)]
    keys += [f"EXTRA!{c}{r}" for c in _cols("O", "Q") for r in (28, 29, 30)]
    keys += ["EXTRA!M27", "EXTRA!M28", "EXTRA!N28"] + [f"EXTRA!H{r}" for r in range(30, 35)]
    _agree(corpus, keys)


def test_type_of_a_lambda_value(corpus, tmp_path):
    # INFORMATION!S24 =TYPE(_xleta.SUM): Excel 128 ("compound data", support.microsoft.com TYPE function);
    # a LAMBDA value given to any other function that does not call it is refused
    _agree(corpus, ["INFORMATION!S24"])
    v = _calc(tmp_path, {"A1": "=ISERROR(_xleta.SUM)", "A2": _xl("=TYPE(LAMBDA(x,x))", "x")})
    assert isinstance(v["S!A1"], CalcError) and "unsupported: a LAMBDA value given to ISERROR" in v.errors["S!A1"]
    assert v["S!A2"] == 128


# ------------------------------------------------------------------ Microsoft's examples
def _calc(tmp_path, cells, limits=None, names=None):
    """Recalculate a workbook holding ``cells`` (address -> value, formula, or (ref, formula) for an
    array formula)."""
    path = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for addr, v in cells.items():
        if isinstance(v, tuple):
            ws[addr] = ArrayFormula(v[0], v[1])
        else:
            ws[addr] = v
    for name, text in (names or {}).items():
        from openpyxl.workbook.defined_name import DefinedName
        dn = DefinedName(name, attr_text=text)
        try:
            wb.defined_names[name] = dn
        except TypeError:                     # pragma: no cover - openpyxl 3.0
            wb.defined_names.append(dn)
    wb.save(path)
    return calculate(path, progress=False, limits=limits)


def _grid_of(values, cols, rows):
    return [[values[f"S!{c}{r}"] for c in cols] for r in rows]


def _xl(formula: str, *params: str) -> str:
    """The formula as Excel saves it: LAMBDA and LET parameters written ``_xlpm.name`` (outside quotes)."""
    parts = re.split(r'("(?:[^"]|"")*")', formula)
    for i in range(0, len(parts), 2):
        for p in params:
            parts[i] = re.sub(rf"(?<![\w.]){p}(?![\w(!])", f"_xlpm.{p}", parts[i])
    return "".join(parts)


def test_scan_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/scan-function: with A1:C2 = 1..6, =SCAN(1,A1:C2,
    # LAMBDA(a,b,a*b)) lists the factorials 1, 2, 6; 24, 120, 720; with a..f, =SCAN("",A1:C2,
    # LAMBDA(a,b,a&b)) gives a, ab, abc; abcd, abcde, abcdef
    cells = {"A1": 1, "B1": 2, "C1": 3, "A2": 4, "B2": 5, "C2": 6,
             "A5": "a", "B5": "b", "C5": "c", "A6": "d", "B6": "e", "C6": "f",
             "D4": ("D4:F5", _xl("=SCAN(1,A1:C2,LAMBDA(a,b,a*b))", "a", "b")),
             "D8": ("D8:F9", _xl('=SCAN("",A5:C6,LAMBDA(a,b,a&b))', "a", "b"))}
    v = _calc(tmp_path, cells)
    assert _grid_of(v, "DEF", (4, 5)) == [[1, 2, 6], [24, 120, 720]]
    assert _grid_of(v, "DEF", (8, 9)) == [["a", "ab", "abc"], ["abcd", "abcde", "abcdef"]]


def test_textbefore_textafter_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/textbefore-function and .../textafter-function: the
    # remarks' table (=TEXTBEFORE("Red riding hood's, red hood","hood") "Red riding "; an empty delimiter
    # matches at once: "" from the front, the whole text from the end; TEXTAFTER the other way round,
    # "'s, red hood" after the first "hood") and example 2 (A2 "Marcus Aurelius", A3 "Socrates":
    # =TEXTBEFORE(A2," ",,,1) "Marcus", =TEXTBEFORE(A3," ",,,0) #N/A, =TEXTBEFORE(A3," ",,,1) "Socrates",
    # =TEXTAFTER(A2," ",,,1) "Aurelius", =TEXTAFTER(A3," ",,,0) #N/A, =TEXTAFTER(A3," ",,,1) empty)
    red = "Red riding hood's, red hood"
    cells = {"A1": red, "A2": "Marcus Aurelius", "A3": "Socrates",
             "B1": '=TEXTBEFORE(A1,"hood")', "B2": '=TEXTBEFORE(A1,"")', "B3": '=TEXTBEFORE(A1,"",-1)',
             "B4": '=TEXTAFTER(A1,"hood")', "B5": '=TEXTAFTER(A1,"")', "B6": '=TEXTAFTER(A1,"",-1)',
             "C1": '=TEXTBEFORE(A2," ",,,1)', "C2": '=TEXTBEFORE(A3," ",,,0)', "C3": '=TEXTBEFORE(A3," ",,,1)',
             "C4": '=TEXTAFTER(A2," ",,,1)', "C5": '=TEXTAFTER(A3," ",,,0)', "C6": '=TEXTAFTER(A3," ",,,1)'}
    v = _calc(tmp_path, cells)
    assert [v[f"S!B{i}"] for i in range(1, 7)] == ["Red riding ", "", red, "'s, red hood", red, ""]
    assert [v[f"S!C{i}"] for i in (1, 3, 4)] == ["Marcus", "Socrates", "Aurelius"]
    assert v["S!C2"] == "#N/A" and v["S!C5"] == "#N/A" and v["S!C6"] in ("", None)


def test_arraytotext_valuetotext_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/arraytotext-function: with A2:B4 = TRUE, #VALUE!;
    # 1234.01234, Seattle; Hello, 1,123 (text: the strict result quotes it), =ARRAYTOTEXT(A2:B4,0) is
    # "TRUE, #VALUE!, 1234.01234, Seattle, Hello, 1,123" and =ARRAYTOTEXT(A2:B4,1)
    # {TRUE,#VALUE!;1234.01234,"Seattle";"Hello","1,123"}; a format other than 0 or 1 is #VALUE!.
    # https://support.microsoft.com/en-us/excel/valuetotext-function: strings are quoted in the strict
    # format only, Booleans and numbers never
    cells = {"A2": True, "B2": "#VALUE!", "A3": 1234.01234, "B3": "Seattle", "A4": "Hello", "B4": "1,123",
             "D1": "=ARRAYTOTEXT(A2:B4,0)", "D2": "=ARRAYTOTEXT(A2:B4,1)", "D3": "=ARRAYTOTEXT(A2:B4,2)",
             "E1": "=VALUETOTEXT(A4,0)", "E2": "=VALUETOTEXT(A4,1)", "E3": "=VALUETOTEXT(A3,1)",
             "E4": "=VALUETOTEXT(A2,1)", "E5": "=VALUETOTEXT(A4,3)"}
    v = _calc(tmp_path, cells)
    assert v["S!D1"] == "TRUE, #VALUE!, 1234.01234, Seattle, Hello, 1,123"
    assert v["S!D2"] == '{TRUE,#VALUE!;1234.01234,"Seattle";"Hello","1,123"}'
    assert v["S!D3"] == "#VALUE!" and v["S!E5"] == "#VALUE!"
    assert [v[f"S!E{i}"] for i in range(1, 5)] == ["Hello", '"Hello"', "1234.01234", "TRUE"]


def test_regex_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/functions/regexextract-function: "[0-9]+" in "10 apples,
    # 12 oranges" -> 10, every match (return_mode 1) -> 10, 12; "O my (\w+) red (\w+)" in "O my Luve
    # red rose" -> the whole match, its groups (return_mode 2) -> Luve, rose; "\d{3}-\d{4}" in
    # "Sonia (378) 555-4195" -> 555-4195.  REGEXREPLACE's $n is PCRE2's substitution (pcre2_substitute):
    # "(\d{3})-(\d{4})" -> "$2-$1" swaps the two groups
    cells = {"C1": '=REGEXEXTRACT("10 apples, 12 oranges","[0-9]+")',
             "C2": ("C2:D2", '=REGEXEXTRACT("10 apples, 12 oranges","[0-9]+",1)'),
             "C3": '=REGEXEXTRACT("O my Luve red rose","O my (\\w+) red (\\w+)")',
             "C4": ("C4:D4", '=REGEXEXTRACT("O my Luve red rose","O my (\\w+) red (\\w+)",2)'),
             "C5": '=REGEXEXTRACT("Sonia (378) 555-4195","\\d{3}-\\d{4}")',
             "C6": '=REGEXREPLACE("Sonia (378) 555-4195","(\\d{3})-(\\d{4})","$2-$1")',
             "C7": '=REGEXTEST("Sonia","^s",1)', "C8": '=REGEXTEST("Sonia","^s")'}
    v = _calc(tmp_path, cells)
    assert v["S!C1"] == "10" and (v["S!C2"], v["S!D2"]) == ("10", "12")
    assert v["S!C3"] == "O my Luve red rose" and (v["S!C4"], v["S!D4"]) == ("Luve", "rose")
    assert v["S!C5"] == "555-4195" and v["S!C6"] == "Sonia (378) 4195-555"
    assert v["S!C7"] is True and v["S!C8"] is False


def test_textsplit_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/textsplit-function: =TEXTSPLIT(A2," ") with "Dakota Lennon
    # Sanchez" -> Dakota | Lennon | Sanchez; "1,2,3;4,5,6" split by "," and ";" -> the 2 x 3 array;
    # a short row is padded with pad_with
    cells = {"A2": "Dakota Lennon Sanchez", "B2": ("B2:D2", '=TEXTSPLIT(A2," ")'),
             "B4": ("B4:D5", '=TEXTSPLIT("1,2,3;4,5,6",",",";")'),
             "B7": ("B7:D8", '=TEXTSPLIT("1,2,3;4",",",";",FALSE,0,"-")')}
    v = _calc(tmp_path, cells)
    assert _grid_of(v, "BCD", (2,)) == [["Dakota", "Lennon", "Sanchez"]]
    assert _grid_of(v, "BCD", (4, 5)) == [["1", "2", "3"], ["4", "5", "6"]]
    assert _grid_of(v, "BCD", (7, 8)) == [["1", "2", "3"], ["4", "-", "-"]]


def test_makearray_byrow_map_let_lambda_examples(tmp_path):
    # https://support.microsoft.com/en-us/excel/makearray-function: =MAKEARRAY(3,3,LAMBDA(r,c,r*c)) the
    # multiplication table; .../byrow-function: =BYROW(A1:C2,LAMBDA(array,MAX(array))) the row maxima;
    # .../map-function: =MAP(A1:C2,LAMBDA(a,IF(a>4,a*a,+a))) squares the values above 4;
    # .../let-function: =LET(x,5,SUM(x,1)) 6; .../lambda-function: the name Hypotenuse =LAMBDA(X,Y,
    # SQRT((X^2+Y^2))) and =Hypotenuse(3,4) 5
    cells = {"A1": 1, "B1": 2, "C1": 3, "A2": 4, "B2": 5, "C2": 6,
             "E1": ("E1:G3", _xl("=MAKEARRAY(3,3,LAMBDA(r,c,r*c))", "r", "c")),
             "I1": ("I1:I2", _xl("=BYROW(A1:C2,LAMBDA(array,MAX(array)))", "array")),
             "E5": ("E5:G6", _xl("=MAP(A1:C2,LAMBDA(a,IF(a>4,a*a,+a)))", "a")),
             "I5": _xl("=LET(x,5,SUM(x,1))", "x"), "I6": "=Hypotenuse(3,4)"}
    v = _calc(tmp_path, cells, names={"Hypotenuse": _xl("_xlfn.LAMBDA(X,Y,SQRT((X^2+Y^2)))", "X", "Y")})
    assert _grid_of(v, "EFG", (1, 2, 3)) == [[1, 2, 3], [2, 4, 6], [3, 6, 9]]
    assert _grid_of(v, "I", (1, 2)) == [[3], [6]]
    assert _grid_of(v, "EFG", (5, 6)) == [[1, 2, 3], [4, 25, 36]]
    assert v["S!I5"] == 6 and v["S!I6"] == 5


# ------------------------------------------------------------------ hostile input: bounds and guards
def test_makearray_and_textsplit_sizes_are_bounded(tmp_path):
    # MAKEARRAY of 10^12 cells and a TEXTSPLIT of 201 x 201 pieces under --max-array-cells 10,000 are
    # refused with the limit named, before anything of that size is built
    cells = {"A1": _xl("=MAKEARRAY(1000000,1000000,LAMBDA(r,c,r))", "r", "c"),
             "A2": '=TEXTSPLIT(REPT("a,",200)&REPT(";",200),",",";")',
             "A3": ("A3:B4", _xl("=MAKEARRAY(2,2,LAMBDA(r,c,r+c))", "r", "c"))}
    t0 = time.monotonic()
    v = _calc(tmp_path, cells, limits=Limits(max_array_cells=10_000))
    assert time.monotonic() - t0 < 30
    for key in ("S!A1", "S!A2"):
        assert v[key] == "#NUM!" and "--max-array-cells" in v.errors[key], (key, v[key], v.errors.get(key))
    assert _grid_of(v, "AB", (3, 4)) == [[2, 3], [3, 4]]          # the good cell intact


def test_catastrophic_backtracking_ends_with_a_reason(tmp_path):
    # (a|aa)+$ against 40 a's and a b backtracks exponentially; the regex time limit stops it
    cells = {"A1": '=REGEXTEST(REPT("a",40)&"b","(a|aa)+$")', "A2": '=REGEXTEST("abc","b")'}
    t0 = time.monotonic()
    v = _calc(tmp_path, cells)
    assert time.monotonic() - t0 < 30
    assert v["S!A1"] == "#VALUE!" and "catastrophic backtracking" in v.errors["S!A1"]
    assert v["S!A2"] is True


@pytest.mark.parametrize("pattern", ["\\p{L}+", "(*UTF)a", "a\\Z", "(?i)a(?s)b", "a{,3}", "[[:alpha:]]", "\\Qa\\E",
                                     "\\h", "\\R", "\\k<n>", "(?<=a+)b", "(?<!a|bc)d"])
def test_regex_syntax_that_pcre2_reads_otherwise_is_refused(pattern):
    from mbsxl.excel import _fn_text365 as t
    r = t.regextest("abc", pattern)
    assert isinstance(r, CalcError) and r.reason.startswith("unsupported: a regular expression with"), (pattern, r)


def test_empty_matches_are_refused_where_global_matching_may_differ():
    # "a*" matches empty text between characters: PCRE2's global matching (pcre2_substitute) and the
    # regex package may step past an empty match differently, so every-match extraction and
    # replacement of such a pattern are refused; a first match and a test are unaffected
    from mbsxl.excel import _fn_text365 as t
    for r in (t.regexreplace("baaac", "a*", "-"), t.regexextract("baaac", "a*", 1)):
        assert isinstance(r, CalcError) and "matching empty text" in r.reason
    assert t.regexextract("baaac", "a+") == "aaa" and t.regextest("baaac", "a*") is True


def test_recursive_named_lambda_is_refused_with_a_reason(tmp_path):
    # FACT calls itself: Excel allows it, this engine refuses it (and so never recurses without end)
    v = _calc(tmp_path, {"A1": "=MYFACT(5)", "A2": "=1+1"},
              names={"MYFACT": _xl("_xlfn.LAMBDA(n,IF(n<2,1,n*MYFACT(n-1)))", "n")})
    assert v["S!A1"] == "#NAME?" and "calls itself" in v.errors["S!A1"]
    assert v["S!A2"] == 2


@pytest.mark.parametrize("formula, needle", [
    ("=MBSXL_CALL(LAMBDA(x,x),1)", "internal to the engine"),
    ("=MAP(A1:A2,_xleta.MBSXL_RANGE)", "internal to the engine"),
    ("=MAP(A1:A2,_xleta.WEBSERVICE)", "reaches outside the workbook"),
    ("=MAP(A1:A2,_xleta.ROW)", "unsupported: ROW given as a function value"),
    ("=LET(f,LAMBDA(x,x),_xlpm.f(2))", "not a function this engine knows"),
    # a name used outside the LAMBDA or LET that declares it is #NAME? in Excel
    ("=_xlpm.x+1", "is not a parameter of an enclosing LAMBDA"),
    ("=LET(x,x+1,x)", "is not a parameter of an enclosing LAMBDA"),
    ("=MAP(A1:A2,LAMBDA(a,_xlpm.b))", "is not a parameter of an enclosing LAMBDA"),
])
def test_guard_refuses_internal_and_outside_functions_as_lambda_values(formula, needle):
    book = fg.Book(["S"])
    with pytest.raises(fg.Refused) as e:
        fg.rewrite(_xl(formula, "x", "f", "a"), "S", book)
    assert needle in e.value.reason


@pytest.mark.parametrize("code", [
    "lambdas.append(lambda: (lambda _xlpm_x: _xlpm_x)(1))",                 # a lambda called directly
    "lambdas.append(lambda: x_lambda(lambda x: x))",                        # a parameter not _xlpm_
    "lambdas.append(lambda: x_lambda(lambda _xlpm_f: _xlpm_f(1)))",         # a parameter called
    "lambdas.append(lambda: x_lambda(lambda _xlpm_x=str: 1))",              # a default value
    "lambdas.append(lambda: x_lambda(lambda *_xlpm_a: 1))",                 # *args
    "lambdas.append(lambda: x_lambda(lambda _xlpm_x: _xlpm_x.__class__))",  # an attribute
    "lambdas.append(lambda: sum_(_xlpm_x))",                                # a parameter out of scope
    "lambdas.append(lambda: x_lambda(lambda _xlpm_x: eval))",               # a name not allowed
])
def test_code_check_accepts_lambdas_only_in_their_checked_shape(code):
    with pytest.raises(fg.UnsafeCode):
        fg.check_python(code)


def test_code_check_accepts_the_emitted_shape():
    fg.check_python("lambdas.append(lambda: x_let(1, lambda _xlpm_x: map_(_R_('A1:B2'), "
                    "x_lambda(lambda _xlpm_a: _xlpm_a + _xlpm_x))))")


# ------------------------------------------------------------------ fuzzed LAMBDA/LET formulas
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PARAMS = ["x", "y", "a", "__import__", "eval", "lambdas", "_C_", "x1", "a.b", "sum_", "str", "x)", "x,y", "1x",
           "x=1", "x:1", "__class__"]


@st.composite
def _lambda_expr(draw):
    from test_calc_hostile import _expr
    body = draw(_expr())
    names = draw(st.lists(st.sampled_from(_PARAMS), min_size=0, max_size=3))
    body = body + "".join(f"+_xlpm.{n}" for n in draw(st.lists(st.sampled_from(_PARAMS), max_size=2)))
    params = ",".join(f"_xlpm.{n}" for n in names)
    kind = draw(st.integers(0, 4))
    lam = f"_xlfn.LAMBDA({params + ',' if params else ''}{body})"
    if kind == 0:
        return f"{lam}({','.join(draw(st.lists(_expr(), max_size=3)))})"
    if kind == 1:
        return f"_xlfn.MAP(A1:A3,{lam})"
    if kind == 2:
        return f"_xlfn.LET({','.join(f'_xlpm.{n},{draw(_expr())}' for n in names) or '_xlpm.x,1'},{body})"
    if kind == 3:
        return f"_xlfn.REDUCE(0,A1:A3,{lam})"
    eta = draw(st.sampled_from(["SUM", "EVAL", "__IMPORT__", "MBSXL_RANGE", "LAMBDAS", "STR", "INDIRECT", "X_LAMBDA"]))
    return f"_xlfn.BYROW(A1:A3,_xleta.{eta})"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_lambda_expr(), min_size=1, max_size=6))
def test_fuzzed_lambda_formulas_never_run_code(tmp_path_factory, formulas):
    # the hostile suite's payloads (tests/test_calc_hostile.py) inside LAMBDA bodies, LET values and
    # parameter names: nothing runs, no audited operation happens, the good cell keeps its value
    from test_calc_hostile import _AUDIT, _calc as audited_calc
    d = tmp_path_factory.mktemp("fuzzl")
    canary = d / "canary"
    path = d / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3
    wb.create_sheet('Pool "A"')["A1"] = 4
    ws["Z1"] = "=SUM(A1:A3)"
    for i, f in enumerate(formulas, start=1):
        ws[f"B{i}"] = "=" + f.replace("CANARY", str(canary))
    wb.save(path)
    v = audited_calc(path)
    assert not canary.exists()
    assert _AUDIT["seen"] == []
    assert v["S!Z1"] == 6
    for i in range(1, len(formulas) + 1):
        assert f"S!B{i}" in v
