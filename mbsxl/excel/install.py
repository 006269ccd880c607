"""``mbsxl install``: the MBS_ functions in every workbook of Excel for Windows, through classic xlwings.

Steps (each checked against the xlwings documentation, see README "Excel"):

1. ``python -m xlwings.cli addin install``: the xlwings add-in (ribbon, UDF server settings) into Excel's
   XLSTART folder; it creates the user config ``%USERPROFILE%\\.xlwings\\xlwings.conf`` if missing.
   (xlwings has no ``__main__``: ``python -m xlwings`` fails; the console script ``xlwings`` is
   ``xlwings.cli:main``.)
2. The user config gets ``"UDF MODULES","mbsxl.excel.udfs"`` and ``"INTERPRETER_WIN"`` = this Python's
   ``pythonw.exe``; other settings are kept.
3. An add-in for the functions, ``%USERPROFILE%\\.mbsxl\\mbsxl_functions\\mbsxl_functions.xlam``, made by
   ``python -m xlwings.cli quickstart mbsxl_functions --addin`` (xlwings' custom add-in: "UDFs ... will
   be available in all workbooks ... You can also work with standard xlsx files").  Its VBA project is
   called ``myaddin``, so it reads its user config from ``%USERPROFILE%\\.myaddin\\myaddin.conf``, which
   gets the same two settings.
4. The functions are imported into that add-in with xlwings' own ``import_udfs`` (Excel opened hidden;
   needs "Trust access to the VBA project object model", File > Options > Trust Center > Trust Center
   Settings > Macro Settings).  This replaces a per-workbook *Import Functions*.
5. ``python -m xlwings.cli addin install --file <the add-in>``: copied into XLSTART, opened by Excel at
   every start.

Config files are written in the ANSI code page (``mbcs``: cp1252 in Western Europe, cp936 in
mainland China), because the add-in reads them with VBA's ``Open ... For Input``, which uses that code
page; a path that the code page cannot spell (a Chinese user folder on a cp1252 system) is refused
with the reason instead of writing a broken interpreter path.

Not on macOS or Linux: classic xlwings worksheet functions are Windows-only; use xlwings Lite
(``mbsxl lite``) or headless recalculation (``mbsxl calc``).
"""
from __future__ import annotations

import ntpath
import os
import subprocess
import sys
from dataclasses import dataclass

UDF_MODULE = "mbsxl.excel.udfs"
ADDIN = "mbsxl_functions"
#: The custom add-in's VBA project name (xlwings quickstart --addin), which names its user config.
ADDIN_PROJECT = "myaddin"


@dataclass(frozen=True)
class Step:
    """One install step: ``run`` a command (``argv``, in ``cwd``) or ``write`` a config file."""
    what: str
    why: str
    argv: tuple = ()
    cwd: str | None = None
    path: str | None = None
    settings: tuple = ()


def ansi_encoding() -> str:
    """The Windows ANSI code page (``mbcs``) on Windows; elsewhere the locale's encoding."""
    if sys.platform.startswith("win"):
        return "mbcs"
    import locale
    return locale.getpreferredencoding(False)


def update_conf(text: str, settings: dict[str, str]) -> str:
    """xlwings.conf is lines of ``"KEY","value"`` (keys in capitals); replace or add ``settings``,
    keep the rest."""
    lines, done = [], set()
    for line in text.splitlines():
        key = line.split(",", 1)[0].strip().strip('"').upper() if line.strip() else ""
        if key in settings:
            lines.append(f'"{key}","{settings[key]}"')
            done.add(key)
        else:
            lines.append(line)
    for k, v in settings.items():
        if k not in done:
            lines.append(f'"{k}","{v}"')
    return "\r\n".join(lines) + "\r\n"


def write_conf(path: str, settings: dict[str, str], encoding: str) -> None:
    """Merge ``settings`` into the config file ``path`` written in ``encoding`` (an existing file in that
    encoding or, from an older mbsxl, in UTF-8 is read); refuse a value the encoding cannot spell."""
    for k, v in settings.items():
        try:
            v.encode(encoding)
        except UnicodeEncodeError:
            raise ValueError(f"{k}={v!r} cannot be written in the ANSI code page {encoding}, which the xlwings "
                             "add-in reads; install Python in a folder with Latin letters only (e.g. "
                             "C:\\Python311) or set Windows' 'Language for non-Unicode programs' to match") from None
    old = ""
    if os.path.exists(path):
        raw = open(path, "rb").read()
        for enc in (encoding, "utf-8"):
            try:
                old = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(update_conf(old, settings))


def steps(home: str, python: str) -> list[Step]:
    """The install steps for user folder ``home`` and interpreter ``python`` (python.exe)."""
    pythonw = python[:len(python) - len(ntpath.basename(python))] + "pythonw.exe"   # next to python.exe
    settings = (("UDF MODULES", UDF_MODULE), ("INTERPRETER_WIN", pythonw))
    base = os.path.join(home, ".mbsxl")
    xlam = os.path.join(base, ADDIN, ADDIN + ".xlam")
    return [
        Step("run", "install the xlwings add-in", (python, "-m", "xlwings.cli", "addin", "install")),
        Step("write", "point xlwings at the MBS_ functions",
             path=os.path.join(home, ".xlwings", "xlwings.conf"), settings=settings),
        Step("run", "create the add-in that holds the MBS_ functions",
             (python, "-m", "xlwings.cli", "quickstart", ADDIN, "--addin"), cwd=base),
        Step("write", "configure that add-in",
             path=os.path.join(home, f".{ADDIN_PROJECT}", f"{ADDIN_PROJECT}.conf"), settings=settings),
        Step("run", "import the MBS_ functions into the add-in (Excel opens hidden)",
             (python, "-c", f"import mbsxl.excel.install as i, sys; sys.exit(i.import_into_addin({xlam!r}))")),
        Step("run", "install the add-in into Excel's XLSTART folder",
             (python, "-m", "xlwings.cli", "addin", "install", "--file", xlam)),
    ]


def import_into_addin(xlam: str) -> int:  # pragma: no cover - Windows with Excel
    """Import the MBS_ functions into add-in ``xlam`` with xlwings' own ``import_udfs``; save it."""
    import xlwings as xw
    from xlwings.udfs import import_udfs
    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(xlam)
        try:
            import_udfs(UDF_MODULE, book.api)
        except Exception as e:  # noqa: BLE001
            print(f"mbsxl install: importing the functions failed ({e}). In Excel, tick File > Options > Trust "
                  "Center > Trust Center Settings > Macro Settings > 'Trust access to the VBA project object "
                  "model', close Excel and run mbsxl install again.", file=sys.stderr)
            return 1
        book.save()
    finally:
        app.quit()
    return 0


def run(home: str, python: str, runner=subprocess.call, encoding: str | None = None, out=print) -> int:
    """Carry out :func:`steps`; ``runner(argv, cwd=...)`` runs a command (returns its exit status)."""
    encoding = encoding or ansi_encoding()
    for n, s in enumerate(steps(home, python), start=1):
        out(f"{n}/6 {s.why} ...")
        if s.what == "write":
            try:
                write_conf(s.path, dict(s.settings), encoding)
            except ValueError as e:
                out(f"mbsxl install: {e}")
                return 1
            continue
        if s.cwd:
            os.makedirs(s.cwd, exist_ok=True)
            if "quickstart" in s.argv and os.path.isdir(os.path.join(s.cwd, ADDIN)):
                continue                                  # made by an earlier install
        rc = runner(list(s.argv), cwd=s.cwd)
        if rc != 0:
            out(f"mbsxl install: step {n} failed ({' '.join(s.argv)} exited with {rc}); is Excel closed?")
            return rc
    out("Done. Start Excel and type =MBS_VERSION() in any workbook (.xlsx too); the functions are in the "
        "Function Wizard (fx) under 'MBS'. If a cell shows #VALUE!, =MBS_ERROR(thatcell) tells you why.")
    return 0


def main(dry_run: bool = False) -> int:
    if not sys.platform.startswith("win"):
        where = "macOS" if sys.platform == "darwin" else "Linux"
        print(f"mbsxl install: not available on {where}: classic xlwings worksheet functions run only in Excel "
              "for Windows.\nOn a Mac or Excel on the web use xlwings Lite:  mbsxl lite --out mbsxl_lite  "
              "(README, Excel).\nWithout Excel:  mbsxl calc WORKBOOK.xlsx [--out FILE.xlsx]")
        return 1
    home = os.path.expanduser("~")
    if dry_run:
        for s in steps(home, sys.executable):
            print(f"would {s.why}: " + (" ".join(s.argv) if s.what == "run" else f"write {dict(s.settings)} "
                                         f"into {s.path} ({ansi_encoding()})"))
        return 0
    return run(home, sys.executable)  # pragma: no cover - Windows only
