//! Property-based tests of the theory (proptest), through the exported strategies.

use overparam::strategies::{check_rf_bounds, check_ridge_against_theory, rf_params, ridge_params};
use overparam::theory::random_features::{RandomFeatures, ReducedRandomFeatures};
use overparam::theory::ridge::Ridge;
use proptest::prelude::*;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

proptest! {
    #![proptest_config(overparam::strategies::reproducible_config(256))]

    #[test]
    fn rf_risk_satisfies_bounds(p in rf_params()) {
        let risk = p.check().unwrap().risk().unwrap();
        check_rf_bounds(&p, &risk, 1e-12).map_err(TestCaseError::fail)?;
        prop_assert!(risk.residual < 1e-12, "residual {}", risk.residual);
    }

    #[test]
    fn rf_large_lambda_gives_null_risk(p in rf_params()) {
        // As lambda -> infinity the fitted weights vanish: R -> F1^2 + F_star^2.
        let big = RandomFeatures { lambda: 1e10, ..p.clone() };
        let r = big.check().unwrap().risk().unwrap();
        let null = p.f1 * p.f1 + p.f_star * p.f_star;
        prop_assert!((r.test_error - null).abs() <= 1e-5 * (1.0 + null), "{} vs {null}", r.test_error);
    }

    #[test]
    fn rf_fixed_point_symmetric_in_psi1_psi2(p in rf_params()) {
        let m = p.check().unwrap();
        let r = m.reduced();
        let swapped = ReducedRandomFeatures::new(r.psi2(), r.psi1(), r.lambda_bar(), r.zeta_sq()).unwrap();
        let (a, b) = (r.fixed_point().unwrap(), swapped.fixed_point().unwrap());
        prop_assert!(rel(a.chi, b.chi) < 1e-12, "chi {} vs {}", a.chi, b.chi);
        prop_assert!(rel(a.a, b.b) < 1e-10 && rel(a.b, b.a) < 1e-10, "{a:?} vs {b:?}");
    }

    #[test]
    fn rf_risk_continuous_in_every_argument(p in rf_params(), which in 0usize..6) {
        let base = p.check().unwrap().risk().unwrap();
        let h = 1e-9;
        let mut q = p.clone();
        match which {
            0 => q.psi1 *= 1.0 + h,
            1 => q.psi2 *= 1.0 + h,
            2 => q.lambda *= 1.0 + h,
            3 => q.f1 += h,
            4 => q.f_star += h,
            _ => q.noise_sd += h,
        }
        let moved = q.check().unwrap().risk().unwrap();
        prop_assert!(rel(moved.test_error, base.test_error) < 1e-5,
            "arg {which}: {} -> {}", base.test_error, moved.test_error);
        prop_assert!((moved.train_error - base.train_error).abs() < 1e-5 * (1.0 + base.train_error));
    }

    #[test]
    fn ridge_risk_parts_are_non_negative_and_consistent(p in ridge_params()) {
        let r = p.check().unwrap().risk().unwrap();
        prop_assert!(r.bias >= 0.0 && r.variance >= 0.0 && r.train_error >= 0.0, "{r:?}");
        prop_assert!((r.bias + r.variance - r.test_error).abs() <= 1e-12 * (1.0 + r.test_error));
        // The spectral-integral route is an independent algorithm (quadrature over the MP law).
        // It loses accuracy near gamma = 1 at small lambda, so compare away from there.
        if (p.gamma - 1.0).abs() > 0.2 || p.lambda > 1e-2 {
            let q = p.check().unwrap().risk_via_spectral_integral(600).unwrap();
            check_ridge_against_theory(&p, q.test_error, 1e-6).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn ridge_large_lambda_gives_null_risk(p in ridge_params()) {
        let r = Ridge { lambda: 1e12, ..p }.check().unwrap().risk().unwrap();
        let null = p.snr * p.noise_sd * p.noise_sd;
        prop_assert!((r.test_error - null).abs() <= 1e-6 * (1.0 + null), "{} vs {null}", r.test_error);
    }

    #[test]
    fn ridge_optimal_lambda_is_no_worse_than_any_lambda(p in ridge_params()) {
        prop_assume!(p.snr > 1e-3);
        let m = p.check().unwrap();
        let opt = m.optimal_lambda().unwrap();
        let here = m.risk().unwrap().test_error;
        prop_assert!(opt.at_optimum.test_error <= here * (1.0 + 1e-12), "optimal {} > risk {here} at lambda {}", opt.at_optimum.test_error, p.lambda);
    }
}
