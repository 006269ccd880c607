"""The NPL review template (issue 20): its stored figures against the core and the published statistics.

Published figures (Market sheet; mbsxl/data/npl_market_stats.csv): typical cumulative recovery 20/40/50 %
after 1/2/3 years and more than 50 % of loans disposed of within 60 months (不良住房抵押贷款的回收数据分析:
来自对不良资产证券化公开数据的观察, 2024-10-28, https://reportify.ai/reports/1048339642987974656).
"""
from __future__ import annotations

import pathlib

import numpy as np
import openpyxl
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.reference.npl_tape import generated_tape
from mbsxl.templates import npl_rmbs_review as T

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "workbooks" / T.FILENAME


@pytest.fixture(scope="module")
def wb():
    return openpyxl.load_workbook(BOOK, data_only=True)


@pytest.fixture(scope="module")
def tape():
    return generated_tape(T.N_LOANS, T.SEED)


def test_tape_sheet_is_the_generated_tape(wb, tape):
    ws = wb[T.TAPE]
    assert [c.value for c in ws[1]][:9] == C.NPL_TAPE_LAYOUT
    assert ws.cell(2, 1).value == "NPL00001" and ws.cell(T.N_LOANS + 1, 1).value == f"NPL{T.N_LOANS:05d}"
    assert ws.cell(T.N_LOANS + 2, 1).value is None
    assert ws.cell(2, 2).value == pytest.approx(float(tape.iloc[0, 1]))


def test_summary_base_and_stressed_against_the_core(wb, tape):
    ws = wb[T.SUMMARY]
    claim = float((tape[C.NPL_PRINCIPAL] + tape[C.NPL_INTEREST] + tape[C.NPL_FEES]).sum())
    base = mbsxl.recoveries(tape)
    stressed = mbsxl.recoveries(tape, amount_stress=T.AMOUNT_STRESS, delay=T.DELAY, cost_stress=T.COST_STRESS)
    assert ws["B11"].value == pytest.approx(claim)
    assert ws["B14"].value == pytest.approx(base[C.NPL_GROSS].sum())
    assert ws["C14"].value == pytest.approx(stressed[C.NPL_GROSS].sum())
    assert ws["B16"].value == pytest.approx(base[C.NPL_NET].sum())
    assert ws["C17"].value == pytest.approx(stressed[C.NPL_GROSS].sum() / claim)
    # stress lowers the recovery: every loan's stressed gross <= base gross (amount -30 %, costs only shift)
    assert ws["C14"].value < ws["B14"].value
    capped = mbsxl.recovery_loans(tape)[C.NPL_CAPPED].sum()
    assert ws["B20"].value == capped > 0


def test_generated_pool_against_the_published_timing(wb, tape):
    # the default stage table is tuned to the published shape; the template shows how close
    base = mbsxl.recoveries(tape)
    rate = base[C.NPL_CUM_RATE].to_numpy()
    assert abs(rate[11] - 0.20) < 0.05 and abs(rate[23] - 0.40) < 0.10 and abs(rate[35] - 0.50) < 0.05
    within_60 = wb[T.SUMMARY]["B19"].value
    assert within_60 > 0.50                      # "more than 50 % within 60 months"
    assert within_60 == pytest.approx(base[C.NPL_LOANS_RESOLVED].to_numpy()[:60].sum() / T.N_LOANS)


def test_curve_sheet_holds_the_published_points(wb):
    ws = wb[T.CURVE]
    claim = wb[T.SUMMARY]["B11"].value
    # rows 6.. hold months 1..36; months 12, 24, 36 -> 20 %, 40 %, 50 %
    got = [ws.cell(5 + m, 4).value for m in (12, 24, 36)]
    assert got == pytest.approx([0.2, 0.4, 0.5])
    assert ws.cell(5 + 12, 3).value == pytest.approx(0.2 * claim)


def test_tracking_sheet(wb):
    ws = wb[T.TRACK]
    # illustrative reports at 90 %, 75 %, 85 % of the expected: A/E in the tracking table's 5th column
    r0 = None
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == C.NPL_PERIOD and ws.cell(r, 2).value == C.TRUSTEE_PERIOD:
            r0 = r
    assert r0 is not None
    ae = [ws.cell(r0 + i, 5).value for i in (1, 2, 3)]
    assert ae == pytest.approx(list(T.TRACK_SHARES), abs=1e-6)


def test_market_sheet_lists_sources(wb):
    ws = wb[T.MARKET]
    assert [c.value for c in ws[4]][:8] == C.NPL_STATS_COLUMNS
    urls = [ws.cell(r, 7).value for r in range(5, 5 + len(mbsxl.npl_market()))]
    assert all(isinstance(u, str) and u.startswith("https://") for u in urls)


def test_waterfall_sheet_against_the_core(wb, tape):
    # the deal sheet's illustrative deal through the core: per-class stats and breakeven haircuts
    from mbsxl.deal.npl_deal import example_deal
    base = mbsxl.recoveries(tape)
    deal = example_deal(float(base[C.NPL_GROSS].sum()))
    ws = wb[T.WATER]
    stats = mbsxl.npl_deal_stats(base, deal, 100)
    assert [ws.cell(6, j).value for j in (1, 2)] == [stats.iloc[0, 0], stats.iloc[0, 1]]
    assert ws.cell(6, 3).value == pytest.approx(stats[C.WAL].iloc[0])
    assert ws.cell(7, 10).value == pytest.approx(stats[C.YIELD].iloc[1])
    # stressed: the senior class is short (its original balance is 65 % of the BASE collections, which
    # -30 % amount, +50 % costs and 6 months' delay take below the senior's principal and interest)
    assert ws.cell(12, 9).value > 0
    r = next(r for r in range(1, 40) if ws.cell(r, 2).value == "无推迟 No delay")
    for i, name in enumerate(("优先A Senior A", "次级 Sub")):
        assert ws.cell(r + 1 + i, 1).value == name
        h = mbsxl.npl_breakeven(tape, deal, name)
        assert ws.cell(r + 1 + i, 2).value == pytest.approx(h, abs=1e-9)
    # the senior survives a larger haircut than the subordinate class
    assert ws.cell(r + 1, 2).value > ws.cell(r + 2, 2).value
