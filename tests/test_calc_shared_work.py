"""Work shared between MBS_ calls within ONE headless recalculation, and nothing kept across runs (issue 21
item 4): ``mbsxl.excel._runmemo`` (the two views of MBS_RATINGSTRESS share one breakeven search), and the
run's garbage-collection setting (``calc._full_collections_deferred``), restored after the run.

The figures are tests/test_rating_stress.py's hand-worked deal (pool 1,000 yuan at 12% a year, 12 months,
level principal 等额本金; class A 600 at 6%, B 400 at 9%; every default in month 1, recovered in full 3 months
later, excess interest released): A's breakeven 23/35 and B's 11/35 (worked in that file's comments: B's
interest falls short in month 4 once the defaulted balance stops earning, A's once the loss of interest exceeds
what B's coupon and the excess cover)."""
import gc

import numpy as np
import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from mbsxl.deal import agency_stress
from mbsxl.excel import _runmemo, calc
from mbsxl.excel.dispatch import call

BE_A, BE_B = 23 / 35, 11 / 35                      # hand-worked, tests/test_rating_stress.py
_ARGS = ("1000,0.12,12,A1:A2,B1:B2,C1:C2,0.1,E1:E4,F1:F4,H1:I2,1,3,0,\"sequential\",0,,,0,2,,,5,M1,\"month\","
         "\"{view}\",1E-07,FALSE,FALSE,\"level_principal\"")


def _workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for i, (n, b, c) in enumerate(zip(["A", "B"], [600.0, 400.0], [0.06, 0.09])):
        ws.cell(1 + i, 1, n), ws.cell(1 + i, 2, b), ws.cell(1 + i, 3, c)
    for i, (r, m) in enumerate(zip(["AAA", "AA", "A", "BBB"], [5.0, 4.0, 3.0, 2.0])):
        ws.cell(1 + i, 5, r), ws.cell(1 + i, 6, m)
    ws["H1"], ws["I1"], ws["H2"], ws["I2"] = "Scenario", "Timing", "month 1", 1
    ws["M1"] = 1.0
    ws["A20"] = ArrayFormula("A20:H28", "=MBS_RATINGSTRESS(" + _ARGS.format(view="ratings") + ")")
    ws["A40"] = ArrayFormula("A40:I42", "=MBS_RATINGSTRESS(" + _ARGS.format(view="breakevens") + ")")
    path = tmp_path / "stress.xlsx"
    wb.save(path)
    return str(path)


@pytest.fixture
def searches(monkeypatch):
    n = []
    real = agency_stress.breakevens

    def counted(*a, **k):
        n.append(1)
        return real(*a, **k)
    monkeypatch.setattr(agency_stress, "breakevens", counted)
    return n


def test_both_views_share_one_search_per_run_and_nothing_across_runs(tmp_path, searches):
    path = _workbook(tmp_path)
    v = calc.calculate(path, progress=False)
    assert len(searches) == 1                                        # two formulas, one search
    assert v["S!I41"] == pytest.approx(BE_A, abs=1e-6) and v["S!I42"] == pytest.approx(BE_B, abs=1e-6)
    assert v["S!E21"] == v["S!I41"] and v["S!E25"] == v["S!I42"]      # the ratings view reads the same search
    assert _runmemo._MEMO is None                                    # the memo ended with the run
    calc.calculate(path, progress=False)
    assert len(searches) == 2                                        # a new run searches again


def test_outside_a_run_each_call_computes_and_gives_the_same_table(searches):
    col = lambda xs: np.array([[x] for x in xs], dtype=object)     # noqa: E731
    scen = np.array([["Scenario", "Timing"], ["month 1", 1]], dtype=object)
    args = [1000.0, 0.12, 12, col(["A", "B"]), col([600.0, 400.0]), col([0.06, 0.09]), 0.1,
            col(["AAA", "AA", "A", "BBB"]), col([5.0, 4.0, 3.0, 2.0]), scen, 1.0, 3, 0, "sequential", 0, None, None,
            0, 2, None, None, 5, col([1.0]), "month", "breakevens", 1e-7, False, False, "level_principal"]
    alone = call("MBS_RATINGSTRESS", *args)
    again = call("MBS_RATINGSTRESS", *args)
    assert len(searches) == 2                                        # Excel's (xlwings) path: no memo
    with _runmemo.scope():
        inside = call("MBS_RATINGSTRESS", *args)
        args[24] = "ratings"
        ratings = call("MBS_RATINGSTRESS", *args)
    assert len(searches) == 3                                        # the two views inside one scope: one search
    assert alone == again == inside                                  # the same table, bit for bit
    assert [r[-1] for r in alone[1:]] == pytest.approx([BE_A, BE_B], abs=1e-6)
    assert ratings[1][4] == alone[1][-1] and ratings[5][4] == alone[2][-1]


def test_bad_view_is_refused_before_any_search(searches):
    with _runmemo.scope():
        e = call("MBS_RATINGSTRESS", 1000.0, 0.12, 12, None, None, None, 0.1, *([None] * 17), "sideways")
    assert e.code == "#VALUE!" and "view" in e.reason and "sideways" in e.reason
    assert searches == []


def test_keys_tell_apart_what_python_calls_equal():
    f = _runmemo.freeze
    assert len({f(1), f(1.0), f(True)}) == 3                        # 1 == 1.0 == True in Python
    assert f(0.0) != f(-0.0) and f(float("nan")) == f(float("nan"))
    assert f(np.array([[1.0, 2.0]])) == f(np.array([[1.0, 2.0]])) != f(np.array([[1.0], [2.0]]))
    assert f(np.array([[1, "a"]], dtype=object)) != f(np.array([[1.0, "a"]], dtype=object))
    with pytest.raises(TypeError):
        f({"a": 1})


def test_a_failure_is_not_kept_and_unkeyable_arguments_are_computed():
    runs = []

    def boom():
        runs.append(1)
        raise ValueError("bad input")
    with _runmemo.scope():
        for _ in range(2):
            with pytest.raises(ValueError):
                _runmemo.shared("f", (1.0,), boom)
        assert _runmemo.shared("g", ({"a": 1},), lambda: 5) == 5
    assert len(runs) == 2


def test_collector_thresholds_raised_during_a_run_and_restored(tmp_path, monkeypatch):
    """The run's collector settings (mbsxl.excel._heap: young generation every YOUNG allocations,
    the heap frozen at stage boundaries) hold during the evaluation and are undone after it."""
    from mbsxl.excel import _heap
    seen = []
    real = calc._pycel_evaluate

    def spy(*a, **k):
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return real(*a, **k)
    monkeypatch.setattr(calc, "_pycel_evaluate", spy)
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*3"
    path = tmp_path / "small.xlsx"
    wb.save(path)
    before = gc.get_threshold()
    v = calc.calculate(str(path), progress=False)
    assert v["Sheet!A2"] == 6
    (thresholds, frozen), = seen
    assert thresholds[0] >= _heap.YOUNG and thresholds[1:] == before[1:] and frozen > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
