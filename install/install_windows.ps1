# mbsxl for Excel on Windows: installs mbsxl and xlwings into your Python, installs the xlwings
# add-in, and points its "UDF Modules" setting at mbsxl.excel.udfs.
#
# Run from the folder holding the mbsxl source (or pass -Source with a wheel / a folder / "mbsxl"):
#     powershell -ExecutionPolicy Bypass -File install\install_windows.ps1
# or double-click install_windows.bat.  Close Excel first.
param(
    [string]$Source = "",
    [string]$Python = ""
)
$ErrorActionPreference = "Stop"

function Find-Python {
    if ($Python) { return $Python }
    foreach ($cand in @("py -3", "python")) {
        try {
            $exe = & cmd /c "$cand -c ""import sys; print(sys.executable)""" 2>$null
            if ($LASTEXITCODE -eq 0 -and $exe) { return $exe.Trim() }
        } catch {}
    }
    throw "No Python found. Install Python 3.10+ from python.org (tick 'Add python.exe to PATH') and run again."
}

$py = Find-Python
Write-Host "Using Python: $py"

if (-not $Source) {
    $here = Split-Path -Parent $MyInvocation.MyCommand.Path
    $repo = Split-Path -Parent $here
    if (Test-Path (Join-Path $repo "pyproject.toml")) { $Source = $repo } else { $Source = "mbsxl" }
}

Write-Host "1/4 Installing mbsxl and xlwings (pip install --user) ..."
& $py -m pip install --user --upgrade $Source xlwings pywin32
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Write-Host "2/4 Installing the xlwings Excel add-in ..."
& $py -m xlwings addin install
if ($LASTEXITCODE -ne 0) { throw "xlwings addin install failed (is Excel closed?)" }

Write-Host "3/4 Writing UDF Modules = mbsxl.excel.udfs into %USERPROFILE%\.xlwings\xlwings.conf ..."
& $py -m mbsxl install
if ($LASTEXITCODE -ne 0) { throw "mbsxl install failed" }

Write-Host "4/4 Checking ..."
& $py -c "import mbsxl.excel.udfs as u; print('mbsxl', u.MBS_VERSION(), '-', len(u.__all__), 'MBS_ functions')"

Write-Host ""
Write-Host "Done. Once, in Excel: open the 'xlwings' tab on the ribbon and click 'Import Functions'."
Write-Host "Then type =MBS_VERSION() in a cell; the functions are in the Function Wizard (fx) under 'MBS'."
Write-Host "If a cell shows #VALUE!, =MBS_ERROR(thatcell) tells you why."
