"""The SIFMA Standard Formulas example pool (SF-50/51), shared by the pricing and curve tests.

Ginnie Mae I 9.0% pass-through on 9.5% gross, 360 months, at 150% PSA (The Bond Market Association,
Uniform Practices / Standard Formulas, 02/01/99).
"""
import numpy as np


def sf_gnma_flows():
    """The SF-50 cash flows, per 100 of face, built from the SF formulas themselves.

    SF-4 (B.1): BAL = [1 - (1 + C/1200)^-M] / [1 - (1 + C/1200)^-M0], pool factor = survival * BAL;
    SF-6 (B.2 c): CPR = PSA/100 * 0.2% * min(MONTH, 30); SMM = 1 - (1 - CPR)^(1/12);
    pass-through cash flow = principal + net interest at 9.0%.
    Returns (cash flows, principal).
    """
    c = 9.5 / 1200
    month = np.arange(1, 361)
    bal = (1 - (1 + c) ** -(360.0 - np.arange(361))) / (1 - (1 + c) ** -360)
    cpr = 1.5 * 0.002 * np.minimum(month, 30)
    smm = 1 - (1 - cpr) ** (1 / 12)
    factor = np.r_[1.0, np.cumprod(1 - smm)] * bal
    principal = 100 * (factor[:-1] - factor[1:])
    interest = 100 * factor[:-1] * 9.0 / 1200
    return principal + interest, principal
