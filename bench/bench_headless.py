"""Benchmark: whole-process headless recalculation, ``mbsxl calc`` against LibreOffice headless (issue 21).

Workbooks:

- the three templates ``workbooks/jianyuan_2007_1_pool.xlsx``, ``jianyuan_2007_1_deal_review.xlsx`` and
  ``lpr_repricing.xlsx`` (targets: < 2 s, < 3 s, < 2 s; ``mbsxl calc WORKBOOK --json``);
- built-ins-only loan tapes of N rows (``--rows 10000,100000``; issue target 1,000,000 rows < 30 s and
  < 2 GB): balance, rate, term, age and five ordinary formulas a row
  (``=A2*B2/12``, ``=IF(C2>0,A2/C2,0)``, ``=ROUND(E2+F2,2)``, ``=MAX(0,A2-F2)``, ``=E2/MAX(G2,1)``)
  plus six summary cells (SUM, AVERAGE, SUMPRODUCT/SUM, COUNTIF, MAX, and ``=SUM(L2:L100001)``-style
  column sums that read the formula columns).  Every formula is written with a STALE cached value
  (-1, by xlsxwriter) so that a tool that does not recalculate is caught: after each run the output
  file's values are checked against numpy's (the stale-value control).

Each run is a fresh process (Python or soffice start-up included, as a user sees it): ``mbsxl calc
TAPE --out OUT.xlsx`` against ``soffice --headless --convert-to xlsx`` with a private profile that sets
LibreOffice's "recalculation on file load" for OOXML to "always".  Seconds are wall-clock medians of
``--runs`` runs, interleaved (mbsxl, LibreOffice, mbsxl, ...); memory is the peak resident size of the
process tree (``getrusage(RUSAGE_CHILDREN)`` of a fresh wrapper).

    python bench/bench_headless.py [--runs 3] [--rows 10000,100000] [--no-templates] [--no-libreoffice]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STALE = -1.0
TEMPLATES = {"pool template": ("jianyuan_2007_1_pool.xlsx", 2.0),
             "deal review": ("jianyuan_2007_1_deal_review.xlsx", 3.0),
             "LPR template": ("lpr_repricing.xlsx", 2.0)}

_WRAP = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{r.returncode} {dt:.3f} {peak:.0f}")
if r.returncode:
    print(r.stderr[-1500:], file=sys.stderr)
"""


def measure(cmd, env=None, cwd=None) -> tuple[float, float]:
    """(seconds, peak MB) of ``cmd`` run in a fresh wrapper process (in ``cwd``: ``python -m mbsxl`` puts
    the working folder first on the module path, so it is the checkout measured)."""
    r = subprocess.run([sys.executable, "-c", _WRAP, *cmd], capture_output=True, text=True,
                       env=env or os.environ, cwd=cwd)
    rc, dt, peak = r.stdout.split()
    if rc != "0":
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return float(dt), float(peak)


def tape_data(n: int):
    rng = np.random.default_rng(21)
    bal = rng.uniform(5e4, 2.8e6, n).round(2)
    rate = rng.uniform(0.035, 0.065, n).round(6)
    term = rng.integers(0, 361, n)
    age = rng.integers(0, 61, n)
    return bal, rate, term, age


def expected(n: int) -> dict:
    """The tape's values computed with numpy: a few cells and every summary cell."""
    bal, rate, term, age = tape_data(n)
    e = bal * rate / 12
    f = np.where(term > 0, bal / np.where(term > 0, term, 1), 0.0)
    g = np.round(e + f, 2)
    h = np.maximum(0, bal - f)
    i = e / np.maximum(g, 1)
    last = n + 1
    return {"E2": e[0], "I2": i[0], f"G{last}": g[-1],
            "L2": e.sum(), "L3": rate.mean(), "L4": (bal * rate).sum() / bal.sum(), "L5": float((term > 120).sum()),
            "L6": h.max(), "L7": g.sum() + i.sum()}


def make_tape(path: str, n: int) -> None:
    import xlsxwriter
    bal, rate, term, age = tape_data(n)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Tape")
    ws.write_row(0, 0, ["Balance", "Rate", "Term", "Age", "Interest", "Principal", "Payment", "Balance after",
                        "Interest share", "", "Summary"])
    last = n + 1
    summary = [f"=SUM(E2:E{last})", f"=AVERAGE(B2:B{last})", f"=SUMPRODUCT(A2:A{last},B2:B{last})/SUM(A2:A{last})",
               f'=COUNTIF(C2:C{last},">120")', f"=MAX(H2:H{last})", f"=SUM(G2:G{last})+SUM(I2:I{last})"]
    for i in range(n):
        r = i + 2
        ws.write_row(i + 1, 0, [float(bal[i]), float(rate[i]), int(term[i]), int(age[i])])
        ws.write_formula(i + 1, 4, f"=A{r}*B{r}/12", None, STALE)
        ws.write_formula(i + 1, 5, f"=IF(C{r}>0,A{r}/C{r},0)", None, STALE)
        ws.write_formula(i + 1, 6, f"=ROUND(E{r}+F{r},2)", None, STALE)
        ws.write_formula(i + 1, 7, f"=MAX(0,A{r}-F{r})", None, STALE)
        ws.write_formula(i + 1, 8, f"=E{r}/MAX(G{r},1)", None, STALE)
        if i < len(summary):                          # L2:L7 (constant_memory: rows in order)
            ws.write_formula(i + 1, 11, summary[i], None, STALE)
    wb.close()


def _cached_values(out_path: str, refs) -> dict:
    """The cached values of cells ``refs`` of sheet Tape, read from the sheet XML with a regular
    expression (openpyxl's read-only mode takes minutes over a million rows; this reader shares no code
    with mbsxl's).  The sheet part is found through the workbook's relationships."""
    import re
    import zipfile
    want = set(refs)
    got = {}
    with zipfile.ZipFile(out_path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="Tape"[^>]*r:id="([^"]+)"', book) or \
            re.search(r'<sheet [^>]*r:id="([^"]+)"[^>]*name="Tape"', book)
        target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid.group(1), rels) or \
            re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid.group(1), rels)
        part = target.group(1).lstrip("/")
        part = part if part.startswith("xl/") else "xl/" + part
        cell = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
        value = re.compile(rb"<v>([^<]*)</v>")
        with z.open(part) as f:
            tail = b""
            while True:
                data = f.read(16 << 20)
                buf = tail + data
                cut = buf.rfind(b"</c>") + 4 if data else len(buf)
                for m in cell.finditer(buf[:cut]):
                    ref = m.group(1).decode()
                    if ref in want:
                        v = value.search(m.group(2) or b"")
                        got[ref] = float(v.group(1)) if v else None
                tail = buf[cut:]
                if not data:
                    break
    return got


def check(out_path: str, n: int) -> str:
    """'ok' when the output's values match numpy's (the stale -1 replaced), else what differs."""
    want = expected(n)
    got = _cached_values(out_path, want)
    bad = [f"{k}: {got.get(k)!r} != {v:.6g}" for k, v in want.items()
           if not isinstance(got.get(k), (int, float)) or abs(got[k] - v) > 1e-6 * max(1.0, abs(v))]
    return "ok" if not bad else "; ".join(bad[:3])


def check_openpyxl(out_path: str, n: int) -> str:
    """:func:`check` through openpyxl (slow over a million rows; kept as the reference reader)."""
    from openpyxl import load_workbook
    want = expected(n)
    wb = load_workbook(out_path, read_only=True, data_only=True)
    ws = wb["Tape"]
    got = {}
    rows_needed = {int(k[1:]) for k in want}
    for row in ws.iter_rows(min_row=1, max_row=max(rows_needed)):
        for c in row:
            k = f"{c.column_letter}{c.row}" if hasattr(c, "column_letter") else None
            if k in want:
                got[k] = c.value
    bad = [f"{k}: {got.get(k)!r} != {v:.6g}" for k, v in want.items()
           if not isinstance(got.get(k), (int, float)) or abs(got[k] - v) > 1e-6 * max(1.0, abs(v))]
    return "ok" if not bad else "; ".join(bad[:3])


def lo_profile(tmp: str) -> str:
    prof = os.path.join(tmp, "lo_profile")
    user = os.path.join(prof, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
                '</oor:items>\n')
    return "file://" + prof


def run_mbsxl(path: str, out: str, root: str = ROOT, cells: int = 0) -> tuple[float, float]:
    """``mbsxl calc TAPE --out OUT`` from the checkout at ``root``, with default limits.  A checkout
    whose limits predate ``--max-columnar-cells`` (a baseline) refused a tape beyond 5,000,000 cells
    (a 1,000,000-row tape has 9,000,006): there ``--max-cells`` is raised to fit."""
    env = {**os.environ, "PYTHONPATH": root}
    with open(os.path.join(root, "mbsxl", "excel", "limits.py")) as f:
        modern = "max_columnar_cells" in f.read()
    extra = ["--max-cells", str(cells + 1000)] if cells > 5_000_000 and not modern else []
    return measure([sys.executable, "-m", "mbsxl", "calc", path, "--out", out, "--max-seconds", "3600", *extra],
                   env=env, cwd=root)


def load_average() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def run_lo(path: str, outdir: str, profile: str) -> tuple[float, float]:
    return measure(["soffice", f"-env:UserInstallation={profile}", "--headless", "--calc", "--convert-to", "xlsx",
                    "--outdir", outdir, path])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", default="10000,100000")
    ap.add_argument("--no-templates", action="store_true")
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--baseline", metavar="CHECKOUT", help="also run mbsxl from this checkout (e.g. /work/main), "
                    "interleaved, on the tapes of at most --baseline-rows rows")
    ap.add_argument("--baseline-rows", type=int, default=10_000)
    ap.add_argument("--tapes", metavar="DIR", help="keep the tapes in DIR and reuse those already there "
                    "(xlsxwriter takes minutes to write a 1,000,000-row tape)")
    ap.add_argument("--baseline-runs", type=int, default=None, help="runs of the baseline (default --runs)")
    a = ap.parse_args()
    lo = None if a.no_libreoffice else shutil.which("soffice")
    tmp = a.tapes or tempfile.mkdtemp(prefix="bench_headless_")
    os.makedirs(tmp, exist_ok=True)
    rows_out = []
    if not a.no_templates:
        for label, (name, target) in TEMPLATES.items():
            env = {**os.environ, "PYTHONPATH": ROOT}
            ts = [measure([sys.executable, "-m", "mbsxl", "calc", os.path.join(ROOT, "workbooks", name), "--json"],
                          env=env) for _ in range(a.runs)]
            sec, mb = statistics.median(t for t, _ in ts), max(m for _, m in ts)
            rows_out.append((label, sec, mb, target, None, None, ""))
            print(f"{label}: {sec:.2f} s, {mb:.0f} MB (runs {[round(t, 2) for t, _ in ts]})", flush=True)
    profile = lo_profile(tmp) if lo else None
    for n in [int(x) for x in a.rows.split(",") if x]:
        path = os.path.join(tmp, f"tape_{n}.xlsx")
        if not (a.tapes and os.path.exists(path)):
            make_tape(path, n)
        mine, theirs, base, ok_m, ok_l, ok_b, loads = [], [], [], "", "", "", []
        cells = 9 * n + 6 + 10
        for k in range(a.runs):
            loads.append(load_average())
            out = os.path.join(tmp, f"out_{n}.xlsx")
            mine.append(run_mbsxl(path, out, cells=cells))
            ok_m = check(out, n)
            if lo:
                outdir = os.path.join(tmp, "lo")
                theirs.append(run_lo(path, outdir, profile))
                ok_l = check(os.path.join(outdir, os.path.basename(path)), n)
            if a.baseline and n <= a.baseline_rows and k < (a.baseline_runs or a.runs):
                bout = os.path.join(tmp, f"base_{n}.xlsx")
                base.append(run_mbsxl(path, bout, root=a.baseline, cells=cells))
                ok_b = check(bout, n)
            print(f"  run {k + 1}: mbsxl {mine[-1][0]:.2f} s {mine[-1][1]:.0f} MB"
                  + (f"; LibreOffice {theirs[-1][0]:.2f} s {theirs[-1][1]:.0f} MB" if theirs else "")
                  + (f"; baseline {base[-1][0]:.2f} s {base[-1][1]:.0f} MB" if len(base) > k else "")
                  + f"; load average before the run {loads[-1]}", flush=True)
        if base:
            bsec, bmb = statistics.median(t for t, _ in base), max(m for _, m in base)
            print(f"tape {n:,}: baseline ({a.baseline}) {bsec:.2f} s {bmb:.0f} MB ({ok_b}), "
                  f"{len(base)} runs; mbsxl/baseline {statistics.median(t for t, _ in mine) / bsec:.3f}x", flush=True)
        sec, mb = statistics.median(t for t, _ in mine), max(m for _, m in mine)
        lsec = statistics.median(t for t, _ in theirs) if theirs else None
        lmb = max(m for _, m in theirs) if theirs else None
        rows_out.append((f"tape {n:,} rows", sec, mb, None, lsec, lmb, f"mbsxl {ok_m}; LibreOffice {ok_l or '-'}"))
        print(f"tape {n:,}: mbsxl {sec:.2f} s {mb:.0f} MB ({ok_m}); LibreOffice "
              f"{'-' if lsec is None else f'{lsec:.2f} s {lmb:.0f} MB'} ({ok_l or '-'})", flush=True)
    print(f"\nwhole process, median of {a.runs} interleaved runs; memory: peak RSS of the process tree")
    hdr = f"{'workbook':<22} {'mbsxl s':>8} {'MB':>6} {'target':>7} {'LO s':>7} {'LO MB':>6} {'s ratio':>8} {'MB ratio':>8}"
    print(hdr)
    print("-" * len(hdr))
    for label, sec, mb, target, lsec, lmb, note in rows_out:
        ratio = f"{sec / lsec:.1f}x" if lsec else "-"
        mratio = f"{mb / lmb:.1f}x" if lmb else "-"
        print(f"{label:<22} {sec:>8.2f} {mb:>6.0f} {('< %g s' % target) if target else '':>7} "
              f"{lsec if lsec is not None else '-':>7} {lmb if lmb is not None else '-':>6} {ratio:>8} {mratio:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
