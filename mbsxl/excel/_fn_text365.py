"""Excel 365 text functions (placeholder, filled below)."""
from __future__ import annotations

EXCEL_NAMES: dict = {}
FUNCTIONS: dict = {}


def install(mod) -> None:
    for name, f in FUNCTIONS.items():
        setattr(mod, name, f)
