//! Adversarially trained regression in the proportional limit.
//!
//! - [`rf`]: random-features regression trained against $\ell_2$ perturbations of the inputs
//!   (Hassani & Javanmard 2022, Theorem 4.2): standard and robust test error, training loss,
//!   fraction of zero training residuals, the zero-solution threshold $\varepsilon_0$.
//! - [`linear`]: the linear special case (least squares trained adversarially, $\delta = n/d$),
//!   from its own scalar min-max problem.
//! - [`scalar`]: the shared scalar functions (Stieltjes transform, proximal expectation, $\nu^\star$).
//!
//! Vocabulary (docs/glossary.md): the label noise is `noise_sd`, a standard deviation (the
//! papers' $\tau^2$ and $\sigma_0^2$ are its square; the old variance fields `AdversarialRf::tau2`
//! and `AdversarialLinear::noise_var` are deprecated aliases that keep their meaning); the standard
//! and robust test risks (label noise included) are `test_risk` and `robust_test_risk` (deprecated
//! aliases `standard_error`, `robust_error`).
//!
//! Both scalar problems are solved by Newton's method on their stationarity equations with analytic
//! gradients (see [`rf`] for the details and the traps it avoids).
//!
//! ```
//! use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
//!
//! // psi1 = N/d = 3, psi2 = n/d = 2, noise_sd = 0.5 (tau^2 = 0.25), training and test radius 0.3.
//! let model = AdversarialRf { psi1: 3.0, psi2: 2.0, noise_sd: 0.5, eps: 0.3, ..Default::default() }
//!     .check()?;
//! let s = model.solve()?;
//! assert!((s.test_risk - 1.0841357).abs() < 1e-6);
//! assert!((s.robust_test_risk - 1.93147921).abs() < 1e-7);
//! assert!(s.robust_test_risk_at(0.6)? > s.robust_test_risk);
//! assert!(model.eps0() > 0.3); // below the zero-solution threshold
//!
//! // The linear model: delta = n/d = 2.
//! let lin = AdversarialLinear { delta: 2.0, noise_sd: 0.5, r0: 1.0, eps: 0.3, ..Default::default() };
//! let l = lin.check()?.solve()?;
//! assert!((l.test_risk - 0.431805).abs() < 1e-5);
//! # Ok::<(), overparam::Error>(())
//! ```

pub mod linear;
pub mod rf;
pub mod scalar;
mod stationary;

pub use linear::{AdversarialLinear, AdversarialLinearModel, AdversarialLinearSolution};
pub use rf::{
    AdversarialRf, AdversarialRfModel, AdversarialRfSolution, ObjectiveEval, RobustExtrema,
    SaddlePoint, robust_extrema,
};

use crate::error::{Error, Result, validate};

/// Default label-noise standard deviation of both adversarial models.
pub(crate) const DEFAULT_NOISE_SD: f64 = 0.5;
/// Default label-noise variance (the deprecated variance fields), `DEFAULT_NOISE_SD` squared.
pub(crate) const DEFAULT_NOISE_VAR: f64 = 0.25;

/// Resolve the label noise given as the standard deviation `noise_sd` and/or as the deprecated
/// variance field `var` (`tau2` or `noise_var`); returns `(variance, standard deviation)`.
///
/// Whichever field differs from its default is used; the variance is kept exactly as given when it
/// is the one used (so callers of the old field get bit-identical results), and is `noise_sd^2`
/// otherwise. When both differ from their defaults they must agree
/// ($|\mathrm{noise\_sd}^2 - \mathrm{var}| \le 4\epsilon_{\rm mach}\max(\mathrm{noise\_sd}^2, \mathrm{var})$),
/// and the variance is used. Errors: [`Error::InvalidParameter`] naming the field the caller set
/// (`noise_sd` on a conflict).
pub(crate) fn resolve_noise(noise_sd: f64, var: (&'static str, f64)) -> Result<(f64, f64)> {
    let sd_changed = noise_sd != DEFAULT_NOISE_SD; // NaN counts as changed
    let var_changed = var.1 != DEFAULT_NOISE_VAR;
    let from_sd = |sd: f64| -> Result<(f64, f64)> {
        let sd = validate::non_negative("noise_sd", sd)?;
        let v = sd * sd;
        if v.is_finite() {
            Ok((v, sd))
        } else {
            Err(Error::InvalidParameter {
                name: "noise_sd",
                value: sd,
                expected: "a finite number >= 0 whose square is finite",
            })
        }
    };
    match (sd_changed, var_changed) {
        (_, false) => from_sd(noise_sd),
        (false, true) => {
            let v = validate::non_negative(var.0, var.1)?;
            Ok((v, v.sqrt()))
        }
        (true, true) => {
            let (sq, sd) = from_sd(noise_sd)?;
            let v = validate::non_negative(var.0, var.1)?;
            if (sq - v).abs() <= 4.0 * f64::EPSILON * sq.max(v) {
                Ok((v, sd))
            } else {
                Err(Error::InvalidParameter {
                    name: "noise_sd",
                    value: noise_sd,
                    expected: "noise_sd alone (its deprecated variance alias is set to a value other than noise_sd^2)",
                })
            }
        }
    }
}
