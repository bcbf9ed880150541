//! Property-based tests of anisotropic ridge (proptest, through the exported strategies in
//! `overparam::strategies::ridge`).

use std::sync::Arc;

use overparam::spectral::Population;
use overparam::strategies::ridge::{
    anisotropic_ridge_params, check_anisotropic_ridge_invariants, populations,
};
use overparam::theory::ridge::{AnisotropicRidge, Ridge};
use proptest::prelude::*;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

proptest! {
    #![proptest_config(overparam::strategies::reproducible_config(256))]

    /// Invariants (risk >= 0, R = B + V, GCV identity, the kappa equation) on every drawn
    /// problem: the solver never fails on valid parameters.
    #[test]
    fn anisotropic_invariants(p in anisotropic_ridge_params()) {
        let m = p.check().unwrap();
        let r = m.risk().unwrap();
        check_anisotropic_ridge_invariants(&p, &r, 1e-12).map_err(TestCaseError::fail)?;
    }

    /// Monotone in the noise at fixed signal energy: sigma -> 2 sigma with snr -> snr / 4 keeps
    /// the bias and multiplies the variance by 4.
    #[test]
    fn monotone_in_the_noise(p in anisotropic_ridge_params()) {
        let a = p.check().unwrap().risk().unwrap();
        let q = AnisotropicRidge { noise_sd: 2.0 * p.noise_sd, snr: p.snr / 4.0, ..p.clone() };
        let b = q.check().unwrap().risk().unwrap();
        prop_assert!(b.test_error >= a.test_error * (1.0 - 1e-14));
        prop_assert!((b.bias - a.bias).abs() <= 1e-12 * a.bias.max(1e-300) + 1e-300, "{} vs {}", b.bias, a.bias);
        prop_assert!(rel(b.variance, 4.0 * a.variance) <= 1e-12 || a.variance == 0.0);
    }

    /// The isotropic reduction: one atom s (split over several equal atoms) is Sigma = s I, i.e.
    /// the isotropic ridge at lambda / s with signal energy s r^2.
    #[test]
    fn isotropic_reduction(s in 1e-3..1e3f64, parts in 1usize..5, gamma in 0.01..100.0f64, lambda in 1e-4..1e2f64, snr in 0.0..10.0f64) {
        let pop = Population::new(vec![s; parts], vec![1.0; parts], vec![1.0; parts]).unwrap();
        let a = AnisotropicRidge::new(pop, gamma, lambda, snr).check().unwrap().risk().unwrap();
        let b = Ridge::new(gamma, lambda / s, snr * s).check().unwrap().risk().unwrap();
        prop_assert!(rel(a.test_error, b.test_error) <= 1e-12, "{} vs {}", a.test_error, b.test_error);
        prop_assert!(rel(a.train_error, b.train_error) <= 1e-12 || (a.train_error - b.train_error).abs() < 1e-300);
    }

    /// lambda -> infinity gives the null risk r^2 sum_j c_j s_j (the risk of beta-hat = 0).
    #[test]
    fn large_lambda_gives_null_risk(pop in populations(), gamma in 1e-3..1e3f64, snr in 0.1..10.0f64) {
        let smax = pop.eigenvalues().iter().fold(0.0f64, |m, &s| m.max(s));
        let lambda = 1e10 * smax * (1.0 + gamma);
        let m = AnisotropicRidge::new(pop, gamma, lambda, snr).check().unwrap();
        let r = m.risk().unwrap();
        let null = m.null_risk();
        prop_assert!(rel(r.test_error, null) <= 1e-8, "{} vs {null}", r.test_error);
    }

    /// The optimal penalty is no worse than the given one.
    #[test]
    fn optimal_lambda_no_worse(p in anisotropic_ridge_params()) {
        prop_assume!(p.snr > 0.1);
        let m = p.check().unwrap();
        let r = m.risk().unwrap();
        match m.optimal_lambda() {
            Ok(o) => prop_assert!(o.at_optimum.test_error <= r.test_error * (1.0 + 1e-9), "{} > {}", o.at_optimum.test_error, r.test_error),
            // The null estimator best: then it beats the given lambda too.
            Err(_) => prop_assert!(m.null_risk() <= r.test_error * (1.0 + 1e-9)),
        }
    }
}

/// The shared population keeps working through Arc clones (cheap sweeps).
#[test]
fn arc_population_is_shared() {
    let pop = Arc::new(Population::power_law(1.0, 1.0, 10).unwrap());
    let a = AnisotropicRidge {
        population: Arc::clone(&pop),
        gamma: 1.0,
        lambda: 0.1,
        snr: 1.0,
        noise_sd: 1.0,
    };
    let m = a.check().unwrap();
    assert!(std::ptr::eq(m.population(), &*pop));
}
