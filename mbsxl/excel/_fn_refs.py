"""Values typed into the argument list of functions that read a typed value differently from a
referenced one (issue 21).  Excel's AVEDEV, DEVSQ, GEOMEAN and HARMEAN skip text and logicals in a
*referenced* cell but convert them when typed (``AVEDEV(A1,2)`` with A1 holding TRUE is 0;
``AVEDEV(TRUE,2)`` is 0.5).  pycel passes a one-cell reference as the bare value (a one-cell range
too), so the two cannot be told apart when the function runs.  :func:`widen` therefore converts the
typed values when the formula is prepared -- TRUE/FALSE to 1/0, text to the number it reads as (date
text included) or ``#VALUE!`` -- and the functions (:mod:`mbsxl.excel._fn_stats`) read every scalar
text or logical they receive as a referenced cell's (skipped).

>>> widen('=AVEDEV(I3,G3:H3,TRUE,"2")+SUM(A1,"2")')
'=AVEDEV(I3,G3:H3,1,2)+SUM(A1,"2")'
>>> widen('=GEOMEAN("x", 4)')
'=GEOMEAN(#VALUE!, 4)'
"""
from __future__ import annotations

import re

#: functions whose typed text and logical arguments are converted when the formula is prepared
WIDEN = frozenset("AVEDEV DEVSQ GEOMEAN HARMEAN".split())
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.")


def widen(formula: str) -> str:
    """``formula`` with each typed text or logical argument of a :data:`WIDEN` function converted."""
    if not isinstance(formula, str) or not any(n in formula.upper() for n in WIDEN):
        return formula
    from openpyxl.formula.tokenizer import Token, Tokenizer
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 - left to the formula check
        return formula
    stack: list = []                      # function name (or None for a parenthesis) per open level
    changed = False
    for i, t in enumerate(tokens):
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            for p in _PREFIXES:
                if name.startswith(p):
                    name = name[len(p):]
            stack.append(name)
            continue
        if t.subtype == Token.OPEN:
            stack.append(None)
            continue
        if t.subtype == Token.CLOSE:
            if stack:
                stack.pop()
            continue
        if not (t.type == Token.OPERAND and t.subtype in (Token.TEXT, Token.LOGICAL) and stack
                and stack[-1] in WIDEN):
            continue
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        starts = prev is not None and ((prev.type == Token.FUNC and prev.subtype == Token.OPEN)
                                       or (prev.type == Token.SEP and prev.value == ","))
        ends = nxt is not None and ((nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
                                    or (nxt.type == Token.SEP and nxt.value == ","))
        if not (starts and ends):
            continue
        if t.subtype == Token.LOGICAL:
            t.value = "1" if t.value.upper() == "TRUE" else "0"
        else:
            from ._fn_stats import _scalar_number
            n = _scalar_number(t.value[1:-1].replace('""', '"'))
            t.value = n if isinstance(n, str) else repr(float(n)) if n != int(n) else str(int(n))
        changed = True
    if not changed:
        return formula
    return "=" + "".join(t.value for t in tokens)


def apply(wb, cells) -> None:
    """Widen the formulas of a prepared workbook in place (``cells`` as
    :func:`mbsxl.excel._load._prepare` returns them; called before :func:`mbsxl.excel._patterns.apply`)."""
    for sheet, coord in cells:
        c = wb[sheet][coord]
        v = c.value
        text = getattr(v, "text", None)
        if isinstance(text, str):
            new = widen(text)
            if new != text:
                v.text = new
        elif isinstance(v, str) and v.startswith("="):
            new = widen(v)
            if new != v:
                c.value = new
