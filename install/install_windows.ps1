# mbsxl for Excel on Windows: installs mbsxl with its Excel extra (xlwings) into your Python, then runs
# `mbsxl install`, which installs the xlwings add-in, writes the xlwings settings, builds the add-in that
# holds the MBS_ functions and installs it (see mbsxl/excel/install.py for each step).
#
# Run from the release zip (the wheel beside this script) or the mbsxl source checkout, or pass -Source with
# a wheel or a folder:
#     powershell -ExecutionPolicy Bypass -File install\install_windows.ps1
# or double-click install_windows.bat.  Close Excel first.  Once, before: in Excel tick
# File > Options > Trust Center > Trust Center Settings > Macro Settings >
# "Trust access to the VBA project object model" (xlwings needs it to import the functions).
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

# What to install: a wheel beside this script (the release zip), else the source checkout above it, else a
# wheel in the checkout's dist\ folder.  mbsxl is not on PyPI, so there is no fall-back to the index.
if (-not $Source) {
    $here = Split-Path -Parent $MyInvocation.MyCommand.Path
    $repo = Split-Path -Parent $here
    $wheel = Get-ChildItem -Path $here -Filter "mbsxl-*.whl" -ErrorAction SilentlyContinue |
             Sort-Object Name | Select-Object -Last 1
    if (-not $wheel) {
        if (Test-Path (Join-Path $repo "pyproject.toml")) { $Source = $repo }
        else {
            $wheel = Get-ChildItem -Path (Join-Path $repo "dist") -Filter "mbsxl-*.whl" -ErrorAction SilentlyContinue |
                     Sort-Object Name | Select-Object -Last 1
        }
    }
    if ($wheel) { $Source = $wheel.FullName }
    if (-not $Source) {
        throw ("No mbsxl wheel next to this script and no mbsxl source folder above it. mbsxl is not on PyPI: " +
               "unzip the release zip (it holds the wheel) and run install_windows.bat from it, or pass " +
               "-Source C:\path\to\mbsxl-0.1.0-py3-none-any.whl")
    }
}
Write-Host "Installing from: $Source"

# pip refuses --user inside a virtual environment; use it only for a system Python.
$inVenv = & $py -c "import sys; print(sys.prefix != sys.base_prefix)"
$userFlag = @()
if ($inVenv.Trim() -ne "True") { $userFlag = @("--user") }

Write-Host "1/3 Installing mbsxl with its Excel extra (xlwings) ..."
& $py -m pip install @userFlag --upgrade "$Source[excel]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Write-Host "2/3 xlwings add-in, settings and the MBS_ functions add-in (mbsxl install) ..."
& $py -m mbsxl install
if ($LASTEXITCODE -ne 0) { throw "mbsxl install failed; see the message above" }

Write-Host "3/3 Checking ..."
& $py -c "import mbsxl.excel.udfs as u; print('mbsxl', u.MBS_VERSION(), '-', len(u.__all__), 'MBS_ functions')"
if ($LASTEXITCODE -ne 0) { throw "mbsxl does not import in $py" }

Write-Host ""
Write-Host "Done. Start Excel and type =MBS_VERSION() in a cell of any workbook (.xlsx too)."
Write-Host "The functions are in the Function Wizard (fx) under 'MBS'. If a cell shows #VALUE!, =MBS_ERROR(thatcell) tells you why."
