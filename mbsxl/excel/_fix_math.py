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

_FORMULAS: dict = {}


def _formulas(name):
    f = _FORMULAS.get(name)
    if f is None:
        from ._pycel_plugin import _supplement
        mod = types.ModuleType("_mbsxl_fix_math_formulas")
        _supplement(mod, {name})
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


def _ppmt(*args):
    """PPMT, refused where the principal part is a cancellation residue (below 1e-6 of the loan: formulas
    test.xlsx FINANCIAL!S40, V40, ``PPMT(2,"3","33","10000","1")``: Excel -3.2383e-11, the engine
    -3.2742e-11; the digits left after the cancellation depend on the order of the operations)."""
    from ._excel_fixes import _number
    from .errors import CalcError
    r = _formulas("ppmt")(*args)
    if isinstance(r, (int, float)) and not isinstance(r, bool) and len(args) > 3:
        pv = _number(args[3])
        if not isinstance(pv, str) and pv and abs(r) < 1e-6 * abs(pv):
            return CalcError("#NUM!", "unsupported: PPMT whose principal part is below 1e-6 of the present "
                                      "value (a cancellation residue whose digits differ from Excel's)")
    return r


def ppmt(rate, per, nper, pv, fv=None, type_=None):
    args = [rate, per, nper, pv] + ([fv] if fv is not None or type_ is not None else []) + \
        ([type_] if type_ is not None else [])
    return _ppmt(*args)


_COMPLEX_NUM = re.compile(r"[0-9.]+E-0?5\b")


def _complex(name):
    """An IM function: a part in E-05 notation written out as Excel does (``0.0000692442674613868``:
    formulas test.xlsx ENGINEERING!S35, S53), ``-0`` as ``0`` (V44); a part of IMCSC/IMLOG2 whose 15th
    digit the double does not settle (within 4 units in the last place of a rounding boundary: T36,
    T42 differ from Excel in that digit) and parts below 1E-05 are refused."""
    from .errors import CalcError

    def f(*args):
        r = _formulas(name)(*args)
        if not isinstance(r, str) or r.startswith("#"):
            return r
        if r == "-0":
            return "0"
        if re.search(r"E-(?:0?[6-9]|[1-9]\d)", r):
            return CalcError("#NUM!", f"unsupported: {name.upper()} with a part below 1E-05 (Excel's "
                                      "notation for it is not reproduced)")
        if name in ("imcsc", "imlog2"):
            for x in _raw_parts(name, args[0] if args else None):
                if f"{x - 4 * math.ulp(x):.15g}" != f"{x + 4 * math.ulp(x):.15g}":
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


FIXES = {"transpose": transpose, "ppmt": ppmt, "imcot": _complex("imcot"), "imtan": _complex("imtan"),
         "imcsc": _complex("imcsc"), "imlog2": _complex("imlog2"), "improduct": _complex("improduct"),
         "power": power, "factdouble": factdouble, "gcd": gcd}
