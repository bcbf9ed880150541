#!/usr/bin/env python3
"""NumPy reference for benches/free.rs: the same subordination iteration, vectorised over atoms.

Free additive convolution: omega_1 = z + h_nu(z + h_mu(omega_1)), h = F - id, F = -1/m, for
1000 points of a density curve (x + i eta, eta = 1e-10 times the width of the support
enclosure) with warm starts along the grid; a point whose warm start fails is reached by
continuation in eta from eta = width (divide by 16 per step). Newton on g(w) = w - Phi(w) with the
secant slope of the last accepted step (central difference when there is none), step halving,
fixed-point fallback: the algorithm of src/spectral/free.rs (without the rounding-floor
acceptance, which these inputs never need). Free multiplicative: Phi(w) = z H_nu(z H_mu(w)),
H(w) = 1/w + 1/m(1/w), z = 1/conj(zeta).

Run: /work/venv-ref/bin/python benches/reference/free.py  (single-threaded OpenBLAS is irrelevant:
the work is elementwise). Prints the median wall time of each curve and a few densities that
the Rust bench's inputs reproduce.
"""

import statistics
import time

import numpy as np

N = 1000


def stieltjes(atoms, z):
    return np.mean(1.0 / (atoms - z))


def newton(phi, margin, z, w, tol=1e-13, scale=0.0, max_it=100):
    p, w2 = phi(z, w, True)
    r = abs(w - p)
    slope = None
    for it in range(max_it):
        rel = r / (abs(w) + scale)
        if rel <= tol:
            return w, w2, rel, it
        from_secant = slope is not None
        if from_secant:
            d = slope
            slope = None
        else:
            delta = max(1e-4 * margin(z, w), 1e-12 * abs(w))
            d = (phi(z, w + delta, False)[0] - phi(z, w - delta, False)[0]) / (2 * delta)
        dg = 1.0 - d
        accepted = False
        if np.isfinite(dg) and dg != 0:
            step = (w - p) / dg
            for _ in range(30):
                cand = w - step
                if cand.imag > 0:
                    try:
                        pc, w2c = phi(z, cand, True)
                    except (FloatingPointError, ValueError):
                        pc = None
                    if pc is not None and abs(cand - pc) < r:
                        slope = (pc - p) / (cand - w)
                        w, p, w2, r = cand, pc, w2c, abs(cand - pc)
                        accepted = True
                        break
                step *= 0.5
                if from_secant:
                    break
        if not accepted and from_secant:
            continue
        if not accepted:
            w = p
            p, w2 = phi(z, w, True)
            r = abs(w - p)
    raise RuntimeError(f"not converged at {z}")


def solve_point(phi, margin, predict, start, x, eta, eta_top, scale, warm):
    z = complex(x, eta)
    if warm is not None:
        try:
            return newton(phi, margin, z, predict(warm[0], z, warm[1]), scale=scale, max_it=30)
        except RuntimeError:
            pass
    level = max(eta_top, eta)
    w, _, _, _ = newton(phi, margin, complex(x, level), start(complex(x, level)), scale=scale, max_it=200)
    ratio = 1.0 / 16.0
    while level > eta:
        nxt = max(level * ratio, eta)
        try:
            w, _, _, _ = newton(phi, margin, complex(x, nxt), predict(complex(x, level), complex(x, nxt), w), scale=scale)
            level = nxt
            ratio = min(max(ratio * ratio, 1.0 / 256.0), 1.0 / 16.0)
        except RuntimeError:
            ratio = np.sqrt(ratio)
            if ratio > 0.95:
                raise
    return newton(phi, margin, z, w, scale=scale)


def free_sum_curve(mu, nu, xs):
    lo, hi = mu.min() + nu.min(), mu.max() + nu.max()
    width = hi - lo
    scale_extra = width + max(abs(lo), abs(hi))

    def phi(z, w, project):
        w2 = z + (-1.0 / stieltjes(mu, w) - w)
        if project:
            w2 = complex(w2.real, max(w2.imag, z.imag))
        out = z + (-1.0 / stieltjes(nu, w2) - w2)
        if project:
            out = complex(out.real, max(out.imag, z.imag))
        return out, w2

    margin = lambda z, w: max(w.imag - z.imag, 1e-3 * w.imag)
    predict = lambda z0, z1, w0: complex((w0 + z1 - z0).real, max((w0 + z1 - z0).imag, z1.imag))
    eta = 1e-10 * width
    out = []
    warm = None
    for x in xs:
        z = complex(x, eta)
        w1, w2, _, _ = solve_point(phi, margin, predict, lambda z: z, x, eta, max(width, 1e-3 * abs(x)),
                                   abs(z) + scale_extra, warm)
        warm = (z, w1)
        out.append(stieltjes(mu, w1).imag / np.pi)
    return np.array(out)


def free_product_curve(mu, nu, xs):
    lo, hi = mu.min() * nu.min(), mu.max() * nu.max()
    width = hi - lo

    def h(atoms, w):
        inv = 1.0 / w
        return inv + 1.0 / np.conj(stieltjes(atoms, np.conj(inv)))

    def lift(v, z):
        if np.angle(v) < np.angle(z):
            return abs(v) * np.exp(1j * np.angle(z))
        return v

    def phi(zeta, w, project):
        z = 1.0 / np.conj(zeta)
        w2 = z * h(mu, w)
        if project:
            w2 = lift(w2, z)
        out = z * h(nu, w2)
        if project:
            out = lift(out, z)
        return out, w2

    def margin(zeta, w):
        z = 1.0 / np.conj(zeta)
        gap = max(np.angle(w) - np.angle(z), 0.0)
        return abs(w) * max(np.sin(gap), 1e-3 * np.sin(np.angle(w)))

    def predict(z0, z1, w0):
        v = w0 * (np.conj(z0) / np.conj(z1))
        return v if v.imag > 0 else w0

    eta = 1e-10 * width
    out = []
    warm = None
    for x in xs:
        zeta = complex(x, eta)
        w1, _, _, _ = solve_point(phi, margin, predict, lambda zt: 1.0 / np.conj(zt), x, eta, max(hi, abs(x)), 0.0, warm)
        warm = (zeta, w1)
        z = 1.0 / np.conj(zeta)
        m = np.conj(z / w1) * stieltjes(mu, 1.0 / np.conj(w1))
        out.append(m.imag / np.pi)
    return np.array(out)


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    k = np.arange(N)
    uniform = -1.0 + 2.0 * (k + 0.5) / N
    power = 1.0 / np.sqrt(np.arange(1, N + 1))
    positive_uniform = 0.5 + (k + 0.5) / N
    sum_grid = -1.2 + 3.4 * (k + 0.5) / N
    product_grid = 0.45 * (k + 0.5) / N
    d = free_sum_curve(uniform, power, sum_grid)
    print("sum density at x =", sum_grid[[100, 500, 900]], ":", d[[100, 500, 900]])
    d = free_product_curve(positive_uniform, power, product_grid)
    print("product density at x =", product_grid[[100, 300, 500]], ":", d[[100, 300, 500]])
    t = median_time(lambda: free_sum_curve(uniform, power, sum_grid), 3)
    print(f"numpy free/sum_curve_1000: median {t * 1e3:.1f} ms")
    t = median_time(lambda: free_product_curve(positive_uniform, power, product_grid), 3)
    print(f"numpy free/product_curve_1000: median {t * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
