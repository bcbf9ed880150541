//! The finite-$(n, p, D)$ output-attack formula plotted by Tan et al. (min-norm / OLS).
//!
//! For a fixed target with $q = \|x_{0,1:p}\|^2$ and $q_D = \|x_0\|^2$, averaging the exact
//! conditional output variance over the Gaussian design with the inverse-Wishart mean
//! $\mathbb E[(W)^{-1}] = I/(m - k - 1)$ and $\mathbb E[P_{\rm row}] = (n/p) I$:
//!
//! $$p > n + 1:\quad \sigma_0^2 = \frac np\Big[\frac1D + \frac{1 + \sigma^2 - p/D}{p - n - 1}\Big] q,
//!   \qquad \sigma_1^2 = \sigma^2 + \frac{q_D}D ;$$
//! $$p < n - 1:\quad \sigma_0^2 = \Big[\frac1D + \frac{1 + \sigma^2 - p/D}{n - p - 1}\Big] q,
//!   \qquad \sigma_1^2 \approx \frac qD + \Big(1 + \sigma^2 - \frac pD\Big)\frac{q}{n - p - 2 + q}.$$
//!
//! The $p > n+1$ pair and the $p < n-1$ non-member variance are the authors' formulas (Tan,
//! Mason, Javadi, Baraniuk, NeurIPS 2022, code `generate_figs/plot_asymptotic.py`, Fig. 2a); the
//! member is exact there ($\hat y_0 = y_0$). The $p < n-1$ member variance is *not* in the
//! authors' code: it is this crate's plug-in approximation, with the leverage
//! $H_{00} = c/(1+c)$ evaluated at $c = \mathbb E c = q/(n-p-2)$ (Jensen; exact in the limit,
//! where it tends to $\kappa + s^2\gamma$). At $|p - n| \le 1$ the expectations are infinite.

use super::output_attack::OutputAttack;
use super::scale_test::ScaleTest;
use crate::error::{Error, Result, finite, validate};

/// Unchecked finite-size parameters: build them with [`FiniteSize::new`]`(n, p, d, noise_sd)`.
///
/// The label-noise standard deviation is `noise_sd` in the crate's vocabulary
/// (docs/glossary.md): [`FiniteSize::new`] takes it under that name and [`FiniteSize::noise_sd`]
/// reads it. It is stored in the field `sigma`, deprecated: renaming the field would break every
/// struct literal `FiniteSize { n, p, d, sigma }`, which keeps compiling (with a deprecation
/// warning) and means the same.
///
/// ```
/// use overparam::theory::membership::FiniteSize;
/// let m = FiniteSize::new(1000, 3000, 10_000_000, 1.0).check()?;
/// assert_eq!(m.noise_sd(), 1.0);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiniteSize {
    /// Training-set size $n \ge 1$.
    pub n: usize,
    /// Number of modelled features $p \ge 1$, with $|p - n| \ge 2$.
    pub p: usize,
    /// Total number of features $D \ge p$.
    pub d: usize,
    /// Label-noise standard deviation $\sigma \ge 0$ (glossary: `noise_sd`).
    #[deprecated(
        note = "the label-noise standard deviation is `noise_sd`: build with FiniteSize::new(n, p, d, noise_sd), read with noise_sd()"
    )]
    pub sigma: f64,
}

#[allow(deprecated)] // the deprecated field `sigma` stores `noise_sd`
impl FiniteSize {
    /// Training-set size $n$, modelled features $p$, total features $D$ and label-noise
    /// standard deviation `noise_sd` $= \sigma$ (validated by [`FiniteSize::check`]).
    pub fn new(n: usize, p: usize, d: usize, noise_sd: f64) -> Self {
        Self {
            n,
            p,
            d,
            sigma: noise_sd,
        }
    }

    /// The label-noise standard deviation $\sigma$ (stored in the deprecated field `sigma`).
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }

    /// Validate.
    ///
    /// Domain: $n \ge 1$; $p \ge 1$ with $|p - n| \ge 2$; $D \ge p$; `noise_sd` finite and
    /// $\ge 0$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `n`, `p`, `d` or `noise_sd` (the field `sigma`).
    pub fn check(&self) -> Result<FiniteSizeModel> {
        if self.n == 0 {
            return Err(Error::InvalidParameter {
                name: "n",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        if self.p == 0 || self.p.abs_diff(self.n) < 2 {
            return Err(Error::InvalidParameter {
                name: "p",
                value: self.p as f64,
                expected: "an integer >= 1 with p > n + 1 or p < n - 1",
            });
        }
        if self.d < self.p {
            return Err(Error::InvalidParameter {
                name: "d",
                value: self.d as f64,
                expected: "an integer >= p",
            });
        }
        let sigma = validate::non_negative("noise_sd", self.sigma)?;
        Ok(FiniteSizeModel {
            n: self.n as f64,
            p: self.p as f64,
            d: self.d as f64,
            sigma,
        })
    }
}

/// Checked finite-size model; build it with [`FiniteSize::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiniteSizeModel {
    n: f64,
    p: f64,
    d: f64,
    sigma: f64,
}

impl FiniteSizeModel {
    /// The label-noise standard deviation $\sigma$.
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }
    /// $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.p / self.n
    }
    /// $\kappa = p/D$.
    pub fn kappa(&self) -> f64 {
        self.p / self.d
    }

    /// The output attack for a target with $\|x_{0,1:p}\|^2 = $ `modelled_sq_norm` and
    /// $\|x_0\|^2 = $ `total_sq_norm`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if a norm is not finite and positive or
    /// `modelled_sq_norm > total_sq_norm`.
    ///
    /// ```
    /// use overparam::theory::membership::FiniteSize;
    /// // Fig. 2a of Tan et al. (n = 1000, D = 1e7): Adv ~ 0.1670 at gamma = 3.
    /// let m = FiniteSize::new(1000, 3000, 10_000_000, 1.0).check()?;
    /// assert!((m.output_attack_normalised()?.advantage - 0.1670).abs() < 2e-3);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn output_attack(&self, modelled_sq_norm: f64, total_sq_norm: f64) -> Result<OutputAttack> {
        let q = validate::positive("modelled_sq_norm", modelled_sq_norm)?;
        let qd = validate::positive("total_sq_norm", total_sq_norm)?;
        if q > qd {
            return Err(Error::InvalidParameter {
                name: "modelled_sq_norm",
                value: q,
                expected: "at most total_sq_norm",
            });
        }
        let (n, p, d) = (self.n, self.p, self.d);
        let s2 = self.sigma * self.sigma + 1.0 - p / d;
        let (v0, v1) = if p > n + 1.0 {
            (
                (n / p) * (1.0 / d + s2 / (p - n - 1.0)) * q,
                self.sigma * self.sigma + qd / d,
            )
        } else {
            (
                (1.0 / d + s2 / (n - p - 1.0)) * q,
                q / d + s2 * q / (n - p - 2.0 + q),
            )
        };
        let v0 = finite(v0, "finite-size V0")?;
        let v1 = finite(v1, "finite-size V1")?;
        let test = ScaleTest::new(v1, v0)?;
        Ok(OutputAttack {
            v0,
            v1,
            advantage: test.advantage(),
            auc: test.auc(),
            test,
        })
    }

    /// [`FiniteSizeModel::output_attack`] for a normalised target, $\|x_{0,1:p}\|^2 = p$ and
    /// $\|x_0\|^2 = D$.
    ///
    /// # Errors
    /// None in practice (the norms are valid by construction).
    pub fn output_attack_normalised(&self) -> Result<OutputAttack> {
        self.output_attack(self.p, self.d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deprecated field and the constructor build the same parameters; a bad noise is
    /// reported under its glossary name.
    #[test]
    #[allow(deprecated)]
    fn deprecated_sigma_field_is_noise_sd() {
        let literal = FiniteSize {
            n: 1000,
            p: 3000,
            d: 10_000_000,
            sigma: 0.7,
        };
        let built = FiniteSize::new(1000, 3000, 10_000_000, 0.7);
        assert_eq!(literal, built);
        assert_eq!(built.noise_sd(), 0.7);
        assert_eq!(literal.check().unwrap(), built.check().unwrap());
        assert_eq!(built.check().unwrap().noise_sd(), 0.7);
        assert!(matches!(
            FiniteSize::new(1000, 3000, 10_000_000, -1.0).check(),
            Err(Error::InvalidParameter {
                name: "noise_sd",
                ..
            })
        ));
    }
}
