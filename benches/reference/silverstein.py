"""NumPy reference for the generalised Marchenko-Pastur law (Silverstein's equation).

The same equations as overparam::spectral::sample_covariance, solved the way one-paper scripts
do: a damped fixed-point iteration on the companion transform
    m_c <- (1 - a) m_c + a / (-z + gamma * sum_j w_j s_j / (1 + s_j m_c)),
vectorised over the atoms, at z = x + i*eta with a small eta (the iteration does not converge on
the real axis), warm-started along the curve. Density = Im m(z) / pi with
m = -(1/z) sum_j w_j / (1 + s_j m_c).

Usage:
  silverstein.py point            # the two-atom example of general_spectra.md section 2
  silverstein.py bench [REPEATS]  # 1000-point curve of a 1000-atom power law, median seconds
"""
import sys
import time

import numpy as np


def solve(s, w, gamma, z, start=None, damping=0.5, tol=1e-12, max_iter=200000):
    mc = -1.0 / z if start is None else start
    for it in range(max_iter):
        t = s / (1.0 + s * mc)
        new = 1.0 / (-z + gamma * np.dot(w, t))
        if abs(new - mc) <= tol * (1.0 + abs(mc)):
            return new, it + 1
        mc = (1.0 - damping) * mc + damping * new
    return mc, max_iter


def p_by_p(s, w, z, mc):
    return -np.dot(w, 1.0 / (1.0 + s * mc)) / z


def curve(s, w, gamma, xs, eta):
    out = np.empty(len(xs))
    mc = None
    for i, x in enumerate(xs):
        z = complex(x, eta)
        # continuation from above for the first point, warm start afterwards
        if mc is None:
            mc = -1.0 / complex(x, 10.0)
            for h in np.logspace(1, np.log10(eta), 30):
                mc, _ = solve(s, w, gamma, complex(x, h), mc)
        mc, _ = solve(s, w, gamma, z, mc)
        out[i] = p_by_p(s, w, z, mc).imag / np.pi
    return out


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "point"
    if mode == "point":
        s = np.array([1.0, 10.0])
        w = np.array([0.7, 0.3])
        for eta in [1e-4, 1e-6, 1e-8]:
            mc = None
            for h in np.logspace(1, np.log10(eta), 40):
                mc, _ = solve(s, w, 0.5, complex(0.5, h), mc)
            print(f"eta={eta:g} density={p_by_p(s, w, complex(0.5, eta), mc).imag / np.pi:.12f}")
    else:
        repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
        p = 1000
        s = np.arange(1, p + 1, dtype=float) ** -1.0
        w = np.full(p, 1.0 / p)
        xs = np.linspace(1e-3, 1.5, 1000)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            d = curve(s, w, 0.5, xs, 1e-6)
            times.append(time.perf_counter() - t0)
        print(f"median_seconds={np.median(times):.6f} min={min(times):.6f} "
              f"repeats={repeats} checksum={d.sum():.9f}")


if __name__ == "__main__":
    main()
