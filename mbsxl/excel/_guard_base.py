"""What the formula check (:mod:`mbsxl.excel.formula_guard`, :mod:`mbsxl.excel._allowlist`,
:mod:`mbsxl.excel._codecheck`) and the engine's own Excel 365 functions (:mod:`mbsxl.excel._fn_lambda`,
:mod:`mbsxl.excel._fn_text365`, :mod:`mbsxl.excel._fn_groupby`) share: the refusal raised when a formula
is not compiled, the functions' names, and the run's array-size bound.  It imports nothing of the
package, so the check and the functions never import each other (tests/test_import_graph.py)."""
from __future__ import annotations

import re


class Refused(Exception):
    """A formula the engine will not compile: ``code`` is the Excel error it gets, ``reason`` says why."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


ERROR_CODES = frozenset({"#NAME?", "#NUM!", "#DIV/0!", "#N/A", "#GETTING_DATA", "#NULL!", "#REF!", "#VALUE!"})
#: --max-array-cells of the run under way (set by :func:`mbsxl.excel._fn_lambda.set_limits`)
MAX_CELLS = [2_000_000]

#: LAMBDA and its helpers (upper case) -> the Python name pycel emits
LAMBDA_EXCEL_NAMES = {"LAMBDA": "x_lambda", "LET": "x_let", "MAP": "map_", "REDUCE": "reduce", "SCAN": "scan",
                      "MAKEARRAY": "makearray", "BYROW": "byrow", "BYCOL": "bycol"}
#: the engine-internal call of a LAMBDA value (written by the formula guard only)
LAMBDA_CALL = "MBSXL_CALL"
#: the Python names the generated code may use for these
LAMBDA_PYTHON_NAMES = frozenset({"x_lambda", "x_let", "x_eta", "x_uncalled", "mbsxl_call", "map_", "reduce", "scan",
                                 "makearray", "byrow", "bycol"})
#: the calls whose arguments may be Python lambdas (checked by _codecheck.check_python)
LAMBDA_TAKERS = frozenset({"x_lambda", "x_let", "x_uncalled"})
PARAM_PY = re.compile(r"^_xlpm_[a-z0-9_]+$")

#: the Excel 365 text functions of :mod:`mbsxl.excel._fn_text365` -> their Python names
TEXT365_NAMES = {"ARRAYTOTEXT": "arraytotext", "VALUETOTEXT": "valuetotext", "REGEXTEST": "regextest",
                 "REGEXEXTRACT": "regexextract", "REGEXREPLACE": "regexreplace", "TEXTSPLIT": "textsplit",
                 "TEXTBEFORE": "textbefore", "TEXTAFTER": "textafter"}

#: :mod:`mbsxl.excel._fn_groupby`'s functions
GROUPBY_NAMES = frozenset({"GROUPBY", "PIVOTBY"})
