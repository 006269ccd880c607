"""The shared writer for the template workbooks (``workbooks/*.xlsx``).

A :class:`Book` wraps an xlsxwriter ``Workbook`` and gives every template the same look:

- number formats: ``money`` (#,##0.00), ``yuan`` (#,##0), ``count`` (#,##0), ``pct`` (0.00%),
  ``pct1`` (0.0%), ``pct3`` (0.000%), ``pct4`` (0.0000%), ``rate`` (0.0000), ``dec2`` (0.00),
  ``int`` (0), ``date`` (yyyy-mm-dd), ``month`` (yyyy-mm), ``text``;
- **input cells** (what a reviewer pastes or types: the tape, the trustee-report figures, the
  published figures) in blue on light yellow; **formula cells** in black on white; headers bold on
  grey; notes in grey italics;
- bilingual labels: ``label("提前还款率", "CPR")`` -> ``"提前还款率 CPR"``;
- ``freeze``, ``widths`` and ``print_setup`` helpers.

Two-pass build (:func:`build_with_values`): ``write_fn(book)`` writes the whole workbook through the
book's methods.  Pass 1 writes it to a temporary file with no values; :func:`mbsxl.excel.calc.calculate`
computes every formula cell; pass 2 runs ``write_fn`` again and stores each formula's computed value
beside the formula, so the workbook reads right in a viewer that does not calculate and with
``openpyxl.load_workbook(data_only=True)``.  For a dynamic-array formula the anchor's value goes in the
formula cell and the other cells of the spill range are written as plain values (this is how Excel
itself saves a spilled range: the formula in the anchor, cached values in the rest).

Viewers: pass 2 also turns off xlsxwriter's "full calculation on load", so viewers show the stored
values.  LibreOffice (checked with 7.x headless) still recalculates every *array* formula on load --
dynamic or legacy -- and, having no MBS_ functions, shows ``#NAME?`` in their ranges; ordinary
formula cells keep their stored values.  What must read in any spreadsheet is best written with
Excel built-ins, the MBS_ arrays beside it (the pool template does this: Tables 1-5 by COUNTIFS/SUMIFS,
MBS_POOLSUMMARY/MBS_STRAT on a check sheet).

The creation date is fixed (:data:`CREATED`) so that two builds of the same template give the same
bytes (xlsxwriter already fixes the zip entries' timestamps).

Example
-------
>>> def write(book):
...     ws = book.sheet("Demo")
...     book.input(ws, "B1", 2.5, "dec2")
...     book.formula(ws, "B2", "=B1*2", "dec2")
>>> build_with_values("demo.xlsx", write)          # doctest: +SKIP
"""
from __future__ import annotations

import datetime as _dt
import os
import tempfile
from typing import Callable, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

CREATED = _dt.datetime(2026, 1, 1, 0, 0, 0)

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "yuan": "#,##0",
    "count": "#,##0",
    "pct": "0.00%",
    "pct1": "0.0%",
    "pct3": "0.000%",
    "pct4": "0.0000%",
    "rate": "0.0000",
    "dec1": "0.0",
    "dec2": "0.00",
    "int": "0",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "text": "@",
    "bool": '"TRUE";"TRUE";"FALSE"',      # booleans show as TRUE/FALSE where a viewer treats them as 1/0
    "general": "General",
}

INPUT_FILL = "#FFF2CC"       # light yellow
INPUT_FONT = "#1F4E9E"       # blue
HEADER_FILL = "#D9D9D9"
BLANK_FILL = "#E7E6E6"       # a blank cell of a result grid (explained by a note beside it)
FONT = "Arial"


def viewers_note(filename: str) -> str:
    """The Notes sheet's paragraph on viewers other than Excel (every template says the same)."""
    return ("LibreOffice and WPS Spreadsheets: xlwings cannot drive them, so the MBS_ functions do not exist "
            "there, and they recalculate array formulas when a file opens: every spilled MBS_ table shows "
            "#NAME? (single-cell formulas keep their stored values). For their users write a copy with the "
            f"computed values in place of the formulas (charts kept): `mbsxl calc {filename} --out copy.xlsx "
            "--values-only`. Excel shows the stored values until it recalculates; with the add-in it computes "
            "them.")


# Lines of one chart told apart in print and in grey (issue 22: "the Grid chart's six lines overlap"): a
# colour, a dash style and a marker each, the first marker large and hollow so a line drawn over it
# still shows it.
LINE_STYLES = [("#1F4E9E", "solid", "circle", 8), ("#C00000", "dash", "square", 5),
               ("#548235", "round_dot", "triangle", 6), ("#7F6000", "long_dash", "diamond", 6),
               ("#7030A0", "dash_dot", "x", 6)]


def line_style(i: int) -> dict:
    """Series options (line and marker) of the ``i``-th line of a chart, from :data:`LINE_STYLES`."""
    color, dash, marker, size = LINE_STYLES[i % len(LINE_STYLES)]
    fill = {"none": True} if i == 0 else {"color": color}
    return {"line": {"color": color, "dash_type": dash, "width": 1.75},
            "marker": {"type": marker, "size": size, "border": {"color": color}, "fill": fill}}


def label(zh: str, en: str) -> str:
    """A bilingual label, Chinese first: ``label("提前还款率", "CPR")`` -> ``"提前还款率 CPR"``."""
    return f"{zh} {en}".strip()


def _cell(cell) -> tuple[int, int]:
    if isinstance(cell, str):
        return xl_cell_to_rowcol(cell.replace("$", ""))
    return int(cell[0]), int(cell[1])


def _key(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{xl_rowcol_to_cell(row, col)}"


def _normalize_values(values: dict | None) -> dict | None:
    """Map calc results to ``"Sheet!A1"`` keys whatever quoting/case the engine used."""
    if values is None:
        return None
    out = {}
    for k, v in values.items():
        sheet, _, cell = str(k).rpartition("!")
        sheet = sheet.strip()
        if len(sheet) >= 2 and sheet[0] == "'" and sheet[-1] == "'":
            sheet = sheet[1:-1].replace("''", "'")
        out[f"{sheet.upper()}!{cell.replace('$', '').upper()}"] = v
    return out


def _plain(v):
    """A calc result as something xlsxwriter stores: float, int, bool, str or None."""
    if v is None:
        return None
    try:
        import numpy as np
        if isinstance(v, np.generic):
            v = v.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, (bool, int, float, str)):
        if isinstance(v, float) and v != v:      # NaN
            return "#NUM!"
        return v
    if isinstance(v, (_dt.date, _dt.datetime)):
        base = _dt.datetime(1899, 12, 30)
        d = v if isinstance(v, _dt.datetime) else _dt.datetime(v.year, v.month, v.day)
        return (d - base).total_seconds() / 86400.0
    return str(v)



def write_typed(ws, r: int, c: int, v, f) -> None:
    """Write a constant with xlsxwriter's writer for its type: blank (None or ""), text, boolean, date,
    number."""
    if v is None or (isinstance(v, str) and v == ""):
        ws.write_blank(r, c, None, f)
    elif isinstance(v, str):
        ws.write_string(r, c, v, f)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, f)
    elif isinstance(v, (_dt.date, _dt.datetime)):
        d = v if isinstance(v, _dt.datetime) else _dt.datetime(v.year, v.month, v.day)
        ws.write_datetime(r, c, d, f)
    else:
        ws.write_number(r, c, float(v), f)

class Book:
    """An xlsxwriter workbook with the templates' formats and a store of computed values."""

    def __init__(self, path: str, values: dict | None = None):
        self.path = path
        self.workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
        self.workbook.set_properties({"created": CREATED, "author": "mbsxl", "company": "mbsxl",
                                      "comments": "Generated by mbsxl templates; rebuild with `mbsxl templates build`"})
        self.workbook.formats[0].set_font_name(FONT)
        self.values = _normalize_values(values)
        if values is not None:
            # the file carries every formula's value: no full recalculation on load (xlsxwriter's default),
            # so viewers without mbsxl (LibreOffice, previewers) show the stored values, not #NAME?
            self.workbook.calc_on_load = False
        self.missing: list[str] = []          # formula cells the calc gave no value for (pass 2)
        self.formula_cells: list[str] = []    # every formula / array cell written
        self._formats: dict = {}
        self._format_keys: dict = {}          # id(format) -> (kind, style, extra) of the cached formats
        self._sheets: dict = {}
        self._headers: dict = {}              # sheet name -> [(row, col, text)] of header cells
        self._printed: set = set()            # sheets whose print_setup the template called
        self._blank_fmt = None                # the grey fill of blank result-grid cells (explain_blanks)

    def name(self, name: str, ref: str):
        """A workbook-scope defined name (e.g. ``name("Deal_table", "'Deal'!$A$5:$G$44")``), so that formulas
        read ``MBS_DEALSTATS(Pool_1,Deal_table)`` instead of sheet-qualified ranges; ``ref`` without ``=``."""
        self.workbook.define_name(name, "=" + ref)

    # ------------------------------------------------------------------ formats
    def fmt(self, kind: str = "general", style: str = "formula", **extra):
        """A cached format: ``kind`` a key of NUMBER_FORMATS (or a raw Excel format), ``style`` one of
        formula | input | header | title | subtitle | note | label | total; ``extra`` xlsxwriter properties."""
        key = (kind, style, tuple(sorted(extra.items())))
        if key in self._formats:
            return self._formats[key]
        props = {"font_name": FONT, "font_size": 10, "valign": "top"}
        if kind != "general":
            props["num_format"] = NUMBER_FORMATS.get(kind, kind)
        if style == "input":
            props.update(bg_color=INPUT_FILL, font_color=INPUT_FONT)
        elif style == "header":
            props.update(bold=True, bg_color=HEADER_FILL, text_wrap=True, border=1, valign="vcenter",
                         align="center")
        elif style == "title":
            props.update(bold=True, font_size=14)
        elif style == "subtitle":
            props.update(bold=True, font_size=11)
        elif style == "note":
            props.update(italic=True, font_color="#595959", text_wrap=False)
        elif style == "blanknote":
            props.update(italic=True, font_color="#595959", bg_color=BLANK_FILL)
        elif style == "wrapnote":
            props.update(italic=True, font_color="#595959", text_wrap=True)
        elif style == "label":
            props.update(bold=False)
        elif style == "total":
            props.update(bold=True, top=1)
        elif style == "bad":
            props.update(font_color="#C00000", bold=True)
        elif style != "formula":
            raise ValueError(f"style={style!r} is not one of formula, input, header, title, subtitle, note, "
                             "wrapnote, blanknote, label, total, bad")
        props.update(extra)
        f = self.workbook.add_format(props)
        self._formats[key] = f
        self._format_keys[id(f)] = key
        return f

    def _number_fmt(self, f, v):
        """The format a computed number is shown in: ``f`` unless ``f`` is a General formula format and the
        number would print as float noise (a difference of 4.76837158203E-07, or 339536.7798...): then
        scientific for |v| < 1e-4 (differences shown as such on purpose), thousands with 2 decimals for
        |v| >= 1,000."""
        if not isinstance(v, float) or v != v or float(v).is_integer():
            return f
        key = self._format_keys.get(id(f))
        if key is None or key[0] != "general" or key[1] not in ("formula", "total"):
            return f
        if abs(v) < 1e-4:
            return self.fmt("0.00E+00", key[1], **dict(key[2]))
        if abs(v) >= 1000:
            return self.fmt("#,##0.00", key[1], **dict(key[2]))
        return f

    def _f(self, fmt, style):
        if fmt is None:
            return self.fmt("general", style)
        if isinstance(fmt, str):
            return self.fmt(fmt, style)
        return fmt

    # ------------------------------------------------------------------ sheets
    def sheet(self, name: str):
        """Add (or return) a worksheet called ``name``."""
        if name not in self._sheets:
            ws = self.workbook.add_worksheet(name)
            self._sheets[name] = ws
        return self._sheets[name]

    def _ws(self, sheet):
        if isinstance(sheet, str):
            return self.sheet(sheet)
        return sheet

    # ------------------------------------------------------------------ writing
    def value(self, sheet, cell, v, fmt=None, style: str = "label"):
        """A constant that is not an input (a label, a heading text)."""
        r, c = _cell(cell)
        write_typed(self._ws(sheet), r, c, v, self._f(fmt, style))

    def input(self, sheet, cell, v, fmt=None):
        """An input cell (styled blue on light yellow): data a reviewer replaces."""
        self.value(sheet, cell, v, fmt, style="input")

    def inputs(self, sheet, first_cell, rows: Iterable[Iterable], fmts=None):
        """A block of input cells from ``first_cell``; ``fmts`` one format name per column."""
        ws = self._ws(sheet)
        r0, c0 = _cell(first_cell)
        cache = None
        for i, row in enumerate(rows):
            row = list(row)
            if cache is None:
                cache = [self._f(fmts[j] if fmts else None, "input") for j in range(len(row))]
            for j, v in enumerate(row):
                f = cache[j]
                if v is None:
                    ws.write_blank(r0 + i, c0 + j, None, f)
                elif isinstance(v, str):
                    ws.write_string(r0 + i, c0 + j, v, f)
                else:
                    ws.write_number(r0 + i, c0 + j, v, f)

    def text(self, sheet, cell, s: str, style: str = "label", **extra):
        """A text cell in a given style (title, subtitle, note, header, label ...)."""
        ws = self._ws(sheet)
        r, c = _cell(cell)
        ws.write_string(r, c, s, self.fmt("general", style, **extra))
        if style in ("title", "subtitle"):
            # a 14 pt (11 pt) line needs a row taller than the default 15 pt, else it runs into the note below
            ws.set_row(r, 22 if style == "title" else 17)
        elif style == "header":
            self._headers.setdefault(ws.name, []).append((r, c, s))

    def paragraph(self, sheet, cell, s: str, width: float, style: str = "wrapnote"):
        """Wrapped text in a column ``width`` characters wide, with the row made tall enough (xlsxwriter
        does not size rows for wrapped text; CJK characters count double)."""
        import math
        ws = self._ws(sheet)
        r, c = _cell(cell)
        est = sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
        lines = max(1, math.ceil(est / max(width * 0.92, 1)))
        ws.set_row(r, max(15, 13.5 * lines))
        ws.write_string(r, c, s, self.fmt("general", style))

    def note(self, sheet, cell, s: str):
        self.text(sheet, cell, s, "note")

    def header(self, sheet, first_cell, labels: Iterable[str]):
        """A header row of labels from ``first_cell`` to the right."""
        ws = self._ws(sheet)
        r, c = _cell(first_cell)
        f = self.fmt("general", "header")
        ws.set_row(r, 28)                     # room for two lines of a bilingual label (more: finish())
        for j, s in enumerate(labels):
            ws.write_string(r, c + j, s, f)
            self._headers.setdefault(ws.name, []).append((r, c + j, s))

    def _stored(self, sheet_name: str, r: int, c: int):
        if self.values is None:
            return None
        key = f"{sheet_name.upper()}!{xl_rowcol_to_cell(r, c)}"
        if key not in self.values:
            self.missing.append(_key(sheet_name, r, c))
            return None
        return _plain(self.values[key])

    def formula(self, sheet, cell, formula: str, fmt=None, style: str = "formula"):
        """A formula cell; in pass 2 it carries its computed value."""
        ws = self._ws(sheet)
        r, c = _cell(cell)
        self.formula_cells.append(_key(ws.name, r, c))
        v = self._stored(ws.name, r, c)
        f = self._number_fmt(self._f(fmt, style), v)
        if v is None:
            ws.write_formula(r, c, formula, f)
        else:
            ws.write_formula(r, c, formula, f, v)

    def array(self, sheet, first_cell, last_cell, formula: str, fmt=None, col_fmts=None,
              header_row: bool = False, total_row: bool = False, fmt_fn=None):
        """A dynamic-array formula whose spill range is ``first_cell:last_cell``.

        ``fmt`` applies to every cell, or ``col_fmts`` gives one format name per column; with
        ``header_row`` the first row is styled as a header (table-returning functions), with
        ``total_row`` the last row in bold; ``fmt_fn(i, j)`` (offsets in the range) may return a format
        name for a cell, overriding the others (None: keep them).  In pass 2 the anchor carries its value in the formula and
        the other cells of the range carry theirs as plain values.
        """
        ws = self._ws(sheet)
        r0, c0 = _cell(first_cell)
        r1, c1 = _cell(last_cell)

        def cell_fmt(i, j):
            if fmt_fn is not None and not (header_row and i == r0):
                kind = fmt_fn(i - r0, j - c0)
                if kind is not None:
                    return self.fmt(kind, "total" if (total_row and i == r1) else "formula")
            if header_row and i == r0:
                return self.fmt("general", "header")
            kind = col_fmts[j - c0] if col_fmts else (fmt if isinstance(fmt, str) or fmt is None else None)
            style = "total" if (total_row and i == r1) else "formula"
            if kind is None and fmt is not None and not isinstance(fmt, str):
                return fmt
            return self.fmt(kind or "general", style)

        for i in range(r0, r1 + 1):
            for j in range(c0, c1 + 1):
                self.formula_cells.append(_key(ws.name, i, j))
        anchor = self._stored(ws.name, r0, c0)
        ws.write_dynamic_array_formula(r0, c0, r1, c1, formula, self._number_fmt(cell_fmt(r0, c0), anchor),
                                       0 if anchor is None else anchor)
        if header_row and self.values is not None:
            for j in range(c0, c1 + 1):
                h = anchor if j == c0 else self._stored(ws.name, r0, j)
                if isinstance(h, str) and h and not h.startswith("#"):
                    self._headers.setdefault(ws.name, []).append((r0, j, h))
        for i in range(r0, r1 + 1):
            for j in range(c0, c1 + 1):
                if i == r0 and j == c0:
                    continue
                v = self._stored(ws.name, i, j) if self.values is not None else 0
                write_typed(ws, i, j, v, self._number_fmt(cell_fmt(i, j), v))

    def explain_blanks(self, sheet, first_cell, last_cell, note_cell, meaning: str):
        """Every blank cell of the result grid ``first_cell:last_cell`` explained on the page (issue 22): a
        conditional format shades blank cells grey (Excel and LibreOffice both apply it, so a blank
        scenario stands out whatever the inputs), and a note at ``note_cell`` says what grey means.
        ``meaning`` completes "Grey blank cell: ..." (e.g. "the class receives no principal")."""
        ws = self._ws(sheet)
        r0, c0 = _cell(first_cell)
        r1, c1 = _cell(last_cell)
        if self._blank_fmt is None:
            self._blank_fmt = self.workbook.add_format({"bg_color": BLANK_FILL, "pattern": 1})
        ws.conditional_format(r0, c0, r1, c1, {"type": "blanks", "format": self._blank_fmt})
        r, c = _cell(note_cell)
        ws.write_string(r, c, label("灰色空格", "Grey blank cell:") + " " + meaning, self.fmt("general", "blanknote"))

    # ------------------------------------------------------------------ layout
    def freeze(self, sheet, row: int, col: int = 0):
        """Freeze the first ``row`` rows and ``col`` columns."""
        self._ws(sheet).freeze_panes(row, col)

    def widths(self, sheet, widths: dict):
        """Column widths: ``{"A": 30, "B:D": 14}``."""
        ws = self._ws(sheet)
        for cols, w in widths.items():
            rng = cols if ":" in cols else f"{cols}:{cols}"
            ws.set_column(rng, w)

    def print_setup(self, sheet, landscape: bool = True, fit_width: bool = True, area: str | None = None,
                    repeat_rows: tuple[int, int] | None = None, fit_height: int = 0, compact: bool = False):
        """A4, landscape by default, fit to one page wide, optional print area and repeated header rows.

        ``compact``: rows without a height of their own are 12.75 pt (Excel's row for 10 pt Arial) instead
        of xlsxwriter's 15 pt, so a long table prints on about a sixth fewer pages at the same font size
        (issue 22: half-blank pages); only for sheets without charts (their anchors assume 15 pt rows)."""
        ws = self._ws(sheet)
        if compact:
            ws.set_default_row(COMPACT_ROW_PT)
        self._printed.add(ws.name)
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        if fit_width:
            ws.fit_to_pages(1, fit_height)
        if area:
            ws.print_area(area)
        if repeat_rows:
            ws.repeat_rows(*repeat_rows)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&L&F  &A&RPage &P of &N")

    def chart(self, options: dict):
        return self.workbook.add_chart(options)

    def close(self):
        for ws in self.workbook.worksheets():
            finish_sheet(ws, self._headers.get(ws.name, []), printed=ws.name in self._printed, book=self)
        self.workbook.close()


# ---------------------------------------------------------------------- the finishing pass (issue 22)
# Every sheet of every template gets, when the workbook is closed: header columns wide enough and header
# rows tall enough for their text; charts inside the print area; print settings (A4, landscape where
# wide, one page wide, header rows repeated, footer with file, sheet and page).  Measured in the units
# xlsxwriter stores: column widths and row heights in pixels (a character of the default font is 7 px
# plus 5 px padding; a 10 pt line is about 17 px).

CHAR_PX = 7.0           # one ASCII character of the 10 pt font, generous for bold Arial
LINE_PX = 17            # one line of 10 pt text, with leading
MAX_HEADER_CHARS = 28   # a header column is widened up to this many characters ...
MAX_HEADER_LINES = 4    # ... when its label needs more lines than this; until then its row grows
DEFAULT_COL_PX = 64
DEFAULT_ROW_PX = 20
COMPACT_ROW_PT = 12.75  # print_setup(compact=True): the default row of a long table without charts


def text_units(s: str) -> int:
    """Display width of ``s`` in character units: a CJK (or other wide) character counts two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def wrap_lines(s: str, units: float) -> int:
    """Lines ``s`` takes wrapped at ``units`` characters: words break at spaces, CJK text anywhere, a word
    longer than a line is cut (and counted as overflowing: see :func:`longest_word`)."""
    units = max(units, 1.0)
    lines, used = 1, 0.0
    for word in _words(s):
        w = text_units(word)
        gap = 1 if used and not _cjk(word) else 0
        if used + gap + w <= units:
            used += gap + w
        else:
            lines += 1
            used = min(w, units)
    return lines


def _cjk(word: str) -> bool:
    return len(word) == 1 and ord(word) > 0x2E80


def _words(s: str):
    out, cur = [], ""
    for ch in s:
        if ch == " " or ch == "\n":
            if cur:
                out.append(cur)
            cur = ""
        elif ord(ch) > 0x2E80:
            if cur:
                out.append(cur)
            out.append(ch)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def longest_word(s: str) -> int:
    return max((text_units(w) for w in _words(s)), default=0)


def col_px(ws, col: int) -> int:
    info = ws.col_info.get(col)
    return DEFAULT_COL_PX if info is None or info.width is None else int(info.width)


def row_px(ws, row: int) -> int:
    info = ws.row_info.get(row)
    return DEFAULT_ROW_PX if info is None or info.height is None else int(info.height)


def _units_of(px: int) -> float:
    return max(0.0, (px - 5) / CHAR_PX)


def _fit_headers(ws, headers) -> None:
    by_row: dict = {}
    for r, c, s in headers:
        by_row.setdefault(r, []).append((c, s))
    for r, cells in by_row.items():
        lines_avail = max(1, row_px(ws, r) // LINE_PX)
        need_lines = lines_avail
        for c, s in cells:
            units = _units_of(col_px(ws, c))
            # a word must fit on a line; the whole label in at most MAX_HEADER_LINES lines (the row grows
            # first, so that a wide table keeps its page count), widening up to a cap
            want = max(units, min(longest_word(s) + 1, MAX_HEADER_CHARS + 12))
            while wrap_lines(s, want) > max(lines_avail, MAX_HEADER_LINES) and want < MAX_HEADER_CHARS:
                want += 1
            if want > units:
                info = ws.col_info.get(c)
                ws.set_column(c, c, want + 0.5, info.column_format if info else None)
            need_lines = max(need_lines, wrap_lines(s, want))
        if need_lines > lines_avail:
            ws.set_row_pixels(r, need_lines * LINE_PX + 4, (ws.row_info.get(r).row_format
                                                            if ws.row_info.get(r) else None))


def _chart_extent(ws, row: int, col: int, x_off: int, y_off: int, w_px: float, h_px: float):
    """The last row and column a chart anchored at (row, col) covers."""
    x = x_off + w_px
    c = col
    while x > col_px(ws, c):
        x -= col_px(ws, c)
        c += 1
    y = y_off + h_px
    r = row
    while y > row_px(ws, r):
        y -= row_px(ws, r)
        r += 1
    return r, c


def _parse_area(area: str):
    from xlsxwriter.utility import xl_cell_to_rowcol
    ref = area.rsplit("!", 1)[-1].replace("$", "")
    a, _, b = ref.partition(":")
    (r0, c0), (r1, c1) = xl_cell_to_rowcol(a), xl_cell_to_rowcol(b or a)
    return r0, c0, r1, c1


def chart_boxes(ws):
    """(first row, first col, last row, last col) of each chart on an xlsxwriter sheet."""
    out = []
    for row, col, chart, x_off, y_off, x_scale, y_scale, *_ in ws.charts:
        w = getattr(chart, "width", 480) * x_scale
        h = getattr(chart, "height", 288) * y_scale
        r1, c1 = _chart_extent(ws, row, col, x_off, y_off, w, h)
        out.append((row, col, r1, c1))
    return out


def finish_sheet(ws, headers, printed: bool, book=None) -> None:
    """The finishing pass of one sheet (see above)."""
    if headers:
        _fit_headers(ws, headers)
    last_row, last_col = ws.dim_rowmax or 0, ws.dim_colmax or 0
    for chart in (c[2] for c in ws.charts):
        # category labels at the bottom of the plot, not on the zero line across negative data
        if type(chart).__name__ in ("ChartLine", "ChartColumn", "ChartArea", "ChartScatter") \
                and isinstance(getattr(chart, "x_axis", None), dict) and not chart.x_axis.get("label_position"):
            chart.x_axis["label_position"] = "low"
    boxes = chart_boxes(ws)
    for _, _, r1, c1 in boxes:
        last_row, last_col = max(last_row, r1), max(last_col, c1)
    if ws.print_area_range:
        r0, c0, r1, c1 = _parse_area(ws.print_area_range)
        if any(br1 > r1 or bc1 > c1 for _, _, br1, bc1 in boxes):      # a chart outside: widen the area
            ws.print_area(r0, c0, max([r1] + [b[2] for b in boxes]), max([c1] + [b[3] for b in boxes]))
        last_col = max(c1, *[b[3] for b in boxes]) if boxes else c1
    width_px = sum(col_px(ws, c) for c in range(0, last_col + 1))
    if not printed:
        ws.set_paper(9)
        if width_px > 900:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&L&F  &A&RPage &P of &N")
    if not ws.repeat_row_range and headers:
        first = min(r for r, _, _ in headers)
        if (ws.dim_rowmax or 0) - first > 40:          # a long table: its header on every printed page
            ws.repeat_rows(first, first)


def build_with_values(path: str, write_fn: Callable[[Book], None], calculate: Callable | None = None) -> dict:
    """Write a workbook twice so that every formula cell stores its computed value.

    Pass 1 writes ``write_fn`` to a temporary file without values; ``calculate`` (default
    :func:`mbsxl.excel.calc.calculate`) computes it; pass 2 writes ``path`` with the values.
    Returns the computed values (``"Sheet!A1"`` -> value).  Raises ``RuntimeError`` naming the
    formula cells the calculation gave no value for.
    """
    if calculate is None:
        from mbsxl.excel.calc import calculate
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix="mbsxl_pass1_")
    os.close(fd)
    try:
        b1 = Book(tmp)
        write_fn(b1)
        b1.close()
        values = calculate(tmp)
    finally:
        try:
            os.remove(tmp)
        except OSError:
            pass
    b2 = Book(path, values=values)
    write_fn(b2)
    b2.close()
    if b2.missing:
        raise RuntimeError(f"{path}: no computed value for {len(b2.missing)} formula cell(s), e.g. "
                           f"{', '.join(b2.missing[:5])}")
    # xlsxwriter stores an array formula's error value as text (t="str"); store it as an error (t="e")
    from ..excel._xlsxvalues import write_values
    from ..excel.errors import CODES
    errors = {k: v for k, v in values.items() if isinstance(v, str) and v in CODES}
    if errors:
        write_values(path, path, errors)
    return values
