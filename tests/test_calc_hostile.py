"""Untrusted workbooks (issue 11): the hostile corpus, built here, and a formula fuzzer.

Every payload tries to run code, read a file or stop the process.  What is asserted: a canary file the
payloads would create is never created, a sentinel they would set is never set, no audited operation
outside the engine happens while formulas evaluate (``sys.addaudithook``: os.system, subprocess,
exec of a process, input, breakpoint, opening the canary or /etc/hostname), and the other cells compute.
"""
import os
import sys
import time
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName

import mbsxl
from mbsxl.cli import main
from mbsxl.excel import formula_guard as fg
from mbsxl.excel.calc import calculate, parse_set
from mbsxl.excel.limits import LimitExceeded, Limits

FORBIDDEN_EVENTS = {"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                    "builtins.input", "builtins.breakpoint", "os.kill", "os.remove", "os.truncate", "pty.spawn"}
_AUDIT = {"on": False, "seen": []}


def _hook(event, args):
    if not _AUDIT["on"]:
        return
    if event in FORBIDDEN_EVENTS:
        _AUDIT["seen"].append((event, repr(args)[:200]))
    elif event == "open" and args and isinstance(args[0], (str, bytes)) and (
            "canary" in os.fsdecode(args[0]) or "hostname" in os.fsdecode(args[0])):
        _AUDIT["seen"].append((event, repr(args)[:200]))


sys.addaudithook(_hook)


def _calc(path, **kw):
    _AUDIT["seen"] = []
    _AUDIT["on"] = True
    try:
        return calculate(path, progress=False, **kw)
    finally:
        _AUDIT["on"] = False


EVIL_SHEET = "x\")+__import__('os').exit(3)+(\""       # a sheet name that ends pycel's "..."


def _payloads(canary):
    cmd = f"touch {canary}"
    return {
        "B1": f'=EVAL("__import__(\'os\').system(\'{cmd}\') or 7")',
        "B2": '=EVAL("open(\'/etc/hostname\').read()")',
        "B3": f'=OPEN("{canary}","w")',
        "B4": "=EXIT(3)",
        "B5": '=INPUT("x")',
        "B6": "=BREAKPOINT()",
        "B7": f'=EXEC("import os; os.system(\'{cmd}\')")',
        "B8": f'=__IMPORT__("os")',
        "B9": f'="\\""and __import__(\'os\').system(\'{cmd}\')or 42)#"',       # breaks out of "..." in pycel
        "B10": f'="x\\" + str(__import__(\'os\').system(\'{cmd}\')) + \\""',
        "B11": f"=GETATTR(1,\"__class__\")",
        "B12": f'=TYPE(1)',
        "B13": '=A1*2',                                                       # the good cell
        "B14": "=SUM('" + EVIL_SHEET.replace("'", "''") + "'!A1)+1",             # crafted sheet name
        "B15": '=LEN("a""b")+A1',
        "B16": f'=Evil+1',                                                    # defined name with a payload
        "B17": "=_C_(\"S!A1\")",
        "B18": "=STR(1)",
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    canary = d / "canary"
    path = d / "h.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 21
    for cell, f in _payloads(canary).items():
        ws[cell] = f
    evil = wb.create_sheet(EVIL_SHEET)
    evil["A1"] = 5
    ws["C1"] = f"=EVAL(\"__import__('os').system('touch {canary}')\")"
    ws["C1"].data_type = "s"                                                  # text that looks like a formula
    wb.defined_names["Evil"] = DefinedName("Evil", attr_text=f"EVAL(\"__import__('os').system('touch {canary}')\")")
    wb.save(path)
    v = _calc(path)
    return v, canary, list(_AUDIT["seen"]), evil.title


def test_no_payload_runs(hostile):
    v, canary, seen, _ = hostile
    assert not canary.exists()
    assert seen == []
    assert v["S!B12"] == 1                                    # TYPE is Excel's (1 = a number), not Python's
    for cell in ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B11", "B17", "B18"):
        assert v[f"S!{cell}"] == "#NAME?", cell
        assert "not a function this engine knows" in v.errors[f"S!{cell}"], v.errors[f"S!{cell}"]
    assert v["S!B16"] == "#NAME?" and "EVAL" in v.errors["S!B16"]


def test_literals_stay_literals(hostile):
    v, canary, _, _ = hostile
    # Excel: "\""... is the text \" followed by the rest up to the closing quote
    assert v["S!B9"] == f"\\\"and __import__('os').system('touch {canary}')or 42)#"
    assert v["S!B10"] == "#VALUE!" and "does not parse" in v.errors["S!B10"]   # not Excel: \ is no escape


def test_the_good_cells_compute(hostile):
    v, _, _, _ = hostile
    assert v["S!B13"] == 42
    assert v["S!B14"] == 6                                    # the crafted sheet name is only a name
    assert v["S!B15"] == 24
    assert "S!C1" not in v                                    # text "=EVAL(...)" stays text


def test_set_takes_values_not_formulas(tmp_path):
    path = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["B1"] = "=A1"
    wb.save(path)
    addr, val = parse_set("Sheet1!A1==2+40")
    assert val == "=2+40"
    v = _calc(path, sets={addr: val})
    assert v["Sheet1!B1"] == "=2+40" and "Sheet1!A1" not in v
    v = _calc(path, sets=dict([parse_set("Sheet1!A1==2+40", formula=True)]))
    assert v["Sheet1!A1"] == 42 and v["Sheet1!B1"] == 42
    v = _calc(path, sets=dict([parse_set("Sheet1!A1==EVAL(\"1\")", formula=True)]))
    assert v["Sheet1!A1"] == "#NAME?"


def test_guard_refuses_and_rewrites():
    book = fg.Book(["S", "Data", 'Pool "A"'], {(None, "rate"): "S!$A$1"}, extent=(10, 3))
    assert fg.rewrite("=SUM(Data!A:A)", "S", book) == "=SUM(Data!A1:A10)"
    assert fg.rewrite("=SUM(Data!1:1)", "S", book) == "=SUM(Data!A1:C1)"        # to the grid's end: cut
    assert fg.rewrite("=SUM(Data!A1:D300)", "S", book) == "=SUM(Data!A1:D300)"  # small: kept as written
    assert fg.rewrite("=SUM(Data!A1:XFD1048576)", "S", book) == "=SUM(Data!A1:C10)"
    assert fg.rewrite("=Rate*2", "S", book) == "=S!A1*2"
    assert fg.rewrite("='Pool \"A\"'!A1", "S", book) == "='Pool \"A\"'!A1"
    for bad, code in (("=EVAL(1)", "#NAME?"), ("=Nope!A1", "#REF!"), ("=[1]S!A1", "#REF!"),
                      ("=WEBSERVICE(\"http://x\")", "#NAME?"), ("=NoSuchName+1", "#NAME?"),
                      ("=SUM(A1", "#VALUE!")):
        with pytest.raises(fg.Refused) as e:
            fg.rewrite(bad, "S", book)
        assert e.value.code == code and e.value.reason


@pytest.mark.parametrize("code", [
    "lambdas.append(lambda: eval('1'))",
    "lambdas.append(lambda: ().__class__)",
    "lambdas.append(lambda: sum_(1)[0])",
    "lambdas.append(lambda: [x for x in ()])",
    "lambdas.append(lambda: 1); import os",
    "lambdas.append(lambda: sum_(*()))",
    "lambdas.append(lambda: (lambda: 1)())",
])
def test_generated_code_check_refuses(code):
    with pytest.raises(fg.UnsafeCode):
        fg.check_python(code)


def test_generated_code_check_accepts_the_engines_shapes():
    fg.check_python("lambdas.append(lambda: sum_(_R_('S!A1:A3')) + _C_('S!B1') * -2 ** 3 / 100)")
    fg.check_python("lambdas.append(lambda: if_(_C_('S!A1') >= 1, 'a\\nb', None) & str(True))")


# --------------------------------------------------------------------------------- the fuzzer
_FRAGMENTS = ['"', '""', "\\", "'", ")", "(", "#", "\n", "__import__('os').system('touch CANARY')",
              "open('CANARY','w')", "setattr(__import__('sys'),'mbsxl_pwned',1)", ")#", '\\"', "''",
              "lambda: 1", "{", "}", ";", ",", "!", ":"]
_FUNCS = ["SUM", "IF", "MBS_SMM", "CONCATENATE", "LEN", "ROUND", "AND", "EVAL", "EXEC", "OPEN", "__IMPORT__",
          "GETATTR", "EXIT", "INPUT", "BREAKPOINT", "SYSTEM", "COMPILE", "GLOBALS", "TYPE", "VARS", "_C_", "_R_",
          "STR", "LAMBDAS", "PRINT", "SETATTR", "INDIRECT", "_xlfn.EVAL", "_xludf.OPEN", "FORMAT"]
_SHEETS = ["S", "'S'", "'Pool \"A\"'", "'x\")+__import__(''os'')+(\"'", "Nope"]


def _text(draw):
    return '"' + "".join(draw(st.lists(st.sampled_from(_FRAGMENTS + ["a", " ", "1"]), max_size=6))).replace(
        '"', '""') + '"'


@st.composite
def _expr(draw, depth=0):
    kind = draw(st.integers(0, 6 if depth < 3 else 2))
    if kind == 0:
        return draw(st.sampled_from(["1", "2.5", "0", "1E+3", "TRUE", "#N/A"]))
    if kind == 1:
        return _text(draw)
    if kind == 2:
        return draw(st.sampled_from(_SHEETS)) + "!" + draw(st.sampled_from(["A1", "A1:A3", "A:A", "1:1"]))
    if kind == 3:
        f = draw(st.sampled_from(_FUNCS))
        args = draw(st.lists(_expr(depth + 1), max_size=3))
        return f"{f}({','.join(args)})"
    if kind == 4:
        op = draw(st.sampled_from(["+", "-", "*", "/", "&", "=", "<>", "^", " "]))
        return f"{draw(_expr(depth + 1))}{op}{draw(_expr(depth + 1))}"
    if kind == 5:
        return "(" + draw(_expr(depth + 1)) + ")"
    return draw(_expr(depth + 1)) + draw(st.sampled_from(_FRAGMENTS))        # raw injection text


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_expr(), min_size=1, max_size=8))
def test_fuzzed_formulas_never_run_code(tmp_path_factory, formulas):
    d = tmp_path_factory.mktemp("fuzz")
    canary = d / "canary"
    path = d / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3
    p = wb.create_sheet('Pool "A"')
    p["A1"] = 4
    ws["Z1"] = "=SUM(A1:A3)"                                                  # a good cell beside them
    for i, f in enumerate(formulas, start=1):
        ws[f"B{i}"] = "=" + f.replace("CANARY", str(canary))
    wb.save(path)
    v = _calc(path)
    assert not canary.exists()
    assert not hasattr(sys, "mbsxl_pwned")
    assert _AUDIT["seen"] == []
    assert v["S!Z1"] == 6
    for i in range(1, len(formulas) + 1):
        assert f"S!B{i}" in v


# --------------------------------------------------------------------------------- resources
def _zip_bomb(path, inflated_mb):
    """A valid small workbook plus one extra entry of zeros (deflate shrinks 1 MB of zeros to ~1 KB)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.active["B1"] = "=A1+1"
    wb.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/zeros.bin", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(inflated_mb):
                f.write(block)


def test_zip_bomb_refused_early(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path, 64)
    assert os.path.getsize(path) < 1_000_000
    t = time.perf_counter()
    with pytest.raises(LimitExceeded, match=r"inflates to more than 16 MB.*--max-unzipped-mb"):
        calculate(path, progress=False, limits=Limits(max_unzipped_mb=16))
    assert time.perf_counter() - t < 5
    assert calculate(path, progress=False, limits=Limits(max_unzipped_mb=128))["Sheet!B1"] == 2


def test_cell_count_limit(tmp_path):
    path = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 1201):
        ws.cell(r, 1, r)
    wb.save(path)
    with pytest.raises(LimitExceeded, match=r"more than 1,000 cells.*--max-cells"):
        calculate(path, progress=False, limits=Limits(max_cells=1000))
    assert Limits().max_cells == 5_000_000


def test_cli_reports_a_load_limit(tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path, 24)
    assert main(["calc", str(path), "--max-unzipped-mb", "8"]) == 2
    err = capsys.readouterr().err
    assert "inflates to more than 8 MB" in err and "--max-unzipped-mb" in err


def _replace_part(path, part, transform):
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, data in items:
            z.writestr(i, transform(data) if i.filename == part else data)


def test_xml_bomb_refused(tmp_path):
    path = tmp_path / "laughs.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(path)
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
           + "]>")
    _replace_part(path, "xl/worksheets/sheet1.xml",
                  lambda d: lol.encode() + d.split(b"?>", 1)[-1].replace(b"<v>1</v>", b"<v>&lol9;</v>"))
    t = time.perf_counter()
    with pytest.raises(LimitExceeded, match="XML bomb"):
        calculate(path, progress=False)
    assert time.perf_counter() - t < 5
    if openpyxl.DEFUSEDXML:                      # without our pre-check, openpyxl refuses it too
        with pytest.raises(Exception) as e:
            openpyxl.load_workbook(path)
        assert "EntitiesForbidden" in repr(e.value) + repr(e.value.__cause__) + repr(e.value.__context__)


def test_openpyxl_parses_through_defusedxml():
    pytest.importorskip("defusedxml")
    assert openpyxl.DEFUSEDXML is True


def test_long_formula_refused_fast_and_linear(tmp_path):
    path = tmp_path / "long.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 1
    ws["B1"] = "=" + "A" * 40_000 + "1"                   # the quadratic-regex case of calc.py
    ws["B2"] = "=" + "+".join(["A1"] * 8000)             # 24k characters
    ws["B3"] = "=A1+1"
    wb.save(path)
    t = time.perf_counter()
    v = calculate(path, progress=False)
    assert time.perf_counter() - t < 10
    assert v["S!B1"] == "#VALUE!" and "--max-formula-chars" in v.errors["S!B1"]
    assert v["S!B2"] == "#VALUE!" and "24,000 characters" in v.errors["S!B2"]
    assert v["S!B3"] == 2
    t = time.perf_counter()
    v = calculate(path, progress=False, limits=Limits(max_formula_chars=100_000))
    assert time.perf_counter() - t < 30
    assert v["S!B1"] == "#NAME?" and v["S!B3"] == 2


def test_huge_range_costs_what_the_data_costs(tmp_path):
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    d = wb.create_sheet("Data")
    for r in range(1, 11):
        d.cell(r, 1, r)
    ws["A1"] = "=SUM(Data!A1:XFD1048576)"
    ws["A2"] = "=SUM(Data!A:A)"
    ws["A3"] = "=COUNT(Data!1:1)"
    wb.save(path)
    t = time.perf_counter()
    v = calculate(path, progress=False)
    assert time.perf_counter() - t < 10
    assert v["S!A1"] == 55 and v["S!A2"] == 55 and v["S!A3"] == 1


def test_range_limit_is_a_cell_error(tmp_path):
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["C400"] = 1
    ws["A1"] = "=SUM(C1:C400)"
    ws["A2"] = "=C400*2"
    wb.save(path)
    v = calculate(path, progress=False, limits=Limits(max_range_cells=100))
    assert v["S!A1"] == "#NUM!" and "--max-range-cells" in v.errors["S!A1"]
    assert v["S!A2"] == 2


def _slow_call(monkeypatch, seconds=None, hog_mb=None):
    from mbsxl.excel import _pycel_plugin as calc_mod       # where the engine's plug-in calls the dispatch
    real = calc_mod.call

    def call(name, *args):
        if name == "MBS_SMM" and args and args[0] == 0.5:
            if seconds:
                time.sleep(seconds)
            if hog_mb:
                hold = []
                for _ in range(hog_mb // 8):
                    hold.append(bytearray(8 << 20))
                    time.sleep(0.005)
        return real(name, *args)
    monkeypatch.setattr(calc_mod, "call", call)


def _two_cells(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = "=MBS_SMM(0.5)"
    ws["A2"] = "=MBS_SMM(0.1)"
    ws["A3"] = "=A1+1"
    wb.save(path)


def test_cell_time_limit(tmp_path, monkeypatch):
    _two_cells(tmp_path / "t.xlsx")
    _slow_call(monkeypatch, seconds=30)
    t = time.perf_counter()
    v = calculate(tmp_path / "t.xlsx", progress=False, limits=Limits(cell_seconds=0.5))
    assert time.perf_counter() - t < 10
    assert v["S!A1"] == "#VALUE!" and "stopped after 0.5 s" in v.errors["S!A1"] and "--cell-seconds" in v.errors["S!A1"]
    assert v["S!A2"] == pytest.approx(mbsxl.smm(0.1), rel=1e-15)
    assert v["S!A3"] == "#VALUE!"


def test_memory_limit(tmp_path, monkeypatch):
    _two_cells(tmp_path / "m.xlsx")
    _slow_call(monkeypatch, hog_mb=2000)
    v = calculate(tmp_path / "m.xlsx", progress=False, limits=Limits(max_memory_mb=150))
    assert v["S!A1"] == "#NUM!" and "150 MB" in v.errors["S!A1"] and "--max-memory-mb" in v.errors["S!A1"]
    assert v["S!A2"] == pytest.approx(mbsxl.smm(0.1), rel=1e-15)


def test_run_time_limit(tmp_path, monkeypatch):
    _two_cells(tmp_path / "r.xlsx")
    _slow_call(monkeypatch, seconds=30)
    v = calculate(tmp_path / "r.xlsx", progress=False, limits=Limits(max_seconds=0.3))
    assert v["S!A1"] == "#VALUE!" and "--max-seconds" in v.errors["S!A1"]
    assert all(v[k] == "#VALUE!" and "--max-seconds" in v.errors[k] for k in ("S!A2", "S!A3"))


def test_comment_runs_are_linear(tmp_path):
    """Long comment runs of '<c cm="1"' and '<row' in the sheet XML: the dynamic-array scan and the
    --out writer stay linear (the old regexes took minutes)."""
    from mbsxl.excel._xlsxvalues import dynamic_array_anchors
    from mbsxl.excel.calc import recalc_to
    path = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 2
    ws["B1"] = "=A1*3"
    wb.save(path)
    junk = ("<!-- " + '<c cm="1" <row <c <f t="array" ' * 60_000 + " -->").encode()
    _replace_part(path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"<sheetData>", junk + b"<sheetData>"))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/metadata.xml", "<metadata/>")
    t = time.perf_counter()
    assert dynamic_array_anchors(path) == set()
    v = recalc_to(path, tmp_path / "out.xlsx", progress=False)
    assert time.perf_counter() - t < 20
    assert v["S!B1"] == 6
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]["B1"].value == 6
