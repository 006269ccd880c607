"""One entry point for every worksheet-function call, from Excel (xlwings) or headless.

:func:`call` looks the function up in the registry, converts each raw argument to its ``Arg.kind``
(:mod:`mbsxl.excel.convert`), calls the wrapper, converts the result to cell values and turns ANY
exception into an :class:`~mbsxl.excel.errors.XlError` (an Excel error code plus the one-line reason
``"MBS_X: <message>"``).  Nothing raises out of :func:`call`.

>>> call("MBS_SMM", "not a rate")
XlError('#VALUE!', "MBS_SMM: cpr='not a rate' is text, not a number; enter a number (text like '1,234.5' or '25%' is read too)")
"""
from __future__ import annotations

import inspect

from . import convert, errors
from .registry import functions

_MISSING = object()


def _bind(fn, raw_args: tuple) -> list:
    n = len(fn.args)
    if len(raw_args) > n:
        extra = raw_args[n:]
        if any(not convert.is_blank(x) for x in extra):
            raise ValueError(f"takes at most {n} arguments ({', '.join(a.name for a in fn.args)}); "
                             f"{len(raw_args)} were given")
        raw_args = raw_args[:n]
    out = []
    for i, arg in enumerate(fn.args):
        raw = raw_args[i] if i < len(raw_args) else None
        if raw is _MISSING:
            raw = None
        out.append(convert.to_kind(arg.name, raw, arg.kind, optional=arg.optional, default=arg.default))
    # trailing optional arguments left at their default are not passed: the wrapper's own defaults apply
    while out and len(out) > len(raw_args) and fn.args[len(out) - 1].optional:
        out.pop()
    return out


def call(name: str, *raw_args, caller: str | None = None):
    """Call worksheet function ``name`` on raw cell values; return cell values or an XlError.

    ``caller`` (e.g. ``"[Book1.xlsx]Sheet1!B2"``) keys the recorded reason so that ``MBS_ERROR`` can
    find it; without it the reason is recorded under the function's name.
    """
    key = caller or name
    try:
        table = functions()
        fn = table.get(name.upper())
        if fn is None:
            raise errors.XlError("#NAME?", f"{name}: no such MBS_ function")
        args = _bind(fn, raw_args)
        result = convert.to_excel(fn.impl(*args))
    except errors.XlError as e:
        errors.record(key, e.reason or e.code)
        return e
    except Exception as e:  # noqa: BLE001 - the point: nothing escapes into a cell
        reason = errors.one_line(name, e)
        errors.record(key, reason)
        return errors.XlError(errors.code_for(e), reason)
    errors.clear(key)
    return result


def signature(name: str) -> str:
    """``MBS_X(a, b, [c])`` for messages and the reference."""
    fn = functions()[name]
    parts = [f"[{a.name}]" if a.optional else a.name for a in fn.args]
    return f"{name}({', '.join(parts)})"


def check_wrapper(fn) -> None:
    """Raise if a wrapper's Python parameters do not match its registry args (names and order)."""
    params = [p for p in inspect.signature(fn.impl).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = [p.name for p in params]
    want = [a.name for a in fn.args]
    if names[:len(want)] != want:
        raise ValueError(f"{fn.name}: wrapper parameters {names} differ from registry args {want}")
