"""The ``--out`` copy of a recalculated workbook: where it may go (:func:`check_out_path`) and writing it
(:func:`write_copy`, the computed values put into a copy of the original file by
:mod:`mbsxl.excel._xlsxvalues`).  :func:`mbsxl.excel.calc.recalc_to` is the public entry."""
from __future__ import annotations

import os

from ._load import SetFormula
from ._xlsxvalues import write_values


def write_copy(path, out_path, values: dict, sets: dict | None = None, keep_formulas: bool = True) -> None:
    """Write ``out_path``: ``path`` with the cached values of ``values``, and the ``sets`` that are
    plain values (``--set-formula`` overrides are left out)."""
    plain_sets = {k: v for k, v in (sets or {}).items() if not isinstance(v, SetFormula)}
    write_values(os.fspath(path), os.fspath(out_path), values, sets=plain_sets, keep_formulas=keep_formulas)


def check_out_path(path, out_path, force: bool = False) -> None:
    """Refuse an output that is the input (unless ``force``), a folder, or in a missing folder."""
    out_path = os.fspath(out_path)
    if os.path.isdir(out_path):
        raise ValueError(f"--out {out_path} is a folder; give the file to write, e.g. "
                         f"{os.path.join(out_path, os.path.basename(os.fspath(path)))}")
    folder = os.path.dirname(os.path.abspath(out_path))
    if not os.path.isdir(folder):
        raise ValueError(f"the output folder does not exist: {folder}")
    same = os.path.exists(out_path) and os.path.samefile(os.fspath(path), out_path)
    if same and not force:
        raise ValueError(f"--out {out_path} is the input workbook; refusing to overwrite it "
                         "(write a copy elsewhere, or add --force)")
