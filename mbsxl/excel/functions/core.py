"""Worksheet functions over the analytics core: rate conversions (MBS_SMM, MBS_CPR, MBS_MDR, MBS_CDR),
prepayment and default curves (MBS_PSA, MBS_SDA), projections (MBS_CASHFLOWS, MBS_LOANCASHFLOWS) and
MBS_VERSION.  Wrappers only: the conventions are stated in :mod:`mbsxl.pool.conventions` and
:mod:`mbsxl.pool.projection`; cell conversion is in :mod:`mbsxl.excel.convert`.
"""
from __future__ import annotations

import mbsxl
from mbsxl.excel import convert
from mbsxl._validate import MAX_LOAN_MONTHS, MAX_LOANS, MAX_MONTHS
from mbsxl.excel.functions.loanrates import (INCENTIVE_ARGS, REPRICING_2024_ARGS, REPRICING_ARGS, repricing_2024_kwargs,
                                             repricing_kwargs)
from mbsxl.excel.registry import Arg, Budget, udf

_TERM_NOTE = "months: 50 years, above any mortgage term"
_LOANS_NOTE = "loans: above an Excel column of 1,048,576 rows"

_BEG = Arg("beginning_balance", "Optional: the period's beginning balance (期初本金余额) from the trustee "
           "report; give it with scheduled_principal for the actual rate", kind="array", optional=True)
_SCHED = Arg("scheduled_principal", "Optional: the period's scheduled principal (正常还款本金); the rate is "
             "prepayment / (beginning_balance - scheduled_principal)", kind="array", optional=True)
_CONV = Arg("convention", "Optional convention (早偿率口径): type2_monthly (default), type1_monthly (prepayment / "
            "beginning_balance, no scheduled principal needed), type2_days / type1_days (annualise by days: "
            "1-(1-SMM)^(365/days))", kind="text", optional=True, default=None)
_DAYS = Arg("days", "Optional: the days of the period, with a days convention (e.g. 31)", kind="array",
            optional=True, default=None)


@udf("MBS_SMM", "Single monthly mortality (SMM, 单月提前还款率) from an annual CPR, 1-(1-CPR)^(1/12); with "
     "three arguments, the actual SMM from trustee-report columns. Elementwise over a range",
     args=[Arg("cpr", "CPR as a decimal (25% or 0.25), a cell or a range; with three arguments, the "
               "period's prepayment amount (提前还款金额) instead", kind="array"), _BEG, _SCHED, _CONV, _DAYS],
     returns="array")
def MBS_SMM(cpr, beginning_balance=None, scheduled_principal=None, convention=None, days=None):
    return mbsxl.smm(cpr, beginning_balance, scheduled_principal, convention, days)


@udf("MBS_CPR", "Conditional prepayment rate (CPR, 年化提前还款率) from an SMM, 1-(1-SMM)^12; with three "
     "arguments, the actual CPR from trustee-report columns. Elementwise over a range",
     args=[Arg("smm", "SMM as a decimal (0.5% or 0.005), a cell or a range; with three arguments, the "
               "period's prepayment amount (提前还款金额) instead", kind="array"), _BEG, _SCHED, _CONV, _DAYS],
     returns="array")
def MBS_CPR(smm, beginning_balance=None, scheduled_principal=None, convention=None, days=None):
    return mbsxl.cpr(smm, beginning_balance, scheduled_principal, convention, days)


@udf("MBS_MDR", "Monthly default rate (MDR, 月违约率) from an annual CDR, 1-(1-CDR)^(1/12). Elementwise "
     "over a range",
     args=[Arg("cdr", "CDR as a decimal (0.6% or 0.006), a cell or a range", kind="array")],
     returns="array")
def MBS_MDR(cdr):
    return mbsxl.mdr(cdr)


@udf("MBS_CDR", "Constant default rate (CDR, 年化违约率) from a monthly MDR, 1-(1-MDR)^12. Elementwise over "
     "a range",
     args=[Arg("mdr", "MDR as a decimal (0.05% or 0.0005), a cell or a range", kind="array")],
     returns="array")
def MBS_CDR(mdr):
    return mbsxl.cdr(mdr)


@udf("MBS_PSA", "CPR on the PSA prepayment ramp (PSA 提前还款基准) at a loan age: speed/100 x 0.2% x "
     "min(month, 30). Elementwise over a range of ages",
     args=[Arg("age", "Loan age as the month number (1 = first month; 30 and above = the 6% plateau at "
               "100 PSA), a cell or a range", kind="array"),
           Arg("speed", "PSA speed in percent of the benchmark (150 = 150% PSA); default 100. A speed between 0 "
               "and 5 is refused: \"150%\" or a 150%-formatted cell is 1.5, type 150", kind="array",
               optional=True, default=100)],
     returns="array")
def MBS_PSA(age, speed=100):
    return mbsxl.psa(age, speed)


@udf("MBS_SDA", "CDR on the SDA default curve (SDA 违约基准) at a loan age: 100% SDA rises 0.02% a month to "
     "0.60% at month 30, holds to 60, falls to 0.03% at 120. Elementwise",
     args=[Arg("age", "Loan age as the month number, a cell or a range", kind="array"),
           Arg("speed", "SDA speed in percent of the benchmark (200 = 200% SDA); default 100. A speed between 0 "
               "and 5 is refused (a percent written as a fraction): type 200", kind="array",
               optional=True, default=100)],
     returns="array")
def MBS_SDA(age, speed=100):
    return mbsxl.sda(age, speed)


_PREPAY = Arg("prepay", "Prepayment assumption: a number, or a column with one value a month (the last "
              "holds); read as prepay_type says; default 0", kind="number_or_vector", optional=True, default=0)
_PREPAY_TYPE = Arg("prepay_type", "\"CPR\" (annual, default), \"SMM\" (monthly) or \"PSA\" (a speed: 150 = "
                   "150% PSA)", kind="text", optional=True, default="CPR")
_DEFAULT = Arg("default", "Default assumption: a number, or a column with one value a month; read as "
               "default_type says; default 0", kind="number_or_vector", optional=True, default=0)
_DEFAULT_TYPE = Arg("default_type", "\"CDR\" (annual, default), \"MDR\" (monthly) or \"SDA\" (a speed)",
                    kind="text", optional=True, default="CDR")
_SEVERITY = Arg("severity", "Loss severity as a fraction of the defaulted balance (40% or 0.4); default 0",
                kind="number", optional=True, default=0)
_LAG = Arg("recovery_lag", "Months from default to liquidation (recovery); default 0; with defaults, below the "
           "term (no default in a loan's last recovery_lag months, SF-19)", kind="int", optional=True, default=0)
_SERVICING = Arg("servicing", "Annual servicing fee rate (服务费率) as a decimal, deducted from gross "
                 "interest; at most the loan rate; default 0", kind="number", optional=True, default=0)
_ADVANCE = Arg("advance", "TRUE (default): the servicer advances principal and interest on defaulted loans "
               "until liquidation; FALSE: they stop at default", kind="bool", optional=True, default=True)


@udf("MBS_CASHFLOWS", "Monthly cash flows (现金流) of a pool as one representative loan: a table with a "
     "header row (Period, balances, interest, principal, prepayment, default, loss, cash flow, SMM, MDR)",
     args=[Arg("balance", "Current pool balance (资产池本金余额), > 0", kind="number"),
           Arg("wac", "Gross weighted-average coupon (加权平均利率), annual decimal (7.83% or 0.0783); "
               "paid monthly at wac/12", kind="number"),
           Arg("wam", "Weighted-average remaining term in months (加权平均剩余期限), a whole number, at most 600 "
               "(50 years)", kind="int", max=MAX_MONTHS, cap_note=_TERM_NOTE),
           _PREPAY, _PREPAY_TYPE, _DEFAULT, _DEFAULT_TYPE, _SEVERITY, _LAG, _SERVICING,
           Arg("age", "Pool age in months at the start (账龄), for the PSA and SDA curves; default 0; at most 600",
               kind="int", optional=True, default=0, max=MAX_MONTHS, cap_note=_TERM_NOTE),
           _ADVANCE,
           Arg("amortization", "\"level_payment\" (等额本息, default) or \"level_principal\" (等额本金)",
               kind="text", optional=True, default="level_payment")],
     returns="table")
def MBS_CASHFLOWS(balance, wac, wam, prepay=0, prepay_type="CPR", default=0, default_type="CDR", severity=0,
                  recovery_lag=0, servicing=0, age=0, advance=True, amortization="level_payment"):
    return mbsxl.cashflows(balance, wac, wam, prepay=prepay, prepay_type=prepay_type, default=default,
                           default_type=default_type, severity=severity, recovery_lag=recovery_lag,
                           servicing=servicing, age=age, advance=advance, amortization=amortization)


@udf("MBS_LOANCASHFLOWS", "Pool cash flows (现金流) projected loan by loan from a loan tape (借款明细): each "
     "loan on its own rate (fixed, benchmark or LPR repricing), term, age and amortization; MBS_CASHFLOWS' columns",
     args=[Arg("balances", "Current principal balance of each loan (本金余额), a tape column; at most 2,000,000 loans "
               "and 600,000,000 loans x months", kind="vector", max_len=MAX_LOANS, cap_note=_LOANS_NOTE),
           Arg("rates", "Each loan's annual interest rate as a decimal (6.6555% or 0.066555), a column, or "
               "one rate for all", kind="vector"),
           Arg("remaining_terms", "Each loan's remaining term in months (剩余期限), a column, or one for all; at "
               "most 600 (50 years)", kind="vector", max=MAX_MONTHS, cap_note=_TERM_NOTE),
           _PREPAY, _PREPAY_TYPE, _DEFAULT, _DEFAULT_TYPE, _SEVERITY, _LAG, _SERVICING,
           Arg("ages", "Optional: each loan's age in months (账龄), for PSA/SDA; default 0; at most 600", kind="vector",
               optional=True, default=None, max=MAX_MONTHS, cap_note=_TERM_NOTE),
           _ADVANCE,
           Arg("amortization", "Optional: \"level_payment\" (等额本息, default) or \"level_principal\" "
               "(等额本金) for all, or a column with one a loan (text, or 1 = level principal)",
               kind="matrix", optional=True, default=None),
           Arg("benchmark", "Optional floating rates: two columns, effective date and PBoC benchmark rate; "
               "each loan reprices every 1 January to benchmark x multiplier + margin", kind="matrix",
               optional=True, default=None),
           Arg("start_date", "With benchmark, repricing or the incentive: the date of the first projection month "
               "(e.g. 2007-11-01)",
               kind="date", optional=True, default=None),
           Arg("multipliers", "With benchmark: each loan's multiple of the benchmark (0.85 = 15% discount), "
               "a column or one for all", kind="vector", optional=True, default=None),
           Arg("margins", "With benchmark: each loan's margin over benchmark x multiplier, decimal, a column "
               "or one for all; default 0", kind="vector", optional=True, default=None),
           *REPRICING_ARGS, *INCENTIVE_ARGS, *REPRICING_2024_ARGS],
     returns="table",
     limits=[Budget("loan-months", (("balances", "count"), ("remaining_terms", "max")), MAX_LOAN_MONTHS,
                    "about 6 s of the compiled engine; a full Excel column of loans x 360 months fits")])
def MBS_LOANCASHFLOWS(balances, rates, remaining_terms, prepay=0, prepay_type="CPR", default=0,
                      default_type="CDR", severity=0, recovery_lag=0, servicing=0, ages=None, advance=True,
                      amortization=None, benchmark=None, start_date=None, multipliers=None, margins=None,
                      rate_type=None, spreads=None, reset=None, anniversaries=None, conversion=False,
                      fixed_choice=None, events=None, first_home=None, origination_floors=None, index_dates=None,
                      index_rates=None, incentive_slope=0.0, incentive_cap=1.0, new_loan_spread=0.0,
                      current_floors=None, origination_dates=None, repricing_periods=None, repricing_period_dates=None,
                      average_spread_dates=None, average_spreads=None, renegotiation_tolerance=0.003):
    if amortization is not None:
        cells = [c for c in amortization.ravel()]
        amortization = cells[0] if len(cells) == 1 else cells
    if benchmark is not None:
        benchmark = convert.date_rate_rows("benchmark", benchmark)
    return mbsxl.loan_cashflows(balances, rates, remaining_terms, prepay=prepay, prepay_type=prepay_type,
                                default=default, default_type=default_type, severity=severity,
                                recovery_lag=recovery_lag, servicing=servicing, ages=ages, advance=advance,
                                amortization=amortization, benchmark=benchmark, start_date=start_date,
                                multipliers=multipliers, margins=margins, incentive_slope=incentive_slope,
                                incentive_cap=incentive_cap, new_loan_spread=new_loan_spread,
                                **repricing_kwargs(rate_type, spreads, reset, anniversaries, conversion, fixed_choice,
                                                   events, first_home, origination_floors, index_dates, index_rates),
                                **repricing_2024_kwargs(current_floors, origination_dates, repricing_periods,
                                                        repricing_period_dates, average_spread_dates, average_spreads,
                                                        renegotiation_tolerance))


@udf("MBS_VERSION", "Version of the mbsxl package behind the MBS_ functions (版本)", args=[], returns="scalar")
def MBS_VERSION():
    return mbsxl.__version__


@udf("MBS_ERROR", "The one-line reason (错误原因) of the most recent MBS_ error, or of the error in the given "
     "cell; empty when there is none. Volatile: recalculates with the sheet",
     args=[Arg("cell", "Optional: the cell showing the error (in Excel the reason recorded for that cell); "
               "default the most recent error", kind="any", optional=True, default=None)],
     returns="scalar", volatile=True)
def MBS_ERROR(cell=None):
    from mbsxl.excel import errors
    return errors.mbs_error(cell)
