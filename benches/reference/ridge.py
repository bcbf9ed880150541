"""NumPy/SciPy reference of the anisotropic ridge deterministic equivalent (issue 15), for the
speed ratio against `cargo bench --bench ridge -- ridge_anisotropic`.

The same equations as overparam::theory::ridge::AnisotropicRidge (docs/ridge.md): kappa from
kappa - lambda = kappa * gamma * sum_j w_j s_j / (s_j + kappa) by scipy.optimize.brentq on the
bracket [lambda, lambda + gamma * sum_j w_j s_j] (vectorised sums), then
df2 = gamma sum w (s/(s+k))^2, B = r^2 k^2 sum c s/(s+k)^2 / (1 - df2), V = sigma^2 df2/(1 - df2),
T = (lambda/k)^2 (B + V + sigma^2).

Population: s_k = k^-1.5, equal weights, signal c_k ~ k^-1, P = 1e4 and 1e6; gamma = 2,
lambda = 0.01, snr 4, sigma = 1. A "cold point" includes normalising the weights (as check()).
A "one-shot" point (against `ridge_anisotropic/one_shot_1e4`, `one_shot_1e6`) also builds the
arrays of the population (as `Population::power_law` does), then computes the point.

Run: /work/venv-ref/bin/python benches/reference/ridge.py
"""

import time

import numpy as np
from scipy.optimize import brentq


def risk(s, w, c, gamma, lam, snr, sigma=1.0):
    w = w / w.sum()
    c = c / c.sum()
    mean = np.dot(w, s)

    def f(k):
        return k - lam - k * gamma * np.dot(w, s / (s + k))

    k = brentq(f, lam, lam + gamma * mean, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    q = s / (s + k)
    df2 = gamma * np.dot(w, q * q)
    r2 = snr * sigma**2
    bias = r2 * k * k * np.dot(c, s / (s + k) ** 2) / (1 - df2)
    var = sigma**2 * df2 / (1 - df2)
    train = (lam / k) ** 2 * (bias + var + sigma**2)
    return bias + var, bias, var, train, k


def one_shot(p):
    idx = np.arange(1, p + 1, dtype=float)
    return risk(idx**-1.5, np.ones(p), idx**-1.0, 2.0, 0.01, 4.0)


def main():
    for p in (10_000, 1_000_000):
        idx = np.arange(1, p + 1, dtype=float)
        s = idx**-1.5
        w = np.ones(p)
        c = idx**-1.0
        r = risk(s, w, c, 2.0, 0.01, 4.0)
        reps = 200 if p <= 10_000 else 10
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            risk(s, w, c, 2.0, 0.01, 4.0)
            times.append(time.perf_counter() - t0)
        # For the floor argument (docs/performance.md): brentq's evaluations of the kappa
        # equation, and the time of one vectorised evaluation.
        wn = w / w.sum()
        calls = brentq(
            lambda k: k - 0.01 - k * 2.0 * np.dot(wn, s / (s + k)),
            0.01,
            0.01 + 2.0 * np.dot(wn, s),
            xtol=1e-300,
            rtol=4 * np.finfo(float).eps,
            full_output=True,
        )[1].function_calls
        one = []
        for _ in range(reps):
            t0 = time.perf_counter()
            np.dot(wn, s / (s + r[4]))
            one.append(time.perf_counter() - t0)
        shots = []
        for _ in range(reps):
            t0 = time.perf_counter()
            one_shot(p)
            shots.append(time.perf_counter() - t0)
        print(
            f"P = {p}: test error {r[0]:.12f} kappa {r[4]:.12e}; "
            f"median {np.median(times) * 1e6:.1f} us over {reps} runs; "
            f"brentq {calls} evaluations, one evaluation {np.median(one) * 1e6:.1f} us; "
            f"one-shot (arrays + point) median {np.median(shots) * 1e6:.1f} us"
        )


if __name__ == "__main__":
    main()
