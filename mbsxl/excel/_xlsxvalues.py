"""Write computed values into a copy of an .xlsx by editing the sheet XML inside the zip.

Only the ``<c>`` elements of the cells given are touched: the ``<v>`` (cached value) and the ``t=``
type are replaced, the formula ``<f>`` and every other attribute (style ``s=``, ``cm=``) kept; cells
of an array range that are missing from the XML are inserted in column order.  Everything else in the
package (charts, drawings, styles, defined names) is copied byte for byte, which openpyxl's save
would not do (it drops charts).

The copy also loses ``fullCalcOnLoad`` in ``xl/workbook.xml`` (see :func:`_keep_cached`).

Value types (ECMA-376 18.18.11): number -> no ``t``; bool -> ``t="b"``; error -> ``t="e"``; text ->
``t="str"`` in a formula cell, an inline string (``t="inlineStr"``) in a plain cell; empty -> no value.
"""
from __future__ import annotations

import math
import posixpath
import re
import shutil
import tempfile
import zipfile

from .addresses import col_index as _col_index
from .addresses import parse_address as _parse_address
from .addresses import split_cell as _split
from .errors import CODES

_R_ATTR = re.compile(r'\br="([A-Z]+)(\d+)"')
_ROWNUM = re.compile(r'\br="(\d+)"')
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _start_tags(text: str, name: str):
    """Spans ``(i, j)`` of every start tag ``<name ...>`` (or ``<name/>``) of ``text``, ``text[j] == ">"``,
    in one forward pass: each search starts where the previous one ended, so a long run of ``<name``
    without ``>`` (a comment, say) costs linear time, not the quadratic time of
    ``re.finditer(r"<name[^>]*>")``."""
    pos, head = 0, "<" + name
    while True:
        i = text.find(head, pos)
        if i < 0:
            return
        after = text[i + len(head):i + len(head) + 1]
        if after not in (" ", ">", "/", "\t", "\n", "\r"):
            pos = i + len(head)
            continue
        j = text.find(">", i)
        if j < 0:
            return
        yield i, j
        pos = j + 1


def _tags(text: str, name: str):
    """Every start tag ``<name ...>`` of ``text`` as a string (see :func:`_start_tags`)."""
    for i, j in _start_tags(text, name):
        yield text[i:j + 1]


def _elements(text: str, name: str):
    """Spans ``(start, end)`` of the elements ``<name .../>`` or ``<name ...>...</name>`` (not nested),
    found in one forward pass (see :func:`_start_tags`)."""
    pos, close = 0, "</" + name + ">"
    for i, j in _start_tags(text, name):
        if i < pos:                       # inside the element just yielded
            continue
        if text[j - 1] == "/":
            yield i, j + 1
            pos = j + 1
            continue
        k = text.find(close, j)
        if k < 0:
            return
        yield i, k + len(close)
        pos = k + len(close)


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the zip."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for tag in _tags(rels, "Relationship"):
        rid = re.search(r'\bId="([^"]+)"', tag)
        tgt = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and tgt:
            t = tgt.group(1)
            t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
            targets[rid.group(1)] = t
    out = {}
    for tag in _tags(wb, "sheet"):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"', tag) or re.search(r'\b\w+:id="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            out[_unescape(name.group(1))] = targets[rid.group(1)]
    return out


def dynamic_array_anchors(path) -> set[tuple[str, str]]:
    """(sheet name, "A1") of every dynamic-array formula (Excel 365's spilling formulas): the anchor
    cell of an array formula carrying a cell-metadata index ``cm=`` (ECMA-376 18.3.1.4), as Excel and
    xlsxwriter's ``write_dynamic_array_formula`` save them.  Legacy Ctrl+Shift+Enter arrays have none."""
    out: set[tuple[str, str]] = set()
    with zipfile.ZipFile(path) as z:
        if "xl/metadata.xml" not in z.namelist():
            return out
        for name, part in _sheet_parts(z).items():
            try:
                xml = z.read(part).decode("utf-8")
            except KeyError:
                continue
            if 'cm="' not in xml:
                continue
            out.update((name, ref) for ref in _dynamic_anchors_in(xml))
    return out


def _dynamic_anchors_in(xml: str) -> list[str]:
    """Cells of a sheet's XML whose tag carries ``cm=`` and whose first child is an array formula, in one
    forward pass (each ``cm="`` is placed within the tag around it; the search never goes back)."""
    out, pos, floor = [], 0, 0
    while True:
        i = xml.find('cm="', pos)
        if i < 0:
            return out
        start = xml.rfind("<", floor, i)
        end = xml.find(">", i)
        if end < 0:
            return out
        pos = floor = end + 1
        if start < 0 or not xml.startswith("<c", start) or xml[start + 2:start + 3] not in (" ", "\t", "\n", "\r"):
            continue
        tag = xml[start:end + 1]
        if not re.search(r'\scm="\d+"', tag):
            continue
        f_end = xml.find(">", end + 1)
        child = xml[end + 1:f_end + 1] if f_end >= 0 else ""
        if child.startswith("<f") and 't="array"' in child:
            r = _R_ATTR.search(tag)
            if r:
                out.append(f"{r.group(1)}{r.group(2)}")


def _escape(s: str) -> str:
    """``xml.sax.saxutils.escape(s)``: ``&``, ``>`` and ``<`` as entities, in that order (written here:
    importing ``xml.sax.saxutils`` pulls in ``urllib.request``, 15-35 ms of every ``mbsxl calc``).
    >>> _escape("a<b & c>d")
    'a&lt;b &amp; c&gt;d'
    """
    return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _unescape(s: str) -> str:
    """``xml.sax.saxutils.unescape(s, {"&quot;": '"', "&apos;": "'"})``, the same replacements in the same
    order (``&amp;`` last).
    >>> _unescape("R&amp;D &quot;A&quot; &lt;1&gt;")
    'R&D "A" <1>'
    """
    s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
    return s.replace("&amp;", "&")


def _value_xml(v, has_formula: bool) -> tuple[str | None, str]:
    """(t attribute or None, inner xml for the value)."""
    if v is None:
        return None, ""
    try:
        import numpy as np
        if isinstance(v, np.generic):
            v = v.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, bool):
        return "b", f"<v>{int(v)}</v>"
    if isinstance(v, (int, float)):
        x = float(v)
        if not math.isfinite(x):
            return "e", "<v>#NUM!</v>"
        return None, f"<v>{int(v) if isinstance(v, int) else repr(x)}</v>"
    s = str(v)
    if s in CODES:
        return "e", f"<v>{s}</v>"
    if s == "":
        return None, ""
    s = _escape(_BAD_XML.sub("", s))
    if has_formula:
        return "str", f"<v>{s}</v>"
    space = ' xml:space="preserve"' if s != s.strip() else ""
    return "inlineStr", f"<is><t{space}>{s}</t></is>"


def _cell_xml(old: str | None, ref: str, v, keep_formula: bool = True) -> str:
    if old is None:
        attrs = f' r="{ref}"'
        f = ""
    else:
        head = re.match(r"<c\b([^>]*?)(/?)>", old)
        attrs = re.sub(r'\s+t="[^"]*"', "", head.group(1))
        if not keep_formula:
            attrs = re.sub(r'\s+(cm|vm)="[^"]*"', "", attrs)
        fm = next(_elements(old, "f"), None) if keep_formula else None
        f = old[fm[0]:fm[1]] if fm else ""
    t, inner = _value_xml(v, bool(f))
    if t:
        attrs += f' t="{t}"'
    body = f + inner
    return f"<c{attrs}>{body}</c>" if body else f"<c{attrs}/>"


def _edit_sheet(xml: str, updates: dict[str, object], plain: set[str]) -> str:
    """Apply ``updates`` (``"B2" -> value``) to a sheet's XML; cells in ``plain`` lose any formula."""
    by_row: dict[int, dict[int, tuple[str, object]]] = {}
    for addr, v in updates.items():
        col, row = _split(addr)
        by_row.setdefault(row, {})[_col_index(col)] = (f"{col}{row}", v)

    span = next(_elements(xml, "sheetData"), None)
    if span is None:
        return xml
    whole = xml[span[0]:span[1]]
    head_end = whole.find(">")
    content = "" if whole.endswith("/>") and head_end == len(whole) - 1 else whole[head_end + 1:-len("</sheetData>")]
    rows = []                                   # (row number, xml)
    for a, b in _elements(content, "row"):
        rx = content[a:b]
        rn = int(_ROWNUM.search(rx[:rx.find(">") + 1]).group(1))
        if rn in by_row:
            rx = _edit_row(rx, rn, by_row.pop(rn), plain)
        rows.append((rn, rx))
    for rn, cells in by_row.items():
        rows.append((rn, _edit_row(f'<row r="{rn}"/>', rn, cells, plain)))
    rows.sort(key=lambda t: t[0])
    new = "<sheetData>" + "".join(r for _, r in rows) + "</sheetData>"
    return xml[:span[0]] + new + xml[span[1]:]


def _edit_row(rx: str, rn: int, cells: dict[int, tuple[str, object]], plain: set[str]) -> str:
    head = re.match(r"<row\b([^>]*?)/?>", rx)
    attrs = re.sub(r'\s+spans="[^"]*"', "", head.group(1))
    inner = "" if rx.endswith("/>") and not rx.endswith("</row>") else rx[head.end():-len("</row>")]
    existing = []
    for a, b in _elements(inner, "c"):
        cx = inner[a:b]
        ra = _R_ATTR.search(cx)
        existing.append((_col_index(ra.group(1)) if ra else 0, cx))
    out = []
    done = set()
    for ci, cx in existing:
        if ci in cells:
            ref, v = cells[ci]
            out.append((ci, _cell_xml(cx, ref, v, keep_formula=ref not in plain)))
            done.add(ci)
        else:
            out.append((ci, cx))
    for ci, (ref, v) in cells.items():
        if ci not in done:
            out.append((ci, _cell_xml(None, ref, v)))
    out.sort(key=lambda t: t[0])
    return f"<row{attrs}>" + "".join(c for _, c in out) + "</row>"


def write_values(src: str, dst: str, values: dict, sets: dict | None = None, keep_formulas: bool = True) -> None:
    """Copy ``src`` to ``dst`` with ``values`` (``"Sheet!A1" -> value``) stored as cached values and
    ``sets`` (inputs) stored as plain values.  ``keep_formulas=False`` replaces every formula by its
    value (a values-only copy that any viewer shows as computed; the calculation chain is dropped)."""
    per_sheet: dict[str, dict[str, object]] = {}
    plain_per_sheet: dict[str, set[str]] = {}
    with zipfile.ZipFile(src) as z:
        parts = _sheet_parts(z)
        lower = {k.lower(): k for k in parts}
        first = next(iter(parts))

        def put(addr, v, plain=False):
            sheet, cell = _parse_address(addr)
            name = lower.get((sheet or first).lower())
            if name is None:
                return
            per_sheet.setdefault(name, {})[cell] = v
            if plain:
                plain_per_sheet.setdefault(name, set()).add(cell)

        for addr, v in values.items():
            put(addr, v, plain=not keep_formulas)
        for addr, v in (sets or {}).items():
            put(addr, v, plain=True)
        edited = {parts[s]: (u, plain_per_sheet.get(s, set())) for s, u in per_sheet.items()}
        import os
        fd, tmp_name = tempfile.mkstemp(prefix="." + os.path.basename(dst) + ".", suffix=".mbsxl-partial",
                                        dir=_dirname(dst))
        os.close(fd)
        try:
            _write_copy(z, tmp_name, edited, keep_formulas)
            shutil.copymode(src, tmp_name)          # the input's permissions, not mkstemp's 0600
            os.replace(tmp_name, dst)               # atomic: readers see the old file or the new one
        except BaseException:                       # a failure, Ctrl-C or a signal turned into SystemExit
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            raise


_PART_NAME = re.compile(r"^(?:\[Content_Types\]\.xml|(?:_rels|docProps|xl|customXml)/[A-Za-z0-9_.\-/\[\] ]+)$")


def _part_understood(info: zipfile.ZipInfo) -> bool:
    """Whether the copy keeps this zip entry: an OPC part name of a workbook package (``xl/...``,
    ``docProps/...``, ``_rels/...``, ``customXml/...``, ``[Content_Types].xml``) without ``..``
    segments, empty segments or a leading ``/``, and a regular file (not a symbolic link, a folder or a
    device, whatever Unix mode bits the entry carries)."""
    name = info.filename
    if not _PART_NAME.match(name) or name.endswith("/") or any(seg in ("", ".", "..") for seg in name.split("/")):
        return False
    mode = info.external_attr >> 16
    import stat
    return stat.S_IFMT(mode) in (0, stat.S_IFREG)          # 0: no file type given (zipfile's own default)


def write_streamed(src: str, dst: str, values, rewrite) -> None:
    """Copy ``src`` to ``dst`` with the cached values of a columnar result
    (:class:`mbsxl.excel._columnar.ColumnValues`): each sheet part is streamed through
    ``rewrite`` (:func:`mbsxl.excel._sheetxml.rewrite_sheet`, passed in so that the two modules do not
    import each other; never held whole), the rest as :func:`write_values`
    copies it (the same parts, the same rules), compressed at level 1 (a million-row sheet deflates
    in seconds, not half a minute)."""
    import os
    with zipfile.ZipFile(src) as z:
        parts = _sheet_parts(z)
        streamed = {part: values.lookup_xml(name) for name, part in parts.items()}
        fd, tmp_name = tempfile.mkstemp(prefix="." + os.path.basename(dst) + ".", suffix=".mbsxl-partial",
                                        dir=_dirname(dst))
        os.close(fd)
        try:
            _write_copy(z, tmp_name, {}, True, streamed=streamed, rewrite=rewrite)
            shutil.copymode(src, tmp_name)
            os.replace(tmp_name, dst)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            raise


def _write_copy(z, tmp_name: str, edited: dict, keep_formulas: bool, streamed: dict | None = None,
                rewrite=None) -> None:
    """The copy holds the parts :func:`_part_understood` accepts, each written as a new regular-file
    entry (no Unix mode bits carried over from the input: a symbolic link cannot come through).
    ``streamed``: part name -> lookup, parts rewritten chunk by chunk (:func:`mbsxl.excel._sheetxml.rewrite_sheet`)."""
    level = {"compresslevel": 1} if streamed else {}
    with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED, **level) as out:
        for info in z.infolist():
            if not _part_understood(info):
                continue
            if streamed and info.filename in streamed:
                rewrite_sheet = rewrite
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                for attr in ("_compresslevel", "compress_level"):      # (Python 3.13 renamed it)
                    try:
                        setattr(entry, attr, 1)
                    except AttributeError:
                        pass
                with out.open(entry, "w", force_zip64=True) as fh:
                    rewrite_sheet(z, info.filename, streamed[info.filename], fh)
                continue
            if not keep_formulas and info.filename == "xl/calcChain.xml":
                continue
            data = z.read(info.filename)
            if not keep_formulas and info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                data = re.sub(r"<(Override|Relationship)\b[^>]*calcChain[^>]*/>", "",
                              data.decode("utf-8")).encode("utf-8")
            if info.filename in edited:
                u, plain = edited[info.filename]
                data = _edit_sheet(data.decode("utf-8"), u, plain).encode("utf-8")
            elif info.filename == "xl/workbook.xml":
                data = _keep_cached(data.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.external_attr = 0o644 << 16
            out.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, **level)


def _keep_cached(workbook_xml: str) -> str:
    """Drop ``fullCalcOnLoad="1"`` (xlsxwriter always writes it) so that a viewer without the MBS_
    functions (LibreOffice, Excel without the add-in) shows the stored values instead of recomputing
    them into ``#NAME?``.  Excel with the add-in still recalculates as usual."""
    return re.sub(r'\s+fullCalcOnLoad="(?:1|true)"', "", workbook_xml)


def _dirname(p: str) -> str:
    import os
    d = os.path.dirname(os.path.abspath(p))
    return d
