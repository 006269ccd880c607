"""Installs the s6-silent fixes (issue 21: the conformance suite's silent differences) into the pycel
plug-in module, after :mod:`mbsxl.excel._excel_fixes` (so these win where both define a name)."""
from __future__ import annotations


def install(mod) -> None:
    from . import _fix_dates, _fix_lookup, _fix_math, _fix_stats
    for fixes in (_fix_lookup.FIXES, _fix_dates.FIXES, _fix_stats.FIXES, _fix_math.FIXES):
        for name, f in fixes.items():
            setattr(mod, name, f)
