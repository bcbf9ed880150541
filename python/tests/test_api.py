"""Broadcasting, result shapes and types, error mapping, per-element failures, the GIL."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import overparam as op
from overparam._errors import from_info


def test_scalar_arguments_give_python_floats():
    r = op.random_features(2.0, 3.0, 0.1)
    assert type(r["test_error"]) is float and type(r["iterations"]) is float
    assert r.test_error == r["test_error"]
    assert {"residual", "iterations", "chi", "lambda_bar"} <= set(r)


@pytest.mark.parametrize(
    "args",
    [
        (2.0, 3.0, 0.1, "relu", 1.0, 0.0, 0.0),
        (0.5, 1.5, 1e-3, "tanh", 1.0, 0.5, 0.3),
        (3, 2, 0, "erf", 0.7, 0.2, 0.5),  # ints, ridgeless
        (np.float64(1.2), 0.8, 1e-2, "relu", 1.0, 0.0, 1.0),
    ],
)
def test_scalar_fast_path_equals_the_array_path(args):
    """The scalar fast paths (`_core.rf_point`, `_core.ridge_point`) give bit for bit what a
    0-d array call gives, with the same keys, and raise the same exception on bad input."""
    psi1, psi2, lam, act, f1, fstar, tau = args
    fast = op.random_features(psi1, psi2, lam, act, f1, fstar, tau)
    slow = op.random_features(np.asarray(psi1, dtype=float), psi2, lam, act, f1, fstar, tau)
    assert list(fast) == list(slow)
    for k in fast:
        assert type(fast[k]) is float and fast[k] == slow[k], k
    g = op.ridge(float(psi1), float(lam), 2.0)
    h = op.ridge(np.asarray(float(psi1)), float(lam), 2.0)
    assert list(g) == list(h) and all(g[k] == h[k] for k in g)


def test_scalar_fast_path_errors_match_the_array_path():
    for bad in [(-1.0, 3.0, 0.1, "relu"), (2.0, 3.0, 0.1, "nope")]:
        with pytest.raises(op.OverparamError) as fast:
            op.random_features(*bad)
        with pytest.raises(op.OverparamError) as slow:
            op.random_features(np.asarray(bad[0]), *bad[1:])
        assert type(fast.value) is type(slow.value)
        assert str(fast.value) == str(slow.value)
        assert fast.value.index == slow.value.index


def test_broadcast_shape_and_values():
    psi1 = np.array([0.5, 1.0, 2.0])
    psi2 = np.array([[1.0], [3.0]])
    r = op.random_features(psi1, psi2, 0.01)
    assert r["test_error"].shape == (2, 3)
    assert r["test_error"].dtype == np.float64
    for i in range(2):
        for j in range(3):
            s = op.random_features(psi1[j], psi2[i, 0], 0.01)
            assert abs(r["test_error"][i, j] - s["test_error"]) <= 1e-12 * s["test_error"]
            assert r["psi1"][i, j] == psi1[j] and r["psi2"][i, j] == psi2[i, 0]


def test_incompatible_shapes_raise_value_error():
    with pytest.raises(ValueError):
        op.ridge(np.ones(3), np.ones(2), 1.0)


def test_empty_arrays():
    r = op.ridge(np.ones((0, 3)), 0.1, 1.0)
    assert r["test_error"].shape == (0, 3)


def test_ridge_fast_path_equals_array_path():
    a = op.ridge(2.0, 0.1, 5.0)
    b = op.ridge(np.array([2.0]), 0.1, 5.0)
    c = op.ridge(np.float64(2.0), 0.1, 5.0, errors="nan")  # the array path with shape ()
    assert set(a) == set(b) == set(c) - {"error"}
    for k in a:
        assert type(a[k]) is float and type(c[k]) is float
        assert a[k] == b[k][0] == c[k], k


def test_invalid_parameter_names_the_parameter():
    with pytest.raises(op.InvalidParameterError) as e:
        op.ridge(2.0, -1.0, 1.0)
    assert isinstance(e.value, ValueError)
    assert e.value.name == "lambda"
    assert e.value.value == -1.0
    assert "lambda" in str(e.value)
    with pytest.raises(op.InvalidParameterError) as e:
        op.random_features(2.0, 3.0, 0.1, tau=-1.0)
    assert e.value.name == "noise_sd"


def test_invalid_choice():
    with pytest.raises(op.InvalidChoiceError) as e:
        op.random_features(2.0, 3.0, 0.1, activation="nope")
    assert e.value.name == "activation" and e.value.index is None
    with pytest.raises(op.InvalidChoiceError):
        op.membership(2.0, attack="nope")
    with pytest.raises(op.InvalidChoiceError):
        op.dynamics(2.0, 3.0, steps=5, algorithm="nope")
    with pytest.raises(op.InvalidChoiceError):
        op.hessian("nope", 5)


def test_invalid_data_for_a_bad_spectrum_file(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("eigenvalue,weight,signal\n1,x,1\n")
    with pytest.raises(op.InvalidDataError) as e:
        op.ridge(1.0, 0.1, 1.0, spectrum=p)
    assert isinstance(e.value, ValueError)
    assert e.value.info["line"] == 2


def test_raise_reports_the_index_of_the_failing_point():
    gamma = np.array([[0.5, 2.0], [1.0, 3.0]])
    with pytest.raises(op.InvalidParameterError) as e:
        op.ridge(gamma, 0.0, 1.0)  # gamma = 1, lambda = 0: the ridgeless risk is infinite
    assert e.value.index == (1, 0)
    assert "(at index (1, 0))" in str(e.value)


def test_nan_mode_marks_each_failed_point():
    gamma = np.array([0.5, 1.0, 2.0])
    r = op.ridge(gamma, 0.0, 1.0, errors="nan")
    assert np.isnan(r["test_error"][1]) and np.isfinite(r["test_error"][[0, 2]]).all()
    assert r["error"][0] is None and r["error"][2] is None
    assert "lambda" in r["error"][1]
    assert r["gamma"][1] == 1.0  # the parameters are kept


def test_nan_mode_scalar():
    r = op.ridge(1.0, 0.0, 1.0, errors="nan")
    assert np.isnan(r["test_error"]) and "lambda" in r["error"]


def test_bad_errors_option():
    with pytest.raises(op.InvalidParameterError):
        op.ridge(1.0, 0.1, 1.0, errors="ignore")


def test_not_converged_carries_residual_and_iterations():
    e = from_info({"kind": "NotConverged", "message": "brent did not converge", "residual": 1e-3,
                   "iterations": 200, "method": "brent", "tolerance": 1e-12, "stage": "theory"},
                  (3,))
    assert isinstance(e, op.NotConvergedError) and isinstance(e, RuntimeError)
    assert e.residual == 1e-3 and e.iterations == 200 and e.index == (3,)


@pytest.mark.parametrize(
    "kind,cls,base",
    [
        ("NonFinite", op.NonFiniteError, ValueError),
        ("NoSolution", op.NoSolutionError, ValueError),
        ("NoBracket", op.NoBracketError, RuntimeError),
        ("NotASaddle", op.NotASaddleError, RuntimeError),
        ("LinearAlgebra", op.LinearAlgebraError, RuntimeError),
        ("MemoryBudget", op.MemoryBudgetError, MemoryError),
        ("DimensionMismatch", op.DimensionMismatchError, ValueError),
        ("SomethingNew", op.OverparamError, Exception),
    ],
)
def test_every_kind_maps_to_its_class(kind, cls, base):
    e = from_info({"kind": kind, "message": "m"})
    assert type(e) is cls and isinstance(e, base) and isinstance(e, op.OverparamError)


def test_memory_budget_refused_before_allocating():
    with pytest.raises(op.MemoryBudgetError) as e:
        op.ridge(2.0, 0.1, 1.0, simulate=True, n=1000, trials=2, memory_budget=10**6)
    assert e.value.name == "n"
    assert e.value.info["estimate_bytes"] > e.value.info["budget_bytes"]


def test_simulation_arguments_are_validated():
    with pytest.raises(op.InvalidParameterError) as e:
        op.ridge(2.0, 0.1, 1.0, simulate=True, trials=-1)
    assert e.value.name == "trials"
    with pytest.raises(op.InvalidParameterError) as e:
        op.ridge(2.0, 0.1, 1.0, simulate=True, trials=1)
    assert e.value.name == "trials"
    with pytest.raises(op.InvalidParameterError):
        op.random_features(2.0, 3.0, 0.1, simulate=True, d=2.5)


def test_simulation_fields_and_seed_reproducibility():
    kw = dict(simulate=True, n=30, trials=3, seed=5)
    a = op.ridge([0.5, 2.0], 0.1, 2.0, **kw)
    b = op.ridge([0.5, 2.0], 0.1, 2.0, **kw)
    c = op.ridge([0.5, 2.0], 0.1, 2.0, **{**kw, "seed": 6})
    for k in ("sim_mean", "sim_se", "theory_realised", "z", "allowance", "agrees", "sim_trials",
              "sim_seed", "sim_bias", "agrees_train_error"):
        assert k in a
    np.testing.assert_array_equal(a["sim_mean"], b["sim_mean"])
    assert (a["sim_mean"] != c["sim_mean"]).all()
    assert set(np.unique(a["agrees"])) <= {0.0, 1.0}
    assert (a["sim_trials"] == 3).all() and (a["sim_seed"] == 5).all()


def test_adversarial_argument_rules():
    with pytest.raises(op.InvalidParameterError):
        op.adversarial(0.3, 1.0, 2.0, delta=2.0)
    with pytest.raises(op.InvalidParameterError):
        op.adversarial(0.3, 1.0)
    r = op.adversarial(0.3, 1.0, 2.0, eps_test=[np.nan, 0.5])
    assert r["eps_test"][0] == 0.3 and r["eps_test"][1] == 0.5


def test_dynamics_argument_rules():
    with pytest.raises(op.InvalidParameterError):
        op.dynamics(2.0, 3.0)
    with pytest.raises(op.InvalidParameterError):
        op.dynamics(2.0, 3.0, time=1.0, steps=3, algorithm="gd")
    r = op.dynamics(2.0, 3.0, steps=[1, 10], algorithm="gd", lr=0.1)
    assert "steps" in r and "time" not in r


def test_density_modes():
    with pytest.raises(op.InvalidParameterError):
        op.density(1.0)
    with pytest.raises(op.InvalidParameterError):
        op.density(1.0, population="powerlaw:1:10")
    a = op.density([0.5, 1.0], 0.5, population="powerlaw:1:10")
    # The population as arrays: powerlaw:1:10 is eigenvalues k^-1, equal weights.
    ev = 1.0 / np.arange(1, 11)
    b = op.density([0.5, 1.0], 0.5, population=(ev, np.ones(10)))
    np.testing.assert_allclose(a["density"], b["density"], rtol=1e-10)


def test_hessian_spectrum_object_array():
    r = op.hessian("type-a", [6.0, 8.0])
    assert r["spectrum"].shape == (2,)
    values = [v for v, _, _ in r["spectrum"][0]]
    assert min(values) == r["min_eigenvalue"][0]
    with pytest.raises(op.InvalidChoiceError):
        op.hessian("flipped", 6.0)


def test_result_attribute_access_and_repr():
    r = op.ridge([1.5, 2.0], 0.1, 1.0)
    assert r.test_error is r["test_error"]
    with pytest.raises(AttributeError):
        r.nope
    assert "shape=(2,)" in repr(r)


def test_the_gil_is_released_during_computation():
    # A long vectorised call in a thread; the main thread must keep running meanwhile (with the
    # GIL held it would be blocked for the whole call).
    psi1 = np.geomspace(0.1, 10.0, 200_000)
    t0 = time.perf_counter()
    op.random_features(psi1, 3.0, 1e-3)
    duration = time.perf_counter() - t0
    done = threading.Event()

    def work():
        op.random_features(psi1, 3.0, 1e-3)
        done.set()

    th = threading.Thread(target=work)
    ticks = []
    th.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
    th.join()
    gaps = np.diff(ticks) if len(ticks) > 1 else np.array([duration])
    assert gaps.max() < 0.5 * duration, (gaps.max(), duration)


def test_large_and_small_calls_give_the_same_numbers():
    # From 4096 points on the random-features pieces are solved in parallel (and the columns
    # filled in parallel); below, on the calling thread. The pieces of 256 points are
    # independent, so a 5000-point line equals its pieces called one by one (each under the
    # threshold), bit for bit.
    grid = np.geomspace(0.1, 10.0, 5000)
    whole = op.random_features(grid, 3.0, 1e-3, tau=0.5)
    for a in range(0, 5000, 256):
        piece = op.random_features(grid[a:a + 256], 3.0, 1e-3, tau=0.5)
        for key, col in piece.items():
            assert np.array_equal(whole[key][a:a + 256], col, equal_nan=True), (key, a)
