//! Symmetric critical points: reduced Newton, built-in families and continuation in real $d$.
//!
//! By the principle of symmetric criticality, a critical point of the reduced loss
//! $F_{\rm red}(\xi;d)$ on a fixed-point space (see [`super::symmetry`]) is a critical point of the
//! full loss. The reduced equations $\nabla_\xi F_{\rm red}=0$ have at most $m^2+m$ unknowns and are
//! solved by Newton's method with a backtracking line search on the merit
//! $\|G^{-1/2}\nabla_\xi F_{\rm red}\|^2$ (the squared Frobenius norm of the full gradient). The class
//! sizes are real, so a family can be continued in $d$ (Arjevani & Field, arXiv 2107.10370).
//!
//! Built-in families (Safran & Shamir 2018; Arjevani & Field 2003.10576, 2107.10370):
//! `global` ($W=V=I_d$), `type-a` ($\Delta(S_{d-1}\times S_1)$, one flipped neuron),
//! `flipped` ($\Delta(S_{d-M}\times S_M)$ with the $M$-class flipped), `all-flipped`
//! ($\Delta S_d$, $W\approx-I$ plus a constant) and `all-but-one-flipped` ($\Delta(S_{d-1}\times S_1)$ with
//! the $(d-1)$-class flipped).

use std::fmt;
use std::str::FromStr;

use super::spectrum::{Component, Spectrum, block_spectrum};
use super::symmetry::{MAX_DIMENSION, Partition, PartitionParams};
use crate::error::{Error, Result};
use crate::linalg::small_symmetric_eigenvalues;
use crate::solver;

/// Options of [`reduced_newton`]: the two numbers a caller may set; [`reduced_newton`] builds the
/// engine's [`solver::NewtonOptions`] from them (the other engine settings are fixed by the model).
/// The crate has one `NewtonOptions`, the engine's; this is the model's front to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReducedNewtonOptions {
    /// Stop when the largest entry of the full gradient, $\max_a|(G^{-1}\nabla F_{\rm red})_a|$,
    /// is at most `tolerance` $\times\max(1,d)$.
    pub tolerance: f64,
    /// Maximum number of Newton steps.
    pub max_iter: usize,
}

/// Largest `max_iter` of [`ReducedNewtonOptions`].
pub const MAX_NEWTON_ITERATIONS: usize = 10_000;

impl ReducedNewtonOptions {
    /// Validate. Domain: `tolerance` finite and $>0$, $1\le$ `max_iter` $\le$
    /// [`MAX_NEWTON_ITERATIONS`]; outside it [`Error::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<()> {
        crate::error::validate::positive("tolerance", self.tolerance)?;
        if !(1..=MAX_NEWTON_ITERATIONS).contains(&self.max_iter) {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: self.max_iter as f64,
                expected: "an integer in [1, 10000]",
            });
        }
        Ok(())
    }
}

impl Default for ReducedNewtonOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-14,
            max_iter: 60,
        }
    }
}

/// A converged reduced Newton solve (the engine's [`solver::NewtonReport`] with the solution named
/// by the model: the reduced parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct ReducedNewtonReport {
    /// The reduced parameters $\xi^*$.
    pub params: Vec<f64>,
    /// The final residual $\max_a|(G^{-1}\nabla F_{\rm red})_a|$.
    pub residual: f64,
    /// Newton steps taken.
    pub iterations: usize,
}

/// Deprecated name of [`ReducedNewtonOptions`] (the crate's one `NewtonOptions` is the engine's,
/// [`solver::NewtonOptions`]).
#[deprecated(note = "use ReducedNewtonOptions (solver::NewtonOptions is the engine's)")]
pub type NewtonOptions = ReducedNewtonOptions;

/// Deprecated name of [`ReducedNewtonReport`] (the engine's report is [`solver::NewtonReport`]).
#[deprecated(note = "use ReducedNewtonReport (solver::NewtonReport is the engine's)")]
pub type NewtonReport = ReducedNewtonReport;

/// The engine options of [`reduced_newton`]: tolerance `opts.tolerance` $\times\max(1, d)$ on the
/// metric-weighted residual, Armijo constant $5\cdot10^{-5}$ on the weighted merit, step lengths
/// down to $10^{-6}$, trial points where the reduced loss is undefined rejected, and the full
/// step taken near the rounding floor (residual $\le 10\,$tolerance) when the merit stalls.
fn engine_options(opts: ReducedNewtonOptions, d: f64) -> solver::NewtonOptions {
    solver::NewtonOptions {
        tolerance: opts.tolerance * d.max(1.0),
        max_iter: opts.max_iter,
        max_backtracks: 40,
        armijo: 5e-5,
        min_step: 1e-6,
        pivot_floor: Some(1e-15),
        floor_full_step: 10.0,
        reject_failed_trials: true,
        ..solver::NewtonOptions::default()
    }
}

/// Newton's method with backtracking on $\nabla_\xi F_{\rm red}(\xi)=0$ from `seed`, run by the
/// solver engine ([`solver::newton_bounded`]) with the analytic reduced Hessian as Jacobian and the
/// metric $G$ as residual weights: residual $\max_a|(G^{-1}\nabla F_{\rm red})_a|$, merit
/// $\|G^{-1/2}\nabla_\xi F_{\rm red}\|^2$.
///
/// Domain: `opts` as in [`ReducedNewtonOptions::check`] (else [`Error::InvalidParameter`]
/// naming `tolerance` or `max_iter`); `seed` of the partition's parameter length
/// ([`Error::DimensionMismatch`]), finite and with no zero neuron ([`Error::InvalidParameter`]
/// naming `params`).
///
/// Fails with [`Error::NotConverged`] (carrying the last iterate) if the residual does not reach
/// the tolerance, and with [`Error::LinearAlgebra`] at a singular reduced Hessian.
pub fn reduced_newton(
    partition: &Partition,
    seed: &[f64],
    opts: ReducedNewtonOptions,
) -> Result<ReducedNewtonReport> {
    newton_core(partition, seed, opts, None, None)
}

/// A stagnation screen for the many-seed solves of the branch search
/// ([`super::branches::find_branches`]): abandon a reduced Newton solve whose line search has
/// accepted only steps of length at most $2^{-h}$ (`h` = `halvings`, i.e. at least $h+1$ trial
/// points each) in `iterations` consecutive iterations. Such a solve is crawling towards a local
/// minimum of the merit $\|G^{-1/2}\nabla_\xi F_{\rm red}\|^2$ that is not a critical point (the
/// reduced Hessian nearly singular along the Newton direction) and almost always ends at the
/// iteration limit or in a failed line search; each of its iterations costs $h+1$ or more
/// gradients. The screen only ends solves early: the iterates of a solve it lets through are
/// those of [`reduced_newton`], bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StagnationScreen {
    /// Step halvings of an iteration that counts as crawling.
    pub halvings: usize,
    /// Consecutive crawling iterations that end the solve.
    pub iterations: usize,
}

/// [`reduced_newton`] with a [`StagnationScreen`]: the same iterates, or
/// [`Error::NotConverged`] (method `"reduced newton (stagnated)"`, carrying the last iterate and
/// its residual) as soon as the screen fires.
pub(crate) fn reduced_newton_screened(
    partition: &Partition,
    seed: &[f64],
    opts: ReducedNewtonOptions,
    screen: StagnationScreen,
) -> Result<ReducedNewtonReport> {
    newton_core(partition, seed, opts, None, Some(screen))
}

/// What the screened branch guard reads off a reduced Newton solve: the gradient and Hessian at
/// the starting guess (the first ones the engine evaluates) and the last Hessian it evaluated
/// (at the last-but-one iterate). `None` where the engine did not evaluate them (a solve that
/// converged at its guess evaluates no Hessian).
#[derive(Debug, Default)]
struct NewtonTrace {
    first_gradient: Option<Vec<f64>>,
    first_hessian: Option<Vec<f64>>,
    last_hessian: Option<Vec<f64>>,
}

/// [`reduced_newton`], optionally keeping a [`NewtonTrace`] (the same arithmetic: the trace only
/// stores what the engine's callbacks compute anyway).
fn newton_core(
    partition: &Partition,
    seed: &[f64],
    opts: ReducedNewtonOptions,
    trace: Option<&mut NewtonTrace>,
    screen: Option<StagnationScreen>,
) -> Result<ReducedNewtonReport> {
    opts.check()?;
    let metric = partition.metric();
    // The stagnation screen's bookkeeping: gradients evaluated since the last Hessian (the
    // trial points of the last line search; the engine evaluates the Hessian once per
    // iteration, at the accepted iterate), the residual of the last gradient (at that iterate)
    // and the current run of crawling iterations. Read only by the screen; no arithmetic of
    // the solve depends on it.
    let evaluations = std::cell::Cell::new(0usize);
    let last_residual = std::cell::Cell::new(0.0f64);
    let mut crawling = 0usize;
    let mut newton_steps = 0usize;
    let tolerance = opts.tolerance * partition.dimension().max(1.0);
    let (mut first_g, mut first_h, mut last_h) = match trace {
        Some(t) => (
            Some(&mut t.first_gradient),
            Some(&mut t.first_hessian),
            Some(&mut t.last_hessian),
        ),
        None => (None, None, None),
    };
    let report = solver::newton_bounded(
        |xi: &[f64], out: &mut [f64]| {
            let g = partition.gradient(xi)?;
            copy_checked(&g, out, "reduced gradient")?;
            if screen.is_some() {
                evaluations.set(evaluations.get() + 1);
                last_residual.set(
                    g.iter()
                        .zip(&metric)
                        .fold(0.0f64, |a, (g, w)| a.max((g / w).abs())),
                );
            }
            if let Some(slot) = first_g.as_deref_mut().filter(|slot| slot.is_none()) {
                *slot = Some(g);
            }
            Ok(())
        },
        |xi: &[f64], out: &mut [f64]| {
            if let Some(sc) = screen {
                if evaluations.replace(0) > sc.halvings {
                    crawling += 1;
                } else {
                    crawling = 0;
                }
                if crawling >= sc.iterations {
                    return Err(Error::NotConverged {
                        method: "reduced newton (stagnated)",
                        iterations: newton_steps,
                        residual: last_residual.get(),
                        tolerance,
                        last_iterate: xi.to_vec(),
                    });
                }
                newton_steps += 1;
            }
            let h = partition.hessian(xi)?;
            copy_checked(&h, out, "reduced Hessian")?;
            if let Some(slot) = first_h.as_deref_mut().filter(|slot| slot.is_none()) {
                *slot = Some(h.clone());
            }
            if let Some(slot) = last_h.as_deref_mut() {
                *slot = Some(h);
            }
            Ok(())
        },
        seed,
        &solver::NewtonProblem {
            weights: Some(&metric),
            method: Some("reduced newton"),
            ..solver::NewtonProblem::default()
        },
        engine_options(opts, partition.dimension()),
    )
    .map_err(|e| match e {
        Error::LinearAlgebra { .. } => Error::LinearAlgebra {
            what: "singular reduced Hessian in Newton step".into(),
        },
        other => other,
    })?;
    Ok(ReducedNewtonReport {
        params: report.solution,
        residual: report.residual,
        iterations: report.iterations,
    })
}

fn copy_checked(src: &[f64], out: &mut [f64], what: &'static str) -> Result<()> {
    if src.len() != out.len() {
        return Err(Error::DimensionMismatch {
            what,
            expected: out.len(),
            found: src.len(),
        });
    }
    out.copy_from_slice(src);
    Ok(())
}

/// A built-in family of symmetric critical points ($V=I_d$, $k=d$).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The global minimum $W=V=I_d$, isotropy $\Delta S_d$.
    Global,
    /// Type A: $\Delta(S_{d-1}\times S_1)$, the distinguished neuron flipped (Safran–Shamir minima).
    TypeA,
    /// $\Delta(S_{d-M}\times S_M)$ with the $M$ neurons of the second class flipped ($M\ge2$).
    Flipped {
        /// The number $M$ of flipped neurons.
        m: usize,
    },
    /// $\Delta S_d$ with every neuron flipped.
    AllFlipped,
    /// $\Delta(S_{d-1}\times S_1)$ with the $d-1$ neurons of the large class flipped.
    AllButOneFlipped,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Family::Global => write!(f, "global"),
            Family::TypeA => write!(f, "type-a"),
            Family::Flipped { m } => write!(f, "flipped-{m}"),
            Family::AllFlipped => write!(f, "all-flipped"),
            Family::AllButOneFlipped => write!(f, "all-but-one-flipped"),
        }
    }
}

impl FromStr for Family {
    type Err = Error;
    /// Parse `global`, `type-a`, `all-flipped`, `all-but-one-flipped` or `flipped-M`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "global" => Ok(Family::Global),
            "type-a" => Ok(Family::TypeA),
            "all-flipped" => Ok(Family::AllFlipped),
            "all-but-one-flipped" => Ok(Family::AllButOneFlipped),
            other => other
                .strip_prefix("flipped-")
                .and_then(|m| m.parse::<usize>().ok())
                .filter(|&m| m >= 2)
                .map(|m| Family::Flipped { m })
                .ok_or_else(|| Error::InvalidChoice {
                    name: "family",
                    value: s.to_string(),
                    expected: "global, type-a, flipped-M (M >= 2), all-flipped, all-but-one-flipped",
                }),
        }
    }
}

impl Family {
    /// The class sizes at dimension $d$: $(d)$, $(d-1,1)$ or $(d-M,M)$; the first class must
    /// exceed 1 and $d\le10^7$.
    ///
    /// Domain: $d$ finite, $d\le10^7$ and the large class $>1$; for `Flipped { m }` also
    /// $2\le M$ and $M<d-1$. Errors: [`Error::InvalidParameter`] naming `m` for $M<2$, for $M$ so
    /// large that no $d\le10^7$ fits, and for $M\ge d-1$ at a valid $d$ (the number of flipped
    /// neurons does not fit the dimension); naming `d` otherwise.
    pub fn partition(&self, d: f64) -> Result<Partition> {
        if let Family::Flipped { m } = *self {
            let mf = m as f64;
            let d_ok = d.is_finite() && d <= MAX_DIMENSION;
            if m < 2 || mf + 1.0 >= MAX_DIMENSION || (d_ok && d > 2.0 && d - mf <= 1.0) {
                return Err(Error::InvalidParameter {
                    name: "m",
                    value: mf,
                    expected: "a number of flipped neurons M >= 2 with M < d - 1 (the other \
                               class must exceed 1)",
                });
            }
        }
        let sizes = match *self {
            Family::Global | Family::AllFlipped => vec![d],
            Family::TypeA | Family::AllButOneFlipped => vec![d - 1.0, 1.0],
            Family::Flipped { m } => vec![d - m as f64, m as f64],
        };
        // The large class (index 0) must stay a genuine class (> 1) so that the parameter
        // layout does not change along a continuation path.
        if !(d.is_finite() && d <= MAX_DIMENSION && sizes[0] > 1.0) {
            return Err(Error::InvalidParameter {
                name: "d",
                value: d,
                expected: "a dimension with the family's large class > 1 (d > 1 for global and \
                           all-flipped, d > 2 for type-a and all-but-one-flipped, d > M + 1 for \
                           flipped) and d <= 1e7",
            });
        }
        PartitionParams { sizes }.check()
    }

    /// The built-in seed: a dimension $d_0$ and approximate reduced parameters there, from the
    /// large-$d$ asymptotics of each family (rounded; Newton refines them).
    pub fn seed(&self) -> (f64, Vec<f64>) {
        match *self {
            Family::Global => (10.0, vec![1.0, 0.0]),
            // Order: D_reg, D_dist, O_reg, B_rd, B_dr.
            Family::TypeA => (100.0, vec![1.0, -0.9, -0.0003, 0.04, 0.03]),
            Family::AllButOneFlipped => (100.0, vec![-1.0, 1.0, 0.01, 0.1, 0.01]),
            Family::AllFlipped => (100.0, vec![-1.0, 0.02]),
            Family::Flipped { m } => {
                let _ = m;
                (100.0, vec![1.0, -0.9, -0.0003, 0.0, 0.04, 0.03])
            }
        }
    }
}

/// A symmetric critical point of a family at dimension $d$.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPoint {
    /// The class sizes.
    pub partition: Partition,
    /// The reduced parameters (ordered as [`Partition::params`]).
    pub params: Vec<f64>,
    /// The loss $F(W^*)$.
    pub loss: f64,
    /// The reduced Newton residual (largest entry of the full gradient).
    pub residual: f64,
    /// Newton iterations at the final dimension.
    pub iterations: usize,
}

/// Whether [`continue_with`] verifies that each accepted point stays on the branch, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BranchGuard {
    /// Verify every accepted point in full: the parameter-jump test and the Morse index per
    /// isotypic block from [`block_spectrum`] at every converged solve (see [`continue_to`] for
    /// the two tests). One block spectrum per verified solve plus one at the start: the explicit
    /// option where every step's Morse index is wanted.
    #[default]
    Verified,
    /// The guard of [`continue_to`]: the parameter-jump test at every solve and the inertia of the
    /// reduced Hessian (the trivial block) read off the Newton solve, with the full per-block
    /// Morse test of [`BranchGuard::Verified`] only where these are ambiguous (see
    /// [`continue_to`]). Costs no function evaluation beyond the Newton solves.
    Screened,
    /// Accept every converged solve (the behaviour before the guard; for comparison and tests:
    /// a large step may land on another critical point without notice).
    Unverified,
}

/// A continuation in $d$ with its bookkeeping ([`continue_with`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BranchContinuation {
    /// The critical point at the target dimension.
    pub point: CriticalPoint,
    /// Accepted continuation steps (0 when the start is the target).
    pub steps: usize,
    /// Converged solves rejected by the branch guard (the step was then shrunk).
    pub rejections: usize,
    /// Solves that failed (the step was then shrunk).
    pub failures: usize,
    /// Block spectra evaluated by the guard ([`BranchGuard::Verified`]: one at the start and one
    /// per verified solve; [`BranchGuard::Screened`]: two per ambiguous solve at most, usually 0;
    /// 0 unverified or when the start is the target).
    pub spectrum_evaluations: usize,
    /// Morse index at the start (`None` unverified, when the start is the target, or screened
    /// when the guard did not evaluate the start's block spectrum).
    pub morse_index_start: Option<f64>,
    /// Morse index at the end (`None` as for the start).
    pub morse_index_end: Option<f64>,
    /// The block spectrum at the end, as [`block_spectrum`] of the returned point (verified runs
    /// that took a step, screened runs whose last solve was checked in full; `None` otherwise).
    pub spectrum: Option<Spectrum>,
}

/// Relative slack of the parameter-jump test of the branch guard: a solve is rejected when its
/// correction from the predictor exceeds `JUMP_FACTOR` $\times$ the predictor step (plus
/// [`JUMP_FLOOR`]). On a smooth branch the correction of the secant or tangent predictor is
/// $O(h^2)$ against a predictor step $O(h)$, so halving the step always satisfies it; calibrated on
/// the built-in families ($3\le d\le100$): with 0.5 the guarded continuation lands on the point that
/// steps of 0.005 in $\log d$ reach at every tested dimension, with 2 it did not.
pub const JUMP_FACTOR: f64 = 0.5;

/// Absolute slack of the parameter-jump test (for paths along which the parameters are
/// stationary, e.g. the global minimum).
pub const JUMP_FLOOR: f64 = 1e-6;

/// The tangent $d\xi/d\log d$ at a solution, by a reduced Newton solve at $d\,e^{\delta}$,
/// $\delta=10^{-4}$ (`None` if that solve fails).
fn tangent(family: Family, d: f64, xi: &[f64], opts: ReducedNewtonOptions) -> Option<Vec<f64>> {
    const DELTA: f64 = 1e-4;
    let part = family.partition(d * DELTA.exp()).ok()?;
    let rep = reduced_newton(&part, xi, opts).ok()?;
    Some(
        rep.params
            .iter()
            .zip(xi)
            .map(|(a, b)| (a - b) / DELTA)
            .collect(),
    )
}

/// The per-component block eigenvalues of a spectrum (each list ascending) and its scale.
struct Blocks {
    blocks: Vec<(Component, Vec<f64>)>,
    scale: f64,
    morse: f64,
}

impl Blocks {
    fn new(spec: &Spectrum) -> Self {
        let mut blocks: Vec<(Component, Vec<f64>)> = Vec::new();
        for v in spec.values() {
            match blocks.iter_mut().find(|(c, _)| *c == v.component) {
                Some((_, list)) => list.push(v.value),
                None => blocks.push((v.component, vec![v.value])),
            }
        }
        let scale = spec
            .values()
            .iter()
            .fold(0.0f64, |m, v| m.max(v.value.abs()));
        Self {
            blocks,
            scale,
            morse: spec.morse_index(),
        }
    }

    fn negative(&self, list: &[f64]) -> usize {
        list.iter().filter(|&&v| v < -1e-12 * self.scale).count()
    }
}

/// The scaled max-norm distance $\max_i|a_i-b_i|/\max(1,|b_i|)$.
fn scaled_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs() / y.abs().max(1.0)))
}

/// The Morse test of the branch guard between two block spectra a step $h$ apart: in every
/// component present at both points the number of negative block eigenvalues is unchanged, or
/// every eigenvalue that changes sign is small at both points,
/// $|\lambda_{\rm prev}|,|\lambda|\le h\max(1,\max_j|\lambda_{{\rm prev},j}|)$ (else
/// [`Error::NotASaddle`]).
fn morse_check(last: &Blocks, now: &Blocks, h: f64, params: &[f64]) -> Result<()> {
    let bound = h * last.scale.max(1.0);
    for (comp, prev) in &last.blocks {
        let Some((_, cur)) = now.blocks.iter().find(|(c, _)| c == comp) else {
            continue; // a component that ends here (its multiplicity tends to 0)
        };
        let (np, nc) = (last.negative(prev), now.negative(cur));
        if np == nc {
            continue;
        }
        let resolved = (np.min(nc)..np.max(nc)).all(|r| match (prev.get(r), cur.get(r)) {
            (Some(a), Some(b)) => a.abs() <= bound && b.abs() <= bound,
            _ => false,
        });
        if !resolved {
            return Err(Error::NotASaddle {
                what: "two-layer continuation: the Morse index changed without a resolved \
                       eigenvalue crossing (branch jump)",
                iterations: 0,
                residual: h,
                point: params.to_vec(),
            });
        }
    }
    Ok(())
}

/// Whether two block spectra have the same number of negative eigenvalues in every component
/// present at both points.
fn same_block_inertia(a: &Blocks, b: &Blocks) -> bool {
    a.blocks.iter().all(|(comp, la)| {
        b.blocks
            .iter()
            .find(|(c, _)| c == comp)
            .is_none_or(|(_, lb)| a.negative(la) == b.negative(lb))
    })
}

/// The parameter-jump test: `Ok(ratio)` with ratio = correction / allowance ($\le1$), or the
/// guard's [`Error::NoSolution`].
fn jump_test(params: &[f64], guess: &[f64], prev: &[f64]) -> Result<f64> {
    let predicted = scaled_distance(guess, prev);
    let correction = scaled_distance(params, guess);
    let allowance = JUMP_FACTOR * predicted + JUMP_FLOOR;
    if correction <= allowance {
        Ok(correction / allowance)
    } else {
        Err(Error::NoSolution {
            what: "two-layer continuation: the solve left the branch (parameter jump far \
                   beyond the predictor step)",
        })
    }
}

/// The number of negative eigenvalues of the trivial block $G^{-1/2}HG^{-1/2}$ of a reduced
/// Hessian $H$ (row-major, $G$ the diagonal metric), below $-10^{-12}\max|\lambda|$ (Sylvester's
/// law of inertia: the inertia of $H$ itself): 0 when its Cholesky factorisation succeeds, else
/// counted on its eigenvalues. `None` if the eigenvalues cannot be computed.
fn trivial_inertia(h: &[f64], metric: &[f64]) -> Option<usize> {
    let n = metric.len();
    if h.len() != n * n {
        return None;
    }
    let inv_sq: Vec<f64> = metric.iter().map(|g| 1.0 / g.sqrt()).collect();
    let m: Vec<f64> = (0..n * n)
        .map(|k| h[k] * inv_sq[k / n] * inv_sq[k % n])
        .collect();
    if positive_definite(n, m.clone()) {
        return Some(0); // the common case, at a fraction of the eigenvalues' cost
    }
    let values = small_symmetric_eigenvalues(n, &m).ok()?;
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    Some(values.iter().filter(|&&v| v < -1e-12 * scale).count())
}

/// Whether the symmetric row-major `n x n` matrix `a` is positive definite: its Cholesky
/// factorisation (in place, lower triangle) meets only finite positive pivots. A `true` means no
/// eigenvalue $\le0$ (up to rounding of order $10^{-16}\max|\lambda|$, far below the
/// $-10^{-12}\max|\lambda|$ of the negative count).
fn positive_definite(n: usize, mut a: Vec<f64>) -> bool {
    for j in 0..n {
        let pivot = a[j * n + j] - (0..j).map(|k| a[j * n + k] * a[j * n + k]).sum::<f64>();
        if !(pivot > 0.0 && pivot.is_finite()) {
            return false;
        }
        let l = pivot.sqrt();
        a[j * n + j] = l;
        for i in (j + 1)..n {
            let v = a[i * n + j] - (0..j).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>();
            a[i * n + j] = v / l;
        }
    }
    true
}

/// A reduced Newton solve with its [`NewtonTrace`] (the value type of the screened continuation).
struct TracedSolve {
    report: ReducedNewtonReport,
    trace: NewtonTrace,
}

/// Jump-test ratio (correction over its allowance) above which the screened guard checks the
/// Morse index in full: a solve that passed the parameter-jump test by less than 10%. (On the
/// built-in families, 40 log-spaced $d\in[3, 100]$, $d=10^3,10^5$ and the threshold scans, 4% of
/// the accepted solves; healthy steps of the maximal length 0.5 in $\log d$ use 0.6–0.8 of it.)
pub const AMBIGUOUS_JUMP: f64 = 0.9;

/// The state of the screened branch guard ([`BranchGuard::Screened`]).
struct Screen {
    family: Family,
    target: (f64, f64),
    /// Accepted points as the engine's history: (log d, parameters).
    history: Vec<(f64, Vec<f64>)>,
    /// The dimension of each accepted point (exactly the requested one at both ends).
    dims: Vec<f64>,
    /// Trivial-block inertia of the last accepted point (from its solve's last Hessian).
    inertia: Option<usize>,
    /// The block spectrum of an accepted point (index into `history`) when it was evaluated.
    full: Option<(usize, Blocks, Spectrum)>,
    /// A solve was rejected since the last accepted point.
    rejected: bool,
    /// Check the final solve in full (its block spectrum is wanted by the caller).
    end_check: bool,
    evaluations: usize,
    morse_start: Option<f64>,
}

impl Screen {
    fn verify(&mut self, s: f64, solved: &TracedSolve) -> Result<()> {
        let result = self.screen(s, solved);
        self.rejected = result.is_err();
        result
    }

    fn screen(&mut self, s: f64, solved: &TracedSolve) -> Result<()> {
        let params = &solved.report.params;
        let Some((s_prev, x_prev)) = self.history.last() else {
            return Err(Error::NoSolution {
                what: "two-layer continuation guard without a start point",
            });
        };
        let h = (s - s_prev).abs();
        let last = s == self.target.0;
        let d = if last { self.target.1 } else { s.exp() };
        let part = self.family.partition(d)?;
        let metric = part.metric();
        // 1. Parameter jump. At the first step the engine's guess is the previous point, and the
        //    first Newton direction there, -H^{-1} g at the new d, is the tangent predictor
        //    (to O(h^2)); after it, the secant.
        let first = self.history.len() == 1;
        let guess = if first {
            match (&solved.trace.first_gradient, &solved.trace.first_hessian) {
                (Some(g), Some(hm)) => {
                    let neg: Vec<f64> = g.iter().map(|v| -v).collect();
                    crate::linalg::solve_dense_row_major(x_prev.len(), hm, &neg, 1e-15)
                        .ok()
                        .map(|dx| x_prev.iter().zip(&dx).map(|(x, v)| x + v).collect())
                }
                _ => None, // converged at its guess: no correction to test
            }
        } else {
            Some(solver::secant_prediction(&self.history, s))
        };
        let ratio = match &guess {
            Some(guess) => jump_test(params, guess, x_prev)?,
            None => 0.0,
        };
        // 2. Trivial-block inertia, from the Hessians the solve evaluated (the start's from the
        //    first Hessian of the first solve, at the start parameters).
        let prev_inertia = match (self.inertia, first) {
            (Some(i), _) => Some(i),
            (None, true) => solved
                .trace
                .first_hessian
                .as_deref()
                .and_then(|hm| trivial_inertia(hm, &metric)),
            (None, false) => None,
        };
        // A solve that evaluated no Hessian converged at its guess: nothing moved, the inertia is
        // the previous one. One whose Hessian gives no eigenvalues is ambiguous.
        let (inertia, inertia_changed) = match &solved.trace.last_hessian {
            Some(hm) => match (trivial_inertia(hm, &metric), prev_inertia) {
                (Some(now), Some(prev)) => (Some(now), now != prev),
                (now, _) => (now, true),
            },
            None => (prev_inertia, false),
        };
        let ambiguous =
            inertia_changed || ratio > AMBIGUOUS_JUMP || self.rejected || (last && self.end_check);
        let mut full_now = None;
        if ambiguous {
            // 3. The full Morse test against the previous accepted point (its spectrum evaluated
            //    if not known); for the final check of a continuation whose block inertia equals
            //    that of the last known spectrum, no further test.
            let idx = self.history.len() - 1;
            self.evaluations += 1;
            let spectrum = block_spectrum(&part, params)?;
            let now = Blocks::new(&spectrum);
            let only_end = !inertia_changed && ratio <= AMBIGUOUS_JUMP && !self.rejected;
            let known = self.full.as_ref().filter(|(i, _, _)| *i == idx);
            match known {
                Some((_, prev, _)) => morse_check(prev, &now, h, params)?,
                None => {
                    let same = self
                        .full
                        .as_ref()
                        .is_some_and(|(_, b, _)| same_block_inertia(b, &now));
                    if !(only_end && same) {
                        let prev_part = self.family.partition(self.dims[idx])?;
                        self.evaluations += 1;
                        let prev_spec = block_spectrum(&prev_part, x_prev)?;
                        let prev = Blocks::new(&prev_spec);
                        if idx == 0 {
                            self.morse_start = Some(prev.morse);
                        }
                        morse_check(&prev, &now, h, params)?;
                    }
                }
            }
            full_now = Some((now, spectrum));
        }
        let idx = self.history.len();
        self.history.push((s, params.to_vec()));
        self.dims.push(d);
        self.inertia = inertia;
        if let Some((now, spectrum)) = full_now {
            self.full = Some((idx, now, spectrum));
        }
        Ok(())
    }
}

/// The state of the branch guard: the accepted history (as the engine's) and the block
/// spectrum of the last accepted point.
struct Guard {
    family: Family,
    target: (f64, f64),
    history: Vec<(f64, Vec<f64>)>,
    last: Blocks,
    /// The spectrum of the last accepted point (`last` grouped by component).
    last_spectrum: Spectrum,
    evaluations: usize,
    /// $d\xi/d\log d$ at the start (by a Newton solve at $d\,e^{10^{-4}}$), if it converged.
    tangent: Option<Vec<f64>>,
}

impl Guard {
    /// Verify a converged solve at path coordinate `s` (log d); on success it becomes the last
    /// accepted point (the engine accepts every verified point).
    fn verify(&mut self, s: f64, params: &[f64]) -> Result<()> {
        let Some((s_prev, x_prev)) = self.history.last() else {
            return Err(Error::NoSolution {
                what: "two-layer continuation guard without a start point",
            });
        };
        let h = (s - s_prev).abs();
        // 1. Parameter jump: the correction from the predictor (the tangent at the first step,
        //    the secant after) must be explained by the predictor step.
        let guess = match (&self.tangent, self.history.len()) {
            (Some(t), 1) => Some(
                x_prev
                    .iter()
                    .zip(t)
                    .map(|(x, t)| x + (s - s_prev) * t)
                    .collect(),
            ),
            (None, 1) => None,
            _ => Some(solver::secant_prediction(&self.history, s)),
        };
        if let Some(guess) = guess {
            let predicted = scaled_distance(&guess, x_prev);
            let correction = scaled_distance(params, &guess);
            let explained = correction <= JUMP_FACTOR * predicted + JUMP_FLOOR;
            if !explained {
                return Err(Error::NoSolution {
                    what: "two-layer continuation: the solve left the branch (parameter jump far \
                           beyond the predictor step)",
                });
            }
        }
        // 2. Morse index: unchanged, or changed by a resolved crossing.
        let d = if s == self.target.0 {
            self.target.1
        } else {
            s.exp()
        };
        let part = self.family.partition(d)?;
        self.evaluations += 1;
        let spectrum = block_spectrum(&part, params)?;
        let now = Blocks::new(&spectrum);
        morse_check(&self.last, &now, h, params)?;
        self.history.push((s, params.to_vec()));
        self.last = now;
        self.last_spectrum = spectrum;
        Ok(())
    }
}

/// Continue a solution of `family` from dimension `d_from` with parameters `xi_from` to `d_to`,
/// by the engine's adaptive continuation ([`solver::adaptive_continuation`]) in $\log d$ with the
/// secant predictor, steps from 0.1 growing by 1.5 up to 0.5 and halved on failure (down to
/// $10^{-9}$, at most 10 000 solves), every accepted point verified to lie on the branch by the
/// screened guard ([`BranchGuard::Screened`]).
///
/// **Branch guard** (the verification hook). A solve at path coordinate $s=\log d$ after the
/// accepted point $s_{\rm prev}$ ($h=|s-s_{\rm prev}|$) is accepted when
/// 1. its parameters are explained by the predictor: with the scaled max-norm
///    $J(a,b)=\max_i|a_i-b_i|/\max(1,|b_i|)$, the prediction $\hat\xi$ and the previous point
///    $\xi_{\rm prev}$, $J(\xi,\hat\xi)\le$ [`JUMP_FACTOR`]$\,J(\hat\xi,\xi_{\rm prev})+$ [`JUMP_FLOOR`]
///    (else [`Error::NoSolution`]: the solve left the branch). $\hat\xi$ is the secant from the
///    last two accepted points; at the first step the tangent predictor: the first Newton
///    iterate $\xi_{\rm prev}-H^{-1}\nabla_\xi F_{\rm red}$ at the new $d$ (screened; it equals
///    $\xi_{\rm prev}+(s-s_{\rm prev})\,d\xi/ds$ to $O(h^2)$), or for [`BranchGuard::Verified`]
///    $\xi_{\rm prev}+(s-s_{\rm prev})\,d\xi/ds$ with $d\xi/ds$ from a Newton solve at
///    $d\,e^{10^{-4}}$ (no test if that solve fails, or if the solve converged at its guess);
/// 2. the Morse index (negative eigenvalues with multiplicity) is unchanged in every isotypic
///    component present at both points, or where it changes, every eigenvalue that changes sign
///    (ranks between the old and new negative counts of that block) was already small at the
///    previous point and is small at the new one relative to the step:
///    $|\lambda_{\rm prev}|,|\lambda|\le h\max(1,\max_j|\lambda_{{\rm prev},j}|)$, a continuous crossing
///    resolved by the step (else [`Error::NotASaddle`]: a branch jump).
///
/// Screening: test 2 needs the block spectra ([`block_spectrum`]) at both points, which cost as
/// much as ten to twenty reduced Newton solves each. The screened guard evaluates them only when a
/// cheap test is ambiguous: the inertia of the reduced Hessian (the trivial block; by
/// Sylvester's law that of $G^{-1/2}\nabla^2_\xi F_{\rm red}G^{-1/2}$), read off the Hessians that
/// the Newton solve evaluated anyway (the last one, at the last-but-one iterate, against the
/// previous point's; at the first step the first one, at $\xi_{\rm prev}$), changed; the jump test
/// passed with a correction above [`AMBIGUOUS_JUMP`] of its allowance; the previous solve was
/// rejected; or it is the last solve of [`continue_with_spectrum`], whose end spectrum is wanted
/// (checked against the start spectrum when the per-block Morse indices differ, else accepted).
/// A branch jump across a fold of the fixed-point branch changes the reduced inertia (the
/// flipped-8 jump below lands on a point with a negative trivial eigenvalue) or fails the jump
/// test; what the screen does not test per step is a change of a non-trivial block's Morse index
/// alone at a solve that passed both cheap tests — a symmetry-breaking bifurcation that the
/// fixed-point branch crosses smoothly (on the built-in families, 40 log-spaced
/// $d\in[3, 100]$, $d=10^3,10^5$ and the threshold scans: 3394 verified solves, 380 rejected
/// by test 1, 0 by test 2, and every point and $d^*$ the same as with the full guard).
/// [`BranchGuard::Verified`] (via [`continue_with`]) runs test 2 at every solve.
///
/// A rejected solve shrinks the step like a failed one; so the continuation either resolves a
/// genuine crossing (e.g. type A at $d^*=5.5855$, where the Morse index changes) or fails with the
/// guard's typed error when the step falls below $10^{-9}$, instead of silently jumping to another
/// critical point (e.g. across a fold where the branch ends). Cost: screened, no function
/// evaluation beyond the Newton solves and at most two block spectra per ambiguous solve (none on
/// the bench's paths); verified, one block spectrum per accepted or rejected solve plus one at the
/// start ([`BranchContinuation::spectrum_evaluations`]).
///
/// Domain: `d_from`, `d_to` in the family's domain ([`Family::partition`]); `xi_from` finite of the
/// family's parameter length; `opts` as [`ReducedNewtonOptions::check`]. Errors: those of
/// [`Family::partition`] and [`reduced_newton`], the guard's (above) or the last failed solve's
/// when the step falls below $10^{-9}$, [`Error::NotConverged`] after 10 000 solves.
pub fn continue_to(
    family: Family,
    d_from: f64,
    xi_from: &[f64],
    d_to: f64,
    opts: ReducedNewtonOptions,
) -> Result<CriticalPoint> {
    continue_with(
        family,
        d_from,
        xi_from,
        d_to,
        opts,
        &solver::ContinuationOptions::default(),
        BranchGuard::Screened,
    )
    .map(|c| c.point)
}

/// [`continue_to`] with the engine's step control `steps` (only its adaptive-mode fields are
/// used: `first_step`, `max_step`, `min_step`, `grow`, `shrink`, `max_failures`, `max_steps`) and
/// a choice of [`BranchGuard`], returning the bookkeeping: accepted steps, guard rejections,
/// failed solves, block-spectrum evaluations and the Morse index at both ends.
///
/// Errors: as [`continue_to`], and [`Error::InvalidParameter`] for invalid `steps`
/// ([`solver::ContinuationOptions::check`]).
pub fn continue_with(
    family: Family,
    d_from: f64,
    xi_from: &[f64],
    d_to: f64,
    opts: ReducedNewtonOptions,
    steps: &solver::ContinuationOptions,
    guard: BranchGuard,
) -> Result<BranchContinuation> {
    continue_impl(
        family, d_from, xi_from, d_to, opts, steps, guard, None, false,
    )
}

/// [`continue_to`] (the screened guarded continuation) with the block spectrum at the start
/// already known, returning the block spectrum at the end too: for a curve of points, each
/// continued from the previous one, whose spectra are wanted anyway (the threshold scan, a sweep
/// in $d$). The last solve is always checked in full (test 2 of [`continue_to`]) against the
/// start spectrum (of `xi_from` at `d_from`, e.g. from [`block_spectrum`]), directly when the
/// continuation took one step (the threshold scan's steps), and against the previous point's
/// spectrum when it took several and a per-block Morse index differs from the start's; the end
/// spectrum is that check's (the numbers [`block_spectrum`] gives at the returned point), so a
/// sweep pays no block spectrum beyond the ones it reports, plus at most two per ambiguous
/// intermediate solve.
///
/// Errors: as [`continue_to`]. A `start_spectrum` that does not belong to `xi_from` makes the
/// guard compare against the wrong Morse index (its result is then not verified).
pub fn continue_with_spectrum(
    family: Family,
    d_from: f64,
    xi_from: &[f64],
    start_spectrum: &Spectrum,
    d_to: f64,
    opts: ReducedNewtonOptions,
) -> Result<(CriticalPoint, Spectrum)> {
    let c = continue_impl(
        family,
        d_from,
        xi_from,
        d_to,
        opts,
        &solver::ContinuationOptions::default(),
        BranchGuard::Screened,
        Some(start_spectrum),
        true,
    )?;
    let spectrum = match c.spectrum {
        Some(s) => s,
        None => block_spectrum(&c.point.partition, &c.point.params)?,
    };
    Ok((c.point, spectrum))
}

#[allow(clippy::too_many_arguments)]
fn continue_impl(
    family: Family,
    d_from: f64,
    xi_from: &[f64],
    d_to: f64,
    opts: ReducedNewtonOptions,
    steps: &solver::ContinuationOptions,
    guard: BranchGuard,
    start_spectrum: Option<&Spectrum>,
    end_check: bool,
) -> Result<BranchContinuation> {
    let part = family.partition(d_to)?;
    let start = reduced_newton(&family.partition(d_from)?, xi_from, opts)?;
    let target = d_to.ln();
    let solve = |l: f64, guess: &[f64]| {
        let d = if l == target { d_to } else { l.exp() };
        let rep = reduced_newton(&family.partition(d)?, guess, opts)?;
        Ok(solver::ContinuationStep {
            residual: rep.residual,
            value: rep,
        })
    };
    let unknowns = |rep: &ReducedNewtonReport| Ok(rep.params.clone());
    let (end, steps_taken, rejections, failures, evaluations, morse, spectrum) = if d_from == d_to {
        (start, 0, 0, 0, 0, None, None)
    } else {
        match guard {
            BranchGuard::Unverified => {
                let rep = solver::adaptive_continuation(
                    (d_from.ln(), target),
                    &start.params,
                    solver::secant_prediction,
                    solve,
                    |_, _| Ok(()),
                    unknowns,
                    steps,
                )?;
                (
                    rep.value,
                    rep.steps,
                    rep.rejections,
                    rep.failures,
                    0,
                    None,
                    None,
                )
            }
            BranchGuard::Screened => {
                let full = start_spectrum.map(|sp| (0, Blocks::new(sp), sp.clone()));
                let mut state = Screen {
                    family,
                    target: (target, d_to),
                    history: vec![(d_from.ln(), start.params.clone())],
                    dims: vec![d_from],
                    inertia: None,
                    morse_start: full.as_ref().map(|f| f.1.morse),
                    full,
                    rejected: false,
                    end_check,
                    evaluations: 0,
                };
                let rep = solver::adaptive_continuation(
                    (d_from.ln(), target),
                    &start.params,
                    solver::secant_prediction,
                    |l: f64, guess: &[f64]| {
                        let d = if l == target { d_to } else { l.exp() };
                        let mut trace = NewtonTrace::default();
                        let report = newton_core(
                            &family.partition(d)?,
                            guess,
                            opts,
                            Some(&mut trace),
                            None,
                        )?;
                        Ok(solver::ContinuationStep {
                            residual: report.residual,
                            value: TracedSolve { report, trace },
                        })
                    },
                    |l: f64, solved: &TracedSolve| state.verify(l, solved),
                    |solved: &TracedSolve| Ok(solved.report.params.clone()),
                    steps,
                )?;
                let last = state.history.len() - 1;
                let (morse_end, spectrum) = match state.full {
                    Some((i, b, sp)) if i == last => (Some(b.morse), Some(sp)),
                    _ => (None, None),
                };
                (
                    rep.value.report,
                    rep.steps,
                    rep.rejections,
                    rep.failures,
                    state.evaluations,
                    Some((state.morse_start, morse_end)),
                    spectrum,
                )
            }
            BranchGuard::Verified => {
                let (first_spectrum, evaluations) = match start_spectrum {
                    Some(sp) => (sp.clone(), 0),
                    None => (
                        block_spectrum(&family.partition(d_from)?, &start.params)?,
                        1,
                    ),
                };
                let first = Blocks::new(&first_spectrum);
                let morse_start = first.morse;
                let mut state = Guard {
                    family,
                    target: (target, d_to),
                    history: vec![(d_from.ln(), start.params.clone())],
                    last: first,
                    last_spectrum: first_spectrum,
                    evaluations,
                    tangent: tangent(family, d_from, &start.params, opts),
                };
                let rep = solver::adaptive_continuation(
                    (d_from.ln(), target),
                    &start.params,
                    solver::secant_prediction,
                    solve,
                    |l: f64, rep: &ReducedNewtonReport| state.verify(l, &rep.params),
                    unknowns,
                    steps,
                )?;
                let morse_end = state.last.morse;
                (
                    rep.value,
                    rep.steps,
                    rep.rejections,
                    rep.failures,
                    state.evaluations,
                    Some((Some(morse_start), Some(morse_end))),
                    Some(state.last_spectrum),
                )
            }
        }
    };
    let loss = part.loss(&end.params)?;
    Ok(BranchContinuation {
        point: CriticalPoint {
            partition: part,
            params: end.params,
            loss,
            residual: end.residual,
            iterations: end.iterations,
        },
        steps: steps_taken,
        rejections,
        failures,
        spectrum_evaluations: evaluations,
        morse_index_start: morse.and_then(|m| m.0),
        morse_index_end: morse.and_then(|m| m.1),
        spectrum,
    })
}

/// The critical point of a built-in family at (real) dimension $d$: reduced Newton from the
/// family's built-in seed, continued in $d$ from the seed dimension.
pub fn critical_point(family: Family, d: f64) -> Result<CriticalPoint> {
    family.partition(d)?;
    let (d0, xi0) = family.seed();
    continue_to(family, d0, &xi0, d, ReducedNewtonOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::ContinuationOptions;

    /// A screen that never fires gives the unscreened solve bit for bit; one that fires at the
    /// first step ends the solve with the screen's error, carrying the seed.
    #[test]
    fn stagnation_screen_only_ends_solves() {
        let p = PartitionParams {
            sizes: vec![6.0, 6.0],
        }
        .check()
        .unwrap();
        let b = 0.7 / 12f64.sqrt();
        let seed = [1.0, -0.7, 0.0, 0.0, b, b];
        let opts = ReducedNewtonOptions::default();
        let plain = reduced_newton(&p, &seed, opts).unwrap();
        assert!(plain.iterations > 2);
        let never = StagnationScreen {
            halvings: usize::MAX,
            iterations: 1,
        };
        let screened = reduced_newton_screened(&p, &seed, opts, never).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&plain.params), bits(&screened.params));
        assert_eq!(plain.iterations, screened.iterations);
        assert_eq!(plain.residual.to_bits(), screened.residual.to_bits());
        // Every iteration has at least one trial point: with zero halvings allowed, the first
        // iteration already counts as crawling.
        let always = StagnationScreen {
            halvings: 0,
            iterations: 1,
        };
        match reduced_newton_screened(&p, &seed, opts, always) {
            Err(Error::NotConverged {
                method,
                last_iterate,
                residual,
                ..
            }) => {
                assert_eq!(method, "reduced newton (stagnated)");
                assert_eq!(last_iterate, seed.to_vec());
                assert!(residual.is_finite() && residual > 0.0);
            }
            other => panic!("{other:?}"),
        }
        // Two crawling iterations are needed: the first step is taken.
        let two = StagnationScreen {
            halvings: 0,
            iterations: 2,
        };
        match reduced_newton_screened(&p, &seed, opts, two) {
            Err(Error::NotConverged {
                iterations,
                last_iterate,
                ..
            }) => {
                assert_eq!(iterations, 1);
                assert_ne!(last_iterate, seed.to_vec());
            }
            other => panic!("{other:?}"),
        }
    }

    fn run(family: Family, d: f64, guard: BranchGuard) -> BranchContinuation {
        let (d0, xi0) = family.seed();
        continue_with(
            family,
            d0,
            &xi0,
            d,
            ReducedNewtonOptions::default(),
            &ContinuationOptions::default(),
            guard,
        )
        .unwrap()
    }

    fn trivial_block_negatives(part: &Partition, xi: &[f64]) -> usize {
        let sp = block_spectrum(part, xi).unwrap();
        let blocks = Blocks::new(&sp);
        blocks
            .blocks
            .iter()
            .find(|(c, _)| *c == Component::Trivial)
            .map_or(0, |(_, list)| list.iter().filter(|&&v| v < 0.0).count())
    }

    #[test]
    fn trivial_inertia_is_the_trivial_block_of_the_spectrum() {
        // Sylvester: inertia of H = inertia of G^{-1/2} H G^{-1/2}; diag(-1, 2, -3) with G =
        // diag(1, 4, 9) has two negative eigenvalues.
        let h = [-1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -3.0];
        assert_eq!(trivial_inertia(&h, &[1.0, 4.0, 9.0]), Some(2));
        assert_eq!(trivial_inertia(&h, &[1.0, 4.0]), None);
        // The Cholesky shortcut against the eigenvalues: [[2, 1], [1, 2]] (eigenvalues 1, 3) is
        // positive definite, [[1, 2], [2, 1]] (-1, 3) and [[1, 1], [1, 1]] (0, 2) are not.
        assert!(positive_definite(2, vec![2.0, 1.0, 1.0, 2.0]));
        assert!(!positive_definite(2, vec![1.0, 2.0, 2.0, 1.0]));
        assert!(!positive_definite(2, vec![1.0, 1.0, 1.0, 1.0]));
        assert!(!positive_definite(1, vec![f64::NAN]));
        assert_eq!(trivial_inertia(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0]), Some(1));
        assert_eq!(trivial_inertia(&[2.0, 1.0, 1.0, 2.0], &[1.0, 1.0]), Some(0));
        // Against the trivial block of block_spectrum: the flipped-8 point that the unguarded
        // continuation reaches at d = 10 (one negative trivial eigenvalue) and the branch point.
        let fam = Family::Flipped { m: 8 };
        for c in [
            run(fam, 10.0, BranchGuard::Unverified),
            run(fam, 10.0, BranchGuard::Screened),
        ] {
            let part = &c.point.partition;
            let h = part.hessian(&c.point.params).unwrap();
            assert_eq!(
                trivial_inertia(&h, &part.metric()),
                Some(trivial_block_negatives(part, &c.point.params))
            );
        }
        let jumped = run(fam, 10.0, BranchGuard::Unverified);
        assert_eq!(
            trivial_block_negatives(&jumped.point.partition, &jumped.point.params),
            1
        );
    }

    /// A screened guard whose last accepted point is the branch point of flipped-8 at d = 10.3,
    /// offered a solve at d = 10 whose trace carries no first gradient (so no jump test).
    fn screen_at_10_3() -> (Screen, Vec<f64>) {
        let fam = Family::Flipped { m: 8 };
        let prev = run(fam, 10.3, BranchGuard::Screened).point.params;
        let screen = Screen {
            family: fam,
            target: (10.0f64.ln(), 10.0),
            history: vec![(10.3f64.ln(), prev.clone())],
            dims: vec![10.3],
            inertia: None,
            full: None,
            rejected: false,
            end_check: false,
            evaluations: 0,
            morse_start: None,
        };
        (screen, prev)
    }

    fn traced(params: Vec<f64>, first_hessian: Vec<f64>, last_hessian: Vec<f64>) -> TracedSolve {
        TracedSolve {
            report: ReducedNewtonReport {
                params,
                residual: 0.0,
                iterations: 2,
            },
            trace: NewtonTrace {
                first_gradient: None,
                first_hessian: Some(first_hessian),
                last_hessian: Some(last_hessian),
            },
        }
    }

    #[test]
    fn screened_guard_escalates_on_a_reduced_inertia_change_and_rejects_the_jump() {
        let fam = Family::Flipped { m: 8 };
        let part = fam.partition(10.0).unwrap();
        let jumped = run(fam, 10.0, BranchGuard::Unverified).point.params;
        let branch = run(fam, 10.0, BranchGuard::Screened).point.params;
        // The branch point: same reduced inertia, no jump test, no spectrum: accepted for free.
        let (mut screen, prev) = screen_at_10_3();
        let h_prev = part.hessian(&prev).unwrap();
        let ok = traced(
            branch.clone(),
            h_prev.clone(),
            part.hessian(&branch).unwrap(),
        );
        assert!(screen.verify(10.0f64.ln(), &ok).is_ok());
        assert_eq!(screen.evaluations, 0);
        // The jumped point: its reduced Hessian has a negative eigenvalue (inertia 0 -> 1), so
        // the full per-block test runs (two block spectra) and finds the unresolved change.
        let (mut screen, _) = screen_at_10_3();
        let bad = traced(
            jumped.clone(),
            h_prev.clone(),
            part.hessian(&jumped).unwrap(),
        );
        match screen.verify(10.0f64.ln(), &bad) {
            Err(Error::NotASaddle { .. }) => {}
            other => panic!("expected the Morse rejection, got {other:?}"),
        }
        assert_eq!(screen.evaluations, 2);
        assert!(screen.rejected);
        // After a rejection the next solve is checked in full even when its inertia agrees.
        assert!(screen.verify(10.0f64.ln(), &ok).is_ok());
        assert_eq!(screen.evaluations, 4);
        assert!(!screen.rejected);
        // Had the trace shown no inertia change (a Hessian taken at the branch point), the
        // screen would not have looked: this is what the jump test is there for.
        let (mut screen, _) = screen_at_10_3();
        let blind = traced(jumped, h_prev.clone(), h_prev);
        assert!(screen.verify(10.0f64.ln(), &blind).is_ok());
        assert_eq!(screen.evaluations, 0);
    }
}
