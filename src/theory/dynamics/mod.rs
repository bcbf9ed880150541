//! Training dynamics of least squares in the proportional limit: gradient flow, gradient descent,
//! heavy ball and Nesterov from zero initialisation, isotropic design.
//!
//! **Setting.** Rows $x \sim N(0, I_p)$, $y = x^\top\beta + \sigma\varepsilon$, $\|\beta\|^2 = r^2
//! = \mathrm{snr}\,\sigma^2$, $\gamma = p/n$, loss
//! $L(b) = \tfrac1{2n}\|y - Xb\|^2 + \tfrac\lambda2\|b\|^2$ (the ridge term is optional,
//! $\lambda \ge 0$; its minimiser is the ridge estimator of [`crate::theory::ridge`] at the same
//! $\lambda$), $b_0 = b_{-1} = 0$. With $S = X^\top X/n$, $c = X^\top y/n$ and $u = s + \lambda$,
//! every method below gives $b = q(S + \lambda)\,c$ for a scalar filter $q$:
//!
//! | method | filter recursion ($q_{-1} = q_0 = 0$) | residual $p = 1 - uq$ |
//! |---|---|---|
//! | gradient flow, time $t$ | $q_t(u) = (1 - e^{-tu})/u$ | $e^{-tu}$ |
//! | gradient descent, step $\eta$ | $q_{k+1} = (1 - \eta u)q_k + \eta$ | $(1 - \eta u)^k$ |
//! | heavy ball $(\eta, m)$ | $q_{k+1} = (1 + m - \eta u)q_k - m q_{k-1} + \eta$ | $p_{k+1} = (1 + m - \eta u)p_k - m p_{k-1}$ |
//! | Nesterov $(\eta, m)$ | $q_{k+1} = (1 - \eta u)\big((1 + m)q_k - m q_{k-1}\big) + \eta$ | $p_{k+1} = (1 - \eta u)\big((1+m)p_k - m p_{k-1}\big)$ |
//!
//! The recursions are run on $q$, not on $p$: $q$ has no cancellation at small $u$ (where
//! $1 - p(u)$ would lose all digits). With $\rho(s) = 1 - s\,q(s + \lambda)$ (the factor of
//! $\beta$ in $b - \beta$; $\rho(0) = 1$: a direction the data never see is never learnt), the
//! conditional expectations over $\beta$ (uniform on the sphere) and $\varepsilon$ are
//!
//! $$ B = r^2\!\int \rho(s)^2\,d\mu(s),\qquad V = \sigma^2\gamma\!\int s\,q(s+\lambda)^2\,d\mu(s),
//! \qquad E_{\rm train} = r^2\!\int s\,\rho(s)^2\,d\mu(s) + \sigma^2\Big(\gamma\!\int\rho(s)^2\,d\mu(s)
//! + 1 - \gamma\Big), $$
//!
//! $\mu$ the Marchenko–Pastur law of ratio $\gamma$ (atom $1 - 1/\gamma$ at $0$ when $\gamma > 1$).
//! `test_error` $= B + V$ excludes the label noise and `train_error`
//! $= \tfrac1n\|y - Xb\|^2$ includes it, as in [`crate::theory::ridge`] (docs/glossary.md). The
//! training error uses $y - Xb = (I - q(K + \lambda)K)y$, $K = XX^\top/n$, whose non-zero spectrum
//! is that of $S$; at $\lambda = 0$ these are the formulas of Ali, Kolter & Tibshirani 2019
//! (arXiv:1810.10082, Lemma 5) and Advani & Saxe 2017 (arXiv:1710.03667, §3).
//!
//! **Where the spectrum enters.** Only through [`SpectralQuadrature`]: nodes $s_i$ and weights of
//! the continuous part of the measures the bias and the variance are integrated against, and the
//! atom at $0$. For $\Sigma = I$ both measures are $\mu$; a general population spectrum
//! (issue 15) supplies its own nodes and weights (the variance is then a one-resolvent
//! functional; the bias needs a two-resolvent deterministic equivalent) and every filter,
//! curve, early-stopping and stability function here is unchanged.
//!
//! **Quadrature.** $s = 1 + \gamma - 2\sqrt\gamma\cos\theta$ maps $[0, \pi]$ onto the support
//! $[(1-\sqrt\gamma)^2, (1+\sqrt\gamma)^2]$ and turns the density into
//! $d\mu = \tfrac2\pi\,\sin^2\theta/(1 + \gamma - 2\sqrt\gamma\cos\theta)\,d\theta$, smooth for
//! every $\gamma$ (at $\gamma = 1$ it is $\tfrac1\pi(1 + \cos\theta)\,d\theta$). Two things make
//! the integrands steep near the ends of $[0, \pi]$: for $\gamma$ near $1$ the factor $1/s$ varies
//! on the scale $\theta \sim |1 - \sqrt\gamma|$, and after many steps the filters vary on the scale
//! $\theta \sim (t s_\pm)^{-1/2}$ near the edges. The rules ([`SpectralQuadrature::rule`]) are
//! Gauss–Legendre in $\theta$ with 16, 32, 64, 128 nodes, then, for integrands these do not
//! resolve, a sigmoidal grading $\theta = \pi\,x^3/(x^3 + (1 - x)^3)$ (nodes cluster cubically
//! at both ends; Sidi 1993) with Gauss–Legendre in $x \in [0, 1]$, 128 to 32768 nodes: the level
//! is raised until two consecutive levels agree to [`QUADRATURE_TOLERANCE`] on every output,
//! relative to the larger of the output and $r^2 + \sigma^2$ (the training error at $t = 0$; so
//! an output that is itself tiny, such as the bias after a long time, is judged on the absolute
//! scale of the problem), and the finer value is returned with the difference as `quadrature_error`.
//! More than [`MAX_LEVEL`] levels is [`Error::NotConverged`].

pub mod anisotropic;

pub use anisotropic::{AnisotropicDynamics, AnisotropicDynamicsModel, AnisotropicEarlyStopping};

use std::num::NonZeroUsize;

use gauss_quad::GaussLegendre;

use crate::error::{Error, Result, validate};
use crate::theory::ridge::{OptimalRidge, Ridge, RidgeRisk};

/// Relative agreement of two consecutive quadrature levels at which a value is accepted.
pub const QUADRATURE_TOLERANCE: f64 = 1e-12;

/// Highest quadrature level (graded, $16\cdot2^{11} = 32768$ nodes).
pub const MAX_LEVEL: u32 = 12;

/// Levels of plain (ungraded) rules before the graded ones: 16, 32, 64, 128 nodes.
pub const PLAIN_LEVELS: u32 = 4;

/// Largest number of steps of a discrete method (the recursion costs steps times nodes).
pub const MAX_STEPS: u64 = 10_000_000;

/// Largest number of steps of [`DynamicsModel::all_steps`] (which keeps every step).
pub const MAX_CURVE_STEPS: u64 = 1_000_000;

/// Largest $\gamma$ accepted (the support edge $(1 + \sqrt\gamma)^2$ stays representable with
/// room for $\lambda$ and the step sizes).
pub const MAX_GAMMA: f64 = 1e12;

/// The first-order method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// Gradient flow $\dot b = -\nabla L(b)$, continuous time $t$ (CLI `gradient-flow`).
    #[default]
    GradientFlow,
    /// Gradient descent $b_{k+1} = b_k - \eta\nabla L(b_k)$ (CLI `gd`).
    GradientDescent,
    /// Polyak's heavy ball $b_{k+1} = b_k - \eta\nabla L(b_k) + m(b_k - b_{k-1})$ (CLI `heavy-ball`).
    HeavyBall,
    /// Nesterov: $y_k = b_k + m(b_k - b_{k-1})$, $b_{k+1} = y_k - \eta\nabla L(y_k)$ (CLI `nesterov`).
    Nesterov,
}

impl Algorithm {
    /// The name used by the CLI and in records: `gradient-flow`, `gd`, `heavy-ball`, `nesterov`.
    pub fn name(self) -> &'static str {
        match self {
            Self::GradientFlow => "gradient-flow",
            Self::GradientDescent => "gd",
            Self::HeavyBall => "heavy-ball",
            Self::Nesterov => "nesterov",
        }
    }

    /// Whether the method runs in discrete steps (everything but gradient flow).
    pub fn is_discrete(self) -> bool {
        self != Self::GradientFlow
    }

    /// The largest stable step $\eta_{\max}$ for momentum `m` on a spectrum whose top is
    /// `top` $= \lambda + s_+$: the recursion of the filter at $u$ has characteristic polynomial
    /// $z^2 - (1 + m - \eta u)z + m$ (heavy ball) or $z^2 - (1 - \eta u)(1 + m)z + (1 - \eta u)m$
    /// (Nesterov); by the Jury (Schur–Cohn) conditions both roots lie in the open unit disc for
    /// every $u \in (0, \text{top}]$ iff $0 \le m < 1$ and
    ///
    /// - gradient descent ($m = 0$): $\eta\,\text{top} < 2$;
    /// - heavy ball: $\eta\,\text{top} < 2(1 + m)$;
    /// - Nesterov: $\eta\,\text{top} < 2(1 + m)/(1 + 2m)$
    ///
    /// (the conditions of docs/dynamics.md, derived and tested in `tests/theory_dynamics.rs`
    /// against the companion matrices' spectral radii). Gradient flow is stable for every
    /// $t$: `f64::MAX`.
    ///
    /// Domain: `top` $> 0$ finite, $0 \le m < 1$ (then the result is finite and positive).
    pub fn max_stable_lr(self, m: f64, top: f64) -> f64 {
        match self {
            Self::GradientFlow => f64::MAX,
            Self::GradientDescent => 2.0 / top,
            Self::HeavyBall => 2.0 * (1.0 + m) / top,
            Self::Nesterov => 2.0 * (1.0 + m) / ((1.0 + 2.0 * m) * top),
        }
    }
}

impl Algorithm {
    /// `Ok` when the method is discrete exactly when `discrete` (a number of steps) or
    /// continuous when not (a time); shared by the isotropic and the population models.
    ///
    /// Errors: [`Error::InvalidChoice`] (`algorithm`) otherwise.
    pub(crate) fn require(self, discrete: bool) -> Result<()> {
        if self.is_discrete() != discrete {
            return Err(Error::InvalidChoice {
                name: "algorithm",
                value: self.name().to_string(),
                expected: if discrete {
                    "a discrete method (gd, heavy-ball, nesterov) for a number of steps"
                } else {
                    "gradient-flow for a continuous time"
                },
            });
        }
        Ok(())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = Error;
    /// `gradient-flow` (or `gf`), `gd`, `heavy-ball`, `nesterov`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "gradient-flow" | "gf" => Ok(Self::GradientFlow),
            "gd" | "gradient-descent" => Ok(Self::GradientDescent),
            "heavy-ball" => Ok(Self::HeavyBall),
            "nesterov" => Ok(Self::Nesterov),
            _ => Err(Error::InvalidChoice {
                name: "algorithm",
                value: s.to_string(),
                expected: "gradient-flow, gd, heavy-ball or nesterov",
            }),
        }
    }
}

/// Parameters of least-squares training dynamics with isotropic Gaussian design (unchecked).
///
/// ```
/// use overparam::theory::dynamics::{Algorithm, Dynamics};
/// // Gradient flow for a long time reaches the min-norm interpolator (gamma = 2):
/// // r^2 (1 - 1/gamma) + sigma^2/(gamma - 1) = 4 * 0.5 + 1 = 3.
/// let m = Dynamics { gamma: 2.0, snr: 4.0, ..Default::default() }.check()?;
/// assert!((m.at_time(1e5)?.test_error - 3.0).abs() < 1e-10);
/// // Gradient flow at t = 0 is the null estimator: test error r^2, training error r^2 + sigma^2.
/// let r = m.at_time(0.0)?;
/// assert!((r.test_error - 4.0).abs() < 1e-12 && (r.train_error - 5.0).abs() < 1e-12);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dynamics {
    /// $\gamma = p/n$, finite, $0 < \gamma \le 10^{12}$.
    pub gamma: f64,
    /// Signal-to-noise ratio $r^2/\sigma^2 \ge 0$.
    pub snr: f64,
    /// Label-noise standard deviation $\sigma > 0$ (default $1$).
    pub noise_sd: f64,
    /// Ridge term $\lambda \ge 0$ in the loss $\tfrac1{2n}\|y - Xb\|^2 + \tfrac\lambda2\|b\|^2$
    /// (default $0$); the long-time limit is ridge at this $\lambda$.
    pub lambda: f64,
    /// The method (default gradient flow).
    pub algorithm: Algorithm,
    /// Step size $\eta > 0$ of the discrete methods (ignored by gradient flow), inside the
    /// stability region (see [`Algorithm::max_stable_lr`]).
    pub lr: f64,
    /// Momentum $m \in [0, 1)$ of heavy ball and Nesterov; must be $0$ for gradient descent and
    /// is ignored by gradient flow.
    pub momentum: f64,
}

impl Default for Dynamics {
    /// $\gamma = 0.5$, snr $4$, $\sigma = 1$, $\lambda = 0$, gradient flow, $\eta = 0.1$, $m = 0$.
    fn default() -> Self {
        Self {
            gamma: 0.5,
            snr: 4.0,
            noise_sd: 1.0,
            lambda: 0.0,
            algorithm: Algorithm::GradientFlow,
            lr: 0.1,
            momentum: 0.0,
        }
    }
}

impl Dynamics {
    /// Validate every field.
    ///
    /// Domain: $0 < \gamma \le 10^{12}$, $\mathrm{snr} \ge 0$, $\sigma > 0$ with $\sigma^2$ and
    /// $r^2 = \mathrm{snr}\,\sigma^2$ finite, $\lambda \ge 0$ finite; for the discrete methods
    /// $\eta > 0$ strictly inside the stability region on the top edge $\lambda + (1 +
    /// \sqrt\gamma)^2$ of the spectrum ([`Algorithm::max_stable_lr`]), $m \in [0, 1)$ (heavy
    /// ball, Nesterov) or $m = 0$ (gradient descent).
    ///
    /// **Outside the stability region** the trajectory diverges geometrically (the filter grows
    /// like $|z_{\max}|^k$ at the top of the spectrum), its limit and early-stopping optimum do not
    /// exist, and a finite-size problem would diverge too: this is an
    /// [`Error::InvalidParameter`] naming `lr` (with the bound in the message), not a `diverges`
    /// flag. The boundary itself (a root on the unit circle: no convergence) is outside.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field (`gamma`, `snr`, `noise_sd`,
    /// `lambda`, `lr`, `momentum`).
    pub fn check(&self) -> Result<DynamicsModel> {
        let gamma = validate::positive("gamma", self.gamma)?;
        if gamma > MAX_GAMMA {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "0 < gamma <= 1e12",
            });
        }
        let snr = validate::non_negative("snr", self.snr)?;
        let sigma = validate::positive("noise_sd", self.noise_sd)?;
        if !(sigma * sigma).is_finite() {
            return Err(Error::InvalidParameter {
                name: "noise_sd",
                value: sigma,
                expected: "a finite number > 0 whose square is finite (below about 1.3e154)",
            });
        }
        if !(snr * sigma * sigma).is_finite() {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: snr,
                expected: "snr * noise_sd^2 finite",
            });
        }
        let lambda = validate::non_negative("lambda", self.lambda)?;
        let top = lambda + (1.0 + gamma.sqrt()).powi(2);
        if !top.is_finite() {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: lambda,
                expected: "lambda + (1 + sqrt(gamma))^2 finite",
            });
        }
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
                    expected: match algorithm {
                        Algorithm::GradientDescent => {
                            "lr * (lambda + (1 + sqrt(gamma))^2) < 2 (stability of gradient descent on the top of the spectrum)"
                        }
                        Algorithm::HeavyBall => {
                            "lr * (lambda + (1 + sqrt(gamma))^2) < 2 (1 + momentum) (stability of heavy ball on the top of the spectrum)"
                        }
                        _ => {
                            "lr * (lambda + (1 + sqrt(gamma))^2) < 2 (1 + momentum) / (1 + 2 momentum) (stability of Nesterov on the top of the spectrum)"
                        }
                    },
                });
            }
            (lr, momentum)
        } else {
            (0.0, 0.0)
        };
        Ok(DynamicsModel {
            gamma,
            snr,
            sigma,
            lambda,
            algorithm,
            lr,
            momentum,
            quadrature: SpectralQuadrature::marchenko_pastur(gamma)?,
        })
    }
}

/// The spectral measure the filters are integrated against, as graded Gauss–Legendre rules of
/// increasing level (see the module documentation). The one place the spectrum enters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralQuadrature {
    gamma: f64,
    /// Mass of the atom at $s = 0$.
    atom: f64,
}

/// One quadrature rule: nodes $s_i$ of the continuous part and their weights (for $\Sigma = I$
/// the bias and variance measures coincide).
#[derive(Debug, Clone, PartialEq)]
pub struct QuadratureRule {
    /// Nodes $s_i > 0$ in the support.
    pub nodes: Vec<f64>,
    /// Weights of $\mu_c$ (continuous part) at the nodes; their sum is $\min(1, 1/\gamma)$.
    pub weights: Vec<f64>,
}

impl SpectralQuadrature {
    /// The Marchenko–Pastur law of ratio $\gamma$.
    ///
    /// Domain: $0 < \gamma \le 10^{12}$ ([`MAX_GAMMA`]); outside it
    /// [`Error::InvalidParameter`] naming `gamma`.
    pub fn marchenko_pastur(gamma: f64) -> Result<Self> {
        let gamma = validate::positive("gamma", gamma)?;
        if gamma > MAX_GAMMA {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "0 < gamma <= 1e12",
            });
        }
        Ok(Self {
            gamma,
            atom: (1.0 - 1.0 / gamma).max(0.0),
        })
    }

    /// Mass of the atom at $0$: $(1 - 1/\gamma)_+$.
    pub fn atom(&self) -> f64 {
        self.atom
    }

    /// The support $[(1 - \sqrt\gamma)^2, (1 + \sqrt\gamma)^2]$ of the continuous part.
    pub fn support(&self) -> (f64, f64) {
        let r = self.gamma.sqrt();
        ((1.0 - r).powi(2), (1.0 + r).powi(2))
    }

    /// The rule of level $\ell$. Levels $0$ to [`PLAIN_LEVELS`]$ - 1$: $16\cdot2^\ell$
    /// Gauss–Legendre nodes in $\theta \in [0, \pi]$ (the plain cosine substitution, fastest for
    /// smooth integrands); from level [`PLAIN_LEVELS`] on: $16\cdot2^{\ell - 1}$ nodes in
    /// $x \in [0, 1]$ with the cubic grading $\theta = \pi x^3/(x^3 + (1-x)^3)$ (for integrands
    /// that are steep at the ends of the support). Always $s = 1 + \gamma - 2\sqrt\gamma\cos\theta$
    /// and weight $\tfrac2\pi\sin^2\theta/s\cdot\theta'(x)\,w_i$. Consecutive levels are
    /// independent rules, so their agreement is an error estimate.
    pub fn rule(&self, level: u32) -> QuadratureRule {
        let level = level.min(MAX_LEVEL);
        let graded = level >= PLAIN_LEVELS;
        let n = if graded {
            16usize << (level - 1)
        } else {
            16usize << level
        };
        let gl = GaussLegendre::new(NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN));
        let rt = self.gamma.sqrt();
        let pi = std::f64::consts::PI;
        let mut nodes = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for &(xi, wi) in gl.as_node_weight_pairs() {
            // GL on [-1, 1] -> x in [0, 1].
            let x = 0.5 * (xi + 1.0);
            let (theta, dtheta) = if graded {
                let (x3, y3) = (x * x * x, (1.0 - x).powi(3));
                let den = x3 + y3;
                (
                    pi * x3 / den,
                    pi * 3.0 * x * x * (1.0 - x) * (1.0 - x) / (den * den),
                )
            } else {
                (pi * x, pi)
            };
            // s = 1 + g - 2 rt cos(theta) = (1 - rt)^2 + 4 rt sin^2(theta/2), no cancellation.
            let half = (0.5 * theta).sin();
            let s = (1.0 - rt).powi(2) + 4.0 * rt * half * half;
            let st = theta.sin();
            // dmu = (2/pi) sin^2(theta)/s dtheta, valid for every gamma (mass min(1, 1/gamma)).
            let w = 2.0 / pi * st * st / s * dtheta * 0.5 * wi;
            if s > 0.0 && w > 0.0 && s.is_finite() && w.is_finite() {
                nodes.push(s);
                weights.push(w);
            }
        }
        QuadratureRule { nodes, weights }
    }
}

/// Validated dynamics problem (see [`Dynamics`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsModel {
    gamma: f64,
    snr: f64,
    sigma: f64,
    lambda: f64,
    algorithm: Algorithm,
    lr: f64,
    momentum: f64,
    quadrature: SpectralQuadrature,
}

/// Bias, variance, test and training error at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsRisk {
    /// Gradient-flow time $t$, or the number of steps $k$ of a discrete method.
    pub time: f64,
    /// Excess test risk $B + V$ (label noise excluded), as `ridge`'s `test_error`.
    pub test_error: f64,
    /// Bias $B = r^2\int\rho^2\,d\mu$.
    pub bias: f64,
    /// Variance $V = \sigma^2\gamma\int s\,q^2\,d\mu$.
    pub variance: f64,
    /// Training error $\tfrac1n\|y - Xb\|^2$ (label noise included).
    pub train_error: f64,
    /// Nodes of the accepted quadrature rule.
    pub nodes: usize,
    /// Largest difference between the accepted level and the one below, over the four outputs
    /// (an estimate of the quadrature error, conservative since the finer value is returned).
    pub quadrature_error: f64,
}

/// The early-stopping optimum and its comparison with optimally tuned ridge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// The risk at the optimal time (its `time` is the optimal $t$ or $k$). When the infimum is
    /// the long-time limit ([`Self::stops_early`] false), this is the risk at the largest time
    /// searched.
    pub at_optimum: DynamicsRisk,
    /// Whether the optimum is at a finite time; false when the test error decreases to its
    /// long-time limit (then stopping early does not help).
    pub stops_early: bool,
    /// Optimally tuned ridge ($\lambda^* = \gamma/\mathrm{snr}$), the Bayes-optimal linear
    /// estimator for this prior: its test error is a lower bound.
    pub ridge: OptimalRidge,
    /// `at_optimum.test_error / ridge.at_optimum.test_error` ($\ge 1$).
    pub ratio_to_ridge: f64,
}

/// Accumulated integrals at one time: $\int\rho^2 d\mu_c$, $\int s q^2 d\mu_c$, $\int s\rho^2 d\mu_c$.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Integrals {
    rho2: f64,
    sq2: f64,
    srho2: f64,
}

impl Integrals {
    fn add(&mut self, s: f64, w: f64, q: f64, rho: f64) {
        self.rho2 += w * rho * rho;
        self.sq2 += w * s * q * q;
        self.srho2 += w * s * rho * rho;
    }
}

/// The time bracket of the early-stopping search,
/// $[10^{-3}/(\lambda + s_+),\, 10^4/\max(\lambda + s_-, 10^{-4}s_+)]$ for a spectrum supported
/// on $[s_-, s_+]$ and a loss penalty $\lambda$: from well before the fastest mode moves to well
/// after the slowest one has converged.
pub(crate) fn early_stopping_bracket(lambda: f64, (lo_edge, hi_edge): (f64, f64)) -> (f64, f64) {
    (
        1e-3 / (lambda + hi_edge),
        1e4 / (lambda + lo_edge).max(1e-4 * hi_edge),
    )
}

/// The early-stopping search shared by every population: minimise `risk(t)` over
/// $t \in [\text{lo}, \text{hi}]$ (41 log-spaced times, then Brent in $\ln t$;
/// [`crate::solver::minimize_log_scale`]).
pub(crate) fn optimal_time<F>(risk: F, lo: f64, hi: f64) -> Result<crate::solver::ScalarOptimum>
where
    F: FnMut(f64) -> Result<f64>,
{
    crate::solver::minimize_log_scale(risk, lo, hi, crate::solver::LogGridOptions::default())
}

/// Whether a location is at the upper end of the search (to relative $10^{-6}$).
pub(crate) fn at_search_end(location: f64, end: f64) -> bool {
    location >= end * (1.0 - 1e-6)
}

/// An optimum found at the end of the search stops early unless the long-time limit (when it
/// exists) is at least as low.
pub(crate) fn stops_early(at_end: bool, value: f64, limit: Option<f64>) -> bool {
    !(at_end && limit.is_some_and(|l| l <= value))
}

/// The filter of gradient flow, $q_t(u) = (1 - e^{-tu})/u$, and its limit $t$ at $u = 0$.
///
/// Domain: $t \ge 0$ finite, $u \ge 0$ finite (a low-level kernel: outside it IEEE arithmetic).
pub fn gradient_flow_filter(t: f64, u: f64) -> f64 {
    if u == 0.0 {
        return t;
    }
    -(-(t * u)).exp_m1() / u
}

/// $(q_t(u), e^{-tu})$ with one transcendental call: `exp` where $1 - e^{-tu}$ does not cancel
/// ($tu \ge 1/2$: at most one bit lost), `exp_m1` below.
#[inline]
fn gradient_flow_both(t: f64, u: f64) -> (f64, f64) {
    let tu = t * u;
    if tu >= 0.5 {
        let e = (-tu).exp();
        ((1.0 - e) / u, e)
    } else if u == 0.0 {
        (t, 1.0)
    } else {
        // e^{-tu} = 1 + expm1(-tu) is accurate to an ulp of 1 here (it is >= e^{-1/2}).
        let m = (-tu).exp_m1();
        (-m / u, 1.0 + m)
    }
}

/// Gradient flow's $(q_t(u), \rho)$ at $u = s + \lambda$: $\rho = e^{-tu} + \lambda q_t(u)$
/// ($= 1 - sq$ without its cancellation).
fn gradient_flow_pair(t: f64, s: f64, lambda: f64) -> (f64, f64) {
    let (q, p) = gradient_flow_both(t, s + lambda);
    (q, p + lambda * q)
}

/// The state of a two-term filter recursion at one value of $u$: the filter $(q_k, q_{k-1})$ and
/// the residual polynomial $(p_k, p_{k-1})$, $p = 1 - uq$, carried separately so that a residual
/// far below $1$ (a direction that is learnt) keeps its relative accuracy instead of being the
/// rounding error of $1 - uq$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilterState {
    /// $q_k$.
    pub q: f64,
    /// $q_{k-1}$.
    pub prev: f64,
    /// $p_k(u)$.
    pub p: f64,
    /// $p_{k-1}(u)$.
    pub p_prev: f64,
}

impl Default for FilterState {
    /// $q_0 = q_{-1} = 0$, $p_0 = p_{-1} = 1$ (zero initialisation).
    fn default() -> Self {
        Self {
            q: 0.0,
            prev: 0.0,
            p: 1.0,
            p_prev: 1.0,
        }
    }
}

impl FilterState {
    /// One step of the filter recursion of `algorithm` (a discrete method) at $u$.
    ///
    /// Domain: finite $\eta$, $m$, $u$ (a low-level kernel; inside the stability region the
    /// state stays bounded, outside it grows geometrically and IEEE arithmetic applies).
    #[inline]
    pub fn step(&mut self, algorithm: Algorithm, lr: f64, m: f64, u: f64) {
        let (next, next_p) = match algorithm {
            Algorithm::HeavyBall => {
                let c = 1.0 + m - lr * u;
                (
                    c * self.q - m * self.prev + lr,
                    c * self.p - m * self.p_prev,
                )
            }
            Algorithm::Nesterov => {
                let c = 1.0 - lr * u;
                (
                    c * ((1.0 + m) * self.q - m * self.prev) + lr,
                    c * ((1.0 + m) * self.p - m * self.p_prev),
                )
            }
            // Gradient descent (and gradient flow, never stepped).
            _ => {
                let c = 1.0 - lr * u;
                (c * self.q + lr, c * self.p)
            }
        };
        self.prev = self.q;
        self.q = next;
        self.p_prev = self.p;
        self.p = next_p;
    }

    /// The factor of $\beta$ in $b - \beta$ at eigenvalue $s = u - \lambda$:
    /// $\rho = 1 - sq = p(u) + \lambda q(u)$.
    #[inline]
    pub fn rho(&self, lambda: f64) -> f64 {
        self.p + lambda * self.q
    }
}

impl DynamicsModel {
    /// $\gamma$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// Signal-to-noise ratio.
    pub fn snr(&self) -> f64 {
        self.snr
    }
    /// $\sigma$.
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }
    /// Ridge term $\lambda$ of the loss.
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
    /// Momentum (0 for gradient flow and gradient descent).
    pub fn momentum(&self) -> f64 {
        self.momentum
    }
    /// Signal energy $r^2 = \mathrm{snr}\,\sigma^2$.
    pub fn signal_energy(&self) -> f64 {
        self.snr * self.sigma * self.sigma
    }
    /// $r^2 + \sigma^2$, the scale of the quadrature's convergence test.
    fn scale(&self) -> f64 {
        self.signal_energy() + self.sigma * self.sigma
    }
    /// The spectral measure (Marchenko–Pastur of ratio $\gamma$).
    pub fn quadrature(&self) -> &SpectralQuadrature {
        &self.quadrature
    }
    /// The largest stable step $\eta_{\max}$ at this momentum on the top $\lambda + s_+$ of the
    /// spectrum ([`Algorithm::max_stable_lr`]).
    pub fn max_stable_lr(&self) -> f64 {
        let top = self.lambda + self.quadrature.support().1;
        self.algorithm.max_stable_lr(self.momentum, top)
    }

    /// The filter $q(u)$ at time `time` ($t$ for gradient flow, the number of steps for a
    /// discrete method) and $u = s + \lambda \ge 0$, so that the estimator is
    /// $b = q(S + \lambda)X^\top y/n$. At $u = 0$ gradient flow gives $t$; the discrete recursions
    /// are run literally (cost: `time` steps).
    ///
    /// Domain: `time` $\ge 0$ finite (an integer $\le$ [`MAX_STEPS`] for a discrete method),
    /// $u \ge 0$ finite. Errors: [`Error::InvalidParameter`] (`time`, `steps` or `u`);
    /// [`Error::NonFinite`] if the value overflows.
    pub fn filter(&self, time: f64, u: f64) -> Result<f64> {
        Ok(self.filter_and_residual(time, u)?.0)
    }

    /// The filter $q(u)$ and the residual $p(u) = 1 - uq(u)$ (computed by its own recursion,
    /// so that it keeps its relative accuracy when it is small); as [`Self::filter`].
    ///
    /// Errors: as [`Self::filter`].
    pub fn filter_and_residual(&self, time: f64, u: f64) -> Result<(f64, f64)> {
        let u = validate::non_negative("u", u)?;
        let time = validate::non_negative("time", time)?;
        let (q, p) = if self.algorithm.is_discrete() {
            let k = steps_of(time)?;
            let mut st = FilterState::default();
            for _ in 0..k {
                st.step(self.algorithm, self.lr, self.momentum, u);
            }
            (st.q, st.p)
        } else {
            let (q, rho) = gradient_flow_pair(time, u, 0.0);
            (q, rho)
        };
        crate::error::finite(q, "dynamics filter")?;
        crate::error::finite(p, "dynamics residual")?;
        Ok((q, p))
    }

    /// Validate a time for this method: $t \ge 0$ finite for gradient flow (an error naming
    /// `time`), an integer number of steps in $[0, 10^7]$ for a discrete method (naming `steps`).
    ///
    /// Errors: [`Error::InvalidParameter`] as described.
    pub fn check_time(&self, time: f64) -> Result<f64> {
        if self.algorithm.is_discrete() {
            steps_of(time).map(|k| k as f64)
        } else {
            validate::non_negative("time", time)
        }
    }

    /// The risk at `time`: [`Self::at_time`] for gradient flow, [`Self::at_steps`] (with
    /// `time` an integer number of steps) for a discrete method.
    ///
    /// Errors: as those two; [`Error::InvalidParameter`] (`steps`) for a non-integer step count.
    pub fn at(&self, time: f64) -> Result<DynamicsRisk> {
        if self.algorithm.is_discrete() {
            self.at_steps(steps_of(time)?)
        } else {
            self.at_time(time)
        }
    }

    /// The same parameters with another method, step and momentum (checked again).
    ///
    /// Errors: as [`Dynamics::check`].
    pub fn with_algorithm(&self, algorithm: Algorithm, lr: f64, momentum: f64) -> Result<Self> {
        self.params(algorithm, lr, momentum).check()
    }

    fn params(&self, algorithm: Algorithm, lr: f64, momentum: f64) -> Dynamics {
        Dynamics {
            gamma: self.gamma,
            snr: self.snr,
            noise_sd: self.sigma,
            lambda: self.lambda,
            algorithm,
            lr,
            momentum,
        }
    }

    /// Risks from the integrals over the continuous part.
    fn assemble(&self, time: f64, i: Integrals, nodes: usize) -> DynamicsRisk {
        let g = self.gamma;
        let r2 = self.signal_energy();
        let s2 = self.sigma * self.sigma;
        let atom = self.quadrature.atom;
        // rho(0) = 1 on the atom; gamma * atom + 1 - gamma = 0 for gamma > 1.
        let bias = r2 * (i.rho2 + atom);
        let variance = s2 * g * i.sq2;
        let noise_train = if g <= 1.0 {
            g * i.rho2 + (1.0 - g)
        } else {
            g * i.rho2
        };
        let train_error = r2 * i.srho2 + s2 * noise_train;
        DynamicsRisk {
            time,
            test_error: bias + variance,
            bias,
            variance,
            train_error,
            nodes,
            quadrature_error: 0.0,
        }
    }

    fn gf_integrals(&self, t: f64, rule: &QuadratureRule) -> Integrals {
        let mut acc = Integrals::default();
        for (&s, &w) in rule.nodes.iter().zip(&rule.weights) {
            let (q, rho) = gradient_flow_pair(t, s, self.lambda);
            acc.add(s, w, q, rho);
        }
        acc
    }

    /// [`Self::gf_integrals`] with $1/u$ per node precomputed (a curve reuses the rule).
    fn gf_integrals_fast(&self, t: f64, rule: &QuadratureRule, inv_u: &[f64]) -> Integrals {
        let mut acc = Integrals::default();
        let lambda = self.lambda;
        for ((&s, &w), &iu) in rule.nodes.iter().zip(&rule.weights).zip(inv_u) {
            let tu = t * (s + lambda);
            let (q, e) = if tu >= 0.5 {
                let e = (-tu).exp();
                ((1.0 - e) * iu, e)
            } else {
                let m = (-tu).exp_m1();
                (-m * iu, 1.0 + m)
            };
            acc.add(s, w, q, e + lambda * q);
        }
        acc
    }

    fn require(&self, discrete: bool) -> Result<()> {
        self.algorithm.require(discrete)
    }

    /// Gradient flow at time $t$ (adaptive quadrature; see the module documentation).
    ///
    /// Domain: $t \ge 0$ finite. Errors: [`Error::InvalidParameter`] (`time`) outside it;
    /// [`Error::InvalidChoice`] (`algorithm`) for a discrete method; [`Error::NotConverged`] if
    /// the quadrature does not converge by [`MAX_LEVEL`]; [`Error::NonFinite`] on overflow.
    pub fn at_time(&self, t: f64) -> Result<DynamicsRisk> {
        Ok(self.curve_time(&[t])?.remove(0))
    }

    /// Gradient flow at every time in `times` (any order): the quadrature level is chosen where
    /// the filter is steepest (the largest and smallest times, and the median) and then used for
    /// every time, each a pass over the nodes (one `exp_m1` per node and time).
    ///
    /// Errors: as [`Self::at_time`], for the first offending time.
    pub fn curve_time(&self, times: &[f64]) -> Result<Vec<DynamicsRisk>> {
        self.require(false)?;
        for &t in times {
            validate::non_negative("time", t)?;
        }
        if times.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted: Vec<f64> = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let probes = [
            sorted[0],
            sorted[sorted.len() / 2],
            sorted[sorted.len() - 1],
        ];
        let coarse = self.quadrature.rule(0);
        let mut coarse_vals: Vec<DynamicsRisk> = probes
            .iter()
            .map(|&t| self.assemble(t, self.gf_integrals(t, &coarse), coarse.nodes.len()))
            .collect();
        let mut last_err = f64::INFINITY;
        for level in 1..=MAX_LEVEL {
            let fine = self.quadrature.rule(level);
            let fine_vals: Vec<DynamicsRisk> = probes
                .iter()
                .map(|&t| self.assemble(t, self.gf_integrals(t, &fine), fine.nodes.len()))
                .collect();
            let err = coarse_vals
                .iter()
                .zip(&fine_vals)
                .map(|(a, b)| relative_gap(a, b, self.scale()))
                .fold(0.0f64, f64::max);
            last_err = err;
            if err <= QUADRATURE_TOLERANCE {
                let abs_err = coarse_vals
                    .iter()
                    .zip(&fine_vals)
                    .map(|(a, b)| absolute_gap(a, b))
                    .fold(0.0f64, f64::max);
                // Nodes are > 0 (the rule drops any other), so 1/u is finite.
                let inv_u: Vec<f64> = fine
                    .nodes
                    .iter()
                    .map(|&s| 1.0 / (s + self.lambda))
                    .collect();
                return times
                    .iter()
                    .map(|&t| {
                        let mut r = self.assemble(
                            t,
                            self.gf_integrals_fast(t, &fine, &inv_u),
                            fine.nodes.len(),
                        );
                        r.quadrature_error = abs_err;
                        finite_risk(r)
                    })
                    .collect();
            }
            coarse_vals = fine_vals;
        }
        Err(not_converged(&coarse_vals, last_err))
    }

    /// A discrete method after $k$ steps.
    ///
    /// Domain: $0 \le k \le$ [`MAX_STEPS`]. Errors: [`Error::InvalidParameter`] (`steps`);
    /// [`Error::InvalidChoice`] (`algorithm`) for gradient flow; [`Error::NotConverged`] if the
    /// quadrature does not converge; [`Error::NonFinite`] on overflow.
    pub fn at_steps(&self, k: u64) -> Result<DynamicsRisk> {
        Ok(self.curve_steps(&[k])?.remove(0))
    }

    /// A discrete method at every step count in `steps` (any order): one run of the recursion up
    /// to the largest, at two consecutive quadrature levels at once, compared at every requested
    /// step; the level is raised until they agree.
    ///
    /// Errors: as [`Self::at_steps`].
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
        let mut coarse = self.run_steps(&self.quadrature.rule(0), steps);
        let mut last_err = f64::INFINITY;
        for level in 1..=MAX_LEVEL {
            let fine = self.run_steps(&self.quadrature.rule(level), steps);
            let err = coarse
                .iter()
                .zip(&fine)
                .map(|(a, b)| relative_gap(a, b, self.scale()))
                .fold(0.0f64, f64::max);
            last_err = err;
            if err <= QUADRATURE_TOLERANCE {
                return coarse
                    .iter()
                    .zip(fine)
                    .map(|(a, mut b)| {
                        b.quadrature_error = absolute_gap(a, &b);
                        finite_risk(b)
                    })
                    .collect();
            }
            coarse = fine;
        }
        Err(not_converged(&coarse, last_err))
    }

    /// Every step $0, 1, \dots, K$ of a discrete method at one rule, in step order
    /// ($K \le$ [`MAX_CURVE_STEPS`]).
    fn run_all_steps(&self, rule: &QuadratureRule, last: u64) -> Vec<DynamicsRisk> {
        let mut states = vec![FilterState::default(); rule.nodes.len()];
        let mut out = Vec::with_capacity(last as usize + 1);
        for k in 0..=last {
            if k > 0 {
                for (st, &s) in states.iter_mut().zip(&rule.nodes) {
                    st.step(self.algorithm, self.lr, self.momentum, s + self.lambda);
                }
            }
            out.push(self.integrate_states(k, rule, &states));
        }
        out
    }

    fn integrate_states(
        &self,
        k: u64,
        rule: &QuadratureRule,
        states: &[FilterState],
    ) -> DynamicsRisk {
        let mut acc = Integrals::default();
        for ((st, &s), &w) in states.iter().zip(&rule.nodes).zip(&rule.weights) {
            acc.add(s, w, st.q, st.rho(self.lambda));
        }
        self.assemble(k as f64, acc, rule.nodes.len())
    }

    /// The step in $0..=K$ with the smallest test error at one rule (one recursion, nothing
    /// kept but the best).
    fn argmin_steps(&self, rule: &QuadratureRule, last: u64) -> DynamicsRisk {
        let mut states = vec![FilterState::default(); rule.nodes.len()];
        let mut best = self.integrate_states(0, rule, &states);
        for k in 1..=last {
            for (st, &s) in states.iter_mut().zip(&rule.nodes) {
                st.step(self.algorithm, self.lr, self.momentum, s + self.lambda);
            }
            let r = self.integrate_states(k, rule, &states);
            if r.test_error < best.test_error {
                best = r;
            }
        }
        best
    }

    /// The requested steps at one rule (one recursion up to the largest).
    fn run_steps(&self, rule: &QuadratureRule, steps: &[u64]) -> Vec<DynamicsRisk> {
        let mut order: Vec<usize> = (0..steps.len()).collect();
        order.sort_by_key(|&i| steps[i]);
        let mut out = vec![None; steps.len()];
        let mut states = vec![FilterState::default(); rule.nodes.len()];
        let mut k = 0u64;
        for i in order {
            while k < steps[i] {
                for (st, &s) in states.iter_mut().zip(&rule.nodes) {
                    st.step(self.algorithm, self.lr, self.momentum, s + self.lambda);
                }
                k += 1;
            }
            out[i] = Some(self.integrate_states(k, rule, &states));
        }
        out.into_iter().flatten().collect()
    }

    /// The long-time limit: the ridge risk at the loss's $\lambda$ (ridgeless for $\lambda = 0$:
    /// least squares for $\gamma < 1$, the min-norm interpolator for $\gamma > 1$, which gradient
    /// methods from zero converge to). Every stable method has the same limit.
    ///
    /// Errors: those of [`Ridge::check`] and `risk` (e.g. $\gamma = 1$ with $\lambda = 0$,
    /// where the limit is infinite: [`Error::InvalidParameter`] naming `lambda`).
    pub fn limit(&self) -> Result<RidgeRisk> {
        self.ridge(self.lambda)?.risk()
    }

    fn ridge(&self, lambda: f64) -> Result<crate::theory::ridge::RidgeModel> {
        Ridge {
            gamma: self.gamma,
            lambda,
            snr: self.snr,
            noise_sd: self.sigma,
            ..Ridge::default()
        }
        .check()
    }

    /// Ridge at $\lambda = 1/t$ (plus the loss's own $\lambda$), the estimator Ali, Kolter &
    /// Tibshirani 2019 (arXiv:1810.10082, Theorem 1) compare with gradient flow at time $t$: for
    /// every $t > 0$ the gradient-flow risk is at most $1.6862$ times this one.
    ///
    /// Errors: [`Error::InvalidParameter`] (`time`) unless $t > 0$ finite; those of the ridge
    /// risk.
    pub fn ridge_at_inverse_time(&self, t: f64) -> Result<RidgeRisk> {
        let t = validate::positive("time", t)?;
        self.ridge(self.lambda + 1.0 / t)?.risk()
    }

    /// The early-stopping optimum: the time (gradient flow) or the number of steps that minimises
    /// the test error, and its comparison with optimally tuned ridge
    /// ([`crate::theory::ridge::RidgeModel::optimal_lambda`]).
    ///
    /// Gradient flow: a scan of 41 log-spaced times in $[10^{-3}/s_+,\, 10^4/\max(\lambda +
    /// s_-, 10^{-4}s_+)]$, $s_\pm$ the support edges, refined by Brent in $\ln t$
    /// ([`crate::solver::minimize_log_scale`]). Discrete methods: every step up to $K =
    /// \lceil 4t^*/\eta\rceil + 16$ ($t^*$ the gradient-flow optimum, or the end of its bracket),
    /// capped at [`MAX_STEPS`], the exact minimum over the integers. If the minimum is at the end
    /// of the search and the long-time limit is lower, [`EarlyStopping::stops_early`] is false.
    ///
    /// Errors: [`Error::InvalidParameter`] (`snr`) for $\mathrm{snr} = 0$ (the optimal ridge
    /// penalty is infinite); those of the risk functions.
    pub fn early_stopping(&self) -> Result<EarlyStopping> {
        // The optimal penalty does not depend on the penalty the ridge model is built with (any
        // positive one: lambda = 0 is refused at gamma = 1).
        let ridge = self.ridge(1.0)?.optimal_lambda()?;
        let gf = self.with_algorithm(Algorithm::GradientFlow, 0.0, 0.0)?;
        let (lo, hi) = early_stopping_bracket(self.lambda, self.quadrature.support());
        let opt = optimal_time(|t| Ok(gf.at_time(t)?.test_error), lo, hi)?;
        let limit = self.limit().ok().map(|l| l.test_error);
        let (at_optimum, stops_early) = if self.algorithm.is_discrete() {
            let kmax = ((4.0 * opt.location / self.lr).ceil() + 16.0).min(MAX_STEPS as f64) as u64;
            let level = self.steps_level(kmax)?;
            let rule = self.quadrature.rule(level);
            let best = self.argmin_steps(&rule, kmax);
            let mut best = self.curve_steps(&[best.time as u64])?.remove(0);
            best.nodes = rule.nodes.len().max(best.nodes);
            let stops = stops_early(best.time as u64 == kmax, best.test_error, limit);
            (best, stops)
        } else {
            let r = gf.at_time(opt.location)?;
            let stops = stops_early(at_search_end(opt.location, hi), r.test_error, limit);
            (r, stops)
        };
        let ratio_to_ridge = at_optimum.test_error / ridge.at_optimum.test_error;
        Ok(EarlyStopping {
            at_optimum,
            stops_early,
            ridge,
            ratio_to_ridge: crate::error::finite(ratio_to_ridge, "early stopping ratio to ridge")?,
        })
    }

    /// The quadrature level at which the recursion to `last` steps converges.
    fn steps_level(&self, last: u64) -> Result<u32> {
        let probes = [last / 4, last / 2, last];
        let mut coarse = self.run_steps(&self.quadrature.rule(0), &probes);
        let mut last_err = f64::INFINITY;
        for level in 1..=MAX_LEVEL {
            let fine = self.run_steps(&self.quadrature.rule(level), &probes);
            let err = coarse
                .iter()
                .zip(&fine)
                .map(|(a, b)| relative_gap(a, b, self.scale()))
                .fold(0.0f64, f64::max);
            last_err = err;
            if err <= QUADRATURE_TOLERANCE {
                return Ok(level);
            }
            coarse = fine;
        }
        Err(not_converged(&coarse, last_err))
    }

    /// The whole test/train curve of a discrete method, every step $0..=K$ (one recursion).
    ///
    /// Domain: $K \le 10^6$ (the curve is kept: 64 bytes a step). Errors:
    /// [`Error::InvalidParameter`] (`steps`) beyond; as [`Self::curve_steps`].
    pub fn all_steps(&self, last: u64) -> Result<Vec<DynamicsRisk>> {
        self.require(true)?;
        if last > MAX_CURVE_STEPS {
            return Err(Error::InvalidParameter {
                name: "steps",
                value: last as f64,
                expected: "at most 1e6 steps for a whole curve (use curve_steps for chosen steps)",
            });
        }
        let level = self.steps_level(last)?;
        let rule = self.quadrature.rule(level);
        self.run_all_steps(&rule, last)
            .into_iter()
            .map(finite_risk)
            .collect()
    }
}

/// A number of steps given as a float: a non-negative integer up to [`MAX_STEPS`].
///
/// Errors: [`Error::InvalidParameter`] (`steps`) otherwise.
pub fn steps_of(time: f64) -> Result<u64> {
    if time >= 0.0 && time <= MAX_STEPS as f64 && time.fract() == 0.0 {
        Ok(time as u64)
    } else {
        Err(Error::InvalidParameter {
            name: "steps",
            value: time,
            expected: "an integer number of steps in [0, 1e7]",
        })
    }
}

fn outputs(r: &DynamicsRisk) -> [f64; 4] {
    [r.test_error, r.bias, r.variance, r.train_error]
}

/// The largest gap between two evaluations over the four outputs, relative to
/// $\max(|x|, |y|, \text{floor})$ with floor $= r^2 + \sigma^2$ (the risks' natural size: the
/// training error at $t = 0$), so that an output that is itself tiny (the bias after a long
/// time, the training error of an interpolator) is judged on the absolute scale of the problem.
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

fn not_converged(last: &[DynamicsRisk], residual: f64) -> Error {
    Error::NotConverged {
        method: "dynamics quadrature (graded Gauss-Legendre)",
        iterations: MAX_LEVEL as usize,
        residual: residual.min(f64::MAX),
        tolerance: QUADRATURE_TOLERANCE,
        last_iterate: last.iter().map(|r| r.test_error).collect(),
    }
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
