"""Reading a workbook for the headless engine: the load limits first, then openpyxl with dates kept as
Excel's serial numbers; ``--set`` overrides applied; every formula checked and rewritten for the
engine by :func:`mbsxl.excel.formula_guard.rewrite` (:func:`_prepare`)."""
from __future__ import annotations

import contextlib

from .addresses import parse_address as _parse_address
from .errors import CalcError


def _serial_dates_reader():
    """An openpyxl ``ExcelReader`` that reads date cells as the serial numbers Excel stores: its
    worksheet parsers see no date formats (a date-formatted number stays a number; the cell's
    ``number_format`` is kept).  openpyxl's reader hands ``wb._date_formats`` and
    ``wb._timedelta_formats`` to each worksheet's parser (openpyxl 3.1)."""
    from openpyxl.reader.excel import ExcelReader

    class SerialDatesReader(ExcelReader):
        def read_worksheets(self):
            dates, spans = self.wb._date_formats, self.wb._timedelta_formats
            self.wb._date_formats, self.wb._timedelta_formats = set(), set()
            try:
                super().read_worksheets()
            finally:
                self.wb._date_formats, self.wb._timedelta_formats = dates, spans

    return SerialDatesReader


def _load_workbook(path, checked: bool = False):
    """``openpyxl.load_workbook(path)`` with dates kept as serial numbers (:func:`_serial_dates_reader`).

    ``checked``: :func:`mbsxl.excel.limits.precheck` has already refused every part declaring a DTD or
    an entity, so the sheets and the shared strings are parsed with the standard library's C
    ``iterparse`` (:func:`_c_iterparse`) instead of defusedxml's, which runs expat through
    ElementTree's pure-Python tree builder (a callback per element: 1.5 s of the pool template's
    12,254-row tape, issue 21)."""
    reader = _serial_dates_reader()(path, read_only=False, keep_vba=False, data_only=False,
                                    keep_links=True, rich_text=False)
    with _c_iterparse(checked):
        reader.read()
    return reader.wb


@contextlib.contextmanager
def _c_iterparse(on: bool):
    """While active, openpyxl's worksheet and shared-string readers use ``xml.etree.ElementTree.iterparse``
    (C accelerated).  Only after the DTD/entity precheck: with no DTD, expat expands no entity but the
    five predefined ones, and it never fetches external resources."""
    if not on:
        yield
        return
    import xml.etree.ElementTree as ET
    from openpyxl.reader import excel, strings
    from openpyxl.worksheet import _reader
    saved = (_reader.iterparse, strings.iterparse, _reader.WorkSheetParser.parse_cell,
             _reader.WorksheetReader.bind_cells, excel.read_string_table)
    _reader.iterparse = strings.iterparse = ET.iterparse
    _reader.WorkSheetParser.parse_cell, _reader.WorksheetReader.bind_cells = _fast_cells(*saved[2:4])
    excel.read_string_table = _fast_strings(saved[4])
    try:
        yield
    finally:
        (_reader.iterparse, strings.iterparse, _reader.WorkSheetParser.parse_cell,
         _reader.WorksheetReader.bind_cells, excel.read_string_table) = saved


def _fast_strings(read_string_table):
    """openpyxl's ``read_string_table`` with a table of plain items read from its bytes
    (:func:`mbsxl.excel._fastsheet.read_strings`); any other table goes to openpyxl's."""
    import io

    from . import _fastsheet

    def read(src):
        data = src.read()
        fast = _fastsheet.read_strings(data) if _fastsheet.ENABLED else None
        return fast if fast is not None else read_string_table(io.BytesIO(data))

    read.__doc__ = read_string_table.__doc__
    return read


def _fast_cells(parse_cell, bind_cells):
    """openpyxl's ``WorkSheetParser.parse_cell`` and ``WorksheetReader.bind_cells`` (openpyxl 3.1) with a
    shorter path for the cells a loan tape is made of: an addressed number or shared string without a
    formula and without a date format gives ``(row, column, value, type, style)`` instead of a dict, and
    the ``Cell`` is made without its constructor (the same slots: a copy of the style array, value,
    type, no hyperlink or comment).  Any other cell goes through openpyxl's own code.  Profiled on the
    pool template (issue 21): a third of the run went into these two for the 15,000-row tape."""
    from openpyxl.cell import Cell
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
    import io
    from array import array

    from . import _fastsheet
    columns: dict = {}
    letter_columns = _Computed(lambda b: column_index_from_string(b.decode("ascii")))

    def fast_parse_cell(self, element):
        coordinate = element.get("r")
        t = element.get("t", "n")
        if not coordinate or (t != "n" and t != "s") or self.data_only or element.find(FORMULA_TAG) is not None:
            return parse_cell(self, element)
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        if style_id in self.date_formats:
            return parse_cell(self, element)
        letters = coordinate.rstrip("0123456789")
        column = columns.get(letters)
        if column is None:
            column = columns[letters] = column_index_from_string(letters)
        row = int(coordinate[len(letters):])
        self.col_counter = column
        value = element.findtext(VALUE_TAG, None) or None
        if value is not None:
            if t == "n":
                value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            else:
                value = self.shared_strings[int(value)]
        return (row, column, value, t, style_id)

    def bind_row(ws, styles, stored, row):
        new = Cell.__new__
        for cell in row:
            if type(cell) is tuple:
                r, col, value, data_type, style_id = cell
            else:
                r, col, value, data_type, style_id = (cell["row"], cell["column"], cell["value"],
                                                      cell["data_type"], cell["style_id"])
            c = new(Cell)
            c.parent = ws
            c._style = StyleArray(styles[style_id])
            c.row, c.column, c._value, c.data_type = r, col, value, data_type
            c._hyperlink = c._comment = None
            stored[(r, col)] = c

    def bind_plain(ws, styles, stored, plan, start, end, strings, row_dimensions):
        """The cells of a run of plain rows (:mod:`mbsxl.excel._fastsheet`), as ``parse_cell`` would
        give them: ``int`` unless the number has ``.``/``E``/``e``, the shared string at the index."""
        new = Cell.__new__
        copy = array.__new__
        inline_text = _fastsheet.inline_text
        protos = _Computed(lambda s: styles[int(s) if s else 0])
        for piece in plan.chunks(start, end):
            numbers = _Computed(_number)              # the same text, the same value (tapes repeat rates)
            for key, attrs in plan.dimensions(*piece):
                row_dimensions[key] = attrs           # what parse_row records (a height, a style ...)
            for letters, r, s, t, v, inline in plan.cells(*piece):
                if t == b"inlineStr":
                    if inline:
                        t, v = "s", inline_text(inline)
                    else:
                        t, v = "inlineStr", None      # no <is>: openpyxl leaves the type as it stands
                elif t == b"s":
                    t = "s"
                    v = strings[int(v)] if v else None
                elif not t or t == b"n":
                    t = "n"
                    v = numbers[v]
                elif t == b"b":
                    t = "b"
                    v = bool(int(v)) if v else None
                else:
                    t = "e"
                    v = v.decode("ascii") if v else None
                c = new(Cell)
                c.parent = ws
                c._style = copy(StyleArray, "i", protos[s])      # StyleArray(proto) without its __new__
                c.row = r = int(r)
                c.column = col = letter_columns[letters]
                c._value = v
                c.data_type = t
                c._hyperlink = c._comment = None
                stored[(r, col)] = c

    def fast_bind_cells(self):
        """The cells: the plain rows of ``<sheetData>`` read from the XML bytes and the other rows by
        openpyxl (:func:`mbsxl.excel._fastsheet.split_sheet`), in document order; on anything that
        raises, the whole sheet again through openpyxl alone (its own result or its own error)."""
        ws = self.ws
        styles = ws.parent._cell_styles
        stored = ws._cells
        parser = self.parser
        plan = None
        if _fastsheet.ENABLED and not parser.data_only and not parser.date_formats and not stored:
            data = parser.source.read()
            plan = _fastsheet.split_sheet(data)
            if plan is None:
                parser.source = io.BytesIO(data)
        if plan is not None:
            fresh = WorkSheetParser(io.BytesIO(data), parser.shared_strings, parser.data_only, parser.epoch,
                                    parser.date_formats, parser.timedelta_formats, parser.rich_text)
            parser.source = io.BytesIO(plan.rest)
            try:
                kept = parser.parse()
                for segment in plan.segments:
                    if segment is None:
                        bind_row(ws, styles, stored, next(kept)[1])
                    else:
                        bind_plain(ws, styles, stored, plan, *segment, parser.shared_strings,
                                   parser.row_dimensions)
                for _, row in kept:               # none: split_sheet saw no row outside <sheetData>
                    bind_row(ws, styles, stored, row)
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - openpyxl's own path gives its own result or error
                stored.clear()
                self.parser = parser = fresh
                plan = None
            else:
                if stored:
                    ws._current_row = max(stored)[0]   # ws.max_row: the largest row of the (row, column) keys
                return
        for _, row in parser.parse():
            bind_row(ws, styles, stored, row)
        if ws._cells:
            ws._current_row = ws.max_row

    return fast_parse_cell, fast_bind_cells


class _Computed(dict):
    """A dict computing a missing key's value once (``fn(key)``)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


def _number(text: bytes):
    """openpyxl's ``_cast_number`` of a ``<v>`` text (None when empty)."""
    if not text:
        return None
    return float(text) if (b"." in text or b"E" in text or b"e" in text) else int(text)


def _prepare(wb, limits=None):
    """Check and rewrite formulas for the engine in place (:func:`mbsxl.excel.formula_guard.rewrite`).

    Returns ``(cells, arrays, used, texts, refused)``: every formula cell as (sheet, coordinate) in sheet
    order; the multi-cell array formulas as (sheet, anchor, ref); ``used`` the pycel names of the
    functions called; ``texts`` the formula of each cell (array cells: the anchor's); ``refused``
    ``"Sheet!A1" -> CalcError`` for formulas the guard refused (never compiled; the cell holds the
    error value for the formulas that read it).  A multi-cell array formula is left in its anchor as an
    ordinary formula (evaluated once, to the whole array) and the other cells of its range are emptied;
    :func:`calculate` spreads the result over the range itself (pycel's own expansion compiles one
    formula per cell: ~1 ms a cell).
    """
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    from . import formula_guard as fg
    from .limits import Limits

    from .limits import FLAGS
    limits = limits or Limits()
    spills: dict[tuple[str, str], str] = {}          # (sheet lower, anchor) -> "A1:B5"
    for ws in wb.worksheets:
        for coord, ref in getattr(ws, "array_formulae", {}).items():
            spills[(ws.title.lower(), coord.upper())] = str(ref).replace("$", "")
    unaddressable = {ws.title: _sheet_problem(ws.title) for ws in wb.worksheets}
    unaddressable = {k: v for k, v in unaddressable.items() if v}
    book = fg.Book.from_openpyxl(wb, spills=spills, max_chars=limits.max_formula_chars,
                                 max_range_cells=limits.max_range_cells, unaddressable=unaddressable,
                                 max_name_depth=limits.max_name_depth,
                                 max_name_expansions=limits.max_name_expansions)
    array_cells = 0

    cells, arrays, used_up = [], [], set()
    texts: dict[str, str] = {}                      # "Sheet!A1" -> formula text (array cells: the anchor's)
    refused: dict[str, CalcError] = {}

    def fix(text: str, sheet: str, key: str):
        try:
            return fg.rewrite(text if text.startswith("=") else "=" + text, sheet, book, used=used_up)
        except fg.Refused as e:
            refused[key] = CalcError(e.code, e.reason)
            return None

    for ws in wb.worksheets:
        found = []
        # the stored cells only (iter_rows walks the whole grid), formula cells picked before sorting
        # them into sheet order (a 15,000-row tape is 180,000 cells of which a few hundred formulas)
        for key, c in sorted((k, c) for k, c in ws._cells.items()
                             if c.data_type == "f" or type(c._value) is ArrayFormula):
            v = c.value
            if isinstance(v, ArrayFormula) or (c.data_type == "f" and isinstance(v, str) and v.startswith("=")
                                               and len(v) > 1):
                found.append(c)
        for c in found:
            v = c.value
            key = f"{ws.title}!{c.coordinate}"
            problem = unaddressable.get(ws.title)
            if isinstance(v, ArrayFormula):
                ref = str(v.ref or c.coordinate).replace("$", "")
                bounds = _array_bounds(ref)
                if problem is None and bounds is None:
                    problem = (f"the array formula's range {ref[:40]!r} is not a range of cells", "#REF!")
                elif problem is None:
                    c1, r1, c2, r2 = bounds
                    array_cells += (c2 - c1 + 1) * (r2 - r1 + 1) if (c1, r1) != (c2, r2) else 0
                    if array_cells > limits.max_array_cells:
                        problem = (f"the array formula over {ref} brings the cells of array formulas to "
                                   f"{array_cells:,}; the limit is {limits.max_array_cells:,} "
                                   f"({FLAGS['max_array_cells']})", "#NUM!")
            if problem is not None:                 # only this cell: the range is never expanded
                reason, code = problem if isinstance(problem, tuple) else (problem, "#REF!")
                texts[key] = v.text if isinstance(v, ArrayFormula) else v
                refused[key] = CalcError(code, reason)
                c.value = str(refused[key])
                cells.append((ws.title, c.coordinate))
                continue
            if isinstance(v, ArrayFormula):
                text = fix(v.text, ws.title, key)
                c1, r1, c2, r2 = bounds
                from . import _fix_edges
                if (c1, r1) == (c2, r2) and not _fix_edges.ONE_CELL_ARRAYS_IN_ARRAY_CONTEXT:
                    cells.append((ws.title, c.coordinate))
                    texts[key] = v.text
                    if text is None:
                        c.value = refused[key].__str__()
                    else:
                        v.text = text
                    continue
                title, stored, formula_text = ws.title, ws._cells, v.text
                letters = [get_column_letter(col) for col in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1):
                    for col, col_letters in zip(range(c1, c2 + 1), letters):
                        coord = f"{col_letters}{r}"
                        k2 = f"{title}!{coord}"
                        cells.append((title, coord))
                        texts[k2] = formula_text
                        emptied = stored.get((r, col))     # ws.cell(r, col) for a stored cell
                        if emptied is None:
                            emptied = ws.cell(r, col)
                        emptied._value, emptied.data_type = None, "n"   # what ``.value = None`` does,
                        if text is None:                                # without openpyxl's isinstance checks
                            refused[k2] = refused[key]
                            emptied.value = str(refused[key])
                if text is not None:
                    from . import _fix_edges
                    c.value = _fix_edges.array_text(text)     # pycel cuts "={..}" to its first element
                    arrays.append((ws.title, c.coordinate, ref))
            else:
                texts[key] = v
                text = fix(v, ws.title, key)
                c.value = str(refused[key]) if text is None else text
                cells.append((ws.title, c.coordinate))
    out = list(dict.fromkeys(cells))                # each cell once, in order of first appearance
    used = {fg.python_name(n) for n in used_up}
    return out, arrays, used, texts, refused


def _array_bounds(ref: str):
    """(c1, r1, c2, r2) of an array formula's stored range, or None when it is not a range of cells
    inside Excel's grid."""
    from openpyxl.utils.cell import range_boundaries
    try:
        b = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    if None in b:
        return None
    c1, r1, c2, r2 = b
    if not (1 <= c1 <= c2 <= 16_384 and 1 <= r1 <= r2 <= 1_048_576):
        return None
    return b


def _sheet_problem(title: str) -> str | None:
    """Why the engine cannot address a sheet of this name (pycel splits ``'A!B'!C1`` at the wrong ``!``
    and cannot quote ``"``), or None.  Such a sheet's formulas, and formulas reading it, become error
    cells with this reason; the rest of the workbook computes."""
    from pycel.excelutil import AddressRange
    from ._pycel_plugin import _qsheet
    try:
        a = AddressRange(f"{_qsheet(title)}!A1")
        if a.sheet == title:
            return None
    except Exception:  # noqa: BLE001
        pass
    return (f"the sheet name {title!r} has characters the formula engine cannot address (such as ! or \"); "
            "rename the sheet")


def _resolve_sheet(wb, sheet: str | None) -> str:
    if sheet is None:
        return wb.worksheets[0].title
    for ws in wb.worksheets:
        if ws.title.lower() == sheet.lower():
            return ws.title
    raise ValueError(f"no sheet named {sheet!r}; sheets: {', '.join(ws.title for ws in wb.worksheets)}")


class SetFormula(str):
    """A ``--set-formula`` value: the only way an override becomes a formula (checked like any other)."""


def _apply_sets(wb, sets: dict | None) -> None:
    for addr, value in (sets or {}).items():
        sheet, cell = _parse_address(addr)
        ws = wb[_resolve_sheet(wb, sheet)]
        c = ws[cell]
        if isinstance(value, SetFormula):
            c.value = "=" + str(value).lstrip("=")
            continue
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"                 # text, even when it starts with "="


def _load_checked(path, limits):
    """Load limits first (:func:`mbsxl.excel.limits.precheck`), then openpyxl; an XML bomb or a
    malformed part becomes a :class:`~mbsxl.excel.limits.LimitExceeded` with a plain message."""
    from .limits import LimitExceeded, precheck
    precheck(path, limits)
    try:
        return _load_workbook(path, checked=True)
    except Exception as e:  # noqa: BLE001
        name = type(e).__name__
        if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
            raise LimitExceeded(f"the workbook's XML declares entities or a DTD (an XML bomb); refused ({name})") from None
        raise
