"""MBS_DEALFLOWS's ``class_`` and ``header`` arguments (issue 19, item 3: the deal review's Summary sheet reads one
class's Cash Flow column for MBS_YIELD / MBS_PRICE, as it did through MBS_TRANCHES's class_ and header).

Hand-worked deal (figures worked here, not taken from mbsxl): classes A 600 at 4 % and B 400 at 5 %, B the
residual (subordinate) class, sequential principal, no fees; a two-period pool paying principal 600 then 400 and
net interest 10 then 5.
  period 1: A due 600 x 4 % / 12 = 2.00, paid 2.00; B is the residual: paid the rest of the interest, 10 - 2 = 8
            (its due 400 x 5 % / 12 = 1.6667 is only shown); principal 600 to A (A ends at 0), none to B.
  period 2: A has nothing left; B is paid all the interest, 5, and the principal 400: cash flow 405, ends at 0.
"""
import numpy as np
import pandas as pd
import pytest

import mbsxl
from mbsxl import columns as C
from mbsxl.errors import MbsxlInputError
from mbsxl.excel.functions.deal import MBS_DEALFLOWS

POOL = pd.DataFrame({C.TOTAL_PRINCIPAL: [600.0, 400.0], C.NET_INTEREST: [10.0, 5.0]})
DEAL = mbsxl.deal_from_tranches(["A", "B"], [600.0, 400.0], [0.04, 0.05])


def _grid():
    return np.array([list(POOL.columns)] + POOL.values.tolist(), dtype=object)


def test_one_class_rows_hand_worked():
    b = mbsxl.deal_flows(POOL, DEAL, class_="b")                      # case-insensitive, as MBS_TRANCHES
    assert b[C.CLASS].tolist() == ["B", "B"] and b[C.PERIOD].tolist() == [1, 2]
    assert b[C.INTEREST_PAID].tolist() == [8.0, 5.0]
    assert b[C.PRINCIPAL].tolist() == [0.0, 400.0]
    assert b[C.ENDING_BALANCE].tolist() == [400.0, 0.0]
    assert b[C.CASH_FLOW].tolist() == [8.0, 405.0]
    a = mbsxl.deal_flows(POOL, DEAL, class_="A")
    assert a[C.CASH_FLOW].tolist() == [602.0, 0.0]                    # 2 interest + 600 principal, then nothing


def test_worksheet_class_and_header():
    rows = MBS_DEALFLOWS(_grid(), DEAL, None, None, None, "B", False)
    assert rows.shape == (2, len(C.TRANCHE_COLUMNS))                  # no header row: INDEX(...,0,11) is the flows
    assert rows[:, C.TRANCHE_COLUMNS.index(C.CASH_FLOW)].tolist() == [8.0, 405.0]
    with_header = MBS_DEALFLOWS(_grid(), DEAL, None, None, None, "B", True)
    assert list(with_header.columns) == C.TRANCHE_COLUMNS and len(with_header) == 2
    every = MBS_DEALFLOWS(_grid(), DEAL)                               # blank class_: every class, as before
    assert every[C.CLASS].tolist() == ["A", "A", "B", "B"]


def test_bad_class_is_refused_with_its_value():
    with pytest.raises(MbsxlInputError, match="class_='Z'"):
        mbsxl.deal_flows(POOL, DEAL, class_="Z")
    with pytest.raises(MbsxlInputError, match="class_='B'.*view"):
        mbsxl.deal_flows(POOL, DEAL, view="ledgers", class_="B")
