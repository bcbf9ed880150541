//! Spectral measures and the generalised Marchenko–Pastur law (`crate::spectral::measure`,
//! `crate::spectral::sample_covariance`; Silverstein, *J. Multivariate Anal.* 55, 1995).
//!
//! Ranges: [`measure`] draws every kind — atoms (1–12, eigenvalues uniform on $[-5, 5]$, weights
//! on $[0.01, 1]$), power laws ($\alpha \in [0.1, 5]$, $P \le 200$), Marchenko–Pastur
//! ($\gamma$ log-uniform on $[10^{-2}, 10^{2}]$), semicircles ($R \in [0.1, 10]$), uniform laws,
//! a smooth user density $x(1 - x)$ on $[a, a + L]$, and two-component mixtures of these.
//! [`population`] draws covariance spectra: 1–12 atoms log-uniform on $[10^{-3}, 10^{3}]$
//! (condition numbers to $10^6$), weights on $[0.01, 1]$; [`population_and_gamma`] adds
//! $\gamma$ log-uniform on $[10^{-3}, 10^{3}]$.

use num_complex::Complex64;
use proptest::prelude::*;

use super::{ensure, log_uniform};
use crate::spectral::{Atoms, Measure, SampleCovariance, StieltjesTransform};

fn atoms(lo: f64, hi: f64) -> impl Strategy<Value = Atoms> {
    proptest::collection::vec((lo..=hi, 0.01..=1.0f64), 1..=12).prop_filter_map(
        "valid by construction",
        |pairs| {
            let (s, w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            Atoms::new(s, w).ok()
        },
    )
}

/// One non-mixture measure of any kind (ranges in the module docs).
fn simple_measure() -> impl Strategy<Value = Measure> {
    prop_oneof![
        atoms(-5.0, 5.0).prop_map(Measure::atoms),
        (0.1..=5.0f64, 1usize..=200)
            .prop_filter_map("valid by construction", |(a, p)| Measure::power_law(a, p)
                .ok()),
        log_uniform(1e-2, 1e2)
            .prop_filter_map("valid by construction", |g| Measure::marchenko_pastur(g)
                .ok()),
        (0.1..=10.0f64).prop_filter_map("valid by construction", |r| Measure::semicircle(r).ok()),
        (-5.0..=5.0f64, 0.1..=5.0f64)
            .prop_filter_map("valid by construction", |(a, l)| Measure::uniform(a, a + l)
                .ok()),
        (-5.0..=5.0f64, 0.1..=5.0f64).prop_filter_map("valid by construction", |(a, l)| {
            Measure::from_density(a, a + l, move |x| ((x - a) * (a + l - x)).max(0.0)).ok()
        }),
    ]
}

/// Measures of every kind, including two-component mixtures.
pub fn measure() -> impl Strategy<Value = Measure> {
    prop_oneof![
        3 => simple_measure(),
        1 => (simple_measure(), simple_measure(), 0.05..=0.95f64).prop_filter_map("valid by construction", |(a, b, p)| {
            Measure::mixture(vec![(p, a), (1.0 - p, b)]).ok()
        }),
    ]
}

/// Covariance spectra (positive atoms; ranges in the module docs).
pub fn population() -> impl Strategy<Value = Atoms> {
    proptest::collection::vec((log_uniform(1e-3, 1e3), 0.01..=1.0f64), 1..=12).prop_filter_map(
        "valid by construction",
        |pairs| {
            let (s, w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            Atoms::new(s, w).ok()
        },
    )
}

/// A covariance spectrum and $\gamma = p/n$ log-uniform on $[10^{-3}, 10^{3}]$.
pub fn population_and_gamma() -> impl Strategy<Value = (Atoms, f64)> {
    (population(), log_uniform(1e-3, 1e3))
}

/// The Herglotz properties of a Stieltjes transform at `z` ($\operatorname{Im} z > 0$):
/// $\operatorname{Im} m(z) > 0$, $m(\bar z) = \overline{m(z)}$ (to `tol` relative), and
/// $|z\,m(z) + 1| \le$ `tol` at $z \cdot 10^8$ (the asymptote $m \sim -1/z$; a measure with
/// support in $[-10^3, 10^3]$ and second moment below $10^6$ meets it for `tol` $\ge 10^{-2}$).
pub fn check_herglotz<M: StieltjesTransform + ?Sized>(
    m: &M,
    z: Complex64,
    tol: f64,
) -> Result<(), String> {
    let v = m.stieltjes(z).map_err(|e| format!("m({z}) failed: {e}"))?;
    ensure(v.im > 0.0, || format!("Im m({z}) = {} > 0", v.im))?;
    let c = m
        .stieltjes(z.conj())
        .map_err(|e| format!("m({}) failed: {e}", z.conj()))?;
    ensure((c - v.conj()).norm() <= tol * v.norm(), || {
        format!("m(conj z) = conj m(z) at {z}: {c} vs {}", v.conj())
    })?;
    let far = z / z.norm() * 1e8;
    let w = m
        .stieltjes(far)
        .map_err(|e| format!("m({far}) failed: {e}"))?;
    ensure((w * far + 1.0).norm() <= tol, || {
        format!("z m(z) -> -1 at {far}: {}", w * far)
    })
}

/// The generalised Marchenko–Pastur law of `population` at `gamma`: the support intervals are
/// ordered and disjoint, the density is positive at each interval's midpoint and zero just
/// beyond the top edge, the solves return residuals below `tol`, and the transform is Herglotz
/// at `z`.
pub fn check_sample_covariance(
    population: &Atoms,
    gamma: f64,
    z: Complex64,
    tol: f64,
) -> Result<(), String> {
    let law = SampleCovariance::new(population, gamma).map_err(|e| format!("law: {e}"))?;
    let support = law.support().map_err(|e| format!("support: {e}"))?;
    for pair in support.windows(2) {
        ensure(pair[0].1 < pair[1].0, || {
            format!("support intervals ordered and disjoint: {support:?}")
        })?;
    }
    for (a, b) in &support {
        ensure(a <= b, || format!("interval [{a}, {b}]"))?;
        let mid = 0.5 * (a + b);
        if mid > 0.0 && b > a {
            let d = law
                .density(mid)
                .map_err(|e| format!("density at {mid}: {e}"))?;
            ensure(d.density() > 0.0 && d.residual <= tol, || {
                format!("density at the midpoint {mid} of [{a}, {b}] > 0: {d:?}")
            })?;
        }
    }
    if let Some(&(_, top)) = support.last() {
        let x = top * (1.0 + 1e-3);
        let d = law.density(x).map_err(|e| format!("density at {x}: {e}"))?;
        ensure(d.density() == 0.0, || {
            format!("density beyond the top edge {top}: {d:?}")
        })?;
    }
    check_herglotz(&law, z, 1e-2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::reproducible_config;

    proptest! {
        #![proptest_config(reproducible_config(64))]

        #[test]
        fn every_measure_is_herglotz(m in measure(), x in -6.0..6.0f64, y in log_uniform(1e-4, 1e2)) {
            prop_assert!(check_herglotz(&m, Complex64::new(x, y), 1e-2).is_ok(),
                "{:?}", check_herglotz(&m, Complex64::new(x, y), 1e-2));
            let f = m.cdf(x).unwrap();
            prop_assert!((0.0..=1.0).contains(&f));
            prop_assert!(m.density(x).unwrap() >= 0.0);
        }

        #[test]
        fn sample_covariance_laws_are_consistent((h, gamma) in population_and_gamma(), x in 0.0..1.0f64, y in log_uniform(1e-6, 1e2)) {
            let top = h.support().1 * (1.0 + gamma.sqrt()).powi(2);
            let r = check_sample_covariance(&h, gamma, Complex64::new(x * top, y * top), 1e-10);
            prop_assert!(r.is_ok(), "{:?}", r);
        }
    }
}
