"""The worksheet and shared-string shortcuts of the workbook reader (mbsxl/excel/_fastsheet.py, issue 21
load speed) give exactly what openpyxl's own reader gives: the same cells (value and its type, cell
type, style, address, stored in the same order), the same row dimensions, and on a broken part the
same error.

The oracle is openpyxl 3.1's reader itself (``_fastsheet.ENABLED = False`` reads every part through
it); the XML shapes follow ECMA-376 Part 1 (§18.3.1.73 row, §18.3.1.4 c, §18.3.1.96 v, §18.4.8 si,
§18.4.12 t) and what xlsxwriter and Excel write.  Sheets are generated (numbers in every notation,
shared strings, styled empty cells, formulas, inline strings, booleans, errors, rows with heights,
cells without addresses, repeated addresses, out-of-range indexes) and then mutated byte by byte, so
that a shortcut that accepted malformed XML, or read a cell differently, shows up as a difference.
"""
from __future__ import annotations

import glob
import io
import os
import warnings
import zipfile

import pytest

openpyxl = pytest.importorskip("openpyxl")
xlsxwriter = pytest.importorskip("xlsxwriter")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from openpyxl.reader.strings import read_string_table  # noqa: E402

from mbsxl.excel import _fastsheet  # noqa: E402
from mbsxl.excel._load import _load_workbook  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A workbook with 4 cell styles and a shared-string table, whose sheet and table we replace."""
    path = str(tmp_path_factory.mktemp("fastsheet") / "base.xlsx")
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("Tape")
    for i, f in enumerate([{"bold": True}, {"num_format": "0.00%"}, {"num_format": "yyyy-mm-dd"}]):
        ws.write_number(0, i, 1, book.add_format(f))
    ws.write_string(1, 0, "x")
    book.close()
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _xlsx(parts, tmp_path, sheet: bytes, sst: bytes | None = None) -> str:
    path = str(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                data = sheet
            elif name == "xl/sharedStrings.xml" and sst is not None:
                data = sst
            z.writestr(name, data)
    return path


def _value(v):
    if hasattr(v, "ref"):                          # ArrayFormula
        return (v.text, str(v.ref))
    if hasattr(v, "attrib") or hasattr(v, "t"):    # DataTableFormula
        return repr(sorted(dict(v).items())) if hasattr(v, "__iter__") else repr(vars(v))
    return repr(v)


def _state(wb):
    out = []
    for ws in wb.worksheets:
        cells = [(k, type(c._value).__name__, _value(c._value), c.data_type, tuple(c._style), c.row, c.column)
                 for k, c in ws._cells.items()]
        rows = sorted((k, d.ht, d.customHeight, d.hidden, d.outlineLevel) for k, d in ws.row_dimensions.items())
        out.append((ws.title, cells, rows, ws._current_row, sorted(str(r) for r in ws.merged_cells.ranges)))
    return out


def _outcome(path, fast: bool, monkeypatch):
    monkeypatch.setattr(_fastsheet, "ENABLED", fast)
    try:
        wb = _load_workbook(path, checked=True)
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return ("raised", type(e).__name__, str(e))
    return ("read", _state(wb))


def _same(path, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # openpyxl's own warnings, the same on both paths
        assert _outcome(path, True, monkeypatch) == _outcome(path, False, monkeypatch)


# --- generated sheets -------------------------------------------------------------------------------

NUMBERS = ["0", "-3", "42", "1.5", "0.066555", "0.07829999999999999", "1e5", "2E-3", "-1.25E+10", ".5", "5.",
           "007", "1e999", "123456789012345678901234567890", "", "-", "1e", "+5", "1_0", "nan", " 1", "E5", "--1"]
STRINGS = ["0", "1", "2", "3", "-1", "99", "1.0", "", " 2"]


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


PLAIN = ["n", "n", "n", "s", "s", "empty", "closed", "emptyv", "tn", "b", "e", "inline", "inline"]
OTHER = ["f", "oddinline", "str", "noaddr", "otherrow", "badstyle", "order", "lower", "space", "oddb", "odde"]


@st.composite
def cell(draw, row: int, col: int, odd: bool):
    kind = draw(st.sampled_from(PLAIN + OTHER if odd and draw(st.integers(0, 3)) == 0 else PLAIN))
    addr = f"{_col(col)}{row}"
    s = draw(st.sampled_from(["", ' s="0"', ' s="1"', ' s="2"', ' s="3"']))
    if kind == "n":
        return f'<c r="{addr}"{s}><v>{draw(st.sampled_from(NUMBERS if odd else NUMBERS[:14]))}</v></c>'
    if kind == "tn":
        return f'<c r="{addr}"{s} t="n"><v>{draw(st.sampled_from(NUMBERS))}</v></c>'
    if kind == "s":
        return f'<c r="{addr}"{s} t="s"><v>{draw(st.sampled_from(STRINGS if odd else STRINGS[:4]))}</v></c>'
    if kind == "empty":
        return f'<c r="{addr}"{s}/>'
    if kind == "closed":
        return f'<c r="{addr}"{s}></c>'
    if kind == "emptyv":
        return f'<c r="{addr}"{s} t="s"><v></v></c>'
    if kind == "f":
        return f'<c r="{addr}"{s}><f>A1+1</f><v>3</v></c>'
    if kind == "inline":
        text = draw(st.sampled_from(["hi &amp; bye", "L12", "", "中文 Tape", "a\tb\nc", "&lt;x&gt; &quot;q&quot; &apos;",
                                     " lead", "x005F_y", ">"]))
        space = draw(st.sampled_from(["", ' xml:space="preserve"']))
        return f'<c r="{addr}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if kind == "oddinline":
        body = draw(st.sampled_from(["<t/>", "<r><t>a</t></r><r><t>b</t></r>", "<t>a\rb</t>", "<t>\x01</t>", "<t>&#10;</t>",
                                     "<t>&x;</t>", "<t>a & b</t>", "<t>\uffff</t>", ""]))
        tail = draw(st.sampled_from([f"<is>{body}</is>", "<v>3</v>", "", "<is><t>x</t></is><v>1</v>"]))
        kind = draw(st.sampled_from(["inlineStr", "inlineStr", "n", "s"]))
        return f'<c r="{addr}"{s} t="{kind}">{tail}</c>'
    if kind == "b":
        return f'<c r="{addr}"{s} t="b"><v>{draw(st.sampled_from(["1", "0", ""]))}</v></c>'
    if kind == "e":
        return f'<c r="{addr}"{s} t="e"><v>{draw(st.sampled_from(["#N/A", "#DIV/0!", "#NAME?", "#REF!"]))}</v></c>'
    if kind == "oddb":
        return f'<c r="{addr}"{s} t="b"><v>{draw(st.sampled_from(["2", "-1", "x", "1.0", "TRUE"]))}</v></c>'
    if kind == "odde":
        return f'<c r="{addr}"{s} t="e"><v>{draw(st.sampled_from(["1", "#x_y", "A&amp;B", ""]))}</v></c>'
    if kind == "str":
        return f'<c r="{addr}"{s} t="str"><v>12</v></c>'
    if kind == "noaddr":
        return f"<c{s}><v>7</v></c>"
    if kind == "otherrow":
        return f'<c r="{_col(col)}{draw(st.integers(1, 6))}"{s}><v>8</v></c>'
    if kind == "badstyle":
        return f'<c r="{addr}" s="57"><v>9</v></c>'
    if kind == "order":
        return f'<c r="{addr}" t="s"{s}><v>1</v></c>'
    if kind == "lower":
        return f'<c r="{addr.lower()}"><v>1</v></c>'
    return f'<c r="{addr}"{s}> <v>5</v></c>'


@st.composite
def sheet(draw):
    """A worksheet; ``odd`` ones mix in every other kind of cell and row, and rows out of order."""
    dy = draw(st.booleans())
    odd = draw(st.booleans())
    rows = []
    r = 0
    for _ in range(draw(st.integers(0, 8))):
        r += draw(st.sampled_from([1, 1, 1, 2, 0, -1])) if r and odd else 1
        r = max(r, 1)
        extras = ["", ' spans="1:4"', ' spans="1:4"', ' spans="1:4" ht="30" customHeight="1"', ' ht="42.5"',
                  ' s="2" customFormat="1"', ' spans="2:3" hidden="1" outlineLevel="1"'] + (
            [' x14ac:dyDescent="0.25"', ' spans="1:4" x14ac:dyDescent="0.3"', ' spans="1:4" ht="20" x14ac:dyDescent="0.3"']
            if dy or odd else [])
        if odd:
            extras += [' customHeight="1" ht="30"', ' ht="30" ht="20"', ' spans="1:4" spans="1:4"', ' s="9"',
                       ' ht="x"', ' collapsed="maybe"', " ht='3'"]
        extra = draw(st.sampled_from(extras))
        head = f'<row r="{r}"' if not odd else draw(st.sampled_from(
            [f'<row r="{r}"', f'<row r="{r}"', "<row", f'<row spans="1:2" r="{r}"']))
        cells = [draw(cell(r, c, odd)) for c in range(1, draw(st.integers(0, 5)) + 1)]
        if odd and draw(st.integers(0, 9)) == 0:
            cells.reverse()
        sep = draw(st.sampled_from(["", "", "\n", "\r\n  "]))
        rows.append(sep + head + extra + (">" + "".join(cells) + "</row>" if cells or draw(st.booleans())
                                          else "/>"))
    prolog = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', "",
                                   "<?xml version='1.0'?>", '<?xml version="1.0" encoding="utf-8"?>']))
    ns = f' xmlns:x14ac="{X14AC}"' if dy else ""
    merge = draw(st.sampled_from(["", '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>']))
    return (f'{prolog}<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships"{ns}><dimension ref="A1"/><sheetData>{"".join(rows)}</sheetData>{merge}'
            f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f"</worksheet>").encode()


def _sst(strings):
    from xml.sax.saxutils import escape
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>').encode()


SST = _sst(["alpha", "beta & gamma", "<delta>", "x005F_y"])

MUTATIONS = [b"<", b">", b"/", b'"', b"=", b" ", b"&", b"]]>", b"<!--x-->", b'<row r="3"/>', b"</row>", b"</c>",
             b'xmlns="urn:x"', b"<c r=\"A1\"><v>1</v></c>", b"\x01", b"\xff", b"<?pi x?>", b"<x:row/>", b"<v>"]


@SETTINGS
@given(doc=sheet())
def test_generated_sheets(base, tmp_path, monkeypatch, doc):
    _same(_xlsx(base, tmp_path, doc, SST), monkeypatch)


@SETTINGS
@given(doc=sheet(), edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["del", "ins", "dup"]),
                                              st.sampled_from(MUTATIONS)), min_size=1, max_size=3))
def test_mutated_sheets(base, tmp_path, monkeypatch, doc, edits):
    for where, how, what in edits:
        i = int(where * len(doc))
        if how == "del":
            doc = doc[:i] + doc[i + 1:]
        elif how == "ins":
            doc = doc[:i] + what + doc[i:]
        else:
            doc = doc[:i] + doc[i:i + 40] + doc[i:]
    _same(_xlsx(base, tmp_path, doc, SST), monkeypatch)


def test_plain_rows_split_from_the_rest():
    """Rows with a formula, or attributes out of the schema's order, stay with openpyxl; the plain rows
    around them are read here, a plain row's height recorded as openpyxl's ``parse_row`` records it."""
    doc = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c></row>'
           '<row r="2" customHeight="1" ht="30"><c r="A2"><v>2</v></c></row>'
           '<row r="3"><c r="A3" s="1"><v>3.5</v></c><c r="B3"><f>A3</f></c></row>'
           '<row r="4" spans="1:1" ht="30" customHeight="1"><c r="A4"><v>4</v></c></row></sheetData>'
           '</worksheet>').encode()
    plan = _fastsheet.split_sheet(doc)
    assert plan is not None
    assert [None if s is None else doc[s[0]:s[1]][:10] for s in plan.segments] == [b'<row r="1"', None, None,
                                                                                   b'<row r="4"']
    assert b'<row r="1"' not in plan.rest and b'<row r="2"' in plan.rest and b"<f>A3</f>" in plan.rest
    assert plan.dimensions(*plan.segments[0]) == []
    assert plan.dimensions(*plan.segments[3]) == [("4", {"r": "4", "spans": "1:1", "ht": "30", "customHeight": "1"})]


@pytest.mark.parametrize("doc", [
    b'<worksheet xmlns="urn:other"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
    f'<worksheet xmlns="{MAIN}"><x xmlns="urn:o"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    '</sheetData></worksheet>'.encode(),
    f'<worksheet xmlns="{MAIN}"><sheetData><!-- c --><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    '</worksheet>'.encode(),
    f'<worksheet xmlns="{MAIN}"><sheetData><row><c r="A1"><v>1</v></c></row></sheetData></worksheet>'.encode(),
    f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v>'
    '</c></row></sheetData></worksheet>'.encode(),
])
def test_unusual_sheets_left_to_openpyxl(doc):
    """Another default namespace, a redeclared one, a comment, a row without its number, another
    encoding: the whole sheet goes to openpyxl."""
    assert _fastsheet.split_sheet(doc) is None


# --- shared strings ---------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["a & b", "<x>", '"q"', "it's", "_x005F_x000D_", "x005F_", "  lead", "tail  ", "line\nbreak", "cr\rlf",
     "]]>", "\t", "&amp;", "中文 Tape"])


@SETTINGS
@given(strings=st.lists(TEXT, max_size=8), style=st.sampled_from(["plain", "preserve", "rich", "empty"]))
def test_shared_strings(strings, style):
    from xml.sax.saxutils import escape
    items = []
    for s in strings:
        if style == "preserve":
            items.append(f'<si><t xml:space="preserve">{escape(s)}</t></si>')
        elif style == "rich":
            items.append(f"<si><r><rPr><b/></rPr><t>{escape(s)}</t></r><r><t>!</t></r></si>")
        elif style == "empty":
            items.append("<si><t/></si>")
        else:
            items.append(f"<si><t>{escape(s)}</t></si>")
    data = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="1" '
            f'uniqueCount="1">{"".join(items)}</sst>').encode("utf-8", "surrogatepass")
    _same_strings(data)


@SETTINGS
@given(strings=st.lists(TEXT, min_size=1, max_size=5), edits=st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(["del", "ins"]), st.sampled_from(MUTATIONS + [b"&#0;", b"&#10;", b"&x;"])),
    min_size=1, max_size=3))
def test_mutated_shared_strings(strings, edits):
    data = _sst(strings)
    for where, how, what in edits:
        i = int(where * len(data))
        data = data[:i] + data[i + 1:] if how == "del" else data[:i] + what + data[i:]
    _same_strings(data)


def _same_strings(data: bytes):
    fast = _fastsheet.read_strings(data)
    try:
        slow = ("read", read_string_table(io.BytesIO(data)))
    except Exception as e:  # noqa: BLE001
        slow = ("raised", type(e).__name__)
    if fast is not None:                       # None: openpyxl reads it (its own result or error)
        assert slow == ("read", fast)


def test_plain_table_read_here():
    assert _fastsheet.read_strings(SST) == ["alpha", "beta & gamma", "<delta>", "y"]   # x005F_ dropped as openpyxl does
    rich = SST.replace(b"<si><t>alpha</t></si>", b"<si><r><t>al</t></r><r><t>pha</t></r></si>")
    assert _fastsheet.read_strings(rich) is None


# --- the templates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "workbooks", "*.xlsx"))),
                         ids=os.path.basename)
def test_templates(path, monkeypatch):
    _same(path, monkeypatch)


def test_pool_tape_takes_the_short_path(monkeypatch):
    """The pool template's 12,255-row tape (its header row's height recorded) and its 12,392 shared
    strings are read here, none of it by openpyxl: the speed this module exists for."""
    path = os.path.join(ROOT, "workbooks", "jianyuan_2007_1_pool.xlsx")
    if not os.path.exists(path):
        pytest.skip("templates not built")
    plans, tables = [], []
    split, read = _fastsheet.split_sheet, _fastsheet.read_strings
    monkeypatch.setattr(_fastsheet, "split_sheet", lambda d: plans.append(split(d)) or plans[-1])
    monkeypatch.setattr(_fastsheet, "read_strings", lambda d: tables.append(read(d)) or tables[-1])
    _load_workbook(path, checked=True)
    assert tables and tables[0] is not None and len(tables[0]) == 12_392
    tape = max((p for p in plans if p is not None), key=lambda p: len(p.data))
    assert tape.segments.count(None) == 0 and len(tape.rest) < 20_000
    assert tape.dimensions(*tape.segments[0]) == [("1", {"r": "1", "spans": "1:9", "ht": "42", "customHeight": "1"})]


_PLAIN_PATTERNS = _fastsheet._patterns(b"")


def _split(doc, patterns):
    saved = _fastsheet._CELL_GROUPS, _fastsheet._PLAIN_RUN
    _fastsheet._CELL_GROUPS, _fastsheet._PLAIN_RUN = patterns
    try:
        plan = _fastsheet.split_sheet(doc)
        return None if plan is None else (plan.rest, plan.segments,
                                          [(plan.cells(*s), plan.dimensions(*s)) for s in plan.segments if s])
    finally:
        _fastsheet._CELL_GROUPS, _fastsheet._PLAIN_RUN = saved


@SETTINGS
@given(doc=sheet(), cut=st.floats(0, 1), what=st.sampled_from(MUTATIONS))
def test_possessive_patterns_match_as_plain_ones(doc, cut, what):
    """Python 3.11's possessive quantifiers find what the backtracking patterns (Python 3.10) find."""
    i = int(cut * len(doc))
    for d in (doc, doc[:i] + what + doc[i:]):
        assert _split(d, (_fastsheet._CELL_GROUPS, _fastsheet._PLAIN_RUN)) == _split(d, _PLAIN_PATTERNS)
