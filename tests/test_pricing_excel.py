"""The pricing worksheet functions: registry entries and wrappers, checked on the SIFMA SF-50/51 example.

Figures: The Bond Market Association, Uniform Practices / Standard Formulas (02/01/99), SF-51: Ginnie Mae I
9.0% at 150% PSA, 14-day delay, price 100 -> Yield 9.10675%, Mortgage Yield 8.93863%, Average Life
9.77844, Duration 5.73147, Modified Duration 5.48186, Convexity 54.4326.
"""
from __future__ import annotations

import numpy as np
import pytest
from sf_gnma import sf_gnma_flows

from mbsxl.excel.registry import functions
from mbsxl.excel.functions import pricing as xp
from mbsxl.pricing import valuation as cv

NAMES = ["MBS_PRICE", "MBS_YIELD", "MBS_WAL", "MBS_DURATION", "MBS_CONVEXITY", "MBS_ZSPREAD", "MBS_OAS"]


CF, PRIN = sf_gnma_flows()


def test_registered_with_docs():
    reg = functions()
    for name in NAMES:
        f = reg[name]
        assert f.description and all(a.doc for a in f.args)
        # the wrapper accepts every declared argument by name, in order
        assert [a.name for a in f.args] == list(f.impl.__code__.co_varnames[:len(f.args)])
    assert reg["MBS_OAS"].returns == "table"


def test_wrappers_on_the_sf_example():
    y = xp.MBS_YIELD(CF, 100.0, 14)
    assert round(100 * y, 5) == 9.10675
    assert round(100 * xp.MBS_YIELD(CF, 100.0, 14, compounding=12), 5) == 8.93863
    assert round(xp.MBS_WAL(PRIN, 14), 5) == 9.77844
    assert round(xp.MBS_DURATION(CF, y, 14), 5) == 5.73147
    assert round(xp.MBS_DURATION(CF, y, 14, modified=True), 5) == 5.48186
    assert round(xp.MBS_CONVEXITY(CF, y, 14), 4) == 54.4326
    assert xp.MBS_PRICE(CF, y, 14) == pytest.approx(100.0, abs=1e-9)
    # balance: the same flows for a pool of 4,160,683,708 yuan price the same per 100 of face
    bal = 4_160_683_708.0
    assert xp.MBS_PRICE(CF * bal / 100, y, 14, balance=bal) == pytest.approx(100.0, abs=1e-9)
    # Z-spread 0 on a flat semiannual curve at the SF yield
    assert abs(xp.MBS_ZSPREAD(CF, 100.0, np.array([1.0, 30.0]), np.array([y, y]), 14, compounding=2)) < 1e-10


def test_oas_table():
    table = xp.MBS_OAS(99.0, 0.0666, 220, np.array([1.0, 10.0, 30.0]), np.array([0.04, 0.045, 0.047]),
                       servicing=0.003, paths=200, delay_days=25)
    assert list(table.columns) == cv.OAS_COLUMNS
    assert table["Measure"].tolist() == cv.OAS_ROWS
    values = dict(zip(table["Measure"], table["Value"]))
    assert values["Paths"] == 200 and values["Model price"] == pytest.approx(99.0, abs=1e-9)
    # a static CPR column standing in for the model (e.g. MBS_PREDICT output)
    t2 = xp.MBS_OAS(99.0, 0.0666, 220, np.array([1.0, 30.0]), np.array([0.04, 0.047]), servicing=0.003,
                    paths=200, prepay=0.1726, sigma=0.0)
    v2 = dict(zip(t2["Measure"], t2["Value"]))
    assert v2["OAS"] == pytest.approx(v2["Z-spread (zero vol)"], abs=1e-10)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="basis"):
        xp.MBS_PRICE(CF, 0.09, basis="365")
    with pytest.raises(ValueError, match="sigma"):
        xp.MBS_OAS(99.0, 0.0666, 220, np.array([1.0]), np.array([0.04]), sigma=5)
