//! Random-features ridge regression in the proportional limit (Mei & Montanari).
//!
//! # Setting
//!
//! Inputs $x_i \sim \mathrm{Unif}(\mathbb S^{d-1}(\sqrt d))$, $i = 1..n$; fixed first-layer weights
//! $\theta_a \sim \mathrm{Unif}(\mathbb S^{d-1}(\sqrt d))$, $a = 1..N$; the model
//! $f(x; a) = \sum_{a=1}^N a_a\,\sigma(\langle \theta_a, x\rangle/\sqrt d)$ is fitted by
//!
//! $$\hat a(\lambda) = \arg\min_a \frac1n \sum_{j=1}^n \Big(y_j - f(x_j; a)\Big)^2 + \frac{N\lambda}{d}\,\|a\|_2^2 ,$$
//!
//! i.e. $\hat a = (Z^\top Z + cI)^{-1} Z^\top y$ with $Z_{ja} = \sigma(\langle\theta_a, x_j\rangle/\sqrt d)$
//! and $c = nN\lambda/d$. Labels are $y = f_d(x) + \varepsilon$ with a target whose linear part has
//! energy $F_1^2 = \|\beta_1\|^2$, a nonlinear part (orthogonal to degree $\le 1$) of energy
//! $F_\star^2$, and label noise of standard deviation `noise_sd` $= \tau$ (variance $\tau^2$, MM's
//! notation, kept in the formulas below). The test error excludes the label noise:
//! $R = \mathbb E_x\big[(f_d(x) - f(x; \hat a))^2\big]$ (`test_error`, docs/glossary.md).
//!
//! In the limit $N, n, d \to \infty$ with $N/d \to \psi_1$ and $n/d \to \psi_2$,
//!
//! $$R \to F_1^2\,\mathcal B(\zeta, \psi_1, \psi_2, \bar\lambda) + (\tau^2 + F_\star^2)\,\mathcal V(\zeta, \psi_1, \psi_2, \bar\lambda) + F_\star^2,
//! \qquad \zeta = \mu_1/\mu_\star,\quad \bar\lambda = \lambda/\mu_\star^2,$$
//!
//! where $\mu_1, \mu_\star$ are the activation's Hermite coefficients
//! ([`crate::gaussian::ActivationCoefficients`]). (S. Mei and A. Montanari, *The generalization
//! error of random features regression: precise asymptotics and the double descent curve*,
//! Comm. Pure Appl. Math. 75(4), 2022, arXiv:1908.05355, Definition 1 and Theorems 2–5.)
//!
//! # How it is solved
//!
//! With $c = \zeta^2$, $f_i(\chi) = -c\chi^2 + (1 + c - c\psi_i)\chi + \psi_i$ and
//! $\chi = \nu_1\nu_2$ evaluated at $\xi = i\sqrt{\psi_1\psi_2\bar\lambda}$, MM's fixed point
//! reduces to the quartic
//!
//! $$P(\chi) = f_1(\chi) f_2(\chi) + \psi_1\psi_2\bar\lambda\,\chi(1 - c\chi)^2 = 0,$$
//!
//! whose physical root is the unique root in the bracket
//! $(\max(\chi_-(\psi_1), \chi_-(\psi_2)), 0)$, $\chi_-(\psi)$ being the negative root of $f(\cdot;\psi)$.
//! It is found by Brent's method ([`crate::solver::root::brent_root`]): no complex arithmetic and no
//! branch choice. The residual reported is that of MM's original fixed-point equations on the
//! imaginary axis,
//!
//! $$a = \frac{\psi_1}{u + b + \zeta^2 b/(1 + \zeta^2 ab)},\qquad
//!   b = \frac{\psi_2}{u + a + \zeta^2 a/(1 + \zeta^2 ab)},\qquad u = \sqrt{\psi_1\psi_2\bar\lambda},$$
//!
//! with $a = \operatorname{Im}\nu_1(iu) = f_1(\chi)/((1 - c\chi)u)$ and $b = f_2(\chi)/((1 - c\chi)u)$,
//! so it is an independent check of the root. [`RandomFeaturesModel::risk_by_iteration`] solves
//! those equations directly with the general fixed-point engine as a cross-check.
//!
//! The training error uses the generalised-cross-validation identity
//! $E_{\rm train} = (R + \tau^2)\,\big(f_2(\chi)/((1 - \zeta^2\chi)\psi_2)\big)^2$ (derived in
//! docs/random_features.md#derivation-notes-training-error and checked by simulation; it is not stated in MM).

use crate::error::{Error, Result, validate};
use crate::gaussian::{Activation, ActivationCoefficients};
use crate::solver::continuation::{ContinuationOptions, PointSolution, continuation};
use crate::solver::fixed_point::{FixedPointMethod, FixedPointOptions, fixed_point};
use crate::solver::optimize::{LogGridOptions, minimize_log_scale};
use crate::solver::root::{RootOptions, brent_root};

/// Unchecked parameters of random-features ridge regression.
///
/// `f1`, `f_star` and `noise_sd` are amplitudes: the energies entering the risk are their
/// squares. `lambda` is in Mei–Montanari's convention (penalty $(N\lambda/d)\|a\|^2$ against a
/// $1/n$-averaged loss on sphere data); the formulas use $\bar\lambda = \lambda/\mu_\star^2$.
///
/// The field `tau` is the deprecated name of `noise_sd` (docs/glossary.md) and keeps working:
/// [`RandomFeatures::check`] uses whichever of the two differs from the default $0$ (an error if
/// both do, with different values). Build parameters with `..Default::default()` so that code
/// naming either field compiles.
#[derive(Debug, Clone)]
pub struct RandomFeatures {
    /// $\psi_1 = N/d$, features per input dimension (> 0).
    pub psi1: f64,
    /// $\psi_2 = n/d$, samples per input dimension (> 0).
    pub psi2: f64,
    /// Ridge penalty $\lambda \ge 0$ ($0$ means the ridgeless limit $\lambda \to 0^+$).
    pub lambda: f64,
    /// Activation $\sigma$ (must have $\mu_\star^2 > 0$, i.e. not linear).
    pub activation: Activation,
    /// $F_1 = \|\beta_1\|$, amplitude of the linear part of the target ($\ge 0$).
    pub f1: f64,
    /// $F_\star$, amplitude of the nonlinear part of the target ($\ge 0$).
    pub f_star: f64,
    /// $\sigma_\varepsilon$, standard deviation of the label noise ($\ge 0$; the energy is
    /// $\sigma_\varepsilon^2$, written $\tau^2$ in the formulas). Default $0$.
    pub noise_sd: f64,
    /// Deprecated name of [`Self::noise_sd`] (same meaning, a standard deviation); default $0$.
    #[deprecated(note = "use noise_sd")]
    pub tau: f64,
}

impl Default for RandomFeatures {
    /// ReLU, $\psi_1 = \psi_2 = 1$, $\lambda = 10^{-3}$, linear target $F_1 = 1$, no noise.
    #[allow(deprecated)] // sets the deprecated alias `tau` to its default
    fn default() -> Self {
        Self {
            psi1: 1.0,
            psi2: 1.0,
            lambda: 1e-3,
            activation: Activation::Relu,
            f1: 1.0,
            f_star: 0.0,
            noise_sd: 0.0,
            tau: 0.0,
        }
    }
}

/// The range of $\psi_1 = N/d$ and $\psi_2 = n/d$ that [`RandomFeatures::check`] accepts.
///
/// Below about $10^{-16}$ the bracket of the quartic for $\chi$ collapses in rounding and the fixed
/// point loses every digit (the limit there is the null predictor's risk); $10^{-12}$ leaves four
/// decades of margin. Above $10^{12}$ the ratios are far past every feature of the curves (they are
/// flat to all printed digits from about $10^{8}$ on).
pub const RATIO_RANGE: [f64; 2] = [1e-12, 1e12];

fn ratio(name: &'static str, value: f64) -> Result<f64> {
    validate::in_closed(
        name,
        value,
        RATIO_RANGE[0],
        RATIO_RANGE[1],
        "a finite ratio in [1e-12, 1e12]",
    )
}

impl RandomFeatures {
    /// Validate the parameters and compute the activation coefficients.
    ///
    /// Domain: $\psi_1, \psi_2 \in [10^{-12}, 10^{12}]$ ([`RATIO_RANGE`]), $\lambda \ge 0$, $F_1, F_\star, \sigma_\varepsilon \ge 0$, all
    /// finite, with $F_1^2$, $F_\star^2$, $\sigma_\varepsilon^2$ finite (amplitudes below about
    /// $1.3\cdot10^{154}$: the risk is linear in these energies, so larger ones overflow).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field (the noise level is
    /// `noise_sd`, or the deprecated `tau` if only that one was changed from the default $0$;
    /// both changed to different values is an error naming `noise_sd`); [`Error::InvalidChoice`]
    /// naming `activation` when its nonlinear part vanishes, $\mu_\star^2 = 0$ (e.g.
    /// [`Activation::Linear`]: the formulas degenerate, $\bar\lambda = \lambda/\mu_\star^2$ and
    /// $\zeta = \mu_1/\mu_\star$ are infinite).
    pub fn check(&self) -> Result<RandomFeaturesModel> {
        let psi1 = ratio("psi1", self.psi1)?;
        let psi2 = ratio("psi2", self.psi2)?;
        let lambda = validate::non_negative("lambda", self.lambda)?;
        let f1 = validate::non_negative("f1", self.f1)?;
        let f_star = validate::non_negative("f_star", self.f_star)?;
        #[allow(deprecated)]
        let (name, tau) = crate::theory::ridge::renamed_field(
            ("noise_sd", self.noise_sd),
            ("tau", self.tau),
            0.0,
            "noise_sd alone (its deprecated alias tau is set to a different value)",
        )?;
        let tau = validate::non_negative(name, tau)?;
        // The energies F1^2, F*^2, tau^2 enter the risk: their squares must be representable.
        for (name, v) in [("f1", f1), ("f_star", f_star), (name, tau)] {
            if !(v * v).is_finite() {
                return Err(Error::InvalidParameter {
                    name,
                    value: v,
                    expected: "a finite number >= 0 whose square is finite (below about 1.3e154)",
                });
            }
        }
        let coefficients = self.activation.coefficients()?;
        if !(coefficients.mu_star_sq.is_finite()
            && coefficients.mu_star_sq > 1e-14
            && coefficients.mu1.is_finite())
        {
            return Err(Error::InvalidChoice {
                name: "activation",
                value: self.activation.name().to_string(),
                expected: "an activation with a nonlinear part; this one is degenerate: mu_star = 0 \
                           (e.g. linear), so the random-features limit is not defined",
            });
        }
        let model = RandomFeaturesModel {
            reduced: ReducedRandomFeatures {
                psi1,
                psi2,
                lambda_bar: lambda / coefficients.mu_star_sq,
                zeta_sq: coefficients.zeta_sq(),
            },
            lambda,
            coefficients,
            f1_sq: f1 * f1,
            f_star_sq: f_star * f_star,
            noise_sd: tau,
            tau_sq: tau * tau,
        };
        if !model.reduced.lambda_bar.is_finite() || !model.reduced.zeta_sq.is_finite() {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: lambda,
                expected: "a value with lambda / mu_star^2 finite",
            });
        }
        Ok(model)
    }
}

/// Largest relative residual of MM's equations that
/// [`ReducedRandomFeatures::fixed_point_by_iteration`] accepts.
const FIXED_POINT_ACCEPT: f64 = 1e-8;

/// The four numbers the limiting risk depends on: $(\psi_1, \psi_2, \bar\lambda, \zeta^2)$.
///
/// This is the activation-free core: [`RandomFeaturesModel`] wraps it with the target energies.
/// Constructed through [`ReducedRandomFeatures::new`] (validated).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReducedRandomFeatures {
    psi1: f64,
    psi2: f64,
    lambda_bar: f64,
    zeta_sq: f64,
}

/// The solution of Mei–Montanari's fixed point at $\xi = i\sqrt{\psi_1\psi_2\bar\lambda}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPoint {
    /// $\chi = \nu_1\nu_2 < 0$.
    pub chi: f64,
    /// $a = \operatorname{Im}\nu_1(iu) > 0$.
    ///
    /// In the ridgeless limit $\bar\lambda = 0$ ($u = \sqrt{\psi_1\psi_2\bar\lambda} \to 0$) one of
    /// $a, b$ diverges like $1/u$ and the other vanishes like $u$ ($ab = -\chi$ stays finite);
    /// there both fields hold the finite limits $\lim_{u\to0} u\,a = f_1(\chi)/(1 - \zeta^2\chi)$
    /// and $\lim_{u\to0} u\,b = f_2(\chi)/(1 - \zeta^2\chi)$: for $\psi_1 > \psi_2$, $a > 0$ and
    /// $b = 0$; for $\psi_1 < \psi_2$, $a = 0$ and $b > 0$; both $0$ at $\psi_1 = \psi_2$.
    /// (Earlier versions put $+\infty$ in the vanishing one.) Always finite.
    pub a: f64,
    /// $b = \operatorname{Im}\nu_2(iu) > 0$; at $\bar\lambda = 0$ the finite limit $u\,b$, see
    /// [`Self::a`].
    pub b: f64,
    /// Relative residual of the fixed-point equations for $(a, b)$ (for $\bar\lambda = 0$: of the
    /// ridgeless quadratic for $\chi$).
    pub residual: f64,
    /// Brent iterations used (0 for the closed-form ridgeless root).
    pub iterations: usize,
}

/// Bias and variance coefficients $\mathcal B = E_1/E_0$, $\mathcal V = E_2/E_0$ with the fixed point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiasVariance {
    /// $\mathcal B(\zeta, \psi_1, \psi_2, \bar\lambda)$: risk per unit linear energy $F_1^2$.
    pub bias: f64,
    /// $\mathcal V(\zeta, \psi_1, \psi_2, \bar\lambda)$: risk per unit of $\tau^2 + F_\star^2$.
    pub variance: f64,
    /// $1 - \mathrm{df}/n \to f_2(\chi)/((1 - \zeta^2\chi)\psi_2)$, the training-residual shrinkage factor.
    pub residual_fraction: f64,
    /// The fixed point the coefficients were evaluated at.
    pub fixed_point: FixedPoint,
}

impl ReducedRandomFeatures {
    /// Validated constructor.
    ///
    /// Domain: $\psi_1, \psi_2 \in$ [`RATIO_RANGE`], $\bar\lambda \ge 0$ finite,
    /// $\zeta^2 \in [0, 10^{250}]$ (the quartic's products such as $\zeta^2\psi\chi$ stay representable).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the argument.
    pub fn new(psi1: f64, psi2: f64, lambda_bar: f64, zeta_sq: f64) -> Result<Self> {
        Ok(Self {
            psi1: ratio("psi1", psi1)?,
            psi2: ratio("psi2", psi2)?,
            lambda_bar: validate::non_negative("lambda_bar", lambda_bar)?,
            zeta_sq: validate::in_closed(
                "zeta_sq",
                zeta_sq,
                0.0,
                1e250,
                "a finite number in [0, 1e250]",
            )?,
        })
    }
    /// $\psi_1$.
    pub fn psi1(&self) -> f64 {
        self.psi1
    }
    /// $\psi_2$.
    pub fn psi2(&self) -> f64 {
        self.psi2
    }
    /// $\bar\lambda = \lambda/\mu_\star^2$.
    pub fn lambda_bar(&self) -> f64 {
        self.lambda_bar
    }
    /// $\zeta^2 = \mu_1^2/\mu_\star^2$.
    pub fn zeta_sq(&self) -> f64 {
        self.zeta_sq
    }
    /// The same model with another $\bar\lambda$ (validated).
    pub fn with_lambda_bar(&self, lambda_bar: f64) -> Result<Self> {
        Self::new(self.psi1, self.psi2, lambda_bar, self.zeta_sq)
    }

    /// Solve for $\chi$ (and $a, b$): the bracketed quartic for $\bar\lambda > 0$, the closed form
    /// $\chi = \chi_-(\min(\psi_1, \psi_2))$ for $\bar\lambda = 0$.
    pub fn fixed_point(&self) -> Result<FixedPoint> {
        self.fixed_point_near(None)
    }

    /// As [`Self::fixed_point`], warm-started: if `guess` is a previous $\chi$ (e.g. the
    /// neighbouring point of a curve), the bracket is first shrunk around it. The root is the same
    /// unique root of the bracket either way, so a warm start cannot change branch.
    pub fn fixed_point_near(&self, guess: Option<f64>) -> Result<FixedPoint> {
        let c = self.zeta_sq;
        let (p1, p2) = (self.psi1, self.psi2);
        if self.lambda_bar == 0.0 {
            let chi = chi_minus_raw(p1.min(p2), c);
            let f = |chi: f64| -c * chi * chi + (1.0 + c - c * p1.min(p2)) * chi + p1.min(p2);
            let scale = c * chi * chi + (1.0 + c + c * p1.min(p2)) * chi.abs() + p1.min(p2);
            // In the ridgeless limit one of a, b diverges like 1/u and the other vanishes like u
            // (a b = -chi): report the finite limits u a = f_1(chi)/(1 - c chi) and
            // u b = f_2(chi)/(1 - c chi), of which the one at psi_i = min(psi1, psi2) is 0.
            let w = 1.0 - c * chi;
            let (a, b) = if p1 < p2 {
                (0.0, f_poly(chi, p2, c) / w)
            } else if p1 > p2 {
                (f_poly(chi, p1, c) / w, 0.0)
            } else {
                (0.0, 0.0)
            };
            if !(a.is_finite() && b.is_finite() && chi.is_finite()) {
                return Err(Error::NonFinite {
                    what: "ridgeless random-features fixed point (chi, u a, u b)",
                });
            }
            return Ok(FixedPoint {
                chi,
                a,
                b,
                residual: f(chi).abs() / scale,
                iterations: 0,
            });
        }
        let u2 = p1 * p2 * self.lambda_bar;
        let quartic = |chi: f64| {
            let w = 1.0 - c * chi;
            f_poly(chi, p1, c) * f_poly(chi, p2, c) + u2 * chi * w * w
        };
        let left = chi_minus_raw(p1, c).max(chi_minus_raw(p2, c));
        let (mut lo, mut hi) = (left, 0.0);
        let mut extra = 0;
        if let Some(g) = guess.filter(|g| g.is_finite() && *g > left && *g < 0.0) {
            // Shrink the bracket around the guess by a geometric search (P(left) < 0 < P(0)).
            let mut step = 1e-3 * g.abs().max(1e-12);
            let mut a_pt = g;
            let fa = quartic(a_pt);
            extra += 1;
            if fa < 0.0 {
                lo = a_pt;
                loop {
                    let b_pt = (a_pt + step).min(0.0);
                    extra += 1;
                    if b_pt >= 0.0 || quartic(b_pt) >= 0.0 {
                        hi = b_pt.min(0.0);
                        break;
                    }
                    lo = b_pt;
                    a_pt = b_pt;
                    step *= 4.0;
                }
            } else {
                hi = a_pt;
                loop {
                    let b_pt = (a_pt - step).max(left);
                    extra += 1;
                    if b_pt <= left || quartic(b_pt) <= 0.0 {
                        lo = b_pt.max(left);
                        break;
                    }
                    hi = b_pt;
                    a_pt = b_pt;
                    step *= 4.0;
                }
            }
        }
        let report = brent_root(quartic, lo, hi, RootOptions::default())?;
        let chi = report.root;
        let u = u2.sqrt();
        let w = 1.0 - c * chi;
        // a, b from chi: a = f1/(w u), b = f2/(w u). When chi sits next to a root of f1 or f2
        // (psi1 << psi2 or psi1 >> psi2 at small lambda) that map is ill-conditioned although the
        // fixed point itself is not, so polish (a, b) by Newton on MM's equations.
        let mut a = f_poly(chi, p1, c) / (w * u);
        let mut b = f_poly(chi, p2, c) / (w * u);
        if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
            return Err(Error::NonFinite {
                what: "random-features fixed point (a, b)",
            });
        }
        let mut residual = fixed_point_residual(a, b, u, p1, p2, c);
        let mut polish = 0;
        while residual > 1e-14 && polish < 4 {
            let (na, nb) = newton_step_ab(a, b, u, p1, p2, c);
            if !(na > 0.0 && nb > 0.0 && na.is_finite() && nb.is_finite()) {
                break;
            }
            let nr = fixed_point_residual(na, nb, u, p1, p2, c);
            polish += 1;
            if nr >= residual {
                break;
            }
            (a, b, residual) = (na, nb, nr);
        }
        Ok(FixedPoint {
            chi,
            a,
            b,
            residual,
            iterations: report.iterations + extra + polish,
        })
    }

    /// $\mathcal B$, $\mathcal V$ and the training shrinkage factor at the fixed point.
    pub fn bias_variance(&self) -> Result<BiasVariance> {
        self.bias_variance_at(self.fixed_point()?)
    }

    /// $\mathcal B$, $\mathcal V$ evaluated at a given fixed point (from [`Self::fixed_point_near`]).
    pub fn bias_variance_at(&self, fixed_point: FixedPoint) -> Result<BiasVariance> {
        let (p1, p2, z2) = (self.psi1, self.psi2, self.zeta_sq);
        let chi = fixed_point.chi;
        let (e0, e1, e2) = e_polynomials(chi, z2, p1, p2);
        if self.lambda_bar == 0.0 && p1 == p2 {
            return Err(Error::NonFinite {
                what: "ridgeless random-features risk at the interpolation threshold psi1 = psi2 (it diverges)",
            });
        }
        let bias = e1 / e0;
        let variance = e2 / e0;
        let residual_fraction = f_poly(chi, p2, z2) / ((1.0 - z2 * chi) * p2);
        if !(bias.is_finite() && variance.is_finite() && residual_fraction.is_finite()) {
            return Err(Error::NonFinite {
                what: "random-features bias/variance (E0 = 0)",
            });
        }
        Ok(BiasVariance {
            bias,
            variance,
            residual_fraction,
            fixed_point,
        })
    }

    /// Cross-check route: solve MM's imaginary-axis equations for $(a, b)$ directly with the
    /// general fixed-point engine ([`crate::solver::fixed_point`](mod@crate::solver::fixed_point)), from `start` (default the
    /// resolvent bound $a = \psi_1/u$, $b = \psi_2/u$). Requires $\bar\lambda > 0$.
    ///
    /// This is the iteration research codes use; it is slower (tens to thousands of iterations
    /// near $\psi_1 = \psi_2$ at small $\bar\lambda$) and kept as an independent check of the
    /// bracketed quartic.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for $\bar\lambda = 0$; the engine's [`Error::NotConverged`];
    /// [`Error::NotConverged`] also when the engine stops but the relative residual of MM's
    /// equations exceeds $10^{-8}$ (extreme scales, e.g. $\psi_1 \sim 10^{177}$).
    pub fn fixed_point_by_iteration(
        &self,
        start: Option<(f64, f64)>,
        method: FixedPointMethod,
    ) -> Result<FixedPoint> {
        if self.lambda_bar <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "lambda_bar",
                value: self.lambda_bar,
                expected: "> 0 for the iteration (use fixed_point() for the ridgeless limit)",
            });
        }
        let (p1, p2, c) = (self.psi1, self.psi2, self.zeta_sq);
        let u = (p1 * p2 * self.lambda_bar).sqrt();
        let x0 = start.map_or([p1 / u, p2 / u], |(a, b)| [a, b]);
        let opts = FixedPointOptions {
            tolerance: 1e-14,
            max_iter: 200_000,
            method,
            ..Default::default()
        };
        let report = fixed_point(
            |x: &[f64], out: &mut [f64]| {
                let k = 1.0 + c * x[0] * x[1];
                out[0] = p1 / (u + x[1] + c * x[1] / k);
                out[1] = p2 / (u + x[0] + c * x[0] / k);
                Ok(())
            },
            &x0,
            opts,
        )?;
        let (a, b) = (report.solution[0], report.solution[1]);
        if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
            return Err(Error::NonFinite {
                what: "random-features fixed point by iteration (a, b <= 0)",
            });
        }
        let residual = fixed_point_residual(a, b, u, p1, p2, c);
        // The engine stops on its own (absolute) criterion; at extreme scales (e.g. psi1 ~ 1e177)
        // that can hold while MM's relative residual is O(1): then the point is no fixed point.
        if residual.is_nan() || residual > FIXED_POINT_ACCEPT {
            return Err(Error::NotConverged {
                method: "random-features fixed point by iteration (relative residual of MM's equations)",
                iterations: report.iterations,
                residual,
                tolerance: FIXED_POINT_ACCEPT,
                last_iterate: vec![a, b],
            });
        }
        Ok(FixedPoint {
            chi: -a * b,
            a,
            b,
            residual,
            iterations: report.iterations,
        })
    }

    /// Wide (kernel) limit $\psi_1 \to \infty$ at this $\psi_2, \bar\lambda$ (MM Theorem 4):
    /// $\mathcal B = (\psi_2\omega_2 - \psi_2)/D(\omega_2)$, $\mathcal V = (\omega_2^3 - \omega_2^2)/D(\omega_2)$,
    /// $D(\omega) = (\psi_2 - 1)\omega^3 + (1 - 3\psi_2)\omega^2 + 3\psi_2\omega - \psi_2$.
    pub fn wide_limit(&self) -> Result<(f64, f64)> {
        let omega = omega_limit(self.psi2, self.lambda_bar, self.zeta_sq);
        let p = self.psi2;
        let d = (p - 1.0) * omega.powi(3) + (1.0 - 3.0 * p) * omega * omega + 3.0 * p * omega - p;
        let bias = (p * omega - p) / d;
        let variance = (omega.powi(3) - omega * omega) / d;
        if bias.is_finite() && variance.is_finite() {
            Ok((bias, variance))
        } else {
            Err(Error::NonFinite {
                what: "wide-limit random-features risk",
            })
        }
    }

    /// Large-sample limit $\psi_2 \to \infty$ at this $\psi_1, \bar\lambda$ (MM Theorem 5):
    /// the variance vanishes and
    /// $\mathcal B = \big((\omega_1^3 - \omega_1^2)/\zeta^2 + \psi_1\omega_1 - \psi_1\big) / D(\omega_1)$.
    pub fn large_sample_limit(&self) -> Result<f64> {
        let omega = omega_limit(self.psi1, self.lambda_bar, self.zeta_sq);
        let p = self.psi1;
        let d = (p - 1.0) * omega.powi(3) + (1.0 - 3.0 * p) * omega * omega + 3.0 * p * omega - p;
        let bias = ((omega.powi(3) - omega * omega) / self.zeta_sq + p * omega - p) / d;
        if bias.is_finite() {
            Ok(bias)
        } else {
            Err(Error::NonFinite {
                what: "large-sample random-features risk",
            })
        }
    }
}

/// A validated random-features model: reduced parameters plus target energies.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFeaturesModel {
    reduced: ReducedRandomFeatures,
    lambda: f64,
    coefficients: ActivationCoefficients,
    f1_sq: f64,
    f_star_sq: f64,
    noise_sd: f64,
    tau_sq: f64,
}

/// The limiting risks of random-features ridge regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfRisk {
    /// Test error $R = F_1^2\mathcal B + (\tau^2 + F_\star^2)\mathcal V + F_\star^2$ (label noise excluded).
    pub test_error: f64,
    /// Bias part $F_1^2\mathcal B + F_\star^2$ (the never-learned nonlinear energy counts as bias).
    pub bias: f64,
    /// Variance part $(\tau^2 + F_\star^2)\mathcal V$ (the nonlinear target acts as extra noise).
    pub variance: f64,
    /// Training error $(1/n)\|y - Z\hat a\|^2 \to (R + \tau^2)(1 - \mathrm{df}/n)^2$ (label noise included).
    pub train_error: f64,
    /// The coefficient $\mathcal B$.
    pub bias_coefficient: f64,
    /// The coefficient $\mathcal V$.
    pub variance_coefficient: f64,
    /// $\chi$ at the fixed point.
    pub chi: f64,
    /// Relative residual of the fixed point.
    pub residual: f64,
    /// Solver iterations.
    pub iterations: usize,
}

/// The optimally tuned ridge penalty (see [`RandomFeaturesModel::optimal_lambda`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimalLambda {
    /// The minimising $\lambda$ (MM convention; $0$ when the ridgeless limit is best).
    pub lambda: f64,
    /// The risk at that $\lambda$.
    pub risk: RfRisk,
    /// Objective evaluations used.
    pub evaluations: usize,
    /// True when the minimum is at the upper end of the search range $10^4$ (the risk is then
    /// still decreasing: the null predictor, $\lambda \to \infty$, is optimal or nearly so).
    pub at_boundary: bool,
}

/// A limiting risk ($\psi_1 \to \infty$ or $\psi_2 \to \infty$), from MM's closed forms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitRisk {
    /// Test error (label noise excluded).
    pub test_error: f64,
    /// Bias part $F_1^2\mathcal B + F_\star^2$.
    pub bias: f64,
    /// Variance part $(\tau^2 + F_\star^2)\mathcal V$.
    pub variance: f64,
    /// The coefficient $\mathcal B$.
    pub bias_coefficient: f64,
    /// The coefficient $\mathcal V$.
    pub variance_coefficient: f64,
}

impl RandomFeaturesModel {
    /// The reduced parameters $(\psi_1, \psi_2, \bar\lambda, \zeta^2)$.
    pub fn reduced(&self) -> &ReducedRandomFeatures {
        &self.reduced
    }
    /// The activation's Hermite coefficients.
    pub fn coefficients(&self) -> &ActivationCoefficients {
        &self.coefficients
    }
    /// $\lambda$ (MM convention).
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// $F_1^2$.
    pub fn f1_sq(&self) -> f64 {
        self.f1_sq
    }
    /// $F_\star^2$.
    pub fn f_star_sq(&self) -> f64 {
        self.f_star_sq
    }
    /// Label-noise standard deviation $\sigma_\varepsilon$ (its square is the $\tau^2$ of the
    /// formulas).
    pub fn noise_sd(&self) -> f64 {
        self.noise_sd
    }
    /// $\tau^2 = \sigma_\varepsilon^2$, the label-noise energy.
    #[deprecated(note = "use noise_sd() (squared)")]
    pub fn tau_sq(&self) -> f64 {
        self.tau_sq
    }

    /// The same model with another $\psi_1$ (validated).
    pub fn with_psi1(&self, psi1: f64) -> Result<Self> {
        let r = self.reduced;
        Ok(Self {
            reduced: ReducedRandomFeatures::new(psi1, r.psi2, r.lambda_bar, r.zeta_sq)?,
            ..self.clone()
        })
    }
    /// The same model with another $\psi_2$ (validated).
    pub fn with_psi2(&self, psi2: f64) -> Result<Self> {
        let r = self.reduced;
        Ok(Self {
            reduced: ReducedRandomFeatures::new(r.psi1, psi2, r.lambda_bar, r.zeta_sq)?,
            ..self.clone()
        })
    }
    /// The same model with another $\lambda$ (validated; MM convention).
    pub fn with_lambda(&self, lambda: f64) -> Result<Self> {
        let lambda = validate::non_negative("lambda", lambda)?;
        let lambda_bar = lambda / self.coefficients.mu_star_sq;
        Ok(Self {
            reduced: self.reduced.with_lambda_bar(lambda_bar)?,
            lambda,
            ..self.clone()
        })
    }

    /// The limiting test error, its bias/variance split and the training error.
    ///
    /// ```
    /// use overparam::theory::random_features::RandomFeatures;
    /// let model =
    ///     RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.1, noise_sd: 0.5, ..Default::default() }
    ///         .check()?;
    /// let risk = model.risk()?;
    /// assert!((risk.test_error - 0.44495).abs() < 1e-5);
    /// assert!(risk.residual < 1e-12);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn risk(&self) -> Result<RfRisk> {
        self.risk_near(None)
    }

    /// As [`Self::risk`], warm-started from a neighbouring $\chi$ (see
    /// [`ReducedRandomFeatures::fixed_point_near`]).
    pub fn risk_near(&self, chi_guess: Option<f64>) -> Result<RfRisk> {
        let fp = self.reduced.fixed_point_near(chi_guess)?;
        let bv = self.reduced.bias_variance_at(fp)?;
        self.assemble(bv, fp)
    }

    /// The risk from the coefficients; [`Error::NonFinite`] if an energy times a coefficient
    /// overflows (energies near the top of the range of [`RandomFeatures::check`]).
    fn assemble(&self, bv: BiasVariance, fp: FixedPoint) -> Result<RfRisk> {
        let bias = self.f1_sq * bv.bias + self.f_star_sq;
        let variance = (self.tau_sq + self.f_star_sq) * bv.variance;
        let test_error = bias + variance;
        let r = bv.residual_fraction;
        let out = RfRisk {
            test_error,
            bias,
            variance,
            train_error: (test_error + self.tau_sq) * r * r,
            bias_coefficient: bv.bias,
            variance_coefficient: bv.variance,
            chi: fp.chi,
            residual: fp.residual,
            iterations: fp.iterations,
        };
        if [out.test_error, out.bias, out.variance, out.train_error]
            .iter()
            .all(|v| v.is_finite())
        {
            Ok(out)
        } else {
            Err(Error::NonFinite {
                what: "random-features risk (F1^2 B + (tau^2 + F*^2) V overflows)",
            })
        }
    }

    /// The ridgeless limit $\lambda \to 0^+$ (MM Theorem 3): $\chi = \chi_-(\min(\psi_1, \psi_2))$.
    /// Diverges (typed error) at $\psi_1 = \psi_2$.
    pub fn ridgeless(&self) -> Result<RfRisk> {
        self.with_lambda(0.0)?.risk()
    }

    /// The wide (kernel ridge regression) limit $\psi_1 \to \infty$ at this $\psi_2, \lambda$
    /// (MM Theorem 4).
    pub fn wide_limit(&self) -> Result<LimitRisk> {
        let (b, v) = self.reduced.wide_limit()?;
        self.assemble_limit(b, v)
    }

    /// The large-sample limit $\psi_2 \to \infty$ at this $\psi_1, \lambda$ (MM Theorem 5): the
    /// variance vanishes.
    pub fn large_sample_limit(&self) -> Result<LimitRisk> {
        let b = self.reduced.large_sample_limit()?;
        self.assemble_limit(b, 0.0)
    }

    fn assemble_limit(
        &self,
        bias_coefficient: f64,
        variance_coefficient: f64,
    ) -> Result<LimitRisk> {
        let bias = self.f1_sq * bias_coefficient + self.f_star_sq;
        let variance = (self.tau_sq + self.f_star_sq) * variance_coefficient;
        let out = LimitRisk {
            test_error: bias + variance,
            bias,
            variance,
            bias_coefficient,
            variance_coefficient,
        };
        if out.test_error.is_finite() && out.bias.is_finite() && out.variance.is_finite() {
            Ok(out)
        } else {
            Err(Error::NonFinite {
                what: "random-features limiting risk (an energy times a coefficient overflows)",
            })
        }
    }

    /// The risk from the general fixed-point iteration instead of the bracketed quartic (a
    /// cross-check; see [`ReducedRandomFeatures::fixed_point_by_iteration`]).
    pub fn risk_by_iteration(&self, method: FixedPointMethod) -> Result<RfRisk> {
        let fp = self.reduced.fixed_point_by_iteration(None, method)?;
        let bv = self.reduced.bias_variance_at(fp)?;
        self.assemble(bv, fp)
    }

    /// Risks along a path of $\lambda$ values (e.g. $\lambda \to 0$) solved by the general
    /// fixed-point iteration with continuation ([`crate::solver::continuation`](mod@crate::solver::continuation)): each point is
    /// warm-started from the previous one, and a step is subdivided if the solution jumps.
    /// All `lambdas` must be $> 0$.
    pub fn curve_lambda_by_iteration(&self, lambdas: &[f64]) -> Result<Vec<RfRisk>> {
        let first = self.with_lambda(*lambdas.first().ok_or(Error::DimensionMismatch {
            what: "lambda path",
            expected: 1,
            found: 0,
        })?)?;
        let start = first.reduced.fixed_point()?;
        let mu_star_sq = self.coefficients.mu_star_sq;
        let reduced = self.reduced;
        let report = continuation(
            lambdas,
            &[start.a, start.b],
            |lambda, warm: &[f64]| {
                let r =
                    reduced.with_lambda_bar(validate::positive("lambda", lambda)? / mu_star_sq)?;
                let fp =
                    r.fixed_point_by_iteration(Some((warm[0], warm[1])), FixedPointMethod::Auto)?;
                Ok(PointSolution {
                    solution: vec![fp.a, fp.b],
                    residual: fp.residual,
                    iterations: fp.iterations,
                })
            },
            ContinuationOptions::default(),
        )?;
        report
            .points
            .iter()
            .zip(lambdas)
            .map(|(pt, &lambda)| {
                let model = self.with_lambda(lambda)?;
                let (a, b) = (pt.solution[0], pt.solution[1]);
                let fp = FixedPoint {
                    chi: -a * b,
                    a,
                    b,
                    residual: pt.residual,
                    iterations: pt.iterations,
                };
                let bv = model.reduced.bias_variance_at(fp)?;
                model.assemble(bv, fp)
            })
            .collect()
    }

    /// The ridge penalty minimising the test error, searched on $\lambda \in [10^{-8}, 10^{4}]$
    /// (log grid, then Brent in $\log\lambda$; [`crate::solver::optimize::minimize_log_scale`])
    /// and compared with the ridgeless limit $\lambda = 0^+$.
    pub fn optimal_lambda(&self) -> Result<OptimalLambda> {
        let (lower, upper) = (1e-8, 1e4);
        let best = minimize_log_scale(
            |l| Ok(self.with_lambda(l)?.risk()?.test_error),
            lower,
            upper,
            LogGridOptions::default(),
        )?;
        let mut lambda = best.location;
        let mut risk = self.with_lambda(lambda)?.risk()?;
        if let Ok(ridgeless) = self.ridgeless()
            && ridgeless.test_error <= risk.test_error
        {
            lambda = 0.0;
            risk = ridgeless;
        }
        let at_boundary = lambda >= upper * (1.0 - 1e-9);
        Ok(OptimalLambda {
            lambda,
            risk,
            evaluations: best.evaluations,
            at_boundary,
        })
    }

    /// Risks along a curve of $\psi_1$ values, warm-starting each point from the previous $\chi$.
    pub fn curve_psi1(&self, psi1: &[f64]) -> Result<Vec<RfRisk>> {
        let mut out = Vec::with_capacity(psi1.len());
        let mut guess = None;
        for &p in psi1 {
            let r = self.with_psi1(p)?.risk_near(guess)?;
            guess = Some(r.chi);
            out.push(r);
        }
        Ok(out)
    }
}

/// $f(\chi; \psi) = -c\chi^2 + (1 + c - c\psi)\chi + \psi$.
#[inline]
fn f_poly(chi: f64, psi: f64, c: f64) -> f64 {
    -c * chi * chi + (1.0 + c - c * psi) * chi + psi
}

/// The negative root $\chi_-(\psi)$ of $f(\cdot; \psi)$, in a form free of cancellation (also as
/// $c = \zeta^2 \to 0$, where it tends to $-\psi$).
///
/// $f = 0 \iff c\chi^2 - B\chi - \psi = 0$ with $B = 1 + c - c\psi$; the negative root is
/// $(B - \sqrt{B^2 + 4c\psi})/(2c) = -2\psi/(B + \sqrt{B^2 + 4c\psi})$.
///
/// Domain: $0 < \psi \le 10^{12}$, $0 \le c \le 10^{100}$ (where the result is finite; evaluated
/// as [`try_chi_minus`]); outside it the result may be non-finite (`NaN` for $c < 0$ with no real root, e.g.
/// $\psi = 10^{-100}$, $c = -1$). [`try_chi_minus`] checks the domain and returns a typed error
/// outside it.
#[deprecated(note = "use try_chi_minus, which checks the domain and returns a Result")]
pub fn chi_minus(psi: f64, c: f64) -> f64 {
    chi_minus_raw(psi, c)
}

/// The negative root $\chi_-(\psi)$ of $f(\chi; \psi) = -\zeta^2\chi^2 + (1 + \zeta^2 - \zeta^2\psi)\chi + \psi$
/// (see [`ReducedRandomFeatures::fixed_point`]; Mei & Montanari 2022, arXiv:1908.05355, the
/// ridgeless limit of Theorem 3), checked.
///
/// Domain: $\psi > 0$ and $\zeta^2 \ge 0$, both finite. For $\zeta^2 > 0$ the root is
/// $(B - \sqrt{B^2 + 4\zeta^2\psi})/(2\zeta^2)$, $B = 1 + \zeta^2 - \zeta^2\psi$, evaluated as
/// $-2\psi/(B + \sqrt{B^2 + 4\zeta^2\psi})$ when $B \ge 0$ (no cancellation) and, when $B < 0$,
/// through $\beta = B/\zeta^2 = 1/\zeta^2 + 1 - \psi$ as
/// $\big(\beta - \sqrt{\beta^2 + 4\psi/\zeta^2}\big)/2$ with `hypot`, so that no
/// intermediate overflows: the result is finite and $< 0$ on the whole domain. For $\zeta^2 = 0$
/// it is $-\psi$.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `psi` or `zeta_sq` outside the domain (for $\zeta^2 < 0$
/// the quadratic may have no real root, e.g. $\psi = 10^{-100}$, $\zeta^2 = -1$).
pub fn try_chi_minus(psi: f64, zeta_sq: f64) -> Result<f64> {
    let psi = validate::positive("psi", psi)?;
    let c = validate::non_negative("zeta_sq", zeta_sq)?;
    crate::error::finite(chi_minus_raw(psi, c), "chi_minus")
}

/// The negative root for $\psi > 0$, $c \ge 0$ finite (the arithmetic of [`try_chi_minus`]): the
/// direct form, and where it overflows the scaled one.
fn chi_minus_raw(psi: f64, c: f64) -> f64 {
    let direct = chi_minus_direct(psi, c);
    if direct.is_finite() || !(psi > 0.0 && c >= 0.0 && psi.is_finite() && c.is_finite()) {
        return direct;
    }
    let bq = 1.0 + c - c * psi;
    if bq >= 0.0 && bq.is_finite() {
        -2.0 * psi / (bq + bq.hypot(2.0 * c.sqrt() * psi.sqrt()))
    } else {
        let beta = 1.0 / c + 1.0 - psi;
        let r = 2.0 * psi.sqrt() / c.sqrt();
        if beta.is_finite() && r.is_finite() {
            0.5 * (beta - beta.hypot(r))
        } else {
            // c subnormal: 1/c or sqrt(psi/c) overflows; the root is then -psi (1 + O(c psi)).
            -psi
        }
    }
}

/// The direct formula (cancellation-free; may overflow for huge $c\psi$).
fn chi_minus_direct(psi: f64, c: f64) -> f64 {
    let bq = 1.0 + c - c * psi;
    let disc = (bq * bq + 4.0 * c * psi).sqrt();
    if bq >= 0.0 {
        -2.0 * psi / (bq + disc)
    } else {
        (bq - disc) / (2.0 * c)
    }
}

/// MM's polynomials $E_0, E_1, E_2$ (Mei & Montanari 2022, arXiv:1908.05355, Definition 1; transcribed in docs/random_features.md#derivation-notes-fixed-point), in
/// factored forms where available.
fn e_polynomials(chi: f64, z2: f64, p1: f64, p2: f64) -> (f64, f64, f64) {
    let z4 = z2 * z2;
    let z6 = z4 * z2;
    let x2 = chi * chi;
    let x3 = x2 * chi;
    let x4 = x3 * chi;
    let x5 = x4 * chi;
    let pp = p1 * p2;
    let e0 =
        -x5 * z6 + 3.0 * x4 * z4 + (pp - p2 - p1 + 1.0) * x3 * z6 - 2.0 * x3 * z4 - 3.0 * x3 * z2
            + (p1 + p2 - 3.0 * pp + 1.0) * x2 * z4
            + 2.0 * x2 * z2
            + x2
            + 3.0 * pp * chi * z2
            - pp;
    let e1 = p2 * (z2 * chi - 1.0) * (z2 * x2 + p1);
    let e2 = x5 * z6 - 3.0 * x4 * z4
        + (p1 - 1.0) * x3 * z6
        + 2.0 * x3 * z4
        + 3.0 * x3 * z2
        + (-p1 - 1.0) * x2 * z4
        - 2.0 * x2 * z2
        - x2;
    (e0, e1, e2)
}

/// $\omega$ of MM Theorems 4–5: the negative root of
/// $(\bar\lambda\psi + 1)\omega^2 + (\psi\zeta^2 - \zeta^2 - \bar\lambda\psi - 1)\omega - \psi\zeta^2 = 0$.
fn omega_limit(psi: f64, lambda_bar: f64, z2: f64) -> f64 {
    let a = lambda_bar * psi + 1.0;
    let bq = psi * z2 - z2 - lambda_bar * psi - 1.0;
    let disc = (bq * bq + 4.0 * psi * z2 * a).sqrt();
    // -(disc + bq)/(2a), written without cancellation when bq < 0.
    if bq >= 0.0 {
        -(disc + bq) / (2.0 * a)
    } else {
        -2.0 * psi * z2 / (disc - bq)
    }
}

/// One Newton step for $G_1 = a(u + b + cb/q) - \psi_1$, $G_2 = b(u + a + ca/q) - \psi_2$,
/// $q = 1 + cab$, with the analytic Jacobian.
fn newton_step_ab(a: f64, b: f64, u: f64, p1: f64, p2: f64, c: f64) -> (f64, f64) {
    let q = 1.0 + c * a * b;
    let h1 = b + c * b / q;
    let h2 = a + c * a / q;
    let g1 = a * (u + h1) - p1;
    let g2 = b * (u + h2) - p2;
    let cross = 1.0 + c / q - c * c * a * b / (q * q);
    let j11 = (u + h1) - a * c * c * b * b / (q * q);
    let j12 = a * cross;
    let j21 = b * cross;
    let j22 = (u + h2) - b * c * c * a * a / (q * q);
    let det = j11 * j22 - j12 * j21;
    let da = (g1 * j22 - g2 * j12) / det;
    let db = (j11 * g2 - j21 * g1) / det;
    (a - da, b - db)
}

/// Relative residual of MM's imaginary-axis fixed point for $(a, b)$.
fn fixed_point_residual(a: f64, b: f64, u: f64, p1: f64, p2: f64, c: f64) -> f64 {
    let k = 1.0 + c * a * b;
    let ga = p1 / (u + b + c * b / k);
    let gb = p2 / (u + a + c * a / k);
    ((ga - a) / a).abs().max(((gb - b) / b).abs())
}
