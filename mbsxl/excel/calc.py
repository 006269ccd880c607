"""Headless recalculation of a workbook with MBS_ formulas (no Excel).

Engine: `pycel <https://github.com/dgorissen/pycel>`_, chosen after measuring it against ``formulas``
(``bench/bench_calc.py``, median of 3 runs; load + calc seconds): 1,000 =MBS_SMM cells 0.62 s against
2.26 s; one =MBS_LOANCASHFLOWS array formula over a 12,254-loan tape 2.26 s against 9.67 s.
Re-measured for issue 11 on the templates (load + calc): the pool template 36.6 s with ``formulas``
against 8.2 s with pycel, the prepayment template 0.63 s against 0.2-1.5 s; pycel stays, behind the
guards of :mod:`mbsxl.excel.formula_guard` (no code from a workbook: formulas allow-listed before
compilation, literals emitted through ``repr``, generated code checked, no built-ins) and the limits of
:mod:`mbsxl.excel.limits` (load size, cells, formula length, range size, time, memory).
Every MBS_ function of the registry is registered into it through :func:`mbsxl.excel.dispatch.call`,
so conversion and errors are exactly those of Excel's path.  Excel's own functions (SUM, AVERAGE,
INDEX, SUMPRODUCT, SUMIFS, COUNTIFS, IF, ROUND, ABS, MAX, LOOKUP ...) are pycel's; the few a workbook
uses that pycel lacks (STDEV.S, MEDIAN, PMT, XLOOKUP ...) are taken from ``formulas`` when installed.

What is recalculated: every formula cell of every sheet, including array formulas over a fixed range
(openpyxl ``ArrayFormula``, Ctrl+Shift+Enter formulas, and the dynamic-array formulas xlsxwriter's
``write_dynamic_array_formula`` writes, which carry their spill range as ``ref``).  Neither engine
spills, so a dynamic array is computed over the range stored with it: cells of that range beyond
the result are left empty, as when Excel's spill shrinks (an error stands in the anchor alone), while
a legacy array range larger than its result gets ``#N/A`` in the extra cells, as in Excel.  Prefixes
Excel writes for newer functions (``_xlfn.``, ``_xlfn._xlws.``, ``_xlws.``) are stripped, and
``_xlfn.ANCHORARRAY(B1)`` (``B1#``) becomes the stored spill range of B1.

Errors: one bad cell never stops the rest.  An MBS_ error makes that cell an Excel error value
(``#VALUE!``...) and its one-line reason is kept in ``values.errors``; downstream formulas propagate
the error as Excel does; a formula the engine cannot evaluate becomes ``#NAME?``/``#VALUE!`` with the
engine's reason.  A recalculation taking more than 2 s reports progress on stderr.

Dates: cell values are read as Excel stores them (serial numbers, 1900 system), so MBS_ date
arguments get serials and :mod:`mbsxl.excel.convert` applies the 1900 leap-year rule.

>>> values = calculate("book.xlsx", sets={"Sheet1!B2": 0.25})      # doctest: +SKIP
>>> values["Sheet1!C2"], values.errors                               # doctest: +SKIP
(0.0236884..., {})
>>> recalc_to("book.xlsx", "book_values.xlsx")                       # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import gc
import math
import os
import re
import sys
import time
import types
from typing import Callable
from unittest import mock

import numpy as np

from . import errors as _errors
from ._xlsxvalues import dynamic_array_anchors
from .dispatch import call
from .registry import functions

PROGRESS_AFTER = 2.0          # seconds before progress is shown


class CalcError(str):
    """An Excel error value (a ``str`` such as ``"#VALUE!"``, which the engine propagates) that carries
    the reason it arose in ``.reason``."""

    reason = ""

    def __new__(cls, code: str, reason: str = ""):
        obj = super().__new__(cls, code)
        obj.reason = reason
        return obj


class Values(dict):
    """``"Sheet!A1" -> value`` for every formula cell; ``.errors`` maps error cells to their reason
    (``""`` when the error came from an input or an upstream cell); ``.seconds`` load/calc timings."""

    def __init__(self):
        super().__init__()
        self.errors: dict[str, str] = {}
        self.seconds: dict[str, float] = {}


# ----------------------------------------------------------------------------------------- plug-in


def _plugin_module(used: set[str] = frozenset()) -> types.ModuleType:
    """A module holding one pycel-callable per registered MBS_ function (pycel looks plug-ins up by
    name), plus adapters for the functions in ``used`` (pycel names) that pycel lacks."""
    mod = sys.modules.get("mbsxl.excel._pycel_plugin")
    if mod is None:
        mod = types.ModuleType("mbsxl.excel._pycel_plugin")
        sys.modules[mod.__name__] = mod
        mod.mbsxl_range = _sparse_range
    missing = {n for n in used if not n.startswith("mbs_") and not hasattr(mod, n) and not _pycel_has(n)}
    if missing:
        _supplement(mod, missing)
    for name in functions():
        f = _engine_function(name)
        setattr(mod, name, f)
        setattr(mod, name.lower(), f)
    return mod


_CURRENT: list = []           # (compiler, workbook) of the calculation under way, for _sparse_range


def _sparse_range(sheet, c1, r1, c2, r2):
    """The values of a huge range (``formula_guard`` writes ``MBSXL_RANGE("Data",1,1,1,1048576)`` for
    ``Data!A:A`` when the data reach the last row) from the sheet's stored cells only: empty cells are
    ``None`` as in any range, formula cells their computed values."""
    xl, wb = _CURRENT[-1]
    try:
        ws = wb[sheet]
    except KeyError:
        return CalcError("#REF!", f"no sheet named {sheet!r}")
    c1, r1, c2, r2 = int(c1), int(r1), int(c2), int(r2)
    cols = c2 - c1 + 1
    empty = (None,) * cols
    rows: list = [empty] * (r2 - r1 + 1)
    from openpyxl.utils.cell import get_column_letter
    for (r, c), cell in list(ws._cells.items()):
        if not (r1 <= r <= r2 and c1 <= c <= c2):
            continue
        v = cell.value
        if cell.data_type == "f" or (isinstance(v, str) and v[:1] == "=" and cell.data_type == "f"):
            try:
                v = xl.evaluate(f"{_qsheet(sheet)}!{get_column_letter(c)}{r}")
            except Exception as e:  # noqa: BLE001
                v = CalcError("#VALUE!", _engine_reason(e))
        elif v == "":
            v = None
        row = rows[r - r1]
        if row is empty:
            row = rows[r - r1] = list(empty)
        row[c - c1] = v
    return tuple(tuple(r) if isinstance(r, list) else r for r in rows)


def _pycel_has(name: str) -> bool:
    import importlib
    import math as _math
    from pycel.excelformula import ExcelFormula, FunctionNode as FormulaNode
    if hasattr(FormulaNode, f"func_{name}"):
        return True
    target = FormulaNode.func_map.get(name, name) if hasattr(FormulaNode, "func_map") else name
    for m in ExcelFormula.default_modules:
        if hasattr(importlib.import_module(m), target):
            return True
    return hasattr(_math, target)       # never Python's built-ins: the generated code cannot reach them


def _supplement(mod, names: set[str]) -> None:
    """Excel functions pycel lacks (STDEV.S, MEDIAN, PERCENTILE, CORREL, PMT, XLOOKUP ...) taken from the
    ``formulas`` package's implementations, adapted to pycel's values (tuples of rows, None for an
    empty cell, error text).  Best effort: a function neither engine has stays #NAME?."""
    try:
        import formulas
        import schedula as sh
        from formulas.tokens.operand import XlError as FXlError
        from formulas.tokens.operand import Error as FError
    except Exception:  # noqa: BLE001 - formulas not installed: pycel's functions only
        return

    def to_f(a):
        if isinstance(a, tuple):
            rows = [list(r) if isinstance(r, tuple) else [r] for r in a]
            arr = np.empty((len(rows), max(len(r) for r in rows)), dtype=object)
            for i, r in enumerate(rows):
                for j, x in enumerate(r):
                    arr[i, j] = to_f(x)
            return arr
        if a is None:
            return sh.EMPTY
        if isinstance(a, str) and a in FError.errors:
            return FError.errors[a]
        return a

    def from_f(r):
        if isinstance(r, FXlError):
            return CalcError(str(r), "")
        if r is sh.EMPTY:
            return None
        if isinstance(r, np.ndarray):
            if r.size == 1:
                return from_f(r.ravel()[0])
            r2 = r.reshape(r.shape[0], -1) if r.ndim > 1 else r.reshape(1, -1)
            return tuple(tuple(from_f(x) for x in row) for row in r2)
        if isinstance(r, np.generic):
            return r.item()
        return r

    def adapt(f, name):
        def g(*args):
            try:
                return from_f(f(*[to_f(a) for a in args]))
            except Exception as e:  # noqa: BLE001
                return CalcError("#VALUE!", f"{name}: {type(e).__name__}")
        g.__name__ = name
        return g

    try:
        table = formulas.get_functions()
    except Exception:  # noqa: BLE001
        return
    for key, f in list(table.items()):
        if not isinstance(key, str) or key.startswith("_") or not callable(f):
            continue
        pname = key.lower().replace(".", "_")
        if pname not in names or not pname.isidentifier():
            continue
        setattr(mod, pname, adapt(f, key))


def _engine_function(name: str) -> Callable:
    def f(*args):
        raw = [_from_engine(a) for a in args]
        r = call(name, *raw)
        if isinstance(r, _errors.XlError):
            return CalcError(r.code, r.reason)
        if isinstance(r, list):
            return tuple(tuple(_to_engine(x) for x in row) for row in r)
        return _to_engine(r)
    f.__name__ = name
    return f


def _from_engine(a):
    if isinstance(a, tuple):
        return np.array([list(row) if isinstance(row, tuple) else [row] for row in a], dtype=object)
    return a


def _to_engine(x):
    if isinstance(x, _errors.XlError):
        return CalcError(x.code, x.reason)
    if isinstance(x, str) and x == "":
        return None
    return x


# ----------------------------------------------------------------------------------------- loading
def _no_dates(value, *args, **kwargs):
    return value


def _load_workbook(path):
    import openpyxl
    with mock.patch("openpyxl.worksheet._reader.from_excel", _no_dates):
        return openpyxl.load_workbook(path)


def _qsheet(title: str) -> str:
    return f"'{title}'" if re.search(r"[^A-Za-z0-9_.]", title) else title


def _prepare(wb, limits=None):
    """Check and rewrite formulas for the engine in place (:func:`mbsxl.excel.formula_guard.rewrite`).

    Returns ``(cells, arrays, used, texts, refused)``: every formula cell as (sheet, coordinate) in sheet
    order; the multi-cell array formulas as (sheet, anchor, ref); ``used`` the pycel names of the
    functions called; ``texts`` the formula of each cell (array cells: the anchor's); ``refused``
    ``"Sheet!A1" -> CalcError`` for formulas the guard refused (never compiled; the cell holds the
    error value for the formulas that read it).  A multi-cell array formula is left in its anchor as an
    ordinary formula (evaluated once, to the whole array) and the other cells of its range are emptied;
    :func:`calculate` spreads the result over the range itself (pycel's own expansion compiles one
    formula per cell: ~1 ms a cell).
    """
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    from . import formula_guard as fg
    from .limits import Limits

    limits = limits or Limits()
    spills: dict[tuple[str, str], str] = {}          # (sheet lower, anchor) -> "A1:B5"
    for ws in wb.worksheets:
        for coord, ref in getattr(ws, "array_formulae", {}).items():
            spills[(ws.title.lower(), coord.upper())] = ref.replace("$", "")
    book = fg.Book.from_openpyxl(wb, spills=spills, max_chars=limits.max_formula_chars,
                                 max_range_cells=limits.max_range_cells)

    cells, arrays, used_up = [], [], set()
    texts: dict[str, str] = {}                      # "Sheet!A1" -> formula text (array cells: the anchor's)
    refused: dict[str, CalcError] = {}

    def fix(text: str, sheet: str, key: str):
        try:
            return fg.rewrite(text if text.startswith("=") else "=" + text, sheet, book, used=used_up)
        except fg.Refused as e:
            refused[key] = CalcError(e.code, e.reason)
            return None

    for ws in wb.worksheets:
        found = []
        for _, c in sorted(ws._cells.items()):      # the stored cells only (iter_rows walks the whole grid)
            v = c.value
            if isinstance(v, ArrayFormula) or (c.data_type == "f" and isinstance(v, str) and v.startswith("=")
                                               and len(v) > 1):
                found.append(c)
        for c in found:
            v = c.value
            key = f"{ws.title}!{c.coordinate}"
            if isinstance(v, ArrayFormula):
                text = fix(v.text, ws.title, key)
                ref = (v.ref or c.coordinate).replace("$", "")
                c1, r1, c2, r2 = range_boundaries(ref)
                if (c1, r1) == (c2, r2):
                    cells.append((ws.title, c.coordinate))
                    texts[key] = v.text
                    if text is None:
                        ws.array_formulae.pop(c.coordinate, None)
                        c.value = refused[key].__str__()
                    else:
                        v.text = text
                    continue
                ws.array_formulae.pop(c.coordinate, None)
                for r in range(r1, r2 + 1):
                    for col in range(c1, c2 + 1):
                        k2 = f"{ws.title}!{get_column_letter(col)}{r}"
                        cells.append((ws.title, f"{get_column_letter(col)}{r}"))
                        texts[k2] = v.text
                        ws.cell(r, col).value = None
                        if text is None:
                            refused[k2] = refused[key]
                            ws.cell(r, col).value = str(refused[key])
                if text is not None:
                    c.value = text
                    arrays.append((ws.title, c.coordinate, ref))
            else:
                texts[key] = v
                text = fix(v, ws.title, key)
                c.value = str(refused[key]) if text is None else text
                cells.append((ws.title, c.coordinate))
    seen, out = set(), []
    for k in cells:
        if k not in seen:
            seen.add(k)
            out.append(k)
    used = {fg.python_name(n) for n in used_up}
    return out, arrays, used, texts, refused


def _as_computed(result):
    """Stands in for pycel's ``fit_to_range`` while a dynamic array is evaluated."""
    return result


def _fit(result, rows: int, cols: int, dynamic: bool = False) -> np.ndarray:
    """An array formula's result fitted to its stored range as Excel does.

    Legacy (Ctrl+Shift+Enter) range: a scalar fills it, a single row or column repeats, a larger
    result is cut, a smaller one is padded with #N/A.  Dynamic array (Excel 365): the result spills
    as it is, so a scalar (an error too) stands in the anchor alone and the rest of the stored range
    is empty; a larger result is cut (this engine does not spill beyond the stored range)."""
    if isinstance(result, np.ndarray):
        result = tuple(tuple(r) for r in np.atleast_2d(result).tolist())
    if isinstance(result, (tuple, list)):
        rs = [list(r) if isinstance(r, (tuple, list)) else [r] for r in result]
    else:
        rs = [[result]]
    h, w = len(rs), max((len(r) for r in rs), default=1)
    src = np.empty((h, w), dtype=object)
    src[:] = None
    for i, r in enumerate(rs):
        for j, x in enumerate(r):
            src[i, j] = x
    out = np.empty((rows, cols), dtype=object)
    if dynamic:
        out[:] = None
        out[: min(h, rows), : min(w, cols)] = src[:rows, :cols]
        return out
    for i in range(rows):
        for j in range(cols):
            si = 0 if h == 1 else i
            sj = 0 if w == 1 else j
            out[i, j] = src[si, sj] if (si < h and sj < w) else CalcError("#N/A", "")
    return out


def _parse_address(addr: str) -> tuple[str | None, str]:
    sheet, _, cell = str(addr).rpartition("!")
    sheet = sheet.strip()
    if len(sheet) >= 2 and sheet[0] == "'" and sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return (sheet or None), cell.replace("$", "").upper()


def _resolve_sheet(wb, sheet: str | None) -> str:
    if sheet is None:
        return wb.worksheets[0].title
    for ws in wb.worksheets:
        if ws.title.lower() == sheet.lower():
            return ws.title
    raise ValueError(f"no sheet named {sheet!r}; sheets: {', '.join(ws.title for ws in wb.worksheets)}")


class SetFormula(str):
    """A ``--set-formula`` value: the only way an override becomes a formula (checked like any other)."""


def _apply_sets(wb, sets: dict | None) -> None:
    for addr, value in (sets or {}).items():
        sheet, cell = _parse_address(addr)
        ws = wb[_resolve_sheet(wb, sheet)]
        c = ws[cell]
        if isinstance(value, SetFormula):
            c.value = "=" + str(value).lstrip("=")
            continue
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"                 # text, even when it starts with "="


# ----------------------------------------------------------------------------------------- results
def _result(v):
    """An engine value as a plain Python value (errors stay CalcError, a str)."""
    if isinstance(v, CalcError):
        return v
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, tuple):                          # a 1x1 range result
        while isinstance(v, tuple) and len(v) == 1:
            v = v[0]
        if isinstance(v, tuple):
            return CalcError("#VALUE!", "a range where one value was expected")
    if isinstance(v, str):
        from pycel.excelutil import ERROR_CODES
        if v in ERROR_CODES:
            return CalcError(v, "")
    if isinstance(v, float) and not math.isfinite(v):
        return CalcError("#NUM!", "not a finite number")
    return v


class _Progress:
    def __init__(self, total: int, stream=None):
        self.total, self.t0, self.last = total, time.perf_counter(), 0.0
        self.stream = stream if stream is not None else sys.stderr
        self.shown = False
        self.width = 0

    def __call__(self, done: int, label: str = "") -> None:
        now = time.perf_counter()
        if now - self.t0 < PROGRESS_AFTER or (now - self.last < 0.5 and done < self.total):
            return
        self.last, self.shown = now, True
        pct = 100.0 * done / max(self.total, 1)
        line = f"mbsxl calc: {done:,}/{self.total:,} formula cells ({pct:.0f}%), {now - self.t0:.1f} s {label}"
        pad = max(0, self.width - len(line))          # blank out the rest of a longer previous line
        self.width = len(line)
        print("\r" + line + " " * pad, end="", file=self.stream, flush=True)

    def close(self):
        if self.shown:
            print(file=self.stream, flush=True)


def _load_checked(path, limits):
    """Load limits first (:func:`mbsxl.excel.limits.precheck`), then openpyxl; an XML bomb or a
    malformed part becomes a :class:`~mbsxl.excel.limits.LimitExceeded` with a plain message."""
    from .limits import LimitExceeded, precheck
    precheck(path, limits)
    try:
        return _load_workbook(path)
    except Exception as e:  # noqa: BLE001
        name = type(e).__name__
        if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
            raise LimitExceeded(f"the workbook's XML declares entities or a DTD (an XML bomb); refused ({name})") from None
        raise


def calculate(path, sets: dict | None = None, progress: bool = True, limits=None) -> Values:
    """Recalculate every formula of the workbook at ``path``; return ``"Sheet!A1" -> value``.

    ``sets`` overrides input cells first (``{"Sheet1!B2": 0.25}``; values, never formulas).  Error cells
    hold the error's text (``"#VALUE!"``, a :class:`CalcError` carrying ``.reason``) and are listed with
    their reason in the result's ``.errors``.  ``limits`` (:class:`mbsxl.excel.limits.Limits`) bounds the
    run: a load limit raises :class:`~mbsxl.excel.limits.LimitExceeded`; a formula, time or memory
    limit makes the cells concerned errors with a reason and the rest computes.  Never raises for a bad
    formula or bad input; raises only when the file cannot be read or exceeds a load limit.

    Cells are evaluated in topological order of the dependency graph (a cell after the cells it reads),
    so the engine's recursion stays shallow however long a chain is (a 360-row roll-back); a circular
    reference is named in its cells' reason.
    """
    from pycel import ExcelCompiler
    from pycel.excelwrapper import ExcelOpxWrapperNoData
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    from . import formula_guard as fg
    from .limits import Budget, CellTimeout, FLAGS, Limits, MemoryLimit

    fg.harden_pycel()
    limits = limits or Limits()
    t0 = time.perf_counter()
    notice = None
    if progress:
        import threading
        notice = threading.Timer(PROGRESS_AFTER, lambda: print(
            f"mbsxl calc: reading {os.path.basename(os.fspath(path))} and compiling its formulas ...",
            file=sys.stderr, flush=True))
        notice.daemon = True
        notice.start()
    try:
        wb = _load_checked(os.fspath(path), limits)
        dynamic = dynamic_array_anchors(os.fspath(path))
        _apply_sets(wb, sets)
        cells, arrays, used, texts, refused = _prepare(wb, limits)
        plugin = _plugin_module(used)
        with _quiet():
            excel = ExcelOpxWrapperNoData(wb, filename=os.path.abspath(os.fspath(path)))
            xl = ExcelCompiler(excel=excel, plugins=[plugin.__name__], cycles=False)
            in_arrays = set()
            for sheet, anchor, ref in arrays:
                c1, r1, c2, r2 = range_boundaries(ref)
                in_arrays.update((sheet, f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1)
                                 for c in range(c1, c2 + 1))
            _build_graph(xl, [k for k in cells if k not in in_arrays and f"{k[0]}!{k[1]}" not in refused]
                         + [(s, a) for s, a, _ in arrays])
    finally:
        if notice is not None:
            notice.cancel()
    t1 = time.perf_counter()
    out = Values()
    for key, err in refused.items():
        out[key] = err
    bar = _Progress(len(cells)) if progress else None
    done = 0

    def evaluate(addr: str):
        try:
            with _quiet():
                return xl.evaluate(addr)
        except RecursionError:
            return CalcError("#VALUE!", "the chain of cells this formula reads is deeper than the engine can "
                                        "follow (a reference that could not be ordered; see INDIRECT/OFFSET)")
        except Exception as e:  # noqa: BLE001 - one bad cell never stops the rest
            name = type(e).__name__
            return CalcError("#NAME?" if ("Unknown" in name or "NotImplemented" in name or "not implemented"
                                          in str(e)) else "#VALUE!", _engine_reason(e))

    def evaluate_array(addr: str, ref: str, dynamic: bool = False):
        """The anchor's formula evaluated once in an array context over ``ref`` (the whole result).
        A dynamic array's result is returned as computed (pycel would fit it to ``ref``, broadcasting a
        scalar error over the range), so that :func:`_fit` can spill it as Excel 365 does."""
        from pycel.excelutil import AddressRange, in_array_formula_context
        if dynamic:
            in_array_formula_context.fit_to_range = _as_computed
        try:
            with _quiet():
                key = AddressRange(addr).address                 # pycel's keys are unquoted
                if key not in xl.cell_map:
                    xl._gen_graph(key)
                cell = xl.cell_map.get(key)
                if cell is None or not cell.python_code:
                    return evaluate(addr)
                sheet_ref = AddressRange(f"{addr.rpartition('!')[0]}!{ref}")
                return xl.eval(cell, cse_array_address=sheet_ref)
        except (CellTimeout, MemoryLimit):
            raise
        except Exception as e:  # noqa: BLE001
            return CalcError("#VALUE!", _engine_reason(e))
        finally:
            if dynamic:
                del in_array_formula_context.fit_to_range

    def guarded(fn, *args):
        """``fn(*args)`` within the per-cell time and the run's time and memory budget."""
        if budget.out_of_time():
            return CalcError("#VALUE!", f"not computed: the run took longer than {limits.max_seconds:g} s "
                                        f"({FLAGS['max_seconds']})")
        if budget.over_memory():
            gc.collect()
            if budget.over_memory():
                return CalcError("#NUM!", f"not computed: the run used more than {limits.max_memory_mb:,.0f} MB "
                                          f"({FLAGS['max_memory_mb']})")
        try:
            with budget.cell():
                return fn(*args)
        except CellTimeout:
            _unstick(xl)
            return CalcError("#VALUE!", f"stopped after {min(limits.cell_seconds, limits.max_seconds):g} s "
                                        f"({FLAGS['cell_seconds']}, {FLAGS['max_seconds']})")
        except MemoryLimit:
            _unstick(xl)
            gc.collect()
            return CalcError("#NUM!", f"stopped: the run used more than {limits.max_memory_mb:,.0f} MB "
                                      f"({FLAGS['max_memory_mb']})")

    def put_array(k):
        nonlocal done
        sheet, anchor, ref = arrays[k]
        c1, r1, c2, r2 = range_boundaries(ref)
        dyn = (sheet, anchor) in dynamic
        vals = _fit(guarded(evaluate_array, f"{_qsheet(sheet)}!{anchor}", ref, dyn), r2 - r1 + 1, c2 - c1 + 1, dyn)
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                coord = f"{get_column_letter(c1 + j)}{r1 + i}"
                v = _result(vals[i, j])
                out[f"{sheet}!{coord}"] = v
                _store(xl, sheet, coord, _engine_value(v))
                done += 1
        if bar:
            bar(done, f"{sheet}!{anchor}")

    def put_cell(sheet, coord):
        nonlocal done
        key = f"{sheet}!{coord}"
        out[key] = v = _result(guarded(evaluate, f"{_qsheet(sheet)}!{coord}"))
        if isinstance(v, CalcError) and v.reason:
            _store(xl, sheet, coord, v)          # an interrupted cell keeps its error for its readers
        done += 1
        if bar:
            bar(done, key)

    _CURRENT.append((xl, wb))
    with Budget(limits) as budget, _popping(_CURRENT):
        order, cycles = _evaluation_order(xl, cells, arrays, in_arrays, refused)
        for kind, item in order:
            if kind == "array":
                put_array(item)
            elif kind == "cycle":
                sheet, coord, path_text = item
                err = CalcError("#VALUE!", f"circular reference: {path_text}. Excel warns and shows 0 (or "
                                           "iterates when iterative calculation is on); break the loop")
                out[f"{sheet}!{coord}"] = err
                _store(xl, sheet, coord, err)
                done += 1
            elif f"{item[0]}!{item[1]}" not in out:
                put_cell(*item)
        for sheet, coord in cells:                  # cells the graph could not place (built on demand)
            if f"{sheet}!{coord}" not in out:
                put_cell(sheet, coord)
    out = _in_sheet_order(out, cells, [arrays[w[1]] for w in order if w[0] == "array"])
    _attribute_errors(out, texts)
    if bar:
        bar.close()
    t2 = time.perf_counter()
    out.seconds = {"load": t1 - t0, "calc": t2 - t1, "total": t2 - t0}
    return out


@contextlib.contextmanager
def _popping(stack: list):
    try:
        yield
    finally:
        stack.pop()


def _in_sheet_order(out: Values, cells, arrays=()) -> Values:
    """The cells of array formulas first (in the order computed), then the others in sheet order."""
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    res = Values()
    for sheet, anchor, ref in arrays:
        c1, r1, c2, r2 = range_boundaries(ref)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                k = f"{sheet}!{get_column_letter(c)}{r}"
                if k in out:
                    res[k] = out[k]
    for sheet, coord in cells:
        k = f"{sheet}!{coord}"
        if k in out:
            res[k] = out[k]
    for k, v in out.items():
        if k not in res:
            res[k] = v
    return res


def _store(xl, sheet: str, coord: str, value) -> None:
    """Give a computed cell its value in the engine so that the cells reading it see it."""
    node = xl.cell_map.get(f"{sheet}!{coord}")
    if node is not None:
        node.value = value


def _unstick(xl) -> None:
    """After an interrupted evaluation: pycel's array-formula context must not stay set."""
    from pycel.excelutil import in_array_formula_context
    try:
        in_array_formula_context.ctx_stack[:] = in_array_formula_context.ctx_stack[:1]
    except Exception:  # noqa: BLE001
        pass


def _node_key(sheet: str, coord: str) -> str:
    return f"{sheet}!{coord}"                       # pycel's cell_map keys: the sheet unquoted


def _evaluation_order(xl, cells, arrays, in_arrays, refused):
    """``[(kind, item)]`` with kind ``"cell"`` ((sheet, coord)), ``"array"`` (index into ``arrays``) or
    ``"cycle"`` ((sheet, coord, path)): Kahn's sort of pycel's dependency graph, plus an edge from an
    array formula's anchor to every cell of its range (those cells get their values from it).  Cells on
    a circular reference are reported as such and their readers follow them."""
    import collections
    import networkx as nx
    G = xl.dep_graph
    cmap = xl.cell_map
    what = {}                                        # node -> (kind, item)
    extra: dict = collections.defaultdict(list)
    for k, (sheet, anchor, ref) in enumerate(arrays):
        node = cmap.get(_node_key(sheet, anchor))
        if node is None:
            continue
        what[node] = ("array", k)
    for sheet, coord in cells:
        if (sheet, coord) in in_arrays or f"{sheet}!{coord}" in refused:
            continue
        node = cmap.get(_node_key(sheet, coord))
        if node is not None and node not in what:
            what[node] = ("cell", (sheet, coord))
    if arrays:
        from openpyxl.utils.cell import range_boundaries, get_column_letter
        for k, (sheet, anchor, ref) in enumerate(arrays):
            a = cmap.get(_node_key(sheet, anchor))
            if a is None:
                continue
            c1, r1, c2, r2 = range_boundaries(ref)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    m = cmap.get(_node_key(sheet, f"{get_column_letter(c)}{r}"))
                    if m is not None and m is not a and m in G:
                        extra[a].append(m)
    indeg = dict(G.in_degree())
    for a, ms in extra.items():
        for m in ms:
            indeg[m] = indeg.get(m, 0) + 1
    queue = collections.deque(n for n, d in indeg.items() if d == 0)
    order, placed = [], 0
    cycles = []
    remaining = len(indeg)
    while True:
        while queue:
            n = queue.popleft()
            placed += 1
            w = what.get(n)
            if w is not None:
                order.append(w)
            for s_ in G.successors(n):
                indeg[s_] -= 1
                if indeg[s_] == 0:
                    queue.append(s_)
            for s_ in extra.get(n, ()):
                indeg[s_] -= 1
                if indeg[s_] == 0:
                    queue.append(s_)
        if placed >= remaining:
            break
        rest = [n for n, d in indeg.items() if d > 0]
        sub = nx.DiGraph(G.subgraph(rest))
        for a, ms in extra.items():
            if a in sub:
                sub.add_edges_from((a, m) for m in ms if m in sub)
        progressed = False
        for comp in nx.strongly_connected_components(sub):
            if len(comp) == 1:
                (only,) = comp
                if not sub.has_edge(only, only):
                    continue
            try:
                loop = [str(getattr(x, "address", x)) for x, _ in nx.find_cycle(sub.subgraph(comp))]
            except nx.NetworkXNoCycle:      # pragma: no cover
                loop = [str(getattr(x, "address", x)) for x in comp]
            path_text = " -> ".join(loop[:8] + (["..."] if len(loop) > 8 else []) + [loop[0]])
            for n in comp:
                indeg[n] = 0
                placed += 1
                progressed = True
                w = what.get(n)
                if w is not None and w[0] == "cell":
                    order.append(("cycle", (*w[1], path_text)))
                elif w is not None:
                    cycles.append(w)
                    order.append(w)
            for n in comp:
                for s_ in list(G.successors(n)) + list(extra.get(n, ())):
                    if s_ in comp:
                        continue
                    indeg[s_] -= 1
                    if indeg[s_] == 0:
                        queue.append(s_)
        if not progressed:                  # pragma: no cover - defensive
            break
    return order, cycles


def _attribute_errors(out: Values, texts: dict[str, str]) -> None:
    """Fill ``out.errors``: a cell whose own formula raised keeps the reason; a cell that only received
    an MBS_ error from a cell it reads says so and names the origin (``"from In!B1: MBS_SMM: ..."``)."""
    by_id: dict[int, str] = {}
    by_reason: dict[str, str] = {}
    for key, v in out.items():
        if not isinstance(v, CalcError) or not v.reason:
            continue
        fname = v.reason.split(":", 1)[0]
        if fname.startswith("MBS_") and fname.upper() in texts.get(key, "").upper():
            by_id.setdefault(id(v), key)
            by_reason.setdefault(v.reason, key)
    for key, v in out.items():
        if not isinstance(v, CalcError):
            continue
        reason = v.reason
        fname = reason.split(":", 1)[0]
        if reason and fname.startswith("MBS_") and fname.upper() not in texts.get(key, "").upper():
            origin = by_id.get(id(v)) or by_reason.get(reason)
            reason = f"from {origin}: {reason}" if origin else f"from an input: {reason}"
        out.errors[key] = reason


def _engine_value(v):
    return None if (isinstance(v, str) and v == "") else v


def _build_graph(xl, cells) -> None:
    """Build pycel's dependency graph for all formula cells in one pass.  pycel logs the graph's edge
    count after each build (an O(edges) count), so building cell by cell is quadratic: 14 s instead of
    2 s for a 5,776-cell array formula.  A cell whose formula does not parse makes the bulk build fail;
    then the cells are built in blocks of 256, a failing block cell by cell (that cell gets its own
    error when evaluated).  pycel evaluates the ranges it meets while building; that is deferred to the
    evaluation (in dependency order), which keeps a range over a long chain from recursing."""
    from pycel.excelutil import AddressRange
    addrs = [AddressRange(f"{_qsheet(s)}!{c}") for s, c in cells]
    xl._evaluate_range_later = True
    xl._evaluate_range = lambda address: None
    try:
        try:
            xl._gen_graph(addrs)
        except Exception:  # noqa: BLE001
            xl.graph_todos, xl.range_todos = [], []
            for i in range(0, len(addrs), 256):
                block = [a for a in addrs[i:i + 256] if a.address not in xl.cell_map]
                try:
                    xl._gen_graph(block)
                except Exception:  # noqa: BLE001
                    xl.graph_todos, xl.range_todos = [], []
                    for a in block:
                        try:
                            xl._gen_graph(a)
                        except Exception:  # noqa: BLE001
                            xl.graph_todos, xl.range_todos = [], []
    finally:
        del xl._evaluate_range
        xl.range_todos = []


def _engine_reason(e: BaseException) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    msg = lines[-1] if lines else ""
    m = re.search(r"[Ff]unction[s]?\s*'?([A-Z0-9_.]+)", msg)
    if "Unknown" in type(e).__name__:
        return f"the formula engine has no function {m.group(1) if m else msg}" if msg else "unknown function"
    return f"formula engine: {type(e).__name__}: {msg}"[:240]


@contextlib.contextmanager
def _quiet():
    import logging
    log = logging.getLogger("pycel")
    old = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(old)


# ----------------------------------------------------------------------------------------- writing
def recalc_to(path, out_path, sets: dict | None = None, values: Values | None = None,
              progress: bool = True, keep_formulas: bool = True, limits=None, force: bool = False) -> Values:
    """Write a copy of ``path`` to ``out_path`` carrying the computed values.

    The copy is the original file with only the cached values of formula cells (and of the cells of
    their array ranges) replaced inside the sheet XML, so charts, formats, column widths and
    everything else survive (openpyxl would drop charts on save).  ``sets`` are written into the
    copy as well.  ``keep_formulas=False`` writes a values-only copy (formulas replaced by their
    values), which LibreOffice or Numbers show as computed: they recompute formula cells whose
    functions they do not know (MBS_...) into ``#NAME?``.  Returns the values.

    The copy never replaces ``path`` itself unless ``force`` (:class:`ValueError`); it is written to a
    temporary file beside ``out_path`` and renamed into place, so a failure or a signal leaves no
    partial file, and it gets the input's permission bits.
    """
    from . import _xlsxvalues
    check_out_path(path, out_path, force=force)
    if values is None:
        values = calculate(path, sets=sets, progress=progress, limits=limits)
    plain_sets = {k: v for k, v in (sets or {}).items() if not isinstance(v, SetFormula)}
    _xlsxvalues.write_values(os.fspath(path), os.fspath(out_path), values, sets=plain_sets,
                             keep_formulas=keep_formulas)
    return values


def check_out_path(path, out_path, force: bool = False) -> None:
    """Refuse an output that is the input (unless ``force``), a folder, or in a missing folder."""
    out_path = os.fspath(out_path)
    if os.path.isdir(out_path):
        raise ValueError(f"--out {out_path} is a folder; give the file to write, e.g. "
                         f"{os.path.join(out_path, os.path.basename(os.fspath(path)))}")
    folder = os.path.dirname(os.path.abspath(out_path))
    if not os.path.isdir(folder):
        raise ValueError(f"the output folder does not exist: {folder}")
    same = os.path.exists(out_path) and os.path.samefile(os.fspath(path), out_path)
    if same and not force:
        raise ValueError(f"--out {out_path} is the input workbook; refusing to overwrite it "
                         "(write a copy elsewhere, or add --force)")


def parse_set(text: str, formula: bool = False) -> tuple[str, object]:
    """``"Sheet!B2=0.25"`` -> ``("Sheet!B2", 0.25)``; values: numbers (``25%``, ``1,234``), TRUE/FALSE,
    else text (``Sheet1!A1==2+40`` sets the text ``=2+40``, never a formula).  ``formula=True``
    (``--set-formula``) takes ``Sheet!A1==2+40`` as the formula ``=2+40`` (a :class:`SetFormula`)."""
    from .convert import parse_number_text
    if "=" not in text:
        raise ValueError(f"--set {text!r}: write it as Sheet!B2=0.25")
    addr, _, val = text.partition("=")
    addr = addr.strip()
    if not re.match(r"^(?:'[^']+'|[^!]+)!\$?[A-Za-z]{1,3}\$?\d+$", addr) and not re.match(r"^\$?[A-Za-z]{1,3}\$?\d+$", addr):
        raise ValueError(f"--set {text!r}: {addr!r} is not a cell address like Sheet1!B2")
    v = val.strip()
    if formula:
        if not v.startswith("="):
            raise ValueError(f"--set-formula {text!r}: write the formula after the cell, e.g. Sheet!B2==A1*2")
        return addr, SetFormula(v)
    x = parse_number_text(v)
    if x is not None:
        return addr, x
    if v.upper() in ("TRUE", "FALSE"):
        return addr, v.upper() == "TRUE"
    if len(v) >= 2 and v[0] == v[-1] == '"':
        v = v[1:-1]
    return addr, v
