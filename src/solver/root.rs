//! Bracketed one-dimensional root finding (Brent's method).
//!
//! Brent's method combines bisection, the secant step and inverse quadratic interpolation.
//! Given a bracket $[a, b]$ with $f(a) f(b) \le 0$ it converges superlinearly for smooth $f$
//! and never worse than bisection, so it cannot leave the bracket or jump to another root.
//! (R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 4.)
//!
//! It is written in-house rather than through `argmin::solver::brent::BrentRoot` because it sits
//! on the microsecond hot path of [`crate::theory::random_features`]: a plain function with no
//! executor, state boxing or timers. The two agree (see the tests).

use crate::error::{Error, Result};

/// Tolerances for [`brent_root`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RootOptions {
    /// Absolute tolerance on the root location.
    pub x_abs_tol: f64,
    /// Relative tolerance on the root location (relative to `|x|`).
    pub x_rel_tol: f64,
    /// Maximum number of function evaluations after the two end points.
    pub max_iter: usize,
}

impl Default for RootOptions {
    fn default() -> Self {
        Self { x_abs_tol: 1e-300, x_rel_tol: 4.0 * f64::EPSILON, max_iter: 200 }
    }
}

/// The outcome of a bracketed root solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RootReport {
    /// The root estimate (the end of the final bracket with the smaller $|f|$).
    pub root: f64,
    /// $|f(\text{root})|$.
    pub residual: f64,
    /// Width of the final bracket.
    pub bracket_width: f64,
    /// Number of function evaluations after the two end points.
    pub iterations: usize,
}

/// Find a root of `f` in `[lower, upper]` by Brent's method.
///
/// Requires $f(\text{lower})\,f(\text{upper}) \le 0$; otherwise returns [`Error::NoBracket`].
/// Non-finite function values give [`Error::NonFinite`]; running out of iterations gives
/// [`Error::NotConverged`].
pub fn brent_root<F>(mut f: F, lower: f64, upper: f64, opts: RootOptions) -> Result<RootReport>
where
    F: FnMut(f64) -> f64,
{
    if !(lower.is_finite() && upper.is_finite()) {
        return Err(Error::NonFinite { what: "brent_root bracket" });
    }
    let (mut a, mut b) = (lower, upper);
    let mut fa = f(a);
    let mut fb = f(b);
    if !(fa.is_finite() && fb.is_finite()) {
        return Err(Error::NonFinite { what: "brent_root function value at bracket end" });
    }
    if fa == 0.0 {
        return Ok(RootReport { root: a, residual: 0.0, bracket_width: 0.0, iterations: 0 });
    }
    if fb == 0.0 {
        return Ok(RootReport { root: b, residual: 0.0, bracket_width: 0.0, iterations: 0 });
    }
    if fa.signum() == fb.signum() {
        return Err(Error::NoBracket { lower, upper, f_lower: fa, f_upper: fb });
    }
    // c is the previous iterate / contrapoint so that b and c bracket the root.
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for iter in 1..=opts.max_iter {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * opts.x_rel_tol * b.abs() + 0.5 * opts.x_abs_tol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Ok(RootReport {
                root: b,
                residual: fb.abs(),
                bracket_width: (c - b).abs(),
                iterations: iter - 1,
            });
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Interpolation step: secant (a == c) or inverse quadratic.
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
        if !fb.is_finite() {
            return Err(Error::NonFinite { what: "brent_root function value" });
        }
    }
    Err(Error::NotConverged {
        method: "brent",
        iterations: opts.max_iter,
        residual: fb.abs(),
        tolerance: opts.x_rel_tol,
        last_iterate: vec![b],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cubic_root_to_machine_precision() {
        // x^3 - 2 has the single real root 2^(1/3).
        let r = brent_root(|x| x * x * x - 2.0, 0.0, 2.0, RootOptions::default()).unwrap();
        assert!((r.root - 2f64.cbrt()).abs() < 4e-16, "{r:?}");
        assert!(r.iterations < 20);
    }

    #[test]
    fn rejects_non_bracket() {
        let e = brent_root(|x| x * x + 1.0, -1.0, 1.0, RootOptions::default()).unwrap_err();
        assert!(matches!(e, Error::NoBracket { .. }));
    }

    #[test]
    fn reports_non_finite() {
        let e = brent_root(|x| 1.0 / x - 1.0, 0.0, 2.0, RootOptions::default()).unwrap_err();
        assert!(matches!(e, Error::NonFinite { .. }));
    }

    #[test]
    fn stays_in_bracket_with_several_roots() {
        // sin has roots at 0, pi, 2pi; the bracket [3, 4] contains only pi.
        let r = brent_root(f64::sin, 3.0, 4.0, RootOptions::default()).unwrap();
        assert!((r.root - std::f64::consts::PI).abs() < 1e-15);
    }
}
