"""The MBS_ worksheet functions for classic xlwings (Excel for Windows), generated from the registry.

Set xlwings' ``UDF Modules`` to ``mbsxl.excel.udfs`` (``mbsxl install`` writes it into the user config)
and run *Import Functions* in the workbook or add-in that should hold the VBA wrappers (README, "Excel").
Every function of :mod:`mbsxl.excel.registry` appears in the Function Wizard under the category "MBS",
with its description (the docstring) and a description of each argument.

Each generated function has the registry's argument names and defaults, so the VBA signature xlwings
writes matches the reference, and does nothing but :func:`mbsxl.excel.dispatch.call`.  What xlwings is
asked for (``xlwings.udfs.call_udf`` converts each COM value with these options):

- a true range argument (kinds vector, number_or_vector, array, matrix): ``ndim=2``, a 2-D list (a row
  stays a row, one cell is ``[[x]]``);
- every other argument (number, int, bool, text, date, any): xlwings' default, so a cell is a scalar
  (a range still arrives as a list and is refused by name for a scalar kind);
- all: ``err_to_str=True``, an error cell arrives as its text (``"#N/A"``) and propagates by name.

Errors: no Python exception reaches Excel.  A failing call returns a real Excel error value (a COM
``VT_ERROR``: ``#VALUE!``, or ``#N/A``/``#DIV/0!`` propagated from an input); the one-line reason is
recorded for the calling cell or range, shown on Excel's status bar (cleared when that cell computes
cleanly again) and returned by ``=MBS_ERROR(cell)`` (any cell of an array-formula range) or
``=MBS_ERROR()`` (the most recent one).  See docs/ERRORS.md.

Tables (``returns="table"``) are returned as a 2-D list: Excel 365 spills them; Excel 2016/2019 shows
them in a range selected before entering the formula with Ctrl+Shift+Enter, and ``INDEX(MBS_X(...), r,
c)`` works in both.  xlwings' ``@ret(expand="table")`` is deliberately not used: ``call_udf`` resizes the
*calling* cell into an array formula of the table's size, which overwrites neighbouring cells when the
call is nested in another formula.

Off Windows, xlwings' decorators are stand-ins that attach nothing; the functions still work as
plain Python (``MBS_SMM(0.25)``) and the registry stays the single source for tests.
"""
from __future__ import annotations

import keyword

from . import errors as _errors
from .dispatch import call
from .registry import functions

try:  # pragma: no cover - depends on the platform
    import xlwings as _xw
except Exception:  # noqa: BLE001
    _xw = None

#: Words VBA reserves: xlwings writes one VBA Function per UDF with these argument names.
VBA_RESERVED = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "const", "currency", "date", "declare",
    "dim", "do", "double", "each", "else", "elseif", "empty", "end", "enum", "eqv", "erase", "error",
    "event", "exit", "false", "for", "friend", "function", "get", "global", "gosub", "goto", "if", "imp",
    "implements", "in", "integer", "is", "let", "like", "long", "loop", "lset", "me", "mod", "new", "next",
    "not", "nothing", "null", "on", "option", "optional", "or", "paramarray", "preserve", "private",
    "property", "public", "raiseevent", "redim", "rem", "resume", "return", "rset", "select", "set",
    "single", "static", "step", "stop", "string", "sub", "then", "to", "true", "type", "typeof", "until",
    "variant", "wend", "while", "with", "withevents", "xor", "object", "decimal",
}

#: Argument kinds that are true ranges: read by xlwings with ``ndim=2``.  ``any`` is not among them.
_RANGE_KINDS = ("vector", "number_or_vector", "array", "matrix")

_STATUS = {"key": None}


def _caller_key(caller) -> str | None:
    try:
        return f"[{caller.sheet.book.name}]{caller.sheet.name}!{caller.address.replace('$', '')}"
    except Exception:  # noqa: BLE001
        return None


def _status(caller, text: str) -> None:
    try:
        caller.sheet.book.app.status_bar = text[:250] if text else False
    except Exception:  # noqa: BLE001 - the status bar is a courtesy
        pass


def to_excel_error(err: _errors.XlError):
    """An XlError as a value Excel shows as that error (a COM ``VT_ERROR`` variant on Windows);
    elsewhere its text (``"#VALUE!"``)."""
    try:  # pragma: no cover - Windows only
        import pythoncom
        import win32com.client
        return win32com.client.VARIANT(pythoncom.VT_ERROR, _errors.SCODES.get(err.code, _errors.SCODES["#VALUE!"]))
    except Exception:  # noqa: BLE001
        return err.code


def _run(name: str, args: tuple, caller=None):
    key = _caller_key(caller) if caller is not None else None
    result = call(name, *args, caller=key)
    if isinstance(result, _errors.XlError):
        if caller is not None:
            _status(caller, result.reason)
            _STATUS["key"] = key
        return to_excel_error(result)
    if caller is not None and key is not None and _STATUS["key"] == key:
        _status(caller, "")                     # this cell's reason was shown; it is fixed now
        _STATUS["key"] = None
    if isinstance(result, list):
        return [[to_excel_error(x) if isinstance(x, _errors.XlError) else x for x in row] for row in result]
    return result


def _mbs_error(cell=None, caller=None):
    """MBS_ERROR: the reason recorded for ``cell`` (an xlwings Range in Excel; any cell of an
    array-formula range finds the range's reason) or the latest."""
    return _errors.mbs_error(_caller_key(cell) if cell is not None and hasattr(cell, "sheet") else cell)


def _python_name(name: str) -> str:
    if keyword.iskeyword(name):
        return name + "_"
    return name


def _make(fn):
    """A plain Python function with the registry's signature that calls the dispatch."""
    params, passes = [], []
    seen_optional = False
    for a in fn.args:
        p = _python_name(a.name)
        seen_optional = seen_optional or a.optional
        # Python (and VBA) need optional arguments last: a required argument after an optional one
        # gets a default of None here and is refused by the dispatch if left empty.
        params.append(f"{p}=_D[{a.name!r}]" if seen_optional else p)
        passes.append(p)
    params.append("caller=None")
    src = (f"def {fn.name}({', '.join(params)}):\n"
           f"    return _run({fn.name!r}, ({', '.join(passes)}{',' if passes else ''}), caller)\n")
    ns = {"_run": _run, "_D": {a.name: a.default for a in fn.args}}
    if fn.name == "MBS_ERROR":
        src = "def MBS_ERROR(cell=None, caller=None):\n    return _mbs_error(cell, caller)\n"
        ns["_mbs_error"] = _mbs_error
    exec(compile(src, f"<mbsxl.excel.udfs {fn.name}>", "exec"), ns)  # noqa: S102 - generated from the registry
    f = ns[fn.name]
    f.__doc__ = fn.description
    f.__module__ = __name__
    f.__qualname__ = fn.name
    return f


def _decorate(f, fn):
    """Apply xlwings' func/arg/ret decorators (stand-ins off Windows)."""
    if _xw is None:
        return f
    for a in reversed(fn.args):
        f = _xw.arg(_python_name(a.name), **arg_options(fn, a))(f)
    return _xw.func(category="MBS", volatile=fn.volatile)(f)


def arg_options(fn, a) -> dict:
    """The xlwings ``@arg`` options of registry argument ``a`` of ``fn`` (see the module docstring)."""
    opts = {"doc": a.doc}
    if fn.name == "MBS_ERROR":
        opts["convert"] = "range"
    elif a.kind in _RANGE_KINDS:
        opts.update(ndim=2, err_to_str=True)
    else:
        opts.update(err_to_str=True)
    return opts


def _build() -> dict:
    out = {}
    for name, fn in functions().items():
        out[name] = _decorate(_make(fn), fn)
    return out


_FUNCS = _build()
globals().update(_FUNCS)
__all__ = sorted(_FUNCS)
