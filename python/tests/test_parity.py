"""The Python bindings give the command line's numbers, bit for bit, for the same points (the
same warm starts along the innermost swept axis / the last axis) and, with `simulate=True`,
the same simulation for the same seed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import overparam as op


def same(py_value, cli_value, key):
    if cli_value is None:
        assert math.isnan(float(py_value)), key
    elif isinstance(cli_value, bool):
        assert float(py_value) == (1.0 if cli_value else 0.0), key
    else:
        assert float(py_value) == float(cli_value), (key, py_value, cli_value)


def compare(result, records, keys, shape_index=lambda i: i):
    assert len(records) > 0
    for i, rec in enumerate(records):
        for k in keys:
            same(np.asarray(result[k])[shape_index(i)], rec[k], k)


RF = ["psi1", "psi2", "lambda", "test_error", "train_error", "bias", "variance",
      "bias_coefficient", "variance_coefficient", "lambda_bar", "zeta_sq", "chi", "residual",
      "iterations"]


def test_rf_curve_along_psi1(cli):
    recs = cli("rf", "--psi1", "0.2:20:25", "--psi2", "3", "--lambda", "1e-3", "--noise-sd", "0.5",
               "--f-star", "0.3")
    psi1 = np.array([r["psi1"] for r in recs])
    r = op.random_features(psi1, 3.0, 1e-3, fstar=0.3, tau=0.5)
    compare(r, recs, RF + ["noise_sd", "f_star"])


def test_rf_grid_two_axes(cli):
    # CLI axes outermost first: lambda, psi2, psi1 -> Python shape (lambda, psi2, psi1).
    recs = cli("rf", "--psi1", "0.5:4:6", "--psi2", "1:3:3", "--lambda", "1e-3:1:2",
               "--activation", "tanh")
    psi1 = np.array(sorted({r["psi1"] for r in recs}))
    psi2 = np.array(sorted({r["psi2"] for r in recs}))
    lam = np.array(sorted({r["lambda"] for r in recs}))
    r = op.random_features(psi1, psi2[:, None], lam[:, None, None], activation="tanh")
    assert r["test_error"].shape == (2, 3, 6)
    compare(r, recs, RF, lambda i: np.unravel_index(i, (2, 3, 6)))


def test_rf_optimal_lambda(cli):
    recs = cli("rf", "--psi1", "2", "--psi2", "3", "--optimal-lambda", "--noise-sd", "0.3")
    r = op.random_features(2.0, 3.0, 1.0, tau=0.3, optimal_lambda=True)
    compare(r, recs, ["lambda", "test_error", "train_error", "chi", "lambda_bar", "zeta_sq"],
            lambda i: ())


def test_ridge(cli):
    recs = cli("ridge", "--gamma", "0.1:10:30", "--lambda", "0.01", "--snr", "4", "--noise-sd", "0.7")
    gamma = np.array([r["gamma"] for r in recs])
    r = op.ridge(gamma, 0.01, 4.0, 0.7)
    compare(r, recs, ["gamma", "lambda", "snr", "noise_sd", "test_error", "train_error", "bias",
                      "variance"])


def test_ridge_scalar_fast_path(cli):
    (rec,) = cli("ridge", "--gamma", "2", "--lambda", "0.1", "--snr", "5")
    r = op.ridge(2.0, 0.1, 5.0)
    assert type(r["test_error"]) is float
    compare(r, [rec], ["test_error", "train_error", "bias", "variance"], lambda i: ())


def test_ridge_optimal_lambda(cli):
    recs = cli("ridge", "--gamma", "0.5:4:5", "--optimal-lambda", "--snr", "2")
    gamma = np.array([r["gamma"] for r in recs])
    r = op.ridge(gamma, 0.0, 2.0, optimal_lambda=True)
    compare(r, recs, ["lambda", "test_error", "bias", "variance"])


def test_ridge_spectrum_powerlaw(cli):
    recs = cli("ridge", "--gamma", "0.3:3:7", "--lambda", "0.01", "--snr", "3", "--spectrum",
               "powerlaw:1.5:40", "--signal-exponent", "1")
    gamma = np.array([r["gamma"] for r in recs])
    r = op.ridge(gamma, 0.01, 3.0, spectrum="powerlaw:1.5:40", signal_exponent=1.0)
    compare(r, recs, ["test_error", "train_error", "bias", "variance", "kappa", "df_ratio", "gcv",
                      "kappa_residual", "kappa_iterations", "atoms"])


@pytest.mark.parametrize("count", [63, 64])
def test_ridge_spectrum_long_runs_match_the_cli(cli, count):
    """From 64 points (CERTIFIED_RULE_MIN_POINTS) both the CLI and the bindings evaluate on the
    certified compressed rule, below on the atoms: the same decision, so bit-identical."""
    recs = cli("ridge", "--gamma", "1.7", "--lambda", f"1e-6:10:{count}", "--snr", "4",
               "--spectrum", "powerlaw:1.5:4000", "--signal-exponent", "1")
    lam = np.array([r["lambda"] for r in recs])
    r = op.ridge(1.7, lam, 4.0, spectrum="powerlaw:1.5:4000", signal_exponent=1.0)
    compare(r, recs, ["test_error", "bias", "variance", "kappa", "gcv", "kappa_residual",
                      "kappa_iterations"])


def test_ridge_spectrum_csv_and_arrays(cli, tmp_path):
    ev, w, s = [3.0, 1.0, 0.2], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]
    path = tmp_path / "spectrum.csv"
    path.write_text("eigenvalue,weight,signal\n" + "".join(f"{a},{b},{c}\n" for a, b, c in zip(ev, w, s)))
    recs = cli("ridge", "--gamma", "0.5:2:4", "--lambda", "0.1", "--snr", "2", "--spectrum", str(path))
    gamma = np.array([r["gamma"] for r in recs])
    by_path = op.ridge(gamma, 0.1, 2.0, spectrum=path)
    by_arrays = op.ridge(gamma, 0.1, 2.0, spectrum={"eigenvalue": ev, "weight": w, "signal": s})
    keys = ["test_error", "train_error", "bias", "variance", "kappa"]
    compare(by_path, recs, keys)
    compare(by_arrays, recs, keys)


@pytest.mark.parametrize("attack", ["output", "loss"])
def test_membership(cli, attack):
    recs = cli("membership", "--gamma", "0.2:5:9", "--lambda", "0.1", "--kappa", "0.5",
               "--attack", attack)
    gamma = np.array([r["gamma"] for r in recs])
    r = op.membership(gamma, 0.1, kappa=0.5, attack=attack)
    extra = ["v0", "v1", "member_variance_larger"] if attack == "output" else [
        "shrinkage", "member_variance", "nonmember_variance"]
    compare(r, recs, ["advantage", "auc", "test_risk", "excess_error", "tpr_at_fpr_0_01"] + extra)


ADV = ["test_risk", "robust_test_risk", "train_loss", "zero_residual_fraction",
       "adversarial_norm", "eps0", "residual", "iterations"]


def test_adversarial_rf_along_psi1(cli):
    recs = cli("adversarial", "--psi1", "0.5:3:5", "--psi2", "2", "--eps", "0.3")
    psi1 = np.array([r["psi1"] for r in recs])
    r = op.adversarial(0.3, psi1, 2.0)
    compare(r, recs, ADV + ["aux_nu", "aux_kappa", "aux_alpha", "sigma_sq"])


def test_adversarial_linear_along_delta(cli):
    recs = cli("adversarial", "--linear", "--delta", "0.5:4:5", "--eps", "0.2", "--noise-sd", "0.3")
    delta = np.array([r["delta"] for r in recs])
    r = op.adversarial(0.2, delta=delta, noise_sd=0.3)
    compare(r, recs, ADV + ["theta_norm", "aux_tau", "aux_m"])


def test_dynamics_gradient_flow_curve(cli):
    recs = cli("dynamics", "--gamma", "2", "--snr", "4", "--time", "0.1:100:9")
    t = np.array([r["time"] for r in recs])
    r = op.dynamics(2.0, 4.0, time=t)
    compare(r, recs, ["time", "test_error", "train_error", "bias", "variance", "quadrature_error",
                      "nodes"])


def test_dynamics_heavy_ball_steps(cli):
    recs = cli("dynamics", "--gamma", "0.5", "--snr", "3", "--algorithm", "heavy-ball", "--lr",
               "0.2", "--momentum", "0.5", "--steps", "1:200:6")
    steps = np.array([r["steps"] for r in recs], dtype=float)
    r = op.dynamics(0.5, 3.0, steps=steps, algorithm="heavy-ball", lr=0.2, momentum=0.5)
    compare(r, recs, ["steps", "test_error", "train_error", "bias", "variance"])


def test_dynamics_early_stopping(cli):
    recs = cli("dynamics", "--gamma", "2", "--snr", "4", "--early-stopping")
    r = op.dynamics(2.0, 4.0, early_stopping=True)
    compare(r, recs, ["time", "test_error", "stops_early", "ridge_lambda", "ratio_to_ridge"],
            lambda i: ())


def test_density_population(cli):
    recs = cli("density", "--population", "powerlaw:1:20", "--gamma", "0.5", "--x", "0.05:3:12")
    x = np.array([r["x"] for r in recs])
    r = op.density(x, 0.5, population="powerlaw:1:20")
    compare(r, recs, ["density", "stieltjes_re", "stieltjes_im", "atom_at_zero", "lower_edge",
                      "upper_edge", "residual", "iterations"])


def test_density_free_sum(cli):
    recs = cli("density", "--free-sum", "semicircle:1", "uniform:-1:1", "--x", "lin:-2:2:9")
    x = np.array([r["x"] for r in recs])
    r = op.density(x, free_sum=("semicircle:1", "uniform:-1:1"))
    compare(r, recs, ["density", "stieltjes_re", "stieltjes_im", "eta"])


def test_hessian(cli):
    recs = cli("hessian", "--family", "type-a", "--d", "6:12:4")
    d = np.array([r["d"] for r in recs], dtype=float)
    r = op.hessian("type-a", d)
    compare(r, recs, ["loss", "residual", "min_eigenvalue", "morse_index"])
    for i, rec in enumerate(recs):
        assert [v[0] for v in r["spectrum"][i]] == [v["value"] for v in rec["spectrum"]]
        assert [v[2] for v in r["spectrum"][i]] == [v["component"] for v in rec["spectrum"]]


# Simulations: the same seed gives the CLI's numbers.

JOIN = ["sim_mean", "sim_se", "theory_realised", "z", "allowance", "agrees", "sim_trials",
        "sim_seed"]


def test_rf_simulation(cli):
    recs = cli("rf", "--psi1", "1:2:2", "--psi2", "2", "--lambda", "0.1", "--noise-sd", "0.5",
               "--simulate", "--d", "20", "--trials", "3", "--seed", "11", "--test-points", "50")
    psi1 = np.array([r["psi1"] for r in recs])
    r = op.random_features(psi1, 2.0, 0.1, tau=0.5, simulate=True, d=20, trials=3, seed=11,
                           test_points=50)
    compare(r, recs, JOIN + ["sim_bias", "sim_bias_se", "z_train_error", "agrees_variance", "d",
                             "realised_psi1"])


def test_ridge_simulation(cli):
    recs = cli("ridge", "--gamma", "0.5:2:2", "--lambda", "0.1", "--snr", "2", "--simulate",
               "--n", "40", "--trials", "4", "--seed", "3")
    gamma = np.array([r["gamma"] for r in recs])
    r = op.ridge(gamma, 0.1, 2.0, simulate=True, n=40, trials=4, seed=3)
    compare(r, recs, JOIN + ["sim_variance", "theory_realised_train_error", "n", "p"])


def test_anisotropic_ridge_simulation(cli):
    recs = cli("ridge", "--gamma", "0.5", "--lambda", "0.1", "--snr", "2", "--spectrum",
               "powerlaw:1:4", "--simulate", "--n", "40", "--trials", "3", "--seed", "9")
    r = op.ridge(0.5, 0.1, 2.0, spectrum="powerlaw:1:4", simulate=True, n=40, trials=3, seed=9)
    compare(r, recs, JOIN + ["p"], lambda i: ())


def test_membership_simulation(cli):
    recs = cli("membership", "--gamma", "2", "--lambda", "0.1", "--kappa", "0.5", "--simulate",
               "--n", "30", "--trials", "4", "--seed", "2")
    r = op.membership(2.0, 0.1, kappa=0.5, simulate=True, n=30, trials=4, seed=2)
    compare(r, recs, JOIN + ["sim_auc", "z_test_risk"], lambda i: ())


def test_adversarial_simulation(cli):
    recs = cli("adversarial", "--linear", "--delta", "2", "--eps", "0.2", "--simulate", "--d",
               "20", "--trials", "2", "--seed", "4")
    r = op.adversarial(0.2, delta=2.0, simulate=True, d=20, trials=2, seed=4)
    compare(r, recs, JOIN + ["sim_test_risk"], lambda i: ())


def test_dynamics_simulation(cli):
    recs = cli("dynamics", "--gamma", "0.5", "--snr", "2", "--time", "3", "--simulate", "--n",
               "30", "--trials", "3", "--seed", "6")
    r = op.dynamics(0.5, 2.0, time=3.0, simulate=True, n=30, trials=3, seed=6)
    compare(r, recs, JOIN + ["sim_train_error"], lambda i: ())


def test_hessian_dense_check(cli):
    recs = cli("hessian", "--family", "type-a", "--d", "4", "--simulate")
    r = op.hessian("type-a", 4, simulate=True)
    compare(r, recs, ["sim_mean", "theory_realised", "agrees", "sim_trials", "sim_seed"],
            lambda i: ())


def test_rf_long_line_is_warm_started_in_the_cli_pieces(cli):
    # A line longer than the CLI's piece (256 points) is warm-started piece by piece, as the CLI.
    recs = cli("rf", "--psi1", "0.1:10:700", "--psi2", "3", "--lambda", "1e-3", "--noise-sd", "0.5")
    psi1 = np.array([r["psi1"] for r in recs])
    r = op.random_features(psi1, 3.0, 1e-3, tau=0.5)
    compare(r, recs, ["test_error", "train_error", "chi", "residual", "iterations"])


def test_dynamics_long_time_line(cli):
    recs = cli("dynamics", "--gamma", "2", "--snr", "4", "--time", "0.1:100:300")
    t = np.array([r["time"] for r in recs])
    r = op.dynamics(2.0, 4.0, time=t)
    compare(r, recs, ["test_error", "train_error", "quadrature_error", "nodes"])
