"""Worksheet functions for pricing: MBS_PRICE, MBS_YIELD, MBS_WAL, MBS_DURATION, MBS_CONVEXITY,
MBS_ZSPREAD, MBS_OAS.  Wrappers only; the conventions are documented in :mod:`mbsxl.pricing.measures` and
:mod:`mbsxl.curves`.
"""
from __future__ import annotations

import mbsxl
from mbsxl._validate import MAX_MONTHS, MAX_PATHS
from mbsxl.excel.registry import Arg, udf

# shared argument docs (each < 255 characters)
_CF = Arg("cash_flows", "Investor cash flow each month (interest + principal), a column for months 1, 2, ...; "
          "e.g. the Cash Flow column of MBS_CASHFLOWS or a class's flows", kind="vector")
_DELAY = Arg("delay_days", "Days from the end of each month to the payment (SIFMA actual delay: GNMA I 14, "
             "Fannie Mae 24); default 0", kind="number", optional=True, default=0)
_SETTLE = Arg("settle_days", "Days from the start of the accrual month to settlement; default 0 (settle on "
              "the 1st). Needs coupon for accrued interest", kind="number", optional=True, default=0)
_BASIS = Arg("basis", "Day count: \"30/360\" (SIFMA standard, default) or \"act/365\" (China interbank, "
             "实际天数/365)", kind="text", optional=True, default="30/360")
_BALANCE = Arg("balance", "Current face the cash flows belong to (e.g. the pool balance); default 100 = flows "
               "per 100 of face. Prices are per 100 of current face", kind="number", optional=True, default=100)
_COUPON = Arg("coupon", "Annual coupon as a decimal, for accrued interest when settle_days > 0 (quoted price = "
              "full price - accrued)", kind="number", optional=True, default=None)
_COMP = Arg("compounding", "Yield compounding a year: 2 = bond-equivalent (SIFMA, default), 12 = mortgage "
            "yield, 1 = annual (Chinese bonds)", kind="int", optional=True, default=2)
_PAYDAY = Arg("payment_day", "Payment on this day of the month after each period (Jianyuan: 26); replaces "
              "delay_days (= payment_day - 1)", kind="int", optional=True, default=None)
_START = Arg("start_date", "First day of the accrual period containing settlement; with act/365, payment "
             "days are placed on the calendar", kind="date", optional=True, default=None)
_YIELD = Arg("yield_", "Annual yield as a decimal (8% or 0.08), compounded as compounding says", kind="number")
_TERMS = Arg("curve_terms", "Zero-curve terms in years, increasing (a row or column)", kind="vector")
_RATES = Arg("curve_rates", "Zero rates as decimals, one per term; linear in term between terms, flat beyond",
             kind="vector")
_CURVE_COMP = Arg("compounding", "Compounding of the zero rates: \"continuous\" (default) or 1, 2, 4, 12 a "
                  "year; the spread is added on the same basis", kind="any", optional=True, default="continuous")


@udf("MBS_PRICE", "Price per 100 of current face of a cash-flow column at a yield (SIFMA Standard Formulas "
     "SF-48; 价格), net of accrued interest when a coupon is given",
     args=[_CF, _YIELD, _DELAY, _SETTLE, _BASIS, _BALANCE, _COUPON, _COMP, _PAYDAY, _START], returns="scalar")
def MBS_PRICE(cash_flows, yield_, delay_days=0, settle_days=0, basis="30/360", balance=100, coupon=None,
              compounding=2, payment_day=None, start_date=None):
    return mbsxl.price(cash_flows, yield_, delay_days, settle_days, basis, balance=balance, coupon=coupon,
                       compounding=compounding, payment_day=payment_day, start_date=start_date)


@udf("MBS_YIELD", "Cash-flow yield (收益率) of a column at a price per 100 of current face: bond-equivalent "
     "(compounding 2, SIFMA SF-48) or mortgage yield (compounding 12)",
     args=[_CF, Arg("price", "Quoted price per 100 of current face (e.g. 100 = par)", kind="number"),
           _DELAY, _SETTLE, _BASIS, _BALANCE, _COUPON, _COMP, _PAYDAY, _START], returns="scalar")
def MBS_YIELD(cash_flows, price, delay_days=0, settle_days=0, basis="30/360", balance=100, coupon=None,
              compounding=2, payment_day=None, start_date=None):
    return mbsxl.yield_(cash_flows, price, delay_days, settle_days, basis, balance=balance, coupon=coupon,
                        compounding=compounding, payment_day=payment_day, start_date=start_date)


@udf("MBS_WAL", "Weighted average life in years (WAL, 加权平均期限) of a principal column, from settlement "
     "to receipt (SIFMA SF-49)",
     args=[Arg("principal", "Principal received each month, a column (months 1, 2, ...)", kind="vector"),
           _DELAY, _SETTLE, _BASIS,
           Arg("periods_per_year", "Payments a year: 12 (default), 4, 2 or 1", kind="int", optional=True, default=12),
           _PAYDAY, _START], returns="scalar")
def MBS_WAL(principal, delay_days=0, settle_days=0, basis="30/360", periods_per_year=12, payment_day=None,
            start_date=None):
    return mbsxl.wal(principal, delay_days, settle_days, basis, periods_per_year=periods_per_year,
                     payment_day=payment_day, start_date=start_date)


@udf("MBS_DURATION", "Macaulay duration in years (久期) of a cash-flow column at a yield, or modified "
     "duration when modified is TRUE (SIFMA SF-49)",
     args=[_CF, _YIELD, _DELAY, _SETTLE, _BASIS,
           Arg("modified", "TRUE for modified duration (Macaulay / (1 + y/compounding)); default FALSE",
               kind="bool", optional=True, default=False),
           _COMP, _PAYDAY, _START], returns="scalar")
def MBS_DURATION(cash_flows, yield_, delay_days=0, settle_days=0, basis="30/360", modified=False, compounding=2,
                 payment_day=None, start_date=None):
    return mbsxl.duration(cash_flows, yield_, delay_days, settle_days, basis, modified=modified,
                          compounding=compounding, payment_day=payment_day, start_date=start_date)


@udf("MBS_CONVEXITY", "Cash-flow convexity in years squared (凸性) of a column at a yield (SIFMA SF-49: "
     "second derivative of price in yield over price; divide by 100 for SIFMA's second form)",
     args=[_CF, _YIELD, _DELAY, _SETTLE, _BASIS, _COMP, _PAYDAY, _START], returns="scalar")
def MBS_CONVEXITY(cash_flows, yield_, delay_days=0, settle_days=0, basis="30/360", compounding=2,
                  payment_day=None, start_date=None):
    return mbsxl.convexity(cash_flows, yield_, delay_days, settle_days, basis, compounding=compounding,
                           payment_day=payment_day, start_date=start_date)


@udf("MBS_ZSPREAD", "Z-spread (静态利差), decimal: the constant spread over a zero curve that reprices a "
     "cash-flow column at a price per 100 of current face",
     args=[_CF, Arg("price", "Quoted price per 100 of current face", kind="number"), _TERMS, _RATES,
           _DELAY, _SETTLE, _BASIS, _CURVE_COMP, _BALANCE, _COUPON], returns="scalar")
def MBS_ZSPREAD(cash_flows, price, curve_terms, curve_rates, delay_days=0, settle_days=0, basis="30/360",
                compounding="continuous", balance=100, coupon=None):
    return mbsxl.zspread(cash_flows, price, curve_terms, curve_rates, delay_days, settle_days, basis,
                         compounding=compounding, balance=balance, coupon=coupon)


@udf("MBS_OAS", "Option-adjusted spread (期权调整利差) of a mortgage pool by Monte Carlo (Hull-White paths, "
     "refinancing prepayment): table of OAS, price std error, effective duration and convexity, paths",
     args=[Arg("price", "Quoted price per 100 of current face", kind="number"),
           Arg("wac", "Pool weighted-average loan rate, annual decimal (e.g. 0.0666)", kind="number"),
           Arg("wam", "Remaining term in months (e.g. 220), at most 600 (50 years)", kind="int", max=MAX_MONTHS,
               cap_note="months: 50 years, above any mortgage term"),
           _TERMS, _RATES,
           Arg("servicing", "Servicing and trust fees, annual decimal; investors get wac - servicing",
               kind="number", optional=True, default=0),
           Arg("age", "Loan age in months today (for the PSA ramp); default 0; at most 600", kind="int", optional=True,
               default=0, max=MAX_MONTHS, cap_note="months: 50 years"),
           Arg("sigma", "Hull-White volatility of the short rate, absolute (0.01 = 100 bp a year); 0 gives the "
               "Z-spread", kind="number", optional=True, default=0.01),
           Arg("mean_reversion", "Hull-White mean reversion a, per year; default 0.1", kind="number",
               optional=True, default=0.1),
           Arg("paths", "Number of rate paths (even: antithetic pairs); default 1000; at most 100,000", kind="int",
               optional=True, default=1000, max=MAX_PATHS, cap_note="paths: memory and time, ~2 s at 600 months"),
           Arg("seed", "Random seed; fixed by default so recalculation gives the same number", kind="int",
               optional=True, default=20071214),
           Arg("base_cpr", "CPR with no refinancing incentive after the 30-month ramp (intercept of a fitted "
               "regression of CPR on the incentive); default 0.06", kind="number", optional=True, default=0.06),
           Arg("refi_slope", "CPR added per unit of incentive (wac - mortgage rate), e.g. 5 = +5% CPR per 1% "
               "(slope of a fitted regression)", kind="number", optional=True, default=5.0),
           Arg("cpr_cap", "Highest CPR the model gives; default 0.6", kind="number", optional=True, default=0.6),
           Arg("mortgage_spread", "Current mortgage rate minus the short rate; default wac minus today's short "
               "rate (no incentive today)", kind="number", optional=True, default=None),
           _DELAY, _SETTLE,
           Arg("prepay", "Optional CPR (a number or a column by month, extended with its last value) replacing "
               "the refinancing model, e.g. MBS_PREDICT output; then flows do not depend on the path",
               kind="number_or_vector", optional=True, default=None),
           Arg("prepay_type", "How prepay is given: \"CPR\" (default), \"SMM\" or \"PSA\" (a speed, e.g. 150)",
               kind="text", optional=True, default="CPR"),
           _CURVE_COMP,
           Arg("bump", "Parallel curve shift for effective duration and convexity, decimal; default 0.0025",
               kind="number", optional=True, default=0.0025)],
     returns="table")
def MBS_OAS(price, wac, wam, curve_terms, curve_rates, servicing=0, age=0, sigma=0.01, mean_reversion=0.1,
            paths=1000, seed=20071214, base_cpr=0.06, refi_slope=5.0, cpr_cap=0.6, mortgage_spread=None,
            delay_days=0, settle_days=0, prepay=None, prepay_type="CPR", compounding="continuous", bump=0.0025):
    return mbsxl.oas(price, wac, wam, curve_terms, curve_rates, servicing=servicing, age=age, sigma=sigma,
                     mean_reversion=mean_reversion, paths=paths, seed=seed, base_cpr=base_cpr,
                     refi_slope=refi_slope, cpr_cap=cpr_cap, mortgage_spread=mortgage_spread,
                     delay_days=delay_days, settle_days=settle_days, prepay=prepay, prepay_type=prepay_type,
                     compounding=compounding,
                     bump=bump).table()
