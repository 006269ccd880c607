"""SUM, COUNT, MAX, SUMPRODUCT, SUMIFS and COUNTIFS over big ranges (mbsxl/excel/_fn_ranges.py, issue 21
speed) give pycel's answers bit for bit: the same value of the same type (an ``int`` stays an ``int``,
the float is the same double, numpy's result the same numpy scalar), the same error, the same
exception.

The oracle is pycel's own functions (pycel 1.0b30: ``excellib.sum_``, ``sumproduct``, ``sumifs``,
``lib.stats.count``, ``max_``, ``countifs``) with the engine's criteria matching installed
(mbsxl/excel/_pycel_speed.py); ranges are random mixes of integers (past 2**53 too), floats (-0.0,
infinities, NaN, 0.1-style sums whose order matters), logicals, empty cells, text, error values and
numpy numbers.  A hand-worked example checks the figures themselves: the integers 1..2000 sum to
2000*2001/2 = 2,001,000; those <= 500 to 500*501/2 = 125,250, and 1,500 of them are > 500.
"""
from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pycel")
from pycel import excellib  # noqa: E402
from pycel.lib import stats  # noqa: E402

from mbsxl.excel import _fn_ranges, _pycel_speed  # noqa: E402
from mbsxl.excel.errors import CalcError  # noqa: E402

_pycel_speed.install()                 # the engine's criteria matching, as in every recalculation
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALUE = st.one_of(
    st.integers(-10**6, 10**6), st.integers(-2**60, 2**60), st.sampled_from([2**53 + 1, -(2**53) - 1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.1, 0.2, 0.3, -0.0, 1e308, 5e-324]),
    st.booleans(), st.none(), st.none(), st.sampled_from(["", "abc", "5", "#N/A", "#DIV/0!", "#VALUE!"]),
    st.just(CalcError("#REF!", "gone")))
PLAIN = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6), st.sampled_from([0.1, 0.2, 0.3]), st.none())


def ranges(values=VALUE, shape=None):
    @st.composite
    def build(draw):
        h, w = shape if shape is not None else (draw(st.integers(1, 12)), draw(st.integers(1, 3)))
        return tuple(tuple(draw(values) for _ in range(w)) for _ in range(h))
    return build()


def _same(a, b):
    """Equal results: the same type and value (floats bit for bit, NaN as NaN), or the same exception."""
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        assert type(a) is type(b)
        return
    assert type(a) is type(b), (a, b)
    if isinstance(a, (float, np.floating)):
        assert struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b)), (a, b)
    else:
        assert a == b, (a, b)


def _call(f, *args):
    try:
        return f(*args)
    except Exception as e:  # noqa: BLE001 - compared
        return e


@pytest.fixture(autouse=True)
def _small_min(monkeypatch):
    monkeypatch.setattr(_fn_ranges, "MIN_CELLS", 1)     # every range takes the cached path here
    _fn_ranges.clear_caches()
    yield
    _fn_ranges.clear_caches()


@SETTINGS
@given(a=ranges(), b=ranges(), c=ranges(PLAIN))
def test_sum_count_max(a, b, c):
    for args in ((a,), (a, b), (c,), (c, a), (a, a)):
        _same(_call(_fn_ranges._sum(excellib.sum_), *args), _call(excellib.sum_, *args))
        _same(_call(_fn_ranges._count(stats.count), *args), _call(stats.count, *args))
        _same(_call(_fn_ranges._max(stats.max_), *args), _call(stats.max_, *args))


@SETTINGS
@given(data=st.data(), h=st.integers(1, 10), w=st.integers(1, 3))
def test_sumproduct(data, h, w):
    a = data.draw(ranges(shape=(h, w)))
    b = data.draw(ranges(PLAIN, shape=(h, w)))
    c = data.draw(ranges(shape=(h, w)))
    other = data.draw(ranges())
    fast = _fn_ranges._sumproduct(excellib.sumproduct)
    for args in ((a, b), (b, b), (a, b, c), (b, other), (a,)):
        _same(_call(fast, *args), _call(excellib.sumproduct, *args))


NUMERIC_CRITERIA = st.builds(lambda op, x: f"{op}{x}", st.sampled_from(["<", ">", "<=", ">=", "<>"]),
                             st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False), st.just(2**60)))
CRITERIA = st.one_of(
    NUMERIC_CRITERIA, NUMERIC_CRITERIA, NUMERIC_CRITERIA,
    st.sampled_from(["<=5", ">2.5", "<>0", ">=-1e300", "<1E+5", "<>", ">abc", "=3", "3", "abc", "<=TRUE", "*"]),
    st.integers(-5, 5), st.just(True), st.none())


@SETTINGS
@given(data=st.data(), h=st.integers(1, 10), w=st.integers(1, 2), crits=st.lists(CRITERIA, min_size=1, max_size=3))
def test_sumifs_countifs(data, h, w, crits):
    values = data.draw(st.sampled_from([VALUE, PLAIN]))
    s = data.draw(ranges(values, shape=(h, w)))
    pairs = []
    for c in crits:
        pairs += [data.draw(ranges(data.draw(st.sampled_from([VALUE, PLAIN])), shape=(h, w))), c]
    if data.draw(st.booleans()):
        pairs[0] = data.draw(ranges())                  # perhaps another shape
    fast_sum = _fn_ranges.fast_ifs("sumifs", excellib.sumifs)
    fast_count = _fn_ranges.fast_ifs("countifs", stats.countifs)
    _same(_call(fast_sum, s, *pairs), _call(excellib.sumifs, s, *pairs))
    _same(_call(fast_count, *pairs), _call(stats.countifs, *pairs))


def test_hand_worked_column():
    """1..2000 in one column, then 500 empty cells (a range past the data's end, as the templates'
    $2:$15001 ranges): SUM 2,001,000 (n(n+1)/2), COUNT 2,000, MAX 2,000, SUMPRODUCT with itself
    n(n+1)(2n+1)/6 = 2,668,667,000, SUMIFS "<=500" 125,250, COUNTIFS ">500" 1,500."""
    col = tuple((i,) for i in range(1, 2001)) + ((None,),) * 500
    assert _fn_ranges._sum(excellib.sum_)(col) == 2_001_000
    assert _fn_ranges._count(stats.count)(col) == 2_000
    assert _fn_ranges._max(stats.max_)(col) == 2_000
    assert _fn_ranges._sumproduct(excellib.sumproduct)(col, col) == 2_668_667_000
    assert _fn_ranges.fast_ifs("sumifs", excellib.sumifs)(col, col, "<=500") == 125_250
    assert _fn_ranges.fast_ifs("countifs", stats.countifs)(col, ">500") == 1_500
    assert _fn_ranges.info(col) is _fn_ranges.info(col)             # worked out once per range


def test_float_order_kept():
    """0.1 + 0.2 + 0.3 added left to right is 0.6000000000000001 (IEEE 754 doubles); numpy's pairwise
    sum or math.fsum would give 0.6: the sequential order is kept."""
    col = ((0.1,), (0.2,), (0.3,)) * 400
    assert _fn_ranges._sum(excellib.sum_)(col) == excellib.sum_(col)
    assert _fn_ranges._sum(excellib.sum_)(((0.1,), (0.2,), (0.3,))) == 0.6000000000000001


def test_other_types_left_to_pycel():
    """A numpy number in a range (not a value a cell holds, but a function could return one): pycel's
    own function, whose answer this is then."""
    col = ((1,), (np.float64(2.5),), (None,))
    for fast, slow in ((_fn_ranges._sum(excellib.sum_), excellib.sum_), (_fn_ranges._count(stats.count), stats.count),
                       (_fn_ranges._max(stats.max_), stats.max_)):
        _same(fast(col), slow(col))
    assert _fn_ranges.info(col) is None


def test_engine_uses_them():
    """The engine's plug-in module holds the wrapped SUM, COUNT, MAX and SUMPRODUCT."""
    from mbsxl.excel._pycel_plugin import _plugin_module
    mod = _plugin_module()
    for name in ("sum_", "count", "max_", "sumproduct"):
        assert getattr(getattr(mod, name), "_mbsxl_ranges", False), name


def test_wrappers_keep_pycel_names():
    # GROUPBY/PIVOTBY take `_xleta.SUM` by the function's name (mbsxl.excel._fn_groupby): a wrapper that
    # renamed SUM made 410 cells of formulas' test.xlsx refused (found by the conformance suite)
    for name, make in (("sum_", _fn_ranges._sum), ("count", _fn_ranges._count), ("max_", _fn_ranges._max),
                       ("sumproduct", _fn_ranges._sumproduct)):
        original = getattr(excellib, name, None) or getattr(stats, name)
        assert make(original).__name__ == original.__name__ == name
