"""Issue 19, item 3: the Triggers sheet of the Jianyuan 2007-1 deal review written as a deal table (``Deal_triggers``,
mbsxl/templates/deal_review_triggers.py) equals the positional mechanisms (MBS_TRANCHES with vat_rate, triggers,
reserve, principal_cover, delinquency, senior_classes) month by month.

Reference: the positional waterfall (mbsxl.deal.waterfall steps a-f, independently checked in issue 19's 17 hand
cases); bench/triggers_vs_dealtable.py prints the same comparison.  Measured on the prospectus scenario: every class
column within 1.2e-8 yuan, the reserve balance within 7.5e-9 yuan.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import mbsxl
from mbsxl.templates import deal_review_triggers as TR
from mbsxl.templates import jianyuan_deal_review as J

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import triggers_vs_dealtable as B  # noqa: E402


def test_parser_understands_every_line():
    chk = mbsxl.deal_check(TR.python_deal(J))
    assert set(chk.iloc[:, 3]) == {"understood"}, chk[chk.iloc[:, 3] != "understood"]


def test_every_month_equals_the_positional_mechanisms():
    diffs, *_ = B.compare("current", out=open("/dev/null", "w"))
    assert all(mx <= 1e-6 for mx, _n in diffs.values()), diffs


def test_the_next_period_convention_would_differ():
    # the deal table's default reserve (next month's A interest, VAT counted) is a different reserve: the comparison
    # must see it (the interest paid differs in many months), or it could not see anything
    diffs, *_ = B.compare("next", out=open("/dev/null", "w"))
    assert diffs["classes Interest Paid"][1] > 50 and diffs["Reserve Balance"][0] > 1e6


def test_a_stressed_pool_trips_the_triggers_and_the_cash_still_agrees():
    # CDR 12%, severity 60%: the 2% cumulative-default trigger trips (accelerated: subordinate interest stopped, the
    # reserve's release blocked); both paths pay the same cash each month
    kw = B.R.python_args(J)
    p = mbsxl.cashflows(kw["balance"], J.WAC, J.WAM, 0.10, "CPR", 0.12, "CDR", 0.6, J.LAG, J.SERVICING, J.AGE)
    pv, cv = B.positional(p, kw)
    assert pv["Sequential Triggered"].sum() + pv["Subordinate Interest Stopped"].sum() > 0
    f = mbsxl.deal_flows(p, TR.python_deal(J), index=kw["index"], delinquency=TR.DELINQUENCY)
    for col in ("Interest Paid", "Principal", "Loss", "Ending Balance"):
        assert np.abs(cv[col].to_numpy(float) - f[col].to_numpy(float)).max() <= 1e-6, col


def test_the_senior_shortfall_trips_in_the_same_month_and_the_cash_still_agrees():
    # the prospectus pool with no interest collected in months 4-8 and principal cover FALSE (the transfer step's
    # limit 0): class A is short in month 5 (the reserve, 3 months of fees + A interest, is spent after months 4 and
    # part of 5).  The positional trigger trips in month 5 and acts in month 5; the deal table's interest_shortfall
    # event is on at the end of month 5 and moves the status from month 6.  In month 5 nothing is left for B, C or
    # the excess, and principal is sequential in every status, so every month's cash is the same.
    from mbsxl import columns as C
    p, kw = B.pool()
    ni = p[C.NET_INTEREST].to_numpy().copy()
    ni[3:8] = 0.0
    p[C.NET_INTEREST] = ni
    trig = [list(t[:4]) for t in TR.TRIGGERS]
    args = dict(index=kw["index"], floating=kw["floating"], fees=J.FEES, vat_rate=TR.VAT_RATE, triggers=trig,
                reserve=[["months", TR.RESERVE_MONTHS]], principal_cover=False, delinquency=TR.DELINQUENCY,
                senior_classes=1)
    a = (None, None, kw["tranche_names"], kw["tranche_balances"], kw["tranche_coupons"], "sequential", J.CALL)
    pv, cv = mbsxl.tranches(p, *a, view="pool", **args), mbsxl.tranches(p, *a, **args)
    rows = TR.python_deal(J)
    for r in rows:
        if r[3] == "transfer" and r[5] == "shortfall":
            r[5] = 0
    f = mbsxl.deal_flows(p, rows, index=kw["index"], delinquency=TR.DELINQUENCY)
    ev = mbsxl.deal_flows(p, rows, view="events", index=kw["index"], delinquency=TR.DELINQUENCY)
    assert int(np.argmax(pv["Subordinate Interest Stopped"].to_numpy() > 0)) + 1 == 5
    short = ev[ev.iloc[:, 1].astype(str).str.contains("short_a")]
    assert int(short[short.iloc[:, 5] == 1].iloc[0, 0]) == 5
    assert (ev[ev.iloc[:, 0] == 6].iloc[:, 6] == TR.STATUSES[1]).all()
    for col in ("Interest Paid", "Shortfall", "Principal", "Loss", "Ending Balance"):
        assert np.abs(cv[col].to_numpy(float) - f[col].to_numpy(float)).max() <= 1e-6, col
