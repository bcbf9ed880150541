"""Type stubs of the extension module `overparam._core` (Rust, PyO3). Internal: use the
functions of `overparam`, which broadcast their arguments and turn errors into exceptions."""

from typing import Any, Callable

import numpy as np
import numpy.typing as npt

__version__: str

F64 = npt.NDArray[np.float64]
# (size, trials, seed, finite_size_constant, memory_budget_bytes)
SimOptions = tuple[int, int, int, float, int | None] | None
# (columns by CLI field name, [(flat index or -1, error info dict)]); columns None on a
# whole-call error
Raw = tuple[dict[str, F64] | None, list[tuple[int, dict[str, Any]]]]

def random_features(
    psi1: F64, psi2: F64, lam: F64, f1: F64, f_star: F64, noise_sd: F64, line: int,
    activation: str, optimal_lambda: bool = ..., sim: SimOptions = ..., test_points: int = ...,
    input: str = ...,
) -> Raw: ...
def ridge(
    gamma: F64, lam: F64, snr: F64, noise_sd: F64, line: int, optimal_lambda: bool = ...,
    spectrum: str | None = ..., signal_exponent: float | None = ...,
    arrays: tuple[list[float], list[float], list[float]] | None = ..., sim: SimOptions = ...,
) -> Raw: ...
def ridge_point(
    gamma: float, lam: float, snr: float, noise_sd: float
) -> tuple[dict[str, float] | None, dict[str, Any] | None]: ...
def rf_point(
    psi1: float, psi2: float, lam: float, f1: float, f_star: float, noise_sd: float,
    activation: str,
) -> tuple[dict[str, float] | None, dict[str, Any] | list[tuple[int, dict[str, Any]]] | None]: ...
def membership(
    gamma: F64, lam: F64, kappa: F64, noise_sd: F64, output_noise: F64, attack: str,
    sim: SimOptions = ...,
) -> Raw: ...
def adversarial(
    linear: bool, a: F64, b: F64, eps: F64, eps_test: F64, noise_sd: F64, line: int,
    sim: SimOptions = ...,
) -> Raw: ...
def dynamics(
    gamma: F64, snr: F64, noise_sd: F64, lam: F64, lr: F64, momentum: F64, time: F64, line: int,
    algorithm: str, early_stopping: bool = ..., sim: SimOptions = ...,
) -> Raw: ...
def density(
    x: F64, gamma: F64, line: int, population: str | None = ...,
    arrays: tuple[list[float], list[float]] | None = ...,
    free: tuple[str, str, str] | None = ...,
) -> Raw: ...
def hessian(
    family: str, d: F64, m: int | None = ..., simulate_dense: bool = ...
) -> tuple[Raw | None, Any]: ...
def _rf_curve_only(psi1: F64, psi2: float, lam: float, noise_sd: float) -> int: ...
def _shard_capture(
    index: int, count: int, command: list[str], f: Callable[[], Any]
) -> tuple[str | None, int, BaseException | None, dict[str, Any] | None]: ...
def _shard_merge(
    parts: list[tuple[str, str]], command: list[str], f: Callable[[], Any]
) -> tuple[Any, dict[str, Any] | None]: ...
