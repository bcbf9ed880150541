//! Natural-parameter continuation: solve along a path $p_0, p_1, \dots$ warm-starting each solve.
//!
//! At each requested parameter $p_k$ the per-point solver is called with a predicted starting
//! point: the previous solution, or (with `secant_predictor`) the secant extrapolation
//! $$\hat x(p) = x(p_{\rm cur}) + \frac{p - p_{\rm cur}}{p_{\rm cur} - p_{\rm prev}}
//!   \bigl(x(p_{\rm cur}) - x(p_{\rm prev})\bigr)$$
//! from the last two accepted points. A step is accepted only if the solve succeeds and the
//! solution moves by at most `max_relative_jump` in the scaled max-norm
//! $$J = \max_i \frac{|x_i(p) - x_i(p_{\rm cur})|}{\max(1, |x_i(p_{\rm cur})|)};$$
//! otherwise the step is bisected (intermediate points are solved and accepted first) until the
//! step is shorter than $|p_k - p_{k-1}| / 2^{\text{max\_depth}}$. Because a smooth solution branch
//! moves by $O(\Delta p)$, small steps can always be accepted on a branch, so a large move at the
//! minimal step signals a genuine discontinuity (e.g. a fold where the branch ends): it is either
//! an error or accepted and flagged, per [`JumpPolicy`]. This keeps sweeps near thresholds
//! (e.g. $\psi_1 \to \psi_2$, $\lambda \to 0$) on the branch they start on.
//! (E. L. Allgower and K. Georg, *Introduction to Numerical Continuation Methods*, 2003, ch. 1–2.)
//!
//! [`adaptive_continuation`] is the other mode, the one the models use to reach a single target
//! from a known solution: steps in a scalar path coordinate $s$ from $s_0$ to $s_1$, each seeded
//! by a predictor from the accepted history (the previous point, the secant
//! [`secant_prediction`], or a model's own asymptotics), solved, and then passed to a
//! *verification hook* (e.g. a max–min saddle or Morse-index check). An accepted step grows the
//! step length by `grow` (up to `max_step`); a failed solve or a rejected point shrinks it by
//! `shrink`; the walk fails below `min_step`, after `max_failures` failures or after `max_steps`
//! solves.

use crate::error::{Error, Result};
use crate::solver::{Scalar, from_parts, scaled_max_diff, to_parts};

/// What the per-point solver returns.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSolution<T> {
    /// The solution at this parameter.
    pub solution: Vec<T>,
    /// The solver's residual.
    pub residual: f64,
    /// The solver's iteration count.
    pub iterations: usize,
}

/// What to do when the solution still jumps at the minimal step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JumpPolicy {
    /// Fail with [`Error::NotConverged`] (method `"continuation (solution jump at minimal step)"`).
    #[default]
    Error,
    /// Accept the jump and flag it in [`PathPoint::unresolved_jump`].
    Accept,
}

/// Options for [`continuation`] (grid mode: the first four fields) and
/// [`adaptive_continuation`] (step control: the remaining fields). Build with
/// `..ContinuationOptions::default()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContinuationOptions {
    /// Largest accepted scaled move $J$ between consecutive accepted points (default 0.25).
    pub max_relative_jump: f64,
    /// Maximal bisection depth per requested step (default 10; at most 40).
    pub max_depth: usize,
    /// Use the secant predictor from the last two accepted points (default `true`).
    pub secant_predictor: bool,
    /// What to do with a jump that survives bisection (default [`JumpPolicy::Error`]).
    pub on_unresolved_jump: JumpPolicy,
    /// Adaptive mode: the first step length in the path coordinate (default 0.1).
    pub first_step: f64,
    /// Adaptive mode: the largest step length (default 0.5).
    pub max_step: f64,
    /// Adaptive mode: fail once a shrunk step is below this (default $10^{-9}$).
    pub min_step: f64,
    /// Adaptive mode: factor applied to the step after an accepted point (default 1.5).
    pub grow: f64,
    /// Adaptive mode: factor applied to the step after a failed or rejected point (default 0.5).
    pub shrink: f64,
    /// Adaptive mode: fail after more than this many failed or rejected points (default
    /// `usize::MAX`: only `min_step` and `max_steps` limit the walk).
    pub max_failures: usize,
    /// Adaptive mode: fail after this many solves (default 10 000).
    pub max_steps: usize,
}

impl Default for ContinuationOptions {
    fn default() -> Self {
        Self {
            max_relative_jump: 0.25,
            max_depth: 10,
            secant_predictor: true,
            on_unresolved_jump: JumpPolicy::Error,
            first_step: 0.1,
            max_step: 0.5,
            min_step: 1e-9,
            grow: 1.5,
            shrink: 0.5,
            max_failures: usize::MAX,
            max_steps: 10_000,
        }
    }
}

impl ContinuationOptions {
    /// Validate the options.
    pub fn check(&self) -> Result<()> {
        crate::error::validate::positive("max_relative_jump", self.max_relative_jump)?;
        if self.max_depth > 40 {
            return Err(Error::InvalidParameter {
                name: "max_depth",
                value: self.max_depth as f64,
                expected: "an integer in [0, 40]",
            });
        }
        use crate::error::validate::positive;
        positive("first_step", self.first_step)?;
        positive("max_step", self.max_step)?;
        positive("min_step", self.min_step)?;
        if !(self.grow.is_finite() && self.grow >= 1.0) {
            return Err(Error::InvalidParameter {
                name: "grow",
                value: self.grow,
                expected: "a finite number >= 1",
            });
        }
        if !(self.shrink > 0.0 && self.shrink < 1.0) {
            return Err(Error::InvalidParameter {
                name: "shrink",
                value: self.shrink,
                expected: "a number in (0, 1)",
            });
        }
        Ok(())
    }
}

/// One solved point of [`adaptive_continuation`]: the model's own solution and its residual.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuationStep<T> {
    /// The solution (any model type).
    pub value: T,
    /// The per-point solver's residual.
    pub residual: f64,
}

/// The outcome of [`adaptive_continuation`].
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveReport<T> {
    /// The solution at the end of the path.
    pub value: T,
    /// Its residual.
    pub residual: f64,
    /// Accepted steps, the final one included.
    pub steps: usize,
    /// Points solved but rejected by the verification hook.
    pub rejections: usize,
    /// Solves that failed.
    pub failures: usize,
}

/// The secant predictor from the last two accepted points of an
/// [`adaptive_continuation`] history (the last point alone if there is one):
/// $\hat x(s) = x_k + \frac{s - s_k}{s_k - s_{k-1}}(x_k - x_{k-1})$.
///
/// Domain: any history. When the extrapolation is not finite (an overflow, e.g. a jump of
/// $10^{160}$ extrapolated by a ratio of $10^{200}$, or non-finite history values) the last point
/// $x_k$ is returned instead, so a finite history always gives a finite prediction.
pub fn secant_prediction(history: &[(f64, Vec<f64>)], s: f64) -> Vec<f64> {
    let n = history.len();
    match n {
        0 => Vec::new(),
        1 => history[0].1.clone(),
        _ => {
            let (sp, xp) = &history[n - 2];
            let (sk, xk) = &history[n - 1];
            if sk == sp {
                return xk.clone();
            }
            let r = (s - sk) / (sk - sp);
            let predicted: Vec<f64> = xk.iter().zip(xp).map(|(c, p)| c + r * (c - p)).collect();
            if predicted.iter().all(|v| v.is_finite()) {
                predicted
            } else {
                xk.clone()
            }
        }
    }
}

/// Adaptive continuation in a scalar path coordinate from `span.0` (where `start` are the
/// unknowns of a known solution) to `span.1`.
///
/// - `predict(history, s)`: the starting guess at `s` from the accepted `(s, unknowns)` history
///   (e.g. [`secant_prediction`]);
/// - `solve(s, guess)`: the model solved at `s` (at the last step `s == span.1` exactly);
/// - `verify(s, value)`: the verification hook; an `Err` rejects the point like a failed solve
///   (the step shrinks) — e.g. a saddle or Morse-index check;
/// - `unknowns(value)`: the unknowns of an accepted intermediate point for the history (an error
///   here ends the walk: e.g. the path entered a regime without a solution).
///
/// Errors: [`Error::InvalidParameter`] for invalid options or a non-finite span; the last solve
/// or verification error when the step falls below `min_step` or more than `max_failures`
/// points fail; [`Error::NotConverged`] (residual: the distance still to go, last iterate: the
/// last accepted unknowns) after `max_steps` solves.
///
/// ```
/// use overparam::solver::{adaptive_continuation, secant_prediction, ContinuationOptions, ContinuationStep};
/// // Follow x = s^3 from s = 1 to s = 3 by Newton on x - s^3 = 0 with x^{1/3} verified.
/// let report = adaptive_continuation(
///     (1.0, 3.0),
///     &[1.0],
///     secant_prediction,
///     |s: f64, guess: &[f64]| {
///         let mut x = guess[0];
///         for _ in 0..3 { x -= x - s * s * s; }
///         Ok(ContinuationStep { value: x, residual: (x - s * s * s).abs() })
///     },
///     |s: f64, x: &f64| if (x.cbrt() - s).abs() < 1e-12 { Ok(()) } else {
///         Err(overparam::Error::NonFinite { what: "check" })
///     },
///     |x: &f64| Ok(vec![*x]),
///     &ContinuationOptions::default(),
/// )?;
/// assert!((report.value - 27.0).abs() < 1e-12);
/// assert_eq!(report.rejections, 0);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn adaptive_continuation<T, P, S, V, U>(
    span: (f64, f64),
    start: &[f64],
    predict: P,
    mut solve: S,
    mut verify: V,
    unknowns: U,
    opts: &ContinuationOptions,
) -> Result<AdaptiveReport<T>>
where
    P: Fn(&[(f64, Vec<f64>)], f64) -> Vec<f64>,
    S: FnMut(f64, &[f64]) -> Result<ContinuationStep<T>>,
    V: FnMut(f64, &T) -> Result<()>,
    U: Fn(&T) -> Result<Vec<f64>>,
{
    opts.check()?;
    let (s0, s1) = span;
    if !(s0.is_finite() && s1.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "span",
            value: if s0.is_finite() { s1 } else { s0 },
            expected: "a finite path interval",
        });
    }
    let mut history = vec![(s0, start.to_vec())];
    let direction = (s1 - s0).signum();
    let (mut s, mut step) = (s0, opts.first_step);
    let (mut steps, mut rejections, mut failures, mut solves) = (0, 0, 0, 0);
    loop {
        if solves >= opts.max_steps {
            return Err(Error::NotConverged {
                method: "adaptive continuation (residual: path distance still to go)",
                iterations: solves,
                residual: (s1 - s).abs(),
                tolerance: 0.0,
                last_iterate: history.pop().map(|h| h.1).unwrap_or_default(),
            });
        }
        let last = (s1 - s).abs() <= step;
        let next = if last { s1 } else { s + direction * step };
        let guess = predict(&history, next);
        solves += 1;
        let outcome = match solve(next, &guess) {
            Ok(point) => match verify(next, &point.value) {
                Ok(()) => Ok(point),
                Err(e) => {
                    rejections += 1;
                    Err(e)
                }
            },
            Err(e) => {
                failures += 1;
                Err(e)
            }
        };
        match outcome {
            Ok(point) => {
                steps += 1;
                if last {
                    return Ok(AdaptiveReport {
                        value: point.value,
                        residual: point.residual,
                        steps,
                        rejections,
                        failures,
                    });
                }
                history.push((next, unknowns(&point.value)?));
                s = next;
                step = (step * opts.grow).min(opts.max_step);
            }
            Err(e) => {
                step *= opts.shrink;
                if failures + rejections > opts.max_failures || step < opts.min_step {
                    return Err(e);
                }
            }
        }
    }
}

/// The solution at one requested parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPoint<T> {
    /// The requested parameter.
    pub parameter: f64,
    /// The solution there.
    pub solution: Vec<T>,
    /// The per-point solver's residual.
    pub residual: f64,
    /// Solver iterations spent reaching this point from the previous one (substeps and solves
    /// rejected for a jump included; failed solves report no count and add nothing).
    pub iterations: usize,
    /// Intermediate points inserted (accepted) between the previous requested point and this one.
    pub substeps: usize,
    /// The parameter interval $[a, b]$ (in path order) across which a jump was accepted under
    /// [`JumpPolicy::Accept`], if any.
    pub unresolved_jump: Option<(f64, f64)>,
}

/// The outcome of a [`continuation`] sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuationReport<T> {
    /// One entry per requested parameter, in order.
    pub points: Vec<PathPoint<T>>,
    /// Calls to the per-point solver (including failed and rejected ones).
    pub solves: usize,
    /// Intermediate points inserted by bisection, in total.
    pub substeps_inserted: usize,
    /// Solver iterations in total.
    pub total_iterations: usize,
    /// Jumps accepted under [`JumpPolicy::Accept`].
    pub unresolved_jumps: usize,
}

/// Solve along `parameters`, starting from the guess `x0` at `parameters[0]`.
///
/// `solve(p, warm_start)` solves the problem at parameter `p` from `warm_start` (same length as
/// `x0`). Errors: [`Error::DimensionMismatch`] if `parameters` or `x0` is empty or a solution has
/// the wrong length; [`Error::NonFinite`] for a non-finite parameter; the solver's own error if it
/// still fails at the minimal step (or at `parameters[0]`); [`Error::NotConverged`] for an
/// unresolved jump under [`JumpPolicy::Error`] (its `residual` is the jump $J$, its `tolerance`
/// `max_relative_jump`, its `last_iterate` the last accepted solution).
///
/// ```
/// use overparam::solver::{continuation, ContinuationOptions, PointSolution};
/// // Follow x = sqrt(p) for p from 1 to 4 by a warm-started Newton iteration on x^2 = p.
/// let report = continuation(
///     &[1.0, 2.0, 3.0, 4.0],
///     &[1.0],
///     |p: f64, x0: &[f64]| {
///         let mut x = x0[0];
///         for _ in 0..50 {
///             x -= (x * x - p) / (2.0 * x);
///         }
///         Ok(PointSolution { solution: vec![x], residual: (x * x - p).abs(), iterations: 50 })
///     },
///     ContinuationOptions::default(),
/// )?;
/// assert!((report.points[3].solution[0] - 2.0).abs() < 1e-14);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn continuation<T, S>(
    parameters: &[f64],
    x0: &[T],
    mut solve: S,
    opts: ContinuationOptions,
) -> Result<ContinuationReport<T>>
where
    T: Scalar,
    S: FnMut(f64, &[T]) -> Result<PointSolution<T>>,
{
    opts.check()?;
    if parameters.is_empty() {
        return Err(Error::DimensionMismatch {
            what: "continuation parameters",
            expected: 1,
            found: 0,
        });
    }
    if x0.is_empty() {
        return Err(Error::DimensionMismatch {
            what: "continuation initial guess",
            expected: 1,
            found: 0,
        });
    }
    if parameters.iter().any(|p| !p.is_finite()) {
        return Err(Error::NonFinite {
            what: "continuation parameter",
        });
    }
    let n = x0.len();
    let check_len = |s: &PointSolution<T>| -> Result<()> {
        if s.solution.len() != n {
            return Err(Error::DimensionMismatch {
                what: "continuation point solution",
                expected: n,
                found: s.solution.len(),
            });
        }
        if s.solution.iter().any(|v| !v.is_finite_scalar()) {
            return Err(Error::NonFinite {
                what: "continuation point solution",
            });
        }
        Ok(())
    };

    let first = solve(parameters[0], x0)?;
    check_len(&first)?;
    let mut report = ContinuationReport {
        points: Vec::with_capacity(parameters.len()),
        solves: 1,
        substeps_inserted: 0,
        total_iterations: first.iterations,
        unresolved_jumps: 0,
    };
    let mut p_cur = parameters[0];
    let mut x_cur = to_parts(&first.solution);
    let mut prev: Option<(f64, Vec<f64>)> = None;
    report.points.push(PathPoint {
        parameter: p_cur,
        solution: first.solution,
        residual: first.residual,
        iterations: first.iterations,
        substeps: 0,
        unresolved_jump: None,
    });

    let mut guess = vec![0.0; x_cur.len()];
    for &target in &parameters[1..] {
        let min_step = (target - p_cur).abs() / 2f64.powi(opts.max_depth as i32);
        let mut pending = vec![target];
        let mut iterations = 0;
        let mut substeps = 0;
        let mut jump_interval = None;
        let mut last = None;
        while let Some(&pt) = pending.last() {
            // Predictor.
            guess.copy_from_slice(&x_cur);
            if let (true, Some((pp, xp))) = (opts.secant_predictor, prev.as_ref())
                && p_cur != *pp
            {
                let s = (pt - p_cur) / (p_cur - pp);
                for ((g, c), q) in guess.iter_mut().zip(&x_cur).zip(xp) {
                    *g = c + s * (c - q);
                }
            }
            let warm: Vec<T> = from_parts(&guess);
            report.solves += 1;
            let attempt = solve(pt, &warm).and_then(|s| check_len(&s).map(|()| s));
            let (ok, jump) = match &attempt {
                Ok(s) => {
                    iterations += s.iterations;
                    let j = scaled_max_diff(&to_parts(&s.solution), &x_cur, T::PARTS);
                    (j <= opts.max_relative_jump, j)
                }
                Err(_) => (false, f64::INFINITY),
            };
            // Both halves are exact, so this is the rounded midpoint, without the overflow of
            // p_cur + pt near f64::MAX (which made the midpoint infinite and the split endless).
            let mid = 0.5 * p_cur + 0.5 * pt;
            let can_split =
                (pt - p_cur).abs() > min_step && mid != pt && mid != p_cur && mid.is_finite();
            let accept = ok || (!can_split && attempt.is_ok());
            if !ok && can_split {
                pending.push(mid);
                continue;
            }
            if !accept {
                // The solver failed at the minimal step: pass its error through.
                return Err(attempt.err().unwrap_or(Error::NonFinite {
                    what: "continuation",
                }));
            }
            let sol = attempt?;
            let jumped = !ok;
            if jumped {
                match opts.on_unresolved_jump {
                    JumpPolicy::Error => {
                        return Err(Error::NotConverged {
                            method: "continuation (solution jump at minimal step)",
                            iterations: report.solves,
                            residual: jump,
                            tolerance: opts.max_relative_jump,
                            last_iterate: x_cur,
                        });
                    }
                    JumpPolicy::Accept => {
                        report.unresolved_jumps += 1;
                        jump_interval = Some((p_cur, pt));
                    }
                }
            }
            pending.pop();
            let x_new = to_parts(&sol.solution);
            let old = std::mem::replace(&mut x_cur, x_new);
            // Do not extrapolate across a discontinuity.
            prev = if jumped { None } else { Some((p_cur, old)) };
            p_cur = pt;
            if pending.is_empty() {
                last = Some(sol);
            } else {
                substeps += 1;
            }
        }
        let Some(sol) = last else {
            return Err(Error::NonFinite {
                what: "continuation (no solution recorded)",
            });
        };
        report.total_iterations += iterations;
        report.substeps_inserted += substeps;
        report.points.push(PathPoint {
            parameter: target,
            solution: sol.solution,
            residual: sol.residual,
            iterations,
            substeps,
            unresolved_jump: jump_interval,
        });
    }
    Ok(report)
}
