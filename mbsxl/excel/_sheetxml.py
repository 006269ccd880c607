"""Streaming reader and writer of a workbook's sheet XML for the columnar fast path (issue 21).

:func:`read_book` inflates each worksheet part in chunks cut at ``</row>``, matches every ``<c>``
element of a chunk with one regular expression (C speed, no per-cell Python objects beyond the
match tuples of one chunk) and files the cells by column: plain values go into per-column lists of
numpy arrays (kind, number) and strings; formula cells into per-column groups keyed by the formula's
*shape*, the formula text with the digits of every row number written as ``\\x01``, and the row
numbers themselves as an integer matrix (so that ``A2*B2/12`` in row 2 and ``A7*B7/12`` in row 7 have
one shape, and the matrix tells whether the numbers are the cell's row plus a constant).  Anything the
expression does not recognise (shared or array formulas, rich text, dates typed ``t="d"``, cells
without an ``r=``) makes the chunk's counts disagree, and :func:`read_book` returns None: the caller
then uses the ordinary path.

:func:`write_book` writes the ``--out`` copy the same way: each sheet part is streamed chunk by chunk,
the cached value and type of every formula cell replaced by slice assignment into the list
``re.split`` returns, the other parts copied as :func:`mbsxl.excel._xlsxvalues.write_values` copies
them (the same rules: only parts it understands, no traversal names, no links, ``fullCalcOnLoad``
dropped, written beside the target and renamed into place).
"""
from __future__ import annotations

import re
import zipfile

import numpy as np

EMPTY, NUM, BOOL, STR, ERR = 0, 1, 2, 3, 4
ERROR_CODES = ("", "#DIV/0!", "#VALUE!", "#NUM!", "#N/A", "#REF!", "#NAME?", "#NULL!")
ERROR_INDEX = {c: i for i, c in enumerate(ERROR_CODES) if c}

CHUNK = 8 << 20

# the digits of a row number in a formula: digits right after a letter or a "$" (A2, $A$2, A$2); also
# matches digits in names (LOG10, Sheet2) and literals (1E5, "A1"), which stay constant in a group
_ROWNUM = re.compile(r"(?<=[A-Za-z$])[0-9]+")
MARK = "\x01"


class Unsupported(Exception):
    """Something the fast path does not model; the workbook goes to the ordinary path."""


def _unescape(s: str) -> str:
    if "&" not in s:
        return s
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))




class Sheet:
    """One worksheet: ``values[0] -> list of (cols, rows, kind, num)`` chunks, ``strings[(col, row)] -> text``,
    ``formulas[(col, shape)] -> list of (rows, numbers, base)`` chunks (``base``: None, or the row of
    the shared formula's master whose children these are), ``texts[(col, shape)]`` the first
    formula's text and row."""

    def __init__(self, name: str, part: str):
        self.name, self.part = name, part
        self.values: dict[int, list] = {}
        self.strings: dict[tuple[int, int], str] = {}
        self.formulas: dict[tuple[int, str], list] = {}
        self.first: dict[tuple[int, str], tuple[int, str]] = {}
        self.max_row = 0
        self.n_formulas = 0
        self.max_formula_chars = 0
        self.shared: dict[int, tuple] = {}     # si -> (col, row, shape, numbers, text) of the master


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    from ._xlsxvalues import _sheet_parts
    return _sheet_parts(z)


def _prefetch(f, budget, part):
    """The part's inflated pieces, read one ahead in a thread (zlib lets go of the GIL while it
    inflates), each passed to ``budget.inflated`` first."""
    import queue
    import threading
    q: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def run():
        try:
            while not stop.is_set():
                data = f.read(CHUNK)
                q.put(data)
                if not data:
                    return
        except BaseException as e:  # noqa: BLE001 - handed to the reader
            q.put(e)

    t = threading.Thread(target=run, daemon=True, name="mbsxl-inflate")
    t.start()
    try:
        while True:
            data = q.get()
            if isinstance(data, BaseException):
                raise data
            if not data:
                return
            if budget is not None:
                budget.inflated(part, data)
            yield data
    finally:
        stop.set()
        while t.is_alive():                 # let the thread finish its piece before the file closes
            try:
                q.get(timeout=0.05)
            except Exception:  # noqa: BLE001
                pass


def _chunks(z: zipfile.ZipFile, part: str, budget=None):
    """The ``<sheetData>`` content of a sheet part as bytes, in pieces cut after ``</row>``."""
    with z.open(part) as f:
        buf = b""
        started = False
        for data in _prefetch(f, budget, part):
            buf += data
            if not started:
                i = buf.find(b"<sheetData")
                if i < 0:
                    buf = buf[-32:]
                    continue
                j = buf.find(b">", i)
                if j < 0:
                    continue
                if buf[j - 1:j] == b"/":
                    return
                buf = buf[j + 1:]
                started = True
            end = buf.rfind(b"</row>")
            if end < 0:
                continue
            end += len(b"</row>")
            yield buf[:end]
            buf = buf[end:]
        if started:
            k = buf.find(b"</sheetData>")
            tail = buf if k < 0 else buf[:k]
            if tail.strip():
                yield tail


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    """The shared-string table (plain and rich text joined), or [] when there is none."""
    name = "xl/sharedStrings.xml"
    if name not in z.namelist():
        return []
    import xml.etree.ElementTree as ET
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    out = []
    with z.open(name) as f:
        for _, el in ET.iterparse(f):
            if el.tag == ns + "si":
                out.append("".join(t.text or "" for t in el.iter(ns + "t")
                                   if True))
                el.clear()
    return out


def read_sheet(z: zipfile.ZipFile, sheet: Sheet, shared: list[str], max_formula_chars: int, on_shape=None,
               budget=None) -> None:
    """Fill ``sheet`` from its part; raises :class:`Unsupported` on anything not modelled.
    ``on_shape(sheet, col, shape, text, row)`` is called for each new formula shape (it may raise
    Unsupported to stop early)."""
    from . import _sheetscan as sc
    for chunk in _chunks(z, sheet.part, budget):
        b = np.frombuffer(chunk, dtype=np.uint8)
        cap = len(chunk) // 11 + 1             # the shortest cell, <c r="A1"/>, has 11 bytes
        col = np.empty(cap, np.int32)
        row = np.empty(cap, np.int64)
        typ = np.empty(cap, np.uint8)
        fs, fe, vs, ve, tag_end, ts, te, fsi = (np.empty(cap, np.int64) for _ in range(8))
        n = sc.scan_cells(b, col, row, typ, fs, fe, vs, ve, tag_end, ts, te, fsi)
        if n < 0:
            raise Unsupported("a cell the fast reader does not recognise (array formula, rich "
                              "text, a cell without a reference)")
        if budget is not None:
            budget.counted(sheet.part, n)
        if n == 0:
            continue
        col, row, typ, fs, fe, vs, ve, fsi = col[:n], row[:n], typ[:n], fs[:n], fe[:n], vs[:n], ve[:n], fsi[:n]
        top = int(row.max())
        if top > sheet.max_row:
            sheet.max_row = top
        isf = fs >= 0
        v = np.flatnonzero(~isf)
        if v.size:
            _values(sheet, chunk, b, col[v], row[v], typ[v], vs[v], ve[v], shared)
        child = isf & (fsi >= 0) & (fs == fe)
        f = np.flatnonzero(isf & ~child)
        if f.size:
            _formulas(sheet, chunk, b, col[f], row[f], fs[f], fe[f], max_formula_chars, on_shape)
            for i in np.flatnonzero(fsi[f] >= 0).tolist():          # shared formulas' masters
                _master(sheet, chunk, int(fsi[f][i]), int(col[f][i]), int(row[f][i]), int(fs[f][i]), int(fe[f][i]))
        ch = np.flatnonzero(child)
        if ch.size:
            _children(sheet, col[ch], row[ch], fsi[ch], on_shape)


def _values(sheet: Sheet, chunk: bytes, b, col, row, typ, vs, ve, shared) -> None:
    from . import _sheetscan as sc
    kind = np.full(row.size, EMPTY, dtype=np.uint8)
    num = np.zeros(row.size, dtype=np.float64)
    if (typ == sc.T_OTHER).any():
        raise Unsupported("a cell type the fast path does not model (a date cell, t=\"d\")")
    plain = ((typ == sc.T_NONE) | (typ == sc.T_N)) & (vs >= 0)
    idx = np.flatnonzero(plain)
    if idx.size:
        buf = np.empty(int((ve[idx] - vs[idx]).sum()) + idx.size + 1, dtype=np.uint8)
        m = sc.copy_joined(b, vs[idx], ve[idx], buf)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = np.fromstring(buf[:m].tobytes(), dtype=np.float64, sep=" ")     # C strtod, exact
        if x.size != idx.size or not np.isfinite(x).all():
            raise Unsupported("a number the reader cannot parse")
        num[idx] = x
        kind[idx] = NUM
    rest = np.flatnonzero(~plain & (vs >= 0))
    if rest.size:
        for i in rest.tolist():
            t = int(typ[i])
            text = chunk[vs[i]:ve[i]].decode("utf-8")
            key = (int(col[i]), int(row[i]))
            if t == sc.T_S:
                try:
                    s = shared[int(text)]
                except (ValueError, IndexError):
                    raise Unsupported("a shared-string index out of range") from None
                kind[i] = STR
                sheet.strings[key] = s
            elif t in (sc.T_INLINE, sc.T_STR):
                kind[i] = STR
                sheet.strings[key] = _unescape(text)
            elif t == sc.T_B:
                kind[i] = BOOL
                num[i] = float(text in ("1", "true"))
            elif t == sc.T_E:
                code = _unescape(text)
                if code not in ERROR_INDEX:
                    raise Unsupported(f"error value {code!r}")
                kind[i] = ERR
                num[i] = ERROR_INDEX[code]
            else:
                raise Unsupported(f"cell type {t}")
    sheet.values.setdefault(0, []).append((col, row, kind, num))


def _formulas(sheet: Sheet, chunk: bytes, b, col, row, fs, fe, max_chars: int, on_shape) -> None:
    from . import _sheetscan as sc
    long = np.flatnonzero(fe - fs > max_chars)
    for i in long.tolist():
        if len(_unescape(chunk[fs[i]:fe[i]].decode("utf-8"))) > max_chars:
            raise Unsupported("a formula longer than the formula-length limit (the ordinary path refuses it)")
    m = fs.size
    hashes = np.empty(m, np.uint64)
    counts = np.empty(m, np.int64)
    starts = np.empty(m, np.int64)
    numbers = np.empty(int((fe - fs).sum()) // 2 + 1, np.int64)
    used = sc.formula_shapes(b, fs, fe, hashes, counts, starts, numbers)
    if used < 0:
        raise Unsupported("a formula with a number of more than 15 digits after a letter")
    sheet.n_formulas += m
    for c in (np.unique(col).tolist() if (col != col[0]).any() else [int(col[0])]):
        sel = np.flatnonzero(col == c)
        h = hashes[sel]
        if (h == h[0]).all():               # the usual case: one formula copied down
            u, first, inv = h[:1], np.zeros(1, np.int64), np.zeros(sel.size, np.int64)
        else:
            u, first, inv = np.unique(h, return_index=True, return_inverse=True)
        rep = sel[first][inv]
        bad = sc.check_shapes(b, fs[sel], fe[sel], np.searchsorted(sel, rep))
        if bad >= 0:
            raise Unsupported("two formulas of one column whose shapes collide")
        for g in range(u.size):
            idx = sel[inv == g] if u.size > 1 else sel
            r0 = int(idx[0])
            text = chunk[fs[r0]:fe[r0]].decode("utf-8")
            if "&#" in text:
                raise Unsupported("a character reference in a formula")
            shape = _ROWNUM.sub(MARK, text)
            k = int(counts[r0])
            if k:
                mat = numbers[starts[idx][:, None] + np.arange(k)[None, :]]
            else:
                mat = np.zeros((idx.size, 0), np.int64)
            _add_group(sheet, int(c), shape, row[idx], mat, text, on_shape)


def _add_group(sheet, c, shape, rows, mat, text, on_shape, base=None):
    key = (c, shape)
    if key not in sheet.first:
        sheet.first[key] = (int(rows[0]), text)
        if on_shape is not None:
            on_shape(sheet, c, shape, _unescape(text), int(rows[0]))
    sheet.formulas.setdefault(key, []).append((rows, mat, base))


def _master(sheet, chunk: bytes, si: int, c: int, r: int, fs: int, fe: int) -> None:
    """Remember the master of shared formula ``si``: its column, row, shape and row-like numbers (the
    same the scanner collects: digits after a letter or ``$``)."""
    text = chunk[fs:fe].decode("utf-8")
    if si in sheet.shared:
        raise Unsupported("two masters of one shared formula")
    shape = _ROWNUM.sub(MARK, text)
    nums = np.array([int(x) for x in _ROWNUM.findall(text)], np.int64)
    sheet.shared[si] = (c, r, shape, nums, text)


def _children(sheet, col, row, fsi, on_shape) -> None:
    """The cells of shared formulas that hold only ``<f t="shared" si=".."/>``: each is its master's
    formula with the relative references moved by the offset from the master's cell (ECMA-376 Part 1,
    18.3.1.40: "the formula ... is the master formula with references adjusted as if it had been
    copied").  Here only the row offset is modelled (a master filled down its own column); the
    numbers are the master's, and :func:`mbsxl.excel._columnar._groups` adds ``row - base`` to the
    relative row numbers (which ones are relative only the parsed formula knows)."""
    sheet.n_formulas += row.size
    for si in np.unique(fsi).tolist():
        m = sheet.shared.get(si)
        if m is None:
            raise Unsupported("a shared formula whose master is missing or comes later")
        c, r, shape, nums, text = m
        idx = np.flatnonzero(fsi == si)
        if (col[idx] != c).any():
            raise Unsupported("a shared formula filled across columns (column offsets are not modelled)")
        rows = row[idx]
        if (rows <= r).any():
            raise Unsupported("a shared formula's cell above its master")
        mat = np.broadcast_to(nums, (rows.size, nums.size))
        _add_group(sheet, c, shape, rows, mat, text, on_shape, base=r)


def read_book(path, max_formula_chars: int, on_shape=None, budget=None):
    """``(sheets, names)``: every worksheet read (:class:`Sheet`, in workbook order) and whether the
    workbook defines names; raises :class:`Unsupported`."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
        if re.search(r'<calcPr\b[^>]*\biterate="(?:1|true)"', book):
            raise Unsupported("iterative calculation")
        parts = sheet_parts(z)
        if re.search(r"<sheet\b", book) is None or len(re.findall(r"<sheet\b", book)) != len(parts):
            raise Unsupported("a sheet that is not a worksheet (chart sheet, macro sheet)")
        shared = _shared_strings(z)
        sheets = [Sheet(name, part) for name, part in parts.items()]
        for s in sheets:
            if s.part not in z.namelist():
                raise Unsupported("a missing sheet part")
            read_sheet(z, s, shared, max_formula_chars, on_shape, budget)
    return sheets


# ----------------------------------------------------------------------------- writing

def _value_bytes(kind: np.ndarray, num: np.ndarray):
    """(type codes, value blob, offsets) of new cached values: numbers as Python's shortest repr,
    booleans 1/0 (``t="b"``), errors their code (``t="e"``)."""
    n = kind.size
    types = np.zeros(n, np.uint8)
    if (kind == NUM).all():
        text = "\n".join(map(repr, num.tolist()))
    else:
        vals = []
        for k, x in zip(kind.tolist(), num.tolist()):
            if k == BOOL:
                vals.append("1" if x else "0")
            elif k == ERR:
                vals.append(ERROR_CODES[int(x)])
            else:
                vals.append(repr(x))
        types[kind == BOOL] = 1
        types[kind == ERR] = 2
        text = "\n".join(vals)
    blob = np.frombuffer((text + "\n").encode("ascii"), np.uint8)
    ends = np.flatnonzero(blob == 10)
    offs = np.empty(n + 1, np.int64)
    offs[0] = 0
    offs[1:] = ends + 1
    return types, blob, offs


def rewrite_sheet(z: zipfile.ZipFile, part: str, lookup, out) -> None:
    """Stream ``part`` of ``z`` into the writable ``out``, every formula cell's cached value replaced by
    ``lookup(cols, rows) -> (kind, num)`` (:data:`NUM`, :data:`BOOL` or :data:`ERR`)."""
    import queue
    import threading
    q: queue.Queue = queue.Queue(maxsize=2)
    failed: list = []

    def writer():                       # deflating in a thread: zlib lets go of the GIL
        while True:
            data = q.get()
            if data is None:
                return
            if not failed:
                try:
                    out.write(data)
                except BaseException as e:  # noqa: BLE001 - reported by the producer
                    failed.append(e)

    t = threading.Thread(target=writer, daemon=True, name="mbsxl-deflate")
    t.start()
    try:
        _rewrite_stream(z, part, lookup, q.put, failed)
    finally:
        q.put(None)
        t.join()
    if failed:
        raise failed[0]


def _rewrite_stream(z, part, lookup, put, failed) -> None:
    class _Out:
        @staticmethod
        def write(data):
            if failed:
                raise failed[0]
            put(data)
    out = _Out
    with z.open(part) as f:
        buf = b""
        started = False
        for data in _prefetch(f, None, part):
            buf += data
            if not started:
                i = buf.find(b"<sheetData")
                if i < 0:
                    continue
                j = buf.find(b">", i)
                if j < 0:
                    continue
                out.write(buf[:j + 1])
                buf = buf[j + 1:]
                started = True
            end = buf.rfind(b"</row>")
            if end < 0:
                continue
            end += len(b"</row>")
            out.write(_rewrite_chunk(buf[:end], lookup))
            buf = buf[end:]
        if not started:
            out.write(buf)
            return
        k = buf.find(b"</sheetData>")
        if k < 0:
            raise ValueError(f"{part}: no </sheetData>")
        out.write(_rewrite_chunk(buf[:k], lookup))
        out.write(buf[k:])


def _rewrite_chunk(chunk: bytes, lookup) -> bytes:
    from . import _sheetscan as sc
    if not chunk:
        return chunk
    b = np.frombuffer(chunk, dtype=np.uint8)
    cap = len(chunk) // 11 + 1
    col = np.empty(cap, np.int32)
    row = np.empty(cap, np.int64)
    typ = np.empty(cap, np.uint8)
    fs, fe, vs, ve, tag_end, ts, te, fsi = (np.empty(cap, np.int64) for _ in range(8))
    n = sc.scan_cells(b, col, row, typ, fs, fe, vs, ve, tag_end, ts, te, fsi)
    if n < 0:
        raise ValueError("the sheet changed while it was written")
    cells = np.flatnonzero(fs[:n] >= 0)
    if cells.size == 0:
        return chunk
    kind, num = lookup(col[cells], row[cells])
    types, blob, offs = _value_bytes(kind, num)
    out = np.empty(len(chunk) + blob.size + 16 * cells.size + 64, np.uint8)
    m = sc.splice(b, cells, tag_end, ts, te, fe, vs, ve, types, blob, offs, out)
    if m < 0:
        raise ValueError("the rewritten sheet did not fit its buffer")
    return out[:m].tobytes()
