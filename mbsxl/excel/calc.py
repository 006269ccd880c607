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

from . import _intersect, _patterns, _write
from . import _fix_arith, _fix_array
from ._load import SetFormula, _apply_sets, _load_checked, _prepare
from . import _pycel_speed, _runmemo
from ._pycel_plugin import (_CURRENT, call_cache_reset, _build_graph, _engine_reason, _evaluation_order, _node_key,
                            _plugin_module, _qsheet, _quiet, _store, _unstick)
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
        self.calls: dict = {}            # MBS_ calls: calls, hits (cache), seconds converting and in the core


def _as_computed(result):
    """Stands in for pycel's ``fit_to_range`` while a dynamic array is evaluated."""
    return result


def _fit(result, rows: int, cols: int, dynamic: bool = False, empty_is_zero: bool = False,
         pad_zero: bool = False, pad=None) -> np.ndarray:
    """An array formula's result fitted to its stored range as Excel does.

    Legacy (Ctrl+Shift+Enter) range: a scalar fills it, a single row or column repeats, a larger
    result is cut, a smaller one is padded with #N/A.  Dynamic array (Excel 365): the result spills
    as it is, so a scalar (an error too) stands in the anchor alone and the rest of the stored range
    is empty; a larger result is cut (this engine does not spill beyond the stored range).
    ``empty_is_zero``: an empty cell read by a legacy array formula shows 0, as in Excel (not for MBS_
    results, whose empty cells stay empty as xlwings writes them); ``pad_zero``: the formula is a bare
    reference (``=Data!1:1``), cut by the engine at the used extent, so the cells beyond hold 0."""
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
    if empty_is_zero:
        src[np.equal(src, None)] = 0
    if dynamic:
        out[:] = 0 if pad_zero else None
        if isinstance(result, CalcError) and result.reason.startswith("unsupported"):
            out[:] = result                # a refusal covers the range Excel filled, not the anchor alone
        out[: min(h, rows), : min(w, cols)] = src[:rows, :cols]
        return out
    if pad_zero and (h < rows or w < cols):
        big = np.zeros((max(h, rows), max(w, cols)), dtype=object)
        big[:h, :w] = src
        src, h, w = big, big.shape[0], big.shape[1]
    for i in range(rows):
        for j in range(cols):
            si = 0 if h == 1 else i
            sj = 0 if w == 1 else j
            out[i, j] = src[si, sj] if (si < h and sj < w) else (CalcError("#N/A", "") if pad is None else pad)
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
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > _MAX_DOUBLE:
        return CalcError("#NUM!", "a number beyond Excel's largest, 1.8E+308")
    return v


_MAX_DOUBLE = 1.7976931348623157e308
_BARE_REF = re.compile(r"^=\s*(?:'(?:[^']|'')+'!|[A-Za-z0-9_.]+!)?\$?[A-Za-z]{0,3}\$?\d*(?::\$?[A-Za-z]{0,3}\$?\d*)?\s*$")


def _settled(xl, value, sheet: str, coord: str, formula: str):
    """An ordinary formula's raw result as Excel shows it: a reference (OFFSET, INDIRECT) is the value
    of its cell in this formula's row or column (implicit intersection; none: #VALUE!); a computed
    array shows its first value, a range of several cells from INDEX is refused."""
    from pycel.excelutil import is_address, list_like
    from openpyxl.utils.cell import coordinate_to_tuple
    if is_address(value):
        if value.is_range:
            row, col = coordinate_to_tuple(coord)
            one = _intersect._intersection(value.address, row, col)
            if one is None:
                one = value.address
            if one == "#VALUE!":
                return CalcError("#VALUE!", "")
            value = AddressRange_(one)
        v = xl.evaluate(value.address)
        return 0 if v is None else v            # a formula showing an empty cell shows 0
    if list_like(value):
        cells = [x for r in value for x in (r if list_like(r) else (r,))]
        if len(cells) > 1 and "INDEX(" in formula.upper():
            return CalcError("#VALUE!", "unsupported: the formula's result is a range of several cells (INDEX "
                                        "with row or column 0); Excel takes the cell in this row or column")
        if cells:
            return cells[0]
    return value


def AddressRange_(text):   # noqa: N802 - pycel's class, imported late
    from pycel.excelutil import AddressRange
    return AddressRange(text)


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


def calculate(path, sets: dict | None = None, progress: bool = True, limits=None, isolate: bool = False) -> Values:
    """Recalculate every formula of the workbook at ``path``; return ``"Sheet!A1" -> value``.

    ``sets`` overrides input cells first (``{"Sheet1!B2": 0.25}``; values, never formulas).  Error cells
    hold the error's text (``"#VALUE!"``, a :class:`CalcError` carrying ``.reason``) and are listed with
    their reason in the result's ``.errors``.  ``limits`` (:class:`mbsxl.excel.limits.Limits`) bounds the
    run: a load limit raises :class:`~mbsxl.excel.limits.LimitExceeded`; a formula, time or memory
    limit makes the cells concerned errors with a reason and the rest computes.  Never raises for a bad
    formula or bad input; raises only when the file cannot be read or exceeds a load limit.
    ``isolate=True`` (what ``mbsxl calc`` does) runs the load and the evaluation in a child process
    whose memory and wall time the limits cap (:func:`mbsxl.excel.limits.run_isolated`): a single
    huge allocation (``REPT("a",1E10)``) fails in its cell, and a load that would not end raises
    :class:`~mbsxl.excel.limits.LimitExceeded` after ``max_seconds``.  The time limit counts from the
    start of the load.

    Cells are evaluated in topological order of the dependency graph (a cell after the cells it reads),
    so the engine's recursion stays shallow however long a chain is (a 360-row roll-back); a circular
    reference is named in its cells' reason.

    This is the pycel engine: a tape the columnar path models (:mod:`mbsxl.excel._columnar`), else the
    stages :func:`_pycel_load`, :func:`_pycel_compile`, :func:`_pycel_evaluate`.  The evaluator
    interface (:mod:`mbsxl.excel.engine`: ``get_engine("pycel")`` runs these stages,
    ``get_engine("formualizer")`` the other engine for ``bench/engine_compare.py``) sits on top of this
    module, never under it.
    """
    from .limits import Limits
    limits = limits or Limits()
    if isolate:
        from .limits import run_isolated
        return run_isolated(calculate, path, sets=sets, progress=progress, limits=limits)
    from . import _columnar                   # a tape's formula columns as numpy expressions (issue 21)
    fast = _columnar.calculate(path, limits=limits, sets=sets)
    if fast is not None:
        return fast
    from . import _heap
    with _heap.frozen():                      # the collector skips what each stage keeps (issue 21)
        st = _pycel_load(path, sets, limits, progress)
        _pycel_compile(st)
        return _pycel_evaluate(st, limits, progress)


OVERFLOW_REASON = "a number beyond Excel's largest, 1.8E+308, in the middle of the formula"


def _overflowed(e: BaseException) -> bool:
    """The engine failed on a number beyond a float's range inside a formula (``SUM(A1:A3)/2`` with
    A1:A3 = -1E+308: pycel's SUM gives an integer past 1.8E+308 and ``/`` cannot convert it); Excel's
    answer is #NUM! (found by tests/test_columnar.py's random tapes)."""
    return isinstance(e, OverflowError) or "OverflowError" in str(e)


class _Loaded:
    """What the pycel engine's stages hand on (:mod:`mbsxl.excel.engine`): the workbook read and its
    formulas checked (:func:`_pycel_load`), then the compiler and its graph (:func:`_pycel_compile`)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _pycel_load(path, sets, limits, progress: bool) -> _Loaded:
    """Read the workbook (load limits first), apply ``sets``, check and rewrite every formula."""
    from . import formula_guard as fg
    fg.harden_pycel()
    from . import _fn_lambda
    _fn_lambda.set_limits(limits)                 # MAKEARRAY, TEXTSPLIT: --max-array-cells
    from . import _pycel_speed
    _pycel_speed.install()
    t0 = time.perf_counter()
    started = time.monotonic()
    notice = None
    if progress:
        import threading
        notice = threading.Timer(PROGRESS_AFTER, lambda: print(
            f"mbsxl calc: reading {os.path.basename(os.fspath(path))} and compiling its formulas ...",
            file=sys.stderr, flush=True))
        notice.daemon = True
        notice.start()
    from . import _tokens
    tokens: dict = {}                             # this run's formula tokens (_tokens.per_run)
    from . import _heap
    _heap.checkpoint()                            # what the process holds already (modules, caches)
    try:
        wb = _load_checked(os.fspath(path), limits)
        _heap.checkpoint()                        # the workbook's cells: kept to the end
        dynamic = dynamic_array_anchors(os.fspath(path))
        _apply_sets(wb, sets)
        with _tokens.per_run(tokens):
            cells, arrays, used, texts, refused = _prepare(wb, limits)
            from . import _fn_refs
            _fn_refs.apply(wb, cells, arrays, texts, refused)   # typed values, ISREF, ISFORMULA (issue 21)
            _patterns.apply(wb, cells, arrays, texts, refused, CalcError)   # uses that differ from Excel (issue 21)
        _heap.checkpoint()
    except BaseException:
        if notice is not None:
            notice.cancel()
        raise
    return _Loaded(path=path, wb=wb, dynamic=dynamic, cells=cells, arrays=arrays, used=used, texts=texts,
                   refused=refused, t0=t0, started=started, notice=notice, tokens=tokens)


def _pycel_compile(st: _Loaded) -> None:
    """The MBS_ functions the formulas call registered as a pycel plug-in (:func:`_plugin_module`), the
    compiler and its dependency graph built (``st.xl``, ``st.in_arrays``)."""
    from pycel import ExcelCompiler
    from pycel.excelwrapper import ExcelOpxWrapperNoData
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    from . import _pycel_speed
    wb, arrays, cells, refused = st.wb, st.arrays, st.cells, st.refused
    try:
        plugin = _plugin_module(st.used)
        with _quiet():
            in_arrays = set()
            for sheet, anchor, ref in arrays:
                c1, r1, c2, r2 = range_boundaries(ref)
                in_arrays.update((sheet, f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1)
                                 for c in range(c1, c2 + 1))
            from . import _tokens
            with _tokens.per_run(getattr(st, "tokens", None) or {}):    # the run's tokens, to the graph
                _intersect.apply(wb, cells, in_arrays, st.dynamic)   # implicit intersection, ROW()/COLUMN() (issue 21)
                excel = ExcelOpxWrapperNoData(wb, filename=os.path.abspath(os.fspath(st.path)))
                xl = ExcelCompiler(excel=excel, plugins=[plugin.__name__], cycles=False)
                _pycel_speed.install_value_ranges(          # the ranges read whole: arrays' and refused cells
                    xl, [(s.lower(), *range_boundaries(ref)) for s, _, ref in arrays]
                    + [(k.rpartition("!")[0].lower(), *range_boundaries(k.rpartition("!")[2])) for k in refused],
                    arrays)
                _build_graph(xl, [k for k in cells if k not in in_arrays and f"{k[0]}!{k[1]}" not in refused]
                             + [(s, a) for s, a, _ in arrays])
            st.tokens = None                        # the run's tokens are not needed after this
            _pycel_speed.link_boxes(xl, _node_key)
    finally:
        if st.notice is not None:
            st.notice.cancel()
    from . import _heap
    _heap.checkpoint()                            # pycel's cells, graph and code: kept to the end
    st.xl, st.in_arrays, st.t1 = xl, in_arrays, time.perf_counter()


def _pycel_evaluate(st: _Loaded, limits, progress: bool) -> Values:
    """Every formula cell evaluated in dependency order within the limits; the values."""
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    from .limits import Budget, CellTimeout, FLAGS, MemoryLimit
    wb, xl, cells, arrays, in_arrays = st.wb, st.xl, st.cells, st.arrays, st.in_arrays
    texts, refused, dynamic, t0, started, t1 = st.texts, st.refused, st.dynamic, st.t0, st.started, st.t1
    out = Values()
    for key, err in refused.items():
        out[key] = err
    bar = _Progress(len(cells)) if progress else None
    done = 0

    def evaluate(addr: str, sheet: str | None = None, coord: str | None = None):
        try:
            with _quiet():
                if sheet is not None:
                    cell = xl.cell_map.get(f"{sheet}!{coord}")
                    if cell is not None and cell.needs_calc and getattr(cell, "python_code", None):
                        from pycel.excelutil import in_array_formula_context
                        in_array_formula_context.fit_to_range = _as_computed     # the raw result
                        try:
                            raw = xl.eval(cell)
                        finally:
                            del in_array_formula_context.fit_to_range
                        cell.value = v = _settled(xl, raw, sheet, coord, texts.get(f"{sheet}!{coord}", ""))
                        return v
                return xl.evaluate(addr)
        except MemoryError:
            raise
        except RecursionError:
            return CalcError("#VALUE!", "the chain of cells this formula reads is deeper than the engine can "
                                        "follow (a reference that could not be ordered; see INDIRECT/OFFSET)")
        except Exception as e:  # noqa: BLE001 - one bad cell never stops the rest
            name = type(e).__name__
            if _overflowed(e):
                return CalcError("#NUM!", OVERFLOW_REASON)
            return CalcError("#NAME?" if ("Unknown" in name or "NotImplemented" in name or "not implemented"
                                          in str(e)) else "#VALUE!", _engine_reason(e))

    def evaluate_array(addr: str, ref: str, dynamic: bool = False):
        """The anchor's formula evaluated once in an array context over ``ref`` (the whole result).
        A dynamic array's result is returned as computed (pycel would fit it to ``ref``, broadcasting a
        scalar error over the range), so that :func:`_fit` can spill it as Excel 365 does."""
        from pycel.excelutil import AddressRange, in_array_formula_context, is_address
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
                result = xl.eval(cell, cse_array_address=sheet_ref)
                if is_address(result):            # OFFSET/INDIRECT gave a reference: its values
                    ref_size, result = result.size, xl.evaluate(result.address)
                    if isinstance(result, tuple) and result and not isinstance(result[0], tuple):
                        result = (result,) if ref_size.height == 1 else tuple((x,) for x in result)   # a row
                return result
        except (CellTimeout, MemoryLimit, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001
            return CalcError("#NUM!", OVERFLOW_REASON) if _overflowed(e) else CalcError("#VALUE!", _engine_reason(e))
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
            if budget.grown() > budget.cap:              # a fresh reading after collecting
                return CalcError("#NUM!", f"not computed: the run used more than {limits.max_memory_mb:,.0f} MB "
                                          f"({FLAGS['max_memory_mb']})")
        try:
            with budget.cell():
                return fn(*args)
        except CellTimeout:
            _unstick(xl)
            return CalcError("#VALUE!", f"stopped after {min(limits.cell_seconds, limits.max_seconds):g} s "
                                        f"({FLAGS['cell_seconds']}, {FLAGS['max_seconds']})")
        except (MemoryLimit, MemoryError):
            _unstick(xl)
            gc.collect()
            return CalcError("#NUM!", f"stopped: the run used more than {limits.max_memory_mb:,.0f} MB "
                                      f"({FLAGS['max_memory_mb']})")

    def put_array(k):
        nonlocal done
        sheet, anchor, ref = arrays[k]
        c1, r1, c2, r2 = range_boundaries(ref)
        dyn = (sheet, anchor) in dynamic
        pad = _fix_array.pad_value(texts.get(f"{sheet}!{anchor}", ""))     # raw result when padding differs
        vals = _fit(guarded(evaluate_array, f"{_qsheet(sheet)}!{anchor}", ref, dyn or pad is not None),
                    r2 - r1 + 1, c2 - c1 + 1, dyn,
                    empty_is_zero="MBS_" not in texts.get(f"{sheet}!{anchor}", "").upper(),
                    pad_zero=bool(_BARE_REF.match(texts.get(f"{sheet}!{anchor}", ""))), pad=pad)
        # cell by cell as _result, _engine_value and _store do, in one pass: a finite float as it is
        heads = [f"{sheet}!{get_column_letter(c1 + j)}" for j in range(vals.shape[1])]
        node_of, finite = xl.cell_map.get, math.isfinite
        rows = []
        for i, vrow in enumerate(vals.tolist(), start=r1):
            r = str(i)
            keys = [head + r for head in heads]
            vs = [x if (x.__class__ is float and finite(x)) else _result(x) for x in vrow]
            out.update(zip(keys, vs))
            row = [v if v.__class__ is float or not (isinstance(v, str) and v == "") else None for v in vs]
            for key, v in zip(keys, row):
                node = node_of(key)
                if node is not None:
                    node.value = v
            rows.append(row)
        done += vals.shape[0] * vals.shape[1]
        _pycel_speed.store_box(xl, sheet, anchor, rows)        # for the ranges read inside it
        if bar:
            bar(done, f"{sheet}!{anchor}")

    def put_cell(sheet, coord):
        nonlocal done
        key = f"{sheet}!{coord}"
        out[key] = v = _result(guarded(evaluate, f"{_qsheet(sheet)}!{coord}", sheet, coord))
        v = _fix_arith.after_cell(xl, texts, out, sheet, coord, v)      # Excel's last +/- (issue 21)
        if isinstance(v, CalcError) and v.reason:
            _store(xl, sheet, coord, v)          # an interrupted cell keeps its error for its readers
        done += 1
        if bar:
            bar(done, key)

    iterate = _iteration_settings(wb)
    call_cache_reset()
    _CURRENT.append((xl, wb))
    with Budget(limits, t0=started) as budget, _popping(_CURRENT), _runmemo.scope(), _quiet():
        order, cycles = _evaluation_order(xl, cells, arrays, in_arrays, refused,
                                          _huge_reads(wb, cells, arrays, in_arrays, refused))
        for kind, item in order:
            if kind == "array":
                if iterate is None and ("array", item) in cycles:       # on a circular reference
                    done += _fix_array.refuse_cycle(xl, out, arrays[item])
                    continue
                put_array(item)
            elif kind == "cycle":
                sheet, coord, path_text, members = item
                if f"{sheet}!{coord}" in out:
                    continue
                if iterate is not None:
                    for key, v in _iterate(xl, members, *iterate).items():
                        out[key] = v
                        done += 1
                    continue
                err = CalcError("#VALUE!", f"circular reference: {path_text}. Excel warns and shows 0, or "
                                           "iterates when the workbook turns iterative calculation on (File > "
                                           "Options > Formulas); break the loop or turn it on")
                out[f"{sheet}!{coord}"] = err
                _store(xl, sheet, coord, err)
                done += 1
            elif f"{item[0]}!{item[1]}" not in out:
                put_cell(*item)
        for sheet, coord in cells:                  # cells the graph could not place (built on demand)
            if f"{sheet}!{coord}" not in out:
                put_cell(sheet, coord)
    out = _in_sheet_order(out, cells, [arrays[w[1]] for w in order if w[0] == "array"])
    _upstream_reasons(xl, out)
    _fix_array.spread_reasons(out, arrays)
    _attribute_errors(out, texts)
    if bar:
        bar.close()
    t2 = time.perf_counter()
    out.seconds = {"load": t1 - t0, "calc": t2 - t1, "total": t2 - t0}
    out.calls = call_cache_reset()
    _pycel_speed.clear_caches()
    from . import _fn_ranges
    _fn_ranges.clear_caches()                 # the big ranges SUM/SUMIFS/... worked out this run
    return out


_SPARSE_CALL = re.compile(r'MBSXL_RANGE\("((?:[^"]|"")*)",(\d+),(\d+),(\d+),(\d+)\)')


def _huge_reads(wb, cells, arrays, in_arrays, refused):
    """``[(address, sources, readers)]``: for each range over 65,536 cells (which the formula guard
    writes as ``MBSXL_RANGE("Sheet",c1,r1,c2,r2)``), the formula cells inside it (array formulas: their
    anchor) and the cells reading it, as pycel's keys.  Found per column by bisection over the sorted
    rows of each sheet's formula cells, so a range costs the formula cells it holds."""
    import bisect
    import collections
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string, range_boundaries
    readers: dict = collections.defaultdict(list)
    for sheet, coord in cells:
        if (sheet, coord) in in_arrays or f"{sheet}!{coord}" in refused:
            continue
        v = wb[sheet][coord].value
        text = getattr(v, "text", v)
        if isinstance(text, str) and "MBSXL_RANGE(" in text:
            for m in _SPARSE_CALL.finditer(text):
                readers[(m.group(1).replace('""', '"'), *map(int, m.groups()[1:]))].append(f"{sheet}!{coord}")
    if not readers:
        return []
    index: dict = collections.defaultdict(lambda: collections.defaultdict(list))  # sheet -> col -> rows
    for sheet, coord in cells:
        if (sheet, coord) in in_arrays or f"{sheet}!{coord}" in refused:
            continue
        col, row = coordinate_from_string(coord)
        index[sheet][column_index_from_string(col)].append((row, coord))
    for cols in index.values():
        for rows in cols.values():
            rows.sort()
    out = []
    for (sheet, c1, r1, c2, r2), who in readers.items():
        sources = []
        for col, rows in index.get(sheet, {}).items():
            if c1 <= col <= c2:
                i = bisect.bisect_left(rows, (r1, ""))
                while i < len(rows) and rows[i][0] <= r2:
                    sources.append(f"{sheet}!{rows[i][1]}")
                    i += 1
        for s_, anchor, ref in arrays:
            a1, b1, a2, b2 = range_boundaries(ref)
            if s_ == sheet and a1 <= c2 and c1 <= a2 and b1 <= r2 and r1 <= b2:
                sources.append(f"{sheet}!{anchor}")
        out.append((f"{sheet}!R{r1}C{c1}:R{r2}C{c2}", sources, who))
    return out


def _iteration_settings(wb):
    """``(max iterations, max change)`` when the workbook turns on iterative calculation (its
    ``<calcPr iterate="1">``, with ``iterateCount`` and ``iterateDelta``; Excel's defaults 100 and 0.001,
    ECMA-376 18.2.2), else None."""
    calc = getattr(wb, "calculation", None)
    if calc is None or not getattr(calc, "iterate", False):
        return None
    count = getattr(calc, "iterateCount", None) or 100
    delta = getattr(calc, "iterateDelta", None)
    return int(min(max(count, 1), 32767)), float(0.001 if delta is None else delta)


def _iterate(xl, members, count: int, delta: float) -> dict:
    """Excel's iterative calculation of one circular reference: the loop's cells start at 0 and are
    recalculated in the workbook's cell order, each reading the latest values, until no value changes by
    ``delta`` or more, at most ``count`` times.  Excel recalculates in its own calculation-chain order,
    so a loop that has not converged within ``count`` passes can end at other values than Excel's."""
    nodes = [(s, c, xl.cell_map.get(f"{s}!{c}")) for s, c in members]
    nodes = [(s, c, n) for s, c, n in nodes if n is not None]
    ranges = [n for n in xl.dep_graph.nodes if getattr(n, "address", None) is not None
              and getattr(n.address, "is_range", False)
              and any(p in xl.dep_graph and xl.dep_graph.has_edge(p, n) for _, _, p in nodes)]
    for _, _, n in nodes:
        n.value = 0
    values: dict = {}
    for _ in range(count):
        change = 0.0
        for r in ranges:
            r.value = None
        for s, c, n in nodes:
            try:
                with _quiet():
                    new = _result(xl.eval(n))
            except Exception as e:  # noqa: BLE001
                new = CalcError("#VALUE!", _engine_reason(e))
            old = values.get(f"{s}!{c}", 0)
            if isinstance(new, (int, float)) and isinstance(old, (int, float)) and not isinstance(new, bool):
                change = max(change, abs(new - old))
            elif new != old:
                change = math.inf
            values[f"{s}!{c}"] = new
            n.value = new if new is not None else 0
        if change < delta:
            break
    return values


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
    missing = object()
    for sheet, anchor, ref in arrays:
        c1, r1, c2, r2 = range_boundaries(ref)
        heads = [f"{sheet}!{get_column_letter(c)}" for c in range(c1, c2 + 1)]      # row by row, as before
        for r in range(r1, r2 + 1):
            for head in heads:
                k = f"{head}{r}"
                v = out.get(k, missing)
                if v is not missing:
                    res[k] = v
    for sheet, coord in cells:
        k = f"{sheet}!{coord}"
        v = out.get(k, missing)
        if v is not missing:
            res[k] = v
    for k, v in out.items():
        if k not in res:
            res[k] = v
    return res


def _upstream_reasons(xl, out: Values, limit: int = 400) -> None:
    """An error cell without a reason that reads (directly or through other cells, up to ``limit``
    cells back) a cell whose error has one gets ``"from Sheet!A1: <reason>"``: a cell that is an
    error only because a formula it reads was refused says so."""
    G = getattr(xl, "dep_graph", None)
    if G is None:
        return
    cmap = xl.cell_map
    for key, v in list(out.items()):
        if not isinstance(v, CalcError) or v.reason:
            continue
        node = cmap.get(key)
        if node is None or node not in G:
            continue
        seen, queue, found = {node}, [node], None
        while queue and len(seen) < limit and found is None:
            n = queue.pop(0)
            for p in G.predecessors(n):
                if p in seen:
                    continue
                seen.add(p)
                src = out.get(str(getattr(p, "address", "")).replace("'", ""))
                if isinstance(src, CalcError) and src.reason and not src.reason.startswith("from "):
                    found = (str(p.address), src.reason)
                    break
                queue.append(p)
        if found:
            out[key] = CalcError(str(v), f"from {found[0]}: {found[1]}"[:300])


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
              progress: bool = True, keep_formulas: bool = True, limits=None, force: bool = False,
              isolate: bool = False) -> Values:
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
        values = calculate(path, sets=sets, progress=progress, limits=limits, isolate=isolate)
    from . import _columnar
    if not (isinstance(values, _columnar.ColumnValues) and not sets
            and _columnar.write(path, out_path, values, keep_formulas=keep_formulas)):
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
