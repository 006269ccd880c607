"""The README's commands and CI must not drift apart (issue 2)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- setup:start -->\s*```(?:bash|sh)?\n(.*?)```\s*<!-- setup:end -->", text, re.S)
    assert block, "README.md lacks the set-up block between <!-- setup:start --> and <!-- setup:end -->"
    return [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_has_two_commands():
    cmds = _commands()
    assert len(cmds) == 2
    assert "mbsxl demo" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    test_cmd = _commands()[1]
    assert test_cmd in ci_lines, f".ci/run does not run the README's test command: {test_cmd}"


def test_ci_runs_the_readme_sequence_then_the_cli_elsewhere():
    """Issue 11: the README's two commands, in order, in one checkout, then ``mbsxl calc`` from another
    folder -- the newcomer's sequence that once left a broken ``import mbsxl``."""
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    first, second = _commands()
    assert first in ci_lines and second in ci_lines
    assert ci_lines.index(first) < ci_lines.index(second)
    after = ci_lines[ci_lines.index(second) + 1:]
    cd = next(i for i, line in enumerate(after) if line.startswith("cd "))
    assert any("mbsxl calc" in line for line in after[cd:]), "the CLI is not run from another folder"


def test_a_command_whose_extra_is_missing_names_the_extra(monkeypatch, capsys):
    """``pip install mbsxl`` installs the core only (issue 10); ``mbsxl calc`` then names the extra to
    install instead of failing to 'read' the workbook."""
    import importlib.util

    from mbsxl import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pycel" else real(name, *a))
    rc = cli.main(["calc", str(ROOT / "workbooks" / "jianyuan_2007_1_prepayment.xlsx")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "pycel" in err and 'pip install "mbsxl[calc]"' in err
    assert cli.missing_extra("lite") is None


def test_core_dependencies_are_the_pyodide_packages():
    """Issue 10: without extras, mbsxl depends on numpy, pandas, scipy and statsmodels only (all Pyodide
    packages, so xlwings Lite can install it)."""
    tomllib = pytest.importorskip("tomllib")          # Python 3.11+
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in meta["dependencies"]}
    assert names == {"numpy", "pandas", "scipy", "statsmodels"}
    assert {"calc", "templates", "excel", "all", "fast", "test"} <= set(meta["optional-dependencies"])
