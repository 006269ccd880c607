"""Excel error values and the one-line reasons behind them.

An MBS_ function never lets a Python exception escape into a cell.  The dispatch
(:func:`mbsxl.excel.udfs.call`) turns any exception into an :class:`XlError`: an Excel error code
(``#VALUE!``, ``#NUM!``, ``#N/A`` ...) plus a one-line reason such as
``"MBS_CASHFLOWS: wac=8 looks like a percent; pass 0.08"``.  The code is what the cell shows and what
downstream formulas propagate; the reason is kept in :data:`REASONS` (most recent last) so that
``=MBS_ERROR()`` can show it in Excel and ``mbsxl calc`` can print it.

>>> e = XlError("#VALUE!", "MBS_SMM: cpr=8 looks like a percent; pass 0.08")
>>> str(e), e.reason
('#VALUE!', 'MBS_SMM: cpr=8 looks like a percent; pass 0.08')
>>> c = CalcError.from_xl(e)
>>> c == "#VALUE!", c.reason == e.reason
(True, True)

Error kinds (issue 12): an Excel error *value* has two Python forms, and there is no third.

- :class:`XlError` -- what the dispatch (:func:`mbsxl.excel.dispatch.call`) returns and what code
  under it raises; an ``Exception``, so a refusal deep in a conversion can ``raise`` it.  The xlwings
  and Lite paths turn it into Excel's error at the border.
- :class:`CalcError` -- the same value inside the headless engine.  pycel propagates an error through
  formulas only as its text (``"#VALUE!"``, a member of ``pycel.excelutil.ERROR_CODES``), so this form
  must be a ``str``; a class cannot be both a ``str`` and an ``Exception`` (their instance layouts
  conflict), hence two classes.  An XlError crosses into the engine as :meth:`CalcError.from_xl`.

Not error values: :class:`InputError` is the exception by which :mod:`mbsxl.excel.convert` says "this
argument is itself an Excel error" (carrying the code to propagate; the dispatch turns it into an
XlError with the function's name in the reason), and :class:`mbsxl.excel.formula_guard.Refused` the
exception by which the formula guard refuses a formula (it becomes a CalcError).  Error values of the
``formulas`` package are converted to CalcError where its functions are adapted
(:mod:`mbsxl.excel._pycel_plugin`).
"""
from __future__ import annotations

import re
from collections import OrderedDict

from ..errors import EXCEL_ERROR_CODES, MbsxlInputError
from .addresses import col_index

#: Excel's error values, as Excel spells them (one list: :data:`mbsxl.errors.EXCEL_ERROR_CODES`).
CODES = EXCEL_ERROR_CODES

#: The VBA ``CVErr`` / COM ``VT_ERROR`` scode of each code (what xlwings reads back from an error cell).
SCODES = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
          "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273}


def is_error_code(value) -> bool:
    """True for an Excel error value given as its text (``"#N/A"``) or an :class:`XlError`."""
    if isinstance(value, XlError):
        return True
    return isinstance(value, str) and value.strip().upper() in CODES


class XlError(Exception):
    """An Excel error value with the reason it arose.  ``str()`` gives the code."""

    def __init__(self, code: str = "#VALUE!", reason: str = ""):
        code = code.strip().upper()
        if code not in CODES:
            code = "#VALUE!"
        super().__init__(reason or code)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"XlError({self.code!r}, {self.reason!r})"

    def __eq__(self, other) -> bool:
        if isinstance(other, XlError):
            return self.code == other.code
        return isinstance(other, str) and other.strip().upper() == self.code

    def __hash__(self) -> int:
        return hash(self.code)


class CalcError(str):
    """The headless engine's Excel error value (:mod:`mbsxl.excel.calc`): a ``str`` such as
    ``"#VALUE!"`` -- pycel propagates errors as their text, so a value it must carry through
    formulas is a ``str`` -- that keeps the reason it arose in ``.reason``.  The same error as an
    :class:`XlError` (which the dispatch raises and returns) is ``CalcError(e.code, e.reason)``."""

    reason = ""

    def __new__(cls, code: str, reason: str = ""):
        obj = super().__new__(cls, code)
        obj.reason = reason
        return obj

    @classmethod
    def from_xl(cls, e: XlError) -> "CalcError":
        """The engine's form of the dispatch's :class:`XlError` (same code, same reason)."""
        return cls(e.code, e.reason)


class InputError(MbsxlInputError):
    """An argument that is itself an Excel error (``#N/A`` in an input cell): propagate that code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


#: Recent reasons: key (the calling cell when known, else the function name) -> reason; newest last.
REASONS: "OrderedDict[str, str]" = OrderedDict()
_MAX = 1000


def record(key: str, reason: str) -> None:
    """Remember ``reason`` for ``key`` (a cell address like ``"[Book1]Sheet1!B2"`` or a function name)."""
    REASONS.pop(key, None)
    REASONS[key] = reason
    while len(REASONS) > _MAX:
        REASONS.popitem(last=False)


def clear(key: str) -> None:
    """Forget the reason for ``key`` (the cell computed cleanly this time)."""
    REASONS.pop(key, None)


def last_reason(key: str | None = None) -> str:
    """The reason recorded for ``key``, or the most recent reason of all; ``""`` when there is none."""
    if key is not None:
        return REASONS.get(key, "")
    return next(reversed(REASONS.values()), "") if REASONS else ""


_REF = re.compile(r"^(?P<sheet>.*!)\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")


def _box(key: str):
    m = _REF.match(key.replace("$", "").upper())
    if not m:
        return None

    r1, c1 = int(m["r1"]), col_index(m["c1"])
    r2, c2 = (int(m["r2"]), col_index(m["c2"])) if m["c2"] else (r1, c1)
    return m["sheet"], r1, c1, r2, c2


def reason_at(key: str) -> str:
    """The reason for cell ``key`` (``"[Book1.xlsx]Sheet1!B12"``): recorded under that cell, or under
    a range that contains it (an array formula entered over ``A10:P209`` records under the range, and
    ``=MBS_ERROR(B12)`` asks for one of its cells); the newest such reason; ``""`` when there is none."""
    if key in REASONS:
        return REASONS[key]
    want = _box(key)
    if want is None:
        return ""
    sheet, r, c = want[0], want[1], want[2]
    for k in reversed(REASONS):
        b = _box(k)
        if b and b[0] == sheet and b[1] <= r <= b[3] and b[2] <= c <= b[4]:
            return REASONS[k]
    return ""


def mbs_error(cell=None) -> str:
    """``=MBS_ERROR(cell)``, the one implementation (the registry's function, the xlwings add-in and
    xlwings Lite call it).  ``cell`` an address (``"[Book1.xlsx]Sheet1!B12"``, ``"Sheet1!B12"``): the
    reason recorded for that cell, or for an array range holding it (:func:`reason_at`); anything else
    -- no cell, or the cell's value (the headless engine and Lite pass the value, not the address) --
    the most recent reason.  ``""`` when there is none."""
    if isinstance(cell, str) and "!" in cell and not cell.lstrip().startswith("#"):
        return reason_at(cell)
    return last_reason()


def code_for(exc: BaseException) -> str:
    """The Excel error a Python exception becomes: a propagated input error keeps its code,
    ZeroDivisionError -> #DIV/0!, OverflowError / FloatingPointError -> #NUM!, everything else #VALUE!."""
    if isinstance(exc, XlError):
        return exc.code
    if isinstance(exc, InputError):
        return exc.code
    if isinstance(exc, ZeroDivisionError):
        return "#DIV/0!"
    if isinstance(exc, (OverflowError, FloatingPointError)):
        return "#NUM!"
    return "#VALUE!"


def one_line(name: str, exc: BaseException) -> str:
    """``"MBS_X: <message>"`` on one line, no traceback.  Only a deliberate refusal of bad input
    (:class:`~mbsxl._validate.MbsxlInputError`, :class:`XlError`) shows its message as it is; any
    other exception -- a ``ValueError`` raised inside numpy included -- is a bug and shows as
    ``"MBS_X: internal error (TypeError: ...); please report"``, so it is never disguised as bad input."""
    msg = " ".join(str(exc).split()) if str(exc) else ""
    if not isinstance(exc, (MbsxlInputError, XlError)):
        if len(msg) > 200:
            msg = msg[:197] + "..."
        msg = f"internal error ({type(exc).__name__}: {msg}); please report" if msg else \
            f"internal error ({type(exc).__name__}); please report"
    if len(msg) > 240:
        msg = msg[:237] + "..."
    return f"{name}: {msg}" if msg else name
