//! Finite-size simulation of adversarial training: random features with the $J$-penalty, and
//! the linear model.
//!
//! # Random features
//!
//! The setting of Hassani & Javanmard, *The curse of overparametrization in adversarial training:
//! precise analysis of robust generalization for random features regression*, Ann. Statist.
//! 52(2), 2024, arXiv:2201.05149.
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
//! All dense algebra runs on the crate's kernel [`crate::linalg`] (faer): the weighted Gram
//! matrix and Cholesky of every Newton system, and the one-off Cholesky $J^2 = LL^\top$ with its
//! two triangular solves ($\tilde X^\top = L^{-1}F^\top$, $\theta = L^{-\top}\phi$). The cost per
//! Newton step is $O(np^2 + p^3)$ with $p$ the number of parameters in the primal form and
//! $O(n^2p + n^3)$ in the dual (Woodbury) form, used when $p \ge n + 2$ ([`NewtonForm`]).
//!
//! # Shape and join
//!
//! [`AdversarialRfSimulation`] and [`AdversarialLinearSimulation`] embed the theory's parameters
//! ([`AdversarialRf`], [`AdversarialLinear`]) and a dimension $d$; `check()` validates the model
//! with the theory's own `check()` (once) and the sizes, and the checked simulator's
//! `run(&RunOptions)` returns an [`AdversarialSimReport`] (`test_risk`, `robust_test_risk`,
//! `train_loss`, `zero_residual_fraction`, `adversarial_norm`). Both simulators implement
//! [`Experiment`]: the theory is evaluated at the realised ratios and the finite-size allowance
//! is described at [`ADVERSARIAL_ALLOWANCE_SCALE`].

use std::f64::consts::{FRAC_1_PI, PI};

use crate::error::{Error, Result, validate};
use crate::experiment::{Experiment, JoinOptions, RunOptions};
use crate::linalg::{Cholesky, Lu, Matrix, dot};
use crate::sim::PointEstimate;
use crate::sim::estimate::Estimate;
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::sim::rng::{TrialRng, normal, trial_rng};
use crate::theory::adversarial::{AdversarialLinear, AdversarialRf};

use crate::gaussian::normal::SQRT_2_OVER_PI;

/// One trial's metrics (exact given the trained model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdversarialTrial {
    /// Test risk $\mathbb E(y - \hat f(x))^2$ (label noise included; the standard, non-robust
    /// risk).
    pub test_risk: f64,
    /// Robust test risk $\mathbb E\max_{\|\delta\|\le\varepsilon_{\rm test}}(y - \hat f(x + \delta))^2$.
    pub robust_test_risk: f64,
    /// Optimal value of the training objective (with $1/(2n)$).
    pub train_loss: f64,
    /// Fraction of training residuals with $|r_i| < 10^{-6}$.
    pub zero_residual_fraction: f64,
    /// $\varepsilon\|J\hat\theta\|$ (linear model: $\varepsilon\|\hat\theta\|$).
    pub adversarial_norm: f64,
    /// Newton steps of the training solve.
    pub newton_steps: usize,
}

/// One trial's metrics under their old names.
///
/// Deprecated: use [`AdversarialTrial`] (`standard_error` is now `test_risk`, `robust_error` is
/// `robust_test_risk`; docs/glossary.md keeps "standard error" for the SE only).
#[deprecated(
    note = "use AdversarialTrial (standard_error -> test_risk, robust_error -> robust_test_risk)"
)]
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

#[allow(deprecated)]
impl From<AdversarialTrial> for TrialMetrics {
    fn from(t: AdversarialTrial) -> Self {
        Self {
            standard_error: t.test_risk,
            robust_error: t.robust_test_risk,
            train_loss: t.train_loss,
            zero_residual_fraction: t.zero_residual_fraction,
            adversarial_norm: t.adversarial_norm,
            newton_steps: t.newton_steps,
        }
    }
}

/// Simulated metrics: each an average over trials with its standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialSimReport {
    /// Test risk (label noise included; the standard, non-robust risk).
    pub test_risk: Estimate,
    /// Robust test risk at $\varepsilon_{\rm test}$.
    pub robust_test_risk: Estimate,
    /// Training loss (with $1/(2n)$).
    pub train_loss: Estimate,
    /// Fraction of zero training residuals.
    pub zero_residual_fraction: Estimate,
    /// $\varepsilon\|J\hat\theta\|$ (linear: $\varepsilon\|\hat\theta\|$).
    pub adversarial_norm: Estimate,
    /// Input dimension $d$.
    pub d: usize,
    /// Number of parameters ($N$ features; $d$ for the linear model).
    pub num_params: usize,
    /// Number of samples $n$.
    pub n: usize,
}

/// Simulated metrics under their old names.
///
/// Deprecated: use [`AdversarialSimReport`] (`standard_error` -> `test_risk`, `robust_error` ->
/// `robust_test_risk`).
#[deprecated(
    note = "use AdversarialSimReport (standard_error -> test_risk, robust_error -> robust_test_risk)"
)]
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

#[allow(deprecated)]
impl From<AdversarialSimReport> for AdversarialSimResult {
    fn from(r: AdversarialSimReport) -> Self {
        Self {
            standard_error: r.test_risk,
            robust_error: r.robust_test_risk,
            train_loss: r.train_loss,
            zero_residual_fraction: r.zero_residual_fraction,
            adversarial_norm: r.adversarial_norm,
        }
    }
}

fn collect(
    trials: &[AdversarialTrial],
    d: usize,
    num_params: usize,
    n: usize,
) -> Result<AdversarialSimReport> {
    let f = |g: fn(&AdversarialTrial) -> f64| Estimate::from_trials(trials.iter().map(g).collect());
    Ok(AdversarialSimReport {
        test_risk: f(|t| t.test_risk)?,
        robust_test_risk: f(|t| t.robust_test_risk)?,
        train_loss: f(|t| t.train_loss)?,
        zero_residual_fraction: f(|t| t.zero_residual_fraction)?,
        adversarial_norm: f(|t| t.adversarial_norm)?,
        d,
        num_params,
        n,
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
/// Each Newton system is solved in the dual (Woodbury) form when $p \ge n + 2$ and in the
/// primal form otherwise ([`NewtonForm::automatic`]); [`solve_robust_least_squares_with`]
/// forces one and reports which was used.
///
/// Errors: [`Error::DimensionMismatch`], [`Error::InvalidParameter`] for $\varepsilon \le 0$,
/// [`Error::NotConverged`] if a smoothing stage does not converge in 100 Newton steps (a stage
/// that reaches the cap with its Newton decrement at the rounding floor, at most $10^{-9} f$,
/// and $f$ unchanged to $10^{-14}$ relative over the last 10 steps counts as converged).
pub fn solve_robust_least_squares(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    eps: f64,
) -> Result<RobustLsSolution> {
    Ok(solve_robust_least_squares_with(x, n, p, y, eps, NewtonChoice::Automatic)?.solution)
}

/// How a Newton system of adversarial least squares is solved.
///
/// The Newton system of [`solve_robust_least_squares`] at the smoothing $\mu$ is (module
/// documentation; $p_\phi = \phi/t$, $t = \sqrt{\|\phi\|^2 + \mu^2}$, $a_i = \sqrt{r_i^2 + \mu^2}$,
/// $s_i = a_i + \varepsilon t$, $u_i = r_i/a_i$)
///
/// $$H = \tilde W^\top\tilde W + cI_p + VCV^\top,\qquad
///   \tilde W = \mathrm{diag}\Big(\sqrt{(u_i^2 + s_i\mu^2/a_i^3)/n}\Big)\tilde X,\quad
///   c = \frac{\varepsilon\sum_i s_i}{tn} > 0,$$
///
/// $$V = [\tilde X^\top u,\ p_\phi] \in \mathbb R^{p\times 2},\qquad
///   C = \begin{pmatrix}0 & -\varepsilon/n\\ -\varepsilon/n & \varepsilon^2 - c\end{pmatrix}.$$
///
/// $H$ is positive definite (the smoothed objective is strictly convex), $C$ is indefinite.
///
/// **Primal**: form $H$ ($p\times p$, the lower triangle of the Gram product, $np^2$ flops) and
/// factor it by Cholesky ($p^3/3$).
///
/// **Dual**: with $B = \tilde W^\top\tilde W + cI_p$, the push-through identity
/// $B^{-1}v = \big(v - \tilde W^\top K^{-1}\tilde Wv\big)/c$ needs only the $n\times n$
/// capacitance $K = cI_n + \tilde W\tilde W^\top$ ($n^2p$ flops for the Gram product, $n^3/3$ for
/// its Cholesky factor), and the Sherman–Morrison–Woodbury identity
/// $H^{-1} = B^{-1} - B^{-1}V\,(I_2 + CV^\top B^{-1}V)^{-1}\,CV^\top B^{-1}$ adds the rank-two
/// part with a $2\times 2$ system solved by LU with partial pivoting (W. W. Hager, *Updating
/// the inverse of a matrix*, SIAM Review 31(2), 1989).
///
/// Accuracy (docs/simulation.md, "Adversarial training: the dual Newton step"). The primal form is backward stable
/// (Cholesky), so its forward error is of order $\epsilon_{\rm mach}\operatorname{cond}(H)$. The
/// dual form's push-through subtraction $v - \tilde W^\top K^{-1}\tilde Wv$ cancels: it loses
/// about $\epsilon_{\rm mach}\|\tilde W\|^2\|B^{-1}v\|$, i.e. $\epsilon_{\rm mach}\|\tilde W\|^2/c$
/// relative after the division by $c$. When $p \ge n + 2$ that is of the order of
/// $\epsilon_{\rm mach}\operatorname{cond}(H)$, because $H$ then has an eigenvalue at most $c$
/// (a direction orthogonal to every $\tilde x_i$ and to $\phi$ exists, and $H$ acts on it as
/// $cI$) and $\lambda_{\max}(H) \approx \|\tilde W\|^2$: a small $c$ makes both forms
/// inaccurate alike. When $p \le n + 1$ it is not: $\lambda_{\min}(H)$ can be of the order of
/// $\sigma_{\min}(\tilde W)^2 \gg c$ and the dual form then loses a factor
/// $\sigma_{\min}(\tilde W)^2/c$ more (measured: $10^{11}$ times $\epsilon_{\rm mach}\operatorname{cond}(H)$ at
/// $p = n = 40$, $\varepsilon = 10^{-3}$). Hence the dual form is used automatically only for
/// $p \ge n + 2$, and every dual step is checked: the normwise backward error
/// $\eta = \|Hd + g\|/(\|H\|\|d\| + \|g\|)$ (J. L. Rigal and J. Gaches, J. ACM 14, 1967;
/// $\|H\|$ bounded by $\|\tilde W\|_F^2 + c + \|VCV^\top\|_F$, $Hd$ applied in factored form in
/// $O(np)$) is reduced by up to two steps of iterative refinement with the same factors, and
/// the step is accepted if it is finite, a descent direction and $\eta \le 10^{-10}$ or, when
/// $p \ge n + 2$, $\eta \le 64\,\epsilon_{\rm mach}\|H\|/c$ (the cancellation bound above).
/// Otherwise, or when $K$ or the $2\times 2$ system is numerically singular, the step is solved
/// in the primal form ([`RobustLsReport::fallback_steps`]).
///
/// Cost rule: [`NewtonForm::automatic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NewtonForm {
    /// The $p\times p$ Hessian by Cholesky, $np^2 + p^3/3$ flops a step.
    Primal,
    /// The $n\times n$ capacitance by Cholesky and a $2\times2$ Woodbury step, $n^2p + n^3/3$
    /// flops a step.
    Dual,
}

impl NewtonForm {
    /// The form [`solve_robust_least_squares`] uses for $n$ samples and $p$ parameters: the
    /// dual iff $p \ge n + 2$.
    ///
    /// By flops the dual form is cheaper iff $n^2p + n^3/3 < np^2 + p^3/3$, i.e. iff $p > n$.
    /// Measured (benches/adversarial.rs, group `adversarial_newton_form`: a whole solve with
    /// every Newton system forced into one form, $n = 100$, Gaussian design,
    /// docs/performance.d/s6-adv17.md) the time ratio primal/dual is 0.37, 0.62, 1.4, 2.3, 2.6
    /// and 6.2 at $p/n = 0.25, 0.5, 1, 1.5, 2, 4$: the measured crossover is near $p/n = 0.75$,
    /// a little below the flop rule's. The dual form is nevertheless not used at $p \le n + 1$,
    /// where its error is not bounded by $\epsilon_{\rm mach}\operatorname{cond}(H)$ (see
    /// [`NewtonForm`]). At $p \le n + 1$ the solver is therefore the primal solver as it was
    /// before the dual form existed (bit-identical results).
    pub fn automatic(n: usize, p: usize) -> Self {
        if p >= n + 2 { Self::Dual } else { Self::Primal }
    }

    /// The flops of one Newton system in this form (leading terms: the Gram product on one
    /// triangle and the Cholesky factorisation), for $n$ samples and $p$ parameters.
    pub fn flops(self, n: usize, p: usize) -> f64 {
        let (n, p) = (n as f64, p as f64);
        match self {
            Self::Primal => n * p * p + p * p * p / 3.0,
            Self::Dual => n * n * p + n * n * n / 3.0,
        }
    }

    /// `"primal"` or `"dual"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Primal => "primal",
            Self::Dual => "dual",
        }
    }
}

/// Which [`NewtonForm`] [`solve_robust_least_squares_with`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NewtonChoice {
    /// [`NewtonForm::automatic`] (the default, as [`solve_robust_least_squares`]).
    #[default]
    Automatic,
    /// Always the primal form (the solver as it was before the dual form).
    Primal,
    /// Always the dual form (each step still falls back to the primal form when its check
    /// fails; see [`NewtonForm`]).
    Dual,
}

impl NewtonChoice {
    /// The form chosen for $n$ samples and $p$ parameters.
    pub fn form(self, n: usize, p: usize) -> NewtonForm {
        match self {
            Self::Automatic => NewtonForm::automatic(n, p),
            Self::Primal => NewtonForm::Primal,
            Self::Dual => NewtonForm::Dual,
        }
    }
}

/// [`solve_robust_least_squares_with`]'s result: the solution and how its Newton systems were
/// solved.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RobustLsReport {
    /// The solution (as [`solve_robust_least_squares`] returns it).
    pub solution: RobustLsSolution,
    /// The form chosen for the problem's sizes ([`NewtonChoice::form`]).
    pub form: NewtonForm,
    /// Newton systems solved in the primal form (including the fallbacks).
    pub primal_steps: usize,
    /// Newton systems solved in the dual form.
    pub dual_steps: usize,
    /// Dual steps that failed their check and were solved in the primal form instead.
    pub fallback_steps: usize,
}

/// [`solve_robust_least_squares`] with the Newton form chosen by `choice`, reporting which form
/// solved each Newton system.
///
/// Both forms minimise the same objective and stop by the same tests, so they return the same
/// minimiser to the solver's tolerance (objective to about $10^{-10}$ relative); at $p \le n$
/// with [`NewtonChoice::Automatic`], and always with [`NewtonChoice::Primal`], the result is
/// bit-identical to the primal solver.
///
/// Errors: as [`solve_robust_least_squares`].
pub fn solve_robust_least_squares_with(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    eps: f64,
    choice: NewtonChoice,
) -> Result<RobustLsReport> {
    solve_impl(x, n, p, y, eps, choice, &mut |_, _| {})
}

/// The quantities of one Newton step at $(\phi, \mu)$ (see [`NewtonForm`] for the notation).
struct NewtonTerms {
    /// The gradient.
    g: Vec<f64>,
    /// $\tilde X^\top u$.
    xu: Vec<f64>,
    /// The row weights $\sqrt{(u_i^2 + s_i\mu^2/a_i^3)/n}$ of $\tilde W$.
    sqrt_w: Vec<f64>,
    /// $\sum_i s_i$.
    sum_s: f64,
    /// $t = \sqrt{\|\phi\|^2 + \mu^2}$.
    t: f64,
    /// $c = \varepsilon\sum_i s_i/(tn)$.
    iso: f64,
}

#[allow(clippy::too_many_arguments)]
fn newton_terms(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    eps: f64,
    mu: f64,
    phi: &[f64],
) -> NewtonTerms {
    let nf = n as f64;
    let r = residuals(x, n, p, y, phi);
    let t = (dot(phi, phi) + mu * mu).sqrt();
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
    let iso = eps * sum_s / (t * nf);
    NewtonTerms {
        g,
        xu,
        sqrt_w,
        sum_s,
        t,
        iso,
    }
}

/// The primal Newton step $-H^{-1}g$: $H$ formed in `hess` from the weighted design
/// `weighted` ($\tilde W$, $n\times p$) and factored by Cholesky.
fn primal_step(
    weighted: &Matrix,
    hess: &mut Matrix,
    terms: &NewtonTerms,
    phi: &[f64],
    eps: f64,
    nf: f64,
) -> Result<Vec<f64>> {
    weighted.gram_into(1.0, hess)?;
    primal_solve(hess, terms, phi, eps, nf)
}

/// Add the rank-two and isotropic terms to the Gram matrix in `hess` and solve.
fn primal_solve(
    hess: &mut Matrix,
    terms: &NewtonTerms,
    phi: &[f64],
    eps: f64,
    nf: f64,
) -> Result<Vec<f64>> {
    let g = &terms.g;
    let p = g.len();
    assemble_hessian(hess, terms, phi, eps, nf);
    let chol = Cholesky::new(hess, 0.0)?;
    let step_m = chol.solve(&Matrix::from_fn(p, 1, |c, _| -g[c]))?;
    Ok((0..p)
        .map(|c| step_m.get(c, 0).unwrap_or(f64::NAN))
        .collect())
}

/// $H$ from the Gram matrix $\tilde W^\top\tilde W$ in `hess`: add the rank-two and isotropic
/// terms.
fn assemble_hessian(hess: &mut Matrix, terms: &NewtonTerms, phi: &[f64], eps: f64, nf: f64) {
    let NewtonTerms {
        xu, sum_s, t, iso, ..
    } = terms;
    let (sum_s, t, iso) = (*sum_s, *t, *iso);
    hess.map_indexed_in_place(|c, k, g| {
        let (pc, pk) = (phi[c] / t, phi[k] / t);
        let low_rank = (-eps * (xu[c] * pk + pc * xu[k]) + nf * eps * eps * pc * pk
            - eps * sum_s * pc * pk / t)
            / nf;
        g + low_rank + if c == k { iso } else { 0.0 }
    });
}

/// Normwise backward error below which a dual step is accepted as it is.
const DUAL_ACCEPT: f64 = 1e-13;
/// Normwise backward error above which a dual step, after one refinement, is redone in the
/// primal form.
const DUAL_FALLBACK: f64 = 1e-10;
/// Steps of iterative refinement at most.
const DUAL_REFINEMENTS: usize = 2;

/// The factored dual form of one Newton system (see [`NewtonForm`]).
struct DualSystem<'a> {
    /// $\tilde W^\top$ ($p\times n$).
    wt: &'a Matrix,
    /// Cholesky factor of $K = cI_n + \tilde W\tilde W^\top$.
    chol: Cholesky,
    c: f64,
    c12: f64,
    c22: f64,
    xu: &'a [f64],
    pv: Vec<f64>,
}

impl DualSystem<'_> {
    /// $B^{-1}R$ column by column, $B = \tilde W^\top\tilde W + cI_p$, by the push-through
    /// identity.
    fn b_inv(&self, rhs: &Matrix) -> Result<Matrix> {
        let z = self.chol.solve(&self.wt.matmul_tn(rhs, 1.0)?)?;
        let wz = self.wt.matmul(&z, 1.0)?;
        let c = self.c;
        let mut out = rhs.clone();
        for j in 0..out.ncols() {
            for (o, v) in out.col_mut(j).iter_mut().zip(wz.col(j)) {
                *o = (*o - v) / c;
            }
        }
        Ok(out)
    }

    /// $Hv$ in factored form ($O(np)$).
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>> {
        let vm = Matrix::from_fn(v.len(), 1, |i, _| v[i]);
        let wv = self.wt.matmul_tn(&vm, 1.0)?;
        let wwv = self.wt.matmul(&wv, 1.0)?;
        let (a, b) = (dot(self.xu, v), dot(&self.pv, v));
        let (cx, cp) = (self.c12 * b, self.c12 * a + self.c22 * b);
        Ok(wwv
            .col(0)
            .iter()
            .zip(v)
            .zip(self.xu.iter().zip(&self.pv))
            .map(|((w, vi), (x, q))| w + self.c * vi + cx * x + cp * q)
            .collect())
    }
}

/// The outcome of a dual step: the direction and its backward error, or `None` when the step
/// must be redone in the primal form.
struct DualStep {
    d: Vec<f64>,
    /// $\eta = \|Hd + g\|/(\|H\|\|d\| + \|g\|)$.
    backward_error: f64,
    /// The largest acceptable backward error.
    tolerance: f64,
    /// $-g^\top d > 0$.
    descent: bool,
}

impl DualStep {
    /// Whether the step passes the check of [`NewtonForm`]: finite, a descent direction, and a
    /// backward error at most [`DUAL_FALLBACK`] or, when $p \ge n + 2$, at most the cancellation
    /// bound $64\,\epsilon_{\rm mach}\|H\|/c$ (of the order of $\epsilon_{\rm mach}\operatorname{cond}(H)$
    /// there, the primal form's own forward error).
    fn reliable(&self) -> bool {
        self.d.iter().all(|v| v.is_finite())
            && self.descent
            && self.backward_error <= self.tolerance
    }
}

/// The dual Newton step $-H^{-1}g$ from $\tilde W^\top$ (`wt`, $p\times n$, already weighted),
/// with `cap` the $n\times n$ work matrix; `None` if the factored form is unreliable here.
fn dual_step(
    wt: &Matrix,
    cap: &mut Matrix,
    terms: &NewtonTerms,
    phi: &[f64],
    eps: f64,
    nf: f64,
) -> Result<Option<DualStep>> {
    let p = terms.g.len();
    let c = terms.iso;
    wt.gram_into(1.0, cap)?;
    cap.add_to_diagonal(c);
    let Ok(chol) = Cholesky::new(cap, 0.0) else {
        return Ok(None);
    };
    let sys = DualSystem {
        wt,
        chol,
        c,
        c12: -eps / nf,
        c22: eps * eps - c,
        xu: &terms.xu,
        pv: phi.iter().map(|v| v / terms.t).collect(),
    };
    let rhs = Matrix::from_fn(p, 3, |i, j| match j {
        0 => -terms.g[i],
        1 => terms.xu[i],
        _ => sys.pv[i],
    });
    let q = sys.b_inv(&rhs)?;
    let (q1, q2) = (q.col(1), q.col(2));
    // S = I + C V^T B^{-1} V (2 x 2, non-symmetric), by LU with partial pivoting.
    let m = [
        [dot(&terms.xu, q1), dot(&terms.xu, q2)],
        [dot(&sys.pv, q1), dot(&sys.pv, q2)],
    ];
    let (c12, c22) = (sys.c12, sys.c22);
    let s = [
        1.0 + c12 * m[1][0],
        c12 * m[1][1],
        c12 * m[0][0] + c22 * m[1][0],
        1.0 + c12 * m[0][1] + c22 * m[1][1],
    ];
    let Ok(lu) = Lu::from_row_major(2, &s, 1e-14) else {
        return Ok(None);
    };
    // d = q0 - [q1 q2] S^{-1} C V^T q0, for the right-hand side in column 0 of `qs`.
    let smw = |qs: &Matrix| -> Result<Vec<f64>> {
        let q0 = qs.col(0);
        let w = [dot(&terms.xu, q0), dot(&sys.pv, q0)];
        let z = lu.solve(&[c12 * w[1], c12 * w[0] + c22 * w[1]])?;
        Ok((0..p)
            .map(|i| q0[i] - q1[i] * z[0] - q2[i] * z[1])
            .collect())
    };
    let Ok(mut d) = smw(&q) else {
        return Ok(None);
    };
    // ||H|| bounded by ||W||_F^2 + c + ||V C V^T||_F.
    let (nx, np) = (
        dot(&terms.xu, &terms.xu).sqrt(),
        dot(&sys.pv, &sys.pv).sqrt(),
    );
    let h_norm = wt.frobenius_sq() + c + 2.0 * c12.abs() * nx * np + c22.abs() * np * np;
    let g_norm = dot(&terms.g, &terms.g).sqrt();
    let residual = |d: &[f64]| -> Result<(Vec<f64>, f64)> {
        let hd = sys.apply(d)?;
        let r: Vec<f64> = hd.iter().zip(&terms.g).map(|(h, g)| -g - h).collect();
        let eta = dot(&r, &r).sqrt() / (h_norm * dot(d, d).sqrt() + g_norm).max(f64::MIN_POSITIVE);
        Ok((r, eta))
    };
    let (mut r, mut eta) = residual(&d)?;
    for _ in 0..DUAL_REFINEMENTS {
        if eta <= DUAL_ACCEPT {
            break;
        }
        // Iterative refinement with the same factors.
        let correction = sys.b_inv(&Matrix::from_fn(p, 1, |i, _| r[i]))?;
        let Ok(delta) = smw(&correction) else {
            break;
        };
        let refined: Vec<f64> = d.iter().zip(&delta).map(|(a, b)| a + b).collect();
        let (r_refined, eta_refined) = residual(&refined)?;
        // Stop unless the refinement helped (a NaN backward error never helps).
        if eta_refined.partial_cmp(&eta) != Some(std::cmp::Ordering::Less) {
            break;
        }
        d = refined;
        r = r_refined;
        eta = eta_refined;
    }
    let n = cap.nrows();
    let tolerance = if p >= n + 2 {
        DUAL_FALLBACK.max(64.0 * f64::EPSILON * h_norm / c)
    } else {
        DUAL_FALLBACK
    };
    let descent = -dot(&terms.g, &d) > 0.0;
    Ok(Some(DualStep {
        d,
        backward_error: eta,
        tolerance,
        descent,
    }))
}

/// The solver, with `inspect(phi, mu)` called before every Newton step (the tests compare the
/// two forms along the solver's own path).
#[allow(clippy::too_many_arguments)]
fn solve_impl(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    eps: f64,
    choice: NewtonChoice,
    inspect: &mut dyn FnMut(&[f64], f64),
) -> Result<RobustLsReport> {
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
    let form = choice.form(n, p);
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
        return Ok(RobustLsReport {
            solution: RobustLsSolution {
                objective: exact_objective(y, eps, &zero),
                zero_residual_fraction: y.iter().filter(|v| v.abs() < 1e-6).count() as f64 / nf,
                phi: zero,
                newton_steps: 0,
            },
            form,
            primal_steps: 0,
            dual_steps: 0,
            fallback_steps: 0,
        });
    }
    let scale = (dot(y, y) / nf).sqrt().max(1e-300);
    // Start from a small multiple of the matched filter.
    let mut phi: Vec<f64> = xty.iter().map(|v| 0.1 * v / (nf * scale)).collect();
    let mut steps = 0;
    let (mut primal_steps, mut dual_steps, mut fallback_steps) = (0, 0, 0);
    // Work matrices reused by every Newton step (a fresh n x p and p x p per step made the
    // allocator return and re-fault their pages: millions of page faults per curve). The
    // primal form works on the design (n x p) and the p x p Hessian, the dual on its transpose
    // (p x n, the row-major x read column-major) and the n x n capacitance; each only
    // allocates its own.
    let mut primal_work: Option<(Matrix, Matrix, Matrix)> = None;
    let mut dual_work: Option<(Matrix, Matrix, Matrix)> = None;
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
        // The objective and Newton decrement of the last steps, for the rounding-floor test
        // when the step cap is reached.
        let mut recent_f = std::collections::VecDeque::with_capacity(STALL_WINDOW + 1);
        let mut last_decrement_sq = f64::INFINITY;
        for _ in 0..100 {
            steps += 1;
            recent_f.push_back(f_cur);
            if recent_f.len() > STALL_WINDOW {
                recent_f.pop_front();
            }
            inspect(&phi, mu);
            let terms = newton_terms(x, n, p, y, eps, mu, &phi);
            let mut dual = None;
            if form == NewtonForm::Dual {
                let (design_t, weighted_t, cap) = dual_work.get_or_insert_with(|| {
                    (
                        Matrix::from_fn(p, n, |c, i| x[i * p + c]),
                        Matrix::zeros(p, n),
                        Matrix::zeros(n, n),
                    )
                });
                weighted_t.copy_from(design_t)?;
                let sqrt_w = &terms.sqrt_w;
                weighted_t.map_indexed_in_place(|_, i, v| v * sqrt_w[i]);
                dual =
                    dual_step(weighted_t, cap, &terms, &phi, eps, nf)?.filter(DualStep::reliable);
                if dual.is_none() {
                    fallback_steps += 1;
                }
            }
            let d = match dual {
                Some(step) => {
                    dual_steps += 1;
                    step.d
                }
                None if dual_work.is_some() => {
                    // A dual step that failed its check: the primal Hessian from the weighted
                    // transpose already at hand (no n x p copies).
                    primal_steps += 1;
                    let Some((_, weighted_t, _)) = &dual_work else {
                        return Err(Error::NonFinite {
                            what: "dual Newton work matrices",
                        });
                    };
                    let mut hess = weighted_t.gram_rows(1.0);
                    primal_solve(&mut hess, &terms, &phi, eps, nf)?
                }
                None => {
                    primal_steps += 1;
                    let (design, weighted, hess) = primal_work.get_or_insert_with(|| {
                        let design = Matrix::from_fn(n, p, |i, c| x[i * p + c]);
                        (design.clone(), design, Matrix::zeros(p, p))
                    });
                    weighted.copy_from(design)?;
                    weighted.scale_rows(&terms.sqrt_w)?;
                    primal_step(weighted, hess, &terms, &phi, eps, nf)?
                }
            };
            let g = &terms.g;
            let decrement_sq: f64 = -dot(g, &d);
            if !decrement_sq.is_finite() {
                return Err(Error::NonFinite {
                    what: "Newton decrement in adversarial least squares",
                });
            }
            last_decrement_sq = decrement_sq;
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
        if !converged && recent_f.len() == STALL_WINDOW {
            // Step cap reached: accept a rounding floor, i.e. a decrement at the level of f's
            // own precision (the same floor as a failed line search) while f has stopped
            // moving (relative change below 1e-14 over the last STALL_WINDOW steps). Seen at
            // n = 1400, p = 700, smoothing 1e-12: the decrement stalls at 1.35e-13 f, just above
            // the 1e-13 target, because the gradient's rounding (a sum of n terms) is larger.
            let oldest = recent_f.front().copied().unwrap_or(f_cur);
            let moved = (oldest - f_cur).abs() / f_cur.abs().max(1e-300);
            converged = last_decrement_sq <= 1e-9 * f_cur.max(1e-300) && moved <= 1e-14;
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
    Ok(RobustLsReport {
        solution: RobustLsSolution {
            objective: exact_objective(&r, eps, &phi),
            zero_residual_fraction: r.iter().filter(|v| v.abs() < 1e-6).count() as f64 / nf,
            phi,
            newton_steps: steps,
        },
        form,
        primal_steps,
        dual_steps,
        fallback_steps,
    })
}

/// Steps over which a stalled objective is measured by the rounding-floor test of
/// [`solve_robust_least_squares`].
const STALL_WINDOW: usize = 10;

/// Largest number of features $N$ of the random-features simulation.
const MAX_FEATURES: usize = 20_000;
/// Largest number of samples $n$.
const MAX_SAMPLES: usize = 200_000;

/// The metrics of the adversarial simulations, primary (`robust_test_risk`) first.
pub const ADVERSARIAL_METRICS: [&str; 5] = [
    "robust_test_risk",
    "test_risk",
    "train_loss",
    "zero_residual_fraction",
    "adversarial_norm",
];

/// Relative weight of each metric's finite-size allowance, in the order of
/// [`ADVERSARIAL_METRICS`]: metric $m$ is allowed $w_m\,c\,|R_m|/d$ of finite-size bias (with
/// $c$ = [`JoinOptions::finite_size_constant`], default 3), except `zero_residual_fraction`, a
/// proportion that is often exactly 0 in the limit, which is allowed $w\,c/d$ absolute.
///
/// Measured (docs/simulation.md, "Adversarial training: finite-size gap"): at
/// $\psi_1 = 2$, $\psi_2 = 2$, $\tau^2 = 0.25$, $\varepsilon = 0.3$ and at $\psi_1 = 0.5$,
/// $\varepsilon = 0.6$ the relative gaps $d\,|\bar R_{\rm sim} - R|/|R|$ of the two test risks
/// stay below 2 at $d = 50, 100, 200$ and shrink with $d$, so $w = 1$ (allowance $3|R|/d$);
/// the training loss and $\varepsilon\|J\hat\theta\|$ have gaps up to about twice as large
/// (the notes' tolerances at $d = 100$ were 5 % and 6 %), hence $w = 2$; the zero-residual
/// fraction has absolute gaps below $1/d$, $w = 1$ gives $3/d$.
pub const ADVERSARIAL_ALLOWANCE_SCALE: [f64; 5] = [1.0, 1.0, 2.0, 1.0, 2.0];

fn adversarial_allowances(theory: &[f64], c: f64, d: usize) -> Result<Vec<f64>> {
    if theory.len() != ADVERSARIAL_METRICS.len() {
        return Err(Error::DimensionMismatch {
            what: "adversarial theory values",
            expected: ADVERSARIAL_METRICS.len(),
            found: theory.len(),
        });
    }
    theory
        .iter()
        .zip(ADVERSARIAL_ALLOWANCE_SCALE)
        .enumerate()
        .map(|(i, (&t, w))| {
            let scale = if i == 3 { 1.0 } else { t };
            Ok(crate::compare::finite_size_allowance(scale, w * c, d)?.max(1e-9))
        })
        .collect()
}

fn round_size(
    name: &'static str,
    ratio: f64,
    d: usize,
    max: usize,
    expected: &'static str,
) -> Result<usize> {
    let size = (ratio * d as f64).round();
    if size >= 1.0 && size <= max as f64 {
        Ok(size as usize)
    } else {
        Err(Error::InvalidParameter {
            name,
            value: ratio,
            expected,
        })
    }
}

/// One trial, for the address-limit check of `check()`.
const ONE_TRIAL: RunOptions = RunOptions {
    seed: 0,
    trials: 1,
    progress: false,
};

fn check_dimension(d: usize) -> Result<()> {
    if d < 2 {
        return Err(Error::InvalidParameter {
            name: "d",
            value: d as f64,
            expected: "an integer >= 2",
        });
    }
    Ok(())
}

/// Unchecked settings of the adversarial random-features simulation: the theory's parameters
/// ([`AdversarialRf`], nominal ratios) and the input dimension.
///
/// ```
/// use overparam::experiment::{JoinOptions, RunOptions, join};
/// use overparam::sim::adversarial::AdversarialRfSimulation;
/// use overparam::theory::adversarial::AdversarialRf;
/// let model = AdversarialRf { psi1: 1.0, psi2: 2.0, noise_sd: 0.5, eps: 0.3, ..Default::default() };
/// let sim = AdversarialRfSimulation { model, d: 30 }.check()?;
/// let joined = join(&sim, &RunOptions { seed: 5, trials: 4, progress: false }, &JoinOptions::default())?;
/// assert_eq!(joined.metrics[0].name, "robust_test_risk");
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRfSimulation {
    /// The model: $\psi_1$, $\psi_2$ (nominal; $N = \mathrm{round}(\psi_1 d)$,
    /// $n = \mathrm{round}(\psi_2 d)$), the label noise `noise_sd` $= \tau$, $\varepsilon$,
    /// $\varepsilon_{\rm test}$.
    pub model: AdversarialRf,
    /// Input dimension $d \ge 2$.
    pub d: usize,
}

impl AdversarialRfSimulation {
    /// Validate the model ([`AdversarialRf::check`]) and the sizes ($d \ge 2$,
    /// $1 \le N \le 20000$, $1 \le n \le 200000$).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field; [`Error::MemoryBudget`]
    /// (`d`) if the sizes overflow any allocation (more than `isize::MAX` bytes per trial).
    pub fn check(&self) -> Result<AdversarialRfSimulator> {
        let tau2 = self.model.check()?.tau2();
        check_dimension(self.d)?;
        let num_features = round_size(
            "psi1",
            self.model.psi1,
            self.d,
            MAX_FEATURES,
            "N = round(psi1 d) in [1, 20000]",
        )?;
        let n = round_size(
            "psi2",
            self.model.psi2,
            self.d,
            MAX_SAMPLES,
            "n = round(psi2 d) in [1, 200000]",
        )?;
        let sim = AdversarialRfSimulator {
            model: self.model.clone(),
            tau2,
            d: self.d,
            num_features,
            n,
        };
        // Sizes whose products overflow any allocation ($nd$ with $d$ near $2^{64}$) are refused
        // here, before `trial` could be called; the budget comes with the run options.
        sim.memory_estimate(&ONE_TRIAL).check_addressable()?;
        Ok(sim)
    }
}

/// A validated adversarial random-features simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialRfSimulator {
    model: AdversarialRf,
    /// The resolved label-noise variance $\tau^2$ ([`crate::theory::adversarial::AdversarialRfModel::tau2`]).
    tau2: f64,
    d: usize,
    num_features: usize,
    n: usize,
}

impl AdversarialRfSimulator {
    /// Input dimension $d$.
    pub fn d(&self) -> usize {
        self.d
    }
    /// Number of features $N$.
    pub fn num_features(&self) -> usize {
        self.num_features
    }
    /// Number of samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The model (nominal ratios).
    pub fn model(&self) -> &AdversarialRf {
        &self.model
    }
    /// The form of the training solver's Newton steps at these sizes,
    /// [`NewtonForm::automatic`]`(n, N)` (individual dual steps may fall back to the primal
    /// form; [`RobustLsReport`]).
    pub fn newton_form(&self) -> NewtonForm {
        NewtonForm::automatic(self.n, self.num_features)
    }
    /// The model at the realised ratios $N/d$, $n/d$.
    pub fn realised_model(&self) -> AdversarialRf {
        AdversarialRf {
            psi1: self.num_features as f64 / self.d as f64,
            psi2: self.n as f64 / self.d as f64,
            ..self.model.clone()
        }
    }

    /// Run `run.trials` ($\ge 2$) trials in parallel; trial $k$ draws from
    /// [`trial_rng`]`(seed, k)`, so the result does not depend on the thread count.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than 2 trials; those of the
    /// training solver ([`solve_robust_least_squares`]).
    ///
    /// The run is refused before allocating, with [`Error::MemoryBudget`] naming `d`, when
    /// [`Self::memory_estimate`] is over the default budget ([`MemoryBudget::default`], half of
    /// the physical memory); [`Self::run_with_budget`] takes another.
    pub fn run(&self, run: &RunOptions) -> Result<AdversarialSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: [`Error::MemoryBudget`] (`d`) if [`Self::memory_estimate`] is over `budget`;
    /// those of [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<AdversarialSimReport> {
        budget.check(&self.memory_estimate(run))?;
        let trials = crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "adversarial rf", |k| {
            self.trial(run.seed, k)
        })?;
        collect(&trials, self.d, self.num_features, self.n)
    }

    /// The peak memory of [`Self::run`] under `run`, from the arrays a trial holds at once
    /// (8 bytes an entry): the weights $W$ and inputs $X$ ($(N + n)d$); $J^2$ and the kernel
    /// as arrays, $J^2$ as a matrix, its Cholesky factor, the training loss's Hessian and its
    /// factor ($6N^2$); the features $F^\top$, $\tilde X^\top$, $\tilde X$ row-major, and the
    /// solver's design and weighted copy ($5nN$); in the dual Newton form ($N \ge n + 2$) the
    /// design's transpose and weighted copy replace the latter, its $n\times n$ capacitance adds
    /// $n^2$ and a step that falls back uses the Hessian's $2N^2$. Trials at once:
    /// $\min(\text{trials}, \text{rayon threads})$. See [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (big_n, n, d) = (self.num_features, self.n, self.d);
        let mut entries =
            memory::mul(big_n + n, d) + 6 * memory::mul(big_n, big_n) + 5 * memory::mul(n, big_n);
        if self.newton_form() == NewtonForm::Dual {
            // The dual form's capacitance, alive when a step falls back to the primal form.
            entries += memory::mul(n, n);
        }
        MemoryEstimate::new("d", entries * memory::F64, 0, 128, run)
    }

    /// Run trial `trial` of a run seeded with `seed` (deterministic in `(seed, trial)`).
    ///
    /// Errors: those of the training solver; [`Error::NonFinite`].
    pub fn trial(&self, seed: u64, trial: u64) -> Result<AdversarialTrial> {
        let (big_n, n, d) = (self.num_features, self.n, self.d);
        let tau2 = self.tau2;
        let eps = self.model.eps;
        let mut rng = trial_rng(seed, trial);
        let w = unit_rows(gaussian_vec(&mut rng, big_n * d), d);
        let beta = unit_rows(gaussian_vec(&mut rng, d), d);
        let x = gaussian_vec(&mut rng, n * d);
        let tau = tau2.sqrt();
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
        let sol = solve_robust_least_squares(&xt, n, big_n, &y, eps)?;
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
        let sr = tau2 + 1.0 - dot(&theta, &wbeta) + quad;
        let et = self.model.eps_test.unwrap_or(eps);
        let ar =
            sr + 2.0 * SQRT_2_OVER_PI * et * jnorm * sr.max(0.0).sqrt() + et * et * jnorm * jnorm;
        let m = AdversarialTrial {
            test_risk: sr,
            robust_test_risk: ar,
            train_loss: sol.objective,
            zero_residual_fraction: sol.zero_residual_fraction,
            adversarial_norm: eps * jnorm,
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

impl Experiment for AdversarialRfSimulator {
    /// [`ADVERSARIAL_METRICS`]: `robust_test_risk` (primary), `test_risk`, `train_loss`,
    /// `zero_residual_fraction`, `adversarial_norm`.
    fn metric_names(&self) -> &'static [&'static str] {
        &ADVERSARIAL_METRICS
    }
    /// $d$.
    fn size(&self) -> usize {
        self.d
    }
    /// Hassani–Javanmard Theorem 4.2 at the realised ratios.
    fn theory_realised(&self) -> Result<Vec<f64>> {
        let s = self.realised_model().check()?.solve()?;
        Ok(vec![
            s.robust_test_risk,
            s.test_risk,
            s.train_loss,
            s.zero_residual_fraction,
            s.adversarial_norm,
        ])
    }
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>> {
        Ok(report_estimates(&self.run(run)?))
    }
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        AdversarialRfSimulator::memory_estimate(self, run)
    }
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        Ok(report_estimates(&self.run_with_budget(run, budget)?))
    }
    /// See [`ADVERSARIAL_ALLOWANCE_SCALE`].
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> Result<Vec<f64>> {
        adversarial_allowances(theory, options.finite_size_constant, self.d)
    }
}

fn report_estimates(r: &AdversarialSimReport) -> Vec<PointEstimate> {
    [
        &r.robust_test_risk,
        &r.test_risk,
        &r.train_loss,
        &r.zero_residual_fraction,
        &r.adversarial_norm,
    ]
    .into_iter()
    .map(PointEstimate::from)
    .collect()
}

/// Unchecked settings of the adversarially trained linear model's simulation: the theory's
/// parameters ([`AdversarialLinear`], nominal $\delta$) and the dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinearSimulation {
    /// The model: $\delta = n/d$ (nominal; $n = \mathrm{round}(\delta d)$), $\sigma_0^2$, $r_0$,
    /// $\varepsilon$, $\varepsilon_{\rm test}$.
    pub model: AdversarialLinear,
    /// Dimension $d \ge 2$.
    pub d: usize,
}

impl AdversarialLinearSimulation {
    /// Validate the model ([`AdversarialLinear::check`]) and the sizes ($d \ge 2$,
    /// $1 \le n \le 200000$).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field; [`Error::MemoryBudget`]
    /// (`d`) if the sizes overflow any allocation (more than `isize::MAX` bytes per trial).
    pub fn check(&self) -> Result<AdversarialLinearSimulator> {
        let noise_var = self.model.check()?.noise_var();
        check_dimension(self.d)?;
        let n = round_size(
            "delta",
            self.model.delta,
            self.d,
            MAX_SAMPLES,
            "n = round(delta d) in [1, 200000]",
        )?;
        let sim = AdversarialLinearSimulator {
            model: self.model.clone(),
            noise_var,
            d: self.d,
            n,
        };
        sim.memory_estimate(&ONE_TRIAL).check_addressable()?;
        Ok(sim)
    }
}

/// A validated simulation of the adversarially trained linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialLinearSimulator {
    model: AdversarialLinear,
    /// The resolved label-noise variance $\sigma_0^2$ ([`crate::theory::adversarial::AdversarialLinearModel::noise_var`]).
    noise_var: f64,
    d: usize,
    n: usize,
}

impl AdversarialLinearSimulator {
    /// Dimension $d$.
    pub fn d(&self) -> usize {
        self.d
    }
    /// Number of samples $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The model (nominal $\delta$).
    pub fn model(&self) -> &AdversarialLinear {
        &self.model
    }
    /// The form of the training solver's Newton steps at these sizes,
    /// [`NewtonForm::automatic`]`(n, d)`.
    pub fn newton_form(&self) -> NewtonForm {
        NewtonForm::automatic(self.n, self.d)
    }
    /// The model at the realised $\delta = n/d$.
    pub fn realised_model(&self) -> AdversarialLinear {
        AdversarialLinear {
            delta: self.n as f64 / self.d as f64,
            ..self.model.clone()
        }
    }

    /// Run `run.trials` ($\ge 2$) trials in parallel (see [`AdversarialRfSimulator::run`]).
    ///
    /// Errors: as [`AdversarialRfSimulator::run`].
    ///
    /// The run is refused before allocating, with [`Error::MemoryBudget`] naming `d`, when
    /// [`Self::memory_estimate`] is over the default budget ([`MemoryBudget::default`]);
    /// [`Self::run_with_budget`] takes another.
    pub fn run(&self, run: &RunOptions) -> Result<AdversarialSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: [`Error::MemoryBudget`] (`d`) if [`Self::memory_estimate`] is over `budget`;
    /// those of [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<AdversarialSimReport> {
        budget.check(&self.memory_estimate(run))?;
        let trials =
            crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "adversarial linear", |k| {
                self.trial(run.seed, k)
            })?;
        collect(&trials, self.d, self.d, self.n)
    }

    /// The peak memory of [`Self::run`] under `run`, from the arrays a trial holds at once
    /// (8 bytes an entry): the inputs $X$, the solver's design and weighted copy ($3nd$), the
    /// Hessian and its Cholesky factor ($2d^2$); in the dual Newton form ($d \ge n + 2$) the
    /// $n\times n$ capacitance adds $n^2$. Trials at once:
    /// $\min(\text{trials}, \text{rayon threads})$. See [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let (n, d) = (self.n, self.d);
        let mut entries = 3 * memory::mul(n, d) + 2 * memory::mul(d, d);
        if self.newton_form() == NewtonForm::Dual {
            // The dual form's capacitance, alive when a step falls back to the primal form.
            entries += memory::mul(n, n);
        }
        MemoryEstimate::new("d", entries * memory::F64, 0, 128, run)
    }

    /// Run trial `trial` of a run seeded with `seed`.
    ///
    /// Errors: those of the training solver.
    pub fn trial(&self, seed: u64, trial: u64) -> Result<AdversarialTrial> {
        let (n, d) = (self.n, self.d);
        let m = &self.model;
        let mut rng = trial_rng(seed, trial);
        let theta0: Vec<f64> = unit_rows(gaussian_vec(&mut rng, d), d)
            .into_iter()
            .map(|v| v * m.r0)
            .collect();
        let x = gaussian_vec(&mut rng, n * d);
        let sd = self.noise_var.sqrt();
        let y: Vec<f64> = (0..n)
            .map(|i| dot(&x[i * d..(i + 1) * d], &theta0) + sd * normal(&mut rng))
            .collect();
        let sol = solve_robust_least_squares(&x, n, d, &y, m.eps)?;
        let norm = dot(&sol.phi, &sol.phi).sqrt();
        let err2: f64 = sol
            .phi
            .iter()
            .zip(&theta0)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let sr = self.noise_var + err2;
        let et = m.eps_test.unwrap_or(m.eps) * norm;
        Ok(AdversarialTrial {
            test_risk: sr,
            robust_test_risk: sr + 2.0 * SQRT_2_OVER_PI * et * sr.sqrt() + et * et,
            train_loss: sol.objective,
            zero_residual_fraction: sol.zero_residual_fraction,
            adversarial_norm: m.eps * norm,
            newton_steps: sol.newton_steps,
        })
    }
}

impl Experiment for AdversarialLinearSimulator {
    /// As for random features ([`ADVERSARIAL_METRICS`]).
    fn metric_names(&self) -> &'static [&'static str] {
        &ADVERSARIAL_METRICS
    }
    /// $d$.
    fn size(&self) -> usize {
        self.d
    }
    /// The linear model's scalar min-max problem at the realised $\delta = n/d$.
    fn theory_realised(&self) -> Result<Vec<f64>> {
        let s = self.realised_model().check()?.solve()?;
        Ok(vec![
            s.robust_test_risk,
            s.test_risk,
            s.train_loss,
            s.zero_residual_fraction,
            s.adversarial_norm,
        ])
    }
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>> {
        Ok(report_estimates(&self.run(run)?))
    }
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        AdversarialLinearSimulator::memory_estimate(self, run)
    }
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        Ok(report_estimates(&self.run_with_budget(run, budget)?))
    }
    /// See [`ADVERSARIAL_ALLOWANCE_SCALE`].
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> Result<Vec<f64>> {
        adversarial_allowances(theory, options.finite_size_constant, self.d)
    }
}

/// Unchecked settings of the random-features simulation, with the model's fields copied and the
/// seed and trial count as fields.
///
/// Deprecated: use [`AdversarialRfSimulation`] (the model embedded, validated once) and
/// [`AdversarialRfSimulator::run`] with [`RunOptions`].
#[deprecated(
    note = "use AdversarialRfSimulation { model: AdversarialRf { .. }, d } and run(&RunOptions)"
)]
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

#[allow(deprecated)]
impl AdversarialRfSim {
    /// The same settings in the new shape.
    pub fn simulation(&self) -> AdversarialRfSimulation {
        AdversarialRfSimulation {
            model: AdversarialRf {
                psi1: self.psi1,
                psi2: self.psi2,
                eps: self.eps,
                eps_test: self.eps_test,
                ..AdversarialRf::default()
            }
            .with_noise_variance(self.tau2),
            d: self.d,
        }
    }

    /// Validate and run all trials (in parallel; results do not depend on the thread count).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field; as
    /// [`AdversarialRfSimulator::run`].
    pub fn run(&self) -> Result<AdversarialSimResult> {
        let run = RunOptions {
            seed: self.seed,
            trials: self.trials,
            progress: false,
        };
        Ok(self.simulation().check()?.run(&run)?.into())
    }

    /// Run one trial (deterministic in `(seed, trial)`).
    ///
    /// Errors: as [`AdversarialRfSimulator::trial`].
    pub fn trial(&self, trial: usize) -> Result<TrialMetrics> {
        Ok(self
            .simulation()
            .check()?
            .trial(self.seed, trial as u64)?
            .into())
    }
}

/// Unchecked settings of the linear-model simulation, with the model's fields copied and the seed
/// and trial count as fields.
///
/// Deprecated: use [`AdversarialLinearSimulation`] and [`AdversarialLinearSimulator::run`].
#[deprecated(
    note = "use AdversarialLinearSimulation { model: AdversarialLinear { .. }, d } and run(&RunOptions)"
)]
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

#[allow(deprecated)]
impl AdversarialLinearSim {
    /// The same settings in the new shape.
    pub fn simulation(&self) -> AdversarialLinearSimulation {
        AdversarialLinearSimulation {
            model: AdversarialLinear {
                delta: self.delta,
                r0: self.r0,
                eps: self.eps,
                eps_test: self.eps_test,
                ..AdversarialLinear::default()
            }
            .with_noise_variance(self.noise_var),
            d: self.d,
        }
    }

    /// Validate and run all trials.
    ///
    /// Errors: as [`AdversarialRfSim::run`].
    pub fn run(&self) -> Result<AdversarialSimResult> {
        let run = RunOptions {
            seed: self.seed,
            trials: self.trials,
            progress: false,
        };
        Ok(self.simulation().check()?.run(&run)?.into())
    }

    /// Run one trial.
    ///
    /// Errors: as [`AdversarialLinearSimulator::trial`].
    pub fn trial(&self, trial: usize) -> Result<TrialMetrics> {
        Ok(self
            .simulation()
            .check()?
            .trial(self.seed, trial as u64)?
            .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::symmetric_eigenvalues;

    /// A random instance: Gaussian design scaled like the simulations' ($\tilde x_i$ of norm
    /// about $\sqrt p$), labels from a planted signal plus noise.
    fn instance(n: usize, p: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = trial_rng(seed, 0);
        let x = gaussian_vec(&mut rng, n * p);
        let beta = unit_rows(gaussian_vec(&mut rng, p), p);
        let y = (0..n)
            .map(|i| dot(&x[i * p..(i + 1) * p], &beta) + 0.5 * normal(&mut rng))
            .collect();
        (x, y)
    }

    /// The states $(\phi, \mu)$ the solver visits (forced primal).
    fn path(x: &[f64], n: usize, p: usize, y: &[f64], eps: f64) -> Vec<(Vec<f64>, f64)> {
        let mut states = Vec::new();
        solve_impl(x, n, p, y, eps, NewtonChoice::Primal, &mut |phi, mu| {
            states.push((phi.to_vec(), mu))
        })
        .unwrap();
        states
    }

    /// At every state of the solver's path: the primal step, the dual step, cond(H).
    struct Compared {
        rel_err: f64,
        cond: f64,
        backward_error: f64,
        reliable: bool,
        c_over_norm: f64,
    }

    fn compare_steps(x: &[f64], n: usize, p: usize, y: &[f64], eps: f64) -> Vec<Compared> {
        let nf = n as f64;
        path(x, n, p, y, eps)
            .into_iter()
            .map(|(phi, mu)| {
                let terms = newton_terms(x, n, p, y, eps, mu, &phi);
                let mut weighted = Matrix::from_fn(n, p, |i, c| x[i * p + c]);
                weighted.scale_rows(&terms.sqrt_w).unwrap();
                let mut hess = Matrix::zeros(p, p);
                let primal = primal_step(&weighted, &mut hess, &terms, &phi, eps, nf).unwrap();
                let ev = symmetric_eigenvalues(&hess).unwrap();
                // Not positive definite to rounding: the condition number is beyond 1/u.
                let cond = if ev[0] > 0.0 {
                    ev[p - 1] / ev[0]
                } else {
                    f64::INFINITY
                };
                let wt = weighted.transpose();
                let mut cap = Matrix::zeros(n, n);
                let dual = dual_step(&wt, &mut cap, &terms, &phi, eps, nf)
                    .unwrap()
                    .unwrap();
                let e: Vec<f64> = dual.d.iter().zip(&primal).map(|(a, b)| a - b).collect();
                Compared {
                    rel_err: dot(&e, &e).sqrt() / dot(&primal, &primal).sqrt(),
                    cond,
                    backward_error: dual.backward_error,
                    reliable: dual.reliable(),
                    c_over_norm: terms.iso / ev[p - 1],
                }
            })
            .collect()
    }

    /// The dual step equals the primal step to $8\epsilon_{\rm mach}\operatorname{cond}(H)$
    /// relative at every state of the solver's path when $p \ge n + 2$, including a small
    /// isotropic term ($\varepsilon = 10^{-3}$: $c/\|H\|$ down to $10^{-16}$) and $p = 10n$.
    /// Both forms have forward errors of order $\epsilon_{\rm mach}\operatorname{cond}(H)$
    /// (docs/simulation.md, "The dual Newton step"); measured worst ratio 2.2. States with
    /// $\operatorname{cond}(H) > 10^{12}$ are skipped: there the computed eigenvalues, hence the
    /// reference condition number, are themselves inaccurate. No step falls back.
    #[test]
    fn dual_step_equals_primal_step_to_cond_h_eps() {
        for (n, p, eps, seed) in [
            (30, 120, 1e-3, 1),
            (20, 200, 1e-3, 2),
            (40, 160, 0.3, 3),
            (50, 60, 1e-3, 4),
            (25, 27, 0.1, 7),
        ] {
            let (x, y) = instance(n, p, seed);
            let cmp = compare_steps(&x, n, p, &y, eps);
            assert!(cmp.len() > 10);
            let mut checked = 0;
            for c in &cmp {
                assert!(c.reliable, "n {n} p {p} eps {eps}: dual step rejected");
                if c.cond <= 1e12 {
                    checked += 1;
                    let bound = 8.0 * f64::EPSILON * c.cond;
                    assert!(
                        c.rel_err <= bound,
                        "n {n} p {p} eps {eps}: {} > 8 u cond(H) = {bound} (cond {})",
                        c.rel_err,
                        c.cond
                    );
                }
            }
            assert!(checked >= 5, "n {n} p {p}: {checked} states checked");
            if eps == 1e-3 {
                let min_c = cmp
                    .iter()
                    .map(|c| c.c_over_norm)
                    .fold(f64::INFINITY, f64::min);
                assert!(min_c < 1e-10, "c/||H|| = {min_c}: not the small-c regime");
            }
        }
    }

    /// At $p \le n + 1$ the push-through subtraction is not bounded by
    /// $\epsilon_{\rm mach}\operatorname{cond}(H)$: when $c \ll \sigma_{\min}(\tilde W)^2$ its error is
    /// $\epsilon_{\rm mach}\|\tilde W\|^2/c \gg \epsilon_{\rm mach}\operatorname{cond}(H)$. The
    /// backward-error check catches it: every accepted step satisfies the standard bound
    /// $\|\delta d\|/\|d\| \le 2\operatorname{cond}(H)\,(\eta + \epsilon_{\rm mach}\text{-level
    /// primal error})$, and at $p = n$, $\varepsilon = 10^{-3}$ the check rejects steps (the
    /// solver then takes the primal step).
    #[test]
    fn dual_step_check_rejects_the_unreliable_regime() {
        for (n, p, eps, seed, must_reject) in [
            (40, 40, 1e-3, 6, Some(true)),
            (60, 40, 0.3, 5, Some(false)),
            (41, 40, 1e-3, 8, None),
        ] {
            let (x, y) = instance(n, p, seed);
            let cmp = compare_steps(&x, n, p, &y, eps);
            let rejected = cmp.iter().filter(|c| !c.reliable).count();
            eprintln!(
                "n {n} p {p} eps {eps}: {rejected} of {} rejected",
                cmp.len()
            );
            if let Some(must) = must_reject {
                assert_eq!(rejected > 0, must, "n {n} p {p} eps {eps}");
            }
            for c in cmp.iter().filter(|c| c.reliable && c.cond <= 1e12) {
                let bound = 2.0 * c.cond * (c.backward_error + 8.0 * f64::EPSILON);
                assert!(c.rel_err <= bound, "{} > {bound}", c.rel_err);
            }
        }
    }

    /// The automatic rule is the flop rule restricted to $p \ge n + 2$.
    #[test]
    fn automatic_form_follows_the_flops() {
        for (n, p) in [
            (10, 5),
            (10, 10),
            (10, 11),
            (10, 12),
            (100, 400),
            (400, 100),
        ] {
            let form = NewtonForm::automatic(n, p);
            assert_eq!(form == NewtonForm::Dual, p >= n + 2, "n {n} p {p}");
            if form == NewtonForm::Dual {
                assert!(NewtonForm::Dual.flops(n, p) < NewtonForm::Primal.flops(n, p));
            }
        }
        assert_eq!(NewtonChoice::Dual.form(10, 5), NewtonForm::Dual);
        assert_eq!(NewtonChoice::Primal.form(5, 10), NewtonForm::Primal);
        assert_eq!(NewtonForm::Dual.name(), "dual");
    }
}
