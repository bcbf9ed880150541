//! Kolmogorov–Smirnov distance between a sample of eigenvalues and a limiting spectral CDF, and
//! a statistically justified acceptance threshold.
//!
//! $D_N = \sup_x |F_N(x) - F(x)|$ with $F_N$ the empirical CDF of the $N$ eigenvalues.
//!
//! **Threshold.** For $N$ iid draws from $F$ the Dvoretzky–Kiefer–Wolfowitz inequality with
//! Massart's constant (*Ann. Probab.* 18(3), 1990) gives $P(D_N > \varepsilon) \le
//! 2e^{-2N\varepsilon^2}$, i.e. the critical value $\varepsilon_\alpha =
//! \sqrt{\ln(2/\alpha)/(2N)}$ at level $\alpha$. Eigenvalues of unitarily invariant ensembles
//! are far more rigid than iid samples: the fluctuation of their counting function is
//! $O(\sqrt{\log N})$ eigenvalues, not $O(\sqrt N)$ (Gustavsson, *Ann. IHP* 41, 2005; the
//! rigidity estimates of Erdős, Yau & Yin 2012 and, for $A + UBU^*$, Bao, Erdős & Schnelli,
//! *Comm. Math. Phys.* 349, 2017), so $\varepsilon_\alpha$ is a conservative bound on the random
//! part of $D_N$. The deterministic part — the finite-$N$ spectrum against its limit, and the
//! discretisation of the inputs — is $O(1/N)$ in the bulk; it gets the explicit allowance
//! $c/N$. [`ks_threshold`] returns $\varepsilon_\alpha + c/N$; the simulations in
//! `tests/sim_free.rs` show $D_N$ shrinking like $1/N$ well below it.

use crate::error::{Error, Result};

/// $D_N = \sup_x |F_N(x) - F(x)|$ for the sample `eigenvalues` and a CDF `cdf` (evaluated at
/// the sample points: $D_N = \max_i \max(i/N - F(x_{(i)}), F(x_{(i)}) - (i-1)/N)$, exact for
/// a continuous $F$).
///
/// Errors: an empty sample (`eigenvalues`) or a non-finite eigenvalue
/// ([`Error::InvalidParameter`]); a CDF value outside $[0, 1]$ or not finite
/// ([`Error::NonFinite`]).
pub fn ks_distance(eigenvalues: &[f64], cdf: impl Fn(f64) -> f64) -> Result<f64> {
    if eigenvalues.is_empty() {
        return Err(Error::InvalidParameter {
            name: "eigenvalues",
            value: 0.0,
            expected: "a non-empty sample",
        });
    }
    if let Some(&x) = eigenvalues.iter().find(|x| !x.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "eigenvalues",
            value: x,
            expected: "finite eigenvalues",
        });
    }
    let mut sorted = eigenvalues.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        let f = cdf(x);
        if !(f.is_finite() && (-1e-12..=1.0 + 1e-12).contains(&f)) {
            return Err(Error::NonFinite {
                what: "CDF value outside [0, 1] in the KS distance",
            });
        }
        d = d.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
    }
    Ok(d)
}

/// The acceptance threshold $\sqrt{\ln(2/\alpha)/(2N)} + c/N$ (see the module docs): the DKW
/// critical value at level `alpha` plus the finite-size allowance `finite_size` $= c$.
///
/// Errors ([`Error::InvalidParameter`]): `n` zero, `alpha` outside $(0, 1)$, `finite_size`
/// negative or not finite; [`Error::NonFinite`] if the sum overflows.
pub fn ks_threshold(n: usize, alpha: f64, finite_size: f64) -> Result<f64> {
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "n",
            value: 0.0,
            expected: "a sample size >= 1",
        });
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(Error::InvalidParameter {
            name: "alpha",
            value: alpha,
            expected: "a level in (0, 1)",
        });
    }
    if !(finite_size.is_finite() && finite_size >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "finite_size",
            value: finite_size,
            expected: "a finite allowance c >= 0",
        });
    }
    let n = n as f64;
    // ln(2/alpha) as ln 2 - ln alpha: no overflow for subnormal alpha.
    let t = ((2f64.ln() - alpha.ln()) / (2.0 * n)).sqrt() + finite_size / n;
    crate::error::finite(t, "KS threshold (finite_size / n overflows)")
}

/// A CDF tabulated from a density on a grid (trapezoid rule), evaluated by linear
/// interpolation; 0 left of the grid, the total mass right of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TabulatedCdf {
    xs: Vec<f64>,
    cdf: Vec<f64>,
}

impl TabulatedCdf {
    /// From grid points `xs` (strictly increasing) and densities (finite, $\ge 0$).
    ///
    /// Errors: fewer than 2 points or lengths that differ ([`Error::DimensionMismatch`]), a grid
    /// that is not strictly increasing or finite (`xs`) or a negative or non-finite density
    /// (`density`) ([`Error::InvalidParameter`]).
    pub fn from_density(xs: &[f64], density: &[f64]) -> Result<Self> {
        if xs.len() < 2 || density.len() != xs.len() {
            return Err(Error::DimensionMismatch {
                what: "tabulated CDF (grid and densities, at least 2 points)",
                expected: xs.len().max(2),
                found: density.len(),
            });
        }
        if let Some(w) = xs.windows(2).find(|w| !(w[0].is_finite() && w[1] > w[0])) {
            return Err(Error::InvalidParameter {
                name: "xs",
                value: w[1],
                expected: "a strictly increasing finite grid",
            });
        }
        if let Some(&d) = density.iter().find(|d| !(d.is_finite() && **d >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "density",
                value: d,
                expected: "finite densities >= 0",
            });
        }
        let mut cdf = Vec::with_capacity(xs.len());
        let mut acc = 0.0;
        cdf.push(0.0);
        for k in 1..xs.len() {
            acc += 0.5 * (density[k] + density[k - 1]) * (xs[k] - xs[k - 1]);
            cdf.push(acc);
        }
        Ok(Self {
            xs: xs.to_vec(),
            cdf,
        })
    }

    /// The total mass $\int \rho$ over the grid (1 up to quadrature error and mass outside).
    pub fn mass(&self) -> f64 {
        self.cdf.last().copied().unwrap_or(0.0)
    }

    /// $F(x)$, clamped to $[0, 1]$.
    pub fn eval(&self, x: f64) -> f64 {
        let n = self.xs.len();
        let v = if x <= self.xs[0] {
            0.0
        } else if x >= self.xs[n - 1] {
            self.cdf[n - 1]
        } else {
            let k = self.xs.partition_point(|&t| t <= x);
            let (x0, x1) = (self.xs[k - 1], self.xs[k]);
            let t = (x - x0) / (x1 - x0);
            self.cdf[k - 1] + t * (self.cdf[k] - self.cdf[k - 1])
        };
        v.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_of_a_perfect_quantile_sample_is_half_a_step() {
        // Midpoint quantiles of U(0, 1): D = 1 / (2N) exactly.
        let n = 100;
        let sample: Vec<f64> = (0..n).map(|k| (k as f64 + 0.5) / n as f64).collect();
        let d = ks_distance(&sample, |x| x.clamp(0.0, 1.0)).unwrap();
        assert!((d - 0.5 / n as f64).abs() < 1e-15);
        // Shifting the law by 0.1 gives D = 0.1 + 1/(2N).
        let d = ks_distance(&sample, |x| (x - 0.1).clamp(0.0, 1.0)).unwrap();
        assert!((d - 0.105).abs() < 1e-12);
        assert!(ks_distance(&[], |x| x).is_err());
        assert!(ks_distance(&[0.5], |_| 2.0).is_err());
    }

    #[test]
    fn threshold_is_the_dkw_value_plus_the_allowance() {
        // alpha = 0.05, N = 1000: sqrt(ln 40 / 2000) = 0.042946...
        let t = ks_threshold(1000, 0.05, 0.0).unwrap();
        assert!((t - (40f64.ln() / 2000.0).sqrt()).abs() < 1e-15);
        assert!((ks_threshold(1000, 0.05, 3.0).unwrap() - t - 0.003).abs() < 1e-15);
        assert!(ks_threshold(0, 0.05, 0.0).is_err());
        assert!(ks_threshold(10, 1.0, 0.0).is_err());
        assert!(ks_threshold(10, 0.1, -1.0).is_err());
    }

    #[test]
    fn tabulated_cdf_integrates_the_density() {
        // rho(x) = 2x on [0, 1]: F(x) = x^2 (trapezoid error h^2/6 ... exact at the nodes up to
        // O(h^2)).
        let xs: Vec<f64> = (0..=1000).map(|k| k as f64 / 1000.0).collect();
        let rho: Vec<f64> = xs.iter().map(|x| 2.0 * x).collect();
        let f = TabulatedCdf::from_density(&xs, &rho).unwrap();
        assert!((f.mass() - 1.0).abs() < 1e-12);
        assert!((f.eval(0.5) - 0.25).abs() < 1e-6);
        assert_eq!(f.eval(-1.0), 0.0);
        assert!((f.eval(2.0) - 1.0).abs() < 1e-12);
        assert!(TabulatedCdf::from_density(&[0.0, 0.0], &[1.0, 1.0]).is_err());
        assert!(TabulatedCdf::from_density(&[0.0, 1.0], &[1.0, -1.0]).is_err());
    }
}
