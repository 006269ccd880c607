"""Scenario analytics (issue 14): MBS_GRID (mbsxl.deal.scenario), MBS_BREAKEVEN (mbsxl.breakeven), MBS_KRD
(mbsxl.pricing.keyrate).

Figures from outside the project: the Jianyuan 2007-1 class sizes (seed 002: A 3,582,348,600,
B 356,154,500, C 82,381,500, subordinate 139,799,108) and pool balance (seed 001: 4,160,683,708);
the issue's rules (a grid cell is a full projection and waterfall; the breakeven CDR is where the
class's first principal loss appears, to the search tolerance; key-rate durations sum to the
effective duration within 1%).  Reference values come from single calls of mbsxl.cashflows and
mbsxl.tranche_stats / mbsxl.tranches (the path a worksheet takes one cell at a time), yields from
numpy-financial's IRR, key-rate durations from a bumped curve priced by hand in numpy (QuantLib is
not installed here).  WAC, WAM, age, spreads, fees, lag and call are assumptions of the tests (the
deal-review template's), not published figures.
"""
import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings, strategies as st

import mbsxl
from mbsxl.deal import waterfall as wf
from mbsxl.errors import MbsxlInputError

NAMES = ["A", "B", "C", "Subordinate"]
SIZES = [3_582_348_600.0, 356_154_500.0, 82_381_500.0, 139_799_108.0]
POOL = 4_160_683_708.0
SPREADS = [0.009, 0.015, 0.025, 0.0]
FLAGS = [1, 1, 1, 0]
POOL_KW = dict(recovery_lag=12, servicing=0.001, age=22)
WF_KW = dict(cleanup_call=0.1, index=0.0387, floating=FLAGS, fees=0.0005)   # 3.87%: PBoC 1y deposit, 2007-09-15


def _single(cls, cpr, cdr, sev, wam=197, **wf_kw):
    """One scenario by single calls: the pool table, the class's stats row and cash-flow column."""
    pool = mbsxl.cashflows(POOL, 0.068, wam, prepay=cpr, default=cdr, severity=sev, **POOL_KW)
    kw = {**WF_KW, **wf_kw}
    stats = mbsxl.tranche_stats(pool, None, None, NAMES, SIZES, SPREADS, class_=cls, **kw).iloc[0]
    cf = mbsxl.tranches(pool, None, None, NAMES, SIZES, SPREADS, class_=cls, **kw)["Cash Flow"].to_numpy()
    loss = mbsxl.tranches(pool, None, None, NAMES, SIZES, SPREADS, class_=cls, **kw)["Loss"].to_numpy()
    return stats, cf, loss


def _bey_by_irr(cf, price, face):
    """Bond-equivalent yield from numpy-financial's monthly IRR: flows k months after settlement,
    price per 100 of face; (1 + irr) = (1 + y/2) ** (1/6) (SIFMA SF-48 a with T_k = k/12)."""
    irr = npf.irr(np.r_[-price * face / 100.0, cf])
    return 2.0 * ((1.0 + irr) ** 6 - 1.0)


# ------------------------------------------------------------------ the grid
@pytest.mark.parametrize("cls", ["A", "C", "Subordinate"])
def test_grid_cells_equal_single_calls(cls):
    cprs, cdrs, sevs = [0.0, 0.2, 0.4], [0.0, 0.03, 0.1], [0.3, 0.6]
    g = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, cls, 98.5, cprs, cdrs, sevs, **POOL_KW, **WF_KW)
    assert len(g) == 18 and list(g.columns) == ["CPR", "CDR", "Severity", "WAL", "Yield", "Loss", "Loss %",
                                                "First Loss Period"]
    i = 0
    for cpr in cprs:
        for cdr in cdrs:
            for sev in sevs:
                row = g.iloc[i]
                i += 1
                assert (row["CPR"], row["CDR"], row["Severity"]) == (cpr, cdr, sev)
                stats, cf, loss = _single(cls, cpr, cdr, sev)
                face = SIZES[NAMES.index(cls)]
                if np.isnan(stats["WAL"]):
                    assert np.isnan(row["WAL"])
                else:
                    assert row["WAL"] == pytest.approx(stats["WAL"], rel=1e-12)
                assert row["Loss"] == pytest.approx(stats["Total Loss"], rel=1e-10, abs=1e-4)
                assert row["Loss %"] == pytest.approx(stats["Total Loss"] / face, rel=1e-10, abs=1e-12)
                hit = np.flatnonzero(loss > 0)
                if hit.size:
                    assert row["First Loss Period"] == hit[0] + 1
                else:
                    assert np.isnan(row["First Loss Period"])
                y = _bey_by_irr(cf, 98.5, face)
                if y > -0.99:
                    assert row["Yield"] == pytest.approx(y, abs=1e-9)
                else:                                   # below the yields mbsxl.yield_ searches: empty
                    assert np.isnan(row["Yield"])


@pytest.mark.parametrize("options", [dict(structure="pro_rata"), dict(interest_on_shortfall=True),
                                     dict(residual=False, cleanup_call=0.0), dict(fees=0.02, index=None,
                                                                                  floating=None),
                                     dict(pool_balance=POOL * 1.05, cleanup_call=0.25)])
def test_grid_batch_path_matches_tranches_under_each_option(options):
    """Every option the batch path handles gives the single-call numbers (fees of 2% force shortfalls)."""
    kw = {**WF_KW, **options}
    for cls in ("B", "Subordinate"):
        g = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, cls, 100, [0.05, 0.35], [0.0, 0.08], 0.5,
                       **POOL_KW, **kw)
        for (_, row), (cpr, cdr) in zip(g.iterrows(), [(0.05, 0.0), (0.05, 0.08), (0.35, 0.0), (0.35, 0.08)]):
            stats, cf, _ = _single(cls, cpr, cdr, 0.5, **options)
            assert row["Loss"] == pytest.approx(stats["Total Loss"], rel=1e-10, abs=1e-4)
            assert (np.isnan(row["WAL"]) and np.isnan(stats["WAL"])) or row["WAL"] == pytest.approx(stats["WAL"],
                                                                                                    rel=1e-12)
            try:
                y = mbsxl.yield_(cf, 100, balance=SIZES[NAMES.index(cls)])
            except MbsxlInputError:                     # no yield in (-99%, 100%]: the grid leaves it empty
                y = np.nan
            assert (np.isnan(y) and np.isnan(row["Yield"])) or row["Yield"] == pytest.approx(y, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.floats(10.0, 500.0), min_size=1, max_size=4),
       coupons=st.lists(st.floats(0.0, 0.12), min_size=4, max_size=4),
       cpr=st.floats(0.0, 0.6), cdr=st.floats(0.0, 0.3), sev=st.floats(0.0, 1.0),
       fees=st.floats(0.0, 0.03), call=st.sampled_from([0.0, 0.1, 0.3]),
       structure=st.sampled_from(["sequential", "pro_rata"]), ios=st.booleans(), residual=st.booleans())
def test_grid_equals_waterfall_on_random_deals(sizes, coupons, cpr, cdr, sev, fees, call, structure, ios, residual):
    """Property: for any small deal the batch grid reports the loss and WAL of mbsxl.tranche_stats."""
    names = [f"K{j}" for j in range(len(sizes))]
    pool_bal = sum(sizes) * 1.02
    cps = coupons[:len(sizes)]
    kw = dict(structure=structure, cleanup_call=call, fees=fees, interest_on_shortfall=ios, residual=residual)
    cls = names[-1]
    g = mbsxl.grid(pool_bal, 0.07, 48, names, sizes, cps, cls, 100, [cpr], [0.0, cdr], sev, recovery_lag=3, **kw)
    for (_, row), d in zip(g.iterrows(), [0.0, cdr]):
        pool = mbsxl.cashflows(pool_bal, 0.07, 48, prepay=cpr, default=d, severity=sev, recovery_lag=3)
        s = mbsxl.tranche_stats(pool, None, None, names, sizes, cps, class_=cls, **kw).iloc[0]
        assert row["Loss"] == pytest.approx(s["Total Loss"], rel=1e-9, abs=1e-9)
        assert (np.isnan(row["WAL"]) and np.isnan(s["WAL"])) or row["WAL"] == pytest.approx(s["WAL"], rel=1e-9)
        assert 0.0 <= row["Loss %"] <= 1.0 + 1e-12


def test_grid_passes_other_waterfall_arguments_to_tranches(monkeypatch):
    """A keyword the batch path does not know goes to mbsxl.tranches unchanged, scenario by scenario
    (how a mechanism added to the waterfall reaches the grid)."""
    seen = []
    real = wf.tranches

    def tranches(*args, probe=None, **kw):
        seen.append(probe)
        return real(*args, **kw)

    monkeypatch.setattr(wf, "tranches", tranches)
    g = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "C", 100, [0.1, 0.3], [0.02, 0.06], 0.4,
                   **POOL_KW, **WF_KW, probe="trigger table")
    assert seen and all(p == "trigger table" for p in seen)
    monkeypatch.setattr(wf, "tranches", real)
    plain = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "C", 100, [0.1, 0.3], [0.02, 0.06], 0.4,
                       **POOL_KW, **WF_KW)
    np.testing.assert_allclose(g[["WAL", "Yield", "Loss"]].to_numpy(dtype=float),
                               plain[["WAL", "Yield", "Loss"]].to_numpy(dtype=float), rtol=1e-10)


def test_grid_matrix_is_the_long_table_by_cpr_and_cdr():
    cprs, cdrs = [0.0, 0.1, 0.3], [0.0, 0.02, 0.05, 0.1]
    g = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "C", 100, cprs, cdrs, 0.3, **POOL_KW, **WF_KW)
    for metric, col in [("wal", "WAL"), ("yield", "Yield"), ("loss_pct", "Loss %"), ("首次损失期", "First Loss Period")]:
        m = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "C", 100, cprs, cdrs, 0.3, metric=metric,
                       **POOL_KW, **WF_KW)
        assert list(m.columns) == ["CPR \\ CDR"] + cdrs and m.iloc[:, 0].tolist() == cprs
        np.testing.assert_array_equal(m.iloc[:, 1:].to_numpy(dtype=float),
                                      g[col].to_numpy(dtype=float).reshape(3, 4))


def test_grid_through_the_worksheet_dispatch():
    from mbsxl.excel.dispatch import call
    col = lambda xs: [[x] for x in xs]
    args = (POOL, 0.068, 197, col(NAMES), col(SIZES), col(SPREADS), "C", 100, col([0.0, 0.2]), [[0.0, 0.05]], 0.3,
            12, 0.001, 22, "sequential", 0.1, 0.0387, col(FLAGS), 0.0005)
    cells = call("MBS_GRID", *args)
    ref = mbsxl.grid(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "C", 100, [0.0, 0.2], [0.0, 0.05], 0.3, **POOL_KW,
                     **WF_KW)
    assert cells[0] == list(ref.columns) and len(cells) == 5
    assert cells[2][5] == pytest.approx(ref["Loss"][1])
    m = call("MBS_GRID", *args, 2, None, "loss")
    assert m[0] == ["CPR \\ CDR", 0.0, 0.05] and m[2][2] == pytest.approx(ref["Loss"][3])


# ------------------------------------------------------------------ breakevens
def test_loss_breakeven_is_where_the_first_principal_loss_appears():
    for cls, cpr, sev in [("C", 0.2, 0.3), ("B", 0.1, 0.5), ("A", 0.25, 0.9)]:
        t = mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, cls, cpr, sev, **POOL_KW, **WF_KW)
        be, tol = t["Value"][0], t["Value"][3]
        assert tol == 1e-6 and 0 < be < 1
        _, _, above = _single(cls, cpr, be, sev)
        _, _, below = _single(cls, cpr, be - tol, sev)
        assert above.sum() > 0, (cls, be)
        assert below.sum() == 0, (cls, be)
        assert np.isnan(t["Value"][1]) and np.isnan(t["Value"][2])
        assert t["Value"][4] <= 2 + np.ceil(np.log2(1 / tol))


def test_yield_breakeven_gives_the_threshold_yield():
    for cls, thr in [("C", 0.03), ("B", 0.0)]:
        t = mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, cls, 0.2, 0.4, thr, 99.0, **POOL_KW, **WF_KW)
        cdr = t["Value"][1]
        _, cf, _ = _single(cls, 0.2, cdr, 0.4)
        assert _bey_by_irr(cf, 99.0, SIZES[NAMES.index(cls)]) == pytest.approx(thr, abs=1e-5)
        _, cf_lo, _ = _single(cls, 0.2, cdr - 1e-3, 0.4)
        _, cf_hi, _ = _single(cls, 0.2, cdr + 1e-3, 0.4)
        assert _bey_by_irr(cf_lo, 99.0, SIZES[NAMES.index(cls)]) > thr > _bey_by_irr(cf_hi, 99.0,
                                                                                    SIZES[NAMES.index(cls)])
        assert t["Value"][2] == thr


# ------------------------------------------------------------------ key-rate durations
TERMS = [0.25, 1, 2, 3, 5, 7, 10, 20]
ZEROS = [0.018, 0.021, 0.024, 0.026, 0.029, 0.031, 0.033, 0.036]
KEYS = [1, 2, 3, 5, 7, 10]


def _class_flows():
    pool = mbsxl.cashflows(POOL, 0.068, 197, prepay=0.1726, default=0.005, severity=0.3, **POOL_KW)
    return mbsxl.tranches(pool, None, None, NAMES, SIZES, SPREADS, class_="A", **WF_KW)["Cash Flow"].to_numpy()


def _hand_pv(cf, shift_at):
    """PV on the curve, continuous compounding, zero rates interpolated by hand, plus shift_at(t)."""
    t = np.arange(1, cf.size + 1) / 12.0
    z = np.empty_like(t)
    for i, x in enumerate(t):
        if x <= TERMS[0]:
            z[i] = ZEROS[0]
        elif x >= TERMS[-1]:
            z[i] = ZEROS[-1]
        else:
            j = max(j for j in range(len(TERMS)) if TERMS[j] <= x)
            w = (x - TERMS[j]) / (TERMS[j + 1] - TERMS[j]) if j + 1 < len(TERMS) else 0.0
            z[i] = ZEROS[j] + w * (ZEROS[j + 1] - ZEROS[j]) if j + 1 < len(TERMS) else ZEROS[j]
    return float(np.sum(cf * np.exp(-(z + np.array([shift_at(x) for x in t])) * t)))


def _triangle(i, x):
    """The key-rate shift of key tenor i at term x, written from its definition."""
    k = KEYS
    if x <= k[0]:
        return 1.0 if i == 0 else 0.0
    if x >= k[-1]:
        return 1.0 if i == len(k) - 1 else 0.0
    if i > 0 and k[i - 1] <= x <= k[i]:
        return (x - k[i - 1]) / (k[i] - k[i - 1])
    if i < len(k) - 1 and k[i] <= x <= k[i + 1]:
        return (k[i + 1] - x) / (k[i + 1] - k[i])
    return 0.0


def test_krd_sums_to_the_effective_duration_and_matches_a_hand_bumped_curve():
    cf = _class_flows()
    t = mbsxl.krd(cf, TERMS, ZEROS, KEYS)
    krds = t["Key Rate Duration"].to_numpy(dtype=float)
    assert t["Key Tenor"].tolist()[:6] == [float(k) for k in KEYS]
    h = 1e-4
    p0 = _hand_pv(cf, lambda x: 0.0)
    eff = (_hand_pv(cf, lambda x: -h) - _hand_pv(cf, lambda x: h)) / (2 * h * p0)
    assert krds[-1] == pytest.approx(eff, rel=1e-9)
    assert abs(krds[:6].sum() - eff) <= 0.01 * eff
    assert krds[6] == pytest.approx(krds[:6].sum(), rel=1e-12)
    for i in range(len(KEYS)):
        hand = (_hand_pv(cf, lambda x: -h * _triangle(i, x)) - _hand_pv(cf, lambda x: h * _triangle(i, x))) / (2 * h * p0)
        assert krds[i] == pytest.approx(hand, rel=1e-8, abs=1e-10)


def test_krd_of_a_zero_coupon_flow_sits_on_its_key_tenor():
    """One flow at 5 years, continuous compounding: d ln P / dz = -5 at the 5-year key only
    ((e^{5h} - e^{-5h}) / 2h = 5 + 125 h^2 / 6)."""
    cf = np.zeros(60)
    cf[-1] = 100.0
    t = mbsxl.krd(cf, [1, 10], [0.03, 0.04], [2, 5, 10])
    d = t["Key Rate Duration"].to_numpy(dtype=float)
    h = 1e-4
    assert d[1] == pytest.approx(5 + 125 * h * h / 6, rel=1e-9)
    assert d[0] == 0.0 and d[2] == 0.0


# ------------------------------------------------------------------ bad input
def _grid(**kw):
    args = dict(balance=POOL, wac=0.068, wam=197, tranche_names=NAMES, tranche_balances=SIZES,
                tranche_coupons=SPREADS, class_="C", price=100, cprs=[0.1], cdrs=[0.01], severities=0.3,
                recovery_lag=12, servicing=0.001, age=22, **WF_KW)
    args.update(kw)
    return mbsxl.grid(**args)


@pytest.mark.parametrize("kw, words", [
    (dict(cprs=[]), ["cprs is empty"]),
    (dict(cdrs=[]), ["cdrs is empty"]),
    (dict(cdrs=[0, 1, 2, 5]), ["cdrs[2]=2", "percent", "0.02"]),
    (dict(cdrs=[0.01, 150]), ["cdrs[1]=150", "above 1"]),
    (dict(cprs=[0.1, -0.1]), ["cprs[1]=-0.1"]),
    (dict(severities=[]), ["severities is empty"]),
    (dict(class_="D"), ["class_='D'", "A, B, C, Subordinate"]),
    (dict(class_=""), ["class_ is empty"]),
    (dict(metric="duration"), ["metric='duration'", "wal"]),
    (dict(metric="wal", severities=[0.3, 0.5]), ["metric='wal'", "severities has 2"]),
    (dict(price=0), ["price=0"]),
    (dict(cprs=list(np.linspace(0, 0.5, 60)), cdrs=list(np.linspace(0, 0.1, 60))), ["3,600", "cap"]),
])
def test_grid_bad_input_names_the_argument(kw, words):
    with pytest.raises(MbsxlInputError) as e:
        _grid(**kw)
    for w in words:
        assert w in str(e.value)


def test_breakeven_without_a_bracket_names_the_argument():
    with pytest.raises(MbsxlInputError, match=r"loses no principal even at CDR cdr_max=1"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "A", 0.2, 0.05, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"cdr_max=0.01"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "B", 0.2, 0.3, cdr_max=0.01, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"yield_threshold=0.2 is above"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "B", 0.2, 0.3, 0.2, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"yield_threshold=4 looks like a percent"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "B", 0.2, 0.3, 4, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"class_='Z'"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "Z", 0.2, 0.3, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"tolerance=0.5"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "B", 0.2, 0.3, tolerance=0.5, **POOL_KW, **WF_KW)
    with pytest.raises(MbsxlInputError, match=r"cpr=20 looks like a percent"):
        mbsxl.breakeven(POOL, 0.068, 197, NAMES, SIZES, SPREADS, "B", 20, 0.3, **POOL_KW, **WF_KW)


@pytest.mark.parametrize("kw, words", [
    (dict(key_tenors=[]), ["key_tenors is empty"]),
    (dict(key_tenors=[1, 5, 3]), ["key_tenors[2]=3", "increasing"]),
    (dict(bump=1), ["bump=1"]),
    (dict(curve_rates=[0.03]), ["curve_terms has 2 values and curve_rates 1"]),
])
def test_krd_bad_input_names_the_argument(kw, words):
    args = dict(cash_flows=[1.0] * 11 + [101.0], curve_terms=[1, 10], curve_rates=[0.03, 0.04], key_tenors=[1, 5])
    args.update(kw)
    with pytest.raises(MbsxlInputError) as e:
        mbsxl.krd(**args)
    for w in words:
        assert w in str(e.value)
