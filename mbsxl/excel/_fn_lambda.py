"""LAMBDA, LET and the LAMBDA helper functions (MAP, REDUCE, SCAN, MAKEARRAY, BYROW, BYCOL) for the
headless engine (issue 21), following Microsoft's function reference (support.microsoft.com,
"<NAME> function").

How a workbook's LAMBDA becomes code without any workbook text becoming code:

- the formula guard (:func:`mbsxl.excel.formula_guard.rewrite`) accepts a parameter ``_xlpm.x`` only as
  a name (:func:`guard_operand`), an eta-reduced function ``_xleta.SUM`` only for a function the guard
  allows anyway, and rewrites a call of a LAMBDA (``LAMBDA(x,x+1)(2)``, or a defined name holding a
  LAMBDA, ``MYLAMBDA(2)``) into the engine-internal ``MBSXL_CALL(LAMBDA(...),2)``, which a workbook
  cannot write itself.  A defined LAMBDA that calls itself is refused (recursion; Excel allows it, this
  engine does not) -- any other nesting is bounded by ``--max-name-depth``;
- pycel emits ``LAMBDA(_xlpm.x, body)`` as ``x_lambda(lambda _xlpm_x: <body>)`` and ``LET(_xlpm.x, v,
  body)`` as ``x_let(v, lambda _xlpm_x: <body>)`` (:func:`install_emitters`), where ``<body>`` is
  pycel's own emission of the body;
- the generated-code check (:func:`mbsxl.excel._codecheck.check_python`) accepts a Python ``lambda``
  only as an argument of ``x_lambda``/``x_let``, with plain positional parameters named ``_xlpm_...``,
  its body checked by the same rules as the rest, and a parameter never called;
- at run time a LAMBDA is an :class:`XlLambda` value, which only these functions call.

Sizes are bounded: MAKEARRAY refuses a result over ``--max-array-cells`` before computing anything.

>>> f = XlLambda(lambda a: a * 2)
>>> map_(((1, 2),), f), byrow(((1, 2), (3, 4)), XlLambda(lambda r: r[0][0] + r[0][1]))
(((2, 4),), ((3,), (7,)))
>>> scan(0, ((1, 2, 3),), XlLambda(lambda a, b: a + b)), reduce_(0, ((1, 2, 3),), XlLambda(lambda a, b: a + b))
(((1, 3, 6),), 6)
"""
from __future__ import annotations

import re

from .errors import CalcError
from ._fn_text365 import _grid

# pycel's error values (pycel.excelutil.ERROR_CODES; not imported here so that the formula guard loads
# without pycel)
from ._guard_base import ERROR_CODES, LAMBDA_TAKERS, PARAM_PY, Refused  # noqa: F401 - shared with the check
from ._guard_base import LAMBDA_CALL as CALL, LAMBDA_EXCEL_NAMES as EXCEL_NAMES
from ._guard_base import LAMBDA_PYTHON_NAMES as PYTHON_NAMES, MAX_CELLS as _MAX_CELLS
VALUE_ERROR = "#VALUE!"

#: Excel functions (lower case) that take a LAMBDA value as an argument (GROUPBY and PIVOTBY: their
#: ``function`` argument, ``_xleta.SUM``); elsewhere a LAMBDA value is refused
LAMBDA_CALLERS = frozenset({"map", "reduce", "scan", "makearray", "byrow", "bycol", "mbsxl_call", "let",
                            "groupby", "pivotby"})
_PARAM = re.compile(r"^_xlpm\.([A-Za-z_\\][A-Za-z0-9_.]*)$", re.I)
_ETA = re.compile(r"^_xleta\.([A-Za-z][A-Za-z0-9_.]*)$", re.I)



def set_limits(limits) -> None:
    """Bound array results by the run's ``--max-array-cells``."""
    _MAX_CELLS[0] = int(getattr(limits, "max_array_cells", 2_000_000))


def python_param(name: str) -> str:
    """``x`` -> ``_xlpm_x``: Excel names are case-insensitive; any character but a-z, 0-9 is written as
    ``_<hex>_`` so that two different names never meet (``a.b`` -> ``_xlpm_a_2e_b``)."""
    return "_xlpm_" + "".join(c if (c.isascii() and c.isalnum()) else f"_{ord(c):x}_" for c in name.lower())


# ------------------------------------------------------------------------------ formula guard
def guard_operand(value: str, check_function):
    """The checked text of a LAMBDA parameter or eta-reduced function operand, or None for any other
    operand.  ``check_function(upper_name)`` raises the guard's refusal for a function it does not allow."""
    if not value[:1] == "_" or "." not in value:
        return None
    m = _PARAM.match(value)
    if m:
        return f"_xlpm.{m.group(1).lower()}"
    m = _ETA.match(value)
    if m:
        up = m.group(1).upper()
        for p in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
            if up.startswith(p):
                up = up[len(p):]
        from pycel.excelformula import FunctionNode
        from ._allowlist import python_name
        if up in EXCEL_NAMES or hasattr(FunctionNode, f"func_{python_name(up)}") or \
                hasattr(FunctionNode, f"func_{up.lower().replace('.', '_')}"):
                    raise Refused("#NAME?", f"unsupported: {up} given as a function value (_xleta.{up})")
        check_function(up)
        return f"_xleta.{up}"
    return None


def immediate_calls(tokens) -> tuple[dict, dict]:
    """``(prefix, replace)`` for the guard: each ``LAMBDA(...)(args)`` becomes
    ``MBSXL_CALL(LAMBDA(...),args)`` (``prefix[k]`` goes before the LAMBDA's opening token, ``replace[k]``
    stands for a token of the argument parentheses)."""
    from openpyxl.formula.tokenizer import Token
    prefix, replace = {}, {}
    opens = []
    match = {}
    for i, t in enumerate(tokens):
        if t.subtype == Token.OPEN:
            opens.append(i)
        elif t.subtype == Token.CLOSE and opens:
            match[opens.pop()] = i
    for k, t in enumerate(tokens):
        if t.type != Token.FUNC or t.subtype != Token.OPEN:
            continue
        name = t.value[:-1].upper().rpartition(":")[2]
        for p in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
            if name.startswith(p):
                name = name[len(p):]
        j = match.get(k)
        if name != "LAMBDA" or j is None or j + 1 >= len(tokens):
            continue
        nxt = tokens[j + 1]
        if nxt.type == Token.PAREN and nxt.subtype == Token.OPEN and (j + 1) in match:
            m = match[j + 1]
            prefix[k] = f"{CALL}("
            replace[j + 1] = "" if m == j + 2 else ","
            replace[m] = ")"
    return prefix, replace


def check_scopes(tokens) -> None:
    """Refuse (#NAME?, as Excel) a ``_xlpm.`` name used where no enclosing LAMBDA or LET declared it
    before: a LAMBDA declares each argument but the last, a LET each argument at an even position
    followed by another, when the argument is the name alone."""
    from openpyxl.formula.tokenizer import Token
    frames = []                       # [kind, argument index, [token indices of the argument], declared {name: index}]
    uses = []                         # (token index, name, frames open at that point)
    declared_at: dict = {}            # token index -> declared

    def close_argument(frame, at, last=False):
        kind, idx, arg, decl = frame
        if kind == "LET" and idx % 2 == 1:          # a LET name is seen from after its value on
            for k, v in decl.items():
                if v == -1:
                    decl[k] = at
        if len(arg) == 1 and not last:
            t = tokens[arg[0]]
            m = _PARAM.match(t.value) if t.type == Token.OPERAND else None
            if m and (kind == "LAMBDA" or (kind == "LET" and idx % 2 == 0)):
                decl[m.group(1).lower()] = arg[0] if kind == "LAMBDA" else -1
                declared_at[arg[0]] = True
    for i, t in enumerate(tokens):
        if frames and not (t.type == Token.SEP and t.value == "," and frames[-1][0] is not None
                           ) and not (t.subtype == Token.CLOSE and len(frames) >= 1):
            frames[-1][2].append(i)
        if t.subtype == Token.OPEN:
            kind = None
            if t.type == Token.FUNC:
                name = t.value[:-1].upper().rpartition(":")[2]
                for p in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
                    if name.startswith(p):
                        name = name[len(p):]
                kind = name if name in ("LAMBDA", "LET") else ""
            frames.append([kind, 0, [], {}])
        elif t.subtype == Token.CLOSE and frames:
            frame = frames.pop()
            close_argument(frame, i, last=True)
        elif t.type == Token.SEP and t.value == "," and frames and frames[-1][0] is not None:
            close_argument(frames[-1], i)
            frames[-1][1] += 1
            frames[-1][2] = []
        elif t.type == Token.OPERAND and t.subtype == Token.RANGE:
            m = _PARAM.match(t.value)
            if m:
                uses.append((i, m.group(1).lower(), list(frames)))
    for i, name, open_frames in uses:
        if i in declared_at:
            continue
        if not any(name in f[3] and 0 <= f[3][name] < i for f in open_frames):
                    raise Refused("#NAME?", f"the name {name!r} (_xlpm.{name}) is not a parameter of an enclosing LAMBDA "
                                    "or a name of an enclosing LET")


def named_lambda(name: str, sheet: str, book) -> bool:
    """Whether ``name`` is a defined name of the workbook holding a LAMBDA."""
    text = book.names.get((sheet.lower(), name.lower()))
    if text is None:
        text = book.names.get((None, name.lower()))
    if not isinstance(text, str):
        return False
    t = text.lstrip("=").lstrip().upper()
    for p in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if t.startswith(p):
            t = t[len(p):]
    return t.startswith("LAMBDA(")


def named_call(name: str, sheet: str, book, depth: int, reference, empty: bool) -> str:
    """The guard's text for a call of the defined LAMBDA ``name``: ``MBSXL_CALL((LAMBDA(...)),``.  A
    LAMBDA that calls itself (directly or through others) is refused: recursion is not supported."""
    stack = book.__dict__.setdefault("_lambda_stack", [])
    if name.lower() in stack:
        chain = " -> ".join(stack[stack.index(name.lower()):] + [name.lower()])
        raise Refused("#NAME?", f"unsupported: the LAMBDA named {name!r} calls itself ({chain}); recursive "
                                "LAMBDA functions are not evaluated by this engine")
    stack.append(name.lower())
    try:
        inner = reference(name, sheet, book, depth)
    finally:
        stack.pop()
    return f"{CALL}({inner}{'' if empty else ','}"


# ------------------------------------------------------------------------------ pycel emission
def install_emitters(ef) -> None:
    """Teach pycel's emitter LAMBDA, LET, ``_xlpm.`` parameters and ``_xleta.`` function values."""
    FunctionNode, RangeNode = ef.FunctionNode, ef.RangeNode
    if getattr(FunctionNode, "_mbsxl_lambda", False):
        return
    from ._allowlist import python_name

    def params(nodes):
        out = []
        for n in nodes:
            m = _PARAM.match(str(n.value)) if isinstance(n, RangeNode) else None
            if not m:
                raise ef.FormulaParserError(f"a LAMBDA or LET name must be a name, not {str(n.value)[:40]!r}")
            out.append(python_param(m.group(1)))
        if len(set(out)) != len(out):
            raise ef.FormulaParserError("a LAMBDA or LET name is given twice")
        return out

    def wrapper(node):
        """``x_lambda`` where the LAMBDA value goes to a function that calls it, ``x_uncalled`` for a
        LAMBDA that is the whole formula (Excel: #CALC!); elsewhere (``TYPE(_xleta.SUM)``, ``1+LAMBDA(..)``)
        the formula is refused."""
        parent = node.parent
        if parent is None:
            return "x_uncalled"
        name = str(parent.value).lower().rstrip("(").rpartition(".")[2]
        if isinstance(parent, FunctionNode) and name in LAMBDA_CALLERS:
            return "x_lambda"
        raise ef.FormulaParserError(f"unsupported: a LAMBDA value given to {name.upper() or 'an operator'}, "
                                    "which does not call it")

    def func_lambda(self):
        kids = self.children
        if not kids:
            raise ef.FormulaParserError("LAMBDA needs a calculation")
        names = params(kids[:-1])
        return f"{wrapper(self)}(lambda {', '.join(names)}: {kids[-1].emit})"

    def func_let(self):
        kids = self.children
        if len(kids) < 3 or len(kids) % 2 == 0:
            raise ef.FormulaParserError("LET needs name, value pairs and a calculation")
        names = params(kids[:-1:2])
        code = kids[-1].emit
        for name, value in reversed(list(zip(names, kids[1:-1:2]))):
            code = f"x_let({value.emit}, lambda {name}: {code})"
        return code

    original = RangeNode.emit

    def emit(self):
        value = str(self.value)
        if value[:1] == "_":
            m = _PARAM.match(value)
            if m:
                return python_param(m.group(1))
            m = _ETA.match(value)
            if m:
                fn = wrapper(self)
                return f"x_eta({python_name(m.group(1))})" if fn == "x_lambda" else "x_uncalled(lambda: 0)"
        return original.fget(self)

    original_function = FunctionNode.emit

    def _is_lambda_node(node):
        if isinstance(node, RangeNode):
            return bool(_ETA.match(str(node.value)))
        return isinstance(node, FunctionNode) and str(node.value).lower().rstrip("(").rpartition(".")[2] == "lambda"

    from ._fn_text365 import EXCEL_NAMES as TEXT_NAMES, OMITTED
    omits = {n.lower() for n in TEXT_NAMES}

    def function_emit(self):
        name = str(self.value).lower().rstrip("(").rpartition(".")[2]
        # pycel looks a function's emitter up as ``func_<name>``: for MAP that is its dict ``func_map``
        if name == "map":
            return f"map_({self.comma_join_emit()})"
        if name == "type" and len(self.children) == 1 and _is_lambda_node(self.children[0]):
            return "128"                # TYPE of a LAMBDA value: "compound data" (formulas test.xlsx INFORMATION!S24)
        if name in omits:               # an omitted argument is told from an empty cell
            args = ", ".join(repr(OMITTED) if (type(n) is ef.OperandNode and n.subtype == n.token.EMPTY)
                             else n.emit for n in self.children)
            return f"{name}({args})"
        return original_function.fget(self)

    FunctionNode.emit = property(function_emit)
    FunctionNode.func_lambda = func_lambda
    FunctionNode.func_let = func_let
    RangeNode.emit = property(emit)
    FunctionNode._mbsxl_lambda = True


# ------------------------------------------------------------------------------ run time
class XlLambda:
    """A LAMBDA value: ``fn`` compiled from the checked formula (or an allowed engine function for
    ``_xleta.NAME``), called with Excel values only by the functions of this module."""

    __slots__ = ("fn", "arity")

    def __init__(self, fn, arity=None):
        self.fn = fn
        self.arity = fn.__code__.co_argcount if arity is None and hasattr(fn, "__code__") else arity

    def __call__(self, *args):
        if self.arity is not None and len(args) != self.arity:
            return CalcError(VALUE_ERROR, f"the LAMBDA takes {self.arity} values, {len(args)} given")
        return self.fn(*args)

    def __repr__(self):
        return "#CALC!"


def x_lambda(fn):
    return XlLambda(fn)


def x_uncalled(fn):
    """A LAMBDA that is a cell's whole formula: Excel shows #CALC!."""
    return CalcError("#CALC!", "a LAMBDA that is not called")


def x_eta(f):
    """``_xleta.SUM``: the function itself as a LAMBDA value, taking any number of values."""
    return _Eta(f)


class _Eta(XlLambda):
    __slots__ = ()

    def __init__(self, f):
        self.fn, self.arity = f, None


def x_let(value, fn):
    return fn(value)


def _err(v) -> bool:
    return isinstance(v, str) and v in ERROR_CODES


def mbsxl_call(f, *args):
    """A call of a LAMBDA value (``LAMBDA(x,x+1)(2)``, ``MYLAMBDA(2)``)."""
    if not isinstance(f, XlLambda):
        return f if _err(f) else CalcError(VALUE_ERROR, "not a LAMBDA")
    return _single(f(*args), allow_array=True)




def _single(v, allow_array=False):
    """A LAMBDA's result: a single value (a 1x1 array unwrapped); an array where one value is needed
    is Excel's #CALC! (nested arrays)."""
    if isinstance(v, tuple):
        g = _grid(v)
        if len(g) == 1 and len(g[0]) == 1:
            return g[0][0]
        if allow_array:
            return tuple(tuple(r) for r in g)
        return CalcError("#CALC!", "the LAMBDA returned an array where one value was expected (nested arrays)")
    if isinstance(v, XlLambda):
        return CalcError("#CALC!", "the LAMBDA returned a LAMBDA")
    return v


def _fn(f, name):
    if isinstance(f, XlLambda):
        return None
    if _err(f):
        return f
    return CalcError(VALUE_ERROR, f"{name}: the last argument must be a LAMBDA")


def _cap(rows, cols, name):
    n = rows * cols
    if n > _MAX_CELLS[0]:
        return CalcError("#NUM!", f"{name}: a result of {n:,} cells is refused; the limit is {_MAX_CELLS[0]:,} "
                                  "(--max-array-cells)")
    return None


def map_(*args):
    """MAP(array1, [array2, ...], lambda): the LAMBDA applied to each value (of each array, side by
    side), the result the arrays' shape."""
    if len(args) < 2:
        return CalcError(VALUE_ERROR, "MAP needs an array and a LAMBDA")
    f, arrays = args[-1], [_grid(a) for a in args[:-1]]
    bad = _fn(f, "MAP")
    if bad is not None:
        return bad
    if any(isinstance(a, XlLambda) for a in args[:-1]):
        return CalcError(VALUE_ERROR, "MAP: only the last argument may be a LAMBDA")
    shape = (len(arrays[0]), len(arrays[0][0]))
    if any((len(a), len(a[0])) != shape for a in arrays):
        return CalcError("#N/A", "unsupported: MAP of arrays of different sizes")
    if f.arity is not None and f.arity != len(arrays):
        return CalcError(VALUE_ERROR, f"MAP: the LAMBDA takes {f.arity} values for {len(arrays)} arrays")
    return tuple(tuple(_single(f(*(a[i][j] for a in arrays))) for j in range(shape[1])) for i in range(shape[0]))


def _by(array, f, name, rows: bool):
    bad = _fn(f, name)
    if bad is not None:
        return bad
    if _err(array):
        return array
    g = _grid(array)
    if f.arity is not None and f.arity != 1:
        return CalcError(VALUE_ERROR, f"{name}: the LAMBDA must take one value")
    if rows:
        return tuple((_single(f((tuple(r),))),) for r in g)
    return (tuple(_single(f(tuple((r[j],) for r in g))) for j in range(len(g[0]))),)


def byrow(array, f=None):
    """BYROW(array, lambda): the LAMBDA applied to each row (a one-row array); one value a row."""
    return _by(array, f, "BYROW", True)


def bycol(array, f=None):
    """BYCOL(array, lambda): the LAMBDA applied to each column (a one-column array); one value a column."""
    return _by(array, f, "BYCOL", False)


def _accumulate(initial, array, f, name):
    bad = _fn(f, name)
    if bad is not None:
        return bad, None
    if f.arity is not None and f.arity != 2:
        return CalcError(VALUE_ERROR, f"{name}: the LAMBDA must take two values (accumulator, value)"), None
    g = _grid(array)
    acc = initial
    steps = []
    for r in g:
        row = []
        for x in r:
            acc = _single(f(acc, x), allow_array=True)
            row.append(acc)
        steps.append(row)
    return acc, steps


def reduce_(initial_value=None, array=None, f=None):
    """REDUCE([initial_value], array, lambda(accumulator, value)): the accumulator after every value
    (row by row); an omitted initial value is empty (0)."""
    acc, steps = _accumulate(initial_value, array, f, "REDUCE")
    return acc


def scan(initial_value=None, array=None, f=None):
    """SCAN([initial_value], array, lambda(accumulator, value)): the accumulator after each value, in
    the array's shape."""
    acc, steps = _accumulate(initial_value, array, f, "SCAN")
    if steps is None:
        return acc
    return tuple(tuple(_single(v) for v in row) for row in steps)


def _count(v):
    """MAKEARRAY's rows/cols: a whole number >= 1 (TRUE is 1); anything else #VALUE!, an error itself."""
    if _err(v):
        return v
    if isinstance(v, bool):
        v = int(v)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v != int(v) or v < 1:
        return CalcError(VALUE_ERROR, f"MAKEARRAY: rows and columns must be whole numbers of 1 or more, not {v!r}")
    return int(v)


def makearray(rows, cols, f=None):
    """MAKEARRAY(rows, cols, lambda(row, col)): a rows x cols array of the LAMBDA's values (row and
    column numbered from 1).  Rows or columns given as an array give one MAKEARRAY each, of which a cell
    shows the top-left value (as Excel does)."""
    bad = _fn(f, "MAKEARRAY")
    if bad is not None:
        return bad
    if isinstance(rows, tuple) or isinstance(cols, tuple):
        gr, gc = _grid(rows), _grid(cols)
        h, w = max(len(gr), len(gc)), max(len(gr[0]), len(gc[0]))
        big = _cap(h, w, "MAKEARRAY")
        if big is not None:
            return big

        def pick(g, i, j):
            return g[0 if len(g) == 1 else i][0 if len(g[0]) == 1 else j] if (
                (len(g) == 1 or i < len(g)) and (len(g[0]) == 1 or j < len(g[0]))) else CalcError("#N/A", "")

        out = []
        for i in range(h):
            row = []
            for j in range(w):
                # each cell shows its MAKEARRAY's top-left value: checked like a whole one, built as 1 x 1
                r, c = _count(pick(gr, i, j)), _count(pick(gc, i, j))
                v = r if isinstance(r, str) else c if isinstance(c, str) else \
                    (_cap(r, c, "MAKEARRAY") or makearray(1, 1, f))
                row.append(_grid(v)[0][0] if isinstance(v, tuple) else v)
            out.append(tuple(row))
        return tuple(out)
    r, c = _count(rows), _count(cols)
    if isinstance(r, str):
        return r
    if isinstance(c, str):
        return c
    big = _cap(r, c, "MAKEARRAY")
    if big is not None:
        return big
    if f.arity is not None and f.arity != 2:
        return CalcError(VALUE_ERROR, "MAKEARRAY: the LAMBDA must take two values (row, column)")
    return tuple(tuple(_single(f(i, j)) for j in range(1, c + 1)) for i in range(1, r + 1))


FUNCTIONS = {"x_lambda": x_lambda, "x_let": x_let, "x_eta": x_eta, "x_uncalled": x_uncalled,
             "mbsxl_call": mbsxl_call, "map_": map_, "reduce": reduce_, "scan": scan, "makearray": makearray,
             "byrow": byrow, "bycol": bycol}


def install(mod) -> None:
    """Put these functions into the pycel plug-in module."""
    for name, f in FUNCTIONS.items():
        setattr(mod, name, f)
