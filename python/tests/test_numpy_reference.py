"""Random features against an independent pure-NumPy implementation of the same equations
(tests/numpy_rf.py: the quartic solved by vectorised bisection, E0, E1, E2 of Definition 1)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import overparam as op
from numpy_rf import rf_relu


@settings(max_examples=60, deadline=None)
@given(psi1=st.floats(0.05, 50.0), psi2=st.floats(0.05, 50.0), lam=st.floats(1e-3, 10.0),
       f1=st.floats(0.0, 2.0), fstar=st.floats(0.0, 2.0), tau=st.floats(0.0, 2.0))
def test_rf_matches_numpy_reference(psi1, psi2, lam, f1, fstar, tau):
    a = op.random_features(psi1, psi2, lam, "relu", f1, fstar, tau)
    b = rf_relu(psi1, psi2, lam, f1, fstar, tau)
    for k in ("test_error", "train_error", "bias", "variance", "chi"):
        assert abs(a[k] - b[k]) <= 1e-9 * max(abs(b[k]), 1e-12), (k, a[k], b[k])


def test_rf_curve_matches_numpy_reference():
    psi1 = np.geomspace(0.1, 10, 2000)
    a = op.random_features(psi1, 3.0, 1e-3, tau=0.5)
    b = rf_relu(psi1, 3.0, 1e-3, tau=0.5)
    np.testing.assert_allclose(a["test_error"], b["test_error"], rtol=1e-10)
    np.testing.assert_allclose(a["train_error"], b["train_error"], rtol=1e-10)
