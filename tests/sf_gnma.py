"""The SIFMA Standard Formulas example pool (SF-50/51), shared by the pricing and OAS tests.

Ginnie Mae I 9.0% pass-through on 9.5% gross, 360 months, at 150% PSA (The Bond Market Association,
Uniform Practices / Standard Formulas, 02/01/99).
"""
import numpy as np

from mbsxl.pool import sf4
from mbsxl.pool.conventions import psa, smm


def sf_gnma_flows():
    """The SF-50 cash flows, per 100 of face, built from the SF formulas themselves.

    SF-4 (B.1): BAL = [1 - (1 + C/1200)^-M] / [1 - (1 + C/1200)^-M0], pool factor = survival * BAL
    (:mod:`mbsxl.pool.sf4`); SF-6 (B.2 c): CPR = PSA/100 * 0.2% * min(MONTH, 30); SMM = 1 - (1 - CPR)^(1/12)
    (:func:`mbsxl.psa`, :func:`mbsxl.smm`); pass-through cash flow = principal + net interest at 9.0%.
    The tests check these against the published SF-50/51 figures.
    Returns (cash flows, principal).
    """
    rates = np.asarray(smm(psa(np.arange(1, 361), 150)), dtype=float)
    cf, principal = sf4.pool_flows(rates[:, None], sf4.amortized_balance(0.095, 360), 0.09)
    return cf[:, 0], principal[:, 0]
