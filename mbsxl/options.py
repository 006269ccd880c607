"""One home for each option of mbsxl: a documented spelling -> value table and one parse function.

Every function that takes one of these options goes through the parse function here, so the same
spelling works everywhere (Chinese spellings included) and a refusal reads the same everywhere:
``"<name>=<value> is not one of <accepted>"`` (:class:`~mbsxl.errors.MbsxlInputError`).

Text is matched case-insensitively after trimming; for the named choices (amortization, structure,
prepay/default types, reset, cov_type) ``-`` and spaces count as ``_``; for the day-count basis
spaces are dropped (``"act / 365"``).

=================  ==========================================  =====================================
option             canonical values                            also accepted
=================  ==========================================  =====================================
basis              ``30/360``, ``act/365``, ``act/360``         30e/360, bond, sifma; actual/365,
                                                               a/365, act/365f, china; actual/360,
                                                               a/360
compounding        1, 2, 4, 12 (times a year)                   annual, semiannual, bond,
                                                               bond-equivalent, quarterly, monthly,
                                                               mortgage; "2" as text
curve compounding  0 (continuous), 1, 2, 4, 12                  continuous, cont, c; as compounding
amortization       ``level_payment`` (等额本息),                annuity, 等额本息; 等额本金
                   ``level_principal`` (等额本金)
structure          ``sequential`` (顺序), ``pro_rata`` (比例)   seq; prorata, pro
prepay_type        ``CPR`` (annual), ``SMM`` (monthly),        any case
                   ``PSA`` (speed, 100 = 100% PSA)
default_type       ``CDR`` (annual), ``MDR`` (monthly),        any case
                   ``SDA`` (speed, 100 = 100% SDA)
series             ``deposit_1y``, ``lending_1y``,             any case
                   ``lending_over_5y`` (PBoC benchmarks)
rate index         ``deposit_1y``, ``lending_1y``,             一年期存款, 一年期贷款, 五年以上贷款,
                   ``lending_over_5y`` (PBoC); ``lpr_1y``,     五年期以上贷款; lpr1y, 一年期LPR;
                   ``lpr_5y`` (loan prime rate, LPR)           lpr5y, 五年期以上LPR, 5年期以上LPR
reset              ``period``, ``annual``, ``fixed``            any case
cov_type           ``nonrobust``, ``HC1``, ``HAC``              any case
flag               True / False                                 1 / 0 (TRUE/FALSE cells)
class flag         True (floating) / False (fixed)              true, yes, y, floating, float, 1;
                                                               false, no, n, fixed, 0, ""
=================  ==========================================  =====================================
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from . import _validate as v
from .errors import MbsxlInputError


def _key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def _lookup(name: str, value, table: Mapping[str, object], accepted: str, key=_key):
    if isinstance(value, str):
        k = key(value)
        if k in table:
            return table[k]
    raise MbsxlInputError(f"{name}={value!r} is not one of {accepted}")


choice = v.choice      # a case-insensitive choice among a tuple of canonical spellings


# ------------------------------------------------------------------------------- day-count basis
BASES = ("30/360", "act/365", "act/360")
BASIS = {"30/360": "30/360", "30e/360": "30/360", "bond": "30/360", "sifma": "30/360",
         "act/365": "act/365", "actual/365": "act/365", "a/365": "act/365", "act/365f": "act/365",
         "china": "act/365", "act/360": "act/360", "actual/360": "act/360", "a/360": "act/360"}


def basis(value, name: str = "basis") -> str:
    """The day-count basis: ``30/360`` (SIFMA SF-44), ``act/365`` (China interbank), ``act/360``."""
    return _lookup(name, value, BASIS, ", ".join(BASES), key=lambda s: s.strip().lower().replace(" ", ""))


# ------------------------------------------------------------------------------- compounding
FREQUENCIES = (1, 2, 4, 12)
COMPOUNDING = {"annual": 1, "semiannual": 2, "bond": 2, "bond-equivalent": 2, "quarterly": 4,
               "monthly": 12, "mortgage": 12}
_COMPOUNDING_ACCEPTED = "1, 2, 4, 12 (annual, semiannual, quarterly, monthly)"


def compounding(value, name: str = "compounding") -> int:
    """Compounding periods a year: 1, 2 (bond-equivalent), 4 or 12 (mortgage yield), or their names."""
    if isinstance(value, str):
        k = value.strip().lower()
        if k in COMPOUNDING:
            return COMPOUNDING[k]
        try:
            return compounding(float(k), name)
        except ValueError:
            pass
        raise MbsxlInputError(f"{name}={value!r} is not one of {_COMPOUNDING_ACCEPTED}")
    m = v.whole(name, value)
    if m not in FREQUENCIES:
        raise MbsxlInputError(f"{name}={m} is not one of {_COMPOUNDING_ACCEPTED}")
    return m


def curve_compounding(value, name: str = "compounding") -> int:
    """A zero curve's compounding: 0 for continuous (``continuous``, ``cont``, ``c``, 0), else as
    :func:`compounding` (1, 2, 4, 12)."""
    if isinstance(value, str) and value.strip().lower() in ("continuous", "cont", "c", "0"):
        return 0
    if not isinstance(value, bool) and value in (0, 0.0):
        return 0
    return compounding(value, name)


# ------------------------------------------------------------------------------- amortization
AMORTIZATIONS = ("level_payment", "level_principal")
AMORTIZATION = {"level_payment": "level_payment", "annuity": "level_payment", "等额本息": "level_payment",
                "level_principal": "level_principal", "等额本金": "level_principal"}


def amortization(value, name: str = "amortization") -> str:
    """``level_payment`` (等额本息, annuity) or ``level_principal`` (等额本金)."""
    return _lookup(name, value, AMORTIZATION, "level_payment (等额本息), level_principal (等额本金)")


# ------------------------------------------------------------------------------- principal structure
STRUCTURES = ("sequential", "pro_rata")
STRUCTURE = {"sequential": "sequential", "seq": "sequential", "顺序": "sequential",
             "pro_rata": "pro_rata", "prorata": "pro_rata", "pro": "pro_rata", "比例": "pro_rata"}


def structure(value, name: str = "structure") -> str:
    """How a waterfall pays principal: ``sequential`` (顺序, most senior first) or ``pro_rata`` (比例)."""
    return _lookup(name, value, STRUCTURE, ", ".join(STRUCTURES))


# ------------------------------------------------------------------------------- prepay / default types
PREPAY_TYPES = ("CPR", "SMM", "PSA")
DEFAULT_TYPES = ("CDR", "MDR", "SDA")


def prepay_type(value, name: str = "prepay_type") -> str:
    """``CPR`` (annual decimal), ``SMM`` (monthly decimal) or ``PSA`` (speed in percent, 150 = 150%)."""
    return choice(name, value, PREPAY_TYPES)


def default_type(value, name: str = "default_type") -> str:
    """``CDR`` (annual decimal), ``MDR`` (monthly decimal) or ``SDA`` (speed in percent)."""
    return choice(name, value, DEFAULT_TYPES)


# ------------------------------------------------------------------------------- benchmark series
SERIES = ("deposit_1y", "lending_1y", "lending_over_5y")


def series(value, name: str = "series") -> str:
    """A PBoC benchmark series (a column of ``data/pboc_benchmark_rates.csv``)."""
    return choice(name, value, SERIES)


# ------------------------------------------------------------------------------- rate indices
RATE_INDICES = SERIES + ("lpr_1y", "lpr_5y")
RATE_INDEX = {**{k: k for k in RATE_INDICES},
              "一年期存款": "deposit_1y", "一年期存款利率": "deposit_1y",
              "一年期贷款": "lending_1y", "一年期贷款利率": "lending_1y",
              "五年以上贷款": "lending_over_5y", "五年期以上贷款": "lending_over_5y",
              "五年以上贷款利率": "lending_over_5y", "五年期以上贷款利率": "lending_over_5y",
              "lpr1y": "lpr_1y", "lpr_1": "lpr_1y", "一年期lpr": "lpr_1y",
              "lpr5y": "lpr_5y", "lpr_5": "lpr_5y", "五年期以上lpr": "lpr_5y", "5年期以上lpr": "lpr_5y"}
_RATE_INDEX_ACCEPTED = ("deposit_1y (一年期存款), lending_1y (一年期贷款), lending_over_5y (五年期以上贷款), "
                        "lpr_1y (一年期LPR), lpr_5y (五年期以上LPR)")


def rate_index(value, name: str = "index") -> str:
    """A rate index of :mod:`mbsxl.rates.rateindex`: a PBoC benchmark (:data:`SERIES`) or a loan prime rate."""
    return _lookup(name, value, RATE_INDEX, _RATE_INDEX_ACCEPTED)


# ------------------------------------------------------------------------------- coupon index reset
RESETS = ("period", "annual", "fixed")


def reset(value, name: str = "reset") -> str:
    """When a floating coupon's index resets: each ``period``, each 1 January (``annual``) or never (``fixed``)."""
    return choice(name, value, RESETS)


# ------------------------------------------------------------------------------- regression covariance
COV_TYPES = ("nonrobust", "HC1", "HAC")


def cov_type(value, name: str = "cov_type") -> str:
    """Coefficient covariance: ``nonrobust`` (OLS), ``HC1`` (White, n/(n-k)) or ``HAC`` (Newey-West)."""
    return choice(name, value, COV_TYPES)


# ------------------------------------------------------------------------------- TRUE/FALSE
def flag(name: str, value) -> bool:
    """TRUE/FALSE: a bool, or 1/0 as numbers (what a worksheet TRUE/FALSE may arrive as)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    raise MbsxlInputError(f"{name}={value!r} is not TRUE or FALSE")


CLASS_FLAG = {"true": True, "yes": True, "floating": True, "float": True, "1": True, "y": True,
              "false": False, "no": False, "fixed": False, "0": False, "n": False, "": False}


def class_flags(name: str, value, n: int) -> np.ndarray | None:
    """One floating (True) / fixed (False) flag a class (one value for all); None stays None."""
    if value is None:
        return None
    vals = np.atleast_1d(np.asarray(value, dtype=object)).ravel()
    out = []
    for k, x in enumerate(vals):
        if isinstance(x, (bool, np.bool_)):
            out.append(bool(x))
        elif isinstance(x, str) and x.strip().lower() in CLASS_FLAG:
            out.append(CLASS_FLAG[x.strip().lower()])
        elif isinstance(x, (int, float, np.integer, np.floating)) and float(x) in (0.0, 1.0):
            out.append(bool(x))
        else:
            raise MbsxlInputError(f"{name}[{k + 1}]={x!r} is not a flag; pass TRUE/1 (floating) or FALSE/0 (fixed)")
    if len(out) == 1:
        out = out * n
    if len(out) != n:
        raise MbsxlInputError(f"{name} has {len(out)} values for {n} classes; pass one a class")
    return np.asarray(out, dtype=bool)


# ------------------------------------------------------------------------------- LPR scenario shape
# (issue 13, rate scenarios: mbsxl.rates.lprscenario)
SCENARIO_SHAPES = ("linear", "step")
SCENARIO_SHAPE = {"linear": "linear", "ramp": "linear", "线性": "linear", "逐月": "linear",
                  "step": "step", "parallel": "step", "一次性": "step", "阶跃": "step"}


def scenario_shape(value, name: str = "shape") -> str:
    """How a scenario shift is reached: ``linear`` (ramp: an equal part each month, 线性) or ``step``
    (the whole shift at the first future fixing, 一次性)."""
    return _lookup(name, value, SCENARIO_SHAPE, "linear (ramp, 线性), step (parallel, 一次性)")
# =============================================================================== issue 13: loan repricing
# (mbsxl.rates.repricing) rate type, reset rule, home type, policy-event rule and coverage, events="standard"
RATE_TYPES = ("fixed", "benchmark", "lpr")
RATE_TYPE = {"fixed": "fixed", "固定": "fixed", "固定利率": "fixed",
             "benchmark": "benchmark", "pboc": "benchmark", "基准": "benchmark", "基准利率": "benchmark",
             "贷款基准利率": "benchmark",
             "lpr": "lpr", "lpr_5y": "lpr", "lpr5y": "lpr", "贷款市场报价利率": "lpr", "lpr加点": "lpr"}
_RATE_TYPE_ACCEPTED = "fixed (固定), benchmark (基准: PBoC benchmark x multiplier + margin), lpr (LPR 5y + spread)"


def rate_type(value, name: str = "rate_type") -> str:
    """How a loan's rate is set: ``fixed``, ``benchmark`` (PBoC benchmark x multiplier + margin, reset
    each 1 January) or ``lpr`` (LPR 5y on the reset date + the loan's spread)."""
    return _lookup(name, value, RATE_TYPE, _RATE_TYPE_ACCEPTED)


REPRICINGS = ("january", "anniversary")
REPRICING = {"january": "january", "jan": "january", "1_january": "january", "january_1": "january",
             "1月1日": "january", "每年1月1日": "january", "年初": "january",
             "anniversary": "anniversary", "对月对日": "anniversary", "周年": "anniversary",
             "贷款发放日": "anniversary", "放款日": "anniversary"}
_REPRICING_ACCEPTED = ("january (每年1月1日), anniversary (对月对日: the loan's anniversary date), or a whole "
                       "number N of months (every N months)")


def repricing(value, name: str = "reset"):
    """An LPR loan's reset rule: ``"january"``, ``"anniversary"`` or a whole number N >= 1 (every N months)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        if float(value) != int(value) or not 1 <= int(value) <= v.MAX_MONTHS:
            raise MbsxlInputError(f"{name}={value!r} is not one of {_REPRICING_ACCEPTED}")
        return int(value)
    return _lookup(name, value, REPRICING, _REPRICING_ACCEPTED)


HOME = {"first": True, "首套": True, "首套房": True, "1": True, "true": True, "yes": True,
        "second": False, "二套": False, "二套房": False, "0": False, "false": False, "no": False}
_HOME_ACCEPTED = "first (首套, TRUE, 1) or second (二套, FALSE, 0)"


def first_home(value, name: str = "first_home") -> bool:
    """A first-home (首套) flag: TRUE/1/"first"/首套, or FALSE/0/"second"/二套."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    return _lookup(name, value, HOME, _HOME_ACCEPTED)


EVENT_RULES = ("floor", "cap")
EVENT_RULE = {"floor": "floor", "cut_to_floor": "floor", "下限": "floor", "降至下限": "floor",
              "cap": "cap", "上限": "cap", "加点上限": "cap"}
_EVENT_RULE_ACCEPTED = "floor (下限: cut to LPR 5y + the loan's floor spread) or cap (上限: at most LPR 5y + value)"


def event_rule(value, name: str = "events rule") -> str:
    """A policy-event rule: ``floor`` or ``cap`` (see :mod:`mbsxl.rates.repricing`)."""
    return _lookup(name, value, EVENT_RULE, _EVENT_RULE_ACCEPTED)


COVERS = ("first", "second", "all")
COVER = {"first": "first", "首套": "first", "首套房": "first", "second": "second", "二套": "second",
         "二套房": "second", "all": "all", "全部": "all", "所有": "all", "": "all"}
_COVERS_ACCEPTED = "first (首套), second (二套) or all (全部)"


def covers(value, name: str = "events covers") -> str:
    """Which loans a policy event covers: ``first`` homes, ``second`` homes or ``all``."""
    return _lookup(name, value, COVER, _COVERS_ACCEPTED)


EVENT_FLOORS = ("origination", "current", "none")
EVENT_FLOOR = {"origination": "origination", "at_origination": "origination", "origination_floor": "origination",
               "origination_floors": "origination", "发放时": "origination", "原贷款发放时": "origination",
               "发放时下限": "origination",
               "current": "current", "current_floor": "current", "current_floors": "current", "当前": "current",
               "当前下限": "current", "目前执行": "current",
               "none": "none", "无": "none", "不设": "none", "no_floor": "none"}
_EVENT_FLOOR_ACCEPTED = ("origination (发放时: the loan's origination_floors), current (当前: the loan's "
                         "current_floors) or none (无); blank: origination for a floor rule, current for a cap")


def event_floor(value, rule: str, name: str = "events floor") -> str:
    """Which floor a policy event reads (see :mod:`mbsxl.rates.repricing`): ``origination`` (the floor of the
    loan's city when it was originated, e.g. the 2023 cut), ``current`` (the city's floor for new loans
    today, e.g. the 2024 batch adjustment) or ``none``.  Blank: ``origination`` for a ``floor`` rule,
    ``current`` for a ``cap``."""
    if value is None or (isinstance(value, str) and not value.strip()) or \
            (isinstance(value, float) and np.isnan(value)):
        return "origination" if rule == "floor" else "current"
    return _lookup(name, value, EVENT_FLOOR, _EVENT_FLOOR_ACCEPTED)


STANDARD_EVENTS = {"standard": True, "标准": True, "default": True}


def standard_events(value) -> bool:
    """True for the spellings of "the shipped policy events" (``"standard"``, ``"标准"``)."""
    return isinstance(value, str) and _key(value) in STANDARD_EVENTS
# ------------------------------------------------------------------------------- waterfall mechanics (issue 14)
VIEWS = ("classes", "pool")
VIEW = {"classes": "classes", "class": "classes", "tranches": "classes", "分档": "classes",
        "pool": "pool", "deal": "pool", "periods": "pool", "资产池": "pool", "账户": "pool"}


def view(value, name: str = "view") -> str:
    """Which table the waterfall returns: ``classes`` (one row a class and period, default; 分档) or
    ``pool`` (one row a period: taxes, fees, excess spread, triggers, reserve; 资产池)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return "classes"
    return _lookup(name, value, VIEW, "classes (分档), pool (资产池)")


TRIGGER_MEASURES = ("cumulative_default", "delinquency_90", "senior_shortfall")
TRIGGER_MEASURE = {"cumulative_default": "cumulative_default", "cumulative_default_rate": "cumulative_default",
                   "cdr_cum": "cumulative_default", "累计违约率": "cumulative_default",
                   "delinquency_90": "delinquency_90", "dq90": "delinquency_90", "90+": "delinquency_90",
                   "delinquency": "delinquency_90", "严重拖欠率": "delinquency_90",
                   "senior_shortfall": "senior_shortfall", "senior_interest_shortfall": "senior_shortfall",
                   "优先级利息违约": "senior_shortfall", "优先级利息未足额支付": "senior_shortfall"}
_TRIGGER_MEASURE_ACCEPTED = ("cumulative_default (累计违约率), delinquency_90 (严重拖欠率, 90+), "
                             "senior_shortfall (优先级利息违约)")


def trigger_measure(value, name: str = "triggers measure") -> str:
    """What a trigger tests: ``cumulative_default`` (cumulative defaults / original pool balance),
    ``delinquency_90`` (the period's 90+ delinquency ratio), ``senior_shortfall`` (unpaid senior interest, yuan)."""
    return _lookup(name, value, TRIGGER_MEASURE, _TRIGGER_MEASURE_ACCEPTED)


TRIGGER_CONSEQUENCES = ("sequential", "stop_subordinate", "block_release")
TRIGGER_CONSEQUENCE = {"sequential": "sequential", "seq": "sequential", "顺序偿付": "sequential",
                       "加速清偿": "sequential",
                       "stop_subordinate": "stop_subordinate", "subordinate_stopped": "stop_subordinate",
                       "stop_sub": "stop_subordinate", "次级停付": "stop_subordinate",
                       "block_release": "block_release", "no_release": "block_release",
                       "储备不释放": "block_release"}
_TRIGGER_CONSEQUENCE_ACCEPTED = ("sequential (加速清偿, 顺序偿付), stop_subordinate (次级停付), "
                                 "block_release (储备不释放), several joined by +")


def trigger_consequences(value, name: str = "triggers consequence") -> frozenset:
    """One or more consequences joined by ``+`` (``"sequential+stop_subordinate"``)."""
    if not isinstance(value, str) or not value.strip():
        raise MbsxlInputError(f"{name}={value!r} is not one of {_TRIGGER_CONSEQUENCE_ACCEPTED}")
    return frozenset(_lookup(name, part, TRIGGER_CONSEQUENCE, _TRIGGER_CONSEQUENCE_ACCEPTED)
                     for part in value.replace("＋", "+").split("+"))


RESERVE_ITEMS = ("months", "amount", "initial")
RESERVE_ITEM = {"months": "months", "month": "months", "月数": "months",
                "amount": "amount", "target": "amount", "金额": "amount", "目标金额": "amount",
                "initial": "initial", "opening": "initial", "初始金额": "initial"}


def reserve_item(value, name: str = "reserve") -> str:
    """A row label of the liquidity reserve table: ``months``, ``amount`` or ``initial``."""
    return _lookup(name, value, RESERVE_ITEM, "months (月数), amount (目标金额), initial (初始金额)")
# =============================================================================== issue 14: scenario analytics
# ------------------------------------------------------------------------------- grid metric (MBS_GRID)
#: What MBS_GRID returns: the long table (one row a scenario) or one measure as a CPR x CDR matrix.
GRID_METRICS = ("table", "wal", "yield", "loss", "loss_pct", "first_loss")
GRID_METRIC = {**{k: k for k in GRID_METRICS},
               "long": "table", "all": "table", "全部": "table", "表": "table",
               "加权平均期限": "wal", "收益率": "yield", "损失": "loss", "损失金额": "loss",
               "loss%": "loss_pct", "loss_percent": "loss_pct", "损失率": "loss_pct", "损失比例": "loss_pct",
               "first_loss_period": "first_loss", "首次损失期": "first_loss", "首次损失期次": "first_loss"}
_GRID_METRIC_ACCEPTED = ("table (default: one row a scenario), wal (加权平均期限), yield (收益率), loss (损失), "
                         "loss_pct (损失率), first_loss (首次损失期)")


def grid_metric(value, name: str = "metric") -> str:
    """MBS_GRID's output: ``table`` (long, default; empty/None too) or one measure as a CPR x CDR matrix."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "table"
    return _lookup(name, value, GRID_METRIC, _GRID_METRIC_ACCEPTED)


# =============================================================================== issue 18: Chinese performance conventions
# The sources quoted below were read through the project's reference search (pages corpus) on 2026-12-06.
# ------------------------------------------------------------------------------- prepayment convention
#: ``convention`` of MBS_HISTORY, MBS_SMM/MBS_CPR and MBS_BACKTEST: (SMM type, annualisation).
#:
#: SMM type (单月早偿率 SMM, the period's prepayment rate):
#:
#: - type 2 (扣除计划还款本金, today's only form and the default): ``SMM = prepayment / (beginning -
#:   scheduled)``.  Seed 002 (/work/shared/seeds/002_504b3d5613d6b378.txt, lines 24-32, the article that
#:   computes Jianyuan 2007-1's CPRs from the 中诚信托 trustee reports): "SMM是当月实际提前支付额减去当月
#:   计划偿还本金额的差额的百分比" and "CPR是以年率或复利形式表示的SMM ... CPR与SMM的数学关系为" (1 - CPR =
#:   (1 - SMM)^12); SIFMA Standard Formulas SF-5; "SMM = Prepayments for the month / Beginning principal -
#:   Scheduled Repayments" (PrepNuggets, https://prepnuggets.com/?p=7541).
#: - type 1 (期初余额): ``SMM = prepayment / beginning``.  J. Hu, *Asset Securitization: Theory and
#:   Practice* (Wiley, 2011), Appendix A "Analysis of Prepayment and Prepayment Rate"
#:   (https://www.oreilly.com/library/view/asset-securitization-theory/9780470828991/a01.html): "The rate
#:   of prepayment is, therefore, the excess paydown in a given month as a percentage of the outstanding
#:   principal balance at the beginning of the month" and "SMM measures the percentage of a pool's
#:   outstanding balance at the beginning of the month that was prepaid during the month"; the Chinese
#:   market's wording, 早偿率 "the proportion of the debtor's early repayment ... in the outstanding
#:   principal balance of the asset pool" (English rendering at http://lnmlw.com/Bankloan/zfoylosxvu.html,
#:   which gives 1 - CPR = (1 - SMM)^12 with it).  Seed 002's first-period figure "占 ... 余额的4.35%" is
#:   this ratio on the period's beginning balance (see :mod:`mbsxl.surveillance.trustee`).
#:
#: Annualisation (年化, 条件早偿率 CPR):
#:
#: - ``monthly`` (default): ``CPR = 1 - (1 - SMM)^12`` (seed 002 eq. 2; SIFMA SF-5; CMHC, "Standard
#:   terminology and calculations for MBS", total prepayment UPP = [1 - (1 - u)^12] x 100,
#:   https://www.cmhc-schl.gc.ca/en/finance-and-investing/nha-mortgage-backed-securities/standard-terminology-and-calculations-for-mbs/total-prepayment-upp);
#: - ``days``: ``CPR = 1 - (1 - SMM)^(365/days)``, ``days`` the days between the period's report date and
#:   the previous one (act/365, as the interbank market counts; see :func:`mbsxl.surveillance.history_conventions.period_days`).
#:   The same compounding with the year counted in days; no published sentence stating the exponent was
#:   found in the reference corpus, so this form rests on the issue's statement of the market practice.
PREPAY_CONVENTIONS = ("type2_monthly", "type1_monthly", "type2_days", "type1_days")
_CONV = {(2, "monthly"): "type2_monthly", (1, "monthly"): "type1_monthly", (2, "days"): "type2_days",
         (1, "days"): "type1_days"}
PREPAY_CONVENTION = {
    "type2_monthly": (2, "monthly"), "type2": (2, "monthly"), "2": (2, "monthly"), "monthly": (2, "monthly"),
    "sifma": (2, "monthly"), "类型2": (2, "monthly"), "扣除计划还款": (2, "monthly"), "按月": (2, "monthly"),
    "type1_monthly": (1, "monthly"), "type1": (1, "monthly"), "1": (1, "monthly"), "期初余额": (1, "monthly"),
    "类型1": (1, "monthly"),
    "type2_days": (2, "days"), "days": (2, "days"), "按天": (2, "days"), "按实际天数": (2, "days"),
    "type1_days": (1, "days"), "期初余额按天": (1, "days"), "类型1按天": (1, "days"),
}
_PREPAY_CONVENTION_ACCEPTED = ("type2_monthly (default; 2, type2: prepayment / (beginning - scheduled), "
                               "1-(1-SMM)^12), type1_monthly (1, type1, 期初余额: prepayment / beginning), "
                               "type2_days (days, 按天: 1-(1-SMM)^(365/days)), type1_days")


def prepay_convention(value, name: str = "convention") -> tuple[int, str]:
    """``(smm_type, annualisation)``: smm_type 1 or 2, annualisation ``"monthly"`` or ``"days"``.

    Empty/None is the default ``(2, "monthly")`` (today's results).  A number 1 or 2 is the SMM type
    with monthly annualisation.

    >>> prepay_convention(None), prepay_convention("type1_days"), prepay_convention(1.0)
    ((2, 'monthly'), (1, 'days'), (1, 'monthly'))
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return (2, "monthly")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if float(value) in (1.0, 2.0):
            return (int(value), "monthly")
    return _lookup(name, value, PREPAY_CONVENTION, _PREPAY_CONVENTION_ACCEPTED)


def prepay_convention_name(conv: tuple[int, str]) -> str:
    """The canonical spelling of a parsed convention (``(1, "days")`` -> ``"type1_days"``)."""
    return _CONV[conv]


# ------------------------------------------------------------------------------- default definition
#: ``default_definition`` of MBS_HISTORY: which amounts are "defaults" (违约) for the MDR, CDR and the
#: cumulative default rate (累计违约率 = cumulative defaulted principal, before recoveries, / the cut-off
#: balance).  Kept apart from serious delinquency (严重拖欠率: the 90+ *stock* at period end over the
#: ending balance), which is not a default measure.
#:
#: - ``reported`` (default; 报告口径, 交易文件定义): the history's 违约金额 Defaults column, i.e. the deal
#:   documents' definition as the trustee report applies it;
#: - ``90+`` (逾期90天以上): the history's "新增90天以上违约 New defaults 90+ days" column, the principal of
#:   the loans that became 90+ days past due in the period;
#: - ``180+`` (逾期180天以上): the "新增180天以上违约 New defaults 180+ days" column likewise;
#: - a column of defaulted amounts as reported (one a period), passed instead of a name.
#:
#: Cumulative default over the initial balance: 《个人消费类贷款资产支持证券信息披露指引(2019版)》 (NAFMII),
#: as quoted in 投资时报 on the 和享 2017 deals (http://8037eee.com/news/finance/yh/2019-03-15/2244403_2.html):
#: "在持续购买期,累计违约率=累计违约金额/期初金额" (a static RMBS pool has no replenishment, so its divisor
#: is the initial, cut-off balance throughout); 联合资信's tracking reports publish 拖欠率 and 累计违约率 as
#: separate rows ("拖欠率以及累计违约率数据见表4",
#: http://wanglu.net/thread/t12-453091-2.html), which is why the two stay apart here.
DEFAULT_DEFINITIONS = ("reported", "90+", "180+")
DEFAULT_DEFINITION = {"reported": "reported", "as_reported": "reported", "deal": "reported",
                      "报告口径": "reported", "交易文件定义": "reported", "违约金额": "reported",
                      "90+": "90+", "90": "90+", "90_days": "90+", "90+_days": "90+", "逾期90天以上": "90+",
                      "180+": "180+", "180": "180+", "180_days": "180+", "180+_days": "180+",
                      "逾期180天以上": "180+"}
_DEFAULT_DEFINITION_ACCEPTED = ("reported (default; 报告口径: the Defaults column), 90+ (逾期90天以上: the "
                                "'New defaults 90+ days' column), 180+ (逾期180天以上: the 'New defaults 180+ "
                                "days' column), or a column of defaulted amounts, one a period")


def default_definition(value, name: str = "default_definition") -> str:
    """``reported``, ``90+`` or ``180+`` (a column of amounts is handled by the caller).

    >>> default_definition(None), default_definition("逾期180天以上"), default_definition(90)
    ('reported', '180+', '90+')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "reported"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) in (90.0, 180.0):
        return f"{int(value)}+"
    return _lookup(name, value, DEFAULT_DEFINITION, _DEFAULT_DEFINITION_ACCEPTED,
                   key=lambda s: s.strip().lower().replace("-", "_").replace(" ", "_"))


# ------------------------------------------------------------------------------- delinquency buckets
#: The delinquency buckets of MBS_HISTORY (拖欠率 by days past due, each the bucket's balance at period end
#: over the ending balance; the 90+ bucket is the serious delinquency ratio 严重拖欠率).  The market indices
#: publish them as "M" buckets -- 惠誉博华 (Fitch Bohua), 银行间市场个贷ABS指数 2025Q2: "季度末M2及M3逾期率指数分别为
#: 0.21%及0.13%" (https://fitchbohua.cn/报告文章/惠誉博华银行间市场个贷abs指数报告2025q2) -- but the M labels are
#: not used alike ("M1:逾期1个月(30-60天) M2:逾期2个月(61-90天) M3:逾期3个月以上(91-120天)" at
#: https://www.hefeilaws.com/hf/1307692.html, against the M1 = first month past due of
#: "M1逾期率 = (M1阶段逾期贷款金额 / 贷款总额) x 100%", https://www.mudaan.com/tags-604978.html), so mbsxl names
#: the buckets by days, as the trustee reports' tables do (拖欠1-30天, 31-60天, 61-90天, 90天以上), and the
#: ratio is "bucket balance / pool balance", the M1 formula's form.
DELINQUENCY_BUCKETS = ("1-30", "31-60", "61-90", "90+")
# ------------------------------------------------------------------ issue 18: rating-agency stress test
TIMING_SHAPES = ("front", "even", "back", "scheduled")
TIMING_SHAPE = {"front": "front", "front_loaded": "front", "前置": "front",
                "even": "even", "uniform": "even", "flat": "even", "均匀": "even",
                "back": "back", "back_loaded": "back", "后置": "back",
                "scheduled": "scheduled", "scheduled_principal": "scheduled", "按计划本金": "scheduled",
                "按本金摊还": "scheduled"}
_TIMING_SHAPE_ACCEPTED = ("front (前置), even (均匀), back (后置), scheduled (按计划本金: in proportion to scheduled "
                          "principal), or a column of weights")


def timing_shape(value, name: str = "timing") -> str:
    """A named default-timing shape of :func:`mbsxl.default_timing`."""
    return _lookup(name, value, TIMING_SHAPE, _TIMING_SHAPE_ACCEPTED)


TIMING_UNITS = ("year", "month")
TIMING_UNIT = {"year": "year", "years": "year", "annual": "year", "年": "year",
               "month": "month", "months": "month", "monthly": "month", "月": "month"}


def timing_unit(value, name: str = "timing_unit") -> str:
    """A timing vector's step: ``year`` (each year's weight spread evenly over its 12 months) or ``month``."""
    return _lookup(name, value, TIMING_UNIT, "year (年) or month (月)")


STRESS_VIEWS = ("ratings", "breakevens")
STRESS_VIEW = {"ratings": "ratings", "rating": "ratings", "评级": "ratings",
               "breakevens": "breakevens", "breakeven": "breakevens", "临界违约率": "breakevens"}


def stress_view(value, name: str = "view") -> str:
    """``ratings`` (class x rating table) or ``breakevens`` (class x scenario table) of MBS_RATINGSTRESS."""
    return _lookup(name, value, STRESS_VIEW, "ratings (评级: class x rating) or breakevens (临界违约率: class x scenario)")
# =============================================================================== issue 20: NPL recoveries
# (mbsxl.pool.recovery) the legal stages of the default stage table, and the re-projection method
NPL_STAGES = ("协商", "诉讼", "执行", "拍卖")
NPL_STAGE = {"协商": "协商", "negotiation": "协商", "settlement": "协商", "催收": "协商",
             "诉讼": "诉讼", "litigation": "诉讼", "lawsuit": "诉讼", "起诉": "诉讼",
             "执行": "执行", "enforcement": "执行", "execution": "执行",
             "拍卖": "拍卖", "auction": "拍卖", "变卖": "拍卖"}
#: the English word shown next to each stage
NPL_STAGE_ENGLISH = {"协商": "negotiation", "诉讼": "litigation", "执行": "enforcement", "拍卖": "auction"}


def npl_stage_key(value) -> str:
    """A stage name as the stage table is matched: a default stage's English or Chinese spelling gives
    its Chinese name (``"Litigation"`` -> ``"诉讼"``); any other text is trimmed and lower-cased (a
    user's own stage names work as typed)."""
    s = str(value).strip()
    k = _key(s)
    return NPL_STAGE.get(k, NPL_STAGE.get(s, k))


REPROJECTIONS = ("ratio", "catch_up", "as_expected")
REPROJECTION = {"ratio": "ratio", "按比例": "ratio", "proportional": "ratio",
                "catch_up": "catch_up", "catchup": "catch_up", "追补": "catch_up",
                "as_expected": "as_expected", "expected": "as_expected", "照旧": "as_expected"}


def reprojection(value, name: str = "method") -> str:
    """How the rest of an NPL pool is re-projected from today's position: ``ratio`` (按比例: the rest of
    the expected path times the cumulative actual/expected), ``catch_up`` (追补: the total expected is
    still collected, the shortfall spread over the remaining periods in proportion to the expected path)
    or ``as_expected`` (照旧: the expected path unchanged from today)."""
    return _lookup(name, value, REPROJECTION, "ratio (按比例), catch_up (追补), as_expected (照旧)")


# ------------------------------------------------------------------ issue 19: the deal table's views
# (the deal table's own vocabulary - block titles, column labels, actions, measures - is the parser's
# data and lives in mbsxl.deal.dealtable: BLOCKS, LABELS, ACTIONS, MEASURES)
DEAL_VIEWS = ("classes", "ledgers", "events")
DEAL_VIEW = {"classes": "classes", "class": "classes", "tranches": "classes", "分档": "classes",
             "ledgers": "ledgers", "ledger": "ledgers", "accounts": "ledgers", "账户": "ledgers",
             "events": "events", "event": "events", "triggers": "events", "事件": "events"}


def deal_view(value, name: str = "view") -> str:
    """Which table MBS_DEALFLOWS returns: ``classes`` (default, 分档), ``ledgers`` (账户) or ``events`` (事件)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return "classes"
    return _lookup(name, value, DEAL_VIEW, "classes (分档), ledgers (账户), events (事件)")
