//! Membership inference against ridge and min-norm linear regression, in the proportional limit.
//!
//! # Model
//!
//! Features $x \sim \mathcal N(0, I_D)$, labels $y = x^\top\beta + \varepsilon$ with
//! $\varepsilon \sim \mathcal N(0, \sigma^2)$ and $\beta \sim \mathcal N(0, I_D/D)$ (redrawn
//! with the data: the attacker does not know it). The fitted model uses the first $p$ of the
//! $D$ features, trained on $n$ points by ridge,
//!
//! $$\hat\beta = \arg\min_b \tfrac1n\|y - X_p b\|^2 + \lambda\|b\|^2
//!   = (X_p^\top X_p + n\lambda I)^{-1}X_p^\top y,$$
//!
//! with $\lambda = 0$ meaning least squares ($\gamma < 1$) or the minimum-norm interpolator
//! ($\gamma > 1$). The proportional limit has $\gamma = p/n$ and $\kappa = p/D \in [0, 1]$
//! (misspecification; $\kappa \to 0$ is $D \gg p$); the unmodelled features act as extra noise,
//! $s^2 = \sigma^2 + 1 - \kappa$. (Tan, Mason, Javadi, Baraniuk, *Parameters or Privacy: A
//! Provable Tradeoff Between Overparameterization and Membership Inference*, NeurIPS 2022,
//! arXiv:2202.01243.)
//!
//! # Two threat models — they give opposite answers
//!
//! * **Output-only attack** ([`output_attack`], Tan et al.'s threat model): the attacker knows
//!   the target's features $x_0$ and sees only the released prediction $\hat y_0$, not the
//!   label. A member (the target replaced a training row) and a non-member give centred
//!   Gaussian outputs of variances $V_1$, $V_0$; the optimal attack thresholds $|\hat y_0|$.
//!   For $\gamma \ge 2$ its advantage grows with $p$ and with $\lambda$.
//! * **Loss-threshold attack** ([`loss_attack`], Yeom et al. 2018): the attacker also knows
//!   $y_0$ and thresholds the residual. Member residuals are the leave-one-out residuals
//!   shrunk by $S = 1 - H_{ii}$; the advantage depends on $(\gamma, \lambda)$ only, is 1 for
//!   the interpolator, and *decreases* with $\lambda$.
//!
//! Both reduce to the test between two centred Gaussians in [`scale_test`]. [`utility`] gives
//! the test error in the same model and privacy–utility curves, including the output-noise
//! defence (independent $\mathcal N(0, \tau^2)$ added to every released output).
//! [`finite_size`] is the finite-$(n, p, D)$ expectation formula the authors plot.
//!
//! The ridge formulas and the $\gamma < 1$ member variance are derived for this crate
//! (docs/membership.md#derivation-notes-ridgeless-limit to #derivation-notes-output-noise; checked by [`crate::sim::membership`]); the paper's
//! ridge theorem is not reproduced verbatim.
//!
//! ```
//! use overparam::theory::membership::Membership;
//! // kappa -> 0, min-norm: members and non-members have equal output variance at gamma = 2.
//! let m = Membership { gamma: 2.0, ..Membership::default() }.check()?;
//! assert!(m.output_attack()?.advantage < 1e-12);
//! // The loss-threshold attacker wins outright against the interpolator.
//! assert_eq!(m.loss_attack()?.advantage, 1.0);
//! # Ok::<(), overparam::Error>(())
//! ```

pub mod finite_size;
pub mod loss_attack;
pub mod output_attack;
pub mod resolvent;
pub mod scale_test;
pub mod utility;

pub use finite_size::{FiniteSize, FiniteSizeModel};
pub use loss_attack::LossAttack;
pub use output_attack::OutputAttack;
pub use resolvent::RidgeScalars;
pub use scale_test::{RocPoint, ScaleTest};
pub use utility::{PrivacyUtilityPoint, Sweep, Utility, privacy_utility_curve};

use crate::error::{Error, Result, validate};

/// Largest accepted $\gamma$ and $\lambda$ (beyond it the variances underflow; every quantity
/// has long reached its limit).
const MAX_RATIO: f64 = 1e12;

/// Unchecked parameters of the membership-inference model (see the module docs).
///
/// The field `sigma` is the deprecated name of `noise_sd` (docs/glossary.md) and keeps working:
/// [`Membership::check`] uses whichever of the two differs from the default $1$ (an error if both
/// do, with different values). Build parameters with `..Membership::default()` so that code
/// naming either field compiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Membership {
    /// $\gamma = p/n > 0$ (parameters per sample).
    pub gamma: f64,
    /// $\kappa = p/D \in [0, 1]$ (fraction of the true features the model uses).
    pub kappa: f64,
    /// $\sigma \ge 0$: label-noise standard deviation ($y = x^\top\beta + \varepsilon$,
    /// $\varepsilon \sim \mathcal N(0, \sigma^2)$). Default $1$.
    pub noise_sd: f64,
    /// Deprecated name of [`Self::noise_sd`] (same meaning, a standard deviation); default $1$.
    #[deprecated(note = "use noise_sd")]
    pub sigma: f64,
    /// $\lambda \ge 0$: ridge penalty in the $(1/n)$-loss convention; 0 is min-norm / OLS.
    pub lambda: f64,
    /// $\tau \ge 0$: standard deviation of the noise added to every released output (the
    /// output-noise defence); 0 for none.
    pub output_noise: f64,
}

impl Default for Membership {
    /// $\gamma = 2$, $\kappa = 0$, $\sigma = 1$, $\lambda = 0$, $\tau = 0$.
    #[allow(deprecated)] // sets the deprecated alias `sigma` to its default
    fn default() -> Self {
        Self {
            gamma: 2.0,
            kappa: 0.0,
            noise_sd: 1.0,
            sigma: 1.0,
            lambda: 0.0,
            output_noise: 0.0,
        }
    }
}

impl Membership {
    /// Validate the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the parameter: `gamma` must be finite and $> 0$,
    /// `kappa` in $[0, 1]$, `noise_sd` (or its deprecated alias `sigma`, if only that one was
    /// changed from the default $1$; both changed to different values is an error naming
    /// `noise_sd`) and `output_noise` finite and $\ge 0$ with finite squares (below about
    /// $1.3\cdot10^{154}$: the variances are linear in $\sigma^2$ and the output-noise energy),
    /// `gamma` and `lambda` at most
    /// $10^{12}$; and
    /// $\gamma = 1$ with $\lambda = 0$ is rejected (the min-norm output variance is infinite at
    /// the interpolation threshold; every quantity is finite on either side of it).
    pub fn check(&self) -> Result<MembershipModel> {
        let gamma = validate::positive("gamma", self.gamma)?;
        if gamma > MAX_RATIO {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "a number in (0, 1e12]",
            });
        }
        let kappa = validate::in_closed("kappa", self.kappa, 0.0, 1.0, "a number in [0, 1]")?;
        #[allow(deprecated)]
        let (name, sigma) = crate::theory::ridge::renamed_field(
            ("noise_sd", self.noise_sd),
            ("sigma", self.sigma),
            1.0,
            "noise_sd alone (its deprecated alias sigma is set to a different value)",
        )?;
        let sigma = validate::non_negative(name, sigma)?;
        let lambda = validate::in_closed(
            "lambda",
            self.lambda,
            0.0,
            MAX_RATIO,
            "a number in [0, 1e12]",
        )?;
        let output_noise = validate::non_negative("output_noise", self.output_noise)?;
        // The variances are linear in sigma^2 and output_noise^2: their squares must be finite.
        for (name, v) in [(name, sigma), ("output_noise", output_noise)] {
            if !(v * v).is_finite() {
                return Err(Error::InvalidParameter {
                    name,
                    value: v,
                    expected: "a finite number >= 0 whose square is finite (below about 1.3e154)",
                });
            }
        }
        if gamma == 1.0 && lambda == 0.0 {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "gamma != 1 when lambda = 0 (the min-norm variance diverges there)",
            });
        }
        Ok(MembershipModel {
            gamma,
            kappa,
            sigma,
            lambda,
            output_noise,
            scalars: resolvent::ridge_scalars(gamma, lambda),
        })
    }
}

/// Checked membership-inference model. Build it with [`Membership::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MembershipModel {
    gamma: f64,
    kappa: f64,
    sigma: f64,
    lambda: f64,
    output_noise: f64,
    scalars: RidgeScalars,
}

impl MembershipModel {
    /// $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// $\kappa = p/D$.
    pub fn kappa(&self) -> f64 {
        self.kappa
    }
    /// Label-noise standard deviation $\sigma$.
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }
    /// Label-noise standard deviation $\sigma$ (deprecated name of [`Self::noise_sd`]).
    #[deprecated(note = "use noise_sd")]
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Ridge penalty $\lambda$.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// Output-noise standard deviation $\tau$.
    pub fn output_noise(&self) -> f64 {
        self.output_noise
    }
    /// Effective noise variance $s^2 = \sigma^2 + 1 - \kappa$ (label noise plus the signal of
    /// the unmodelled features).
    pub fn effective_noise_variance(&self) -> f64 {
        self.sigma * self.sigma + 1.0 - self.kappa
    }
    /// The resolvent scalars $S, S', T_1, T_2, T_3$ at $(\gamma, \lambda)$.
    pub fn scalars(&self) -> RidgeScalars {
        self.scalars
    }
    /// The output-only attack (see [`output_attack`]).
    ///
    /// # Errors
    /// [`Error::NonFinite`] if a variance overflows (not expected for checked parameters).
    pub fn output_attack(&self) -> Result<OutputAttack> {
        output_attack::output_attack(self)
    }
    /// The loss-threshold attack (see [`loss_attack`]).
    ///
    /// # Errors
    /// [`Error::NonFinite`] if a variance overflows (not expected for checked parameters).
    pub fn loss_attack(&self) -> Result<LossAttack> {
        loss_attack::loss_attack(self)
    }
    /// Test risk and excess error of the released model (see [`utility`]).
    ///
    /// # Errors
    /// [`Error::NonFinite`] if a variance overflows (not expected for checked parameters).
    pub fn utility(&self) -> Result<Utility> {
        utility::utility(self)
    }
}
