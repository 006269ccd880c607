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
2. :func:`harden_pycel` changes how pycel emits literals and references: string literals, error
   literals, sheet names and addresses reach the generated source only through :func:`repr`, which
   cannot end the string (the issue's ``="\\""and __import__('os')...`` and ``'Pool "A"'!A1`` cases).
3. The generated source must have exactly the shape ``lambdas.append(lambda: <expr>)`` where
   ``<expr>`` holds only calls of allowed names, constants, tuples and operators (:func:`check_python`);
   and it runs with an empty ``__builtins__``, so even a name that slipped through cannot reach
   ``eval``/``open``/``__import__``.
"""
from __future__ import annotations

import ast
import functools
import re

MAX_ROW, MAX_COL = 1_048_576, 16_384
SPARSE = "MBSXL_RANGE"        # the engine's reader of a huge range's stored cells (calc._sparse_range)
CUT_CELLS = 65_536            # ranges above this many cells are cut at the used extent
ERROR_LITERALS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                  "#SPILL!", "#CALC!")
# Excel functions that reach outside the workbook: never offered even where an engine has them
DENIED = frozenset({"WEBSERVICE", "FILTERXML", "CALL", "REGISTER.ID", "RTD", "INFO", "CELL", "HYPERLINK",
                    "IMAGE", "STOCKHISTORY", "EUROCONVERT", "SQL.REQUEST"})
PREFIXES = ("_xlfn._xlws.", "_xlfn.", "_xlws.", "_xludf.")
# the fixed names pycel's emitted code uses besides the functions
ENGINE_NAMES = frozenset({"_C_", "_R_", "_REF_", "pi", "str"})
SUBTOTAL_NAMES = frozenset({"average", "count", "counta", "max_", "min_", "product", "stdev", "stdevp",
                            "sum_", "var", "varp"})


class Refused(Exception):
    """A formula the engine will not compile: ``code`` is the Excel error it gets, ``reason`` says why."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def python_name(excel_name: str) -> str:
    from pycel.excelformula import FunctionNode
    p = excel_name.lower().replace(".", "_")
    return FunctionNode.func_map.get(p, p)


@functools.lru_cache(maxsize=None)
def _pycel_functions() -> frozenset[str]:
    import importlib
    from pycel.excelformula import ExcelFormula, FunctionNode
    from pycel.lib.function_info import all_excel_functions
    mods = [importlib.import_module(m) for m in ExcelFormula.default_modules]
    out = set()
    for n in all_excel_functions:
        low = n.lower().replace(".", "_")
        p = python_name(n)
        if hasattr(FunctionNode, f"func_{low}") or any(callable(getattr(m, p, None)) for m in mods):
            out.add(n.upper())
    return frozenset(out)


@functools.lru_cache(maxsize=None)
def _formulas_functions() -> frozenset[str]:
    try:
        import formulas
        from pycel.lib.function_info import all_excel_functions
        table = formulas.get_functions()
    except Exception:  # noqa: BLE001 - formulas not installed: pycel's functions only
        return frozenset()
    return frozenset(k.upper() for k in table if isinstance(k, str) and k.upper() in all_excel_functions)


@functools.lru_cache(maxsize=None)
def _mbs_functions() -> frozenset[str]:
    from .registry import functions
    return frozenset(n.upper() for n in functions())


def allowed_functions() -> frozenset[str]:
    """Upper-case Excel names a formula may call: Excel functions pycel implements, the ones taken from
    ``formulas``, and the registry's MBS_ functions, minus :data:`DENIED`."""
    return (_pycel_functions() | _formulas_functions() | _mbs_functions()) - DENIED


def function_allowed(up: str) -> bool:
    """``up in allowed_functions()``, importing ``formulas`` only for a name pycel and the registry lack."""
    if up in DENIED:
        return False
    return up == SPARSE or up in _pycel_functions() or up in _mbs_functions() or up in _formulas_functions()


@functools.lru_cache(maxsize=None)
def _base_python_names() -> frozenset[str]:
    names = {python_name(n) for n in (_pycel_functions() | _mbs_functions()) - DENIED}
    names |= {n.lower() for n in _mbs_functions()} | set(_mbs_functions())
    return frozenset(names | ENGINE_NAMES | SUBTOTAL_NAMES | {"row", "column", "offset", "indirect",
                                                             SPARSE.lower()})


@functools.lru_cache(maxsize=None)
def allowed_python_names() -> frozenset[str]:
    return _base_python_names() | {python_name(n) for n in allowed_functions()}


class _PythonNames:
    """Membership in :func:`allowed_python_names`, without importing ``formulas`` for common names."""

    def __contains__(self, name) -> bool:
        return name in _base_python_names() or name in allowed_python_names()


# ------------------------------------------------------------------------------------ references
_CELL = r"\$?([A-Za-z]{1,3})\$?(\d{1,7})"
_CELL_RE = re.compile(f"^{_CELL}$")
_AREA_RE = re.compile(f"^{_CELL}:{_CELL}$")
_COLS_RE = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_ROWS_RE = re.compile(r"^\$?(\d{1,7}):\$?(\d{1,7})$")
_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\?]*$")
_TABLE_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*\[[^\]\[]*(?:\[[^\]\[]*\][^\]\[]*)*\]$")
_NUMBER_RE = re.compile(r"^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SHEET_RE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!\[\]]+))!(.+)$", re.S)
_SPILL_TAIL = re.compile(r"((?:'(?:[^']|''){1,31}'|[A-Za-z0-9_.\u00a0-\uffff]{1,31})!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(i: int) -> str:
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'" if re.search(r"[^A-Za-z0-9_.]", title) or not title[:1].isalpha() \
        else title


class Book:
    """What :func:`rewrite` needs to know of the workbook: its sheets, defined names, used extent, the
    stored spill ranges and the limits."""

    def __init__(self, sheets, names=None, extent=(1, 1), spills=None, max_chars=8192,
                 max_range_cells=2_000_000):
        self.sheets = {s.lower(): s for s in sheets}
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
        if depth > 8:
            raise Refused("#NAME?", f"the defined name {addr!r} refers to names nested too deeply")
        inner = rewrite("=" + text.lstrip("="), target or sheet, book, depth + 1, book.used)[1:]
        return inner if _single_reference(inner) else f"({inner})"
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


def rewrite(formula: str, sheet: str, book: Book, depth: int = 0, used: set | None = None) -> str:
    """The formula rebuilt from checked tokens (see the module docstring); raises :class:`Refused`.
    ``used`` collects the upper-case names of the functions called."""
    from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
    if len(formula) > book.max_chars:
        raise Refused("#VALUE!", f"the formula has {len(formula):,} characters; the limit is {book.max_chars:,} "
                                 "(Excel's own is 8,192; --max-formula-chars)")
    text = _spills(formula, sheet, book)
    try:
        tokens = Tokenizer(text).items
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
    for k, t in enumerate(tokens):
        if skip:
            skip -= 1
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
            if not function_allowed(up):
                why = "reaches outside the workbook" if up in DENIED else "is not a function this engine knows"
                raise Refused("#NAME?", f"{name[:40]!r} {why} (Excel functions the engine implements and the "
                                        "MBS_ functions only)")
            if used is not None:
                used.add(up)
            out.append(f"{addr}{up}(")
        elif typ == Token.OPERAND:
            if sub == Token.RANGE:
                out.append(_reference(v, sheet, book, depth))
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


# ------------------------------------------------------------------------------- generated code
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.BitAnd, ast.USub, ast.UAdd, ast.Eq, ast.NotEq,
        ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_NODES = (ast.Call, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.Compare) + _OPS


class UnsafeCode(Exception):
    """Generated Python that is not of the shape the engine emits; never run."""


def check_python(source: str, names: frozenset[str] | None = None) -> ast.AST:
    """Check pycel's generated source ``lambdas.append(lambda: <expr>)``: ``<expr>`` may hold only calls
    of allowed names, names from the allow-list, str/number/bool/None constants, tuples, and the
    arithmetic/comparison operators pycel emits.  Raises :class:`UnsafeCode`; returns the tree."""
    names = _PythonNames() if names is None else names
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as e:
        raise UnsafeCode(f"generated code does not parse: {e.msg}") from None
    body = tree.body
    ok = (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call))
    call = body[0].value if ok else None
    ok = ok and isinstance(call.func, ast.Attribute) and call.func.attr == "append" \
        and isinstance(call.func.value, ast.Name) and call.func.value.id == "lambdas" \
        and len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Lambda)
    lam = call.args[0] if ok else None
    ok = ok and not (lam.args.args or lam.args.posonlyargs or lam.args.kwonlyargs or lam.args.vararg
                     or lam.args.kwarg or lam.args.defaults)
    if not ok:
        raise UnsafeCode("generated code is not a single lambda expression")
    for node in ast.walk(lam.body):
        if not isinstance(node, _NODES):
            raise UnsafeCode(f"generated code holds a {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id not in names:
            raise UnsafeCode(f"generated code names {node.id[:40]!r}, which is not an engine function")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords):
            raise UnsafeCode("generated code calls something other than an engine function")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise UnsafeCode(f"generated code holds a {type(node.value).__name__} constant")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool) \
                and isinstance(node.value, int) and node.value.bit_length() > 4096:
            raise UnsafeCode("generated code holds an oversized integer")
    return tree


# ------------------------------------------------------------------------------- pycel hardening
_HARDENED = False


def harden_pycel() -> None:
    """Install the emission and compilation guards into pycel (idempotent; strictly safer for any user
    of pycel in this process)."""
    global _HARDENED
    if _HARDENED:
        return
    import tokenize as tk
    from pycel import excelformula as ef
    from pycel.excelutil import AddressMultiAreaRange, AddressRange, uniqueify
    from pycel.excelformula import ADDR_FUNCS_NAMES

    def operand_emit(self):
        sub = self.subtype
        if sub == self.token.LOGICAL:
            return str(self.value.lower() == "true")
        if sub == self.token.EMPTY:
            return "None"
        if sub in ("TEXT", "ERROR"):
            value = self.value
            if sub == "TEXT" and len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('""', '"')
            return repr(value)
        if sub == "NUMBER":
            if not _NUMBER_RE.match(self.value):
                raise ef.FormulaParserError(f"not a number: {self.value[:40]!r}")
            return str(int(self.value)) if self.value.isdigit() else repr(float(self.value))
        raise ef.FormulaParserError(f"unexpected operand {self.value[:40]!r}")

    def range_emit(self, value=None):
        sheet = self.cell and self.cell.sheet or ""
        value = value is not None and value or self.value
        if "!" in value:
            sheet = ""
        try:
            addr_str = value.replace("$", "")
            address = AddressRange.create(addr_str, sheet=sheet, cell=self.cell)
        except ValueError:
            table_name = None
            if self.cell:
                excel = self.cell.excel
                if excel and "[" in addr_str:
                    table_name = excel.table_name_containing(self.cell.address)
            if not table_name:
                return repr("#NAME?")
            addr_str = f"{table_name}{addr_str}"
            address = AddressRange.create(addr_str, sheet=self.cell.address.sheet, cell=self.cell)
        if isinstance(address, AddressMultiAreaRange):
            return ", ".join(range_emit(self, value=str(a)) for a in address)
        return f"{'_R_' if address.is_range else '_C_'}({str(address)!r})"

    def func_indirect(self):
        to_emit = [c.emit for c in self.children]
        if len(to_emit) == 1:
            to_emit.append("True")
        to_emit.append(repr(str(self.cell.sheet)))
        return f"indirect({', '.join(to_emit)})"

    def needed_addresses(self):
        if self._needed_addresses is None:
            if self.python_code:
                code = iter((self.python_code.encode(),))
                tokens = tuple(tk.tokenize(lambda: next(code)))
                addrs = []
                for i, t in enumerate(tokens):
                    if t.type == tk.NAME and t.string in ADDR_FUNCS_NAMES and i + 3 < len(tokens) and (
                            tokens[i + 1].string == "(" and tokens[i + 3].string == ")") \
                            and tokens[i + 2].type == tk.STRING:
                        addrs.append(AddressRange(ast.literal_eval(tokens[i + 2].string)))
                self._needed_addresses = uniqueify(addrs)
            else:
                self._needed_addresses = ()
        return self._needed_addresses

    original_compile = ef.ExcelFormula._compile_python_ast

    def compile_checked(self):
        check_python(f"lambdas.append(lambda: {self.python_code})")
        return original_compile(self)

    original_load = ef.load_functions

    def load_functions(names, name_space, modules):
        name_space["__builtins__"] = {}            # the lambda sees only what pycel puts in its namespace
        name_space["str"] = str
        return original_load(names, name_space, modules)

    from pycel import excelwrapper as ew
    original_to_formula = ew._OpxRange.cell_to_formula.__func__

    def cell_to_formula(cls, cell):
        # pycel takes any text starting with "=" for a formula; only openpyxl formula cells (already
        # checked by rewrite) are formulas: a text cell "=EVAL(...)" stays text
        if getattr(cell, "data_type", "f") != "f":
            return ""
        return original_to_formula(cls, cell)

    ew._OpxRange.cell_to_formula = classmethod(cell_to_formula)
    # pycel takes any range as tall or as wide as the grid for "unbounded" (A:A) and bounds it to the
    # sheet through itself, which recurses without end when the data reach row 1,048,576 or column
    # XFD; rewrite() always writes explicit bounds, so only a range without row or column is unbounded
    def is_unbounded_range(self):
        return 0 in (self.start.row, self.end.row, self.start.col_idx, self.end.col_idx)

    AddressRange.is_unbounded_range = property(is_unbounded_range)
    ef.OperandNode.emit = property(operand_emit)
    ef.RangeNode.emit = property(lambda self: range_emit(self))
    ef.RangeNode._emit = range_emit
    ef.FunctionNode.func_indirect = func_indirect
    ef.ExcelFormula.needed_addresses = property(needed_addresses)
    ef.ExcelFormula._compile_python_ast = compile_checked
    ef.load_functions = load_functions
    _HARDENED = True
