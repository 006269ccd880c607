"""Installs the s6-silent fixes (issue 21: the conformance suite's silent differences) into the pycel
plug-in module, after :mod:`mbsxl.excel._excel_fixes` (so these win where both define a name)."""
from __future__ import annotations


def install(mod, supplement) -> None:
    """``supplement``: :func:`mbsxl.excel._pycel_plugin._supplement` (the ``formulas`` adapters)."""
    from . import _fix_dates, _fix_lookup, _fix_math, _fix_stats
    _fix_math.SUPPLEMENT = supplement
    for fixes in (_fix_lookup.FIXES, _fix_dates.FIXES, _fix_stats.FIXES, _fix_math.FIXES):
        for name, f in fixes.items():
            setattr(mod, name, f)
