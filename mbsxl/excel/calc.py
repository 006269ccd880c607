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

Layout: this module holds the public API (:func:`calculate`, :func:`recalc_to`, :func:`parse_set`,
:class:`Values`) and the evaluation loop; reading and preparing the workbook is
:mod:`mbsxl.excel._load`, everything touching pycel (plug-in, graph, order; the pycel internals relied
on are listed there) :mod:`mbsxl.excel._pycel_plugin`, the ``--out`` copy :mod:`mbsxl.excel._write`
(over :mod:`mbsxl.excel._xlsxvalues`), address parsing :mod:`mbsxl.excel.addresses`.
"""
from __future__ import annotations

import contextlib
import gc
import math
import os
import re
import sys
import time

import numpy as np

from . import _write
from ._load import SetFormula, _apply_sets, _load_checked, _prepare
from ._pycel_plugin import (_CURRENT, _build_graph, _engine_reason, _evaluation_order, _plugin_module, _qsheet,
                            _quiet, _store, _unstick)
from ._write import check_out_path
from ._xlsxvalues import dynamic_array_anchors
from .errors import CalcError

__all__ = ["calculate", "recalc_to", "parse_set", "Values", "CalcError", "SetFormula", "check_out_path"]

PROGRESS_AFTER = 2.0          # seconds before progress is shown


class Values(dict):
    """``"Sheet!A1" -> value`` for every formula cell; ``.errors`` maps error cells to their reason
    (``""`` when the error came from an input or an upstream cell); ``.seconds`` load/calc timings."""

    def __init__(self):
        super().__init__()
        self.errors: dict[str, str] = {}
        self.seconds: dict[str, float] = {}


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
        # a terminal gets one line redrawn in place; a log or pipe gets plain lines, one every 5 s
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, label: str = "") -> None:
        now = time.perf_counter()
        if now - self.t0 < PROGRESS_AFTER or (now - self.last < (0.5 if self.tty else 5.0) and done < self.total):
            return
        self.last, self.shown = now, True
        pct = 100.0 * done / max(self.total, 1)
        line = f"mbsxl calc: {done:,}/{self.total:,} formula cells ({pct:.0f}%), {now - self.t0:.1f} s {label}"
        if not self.tty:
            print(line.rstrip(), file=self.stream, flush=True)
            return
        pad = max(0, self.width - len(line))          # blank out the rest of a longer previous line
        self.width = len(line)
        print("\r" + line + " " * pad, end="", file=self.stream, flush=True)

    def close(self):
        if self.shown and self.tty:
            print(file=self.stream, flush=True)


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
    check_out_path(path, out_path, force=force)
    if values is None:
        values = calculate(path, sets=sets, progress=progress, limits=limits)
    _write.write_copy(path, out_path, values, sets=sets, keep_formulas=keep_formulas)
    return values


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
