#!/usr/bin/env python3
"""NumPy reference for benches/kernel.rs: the same operations, single-threaded.

Run (single-threaded OpenBLAS, native kernel selection):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
        python3 benches/reference/numpy_kernel.py

Prints the BLAS library and kernel that threadpoolctl reports, then for each operation the
median wall time over a few repetitions and the throughput in GFLOP/s (GEMM: 2 n^3 flops,
Cholesky: n^3 / 3 flops), matching the flop counts of the Rust bench.
"""

import statistics
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info
except ImportError:  # pragma: no cover
    threadpool_info = None


def median_time(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sphere(rng, rows, d):
    x = rng.standard_normal((rows, d))
    return x * (np.sqrt(d) / np.linalg.norm(x, axis=1, keepdims=True))


def rf_fit(d=500, psi=2.0, lam=1e-3, seed=5):
    """Same steps as rf_fit in benches/kernel.rs."""
    rng = np.random.default_rng(seed)
    n = nf = int(psi * d)
    x = sphere(rng, n, d)
    theta = sphere(rng, nf, d)
    y = rng.standard_normal(n)
    z = np.maximum(x @ theta.T / np.sqrt(d), 0.0)
    c = n * nf * lam / d
    gram = z.T @ z
    gram[np.diag_indices(nf)] += c
    chol = np.linalg.cholesky(gram)
    rhs = z.T @ y
    w = np.linalg.solve(chol, rhs)  # forward (general solve on the triangular factor)
    a = np.linalg.solve(chol.T, w)
    return float(a @ a)


def rf_fit_triangular(d=500, psi=2.0, lam=1e-3, seed=5):
    """As rf_fit but with triangular solves (scipy-free: use cho_solve if SciPy is present)."""
    try:
        from scipy.linalg import cho_factor, cho_solve
    except ImportError:
        return None
    rng = np.random.default_rng(seed)
    n = nf = int(psi * d)
    x = sphere(rng, n, d)
    theta = sphere(rng, nf, d)
    y = rng.standard_normal(n)
    z = np.maximum(x @ theta.T / np.sqrt(d), 0.0)
    c = n * nf * lam / d
    gram = z.T @ z
    gram[np.diag_indices(nf)] += c
    a = cho_solve(cho_factor(gram, lower=True), z.T @ y)
    return float(a @ a)


def main():
    print(f"numpy {np.__version__}")
    if threadpool_info is not None:
        for info in threadpool_info():
            print(
                "threadpoolctl: {} {} {} internal_api={} threading={} num_threads={} architecture={}".format(
                    info.get("user_api"),
                    info.get("prefix"),
                    info.get("version"),
                    info.get("internal_api"),
                    info.get("threading_layer"),
                    info.get("num_threads"),
                    info.get("architecture"),
                )
            )
    rng = np.random.default_rng(1)
    for n in (512, 1024, 2048):
        a = rng.standard_normal((n, n))
        b = rng.standard_normal((n, n))
        t = median_time(lambda: a @ b, 10 if n < 2048 else 5)
        print(f"gemm     n={n:5d}  {t * 1e3:9.2f} ms  {2 * n**3 / t / 1e9:7.2f} GFLOP/s")
    for n in (512, 1024, 2048):
        g = rng.standard_normal((n, n))
        spd = g.T @ g / n + np.eye(n)
        t = median_time(lambda: np.linalg.cholesky(spd), 10)
        print(f"cholesky n={n:5d}  {t * 1e3:9.2f} ms  {n**3 / 3 / t / 1e9:7.2f} GFLOP/s")
    t = median_time(rf_fit, 10)
    print(f"rf fit d=500 psi1=psi2=2 (cholesky + np.linalg.solve)  {t * 1e3:9.2f} ms")
    if rf_fit_triangular() is not None:
        t = median_time(rf_fit_triangular, 10)
        print(f"rf fit d=500 psi1=psi2=2 (scipy cho_solve)            {t * 1e3:9.2f} ms")


if __name__ == "__main__":
    main()
