"""Edge cases where the engine gave a value Excel does not (issue 21, s7-edges); each hook is small and
installed once.

- **Criteria against logicals** (SUMIF(S), COUNTIF(S), AVERAGEIF(S)): Excel matches TRUE/FALSE cells
  only against a logical criterion (``TRUE``, ``"<>TRUE"``...); a numeric or text criterion (``1``,
  ``">0"``, ``"1"``) never matches a logical, except ``"<>..."``, which every cell not equal matches.
  pycel's ``criteria_parser`` compared ``TRUE == 1``.  :func:`install_criteria` wraps it; the numeric fast
  path of :mod:`mbsxl.excel._pycel_speed` treats a logical cell as not a number (see ``_NUMERIC``).
  Example: A1:A4 = TRUE, 1, 2, "x" -> ``COUNTIF(A1:A4,">0")`` = 2, ``SUMIF(A1:A4,1,B1:B4)`` = B2.
- **Text over 32,767 characters** (Excel specifications and limits: "Total number of characters that a
  cell can contain: 32,767"): ``&``, REPT, CONCAT, CONCATENATE, TEXTJOIN, SUBSTITUTE and REPLACE
  results longer than that are ``#VALUE!``; ``REPT`` with a negative count is ``#VALUE!``, and REPT
  checks the size before building the text (``REPT("a",1E10)`` is #VALUE! at once, no allocation).
- **A one-row array constant over several cells** (``{=TRUE,FALSE,TRUE}`` entered in A1:C1): see
  :func:`array_text`.
"""
from __future__ import annotations

import functools
import math

#: Excel specifications and limits: the most characters a cell can hold.
MAX_TEXT = 32767
VALUE = "#VALUE!"
_INSTALLED: set = set()


def _numeric(t) -> bool:
    """Whether a cell of type ``t`` is a number for criteria matching (a logical is not)."""
    return t is not bool


# --------------------------------------------------------------------------------------- criteria

def install_criteria() -> None:
    """Wrap ``pycel.excelutil.criteria_parser`` so that logical cells match as Excel matches them."""
    if "criteria" in _INSTALLED:
        return
    import operator

    from pycel import excelutil as eu
    original = eu.criteria_parser
    ops = {"": operator.eq, "=": operator.eq, "<>": operator.ne, "<": operator.lt, ">": operator.gt,
           "<=": operator.le, ">=": operator.ge}

    def criteria_parser(criteria):
        if isinstance(criteria, bool):
            return lambda x: type(x) is bool and x == criteria
        base = original(criteria)
        oper = ""
        if isinstance(criteria, str):
            m = eu.OPERATORS_RE.match(criteria)
            oper = (m.group("oper") or "") if m else ""
            rest = m.group("value") if m else criteria
            if rest.upper() in ("TRUE", "FALSE"):
                b, fn = rest.upper() == "TRUE", ops.get(oper, operator.eq)
                return lambda x: fn(x, b) if type(x) is bool else oper == "<>"
        ne = oper == "<>"

        def check(x):
            if type(x) is bool:
                return ne
            return base(x)
        return check

    criteria_parser.__doc__ = original.__doc__
    eu.criteria_parser = criteria_parser
    _INSTALLED.add("criteria")


# ------------------------------------------------------------------------------------ text length

def _too_long(x):
    """``x`` with every text longer than :data:`MAX_TEXT` replaced by #VALUE!."""
    if isinstance(x, str):
        return VALUE if len(x) > MAX_TEXT else x
    if isinstance(x, tuple):
        return tuple(_too_long(v) for v in x)
    if isinstance(x, list):
        return [_too_long(v) for v in x]
    return x


_EXCEL_MAX = 1.7976931348623157e308


def _huge(x) -> bool:
    """A number past Excel's largest (pycel's SUM of integer-valued cells can give such an integer)."""
    return isinstance(x, int) and not isinstance(x, bool) and abs(x) > _EXCEL_MAX


def install_concat_operator() -> None:
    """Cap the text of ``&`` (pycel's operator fix-up, looked up by each compiled formula), and make an
    operand past Excel's largest number #NUM! (the left operand's error first, as Excel: ``SUM(E:E)+
    SUM(F:F)/2`` with E's sum past 1.8E+308 and F holding #N/A is #NUM!)."""
    if "concat" in _INSTALLED:
        return
    from pycel import excelformula
    original = excelformula.build_operator_operand_fixup

    def build_operator_operand_fixup(capture_error_state):
        inner = original(capture_error_state)

        def fixup(left_op, op, right_op):
            if _huge(left_op):
                left_op = "#NUM!"
            if _huge(right_op):
                right_op = "#NUM!"
            try:
                out = inner(left_op, op, right_op)
            except OverflowError:
                return "#NUM!"
            return _too_long(out) if op == "BitAnd" else out
        return fixup

    excelformula.build_operator_operand_fixup = build_operator_operand_fixup
    _INSTALLED.add("concat")


def _text_of(x):
    """Excel's text of a scalar for REPT (None -> "", logicals TRUE/FALSE, numbers as Excel shows)."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, (int, float)):
        from ._fn_args import excel_number_text
        return excel_number_text(float(x))
    return str(x)


def rept(text, number_times):
    """REPT(text, number_times): ``text`` repeated ``int(number_times)`` times; #VALUE! when the count
    is negative or the result would pass 32,767 characters (checked before building it)."""
    from ._fn_args import elementwise, is_error

    def one(t, n):
        for v in (t, n):
            if is_error(v):
                return v
        if n is ... or t is ...:
            return "#N/A"
        if isinstance(n, str):
            try:
                n = float(n)
            except ValueError:
                return VALUE
        n = 0.0 if n is None else float(n)
        if not math.isfinite(n) or n < 0:
            return VALUE
        s = _text_of(t)
        k = int(n)
        if len(s) * k > MAX_TEXT:
            return VALUE
        return s * k
    return elementwise(one, text, number_times)


def _ignores_empty(flag) -> bool:
    """Whether TEXTJOIN's ``ignore_empty`` argument is true (TRUE or a number other than 0)."""
    if isinstance(flag, tuple):
        return False                          # an array of flags: left to the function
    return flag is True or (type(flag) in (int, float) and flag != 0)


def _blank_empty_text(x):
    """``x`` with every empty text ("" from a formula) made an empty cell: Microsoft, TEXTJOIN function
    (support.microsoft.com/office/textjoin-function-357b449a-ec91-49d0-80c3-0e8fc845691c): "If TRUE,
    ignores empty cells"; Excel treats "" results the same, so ``TEXTJOIN(",",TRUE,IF(A1:A3>1,B1:B3,""))``
    joins only the chosen cells."""
    if x == "":
        return None
    if isinstance(x, tuple):
        return tuple(_blank_empty_text(v) for v in x)
    return x


def install_text(mod) -> None:
    """Put :func:`rept` in the plug-in module and cap the results of CONCAT, CONCATENATE, TEXTJOIN,
    SUBSTITUTE and REPLACE (whichever implementation the module holds)."""
    mod.rept = rept
    for name in ("concat", "concatenate", "textjoin", "substitute", "replace"):
        f = getattr(mod, name, None)
        if f is None:
            from pycel.lib import text as _text
            f = getattr(_text, name, None)
        if f is None or getattr(f, "_mbsxl_capped", False):
            continue

        @functools.wraps(f)                  # keeps pycel's metadata (its error handling of arguments)
        def capped(*args, _f=f, _join=name == "textjoin"):
            if _join and len(args) > 2 and _ignores_empty(args[1]):
                args = args[:2] + tuple(_blank_empty_text(a) for a in args[2:])
            return _too_long(_f(*args))
        capped._mbsxl_capped = True
        setattr(mod, name, capped)


# ------------------------------------------------------------------ array formulas over a range

#: A Ctrl+Shift+Enter formula in one cell is evaluated as an array formula over that one cell (pycel's
#: array context, the first element of an array result), as a multi-cell one is: evaluated as an
#: ordinary formula, functions that look at the context got the first element of an array argument
#: (``{=SUM(COUNTIF(A1:A3,A1:A3))}`` gave 1, Excel 3).  Microsoft, "Guidelines and examples of array
#: formulas" (support.microsoft.com/office/guidelines-and-examples-of-array-formulas-7d94a64e-3ff3-4686-
#: 9372-ecfd5caa57c7): a single-cell array formula performs several calculations to give one result.
#: Read by :func:`mbsxl.excel._load` (the conformance suite is unchanged by it: 46,391 of 46,773).
ONE_CELL_ARRAYS_IN_ARRAY_CONTEXT = True

def array_text(text: str) -> str:
    """The formula text handed to pycel for the anchor of an array formula entered over several cells.

    pycel reads a formula that starts with ``={`` and ends with ``}`` as an array constant outside an
    array context and evaluates ``INDEX(..., 1, 1)`` (its first element), so ``{={TRUE,FALSE,TRUE}}``
    over A1:C1 showed TRUE, TRUE, TRUE and ``{={1,2}+{3,4}}`` over A1:B1 4, 4.  Microsoft, "Guidelines and
    examples of array formulas" (support.microsoft.com/office/guidelines-and-examples-of-array-formulas-
    7d94a64e-3ff3-4686-9372-ecfd5caa57c7): an array constant entered as a multi-cell array formula fills
    the cells with its elements (``={1,2,3,4,5}`` over five cells of a row gives 1 ... 5).  Wrapping the
    formula in parentheses keeps its value and keeps pycel from cutting it (a constant of several rows
    alone is rewritten by :func:`mbsxl.excel._fn_refs.array_constants`).

    >>> array_text("={TRUE,FALSE,TRUE}"), array_text("=A1:A3*2")
    ('=({TRUE,FALSE,TRUE})', '=A1:A3*2')
    """
    if text.startswith("={") and text.endswith("}"):
        from ._fn_refs import _ROWS_CONSTANT
        if _ROWS_CONSTANT.match(text):        # a constant of several rows: _fn_refs.array_constants
            return text
        return "=(" + text[1:] + ")"
    return text


def install(mod) -> None:
    """All the hooks above (each installed once; :func:`install_text` on every call, since the plug-in
    module may gain supplemented functions between calculations)."""
    install_criteria()
    install_concat_operator()
    install_text(mod)
