"""Guards 2 and 3 of :mod:`mbsxl.excel.formula_guard`, on the Python pycel generates: how pycel emits
literals and references (:func:`harden_pycel`: only through :func:`repr`) and the shape of the code
it compiles (:func:`check_python`), which runs with an empty ``__builtins__``.  Re-exported by
:mod:`mbsxl.excel.formula_guard`; the pycel internals these patch are listed in
:mod:`mbsxl.excel._pycel_plugin`."""
from __future__ import annotations

import ast
import re

from ._allowlist import NUMBER_RE as _NUMBER_RE
from ._allowlist import _PythonNames



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
    for node, bound in _scoped_walk(lam.body):
        if not isinstance(node, _NODES):
            raise UnsafeCode(f"generated code holds a {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id not in names and node.id not in bound:
            raise UnsafeCode(f"generated code names {node.id[:40]!r}, which is not an engine function")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords
                                           or node.func.id in bound):
            raise UnsafeCode("generated code calls something other than an engine function")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise UnsafeCode(f"generated code holds a {type(node.value).__name__} constant")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool) \
                and isinstance(node.value, int) and node.value.bit_length() > 4096:
            raise UnsafeCode("generated code holds an oversized integer")
    return tree


def _scoped_walk(root):
    """Every node under ``root`` with the LAMBDA/LET parameter names in scope there.  A Python ``lambda``
    (a workbook's LAMBDA or LET, :mod:`mbsxl.excel._fn_lambda`) is accepted only as an argument of
    ``x_lambda``/``x_let``/``x_uncalled``, with plain positional parameters named ``_xlpm_...``; its body
    is walked (and so checked) like the rest, with its parameters bound."""
    from ._fn_lambda import LAMBDA_TAKERS, PARAM_PY
    stack = [(root, frozenset(), None)]
    while stack:
        node, bound, parent = stack.pop()
        if isinstance(node, ast.Lambda):
            a = node.args
            if not (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)
                    and parent.func.id in LAMBDA_TAKERS and node in parent.args):
                raise UnsafeCode("generated code holds a lambda outside a LAMBDA or LET")
            if a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg or a.defaults or a.kw_defaults \
                    or any(not PARAM_PY.match(p.arg) or p.annotation is not None for p in a.args):
                raise UnsafeCode("generated code holds a lambda with other than LAMBDA parameters")
            stack.append((node.body, bound | {p.arg for p in a.args}, node))
            continue
        yield node, bound
        for child in ast.iter_child_nodes(node):
            stack.append((child, bound, node))


# ------------------------------------------------------------------------------- compiled shapes
# A formula copied down a column compiles to the same Python except for its addresses: each formula's
# generated code is keyed by its shape (every address literal given relative to the formula's cell),
# the shape is checked and compiled once with placeholder strings, and each cell gets the compiled
# code with its own addresses put into the constants (``CodeType.replace``), ~100x cheaper than
# parsing, checking and compiling again (issue 21: 0.5-0.8 ms a formula, 59 % of a 10k-row tape).
_LITERAL = "'(?:[^'\\\\\\n]|\\\\.)*'|\"(?:[^\"\\\\\\n]|\\\\.)*\""
_SCAN = re.compile(rf"(?P<call>\b(?P<fn>[A-Za-z_]\w*)\((?P<lit>{_LITERAL})\))|{_LITERAL}|\w+|[^'\"\w]+|.",
                   re.S)
_COORD = re.compile(r"^(.*!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$", re.S)
_PLACEHOLDER = "\x00mbsxl-address-%d\x00"
_COMPILED: dict = {}


def _unquote(lit: str) -> str:
    return lit[1:-1] if "\\" not in lit else ast.literal_eval(lit)


def _address_literals(code: str, funcs) -> list[tuple[int, int, str]]:
    """``(start, end, address)`` of every string literal that is the sole argument of one of ``funcs``
    (``_C_('S!A1')``), in one left-to-right scan that steps over other string literals whole (so text
    that looks like a call inside a literal is never taken for one)."""
    out = []
    for m in _SCAN.finditer(code):
        if m.group("call") and m.group("fn") in funcs:
            out.append((m.start("lit"), m.end("lit"), _unquote(m.group("lit"))))
    return out


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _shape(code: str, cell, funcs):
    """``(key, spans, marks)`` of generated code relative to ``cell`` (None without a cell or address):
    the key is the code with each address literal replaced by its sheet and its offsets from the cell
    (an address that is not a plain cell or area stays as it is); ``marks[k]`` numbers the distinct
    addresses so that an address repeated in the formula gets the same placeholder."""
    addr = getattr(cell, "address", None)
    row, col = getattr(addr, "row", None), getattr(addr, "col_idx", None)
    if not row or not col:
        return None
    spans = _address_literals(code, funcs)
    if not spans:
        return None
    parts, pos, marks, seen = [], 0, [], {}
    for start, end, lit in spans:
        m = _COORD.match(lit)
        if m:
            rel = (m.group(1) or "", _col(m.group(2)) - col, int(m.group(3)) - row,
                   _col(m.group(4)) - col if m.group(4) else None, int(m.group(5)) - row if m.group(5) else None)
        else:
            rel = ("=", lit)
        marks.append(seen.setdefault(rel, len(seen)))
        parts.append(code[pos:start])
        parts.append(f"\x00{rel!r}\x00")
        pos = end
    parts.append(code[pos:])
    return "".join(parts), spans, marks


_EXCEL_SCAN = re.compile(r"""("(?:[^"]|"")*")|('(?:[^']|'')*')|(?<![\w.$])\$?([A-Za-z]{1,3})\$?(\d{1,7})(?![\w(!.])"""
                         r"""|[A-Za-z_\\][\w.]*|[^"'A-Za-z_\\]+|.""", re.S)
_CODE_SHAPES: dict = {}


def _formula_key(formula: str, addr):
    """The formula (as rewritten by the guard) with every cell reference made relative to ``addr``, with
    ``addr``'s sheet: two cells with the same key compile to the same code but for their addresses.
    None for structured table references (``Table[Col]`` resolves to absolute addresses)."""
    if "[" in formula:
        return None
    row, col = getattr(addr, "row", None), getattr(addr, "col_idx", None)
    if not row or not col:
        return None
    parts = []
    for m in _EXCEL_SCAN.finditer(formula):
        if m.group(3):
            parts.append(f"\x00{_col(m.group(3).upper()) - col},{int(m.group(4)) - row}\x00")
        else:
            parts.append(m.group(0))
    return getattr(addr, "sheet", ""), "".join(parts)


def _relative(code: str, addr, funcs):
    """(spans, rels) of the address literals of ``code``, each relative to ``addr`` (see :func:`_shape`)."""
    row, col = addr.row, addr.col_idx
    spans = _address_literals(code, funcs)
    rels = []
    for start, end, lit in spans:
        m = _COORD.match(lit)
        rels.append((m.group(1) or "", _col(m.group(2)) - col, int(m.group(3)) - row,
                     _col(m.group(4)) - col if m.group(4) else None, int(m.group(5)) - row if m.group(5) else None)
                    if m else ("=", lit))
    return spans, rels


def _letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _translated(template, addr):
    """The cached code of a formula shape with the addresses of the cell at ``addr``, or None."""
    code, spans, rels = template
    row, col = addr.row, addr.col_idx
    texts = []
    for rel in rels:
        if rel[0] == "=":
            texts.append(repr(rel[1]))
            continue
        sheet, dc, dr, dc2, dr2 = rel
        c, r = col + dc, row + dr
        if c < 1 or r < 1 or c > 16_384 or r > 1_048_576:
            return None
        text = f"{sheet}{_letters(c)}{r}"
        if dc2 is not None:
            c2, r2 = col + dc2, row + dr2
            if c2 < 1 or r2 < 1 or c2 > 16_384 or r2 > 1_048_576:
                return None
            text += f":{_letters(c2)}{r2}"
        texts.append(repr(text))
    return _fill(code, spans, texts)


def _fill(code: str, spans, texts) -> str:
    parts, pos = [], 0
    for (start, end, _), text in zip(spans, texts):
        parts.append(code[pos:start])
        parts.append(text)
        pos = end
    parts.append(code[pos:])
    return "".join(parts)


def _with_consts(code, mapping):
    """``code`` (and the code objects nested in it) with the string constants of ``mapping`` replaced."""
    import types
    consts = tuple(mapping.get(c, c) if type(c) is str else
                   (_with_consts(c, mapping) if isinstance(c, types.CodeType) else c) for c in code.co_consts)
    return code.replace(co_consts=consts)


# ------------------------------------------------------------------------------- pycel hardening
def _resolving_refs(f, name_space):
    """``f`` given the values of any reference argument: OFFSET and INDIRECT return references, which
    pycel resolves only for the functions it declares with ``excel_helper``; SUM, MBS_ functions and the
    ``formulas`` adapters would otherwise get the reference object (``SUM(OFFSET(A1:B2,1,0,2,1))`` was 0)."""
    import functools
    from pycel.excelutil import AddressCell, AddressRange

    @functools.wraps(f)
    def g(*args):
        if any(isinstance(a, (AddressRange, AddressCell)) for a in args):
            args = tuple(name_space["_C_"](a.address) if isinstance(a, AddressCell)
                         else name_space["_R_"](a.address) if isinstance(a, AddressRange) else a for a in args)
        return f(*args)
    g._mbsxl_refs = True
    return g


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
    from pycel.lib.function_helpers import FUNC_META

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
                self._needed_addresses = uniqueify([AddressRange(lit) for _, _, lit in _address_literals(
                    self.python_code, ADDR_FUNCS_NAMES)])
            else:
                self._needed_addresses = ()
        return self._needed_addresses

    original_python_code = ef.ExcelFormula.python_code

    def python_code(self):
        # a formula whose shape was generated before gets that code with its own addresses: no
        # tokenizing, parsing or emitting again (copied-down formulas)
        if self._python_code is None:
            addr = getattr(self.cell, "address", None)
            key = _formula_key(self.base_formula, addr) if (addr is not None and self.base_formula) else None
            hit = _CODE_SHAPES.get(key) if key is not None else None
            code = _translated(hit, addr) if hit is not None else None
            if code is not None:
                self._python_code = code
                return code
            code = original_python_code.fget(self)
            if key is not None and code:
                spans, rels = _relative(code, addr, ADDR_FUNCS_NAMES)
                _CODE_SHAPES[key] = (code, spans, rels)
                if len(_CODE_SHAPES) > 100_000:
                    _CODE_SHAPES.clear()
        return self._python_code

    ef.ExcelFormula.python_code = property(python_code)
    original_compile = ef.ExcelFormula._compile_python_ast

    def compile_checked(self):
        code = self.python_code
        shape = _shape(code, getattr(self, "cell", None), ADDR_FUNCS_NAMES)
        hit = _COMPILED.get(shape[0]) if shape else None
        if hit is None:
            template = code
            if shape:                              # compile the shape once, with placeholder addresses
                key, spans, marks = shape
                template = _fill(code, spans, [repr(_PLACEHOLDER % marks[k]) for k in range(len(spans))])
            check_python(f"lambdas.append(lambda: {template})")
            self._python_code = template
            try:
                original_compile(self)
            finally:
                self._python_code = code
            if not shape:
                return None
            hit = _COMPILED[key] = self._compiled_python
            if len(_COMPILED) > 100_000:
                _COMPILED.clear()
        key, spans, marks = shape
        compiled, names = hit
        mapping = {_PLACEHOLDER % marks[k]: lit for k, (_, _, lit) in enumerate(spans)}
        self._compiled_python = _with_consts(compiled, mapping), names
        self._marshalled_python = None
        return None

    original_load = ef.load_functions

    def load_functions(names, name_space, modules):
        name_space["__builtins__"] = {}            # the lambda sees only what pycel puts in its namespace
        name_space["str"] = str
        missing = original_load(names, name_space, modules)
        for name in names:
            f = name_space.get(name)
            if callable(f) and not hasattr(f, FUNC_META) and not getattr(f, "_mbsxl_refs", False) \
                    and name not in ADDR_FUNCS_NAMES:
                name_space[name] = _resolving_refs(f, name_space)
        return missing

    from pycel import excelwrapper as ew
    original_to_formula = ew._OpxRange.cell_to_formula.__func__

    def cell_to_formula(cls, cell):
        # pycel takes any text starting with "=" for a formula; only openpyxl formula cells (already
        # checked by rewrite) are formulas: a text cell "=EVAL(...)" stays text
        if getattr(cell, "data_type", "f") != "f":
            return ""
        return original_to_formula(cls, cell)

    ew._OpxRange.cell_to_formula = classmethod(cell_to_formula)
    original_range_new = ew._OpxRange.__new__

    def opx_range_new(cls, cells, cells_dataonly, address):
        # pycel takes a range whose first cell's value starts with "=CSE_INDEX" for its own encoding
        # of an array formula and compiles the text inside, whatever the cell's type: a text cell
        # "=CSE_INDEX(...)" must stay text (only openpyxl formula cells are formulas)
        first = cells[0][0].value if cells and cells[0] else None
        if isinstance(first, str) and first.startswith(ew.ARRAY_FORMULA_NAME) and any(
                getattr(c, "data_type", "f") != "f" for row in cells for c in row):
            formula = tuple(tuple(cls.cell_to_formula(c) for c in row) for row in cells)
            values = tuple(tuple(c.value for c in row) for row in cells_dataonly)
            return ew.ExcelWrapper.RangeData.__new__(cls, address, formula, values)
        return original_range_new(cls, cells, cells_dataonly, address)

    ew._OpxRange.__new__ = staticmethod(opx_range_new)
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
    from ._fn_lambda import install_emitters
    install_emitters(ef)                           # LAMBDA/LET parameters and _xleta. functions
    _HARDENED = True
