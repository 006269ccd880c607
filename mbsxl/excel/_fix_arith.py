"""The last operation of a formula ``=A1-B1`` / ``=A1+B1`` (two cell references) as Excel shows it
(issue 21, s6-silent).

- Excel sets the result of a final addition or subtraction to 0 when it is within about 15 digits of
  the operands (Microsoft, "Floating-point arithmetic may give inaccurate results in Excel": Excel
  "corrects" a result near zero of the last operation): pycel npv.xlsx NPV!D3 ``=C3-A3`` with C3 the
  constant 8.02572628005743 and A3 ``NPV(...)`` = 8.025726280057427 is 0 in Excel (the engine computed
  3.55e-15).  The rule used: ``|a - b| <= max(|a|, |b|) * 2**-48`` gives 0 (LibreOffice's ``approxSub``
  uses the same bound).
- When the difference cancels more than six digits of an operand computed by NPV,
  the digits left are those where the engine and Excel may differ (their results agree to about 1e-15,
  not beyond): the cell is refused.  pycel npv.xlsx NPV!D2 ``=C2-A2`` = C2 - NPV(...) = -0.000412335220744
  in Excel; the engine's NPV differs from Excel's in the 16th digit, which becomes the 7th here.

Both apply only where an operand's formula calls a function of :data:`LAST_DIGITS` (NPV), the case the
corpus shows.  Elsewhere the value is left as computed: reconciliation cells of the templates
(``tests/test_templates.py``: the pool template's Published!D6 ``=C6-B6`` holds -4.8e-07 on 4.2e9, the
prepayment template's CPR!D32 -2.5e-12) keep their stored values; whether Excel's correction applies
to such cells is not checked against Excel.

>>> settle("=C3-A3", 3.552713678800501e-15, {"C3": (8.02572628005743, ""), "A3": (8.025726280057427, "digits")}.get)
0.0
>>> str(settle("=C2-A2", -0.000412335221, {"C2": (1188.443, ""), "A2": (1188.443412335221, "digits")}.get))
'#VALUE!'
>>> settle("=C2-A2", 2.0, {"C2": (3.0, ""), "A2": (1.0, "digits")}.get)
2.0
>>> settle("=C6-B6", -4.76837158203125e-07, {"C6": (4160683708.0, ""), "B6": (4160683708.0, "")}.get)
-4.76837158203125e-07
"""
from __future__ import annotations

import re

from .errors import CalcError

_REF = r"\$?[A-Za-z]{1,3}\$?\d{1,7}"
_FORM = re.compile(rf"^=\s*({_REF})\s*([-+])\s*({_REF})\s*$")
_SNAP = 2.0 ** -48
_CANCEL = 1e-6


#: functions whose results differ from Excel's in the last digits (pycel npv.xlsx NPV!A2: 1188.4434123352217
#: against Excel's 1188.4434123352207; no summation order reproduces Excel's digits in all five rows)
LAST_DIGITS = frozenset({"NPV"})
_CALL = re.compile(r"(?<![A-Za-z0-9_.])(?:_xlfn\.)?([A-Za-z][A-Za-z0-9_.]*)\s*\(")


def kind(formula: str) -> str:
    """``"digits"`` when a formula operand calls a function of :data:`LAST_DIGITS`, else ``""``."""
    text = re.sub(r'"(?:[^"]|"")*"', '""', formula or "")
    return "digits" if any(m.group(1).upper() in LAST_DIGITS for m in _CALL.finditer(text)) else ""


def settle(formula, value, operand):
    """``value`` of ``formula`` as Excel shows it; ``operand(ref)`` gives ``(value, kind)`` for a reference
    of the formula (``ref`` without ``$``; ``kind`` as :func:`kind` gives it), or None."""
    if not isinstance(formula, str) or not isinstance(value, float) or isinstance(value, bool):
        return value
    m = _FORM.match(formula)
    if not m:
        return value
    ops = [operand(m.group(i).replace("$", "").upper()) for i in (1, 3)]
    if any(o is None or isinstance(o[0], bool) or not isinstance(o[0], (int, float)) for o in ops):
        return value
    if "digits" not in (ops[0][1], ops[1][1]):
        return value
    big = max(abs(ops[0][0]), abs(ops[1][0]))
    if big == 0 or value == 0:
        return value
    if abs(value) <= big * _SNAP:
        return 0.0
    if abs(value) < big * _CANCEL:
        return CalcError("#VALUE!", "unsupported: a difference cancelling more than six digits of a computed "
                                    "value (the digits left are those where the engine's result and Excel's "
                                    "may differ)")
    return value


def after_cell(xl, texts, out, sheet, coord, value):
    """The value of the formula cell ``sheet!coord`` after :func:`settle` (stored in ``out`` and in the
    engine when it changes); ``texts`` maps cells to formulas, ``out`` holds the values computed so far."""
    key = f"{sheet}!{coord}"
    formula = texts.get(key, "")
    if not isinstance(value, float) or not _FORM.match(formula):
        return value
    from ._pycel_plugin import _qsheet, _store

    def operand(ref):
        k = f"{sheet}!{ref}"
        if k in texts:
            return out.get(k), kind(texts[k])
        return xl.evaluate(f"{_qsheet(sheet)}!{ref}"), ""
    new = settle(formula, value, operand)
    if new is not value:
        out[key] = new
        _store(xl, sheet, coord, new)
    return new
