"""Run in a child process by tests/test_lite.py: import the generated xlwings Lite ``main.py`` the way
xlwings Lite does and call each function through xlwings' own Lite calling path.

The child sets ``XLWINGS_ON_SERVER=true`` so that ``from xlwings import func, arg`` are xlwings' Office.js
decorators (``xlwings.pro.udfs_officejs.xlfunc``/``xlarg``, which xlwings Lite uses) and
``XLWINGS_LICENSE_KEY=noncommercial`` (xlwings' own free key for the pro package this needs off Lite).
numba, pycel, formulas, openpyxl, xlsxwriter and defusedxml are blocked: they are not installed in Lite.
Each case is sent as Office.js sends it (``custom_functions_call``'s ``data["args"]``: every argument a
2-D list, an omitted one ``None``, an error cell ``{"type": "Error", "basicValue": "#N/A"}`` or its text,
dates as serial numbers) and compared with the analytics core called directly.  Prints one JSON line
per case: ``{"case": ..., "ok": bool, "detail": ...}``.
"""
from __future__ import annotations

import asyncio
import importlib.abc
import importlib.util
import json
import math
import sys

BLOCKED = {"numba", "llvmlite", "pycel", "formulas", "openpyxl", "xlsxwriter", "defusedxml", "win32com",
           "pythoncom"}


class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available in xlwings Lite (blocked by the test)")
        return None


def main(main_py: str) -> None:
    sys.meta_path.insert(0, _Block())
    import datetime as dt

    import numpy as np
    import pandas as pd
    import xlwings
    from xlwings.server import custom_functions_call, custom_functions_meta

    spec = importlib.util.spec_from_file_location("main", main_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import mbsxl

    called = set()

    def lite(name, *args):
        called.add(name)
        data = {"func_name": name, "args": list(args), "version": xlwings.__version__, "client": "Office.js",
                "runtime": "1.4", "culture_info_name": "en-US", "date_format": "m/d/yyyy"}
        return asyncio.run(custom_functions_call(data, module))

    def rows(obj):
        if isinstance(obj, pd.DataFrame):
            out = [list(map(str, obj.columns))] + obj.astype(object).values.tolist()
        else:
            a = np.asarray(obj, dtype=object)
            a = a.reshape(-1, 1) if a.ndim == 1 else a.reshape(1, 1) if a.ndim == 0 else a
            out = a.tolist()
        return [["" if (x is None or (isinstance(x, float) and math.isnan(x))) else x for x in r] for r in out]

    def same(got, want):
        if isinstance(want, list):
            if len(got) != len(want):
                return False
            return all(same(g, w) for g, w in zip(got, want))
        if isinstance(want, bool) or isinstance(got, bool):
            return got == want
        if isinstance(want, (int, float, np.number)) and isinstance(got, (int, float, np.number)):
            return abs(got - want) <= 1e-12 * max(abs(got), abs(want), 1e-300)
        return got == want

    results = []

    def case(label, got, want):
        ok = same(got, want)
        results.append({"case": label, "ok": bool(ok), "detail": "" if ok else f"{got!r:.300} != {want!r:.300}"})

    def error(label, got, code):
        ok = isinstance(got, list) and got == [[{"type": "Error", "errorType": code}]]
        results.append({"case": label, "ok": ok, "detail": "" if ok else repr(got)[:300]})

    meta = custom_functions_meta(module)
    names = sorted(f["name"] for f in meta["functions"])
    from mbsxl.excel.registry import functions
    case("every registry function is a Lite function", names, sorted(n.upper() for n in functions()))
    described = all(f["description"] and all(p.get("description") for p in f["parameters"])
                    for f in meta["functions"])
    results.append({"case": "descriptions", "ok": described, "detail": ""})

    # scalars, rows, columns, blocks
    case("scalar from a cell", lite("MBS_SMM", [[0.25]], None, None), [[float(mbsxl.smm(0.25))]])
    case("row", lite("MBS_SMM", [[0.1, 0.2, 0.3]], None, None), [list(mbsxl.smm(np.array([0.1, 0.2, 0.3])))])
    case("column", lite("MBS_SMM", [[0.1], [0.2]], None, None), rows(mbsxl.smm(np.array([0.1, 0.2]))))
    case("block", lite("MBS_SMM", [[0.1, 0.2], [0.3, 0.4]], None, None),
         mbsxl.smm(np.array([[0.1, 0.2], [0.3, 0.4]])).tolist())
    case("text number", lite("MBS_SMM", [["25%"]], None, None), [[float(mbsxl.smm(0.25))]])
    principal = [10.0, 20.0, 30.0, 40.0]
    case("vector column", lite("MBS_WAL", [[p] for p in principal]), [[mbsxl.wal(np.array(principal))]])
    case("vector row", lite("MBS_WAL", [principal]), [[mbsxl.wal(np.array(principal))]])
    # blank (null and ""), omitted, boolean
    want = rows(mbsxl.cashflows(1e6, 0.0666, 36, 0.1, advance=False))
    case("blank, omitted, boolean", lite("MBS_CASHFLOWS", [[1e6]], [[0.0666]], [[36]], [[0.1]], [[None]], None,
                                         [[""]], None, None, None, None, [[False]]), want)
    # errors: as Office.js data types and as text
    error("error cell (data type)", lite("MBS_SMM", [[{"type": "Error", "basicValue": "#N/A"}]], None, None),
          "NotAvailable")
    error("error cell (text)", lite("MBS_SMM", [["#DIV/0!"]], None, None), "Div0")
    error("bad input", lite("MBS_SMM", [["abc"]], None, None), "Value")
    case("MBS_ERROR gives the reason", lite("MBS_ERROR", None), [["MBS_SMM: cpr[1]='abc' is text, not a number; "
                                                                  "enter a number (text like '1,234.5' or '25%' "
                                                                  "is read too)"]])
    # dates arrive as serial numbers
    case("date serial", lite("MBS_COUPONINDEX", [[39430]], [[24]]),
         rows(mbsxl.coupon_index(dt.date(2007, 12, 14), 24)))
    # the six cases classic xlwings broke: class_, headers=TRUE, compounding from a cell
    flows = mbsxl.cashflows(1_000_000.0, 0.07, 36, 0.15, default=0.02, severity=0.4)
    names_, bals, cpns = [["A"], ["B"], ["Sub"]], [[7e5], [2e5], [1e5]], [[0.04], [0.05], [0.0]]
    for fn, core in (("MBS_TRANCHES", mbsxl.tranches), ("MBS_TRANCHESTATS", mbsxl.tranche_stats)):
        want = rows(core(flows, None, None, ["A", "B", "Sub"], np.array([7e5, 2e5, 1e5]),
                         np.array([0.04, 0.05, 0.0]), "sequential", 0, "A"))
        case(f"{fn} class_ from a cell", lite(fn, rows(flows), None, None, names_, bals, cpns, None, None, [["A"]]),
             want)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 2))
    y = 0.3 + x @ np.array([0.5, -0.2]) + rng.normal(scale=0.1, size=40)
    yb = (x @ np.array([1.0, -0.5]) + rng.logistic(size=40) > 0).astype(float)
    xs = [["rate", "age"]] + x.tolist()
    for fn, core, yy in (("MBS_REGRESS", mbsxl.regress, y), ("MBS_LOGIT", mbsxl.logit, yb)):
        ys = [["cpr"]] + [[v] for v in yy]
        want = rows(core(np.array(ys, dtype=object), np.array(xs, dtype=object), headers=True).table())
        case(f"{fn} headers TRUE", lite(fn, ys, xs, [[True]]), want)
    cf = np.full(24, 5.0)
    cf[-1] += 100.0
    terms, rates = [[0.5], [1.0], [2.0]], [[0.03], [0.032], [0.035]]
    want = mbsxl.zspread(cf, 98.0, np.array([0.5, 1.0, 2.0]), np.array([0.03, 0.032, 0.035]), compounding=2)
    case("MBS_ZSPREAD compounding from a cell",
         lite("MBS_ZSPREAD", [[v] for v in cf], [[98.0]], terms, rates, None, None, None, [[2.0]]), [[want]])
    want = rows(mbsxl.oas(100.0, 0.06, 24, np.array([0.5, 1.0, 2.0]), np.array([0.03, 0.032, 0.035]), paths=50,
                          compounding=2).table())
    args = [[[100.0]], [[0.06]], [[24]], terms, rates] + [None] * 4 + [[[50]]] + [None] * 9 + [[[2.0]]]
    case("MBS_OAS compounding from a cell", lite("MBS_OAS", *args), want)
    # the other functions
    ages = np.array([1.0, 15.0, 30.0, 45.0])
    smm = np.array([0.005, 0.01, 0.02])
    cf = np.full(36, 1.5)
    cf[-1] += 100.0
    bal = np.array([100_000.0, 250_000.0, 80_000.0, 310_000.0])
    rate = np.array([0.065, 0.0612, 0.07, 0.0588])
    term = np.array([120.0, 240.0, 60.0, 180.0])
    x = rng.normal(size=(30, 2))
    y = 0.2 + x @ np.array([0.4, 0.1]) + rng.normal(scale=0.2, size=30)

    def col(v):
        return [[float(a)] for a in v]
    others = [
        ("MBS_CPR", lite("MBS_CPR", col(smm), None, None), rows(mbsxl.cpr(smm))),
        ("MBS_MDR", lite("MBS_MDR", col(smm * 10)), rows(mbsxl.mdr(smm * 10))),
        ("MBS_CDR", lite("MBS_CDR", col(smm / 10)), rows(mbsxl.cdr(smm / 10))),
        ("MBS_PSA", lite("MBS_PSA", col(ages), [[150]]), rows(mbsxl.psa(ages, 150))),
        ("MBS_SDA", lite("MBS_SDA", col(ages), [[200]]), rows(mbsxl.sda(ages, 200))),
        ("MBS_PRICE", lite("MBS_PRICE", col(cf), [[0.05]]), [[mbsxl.price(cf, 0.05)]]),
        ("MBS_YIELD", lite("MBS_YIELD", col(cf), [[101.5]]), [[mbsxl.yield_(cf, 101.5)]]),
        ("MBS_DURATION", lite("MBS_DURATION", col(cf), [[0.05]], None, None, None, [[True]]),
         [[mbsxl.duration(cf, 0.05, modified=True)]]),
        ("MBS_CONVEXITY", lite("MBS_CONVEXITY", col(cf), [[0.05]]), [[mbsxl.convexity(cf, 0.05)]]),
        ("MBS_LOANCASHFLOWS", lite("MBS_LOANCASHFLOWS", col(bal), col(rate), col(term), [[0.08]]),
         rows(mbsxl.loan_cashflows(bal, rate, term, 0.08))),
        ("MBS_STRAT", lite("MBS_STRAT", col(rate), col(bal), [[0.06, 0.065]]),
         rows(mbsxl.strat(rate, bal, np.array([0.06, 0.065])))),
        ("MBS_POOLSUMMARY", lite("MBS_POOLSUMMARY", col(bal), col(rate), col(term)),
         rows(mbsxl.pool_summary(bal, rate, term))),
        ("MBS_PREDICT", lite("MBS_PREDICT", col(y), x.tolist(), x[:5].tolist()), rows(mbsxl.predict(y, x, x[:5]))),
        ("MBS_VERSION", lite("MBS_VERSION"), [[mbsxl.__version__]]),
    ]
    for label, got, want in others:
        case(f"{label} equals the core", got, want)
    missing = sorted(set(functions()) - called)
    results.append({"case": "every registry function called", "ok": not missing, "detail": ", ".join(missing)})
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    results.append({"case": "no heavy package imported", "ok": not heavy, "detail": ", ".join(heavy)})
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1])
