//! Bracketed scalar minimisation and maximisation.
//!
//! [`minimize_scalar`] runs Brent's method (golden-section search safeguarding successive
//! parabolic interpolation; R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973,
//! ch. 5) through `argmin::solver::brent::BrentOpt`. It returns a local minimiser of $f$ on
//! $[a, b]$, located to within about $3(\epsilon_r |x| + \epsilon_a)$. [`maximize_scalar`] minimises
//! $-f$. [`minimize_log_scale`] handles scale parameters such as a ridge penalty
//! $\lambda \in [10^{-8}, 10^2]$: a coarse scan of $f(e^u)$ on an even grid in $u = \ln x$ finds
//! the basin of the smallest grid value, then Brent refines in $u$ inside the two neighbouring grid
//! cells (so its tolerances are relative in $x$).

use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::brent::BrentOpt;
use std::cell::{Cell, RefCell};

/// Tolerances for the Brent minimiser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrentOptOptions {
    /// Relative tolerance $\epsilon_r$ on the location (default $\sqrt{\varepsilon} \approx 1.5\times
    /// 10^{-8}$; smaller values are useless for a smooth minimum, since
    /// $f(x^\star + h) - f(x^\star) = O(h^2)$).
    pub x_rel_tol: f64,
    /// Absolute tolerance $\epsilon_a$ on the location (default $10^{-10}$).
    pub x_abs_tol: f64,
    /// Maximum number of Brent iterations (default 200).
    pub max_iter: usize,
}

impl Default for BrentOptOptions {
    fn default() -> Self {
        Self {
            x_rel_tol: f64::EPSILON.sqrt(),
            x_abs_tol: 1e-10,
            max_iter: 200,
        }
    }
}

impl BrentOptOptions {
    /// Validate the options.
    pub fn check(&self) -> Result<()> {
        crate::error::validate::positive("x_rel_tol", self.x_rel_tol)?;
        crate::error::validate::positive("x_abs_tol", self.x_abs_tol)?;
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

/// Options for [`minimize_log_scale`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogGridOptions {
    /// Number of log-spaced grid points for the coarse scan, at least 3 (default 41).
    pub grid_points: usize,
    /// Tolerances of the Brent refinement in $u = \ln x$.
    pub brent: BrentOptOptions,
}

impl Default for LogGridOptions {
    fn default() -> Self {
        Self {
            grid_points: 41,
            brent: BrentOptOptions::default(),
        }
    }
}

/// A scalar optimum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalarOptimum {
    /// The minimiser (or maximiser).
    pub location: f64,
    /// $f$ at `location`.
    pub value: f64,
    /// Brent iterations.
    pub iterations: usize,
    /// Evaluations of $f$ (grid scan included).
    pub evaluations: usize,
}

/// Wraps a fallible closure as an argmin cost function; remembers the first crate error.
struct Objective<'a, F> {
    f: RefCell<&'a mut F>,
    sign: f64,
    error: &'a RefCell<Option<Error>>,
    evaluations: &'a Cell<usize>,
    /// `x -> exp(x)` before calling `f` (log-scale search).
    exp_param: bool,
}

impl<F> CostFunction for Objective<'_, F>
where
    F: FnMut(f64) -> Result<f64>,
{
    type Param = f64;
    type Output = f64;

    fn cost(&self, x: &f64) -> std::result::Result<f64, argmin::core::Error> {
        let arg = if self.exp_param { x.exp() } else { *x };
        self.evaluations.set(self.evaluations.get() + 1);
        let value = (self.f.borrow_mut())(arg);
        let err = match value {
            Ok(v) if v.is_finite() => return Ok(self.sign * v),
            Ok(_) => Error::NonFinite {
                what: "objective value",
            },
            Err(e) => e,
        };
        let msg = err.to_string();
        self.error.borrow_mut().get_or_insert(err);
        Err(argmin::core::Error::msg(msg))
    }
}

fn check_bracket(lower: f64, upper: f64) -> Result<()> {
    crate::error::validate::finite("lower", lower)?;
    crate::error::validate::finite("upper", upper)?;
    if lower >= upper {
        return Err(Error::InvalidParameter {
            name: "upper",
            value: upper,
            expected: "a finite number > lower",
        });
    }
    Ok(())
}

/// Brent on `sign * f` (or `sign * f(exp u)`), returning (location in the search variable,
/// value of `f`, iterations).
fn brent_core<F>(
    f: &mut F,
    sign: f64,
    exp_param: bool,
    lower: f64,
    upper: f64,
    opts: &BrentOptOptions,
    evaluations: &Cell<usize>,
) -> Result<(f64, f64, usize)>
where
    F: FnMut(f64) -> Result<f64>,
{
    opts.check()?;
    let error = RefCell::new(None);
    let problem = Objective {
        f: RefCell::new(f),
        sign,
        error: &error,
        evaluations,
        exp_param,
    };
    let solver = BrentOpt::new(lower, upper).set_tolerance(opts.x_rel_tol, opts.x_abs_tol);
    let run = Executor::new(problem, solver)
        .configure(|s| s.max_iters(opts.max_iter as u64))
        .timer(false)
        .run();
    let stored = error.borrow_mut().take();
    if let Some(e) = stored {
        return Err(e);
    }
    let res = run.map_err(|e| Error::LinearAlgebra {
        what: format!("argmin BrentOpt: {e}"),
    })?;
    let state = res.state();
    let iterations = state.get_iter() as usize;
    let location = state.best_param.unwrap_or(f64::NAN);
    let value = sign * state.best_cost;
    if !(location.is_finite() && value.is_finite()) {
        return Err(Error::NonFinite {
            what: "brent minimiser",
        });
    }
    match &state.termination_status {
        TerminationStatus::Terminated(TerminationReason::SolverConverged) => {
            Ok((location, value, iterations))
        }
        _ => Err(Error::NotConverged {
            method: "brent minimisation",
            iterations,
            residual: f64::NAN,
            tolerance: opts.x_rel_tol,
            last_iterate: vec![location],
        }),
    }
}

/// Minimise `f` on the bracket `[lower, upper]` by Brent's method.
///
/// Errors: [`Error::InvalidParameter`] for a non-finite or empty bracket or bad options;
/// [`Error::NonFinite`] if `f` returns a non-finite value; `f`'s own errors are passed through;
/// [`Error::NotConverged`] after `max_iter` iterations (its `residual` is `NaN`: there is no residual
/// for a minimisation, and `last_iterate` holds the best point).
///
/// ```
/// use overparam::solver::{minimize_scalar, BrentOptOptions};
/// let m = minimize_scalar(|x| Ok((x - 2.0).powi(2) + 1.0), 0.0, 5.0, BrentOptOptions::default())?;
/// assert!((m.location - 2.0).abs() < 1e-7);
/// assert!((m.value - 1.0).abs() < 1e-14);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn minimize_scalar<F>(
    mut f: F,
    lower: f64,
    upper: f64,
    opts: BrentOptOptions,
) -> Result<ScalarOptimum>
where
    F: FnMut(f64) -> Result<f64>,
{
    check_bracket(lower, upper)?;
    let evaluations = Cell::new(0);
    let (location, value, iterations) =
        brent_core(&mut f, 1.0, false, lower, upper, &opts, &evaluations)?;
    Ok(ScalarOptimum {
        location,
        value,
        iterations,
        evaluations: evaluations.get(),
    })
}

/// Maximise `f` on the bracket `[lower, upper]` by Brent's method applied to $-f$.
///
/// Errors as in [`minimize_scalar`]. The reported `value` is $f$ (not $-f$) at the maximiser.
pub fn maximize_scalar<F>(
    mut f: F,
    lower: f64,
    upper: f64,
    opts: BrentOptOptions,
) -> Result<ScalarOptimum>
where
    F: FnMut(f64) -> Result<f64>,
{
    check_bracket(lower, upper)?;
    let evaluations = Cell::new(0);
    let (location, value, iterations) =
        brent_core(&mut f, -1.0, false, lower, upper, &opts, &evaluations)?;
    Ok(ScalarOptimum {
        location,
        value,
        iterations,
        evaluations: evaluations.get(),
    })
}

/// Minimise `f` over $x \in [\text{lower}, \text{upper}]$, $0 < \text{lower} < \text{upper}$, on a
/// log scale: grid scan in $u = \ln x$, then Brent in $u$ around the best grid point.
///
/// The result is never worse than the best grid point. Errors as in [`minimize_scalar`], plus
/// [`Error::InvalidParameter`] for `lower <= 0` or fewer than 3 grid points.
///
/// ```
/// use overparam::solver::{minimize_log_scale, LogGridOptions};
/// // (ln x - 1)^2 + 3 is minimal at x = e.
/// let m = minimize_log_scale(|x: f64| Ok((x.ln() - 1.0).powi(2) + 3.0), 1e-8, 1e2, LogGridOptions::default())?;
/// assert!((m.location / std::f64::consts::E - 1.0).abs() < 1e-7);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn minimize_log_scale<F>(
    mut f: F,
    lower: f64,
    upper: f64,
    opts: LogGridOptions,
) -> Result<ScalarOptimum>
where
    F: FnMut(f64) -> Result<f64>,
{
    crate::error::validate::positive("lower", lower)?;
    check_bracket(lower, upper)?;
    if opts.grid_points < 3 {
        return Err(Error::InvalidParameter {
            name: "grid_points",
            value: opts.grid_points as f64,
            expected: "an integer >= 3",
        });
    }
    let (ul, uu) = (lower.ln(), upper.ln());
    let n = opts.grid_points;
    let grid = |i: usize| ul + (uu - ul) * (i as f64) / ((n - 1) as f64);
    let mut best = (0, f64::INFINITY);
    for i in 0..n {
        let v = f(grid(i).exp())?;
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: "objective value on the log grid",
            });
        }
        if v < best.1 {
            best = (i, v);
        }
    }
    let k = best.0;
    let (a, b) = (grid(k.saturating_sub(1)), grid((k + 1).min(n - 1)));
    let evaluations = Cell::new(n);
    let (u, value, iterations) = brent_core(&mut f, 1.0, true, a, b, &opts.brent, &evaluations)?;
    let (location, value) = if value <= best.1 {
        (u.exp(), value)
    } else {
        (grid(k).exp(), best.1)
    };
    Ok(ScalarOptimum {
        location,
        value,
        iterations,
        evaluations: evaluations.get(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maximises_sine_on_bracket() {
        let m =
            maximize_scalar(|x: f64| Ok(x.sin()), 0.0, 3.0, BrentOptOptions::default()).unwrap();
        assert!(
            (m.location - std::f64::consts::FRAC_PI_2).abs() < 1e-7,
            "{m:?}"
        );
        assert!((m.value - 1.0).abs() < 1e-14);
    }

    #[test]
    fn passes_through_objective_errors_and_non_finite() {
        let e =
            minimize_scalar(|_| Ok(f64::NAN), 0.0, 1.0, BrentOptOptions::default()).unwrap_err();
        assert!(matches!(e, Error::NonFinite { .. }), "{e:?}");
        let e = minimize_scalar(
            |x| {
                Err(Error::InvalidParameter {
                    name: "x",
                    value: x,
                    expected: "nothing",
                })
            },
            0.0,
            1.0,
            BrentOptOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "x", .. }),
            "{e:?}"
        );
        let e = minimize_scalar(Ok, 1.0, 0.0, BrentOptOptions::default()).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }));
    }

    #[test]
    fn max_iter_gives_not_converged() {
        let opts = BrentOptOptions {
            max_iter: 2,
            ..Default::default()
        };
        let e = minimize_scalar(|x: f64| Ok((x - 0.3).powi(2)), 0.0, 10.0, opts).unwrap_err();
        assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
    }
}
