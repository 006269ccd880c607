"""The NPL worksheet functions (issue 20) recalculated through a workbook: openpyxl writes the formulas
(array formulas for tables), ``mbsxl.excel.calc.calculate`` recalculates, and every value equals the core
called directly (1e-12 relative).  Inputs: a generated NPL tape (mbsxl.reference.npl_tape, seed 5; not data), the
illustrative deal of mbsxl.deal.npl_deal.example_deal, a made-up two-period trustee history; the published
three-year shape 20/40/50 % (reportify.ai, 2024-10-28) is checked by value."""
import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import mbsxl
from mbsxl import columns as C
from mbsxl.excel.calc import calculate
from mbsxl.deal.npl_deal import example_deal
from mbsxl.reference.npl_tape import generated_tape

REL = 1e-12
N = 40


def _col(c0: str, k: int) -> str:
    return openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(c0) + k)


def _ref(top_left: str, df: pd.DataFrame) -> str:
    m = re.match(r"([A-Z]+)(\d+)", top_left)
    return f"{top_left}:{_col(m.group(1), df.shape[1] - 1)}{int(m.group(2)) + df.shape[0]}"


def _same(got, want):
    if want is None or isinstance(want, (float, np.floating)) and math.isnan(want):
        return got in (None, "", 0)
    if isinstance(want, (bool, np.bool_)):
        return got == bool(want)
    if isinstance(want, (int, float, np.integer, np.floating)):
        return isinstance(got, (int, float)) and abs(got - want) <= REL * max(abs(got), abs(want), 1e-300)
    return got == want


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    tape = generated_tape(N, seed=5)
    rec = mbsxl.recoveries(tape)
    deal = example_deal(float(rec[C.NPL_GROSS].sum()))
    claim = float((tape[C.NPL_PRINCIPAL] + tape[C.NPL_INTEREST] + tape[C.NPL_FEES]).sum())
    hist = pd.DataFrame({"收款期间 Collection period": ["2025-01", "2025-02"],
                         "回收金额 Recoveries": [float(rec[C.NPL_GROSS].iloc[0]) * 0.8, 1000.0]})
    want = {"rec": rec, "loans": mbsxl.recovery_loans(tape, 0.35),
            "curve": mbsxl.recovery_curve(1000.0, "three_year", 0.2, 3), "stages": mbsxl.recovery_stages(),
            "market": mbsxl.npl_market("recovery"),
            "track": mbsxl.recovery_track(hist, rec[C.NPL_GROSS], claim),
            "pool": mbsxl.npl_pool(rec), "flows": mbsxl.npl_flows(rec, deal),
            "dstats": mbsxl.npl_deal_stats(rec, deal, 100),
            "grid": mbsxl.npl_grid(tape, deal, "次级 Sub", [0.3, 0.5], [0, 6])}
    path = tmp_path_factory.mktemp("npl") / "npl.xlsx"
    wb = openpyxl.Workbook()
    t = wb.active
    t.title = "Tape"
    t.append(list(tape.columns))
    for row in tape.itertuples(index=False, name=None):
        t.append([x.item() if isinstance(x, np.generic) else x for x in row])
    tape_rng = f"Tape!A1:I{N + 1}"
    d = wb.create_sheet("Deal")
    for i, row in enumerate(deal, start=1):
        for j, c in enumerate(row, start=1):
            if c is not None:
                d.cell(i, j, c)
    deal_rng = f"Deal!A1:F{len(deal)}"
    h = wb.create_sheet("Hist")
    h.append(list(hist.columns))
    for row in hist.itertuples(index=False, name=None):
        h.append(list(row))
    r = wb.create_sheet("R")
    rec_rng = "R!" + _ref("A1", rec)
    gross = f"R!B2:B{1 + len(rec)}"
    formulas = {
        "rec": ("A1", f"=MBS_RECOVERIES({tape_rng})"),
        "loans": ("K1", f"=MBS_RECOVERYLOANS({tape_rng},0.35)"),
        "curve": ("W1", '=MBS_RECOVERYCURVE(1000,"three_year",0.2,3)'),
        "stages": ("AB1", "=MBS_RECOVERYSTAGES()"),
        "market": ("AF1", '=MBS_NPLMARKET("recovery")'),
        "track": ("AO1", f"=MBS_RECOVERYTRACK(Hist!A1:B3,{gross},{claim!r})"),
        "pool": ("BB1", f"=MBS_NPLPOOL({rec_rng})"),
        "flows": ("BK1", f"=MBS_NPLFLOWS({rec_rng},{deal_rng})"),
        "dstats": ("BW1", f"=MBS_NPLDEALSTATS({rec_rng},{deal_rng},100)"),
        "grid": ("CH1", f'=MBS_NPLGRID({tape_rng},{deal_rng},"次级 Sub",{{0.3;0.5}},{{0,6}})'),
    }
    for key, (at, text) in formulas.items():
        r[at] = ArrayFormula(_ref(at, want[key]), text)
    r["CP1"] = f'=MBS_NPLBREAKEVEN({tape_rng},{deal_rng},"优先A Senior A")'
    want["breakeven"] = mbsxl.npl_breakeven(tape, deal, "优先A Senior A")
    wb.save(path)
    return calculate(path, progress=False), want, formulas


@pytest.mark.parametrize("key", ["rec", "loans", "curve", "stages", "market", "track", "pool", "flows", "dstats",
                                 "grid"])
def test_table_functions_equal_the_core(book, key):
    values, want, formulas = book
    df = want[key]
    at = formulas[key][0]
    m = re.match(r"([A-Z]+)(\d+)", at)
    rows = [list(df.columns)] + [list(x) for x in df.itertuples(index=False, name=None)]
    bad = []
    for i, row in enumerate(rows):
        for j, w in enumerate(row):
            got = values[f"R!{_col(m.group(1), j)}{int(m.group(2)) + i}"]
            if not _same(got, w):
                bad.append((i, j, got, w))
    assert not bad, bad[:5]


def test_breakeven_and_the_published_shape(book):
    values, want, _ = book
    assert values["R!CP1"] == pytest.approx(want["breakeven"], rel=REL)
    # MBS_RECOVERYCURVE "three_year" with -20 % and 3 months' delay: month 15 = 0.8 x 20 % = 16 %
    assert values["R!Z16"] == pytest.approx(0.16)
