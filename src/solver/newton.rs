//! Newton's method for small square systems $F(x) = 0$, $F: \mathbb{R}^n \to \mathbb{R}^n$.
//!
//! Each iteration solves $J(x_k)\,d_k = -F(x_k)$ by a dense LU factorisation with partial
//! pivoting ([`crate::linalg::Lu`]) and takes $x_{k+1} = x_k + t_k d_k$, where
//! the step length $t_k$ is chosen by backtracking on the merit function
//! $\phi(x) = \tfrac12 \|F(x)\|_2^2$ until the Armijo condition
//! $$\phi(x_k + t d_k) \le (1 - 2 c\, t)\, \phi(x_k), \qquad c = 10^{-4},$$
//! holds (for the exact Newton direction $\nabla\phi^\top d_k = -2\phi(x_k)$); see
//! J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., 2006, §3.1 and §11.2.
//!
//! The Jacobian is either supplied by the caller ([`newton_with_jacobian`]) or approximated by
//! forward or central finite differences ([`newton`]) with steps
//! $h_j = \sqrt{\varepsilon}\max(1, |x_j|)$ (forward) or $h_j = \varepsilon^{1/3}\max(1, |x_j|)$
//! (central), $\varepsilon$ the machine epsilon.
//!
//! The residual reported and tested against the tolerance is $\|F(x)\|_\infty = \max_i |F_i(x)|$.

use crate::error::{Error, Result};
use crate::linalg::solve_dense_row_major;

/// How [`newton`] approximates the Jacobian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FiniteDifference {
    /// $\partial_j F \approx (F(x + h e_j) - F(x)) / h$: $n$ extra evaluations per iteration.
    #[default]
    Forward,
    /// $\partial_j F \approx (F(x + h e_j) - F(x - h e_j)) / 2h$: $2n$ extra evaluations, more accurate.
    Central,
}

/// How the Newton step is scaled before the linear solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NewtonScaling {
    /// Solve $J d = -F$ as it stands.
    #[default]
    None,
    /// Variable scaling $D = \mathrm{diag}(|x_i|)$ (1 where $x_i = 0$): solve the symmetrically
    /// rescaled system $(DJD)\,z = -DF$ and take $d = Dz$. The same step in exact arithmetic,
    /// but with comparable pivots when the unknowns span many orders of magnitude; the natural
    /// choice when $F = \nabla R$ is a gradient and $J$ its Hessian (congruence keeps the
    /// symmetry).
    Variables,
}

/// Options for [`newton`], [`newton_with_jacobian`] and [`newton_bounded`].
///
/// The fields after `max_backtracks` configure the bounded/scaled mode the models use (their
/// defaults reproduce the plain damped Newton). Build with `..NewtonOptions::default()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewtonOptions {
    /// Stop when the residual (by default $\|F(x)\|_\infty$) is at most `tolerance`
    /// (default $10^{-12}$).
    pub tolerance: f64,
    /// Maximum number of Newton iterations (default 50).
    pub max_iter: usize,
    /// Finite-difference scheme when no Jacobian is given (default forward).
    pub finite_difference: FiniteDifference,
    /// Maximum number of step halvings in the line search (default 40; the line search tries
    /// `max_backtracks + 1` step lengths).
    pub max_backtracks: usize,
    /// The Armijo constant $c$ of the sufficient-decrease test
    /// $\phi(x + td) \le (1 - 2ct)\,\phi(x)$ on the merit $\phi$ (default $10^{-4}$).
    pub armijo: f64,
    /// The line search gives up once the step length is at or below `min_step` (default 0:
    /// only `max_backtracks` limits it).
    pub min_step: f64,
    /// Relative pivot floor of the LU factorisation: the Jacobian is declared singular when a
    /// pivot is at most `pivot_floor` $\times \max_{ij}|J_{ij}|$ (default `None`:
    /// $n\,\epsilon_{\rm mach}$).
    pub pivot_floor: Option<f64>,
    /// Scaling of the linear solve (default none).
    pub scaling: NewtonScaling,
    /// Fraction-to-boundary parameter $\tau \in (0, 1)$ of [`newton_bounded`]: the step length is
    /// capped so that every bounded variable keeps at least a fraction $1 - \tau$ of its distance
    /// to the bound (default 0.995).
    pub fraction_to_boundary: f64,
    /// If positive, a solve whose line search stalls (or that reaches `max_iter`) with the
    /// residual at most `accept_stalled` $\times$ `tolerance` returns `Ok` with
    /// [`NewtonTermination::Stalled`] (a rounding floor); default 0 (off).
    pub accept_stalled: f64,
    /// If positive, when the line search fails the full (boundary-capped) step is still taken
    /// if its residual is at most `floor_full_step` $\times$ `tolerance` (near the rounding floor
    /// the merit can stall while the residual does not grow); default 0 (off).
    pub floor_full_step: f64,
    /// Whether an error of $F$ at a line-search trial point rejects that trial (the step is
    /// halved) instead of ending the solve (default `false`). For models whose $F$ is only
    /// defined on part of the box.
    pub reject_failed_trials: bool,
}

impl Default for NewtonOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iter: 50,
            finite_difference: FiniteDifference::Forward,
            max_backtracks: 40,
            armijo: 1e-4,
            min_step: 0.0,
            pivot_floor: None,
            scaling: NewtonScaling::None,
            fraction_to_boundary: 0.995,
            accept_stalled: 0.0,
            floor_full_step: 0.0,
            reject_failed_trials: false,
        }
    }
}

impl NewtonOptions {
    /// Validate the options: a positive finite tolerance, at least one iteration, an Armijo
    /// constant in $(0, 1/2)$, a fraction to the boundary in $(0, 1)$ and finite non-negative
    /// floors.
    pub fn check(&self) -> Result<()> {
        use crate::error::validate;
        validate::positive("tolerance", self.tolerance)?;
        if self.max_iter == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        if !(self.armijo > 0.0 && self.armijo < 0.5) {
            return Err(Error::InvalidParameter {
                name: "armijo",
                value: self.armijo,
                expected: "a number in (0, 0.5)",
            });
        }
        if !(self.fraction_to_boundary > 0.0 && self.fraction_to_boundary < 1.0) {
            return Err(Error::InvalidParameter {
                name: "fraction_to_boundary",
                value: self.fraction_to_boundary,
                expected: "a number in (0, 1)",
            });
        }
        validate::non_negative("min_step", self.min_step)?;
        validate::non_negative("accept_stalled", self.accept_stalled)?;
        validate::non_negative("floor_full_step", self.floor_full_step)?;
        if let Some(p) = self.pivot_floor {
            validate::non_negative("pivot_floor", p)?;
        }
        Ok(())
    }
}

/// The per-problem data of [`newton_bounded`]: box bounds, residual weights and the name the
/// errors carry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NewtonProblem<'a> {
    /// Lower bounds $\ell_i$ (`-inf` for none); the iterates stay strictly above them.
    pub lower: Option<&'a [f64]>,
    /// Upper bounds $u_i$ (`+inf` for none); the iterates stay strictly below them.
    pub upper: Option<&'a [f64]>,
    /// Positive weights $w_i$: residual $\max_i |F_i|/w_i$ and merit
    /// $\phi = \frac12\sum_i F_i^2/w_i$ instead of $\max_i|F_i|$ and $\frac12\|F\|_2^2$ (e.g. a
    /// metric that turns a reduced gradient into the full one).
    pub weights: Option<&'a [f64]>,
    /// The method name carried by [`Error::NotConverged`] (default `"newton"`).
    pub method: Option<&'static str>,
}

/// Why a Newton solve stopped successfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewtonTermination {
    /// $\|F(x)\|_\infty \le$ tolerance.
    ResidualBelowTolerance,
    /// The line search stalled (or `max_iter` was reached) at a residual within
    /// [`NewtonOptions::accept_stalled`] times the tolerance: a rounding floor, accepted.
    Stalled,
}

/// The outcome of a successful Newton solve.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonReport {
    /// The root estimate.
    pub solution: Vec<f64>,
    /// The residual at `solution` (see [`newton`] for its definition).
    pub residual: f64,
    /// Newton iterations performed (Jacobian factorisations).
    pub iterations: usize,
    /// Evaluations of $F$, including those for finite differences and the line search.
    pub evaluations: usize,
    /// Why the iteration stopped.
    pub termination: NewtonTermination,
}

/// Solve $F(x) = 0$ by Newton's method with a finite-difference Jacobian and Armijo backtracking.
///
/// `f(x, out)` writes $F(x)$ into `out` (same length as `x`). Errors: [`Error::DimensionMismatch`]
/// for an empty `x0`; [`Error::NonFinite`] if $F(x_0)$ is not finite or every trial point of a line
/// search is; [`Error::LinearAlgebra`] for a singular Jacobian; [`Error::NotConverged`] (carrying
/// the last iterate) when `max_iter` is reached or the line search cannot decrease $\|F\|$.
///
/// ```
/// use overparam::solver::{newton, NewtonOptions};
/// // x^2 + y^2 = 4, x = y  =>  x = y = sqrt(2).
/// let r = newton(
///     |x: &[f64], out: &mut [f64]| {
///         out[0] = x[0] * x[0] + x[1] * x[1] - 4.0;
///         out[1] = x[0] - x[1];
///         Ok(())
///     },
///     &[1.0, 0.5],
///     NewtonOptions::default(),
/// )?;
/// assert!((r.solution[0] - 2f64.sqrt()).abs() < 1e-12);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn newton<F>(mut f: F, x0: &[f64], opts: NewtonOptions) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    newton_core(&mut f, None::<&mut NoJacobian>, x0, opts, &max_abs)
}

/// Solve $F(x) = 0$ by Newton's method with the analytic Jacobian `jac` and Armijo backtracking.
///
/// `jac(x, out)` writes $J_{ij} = \partial F_i / \partial x_j$ row-major into `out` (length $n^2$).
/// Errors as in [`newton`].
pub fn newton_with_jacobian<F, J>(
    mut f: F,
    mut jac: J,
    x0: &[f64],
    opts: NewtonOptions,
) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    J: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    newton_core(&mut f, Some(&mut jac), x0, opts, &max_abs)
}

/// Solve $F(x) = 0$ by the bounded/scaled Newton mode: analytic Jacobian `jac` (row-major, as in
/// [`newton_with_jacobian`]), box bounds with fraction-to-boundary steps, optional variable
/// scaling and residual weights (see [`NewtonProblem`], [`NewtonOptions`]).
///
/// Each iteration solves $J d = -F$ (rescaled when [`NewtonOptions::scaling`] asks for it), caps the
/// step length so that every bounded variable keeps at least a fraction $1 - \tau$ of its
/// distance to its bound,
/// $$t_{\max} = \min\Big(1,\ \min_{d_i < 0} \tau\frac{x_i - \ell_i}{-d_i},\ \min_{d_i > 0} \tau\frac{u_i - x_i}{d_i}\Big),$$
/// ($\tau$ = [`NewtonOptions::fraction_to_boundary`]; the interior-point rule of Nocedal & Wright,
/// *Numerical Optimization*, 2nd ed., 2006, eq. (16.66) and §19.2) and backtracks from
/// $t_{\max}$ on the merit $\phi$ until the Armijo test holds or the trial point already meets
/// the tolerance.
///
/// Errors: [`Error::InvalidParameter`] for bounds or weights of the wrong length, non-positive
/// weights, or an `x0` not strictly inside the bounds; otherwise as in [`newton`].
///
/// ```
/// use overparam::solver::{NewtonOptions, NewtonProblem, NewtonScaling, newton_bounded};
/// // x^2 = 4 on x > 0 from x = 0.1: the bound keeps the iterates positive.
/// let lower = [0.0];
/// let r = newton_bounded(
///     |x: &[f64], out: &mut [f64]| { out[0] = x[0] * x[0] - 4.0; Ok(()) },
///     |x: &[f64], out: &mut [f64]| { out[0] = 2.0 * x[0]; Ok(()) },
///     &[0.1],
///     &NewtonProblem { lower: Some(&lower), ..Default::default() },
///     NewtonOptions { scaling: NewtonScaling::Variables, ..Default::default() },
/// )?;
/// assert!((r.solution[0] - 2.0).abs() < 1e-12);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn newton_bounded<F, J>(
    mut f: F,
    mut jac: J,
    x0: &[f64],
    problem: &NewtonProblem<'_>,
    opts: NewtonOptions,
) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    J: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    let n = x0.len();
    for (name, v) in [
        ("lower", problem.lower),
        ("upper", problem.upper),
        ("weights", problem.weights),
    ] {
        if let Some(v) = v
            && v.len() != n
        {
            return Err(Error::DimensionMismatch {
                what: match name {
                    "lower" => "newton lower bounds",
                    "upper" => "newton upper bounds",
                    _ => "newton residual weights",
                },
                expected: n,
                found: v.len(),
            });
        }
    }
    if let Some(w) = problem.weights
        && let Some(&bad) = w.iter().find(|w| !(w.is_finite() && **w > 0.0))
    {
        return Err(Error::InvalidParameter {
            name: "weights",
            value: bad,
            expected: "finite weights > 0",
        });
    }
    for (i, &x) in x0.iter().enumerate() {
        let lo = problem.lower.map_or(f64::NEG_INFINITY, |l| l[i]);
        let hi = problem.upper.map_or(f64::INFINITY, |u| u[i]);
        if !(x > lo && x < hi) && x.is_finite() {
            return Err(Error::InvalidParameter {
                name: "x0",
                value: x,
                expected: "an initial guess strictly inside the bounds",
            });
        }
    }
    let weights = problem.weights;
    let residual = move |_x: &[f64], fx: &[f64]| -> f64 {
        match weights {
            Some(w) => fx.iter().zip(w).fold(0.0_f64, |m, (v, w)| {
                let r = (v / w).abs();
                if r > m || r.is_nan() { r } else { m }
            }),
            None => max_abs(_x, fx),
        }
    };
    newton_core_with(&mut f, Some(&mut jac), x0, opts, &residual, problem)
}

type NoJacobian = fn(&[f64], &mut [f64]) -> Result<()>;

fn max_abs(_x: &[f64], fx: &[f64]) -> f64 {
    fx.iter().fold(0.0_f64, |m, v| {
        if v.abs() > m || v.is_nan() {
            v.abs()
        } else {
            m
        }
    })
}

/// The Newton iteration with a caller-defined residual `residual(x, F(x))` (used by the fixed-point
/// solver for its scaled residual).
pub(crate) fn newton_core<F, J>(
    f: &mut F,
    jac: Option<&mut J>,
    x0: &[f64],
    opts: NewtonOptions,
    residual: &dyn Fn(&[f64], &[f64]) -> f64,
) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    J: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    newton_core_with(f, jac, x0, opts, residual, &NewtonProblem::default())
}

/// Largest step length in $(0, 1]$ that keeps every bounded variable a fraction `1 - tau` of its
/// distance to the bound.
fn step_to_boundary(x: &[f64], d: &[f64], problem: &NewtonProblem<'_>, tau: f64) -> f64 {
    let mut t_max: f64 = 1.0;
    for i in 0..x.len() {
        if d[i] < 0.0
            && let Some(l) = problem.lower
            && l[i].is_finite()
        {
            t_max = t_max.min(tau * (x[i] - l[i]) / -d[i]);
        }
        if d[i] > 0.0
            && let Some(u) = problem.upper
            && u[i].is_finite()
        {
            t_max = t_max.min(tau * (u[i] - x[i]) / d[i]);
        }
    }
    t_max
}

fn newton_core_with<F, J>(
    f: &mut F,
    mut jac: Option<&mut J>,
    x0: &[f64],
    opts: NewtonOptions,
    residual: &dyn Fn(&[f64], &[f64]) -> f64,
    problem: &NewtonProblem<'_>,
) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    J: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    opts.check()?;
    let method = problem.method.unwrap_or("newton");
    let n = x0.len();
    if n == 0 {
        return Err(Error::DimensionMismatch {
            what: "newton initial guess",
            expected: 1,
            found: 0,
        });
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "newton initial guess",
        });
    }
    let merit = |fx: &[f64]| -> f64 {
        match problem.weights {
            Some(w) => 0.5 * fx.iter().zip(w).map(|(v, w)| v * v / w).sum::<f64>(),
            None => 0.5 * fx.iter().map(|v| v * v).sum::<f64>(),
        }
    };
    let pivot_floor = opts.pivot_floor.unwrap_or(n as f64 * f64::EPSILON);
    let mut x = x0.to_vec();
    let mut fx = vec![0.0; n];
    f(&x, &mut fx)?;
    let mut evaluations = 1;
    if fx.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "newton function value",
        });
    }
    let mut res = residual(&x, &fx);
    let mut jm = vec![0.0; n * n];
    let mut rhs = vec![0.0; n];
    let mut scales = vec![1.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    let mut work = vec![0.0; n];
    let stalled = |x: Vec<f64>, res: f64, iterations: usize, evaluations: usize| {
        (opts.accept_stalled > 0.0 && res <= opts.accept_stalled * opts.tolerance).then_some(
            NewtonReport {
                solution: x,
                residual: res,
                iterations,
                evaluations,
                termination: NewtonTermination::Stalled,
            },
        )
    };
    for iter in 0..=opts.max_iter {
        if res <= opts.tolerance {
            return Ok(NewtonReport {
                solution: x,
                residual: res,
                iterations: iter,
                evaluations,
                termination: NewtonTermination::ResidualBelowTolerance,
            });
        }
        if iter == opts.max_iter {
            break;
        }
        match jac.as_deref_mut() {
            Some(j) => {
                j(&x, &mut jm)?;
                if jm.iter().any(|v| !v.is_finite()) {
                    return Err(Error::NonFinite {
                        what: "newton Jacobian",
                    });
                }
            }
            None => {
                evaluations += finite_difference_jacobian(
                    f,
                    &x,
                    &fx,
                    opts.finite_difference,
                    &mut jm,
                    &mut xt,
                    &mut ft,
                    &mut work,
                )?;
            }
        }
        // Scaling D (identity unless variable scaling): (D J D) z = -D F, d = D z.
        let scaled = opts.scaling != NewtonScaling::None;
        for (si, xi) in scales.iter_mut().zip(&x) {
            *si = if scaled && *xi != 0.0 { xi.abs() } else { 1.0 };
        }
        if scaled {
            for (row, si) in jm.chunks_exact_mut(n).zip(&scales) {
                for (v, sj) in row.iter_mut().zip(&scales) {
                    *v *= si * sj;
                }
            }
        }
        for ((ri, fi), si) in rhs.iter_mut().zip(&fx).zip(&scales) {
            *ri = -fi * si;
        }
        let mut d = solve_dense_row_major(n, &jm, &rhs, pivot_floor).map_err(|e| match e {
            Error::NonFinite { .. } => Error::LinearAlgebra {
                what: "newton step is not finite (ill-conditioned Jacobian)".into(),
            },
            other => other,
        })?;
        if scaled {
            for (di, si) in d.iter_mut().zip(&scales) {
                *di *= si;
            }
        }
        let t_max = step_to_boundary(&x, &d, problem, opts.fraction_to_boundary);
        // Armijo backtracking on the merit phi from the boundary-capped step.
        let phi0 = merit(&fx);
        let mut t = t_max;
        let mut accepted = false;
        let mut any_finite = false;
        let mut res_t = f64::INFINITY;
        for _ in 0..=opts.max_backtracks {
            if t <= opts.min_step {
                break;
            }
            for ((xti, xi), di) in xt.iter_mut().zip(&x).zip(&d) {
                *xti = xi + t * di;
            }
            evaluations += 1;
            match f(&xt, &mut ft) {
                Err(e) if !opts.reject_failed_trials => return Err(e),
                Err(_) => {}
                Ok(()) => {
                    if ft.iter().all(|v| v.is_finite()) {
                        any_finite = true;
                        let phi = merit(&ft);
                        res_t = residual(&xt, &ft);
                        if phi <= (1.0 - 2.0 * opts.armijo * t) * phi0 || res_t <= opts.tolerance {
                            accepted = true;
                            break;
                        }
                    }
                }
            }
            t *= 0.5;
        }
        if !accepted && opts.floor_full_step > 0.0 {
            // Near the rounding floor the merit can stall: take the full step if it does not
            // increase the residual beyond the floor.
            for ((xti, xi), di) in xt.iter_mut().zip(&x).zip(&d) {
                *xti = xi + t_max * di;
            }
            evaluations += 1;
            if f(&xt, &mut ft).is_ok() && ft.iter().all(|v| v.is_finite()) {
                res_t = residual(&xt, &ft);
                accepted = res_t <= opts.floor_full_step * opts.tolerance;
            }
        }
        if !accepted {
            if let Some(report) = stalled(x.clone(), res, iter + 1, evaluations) {
                return Ok(report);
            }
            if !any_finite && !opts.reject_failed_trials {
                return Err(Error::NonFinite {
                    what: "newton function value along the line search",
                });
            }
            return Err(Error::NotConverged {
                method: if problem.method.is_some() {
                    method
                } else {
                    "newton (line search failed)"
                },
                iterations: iter + 1,
                residual: res,
                tolerance: opts.tolerance,
                last_iterate: x,
            });
        }
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut fx, &mut ft);
        res = res_t;
    }
    if let Some(report) = stalled(x.clone(), res, opts.max_iter, evaluations) {
        return Ok(report);
    }
    Err(Error::NotConverged {
        method,
        iterations: opts.max_iter,
        residual: res,
        tolerance: opts.tolerance,
        last_iterate: x,
    })
}

/// The result of [`newton_bounded_array`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ArrayNewtonReport<const N: usize> {
    /// The root estimate.
    pub solution: [f64; N],
    /// $\|F\|_\infty$ at `solution`.
    pub residual: f64,
    /// Newton iterations performed.
    pub iterations: usize,
}

/// [`newton_bounded`] for a fixed dimension `N` with lower bounds only and no residual weights,
/// on stack arrays: no heap allocation per iteration, no dynamic dispatch, the linear solve by
/// [`crate::linalg::solve_dense_array`]. The iteration is step for step the one of
/// [`newton_bounded`] (same floating-point operations in the same order, so the same iterates,
/// iteration counts and errors); it exists because for the models' 4–5 unknown saddle-point
/// systems the general mode's buffers and indirections cost 10–30% of a solve.
///
/// `f(x)` returns $F(x)$, `jac(x)` the Jacobian $J_{ij} = \partial F_i/\partial x_j$ (rows $i$).
/// Errors as [`newton_bounded`].
pub(crate) fn newton_bounded_array<const N: usize, F, J>(
    mut f: F,
    mut jac: J,
    x0: [f64; N],
    lower: &[f64; N],
    method: &'static str,
    opts: NewtonOptions,
) -> Result<ArrayNewtonReport<N>>
where
    F: FnMut(&[f64; N]) -> Result<[f64; N]>,
    J: FnMut(&[f64; N]) -> Result<[[f64; N]; N]>,
{
    for (&x, &lo) in x0.iter().zip(lower) {
        if x.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) && x.is_finite() {
            return Err(Error::InvalidParameter {
                name: "x0",
                value: x,
                expected: "an initial guess strictly inside the bounds",
            });
        }
    }
    opts.check()?;
    if N == 0 {
        return Err(Error::DimensionMismatch {
            what: "newton initial guess",
            expected: 1,
            found: 0,
        });
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "newton initial guess",
        });
    }
    let merit = |fx: &[f64; N]| -> f64 { 0.5 * fx.iter().map(|v| v * v).sum::<f64>() };
    let residual = |fx: &[f64; N]| max_abs(&[], fx);
    let pivot_floor = opts.pivot_floor.unwrap_or(N as f64 * f64::EPSILON);
    let scaled = opts.scaling != NewtonScaling::None;
    let mut x = x0;
    let mut fx = f(&x)?;
    if fx.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "newton function value",
        });
    }
    let mut res = residual(&fx);
    let stalled = |x: [f64; N], res: f64, iterations: usize| {
        (opts.accept_stalled > 0.0 && res <= opts.accept_stalled * opts.tolerance).then_some(
            ArrayNewtonReport {
                solution: x,
                residual: res,
                iterations,
            },
        )
    };
    for iter in 0..=opts.max_iter {
        if res <= opts.tolerance {
            return Ok(ArrayNewtonReport {
                solution: x,
                residual: res,
                iterations: iter,
            });
        }
        if iter == opts.max_iter {
            break;
        }
        let mut jm = jac(&x)?;
        if jm.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "newton Jacobian",
            });
        }
        // Scaling D (identity unless variable scaling): (D J D) z = -D F, d = D z.
        let scales: [f64; N] = std::array::from_fn(|i| {
            if scaled && x[i] != 0.0 {
                x[i].abs()
            } else {
                1.0
            }
        });
        if scaled {
            for (row, si) in jm.iter_mut().zip(&scales) {
                for (v, sj) in row.iter_mut().zip(&scales) {
                    *v *= si * sj;
                }
            }
        }
        let rhs: [f64; N] = std::array::from_fn(|i| -fx[i] * scales[i]);
        let mut d =
            crate::linalg::solve_dense_array(&jm, &rhs, pivot_floor).map_err(|e| match e {
                Error::NonFinite { .. } => Error::LinearAlgebra {
                    what: "newton step is not finite (ill-conditioned Jacobian)".into(),
                },
                other => other,
            })?;
        if scaled {
            for (di, si) in d.iter_mut().zip(&scales) {
                *di *= si;
            }
        }
        let mut t_max: f64 = 1.0;
        for i in 0..N {
            if d[i] < 0.0 && lower[i].is_finite() {
                t_max = t_max.min(opts.fraction_to_boundary * (x[i] - lower[i]) / -d[i]);
            }
        }
        let phi0 = merit(&fx);
        let mut t = t_max;
        let mut accepted = false;
        let mut any_finite = false;
        let mut res_t = f64::INFINITY;
        let mut xt = x;
        let mut ft = fx;
        for _ in 0..=opts.max_backtracks {
            if t <= opts.min_step {
                break;
            }
            for ((xti, xi), di) in xt.iter_mut().zip(&x).zip(&d) {
                *xti = xi + t * di;
            }
            match f(&xt) {
                Err(e) if !opts.reject_failed_trials => return Err(e),
                Err(_) => {}
                Ok(v) => {
                    ft = v;
                    if ft.iter().all(|v| v.is_finite()) {
                        any_finite = true;
                        let phi = merit(&ft);
                        res_t = residual(&ft);
                        if phi <= (1.0 - 2.0 * opts.armijo * t) * phi0 || res_t <= opts.tolerance {
                            accepted = true;
                            break;
                        }
                    }
                }
            }
            t *= 0.5;
        }
        if !accepted && opts.floor_full_step > 0.0 {
            for ((xti, xi), di) in xt.iter_mut().zip(&x).zip(&d) {
                *xti = xi + t_max * di;
            }
            if let Ok(v) = f(&xt) {
                ft = v;
                if ft.iter().all(|v| v.is_finite()) {
                    res_t = residual(&ft);
                    accepted = res_t <= opts.floor_full_step * opts.tolerance;
                }
            }
        }
        if !accepted {
            if let Some(report) = stalled(x, res, iter + 1) {
                return Ok(report);
            }
            if !any_finite && !opts.reject_failed_trials {
                return Err(Error::NonFinite {
                    what: "newton function value along the line search",
                });
            }
            return Err(Error::NotConverged {
                method,
                iterations: iter + 1,
                residual: res,
                tolerance: opts.tolerance,
                last_iterate: x.to_vec(),
            });
        }
        x = xt;
        fx = ft;
        res = res_t;
    }
    if let Some(report) = stalled(x, res, opts.max_iter) {
        return Ok(report);
    }
    Err(Error::NotConverged {
        method,
        iterations: opts.max_iter,
        residual: res,
        tolerance: opts.tolerance,
        last_iterate: x.to_vec(),
    })
}

/// Fill `jm` (row-major) with a finite-difference Jacobian of `f` at `x` (where `F(x) = fx`).
/// Returns the number of evaluations of `f`.
#[allow(clippy::too_many_arguments)]
fn finite_difference_jacobian<F>(
    f: &mut F,
    x: &[f64],
    fx: &[f64],
    scheme: FiniteDifference,
    jm: &mut [f64],
    xt: &mut [f64],
    fp: &mut [f64],
    fm: &mut [f64],
) -> Result<usize>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    let n = x.len();
    let mut evals = 0;
    xt.copy_from_slice(x);
    for j in 0..n {
        let scale = x[j].abs().max(1.0);
        match scheme {
            FiniteDifference::Forward => {
                let h = f64::EPSILON.sqrt() * scale;
                xt[j] = x[j] + h;
                let h = xt[j] - x[j]; // exactly representable step
                f(xt, fp)?;
                evals += 1;
                for i in 0..n {
                    jm[i * n + j] = (fp[i] - fx[i]) / h;
                }
            }
            FiniteDifference::Central => {
                let h = f64::EPSILON.cbrt() * scale;
                xt[j] = x[j] + h;
                f(xt, fp)?;
                xt[j] = x[j] - h;
                f(xt, fm)?;
                evals += 2;
                for i in 0..n {
                    jm[i * n + j] = (fp[i] - fm[i]) / (2.0 * h);
                }
            }
        }
        xt[j] = x[j];
    }
    if jm.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "newton finite-difference Jacobian",
        });
    }
    Ok(evals)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The array mode must reproduce the general bounded mode bit for bit: same iterates, same
    /// iteration counts, same residual, in both the scaled and the unscaled variant, on a
    /// problem whose line search hits the fraction-to-boundary cap and rejects trial points.
    #[test]
    fn array_mode_matches_general_bounded_mode_bitwise() {
        // F = grad of R(x, y) = x^2/2 - log x - (y^2/2 - 2 log y) + xy/10 + x^3 y/50, defined on
        // x, y > 0 only (an error elsewhere rejects the trial point).
        let f = |v: &[f64; 2]| -> Result<[f64; 2]> {
            if v[0] <= 0.0 || v[1] <= 0.0 {
                return Err(Error::NonFinite { what: "test" });
            }
            Ok([
                v[0] - 1.0 / v[0] + v[1] / 10.0 + 3.0 * v[0] * v[0] * v[1] / 50.0,
                -v[1] + 2.0 / v[1] + v[0] / 10.0 + v[0].powi(3) / 50.0,
            ])
        };
        let jac = |v: &[f64; 2]| -> Result<[[f64; 2]; 2]> {
            let c = 0.1 + 9.0 * v[0] * v[0] / 50.0;
            Ok([
                [1.0 + 1.0 / (v[0] * v[0]) + 6.0 * v[0] * v[1] / 50.0, c],
                [c, -1.0 - 2.0 / (v[1] * v[1])],
            ])
        };
        let lower = [0.0, 0.0];
        for scaling in [NewtonScaling::Variables, NewtonScaling::None] {
            for x0 in [[3.0, 0.2], [0.05, 7.0], [1.0, 1.0]] {
                let opts = NewtonOptions {
                    tolerance: 1e-13,
                    max_backtracks: 39,
                    armijo: 5e-5,
                    pivot_floor: Some(1e-15),
                    scaling,
                    fraction_to_boundary: 0.8,
                    accept_stalled: 1e3,
                    reject_failed_trials: true,
                    ..NewtonOptions::default()
                };
                let general = newton_bounded(
                    |x: &[f64], out: &mut [f64]| {
                        out.copy_from_slice(&f(&[x[0], x[1]])?);
                        Ok(())
                    },
                    |x: &[f64], out: &mut [f64]| {
                        let j = jac(&[x[0], x[1]])?;
                        out.copy_from_slice(&[j[0][0], j[0][1], j[1][0], j[1][1]]);
                        Ok(())
                    },
                    &x0,
                    &NewtonProblem {
                        lower: Some(&lower),
                        method: Some("test"),
                        ..NewtonProblem::default()
                    },
                    opts,
                )
                .unwrap();
                let array = newton_bounded_array(f, jac, x0, &lower, "test", opts).unwrap();
                assert!(general.iterations > 2, "{general:?}");
                assert_eq!(array.iterations, general.iterations, "{x0:?} {scaling:?}");
                assert_eq!(array.residual.to_bits(), general.residual.to_bits());
                for (a, g) in array.solution.iter().zip(&general.solution) {
                    assert_eq!(a.to_bits(), g.to_bits(), "{x0:?} {scaling:?}");
                }
                // With one iteration allowed both report the same non-convergence.
                let one = NewtonOptions {
                    max_iter: 1,
                    accept_stalled: 0.0,
                    ..opts
                };
                let ea = newton_bounded_array(f, jac, x0, &lower, "test", one).unwrap_err();
                let eg = newton_bounded(
                    |x: &[f64], out: &mut [f64]| {
                        out.copy_from_slice(&f(&[x[0], x[1]])?);
                        Ok(())
                    },
                    |x: &[f64], out: &mut [f64]| {
                        let j = jac(&[x[0], x[1]])?;
                        out.copy_from_slice(&[j[0][0], j[0][1], j[1][0], j[1][1]]);
                        Ok(())
                    },
                    &x0,
                    &NewtonProblem {
                        lower: Some(&lower),
                        method: Some("test"),
                        ..NewtonProblem::default()
                    },
                    one,
                )
                .unwrap_err();
                assert_eq!(ea, eg);
            }
        }
    }

    #[test]
    fn singular_jacobian_is_a_typed_error() {
        // F(x, y) = (x + y - 1, 2x + 2y - 3) has a constant singular Jacobian.
        let e = newton(
            |x: &[f64], o: &mut [f64]| {
                o[0] = x[0] + x[1] - 1.0;
                o[1] = 2.0 * x[0] + 2.0 * x[1] - 3.0;
                Ok(())
            },
            &[0.0, 0.0],
            NewtonOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::LinearAlgebra { .. }), "{e:?}");
    }
}
