"""The month-by-month projection kernel behind :func:`mbsxl.cashflows` and :func:`mbsxl.loan_cashflows`.

One kernel, two implementations of the same arithmetic:

- ``loop`` (:func:`_loans_loop`): per loan, per month, compiled with numba when it is installed
  (``pip install mbsxl[fast]``; the compiled twin lives in :mod:`mbsxl.pool._kernels`); the loans are
  split in chunks projected in parallel, each chunk adding into its own month table.
- ``vector`` (:func:`_vector`): numpy, a month loop vectorised over the loans; used when numba is
  absent or the engine is ``numpy``.

The engine is chosen at call time by :func:`engine_name`: ``engine=`` or else the environment variable
``MBSXL_ENGINE`` (``numba``, ``numpy`` or ``auto``), read on every call, for the loan projection and the
OAS alike.  The compiled kernels are loaded once by :func:`compiled` (a cached loader); no module
global is rebound.

``auto`` and small projections: loading numba and its first cached kernel costs a process about a
second (the import, then numba's target registries), while :func:`_loans_loop` run uncompiled
(``python``, on Python floats: :func:`_python_loop`) projects 100,000-200,000 loan-months a second.  So, under ``auto`` with numba installed,
a projection of at most :data:`AUTO_PYTHON_CALL` loan-months (the sum of the loans' terms) runs the
uncompiled loop as long as numba is not imported in this process yet (once it is, for any kernel, a
further cached kernel loads in about 10 ms) and this process has run at most
:data:`AUTO_PYTHON_BUDGET` loan-months that way; after that numba serves.  The numbers are the same
either way: numba compiles this very function (``njit`` without ``fastmath``: IEEE double arithmetic in
the order written, the same libm calls), tested bit for bit in ``tests/test_engine_auto_python.py``.
Example: the LPR template's three MBS_LOANCASHFLOWS calls (62 loans, 12,082 loan-months each) run
uncompiled in about 0.2 s and the process never imports numba (numba there: about 0.75 s); a 12,254-loan x 360-month pool
(4.4 million loan-months) loads numba on its first call.  ``engine="numba"`` (or ``MBSXL_ENGINE=numba``)
always compiles.

Neither keeps a loans x months matrix: every loan's flows are added into a months x columns table
as they are computed.  A loan's rate by month follows the benchmark rule (``rate0``, then benchmark x
multiplier + margin from each 1 January) or, with repricing, the compact rule of
:func:`mbsxl.rates.repricing.kernel_terms` (no rate matrix either); the rate-incentive prepayment moves each
loan's CPR with its rate minus the new-loan rate (:func:`mbsxl.loan_cashflows`).

Arithmetic (SIFMA Standard Formulas, SF-17 to SF-19), for month t of a loan with performing
balance P, loans in foreclosure FCL, monthly gross rate r, months left m (this one included):

- scheduled amortisation fraction f = r / ((1 + r)**m - 1) (level payment, 等额本息; 1/m at r = 0)
  or f = 1/m (level principal, 等额本金);
- NEW DEF = P * MDR; ACT AM = (P - NEW DEF) * f; VOL PREPAY = P * (1 - f) * SMM, the SMM applied to
  the performing balance after the month's scheduled amortisation (SF-18; with these the SF-22
  cumulative-default matrix is reproduced to its published 2 decimals), capped so that defaults,
  amortisation and prepayments never exceed the performing balance (SF-19 c: SMM + MDR > 1);
- the defaults of month t - lag are liquidated in month t: ADB = their balance, amortised by the
  advanced scheduled principal when P&I are advanced; LOSS = min(severity * NEW DEF(t - lag), ADB);
  RECOVERY = ADB - LOSS;
- with advances, FCL loans keep paying scheduled principal (AM DEF = (NEW DEF + FCL - ADB) * f) and
  interest (on P + FCL); without, interest is paid on P - NEW DEF only;
- the default rate is 0 in a loan's last ``lag`` months (SF-19 j).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import os
import sys

import numpy as np

from mbsxl.pool import sf4
from mbsxl.errors import MbsxlInputError

# columns of the accumulation table
A_BEG, A_GROSS, A_FEE, A_SCHED, A_PREPAY, A_DEF, A_LOSS, A_RECOV, A_END, A_PREPAY_BASE, A_PERF_BEG = range(11)
N_ACC = 11


def _loans_loop(lo, hi, bal, rate0, term, age, lp, bench, mult, margin, group, paths, b0, s0, from_k, ev_k,
                ev_delta, bad, newrate, slope, cap, cpr_tab, svc, smm_tab, mdr_tab, severity, lag, advance, out):
    """Project loans lo..hi-1 and add their flows into ``out`` (months x N_ACC).

    Loan rate of month t (k = t - 1), the compact rule of :func:`mbsxl.rates.repricing.kernel_terms`: before
    ``from_k[i]`` the benchmark rule (``rate0`` while ``bench`` is NaN, then bench x mult + margin);
    from it, base + spread with base = ``paths[group[i], k]`` (``b0[i]`` where NaN) and spread ``s0[i]``
    plus ``ev_delta[i, e]`` from each event month ``ev_k[e]``.  A rate outside [svc, 1] sets ``bad[i]``
    to its month (the caller refuses it).  ``slope != 0``: rate-incentive prepayment, CPR =
    min(cap, max(0, base CPR + slope x (annual rate - newrate[k]))), the base CPR from ``cpr_tab`` (the
    CPR of ``smm_tab``)."""
    n_ev = ev_k.shape[0]
    ks_max = smm_tab.shape[1] - 1
    kd_max = mdr_tab.shape[1] - 1
    nslot = lag if lag > 0 else 1
    ring_nd = np.zeros(nslot)      # defaulted balance at default
    ring_norm = np.zeros(nslot)    # defaulted balance / cumulative amortisation factor at default
    has_def = mdr_tab.max() > 0.0
    for i in range(lo, hi):
        P = bal[i]
        N = term[i]
        a = age[i]
        fcl = 0.0
        cum = 1.0                  # product of (1 - f) over months so far (advanced amortisation)
        for k in range(nslot):
            ring_nd[k] = 0.0
            ring_norm[k] = 0.0
        r_prev = -1.0
        Qm1 = 0.0                  # (1 + r)**m - 1, kept without cancellation at small r
        inv = 1.0
        spread = s0[i]
        g = group[i]
        for t in range(1, N + 1):
            k = t - 1
            if k < from_k[i]:
                b = bench[k]
                r_ann = rate0[i] if math.isnan(b) else b * mult[i] + margin[i]
            else:
                for e in range(n_ev):
                    if ev_k[e] == k:
                        spread += ev_delta[i, e]
                base_rate = paths[g, k]
                if math.isnan(base_rate):
                    base_rate = b0[i]
                r_ann = base_rate + spread
            if (r_ann < 12.0 * svc - 1e-12 or r_ann > 1.0) and bad[i] < 0:
                bad[i] = k
            r = r_ann / 12.0
            m = N - t + 1
            if lp[i] or r == 0.0:
                f = 1.0 / m
            else:
                if r != r_prev:
                    Qm1 = math.expm1(m * math.log1p(r))
                    inv = 1.0 / (1.0 + r)
                    r_prev = r
                else:
                    Qm1 = (Qm1 - r) * inv
                f = 1.0 if m == 1 else r / Qm1
            ks = a + t
            if ks > ks_max:
                ks = ks_max
            s = smm_tab[t - 1, ks]
            if slope != 0.0:
                c = cpr_tab[t - 1, ks] + slope * (r_ann - newrate[t - 1])
                c = min(cap, max(0.0, c))
                s = 1.0 - (1.0 - c) ** (1.0 / 12.0)
            P0 = P
            fcl0 = fcl
            nd = 0.0
            adb = 0.0
            loss = 0.0
            am_def = 0.0
            if has_def:
                kd = a + t
                if kd > kd_max:
                    kd = kd_max
                d = mdr_tab[t - 1, kd]
                if t > N - lag:
                    d = 0.0
                nd = P0 * d
                if lag == 0:
                    adb = nd
                    nd_old = nd
                else:
                    slot = t % lag
                    nd_old = ring_nd[slot]
                    adb = ring_norm[slot] * cum
                    ring_nd[slot] = nd
                    ring_norm[slot] = (nd / cum if cum > 0.0 else 0.0) if advance else nd
                loss = min(nd_old * severity, adb)
                if lag > 0:
                    fcl = fcl - adb + nd
                    if advance:
                        am_def = fcl * f
                        fcl -= am_def
                        cum *= (1.0 - f)
                    if fcl < 0.0:
                        fcl = 0.0
            act_am = (P0 - nd) * f
            base = P0 * (1.0 - f)
            vol = base * s
            P = P0 - nd - act_am - vol
            if P < 0.0:            # SF-19 c: defaults + amortisation + prepayments <= performing balance
                vol += P
                P = 0.0
            ib = P0 + fcl0 if advance else P0 - nd
            k = t - 1
            out[k, A_BEG] += P0 + fcl0
            out[k, A_GROSS] += ib * r
            out[k, A_FEE] += ib * svc
            out[k, A_SCHED] += act_am + am_def
            out[k, A_PREPAY] += vol
            out[k, A_DEF] += nd
            out[k, A_LOSS] += loss
            out[k, A_RECOV] += adb - loss
            out[k, A_END] += P + fcl
            out[k, A_PREPAY_BASE] += base
            out[k, A_PERF_BEG] += P0


def _numba_installed() -> bool:
    try:
        return importlib.util.find_spec("numba") is not None
    except Exception:  # an import hook that refuses numba (xlwings Lite) or a broken install
        return False


_HAVE_NUMBA = _numba_installed()          # installed; whether it loads is compiled()'s question


@functools.cache
def compiled():
    """The module of numba-compiled kernels (:mod:`mbsxl.pool._kernels`), loaded once; None without numba."""
    if not _HAVE_NUMBA:
        return None
    try:
        return importlib.import_module(f"{__package__}._kernels")
    except Exception:  # numba missing or broken: the numpy engine serves
        return None


def _vector(bal, rate0, term, age, lp, bench, mult, margin, group, paths, b0, s0, from_k, ev_k, ev_delta, bad,
            newrate, slope, cap, cpr_tab, svc, smm_tab, mdr_tab, severity, lag, advance, T):
    """Numpy engine: months in a loop, loans as vectors.  Same arithmetic as :func:`_loans_loop`."""
    out = np.zeros((T, N_ACC))
    n = bal.shape[0]
    spread = s0.copy()
    P = bal.astype(float).copy()
    fcl = np.zeros(n)
    cum = np.ones(n)
    nslot = lag if lag > 0 else 1
    ring_nd = np.zeros((nslot, n))
    ring_norm = np.zeros((nslot, n))
    ks_max = smm_tab.shape[1] - 1
    kd_max = mdr_tab.shape[1] - 1
    has_def = mdr_tab.max() > 0.0
    for t in range(1, T + 1):
        alive = term >= t
        if not alive.any():
            break
        k = t - 1
        b = bench[k]
        r_ann = rate0 if math.isnan(b) else b * mult + margin
        priced = from_k <= k
        if priced.any():
            for e in range(ev_k.shape[0]):
                if ev_k[e] == k:
                    spread = spread + ev_delta[:, e]
            base_rate = paths[group, k]
            base_rate = np.where(np.isnan(base_rate), b0, base_rate)
            r_ann = np.where(priced, base_rate + spread, r_ann)
        off = alive & ((r_ann < 12.0 * svc - 1e-12) | (r_ann > 1.0)) & (bad < 0)
        bad[off] = k
        r = r_ann / 12.0
        m = np.maximum(term - t + 1, 1).astype(float)
        f = sf4.scheduled_fraction(r, m, lp)
        f = np.where(alive, f, 0.0)
        s = smm_tab[t - 1, np.minimum(age + t, ks_max)] if ks_max > 0 else np.full(n, smm_tab[t - 1, 0])
        if slope != 0.0:
            c0 = cpr_tab[t - 1, np.minimum(age + t, ks_max)] if ks_max > 0 else cpr_tab[t - 1, 0]
            c = c0 + slope * (r_ann - newrate[t - 1])
            c = np.minimum(cap, np.maximum(0.0, c))
            s = 1.0 - (1.0 - c) ** (1.0 / 12.0)
        P0 = P
        fcl0 = fcl
        nd = np.zeros(n)
        adb = np.zeros(n)
        loss = np.zeros(n)
        am_def = np.zeros(n)
        if has_def:
            d = mdr_tab[t - 1, np.minimum(age + t, kd_max)] if kd_max > 0 else np.full(n, mdr_tab[t - 1, 0])
            d = np.where((t > term - lag) | ~alive, 0.0, d)
            nd = P0 * d
            if lag == 0:
                adb = nd
                nd_old = nd
            else:
                slot = t % lag
                nd_old = ring_nd[slot].copy()
                adb = ring_norm[slot] * cum
                ring_nd[slot] = nd
                ring_norm[slot] = np.divide(nd, cum, out=np.zeros(n), where=cum > 0) if advance else nd
            loss = np.minimum(nd_old * severity, adb)
            if lag > 0:
                fcl = fcl - adb + nd
                if advance:
                    am_def = fcl * f
                    fcl = fcl - am_def
                    cum = cum * (1.0 - f)
                fcl = np.maximum(fcl, 0.0)
        act_am = (P0 - nd) * f
        base = P0 * (1.0 - f)
        vol = np.minimum(base * s, P0 - nd - act_am)     # SF-19 c
        P = np.maximum(P0 - nd - act_am - vol, 0.0)
        ib = P0 + fcl0 if advance else P0 - nd
        row = out[t - 1]
        row[A_BEG] = (P0 + fcl0).sum()
        row[A_GROSS] = (ib * r).sum()
        row[A_FEE] = (ib * svc).sum()
        row[A_SCHED] = (act_am + am_def).sum()
        row[A_PREPAY] = vol.sum()
        row[A_DEF] = nd.sum()
        row[A_LOSS] = loss.sum()
        row[A_RECOV] = (adb - loss).sum()
        row[A_END] = (P + fcl).sum()
        row[A_PREPAY_BASE] = base.sum()
        row[A_PERF_BEG] = P0.sum()
    return out


#: ``auto``: a loan projection of at most this many loan-months (sum of the loans' terms; about 0.1 s
#: uncompiled) runs the uncompiled loop while numba is not imported yet.
AUTO_PYTHON_CALL = 20_000
#: ``auto``: the loan-months a process runs uncompiled in all (about 0.65 s, less than numba's import and
#: first kernel load) before loading numba instead: a workbook that needs numba after all loses at most that.
AUTO_PYTHON_BUDGET = 100_000
_auto_python_spent = [0]                 # loan-months run uncompiled under ``auto`` in this process


def _numba_loaded() -> bool:
    """Whether this process has imported numba already (for any kernel: the loan loop, the ledger, the
    sheet scanner).  Then numba's target registries are most likely set up and a further cached kernel
    loads in about 10 ms, so ``auto`` uses it."""
    return "numba" in sys.modules


def _auto_python(loan_months: int) -> bool:
    """Whether ``auto`` runs a projection of ``loan_months`` on the uncompiled loop (module docstring)."""
    if not _HAVE_NUMBA or loan_months > AUTO_PYTHON_CALL or _numba_loaded():
        return False
    if _auto_python_spent[0] + loan_months > AUTO_PYTHON_BUDGET:
        return False
    _auto_python_spent[0] += loan_months
    return True


def engine_name(engine=None, loan_months: int | None = None) -> str:
    """The engine a call runs on: ``"numba"``, ``"numpy"`` or (loan projections only) ``"python"``.

    ``engine``: ``"numba"``, ``"numpy"``, ``"auto"`` or None; None reads ``MBSXL_ENGINE`` now (not at
    import).  ``auto``: numba when it is installed and loads, else numpy; but a loan projection
    (``loan_months`` given) small enough for the uncompiled loop runs on ``python`` while numba is not
    loaded yet (module docstring: same numbers, no numba import).
    Example: ``engine_name("auto", loan_months=12_082)`` in a fresh process with numba installed is
    ``"python"``; ``engine_name("numba", loan_months=12_082)`` is ``"numba"``.
    """
    source = "engine" if engine else "MBSXL_ENGINE"
    choice = (engine or os.environ.get("MBSXL_ENGINE", "") or "auto").strip().lower()
    if choice not in ("auto", "numba", "numpy"):
        raise MbsxlInputError(f"{source}={engine or os.environ.get('MBSXL_ENGINE')!r} is not one of auto, numba, numpy")
    if choice == "numpy":
        return "numpy"
    if choice == "auto" and loan_months is not None and _auto_python(loan_months):
        return "python"
    if compiled() is None:
        if choice == "numba":
            raise MbsxlInputError(f"{source}='numba' but numba is not installed (or does not load); pip install numba")
        return "numpy"
    return "numba"


def project(bal, rate0, term, age, lp, bench, mult, margin, svc, smm_tab, mdr_tab, severity, lag,
            advance, engine: str | None = None, terms=None, newrate=None, slope: float = 0.0,
            cap: float = 1.0) -> np.ndarray:
    """Run the kernel; returns the months x N_ACC accumulation table (months = max term).

    ``terms``: None (the benchmark rule: ``rate0``, ``bench``, ``mult``, ``margin``) or the compact
    repricing rule ``(group, paths, b0, s0, from_k, ev_k, ev_delta)`` of
    :func:`mbsxl.rates.repricing.kernel_terms` (no loans x months matrix).  ``slope``, ``cap``, ``newrate``
    (by month): the rate-incentive prepayment (slope 0 = off).  A rate outside [servicing, 1] is refused
    naming the loan and the month.
    """
    T = int(term.max()) if term.size else 0
    n = int(bal.shape[0])
    if terms is None:
        terms = (np.zeros(n, dtype=np.int64), np.full((1, T), np.nan), np.zeros(n), np.zeros(n),
                 np.full(n, T, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros((n, 0)))
    group, paths, b0, s0, from_k, ev_k, ev_delta = terms
    bad = np.full(n, -1, dtype=np.int64)
    newrate = np.zeros(T) if newrate is None else np.ascontiguousarray(newrate[:T], dtype=np.float64)
    f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)        # noqa: E731
    i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)          # noqa: E731
    args = (f64(bal), f64(rate0), i64(term), i64(age), np.ascontiguousarray(lp, dtype=np.bool_), f64(bench[:T]),
            f64(mult), f64(margin), i64(group), f64(paths[:, :T]), f64(b0), f64(s0), i64(from_k), i64(ev_k),
            f64(ev_delta), bad, newrate, float(slope), float(cap),
            f64(1.0 - (1.0 - smm_tab[:T]) ** 12) if slope != 0.0 else f64(smm_tab[:T]), float(svc) / 12.0,
            f64(smm_tab[:T]), f64(mdr_tab[:T]), float(severity), int(lag), bool(advance))
    if engine != "python":
        try:
            engine = engine_name(engine, loan_months=int(term.sum()))
        except MbsxlInputError as e:
            raise MbsxlInputError(f"{e}; accepted: numpy, python" + (", numba" if compiled() else "")) from None
    out = _run(engine, *args, T)
    if (bad >= 0).any():
        i = int(np.argmax(bad >= 0))
        raise MbsxlInputError(f"loan {i + 1} reprices outside [servicing={float(svc):g}, 1] in month {bad[i] + 1}; "
                              "check spreads, origination_floors, current_floors, events and index_rates (mbsxl.loan_rates shows the path)")
    return out


class _Table(dict):
    """A 2-D table for the uncompiled loop: a dict keyed ``(i, j)`` holding Python floats, with the
    ``shape`` and ``max()`` :func:`_loans_loop` reads.  Indexing a dict and adding Python floats is about
    a third faster than numpy's scalar indexing and numpy scalars; the values are the same doubles."""
    __slots__ = ("shape", "_max")

    def max(self):
        return self._max


def _table(a: np.ndarray) -> _Table:
    t = _Table(((i, j), x) for i, row in enumerate(a.tolist()) for j, x in enumerate(row))
    t.shape = a.shape
    t._max = float(a.max()) if a.size else 0.0
    return t


_ARG_EV_K, _ARG_BAD = 13, 15          # positions of ev_k and bad among _loans_loop's arguments after lo, hi


def _python_loop(args, T: int) -> np.ndarray:
    """:func:`_loans_loop` run by the interpreter on Python numbers: 1-D arrays as lists, 2-D ones as
    :class:`_Table` (numpy kept for empty and very large tables); ``bad`` written back.  The same IEEE
    double operations as on numpy scalars and in numba's compilation of the function (tested bit for bit)."""
    n = args[0].shape[0]
    bad = args[_ARG_BAD]
    conv = []
    for i, a in enumerate(args):
        if i == _ARG_EV_K:                       # its .shape is read: kept (a few event months)
            pass
        elif isinstance(a, np.ndarray) and a.size and a.ndim == 1:
            a = a.tolist()
        elif isinstance(a, np.ndarray) and a.size and a.ndim == 2 and a.size <= 100_000:
            a = _table(a)
        conv.append(a)
    out = _Table(((k, j), 0.0) for k in range(T) for j in range(N_ACC))
    _loans_loop(0, n, *conv, out)
    if bad.size:
        bad[:] = conv[_ARG_BAD]
    return np.array([out[k, j] for k in range(T) for j in range(N_ACC)], dtype=np.float64).reshape(T, N_ACC)


def _run(engine, *args):
    """One call of the chosen engine on the loans of ``args`` (the kernel's arguments, then T)."""
    *args, T = args
    n = args[0].shape[0]
    if engine == "python":                       # the straightforward per-loan loop, uncompiled
        return _python_loop(args, T)
    if engine == "numpy":
        return _vector(*args, T)
    kernels = compiled()
    if n < 2048:
        out = np.zeros((T, N_ACC))
        kernels.loans_loop(0, n, *args, out)
        return out
    import numba

    nchunks = int(min(max(numba.get_num_threads(), 1) * 2, n // 1024))
    return kernels.run_chunks(*args, T, nchunks)
