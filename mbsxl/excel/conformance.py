"""Excel-conformance suite of the headless engine (issue 21): recalculate workbooks saved by Microsoft
Excel and compare every formula cell with the value Excel cached in the file.

The corpus is ``tests/conformance/workbooks/`` (the public test workbooks of pycel, formulas,
xlcalculator and koala; sources and licences in its ``SOURCES.md``).  Each formula cell is one of:

- ``agree``: the engine's value is Excel's -- numbers within 1e-9 relative (or 1e-15 absolute, for
  round-off around zero), text exactly, booleans as booleans (``TRUE`` is not ``1``), errors by type
  (``#N/A`` is ``#N/A`` whatever the reason); an empty result agrees with Excel's empty text;
- ``refused``: the engine gives an error cell where Excel has a value, and the error carries a reason
  (``values.errors``) -- an honest "not computed";
- ``silent``: anything else -- a different value, or an error without a reason.  The engine's rule is
  that there are none: every cell is Excel's value or a refusal.

>>> rep = run(["tests/conformance/workbooks/pycel/tests__fixtures__basic.xlsx"])   # doctest: +SKIP
>>> rep.totals()                                                                  # doctest: +SKIP
{'cells': 20, 'agree': 20, 'refused': 0, 'silent': 0}

Command line: ``python -m mbsxl.excel.conformance [--md report.md] [--silent] [files or folders]``
(default: the whole corpus); prints the totals, the per-function table and, with ``--silent``, every
silent difference.
"""
from __future__ import annotations

import collections
import dataclasses
import glob
import math
import os
import re
import sys
import time

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "conformance", "workbooks")
REL_TOL, ABS_TOL = 1e-9, 1e-15
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_FUNC_RE = re.compile(r"(?<![A-Za-z0-9_.])((?:_xlfn\.|_xlws\.)*)([A-Z][A-Z0-9.]*)\s*\(", re.I)


def corpus_files(root: str = CORPUS) -> list[str]:
    return sorted(glob.glob(os.path.join(root, "*", "*.xls[xm]")))


def _cached(path):
    """``"Sheet!A1" -> value`` of every cell as Excel cached it (dates as serial numbers)."""
    from ._load import _serial_dates_reader
    reader = _serial_dates_reader()(path, read_only=False, keep_vba=False, data_only=True,
                                    keep_links=True, rich_text=False)
    reader.read()
    out = {}
    for ws in reader.wb.worksheets:
        for (_r, _c), cell in ws._cells.items():
            v = cell.value
            if isinstance(v, str) and "_x" in v:      # OOXML escapes control characters as _xHHHH_
                v = _XESC.sub(lambda m: chr(int(m.group(1), 16)), v)
            out[f"{ws.title}!{cell.coordinate}"] = (v, cell.data_type)
    return out


def _is_err(v) -> bool:
    from .errors import CODES
    return isinstance(v, str) and v in CODES


def classify(mine, excel, excel_type: str, reason: str) -> str:
    """``"agree"``, ``"refused"`` or ``"silent"`` for one cell (see the module docstring)."""
    from .errors import CalcError
    mine_err = isinstance(mine, CalcError) or _is_err(mine)
    excel_err = excel_type == "e" or (_is_err(excel) and excel_type != "s")
    if excel_err:
        if mine_err and str(mine) == str(excel):
            return "agree"
    elif mine_err:
        return "refused" if reason else "silent"
    elif isinstance(excel, bool) or isinstance(mine, bool):
        if isinstance(excel, bool) and isinstance(mine, bool) and excel == mine:
            return "agree"
    elif isinstance(excel, (int, float)):
        if isinstance(mine, (int, float)) and not isinstance(mine, bool):
            a, b = float(mine), float(excel)
            if a == b or abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL):
                return "agree"
    elif excel is None or excel == "":
        if mine is None or mine == "":
            return "agree"
    elif isinstance(excel, str):
        if isinstance(mine, str) and mine == excel:
            return "agree"
    if mine_err and reason:
        return "refused"
    return "silent"


def functions_of(formula: str) -> list[str]:
    """The Excel function names a formula calls (prefixes ``_xlfn.`` dropped), or ``["(none)"]``."""
    text = re.sub(r'"(?:[^"]|"")*"', '""', formula or "")
    names = sorted({m.group(2).upper() for m in _FUNC_RE.finditer(text)})
    return names or ["(none)"]


@dataclasses.dataclass
class Cell:
    book: str
    key: str
    formula: str
    excel: object
    mine: object
    reason: str
    kind: str


@dataclasses.dataclass
class Report:
    cells: list = dataclasses.field(default_factory=list)
    failed: dict = dataclasses.field(default_factory=dict)      # book -> why the whole book failed
    seconds: dict = dataclasses.field(default_factory=dict)

    def totals(self) -> dict:
        c = collections.Counter(x.kind for x in self.cells)
        return {"cells": len(self.cells), "agree": c["agree"], "refused": c["refused"], "silent": c["silent"]}

    def by_function(self) -> list[tuple[str, int, int, int, int]]:
        """``(function, cells, agree, refused, silent)`` for each function, worst agreement first."""
        acc: dict = collections.defaultdict(collections.Counter)
        for x in self.cells:
            for f in functions_of(x.formula):
                acc[f][x.kind] += 1
        rows = [(f, sum(c.values()), c["agree"], c["refused"], c["silent"]) for f, c in acc.items()]
        return sorted(rows, key=lambda r: (r[2] / r[1], -r[1], r[0]))

    def markdown(self, worst: int | None = None) -> str:
        t = self.totals()
        pct = 100.0 * t["agree"] / max(t["cells"], 1)
        lines = [f"{len(self.seconds)} workbooks, {t['cells']:,} formula cells: {t['agree']:,} agree "
                 f"({pct:.1f} %), {t['refused']:,} refused with a reason, {t['silent']:,} silent differences.",
                 "", "| function | cells | agree | refused | silent | agree % |", "|---|---:|---:|---:|---:|---:|"]
        rows = self.by_function()
        for f, n, a, r, s in rows[:worst] if worst else rows:
            lines.append(f"| {f} | {n} | {a} | {r} | {s} | {100.0 * a / n:.1f} |")
        return "\n".join(lines) + "\n"


def run(paths=None, limits=None, progress=None, jobs: int = 1) -> Report:
    """Recalculate each workbook and classify every formula cell against Excel's cached value;
    ``jobs`` > 1 recalculates that many workbooks at a time in child processes (largest first)."""
    files = []
    for p in paths or [CORPUS]:
        files.extend(corpus_files(p) if os.path.isdir(p) else [p])
    if jobs > 1 and len(files) > 1:
        import concurrent.futures as cfut
        rep = Report()
        files.sort(key=lambda f: -os.path.getsize(f))
        with cfut.ProcessPoolExecutor(max_workers=jobs) as ex:
            for part in ex.map(_run_one, files, [limits] * len(files)):
                rep.cells.extend(part.cells)
                rep.failed.update(part.failed)
                rep.seconds.update(part.seconds)
                if progress:
                    progress(next(iter(part.seconds)), rep)
        return rep
    rep = Report()
    for path in files:
        part = _run_one(path, limits)
        rep.cells.extend(part.cells)
        rep.failed.update(part.failed)
        rep.seconds.update(part.seconds)
        if progress:
            progress(next(iter(part.seconds)), rep)
    return rep


def _run_one(path, limits=None) -> Report:
    from .calc import calculate
    from .limits import Limits
    from .errors import CalcError
    limits = limits or Limits(max_seconds=300.0, cell_seconds=60.0, max_memory_mb=2048.0)
    rep = Report()
    book = os.path.relpath(path, CORPUS) if os.path.abspath(path).startswith(os.path.abspath(CORPUS)) \
        else os.path.basename(path)
    t0 = time.perf_counter()
    cached = _cached(path)
    try:
        values = calculate(path, progress=False, limits=limits)
        texts = getattr(values, "texts", None) or _formulas(path)
    except Exception as e:  # noqa: BLE001 - a whole book refused counts all its formula cells refused
        rep.failed[book] = f"{type(e).__name__}: {e}"[:200]
        texts = _formulas(path)
        values = None
    for key, formula in texts.items():
        excel, etype = cached.get(key, (None, "n"))
        if values is None:
            mine, reason = CalcError("#VALUE!", rep.failed[book]), rep.failed[book]
        else:
            mine = values.get(key)
            reason = values.errors.get(key, "") if isinstance(mine, CalcError) else ""
        kind = classify(mine, excel, etype, reason)
        if isinstance(mine, CalcError):
            mine = str(mine)                  # plain text across processes
        rep.cells.append(Cell(book, key, formula, excel, mine, reason, kind))
    rep.seconds[book] = time.perf_counter() - t0
    return rep


def _formulas(path) -> dict[str, str]:
    """``"Sheet!A1" -> formula text`` of every formula cell, array ranges spread over their cells."""
    from ._load import _load_workbook
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    wb = _load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for (_r, _c), c in sorted(ws._cells.items()):
            v = c.value
            if isinstance(v, ArrayFormula):
                c1, r1, c2, r2 = range_boundaries((v.ref or c.coordinate).replace("$", ""))
                for r in range(r1, r2 + 1):
                    for col in range(c1, c2 + 1):
                        out[f"{ws.title}!{get_column_letter(col)}{r}"] = v.text
            elif c.data_type == "f" and isinstance(v, str) and v.startswith("="):
                out.setdefault(f"{ws.title}!{c.coordinate}", v)
    return out


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m mbsxl.excel.conformance", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="workbooks or folders (default: the corpus)")
    ap.add_argument("--md", help="write the per-function report (markdown) here")
    ap.add_argument("--silent", action="store_true", help="list every silent difference")
    ap.add_argument("--refused", action="store_true", help="list every refused cell with its reason")
    ap.add_argument("--worst", type=int, default=0, help="print only the N worst functions")
    ap.add_argument("--jobs", type=int, default=1, help="workbooks recalculated at a time (child processes)")
    a = ap.parse_args(argv)

    def prog(book, rep):
        t = rep.totals()
        print(f"{book}: {rep.seconds[book]:.2f} s, {t['cells']} cells so far, {t['silent']} silent",
              file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    rep = run(a.paths or None, progress=prog, jobs=a.jobs)
    for book, why in rep.failed.items():
        print(f"whole workbook failed: {book}: {why}")
    if a.silent:
        for x in rep.cells:
            if x.kind == "silent":
                print(f"SILENT {x.book} {x.key} {x.formula!r}: excel={x.excel!r} mbsxl={x.mine!r} {x.reason}")
    if a.refused:
        for x in rep.cells:
            if x.kind == "refused":
                print(f"REFUSED {x.book} {x.key} {x.formula!r}: excel={x.excel!r} {x.reason}")
    md = rep.markdown(a.worst or None)
    print(md)
    print(f"{time.perf_counter() - t0:.1f} s")
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
