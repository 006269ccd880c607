"""The formula evaluator of the headless recalculation behind one small interface (issue 21, item 2).

Every engine goes through the same five steps.  ``get_engine("pycel")`` runs the stages of
:mod:`mbsxl.excel.calc` (what ``mbsxl calc`` runs: :func:`mbsxl.excel.calc.calculate` is the same
stages, with the columnar path for big tapes first); ``bench/engine_compare.py`` runs both engines side
by side.  This module sits on top of ``calc``, never under it (no import cycle):

- :meth:`Engine.load`: read the workbook within the load limits (:func:`mbsxl.excel.limits.precheck`
  first: zip size, cell count, sheets, no DTD or entity), ``sets`` applied;
- :meth:`Engine.register`: the MBS_ worksheet functions made callable from formulas, every one through
  :func:`mbsxl.excel.dispatch.call` (the conversion and the errors of Excel's own path);
- :meth:`Engine.evaluate`: every formula cell;
- :meth:`Engine.values`: :class:`mbsxl.excel.calc.Values`, ``"Sheet!A1" -> value`` for every formula
  cell (errors are :class:`~mbsxl.excel.errors.CalcError` with their reason in ``.errors``; dates as
  Excel serial numbers), ``.seconds`` the load and calc times;
- limits: the :class:`~mbsxl.excel.limits.Limits` the engine was made with.  The pycel engine holds
  all of them (formula length, range size, per-cell and total time, memory; the cells concerned become
  errors with a reason); formualizer only the load limits, so run it under
  ``calculate(..., isolate=True)`` (a child process capped in memory and wall time) for anything else.

>>> eng = get_engine("pycel")                                      # doctest: +SKIP
>>> eng.run("book.xlsx", sets={"Sheet1!B2": 0.25})["Sheet1!C2"]   # load, register, evaluate, values
0.0236884...
"""
from __future__ import annotations

import os
import time

__all__ = ["Engine", "PycelEngine", "FormualizerEngine", "ENGINES", "get_engine"]


class Engine:
    """One evaluator of a workbook.  Subclasses implement the four steps; :meth:`run` chains them."""

    name = ""

    def __init__(self, limits=None):
        from .limits import Limits
        self.limits = limits or Limits()

    def load(self, path, sets: dict | None = None, progress: bool = False) -> None:
        raise NotImplementedError

    def register(self) -> None:
        raise NotImplementedError

    def evaluate(self, progress: bool = False) -> None:
        raise NotImplementedError

    def values(self):
        raise NotImplementedError

    def run(self, path, sets: dict | None = None, progress: bool = False):
        """load, register, evaluate; the values."""
        self.load(path, sets=sets, progress=progress)
        self.register()
        self.evaluate(progress=progress)
        return self.values()


class PycelEngine(Engine):
    """`pycel <https://github.com/dgorissen/pycel>`_ behind the guards of
    :mod:`mbsxl.excel.formula_guard` and the limits of :mod:`mbsxl.excel.limits` (what ``mbsxl calc``
    runs; the stages are :func:`mbsxl.excel.calc._pycel_load`, ``_pycel_compile`` and
    ``_pycel_evaluate``).  :meth:`register` registers the MBS_ functions the formulas call as a pycel
    plug-in and builds the dependency graph."""

    name = "pycel"

    def load(self, path, sets=None, progress=False):
        from . import calc
        self._state = calc._pycel_load(path, sets, self.limits, progress)
        self._values = None

    def register(self):
        from . import calc
        calc._pycel_compile(self._state)

    def evaluate(self, progress=False):
        from . import calc
        self._values = calc._pycel_evaluate(self._state, self.limits, progress)
        self._state = None                      # the compiler and its graph are not kept

    def values(self):
        return self._values


class FormualizerEngine(Engine):
    """`formualizer <https://pypi.org/project/formualizer/>`_, a formula engine in Rust hosting Python
    functions (``pip install formualizer``, the ``compare`` extra).  Measured, not used by ``mbsxl calc``
    (see ``bench/engine_compare.py``).  Formulas are evaluated as formualizer reads them: no formula
    guard, and of the limits only the load limits hold in-process."""

    name = "formualizer"

    def load(self, path, sets=None, progress=False):
        import formualizer as fz
        from .limits import precheck
        if sets:
            raise ValueError("the formualizer engine takes no --set overrides")
        self._t0 = time.perf_counter()
        self._path = os.fspath(path)
        precheck(self._path, self.limits)
        self._wb = fz.load_workbook(self._path)
        self._values = None

    def register(self):
        import numpy as np
        from . import errors as xe
        from .dispatch import call
        from .registry import functions

        def make(name):
            def f(*args):
                raw = [np.array(a, dtype=object) if isinstance(a, list) else a for a in args]
                r = call(name, *raw)
                if isinstance(r, xe.XlError):
                    raise ValueError(f"{r}: {r.reason}")
                return r.tolist() if isinstance(r, np.ndarray) else r
            return f

        for name, fn in functions().items():
            required = sum(1 for a in fn.args if not a.optional)
            self._wb.register_function(name, make(name), min_args=required, max_args=len(fn.args))

    def evaluate(self, progress=False):
        from .calc import Values, _result
        from .conformance import _formulas
        from .errors import CalcError
        from openpyxl.utils.cell import coordinate_to_tuple
        t1 = time.perf_counter()
        self._wb.evaluate_all()
        out = Values()
        for key in _formulas(self._path):
            sheet, _, coord = key.rpartition("!")
            r, c = coordinate_to_tuple(coord)
            try:
                v = _result(_fz_value(self._wb.get_value(sheet, r, c)))
            except Exception as e:  # noqa: BLE001 - one cell, never the run
                v = CalcError("#VALUE!", f"formualizer: {type(e).__name__}: {e}"[:200])
            out[key] = v
            if isinstance(v, CalcError):
                out.errors[key] = v.reason
        t2 = time.perf_counter()
        out.seconds = {"load": t1 - self._t0, "calc": t2 - t1, "total": t2 - self._t0}
        self._values, self._wb = out, None

    def values(self):
        return self._values


_KINDS = {"div": "#DIV/0!", "num": "#NUM!", "value": "#VALUE!", "ref": "#REF!", "name": "#NAME?", "null": "#NULL!",
          "na": "#N/A", "n/a": "#N/A", "spill": "#SPILL!", "calc": "#CALC!"}
_CODES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!")


def _fz_value(v):
    """A formualizer value as this package's engine gives it: errors as :class:`CalcError`, dates and
    times as Excel serial numbers (1900 system), a 1 x 1 array as its value (a larger one: its first)."""
    import datetime as dt
    from .errors import CalcError
    while isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, list):
        v = v[0][0] if v and isinstance(v[0], list) and v[0] else (v[0] if v else None)
    if isinstance(v, dict) and v.get("type") == "Error":
        return CalcError(_KINDS.get(str(v.get("kind", "")).lower(), "#VALUE!"), "")
    if "Error" in type(v).__name__:
        text = str(getattr(v, "kind", v)).upper().replace("/", "")
        return CalcError(next((c for c in _CODES if c.strip("#!?").replace("/", "") in text or c in text),
                              "#VALUE!"), "")
    epoch = dt.datetime(1899, 12, 30)
    if isinstance(v, dt.datetime):
        return (v - epoch).total_seconds() / 86400.0
    if isinstance(v, dt.date):
        return float((v - epoch.date()).days)
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    if isinstance(v, str) and v in _CODES:
        return CalcError(v, "")
    return v


ENGINES = {"pycel": PycelEngine, "formualizer": FormualizerEngine}


def get_engine(name: str = "pycel", limits=None) -> Engine:
    """A fresh engine by name (:data:`ENGINES`); an unknown name raises ``ValueError`` naming the choices."""
    try:
        cls = ENGINES[str(name).strip().lower()]
    except KeyError:
        raise ValueError(f"engine={name!r} is not one of {', '.join(ENGINES)}") from None
    return cls(limits)
