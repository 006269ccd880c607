"""Small stand-ins for pywin32 (``pythoncom``, ``pywintypes``, ``win32com`` ...) and for Excel's COM
objects, so that xlwings' OWN Windows code (``xlwings._xlwindows``, ``xlwings.udfs.call_udf``,
``import_udfs``, ``generate_vba_wrapper`` and ``xlwings.com_server.XLPython.CallUDF``) runs on Linux.

What the stand-ins reproduce is what pywin32 hands Python for the VARIANTs Excel passes to a VBA
``Function`` wrapper (xlwings' generated ``XLPy.CallUDF("mod", "MBS_X", Array(a, b), ThisWorkbook,
Application.Caller)``):

- a cell reference -> an Excel ``Range`` COM object (xlwings recognises it by the IID of its type info,
  ``{00020846-0000-0000-C000-000000000046}``, ``_xlwindows.is_range_instance``) whose ``.Value`` is a
  scalar for one cell and a tuple of row tuples for several;
- a number -> ``float`` (VT_R8), text -> ``str``, TRUE -> ``bool``, an empty cell -> ``None`` (VT_EMPTY);
- an error cell -> its ``int`` scode (VT_ERROR, e.g. -2146826246 for #N/A; xlwings' ``cell_errors``);
- a date cell -> a ``pywintypes.TimeType`` (a ``datetime`` subclass in pywin32 >= 300);
- an omitted ``Optional`` argument -> VBA's ``Missing``, an int -2147352572 (DISP_E_PARAMNOTFOUND,
  which ``call_udf`` tests for);
- a constant ``{1;2}`` -> a tuple of row tuples; a one-row ``{1,2,3}`` -> a flat tuple (Excel hands VBA
  a one-row array as a 1-D array); the tests send a row in both forms.

Only attributes that xlwings actually reads are implemented; anything else raises AttributeError, so a
new dependency of xlwings on COM shows up as a test failure rather than a silent pass.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import re
import sys
import types

from openpyxl.utils import get_column_letter

RANGE_IID = "{00020846-0000-0000-C000-000000000046}"
MISSING = -2147352572           # DISP_E_PARAMNOTFOUND: VBA's Missing for an omitted Optional argument
VT_ERROR = 10
SCODES = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
          "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273}


class TimeType(dt.datetime):
    """pywintypes.TimeType: pywin32 >= 300 returns date cells as this datetime subclass."""


class VARIANT:
    """win32com.client.VARIANT(vt, value)."""

    def __init__(self, vt, value):
        self.varianttype = vt
        self.value = value

    def __repr__(self):
        return f"VARIANT({self.varianttype}, {self.value!r})"


class _Anything:
    """A module attribute nobody reads during a UDF call (win32api, windll ...)."""

    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *a, **k):
        return _Anything()


def _module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    return m


_STUBBED = ("pywintypes", "pythoncom", "win32com", "win32com.client", "win32com.server", "win32com.server.util",
            "win32com.server.dispatcher", "win32com.server.policy", "win32api", "win32con", "win32gui",
            "win32event", "win32timezone", "win32process", "xlwings._xlwindows", "xlwings.udfs",
            "xlwings.com_server", "mbsxl.excel.udfs")


def uninstall() -> None:
    """Undo :func:`install` and :func:`windows_mbsxl_udfs`: later tests see Linux xlwings again."""
    import xlwings
    for name in _STUBBED:
        sys.modules.pop(name, None)
    for attr in ("_xlwindows", "udfs", "com_server"):
        xlwings.__dict__.pop(attr, None)
    import mbsxl.excel
    mbsxl.excel.__dict__.pop("udfs", None)
    xlwings.engines.engines = [e for e in xlwings.engines.engines if e.name != "excel"]
    xlwings.engines.engines_by_name.pop("excel", None)
    for k, v in _SAVED.items():
        setattr(xlwings, k, v)
    _SAVED.clear()
    while _ADDED_TO_CTYPES:
        delattr(ctypes, _ADDED_TO_CTYPES.pop())


_SAVED: dict = {}
_ADDED_TO_CTYPES: list = []


def windows_mbsxl_udfs():
    """Import ``mbsxl.excel.udfs`` afresh with the decorators ``xlwings/__init__.py`` binds on Windows
    (``func``/``arg``/``ret`` = ``xlwings.udfs.xlfunc``/``xlarg``/``xlret``), as Excel's COM server does."""
    import xlwings
    import xlwings.udfs as xu
    for k, v in {"func": xu.xlfunc, "arg": xu.xlarg, "ret": xu.xlret}.items():
        _SAVED.setdefault(k, getattr(xlwings, k))
        setattr(xlwings, k, v)
    sys.modules.pop("mbsxl.excel.udfs", None)
    xu.udf_modules.clear()
    return importlib.import_module("mbsxl.excel.udfs")


def install() -> None:
    """Put the pywin32 stand-ins into ``sys.modules`` and import xlwings' Windows engine the way
    ``xlwings/__init__.py`` does on Windows (``engines.add(Engine(impl=_xlwindows.engine))``)."""
    anything = _Anything()

    class com_error(Exception):
        pass

    pywintypes = _module("pywintypes", TimeType=TimeType, IID=lambda s: s, com_error=com_error,
                         Time=TimeType)
    pythoncom = _module(
        "pythoncom", _MBSXL_STUB=True, VT_ERROR=VT_ERROR, IID_IDispatch="IDispatch",
        IID_IEnumVARIANT="IEnumVARIANT", TypeIIDs={"IDispatch": type("PyIDispatch", (), {})},
        CoInitialize=lambda: None,
        CoMarshalInterThreadInterfaceInStream=lambda iid, obj: obj,
        CoGetInterfaceAndReleaseStream=lambda stream, iid: stream)

    def dispatch(obj=None, *a, **k):
        return obj

    client = _module("win32com.client", Dispatch=dispatch, DispatchEx=dispatch, CDispatch=object,
                     CoClassBaseClass=object, DispatchBaseClass=object, VARIANT=VARIANT,
                     gencache=anything)

    def unwrap(v):
        raise ValueError("not a wrapped Python object")

    server_util = _module("win32com.server.util", unwrap=unwrap, wrap=lambda o: o)
    server = _module("win32com.server", util=server_util, dispatcher=_module("win32com.server.dispatcher"),
                     policy=_module("win32com.server.policy"))
    win32com = _module("win32com", client=client, server=server)
    for name, mod in {"pywintypes": pywintypes, "pythoncom": pythoncom, "win32com": win32com,
                      "win32com.client": client, "win32com.server": server,
                      "win32com.server.util": server_util,
                      "win32com.server.dispatcher": server.dispatcher,
                      "win32com.server.policy": server.policy,
                      "win32api": _module("win32api"), "win32con": _module("win32con"),
                      "win32gui": _module("win32gui"), "win32event": _module("win32event"),
                      "win32timezone": _module("win32timezone"),
                      "win32process": _module("win32process",
                                              GetWindowThreadProcessId=lambda hwnd: (1, 4242))}.items():
        sys.modules[name] = mod
    for attr in ("windll", "oledll"):
        if not hasattr(ctypes, attr):
            setattr(ctypes, attr, anything)
            _ADDED_TO_CTYPES.append(attr)
    pythoncom.__file__ = "pythoncom311.dll"

    import xlwings
    from xlwings.main import Engine
    real_pydll = ctypes.PyDLL
    ctypes.PyDLL = lambda *a, **k: anything     # _xlwindows loads pythoncom's DLL at import
    try:
        xlwindows = importlib.import_module("xlwings._xlwindows")
    finally:
        ctypes.PyDLL = real_pydll
    if "excel" not in [e.name for e in xlwings.engines]:
        xlwings.engines.add(Engine(impl=xlwindows.engine))
    importlib.import_module("xlwings.udfs")
    importlib.import_module("xlwings.com_server")


# --------------------------------------------------------------------------------- Excel objects
def _col(n: int) -> str:
    """1 -> "A" (openpyxl's converter: the stand-in Excel does not borrow mbsxl's own address code)."""
    return get_column_letter(n)


def _parse(ref: str):
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref.upper())
    if not m:
        raise ValueError(ref)

    def cn(s):
        n = 0
        for ch in s:
            n = n * 26 + ord(ch) - 64
        return n
    r1, c1 = int(m.group(2)), cn(m.group(1))
    r2, c2 = (int(m.group(4)), cn(m.group(3))) if m.group(3) else (r1, c1)
    return r1, c1, r2 - r1 + 1, c2 - c1 + 1


class _Count:
    def __init__(self, n):
        self.Count = n


class _TypeInfo:
    def GetTypeInfo(self):
        return self

    def GetTypeAttr(self):
        return self

    iid = RANGE_IID


class Application:
    """Excel.Application: the status bar, the version and MacroOptions (recorded)."""

    def __init__(self, version="16.0"):
        self.StatusBar = False
        self.Version = version
        self.Hwnd = 1
        self.macro_options = []

    def MacroOptions(self, macro, **kw):
        self.macro_options.append((macro, kw))

    def Run(self, *a):
        raise AssertionError(f"Application.Run{a} was not expected")


class _VBComponents:
    def __init__(self):
        self.imported: list[str] = []

    def __call__(self, name):
        raise sys.modules["pywintypes"].com_error("no such component")

    def Remove(self, comp):
        pass

    def Import(self, path):
        with open(path, encoding=_ANSI) as fh:      # VBComponents.Import reads the ANSI code page
            self.imported.append(fh.read())


_ANSI = "cp1252"


class Workbook:
    def __init__(self, name="Book1.xlsx", app=None):
        self.Name = name
        self.Application = app or Application()
        self.VBProject = types.SimpleNamespace(VBComponents=_VBComponents())
        self.sheets: dict[str, Worksheet] = {}

    @property
    def Worksheets(self):
        return list(self.sheets.values())

    def sheet(self, name="Sheet1") -> "Worksheet":
        if name not in self.sheets:
            self.sheets[name] = Worksheet(name, self)
        return self.sheets[name]


class Worksheet:
    def __init__(self, name, book):
        self.Name = name
        self.Parent = book
        self.cells: dict[tuple[int, int], object] = {}

    def Range(self, a, b=None):
        if isinstance(a, RangeCOM):
            r1, c1 = a.Row, a.Column
            r2, c2 = b.Row, b.Column
            return RangeCOM(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)
        return RangeCOM(self, *_parse(a))

    def Cells(self, r, c):
        return RangeCOM(self, r, c, 1, 1)

    def put(self, ref: str, values) -> "RangeCOM":
        """Fill ``ref`` with a scalar or a list of rows; return the range."""
        rng = self.Range(ref)
        rows = values if isinstance(values, (list, tuple)) else [[values]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.cells[(rng.Row + i, rng.Column + j)] = v
        return rng


class RangeCOM:
    """An Excel Range COM object as pywin32's dynamic dispatch shows it."""

    CLSID = RANGE_IID

    def __init__(self, sheet, row, col, nrows, ncols):
        self.Worksheet = sheet
        self.Row, self.Column = row, col
        self.Rows, self.Columns = _Count(nrows), _Count(ncols)
        self.Count = nrows * ncols
        self._oleobj_ = _TypeInfo()

    @property
    def Value(self):
        get = self.Worksheet.cells.get
        rows = tuple(tuple(get((self.Row + i, self.Column + j)) for j in range(self.Columns.Count))
                     for i in range(self.Rows.Count))
        return rows[0][0] if self.Count == 1 else rows

    @property
    def Address(self):
        a = f"${_col(self.Column)}${self.Row}"
        if self.Count == 1:
            return a
        return a + f":${_col(self.Column + self.Columns.Count - 1)}${self.Row + self.Rows.Count - 1}"

    def GetAddress(self, *a):
        return self.Address


def vba_array(func, *given):
    """The ``Array(...)`` xlwings' generated VBA passes to ``XLPy.CallUDF``: the given values in order,
    VBA's ``Missing`` for each omitted Optional argument and ``Nothing`` (``None``) for the ``caller``
    argument (``generate_vba_wrapper`` sets its ``vba`` to ``"Nothing"``)."""
    out, given = [], list(given)
    for info in func.__xlfunc__["args"]:
        if info["name"] == "caller":
            out.append(None)
        else:
            out.append(given.pop(0) if given else MISSING)
    assert not given, f"{func.__name__}: too many arguments"
    return tuple(out)
