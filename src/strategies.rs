//! Property-based verification helpers (feature `proptest`).
//!
//! Strategies that generate *valid* parameter sets, and the model invariants as reusable checks,
//! so that an external implementation (a simulation, a closed form from a paper, another
//! library) can be property-tested against this crate in a few lines:
//!
//! ```
//! use overparam::strategies::{rf_params, check_rf_against_theory};
//! use proptest::prelude::*;
//!
//! // "My" implementation of the Mei–Montanari risk (here: the crate itself through another door,
//! // the warm-started curve; substitute your own formula or simulation).
//! fn my_test_error(p: &overparam::theory::random_features::RandomFeatures) -> f64 {
//!     let m = p.check().unwrap();
//!     m.curve_psi1(&[p.psi1]).unwrap()[0].test_error
//! }
//!
//! proptest!(ProptestConfig::with_cases(64), |(p in rf_params())| {
//!     check_rf_against_theory(&p, my_test_error(&p), 1e-9).map_err(TestCaseError::fail)?;
//! });
//! ```
//!
//! Ranges (documented so a failing case can be reproduced by hand):
//! - [`rf_params`]: $\psi_1, \psi_2$ log-uniform on $[10^{-2}, 10^{2}]$; $\lambda$ log-uniform on
//!   $[10^{-6}, 10^{2}]$; activation one of ReLU, tanh, erf, abs, softplus; $F_1 \in [0, 2]$,
//!   $F_\star \in [0, 1]$, $\tau \in [0, 1]$ (uniform).
//! - [`ridge_params`]: $\gamma$ log-uniform on $[10^{-2}, 10^{2}]$; $\lambda$ log-uniform on
//!   $[10^{-6}, 10^{2}]$; SNR uniform on $[0, 10]$; $\sigma$ uniform on $[0.1, 2]$.

use proptest::prelude::*;

use crate::gaussian::Activation;
use crate::theory::random_features::{RandomFeatures, RfRisk};
use crate::theory::ridge::Ridge;

fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.ln()..=hi.ln()).prop_map(f64::exp)
}

/// Valid random-features parameter sets (ranges in the module docs).
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
            |(psi1, psi2, lambda, activation, f1, f_star, tau)| RandomFeatures {
                psi1,
                psi2,
                lambda,
                activation,
                f1,
                f_star,
                tau,
            },
        )
}

/// Valid linear-ridge parameter sets (ranges in the module docs).
pub fn ridge_params() -> impl Strategy<Value = Ridge> {
    (
        log_uniform(1e-2, 1e2),
        log_uniform(1e-6, 1e2),
        0.0..=10.0f64,
        0.1..=2.0f64,
    )
        .prop_map(|(gamma, lambda, snr, sigma)| Ridge {
            gamma,
            lambda,
            snr,
            sigma,
        })
}

/// The bounds every random-features risk must satisfy: finite, $R \ge F_\star^2$, $R \ge 0$,
/// bias and variance $\ge 0$, training error $\ge 0$ (with a relative slack `tol`).
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

/// Check an external value of the random-features test error against this crate's theory, to
/// relative tolerance `rel_tol`. Also checks the value is admissible ($\ge F_\star^2$, finite).
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
    if !test_error.is_finite() {
        return Err(format!("external value is not finite: {test_error}"));
    }
    let rel = (test_error - risk.test_error).abs() / risk.test_error.abs().max(f64::MIN_POSITIVE);
    if rel <= rel_tol {
        Ok(())
    } else {
        Err(format!(
            "test error {test_error} differs from theory {} by {rel:.3e} relative (> {rel_tol:.1e}) at {params:?}",
            risk.test_error
        ))
    }
}

/// Check an external value of the linear-ridge excess test risk against this crate's theory,
/// to relative tolerance `rel_tol`.
pub fn check_ridge_against_theory(
    params: &Ridge,
    test_error: f64,
    rel_tol: f64,
) -> Result<(), String> {
    let risk = params
        .check()
        .and_then(|m| m.risk())
        .map_err(|e| format!("theory failed: {e}"))?;
    if !test_error.is_finite() {
        return Err(format!("external value is not finite: {test_error}"));
    }
    let rel = (test_error - risk.test_error).abs() / risk.test_error.abs().max(f64::MIN_POSITIVE);
    if rel <= rel_tol {
        Ok(())
    } else {
        Err(format!(
            "test error {test_error} differs from theory {} by {rel:.3e} relative (> {rel_tol:.1e}) at {params:?}",
            risk.test_error
        ))
    }
}
