"""The plainest parts of a worksheet and of the shared-string table read straight from their XML
bytes instead of through ElementTree and openpyxl's per-element code (issue 21 load speed: the pool
template's 15,000-row tape, 111,000 cells, took ~1 s of openpyxl's read).

Only text that a strict pattern proves plain is read here, the rest goes to openpyxl untouched:

- **worksheet** (:func:`split_sheet`): the ``<row>`` elements of ``<sheetData>`` written the way
  xlsxwriter and Excel write them (``<row r="7" spans="1:9">``, optionally ``x14ac:dyDescent``) whose
  cells are all ``<c r="B7" s="12" t="s"><v>99</v></c>``-shaped: an address, a style number, no type
  or the type ``n``, ``s``, ``b`` or ``e``, an optional ``<v>`` holding a number, an index, 0/1 or an
  error's text, or an inline string ``<is><t>text</t></is>`` (plain text, the five predefined entities),
  nothing else (no formula, no rich text).  Every other row stays in the XML that openpyxl parses
  (:class:`Plan`), and the cells of both are stored in document order (a repeated address keeps the
  last, as openpyxl does).  The whole worksheet goes to openpyxl when anything is out of the ordinary:
  no single ``<sheetData>``, a comment, CDATA, processing instruction or DTD anywhere, a default
  namespace other than SpreadsheetML's or declared twice, an XML declaration other than version 1.0
  in UTF-8, a row outside ``<sheetData>`` or a prefixed one, a row without ``r="..."`` first.
  A plain row may carry the other attributes of a row (a height, a style) in the schema's order, each
  once; its dimension is then recorded as openpyxl's ``parse_row`` records it (:meth:`Plan.dimensions`).
- **shared strings** (:func:`read_strings`): a table whose every item is ``<si><t>text</t></si>``
  (text without markup, carriage returns or characters XML forbids; the five predefined entities
  only) is read with two patterns; any other table (rich runs, phonetic text) goes to openpyxl whole.

The values are what openpyxl's ``WorkSheetParser.parse_cell`` gives (openpyxl 3.1) for the same
cells with no date formats (:func:`mbsxl.excel._load._serial_dates_reader`): ``int`` for a number
without ``.``/``E``, else ``float``; the shared string at the index; ``bool(int(text))`` for a logical;
an error's text as it stands; an inline string's text (type ``s``); ``None`` without ``<v>``.
The caller (:func:`mbsxl.excel._load._fast_cells`) goes back to openpyxl's own path for the whole
sheet whenever anything raises, so a broken workbook fails with openpyxl's own error.
tests/test_calc_fast_sheet.py compares both readers on generated and mutated sheets.
"""
from __future__ import annotations

import re

#: a plain row's attributes after ``r``, in the order ECMA-376 declares them (CT_Row, §18.3.1.73); a row
#: with any but ``spans`` (and ``x14ac:dyDescent``) gets its dimension, as openpyxl records it
ROW_ATTRIBUTES = (b"spans", b"s", b"customFormat", b"ht", b"hidden", b"customHeight", b"outlineLevel",
                  b"collapsed", b"thickTop", b"thickBot", b"ph")
ENABLED = True            # tests compare with the reader without these paths
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14AC_NS = b"http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"

_PROLOG = re.compile(
    rb'(?:\xef\xbb\xbf)?(?:<\?xml version="1\.0"(?: encoding="[Uu][Tt][Ff]-8")?(?: standalone="(?:yes|no)")?'
    rb'[ \t\r\n]*\?>)?[ \t\r\n]*(<)worksheet xmlns="' + re.escape(MAIN_NS) + rb'"[ \t\r\n/>]')
_ROOT_TAG = re.compile(rb'<worksheet [^<>]*>')
_DEFAULT_NS = re.compile(rb'xmlns[ \t\r\n]*=')


def _patterns(p: bytes):
    """The worksheet patterns; ``p`` is ``b"+"`` for possessive quantifiers (Python 3.11: no backtracking
    into a part that matched, 8 times faster here and the same matches, since what follows each part
    can never begin inside it) or ``b""`` (Python 3.10)."""
    # a number, a shared string's index, a logical's 0/1 or an error's text (#N/A, #DIV/0!); int() and
    # float() refuse what does not fit its cell's type (the sheet then goes to openpyxl)
    num = rb'[-+.0-9A-Za-z#/!?_]*' + p
    # an inline string's text (xlsxwriter's constant_memory tapes): no markup, no carriage return or
    # character XML forbids, the five predefined entities only; captured with its <t> tag, so that an
    # empty text differs from no <is> at all
    text = rb'(<t(?: xml:space="preserve")?' + p + rb'>(?:[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f]|&(?:amp|lt|gt|quot|apos);)*' + p + rb')'
    cell = (rb'<c r="([A-Z]{1,3}' + p + rb')([0-9]{1,7}' + p + rb')"(?: s="([0-9]{1,9}' + p + rb')")?' + p
            + rb'(?: t="([nsbe]|inlineStr)")?' + p + rb'(?:/>|>(?:<v>(' + num + rb')</v>)?' + p + rb'</c>|><is>'
            + text + rb'</t></is></c>)')
    bare = re.sub(rb'\((?!\?)', b'(?:', cell)          # the same without groups
    ws = rb'[ \t\r\n]*' + p

    def row(dy: bool) -> bytes:
        # the row's attributes in the schema's order (CT_Row), each at most once, values without markup
        names = ROW_ATTRIBUTES + ((b"x14ac:dyDescent",) if dy else ())
        attrs = b"".join(rb'(?: ' + n + rb'="[-+.:0-9A-Za-z]{0,32}' + p + rb'")?' + p for n in names)
        return rb'<row r="[0-9]{1,7}' + p + rb'"' + attrs + rb'>(?:' + bare + rb')*' + p + rb'</row>'

    runs = {dy: re.compile(rb'(?:' + ws + row(dy) + rb')+' + p) for dy in (False, True)}
    return re.compile(cell), runs


try:
    _CELL_GROUPS, _PLAIN_RUN = _patterns(b"+")
except re.error:                                   # Python 3.10
    _CELL_GROUPS, _PLAIN_RUN = _patterns(b"")
_ROW_TAG = re.compile(rb'<row r="([0-9]+)"([^>]*)>')
_ATTRIBUTE = re.compile(rb' ([:0-9A-Za-z]+)="([^"]*)"')
# any other row (r="..." first), whole
_OTHER_ROW = re.compile(rb'[ \t\r\n]*(<row r="[0-9]{1,7}"(?:[ \t\r\n][^>]*)?(?:/>|(?<!/)>.*?</row>))', re.S)
_CHUNK = 1 << 18          # bytes of plain rows converted at a time (bounds the temporary tuples)


class Plan:
    """A worksheet split: ``rest`` (the XML with the plain rows taken out, for openpyxl) and
    ``segments`` in document order, each ``(start, end)`` (a run of plain rows: ``data[start:end]``)
    or ``None`` (the next row openpyxl yields from ``rest``)."""

    __slots__ = ("data", "rest", "segments")

    def __init__(self, data, rest, segments):
        self.data, self.rest, self.segments = data, rest, segments

    def chunks(self, start, end):
        """``(start, end)`` pieces of a run of plain rows, each ending after a ``</row>``."""
        data = self.data
        while start < end:
            stop = data.find(b"</row>", min(start + _CHUNK, end - 6))
            stop = end if stop < 0 or stop + 6 > end else stop + 6
            yield start, stop
            start = stop

    def dimensions(self, start, end):
        """``(row key, attributes)`` of each row of ``data[start:end]`` that openpyxl's ``parse_row``
        records a dimension for (an attribute other than ``r``, ``spans`` and a namespaced one), with
        the attributes as ElementTree gives them (``x14ac:dyDescent`` as ``{namespace}dyDescent``)."""
        out = []
        for r, attrs in _ROW_TAG.findall(self.data, start, end):
            if not attrs or (attrs.count(b'="') == 1 and attrs.startswith(b' spans="')):
                continue
            pairs = _ATTRIBUTE.findall(attrs)
            if all(n == b"spans" or n == b"x14ac:dyDescent" for n, _ in pairs):
                continue
            d = {"r": r.decode("ascii")}
            for n, v in pairs:
                d["{%s}dyDescent" % X14AC_NS.decode() if n == b"x14ac:dyDescent" else n.decode("ascii")] = \
                    v.decode("ascii")
            out.append((str(int(r)), d))
        return out

    def cells(self, start, end):
        """``(column letters, row, style, type, value, inline text with its <t> tag)`` as bytes of each
        cell in ``data[start:end]``."""
        return _CELL_GROUPS.findall(self.data, start, end)


def split_sheet(data: bytes) -> Plan | None:
    """The plan for a worksheet's XML bytes, or None when openpyxl should read all of it."""
    i = data.find(b"<sheetData>")
    if i < 0:
        return None
    j = data.find(b"</sheetData>", i)
    if (j < 0 or data.find(b"<sheetData>", i + 1) >= 0 or data.find(b"</sheetData>", j + 1) >= 0
            or b"<!" in data or b"]]>" in data):
        return None
    m = _PROLOG.match(data)
    if m is None or data.count(b"<?") != (1 if data.find(b"<?", 0, m.end()) >= 0 else 0):
        return None
    root = _ROOT_TAG.match(data, m.start(1))
    if root is None or root.end() > i or len(_DEFAULT_NS.findall(data)) != 1:
        return None
    begin, end = i + len(b"<sheetData>"), j
    if (data.find(b"<row", 0, begin) >= 0 or data.find(b"<row", end) >= 0 or data.find(b":row", 0, begin) >= 0
            or data.find(b":row", end) >= 0):
        return None
    dy = b'xmlns:x14ac="' + X14AC_NS + b'"' in root.group(0)
    plain, other = _PLAIN_RUN[dy], _OTHER_ROW
    segments, kept = [], []
    pos = begin
    while pos < end:
        t = plain.match(data, pos, end)
        if t is not None:
            segments.append((t.start(), t.end()))
            pos = t.end()
            continue
        t = other.match(data, pos, end)
        if t is None:
            break
        if t.group(1).count(b"<row") != 1:      # a row inside a row: openpyxl reads it all
            return None
        segments.append(None)
        kept.append(t.group(1))
        pos = t.end()
    if data[pos:end].strip(b" \t\r\n"):
        return None
    return Plan(data, data[:begin] + b"".join(kept) + data[end:], segments)


_SST_HEAD = re.compile(
    r'(?:<\?xml version="1\.0"(?: encoding="[Uu][Tt][Ff]-8")?(?: standalone="(?:yes|no)")?[ \t\n]*\?>)?'
    r'[ \t\n]*<sst xmlns="' + re.escape(MAIN_NS.decode()) + r'"(?: count="[0-9]{1,10}")?'
    r'(?: uniqueCount="[0-9]{1,10}")?>')
_SI_BODY = r'<si>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|<t(?: xml:space="preserve")?/>)</si>'
_SI = re.compile(_SI_BODY)
_ALL_SI = re.compile(r'(?:' + _SI_BODY + r')*')
_FORBIDDEN = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]')
_BAD_AMP = re.compile(r'&(?!(?:amp|lt|gt|quot|apos);)')


def inline_text(tagged: bytes) -> str:
    """The text of ``<t ...>text`` (a plain inline string, :func:`_patterns`) as ElementTree gives it;
    raises ValueError on bytes that are not UTF-8 or on a character XML forbids."""
    s = tagged[tagged.index(b">") + 1:].decode("utf-8")
    if "\ufffe" in s or "\uffff" in s:
        raise ValueError("a character XML forbids")
    if "&" in s:
        s = (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
             .replace("&amp;", "&"))
    return s


def read_strings(data: bytes) -> list | None:
    """The shared strings of a table made only of plain items, as openpyxl's ``read_string_table``
    gives them (openpyxl 3.1: the text, with ``x005F_`` removed), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "<!" in text or "]]>" in text or text.count("<?") > 1 or _FORBIDDEN.search(text):
        return None
    m = _SST_HEAD.match(text)
    if m is None or ("<?" in text and not text.startswith("<?")):
        return None
    tail = text.rstrip(" \t\n")
    if not tail.endswith("</sst>"):
        return None
    stop = len(tail) - len("</sst>")
    if _ALL_SI.fullmatch(tail, m.end(), stop) is None:
        return None
    items = _SI.findall(tail, m.end(), stop)
    if "&" in text:
        if _BAD_AMP.search(text):
            return None
        items = [s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
                 .replace("&amp;", "&") if "&" in s else s for s in items]
    return [s.replace("x005F_", "") for s in items]
