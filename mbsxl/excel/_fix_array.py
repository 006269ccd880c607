"""The cells of a legacy (Ctrl+Shift+Enter) array formula beyond the size of its arrays (issue 21,
s6-silent).

Excel evaluates such a formula at every cell of its range, taking from each array argument the element
at that cell's position; where an array has no such element (it is smaller than the range, and not one
row or one column, which repeat), the element is #N/A and the formula is evaluated over it.  For most
formulas the cell is then #N/A (what :func:`mbsxl.excel.calc._fit` pads with), but a function that
looks at errors gives a value: formulas test.xlsx INFORMATION!AH12:AW12 ``{=ISNA(C12:Q12)}`` over 16
cells of a 15-cell row shows TRUE in AW12, ``{=ISERR(C7:Q7)}`` FALSE in AW7, ``{=ISNONTEXT(M13:Q13)}``
TRUE in AT13:AW13.

:func:`pad_value` gives the value of those cells for a formula: the IS function's answer for #N/A when the
formula is one IS function of one argument holding no other error-handling function; an ``#N/A`` with a
refusal reason when the formula contains any function that could turn the #N/A into a value (so the
cell is #N/A only where Excel's is); else None (plain #N/A).

>>> pad_value("=ISNA(C12:Q12)"), pad_value("=ISERR(C7:Q7)"), pad_value("=DATEVALUE(C5:Q5)") is None
(True, False, True)
>>> str(pad_value("=NOT(ISNA(C1:C3))"))
'#N/A'
"""
from __future__ import annotations

import re

from .errors import CalcError

#: IS function -> its answer for #N/A
_IS_NA = {"ISBLANK": False, "ISERR": False, "ISERROR": True, "ISLOGICAL": False, "ISNA": True,
          "ISNONTEXT": True, "ISNUMBER": False, "ISTEXT": False}
#: functions that can turn an #N/A element into a value
_ABSORB = re.compile(r"(?<![A-Za-z0-9_.])(?:_xlfn\.)?(IS[A-Z]+|IFERROR|IFNA|ERROR\.TYPE|TYPE|COUNT[A-Z]*|AGGREGATE|"
                     r"SUBTOTAL|N|AND|OR|XOR|NOT|IF|IFS|SWITCH|CHOOSE|INDEX|LOOKUP|[HVX]LOOKUP|X?MATCH|FILTER|"
                     r"SORT[A-Z]*|UNIQUE|LET|LAMBDA|MAP|BYROW|BYCOL|REDUCE|SCAN|MAKEARRAY|CELL|INFO)\s*\(", re.I)
_ONE = re.compile(r"^=\s*(?:_xlfn\.)?(IS[A-Z]+)\s*\((.*)\)\s*$", re.I | re.S)

_REASON = ("unsupported: a cell of this array formula beyond the size of its arrays (Excel evaluates the "
           "formula there over #N/A elements; this engine does not)")


def pad_value(formula: str):
    """The value of an array formula's cells beyond its result (see the module docstring)."""
    if not isinstance(formula, str):
        return None
    text = re.sub(r'"(?:[^"]|"")*"', '""', formula)
    m = _ONE.match(text)
    if m and m.group(1).upper() in _IS_NA and not _ABSORB.search(m.group(2)) and "," not in m.group(2):
        return _IS_NA[m.group(1).upper()]
    if _ABSORB.search(text):
        return CalcError("#N/A", _REASON)
    return None


def spread_reasons(out, arrays) -> None:
    """A cell of an array formula holding an error without a reason, where the formula's anchor cell
    has an error with one (its evaluation read a refused cell: formulas test.xlsx CORE!D29:D30 reads
    CORE!C27, refused), gets the anchor's reason."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    for sheet, anchor, ref in arrays:
        a = out.get(f"{sheet}!{anchor}")
        if not (isinstance(a, CalcError) and a.reason):
            continue
        c1, r1, c2, r2 = range_boundaries(ref)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                key = f"{sheet}!{get_column_letter(c)}{r}"
                v = out.get(key)
                if isinstance(v, CalcError) and not v.reason:
                    out[key] = CalcError(str(v), a.reason if a.reason.startswith("from ") else
                                         f"from {sheet}!{anchor}: {a.reason}"[:300])


def refuse_cycle(xl, out, array) -> int:
    """Every cell of an array formula ``(sheet, anchor, ref)`` on a circular reference gets a circular-
    reference error, as the engine's other cells on a loop do (formulas circular.xlsx DATA!D8:D9
    ``{=IF(A8:A9,B8:B9,1)}`` reads B8:B9, which read it: Excel shows 0, its last value); returns the
    number of cells."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from ._pycel_plugin import _store
    sheet, anchor, ref = array
    err = CalcError("#VALUE!", f"circular reference through the array formula {sheet}!{ref}. Excel warns and "
                               "shows 0; break the loop")
    c1, r1, c2, r2 = range_boundaries(ref)
    n = 0
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            coord = f"{get_column_letter(c)}{r}"
            out[f"{sheet}!{coord}"] = err
            _store(xl, sheet, coord, err)
            n += 1
    return n
