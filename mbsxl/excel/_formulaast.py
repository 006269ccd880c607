"""A parser of the formulas the columnar fast path evaluates (issue 21), into small tuples.

Only what :mod:`mbsxl.excel._columnar` models is accepted; anything else raises
:class:`~mbsxl.excel._sheetxml.Unsupported` (the workbook then goes to the ordinary path).  Cell
references carry, for their row, the index of the row number among the formula's row-like numbers
(:data:`mbsxl.excel._sheetxml.MARK` positions) so that one parse serves every cell of a column that
has the formula's shape.

Nodes: ``("num", x)``, ``("bool", b)``, ``("str", s)``, ``("err", code)``,
``("ref", sheet, col, mark, absolute)``, ``("range", sheet, c1, mark1, abs1, c2, mark2, abs2)``,
``("neg", x)``, ``("plus", x)``, ``("pct", x)``, ``("bin", op, a, b)``, ``("fn", NAME, args)``
(``args`` a tuple; an omitted argument is ``("missing",)``).

Precedence (Excel, highest first): unary ``-``/``+``, ``%``, ``^``, ``*``/``/``, ``+``/``-``, ``&``,
comparisons; so ``-2^2`` is 4, as in Excel.
"""
from __future__ import annotations

import re

from ._sheetxml import ERROR_INDEX, Unsupported

_REF = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)$")
_ROWNUM = re.compile(r"(?<=[A-Za-z$])[0-9]+")

FUNCS = {"IF", "AND", "OR", "NOT", "ROUND", "ROUNDUP", "ROUNDDOWN", "ABS", "MIN", "MAX", "SUM", "IFERROR",
         "ISBLANK", "ISNUMBER", "ISERROR", "ISTEXT", "AVERAGE", "COUNT", "COUNTIF", "SUMPRODUCT", "TRUE", "FALSE"}
_BINARY = {"^": 5, "*": 4, "/": 4, "+": 3, "-": 3, "&": 2, "=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1}


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse(text: str, sheets: dict[str, str], here: str):
    """``(tree, n_marks)`` of formula ``text`` (without ``=``) on sheet ``here``; ``sheets`` maps lower-case
    sheet names to their spelling."""
    from openpyxl.formula.tokenizer import Tokenizer
    try:
        toks = [t for t in Tokenizer("=" + text).items if t.type != "WHITE-SPACE"]
    except Exception as e:  # noqa: BLE001
        raise Unsupported(f"tokenizer: {e}") from None
    p = _Parser(toks, text, sheets, here)
    tree = p.expr(0)
    if p.i != len(toks):
        raise Unsupported("trailing tokens")
    if p.mark != len(_ROWNUM.findall(text)):
        raise Unsupported("row-number positions do not line up with the tokens")
    return tree, p.mark


class _Parser:
    def __init__(self, toks, text, sheets, here):
        self.t, self.i, self.text, self.sheets, self.here = toks, 0, text, sheets, here
        self.mark = 0                  # row-like numbers seen so far, in text order

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expr(self, min_prec: int):
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None or tok.type != "OPERATOR-INFIX":
                return left
            op = tok.value
            prec = _BINARY.get(op)
            if prec is None:
                raise Unsupported(f"operator {op!r}")
            if prec < min_prec:
                return left
            self.take()
            right = self.expr(prec + 1)          # left associative
            left = ("bin", op, left, right)

    def unary(self):
        tok = self.peek()
        if tok is not None and tok.type == "OPERATOR-PREFIX":
            self.take()
            inner = self.unary()
            return ("neg", inner) if tok.value == "-" else ("plus", inner)
        node = self.primary()
        while True:
            tok = self.peek()
            if tok is not None and tok.type == "OPERATOR-POSTFIX" and tok.value == "%":
                self.take()
                node = ("pct", node)
            else:
                return node

    def primary(self):
        tok = self.peek()
        if tok is None:
            raise Unsupported("formula ends early")
        if tok.type == "OPERAND":
            self.take()
            return self.operand(tok)
        if tok.type == "PAREN" and tok.subtype == "OPEN":
            self.take()
            node = self.expr(0)
            tok = self.peek()
            if tok is None or tok.type != "PAREN" or tok.subtype != "CLOSE":
                raise Unsupported("unbalanced parenthesis")
            self.take()
            return node
        if tok.type == "FUNC" and tok.subtype == "OPEN":
            self.take()
            name = tok.value[:-1].upper()
            self.mark += len(_ROWNUM.findall(tok.value))
            if name.startswith("_XLFN.") or name not in FUNCS:
                raise Unsupported(f"function {name}")
            args = []
            nxt = self.peek()
            if nxt is not None and nxt.type == "FUNC" and nxt.subtype == "CLOSE":
                self.take()
                return ("fn", name, ())
            while True:
                nxt = self.peek()
                if nxt is not None and ((nxt.type == "SEP" and nxt.subtype == "ARG")
                                        or (nxt.type == "FUNC" and nxt.subtype == "CLOSE")):
                    args.append(("missing",))
                else:
                    args.append(self.expr(0))
                nxt = self.peek()
                if nxt is None:
                    raise Unsupported("unclosed function")
                self.take()
                if nxt.type == "FUNC" and nxt.subtype == "CLOSE":
                    return ("fn", name, tuple(args))
                if not (nxt.type == "SEP" and nxt.subtype == "ARG"):
                    raise Unsupported("unexpected token in arguments")
        raise Unsupported(f"token {tok.type} {tok.value!r}")

    def operand(self, tok):
        v = tok.value
        if tok.subtype == "NUMBER":
            self.mark += len(_ROWNUM.findall(v))
            return ("num", float(v))
        if tok.subtype == "TEXT":
            self.mark += len(_ROWNUM.findall(v))
            return ("str", v[1:-1].replace('""', '"'))
        if tok.subtype == "LOGICAL":
            return ("bool", v.upper() == "TRUE")
        if tok.subtype == "ERROR":
            if v.upper() not in ERROR_INDEX:
                raise Unsupported(f"error literal {v}")
            return ("err", ERROR_INDEX[v.upper()])
        if tok.subtype != "RANGE":
            raise Unsupported(f"operand {tok.subtype}")
        sheet, ref = self.here, v
        if "!" in v:
            head, _, ref = v.rpartition("!")
            self.mark += len(_ROWNUM.findall(head + "!"))
            if head.startswith("'") and head.endswith("'"):
                head = head[1:-1].replace("''", "'")
            if head.startswith("[") or head.lower() not in self.sheets:
                raise Unsupported(f"sheet {head!r}")
            sheet = self.sheets[head.lower()]
        parts = ref.split(":")
        if len(parts) > 2:
            raise Unsupported(f"reference {v!r}")
        corners = []
        for part in parts:
            m = _REF.match(part)
            if m is None:
                raise Unsupported(f"reference {v!r} (a name, a whole row or column)")
            corners.append((_col(m.group(2)), self.mark, m.group(3) == "$", m.group(1) == "$"))
            self.mark += 1
        if len(corners) == 1:
            c, mk, ab, _ = corners[0]
            return ("ref", sheet, c, mk, ab)
        (c1, m1, a1, _), (c2, m2, a2, _) = corners
        return ("range", sheet, c1, m1, a1, c2, m2, a2)
