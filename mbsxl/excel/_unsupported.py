"""Excel functions the headless engine has (through pycel or ``formulas``) but refuses, because the
conformance suite (:mod:`mbsxl.excel.conformance`, issue 21) found their results differ from the values
Microsoft Excel computed and stored in its test workbooks.  The rule of ``mbsxl calc``: a cell is
Excel's value or an error whose reason says it is not supported, never a different value.  A formula
calling one of these becomes ``#NAME?`` with the reason ``unsupported: ...`` (before compilation, by
:func:`mbsxl.excel.formula_guard.rewrite`).

Each entry says what differed on the suite (``python -m mbsxl.excel.conformance --silent`` shows the
cells).  Remove an entry only with a fix that makes the suite agree.
"""
from __future__ import annotations

_ETS = "Excel's exponential-smoothing fit (AAA version) is not reproduced; values differ in the 8th digit"

_PREC = "the engine's algorithm differs from Excel's beyond 1e-9"
_ARR = "not evaluated element by element over a range or array"
_CRIT = "criteria on logicals and text are not matched as Excel matches them"
_REF = ("needs the reference itself, which this engine passes as values; decided when the formula is "
        "prepared for a cell, a range or a typed value (mbsxl.excel._fn_refs)")

#: Excel name -> what differs
UNSUPPORTED: dict[str, str] = {
    "FORECAST.ETS": _ETS, "FORECAST.ETS.CONFINT": _ETS, "FORECAST.ETS.SEASONALITY": _ETS,
    "FORECAST.ETS.STAT": _ETS,
    "ISFORMULA": _REF, "ISREF": _REF,
}


def reason(name: str) -> str | None:
    """The refusal reason for the upper-case Excel function ``name``, or None when it is supported."""
    why = UNSUPPORTED.get(name)
    return None if why is None else f"unsupported: {name} ({why})"
