//! Finite-size simulation of adversarial training: random features with the $J$-penalty, and
//! the linear model.
//!
//! # Random features (Hassani & Javanmard 2022, rf_adversarial note §7)
//!
//! Each trial draws $W \in \mathbb R^{N\times d}$ with unit-norm rows, $\beta$ uniform on the unit
//! sphere, $X \in \mathbb R^{n\times d}$ with i.i.d. $\mathcal N(0,1)$ entries and
//! $y = X\beta + \tau\xi$; features $F = \max(XW^\top, 0) - 1/\sqrt{2\pi}$. It solves the
//! (convex) robust ERM with the $J$-penalty
//!
//! $$\min_\theta \frac1{2n}\sum_{i=1}^n\big(|y_i - F_i\theta| + \varepsilon\|J\theta\|\big)^2,\qquad
//!   J^2 = (WW^\top)\odot\frac{\pi - \arccos(WW^\top)}{2\pi},$$
//!
//! and evaluates the exact test metrics given $(W, \theta)$:
//! $\mathrm{SR} = \tau^2 + 1 - \theta^\top W\beta + \theta^\top K\theta$ with the arc-cosine kernel
//! $K_{\ell k} = [\sqrt{1-\rho^2} + \rho(\pi - \arccos\rho)]/(2\pi) - 1/(2\pi)$, $\rho = w_\ell^\top w_k$,
//! and $\mathrm{AR} = \mathrm{SR} + 2\sqrt{2/\pi}\,\varepsilon_{\rm test}\|J\theta\|\sqrt{\mathrm{SR}} + \varepsilon_{\rm test}^2\|J\theta\|^2$.
//!
//! # The solver
//!
//! With $J^2 = LL^\top$ (Cholesky) and $\phi = L^\top\theta$, the problem becomes adversarial least
//! squares $\min_\phi \frac1{2n}\sum_i(|y_i - \tilde x_i^\top\phi| + \varepsilon\|\phi\|)^2$ with design
//! $\tilde X = FL^{-\top}$; the linear model is the case $\tilde X = X$. It is solved exactly:
//! $\phi = 0$ is detected by its optimality condition $\|\tilde X^\top y\| \le \varepsilon\|y\|_1$; otherwise
//! $|r|$ and $\|\phi\|$ are replaced by $\sqrt{r^2 + \mu^2}$ and $\sqrt{\|\phi\|^2 + \mu^2}$ and the smooth,
//! strictly convex problem is minimised by Newton's method with backtracking (exact Hessian),
//! warm-started along $\mu = 10^{-2}, 10^{-4}, \dots, 10^{-12}$ (relative to the scale of $y$). The
//! smoothing changes the optimal value by at most $O(\mu)$, so the final objective is exact to
//! about $10^{-10}$ relative; residuals below $10^{-6}$ are counted as zero.
//!
//! The Newton systems use the crate's dense kernel [`crate::linalg`] (weighted Gram matrix,
//! Cholesky); the one-off Cholesky of $J^2$ and the triangular solves are plain Rust. The cost per
//! Newton step is $O(np^2 + p^3)$ with $p$ the number of parameters.

use std::f64::consts::{FRAC_1_PI, PI};

use rayon::prelude::*;

use crate::error::{Error, Result, validate};
use crate::linalg::{Cholesky, Matrix, dot};
use crate::sim::estimate::Estimate;
use crate::sim::rng::{TrialRng, normal, trial_rng};

use crate::gaussian::normal::SQRT_2_OVER_PI;

/// One trial's metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialMetrics {
    /// Standard test error (exact given the trained model).
    pub standard_error: f64,
    /// Robust test error at $\varepsilon_{\rm test}$.
    pub robust_error: f64,
    /// Optimal value of the training objective (with $1/(2n)$).
    pub train_loss: f64,
    /// Fraction of training residuals with $|r_i| < 10^{-6}$.
    pub zero_residual_fraction: f64,
    /// $\varepsilon\|J\hat\theta\|$ (linear model: $\varepsilon\|\hat\theta\|$).
    pub adversarial_norm: f64,
    /// Newton steps of the training solve.
    pub newton_steps: usize,
}

/// Simulated metrics: each an average over trials with its standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialSimResult {
    /// Standard test error.
    pub standard_error: Estimate,
    /// Robust test error.
    pub robust_error: Estimate,
    /// Training loss.
    pub train_loss: Estimate,
    /// Fraction of zero training residuals.
    pub zero_residual_fraction: Estimate,
    /// $\varepsilon\|J\hat\theta\|$.
    pub adversarial_norm: Estimate,
}

fn collect(trials: Vec<TrialMetrics>) -> Result<AdversarialSimResult> {
    let f = |g: fn(&TrialMetrics) -> f64| Estimate::from_trials(trials.iter().map(g).collect());
    Ok(AdversarialSimResult {
        standard_error: f(|t| t.standard_error)?,
        robust_error: f(|t| t.robust_error)?,
        train_loss: f(|t| t.train_loss)?,
        zero_residual_fraction: f(|t| t.zero_residual_fraction)?,
        adversarial_norm: f(|t| t.adversarial_norm)?,
    })
}

fn gaussian_vec(rng: &mut TrialRng, len: usize) -> Vec<f64> {
    (0..len).map(|_| normal(rng)).collect()
}

fn unit_rows(mut m: Vec<f64>, cols: usize) -> Vec<f64> {
    for row in m.chunks_mut(cols) {
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        for v in row {
            *v /= norm;
        }
    }
    m
}

/// Exact solution of adversarial least squares.
#[derive(Debug, Clone)]
pub struct RobustLsSolution {
    /// The minimiser $\hat\phi$.
    pub phi: Vec<f64>,
    /// The optimal value $\frac1{2n}\sum_i(|r_i| + \varepsilon\|\hat\phi\|)^2$.
    pub objective: f64,
    /// Fraction of residuals with $|r_i| < 10^{-6}$.
    pub zero_residual_fraction: f64,
    /// Total Newton steps over the smoothing stages.
    pub newton_steps: usize,
}

fn residuals(x: &[f64], n: usize, p: usize, y: &[f64], phi: &[f64]) -> Vec<f64> {
    (0..n)
        .map(|i| y[i] - dot(&x[i * p..(i + 1) * p], phi))
        .collect()
}

fn exact_objective(r: &[f64], eps: f64, phi: &[f64]) -> f64 {
    let t = dot(phi, phi).sqrt();
    r.iter().map(|ri| (ri.abs() + eps * t).powi(2)).sum::<f64>() / (2.0 * r.len() as f64)
}

/// Minimise $\frac1{2n}\sum_{i=1}^n(|y_i - x_i^\top\phi| + \varepsilon\|\phi\|)^2$ over $\phi \in \mathbb R^p$
/// (`x` is $n\times p$ row-major). See the module documentation for the method.
///
/// Errors: [`Error::DimensionMismatch`], [`Error::InvalidParameter`] for $\varepsilon \le 0$,
/// [`Error::NotConverged`] if a smoothing stage does not converge in 100 Newton steps.
pub fn solve_robust_least_squares(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    eps: f64,
) -> Result<RobustLsSolution> {
    validate::positive("eps", eps)?;
    if x.len() != n * p {
        return Err(Error::DimensionMismatch {
            what: "design matrix",
            expected: n * p,
            found: x.len(),
        });
    }
    if y.len() != n {
        return Err(Error::DimensionMismatch {
            what: "labels",
            expected: n,
            found: y.len(),
        });
    }
    let nf = n as f64;
    // phi = 0 is optimal iff ||X^T y|| <= eps ||y||_1.
    let mut xty = vec![0.0; p];
    for i in 0..n {
        for (a, v) in xty.iter_mut().zip(&x[i * p..(i + 1) * p]) {
            *a += y[i] * v;
        }
    }
    let y1: f64 = y.iter().map(|v| v.abs()).sum();
    if dot(&xty, &xty).sqrt() <= eps * y1 {
        let zero = vec![0.0; p];
        return Ok(RobustLsSolution {
            objective: exact_objective(y, eps, &zero),
            zero_residual_fraction: y.iter().filter(|v| v.abs() < 1e-6).count() as f64 / nf,
            phi: zero,
            newton_steps: 0,
        });
    }
    let scale = (dot(y, y) / nf).sqrt().max(1e-300);
    // Start from a small multiple of the matched filter.
    let mut phi: Vec<f64> = xty.iter().map(|v| 0.1 * v / (nf * scale)).collect();
    let mut steps = 0;
    let design = Matrix::from_fn(n, p, |i, c| x[i * p + c]);
    // Work matrices reused by every Newton step (a fresh n x p and p x p per step made the
    // allocator return and re-fault their pages: millions of page faults per curve).
    let mut weighted = design.clone();
    let mut hess = Matrix::zeros(p, p);
    for stage in 1..=6 {
        let mu = scale * 100f64.powi(-stage);
        let smoothed = |phi: &[f64]| -> f64 {
            let t = (dot(phi, phi) + mu * mu).sqrt();
            let r = residuals(x, n, p, y, phi);
            r.iter()
                .map(|ri| ((ri * ri + mu * mu).sqrt() + eps * t).powi(2))
                .sum::<f64>()
                / (2.0 * nf)
        };
        let mut f_cur = smoothed(&phi);
        let mut converged = false;
        for _ in 0..100 {
            steps += 1;
            let r = residuals(x, n, p, y, &phi);
            let t = (dot(&phi, &phi) + mu * mu).sqrt();
            let a: Vec<f64> = r.iter().map(|ri| (ri * ri + mu * mu).sqrt()).collect();
            let s: Vec<f64> = a.iter().map(|ai| ai + eps * t).collect();
            let u: Vec<f64> = r.iter().zip(&a).map(|(ri, ai)| ri / ai).collect();
            let sum_s: f64 = s.iter().sum();
            // Gradient and Hessian: H = X^T diag(w) X / n + rank-two terms + isotropic term.
            let mut xu = vec![0.0; p];
            let mut xsu = vec![0.0; p];
            let mut sqrt_w = vec![0.0; n];
            for i in 0..n {
                let xi = &x[i * p..(i + 1) * p];
                sqrt_w[i] = ((u[i] * u[i] + s[i] * mu * mu / (a[i] * a[i] * a[i])) / nf).sqrt();
                for c in 0..p {
                    xu[c] += u[i] * xi[c];
                    xsu[c] += s[i] * u[i] * xi[c];
                }
            }
            let g: Vec<f64> = (0..p)
                .map(|c| (-xsu[c] + eps * sum_s * phi[c] / t) / nf)
                .collect();
            weighted.copy_from(&design)?;
            weighted.scale_rows(&sqrt_w)?;
            weighted.gram_into(1.0, &mut hess)?;
            let iso = eps * sum_s / (t * nf);
            hess.map_indexed_in_place(|c, k, g| {
                let (pc, pk) = (phi[c] / t, phi[k] / t);
                let low_rank = (-eps * (xu[c] * pk + pc * xu[k]) + nf * eps * eps * pc * pk
                    - eps * sum_s * pc * pk / t)
                    / nf;
                g + low_rank + if c == k { iso } else { 0.0 }
            });
            let chol = Cholesky::new(&hess, 0.0)?;
            let step_m = chol.solve(&Matrix::from_fn(p, 1, |c, _| -g[c]))?;
            let d: Vec<f64> = (0..p)
                .map(|c| step_m.get(c, 0).unwrap_or(f64::NAN))
                .collect();
            let decrement_sq: f64 = -dot(&g, &d);
            if !decrement_sq.is_finite() {
                return Err(Error::NonFinite {
                    what: "Newton decrement in adversarial least squares",
                });
            }
            if decrement_sq <= 1e-13 * f_cur.max(1e-300) {
                converged = true;
                break;
            }
            let mut step = 1.0;
            let mut accepted = false;
            for _ in 0..60 {
                let trial: Vec<f64> = phi.iter().zip(&d).map(|(a, b)| a + step * b).collect();
                let f_new = smoothed(&trial);
                if f_new <= f_cur - 0.25 * step * decrement_sq {
                    phi = trial;
                    f_cur = f_new;
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if !accepted {
                // Rounding floor: the decrement is at the level of f's own precision.
                converged = decrement_sq <= 1e-9 * f_cur.max(1e-300);
                break;
            }
        }
        if !converged {
            return Err(Error::NotConverged {
                method: "smoothed Newton for adversarial least squares",
                iterations: steps,
                residual: f_cur,
                tolerance: 1e-13,
                last_iterate: phi,
            });
        }
    }
    let r = residuals(x, n, p, y, &phi);
    Ok(RobustLsSolution {
        objective: exact_objective(&r, eps, &phi),
        zero_residual_fraction: r.iter().filter(|v| v.abs() < 1e-6).count() as f64 / nf,
        phi,
        newton_steps: steps,
    })
}

/// Unchecked settings of the random-features simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRfSim {
    /// Input dimension $d$ ($\ge 2$).
    pub d: usize,
    /// $\psi_1 = N/d$ ($N = \mathrm{round}(\psi_1 d) \ge 1$).
    pub psi1: f64,
    /// $\psi_2 = n/d$ ($n = \mathrm{round}(\psi_2 d) \ge 1$).
    pub psi2: f64,
    /// Label-noise variance $\tau^2$.
    pub tau2: f64,
    /// Training radius $\varepsilon > 0$.
    pub eps: f64,
    /// Test radius (`None`: $\varepsilon$).
    pub eps_test: Option<f64>,
    /// Number of independent trials ($\ge 2$).
    pub trials: usize,
    /// Seed; trial $t$ uses its own stream derived from `(seed, t)`.
    pub seed: u64,
}

impl AdversarialRfSim {
    /// Validate and run all trials (in parallel; results do not depend on the thread count).
    pub fn run(&self) -> Result<AdversarialSimResult> {
        self.validate()?;
        let trials: Result<Vec<TrialMetrics>> = (0..self.trials)
            .into_par_iter()
            .map(|t| self.trial(t))
            .collect();
        collect(trials?)
    }

    fn validate(&self) -> Result<(usize, usize)> {
        if self.d < 2 {
            return Err(Error::InvalidParameter {
                name: "d",
                value: self.d as f64,
                expected: "an integer >= 2",
            });
        }
        if self.trials < 2 {
            return Err(Error::InvalidParameter {
                name: "trials",
                value: self.trials as f64,
                expected: "an integer >= 2",
            });
        }
        validate::positive("psi1", self.psi1)?;
        validate::positive("psi2", self.psi2)?;
        validate::non_negative("tau2", self.tau2)?;
        validate::positive("eps", self.eps)?;
        if let Some(e) = self.eps_test {
            validate::non_negative("eps_test", e)?;
        }
        let nf = (self.psi1 * self.d as f64).round();
        let ns = (self.psi2 * self.d as f64).round();
        if !(1.0..=20_000.0).contains(&nf) {
            return Err(Error::InvalidParameter {
                name: "psi1",
                value: self.psi1,
                expected: "N = round(psi1 d) in [1, 20000]",
            });
        }
        if !(1.0..=200_000.0).contains(&ns) {
            return Err(Error::InvalidParameter {
                name: "psi2",
                value: self.psi2,
                expected: "n = round(psi2 d) in [1, 200000]",
            });
        }
        Ok((nf as usize, ns as usize))
    }

    /// Run one trial (deterministic in `(seed, trial)`).
    pub fn trial(&self, trial: usize) -> Result<TrialMetrics> {
        let (big_n, n) = self.validate()?;
        let d = self.d;
        let mut rng = trial_rng(self.seed, trial as u64);
        let w = unit_rows(gaussian_vec(&mut rng, big_n * d), d);
        let beta = unit_rows(gaussian_vec(&mut rng, d), d);
        let x = gaussian_vec(&mut rng, n * d);
        let tau = self.tau2.sqrt();
        let y: Vec<f64> = (0..n)
            .map(|i| dot(&x[i * d..(i + 1) * d], &beta) + tau * normal(&mut rng))
            .collect();
        // Gram matrix of W, J^2 and the arc-cosine kernel K.
        let mut j2 = vec![0.0; big_n * big_n];
        let mut kern = vec![0.0; big_n * big_n];
        for l in 0..big_n {
            for k in 0..=l {
                let rho = dot(&w[l * d..(l + 1) * d], &w[k * d..(k + 1) * d]).clamp(-1.0, 1.0);
                let ang = PI - rho.acos();
                let jv = rho * ang / (2.0 * PI);
                let kv = ((1.0 - rho * rho).sqrt() + rho * ang) / (2.0 * PI) - 0.5 * FRAC_1_PI;
                j2[l * big_n + k] = jv;
                j2[k * big_n + l] = jv;
                kern[l * big_n + k] = kv;
                kern[k * big_n + l] = kv;
            }
        }
        let shift = 1.0 / (2.0 * PI).sqrt();
        // Features F (n x N), then X~ = F L^{-T}, i.e. X~^T = L^{-1} F^T (J^2 = L L^T on faer).
        let j2 = Matrix::from_fn(big_n, big_n, |l, k| j2[l * big_n + k]);
        let chol = Cholesky::new(&j2, 0.0)?;
        let features_t = Matrix::from_fn(big_n, n, |ell, i| {
            dot(&x[i * d..(i + 1) * d], &w[ell * d..(ell + 1) * d]).max(0.0) - shift
        });
        let xt_t = chol.solve_lower(&features_t)?;
        let xt: Vec<f64> = (0..n * big_n)
            .map(|k| xt_t.get(k % big_n, k / big_n).unwrap_or(f64::NAN))
            .collect();
        let sol = solve_robust_least_squares(&xt, n, big_n, &y, self.eps)?;
        let jnorm = dot(&sol.phi, &sol.phi).sqrt();
        let phi = Matrix::from_fn(big_n, 1, |a, _| sol.phi[a]);
        let theta_m = chol.solve_lower_transpose(&phi)?;
        let theta: Vec<f64> = (0..big_n)
            .map(|a| theta_m.get(a, 0).unwrap_or(f64::NAN))
            .collect();
        let wbeta: Vec<f64> = (0..big_n)
            .map(|ell| dot(&w[ell * d..(ell + 1) * d], &beta))
            .collect();
        let mut quad = 0.0;
        for a in 0..big_n {
            quad += theta[a] * dot(&kern[a * big_n..(a + 1) * big_n], &theta);
        }
        let sr = self.tau2 + 1.0 - dot(&theta, &wbeta) + quad;
        let et = self.eps_test.unwrap_or(self.eps);
        let ar =
            sr + 2.0 * SQRT_2_OVER_PI * et * jnorm * sr.max(0.0).sqrt() + et * et * jnorm * jnorm;
        let m = TrialMetrics {
            standard_error: sr,
            robust_error: ar,
            train_loss: sol.objective,
            zero_residual_fraction: sol.zero_residual_fraction,
            adversarial_norm: self.eps * jnorm,
            newton_steps: sol.newton_steps,
        };
        if [sr, ar, sol.objective].iter().all(|v| v.is_finite()) {
            Ok(m)
        } else {
            Err(Error::NonFinite {
                what: "adversarial RF simulation metrics",
            })
        }
    }
}

/// Unchecked settings of the linear-model simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinearSim {
    /// Dimension $d$ ($\ge 2$).
    pub d: usize,
    /// $\delta = n/d$.
    pub delta: f64,
    /// Noise variance $\sigma_0^2$.
    pub noise_var: f64,
    /// Signal norm $r_0$.
    pub r0: f64,
    /// Training radius.
    pub eps: f64,
    /// Test radius (`None`: $\varepsilon$).
    pub eps_test: Option<f64>,
    /// Trials ($\ge 2$).
    pub trials: usize,
    /// Seed.
    pub seed: u64,
}

impl AdversarialLinearSim {
    /// Validate and run all trials.
    pub fn run(&self) -> Result<AdversarialSimResult> {
        self.validate()?;
        let trials: Result<Vec<TrialMetrics>> = (0..self.trials)
            .into_par_iter()
            .map(|t| self.trial(t))
            .collect();
        collect(trials?)
    }

    fn validate(&self) -> Result<usize> {
        if self.d < 2 {
            return Err(Error::InvalidParameter {
                name: "d",
                value: self.d as f64,
                expected: "an integer >= 2",
            });
        }
        if self.trials < 2 {
            return Err(Error::InvalidParameter {
                name: "trials",
                value: self.trials as f64,
                expected: "an integer >= 2",
            });
        }
        validate::positive("delta", self.delta)?;
        validate::non_negative("noise_var", self.noise_var)?;
        validate::positive("r0", self.r0)?;
        validate::positive("eps", self.eps)?;
        if let Some(e) = self.eps_test {
            validate::non_negative("eps_test", e)?;
        }
        let n = (self.delta * self.d as f64).round();
        if !(1.0..=200_000.0).contains(&n) {
            return Err(Error::InvalidParameter {
                name: "delta",
                value: self.delta,
                expected: "n = round(delta d) in [1, 200000]",
            });
        }
        Ok(n as usize)
    }

    /// Run one trial.
    pub fn trial(&self, trial: usize) -> Result<TrialMetrics> {
        let n = self.validate()?;
        let d = self.d;
        let mut rng = trial_rng(self.seed, trial as u64);
        let theta0: Vec<f64> = unit_rows(gaussian_vec(&mut rng, d), d)
            .into_iter()
            .map(|v| v * self.r0)
            .collect();
        let x = gaussian_vec(&mut rng, n * d);
        let sd = self.noise_var.sqrt();
        let y: Vec<f64> = (0..n)
            .map(|i| dot(&x[i * d..(i + 1) * d], &theta0) + sd * normal(&mut rng))
            .collect();
        let sol = solve_robust_least_squares(&x, n, d, &y, self.eps)?;
        let norm = dot(&sol.phi, &sol.phi).sqrt();
        let err2: f64 = sol
            .phi
            .iter()
            .zip(&theta0)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let sr = self.noise_var + err2;
        let et = self.eps_test.unwrap_or(self.eps) * norm;
        Ok(TrialMetrics {
            standard_error: sr,
            robust_error: sr + 2.0 * SQRT_2_OVER_PI * et * sr.sqrt() + et * et,
            train_loss: sol.objective,
            zero_residual_fraction: sol.zero_residual_fraction,
            adversarial_norm: self.eps * norm,
            newton_steps: sol.newton_steps,
        })
    }
}
