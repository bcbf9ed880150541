//! Random-features ridge regression (Mei & Montanari, *The generalization error of random
//! features regression: precise asymptotics and the double descent curve*, CPAM 75(4), 2022).
//!
//! Ranges of [`rf_params`] (documented so a failing case can be reproduced by hand):
//! $\psi_1, \psi_2$ log-uniform on $[10^{-2}, 10^{2}]$; $\lambda$ log-uniform on
//! $[10^{-6}, 10^{2}]$; activation one of ReLU, tanh, erf, abs, softplus; $F_1 \in [0, 2]$,
//! $F_\star \in [0, 1]$, `noise_sd` $\in [0, 1]$ (uniform).

use proptest::prelude::*;

use super::{check_relative, log_uniform};
use crate::gaussian::Activation;
use crate::theory::random_features::{RandomFeatures, RfRisk};

/// Valid random-features parameter sets (Mei & Montanari 2022; ranges in the module docs).
pub fn rf_params() -> impl Strategy<Value = RandomFeatures> {
    let activation = prop_oneof![
        Just(Activation::Relu),
        Just(Activation::Tanh),
        Just(Activation::Erf),
        Just(Activation::Abs),
        Just(Activation::Softplus),
    ];
    (
        log_uniform(1e-2, 1e2),
        log_uniform(1e-2, 1e2),
        log_uniform(1e-6, 1e2),
        activation,
        0.0..=2.0f64,
        0.0..=1.0f64,
        0.0..=1.0f64,
    )
        .prop_map(
            |(psi1, psi2, lambda, activation, f1, f_star, noise_sd)| RandomFeatures {
                psi1,
                psi2,
                lambda,
                activation,
                f1,
                f_star,
                noise_sd,
                ..RandomFeatures::default()
            },
        )
}

/// The bounds every random-features risk must satisfy (Mei & Montanari 2022, Theorem 1): finite,
/// $R \ge F_\star^2$, $R \ge 0$, bias and variance $\ge 0$, training error $\ge 0$ (with a relative
/// slack `tol`).
pub fn check_rf_bounds(params: &RandomFeatures, risk: &RfRisk, tol: f64) -> Result<(), String> {
    let fs2 = params.f_star * params.f_star;
    let slack = tol * (1.0 + risk.test_error.abs());
    let checks = [
        (risk.test_error.is_finite(), "test error is finite"),
        (risk.train_error.is_finite(), "training error is finite"),
        (risk.test_error >= fs2 - slack, "test error >= F_star^2"),
        (risk.test_error >= -slack, "test error >= 0"),
        (risk.bias >= -slack, "bias >= 0"),
        (risk.variance >= -slack, "variance >= 0"),
        (risk.train_error >= -slack, "training error >= 0"),
    ];
    for (ok, what) in checks {
        if !ok {
            return Err(format!("invariant violated: {what} ({params:?}: {risk:?})"));
        }
    }
    Ok(())
}

/// Check an external value of the random-features test error against this crate's theory
/// (Mei & Montanari 2022), to relative tolerance `rel_tol`. Also checks the theory value is
/// admissible ($\ge F_\star^2$, finite).
pub fn check_rf_against_theory(
    params: &RandomFeatures,
    test_error: f64,
    rel_tol: f64,
) -> Result<(), String> {
    let risk = params
        .check()
        .and_then(|m| m.risk())
        .map_err(|e| format!("theory failed: {e}"))?;
    check_rf_bounds(params, &risk, 1e-12)?;
    check_relative(test_error, risk.test_error, rel_tol, params)
}
