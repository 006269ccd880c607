"""mbsxl: mortgage-backed-securities analytics, for Excel and headless.

The public API mirrors the worksheet functions: ``MBS_CASHFLOWS`` <-> ``mbsxl.cashflows``, with the
same argument names in snake_case.  Names are imported lazily so that ``import mbsxl`` stays fast
(statsmodels and scipy load only when a regression or a curve is used).

Example
-------
>>> import mbsxl
>>> round(float(mbsxl.smm(0.06)), 6)
0.005143
"""
from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    # conventions.py
    "smm": "conventions", "cpr": "conventions", "mdr": "conventions", "cdr": "conventions",
    "psa": "conventions", "sda": "conventions", "smm_from_factors": "conventions",
    # cashflows.py
    "cashflows": "cashflows", "loan_cashflows": "cashflows", "COLUMNS": "cashflows",
    # floating.py
    "benchmark_rates": "floating", "loan_rate_path": "floating",
    # strat.py
    "strat": "strat", "pool_summary": "strat",
    # regress.py
    "regress": "regress", "predict": "regress", "logit": "regress",
    # pricing.py
    "price": "pricing", "yield_": "pricing", "wal": "pricing", "duration": "pricing", "convexity": "pricing",
    "payment_times": "pricing", "accrued": "pricing", "convert_yield": "pricing",
    # curves.py
    "zspread": "curves", "oas": "curves", "effective_duration": "curves", "effective_convexity": "curves",
    "short_rate_paths": "curves", "path_cashflows": "curves", "refi_cpr": "curves",
    # waterfall.py
    "tranches": "waterfall", "tranche_stats": "waterfall", "coupon_index": "waterfall",
    # data
    "jianyuan": "jianyuan",
}

_MODULES = {"jianyuan"}        # public names that are modules themselves

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _API[name]
    except KeyError:
        raise AttributeError(f"module 'mbsxl' has no attribute {name!r}") from None
    mod = importlib.import_module(f"mbsxl.{module}")
    value = mod if name in _MODULES else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


class _Package(types.ModuleType):
    """Keeps ``mbsxl.cashflows`` the function even after the submodule ``mbsxl.cashflows`` loads.

    Importing a submodule sets it as an attribute of its package; for the public names that share
    a module's name (cashflows, strat, regress, jianyuan is a module on purpose) the function wins.
    The submodules stay reachable through ``sys.modules`` and ``from mbsxl.cashflows import ...``.
    """

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and name in _API and name not in _MODULES:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
