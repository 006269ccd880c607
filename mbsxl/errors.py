"""The one bad-input error type of mbsxl, and Excel's error values as the core reads them.

:class:`MbsxlInputError` (a ``ValueError``) is what every deliberate refusal of a bad argument
raises; its message names the argument, the value and what is accepted (``"wac=8 looks like a
percent; pass 0.08"``).  The Excel layer (:mod:`mbsxl.excel.dispatch`) shows that message in the
cell; any other exception is reported there as an internal error naming its type.

:data:`EXCEL_ERROR_CODES` are Excel's error values as Excel spells them; the core recognises them in
a range passed from a worksheet (``#N/A`` in a regression input) and :mod:`mbsxl.excel.errors` uses
the same tuple.
"""
from __future__ import annotations


class MbsxlInputError(ValueError):
    """A bad argument: the message names the argument, the value and what is accepted."""


#: Excel's error values, as Excel spells them.
EXCEL_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                     "#SPILL!", "#CALC!")
