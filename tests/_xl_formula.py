"""A small parser for the formulas of the committed templates: function calls, references (with quoted
sheet names and ``$``, defined names), numbers (``25%``), strings, TRUE/FALSE and empty arguments, as a tree of
``("call", NAME, [args])``, ``("ref", TEXT)``, ``("value", V)`` and ``("missing",)``.  Used by the call-path
tests to evaluate each MBS_ call's arguments the way Excel hands them over."""
from __future__ import annotations

import re

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![\w(])
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?%?)
  | (?P<fn>[A-Z][A-Z0-9_.]*)\(
  | (?P<bool>TRUE|FALSE)(?![\w(])
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)(?![\w(!])
  | (?P<p>[(),]))""", re.X)


def parse(formula: str):
    """A formula of function calls, references, numbers, strings and booleans as a tree."""
    toks, pos, s = [], 0, formula.lstrip("=")
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            raise ValueError(f"cannot parse {s[pos:pos + 30]!r}")
        toks.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    toks.append(("end", ""))
    i = 0

    def expr():
        nonlocal i
        kind, text = toks[i]
        if kind in (None, "p") and text in (",", ")"):
            return ("missing",)
        i += 1
        if kind == "fn":
            args = []
            while True:
                args.append(expr())
                k, t = toks[i]
                i += 1
                if t == ")":
                    return ("call", text, args)
                assert t == ",", (k, t)
        if kind == "str":
            return ("value", text[1:-1].replace('""', '"'))
        if kind == "num":
            return ("value", float(text[:-1]) / 100 if text.endswith("%") else float(text))
        if kind == "bool":
            return ("value", text == "TRUE")
        if kind in ("ref", "name"):          # a defined name is a reference too (the evaluator resolves it)
            return ("ref", text)
        raise ValueError(f"unexpected {text!r}")

    tree = expr()
    assert toks[i][0] == "end"
    return tree
