//! Kernel ridge learning curves in the modes form (Bordelon, Canatar & Pehlevan, ICML 2020,
//! arXiv:2002.02561; Canatar, Bordelon & Pehlevan, *Nat. Commun.* 12, 2021, arXiv:2006.13198;
//! Simon, Dickens, Karkada & DeWeese 2021, arXiv:2110.03922).
//!
//! Kernel eigenvalues $\lambda_k > 0$ (of the integral operator on the data distribution), target
//! $f^\star = \sum_k v_k\phi_k$, $n$ samples with label noise of variance $\sigma^2$, estimator
//! $\hat f = \arg\min_f \sum_{i=1}^n (f(x_i) - y_i)^2 + \delta\|f\|_{\mathcal H}^2$. The
//! effective regularisation $\kappa$ solves
//! $$ n = \sum_k \frac{\lambda_k}{\lambda_k + \kappa} + \frac{\delta}{\kappa}, $$
//! the learnabilities are $L_k = \lambda_k/(\lambda_k + \kappa)$,
//! $E_0 = n/(n - \sum_k L_k^2)$, and the excess test error is
//! $E_g = E_0\sum_k (1 - L_k)^2 v_k^2 + \sigma^2(E_0 - 1)$ (the test MSE on a noisy label is
//! $E_g + \sigma^2 = E_0(\sum_k (1-L_k)^2v_k^2 + \sigma^2)$).
//!
//! **The same equations as [`super::AnisotropicRidge`].** With $P$ modes, the population of
//! $P$ equal-weight atoms $s_k = \lambda_k$, $\gamma = P/n$, ridge penalty
//! $\lambda = \delta/n$ and signal shares $c_k \propto v_k^2/\lambda_k$ (so
//! $\|\beta\|^2 = \sum_k v_k^2/\lambda_k$, $\beta_k^2 = v_k^2/\lambda_k$) gives the same
//! $\kappa$, and its bias, variance and test error are $E_0\sum_k(1-L_k)^2v_k^2$,
//! $\sigma^2(E_0 - 1)$ and $E_g$ ([`KernelRidgeModes::population_form`]; tested to $10^{-12}$).
//! This module solves the modes form on its own (own bracket, own sums), so the agreement is a
//! test of the mapping. Modes with $\lambda_k = 0$ are not allowed (a mode the kernel cannot
//! represent has no RKHS norm).

use crate::error::{Error, Result, validate};
use crate::spectral::Population;

use super::AnisotropicRidge;

/// Kernel ridge in the modes form (unchecked). See the [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct KernelRidgeModes {
    /// Kernel eigenvalues $\lambda_k > 0$.
    pub eigenvalues: Vec<f64>,
    /// Target energies $v_k^2 \ge 0$ (one per mode).
    pub target: Vec<f64>,
    /// Ridge $\delta \ge 0$ on $\sum_i(f(x_i) - y_i)^2 + \delta\|f\|_{\mathcal H}^2$.
    pub ridge: f64,
    /// Label-noise variance $\sigma^2 \ge 0$.
    pub noise_variance: f64,
}

/// A validated modes-form problem.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelRidgeModesModel {
    eigenvalues: Vec<f64>,
    target: Vec<f64>,
    ridge: f64,
    noise_variance: f64,
    sum: f64,
    min: f64,
    max: f64,
}

/// One point of a learning curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelLearningPoint {
    /// Samples $n$.
    pub n: f64,
    /// Effective regularisation $\kappa$ ($0$ for $\delta = 0$ and $n \ge P$).
    pub kappa: f64,
    /// $E_0 = n/(n - \sum_k L_k^2)$.
    pub e0: f64,
    /// Bias $E_0\sum_k(1-L_k)^2v_k^2$.
    pub bias: f64,
    /// Variance $\sigma^2(E_0 - 1)$.
    pub variance: f64,
    /// Excess test error $E_g$ = bias + variance.
    pub test_error: f64,
    /// Residual of the $\kappa$ equation relative to $n$.
    pub residual: f64,
}

impl KernelRidgeModes {
    /// Validate: at least one mode, eigenvalues finite and $> 0$, as many finite target energies
    /// $\ge 0$, $\delta \ge 0$ and $\sigma^2 \ge 0$ finite, $\sum_k\lambda_k$ finite.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<KernelRidgeModesModel> {
        if self.eigenvalues.is_empty() {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: 0.0,
                expected: "at least one mode",
            });
        }
        if self.target.len() != self.eigenvalues.len() {
            return Err(Error::InvalidParameter {
                name: "target",
                value: self.target.len() as f64,
                expected: "one target energy per eigenvalue",
            });
        }
        for &l in &self.eigenvalues {
            validate::positive("eigenvalues", l)?;
        }
        for &v in &self.target {
            validate::non_negative("target", v)?;
        }
        let ridge = validate::non_negative("ridge", self.ridge)?;
        let noise_variance = validate::non_negative("noise_variance", self.noise_variance)?;
        let sum: f64 = self.eigenvalues.iter().sum();
        if !sum.is_finite() {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: sum,
                expected: "eigenvalues with a finite sum",
            });
        }
        let min = self
            .eigenvalues
            .iter()
            .fold(f64::INFINITY, |a, &b| a.min(b));
        let max = self.eigenvalues.iter().fold(0.0f64, |a, &b| a.max(b));
        Ok(KernelRidgeModesModel {
            eigenvalues: self.eigenvalues.clone(),
            target: self.target.clone(),
            ridge,
            noise_variance,
            sum,
            min,
            max,
        })
    }

    /// The power law $\lambda_k = k^{-\alpha}$, $v_k^2 = k^{-1-2\alpha r}$, $k = 1..P$ (the
    /// capacity $\alpha$ and source $r$ of Cui, Loureiro, Krzakala & Zdeborová 2021,
    /// arXiv:2105.15004).
    ///
    /// Errors: [`Error::InvalidParameter`] for `alpha <= 0`, `source < 0` or `modes = 0`.
    pub fn power_law(
        alpha: f64,
        source: f64,
        modes: usize,
        ridge: f64,
        noise_variance: f64,
    ) -> Result<Self> {
        validate::positive("alpha", alpha)?;
        validate::non_negative("source", source)?;
        if modes == 0 {
            return Err(Error::InvalidParameter {
                name: "modes",
                value: 0.0,
                expected: "at least one mode",
            });
        }
        let eigenvalues = (1..=modes).map(|k| (k as f64).powf(-alpha)).collect();
        let target = (1..=modes)
            .map(|k| (k as f64).powf(-1.0 - 2.0 * alpha * source))
            .collect();
        Ok(Self {
            eigenvalues,
            target,
            ridge,
            noise_variance,
        })
    }

    /// The same problem at $n$ samples as an [`AnisotropicRidge`] (see the
    /// [module documentation](self)): $P$ equal-weight atoms $s_k = \lambda_k$, $\gamma = P/n$,
    /// $\lambda = \delta/n$, $c_k \propto v_k^2/\lambda_k$, $\|\beta\|^2 = \sum_k v_k^2/\lambda_k$,
    /// $\sigma^2$ the noise variance.
    ///
    /// Errors: those of [`Population::new`] (e.g. an all-zero target), `n` not finite and $> 0$
    /// ([`Error::InvalidParameter`]), zero noise (the population form needs $\sigma > 0$:
    /// [`Error::InvalidParameter`] `noise_variance`).
    pub fn population_form(&self, n: f64) -> Result<AnisotropicRidge> {
        let n = validate::positive("n", n)?;
        let noise = validate::positive("noise_variance", self.noise_variance)?;
        let p = self.eigenvalues.len();
        let beta2: Vec<f64> = self
            .eigenvalues
            .iter()
            .zip(&self.target)
            .map(|(l, v)| v / l)
            .collect();
        let energy: f64 = beta2.iter().sum();
        let pop = Population::new(self.eigenvalues.clone(), vec![1.0; p], beta2)?;
        let sigma = noise.sqrt();
        Ok(AnisotropicRidge {
            noise_sd: sigma,
            ..AnisotropicRidge::new(pop, p as f64 / n, self.ridge / n, energy / noise)
        })
    }
}

/// $(\sum_k L_k, \sum_k L_k^2)$ at $\kappa > 0$.
fn learnability_sums(l: &[f64], kappa: f64) -> (f64, f64) {
    let (mut a, mut b) = (0.0, 0.0);
    for &lk in l {
        let q = lk / (lk + kappa);
        a += q;
        b += q * q;
    }
    (a, b)
}

impl KernelRidgeModesModel {
    /// Number of modes $P$.
    pub fn modes(&self) -> usize {
        self.eigenvalues.len()
    }

    /// $\kappa$ at $n$ samples: bisection-safeguarded Newton in $\ln\kappa$ on
    /// $h(\kappa) = \sum_k L_k + \delta/\kappa - n$ (decreasing), bracket
    /// $[\delta/n, (\delta + \sum_k\lambda_k)/n]$ for $\delta > 0$, resp.
    /// $[\lambda_{\min}(P/n - 1), \lambda_{\max}(P/n - 1)]$ for $\delta = 0$, $n < P$;
    /// $\kappa = 0$ for $\delta = 0$, $n > P$.
    ///
    /// Errors: `n` not finite and $> 0$, or $\delta = 0$ with $n = P$ (infinite error)
    /// ([`Error::InvalidParameter`] `n`); [`Error::NonFinite`] if the bracket under- or
    /// overflows (e.g. $\delta/n$ below the smallest double); [`Error::NotConverged`].
    pub fn kappa(&self, n: f64) -> Result<(f64, f64)> {
        let n = validate::positive("n", n)?;
        let p = self.modes() as f64;
        let d = self.ridge;
        if d == 0.0 {
            if n > p {
                return Ok((0.0, 0.0));
            }
            if n == p {
                return Err(Error::InvalidParameter {
                    name: "n",
                    value: n,
                    expected: "n != number of modes when ridge = 0 (the error is infinite)",
                });
            }
        }
        let (lo, hi) = if d > 0.0 {
            (d / n, (d + self.sum) / n)
        } else {
            (self.min * (p / n - 1.0), self.max * (p / n - 1.0))
        };
        let h = |k: f64| {
            let (s1, s2) = learnability_sums(&self.eigenvalues, k);
            // h and dh/du (u = ln kappa): d L_k/du = -L_k (1 - L_k).
            ((s1 + d / k - n) / n, (-(s1 - s2) - d / k) / n)
        };
        // A subnormal lower end (ridge / n below the smallest normal double) would make
        // ridge / kappa overflow at the root: reported as the bracket's underflow.
        if !(lo >= f64::MIN_POSITIVE && hi.is_finite() && (d / lo).is_finite()) {
            return Err(Error::NonFinite {
                what: "kernel ridge kappa bracket (ridge / n underflows or overflows)",
            });
        }
        let (mut a, mut b) = (lo.ln(), hi.ln());
        if h(lo).0 <= 0.0 {
            return Ok((lo, h(lo).0.abs()));
        }
        if h(hi).0 >= 0.0 {
            return Ok((hi, h(hi).0.abs()));
        }
        let mut u = 0.5 * (a + b);
        for _ in 0..400 {
            let (f, df) = h(u.exp());
            if f == 0.0 {
                return Ok((u.exp(), 0.0));
            }
            if f > 0.0 {
                a = u;
            } else {
                b = u;
            }
            let newton = u - f / df;
            let next = if df < 0.0 && newton > a && newton < b {
                newton
            } else {
                0.5 * (a + b)
            };
            let tol = 4.0 * f64::EPSILON * u.abs().max(1.0);
            if (next - u).abs() <= tol || b - a <= tol {
                return Ok((next.exp(), h(next.exp()).0.abs()));
            }
            u = next;
        }
        Err(Error::NotConverged {
            method: "kernel ridge kappa",
            iterations: 400,
            residual: f64::NAN,
            tolerance: 4.0 * f64::EPSILON,
            last_iterate: vec![u.exp()],
        })
    }

    /// The learning-curve point at $n$ samples ($n$ real, $> 0$).
    ///
    /// Errors: those of [`Self::kappa`]; [`Error::NonFinite`] if a result overflows.
    pub fn at(&self, n: f64) -> Result<KernelLearningPoint> {
        let (kappa, residual) = self.kappa(n)?;
        let (e0, bias) = if kappa == 0.0 {
            // delta = 0, n > P: every mode is learnt (L_k = 1).
            (n / (n - self.modes() as f64), 0.0)
        } else {
            let mut b = 0.0;
            for (&l, &v) in self.eigenvalues.iter().zip(&self.target) {
                let one = kappa / (l + kappa);
                b += one * one * v;
            }
            // n - sum L^2 = delta/kappa + sum L (1 - L) at the root (positive terms).
            let mut sl1l = 0.0;
            for &l in &self.eigenvalues {
                sl1l += l * kappa / ((l + kappa) * (l + kappa));
            }
            let e0 = n / (self.ridge / kappa + sl1l);
            (e0, e0 * b)
        };
        let variance = self.noise_variance * (e0 - 1.0);
        let out = KernelLearningPoint {
            n,
            kappa,
            e0,
            bias,
            variance,
            test_error: bias + variance,
            residual,
        };
        for v in [out.e0, out.bias, out.variance, out.test_error, out.residual] {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: "kernel ridge learning curve",
                });
            }
        }
        Ok(out)
    }

    /// The learning curve at the given sample sizes.
    ///
    /// Errors: the first error of [`Self::at`].
    pub fn learning_curve(&self, ns: &[f64]) -> Result<Vec<KernelLearningPoint>> {
        ns.iter().map(|&n| self.at(n)).collect()
    }
}
