//! Amortised lambda-curves (issue 17 §1): one factorisation per trial gives every lambda, and
//! the curve equals point-by-point simulation with the same seeds (the same per-trial streams):
//! bit for bit for ridge (both paths evaluate the same eigenvalues / eigenbasis), to 1e-10
//! relative for random features (the point path factors by Cholesky, the curve by the
//! symmetric eigendecomposition; with the ridge constants used here the Gram matrices plus
//! c I have condition numbers below 1e4, so the two agree to ~1e-12).

use overparam::Error;
use overparam::experiment::RunOptions;
use overparam::gaussian::Activation;
use overparam::sim::Estimate;
use overparam::sim::InputDistribution;
use overparam::sim::random_features::{GramSide, RandomFeaturesSimulation, RfSimReport};
use overparam::sim::ridge::{AnisotropicRidgeSimulation, LinearRidgeSimulation, RidgeSimReport};
use overparam::spectral::Population;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::{AnisotropicRidge, Ridge};

const RUN: RunOptions = RunOptions {
    seed: 17,
    trials: 4,
    progress: false,
};

fn same_estimates(a: &RidgeSimReport, b: &RidgeSimReport) {
    assert_eq!(a, b);
}

fn close(a: &Estimate, b: &Estimate, what: &str) {
    assert_eq!(a.trials, b.trials);
    for (x, y) in a.per_trial.iter().zip(&b.per_trial) {
        // 1e-10 relative; quantities that vanish exactly (the training error of an
        // interpolator) come out as rounding (~1e-16 to 1e-26) on both paths: floor 1e-13.
        let gap = (x - y).abs();
        assert!(
            gap <= 1e-10 * x.abs().max(y.abs()) + 1e-13,
            "{what}: curve {x} vs point {y} (gap {gap:.2e})"
        );
    }
    assert!(
        (a.mean - b.mean).abs() <= 1e-10 * a.mean.abs() + 1e-13,
        "{what}: mean {} vs {}",
        a.mean,
        b.mean
    );
    // The SE of near-constant values is itself rounding: compare against the mean's scale.
    assert!(
        (a.std_err - b.std_err).abs() <= 1e-8 * a.std_err.abs() + 1e-10 * a.mean.abs() + 1e-13,
        "{what}: SE {} vs {}",
        a.std_err,
        b.std_err
    );
}

fn rf_close(a: &RfSimReport, b: &RfSimReport, what: &str) {
    close(&a.test_error, &b.test_error, &format!("{what} test"));
    close(&a.bias, &b.bias, &format!("{what} bias"));
    close(&a.variance, &b.variance, &format!("{what} variance"));
    close(&a.train_error, &b.train_error, &format!("{what} train"));
    assert_eq!(a.ridge_constant, b.ridge_constant);
    assert_eq!((a.n, a.num_features, a.d), (b.n, b.num_features, b.d));
}

#[test]
fn isotropic_ridge_curve_equals_points_bit_for_bit() {
    let lambdas = [0.0, 1e-3, 0.05, 0.3, 2.0];
    for gamma in [0.5, 2.0] {
        let base = Ridge::new(gamma, 0.1, 2.0);
        let sim = LinearRidgeSimulation { model: base, n: 60 }
            .check()
            .unwrap();
        let curve = sim.run_lambda_curve(&RUN, &lambdas).unwrap();
        assert_eq!(curve.len(), lambdas.len());
        for (report, &lambda) in curve.iter().zip(&lambdas) {
            let point = LinearRidgeSimulation {
                model: Ridge { lambda, ..base },
                n: 60,
            }
            .check()
            .unwrap()
            .run(&RUN)
            .unwrap();
            same_estimates(report, &point);
        }
        // The points differ (the curve is not one point repeated).
        assert_ne!(curve[1].test_error.mean, curve[3].test_error.mean);
    }
}

#[test]
fn anisotropic_ridge_curve_equals_points_bit_for_bit() {
    let pop = Population::new(
        vec![0.2, 1.0, 5.0, 0.0],
        vec![0.3, 0.3, 0.2, 0.2],
        vec![0.5, 0.1, 0.3, 0.1],
    )
    .unwrap();
    let lambdas = [0.0, 0.01, 0.3, 1.5];
    for gamma in [0.5, 2.5] {
        let base = AnisotropicRidge::new(pop.clone(), gamma, 0.1, 3.0);
        let sim = AnisotropicRidgeSimulation {
            model: base.clone(),
            n: 40,
        }
        .check()
        .unwrap();
        let curve = sim.run_lambda_curve(&RUN, &lambdas).unwrap();
        let trials = sim.lambda_curve_trials(&RUN, &lambdas).unwrap();
        assert_eq!(trials.len(), RUN.trials);
        for (j, (report, &lambda)) in curve.iter().zip(&lambdas).enumerate() {
            let point = AnisotropicRidgeSimulation {
                model: AnisotropicRidge {
                    lambda,
                    ..base.clone()
                },
                n: 40,
            }
            .check()
            .unwrap()
            .run(&RUN)
            .unwrap();
            same_estimates(report, &point);
            let column: Vec<f64> = trials.iter().map(|t| t[j].test_error).collect();
            assert_eq!(column, report.test_error.per_trial);
        }
    }
}

fn rf_model(psi1: f64, f_star: f64, activation: Activation) -> RandomFeatures {
    RandomFeatures {
        psi1,
        psi2: 2.0,
        lambda: 0.1,
        activation,
        f1: 1.0,
        f_star,
        noise_sd: 0.4,
        ..Default::default()
    }
}

#[test]
fn random_features_curve_equals_points_to_rounding() {
    // Both sides (N < n: features Gram; N > n: kernel), with and without the nonlinear target,
    // both input laws, including the ridgeless point (N != n).
    let lambdas = [0.0, 0.01, 0.1, 1.0];
    for (psi1, f_star, input, side) in [
        (1.0, 0.0, InputDistribution::Sphere, GramSide::Features),
        (1.5, 0.7, InputDistribution::Gaussian, GramSide::Features),
        (3.0, 0.0, InputDistribution::Gaussian, GramSide::Samples),
        (3.0, 0.7, InputDistribution::Sphere, GramSide::Samples),
    ] {
        let model = rf_model(psi1, f_star, Activation::Tanh);
        let sim = RandomFeaturesSimulation {
            model: model.clone(),
            d: 12,
            test_points: 30,
            input,
        }
        .check()
        .unwrap();
        assert_eq!(sim.gram_side(), side);
        let curve = sim.run_lambda_curve(&RUN, &lambdas).unwrap();
        for (report, &lambda) in curve.iter().zip(&lambdas) {
            let point = RandomFeaturesSimulation {
                model: RandomFeatures {
                    lambda,
                    ..model.clone()
                },
                d: 12,
                test_points: 30,
                input,
            }
            .check()
            .unwrap()
            .run(&RUN)
            .unwrap();
            rf_close(
                report,
                &point,
                &format!("psi1 {psi1} F* {f_star} lambda {lambda}"),
            );
        }
    }
}

#[test]
fn random_features_curve_at_relu_and_moderate_size() {
    let model = rf_model(2.0, 0.5, Activation::Relu);
    let sim = RandomFeaturesSimulation {
        model: model.clone(),
        d: 40,
        test_points: 100,
        input: InputDistribution::Sphere,
    }
    .check()
    .unwrap();
    let lambdas = [0.02, 0.5];
    let curve = sim.run_lambda_curve(&RUN, &lambdas).unwrap();
    for (report, &lambda) in curve.iter().zip(&lambdas) {
        let point = RandomFeaturesSimulation {
            model: RandomFeatures {
                lambda,
                ..model.clone()
            },
            ..sim.simulation()
        }
        .check()
        .unwrap()
        .run(&RUN)
        .unwrap();
        rf_close(report, &point, &format!("relu lambda {lambda}"));
    }
}

#[test]
fn curves_refuse_empty_and_invalid_lambdas_before_running() {
    let ridge = LinearRidgeSimulation::default().check().unwrap();
    assert!(matches!(
        ridge.run_lambda_curve(&RUN, &[]),
        Err(Error::InvalidParameter {
            name: "lambdas",
            ..
        })
    ));
    assert!(matches!(
        ridge.run_lambda_curve(&RUN, &[0.1, -1.0]),
        Err(Error::InvalidParameter { name: "lambda", .. })
    ));
    assert!(matches!(
        ridge.run_lambda_curve(&RUN, &[f64::NAN]),
        Err(Error::InvalidParameter { .. })
    ));
    // gamma = 1 at lambda = 0 is rejected as a point is.
    let critical = LinearRidgeSimulation {
        model: Ridge::new(1.0, 0.1, 1.0),
        n: 50,
    }
    .check()
    .unwrap();
    assert!(critical.run_lambda_curve(&RUN, &[0.1, 0.0]).is_err());
    assert!(critical.run_lambda_curve(&RUN, &[0.1]).is_ok());
    let rf = RandomFeaturesSimulation {
        d: 10,
        test_points: 10,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(matches!(
        rf.run_lambda_curve(&RUN, &[]),
        Err(Error::InvalidParameter {
            name: "lambdas",
            ..
        })
    ));
    assert!(matches!(
        rf.run_lambda_curve(&RUN, &[f64::INFINITY]),
        Err(Error::InvalidParameter { .. })
    ));
    let one = RunOptions { trials: 1, ..RUN };
    assert!(matches!(
        rf.run_lambda_curve(&one, &[0.1]),
        Err(Error::InvalidParameter { name: "trials", .. })
    ));
}

#[test]
fn curve_points_are_dependent_and_per_trial_values_give_the_difference_se() {
    // The points of a curve share their draws: the per-trial difference between two nearby
    // lambdas varies far less than each point does, so sqrt(SE_1^2 + SE_2^2) overstates the
    // SE of the difference; the per-trial values (lambda_curve_trials) give the right one.
    let run = RunOptions {
        seed: 3,
        trials: 12,
        progress: false,
    };
    let sim = LinearRidgeSimulation {
        model: Ridge::new(2.0, 0.1, 1.0),
        n: 40,
    }
    .check()
    .unwrap();
    let lambdas = [0.10, 0.12];
    let curve = sim.run_lambda_curve(&run, &lambdas).unwrap();
    let trials = sim.lambda_curve_trials(&run, &lambdas).unwrap();
    let diffs: Vec<f64> = trials
        .iter()
        .map(|t| t[1].test_error - t[0].test_error)
        .collect();
    let diff = Estimate::from_trials(diffs).unwrap();
    let naive = curve[0]
        .test_error
        .std_err
        .hypot(curve[1].test_error.std_err);
    assert!(
        diff.std_err < 0.2 * naive,
        "difference SE {} vs naive {naive}",
        diff.std_err
    );
    assert!((diff.mean - (curve[1].test_error.mean - curve[0].test_error.mean)).abs() < 1e-12);
}

#[test]
fn curves_respect_the_memory_budget() {
    use overparam::sim::memory::MemoryBudget;
    let rf = RandomFeaturesSimulation {
        d: 30,
        test_points: 20,
        ..Default::default()
    }
    .check()
    .unwrap();
    let point = rf.memory_estimate(&RUN);
    let curve = rf.curve_memory_estimate(&RUN);
    assert!(curve.per_trial_bytes > point.per_trial_bytes);
    let tiny = MemoryBudget::bytes(1000);
    assert!(matches!(
        rf.run_lambda_curve_with_budget(&RUN, &[0.1], &tiny),
        Err(Error::MemoryBudget { .. })
    ));
    let ridge = LinearRidgeSimulation::default().check().unwrap();
    assert!(matches!(
        ridge.run_lambda_curve_with_budget(&RUN, &[0.1], &tiny),
        Err(Error::MemoryBudget { .. })
    ));
}

/// The CLI's curve path: `rf` / `ridge` with a lambda range and `--simulate` simulate one
/// amortised curve per lambda-free model; every record equals the single-lambda run of the
/// same point (same keys in the same order; values to 1e-10 relative, z to 1e-6).
#[cfg(feature = "cli")]
#[test]
fn cli_lambda_ranges_use_the_curve_and_equal_single_points() {
    use std::process::Command;
    let run = |args: &[&str]| -> Vec<serde_json::Map<String, serde_json::Value>> {
        let out = Command::new(env!("CARGO_BIN_EXE_overparam"))
            .args(args)
            .args([
                "--format",
                "json",
                "--trials",
                "3",
                "--simulate",
                "--no-progress",
            ])
            .output()
            .expect("overparam runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| match serde_json::from_str(l).expect("json") {
                serde_json::Value::Object(m) => m,
                other => panic!("not a record: {other}"),
            })
            .collect()
    };
    let rf_small = "--psi1 2 --psi2 3 --d 20 --test-points 50";
    let rf_dual = "--psi1 4 --psi2 2 --d 15 --test-points 40";
    for (model, base) in [
        ("ridge", "--gamma 2 --snr 1 --n 60"),
        ("rf", rf_small),
        ("rf", rf_dual),
    ] {
        let mut args = vec![model];
        args.extend(base.split(' '));
        let curve = run(&[args.as_slice(), &["--lambda", "0.01:1:4"]].concat());
        assert_eq!(curve.len(), 4);
        for rec in &curve {
            let lambda = rec["lambda"].to_string();
            let point = run(&[args.as_slice(), &["--lambda", lambda.as_str()]].concat());
            assert_eq!(point.len(), 1);
            let point = &point[0];
            let keys = |m: &serde_json::Map<String, serde_json::Value>| {
                m.keys().cloned().collect::<Vec<_>>()
            };
            assert_eq!(keys(rec), keys(point), "{model}");
            for (k, v) in rec {
                // The theory along a range is solved with warm starts, and the printed lambda
                // has 16 significant digits (not always the grid's double): equal to rounding.
                // (The library tests above compare ridge curves with points bit for bit.)
                let bitwise = false;
                match (v.as_f64(), point[k].as_f64()) {
                    (Some(a), Some(b)) if !bitwise && k != "z" && !k.starts_with("z_") => {
                        assert!(
                            (a - b).abs() <= 1e-10 * a.abs().max(b.abs()) + 1e-13,
                            "{model} lambda {lambda} {k}: {a} vs {b}"
                        );
                    }
                    // z = gap / SE: the SE's rounding is relative to the mean, not to itself.
                    (Some(a), Some(b)) if !bitwise => {
                        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{k}: {a} vs {b}")
                    }
                    _ => assert_eq!(v, &point[k], "{model} lambda {lambda} {k}"),
                }
            }
        }
    }
}

#[test]
fn psi1_curves_nested_and_independent() {
    use overparam::linalg::Matrix;
    use overparam::sim::data::sample_points;
    use overparam::sim::random_features::FeatureDraws;
    use overparam::sim::rng::trial_rng;
    let model = rf_model(1.0, 0.5, Activation::Tanh);
    let sim = RandomFeaturesSimulation {
        model: model.clone(),
        d: 12,
        test_points: 30,
        input: InputDistribution::Sphere,
    }
    .check()
    .unwrap();
    let psi1s = [0.5, 3.0, 1.5];
    let at = |psi1: f64| {
        RandomFeaturesSimulation {
            model: RandomFeatures {
                psi1,
                ..model.clone()
            },
            ..sim.simulation()
        }
        .check()
        .unwrap()
    };
    // Independent draws: every point is its own run.
    let independent = sim
        .run_psi1_curve(&RUN, &psi1s, FeatureDraws::Independent)
        .unwrap();
    assert!(!independent.nested);
    for (report, &psi1) in independent.reports.iter().zip(&psi1s) {
        assert_eq!(report, &at(psi1).run(&RUN).unwrap());
    }
    // Nested: the widest point is the run at N_max; the others use the first N_j weights of the
    // same wide draw (recomputed here from the stream by hand).
    let nested = sim
        .run_psi1_curve(&RUN, &psi1s, FeatureDraws::Nested)
        .unwrap();
    assert!(nested.nested);
    assert_eq!(nested.reports[1], at(3.0).run(&RUN).unwrap());
    let wide = at(3.0);
    for k in 0..RUN.trials as u64 {
        let mut rng = trial_rng(RUN.seed, k);
        let x = sample_points(&mut rng, wide.n(), 12, InputDistribution::Sphere);
        let theta = sample_points(&mut rng, wide.num_features(), 12, InputDistribution::Sphere);
        let x_test = sample_points(&mut rng, 30, 12, InputDistribution::Sphere);
        for (j, &psi1) in psi1s.iter().enumerate() {
            let point = at(psi1);
            let m = point.num_features();
            let first = Matrix::from_fn(m, 12, |a, c| theta.get(a, c).unwrap());
            let direct = point.conditional_risks(&x, &first, &x_test).unwrap();
            let got = nested.per_trial[k as usize][j];
            for (a, b) in [
                (got.test_error, direct.test_error),
                (got.train_error, direct.train_error),
                (got.variance, direct.variance),
            ] {
                assert!(
                    (a - b).abs() <= 1e-10 * a.abs().max(b.abs()),
                    "{psi1}: {a} vs {b}"
                );
            }
        }
    }
    // The nested points differ from the independent ones below N_max (other test points).
    assert_ne!(nested.reports[0], independent.reports[0]);
    assert!(matches!(
        sim.run_psi1_curve(&RUN, &[], FeatureDraws::Nested),
        Err(Error::InvalidParameter { name: "psi1s", .. })
    ));
    assert!(matches!(
        sim.run_psi1_curve(&RUN, &[1.0, -2.0], FeatureDraws::Nested),
        Err(Error::InvalidParameter { .. })
    ));
}
