"""Every table's headers and statistic labels, named once.

The core builds its DataFrames with these names, the Excel layer spills them as header rows and the
templates place and find columns by them (a column's position is always ``LIST.index(NAME)``, never a
number written by hand).  The labels are the Excel headers: changing one changes the workbooks.

- cash flows of a pool or loans (``mbsxl.cashflows``, ``MBS_CASHFLOWS``): :data:`CASHFLOW_COLUMNS`;
- the waterfall (``mbsxl.tranches`` / ``tranche_stats``): :data:`TRANCHE_COLUMNS`, :data:`STATS_COLUMNS`;
  it reads the pool table's :data:`TOTAL_PRINCIPAL`, :data:`NET_INTEREST`, :data:`LOSS` and
  :data:`BEGINNING_BALANCE` columns by name;
- the trustee-report series of Jianyuan 2007-1: :data:`TRUSTEE_COLUMNS`;
- stratification and pool summary (bilingual, "中文 English"): :data:`STRAT_COLUMNS`,
  :data:`SUMMARY_COLUMNS` and the ``S_*`` statistics;
- regressions: :data:`COEF_COLUMNS`, :data:`LOGIT_COLUMNS`, :data:`OLS_STATS`, :data:`LOGIT_STATS`,
  :data:`PREDICT_COLUMNS`, Chinese labels :data:`REGRESSION_LABELS_ZH`.

Both statistic tables (pool summary, regression) have a label column named :data:`STATISTIC` and a
value column named :data:`VALUE` (the pool summary prefixes the Chinese word).
"""
from __future__ import annotations


def position(columns: list[str], name: str) -> int:
    """The 1-based position of header ``name`` in ``columns`` (for ``INDEX(table, row, position)``)."""
    return columns.index(name) + 1


# ------------------------------------------------------------------------------ shared names
PERIOD = "Period"
BEGINNING_BALANCE = "Beginning Balance"
LOSS = "Loss"
TOTAL_PRINCIPAL = "Total Principal"
CASH_FLOW = "Cash Flow"
ENDING_BALANCE = "Ending Balance"
STATISTIC = "Statistic"
VALUE = "Value"

# ------------------------------------------------------------------------------ cash flows
SCHEDULED_PAYMENT = "Scheduled Payment"
GROSS_INTEREST = "Gross Interest"
SERVICING_FEE = "Servicing Fee"
NET_INTEREST = "Net Interest"
SCHEDULED_PRINCIPAL = "Scheduled Principal"
PREPAYMENT = "Prepayment"
DEFAULT = "Default"
RECOVERY = "Recovery"
SMM = "SMM"
MDR = "MDR"
CASHFLOW_COLUMNS = [
    PERIOD, BEGINNING_BALANCE, SCHEDULED_PAYMENT, GROSS_INTEREST, SERVICING_FEE, NET_INTEREST,
    SCHEDULED_PRINCIPAL, PREPAYMENT, DEFAULT, LOSS, RECOVERY, TOTAL_PRINCIPAL, CASH_FLOW, ENDING_BALANCE,
    SMM, MDR,
]

# ------------------------------------------------------------------------------ waterfall
CLASS = "Class"
COUPON = "Coupon"
INTEREST_DUE = "Interest Due"
INTEREST_PAID = "Interest Paid"
SHORTFALL = "Shortfall"
PRINCIPAL = "Principal"
TRANCHE_COLUMNS = [PERIOD, CLASS, BEGINNING_BALANCE, COUPON, INTEREST_DUE, INTEREST_PAID, SHORTFALL,
                   PRINCIPAL, LOSS, ENDING_BALANCE, CASH_FLOW]

ORIGINAL_BALANCE = "Original Balance"
WAL = "WAL"
FIRST_PRINCIPAL = "First Principal Month"
LAST_PRINCIPAL = "Last Principal Month"
FINAL_MONTH = "Final Month"
TOTAL_INTEREST = "Total Interest"
TOTAL_LOSS = "Total Loss"
STATS_COLUMNS = [CLASS, ORIGINAL_BALANCE, WAL, FIRST_PRINCIPAL, LAST_PRINCIPAL, FINAL_MONTH, TOTAL_INTEREST,
                 TOTAL_PRINCIPAL, TOTAL_LOSS]

# ------------------------------------------------------------------------------ trustee reports
TRUSTEE_PERIOD = "收款期间 Collection period"
TRUSTEE_BEGINNING = "期初本金余额 Beginning balance"
TRUSTEE_SCHEDULED = "计划偿还本金 Scheduled principal"
TRUSTEE_PREPAYMENT = "提前还款额 Prepayment"
TRUSTEE_ENDING = "期末本金余额 Ending balance"
TRUSTEE_PUBLISHED_CPR = "公布CPR Published CPR"
TRUSTEE_COLUMNS = [TRUSTEE_PERIOD, TRUSTEE_BEGINNING, TRUSTEE_SCHEDULED, TRUSTEE_PREPAYMENT, TRUSTEE_ENDING,
                   TRUSTEE_PUBLISHED_CPR]

# ------------------------------------------------------------------------------ stratification
BUCKET = "分档 Bucket"
COUNT = "笔数 Count"
COUNT_SHARE = "笔数占比 % of count"
BALANCE = "本金余额 Balance"
BALANCE_SHARE = "余额占比 % of balance"
AVERAGE_BALANCE = "平均余额 Average balance"
STRAT_COLUMNS = [BUCKET, COUNT, COUNT_SHARE, BALANCE, BALANCE_SHARE, AVERAGE_BALANCE]
TOTAL = "合计 Total"

POOL_STATISTIC = f"项目 {STATISTIC}"
POOL_VALUE = f"数值 {VALUE}"
SUMMARY_COLUMNS = [POOL_STATISTIC, POOL_VALUE]
S_LOANS = "贷款笔数 Number of loans"
S_BALANCE = "本金余额总额 Total balance"
S_AVERAGE = "单笔平均本金余额 Average balance"
S_AVERAGE_SHARE = "平均余额占比 Average balance / total"
S_LARGEST = "单笔最高本金余额 Largest balance"
S_LARGEST_SHARE = "最高余额占比 Largest balance / total"
S_ORIGINAL = "合同金额总额 Total original (contract) amount"
S_ORIGINAL_AVERAGE = "单笔平均合同金额 Average original amount"
S_ORIGINAL_LARGEST = "单笔最高合同金额 Largest original amount"
S_WA_RATE = "加权平均利率 WA interest rate"
S_WA_REMAINING = "加权平均剩余期限(月) WA remaining term (months)"
S_WA_SEASONING = "加权平均账龄(月) WA seasoning (months)"
S_WA_AGE = "加权平均借款人年龄 WA borrower age"

# ------------------------------------------------------------------------------ regressions
TERM = "Term"
COEFFICIENT = "Coefficient"
STD_ERROR = "Std Error"
T_STAT = "t"
Z_STAT = "z"
P_VALUE = "P-value"
CI_LOW = "95% Low"
CI_HIGH = "95% High"
VIF = "VIF"
COEF_COLUMNS = [TERM, COEFFICIENT, STD_ERROR, T_STAT, P_VALUE, CI_LOW, CI_HIGH, VIF]
LOGIT_COLUMNS = [TERM, COEFFICIENT, STD_ERROR, Z_STAT, P_VALUE, CI_LOW, CI_HIGH, VIF]
CONSTANT_NAME = "Constant"

OBS_USED = "Observations used"
ROWS_DROPPED = "Rows dropped (empty cell)"
DF_RESID = "Residual degrees of freedom"
DF_MODEL = "Model degrees of freedom"
R2 = "R²"
ADJ_R2 = "Adjusted R²"
F_STAT = "F statistic"
F_PVALUE = "F p-value"
DURBIN_WATSON = "Durbin-Watson"
LOG_LIKELIHOOD = "Log-likelihood"
AIC = "AIC"
BIC = "BIC"
RESID_SE = "Residual standard error"
CONDITION_NUMBER = "Condition number"
COVARIANCE = "Covariance"
PSEUDO_R2 = "Pseudo R² (McFadden)"
LL_NULL = "Null log-likelihood"
LR_CHI2 = "LR chi²"
LR_PVALUE = "LR p-value"
ITERATIONS = "Iterations"
OLS_STATS = [OBS_USED, ROWS_DROPPED, DF_RESID, DF_MODEL, R2, ADJ_R2, F_STAT, F_PVALUE, DURBIN_WATSON,
             LOG_LIKELIHOOD, AIC, BIC, RESID_SE, CONDITION_NUMBER, COVARIANCE]
LOGIT_STATS = [OBS_USED, ROWS_DROPPED, DF_RESID, DF_MODEL, PSEUDO_R2, LOG_LIKELIHOOD, LL_NULL, LR_CHI2,
               LR_PVALUE, AIC, BIC, CONDITION_NUMBER, ITERATIONS]

#: Chinese labels of the regression tables, for the bilingual templates.
REGRESSION_LABELS_ZH = {
    TERM: "变量", COEFFICIENT: "系数", STD_ERROR: "标准误", P_VALUE: "P值", VIF: "方差膨胀因子",
    CONSTANT_NAME: "常数项", OBS_USED: "使用的观测数", ROWS_DROPPED: "剔除的行(含空单元格)",
    DF_RESID: "残差自由度", DF_MODEL: "模型自由度", R2: "拟合优度", ADJ_R2: "调整后拟合优度",
    F_STAT: "F统计量", F_PVALUE: "F检验P值", DURBIN_WATSON: "DW统计量", LOG_LIKELIHOOD: "对数似然",
    RESID_SE: "残差标准误", CONDITION_NUMBER: "条件数", COVARIANCE: "协方差估计",
    PSEUDO_R2: "伪拟合优度", LL_NULL: "零模型对数似然", LR_CHI2: "似然比卡方", LR_PVALUE: "似然比P值",
}

FITTED = "Fitted"
MEAN_SE = "Std Error of Mean"
MEAN_LOW = "Mean Low"
MEAN_HIGH = "Mean High"
PRED_LOW = "Prediction Low"
PRED_HIGH = "Prediction High"
PREDICT_COLUMNS = [FITTED, MEAN_SE, MEAN_LOW, MEAN_HIGH, PRED_LOW, PRED_HIGH]

MEASURE = "Measure"
OAS_COLUMNS = [MEASURE, VALUE]
OAS = "OAS"
PRICE_STD_ERROR = "Price std error"
EFFECTIVE_DURATION = "Effective duration"
EFFECTIVE_CONVEXITY = "Effective convexity"
PATHS = "Paths"
MODEL_PRICE = "Model price"
ZSPREAD_ZERO_VOL = "Z-spread (zero vol)"
OAS_ROWS = [OAS, PRICE_STD_ERROR, EFFECTIVE_DURATION, EFFECTIVE_CONVEXITY, PATHS, MODEL_PRICE, ZSPREAD_ZERO_VOL]

# ------------------------------------------------------------------------------ trustee-report history (issue 14)
# The per-period layout of a trustee report (受托机构报告), one row a collection period; read by
# mbsxl.history / mbsxl.backtest (MBS_HISTORY / MBS_BACKTEST), which find each column by its header
# (the full label, its Chinese part or its English part; mbsxl.surveillance.report_table).  Period, beginning balance,
# scheduled principal, prepayment and ending balance are required; the others may be left out.
TRUSTEE_DEFAULTS = "违约金额 Defaults"
TRUSTEE_RECOVERIES = "回收金额 Recoveries"
TRUSTEE_DQ_1_30 = "拖欠1-30天 Delinquent 1-30 days"
TRUSTEE_DQ_31_60 = "拖欠31-60天 Delinquent 31-60 days"
TRUSTEE_DQ_61_90 = "拖欠61-90天 Delinquent 61-90 days"
TRUSTEE_DQ_90 = "拖欠90天以上 Delinquent 90+ days"
# issue 18: defaults under a days-past-due definition (flows: the principal of the loans that *became* 90+ /
# 180+ days past due in the period; read by default_definition "90+" / "180+"; not part of the balance roll)
TRUSTEE_DEFAULTS_90 = "新增90天以上违约 New defaults 90+ days"
TRUSTEE_DEFAULTS_180 = "新增180天以上违约 New defaults 180+ days"
HISTORY_REQUIRED = [TRUSTEE_PERIOD, TRUSTEE_BEGINNING, TRUSTEE_SCHEDULED, TRUSTEE_PREPAYMENT, TRUSTEE_ENDING]
HISTORY_OPTIONAL = [TRUSTEE_DEFAULTS, TRUSTEE_RECOVERIES, TRUSTEE_DQ_1_30, TRUSTEE_DQ_31_60, TRUSTEE_DQ_61_90,
                    TRUSTEE_DQ_90, TRUSTEE_DEFAULTS_90, TRUSTEE_DEFAULTS_180]
HISTORY_LAYOUT = [TRUSTEE_PERIOD, TRUSTEE_BEGINNING, TRUSTEE_SCHEDULED, TRUSTEE_PREPAYMENT, TRUSTEE_DEFAULTS,
                  TRUSTEE_RECOVERIES, TRUSTEE_ENDING, TRUSTEE_DQ_1_30, TRUSTEE_DQ_31_60, TRUSTEE_DQ_61_90,
                  TRUSTEE_DQ_90, TRUSTEE_DEFAULTS_90, TRUSTEE_DEFAULTS_180]

# MBS_HISTORY's table (mbsxl.history)
H_SMM = "单月提前还款率 SMM"
H_CPR = "年化提前还款率 CPR"
H_MDR = "单月违约率 MDR"
H_CDR = "年化违约率 CDR"
H_CUM_DEFAULT = "累计违约率 Cumulative default rate"
H_DQ90_RATIO = "严重拖欠率 90+ delinquency ratio"
H_SEVERITY = "违约损失率 Loss severity"
H_CUM_SEVERITY = "累计违约损失率 Cumulative loss severity"
# issue 18: delinquency ratios by bucket (the 90+ bucket is H_DQ90_RATIO), named by days past due because the
# M1/M2/M3 labels of the market indices are not used alike (mbsxl.options.DELINQUENCY_BUCKETS), and the
# prepayment measured against the cut-off (initial) balance
H_DQ_1_30_RATIO = "拖欠率1-30天 1-30 days delinquency ratio"
H_DQ_31_60_RATIO = "拖欠率31-60天 31-60 days delinquency ratio"
H_DQ_61_90_RATIO = "拖欠率61-90天 61-90 days delinquency ratio"
H_CUM_PREPAY = "累计早偿率 Cumulative prepayment rate"
H_UNCOND_CPR = "无条件年化早偿率 Unconditional annualised prepayment rate"
HISTORY_COLUMNS = [TRUSTEE_PERIOD, H_SMM, H_CPR, H_MDR, H_CDR, H_CUM_DEFAULT, H_DQ90_RATIO, H_SEVERITY,
                   H_CUM_SEVERITY, H_DQ_1_30_RATIO, H_DQ_31_60_RATIO, H_DQ_61_90_RATIO, H_CUM_PREPAY, H_UNCOND_CPR]

# MBS_BACKTEST's table (mbsxl.backtest): projected against realised, period by period
B_BEGINNING_PROJ = "预测期初余额 Projected beginning balance"
B_BEGINNING_REAL = "实际期初余额 Realised beginning balance"
B_SCHEDULED_PROJ = "预测计划本金 Projected scheduled principal"
B_SCHEDULED_REAL = "实际计划本金 Realised scheduled principal"
B_PREPAYMENT_PROJ = "预测提前还款 Projected prepayment"
B_PREPAYMENT_REAL = "实际提前还款 Realised prepayment"
B_PREPAYMENT_DIFF = "提前还款差异 Prepayment difference"
B_DEFAULTS_PROJ = "预测违约 Projected defaults"
B_DEFAULTS_REAL = "实际违约 Realised defaults"
B_ENDING_PROJ = "预测期末余额 Projected ending balance"
B_ENDING_REAL = "实际期末余额 Realised ending balance"
B_BALANCE_DIFF = "余额差异 Balance difference"
B_CPR_PROJ = "预测CPR Projected CPR"
B_CPR_REAL = "实际CPR Realised CPR"
B_CPR_DIFF = "CPR差异 CPR difference"
BACKTEST_COLUMNS = [TRUSTEE_PERIOD, B_BEGINNING_PROJ, B_BEGINNING_REAL, B_SCHEDULED_PROJ, B_SCHEDULED_REAL,
                    B_PREPAYMENT_PROJ, B_PREPAYMENT_REAL, B_PREPAYMENT_DIFF, B_DEFAULTS_PROJ, B_DEFAULTS_REAL,
                    B_ENDING_PROJ, B_ENDING_REAL, B_BALANCE_DIFF, B_CPR_PROJ, B_CPR_REAL, B_CPR_DIFF]
# ------------------------------------------------------------------------------ LPR scenario table
# (issue 13, mbsxl.lpr_scenario / MBS_LPRSCENARIO): an index table ready for index_dates / index_rates
SCENARIO_DATE = "生效日 Effective Date"
SCENARIO_RATE = "利率 Rate"
SCENARIO_SOURCE = "来源 Source"
SCENARIO_COLUMNS = [SCENARIO_DATE, SCENARIO_RATE, SCENARIO_SOURCE]
SOURCE_FIXING = "LPR fixing"          # a published fixing (data/lpr.csv)
SOURCE_SCENARIO = "scenario"          # a future fixing of the scenario (an assumption)

# =============================================================================== issue 13: loan repricing
#: MBS_LOANRATES / mbsxl.loan_rates: one row per loan and projection month.
LOAN = "Loan"
DATE = "Date"
INDEX = "Index"
SPREAD = "Spread"
RATE = "Rate"
LOAN_BALANCE = "Balance"
PAYMENT = "Payment"
EVENT = "Event"
LOAN_RATES_COLUMNS = [LOAN, PERIOD, DATE, INDEX, SPREAD, RATE, LOAN_BALANCE, PAYMENT, EVENT]
#: Event labels in the Event column (several in one month are joined with "; ").
EVENT_RESET = "reset"
EVENT_BENCHMARK_RESET = "benchmark reset"
EVENT_CONVERSION = "conversion"
EVENT_FIXED_CHOICE = "fixed choice"
EVENT_FLOOR = "floor"
EVENT_CAP = "cap"
EVENT_RENEGOTIATION = "renegotiation"     # the 2024-11-01 spread renegotiation (issue 18)
#: mbsxl.policy_events(): the shipped policy-event table.
EFFECTIVE_DATE = "Effective Date"
RULE = "Rule"
COVERS = "Covers"
NOTE = "Note"
FLOOR = "Floor"                            # which floor an event reads: origination / current / none
POLICY_EVENT_COLUMNS = [EFFECTIVE_DATE, RULE, VALUE, COVERS, FLOOR, NOTE]
#: mbsxl.mortgage_floors(): national floors of new mortgages by origination date (issue 18).
FROM_DATE = "From Date"
FIRST_HOME_FLOOR = "First Home Floor"
SECOND_HOME_FLOOR = "Second Home Floor"
SOURCE = "Source"
MORTGAGE_FLOOR_COLUMNS = [FROM_DATE, FIRST_HOME_FLOOR, SECOND_HOME_FLOOR, SOURCE]
# ------------------------------------------------------------------------------ waterfall, pool periods (issue 14)
#: ``MBS_TRANCHES(..., view="pool")`` / ``mbsxl.tranches(view="pool")``: one row a period, the deal-level
#: accounts of the waterfall (taxes, fees, excess spread, triggers, reserve, cash moved between accounts).
POOL_BALANCE = "Pool Balance"
INTEREST_COLLECTIONS = "Interest Collections"
VAT = "VAT"
FEES_DUE = "Fees Due"
FEES_PAID = "Fees Paid"
INTEREST_DUE_EX_RESIDUAL = "Interest Due ex Residual"
EXCESS_SPREAD = "Excess Spread"
EXCESS_SPREAD_RATE = "Excess Spread Rate"
CUMULATIVE_DEFAULT_RATE = "Cumulative Default Rate"
DELINQUENCY_90 = "90+ Delinquency"
TRIGGERS_TRIPPED = "Triggers Tripped"
SEQUENTIAL_TRIGGERED = "Sequential Triggered"
SUBORDINATE_STOPPED = "Subordinate Interest Stopped"
RELEASE_BLOCKED = "Reserve Release Blocked"
RESERVE_TARGET = "Reserve Target"
RESERVE_DRAW = "Reserve Draw"
RESERVE_BALANCE = "Reserve Balance"
PRINCIPAL_COLLECTIONS = "Principal Collections"
PRINCIPAL_TO_INTEREST = "Principal to Interest"
INTEREST_TO_PRINCIPAL = "Interest to Principal"
RELEASED = "Released"
POOL_PERIOD_COLUMNS = [PERIOD, POOL_BALANCE, INTEREST_COLLECTIONS, VAT, FEES_DUE, FEES_PAID,
                       INTEREST_DUE_EX_RESIDUAL, EXCESS_SPREAD, EXCESS_SPREAD_RATE, CUMULATIVE_DEFAULT_RATE,
                       DELINQUENCY_90, TRIGGERS_TRIPPED, SEQUENTIAL_TRIGGERED, SUBORDINATE_STOPPED, RELEASE_BLOCKED,
                       RESERVE_TARGET, RESERVE_DRAW, RESERVE_BALANCE, PRINCIPAL_COLLECTIONS, PRINCIPAL_TO_INTEREST,
                       INTEREST_TO_PRINCIPAL, RELEASED]

# ============================================================================== issue 14: scenario analytics
# MBS_GRID long table (mbsxl.deal.scenario.grid); WAL and LOSS are the shared names above
CPR = "CPR"
CDR = "CDR"
SEVERITY = "Severity"
YIELD = "Yield"
LOSS_PCT = "Loss %"
FIRST_LOSS_PERIOD = "First Loss Period"
GRID_COLUMNS = [CPR, CDR, SEVERITY, WAL, YIELD, LOSS, LOSS_PCT, FIRST_LOSS_PERIOD]
#: the corner cell of MBS_GRID's matrix form (rows CPR, columns CDR)
GRID_CORNER = "CPR \\ CDR"
#: one measure of the matrix form a metric (mbsxl.options.GRID_METRICS)
GRID_METRIC_COLUMN = {"wal": WAL, "yield": YIELD, "loss": LOSS, "loss_pct": LOSS_PCT,
                      "first_loss": FIRST_LOSS_PERIOD}

# MBS_BREAKEVEN Measure/Value table (mbsxl.deal.breakeven.breakeven); MEASURE, VALUE as MBS_OAS
LOSS_BREAKEVEN_CDR = "Principal loss breakeven CDR"
YIELD_BREAKEVEN_CDR = "Yield breakeven CDR"
YIELD_THRESHOLD = "Yield threshold"
CDR_TOLERANCE = "CDR tolerance"
WATERFALLS_RUN = "Waterfalls run"
BREAKEVEN_ROWS = [LOSS_BREAKEVEN_CDR, YIELD_BREAKEVEN_CDR, YIELD_THRESHOLD, CDR_TOLERANCE, WATERFALLS_RUN]

# MBS_KRD table (mbsxl.pricing.keyrate.krd): one row a key tenor, then the sum and the parallel-shift duration
KEY_TENOR = "Key Tenor"
KEY_RATE_DURATION = "Key Rate Duration"
KRD_COLUMNS = [KEY_TENOR, KEY_RATE_DURATION]
KRD_SUM = "Sum of key rate durations"
KRD_EFFECTIVE = "Effective duration (parallel shift)"

# ============================================================================== issue 18: rating-agency stress test
# MBS_RATINGSTRESS (mbsxl.deal.agency_stress): view "ratings", one row a class and rating
RATING = "Rating"
MULTIPLIER = "Multiplier"
TARGET_DEFAULT_RATE = "Target Default Rate"          # 目标评级违约比率 = base x multiplier
MIN_BREAKEVEN = "Minimum Breakeven Default Rate"     # 临界违约率: the minimum over the scenarios
WORST_SCENARIO = "Worst Scenario"
PASS = "Pass"
HIGHEST_RATING = "Highest Rating Passed"
RATING_STRESS_COLUMNS = [CLASS, RATING, MULTIPLIER, TARGET_DEFAULT_RATE, MIN_BREAKEVEN, WORST_SCENARIO, PASS,
                         HIGHEST_RATING]
# view "breakevens": one row a class and scenario
SCENARIO = "Scenario"
TIMING = "Timing"
TIMING_SHIFT = "Shift Months"
INDEX_SHIFT = "Index Shift"
POOL_RATE_SHIFT = "Pool Rate Shift"
POOL_RATE_LAG = "Pool Rate Lag"
BREAKEVEN_DEFAULT = "Breakeven Default Rate"
#: the scenario table's columns (MBS_RATINGSTRESS ``scenarios``), in order
STRESS_SCENARIO_COLUMNS = [SCENARIO, TIMING, TIMING_SHIFT, CPR, INDEX_SHIFT, POOL_RATE_SHIFT, POOL_RATE_LAG]
STRESS_BREAKEVEN_COLUMNS = [CLASS] + STRESS_SCENARIO_COLUMNS + [BREAKEVEN_DEFAULT]
# ============================================================================== issue 20: NPL recoveries
# the loan tape of a non-performing pool (mbsxl.pool.recovery; headers found by full label, Chinese or English part)
NPL_LOAN = "贷款编号 Loan"
NPL_PRINCIPAL = "未偿本金 Principal"
NPL_INTEREST = "欠息 Interest"
NPL_FEES = "费用 Fees"
NPL_COLLATERAL = "评估价值 Collateral appraisal"
NPL_HAIRCUT = "折价率 Haircut"
NPL_STAGE = "诉讼阶段 Legal stage"
NPL_MONTHS_IN_STAGE = "已处阶段月数 Months in stage"
NPL_COSTS = "处置费用 Disposal costs"
NPL_TAPE_REQUIRED = [NPL_PRINCIPAL, NPL_COLLATERAL, NPL_STAGE]
NPL_TAPE_LAYOUT = [NPL_LOAN, NPL_PRINCIPAL, NPL_INTEREST, NPL_FEES, NPL_COLLATERAL, NPL_HAIRCUT, NPL_STAGE,
                   NPL_MONTHS_IN_STAGE, NPL_COSTS]
# the stage table: months from the start of a stage to the recovery
NPL_STAGE_MONTHS = "处置月数 Months to resolution"
NPL_STAGE_NOTE = "说明 Note"
NPL_STAGE_COLUMNS = [NPL_STAGE, NPL_STAGE_MONTHS, NPL_STAGE_NOTE]
# MBS_RECOVERYLOANS: one row a loan
NPL_CLAIM = "债权金额 Claim"
NPL_NET_SALE = "折后价值 Collateral after haircut"
NPL_RESOLUTION_MONTH = "回收月 Resolution month"
NPL_GROSS = "处置回收 Gross proceeds"
NPL_NET = "净回收 Net recovery"
NPL_RECOVERY_RATE = "回收率 Recovery rate"
NPL_CAPPED = "受债权上限 Capped by claim"
NPL_LOAN_COLUMNS = [NPL_LOAN, NPL_STAGE, NPL_CLAIM, NPL_NET_SALE, NPL_COSTS, NPL_RESOLUTION_MONTH, NPL_GROSS, NPL_NET,
                    NPL_RECOVERY_RATE, NPL_CAPPED]
# MBS_RECOVERIES / MBS_RECOVERYCURVE: one row a period
NPL_PERIOD = "期次 Period"
NPL_LOANS_RESOLVED = "结清户数 Loans resolved"
NPL_CUM_GROSS = "累计回收金额 Cumulative recoveries"
NPL_CUM_RATE = "累计回收率 Cumulative recovery rate"
NPL_CUM_NET_RATE = "累计净回收率 Cumulative net recovery rate"
NPL_PERIOD_COLUMNS = [NPL_PERIOD, NPL_GROSS, NPL_COSTS, NPL_NET, NPL_LOANS_RESOLVED, NPL_CUM_GROSS, NPL_CUM_RATE,
                      NPL_CUM_NET_RATE]
NPL_CURVE_COLUMNS = [NPL_PERIOD, NPL_GROSS, NPL_CUM_GROSS, NPL_CUM_RATE]
# MBS_RECOVERYTRACK: actual against expected
NPL_ACTUAL = "实际回收 Actual recoveries"
NPL_EXPECTED = "预期回收 Expected recoveries"
NPL_AE = "实际/预期 Actual/expected"
NPL_CUM_ACTUAL = "累计实际回收 Cumulative actual"
NPL_CUM_EXPECTED = "累计预期回收 Cumulative expected"
NPL_CUM_AE = "累计实际/预期 Cumulative actual/expected"
NPL_CUM_RATE_ACTUAL = "实际累计回收率 Actual cumulative recovery rate"
NPL_CUM_RATE_EXPECTED = "预期累计回收率 Expected cumulative recovery rate"
NPL_REPROJECTED = "重估回收 Re-projected recoveries"
NPL_CUM_RATE_REPROJECTED = "重估累计回收率 Re-projected cumulative recovery rate"
NPL_TRACK_COLUMNS = [NPL_PERIOD, TRUSTEE_PERIOD, NPL_ACTUAL, NPL_EXPECTED, NPL_AE, NPL_CUM_ACTUAL, NPL_CUM_EXPECTED,
                     NPL_CUM_AE, NPL_CUM_RATE_ACTUAL, NPL_CUM_RATE_EXPECTED, NPL_REPROJECTED,
                     NPL_CUM_RATE_REPROJECTED]
# MBS_NPLMARKET: the market statistics shipped in mbsxl/data/npl_market_stats.csv
NPL_STAT = "统计项 Statistic"
NPL_STAT_VALUE = "数值 Value"
NPL_STAT_UNIT = "单位 Unit"
NPL_STAT_SCOPE = "范围 Scope"
NPL_STAT_TITLE = "来源 Source title"
NPL_STAT_PUBLISHER = "发布机构 Publisher"
NPL_STAT_URL = "网址 URL"
NPL_STAT_DATE = "日期 Date"
NPL_STATS_COLUMNS = [NPL_STAT, NPL_STAT_VALUE, NPL_STAT_UNIT, NPL_STAT_SCOPE, NPL_STAT_TITLE, NPL_STAT_PUBLISHER,
                     NPL_STAT_URL, NPL_STAT_DATE]
# MBS_NPLGRID (mbsxl.deal.npl_deal.npl_grid): one row a haircut x delay scenario; WAL, PRINCIPAL, INTEREST_PAID shared
NPL_DELAY = "推迟月数 Delay (months)"
NPL_UNPAID = "未获偿付 Unpaid"
NPL_GRID_COLUMNS = [NPL_HAIRCUT, NPL_DELAY, WAL, PRINCIPAL, INTEREST_PAID, NPL_UNPAID]

# ============================================================================== issue 19: the deal table
# MBS_DEALFLOWS view "ledgers" (mbsxl.deal.dealviews.deal_flows): one row a ledger line of a period
STATUS = "Status"
LEDGER = "Ledger"
STEP = "Step"
ACTION = "Action"
TARGET = "Target"
AMOUNT = "Amount"
DEAL_LEDGER_COLUMNS = [PERIOD, STATUS, LEDGER, STEP, ACTION, TARGET, AMOUNT]
#: the ledger lines that are not steps (Action column)
LEDGER_BEGINNING = "beginning balance"
LEDGER_COLLECTIONS = "collections"
LEDGER_ENDING = "ending balance"
LEDGER_CALL_RELEASE = "released at the call"
# MBS_DEALFLOWS view "events": one row an event and period
THRESHOLD = "Threshold"
EVENT_ON = "On"
DEAL_EVENT_COLUMNS = [PERIOD, EVENT, MEASURE, VALUE, THRESHOLD, EVENT_ON, STATUS]
# MBS_DEALSTATS: the waterfall's per-class statistics, then the yield at the price
DEAL_STATS_COLUMNS = STATS_COLUMNS + [YIELD]
# MBS_DEALCHECK: what the parser understood and what it refused
BLOCK = "Block"
ROW = "Row"
LABEL = "Label"
RESULT = "Result"
DETAIL = "Detail"
DEAL_CHECK_COLUMNS = [BLOCK, ROW, LABEL, RESULT, DETAIL]
CHECK_UNDERSTOOD = "understood"
CHECK_REFUSED = "refused"
