"""``mbsxl demo``, the README's main command (issues 2 and 4).

Figures from seed 002 (Jianyuan 2007-1 prepayment study): 24 monthly CPRs, 2008 mean 20.200%, 2009 mean
30.710%, prospectus pricing CPR 17.26%; the workbook tables are those of workbooks/.
"""
import pathlib
import shutil

from mbsxl import demo
from mbsxl.cli import main as cli

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_cpr_table_prints_the_published_figures():
    text = demo.cpr_table()
    assert "2008-01          41.79%    4.4091%        41.79%" in text   # SMM = 1-(1-0.4179)^(1/12) = 4.4091%
    assert "2009        30.71000%    30.710%   +0.00000%" in text
    assert "2008        20.20167%    20.200%   +0.00167%" in text     # the disagreement is shown
    assert "Prospectus pricing CPR: 17.26%" in text


def test_cells_print_in_their_number_format():
    assert demo._fmt(0.20200, "0.000%") == "20.200%"
    assert demo._fmt(4160683708, "#,##0") == "4,160,683,708"
    assert demo._fmt(3588277631.1, "#,##0.00") == "3,588,277,631.10"
    assert demo._fmt(True, "General") == "TRUE"
    assert demo._fmt(12254, "General") == "12,254"


def test_demo_recalculates_a_template_and_prints_published_vs_computed(tmp_path, capsys):
    shutil.copy(ROOT / "workbooks" / "jianyuan_2007_1_prepayment.xlsx", tmp_path)
    report = tmp_path / "report.txt"
    assert cli(["demo", "--workbooks", str(tmp_path), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    # the screen: a summary line per workbook; seed 002's 24 months + 3 means agree, the 2008 mean of the
    # rounded CPRs (20.2017% vs the published 20.200%) is the one disagreement, shown as published
    line = next(x for x in out.splitlines() if x.startswith("jianyuan_2007_1_prepayment.xlsx "))
    assert line.split()[1:4] == ["163", "0", "27/28*"]
    assert "Mean 2008 of the rounded published CPRs" in out
    assert f"Full report (the 24 months, every table):\n  {report}" in out
    assert out.rstrip().splitlines()[-1] == "mbsxl demo: done; 1 workbooks recalculated, 0 error cells."
    # the file: the full tables
    text = report.read_text(encoding="utf-8")
    assert "jianyuan_2007_1_prepayment.xlsx: recalculated" in text and "no error values" in text
    means = [x for x in text.splitlines() if x.startswith("2009年均值 Mean 2009")]
    assert means and means[0].split()[3:5] == ["30.710%", "30.710%"] and means[0].split()[6] == "TRUE"


def test_demo_screen_fits_100_columns_and_progress_is_plain_lines(tmp_path):
    """Issue 22: the summary fits a screen 100 columns wide (CJK characters take two columns) and a log
    (stderr not a terminal) gets plain progress lines, no carriage returns."""
    import subprocess
    import sys
    for name in ("jianyuan_2007_1_prepayment.xlsx", "prepayment_regression.xlsx"):
        shutil.copy(ROOT / "workbooks" / name, tmp_path)
    p = subprocess.run([sys.executable, "-m", "mbsxl", "demo", "--workbooks", str(tmp_path), "--report",
                        str(tmp_path / "r.txt")], capture_output=True, text=True, cwd=tmp_path,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    width = lambda s: sum(2 if ord(c) > 0x2E80 else 1 for c in s)
    assert max(width(x) for x in p.stdout.splitlines() if str(tmp_path) not in x) <= 100
    assert len(p.stdout.splitlines()) <= 40
    assert "\r" not in p.stdout + p.stderr
    assert "prepayment_regression.xlsx" in p.stdout and " 0 error cells." in p.stdout
