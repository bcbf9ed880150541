//! Data and target generators with the normalisations the theory uses.
//!
//! - Inputs ([`InputDistribution`]): uniform on the sphere $\mathbb S^{d-1}(\sqrt d)$ (Mei &
//!   Montanari's setting; $\|x\|_2 = \sqrt d$ exactly) or standard Gaussian $\mathcal N(0, I_d)$.
//!   Sphere points are Gaussian vectors rescaled to norm $\sqrt d$.
//! - Linear target: $\beta \sim \mathrm{Unif}(\mathbb S^{d-1}(F_1))$, so that
//!   $\mathbb E_x (\beta^\top x)^2 = F_1^2$ under either input law.
//! - Nonlinear target ([`QuadraticTarget`]): the degree-2 Gaussian process
//!   $f^{\rm NL}(x) = F_\star\,x^\top A x/\sqrt{\nu_d}$ with $A = (G + G^\top)/2 - (\operatorname{tr} G/d) I$,
//!   $G_{ij}$ i.i.d. $\mathcal N(0,1)$. Its covariance is
//!   $$\mathbb E_A f^{\rm NL}(x) f^{\rm NL}(x') = F_\star^2\,\frac{(x^\top x')^2 - \|x\|^2\|x'\|^2/d}{\nu_d}$$
//!   ([`nonlinear_kernel`]); it is centred and orthogonal to every polynomial of degree $\le 1$
//!   ($\operatorname{tr} A = 0$ and it is even in $x$). The normalisation $\nu_d$ makes its energy
//!   exactly $F_\star^2$: $\nu_d = d(d-1)$ on the sphere, where the covariance is
//!   $F_\star^2 Q_2(\langle x, x'\rangle/d)$ with $Q_2(t) = (dt^2 - 1)/(d-1)$, the degree-2
//!   Gegenbauer polynomial; $\nu_d = (d+2)(d-1)$ for Gaussian inputs (where
//!   $\mathbb E\|x\|^4 = d(d+2)$). This is the construction of the crate's notes
//!   (docs/simulation.md, "Protocol", item 2), matching the Gaussian-process target of Mei & Montanari
//!   (Comm. Pure Appl. Math. 75(4), 2022, §1).
//! - Label noise: $\varepsilon \sim \mathcal N(0, \tau^2)$.

use std::fmt;
use std::str::FromStr;

use super::rng::{TrialRng, normal};
use crate::error::{Error, Result};
use crate::linalg::Matrix;

/// The law of the inputs (and of the random-feature weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputDistribution {
    /// Uniform on the sphere of radius $\sqrt d$ (the theory's setting; fastest convergence).
    #[default]
    Sphere,
    /// Standard Gaussian $\mathcal N(0, I_d)$ (same limit, slower convergence).
    Gaussian,
}

impl InputDistribution {
    /// The normalisation $\nu_d$ of the quadratic target (see the module docs).
    pub fn quadratic_normalisation(self, d: usize) -> f64 {
        let d = d as f64;
        match self {
            Self::Sphere => d * (d - 1.0),
            Self::Gaussian => (d + 2.0) * (d - 1.0),
        }
    }

    /// The CLI name: `sphere` or `gaussian`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sphere => "sphere",
            Self::Gaussian => "gaussian",
        }
    }
}

impl fmt::Display for InputDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for InputDistribution {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sphere" => Ok(Self::Sphere),
            "gaussian" => Ok(Self::Gaussian),
            _ => Err(Error::InvalidChoice {
                name: "input",
                value: s.to_string(),
                expected: "one of sphere|gaussian",
            }),
        }
    }
}

/// `rows` i.i.d. points of $\mathbb R^d$ (one per row) drawn from `law`.
///
/// Rows are drawn one after the other, each from $d$ consecutive normal draws, so the result does
/// not depend on the storage order.
pub fn sample_points(rng: &mut TrialRng, rows: usize, d: usize, law: InputDistribution) -> Matrix {
    let mut draws = Vec::with_capacity(rows * d);
    for _ in 0..rows * d {
        draws.push(normal(rng));
    }
    let mut x = Matrix::from_fn(rows, d, |i, j| draws[i * d + j]);
    if law == InputDistribution::Sphere {
        let target = d as f64;
        let factors: Vec<f64> = x
            .row_norms_sq()
            .iter()
            .map(|&s| if s > 0.0 { (target / s).sqrt() } else { 0.0 })
            .collect();
        // Cannot fail: one factor per row.
        let _ = x.scale_rows(&factors);
    }
    x
}

/// A vector uniform on the sphere $\mathbb S^{d-1}(r)$ of radius `radius`.
pub fn sample_sphere_vector(rng: &mut TrialRng, d: usize, radius: f64) -> Vec<f64> {
    let mut v: Vec<f64> = (0..d).map(|_| normal(rng)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let factor = if norm > 0.0 { radius / norm } else { 0.0 };
    v.iter_mut().for_each(|x| *x *= factor);
    v
}

/// The covariance of the unit-energy quadratic target,
/// $k(x, x') = \big((x^\top x')^2 - \|x\|^2\|x'\|^2/d\big)/\nu_d$, from the inner product
/// $x^\top x'$ and the squared norms.
pub fn nonlinear_kernel(
    inner: f64,
    norm_sq: f64,
    other_norm_sq: f64,
    d: usize,
    law: InputDistribution,
) -> f64 {
    (inner * inner - norm_sq * other_norm_sq / d as f64) / law.quadratic_normalisation(d)
}

/// One draw of the target $f(x) = \beta^\top x + F_\star\,x^\top A x/\sqrt{\nu_d}$ (no constant term).
#[derive(Debug, Clone)]
pub struct QuadraticTarget {
    beta: Vec<f64>,
    /// $A$, row-major $d \times d$, already scaled by $F_\star/\sqrt{\nu_d}$.
    a: Vec<f64>,
    d: usize,
}

impl QuadraticTarget {
    /// Draw $\beta \sim \mathrm{Unif}(\mathbb S^{d-1}(F_1))$ and, if $F_\star > 0$, the matrix $A$.
    pub fn sample(
        rng: &mut TrialRng,
        d: usize,
        f1: f64,
        f_star: f64,
        law: InputDistribution,
    ) -> Self {
        let beta = sample_sphere_vector(rng, d, f1);
        let mut a = vec![0.0; d * d];
        if f_star > 0.0 && d > 1 {
            let g: Vec<f64> = (0..d * d).map(|_| normal(rng)).collect();
            let trace: f64 = (0..d).map(|i| g[i * d + i]).sum();
            let scale = f_star / law.quadratic_normalisation(d).sqrt();
            for i in 0..d {
                for j in 0..d {
                    let sym = 0.5 * (g[i * d + j] + g[j * d + i]);
                    let centred = if i == j { sym - trace / d as f64 } else { sym };
                    a[i * d + j] = scale * centred;
                }
            }
        }
        Self { beta, a, d }
    }

    /// The linear coefficients $\beta$.
    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// $f(x)$. Errors: [`Error::DimensionMismatch`] if `x.len() != d`.
    pub fn eval(&self, x: &[f64]) -> Result<f64> {
        if x.len() != self.d {
            return Err(Error::DimensionMismatch {
                what: "target input",
                expected: self.d,
                found: x.len(),
            });
        }
        let linear: f64 = self.beta.iter().zip(x).map(|(b, v)| b * v).sum();
        let mut quadratic = 0.0;
        for (i, xi) in x.iter().enumerate() {
            let row = &self.a[i * self.d..(i + 1) * self.d];
            quadratic += xi * row.iter().zip(x).map(|(a, v)| a * v).sum::<f64>();
        }
        Ok(linear + quadratic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::trial_rng;

    #[test]
    fn sphere_points_have_norm_sqrt_d_and_gaussian_points_do_not() {
        let mut rng = trial_rng(3, 0);
        let x = sample_points(&mut rng, 20, 50, InputDistribution::Sphere);
        for s in x.row_norms_sq() {
            assert!((s - 50.0).abs() < 1e-10);
        }
        let g = sample_points(&mut rng, 200, 50, InputDistribution::Gaussian);
        let norms = g.row_norms_sq();
        let mean = norms.iter().sum::<f64>() / 200.0;
        // E||x||^2 = d = 50, SD of the mean = sqrt(2 d / 200) = 0.5.
        assert!((mean - 50.0).abs() < 2.5, "{mean}");
        assert!(norms.iter().any(|s| (s - 50.0).abs() > 1.0));
        let beta = sample_sphere_vector(&mut rng, 30, 1.7);
        assert!((beta.iter().map(|b| b * b).sum::<f64>() - 1.7 * 1.7).abs() < 1e-12);
    }

    #[test]
    fn quadratic_target_covariance_matches_the_kernel() {
        // Independent check: the empirical covariance over draws of A against the closed form.
        let d = 6;
        for law in [InputDistribution::Sphere, InputDistribution::Gaussian] {
            let mut rng = trial_rng(11, 1);
            let x = sample_points(&mut rng, 2, d, law);
            let x0: Vec<f64> = (0..d).map(|j| x.get(0, j).unwrap()).collect();
            let x1: Vec<f64> = (0..d).map(|j| x.get(1, j).unwrap()).collect();
            let (mut s00, mut s01) = (0.0, 0.0);
            let draws = 40_000;
            for _ in 0..draws {
                let t = QuadraticTarget::sample(&mut rng, d, 0.0, 1.3, law);
                let (f0, f1) = (t.eval(&x0).unwrap(), t.eval(&x1).unwrap());
                s00 += f0 * f0;
                s01 += f0 * f1;
            }
            let n0: f64 = x0.iter().map(|v| v * v).sum();
            let n1: f64 = x1.iter().map(|v| v * v).sum();
            let inner: f64 = x0.iter().zip(&x1).map(|(a, b)| a * b).sum();
            let k00 = 1.69 * nonlinear_kernel(n0, n0, n0, d, law);
            let k01 = 1.69 * nonlinear_kernel(inner, n0, n1, d, law);
            // Relative SD of a second moment of a Gaussian: sqrt(2/draws) = 0.7%.
            assert!(
                (s00 / draws as f64 - k00).abs() < 0.04 * k00,
                "{law}: {} vs {k00}",
                s00 / draws as f64
            );
            assert!(
                (s01 / draws as f64 - k01).abs() < 0.04 * k00,
                "{law}: {} vs {k01}",
                s01 / draws as f64
            );
        }
    }

    #[test]
    fn quadratic_target_is_orthogonal_to_degree_one_and_has_energy_f_star_squared() {
        // Sphere, d = 8: E_x f(x) = 0, E_x f(x) x_1 = 0 and E_x f^2 = F1^2 + F*^2 for one fixed draw,
        // estimated over many x (the GP energy is F*^2 only on average over A, so average over A too).
        let d = 8;
        let mut rng = trial_rng(5, 2);
        let (mut mean, mut first, mut energy) = (0.0, 0.0, 0.0);
        let (targets, points) = (400, 400);
        for _ in 0..targets {
            let t = QuadraticTarget::sample(&mut rng, d, 0.0, 1.0, InputDistribution::Sphere);
            let x = sample_points(&mut rng, points, d, InputDistribution::Sphere);
            for i in 0..points {
                let xi: Vec<f64> = (0..d).map(|j| x.get(i, j).unwrap()).collect();
                let f = t.eval(&xi).unwrap();
                mean += f;
                first += f * xi[0];
                energy += f * f;
            }
        }
        let m = (targets * points) as f64;
        assert!((mean / m).abs() < 0.02, "{}", mean / m);
        assert!((first / m).abs() < 0.03, "{}", first / m);
        assert!((energy / m - 1.0).abs() < 0.05, "{}", energy / m);
        assert!(
            QuadraticTarget::sample(&mut rng, d, 1.0, 0.0, InputDistribution::Sphere)
                .eval(&[0.0; 3])
                .is_err()
        );
    }
}
