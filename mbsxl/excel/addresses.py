"""Cell addresses: ``"Sheet 1!$B$2"`` parsed, column letters to numbers and back.

The one home of address parsing for the Excel layer: the headless engine (:mod:`mbsxl.excel._load`,
``--set`` addresses), the value writer (:mod:`mbsxl.excel._xlsxvalues`) and the formula guard
(:mod:`mbsxl.excel.formula_guard`) use these.  Imports nothing from mbsxl.

>>> parse_address("'My sheet'!$b$2"), parse_address("C3")
(('My sheet', 'B2'), (None, 'C3'))
>>> col_index("AB"), col_letters(28), split_cell("$AB$12")
(28, 'AB', ('AB', 12))
"""
from __future__ import annotations

import re

_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")


def parse_address(addr: str) -> tuple[str | None, str]:
    """``"'My sheet'!$b$2"`` -> ``("My sheet", "B2")``; no sheet -> ``(None, "B2")``."""
    sheet, _, cell = str(addr).rpartition("!")
    sheet = sheet.strip()
    if len(sheet) >= 2 and sheet[0] == "'" and sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return (sheet or None), cell.replace("$", "").upper()


def col_index(letters: str) -> int:
    """``"A"`` -> 1, ``"AB"`` -> 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(i: int) -> str:
    """1 -> ``"A"``, 28 -> ``"AB"``."""
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def split_cell(addr: str) -> tuple[str, int]:
    """``"$AB$12"`` -> ``("AB", 12)``; :class:`ValueError` for anything but one cell."""
    m = _CELL_RE.match(addr.replace("$", "").upper())
    if not m:
        raise ValueError(f"bad cell address {addr!r}")
    return m.group(1), int(m.group(2))
