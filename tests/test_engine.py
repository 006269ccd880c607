"""One projection engine (issue 12): the SF-4 primitives' numpy and numba twins agree, the engine is chosen
at call time, compiling rebinds no module global, the PSA ramp has one home, and the curve/OAS modules
import without a cycle.

Arithmetic source: SIFMA Standard Formulas SF-4 (pool factor = survival x amortised balance) and SF-6
(the PSA ramp: 0.2% CPR a month to 6% at month 30).
"""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import mbsxl
from mbsxl.pool import _engine
from mbsxl.pool import conventions
from mbsxl.pool import prepayment
from mbsxl.pool import sf4
from mbsxl.pricing import valuation

PKG = pathlib.Path(mbsxl.__file__).resolve().parent
OURS = {"sf4", "zerocurve", "ratemodels", "prepayment", "valuation", "_engine", "_kernels", "conventions", "tape"}


def _survival(rng, n, paths):
    return np.cumprod(1.0 - rng.uniform(0.0, 0.05, (n, paths)), axis=0)


def test_survival_flow_twins_agree():
    """The numpy form (months x paths) and the scalar form (what the kernel compiles) give the same flows."""
    rng = np.random.default_rng(3)
    bal = sf4.amortized_balance(0.07, 48)
    a, b = sf4.flow_coefficients(bal, 0.065, rng.uniform(0.5, 1.0, 48))
    surv = _survival(rng, 48, 5)
    vec = sf4.survival_flows(surv.copy(), a, b)
    for p in range(5):
        s_prev = 1.0
        for k in range(48):
            assert vec[k, p] == sf4.survival_flow(a[k], s_prev, b[k], surv[k, p])
            s_prev = surv[k, p]


def test_compiled_survival_flow_equals_python():
    pytest.importorskip("numba")
    kernels = _engine.compiled()
    rng = np.random.default_rng(4)
    for a, s0, b, s1 in rng.uniform(0, 2, (50, 4)):
        assert kernels._flow(a, s0, b, s1) == sf4.survival_flow(a, s0, b, s1)
    args = (0, 3, 0.8, np.array([[0.02, 0.03, 0.04, 0.05]]), np.array([1.0, 0.5, 1.0, 1.0]), 5.0, 0.0, 0.6,
            np.zeros(4))
    for mode in (0, 1, 2):
        for k in range(4):
            rates = np.full(4, 0.01)
            assert kernels._keep(mode, 0, k, 0.001, *args[3:8], rates) == \
                prepayment.survival_keep(mode, 0, k, 0.001, *args[3:8], rates)


def test_pool_flows_are_survival_times_balance():
    """SF-4 spelled out: principal F_{k-1} - F_k and net interest F_{k-1} net/12, F = S x BAL."""
    rng = np.random.default_rng(5)
    smm = rng.uniform(0, 0.03, (120, 3))
    for kind in ("level_payment", "level_principal"):
        bal = sf4.amortized_balance(0.06, 120, kind)
        cf, prin = sf4.pool_flows(smm, bal, 0.055)
        factor = np.vstack([np.ones(3), np.cumprod(1 - smm, axis=0)]) * bal[:, None]
        np.testing.assert_allclose(prin, 100 * (factor[:-1] - factor[1:]), rtol=0, atol=1e-12)
        np.testing.assert_allclose(cf, prin + 100 * factor[:-1] * 0.055 / 12, rtol=0, atol=1e-12)


def test_balance_factor_closed_form():
    """BAL_k = (1 - (1 + r)^-(n - k)) / (1 - (1 + r)^-n), 1 - k/n for level principal and at r = 0."""
    n, k = 360.0, np.arange(361.0)
    r = 0.095 / 12
    np.testing.assert_allclose(sf4.balance_factor(0.095, n, k), (1 - (1 + r) ** -(n - k)) / (1 - (1 + r) ** -n),
                               rtol=1e-12, atol=1e-15)
    assert sf4.balance_factor(0.095, n, k, True).tolist() == (1 - k / n).tolist()
    assert sf4.balance_factor(0.0, n, k).tolist() == (1 - k / n).tolist()


def test_scheduled_fraction_is_the_balance_ratio():
    """1 - f(m months left) = BAL_k / BAL_{k-1}: the loan projection amortises on the SF-4 balance."""
    bal = sf4.amortized_balance(0.0666, 240)
    m = 240 - np.arange(240)                       # months left at the start of month k = 1..240
    np.testing.assert_allclose(1 - sf4.scheduled_fraction(0.0666 / 12, m), bal[1:] / bal[:-1], rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(sf4.scheduled_fraction(0.0666 / 12, m, True), 1 / m, rtol=0, atol=0)


def test_engine_read_at_call_time(monkeypatch):
    monkeypatch.setenv("MBSXL_ENGINE", "numpy")
    assert _engine.engine_name() == "numpy"
    assert _engine.engine_name("numpy") == "numpy"
    monkeypatch.setenv("MBSXL_ENGINE", "fortran")
    with pytest.raises(ValueError, match="MBSXL_ENGINE='fortran'"):
        _engine.engine_name()
    with pytest.raises(ValueError, match="engine='fortran'"):
        _engine.engine_name("fortran")
    monkeypatch.delenv("MBSXL_ENGINE")
    assert _engine.engine_name() == ("numba" if _engine.compiled() is not None else "numpy")


def test_numpy_engine_from_the_environment_needs_no_compiled_kernel(monkeypatch):
    """MBSXL_ENGINE=numpy set after import is honoured by the OAS and the loan projection alike."""
    monkeypatch.setenv("MBSXL_ENGINE", "numpy")

    def refuse():
        raise AssertionError("compiled kernels loaded although MBSXL_ENGINE=numpy")

    monkeypatch.setattr(_engine, "compiled", refuse)
    monkeypatch.setattr(valuation, "compiled", refuse)
    r = valuation.oas(100.0, 0.06, 24, [1, 30], [0.03, 0.04], paths=20)
    assert np.isfinite(r.oas)
    cf = mbsxl.loan_cashflows([1e5] * 3000, [0.06] * 3000, [24] * 3000, prepay=0.1)
    assert cf["Beginning Balance"].iloc[0] == pytest.approx(3e8)


def test_compiling_rebinds_no_module_global():
    pytest.importorskip("numba")
    mods = (_engine, valuation, prepayment, sf4)
    before = [dict(vars(m)) for m in mods]
    valuation.oas(100.0, 0.06, 24, [1, 30], [0.03, 0.04], paths=20, engine="numba")
    mbsxl.loan_cashflows([1e5] * 3000, [0.06] * 3000, [24] * 3000, prepay=0.1, engine="numba")
    for m, old in zip(mods, before):
        new = vars(m)
        changed = [k for k in old if k in new and new[k] is not old[k] and not k.startswith("__")]
        assert not changed, (m.__name__, changed)


def test_one_psa_ramp():
    """psa() and the refinancing model both read conventions.psa_ramp; the plateau is PSA_PEAK_CPR."""
    months = np.arange(0, 400)
    np.testing.assert_allclose(conventions.psa(months, 100), conventions.psa_ramp(months, 0.06), rtol=1e-15, atol=0)
    assert conventions.PSA_PEAK_CPR == 0.06
    cpr = prepayment.refi_cpr(np.full((1, 400), 0.05), months, 0.06)       # 6% + 5 x 1% = 11% on the plateau
    np.testing.assert_allclose(cpr[0], 0.11 * conventions.psa_ramp(months), rtol=1e-15, atol=0)


def test_no_import_cycle_through_the_projection_modules():
    """The projection modules take part in no import cycle (the whole-package check, function-level
    imports included, is tests/test_import_graph.py; this names the modules that matter here)."""
    import networkx as nx
    from test_import_graph import _imports, _modules

    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_edges_from((name, m) for m in _imports(name, path, modules))
    ours = {m for m in modules if m.rpartition(".")[2] in OURS}
    assert len(ours) == len(OURS), sorted(ours)
    cyclic = sorted({m for c in nx.simple_cycles(graph) for m in c} & ours)
    assert not cyclic, cyclic
