"""mbsxl: mortgage-backed-securities analytics, for Excel and headless.

The public API mirrors the worksheet functions: ``MBS_CASHFLOWS`` <-> ``mbsxl.cashflows``, with the
same argument names in snake_case.  Each public name lives in one module of a domain package (table
``_API``); no package directly under ``mbsxl`` shares a public function's name, since importing it would
shadow the function (hence ``mbsxl.surveillance``, not ``mbsxl.history``).  ``mbsxl.pool.projection``
holds ``cashflows``, ``mbsxl.pool.stratification`` holds ``strat``, ``mbsxl.stats.regression`` holds
``regress``; ``mbsxl.jianyuan`` is the module ``mbsxl.reference.jianyuan`` on purpose.  Names are loaded on first use (PEP 562 ``__getattr__``) so that
``import mbsxl`` stays fast: pandas, scipy and statsmodels load only when a function needs them.
Submodules are ordinary attributes: ``from mbsxl.pool import projection`` or ``import mbsxl.stats.regression``.

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
    "smm": "pool.conventions", "cpr": "pool.conventions", "mdr": "pool.conventions", "cdr": "pool.conventions",
    "psa": "pool.conventions", "sda": "pool.conventions", "smm_from_factors": "pool.conventions",
    "cashflows": "pool.projection", "loan_cashflows": "pool.projection", "COLUMNS": "pool.projection",
    "benchmark_rates": "rates.floating", "loan_rate_path": "rates.floating",
    "strat": "pool.stratification", "pool_summary": "pool.stratification",
    "regress": "stats.regression", "predict": "stats.regression", "logit": "stats.regression",
    "price": "pricing.measures", "yield_": "pricing.measures", "wal": "pricing.measures", "duration": "pricing.measures", "convexity": "pricing.measures",
    "payment_times": "pricing.measures", "accrued": "pricing.measures", "convert_yield": "pricing.measures",
    "zspread": "pricing.zerocurve", "oas": "pricing.valuation", "effective_duration": "pricing.valuation",
    "effective_convexity": "pricing.valuation", "short_rate_paths": "pricing.ratemodels", "path_cashflows": "pricing.valuation",
    "refi_cpr": "pool.prepayment",
    "tranches": "deal.waterfall", "tranche_stats": "deal.waterfall", "coupon_index": "deal.waterfall",
    "rate_index": "rates.rateindex",
    # issue 14, trustee-report history
    "history": "surveillance.performance", "backtest": "surveillance.backtesting",
    "lpr_scenario": "rates.lprscenario",
    "loan_rates": "pool.loanrates", "policy_events": "rates.repricing", "mortgage_floors": "rates.repricing",
    "grid": "deal.scenario", "breakeven": "deal.breakeven", "krd": "pricing.keyrate",
    # issue 18: the rating agencies' stress test
    "default_timing": "deal.agency_stress", "rating_stress": "deal.agency_stress",
    # issue 20, non-performing pools
    "recoveries": "pool.recovery", "recovery_loans": "pool.recovery", "recovery_curve": "pool.recovery",
    "recovery_stages": "pool.recovery", "npl_market": "pool.recovery", "recovery_track": "surveillance.recovery_tracking",
    "npl_pool": "deal.npl_deal", "npl_grid": "deal.npl_deal", "npl_breakeven": "deal.npl_deal", "npl_flows": "deal.npl_deal",
    "npl_deal_stats": "deal.npl_deal",
    # issue 19, the deal table
    "parse_deal": "deal.dealtable", "deal_flows": "deal.dealviews", "deal_stats": "deal.dealviews", "deal_check": "deal.dealviews",
    "deal_grid": "deal.dealviews", "deal_breakeven": "deal.dealviews", "deal_from_tranches": "deal.dealviews",
    "MbsxlInputError": "errors",
}

__all__ = sorted(_API) + ["jianyuan", "__version__"]


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    elif name == "jianyuan":
        value = importlib.import_module(f"{__name__}.reference.jianyuan")
    else:
        raise AttributeError(f"module 'mbsxl' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(__all__) | set(globals()))
