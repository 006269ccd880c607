"""One entry point for every worksheet-function call, from Excel (xlwings) or headless.

:func:`call` looks the function up in the registry, converts each raw argument to its ``Arg.kind``
(:mod:`mbsxl.excel.convert`), calls the wrapper, converts the result to cell values and turns ANY
exception into an :class:`~mbsxl.excel.errors.XlError` (an Excel error code plus the one-line reason
``"MBS_X: <message>"``).  Nothing raises out of :func:`call`.  The reason is the message itself only
for a refusal of bad input (:class:`~mbsxl.errors.MbsxlInputError`, an :class:`XlError`); any other
exception is a bug and reads ``"MBS_X: internal error (TypeError: ...); please report"``.

>>> call("MBS_SMM", "not a rate")
XlError('#VALUE!', "MBS_SMM: cpr='not a rate' is text, not a number; enter a number (text like '1,234.5' or '25%' is read too)")
"""
from __future__ import annotations

import inspect

import numpy as np

from ..errors import MbsxlInputError
from . import convert, errors
from .registry import functions

_MISSING = object()


def _bind(fn, raw_args: tuple) -> list:
    n = len(fn.args)
    if len(raw_args) > n:
        extra = raw_args[n:]
        if any(not convert.is_blank(x) for x in extra):
            raise MbsxlInputError(f"takes at most {n} arguments ({', '.join(a.name for a in fn.args)}); "
                             f"{len(raw_args)} were given")
        raw_args = raw_args[:n]
    out = []
    for i, arg in enumerate(fn.args):
        raw = raw_args[i] if i < len(raw_args) else None
        if raw is _MISSING:
            raw = None
        out.append(convert.to_kind(arg.name, raw, arg.kind, optional=arg.optional, default=arg.default))
    check_caps(fn, out)
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
        result = _elementwise_with_blanks(fn, raw_args)
        if result is None:
            args = _bind(fn, raw_args)
            result = convert.to_excel(fn.impl(*args))
        if isinstance(result, errors.XlError):      # a single infinite value
            raise errors.XlError(result.code, f"{name}: the result is {result.reason} (#NUM!); check the inputs "
                                              "for values far outside their usual range")
    except errors.XlError as e:
        errors.record(key, e.reason or e.code)
        return e
    except Exception as e:  # noqa: BLE001 - the point: nothing escapes into a cell
        reason = errors.one_line(name, e)
        errors.record(key, reason)
        return errors.XlError(errors.code_for(e), reason)
    overflow = _num_cells(name, result)
    if overflow:
        errors.record(key, overflow)        # a #NUM! cell inside a result still has its reason for MBS_ERROR
    else:
        errors.clear(key)
    return result


def _num_cells(name: str, result) -> str:
    """The reason for ``#NUM!`` cells in a result (an infinite value from the core), or ``""``."""
    def is_num(x):
        return isinstance(x, errors.XlError) and x.code == "#NUM!"
    if not isinstance(result, list):
        return ""
    if not any(isinstance(x, errors.XlError) for row in result if isinstance(row, list) for x in row
               if x.__class__ is not float):
        return ""                         # no error cell at all (the usual case): one quick pass
    hits = [(r, c) for r, row in enumerate(result) if isinstance(row, list) for c, x in enumerate(row) if is_num(x)]
    if not hits:
        return ""
    r, c = hits[0]
    header = result[0][c] if isinstance(result[0], list) and isinstance(result[0][c], str) else None
    label = f"row {r + 1}, column {c + 1}" + (f" ({header})" if header else "")
    return (f"{name}: {len(hits)} cell{'s' if len(hits) > 1 else ''} of the result "
            f"{'are' if len(hits) > 1 else 'is'} infinite or too large for a cell (#NUM!), first at {label}; "
            "check the inputs for values far outside their usual range")


def _elementwise_with_blanks(fn, raw_args: tuple):
    """An elementwise function (``returns="array"``) over ONE range with empty cells in it: computed on
    the filled cells, blanks stay blank (a column selected longer than its data works).  ``None`` when
    this does not apply (no range, no blank, several ranges, or every cell blank)."""
    if fn.returns != "array":
        return None
    ranges = [i for i, (a, x) in enumerate(zip(fn.args, raw_args))
              if a.kind == "array" and isinstance(x, (list, tuple, np.ndarray)) and convert.as_grid(x).size > 1]
    if len(ranges) != 1:
        return None
    i = ranges[0]
    grid = convert.as_grid(raw_args[i])
    blank = np.vectorize(convert.is_blank, otypes=[bool])(grid)
    if not blank.any() or blank.all():
        return None
    filled = grid[~blank].reshape(-1, 1)
    args = list(raw_args)
    args[i] = filled
    try:
        inner = convert.to_excel(fn.impl(*_bind(fn, tuple(args))))
    except Exception:
        # name the first failing cell by its place in the range (the compacted index would mislead)
        for (r, c), cell in np.ndenumerate(grid):
            if blank[r, c]:
                continue
            args[i] = cell
            try:
                fn.impl(*_bind(fn, tuple(args)))
            except Exception as e:  # noqa: BLE001
                where = f"row {r + 1}" if grid.shape[1] == 1 else (
                    f"column {c + 1}" if grid.shape[0] == 1 else f"row {r + 1}, column {c + 1}")
                if isinstance(e, MbsxlInputError) and not isinstance(e, errors.InputError):
                    raise MbsxlInputError(f"{e} ({where} of the range)") from None
                raise
        raise
    vals = np.asarray(inner, dtype=object).reshape(-1)
    if vals.size != filled.shape[0]:
        return None
    out = np.empty(grid.shape, dtype=object)
    out[:] = ""
    out[~blank] = vals
    return out.tolist()


def _numbers(value) -> np.ndarray | None:
    """The numeric values of a converted argument (a number or a range), or None when not numeric."""
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return None
    try:
        a = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        cells = [c for c in np.asarray(value, dtype=object).ravel()
                 if isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, (bool, np.bool_))]
        a = np.asarray(cells, dtype=float)
    return a[~np.isnan(a)]


def _count(value) -> int:
    if value is None:
        return 0
    return int(np.size(value)) if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)) else 1


def _show(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def check_caps(fn, values: list) -> None:
    """Refuse, with ``#NUM!`` and a reason naming the argument, its value and the cap, an argument above
    its registry cap (``Arg.max``, ``Arg.max_len``) or a product of sizes above a ``Function.limits``
    budget; ``values`` are the converted arguments in order (a missing one counts as its default)."""
    by_name = {}
    for i, arg in enumerate(fn.args):
        v = values[i] if i < len(values) else arg.default
        by_name[arg.name] = v
        why = f" ({arg.cap_note})" if arg.cap_note else ""
        if arg.max_len is not None and _count(v) > arg.max_len:
            raise errors.XlError("#NUM!", f"{fn.name}: {arg.name} has {_count(v):,} values, above the cap of "
                                          f"{arg.max_len:,}{why}; pass at most {arg.max_len:,}")
        if arg.max is not None:
            a = _numbers(v)
            if a is not None and a.size and a.max() > arg.max:
                big = float(a.max())
                where = "" if a.size == 1 else f" (its largest value)"
                raise errors.XlError("#NUM!", f"{fn.name}: {arg.name}={_show(big)}{where} is above the cap of "
                                              f"{_show(arg.max)}{why}; pass at most {_show(arg.max)}")
    for b in fn.limits:
        product, parts = 1.0, []
        for name, how in b.factors:
            v = by_name.get(name)
            if how == "count":
                x = _count(v)
                parts.append(f"{x:,} values of {name}")
            else:
                a = _numbers(v)
                x = float(a.max()) if a is not None and a.size else 0.0
                parts.append(f"{name} up to {_show(x)}")
            product *= x
        if product > b.cap:
            note = f" ({b.note})" if b.note else ""
            raise errors.XlError("#NUM!", f"{fn.name}: {' x '.join(parts)} = {_show(product)} {b.what}, above the cap "
                                          f"of {_show(b.cap)}{note}; split the input")


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
