"""numba's compiled-function cache goes to a per-user folder, never into the installed package (issue 11).

A cache written into ``site-packages/mbsxl/__pycache__`` by a non-editable install survived the
README's editable reinstall and turned ``import mbsxl`` into an empty namespace package.  This runs a
numba projection in a fresh interpreter with ``XDG_CACHE_HOME`` pointed at a temporary folder and checks
where numba wrote.
"""
import os
import pathlib
import subprocess
import sys

import pytest

import mbsxl

pytest.importorskip("numba")
PKG = pathlib.Path(mbsxl.__file__).resolve().parent


def _numba_files(folder: pathlib.Path) -> set:
    return {p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc")}


@pytest.mark.skipif(sys.platform.startswith("win") or sys.platform == "darwin", reason="XDG layout")
def test_numba_cache_goes_to_the_user_cache_folder(tmp_path):
    before = _numba_files(PKG)
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "MBSXL_ENGINE")}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = ("import mbsxl; from mbsxl.pool import _engine; assert _engine._HAVE_NUMBA;"
            "cf = mbsxl.loan_cashflows([1e5, 2e5], [0.06, 0.05], [120, 240], prepay=0.1, engine='numba');"
            "import numba; print(numba.config.CACHE_DIR)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    from mbsxl._jitcache import code_digest
    assert out.stdout.strip() == str(tmp_path / "mbsxl" / "numba" / code_digest())
    assert _numba_files(tmp_path / "mbsxl" / "numba"), "numba wrote no cache into the user cache folder"
    assert _numba_files(PKG) == before, "numba wrote its cache into the installed package"


def test_user_set_numba_cache_dir_is_kept(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "mine"))
    code = "from mbsxl.pool import _engine; import numba; print(numba.config.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "mine")
