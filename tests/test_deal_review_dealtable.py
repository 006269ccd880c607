"""The deal review's ``交易要素 Deal table`` sheet (issue 19, item 3): Jianyuan 2007-1 written as a deal table gives
the numbers of the existing sheets.  The reference is the workbook's own MBS_TRANCHES / MBS_TRANCHESTATS results
(the waterfall checked against an independently written one in tests/test_waterfall_independent*.py): the sheet's
check block and flow check must show 0, the parser must refuse nothing, and no formula on the sheet is over 200
characters (issue 19's readability rule).
"""
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import mbsxl
from mbsxl.templates import deal_review_dealtable as D
from mbsxl.templates import jianyuan_deal_review as J

BOOK = Path(__file__).resolve().parents[1] / "workbooks" / J.FILENAME


@pytest.fixture(scope="module")
def sheets():
    return (openpyxl.load_workbook(BOOK, data_only=True)[D.SHEET], openpyxl.load_workbook(BOOK)[D.SHEET])


def _find(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and text in c.value:
                return c.row, c.column
    raise AssertionError(text)


def test_check_block_and_flow_check_are_zero(sheets):
    vals, _ = sheets
    r, _c = _find(vals, "Check: deal table less MBS_TRANCHESTATS")
    body = [[vals.cell(r + 2 + i, 2 + j).value for j in range(8)] for i in range(J.N_CLASSES)]
    assert [vals.cell(r + 2 + i, 1).value for i in range(J.N_CLASSES)] == list(mbsxl.reference.jianyuan.TRANCHES)
    assert np.abs(np.array(body, dtype=float)).max() <= 1e-9            # WAL differs by 1.8e-15 years (rounding)
    rs, _c = _find(vals, "Sum of absolute differences")
    assert abs(vals.cell(rs, 2).value) <= 1e-9
    rf, _c = _find(vals, "Class flows: sum of absolute differences")
    assert abs(vals.cell(rf, 2).value) <= 1e-6                           # yuan, over 4 classes x 197 months


def test_parser_refuses_nothing(sheets):
    vals, _ = sheets
    r, c = _find(vals, "What the parser understood")
    results = []
    k = r + 2
    while vals.cell(k, c).value:
        results.append(vals.cell(k, c + 3).value)
        k += 1
    assert len(results) == len(mbsxl.deal_check(D.python_table(J))) and set(results) == {"understood"}


def test_no_formula_over_200_characters(sheets):
    _, forms = sheets
    longest = 0
    for row in forms.iter_rows():
        for c in row:
            t = getattr(c.value, "text", c.value)
            if isinstance(t, str) and t.startswith("="):
                longest = max(longest, len(t))
    assert 0 < longest <= 200


def test_python_twin_equals_tranche_stats():
    # the same table as data (the sheet's values) through mbsxl.deal_stats equals mbsxl.tranche_stats with the
    # Deal sheet's positional arguments, prospectus scenario
    from mbsxl.templates import deal_review_rating as R
    kw = R.python_args(J)
    pool = mbsxl.cashflows(kw["balance"], J.WAC, J.WAM, mbsxl.reference.jianyuan.PROSPECTUS_CPR, "CPR", J.CDR, "CDR",
                           J.SEVERITY, J.LAG, J.SERVICING, J.AGE)
    a = mbsxl.deal_stats(pool, D.python_table(J), index=kw["index"])
    b = mbsxl.tranche_stats(pool, None, None, kw["tranche_names"], kw["tranche_balances"], kw["tranche_coupons"],
                            "sequential", J.CALL, index=kw["index"], floating=kw["floating"], fees=J.FEES)
    cols = [c for c in b.columns if c != "Class"]
    assert np.abs(a[cols].to_numpy(dtype=float) - b[cols].to_numpy(dtype=float)).max() <= 1e-6
