//! Cross-validation of the linear ridge simulation against the Hastie–Montanari–Rosset–Tibshirani
//! limit and against exact finite-n results.
//!
//! References (independent of the code under test):
//! - the Marchenko–Pastur values m(-lambda), m'(-lambda) of Hastie, Montanari, Rosset & Tibshirani 2022, arXiv:1903.08560 (docs/ridge.md#derivation-notes-reference-values, 30-digit table),
//!   from which B = r^2 lambda^2 m' and V = sigma^2 gamma (m - lambda m');
//! - the training error r^2 lambda^2 (m - lambda m') + sigma^2 (1 - gamma + gamma lambda^2 m'),
//!   obtained by taking the limit of the eigenvalue sums (the n x n Gram spectrum is gamma MP + (1 -
//!   gamma) delta_0), which equals the GCV form (R + sigma^2)(1 - gamma(1 - lambda m))^2;
//! - the optimal-ridge risk R* (docs/ridge.md#derivation-notes-isotropic-results);
//! - the exact finite-n means for Gaussian designs (inverse Wishart): OLS sigma^2 p/(n - p - 1),
//!   min-norm r^2 (1 - n/p) + sigma^2 n/(p - n - 1). These have no finite-size bias, so they are
//!   compared with zero allowance.
//!
//! These tests pin the reference values through the deprecated positional API
//! (`RfSimulation`, `RidgeSimulation`, `run(seed, trials, progress)`, `compare_rf`, `size_sweep`),
//! which delegates to the new shape (`RandomFeaturesSimulation`, `LinearRidgeSimulation`,
//! `run(&RunOptions)`, `experiment::join`): old callers keep their numbers. The new shape and the
//! join are tested in tests/sim_join.rs.
#![allow(deprecated)]

use overparam::compare::{
    DEFAULT_KAPPA, RiskValues, Verdict, compare, compare_ridge, compare_risks,
    finite_size_allowance,
};
use overparam::sim::Estimate;
use overparam::sim::ridge::{RidgeSimReport, RidgeSimulation};

/// Limits from the Marchenko–Pastur Stieltjes transform and its derivative at z = -lambda.
fn hmrt(gamma: f64, lambda: f64, m: f64, dm: f64, r_sq: f64, sigma_sq: f64) -> RiskValues {
    let bias = r_sq * lambda * lambda * dm;
    let variance = sigma_sq * gamma * (m - lambda * dm);
    let train = r_sq * lambda * lambda * (m - lambda * dm)
        + sigma_sq * (1.0 - gamma + gamma * lambda * lambda * dm);
    RiskValues {
        test_error: bias + variance,
        bias,
        variance,
        train_error: train,
    }
}

fn agree(name: &str, metric: &str, theory: f64, sim: &Estimate, allowance: f64) {
    let c = compare(theory, sim, allowance).unwrap();
    println!(
        "{name:<34} {metric:<8} theory {:.5}  sim {:.5} ± {:.5}  z {:+6.2}  rel gap {:+.2}%  allowance {:.5}",
        c.theory,
        c.mean,
        c.std_err,
        c.z,
        100.0 * c.relative_gap(),
        c.allowance
    );
    assert_eq!(c.verdict, Verdict::Agree, "{name} {metric}: {c:?}");
}

fn check_limit(name: &str, report: &RidgeSimReport, limit: &RiskValues) {
    let sims = [
        &report.test_error,
        &report.bias,
        &report.variance,
        &report.train_error,
    ];
    let cmp = compare_risks(sims, limit, DEFAULT_KAPPA, report.n).unwrap();
    for (metric, c) in [
        ("test", cmp.test_error),
        ("bias", cmp.bias),
        ("variance", cmp.variance),
        ("train", cmp.train_error),
    ] {
        println!(
            "{name:<34} {metric:<8} theory {:.5}  sim {:.5} ± {:.5}  z {:+6.2}  rel gap {:+.2}%  allowance {:.5}",
            c.theory,
            c.mean,
            c.std_err,
            c.z,
            100.0 * c.relative_gap(),
            c.allowance
        );
        assert_eq!(c.verdict, Verdict::Agree, "{name} {metric}: {c:?}");
    }
    assert!(
        report.test_error.std_err < 0.01 * limit.test_error,
        "{name}: SE too large"
    );
}

#[test]
fn ridge_matches_hmrt_under_over_and_at_the_threshold() {
    // (gamma, lambda, m(-lambda), m'(-lambda), n) from docs/ridge.md#derivation-notes-reference-values; r^2 = 1, sigma^2 = 0.5.
    let cases = [
        (
            "under gamma=0.5 lambda=0.1",
            0.5,
            0.1,
            1.483314773548,
            3.452248382485,
            400,
        ),
        (
            "under gamma=0.5 lambda=1",
            0.5,
            1.0,
            0.5615528128088,
            0.3488746876272,
            400,
        ),
        (
            "threshold gamma=1 lambda=0.2",
            1.0,
            0.2,
            1.791287847478,
            5.4554472559,
            400,
        ),
        (
            "over gamma=2 lambda=0.1",
            2.0,
            0.1,
            5.422144385112,
            50.61358820277,
            300,
        ),
        (
            "over gamma=4 lambda=1",
            4.0,
            1.0,
            0.8090169943749,
            0.7663118960625,
            150,
        ),
    ];
    for (k, &(name, gamma, lambda, m, dm, n)) in cases.iter().enumerate() {
        let sim = RidgeSimulation {
            n,
            gamma,
            lambda,
            snr: 2.0,
            sigma: 0.5f64.sqrt(),
        }
        .check()
        .unwrap();
        assert_eq!(sim.realised_gamma(), gamma);
        let report = sim.run(10 + k as u64, 8, false).unwrap();
        let oracle = hmrt(gamma, lambda, m, dm, 1.0, 0.5);
        check_limit(name, &report, &oracle);
        // The crate's theory module reproduces the oracle and passes the same comparison.
        let theory = sim.theory().unwrap();
        for (a, b) in [
            (theory.test_error, oracle.test_error),
            (theory.bias, oracle.bias),
            (theory.variance, oracle.variance),
            (theory.train_error, oracle.train_error),
        ] {
            assert!(
                (a - b).abs() < 1e-9 * b.abs().max(1e-3),
                "{name}: theory {a} vs oracle {b}"
            );
        }
        assert!(
            compare_ridge(&report, &theory, DEFAULT_KAPPA)
                .unwrap()
                .all_agree()
        );
    }
}

#[test]
fn optimally_tuned_ridge_matches_the_closed_form() {
    // lambda* = gamma / snr; R* = sigma^2 gamma m(-lambda*) (docs/ridge.md#derivation-notes-isotropic-results), sigma^2 = 1.
    for (k, &(gamma, snr, r_star)) in [
        (0.5, 4.0, 0.7015621187164),
        (2.0, 4.0, 2.561552812809),
        (1.0, 1.0, 0.6180339887499),
    ]
    .iter()
    .enumerate()
    {
        let sim = RidgeSimulation {
            n: 300,
            gamma,
            lambda: gamma / snr,
            snr,
            sigma: 1.0,
        }
        .check()
        .unwrap();
        let report = sim.run(20 + k as u64, 8, false).unwrap();
        let allowance = finite_size_allowance(r_star, DEFAULT_KAPPA, 300).unwrap();
        agree(
            &format!("optimal gamma={gamma} snr={snr}"),
            "test",
            r_star,
            &report.test_error,
            allowance,
        );
    }
}

#[test]
fn least_squares_and_min_norm_match_exact_finite_n_means() {
    let (r_sq, sigma_sq) = (1.0f64, 0.5f64);
    // OLS, n = 200, p = 50: E V = sigma^2 p / (n - p - 1), no bias; train = sigma^2 (n - p)/n exactly.
    let sim = RidgeSimulation {
        n: 200,
        gamma: 0.25,
        lambda: 0.0,
        snr: 2.0,
        sigma: sigma_sq.sqrt(),
    }
    .check()
    .unwrap();
    let report = sim.run(30, 12, false).unwrap();
    let exact = sigma_sq * 50.0 / 149.0;
    agree(
        "OLS gamma=0.25 exact finite n",
        "test",
        exact,
        &report.test_error,
        0.0,
    );
    assert!(report.bias.per_trial.iter().all(|&b| b == 0.0));
    for &t in &report.train_error.per_trial {
        assert!((t - sigma_sq * 150.0 / 200.0).abs() < 1e-12);
    }
    // Asymptotic OLS variance sigma^2 gamma/(1 - gamma) = 1/6 differs by the finite-n factor
    // (n - p)/(n - p - 1) - 1 = 0.7%, inside the allowance.
    let allowance = finite_size_allowance(sigma_sq / 3.0, DEFAULT_KAPPA, 200).unwrap();
    agree(
        "OLS gamma=0.25 asymptotic",
        "test",
        sigma_sq / 3.0,
        &report.test_error,
        allowance,
    );

    // Min-norm, n = 100, p = 250: E R = r^2 (1 - n/p) + sigma^2 n / (p - n - 1); the bias is exact
    // in every trial.
    let sim = RidgeSimulation {
        n: 100,
        gamma: 2.5,
        lambda: 0.0,
        snr: 2.0,
        sigma: sigma_sq.sqrt(),
    }
    .check()
    .unwrap();
    let report = sim.run(31, 12, false).unwrap();
    let exact = r_sq * (1.0 - 100.0 / 250.0) + sigma_sq * 100.0 / 149.0;
    agree(
        "min-norm gamma=2.5 exact finite n",
        "test",
        exact,
        &report.test_error,
        0.0,
    );
    for (&b, &t) in report
        .bias
        .per_trial
        .iter()
        .zip(&report.train_error.per_trial)
    {
        assert!((b - 0.6).abs() < 1e-12, "{b}");
        assert_eq!(t, 0.0);
    }
}

#[test]
fn wrong_theory_values_are_rejected() {
    // gamma = 2, lambda = 0.1: bias 0.50614, variance 0.36079 (r^2 = 1, sigma^2 = 0.5).
    let limit = hmrt(2.0, 0.1, 5.422144385112, 50.61358820277, 1.0, 0.5);
    let sim = RidgeSimulation {
        n: 300,
        gamma: 2.0,
        lambda: 0.1,
        snr: 2.0,
        sigma: 0.5f64.sqrt(),
    }
    .check()
    .unwrap();
    let report = sim.run(40, 8, false).unwrap();
    let allowance = finite_size_allowance(limit.test_error, DEFAULT_KAPPA, 300).unwrap();
    assert!(
        compare(limit.test_error, &report.test_error, allowance)
            .unwrap()
            .agrees()
    );
    // Bias off by 10%: the total is off by 5.8%, far beyond 4 SE + 1%.
    let wrong = compare(
        1.1 * limit.bias + limit.variance,
        &report.test_error,
        allowance,
    )
    .unwrap();
    assert_eq!(wrong.verdict, Verdict::Disagree, "{wrong:?}");
    assert!(wrong.z < -10.0, "{wrong:?}");
    // Variance with gamma and 1/gamma confused (the classic mistake): rejected.
    let swapped = hmrt(0.5, 0.1, 1.483314773548, 3.452248382485, 1.0, 0.5);
    assert!(
        !compare(swapped.variance, &report.variance, allowance)
            .unwrap()
            .agrees()
    );
}

#[test]
fn ridge_runs_are_reproducible_whatever_the_number_of_threads() {
    let sim = RidgeSimulation {
        n: 50,
        gamma: 1.5,
        lambda: 0.05,
        snr: 3.0,
        sigma: 0.8,
    }
    .check()
    .unwrap();
    let run_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| sim.run(7, 6, false).unwrap())
    };
    assert_eq!(run_with(1), run_with(3));
}
