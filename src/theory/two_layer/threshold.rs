//! The fractional dimension $d^*$ at which a family turns from saddle into minimum.
//!
//! Arjevani & Field (*Analytic study of families of spurious minima*, arXiv 2107.10370) treat the
//! class sizes as real numbers; along a family $W^*(d)$ the Hessian eigenvalues are analytic in $d$
//! and a family changes from saddle to minimum where the smallest eigenvalue of its unstable
//! isotypic block crosses zero. We continue the family downward in $d$ from a dimension where it
//! is a minimum, bracket the first sign change of the smallest eigenvalue, and locate it with
//! Brent's method ([`crate::solver::root::brent_root`]) on that block's smallest eigenvalue, each
//! evaluation a warm-started reduced Newton solve.

use super::critical::{
    CriticalPoint, Family, ReducedNewtonOptions, continue_to, continue_with_spectrum,
    critical_point,
};
use super::spectrum::{Component, Spectrum, block_spectrum, component_eigenvalues};
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

/// Largest dimension the downward scans start from: [`saddle_to_minimum`] doubles its start up to
/// here, and [`lower_limit`] accepts `d_start` up to here.
pub const MAX_SCAN_DIMENSION: f64 = 1e4;

/// Largest number of scan steps of [`saddle_to_minimum`], $\lceil(d_{\rm hi}-d_{\min})/
/// \text{scan\_step}\rceil$, and of continuation solves of [`lower_limit`]. Each step costs a
/// continuation and a block spectrum (well under a millisecond), so a scan ends within seconds.
pub const MAX_SCAN_STEPS: usize = 10_000;

/// Largest `d_start` of [`lower_limit`]: its walk takes steps of 0.5 from there, at most
/// $2\cdot10^3$ before the first halving, well inside the [`MAX_SCAN_STEPS`] budget.
pub const MAX_LOWER_LIMIT_START: f64 = 1e3;

/// Relative floor of the step options: `min_step` of [`lower_limit`] must be at least
/// `MIN_RELATIVE_STEP` $\times\,d_{\rm start}$, so that $d-\text{step}\ne d$ in floating point.
pub const MIN_RELATIVE_STEP: f64 = 1e-12;

/// Options of [`saddle_to_minimum`].
///
/// Domain (checked by [`ThresholdOptions::check`], each violation an
/// [`Error::InvalidParameter`] naming the field): $2\le$ `d_min` $<$ `d_start`
/// $\le$ [`MAX_SCAN_DIMENSION`], all finite, and `scan_step` finite and $>0$ with
/// $(\text{d\_start}-\text{d\_min})/\text{scan\_step}\le$ [`MAX_SCAN_STEPS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdOptions {
    /// Dimension to start the downward scan from (doubled, up to [`MAX_SCAN_DIMENSION`], until
    /// the family is a minimum there).
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

impl ThresholdOptions {
    /// Validate the options (the domain is in the type's documentation).
    pub fn check(&self) -> Result<()> {
        if !(self.d_min.is_finite() && self.d_min >= 2.0 && self.d_min < MAX_SCAN_DIMENSION) {
            return Err(Error::InvalidParameter {
                name: "d_min",
                value: self.d_min,
                expected: "a finite dimension in [2, 1e4)",
            });
        }
        if !(self.d_start.is_finite()
            && self.d_start > self.d_min
            && self.d_start <= MAX_SCAN_DIMENSION)
        {
            return Err(Error::InvalidParameter {
                name: "d_start",
                value: self.d_start,
                expected: "a finite dimension with d_min < d_start <= 1e4",
            });
        }
        scan_steps(self.d_start, self.d_min, self.scan_step)?;
        Ok(())
    }
}

/// The number of scan steps from `d_hi` down to `d_min`, or the error naming `scan_step`.
fn scan_steps(d_hi: f64, d_min: f64, scan_step: f64) -> Result<usize> {
    let steps = ((d_hi - d_min) / scan_step).ceil();
    if !(scan_step.is_finite() && scan_step > 0.0 && steps <= MAX_SCAN_STEPS as f64) {
        return Err(Error::InvalidParameter {
            name: "scan_step",
            value: scan_step,
            expected: "a finite step > 0 with (d_start - d_min) / scan_step <= 10000 (d_start \
                       after doubling to where the family is a minimum)",
        });
    }
    Ok(steps as usize)
}

/// Whether a continuation error means that the family ceases to exist between the two
/// dimensions (a fold or a singular point: Newton fails at every step down to the engine's
/// minimal step, or the continuation would have to leave its branch), as opposed to an error
/// that must reach the caller.
fn branch_ends(e: &Error) -> bool {
    match e {
        Error::NotConverged { method, .. } => *method == "reduced newton",
        Error::LinearAlgebra { .. } | Error::NoSolution { .. } | Error::NotASaddle { .. } => true,
        _ => false,
    }
}

/// Locate $d^*$ for a built-in family: the first dimension below which the family is a saddle,
/// scanning down from a dimension where it is a minimum.
///
/// Domain: `opts` as in [`ThresholdOptions`]; `d_start` must lie in the family's domain
/// ([`Family::partition`]). The start is doubled (up to [`MAX_SCAN_DIMENSION`]) until the family
/// is a minimum there; the scan then takes at most [`MAX_SCAN_STEPS`] steps, so the call is
/// bounded.
///
/// Returns `Ok(None)` if the family stays a minimum down to `d_min`, or ceases to exist while
/// still a minimum: the next scan dimension is outside the family's domain (its large class would
/// reach size 1), or the continuation cannot reach it (reduced Newton fails at every step down to
/// the engine's minimal step, a singular reduced Hessian, or the continuation would have to leave
/// its branch: a fold).
///
/// Errors: [`Error::InvalidParameter`] naming `d_min`, `d_start` or `scan_step` outside the
/// domain (`d_start` also when the family is not defined there, or is not a minimum at any
/// doubled start up to $10^4$, and `scan_step` when the doubled start makes the scan longer than
/// [`MAX_SCAN_STEPS`]); any other error of [`critical_point`], [`continue_to`] and
/// [`block_spectrum`] is returned as is (it is not a property of the family).
pub fn saddle_to_minimum(family: Family, opts: ThresholdOptions) -> Result<Option<Threshold>> {
    opts.check()?;
    if family.partition(opts.d_start).is_err() {
        return Err(Error::InvalidParameter {
            name: "d_start",
            value: opts.d_start,
            expected: "a dimension in the family's domain (large class > 1)",
        });
    }
    let newton = ReducedNewtonOptions::default();
    // Move the start up (doubling, to at most 1e4) until the family is a minimum there.
    let mut d_hi = opts.d_start;
    let mut hi = critical_point(family, d_hi)?;
    // The spectrum of `hi`: it seeds the branch guard of the next continuation, which returns
    // the spectrum of its end point (the same numbers as `block_spectrum` there).
    let mut hi_spec = block_spectrum(&hi.partition, &hi.params)?;
    while hi_spec.min_value() <= 0.0 {
        if d_hi >= MAX_SCAN_DIMENSION {
            return Err(Error::InvalidParameter {
                name: "d_start",
                value: opts.d_start,
                expected: "a starting dimension (<= 1e4, doubled up to 1e4) at which the family \
                           is a minimum",
            });
        }
        let next = (2.0 * d_hi).min(MAX_SCAN_DIMENSION);
        (hi, hi_spec) = continue_with_spectrum(family, d_hi, &hi.params, &hi_spec, next, newton)?;
        d_hi = next;
    }
    let max_steps = scan_steps(d_hi, opts.d_min, opts.scan_step)?;
    for _ in 0..=max_steps {
        let d_lo = (d_hi - opts.scan_step).max(opts.d_min);
        if d_lo >= d_hi {
            // Reached d_min (d_hi - scan_step < d_hi: the step is at least (d_hi - d_min) / 1e4).
            return Ok(None);
        }
        if family.partition(d_lo).is_err() {
            // The family's domain ends above d_lo.
            return Ok(None);
        }
        let (lo, spec) =
            match continue_with_spectrum(family, d_hi, &hi.params, &hi_spec, d_lo, newton) {
                Ok(p) => p,
                Err(e) if branch_ends(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
        if spec.min_value() < 0.0 {
            let component = spec.min_component().ok_or(Error::NoSolution {
                what: "negative eigenvalue without an isotypic component (empty spectrum)",
            })?;
            return locate(family, component, (d_lo, lo), (d_hi, hi, hi_spec)).map(Some);
        }
        hi = lo;
        hi_spec = spec;
        d_hi = d_lo;
    }
    // Unreachable: after max_steps steps d_hi - d_min <= 0 (the loop returns above).
    Err(Error::NotConverged {
        method: "threshold scan",
        iterations: max_steps,
        residual: d_hi - opts.d_min,
        tolerance: 0.0,
        last_iterate: hi.params,
    })
}

fn locate(
    family: Family,
    component: Component,
    lo: (f64, CriticalPoint),
    hi: (f64, CriticalPoint, Spectrum),
) -> Result<Threshold> {
    let newton = ReducedNewtonOptions::default();
    let anchor = hi.1.params.clone();
    let d_anchor = hi.0;
    let mut failure: Option<Error> = None;
    let eval = |d: f64, failure: &mut Option<Error>| -> f64 {
        // The smallest eigenvalue of the component's block at the continued point (the screened
        // guard checks the step; only this one block is diagonalised per Brent evaluation).
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
///
/// The walk: steps of $0.5$ in $d$, halved after each failed step (the next dimension outside the
/// family's domain, or a continuation that cannot reach it), until the step is below `min_step`.
///
/// Domain: `d_start` finite, in the family's domain ([`Family::partition`]) and at most
/// [`MAX_LOWER_LIMIT_START`]; `min_step` finite with
/// [`MIN_RELATIVE_STEP`]$\,\cdot\,$`d_start` $\le$ `min_step` $\le 0.5$ (below the floor
/// $d-\text{step}$ rounds to $d$ and the walk would not move). Outside it:
/// [`Error::InvalidParameter`] naming `d_start` or `min_step`.
///
/// Errors: also those of [`critical_point`] at `d_start`; a continuation error that is not the
/// end of the branch (see [`saddle_to_minimum`]) is returned as is; [`Error::NotConverged`]
/// (method `"lower limit walk"`) after [`MAX_SCAN_STEPS`] continuations (not reached for valid
/// options in practice: the walk needs at most $2\,d_{\rm start}\le2000$ steps before its first
/// halving, and a few per halving after).
pub fn lower_limit(family: Family, d_start: f64, min_step: f64) -> Result<CriticalPoint> {
    if !(d_start.is_finite()
        && d_start <= MAX_LOWER_LIMIT_START
        && family.partition(d_start).is_ok())
    {
        return Err(Error::InvalidParameter {
            name: "d_start",
            value: d_start,
            expected: "a finite dimension in the family's domain (large class > 1) and <= 1e3",
        });
    }
    if !(min_step.is_finite() && min_step >= MIN_RELATIVE_STEP * d_start && min_step <= 0.5) {
        return Err(Error::InvalidParameter {
            name: "min_step",
            value: min_step,
            expected: "a finite step with 1e-12 * d_start <= min_step <= 0.5",
        });
    }
    let newton = ReducedNewtonOptions::default();
    let mut cur = critical_point(family, d_start)?;
    let mut d = d_start;
    let mut step = 0.5;
    let mut solves = 0;
    while step >= min_step {
        if solves >= MAX_SCAN_STEPS {
            return Err(Error::NotConverged {
                method: "lower limit walk",
                iterations: solves,
                residual: step,
                tolerance: min_step,
                last_iterate: cur.params,
            });
        }
        let next = d - step;
        if family.partition(next).is_err() {
            step *= 0.5;
            continue;
        }
        solves += 1;
        match continue_to(family, d, &cur.params, next, newton) {
            Ok(p) => {
                cur = p;
                d = next;
            }
            Err(e) if branch_ends(&e) => step *= 0.5,
            Err(e) => return Err(e),
        }
    }
    Ok(cur)
}
