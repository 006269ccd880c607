"""Compiled (numba) scanners of a worksheet's ``<sheetData>`` bytes for the columnar fast path (issue 21).

:func:`scan_cells` finds every ``<c>`` element of a chunk that ends at ``</row>`` and returns, per cell,
its column and row, its ``t=`` type and the byte spans of its formula and value; any structure it does
not know (an array formula ``<f t="array">``, rich text, a cell without ``r=``, an unknown child)
returns -1 and the caller uses the ordinary path.  :func:`formula_shapes` computes, per formula, a 64-bit
hash of its *shape* (the text with the digits that follow a letter or ``$`` replaced by one marker
byte: the row numbers of ``A2``, ``$B$7``, also constant digits such as ``LOG10`` or ``"X1"``) and
collects those numbers; :func:`same_shape` checks byte by byte that two formulas have one shape (so a
hash collision cannot merge two formulas).  Self-contained: numba's cache is keyed by this file.
"""
from __future__ import annotations

import numpy as np

from .._jitcache import njit

T_NONE, T_N, T_S, T_STR, T_INLINE, T_B, T_E, T_OTHER = 0, 1, 2, 3, 4, 5, 6, 7


@njit(cache=True, nogil=True)
def _startswith(b, i, pat):
    n = b.size
    if i + pat.size > n:
        return False
    for k in range(pat.size):
        if b[i + k] != pat[k]:
            return False
    return True


@njit(cache=True, nogil=True)
def _find(b, i, pat):
    n = b.size
    m = pat.size
    first = pat[0]
    while i + m <= n:
        if b[i] == first:
            ok = True
            for k in range(1, m):
                if b[i + k] != pat[k]:
                    ok = False
                    break
            if ok:
                return i
        i += 1
    return -1


@njit(cache=True, nogil=True)
def scan_cells(b, col, row, typ, fs, fe, vs, ve, tag_end, ts, te, fsi):
    """Fill the per-cell arrays from the chunk ``b`` (uint8); return the number of cells or -1.
    ``tag_end``: where the start tag's ``>`` (or ``/>``) is; ``ts``/``te``: the span of the `` t="..."``
    attribute (-1 without one).  ``fsi``: a shared formula's ``si`` (-1 for any other cell); a shared
    formula's master (``ref`` and text) has its text at ``fs:fe``, a child (``<f t="shared" si="0"/>``)
    ``fs == fe`` with ``fe + 4`` where its ``<f>`` element ends (as ``</f>`` ends for any other).  An
    ``<f>`` attribute other than ``t`` (normal or shared), ``si``, ``ref``, ``ca``, ``aca`` returns -1."""
    n = b.size
    i = 0
    k = 0
    cap = col.size
    F_OPEN = np.array([60, 102, 62], dtype=np.uint8)              # <f>
    F_CLOSE = np.array([60, 47, 102, 62], dtype=np.uint8)         # </f>
    V_OPEN = np.array([60, 118, 62], dtype=np.uint8)              # <v>
    V_EMPTY = np.array([60, 118, 47, 62], dtype=np.uint8)         # <v/>
    V_CLOSE = np.array([60, 47, 118, 62], dtype=np.uint8)         # </v>
    IS_T = np.array([60, 105, 115, 62, 60, 116], dtype=np.uint8)  # <is><t
    T_CLOSE = np.array([60, 47, 116, 62, 60, 47, 105, 115, 62], dtype=np.uint8)  # </t></is>
    C_CLOSE = np.array([60, 47, 99, 62], dtype=np.uint8)          # </c>
    SHARED = np.array([115, 104, 97, 114, 101, 100], dtype=np.uint8)   # shared
    NORMAL = np.array([110, 111, 114, 109, 97, 108], dtype=np.uint8)   # normal
    while i < n:
        if b[i] != 60:                         # '<'
            i += 1
            continue
        if i + 2 < n and b[i + 1] == 99 and (b[i + 2] == 32 or b[i + 2] == 62 or b[i + 2] == 47):  # <c
            if k >= cap:
                return -1
            i += 2
            c = 0
            r = 0
            t = T_NONE
            have_r = False
            closed = False
            t0 = -1
            t1 = -1
            # attributes
            while True:
                while i < n and (b[i] == 32 or b[i] == 9 or b[i] == 10 or b[i] == 13):
                    i += 1
                if i >= n:
                    return -1
                if b[i] == 62:                 # >
                    tag_end[k] = i
                    i += 1
                    break
                if b[i] == 47:                 # />
                    if i + 1 < n and b[i + 1] == 62:
                        tag_end[k] = i
                        i += 2
                        closed = True
                        break
                    return -1
                a0 = i
                while i < n and b[i] != 61 and b[i] != 32:   # '='
                    i += 1
                if i >= n or b[i] != 61 or i + 1 >= n or b[i + 1] != 34:
                    return -1
                alen = i - a0
                i += 2
                v0 = i
                while i < n and b[i] != 34:
                    i += 1
                if i >= n:
                    return -1
                v1 = i
                i += 1
                if alen == 1 and b[a0] == 114:           # r
                    j = v0
                    while j < v1 and 65 <= b[j] <= 90:
                        c = c * 26 + (b[j] - 64)
                        j += 1
                    if j == v0 or j - v0 > 3 or j == v1:
                        return -1
                    while j < v1:
                        if not (48 <= b[j] <= 57):
                            return -1
                        r = r * 10 + (b[j] - 48)
                        j += 1
                    have_r = True
                elif alen == 1 and b[a0] == 116:         # t
                    t0 = a0 - 1
                    t1 = v1 + 1
                    L = v1 - v0
                    if L == 1 and b[v0] == 110:
                        t = T_N
                    elif L == 1 and b[v0] == 115:
                        t = T_S
                    elif L == 3 and b[v0] == 115 and b[v0 + 1] == 116 and b[v0 + 2] == 114:
                        t = T_STR
                    elif L == 9 and b[v0] == 105:       # inlineStr
                        t = T_INLINE
                    elif L == 1 and b[v0] == 98:
                        t = T_B
                    elif L == 1 and b[v0] == 101:
                        t = T_E
                    else:
                        t = T_OTHER
            if not have_r or r < 1 or r > 1048576 or c > 16384:
                return -1
            col[k] = c
            row[k] = r
            typ[k] = t
            ts[k] = t0
            te[k] = t1
            fs[k] = -1
            fe[k] = -1
            fsi[k] = -1
            vs[k] = -1
            ve[k] = -1
            if not closed:
                if _startswith(b, i, F_OPEN):
                    j = _find(b, i + 3, F_CLOSE)
                    if j < 0:
                        return -1
                    fs[k] = i + 3
                    fe[k] = j
                    i = j + 4
                elif i + 2 < n and b[i] == 60 and b[i + 1] == 102 and (b[i + 2] == 32 or b[i + 2] == 9
                                                                       or b[i + 2] == 10 or b[i + 2] == 13):
                    # <f t="shared" ...>: a master (ref and text) or a child (si only, no text)
                    i += 2
                    shared = False
                    si = -1
                    has_ref = False
                    selfclose = False
                    while True:
                        while i < n and (b[i] == 32 or b[i] == 9 or b[i] == 10 or b[i] == 13):
                            i += 1
                        if i >= n:
                            return -1
                        if b[i] == 62:
                            i += 1
                            break
                        if b[i] == 47:
                            if i + 1 < n and b[i + 1] == 62:
                                i += 2
                                selfclose = True
                                break
                            return -1
                        a0 = i
                        while i < n and b[i] != 61 and b[i] != 32:
                            i += 1
                        if i >= n or b[i] != 61 or i + 1 >= n or b[i + 1] != 34:
                            return -1
                        alen = i - a0
                        i += 2
                        v0 = i
                        while i < n and b[i] != 34:
                            i += 1
                        if i >= n:
                            return -1
                        v1 = i
                        i += 1
                        if alen == 1 and b[a0] == 116:                          # t
                            if _startswith(b, v0, SHARED) and v1 - v0 == 6:
                                shared = True
                            elif not (_startswith(b, v0, NORMAL) and v1 - v0 == 6):
                                return -1                                        # array, dataTable
                        elif alen == 2 and b[a0] == 115 and b[a0 + 1] == 105:   # si
                            if v1 == v0 or v1 - v0 > 9:
                                return -1
                            si = 0
                            for q in range(v0, v1):
                                if not (48 <= b[q] <= 57):
                                    return -1
                                si = si * 10 + (b[q] - 48)
                        elif alen == 3 and b[a0] == 114 and b[a0 + 1] == 101 and b[a0 + 2] == 102:  # ref
                            has_ref = True
                        elif alen == 2 and b[a0] == 99 and b[a0 + 1] == 97:     # ca (calculate always)
                            pass
                        elif alen == 3 and b[a0] == 97 and b[a0 + 1] == 99 and b[a0 + 2] == 97:  # aca
                            pass
                        else:
                            return -1
                    if shared != (si >= 0) or (has_ref and not shared):
                        return -1
                    if selfclose:
                        if not shared or has_ref:
                            return -1
                        fs[k] = i - 4                   # no text; fe + 4: where the element ends
                        fe[k] = i - 4
                        fsi[k] = si
                    else:
                        j = _find(b, i, F_CLOSE)
                        if j < 0:
                            return -1
                        if shared and has_ref != (j > i):   # a master has both, a child neither
                            return -1
                        fs[k] = i
                        fe[k] = j
                        if shared:
                            fsi[k] = si
                        i = j + 4
                elif i + 1 < n and b[i] == 60 and b[i + 1] == 102:    # <f/> and the like
                    return -1
                if _startswith(b, i, V_OPEN):
                    j = _find(b, i + 3, V_CLOSE)
                    if j < 0:
                        return -1
                    vs[k] = i + 3
                    ve[k] = j
                    i = j + 4
                elif _startswith(b, i, V_EMPTY):
                    vs[k] = -2                  # an empty <v/> right here; ve: its end
                    i += 4
                    ve[k] = i
                elif i + 3 < n and b[i] == 60 and b[i + 1] == 118 and b[i + 2] == 32:    # <v />
                    j = i + 2
                    while j < n and b[j] == 32:
                        j += 1
                    if j + 1 >= n or b[j] != 47 or b[j + 1] != 62:
                        return -1
                    vs[k] = -2
                    i = j + 2
                    ve[k] = i
                elif _startswith(b, i, IS_T):
                    i += 6
                    if i < n and b[i] == 62:
                        i += 1
                    elif i < n and b[i] == 32:
                        while i < n and b[i] != 62:
                            i += 1
                        i += 1
                    else:
                        return -1
                    j = _find(b, i, T_CLOSE)
                    if j < 0:
                        return -1
                    for q in range(i, j):
                        if b[q] == 60:          # rich text or another element inside
                            return -1
                    vs[k] = i
                    ve[k] = j
                    i = j + 9
                if not _startswith(b, i, C_CLOSE):
                    return -1
                i += 4
            k += 1
            continue
        # <row ...>, </row>: skip; anything else inside sheetData is not modelled
        if i + 4 < n and b[i + 1] == 114 and b[i + 2] == 111 and b[i + 3] == 119 and (b[i + 4] == 32 or b[i + 4] == 62 or b[i + 4] == 47):
            while i < n and b[i] != 62:
                i += 1
            i += 1
            continue
        if i + 5 < n and b[i + 1] == 47 and b[i + 2] == 114 and b[i + 3] == 111 and b[i + 4] == 119 and b[i + 5] == 62:
            i += 6
            continue
        return -1
    return k


@njit(cache=True, nogil=True)
def _is_alpha_or_dollar(x):
    return (65 <= x <= 90) or (97 <= x <= 122) or x == 36


@njit(cache=True, nogil=True)
def formula_shapes(b, fs, fe, hashes, counts, starts, numbers):
    """Per formula ``[fs[i], fe[i])``: the shape's FNV-1a hash, the count of row-like numbers and their
    start in ``numbers``; returns the numbers used, or -1 (a number over 15 digits, or no room)."""
    m = 0
    cap = numbers.size
    for i in range(fs.size):
        h = np.uint64(14695981039346656037)
        prime = np.uint64(1099511628211)
        j = fs[i]
        end = fe[i]
        starts[i] = m
        cnt = 0
        while j < end:
            x = b[j]
            if 48 <= x <= 57 and j > fs[i] and _is_alpha_or_dollar(b[j - 1]):
                v = 0
                d = 0
                while j < end and 48 <= b[j] <= 57:
                    v = v * 10 + (b[j] - 48)
                    d += 1
                    j += 1
                if d > 15 or m >= cap:
                    return -1
                numbers[m] = v
                m += 1
                cnt += 1
                h = (h ^ np.uint64(1)) * prime
                continue
            h = (h ^ np.uint64(x)) * prime
            j += 1
        hashes[i] = h
        counts[i] = cnt
    return m


@njit(cache=True, nogil=True)
def same_shape(b, s1, e1, c, s2, e2):
    """Whether formulas ``b[s1:e1]`` and ``c[s2:e2]`` have one shape (digits after a letter or ``$``
    ignored)."""
    i = s1
    j = s2
    while i < e1 and j < e2:
        x = b[i]
        y = c[j]
        dx = 48 <= x <= 57 and i > s1 and _is_alpha_or_dollar(b[i - 1])
        dy = 48 <= y <= 57 and j > s2 and _is_alpha_or_dollar(c[j - 1])
        if dx != dy:
            return False
        if dx:
            while i < e1 and 48 <= b[i] <= 57:
                i += 1
            while j < e2 and 48 <= c[j] <= 57:
                j += 1
            continue
        if x != y:
            return False
        i += 1
        j += 1
    return i == e1 and j == e2


@njit(cache=True, nogil=True)
def check_shapes(b, fs, fe, rep):
    """Index of the first formula whose shape differs from its representative's (``rep[i]`` an index
    into the same chunk), or -1."""
    for i in range(fs.size):
        r = rep[i]
        if r != i and not same_shape(b, fs[i], fe[i], b, fs[r], fe[r]):
            return i
    return -1


@njit(cache=True, nogil=True)
def splice(b, cells, tag_end, ts, te, fe, vs, ve, newtype, blob, boff, out):
    """Write ``b`` into ``out`` with the formula cells ``cells`` (indexes into the scan arrays, in order)
    given new cached values: value ``i`` is ``blob[boff[i]:boff[i+1] - 1]`` (a separator follows each), its type attribute code
    ``newtype[i]`` (0 none, 1 ``t="b"``, 2 ``t="e"``, 3 ``t="str"``); the old `` t=`` attribute is
    dropped.  Returns the length written, or -1 when ``out`` is too small."""
    pos = 0
    o = 0
    cap = out.size
    TB = np.array([32, 116, 61, 34, 98, 34], dtype=np.uint8)          # t="b"
    TE = np.array([32, 116, 61, 34, 101, 34], dtype=np.uint8)         # t="e"
    TS = np.array([32, 116, 61, 34, 115, 116, 114, 34], dtype=np.uint8)  # t="str"
    for q in range(cells.size):
        c = cells[q]
        # start tag up to its end, without the old t attribute
        if ts[c] >= 0:
            L = ts[c] - pos
            if o + L > cap:
                return -1
            out[o:o + L] = b[pos:ts[c]]
            o += L
            pos = te[c]
        L = tag_end[c] - pos
        if o + L + 16 > cap:
            return -1
        out[o:o + L] = b[pos:tag_end[c]]
        o += L
        pos = tag_end[c]
        nt = newtype[q]
        if nt == 1:
            out[o:o + 6] = TB
            o += 6
        elif nt == 2:
            out[o:o + 6] = TE
            o += 6
        elif nt == 3:
            out[o:o + 8] = TS
            o += 8
        v0 = boff[q]
        v1 = boff[q + 1] - 1                  # each value is followed by one separator byte
        if vs[c] >= 0:
            L = vs[c] - pos
            if o + L + (v1 - v0) > cap:
                return -1
            out[o:o + L] = b[pos:vs[c]]
            o += L
            out[o:o + v1 - v0] = blob[v0:v1]
            o += v1 - v0
            pos = ve[c]
        else:
            # no value: insert <v>..</v> after </f> (dropping an empty <v/>)
            at = fe[c] + 4
            L = at - pos
            if o + L + (v1 - v0) + 7 > cap:
                return -1
            out[o:o + L] = b[pos:at]
            o += L
            out[o] = 60
            out[o + 1] = 118
            out[o + 2] = 62
            o += 3
            out[o:o + v1 - v0] = blob[v0:v1]
            o += v1 - v0
            out[o] = 60
            out[o + 1] = 47
            out[o + 2] = 118
            out[o + 3] = 62
            o += 4
            pos = at
            if vs[c] == -2:
                pos = ve[c]
    L = b.size - pos
    if o + L > cap:
        return -1
    out[o:o + L] = b[pos:]
    o += L
    return o


@njit(cache=True, nogil=True)
def copy_joined(b, vs, ve, out):
    """Copy the values ``b[vs[i]:ve[i]]`` into ``out``, each followed by a space; return the length."""
    o = 0
    for i in range(vs.size):
        for q in range(vs[i], ve[i]):
            out[o] = b[q]
            o += 1
        out[o] = 32
        o += 1
    return o
