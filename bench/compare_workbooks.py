"""Compare every stored value of two workbooks (issue 19, item 3: the deal review rewritten on the deal table
must keep its numbers).  Reads both with openpyxl (``data_only=True``: the values the build stored beside each
formula), walks the union of the cells of every sheet, and lists each cell whose value differs:

- numbers: equal when ``|a - b| <= 1e-9 * max(|a|, |b|)`` (relative; two zeros are equal), or both within
  ``abs_tol`` of each other (default 0: off);
- text, booleans, dates, errors: equal only when identical;
- a cell empty in one workbook and not in the other: ``only in old`` / ``only in new``.

Usage::

    python bench/compare_workbooks.py OLD.xlsx NEW.xlsx              # the listing and the counts
    python bench/compare_workbooks.py --git a76a9ae workbooks/jianyuan_2007_1_deal_review.xlsx
                                                                   # OLD = that commit's copy of the file

tests/test_deal_review_unchanged.py runs :func:`compare` on the committed deal review against the commit before
the rewrite and pins the intended differences.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
from dataclasses import dataclass, field

REL = 1e-9


@dataclass
class Result:
    compared: int = 0                 # cells holding a value in at least one workbook
    equal: int = 0
    differing: list = field(default_factory=list)     # (sheet, cell, old, new, why)
    sheets_only: list = field(default_factory=list)   # sheet names in one workbook only


def _same(a, b, rel: float, abs_tol: float) -> tuple[bool, str]:
    num = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)   # noqa: E731
    if num(a) and num(b):
        d = abs(a - b)
        if d == 0 or d <= abs_tol or d <= rel * max(abs(a), abs(b)):
            return True, ""
        return False, f"number differs (rel {d / max(abs(a), abs(b)):.1e})"
    if a is None and b is not None:
        return False, "only in new"
    if b is None and a is not None:
        return False, "only in old"
    if type(a) is not type(b) and not (num(a) and num(b)):
        return False, f"type {type(a).__name__} -> {type(b).__name__}"
    return (a == b), ("" if a == b else "text differs" if isinstance(a, str) else "value differs")


def compare(old, new, rel: float = REL, abs_tol: float = 0.0) -> Result:
    """``old`` / ``new``: paths or file objects of .xlsx workbooks."""
    import openpyxl
    a = openpyxl.load_workbook(old, data_only=True)
    b = openpyxl.load_workbook(new, data_only=True)
    res = Result()
    names_a, names_b = a.sheetnames, b.sheetnames
    res.sheets_only = [n for n in names_a if n not in names_b] + [n for n in names_b if n not in names_a]
    for name in [n for n in names_a if n in names_b]:
        wa, wb = a[name], b[name]
        cells = {(c.row, c.column) for row in wa.iter_rows() for c in row if c.value is not None}
        cells |= {(c.row, c.column) for row in wb.iter_rows() for c in row if c.value is not None}
        for r, c in sorted(cells):
            va, vb = wa.cell(r, c).value, wb.cell(r, c).value
            res.compared += 1
            ok, why = _same(va, vb, rel, abs_tol)
            if ok:
                res.equal += 1
            else:
                res.differing.append((name, wa.cell(r, c).coordinate, va, vb, why))
    return res


def git_file(commit: str, path: str) -> io.BytesIO:
    """The bytes of ``path`` at ``commit`` (``git show``), as a file object."""
    out = subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, check=True).stdout
    return io.BytesIO(out)


def _short(v) -> str:
    s = v.isoformat() if isinstance(v, dt.datetime) else repr(v)
    return s if len(s) <= 70 else s[:67] + "..."


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old", help="old workbook (or, with --git, the commit's copy of NEW's path)", nargs="?")
    p.add_argument("new")
    p.add_argument("--git", metavar="COMMIT", help="take OLD from this commit's copy of NEW's path")
    p.add_argument("--rel", type=float, default=REL)
    a = p.parse_args(argv)
    old = git_file(a.git, a.new) if a.git else a.old
    res = compare(old, a.new, a.rel)
    for sheet, cell, va, vb, why in res.differing:
        print(f"{sheet}!{cell}: {why}\n    old {_short(va)}\n    new {_short(vb)}")
    if res.sheets_only:
        print("sheets in one workbook only:", ", ".join(res.sheets_only))
    print(f"{res.compared:,} cells compared, {res.equal:,} equal, {len(res.differing):,} differing "
          f"(numbers to {a.rel:g} relative, text exact)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
