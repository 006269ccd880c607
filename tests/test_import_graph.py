"""No import cycle anywhere in mbsxl/ (issue 12): the imports of every module form a graph without a
cycle -- function-level (lazy) imports included, so two modules never import each other even lazily
(as ``excel/calc.py`` and ``excel/_xlsxvalues.py`` once did).  ``from . import x``
counts as an import of module ``x``; ``from .m import name`` of module ``m`` (or of ``m.name`` when that
is a module)."""
from __future__ import annotations

import ast
import pathlib

import networkx as nx

PKG = pathlib.Path(__file__).resolve().parent.parent / "mbsxl"


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _imports(name: str, path: pathlib.Path, modules) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "mbsxl")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "mbsxl":
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
            if subs:
                out.update(subs)
            if len(subs) < len(node.names) and target != package:
                out.add(target)
    return {m for m in out if m in modules and m != name}


def test_no_import_cycle_in_mbsxl():
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, m) for m in _imports(name, path, modules))
    cycles = [c for c in nx.simple_cycles(graph)]
    assert not cycles, cycles[:5]


def test_the_graph_sees_the_excel_layer():
    """The check above looks at the Excel layer's modules (a guard on the guard)."""
    modules = _modules()
    calc = _imports("mbsxl.excel.calc", modules["mbsxl.excel.calc"], modules)
    assert {"mbsxl.excel._load", "mbsxl.excel._pycel_plugin", "mbsxl.excel._xlsxvalues",
            "mbsxl.excel.errors"} <= calc
    assert "mbsxl.excel.addresses" in _imports("mbsxl.excel._xlsxvalues", modules["mbsxl.excel._xlsxvalues"], modules)
