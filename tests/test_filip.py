"""NIST StRD Filip: a degree-10 polynomial on 82 observations, the hardest linear least-squares set.

Source of the data and the certified values: NIST Statistical Reference Datasets, linear least
squares, Filip.dat (Filippelli, A., NIST), https://www.itl.nist.gov/div898/strd/lls/data/Filip.shtml
(certified to 15 digits with 500-digit arithmetic).  The 82 (y, x) rows below were transcribed from
a public-domain copy of Filip.dat in Paul Kienzle's wpolyfit tests (reductus, "Test cases are taken
from the NIST Statistical Reference Datasets") and agree value for value with a second public copy (the
Filip_X / Filip_Y tables of a Java StRD test-data class); the residual standard deviation 0.334801051324544E-02,
R-squared 0.996727416185620, F 2162.43954511489 and 71 residual degrees of freedom are Filip.dat's
certified analysis of variance.

cond(X) is 1.8e15: statsmodels' pinv keeps rank 10 of 11 and reports 72 residual degrees of freedom with
standard errors 25-100x too small.  mbsxl.regress fits on the column-scaled QR (cond 5.2e9), so about
16 - 9.7 = 6-8 digits are attainable from double-precision data; the bar is 6.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import mbsxl
from mbsxl.stats import regression as R
from mbsxl.excel import dispatch


Y = [0.8116, 0.9072, 0.9052, 0.9039, 0.8053, 0.8377, 0.8667, 0.8809, 0.7975, 0.8162, 0.8515, 0.8766, 0.8885,
     0.8859, 0.8959, 0.8913, 0.8959, 0.8971, 0.9021, 0.909, 0.9139, 0.9199, 0.8692, 0.8872, 0.89, 0.891, 0.8977,
     0.9035, 0.9078, 0.7675, 0.7705, 0.7713, 0.7736, 0.7775, 0.7841, 0.7971, 0.8329, 0.8641, 0.8804, 0.7668,
     0.7633, 0.7678, 0.7697, 0.77, 0.7749, 0.7796, 0.7897, 0.8131, 0.8498, 0.8741, 0.8061, 0.846, 0.8751, 0.8856,
     0.8919, 0.8934, 0.894, 0.8957, 0.9047, 0.9129, 0.9209, 0.9219, 0.7739, 0.7681, 0.7665, 0.7703, 0.7702,
     0.7761, 0.7809, 0.7961, 0.8253, 0.8602, 0.8809, 0.8301, 0.8664, 0.8834, 0.8898, 0.8964, 0.8963, 0.9074,
     0.9119, 0.9228]
X = [-6.860120914, -4.324130045, -4.358625055, -4.358426747, -6.955852379, -6.661145254, -6.355462942,
     -6.118102026, -7.115148017, -6.815308569, -6.519993057, -6.204119983, -5.853871964, -6.109523091,
     -5.79832982, -5.482672118, -5.171791386, -4.851705903, -4.517126416, -4.143573228, -3.709075441,
     -3.499489089, -6.300769497, -5.953504836, -5.642065153, -5.031376979, -4.680685696, -4.329846955,
     -3.928486195, -8.56735134, -8.363211311, -8.107682739, -7.823908741, -7.522878745, -7.218819279,
     -6.920818754, -6.628932138, -6.323946875, -5.991399828, -8.781464495, -8.663140179, -8.473531488,
     -8.247337057, -7.971428747, -7.676129393, -7.352812702, -7.072065318, -6.774174009, -6.478861916,
     -6.159517513, -6.835647144, -6.53165267, -6.224098421, -5.910094889, -5.598599459, -5.290645224,
     -4.974284616, -4.64454848, -4.290560426, -3.885055584, -3.408378962, -3.13200249, -8.726767166,
     -8.66695597, -8.511026475, -8.165388579, -7.886056648, -7.588043762, -7.283412422, -6.995678626,
     -6.691862621, -6.392544977, -6.067374056, -6.684029655, -6.378719832, -6.065855188, -5.752272167,
     -5.132414673, -4.811352704, -4.098269308, -3.66174277, -3.2644011]
B = [-1467.48961422980, -2772.17959193342, -2316.37108160893, -1127.97394098372, -354.478233703349,
     -75.1242017393757, -10.8753180355343, -1.06221498588947, -0.670191154593408E-01, -0.246781078275479E-02,
     -0.402962525080404E-04]
SE = [298.084530995537, 559.779865474950, 466.477572127796, 227.204274477751, 71.6478660875927, 15.2897178747400,
      2.23691159816033, 0.221624321934227, 0.142363763154724E-01, 0.535617408889821E-03, 0.896632837373868E-05]

RESID_SD = 0.334801051324544E-02
R2 = 0.996727416185620
F = 2162.43954511489
DF_RESID = 71


def lre(est, cert):
    """NIST's log relative error: correct significant digits, capped at 15."""
    est, cert = np.asarray(est, dtype=float), np.asarray(cert, dtype=float)
    with np.errstate(divide="ignore"):
        return np.minimum(-np.log10(np.abs(est - cert) / np.abs(cert)), 15.0)


def _design():
    x = np.asarray(X)
    assert len(x) == len(Y) == 82
    return np.column_stack([x ** p for p in range(1, 11)])


def test_filip_coefficients_and_standard_errors_six_digits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no SingularMatrixWarning or any other, silently dropped
        r = mbsxl.regress(Y, _design())
    digits_b, digits_se = lre(r.params, B), lre(r.bse, SE)
    print("Filip digits: coefficients", np.round(digits_b, 1), "std errors", np.round(digits_se, 1))
    assert digits_b.min() >= 6 and digits_se.min() >= 6
    assert r.stats[R.DF_RESID] == DF_RESID and r.stats[R.DF_MODEL] == 10
    assert lre(r.stats[R.RESID_SE], RESID_SD) >= 6
    assert lre(r.stats[R.R2], R2) >= 6
    assert lre(r.stats[R.F_STAT], F) >= 6


def test_filip_through_the_excel_path():
    out = dispatch.call("MBS_REGRESS", [[y] for y in Y], _design().tolist())
    assert isinstance(out, list), getattr(out, "reason", out)
    rows = {row[0]: row for row in out[1:] if row and row[0]}
    se = [rows["Constant"][2]] + [rows[f"x{j}"][2] for j in range(1, 11)]
    assert lre(se, SE).min() >= 6
    assert rows[R.DF_RESID][1] == DF_RESID


def test_predict_on_filip_uses_the_full_rank_covariance():
    # the standard error of the fitted mean at the data is sigma * sqrt(h_ii); h_ii summed is the rank, 11
    t = mbsxl.predict(Y, _design(), _design())
    h = (t[R.MEAN_SE].to_numpy() / RESID_SD) ** 2
    assert h.sum() == pytest.approx(11, rel=1e-5)


def test_exactly_collinear_columns_are_refused_by_name():
    # x2 = 2 x1 exactly: no least-squares solution is unique; the reason names the columns and the relation
    x1 = np.asarray(X)
    with pytest.raises(ValueError) as e:
        mbsxl.regress(Y, np.column_stack([x1, 2 * x1]), headers=["rate", "rate_x2"])
    msg = str(e.value)
    assert "rate, rate_x2" in msg and "collinear" in msg and "rate = 0.5*rate_x2" in msg
    out = dispatch.call("MBS_REGRESS", [[y] for y in Y], np.column_stack([x1, 2 * x1]).tolist())
    assert out == "#VALUE!" and "x1, x2 are perfectly collinear" in out.reason


def test_nearly_collinear_columns_are_refused_not_fitted_on_few_digits():
    # x2 = x1 + 1e-12 noise: numerically full rank, but (X'X)^-1 would keep < 4 digits (scaled cond ~2e12)
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=50)
    y = x1 + rng.normal(size=50)
    x2 = x1 + 1e-12 * rng.normal(size=50)
    with pytest.raises(ValueError) as e:
        mbsxl.regress(y, np.column_stack([x1, x2]), headers=["rate", "rate_copy"])
    msg = str(e.value)
    assert "rate, rate_copy are nearly collinear" in msg and "condition number" in msg
    # Filip itself (scaled condition 5.2e9) stays below the cap and is fitted
    assert R.MAX_SCALED_CONDITION > 5.2e9
