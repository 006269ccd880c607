"""mbsxl: mortgage-backed-securities analytics, for Excel and headless.

The public API mirrors the worksheet functions: ``MBS_CASHFLOWS`` <-> ``mbsxl.cashflows``, with the
same argument names in snake_case.  Each public name lives in one submodule (table ``_API``); no
submodule shares a public function's name (``mbsxl.projection`` holds ``cashflows``,
``mbsxl.stratification`` holds ``strat``, ``mbsxl.regression`` holds ``regress``; ``mbsxl.jianyuan``
is a module on purpose).  Names are loaded on first use (PEP 562 ``__getattr__``) so that
``import mbsxl`` stays fast: pandas, scipy and statsmodels load only when a function needs them.
Submodules are ordinary attributes: ``from mbsxl import projection`` or ``import mbsxl.regression``.

Example
-------
>>> import mbsxl
>>> round(float(mbsxl.smm(0.06)), 6)
0.005143
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_API = {
    "smm": "conventions", "cpr": "conventions", "mdr": "conventions", "cdr": "conventions",
    "psa": "conventions", "sda": "conventions", "smm_from_factors": "conventions",
    "cashflows": "projection", "loan_cashflows": "projection", "COLUMNS": "projection",
    "benchmark_rates": "floating", "loan_rate_path": "floating",
    "strat": "stratification", "pool_summary": "stratification",
    "regress": "regression", "predict": "regression", "logit": "regression",
    "price": "pricing", "yield_": "pricing", "wal": "pricing", "duration": "pricing", "convexity": "pricing",
    "payment_times": "pricing", "accrued": "pricing", "convert_yield": "pricing",
    "zspread": "zerocurve", "oas": "valuation", "effective_duration": "valuation",
    "effective_convexity": "valuation", "short_rate_paths": "ratemodels", "path_cashflows": "valuation",
    "refi_cpr": "prepayment",
    "tranches": "waterfall", "tranche_stats": "waterfall", "coupon_index": "waterfall",
    "rate_index": "rateindex",
    # issue 14, trustee-report history
    "history": "performance", "backtest": "backtesting",
    "lpr_scenario": "lprscenario",
    "loan_rates": "loanrates", "policy_events": "repricing", "mortgage_floors": "repricing",
    "grid": "scenario", "breakeven": "breakeven", "krd": "keyrate",
    # issue 18: the rating agencies' stress test
    "default_timing": "agency_stress", "rating_stress": "agency_stress",
    # issue 20, non-performing pools
    "recoveries": "recovery", "recovery_loans": "recovery", "recovery_curve": "recovery",
    "recovery_stages": "recovery", "npl_market": "recovery", "recovery_track": "recovery_tracking",
    "npl_pool": "npl_deal", "npl_grid": "npl_deal", "npl_breakeven": "npl_deal", "npl_flows": "npl_deal",
    "npl_deal_stats": "npl_deal",
    # issue 19, the deal table
    "parse_deal": "dealtable", "deal_flows": "dealviews", "deal_stats": "dealviews", "deal_check": "dealviews",
    "deal_grid": "dealviews", "deal_breakeven": "dealviews", "deal_from_tranches": "dealviews",
    "MbsxlInputError": "errors",
}

__all__ = sorted(_API) + ["jianyuan", "__version__"]


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    elif name == "jianyuan":
        value = importlib.import_module(f"{__name__}.jianyuan")
    else:
        raise AttributeError(f"module 'mbsxl' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(__all__) | set(globals()))
