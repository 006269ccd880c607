"""The core's result as the rows a worksheet shows (shared by the xlwings and xlwings Lite call-path tests;
imports only numpy and pandas, so the Lite child process can use it with the heavy packages blocked)."""
import math

import numpy as np
import pandas as pd


def expected_rows(obj):
    """A DataFrame with its header row, NaN/None as an empty cell, a 1-D array as a column."""
    if isinstance(obj, pd.DataFrame):
        out = [list(map(str, obj.columns))] + obj.astype(object).values.tolist()
    else:
        a = np.asarray(obj, dtype=object)
        a = a.reshape(-1, 1) if a.ndim == 1 else a.reshape(1, 1) if a.ndim == 0 else a
        out = a.tolist()
    return [["" if (x is None or (isinstance(x, float) and math.isnan(x))) else x for x in r] for r in out]
