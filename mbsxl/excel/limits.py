"""Resource limits of headless recalculation (issue 11): each has a default, a ``mbsxl calc`` flag and
a message that names the flag.

At load (:func:`precheck`, before openpyxl parses anything): the inflated size of the package (every
zip entry is inflated in chunks and counted, not trusted from its header), the number of cells, and
XML that declares a DTD or entities (an XML bomb; openpyxl also parses through ``defusedxml`` when it
is installed, which the ``calc`` extra does).  At compile time: the formula length and the cells of one
range (:mod:`mbsxl.excel.formula_guard`).  At evaluation (:class:`Budget`): the seconds one cell may
take, the seconds of the whole run, and the memory the run may add to the process.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
import zipfile


@dataclasses.dataclass
class Limits:
    max_unzipped_mb: float = 1024.0       # --max-unzipped-mb: the package inflated
    max_cells: int = 5_000_000            # --max-cells: cells of all sheets (<c> elements)
    max_formula_chars: int = 8192         # --max-formula-chars (Excel's own limit)
    max_range_cells: int = 4_200_000      # --max-range-cells: one range, after cutting at the used extent
    cell_seconds: float = 60.0            # --cell-seconds: one formula cell
    max_seconds: float = 900.0            # --max-seconds: the whole evaluation
    max_memory_mb: float = 4096.0         # --max-memory-mb: memory the run may add to the process


FLAGS = {f.name: "--" + f.name.replace("_", "-") for f in dataclasses.fields(Limits)}


class LimitExceeded(Exception):
    """The workbook exceeds a load limit; the message says which and names the flag."""


class CellTimeout(BaseException):
    """Raised inside a formula's evaluation when its time is up (a BaseException so that the engine's
    own ``except Exception`` does not swallow it)."""


class MemoryLimit(BaseException):
    """Raised inside a formula's evaluation when the run's memory budget is spent."""


_CHUNK = 1 << 20


def precheck(path, limits: Limits) -> dict:
    """Inflate every entry of the package in 1 MB chunks, counting bytes (stopping at the limit), cells
    of worksheet parts and DTD declarations.  Raises :class:`LimitExceeded` or ``zipfile.BadZipFile``;
    returns ``{"bytes": ..., "cells": ...}``."""
    cap = int(limits.max_unzipped_mb * 1024 * 1024)
    total = cells = 0
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > 10_000:
            raise LimitExceeded(f"the package has {len(infos):,} entries; a workbook has a few dozen")
        for info in infos:
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

    def __init__(self, limits: Limits):
        self.limits = limits
        self.t0 = time.monotonic()
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
        return bool(self.rss0) and self.grown() > self.cap

    def _watch(self):
        import _thread
        while not self._stop.wait(0.05):
            if self.grown() > self.cap and not self.memory_hit:
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
