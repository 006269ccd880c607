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
    exact = frozenset((str, int, float, bool, type(None)))

    def flatten(data, coerce=lambda x: x):
        if type(data) is tuple or type(data) is list:
            for item in data:
                t = type(item)
                if t is tuple or t is list:
                    # a row of a range: its items flattened here, not by a generator per row (a column
                    # of the pool template's 15,000-row tape is 15,000 one-item rows)
                    for x in item:
                        tx = type(x)
                        if tx in exact:
                            yield coerce(x)
                        elif tx is tuple or tx is list:
                            yield from flatten(x, coerce)
                        elif isinstance(x, leaves):
                            yield coerce(x)
                        else:
                            yield from original(x, coerce)
                elif t in exact or isinstance(item, leaves):
                    yield coerce(item)
                else:
                    yield from original(item, coerce)
        else:
            yield from original(data, coerce)

    flatten.__doc__ = original.__doc__
    for name, mod in list(sys.modules.items()):
        if (name == "pycel" or name.startswith("pycel.")) and getattr(mod, "flatten", None) is original:
            mod.flatten = flatten
    _install_criteria()
    _install_signatures()
    from . import _tokens
    _tokens.install_pycel()                  # pycel's formula parse reuses the run's tokens
    _install_get_range()
    _INSTALLED = True


def _install_get_range() -> None:
    """pycel's ``ExcelOpxWrapper.get_range`` (pycel 1.0b30) wraps each read of a cell or range in
    ``mock.patch('openpyxl.worksheet._reader.from_excel', ...)``, which only matters while openpyxl parses
    a sheet's XML; reading a loaded (not read-only) ``Worksheet`` parses nothing.  For such sheets the
    same reads run without the patch (the LPR template builds 1,207 nodes through it); a read-only or any
    other kind of sheet goes through pycel's own function."""
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet
    from pycel import excelwrapper as ew
    from pycel.excelutil import AddressRange, is_address

    original = ew.ExcelOpxWrapper.get_range
    if getattr(original, "_mbsxl_fast", False):
        return

    def get_range(self, address):
        if not is_address(address):
            address = AddressRange(address)
        if address.has_sheet:
            sheet = self.workbook[address.sheet]
            sheet_dataonly = self.workbook_dataonly[address.sheet]
        else:
            sheet = self.workbook.active
            sheet_dataonly = self.workbook_dataonly.active
        if type(sheet) is not Worksheet or type(sheet_dataonly) is not Worksheet:
            return original(self, address)
        if address.is_unbounded_range:
            # bound the address range to the data in the spreadsheet
            address = address & AddressRange((1, 1, *self.max_col_row(sheet.title)), sheet=sheet.title)
        cells = sheet[address.coordinate]
        cells_dataonly = sheet_dataonly[address.coordinate]
        if isinstance(cells, (Cell, MergedCell)):
            return ew._OpxCell(cells, cells_dataonly, address)
        return ew._OpxRange(cells, cells_dataonly, address)

    get_range._mbsxl_fast = True
    get_range.__doc__ = original.__doc__
    ew.ExcelOpxWrapper.get_range = get_range


def _install_signatures() -> None:
    """pycel loads the functions a formula calls into that formula's own namespace, wrapping each by
    its metadata (``function_helpers.apply_meta``), which reads the function's ``inspect.signature``
    every time: 10 % of the LPR template's run for its 1,055 formulas.  The signature of a function
    does not change, so ``function_helpers`` gets an ``inspect`` whose ``signature`` is remembered per
    function (anything else is the real module's)."""
    import functools
    import inspect
    import types

    from pycel.lib import function_helpers as fh
    if isinstance(fh.inspect, types.ModuleType) and getattr(fh.inspect, "_mbsxl_cached", False):
        return
    cached = functools.lru_cache(maxsize=4096)(inspect.signature)

    def signature(f, *args, **kwargs):
        if args or kwargs:
            return inspect.signature(f, *args, **kwargs)
        try:
            return cached(f)
        except TypeError:                        # an unhashable callable
            return inspect.signature(f)

    class _Inspect(types.ModuleType):
        _mbsxl_cached = True

        def __getattr__(self, name):
            return getattr(inspect, name)

    proxy = _Inspect("inspect")
    proxy.signature = signature
    fh.inspect = proxy


_ORDER = {"<": "lt", ">": "gt", "<=": "le", ">=": "ge", "<>": "ne"}
_CRITERIA_ARRAYS: dict = {}


def clear_caches() -> None:
    """Forget the ranges converted for criteria matching (called at the end of each recalculation, so
    that a long-lived process does not keep a workbook's ranges)."""
    _CRITERIA_ARRAYS.clear()


def _install_criteria() -> None:
    """A faster ``pycel.excelutil.find_corresponding_index`` (the matching behind SUMIFS, COUNTIFS,
    AVERAGEIFS, MAXIFS, MINIFS and COUNTIF) for the criteria the templates use, a comparison with a
    number (``"<="&B5``, ``">0.5"``): the rule for it is, per cell, text (an error too), a logical
    (Excel's rule, :mod:`mbsxl.excel._fix_edges`) or empty -> True only for ``<>``, anything else
    ``op(cell, number)``.  Here a range's cells are turned into a
    float array once (kept while the range's values are: the same tuple object every formula reading
    the range gets) and each criterion is one numpy comparison; the matching positions come back in
    pycel's order (row by row), so the sums that follow add the same numbers in the same order.  A
    range holding anything else than numbers, booleans, text and empty cells, an integer beyond 2**53
    (not exact as a float), and every other criterion (equality, text, wildcards) go through pycel's
    own function.  Profiled on the pool template (issue 21): 36 SUMIFS/COUNTIFS cells over the
    15,000-row tape, ~1 million criteria calls."""
    import operator

    import numpy as np
    from pycel import excelutil as eu

    from . import _fix_edges
    _fix_edges.install_criteria()            # logical cells match logical criteria only (both paths)
    original = eu.find_corresponding_index
    arrays = _CRITERIA_ARRAYS                # id(range values) -> (values, (numbers, is number) | None)
    np_ops = {"lt": np.less, "gt": np.greater, "le": np.less_equal, "ge": np.greater_equal, "ne": np.not_equal}

    def as_array(rng):
        hit = arrays.get(id(rng))
        if hit is not None and hit[0] is rng:
            return hit[1]
        out = None
        if type(rng) is tuple and rng and all(type(row) is tuple for row in rng):
            width = len(rng[0])
            if width and all(len(row) == width for row in rng):
                nums = np.zeros((len(rng), width))
                isnum = np.zeros((len(rng), width), dtype=bool)
                ok = True
                for i, row in enumerate(rng):
                    for j, x in enumerate(row):
                        t = type(x)
                        if t is float or (t is int and -2**53 <= x <= 2**53):
                            nums[i, j] = x
                            isnum[i, j] = True
                        elif not (x is None or t is bool or isinstance(x, str)):   # a logical is no
                            ok = False              # number: matches only "<>" (mbsxl.excel._fix_edges)
                            break
                    if not ok:
                        break
                out = (nums, isnum) if ok else None
        if len(arrays) > 256:
            arrays.clear()
        arrays[id(rng)] = (rng, out)
        return out

    def find_corresponding_index(rng, criteria):
        if type(criteria) is str:
            m = eu.OPERATORS_RE.match(criteria)
            oper = m.group("oper") if m else None
            if oper in _ORDER and eu.is_number(m.group("value")):
                value = eu.coerce_to_number(m.group("value"))
                t = type(value)
                if (t is float or (t is int and -2**53 <= value <= 2**53)) and eu.OPERATORS[oper] is \
                        getattr(operator, _ORDER[oper]):
                    arr = as_array(rng)
                    if arr is not None:
                        nums, isnum = arr
                        with np.errstate(invalid="ignore"):
                            hit = np_ops[_ORDER[oper]](nums, value)
                        hit = np.where(isnum, hit, oper == "<>")
                        rows, cols = np.nonzero(hit)
                        return tuple(zip(rows.tolist(), cols.tolist()))
        return original(rng, criteria)

    find_corresponding_index.__doc__ = original.__doc__
    for name, mod in list(sys.modules.items()):
        if (name == "pycel" or name.startswith("pycel.")) and getattr(mod, "find_corresponding_index", None) is original:
            mod.find_corresponding_index = find_corresponding_index


WIDEN_MAX = 1_000_000        # cells a range past a sheet's extent may add at once (more: pycel's own read)


def install_value_ranges(xl, array_boxes, arrays=()) -> None:
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
    ``xl`` is one ``ExcelCompiler``; only its ``_make_cells`` is replaced.

    ``arrays`` (``(sheet, anchor, ref)`` of the multi-cell array formulas): a range lying inside one
    array formula's range, and touching no other box, is one node too (:class:`_BoxRange`), read from
    the array's computed values (:func:`store_box`) instead of a node per cell with an edge each (the
    LPR template's INDEX formulas over its MBS_TRANCHES results: ~40,000 cell nodes, a quarter of its
    run); :func:`link_boxes` gives it its one edge, from the array's anchor, after the graph is built."""
    from openpyxl.utils.cell import range_boundaries
    from pycel.excelcompiler import _CellRange

    original = xl._make_cells
    anchored = []
    for sheet, anchor, ref in arrays:
        c1, r1, c2, r2 = range_boundaries(ref)
        anchored.append((sheet.lower(), c1, r1, c2, r2, sheet, anchor))
    xl._mbsxl_boxes = {}                 # (sheet, anchor) -> rows of the array's values, once computed
    xl._mbsxl_box_nodes = []             # (node, sheet, anchor): linked to the anchor by link_boxes

    class _BoxRange(_CellRange):
        def __init__(self, address, excel, sheet, anchor, offset):  # noqa: D401 - no per-cell addresses
            self.formula = None
            self.excel = excel
            self.address = address
            self.size = address.size
            self._box = (sheet, anchor, offset)
            self._value = None

        @property
        def addresses(self):
            return self.address.resolve_range

        @property
        def value(self):
            if self._value is None:
                sheet, anchor, (dr, dc) = self._box
                rows = xl._mbsxl_boxes.get((sheet, anchor))
                h, w = self.size.height, self.size.width
                if rows is None:               # not computed (yet): the cells' values, empty
                    return tuple(tuple(None for _ in range(w)) for _ in range(h))
                self._value = tuple(tuple(row[dc:dc + w]) for row in rows[dr:dr + h])
            return self._value

        @value.setter
        def value(self, v):
            self._value = v

    def in_one_array(address):
        """(sheet, anchor, (row offset, column offset)) when ``address`` lies inside one array formula's
        range and touches no other box; else None."""
        sheet = address.sheet.lower()
        c1, r1 = address.start.col_idx, address.start.row
        c2, r2 = address.end.col_idx, address.end.row
        inside = [(s_, a1, b1, name, anchor) for s_, a1, b1, a2, b2, name, anchor in anchored
                  if s_ == sheet and a1 <= c1 and c2 <= a2 and b1 <= r1 and r2 <= b2]
        if len(inside) != 1:
            return None
        touching = sum(1 for s, a1, b1, a2, b2 in array_boxes
                       if s == sheet and a1 <= c2 and c1 <= a2 and b1 <= r2 and r1 <= b2)
        if touching != 1:                   # the array's own box, nothing else (a refused cell, say)
            return None
        _, a1, b1, name, anchor = inside[0]
        return name, anchor, (r1 - b1, c1 - a1)

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
            if (r2 - r1 + 1) * (c2 - c1 + 1) > WIDEN_MAX or r2 > 1048576 or c2 > 16384:
                return None
            # what pycel's read does (openpyxl's ws[range] creates every missing cell of the range,
            # widening the extent that unbounded ranges are later cut to), in one loop: the pool
            # template's $2:$15001 ranges reach past its tape's last row, 30,544 cells made one by one
            from openpyxl.cell.cell import Cell
            cells = ws._cells
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) not in cells:
                        cells[(r, c)] = Cell(ws, row=r, column=c)
            ws._current_row = max(ws._current_row, r2)
            n, max_row, max_col = extents[address.sheet] = (len(ws._cells), ws.max_row, ws.max_column)
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
        if anchored and address.is_range and not address.is_unbounded_range:
            box = in_one_array(address)
            if box is not None:
                node = _BoxRange(address, xl.excel, *box)
                xl.cell_map[str(address)] = node
                xl.dep_graph.add_node(node)
                xl.dep_graph.nodes[node]["sheet"] = node.sheet
                xl.dep_graph.nodes[node]["label"] = node.address.coordinate
                xl._mbsxl_box_nodes.append((node, box[0], box[1]))
                return
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


def link_boxes(xl, node_key) -> None:
    """Give each :class:`_BoxRange` made while building the graph its edge from its array formula's
    anchor (``node_key(sheet, anchor)``: the anchor's key in ``xl.cell_map``), so that the evaluation
    order computes the array before any reader of the range."""
    for node, sheet, anchor in getattr(xl, "_mbsxl_box_nodes", ()):
        a = xl.cell_map.get(node_key(sheet, anchor))
        if a is not None and a in xl.dep_graph:
            xl.dep_graph.add_edge(a, node)
    xl._mbsxl_box_nodes = []


def store_box(xl, sheet: str, anchor: str, rows) -> None:
    """The computed values of the array formula at ``sheet!anchor`` (rows of engine values), which the
    :class:`_BoxRange` nodes inside its range read."""
    boxes = getattr(xl, "_mbsxl_boxes", None)
    if boxes is not None:
        boxes[(sheet, anchor)] = rows
