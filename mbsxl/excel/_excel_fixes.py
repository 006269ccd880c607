"""Excel functions the headless engine computes itself because pycel's (or ``formulas``') answer differs
from Excel's, found by the conformance suite (:mod:`mbsxl.excel.conformance`, issue 21).  Installed into
the pycel plug-in module (:func:`mbsxl.excel._pycel_plugin._plugin_module`), which pycel searches before
its own library, so these replace pycel's functions of the same name.

Each follows Microsoft's function reference (support.microsoft.com, "<NAME> function"):

- ``IF(test, value_if_true)`` with no third argument gives FALSE when the test is false (pycel: 0);
- ``XOR`` gives TRUE/FALSE (pycel: 1/0);
- ``ROWS``/``COLUMNS`` count the rows/columns of a range or array, 1 for a single value; ``AREAS`` is
  1 for a single range;
- ``SWITCH(expression, value1, result1, ..., [default])``: the first matching value's result, else the
  default, else #N/A;
- ``DEC2BIN/DEC2OCT/DEC2HEX(number, [places])``: a negative number gives the 10-character two's
  complement and ignores ``places``; ``places`` is truncated and must be 1..10 and at least the digits
  needed, else #NUM!; the number must lie in -512..511 (BIN), -2^29..2^29-1 (OCT), -2^39..2^39-1 (HEX).

>>> if_(0, 5), xor_(True, False), switch(2, 1, "a", 2, "b")
(False, True, 'b')
>>> dec2bin(-10, 3), dec2bin(10, 11), dec2hex(255, 4)
('1111110110', '#NUM!', '00FF')
"""
from __future__ import annotations

import math
from numbers import Number

from pycel.lib.function_helpers import excel_helper
from pycel.excelutil import ERROR_CODES, NA_ERROR, NUM_ERROR, VALUE_ERROR, flatten

_TRUE_FALSE = {"true": True, "false": False}


def _logical(test):
    """One logical argument cleaned as Excel does (error text stays, text other than TRUE/FALSE is
    #VALUE!, empty is FALSE, a number is TRUE when not zero)."""
    if isinstance(test, str):
        if test in ERROR_CODES:
            return test
        if test.lower() in _TRUE_FALSE:
            return _TRUE_FALSE[test.lower()]
        return VALUE_ERROR
    if test is None:
        return False
    if isinstance(test, (bool, Number)):
        return bool(test)
    try:
        import numpy as np
        if isinstance(test, np.bool_):
            return bool(test)
    except Exception:  # noqa: BLE001 # pragma: no cover
        pass
    return VALUE_ERROR


@excel_helper(cse_params=(0, 1, 2), err_str_params=0)
def if_(test, true_value, false_value=False):
    cleaned = _logical(test)
    if isinstance(cleaned, str):
        return cleaned
    return true_value if cleaned else false_value


x_if = if_


def xor_(*args):
    n = 0
    seen = False
    for a in flatten(args):
        if isinstance(a, str):
            if a in ERROR_CODES:
                return a
            if a.lower() not in _TRUE_FALSE:
                continue                  # text in a range is skipped
            a = _TRUE_FALSE[a.lower()]
        if a is None:
            continue
        if isinstance(a, (bool, Number)):
            seen = True
            n += bool(a)
    if not seen:
        return VALUE_ERROR
    return n % 2 == 1


x_xor = xor_


def _shape(value):
    if isinstance(value, tuple):
        if not value:
            return 1, 1
        first = value[0]
        return len(value), (len(first) if isinstance(first, tuple) else 1)
    return 1, 1


def rows(value):
    return _shape(value)[0]          # a cell holding an error is still one row (ROWS counts the reference)


def columns(value):
    return _shape(value)[1]


def areas(value):
    return 1                         # one range or cell (a union (A1,B2) is not passed here by pycel)


def _kth(array, k, largest):
    """LARGE/SMALL: an error in k, then the first error in the array, is the answer; numbers only (text, logicals and empty
    cells of a range ignored); k truncated up, 1..count, else #NUM!."""
    if isinstance(k, tuple) and len(k) and isinstance(k[0], tuple) and len(list(flatten(k))) > 1:
        return tuple(tuple(_kth(array, x, largest) for x in row) for row in k)      # k over an array
    kk = int(k) if isinstance(k, bool) else _number(k)      # k first: its error wins; TRUE is 1
    if isinstance(kk, str):
        return kk
    nums = []
    for x in flatten(array if isinstance(array, tuple) else (array,)):
        if isinstance(x, str) and x in ERROR_CODES:
            return x
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            nums.append(x)
    if kk < 1:                            # LARGE(...,0.9) is #NUM! in Excel (formulas test.xlsx)
        return NUM_ERROR
    kk = math.ceil(kk)
    if not nums or kk > len(nums):
        return NUM_ERROR
    nums.sort(reverse=largest)
    return nums[kk - 1]


def large(array, k):
    return _kth(array, k, True)


def small(array, k):
    return _kth(array, k, False)


@excel_helper(cse_params=-1, err_str_params=-1, number_params=-1)
def trunc(number, num_digits=0):
    """TRUNC after rounding the number to Excel's 15 significant digits (-0.8 computed as
    -0.79999999999999993 truncates to -0.8 in Excel, not -0.7)."""
    if number == 0:
        return 0
    x = float(f"{number:.15g}")
    d = int(num_digits)
    f = 10.0 ** d
    return math.trunc(float(f"{x * f:.15g}")) / f


def switch(expression, *args):
    if isinstance(expression, str) and expression in ERROR_CODES:
        return expression
    if isinstance(expression, tuple):
        return VALUE_ERROR
    pairs, default = args, NA_ERROR
    if len(args) % 2 == 1:
        pairs, default = args[:-1], args[-1]
    for k in range(0, len(pairs), 2):
        v = pairs[k]
        if isinstance(v, str) and v in ERROR_CODES:
            return v
        if _equal(expression, v):
            return pairs[k + 1]
    return default


def _equal(a, b) -> bool:
    # an empty cell is 0 here, never empty text (pycel logical.xlsx Switch!C38: SWITCH(<empty>, "", ..)
    # is #N/A in Excel, while SWITCH(<empty>, 0, ..) matches)
    if a is None:
        a = 0
    if b is None:
        b = 0
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if isinstance(a, Number) and isinstance(b, Number):
        return a == b
    return False


_BITS = {2: 10, 8: 30, 16: 40}           # Excel's 10-character two's complement
_DIGITS = {2: "{:b}", 8: "{:o}", 16: "{:X}"}


def _number(x):
    """A numeric argument as Excel reads it: a number, numeric text, empty as 0; else an error text."""
    if isinstance(x, tuple):
        flat = list(flatten(x))
        if len(flat) != 1:
            return VALUE_ERROR
        x = flat[0]
    if isinstance(x, bool):
        return VALUE_ERROR
    if x is None:
        return 0
    if isinstance(x, str):
        if x in ERROR_CODES:
            return x
        try:
            return float(x.strip())
        except ValueError:
            return VALUE_ERROR
    if isinstance(x, Number):
        return x
    return VALUE_ERROR


def _dec2(number, places, base):
    p = None
    if places is not None:                # places is checked first (BASES.xlsx: DEC2BIN("E",0) is #NUM!)
        p = _number(places)
        if isinstance(p, str):
            return p
        p = math.trunc(p)
        if p <= 0 or p > 10:
            return NUM_ERROR
    n = _number(number)
    if isinstance(n, str):
        return n
    if not math.isfinite(n):
        return NUM_ERROR
    n = math.trunc(n)
    bits = _BITS[base]
    if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        return NUM_ERROR
    if n < 0:
        return _DIGITS[base].format(n + (1 << bits))
    text = _DIGITS[base].format(n)
    if p is None:
        return text
    if p < len(text):
        return NUM_ERROR
    return text.zfill(p)


def _base2(value, places, base_in, base_out):
    """BIN2OCT, HEX2BIN ...: the input read as pycel reads it, then :func:`_dec2`'s rules for places."""
    from pycel.lib.engineering import _base2dec
    if value is None or value == "":
        value = 0
    n = _base2dec(value, base_in)
    if isinstance(n, str):
        return n
    return _dec2(n, places, base_out)


def _to_dec(value, base):
    """BIN2DEC, OCT2DEC, HEX2DEC: empty text (a cell holding ``=""``) is 0, as an empty cell is
    (xlcalculator BASES.xlsx, sheet non-numeric: Excel gives 0 where pycel gave #NUM!)."""
    from pycel.lib.engineering import _base2dec
    if value is None or value == "":
        return 0
    return _base2dec(value, base)


def bin2dec(number):
    return _to_dec(number, 2)


def oct2dec(number):
    return _to_dec(number, 8)


def hex2dec(number):
    return _to_dec(number, 16)


def dec2bin(number, places=None):
    return _dec2(number, places, 2)


def dec2oct(number, places=None):
    return _dec2(number, places, 8)


def dec2hex(number, places=None):
    return _dec2(number, places, 16)


def bin2oct(number, places=None):
    return _base2(number, places, 2, 8)


def bin2hex(number, places=None):
    return _base2(number, places, 2, 16)


def oct2bin(number, places=None):
    return _base2(number, places, 8, 2)


def oct2hex(number, places=None):
    return _base2(number, places, 8, 16)


def hex2bin(number, places=None):
    return _base2(number, places, 16, 2)


def hex2oct(number, places=None):
    return _base2(number, places, 16, 8)


FIXES = {"if_": if_, "x_if": if_, "xor_": xor_, "x_xor": xor_, "rows": rows, "columns": columns,
         "areas": areas, "switch": switch, "large": large, "small": small,
         "trunc": trunc, "bin2oct": bin2oct, "bin2hex": bin2hex, "oct2bin": oct2bin, "oct2hex": oct2hex,
         "hex2bin": hex2bin, "hex2oct": hex2oct,
         "bin2dec": bin2dec, "oct2dec": oct2dec, "hex2dec": hex2dec, "dec2bin": dec2bin, "dec2oct": dec2oct, "dec2hex": dec2hex}


def install(mod) -> None:
    """Put the corrected functions into the plug-in module (pycel searches it first)."""
    for name, f in FIXES.items():
        setattr(mod, name, f)
    from . import _fn_finance, _fn_stats, _fn_eng, _fn_text, _fn_ranges     # the engine's own (issue 21)
    for m in (_fn_finance, _fn_stats, _fn_eng, _fn_text, _fn_ranges):
        m.install(mod)


def install_array_wrappers(mod) -> None:
    """Last: scalar functions evaluated element by element inside array formulas
    (:mod:`mbsxl.excel._fn_array`) wrap whichever version of each function is installed by then."""
    from . import _fn_array
    _fn_array.install(mod)
