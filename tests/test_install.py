"""``mbsxl install`` and install/install_windows.ps1 against a fake home directory.

Every step runs except the two that need Excel for Windows (``xlwings addin install``, which asks Excel
for its XLSTART folder, and the import into the add-in), whose command lines are checked against
xlwings' own CLI parser instead (``python -m xlwings.cli <cmd> --help`` exits 0).  The add-in really is
created by xlwings' ``quickstart --addin`` (a file copy that works anywhere).  Every file written is
read back in the encoding the xlwings add-in uses (the ANSI code page; VBA ``Open ... For Input``).
"""
from __future__ import annotations

import pathlib
import subprocess
import sys
import zipfile

import pytest

from mbsxl.excel import install

ROOT = pathlib.Path(__file__).resolve().parents[1]
PY_HOME = "C:\\Users\\张伟\\AppData\\Local\\Programs\\Python\\Python311"


def _fake_run(recorded):
    def runner(argv, cwd=None):
        recorded.append((argv, cwd))
        assert argv[1:3] != ["-m", "xlwings"], "xlwings has no __main__"
        if "quickstart" in argv:                        # xlwings' own quickstart, for real
            return subprocess.call([sys.executable] + argv[1:], cwd=cwd, stdout=subprocess.DEVNULL)
        return 0
    return runner


@pytest.mark.parametrize("encoding", ["cp936", "cp1252"])
def test_install_steps_in_a_fake_home(tmp_path, encoding):
    home = tmp_path / "home"
    home.mkdir()
    conf = home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_bytes(b'"INTERPRETER_WIN","C:\\old\\pythonw.exe"\r\n"SHOW CONSOLE","True"\r\n')
    recorded, said = [], []
    python = PY_HOME + "\\python.exe" if encoding == "cp936" else "C:\\Python311\\python.exe"
    rc = install.run(str(home), python, runner=_fake_run(recorded), encoding=encoding, out=said.append)
    assert rc == 0, said
    pythonw = python.replace("python.exe", "pythonw.exe")
    for path in (conf, home / ".myaddin" / "myaddin.conf"):
        text = path.read_bytes().decode(encoding)
        lines = text.split("\r\n")
        assert '"UDF MODULES","mbsxl.excel.udfs"' in lines
        assert f'"INTERPRETER_WIN","{pythonw}"' in lines
        assert text.endswith("\r\n")
    assert '"SHOW CONSOLE","True"' in conf.read_bytes().decode(encoding)          # kept
    if encoding == "cp936":
        raw = conf.read_bytes()
        assert "张伟".encode("cp936") in raw and "张伟".encode("utf-8") not in raw
    xlam = home / ".mbsxl" / "mbsxl_functions" / "mbsxl_functions.xlam"
    assert zipfile.is_zipfile(xlam)                 # made by xlwings quickstart --addin
    with zipfile.ZipFile(xlam) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    cmds = [a for a, _ in recorded]
    assert cmds[0][1:] == ["-m", "xlwings.cli", "addin", "install"]
    assert cmds[-1][1:] == ["-m", "xlwings.cli", "addin", "install", "--file", str(xlam)]
    assert "import_into_addin" in cmds[-2][2]
    # the same steps again: the add-in is not re-created, the configs are rewritten, not duplicated
    recorded.clear()
    assert install.run(str(home), python, runner=_fake_run(recorded), encoding=encoding, out=said.append) == 0
    assert not any("quickstart" in a for a, _ in recorded)
    assert conf.read_bytes().decode(encoding).count("UDF MODULES") == 1


def test_a_path_the_code_page_cannot_spell_is_refused(tmp_path):
    said = []
    rc = install.run(str(tmp_path), PY_HOME + "\\python.exe", runner=_fake_run([]), encoding="cp1252",
                     out=said.append)
    assert rc == 1
    msg = said[-1]
    assert "INTERPRETER_WIN=" in msg and "张伟" in msg and "cp1252" in msg
    assert not (tmp_path / ".xlwings" / "xlwings.conf").exists()


@pytest.mark.parametrize("cmd", [["addin", "install", "--file", "x.xlam"], ["addin", "install"],
                                 ["quickstart", "p", "--addin"]])
def test_commands_parse_with_xlwings_cli(cmd):
    """xlwings' own argparse accepts each command line (``--help`` after it: parsed, nothing run)."""
    p = subprocess.run([sys.executable, "-m", "xlwings.cli", *cmd, "--help"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert ("--file" in p.stdout) == (cmd[0] == "addin") and ("--addin" in p.stdout) == (cmd[0] == "quickstart")
    bare = subprocess.run([sys.executable, "-m", "xlwings", "--help"], capture_output=True, text=True)
    assert bare.returncode != 0 and "__main__" in bare.stderr        # why install must not use it


def test_powershell_script():
    ps1 = (ROOT / "install" / "install_windows.ps1").read_bytes().decode("ascii")
    assert "-m xlwings " not in ps1 and "xlwings addin" not in ps1
    assert "sys.prefix != sys.base_prefix" in ps1 and '"--user"' in ps1      # no --user in a venv
    assert '"$Source[excel]"' in ps1 and "-m mbsxl install" in ps1
    assert "\r\n" in ps1
    assert not (ROOT / "install" / "xlwings.conf").exists()


def test_not_on_this_platform(capsys):
    if sys.platform.startswith("win"):
        pytest.skip("Windows")
    assert install.main() == 1
    out = capsys.readouterr().out
    assert "mbsxl lite" in out and "mbsxl calc" in out
