//! Cross-validation of the random-features simulation against the Mei–Montanari limit.
//!
//! Every point compares the variance-reduced Monte Carlo estimate at d = 100–200 with the theory
//! at the realised ratios N/d, n/d, allowing 4 standard errors plus the finite-size allowance
//! kappa R / d (kappa = 3, from the measured finite-size bias table, docs/random_features.md#derivation-notes-finite-size-bias). The
//! theory values themselves are pinned to the independent 40-digit oracle table of
//! docs/random_features.md#derivation-notes-reference-values where the realised ratios equal the nominal ones. A deliberately wrong
//! theory value must be rejected.
//!
//! These tests pin the reference values through the deprecated positional API
//! (`RfSimulation`, `RidgeSimulation`, `run(seed, trials, progress)`, `compare_rf`, `size_sweep`),
//! which delegates to the new shape (`RandomFeaturesSimulation`, `LinearRidgeSimulation`,
//! `run(&RunOptions)`, `experiment::join`): old callers keep their numbers. The new shape and the
//! join are tested in tests/sim_join.rs.
#![allow(deprecated)]

use overparam::compare::{DEFAULT_KAPPA, Verdict, compare, compare_rf, finite_size_allowance};
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::random_features::{RfSimReport, RfSimulation, RfSimulator};

struct Point {
    name: &'static str,
    sim: RfSimulation,
    trials: usize,
    /// Independent oracle for the theory test error (docs/random_features.md#derivation-notes-reference-values), when available.
    oracle: Option<f64>,
}

fn relu_point(d: usize, psi: (f64, f64), lambda: f64, energies: (f64, f64)) -> RfSimulation {
    let (f_star_sq, tau_sq) = energies;
    RfSimulation {
        d,
        psi1: psi.0,
        psi2: psi.1,
        lambda,
        activation: Activation::Relu,
        f1: 1.0,
        f_star: f_star_sq.sqrt(),
        tau: tau_sq.sqrt(),
        test_points: 1000,
        input: InputDistribution::Sphere,
    }
}

fn check_point(point: &Point, seed: u64) -> (RfSimulator, RfSimReport) {
    let sim = point.sim.check().unwrap();
    let theory = sim.theory().unwrap();
    if let Some(oracle) = point.oracle {
        assert!(
            (theory.test_error - oracle).abs() < 1e-5 * oracle,
            "{}: theory {} vs oracle {oracle}",
            point.name,
            theory.test_error
        );
    }
    let report = sim.run(seed, point.trials, false).unwrap();
    assert_eq!(report.num_features, sim.num_features());
    let cmp = compare_rf(&report, &theory, DEFAULT_KAPPA).unwrap();
    for (metric, c) in [
        ("test", cmp.test_error),
        ("bias", cmp.bias),
        ("variance", cmp.variance),
        ("train", cmp.train_error),
    ] {
        println!(
            "{:<34} {metric:<8} theory {:.5}  sim {:.5} ± {:.5}  z {:+6.2}  rel gap {:+.2}%  allowance {:.5}",
            point.name,
            c.theory,
            c.mean,
            c.std_err,
            c.z,
            100.0 * c.relative_gap(),
            c.allowance
        );
        assert_eq!(c.verdict, Verdict::Agree, "{} {metric}: {c:?}", point.name);
    }
    // The Monte Carlo must be informative: standard error below 1% of the test error.
    assert!(
        report.test_error.std_err < 0.01 * theory.test_error,
        "{}: SE too large",
        point.name
    );
    (sim, report)
}

#[test]
fn relu_under_and_over_parameterised_and_threshold() {
    let points = [
        // Case A (docs/random_features.md#derivation-notes-reference-values): under-parameterised least squares (N < n, lambda = 0).
        Point {
            name: "A relu psi=(2,3) lambda=0 (OLS)",
            sim: relu_point(200, (2.0, 3.0), 0.0, (0.0, 0.25)),
            trials: 6,
            oracle: Some(1.18490),
        },
        // Case B: over-parameterised min-norm interpolation (N > n, lambda = 0).
        Point {
            name: "B relu psi=(6,3) lambda=0 (min-norm)",
            sim: relu_point(150, (6.0, 3.0), 0.0, (0.0, 0.25)),
            trials: 6,
            oracle: Some(0.50320),
        },
        // Case C: at the interpolation threshold N = n with small lambda.
        Point {
            name: "C relu psi=(3,3) lambda=1e-3",
            sim: relu_point(200, (3.0, 3.0), 1e-3, (0.0, 0.25)),
            trials: 6,
            oracle: Some(1.31559),
        },
    ];
    for (k, p) in points.iter().enumerate() {
        check_point(p, 100 + k as u64);
    }
}

#[test]
fn relu_nonlinear_target_with_noise() {
    let points = [
        // Case D without the constant target: over-parameterised, F*^2 = 0.5, tau^2 = 0.2.
        Point {
            name: "D relu psi=(4,2) lambda=1e-2 F*>0",
            sim: relu_point(200, (4.0, 2.0), 1e-2, (0.5, 0.2)),
            trials: 6,
            oracle: Some(1.31651),
        },
        // Case E: under-parameterised, strong ridge, F*^2 = 0.3, tau^2 = 0.1.
        Point {
            name: "E relu psi=(0.5,2) lambda=1 F*>0",
            sim: relu_point(200, (0.5, 2.0), 1.0, (0.3, 0.1)),
            trials: 6,
            oracle: Some(1.14410),
        },
    ];
    for (k, p) in points.iter().enumerate() {
        check_point(p, 200 + k as u64);
    }
}

#[test]
fn tanh_activation_under_and_over_parameterised() {
    // tanh is odd (mu0 = 0), so the target has no constant part (F0 = 0), docs/random_features.md#derivation-notes-simulation (pitfall i).
    let tanh = |d, psi1, psi2, lambda| RfSimulation {
        d,
        psi1,
        psi2,
        lambda,
        activation: Activation::Tanh,
        f1: 1.0,
        f_star: 0.5,
        tau: 0.5,
        test_points: 1000,
        input: InputDistribution::Sphere,
    };
    let points = [
        Point {
            name: "tanh psi=(2,3) lambda=1e-2 F*>0",
            sim: tanh(200, 2.0, 3.0, 1e-2),
            trials: 6,
            oracle: None,
        },
        Point {
            name: "tanh psi=(4,2) lambda=1e-3 F*>0",
            sim: tanh(150, 4.0, 2.0, 1e-3),
            trials: 6,
            oracle: None,
        },
    ];
    for (k, p) in points.iter().enumerate() {
        check_point(p, 300 + k as u64);
    }
}

#[test]
fn gaussian_inputs_converge_to_the_same_limit() {
    // Gaussian x and theta (Gerace et al.'s setting) at a point where the finite-size bias is small
    // (docs/random_features.md#derivation-notes-finite-size-bias: case A, +0.2–0.3% at d = 200).
    let p = Point {
        name: "A gaussian psi=(2,3) lambda=1e-3",
        sim: RfSimulation {
            input: InputDistribution::Gaussian,
            ..relu_point(200, (2.0, 3.0), 1e-3, (0.0, 0.25))
        },
        trials: 6,
        oracle: Some(1.00906),
    };
    check_point(&p, 400);
}

#[test]
fn wrong_theory_values_are_rejected() {
    // Case A with lambda = 1e-3 at d = 200: theory R = 1.00906 = bias 0.60119 + variance 0.40787.
    let sim = relu_point(200, (2.0, 3.0), 1e-3, (0.0, 0.25))
        .check()
        .unwrap();
    let theory = sim.theory().unwrap();
    let report = sim.run(500, 6, false).unwrap();
    let allowance = finite_size_allowance(theory.test_error, DEFAULT_KAPPA, sim.d()).unwrap();
    let right = compare(theory.test_error, &report.test_error, allowance).unwrap();
    assert_eq!(right.verdict, Verdict::Agree, "{right:?}");
    // Bias off by 10%: the test error is off by 6%, far beyond 4 SE + 1.5%.
    let wrong = theory.bias * 1.1 + theory.variance;
    let rejected = compare(wrong, &report.test_error, allowance).unwrap();
    assert_eq!(rejected.verdict, Verdict::Disagree, "{rejected:?}");
    assert!(rejected.z.abs() > 10.0, "{rejected:?}");
    // The bias part alone, off by 10%.
    let wrong_bias = compare(theory.bias * 1.1, &report.bias, allowance).unwrap();
    assert_eq!(wrong_bias.verdict, Verdict::Disagree, "{wrong_bias:?}");
    // The theory at the nominal instead of realised ratios is harmless here (they coincide), but
    // a 5% shift of psi1 (2 -> 2.1) is detected.
    let shifted = overparam::theory::random_features::RandomFeatures {
        psi1: 2.1,
        psi2: 3.0,
        lambda: 1e-3,
        activation: Activation::Relu,
        f1: 1.0,
        f_star: 0.0,
        noise_sd: 0.5,
        ..Default::default()
    }
    .check()
    .unwrap()
    .risk()
    .unwrap();
    let c = compare(shifted.test_error, &report.test_error, allowance).unwrap();
    assert_eq!(c.verdict, Verdict::Disagree, "{c:?}");
}

#[test]
fn runs_are_reproducible_whatever_the_number_of_threads() {
    let sim = RfSimulation {
        d: 60,
        psi1: 3.0,
        psi2: 2.0,
        lambda: 0.0,
        f_star: 0.5,
        test_points: 200,
        ..Default::default()
    }
    .check()
    .unwrap();
    let run_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| sim.run(42, 5, false).unwrap())
    };
    let one = run_with(1);
    let two = run_with(2);
    let four = run_with(4);
    assert_eq!(one, two);
    assert_eq!(one, four);
    // Bit-identical per trial, and trial k does not depend on how many trials run.
    let first_three = sim.run(42, 3, false).unwrap();
    assert_eq!(
        first_three.test_error.per_trial[..],
        one.test_error.per_trial[..3]
    );
    // A different seed gives different numbers.
    assert_ne!(
        sim.run(43, 5, false).unwrap().test_error.per_trial,
        one.test_error.per_trial
    );
}

#[test]
fn invalid_parameters_are_typed_errors() {
    assert!(
        RfSimulation {
            d: 1,
            ..Default::default()
        }
        .check()
        .is_err()
    );
    assert!(
        RfSimulation {
            psi1: 0.0,
            ..Default::default()
        }
        .check()
        .is_err()
    );
    assert!(
        RfSimulation {
            psi2: f64::NAN,
            ..Default::default()
        }
        .check()
        .is_err()
    );
    assert!(
        RfSimulation {
            lambda: -1.0,
            ..Default::default()
        }
        .check()
        .is_err()
    );
    assert!(
        RfSimulation {
            test_points: 0,
            ..Default::default()
        }
        .check()
        .is_err()
    );
    assert!(
        RfSimulation {
            psi1: 1e-4,
            ..Default::default()
        }
        .check()
        .is_err()
    ); // N = 0
    let sim = RfSimulation {
        d: 20,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(sim.run(0, 0, false).is_err());
    // Ridgeless exactly at N = n: the theory diverges (typed error), the simulation still runs.
    let threshold = RfSimulation {
        d: 20,
        psi1: 2.0,
        psi2: 2.0,
        lambda: 0.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(threshold.theory().is_err());
    assert!(threshold.run(0, 1, false).is_ok());
}
