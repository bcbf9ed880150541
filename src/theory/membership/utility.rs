//! Utility in the membership-inference model: test risk, and privacy–utility curves.
//!
//! The excess error of the released output against the noiseless truth on all $D$ features is
//!
//! $$\mathcal E = \mathbb E(\hat y_0 - x_0^\top\beta)^2 = V_0 + 1 - 2\kappa T_1 + \tau^2
//!   = \kappa\,\mathbb E\Big[\tfrac{\lambda^2}{(\mu+\lambda)^2}\Big] + (1-\kappa) + s^2 S' + \tau^2,$$
//!
//! ($V_0$ without output noise, [`super::output_attack`]; $T_1 = (1-S)/\gamma$), and the test
//! risk (label noise included) is $\mathcal E + \sigma^2$. Min-norm, $\gamma > 1$:
//! $\mathcal E = 1 - \kappa/\gamma + s^2/(\gamma - 1)$ — the double-descent curve of Hastie et
//! al. (2022) with misspecification. (docs/membership.md#derivation-notes-utility and #derivation-notes-output-noise.)
//!
//! [`privacy_utility_curve`] traces attack advantage against test risk as the number of
//! parameters $p$, the penalty $\lambda$ or the output noise $\tau$ varies.

use super::{Membership, MembershipModel};
use crate::error::{Result, finite};

/// Test risk of the released model.
///
/// Names follow docs/glossary.md: `test_risk` includes the label noise, `excess_error` excludes
/// it (it is the `test_error` of the other models). The field `test_error` is deprecated: in this
/// model it has always meant the noisy risk, and keeps that value (`test_risk`) until it is
/// removed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Utility {
    /// $\mathbb E(\hat y_0 - x_0^\top\beta)^2$: error against the noiseless truth (including the
    /// output noise $\tau^2$), label noise excluded.
    pub excess_error: f64,
    /// $\mathbb E(\hat y_0 - y_0)^2 = $ `excess_error` $+ \sigma^2$ for a fresh point: the test risk,
    /// label noise included.
    pub test_risk: f64,
    /// The same value as [`Self::test_risk`] (label noise included), under its old name.
    #[deprecated(
        note = "use test_risk (same value, noise included); test_error excludes the noise in the \
                other models, see excess_error"
    )]
    pub test_error: f64,
}

/// Test risk $R$ (label noise included) of the fitted model before output noise:
/// $V_0 + 1 - 2\kappa T_1 + \sigma^2$.
pub(crate) fn clean_test_error(model: &MembershipModel) -> Result<f64> {
    let sc = model.scalars();
    let kappa = model.kappa();
    // E[lambda^2/(mu+lambda)^2] = 1 - 2 T1 + T2 >= 0.
    let bias_factor = (1.0 - 2.0 * sc.t1 + sc.t2).max(0.0);
    let excess =
        kappa * bias_factor + (1.0 - kappa) + model.effective_noise_variance() * sc.s_prime;
    finite(excess + model.noise_sd() * model.noise_sd(), "test risk")
}

/// Test risk (label noise included) and excess error (excluded) of the checked model.
///
/// # Errors
/// [`crate::Error::NonFinite`] if it overflows.
///
/// ```
/// use overparam::theory::membership::Membership;
/// // docs/membership.md#derivation-notes-reference-values: gamma = 3, kappa = 0.25, sigma = 1, min-norm -> excess error 1.7917.
/// let m = Membership { gamma: 3.0, kappa: 0.25, ..Membership::default() }.check()?;
/// let u = m.utility()?;
/// assert!((u.excess_error - (1.0 - 0.25 / 3.0 + 1.75 / 2.0)).abs() < 1e-14);
/// assert!((u.test_risk - u.excess_error - 1.0).abs() < 1e-14);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn utility(model: &MembershipModel) -> Result<Utility> {
    let sigma2 = model.noise_sd() * model.noise_sd();
    let tau2 = model.output_noise() * model.output_noise();
    let clean = clean_test_error(model)?;
    let test_risk = finite(clean + tau2, "test risk")?;
    #[allow(deprecated)]
    Ok(Utility {
        excess_error: finite(clean - sigma2 + tau2, "excess error")?,
        test_risk,
        test_error: test_risk,
    })
}

/// Which knob a privacy–utility curve turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// The number of parameters $p$ at fixed $n$ and $D$: the values are $\gamma = p/n$, and
    /// $\kappa = p/D$ moves with it ($\kappa/\gamma = n/D$ is kept from the base point).
    Parameters,
    /// The ridge penalty $\lambda$.
    Lambda,
    /// The output-noise standard deviation $\tau$.
    OutputNoise,
}

/// One point of a privacy–utility curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrivacyUtilityPoint {
    /// The parameters at this point.
    pub params: Membership,
    /// Advantage of the output-only attack.
    pub output_advantage: f64,
    /// Advantage of the loss-threshold attack.
    pub loss_advantage: f64,
    /// Utility at this point.
    pub utility: Utility,
}

/// Attack advantage versus test error along a sweep of `values` of one knob, from `base`.
///
/// # Errors
/// The first invalid point's [`crate::Error::InvalidParameter`] (e.g. $\kappa > 1$ when $p$
/// grows past $D$, or $\gamma = 1$ with $\lambda = 0$).
///
/// ```
/// use overparam::theory::membership::{Membership, Sweep, privacy_utility_curve};
/// let base = Membership { gamma: 4.0, ..Membership::default() };
/// let curve = privacy_utility_curve(&base, Sweep::OutputNoise, &[0.0, 1.0, 3.0])?;
/// // More output noise: less advantage, more error.
/// assert!(curve[2].output_advantage < curve[0].output_advantage);
/// assert!(curve[2].utility.test_risk > curve[0].utility.test_risk);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn privacy_utility_curve(
    base: &Membership,
    sweep: Sweep,
    values: &[f64],
) -> Result<Vec<PrivacyUtilityPoint>> {
    let ratio = if base.gamma > 0.0 {
        base.kappa / base.gamma
    } else {
        0.0
    };
    values
        .iter()
        .map(|&v| {
            let mut params = *base;
            match sweep {
                Sweep::Parameters => {
                    params.gamma = v;
                    params.kappa = ratio * v;
                }
                Sweep::Lambda => params.lambda = v,
                Sweep::OutputNoise => params.output_noise = v,
            }
            let model = params.check()?;
            Ok(PrivacyUtilityPoint {
                params,
                output_advantage: model.output_attack()?.advantage,
                loss_advantage: model.loss_attack()?.advantage,
                utility: model.utility()?,
            })
        })
        .collect()
}
