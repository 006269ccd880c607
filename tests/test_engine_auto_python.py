"""The ``auto`` engine's small-projection rule (mbsxl/pool/_engine.py, module docstring): a loan projection of
few loan-months runs :func:`mbsxl.pool._engine._loans_loop` uncompiled instead of loading numba.

Why the numbers cannot change: the numba kernel IS that function compiled —
``mbsxl/pool/_kernels.py``: ``loans_loop = njit(cache=True, nogil=True)(_engine._loans_loop)``, no
``fastmath``, so numba keeps IEEE double arithmetic in the order written and calls the same libm
``expm1``/``log1p``/``pow`` as CPython.  The property test below checks that claim bit for bit
(``np.array_equal``, not a tolerance) on random small pools covering every branch of the loop:
benchmark resets, the compact repricing rule with events, level principal, zero rates, defaults with
and without lag and advancing, rate-incentive prepayment, seasoning tables.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mbsxl.pool import _engine

pytest.importorskip("numba")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _random_pool(seed: int):
    """Arguments of :func:`mbsxl.pool._engine.project` for a random pool of 1-12 loans (up to 120 months)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 13))
    term = rng.integers(1, 121, n)
    T = int(term.max())
    age = rng.integers(0, 60, n)
    bal = rng.uniform(1e3, 1e6, n).round(2)
    zero = rng.random() < 0.15                       # r = 0: f = 1/m
    svc = 0.0 if zero else float(rng.choice([0.0, 0.0025, 0.003]))
    rate0 = np.zeros(n) if zero else rng.uniform(0.03, 0.09, n)
    lp = rng.random(n) < 0.3                         # level principal (等额本金)
    bench = np.full(T, np.nan)
    mult, margin = np.ones(n), np.zeros(n)
    if rng.random() < 0.5 and not zero:              # benchmark rule: rate0 until the first reset
        for k in rng.integers(0, T, int(rng.integers(1, 4))):
            bench[k:] = rng.uniform(0.03, 0.06)
        mult = rng.uniform(0.85, 1.1, n)
        margin = rng.uniform(-0.002, 0.01, n)
    ks = int(rng.choice([1, 30, 400]))               # seasoning columns of the SMM/MDR tables
    smm = rng.uniform(0.0, 0.03, (T, ks))
    mdr = rng.uniform(0.0, 0.004, (T, ks)) if rng.random() < 0.7 else np.zeros((T, ks))
    lag = int(rng.choice([0, 0, 1, 6, 12]))
    advance = bool(rng.random() < 0.5)
    severity = float(rng.uniform(0.0, 0.6))
    kw = {}
    if rng.random() < 0.5 and not zero:              # compact repricing rule with spread events
        G, E = int(rng.integers(1, 3)), int(rng.integers(0, 3))
        paths = rng.uniform(0.03, 0.05, (G, T))
        paths[rng.random((G, T)) < 0.2] = np.nan
        kw["terms"] = (rng.integers(0, G, n), paths, rng.uniform(0.03, 0.05, n), rng.uniform(0.0, 0.01, n),
                       rng.integers(0, T + 1, n), rng.integers(0, T, E), rng.uniform(-0.003, 0.003, (n, E)))
    if rng.random() < 0.4 and not zero:              # rate-incentive prepayment
        kw.update(newrate=rng.uniform(0.03, 0.06, T), slope=float(rng.uniform(-2.0, 2.0)),
                  cap=float(rng.uniform(0.3, 1.0)))
    return (bal, rate0, term, age, lp, bench, mult, margin, svc, smm, mdr, severity, lag, advance), kw


@settings(max_examples=250, deadline=None)
@given(st.integers(0, 2**63 - 1))
def test_python_engine_is_numba_bit_for_bit(seed):
    args, kw = _random_pool(seed)
    fast = _engine.project(*args, engine="numba", **kw)
    slow = _engine.project(*args, engine="python", **kw)
    assert fast.shape == slow.shape
    assert np.array_equal(fast, slow), np.abs(fast - slow).max()


def test_auto_runs_small_projections_without_numba_and_large_ones_with_it():
    """A fresh process: two small calls under ``auto`` never import numba and equal engine='numba' bit for
    bit; a call above AUTO_PYTHON_CALL loan-months loads numba; MBSXL_ENGINE=numba always compiles."""
    code = r"""
import sys, numpy as np, mbsxl
from mbsxl.pool import _engine
kw = dict(prepay=0.12, default=0.02, severity=0.35, recovery_lag=6)
small = lambda **e: mbsxl.loan_cashflows([5e5, 3e5, 2e5], [0.049, 0.0515, 0.0465], [240, 180, 120], **kw, **e)
a = small()
b = small()
assert "numba" not in sys.modules, "auto imported numba for a small projection"
assert _engine.engine_name("auto", loan_months=540) == "python"
big = mbsxl.loan_cashflows([1e5] * 100, [0.05] * 100, [360] * 100, **kw)      # 36,000 loan-months
assert "numba" in sys.modules, "auto did not load numba for a large projection"
assert _engine.engine_name("auto", loan_months=540) == "numba"                 # loaded: numba from now on
c = small(engine="numba")
assert a.equals(c) and b.equals(c), "python and numba engines differ"
assert all(np.array_equal(a[k].to_numpy(), c[k].to_numpy()) for k in a.columns)
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("MBSXL_ENGINE", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.stdout.strip() == "ok", r.stderr[-2000:]
    env["MBSXL_ENGINE"] = "numba"
    r = subprocess.run([sys.executable, "-c", "import sys, mbsxl\n"
                        "mbsxl.loan_cashflows([5e5], [0.049], [240], prepay=0.1)\n"
                        "print('numba' in sys.modules)"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.stdout.strip() == "True", r.stderr[-2000:]


def test_budget_then_numba(monkeypatch):
    """The per-process budget: once AUTO_PYTHON_BUDGET loan-months ran uncompiled, auto loads numba; a call
    above AUTO_PYTHON_CALL, or any call once numba is imported (by any kernel), runs compiled."""
    monkeypatch.setattr(_engine, "_auto_python_spent", [_engine.AUTO_PYTHON_BUDGET - 100])
    monkeypatch.setattr(_engine, "_numba_loaded", lambda: False)          # as in a fresh process
    assert _engine.engine_name("auto", loan_months=100) == "python"
    assert _engine.engine_name("auto", loan_months=1) == "numba"        # budget spent
    monkeypatch.setattr(_engine, "_auto_python_spent", [0])
    assert _engine.engine_name("auto", loan_months=_engine.AUTO_PYTHON_CALL + 1) == "numba"
    assert _engine.engine_name("numba", loan_months=10) == "numba"
    assert _engine.engine_name("numpy", loan_months=10) == "numpy"
    monkeypatch.setattr(_engine, "_numba_loaded", lambda: True)           # numba imported: it serves
    assert _engine.engine_name("auto", loan_months=10) == "numba"
    monkeypatch.setenv("MBSXL_ENGINE", "numba")
    assert _engine.engine_name(loan_months=10) == "numba"


def test_a_rate_out_of_range_is_refused_the_same_way():
    """The uncompiled loop writes the month of an out-of-range rate back (``bad``) as numba does: the
    rate path 0.5 + 0.6 = 1.1 > 1 from month 4 (loan 2's spread) is refused naming loan 2, month 4."""
    n, T = 2, 12
    terms = (np.zeros(n, dtype=np.int64), np.full((1, T), 0.5), np.full(n, 0.05), np.array([0.01, 0.6]),
             np.array([3, 3]), np.zeros(0, dtype=np.int64), np.zeros((n, 0)))
    args = (np.array([1e5, 2e5]), np.array([0.05, 0.05]), np.array([T, T]), np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=bool), np.full(T, np.nan), np.ones(n), np.zeros(n), 0.0, np.zeros((T, 1)),
            np.zeros((T, 1)), 0.0, 0, True)
    messages = []
    for engine in ("numba", "python"):
        with pytest.raises(ValueError) as e:
            _engine.project(*args, engine=engine, terms=terms)
        messages.append(str(e.value))
    assert messages[0] == messages[1] and messages[0].startswith("loan 2 reprices outside [servicing=0, 1] in month 4")
