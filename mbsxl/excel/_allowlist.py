"""The allow-list of the formula guard (:mod:`mbsxl.excel.formula_guard`): which Excel functions a
formula may call (those pycel implements, those taken from ``formulas``, the registry's MBS_
functions, minus :data:`DENIED`) and which Python names pycel's generated code may use.  Shared by the
formula check (:func:`mbsxl.excel.formula_guard.rewrite`) and the generated-code check
(:func:`mbsxl.excel._codecheck.check_python`), so the two can never disagree."""
from __future__ import annotations

import functools
import re

SPARSE = "MBSXL_RANGE"        # the engine's reader of a huge range's stored cells (_pycel_plugin._sparse_range)
# Excel functions that reach outside the workbook: never offered even where an engine has them
DENIED = frozenset({"WEBSERVICE", "FILTERXML", "CALL", "REGISTER.ID", "RTD", "INFO", "CELL", "HYPERLINK",
                    "IMAGE", "STOCKHISTORY", "EUROCONVERT", "SQL.REQUEST"})
PREFIXES = ("_xlfn._xlws.", "_xlfn.", "_xlws.", "_xludf.")
# the fixed names pycel's emitted code uses besides the functions
ENGINE_NAMES = frozenset({"_C_", "_R_", "_REF_", "pi", "str"})
SUBTOTAL_NAMES = frozenset({"average", "count", "counta", "max_", "min_", "product", "stdev", "stdevp",
                            "sum_", "var", "varp"})
# what a number literal may look like (a formula's token, pycel's emitted operand)
NUMBER_RE = re.compile(r"^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


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


# formulas' function modules that import scipy.stats (1-3 s on a 2-core machine): loaded only for a
# name the other modules lack.  tests/test_calc_load_speed.py checks that no name of the others is
# also defined (and so overridden, in formulas.get_functions' order) by these.
FORMULAS_SLOW = (".stat", ".comp")


@functools.lru_cache(maxsize=None)
def formulas_table(full: bool = True) -> dict:
    """``formulas.get_functions()`` (``full``), or the same merge of every function module but
    :data:`FORMULAS_SLOW` (submodules in formulas' order, then the package's own ``FUNCTIONS``); ``{}``
    without ``formulas``."""
    try:
        import formulas
        if full:
            return formulas.get_functions()
        import importlib
        from formulas import functions as F
        table: dict = {}
        for name in F.SUBMODULES:
            if name not in FORMULAS_SLOW:
                table.update(importlib.import_module(name, F.__name__).FUNCTIONS)
        table.update(F.FUNCTIONS)
        return table
    except Exception:  # noqa: BLE001 - formulas not installed: pycel's functions only
        return {}


def formulas_table_for(python_names) -> dict:
    """The smallest of :func:`formulas_table`'s two tables that holds every one of ``python_names``
    (``pmt``, ``stdev_s``) that ``formulas`` has: the fast one when it holds them all."""
    fast = formulas_table(False)
    have = {k.lower().replace(".", "_") for k in fast if isinstance(k, str)}
    return fast if set(python_names) <= have else formulas_table(True)


@functools.lru_cache(maxsize=None)
def _formulas_functions(full: bool = True) -> frozenset[str]:
    try:
        from pycel.lib.function_info import all_excel_functions
    except Exception:  # noqa: BLE001
        return frozenset()
    table = formulas_table(full)
    return frozenset(k.upper() for k in table if isinstance(k, str) and k.upper() in all_excel_functions)


@functools.lru_cache(maxsize=None)
def _own_functions() -> frozenset[str]:
    """Excel functions the engine implements in its own modules (LAMBDA and its helpers, the Excel 365
    text functions)."""
    from ._guard_base import LAMBDA_EXCEL_NAMES, TEXT365_NAMES
    return frozenset(LAMBDA_EXCEL_NAMES) | frozenset(TEXT365_NAMES)


@functools.lru_cache(maxsize=None)
def _own_python_names() -> frozenset[str]:
    from ._guard_base import LAMBDA_PYTHON_NAMES, TEXT365_NAMES
    return LAMBDA_PYTHON_NAMES | frozenset(TEXT365_NAMES.values())


@functools.lru_cache(maxsize=None)
def _mbs_functions() -> frozenset[str]:
    from .registry import functions
    return frozenset(n.upper() for n in functions())


def allowed_functions() -> frozenset[str]:
    """Upper-case Excel names a formula may call: Excel functions pycel implements, the ones taken from
    ``formulas``, and the registry's MBS_ functions, minus :data:`DENIED`."""
    return (_pycel_functions() | _formulas_functions() | _mbs_functions() | _dynarray_functions()
            | _own_functions()) - DENIED


def function_allowed(up: str) -> bool:
    """``up in allowed_functions()``, importing ``formulas`` only for a name pycel and the registry lack."""
    if up in DENIED:
        return False
    return (up == SPARSE or up in _dynarray_functions() or up in _pycel_functions() or up in _mbs_functions()
            or up in _own_functions()
            or up in _formulas_functions(False)
            or up in _formulas_functions())


@functools.lru_cache(maxsize=None)
def _dynarray_functions() -> frozenset[str]:
    """The Excel 365 array functions of :mod:`mbsxl.excel._fn_dynarray` and :mod:`mbsxl.excel._fn_groupby`."""
    from . import _fn_dynarray
    from ._guard_base import GROUPBY_NAMES
    return _fn_dynarray.NAMES | GROUPBY_NAMES


@functools.lru_cache(maxsize=None)
def _base_python_names() -> frozenset[str]:
    names = {python_name(n) for n in (_pycel_functions() | _mbs_functions()) - DENIED}
    names |= {n.lower() for n in _mbs_functions()} | set(_mbs_functions()) | _own_python_names()
    names |= {n.lower() for n in _dynarray_functions()} | {"mbsxl_eta"}
    return frozenset(names | ENGINE_NAMES | SUBTOTAL_NAMES | {"row", "column", "offset", "indirect",
                                                             SPARSE.lower()})


@functools.lru_cache(maxsize=None)
def allowed_python_names() -> frozenset[str]:
    return _base_python_names() | {python_name(n) for n in allowed_functions()}


class _PythonNames:
    """Membership in :func:`allowed_python_names`, without importing ``formulas`` for common names."""

    def __contains__(self, name) -> bool:
        return name in _base_python_names() or name in _fast_python_names() or name in allowed_python_names()


@functools.lru_cache(maxsize=None)
def _fast_python_names() -> frozenset[str]:
    """:func:`allowed_python_names` of the functions ``formulas`` has outside :data:`FORMULAS_SLOW`."""
    return frozenset(python_name(n) for n in _formulas_functions(False) - DENIED)
