"""The models of :mod:`overparam` as NumPy-broadcasting functions.

Conventions shared by every function:

* **Broadcasting.** The numeric arguments broadcast together like the arguments of a NumPy
  ufunc (``np.broadcast``): scalars or arrays of any shape. Every result array has the broadcast
  shape; with only scalar arguments (shape ``()``) the values are Python floats (IEEE
  doubles, like ``float64``), which keeps a scalar call cheap.
* **Warm starts.** Along the *last* axis the library's warm-started curve functions are used
  where the Rust side has them and only the swept parameter varies along the line (random
  features: ``psi1``; adversarial: ``psi1`` or ``eps``; dynamics: the time or steps; density:
  ``x``), exactly as the command line does along its innermost swept axis; otherwise each point
  is solved on its own. The values are those of the CLI for the same points.
* **Results.** A :class:`Result` (a ``dict``) of ``float64`` arrays named as the fields of the
  command line's JSON records (``docs/glossary.md``): parameters (``lambda``, ``noise_sd``,
  ``f_star``, ...), the limits (``test_error``, ``bias``, ``variance``, ...), the solver's
  ``residual`` and ``iterations``. Counts (``iterations``, ``d``, ``sim_trials``) are stored as
  float64 so that a failed point can hold NaN; booleans (``agrees``, ``stops_early``) are 1.0 /
  0.0 (NaN where undefined).
* **Simulation.** ``simulate=True`` adds the finite-size Monte Carlo joined with the limit at the
  realised sizes, per point: ``sim_mean``, ``sim_se``, ``theory_realised``, ``z``, ``allowance``,
  ``agrees`` for the model's primary metric and ``sim_M``, ``sim_M_se``, ``theory_realised_M``,
  ``z_M``, ``allowance_M``, ``agrees_M`` for every other metric ``M``, plus ``sim_trials`` and
  ``sim_seed``. The same ``seed`` gives the same numbers as ``overparam <model> --simulate --seed``
  (bit for bit, whatever the number of threads).
  ``memory_budget`` (bytes; default half of physical memory, like the CLI's
  ``--memory-budget``): a simulation whose estimated peak memory is over it is refused before
  anything is allocated (:class:`overparam.MemoryBudgetError`).
* **Errors.** ``errors="raise"`` (the default) raises the exception of the first failing point
  (a subclass of :class:`overparam.OverparamError`; its ``index`` is the point's index in the
  broadcast shape). ``errors="nan"`` never raises for a point: the failed point's values are NaN
  and the result has an ``error`` entry, an object array holding the message of each failed
  point and ``None`` elsewhere (an error of the whole call, e.g. an unknown activation, still
  raises). No failure is silent.
* **GIL.** The computation runs with the GIL released.
"""

from __future__ import annotations

import operator
from typing import Any, Mapping, Sequence

import numpy as np

from . import _core
from ._errors import from_info, invalid

__all__ = [
    "Result",
    "random_features",
    "ridge",
    "adversarial",
    "membership",
    "dynamics",
    "density",
    "hessian",
]


_SCALARS = frozenset((float, int, np.float64))


class Result(dict):
    """The fields of a model evaluation: a ``dict`` of ``float64`` arrays (Python floats for
    scalar arguments) keyed by the CLI's JSON field names; attribute access works too
    (``r.test_error``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:  # compact: the keys and the shape
        shape = np.shape(next(iter(self.values()))) if self else ()
        return f"Result(shape={shape}, fields={list(self)})"


def _broadcast(*args: Any) -> tuple[list[np.ndarray], tuple[int, ...], int]:
    """Broadcast numeric arguments: return them as contiguous 1-D float64 arrays in C order
    (an argument of one element stays of length 1: the Rust side repeats it, nothing is
    materialised), the broadcast shape and the length of its last axis."""
    if all(type(a) in _SCALARS for a in args):  # all scalars: shape (), no broadcasting
        return [np.array((float(a),)) for a in args], (), 1
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast(*arrays).shape
    size = 1
    for k in shape:
        size *= k
    flat = []
    for a in arrays:
        if a.size == 1 and size > 0:
            flat.append(a.reshape(1))
        elif a.shape == shape:
            flat.append(np.ascontiguousarray(a).reshape(-1))
        else:
            flat.append(np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1))
    line = shape[-1] if shape else 1
    return flat, shape, line


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "nan"):
        raise invalid("errors", errors, '"raise" or "nan"')


def _size(name: str, value: Any, minimum: int = 0) -> int:
    try:
        v = operator.index(value)
    except TypeError:
        raise invalid(name, value, f"an integer >= {minimum}") from None
    if v < minimum or v >= 2**63:
        raise invalid(name, value, f"an integer >= {minimum}")
    return v


def _sim(simulate: bool, size: Any, trials: Any, seed: Any, finite_size_constant: float,
         memory_budget: Any = None):
    if not simulate:
        return None
    budget = None if memory_budget is None else _size("memory_budget", memory_budget, 1)
    c = float(finite_size_constant)
    if not (np.isfinite(c) and c >= 0):
        raise invalid("finite_size_constant", finite_size_constant, "a finite number >= 0")
    return (_size("d or n", size), _size("trials", trials), _size("seed", seed), c, budget)


def _finish(raw: Any, shape: tuple[int, ...], errors: str) -> Result:
    cols, errs = raw
    if cols is None:  # an error of the whole call
        raise from_info(errs[0][1])
    # Inside a shard (overparam.sharding.part) every simulated point reports `Sharded`: the trials
    # were recorded for the merge, not aggregated. That is no failure of the call: its simulated
    # fields are NaN and it raises nothing, so that a study of several calls runs through.
    failed = [e for e in errs if e[1].get("kind") != "Sharded"]
    if failed and errors == "raise":
        i, info = min(failed, key=lambda e: e[0])  # the first failing point (stable: theory first)
        index = np.unravel_index(i, shape) if shape else ()
        index = tuple(int(k) for k in index)
        raise from_info(info, index)
    out = Result()
    scalar = shape == ()
    for name, col in cols.items():
        if type(col) is float:  # a call of one point: the core returns floats, no arrays
            out[name] = col if scalar else np.full(shape, col)
        else:
            out[name] = col.item() if scalar else col.reshape(shape)
    if errors == "nan":
        err = np.full(int(np.prod(shape)), None, dtype=object)
        for i, info in errs:
            e = from_info(info)
            if err[i] is None:
                err[i] = str(e)
            else:
                err[i] = f"{err[i]}; {e}"
        out["error"] = err[0] if scalar else err.reshape(shape)
    return out


def random_features(
    psi1: Any,
    psi2: Any,
    lam: Any,
    activation: str = "relu",
    f1: Any = 1.0,
    fstar: Any = 0.0,
    tau: Any = 0.0,
    *,
    optimal_lambda: bool = False,
    simulate: bool = False,
    d: int = 100,
    trials: int = 10,
    seed: int = 1,
    test_points: int = 1000,
    input: str = "sphere",
    finite_size_constant: float = 3.0,
    memory_budget: int | None = None,
    errors: str = "raise",
) -> Result:
    r"""Random-features ridge regression in the proportional limit (Mei & Montanari 2022,
    arXiv:1908.05355, Definition 1 and Theorems 2–5), as ``overparam rf``.

    Features :math:`N = \psi_1 d`, samples :math:`n = \psi_2 d`, penalty :math:`\lambda \ge 0`
    (Mei–Montanari's convention, :math:`(N\lambda/d)\|a\|^2`; 0 is the ridgeless limit), target
    :math:`y = \langle\beta_1, x\rangle + F_\star\,\mathrm{nonlinear} + \varepsilon`,
    :math:`\|\beta_1\| = F_1`, noise sd :math:`\tau` (JSON ``noise_sd``).

    Parameters
    ----------
    psi1, psi2, lam, f1, fstar, tau : array_like
        Broadcast together (``fstar`` is JSON ``f_star``, ``tau`` JSON ``noise_sd``).
    activation : str
        ``relu``, ``tanh``, ``erf``, ... (as ``--activation``).
    optimal_lambda : bool
        Use the test-error-minimising :math:`\lambda` at each point (``lam`` is then ignored;
        the ``lambda`` field holds the optimum).
    simulate, d, trials, seed, test_points, input, finite_size_constant
        The finite-size simulation (``--simulate --d --trials --seed --test-points --input
        --finite-size-constant``).
    errors : {"raise", "nan"}
        See the module docs.

    Returns
    -------
    Result
        ``psi1, psi2, lambda, f1, f_star, noise_sd, test_error, train_error, bias, variance,
        bias_coefficient, variance_coefficient, lambda_bar, zeta_sq, chi, residual, iterations``
        (and the simulation fields). ``test_error`` excludes the label noise.
    """
    if (
        not simulate
        and not optimal_lambda
        and errors == "raise"
        and type(psi1) in _SCALARS
        and type(psi2) in _SCALARS
        and type(lam) in _SCALARS
        and type(f1) in _SCALARS
        and type(fstar) in _SCALARS
        and type(tau) in _SCALARS
    ):
        # The scalar fast path: no arrays at all (per-call overhead, docs/python.md); the same
        # solve as a one-point array call.
        cols, err = _core.rf_point(float(psi1), float(psi2), float(lam), float(f1),
                                   float(fstar), float(tau), str(activation))
        if isinstance(err, list):  # an error of the whole call (an unknown activation)
            raise from_info(err[0][1])
        if err is not None:
            raise from_info(err, ())
        return Result(cols)
    _check_errors(errors)
    if optimal_lambda:  # lam is ignored (its shape still broadcasts); the CLI's placeholder
        lam = np.ones_like(np.asarray(lam, dtype=np.float64))
    (a, b, c, e, f, g), shape, line = _broadcast(psi1, psi2, lam, f1, fstar, tau)
    sim = _sim(simulate, d, trials, seed, finite_size_constant, memory_budget)
    raw = _core.random_features(
        a, b, c, e, f, g, line, str(activation), bool(optimal_lambda), sim,
        _size("test_points", test_points), str(input),
    )
    return _finish(raw, shape, errors)


def _spectrum_arrays(spectrum: Any) -> tuple[str | None, Any]:
    if spectrum is None:
        return None, None
    if isinstance(spectrum, str):
        return spectrum, None
    if hasattr(spectrum, "__fspath__"):
        return str(spectrum.__fspath__()), None
    if isinstance(spectrum, Mapping):
        parts = [spectrum.get(k) for k in ("eigenvalue", "weight", "signal")]
    else:
        parts = list(spectrum)
    if len(parts) != 3 or any(p is None for p in parts):
        raise invalid("spectrum", spectrum,
                      'a CSV path, "powerlaw:ALPHA:P", or arrays (eigenvalue, weight, signal)')
    arrs = [np.asarray(p, dtype=np.float64).reshape(-1).tolist() for p in parts]
    return None, tuple(arrs)


def ridge(
    gamma: Any,
    lam: Any,
    snr: Any,
    sigma: Any = 1.0,
    spectrum: Any = None,
    *,
    signal_exponent: float | None = None,
    optimal_lambda: bool = False,
    simulate: bool = False,
    n: int = 200,
    trials: int = 10,
    seed: int = 1,
    finite_size_constant: float = 3.0,
    memory_budget: int | None = None,
    errors: str = "raise",
) -> Result:
    r"""Linear ridge / min-norm regression in the proportional limit, as ``overparam ridge``.

    Isotropic (Hastie, Montanari, Rosset & Tibshirani 2022, arXiv:1903.08560) or,
    with ``spectrum``, any population covariance and target alignment (the deterministic
    equivalent; Bach 2024, arXiv:2303.01372; Atanasov, Zavatone-Veth & Pehlevan 2024,
    arXiv:2405.00592).

    Parameters
    ----------
    gamma, lam, snr, sigma : array_like
        :math:`\gamma = p/n`; :math:`\lambda \ge 0` in
        :math:`\min \frac1n\|y - Xb\|^2 + \lambda\|b\|^2`; signal-to-noise ratio
        :math:`\|\beta\|^2/\sigma^2`; label-noise sd :math:`\sigma` (JSON ``noise_sd``).
    spectrum : str, path, mapping or 3-tuple of arrays, optional
        A CSV file with header ``eigenvalue,weight,signal``, ``"powerlaw:ALPHA:P"`` (signal
        shares :math:`k^{-\beta}` with ``signal_exponent`` :math:`\beta`, default 0), or arrays
        ``(eigenvalue, weight, signal)`` / a mapping with those keys (weights and signal
        shares are normalised by the library).
    optimal_lambda : bool
        Use the test-error-minimising :math:`\lambda` at each point (``lam`` is then ignored;
        the ``lambda`` field holds the optimum, :math:`\lambda^\star = \gamma/\mathrm{snr}`
        when isotropic).
    simulate, n, trials, seed, finite_size_constant
        The finite-size simulation (sample size ``n``).

    Returns
    -------
    Result
        ``gamma, lambda, snr, noise_sd, test_error, train_error, bias, variance``; with a
        spectrum also ``atoms, kappa, df_ratio, gcv, kappa_residual, kappa_iterations``.
    """
    if (
        spectrum is None
        and not simulate
        and not optimal_lambda
        and errors == "raise"
        and type(gamma) in _SCALARS
        and type(lam) in _SCALARS
        and type(snr) in _SCALARS
        and type(sigma) in _SCALARS
    ):
        # The scalar fast path: no arrays at all (per-call overhead, docs/python.md).
        cols, err = _core.ridge_point(float(gamma), float(lam), float(snr), float(sigma))
        if err is not None:
            raise from_info(err, ())
        return Result(cols)
    _check_errors(errors)
    if optimal_lambda:  # lam is ignored (its shape still broadcasts); the CLI's placeholder
        lam = np.ones_like(np.asarray(lam, dtype=np.float64))
    (a, b, c, s), shape, line = _broadcast(gamma, lam, snr, sigma)
    spec, arrays = _spectrum_arrays(spectrum)
    if signal_exponent is not None:
        signal_exponent = float(signal_exponent)
    sim = _sim(simulate, n, trials, seed, finite_size_constant, memory_budget)
    raw = _core.ridge(a, b, c, s, line, bool(optimal_lambda), spec, signal_exponent, arrays, sim)
    return _finish(raw, shape, errors)


def membership(
    gamma: Any,
    lam: Any = 0.0,
    kappa: Any = 0.0,
    sigma: Any = 1.0,
    attack: str = "output",
    *,
    output_noise: Any = 0.0,
    simulate: bool = False,
    n: int = 200,
    trials: int = 10,
    seed: int = 1,
    finite_size_constant: float = 3.0,
    memory_budget: int | None = None,
    errors: str = "raise",
) -> Result:
    r"""Membership-inference advantage against ridge / min-norm regression (Tan, Mason, Javadi
    & Baraniuk, NeurIPS 2022, arXiv:2202.01243), as ``overparam membership``.

    Parameters
    ----------
    gamma, lam, kappa, sigma, output_noise : array_like
        :math:`\gamma = p/n`, ridge :math:`\lambda \ge 0` (0: min-norm / least squares),
        signal strength :math:`\kappa` (``--kappa``), label-noise sd :math:`\sigma` (JSON
        ``noise_sd``), output-perturbation sd (``--output-noise``).
    attack : {"output", "loss"}
        Output-only attack (Tan et al.) or loss-threshold attack (Yeom et al. 2018).

    Returns
    -------
    Result
        ``gamma, kappa, noise_sd, lambda, output_noise, advantage, auc, test_risk,
        excess_error, tpr_at_fpr_0_01`` and ``v0, v1, member_variance_larger`` (output) or
        ``shrinkage, member_variance, nonmember_variance`` (loss); primary simulated metric
        ``advantage``.
    """
    _check_errors(errors)
    (a, b, c, s, o), shape, _ = _broadcast(gamma, lam, kappa, sigma, output_noise)
    sim = _sim(simulate, n, trials, seed, finite_size_constant, memory_budget)
    raw = _core.membership(a, b, c, s, o, str(attack), sim)
    return _finish(raw, shape, errors)


def adversarial(
    eps: Any,
    psi1: Any = None,
    psi2: Any = None,
    *,
    delta: Any = None,
    r0: Any = 1.0,
    eps_test: Any = None,
    noise_sd: Any = None,
    simulate: bool = False,
    d: int = 200,
    trials: int = 10,
    seed: int = 1,
    finite_size_constant: float = 3.0,
    memory_budget: int | None = None,
    errors: str = "raise",
) -> Result:
    r"""Adversarially trained random features (Hassani & Javanmard 2022, arXiv:2201.05149,
    Theorem 4.2), or with ``delta`` the linear model, as ``overparam adversarial``.

    Parameters
    ----------
    eps : array_like
        Training perturbation radius :math:`\varepsilon \ge 0`.
    psi1, psi2 : array_like
        :math:`N/d` and :math:`n/d` of the random-features model (required without ``delta``).
    delta, r0 : array_like
        The linear model: :math:`\delta = n/d` and the signal norm :math:`r_0` (``--linear
        --delta --r0``); ``psi1``/``psi2`` must then be omitted.
    eps_test : array_like, optional
        Test radius (default: ``eps``; NaN entries also mean ``eps``).
    noise_sd : array_like, optional
        Label-noise sd (default the library's 0.5).

    Returns
    -------
    Result
        ``test_risk, robust_test_risk, train_loss, zero_residual_fraction, adversarial_norm,
        eps0``, the auxiliary unknowns ``aux_*``, ``residual, iterations``; rf also ``sigma_sq``,
        linear ``theta_norm``. Primary simulated metric ``robust_test_risk``.
    """
    _check_errors(errors)
    linear = delta is not None
    if linear and (psi1 is not None or psi2 is not None):
        raise invalid("psi1", psi1, "omitted with the linear model (delta given)")
    if not linear and (psi1 is None or psi2 is None):
        raise invalid("psi1" if psi1 is None else "psi2", None,
                      "an array_like (or give delta for the linear model)")
    nan = np.nan
    first, second = (delta, r0) if linear else (psi1, psi2)
    et = nan if eps_test is None else eps_test
    sd = nan if noise_sd is None else noise_sd
    (a, b, e, t, s), shape, line = _broadcast(first, second, eps, et, sd)
    sim = _sim(simulate, d, trials, seed, finite_size_constant, memory_budget)
    raw = _core.adversarial(linear, a, b, e, t, s, line, sim)
    return _finish(raw, shape, errors)


def dynamics(
    gamma: Any,
    snr: Any,
    time: Any = None,
    *,
    steps: Any = None,
    sigma: Any = 1.0,
    lam: Any = 0.0,
    algorithm: str = "gradient-flow",
    lr: Any = 0.1,
    momentum: Any = 0.0,
    early_stopping: bool = False,
    simulate: bool = False,
    n: int = 200,
    trials: int = 10,
    seed: int = 1,
    finite_size_constant: float = 3.0,
    memory_budget: int | None = None,
    errors: str = "raise",
) -> Result:
    r"""Training dynamics of least squares (Ali, Kolter & Tibshirani 2019, arXiv:1810.10082),
    isotropic design, as ``overparam dynamics``.

    Parameters
    ----------
    gamma, snr, sigma, lam : array_like
        :math:`p/n`, :math:`\|\beta\|^2/\sigma^2`, label-noise sd, ridge penalty.
    time : array_like
        Training time of gradient flow (``algorithm="gradient-flow"``).
    steps : array_like
        Number of steps of ``gd``, ``heavy-ball`` or ``nesterov`` (integers), with ``lr`` and
        ``momentum``.
    early_stopping : bool
        Find the test-error-minimising time instead (``time``/``steps`` omitted); adds
        ``stops_early, ridge_lambda, ridge_test_error, ratio_to_ridge``.

    Returns
    -------
    Result
        ``gamma, snr, noise_sd, lambda, lr, momentum, time`` (or ``steps``), ``test_error,
        train_error, bias, variance, quadrature_error, nodes``.
    """
    _check_errors(errors)
    discrete = str(algorithm) not in ("gradient-flow", "gf")
    t = steps if discrete else time
    other = time if discrete else steps
    if other is not None:
        name = "time" if discrete else "steps"
        raise invalid(name, other, f"omitted with algorithm={algorithm!r}")
    if t is None:
        if not early_stopping:
            name = "steps" if discrete else "time"
            raise invalid(name, None, "an array_like (or early_stopping=True)")
        t = 0.0
    (g, s, sd, l, r, m, tt), shape, line = _broadcast(gamma, snr, sigma, lam, lr, momentum, t)
    sim = _sim(simulate, n, trials, seed, finite_size_constant, memory_budget)
    raw = _core.dynamics(g, s, sd, l, r, m, tt, line, str(algorithm), bool(early_stopping), sim)
    return _finish(raw, shape, errors)


def density(
    x: Any,
    gamma: Any = None,
    *,
    population: Any = None,
    free_sum: Sequence[str] | None = None,
    free_product: Sequence[str] | None = None,
    errors: str = "raise",
) -> Result:
    r"""Spectral densities, as ``overparam density``.

    * ``population`` with ``gamma``: the limiting eigenvalue density of the sample covariance
      for a population spectrum (generalised Marchenko–Pastur, Silverstein's equation;
      Silverstein & Bai 1995). ``population`` is a law spec (``"powerlaw:ALPHA:P"``,
      ``"atoms:FILE"``, a CSV file) or arrays ``(eigenvalues, weights)``. Warm-started along
      ``x`` on each line.
    * ``free_sum=(LAW, LAW)`` / ``free_product=(LAW, LAW)``: the free additive / multiplicative
      convolution (laws as ``semicircle:R``, ``mp:GAMMA``, ``uniform:A:B``, ...).

    Returns
    -------
    Result
        ``gamma, x, density, stieltjes_re, stieltjes_im, companion_re, companion_im,
        companion_density, atom_at_zero, companion_atom_at_zero, lower_edge, upper_edge,
        support_intervals, residual, iterations`` (population), or ``x, density,
        stieltjes_re, stieltjes_im, eta, residual, iterations`` (free convolutions).
    """
    _check_errors(errors)
    modes = [population is not None, free_sum is not None, free_product is not None]
    if sum(modes) != 1:
        raise invalid("population", population,
                      "exactly one of population (with gamma), free_sum, free_product")
    if free_sum is not None or free_product is not None:
        laws = list(free_sum if free_sum is not None else free_product)  # type: ignore[arg-type]
        if len(laws) != 2:
            raise invalid("free_sum" if free_sum is not None else "free_product", laws,
                          "two law specs")
        op = "sum" if free_sum is not None else "product"
        (xs,), shape, line = _broadcast(x)
        raw = _core.density(xs, xs, line, None, None, (op, str(laws[0]), str(laws[1])))
        return _finish(raw, shape, errors)
    if gamma is None:
        raise invalid("gamma", None, "an array_like with population")
    spec, arrays = None, None
    if isinstance(population, str) or hasattr(population, "__fspath__"):
        spec = str(population)
    else:
        parts = list(population)
        if len(parts) != 2:
            raise invalid("population", population, "a law spec or arrays (eigenvalues, weights)")
        arrays = tuple(np.asarray(p, dtype=np.float64).reshape(-1).tolist() for p in parts)
    (xs, gs), shape, line = _broadcast(x, gamma)
    raw = _core.density(xs, gs, line, spec, arrays, None)
    return _finish(raw, shape, errors)


def hessian(
    family: str,
    d: Any,
    m: int | None = None,
    *,
    simulate: bool = False,
    errors: str = "raise",
) -> Result:
    r"""Hessian spectrum at a symmetric critical point of a two-layer ReLU network (Safran & Shamir,
    ICML 2018; Arjevani & Field, NeurIPS 2020/2021), as ``overparam hessian --family F --d
    D``.

    Parameters
    ----------
    family : str
        ``global``, ``type-a``, ``flipped`` (with ``m``), ``all-flipped``,
        ``all-but-one-flipped``.
    d : array_like
        Input dimension :math:`d = k` (real values allowed for the theory; integers for the
        dense check).
    simulate : bool
        The dense check: the :math:`d^2\times d^2` Hessian against the block spectrum
        (deterministic; ``sim_trials``/``sim_seed`` are NaN, like the CLI's ``null``).

    Returns
    -------
    Result
        ``d, loss, residual, min_eigenvalue, morse_index`` and ``spectrum``: an object array
        holding, per point, the list of ``(value, multiplicity, component)``.
    """
    _check_errors(errors)
    mm = None if m is None else _size("m", m)
    (ds,), shape, _ = _broadcast(d)
    first, second = _core.hessian(str(family), ds, mm, bool(simulate))
    if first is None:  # an error of the whole call (unknown family, m missing)
        raise from_info(second[0][1])
    raw, spectra = first, second
    out = _finish(raw, shape, errors)
    spec = np.empty(len(spectra), dtype=object)
    for i, s in enumerate(spectra):
        spec[i] = s
    out["spectrum"] = spec[0] if shape == () else spec.reshape(shape)
    return out
