//! Linear ridge and min-norm regression with isotropic Gaussian design: exact asymptotic risk.
//!
//! Hastie, Montanari, Rosset & Tibshirani, *Surprises in high-dimensional ridgeless least squares
//! interpolation*, Ann. Statist. 50(2):949–986, 2022 (arXiv:1903.08560), isotropic case.
//!
//! **Model.** $y = x^\top\beta + \varepsilon$, $x \sim N(0, I_p)$, $\|\beta\|^2 = r^2$,
//! $\operatorname{Var}\varepsilon = \sigma^2$, $n$ samples, $p/n \to \gamma$. The ridge estimator is
//! $\hat\beta_\lambda = \arg\min_b \tfrac1n\|y - Xb\|^2 + \lambda\|b\|^2
//! = (X^\top X + n\lambda I)^{-1}X^\top y$; at $\lambda = 0$ it is least squares ($\gamma < 1$) or the
//! min-norm interpolator $X^+y$ ($\gamma > 1$), the limit $\lambda \to 0^+$.
//!
//! **Risk** (excess, label noise excluded): $R = \mathbb{E}[(x_0^\top\hat\beta - x_0^\top\beta)^2 \mid X]
//! = B + V$ with, in terms of the Marchenko–Pastur transform $m = m_\gamma(-\lambda)$,
//!
//! $$ B = r^2\lambda^2 m'(-\lambda), \qquad V = \sigma^2\gamma\,\big(m(-\lambda) - \lambda m'(-\lambda)\big). $$
//!
//! **Training error** $\tfrac1n\|y - X\hat\beta\|^2$ (derived here; the residual is
//! $\lambda(XX^\top/n + \lambda)^{-1}y$):
//!
//! $$ T = r^2\lambda^2\big(m - \lambda m'\big) + \sigma^2\lambda^2\tilde m'(-\lambda), $$
//!
//! where $\tilde m(z) = \gamma m(z) - (1-\gamma)/z$ is the companion transform of $XX^\top/n$. It
//! satisfies the GCV identity $T = (R + \sigma^2)(1 - \mathrm{df}/n)^2$ with
//! $1 - \mathrm{df}/n = \lambda\tilde m(-\lambda)$ (checked in the tests).
//!
//! **Stable evaluation.** For $\gamma > 1$ and $\lambda \to 0$, $m$ and $m'$ blow up like the atom
//! at $0$ and $m - \lambda m'$ cancels; the code uses the companion law instead
//! ($\tilde m(-\lambda) = \gamma^{-1} m_{1/\gamma}(-\lambda/\gamma)$, finite at $\lambda = 0$), and a
//! rationalised form of $m - \lambda m'$, so $\lambda = 10^{-12}$ agrees with $\lambda = 0$.
//! See `docs/ridge.md`.

use std::num::NonZeroUsize;

pub mod anisotropic;
pub mod kernel;

pub use anisotropic::{
    AnisotropicRidge, AnisotropicRidgeModel, AnisotropicRidgeRisk, KappaSolution,
    OptimalAnisotropicRidge,
};
pub use kernel::{KernelLearningPoint, KernelRidgeModes, KernelRidgeModesModel};

use gauss_quad::GaussLegendre;

use crate::error::{Error, Result, validate};
use crate::spectral::marchenko_pastur::{mp_negative_real, resolvent_moments};

/// Resolve a renamed parameter field and its deprecated alias (e.g. `noise_sd` and `tau`), both
/// of which default to `default`: equal values, or only one of them changed from the default,
/// give that value (and the name to report it under); two different non-default values are an
/// [`Error::InvalidParameter`] naming the new field, with `conflict` as the explanation.
///
/// (Used by every `check()` with a renamed field; a candidate for `error::validate`.)
pub(crate) fn renamed_field(
    new: (&'static str, f64),
    old: (&'static str, f64),
    default: f64,
    conflict: &'static str,
) -> Result<(&'static str, f64)> {
    if new.1 == old.1 || old.1 == default {
        Ok(new)
    } else if new.1 == default {
        Ok(old)
    } else {
        Err(Error::InvalidParameter {
            name: new.0,
            value: new.1,
            expected: conflict,
        })
    }
}

/// Parameters of isotropic linear ridge regression (unchecked).
///
/// `snr` $= r^2/\sigma^2$ (so $r^2 = \mathrm{snr}\,\sigma^2$), `noise_sd` is the noise standard
/// deviation $\sigma$ (use [`Ridge::new`] or [`Ridge::default`] for $\sigma = 1$).
///
/// The field `sigma` is the deprecated name of `noise_sd` (docs/glossary.md) and keeps working:
/// [`Ridge::check`] uses whichever of the two differs from the default $1$ (an error if both do,
/// with different values). Build parameters with `..Default::default()` or [`Ridge::new`] so that
/// code naming either field compiles.
///
/// ```
/// use overparam::theory::ridge::Ridge;
/// // Min-norm interpolation at gamma = 2, SNR = 4, sigma = 1:
/// // B = r^2 (1 - 1/gamma) = 2, V = sigma^2/(gamma - 1) = 1.
/// let risk = Ridge::new(2.0, 0.0, 4.0).check()?.risk()?;
/// assert!((risk.bias - 2.0).abs() < 1e-14 && (risk.variance - 1.0).abs() < 1e-14);
/// assert_eq!(risk.train_error, 0.0);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ridge {
    /// $\gamma = p/n$, finite and $> 0$.
    pub gamma: f64,
    /// Ridge penalty $\lambda \ge 0$ (convention $\tfrac1n\|y - Xb\|^2 + \lambda\|b\|^2$);
    /// $\lambda = 0$ means least squares / min-norm and is rejected at $\gamma = 1$.
    pub lambda: f64,
    /// Signal-to-noise ratio $r^2/\sigma^2 \ge 0$.
    pub snr: f64,
    /// Label-noise standard deviation $\sigma > 0$ ($y = x^\top\beta + \varepsilon$,
    /// $\operatorname{Var}\varepsilon = \sigma^2$). Default $1$.
    pub noise_sd: f64,
    /// Deprecated name of [`Self::noise_sd`] (same meaning, a standard deviation); default $1$.
    #[deprecated(note = "use noise_sd")]
    pub sigma: f64,
}

impl Default for Ridge {
    /// $\gamma = 0.5$, $\lambda = 0.1$, $\mathrm{snr} = 1$, $\sigma = 1$ (the default point of
    /// the ridge simulation too).
    fn default() -> Self {
        Self::new(0.5, 0.1, 1.0)
    }
}

impl Ridge {
    /// Parameters with $\sigma = 1$ (so $r^2 = $ `snr`).
    #[allow(deprecated)] // sets the deprecated alias `sigma` to its default
    pub fn new(gamma: f64, lambda: f64, snr: f64) -> Self {
        Self {
            gamma,
            lambda,
            snr,
            noise_sd: 1.0,
            sigma: 1.0,
        }
    }

    /// Validate: $\gamma > 0$, $\lambda \ge 0$, $\mathrm{snr} \ge 0$, $\sigma > 0$ (all finite), and
    /// not ($\gamma = 1$ and $\lambda = 0$), where the ridgeless risk is infinite; $\sigma^2$ finite
    /// (an error naming `noise_sd`, not `snr`, when it overflows) and $r^2 =
    /// \mathrm{snr}\,\sigma^2$ finite. Every $\lambda$ from subnormal values up to `f64::MAX` is
    /// accepted: large penalties are evaluated by the expansion in $1/\lambda$ (see
    /// [`RidgeModel::risk`]).
    /// Errors are [`Error::InvalidParameter`]; $\sigma$ is `noise_sd`, or the deprecated `sigma`
    /// if only that one was changed from the default (both changed to different values is an
    /// error naming `noise_sd`).
    ///
    /// $\sigma > 0$ is required because the signal strength is parametrised as
    /// $r^2 = \mathrm{snr}\,\sigma^2$; a nearly noiseless problem is a large `snr`.
    pub fn check(&self) -> Result<RidgeModel> {
        let gamma = validate::positive("gamma", self.gamma)?;
        let lambda = validate::non_negative("lambda", self.lambda)?;
        let snr = validate::non_negative("snr", self.snr)?;
        #[allow(deprecated)]
        let (name, sigma) = renamed_field(
            ("noise_sd", self.noise_sd),
            ("sigma", self.sigma),
            1.0,
            "noise_sd alone (its deprecated alias sigma is set to a different value)",
        )?;
        let sigma = validate::positive(name, sigma)?;
        if !(sigma * sigma).is_finite() {
            return Err(Error::InvalidParameter {
                name,
                value: sigma,
                expected: "a finite number > 0 whose square is finite (below about 1.3e154)",
            });
        }
        if gamma == 1.0 && lambda == 0.0 {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: 0.0,
                expected: "lambda > 0 when gamma = 1 (the ridgeless risk is infinite at p = n)",
            });
        }
        let r2 = snr * sigma * sigma;
        if !r2.is_finite() {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: snr,
                expected: "snr * sigma^2 finite",
            });
        }
        Ok(RidgeModel {
            gamma,
            lambda,
            snr,
            sigma,
        })
    }
}

/// Validated isotropic ridge problem (see [`Ridge`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RidgeModel {
    gamma: f64,
    lambda: f64,
    snr: f64,
    sigma: f64,
}

/// Asymptotic risk decomposition of ridge regression (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RidgeRisk {
    /// Squared bias $B = r^2\lambda^2 m'(-\lambda)$.
    pub bias: f64,
    /// Variance $V = \sigma^2\gamma(m - \lambda m')$.
    pub variance: f64,
    /// Excess test risk $R = B + V$ (add $\sigma^2$ for the prediction error on a noisy label).
    pub test_error: f64,
    /// Training error $\tfrac1n\|y - X\hat\beta\|^2$ (includes the noise in $y$).
    pub train_error: f64,
    /// $m(-\lambda) = \int d\mu(s)/(s+\lambda)$ of the Marchenko–Pastur law $\mu$ of ratio $\gamma$.
    ///
    /// At $\lambda = 0$ with $\gamma > 1$, where $m(-\lambda) = (1 - 1/\gamma)/\lambda + O(1)$
    /// diverges because of the atom of mass $1 - 1/\gamma$ ([`RidgeModel::null_fraction`]) at
    /// $0$, this field holds the **finite part** $\lim_{\lambda\to0^+}[m(-\lambda) - (1 -
    /// 1/\gamma)/\lambda] = \int_{s>0} d\mu(s)/s = 1/(\gamma(\gamma - 1))$, the transform of the
    /// nonzero eigenvalues (earlier versions reported $+\infty$). For $\lambda > 0$ so small that
    /// $m(-\lambda)$ exceeds the floating-point range (only $\gamma > 1$ with
    /// $\lambda \lesssim 10^{-308}$) it saturates at `f64::MAX`. Always finite.
    pub m: f64,
    /// $m'(-\lambda) = \int d\mu(s)/(s+\lambda)^2$. At $\lambda = 0$ with $\gamma > 1$ the
    /// finite part $\lim_{\lambda\to0^+}[m'(-\lambda) - (1 - 1/\gamma)/\lambda^2] = \int_{s>0}
    /// d\mu(s)/s^2 = 1/(\gamma - 1)^3$ (earlier versions: $+\infty$), as for [`Self::m`]. For
    /// $\lambda > 0$ where $m'(-\lambda) \approx (1 - 1/\gamma)/\lambda^2$ ($\gamma > 1$) or
    /// $\lambda^{-3/2}/2$ ($\gamma = 1$) exceeds the floating-point range (about
    /// $\lambda < 10^{-154}$, resp. $10^{-205}$) it saturates at `f64::MAX` (the risk fields stay
    /// exact: they use $\lambda^2 m'$, evaluated without overflow). Always finite.
    pub dm: f64,
    /// Degrees of freedom per sample, $\mathrm{df}/n = \tfrac1n\operatorname{tr} X(X^\top X + n\lambda)^{-1}X^\top
    /// = \gamma(1 - \lambda m) = 1 - \lambda\tilde m(-\lambda)$.
    pub df_ratio: f64,
}

/// The optimally tuned ridge penalty and its risk.
///
/// Like [`crate::theory::random_features::OptimalLambda`], it carries the full risk
/// decomposition at the optimum, here in [`Self::at_optimum`]. The older field `risk` (an `f64`,
/// the test error at the optimum) is deprecated but keeps its meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimalRidge {
    /// $\lambda^* = \gamma/\mathrm{snr} = \sigma^2\gamma/r^2$.
    pub lambda: f64,
    /// Bias, variance, test and training error, $m$, $m'$ and degrees of freedom at
    /// $\lambda^*$ (the [`RidgeModel::risk`] of the same problem with $\lambda = \lambda^*$).
    pub at_optimum: RidgeRisk,
    /// $R(\lambda^*) = \sigma^2\gamma\, m(-\lambda^*)$, the excess test risk at the optimum
    /// (equal to `at_optimum.test_error` up to rounding).
    #[deprecated(note = "use at_optimum.test_error")]
    pub risk: f64,
}

/// $(m, m', m - \lambda m')$ for the MP law of ratio `g` at $z = -\lambda$ ($\lambda \ge 0$; for
/// $\lambda = 0$ requires $g < 1$). $m - \lambda m' = T_3 = \mathbb E\,\mu/(\mu+\lambda)^2$ comes
/// in cancellation-free form from
/// [`MarchenkoPastur::resolvent_moments`](crate::spectral::MarchenkoPastur::resolvent_moments).
fn m_minus_lambda_dm(g: f64, lambda: f64) -> (f64, f64, f64) {
    let (m, dm) = mp_negative_real(g, lambda);
    (m, dm, resolvent_moments(g, lambda).t3)
}

/// Where [`RidgeModel::risk`] switches to the expansion in $1/\lambda$: a million times the upper
/// edge $(1 + \sqrt\gamma)^2$ of the Marchenko–Pastur support, so that the first omitted term,
/// $O((b/\lambda)^4)$, is below $10^{-24}$ relative.
fn large_lambda_threshold(gamma: f64) -> f64 {
    let edge = (1.0 + gamma.sqrt()).powi(2);
    1e6 * edge
}

/// The expansion of the risk in $x = 1/\lambda$ (see [`RidgeModel::risk`]); $\lambda$ at least
/// [`large_lambda_threshold`].
fn large_lambda_risk(g: f64, l: f64, r2: f64, s2: f64) -> RidgeRisk {
    let x = 1.0 / l;
    // The moments E_k grow like gamma^{k-1}: write E_k x^j through x and gx = gamma x (both
    // <= 1e-6 above the threshold), so that no power of gamma overflows for huge gamma.
    let gx = g * x;
    let e2x = x + gx; // E_2 x
    let e3x2 = x * x + 3.0 * x * gx + gx * gx; // E_3 x^2
    let e4x3 = x * x * x + 6.0 * x * x * gx + 6.0 * x * gx * gx + gx * gx * gx; // E_4 x^3
    // lambda^2 m'(-lambda) = sum_k (k+1)(-1)^k E_k x^k, lambda^2 t3 = sum_k (k+1)(-1)^k E_{k+1} x^k.
    let l2_dm = 1.0 - 2.0 * x + 3.0 * x * e2x - 4.0 * x * e3x2;
    let l2_t3 = 1.0 - 2.0 * e2x + 3.0 * e3x2 - 4.0 * e4x3;
    // lambda m(-lambda) = sum_k (-1)^k E_k x^k.
    let l_m = 1.0 - x + x * e2x - x * e3x2;
    let bias = r2 * l2_dm;
    let variance = s2 * gx * x * l2_t3;
    // T = r^2 lambda^2 t3 + sigma^2 (gamma lambda^2 m' + 1 - gamma), with the 1 - gamma absorbed.
    let train = r2 * l2_t3 + s2 * (1.0 - gx * (2.0 - 3.0 * e2x));
    RidgeRisk {
        bias,
        variance,
        test_error: bias + variance,
        train_error: train,
        m: x * l_m,
        dm: (x * x) * l2_dm,
        // gamma (1 - lambda m) = gamma x (E1 - E2 x + E3 x^2).
        df_ratio: gx * (1.0 - e2x + e3x2),
    }
}

impl RidgeModel {
    /// $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// The mass $(1 - 1/\gamma)_+$ of the atom at $0$ of the Marchenko–Pastur law (the fraction
    /// of directions the data never see when $p > n$). [`RidgeRisk::m`] and [`RidgeRisk::dm`]
    /// at $\lambda = 0$ are finite parts with this atom's $1/\lambda$, $1/\lambda^2$ removed.
    pub fn null_fraction(&self) -> f64 {
        (1.0 - 1.0 / self.gamma).max(0.0)
    }
    /// Ridge penalty $\lambda$.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// Signal-to-noise ratio $r^2/\sigma^2$.
    pub fn snr(&self) -> f64 {
        self.snr
    }
    /// Label-noise standard deviation $\sigma$.
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }
    /// Label-noise standard deviation $\sigma$ (deprecated name of [`Self::noise_sd`]).
    #[deprecated(note = "use noise_sd")]
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Signal energy $r^2 = \|\beta\|^2 = \mathrm{snr}\,\sigma^2$.
    pub fn signal_energy(&self) -> f64 {
        self.snr * self.sigma * self.sigma
    }

    /// Closed-form bias, variance, test and training error (HMRT 2022, isotropic ridge).
    ///
    /// For $\gamma \le 1$ the formulas are evaluated through $m_\gamma(-\lambda)$; for $\gamma > 1$
    /// through the companion law, i.e. with $M = m_{1/\gamma}$ at $-\lambda/\gamma$:
    /// $B = r^2[(\lambda/\gamma)^2 M' + \gamma - 1]/\gamma$, $V = \sigma^2[M - (\lambda/\gamma)M']/\gamma$,
    /// $T = r^2\lambda^2[M - (\lambda/\gamma)M']/\gamma^2 + \sigma^2(\lambda/\gamma)^2 M'$.
    /// At $\lambda = 0$ these reduce to $B = 0$, $V = \sigma^2\gamma/(1-\gamma)$,
    /// $T = \sigma^2(1-\gamma)$ for $\gamma < 1$ and $B = r^2(1 - 1/\gamma)$,
    /// $V = \sigma^2/(\gamma - 1)$, $T = 0$ for $\gamma > 1$ (with `m`, `dm` the finite parts,
    /// see [`RidgeRisk::m`]).
    ///
    /// **Large penalties.** For $\lambda \ge 10^6(1 + \sqrt\gamma)^2$ (a million times the upper
    /// spectral edge) the closed forms overflow ($\lambda^2 m'$ is $\infty\cdot0$ beyond
    /// $\lambda \approx 10^{154}$), so the risk is evaluated by its expansion in $x = 1/\lambda$
    /// through the moments $E_k = \int s^k d\mu$ ($E_1 = 1$, $E_2 = 1 + \gamma$,
    /// $E_3 = 1 + 3\gamma + \gamma^2$, $E_4 = 1 + 6\gamma + 6\gamma^2 + \gamma^3$):
    /// $B = r^2(1 - 2E_1x + 3E_2x^2 - 4E_3x^3)$, $V = \sigma^2\gamma x^2(E_1 - 2E_2x + 3E_3x^2)$,
    /// $T = r^2(E_1 - 2E_2x + 3E_3x^2 - 4E_4x^3) + \sigma^2(1 - 2\gamma E_1 x + 3\gamma E_2x^2)$,
    /// truncated where the next term is below $10^{-24}$ relative. As $\lambda \to \infty$ this is
    /// the null estimator $\hat\beta = 0$: $B \to r^2$, $V \to 0$, $T \to r^2 + \sigma^2$,
    /// $\mathrm{df}/n \to 0$. Every $\lambda$ up to `f64::MAX` gives a finite result.
    ///
    /// # Errors
    /// [`Error::NonFinite`] naming the quantity only if a result still overflows (e.g. $r^2$ near
    /// `f64::MAX` with a variance term that adds to it).
    ///
    /// ```
    /// use overparam::theory::ridge::Ridge;
    /// let risk = Ridge::new(0.5, 1.0, 1.0).check()?.risk()?;
    /// // Oracle (Hastie, Montanari, Rosset & Tibshirani 2022, arXiv:1903.08560; docs/ridge.md#derivation-notes-reference-values): B/r^2 = 0.3488746876272, V/sigma^2 = 0.1063390625908.
    /// assert!((risk.bias - 0.3488746876272).abs() < 1e-12);
    /// assert!((risk.variance - 0.1063390625908).abs() < 1e-12);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn risk(&self) -> Result<RidgeRisk> {
        let (g, l) = (self.gamma, self.lambda);
        let r2 = self.signal_energy();
        let s2 = self.sigma * self.sigma;
        let out = if l >= large_lambda_threshold(g) {
            large_lambda_risk(g, l, r2, s2)
        } else if g <= 1.0 {
            let (m, dm, u) = m_minus_lambda_dm(g, l);
            // lambda^2 m'; at gamma = 1 and tiny lambda, m' ~ lambda^{-3/2}/2 overflows (or
            // lambda^2 underflows) although lambda^2 m' ~ lambda^{1/2}/2 does not: then use
            // m' = m (1 + gamma m)/D as (lambda m)(lambda (1 + gamma m))/D.
            let l2dm = if dm.is_finite() && l > 1e-150 {
                l * l * dm
            } else {
                let d = ((1.0 - g + l).powi(2) + 4.0 * g * l).sqrt();
                (l * m) * (l * (1.0 + g * m)) / d
            };
            let bias = r2 * l2dm;
            let variance = s2 * g * u;
            // lambda^2 m~' = gamma lambda^2 m' + (1 - gamma); lambda m~ = gamma lambda m + 1 - gamma.
            let train = r2 * l * l * u + s2 * (g * l2dm + (1.0 - g));
            let df_ratio = g * (1.0 - l * m);
            RidgeRisk {
                bias,
                variance,
                test_error: bias + variance,
                train_error: train,
                m,
                dm: dm.min(f64::MAX),
                df_ratio,
            }
        } else {
            let lg = l / g;
            let (mm, dmm, u) = m_minus_lambda_dm(1.0 / g, lg);
            let bias = r2 * (lg * lg * dmm + g - 1.0) / g;
            let variance = s2 * u / g;
            let train = r2 * l * l * u / (g * g) + s2 * lg * lg * dmm;
            // m = m~/gamma + (1 - 1/gamma)/lambda with m~ = M/gamma: infinite at lambda = 0, where
            // the fields hold the finite parts m~/gamma = M/gamma^2 and m~'/gamma = M'/gamma^3.
            let (m, dm) = if l > 0.0 {
                let (m, dm) = mp_negative_real(g, l);
                (m.min(f64::MAX), dm.min(f64::MAX))
            } else {
                (mm / (g * g), dmm / (g * g * g))
            };
            let df_ratio = 1.0 - lg * mm;
            RidgeRisk {
                bias,
                variance,
                test_error: bias + variance,
                train_error: train,
                m,
                dm,
                df_ratio,
            }
        };
        for (v, what) in [
            (out.bias, "ridge bias"),
            (out.variance, "ridge variance"),
            (out.train_error, "ridge training error"),
            (out.df_ratio, "ridge degrees of freedom"),
            (out.test_error, "ridge test error"),
            (out.m, "ridge m(-lambda)"),
            (out.dm, "ridge m'(-lambda)"),
        ] {
            if !v.is_finite() {
                return Err(Error::NonFinite { what });
            }
        }
        Ok(out)
    }

    /// The optimal penalty $\lambda^* = \gamma/\mathrm{snr}$ and $R(\lambda^*) = \sigma^2\gamma\,m(-\lambda^*)$.
    ///
    /// $\lambda^*$ makes ridge the Bayes posterior mean for $\beta \sim N(0, (r^2/p)I)$; it does not
    /// depend on the current `lambda`. With `snr = 0` the optimum is $\lambda \to \infty$
    /// ($\hat\beta = 0$, risk $0$) and an [`Error::InvalidParameter`] naming `snr` is returned,
    /// as when $\gamma/\mathrm{snr}$ overflows (a subnormal `snr`); any representable
    /// $\lambda^*$ is evaluated (large ones by the expansion of [`Self::risk`]).
    ///
    /// ```
    /// use overparam::theory::ridge::Ridge;
    /// let opt = Ridge::new(1.0, 1.0, 1.0).check()?.optimal_lambda()?;
    /// assert!((opt.at_optimum.test_error - (5f64.sqrt() - 1.0) / 2.0).abs() < 1e-14);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn optimal_lambda(&self) -> Result<OptimalRidge> {
        if self.snr <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: self.snr,
                expected: "snr > 0 (for snr = 0 the optimal penalty is infinite)",
            });
        }
        let lambda = self.gamma / self.snr;
        if !lambda.is_finite() {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: self.snr,
                expected: "snr > 0 with gamma / snr finite (the optimal penalty gamma / snr overflows)",
            });
        }
        let at_optimum = RidgeModel { lambda, ..*self }.risk()?;
        let risk = if lambda >= large_lambda_threshold(self.gamma) {
            // sigma^2 gamma m(-lambda*) = R(lambda*) also in the expansion's range.
            at_optimum.test_error
        } else {
            let (m, _) = mp_negative_real(self.gamma, lambda);
            self.sigma * self.sigma * self.gamma * m
        };
        if !risk.is_finite() {
            return Err(Error::NonFinite {
                what: "optimal ridge risk",
            });
        }
        #[allow(deprecated)]
        Ok(OptimalRidge {
            lambda,
            at_optimum,
            risk,
        })
    }

    /// The same quantities as [`Self::risk`], by numerical integration against the
    /// Marchenko–Pastur density (an independent check of the closed forms).
    ///
    /// With $\mu_c$ the continuous part and $A = (1 - 1/\gamma)_+$ the atom:
    /// $B = r^2(\lambda^2\!\int\! d\mu_c/(s+\lambda)^2 + A)$,
    /// $V = \sigma^2\gamma\!\int\! s\,d\mu_c/(s+\lambda)^2$,
    /// $T = r^2\lambda^2\!\int\! s\,d\mu_c/(s+\lambda)^2 + \sigma^2(\gamma\lambda^2\!\int\! d\mu_c/(s+\lambda)^2 + (1-\gamma)_+)$.
    /// The substitution $s = \tfrac{a+b}2 - \tfrac{b-a}2\cos\theta$ removes the square-root edges
    /// and the integrals are done by `nodes`-point Gauss–Legendre on $[0, \pi]$. Accuracy degrades
    /// when both the lower edge $a = (1-\sqrt\gamma)^2$ and $\lambda$ are small ($\gamma \approx 1$,
    /// $\lambda \approx 0$), where the integrands are nearly singular. `nodes` must be $\ge 1$.
    pub fn risk_via_spectral_integral(&self, nodes: usize) -> Result<RidgeRisk> {
        let nodes = NonZeroUsize::new(nodes).ok_or(Error::InvalidParameter {
            name: "nodes",
            value: 0.0,
            expected: "at least one quadrature node",
        })?;
        let (g, l) = (self.gamma, self.lambda);
        let r2 = self.signal_energy();
        let s2 = self.sigma * self.sigma;
        let rt = g.sqrt();
        let (a, b) = ((1.0 - rt) * (1.0 - rt), (1.0 + rt) * (1.0 + rt));
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let atom = (1.0 - 1.0 / g).max(0.0);
        let rule = GaussLegendre::new(nodes);
        // density(s) ds = half^2 sin^2(t) / (2 pi gamma s) dt
        let weight = |t: f64| {
            let s = mid - half * t.cos();
            let st = t.sin();
            (
                s,
                half * half * st * st / (2.0 * std::f64::consts::PI * g * s),
            )
        };
        let pi = std::f64::consts::PI;
        let i1 = rule.integrate(0.0, pi, |t| {
            let (s, w) = weight(t);
            w / (s + l)
        });
        let i2 = rule.integrate(0.0, pi, |t| {
            let (s, w) = weight(t);
            w / ((s + l) * (s + l))
        });
        let i3 = rule.integrate(0.0, pi, |t| {
            let (s, w) = weight(t);
            w * s / ((s + l) * (s + l))
        });
        let i0 = rule.integrate(0.0, pi, |t| {
            let (s, w) = weight(t);
            w * s / (s + l)
        });
        let bias = r2 * (l * l * i2 + atom);
        let variance = s2 * g * i3;
        let train = r2 * l * l * i3 + s2 * (g * l * l * i2 + (1.0 - g).max(0.0));
        // At lambda = 0 with an atom: the finite parts (see RidgeRisk::m).
        let (m, dm) = if atom > 0.0 {
            if l > 0.0 {
                // Saturated where the atom's 1/lambda^2 exceeds the range, as in risk().
                (
                    (i1 + atom / l).min(f64::MAX),
                    (i2 + atom / (l * l)).min(f64::MAX),
                )
            } else {
                (i1, i2)
            }
        } else {
            (i1, i2)
        };
        let out = RidgeRisk {
            bias,
            variance,
            test_error: bias + variance,
            train_error: train,
            m,
            dm,
            df_ratio: g * i0,
        };
        for (v, what) in [
            (out.bias, "ridge bias (quadrature)"),
            (out.variance, "ridge variance (quadrature)"),
            (out.train_error, "ridge training error (quadrature)"),
            (out.m, "ridge m (quadrature)"),
            (out.dm, "ridge m' (quadrature)"),
            (out.df_ratio, "ridge degrees of freedom (quadrature)"),
        ] {
            if !v.is_finite() {
                return Err(Error::NonFinite { what });
            }
        }
        Ok(out)
    }
}
