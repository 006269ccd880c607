"""The VBA that xlwings' OWN ``import_udfs`` / ``generate_vba_wrapper`` writes for ``mbsxl.excel.udfs``
(what *Import Functions* puts into a workbook or an add-in), and the ``Application.MacroOptions`` calls
that register descriptions in the Function Wizard, run on Linux with the COM stand-ins of
tests/_com_stubs.py.  Checked against the VBA language rules:

- identifiers (function and argument names) are no reserved identifier of VBA ([MS-VBAL] 3.3.5.2,
  "Reserved Identifiers and IDENTIFIER"; VBA is case-insensitive) and clash with nothing the wrapper
  body uses (``XLPy``, ``Array``, the label ``failed``), nor with the function's own name;
- a physical line is at most 1023 characters and a logical line has at most 24 line continuations
  (Office VBA: "Line too long", "Too many line continuations");
- the module is ASCII (VBComponents.Import reads the file in the ANSI code page);
- ``MacroOptions``: Description and each ArgumentDescriptions entry at most 255 characters
  (Application.MacroOptions documentation), Category "MBS", one description per VBA argument;
- in an add-in (``.xlam``) the wrapper passes ``ActiveWorkbook``, in a workbook ``ThisWorkbook``
  (xlwings' rule in ``generate_vba_wrapper``).
"""
from __future__ import annotations

import re

import pytest

import _com_stubs as S

#: [MS-VBAL] 3.3.5.2 reserved identifiers (statement keywords, marker keywords, operator identifiers,
#: reserved names, special forms, reserved type identifiers, literal identifiers) and Rem/Attribute.
VBA_RESERVED = set("""
abs addressof and any array as attribute boolean byref byte byval call case cbool cbyte ccur cdate cdbl
cdec cint circle clng clnglng clngptr close const csng cstr currency cvar cverr date debug decimal declare
defbool defbyte defcur defdate defdbl defdec defint deflng deflnglng deflngptr defobj defsng defstr defvar
dim do doevents double each else elseif empty end endif enum eqv erase error event exit false fix for
friend function get global gosub goto if imp implements in input inputb integer is lbound len lenb let
like lock long longlong longptr loop lset me mod new next not nothing null on open option optional or
paramarray preserve print private pset public put raiseevent redim rem resume return rset scale seek
select set sgn shared single spc static stop string sub tab then to true type typeof ubound unlock until
variant wend while with withevents write xor
""".split())
BODY_NAMES = {"xlpy", "array", "failed", "application", "thisworkbook", "activeworkbook", "err"}


@pytest.fixture(scope="module", params=["Book1.xlsm", "mbsxl_functions.xlam"])
def imported(request):
    S.install()
    try:
        udfs = S.windows_mbsxl_udfs()
        import xlwings.udfs as xu
        app = S.Application(version="16.0")
        book = S.Workbook(request.param, app)
        xu.import_udfs("mbsxl.excel.udfs", book)
        (vba,) = book.VBProject.VBComponents.imported
        yield request.param, udfs, vba, app.macro_options
    finally:
        S.uninstall()


def _functions(vba: str):
    """(name, [args]) of every ``Function`` in the module, continuations joined."""
    logical = vba.replace(" _\n", "")
    out = []
    for m in re.finditer(r"^Function (\w+)\(([^)]*)\)", logical, re.M):
        args = [a.strip().replace("Optional ", "") for a in m.group(2).split(",") if a.strip()]
        out.append((m.group(1), args))
    return out


def test_one_function_per_registry_entry(imported):
    from mbsxl.excel.registry import functions
    _, _, vba, _ = imported
    fns = _functions(vba)
    assert sorted(n for n, _ in fns) == sorted(functions())
    for name, args in fns:
        want = [a.name for a in functions()[name].args]
        assert args == want, name


def test_identifiers_are_legal(imported):
    _, _, vba, _ = imported
    for name, args in _functions(vba):
        ids = [name] + args
        for ident in ids:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", ident), ident
            assert ident.lower() not in VBA_RESERVED, f"{name}: {ident} is reserved in VBA"
        for a in args:
            assert a.lower() not in BODY_NAMES and a.lower() != name.lower(), f"{name}: {a}"
        assert len({a.lower() for a in args}) == len(args), f"{name}: duplicate argument (VBA ignores case)"


def test_line_limits_and_encoding(imported):
    _, _, vba, _ = imported
    vba.encode("ascii")
    lines = vba.split("\n")
    assert max(len(line) for line in lines) <= 1023
    cont = 0
    for line in lines:
        if line.endswith(" _"):
            cont += 1
            assert cont <= 24
        else:
            cont = 0


def test_macro_options(imported):
    from mbsxl.excel.registry import functions
    name, _, _, calls = imported
    assert len(calls) == len(functions())
    for macro, kw in calls:
        fname = macro.split("!")[1]
        assert macro == f"'{name}'!{fname}"
        assert kw["Category"] == "MBS"
        assert 0 < len(kw["Description"]) <= 255
        docs = kw["ArgumentDescriptions"] or []
        assert len(docs) == len(functions()[fname].args)
        assert all(0 < len(d) <= 255 for d in docs), fname
        assert kw["Description"] == functions()[fname].description[:255]


def test_workbook_reference(imported):
    name, _, vba, _ = imported
    want = "ActiveWorkbook" if name.endswith(".xlam") else "ThisWorkbook"
    calls = re.findall(r'XLPy\.CallUDF\("mbsxl\.excel\.udfs", "(\w+)", Array\([^)]*\), (\w+), Application\.Caller\)',
                       vba.replace(" _\n", ""))
    assert calls and {w for _, w in calls} == {want}


def test_counts(imported, capsys):
    name, _, vba, calls = imported
    fns = _functions(vba)
    n_args = sum(len(a) for _, a in fns)
    with capsys.disabled():
        print(f"\n{name}: {len(fns)} VBA functions, {n_args} arguments, {len(vba.splitlines())} lines, "
              f"{len(calls)} MacroOptions calls")
