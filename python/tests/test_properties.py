"""Hypothesis property tests mirroring the Rust invariants (tests/properties*.rs): risks are
non-negative, broadcasting follows NumPy's rules, the one-atom spectrum reduces to the isotropic
ridge, ridge bias grows and variance shrinks with lambda, a warm-started line equals the points
solved one by one, the optimal lambda is no worse than any other."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import overparam as op

ratio = st.floats(1e-2, 1e2)
lam = st.floats(1e-4, 1e2)
snr = st.floats(0.0, 10.0)
sd = st.floats(0.0, 3.0)

SETTINGS = settings(max_examples=60, deadline=None)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


@SETTINGS
@given(gamma=ratio, lam=lam, snr=snr, sigma=st.floats(0.1, 3.0))
def test_ridge_risks_non_negative(gamma, lam, snr, sigma):
    r = op.ridge(gamma, lam, snr, sigma)
    for k in ("test_error", "train_error", "bias", "variance"):
        assert r[k] >= 0 and np.isfinite(r[k])
    assert rel(r["test_error"], r["bias"] + r["variance"]) <= 1e-12


@SETTINGS
@given(psi1=ratio, psi2=ratio, lam=lam, f1=st.floats(0.0, 2.0), fstar=st.floats(0.0, 2.0),
       tau=sd, activation=st.sampled_from(["relu", "tanh", "erf"]))
def test_rf_risks_non_negative(psi1, psi2, lam, f1, fstar, tau, activation):
    r = op.random_features(psi1, psi2, lam, activation, f1, fstar, tau)
    for k in ("test_error", "train_error", "bias", "variance"):
        assert r[k] >= 0 and np.isfinite(r[k]), k
    assert r["residual"] >= 0 and r["iterations"] >= 0


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_broadcasting_follows_numpy(shapes):
    rng = np.random.default_rng(0)
    a, b, c = (rng.uniform(0.5, 3.0, size=s) for s in shapes.input_shapes)
    r = op.ridge(a, c * 0.1, b)
    assert np.shape(r["test_error"]) == shapes.result_shape
    assert np.shape(r["gamma"]) == shapes.result_shape
    np.testing.assert_array_equal(np.asarray(r["gamma"]), np.broadcast_to(a, shapes.result_shape))
    # Each point equals its own scalar call.
    ga, la, sa = np.broadcast_arrays(a, c * 0.1, b)
    for idx in np.ndindex(shapes.result_shape):
        s = op.ridge(float(ga[idx]), float(la[idx]), float(sa[idx]))
        assert np.asarray(r["test_error"])[idx] == s["test_error"]


@SETTINGS
@given(s=st.floats(1e-3, 1e3), parts=st.integers(1, 4), gamma=ratio, lam=lam, snr=snr)
def test_isotropic_reduction(s, parts, gamma, lam, snr):
    # One atom s (split over equal atoms) is Sigma = s I: the isotropic ridge at lambda/s with
    # signal energy s r^2.
    a = op.ridge(gamma, lam, snr, spectrum=([s] * parts, [1.0] * parts, [1.0] * parts))
    b = op.ridge(gamma, lam / s, snr * s)
    assert rel(a["test_error"], b["test_error"]) <= 1e-12


@SETTINGS
@given(gamma=ratio, snr=st.floats(0.1, 10.0), lams=st.lists(lam, min_size=2, max_size=6))
def test_ridge_bias_up_variance_down_in_lambda(gamma, snr, lams):
    lams = np.sort(np.array(lams))
    r = op.ridge(gamma, lams, snr)
    assert (np.diff(r["bias"]) >= -1e-12 * r["bias"][1:]).all()
    assert (np.diff(r["variance"]) <= 1e-12 * r["variance"][:-1]).all()


@SETTINGS
@given(psi2=ratio, lam=st.floats(1e-3, 10.0), tau=sd,
       psi1=st.lists(ratio, min_size=2, max_size=8))
def test_warm_started_line_equals_cold_points(psi2, lam, tau, psi1):
    psi1 = np.sort(np.array(psi1))
    line = op.random_features(psi1, psi2, lam, tau=tau)
    for i, p in enumerate(psi1):
        cold = op.random_features(float(p), psi2, lam, tau=tau)
        assert rel(line["test_error"][i], cold["test_error"]) <= 1e-9


@SETTINGS
@given(gamma=ratio, snr=st.floats(0.1, 10.0), lam=lam)
def test_optimal_lambda_no_worse(gamma, snr, lam):
    o = op.ridge(gamma, 0.0, snr, optimal_lambda=True)
    r = op.ridge(gamma, lam, snr)
    assert o["test_error"] <= r["test_error"] * (1 + 1e-9)


@SETTINGS
@given(gamma=st.floats(0.05, 20.0), lam=st.floats(0.0, 10.0), kappa=st.floats(0.0, 0.9))
def test_membership_advantage_in_unit_interval(gamma, lam, kappa):
    r = op.membership(gamma, lam, kappa, errors="nan")
    if r["error"] is None:
        assert 0.0 <= r["advantage"] <= 1.0
        assert 0.0 <= r["auc"] <= 1.0
    else:
        assert np.isnan(r["advantage"])  # never a silent value at a failed point


@SETTINGS
@given(gamma=st.floats(0.1, 5.0), snr=st.floats(0.1, 10.0),
       times=st.lists(st.floats(0.0, 1e3), min_size=1, max_size=6))
def test_gradient_flow_train_error_decreases_in_time(gamma, snr, times):
    t = np.sort(np.array(times))
    r = op.dynamics(gamma, snr, time=t)
    assert (r["test_error"] >= 0).all()
    assert (np.diff(r["train_error"]) <= 1e-10 * r["train_error"][:-1] + 1e-14).all()
