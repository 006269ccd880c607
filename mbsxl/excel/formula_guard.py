"""No code from a workbook: every formula is checked before the engine compiles it, and the Python the
engine generates is checked before it runs.

pycel compiles an Excel formula into Python source and ``exec``\\ s it.  Three guards keep workbook text
from ever becoming code (issue 11):

1. :func:`rewrite` tokenises the formula (openpyxl's tokenizer, linear) and rebuilds it from checked
   tokens: a function must be an Excel function the engine implements or a registered ``MBS_``
   function (anything else: ``#NAME?`` with the reason, before any compilation); a reference must be
   a cell, range, full column/row, defined name or table reference on an existing sheet; numbers,
   logicals and error literals must look like them.  Defined names are replaced by what they name,
   ranges larger than :data:`CUT_CELLS` cells are cut at the workbook's used extent (so ``A:A`` and
   ``A1:XFD1048576`` cost what the data costs), ``B2#`` and ``ANCHORARRAY(B2)`` become the stored spill.
   A LAMBDA parameter ``_xlpm.x`` stays a name, ``_xleta.SUM`` is checked as the function it names, and
   a call of a LAMBDA (``LAMBDA(x,x+1)(2)``, a defined name holding one) becomes the engine-internal
   ``MBSXL_CALL`` (:mod:`mbsxl.excel._fn_lambda`).
2. :func:`harden_pycel` changes how pycel emits literals and references: string literals, error
   literals, sheet names and addresses reach the generated source only through :func:`repr`, which
   cannot end the string (the issue's ``="\\""and __import__('os')...`` and ``'Pool "A"'!A1`` cases).
3. The generated source must have exactly the shape ``lambdas.append(lambda: <expr>)`` where
   ``<expr>`` holds only calls of allowed names, constants, tuples and operators (:func:`check_python`;
   a Python ``lambda`` only as the checked body of a workbook's LAMBDA or LET, with ``_xlpm_`` parameters);
   and it runs with an empty ``__builtins__``, so even a name that slipped through cannot reach
   ``eval``/``open``/``__import__``.

Layout: this module is guard 1 (the formula check); the allow-list both checks read is
:mod:`mbsxl.excel._allowlist`; guards 2 and 3 are :mod:`mbsxl.excel._codecheck`, whose
:func:`check_python`, :class:`UnsafeCode` and :func:`harden_pycel` are importable from here.
"""
from __future__ import annotations

import re

from ._allowlist import (DENIED, ENGINE_NAMES, SPARSE, SUBTOTAL_NAMES, allowed_functions,  # noqa: F401
                         allowed_python_names, function_allowed, python_name)
from ._allowlist import NUMBER_RE as _NUMBER_RE
from ._unsupported import reason as unsupported_reason
from ._codecheck import UnsafeCode, check_python, harden_pycel  # noqa: F401 - re-exported
from .addresses import col_index, col_letters  # noqa: F401 - re-exported
from . import _fn_lambda

MAX_ROW, MAX_COL = 1_048_576, 16_384
CUT_CELLS = 65_536            # ranges above this many cells are cut at the used extent
ERROR_LITERALS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                  "#SPILL!", "#CALC!")
PREFIXES = ("_xlfn._xlws.", "_xlfn.", "_xlws.", "_xludf.")
ENGINE_FUNCTIONS = frozenset({SPARSE, "CSE_INDEX", "MBSXL_ETA", _fn_lambda.CALL})   # written by the engine only, never by a workbook


from ._guard_base import Refused  # noqa: E402,F401 - the refusal, shared with the engine's own functions


# ------------------------------------------------------------------------------------ references
_CELL = r"\$?([A-Za-z]{1,3})\$?(\d{1,7})"
_CELL_RE = re.compile(f"^{_CELL}$")
_AREA_RE = re.compile(f"^{_CELL}:{_CELL}$")
_COLS_RE = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_ROWS_RE = re.compile(r"^\$?(\d{1,7}):\$?(\d{1,7})$")
_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\?]*$")
_TABLE_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*\[[^\]\[]*(?:\[[^\]\[]*\][^\]\[]*)*\]$")
_SHEET_RE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!\[\]]+))!(.+)$", re.S)
_SPILL_TAIL = re.compile(r"((?:'(?:[^']|''){1,31}'|[A-Za-z0-9_.\u00a0-\uffff]{1,31})!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'" if re.search(r"[^A-Za-z0-9_.]", title) or not title[:1].isalpha() \
        else title


class Book:
    """What :func:`rewrite` needs to know of the workbook: its sheets, defined names, used extent, the
    stored spill ranges and the limits."""

    def __init__(self, sheets, names=None, extent=(1, 1), spills=None, max_chars=8192,
                 max_range_cells=2_000_000, unaddressable=None, max_name_depth=8, max_name_expansions=256):
        self.sheets = {s.lower(): s for s in sheets}
        self.unaddressable = {k.lower(): v for k, v in (unaddressable or {}).items()}   # sheet -> why
        self.max_name_depth = max_name_depth
        self.max_name_expansions = max_name_expansions
        self.expansions = 0                      # defined names expanded for the formula being rewritten
        self._names_done: dict = {}              # (sheet, name) -> (rewritten text, expansions) or Refused
        self.names = names or {}                 # (sheet lower or None, name lower) -> text
        self.max_row, self.max_col = extent
        self.spills = spills or {}               # (sheet lower, "B2") -> "B2:B6"
        self.max_chars = max_chars
        self.max_range_cells = max_range_cells
        self.used: set[str] = set()              # functions called through defined names

    @classmethod
    def from_openpyxl(cls, wb, **kw):
        names = {}
        try:
            items = list(wb.defined_names.items())          # openpyxl >= 3.1: a dict
        except AttributeError:                               # pragma: no cover - openpyxl 3.0
            items = [(d.name, d) for d in wb.defined_names.definedName]
        for n, d in items:
            if getattr(d, "localSheetId", None) is not None:
                try:
                    names[(wb.worksheets[int(d.localSheetId)].title.lower(), n.lower())] = d.attr_text
                except (IndexError, ValueError):
                    pass
            else:
                names[(None, n.lower())] = d.attr_text
        for ws in wb.worksheets:
            for n, d in getattr(ws, "defined_names", {}).items():
                names[(ws.title.lower(), n.lower())] = d.attr_text
        mr = max((ws.max_row for ws in wb.worksheets), default=1)
        mc = max((ws.max_column for ws in wb.worksheets), default=1)
        return cls([ws.title for ws in wb.worksheets], names, (mr, mc), **kw)

    def sheet(self, name: str) -> str:
        t = self.sheets.get(name.lower())
        if t is None:
            shown = ", ".join(repr(s) for s in list(self.sheets.values())[:10])
            raise Refused("#REF!", f"the formula refers to a sheet named {name!r}, which this workbook does not "
                                   f"have (sheets: {shown})")
        why = self.unaddressable.get(t.lower())
        if why:
            raise Refused("#REF!", why)
        return t


def _bounds(addr: str):
    """(c1, r1, c2, r2) of a cell, area, column or row reference, or None."""
    m = _CELL_RE.match(addr)
    if m:
        c, r = col_index(m.group(1)), int(m.group(2))
        return c, r, c, r
    m = _AREA_RE.match(addr)
    if m:
        c1, r1, c2, r2 = col_index(m.group(1)), int(m.group(2)), col_index(m.group(3)), int(m.group(4))
        return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)
    m = _COLS_RE.match(addr)
    if m:
        c1, c2 = col_index(m.group(1)), col_index(m.group(2))
        return min(c1, c2), 1, max(c1, c2), MAX_ROW
    m = _ROWS_RE.match(addr)
    if m:
        r1, r2 = int(m.group(1)), int(m.group(2))
        return 1, min(r1, r2), MAX_COL, max(r1, r2)
    return None


def _reference(value: str, sheet: str, book: Book, depth: int) -> str:
    """A checked, normalised reference (or the parenthesised expression a defined name stands for)."""
    if "[" in value.split("!")[0] and "!" in value:
        raise Refused("#REF!", f"{value!r} refers to another workbook; only this workbook's cells can be read")
    m = _SHEET_RE.match(value)
    if m:
        target = book.sheet(m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2))
        addr = m.group(3)
    else:
        target, addr = None, value
    b = _bounds(addr)
    if b is not None:
        c1, r1, c2, r2 = b
        if not (1 <= c1 <= c2 <= MAX_COL and 1 <= r1 <= r2 <= MAX_ROW):
            raise Refused("#REF!", f"{value!r} lies outside Excel's grid (XFD1048576)")
        if (c2 - c1 + 1) * (r2 - r1 + 1) > CUT_CELLS or r2 == MAX_ROW or c2 == MAX_COL:
            r2 = min(r2, max(book.max_row, r1))
            c2 = min(c2, max(book.max_col, c1))
        n = (c2 - c1 + 1) * (r2 - r1 + 1)
        if n > book.max_range_cells:
            raise Refused("#NUM!", f"{value!r} spans {n:,} cells holding data; the limit is "
                                   f"{book.max_range_cells:,} (--max-range-cells)")
        if n > CUT_CELLS:
            # still huge after cutting (data down to row 1,048,576 or column XFD): read the stored
            # cells only, instead of one engine object per cell of the grid (45 s and 1.6 GB a column)
            sheet_text = (target or sheet).replace('"', '""')
            return f'{SPARSE}("{sheet_text}",{c1},{r1},{c2},{r2})'
        text = f"{col_letters(c1)}{r1}" if (c1, r1) == (c2, r2) and _CELL_RE.match(addr) \
            else f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"
        return f"{quote_sheet(target)}!{text}" if target else text
    if _NAME_RE.match(addr):
        key_sheet = (target or sheet).lower()
        text = book.names.get((key_sheet, addr.lower()))
        if text is None and target is None:
            text = book.names.get((None, addr.lower()))
        if text is None:
            raise Refused("#NAME?", f"{addr!r} is neither a cell reference nor a defined name of this workbook")
        if depth > book.max_name_depth:
            raise Refused("#NAME?", f"the defined name {addr!r} refers to names nested more than "
                                    f"{book.max_name_depth} deep (--max-name-depth)")
        memo = (key_sheet, addr.lower(), (target or sheet).lower())
        done = book._names_done.get(memo)
        if isinstance(done, Refused):
            raise done
        if done is None:
            before = book.expansions
            book.expansions = 0
            try:
                inner = rewrite("=" + text.lstrip("="), target or sheet, book, depth + 1, book.used)[1:]
            except Refused as e:
                if "--max-name-expansions" in e.reason:      # the same for every formula using this name
                    book._names_done[memo] = e
                book.expansions = before
                raise
            done = book._names_done[memo] = (inner if _single_reference(inner) else f"({inner})",
                                             book.expansions + 1)
            book.expansions = before
        book.expansions += done[1]
        if book.expansions > book.max_name_expansions:
            if depth > 0 or done[1] > book.max_name_expansions:
                book._names_done[memo] = Refused(
                    "#NAME?", f"the defined name {addr!r} expands into more than {book.max_name_expansions:,} "
                              "names (names that refer to each other; --max-name-expansions)")
                raise book._names_done[memo]
            raise Refused("#NAME?", f"the formula expands more than {book.max_name_expansions:,} defined names "
                                    "(--max-name-expansions)")
        return done[0]
    if target is None and _TABLE_RE.match(addr):
        return addr                     # a structured table reference, resolved by the engine
    raise Refused("#NAME?", f"{value!r} is not a cell, a range or a defined name")


def _single_reference(text: str) -> bool:
    m = _SHEET_RE.match(text)
    return _bounds(m.group(3) if m else text) is not None


def _spills(formula: str, sheet: str, book: Book) -> str:
    """``B2#`` / ``Sheet!B2#`` outside string literals -> the spill range stored with B2 (linear: the
    reference is matched backwards from each ``#`` within a bounded window)."""
    if "#" not in formula:
        return formula
    out, i, n, start = [], 0, len(formula), 0
    in_str = in_sheet = False
    while i < n:
        ch = formula[i]
        if in_str:
            if ch == '"':
                in_str = False
        elif in_sheet:
            if ch == "'":
                in_sheet = False
        elif ch == '"':
            in_str = True
        elif ch == "'":
            in_sheet = True
        elif ch == "#" and i > 0 and (formula[i - 1].isdigit()):
            window = formula[max(start, i - 80):i]
            m = _SPILL_TAIL.search(window)
            if m:
                sh = m.group(1)
                sheet_name = sh[:-1].strip("'").replace("''", "'") if sh else sheet
                anchor = f"{m.group(2).upper()}{m.group(3)}"
                ref = book.spills.get((sheet_name.lower(), anchor), anchor)
                cut = i - (len(window) - m.start())
                out.append(formula[start:cut])
                out.append(f"{sh or ''}{ref}")
                start = i + 1
        i += 1
    out.append(formula[start:])
    return "".join(out)


def _check_function(name: str, up: str, used: set | None) -> None:
    """Refuse a function a workbook may not call (engine-internal, unknown, outside the workbook or
    unsupported); note it in ``used``."""
    if up in ENGINE_FUNCTIONS:
        raise Refused("#NAME?", f"{name[:40]!r} is internal to the engine and cannot be called from a "
                                "workbook")
    if not function_allowed(up):
        why = "reaches outside the workbook" if up in DENIED else "is not a function this engine knows"
        raise Refused("#NAME?", f"{name[:40]!r} {why} (Excel functions the engine implements and the "
                                "MBS_ functions only)")
    refusal = unsupported_reason(up)
    if refusal:
        raise Refused("#NAME?", refusal)
    if used is not None:
        used.add(up)


def rewrite(formula: str, sheet: str, book: Book, depth: int = 0, used: set | None = None) -> str:
    """The formula rebuilt from checked tokens (see the module docstring); raises :class:`Refused`.
    ``used`` collects the upper-case names of the functions called."""
    from openpyxl.formula.tokenizer import Token, TokenizerError
    from ._tokens import tokens as _tokenize
    if depth == 0:
        book.expansions = 0
    if len(formula) > book.max_chars:
        raise Refused("#VALUE!", f"the formula has {len(formula):,} characters; the limit is {book.max_chars:,} "
                                 "(Excel's own is 8,192; --max-formula-chars)")
    text = _spills(formula, sheet, book)
    try:
        tokens = _tokenize(text)                 # once per text and run (tokens read, never changed)
    except (TokenizerError, IndexError, ValueError) as e:
        raise Refused("#VALUE!", f"the formula does not parse: {str(e)[:120]}") from None
    level = 0
    for t in tokens:
        if t.subtype == Token.OPEN:
            level += 1
        elif t.subtype == Token.CLOSE:
            level -= 1
            if level < 0:
                break
    if level != 0:
        raise Refused("#VALUE!", "the formula's parentheses or braces do not match")
    out: list[str] = []
    skip = 0
    call_prefix = call_parens = {}
    if "_XLPM." in text.upper() or "LAMBDA(" in text.upper():
        call_prefix, call_parens = _fn_lambda.immediate_calls(tokens)    # LAMBDA(...)(args)
        _fn_lambda.check_scopes(tokens)                                  # LAMBDA/LET names used in scope
    for k, t in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        if k in call_parens:
            out.append(call_parens[k])
            continue
        v, typ, sub = t.value, t.type, t.subtype
        if typ == Token.FUNC and sub == Token.OPEN:
            name = v[:-1]
            addr = ""
            if ":" in name:                                  # "A1:INDEX(" (the tokenizer's merge)
                addr, _, name = name.rpartition(":")
                addr = _reference(addr, sheet, book, depth) + ":"
            for p in PREFIXES:
                if name.lower().startswith(p):
                    name = name[len(p):]
                    break
            up = name.upper()
            if up == "ANCHORARRAY" and k + 2 < len(tokens) and tokens[k + 1].subtype == Token.RANGE \
                    and tokens[k + 2].type == Token.FUNC and tokens[k + 2].subtype == Token.CLOSE:
                out.append(addr + _spills(tokens[k + 1].value + "#", sheet, book))
                skip = 2
                continue
            if not addr and up not in ENGINE_FUNCTIONS and not function_allowed(up) and \
                    _fn_lambda.named_lambda(name, sheet, book):          # a defined name holding a LAMBDA
                empty = k + 1 < len(tokens) and tokens[k + 1].type == Token.FUNC and tokens[k + 1].subtype == Token.CLOSE
                out.append(_fn_lambda.named_call(name, sheet, book, depth, _reference, empty))
                continue
            _check_function(name, up, used)
            out.append(f"{call_prefix.get(k, '')}{addr}{up}(")
        elif typ == Token.OPERAND:
            if sub == Token.RANGE:
                special = _fn_lambda.guard_operand(v, lambda up: _check_function(up, up, used))
                out.append(special if special is not None else _reference(v, sheet, book, depth))
            elif sub == Token.NUMBER:
                if not _NUMBER_RE.match(v):
                    raise Refused("#VALUE!", f"{v[:40]!r} is not a number")
                out.append(v)
            elif sub == Token.TEXT:
                if not (len(v) >= 2 and v[0] == v[-1] == '"'):
                    raise Refused("#VALUE!", "a text literal that does not close")
                out.append(v)
            elif sub == Token.LOGICAL:
                if v.upper() not in ("TRUE", "FALSE"):
                    raise Refused("#VALUE!", f"{v[:40]!r} is not TRUE or FALSE")
                out.append(v.upper())
            elif sub == Token.ERROR:
                if v.upper() not in ERROR_LITERALS:
                    raise Refused("#VALUE!", f"{v[:40]!r} is not an Excel error value")
                out.append(v.upper())
            else:
                raise Refused("#VALUE!", f"unexpected operand {v[:40]!r}")
        elif typ in (Token.OP_PRE, Token.OP_IN, Token.OP_POST):
            if v not in ("+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=", ":", "%", " ", ","):
                if not v.strip() == "":
                    raise Refused("#VALUE!", f"unexpected operator {v[:20]!r}")
            out.append(v)
        elif typ in (Token.FUNC, Token.PAREN, Token.ARRAY) and v in ("(", ")", "{", "}"):
            out.append(v)
        elif typ == Token.SEP and v in (",", ";"):
            out.append(v)
        elif typ == Token.WSPACE:
            out.append(" " if v.strip() == "" else "")
        else:
            raise Refused("#VALUE!", f"unexpected token {v[:40]!r}")
    return "=" + "".join(out)
