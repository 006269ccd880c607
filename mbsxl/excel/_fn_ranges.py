"""SUM, COUNT, MAX, SUMPRODUCT, SUMIFS and COUNTIFS over big ranges without a Python step per cell in
every call (issue 21 speed: the pool template's 4 SUMPRODUCTs, 36 SUMIFS/COUNTIFS and 5 SUM/MAX/COUNT
over its 15,000-row tape took ~1.5 s of its 3 s, nearly all in pycel's per-cell generators).

A range's values are the same tuple object for every formula reading it (a value-only range is one
node carrying its values: :func:`mbsxl.excel._pycel_speed.install_value_ranges`), so what these
functions need from a range is worked out once per range (:func:`info`, kept while the tuple is, for
the run) -- its first error, its numbers in order, the vector pycel's SUMPRODUCT builds, the number
array the numeric criteria compare -- and each call then costs a C-level sum or a numpy comparison.

The answers are pycel's own (pycel 1.0b30, the version ``pyproject.toml`` pins), bit for bit, because
the same Python operations run on the same values in the same order:

- ``SUM``: the first error of the arguments (pycel's ``_numerics`` scans them in order), else Python's
  ``sum`` of the numbers (``int``/``float``, not logicals) in order -- an ``int`` when all are integers,
  the same sequential float additions otherwise (never ``math.fsum`` or numpy's pairwise sum);
- ``COUNT``: the number of such numbers (errors are not looked at);
- ``MAX``: the first error, else ``max`` of the numbers in order (the first of equal maxima), 0 if none;
- ``SUMPRODUCT``: the first error, #VALUE! for ranges of different shapes, else the same numpy array
  pycel builds (each non-number 0) and ``np.sum(np.prod(values, axis=0))``;
- ``SUMIFS``/``COUNTIFS`` with criteria comparing with a number (``"<="&B5``, ``">0.5"``): the cells
  matched as :func:`mbsxl.excel._pycel_speed` matches them (text, logicals and empty cells match only
  ``<>``), then the count, or ``sum`` of the sum range's numbers at the matched cells in row order.

Anything else -- a range under :data:`MIN_CELLS` cells in all, a scalar argument, a list, a value of
another type (a numpy number, an integer past 2**53 for criteria), other criteria, an error or a
logical in a sum range, ranges of different shapes -- goes to pycel's function unchanged.
tests/test_calc_fast_ranges.py compares both on random ranges.
"""
from __future__ import annotations

import itertools
import operator

MIN_CELLS = 1000                  # cells in all of a call's ranges before the cached path is taken
MAX_CACHED_CELLS = 4_000_000      # the cache is emptied past this many cells (a long-lived process)

_INFOS: dict = {}                 # id(range) -> (range, _Info | None); the range kept, so the id stays its
_CACHED = [0]
_ORDER = {"<": "lt", ">": "gt", "<=": "le", ">=": "ge", "<>": "ne"}


def clear_caches() -> None:
    """Forget the ranges worked out (called at the end of each recalculation)."""
    _INFOS.clear()
    _CACHED[0] = 0


class _Info:
    """What the functions above need of one range (row by row, each row left to right)."""

    __slots__ = ("shape", "flat", "error", "numbers", "zeros", "pynum", "has_bool", "nums", "isnum")


def info(rng):
    """The :class:`_Info` of a range (a tuple of equal-length tuples of ``int``, ``float``, ``bool``,
    ``None`` and text), or None for anything else."""
    hit = _INFOS.get(id(rng))
    if hit is not None and hit[0] is rng:
        return hit[1]
    out = _build(rng)
    size = len(out.flat) if out is not None else 0
    if _CACHED[0] + size > MAX_CACHED_CELLS:
        clear_caches()
    _INFOS[id(rng)] = (rng, out)
    _CACHED[0] += size
    return out


def _build(rng):
    import numpy as np
    from pycel import excellib

    if type(rng) is not tuple or not rng or type(rng[0]) is not tuple or not rng[0]:
        return None
    width = len(rng[0])
    if set(map(type, rng)) != {tuple} or set(map(len, rng)) != {width}:
        return None
    flat = list(itertools.chain.from_iterable(rng))
    kinds = set(map(type, flat))
    out = _Info()
    out.shape, out.flat = (len(rng), width), flat
    if kinds <= {int, float}:
        out.error, out.numbers, out.zeros, out.has_bool = None, flat, tuple(flat), False
        out.pynum = np.ones(len(flat), dtype=bool)
        nums = _floats(flat)
        if nums is not None and (int not in kinds or _exact(flat, nums)):
            out.nums, out.isnum = nums, out.pynum
        else:
            out.nums = out.isnum = None
        return out
    if kinds <= {int, float, type(None)}:     # numbers and empty cells (a range past the data's end)
        numbers = [x for x in flat if x is not None]
        out.error, out.numbers, out.has_bool = None, numbers, False
        out.zeros = tuple([0 if x is None else x for x in flat])
        out.pynum = np.array([x is not None for x in flat], dtype=bool)
        nums = _floats(flat)                         # None -> nan, never compared (isnum is False there)
        if nums is not None and (int not in kinds or _exact(flat, nums)):
            out.nums, out.isnum = nums, out.pynum
        else:
            out.nums = out.isnum = None
        return out
    errors = excellib.ERROR_CODES
    error = None
    numbers, zeros, pynum, nums, isnum = [], [], [], [], []
    crit_ok = True
    has_bool = False
    for x in flat:
        t = type(x)
        if t is float or t is int:
            numbers.append(x)
            zeros.append(x)
            pynum.append(True)
            if t is float or -2**53 <= x <= 2**53:
                nums.append(x)
                isnum.append(True)
            else:
                crit_ok = False
                nums.append(0.0)
                isnum.append(False)
            continue
        if t is bool:
            has_bool = True
        elif x is None:
            pass
        elif isinstance(x, str):
            if error is None and x in errors:
                error = x
        else:
            return None                       # a numpy number, a date ...: pycel's own functions
        zeros.append(0)
        pynum.append(False)
        nums.append(0.0)
        isnum.append(False)
    out.error, out.numbers, out.zeros, out.has_bool = error, numbers, tuple(zeros), has_bool
    out.pynum = np.array(pynum, dtype=bool)
    if crit_ok:
        out.nums, out.isnum = np.array(nums, dtype=float), np.array(isnum, dtype=bool)
    else:
        out.nums = out.isnum = None
    return out


def _floats(flat):
    """``flat`` as a float array, or None when an integer is past a float's range."""
    import numpy as np
    try:
        return np.array(flat, dtype=float)
    except OverflowError:
        return None


def _exact(flat, nums) -> bool:
    """No integer of ``flat`` lies past 2**53 (where a float is no longer exact: the criteria's
    comparisons then stay pycel's).  Such an integer becomes a float of magnitude 2**53 or more, so
    only those places are looked at."""
    import numpy as np
    with np.errstate(invalid="ignore"):
        far = np.flatnonzero(np.abs(nums) >= 2.0**53)
    return all(not (type(flat[i]) is int and not -2**53 <= flat[i] <= 2**53) for i in far.tolist())


def _infos(args):
    """The :class:`_Info` of each argument when all are ranges holding :data:`MIN_CELLS` cells in all,
    else None."""
    if not args or sum(len(a) * len(a[0]) if type(a) is tuple and a and type(a[0]) is tuple else 0
                       for a in args) < MIN_CELLS:
        return None
    out = []
    for a in args:
        i = info(a)
        if i is None:
            return None
        out.append(i)
    return out


def _first_error(infos):
    for i in infos:
        if i.error is not None:
            return i.error
    return None


def _on_ranges(original, body, errors: bool = True):
    """``original`` (pycel's function) with ``body(infos)`` answering when every argument is a big
    range (:func:`_infos`); the first range's error first when ``errors``.  It keeps pycel's name
    (GROUPBY and PIVOTBY pass ``_xleta.SUM`` by its name)."""
    def f(*args):
        infos = _infos(args)
        if infos is None:
            return original(*args)
        if errors:
            error = _first_error(infos)
            if error is not None:
                return error
        return body(infos)
    f.__name__, f.__qualname__, f.__doc__ = original.__name__, original.__qualname__, original.__doc__
    return f


def _sum(original):
    return _on_ranges(original, lambda infos: sum(itertools.chain.from_iterable(i.numbers for i in infos)))


def _count(original):
    return _on_ranges(original, lambda infos: sum(len(i.numbers) for i in infos), errors=False)


def _max(original):
    def body(infos):
        data = tuple(itertools.chain.from_iterable(i.numbers for i in infos))
        return max(data) if data else 0
    return _on_ranges(original, body)


def _sumproduct(original):
    def body(infos):
        import numpy as np
        from pycel.excelutil import VALUE_ERROR
        if len({i.shape for i in infos}) != 1:
            return VALUE_ERROR
        values = np.array(tuple(i.zeros for i in infos))
        return np.sum(np.prod(values, axis=0))
    return _on_ranges(original, body)


def criteria_mask(rng_info, criteria):
    """The cells of a range (flat, row by row) that a criterion comparing with a number matches, as
    :func:`mbsxl.excel._pycel_speed`'s ``find_corresponding_index`` matches them; None for any other
    criterion or a range it leaves to pycel."""
    if type(criteria) is not str or rng_info is None or rng_info.nums is None:
        return None
    import numpy as np
    from pycel import excelutil as eu
    m = eu.OPERATORS_RE.match(criteria)
    oper = m.group("oper") if m else None
    if oper not in _ORDER or not eu.is_number(m.group("value")):
        return None
    value = eu.coerce_to_number(m.group("value"))
    t = type(value)
    if not (t is float or (t is int and -2**53 <= value <= 2**53)):
        return None
    if eu.OPERATORS[oper] is not getattr(operator, _ORDER[oper]):
        return None
    op = {"lt": np.less, "gt": np.greater, "le": np.less_equal, "ge": np.greater_equal,
          "ne": np.not_equal}[_ORDER[oper]]
    with np.errstate(invalid="ignore"):
        hit = op(rng_info.nums, value)
    return np.where(rng_info.isnum, hit, oper == "<>")


def fast_ifs(name: str, base):
    """``base`` (pycel's SUMIFS or COUNTIFS) with the cached path in front of it."""
    if name not in ("sumifs", "countifs"):
        return base

    def f(*args):
        op, pairs = (args[0], args[1:]) if name == "sumifs" else (None, args)
        if not pairs or len(pairs) % 2:
            return base(*args)
        rngs = pairs[0::2] if op is None else (op, *pairs[0::2])
        infos = _infos(rngs)
        if infos is None or len({i.shape for i in infos}) != 1:
            return base(*args)
        crit_infos = infos if op is None else infos[1:]
        mask = None
        for i, criteria in zip(crit_infos, pairs[1::2]):
            m = criteria_mask(i, criteria)
            if m is None:
                return base(*args)
            mask = m if mask is None else mask & m
        if op is None:
            return int(mask.sum())
        s = infos[0]
        if s.error is not None or s.has_bool:
            return base(*args)
        import numpy as np
        flat = s.flat
        return sum(map(flat.__getitem__, np.flatnonzero(mask & s.pynum).tolist()))
    f.__name__ = name
    return f


def install(mod) -> None:
    """Put SUM, COUNT, MAX and SUMPRODUCT into the pycel plug-in module, each in front of whichever
    version the engine would otherwise call (SUMIFS/COUNTIFS: :func:`fast_ifs`, from
    :mod:`mbsxl.excel._fn_stats`)."""
    from ._fn_array import _base_function
    for name, make in (("sum_", _sum), ("count", _count), ("max_", _max), ("sumproduct", _sumproduct)):
        existing = getattr(mod, name, None)
        if getattr(existing, "_mbsxl_ranges", False):
            continue
        f = make(_base_function(name, existing))
        f._mbsxl_ranges = True
        setattr(mod, name, f)
