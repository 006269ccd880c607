@echo off
rem mbsxl for Excel on Windows: double-click this file (close Excel first).
rem It runs install_windows.ps1 next to it; see that file for what it does.
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0install_windows.ps1" %*
if errorlevel 1 (
  echo.
  echo Installation failed; see the message above.
) else (
  echo.
  echo Installation finished.
)
pause
