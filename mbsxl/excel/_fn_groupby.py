"""GROUPBY and PIVOTBY (Excel 365) for the headless engine (issue 21), with their function argument.

Excel saves the function argument of ``=GROUPBY(A2:A9,B2:B9,SUM)`` as the eta-reduced built-in
``_xleta.SUM``; the formula check (:func:`mbsxl.excel.formula_guard.rewrite`) turns that token into
``MBSXL_ETA("SUM")`` (:func:`eta_text`), an engine-only call returning an :class:`Eta`, which the
two functions call on each group's values.  A LAMBDA is not evaluated by this module: another module
may register an adapter in :data:`FUNCTION_ADAPTERS` turning its function value into a Python callable
``f(values, all_values)`` (``values``: the group's values as a column, a tuple of 1-tuples;
``all_values``: the denominator's values for a two-argument function such as PERCENTOF, else None);
anything else is refused with a reason.

Semantics (Microsoft's "GROUPBY function" and "PIVOTBY function" pages), checked against every value
Excel cached for them in ``tests/conformance/workbooks/formulas/test__test_files__test.xlsx`` (sheet
LOOKUP rows 25-43 and 92-111, sheet EXTRA rows 3 and 95-104):

- groups are the distinct label tuples of the row (and column) fields present after ``filter_array``;
  each level is sorted ascending by label (numbers before text, text case-blind) unless ``sort_order``
  names it (negative: descending) -- a number beyond the fields sorts the innermost level by its
  aggregated value (PIVOTBY: by the row's or column's total);
- ``field_headers``: omitted = headers when the values' first row is text and the second is not;
  1 = headers, not shown; 3 = headers shown; 0 = no headers;
- ``total_depth`` d: 0 none, 1 grand total ("Total"), d > 1 also subtotals of the first d-1 levels
  (then the grand total is labelled "Grand Total"); negative puts the grand total first;
- a subtotal row shows its parents' labels and blanks below; a cell with no data is blank;
- the function gets the group's values; PERCENTOF divides by GROUPBY's grand total, or by PIVOTBY's
  ``relative_to`` total (0 column, 1 row, 2 grand, 3 parent column, 4 parent row);
- a filter error or mismatched sizes give the error/#VALUE!; a ``filter_array`` of several columns
  uses its first (LOOKUP!N93).

Layouts the corpus does not show (headers generated, shown PIVOTBY headers with totals or a single value
column, column subtotals, negative subtotals, the table relationship with subtotals, value sorting with
several values) are refused with #VALUE! and a reason rather than guessed.

>>> r = groupby((("a",), ("b",), ("a",)), ((1,), (2,), (3,)), Eta("SUM"))
>>> r
(('a', 4), ('b', 2), ('Total', 6))
"""
from __future__ import annotations

import math
import statistics
from numbers import Number

from ._fn_dynarray import MAX_RESULT_CELLS, as_engine, grid, integer, is_error
from .errors import CalcError

#: Callables ``adapter(value) -> f or None``: a module evaluating LAMBDA registers one here (see module doc)
FUNCTION_ADAPTERS: list = []

ETA_FUNCTION = "MBSXL_ETA"


def _nums(vals):
    return [float(x) for x in vals if isinstance(x, Number) and not isinstance(x, bool)]


def _first_error(vals):
    for x in vals:
        if is_error(x):
            return x
    return None


def _agg(fn):
    def f(values, all_values=None):
        vals = [x for r in grid(values) for x in r]
        err = _first_error(vals)
        return err if err else fn(vals)
    return f


def _average(v):
    n = _nums(v)
    return sum(n) / len(n) if n else "#DIV/0!"


def _stat(fn, k):
    def f(v):
        n = _nums(v)
        if len(n) < k:
            return "#DIV/0!"
        return fn(n)
    return f


def _product(v):
    n = _nums(v)
    return math.prod(n) if n else 0.0


_TOTALS: dict = {}        # id(all_values) -> (all_values, error, sum): a denominator is summed once


def _sum_or_error(values):
    vals = [x for r in grid(values) for x in r]
    return _first_error(vals), sum(_nums(vals))


def _percentof(values, all_values=None):
    err, sub = _sum_or_error(values)
    if all_values is None:
        terr, t = err, sub
    else:
        hit = _TOTALS.get(id(all_values))
        if hit is None or hit[0] is not all_values:
            if len(_TOTALS) > 256:
                _TOTALS.clear()
            hit = _TOTALS[id(all_values)] = (all_values, *_sum_or_error(all_values))
        terr, t = hit[1], hit[2]
    if err or terr:
        return "#NUM!"
    return "#DIV/0!" if t == 0 else sub / t


def _if_one_argument(values, all_values=None):
    return CalcError("#VALUE!", "IF given as a function gets one argument; IF needs two or three")


#: Excel name -> f(values, all_values=None): the built-ins a GROUPBY/PIVOTBY function argument may name
ETA = {
    "SUM": _agg(lambda v: sum(_nums(v))),
    "AVERAGE": _agg(_average),
    "COUNT": _agg(lambda v: len(_nums(v))),
    "COUNTA": _agg(lambda v: sum(1 for x in v if x is not None)),
    "MAX": _agg(lambda v: max(_nums(v), default=0.0)),
    "MIN": _agg(lambda v: min(_nums(v), default=0.0)),
    "PRODUCT": _agg(_product),
    "MEDIAN": _agg(lambda v: statistics.median(_nums(v)) if _nums(v) else "#NUM!"),
    "STDEV.S": _agg(_stat(statistics.stdev, 2)),
    "STDEV.P": _agg(_stat(statistics.pstdev, 1)),
    "VAR.S": _agg(_stat(statistics.variance, 2)),
    "VAR.P": _agg(_stat(statistics.pvariance, 1)),
    "PERCENTOF": _percentof,
    "IF": _if_one_argument,
}
#: functions whose result changes when a blank value is read as 0 or skipped: refused over blanks
_BLANK_SENSITIVE = frozenset(ETA) - {"SUM", "PERCENTOF", "IF"}


class Eta:
    """An eta-reduced built-in (``_xleta.SUM``) passed as a function argument."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __call__(self, values, all_values=None):
        return ETA[self.name](values, all_values)

    def __repr__(self):
        return f"_xleta.{self.name}"


def mbsxl_eta(name):
    """The engine's stand-in for ``_xleta.NAME`` (written by the formula check only)."""
    up = str(name).upper()
    return Eta(up) if up in ETA else CalcError("#NAME?", f"_xleta.{up}: not a function this engine can pass")


#: the functions whose arguments may be an eta-reduced built-in (another module may add its own)
ETA_CALLERS = {"GROUPBY", "PIVOTBY"}


def _enclosing(tokens, k: int) -> str:
    """The upper-case name (prefixes dropped) of the function whose parentheses hold token ``k``, or ""."""
    depth = 0
    for t in reversed(tokens[:k]):
        if t.subtype == "CLOSE":
            depth += 1
        elif t.subtype == "OPEN":
            if depth == 0:
                if t.type != "FUNC":
                    return ""
                name = t.value[:-1].upper()
                return name.rsplit(".", 1)[-1] if name.startswith(("_XLFN.", "_XLWS.")) else name
            depth -= 1
    return ""


def eta_text(token: str, tokens=(), k: int = 0):
    """``MBSXL_ETA("SUM")`` for the operand ``_xleta.SUM`` (``tokens[k]``) given directly to one of
    :data:`ETA_CALLERS`; None for any other operand.  Raises
    :class:`~mbsxl.excel.formula_guard.Refused` for a built-in this engine cannot pass, or one given to
    another function (``TYPE(_xleta.SUM)`` is 128 in Excel)."""
    if token.lower().startswith("_xlfn._xleta."):
        token = token[len("_xlfn."):]
    if not token.lower().startswith("_xleta."):
        return None
    from ._guard_base import Refused
    name = token[len("_xleta."):].upper()
    for p in ("_XLFN.", "_XLWS."):
        if name.startswith(p):
            name = name[len(p):]
    caller = _enclosing(tokens, k)
    if caller not in ETA_CALLERS:
        raise Refused("#NAME?", f"unsupported: the function value _xleta.{name[:40]} given to "
                                f"{caller or 'no function'} (only GROUPBY/PIVOTBY take one here)")
    if name not in ETA:
        raise Refused("#NAME?", f"unsupported: {name[:40]!r} as a function argument (GROUPBY/PIVOTBY take "
                                f"{', '.join(sorted(ETA))} here)")
    return f'{ETA_FUNCTION}("{name}")'


def _python_names_of_eta() -> dict:
    """pycel's Python name of each of :data:`ETA` (``sum_`` -> ``SUM``, ``stdev_s`` -> ``STDEV.S``)."""
    from ._allowlist import python_name
    out = {}
    for name in ETA:
        out[name.lower().replace(".", "_")] = name
        try:
            out[python_name(name)] = name
        except Exception:  # noqa: BLE001 - pycel absent: the plain names only
            pass
    return out


def _lambda_module_adapter(value):
    """Function values of :mod:`mbsxl.excel._fn_lambda` (when that module is present): its eta-reduced
    built-in (an engine function with a Python name) becomes the :class:`Eta` of that name; a LAMBDA of
    one parameter is called with the group's values and must give one value.  Other LAMBDAs (two
    parameters, as PERCENTOF's) are refused: how Excel passes them is not checked here."""
    import sys
    mod = sys.modules.get("mbsxl.excel._fn_lambda")
    lam = getattr(mod, "XlLambda", None) if mod is not None else None
    if lam is None or not isinstance(value, lam):
        return None
    eta_cls = getattr(mod, "_Eta", None)
    if eta_cls is not None and isinstance(value, eta_cls):
        fn = getattr(value, "fn", None)
        fn = getattr(fn, "__wrapped__", fn)
        name = _python_names_of_eta().get(getattr(fn, "__name__", ""))
        return Eta(name) if name else None
    if getattr(value, "arity", None) != 1:
        return None

    def call(values, all_values=None):
        r = value(values)
        if isinstance(r, tuple):
            g = grid(r)
            if len(g) == 1 and len(g[0]) == 1:
                return g[0][0]
            return CalcError("#CALC!", "the LAMBDA gave an array where GROUPBY/PIVOTBY need one value")
        if not isinstance(r, (str, Number, type(None))):
            return CalcError("#VALUE!", "unsupported: the LAMBDA gave a value GROUPBY/PIVOTBY cannot show")
        return r
    return call


def _callable(function, who: str):
    if isinstance(function, Eta):
        return function
    if is_error(function):
        return function
    for adapter in FUNCTION_ADAPTERS:
        f = adapter(function)
        if f is not None:
            return f
    if isinstance(function, tuple):
        function = grid(function)[0][0]
        if is_error(function):
            return function
    return CalcError("#VALUE!", f"unsupported: {who}'s function argument is not a built-in this engine can pass "
                                "(a LAMBDA is not evaluated here)")


def _needs_all(f) -> bool:
    """Whether ``f`` reads its second argument (the denominator's values): PERCENTOF, or a function
    value of another module."""
    return not isinstance(f, Eta) or f.name == "PERCENTOF"


def _refuse(who: str, what: str):
    return CalcError("#VALUE!", f"unsupported: {who} {what} (a layout not checked against Excel)")


# ---------------------------------------------------------------------------------------------- parts
def _sort_key(label):
    if isinstance(label, bool):
        return (2, int(label), "")
    if isinstance(label, Number):
        return (0, float(label), "")
    return (1, 0.0, str(label).lower())


def _label_key(labels):
    """A grouping key telling TRUE from 1 (equal in Python); text as written."""
    return tuple(("b", x) if isinstance(x, bool) else ("n", float(x)) if isinstance(x, Number) else ("t", x)
                 for x in labels)


def _case_clash(keys) -> bool:
    """Two text labels differing only by case (Excel's grouping of them is not checked here)."""
    seen: dict = {}
    for key in keys:
        folded = tuple((k, v.lower()) if k == "t" else (k, v) for k, v in key)
        if seen.setdefault(folded, key) != key:
            return True
    return False


def _headers_mode(arg, values_g):
    if arg is None:
        first = values_g[0] if values_g else []
        second = values_g[1] if len(values_g) > 1 else []
        text = bool(first) and all(isinstance(x, str) and not is_error(x) for x in first)
        return 1 if text and len(values_g) > 1 and not any(isinstance(x, str) for x in second) else 0
    k = integer(arg)
    return k


def _depth(arg, default=1):
    if arg is None:
        return default
    return integer(arg)


def _sort_spec(arg):
    """A list of non-zero integers or an error value."""
    if arg is None:
        return []
    out = []
    for r in grid(arg):
        for x in r:
            k = integer(x)
            if isinstance(k, str):
                return k
            if k == 0:
                return "#VALUE!"
            out.append(k)
    return out


def _kept_rows(filter_array, n: int, has_h: bool):
    """The data rows (0-based, the header row left out) that ``filter_array`` keeps, or an error text;
    none kept is #VALUE! (Excel's #CALC!, nothing left, saved as #VALUE!)."""
    mask = _filter_mask(filter_array, n, has_h)
    if isinstance(mask, str):
        return mask
    rows = [i for i in range(n) if mask[i] and not (has_h and i == 0)]
    return rows or "#VALUE!"


def _filter_mask(arg, n_rows, has_headers):
    if arg is None:
        return [True] * n_rows
    g = grid(arg)
    if len(g) == 1 and len(g[0]) == n_rows and n_rows > 1:
        col = g[0]                                   # a row of flags
    else:
        col = [r[0] for r in g]                      # the first column (LOOKUP!N93: several columns)
    if len(col) != n_rows:
        return "#VALUE!"
    out = []
    for i, x in enumerate(col):
        if has_headers and i == 0:
            out.append(False)
            continue
        if is_error(x):
            return x
        if x is None:
            out.append(False)
        elif isinstance(x, (bool, Number)):
            out.append(bool(x))
        else:
            return "#VALUE!"
    return out


def _order(leaves, nlev, spec, value_of):
    """The leaf tuples sorted level by level.  ``spec``: [k, ...] (k = level number, negative
    descending; k > nlev sorts the innermost level by ``value_of(leaf)``)."""
    desc = [False] * nlev
    by_value = None
    for k in spec:
        if abs(k) <= nlev:
            desc[abs(k) - 1] = k < 0
        else:
            by_value = k
    if by_value is not None:
        def key(leaf):
            parts = []
            for lev in range(nlev - 1):
                parts.append(_Desc(_sort_key(leaf[lev])) if desc[lev] else _sort_key(leaf[lev]))
            v = value_of(leaf, by_value)
            vk = _sort_key(v) if not is_error(v) else (3, 0.0, str(v))
            parts.append(_Desc(vk) if by_value < 0 else vk)
            parts.append(_sort_key(leaf[-1]))
            return tuple(parts)
    else:
        def key(leaf):
            return tuple(_Desc(_sort_key(leaf[lev])) if desc[lev] else _sort_key(leaf[lev]) for lev in range(nlev))
    return sorted(leaves, key=key)


class _Desc:
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __lt__(self, other):
        return other.k < self.k

    def __eq__(self, other):
        return self.k == other.k


def _lines(leaves, nlev, depth):
    """Output lines (prefix, kind) for sorted ``leaves``: subtotals of levels 1..|depth|-1 after their
    groups, the grand total last (depth > 0) or first (depth < 0)."""
    subs = max(abs(depth) - 1, 0)
    out = []
    prev = None
    for i, leaf in enumerate(leaves):
        out.append((leaf, "leaf"))
        nxt = leaves[i + 1] if i + 1 < len(leaves) else None
        for lev in range(min(subs, nlev - 1), 0, -1):          # deepest subtotal first
            if nxt is None or _label_key(nxt[:lev]) != _label_key(leaf[:lev]):
                out.append((leaf[:lev], "sub"))
        prev = leaf
    del prev
    if depth > 0:
        out.append(((), "grand"))
    elif depth < 0:
        out.insert(0, ((), "grand"))
    return out


def _labels(prefix, kind, nlev, grand_label):
    if kind == "grand":
        return [grand_label] + [""] * (nlev - 1)
    return list(prefix) + [""] * (nlev - len(prefix))


def _check_common(who, headers, depth):
    if isinstance(headers, str):
        return headers
    if headers not in (0, 1, 3):
        return _refuse(who, f"with field_headers {headers}")
    if isinstance(depth, str):
        return depth
    return None


# --------------------------------------------------------------------------------------------- GROUPBY
def groupby(row_fields, values, function, field_headers=None, total_depth=None, sort_order=None,
            filter_array=None, field_relationship=None):
    """GROUPBY(row_fields, values, function, [field_headers], [total_depth], [sort_order], [filter_array],
    [field_relationship])."""
    who = "GROUPBY"
    if any(isinstance(a, Eta) for a in (row_fields, values, field_headers, total_depth, sort_order, filter_array,
                                        field_relationship)):
        return _refuse(who, "given a function where it expects data")
    f = _callable(function, who)
    if isinstance(f, str):
        return f
    rg, vg = grid(row_fields), grid(values)
    if len(rg) != len(vg):
        return "#VALUE!"
    headers = _headers_mode(field_headers, vg)
    depth = _depth(total_depth)
    bad = _check_common(who, headers, depth)
    if bad:
        return bad
    rel = 0 if field_relationship is None else integer(field_relationship)
    if isinstance(rel, str):
        return rel
    if rel not in (0, 1):
        return "#VALUE!"
    nlev, nval = len(rg[0]), len(vg[0])
    if abs(depth) > max(nlev, 1):
        return CalcError("#VALUE!", f"GROUPBY: total_depth {depth} is deeper than the {nlev} row fields")
    if depth < -1:
        return _refuse(who, "with subtotals at the top (negative total_depth below -1)")
    if rel == 1 and abs(depth) > 1:
        return _refuse(who, "with the table relationship and subtotals")
    spec = _sort_spec(sort_order)
    if isinstance(spec, str):
        return spec
    if any(abs(k) > nlev + nval for k in spec):
        return "#VALUE!"
    if any(abs(k) > nlev for k in spec) and (nlev > 1 or abs(depth) > 1 or len(spec) > 1):
        return _refuse(who, "sorted by a value column with several row fields, subtotals or several keys")
    has_h = headers in (1, 3)
    rows = _kept_rows(filter_array, len(rg), has_h)
    if isinstance(rows, str):
        return rows
    for i in rows:
        if any(x is None for x in rg[i]):
            return _refuse(who, "with a blank label")
        if any(is_error(x) for x in rg[i]):
            return next(x for x in rg[i] if is_error(x))
    name = getattr(f, "name", None)
    if name in _BLANK_SENSITIVE and any(vg[i][j] is None for i in rows for j in range(nval)):
        return _refuse(who, f"with {name} over blank values")
    members: dict = {}
    for i in rows:
        members.setdefault(_label_key(rg[i]), tuple(rg[i]))
    if _case_clash(members):
        return _refuse(who, "with labels differing only by case")
    by_prefix: dict = {}                         # label-key prefix -> its rows (one pass, not one per group)
    for i in rows:
        k = _label_key(rg[i])
        for n in range(nlev + 1):
            by_prefix.setdefault(k[:n], []).append(i)
    cache: dict = {}
    totals: dict = {}
    needs_all = _needs_all(f)

    def value(prefix, j):
        pk = _label_key(prefix)
        key = (pk, j)
        if key not in cache:
            idx = by_prefix.get(pk, [])
            col = tuple((vg[i][j],) for i in idx)
            if needs_all and j not in totals:
                totals[j] = tuple((vg[i][j],) for i in rows)
            cache[key] = f(col, totals.get(j))
        return cache[key]

    leaves = _order(list(members.values()), nlev, spec, lambda leaf, k: value(leaf, abs(k) - nlev - 1))
    lines = _lines(leaves, nlev, depth)
    grand = "Grand Total" if abs(depth) > 1 else "Total"
    out = []
    if headers == 3:
        out.append([_blank(x) for x in rg[0]] + [_blank(x) for x in vg[0]])
    if (len(lines) + 1) * (nlev + nval) > MAX_RESULT_CELLS:
        return CalcError("#NUM!", f"GROUPBY: the result is over {MAX_RESULT_CELLS:,} cells (--max-array-cells)")
    for prefix, kind in lines:
        out.append(_labels(prefix, kind, nlev, grand) + [_out(value(prefix if kind != "grand" else (), j))
                                                       for j in range(nval)])
    return as_engine(out)


def _blank(x):
    return "" if x is None else x


def _out(v):
    if isinstance(v, tuple):
        v = grid(v)[0][0]
    if v is None:
        return 0
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)                    # 41, not 41.0, when the result is read as text
    return v


# --------------------------------------------------------------------------------------------- PIVOTBY
def pivotby(row_fields, col_fields, values, function, field_headers=None, row_total_depth=None,
            row_sort_order=None, col_total_depth=None, col_sort_order=None, filter_array=None,
            relative_to=None):
    """PIVOTBY(row_fields, col_fields, values, function, [field_headers], [row_total_depth],
    [row_sort_order], [col_total_depth], [col_sort_order], [filter_array], [relative_to])."""
    who = "PIVOTBY"
    if any(isinstance(a, Eta) for a in (row_fields, col_fields, values, field_headers, row_total_depth,
                                        row_sort_order, col_total_depth, col_sort_order, filter_array, relative_to)):
        return _refuse(who, "given a function where it expects data")
    f = _callable(function, who)
    if isinstance(f, str):
        return f
    rg, cg, vg = grid(row_fields), grid(col_fields), grid(values)
    if not (len(rg) == len(cg) == len(vg)):
        return "#VALUE!"
    headers = _headers_mode(field_headers, vg)
    rdepth, cdepth = _depth(row_total_depth), _depth(col_total_depth)
    for bad in (_check_common(who, headers, rdepth), _check_common(who, headers, cdepth)):
        if bad:
            return bad
    rel = 0 if relative_to is None else integer(relative_to)
    if isinstance(rel, str):
        return rel
    if rel not in (0, 1, 2, 3, 4):
        return "#VALUE!"
    nr, nc, nval = len(rg[0]), len(cg[0]), len(vg[0])
    if abs(rdepth) > max(nr, 1) or abs(cdepth) > max(nc, 1):
        return CalcError("#VALUE!", "PIVOTBY: a total depth is deeper than its fields")
    if rdepth < -1 or cdepth < -1:
        return _refuse(who, "with subtotals at the top or left (total depth below -1)")
    if abs(cdepth) > 1:
        return _refuse(who, "with column subtotals")
    if headers == 3 and (nval < 2 or cdepth != 0):
        return _refuse(who, "with headers shown and a single value column or column totals")
    rspec, cspec = _sort_spec(row_sort_order), _sort_spec(col_sort_order)
    for s in (rspec, cspec):
        if isinstance(s, str):
            return s
    for s, n in ((rspec, nr), (cspec, nc)):
        if any(abs(k) > n + nval for k in s):
            return "#VALUE!"
        if any(abs(k) > n for k in s) and (nval > 1 or len(s) > 1):
            return _refuse(who, "sorted by values with several value columns or several keys")
    if any(abs(k) > nr for k in rspec) and abs(rdepth) > 1:
        return _refuse(who, "sorted by values with subtotals")
    has_h = headers in (1, 3)
    rows = _kept_rows(filter_array, len(rg), has_h)
    if isinstance(rows, str):
        return rows
    for i in rows:
        labels = list(rg[i]) + list(cg[i])
        if any(x is None for x in labels):
            return _refuse(who, "with a blank label")
        for x in labels:
            if is_error(x):
                return x
    name = getattr(f, "name", None)
    if name in _BLANK_SENSITIVE and any(vg[i][j] is None for i in rows for j in range(nval)):
        return _refuse(who, f"with {name} over blank values")
    rmap: dict = {}
    cmap: dict = {}
    for i in rows:
        rmap.setdefault(_label_key(rg[i]), tuple(rg[i]))
        cmap.setdefault(_label_key(cg[i]), tuple(cg[i]))
    if _case_clash(rmap) or _case_clash(cmap):
        return _refuse(who, "with labels differing only by case")
    rleaves, cleaves = list(rmap.values()), list(cmap.values())
    by_prefix: dict = {}                         # (row prefix key, column prefix key) -> its rows
    for i in rows:
        rk, ck = _label_key(rg[i]), _label_key(cg[i])
        for a in range(nr + 1):
            for b in range(nc + 1):
                by_prefix.setdefault((rk[:a], ck[:b]), []).append(i)
    cache: dict = {}
    totals: dict = {}
    needs_all = _needs_all(f)

    def members(rp, cp):
        return by_prefix.get((_label_key(rp), _label_key(cp)), [])

    def denominator(rp, cp):
        return {0: ((), cp), 1: (rp, ()), 2: ((), ()), 3: (rp, cp[:-1]), 4: (rp[:-1], cp)}[rel]

    def value(rp, cp, j):
        key = (_label_key(rp), _label_key(cp), j)
        if key not in cache:
            idx = members(rp, cp)
            if not idx:
                cache[key] = ""
            else:
                col = tuple((vg[i][j],) for i in idx)
                allc = None
                if needs_all:
                    drp, dcp = denominator(rp, cp)
                    dkey = (_label_key(drp), _label_key(dcp), j)
                    if dkey not in totals:
                        totals[dkey] = tuple((vg[i][j],) for i in members(drp, dcp))
                    allc = totals[dkey]
                cache[key] = _out(f(col, allc))
        return cache[key]

    rorder = _order(rleaves, nr, rspec, lambda leaf, k: value(leaf, (), 0))
    corder = _order(cleaves, nc, cspec, lambda leaf, k: value((), leaf, 0))
    rlines = _lines(rorder, nr, rdepth)
    clines = _lines(corder, nc, cdepth)
    width = nr + len(clines) * nval
    height = len(rlines) + nc + (2 if headers == 3 else 0)
    if width * height > MAX_RESULT_CELLS:
        return CalcError("#NUM!", f"PIVOTBY: the result is over {MAX_RESULT_CELLS:,} cells (--max-array-cells)")
    rgrand = "Grand Total" if abs(rdepth) > 1 else "Total"
    cgrand = "Grand Total" if abs(cdepth) > 1 else "Total"
    out = []
    if headers == 3:
        names = [_blank(x) for x in cg[0]]
        out.append([""] * nr + [", ".join(str(x) for x in names)] + [""] * (width - nr - 1))
    for lev in range(nc):
        line = [""] * nr
        for prefix, kind in clines:
            lab = _labels(prefix, kind, nc, cgrand)[lev]
            line.extend([lab] * nval)
        out.append(line)
    if headers == 3:
        out.append([_blank(x) for x in rg[0]] + [_blank(x) for _ in clines for x in vg[0]])
    for rp, rkind in rlines:
        line = _labels(rp, rkind, nr, rgrand)
        rpx = () if rkind == "grand" else rp
        for cp, ckind in clines:
            cpx = () if ckind == "grand" else cp
            line.extend(value(rpx, cpx, j) for j in range(nval))
        out.append(line)
    return as_engine(out)


FUNCTIONS = {"groupby": groupby, "pivotby": pivotby, ETA_FUNCTION.lower(): mbsxl_eta}
from ._guard_base import GROUPBY_NAMES as NAMES  # noqa: E402


FUNCTION_ADAPTERS.append(_lambda_module_adapter)


def install(mod) -> None:
    for name, f in FUNCTIONS.items():
        setattr(mod, name, f)
