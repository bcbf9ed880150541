//! Adversarially trained random-features regression (Hassani & Javanmard, Theorem 4.2).
//!
//! # Model
//!
//! Inputs $x \sim \mathcal N(0, I_d)$, labels $y = \langle x, \beta\rangle + \xi$ with $\|\beta\| = 1$
//! and $\xi \sim \mathcal N(0,\tau^2)$; features $\sigma(Wx)$ with $N$ unit-norm rows $w_\ell$ and the
//! centred ReLU $\sigma(t) = \max(t, 0) - 1/\sqrt{2\pi}$; the second-layer weights are trained by
//! robust least squares without ridge,
//!
//! $$\hat\theta^\varepsilon = \arg\min_\theta \frac1{2n}\sum_{i=1}^n \max_{\|\delta_i\|\le\varepsilon}
//!   \big(y_i - \theta^\top\sigma(W(x_i + \delta_i))\big)^2
//!   \;\simeq\; \arg\min_\theta \frac1{2n}\sum_{i=1}^n\big(|y_i - \theta^\top\sigma(Wx_i)| + \varepsilon\|J\theta\|\big)^2,$$
//!
//! with $J^2 = (WW^\top)\odot(\pi - \arccos WW^\top)/(2\pi)$.
//! (H. Hassani and A. Javanmard, *The curse of overparametrization in adversarial training:
//! precise analysis of robust generalization for random features regression*, Ann. Statist.
//! 52(2), 2024, arXiv:2201.05149, eqs. (2.1), (4.1)–(4.3), (6.10).)
//!
//! # Theorem 4.2
//!
//! With $\psi_1 = N/d$, $\psi_2 = n/d$, $S(z;\psi_1)$ the Stieltjes function (4.4) and
//! $\sigma^2 = \tau^2 + 1 - \psi_1\big(1 + (1 - 2/\pi)S(2/\pi - 1;\psi_1)\big)$, the limits are read off
//! the saddle point of
//!
//! $$\max_{\beta,\gamma,\tau_q\ge0}\ \min_{\alpha,\tau_g\ge0}\ R(\alpha,\tau_g,\beta,\gamma,\tau_q),$$
//!
//! $$R = \frac{\tau_q}{2\alpha}(\tau^2 + 1 - \sigma^2) - \frac{\alpha\tau_q}2 + \frac{\beta\tau_g\psi_2}2
//!  + \min_{c\ge0}\Big\{E(c;\zeta,\beta/\tau_g) - \frac{\gamma}{\varepsilon}c\Big\}
//!  - \sup_{0\le\lambda<1} G(\lambda),\qquad \zeta = \sqrt{\alpha^2 + \sigma^2},$$
//!
//! $$G(\lambda) = \frac{\lambda\psi_1}2\Big\{u\big(1 + (1 - \tfrac{2\lambda}\pi)S\big) + v\beta^2\big(1 + \tfrac2\pi(1-\lambda)S\big)\Big\} - \frac{v\lambda\gamma^2}{2(1-\lambda)},\quad S = S(\tfrac{2\lambda}\pi - 1;\psi_1),\ u = \frac{\tau_q}\alpha,\ v = \frac{\alpha}{\tau_q},$$
//!
//! where $E(c;\zeta,k) = \mathbb E\min_u[\frac12(|u|+c)^2 + \frac k2(\zeta G - u)^2]$. The minimum over
//! $c$ is attained at $c = k\zeta\nu^\star$, where $\nu^\star$ solves
//! $\kappa = k\nu + \nu\,\mathrm{erf}(\nu/\sqrt2) + \sqrt{2/\pi}e^{-\nu^2/2}$ with
//! $\kappa = \gamma(\tau_g + \beta)/(\varepsilon\beta\zeta)$ ($\nu^\star = 0$ if $\kappa \le \sqrt{2/\pi}$); this
//! reproduces the printed indicator term of Theorem 4.2 (Hassani & Javanmard 2024, arXiv:2201.05149; docs/adversarial.md#derivation-notes-proximal-form-and-extra-outputs). Then
//!
//! $$\mathrm{SR} = \alpha_\star^2 + \sigma^2,\qquad
//!   \mathrm{AR}(\varepsilon_{\rm test}) = \big(1 + t^2 + 2\sqrt{2/\pi}\,t\big)\,\mathrm{SR},\quad
//!   t = \frac{\varepsilon_{\rm test}\beta_\star\nu_\star}{\varepsilon\tau_{g\star}},$$
//!
//! the training loss is $R_\star$, $\varepsilon\|J\hat\theta\| \to \beta_\star\nu_\star\zeta_\star/\tau_{g\star}$
//! and the fraction of exactly-zero training residuals is $\mathrm{erf}(\nu_\star/\sqrt2)$.
//! $\hat\theta = 0$ exactly when $\varepsilon \ge \varepsilon_0$ (closed form, [`AdversarialRfModel::eps0`]).
//!
//! # How it is solved
//!
//! The gradient of $R$ is analytic (envelope theorem for the inner $c$ and $\lambda$; $\nu^\star$ by a
//! monotone Newton iteration, $\lambda^\star$ by Brent on $G'(\lambda)$, which is bracketed because the
//! barrier $-\lambda\gamma^2/(2(1-\lambda))$ makes $G' \to -\infty$ as $\lambda \to 1$). The five
//! stationarity equations $\nabla R = 0$ are solved by damped Newton (Hessian by central differences
//! of the analytic gradient) from a warm start; cold starts are found by continuation in
//! $\varepsilon$ from the interior of $(0, \varepsilon_0)$ (see [`AdversarialRfModel::solve`]). Every
//! solution is checked to be a max-min point: the Hessian is positive definite in
//! $(\alpha,\tau_g)$ and its Schur complement (the Hessian of $\min_{\alpha,\tau_g} R$) is negative
//! definite in $(\beta,\gamma,\tau_q)$, with $\gamma > 0$ (which rules out the spurious
//! $\gamma \to 0$ point, the $\varepsilon = 0$ problem).

use std::f64::consts::{FRAC_2_PI, SQRT_2};

use crate::error::{Error, Result, validate};
use crate::gaussian::normal::erf;
use crate::linalg::is_max_min_definite;
use crate::solver::root::{RootOptions, brent_root};
use crate::solver::{ContinuationOptions, ContinuationStep, adaptive_continuation};

use super::scalar::{SQRT_2_OVER_PI, nu_star, prox, stieltjes, stieltjes_with_derivative};
use super::stationary::{Stationary, newton_stationary};

/// Unchecked parameters of adversarially trained random features (Hassani & Javanmard 2022).
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRf {
    /// $\psi_1 = N/d$, features per input dimension (> 0).
    pub psi1: f64,
    /// $\psi_2 = n/d$, samples per input dimension (> 0).
    pub psi2: f64,
    /// $\sigma_\varepsilon = \tau$, the label-noise standard deviation ($\ge 0$; default $0.5$). The
    /// paper's $\tau^2$ is its square.
    pub noise_sd: f64,
    /// Deprecated: the label-noise **variance** $\tau^2$ (default $0.25$), kept with its meaning.
    /// [`AdversarialRf::check`] uses whichever of `noise_sd` and `tau2` differs from its default
    /// (`tau2` exactly as given; an error naming `noise_sd` if both do and
    /// $\mathrm{noise\_sd}^2 \ne \tau^2$). Non-deprecated way to give a variance:
    /// [`AdversarialRf::with_noise_variance`].
    #[deprecated(
        note = "use noise_sd (a standard deviation: noise_sd = sqrt(tau2)), or with_noise_variance"
    )]
    pub tau2: f64,
    /// $\varepsilon$, the $\ell_2$ radius of the training perturbations (> 0).
    pub eps: f64,
    /// $\varepsilon_{\rm test}$, the radius of the robust test error ($\ge 0$; `None` means $\varepsilon$).
    pub eps_test: Option<f64>,
}

impl Default for AdversarialRf {
    /// $\psi_1 = 1$, $\psi_2 = 2$, $\mathrm{noise\_sd} = 0.5$ ($\tau^2 = 0.25$),
    /// $\varepsilon = \varepsilon_{\rm test} = 0.3$.
    #[allow(deprecated)] // sets the deprecated alias `tau2` to its default
    fn default() -> Self {
        Self {
            psi1: 1.0,
            psi2: 2.0,
            noise_sd: super::DEFAULT_NOISE_SD,
            tau2: super::DEFAULT_NOISE_VAR,
            eps: 0.3,
            eps_test: None,
        }
    }
}

impl AdversarialRf {
    /// The same parameters with the label noise given as a variance $\tau^2$ (the paper's
    /// parameter; `noise_sd` $= \sqrt{\tau^2}$): sets the deprecated field `tau2` to `tau2`
    /// exactly and `noise_sd` to its default, so that [`AdversarialRf::check`] uses `tau2`
    /// unchanged.
    #[allow(deprecated)]
    pub fn with_noise_variance(self, tau2: f64) -> Self {
        Self {
            noise_sd: super::DEFAULT_NOISE_SD,
            tau2,
            ..self
        }
    }

    /// The label noise as `(noise_sd, variance)`, resolved from `noise_sd` and the deprecated
    /// variance field `tau2` exactly as [`AdversarialRf::check`] does (the variance as given when it
    /// was given as the variance, `noise_sd^2` otherwise).
    ///
    /// Errors: [`Error::InvalidParameter`] as [`AdversarialRf::check`] for the label noise.
    pub fn label_noise(&self) -> Result<(f64, f64)> {
        #[allow(deprecated)]
        let (var, sd) = super::resolve_noise(self.noise_sd, ("tau2", self.tau2))?;
        Ok((sd, var))
    }

    /// Validate the parameters. Errors: [`Error::InvalidParameter`] naming the field (the label
    /// noise: `noise_sd` or the deprecated `tau2`, whichever was set; `noise_sd` if both were set
    /// and disagree).
    pub fn check(&self) -> Result<AdversarialRfModel> {
        let psi1 = validate::positive("psi1", self.psi1)?;
        let psi2 = validate::positive("psi2", self.psi2)?;
        #[allow(deprecated)]
        let (tau2, noise_sd) = super::resolve_noise(self.noise_sd, ("tau2", self.tau2))?;
        let eps = validate::positive("eps", self.eps)?;
        let eps_test = match self.eps_test {
            Some(e) => Some(validate::non_negative("eps_test", e)?),
            None => None,
        };
        // The saddle solver is verified for psi1 up to 1e5 (beta*, tau_q* ~ 1/psi1 and
        // nu* ~ sqrt(psi1) beyond that exhaust the finite-difference Hessian's precision) and for
        // psi2 down to 1e-3 (below, the max block of the Hessian has a direction, the joint
        // scaling of (beta, gamma), whose curvature is below the finite-difference resolution,
        // so the saddle cannot be verified: 55 % of cold solves failed at psi2 in [1e-8, 1e-3]).
        for (name, value, lo, hi, expected) in [
            ("psi1", psi1, 1e-8, 1e5, "a number in [1e-8, 1e5]"),
            ("psi2", psi2, 1e-3, 1e8, "a number in [1e-3, 1e8]"),
        ] {
            if !(lo..=hi).contains(&value) {
                return Err(Error::InvalidParameter {
                    name,
                    value,
                    expected,
                });
            }
        }
        let s0 = stieltjes(FRAC_2_PI - 1.0, psi1);
        let explained = psi1 * (1.0 + (1.0 - FRAC_2_PI) * s0);
        let sigma_sq = tau2 + 1.0 - explained;
        let s1 = stieltjes(-1.0, psi1);
        let eps0_sq = (psi1 * (1.0 + s1) + (1.0 + tau2) * (psi1 / psi2) * (1.0 + FRAC_2_PI * s1))
            / (FRAC_2_PI * (1.0 + tau2));
        let eps0 = crate::error::finite(eps0_sq.max(0.0).sqrt(), "eps0")?;
        crate::error::finite(sigma_sq, "sigma^2")?;
        Ok(AdversarialRfModel {
            psi1,
            psi2,
            tau2,
            noise_sd,
            eps,
            eps_test,
            sigma_sq,
            explained,
            eps0,
        })
    }
}

/// Checked adversarial random-features model (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRfModel {
    psi1: f64,
    psi2: f64,
    tau2: f64,
    noise_sd: f64,
    eps: f64,
    /// `None`: follows `eps`.
    eps_test: Option<f64>,
    sigma_sq: f64,
    explained: f64,
    eps0: f64,
}

/// The five saddle variables of Theorem 4.2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaddlePoint {
    /// $\alpha$ (minimised): the square root of the excess standard risk.
    pub alpha: f64,
    /// $\tau_g$ (minimised).
    pub tau_g: f64,
    /// $\beta$ (maximised).
    pub beta: f64,
    /// $\gamma$ (maximised): the multiplier of $\|J\theta\|$.
    pub gamma: f64,
    /// $\tau_q$ (maximised).
    pub tau_q: f64,
}

impl SaddlePoint {
    fn to_array(self) -> [f64; 5] {
        [self.alpha, self.tau_g, self.beta, self.gamma, self.tau_q]
    }
    fn from_array(x: [f64; 5]) -> Self {
        Self {
            alpha: x[0],
            tau_g: x[1],
            beta: x[2],
            gamma: x[3],
            tau_q: x[4],
        }
    }
}

/// $R$, its gradient and the inner solutions at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectiveEval {
    /// $R(\alpha,\tau_g,\beta,\gamma,\tau_q)$.
    pub value: f64,
    /// $\nabla R$ in the order $(\alpha, \tau_g, \beta, \gamma, \tau_q)$.
    pub gradient: [f64; 5],
    /// $\nu^\star$.
    pub nu: f64,
    /// $\kappa = \gamma(\tau_g + \beta)/(\varepsilon\beta\zeta)$.
    pub kappa: f64,
    /// The maximiser $\lambda^\star$ of the inner sup.
    pub lambda: f64,
    /// $\sup_\lambda G(\lambda; \tau_q/\alpha, \beta, \gamma)$ multiplied by $\tau_q/\alpha$, i.e. the
    /// bracketed sup exactly as printed in Theorem 4.2.
    pub printed_sup: f64,
}

/// The asymptotic adversarial-training result at one parameter point.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRfSolution {
    /// Standard (non-robust) test risk $\mathrm{SR} = \alpha_\star^2 + \sigma^2$ (includes the
    /// noise $\tau^2$).
    pub test_risk: f64,
    /// Robust test risk at $\varepsilon_{\rm test}$, eq. (4.6).
    pub robust_test_risk: f64,
    /// Deprecated name of [`Self::test_risk`] (the same value).
    #[deprecated(note = "use test_risk")]
    pub standard_error: f64,
    /// Deprecated name of [`Self::robust_test_risk`] (the same value).
    #[deprecated(note = "use robust_test_risk")]
    pub robust_error: f64,
    /// Minimum of the training objective (4.3) (with $1/(2n)$): $R_\star$.
    pub train_loss: f64,
    /// Fraction of exactly-zero training residuals, $\mathrm{erf}(\nu_\star/\sqrt2)$.
    pub zero_residual_fraction: f64,
    /// $\varepsilon\|J\hat\theta\| \to \beta_\star\nu_\star\zeta_\star/\tau_{g\star}$.
    pub adversarial_norm: f64,
    /// The zero-solution threshold $\varepsilon_0$.
    pub eps0: f64,
    /// $\sigma^2$, the irreducible error of the random-features class.
    pub sigma_sq: f64,
    /// The saddle point (`None` in the zero-solution regime $\varepsilon \ge \varepsilon_0$, where the
    /// result is closed-form).
    pub saddle: Option<SaddlePoint>,
    /// $\nu_\star$.
    pub nu: f64,
    /// $\kappa_\star$.
    pub kappa: f64,
    /// The mixing $\lambda_\star$ of the inner sup (`None` in the zero-solution regime).
    pub lambda: Option<f64>,
    /// $\|\nabla R\|_\infty$ at the saddle point (0 in the zero-solution regime).
    pub residual: f64,
    /// Newton iterations (0 in the zero-solution regime).
    pub iterations: usize,
    /// The training radius $\varepsilon$.
    pub eps: f64,
    /// The test radius $\varepsilon_{\rm test}$ of `robust_test_risk`.
    pub eps_test: f64,
}

impl AdversarialRfSolution {
    /// The robust test risk (4.6) at another test radius $\varepsilon_{\rm test} \ge 0$.
    pub fn robust_test_risk_at(&self, eps_test: f64) -> Result<f64> {
        let eps_test = validate::non_negative("eps_test", eps_test)?;
        let t = eps_test * self.adversarial_norm / (self.eps * self.test_risk.sqrt());
        crate::error::finite(
            (1.0 + t * t + 2.0 * SQRT_2_OVER_PI * t) * self.test_risk,
            "robust error",
        )
    }

    /// Deprecated name of [`Self::robust_test_risk_at`].
    #[deprecated(note = "use robust_test_risk_at")]
    pub fn robust_error_at(&self, eps_test: f64) -> Result<f64> {
        self.robust_test_risk_at(eps_test)
    }
}

/// Newton tolerance on $\|\nabla R\|_\infty$.
const TOL: f64 = 1e-12;
/// Newton iteration cap per solve.
const MAX_NEWTON: usize = 60;
/// $1 - \varepsilon/\varepsilon_0$ below which a cold start that failed from the heuristic guess
/// continues from this distance to the zero-solution threshold (see `continue_to_eps0`).
const NEAR_EPS0_ANCHOR: f64 = 1e-2;

/// Largest $\psi_1$ of the anchor of a cold-start continuation in $(\psi_1, \psi_2)$.
const ANCHOR_PSI1_MAX: f64 = 1e3;
/// Smallest $\psi_2$ of the anchor of a cold-start continuation in $(\psi_1, \psi_2)$.
const ANCHOR_PSI2_MIN: f64 = 0.2;

impl AdversarialRfModel {
    /// $\psi_1$.
    pub fn psi1(&self) -> f64 {
        self.psi1
    }
    /// $\psi_2$.
    pub fn psi2(&self) -> f64 {
        self.psi2
    }
    /// The label-noise variance $\tau^2 = \mathrm{noise\_sd}^2$ (as given, when it was given as
    /// the variance).
    pub fn tau2(&self) -> f64 {
        self.tau2
    }
    /// The label-noise standard deviation $\tau$ (`noise_sd`; $\sqrt{\tau^2}$ when the noise was
    /// given as the variance).
    pub fn noise_sd(&self) -> f64 {
        self.noise_sd
    }
    /// $\varepsilon$.
    pub fn eps(&self) -> f64 {
        self.eps
    }
    /// $\varepsilon_{\rm test}$.
    pub fn eps_test(&self) -> f64 {
        self.eps_test.unwrap_or(self.eps)
    }
    /// $\sigma^2 = \tau^2 + 1 - \psi_1(1 + (1 - 2/\pi)S(2/\pi - 1;\psi_1))$.
    pub fn sigma_sq(&self) -> f64 {
        self.sigma_sq
    }
    /// The zero-solution threshold (docs/adversarial.md#derivation-notes-zero-solution-threshold, derived from the optimality of
    /// $\theta = 0$, $\|J^{-1}F^\top y/n\| \le \varepsilon\|y\|_1/n$):
    /// $$\varepsilon_0^2 = \frac{\psi_1(1 + S(-1)) + (1+\tau^2)\frac{\psi_1}{\psi_2}(1 + \frac2\pi S(-1))}{\frac2\pi(1+\tau^2)}.$$
    pub fn eps0(&self) -> f64 {
        self.eps0
    }
    /// The same model at another $\psi_1$.
    pub fn with_psi1(&self, psi1: f64) -> Result<Self> {
        self.params_with(|p| p.psi1 = psi1)
    }
    /// The same model at another $\varepsilon$ (a test radius that was not set keeps following
    /// $\varepsilon$).
    pub fn with_eps(&self, eps: f64) -> Result<Self> {
        self.params_with(|p| p.eps = eps)
    }
    /// The same model at another $\varepsilon_{\rm test}$.
    pub fn with_eps_test(&self, eps_test: f64) -> Result<Self> {
        self.params_with(|p| p.eps_test = Some(eps_test))
    }
    fn params_with(&self, f: impl FnOnce(&mut AdversarialRf)) -> Result<Self> {
        let mut p = AdversarialRf {
            psi1: self.psi1,
            psi2: self.psi2,
            eps: self.eps,
            eps_test: self.eps_test,
            ..AdversarialRf::default()
        }
        .with_noise_variance(self.tau2);
        f(&mut p);
        p.check()
    }

    /// The inner sup over $\lambda \in [0,1)$ of $G$; returns $(G^\star, \lambda^\star, \partial_u, \partial_v,
    /// \partial_\beta, \partial_\gamma)$ (envelope theorem).
    fn sup_lambda(&self, u: f64, v: f64, beta: f64, gamma: f64) -> Result<[f64; 6]> {
        let psi1 = self.psi1;
        let b2 = beta * beta;
        let g2 = gamma * gamma;
        let dg = |lam: f64| -> f64 {
            let z = FRAC_2_PI * lam - 1.0;
            // One evaluation of the Marchenko–Pastur closed form for both (bit-identical to
            // `stieltjes` and `stieltjes_derivative` called separately).
            let (s, sp) = stieltjes_with_derivative(z, psi1);
            let a = u * (1.0 + (1.0 - FRAC_2_PI * lam) * s)
                + v * b2 * (1.0 + FRAC_2_PI * (1.0 - lam) * s);
            let ap = u * (-FRAC_2_PI * s + FRAC_2_PI * (1.0 - FRAC_2_PI * lam) * sp)
                + v * b2 * (-FRAC_2_PI * s + FRAC_2_PI * FRAC_2_PI * (1.0 - lam) * sp);
            0.5 * psi1 * (a + lam * ap) - 0.5 * v * g2 / ((1.0 - lam) * (1.0 - lam))
        };
        let d0 = dg(0.0);
        let lam = if d0 <= 0.0 {
            0.0
        } else {
            // Bracket: G' -> -inf as lambda -> 1 when gamma > 0.
            let mut lo = 0.0;
            let mut hi = None;
            let mut gap = 0.5;
            for _ in 0..80 {
                let cand = 1.0 - gap;
                if dg(cand) < 0.0 {
                    hi = Some(cand);
                    break;
                }
                lo = cand;
                gap *= 0.5;
            }
            let hi = hi.ok_or(Error::NoSolution {
                what: "sup over lambda (no interior maximiser; gamma ~ 0)",
            })?;
            brent_root(dg, lo, hi, RootOptions::default())?.root
        };
        let z = FRAC_2_PI * lam - 1.0;
        let s = stieltjes(z, psi1);
        let one_u = 1.0 + (1.0 - FRAC_2_PI * lam) * s;
        let one_v = 1.0 + FRAC_2_PI * (1.0 - lam) * s;
        let barrier = lam / (1.0 - lam);
        let value = 0.5 * lam * psi1 * (u * one_u + v * b2 * one_v) - 0.5 * v * g2 * barrier;
        let d_u = 0.5 * lam * psi1 * one_u;
        let d_v = 0.5 * lam * psi1 * b2 * one_v - 0.5 * g2 * barrier;
        let d_beta = lam * psi1 * v * beta * one_v;
        let d_gamma = -v * gamma * barrier;
        Ok([value, lam, d_u, d_v, d_beta, d_gamma])
    }

    /// Evaluate $R$, its analytic gradient and the inner solutions at a point with all five
    /// variables $> 0$.
    pub fn objective(&self, point: &SaddlePoint) -> Result<ObjectiveEval> {
        let [alpha, tau_g, beta, gamma, tau_q] = point.to_array();
        if !point.to_array().iter().all(|x| x.is_finite() && *x > 0.0) {
            return Err(Error::InvalidParameter {
                name: "saddle point",
                value: point
                    .to_array()
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min),
                expected: "all five variables finite and > 0",
            });
        }
        let p = self.explained;
        let zeta2 = alpha * alpha + self.sigma_sq;
        let zeta = zeta2.sqrt();
        let k = beta / tau_g;
        let kk = beta / (beta + tau_g);
        let kappa = gamma / (self.eps * kk * zeta);
        let (nu, _) = nu_star(kappa, k)?;
        let c = k * zeta * nu;
        let pr = prox(c, zeta, k, kk);
        let loss = pr.value - gamma * c / self.eps;
        let u = tau_q / alpha;
        let v = alpha / tau_q;
        let [t, lam, t_u, t_v, t_beta, t_gamma] = self.sup_lambda(u, v, beta, gamma)?;
        let value = 0.5 * u * p - 0.5 * alpha * tau_q + 0.5 * beta * tau_g * self.psi2 + loss - t;
        let denom = (tau_g + beta) * (tau_g + beta);
        let d_alpha = -0.5 * u * p / alpha - 0.5 * tau_q + pr.d_zeta * alpha / zeta
            - (-t_u * u / alpha + t_v / tau_q);
        let d_tau_g = 0.5 * beta * self.psi2 - pr.d_k_times_1pk_sq * beta / denom;
        let d_beta = 0.5 * tau_g * self.psi2 + pr.d_k_times_1pk_sq * tau_g / denom - t_beta;
        let d_gamma = -c / self.eps - t_gamma;
        let d_tau_q = 0.5 * p / alpha - 0.5 * alpha - (t_u / alpha - t_v * v / tau_q);
        let gradient = [d_alpha, d_tau_g, d_beta, d_gamma, d_tau_q];
        if !(value.is_finite() && gradient.iter().all(|g| g.is_finite())) {
            return Err(Error::NonFinite {
                what: "adversarial RF objective",
            });
        }
        Ok(ObjectiveEval {
            value,
            gradient,
            nu,
            kappa,
            lambda: lam,
            printed_sup: t * u,
        })
    }

    /// The closed-form zero-solution result ($\varepsilon \ge \varepsilon_0$): $\hat\theta = 0$,
    /// $\mathrm{SR} = \mathrm{AR} = 1 + \tau^2$, training loss $(1+\tau^2)/2$.
    fn zero_solution(&self) -> AdversarialRfSolution {
        let total = 1.0 + self.tau2;
        #[allow(deprecated)] // fills the deprecated aliases standard_error, robust_error
        AdversarialRfSolution {
            test_risk: total,
            robust_test_risk: total,
            standard_error: total,
            robust_error: total,
            train_loss: 0.5 * total,
            zero_residual_fraction: 0.0,
            adversarial_norm: 0.0,
            eps0: self.eps0,
            sigma_sq: self.sigma_sq,
            saddle: None,
            nu: 0.0,
            kappa: SQRT_2_OVER_PI,
            lambda: None,
            residual: 0.0,
            iterations: 0,
            eps: self.eps,
            eps_test: self.eps_test(),
        }
    }

    fn finish(&self, st: &Stationary<5>) -> Result<AdversarialRfSolution> {
        verify_saddle(st)?;
        self.assemble(st)
    }

    /// The solution at a stationary point that passed [`verify_saddle`].
    fn assemble(&self, st: &Stationary<5>) -> Result<AdversarialRfSolution> {
        let point = SaddlePoint::from_array(st.x);
        let ev = self.objective(&point)?;
        let zeta2 = point.alpha * point.alpha + self.sigma_sq;
        let sr = zeta2;
        let c = point.beta * ev.nu * zeta2.sqrt() / point.tau_g;
        let t = self.eps_test() * c / (self.eps * zeta2.sqrt());
        let ar = crate::error::finite(
            (1.0 + t * t + 2.0 * SQRT_2_OVER_PI * t) * sr,
            "robust error",
        )?;
        #[allow(deprecated)] // fills the deprecated aliases standard_error, robust_error
        Ok(AdversarialRfSolution {
            test_risk: sr,
            robust_test_risk: ar,
            standard_error: sr,
            robust_error: ar,
            train_loss: ev.value,
            zero_residual_fraction: erf(ev.nu / SQRT_2),
            adversarial_norm: c,
            eps0: self.eps0,
            sigma_sq: self.sigma_sq,
            saddle: Some(point),
            nu: ev.nu,
            kappa: ev.kappa,
            lambda: Some(ev.lambda),
            residual: st.residual,
            iterations: st.iterations,
            eps: self.eps,
            eps_test: self.eps_test(),
        })
    }

    /// Solve from a starting guess by Newton on $\nabla R = 0$ and verify the saddle structure.
    ///
    /// In the zero-solution regime $\varepsilon \ge \varepsilon_0$ the closed form is returned and
    /// the guess is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a guess with a non-positive or non-finite variable;
    /// [`Error::NotConverged`] when Newton does not reach the tolerance; [`Error::NotASaddle`] when
    /// it converges to a stationary point that is not a max–min saddle; [`Error::NoSolution`] when
    /// an iterate leaves the region where the inner supremum has an interior maximiser;
    /// [`Error::LinearAlgebra`] at a singular Hessian.
    pub fn solve_from(&self, guess: &SaddlePoint) -> Result<AdversarialRfSolution> {
        if self.eps >= self.eps0 {
            return Ok(self.zero_solution());
        }
        let st = self.stationary_from(guess.to_array())?;
        self.finish(&st)
    }

    /// Newton on $\nabla R = 0$ from `guess` (no saddle check).
    fn stationary_from(&self, guess: [f64; 5]) -> Result<Stationary<5>> {
        newton_stationary(
            |x: &[f64; 5]| Ok(self.objective(&SaddlePoint::from_array(*x))?.gradient),
            guess,
            TOL,
            MAX_NEWTON,
            "adversarial RF saddle Newton",
        )
    }

    /// A heuristic starting point (scales taken from the structure of the solution: $\beta, \tau_q$
    /// shrink like $1/\psi_1$ for large $\psi_1$, $\gamma$ is proportional to $\varepsilon$).
    fn heuristic_guess(&self) -> SaddlePoint {
        let over = (self.psi1 / self.psi2).max(1.0);
        let r = (self.eps / self.eps0).clamp(0.05, 0.95);
        SaddlePoint {
            alpha: 0.5 * (1.0 + self.tau2).sqrt(),
            tau_g: 0.3 * (1.0 - r) + 0.01,
            beta: 0.6 / over,
            gamma: 0.8 * self.eps / over,
            tau_q: 0.4 / over,
        }
    }

    /// Solve Theorem 4.2 from a cold start.
    ///
    /// Tries Newton from a heuristic guess; if that fails (or lands on a point that is not a
    /// saddle), continues in $\varepsilon$ from $\varepsilon_0/2$ (the most benign place) towards the
    /// requested $\varepsilon$ with adaptive steps. If that fails too and $\psi_1 > 10^3$ or
    /// $\psi_2 < 0.2$, it continues along a geometric path in $(\psi_1, \psi_2)$ at fixed
    /// $\varepsilon/\varepsilon_0$ from $(\min(\psi_1, 10^3), \max(\psi_2, 0.2))$, seeding each step by
    /// log-linear extrapolation (there the heuristic guess is orders of magnitude off: at fixed
    /// $\varepsilon/\varepsilon_0$, $\tau_g, \beta, \gamma \propto \psi_2^{-1/2}$ as $\psi_2 \to 0$ and
    /// $\gamma \propto \psi_1^{1/2}$ as $\psi_1 \to \infty$).
    pub fn solve(&self) -> Result<AdversarialRfSolution> {
        if self.eps >= self.eps0 {
            return Ok(self.zero_solution());
        }
        let err = match self.solve_local(true) {
            Ok(s) => return Ok(s),
            Err(e) => e,
        };
        // Outside the box where the local cold start is reliable (very small psi2, very large
        // psi1) the heuristic guess is far off (at fixed eps/eps0 the solution scales like
        // (tau_g, beta, gamma) ~ psi2^{-1/2} and gamma ~ psi1^{1/2}): continue from the nearest
        // point of the box at the same eps/eps0.
        let anchor_psi1 = self.psi1.min(ANCHOR_PSI1_MAX);
        let anchor_psi2 = self.psi2.max(ANCHOR_PSI2_MIN);
        if (anchor_psi1 != self.psi1 || anchor_psi2 != self.psi2)
            && let Ok(s) = self.continue_path(anchor_psi1, anchor_psi2)
        {
            return Ok(s);
        }
        Err(err)
    }

    /// The same model at $(\psi_1, \psi_2)$ with the same $\varepsilon/\varepsilon_0$.
    fn at_same_fraction(&self, psi1: f64, psi2: f64) -> Result<Self> {
        let m = self.params_with(|p| {
            p.psi1 = psi1;
            p.psi2 = psi2;
        })?;
        m.with_eps(self.eps / self.eps0 * m.eps0)
    }

    /// Continuation along the path $t \mapsto (\psi_1, \psi_2)$, geometric between the anchor
    /// $(a_1, a_2)$ and this model, at fixed $\varepsilon/\varepsilon_0$. Each step is seeded by
    /// linear extrapolation of $\log x$ in $t$ from the last two solutions (the saddle variables
    /// follow power laws in $\psi_1$, $\psi_2$ there); the step halves on failure.
    fn continue_path(&self, a1: f64, a2: f64) -> Result<AdversarialRfSolution> {
        let (l1, l2) = (a1.ln(), a2.ln());
        let (d1, d2) = (self.psi1.ln() - l1, self.psi2.ln() - l2);
        let first = self.at_same_fraction(a1, a2)?.solve_local(true)?;
        // Steps of at most a factor e (after growth) in psi1 and psi2.
        let h_max = 1.0 / d1.abs().max(d2.abs()).max(1.0);
        self.walk(
            (0.0, 1.0),
            &first,
            |t| self.at_same_fraction((l1 + t * d1).exp(), (l2 + t * d2).exp()),
            |hist, t| {
                let (t_last, x_last) = hist[hist.len() - 1];
                match hist.len() {
                    1 => x_last,
                    n => {
                        let (t_prev, x_prev) = hist[n - 2];
                        let w = (t - t_last) / (t_last - t_prev);
                        std::array::from_fn(|i| {
                            (x_last[i].ln() + w * (x_last[i].ln() - x_prev[i].ln())).exp()
                        })
                    }
                }
            },
            ContinuationOptions {
                first_step: 0.5 * h_max,
                max_step: h_max,
                grow: 1.5,
                shrink: 0.5,
                min_step: 1e-3 * h_max,
                max_failures: 20,
                ..ContinuationOptions::default()
            },
        )
    }

    /// Cold start inside the box where the heuristic guess (with continuation in $\varepsilon$)
    /// is reliable; with `near_eps0`, points with $1 - \varepsilon/\varepsilon_0 <$
    /// `NEAR_EPS0_ANCHOR` first try the continuation in $\log(1 - \varepsilon/\varepsilon_0)$.
    fn solve_local(&self, near_eps0: bool) -> Result<AdversarialRfSolution> {
        if let Ok(s) = self.solve_from(&self.heuristic_guess()) {
            return Ok(s);
        }
        let h = 1.0 - self.eps / self.eps0;
        if near_eps0
            && h < NEAR_EPS0_ANCHOR
            && let Ok(s) = self.continue_to_eps0()
        {
            return Ok(s);
        }
        // Continuation in eps, from a sequence of anchor radii.
        let mut last_err = None;
        for frac in [0.5, 0.3, 0.7, 0.15, 0.85] {
            let start_eps = frac * self.eps0;
            let anchor = self.with_eps(start_eps)?;
            let start = match anchor.solve_from(&anchor.heuristic_guess()) {
                Ok(s) => s,
                Err(e) => {
                    last_err = Some(e);
                    continue;
                }
            };
            match self.continue_eps(start_eps, &start, self.eps) {
                Ok(s) => return Ok(s),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or(Error::NotConverged {
            method: "adversarial RF cold start",
            iterations: 0,
            residual: f64::INFINITY,
            tolerance: TOL,
            last_iterate: vec![],
        }))
    }

    /// Cold start close to the zero-solution threshold, $h = 1 - \varepsilon/\varepsilon_0 <$
    /// `NEAR_EPS0_ANCHOR`: solve at $h_0 = $ `NEAR_EPS0_ANCHOR` and continue in $\log h$ (steps of
    /// up to a factor 10), seeding each step with the asymptotics of the solution as $h \to 0$:
    /// $\tau_{g\star} \propto h$ while $(\alpha, \beta, \gamma, \tau_q)_\star$ tend to finite
    /// limits linearly in $h$ (extrapolated from the last two solutions).
    fn continue_to_eps0(&self) -> Result<AdversarialRfSolution> {
        let at = |h: f64| self.with_eps((1.0 - h) * self.eps0);
        let first = at(NEAR_EPS0_ANCHOR)?.solve_local(false)?;
        // The walk runs in s = ln h.
        self.walk(
            (NEAR_EPS0_ANCHOR.ln(), (1.0 - self.eps / self.eps0).ln()),
            &first,
            |s| at(s.exp()),
            |hist, s| {
                let h = s.exp();
                let (s_last, x_last) = hist[hist.len() - 1];
                let h_last = s_last.exp();
                let mut guess = x_last;
                if hist.len() >= 2 {
                    let h_prev = hist[hist.len() - 2].0.exp();
                    let x_prev = hist[hist.len() - 2].1;
                    let w = (h - h_last) / (h_last - h_prev);
                    for i in [0, 2, 3, 4] {
                        guess[i] += w * (x_last[i] - x_prev[i]);
                    }
                }
                guess[1] = x_last[1] * h / h_last;
                guess
            },
            ContinuationOptions {
                first_step: std::f64::consts::LN_10,
                max_step: std::f64::consts::LN_10,
                grow: 2.0,
                shrink: 0.5,
                min_step: 1.05_f64.ln(),
                max_failures: 8,
                ..ContinuationOptions::default()
            },
        )
    }

    /// Continue a solution at radius `from` to radius `self.eps` (geometric steps, shrunk on
    /// failure).
    fn continue_eps(
        &self,
        from: f64,
        start: &AdversarialRfSolution,
        target: f64,
    ) -> Result<AdversarialRfSolution> {
        // The walk runs in ln(eps), each step seeded by the previous saddle.
        self.walk(
            (from.ln(), target.ln()),
            start,
            |s| self.with_eps(s.exp()),
            |hist, _| hist[hist.len() - 1].1,
            ContinuationOptions {
                first_step: 0.25,
                max_step: 0.5,
                grow: 1.5,
                shrink: 0.25,
                min_step: 1e-6,
                max_failures: 12,
                ..ContinuationOptions::default()
            },
        )
    }

    /// Adaptive continuation in a scalar path coordinate $s$ from $s_0$ (where `start` is the
    /// solution) to $s_1$ (this model), on the engine's [`adaptive_continuation`]: `model_at(s)`
    /// is the model at an intermediate point, `predict(history, s)` the Newton seed there from the
    /// saddles solved so far, and the max–min saddle check is the verification hook (a stationary
    /// point that is not a saddle shrinks the step like a failed Newton solve). A successful step
    /// grows by `grow` (up to `max_step`), a failed one shrinks by `shrink`; the walk fails after
    /// `max_failures` failures or below `min_step`.
    fn walk(
        &self,
        (s0, s1): (f64, f64),
        start: &AdversarialRfSolution,
        model_at: impl Fn(f64) -> Result<Self>,
        predict: impl Fn(&[(f64, [f64; 5])], f64) -> [f64; 5],
        steps: ContinuationOptions,
    ) -> Result<AdversarialRfSolution> {
        if s0 == s1 {
            return Ok(start.clone());
        }
        let x0 = start
            .saddle
            .ok_or(Error::NoSolution {
                what: "continuation through the zero-solution regime",
            })?
            .to_array();
        self.walk_from((s0, s1), x0, model_at, predict, steps)
    }

    /// [`walk`](Self::walk) from the saddle unknowns `x0` at $s_0$ (no solution struct needed).
    fn walk_from(
        &self,
        (s0, s1): (f64, f64),
        x0: [f64; 5],
        model_at: impl Fn(f64) -> Result<Self>,
        predict: impl Fn(&[(f64, [f64; 5])], f64) -> [f64; 5],
        steps: ContinuationOptions,
    ) -> Result<AdversarialRfSolution> {
        let zero_regime = Error::NoSolution {
            what: "continuation through the zero-solution regime",
        };
        let report = adaptive_continuation(
            (s0, s1),
            &x0,
            |history: &[(f64, Vec<f64>)], s| {
                let history: Vec<(f64, [f64; 5])> = history
                    .iter()
                    .map(|(s, x)| (*s, std::array::from_fn(|i| x[i])))
                    .collect();
                predict(&history, s).to_vec()
            },
            |s, guess| {
                let model = if s == s1 { self.clone() } else { model_at(s)? };
                let st = if model.eps >= model.eps0 {
                    None
                } else {
                    Some(model.stationary_from(std::array::from_fn(|i| guess[i]))?)
                };
                Ok(ContinuationStep {
                    residual: st.as_ref().map_or(0.0, |st| st.residual),
                    value: (model, st),
                })
            },
            |_, (_, st)| st.as_ref().map_or(Ok(()), verify_saddle),
            |(_, st)| {
                st.as_ref()
                    .map(|st| st.x.to_vec())
                    .ok_or(zero_regime.clone())
            },
            &steps,
        )?;
        match report.value {
            (model, Some(st)) => model.assemble(&st),
            (model, None) => Ok(model.zero_solution()),
        }
    }

    /// Solve along a $\psi_1$ grid with continuation: each point is warm-started from the previous
    /// one (with intermediate points inserted when Newton fails); a failed warm start falls back to
    /// a cold [`solve`](Self::solve). Points with $\varepsilon \ge \varepsilon_0$ are closed-form.
    pub fn curve_psi1(&self, psi1: &[f64]) -> Result<Vec<AdversarialRfSolution>> {
        self.curve(psi1, |m, x| m.with_psi1(x))
    }

    /// Solve along an $\varepsilon$ grid with continuation (see [`curve_psi1`](Self::curve_psi1)).
    pub fn curve_eps(&self, eps: &[f64]) -> Result<Vec<AdversarialRfSolution>> {
        self.curve(eps, |m, x| m.with_eps(x))
    }

    fn curve(
        &self,
        grid: &[f64],
        at: impl Fn(&Self, f64) -> Result<Self>,
    ) -> Result<Vec<AdversarialRfSolution>> {
        let mut out = Vec::with_capacity(grid.len());
        let mut prev: Option<(f64, SaddlePoint)> = None;
        for &x in grid {
            let model = at(self, x)?;
            let sol = match prev {
                Some((px, guess)) => match model.solve_from(&guess) {
                    Ok(s) => s,
                    Err(_) => model.bridge(&at, px, guess, x).or_else(|_| model.solve())?,
                },
                None => model.solve()?,
            };
            prev = sol.saddle.map(|s| (x, s));
            out.push(sol);
        }
        Ok(out)
    }

    /// Insert intermediate parameter values between a solved point (`from`, with saddle `guess`)
    /// and this one (`to`), on the engine's [`adaptive_continuation`]: the first trial goes half
    /// way, an accepted point doubles the step, a failed solve or a point that fails the max-min
    /// saddle check (the verification hook) quarters it; at most 40 solves. Each trial is
    /// warm-started from the last accepted saddle (no extrapolation: the grid points of a curve
    /// are already close).
    fn bridge(
        &self,
        at: &impl Fn(&Self, f64) -> Result<Self>,
        from: f64,
        guess: SaddlePoint,
        to: f64,
    ) -> Result<AdversarialRfSolution> {
        let span = (to - from).abs();
        self.walk_from(
            (from, to),
            guess.to_array(),
            |x| at(self, x),
            |hist, _| hist[hist.len() - 1].1,
            ContinuationOptions {
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
}

/// Check the second-order conditions of the max-min problem (4.5) from the Hessian $H$ of $R$ at
/// a stationary point, in the variables $x = (\alpha,\tau_g)$ (minimised) and
/// $y = (\beta,\gamma,\tau_q)$ (maximised), $H = \begin{pmatrix} A & B \\ B^\top & C\end{pmatrix}$:
///
/// - $A \succ 0$: $x_\star$ is a strict local minimiser of $R(\cdot, y_\star)$, so near $y_\star$ the
///   inner minimiser $x(y)$ is a smooth function with $x'(y) = -A^{-1}B$;
/// - $S = C - B^\top A^{-1}B \prec 0$: $S$ is the Hessian of the reduced function
///   $\varphi(y) = \min_x R(x, y)$, so $y_\star$ is a strict local maximiser of $\varphi$.
///
/// Together they are the second-order sufficient conditions for a local solution of
/// $\max_y\min_x R$. They do not require $C \prec 0$ (concavity of $R$ in $y$ at fixed $x$): in
/// these variables $R$ is not jointly concave in $y$ (the printed sup contains
/// $\alpha\beta^2/\tau_q$, convex, next to $-\alpha\gamma^2/\tau_q$, concave), and near
/// $\varepsilon_0$ the smallest eigenvalue of $C$ is of the order of the finite-difference noise
/// while $S$ stays well inside the negative cone. Both tests are done on the congruent,
/// dimensionless matrix $DHD$, $D = \mathrm{diag}(x)$ (signs are invariant under the congruence),
/// by the pivots of Cholesky factorisations, each of which must exceed `PIVOT_FLOOR` times its
/// diagonal entry (an indefinite block, or one whose definiteness is not resolved by the
/// finite-difference Hessian, is rejected).
fn verify_saddle(st: &Stationary<5>) -> Result<()> {
    let h: [[f64; 5]; 5] =
        std::array::from_fn(|i| std::array::from_fn(|j| st.hessian[i][j] * st.x[i] * st.x[j]));
    // A = H[0..2, 0..2] (minimised) positive definite and S = C - B^T A^{-1} B negative definite.
    let ok = is_max_min_definite(&h, 2, PIVOT_FLOOR);
    if ok {
        Ok(())
    } else {
        Err(Error::NotASaddle {
            what: "adversarial RF saddle check (not a max-min saddle)",
            iterations: st.iterations,
            residual: st.residual,
            point: st.x.to_vec(),
        })
    }
}

/// Smallest admissible ratio of a Cholesky pivot to the diagonal entry it started from in
/// [`verify_saddle`]. The ratio is invariant under the diagonal rescaling of the variables (it is
/// the fraction of the curvature along that variable not explained by the previous ones), so the
/// test does not depend on the very different scales of the saddle variables ($\tau_{g\star}$ can
/// be $10^{-8}$ next to $\gamma_\star \sim 10$); the floor is a few times the relative
/// finite-difference error of the Hessian entries, so a pivot below it is not resolved and the
/// block is rejected.
const PIVOT_FLOOR: f64 = 1e-9;

/// Where the robust test risk peaks and where it is smallest beyond the peak, along a $\psi_1$
/// curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobustExtrema {
    /// $\psi_1$ of the largest robust test risk on the grid (refined by a parabola through the
    /// neighbouring grid points).
    pub peak_psi1: f64,
    /// The robust test risk at the peak grid point.
    pub peak_robust_test_risk: f64,
    /// $\psi_1$ of the smallest robust test risk at or beyond the peak (refined likewise).
    pub min_psi1: f64,
    /// The robust test risk at that grid point.
    pub min_robust_test_risk: f64,
    /// Deprecated name of [`Self::peak_robust_test_risk`] (the same value).
    #[deprecated(note = "use peak_robust_test_risk")]
    pub peak_robust_error: f64,
    /// Deprecated name of [`Self::min_robust_test_risk`] (the same value).
    #[deprecated(note = "use min_robust_test_risk")]
    pub min_robust_error: f64,
}

/// Locate the robust-risk peak (near $\psi_1 = \psi_2$) and the minimum of the robust risk beyond
/// it (moderate overparameterisation) on a solved, increasing $\psi_1$ grid.
///
/// Returns `None` when the grid has fewer than three points or the extrema lie on its ends.
pub fn robust_extrema(psi1: &[f64], curve: &[AdversarialRfSolution]) -> Option<RobustExtrema> {
    if psi1.len() != curve.len() || psi1.len() < 3 {
        return None;
    }
    let ar: Vec<f64> = curve.iter().map(|s| s.robust_test_risk).collect();
    let imax = (0..ar.len()).max_by(|&a, &b| ar[a].total_cmp(&ar[b]))?;
    if imax == 0 || imax + 1 >= ar.len() {
        return None;
    }
    let imin = (imax..ar.len()).min_by(|&a, &b| ar[a].total_cmp(&ar[b]))?;
    if imin + 1 >= ar.len() {
        return None;
    }
    let refine = |i: usize| -> f64 {
        // Parabola in log psi1 through (i-1, i, i+1).
        let (x0, x1, x2) = (psi1[i - 1].ln(), psi1[i].ln(), psi1[i + 1].ln());
        let (y0, y1, y2) = (ar[i - 1], ar[i], ar[i + 1]);
        let num = (x1 - x0).powi(2) * (y1 - y2) - (x1 - x2).powi(2) * (y1 - y0);
        let den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0);
        if den == 0.0 {
            psi1[i]
        } else {
            let x = x1 - 0.5 * num / den;
            if x.is_finite() && x > x0 && x < x2 {
                x.exp()
            } else {
                psi1[i]
            }
        }
    };
    #[allow(deprecated)] // fills the deprecated aliases peak_robust_error, min_robust_error
    Some(RobustExtrema {
        peak_psi1: refine(imax),
        peak_robust_test_risk: ar[imax],
        min_psi1: refine(imin),
        min_robust_test_risk: ar[imin],
        peak_robust_error: ar[imax],
        min_robust_error: ar[imin],
    })
}

#[cfg(test)]
mod tests {
    use super::super::stationary::fd_hessian;
    use super::*;

    fn model(psi1: f64, psi2: f64, tau2: f64, frac: f64) -> AdversarialRfModel {
        let m = AdversarialRf {
            psi1,
            psi2,
            eps: 1.0,
            eps_test: None,
            ..AdversarialRf::default()
        }
        .with_noise_variance(tau2)
        .check()
        .unwrap();
        m.with_eps(frac * m.eps0()).unwrap()
    }

    #[test]
    fn saddle_check_rejects_perturbed_and_spurious_points() {
        let m = model(100.0, 0.5, 1.0, 1.0 - 1e-4);
        let grad = |x: &[f64; 5]| Ok(m.objective(&SaddlePoint::from_array(*x))?.gradient);
        // The verified max-min point (near eps0: tau_g ~ 3.5e-4).
        let s = m.solve().unwrap();
        let x = s.saddle.unwrap().to_array();
        let hessian = fd_hessian(&grad, &x).unwrap();
        let st = Stationary {
            x,
            residual: s.residual,
            iterations: 0,
            hessian,
        };
        assert!(verify_saddle(&st).is_ok());
        // Perturbation 1: make the reduced function convex along gamma (add to C_gg more than
        // the curvature of phi(y) = min_x R there, here |S_gg| in the unscaled variables).
        let mut bad = st.clone();
        let mut s_gg = hessian[3][3];
        {
            let a = [
                [hessian[0][0], hessian[0][1]],
                [hessian[1][0], hessian[1][1]],
            ];
            // A^{-1} B_{., gamma} by the closed-form 2x2 inverse (an independent reference).
            let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
            assert!(a[0][0] > 0.0 && det > 0.0);
            let inv = [
                [a[1][1] / det, -a[0][1] / det],
                [-a[1][0] / det, a[0][0] / det],
            ];
            for k in 0..2 {
                for l in 0..2 {
                    s_gg -= hessian[k][3] * inv[k][l] * hessian[l][3];
                }
            }
        }
        assert!(s_gg < 0.0);
        bad.hessian[3][3] -= 1.01 * s_gg;
        assert!(matches!(verify_saddle(&bad), Err(Error::NotASaddle { .. })));
        // Perturbation 2: a max in tau_g instead of a min.
        let mut bad = st.clone();
        bad.hessian[1][1] = -bad.hessian[1][1];
        assert!(matches!(verify_saddle(&bad), Err(Error::NotASaddle { .. })));
        // Perturbation 3: the roles of the blocks exchanged (a min-max of -R).
        let mut bad = st.clone();
        for row in bad.hessian.iter_mut() {
            for v in row.iter_mut() {
                *v = -*v;
            }
        }
        assert!(matches!(verify_saddle(&bad), Err(Error::NotASaddle { .. })));
    }
}
