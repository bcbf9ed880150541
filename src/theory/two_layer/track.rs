//! Branch tracking in $d$: pseudo-arclength continuation of a critical point of one partition
//! with fold, symmetry-breaking (pitchfork) and in-Fix branch-point detection (issue 14 §2).
//!
//! A branch of critical points of the partition $(n_1,\dots,n_r)$ is a curve in
//! $(\xi,d)\in\mathbb R^p\times\mathbb R$ solving $R(\xi,d)=G^{-1}\nabla_\xi F_{\rm red}(\xi;n(d))=0$,
//! where the class sizes move along a line $n(d)=n(d_0)+(d-d_0)\,w$ with $\sum_cw_c=1$ (one class
//! growing, [`TrackDirection::Class`], or every non-singleton class in proportion,
//! [`TrackDirection::Scaled`]; singletons stay exactly 1). Natural continuation in $d$ stops at a
//! **fold** (turning point: $\partial_\xi R$ singular, $\partial_dR\notin\operatorname{range}$);
//! pseudo-arclength continuation (Keller 1977; Allgower & Georg, *Introduction to Numerical
//! Continuation Methods*, SIAM 2003, ch. 2 and 8) parametrises the curve by arclength $s$ and
//! passes it:
//!
//! - predictor $y_{\rm pred}=y_k+h\,t_k$ with the unit tangent $t_k\in\ker[\partial_\xi R\ \
//!   \partial_dR]$, oriented by $t_k^\top t_{k-1}>0$;
//! - corrector: Newton on $\big(R(y),\ t_k^\top(y-y_{\rm pred})\big)=0$;
//! - step $h$ halved on a failed corrector or a tangent turning by more than $\arccos0.9$.
//!
//! **Events** between two accepted points, each located by bisection on the arclength of the
//! corrector $y(s)$, $s\in(0,h)$ (to $|\Delta s|\le10^{-13}$):
//!
//! - **fold**: the $d$-component of the oriented tangent changes sign; $d$ is extremal there;
//! - **in-Fix branch point**: the sign of $\det\begin{pmatrix}\partial_\xi R&\partial_dR\\
//!   t^\top&0\end{pmatrix}$ changes (it does not at a simple fold; Allgower & Georg, Thm. 8.1.14):
//!   a second branch of the same partition crosses. With [`TrackOptions::with_switching`] the
//!   tracker switches onto it: the second tangent is the direction of the two-dimensional
//!   $\ker[\partial_\xi R\ \ \partial_dR]$ orthogonal to $t$ (the two smallest singular vectors),
//!   and both halves of the new branch are tracked (one level deep);
//! - **symmetry breaking**: the number of negative eigenvalues of a non-trivial isotypic block
//!   ([`Component`] other than `Trivial`, [`component_eigenvalues`]) changes. An eigenvalue of
//!   multiplicity $\dim$ (the component's [`Component::multiplicity`]) outside $\mathrm{Fix}$
//!   crosses zero: branches with smaller isotropy bifurcate (equivariant branching lemma;
//!   Arjevani & Field, arXiv 2107.10370), and the Morse index changes by the multiplicity.
//!
//! The cost per step is independent of $d$ (reduced gradient and Hessian, $\partial_dR$ by a
//! central difference, the block spectrum for the monitors).

use super::spectrum::{Component, block_spectrum, component_eigenvalues};
use super::symmetry::{Partition, PartitionParams};
use crate::error::{Error, Result};

/// How the class sizes change with $d$ along a tracked branch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrackDirection {
    /// Only class `c` grows or shrinks ($n_c(d)=n_c(d_0)+d-d_0$). The class must have size $>1$.
    Class(usize),
    /// Every class of size $>1$ grows in proportion to its size (singletons stay 1): the
    /// partition scaled in $d$.
    Scaled,
}

/// Options of [`track_branch`]. Build with `TrackOptions::default()` and the `with_*` methods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackOptions {
    step: f64,
    max_step: f64,
    max_steps: usize,
    switching: bool,
    monitors: bool,
}

impl Default for TrackOptions {
    /// Initial arclength step 0.05, largest step 0.2, at most 4000 steps, branch switching and
    /// symmetry monitors on.
    fn default() -> Self {
        Self {
            step: 0.05,
            max_step: 0.2,
            max_steps: 4000,
            switching: true,
            monitors: true,
        }
    }
}

impl TrackOptions {
    /// Initial arclength step (finite, $>0$).
    pub fn with_step(mut self, h: f64) -> Self {
        self.step = h;
        self
    }
    /// Largest arclength step (finite, $\ge$ the initial step).
    pub fn with_max_step(mut self, h: f64) -> Self {
        self.max_step = h;
        self
    }
    /// Largest number of accepted steps (at most [`MAX_TRACK_STEPS`]).
    pub fn with_max_steps(mut self, n: usize) -> Self {
        self.max_steps = n;
        self
    }
    /// Whether to switch onto the branches crossing at in-Fix branch points.
    pub fn with_switching(mut self, on: bool) -> Self {
        self.switching = on;
        self
    }

    /// Whether to monitor the non-trivial isotypic blocks (symmetry-breaking events; one block
    /// spectrum per step). Off: folds and branch points only, cheaper.
    pub fn with_symmetry_monitors(mut self, on: bool) -> Self {
        self.monitors = on;
        self
    }

    /// Validate. Domain: $0<$ step $\le$ max step $\le1$, finite; max steps $\le$
    /// [`MAX_TRACK_STEPS`]. Outside it [`Error::InvalidParameter`] naming `step`, `max_step` or
    /// `max_steps`.
    pub fn check(&self) -> Result<()> {
        if !(self.step.is_finite() && self.step > 0.0 && self.step <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "step",
                value: self.step,
                expected: "an arclength step in (0, 1]",
            });
        }
        if !(self.max_step.is_finite() && self.max_step >= self.step && self.max_step <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "max_step",
                value: self.max_step,
                expected: "a largest step in [step, 1]",
            });
        }
        if self.max_steps > MAX_TRACK_STEPS {
            return Err(Error::InvalidParameter {
                name: "max_steps",
                value: self.max_steps as f64,
                expected: "at most 100000 steps",
            });
        }
        Ok(())
    }
}

/// Largest number of steps of one tracked branch.
pub const MAX_TRACK_STEPS: usize = 100_000;

/// Smallest arclength step before the tracker gives up (the branch ends).
const MIN_STEP: f64 = 1e-7;

/// Something that happens along a tracked branch.
#[derive(Debug, Clone, PartialEq)]
pub enum BranchEvent {
    /// A turning point in $d$: the branch continues on the other side with $d$ moving back.
    Fold {
        /// The dimension of the fold.
        d: f64,
        /// The class sizes there.
        sizes: Vec<f64>,
        /// The reduced parameters there.
        params: Vec<f64>,
    },
    /// A second branch of the same partition crosses (in-Fix branch point).
    BranchPoint {
        /// The dimension of the branch point.
        d: f64,
        /// The class sizes there.
        sizes: Vec<f64>,
        /// The reduced parameters there.
        params: Vec<f64>,
    },
    /// An eigenvalue of a non-trivial isotypic block crosses zero (symmetry breaking).
    SymmetryBreaking {
        /// The dimension of the crossing.
        d: f64,
        /// The class sizes there.
        sizes: Vec<f64>,
        /// The reduced parameters there.
        params: Vec<f64>,
        /// The block whose eigenvalue crosses zero.
        component: Component,
        /// Its multiplicity at the crossing ([`Component::multiplicity`]; real at fractional $d$).
        multiplicity: f64,
        /// Change of the number of negative block eigenvalues along the direction of tracking
        /// ($+1$: one more negative eigenvalue, the Morse index grows by the multiplicity).
        negative_change: i64,
    },
}

impl BranchEvent {
    /// The dimension of the event.
    pub fn d(&self) -> f64 {
        match self {
            BranchEvent::Fold { d, .. }
            | BranchEvent::BranchPoint { d, .. }
            | BranchEvent::SymmetryBreaking { d, .. } => *d,
        }
    }
}

/// How a tracked branch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackEnd {
    /// It reached one end of the $d$ interval (the last point solves the system there).
    Reached,
    /// The corrector failed at the smallest step (e.g. a class size reached 1, a neuron reached
    /// zero, or the branch ran into a point of larger isotropy).
    Ended,
    /// The step budget ran out.
    Budget,
}

/// A branch tracked in $d$ ([`track_branch`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BranchTrack {
    /// The accepted points $(d,\xi)$ in the order of tracking (the start first).
    pub path: Vec<(f64, Vec<f64>)>,
    /// The events in the order met.
    pub events: Vec<BranchEvent>,
    /// How the tracking ended.
    pub end: TrackEnd,
    /// Branches switched onto at in-Fix branch points (each tracked in both directions from the
    /// branch point, not switching further).
    pub switched: Vec<BranchTrack>,
}

impl BranchTrack {
    /// The last point $(d,\xi)$.
    pub fn last(&self) -> Option<&(f64, Vec<f64>)> {
        self.path.last()
    }
    /// The folds met.
    pub fn folds(&self) -> impl Iterator<Item = &BranchEvent> {
        self.events
            .iter()
            .filter(|e| matches!(e, BranchEvent::Fold { .. }))
    }
    /// The symmetry-breaking crossings met.
    pub fn symmetry_breaking(&self) -> impl Iterator<Item = &BranchEvent> {
        self.events
            .iter()
            .filter(|e| matches!(e, BranchEvent::SymmetryBreaking { .. }))
    }
}

/// The path system: $R(x,d)=0$ with $x\in\mathbb R^n$, and the monitored blocks.
trait PathSystem {
    fn residual(&self, x: &[f64], d: f64) -> Option<Vec<f64>>;
    /// $(\partial_xR$ row-major $n\times n$, $\partial_dR)$.
    fn jacobian(&self, x: &[f64], d: f64) -> Option<(Vec<f64>, Vec<f64>)>;
    /// Negative-eigenvalue counts of the monitored blocks.
    fn monitors(&self, x: &[f64], d: f64) -> Vec<(Component, usize)>;
    /// Negative-eigenvalue count of one block.
    fn monitor(&self, x: &[f64], d: f64, comp: Component) -> Option<usize>;
    fn sizes(&self, d: f64) -> Vec<f64>;
    fn multiplicity(&self, d: f64, comp: Component) -> f64;
    /// Whether $\partial_xR$ is singular at the point (relative to its scale): a sign change of
    /// the augmented determinant is a branch point only there (elsewhere it passes a pole).
    fn singular(&self, x: &[f64], d: f64) -> bool;
}

/// Relative size of the smallest eigenvalue below which a reduced Hessian counts as singular
/// at a located branch point.
const SINGULAR_TOLERANCE: f64 = 1e-6;

/// The reduced system of a partition with sizes moving along a line in $d$.
struct Reduced {
    sizes0: Vec<f64>,
    d0: f64,
    weights: Vec<f64>,
}

impl Reduced {
    fn partition(&self, d: f64) -> Option<Partition> {
        let sizes = self.sizes(d);
        // Classes that move must stay genuine classes (> 1) so the parameter layout is fixed.
        if sizes
            .iter()
            .zip(&self.weights)
            .any(|(&n, &w)| w != 0.0 && n <= 1.0)
        {
            return None;
        }
        PartitionParams { sizes }.check().ok()
    }
}

impl PathSystem for Reduced {
    fn sizes(&self, d: f64) -> Vec<f64> {
        self.sizes0
            .iter()
            .zip(&self.weights)
            .map(|(n, w)| n + w * (d - self.d0))
            .collect()
    }
    fn residual(&self, x: &[f64], d: f64) -> Option<Vec<f64>> {
        let r = self.partition(d)?.fix_gradient(x).ok()?;
        r.iter().all(|v| v.is_finite()).then_some(r)
    }
    fn jacobian(&self, x: &[f64], d: f64) -> Option<(Vec<f64>, Vec<f64>)> {
        let p = self.partition(d)?;
        let n = x.len();
        let h = p.hessian(x).ok()?;
        let g = p.metric();
        let jx: Vec<f64> = (0..n * n).map(|k| h[k] / g[k / n]).collect();
        let eps = 1e-6 * d.abs().max(1.0);
        let rp = self.residual(x, d + eps)?;
        let rm = self.residual(x, d - eps)?;
        let jd: Vec<f64> = rp
            .iter()
            .zip(&rm)
            .map(|(a, b)| (a - b) / (2.0 * eps))
            .collect();
        (jx.iter().chain(&jd).all(|v| v.is_finite())).then_some((jx, jd))
    }
    fn monitors(&self, x: &[f64], d: f64) -> Vec<(Component, usize)> {
        let Some(p) = self.partition(d) else {
            return Vec::new();
        };
        let Ok(spec) = block_spectrum(&p, x) else {
            return Vec::new();
        };
        let mut out: Vec<(Component, usize)> = Vec::new();
        for v in spec.values() {
            if v.component == Component::Trivial {
                continue;
            }
            let neg = usize::from(v.value < 0.0);
            match out.iter_mut().find(|(c, _)| *c == v.component) {
                Some((_, k)) => *k += neg,
                None => out.push((v.component, neg)),
            }
        }
        out
    }
    fn monitor(&self, x: &[f64], d: f64, comp: Component) -> Option<usize> {
        let p = self.partition(d)?;
        let vals = component_eigenvalues(&p, x, comp).ok()?;
        Some(vals.iter().filter(|&&v| v < 0.0).count())
    }
    fn multiplicity(&self, d: f64, comp: Component) -> f64 {
        comp.multiplicity(&self.sizes(d))
    }
    fn singular(&self, x: &[f64], d: f64) -> bool {
        let Some(p) = self.partition(d) else {
            return false;
        };
        let Ok(vals) = component_eigenvalues(&p, x, Component::Trivial) else {
            return false;
        };
        let small = vals.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
        let scale = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        small <= SINGULAR_TOLERANCE * scale
    }
}

/// Solve the square system `a x = b` (row-major, `n`×`n`) by Gaussian elimination with partial
/// pivoting; returns the solution and the sign of $\det a$, or `None` if singular.
fn solve(n: usize, mut a: Vec<f64>, mut b: Vec<f64>) -> Option<(Vec<f64>, f64)> {
    let mut sign = 1.0;
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    for k in 0..n {
        let piv = (k..n).max_by(|&i, &j| a[i * n + k].abs().total_cmp(&a[j * n + k].abs()))?;
        if a[piv * n + k].abs() <= 1e-300 {
            return None;
        }
        if piv != k {
            for j in 0..n {
                a.swap(k * n + j, piv * n + j);
            }
            b.swap(k, piv);
            sign = -sign;
        }
        let akk = a[k * n + k];
        if akk < 0.0 {
            sign = -sign;
        }
        for i in (k + 1)..n {
            let f = a[i * n + k] / akk;
            if f != 0.0 {
                for j in k..n {
                    a[i * n + j] -= f * a[k * n + j];
                }
                b[i] -= f * b[k];
            }
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let s: f64 = ((k + 1)..n).map(|j| a[k * n + j] * x[j]).sum();
        x[k] = (b[k] - s) / a[k * n + k];
    }
    x.iter().all(|v| v.is_finite()).then_some((x, sign))
}

/// The augmented matrix $\begin{pmatrix}J_x&J_d\\t^\top\end{pmatrix}$, row-major $(n+1)^2$.
fn augmented(jx: &[f64], jd: &[f64], t: &[f64]) -> Vec<f64> {
    let n = jd.len();
    let m = n + 1;
    let mut a = vec![0.0; m * m];
    for i in 0..n {
        a[i * m..i * m + n].copy_from_slice(&jx[i * n..(i + 1) * n]);
        a[i * m + n] = jd[i];
    }
    a[n * m..].copy_from_slice(t);
    a
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dotp(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn split(y: &[f64]) -> (&[f64], f64) {
    let n = y.len() - 1;
    (&y[..n], y[n])
}

/// The unit tangent at `y` oriented along `orient` ($t^\top$orient $>0$), with the sign of the
/// augmented determinant (with the returned tangent as last row).
fn tangent<S: PathSystem>(sys: &S, y: &[f64], orient: &[f64]) -> Option<(Vec<f64>, f64)> {
    let (x, d) = split(y);
    let (jx, jd) = sys.jacobian(x, d)?;
    let n = x.len();
    let mut rhs = vec![0.0; n + 1];
    rhs[n] = 1.0;
    let (t, _) = solve(n + 1, augmented(&jx, &jd, orient), rhs)?;
    let nt = norm(&t);
    let sgn = if dotp(&t, orient) < 0.0 { -1.0 } else { 1.0 };
    let t: Vec<f64> = t.iter().map(|v| sgn * v / nt).collect();
    let det = solve(n + 1, augmented(&jx, &jd, &t), vec![0.0; n + 1]).map_or(0.0, |(_, s)| s);
    Some((t, det))
}

/// Newton on $(R(y), t^\top(y-y_{\rm pred}))=0$ from $y_{\rm pred}$.
fn correct<S: PathSystem>(sys: &S, y_pred: &[f64], t: &[f64]) -> Option<Vec<f64>> {
    let m = y_pred.len();
    let mut y = y_pred.to_vec();
    for _ in 0..30 {
        let (x, d) = split(&y);
        let r = sys.residual(x, d)?;
        let (jx, jd) = sys.jacobian(x, d)?;
        let mut rhs: Vec<f64> = r.iter().map(|v| -v).collect();
        rhs.push(-(0..m).map(|i| t[i] * (y[i] - y_pred[i])).sum::<f64>());
        let (step, _) = solve(m, augmented(&jx, &jd, t), rhs)?;
        let sn = norm(&step);
        if sn.is_nan() || sn >= 1.0 {
            return None;
        }
        for i in 0..m {
            y[i] += step[i];
        }
        let rn = r.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if sn <= 1e-12 * (1.0 + norm(&y)) || (sn <= 1e-10 && rn <= 1e-13) {
            let (x, d) = split(&y);
            let r = sys.residual(x, d)?;
            let rn = r.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            return (rn <= 1e-10 * d.abs().max(1.0)).then_some(y);
        }
    }
    None
}

/// Newton on $R(x,d)=0$ at fixed $d$.
fn solve_at<S: PathSystem>(sys: &S, x0: &[f64], d: f64) -> Option<Vec<f64>> {
    let n = x0.len();
    let mut x = x0.to_vec();
    for _ in 0..40 {
        let r = sys.residual(&x, d)?;
        let (jx, _) = sys.jacobian(&x, d)?;
        let (step, _) = solve(n, jx, r.iter().map(|v| -v).collect())?;
        let sn = norm(&step);
        if sn.is_nan() || sn >= 1.0 {
            return None;
        }
        for i in 0..n {
            x[i] += step[i];
        }
        if sn <= 1e-12 * (1.0 + norm(&x)) {
            let r = sys.residual(&x, d)?;
            let rn = r.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            return (rn <= 1e-10 * d.abs().max(1.0)).then_some(x);
        }
    }
    None
}

/// The point at arclength `s` from `y0` along `t0` (corrected on the hyperplane).
fn at_arclength<S: PathSystem>(sys: &S, y0: &[f64], t0: &[f64], s: f64) -> Option<Vec<f64>> {
    let pred: Vec<f64> = y0.iter().zip(t0).map(|(y, t)| y + s * t).collect();
    correct(sys, &pred, t0)
}

/// Bisection on $s\in(0,h)$ for the first point where `changed(y(s))` holds (it does at $h$, not
/// at 0). Returns the point on the unchanged side closest to the change.
fn bisect<S: PathSystem>(
    sys: &S,
    y0: &[f64],
    t0: &[f64],
    h: f64,
    changed: impl Fn(&[f64]) -> Option<bool>,
) -> Option<Vec<f64>> {
    let (mut lo, mut hi) = (0.0, h);
    let mut best = y0.to_vec();
    for _ in 0..80 {
        if hi - lo <= 1e-13 * h.max(1e-3) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        let y = at_arclength(sys, y0, t0, mid)?;
        if changed(&y)? {
            hi = mid;
        } else {
            lo = mid;
            best = y;
        }
    }
    Some(best)
}

struct Tracer<'a, S: PathSystem> {
    sys: &'a S,
    opts: TrackOptions,
    lo: f64,
    hi: f64,
}

impl<S: PathSystem> Tracer<'_, S> {
    /// Track from `y` with the initial tangent orientation `orient`.
    fn trace(&self, y_start: Vec<f64>, orient: Vec<f64>, switch: bool) -> BranchTrack {
        let sys = self.sys;
        let m = y_start.len();
        let n = m - 1;
        let mut out = BranchTrack {
            path: vec![(y_start[n], y_start[..n].to_vec())],
            events: Vec::new(),
            end: TrackEnd::Ended,
            switched: Vec::new(),
        };
        let Some((mut t, mut det)) = tangent(sys, &y_start, &orient) else {
            return out;
        };
        let mut y = y_start;
        let monitors = |yy: &[f64]| {
            if self.opts.monitors {
                sys.monitors(&yy[..n], yy[n])
            } else {
                Vec::new()
            }
        };
        let mut mon = monitors(&y);
        let mut h = self.opts.step;
        let mut steps = 0usize;
        loop {
            if steps >= self.opts.max_steps {
                out.end = TrackEnd::Budget;
                return out;
            }
            let pred: Vec<f64> = y.iter().zip(&t).map(|(a, b)| a + h * b).collect();
            let accepted = correct(sys, &pred, &t).and_then(|y1| {
                let (t1, det1) = tangent(sys, &y1, &t)?;
                let dist = norm(&y1.iter().zip(&pred).map(|(a, b)| a - b).collect::<Vec<_>>());
                (dotp(&t1, &t) >= 0.9 && dist <= 0.5 * h.max(1e-3)).then_some((y1, t1, det1))
            });
            let Some((y1, t1, det1)) = accepted else {
                h *= 0.5;
                if h < MIN_STEP {
                    out.end = TrackEnd::Ended;
                    return out;
                }
                continue;
            };
            steps += 1;
            let mon1 = monitors(&y1);
            let mut events: Vec<(f64, BranchEvent)> = Vec::new();
            let mk_point = |yy: &[f64]| (yy[n], sys.sizes(yy[n]), yy[..n].to_vec());
            // Fold: the d-component of the oriented tangent changes sign.
            let fold = t[n] * t1[n] < 0.0;
            if fold {
                let t0n = t[n];
                let at = bisect(sys, &y, &t, h, |yy| {
                    let (tt, _) = tangent(sys, yy, &t)?;
                    Some(tt[n] * t0n <= 0.0)
                });
                if let Some(yy) = at {
                    let (d, sizes, params) = mk_point(&yy);
                    let s = dotp(
                        &yy.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<_>>(),
                        &t,
                    );
                    events.push((s, BranchEvent::Fold { d, sizes, params }));
                }
            }
            // In-Fix branch point: the augmented determinant changes sign.
            if det * det1 < 0.0 && !fold {
                let det0 = det;
                let at = bisect(sys, &y, &t, h, |yy| {
                    let (_, dd) = tangent(sys, yy, &t)?;
                    Some(dd * det0 < 0.0)
                });
                // Only where the reduced Hessian is singular (not a pole of the determinant,
                // e.g. near collinear neurons at a class size in (1, 2)).
                if let Some(yy) = at.filter(|yy| sys.singular(&yy[..n], yy[n])) {
                    let (d, sizes, params) = mk_point(&yy);
                    let s = dotp(
                        &yy.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<_>>(),
                        &t,
                    );
                    if switch && self.opts.switching {
                        out.switched.extend(self.switch_at(&yy, &t));
                    }
                    events.push((s, BranchEvent::BranchPoint { d, sizes, params }));
                }
            }
            // Symmetry breaking: a non-trivial block's negative count changes.
            for &(comp, k1) in &mon1 {
                let Some(&(_, k0)) = mon.iter().find(|(c, _)| *c == comp) else {
                    continue;
                };
                if k0 == k1 {
                    continue;
                }
                let at = bisect(sys, &y, &t, h, |yy| {
                    Some(sys.monitor(&yy[..n], yy[n], comp)? != k0)
                });
                if let Some(yy) = at {
                    let (d, sizes, params) = mk_point(&yy);
                    let s = dotp(
                        &yy.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<_>>(),
                        &t,
                    );
                    events.push((
                        s,
                        BranchEvent::SymmetryBreaking {
                            d,
                            multiplicity: sys.multiplicity(d, comp),
                            sizes,
                            params,
                            component: comp,
                            negative_change: k1 as i64 - k0 as i64,
                        },
                    ));
                }
            }
            events.sort_by(|a, b| a.0.total_cmp(&b.0));
            let d1 = y1[n];
            if d1 < self.lo || d1 > self.hi {
                // Land on the boundary: natural solve at the crossed end of the interval.
                let edge = if d1 < self.lo { self.lo } else { self.hi };
                let f = (edge - y[n]) / (d1 - y[n]);
                let seed: Vec<f64> = (0..n).map(|i| y[i] + f * (y1[i] - y[i])).collect();
                out.events.extend(
                    events
                        .into_iter()
                        .map(|e| e.1)
                        .filter(|e| e.d() >= self.lo && e.d() <= self.hi),
                );
                if let Some(x) = solve_at(sys, &seed, edge) {
                    out.path.push((edge, x));
                    out.end = TrackEnd::Reached;
                } else {
                    out.end = TrackEnd::Ended;
                }
                return out;
            }
            out.events.extend(events.into_iter().map(|e| e.1));
            out.path.push((d1, y1[..n].to_vec()));
            y = y1;
            t = t1;
            det = det1;
            mon = mon1;
            h = (h * 1.5).min(self.opts.max_step);
        }
    }

    /// The second branch through the branch point `y`: both halves, tracked.
    fn switch_at(&self, y: &[f64], t: &[f64]) -> Vec<BranchTrack> {
        use crate::linalg::{Matrix, SymmetricEigen};
        let m = y.len();
        let n = m - 1;
        let Some((jx, jd)) = self.sys.jacobian(&y[..n], y[n]) else {
            return Vec::new();
        };
        // A = J^T J with J = [J_x J_d] (n x m); its two smallest eigenvectors span ker J.
        let jat = |i: usize, j: usize| if j < n { jx[i * n + j] } else { jd[i] };
        let a = Matrix::from_fn(m, m, |p, q| (0..n).map(|i| jat(i, p) * jat(i, q)).sum());
        let Ok(eig) = SymmetricEigen::new(&a) else {
            return Vec::new();
        };
        let col = |k: usize| -> Vec<f64> {
            (0..m)
                .map(|i| eig.vectors().get(i, k).unwrap_or(0.0))
                .collect()
        };
        let (e1, e2) = (col(0), col(1));
        let (a1, a2) = (dotp(&e1, t), dotp(&e2, t));
        let v: Vec<f64> = e1.iter().zip(&e2).map(|(p, q)| a2 * p - a1 * q).collect();
        let nv = norm(&v);
        if nv.is_nan() || nv <= 1e-6 {
            return Vec::new();
        }
        let v: Vec<f64> = v.iter().map(|x| x / nv).collect();
        let mut out = Vec::new();
        for sign in [1.0, -1.0] {
            let dir: Vec<f64> = v.iter().map(|x| sign * x).collect();
            let h = self.opts.step.min(0.02);
            let pred: Vec<f64> = y.iter().zip(&dir).map(|(a, b)| a + h * b).collect();
            if let Some(y1) = correct(self.sys, &pred, &dir) {
                let mut tr = self.trace(y1, dir.clone(), false);
                tr.path.insert(0, (y[n], y[..n].to_vec()));
                out.push(tr);
            }
        }
        out
    }
}

/// Track the critical point `xi` of `partition` in $d$ by pseudo-arclength continuation, with
/// fold, in-Fix branch-point and symmetry-breaking detection (see the module docs), from
/// $d_0=\sum_cn_c$ in the direction `downward` (or upward) until $d$ leaves `[d_lo, d_hi]` (the
/// last point is then solved at that end), the branch ends, or the step budget runs out. After
/// a fold $d$ moves the other way: a branch started downward from $d_0$ may come back to $d_0$
/// (on the partner branch that merges with it at the fold).
///
/// Domain: `direction` a class of size $>1$ for [`TrackDirection::Class`] (else
/// [`Error::InvalidParameter`] naming `class`) or a partition with a class of size $>1$ for
/// [`TrackDirection::Scaled`] (else naming `sizes`); $1<$ `d_lo` $\le d_0\le$ `d_hi`
/// $\le10^7$, finite (else naming `d_lo` or `d_hi`); `xi` a critical point of `partition`
/// (reduced residual $\le10^{-10}d$ after Newton, within $10^{-6}$ of `xi`; else naming
/// `params`); options as [`TrackOptions::check`].
pub fn track_branch(
    partition: &Partition,
    xi: &[f64],
    direction: TrackDirection,
    downward: bool,
    d_lo: f64,
    d_hi: f64,
    opts: &TrackOptions,
) -> Result<BranchTrack> {
    opts.check()?;
    let sizes0 = partition.sizes().to_vec();
    let d0 = partition.dimension();
    let weights: Vec<f64> = match direction {
        TrackDirection::Class(c) => {
            if c >= sizes0.len() || sizes0[c] <= 1.0 {
                return Err(Error::InvalidParameter {
                    name: "class",
                    value: c as f64,
                    expected: "the index of a class of size > 1",
                });
            }
            (0..sizes0.len())
                .map(|k| if k == c { 1.0 } else { 0.0 })
                .collect()
        }
        TrackDirection::Scaled => {
            let total: f64 = sizes0.iter().filter(|&&n| n > 1.0).sum();
            if total <= 0.0 {
                return Err(Error::InvalidParameter {
                    name: "sizes",
                    value: d0,
                    expected: "a partition with a class of size > 1",
                });
            }
            sizes0
                .iter()
                .map(|&n| if n > 1.0 { n / total } else { 0.0 })
                .collect()
        }
    };
    if !(d_lo.is_finite() && d_lo > 1.0 && d_lo <= d0) {
        return Err(Error::InvalidParameter {
            name: "d_lo",
            value: d_lo,
            expected: "a dimension in (1, d]",
        });
    }
    if !(d_hi.is_finite() && d_hi >= d0 && d_hi <= super::symmetry::MAX_DIMENSION) {
        return Err(Error::InvalidParameter {
            name: "d_hi",
            value: d_hi,
            expected: "a dimension in [d, 1e7]",
        });
    }
    let sys = Reduced {
        sizes0,
        d0,
        weights,
    };
    let bad = || Error::InvalidParameter {
        name: "params",
        value: d0,
        expected: "a critical point of the partition (reduced Newton from it must converge)",
    };
    if xi.len() != partition.params().len() {
        return Err(bad());
    }
    let x0 = solve_at(&sys, xi, d0).ok_or_else(bad)?;
    if xi
        .iter()
        .zip(&x0)
        .any(|(a, b)| (a - b).abs() > 1e-6 * (1.0 + a.abs()))
    {
        return Err(bad());
    }
    let n = x0.len();
    let mut y = x0;
    y.push(d0);
    let mut orient = vec![0.0; n + 1];
    orient[n] = if downward { -1.0 } else { 1.0 };
    let tracer = Tracer {
        sys: &sys,
        opts: *opts,
        lo: d_lo,
        hi: d_hi,
    };
    Ok(tracer.trace(y, orient, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scalar or small system given by closures (for the algorithm's unit tests).
    struct Toy<F: Fn(&[f64], f64) -> Vec<f64>> {
        f: F,
    }
    impl<F: Fn(&[f64], f64) -> Vec<f64>> PathSystem for Toy<F> {
        fn residual(&self, x: &[f64], d: f64) -> Option<Vec<f64>> {
            Some((self.f)(x, d))
        }
        fn jacobian(&self, x: &[f64], d: f64) -> Option<(Vec<f64>, Vec<f64>)> {
            let n = x.len();
            let e = 1e-6;
            let mut jx = vec![0.0; n * n];
            for j in 0..n {
                let mut xp = x.to_vec();
                let mut xm = x.to_vec();
                xp[j] += e;
                xm[j] -= e;
                let (rp, rm) = ((self.f)(&xp, d), (self.f)(&xm, d));
                for i in 0..n {
                    jx[i * n + j] = (rp[i] - rm[i]) / (2.0 * e);
                }
            }
            let (rp, rm) = ((self.f)(x, d + e), (self.f)(x, d - e));
            Some((
                jx,
                rp.iter()
                    .zip(&rm)
                    .map(|(a, b)| (a - b) / (2.0 * e))
                    .collect(),
            ))
        }
        fn monitors(&self, _: &[f64], _: f64) -> Vec<(Component, usize)> {
            Vec::new()
        }
        fn monitor(&self, _: &[f64], _: f64, _: Component) -> Option<usize> {
            None
        }
        fn sizes(&self, d: f64) -> Vec<f64> {
            vec![d]
        }
        fn multiplicity(&self, _: f64, _: Component) -> f64 {
            0.0
        }
        fn singular(&self, x: &[f64], d: f64) -> bool {
            // 1 x 1 and 2 x 2 systems only in these tests: the determinant, relative.
            let (jx, _) = self.jacobian(x, d).unwrap();
            let scale = jx.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1.0);
            let det = if x.len() == 1 {
                jx[0]
            } else {
                jx[0] * jx[3] - jx[1] * jx[2]
            };
            det.abs() <= SINGULAR_TOLERANCE * scale
        }
    }

    fn run<F: Fn(&[f64], f64) -> Vec<f64>>(
        f: F,
        y: Vec<f64>,
        down: bool,
        lo: f64,
        hi: f64,
    ) -> BranchTrack {
        let sys = Toy { f };
        let n = y.len() - 1;
        let mut orient = vec![0.0; n + 1];
        orient[n] = if down { -1.0 } else { 1.0 };
        Tracer {
            sys: &sys,
            opts: TrackOptions::default(),
            lo,
            hi,
        }
        .trace(y, orient, true)
    }

    /// $x^2=d-1$: a fold at $d=1$, $x=0$; started at $x=2$, $d=5$ downward, the tracker passes
    /// the fold and returns to $d=5$ on the other half, $x=-2$.
    #[test]
    fn passes_a_quadratic_fold() {
        let tr = run(
            |x, d| vec![x[0] * x[0] - (d - 1.0)],
            vec![2.0, 5.0],
            true,
            0.0,
            5.0,
        );
        assert_eq!(tr.end, TrackEnd::Reached);
        let folds: Vec<_> = tr.folds().collect();
        assert_eq!(folds.len(), 1);
        assert!((folds[0].d() - 1.0).abs() < 1e-12, "{}", folds[0].d());
        let (d, x) = tr.last().unwrap();
        assert_eq!(*d, 5.0);
        assert!((x[0] + 2.0).abs() < 1e-10, "{x:?}");
        assert!(
            tr.events
                .iter()
                .all(|e| matches!(e, BranchEvent::Fold { .. }))
        );
    }

    /// A fold in a coupled 2-D system: $x_1=x_0^2$, $x_0^2+x_1^2=d$ ... the fold of
    /// $x_0^2+x_0^4=d$ in $x_0$ has no fold for $d>0$; $x_0^3-3x_0=d-2$ has folds at
    /// $d=0$ ($x_0=1$) and $d=4$ ($x_0=-1$).
    #[test]
    fn passes_two_cubic_folds() {
        let f = |x: &[f64], d: f64| vec![x[0].powi(3) - 3.0 * x[0] - (d - 2.0), x[1] - x[0] * x[0]];
        // Start on the upper branch at d = 20 (x0^3 - 3 x0 = 18: x0 = 3), downward.
        let tr = run(f, vec![3.0, 9.0, 20.0], true, -20.0, 20.0);
        let folds: Vec<f64> = tr.folds().map(|e| e.d()).collect();
        assert_eq!(folds.len(), 2, "{folds:?}");
        assert!(
            (folds[0] - 0.0).abs() < 1e-11 && (folds[1] - 4.0).abs() < 1e-11,
            "{folds:?}"
        );
        let (d, x) = tr.last().unwrap();
        assert_eq!(*d, -20.0);
        // x0^3 - 3 x0 = -22: x0 = -3.2...; check the residual.
        assert!((x[0].powi(3) - 3.0 * x[0] + 22.0).abs() < 1e-9);
    }

    /// $x(x-(d-1))=0$: the branches $x=0$ and $x=d-1$ cross at $d=1$ (transcritical). Tracking
    /// $x=0$ down from $d=3$ reports the branch point and switches onto $x=d-1$ (both halves).
    #[test]
    fn detects_and_switches_at_a_branch_point() {
        let tr = run(
            |x, d| vec![x[0] * (x[0] - (d - 1.0))],
            vec![0.0, 3.0],
            true,
            -1.0,
            3.0,
        );
        assert_eq!(tr.end, TrackEnd::Reached);
        let bps: Vec<_> = tr
            .events
            .iter()
            .filter(|e| matches!(e, BranchEvent::BranchPoint { .. }))
            .collect();
        assert_eq!(bps.len(), 1, "{:?}", tr.events);
        assert!((bps[0].d() - 1.0).abs() < 1e-10);
        assert_eq!(tr.folds().count(), 0);
        let (d, x) = tr.last().unwrap();
        assert_eq!((*d, x[0].abs() < 1e-12), (-1.0, true));
        // The switched branch x = d - 1, to both ends.
        assert_eq!(tr.switched.len(), 2);
        let mut ends: Vec<(f64, f64)> = tr
            .switched
            .iter()
            .map(|s| {
                let (d, x) = s.last().unwrap();
                (*d, x[0])
            })
            .collect();
        ends.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            (ends[0].0 + 1.0).abs() < 1e-12 && (ends[0].1 + 2.0).abs() < 1e-10,
            "{ends:?}"
        );
        assert!(
            (ends[1].0 - 3.0).abs() < 1e-12 && (ends[1].1 - 2.0).abs() < 1e-10,
            "{ends:?}"
        );
    }

    #[test]
    fn gaussian_elimination_and_determinant_sign() {
        let (x, s) = solve(2, vec![0.0, 1.0, 1.0, 0.0], vec![2.0, 3.0]).unwrap();
        assert_eq!((x, s), (vec![3.0, 2.0], -1.0));
        let (_, s) = solve(2, vec![2.0, 0.0, 0.0, -3.0], vec![1.0, 1.0]).unwrap();
        assert_eq!(s, -1.0);
        assert!(solve(2, vec![1.0, 2.0, 2.0, 4.0], vec![1.0, 1.0]).is_none());
    }
}
