"""Excel 365 text functions for the headless engine (issue 21): ARRAYTOTEXT, VALUETOTEXT, REGEXTEST,
REGEXEXTRACT, REGEXREPLACE, TEXTSPLIT, TEXTBEFORE, TEXTAFTER, following Microsoft's function reference
(support.microsoft.com, "<NAME> function") and checked against every cell Excel cached in the
conformance corpus (``tests/conformance/workbooks``).

The rule of ``mbsxl calc`` holds: where this engine cannot be sure of Excel's answer the cell is an
error whose reason starts ``unsupported:``, never a different value:

- VALUETOTEXT of an error value is the error's *text* in Excel ("#N/A"), which this engine cannot tell
  from the error itself: refused;
- a number whose text would need an exponent (Excel's General format and Python's differ there): refused;
- regular expressions: Excel runs PCRE2; this engine runs the ``regex`` package, with a time limit of
  :data:`REGEX_SECONDS` per call (catastrophic backtracking ends in an error saying so).  Patterns using
  syntax whose meaning differs between the two (or is not checked here: ``\\p{..}``, ``\\Z``, ``(*VERB)``,
  inline flags after the start, ``{,n}``, POSIX classes, escapes other than ``\\d \\w \\s \\b \\A \\n \\t``,
  ``\\1``-``\\9``, ``\\xHH`` and escaped punctuation ...) are refused, as are ``\\d \\w \\s \\b`` and
  case-insensitive matching on text with non-ASCII characters (PCRE2's Unicode mode is not known);
- TEXTBEFORE/TEXTAFTER/TEXTSPLIT where two delimiter matches overlap in the text (which one Excel takes
  is not documented), or with an empty delimiter: refused.

Functions are lifted over arrays where Excel lifts them (a cell of the lifted result shows the first
value of an array result, as Excel does).  TEXTSPLIT refuses a result over ``--max-array-cells``.

>>> valuetotext("a", 1), arraytotext(((1, "b"), (True, None)), 1), textbefore("a-b-c", "-", -1)
('"a"', '{1,"b";TRUE,}', 'a-b')
>>> regexextract("(378) 555-4195", "[0-9]+", 1), textsplit("1,2;3", ",", ";")
((('378', '555', '4195'),), (('1', '2'), ('3', '#N/A')))
"""
from __future__ import annotations

import itertools
import math
import re

from .errors import CalcError
from ._guard_base import ERROR_CODES, MAX_CELLS as _MAX_CELLS, TEXT365_NAMES

EXCEL_NAMES = TEXT365_NAMES
VALUE = "#VALUE!"
NA = "#N/A"
REGEX_SECONDS = 1.0        # one REGEX* call's matching; the cell's own --cell-seconds bounds the rest
#: what the engine passes for an omitted argument (``TEXTAFTER(a,b,,1)``) of these functions, so that it
#: is told from an empty cell (an empty instance_num cell is 0, an omitted one 1): written by the
#: emitter (:func:`mbsxl.excel._fn_lambda.install_emitters`) as a string constant
OMITTED = "\x00mbsxl-omitted\x00"


def _d(v, default):
    return default if (isinstance(v, str) and v == OMITTED) else v


def _err(v) -> bool:
    return isinstance(v, str) and v in ERROR_CODES


def _value_error(why: str) -> CalcError:
    return CalcError(VALUE, why)


def _unsupported(why: str, code: str = NA) -> CalcError:
    return CalcError(code, f"unsupported: {why}")


def _scalar(v):
    if isinstance(v, tuple):
        while isinstance(v, tuple) and len(v) == 1:
            v = v[0]
    return v


def _number_text(x) -> str | CalcError:
    """A number as Excel writes it into text (General format, 15 significant digits)."""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float) and not math.isfinite(x):
        return CalcError("#NUM!", "not a finite number")
    if x == 0:
        return "0"                                  # -0.0 too
    if isinstance(x, int):
        if abs(x) < 10 ** 15:
            return str(x)
        x = float(x)
    t = f"{x:.15g}"
    if "e" in t:
        return _unsupported(f"the text of the number {x!r} (Excel's General format with an exponent is not "
                            "reproduced)")
    return t


def _text(v):
    """A value as text, as Excel converts it; an error stays the error."""
    if _err(v):
        return v
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, int, float)):
        return _number_text(v)
    return _value_error(f"not a value: {type(v).__name__}")


def _int_arg(v, name):
    """A whole-number argument (truncated) as Excel reads it: empty is 0, TRUE is 1, numeric text is
    read; other text #VALUE!; an error stays the error."""
    if _err(v):
        return v
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return _value_error(f"{name} must be a number, not {v[:20]!r}")
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            return CalcError("#NUM!", f"{name} is not finite")
        return math.trunc(v)
    return _value_error(f"{name} must be a number")


def _flag(v, name):
    """An argument that must be 0 or 1 (a format, a case sensitivity, a match mode)."""
    n = _int_arg(v, name)
    if isinstance(n, str):
        return n
    if n not in (0, 1):
        return _value_error(f"{name} must be 0 or 1, not {n}")
    return n


def _grid(v):
    """A value as rows (lists); a single value is one row of one (also LAMBDA's, :mod:`._fn_lambda`)."""
    if isinstance(v, tuple):
        if not v:
            return [[None]]
        return [list(r) if isinstance(r, tuple) else [r] for r in v]
    return [[v]]


def _lifted(fn, args, positions):
    """``fn(*args)``, or, when an argument at one of ``positions`` is an array of several values, ``fn``
    of each element (arrays of different sizes broadcast where one side has one row or column, else
    #N/A), each array result shown by its first value."""
    args = list(args)
    grids = {}
    for i in positions:
        if i < len(args) and isinstance(args[i], tuple):
            g = _grid(args[i])
            if len(g) == 1 and len(g[0]) == 1:
                args[i] = g[0][0]
            else:
                grids[i] = g
    if not grids:
        return fn(*args)
    h = max(len(g) for g in grids.values())
    w = max(len(g[0]) for g in grids.values())
    out = []
    for r in range(h):
        row = []
        for c in range(w):
            a = list(args)
            missing = False
            for i, g in grids.items():
                rr = 0 if len(g) == 1 else r
                cc = 0 if len(g[0]) == 1 else c
                if rr >= len(g) or cc >= len(g[0]):
                    missing = True
                    break
                a[i] = g[rr][cc]
            if missing:
                row.append(CalcError(NA, ""))
                continue
            v = fn(*a)
            row.append(_grid(v)[0][0] if isinstance(v, tuple) else v)
        out.append(tuple(row))
    return tuple(out)


def _result(rows):
    rows = [tuple(r) for r in rows]
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return tuple(rows)


# --------------------------------------------------------------------- ARRAYTOTEXT / VALUETOTEXT
def _quoted(s: str):
    """Text in the strict format: in quotes.  Text holding a quote is refused: how Excel escapes it
    there is not documented."""
    if '"' in s:
        return _unsupported("the strict format of text holding a double quote")
    return '"' + s + '"'


def _valuetotext(value, format=0):
    f = _flag(format, "VALUETOTEXT format")
    if isinstance(f, str):
        return f
    if _err(value):
        return _unsupported(f"VALUETOTEXT of the error value {value} (Excel gives the error's text, which this "
                            "engine cannot tell from the error)", code=str(value))
    t = _text(value)
    if isinstance(t, str) and _err(t) and not isinstance(value, str):
        return t
    if isinstance(t, CalcError):
        return t
    if f == 1 and isinstance(value, str):
        return _quoted(t)           # a text value: never an error code here (errors are refused above)
    if _err(t):
        return _unsupported(f"VALUETOTEXT of the text {t!r}, which this engine cannot tell from an error")
    return t


def valuetotext(value, format=0):
    """VALUETOTEXT(value, [format]): the value as text; format 0 (concise, default) or 1 (strict: text in
    quotes).  >>> valuetotext(1.9), valuetotext("a", 1), valuetotext(True, 1)  -> '1.9', '"a"', 'TRUE'."""
    return _lifted(_valuetotext, (_d(value, None), _d(format, 0)), (0, 1))


def _item(v, strict):
    if _err(v):
        return str(v)
    if v is None:
        return ""
    if isinstance(v, str):
        return _quoted(v) if strict else v
    return _number_text(v)


def _arraytotext(array, format=0):
    f = _flag(format, "ARRAYTOTEXT format")
    if isinstance(f, str):
        return f
    g = _grid(array)
    if len(g) == 1 and len(g[0]) == 1 and g[0][0] is None:
        if f == 1:
            return _value_error("ARRAYTOTEXT of an empty cell")
        return _unsupported("ARRAYTOTEXT of a single empty cell")
    items = [[_item(v, f == 1) for v in row] for row in g]
    for row in items:
        for x in row:
            if isinstance(x, CalcError):
                return x
    text = "{" + ";".join(",".join(r) for r in items) + "}" if f == 1 else ", ".join(x for r in items for x in r)
    if _err(text):
        return _unsupported(f"ARRAYTOTEXT giving the text {text!r}, which this engine cannot tell from an error")
    return text


def arraytotext(array, format=0):
    """ARRAYTOTEXT(array, [format]): the values as one text, concise (``1, b``; default) or strict
    (``{1,"b";TRUE,}``: rows by semicolons, text in quotes)."""
    return _lifted(_arraytotext, (_d(array, None), _d(format, 0)), (1,))


# --------------------------------------------------------------------------- regular expressions
_SAFE_ESCAPES = set("dDwWsSbBAntrf")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_UNICODE_SENSITIVE = re.compile(r"\\[dDwWsSbB]")
_GROUP_START = re.compile(r"\(\?(?::|=|!|<=|<!|>|<[A-Za-z_][A-Za-z0-9_]*>)")
_LEADING_FLAGS = re.compile(r"^\(\?[ims]+\)")
_COMPILED: dict = {}


def _pattern_problem(p: str) -> str | None:
    """Why ``p`` may mean something else to PCRE2 than to the ``regex`` package, or None."""
    i, n = 0, len(p)
    m = _LEADING_FLAGS.match(p)
    if m:
        i = m.end()
    in_class = False
    while i < n:
        ch = p[i]
        if ch == "\\":
            if i + 1 >= n:
                return "a pattern ending in a backslash"
            e = p[i + 1]
            if e in _SAFE_ESCAPES:
                i += 2
                continue
            if e in "123456789" and not in_class and not (i + 2 < n and p[i + 2].isdigit()):
                i += 2
                continue
            if e == "x" and re.match(r"[0-9A-Fa-f]{2}", p[i + 2:i + 4]):
                i += 4
                continue
            if not _ALNUM.match(e) and ord(e) < 128:
                i += 2
                continue
            return f"the escape \\{e}"
        if in_class:
            if ch == "[" and p[i + 1:i + 2] in (":", ".", "="):
                return "a POSIX class inside brackets"
            if ch == "]":
                in_class = False
            i += 1
            continue
        if ch == "[":
            in_class = True
            i += 1
            if p[i:i + 1] == "^":
                i += 1
            if p[i:i + 1] == "]":
                i += 1
            continue
        if ch == "(":
            if p[i + 1:i + 2] == "*":
                return "a (*VERB)"
            if p[i + 1:i + 2] == "?":
                m = _GROUP_START.match(p, i)
                if not m:
                    return f"the group {p[i:i + 4]!r}"
                if m.group(0) in ("(?<=", "(?<!") and re.search(r"[*+?{|]", p[m.end():]):
                    # PCRE2 wants a lookbehind of fixed length; the regex package takes any
                    return "a lookbehind that may not be of fixed length"
                i = m.end()
                continue
        if ch == "{" and p[i + 1:i + 2] == ",":
            return "a {,n} quantifier"
        i += 1
    return None


def _compile(pattern, case):
    """The compiled pattern (``regex`` package) or an error."""
    try:
        import regex
    except ImportError:                      # pragma: no cover - the calc extra installs it
        return _unsupported('REGEX functions need the regex package (pip install "mbsxl[calc]")')
    key = (pattern, case)
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit
    why = _pattern_problem(pattern)
    if why is not None:
        out = _unsupported(f"a regular expression with {why} (PCRE2 and Python may read it differently)")
    else:
        try:
            out = regex.compile(pattern, regex.V0 | (regex.IGNORECASE if case else 0))
        except (regex.error, ValueError, OverflowError) as e:
            out = _value_error(f"the regular expression does not compile: {str(e)[:80]}")
    if len(_COMPILED) > 1000:
        _COMPILED.clear()
    _COMPILED[key] = out
    return out


def _regex_args(text, pattern, case):
    """(text, compiled pattern) or an error (in Excel's argument order)."""
    t = _text(_scalar(text))
    if not isinstance(t, str) or _err(t):
        return t
    pt = _text(_scalar(pattern))
    if not isinstance(pt, str) or _err(pt):
        return pt
    c = _flag(case, "case_sensitivity")
    if isinstance(c, str):
        return c
    if "\r" in t:
        return _unsupported("a regular expression on text holding a carriage return (PCRE2's newline convention)")
    if not t.isascii() and (c == 1 or _UNICODE_SENSITIVE.search(pt) or not pt.isascii()):
        return _unsupported("a regular expression with \\d, \\w, \\s, \\b or case-insensitive matching on "
                            "non-ASCII text (PCRE2's Unicode mode)")
    rx = _compile(pt, c)
    if isinstance(rx, str):
        return rx
    return t, rx


def _timed(call, *args):
    try:
        return call(*args, timeout=REGEX_SECONDS)
    except TimeoutError:
        return _value_error(f"the regular expression took longer than {REGEX_SECONDS:g} s on this text "
                            "(catastrophic backtracking); simplify the pattern")


def _regextest(text, pattern, case_sensitivity=0):
    got = _regex_args(text, pattern, case_sensitivity)
    if isinstance(got, str):
        return got
    t, rx = got
    m = _timed(rx.search, t)
    return m if isinstance(m, str) else m is not None


def regextest(text, pattern, case_sensitivity=0):
    """REGEXTEST(text, pattern, [case_sensitivity]): whether the pattern matches any part of the text;
    case_sensitivity 0 (default) case-sensitive, 1 not."""
    return _lifted(_regextest, (_d(text, None), _d(pattern, None), _d(case_sensitivity, 0)), (0, 1, 2))


def _regexextract(text, pattern, return_mode=0, case_sensitivity=0):
    mode = _int_arg(return_mode, "return_mode")
    got = _regex_args(text, pattern, case_sensitivity)
    if isinstance(got, str):
        return got
    if isinstance(mode, str):
        return mode
    if mode not in (0, 1, 2):
        return _value_error(f"return_mode must be 0, 1 or 2, not {mode}")
    t, rx = got
    if mode == 1:
        found = _timed(lambda s, timeout: list(itertools.islice(rx.finditer(s, timeout=timeout), _MAX_CELLS[0] + 1)), t)
        if isinstance(found, str):
            return found
        if any(m.start() == m.end() for m in found):
            return _EMPTY_MATCH
        found = [m.group(0) for m in found]
        if not found:
            return CalcError(NA, "no match")
        big = _cap(1, len(found), "REGEXEXTRACT")
        return big if big is not None else _result([found])
    if mode == 2 and rx.groups == 0:
        return _value_error("return_mode 2 needs capture groups in the pattern")
    m = _timed(rx.search, t)
    if isinstance(m, str):
        return m
    if m is None:
        return CalcError(NA, "no match")
    if mode == 0:
        return m.group(0)
    return _result([[g if g is not None else CalcError(NA, "") for g in m.groups()]])


def regexextract(text, pattern, return_mode=0, case_sensitivity=0):
    """REGEXEXTRACT(text, pattern, [return_mode], [case_sensitivity]): return_mode 0 the first match
    (default), 1 every match (a row), 2 the first match's capture groups (a row; a group that took part
    in no match is #N/A); no match is #N/A."""
    return _lifted(_regexextract, (_d(text, None), _d(pattern, None), _d(return_mode, 0), _d(case_sensitivity, 0)),
                   (0, 1, 2, 3))


_DOLLAR = re.compile(r"\$(?:(\d+)|\{(\d+)\}|\$)")
#: where matches can be empty, PCRE2's global matching and the regex package's may step differently
_EMPTY_MATCH = _unsupported("a regular expression matching empty text here (REGEXEXTRACT of every match, "
                            "REGEXREPLACE)")


def _replace_all(t: str, spans, expand) -> str:
    out, pos = [], 0
    for m in spans:
        out.append(t[pos:m.start()])
        out.append(expand(m))
        pos = m.end()
    out.append(t[pos:])
    return "".join(out)


def _expander(replacement: str, groups: int):
    """A function giving PCRE2's substitution of ``replacement`` for a match (``$n``, ``${n}``, ``$$``;
    a backslash is itself), or an error for references this engine does not read."""
    if re.search(r"\$(?![0-9{$])|\$\{(?!\d+\})", replacement):
        return _unsupported("a replacement with a $ that is not $n, ${n} or $$")
    parts = []
    pos = 0
    for m in _DOLLAR.finditer(replacement):
        parts.append(replacement[pos:m.start()])
        if m.group(0) == "$$":
            parts.append("$")
        else:
            k = int(m.group(1) or m.group(2))
            if k > groups:
                return _value_error(f"the replacement refers to group {k}; the pattern has {groups}")
            parts.append(k)
        pos = m.end()
    parts.append(replacement[pos:])

    def expand(match):
        return "".join(p if isinstance(p, str) else (match.group(p) or "") for p in parts)
    return expand


def _regexreplace(text, pattern, replacement, occurrence=0, case_sensitivity=0):
    got = _regex_args(text, pattern, case_sensitivity)
    if isinstance(got, str):
        return got
    r = _text(_scalar(replacement))
    if not isinstance(r, str) or _err(r):
        return r
    occ = _int_arg(occurrence, "occurrence")
    if isinstance(occ, str):
        return occ
    t, rx = got
    expand = _expander(r, rx.groups)
    if isinstance(expand, str):
        return expand
    spans = _timed(lambda s, timeout: list(itertools.islice(rx.finditer(s, timeout=timeout), _MAX_CELLS[0] + 1)), t)
    if isinstance(spans, str):
        return spans
    if len(spans) > _MAX_CELLS[0]:
        return CalcError("#NUM!", f"REGEXREPLACE: more than {_MAX_CELLS[0]:,} matches are refused "
                                  "(--max-array-cells)")
    if any(m.start() == m.end() for m in spans):
        return _EMPTY_MATCH
    if occ == 0:
        return _replace_all(t, spans, expand)
    k = occ - 1 if occ > 0 else len(spans) + occ
    if not 0 <= k < len(spans):
        return t
    m = spans[k]
    return t[:m.start()] + expand(m) + t[m.end():]


def regexreplace(text, pattern, replacement, occurrence=0, case_sensitivity=0):
    """REGEXREPLACE(text, pattern, replacement, [occurrence], [case_sensitivity]): the text with matches
    replaced (``$1`` for a capture group); occurrence 0 every match (default), n the n-th, -n the n-th
    from the end."""
    return _lifted(_regexreplace, (_d(text, None), _d(pattern, None), _d(replacement, None), _d(occurrence, 0),
                                   _d(case_sensitivity, 0)), (0, 1, 2, 3, 4))


# --------------------------------------------------------------------- TEXTSPLIT / BEFORE / AFTER
def _delimiters(d, name):
    """The delimiter texts of an argument (one value or an array), an error, or None when one is empty."""
    out = []
    for row in _grid(d):
        for v in row:
            t = _text(v)
            if not isinstance(t, str) or _err(t):
                return t
            out.append(t)
    if any(x == "" for x in out):
        return None
    return out


def _matches(text: str, delims, insensitive: bool, overlap_ok: bool = False):
    """Sorted (start, end) of every delimiter match in the text, or an error when two matches overlap
    (unless ``overlap_ok``)."""
    hay = text.lower() if insensitive else text
    ds = [x.lower() if insensitive else x for x in delims]
    if insensitive and (len(hay) != len(text) or any(len(a) != len(b) for a, b in zip(ds, delims))):
        return _unsupported("case-insensitive matching of text whose lower case has another length")
    spans = set()
    for d in ds:
        i = hay.find(d)
        while i >= 0:
            spans.add((i, i + len(d)))
            if len(spans) > 100_000:
                return _unsupported("more than 100,000 delimiter matches", code="#NUM!")
            i = hay.find(d, i + 1)
    out = sorted(spans)
    if overlap_ok:
        return out
    for a, b in zip(out, out[1:]):
        if b[0] < a[1]:
            return _unsupported("delimiters whose matches overlap in the text (which one Excel takes is not "
                                "documented)")
    return out


def _before_after(after, text, delimiter, instance_num=1, match_mode=0, match_end=0, if_not_found=None,
                  missing=True):
    name = "TEXTAFTER" if after else "TEXTBEFORE"
    t = _text(text)
    if not isinstance(t, str) or _err(t):
        return t
    ds = _delimiters(delimiter, name)
    if isinstance(ds, str):
        return ds
    empty = ds is None
    n = _int_arg(instance_num, "instance_num")
    if isinstance(n, str):
        return n
    mm = _flag(match_mode, "match_mode")
    if isinstance(mm, str):
        return mm
    me = _flag(match_end, "match_end")
    if isinstance(me, str):
        return me
    if n == 0:
        return _value_error("instance_num is 0")
    if t == "":
        # "If text is an empty string, Excel returns empty text" (TEXTBEFORE's page; TEXTAFTER's says nothing)
        return "" if not after else _unsupported("TEXTAFTER of empty text")
    if abs(n) > len(t):
        return _value_error(f"instance_num {n} is beyond the text's {len(t)} characters")
    if empty:
        # "When searching with an empty delimiter value, TEXTBEFORE matches immediately": empty text from
        # the front, the whole text from the end (TEXTAFTER the other way round)
        if len(_grid(delimiter)) * len(_grid(delimiter)[0]) > 1:
            return _unsupported(f"{name} with an empty delimiter among others")
        return (t if n > 0 else "") if after else ("" if n > 0 else t)
    # TEXTBEFORE of the first instance is the text before the earliest match, whichever delimiter it is
    spans = _matches(t, ds, mm == 1, overlap_ok=(not after and n == 1))
    if isinstance(spans, str):
        return spans
    if me == 1:
        spans = spans + [(len(t), len(t))] if n > 0 else [(0, 0)] + spans
    k = n - 1 if n > 0 else len(spans) + n
    if not 0 <= k < len(spans):
        if missing:
            return CalcError(NA, f"{name}: the delimiter does not occur {abs(n)} times")
        return if_not_found
    s, e = spans[k]
    return t[e:] if after else t[:s]


def _lift_before_after(after, args):
    args = [_d(a, d) for a, d in zip(args, (None, None, 1, 0, 0))] + list(args[5:6])
    missing = len(args) < 6 or (isinstance(args[5], str) and args[5] == OMITTED)
    if missing:
        args = args[:5] + [None]
    elif args[5] is None:
        return _unsupported("an empty if_not_found cell")
    return _lifted(lambda *a: _before_after(after, *a, missing=missing), args, (0, 2, 3, 4, 5))


def textbefore(text, delimiter, instance_num=1, match_mode=0, match_end=0, *if_not_found):
    """TEXTBEFORE(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found]): the text
    before the instance_num-th delimiter (negative: counted from the end); delimiter may be an array of
    texts; match_mode 1 ignores case; match_end 1 takes the text's end as a delimiter; #N/A (or
    if_not_found) when the delimiter is not there; #VALUE! when instance_num is 0 or longer than the text."""
    return _lift_before_after(False, (text, delimiter, instance_num, match_mode, match_end) + if_not_found)


def textafter(text, delimiter, instance_num=1, match_mode=0, match_end=0, *if_not_found):
    """TEXTAFTER(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found]): the text
    after the instance_num-th delimiter (see :func:`textbefore`)."""
    return _lift_before_after(True, (text, delimiter, instance_num, match_mode, match_end) + if_not_found)


def _cap(rows, cols, name):
    if rows * cols > _MAX_CELLS[0]:
        return CalcError("#NUM!", f"{name}: a result of {rows * cols:,} cells is refused; the limit is "
                                  f"{_MAX_CELLS[0]:,} (--max-array-cells)")
    return None


def _split(text: str, delims, insensitive: bool, ignore_empty: bool):
    if not delims:
        return [text]
    spans = _matches(text, delims, insensitive)
    if isinstance(spans, str):
        return spans
    parts, pos = [], 0
    for s, e in spans:
        parts.append(text[pos:s])
        pos = e
    parts.append(text[pos:])
    return [p for p in parts if p != ""] if ignore_empty else parts


def _textsplit(text, col_delimiter, row_delimiter=None, ignore_empty=False, match_mode=0, pad_with=NA):
    t = _text(text)
    if not isinstance(t, str) or _err(t):
        return t
    if col_delimiter is None and row_delimiter is None:
        return _value_error("TEXTSPLIT needs a column or a row delimiter")
    if col_delimiter is None:
        return _unsupported("TEXTSPLIT without a column delimiter (rows only)")
    cd = _delimiters(col_delimiter, "TEXTSPLIT")
    if cd is None:
        return _value_error("TEXTSPLIT: an empty column delimiter")
    if isinstance(cd, str):
        return cd
    rd = []
    if row_delimiter is not None:
        rd = _delimiters(row_delimiter, "TEXTSPLIT")
        if rd is None:
            return _unsupported("TEXTSPLIT with an empty row delimiter")
        if isinstance(rd, str):
            return rd
    ig = _int_arg(ignore_empty, "ignore_empty")
    if isinstance(ig, str):
        return ig
    mm = _flag(match_mode, "match_mode")
    if isinstance(mm, str):
        return mm
    if t == "":
        return _value_error("TEXTSPLIT of empty text")
    rows = _split(t, rd, mm == 1, bool(ig))
    if isinstance(rows, str):
        return rows
    cells = []
    width = 0
    for r in rows:
        parts = _split(r, cd, mm == 1, bool(ig))
        if isinstance(parts, str):
            return parts
        width = max(width, len(parts))
        big = _cap(len(rows), width, "TEXTSPLIT")
        if big is not None:
            return big
        cells.append(parts)
    if not cells or width == 0:
        return _value_error("TEXTSPLIT: nothing left after removing empty values")
    pad = pad_with if pad_with is not None else ""
    out = [list(r) + [pad] * (width - len(r)) for r in cells]
    return _result(out)


def textsplit(text, col_delimiter=OMITTED, row_delimiter=OMITTED, ignore_empty=False, match_mode=0, pad_with=NA):
    """TEXTSPLIT(text, col_delimiter, [row_delimiter], [ignore_empty], [match_mode], [pad_with]): the text
    split into columns (and rows); delimiters may be arrays of texts; ignore_empty TRUE drops empty
    values; match_mode 1 ignores case; short rows are padded with pad_with (#N/A by default)."""
    if row_delimiter is None:
        return _unsupported("TEXTSPLIT with an empty cell as the row delimiter")
    args = (_d(text, None), _d(col_delimiter, None), _d(row_delimiter, None), _d(ignore_empty, False),
            _d(match_mode, 0), _d(pad_with, NA))
    if col_delimiter is None:
        return _value_error("TEXTSPLIT: an empty column delimiter")
    return _lifted(_textsplit, args, (0, 3, 4, 5))


FUNCTIONS = {v: globals()[v] for v in EXCEL_NAMES.values()}


def install(mod) -> None:
    """Put these functions into the pycel plug-in module."""
    for name, f in FUNCTIONS.items():
        setattr(mod, name, f)
