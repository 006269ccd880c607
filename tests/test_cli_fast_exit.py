"""``mbsxl calc`` ends with ``os._exit`` after flushing (mbsxl/cli.py ``entry``): the output must be complete and
the exit status the documented one (mbsxl/cli.py docstring: 0 on success, 1 for ``calc --strict`` with
error cells, 2 for an unreadable file).  The workbook is written here: ``A1 = 2``, ``A2 = =A1*21`` (42),
``A3 = =1/0`` (Excel's #DIV/0!), plus a text cell with a line break (escaped as ``\\n`` on the plain output).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

openpyxl = pytest.importorskip("openpyxl")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _book(tmp_path, with_error: bool):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 2
    ws["A2"] = "=A1*21"
    ws["B1"] = "two\nlines"
    ws["B2"] = "=B1"
    if with_error:
        ws["A3"] = "=1/0"
    path = tmp_path / ("err.xlsx" if with_error else "ok.xlsx")
    wb.save(path)
    return str(path)


def _calc(*args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "mbsxl", "calc", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_output_complete_and_status_zero(tmp_path):
    r = _calc(_book(tmp_path, with_error=False))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines == ["S!A2  42", "S!B2  two\\nlines"]
    assert "2 formula cells, 0 errors" in r.stderr


def test_strict_with_an_error_cell_exits_1(tmp_path):
    book = _book(tmp_path, with_error=True)
    r = _calc(book, "--strict")
    assert r.returncode == 1, r.stderr
    assert "S!A3" in r.stdout and "#DIV/0!" in r.stdout
    assert _calc(book).returncode == 0                       # without --strict an error cell is not a failure


def test_unreadable_file_exits_2(tmp_path):
    r = _calc(str(tmp_path / "missing.xlsx"))
    assert r.returncode == 2 and "no such file" in r.stderr
