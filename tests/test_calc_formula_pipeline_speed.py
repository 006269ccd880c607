"""The formula pipeline's speed devices (issue 21, session 8) change no result and outlive no run:
the per-run token cache (:mod:`mbsxl.excel._tokens`), the collector's freeze during a recalculation
(:mod:`mbsxl.excel._heap`) and the stored-cell key of :func:`mbsxl.excel._patterns._rc`.

Expected token lists are openpyxl's own ``Tokenizer`` on the same text (the reference the cache must
reproduce); column numbers are worked by hand in base 26 with A = 1 (``AB`` = 1 x 26 + 2 = 28,
``XFD`` = 24 x 676 + 6 x 26 + 4 = 16,384, Excel's last column)."""
from __future__ import annotations

import gc

import pytest
from openpyxl import Workbook
from openpyxl.formula.tokenizer import Tokenizer, TokenizerError

from mbsxl.excel import _heap, _patterns, _tokens, calc


def _as_tuples(tokens):
    return [(t.value, t.type, t.subtype) for t in tokens]


@pytest.mark.parametrize("text", ['=SUM(A1:A3)*2', '=IF(A1>0,"a""b",{1,2;3,4})', "='My Sheet'!B2+1E+3",
                                  "=LAMBDA(_xlpm.x,_xlpm.x+1)(2)"])
def test_tokens_same_as_openpyxl_inside_and_outside_a_run(text):
    expected = _as_tuples(Tokenizer(text).items)
    assert _as_tuples(_tokens.tokens(text)) == expected
    cache: dict = {}
    with _tokens.per_run(cache):
        first = _tokens.tokens(text)
        second = _tokens.tokens(text)
    assert _as_tuples(first) == _as_tuples(second) == expected
    assert first is not second                      # each caller gets its own list
    assert text in cache
    assert _tokens.active() is None                 # nothing cached after the run
    assert _tokens.tokens(text) is not first


def test_tokens_error_is_raised_every_time_and_not_cached():
    # openpyxl raises TokenizerError for an unterminated string literal
    bad = '="abc'
    cache: dict = {}
    with _tokens.per_run(cache):
        for _ in range(2):
            with pytest.raises(TokenizerError):
                _tokens.tokens(bad)
    assert bad not in cache


@pytest.mark.parametrize("coord, expected", [("A1", (1, 1)), ("Z9", (9, 26)), ("AB12", (12, 28)),
                                             ("XFD1048576", (1_048_576, 16_384)), ("AB12", (12, 28))])
def test_rc_of_stored_cell(coord, expected):
    assert _patterns._rc(coord) == expected


def test_rc_refuses_what_it_refused_before():
    with pytest.raises(AttributeError):             # no letters: no match, as the regex version did
        _patterns._rc("12")


def _book(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = 2, 3, "=A1*A2"   # 2 x 3 = 6
    ws["A4"] = "=SUM(A1:A3)"                         # 2 + 3 + 6 = 11
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_recalculation_leaves_nothing_frozen(tmp_path, monkeypatch):
    path = _book(tmp_path)
    assert gc.get_freeze_count() == 0
    seen = []
    checkpoint = _heap.checkpoint

    def counted():
        checkpoint()
        seen.append(gc.get_freeze_count())
    monkeypatch.setattr(_heap, "checkpoint", counted)
    values = calc.calculate(path, progress=False)
    assert values["Sheet!A3"] == 6 and values["Sheet!A4"] == 11
    assert seen and max(seen) > 0                   # the run froze its heap ...
    assert gc.get_freeze_count() == 0               # ... and thawed it at the end


def test_host_freeze_left_alone(tmp_path):
    path = _book(tmp_path)
    gc.freeze()                                     # the host's own frozen objects
    try:
        before = gc.get_freeze_count()
        values = calc.calculate(path, progress=False)
        assert values["Sheet!A4"] == 11
        assert 0 < gc.get_freeze_count() <= before  # not thawed (a frozen object may still be freed)
    finally:
        gc.unfreeze()


def test_frozen_thaws_on_error():
    thresholds = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with _heap.frozen():
            _heap.checkpoint()
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[0] >= _heap.YOUNG
            raise RuntimeError("a stage failed")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds          # the host's thresholds back
    assert _heap._after_collection not in gc.callbacks
    _heap.checkpoint()                              # outside a run: does nothing
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("text", ["=SUM(A1:INDEX(B1:B3,2))", "=A1:A3 B2:C2", "=+A1*-B2", '=IF(A1,"x",B1:B2)'])
def test_pycel_tokenizer_same_tokens_and_shared_ones_untouched(text):
    from pycel import excelformula as ef
    from mbsxl.excel import _pycel_speed
    _pycel_speed.install()                          # installs _tokens.install_pycel
    reference = ef.Tokenizer.__new__(ef.Tokenizer)
    Tokenizer.__init__(reference, text)             # openpyxl's parse, then pycel's own conversion
    expected = _as_tuples(reference._items())
    cache: dict = {}
    with _tokens.per_run(cache):
        shared = _as_tuples(_tokens.tokens(text))
        assert _as_tuples(ef.Tokenizer(text).items) == expected
        assert _as_tuples(ef.Tokenizer(text).items) == expected
    # pycel splits "A1:INDEX(" and drops a unary "+" on its own copies: the cached tokens are unchanged
    assert _as_tuples(cache[text]) == shared == _as_tuples(Tokenizer(text).items)


def test_flatten_same_items_as_pycels_own():
    # the reference is pycel's own excelutil.flatten (pycel 1.0b30), kept by install() as the fallback
    import collections
    import random

    import numpy as np
    from pycel import excelutil
    from pycel.excelutil import AddressRange
    from mbsxl.excel import _pycel_speed
    _pycel_speed.install()
    fast = excelutil.flatten
    import inspect
    reference = inspect.getclosurevars(fast).nonlocals["original"]
    assert reference is not fast
    pair = collections.namedtuple("pair", "a b")
    rng = random.Random(21)
    leaves = [1, 2.5, True, None, "x", "", "#N/A", np.float64(3.0), pair(1, "y"), AddressRange("A1:B2"),
              frozenset([7]), ()]

    def value(depth=0):
        r = rng.random()
        if depth < 3 and r < 0.3:
            return tuple(value(depth + 1) for _ in range(rng.randint(0, 3)))
        if depth < 3 and r < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return rng.choice(leaves)
    column = tuple((float(i),) for i in range(1000))          # a column range: one-item rows
    for data, coerce in [(column, lambda x: x), (((1, "a"), (None, True)), str)] + \
            [(value(), rng.choice([lambda x: x, lambda x: (x,), str])) for _ in range(2000)]:
        assert repr(list(fast(data, coerce))) == repr(list(reference(data, coerce)))
