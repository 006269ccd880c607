"""The SF-4 pool arithmetic, written once: amortised balance, survival x balance, the month's flow.

SIFMA Standard Formulas SF-4 (B.1): a pool of level-payment (等额本息) or level-principal (等额本金)
loans at gross rate ``wac`` has, after k of n months, the amortised balance per unit of par

    ``BAL_k = (1 - (1 + r)**-(n - k)) / (1 - (1 + r)**-n)``, ``r = wac/12``  (level payment), or
    ``BAL_k = 1 - k/n``                                                      (level principal, or r = 0),

and with the survival factor ``S_k = prod_{j<=k} (1 - SMM_j)`` the pool factor ``F_k = S_k BAL_k``.
Principal of month k is ``100 (F_{k-1} - F_k)``, net interest ``100 F_{k-1} net/12``; so every flow of a
pass-through (principal, or principal plus interest, discounted or not) is

    ``flow_k = a_k S_{k-1} - b_k S_k``, with ``a_k = 100 BAL_{k-1} (1 + net/12) scale_k`` and
    ``b_k = 100 BAL_k scale_k`` (:func:`flow_coefficients`; ``net = 0`` gives principal alone).

The loan projection's amortisation uses the same balance through :func:`scheduled_fraction`.

Users: :func:`mbsxl.pricing.valuation.path_cashflows` and the OAS (numpy engine: :func:`survival_flows` on
months x paths arrays; numba engine: :func:`survival_flow` compiled inline in
:mod:`mbsxl.pool._kernels`), :mod:`mbsxl.reference.tape` (:func:`balance_factor`), ``tests/sf_gnma.py``.  The
loan-level projection (:mod:`mbsxl.pool._engine`, SF-17..19, :func:`scheduled_fraction`) carries balances
rather than factors and is tested against these flows (``tests/test_oas_paths_vs_cashflows.py``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["balance_factor", "amortized_balance", "scheduled_fraction", "flow_coefficients", "survival_flow",
           "survival_flows", "pool_flows"]


def balance_factor(rate, n, k, level_principal=False):
    """SF-4 ``BAL_k``: balance after ``k`` of ``n`` months per unit of original balance (elementwise).

    ``rate`` is the annual gross rate (decimal); ``level_principal`` (bool, elementwise) chooses
    ``1 - k/n``.  A zero rate gives the level-principal line as well.

    >>> round(float(balance_factor(0.12, 2, 1)), 6)      # 2 months at 1%: 1 - (50.751244 - 1.0)/100
    0.502488
    """
    r = np.asarray(rate, dtype=float) / 12.0
    n = np.asarray(n, dtype=float)
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lnq = np.log1p(r)
        pay = np.expm1(-(n - k) * lnq) / np.expm1(-n * lnq)
    return np.where(np.asarray(level_principal, dtype=bool) | (r == 0), 1.0 - k / n, pay)


def amortized_balance(wac: float, n: int, kind: str = "level_payment") -> np.ndarray:
    """``BAL_k``, k = 0..n, of a $1 loan (``kind``: ``"level_payment"`` or ``"level_principal"``)."""
    return balance_factor(wac, n, np.arange(n + 1, dtype=float), kind == "level_principal")


def scheduled_fraction(r, m, level_principal=False):
    """Share of the balance repaid by schedule in a month with ``m`` months left (this one included).

    ``r / ((1 + r)**m - 1)`` at the monthly rate ``r`` (level payment; 1 in the last month), or ``1/m``
    (level principal, or ``r = 0``); so ``1 - fraction = BAL_k / BAL_{k-1}``.  Elementwise numpy: the
    numpy twin of the loan projection (:func:`mbsxl.pool._engine._vector`) uses it; the per-loan loop
    (:func:`mbsxl.pool._engine._loans_loop`, compiled) carries ``(1 + r)**m - 1`` from month to month
    instead of recomputing it, and the two are tested against each other.

    >>> round(float(scheduled_fraction(0.01, 2)), 6)      # 2 months at 1%: 49.751244 of 100 repaid
    0.497512
    """
    r = np.asarray(r, dtype=float)
    m = np.asarray(m, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pay = np.where(m == 1, 1.0, r / np.expm1(m * np.log1p(r)))
        return np.where(np.asarray(level_principal, dtype=bool) | (r == 0.0), 1.0 / m, pay)


def flow_coefficients(bal: np.ndarray, net: float, scale=1.0):
    """``(a, b)`` with ``flow_k = a_k S_{k-1} - b_k S_k`` (see the module docstring), k = 1..n.

    ``bal`` is ``BAL_0..BAL_n``; ``scale`` (a number or one value a month) multiplies both, e.g. the
    discount factor of month k.  ``net = 0`` gives the principal."""
    return 100.0 * bal[:-1] * (1.0 + net / 12.0) * scale, 100.0 * bal[1:] * scale


def survival_flow(a: float, s_prev: float, b: float, s_next: float) -> float:
    """One month's flow ``a S_{k-1} - b S_k`` (scalar; the numba kernels compile it inline)."""
    return a * s_prev - b * s_next


def survival_flows(surv: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a_k S_{k-1} - b_k S_k`` for months x paths survival ``surv`` = ``S_1..S_n`` (``S_0 = 1``).

    The numpy twin of :func:`survival_flow`.  ``surv`` is consumed (overwritten); returns a new
    months x paths array."""
    out = surv * (-b[:, None])
    surv[:-1] *= a[1:, None]
    out[1:] += surv[:-1]                           # + a_k S_{k-1}, k >= 2
    out[0] += a[0]                                 # S_0 = 1
    return out


def pool_flows(smm_t: np.ndarray, bal: np.ndarray, net: float):
    """Pass-through flows per 100 of face from months x paths SMM: ``(cash flow, principal)``, months x paths."""
    surv = np.cumprod(1.0 - smm_t, axis=0)
    principal = survival_flows(surv.copy(), *flow_coefficients(bal, 0.0))
    return survival_flows(surv, *flow_coefficients(bal, net)), principal
