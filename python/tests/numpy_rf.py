"""A pure-NumPy implementation of the random-features limit (Mei & Montanari 2022,
arXiv:1908.05355, Definition 1; the reduction to a bracketed quartic of docs/random_features.md),
vectorised over points: the reference for `overparam.random_features` in the timings
(python/bench/bench.py) and an independent check in the tests (test_numpy_reference.py).
ReLU activation, lambda > 0."""

from __future__ import annotations

import numpy as np

MU1_SQ = 0.25
MU_STAR_SQ = 0.25 - 1.0 / (2.0 * np.pi)  # ReLU: mu2 = 1/2, mu0^2 = 1/(2 pi), mu1^2 = 1/4


def rf_relu(psi1, psi2, lam, f1=1.0, fstar=0.0, tau=0.0, iterations=64):
    """Test error, train error, bias, variance of ReLU random features (float64 arrays)."""
    psi1, psi2, lam, f1, fstar, tau = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (psi1, psi2, lam, f1, fstar, tau)))
    c = MU1_SQ / MU_STAR_SQ                       # zeta^2
    u2 = psi1 * psi2 * lam / MU_STAR_SQ           # u^2 = psi1 psi2 lambda_bar

    def f(chi, psi):
        return -c * chi * chi + (1.0 + c - c * psi) * chi + psi

    def chi_minus(psi):
        b = 1.0 + c - c * psi
        return -2.0 * psi / (b + np.sqrt(b * b + 4.0 * c * psi))

    def quartic(chi):
        return f(chi, psi1) * f(chi, psi2) + u2 * chi * (1.0 - c * chi) ** 2

    # P(0) = psi1 psi2 > 0 and P < 0 at the left end: bisection on (max chi_-, 0).
    lo = np.maximum(chi_minus(psi1), chi_minus(psi2))
    hi = np.zeros_like(lo)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        neg = quartic(mid) < 0.0
        lo = np.where(neg, mid, lo)
        hi = np.where(neg, hi, mid)
    chi = 0.5 * (lo + hi)
    z2, z4, z6 = c, c * c, c ** 3
    x2, x3, x4, x5 = chi ** 2, chi ** 3, chi ** 4, chi ** 5
    pp = psi1 * psi2
    e0 = (-x5 * z6 + 3 * x4 * z4 + (pp - psi2 - psi1 + 1) * x3 * z6 - 2 * x3 * z4 - 3 * x3 * z2
          + (psi1 + psi2 - 3 * pp + 1) * x2 * z4 + 2 * x2 * z2 + x2 + 3 * pp * chi * z2 - pp)
    e1 = psi2 * (z2 * chi - 1.0) * (z2 * x2 + psi1)
    e2 = (x5 * z6 - 3 * x4 * z4 + (psi1 - 1) * x3 * z6 + 2 * x3 * z4 + 3 * x3 * z2
          + (-psi1 - 1) * x2 * z4 - 2 * x2 * z2 - x2)
    b, v = e1 / e0, e2 / e0
    bias = f1 ** 2 * b + fstar ** 2
    variance = (tau ** 2 + fstar ** 2) * v
    test = bias + variance
    train = (test + tau ** 2) * (f(chi, psi2) / ((1.0 - c * chi) * psi2)) ** 2
    return {"test_error": test, "train_error": train, "bias": bias, "variance": variance,
            "chi": chi}
