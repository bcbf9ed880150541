//! Newton's method for the stationarity equations $\nabla R = 0$ of a small scalar saddle problem.
//!
//! The gradient is analytic (supplied by the caller); the Jacobian of the gradient (the Hessian of
//! $R$) is formed by central differences of that analytic gradient and symmetrised. The step is
//! damped so that every variable stays positive (it may shrink by at most a factor
//! `1 - FRACTION_TO_BOUNDARY` per step, which keeps iterates away from the spurious $\gamma = 0$
//! and $\tau_g = 0$ boundary points) and backtracked on the merit $\frac12\|\nabla R\|^2$, for
//! which the Newton direction is always a descent direction.

#![allow(clippy::needless_range_loop)] // small fixed-size matrices read best with indices

use crate::error::{Error, Result};
use crate::linalg::{Matrix, solve_dense};

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

fn inf_norm<const D: usize>(g: &[f64; D]) -> f64 {
    g.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

fn merit<const D: usize>(g: &[f64; D]) -> f64 {
    0.5 * g.iter().map(|v| v * v).sum::<f64>()
}

/// Central-difference Hessian of the analytic gradient, symmetrised.
pub(crate) fn fd_hessian<const D: usize, G>(grad: &mut G, x: &[f64; D]) -> Result<[[f64; D]; D]>
where
    G: FnMut(&[f64; D]) -> Result<[f64; D]>,
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

/// Newton's method on $\nabla R(x) = 0$ over the open positive orthant.
///
/// Stops when $\|\nabla R\|_\infty \le$ `tol`. Fails with [`Error::NotConverged`] after
/// `max_iter` iterations or when the line search cannot reduce the merit any more, unless the
/// residual is then within `1e3 * tol` (a rounding floor; the residual is returned either way).
pub(crate) fn newton_stationary<const D: usize, G>(
    mut grad: G,
    x0: [f64; D],
    tol: f64,
    max_iter: usize,
    method: &'static str,
) -> Result<Stationary<D>>
where
    G: FnMut(&[f64; D]) -> Result<[f64; D]>,
{
    if let Some(&bad) = x0.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        return Err(Error::InvalidParameter {
            name: "guess",
            value: bad,
            expected: "a saddle-point starting guess with every variable finite and > 0",
        });
    }
    let mut x = x0;
    let mut g = grad(&x)?;
    let mut iterations = 0;
    loop {
        let residual = inf_norm(&g);
        if residual <= tol {
            let hessian = fd_hessian(&mut grad, &x)?;
            return Ok(Stationary {
                x,
                residual,
                iterations,
                hessian,
            });
        }
        let not_converged = |x: &[f64; D], iterations| Error::NotConverged {
            method,
            iterations,
            residual,
            tolerance: tol,
            last_iterate: x.to_vec(),
        };
        if iterations >= max_iter {
            // Same rounding floor as for a failed line search (the residual is reported).
            if residual <= 1e3 * tol {
                let hessian = fd_hessian(&mut grad, &x)?;
                return Ok(Stationary {
                    x,
                    residual,
                    iterations,
                    hessian,
                });
            }
            return Err(not_converged(&x, iterations));
        }
        iterations += 1;
        let hess = fd_hessian(&mut grad, &x)?;
        // Solve the symmetrically rescaled system (X H X) z = -X g, d = X z with X = diag(x):
        // the variables span many orders of magnitude (beta ~ 1/psi1), so this keeps the pivots
        // comparable.
        let mut scaled = hess;
        let mut rhs = g;
        for i in 0..D {
            for j in 0..D {
                scaled[i][j] *= x[i] * x[j];
            }
            rhs[i] = -rhs[i] * x[i];
        }
        let z =
            solve_dense(&Matrix::from_fn(D, D, |i, j| scaled[i][j]), &rhs, 1e-15).map_err(|e| {
                match e {
                    Error::LinearAlgebra { .. } => Error::LinearAlgebra {
                        what: "singular Hessian in the saddle-point Newton step".to_string(),
                    },
                    Error::NonFinite { .. } => Error::NonFinite {
                        what: "saddle-point Newton step",
                    },
                    other => other,
                }
            })?;
        let d: [f64; D] = std::array::from_fn(|i| z[i] * x[i]);
        let mut t_max: f64 = 1.0;
        for i in 0..D {
            if d[i] < 0.0 {
                t_max = t_max.min(FRACTION_TO_BOUNDARY * x[i] / -d[i]);
            }
        }
        let m0 = merit(&g);
        let mut t = t_max;
        let mut accepted = false;
        for _ in 0..40 {
            let mut xt = x;
            for i in 0..D {
                xt[i] += t * d[i];
            }
            if let Ok(gt) = grad(&xt)
                && merit(&gt) <= (1.0 - 1e-4 * t) * m0
            {
                x = xt;
                g = gt;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            if residual <= 1e3 * tol {
                let hessian = fd_hessian(&mut grad, &x)?;
                return Ok(Stationary {
                    x,
                    residual,
                    iterations,
                    hessian,
                });
            }
            return Err(not_converged(&x, iterations));
        }
    }
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
