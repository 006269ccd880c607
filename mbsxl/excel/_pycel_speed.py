"""A faster ``pycel.excelutil.flatten`` (the generator pycel runs over every range it builds or reads):
the same values in the same order, but nested tuples and lists and plain leaves are recognised by
their type instead of ``isinstance(x, collections.abc.Iterable)`` (an abstract-class check per cell);
anything else goes through pycel's own function.  Profiled on the pool template (issue 21): flatten
took 7.4 s of 39 s (19 %), building and reading ranges of the 12,254-row tape.

:func:`install` replaces the name in every loaded pycel module that imported it (pycel 1.0b30, the
version ``pyproject.toml`` pins; see :mod:`mbsxl.excel._pycel_plugin` for the other internals relied on).
"""
from __future__ import annotations

import sys

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from pycel import excelutil
    from pycel.excelutil import AddressCell, AddressRange
    original = excelutil.flatten
    leaves = (str, int, float, bool, type(None), AddressRange, AddressCell)

    def flatten(data, coerce=lambda x: x):
        if type(data) is tuple or type(data) is list:
            for item in data:
                t = type(item)
                if t is tuple or t is list:
                    yield from flatten(item, coerce)
                elif isinstance(item, leaves):
                    yield coerce(item)
                else:
                    yield from original(item, coerce)
        else:
            yield from original(data, coerce)

    flatten.__doc__ = original.__doc__
    for name, mod in list(sys.modules.items()):
        if (name == "pycel" or name.startswith("pycel.")) and getattr(mod, "flatten", None) is original:
            mod.flatten = flatten
    _INSTALLED = True


def install_value_ranges(xl, array_boxes) -> None:
    """Build the ranges that hold no formula as one node carrying its values (issue 21 speed).

    pycel's ``_make_cells`` makes a ``_Cell`` (with an ``AddressCell``) for every cell of every range a
    formula reads, then evaluates the range cell by cell: the pool template's SUMIFS over its
    12,254-row tape made ~380,000 nodes, half its load time.  A range whose cells are all plain
    values (no formula, and outside every array formula's range, whose cells get their values only
    when the array is computed, and apart from refused formulas, whose reasons the cells reading them
    find through the graph: ``array_boxes``, ``(sheet lower, c1, r1, c2, r2)``) needs none of
    them: its node gets the values pycel would have collected (``excel.get_range``'s values, the same
    tuple of rows) and no precedents, so it never needs computing.  Any other range, a single cell
    and a range that is not exactly the one asked for (an unbounded one) go through pycel's own code.
    ``xl`` is one ``ExcelCompiler``; only its ``_make_cells`` is replaced."""
    from pycel.excelcompiler import _CellRange

    original = xl._make_cells

    class _ValueRange(_CellRange):
        def __init__(self, data, excel):                # noqa: D401 - _CellRange without resolve_range
            self.formula = None
            self.excel = excel
            self.address = data.address
            self.size = data.address.size
            self.value = data.values

        @property
        def addresses(self):
            return self.address.resolve_range

    def boxed(address) -> bool:
        sheet = address.sheet.lower()
        c1, r1 = address.start.col_idx, address.start.row
        c2, r2 = address.end.col_idx, address.end.row
        return any(s == sheet and a1 <= c2 and c1 <= a2 and b1 <= r2 and r1 <= b2
                   for s, a1, b1, a2, b2 in array_boxes)

    plain = (int, float, bool, type(None))
    extents: dict = {}          # sheet -> (stored cells, max_row, max_column); cells are only ever added

    def stored_values(address):
        """The range's values read from openpyxl's stored cells (no cell created), or None when a cell
        may be a formula (a value that is not a number, a boolean, or text not starting with "=") or
        the range reaches past the sheet's used extent (there pycel's read creates the cells, which
        widens the extent that unbounded ranges are later cut to)."""
        wb = xl.excel.workbook
        if address.sheet not in wb:
            return None
        ws = wb[address.sheet]
        c1, r1 = address.start.col_idx, address.start.row
        c2, r2 = address.end.col_idx, address.end.row
        n, max_row, max_col = extents.get(address.sheet, (-1, 0, 0))
        if n != len(ws._cells):                     # openpyxl's max_row scans every stored cell
            n, max_row, max_col = extents[address.sheet] = (len(ws._cells), ws.max_row, ws.max_column)
        if r2 > max_row or c2 > max_col:
            return None
        get = ws._cells.get
        rows = []
        for r in range(r1, r2 + 1):
            row = []
            for c in range(c1, c2 + 1):
                cell = get((r, c))
                v = None if cell is None else cell.value
                if not (type(v) in plain or (type(v) is str and not v.startswith("="))):
                    return None
                row.append(v)
            rows.append(tuple(row))
        return tuple(rows)

    class _Data:
        __slots__ = ("address", "values")

        def __init__(self, address, values):
            self.address, self.values = address, values

    def make_cells(address):
        if address.is_range and not address.is_unbounded_range and not boxed(address):
            values = stored_values(address)
            data = _Data(address, values) if values is not None else xl.excel.get_range(address)
            if values is not None or (data.address == address and isinstance(data.formula, tuple)
                                      and not any(f for row in data.formula for f in row)):
                node = _ValueRange(data, xl.excel)
                xl.cell_map[str(data.address)] = node
                xl.dep_graph.add_node(node)
                xl.dep_graph.nodes[node]["sheet"] = node.sheet
                xl.dep_graph.nodes[node]["label"] = node.address.coordinate
                return
        original(address)

    xl._make_cells = make_cells
