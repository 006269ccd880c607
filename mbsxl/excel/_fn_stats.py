"""Excel's AVEDEV, DEVSQ, GEOMEAN, HARMEAN, FORECAST / FORECAST.LINEAR, GAMMA, MAXIFS and MINIFS for
the headless engine (issue 21: pycel's and ``formulas``' versions differed from the values Excel cached
in the conformance corpus).  Installed into the pycel plug-in module by :func:`install`.

Argument reading follows Microsoft's function pages ("AVEDEV function" ...): in a range or array only
numbers count (text, logicals and empty cells are skipped); a value typed directly into the list counts
(TRUE as 1, numeric or date text converted, other text #VALUE!); the first error met is the result.  The
typed values are converted when the formula is prepared (:mod:`mbsxl.excel._fn_refs`), so a scalar text
or logical reaching these functions is a referenced cell's and is skipped.

- ``AVEDEV``: mean absolute deviation from the mean; ``DEVSQ``: sum of squared deviations;
  ``GEOMEAN``: ``(x1 ... xn) ** (1/n)``, #NUM! for a value <= 0; ``HARMEAN``: ``n / sum(1/xi)``, #NUM!
  for a value <= 0; all #NUM! with no numbers.
- ``FORECAST(x, known_y's, known_x's)`` (= ``FORECAST.LINEAR``): ``a + b x`` of the least-squares line;
  pairs are read together (the first pair holding an error gives it; a pair with a non-number is
  skipped); ranges of different sizes #N/A; no pairs or zero variance of x #DIV/0!; over a range of
  x inside an array formula, element by element.
- ``GAMMA(x)``: #NUM! for 0 and negative integers and beyond Excel's largest number.
- ``MAXIFS/MINIFS(range, criteria_range1, criteria1, ...)``: the largest/smallest number of ``range``
  where every criterion matches (0 when none); a matching cell holding an error gives the error;
  ranges of different shapes #VALUE!.
- ``GCD`` / ``LCM``: the numbers truncated to whole numbers; a negative one or one of 2**53 or more
  #NUM!; LCM with a 0 is 0 (Microsoft, "GCD function": GCD(5, 2) = 1, GCD(24, 36) = 12; "LCM
  function": LCM(24, 36) = 72).
- SUMIF, SUMIFS, COUNTIF, COUNTIFS, AVERAGEIF, AVERAGEIFS with a criterion comparing with TRUE/FALSE
  (``"<=TRUE"``), a logical, an error or an empty cell as criterion, or an array of criteria (inside an
  array formula element by element, else its first value) are computed with the same matching (logicals compared with logicals
  only, an error matching the same error, an empty criterion 0); with other criteria the engine's own
  functions answer.

>>> avedev(((4,), (5,), (6,), (7,), (5,), (4,), (3,)))     # Microsoft's example
1.0204081632653061
>>> devsq(((4, 5, 8, 7, 11, 4, 3),)), round(geomean(((4, 5, 8, 7, 11, 4, 3),)), 6)
(48.0, 5.476987)
>>> round(harmean(((4, 5, 8, 7, 11, 4, 3),)), 6)
5.028376
>>> round(forecast(30, ((6, 7, 9, 15, 21),), ((20, 28, 31, 38, 40),)), 6)
10.607253
"""
from __future__ import annotations

import math
from numbers import Number

from ._fn_args import DIV0, NA, NUM, VALUE, elementwise, grid, in_array, is_error, is_multi, number, scalar_number


_scalar_number = scalar_number


def _numbers(args):
    """The numbers of the arguments (see the module docstring), or an error text."""
    out = []
    for a in args:
        if isinstance(a, tuple):
            for row in a:
                for v in (row if isinstance(row, tuple) else (row,)):
                    if is_error(v):
                        return v
                    if isinstance(v, Number) and not isinstance(v, bool):
                        out.append(float(v))
        elif is_error(a):
            return a
        elif isinstance(a, Number) and not isinstance(a, bool):
            out.append(float(a))
        # a scalar text, logical or empty: a referenced cell's (typed ones were converted, _fn_refs)
    return out


def avedev(*args):
    xs = _numbers(args)
    if isinstance(xs, str):
        return xs
    if not xs:
        return NUM
    m = sum(xs) / len(xs)
    return sum(abs(x - m) for x in xs) / len(xs)


def devsq(*args):
    xs = _numbers(args)
    if isinstance(xs, str):
        return xs
    if not xs:
        return NUM
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs)


def geomean(*args):
    xs = _numbers(args)
    if isinstance(xs, str):
        return xs
    if not xs or any(x <= 0 for x in xs):
        return NUM
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def harmean(*args):
    xs = _numbers(args)
    if isinstance(xs, str):
        return xs
    if not xs or any(x <= 0 for x in xs):
        return NUM
    return len(xs) / sum(1.0 / x for x in xs)


def _line(known_y, known_x):
    """``(a, b)`` of the least-squares line, or an error text."""
    ys = [v for row in grid(known_y) for v in row]
    xs = [v for row in grid(known_x) for v in row]
    pairs = []
    for y, x in zip(ys, xs):
        if is_error(y):
            return y
        if is_error(x):
            return x
        if isinstance(y, Number) and isinstance(x, Number) and not isinstance(y, bool) and not isinstance(x, bool):
            pairs.append((float(x), float(y)))
    if len(ys) != len(xs):
        return NA
    if not pairs:
        return DIV0
    n = len(pairs)
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxx = sum((p[0] - mx) ** 2 for p in pairs)
    if sxx == 0:
        return DIV0
    b = sum((p[0] - mx) * (p[1] - my) for p in pairs) / sxx
    return my - b * mx, b


def forecast(x, known_y, known_x):
    if known_y is None or known_x is None:        # one empty cell as the known values
        from .errors import CalcError               # (formulas test.xlsx STATISTICAL!V42: #VALUE!)
        line = CalcError(VALUE, "unsupported: FORECAST with one empty cell as known values")
    else:
        line = _line(known_y, known_x)

    def one(v):
        n = _scalar_number(v)
        if is_error(n):
            return n
        if not isinstance(line, tuple):
            return line
        return line[0] + line[1] * n
    return elementwise(one, x)


def gamma(x):
    def one(v):
        n = _scalar_number(v)
        if is_error(n):
            return n
        if n <= 0 and n == math.floor(n):
            return NUM
        try:
            r = math.gamma(n)
        except (OverflowError, ValueError):
            return NUM
        return r if math.isfinite(r) else NUM
    return elementwise(one, x)


# --- MAXIFS / MINIFS ---------------------------------------------------------------------------------

_OPS = ("<=", ">=", "<>", "<", ">", "=")


def _matcher(criteria):
    """A test of one cell against one criterion, as Excel's *IFS functions match: an error matches the
    same error; TRUE/FALSE (or ``"<=TRUE"`` ...) compare with logicals only; an empty criterion is 0;
    other criteria as pycel matches them for SUMIFS (numbers, text with wildcards, comparisons)."""
    from pycel.excelutil import criteria_parser
    if is_error(criteria):
        return lambda v: v == criteria
    if isinstance(criteria, bool):
        return lambda v: isinstance(v, bool) and v == criteria
    if criteria is None:
        criteria = 0
    if isinstance(criteria, str):
        op = next((o for o in _OPS if criteria.startswith(o)), "")
        rest = criteria[len(op):]
        if rest.upper() in ("TRUE", "FALSE"):
            b = rest.upper() == "TRUE"
            import operator as _op
            fn = {"": _op.eq, "=": _op.eq, "<>": _op.ne, "<": _op.lt, ">": _op.gt, "<=": _op.le, ">=": _op.ge}[op]
            return lambda v: (fn(v, b) if isinstance(v, bool) else op == "<>")
        base = criteria_parser(criteria)
        ne = op == "<>"
    else:
        base = criteria_parser(criteria)
        ne = False

    def test(v):
        if isinstance(v, bool) or is_error(v):
            return ne
        try:
            return bool(base(v))
        except (AttributeError, TypeError):       # a wildcard pattern against a number: text only
            return ne
    return test


def _ifs(pick, max_range, *pairs):
    if len(pairs) % 2 or not pairs:
        return VALUE
    crit_pos = list(range(1, len(pairs), 2))
    if any(is_multi(pairs[i]) for i in crit_pos):          # criteria over an array: element by element
        def one(*crits):
            args = list(pairs)
            for i, c in zip(crit_pos, crits):
                args[i] = c
            return _ifs(pick, max_range, *args)
        return elementwise(one, *[pairs[i] for i in crit_pos])
    values = grid(max_range)
    shape = (len(values), len(values[0]))
    ranges = []
    for k in range(0, len(pairs), 2):
        g = grid(pairs[k])
        if (len(g), len(g[0])) != shape:
            return VALUE
        c = pairs[k + 1]
        if isinstance(c, tuple):
            c = grid(c)[0][0]
        ranges.append((g, _matcher(c)))
    best = None
    for r in range(shape[0]):
        for col in range(shape[1]):
            if all(test(g[r][col]) for g, test in ranges):
                v = values[r][col]
                if is_error(v):
                    return v
                if isinstance(v, Number) and not isinstance(v, bool):
                    best = v if best is None else pick(best, v)
    return 0 if best is None else best


def maxifs(max_range, *criteria):
    return _ifs(max, max_range, *criteria)


def minifs(min_range, *criteria):
    return _ifs(min, min_range, *criteria)


def install(mod) -> None:
    """Put these functions into the pycel plug-in module."""
    for name, f in (("avedev", avedev), ("devsq", devsq), ("geomean", geomean), ("harmean", harmean),
                    ("forecast", forecast), ("forecast_linear", forecast), ("gamma", gamma),
                    ("maxifs", maxifs), ("minifs", minifs), ("gcd", gcd), ("lcm", lcm)):
        setattr(mod, name, f)
    _install_ifs(mod)


# --- SUMIF & co. with a criterion comparing with TRUE/FALSE ------------------------------------------

_BOOL_CRITERION = None


def _is_bool_criterion(c) -> bool:
    """``"<=TRUE"``, ``"<>FALSE"`` ...: a comparison with a logical, which pycel matches against
    numbers; Excel compares only with logicals (formulas test.xlsx MATH & TRIG!Y73 =SUMIF(I73:J73,
    "<=TRUE",F73:G73) is -1: only the TRUE cell matches, not the text)."""
    import re
    global _BOOL_CRITERION
    if _BOOL_CRITERION is None:
        _BOOL_CRITERION = re.compile(r"^(?:<=|>=|<>|<|>|=)?(?:TRUE|FALSE)$", re.I)
    return isinstance(c, str) and bool(_BOOL_CRITERION.match(c.strip()))


def _matching(pairs):
    """Positions (row, col) where every (range, criterion) matches, or an error text (#VALUE! for
    ranges of different shapes)."""
    grids = [(grid(r), _matcher(grid(c)[0][0] if isinstance(c, tuple) else c)) for r, c in pairs]
    shape = (len(grids[0][0]), len(grids[0][0][0]))
    if any((len(g), len(g[0])) != shape for g, _ in grids):
        return VALUE
    return [(r, c) for r in range(shape[0]) for c in range(shape[1]) if all(t(g[r][c]) for g, t in grids)]


def _values_at(values, where):
    g = grid(values)
    out = []
    for r, c in where:
        v = g[r][c] if r < len(g) and c < len(g[r]) else None
        if is_error(v):
            return v
        if isinstance(v, Number) and not isinstance(v, bool):
            out.append(v)
    return out


def _ifs_family(name: str, base):
    single = name in ("countif", "sumif", "averageif")

    def crit_positions(n):
        if single:
            return [1] if n > 1 else []
        start = 1 if name in ("sumifs", "averageifs") else 0
        return list(range(start + 1, n, 2))

    def f(*args):
        pos = crit_positions(len(args))
        crit_args = [args[i] for i in pos]
        if any(is_multi(c) for c in crit_args):
            if not in_array():                     # an array of criteria in an ordinary formula:
                full = list(args)                   # its first value (formulas test.xlsx STATISTICAL!AG24)
                for i in pos:
                    if is_multi(full[i]):
                        full[i] = grid(full[i])[0][0]
                return generic(*full)

            def one(*crits):                        # criteria over an array: element by element
                full = list(args)
                for i, c in zip(pos, crits):
                    full[i] = c
                return generic(*full)
            return elementwise(one, *crit_args)
        if not any(_is_bool_criterion(c) or c is None or isinstance(c, bool) or is_error(c) for c in crit_args):
            return base(*args)
        return generic(*args)

    def generic(*args):
        if name in ("countif", "sumif", "averageif"):
            pairs, values = [(args[0], args[1])], (args[2] if len(args) > 2 else args[0])
        elif name == "countifs":
            pairs, values = list(zip(args[0::2], args[1::2])), None
        else:
            pairs, values = list(zip(args[1::2], args[2::2])), args[0]
        if values is not None and (len(grid(values)), len(grid(values)[0])) != \
                (len(grid(pairs[0][0])), len(grid(pairs[0][0])[0])):
            from .errors import CalcError
            return CalcError(VALUE, f"unsupported: {name.upper()} with ranges of different sizes")
        where = _matching(pairs)
        if isinstance(where, str):
            return where
        if name.startswith("count"):
            return len(where)
        xs = _values_at(values, where)
        if isinstance(xs, str):
            return xs
        if name.startswith("sum"):
            return sum(xs)
        return sum(xs) / len(xs) if xs else DIV0
    f.__name__ = name
    return f


def _install_ifs(mod) -> None:
    from ._fn_array import _base_function
    for name in ("sumif", "sumifs", "countif", "countifs", "averageif", "averageifs"):
        existing = getattr(mod, name, None)
        cache: list = []

        def base(*args, _n=name, _e=existing, _c=cache):
            if not _c:
                _c.append(_base_function(_n, _e))
            return _c[0](*args)
        from ._fn_ranges import fast_ifs          # SUMIFS/COUNTIFS over big ranges, cached per range
        setattr(mod, name, _ifs_family(name, fast_ifs(name, base)))


# --- GCD / LCM ---------------------------------------------------------------------------------------

def _whole_numbers(name: str, args):
    """GCD/LCM's numbers: each truncated; the first error met is the answer; a negative number or one
    of 2**53 or more #NUM!; a typed logical or text that is no number #VALUE!; in a range, a cell
    holding text, a logical or nothing is refused (Excel's answer there is not shown by the corpus)."""
    out = []
    for a in args:
        if isinstance(a, tuple):
            for row in a:
                for v in (row if isinstance(row, tuple) else (row,)):
                    if is_error(v):
                        return v
                    if isinstance(v, Number) and not isinstance(v, bool):
                        out.append(v)
                        continue
                    from .errors import CalcError
                    return CalcError(VALUE, f"unsupported: {name} of a range holding text, a logical or "
                                            "an empty cell")
            continue
        if isinstance(a, bool) or a is None:
            return VALUE
        n = number(a)
        if is_error(n):
            return n
        out.append(n)
    nums = []
    for x in out:
        if not math.isfinite(x) or x < 0 or x >= 2 ** 53:
            return NUM
        nums.append(int(math.trunc(x)))
    return nums


def gcd(*args):
    nums = _whole_numbers("GCD", args)
    if not isinstance(nums, list):
        return nums
    return math.gcd(*nums) if nums else VALUE


def lcm(*args):
    nums = _whole_numbers("LCM", args)
    if not isinstance(nums, list):
        return nums
    if not nums:
        return VALUE
    r = 1
    for n in nums:
        if n == 0:
            return 0
        r = r * n // math.gcd(r, n)
        if r >= 2 ** 53:
            return NUM
    return r
