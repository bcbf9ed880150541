//! Random features as a Gaussian linear model: the reduction of Mei–Montanari random-features
//! regression to linear regression with an explicit population spectrum.
//!
//! # The reduction
//!
//! Conditionally on the first-layer weights $\Theta$ ($N \times d$, rows on
//! $\mathbb S^{d-1}(\sqrt d)$), the features $z_a(x) = \sigma(\langle\theta_a, x\rangle/\sqrt d)$
//! are equivalent, for every proportional-limit risk of a linear fit of the second layer, to the
//! Gaussian features (Mei & Montanari 2022, arXiv:1908.05355, §6; Goldt et al. 2022,
//! arXiv:2006.14709; Hu & Lu 2023, arXiv:2009.07669)
//!
//! $$\phi = \mu_0\mathbf 1 + \mu_1\,\Theta x/\sqrt d + \mu_\star g,\qquad g \sim N(0, I_N),$$
//!
//! so fitting the second layer is a **well-specified Gaussian linear regression in $N$
//! dimensions** with $n$ samples, $\gamma = N/n = \psi_1/\psi_2$, covariance
//! $\Sigma_\Theta = \mu_1^2\Theta\Theta^\top/d + \mu_\star^2 I_N$, best linear predictor
//! $\theta_\star = \Sigma_\Theta^{-1}\mathbb E[\phi y] = \mu_1\Sigma_\Theta^{-1}\Theta\beta_1/\sqrt d$
//! and an effective noise $e = y - \phi^\top\theta_\star$ that is Gaussian, uncorrelated with
//! (hence independent of) $\phi$:
//! the unexplained linear signal, the nonlinear target (energy $F_\star^2$) and the label noise
//! ($\tau^2$). The constant direction $\mu_0\mathbf 1$ is a single spike of the second-moment matrix
//! (eigenvalue $\approx \mu_0^2 N$): with a centred target it carries no signal and changes the
//! spectral measure by $O(1/N)$, so it drops out of the limit (checked by simulation with ReLU,
//! $\mu_0 \ne 0$, against an odd activation, $\mu_0 = 0$: `tests/sim_rf_dynamics.rs`).
//!
//! With $\zeta^2 = \mu_1^2/\mu_\star^2$, the eigenvalues $s$ of $\Theta\Theta^\top/d$ follow the
//! Marchenko–Pastur law $\mathrm{MP}_{\psi_1}$ (mean 1, variance $\psi_1$, atom $1 - 1/\psi_1$ at
//! $0$ when $\psi_1 > 1$), and with $\beta_1$ in generic position the signal is spread evenly over
//! the right singular vectors of $\Theta$. In the limit:
//!
//! - **population:** eigenvalues $\lambda(s) = \mu_1^2 s + \mu_\star^2$, $s \sim \mathrm{MP}_{\psi_1}$;
//! - **signal shares:** $c(s) \propto \mu_1^2 s/\lambda(s)^2$ (density against $\mathrm{MP}_{\psi_1}$);
//! - **signal energy:** $r^2 = \|\theta_\star\|^2 = F_1^2\,\psi_1\!\int \mu_1^2 s/\lambda(s)^2\,d\mathrm{MP}_{\psi_1}(s)$;
//! - **explained share:** $e_1 = \psi_1\!\int \mu_1^2 s/\lambda(s)\,d\mathrm{MP}_{\psi_1}(s)$, computed as
//!   $1 - e_1 = (1 - \psi_1)_+ + \min(\psi_1, 1)\int (1 + \zeta^2 s)^{-1}\,d\mathrm{MP}^+(s)$ over the
//!   non-zero part (a sum of positive terms, no cancellation when $e_1 \to 1$);
//! - **effective noise:** $\sigma_{\rm eff}^2 = F_1^2(1 - e_1) + F_\star^2 + \tau^2$;
//! - **additive constant:** the test error excludes the label noise only, so
//!   $R_{\rm RF} = R_{\rm lin} + F_1^2(1 - e_1) + F_\star^2$ with $R_{\rm lin}$ the linear model's
//!   excess risk; the training error is the same on both sides ($y$ is the same vector);
//! - **ridge penalty:** MM's loss $\frac1n\|y - Za\|^2 + \frac{N\lambda}d\|a\|^2$ is the linear
//!   ridge loss $\frac1n\|y - Xb\|^2 + \lambda_{\rm lin}\|b\|^2$ with $\lambda_{\rm lin} = \psi_1\lambda$.
//!
//! Then **any** spectral estimator of the second layer (ridge, gradient flow, gradient descent)
//! has the risk of the same estimator in the linear model. For ridge the reduction reproduces
//! Mei & Montanari's formula ([`crate::theory::random_features`]) through
//! [`crate::theory::ridge::AnisotropicRidge`] to about $10^{-13}$ (`tests/theory_rf_equivalent.rs`),
//! an independent check of both.
//!
//! # Quadrature
//!
//! $\mathrm{MP}_y$ (mean 1, variance $y \le 1$) has constant Jacobi parameters: recurrence
//! $\alpha_0 = 1$, $\alpha_k = 1 + y$ ($k \ge 1$), $\beta_k = \sqrt y$ (free Poisson law), so its
//! $m$-point Gauss rule is the eigendecomposition of an $m\times m$ tridiagonal matrix
//! (Golub–Welsch): nodes = eigenvalues, weights = squared first components. For $\psi_1 > 1$ the
//! law is the exact atom $1 - 1/\psi_1$ at $0$ plus $1/\psi_1$ times the law of $\psi_1 X$,
//! $X \sim \mathrm{MP}_{1/\psi_1}$. Every integrand is analytic on the support with its nearest
//! singularity at $s \le -1/\zeta^2$ (the poles of $1/(\lambda(s) + \kappa)$, $\kappa \ge 0$), so
//! the $m$-point rule errs by $O(\rho^{-2m})$, $\rho = |x_0| + \sqrt{x_0^2 - 1}$ with $x_0$ the
//! pole mapped to $[-1, 1]$; [`random_features_equivalent`] picks $m$ for $\rho^{-2m} \le 10^{-15}$
//! (at most [`MAX_NODES`]) and reports the difference to the half-size rule as
//! `quadrature_error`.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::linalg::{Matrix, SymmetricEigen};
use crate::spectral::Population;
use crate::theory::random_features::RandomFeaturesModel;
use crate::theory::ridge::AnisotropicRidge;

/// Largest number of Gauss nodes of the continuous part of the population.
pub const MAX_NODES: usize = 600;

/// Smallest number of Gauss nodes.
pub const MIN_NODES: usize = 8;

/// The linear model equivalent to a random-features model (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub struct RfEquivalent {
    population: Arc<Population>,
    gamma: f64,
    ridge_lambda: f64,
    signal_energy: f64,
    noise_energy: f64,
    constant: f64,
    label_noise: f64,
    f_star_sq: f64,
    explained: f64,
    nodes: usize,
    quadrature_error: f64,
}

/// The risk of random-features ridge regression computed through the linear equivalent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfEquivalentRisk {
    /// Test error (label noise excluded), as `RfRisk::test_error`.
    pub test_error: f64,
    /// Bias part: everything proportional to $F_1^2$, plus $F_\star^2$ (MM's grouping).
    pub bias: f64,
    /// Variance part $(\tau^2 + F_\star^2)\mathcal V$ (MM's grouping).
    pub variance: f64,
    /// Training error $\frac1n\|y - Z\hat a\|^2$ (label noise included).
    pub train_error: f64,
    /// The variance coefficient $\mathcal V$ (test error per unit of effective noise energy).
    pub variance_coefficient: f64,
    /// The linear model's effective regularisation $\kappa$.
    pub kappa: f64,
}

/// The $m$-point Gauss rule of $\mathrm{MP}_y$ (mean 1, variance $y$), $0 < y \le 1$, by
/// Golub–Welsch on its constant Jacobi matrix.
fn gauss_mp(y: f64, m: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    let b = y.sqrt();
    let jacobi = Matrix::from_fn(m, m, |i, j| {
        if i == j {
            if i == 0 { 1.0 } else { 1.0 + y }
        } else if i.abs_diff(j) == 1 {
            b
        } else {
            0.0
        }
    });
    let eigen = SymmetricEigen::new(&jacobi)?;
    let nodes: Vec<f64> = eigen.values().iter().map(|s| s.max(0.0)).collect();
    let u = eigen.vectors();
    let weights = (0..m)
        .map(|k| {
            let v = u.get(0, k).unwrap_or(0.0);
            v * v
        })
        .collect();
    Ok((nodes, weights))
}

/// A discretised $\mathrm{MP}_{\psi}$ law: (nodes, weights), weights summing to 1, the atom at
/// 0 (if any) first.
fn mp_rule(psi: f64, m: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    if psi <= 1.0 {
        gauss_mp(psi, m)
    } else {
        let (s, w) = gauss_mp(1.0 / psi, m)?;
        let mut nodes = vec![0.0];
        let mut weights = vec![1.0 - 1.0 / psi];
        nodes.extend(s.iter().map(|x| psi * x));
        weights.extend(w.iter().map(|x| x / psi));
        Ok((nodes, weights))
    }
}

/// The node count for a Gauss error $\rho^{-2m} \le 10^{-15}$ (see the module docs).
fn node_count(psi: f64, zeta_sq: f64) -> usize {
    let (lo, hi) = if psi <= 1.0 {
        ((1.0 - psi.sqrt()).powi(2), (1.0 + psi.sqrt()).powi(2))
    } else {
        let y = 1.0 / psi;
        (
            psi * (1.0 - y.sqrt()).powi(2),
            psi * (1.0 + y.sqrt()).powi(2),
        )
    };
    if zeta_sq <= 0.0 {
        return MIN_NODES;
    }
    let pole = -1.0 / zeta_sq;
    let x0 = 1.0 + 2.0 * (lo - pole) / (hi - lo).max(f64::MIN_POSITIVE);
    let rho = x0 + (x0 * x0 - 1.0).max(0.0).sqrt();
    if !(rho.is_finite() && rho > 1.0) {
        return MAX_NODES;
    }
    let m = (15.0 * std::f64::consts::LN_10 / (2.0 * rho.ln())).ceil() + 4.0;
    if m.is_finite() {
        (m as usize).clamp(MIN_NODES, MAX_NODES)
    } else {
        MAX_NODES
    }
}

/// The reduction's scalars from one rule: $1 - e_1$, $r^2/F_1^2$, the eigenvalues, weights and
/// (unnormalised) signal shares.
struct Discretised {
    unexplained: f64,
    signal_per_f1: f64,
    eigenvalues: Vec<f64>,
    weights: Vec<f64>,
    signal: Vec<f64>,
}

fn discretise(psi1: f64, mu1_sq: f64, mu_star_sq: f64, m: usize) -> Result<Discretised> {
    let (s, w) = mp_rule(psi1, m)?;
    let zeta_sq = mu1_sq / mu_star_sq;
    let eigenvalues: Vec<f64> = s.iter().map(|x| mu1_sq * x + mu_star_sq).collect();
    // c_j ∝ w_j mu1^2 s_j / lambda_j^2 (zero on the atom at s = 0).
    let signal: Vec<f64> = s
        .iter()
        .zip(&w)
        .zip(&eigenvalues)
        .map(|((x, wj), l)| wj * mu1_sq * x / (l * l))
        .collect();
    let signal_sum: f64 = signal.iter().sum();
    // 1 - e_1 as a sum of positive terms over the non-zero part of the spectrum.
    let share = psi1.min(1.0);
    let positive: f64 = s
        .iter()
        .zip(&w)
        .filter(|(x, _)| **x > 0.0 || psi1 <= 1.0)
        .map(|(x, wj)| wj / (1.0 + zeta_sq * x))
        .sum::<f64>();
    // For psi1 > 1 the positive part carries weight 1/psi1 of the N x N law, i.e. weight 1 of
    // the d x d law: rescale by psi1.
    let positive = if psi1 > 1.0 {
        positive * psi1
    } else {
        positive
    };
    let unexplained = (1.0 - psi1).max(0.0) + share * positive;
    let unexplained = unexplained.clamp(0.0, 1.0);
    Ok(Discretised {
        unexplained,
        signal_per_f1: psi1 * signal_sum,
        eigenvalues,
        weights: w,
        signal,
    })
}

/// The linear model equivalent to the random-features model `model` (see the
/// [module docs](self) for the formulas), with the node count chosen for a quadrature error of
/// about $10^{-15}$.
///
/// Domain: every checked [`RandomFeaturesModel`]. Errors: [`Error::LinearAlgebra`] if the
/// Golub–Welsch eigendecomposition fails; [`Error::NonFinite`] if an energy overflows.
///
/// ```
/// use overparam::theory::random_features::RandomFeatures;
/// use overparam::theory::rf_equivalent::random_features_equivalent;
/// let model = RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.1, noise_sd: 0.5, ..Default::default() }
///     .check()?;
/// let eq = random_features_equivalent(&model)?;
/// let via_linear = eq.risk()?.test_error;
/// assert!((via_linear - model.risk()?.test_error).abs() < 1e-12);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn random_features_equivalent(model: &RandomFeaturesModel) -> Result<RfEquivalent> {
    let r = model.reduced();
    random_features_equivalent_with_nodes(model, node_count(r.psi1(), r.zeta_sq()))
}

/// As [`random_features_equivalent`] with `nodes` Gauss nodes for the continuous part of the
/// spectrum.
///
/// Domain: `nodes` in $[2,$ [`MAX_NODES`]$]$; otherwise [`Error::InvalidParameter`] naming
/// `nodes`.
pub fn random_features_equivalent_with_nodes(
    model: &RandomFeaturesModel,
    nodes: usize,
) -> Result<RfEquivalent> {
    if !(2..=MAX_NODES).contains(&nodes) {
        return Err(Error::InvalidParameter {
            name: "nodes",
            value: nodes as f64,
            expected: "an integer in [2, 600]",
        });
    }
    let r = model.reduced();
    let c = model.coefficients();
    let (psi1, psi2) = (r.psi1(), r.psi2());
    let (mu1_sq, mu_star_sq) = (c.mu1 * c.mu1, c.mu_star_sq);
    let fine = discretise(psi1, mu1_sq, mu_star_sq, nodes)?;
    let coarse = discretise(psi1, mu1_sq, mu_star_sq, nodes.div_ceil(2).max(2))?;
    // Gauss errs by O(rho^{-2m}): the half-size rule's error delta ~ rho^{-m} estimates the
    // full rule's as delta^2 (relative to the scale of the quantity).
    let delta = (fine.unexplained - coarse.unexplained)
        .abs()
        .max((fine.signal_per_f1 - coarse.signal_per_f1).abs() / fine.signal_per_f1.max(1.0));
    let quadrature_error = delta * delta;
    let f1_sq = model.f1_sq();
    let tau_sq = model.noise_sd() * model.noise_sd();
    let constant = f1_sq * fine.unexplained + model.f_star_sq();
    let signal_energy = f1_sq * fine.signal_per_f1;
    let noise_energy = constant + tau_sq;
    // Signal shares: if mu1 = 0 there is no linear signal (r^2 = 0); any shares do.
    let signal = if fine.signal.iter().any(|v| *v > 0.0) {
        fine.signal
    } else {
        fine.weights.clone()
    };
    let population = Population::new(fine.eigenvalues, fine.weights, signal)?;
    let gamma = psi1 / psi2;
    let ridge_lambda = psi1 * model.lambda();
    for (v, what) in [
        (constant, "random-features equivalent: additive constant"),
        (signal_energy, "random-features equivalent: signal energy"),
        (noise_energy, "random-features equivalent: effective noise"),
        (gamma, "random-features equivalent: gamma = psi1/psi2"),
        (
            ridge_lambda,
            "random-features equivalent: ridge penalty psi1 lambda",
        ),
    ] {
        if !v.is_finite() {
            return Err(Error::NonFinite { what });
        }
    }
    Ok(RfEquivalent {
        population: Arc::new(population),
        gamma,
        ridge_lambda,
        signal_energy,
        noise_energy,
        constant,
        label_noise: tau_sq,
        f_star_sq: model.f_star_sq(),
        explained: 1.0 - fine.unexplained,
        nodes,
        quadrature_error,
    })
}

impl RfEquivalent {
    /// The population of the features: eigenvalues $\mu_1^2 s + \mu_\star^2$ with the
    /// $\mathrm{MP}_{\psi_1}$ Gauss weights and the signal shares of $\theta_\star$.
    pub fn population(&self) -> &Arc<Population> {
        &self.population
    }
    /// $\gamma = N/n = \psi_1/\psi_2$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// The linear ridge penalty $\lambda_{\rm lin} = \psi_1\lambda$ (loss
    /// $\frac1n\|y - Xb\|^2 + \lambda_{\rm lin}\|b\|^2$).
    pub fn ridge_lambda(&self) -> f64 {
        self.ridge_lambda
    }
    /// $r^2 = \|\theta_\star\|^2$.
    pub fn signal_energy(&self) -> f64 {
        self.signal_energy
    }
    /// $\sigma_{\rm eff}^2 = F_1^2(1 - e_1) + F_\star^2 + \tau^2$.
    pub fn noise_energy(&self) -> f64 {
        self.noise_energy
    }
    /// The constant added to the linear excess risk: $F_1^2(1 - e_1) + F_\star^2$.
    pub fn constant(&self) -> f64 {
        self.constant
    }
    /// The label-noise energy $\tau^2$.
    pub fn label_noise(&self) -> f64 {
        self.label_noise
    }
    /// The share $e_1$ of the linear target's energy that is linear in the features.
    pub fn explained_share(&self) -> f64 {
        self.explained
    }
    /// Gauss nodes of the continuous part.
    pub fn nodes(&self) -> usize {
        self.nodes
    }
    /// Estimated quadrature error of the reduction's scalars $1 - e_1$ and $r^2/F_1^2$
    /// (relative to $\max(1, \cdot)$): $\delta^2$, $\delta$ their difference between this rule and
    /// the half-size rule (Gauss converges geometrically, $O(\rho^{-2m})$, so the half-size rule
    /// errs by about $\rho^{-m}$ and this one by its square).
    pub fn quadrature_error(&self) -> f64 {
        self.quadrature_error
    }

    /// The linear ridge problem at unit energies ($\mathrm{snr} = 1$, $\sigma = 1$): its bias is
    /// the bias per unit $r^2$ and its variance the variance per unit $\sigma_{\rm eff}^2$.
    pub fn unit_ridge(&self) -> AnisotropicRidge {
        AnisotropicRidge {
            population: Arc::clone(&self.population),
            gamma: self.gamma,
            lambda: self.ridge_lambda,
            snr: 1.0,
            noise_sd: 1.0,
        }
    }

    /// Random-features ridge regression at MM's $\lambda$ (the one of the model this was built
    /// from), through [`AnisotropicRidge`]: $R = r^2\mathcal B_1 + \sigma_{\rm eff}^2\mathcal V +
    /// F_1^2(1 - e_1) + F_\star^2$, $E_{\rm train} = (1 - \mathrm{df}_1/n)^2(R + \tau^2)$.
    ///
    /// Errors: those of [`AnisotropicRidge::check`] and `risk` (e.g. $\lambda = 0$ at
    /// $\psi_1 = \psi_2$, named `lambda`); [`Error::NonFinite`] on overflow.
    pub fn risk(&self) -> Result<RfEquivalentRisk> {
        if self.ridge_lambda == 0.0 && self.gamma == 1.0 {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: 0.0,
                expected: "lambda > 0 when psi1 = psi2 (the ridgeless risk diverges at N = n)",
            });
        }
        let unit = self.unit_ridge().check()?.risk()?;
        let linear = self.signal_energy * unit.bias + self.noise_energy * unit.variance;
        let test_error = linear + self.constant;
        let shrink = unit.train_error / (unit.bias + unit.variance + 1.0);
        let train_error = shrink * (linear + self.noise_energy);
        let variance = (self.label_noise + self.f_star_sq) * unit.variance;
        let out = RfEquivalentRisk {
            test_error,
            bias: test_error - variance,
            variance,
            train_error,
            variance_coefficient: unit.variance,
            kappa: unit.kappa,
        };
        for v in [out.test_error, out.bias, out.variance, out.train_error] {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: "random-features equivalent risk",
                });
            }
        }
        Ok(out)
    }
}
