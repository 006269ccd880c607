"""``mbsxl install``: set up the xlwings add-in for the MBS_ functions (Windows).

What it does, where xlwings can (Windows with Excel):

1. ``xlwings addin install`` (copies the xlwings add-in into Excel's XLSTART folder);
2. writes ``UDF MODULES`` = ``mbsxl.excel.udfs`` and ``INTERPRETER_WIN`` = this Python into the
   user's ``%USERPROFILE%\\.xlwings\\xlwings.conf`` (other settings there are kept);
3. says what to click once: Excel -> xlwings ribbon tab -> Import Functions.

On macOS and Linux it says plainly that classic xlwings worksheet functions are Windows-only and
points to ``mbsxl calc`` (see install/README_macos_linux.md).
"""
from __future__ import annotations

import os
import subprocess
import sys

UDF_MODULE = "mbsxl.excel.udfs"


def conf_path() -> str:
    return os.path.join(os.path.expanduser("~"), ".xlwings", "xlwings.conf")


def update_conf(text: str, settings: dict[str, str]) -> str:
    """xlwings.conf is lines of ``"KEY","value"``; replace or add ``settings``, keep the rest."""
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
    return "\n".join(lines) + "\n"


def main(dry_run: bool = False) -> int:
    if not sys.platform.startswith("win"):
        where = "macOS" if sys.platform == "darwin" else "Linux"
        print(f"mbsxl install: not available on {where}. Classic xlwings worksheet functions (UDFs) run only in "
              "Excel for Windows.\nUse headless recalculation instead:  mbsxl calc WORKBOOK.xlsx [--out "
              "FILE.xlsx]\nSee install/README_macos_linux.md.")
        return 1
    settings = {"UDF MODULES": UDF_MODULE, "INTERPRETER_WIN": sys.executable.replace("python.exe", "pythonw.exe")}
    steps = [[sys.executable, "-m", "xlwings", "addin", "install"]]
    path = conf_path()
    if dry_run:
        for s in steps:
            print("would run:", " ".join(s))
        print(f"would write {settings} into {path}")
        return 0
    for s in steps:  # pragma: no cover - Windows only
        rc = subprocess.call(s)
        if rc != 0:
            print(f"mbsxl install: {' '.join(s)} failed ({rc}); is Excel installed and closed?", file=sys.stderr)
            return rc
    os.makedirs(os.path.dirname(path), exist_ok=True)  # pragma: no cover
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(update_conf(old, settings))
    print(f"Wrote UDF MODULES = {UDF_MODULE} into {path}.\n"
          "Now, once: start Excel, open the xlwings tab on the ribbon and click 'Import Functions'.\n"
          "The MBS_ functions then appear in the Function Wizard under the category MBS.\n"
          "Try =MBS_VERSION() and =MBS_SMM(25%).")
    return 0
