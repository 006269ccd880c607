"""The pricing functions in a workbook, recalculated headless (mbsxl.excel.calc), on the SIFMA SF-51 example.

Figures: The Bond Market Association, Uniform Practices / Standard Formulas (02/01/99), SF-51: Ginnie Mae I
9.0% at 150% PSA, 14-day delay, price 100 -> Yield 9.10675%, Mortgage Yield 8.93863%, Average Life
9.77844 years, Duration 5.73147, Modified Duration 5.48186, Convexity 54.4326.
"""
from __future__ import annotations

import pytest
from sf_gnma import sf_gnma_flows

xlsxwriter = pytest.importorskip("xlsxwriter")
calc = pytest.importorskip("mbsxl.excel.calc")


@pytest.fixture(scope="module")
def values(tmp_path_factory):
    cf, prin = sf_gnma_flows()
    path = tmp_path_factory.mktemp("wb") / "pricing.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("P")
    ws.write_row(0, 0, ["Cash Flow", "Principal"])
    for i, (a, b) in enumerate(zip(cf, prin)):
        ws.write_number(i + 1, 0, float(a))
        ws.write_number(i + 1, 1, float(b))
    ws.write_number("D1", 100.0)           # price
    ws.write_number("D2", 14)              # delay days
    ws.write_formula("E1", "=MBS_YIELD(A2:A361,D1,D2)")
    ws.write_formula("E2", "=MBS_YIELD(A2:A361,D1,D2,,,,,12)")
    ws.write_formula("E3", "=MBS_WAL(B2:B361,D2)")
    ws.write_formula("E4", "=MBS_DURATION(A2:A361,E1,D2)")
    ws.write_formula("E5", "=MBS_DURATION(A2:A361,E1,D2,,,TRUE)")
    ws.write_formula("E6", "=MBS_CONVEXITY(A2:A361,E1,D2)")
    ws.write_formula("E7", "=MBS_PRICE(A2:A361,E1,D2)")
    ws.write_number("G1", 1.0)
    ws.write_number("G2", 30.0)
    ws.write_formula("H1", "=E1")
    ws.write_formula("H2", "=E1")
    ws.write_formula("E8", "=MBS_ZSPREAD(A2:A361,D1,G1:G2,H1:H2,D2,,,2)")
    ws.write_dynamic_array_formula("J1:K8", "=MBS_OAS(99,0.0666,220,G1:G2,H1:H2,0.003,0,0.01,0.1,200)")
    wb.close()
    return calc.calculate(str(path), progress=False)


def test_sf_figures_through_the_workbook(values):
    assert not values.errors
    assert round(100 * values["P!E1"], 5) == 9.10675
    assert round(100 * values["P!E2"], 5) == 8.93863
    assert round(values["P!E3"], 5) == 9.77844
    assert round(values["P!E4"], 5) == 5.73147
    assert round(values["P!E5"], 5) == 5.48186
    assert round(values["P!E6"], 4) == 54.4326
    assert values["P!E7"] == pytest.approx(100.0, abs=1e-9)
    assert abs(values["P!E8"]) < 1e-10


def test_oas_table_spills(values):
    assert values["P!J1"] == "Measure" and values["P!K1"] == "Value"
    assert values["P!J2"] == "OAS" and isinstance(values["P!K2"], float)
    assert values["P!K6"] == 200
    assert values["P!K7"] == pytest.approx(99.0, abs=1e-9)


def test_cells_equal_the_core(values):
    """Each pricing cell equals the analytics core called directly on the same column, to 1e-12 relative
    (the Excel layer adds no arithmetic)."""
    import mbsxl
    cf, prin = sf_gnma_flows()
    y = mbsxl.yield_(cf, 100.0, 14)
    want = {"E1": y, "E2": mbsxl.yield_(cf, 100.0, 14, compounding=12), "E3": mbsxl.wal(prin, 14),
            "E4": mbsxl.duration(cf, y, 14), "E5": mbsxl.duration(cf, y, 14, modified=True),
            "E6": mbsxl.convexity(cf, y, 14), "E7": mbsxl.price(cf, y, 14)}
    for cell, w in want.items():
        assert values[f"P!{cell}"] == pytest.approx(w, rel=1e-12), cell
    yc = values["P!E1"]                               # the curve cells H1:H2 read the workbook's yield
    z = mbsxl.zspread(cf, 100.0, [1.0, 30.0], [yc, yc], 14, compounding=2)
    assert values["P!E8"] == pytest.approx(z, abs=1e-15)
    oas = mbsxl.oas(99, 0.0666, 220, [1.0, 30.0], [yc, yc], servicing=0.003, age=0, sigma=0.01, mean_reversion=0.1,
                    paths=200).table()
    got = [[values[f"P!{c}{r}"] for c in "JK"] for r in range(2, 2 + len(oas))]
    for (name, val), (gname, gval) in zip(oas.itertuples(index=False, name=None), got):
        assert gname == name
        assert gval == pytest.approx(val, rel=1e-12, abs=1e-15), name
