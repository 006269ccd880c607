"""Excel's approximate match (binary search) for ``LOOKUP``, ``MATCH(..., 1)`` and ``VLOOKUP``/``HLOOKUP``
with ``range_lookup`` TRUE (issue 21, s6-silent).

pycel bisects the whole vector and then steps back over values of another type; Excel does a binary
search that *skips* values of another type.  The rule reproduced here was derived from, and is checked
against, every cached cell of ``formulas`` test.xlsx LOOKUP!R56:AR64 and LOOKUP!R65:AF69 (vectors
mixing text, numbers and logicals, sorted and unsorted):

1. ``lo, hi = 0, n - 1``; while ``lo <= hi``: ``mid = (lo + hi) // 2``;
2. from ``mid`` step right (up to ``hi``) to the first value of the lookup value's type (number, text
   or logical; empty cells and errors are of no type); none: ``hi = mid - 1`` and go on;
3. that value equals the lookup value: the answer is its position (the search stops: in
   ``{TRUE,4.1,FALSE,1.1}`` 4.1 is found at 2, while 20 is found at 4);
   it is smaller: remember its position, ``lo = position + 1``; it is larger: ``hi = mid - 1``;
4. the answer is the last position remembered, else #N/A.

An empty lookup value is 0 (``LOOKUP(<empty>, {-1.1,2.1,3.1,4.1})`` is -1.1); text compares without
case; an error lookup value is the answer.  A ``match_type`` above 1 is taken as 1
(``MATCH("A?",{1,"as",2.1,"c bau c",4.1},5)`` is #N/A in Excel, formulas test.xlsx EXTRA!M78).

>>> approx_match(4.1, (True, 4.1, False, 1.1)), approx_match(20, (True, 4.1, False, 1.1))
(2, 4)
>>> approx_match("b", ("b", 4.1, "a", 1.1)), approx_match(3, (4.1, 3.1, 2.1, 1.1))
(3, '#N/A')
"""
from __future__ import annotations

from pycel.excelutil import ERROR_CODES, NA_ERROR, ExcelCmp, list_like
from pycel.lib.function_helpers import excel_helper


def _kind(x):
    """0 number, 1 text, 2 logical; None for an empty cell or an error (never matched)."""
    if x is None:
        return None
    if isinstance(x, bool):
        return 2
    if isinstance(x, str):
        return None if x in ERROR_CODES else 1
    return 0


def approx_match(value, vector):
    """1-based position Excel's approximate match finds for ``value`` in ``vector``, or ``"#N/A"``
    (see the module docstring); an error ``value`` is returned as it is."""
    if isinstance(value, str) and value in ERROR_CODES:
        return value
    want = ExcelCmp(value)                      # None -> 0.0
    kind = want.cmp_type
    lo, hi, found = 0, len(vector) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        j = mid
        while j <= hi and _kind(vector[j]) != kind:
            j += 1
        if j > hi:
            hi = mid - 1
            continue
        x = ExcelCmp(vector[j])
        if x == want:
            return j + 1
        if x < want:
            found, lo = j, j + 1
        else:
            hi = mid - 1
    return NA_ERROR if found is None else found + 1


def _match(lookup_value, lookup_array, match_type=1):
    if match_type is True or (match_type is not None and not isinstance(match_type, bool) and match_type >= 1):
        return approx_match(lookup_value, tuple(lookup_array))
    from pycel.lib.lookup import _match as pycel_match
    return pycel_match(lookup_value, lookup_array, match_type)


@excel_helper(cse_params=0, number_params=2, err_str_params=(0, 2))
def match(lookup_value, lookup_array, match_type=1):
    """pycel's MATCH with Excel's binary search for match_type 1 (and above)."""
    if len(lookup_array) == 1:
        lookup_array = lookup_array[0]
    else:
        lookup_array = tuple(row[0] for row in lookup_array)
    return _match(lookup_value, lookup_array, match_type)


@excel_helper(cse_params=0, err_str_params=None)
def lookup(lookup_value, lookup_array, result_range=None):
    """pycel's LOOKUP (vector and array forms) with Excel's binary search."""
    if not list_like(lookup_array):
        return NA_ERROR
    height = len(lookup_array)
    width = len(lookup_array[0])
    if width <= height:                          # search along the longer side
        idx = approx_match(lookup_value, tuple(r[0] for r in lookup_array))
        result = tuple(r[-1] for r in lookup_array)
    else:
        idx = approx_match(lookup_value, lookup_array[0])
        result = lookup_array[-1]
    if result_range is not None:
        if not list_like(result_range):
            return NA_ERROR
        rr_height, rr_width = len(result_range), len(result_range[0])
        if rr_width < rr_height:
            if rr_width != 1:
                return NA_ERROR
            result = tuple(r[0] for r in result_range)
        else:
            if rr_height != 1:
                return NA_ERROR
            result = result_range[0]
    if isinstance(idx, int):
        return result[idx - 1]
    return idx


@excel_helper(cse_params=0, bool_params=3, number_params=2, err_str_params=(0, 2, 3))
def vlookup(lookup_value, table_array, col_index_num, range_lookup=True):
    """pycel's VLOOKUP with Excel's binary search when ``range_lookup`` is TRUE."""
    if not list_like(table_array):
        return NA_ERROR
    if col_index_num <= 0:
        return "#VALUE!"
    if col_index_num > len(table_array[0]):
        return "#REF!"
    idx = _match(lookup_value, [row[0] for row in table_array], match_type=bool(range_lookup))
    return table_array[idx - 1][col_index_num - 1] if isinstance(idx, int) else idx


@excel_helper(cse_params=0, bool_params=3, number_params=2, err_str_params=(0, 2, 3))
def hlookup(lookup_value, table_array, row_index_num, range_lookup=True):
    """pycel's HLOOKUP with Excel's binary search when ``range_lookup`` is TRUE."""
    if not list_like(table_array):
        return NA_ERROR
    if row_index_num <= 0:
        return "#VALUE!"
    if row_index_num > len(table_array):
        return "#REF!"
    idx = _match(lookup_value, table_array[0], match_type=bool(range_lookup))
    return table_array[row_index_num - 1][idx - 1] if isinstance(idx, int) else idx


FIXES = {"match": match, "lookup": lookup, "vlookup": vlookup, "hlookup": hlookup}
