//! The fractional dimension $d^*$ at which a family turns from saddle into minimum.
//!
//! Arjevani & Field (*Analytic study of families of spurious minima*, arXiv 2107.10370) treat the
//! class sizes as real numbers; along a family $W^*(d)$ the Hessian eigenvalues are analytic in $d$
//! and a family changes from saddle to minimum where the smallest eigenvalue of its unstable
//! isotypic block crosses zero. We continue the family downward in $d$ from a dimension where it
//! is a minimum, bracket the first sign change of the smallest eigenvalue, and locate it with
//! Brent's method ([`crate::solver::root::brent_root`]) on that block's smallest eigenvalue, each
//! evaluation a warm-started reduced Newton solve.

use super::critical::{CriticalPoint, Family, ReducedNewtonOptions, continue_to, critical_point};
use super::spectrum::{Component, block_spectrum, component_eigenvalues};
use crate::error::{Error, Result};
use crate::solver::root::{RootOptions, brent_root};

/// The saddle-to-minimum transition of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The dimension $d^*$ (real) where the smallest eigenvalue of the unstable block vanishes.
    pub d_star: f64,
    /// The unstable isotypic component (negative for $d$ slightly below $d^*$).
    pub component: Component,
    /// $|\lambda_{\min}|$ of that block at the returned $d^*$.
    pub residual: f64,
    /// Width of Brent's final bracket in $d$.
    pub bracket_width: f64,
    /// Brent iterations.
    pub iterations: usize,
    /// The critical point at $d^*$.
    pub point: CriticalPoint,
}

/// Options of [`saddle_to_minimum`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdOptions {
    /// Dimension to start the downward scan from (doubled, up to $10^4$, until the family is a
    /// minimum there).
    pub d_start: f64,
    /// Scan step in $d$.
    pub scan_step: f64,
    /// Lowest dimension scanned.
    pub d_min: f64,
}

impl Default for ThresholdOptions {
    fn default() -> Self {
        Self {
            d_start: 40.0,
            scan_step: 0.25,
            d_min: 3.0,
        }
    }
}

/// Locate $d^*$ for a built-in family. Returns `Ok(None)` if the family stays a minimum down to
/// `d_min` or to where it ceases to exist (e.g. the global minimum).
pub fn saddle_to_minimum(family: Family, opts: ThresholdOptions) -> Result<Option<Threshold>> {
    if !(opts.scan_step > 0.0 && opts.d_min >= 2.0 && opts.d_start > opts.d_min) {
        return Err(Error::InvalidParameter {
            name: "scan_step",
            value: opts.scan_step,
            expected: "scan_step > 0 and 2 <= d_min < d_start",
        });
    }
    let newton = ReducedNewtonOptions::default();
    // Move the start up (doubling, to at most 1e4) until the family is a minimum there.
    let mut d_hi = opts.d_start;
    let mut hi = critical_point(family, d_hi)?;
    while block_spectrum(&hi.partition, &hi.params)?.min_value() <= 0.0 {
        if d_hi >= 1e4 {
            return Err(Error::InvalidParameter {
                name: "d_start",
                value: d_hi,
                expected: "a starting dimension (<= 1e4) at which the family is a minimum",
            });
        }
        let next = (2.0 * d_hi).min(1e4);
        hi = continue_to(family, d_hi, &hi.params, next, newton)?;
        d_hi = next;
    }
    loop {
        let d_lo = (d_hi - opts.scan_step).max(opts.d_min);
        if d_lo >= d_hi {
            return Ok(None);
        }
        let lo = match continue_to(family, d_hi, &hi.params, d_lo, newton) {
            Ok(p) => p,
            Err(_) => return Ok(None),
        };
        let spec = block_spectrum(&lo.partition, &lo.params)?;
        if spec.min_value() < 0.0 {
            let component = spec.min_component().ok_or(Error::NoSolution {
                what: "negative eigenvalue without an isotypic component (empty spectrum)",
            })?;
            return locate(family, component, (d_lo, lo), (d_hi, hi)).map(Some);
        }
        hi = lo;
        d_hi = d_lo;
    }
}

fn locate(
    family: Family,
    component: Component,
    lo: (f64, CriticalPoint),
    hi: (f64, CriticalPoint),
) -> Result<Threshold> {
    let newton = ReducedNewtonOptions::default();
    let anchor = hi.1.params.clone();
    let d_anchor = hi.0;
    let mut failure: Option<Error> = None;
    let eval = |d: f64, failure: &mut Option<Error>| -> f64 {
        let res = continue_to(family, d_anchor, &anchor, d, newton).and_then(|p| {
            component_eigenvalues(&p.partition, &p.params, component)
                .map(|ev| ev.first().copied().unwrap_or(f64::NAN))
        });
        match res {
            Ok(v) => v,
            Err(e) => {
                *failure = Some(e);
                f64::NAN
            }
        }
    };
    let opts = RootOptions {
        x_abs_tol: 1e-14,
        x_rel_tol: 1e-15,
        max_iter: 200,
    };
    let rep = brent_root(|d| eval(d, &mut failure), lo.0, hi.0, opts);
    if let Some(e) = failure {
        return Err(e);
    }
    let rep = rep?;
    let point = continue_to(family, d_anchor, &anchor, rep.root, newton)?;
    Ok(Threshold {
        d_star: rep.root,
        component,
        residual: rep.residual,
        bracket_width: rep.bracket_width,
        iterations: rep.iterations,
        point,
    })
}

/// Continue a family downward from `d_start` until it ceases to exist: the partition becomes
/// invalid, or Newton continuation fails with a step below `min_step` (a fold or bifurcation).
/// Returns the lowest dimension reached and the critical point there.
pub fn lower_limit(family: Family, d_start: f64, min_step: f64) -> Result<CriticalPoint> {
    let newton = ReducedNewtonOptions::default();
    let mut cur = critical_point(family, d_start)?;
    let mut d = d_start;
    let mut step = 0.5;
    while step >= min_step {
        let next = d - step;
        match family
            .partition(next)
            .and_then(|_| continue_to(family, d, &cur.params, next, newton))
        {
            Ok(p) => {
                cur = p;
                d = next;
            }
            Err(_) => step *= 0.5,
        }
    }
    Ok(cur)
}
