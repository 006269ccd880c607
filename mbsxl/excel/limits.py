"""Resource limits of headless recalculation (issue 11): each has a default, a ``mbsxl calc`` flag and
a message that names the flag.

At load (:func:`precheck`, before openpyxl parses anything): the inflated size of the package (every
zip entry is inflated in chunks and counted, not trusted from its header), the number of cells and of
sheets, and XML that declares a DTD or entities (an XML bomb; openpyxl also parses through ``defusedxml`` when it
is installed, which the ``calc`` extra does).  At compile time: the formula length and the cells of one
range, the width and depth of defined names expanded into one formula (:mod:`mbsxl.excel.formula_guard`),
the cells of array formulas' ranges (:func:`mbsxl.excel._load._prepare`; a larger one is an error
cell, never expanded).  At evaluation (:class:`Budget`): the seconds one cell may
take, the seconds of the whole run, and the memory the run may add to the process.

The cell limit bounds what the path that will hold the cells costs.  The ordinary (pycel) path holds
about 18 KB per formula cell (openpyxl's cell objects, the compiled formula and its graph node: 484 s
and a 9 GB peak for the 500,006 formulas of a 100,000-row tape, issue 21), so ``--max-cells`` keeps
5,000,000.  The columnar path (:mod:`mbsxl.excel._columnar`) holds a tape as per-column numpy arrays:
about 100 bytes a cell (867 MB peak for the 9,000,006 cells of a 1,000,000-row tape, numba and the
interpreter included), so it reads up to ``--max-columnar-cells``, 30,000,000 (about 3 GB, inside the
default ``--max-memory-mb`` of 4,096).  A workbook the columnar path reads and then declines goes to
the ordinary path, whose ``precheck`` refuses it above ``--max-cells``; ``--max-memory-mb`` remains the
hard bound on either path.

Every stage (:func:`run_isolated`, which ``mbsxl calc`` uses): the load and the evaluation run in a
child process whose address space is capped (``RLIMIT_AS``: its size when it starts plus
``--max-memory-mb``, so one huge allocation such as ``REPT("a",1E10)`` fails at once with
``MemoryError`` instead of growing past the watchdog) and which the parent kills when
``--max-seconds`` (plus a grace of :data:`GRACE_SECONDS` for handing the values back) has passed.

>>> values = run_isolated(calculate, "book.xlsx", limits=Limits(max_memory_mb=500, max_seconds=10))  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import math
import os
import signal
import threading
import time
import zipfile


@dataclasses.dataclass
class Limits:
    max_unzipped_mb: float = 1024.0       # --max-unzipped-mb: the package inflated
    max_cells: int = 5_000_000            # --max-cells: cells of all sheets (<c> elements), ordinary path
    max_columnar_cells: int = 30_000_000  # --max-columnar-cells: the same, for a tape the columnar path reads
    max_formula_chars: int = 8192         # --max-formula-chars (Excel's own limit)
    max_range_cells: int = 4_200_000      # --max-range-cells: one range, after cutting at the used extent
    cell_seconds: float = 60.0            # --cell-seconds: one formula cell
    max_seconds: float = 900.0            # --max-seconds: the whole evaluation
    max_memory_mb: float = 4096.0         # --max-memory-mb: memory the run may add to the process
    max_sheets: int = 1_000               # --max-sheets: worksheets of the workbook
    max_array_cells: int = 2_000_000      # --max-array-cells: cells of all multi-cell array formulas' ranges
    max_name_depth: int = 8               # --max-name-depth: defined names nested in defined names
    max_name_expansions: int = 256        # --max-name-expansions: defined names expanded for one formula

    def __post_init__(self):
        """Every limit a finite number above zero; the memory limit at least :data:`MIN_MEMORY_MB` (below
        that the isolated child cannot even start its threads, and a thread that fails to start after
        ``fork`` would hang instead of failing)."""
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{FLAGS_OF[f.name]} {v!r} is not allowed; accepted: a finite number above 0")
        if self.max_memory_mb < MIN_MEMORY_MB:
            raise ValueError(f"{FLAGS_OF['max_memory_mb']} {self.max_memory_mb:g} is too small to load any "
                             f"workbook; accepted: {MIN_MEMORY_MB} or more (MB)")


MIN_MEMORY_MB = 64
FLAGS_OF = {"max_unzipped_mb": "--max-unzipped-mb"}          # filled below, once the class exists


FLAGS = {f.name: "--" + f.name.replace("_", "-") for f in dataclasses.fields(Limits)}
FLAGS_OF.update(FLAGS)


class LimitExceeded(Exception):
    """The workbook exceeds a load limit; the message says which and names the flag."""


class CellTimeout(BaseException):
    """Raised inside a formula's evaluation when its time is up (a BaseException so that the engine's
    own ``except Exception`` does not swallow it)."""


class MemoryLimit(BaseException):
    """Raised inside a formula's evaluation when the run's memory budget is spent."""


_CHUNK = 1 << 20


def precheck(path, limits: Limits, skip=()) -> dict:
    """Inflate every entry of the package in 1 MB chunks, counting bytes (stopping at the limit), cells
    of worksheet parts and DTD declarations.  Raises :class:`LimitExceeded` or ``zipfile.BadZipFile``;
    returns ``{"bytes": ..., "cells": ...}``.  ``skip``: parts the caller inflates itself under the same
    checks, counting on from these totals (the columnar reader, :class:`SheetBudget`)."""
    cap = int(limits.max_unzipped_mb * 1024 * 1024)
    total = cells = 0
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > 10_000:
            raise LimitExceeded(f"the package has {len(infos):,} entries; a workbook has a few dozen")
        try:
            book = z.read("xl/workbook.xml") if "xl/workbook.xml" in z.namelist() else b""
        except Exception:  # noqa: BLE001 - a broken part is openpyxl's to report
            book = b""
        if len(book) <= cap:
            sheets = book.count(b"<sheet ") + book.count(b":sheet ")
            if sheets > limits.max_sheets:
                raise LimitExceeded(f"the workbook has {sheets:,} sheets; the limit is {limits.max_sheets:,} "
                                    f"(raise {FLAGS['max_sheets']} if it is genuine)")
        for info in infos:
            if info.filename in skip:
                continue
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            xml = info.filename.endswith((".xml", ".rels", ".vml"))
            tail = b""
            with z.open(info) as f:
                while True:
                    chunk = f.read(_CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > cap:
                        raise LimitExceeded(
                            f"the workbook inflates to more than {limits.max_unzipped_mb:,.0f} MB "
                            f"(at {info.filename}; {os.path.getsize(path):,} bytes on disk); "
                            f"raise {FLAGS['max_unzipped_mb']} if it is genuine")
                    if xml:
                        buf = tail + chunk
                        if b"<!DOCTYPE" in buf or b"<!ENTITY" in buf:
                            raise LimitExceeded(
                                f"{info.filename} declares a DTD or XML entities, which a workbook never "
                                "does (an XML bomb such as 'billion laughs'); refused")
                        if sheet:
                            cells += buf.count(b"<c ") + buf.count(b"<c>") - tail.count(b"<c ") - tail.count(b"<c>")
                            if cells > limits.max_cells:
                                raise LimitExceeded(
                                    f"the workbook has more than {limits.max_cells:,} cells (at {info.filename}); "
                                    f"raise {FLAGS['max_cells']} if it is genuine")
                        tail = buf[-16:]
    return {"bytes": total, "cells": cells}


class SheetBudget:
    """The load limits of :func:`precheck` for parts it skipped, checked while a streaming reader
    inflates them: the inflated bytes and the cells counted on from ``precheck``'s totals, and any DTD
    or entity declaration refused, with ``precheck``'s messages."""

    def __init__(self, limits: Limits, info: dict, path, cells_field: str = "max_cells"):
        self.limits, self.path = limits, path
        self.cells_field = cells_field               # the limit on cells: "max_columnar_cells" on that path
        self.bytes, self.cells = info["bytes"], info["cells"]
        self.cap = int(limits.max_unzipped_mb * 1024 * 1024)
        self.tail = b""

    def inflated(self, part: str, data: bytes) -> None:
        self.bytes += len(data)
        if self.bytes > self.cap:
            raise LimitExceeded(
                f"the workbook inflates to more than {self.limits.max_unzipped_mb:,.0f} MB "
                f"(at {part}; {os.path.getsize(self.path):,} bytes on disk); "
                f"raise {FLAGS['max_unzipped_mb']} if it is genuine")
        buf = self.tail + data[:64] if len(data) > 64 else self.tail + data
        if b"<!DOCTYPE" in buf or b"<!ENTITY" in buf or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise LimitExceeded(f"{part} declares a DTD or XML entities, which a workbook never "
                                "does (an XML bomb such as 'billion laughs'); refused")
        self.tail = data[-16:]

    def counted(self, part: str, cells: int) -> None:
        self.cells += cells
        most = getattr(self.limits, self.cells_field)
        if self.cells > most:
            raise LimitExceeded(f"the workbook has more than {most:,} cells (at {part}); "
                                f"raise {FLAGS[self.cells_field]} if it is genuine")


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):     # not Linux: no memory watchdog
        return 0


class Budget:
    """Time and memory of one evaluation run.

    ``with budget.cell(): ...`` arms a per-cell timer (SIGALRM, main thread only) that raises
    :class:`CellTimeout` inside the formula; a watchdog thread raises :class:`MemoryLimit` in the main
    thread (``_thread.interrupt_main`` with SIGUSR1) when the process has grown by more than the limit
    since the run began.  Off the main thread both are checked between cells only."""

    def __init__(self, limits: Limits, t0: float | None = None):
        self.limits = limits
        self.t0 = time.monotonic() if t0 is None else t0      # ``t0``: when the load began (time.monotonic)
        self.rss0 = _rss_bytes()
        self.cap = int(limits.max_memory_mb * 1024 * 1024)
        self.main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        self.memory_hit = False
        self.in_cell = False                     # the watchdog interrupts only inside a formula
        self._stop = threading.Event()
        self._old = {}
        self._thread = None

    # ---- run level
    def __enter__(self):
        if self.main:
            self._old[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._on_alarm)
            self._old[signal.SIGUSR1] = signal.signal(signal.SIGUSR1, self._on_memory)
        if self.rss0:
            self._thread = threading.Thread(target=self._watch, daemon=True, name="mbsxl-calc-memory")
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for s, h in self._old.items():
                signal.signal(s, h)
        return False

    def out_of_time(self) -> bool:
        return time.monotonic() - self.t0 > self.limits.max_seconds

    def grown(self) -> int:
        return max(0, _rss_bytes() - self.rss0) if self.rss0 else 0

    def over_memory(self) -> bool:
        """Whether the run has grown past its memory limit: the watchdog's sample (at most 50 ms old)
        while it runs, so that the check between two cells reads no file (it read /proc twice a cell:
        18 % of a 10,000-formula run); a fresh reading otherwise."""
        if not self.rss0:
            return False
        if self._thread is not None and self._thread.is_alive():
            return self._sampled > self.cap
        return self.grown() > self.cap

    _sampled = 0

    def _watch(self):
        import _thread
        while not self._stop.wait(0.05):
            self._sampled = self.grown()
            if self._sampled > self.cap and not self.memory_hit:
                self.memory_hit = True
                if self.main and self.in_cell:
                    _thread.interrupt_main(signal.SIGUSR1)

    @staticmethod
    def _on_alarm(signum, frame):
        raise CellTimeout()

    def _on_memory(self, signum, frame):
        if self.in_cell:
            raise MemoryLimit()

    # ---- cell level
    def cell(self):
        return _CellTimer(self)


class _CellTimer:
    def __init__(self, budget: Budget):
        self.b = budget

    def __enter__(self):
        if self.b.main:
            left = self.b.limits.max_seconds - (time.monotonic() - self.b.t0)
            signal.setitimer(signal.ITIMER_REAL, max(0.001, min(self.b.limits.cell_seconds, left)))
        self.b.in_cell = True
        return self

    def __exit__(self, *exc):
        self.b.in_cell = False
        if self.b.main:
            signal.setitimer(signal.ITIMER_REAL, 0)
        self.b.memory_hit = False if not self.b.over_memory() else self.b.memory_hit
        return False


GRACE_SECONDS = 5.0          # after --max-seconds, for the child to hand its values back


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_isolated(fn, *args, limits: Limits | None = None, **kwargs):
    """``fn(*args, limits=limits, **kwargs)`` in a forked child process bounded by ``limits``: its
    address space capped at its size on starting plus ``max_memory_mb`` (``RLIMIT_AS``), and killed
    after ``max_seconds`` + :data:`GRACE_SECONDS` of wall time (load included).  Returns what ``fn``
    returns (pickled back) or raises what it raised; a child killed or dead raises
    :class:`LimitExceeded` naming the flag.  Where ``fork`` or ``resource`` is missing (Windows) it
    runs ``fn`` in this process, bounded by :class:`Budget` only."""
    import multiprocessing as mp
    import pickle
    limits = limits or Limits()
    try:
        import resource
        ctx = mp.get_context("fork")
    except (ImportError, ValueError):                        # pragma: no cover - not POSIX
        return fn(*args, limits=limits, **kwargs)
    recv, send = ctx.Pipe(duplex=False)

    def child():
        recv.close()
        try:
            vm = _vm_bytes()
            if vm:
                cap = vm + int(limits.max_memory_mb * 1024 * 1024)
                soft, hard = resource.getrlimit(resource.RLIMIT_AS)
                if hard != resource.RLIM_INFINITY:
                    cap = min(cap, hard)
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            result = ("ok", fn(*args, limits=limits, **kwargs))
        except MemoryError:
            result = ("err", LimitExceeded(f"stopped: the workbook needed more than {limits.max_memory_mb:,.0f} MB "
                                           f"while loading ({FLAGS['max_memory_mb']})"))
        except BaseException as e:  # noqa: BLE001 - handed to the parent
            result = ("err", e)
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 - an exception that does not pickle
            data = pickle.dumps(("err", RuntimeError(f"{type(result[1]).__name__}: {result[1]}")))
        try:
            send.send_bytes(data)
        finally:
            send.close()
            os._exit(0)

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    deadline = time.monotonic() + limits.max_seconds + GRACE_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LimitExceeded(f"stopped after {limits.max_seconds:g} s ({FLAGS['max_seconds']}): the workbook "
                                    "was still loading or its evaluation could not be interrupted")
            if recv.poll(min(left, 0.5)):
                try:
                    data = recv.recv_bytes()
                except EOFError:
                    data = None
                break
            if not proc.is_alive() and not recv.poll(0):
                data = None
                break
        if data is None:
            proc.join(1)
            code = proc.exitcode
            raise LimitExceeded(f"the evaluation process ended without a result (exit {code}); it most likely "
                                f"ran out of memory ({FLAGS['max_memory_mb']} {limits.max_memory_mb:g})")
        kind, value = pickle.loads(data)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        recv.close()
    if kind == "err":
        raise value
    return value
