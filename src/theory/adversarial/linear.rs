//! Adversarially trained linear least squares in the proportional limit.
//!
//! # Model
//!
//! $x \sim \mathcal N(0, I_d)$, $y = \langle x, \theta_0\rangle + w$ with $\|\theta_0\| = r_0$ and
//! $w \sim \mathcal N(0,\sigma_0^2)$, $n/d \to \delta$. For a linear model the inner maximisation is
//! exact:
//!
//! $$\hat\theta = \arg\min_\theta \frac1{2n}\sum_{i=1}^n \max_{\|\delta_i\|\le\varepsilon}\big(y_i - \langle x_i + \delta_i,\theta\rangle\big)^2
//!   = \arg\min_\theta \frac1{2n}\sum_{i=1}^n \big(|y_i - \langle x_i,\theta\rangle| + \varepsilon\|\theta\|\big)^2,$$
//!
//! $\mathrm{SR}(\theta) = \sigma_0^2 + \|\theta - \theta_0\|^2$ and
//! $\mathrm{AR}(\theta) = \mathrm{SR} + 2\sqrt{2/\pi}\,\varepsilon_{\rm test}\|\theta\|\sqrt{\mathrm{SR}} + \varepsilon_{\rm test}^2\|\theta\|^2$.
//! (Javanmard, Soltanolkotabi & Hassani, *Precise tradeoffs in adversarial training for linear
//! regression*, COLT 2020, arXiv:2002.10477. The scalar problem below is the CGMT reduction derived
//! for this crate in docs/adversarial.md#derivation-notes-linear-model, in its own notation, not the paper's.)
//!
//! # Scalar problem
//!
//! With $s = \langle\hat\theta, \theta_0\rangle/r_0$ and $\rho = \|P_{\theta_0}^\perp\hat\theta\|$,
//! $\zeta^2 = \sigma_0^2 + (s - r_0)^2 + \rho^2$ and $c = \varepsilon\sqrt{s^2 + \rho^2}$,
//!
//! $$\max_{b\ge0}\ \min_{\tau\ge0,\ s,\ \rho\ge0}\ L = E(c;\zeta,b/\tau) + \frac{b\tau}2 - \frac{b\rho}{\sqrt\delta},$$
//!
//! where $E$ is the proximal expectation of [`super::scalar::prox`]. Then $\mathrm{SR} \to \zeta_\star^2$,
//! $\|\hat\theta\| \to c_\star/\varepsilon$, the training loss $\to L_\star$ and the fraction of zero
//! training residuals $\to \mathrm{erf}(m_\star/\sqrt2)$ with $m_\star = c_\star\tau_\star/(b_\star\zeta_\star)$.
//! $\hat\theta = 0$ iff $\varepsilon \ge \varepsilon_0 = \sqrt{r_0^2 + (r_0^2 + \sigma_0^2)/\delta}\,/\big(\sqrt{2/\pi}\sqrt{r_0^2 + \sigma_0^2}\big)$.
//! The four stationarity equations are solved by Newton with the analytic gradient. Noiseless
//! labels ($\sigma_0^2 = 0$) with $\delta > 1$ are recovered exactly ($\hat\theta = \theta_0$) for
//! $\varepsilon \le \varepsilon_1$ ([`AdversarialLinearModel::eps_exact`]), a closed-form regime.

use std::f64::consts::SQRT_2;

use crate::error::{Error, Result, validate};
use crate::gaussian::normal::{erf, quantile};

use super::scalar::{SQRT_2_OVER_PI, prox};
use super::stationary::{Stationary, newton_stationary};
use crate::solver::{ContinuationOptions, ContinuationStep, adaptive_continuation};

/// Unchecked parameters of adversarially trained linear regression.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinear {
    /// $\delta = n/d$, samples per dimension (> 0).
    pub delta: f64,
    /// $\sigma_0$, the label-noise standard deviation ($\ge 0$; default $0.5$). The paper's
    /// $\sigma_0^2$ is its square.
    pub noise_sd: f64,
    /// Deprecated: the label-noise **variance** $\sigma_0^2$ (default $0.25$), kept with its
    /// meaning. [`AdversarialLinear::check`] uses whichever of `noise_sd` and `noise_var` differs
    /// from its default (`noise_var` exactly as given; an error naming `noise_sd` if both do and
    /// $\mathrm{noise\_sd}^2 \ne \sigma_0^2$). Non-deprecated way to give a variance:
    /// [`AdversarialLinear::with_noise_variance`].
    #[deprecated(
        note = "use noise_sd (a standard deviation: noise_sd = sqrt(noise_var)), or with_noise_variance"
    )]
    pub noise_var: f64,
    /// $r_0 = \|\theta_0\|$, the signal norm (> 0).
    pub r0: f64,
    /// $\varepsilon$, the training radius (> 0).
    pub eps: f64,
    /// $\varepsilon_{\rm test}$ ($\ge 0$; `None` means $\varepsilon$).
    pub eps_test: Option<f64>,
}

impl Default for AdversarialLinear {
    /// $\delta = 2$, $\mathrm{noise\_sd} = 0.5$ ($\sigma_0^2 = 0.25$), $r_0 = 1$,
    /// $\varepsilon = \varepsilon_{\rm test} = 0.3$.
    #[allow(deprecated)] // sets the deprecated alias `noise_var` to its default
    fn default() -> Self {
        Self {
            delta: 2.0,
            noise_sd: super::DEFAULT_NOISE_SD,
            noise_var: super::DEFAULT_NOISE_VAR,
            r0: 1.0,
            eps: 0.3,
            eps_test: None,
        }
    }
}

impl AdversarialLinear {
    /// The same parameters with the label noise given as a variance $\sigma_0^2$ (the paper's
    /// parameter; `noise_sd` $= \sigma_0$): sets the deprecated field `noise_var` to `noise_var`
    /// exactly and `noise_sd` to its default, so that [`AdversarialLinear::check`] uses
    /// `noise_var` unchanged.
    #[allow(deprecated)]
    pub fn with_noise_variance(self, noise_var: f64) -> Self {
        Self {
            noise_sd: super::DEFAULT_NOISE_SD,
            noise_var,
            ..self
        }
    }

    /// The label noise as `(noise_sd, variance)`, resolved from `noise_sd` and the deprecated
    /// variance field `noise_var` exactly as [`AdversarialLinear::check`] does (the variance as given when it
    /// was given as the variance, `noise_sd^2` otherwise).
    ///
    /// Errors: [`Error::InvalidParameter`] as [`AdversarialLinear::check`] for the label noise.
    pub fn label_noise(&self) -> Result<(f64, f64)> {
        #[allow(deprecated)]
        let (var, sd) = super::resolve_noise(self.noise_sd, ("noise_var", self.noise_var))?;
        Ok((sd, var))
    }

    /// Validate. Domain: $\delta, r_0, \varepsilon > 0$, $\sigma_0, \varepsilon_{\rm test} \ge 0$, all
    /// finite, with $r_0^2 + \sigma_0^2$ and $\varepsilon_0$ (which grows like $\delta^{-1/2}$) finite.
    /// Errors: [`Error::InvalidParameter`] naming the field (the label noise:
    /// `noise_sd` or the deprecated `noise_var`, whichever was set; `noise_sd` if both were set and
    /// disagree; `r0` when $r_0^2 + \sigma_0^2$ overflows, `delta` when $\varepsilon_0$ does).
    pub fn check(&self) -> Result<AdversarialLinearModel> {
        let delta = validate::positive("delta", self.delta)?;
        #[allow(deprecated)]
        let (noise_var, noise_sd) =
            super::resolve_noise(self.noise_sd, ("noise_var", self.noise_var))?;
        let r0 = validate::positive("r0", self.r0)?;
        let eps = validate::positive("eps", self.eps)?;
        let eps_test = match self.eps_test {
            Some(e) => Some(validate::non_negative("eps_test", e)?),
            None => None,
        };
        let total = r0 * r0 + noise_var;
        if !total.is_finite() {
            return Err(Error::InvalidParameter {
                name: "r0",
                value: r0,
                expected: "a finite number > 0 with r0^2 + noise_sd^2 finite (r0 below about 1.3e154)",
            });
        }
        let eps0 = (r0 * r0 + total / delta).sqrt() / (SQRT_2_OVER_PI * total.sqrt());
        if !eps0.is_finite() {
            return Err(Error::InvalidParameter {
                name: "delta",
                value: delta,
                expected: "a number > 0 with (r0^2 + noise_sd^2)/delta finite (the zero-solution \
                           threshold eps0 overflows for smaller delta)",
            });
        }
        let eps_exact = if noise_var == 0.0 && delta > 1.0 {
            // erf(w / sqrt 2) = 1/delta, i.e. P(|G| > w) = 1 - 1/delta.
            let w = -quantile(0.5 * (1.0 - 1.0 / delta))?;
            let bracket = SQRT_2_OVER_PI * (-0.5 * w * w).exp() / w - (1.0 - 1.0 / delta);
            crate::error::finite((bracket.max(0.0) / delta).sqrt(), "exact-recovery radius")?
        } else {
            0.0
        };
        Ok(AdversarialLinearModel {
            delta,
            noise_var,
            noise_sd,
            r0,
            eps,
            eps_test,
            eps0: crate::error::finite(eps0, "eps0")?,
            eps_exact,
        })
    }
}

/// Checked adversarial linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinearModel {
    delta: f64,
    noise_var: f64,
    noise_sd: f64,
    r0: f64,
    eps: f64,
    /// `None`: follows `eps`.
    eps_test: Option<f64>,
    eps0: f64,
    /// Exact-recovery radius (0 unless $\sigma_0^2 = 0$ and $\delta > 1$).
    eps_exact: f64,
}

/// The asymptotic result for adversarially trained linear regression.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinearSolution {
    /// The standard (non-robust) test risk $\mathrm{SR} = \sigma_0^2 + \|\hat\theta - \theta_0\|^2$.
    pub test_risk: f64,
    /// The robust test risk $\mathrm{AR}$ at $\varepsilon_{\rm test}$.
    pub robust_test_risk: f64,
    /// Deprecated name of [`Self::test_risk`] (the same value).
    #[deprecated(note = "use test_risk")]
    pub standard_error: f64,
    /// Deprecated name of [`Self::robust_test_risk`] (the same value).
    #[deprecated(note = "use robust_test_risk")]
    pub robust_error: f64,
    /// Minimum of the training objective (with $1/(2n)$).
    pub train_loss: f64,
    /// Fraction of exactly-zero training residuals.
    pub zero_residual_fraction: f64,
    /// $\|\hat\theta\|$.
    pub theta_norm: f64,
    /// $\varepsilon\|\hat\theta\|$ (the analogue of $\varepsilon\|J\hat\theta\|$).
    pub adversarial_norm: f64,
    /// The zero-solution threshold $\varepsilon_0$.
    pub eps0: f64,
    /// Saddle variables $(\tau, s, \rho, b)$ (`None` in the closed-form regimes
    /// $\varepsilon \ge \varepsilon_0$ and $\varepsilon \le \varepsilon_1$, see
    /// [`AdversarialLinearModel::eps_exact`]).
    pub saddle: Option<[f64; 4]>,
    /// $m_\star = c_\star\tau_\star/(b_\star\zeta_\star)$ (the analogue of $\nu_\star$). Under exact
    /// recovery, where $\zeta_\star = 0$ and $m_\star = +\infty$ (every training residual is zero),
    /// it is saturated at `f64::MAX` (earlier versions: $+\infty$); always finite.
    pub m: f64,
    /// $\|\nabla L\|_\infty$ at the saddle point.
    pub residual: f64,
    /// Newton iterations.
    pub iterations: usize,
    /// The training radius.
    pub eps: f64,
    /// The test radius of `robust_test_risk`.
    pub eps_test: f64,
}

impl AdversarialLinearSolution {
    /// Deprecated name of [`Self::robust_test_risk_at`].
    #[deprecated(note = "use robust_test_risk_at")]
    pub fn robust_error_at(&self, eps_test: f64) -> Result<f64> {
        self.robust_test_risk_at(eps_test)
    }

    /// The robust test risk at another radius $\varepsilon_{\rm test} \ge 0$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `eps_test` if it is negative or not finite, or so large
    /// that the robust risk overflows ($\varepsilon_{\rm test}\|\hat\theta\| \gtrsim 10^{154}$).
    pub fn robust_test_risk_at(&self, eps_test: f64) -> Result<f64> {
        let eps_test = validate::non_negative("eps_test", eps_test)?;
        robust_risk(self.test_risk, eps_test, self.theta_norm)
    }
}

const TOL: f64 = 1e-12;

/// $\mathrm{AR} = \mathrm{SR} + 2\sqrt{2/\pi}\,t\sqrt{\mathrm{SR}} + t^2$ with $t = \varepsilon_{\rm test}\|\hat\theta\|$;
/// [`Error::InvalidParameter`] naming `eps_test` when it overflows (the robust risk grows like
/// $\varepsilon_{\rm test}^2\|\hat\theta\|^2$, so $\varepsilon_{\rm test}\|\hat\theta\|$ must stay below
/// about $10^{154}$).
fn robust_risk(sr: f64, eps_test: f64, theta_norm: f64) -> Result<f64> {
    let t = eps_test * theta_norm;
    let ar = sr + 2.0 * SQRT_2_OVER_PI * t * sr.sqrt() + t * t;
    if ar.is_finite() {
        Ok(ar)
    } else {
        Err(Error::InvalidParameter {
            name: "eps_test",
            value: eps_test,
            expected: "a test radius with eps_test * ||theta|| below about 1e154 (the robust test \
                       risk eps_test^2 ||theta||^2 overflows beyond)",
        })
    }
}

impl AdversarialLinearModel {
    /// $\delta$.
    pub fn delta(&self) -> f64 {
        self.delta
    }
    /// The label-noise standard deviation $\sigma_0$ (`noise_sd`; $\sqrt{\sigma_0^2}$ when the
    /// noise was given as the variance).
    pub fn noise_sd(&self) -> f64 {
        self.noise_sd
    }
    /// The label-noise variance $\sigma_0^2 = \mathrm{noise\_sd}^2$ (as given, when it was given
    /// as the variance).
    pub fn noise_var(&self) -> f64 {
        self.noise_var
    }
    /// $\varepsilon$.
    pub fn eps(&self) -> f64 {
        self.eps
    }
    /// $\varepsilon_{\rm test}$.
    pub fn eps_test(&self) -> f64 {
        self.eps_test.unwrap_or(self.eps)
    }
    /// $\varepsilon_0$.
    pub fn eps0(&self) -> f64 {
        self.eps0
    }
    /// The exact-recovery radius $\varepsilon_1$ of noiseless labels ($\sigma_0^2 = 0$, $\delta > 1$):
    /// for $\varepsilon \le \varepsilon_1$ adversarial training returns $\hat\theta = \theta_0$
    /// exactly (0 when $\sigma_0^2 > 0$ or $\delta \le 1$, where it never does). With $w > 0$ the
    /// root of $\mathrm{erf}(w/\sqrt2) = 1/\delta$,
    /// $$\varepsilon_1^2 = \frac1\delta\Big[\sqrt{2/\pi}\,\frac{e^{-w^2/2}}{w} - \Big(1 - \frac1\delta\Big)\Big],$$
    /// which increases from 0 at $\delta = 1$ to $\sqrt{2/\pi}$ as $\delta \to \infty$ and does not
    /// depend on $r_0$.
    ///
    /// Derivation (CGMT, in the notation of the module docs): $\theta_0$ is optimal iff the
    /// directional derivative of the training objective at $\theta_0$ is non-negative, and in the
    /// scalar problem that is the sign of the coefficient of $\zeta$ in $L$ as $\zeta \to 0$ with
    /// $\tau = \zeta t$: with $\beta = b/(\varepsilon r_0)$, exact recovery holds iff
    /// $\max_{\beta \ge 0}\{\sqrt{2/\pi} - \sqrt{\varepsilon^2 + \beta^2/\delta} + \min_{w \ge 0}\tfrac12[Q(w)/w - (1 - \beta^2)w]\} \ge 0$;
    /// eliminating $\beta$ and the inner minimiser $w$ from the stationarity conditions at equality
    /// leaves $\mathrm{erf}(w/\sqrt2) = 1/\delta$ and the formula above.
    pub fn eps_exact(&self) -> f64 {
        self.eps_exact
    }
    /// The same model at another $\varepsilon$.
    pub fn with_eps(&self, eps: f64) -> Result<Self> {
        AdversarialLinear {
            delta: self.delta,
            r0: self.r0,
            eps,
            eps_test: self.eps_test,
            ..AdversarialLinear::default()
        }
        .with_noise_variance(self.noise_var)
        .check()
    }

    /// $L(\tau, s, \rho, b)$ and its analytic gradient (all variables $> 0$).
    pub fn objective(&self, x: &[f64; 4]) -> Result<(f64, [f64; 4])> {
        let [tau, s, rho, b] = *x;
        if !x.iter().all(|v| v.is_finite() && *v > 0.0) {
            return Err(Error::InvalidParameter {
                name: "saddle point",
                value: x.iter().copied().fold(f64::INFINITY, f64::min),
                expected: "all four variables finite and > 0",
            });
        }
        let sd = self.delta.sqrt();
        let zeta = (self.noise_var + (s - self.r0).powi(2) + rho * rho).sqrt();
        let norm = (s * s + rho * rho).sqrt();
        let c = self.eps * norm;
        let k = b / tau;
        let kk = b / (b + tau);
        let pr = prox(c, zeta, k, kk);
        let value = pr.value + 0.5 * b * tau - b * rho / sd;
        let denom = (tau + b) * (tau + b);
        let g = [
            -pr.d_k_times_1pk_sq * b / denom + 0.5 * b,
            pr.d_zeta * (s - self.r0) / zeta + pr.d_c * self.eps * s / norm,
            pr.d_zeta * rho / zeta + pr.d_c * self.eps * rho / norm - b / sd,
            pr.d_k_times_1pk_sq * tau / denom + 0.5 * tau - rho / sd,
        ];
        if value.is_finite() && g.iter().all(|v| v.is_finite()) {
            Ok((value, g))
        } else {
            Err(Error::NonFinite {
                what: "adversarial linear objective",
            })
        }
    }

    fn zero_solution(&self) -> AdversarialLinearSolution {
        let total = self.r0 * self.r0 + self.noise_var;
        #[allow(deprecated)] // fills the deprecated aliases standard_error, robust_error
        AdversarialLinearSolution {
            test_risk: total,
            robust_test_risk: total,
            standard_error: total,
            robust_error: total,
            train_loss: 0.5 * total,
            zero_residual_fraction: 0.0,
            theta_norm: 0.0,
            adversarial_norm: 0.0,
            eps0: self.eps0,
            saddle: None,
            m: 0.0,
            residual: 0.0,
            iterations: 0,
            eps: self.eps,
            eps_test: self.eps_test(),
        }
    }

    /// The closed-form exact-recovery result ($\sigma_0^2 = 0$, $\varepsilon \le \varepsilon_1$):
    /// $\hat\theta = \theta_0$, so $\mathrm{SR} = 0$, $\mathrm{AR} = \varepsilon_{\rm test}^2 r_0^2$, every
    /// training residual is zero and the training loss is $\varepsilon^2 r_0^2/2$.
    fn exact_recovery(&self) -> Result<AdversarialLinearSolution> {
        let ar = robust_risk(0.0, self.eps_test(), self.r0)?;
        #[allow(deprecated)] // fills the deprecated aliases standard_error, robust_error
        Ok(AdversarialLinearSolution {
            test_risk: 0.0,
            robust_test_risk: ar,
            standard_error: 0.0,
            robust_error: ar,
            train_loss: 0.5 * (self.eps * self.r0).powi(2),
            zero_residual_fraction: 1.0,
            theta_norm: self.r0,
            adversarial_norm: self.eps * self.r0,
            eps0: self.eps0,
            saddle: None,
            m: f64::MAX,
            residual: 0.0,
            iterations: 0,
            eps: self.eps,
            eps_test: self.eps_test(),
        })
    }

    /// Newton on the stationarity equations from `guess`, without the second-order check.
    fn stationary_from(&self, guess: [f64; 4]) -> Result<Stationary<4>> {
        newton_stationary(
            |x: &[f64; 4]| Ok(self.objective(x)?.1),
            guess,
            TOL,
            80,
            "adversarial linear saddle Newton",
        )
    }

    /// The verified solution at a stationary point: [`Self::verify_saddle`], then the results.
    fn finish(&self, st: &Stationary<4>) -> Result<AdversarialLinearSolution> {
        self.verify_saddle(st)?;
        self.assemble(st)
    }

    /// The second-order check of the max-min problem at a stationary point (the verification
    /// hook of the continuation walks): the minimisation block $(\tau, s, \rho)$ positive definite
    /// (leading minors), $h_{bb}$ non-positive up to finite-difference noise.
    fn verify_saddle(&self, st: &Stationary<4>) -> Result<()> {
        let h = &st.hessian;
        let d1 = h[0][0];
        let d2 = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        let d3 = h[0][0] * (h[1][1] * h[2][2] - h[1][2] * h[2][1])
            - h[0][1] * (h[1][0] * h[2][2] - h[1][2] * h[2][0])
            + h[0][2] * (h[1][0] * h[2][1] - h[1][1] * h[2][0]);
        // In the interpolating regime (delta < 1, small eps) L is extremely flat in b (it enters
        // only through exp(-m^2/2) with m >> 1, and b* ~ eps^2), so the max block is only required
        // to be non-positive up to finite-difference noise (1e-4 of the Hessian's scale).
        let scale = h
            .iter()
            .flat_map(|r| r.iter())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        // The same flatness makes h_bb = dL_b/db a difference of gradients at b(1 +- 1e-6): when
        // b* is tiny (b* ~ eps^2 for eps -> 0) its rounding floor, eps_mach * |terms of L_b| /
        // (1e-6 b), exceeds 1e-4 of the Hessian's scale, so the bound is the larger of the two.
        let [tau, _, rho, b] = st.x;
        let terms_b = 0.5 * tau + rho / self.delta.sqrt();
        let floor_bb = 64.0 * f64::EPSILON * terms_b / (1e-6 * b);
        if !(d1 > 0.0 && d2 > 0.0 && d3 > 0.0 && h[3][3] < (1e-4 * scale).max(floor_bb)) {
            return Err(Error::NotASaddle {
                what: "adversarial linear saddle check (not a min-max saddle)",
                iterations: st.iterations,
                residual: st.residual,
                point: st.x.to_vec(),
            });
        }
        Ok(())
    }

    /// The results at a verified stationary point.
    fn assemble(&self, st: &Stationary<4>) -> Result<AdversarialLinearSolution> {
        let [tau, s, rho, b] = st.x;
        let (value, _) = self.objective(&st.x)?;
        let sr = self.noise_var + (s - self.r0).powi(2) + rho * rho;
        let norm = (s * s + rho * rho).sqrt();
        let c = self.eps * norm;
        let m = c * tau / (b * sr.sqrt());
        let ar = robust_risk(sr, self.eps_test(), norm)?;
        if ![sr, value, m, norm, c].iter().all(|v| v.is_finite()) {
            return Err(Error::NonFinite {
                what: "adversarial linear solution (risk, loss or m)",
            });
        }
        #[allow(deprecated)] // fills the deprecated aliases standard_error, robust_error
        Ok(AdversarialLinearSolution {
            test_risk: sr,
            robust_test_risk: ar,
            standard_error: sr,
            robust_error: ar,
            train_loss: value,
            zero_residual_fraction: erf(m / SQRT_2),
            theta_norm: norm,
            adversarial_norm: c,
            eps0: self.eps0,
            saddle: Some(st.x),
            m,
            residual: st.residual,
            iterations: st.iterations,
            eps: self.eps,
            eps_test: self.eps_test(),
        })
    }

    /// Solve by Newton from a guess $(\tau, s, \rho, b)$ and verify the saddle structure
    /// (closed form when $\varepsilon \ge \varepsilon_0$).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a guess with a non-positive or non-finite variable;
    /// [`Error::NotConverged`] when Newton does not reach the tolerance; [`Error::NotASaddle`] when
    /// it converges to a stationary point that is not a min–max saddle; [`Error::LinearAlgebra`] at
    /// a singular Hessian.
    pub fn solve_from(&self, guess: [f64; 4]) -> Result<AdversarialLinearSolution> {
        if self.eps >= self.eps0 {
            return Ok(self.zero_solution());
        }
        if self.eps <= self.eps_exact {
            return self.exact_recovery();
        }
        let st = self.stationary_from(guess)?;
        self.finish(&st)
    }

    /// Continuation in $\ln\varepsilon$ on the engine ([`adaptive_continuation`]) from a verified
    /// saddle `start` at radius `from` to this model's radius: each trial point is solved by
    /// Newton from the last accepted saddle, and the max-min check ([`Self::verify_saddle`]) is
    /// the verification hook (a point that fails it shrinks the step like a failed solve). Both
    /// ends must lie in the interior regime $\varepsilon_1 < \varepsilon < \varepsilon_0$ (which
    /// is an interval, so every intermediate radius does too).
    fn walk_eps(
        &self,
        from: f64,
        start: [f64; 4],
        opts: &ContinuationOptions,
    ) -> Result<AdversarialLinearSolution> {
        let target = self.eps.ln();
        let report = adaptive_continuation(
            (from.ln(), target),
            &start,
            |history: &[(f64, Vec<f64>)], _| {
                history.last().map(|h| h.1.clone()).unwrap_or_default()
            },
            |l: f64, guess: &[f64]| {
                let model = if l == target {
                    self.clone()
                } else {
                    self.with_eps(l.exp())?
                };
                if model.eps >= model.eps0 || model.eps <= model.eps_exact {
                    return Err(Error::NoSolution {
                        what: "continuation through a closed-form regime (zero solution or exact recovery)",
                    });
                }
                let st = model.stationary_from(std::array::from_fn(|i| guess[i]))?;
                Ok(ContinuationStep {
                    residual: st.residual,
                    value: (model, st),
                })
            },
            |_, (model, st): &(Self, Stationary<4>)| model.verify_saddle(st),
            |(_, st): &(Self, Stationary<4>)| Ok(st.x.to_vec()),
            opts,
        )?;
        let (model, st) = report.value;
        model.assemble(&st)
    }

    /// Solve along an $\varepsilon$ grid on the solver engine: each point is solved by Newton from
    /// the previous saddle; when that fails, intermediate radii are inserted by
    /// [`adaptive_continuation`] in $\ln\varepsilon$ from the previous grid point (first trial
    /// half way, an accepted point doubles the step, a failed solve or a point that fails the
    /// max-min saddle check, the verification hook, quarters it; at most 40 solves), and only if
    /// that walk fails too is the point solved cold ([`solve`](Self::solve)). Points with
    /// $\varepsilon \ge \varepsilon_0$ or $\varepsilon \le \varepsilon_1$ are closed-form.
    /// Every returned point passed the saddle check.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an invalid radius (`eps`, or `eps_test` when the robust
    /// risk overflows, see [`AdversarialLinearSolution::robust_test_risk_at`]), or the error of a
    /// point that neither the warm start, the walk nor the cold solve can verify.
    pub fn curve_eps(&self, eps: &[f64]) -> Result<Vec<AdversarialLinearSolution>> {
        let mut out = Vec::with_capacity(eps.len());
        let mut prev: Option<(f64, [f64; 4])> = None;
        for &e in eps {
            let model = self.with_eps(e)?;
            let sol = match prev {
                Some((from, guess)) => match model.solve_from(guess) {
                    Ok(s) => s,
                    Err(e @ Error::InvalidParameter { .. }) => return Err(e),
                    Err(_) => model.bridge_eps(from, guess).or_else(|_| model.solve())?,
                },
                None => model.solve()?,
            };
            prev = sol.saddle.map(|x| (e, x)).or(prev);
            out.push(sol);
        }
        Ok(out)
    }

    /// The walk of [`Self::curve_eps`] from a neighbouring grid point (`from`, saddle `guess`).
    fn bridge_eps(&self, from: f64, guess: [f64; 4]) -> Result<AdversarialLinearSolution> {
        if self.eps >= self.eps0 || self.eps <= self.eps_exact {
            return self.solve_from(guess);
        }
        let span = (self.eps.ln() - from.ln()).abs();
        if !(span > 0.0 && span.is_finite()) {
            return self.solve_from(guess);
        }
        self.walk_eps(
            from,
            guess,
            &ContinuationOptions {
                first_step: 0.5 * span,
                max_step: span,
                min_step: span * 1e-12,
                grow: 2.0,
                shrink: 0.25,
                max_steps: 40,
                ..ContinuationOptions::default()
            },
        )
    }

    /// Solve from a cold start: Newton from heuristic guesses based on the $\varepsilon \to 0$ limits
    /// (least squares for $\delta > 1$, min-norm interpolation for $\delta < 1$), then continuation
    /// in $\varepsilon$ from $\varepsilon_0/2$ if needed.
    pub fn solve(&self) -> Result<AdversarialLinearSolution> {
        if self.eps >= self.eps0 {
            return Ok(self.zero_solution());
        }
        if self.eps <= self.eps_exact {
            return self.exact_recovery();
        }
        let r0 = self.r0;
        let shrink = (1.0 - self.eps / self.eps0).max(0.05);
        let guesses = [
            [0.3, r0 * shrink, 0.3 * r0, 0.5],
            [0.05, r0 * shrink.min(self.delta), 0.5 * r0, 0.5],
            [1.0, 0.5 * r0 * shrink, 0.2 * r0, 1.0],
        ];
        let mut last = None;
        for g in guesses {
            match self.solve_from(g) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        // Continuation in eps from an easier radius.
        for frac in [0.5, 0.3, 0.7] {
            let anchor = self.with_eps(frac * self.eps0)?;
            let mut cur = None;
            for g in guesses {
                if let Ok(s) = anchor.solve_from(g) {
                    cur = Some(s);
                    break;
                }
            }
            let Some(x0) = cur.and_then(|c| c.saddle) else {
                continue;
            };
            // Continuation in ln(eps) on the engine: steps from 0.2 growing by 1.5 up to 0.5,
            // divided by 4 on failure down to 1e-6, each seeded by the previous saddle and
            // verified by the max-min check.
            let walk = self.walk_eps(
                frac * self.eps0,
                x0,
                &ContinuationOptions {
                    first_step: 0.2,
                    max_step: 0.5,
                    grow: 1.5,
                    shrink: 0.25,
                    min_step: 1e-6,
                    ..ContinuationOptions::default()
                },
            );
            match walk {
                Ok(sol) => return Ok(sol),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(Error::NotConverged {
            method: "adversarial linear cold start",
            iterations: 0,
            residual: f64::INFINITY,
            tolerance: TOL,
            last_iterate: vec![],
        }))
    }
}
