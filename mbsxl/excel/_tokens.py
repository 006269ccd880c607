"""A formula's tokens computed once per recalculation (issue 21 speed).

The formula check (:func:`mbsxl.excel.formula_guard.rewrite`), the pattern refusals
(:mod:`mbsxl.excel._patterns`) and implicit intersection (:mod:`mbsxl.excel._intersect`) each tokenise
a formula with openpyxl's ``Tokenizer``: the LPR template tokenised 4,213 times for its 1,055 formulas,
the same texts again and again.  While :func:`per_run` is active (``_pycel_load`` to ``_pycel_compile``
of one recalculation: a cache kept on that run's state, never across runs), :func:`tokens` remembers the
token list of each exact formula text; outside it every call tokenises afresh.

The cache is keyed by the exact text (never by a formula's shape: two cells of one shape differ in their
string literals and references), and a tokenising error is never remembered (the next call raises it
again).  The ``Token`` objects are shared between the callers: a caller must not modify them (each gets
its own list); :mod:`mbsxl.excel._fn_refs`, which rewrites tokens in place, tokenises for itself.

>>> with per_run({}):
...     a = tokens("=SUM(A1:A3)")
...     b = tokens("=SUM(A1:A3)")
>>> [t.value for t in a], a is b, a[0] is b[0]
(['SUM(', 'A1:A3', ')'], False, True)
"""
from __future__ import annotations

import contextlib
import threading

#: ``.cache``: this thread's active run's cache (text -> tuple of tokens); absent or None outside
#: :func:`per_run`
_LOCAL = threading.local()
#: at most this many texts are remembered (a formula's tokens take ~1.3 KB in the LPR template: ~7 MB at most,
#: however many distinct formulas a workbook has; the templates have about 1,000)
MAX_TEXTS = 5_000


@contextlib.contextmanager
def per_run(cache: dict):
    """Use ``cache`` (a dict owned by one recalculation) for :func:`tokens` while active."""
    saved = active()
    _LOCAL.cache = cache
    try:
        yield cache
    finally:
        _LOCAL.cache = saved


def active() -> dict | None:
    """The cache of the run active in this thread, or None."""
    return getattr(_LOCAL, "cache", None)


def tokens(text: str) -> list:
    """``openpyxl.formula.tokenizer.Tokenizer(text).items`` (a new list; its tokens must not be
    modified), from the active run's cache when the same text was tokenised before.  Raises what the
    tokenizer raises."""
    cache = getattr(_LOCAL, "cache", None)
    if cache is not None:
        hit = cache.get(text)
        if hit is not None:
            return list(hit)
    from openpyxl.formula.tokenizer import Tokenizer
    items = Tokenizer(text).items
    if cache is not None and len(cache) < MAX_TEXTS:
        cache[text] = tuple(items)
    return items


_PYCEL_INSTALLED = False


def install_pycel() -> None:
    """pycel's ``Tokenizer`` (``pycel.excelformula``, which builds its own tokens from openpyxl's) takes
    openpyxl's tokens from :func:`tokens`: while building the graph, the formulas it parses are the texts
    the formula check and implicit intersection tokenised already.  pycel copies each token
    (``Token.from_token``) before changing anything, so the shared ones stay as they are."""
    global _PYCEL_INSTALLED
    if _PYCEL_INSTALLED:
        return
    from pycel import excelformula as ef

    def __init__(self, formula):
        # openpyxl's Tokenizer.__init__ (openpyxl 3.1) with its _parse's result from tokens()
        self.formula = formula
        self.token_stack = []
        self.offset = 0
        self.token = []
        self.items = tokens(formula)
        self.items = self._items()

    ef.Tokenizer.__init__ = __init__
    _PYCEL_INSTALLED = True
