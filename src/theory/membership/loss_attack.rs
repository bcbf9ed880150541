//! The loss-threshold attack (Yeom et al. 2018): the attacker knows $(x_0, y_0)$ and sees the
//! residual $y_0 - \hat y_0$.
//!
//! Ridge leave-one-out (Sherman–Morrison) gives, exactly at finite size,
//! $r_i = (1 - H_{ii})(y_i - x_i^\top\hat\beta_{(-i)})$ with $H = X(X^\top X + n\lambda I)^{-1}X^\top$,
//! and $1 - H_{ii} \to S(\gamma,\lambda)$ ([`super::resolvent`]). The leave-one-out residual
//! has the law of a fresh test residual, $\mathcal N(0, R)$ with $R$ the noisy test error, so a
//! member's residual is $\mathcal N(0, S^2R)$ and a non-member's $\mathcal N(0, R)$:
//!
//! $$\mathrm{Adv}_B = \mathrm{Adv}(1/S^2), \qquad \mathrm{AUC}_B = \tfrac2\pi\arctan(1/S),
//!   \qquad \mathrm{TPR}_B(f) = 2\Phi\big(\Phi^{-1}(\tfrac{1+f}2)/S\big) - 1,$$
//!
//! which depend on $(\gamma, \lambda)$ only (not on $\sigma$, $\kappa$). For the interpolator
//! ($\lambda = 0$, $\gamma \ge 1$) $S = 0$ and the attack is perfect; $\mathrm{AUC}_B = 3/4$ at
//! $\gamma = 2, \lambda = 1$ ($S = \sqrt2 - 1$). If noise of variance $\tau^2$ is added to the
//! released outputs, the variances become $S^2R + \tau^2$ and $R + \tau^2$. (Derived in the
//! crate, docs/membership.md#derivation-notes-loss-attack (Yeom et al. 2018 threat model); this is not the threat model of Tan et al.)

use super::MembershipModel;
use super::scale_test::ScaleTest;
use super::utility;
use crate::error::{Result, finite};

/// The loss-threshold attack at one parameter point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossAttack {
    /// $S = \lim (1 - H_{ii})$: member residuals are non-member residuals scaled by $S$.
    pub shrinkage: f64,
    /// Non-member residual variance (the noisy test error $R$, plus $\tau^2$).
    pub nonmember_variance: f64,
    /// Member residual variance $S^2R + \tau^2$.
    pub member_variance: f64,
    /// Optimal advantage.
    pub advantage: f64,
    /// AUC of the $|y_0 - \hat y_0|$ score (small residual means member).
    pub auc: f64,
    /// The two-Gaussian test (ROC curve, threshold).
    pub test: ScaleTest,
}

/// The loss-threshold attack against the checked model.
///
/// # Errors
/// [`crate::Error::NonFinite`] if a variance overflows.
///
/// ```
/// use overparam::theory::membership::Membership;
/// let m = Membership { gamma: 2.0, lambda: 1.0, ..Membership::default() }.check()?;
/// assert!((m.loss_attack()?.auc - 0.75).abs() < 1e-15);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn loss_attack(model: &MembershipModel) -> Result<LossAttack> {
    let s = model.scalars().s;
    let tau2 = model.output_noise() * model.output_noise();
    let r = utility::clean_test_error(model)?;
    let nonmember_variance = finite(r + tau2, "loss attack non-member variance")?;
    let member_variance = finite(s * s * r + tau2, "loss attack member variance")?;
    // With tau = 0 the ratio is exactly S^2. Near S = 1 take ln S^2 = 2 ln(1 - (1 - S)) from the
    // cancellation-free 1 - S, so tiny advantages keep their relative accuracy; for small S take
    // 2 ln S directly (S = 0, the interpolator, gives -inf and advantage exactly 1).
    let test = if tau2 == 0.0 {
        let log_ratio = if s < 0.5 {
            2.0 * s.ln()
        } else {
            2.0 * (-model.scalars().one_minus_s).ln_1p()
        };
        ScaleTest::with_log_ratio(s * s, 1.0, log_ratio)?
    } else {
        ScaleTest::new(member_variance, nonmember_variance)?
    };
    Ok(LossAttack {
        shrinkage: s,
        nonmember_variance,
        member_variance,
        advantage: test.advantage(),
        auc: test.auc(),
        test,
    })
}
