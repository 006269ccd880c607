"""The OAS engine's path flows are the pool engine's flows on the same assumptions (issue 12).

``valuation.path_cashflows`` (SF-4 survival x amortised balance, per path) and ``mbsxl.cashflows``
(the SF-17..19 month-by-month projection) are two implementations of the same SIFMA pass-through
arithmetic; on any deterministic SMM vector, no defaults, both amortisation kinds, they must agree.
Source of the arithmetic: SIFMA Standard Formulas SF-4 (pool factor = survival x amortised balance)
and SF-17 (cash flow = net interest + scheduled principal + prepayment).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mbsxl
from mbsxl.pricing.valuation import path_cashflows


def _via_cashflows(smm, wac, wam, servicing, amortization):
    cf = mbsxl.cashflows(100.0, wac, wam, prepay=list(smm), prepay_type="SMM", servicing=servicing,
                         amortization=amortization)
    return (cf["Cash Flow"].to_numpy(), (cf["Scheduled Principal"] + cf["Prepayment"]).to_numpy())


@pytest.mark.parametrize("amortization", ["level_payment", "level_principal"])
def test_sf4_150psa_paths_equal_cashflows(amortization):
    # SF-4's example pool: 9.5% gross, 9.0% net, 360 months, 150% PSA
    smm = np.asarray(mbsxl.smm(mbsxl.psa(np.arange(1, 361), 150)), dtype=float)
    cf_path, pr_path = path_cashflows(smm[None, :], 0.095, 360, servicing=0.005, amortization=amortization)
    cf, pr = _via_cashflows(smm, 0.095, 360, 0.005, amortization)
    np.testing.assert_allclose(cf_path[0], cf, rtol=0, atol=1e-10)
    np.testing.assert_allclose(pr_path[0], pr, rtol=0, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(wac=st.floats(0.0, 0.2), wam=st.integers(1, 120), seed=st.integers(0, 2**31 - 1),
       kind=st.sampled_from(["level_payment", "level_principal"]))
def test_random_smm_paths_equal_cashflows(wac, wam, seed, kind):
    smm = np.random.default_rng(seed).uniform(0.0, 0.1, wam)
    svc = wac / 4
    cf_path, pr_path = path_cashflows(smm[None, :], wac, wam, servicing=svc, amortization=kind)
    cf, pr = _via_cashflows(smm, wac, wam, svc, kind)
    np.testing.assert_allclose(cf_path[0], cf, rtol=0, atol=1e-9)
    np.testing.assert_allclose(pr_path[0], pr, rtol=0, atol=1e-9)
