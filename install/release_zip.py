"""Build the Windows release zip: the wheel, the installer and the template workbooks in one folder.

    python -m build --wheel --outdir dist      # the wheel (pure Python, py3-none-any)
    python install/release_zip.py              # -> dist/mbsxl-<version>-windows.zip

The zip unpacks to ``mbsxl-<version>/`` holding ``install_windows.bat``, ``install_windows.ps1`` (which
installs the wheel beside it: no package index entry for mbsxl is needed, only its dependencies from
PyPI), the wheel, ``workbooks/*.xlsx`` and ``README.md``.
"""
from __future__ import annotations

import pathlib
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]


def make(dist: pathlib.Path = ROOT / "dist") -> pathlib.Path:
    sys.path.insert(0, str(ROOT))
    from mbsxl import __version__
    wheel = dist / f"mbsxl-{__version__}-py3-none-any.whl"
    if not wheel.exists():
        raise SystemExit(f"{wheel} not found: run python -m build --wheel --outdir {dist} first")
    out = dist / f"mbsxl-{__version__}-windows.zip"
    top = f"mbsxl-{__version__}"
    files = [(ROOT / "install" / "install_windows.bat", "install_windows.bat"),
             (ROOT / "install" / "install_windows.ps1", "install_windows.ps1"),
             (wheel, wheel.name), (ROOT / "README.md", "README.md")]
    files += [(p, f"workbooks/{p.name}") for p in sorted((ROOT / "workbooks").glob("*.xlsx"))]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for src, name in files:
            z.write(src, f"{top}/{name}")
    print(f"wrote {out} ({len(files)} files)")
    return out


if __name__ == "__main__":
    make(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist")
