"""Uses of supported functions refused because their result differed from the value Excel cached and
the rule behind Excel's value is not reproduced (issue 21, s6-silent).  Called first by
:func:`mbsxl.excel._patterns.refusal`; each entry names the cells that showed the difference
(``python -m mbsxl.excel.conformance --silent``).

- ``SWITCH`` whose expression is a range of several cells outside a multi-cell array formula
  (formulas test.xlsx LOGICAL!AG25, a one-cell array formula: Excel shows the first element's result);
- ``INDIRECT`` of a text naming a defined name (CORE!F9: the engine does not resolve names there), and
  ``INDIRECT`` of a range written as text inside an array formula (pycel lookup.xlsx Offset!B50:C51);
- a range whose end is an ``OFFSET`` (``INPUT:OFFSET(A2,4,0)``, koala NamedRanges.xlsx D9).

>>> from mbsxl.excel._patterns import _calls, _is_multi
>>> refusal("=_xlfn.SWITCH(C25:G25,2,0,7)", False, _calls, _is_multi)[:40]
'unsupported: SWITCH over a range of seve'
>>> refusal("=SWITCH(C25,2,0,7)", False, _calls, _is_multi) is None
True
"""
from __future__ import annotations

import re

#: upper-case defined names of the workbook being prepared (set by :func:`set_names`)
NAMES: frozenset = frozenset()


def set_names(wb) -> None:
    """Remember the workbook's defined names (global and sheet-scoped) for :func:`refusal`."""
    global NAMES
    names = set()
    try:
        names.update(str(n).upper() for n in wb.defined_names)
        for ws in wb.worksheets:
            names.update(str(n).upper() for n in getattr(ws, "defined_names", {}) or {})
    except Exception:  # noqa: BLE001 - no names known: nothing refused for them
        pass
    NAMES = frozenset(names)


_A1 = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?$")
_RANGE_TO_OFFSET = re.compile(r"[A-Za-z0-9_$.]\s*:\s*(?:_xlfn\.)?OFFSET\s*\(", re.I)


def refusal(formula: str, array, calls, is_multi) -> str | None:
    """``"unsupported: ..."`` for a refused use (see the module docstring), else None; ``calls`` and
    ``is_multi`` are :mod:`mbsxl.excel._patterns`' ``_calls`` and ``_is_multi``."""
    from openpyxl.formula.tokenizer import Token
    if not isinstance(formula, str) or "(" not in formula:
        return None
    if _RANGE_TO_OFFSET.search(re.sub(r'"(?:[^"]|"")*"', '""', formula)):
        return "unsupported: a range ending in OFFSET(...) (reference arithmetic on OFFSET's result)"
    for name, args in calls(formula):
        if name == "SWITCH" and array is not True and args and is_multi(args[0]):
            return "unsupported: SWITCH over a range of several cells outside a multi-cell array formula"
        if name == "INDIRECT":
            if args and len(args[0]) == 1 and args[0][0].subtype == Token.TEXT:
                text = args[0][0].value[1:-1].replace('""', '"')
                ref = text.rpartition("!")[2].strip()
                if array and ":" in ref:
                    return ("unsupported: INDIRECT of a range inside an array formula (the range's cells are "
                            "not ordered before it)")
                if not _A1.match(ref) and ref.upper() in NAMES:
                    return "unsupported: INDIRECT of a defined name"
    return None
