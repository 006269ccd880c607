"""The one registry of MBS_ worksheet functions.

Each worksheet function is declared once, with :func:`udf`::

    @udf("MBS_SMM", "Single monthly mortality (SMM, 单月提前还款率) from CPR ...",
         args=[Arg("cpr", "CPR as a decimal (25% or 0.25); a cell or a range", kind="array")],
         returns="array")
    def MBS_SMM(cpr):
        return mbsxl.smm(cpr)

The wrapper receives values already converted by :mod:`mbsxl.excel.convert` according to each
``Arg.kind`` and calls the core; it does no analytics.  The registry is the single source for
the xlwings decorators (``mbsxl.excel.udfs``), for headless registration (``mbsxl.excel.calc``),
for ``mbsxl functions`` and for the README's function reference.

Argument kinds (what the wrapper receives):

- ``number``  float (numbers stored as text such as "1,234.5" or "25%" are read; booleans refused;
  blank refused unless optional)
- ``int``     whole number
- ``bool``    True/False (TRUE/FALSE, 1/0, "yes"/"no")
- ``text``    str
- ``vector``  1-D float ndarray from a row or a column (a 2-D block is refused)
- ``number_or_vector``  float, or a 1-D float ndarray when a range is given
- ``array``   float ndarray keeping the range's 2-D shape (for elementwise functions)
- ``matrix``  2-D object ndarray of raw cell values (the wrapper converts)
- ``date``    datetime.date from an Excel serial date (1900 system, serial 60 = the fictitious
  1900-02-29 refused, serial < 1 refused as a date before 1900), a date cell or an ISO text
- ``any``     the raw value
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

CATEGORY = "MBS"
KINDS = ("number", "int", "bool", "text", "vector", "number_or_vector", "array", "matrix", "date", "any")
RETURNS = ("scalar", "array", "table")


@dataclass(frozen=True)
class Arg:
    """One argument of a worksheet function.

    ``max`` caps the value (of a number, or of every value of a range) and ``max_len`` the number of
    values of a range; ``cap_note`` says why (shown in the error).  :func:`mbsxl.excel.dispatch.call`
    checks both before the call and answers ``#NUM!`` with the argument, the value and the cap, so that
    a cell never runs the machine out of memory or time.
    """
    name: str
    doc: str
    kind: str = "number"
    optional: bool = False
    default: Any = None
    max: float | None = None
    max_len: int | None = None
    cap_note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Arg {self.name}: kind={self.kind!r} is not one of {KINDS}")
        if len(self.doc) >= 255:
            raise ValueError(f"Arg {self.name}: doc is {len(self.doc)} characters; Excel allows 254")


@dataclass(frozen=True)
class Budget:
    """A cap on a product of argument sizes, e.g. loans x months for a loan-level projection.

    ``factors``: ``(argument, "count")`` (how many values the argument holds; 1 for a number) or
    ``(argument, "max")`` (its largest value).  The product must not exceed ``cap``.
    """
    what: str
    factors: tuple[tuple[str, str], ...]
    cap: float
    note: str = ""


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    args: tuple[Arg, ...]
    returns: str
    impl: Callable
    category: str = CATEGORY
    volatile: bool = False
    limits: tuple[Budget, ...] = ()


REGISTRY: dict[str, Function] = {}


def udf(name: str, description: str, args: list[Arg] | tuple[Arg, ...] = (), returns: str = "scalar",
        volatile: bool = False, limits: tuple[Budget, ...] | list[Budget] = ()):
    """Declare a worksheet function (see the module docstring)."""
    if not name.startswith("MBS_"):
        raise ValueError(f"worksheet function {name!r} must start with MBS_")
    if returns not in RETURNS:
        raise ValueError(f"{name}: returns={returns!r} is not one of {RETURNS}")
    if len(description) >= 255:
        raise ValueError(f"{name}: description is {len(description)} characters; Excel allows 254")

    def deco(fn: Callable) -> Callable:
        if name in REGISTRY and REGISTRY[name].impl is not fn:
            raise ValueError(f"worksheet function {name} is registered twice")
        names = {a.name for a in args}
        for b in limits:
            for arg, how in b.factors:
                if arg not in names or how not in ("count", "max"):
                    raise ValueError(f"{name}: budget {b.what!r} names {arg!r}/{how!r}; use an argument and "
                                     "'count' or 'max'")
        REGISTRY[name] = Function(name, description, tuple(args), returns, fn, volatile=volatile,
                                  limits=tuple(limits))
        return fn

    return deco


def functions() -> dict[str, Function]:
    """Every registered function, after importing all modules that declare them."""
    from . import functions as _  # noqa: F401  (imports mbsxl.excel.functions.* which call @udf)
    return dict(sorted(REGISTRY.items()))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def signature(f: Function) -> str:
    """``=MBS_X(a, [b])``: optional arguments in brackets."""
    return f"={f.name}(" + ", ".join(f"[{a.name}]" if a.optional else a.name for a in f.args) + ")"


def summary_markdown() -> str:
    """The README's function table (between ``<!-- functions:start -->`` and ``<!-- functions:end -->``)."""
    lines = ["| Function | Description |", "|---|---|"]
    for f in functions().values():
        lines.append(f"| [`{signature(f)}`](docs/FUNCTIONS.md#{f.name.lower()}) | {_md(f.description)} |")
    return "\n".join(lines) + "\n"


def reference_markdown() -> str:
    """The function reference (docs/FUNCTIONS.md, pasted into the README), generated from the registry."""
    fns = functions()
    lines = ["# MBS_ worksheet functions", "",
             "Generated from the registry (`mbsxl.excel.registry.reference_markdown()`; `mbsxl functions` "
             "prints the same catalogue). Optional arguments are in [brackets]. Arguments accept a cell or, "
             "where the description says so, a range; percent cells arrive as decimals (25% = 0.25).", ""]
    lines += ["| Function | Description |", "|---|---|"]
    for f in fns.values():
        lines.append(f"| [`{f.name}`](#{f.name.lower()}) | {_md(f.description)} |")
    for f in fns.values():
        ret = {"scalar": "one value", "array": "same shape as the input range (a value for a single cell)",
               "table": "a table with a header row (spills in Excel 365; enter as an array formula in older Excel)"}[f.returns]
        lines += ["", f"## {f.name}", "", f"`{signature(f)}`", "", _md(f.description) + ".", "",
                  f"Returns: {ret}." + (" Volatile." if f.volatile else "")]
        if f.args:
            lines += ["", "| Argument | Kind | Description |", "|---|---|---|"]
            for a in f.args:
                dflt = f" (optional; default {a.default!r})" if a.optional and a.default is not None else \
                    (" (optional)" if a.optional else "")
                lines.append(f"| `{a.name}` | {a.kind}{dflt}{_cap_text(a)} | {_md(a.doc)} |")
        for b in f.limits:
            lines += ["", f"Limit: {b.what} at most {b.cap:,.0f}" + (f" ({_md(b.note)})" if b.note else "") + "."]
    return "\n".join(lines) + "\n"


def _cap_text(a: Arg) -> str:
    parts = []
    if a.max is not None:
        parts.append(f"at most {a.max:,g}")
    if a.max_len is not None:
        parts.append(f"at most {a.max_len:,} values")
    return f" ({'; '.join(parts)})" if parts else ""
