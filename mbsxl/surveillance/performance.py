"""Pool performance from trustee-report history (受托机构报告): prepayment, default, delinquency, severity.

:func:`history` reads the per-period layout of :mod:`mbsxl.surveillance.report_table` and returns, one row a period
(columns :data:`mbsxl.columns.HISTORY_COLUMNS`):

- ``SMM = prepayment / (beginning - scheduled)`` (seed 002 eq. 1; SIFMA SF-5), ``CPR = 1 - (1 - SMM)^12``;
  blank where ``beginning - scheduled`` is 0;
- ``MDR = defaults / beginning``, ``CDR = 1 - (1 - MDR)^12`` (SF-20's link; the defaulted balance over
  the balance the period started with);
- cumulative default rate (累计违约率) ``= defaults of periods 1..t / original_balance``, the original
  balance being the first period's beginning balance unless given (e.g. the cut-off balance);
- 90+ delinquency ratio (严重拖欠率) ``= 90+ balance / ending balance``: both are end-of-period stocks
  of the same report, so numerator and denominator describe the same pool on the same day (the
  beginning balance would mix in the period's run-off); blank where the ending balance is 0;
- loss severity (违约损失率), where defaults and recoveries are reported, with a recovery lag ``L``
  (periods from default to recovery, default 0): the recoveries of period ``t`` are credited to the
  defaults of period ``t - L``: ``severity_t = 1 - recoveries_t / defaults_{t-L}``, and cumulative
  ``1 - sum(recoveries_1..t) / sum(defaults_1..t-L)``; blank where the defaults divided by are 0 or
  before period ``L + 1``.  A severity below 0 means the period recovered more than the lagged defaults
  (recoveries of older defaults); it is shown as computed.

A column the history does not report gives blank measures (NaN), never zeros.

Chinese conventions (issue 18; the options and their published sources are in :mod:`mbsxl.options`,
the arithmetic in :mod:`mbsxl.surveillance.history_conventions`):

- ``convention``: the SMM type (2, the default above: prepayment / (beginning - scheduled); 1:
  prepayment / beginning) and the annualisation (monthly ``1 - (1 - SMM)^12``, the default, or by the
  days between report dates ``1 - (1 - SMM)^(365/days)``); the defaults give the results above
  unchanged;
- ``cutoff_balance`` (初始起算日资产池余额; ``original_balance`` is its older name): the divisor of the
  cumulative default rate and of the prepayment over the initial balance -- the cumulative
  prepayment rate (累计早偿率) ``C_t = sum(prepayment_1..t) / cutoff_balance`` and the unconditional
  annualised prepayment rate (无条件年化早偿率) ``U_t = 1 - (1 - C_t)^(12/m_t)``, ``m_t`` the months from
  the cut-off to the end of period ``t``.  Required when the history does not start at the cut-off,
  which a first period numbered above 1 shows; dated periods cannot show it (see
  :func:`mbsxl.surveillance.history_conventions.initial_balance`);
- ``default_definition``: ``reported`` (the Defaults column, default), ``90+`` / ``180+`` (the
  "New defaults 90+ / 180+ days" columns: principal of the loans that became 90+ / 180+ days past due
  in the period) or a column of defaulted amounts; it drives MDR, CDR and the cumulative default
  rate (before recoveries); the loss severity stays on the reported defaults, which the recoveries
  are reported against;
- delinquency ratios by bucket (拖欠率, :data:`mbsxl.options.DELINQUENCY_BUCKETS`): the 1-30, 31-60 and
  61-90 days balances at period end over the ending balance, as the 90+ ratio (严重拖欠率) above.  The 90+ ratio is a stock of
  delinquent loans; the cumulative default rate is a flow of loans that defaulted, never cured back:
  the two are kept apart.

>>> t = history({"Period": [1, 2], "Beginning balance": [1000.0, 900.0], "Scheduled principal": [20.0, 18.0],
...              "Prepayment": [70.0, 44.1], "Defaults": [10.0, 9.0], "Ending balance": [900.0, 828.9]})
>>> [round(x, 6) for x in t["单月提前还款率 SMM"]], [round(x, 6) for x in t["累计违约率 Cumulative default rate"]]
([0.071429, 0.05], [0.01, 0.019])
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.surveillance import history_conventions as hc
from mbsxl import options as opt
from mbsxl.pool.conventions import monthly_to_annual
from mbsxl.errors import MbsxlInputError
from mbsxl.surveillance.report_table import DEFAULT_TOLERANCE, read_history

_SEPARATE = (("scheduled", C.TRUSTEE_SCHEDULED), ("prepayment", C.TRUSTEE_PREPAYMENT), ("ending", C.TRUSTEE_ENDING),
             ("defaults", C.TRUSTEE_DEFAULTS), ("recoveries", C.TRUSTEE_RECOVERIES),
             ("delinquent_90", C.TRUSTEE_DQ_90))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def history_table(history, scheduled=None, prepayment=None, ending=None, defaults=None, recoveries=None,
                  delinquent_90=None, periods=None, tolerance=DEFAULT_TOLERANCE) -> pd.DataFrame:
    """The checked history (:func:`mbsxl.surveillance.report_table.read_history`) from a table, or from separate
    columns: ``history`` the beginning balances and ``scheduled``, ``prepayment``, ``ending`` (required),
    ``defaults``, ``recoveries``, ``delinquent_90`` (optional), ``periods`` (default 1, 2, ...)."""
    args = {"scheduled": scheduled, "prepayment": prepayment, "ending": ending, "defaults": defaults,
            "recoveries": recoveries, "delinquent_90": delinquent_90, "periods": periods}
    given = {arg: val for arg, val in args.items() if val is not None}
    if isinstance(history, (pd.DataFrame, dict)):
        if given:
            raise MbsxlInputError(f"history is a table; leave {', '.join(given)} empty (the table's columns are "
                                  "used) or pass history as the beginning-balance column")
        return read_history(history, "history", tolerance)
    beginning = v.array("history", history, lo=0.0)
    n = beginning.size
    cols = {C.TRUSTEE_PERIOD: list(range(1, n + 1)) if periods is None else list(np.ravel(np.asarray(periods, dtype=object))),
            C.TRUSTEE_BEGINNING: beginning}
    for arg, label in _SEPARATE:
        val = given.get(arg)
        if val is None:
            if arg in ("scheduled", "prepayment", "ending"):
                raise MbsxlInputError(f"{arg} is missing; with history as the beginning-balance column pass "
                                      "scheduled, prepayment and ending too (or pass the whole table as history)")
            continue
        cols[label] = v.array(arg, val, lo=0.0)
    for label, col in cols.items():
        if len(col) != n:
            arg = next((a for a, lab in _SEPARATE if lab == label), "periods")
            raise MbsxlInputError(f"{arg} has {len(col)} values and history (beginning balances) {n}; pass one "
                                  "value a period")
    return read_history(cols, "history", tolerance)


def history(history, scheduled=None, prepayment=None, ending=None, defaults=None, recoveries=None,
            delinquent_90=None, periods=None, original_balance=None, recovery_lag=0,
            tolerance=DEFAULT_TOLERANCE, convention=None, cutoff_balance=None,
            default_definition=None) -> pd.DataFrame:
    """Per-period SMM, CPR, MDR, CDR, cumulative default rate, 90+ delinquency ratio, loss severity,
    delinquency ratios by bucket and the prepayment over the cut-off balance of a trustee-report
    history (conventions in the module docstring; layout in :mod:`mbsxl.surveillance.report_table`).

    ``history``: the table (DataFrame or dict of columns, headers as the layout's), or the
    beginning-balance column with the other columns passed separately (see :func:`history_table`).
    ``original_balance``: the older name of ``cutoff_balance``.  ``recovery_lag``: periods from default
    to recovery for the severity (default 0).  ``tolerance``: how far a balance may miss its roll
    before the row is refused (default 1).  ``convention``: :func:`mbsxl.options.prepay_convention`
    (default type 2, monthly).  ``cutoff_balance``: the initial pool balance (default the first
    beginning balance when the history starts at the cut-off).  ``default_definition``:
    :data:`mbsxl.options.DEFAULT_DEFINITION` or a column of amounts (default reported).

    >>> h = {"Period": [1, 2], "Beginning balance": [1000.0, 900.0], "Scheduled principal": [20.0, 18.0],
    ...      "Prepayment": [80.0, 44.1], "Ending balance": [900.0, 837.9]}
    >>> [round(x, 4) for x in history(h, convention="type1")["单月提前还款率 SMM"]]     # 80/1000, 44.1/900
    [0.08, 0.049]
    """
    t = history_table(history, scheduled, prepayment, ending, defaults, recoveries, delinquent_90, periods,
                      tolerance)
    if original_balance is not None and cutoff_balance is not None and original_balance != cutoff_balance:
        raise MbsxlInputError(f"original_balance={original_balance!r} and cutoff_balance={cutoff_balance!r} differ; "
                              "original_balance is the older name of cutoff_balance: pass one")
    smm_type, annual = opt.prepay_convention(convention)
    tol = v.number("tolerance", tolerance, lo=0.0, accepted="pass an amount >= 0 (default 1)")
    periods_ = t[C.TRUSTEE_PERIOD].tolist()
    beg, sch = t[C.TRUSTEE_BEGINNING].to_numpy(), t[C.TRUSTEE_SCHEDULED].to_numpy()
    prep, end = t[C.TRUSTEE_PREPAYMENT].to_numpy(), t[C.TRUSTEE_ENDING].to_numpy()
    rec = t[C.TRUSTEE_RECOVERIES].to_numpy()
    days = hc.period_days(periods_, opt.prepay_convention_name((smm_type, annual))) if annual == "days" else None
    b0, months_before = hc.initial_balance(periods_, float(beg[0]),
                                           cutoff_balance if cutoff_balance is not None else original_balance,
                                           tol, "cutoff_balance" if cutoff_balance is not None or
                                           original_balance is None else "original_balance")
    dflt = hc.defaults_by_definition(t, default_definition)
    reported = t[C.TRUSTEE_DEFAULTS].to_numpy()
    lag = v.whole("recovery_lag", recovery_lag, lo=0, hi=v.MAX_MONTHS, why=" months")
    smm = hc.period_smm(smm_type, beg, sch, prep)
    mdr = _ratio(dflt, beg)
    n = len(t)
    lagged = np.full(n, np.nan)
    lagged[lag:] = reported[: n - lag] if lag < n else []
    cum_lagged = np.full(n, np.nan)
    cum_lagged[lag:] = np.cumsum(reported)[: n - lag] if lag < n else []
    cum_prep, uncond = hc.prepayment_over_initial(prep, b0, months_before, days)
    out = pd.DataFrame({
        C.TRUSTEE_PERIOD: periods_,
        C.H_SMM: smm,
        C.H_CPR: hc.annualise(smm, days),
        C.H_MDR: mdr,
        C.H_CDR: hc.annualise(mdr, days),
        C.H_CUM_DEFAULT: np.cumsum(dflt) / b0,
        C.H_DQ90_RATIO: _ratio(t[C.TRUSTEE_DQ_90].to_numpy(), end),
        C.H_SEVERITY: 1.0 - _ratio(rec, lagged),
        C.H_CUM_SEVERITY: 1.0 - _ratio(np.cumsum(rec), cum_lagged),
        C.H_DQ_1_30_RATIO: _ratio(t[C.TRUSTEE_DQ_1_30].to_numpy(), end),
        C.H_DQ_31_60_RATIO: _ratio(t[C.TRUSTEE_DQ_31_60].to_numpy(), end),
        C.H_DQ_61_90_RATIO: _ratio(t[C.TRUSTEE_DQ_61_90].to_numpy(), end),
        C.H_CUM_PREPAY: cum_prep,
        C.H_UNCOND_CPR: uncond,
    }, columns=C.HISTORY_COLUMNS)
    return out
