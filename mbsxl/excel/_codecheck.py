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
    from ._guard_base import LAMBDA_TAKERS, PARAM_PY
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


def _shape(code: str, cell, funcs, spans=None):
    """``(key, spans, marks)`` of generated code (None without a cell or address): the key is the code
    with each address literal replaced by a placeholder numbering the distinct addresses
    (``marks[k]``), so that an address repeated in the formula gets the same placeholder.  The compiled
    code does not depend on the addresses at all (they are constants put in afterwards), so formulas
    whose absolute references differ (``=$B$4+F26`` down a column, ``INDEX('S'!$A$5:$V$353,...)``
    over other ranges) share one compilation; the key used to be the offsets from the cell, which an
    absolute reference changes from row to row (issue 21)."""
    addr = getattr(cell, "address", None)
    row, col = getattr(addr, "row", None), getattr(addr, "col_idx", None)
    if not row or not col:
        return None
    if spans is None:
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
        mark = seen.setdefault(rel, len(seen))
        marks.append(mark)
        parts.append(code[pos:start])
        parts.append(f"\x00{mark}\x00")
        pos = end
    parts.append(code[pos:])
    return "".join(parts), spans, marks


_EXCEL_SCAN = re.compile(r"""("(?:[^"]|"")*")|('(?:[^']|'')*')|(?<![\w.$])(\$?[A-Za-z]{1,3}\$?\d{1,7})(?![\w(!.])"""
                         r"""|[A-Za-z_\\][\w.]*|[^"'A-Za-z_\\]+|.""", re.S)
_CODE_SHAPES: dict = {}
_NO_SHAPE = ("no shape",)      # a formula whose generated addresses are not each one of its references


def _formula_shape(formula: str, addr):
    """``(key, refs)``: the key is the sheet of ``addr`` and the formula (as rewritten by the guard) with
    each cell reference replaced by the number of its first occurrence (``=B4+F26`` and ``=B4+F27``,
    ``=$B$4+F26`` and ``=$B$4+F27`` alike: two distinct references); ``refs`` are the references in
    order (upper case, without ``$``).  Two cells with the same key generate the same code but for the
    address literals, each of which is one of the references (or two joined by ``:``), see
    :func:`_token_slots`.  ``(None, None)`` for structured table references (``Table[Col]`` resolves to
    absolute addresses) or a cell without an address."""
    if "[" in formula or not getattr(addr, "row", None) or not getattr(addr, "col_idx", None):
        return None, None
    parts, refs, seen = [], [], {}
    for m in _EXCEL_SCAN.finditer(formula):
        if m.group(3):
            ref = m.group(3).replace("$", "").upper()
            refs.append(ref)
            parts.append(f"\x00{seen.setdefault(ref, len(seen))}\x00")
        else:
            parts.append(m.group(0))
    return (getattr(addr, "sheet", ""), "".join(parts)), refs


def _formula_key(formula: str, addr):
    """The key of :func:`_formula_shape` (None for structured references)."""
    return _formula_shape(formula, addr)[0]


def _token_slots(code: str, refs, funcs):
    """``(spans, slots)``: for each address literal of ``code`` (see :func:`_address_literals`), its sheet
    prefix and the index of the reference it is (``(prefix, i, None)``) or of the two references it
    joins (``(prefix, i, j)`` for ``A1:B5``); ``slots`` is None when a literal is neither (an address
    the engine computed: no shape)."""
    index: dict = {}
    for i, ref in enumerate(refs):
        index.setdefault(ref, i)
    spans = _address_literals(code, funcs)
    slots = []
    for _, _, lit in spans:
        prefix, bang, coord = lit.rpartition("!")
        prefix += bang
        coord = coord.upper()
        if coord in index:
            slots.append((prefix, index[coord], None))
            continue
        a, colon, b = coord.partition(":")
        if colon and a in index and b in index:
            slots.append((prefix, index[a], index[b]))
            continue
        return spans, None
    return spans, slots


def _from_slots(template, refs):
    """The cached code of a formula shape with the references ``refs`` of another cell of that shape."""
    code, spans, slots = template[:3]
    return _fill(code, spans, [repr(f"{p}{refs[i]}" if j is None else f"{p}{refs[i]}:{refs[j]}")
                               for p, i, j in slots])


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
            code = self.python_code
            if code:
                spans = _address_literals(code, ADDR_FUNCS_NAMES)
                self._mbsxl_spans = (code, spans)          # compile_checked's scan of this same code
                self._needed_addresses = uniqueify([AddressRange(lit) for _, _, lit in spans])
            else:
                self._needed_addresses = ()
        return self._needed_addresses

    original_python_code = ef.ExcelFormula.python_code

    def python_code(self):
        # a formula whose shape was generated before gets that code with its own addresses: no
        # tokenizing, parsing or emitting again (copied-down formulas)
        # a shape's first reuse is generated afresh too and compared; a shape whose reuse differs is
        # never used again
        if self._python_code is None:
            addr = getattr(self.cell, "address", None)
            key, refs = _formula_shape(self.base_formula, addr) if (addr is not None and self.base_formula) \
                else (None, None)
            hit = _CODE_SHAPES.get(key) if key is not None else None
            if hit is not None and hit is not _NO_SHAPE:
                code = _from_slots(hit, refs)
                if hit[3]["checked"]:
                    self._python_code = code
                    return code
                fresh = original_python_code.fget(self)
                if code == fresh:
                    hit[3]["checked"] = True
                else:
                    _CODE_SHAPES[key] = _NO_SHAPE
                return self._python_code
            code = original_python_code.fget(self)
            if key is not None and code and hit is None:
                spans, slots = _token_slots(code, refs, ADDR_FUNCS_NAMES)
                _CODE_SHAPES[key] = _NO_SHAPE if slots is None else (code, spans, slots, {"checked": False})
                if len(_CODE_SHAPES) > 100_000:
                    _CODE_SHAPES.clear()
        return self._python_code

    ef.ExcelFormula.python_code = property(python_code)
    original_compile = ef.ExcelFormula._compile_python_ast

    def compile_checked(self):
        code = self.python_code
        scanned = getattr(self, "_mbsxl_spans", None)    # the literals of this very string, if scanned
        shape = _shape(code, getattr(self, "cell", None), ADDR_FUNCS_NAMES,
                       scanned[1] if scanned is not None and scanned[0] is code else None)
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
