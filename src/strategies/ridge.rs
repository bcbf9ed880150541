//! Linear ridge and min-norm regression with isotropic Gaussian design (Hastie, Montanari,
//! Rosset & Tibshirani, *Surprises in high-dimensional ridgeless least squares interpolation*,
//! Ann. Statist. 50(2), 2022).
//!
//! Ranges of [`ridge_params`]: $\gamma$ log-uniform on $[10^{-2}, 10^{2}]$; $\lambda$
//! log-uniform on $[10^{-6}, 10^{2}]$; SNR uniform on $[0, 10]$; `noise_sd` $\sigma$ uniform on $[0.1, 2]$.

use proptest::prelude::*;

use super::{check_relative, close, ensure, log_uniform};
use crate::theory::ridge::{Ridge, RidgeRisk};

/// Valid linear-ridge parameter sets (Hastie et al. 2022; ranges in the module docs).
pub fn ridge_params() -> impl Strategy<Value = Ridge> {
    (
        log_uniform(1e-2, 1e2),
        log_uniform(1e-6, 1e2),
        0.0..=10.0f64,
        0.1..=2.0f64,
    )
        .prop_map(|(gamma, lambda, snr, noise_sd)| Ridge {
            gamma,
            lambda,
            snr,
            noise_sd,
            ..Ridge::default()
        })
}

/// The relations every ridge risk satisfies (Hastie et al. 2022, §2 and Theorem 1; `risk` is
/// usually `params.check()?.risk()?`, but may come from elsewhere), with relative slack `tol`:
///
/// - $B \ge r^2(1 - 1/\gamma)_+$ (the bias is at least the energy of $\beta$ outside the row
///   space, the atom of the Marchenko–Pastur law), $V \ge 0$, $R = B + V$;
/// - $R \ge R(\lambda^\star) = \sigma^2\gamma\,m(-\lambda^\star)$, $\lambda^\star = \gamma/\mathrm{snr}$
///   (the optimally tuned ridge is the Bayes estimator; when $\mathrm{snr} > 0$);
/// - $0 \le \mathrm{df}/n \le \min(1, \gamma)$ and the GCV identity
///   $T = (R + \sigma^2)(1 - \mathrm{df}/n)^2$ (so $0 \le T \le R + \sigma^2$).
pub fn check_ridge_bounds(params: &Ridge, risk: &RidgeRisk, tol: f64) -> Result<(), String> {
    let model = params
        .check()
        .map_err(|e| format!("invalid parameters: {e}"))?;
    let r2 = model.signal_energy();
    let s2 = model.noise_sd() * model.noise_sd();
    let at = || format!("{params:?}: {risk:?}");
    let slack = tol * (1.0 + risk.test_error.abs());
    let atom = r2 * (1.0 - 1.0 / params.gamma).max(0.0);
    ensure(risk.bias >= atom - slack, || {
        format!("bias >= r^2 (1 - 1/gamma)_+ = {atom} ({})", at())
    })?;
    ensure(risk.variance >= -slack, || {
        format!("variance >= 0 ({})", at())
    })?;
    ensure(
        close(risk.bias + risk.variance, risk.test_error, tol),
        || format!("test error = bias + variance ({})", at()),
    )?;
    let df = risk.df_ratio;
    ensure(
        df >= -tol && df <= params.gamma.min(1.0) * (1.0 + tol),
        || format!("0 <= df/n <= min(1, gamma) ({})", at()),
    )?;
    let gcv = (risk.test_error + s2) * (1.0 - df) * (1.0 - df);
    ensure(close(risk.train_error, gcv, tol), || {
        format!(
            "GCV identity T = (R + sigma^2)(1 - df/n)^2 = {gcv} ({})",
            at()
        )
    })?;
    if params.snr > 0.0 {
        let opt = model
            .optimal_lambda()
            .map_err(|e| format!("optimal penalty failed: {e}"))?;
        ensure(risk.test_error >= opt.at_optimum.test_error - slack, || {
            format!(
                "R >= R(lambda* = {}) = {} (Bayes risk) ({})",
                opt.lambda,
                opt.at_optimum.test_error,
                at()
            )
        })?;
    }
    Ok(())
}

/// Check an external value of the linear-ridge excess test risk against this crate's theory
/// (Hastie et al. 2022, Theorem 1), to relative tolerance `rel_tol`.
pub fn check_ridge_against_theory(
    params: &Ridge,
    test_error: f64,
    rel_tol: f64,
) -> Result<(), String> {
    let risk = params
        .check()
        .and_then(|m| m.risk())
        .map_err(|e| format!("theory failed: {e}"))?;
    check_relative(test_error, risk.test_error, rel_tol, params)
}
