//! The theory-versus-simulation API: verdicts, allowances, and the size sweep.
//!
//! These tests pin the reference values through the deprecated positional API
//! (`RfSimulation`, `RidgeSimulation`, `run(seed, trials, progress)`, `compare_rf`, `size_sweep`),
//! which delegates to the new shape (`RandomFeaturesSimulation`, `LinearRidgeSimulation`,
//! `run(&RunOptions)`, `experiment::join`): old callers keep their numbers. The new shape and the
//! join are tested in tests/sim_join.rs.
#![allow(deprecated)]

use overparam::compare::{
    DEFAULT_KAPPA, Verdict, Z_THRESHOLD, compare, compare_rf, finite_size_allowance, fit_log_log,
    size_sweep,
};
use overparam::gaussian::Activation;
use overparam::sim::random_features::RfSimulation;
use overparam::sim::{Estimate, InputDistribution};

#[test]
fn verdict_boundary_is_four_standard_errors_plus_the_allowance() {
    // Values 0.9, 1.1 (x5): mean 1.0, s = 0.1 * sqrt(10/9), SE = s / sqrt(10).
    let values: Vec<f64> = (0..10)
        .map(|k| if k % 2 == 0 { 0.9 } else { 1.1 })
        .collect();
    let sim = Estimate::from_trials(values).unwrap();
    let se = 0.1 * (10.0f64 / 9.0).sqrt() / 10.0f64.sqrt();
    assert!((sim.std_err - se).abs() < 1e-15);
    let allowance = 0.01;
    let edge = Z_THRESHOLD * se + allowance;
    let inside = compare(1.0 - 0.999 * edge, &sim, allowance).unwrap();
    let outside = compare(1.0 - 1.001 * edge, &sim, allowance).unwrap();
    assert_eq!(inside.verdict, Verdict::Agree);
    assert_eq!(outside.verdict, Verdict::Disagree);
    assert!((inside.z - 0.999 * edge / se).abs() < 1e-9);
    assert!((inside.gap - 0.999 * edge).abs() < 1e-12);
    assert_eq!(inside.allowance, allowance);
    // The allowance shrinks like 1/d.
    let a100 = finite_size_allowance(1.2, DEFAULT_KAPPA, 100).unwrap();
    let a400 = finite_size_allowance(1.2, DEFAULT_KAPPA, 400).unwrap();
    assert!((a100 - 0.036).abs() < 1e-15 && (a100 / a400 - 4.0).abs() < 1e-12);
}

#[test]
fn compare_rf_accepts_the_theory_and_rejects_a_perturbed_one() {
    // Case E of docs/random_features.md#derivation-notes-reference-values (psi = (0.5, 2), lambda = 1, F*^2 = 0.3, tau^2 = 0.1): R = 1.14410.
    let sim = RfSimulation {
        d: 120,
        psi1: 0.5,
        psi2: 2.0,
        lambda: 1.0,
        activation: Activation::Relu,
        f1: 1.0,
        f_star: 0.3f64.sqrt(),
        tau: 0.1f64.sqrt(),
        test_points: 800,
        input: InputDistribution::Sphere,
    }
    .check()
    .unwrap();
    let theory = sim.theory().unwrap();
    assert!((theory.test_error - 1.14410).abs() < 1e-5);
    let report = sim.run(3, 6, false).unwrap();
    let good = compare_rf(&report, &theory, DEFAULT_KAPPA).unwrap();
    assert!(good.all_agree(), "{good:?}");
    // Training error off by 10% (e.g. a wrong degrees-of-freedom factor): rejected.
    let mut wrong = theory;
    wrong.train_error *= 1.1;
    let bad = compare_rf(&report, &wrong, DEFAULT_KAPPA).unwrap();
    assert_eq!(
        bad.train_error.verdict,
        Verdict::Disagree,
        "{:?}",
        bad.train_error
    );
    assert!(!bad.all_agree());
    // Nonlinear energy forgotten in the theory (F*^2 not added to the risk): rejected.
    let mut forgot = theory;
    forgot.test_error -= 0.3;
    assert!(
        !compare_rf(&report, &forgot, DEFAULT_KAPPA)
            .unwrap()
            .test_error
            .agrees()
    );
}

#[test]
fn size_sweep_gap_shrinks_with_d() {
    // Interpolation threshold psi1 = psi2 = 3, lambda = 1e-3 (case C): the finite-size bias is
    // about -2.5/d relative (docs/random_features.md#derivation-notes-finite-size-bias: -4.9%, -2.2%, -1.1% at d = 50, 100, 200).
    let base = RfSimulation {
        d: 50,
        psi1: 3.0,
        psi2: 3.0,
        lambda: 1e-3,
        activation: Activation::Relu,
        f1: 1.0,
        f_star: 0.0,
        tau: 0.5,
        test_points: 600,
        input: InputDistribution::Sphere,
    };
    let sweep = size_sweep(&base, &[50, 100, 200], 11, 16, DEFAULT_KAPPA, false).unwrap();
    for row in &sweep.rows {
        println!(
            "d {:4} theory {:.5} sim {:.5} ± {:.5} gap {:+.5} ({:+.2}%) z {:+.2}",
            row.d,
            row.comparison.theory,
            row.comparison.mean,
            row.comparison.std_err,
            row.comparison.gap,
            100.0 * row.comparison.relative_gap(),
            row.comparison.z
        );
        assert!(row.comparison.agrees(), "{row:?}");
        assert_eq!(row.realised_psi1, 3.0);
        // The bias is negative at every d (the simulation undershoots the peak).
        assert!(row.comparison.gap < 0.0, "{row:?}");
    }
    println!(
        "slope {:.3} ± {:.3}",
        sweep.fit.slope, sweep.fit.slope_std_err
    );
    assert!(
        sweep.fit.slope < -0.4 && sweep.fit.slope > -2.0,
        "{:?}",
        sweep.fit
    );
    // The fit is the least-squares line through the printed gaps.
    let xs: Vec<f64> = sweep.rows.iter().map(|r| r.d as f64).collect();
    let ys: Vec<f64> = sweep.rows.iter().map(|r| r.comparison.gap).collect();
    assert_eq!(fit_log_log(&xs, &ys).unwrap(), sweep.fit);
}
