//! The output-only attack (Tan et al.'s threat model): the attacker sees $\hat y_0 = x_{0,p}^\top\hat\beta$.
//!
//! In the proportional limit (with $\|x_{0,p}\|^2/p \to 1$, $\|x_0\|^2/D \to 1$) the released
//! output at the target is $\mathcal N(0, V_0)$ for a non-member and $\mathcal N(0, V_1)$ for a
//! member (the target replaced one training row), with $S, S', T_2$ from
//! [`super::resolvent`] and $s^2 = \sigma^2 + 1 - \kappa$:
//!
//! $$V_0 = \kappa T_2 + s^2 S', \qquad
//!   V_1 = (1-S)^2(1+\sigma^2) + \frac{2\kappa S(1-S)^2}{\gamma} + S^2 V_0 .$$
//!
//! $V_1$ comes from the leave-one-out identity $\hat y_0^{\rm member} = (c\,y_0 + \hat y_0^{\rm
//! LOO})/(1+c)$, $c = 1/S - 1$. Min-norm ($\lambda = 0$): for $\gamma > 1$,
//! $V_0 = \kappa/\gamma + s^2/(\gamma-1)$ and $V_1 = 1 + \sigma^2$ (the member is interpolated);
//! for $\gamma < 1$, $V_0 = \kappa + s^2\gamma/(1-\gamma)$ and $V_1 = \kappa + s^2\gamma$. With
//! $\kappa = 0$ the ratio is $V_1/V_0 = \gamma - 1$ ($\gamma > 1$): the advantage vanishes at
//! $\gamma = 2$ and tends to 1 as $\gamma \to 1$. The output-noise defence adds $\tau^2$ to both
//! variances. (Tan, Mason, Javadi, Baraniuk, NeurIPS 2022, arXiv:2202.01243, Thm. 3.2 for the
//! min-norm case $\gamma > 1$; ridge and $\gamma < 1$ derived in docs/membership.md#derivation-notes-ridgeless-limit and #derivation-notes-output-attack-with-ridge.)

use super::MembershipModel;
use super::scale_test::ScaleTest;
use crate::error::{Result, finite};

/// The output-only attack at one parameter point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutputAttack {
    /// Non-member output variance $V_0$ (including the output noise $\tau^2$).
    pub v0: f64,
    /// Member output variance $V_1$ (including the output noise $\tau^2$).
    pub v1: f64,
    /// Optimal advantage (total variation between the two output laws).
    pub advantage: f64,
    /// AUC of the optimal $|\hat y_0|$ score.
    pub auc: f64,
    /// The two-Gaussian test (ROC curve, threshold).
    pub test: ScaleTest,
}

/// The output-only attack against the checked model.
///
/// # Errors
/// [`crate::Error::NonFinite`] if a variance overflows.
///
/// ```
/// use overparam::theory::membership::Membership;
/// // docs/membership.md#derivation-notes-reference-values: gamma = 3, kappa = 0.1, sigma^2 = 0.25 -> V0 = 0.608333, V1 = 1.25.
/// let m = Membership { gamma: 3.0, kappa: 0.1, noise_sd: 0.5, ..Membership::default() }.check()?;
/// let a = m.output_attack()?;
/// assert!((a.v0 - 0.608333).abs() < 1e-6 && (a.v1 - 1.25).abs() < 1e-12);
/// assert!((a.advantage - 0.172405).abs() < 1e-6);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn output_attack(model: &MembershipModel) -> Result<OutputAttack> {
    let sc = model.scalars();
    let (gamma, kappa, sigma) = (model.gamma(), model.kappa(), model.noise_sd());
    let s2 = model.effective_noise_variance();
    let tau2 = model.output_noise() * model.output_noise();
    let v0_clean = finite(kappa * sc.t2 + s2 * sc.s_prime, "output attack V0")?;
    let oms = sc.one_minus_s;
    let v1_clean = oms * oms * (1.0 + sigma * sigma)
        + 2.0 * kappa * sc.s * oms * oms / gamma
        + sc.s * sc.s * v0_clean;
    let v0 = finite(v0_clean + tau2, "output attack V0")?;
    let v1 = finite(v1_clean + tau2, "output attack V1")?;
    let test = ScaleTest::new(v1, v0)?;
    Ok(OutputAttack {
        v0,
        v1,
        advantage: test.advantage(),
        auc: test.auc(),
        test,
    })
}
