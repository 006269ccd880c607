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


FIXES = {"power": power, "factdouble": factdouble, "gcd": gcd}
