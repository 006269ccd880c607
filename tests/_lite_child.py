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
import sys

BLOCKED = {"numba", "llvmlite", "pycel", "formulas", "openpyxl", "xlsxwriter", "defusedxml", "win32com",
           "pythoncom"}


class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available in xlwings Lite (blocked by the test)")
        return None


_ERROR_TEXT = {"Div0": "#DIV/0!", "NotAvailable": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
               "Ref": "#REF!", "Value": "#VALUE!"}


def templates(lite, same, spec_path: str) -> list[dict]:
    """Every MBS_ formula of the templates (tests/test_lite.py exports the formulas and the stored values
    as JSON; openpyxl is not available here) recomputed through the Lite path: a reference is passed as
    the 2-D list of its values, a typed value as a 1x1 list, an omitted argument as None, a nested
    call's result as the 2-D list it returned (an error as Office.js' error value); INDEX and MATCH
    around the calls are evaluated as Excel does."""
    from _xl_formula import parse
    spec = json.load(open(spec_path, encoding="utf-8"))
    out = []
    for name, book in spec.items():
        cells = {sheet: {tuple(map(int, k.split(","))): v for k, v in vals.items()}
                 for sheet, vals in book["values"].items()}

        names = book.get("names", {})

        def box(text, here):
            text = names.get(text, text)                  # a defined name -> its reference
            sheet, addr = (text.rsplit("!", 1) if "!" in text else (here, text))
            sheet = sheet.strip("'").replace("''", "'")
            parts = addr.replace("$", "").split(":")

            def rc(a):
                col = 0
                for ch in a.rstrip("0123456789"):
                    col = col * 26 + ord(ch) - 64
                return int(a[len(a.rstrip("0123456789")):]), col
            (r1, c1), (r2, c2) = rc(parts[0]), rc(parts[-1])
            return sheet, r1, c1, r2, c2

        def values(b, empty=None):
            sheet, r1, c1, r2, c2 = b
            got = cells.get(sheet, {})
            return [[got.get((r, c), empty) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

        def as_arg(v):                        # a result handed on to the next function
            if isinstance(v, dict) and v.get("type") == "Error" and "errorType" in v:
                return {"type": "Error", "basicValue": _ERROR_TEXT[v["errorType"]]}
            return v

        def ev(node, here):
            kind = node[0]
            if kind == "missing":
                return None
            if kind == "value":
                return [[node[1]]]
            if kind == "ref":
                return values(box(node[1], here), JsNull())          # an empty cell is JS null
            fname, args = node[1], node[2]
            if fname.startswith("MBS_"):
                res = lite(fname, *[ev(a, here) for a in args])
                return [[as_arg(x) for x in row] for row in res]
            if fname == "INDEX":
                src = ev(args[0], here)
                r = int(ev(args[1], here)[0][0])
                c = int(ev(args[2], here)[0][0]) if len(args) > 2 else (1 if len(src[0]) == 1 else 0)
                if r == 0:
                    return [[row[c - 1]] for row in src]
                if c == 0:
                    return [src[r - 1]]
                return [[src[r - 1][c - 1]]]
            if fname == "IF":                 # IF(cell, MBS_..., "text"): only the branch taken is evaluated
                cond = ev(args[0], here)[0][0]
                return ev(args[1] if cond not in (None, False, 0) else args[2], here)
            if fname == "MATCH":
                key = ev(args[0], here)[0][0]
                flat = [v for row in ev(args[1], here) for v in row]
                return [[float(flat.index(key) + 1)]]
            raise NotImplementedError(fname)

        def show(v):
            if isinstance(v, dict) and v.get("type") == "Error":
                return _ERROR_TEXT.get(v.get("errorType"), v.get("basicValue"))
            return None if v == "" else v

        bad, n = [], 0
        for f in book["formulas"]:
            n += 1
            here = f["sheet"]
            got = ev(parse(f["formula"]), here)
            target = box(f["ref"] or f["cell"], here)
            want = values(target)
            if len(got) == 1 and len(got[0]) == 1 and (len(want) > 1 or len(want[0]) > 1):
                got = [[got[0][0]]]                 # a single result (an error) in a table's anchor
            for i, row in enumerate(want):
                for j, w in enumerate(row):
                    w = show(w)
                    g = show(got[i][j]) if i < len(got) and j < len(got[i]) else None
                    if not same(g, w):
                        bad.append(f"{here}!{f['cell']}[{i},{j}]: {g!r} != {w!r}")
        out.append({"case": f"template {name}", "ok": not bad and n > 0,
                    "detail": f"{n} formulas; " + "; ".join(bad[:3])})
    return out


class JsNull:
    """Pyodide's ``pyodide.ffi.JsNull`` (Pyodide >= 0.28): how JS ``null`` (an empty cell in a range)
    reaches Python in xlwings Lite."""


def _pyodide_stand_in() -> None:
    """``pyodide.ffi`` with its ``JsNull`` type, as in Lite: xlwings imports it for every cell it cleans
    (``xlwings.utils.is_jsnull``); a failing import per cell would only make this run slow."""
    import types
    ffi = types.ModuleType("pyodide.ffi")
    ffi.JsNull = JsNull
    pkg = types.ModuleType("pyodide")
    pkg.ffi = ffi
    sys.modules.update({"pyodide": pkg, "pyodide.ffi": ffi})


def main(main_py: str, templates_json: str | None = None) -> None:
    sys.meta_path.insert(0, _Block())
    _pyodide_stand_in()
    import datetime as dt

    import numpy as np
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

    from _expected import expected_rows as rows

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

    def same_cell(g, w):
        if isinstance(g, (int, float)) and isinstance(w, (int, float)) and not isinstance(g, bool) \
                and not isinstance(w, bool):
            return abs(g - w) <= 1e-10 * max(abs(g), abs(w), 1e-300)
        return g == w

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
    case("blank as JsNull", lite("MBS_CASHFLOWS", [[1e6]], [[0.0666]], [[36]], [[0.1]], [[JsNull()]], None,
                                 [[JsNull()]], None, None, None, None, [[False]]), want)
    case("column with trailing JsNull", lite("MBS_WAL", [[10.0], [20.0], [JsNull()]]),
         [[mbsxl.wal(np.array([10.0, 20.0]))]])
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
    case("date serials, a column", lite("MBS_RATEINDEX", [[43830], [44197]]),
         rows(mbsxl.rate_index([dt.date(2019, 12, 31), dt.date(2021, 1, 1)]).reshape(-1, 1)))
    scen = mbsxl.lpr_scenario(-0.005, 6, "lpr_5y", "step")
    scen.iloc[:, 0] = [float((d - dt.date(1899, 12, 30)).days) for d in scen.iloc[:, 0]]      # Excel serials
    case("LPR scenario table", lite("MBS_LPRSCENARIO", [[-0.005]], [[6]], None, [["step"]]), rows(scen))
    floors = mbsxl.mortgage_floors()
    floors.iloc[:, 0] = [float((d - dt.date(1899, 12, 30)).days) for d in floors.iloc[:, 0]]       # Excel serials
    case("MBS_LOANRATES, a date serial and Chinese rate type",
         lite("MBS_LOANRATES", [[1000]], [[0.0588]], [[24]], [[43800]], [["基准"]], None, None, None, [[True]], None,
              None, None, None, None, None, [[1.2]]),
         rows(mbsxl.loan_rates([1000.0], [0.0588], [24], dt.date(2019, 12, 1), rate_type="benchmark",
                               conversion=True, multipliers=[1.2])))
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
    # a trustee report: header row, text periods, amounts (rows roll: 1000 - 10 - 49.5 - 5 = 935.5 ...)
    report = [["Period", "期初本金余额 Beginning balance", "Scheduled principal", "Prepayment", "Defaults",
               "Ending balance"], ["2020-01", 1000.0, 10.0, 49.5, 5.0, 935.5], ["2020-02", 935.5, 15.5, 46.0, 4.0, 870.0]]
    import pandas as pd
    report_df = pd.DataFrame(report[1:], columns=report[0])
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
        ("MBS_GRID", lite("MBS_GRID", [[1e6]], [[0.07]], [[36]], [["A"], ["B"]], col([8e5, 2e5]), col([0.04, 0.0]),
                          [["B"]], [[100.0]], col([0.0, 0.2]), [[0.0, 0.1]], [[0.5]]),
         rows(mbsxl.grid(1e6, 0.07, 36, ["A", "B"], [8e5, 2e5], [0.04, 0.0], "B", 100.0, [0.0, 0.2], [0.0, 0.1],
                         0.5))),
        ("MBS_BREAKEVEN", lite("MBS_BREAKEVEN", [[1e6]], [[0.07]], [[36]], [["A"], ["B"]], col([8e5, 2e5]),
                               col([0.04, 0.0]), [["A"]], [[0.1]], [[0.6]]),
         rows(mbsxl.breakeven(1e6, 0.07, 36, ["A", "B"], [8e5, 2e5], [0.04, 0.0], "A", 0.1, 0.6))),
        ("MBS_KRD", lite("MBS_KRD", col(cf), col([0.5, 3.0]), col([0.02, 0.03]), [[1.0, 2.0, 3.0]]),
         rows(mbsxl.krd(cf, [0.5, 3.0], [0.02, 0.03], [1.0, 2.0, 3.0]))),
        # the rating agencies' stress test (issue 18): a two-class deal, 12 months, defaults front-loaded by month
        ("MBS_DEFAULTTIMING", lite("MBS_DEFAULTTIMING", [[1000.0]], [[0.12]], [[12]], [[0.3]], [["front"]],
                                   [["month"]], [[6]], None, [[0.6]], [[3]]),
         rows(mbsxl.default_timing(1000.0, 0.12, 12, 0.3, "front", "month", 6, 0, 0.6, 3))),
        ("MBS_RATINGSTRESS", lite("MBS_RATINGSTRESS", [[1000.0]], [[0.12]], [[12]], [["A"], ["B"]], col([600.0, 400.0]),
                                  col([0.06, 0.09]), [[0.1]], [["AAA"], ["AA"]], col([5.0, 4.0]), [["m1", "front"]],
                                  [[1.0]], [[3]], None, None, None, None, None, None, None, None, None, [[6]], None,
                                  [["month"]]),
         rows(mbsxl.rating_stress(1000.0, 0.12, 12, ["A", "B"], [600.0, 400.0], [0.06, 0.09], 0.1, ["AAA", "AA"],
                                  [5.0, 4.0], [["m1", "front"]], 1.0, 3, horizon=6, timing_unit="month"))),
        ("MBS_VERSION", lite("MBS_VERSION"), [[mbsxl.__version__]]),
        ("MBS_MORTGAGEFLOORS", lite("MBS_MORTGAGEFLOORS"), rows(floors)),
        ("MBS_HISTORY", lite("MBS_HISTORY", report), rows(mbsxl.history(report_df, recovery_lag=0))),
        ("MBS_BACKTEST", lite("MBS_BACKTEST", report, [[0.1726]]), rows(mbsxl.backtest(report_df, 0.1726))),
    ]
    for label, got, want in others:
        case(f"{label} equals the core", got, want)
    if templates_json:
        results.extend(templates(lite, same_cell, templates_json))
    missing = sorted(set(functions()) - called)
    results.append({"case": "every registry function called", "ok": not missing, "detail": ", ".join(missing)})
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    results.append({"case": "no heavy package imported", "ok": not heavy, "detail": ", ".join(heavy)})
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main(*sys.argv[1:3])
