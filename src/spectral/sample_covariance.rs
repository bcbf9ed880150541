//! The sample covariance of any population: the generalised Marchenko–Pastur law.
//!
//! Let $X = Z\Sigma^{1/2}$ ($n \times p$, $Z$ with iid $N(0, 1)$ entries), $\Sigma$ with spectral
//! distribution $H = \sum_j w_j\delta_{s_j}$ ($s_j \ge 0$), and $p/n \to \gamma > 0$. The spectral
//! distribution of $S = X^\top X/n$ ($p \times p$) converges to a law $F_{\gamma, H}$ whose
//! Stieltjes transform $m$ is determined by the companion transform $\underline m$ of
//! $XX^\top/n$ ($n \times n$), $\underline m(z) = \gamma m(z) - (1 - \gamma)/z$, through
//! Silverstein's equation in inverse form (Silverstein, *J. Multivariate Anal.* 55, 1995;
//! Silverstein & Bai, *J. Multivariate Anal.* 54, 1995):
//!
//! $$ z = -\frac{1}{\underline m} + \gamma\int\frac{s\,dH(s)}{1 + s\underline m}, \qquad
//!    m(z) = -\frac{1}{z}\int\frac{dH(s)}{1 + s\,\underline m(z)}. $$
//!
//! For $z \in \mathbb C_+$ exactly one $\underline m \in \mathbb C_+$ solves it. The second
//! formula for $m$ follows from $1 - \gamma - \gamma z m = -z\underline m$ and avoids the
//! cancellation of $(\underline m + (1-\gamma)/z)/\gamma$ at small $\gamma$.
//!
//! **Branch.** [`SampleCovariance::solve`] reaches $\underline m$ by Newton's method continued
//! from $z = \operatorname{Re} z + iH$, $H$ large, where $\underline m \approx -1/z$
//! ([`herglotz_newton`], with the Herglotz check $\operatorname{Im}\underline m > 0$ at every
//! step). On the real axis ($z = x$) a final Newton solve at $x$ from the root just above it gives
//! the boundary value, which is classified exactly (Silverstein & Choi, *J. Multivariate Anal.*
//! 54, 1995, Theorems 4.1–4.2): a root with $\operatorname{Im}\underline m > 0$ (or the conjugate
//! of one below) is the boundary value inside the support (a root in $\mathbb C_+$ at real $x$
//! is unique, since it persists into $\mathbb C_+$); a real root is the boundary value outside
//! the support if and only if $z'(\underline m) > 0$. Anything else is an
//! [`Error::NotConverged`], never a wrong branch.
//!
//! **Support.** With $u = -1/\underline m$, $z(u) = u\,(1 + \gamma\int\frac{s\,dH(s)}{u - s})$
//! and $z'(u) = 1 - g(u)$, $g(u) = \gamma\int\frac{s^2\,dH(s)}{(u - s)^2}$. The complement of the
//! support is the image of $\{u: g(u) < 1\}$, so the edges are $z(u)$ at the real solutions of
//! $g(u) = 1$: one left of the smallest positive atom, one right of the largest, and two in each
//! gap between consecutive atoms where the convex $g$ dips below 1 (each pair opens a gap of the
//! support). [`SampleCovariance::support`] finds them all by bisection (an edge is a critical
//! value, so the error of $u$ enters it squared).
//!
//! **Atoms at 0.** $S$ has rank $\min(n, p(1 - w_0))$ with $w_0 = H(\{0\})$, so the $p \times p$
//! law has the atom $\max(w_0, 1 - 1/\gamma)$ at 0 and the companion the atom
//! $\max(0, 1 - \gamma(1 - w_0))$.
//!
//! The population is rescaled by its largest eigenvalue internally (the law scales with
//! $\Sigma$), so the solver sees eigenvalues in $(0, 1]$ whatever the units.

use num_complex::Complex64;

use crate::error::{Error, Result, validate};
use crate::spectral::atom_sums;
use crate::spectral::herglotz::{
    HerglotzNewton, NewtonContinuationOptions, herglotz_newton, newton_refine,
};
use crate::spectral::population::{Atoms, Population, StieltjesTransform};

/// The limiting spectral law of $X^\top X/n$ for rows $x \sim N(0, \Sigma)$, $\Sigma$ with spectrum
/// $H$, at $\gamma = p/n$ (generalised Marchenko–Pastur).
///
/// ```
/// use overparam::spectral::{Atoms, SampleCovariance};
/// let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3])?;
/// let law = SampleCovariance::new(&h, 0.5)?;
/// let point = law.density(0.5)?;
/// assert!((point.density() - 0.538).abs() < 1e-3);
/// assert!(point.residual < 1e-12);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SampleCovariance {
    /// Positive eigenvalues divided by `scale`.
    s: Vec<f64>,
    /// Their weights (the total is $1 - w_0$).
    w: Vec<f64>,
    /// $w_0$, the weight of the zero eigenvalues.
    zero_weight: f64,
    gamma: f64,
    /// The largest eigenvalue.
    scale: f64,
}

/// One solve of Silverstein's equation at $z$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SilversteinSolution {
    /// The point $z$ (for a density, $z = x$ real and the values are boundary values from above).
    pub z: Complex64,
    /// $m(z)$, the Stieltjes transform of the $p \times p$ law.
    pub stieltjes: Complex64,
    /// $\underline m(z)$, the Stieltjes transform of the $n \times n$ companion law.
    pub companion: Complex64,
    /// Relative residual of Silverstein's equation,
    /// $|z + 1/\underline m - \gamma\int s\,dH/(1 + s\underline m)|$ over the sum of the moduli
    /// of its terms.
    pub residual: f64,
    /// Newton iterations (over the continuation path when there was one).
    pub iterations: usize,
    /// Continuation steps (0 when warm-started from a neighbouring point).
    pub steps: usize,
}

impl SilversteinSolution {
    /// $\operatorname{Im} m/\pi$: the density of the $p \times p$ law at a real $z$ (0 outside
    /// the support; the atom at 0 is not included).
    pub fn density(&self) -> f64 {
        (self.stieltjes.im / std::f64::consts::PI).max(0.0)
    }

    /// $\operatorname{Im}\underline m/\pi$: the density of the companion law at a real $z$;
    /// $\gamma$ times [`Self::density`] for $x \ne 0$.
    pub fn companion_density(&self) -> f64 {
        (self.companion.im / std::f64::consts::PI).max(0.0)
    }
}

/// The height above the real axis, relative to $|x|$, from which the boundary value is refined.
const REAL_AXIS_HEIGHT: f64 = 1e-9;
/// Below this relative imaginary part a boundary value is tested for being real.
const REAL_ROOT_TEST: f64 = 1e-7;
/// A real root within this multiple of the imaginary part of a nearly real root (plus
/// $10^{-13}$ relative) is the same root.
const REAL_ROOT_NEAR: f64 = 1e3;

/// The largest $\gamma = p/n$ accepted by [`SampleCovariance::new`]. Measured: power laws
/// ($\alpha \in \{0.1, 0.5, 1, 2, 5\}$, $P \in \{10, 100, 1000\}$) and two-atom populations with
/// condition numbers up to $10^{12}$, 60 points each from $10^{-12}$ to $1.8$ times the top of the
/// support: every point converges for $\gamma \in [10^{-15}, 10^4]$; at $3\times10^4$ 246 of 1080
/// points fail (the continuation's Herglotz check at the scale of the atom at 0, mass
/// $1 - 1/\gamma$).
pub const GAMMA_MAX: f64 = 1e4;

impl SampleCovariance {
    /// The law for the population spectrum `population` (eigenvalues $\ge 0$, at least one
    /// positive with positive weight) at $\gamma$ = `gamma` $= p/n$.
    ///
    /// Errors ([`Error::InvalidParameter`]): `gamma` not finite, $\le 0$ or above
    /// [`GAMMA_MAX`]; a negative eigenvalue (`eigenvalues`); no positive eigenvalue with
    /// positive weight (`eigenvalues`).
    pub fn new(population: &Atoms, gamma: f64) -> Result<Self> {
        let gamma = validate::positive("gamma", gamma)?;
        if gamma > GAMMA_MAX {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "gamma = p/n <= 1e4 (the verified range of the solver)",
            });
        }
        if let Some(&s) = population.eigenvalues().iter().find(|s| **s < 0.0) {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: s,
                expected: "eigenvalues >= 0 (a covariance spectrum)",
            });
        }
        let mut pairs: Vec<(f64, f64)> = population
            .eigenvalues()
            .iter()
            .zip(population.weights())
            .filter(|(s, w)| **s > 0.0 && **w > 0.0)
            .map(|(s, w)| (*s, *w))
            .collect();
        if pairs.is_empty() {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: 0.0,
                expected: "at least one positive eigenvalue with positive weight",
            });
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let scale = pairs[pairs.len() - 1].0;
        let positive: f64 = pairs.iter().map(|p| p.1).sum();
        Ok(Self {
            s: pairs.iter().map(|p| p.0 / scale).collect(),
            w: pairs.iter().map(|p| p.1).collect(),
            zero_weight: (1.0 - positive).max(0.0),
            gamma,
            scale,
        })
    }

    /// The law for a [`Population`]'s spectrum (the signal shares do not enter).
    pub fn from_population(population: &Population, gamma: f64) -> Result<Self> {
        Self::new(population.spectrum(), gamma)
    }

    /// $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The mass $\max(w_0, 1 - 1/\gamma)$ of the atom at 0 of the $p \times p$ law
    /// ($w_0$: the population's weight at 0).
    pub fn atom_at_zero(&self) -> f64 {
        self.zero_weight.max(1.0 - 1.0 / self.gamma).max(0.0)
    }

    /// The mass $\max(0, 1 - \gamma(1 - w_0))$ of the atom at 0 of the $n \times n$ companion.
    pub fn companion_atom_at_zero(&self) -> f64 {
        (1.0 - self.gamma * (1.0 - self.zero_weight)).max(0.0)
    }

    /// Silverstein's map $f(\underline m; z) = z + 1/\underline m - \gamma\sum_j w_j s_j/(1 +
    /// s_j\underline m)$ (scaled units), its derivative and the size of its terms.
    fn map(&self, z: Complex64, mc: Complex64) -> (Complex64, Complex64, f64) {
        // Per atom: d = 1 + s m, s/d = s conj(d)/|d|^2 (one real division); SIMD with runtime
        // dispatch and a fixed lane order (`atom_sums`).
        let [ar, ai, br, bi] = atom_sums::sums(
            &self.s,
            &self.w,
            &self.w,
            &atom_sums::SilversteinSums {
                mr: mc.re,
                mi: mc.im,
            },
        );
        let a = Complex64::new(ar, -ai);
        let b = Complex64::new(br, -2.0 * bi);
        let inv = 1.0 / mc;
        let f = z + inv - self.gamma * a;
        let df = -inv * inv + self.gamma * b;
        // The size of the terms (|a| <= sum |w s/d|: a stricter scale when they cancel).
        (f, df, z.norm() + inv.norm() + self.gamma * a.norm())
    }

    /// $m = -\frac1z(w_0 + \sum_j w_j/(1 + s_j\underline m))$ in scaled units.
    fn p_by_p(&self, z: Complex64, mc: Complex64) -> Complex64 {
        let [tr, ti] = atom_sums::sums(
            &self.s,
            &self.w,
            &self.w,
            &atom_sums::ResolventSums {
                mr: mc.re,
                mi: mc.im,
            },
        );
        -Complex64::new(self.zero_weight + tr, ti) / z
    }

    fn options() -> NewtonContinuationOptions {
        NewtonContinuationOptions::default()
    }

    /// Solve at `z` (scaled units), `warm`: a root at a neighbouring real point.
    fn solve_scaled(
        &self,
        z: Complex64,
        warm: Option<Complex64>,
    ) -> Result<(Complex64, HerglotzNewton)> {
        let map = |zz: Complex64, mc: Complex64| self.map(zz, mc);
        let opts = Self::options();
        if z.im > 0.0 {
            let r = herglotz_newton(map, |zz| -1.0 / zz, |_, mc| mc.im > 0.0, z, opts)?;
            return Ok((r.root, r));
        }
        // The real axis: warm start, else continuation to just above x, then classification.
        // A good warm start converges in a few steps; a long search means another branch.
        let warm_opts = NewtonContinuationOptions {
            max_iter: 12,
            ..opts
        };
        if let Some(start) = warm
            && let Ok(r) = newton_refine(map, z, start, warm_opts)
            && let Some(root) = self.classify(z, r.root, r.derivative)
        {
            return Ok((root, r));
        }
        let above = Complex64::new(z.re, REAL_AXIS_HEIGHT * z.re.abs());
        let a = herglotz_newton(map, |zz| -1.0 / zz, |_, mc| mc.im > 0.0, above, opts)?;
        let r = newton_refine(map, z, a.root, opts)?;
        match self.classify(z, r.root, r.derivative) {
            Some(root) => Ok((
                root,
                HerglotzNewton {
                    iterations: a.iterations + r.iterations,
                    steps: a.steps,
                    ..r
                },
            )),
            None => Err(Error::NotConverged {
                method: "silverstein boundary value (no admissible root)",
                iterations: a.iterations + r.iterations,
                residual: r.residual,
                tolerance: opts.tolerance,
                last_iterate: vec![r.root.re, r.root.im],
            }),
        }
    }

    /// The boundary value at real `z` among the roots: `Some` if `root` (or its conjugate) is in
    /// $\mathbb C_+$, or if a real root near it has $z'(\underline m) > 0$.
    fn classify(&self, z: Complex64, root: Complex64, df: Complex64) -> Option<Complex64> {
        if root.im == 0.0 {
            // A real root (e.g. Newton from a real start): z'(m) = -f'(m) > 0 decides.
            return (-df.re > 0.0).then_some(root);
        }
        let big = root.im.abs() > REAL_ROOT_TEST * root.norm();
        let near = REAL_ROOT_NEAR * root.im.abs() + 1e-13 * root.norm();
        if big {
            return Some(Complex64::new(root.re, root.im.abs()));
        }
        // A tiny imaginary part: is there a real root right here? If so it decides (the
        // boundary value outside the support iff z'(m) > 0; a real root with z'(m) <= 0 is
        // another branch and is rejected). Otherwise the root is genuinely complex (inside the
        // support, close to an edge).
        let real = Complex64::new(root.re, 0.0);
        // A real root this close is found in a few steps; a long search is not this root.
        let quick = NewtonContinuationOptions {
            max_iter: 12,
            ..Self::options()
        };
        if let Ok(r) = newton_refine(|zz, mc| self.map(zz, mc), z, real, quick)
            && r.root.im == 0.0
            && (r.root - real).norm() <= near
        {
            // z'(m) = -f'(m) > 0: outside the support.
            return (-r.derivative.re > 0.0).then_some(r.root);
        }
        (root.im != 0.0).then(|| Complex64::new(root.re, root.im.abs()))
    }

    fn finish(
        &self,
        z: Complex64,
        zs: Complex64,
        mc: Complex64,
        r: HerglotzNewton,
    ) -> Result<SilversteinSolution> {
        let mut m = self.p_by_p(zs, mc) / self.scale;
        if z.im == 0.0 && z.re > 0.0 {
            // The boundary value from above has Im m >= 0 (no -0.0 or rounding below 0).
            m.im = m.im.max(0.0) + 0.0;
        }
        let companion = mc / self.scale;
        let ok = |v: Complex64| v.re.is_finite() && v.im.is_finite();
        if !(ok(m) && ok(companion) && r.residual.is_finite()) {
            return Err(Error::NonFinite {
                what: "Silverstein solution",
            });
        }
        Ok(SilversteinSolution {
            z,
            stieltjes: m,
            companion,
            residual: r.residual,
            iterations: r.iterations,
            steps: r.steps,
        })
    }

    /// Solve Silverstein's equation at `z`: $m(z)$, $\underline m(z)$, residual and iterations.
    ///
    /// Domain: finite $z \ne 0$ with $\operatorname{Im} z \ge 0$ (for $\operatorname{Im} z < 0$
    /// use $m(\bar z) = \overline{m(z)}$); a real $z$ gives the boundary values from above.
    /// Errors: [`Error::InvalidParameter`] `z` outside the domain; [`Error::NotConverged`] when
    /// no admissible root is found (never a root on another branch).
    pub fn solve(&self, z: Complex64) -> Result<SilversteinSolution> {
        self.check_z(z)?;
        let zs = z / self.scale;
        let (mc, r) = self.solve_scaled(zs, None)?;
        self.finish(z, zs, mc, r)
    }

    fn check_z(&self, z: Complex64) -> Result<()> {
        if !(z.re.is_finite() && z.im.is_finite()) || z.im < 0.0 || z.norm() == 0.0 {
            return Err(Error::InvalidParameter {
                name: "z",
                value: if z.re.is_finite() { z.im } else { z.re },
                expected: "a finite z != 0 with Im z >= 0",
            });
        }
        Ok(())
    }

    /// The density (continuous part) of the $p \times p$ law at real `x`, with the boundary
    /// values of both transforms. Exact up to the solver's residual ($10^{-14}$ relative); at
    /// an edge, where the root is double, the error of $\underline m$ is about the square root of
    /// the residual.
    ///
    /// Errors: [`Error::InvalidParameter`] `x` not finite or 0 (at 0 the law may have an atom:
    /// [`Self::atom_at_zero`]); [`Error::NotConverged`] as for [`Self::solve`].
    pub fn density(&self, x: f64) -> Result<SilversteinSolution> {
        if !x.is_finite() || x == 0.0 {
            return Err(Error::InvalidParameter {
                name: "x",
                value: x,
                expected: "a finite x != 0",
            });
        }
        self.solve(Complex64::new(x, 0.0))
    }

    /// [`Self::density`] at every point of `xs`, each point warm-started from the previous one
    /// (the warm root is accepted only if it passes the same exact classification; otherwise
    /// the point is solved by continuation). One result per point.
    pub fn density_curve(&self, xs: &[f64]) -> Vec<Result<SilversteinSolution>> {
        // (x, m) at the previous point and dm/dx = 1/z'(m) there: a first-order predictor.
        let mut previous: Option<(f64, Complex64, Complex64)> = None;
        xs.iter()
            .map(|&x| {
                if !x.is_finite() || x == 0.0 {
                    return Err(Error::InvalidParameter {
                        name: "x",
                        value: x,
                        expected: "a finite x != 0",
                    });
                }
                let z = Complex64::new(x, 0.0);
                let zs = z / self.scale;
                let warm = previous.map(|(x0, m0, slope)| {
                    let guess = m0 + slope * (zs.re - x0);
                    if guess.re.is_finite() && guess.im.is_finite() && guess.im >= 0.0 {
                        guess
                    } else {
                        m0
                    }
                });
                let (mc, r) = self.solve_scaled(zs, warm)?;
                let df = if mc == r.root {
                    r.derivative
                } else if mc == r.root.conj() {
                    r.derivative.conj()
                } else {
                    self.map(zs, mc).1
                };
                let slope = -1.0 / df;
                previous = Some((
                    zs.re,
                    mc,
                    if slope.re.is_finite() && slope.im.is_finite() {
                        slope
                    } else {
                        Complex64::new(0.0, 0.0)
                    },
                ));
                self.finish(z, zs, mc, r)
            })
            .collect()
    }

    /// $g(u) = \gamma\sum_j w_j s_j^2/(u - s_j)^2$ (scaled units).
    fn g(&self, u: f64) -> f64 {
        self.gamma
            * self
                .s
                .iter()
                .zip(&self.w)
                .map(|(s, w)| {
                    let r = s / (u - s);
                    w * r * r
                })
                .sum::<f64>()
    }

    /// $g'(u)$.
    fn dg(&self, u: f64) -> f64 {
        -2.0 * self.gamma
            * self
                .s
                .iter()
                .zip(&self.w)
                .map(|(s, w)| {
                    let d = u - s;
                    w * s * s / (d * d * d)
                })
                .sum::<f64>()
    }

    /// Silverstein's inverse map $z(u) = u(1 + \gamma\sum_j w_j s_j/(u - s_j))$ at
    /// $u = -1/\underline m$ (scaled units).
    fn z_of_u(&self, u: f64) -> f64 {
        let t: f64 = self
            .s
            .iter()
            .zip(&self.w)
            .map(|(s, w)| w * s / (u - s))
            .sum();
        u * (1.0 + self.gamma * t)
    }

    /// The inverse map $z(\underline m) = -1/\underline m + \gamma\int s\,dH(s)/(1 +
    /// s\underline m)$ in the units of the population (for checks and for locating edges by
    /// hand: the edges are its critical values).
    pub fn inverse_map(&self, companion: Complex64) -> Complex64 {
        let mc = companion * self.scale;
        let mut a = Complex64::new(0.0, 0.0);
        for (s, w) in self.s.iter().zip(&self.w) {
            a += *w * *s / (1.0 + *s * mc);
        }
        (-1.0 / mc + self.gamma * a) * self.scale
    }

    /// The support of the continuous part: disjoint intervals $[a_k, b_k]$, increasing
    /// (Silverstein & Choi 1995). Cost $O(P)$ per bisection step: two bisections for the outer
    /// edges, and for each gap between consecutive atoms that a two-atom lower bound of $g$ does
    /// not exclude, three.
    ///
    /// Errors: [`Error::NonFinite`] if an edge overflows.
    pub fn support(&self) -> Result<Vec<(f64, f64)>> {
        let k = self.s.len();
        let m2: f64 = self.s.iter().zip(&self.w).map(|(s, w)| w * s * s).sum();
        let reach = (self.gamma * m2).sqrt();
        // Right edge: u = s_max + d, g decreasing in d.
        let (s_hi, w_hi) = (self.s[k - 1], self.w[k - 1]);
        let d = geometric_bisect(
            |d| self.g(s_hi + d) > 1.0,
            ((self.gamma * w_hi).sqrt() * s_hi).min(reach),
            reach,
        );
        let u_right = s_hi + d;
        let (s_lo, w_lo) = (self.s[0], self.w[0]);
        let d = geometric_bisect(
            |d| self.g(s_lo - d) > 1.0,
            ((self.gamma * w_lo).sqrt() * s_lo).min(reach),
            reach,
        );
        let u_left = s_lo - d;
        let mut critical = vec![u_left];
        for j in 0..k.saturating_sub(1) {
            let (a, b) = (self.s[j], self.s[j + 1]);
            if b <= a {
                continue;
            }
            let ca = (self.gamma * self.w[j] * a * a).cbrt();
            let cb = (self.gamma * self.w[j + 1] * b * b).cbrt();
            let gap = b - a;
            if (ca + cb).powi(3) >= gap * gap {
                continue;
            }
            // The minimum of the convex g on (a, b): g' increases from -inf to +inf.
            let u_min = bisect(|u| self.dg(u) < 0.0, a, b);
            if self.g(u_min) >= 1.0 {
                continue;
            }
            let lo = bisect(|u| self.g(u) > 1.0, a, u_min);
            let hi = bisect(|u| self.g(u) < 1.0, u_min, b);
            critical.push(lo);
            critical.push(hi);
        }
        critical.push(u_right);
        let mut intervals = Vec::with_capacity(critical.len() / 2);
        for pair in critical.chunks(2) {
            let a = self.z_of_u(pair[0]) * self.scale;
            let b = self.z_of_u(pair[1]) * self.scale;
            if !(a.is_finite() && b.is_finite()) {
                return Err(Error::NonFinite {
                    what: "support edge of the sample-covariance law",
                });
            }
            intervals.push((a.max(0.0), b));
        }
        Ok(intervals)
    }
}

/// Bisection on $[lo, hi]$ for the switch of the predicate `left` (true on the left part),
/// until the interval stops shrinking.
fn bisect(left: impl Fn(f64) -> bool, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if left(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Bisection in $\log d$ on $[lo, hi]$ ($0 < lo \le hi$) for the switch of `left`.
fn geometric_bisect(left: impl Fn(f64) -> bool, lo: f64, hi: f64) -> f64 {
    if !(lo > 0.0 && hi > lo) {
        return hi;
    }
    let (mut a, mut b) = (lo.ln(), hi.ln());
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if mid <= a || mid >= b {
            break;
        }
        if left(mid.exp()) {
            a = mid;
        } else {
            b = mid;
        }
    }
    // Finish in linear scale for the last digits.
    bisect(left, a.exp(), b.exp())
}

impl StieltjesTransform for SampleCovariance {
    /// $m(z)$ of the $p \times p$ law ([`SampleCovariance::solve`]); $\operatorname{Im} z < 0$ by
    /// reflection.
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        if z.im < 0.0 {
            return self.solve(z.conj()).map(|s| s.stieltjes.conj());
        }
        self.solve(z).map(|s| s.stieltjes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectral::marchenko_pastur::MarchenkoPastur;

    #[test]
    fn delta_one_is_marchenko_pastur() {
        for gamma in [0.1, 0.5, 0.9, 2.0, 7.0] {
            let law = SampleCovariance::new(&Atoms::uniform(vec![1.0]).unwrap(), gamma).unwrap();
            let mp = MarchenkoPastur::new(gamma).unwrap();
            let (a, b) = mp.edges();
            let s = law.support().unwrap();
            assert_eq!(s.len(), 1);
            assert!(
                (s[0].0 - a).abs() < 1e-12 && (s[0].1 - b).abs() < 1e-12,
                "{s:?} {a} {b}"
            );
            for x in [0.05, 0.3, 1.0, 2.5, 5.0, 12.0] {
                let d = law.density(x).unwrap();
                let e = mp.density(x).unwrap();
                assert!(
                    (d.density() - e).abs() < 1e-12,
                    "gamma {gamma} x {x}: {} vs {e}",
                    d.density()
                );
            }
            let z = Complex64::new(0.7, 0.3);
            let m = law.solve(z).unwrap().stieltjes;
            assert!((m - mp.stieltjes(z).unwrap()).norm() < 1e-12);
            assert!((law.atom_at_zero() - mp.atom_mass()).abs() < 1e-15);
        }
    }
}
