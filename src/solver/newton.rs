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
use crate::linalg::{Lu, Matrix};

/// How [`newton`] approximates the Jacobian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FiniteDifference {
    /// $\partial_j F \approx (F(x + h e_j) - F(x)) / h$: $n$ extra evaluations per iteration.
    #[default]
    Forward,
    /// $\partial_j F \approx (F(x + h e_j) - F(x - h e_j)) / 2h$: $2n$ extra evaluations, more accurate.
    Central,
}

/// Options for [`newton`] and [`newton_with_jacobian`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewtonOptions {
    /// Stop when $\|F(x)\|_\infty \le$ `tolerance` (default $10^{-12}$).
    pub tolerance: f64,
    /// Maximum number of Newton iterations (default 50).
    pub max_iter: usize,
    /// Finite-difference scheme when no Jacobian is given (default forward).
    pub finite_difference: FiniteDifference,
    /// Maximum number of step halvings in the line search (default 40).
    pub max_backtracks: usize,
}

impl Default for NewtonOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iter: 50,
            finite_difference: FiniteDifference::Forward,
            max_backtracks: 40,
        }
    }
}

impl NewtonOptions {
    /// Validate the options: a positive finite tolerance and at least one iteration.
    pub fn check(&self) -> Result<()> {
        crate::error::validate::positive("tolerance", self.tolerance)?;
        if self.max_iter == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        Ok(())
    }
}

/// Why a Newton solve stopped successfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewtonTermination {
    /// $\|F(x)\|_\infty \le$ tolerance.
    ResidualBelowTolerance,
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
    mut jac: Option<&mut J>,
    x0: &[f64],
    opts: NewtonOptions,
    residual: &dyn Fn(&[f64], &[f64]) -> f64,
) -> Result<NewtonReport>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    J: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    opts.check()?;
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
    let mut neg_fx = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    let mut work = vec![0.0; n];
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
        let lu = Lu::new(&Matrix::from_row_major(n, n, &jm)?, n as f64 * f64::EPSILON)?;
        for (ni, fi) in neg_fx.iter_mut().zip(&fx) {
            *ni = -fi;
        }
        let d = lu.solve(&neg_fx).map_err(|_| Error::LinearAlgebra {
            what: "newton step is not finite (ill-conditioned Jacobian)".into(),
        })?;
        // Armijo backtracking on phi = |F|^2 / 2.
        let phi0 = 0.5 * fx.iter().map(|v| v * v).sum::<f64>();
        let mut t = 1.0;
        let mut accepted = false;
        let mut any_finite = false;
        for _ in 0..=opts.max_backtracks {
            for ((xti, xi), di) in xt.iter_mut().zip(&x).zip(&d) {
                *xti = xi + t * di;
            }
            f(&xt, &mut ft)?;
            evaluations += 1;
            if ft.iter().all(|v| v.is_finite()) {
                any_finite = true;
                let phi = 0.5 * ft.iter().map(|v| v * v).sum::<f64>();
                if phi <= (1.0 - 2e-4 * t) * phi0 {
                    accepted = true;
                    break;
                }
            }
            t *= 0.5;
        }
        if !accepted {
            if !any_finite {
                return Err(Error::NonFinite {
                    what: "newton function value along the line search",
                });
            }
            return Err(Error::NotConverged {
                method: "newton (line search failed)",
                iterations: iter + 1,
                residual: res,
                tolerance: opts.tolerance,
                last_iterate: x,
            });
        }
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut fx, &mut ft);
        res = residual(&x, &fx);
    }
    Err(Error::NotConverged {
        method: "newton",
        iterations: opts.max_iter,
        residual: res,
        tolerance: opts.tolerance,
        last_iterate: x,
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
