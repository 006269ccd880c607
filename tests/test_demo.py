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
    assert cli(["demo", "--workbooks", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "jianyuan_2007_1_prepayment.xlsx: recalculated" in out and "no error values" in out
    means = [line for line in out.splitlines() if line.startswith("2009年均值 Mean 2009")]
    assert means and means[0].split()[3:5] == ["30.710%", "30.710%"] and means[0].split()[6] == "TRUE"
