"""Math functions the engine takes from the ``formulas`` package whose answer differed from Excel's in
corner cases (issue 21, s6-silent); Microsoft's function reference and the cells cited:

- ``POWER(0, 0)`` is #NUM! (formulas test.xlsx MATH & TRIG!T51);
- ``FACTDOUBLE(n)``: n below -1 is #NUM!, from -1 to 0 is 1 (V31: ``FACTDOUBLE(-1)`` is 1; T31:
  ``FACTDOUBLE(-1.1)`` is #NUM!);
- ``GCD``: the first error among its arguments (ranges included) is the answer, then a logical in a range
  is #VALUE! (AT34: ``GCD(J34:M34)`` over TRUE, #VALUE!, ... is #VALUE!).

Everything else is the ``formulas`` implementation as :func:`mbsxl.excel._pycel_plugin._supplement`
adapts it.

>>> power(0, 0), factdouble(-1), factdouble(-1.1), gcd(((True, 4),))
('#NUM!', 1, '#NUM!', '#VALUE!')
"""
from __future__ import annotations

import math
import re
import types

from pycel.excelutil import ERROR_CODES, NUM_ERROR, VALUE_ERROR, flatten
from pycel.lib.function_helpers import excel_helper

_FORMULAS: dict = {}
#: :func:`mbsxl.excel._pycel_plugin._supplement`, handed over by :func:`mbsxl.excel._fix_silent.install`
SUPPLEMENT = None


def _formulas(name):
    """The ``formulas`` package's function ``name`` adapted to pycel's values (as the plug-in adapts it)."""
    f = _FORMULAS.get(name)
    if f is None:
        if SUPPLEMENT is None:
            raise RuntimeError("mbsxl.excel._fix_math is used through the pycel plug-in module "
                               "(mbsxl.excel._pycel_plugin._plugin_module), which installs it")
        mod = types.ModuleType("_mbsxl_fix_math_formulas")
        SUPPLEMENT(mod, {name})
        f = _FORMULAS[name] = getattr(mod, name)
    return f


def power(number, power_):
    from ._excel_fixes import _number
    if not isinstance(number, tuple) and not isinstance(power_, tuple):
        a, b = _number(number), _number(power_)
        if not isinstance(a, str) and not isinstance(b, str) and a == 0 and b == 0:
            return NUM_ERROR
    return _formulas("power")(number, power_)


def factdouble(number):
    from ._excel_fixes import _number
    if not isinstance(number, tuple) and not isinstance(number, bool):
        n = _number(number)
        if isinstance(n, str):
            return n
        if n < -1:
            return NUM_ERROR
        if math.trunc(n) <= 0:
            return 1
    return _formulas("factdouble")(number)


def gcd(*numbers):
    for a in numbers:
        for x in flatten(a if isinstance(a, tuple) else (a,)):
            if isinstance(x, str) and x in ERROR_CODES:
                return x
    for a in numbers:
        if isinstance(a, tuple) and any(isinstance(x, bool) for x in flatten(a)):
            return VALUE_ERROR
    return _formulas("gcd")(*numbers)


def ppmt(rate, per, nper, pv, fv=0, type_=0):
    """PPMT.  For payments at the end of the period (type 0) the principal part of payment ``per`` is
    computed in closed form, ``-rate (pv + fv) (1 + rate)^(per - 1) / ((1 + rate)^nper - 1)``, which keeps
    its digits where ``PMT - IPMT`` cancels (formulas test.xlsx FINANCIAL!S40 ``PPMT(2,"3","33","10000","1")``
    is -3.2382809621e-11 in Excel, -3.274e-11 by subtraction; V40 -3.7698552e-20, not 0).  Arguments are
    read as numbers (numeric text, a logical from a cell: Y40); other cases are the ``formulas`` PPMT."""
    from ._excel_fixes import _number
    args = [rate, per, nper, pv, fv, type_]
    if any(isinstance(a, tuple) for a in args):          # over arrays: the formulas PPMT, element by element
        return _formulas("ppmt")(*args)
    vals = []
    for a in args:
        if isinstance(a, str) and a in ERROR_CODES:
            return a
    for a in args:
        v = int(a) if isinstance(a, bool) else _number(a)
        if isinstance(v, str):
            return v
        vals.append(float(v))
    r, k, n, p, f, t = vals
    if t == 0 and r != 0 and n >= 1 and 1 <= k <= n and r > -1:
        try:
            g = (1 + r) ** n - 1
            if g != 0 and math.isfinite(g):
                return -r * (p + f) * (1 + r) ** (k - 1) / g
        except OverflowError:
            pass
    return _formulas("ppmt")(rate, per, nper, pv, fv, type_)


_COMPLEX_NUM = re.compile(r"[0-9.]+E-0?5\b")


def _complex(name):
    """An IM function: a part in E-05 notation written out as Excel does (``0.0000692442674613868``:
    formulas test.xlsx ENGINEERING!S35, S53; 1E-10 and below keep the exponent, R35, R36), ``-0`` as ``0``
    (V44); refused: a part of IMCSC/IMLOG2 within one unit in the last place of a 15-digit rounding
    boundary (T36, T42: Excel's 15th digit differs there) and parts from 1E-09 to 1E-05."""
    from .errors import CalcError

    def f(*args):
        r = _formulas(name)(*args)
        if not isinstance(r, str) or r.startswith("#"):
            return r
        if r == "-0":
            return "0"
        if re.search(r"E-0?[6-9]\b", r):
            return CalcError("#NUM!", f"unsupported: {name.upper()} with a part between 1E-09 and 1E-05 "
                                      "(whether Excel writes it with an exponent is not known)")
        if name in ("imcsc", "imlog2"):
            for x in _raw_parts(name, args[0] if args else None):
                if f"{x - math.ulp(x):.15g}" != f"{x + math.ulp(x):.15g}":
                    return CalcError("#NUM!", f"unsupported: {name.upper()} whose 15th digit is not settled "
                                              "by the computation (Excel's last digit differs)")
        return _COMPLEX_NUM.sub(lambda m: _fixed(m.group(0)), r)
    f.__name__ = name
    return f


def _raw_parts(name, z):
    """The real and imaginary parts of IMCSC/IMLOG2 of ``z`` in double precision (cmath), or ()."""
    import cmath
    try:
        if isinstance(z, str):
            c = complex(z.replace("i", "j").replace(" ", ""))
        elif isinstance(z, (int, float)) and not isinstance(z, bool):
            c = complex(z)
        else:
            return ()
        w = 1 / cmath.sin(c) if name == "imcsc" else cmath.log(c) / math.log(2)
    except (ValueError, ZeroDivisionError, OverflowError):
        return ()
    return tuple(abs(v) for v in (w.real, w.imag) if v)


def _fixed(text):
    x = float(text)
    digits = f"{x:.15g}".replace("e", "E")
    mant, _, exp = digits.partition("E")
    mant = mant.replace(".", "")
    return "0." + "0" * (-int(exp) - 1) + mant.rstrip("0")


def transpose(array):
    """TRANSPOSE as formulas/pycel compute it, with an empty cell as 0 (an array holds no empty
    values: formulas test.xlsx LOOKUP!Y134 ``{=TRANSPOSE(H134:J134)}`` over an empty H134 is 0)."""
    r = _formulas("transpose")(array)
    if r is None:
        return 0
    if isinstance(r, tuple):
        return tuple(tuple(0 if x is None else x for x in row) if isinstance(row, tuple) else
                     (0 if row is None else row) for row in r)
    return r


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@excel_helper(cse_params=0, err_str_params=0)
def clean(text):
    """CLEAN: characters 0-31 removed, including those a workbook stores escaped as ``_x0001_`` (formulas
    test.xlsx TEXT!AG8:AW8 ``{=CLEAN(C8:Q8)}``: AN8 is ``' !\\x7fÅçèêù'``); element by element in an
    array formula; a number or logical as the ``formulas`` CLEAN reads it."""
    if not isinstance(text, str):
        return _formulas("clean")(text)
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return "".join(ch for ch in text if ord(ch) >= 32)


FIXES = {"clean": clean, "transpose": transpose, "ppmt": ppmt, "imcot": _complex("imcot"), "imtan": _complex("imtan"),
         "imcsc": _complex("imcsc"), "imlog2": _complex("imlog2"), "improduct": _complex("improduct"),
         "power": power, "factdouble": factdouble, "gcd": gcd}
