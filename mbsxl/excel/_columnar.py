"""The columnar fast path of ``mbsxl calc`` (issue 21): a whole column of one formula as one numpy
expression.

A loan tape holds a few formulas copied down a million rows.  The ordinary path (pycel) compiles and
evaluates each cell on its own (0.5-1 ms a cell); here the sheet XML is streamed into per-column arrays
(:mod:`mbsxl.excel._sheetxml`), the formula cells of a column are grouped by their relative (R1C1)
shape, and each group is evaluated once over all its rows with Excel's semantics:

- values: numbers, booleans, empty cells (0 in arithmetic) and error values, element by element
  (an error propagates: the left operand's first, as in Excel; ``x/0`` is ``#DIV/0!``, a result beyond
  Excel's largest number, 1.8E+308, is ``#NUM!``);
- operators ``+ - * / ^ %``, unary ``-``/``+``, comparisons (a number is below a boolean, an empty cell
  compares as 0 or FALSE), functions IF, IFERROR, AND, OR, NOT, ABS, ROUND/ROUNDUP/ROUNDDOWN (half away
  from zero on the number's shortest decimal form, as the ordinary path; digits a literal from 0 to
  15), MIN/MAX/SUM of scalars and fixed ranges, ISBLANK, ISNUMBER, ISTEXT, ISERROR;
- summary cells over fixed ranges: SUM (added in row order), AVERAGE, COUNT, COUNTIF with a numeric
  criterion (``">120"``), MAX, MIN, SUMPRODUCT;
- references to the same row (any column, any sheet) or to fixed cells; groups are evaluated in the
  order their reads require (a group reading another group's column waits for it).

Whenever something is not modelled -- text in arithmetic or in a result, a function not listed, a
moving range (``SUM(A1:A5)`` copied down), a column reading itself (a running balance), a defined
name, a shared formula filled across columns, an array formula, ``--set`` overrides, iterative calculation -- :func:`calculate` returns None
and the ordinary path computes the workbook, so a result is either this path's or pycel's, never a
mixture.  The property test ``tests/test_columnar.py`` checks that random tapes give the ordinary
path's values exactly.

>>> v = calculate("tape.xlsx")           # doctest: +SKIP
>>> v["Tape!E2"] if v is not None else "ordinary path"   # doctest: +SKIP
10225.27...
"""
from __future__ import annotations

import os
import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

import numpy as np

from . import _formulaast as fa
from . import _sheetxml as sx
from .addresses import col_index, col_letters
from ._sheetxml import BOOL, EMPTY, ERR, NUM, STR, Unsupported
from .errors import CalcError

LAST_REASON = ""             # why the fast path last declined a workbook (for tests and debugging)
MIN_FORMULAS = 2000          # below this the ordinary path is fast enough; the fast path stays out
DIV0, VALUE, NUMERR = 1, 2, 3
_MAX = 1.7976931348623157e308


class _Col:
    __slots__ = ("kind", "num")

    def __init__(self, size: int):
        self.kind = np.zeros(size, dtype=np.uint8)
        self.num = np.zeros(size, dtype=np.float64)


class _Book:
    def __init__(self, sheets):
        self.sheets = {s.name: s for s in sheets}
        self.size = {s.name: s.max_row + 2 for s in sheets}
        self.cols: dict[tuple[str, int], _Col] = {}
        for s in sheets:
            for cols, rows, kind, num in s.values.get(0, []):
                for c in np.unique(cols).tolist():
                    m = cols == c
                    col = self.col(s.name, c)
                    col.kind[rows[m]] = kind[m]
                    col.num[rows[m]] = num[m]

    def col(self, sheet: str, c: int) -> _Col:
        key = (sheet, c)
        got = self.cols.get(key)
        if got is None:
            got = self.cols[key] = _Col(self.size[sheet])
        return got

    def read(self, sheet: str, c: int, rows: np.ndarray):
        """(kind, num) of the cells at ``rows`` (beyond the used rows: empty)."""
        if rows.size and rows.min() < 1:
            raise Unsupported("a reference above row 1")
        col = self.cols.get((sheet, c))
        if col is None:
            return np.zeros(rows.size, np.uint8), np.zeros(rows.size)
        inside = rows < col.kind.size
        if inside.all():
            return col.kind[rows], col.num[rows]
        k = np.zeros(rows.size, np.uint8)
        n = np.zeros(rows.size)
        k[inside] = col.kind[rows[inside]]
        n[inside] = col.num[rows[inside]]
        return k, n

    def block(self, sheet: str, c1: int, r1: int, c2: int, r2: int):
        """(kind, num) of a rectangle, flattened row by row."""
        if r1 > r2:
            r1, r2 = r2, r1
        if c1 > c2:
            c1, c2 = c2, c1
        if r1 < 1:
            raise Unsupported("a range above row 1")
        rows = np.arange(r1, min(r2, self.size[sheet] - 1) + 1)
        ks, ns = [], []
        for c in range(c1, c2 + 1):
            k, n = self.read(sheet, c, rows)
            ks.append(k)
            ns.append(n)
        if len(ks) == 1:
            return ks[0], ns[0]
        return np.stack(ks, axis=1).ravel(), np.stack(ns, axis=1).ravel()


class _Group:
    """One formula shape over ``rows`` of one column with one set of offsets."""
    __slots__ = ("sheet", "col", "rows", "tree", "marks", "text", "deps")

    def __init__(self, sheet, col, rows, tree, marks, text):
        self.sheet, self.col, self.rows, self.tree, self.marks, self.text = sheet, col, rows, tree, marks, text
        self.deps = set()


def _mark_roles(tree, roles: dict) -> None:
    """``roles[mark] = "rel" | "abs"`` for the row numbers of references."""
    kind = tree[0]
    if kind == "ref":
        roles[tree[3]] = "abs" if tree[4] else "rel"
    elif kind == "range":
        roles[tree[3]] = "abs" if tree[4] else "rel"
        roles[tree[6]] = "abs" if tree[7] else "rel"
    elif kind in ("neg", "plus", "pct"):
        _mark_roles(tree[1], roles)
    elif kind == "bin":
        _mark_roles(tree[2], roles)
        _mark_roles(tree[3], roles)
    elif kind == "fn":
        for a in tree[2]:
            _mark_roles(a, roles)


def _groups(book: _Book, parsed: dict) -> list[_Group]:
    out = []
    for s in book.sheets.values():
        for (c, shape), chunks in s.formulas.items():
            tree, n_marks = parsed[(s.name, shape)]
            rows = np.concatenate([r for r, _, _ in chunks])
            roles: dict = {}
            _mark_roles(tree, roles)
            rel = [j for j, role in roles.items() if role == "rel"]
            if n_marks:
                mats = []
                for r, m, base in chunks:
                    if base is not None:        # a shared formula's children: relative rows moved by the offset
                        m = np.array(m)
                        for j in rel:
                            m[:, j] += r - base
                        if m.size and m.max() > 1048576:
                            raise Unsupported("a shared formula moved beyond the last row")
                    mats.append(m)
                mat = np.concatenate(mats)
            else:
                mat = np.zeros((rows.size, 0), np.int64)
            # digits that are not a reference's row (a sheet name's S1, a number's 1E5, LOG10) are part
            # of the formula the tree was parsed from (the first one): they must be the same in every cell
            fixed = [j for j in range(mat.shape[1]) if j not in roles]
            if fixed and rows.size > 1 and (mat[:, fixed] != mat[0, fixed]).any():
                raise Unsupported("formulas of one shape whose sheet names or numbers differ")
            norm = mat.copy()
            for j in rel:
                norm[:, j] -= rows
            text = s.first[(c, shape)][1]
            if norm.shape[1] == 0 or (norm == norm[0]).all():
                out.append(_Group(s.name, c, rows, tree, norm[0] if norm.shape[1] else norm[0:0], text))
                continue
            uniq, inv = np.unique(norm, axis=0, return_inverse=True)
            inv = inv.ravel()
            for g in range(uniq.shape[0]):
                out.append(_Group(s.name, c, rows[inv == g], tree, uniq[g], text))
    return out


# ----------------------------------------------------------------------------- dependencies

def _collect_reads(g: _Group, tree, out: list) -> None:
    kind = tree[0]
    if kind == "ref":
        _, sheet, c, mk, ab = tree
        out.append((sheet, c, "abs" if ab else "rel", int(g.marks[mk])))
    elif kind == "range":
        _, sheet, c1, m1, a1, c2, m2, a2 = tree
        if (not a1 or not a2) and g.rows.size > 1:
            raise Unsupported("a range that moves with the row (copied down)")
        r1 = int(g.marks[m1]) + (0 if a1 else int(g.rows[0]))
        r2 = int(g.marks[m2]) + (0 if a2 else int(g.rows[0]))
        for c in range(min(c1, c2), max(c1, c2) + 1):
            out.append((sheet, c, "span", (min(r1, r2), max(r1, r2))))
    elif kind in ("neg", "plus", "pct"):
        _collect_reads(g, tree[1], out)
    elif kind == "bin":
        _collect_reads(g, tree[2], out)
        _collect_reads(g, tree[3], out)
    elif kind == "fn":
        for a in tree[2]:
            _collect_reads(g, a, out)


def _order(groups: list[_Group], limits) -> list[_Group]:
    by_col: dict = {}
    for i, g in enumerate(groups):
        by_col.setdefault((g.sheet, g.col), []).append(i)
    for i, g in enumerate(groups):
        reads: list = []
        _collect_reads(g, g.tree, reads)
        for sheet, c, how, v in reads:
            if how == "span" and (v[1] - v[0] + 1) > limits.max_range_cells:
                raise Unsupported("a range over the range-size limit (the ordinary path refuses it)")
            for j in by_col.get((sheet, c), ()):
                h = groups[j]
                if how == "rel":
                    hit = np.intersect1d(g.rows + v, h.rows, assume_unique=True).size > 0
                elif how == "abs":
                    hit = bool(np.isin(v, h.rows))
                else:
                    lo, hi = v
                    a, b = np.searchsorted(h.rows, [lo, hi + 1]) if _sorted(h) else (0, 0)
                    hit = (b > a) if _sorted(h) else bool(((h.rows >= lo) & (h.rows <= hi)).any())
                if hit:
                    if j == i:
                        raise Unsupported("a formula column that reads itself (a running total, or circular)")
                    g.deps.add(j)
    # Kahn's algorithm; a cycle goes to the ordinary path (which names it)
    indeg = [len(g.deps) for g in groups]
    users: dict = {}
    for i, g in enumerate(groups):
        for j in g.deps:
            users.setdefault(j, []).append(i)
    ready = [i for i, d in enumerate(indeg) if d == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(groups[i])
        for u in users.get(i, ()):
            indeg[u] -= 1
            if indeg[u] == 0:
                ready.append(u)
    if len(order) != len(groups):
        raise Unsupported("a circular reference between formula columns")
    return order


def _sorted(h: _Group) -> bool:
    r = h.rows
    return r.size < 2 or bool((r[1:] > r[:-1]).all())


# ----------------------------------------------------------------------------- evaluation

class _V:
    """A vector of cell values: ``kind`` (EMPTY/NUM/BOOL/STR/ERR) and ``num`` (the number, 0/1 for a
    boolean, the error's index in :data:`mbsxl.excel._sheetxml.ERROR_CODES` for an error); arrays of
    length 1 broadcast."""
    __slots__ = ("kind", "num", "is_ref")

    def __init__(self, kind, num, is_ref=False):
        self.kind, self.num, self.is_ref = kind, num, is_ref


def _const(kind, num):
    return _V(np.array([kind], np.uint8), np.array([num], np.float64))


def _num(v: _V):
    """(numbers, error index or 0) for arithmetic: empty 0, TRUE 1; text is not modelled."""
    if (v.kind == STR).any():
        raise Unsupported("text in arithmetic")
    err = np.where(v.kind == ERR, v.num, 0.0)
    val = np.where(v.kind == ERR, 0.0, v.num)
    return val, err


def _finish(res, err) -> _V:
    with np.errstate(all="ignore"):
        bad = (err == 0) & ~np.isfinite(res)
    if bad.any():
        err = np.where(bad, NUMERR, err)
    iserr = err > 0
    return _V(np.where(iserr, ERR, NUM).astype(np.uint8), np.where(iserr, err, res))


def _first_err(*errs):
    out = errs[-1]
    for e in reversed(errs[:-1]):
        out = np.where(e > 0, e, out)
    return out


def _logical(v: _V):
    """(truth, error) for IF/AND/OR/NOT: a number is TRUE when not 0, an empty cell FALSE."""
    if (v.kind == STR).any():
        raise Unsupported("text as a condition")
    err = np.where(v.kind == ERR, v.num, 0.0)
    return (v.num != 0) & (v.kind != ERR) & (v.kind != EMPTY), err


def _bools(truth, err) -> _V:
    iserr = err > 0
    return _V(np.where(iserr, ERR, BOOL).astype(np.uint8), np.where(iserr, err, truth.astype(np.float64)))


def _cmp_key(v: _V, other: _V):
    """(rank, value) for Excel's comparison: numbers < booleans; an empty cell takes the other side's
    type with value 0 (0 or FALSE)."""
    rank = np.where(v.kind == BOOL, 2, 0)
    other_rank = np.where(other.kind == BOOL, 2, 0)
    empty = v.kind == EMPTY
    rank = np.where(empty, other_rank, rank)
    val = np.where(empty, 0.0, v.num)
    return rank, val


class _Eval:
    def __init__(self, book: _Book, g: _Group):
        self.book, self.g = book, g

    def rows_of(self, mark, absolute):
        v = int(self.g.marks[mark])
        return np.array([v]) if absolute else self.g.rows + v

    def block(self, node):
        _, sheet, c1, m1, a1, c2, m2, a2 = node
        r0 = int(self.g.rows[0])
        r1 = int(self.g.marks[m1]) + (0 if a1 else r0)
        r2 = int(self.g.marks[m2]) + (0 if a2 else r0)
        return self.book.block(sheet, c1, r1, c2, r2)

    def ev(self, node) -> _V:
        kind = node[0]
        if kind == "num":
            return _const(NUM, node[1])
        if kind == "bool":
            return _const(BOOL, float(node[1]))
        if kind == "err":
            return _const(ERR, float(node[1]))
        if kind == "str":
            raise Unsupported("a text literal")
        if kind == "missing":
            raise Unsupported("an omitted argument")
        if kind == "ref":
            _, sheet, c, mk, ab = node
            k, n = self.book.read(sheet, c, self.rows_of(mk, ab))
            return _V(k, n, is_ref=True)
        if kind == "range":
            raise Unsupported("a range where one value is expected (implicit intersection)")
        if kind == "neg":
            val, err = _num(self.ev(node[1]))
            return _finish(-val, err)
        if kind == "plus":
            v = self.ev(node[1])
            return _V(v.kind, v.num)
        if kind == "pct":
            val, err = _num(self.ev(node[1]))
            return _finish(val / 100.0, err)
        if kind == "bin":
            return self.binary(node[1], self.ev(node[2]), self.ev(node[3]))
        if kind == "fn":
            return self.call(node[1], node[2])
        raise Unsupported(kind)

    def binary(self, op, a: _V, b: _V) -> _V:
        if op in ("=", "<>", "<", ">", "<=", ">="):
            if (a.kind == STR).any() or (b.kind == STR).any():
                raise Unsupported("text in a comparison")
            ra, va = _cmp_key(a, b)
            rb, vb = _cmp_key(b, a)
            err = _first_err(np.where(a.kind == ERR, a.num, 0.0), np.where(b.kind == ERR, b.num, 0.0))
            lt = (ra < rb) | ((ra == rb) & (va < vb))
            eq = (ra == rb) & (va == vb)
            truth = {"=": eq, "<>": ~eq, "<": lt, ">": ~lt & ~eq, "<=": lt | eq, ">=": ~lt}[op]
            return _bools(truth, err)
        if op == "&":
            raise Unsupported("text concatenation")
        x, ex = _num(a)
        y, ey = _num(b)
        err = _first_err(ex, ey)
        with np.errstate(all="ignore"):
            if op == "+":
                res = x + y
            elif op == "-":
                res = x - y
            elif op == "*":
                res = x * y
            elif op == "/":
                err = np.where((err == 0) & (y == 0), DIV0, err)
                res = np.where(y == 0, 0.0, x / np.where(y == 0, 1.0, y))
            elif op == "^":
                ok = err == 0
                if (ok & (((x == 0) & (y <= 0)) | ((x < 0) & (y != np.floor(y))))).any():
                    raise Unsupported("a power of zero or of a negative number")
                res = np.power(x, y)
                if (ok & ~np.isfinite(res)).any():
                    raise Unsupported("a power beyond the largest number")
            else:
                raise Unsupported(op)
        return _finish(res, err)

    # ---- functions
    def call(self, name, args) -> _V:
        if name in ("TRUE", "FALSE"):
            if args:
                raise Unsupported(name)
            return _const(BOOL, float(name == "TRUE"))
        if name == "IF":
            if not 2 <= len(args) <= 3 or any(a[0] == "missing" for a in args):
                raise Unsupported("IF with omitted arguments")
            truth, err = _logical(self.ev(args[0]))
            a = self.ev(args[1])
            b = self.ev(args[2]) if len(args) == 3 else _const(BOOL, 0.0)
            kind = np.where(err > 0, ERR, np.where(truth, a.kind, b.kind)).astype(np.uint8)
            num = np.where(err > 0, err, np.where(truth, a.num, b.num))
            return _V(kind, num)
        if name == "IFERROR":
            if len(args) != 2:
                raise Unsupported(name)
            a, b = self.ev(args[0]), self.ev(args[1])
            e = a.kind == ERR
            return _V(np.where(e, b.kind, a.kind).astype(np.uint8), np.where(e, b.num, a.num))
        if name in ("AND", "OR"):
            if not args or any(a[0] in ("range", "missing") for a in args):
                raise Unsupported(f"{name} over ranges")
            truths, errs = [], []
            for a in args:
                v = self.ev(a)
                if (v.kind == EMPTY).any():
                    raise Unsupported(f"{name} of an empty cell")
                t, e = _logical(v)
                truths.append(t)
                errs.append(e)
            res = truths[0]
            for t in truths[1:]:
                res = (res & t) if name == "AND" else (res | t)
            return _bools(res, _first_err(*errs))
        if name == "NOT":
            if len(args) != 1:
                raise Unsupported(name)
            t, e = _logical(self.ev(args[0]))
            return _bools(~t, e)
        if name == "ABS":
            if len(args) != 1:
                raise Unsupported(name)
            x, e = _num(self.ev(args[0]))              # TRUE is 1, as the ordinary path and Excel take it
            return _finish(np.abs(x), e)
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN"):
            return self.round(name, args)
        if name in ("ISBLANK", "ISNUMBER", "ISTEXT", "ISERROR"):
            if len(args) != 1 or args[0][0] == "range":
                raise Unsupported(name)
            v = self.ev(args[0])
            want = {"ISBLANK": EMPTY, "ISNUMBER": NUM, "ISTEXT": STR, "ISERROR": ERR}[name]
            if name == "ISBLANK" and not v.is_ref:
                raise Unsupported("ISBLANK of a computed value")
            return _bools(v.kind == want, np.zeros(1))
        if name in ("SUM", "MIN", "MAX", "AVERAGE", "COUNT"):
            return self.aggregate(name, args)
        if name == "COUNTIF":
            return self.countif(args)
        if name == "SUMPRODUCT":
            return self.sumproduct(args)
        raise Unsupported(name)

    def round(self, name, args) -> _V:
        if len(args) != 2 or args[1][0] != "num":
            raise Unsupported(f"{name} with digits that are not a literal")
        digits = args[1][1]
        if digits != int(digits) or not 0 <= digits <= 15:
            raise Unsupported(f"{name} to {digits:g} digits")
        digits = int(digits)
        x, err = _num(self.ev(args[0]))               # TRUE is 1
        scale = 10.0 ** digits
        with np.errstate(all="ignore"):
            y = np.abs(x) * scale
            fl = np.floor(y)
            frac = y - fl
            if name == "ROUND":
                r = np.floor(y + 0.5)
                near = np.abs(frac - 0.5) < 1e-6
            elif name == "ROUNDDOWN":
                r = fl
                near = (frac < 1e-6) | (frac > 1 - 1e-6)
            else:
                r = np.ceil(y)
                near = (frac < 1e-6) | (frac > 1 - 1e-6)
            near |= (y > 2.0 ** 50) | ~np.isfinite(y)
            res = np.copysign(r, x) / scale
        near &= err == 0
        if near.any():
            mode = {"ROUND": ROUND_HALF_UP, "ROUNDUP": ROUND_UP, "ROUNDDOWN": ROUND_DOWN}[name]
            quant = Decimal(f"1E-{digits}") if digits else Decimal(1)
            res = np.array(np.broadcast_to(res, np.broadcast(x, err).shape), dtype=np.float64)
            xs = np.broadcast_to(x, res.shape)
            for i in np.flatnonzero(np.broadcast_to(near, res.shape)).tolist():
                xi = float(xs[i])
                if xi == int(xi) and abs(xi) < 2.0 ** 53:
                    res[i] = xi
                    continue
                try:
                    res[i] = float(Decimal(repr(xi)).quantize(quant, rounding=mode))
                except InvalidOperation:
                    raise Unsupported(f"{name} of {xi!r}") from None
        return _finish(res, err)

    def _scalar_args(self, args):
        """Each argument as ("range", kind, num) or ("value", _V)."""
        out = []
        for a in args:
            if a[0] == "missing":
                raise Unsupported("an omitted argument")
            if a[0] == "range":
                k, n = self.block(a)
                out.append(("range", k, n))
            else:
                v = self.ev(a)
                if v.is_ref and ((v.kind == EMPTY) | (v.kind == BOOL) | (v.kind == STR)).any():
                    raise Unsupported("a reference to an empty, boolean or text cell in a statistic")
                if ((v.kind == BOOL) | (v.kind == STR)).any():
                    raise Unsupported("a boolean or text in a statistic")
                out.append(("value", v))
        return out

    def aggregate(self, name, args) -> _V:
        if not args:
            raise Unsupported(name)
        parts = self._scalar_args(args)
        if name in ("AVERAGE", "COUNT") and any(p[0] == "value" for p in parts):
            raise Unsupported(f"{name} of single values")
        errs = []
        total = None
        count = 0
        for p in parts:
            if p[0] == "range":
                _, k, v = p
                e = k == ERR
                if e.any() and name != "COUNT":          # COUNT passes over errors, as in Excel
                    errs.append(np.full(1, v[np.argmax(e)]))
                    continue
                nums = v[k == NUM]
                count += nums.size
                if name in ("SUM", "AVERAGE"):
                    s = float(np.cumsum(nums)[-1]) if nums.size else 0.0
                    piece = np.array([s])
                    if nums.size == 0:
                        continue
                elif name == "COUNT":
                    continue
                else:
                    if nums.size == 0:
                        continue
                    piece = np.array([nums.max() if name == "MAX" else nums.min()])
                errs.append(np.zeros(1))
            else:
                x, e = _num(p[1])
                errs.append(e)
                piece = x
                count += 1
            if total is None:
                total = piece
            elif name in ("SUM", "AVERAGE"):
                with np.errstate(all="ignore"):
                    total = total + piece
            elif name == "MAX":
                total = np.maximum(total, piece)
            else:
                total = np.minimum(total, piece)
        err = _first_err(*errs) if errs else np.zeros(1)
        if name == "COUNT":
            return _finish(np.array([float(count)]), err)
        if total is None:
            total = np.zeros(1)
        if name == "AVERAGE":
            if count == 0:
                return _finish(np.zeros(1), np.where(err > 0, err, DIV0))
            total = total / count
        return _finish(total, err)

    def countif(self, args) -> _V:
        if len(args) != 2 or args[0][0] != "range" or args[1][0] not in ("str", "num"):
            raise Unsupported("COUNTIF other than over a range with a literal criterion")
        crit = args[1][1]
        if isinstance(crit, float):
            op, target = "=", crit
        else:
            import re
            m = re.match(r"^\s*(>=|<=|<>|>|<|=)?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$", crit)
            if m is None:
                raise Unsupported(f"COUNTIF criterion {crit!r}")
            op, target = m.group(1) or "=", float(m.group(2))
        k, v = self.block(args[0])
        if ((k == STR) | (k == BOOL) | (k == ERR)).any() or (op == "<>" and (k == EMPTY).any()):
            raise Unsupported("COUNTIF over text, booleans, errors or blanks")
        x = v[k == NUM]
        hit = {"=": x == target, "<>": x != target, ">": x > target, "<": x < target, ">=": x >= target,
               "<=": x <= target}[op]
        return _finish(np.array([float(hit.sum())]), np.zeros(1))

    def sumproduct(self, args) -> _V:
        if not args or any(a[0] != "range" for a in args):
            raise Unsupported("SUMPRODUCT of other than ranges")
        blocks = [self.block(a) for a in args]
        shapes = set()
        for a in args:
            _, _, c1, m1, a1, c2, m2, a2 = a
            r0 = int(self.g.rows[0])
            r1 = int(self.g.marks[m1]) + (0 if a1 else r0)
            r2 = int(self.g.marks[m2]) + (0 if a2 else r0)
            shapes.add((abs(r2 - r1) + 1, abs(c2 - c1) + 1))
        if len(shapes) != 1:
            raise Unsupported("SUMPRODUCT of ranges of different sizes")
        if blocks[0][0].size != next(iter(shapes))[0] * next(iter(shapes))[1]:
            raise Unsupported("SUMPRODUCT beyond the used rows")
        for k, v in blocks:
            e = k == ERR
            if e.any():
                return _finish(np.zeros(1), np.full(1, v[np.argmax(e)]))
        vals = np.array([np.where(k == NUM, v, 0.0) for k, v in blocks])
        with np.errstate(all="ignore"):
            res = np.sum(np.prod(vals, axis=0))
        return _finish(np.array([float(res)]), np.zeros(1))


# ----------------------------------------------------------------------------- the result

class ColumnValues(dict):
    """``"Sheet!A1" -> value`` for every formula cell, read from the computed columns on demand (a
    million-row tape would need ~1 GB as a dict).  Behaves as :class:`mbsxl.excel.calc.Values`:
    ``.errors``, ``.seconds``, ``.calls``; iteration is in sheet order, row by row."""

    def __init__(self, sheets, cols):
        super().__init__()
        self._sheets = sheets            # [(sheet name, rows array, cols array)] sorted by row then column
        self._cols = cols                # {(sheet, col): (kind array, num array)}
        self.errors: dict[str, str] = {}
        self.seconds: dict[str, float] = {}
        self.calls: dict = {}
        self._n = sum(r.size for _, r, _ in sheets)
        self._index = None

    # compact pickling (run_isolated hands the result back through a pipe)
    def __reduce__(self):
        return (_rebuild, (self._sheets, self._cols, self.errors, self.seconds, self.calls))

    def __len__(self):
        return self._n

    def __bool__(self):
        return self._n > 0

    def _value(self, kind, num):
        if kind == NUM:
            return float(num)
        if kind == BOOL:
            return bool(num)
        if kind == ERR:
            return CalcError(sx.ERROR_CODES[int(num)], "")
        return None

    def _lookup(self, key):
        if not isinstance(key, str) or "!" not in key:
            return None
        sheet, _, coord = key.rpartition("!")
        sheet = sheet.strip("'")
        letters = coord.rstrip("0123456789").replace("$", "").upper()
        digits = coord[len(coord.rstrip("0123456789")):]
        if not letters or not digits:
            return None
        if self._index is None:
            self._index = {}
            for name, rows, cols in self._sheets:
                self._index[name.lower()] = (name, rows, cols)
        got = self._index.get(sheet.lower())
        if got is None:
            return None
        name, rows, cols = got
        c, r = col_index(letters), int(digits)
        k = self._cols.get((name, c))
        if k is None or r >= k[0].size:
            return None
        i = np.searchsorted(rows, r)
        while i < rows.size and rows[i] == r:
            if cols[i] == c:
                return k[0][r], k[1][r]
            i += 1
        return None

    def __getitem__(self, key):
        got = self._lookup(key)
        if got is None:
            raise KeyError(key)
        return self._value(*got)

    def get(self, key, default=None):
        got = self._lookup(key)
        return default if got is None else self._value(*got)

    def __contains__(self, key):
        return self._lookup(key) is not None

    def _chunks(self):
        """``(keys, kinds, nums)`` of the formula cells, 65,536 at a time, in sheet order."""
        for name, rows, cols in self._sheets:
            letters = {c: col_letters(c) for c in np.unique(cols).tolist()}
            prefix = name + "!"
            step = 1 << 16
            for a in range(0, rows.size, step):
                rr, cc = rows[a:a + step], cols[a:a + step]
                kinds = np.empty(rr.size, np.uint8)
                nums = np.empty(rr.size)
                for c in np.unique(cc).tolist():
                    m = cc == c
                    k, v = self._cols[(name, c)]
                    kinds[m] = k[rr[m]]
                    nums[m] = v[rr[m]]
                keys = [prefix + letters[c] + str(r) for c, r in zip(cc.tolist(), rr.tolist())]
                yield keys, kinds, nums

    def _iter_items(self):
        for keys, kinds, nums in self._chunks():
            if (kinds == NUM).all():
                vals = nums.tolist()
            else:
                vals = [self._value(k, v) for k, v in zip(kinds.tolist(), nums.tolist())]
            yield from zip(keys, vals)

    def key_width(self) -> int:
        """The longest key's length, without building the keys."""
        w = 0
        for name, rows, cols in self._sheets:
            if rows.size:
                digits = len(str(int(rows.max())))
                w = max(w, len(name) + 1 + len(col_letters(int(cols.max()))) + digits)
        return w

    def write_plain(self, stream, fmt) -> None:
        """The plain-text listing of ``mbsxl calc`` (``Sheet!A1  value`` a line, keys padded to one
        width), written in blocks: ``fmt(value)`` formats a value that is not a number, ``fmt(key)``
        a key whose sheet name needs escaping."""
        w = self.key_width()
        for keys, kinds, nums in self._chunks():
            if keys and fmt(keys[0].rpartition("!")[0]) != keys[0].rpartition("!")[0]:
                keys = [fmt(k) for k in keys]
            if (kinds == NUM).all():
                stream.write("".join(map(f"%-{w}s  %r\n".__mod__, zip(keys, nums.tolist()))))
            else:
                stream.write("".join([f"{k:<{w}}  {fmt(self._value(kd, x))}\n"
                                      for k, kd, x in zip(keys, kinds.tolist(), nums.tolist())]))

    def __iter__(self):
        for k, _ in self._iter_items():
            yield k

    def keys(self):
        return list(iter(self))

    def items(self):
        return self._iter_items()

    def values(self):
        return (v for _, v in self._iter_items())

    def lookup_xml(self, sheet: str):
        """For :func:`mbsxl.excel._sheetxml.rewrite_sheet`: ``(cols, rows) -> (kind, num)`` of formula
        cells (a cell this result does not hold, which cannot happen for a sheet it read, is 0)."""
        def lookup(cols, rows):
            kinds = np.full(rows.size, NUM, np.uint8)
            nums = np.zeros(rows.size)
            for c in np.unique(cols).tolist():
                m = cols == c
                got = self._cols.get((sheet, c))
                if got is None:
                    continue
                rr = rows[m]
                ok = rr < got[0].size
                kk = np.full(rr.size, NUM, np.uint8)
                vv = np.zeros(rr.size)
                kk[ok] = got[0][rr[ok]]
                vv[ok] = got[1][rr[ok]]
                kinds[m] = kk
                nums[m] = vv
            return kinds, nums
        return lookup


def _rebuild(sheets, cols, errors, seconds, calls):
    v = ColumnValues(sheets, cols)
    v.errors, v.seconds, v.calls = errors, seconds, calls
    return v


# ----------------------------------------------------------------------------- entry

def calculate(path, limits=None, sets=None, min_formulas: int | None = None, t0: float | None = None):
    """The workbook's values computed column by column, or None when the fast path does not apply
    (fewer than ``min_formulas`` formula cells, ``sets``, or anything :class:`Unsupported`)."""
    from .limits import FLAGS, LimitExceeded, Limits, SheetBudget, precheck
    limits = limits or Limits()
    min_formulas = MIN_FORMULAS if min_formulas is None else min_formulas
    if sets:
        return None
    started = time.perf_counter()
    t0 = time.monotonic() if t0 is None else t0
    import zipfile
    with zipfile.ZipFile(path) as z:
        names = {nm.lower(): nm for nm in sx.sheet_parts(z)}
        parts = set(sx.sheet_parts(z).values())
    # the load limits: precheck for every other part, the same checks while the sheets stream in
    # (cells counted against --max-columnar-cells: this path holds ~100 bytes a cell, limits.py)
    budget = SheetBudget(limits, precheck(path, limits, skip=parts), path, cells_field="max_columnar_cells")
    parsed: dict = {}

    def on_shape(sheet, col, shape, text, row):
        key = (sheet.name, shape)
        if key not in parsed:
            parsed[key] = fa.parse(text, names, sheet.name)

    try:
        _peek(path, parts)
        sheets = sx.read_book(path, limits.max_formula_chars, on_shape, budget)
        n_formulas = sum(s.n_formulas for s in sheets)
        if n_formulas < min_formulas:
            return None
        book = _Book(sheets)
        groups = _groups(book, parsed)
        order = _order(groups, limits)
        t1 = time.perf_counter()
        for g in order:
            if time.monotonic() - t0 > limits.max_seconds:
                raise LimitExceeded(f"stopped after {limits.max_seconds:g} s ({FLAGS['max_seconds']})")
            v = _Eval(book, g).ev(g.tree)
            if (v.kind == STR).any():
                raise Unsupported("a text result")
            kind = np.broadcast_to(np.where(v.kind == EMPTY, NUM, v.kind).astype(np.uint8), g.rows.shape)
            num = np.broadcast_to(np.where(v.kind == EMPTY, 0.0, v.num), g.rows.shape)
            col = book.col(g.sheet, g.col)
            col.kind[g.rows] = kind
            col.num[g.rows] = num
    except Unsupported as e:
        global LAST_REASON
        LAST_REASON = str(e)
        return None
    # the result: formula cells per sheet in row order
    out_sheets = []
    cols = {}
    for s in sheets:
        rows = [np.concatenate([r for r, _, _ in ch]) for ch in s.formulas.values()]
        cs = [np.full(r.size, c, np.int32) for (c, _), r in zip(s.formulas.keys(), rows)]
        if not rows:
            continue
        rr = np.concatenate(rows)
        cc = np.concatenate(cs)
        o = np.lexsort((cc, rr))
        out_sheets.append((s.name, rr[o], cc[o]))
        for c in np.unique(cc).tolist():
            col = book.cols[(s.name, c)]
            cols[(s.name, c)] = (col.kind, col.num)
    res = ColumnValues(out_sheets, cols)
    for name, rr, cc in out_sheets:
        for c in np.unique(cc).tolist():
            k, v = cols[(name, c)]
            rws = rr[cc == c]
            bad = rws[k[rws] == ERR]
            letters = col_letters(c)
            for r in bad.tolist():
                res.errors[f"{name}!{letters}{r}"] = ""
    t2 = time.perf_counter()
    res.seconds = {"load": t1 - started, "calc": t2 - t1, "total": t2 - started}
    return res


def _peek(path, parts, head: int = 1 << 20, most: int = 20) -> None:
    """A cheap look at the first megabyte of (at most 20) sheets before the scanner (and numba) is
    loaded: a shared or array formula, or a function this path does not model, declines the workbook at
    once (the templates' MBS_ formulas cost a few milliseconds here, not the 0.3 s of loading numba)."""
    import re
    import zipfile
    # a name starts only where no name character precedes it: linear in the formula's length (without
    # the look-behind, "=AAAA...A1" of 40,000 characters took 7 s; tests/test_calc_hostile.py)
    fn = re.compile(rb"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.]*)\(")
    with zipfile.ZipFile(path) as z:
        for part in sorted(parts)[:most]:
            if part not in z.namelist():
                continue
            with z.open(part) as f:
                data = f.read(head)
            for m in re.finditer(rb"<f[ /]", data):         # bounded look at each tag: linear time
                tag = data[m.start():m.start() + 256]
                end = tag.find(b">")
                if end < 0 or b"array" in tag[:end] or b"dataTable" in tag[:end]:   # the scanner checks the rest
                    raise Unsupported("an array formula, a data table or a formula element not modelled")
            for body in re.findall(rb"<f(?:\s[^>/]*)?>([^<]*)</f>", data):
                for name in fn.findall(body):
                    if name.decode("ascii", "replace").upper() not in fa.FUNCS:
                        raise Unsupported(f"function {name.decode('ascii', 'replace').upper()}")


def write(path, out_path, values: ColumnValues, keep_formulas: bool = True) -> bool:
    """The ``--out`` copy of a columnar result, streamed; False when it cannot be done this way (a
    values-only copy), so that the caller uses :func:`mbsxl.excel._write.write_copy`."""
    if not keep_formulas:
        return False
    from ._xlsxvalues import write_streamed
    from ._sheetxml import rewrite_sheet
    write_streamed(os.fspath(path), os.fspath(out_path), values, rewrite_sheet)
    return True
