//! Training dynamics of least squares for **any population spectrum** $\Sigma$ (issue 16, part 1
//! for general $\Sigma$): gradient flow, gradient descent, heavy ball and Nesterov from zero,
//! with the optional ridge term, through a double contour integral of the two-resolvent
//! deterministic equivalent.
//!
//! **Setting.** Rows $x \sim N(0, \Sigma)$, $\Sigma$ with eigenvalues $s_j \ge 0$ on the shares
//! $w_j$ of the $p$ dimensions and the shares $c_j$ of $\|\beta\|^2 = r^2$ on their directions
//! ([`Population`]), $y = x^\top\beta + \sigma\varepsilon$, $\gamma = p/n$, $S = X^\top X/n$,
//! loss and filters as in [the isotropic module](super): $b = q(S + \lambda)X^\top y/n$,
//! $\rho(s) = 1 - s\,q(s + \lambda)$. Then (expectation over the noise)
//!
//! $$ B = \beta^\top\rho(S)\,\Sigma\,\rho(S)\beta,\qquad
//!    V = \frac{\sigma^2}{n}\operatorname{tr}\big(\Sigma\,S\,q(S+\lambda)^2\big),\qquad
//!    E_{\rm train} = \beta^\top S\rho(S)^2\beta + \frac{\sigma^2}{n}\operatorname{tr}\rho(K)^2, $$
//!
//! $K = XX^\top/n$. Directions with $s_j = 0$ never enter (their columns of $X$ vanish and
//! $\Sigma$ kills them in the risk), so only the positive atoms are kept; $w_+ = \sum_{s_j>0}w_j$.
//!
//! **Deterministic equivalents.** With the companion Stieltjes transform $\underline m(z)$ of
//! $K$ (Silverstein's equation, [`SampleCovariance`]) and $\kappa(z) = 1/\underline m(z)$,
//! which solves $z = -\kappa + \gamma\kappa\sum_j w_j s_j/(s_j + \kappa)$,
//! $(S - z)^{-1} \asymp -\tfrac{\kappa}{z}(\Sigma + \kappa)^{-1}$ and (derived in
//! docs/dynamics.md by a leave-one-out expansion; Bach 2023, arXiv:2303.01372, treats such
//! two-point terms)
//!
//! $$ \beta^\top(S - z_1)^{-1}\Sigma(S - z_2)^{-1}\beta \asymp r^2\,\frac{\kappa_1\kappa_2}{z_1z_2}\,
//!    \frac{\sum_j c_j s_j/((s_j+\kappa_1)(s_j+\kappa_2))}{1 - \gamma\sum_j w_js_j^2/((s_j+\kappa_1)(s_j+\kappa_2))}
//!    = r^2\,a(z_1)a(z_2)\,\frac{g(z_1) - g(z_2)}{z_1 - z_2}, $$
//!
//! $a = \kappa/z$, $g(z) = \sum_j c_j s_j/(s_j + \kappa(z))$ — the denominator equals
//! $(z_1 - z_2)/(\kappa_2 - \kappa_1)$ by Silverstein's equation, which turns the two-point
//! function into a divided difference. At $z_1 = z_2 = -\lambda$ it is the ridge bias of
//! [`crate::theory::ridge::AnisotropicRidge`] divided by $\lambda^2$. Cauchy's formula on a
//! contour $\Gamma$ around the continuous support of $S$ then gives
//!
//! $$ B = r^2\Big[\oint\!\!\oint \rho(z_1)\rho(z_2)\,a_1a_2\frac{g_1 - g_2}{z_1 - z_2} +
//!    2\oint \rho(z)\,\kappa_0 a(z)\frac{g(z) - g_0}{z} + \frac{\kappa_0\sum_j c_js_j/(s_j+\kappa_0)^2}
//!    {\gamma\sum_j w_js_j/(s_j+\kappa_0)^2}\Big], $$
//!
//! $$ V = \sigma^2\oint q(z+\lambda)^2\,\kappa(z),\qquad
//!    E_{\rm train} = r^2\oint\rho(z)^2\kappa(z)\,e(z) + \sigma^2\Big[(1 - \gamma w_+)_+ - \oint
//!    \frac{\rho(z)^2}{\kappa(z)}\Big], $$
//!
//! all integrals $\oint \cdot\;\frac{dz}{2\pi i}$ counterclockwise, $e(z) = \sum_j c_j/(s_j +
//! \kappa(z))$; the terms with $\kappa_0 = \kappa(0) > 0$, $g_0 = g(\kappa_0)$ are the residues at
//! the atom of $S$ at $0$ (present when $\gamma w_+ > 1$; $\rho(0) = 1$), absent otherwise.
//!
//! **Quadrature.** $\Gamma$ is the image under $z = e^w$ of the ellipse
//! $w = c + \ell\cos(\theta - i\mu)$, $\theta \in [0, 2\pi)$, whose foci are the logarithms of the
//! support's outer edges $[a, b]$ ([`SampleCovariance::support`]): it stays in
//! $\operatorname{Re} z > 0$ (so $|e^{-tz}| \le 1$ for every $t$) and at a fixed *relative*
//! distance from the support, whatever its condition number. The integrand is analytic in the
//! strip $|\operatorname{Im}\theta| < \mu$, so the trapezoidal rule in $\theta$ converges
//! geometrically; $\mu = \tfrac12\operatorname{asinh}(\pi/(2\ell))$ balances the strip inside
//! (the support) and outside ($\operatorname{Re} z = 0$). The nodes are doubled from
//! [`MIN_CONTOUR_NODES`] until two consecutive rules agree to [`CONTOUR_TOLERANCE`] relative to
//! $\max(|x|, \beta^\top\Sigma\beta + \sigma^2)$ on every output at the probe times (the
//! smallest, median and largest), up to [`MAX_CONTOUR_NODES`]; the finer value is returned with
//! the difference as `quadrature_error`. For the discrete methods the residual polynomial grows
//! off the real axis; $\mu$ is halved until $|\rho_k| \le 10$ on the contour. Only the upper half
//! of the nodes is computed ($\Gamma$ is symmetric, every function real on the real axis).

use std::sync::Arc;

use num_complex::Complex64 as C;

use crate::error::{Error, Result, validate};
use crate::linalg::Matrix;
use crate::spectral::atom_sums;
use crate::spectral::{Population, SampleCovariance};
use crate::theory::dynamics::{Algorithm, Dynamics, DynamicsRisk, MAX_STEPS};
use crate::theory::ridge::{AnisotropicRidge, AnisotropicRidgeRisk, OptimalAnisotropicRidge};
use pulp::Simd;

/// Relative agreement of two consecutive contour rules at which a value is accepted.
pub const CONTOUR_TOLERANCE: f64 = 1e-11;

/// Nodes of the coarsest contour rule (the whole contour; half are computed).
pub const MIN_CONTOUR_NODES: usize = 32;

/// Nodes of the finest contour rule.
pub const MAX_CONTOUR_NODES: usize = 4096;

/// Largest $|\rho_k|$ accepted on the contour of a discrete method (digits lost to
/// cancellation: at most one).
const MAX_GROWTH: f64 = 10.0;

/// Parameters of least-squares dynamics with a population spectrum (unchecked); build with
/// [`AnisotropicDynamics::new`] (or [`Dynamics::with_population`]) and the `with_*` methods.
///
/// ```
/// use overparam::spectral::Population;
/// use overparam::theory::dynamics::AnisotropicDynamics;
/// let pop = Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8])?;
/// let m = AnisotropicDynamics::new(pop, 2.0).with_energies(4.0, 1.0).check()?;
/// let curve = m.curve_time(&[0.0, 1.0, 10.0])?;
/// // At t = 0 the test error is beta^T Sigma beta = 4 (0.2 + 8) and the training error adds sigma^2.
/// assert!((curve[0].test_error - 32.8).abs() < 1e-9);
/// assert!((curve[0].train_error - 33.8).abs() < 1e-9);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicDynamics {
    population: Arc<Population>,
    gamma: f64,
    signal_energy: f64,
    noise_variance: f64,
    lambda: f64,
    algorithm: Algorithm,
    lr: f64,
    momentum: f64,
}

impl AnisotropicDynamics {
    /// The population and $\gamma = p/n$, with $r^2 = 4$, $\sigma^2 = 1$, $\lambda = 0$,
    /// gradient flow (the defaults of [`Dynamics`]).
    pub fn new(population: impl Into<Arc<Population>>, gamma: f64) -> Self {
        Self::from_dynamics(
            population,
            &Dynamics {
                gamma,
                ..Dynamics::default()
            },
        )
    }

    /// Every parameter of `dynamics` (its `snr` and `noise_sd` give $r^2 = \mathrm{snr}\,\sigma^2$
    /// and $\sigma^2$) with the population.
    pub fn from_dynamics(population: impl Into<Arc<Population>>, dynamics: &Dynamics) -> Self {
        let s2 = dynamics.noise_sd * dynamics.noise_sd;
        Self {
            population: population.into(),
            gamma: dynamics.gamma,
            signal_energy: dynamics.snr * s2,
            noise_variance: s2,
            lambda: dynamics.lambda,
            algorithm: dynamics.algorithm,
            lr: dynamics.lr,
            momentum: dynamics.momentum,
        }
    }

    /// The signal energy $r^2 = \|\beta\|^2 \ge 0$ and the noise variance $\sigma^2 \ge 0$
    /// ($\sigma^2 = 0$ is allowed: noiseless labels).
    pub fn with_energies(mut self, signal_energy: f64, noise_variance: f64) -> Self {
        self.signal_energy = signal_energy;
        self.noise_variance = noise_variance;
        self
    }

    /// $\mathrm{snr} = r^2/\sigma^2$ and the noise standard deviation $\sigma$ (the CLI's
    /// parameters; `ridge --spectrum` uses the same).
    pub fn with_snr(mut self, snr: f64, noise_sd: f64) -> Self {
        self.signal_energy = snr * noise_sd * noise_sd;
        self.noise_variance = noise_sd * noise_sd;
        self
    }

    /// The ridge term $\lambda \ge 0$ of the loss.
    pub fn with_lambda(mut self, lambda: f64) -> Self {
        self.lambda = lambda;
        self
    }

    /// Another population (same other parameters; e.g. the realised population of a
    /// simulation).
    pub fn with_population(mut self, population: impl Into<Arc<Population>>) -> Self {
        self.population = population.into();
        self
    }

    /// Another $\gamma$.
    pub fn with_gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    /// The method, its step $\eta$ and momentum $m$ (ignored by gradient flow).
    pub fn with_algorithm(mut self, algorithm: Algorithm, lr: f64, momentum: f64) -> Self {
        self.algorithm = algorithm;
        self.lr = lr;
        self.momentum = momentum;
        self
    }

    /// Validate.
    ///
    /// Domain: $0 < \gamma \le 10^4$ ([`crate::spectral::sample_covariance::GAMMA_MAX`]),
    /// $r^2, \sigma^2 \ge 0$ finite, $\lambda \ge 0$ finite, $\gamma w_+ \ne 1$ (there the
    /// support of $S$ touches $0$ and the contour has no gap to pass through: not supported
    /// yet), and for the discrete methods $\eta > 0$ strictly inside the stability region on the
    /// top $\lambda + b$ of the spectrum ([`Algorithm::max_stable_lr`]; $b$ the exact upper
    /// edge of the support), $m \in [0, 1)$, $m = 0$ for gradient descent.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field (`gamma`, `signal_energy`,
    /// `noise_variance`, `lambda`, `lr`, `momentum`); those of [`SampleCovariance`].
    pub fn check(&self) -> Result<AnisotropicDynamicsModel> {
        let gamma = validate::positive("gamma", self.gamma)?;
        let r2 = validate::non_negative("signal_energy", self.signal_energy)?;
        let s2 = validate::non_negative("noise_variance", self.noise_variance)?;
        let lambda = validate::non_negative("lambda", self.lambda)?;
        let pop = &self.population;
        let (mut s, mut w, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for ((&sj, &wj), &cj) in pop
            .eigenvalues()
            .iter()
            .zip(pop.weights())
            .zip(pop.signal())
        {
            if sj > 0.0 {
                s.push(sj);
                w.push(wj);
                c.push(cj);
            }
        }
        let w_plus: f64 = w.iter().sum::<f64>().min(1.0);
        let law = SampleCovariance::from_population(pop, gamma)?;
        let (lo, hi) = outer_edges(&s, &w, gamma);
        if !(lo > 1e-13 * hi && hi.is_finite() && hi > lo) {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "gamma * (share of positive eigenvalues) != 1 (there the spectrum of \
                           S touches 0; not supported by the contour quadrature)",
            });
        }
        let top = lambda + hi;
        let algorithm = self.algorithm;
        let (lr, momentum) = if algorithm.is_discrete() {
            let lr = validate::positive("lr", self.lr)?;
            let momentum = validate::non_negative("momentum", self.momentum)?;
            if algorithm == Algorithm::GradientDescent && momentum != 0.0 {
                return Err(Error::InvalidParameter {
                    name: "momentum",
                    value: momentum,
                    expected: "0 for gradient descent (use heavy-ball or nesterov for momentum)",
                });
            }
            if momentum >= 1.0 {
                return Err(Error::InvalidParameter {
                    name: "momentum",
                    value: momentum,
                    expected: "0 <= momentum < 1 (with m >= 1 the iteration cannot converge)",
                });
            }
            if lr >= algorithm.max_stable_lr(momentum, top) {
                return Err(Error::InvalidParameter {
                    name: "lr",
                    value: lr,
                    expected: "lr inside the stability region on the top lambda + s_+ of the \
                               spectrum of S (gd: lr (lambda + s_+) < 2; heavy-ball: < 2 (1 + m); \
                               nesterov: < 2 (1 + m)/(1 + 2 m))",
                });
            }
            (lr, momentum)
        } else {
            (0.0, 0.0)
        };
        let atom = if gamma * w_plus > 1.0 {
            let k0 = AnisotropicRidge::new(Arc::clone(pop), gamma, 0.0, 1.0)
                .check()?
                .kappa()?
                .kappa;
            let (mut g0, mut num, mut den) = (0.0, 0.0, 0.0);
            for ((&sj, &wj), &cj) in s.iter().zip(&w).zip(&c) {
                let d = sj + k0;
                g0 += cj * sj / d;
                num += cj * sj / (d * d);
                den += wj * sj / (d * d);
            }
            Some(AtomAtZero {
                kappa0: k0,
                g0,
                double_residue: k0 * num / (gamma * den),
            })
        } else {
            None
        };
        let beta_sigma_beta: f64 = s.iter().zip(&c).map(|(sj, cj)| sj * cj).sum();
        Ok(AnisotropicDynamicsModel {
            params: self.clone(),
            gamma,
            r2,
            s2,
            lambda,
            algorithm,
            lr,
            momentum,
            s,
            w,
            c,
            w_plus,
            law,
            support: (lo, hi),
            atom,
            scale: r2 * beta_sigma_beta + s2,
        })
    }
}

impl Dynamics {
    /// These parameters with a population spectrum: the general-$\Sigma$ model
    /// ([`AnisotropicDynamics`]; `snr` and `noise_sd` give $r^2 = \mathrm{snr}\,\sigma^2$).
    pub fn with_population(&self, population: impl Into<Arc<Population>>) -> AnisotropicDynamics {
        AnisotropicDynamics::from_dynamics(population, self)
    }
}

/// The residues at the atom of $S$ at 0 ($\gamma w_+ > 1$).
#[derive(Debug, Clone, Copy, PartialEq)]
struct AtomAtZero {
    kappa0: f64,
    g0: f64,
    double_residue: f64,
}

/// A validated general-$\Sigma$ dynamics problem (see [`AnisotropicDynamics`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicDynamicsModel {
    params: AnisotropicDynamics,
    gamma: f64,
    r2: f64,
    s2: f64,
    lambda: f64,
    algorithm: Algorithm,
    lr: f64,
    momentum: f64,
    /// Positive eigenvalues, their dimension and signal shares (not renormalised).
    s: Vec<f64>,
    w: Vec<f64>,
    c: Vec<f64>,
    w_plus: f64,
    law: SampleCovariance,
    support: (f64, f64),
    atom: Option<AtomAtZero>,
    scale: f64,
}

/// Per-node data of one contour rule (upper half of the nodes).
#[derive(Debug, Clone)]
struct ContourRule {
    /// All nodes of the contour (twice the stored ones).
    nodes: usize,
    wt: Vec<C>,
    z: Vec<C>,
    kappa: Vec<C>,
    /// $a = \kappa/z$.
    a: Vec<C>,
    /// $e = \sum_j c_j/(s_j + \kappa)$.
    e: Vec<C>,
    /// Row-major $(g_i - g_j)/(z_i - z_j)$ (diagonal $g'(z_i)$).
    fuu: Vec<C>,
    /// Row-major $(g_i - \bar g_j)/(z_i - \bar z_j)$.
    ful: Vec<C>,
    /// $\kappa_0 a_i (g_i - g_0)/z_i$ (zero without an atom at 0).
    res1: Vec<C>,
    /// $(z, \kappa, d\kappa/dz)$ at the first node (a seed for the next rule).
    first: Option<(C, C, C)>,
}

/// Lanes of the blocked sums over the atoms (independent accumulators, so that the compiler
/// can vectorise the loop; the order of the additions is fixed, so the result is deterministic).
const LANES: usize = 8;

/// $\sum_j f(s_j, w_j, c_j)$ for `K` outputs, in [`LANES`] interleaved partial sums.
#[inline(always)]
fn lane_sums<const K: usize>(
    s: &[f64],
    w: &[f64],
    c: &[f64],
    f: impl Fn(f64, f64, f64) -> [f64; K],
) -> [f64; K] {
    let mut acc = [[0.0f64; LANES]; K];
    let n = s.len().min(w.len()).min(c.len());
    let full = n / LANES * LANES;
    for base in (0..full).step_by(LANES) {
        for l in 0..LANES {
            let v = f(s[base + l], w[base + l], c[base + l]);
            for k in 0..K {
                acc[k][l] += v[k];
            }
        }
    }
    for j in full..n {
        let v = f(s[j], w[j], c[j]);
        for k in 0..K {
            acc[k][j - full] += v[k];
        }
    }
    acc.map(|a| a.iter().sum())
}

/// Newton's sums at $\kappa$ (weights in `a`): $[\operatorname{Re}, \operatorname{Im}]$ of
/// $T_1 = \sum w s/(s+\kappa)$ and $T_2 = \sum w s^2/(s+\kappa)^2$ (one division per atom).
struct NewtonSums {
    kr: f64,
    ki: f64,
}

impl atom_sums::AtomTerms<4> for NewtonSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, _b: S::f64s) -> [S::f64s; 4] {
        let ki = simd.splat_f64s(self.ki);
        let dr = simd.add_f64s(s, simd.splat_f64s(self.kr));
        let n = simd.add_f64s(simd.mul_f64s(dr, dr), simd.mul_f64s(ki, ki));
        let sn = simd.div_f64s(s, n);
        let tr = simd.mul_f64s(sn, dr);
        let ti = simd.neg_f64s(simd.mul_f64s(sn, ki));
        let wtr = simd.mul_f64s(a, tr);
        let wti = simd.mul_f64s(a, ti);
        [
            wtr,
            wti,
            simd.sub_f64s(simd.mul_f64s(wtr, tr), simd.mul_f64s(wti, ti)),
            simd.add_f64s(simd.mul_f64s(wtr, ti), simd.mul_f64s(wti, tr)),
        ]
    }
}

/// The node sums at $\kappa$ (weights in `a`, signal shares in `b`): $T_2$,
/// $g = \sum c s/(s+\kappa)$, $\sum c s/(s+\kappa)^2$, $e = \sum c/(s+\kappa)$, $T_1$ (real and
/// imaginary parts; $T_1$, $T_2$ give the last Newton step for $\kappa$ without another pass).
struct NodeSums {
    kr: f64,
    ki: f64,
}

impl atom_sums::AtomTerms<10> for NodeSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, b: S::f64s) -> [S::f64s; 10] {
        let ki = simd.splat_f64s(self.ki);
        let dr = simd.add_f64s(s, simd.splat_f64s(self.kr));
        let n = simd.add_f64s(simd.mul_f64s(dr, dr), simd.mul_f64s(ki, ki));
        let inv_n = simd.div_f64s(simd.splat_f64s(1.0), n);
        // 1/(s + kappa) = (ir, ii), t = s/(s + kappa) = (tr, ti).
        let ir = simd.mul_f64s(dr, inv_n);
        let ii = simd.neg_f64s(simd.mul_f64s(ki, inv_n));
        let tr = simd.mul_f64s(s, ir);
        let ti = simd.mul_f64s(s, ii);
        let t2r = simd.sub_f64s(simd.mul_f64s(tr, tr), simd.mul_f64s(ti, ti));
        let t2i = simd.mul_f64s(simd.add_f64s(tr, tr), ti);
        let tir = simd.sub_f64s(simd.mul_f64s(tr, ir), simd.mul_f64s(ti, ii));
        let tii = simd.add_f64s(simd.mul_f64s(tr, ii), simd.mul_f64s(ti, ir));
        [
            simd.mul_f64s(a, t2r),
            simd.mul_f64s(a, t2i),
            simd.mul_f64s(b, tr),
            simd.mul_f64s(b, ti),
            simd.mul_f64s(b, tir),
            simd.mul_f64s(b, tii),
            simd.mul_f64s(b, ir),
            simd.mul_f64s(b, ii),
            simd.mul_f64s(a, tr),
            simd.mul_f64s(a, ti),
        ]
    }
}

/// Sums over the atoms at $\kappa$: $T_1 = \sum w s/(s+\kappa)$, $T_2 = \sum w s^2/(s+\kappa)^2$.
fn kappa_sums(s: &[f64], w: &[f64], kappa: C) -> (C, C) {
    let [a, b, c, d] = atom_sums::sums(
        s,
        w,
        w,
        &NewtonSums {
            kr: kappa.re,
            ki: kappa.im,
        },
    );
    (C::new(a, b), C::new(c, d))
}

/// At $\kappa$: $T_2$, $g = \sum c s/(s+\kappa)$, $\sum c s/(s+\kappa)^2$, $e = \sum c/(s+\kappa)$,
/// $T_1 = \sum w s/(s+\kappa)$.
fn node_sums(s: &[f64], w: &[f64], c: &[f64], kappa: C) -> [C; 5] {
    let v = atom_sums::sums(
        s,
        w,
        c,
        &NodeSums {
            kr: kappa.re,
            ki: kappa.im,
        },
    );
    [
        C::new(v[0], v[1]),
        C::new(v[2], v[3]),
        C::new(v[4], v[5]),
        C::new(v[6], v[7]),
        C::new(v[8], v[9]),
    ]
}

/// The outer edges of the continuous support of $S$ (Silverstein & Choi 1995): with
/// $u = -\kappa$ and $g(u) = \gamma\sum_j w_js_j^2/(u - s_j)^2$, the critical points
/// $g(u) = 1$ left of the smallest and right of the largest atom (each found by a geometric
/// bisection in the distance to the atom, where $g$ is monotone), mapped by
/// $z(u) = u(1 + \gamma\sum_j w_js_j/(u - s_j))$.
fn outer_edges(s: &[f64], w: &[f64], gamma: f64) -> (f64, f64) {
    let g = |u: f64| {
        gamma
            * lane_sums(s, w, w, |sj, wj, _| {
                let r = sj / (u - sj);
                [wj * r * r]
            })[0]
    };
    let z_of_u =
        |u: f64| u * (1.0 + gamma * lane_sums(s, w, w, |sj, wj, _| [wj * sj / (u - sj)])[0]);
    let (mut smin, mut smax) = (f64::INFINITY, 0.0f64);
    for (&sj, &wj) in s.iter().zip(w) {
        if wj > 0.0 {
            smin = smin.min(sj);
            smax = smax.max(sj);
        }
    }
    let m2: f64 = s.iter().zip(w).map(|(sj, wj)| wj * sj * sj).sum();
    let reach = (gamma * m2).sqrt().max(f64::MIN_POSITIVE);
    // Geometric bisection for the d in (0, reach] where g(anchor + sign d) crosses 1.
    let edge = |anchor: f64, sign: f64| {
        let (mut lo, mut hi) = (reach * 1e-300_f64.max(f64::EPSILON * f64::EPSILON), reach);
        for _ in 0..200 {
            let mid = (lo * hi).sqrt();
            if !(mid > lo && mid < hi) {
                break;
            }
            if g(anchor + sign * mid) > 1.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        anchor + sign * hi
    };
    let right = z_of_u(edge(smax, 1.0));
    let left = z_of_u(edge(smin, -1.0)).max(0.0);
    (left, right)
}

impl AnisotropicDynamicsModel {
    /// $\gamma$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// Signal energy $r^2 = \|\beta\|^2$.
    pub fn signal_energy(&self) -> f64 {
        self.r2
    }
    /// Noise variance $\sigma^2$.
    pub fn noise_variance(&self) -> f64 {
        self.s2
    }
    /// Ridge term $\lambda$.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// The method.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// Step size (0 for gradient flow).
    pub fn lr(&self) -> f64 {
        self.lr
    }
    /// Momentum.
    pub fn momentum(&self) -> f64 {
        self.momentum
    }
    /// The population.
    pub fn population(&self) -> &Population {
        &self.params.population
    }
    /// The outer edges $[a, b]$ of the continuous support of $S$.
    pub fn support(&self) -> (f64, f64) {
        self.support
    }
    /// The null risk $\beta^\top\Sigma\beta$ (the test error at $t = 0$).
    pub fn null_risk(&self) -> f64 {
        self.scale - self.s2
    }
    /// The largest stable step at this momentum on the top $\lambda + b$ of the spectrum.
    pub fn max_stable_lr(&self) -> f64 {
        self.algorithm
            .max_stable_lr(self.momentum, self.lambda + self.support.1)
    }

    /// The parameters this model was checked from.
    pub fn params(&self) -> &AnisotropicDynamics {
        &self.params
    }

    /// The filter $q(u)$ and the residual $p(u) = 1 - uq(u)$ at real $u = s + \lambda \ge 0$ and
    /// `time` (as [`super::DynamicsModel::filter_and_residual`]; the discrete recursions are run
    /// literally).
    ///
    /// Domain: `time` $\ge 0$ (an integer $\le$ [`MAX_STEPS`] for a discrete method), $u \ge 0$.
    /// Errors: [`Error::InvalidParameter`] (`time`, `steps`, `u`); [`Error::NonFinite`].
    pub fn filter_and_residual(&self, time: f64, u: f64) -> Result<(f64, f64)> {
        let u = validate::non_negative("u", u)?;
        let time = validate::non_negative("time", time)?;
        let (q, p) = if self.algorithm.is_discrete() {
            let k = super::steps_of(time)?;
            let mut st = super::FilterState::default();
            for _ in 0..k {
                st.step(self.algorithm, self.lr, self.momentum, u);
            }
            (st.q, st.p)
        } else {
            let q = super::gradient_flow_filter(time, u);
            (q, 1.0 - u * q)
        };
        let p = if self.algorithm.is_discrete() {
            p
        } else {
            // e^{-tu} directly (no cancellation).
            (-(time * u)).exp()
        };
        crate::error::finite(q, "dynamics filter")?;
        crate::error::finite(p, "dynamics residual")?;
        Ok((q, p))
    }

    /// Validate a time for this method: $t \ge 0$ finite for gradient flow (an error naming
    /// `time`), an integer number of steps in $[0, 10^7]$ for a discrete method (`steps`).
    ///
    /// Errors: [`Error::InvalidParameter`] as described.
    pub fn check_time(&self, time: f64) -> Result<f64> {
        if self.algorithm.is_discrete() {
            super::steps_of(time).map(|k| k as f64)
        } else {
            validate::non_negative("time", time)
        }
    }

    /// The same parameters with another method (checked again).
    ///
    /// Errors: as [`AnisotropicDynamics::check`].
    pub fn with_algorithm(&self, algorithm: Algorithm, lr: f64, momentum: f64) -> Result<Self> {
        self.params
            .clone()
            .with_algorithm(algorithm, lr, momentum)
            .check()
    }

    /// $\kappa(z) = 1/\underline m(z)$ at `z` off the support (the Herglotz branch of
    /// [`SampleCovariance::solve`]; $\overline{\kappa(\bar z)}$ below the axis).
    ///
    /// Errors: those of [`SampleCovariance::solve`] (e.g. $z = 0$).
    pub fn kappa_at(&self, z: C) -> Result<C> {
        let (zz, conj) = if z.im < 0.0 {
            (z.conj(), true)
        } else {
            (z, false)
        };
        let sol = self.law.solve(zz)?;
        let k = 1.0 / sol.companion;
        let k = if conj { k.conj() } else { k };
        if !(k.re.is_finite() && k.im.is_finite()) {
            return Err(Error::NonFinite {
                what: "kappa(z) = 1/companion Stieltjes transform",
            });
        }
        Ok(k)
    }

    /// The deterministic equivalent of the two-resolvent functional
    /// $\beta^\top(S - z_1)^{-1}\Sigma(S - z_2)^{-1}\beta$ (module documentation):
    /// $r^2\frac{\kappa_1\kappa_2}{z_1z_2}\sum_j c_js_j/((s_j+\kappa_1)(s_j+\kappa_2))\,/\,
    /// (1 - \gamma\sum_j w_js_j^2/((s_j+\kappa_1)(s_j+\kappa_2)))$, evaluated by these sums
    /// (not the divided difference), so that it is an independent check of the contour's
    /// formula.
    ///
    /// Domain: $z_1, z_2$ off the support of $S$ and $\ne 0$. Errors: those of
    /// [`Self::kappa_at`]; [`Error::NonFinite`] if the denominator vanishes.
    pub fn two_resolvent(&self, z1: C, z2: C) -> Result<C> {
        let (k1, k2) = (self.kappa_at(z1)?, self.kappa_at(z2)?);
        let (mut num, mut den) = (C::new(0.0, 0.0), C::new(0.0, 0.0));
        for ((&sj, &wj), &cj) in self.s.iter().zip(&self.w).zip(&self.c) {
            let p = 1.0 / ((sj + k1) * (sj + k2));
            num += cj * sj * p;
            den += wj * sj * sj * p;
        }
        let v = self.r2 * k1 * k2 / (z1 * z2) * num / (1.0 - self.gamma * den);
        if !(v.re.is_finite() && v.im.is_finite()) {
            return Err(Error::NonFinite {
                what: "two-resolvent deterministic equivalent",
            });
        }
        Ok(v)
    }

    /// The contour rule with `nodes` nodes (even) and ellipse parameter `mu`.
    fn rule(&self, nodes: usize, mu: f64, seed: Option<(C, C, C)>) -> Result<ContourRule> {
        let half = nodes / 2;
        let (lo, hi) = self.support;
        let (wl, wh) = (lo.ln(), hi.ln());
        let (cen, ell) = (0.5 * (wl + wh), 0.5 * (wh - wl));
        let gamma = self.gamma;
        let mut rule = ContourRule {
            nodes,
            wt: Vec::with_capacity(half),
            z: Vec::with_capacity(half),
            kappa: Vec::with_capacity(half),
            a: Vec::with_capacity(half),
            e: Vec::with_capacity(half),
            fuu: vec![C::new(0.0, 0.0); half * half],
            ful: vec![C::new(0.0, 0.0); half * half],
            res1: Vec::with_capacity(half),
            first: None,
        };
        let mut g = Vec::with_capacity(half);
        let mut dg = Vec::with_capacity(half);
        // (z, kappa, dkappa/dz) at the previous node (the first node: the seed, a node of
        // another rule near it).
        let mut prev: Option<(C, C, C)> = seed;
        for k in 0..half {
            let theta = 2.0 * std::f64::consts::PI * (k as f64 + 0.5) / nodes as f64;
            let zeta = C::new(theta, -mu);
            let w = cen + ell * zeta.cos();
            let z = w.exp();
            let dz = z * (-ell * zeta.sin());
            let wt = dz / C::new(0.0, nodes as f64);
            // Newton from the continuation, stopped before its confirming step, which is taken
            // from the node sums (they carry T1, T2): one pass over the atoms fewer per node.
            // The sums are then those at the iterate before that last step, whose size is at
            // the rounding level (it is verified like the confirming step of `newton_kappa`).
            let confirmed = prev
                .and_then(|(zp, kp, dkp)| self.newton_kappa_to_last(z, kp + dkp * (z - zp)))
                .and_then(|k| {
                    let sums = node_sums(&self.s, &self.w, &self.c, k);
                    let f = k * (1.0 - gamma * sums[4]) + z;
                    let step = f / (1.0 - gamma * sums[0]);
                    let kk = k - step;
                    let rel = step.norm() / kk.norm();
                    (rel.is_finite() && rel <= 1e-12 && kk.im < 0.0).then_some((kk, sums))
                });
            let (kappa, [t2, gg, dgk, ee, _]) = match confirmed {
                Some(v) => v,
                None => {
                    let k = self.kappa_at(z)?;
                    (k, node_sums(&self.s, &self.w, &self.c, k))
                }
            };
            let dkdz = -1.0 / (1.0 - gamma * t2);
            let a = kappa / z;
            let res = match self.atom {
                Some(at) => at.kappa0 * a * (gg - at.g0) / z,
                None => C::new(0.0, 0.0),
            };
            rule.wt.push(wt);
            rule.z.push(z);
            rule.kappa.push(kappa);
            rule.a.push(a);
            rule.e.push(ee);
            rule.res1.push(res);
            g.push(gg);
            // dg/dz = (dg/dkappa)(dkappa/dz), dg/dkappa = -sum c s/(s+kappa)^2.
            dg.push(-dgk * dkdz);
            prev = Some((z, kappa, dkdz));
            if k == 0 {
                rule.first = prev;
            }
        }
        for i in 0..half {
            for j in 0..half {
                rule.fuu[i * half + j] = if i == j {
                    dg[i]
                } else {
                    (g[i] - g[j]) / (rule.z[i] - rule.z[j])
                };
                rule.ful[i * half + j] = (g[i] - g[j].conj()) / (rule.z[i] - rule.z[j].conj());
            }
        }
        let finite = |v: &C| v.re.is_finite() && v.im.is_finite();
        if !(rule.fuu.iter().all(finite)
            && rule.ful.iter().all(finite)
            && rule.kappa.iter().all(finite)
            && rule.e.iter().all(finite))
        {
            return Err(Error::NonFinite {
                what: "dynamics contour rule",
            });
        }
        Ok(rule)
    }

    /// Newton on $f(\kappa) = \kappa(1 - \gamma T_1(\kappa)) + z$ from `start` (the Herglotz
    /// branch has $\operatorname{Im}\kappa < 0$ for $\operatorname{Im} z > 0$, checked by the
    /// caller) without its confirming step: the first iterate after a step below
    /// $10^{-9}$ relative (quadratic convergence puts it at the rounding level); the caller
    /// takes and checks the confirming step. `None` if Newton fails to get there.
    fn newton_kappa_to_last(&self, z: C, start: C) -> Option<C> {
        let mut k = start;
        if !(k.re.is_finite() && k.im.is_finite()) {
            return None;
        }
        for _ in 0..30 {
            let (t1, t2) = kappa_sums(&self.s, &self.w, k);
            let f = k * (1.0 - self.gamma * t1) + z;
            let df = 1.0 - self.gamma * t2;
            let step = f / df;
            if !(step.re.is_finite() && step.im.is_finite()) {
                return None;
            }
            k -= step;
            if step.norm() / k.norm() <= 1e-9 {
                return Some(k);
            }
        }
        None
    }

    /// $(\rho, q)$ of gradient flow at complex $z$: $u = z + \lambda$, $q = (1 - e^{-tu})/u$,
    /// $\rho = e^{-tu} + \lambda q$.
    fn gf_filter(&self, t: f64, z: C) -> (C, C) {
        let u = z + self.lambda;
        let x = -t * u;
        let (e, q) = if x.norm() < 0.5 {
            // (e^x - 1)/x by its series (no cancellation).
            let mut term = C::new(1.0, 0.0);
            let mut sum = C::new(1.0, 0.0);
            for k in 2..30 {
                term = term * x / k as f64;
                sum += term;
            }
            (1.0 + x * sum, t * sum)
        } else if x.re < -745.0 {
            // e^{-tu} underflows: skip the transcendental calls (their argument reduction for a
            // huge imaginary part is the costly part).
            (C::new(0.0, 0.0), 1.0 / u)
        } else {
            let e = x.exp();
            (e, (1.0 - e) / u)
        };
        (e + self.lambda * q, q)
    }

    /// Assemble the four outputs from $\rho$, $q$ at the stored nodes.
    fn assemble(&self, time: f64, rule: &ContourRule, rho: &[C], q: &[C]) -> DynamicsRisk {
        let half = rule.z.len();
        let v: Vec<C> = (0..half).map(|i| rho[i] * rule.a[i] * rule.wt[i]).collect();
        let mut bb = C::new(0.0, 0.0);
        for i in 0..half {
            let (ru, rl) = (
                &rule.fuu[i * half..(i + 1) * half],
                &rule.ful[i * half..(i + 1) * half],
            );
            let mut acc = C::new(0.0, 0.0);
            for j in 0..half {
                acc += ru[j] * v[j] + rl[j] * v[j].conj();
            }
            bb += v[i] * acc;
        }
        self.assemble_with(time, rule, rho, q, 2.0 * bb.re)
    }

    /// The outputs given the double integral's value `double` (the bias without the atom).
    fn assemble_with(
        &self,
        time: f64,
        rule: &ContourRule,
        rho: &[C],
        q: &[C],
        double: f64,
    ) -> DynamicsRisk {
        let half = rule.z.len();
        let mut bias = double;
        let (mut var, mut tr_sig, mut tr_noise, mut res) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..half {
            let wt = rule.wt[i];
            let r2 = rho[i] * rho[i];
            var += (wt * q[i] * q[i] * rule.kappa[i]).re;
            tr_sig += (wt * r2 * rule.kappa[i] * rule.e[i]).re;
            tr_noise -= (wt * r2 / rule.kappa[i]).re;
            res += (wt * rho[i] * rule.res1[i]).re;
        }
        if let Some(at) = self.atom {
            bias += 4.0 * res + at.double_residue;
        }
        let bias = self.r2 * bias;
        let variance = self.s2 * 2.0 * var;
        let atom_k = (1.0 - self.gamma * self.w_plus).max(0.0);
        let train_error = self.r2 * 2.0 * tr_sig + self.s2 * (2.0 * tr_noise + atom_k);
        DynamicsRisk {
            time,
            test_error: bias + variance,
            bias,
            variance,
            train_error,
            nodes: rule.nodes,
            quadrature_error: 0.0,
        }
    }

    /// Gradient flow at the given times at one rule (direct sums: for a few probe times).
    fn gf_at(&self, rule: &ContourRule, times: &[f64]) -> Vec<DynamicsRisk> {
        let half = rule.z.len();
        let mut rho = vec![C::new(0.0, 0.0); half];
        let mut q = vec![C::new(0.0, 0.0); half];
        times
            .iter()
            .map(|&t| {
                for i in 0..half {
                    let (r, qq) = self.gf_filter(t, rule.z[i]);
                    rho[i] = r;
                    q[i] = qq;
                }
                self.assemble(t, rule, &rho, &q)
            })
            .collect()
    }

    /// Gradient flow at many times at one rule: the double integrals of a block of times are
    /// one matrix product $[F_{UU}\,|\,F_{UL}]\,[V; ar V]$ (four real products through
    /// [`crate::linalg`]).
    fn gf_curve(&self, rule: &ContourRule, times: &[f64]) -> Result<Vec<DynamicsRisk>> {
        const BLOCK: usize = 512;
        let half = rule.z.len();
        let mre = Matrix::from_fn(half, 2 * half, |i, j| {
            if j < half {
                rule.fuu[i * half + j].re
            } else {
                rule.ful[i * half + j - half].re
            }
        });
        let mim = Matrix::from_fn(half, 2 * half, |i, j| {
            if j < half {
                rule.fuu[i * half + j].im
            } else {
                rule.ful[i * half + j - half].im
            }
        });
        let mut out = Vec::with_capacity(times.len());
        for block in times.chunks(BLOCK) {
            let nt = block.len();
            let mut rho = vec![C::new(0.0, 0.0); half * nt];
            let mut q = vec![C::new(0.0, 0.0); half * nt];
            for (k, &t) in block.iter().enumerate() {
                for i in 0..half {
                    let (r, qq) = self.gf_filter(t, rule.z[i]);
                    rho[k * half + i] = r;
                    q[k * half + i] = qq;
                }
            }
            let v = |i: usize, k: usize| rho[k * half + i] * rule.a[i] * rule.wt[i];
            let xre = Matrix::from_fn(2 * half, nt, |i, k| v(i % half, k).re);
            let xim = Matrix::from_fn(2 * half, nt, |i, k| {
                if i < half {
                    v(i, k).im
                } else {
                    -v(i - half, k).im
                }
            });
            let yre =
                mre.matmul(&xre, 1.0)?
                    .linear_combination(1.0, &mim.matmul(&xim, 1.0)?, -1.0)?;
            let yim =
                mre.matmul(&xim, 1.0)?
                    .linear_combination(1.0, &mim.matmul(&xre, 1.0)?, 1.0)?;
            for (k, &t) in block.iter().enumerate() {
                let (cre, cim) = (yre.col(k), yim.col(k));
                let mut acc = 0.0;
                for i in 0..half {
                    let vi = v(i, k);
                    acc += vi.re * cre[i] - vi.im * cim[i];
                }
                out.push(self.assemble_with(
                    t,
                    rule,
                    &rho[k * half..(k + 1) * half],
                    &q[k * half..(k + 1) * half],
                    2.0 * acc,
                ));
            }
        }
        Ok(out)
    }

    /// A discrete method at the requested steps at one rule; also the largest $|\rho|$ seen.
    fn steps_at(&self, rule: &ContourRule, steps: &[u64]) -> (Vec<DynamicsRisk>, f64) {
        let half = rule.z.len();
        let mut order: Vec<usize> = (0..steps.len()).collect();
        order.sort_by_key(|&i| steps[i]);
        let mut out = vec![None; steps.len()];
        let zero = C::new(0.0, 0.0);
        let one = C::new(1.0, 0.0);
        // (q, q_prev, p, p_prev) per node.
        let mut st = vec![(zero, zero, one, one); half];
        let mut growth = 1.0f64;
        let mut k = 0u64;
        let (eta, m, lambda) = (self.lr, self.momentum, self.lambda);
        for i in order {
            while k < steps[i] {
                for (s, &z) in st.iter_mut().zip(&rule.z) {
                    *s = step_state(self.algorithm, eta, m, z + lambda, *s);
                }
                k += 1;
            }
            let rho: Vec<C> = st.iter().map(|s| s.2 + lambda * s.0).collect();
            let q: Vec<C> = st.iter().map(|s| s.0).collect();
            for r in &rho {
                growth = growth.max(r.norm());
            }
            out[i] = Some(self.assemble(k as f64, rule, &rho, &q));
        }
        (out.into_iter().flatten().collect(), growth)
    }

    /// The convergence loop over the node counts: `eval(rule)` gives the outputs at the probe
    /// points (and the growth of the filter on the contour); returns the accepted rule and its
    /// error estimate.
    fn converge(
        &self,
        eval: impl Fn(&ContourRule) -> (Vec<DynamicsRisk>, f64),
    ) -> Result<(ContourRule, f64)> {
        let (_, hi) = self.support;
        let ell = 0.5 * (hi.ln() - self.support.0.ln());
        let mut mu = 0.5 * (std::f64::consts::PI / (2.0 * ell)).asinh();
        // The trapezoidal error is about exp(-mu N), `estimate` the N where that is 1e-13. The
        // check accepts the finer of two rules when they agree to CONTOUR_TOLERANCE = 1e-11, so
        // the coarse one needs N >= 11.5 ln 10/mu = 0.88 estimate: start at the largest node
        // count (32 (3/2, 4/3)^k: 32, 48, 64, 96, ...) whose successor is beyond 0.9 estimate.
        // (Starting at half the estimate, as before, computed one or two rules more whose
        // comparison could not succeed; a too-high start only costs nodes, never accuracy.)
        let estimate = (13.0 * std::f64::consts::LN_10 / mu).min(MAX_CONTOUR_NODES as f64);
        let mut start = MIN_CONTOUR_NODES;
        let mut start_half = true;
        loop {
            let next = if start_half {
                start / 2 * 3
            } else {
                start / 3 * 4
            };
            if next as f64 > 0.9 * estimate {
                break;
            }
            start = next;
            start_half = !start_half;
        }
        'mu: loop {
            let mut nodes = start;
            let mut grow_by_half = start_half;
            let mut coarse_rule = self.rule(nodes, mu, None)?;
            let (mut coarse, growth) = eval(&coarse_rule);
            if growth > MAX_GROWTH && mu > 1e-4 {
                mu *= 0.5;
                continue 'mu;
            }
            let mut last_err = f64::INFINITY;
            while nodes < MAX_CONTOUR_NODES {
                // Ratios 3/2 and 4/3 alternately (32, 48, 64, 96, ...): the accepted rule is at
                // most 1.5 times the one that would have sufficed.
                nodes = if grow_by_half {
                    nodes / 2 * 3
                } else {
                    nodes / 3 * 4
                };
                grow_by_half = !grow_by_half;
                let fine_rule = self.rule(nodes, mu, coarse_rule.first)?;
                let (fine, growth) = eval(&fine_rule);
                if growth > MAX_GROWTH && mu > 1e-4 {
                    mu *= 0.5;
                    continue 'mu;
                }
                let err = coarse
                    .iter()
                    .zip(&fine)
                    .map(|(a, b)| relative_gap(a, b, self.scale))
                    .fold(0.0f64, f64::max);
                last_err = err;
                if err <= CONTOUR_TOLERANCE {
                    let abs = coarse
                        .iter()
                        .zip(&fine)
                        .map(|(a, b)| absolute_gap(a, b))
                        .fold(0.0f64, f64::max);
                    return Ok((fine_rule, abs));
                }
                coarse = fine;
                coarse_rule = fine_rule;
            }
            return Err(Error::NotConverged {
                method: "dynamics contour quadrature (trapezoidal rule on a log-ellipse)",
                iterations: nodes,
                residual: last_err.min(f64::MAX),
                tolerance: CONTOUR_TOLERANCE,
                last_iterate: coarse.iter().map(|r| r.test_error).collect(),
            });
        }
    }

    fn require(&self, discrete: bool) -> Result<()> {
        self.algorithm.require(discrete)
    }

    /// Gradient flow at time $t$.
    ///
    /// Domain: $t \ge 0$ finite. Errors: as [`Self::curve_time`].
    pub fn at_time(&self, t: f64) -> Result<DynamicsRisk> {
        Ok(self.curve_time(&[t])?.remove(0))
    }

    /// Gradient flow at every time in `times` (any order): the contour rule is chosen at the
    /// smallest, median and largest time and used for all.
    ///
    /// Domain: times $\ge 0$ finite. Errors: [`Error::InvalidParameter`] (`time`);
    /// [`Error::InvalidChoice`] (`algorithm`) for a discrete method; [`Error::NotConverged`] if
    /// the quadrature does not converge by [`MAX_CONTOUR_NODES`]; [`Error::NonFinite`].
    pub fn curve_time(&self, times: &[f64]) -> Result<Vec<DynamicsRisk>> {
        self.require(false)?;
        for &t in times {
            validate::non_negative("time", t)?;
        }
        if times.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let probes = [
            sorted[0],
            sorted[sorted.len() / 2],
            sorted[sorted.len() - 1],
        ];
        let (rule, err) = self.converge(|r| (self.gf_at(r, &probes), 1.0))?;
        self.gf_curve(&rule, times)?
            .into_iter()
            .map(|mut r| {
                r.quadrature_error = err;
                finite_risk(r)
            })
            .collect()
    }

    /// A discrete method after $k$ steps. Errors: as [`Self::curve_steps`].
    pub fn at_steps(&self, k: u64) -> Result<DynamicsRisk> {
        Ok(self.curve_steps(&[k])?.remove(0))
    }

    /// A discrete method at every step count in `steps` (any order).
    ///
    /// Domain: steps $\le$ [`MAX_STEPS`]. Errors: [`Error::InvalidParameter`] (`steps`);
    /// [`Error::InvalidChoice`] (`algorithm`) for gradient flow; [`Error::NotConverged`];
    /// [`Error::NonFinite`].
    pub fn curve_steps(&self, steps: &[u64]) -> Result<Vec<DynamicsRisk>> {
        self.require(true)?;
        for &k in steps {
            if k > MAX_STEPS {
                return Err(Error::InvalidParameter {
                    name: "steps",
                    value: k as f64,
                    expected: "an integer number of steps in [0, 1e7]",
                });
            }
        }
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let (rule, err) = self.converge(|r| self.steps_at(r, steps))?;
        self.steps_at(&rule, steps)
            .0
            .into_iter()
            .map(|mut r| {
                r.quadrature_error = err;
                finite_risk(r)
            })
            .collect()
    }

    /// The risk at `time`: [`Self::at_time`] for gradient flow, [`Self::at_steps`] for a
    /// discrete method (an integer number of steps).
    ///
    /// Errors: as those; [`Error::InvalidParameter`] (`steps`) for a non-integer step count.
    pub fn at(&self, time: f64) -> Result<DynamicsRisk> {
        if self.algorithm.is_discrete() {
            self.at_steps(super::steps_of(time)?)
        } else {
            self.at_time(time)
        }
    }

    /// Risks at several times (gradient flow) or step counts (discrete methods; each an
    /// integer).
    ///
    /// Errors: as [`Self::curve_time`] / [`Self::curve_steps`].
    pub fn curve(&self, times: &[f64]) -> Result<Vec<DynamicsRisk>> {
        if self.algorithm.is_discrete() {
            let steps = times
                .iter()
                .map(|&t| super::steps_of(t))
                .collect::<Result<Vec<_>>>()?;
            self.curve_steps(&steps)
        } else {
            self.curve_time(times)
        }
    }

    fn ridge(&self, lambda: f64) -> Result<AnisotropicRidgeRisk> {
        self.ridge_model(lambda)?.risk()
    }

    fn ridge_model(&self, lambda: f64) -> Result<crate::theory::ridge::AnisotropicRidgeModel> {
        if self.s2 == 0.0 {
            return Err(Error::InvalidParameter {
                name: "noise_variance",
                value: 0.0,
                expected: "noise_variance > 0 for the ridge comparison",
            });
        }
        AnisotropicRidge {
            noise_sd: self.s2.sqrt(),
            ..AnisotropicRidge::new(
                Arc::clone(&self.params.population),
                self.gamma,
                lambda,
                self.r2 / self.s2,
            )
        }
        .check()
    }

    /// The long-time limit: anisotropic ridge at the loss's $\lambda$ (ridgeless for
    /// $\lambda = 0$).
    ///
    /// Errors: those of [`AnisotropicRidge`] (e.g. $\gamma w_+ = 1$, $\lambda = 0$);
    /// [`Error::InvalidParameter`] (`noise_variance`) for $\sigma^2 = 0$.
    pub fn limit(&self) -> Result<AnisotropicRidgeRisk> {
        self.ridge(self.lambda)
    }

    /// Anisotropic ridge at $\lambda + 1/t$ (Ali, Kolter & Tibshirani 2019).
    ///
    /// Errors: [`Error::InvalidParameter`] (`time`) unless $t > 0$ finite; as [`Self::limit`].
    pub fn ridge_at_inverse_time(&self, t: f64) -> Result<AnisotropicRidgeRisk> {
        let t = validate::positive("time", t)?;
        self.ridge(self.lambda + 1.0 / t)
    }
}

/// The early-stopping optimum for a general population and its comparison with optimally tuned
/// anisotropic ridge ([`AnisotropicDynamicsModel::early_stopping`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicEarlyStopping {
    /// The risk at the optimal time (its `time` is the optimal $t$ or $k$). When the infimum is
    /// the long-time limit ([`Self::stops_early`] false), the risk at the largest time searched.
    pub at_optimum: DynamicsRisk,
    /// Whether the optimum is at a finite time; false when the test error decreases to its
    /// long-time limit.
    pub stops_early: bool,
    /// Optimally tuned anisotropic ridge on the same population
    /// ([`crate::theory::ridge::AnisotropicRidgeModel::optimal_lambda`]).
    pub ridge: OptimalAnisotropicRidge,
    /// `at_optimum.test_error / ridge.at_optimum.test_error`: $\ge 1$ when the signal is spread
    /// like the dimensions ($c_j = w_j$, ridge is then Bayes-optimal), but it can be below 1
    /// when the signal is aligned with some eigendirections (ridge with $\lambda \ge 0$ is
    /// then not the best linear estimator; tested).
    pub ratio_to_ridge: f64,
}

impl AnisotropicDynamicsModel {
    /// The early-stopping optimum: the time (gradient flow) or number of steps minimising the
    /// test error, and its comparison with optimally tuned anisotropic ridge — the general-$\Sigma$
    /// counterpart of [`super::DynamicsModel::early_stopping`], with the same search (shared
    /// code): gradient flow by a scan of 41 log-spaced times in $[10^{-3}/(\lambda + b),\,
    /// 10^4/\max(\lambda + a, 10^{-4}b)]$, $[a, b]$ the outer edges of the support of $S$
    /// ([`Self::support`]), refined by Brent in $\ln t$; a discrete method by every step up to
    /// $K = \lceil 4t^*/\eta\rceil + 16$ ($t^*$ the gradient-flow optimum), capped at
    /// [`MAX_STEPS`], at one contour rule converged at $K/4, K/2, K$ (the exact minimum over the
    /// integers; each step costs $O(N^2)$ for $N$ contour nodes). If the minimum is at the end of
    /// the search and the long-time limit ([`Self::limit`]) is lower, `stops_early` is false. For
    /// an isotropic population it equals the isotropic early stopping (tested to $10^{-8}$).
    ///
    /// Errors: [`Error::InvalidParameter`] (`noise_variance`) for $\sigma^2 = 0$ and (`snr`) for
    /// $r^2 = 0$ (the ridge comparison is then undefined); [`Error::NoSolution`] when the null
    /// estimator is the optimal ridge; those of [`Self::curve_time`] / [`Self::curve_steps`].
    pub fn early_stopping(&self) -> Result<AnisotropicEarlyStopping> {
        let ridge = self.ridge_model(1.0)?.optimal_lambda()?;
        let (at_optimum, stops_early) = self.early_stopping_optimum()?;
        let ratio_to_ridge = at_optimum.test_error / ridge.at_optimum.test_error;
        Ok(AnisotropicEarlyStopping {
            at_optimum,
            stops_early,
            ridge,
            ratio_to_ridge: crate::error::finite(ratio_to_ridge, "early stopping ratio to ridge")?,
        })
    }

    /// The optimum of [`Self::early_stopping`] without the ridge comparison: the risk at the
    /// optimal time or step count and whether it is at a finite time.
    ///
    /// Errors: those of [`Self::curve_time`] / [`Self::curve_steps`].
    pub fn early_stopping_optimum(&self) -> Result<(DynamicsRisk, bool)> {
        let gf = self.with_algorithm(Algorithm::GradientFlow, 0.0, 0.0)?;
        let (lo, hi) = super::early_stopping_bracket(self.lambda, self.support);
        let opt = super::optimal_time(|t| Ok(gf.at_time(t)?.test_error), lo, hi)?;
        let limit = self.limit().ok().map(|l| l.test_error);
        if self.algorithm.is_discrete() {
            let kmax = ((4.0 * opt.location / self.lr).ceil() + 16.0).min(MAX_STEPS as f64) as u64;
            let probes = [kmax / 4, kmax / 2, kmax];
            let (rule, _) = self.converge(|r| self.steps_at(r, &probes))?;
            let k = self.argmin_steps(&rule, kmax);
            let best = self.at_steps(k)?;
            let stops = super::stops_early(k == kmax, best.test_error, limit);
            Ok((best, stops))
        } else {
            let r = gf.at_time(opt.location)?;
            let stops =
                super::stops_early(super::at_search_end(opt.location, hi), r.test_error, limit);
            Ok((r, stops))
        }
    }

    /// The step count in $0..=\text{last}$ with the smallest test error at one rule (the first
    /// on ties), by one pass of the recursion.
    fn argmin_steps(&self, rule: &ContourRule, last: u64) -> u64 {
        let zero = C::new(0.0, 0.0);
        let one = C::new(1.0, 0.0);
        let mut st = vec![(zero, zero, one, one); rule.z.len()];
        let (eta, m, lambda) = (self.lr, self.momentum, self.lambda);
        let mut rho = vec![zero; st.len()];
        let mut q = vec![zero; st.len()];
        let mut best = (0u64, f64::INFINITY);
        for k in 0..=last {
            if k > 0 {
                for (s, &z) in st.iter_mut().zip(&rule.z) {
                    *s = step_state(self.algorithm, eta, m, z + lambda, *s);
                }
            }
            for (i, s) in st.iter().enumerate() {
                rho[i] = s.2 + lambda * s.0;
                q[i] = s.0;
            }
            let e = self.assemble(k as f64, rule, &rho, &q).test_error;
            if e < best.1 {
                best = (k, e);
            }
        }
        best.0
    }
}

/// One step of a discrete method on the state $(q_k, q_{k-1}, p_k, p_{k-1})$ at $u = z + \lambda$.
fn step_state(algorithm: Algorithm, eta: f64, m: f64, u: C, s: (C, C, C, C)) -> (C, C, C, C) {
    let (q, qp, p, pp) = s;
    let (nq, np) = match algorithm {
        Algorithm::HeavyBall => {
            let cc = 1.0 + m - eta * u;
            (cc * q - m * qp + eta, cc * p - m * pp)
        }
        Algorithm::Nesterov => {
            let cc = 1.0 - eta * u;
            (
                cc * ((1.0 + m) * q - m * qp) + eta,
                cc * ((1.0 + m) * p - m * pp),
            )
        }
        _ => {
            let cc = 1.0 - eta * u;
            (cc * q + eta, cc * p)
        }
    };
    (nq, q, np, p)
}

fn outputs(r: &DynamicsRisk) -> [f64; 4] {
    [r.test_error, r.bias, r.variance, r.train_error]
}

fn relative_gap(a: &DynamicsRisk, b: &DynamicsRisk, floor: f64) -> f64 {
    outputs(a)
        .iter()
        .zip(outputs(b))
        .map(|(x, y)| {
            let d = (x - y).abs();
            let scale = x.abs().max(y.abs()).max(floor);
            if d == 0.0 {
                0.0
            } else if scale > 0.0 && scale.is_finite() {
                d / scale
            } else {
                f64::INFINITY
            }
        })
        .fold(
            0.0f64,
            |m, v| if v.is_nan() { f64::INFINITY } else { m.max(v) },
        )
}

fn absolute_gap(a: &DynamicsRisk, b: &DynamicsRisk) -> f64 {
    outputs(a)
        .iter()
        .zip(outputs(b))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f64, f64::max)
}

fn finite_risk(r: DynamicsRisk) -> Result<DynamicsRisk> {
    for (v, what) in [
        (r.test_error, "dynamics test error"),
        (r.bias, "dynamics bias"),
        (r.variance, "dynamics variance"),
        (r.train_error, "dynamics training error"),
        (r.quadrature_error, "dynamics quadrature error"),
    ] {
        crate::error::finite(v, what)?;
    }
    Ok(r)
}
