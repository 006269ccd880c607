"""``mbsxl demo``: the main job, headless, on the embedded Jianyuan 2007-1 data.

1. The 24 published monthly CPRs (seed 002) recomputed as SMM and back to CPR, with the yearly
   means beside the published ones.
2. Where the template workbooks are present (``workbooks/`` in the current directory, or
   ``--workbooks DIR``), each is recalculated with ``mbsxl calc``.

On screen: what is being done, the three CPR means, and a summary of at most 100 columns (each workbook:
formula cells, error cells, rows of its *Published vs computed* / check tables that agree).  The full
report (the 24 months and every table) goes to ``--report`` (default ``./mbsxl_demo_report.txt``).
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys

import numpy as np

from mbsxl.reference import jianyuan
from mbsxl.pool.conventions import cpr as to_cpr, smm as to_smm


def cpr_table() -> str:
    c = np.asarray(jianyuan.CPR)
    s = to_smm(c)
    back = to_cpr(s)
    lines = [f"{jianyuan.NAME}: monthly prepayment rates, seed 002 (Jan 2008 - Dec 2009)",
             f"{'month':<8} {'CPR published':>14} {'SMM':>10} {'CPR from SMM':>13}"]
    for m, ci, si, bi in zip(jianyuan.MONTHS, c, s, back):
        lines.append(f"{m:<8} {ci:>14.2%} {si:>10.4%} {bi:>13.2%}")
    means = [("2008", c[:12].mean(), jianyuan.CPR_MEAN_2008), ("2009", c[12:].mean(), jianyuan.CPR_MEAN_2009),
             ("24 months", c.mean(), jianyuan.CPR_MEAN_24M_APPROX)]
    lines.append("")
    lines.append(f"{'mean':<10} {'computed':>10} {'published':>10} {'difference':>11}")
    for label, got, pub in means:
        note = "  (published as 'about 25%')" if label == "24 months" else ""
        lines.append(f"{label:<10} {got:>10.5%} {pub:>10.3%} {got - pub:>+11.5%}{note}")
    lines.append("The 2008 mean of the published monthly CPRs is 20.2017%; the seed publishes 20.200%: the gap is")
    lines.append("within the rounding of the 4-decimal monthly figures, so the seed likely averaged unrounded rates.")
    lines.append(f"Prospectus pricing CPR: {jianyuan.PROSPECTUS_CPR:.2%}")
    return "\n".join(lines)


def _fmt(val, number_format: str = "General") -> str:
    """A cell value as the workbook shows it: its percent or thousands number format, else 6 digits."""
    if isinstance(val, bool) or val is None:
        return "" if val is None else str(val).upper()
    if not isinstance(val, (int, float)):
        return str(val)
    fmt = (number_format or "General").split(";")[0]
    decimals = len(m.group(1)) if (m := re.search(r"0\.(0+)", fmt)) else 0
    if "%" in fmt:
        return f"{val:.{decimals}%}"
    if "#,##0" in fmt or (fmt == "0" or fmt.startswith("0.")):
        return f"{val:,.{decimals}f}" if "," in fmt else f"{val:.{decimals}f}"
    if isinstance(val, int) or float(val).is_integer():
        return f"{int(val):,}"
    return f"{val:.6g}" if abs(val) < 10 else f"{val:,.2f}"


def published_blocks(ws, values: dict) -> list[list[list[str]]]:
    """Every table on a sheet whose header row names a published figure: header + rows to the next blank row."""
    grid = [[(values.get(f"{ws.title}!{c.coordinate}", c.value), c.number_format) for c in row]
            for row in ws.iter_rows()]
    blocks, i = [], 0
    while i < len(grid):
        row = [x for x, _ in grid[i]]
        texts = [x for x in row if isinstance(x, str)]
        if sum(x is not None for x in row) >= 3 and any("Published" in x for x in texts):
            block = []
            while i < len(grid) and any(x is not None for x, _ in grid[i]):
                block.append([_fmt(x, f) for x, f in grid[i]])
                i += 1
            blocks.append(block)
        i += 1
    return blocks


def _table_text(block: list[list[str]]) -> str:
    n = max(len(r) for r in block)
    keep = [j for j in range(n) if any(j < len(r) and r[j] for r in block)]
    rows = [[(r[j] if j < len(r) else "")[:44] for j in keep] for r in block]
    widths = [max(len(r[k]) for r in rows) for k in range(len(keep))]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(r, widths)).rstrip() for r in rows)


def error_summary(values) -> str:
    """Error cells counted by sheet, each sheet with one example reason (an empty input sheet is by design)."""
    by_sheet: dict[str, list[str]] = {}
    for key, val in values.items():
        if isinstance(val, str) and val.startswith("#"):
            by_sheet.setdefault(key.rsplit("!", 1)[0], []).append(key)
    if not by_sheet:
        return "no error values"
    parts = []
    for sheet, keys in by_sheet.items():
        reason = next((values.errors[k] for k in keys if values.errors.get(k)), "")
        parts.append(f"{len(keys):,} error cells on {sheet}" + (f" (e.g. {keys[0]}: {reason})" if reason else ""))
    return "; ".join(parts)


#: what the "agree" count of each template compares (templates not listed: "checks in the workbook")
_WHAT_AGREES = {
    "jianyuan_2007_1_pool.xlsx": "published pool figures, seed 001",
    "jianyuan_2007_1_prepayment.xlsx": "published CPRs and means, seed 002",
    "jianyuan_2007_1_deal_review.xlsx": "published CPRs, seed 002",
    "lpr_repricing.xlsx": "MBS_LOANRATES = PMT/FV (no published)",
}


def agreement(block: list[list[str]]) -> tuple[int, int, list[str]]:
    """In a table whose header names an "Agrees" column: (rows that agree, rows with a verdict, the first
    cell of each row that does not).  A verdict is TRUE/FALSE or 1/0."""
    head = block[0]
    col = next((j for j, h in enumerate(head) if "Agree" in h), None)
    if col is None:
        return 0, 0, []
    ok = n = 0
    bad = []
    for row in block[1:]:
        v = row[col] if col < len(row) else ""
        if v in ("TRUE", "1"):
            ok, n = ok + 1, n + 1
        elif v in ("FALSE", "0"):
            n += 1
            bad.append(next((x for x in row if x), "?"))
    return ok, n, bad


def _published_tables(path: pathlib.Path, values) -> list[tuple[str, list[list[str]]]]:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for block in published_blocks(ws, values):
            out.append((ws.title, block))
        # a check table ("Agrees" column) that names no published figure (e.g. rates computed two ways)
        for block in agree_blocks(ws, values):
            if not any(block[0] == b[0] for _, b in out):
                out.append((ws.title, block))
    return out


def agree_blocks(ws, values: dict) -> list[list[list[str]]]:
    """Tables on a sheet whose header row has an "Agrees" column: header + rows to the next blank row."""
    grid = [[(values.get(f"{ws.title}!{c.coordinate}", c.value), c.number_format) for c in row]
            for row in ws.iter_rows()]
    blocks, i = [], 0
    while i < len(grid):
        row = [x for x, _ in grid[i]]
        if sum(x is not None for x in row) >= 3 and any(isinstance(x, str) and "Agree" in x for x in row):
            block = []
            while i < len(grid) and any(x is not None for x, _ in grid[i]):
                block.append([_fmt(x, f) for x, f in grid[i]])
                i += 1
            blocks.append(block)
        i += 1
    return blocks


def run_templates(folder: pathlib.Path, say=print) -> list[dict]:
    """Recalculate every workbook in ``folder``; one dict per workbook (name, cells, errors, seconds,
    agree, checked, disagreeing rows, its tables as text, the error summary)."""
    import time

    from .excel.calc import calculate

    books = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    out = []
    for k, path in enumerate(books, 1):
        say(f"  [{k}/{len(books)}] {path.name}: recalculating ...")
        t = time.perf_counter()
        values = calculate(path)
        sec = time.perf_counter() - t
        tables = _published_tables(path, values)
        ok = n = 0
        bad: list[str] = []
        for _, block in tables:
            a, b, c = agreement(block)
            ok, n, bad = ok + a, n + b, bad + c
        errors = sum(1 for v in values.values() if isinstance(v, str) and v.startswith("#"))
        say(f"  [{k}/{len(books)}] {path.name}: {len(values):,} formula cells, {errors} errors, {sec:.1f} s")
        out.append(dict(name=path.name, cells=len(values), errors=errors, seconds=sec, agree=ok, checked=n,
                        bad=bad, tables=tables, error_text=error_summary(values)))
    return out


def template_tables(folder: pathlib.Path, results: list[dict] | None = None) -> str:
    """Every template's recalculation line and its Published vs computed (and check) tables, as text."""
    if results is None:
        results = run_templates(folder, say=lambda s: None)
    if not results:
        return f"(no template workbooks under {folder}; run from the repository root or pass --workbooks)"
    out = []
    for r in results:
        out.append(f"\n== {r['name']}: recalculated {r['cells']:,} formula cells in {r['seconds']:.1f} s; "
                   + r["error_text"])
        if not r["tables"]:
            out.append("(no table of published figures or checks in this workbook)")
        for sheet, block in r["tables"]:
            out.append(f"-- {sheet}")
            out.append(_table_text(block))
    return "\n".join(out)


def _clip(s: str, width: int = 100) -> str:
    """``s`` cut to ``width`` terminal columns (a CJK character takes two)."""
    out, used = [], 0
    for ch in s:
        w = 2 if ord(ch) > 0x2E80 else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def summary(results: list[dict]) -> str:
    """The one-screen summary: one line a workbook, at most 100 characters wide."""
    w = max([len(r["name"]) for r in results] + [8])
    lines = [f"{'workbook':<{w}}  {'cells':>7}  {'errors':>6}  {'agree':>7}  what agrees"]
    notes = []
    for r in results:
        agree = f"{r['agree']}/{r['checked']}" if r["checked"] else "-"
        mark = ""
        if r["bad"]:
            mark = "*" * (len(notes) + 1)
            notes.append(f"{mark} disagrees as published: " + "; ".join(b[:60] for b in r["bad"]))
        what = _WHAT_AGREES.get(r["name"], "checks in the workbook") if r["checked"] else "no published figures"
        lines.append(_clip(f"{r['name']:<{w}}  {r['cells']:>7,}  {r['errors']:>6}  {agree + mark:>7}  {what}"))
    return "\n".join(lines + [_clip(n) for n in notes])


def means_table() -> str:
    """The three CPR means of seed 002, computed from the 24 monthly CPRs beside the published ones."""
    return cpr_table().split("\n\n", 1)[1]


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--workbooks", default="workbooks",
                    help="folder of template workbooks (default ./workbooks, else the checkout's workbooks/)")
    ap.add_argument("--no-workbooks", action="store_true", help="only print the CPR table")
    ap.add_argument("--report", default="mbsxl_demo_report.txt", metavar="FILE",
                    help="where to write the full report: every table (default ./mbsxl_demo_report.txt)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="mbsxl demo", description=__doc__.splitlines()[0])
    add_arguments(ap)
    return run(ap.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Short lines on stdout (what is being done, then the summary); the full report in ``args.report``."""
    def say(s=""):
        print(s, flush=True)

    say(f"mbsxl demo: {jianyuan.NAME}, headless, on the data embedded in mbsxl")
    say("Step 1 of 2: the 24 monthly CPRs published in seed 002, as SMM and back; their means:")
    say(means_table())
    report = [cpr_table()]
    results: list[dict] = []
    folder = pathlib.Path(args.workbooks)
    beside = pathlib.Path(__file__).resolve().parents[1] / "workbooks"     # the checkout this mbsxl runs from
    if args.workbooks == "workbooks" and not folder.is_dir() and beside.is_dir():
        folder = beside
    if not args.no_workbooks:
        n = len(list(folder.glob("*.xlsx"))) if folder.is_dir() else 0
        if n:
            say(f"Step 2 of 2: recalculating the {n} template workbooks with mbsxl calc (a few seconds each),")
            say(f"  from {folder}")
        results = run_templates(folder, say=say)
        report.append(template_tables(folder, results))
    report_path = pathlib.Path(getattr(args, "report", None) or "mbsxl_demo_report.txt").resolve()
    try:
        report_path.write_text("\n".join(report) + "\n", encoding="utf-8")
        wrote = f"Full report (the 24 months, every table):\n  {report_path}"
    except OSError as e:
        wrote = f"Could not write the report to {report_path}: {e.strerror or e}"
    say()
    if results:
        say(summary(results))
    elif not args.no_workbooks:
        say(f"(no template workbooks under {folder}; run from the repository root or pass --workbooks)")
    say(wrote)
    errors = sum(r["errors"] for r in results)
    say(f"mbsxl demo: done; {len(results)} workbooks recalculated, {errors} error cells.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
