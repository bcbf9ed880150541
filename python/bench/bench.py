"""Timings of the Python bindings against the Rust library and a pure-NumPy implementation
(docs/python.md, docs/performance.d/s5-py18.md). One command, from the repository root:

    python python/bench/bench.py            # needs `overparam` installed (pip install ./python)

It builds and runs python/bench/rust_timing (the same computations called from Rust, in the
repository's target/ directory), then times in this process:

* the per-call overhead: a scalar `overparam.ridge(2.0, 0.1, 4.0)` minus the Rust call;
* a 64-point random-features array call against the library's curve over the same points (the
  fixed cost of an array call);
* a 10^5-point random-features grid (psi1 log-spaced on [0.1, 10], psi2 = 3, lambda = 1e-3,
  noise_sd = 0.5, ReLU) through one vectorised call, against the Rust warm-started curve
  (`RandomFeaturesModel::curve_psi1`) and against the pure-NumPy implementation of the same
  equations (python/tests/numpy_rf.py).

Medians of repeated runs; the machine's load changes the absolute numbers, the ratios are
measured in one run.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

import overparam as op
from overparam import _core

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))
from numpy_rf import rf_relu  # noqa: E402

N = 100_000


def rust() -> dict:
    manifest = ROOT / "python" / "bench" / "rust_timing" / "Cargo.toml"
    env = {"CARGO_TARGET_DIR": str(ROOT / "target")}
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(manifest)],
                   check=True, env={**os.environ, **env})
    out = subprocess.run([str(ROOT / "target" / "release" / "overparam-python-timing"), str(N)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def per_call_us(stmt, number=20_000, repeat=15) -> float:
    return statistics.median(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e6


def median_s(f, repeat=7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    r = rust()
    scalar = per_call_us(lambda: op.ridge(2.0, 0.1, 4.0))
    raw = per_call_us(lambda: _core.ridge_point(2.0, 0.1, 4.0, 1.0))
    array1 = per_call_us(lambda: op.ridge(np.array(2.0), 0.1, 4.0), number=5_000)
    rf_scalar = per_call_us(lambda: op.random_features(2.0, 3.0, 1e-3, tau=0.5), number=5_000)
    grid = 0.1 * 100.0 ** (np.arange(N) / (N - 1))
    py_grid = median_s(lambda: op.random_features(grid, 3.0, 1e-3, tau=0.5))
    np_grid = median_s(lambda: rf_relu(grid, 3.0, 1e-3, tau=0.5))
    # The library's curve called in this process (no result columns): the same-run reference.
    core_curve = median_s(lambda: _core._rf_curve_only(grid, 3.0, 1e-3, 0.5))
    rust_grid = r["rf_curve_ns"] * 1e-9
    # Paired: the grid call and the in-process curve alternately, the median of the 9 ratios
    # (robust to the load drifting during the run).
    pairs = []
    for _ in range(9):
        a = median_s(lambda: op.random_features(grid, 3.0, 1e-3, tau=0.5), repeat=1)
        b = median_s(lambda: _core._rf_curve_only(grid, 3.0, 1e-3, 0.5), repeat=1)
        pairs.append(a / b)
    # A small array call (64 points, one piece): the fixed cost of an array call.
    small = np.geomspace(0.1, 10.0, 64)
    rf_small = per_call_us(lambda: op.random_features(small, 3.0, 1e-3, tau=0.5), number=2_000)
    rf_small_curve = per_call_us(lambda: _core._rf_curve_only(small, 3.0, 1e-3, 0.5),
                                 number=2_000)
    res = {
        "ridge_scalar_python_us": scalar,
        "ridge_scalar_core_us": raw,
        "ridge_rust_us": r["ridge_point_ns"] * 1e-3,
        "ridge_overhead_us": scalar - r["ridge_point_ns"] * 1e-3,
        "ridge_0d_array_python_us": array1,
        "rf_scalar_python_us": rf_scalar,
        "rf_rust_point_us": r["rf_point_ns"] * 1e-3,
        "rf_scalar_overhead_us": rf_scalar - r["rf_point_ns"] * 1e-3,
        "rf_grid_points": N,
        "rf_grid_python_s": py_grid,
        "rf_grid_rust_curve_s": rust_grid,
        "rf_grid_ratio_python_to_rust": py_grid / rust_grid,
        "rf_grid_rust_curve_in_process_s": core_curve,
        "rf_grid_ratio_python_to_in_process_curve": py_grid / core_curve,
        "rf_grid_ratio_paired_median": statistics.median(pairs),
        "rf_small_array_us": rf_small,
        "rf_small_curve_in_process_us": rf_small_curve,
        "rayon_threads": os.environ.get("RAYON_NUM_THREADS", "all cores"),
        "rf_grid_numpy_s": np_grid,
        "rf_grid_ratio_numpy_to_python": np_grid / py_grid,
    }
    for k, v in res.items():
        print(f"{k:>42}: {v:.4g}" if isinstance(v, float) else f"{k:>42}: {v}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
