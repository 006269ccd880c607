"""The Jianyuan 2007-1 template workbooks: current, recalculating to their stored values, reproducing
the published figures, and giving the tables of another deal's data.

Published figures (the literals below) are from the seeds: seed 001 (``shared/seeds/001_*``: 12,254
loans, 4,160,683,708 yuan, average 339,537, largest 2,842,537 (0.068%), contract <= 1,000,000 87.48%,
remaining term 10-20 years 55.5%, seasoning 0-2 years 2,799,168,689, weighted average age 35) and
seed 002 (``shared/seeds/002_*``: the 24 monthly CPRs, means 20.200% / 30.710%, prospectus CPR
17.26%, first period 700 loans and 155,912,242.71 yuan, stated 4.35%; 3.75% recomputed from the
cut-off balance).  Tables of pasted data are compared with pandas computed here.
"""
from __future__ import annotations

import math
import os

import numpy as np
import openpyxl
import pandas as pd
import pytest

calc = pytest.importorskip("mbsxl.excel.calc")

from mbsxl.pool import stratification as S
from mbsxl.reference import tape as T  # noqa: E402
from mbsxl.templates import build_all, jianyuan_pool as PT, jianyuan_prepayment as QT  # noqa: E402


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WB = os.path.join(ROOT, "workbooks")
POOL = os.path.join(WB, PT.FILENAME)
PREPAY = os.path.join(WB, QT.FILENAME)
CPR = [0.4179, 0.1347, 0.1156, 0.2083, 0.2077, 0.1953, 0.1955, 0.1963, 0.1887, 0.1727, 0.2059, 0.1856,
       0.3205, 0.2905, 0.2623, 0.3755, 0.3230, 0.2755, 0.3545, 0.3286, 0.2626, 0.2670, 0.2816, 0.3436]


@pytest.fixture(scope="module")
def pool_values():
    return calc.calculate(POOL)


@pytest.fixture(scope="module")
def prepay_values():
    return calc.calculate(PREPAY)


def _norm(values):
    out = {}
    for k, v in values.items():
        sheet, _, cell = k.rpartition("!")
        out[(sheet.strip("'"), cell.replace("$", ""))] = v
    return out


def _stored_formula_values(path):
    """(sheet, cell) -> cached value, for every formula cell and every cell of a spilled range."""
    f = openpyxl.load_workbook(path)
    v = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in f.worksheets:
        for row in ws.iter_rows():
            for c in row:
                val = c.value
                text = getattr(val, "text", val)
                if isinstance(text, str) and text.startswith("="):
                    out[(ws.title, c.coordinate)] = v[ws.title][c.coordinate].value
    return out


def _same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def test_committed_templates_are_current():
    res = build_all(WB, check=True)
    assert set(res) >= {PT.FILENAME, QT.FILENAME}
    for name in (PT.FILENAME, QT.FILENAME):
        assert res[name] == "current", (name, res[name] if isinstance(res[name], str) else res[name][:10])


@pytest.mark.parametrize("path, fixture", [(POOL, "pool_values"), (PREPAY, "prepay_values")])
def test_recalculated_values_equal_stored(path, fixture, request):
    values = _norm(request.getfixturevalue(fixture))
    stored = _stored_formula_values(path)
    assert stored, "no formula cells found"
    missing = [k for k in stored if k not in values]
    assert not missing, missing[:5]
    bad = [(k, stored[k], values[k]) for k in stored if not _same(stored[k], values[k])]
    assert not bad, bad[:5]
    # every cell of every spilled range stores a value too (viewers without mbsxl)
    none = [k for k, v in values.items() if v not in (None, "") and _stored_cell(path, k) is None]
    assert not none, none[:5]


_cache = {}


def _stored_cell(path, key):
    if path not in _cache:
        _cache[path] = openpyxl.load_workbook(path, data_only=True)
    sheet, cell = key
    return _cache[path][sheet][cell].value


def _published_rows(values):
    """Published sheet: label -> (published, computed, agrees)."""
    v = _norm(values)
    wb = openpyxl.load_workbook(POOL, data_only=True)
    ws = wb[PT.PUBLISHED]
    out = {}
    for r in range(5, ws.max_row + 1):
        name = ws[f"A{r}"].value
        if name and (PT.PUBLISHED, f"C{r}") in v:
            out[name] = (ws[f"B{r}"].value, v[(PT.PUBLISHED, f"C{r}")], v[(PT.PUBLISHED, f"F{r}")])
    return out


def test_pool_reproduces_published_figures(pool_values):
    rows = _published_rows(pool_values)
    comp = {name.split(" ", 1)[1] if " " in name else name: c for name, (p, c, a) in rows.items()}
    assert comp["Number of loans"] == 12_254
    assert round(comp["Total balance (yuan)"]) == 4_160_683_708
    assert round(comp["Average balance (yuan)"]) == 339_537
    assert round(comp["Largest balance (yuan)"]) == 2_842_537
    assert round(comp["Largest balance / total"] * 100, 3) == 0.068
    assert math.floor(comp["Average balance / total"] * 1e6) / 1e4 == 0.0081     # published truncated
    assert round(comp["Contract <= 1,000,000, share of balance"] * 100, 2) == 87.48
    assert round(comp["Remaining term 10-20y, share of balance"] * 100, 1) == 55.5
    assert round(comp["Seasoning 0-2y balance (yuan)"]) == 2_799_168_689
    assert round(comp["WA borrower age"]) == 35
    assert all(a is True for (p, c, a) in rows.values()), [k for k, (p, c, a) in rows.items() if a is not True]
    # MBS_POOLSUMMARY / MBS_STRAT on the check sheet equal the built-in Tables 1-5
    v = _norm(pool_values)
    n = len(S.SUMMARY_ROWS)
    diffs = [x for (sh, cell), x in v.items() if sh == PT.CHECK and isinstance(x, (int, float))
             and not isinstance(x, bool) and ((cell[0] in "GH") or (cell[0] == "D" and 6 <= int(cell[1:]) < 6 + n))]
    assert len(diffs) >= 13 + 2 * 22 and max(abs(x) for x in diffs) < 1e-4


def test_prepayment_reproduces_published_figures(prepay_values):
    v = _norm(prepay_values)
    s = QT.SHEET
    first = QT.HEAD_ROW + 1
    cprs = [v[(s, f"F{first + k}")] for k in range(24)]
    assert [round(c, 4) for c in cprs] == CPR
    wb = openpyxl.load_workbook(PREPAY, data_only=True)
    ws = wb[s]
    found = {}
    for r in range(first + 24, ws.max_row + 1):
        name = ws[f"A{r}"].value
        if isinstance(name, str) and (s, f"B{r}") in v:
            found[name] = v[(s, f"B{r}")]

    def get(d, english):        # labels are "中文 English"; look up by the English end
        hits = [x for k, x in d.items() if k.endswith(" " + english)]
        assert len(hits) == 1, english
        return hits[0]

    assert round(get(found, "Mean 2008") * 100, 3) == 20.200
    assert round(get(found, "Mean 2009") * 100, 3) == 30.710
    assert round(get(found, "Mean of the 24 months"), 2) == 0.25
    assert round(get(found, "Recomputed: amount / cut-off balance") * 100, 2) == 3.75
    assert round(get(found, "Amount / beginning balance of the period") * 100, 2) == 4.35
    assert round(get(found, "Recomputed: prepayment / (scheduled + prepayment)") * 100, 1) == 74.9
    # the published inputs are in the sheet beside the formulas
    inputs = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(first + 24, ws.max_row + 1)
              if isinstance(ws[f"A{r}"].value, str)}
    assert get(inputs, "Loans prepaid") == 700
    assert get(inputs, "Amount prepaid (yuan)") == 155_912_242.71
    assert get(inputs, "Stated: share of the cut-off balance") == 0.0435
    assert get(inputs, "Prospectus pricing CPR") == 0.1726


# ----------------------------------------------------------------------------------- another deal
def _small_tape(n=300, seed=5):
    rng = np.random.default_rng(seed)
    orig = rng.choice([120, 180, 240, 300, 360], n)
    seas = rng.integers(1, 100, n)
    seas = np.minimum(seas, orig - 1)
    bal = np.round(rng.uniform(5e4, 3e6, n), 2)
    return pd.DataFrame({
        T.LOAN_ID: [f"X{i:04d}" for i in range(n)],
        T.CONTRACT: np.round(bal * rng.uniform(1.0, 1.5, n), -3),
        T.BALANCE: bal,
        T.RATE: rng.choice([0.0612 * 0.7, 0.0594, 0.0655], n),
        T.ORIGINAL_TERM: orig,
        T.REMAINING_TERM: orig - seas,
        T.SEASONING: seas,
        T.AGE: rng.integers(20, 64, n),
        T.AMORTIZATION: rng.choice(["level_payment", "level_principal"], n),
    })


def _pandas_table(values, bal, bps):
    cats = pd.cut(values, bins=[-np.inf, *bps, np.inf], right=True, labels=False)
    df = pd.DataFrame({"c": cats, "b": bal})
    k = len(bps) + 1
    cnt = df.groupby("c")["b"].count().reindex(range(k), fill_value=0).to_numpy()
    sm = df.groupby("c")["b"].sum().reindex(range(k), fill_value=0.0).to_numpy()
    return cnt, sm


def test_pasted_tape_gives_its_tables(tmp_path):
    """Overwrite the tape's input cells with another 300-loan tape (the rest of the rows cleared) and
    recalculate: Table 1 and Tables 2-5 are that tape's, as pandas computes them."""
    tape = _small_tape()
    n_old = 12_254
    sets = {}
    cols = [chr(ord("A") + j) for j in range(9)]
    for i in range(n_old):
        for j, c in enumerate(cols):
            key = f"'{PT.TAPE}'!{c}{i + 2}"
            x = tape.iat[i, j] if i < len(tape) else None
            sets[key] = x.item() if hasattr(x, "item") else x
    v = _norm(calc.calculate(POOL, sets=sets))
    bal = tape[T.BALANCE].to_numpy()
    # Table 1
    first = 5           # Table 1: the core's statistics in order, values in column B
    stats = {name: v[(PT.SUMMARY, f"B{first + k}")] for k, (name, _) in enumerate(S.SUMMARY_ROWS)}
    assert stats[S.S_LOANS] == 300
    assert stats[S.S_BALANCE] == pytest.approx(bal.sum(), rel=1e-12)
    assert stats[S.S_LARGEST] == bal.max()
    assert stats[S.S_WA_RATE] == pytest.approx(np.average(tape[T.RATE], weights=bal), rel=1e-12)
    assert stats[S.S_WA_AGE] == pytest.approx(np.average(tape[T.AGE], weights=bal), rel=1e-12)
    # Tables 2-5
    for (title, col, bps, labels), (rt, rb, rl, r0) in zip(PT.TABLES, PT._layout()):
        cnt, sm = _pandas_table(tape[col].to_numpy(), bal, bps)
        got_cnt = [v[(PT.STRAT, f"B{r0 + 2 + k}")] for k in range(len(bps) + 1)]
        got_bal = [v[(PT.STRAT, f"D{r0 + 2 + k}")] for k in range(len(bps) + 1)]
        got_sh = [v[(PT.STRAT, f"E{r0 + 2 + k}")] for k in range(len(bps) + 1)]
        assert got_cnt == list(cnt), title
        np.testing.assert_allclose(got_bal, sm, rtol=1e-12)
        np.testing.assert_allclose(got_sh, sm / bal.sum(), rtol=1e-12)


def test_pasted_series_gives_its_rates():
    """Another deal's report columns over the inputs: SMM, CPR and the means are that series', as
    pandas computes them from seed 002's definitions."""
    rng = np.random.default_rng(9)
    b = np.round(np.linspace(2.0e9, 1.4e9, 24) + rng.normal(0, 1e6, 24), 2)
    s = np.round(b * rng.uniform(0.003, 0.005, 24), 2)
    p = np.round((b - s) * rng.uniform(0.005, 0.04, 24), 2)
    first = QT.HEAD_ROW + 1
    sets = {}
    for k in range(24):
        sets[f"'{QT.SHEET}'!B{first + k}"] = float(b[k])
        sets[f"'{QT.SHEET}'!C{first + k}"] = float(s[k])
        sets[f"'{QT.SHEET}'!D{first + k}"] = float(p[k])
    v = _norm(calc.calculate(PREPAY, sets=sets))
    df = pd.DataFrame({"b": b, "s": s, "p": p})
    df["smm"] = df.p / (df.b - df.s)
    df["cpr"] = 1 - (1 - df.smm) ** 12
    got_smm = [v[(QT.SHEET, f"E{first + k}")] for k in range(24)]
    got_cpr = [v[(QT.SHEET, f"F{first + k}")] for k in range(24)]
    np.testing.assert_allclose(got_smm, df.smm, rtol=1e-12)
    np.testing.assert_allclose(got_cpr, df.cpr, rtol=1e-12)
    r_sum = first + 24 + 1
    assert v[(QT.SHEET, f"B{r_sum + 1}")] == pytest.approx(df.cpr[:12].mean(), rel=1e-12)
    assert v[(QT.SHEET, f"B{r_sum + 2}")] == pytest.approx(df.cpr[12:].mean(), rel=1e-12)
    assert v[(QT.SHEET, f"B{r_sum + 3}")] == pytest.approx(df.cpr.mean(), rel=1e-12)
