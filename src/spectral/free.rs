//! Free additive and free multiplicative convolution by subordination.
//!
//! For measures $\mu, \nu$ and a Haar-distributed orthogonal (or unitary) $U$, the limiting
//! spectral distribution of $A + UBU^*$ is the free additive convolution $\mu \boxplus \nu$ and,
//! for positive $A, B$, that of $A^{1/2} U B U^* A^{1/2}$ is the free multiplicative convolution
//! $\mu \boxtimes \nu$ (Voiculescu, *Invent. Math.* 104, 1991). Both are computed by
//! subordination (Biane, *Math. Z.* 227, 1998; Belinschi & Bercovici, "A new approach to
//! subordination results in free probability", *J. Anal. Math.* 101, 2007, whose fixed-point
//! characterisation is used here), which needs only the Stieltjes transforms of the
//! inputs, through [`StieltjesTransform`], and an interval containing each support, through
//! [`SupportBounds`].
//!
//! # Conventions
//! $m_\mu(z) = \int \frac{d\mu(s)}{s - z}$ (Herglotz: $\operatorname{Im} m > 0$ on $\mathbb C_+$),
//! Cauchy transform $G_\mu = -m_\mu$, reciprocal $F_\mu = 1/G_\mu = -1/m_\mu$ (so
//! $\operatorname{Im} F_\mu(w) \ge \operatorname{Im} w$), $h_\mu = F_\mu - \mathrm{id}$.
//!
//! **Additive.** $G_{\mu\boxplus\nu}(z) = G_\mu(\omega_1(z)) = G_\nu(\omega_2(z))$ with
//! $\omega_1 + \omega_2 = z + F_{\mu\boxplus\nu}(z)$, i.e. $\omega_2 = z + h_\mu(\omega_1)$ and
//! $\omega_1$ the unique fixed point in $\mathbb C_+$ of
//! $$ \Phi_z(w) = z + h_\nu\big(z + h_\mu(w)\big), $$
//! the Denjoy–Wolff point of a self-map of $\mathbb C_+$ (Belinschi & Bercovici 2007):
//! the plain iteration converges from any start, $\operatorname{Im}\omega_j \ge \operatorname{Im} z$.
//!
//! **Multiplicative** (supports in $[0, \infty)$). $\psi_\mu(z) = \int \frac{zs}{1 - zs}d\mu(s)
//! = -\frac1z m_\mu(1/z) - 1$, $\eta_\mu = \frac{\psi_\mu}{1 + \psi_\mu} = 1 + \frac{z}{m_\mu(1/z)}$.
//! $\eta_{\mu\boxtimes\nu}(z) = \eta_\mu(\omega_1(z)) = \eta_\nu(\omega_2(z))$ with
//! $\omega_1\omega_2 = z\,\eta_{\mu\boxtimes\nu}(z)$; with $H_\mu(w) = \eta_\mu(w)/w
//! = \frac1w + \frac{1}{m_\mu(1/w)}$ this is $\omega_2 = z H_\mu(\omega_1)$ and $\omega_1$ the
//! fixed point of
//! $$ \Phi_z(w) = z\,H_\nu\big(z H_\mu(w)\big) $$
//! (Belinschi & Bercovici 2007; for $z \in \mathbb C_+$, $\omega_j \in \mathbb C_+$ with
//! $\arg\omega_j \ge \arg z$).
//! The transform of the product at $\zeta \in \mathbb C_+$ uses $z = 1/\bar\zeta \in \mathbb C_+$
//! and conjugate symmetry: $m_{\mu\boxtimes\nu}(\zeta) = \overline{(z/\omega_1)}\,
//! m_\mu(1/\bar\omega_1)$.
//!
//! # Algorithm
//! One complex unknown $\omega_1$. A damped Newton iteration on $g(w) = w - \Phi_z(w)$: the
//! derivative of $\Phi_z$ is the secant slope of the last accepted step, or, when there is none
//! or it fails, a central difference along the real axis (unprojected, step $10^{-4}$ times the
//! distance of $w$ to the boundary of its domain). The step is halved until the iterate stays
//! in $\mathbb C_+$ and $|g|$ decreases; when no halving helps a plain fixed-point step
//! $w \leftarrow \Phi_z(w)$ is taken (it never leaves $\mathbb C_+$). Each evaluation of
//! $\Phi_z$ projects $\omega_2$ and $\Phi_z(w)$ onto the region the exact values lie in
//! ($\operatorname{Im} \ge \operatorname{Im} z$ for the sum, $\arg \ge \arg z$ for the product):
//! this removes rounding only. A point near the real axis is reached by continuation: solve at
//! $\operatorname{Im} z$ = the scale of the supports, where $\Phi_z$ is strongly contracting,
//! then divide $\operatorname{Im} z$ by 16 to 256 per step with a predictor (shift of
//! $\omega_1$ with $z$ for the sum, scaling with $z$ for the product), subdividing a step that
//! fails. Point masses take closed forms ($\delta_a \boxplus \nu$ is $\nu$ shifted,
//! $\delta_a \boxtimes \nu$ is $\nu$ scaled). Convergence: relative residual
//! $|\omega_1 - \Phi_z(\omega_1)|/(|\omega_1| + |z| + L) \le$ [`FreeOptions::tolerance`]
//! ($10^{-13}$), or $\le$ [`STALL_TOLERANCE`] once the iteration has stalled at the rounding
//! floor of $\Phi_z$ (cancellation in $F(w) - w$ and in $1/w + 1/m(1/w)$, which use only $m$);
//! the residual reached is returned with every value.
//!
//! Branch: every accepted solution has $\operatorname{Im}\omega_1 > 0$ and
//! $\operatorname{Im}\omega_2 > 0$; by Denjoy–Wolff the fixed point in $\mathbb C_+$ is unique,
//! so a converged iterate there is the physical solution (no spurious root can pass).
//!
//! # Density and its accuracy
//! [`FreeSum::density`] returns $\operatorname{Im} m(x + i\eta)/\pi$ at $\eta = \eta_{\rm rel}
//! \cdot L$, $L$ the width of the support enclosure ([`FreeOptions::density_eta`], default
//! $\eta_{\rm rel} = 10^{-10}$): the density convolved with a Cauchy kernel of width $\eta$.
//! Inside the bulk, where $\rho$ is smooth, the error is $O(\eta\,|\rho'|)$ (about
//! $10^{-10}$ relative); within $\eta$ of a square-root edge it is $O(\sqrt{\eta/L})\sim 10^{-5}$
//! of the bulk density; an atom of mass $w$ at $x_0$ shows as a peak $w/(\pi\eta)$.
//! Where the solve at $\eta$ stalls above [`STALL_TOLERANCE`] (mid-gap points of nearly atomic
//! outputs, where $G_{\mu\boxplus\nu}$ vanishes on the real axis and the subordination
//! functions have a pole, so rounding in $F(w) - w$ is amplified), $\eta$ is raised 100-fold, at
//! most twice; [`DensityPoint::eta`] reports the width used.
//! [`FreeSum::density_curve`] solves a whole grid, each point warm-started from the previous
//! one (continuation is used only when the warm start fails); [`FreeSum::density_points`]
//! returns one result per point.

use num_complex::Complex64;

use crate::error::{Error, Result};
use crate::spectral::marchenko_pastur::MarchenkoPastur;
use crate::spectral::population::{Atoms, StieltjesTransform};

/// An interval $[\text{lo}, \text{hi}]$ that contains the support of a measure (it may be
/// larger; the solvers use it for scales and, for [`FreeProduct`], to check positivity).
pub trait SupportBounds {
    /// $(\text{lo}, \text{hi})$ with $\text{lo} \le \text{hi}$, both finite.
    fn support_bounds(&self) -> (f64, f64);
}

impl SupportBounds for Atoms {
    fn support_bounds(&self) -> (f64, f64) {
        self.support()
    }
}

impl SupportBounds for crate::spectral::measure::Measure {
    /// [`Measure::support`](crate::spectral::measure::Measure::support): the closed interval
    /// from the lowest to the highest point of the support (gaps included).
    fn support_bounds(&self) -> (f64, f64) {
        self.support()
    }
}

impl SupportBounds for MarchenkoPastur {
    /// $[(1-\sqrt\gamma)^2, (1+\sqrt\gamma)^2]$, with the lower end 0 when $\gamma > 1$ (the
    /// atom at 0).
    fn support_bounds(&self) -> (f64, f64) {
        let (a, b) = self.edges();
        if self.gamma() > 1.0 { (0.0, b) } else { (a, b) }
    }
}

/// Any [`StieltjesTransform`] with caller-given support bounds (e.g. a closed form written in a
/// test, or a measure type that does not implement [`SupportBounds`]).
#[derive(Debug, Clone)]
pub struct WithSupport<T> {
    measure: T,
    lo: f64,
    hi: f64,
}

impl<T> WithSupport<T> {
    /// Wrap `measure` with the support enclosure $[\text{lo}, \text{hi}]$.
    ///
    /// Errors ([`Error::InvalidParameter`]): `lo` or `hi` not finite, `hi < lo` (`hi`).
    pub fn new(measure: T, lo: f64, hi: f64) -> Result<Self> {
        check_bounds(lo, hi)?;
        Ok(Self { measure, lo, hi })
    }

    /// The wrapped measure.
    pub fn measure(&self) -> &T {
        &self.measure
    }
}

impl<T: StieltjesTransform> StieltjesTransform for WithSupport<T> {
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        self.measure.stieltjes(z)
    }
}

impl<T> SupportBounds for WithSupport<T> {
    fn support_bounds(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
}

fn check_bounds(lo: f64, hi: f64) -> Result<()> {
    if !lo.is_finite() {
        return Err(Error::InvalidParameter {
            name: "lo",
            value: lo,
            expected: "a finite lower support bound",
        });
    }
    if !(hi.is_finite() && hi >= lo) {
        return Err(Error::InvalidParameter {
            name: "hi",
            value: hi,
            expected: "a finite upper support bound >= lo",
        });
    }
    Ok(())
}

/// Solver options of [`FreeSum`] and [`FreeProduct`] (build with [`FreeOptions::default`] and
/// the `with_*` methods).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct FreeOptions {
    /// Relative tolerance on $|\omega_1 - \Phi_z(\omega_1)| / (|\omega_1| + |z| + L)$
    /// (default $10^{-13}$).
    pub tolerance: f64,
    /// Iterations per continuation step (default 100).
    pub max_iterations: usize,
    /// $\eta_{\rm rel}$: the density is evaluated at $x + i\eta_{\rm rel} L$ (default $10^{-10}$).
    pub density_eta: f64,
}

impl Default for FreeOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-13,
            max_iterations: 100,
            density_eta: 1e-10,
        }
    }
}

impl FreeOptions {
    /// Set the relative tolerance (finite, in $[10^{-15}, 10^{-3}]$; else
    /// [`Error::InvalidParameter`] `tolerance`).
    pub fn with_tolerance(mut self, tolerance: f64) -> Result<Self> {
        if !(tolerance.is_finite() && (1e-15..=1e-3).contains(&tolerance)) {
            return Err(Error::InvalidParameter {
                name: "tolerance",
                value: tolerance,
                expected: "a relative tolerance in [1e-15, 1e-3]",
            });
        }
        self.tolerance = tolerance;
        Ok(self)
    }

    /// Set the iteration budget per continuation step (at least 1; else
    /// [`Error::InvalidParameter`] `max_iterations`).
    pub fn with_max_iterations(mut self, max_iterations: usize) -> Result<Self> {
        if max_iterations == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iterations",
                value: 0.0,
                expected: "at least one iteration",
            });
        }
        self.max_iterations = max_iterations;
        Ok(self)
    }

    /// Set $\eta_{\rm rel}$ (finite, in $[10^{-14}, 1]$; else [`Error::InvalidParameter`]
    /// `density_eta`).
    pub fn with_density_eta(mut self, density_eta: f64) -> Result<Self> {
        if !(density_eta.is_finite() && (1e-14..=1.0).contains(&density_eta)) {
            return Err(Error::InvalidParameter {
                name: "density_eta",
                value: density_eta,
                expected: "a relative smoothing width in [1e-14, 1]",
            });
        }
        self.density_eta = density_eta;
        Ok(self)
    }
}

/// The solution of the subordination equations at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SubordinationPoint {
    /// The point $z \in \mathbb C_+$ where the transform was evaluated.
    pub z: Complex64,
    /// $m_{\mu\star\nu}(z)$ (Herglotz: $\operatorname{Im} m > 0$).
    pub stieltjes: Complex64,
    /// The subordination functions $(\omega_1, \omega_2)$ (for the product, at
    /// $1/\bar z$: see the module documentation).
    pub omega: (Complex64, Complex64),
    /// Final relative residual $|\omega_1 - \Phi(\omega_1)|/(|\omega_1| + |z| + L)$.
    pub residual: f64,
    /// Total iterations (over all continuation steps).
    pub iterations: usize,
}

/// The density at one real point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DensityPoint {
    /// The real point $x$.
    pub x: f64,
    /// $\rho(x) \approx \operatorname{Im} m(x + i\eta)/\pi$.
    pub density: f64,
    /// The smoothing width $\eta$ actually used.
    pub eta: f64,
    /// $m(x + i\eta)$.
    pub stieltjes: Complex64,
    /// Final relative residual of the subordination equation.
    pub residual: f64,
    /// Iterations spent on this point.
    pub iterations: usize,
}

impl DensityPoint {
    fn from_point(x: f64, eta: f64, p: SubordinationPoint) -> Result<Self> {
        let density = p.stieltjes.im.max(0.0) / std::f64::consts::PI;
        if !(density.is_finite() && finite_c(p.stieltjes) && eta.is_finite()) {
            return Err(Error::NonFinite {
                what: "free-convolution density",
            });
        }
        Ok(Self {
            x,
            density,
            eta,
            stieltjes: p.stieltjes,
            residual: p.residual,
            iterations: p.iterations,
        })
    }
}

/// Which convolution: the subordination map and the output transform.
trait Subordination {
    /// $\Phi_z(w)$ and $\omega_2(w)$, projected onto the domain the exact values live in when
    /// `project` (rounding only); `Err` when $\omega_2$ leaves $\mathbb C_+$.
    fn phi_with(&self, z: Complex64, w: Complex64, project: bool)
    -> Result<(Complex64, Complex64)>;
    /// [`Self::phi_with`] with the projection.
    fn phi(&self, z: Complex64, w: Complex64) -> Result<(Complex64, Complex64)> {
        self.phi_with(z, w, true)
    }
    /// Distance of $w$ from the boundary of its domain (sets the difference step).
    fn margin(&self, z: Complex64, w: Complex64) -> f64;
    /// The natural start of the iteration at $z$.
    fn start(&self, z: Complex64) -> Complex64;
    /// Predictor for continuation: the start at `z_new` from the solution `w_old` at `z_old`.
    fn predict(&self, z_old: Complex64, z_new: Complex64, w_old: Complex64) -> Complex64;
    /// Scale of $|\omega|$ used in the relative residual.
    fn scale(&self, z: Complex64) -> f64;
    const METHOD: &'static str;
}

/// $w$ with $\operatorname{Im} w \ge$ `floor`.
fn lift_im(w: Complex64, floor: f64) -> Complex64 {
    Complex64::new(w.re, w.im.max(floor))
}

/// $w$ rotated, if needed, so that $\arg w \ge \arg z$ (both in the closed upper half-plane).
fn lift_arg(w: Complex64, z: Complex64) -> Complex64 {
    if w.arg() < z.arg() {
        Complex64::from_polar(w.norm(), z.arg())
    } else {
        w
    }
}

fn finite_c(v: Complex64) -> bool {
    v.re.is_finite() && v.im.is_finite()
}

/// Relative residual accepted when the iteration has stalled at the rounding floor of the
/// evaluation of $\Phi_z$ (see the module docs: cancellation in $F(w) - w$ and
/// $1/w + 1/m(1/w)$, amplified near the real poles of the subordination functions in gaps).
pub const STALL_TOLERANCE: f64 = 1e-7;

/// Damped Newton with fixed-point fallback on $g(w) = w - \Phi_z(w)$ (see the module docs).
/// Returns the iterate, $\omega_2$, the relative residual and the iterations. Converged when the
/// relative residual is at most `tol`, or at most [`STALL_TOLERANCE`] once the iteration has
/// stalled (neither a Newton step with 30 halvings nor a fixed-point step decreased it, three
/// times; or no halving of the best residual in 15 iterations): the rounding floor.
fn newton<S: Subordination>(
    s: &S,
    z: Complex64,
    start: Complex64,
    tol: f64,
    max_iterations: usize,
) -> Result<(Complex64, Complex64, f64, usize)> {
    let scale = s.scale(z);
    let mut w = start;
    if !(finite_c(w) && w.im > 0.0) {
        w = s.start(z);
    }
    let (mut p, mut w2) = match s.phi(z, w) {
        Ok(v) => v,
        Err(_) => {
            w = s.start(z);
            s.phi(z, w)?
        }
    };
    let mut r = (w - p).norm();
    let mut best = (w, w2, r / (w.norm() + scale));
    let mut stalls = 0;
    let mut progress_at = 0;
    let mut secant: Option<Complex64> = None;
    for it in 0..max_iterations {
        let rel = r / (w.norm() + scale);
        if rel < 0.5 * best.2 {
            progress_at = it;
        }
        if rel < best.2 {
            best = (w, w2, rel);
        }
        if rel <= tol {
            return Ok((w, w2, rel, it));
        }
        if (stalls >= 3 || it >= progress_at + 15) && best.2 <= STALL_TOLERANCE {
            return Ok((best.0, best.1, best.2, it));
        }
        // Derivative of Phi: the secant slope of the last accepted step when there is one
        // (one evaluation of Phi per iteration), else a central difference along the real axis,
        // unprojected, with a step well inside the domain (the projection is not smooth).
        let from_secant = secant.is_some();
        let dphi = match secant.take() {
            Some(d) => d,
            None => {
                let delta = (1e-4 * s.margin(z, w)).max(1e-12 * w.norm()).max(1e-300);
                match (
                    s.phi_with(z, w + Complex64::new(delta, 0.0), false),
                    s.phi_with(z, w - Complex64::new(delta, 0.0), false),
                ) {
                    (Ok((a, _)), Ok((b, _))) => (a - b) / (2.0 * delta),
                    _ => Complex64::new(f64::NAN, 0.0),
                }
            }
        };
        let dg = Complex64::new(1.0, 0.0) - dphi;
        let mut accepted = false;
        if finite_c(dg) && dg.norm() > 0.0 {
            let mut step = (w - p) / dg;
            for _ in 0..30 {
                let cand = w - step;
                if finite_c(cand)
                    && cand.im > 0.0
                    && let Ok((pc, w2c)) = s.phi(z, cand)
                {
                    let rc = (cand - pc).norm();
                    if finite_c(pc) && rc < r {
                        let slope = (pc - p) / (cand - w);
                        secant = finite_c(slope).then_some(slope);
                        w = cand;
                        p = pc;
                        w2 = w2c;
                        r = rc;
                        accepted = true;
                        break;
                    }
                }
                step *= 0.5;
                if from_secant {
                    // A poor secant slope: retry with the difference derivative.
                    break;
                }
            }
        }
        if !accepted && from_secant {
            continue;
        }
        if !accepted {
            // Fixed-point step: Phi maps C+ into C+.
            let cand = p;
            if !(finite_c(cand) && cand.im > 0.0) {
                break;
            }
            let (pc, w2c) = s.phi(z, cand)?;
            let rc = (cand - pc).norm();
            if rc.is_nan() || rc >= r {
                stalls += 1;
            }
            w = cand;
            p = pc;
            w2 = w2c;
            r = rc;
        }
    }
    let rel = r / (w.norm() + scale);
    if rel < best.2 {
        best = (w, w2, rel);
    }
    if best.2 <= tol || (stalls >= 3 && best.2 <= STALL_TOLERANCE) {
        return Ok((best.0, best.1, best.2, max_iterations));
    }
    Err(Error::NotConverged {
        method: S::METHOD,
        iterations: max_iterations,
        residual: best.2,
        tolerance: tol,
        last_iterate: vec![w.re, w.im],
    })
}

/// Solve at $z = x + i\eta$ by continuation in $\eta$ from `eta_top` (or warm-started).
fn solve_point<S: Subordination>(
    s: &S,
    x: f64,
    eta: f64,
    eta_top: f64,
    options: &FreeOptions,
    warm: Option<(Complex64, Complex64)>,
) -> Result<(Complex64, Complex64, f64, usize)> {
    let z = Complex64::new(x, eta);
    if let Some((z0, w0)) = warm
        && let Ok(sol) = newton(s, z, s.predict(z0, z, w0), options.tolerance, 30)
    {
        return Ok(sol);
    }
    let mut total = 0;
    let mut level = eta_top.max(eta);
    let (mut w, _, _, its) = newton(
        s,
        Complex64::new(x, level),
        s.start(Complex64::new(x, level)),
        options.tolerance,
        options.max_iterations.max(200),
    )?;
    total += its;
    let mut ratio = 1.0 / 16.0;
    while level > eta {
        let next = (level * ratio).max(eta);
        match newton(
            s,
            Complex64::new(x, next),
            s.predict(Complex64::new(x, level), Complex64::new(x, next), w),
            options.tolerance,
            options.max_iterations,
        ) {
            Ok((wn, _, _, its)) => {
                total += its;
                w = wn;
                level = next;
                ratio = (ratio * ratio).clamp(1.0 / 256.0, 1.0 / 16.0);
            }
            Err(e) => {
                total += options.max_iterations;
                ratio = ratio.sqrt();
                if ratio > 0.95 {
                    return Err(e);
                }
            }
        }
    }
    let (w, w2, rel, its) = newton(s, z, w, options.tolerance, options.max_iterations)?;
    Ok((w, w2, rel, total + its))
}

/// Solve at `eta`; on [`Error::NotConverged`] retry at $100\eta$ and $10^4\eta$ (the rounding
/// floor near real poles of the subordination functions in gaps; the width used is reported
/// in [`DensityPoint::eta`]). Returns the width used and the solution.
fn raise_eta<T>(eta: f64, mut solve: impl FnMut(f64) -> Result<T>) -> Result<(f64, T)> {
    let mut e = eta;
    let mut first_error = None;
    for _ in 0..3 {
        match solve(e) {
            Ok(v) => return Ok((e, v)),
            Err(err @ Error::NotConverged { .. }) => {
                first_error.get_or_insert(err);
                e *= 100.0;
            }
            Err(err) => return Err(err),
        }
    }
    Err(first_error.unwrap_or(Error::NonFinite {
        what: "free convolution density",
    }))
}

/// Validate and return $(\text{lo}, \text{hi})$ of an input.
fn bounds_of<T: SupportBounds>(t: &T, name: &'static str) -> Result<(f64, f64)> {
    let (lo, hi) = t.support_bounds();
    if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
        return Err(Error::InvalidParameter {
            name,
            value: if lo.is_finite() { hi } else { lo },
            expected: "a measure with finite support bounds lo <= hi",
        });
    }
    Ok((lo, hi))
}

fn check_z(z: Complex64) -> Result<()> {
    if !(finite_c(z) && z.im > 0.0) {
        return Err(Error::InvalidParameter {
            name: "z",
            value: if z.re.is_finite() { z.im } else { z.re },
            expected: "a finite point with Im z > 0",
        });
    }
    Ok(())
}

/// $(\omega_1, \omega_2)$, residual and iterations of one subordination solve.
type Solved = (Complex64, Complex64, f64, usize);

/// The densities along `xs`, lazily: each point solved at height `eta` (raised on a stall,
/// [`raise_eta`]) and warm-started from the previous converged point; a failed point resets the
/// warm start. `solve(x, eta, warm)` is the subordination solve, `point(z, solved)` the
/// transform at $z = x + i\eta$. Shared by the grids of [`FreeSum`] and [`FreeProduct`]:
/// collecting into `Vec<Result<_>>` gives one result per point, into `Result<Vec<_>>` stops at
/// the first failure without solving the rest.
fn density_walk<'a>(
    xs: &'a [f64],
    eta: f64,
    solve: impl Fn(f64, f64, Option<(Complex64, Complex64)>) -> Result<Solved> + 'a,
    point: impl Fn(Complex64, Solved) -> Result<SubordinationPoint> + 'a,
) -> impl Iterator<Item = Result<DensityPoint>> + 'a {
    let mut warm = None;
    xs.iter().map(move |&x| {
        check_x(x)?;
        let (eta, solved) = match raise_eta(eta, |e| solve(x, e, warm)) {
            Ok(v) => v,
            Err(e) => {
                warm = None;
                return Err(e);
            }
        };
        let z = Complex64::new(x, eta);
        warm = Some((z, solved.0));
        DensityPoint::from_point(x, eta, point(z, solved)?)
    })
}

fn check_x(x: f64) -> Result<()> {
    if !x.is_finite() {
        return Err(Error::InvalidParameter {
            name: "x",
            value: x,
            expected: "a finite real point",
        });
    }
    Ok(())
}

/// The free additive convolution $\mu \boxplus \nu$ (the limiting spectrum of $A + UBU^*$).
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::{Atoms, FreeSum, StieltjesTransform};
/// // Two symmetric Bernoulli laws: their free sum is the arcsine law on [-2, 2].
/// let b = Atoms::new(vec![-1.0, 1.0], vec![0.5, 0.5])?;
/// let sum = FreeSum::new(b.clone(), b)?;
/// let rho = sum.density(0.5)?.density;
/// let arcsine = 1.0 / (std::f64::consts::PI * (4.0f64 - 0.25).sqrt());
/// assert!((rho - arcsine).abs() < 1e-8);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FreeSum<A, B> {
    mu: A,
    nu: B,
    lo: f64,
    hi: f64,
    scale: f64,
    options: FreeOptions,
}

impl<A: StieltjesTransform + SupportBounds, B: StieltjesTransform + SupportBounds> FreeSum<A, B> {
    /// $\mu \boxplus \nu$ with default [`FreeOptions`].
    ///
    /// Errors ([`Error::InvalidParameter`] `mu` / `nu`): support bounds not finite or reversed.
    pub fn new(mu: A, nu: B) -> Result<Self> {
        let (a0, a1) = bounds_of(&mu, "mu")?;
        let (b0, b1) = bounds_of(&nu, "nu")?;
        let (lo, hi) = (a0 + b0, a1 + b1);
        let width = hi - lo;
        let scale = if width > 0.0 {
            width
        } else {
            (lo.abs().max(hi.abs()) * 1e-8).max(f64::MIN_POSITIVE.sqrt())
        };
        Ok(Self {
            mu,
            nu,
            lo,
            hi,
            scale,
            options: FreeOptions::default(),
        })
    }

    /// Replace the solver options.
    pub fn with_options(mut self, options: FreeOptions) -> Self {
        self.options = options;
        self
    }

    /// The first input $\mu$.
    pub fn mu(&self) -> &A {
        &self.mu
    }

    /// The second input $\nu$.
    pub fn nu(&self) -> &B {
        &self.nu
    }

    /// The subordination solution at $z \in \mathbb C_+$: $m_{\mu\boxplus\nu}(z) =
    /// m_\mu(\omega_1(z))$ with the residual and iterations.
    ///
    /// Errors: `z` not finite or $\operatorname{Im} z \le 0$ ([`Error::InvalidParameter`]
    /// `z`); [`Error::NotConverged`] (method `"free additive subordination"`); errors of the
    /// inputs' transforms.
    pub fn solve(&self, z: Complex64) -> Result<SubordinationPoint> {
        check_z(z)?;
        let (w1, w2, residual, iterations) = self.subordinate(z.re, z.im, None)?;
        self.point(z, w1, w2, residual, iterations)
    }

    /// $\omega_{1,2}$ at $x + i\eta$: in closed form when an input is a point mass
    /// ($\delta_a \boxplus \nu$ is $\nu$ shifted: $\omega_2 = z - a$), else by [`solve_point`].
    fn subordinate(
        &self,
        x: f64,
        eta: f64,
        warm: Option<(Complex64, Complex64)>,
    ) -> Result<(Complex64, Complex64, f64, usize)> {
        let z = Complex64::new(x, eta);
        let (a0, a1) = self.mu.support_bounds();
        let (b0, b1) = self.nu.support_bounds();
        if a0 == a1 {
            let w2 = z - a0;
            let w1 = lift_im(w2 - 1.0 / self.nu.stieltjes(w2)? + a0, eta);
            return Ok((w1, w2, 0.0, 0));
        }
        if b0 == b1 {
            let w1 = z - b0;
            let w2 = lift_im(w1 - 1.0 / self.mu.stieltjes(w1)? + b0, eta);
            return Ok((w1, w2, 0.0, 0));
        }
        solve_point(self, x, eta, self.eta_top(x), &self.options, warm)
    }

    fn eta_top(&self, x: f64) -> f64 {
        self.scale.max(1e-3 * x.abs())
    }

    fn point(
        &self,
        z: Complex64,
        w1: Complex64,
        w2: Complex64,
        residual: f64,
        iterations: usize,
    ) -> Result<SubordinationPoint> {
        let (a0, a1) = self.mu.support_bounds();
        let m = if a0 == a1 {
            self.nu.stieltjes(w2)?
        } else {
            self.mu.stieltjes(w1)?
        };
        if !(finite_c(m) && m.im >= 0.0 && finite_c(w1) && finite_c(w2) && residual.is_finite()) {
            return Err(Error::NonFinite {
                what: "free additive convolution transform",
            });
        }
        Ok(SubordinationPoint {
            z,
            stieltjes: m,
            omega: (w1, w2),
            residual,
            iterations,
        })
    }

    /// The density at $x$ (see the module docs for the smoothing width and the accuracy).
    ///
    /// Errors: `x` not finite ([`Error::InvalidParameter`] `x`), those of [`Self::solve`].
    pub fn density(&self, x: f64) -> Result<DensityPoint> {
        check_x(x)?;
        let eta = self.options.density_eta * self.scale;
        let (eta, (w1, w2, r, it)) = raise_eta(eta, |e| self.subordinate(x, e, None))?;
        DensityPoint::from_point(x, eta, self.point(Complex64::new(x, eta), w1, w2, r, it)?)
    }

    /// The density on a grid with one result per point (a failing point does not stop the
    /// curve), each point warm-started from the previous converged one.
    pub fn density_points(&self, xs: &[f64]) -> Vec<Result<DensityPoint>> {
        self.density_walk(xs).collect()
    }

    /// The density on a grid, each point warm-started from the previous one.
    ///
    /// Errors: the first failing point's error (as [`Self::density`]); see
    /// [`Self::density_points`] for one result per point.
    pub fn density_curve(&self, xs: &[f64]) -> Result<Vec<DensityPoint>> {
        self.density_walk(xs).collect()
    }

    fn density_walk<'a>(
        &'a self,
        xs: &'a [f64],
    ) -> impl Iterator<Item = Result<DensityPoint>> + 'a {
        density_walk(
            xs,
            self.options.density_eta * self.scale,
            |x, e, warm| self.subordinate(x, e, warm),
            |z, (w1, w2, r, it)| self.point(z, w1, w2, r, it),
        )
    }
}

impl<A: StieltjesTransform + SupportBounds, B: StieltjesTransform + SupportBounds> Subordination
    for FreeSum<A, B>
{
    const METHOD: &'static str = "free additive subordination";

    fn phi_with(
        &self,
        z: Complex64,
        w: Complex64,
        project: bool,
    ) -> Result<(Complex64, Complex64)> {
        // Im h >= 0 exactly, so Im omega_j >= Im z; the projection only removes rounding
        // (cancellation in F(w) - w when |w| >> Im z).
        let lift = |v: Complex64| if project { lift_im(v, z.im) } else { v };
        let hmu = -1.0 / self.mu.stieltjes(w)? - w;
        let w2 = lift(z + hmu);
        if !(finite_c(w2) && w2.im > 0.0) {
            return Err(Error::NonFinite {
                what: "free additive subordination (omega_2)",
            });
        }
        let hnu = -1.0 / self.nu.stieltjes(w2)? - w2;
        Ok((lift(z + hnu), w2))
    }

    fn margin(&self, z: Complex64, w: Complex64) -> f64 {
        (w.im - z.im).max(1e-3 * w.im)
    }

    fn start(&self, z: Complex64) -> Complex64 {
        // omega_1(z) ~ z - (mean of nu) for large z; z itself is in C+.
        z
    }

    fn predict(&self, z_old: Complex64, z_new: Complex64, w_old: Complex64) -> Complex64 {
        // omega_1 - z is bounded (h_nu is): shift with z, keep Im >= Im z_new.
        lift_im(w_old + (z_new - z_old), z_new.im)
    }

    fn scale(&self, z: Complex64) -> f64 {
        z.norm() + self.scale + self.lo.abs().max(self.hi.abs())
    }
}

impl<A: StieltjesTransform + SupportBounds, B: StieltjesTransform + SupportBounds>
    StieltjesTransform for FreeSum<A, B>
{
    /// $m_{\mu\boxplus\nu}(z)$ for $\operatorname{Im} z > 0$ (errors as [`FreeSum::solve`]).
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        Ok(self.solve(z)?.stieltjes)
    }
}

impl<A, B> SupportBounds for FreeSum<A, B> {
    /// $[\text{lo}_\mu + \text{lo}_\nu, \text{hi}_\mu + \text{hi}_\nu]$ (an enclosure: the
    /// support of $\mu\boxplus\nu$ lies in the Minkowski sum of the supports).
    fn support_bounds(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
}

/// The free multiplicative convolution $\mu \boxtimes \nu$ of measures on $[0, \infty)$ (the
/// limiting spectrum of $A^{1/2} U B U^* A^{1/2}$).
///
/// `FreeProduct::new(population_atoms, MarchenkoPastur::new(gamma)?)` is the generalised
/// Marchenko–Pastur law $H \boxtimes MP(\gamma)$: the limiting spectrum of the sample covariance
/// $\Sigma^{1/2}(Z^\top Z/n)\Sigma^{1/2}$, $\gamma = p/n$ (the second route to Silverstein's
/// equation).
///
/// ```
/// use overparam::spectral::{Atoms, FreeProduct, MarchenkoPastur};
/// let mp = MarchenkoPastur::new(0.5)?;
/// let product = FreeProduct::new(Atoms::new(vec![1.0], vec![1.0])?, mp.clone())?;
/// let x = 1.3;
/// assert!((product.density(x)?.density - mp.density(x)?).abs() < 1e-8);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FreeProduct<A, B> {
    mu: A,
    nu: B,
    lo: f64,
    hi: f64,
    options: FreeOptions,
}

impl<A: StieltjesTransform + SupportBounds, B: StieltjesTransform + SupportBounds>
    FreeProduct<A, B>
{
    /// $\mu \boxtimes \nu$ with default [`FreeOptions`].
    ///
    /// Errors ([`Error::InvalidParameter`] `mu` / `nu`): support bounds not finite or reversed,
    /// a negative lower bound (the measures must live on $[0, \infty)$), or the upper bound 0
    /// (the measure $\delta_0$; the product with it is $\delta_0$).
    pub fn new(mu: A, nu: B) -> Result<Self> {
        let (a0, a1) = bounds_of(&mu, "mu")?;
        let (b0, b1) = bounds_of(&nu, "nu")?;
        for (name, lo, hi) in [("mu", a0, a1), ("nu", b0, b1)] {
            if lo < 0.0 {
                return Err(Error::InvalidParameter {
                    name,
                    value: lo,
                    expected: "a measure on [0, inf) (lower support bound >= 0)",
                });
            }
            if hi <= 0.0 {
                return Err(Error::InvalidParameter {
                    name,
                    value: hi,
                    expected: "a measure that is not the point mass at 0",
                });
            }
        }
        let (lo, hi) = (a0 * b0, a1 * b1);
        if !(hi.is_finite() && hi > 0.0) {
            return Err(Error::InvalidParameter {
                name: "nu",
                value: hi,
                expected: "support bounds whose product is finite and positive",
            });
        }
        Ok(Self {
            mu,
            nu,
            lo,
            hi,
            options: FreeOptions::default(),
        })
    }

    /// Replace the solver options.
    pub fn with_options(mut self, options: FreeOptions) -> Self {
        self.options = options;
        self
    }

    /// The first input $\mu$.
    pub fn mu(&self) -> &A {
        &self.mu
    }

    /// The second input $\nu$.
    pub fn nu(&self) -> &B {
        &self.nu
    }

    fn width(&self) -> f64 {
        if self.hi > self.lo {
            self.hi - self.lo
        } else {
            self.hi * 1e-8
        }
    }

    /// $m_{\mu\boxtimes\nu}(\zeta)$ from $\omega_1$ at $z = 1/\bar\zeta$.
    fn point(
        &self,
        zeta: Complex64,
        w1: Complex64,
        w2: Complex64,
        residual: f64,
        iterations: usize,
    ) -> Result<SubordinationPoint> {
        let z = 1.0 / zeta.conj();
        let (a0, a1) = self.mu.support_bounds();
        let m = if a0 == a1 {
            // delta_a ⊠ nu is nu scaled by a.
            self.nu.stieltjes(zeta / a0)? / a0
        } else {
            (z / w1).conj() * self.mu.stieltjes(1.0 / w1.conj())?
        };
        if !(finite_c(m) && m.im >= 0.0 && finite_c(w1) && finite_c(w2) && residual.is_finite()) {
            return Err(Error::NonFinite {
                what: "free multiplicative convolution transform",
            });
        }
        Ok(SubordinationPoint {
            z: zeta,
            stieltjes: m,
            omega: (w1, w2),
            residual,
            iterations,
        })
    }

    /// Solve in the variable $\zeta = x + i\eta$ of the output transform: the subordination
    /// runs at $z = 1/\bar\zeta$, and continuation in $\eta$.
    fn solve_zeta(
        &self,
        x: f64,
        eta: f64,
        warm: Option<(Complex64, Complex64)>,
    ) -> Result<(Complex64, Complex64, f64, usize)> {
        let zeta = Complex64::new(x, eta);
        let z = 1.0 / zeta.conj();
        let (a0, a1) = self.mu.support_bounds();
        let (b0, b1) = self.nu.support_bounds();
        if a0 == a1 {
            // H of a point mass a is the constant a: omega_2 = a z.
            let w2 = a0 * z;
            let w1 = lift_arg(z * h_times(&self.nu, w2)?, z);
            return Ok((w1, w2, 0.0, 0));
        }
        if b0 == b1 {
            let w1 = b0 * z;
            let w2 = lift_arg(z * h_times(&self.mu, w1)?, z);
            return Ok((w1, w2, 0.0, 0));
        }
        let inner = ProductAt { p: self };
        solve_point(&inner, x, eta, self.hi.max(x.abs()), &self.options, warm)
    }

    /// The subordination solution at $\zeta \in \mathbb C_+$ (the point where
    /// $m_{\mu\boxtimes\nu}$ is evaluated; `omega` holds $\omega_{1,2}(1/\bar\zeta)$).
    ///
    /// Errors: `z` not finite or $\operatorname{Im} z \le 0$ ([`Error::InvalidParameter`]
    /// `z`); [`Error::NotConverged`] (method `"free multiplicative subordination"`); errors of
    /// the inputs' transforms.
    pub fn solve(&self, zeta: Complex64) -> Result<SubordinationPoint> {
        check_z(zeta)?;
        let (w1, w2, r, it) = self.solve_zeta(zeta.re, zeta.im, None)?;
        self.point(zeta, w1, w2, r, it)
    }

    /// The density at $x$ (smoothing width $\eta_{\rm rel}\cdot(\text{hi} - \text{lo})$ of the
    /// enclosure $[\text{lo}_\mu\text{lo}_\nu, \text{hi}_\mu\text{hi}_\nu]$).
    ///
    /// Errors: `x` not finite ([`Error::InvalidParameter`] `x`), those of [`Self::solve`].
    pub fn density(&self, x: f64) -> Result<DensityPoint> {
        check_x(x)?;
        let eta = self.options.density_eta * self.width();
        let (eta, (w1, w2, r, it)) = raise_eta(eta, |e| self.solve_zeta(x, e, None))?;
        DensityPoint::from_point(x, eta, self.point(Complex64::new(x, eta), w1, w2, r, it)?)
    }

    /// The density on a grid with one result per point (a failing point does not stop the
    /// curve), each point warm-started from the previous converged one.
    pub fn density_points(&self, xs: &[f64]) -> Vec<Result<DensityPoint>> {
        self.density_walk(xs).collect()
    }

    /// The density on a grid, each point warm-started from the previous one.
    ///
    /// Errors: the first failing point's error (as [`Self::density`]); see
    /// [`Self::density_points`] for one result per point.
    pub fn density_curve(&self, xs: &[f64]) -> Result<Vec<DensityPoint>> {
        self.density_walk(xs).collect()
    }

    fn density_walk<'a>(
        &'a self,
        xs: &'a [f64],
    ) -> impl Iterator<Item = Result<DensityPoint>> + 'a {
        density_walk(
            xs,
            self.options.density_eta * self.width(),
            |x, e, warm| self.solve_zeta(x, e, warm),
            |z, (w1, w2, r, it)| self.point(z, w1, w2, r, it),
        )
    }
}

/// The multiplicative subordination map parametrised by $\zeta$ (the solver's "$z$"):
/// $\Phi(w) = z H_\nu(z H_\mu(w))$ with $z = 1/\bar\zeta$.
struct ProductAt<'a, A, B> {
    p: &'a FreeProduct<A, B>,
}

/// $H_\mu(w) = 1/w + 1/m_\mu(1/w)$ for $w \in \mathbb C_+$, with
/// $m_\mu(1/w) = \overline{m_\mu(1/\bar w)}$ (so the transform is called in $\mathbb C_+$).
fn h_times<T: StieltjesTransform>(mu: &T, w: Complex64) -> Result<Complex64> {
    let inv = 1.0 / w;
    let m = mu.stieltjes(inv.conj())?.conj();
    Ok(inv + 1.0 / m)
}

impl<A: StieltjesTransform, B: StieltjesTransform> Subordination for ProductAt<'_, A, B> {
    const METHOD: &'static str = "free multiplicative subordination";

    fn phi_with(
        &self,
        zeta: Complex64,
        w: Complex64,
        project: bool,
    ) -> Result<(Complex64, Complex64)> {
        // arg eta(w) >= arg w on C+, so arg omega_j >= arg z; the projection only removes
        // rounding (cancellation in 1/w + 1/m(1/w) when |w| s << 1).
        let z = 1.0 / zeta.conj();
        let lift = |v: Complex64| if project { lift_arg(v, z) } else { v };
        let w2 = lift(z * h_times(&self.p.mu, w)?);
        if !(finite_c(w2) && w2.im > 0.0) {
            return Err(Error::NonFinite {
                what: "free multiplicative subordination (omega_2)",
            });
        }
        Ok((lift(z * h_times(&self.p.nu, w2)?), w2))
    }

    fn margin(&self, zeta: Complex64, w: Complex64) -> f64 {
        let z = 1.0 / zeta.conj();
        let gap = (w.arg() - z.arg()).max(0.0);
        w.norm() * gap.sin().max(1e-3 * w.arg().sin())
    }

    fn start(&self, zeta: Complex64) -> Complex64 {
        // omega_1(z) ~ z * (mean of nu) for small z; start at z (in C+).
        1.0 / zeta.conj()
    }

    fn predict(&self, z_old: Complex64, z_new: Complex64, w_old: Complex64) -> Complex64 {
        // omega_1 / z is bounded near 0 and infinity: scale with z = 1 / conj(zeta).
        let scaled = w_old * (z_old.conj() / z_new.conj());
        if finite_c(scaled) && scaled.im > 0.0 {
            scaled
        } else {
            w_old
        }
    }

    fn scale(&self, _zeta: Complex64) -> f64 {
        // omega_1 is dimensionless up to the scale of mu: the residual is relative to |w|.
        0.0
    }
}

impl<A: StieltjesTransform + SupportBounds, B: StieltjesTransform + SupportBounds>
    StieltjesTransform for FreeProduct<A, B>
{
    /// $m_{\mu\boxtimes\nu}(z)$ for $\operatorname{Im} z > 0$ (errors as
    /// [`FreeProduct::solve`]).
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        Ok(self.solve(z)?.stieltjes)
    }
}

impl<A, B> SupportBounds for FreeProduct<A, B> {
    /// $[\text{lo}_\mu\text{lo}_\nu, \text{hi}_\mu\text{hi}_\nu]$ (an enclosure of the support).
    fn support_bounds(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
}
