//! Linear ridge and min-norm regression with isotropic Gaussian design (Hastie, Montanari,
//! Rosset & Tibshirani, *Surprises in high-dimensional ridgeless least squares interpolation*,
//! Ann. Statist. 50(2), 2022).
//!
//! Ranges of [`ridge_params`]: $\gamma$ log-uniform on $[10^{-2}, 10^{2}]$; $\lambda$
//! log-uniform on $[10^{-6}, 10^{2}]$; SNR uniform on $[0, 10]$; `noise_sd` $\sigma$ uniform on $[0.1, 2]$.
//!
//! Anisotropic ridge (the deterministic equivalent with a population; Dobriban & Wager 2018,
//! Hastie et al. 2022 §5): [`populations`] draws 1–40 atoms with eigenvalues log-uniform on
//! $[10^{-6}, 10^{6}]$ (condition numbers up to $10^{12}$), sometimes one zero eigenvalue,
//! weights uniform on $[0.01, 1]$ and signal shares uniform on $[0, 1]$ (one at least $0.01$),
//! or a power law ($\alpha \in [0.1, 5]$, $\beta \in [0, 4]$, $P \le 2000$);
//! [`anisotropic_ridge_params`] adds $\gamma$ log-uniform on $[10^{-3}, 10^{3}]$, $\lambda$ $0$
//! (one case in four) or log-uniform on $[10^{-8}, 10^{3}]$, SNR on $[0, 10]$, $\sigma$ on
//! $[0.1, 2]$ (the pole $\lambda = 0$, $\gamma w_+ = 1$ has probability zero).

use proptest::prelude::*;

use std::sync::Arc;

use super::{check_relative, close, ensure, log_uniform};
use crate::spectral::Population;
use crate::theory::ridge::{AnisotropicRidge, AnisotropicRidgeRisk, Ridge, RidgeRisk};

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

/// Populations: discrete spectra with condition numbers up to $10^{12}$ and power laws (ranges
/// in the module docs).
pub fn populations() -> impl Strategy<Value = Population> {
    let atoms = (1usize..=40, any::<bool>()).prop_flat_map(|(k, zero)| {
        (
            proptest::collection::vec(log_uniform(1e-6, 1e6), k),
            proptest::collection::vec(0.01..=1.0f64, k),
            proptest::collection::vec(0.0..=1.0f64, k),
            Just(zero),
        )
            .prop_map(|(mut s, w, mut c, zero)| {
                if zero && s.len() > 1 {
                    s[0] = 0.0;
                }
                c[s.len() - 1] += 0.01;
                Population::new(s, w, c).expect("valid by construction")
            })
    });
    let power = (0.1..=5.0f64, 0.0..=4.0f64, 1usize..=2000)
        .prop_map(|(a, b, p)| Population::power_law(a, b, p).expect("valid by construction"));
    prop_oneof![3 => atoms, 1 => power]
}

/// Valid anisotropic ridge parameters (ranges in the module docs).
pub fn anisotropic_ridge_params() -> impl Strategy<Value = AnisotropicRidge> {
    (
        populations(),
        log_uniform(1e-3, 1e3),
        prop_oneof![1 => Just(0.0), 3 => log_uniform(1e-8, 1e3)],
        0.0..=10.0f64,
        0.1..=2.0f64,
    )
        .prop_map(|(pop, gamma, lambda, snr, noise_sd)| AnisotropicRidge {
            population: Arc::new(pop),
            gamma,
            lambda,
            snr,
            noise_sd,
        })
}

/// The relations every anisotropic ridge risk satisfies, with relative slack `tol`:
/// $B, V, E_{\rm train} \ge 0$, $R = B + V$, $B \le$ the null risk $r^2\sum_j c_js_j$ divided
/// by $1 - \mathrm{df}_2/n$ (each factor $\kappa^2/(s+\kappa)^2 \le 1$), $0 \le \mathrm{df}_2/n <
/// 1$, $0 \le \mathrm{df}_1/n \le \min(1, \gamma w_+)$, the GCV identity
/// $E_{\rm train} = (R + \sigma^2)(1 - \mathrm{df}_1/n)^2$, $\kappa \ge \lambda$ and the
/// $\kappa$ equation to `tol` relative.
pub fn check_anisotropic_ridge_invariants(
    params: &AnisotropicRidge,
    risk: &AnisotropicRidgeRisk,
    tol: f64,
) -> Result<(), String> {
    let model = params
        .check()
        .map_err(|e| format!("invalid parameters: {e}"))?;
    let s2 = params.noise_sd * params.noise_sd;
    let at = || {
        format!(
            "gamma {} lambda {} snr {} sigma {} ({} atoms): {risk:?}",
            params.gamma,
            params.lambda,
            params.snr,
            params.noise_sd,
            params.population.len()
        )
    };
    ensure(
        risk.bias >= 0.0 && risk.variance >= 0.0 && risk.train_error >= 0.0,
        || format!("B, V, T >= 0 ({})", at()),
    )?;
    ensure(
        close(risk.bias + risk.variance, risk.test_error, tol),
        || format!("R = B + V ({})", at()),
    )?;
    ensure(risk.df2_ratio >= 0.0 && risk.df2_ratio < 1.0, || {
        format!("0 <= df2/n < 1 ({})", at())
    })?;
    let cap = params.gamma * model.positive_share();
    ensure(
        risk.df_ratio >= 0.0 && risk.df_ratio <= cap.min(1.0) * (1.0 + tol),
        || format!("0 <= df/n <= min(1, gamma w+) ({})", at()),
    )?;
    let null = model.null_risk();
    ensure(
        risk.bias * (1.0 - risk.df2_ratio) <= null * (1.0 + tol),
        || format!("B (1 - df2/n) <= null risk {null} ({})", at()),
    )?;
    ensure(risk.kappa >= params.lambda, || {
        format!("kappa >= lambda ({})", at())
    })?;
    let gcv = (risk.test_error + s2) * (1.0 - risk.df_ratio).powi(2);
    // 1 - df1 = lambda / kappa; computing it as 1 - df_ratio loses digits when df1 ~ 1.
    let slack = tol / (1.0 - risk.df_ratio).max(1e-300).powi(2) * gcv.max(f64::MIN_POSITIVE);
    ensure(
        (risk.train_error - gcv).abs() <= tol * risk.train_error.max(1.0) + slack,
        || {
            format!(
                "GCV identity T = (R + sigma^2)(1 - df/n)^2 = {gcv} ({})",
                at()
            )
        },
    )?;
    if risk.kappa > 0.0 {
        let pop = &params.population;
        let t: f64 = pop
            .eigenvalues()
            .iter()
            .zip(pop.weights())
            .map(|(s, w)| w * s / (s + risk.kappa))
            .sum();
        let resid = (risk.kappa - params.lambda - risk.kappa * params.gamma * t).abs() / risk.kappa;
        ensure(
            resid <= tol * (1.0 + params.gamma * t + params.lambda / risk.kappa),
            || format!("kappa equation residual {resid:e} ({})", at()),
        )?;
    }
    Ok(())
}
