//! Newton's method for the stationarity equations $\nabla R = 0$ of a small scalar saddle problem,
//! run by the array form of the solver engine's bounded mode (`newton_bounded_array`, step for
//! step [`crate::solver::newton_bounded`] on stack arrays).
//!
//! The gradient is analytic (supplied by the caller); the Jacobian of the gradient (the Hessian of
//! $R$) is formed by central differences of that analytic gradient and symmetrised. The step is
//! damped so that every variable stays positive (it may shrink by at most a factor
//! `1 - FRACTION_TO_BOUNDARY` per step, which keeps iterates away from the spurious $\gamma = 0$
//! and $\tau_g = 0$ boundary points) and backtracked on the merit $\frac12\|\nabla R\|^2$, for
//! which the Newton direction is always a descent direction.

#![allow(clippy::needless_range_loop)] // small fixed-size matrices read best with indices

use crate::error::{Error, Result};
use crate::solver::newton::newton_bounded_array;
use crate::solver::{NewtonOptions, NewtonScaling};

/// Largest fraction of its current value a variable may lose in one step.
const FRACTION_TO_BOUNDARY: f64 = 0.8;

/// Outcome of [`newton_stationary`].
#[derive(Debug, Clone)]
pub(crate) struct Stationary<const D: usize> {
    /// The stationary point.
    pub x: [f64; D],
    /// $\|\nabla R\|_\infty$ at `x`.
    pub residual: f64,
    /// Newton iterations.
    pub iterations: usize,
    /// The (symmetrised, finite-difference) Hessian at `x`.
    pub hessian: [[f64; D]; D],
}

/// Central-difference Hessian of the analytic gradient, symmetrised.
pub(crate) fn fd_hessian<const D: usize, G>(grad: &G, x: &[f64; D]) -> Result<[[f64; D]; D]>
where
    G: Fn(&[f64; D]) -> Result<[f64; D]>,
{
    let mut h = [[0.0; D]; D];
    for j in 0..D {
        let step = 1e-6 * x[j].abs().max(1e-12);
        let mut xp = *x;
        let mut xm = *x;
        xp[j] += step;
        xm[j] -= step;
        let gp = grad(&xp)?;
        let gm = grad(&xm)?;
        for i in 0..D {
            h[i][j] = (gp[i] - gm[i]) / (2.0 * step);
        }
    }
    for i in 0..D {
        for j in 0..i {
            let s = 0.5 * (h[i][j] + h[j][i]);
            h[i][j] = s;
            h[j][i] = s;
        }
    }
    Ok(h)
}

/// Newton's method on $\nabla R(x) = 0$ over the open positive orthant, on the engine's bounded
/// mode (`newton_bounded_array`, the array form of [`crate::solver::newton_bounded`]): variable scaling $D = \mathrm{diag}(x)$, lower bounds 0 with
/// fraction to the boundary `FRACTION_TO_BOUNDARY`, Armijo backtracking (40 trial lengths) on
/// $\frac12\|\nabla R\|^2$ with trial points where $R$ is undefined rejected.
///
/// Stops when $\|\nabla R\|_\infty \le$ `tol`. Fails with [`Error::NotConverged`] after
/// `max_iter` iterations or when the line search cannot reduce the merit any more, unless the
/// residual is then within `1e3 * tol` (a rounding floor; the residual is returned either way).
pub(crate) fn newton_stationary<const D: usize, G>(
    grad: G,
    x0: [f64; D],
    tol: f64,
    max_iter: usize,
    method: &'static str,
) -> Result<Stationary<D>>
where
    G: Fn(&[f64; D]) -> Result<[f64; D]>,
{
    if let Some(&bad) = x0.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        return Err(Error::InvalidParameter {
            name: "guess",
            value: bad,
            expected: "a saddle-point starting guess with every variable finite and > 0",
        });
    }
    let lower = [0.0; D];
    let report = newton_bounded_array(
        |x: &[f64; D]| grad(x),
        |x: &[f64; D]| fd_hessian(&grad, x),
        x0,
        &lower,
        method,
        NewtonOptions {
            tolerance: tol,
            max_iter,
            max_backtracks: 39,
            armijo: 5e-5,
            pivot_floor: Some(1e-15),
            scaling: NewtonScaling::Variables,
            fraction_to_boundary: FRACTION_TO_BOUNDARY,
            accept_stalled: 1e3,
            reject_failed_trials: true,
            ..NewtonOptions::default()
        },
    )
    .map_err(|e| match e {
        Error::LinearAlgebra { .. } => Error::LinearAlgebra {
            what: "singular Hessian in the saddle-point Newton step".to_string(),
        },
        other => other,
    })?;
    let x = report.solution;
    let hessian = fd_hessian(&grad, &x)?;
    Ok(Stationary {
        x,
        residual: report.residual,
        iterations: report.iterations,
        hessian,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_saddle_of_quadratic_plus_log() {
        // R = x^2/2 - log x  - (y^2/2 - 2 log y) + x y / 10: stationary near (1, sqrt 2).
        let grad = |v: &[f64; 2]| -> Result<[f64; 2]> {
            Ok([
                v[0] - 1.0 / v[0] + v[1] / 10.0,
                -v[1] + 2.0 / v[1] + v[0] / 10.0,
            ])
        };
        let s = newton_stationary(grad, [3.0, 0.2], 1e-13, 50, "test").unwrap();
        let g = grad(&s.x).unwrap();
        assert!(g[0].abs() < 1e-13 && g[1].abs() < 1e-13);
        assert!(s.hessian[0][0] > 0.0 && s.hessian[1][1] < 0.0);
    }
}
