//! Property tests of every model through the exported strategies and invariants
//! (`overparam::strategies`, feature `proptest`).
//!
//! Each check is also shown to fail on a corrupted input (`*_rejects_*` tests), so a property that
//! passes is evidence, not a tautology.

use overparam::strategies::adversarial::{
    adversarial_linear_params, adversarial_rf_params, check_adversarial_linear,
    check_adversarial_rf, check_adversarial_rf_threshold,
};
use overparam::strategies::membership::{
    check_membership, check_membership_monotone, check_scale_test, membership_params,
};
use overparam::strategies::two_layer::{
    check_block_vs_dense, check_critical_point, check_morse_index, check_spectrum_multiplicities,
    family, family_integer_dimension, family_point, symmetric_point,
};
use overparam::strategies::{check_ridge_bounds, ridge_params};
use overparam::theory::adversarial::AdversarialRf;
use overparam::theory::membership::ScaleTest;
use overparam::theory::ridge::Ridge;
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::spectrum::block_spectrum;
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};
use proptest::prelude::*;

/// Saddle-to-minimum dimensions of docs/two_layer.md (type A independently in docs/two_layer.md#derivation-notes-type-a).
fn d_star(f: Family) -> Option<f64> {
    match f {
        Family::Global => None,
        Family::TypeA => Some(5.585505247423),
        Family::AllFlipped => Some(5.763812734920),
        Family::AllButOneFlipped => Some(6.744830656246),
        Family::Flipped { m: 2 } => Some(7.561190497945),
        Family::Flipped { m: 3 } => Some(9.323172217690),
        Family::Flipped { m: 4 } => Some(10.978390265503),
        Family::Flipped { .. } => None,
    }
}

proptest! {
    #![proptest_config(overparam::strategies::reproducible_config(256))]

    #[test]
    fn ridge_risk_satisfies_bounds(p in ridge_params()) {
        let risk = p.check().unwrap().risk().unwrap();
        check_ridge_bounds(&p, &risk, 1e-10).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn adversarial_rf_solutions_satisfy_invariants(p in adversarial_rf_params()) {
        let sol = p.check().unwrap().solve()
            .map_err(|e| TestCaseError::fail(format!("solver failed inside the strategy's range at {p:?}: {e}")))?;
        check_adversarial_rf(&p, &sol, 1e-9).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn adversarial_linear_solutions_satisfy_invariants(p in adversarial_linear_params()) {
        let sol = p.check().unwrap().solve()
            .map_err(|e| TestCaseError::fail(format!("solver failed inside the strategy's range at {p:?}: {e}")))?;
        check_adversarial_linear(&p, &sol, 1e-9).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn membership_attacks_satisfy_invariants(p in membership_params()) {
        check_membership(&p, 1e-9).map_err(TestCaseError::fail)?;
        check_membership_monotone(&p, 1e-12).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn scale_test_over_twenty_four_decades(log_ratio in -12.0..12.0f64) {
        // Variance ratios from 1e-12 to 1e12 in both directions (member smaller / larger).
        let t = ScaleTest::new(10f64.powf(log_ratio), 1.0).unwrap();
        check_scale_test(&t, 1e-9).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(overparam::strategies::reproducible_config(48))]

    #[test]
    fn adversarial_rf_approaches_the_zero_solution_at_eps0(p in adversarial_rf_params()) {
        check_adversarial_rf_threshold(&p, 1e-2, 5e-2).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn two_layer_critical_points_and_spectra((f, d) in family_point()) {
        let cp = critical_point(f, d)
            .map_err(|e| TestCaseError::fail(format!("{f} at d = {d}: {e}")))?;
        check_critical_point(&cp, 1e-10).map_err(TestCaseError::fail)?;
        let spec = block_spectrum(&cp.partition, &cp.params).unwrap();
        check_spectrum_multiplicities(&cp.partition, &spec, 1e-12).map_err(TestCaseError::fail)?;
        check_morse_index(f, d, &spec, d_star(f)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn two_layer_block_spectrum_matches_dense_at_critical_points(
        (f, d) in family().prop_flat_map(|f| (Just(f), family_integer_dimension(f, 12)))
    ) {
        let cp = critical_point(f, d as f64).unwrap();
        check_critical_point(&cp, 1e-10).map_err(TestCaseError::fail)?;
        let spec = block_spectrum(&cp.partition, &cp.params).unwrap();
        check_block_vs_dense(&cp.partition, &cp.params, &spec, 1e-10).map_err(TestCaseError::fail)?;
        check_morse_index(f, d as f64, &spec, d_star(f)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn two_layer_block_spectrum_matches_dense_at_symmetric_points((part, xi) in symmetric_point(7)) {
        let spec = block_spectrum(&part, &xi).unwrap();
        check_spectrum_multiplicities(&part, &spec, 1e-12).map_err(TestCaseError::fail)?;
        check_block_vs_dense(&part, &xi, &spec, 1e-10).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn two_layer_thresholds_match_the_documented_table() {
    for f in [
        Family::TypeA,
        Family::AllFlipped,
        Family::AllButOneFlipped,
        Family::Flipped { m: 2 },
        Family::Flipped { m: 3 },
        Family::Flipped { m: 4 },
    ] {
        let th = saddle_to_minimum(f, ThresholdOptions::default())
            .unwrap()
            .unwrap();
        let want = d_star(f).unwrap();
        assert!(
            (th.d_star - want).abs() < 1e-9,
            "{f}: {} vs {want}",
            th.d_star
        );
    }
}

#[test]
fn ridge_check_rejects_a_wrong_training_error() {
    let p = Ridge {
        gamma: 2.0,
        lambda: 0.1,
        snr: 3.0,
        noise_sd: 1.0,
        ..Default::default()
    };
    let mut risk = p.check().unwrap().risk().unwrap();
    assert!(check_ridge_bounds(&p, &risk, 1e-10).is_ok());
    risk.train_error *= 1.01;
    let e = check_ridge_bounds(&p, &risk, 1e-10).unwrap_err();
    assert!(e.contains("GCV identity"), "{e}");
    // A risk below the Bayes risk is impossible.
    let mut risk = p.check().unwrap().risk().unwrap();
    let opt = p.check().unwrap().optimal_lambda().unwrap();
    risk.bias = 0.9 * opt.at_optimum.test_error - risk.variance;
    risk.test_error = 0.9 * opt.at_optimum.test_error;
    let e = check_ridge_bounds(&p, &risk, 1e-10).unwrap_err();
    assert!(e.contains("Bayes") || e.contains("bias >="), "{e}");
}

#[test]
fn adversarial_checks_reject_corrupted_solutions() {
    let p = AdversarialRf {
        noise_sd: 0.5,
        psi1: 3.0,
        psi2: 2.0,
        eps: 0.3,
        eps_test: None,
        ..AdversarialRf::default()
    };
    let sol = p.check().unwrap().solve().unwrap();
    assert!(check_adversarial_rf(&p, &sol, 1e-9).is_ok());
    let mut bad = sol.clone();
    bad.robust_test_risk = 0.9 * bad.test_risk;
    assert!(
        check_adversarial_rf(&p, &bad, 1e-9)
            .unwrap_err()
            .contains("AR >= SR")
    );
    let mut bad = sol.clone();
    if let Some(s) = bad.saddle.as_mut() {
        s.gamma *= 1.001;
    }
    assert!(
        check_adversarial_rf(&p, &bad, 1e-9)
            .unwrap_err()
            .contains("stationarity")
    );
    // Zero-solution regime: a non-trivial answer above eps0 is rejected.
    let above = AdversarialRf {
        eps: 1.5 * sol.eps0,
        ..p.clone()
    };
    let mut zero = above.check().unwrap().solve().unwrap();
    assert!(check_adversarial_rf(&above, &zero, 1e-9).is_ok());
    zero.test_risk *= 0.99;
    zero.robust_test_risk = zero.test_risk;
    assert!(
        check_adversarial_rf(&above, &zero, 1e-9)
            .unwrap_err()
            .contains("eps >= eps0")
    );
}

#[test]
fn two_layer_checks_reject_wrong_points_and_thresholds() {
    let cp = critical_point(Family::TypeA, 8.0).unwrap();
    assert!(check_critical_point(&cp, 1e-10).is_ok());
    let mut moved = cp.clone();
    moved.params[0] += 1e-3;
    moved.loss = moved.partition.loss(&moved.params).unwrap();
    assert!(
        check_critical_point(&moved, 1e-10)
            .unwrap_err()
            .contains("gradient")
    );
    let spec = block_spectrum(&cp.partition, &cp.params).unwrap();
    // Type A is a minimum at d = 8 > d* = 5.59: a threshold of 9 contradicts the spectrum.
    assert!(check_morse_index(Family::TypeA, 8.0, &spec, Some(9.0)).is_err());
    // The dense comparison notices a spectrum taken at another point.
    let other = block_spectrum(&moved.partition, &moved.params).unwrap();
    assert!(check_block_vs_dense(&cp.partition, &cp.params, &other, 1e-10).is_err());
}

#[test]
fn membership_monotonicity_needs_gamma_at_least_two() {
    // On 1 < gamma < 2 the output advantage is not monotone in lambda (docs/membership.md#derivation-notes-output-attack-with-ridge: gamma = 1.5,
    // kappa = 0 gives 0.166 at lambda = 0 and 0.013 at 0.3), which is why the check restricts it.
    let adv = |lambda: f64| {
        overparam::strategies::membership::Attack::Output
            .advantage(&overparam::theory::membership::Membership {
                gamma: 1.5,
                lambda,
                ..Default::default()
            })
            .unwrap()
    };
    assert!((adv(0.0) - 0.166).abs() < 1e-3 && (adv(0.3) - 0.013).abs() < 1e-3);
    assert!(adv(0.3) < adv(0.0));
}
