"""Every documented command, every option, bad values: a one-line message and exit status 2 (or the
command's documented status), never a Python traceback (issue 22: ``mbsxl oas --wac 7.83`` printed 16
lines of Python).

The options are read from the parser itself (argparse introspection), so an option added later is probed
too.  Bad values: text where a number belongs, a negative number, NaN, an empty string, a huge number and a
percent; for files, a missing one, a folder and a text file that is not a workbook.  ``oas`` runs with
``--paths 200`` unless ``--paths`` is the option probed, so that a value that happens to be valid finishes
in seconds; ``bench`` and ``install`` are left out (they run benchmarks / touch Excel's configuration).
"""
import argparse
import pathlib

import pytest

from mbsxl import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "workbooks" / "jianyuan_2007_1_prepayment.xlsx")
BAD = ["abc", "-1", "nan", "", "1e400", "98%"]


def _subparsers():
    p = cli.build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    out = dict(sub.choices)
    t = out.pop("templates")
    tsub = next(a for a in t._actions if isinstance(a, argparse._SubParsersAction))
    out["templates build"] = tsub.choices["build"]
    return out


def _valued_options(parser):
    for a in parser._actions:
        if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction):
            yield max(a.option_strings, key=len)


def _base(cmd):
    return {"calc": ["calc", SMALL], "oas": ["oas", "--paths", "200"], "lite": ["lite"],
            "demo": ["demo", "--no-workbooks"], "functions": ["functions"],
            "templates build": ["templates", "build", "--check"]}.get(cmd)


def _cases(tmp):
    cases = []
    for cmd, parser in _subparsers().items():
        base = _base(cmd)
        if base is None:                      # bench, install
            continue
        for opt in _valued_options(parser):
            for bad in BAD:
                argv = list(base)
                if opt in argv:               # oas --paths: probe it instead of the default 200
                    i = argv.index(opt)
                    del argv[i:i + 2]
                if cmd == "lite" and opt == "--out":
                    bad = str(tmp / "a-file.txt")          # a file where a folder belongs
                if cmd == "templates build":
                    if bad in ("", "98%"):
                        continue
                    bad = str(tmp / "no" / bad)            # a folder with no workbooks
                if cmd == "demo" and opt == "--workbooks":
                    argv.remove("--no-workbooks")
                    bad = str(tmp / "missing")
                if cmd == "demo" and opt == "--report":
                    bad = str(tmp / "no-such-folder" / "r.txt")
                if cmd == "calc" and opt == "--out":
                    bad = SMALL                            # the input itself, without --force
                cases.append(argv + [opt, bad])
    for bad_book in (str(tmp / "missing.xlsx"), str(tmp), str(tmp / "a-file.txt")):
        cases.append(["calc", bad_book])
    return cases


def test_no_command_prints_a_traceback_on_bad_input(tmp_path, capsys, monkeypatch):
    (tmp_path / "a-file.txt").write_text("not a workbook\n")
    monkeypatch.chdir(tmp_path)
    cases = _cases(tmp_path)
    assert len(cases) > 60                                  # every command's options were found
    bad = []
    for argv in cases:
        try:
            rc = cli.main(argv)
        except SystemExit as e:                            # argparse: usage error, status 2
            rc = e.code
        except Exception as e:  # noqa: BLE001 - the failure this test looks for
            bad.append((argv, f"{type(e).__name__}: {e}"))
            continue
        err = capsys.readouterr().err
        if "Traceback" in err or rc not in (0, 1, 2):
            bad.append((argv, rc, err[-300:]))
        elif rc == 2 and not err.strip():
            bad.append((argv, "status 2 without a message"))
    assert not bad, bad[:5]


def test_oas_wac_as_a_percent_number_is_one_line(capsys):
    """The case of the issue: ``mbsxl oas --wac 7.83`` (a percent number where a decimal belongs)."""
    assert cli.main(["oas", "--wac", "7.83", "--paths", "200"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "mbsxl oas: wac=7.83 looks like a percent; pass 0.0783"


def test_price_and_rates_accept_percent_signs():
    args = cli.build_parser().parse_args(["oas", "--price", "98%", "--wac", "6.66%", "--sigma", "1%"])
    assert args.price == 98.0 and args.wac == pytest.approx(0.0666) and args.sigma == pytest.approx(0.01)


def test_oas_prints_units(capsys):
    """OAS and Z-spread in basis points, the paths as an integer, prices per 100 of face."""
    assert cli.main(["oas", "--paths", "200", "--price", "98%"]) == 0
    out = capsys.readouterr().out
    assert "Paths                200\n" in out
    assert [x for x in out.splitlines() if x.startswith("OAS ")][0].endswith(" bp")
    assert "Model price          98.0000 per 100 face" in out


def test_templates_check_from_another_folder(tmp_path, monkeypatch, capsys):
    """``mbsxl templates build --check`` run outside the checkout finds the checkout's workbooks/ instead
    of reporting every template missing (only the smallest template is built here, to keep it quick)."""
    from mbsxl import templates
    monkeypatch.chdir(tmp_path)
    seen = {}
    real = templates.build_all

    def fake_build_all(outdir, check=False, only=None):
        seen["outdir"] = outdir
        return real(outdir, check=check, only=["jianyuan_2007_1_prepayment"])
    monkeypatch.setattr(templates, "build_all", fake_build_all)
    assert cli.main(["templates", "build", "--check"]) == 0
    assert pathlib.Path(seen["outdir"]) == ROOT / "workbooks"
    assert "jianyuan_2007_1_prepayment.xlsx: current" in capsys.readouterr().out
