"""Where numba keeps its compiled-function cache: a per-user cache folder, never the installed package.

numba's default (``cache=True``) writes next to the module's source, i.e. into
``site-packages/mbsxl/__pycache__``.  A later ``pip install -e`` over that install leaves the folder
behind, and ``import mbsxl`` then finds an empty namespace package there instead of the checkout.
:func:`njit` points numba at ``<user cache>/mbsxl/numba`` first (a ``NUMBA_CACHE_DIR`` the user set is
kept): ``%LOCALAPPDATA%\\mbsxl\\Cache\\numba`` on Windows, ``~/Library/Caches/mbsxl/numba`` on macOS,
``$XDG_CACHE_HOME/mbsxl/numba`` (default ``~/.cache``) elsewhere.

numba invalidates a cached kernel only when the file that defines it changes, not when a function it
inlines from another module does (``sf4.py``, ``prepayment.py`` into ``_kernels.py``).  So the cache
sits in a sub-folder named by a digest of every module of the package: any change to mbsxl's code, an
upgrade included, compiles afresh instead of loading a stale kernel.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pathlib
import sys


def cache_dir() -> str:
    """The per-user folder for mbsxl's numba cache (not created here)."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return os.path.join(base, "mbsxl", "Cache", "numba")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Caches", "mbsxl", "numba")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mbsxl", "numba")


@functools.lru_cache(maxsize=None)
def code_digest() -> str:
    """12 hex digits of SHA-256 over the core's modules (paths and bytes; the Excel layer and the
    templates left out: no kernel lives there)."""
    h = hashlib.sha256()
    root = pathlib.Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in ("excel", "templates"):
            continue
        h.update(rel.as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def njit(**options):
    """``numba.njit(**options)`` with the on-disk cache (``cache=True``) in :func:`cache_dir`."""
    import numba

    if options.get("cache") and not os.environ.get("NUMBA_CACHE_DIR"):
        numba.config.CACHE_DIR = os.path.join(cache_dir(), code_digest())
    return numba.njit(**options)
