"""The ``mbsxl`` command: argparse and dispatch only.

    mbsxl calc WORKBOOK [--set 'Sheet!B2=0.25' ...] [--json] [--out FILE.xlsx]
    mbsxl functions [--json]
    mbsxl install [--dry-run]
    mbsxl lite [--out DIR] [--requirement SPEC]
    mbsxl templates build [--check] [--outdir workbooks]
    mbsxl demo [...]
    mbsxl oas [--paths N] [--price P] [--curve 'T:R,...'] ...
    mbsxl bench

Exit status: 0 on success (``calc`` prints error cells and their reasons on stderr and still exits 0
unless ``--strict``); 1 for ``calc --strict`` with error cells, ``templates build --check`` with a stale
template, or ``install`` where it is not available; 2 on bad usage or an unreadable file.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return str(v) if isinstance(v, str) else v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    try:
        import numpy as np
        if isinstance(v, np.generic):
            return _jsonable(v.item())
    except ImportError:  # pragma: no cover
        pass
    return str(v)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\\\\\u2028\u2029]")   # what _plain escapes


def _plain_value(v) -> str:
    """``_plain(_jsonable(v))``, with the common cases first: a float or a text cell (44,000 a template)."""
    t = type(v)
    if t is float:
        return repr(v) if math.isfinite(v) else "None"
    if t is str:
        return _plain(v)
    return _plain(_jsonable(v))


def _plain(v) -> str:
    """One value on one line of the plain-text output: control characters (line breaks, tabs, ESC
    sequences, DEL and the C1 range) escaped as ``\\n``, ``\\t``, ``\\x1b`` ..., backslashes doubled,
    so a text result cannot forge lines or move the terminal's cursor.
    >>> _plain("x\\nSheet!B1  999")
    'x\\\\nSheet!B1  999'
    """
    text = str(v)
    if _CONTROL.search(text) is None:
        return text
    return text.encode("unicode_escape").decode("ascii") if text.isascii() else "".join(
        ch.encode("unicode_escape").decode("ascii") if (ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\\\u2028\u2029")
        else ch for ch in text)


def _cmd_calc(a) -> int:
    import gc
    collecting = gc.isenabled()
    gc.disable()              # the engine's imports (pycel, openpyxl, numpy: ~0.3 s) make no garbage worth
    try:                      # the collector's walks over every module object: ~0.05 s of each run
        from .excel import calc
        from .excel.limits import LimitExceeded, Limits
    finally:
        if collecting:
            gc.enable()
    if not os.path.exists(a.workbook):
        print(f"mbsxl calc: no such file: {a.workbook}", file=sys.stderr)
        return 2
    try:
        sets = dict(calc.parse_set(s) for s in (a.set or []))
        sets.update(calc.parse_set(s, formula=True) for s in (a.set_formula or []))
        if a.out:
            calc.check_out_path(a.workbook, a.out, force=a.force)
    except ValueError as e:
        print(f"mbsxl calc: {e}", file=sys.stderr)
        return 2
    try:
        limits = Limits(**{k: getattr(a, k) for k in Limits.__dataclass_fields__ if getattr(a, k, None) is not None})
    except ValueError as e:
        print(f"mbsxl calc: {e}", file=sys.stderr)
        return 2
    import signal

    def _stop(signum, frame):                        # SIGTERM/SIGHUP: unwind so that --out cleans up
        raise SystemExit(128 + signum)
    old = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    try:
        if a.out:
            values = calc.recalc_to(a.workbook, a.out, sets=sets or None, keep_formulas=not a.values_only,
                                    limits=limits, force=a.force, isolate=True)
        else:
            values = calc.calculate(a.workbook, sets=sets or None, limits=limits, isolate=True)
    except LimitExceeded as e:
        print(f"mbsxl calc: {a.workbook}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"mbsxl calc: {e.strerror or e}: {e.filename or a.workbook}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - an unreadable workbook, said in one line
        print(f"mbsxl calc: cannot read {a.workbook}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    finally:
        for s_, h in old.items():
            signal.signal(s_, h)
    if a.json:
        doc = {k: _jsonable(v) for k, v in values.items()}
        # one object keyed by "Sheet!A1" (every key has a "!"), the reasons under the key "errors"
        out = dict(doc)
        out["errors"] = dict(values.errors)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif hasattr(values, "write_plain"):          # a columnar result (a million-row tape): in blocks
        values.write_plain(sys.stdout, _plain_value)
    else:
        width = max((len(k) for k in values), default=0)
        sys.stdout.write("".join(f"{_plain(k):<{width}}  {_plain_value(v)}\n" for k, v in values.items()))
    if a.out:
        print(f"mbsxl calc: wrote {os.path.abspath(a.out)}", file=sys.stderr if a.json else sys.stdout)
    for k, reason in values.errors.items():
        print(f"{_plain(k)}: {values[k]}" + (f"  {_plain(reason)}" if reason else "  (an Excel error in this formula or in a cell it reads)"),
              file=sys.stderr)
    s = values.seconds
    print(f"mbsxl calc: {len(values):,} formula cells, {len(values.errors):,} errors; load {s.get('load', 0):.2f} s, "
          f"calc {s.get('calc', 0):.2f} s, total {s.get('total', 0):.2f} s", file=sys.stderr)
    return 1 if (values.errors and a.strict) else 0


def _cmd_functions(a) -> int:
    from .excel.registry import functions
    fns = functions()
    if a.markdown:
        from .excel.registry import reference_markdown, summary_markdown
        sys.stdout.write(summary_markdown() if a.summary else reference_markdown())
        return 0
    if a.json:
        doc = [{"name": f.name, "category": f.category, "description": f.description, "returns": f.returns,
                "volatile": f.volatile,
                "args": [{"name": x.name, "doc": x.doc, "kind": x.kind, "optional": x.optional,
                          "default": _jsonable(x.default)} for x in f.args]} for f in fns.values()]
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for f in fns.values():
        sig = ", ".join(f"[{x.name}]" if x.optional else x.name for x in f.args)
        print(f"{f.name}({sig})\n    {f.description}")
    return 0


def _cmd_install(a) -> int:
    from .excel import install
    return install.main(dry_run=a.dry_run)


def _cmd_lite(a) -> int:
    from .excel import lite
    for path in lite.write(a.out, a.requirement, wheel=a.wheel):
        print(f"wrote {path}")
    print("Paste main.py into the xlwings Lite editor and requirements.txt into its requirements.txt tab "
          "(README, Excel on Mac and the web).")
    if not a.requirement:
        print(f"mbsxl is not on PyPI: put {a.wheel or lite.wheel_name()} where the add-in can fetch it (a URL "
              f"that allows cross-origin requests) and replace {lite.PLACEHOLDER_HOST} in requirements.txt, "
              "or run again with --requirement URL (README, Hosting the wheel for xlwings Lite).", file=sys.stderr)
    return 0


def _cmd_templates(a) -> int:
    from . import templates
    outdir = a.outdir
    if outdir is None:
        # ./workbooks, else the workbooks/ folder of the checkout this mbsxl runs from (so that
        # `mbsxl templates build --check` works from any folder)
        here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "workbooks")
        outdir = "workbooks" if (os.path.isdir("workbooks") or not os.path.isdir(here)) else here
    if a.check and not os.path.isdir(outdir):
        print(f"mbsxl templates build --check: no folder {os.path.abspath(outdir)} to compare with; "
              "pass --outdir (the checkout's workbooks/)", file=sys.stderr)
        return 2
    print(f"mbsxl templates build: {'checking' if a.check else 'writing'} {os.path.abspath(outdir)} "
          "(each template is built and recalculated: about a minute in all)", file=sys.stderr, flush=True)
    result = templates.build_all(outdir, check=a.check)
    bad = 0
    for name, status in result.items():
        if isinstance(status, list):
            bad += 1
            print(f"{name}: differs")
            for d in status[:20]:
                print(f"    {d}")
        else:
            bad += status == "missing"
            print(f"{name}: {status}")
    return 1 if (a.check and bad) else 0


def _cmd_demo(a) -> int:
    from . import demo
    return demo.run(a) or 0


def _cmd_oas(a) -> int:
    """Monte Carlo OAS of a pool (default: Jianyuan 2007-1), progress on stderr, the table on stdout."""
    from mbsxl.reference import jianyuan
    from mbsxl.pool._engine import engine_name
    from mbsxl.pricing.ratemodels import DEFAULT_SEED
    from mbsxl.pricing.valuation import oas
    try:
        pairs = [p.split(":") for p in a.curve.split(",") if p.strip()]
        terms, rates = [float(t) for t, _ in pairs], [float(r) for _, r in pairs]
    except ValueError:
        print(f"mbsxl oas: --curve {a.curve!r} is not term:rate pairs separated by commas", file=sys.stderr)
        return 2
    print(f"mbsxl oas: {a.paths:,} Hull-White paths x {a.wam} months (the first run compiles the kernel, "
          "about 10 s)", file=sys.stderr, flush=True)
    r = oas(a.price, a.wac, a.wam, terms, rates, servicing=a.servicing,
            payment_day=jianyuan.PAYMENT_DAY if a.payment_day is None else a.payment_day, paths=a.paths,
            sigma=a.sigma, mean_reversion=a.mean_reversion,
            seed=DEFAULT_SEED if a.seed is None else a.seed, engine=a.engine, progress=True)
    print(oas_text(r))
    print(f"{r.seconds:.2f} s, engine {engine_name(a.engine)}")
    return 0


def oas_text(r) -> str:
    """The OAS result with its units: spreads in basis points, duration in years, prices per 100 of face,
    paths as a whole number.  ``MBS_OAS`` in a cell keeps decimals (0.0164 = 164 bp)."""
    from . import columns as C
    rows = [(C.OAS, f"{r.oas * 1e4:,.1f} bp"),
            (C.PRICE_STD_ERROR, f"{r.price_std_error:.4f} per 100 face"),
            (C.EFFECTIVE_DURATION, f"{r.effective_duration:.3f} years"),
            (C.EFFECTIVE_CONVEXITY, f"{r.effective_convexity:.2f} years^2"),
            (C.PATHS, f"{int(r.paths):,}"),
            (C.MODEL_PRICE, f"{r.model_price:.4f} per 100 face"),
            (C.ZSPREAD_ZERO_VOL, f"{r.zspread * 1e4:,.1f} bp")]
    w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{w}}  {v}" for k, v in rows)


def _price(text: str) -> float:
    """A price per 100 of face: ``98.5``, or ``98.5%`` (of face: the same 98.5)."""
    t = text.strip().replace(",", "")
    try:
        return float(t[:-1]) if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a price per 100 of face (e.g. 98.5 or 98.5%)") from None


def _decimal_rate(text: str) -> float:
    """A rate as a decimal (``0.0666``) or a percent (``6.66%``)."""
    t = text.strip()
    try:
        return float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (e.g. 0.0666 or 6.66%)") from None


def _cmd_bench(a) -> int:
    import glob
    import subprocess
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scripts = sorted(glob.glob(os.path.join(a.dir or os.path.join(here, "bench"), "bench_*.py")))
    if not scripts:
        print("mbsxl bench: no bench/bench_*.py found (they live in the source checkout, not the wheel)",
              file=sys.stderr)
        return 2
    rc = 0
    for s in scripts:
        if a.only and not any(o in os.path.basename(s) for o in a.only):
            continue
        print(f"== {os.path.basename(s)}", flush=True)
        rc |= subprocess.call([sys.executable, s])
    return rc


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mbsxl", description="MBS analytics for Excel and headless recalculation")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("calc", help="recalculate a workbook with MBS_ formulas, no Excel")
    c.add_argument("workbook")
    c.add_argument("--set", action="append", metavar="SHEET!CELL=VALUE",
                   help="override an input cell first, e.g. --set 'Inputs!B2=25%%' (repeatable)")
    c.add_argument("--json", action="store_true",
                   help='print one JSON object keyed by "Sheet!A1", reasons under "errors"')
    c.add_argument("--out", metavar="FILE.xlsx", help="write a copy carrying the computed values")
    c.add_argument("--values-only", action="store_true",
                   help="with --out: replace formulas by their values (for LibreOffice, Numbers, e-mail)")
    c.add_argument("--strict", action="store_true", help="exit with status 1 when any cell is an error")
    c.add_argument("--set-formula", action="append", metavar="SHEET!CELL==FORMULA",
                   help="put a formula into a cell first (--set only ever sets values), e.g. 'S!B2==A1*2'")
    c.add_argument("--force", action="store_true", help="with --out: allow overwriting the input workbook")
    from .excel.limits import Limits, FLAGS
    _lim = Limits()
    for name, hlp in (("max_unzipped_mb", "largest inflated package, MB"),
                      ("max_cells", "most cells of all sheets (ordinary path, ~18 KB a formula cell)"),
                      ("max_columnar_cells", "most cells of all sheets for a tape the columnar path "
                                             "reads (~100 bytes a cell)"),
                      ("max_formula_chars", "longest formula, characters"),
                      ("max_range_cells", "most cells in one range (after cutting at the used extent)"),
                      ("cell_seconds", "longest evaluation of one formula cell, s"),
                      ("max_seconds", "longest evaluation of the workbook, s"),
                      ("max_memory_mb", "most memory the evaluation may add, MB (the child process's "
                                        "address space beyond its start)"),
                      ("max_sheets", "most worksheets"),
                      ("max_array_cells", "most cells in all multi-cell array formulas' ranges"),
                      ("max_name_depth", "defined names nested in defined names"),
                      ("max_name_expansions", "defined names expanded into one formula")):
        default = getattr(_lim, name)
        c.add_argument(FLAGS[name], dest=name, type=type(default), default=None, metavar="N",
                       help=f"limit: {hlp} (default {default:,})")
    c.set_defaults(run=_cmd_calc)

    f = sub.add_parser("functions", help="the catalogue of MBS_ worksheet functions")
    f.add_argument("--json", action="store_true")
    f.add_argument("--markdown", action="store_true",
                   help="the function reference (docs/FUNCTIONS.md): mbsxl functions --markdown > docs/FUNCTIONS.md")
    f.add_argument("--summary", action="store_true",
                   help="with --markdown: the one-table summary pasted into README.md")
    f.set_defaults(run=_cmd_functions)

    i = sub.add_parser("install", help="install the xlwings add-in and point it at mbsxl (Windows)")
    i.add_argument("--dry-run", action="store_true", help="say what would be done")
    i.set_defaults(run=_cmd_install)

    lt = sub.add_parser("lite", help="write main.py and requirements.txt for xlwings Lite (Mac, web, Windows)")
    lt.add_argument("--out", default="mbsxl_lite", metavar="DIR", help="folder to write into (default mbsxl_lite)")
    lt.add_argument("--requirement", metavar="SPEC",
                    help="how Lite installs mbsxl: the URL of the hosted wheel, or a version pin once mbsxl "
                         "is on PyPI (default: a placeholder URL to replace)")
    lt.add_argument("--wheel", metavar="FILE.whl", help="copy this wheel into DIR, to upload beside the files")
    lt.set_defaults(run=_cmd_lite)

    t = sub.add_parser("templates", help="template workbooks")
    tsub = t.add_subparsers(dest="action", required=True)
    tb = tsub.add_parser("build", help="(re)build workbooks/*.xlsx")
    tb.add_argument("--check", action="store_true", help="compare with the committed workbooks, write nothing")
    tb.add_argument("--outdir", default=None,
                    help="folder of the workbooks (default ./workbooks, else the checkout's workbooks/)")
    tb.set_defaults(run=_cmd_templates)

    d = sub.add_parser("demo", help="the Jianyuan 2007-1 demonstration")
    from . import demo
    demo.add_arguments(d)
    d.set_defaults(run=_cmd_demo)

    o = sub.add_parser("oas", help="Monte Carlo OAS of a mortgage pool (default: Jianyuan 2007-1 at cut-off, "
                                   "WAC 7.83%% x 0.85, WAM 220, paid on the 26th)")
    o.add_argument("--price", type=_price, default=100.0,
                   help="quoted price per 100 of current face (98.5 or 98.5%%)")
    o.add_argument("--wac", type=_decimal_rate, default=0.0783 * 0.85, help="gross WAC, 0.0666 or 6.66%%")
    o.add_argument("--wam", type=int, default=220, help="remaining term, months")
    o.add_argument("--servicing", type=_decimal_rate, default=0.003, help="servicing fee, 0.003 or 0.3%%")
    o.add_argument("--payment-day", type=int, default=None, help="default: the Jianyuan payment day (26)")
    o.add_argument("--curve", default="0.25:0.036,1:0.039,2:0.041,3:0.042,5:0.044,7:0.0445,10:0.045,20:0.046,"
                                      "30:0.047", help="term:rate pairs of a continuously compounded zero curve")
    o.add_argument("--paths", type=int, default=10000)
    o.add_argument("--sigma", type=_decimal_rate, default=0.01, help="Hull-White volatility, 0.01 or 1%%")
    o.add_argument("--mean-reversion", type=float, default=0.1, help="Hull-White mean reversion a, per year")
    o.add_argument("--seed", type=int, default=None, help="default: the Jianyuan 2007-1 issue date, 20071214")
    o.add_argument("--engine", default=None, choices=["numba", "numpy"])
    o.set_defaults(run=_cmd_oas)

    b = sub.add_parser("bench", help="run the benchmark scripts bench/bench_*.py")
    b.add_argument("only", nargs="*", help="run only scripts whose name contains one of these")
    b.add_argument("--dir", help="benchmark directory (default: bench/ of the checkout)")
    b.set_defaults(run=_cmd_bench)
    return p


#: command -> (the extra that installs it, the packages it imports)
_NEEDS = {
    "calc": ("calc", ("openpyxl", "defusedxml", "pycel", "formulas")),
    "templates": ("templates", ("openpyxl", "xlsxwriter")),
    "demo": ("all", ("openpyxl", "defusedxml", "pycel", "formulas")),
}


def missing_extra(command: str) -> str | None:
    """The one-line reason a command cannot run because an optional extra is not installed, or None."""
    import importlib.util

    extra, packages = _NEEDS.get(command, ("", ()))
    absent = [m for m in packages if importlib.util.find_spec(m) is None]
    if not absent:
        return None
    return (f"mbsxl {command} needs {', '.join(absent)}, which the core install leaves out; "
            f"install the extra: pip install \"mbsxl[{extra}]\"")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    reason = missing_extra(args.command) if getattr(args, "command", None) else None
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from .errors import MbsxlInputError
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # `mbsxl functions | head`
        return 0
    except (MbsxlInputError, ValueError, TypeError, OverflowError) as e:   # bad input: one line, no traceback
        print(f"mbsxl {args.command}: {e}", file=sys.stderr)
        return 2
    except OSError as e:                                                     # a file or folder it cannot use
        print(f"mbsxl {args.command}: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mbsxl {args.command}: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The ``mbsxl`` command (``python -m mbsxl`` and the installed script): :func:`main`, then exit.

    ``mbsxl calc`` without ``--out`` ends the process with ``os._exit`` once stdout and stderr are
    flushed, skipping the interpreter's teardown (freeing pycel, openpyxl, numpy ... object by object:
    about 0.1 s of every run); it has nothing left to clean up (its evaluation process has already been
    joined, no file is open).  Every other command, and :func:`main` called from Python, exit normally.
    """
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] == ["calc"] and not any(a == "--out" or a.startswith("--out=") for a in argv):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed pipe (`mbsxl calc W | head`): nothing more to write
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
