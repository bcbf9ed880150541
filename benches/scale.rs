//! Criterion benches of the simulations at scale (issue 17 §4) and of the amortised
//! lambda-curves (§1).
//!
//! | bench id | what one iteration runs |
//! |---|---|
//! | `lambda_curve/ridge_point` | isotropic ridge, 2 trials, $n = 400$, $\gamma = 2$, one $\lambda$ |
//! | `lambda_curve/ridge_curve50` | the same 2 trials at 50 $\lambda$ (`run_lambda_curve`) |
//! | `lambda_curve/ridge_points50` | the same 50 $\lambda$ point by point (the old way) |
//! | `lambda_curve/aniso_point`, `aniso_curve50` | anisotropic ridge, 2 trials, $n = 300$, $\gamma = 2$ |
//! | `lambda_curve/rf_point`, `rf_curve50` | random features, 2 trials, $d = 200$, $\psi = (2, 3)$, $T = 1000$ |
//! | `lambda_curve/rf_psi1_nested5`, `rf_psi1_independent5` | the same model at $\psi_1 = 0.5, 1, \dots, 2.5$ |
//! | `scale/rf_d500` | random features, one trial, $d = 500$, $\psi = (3, 3)$, $T = 1000$ |
//! | `scale/rf_d1000` | random features, one trial, $d = 1000$, $\psi = (3, 3)$, $T = 1000$ |
//! | `scale/ridge_n4000` | isotropic ridge, one trial, $n = 4000$, $\gamma = 0.5$ |
//! | `scale/adversarial_d500` | adversarial rf, one trial, $d = 500$, $\psi = (2, 2)$ |
//!
//! Every iteration is single-threaded when run with `RAYON_NUM_THREADS=1` (the 2-trial runs
//! otherwise use two threads, one trial each). The lambda grid is 50 points log-spaced in
//! $[10^{-3}, 10]$. `scale/rf_d2000` ($n = N = 6000$) is behind `OVERPARAM_BENCH_HUGE=1`.
//!
//! Run: `RAYON_NUM_THREADS=1 cargo bench --bench scale -- --sample-size 10 lambda_curve`
//! and `... scale/` (the large points take minutes).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::experiment::RunOptions;
use overparam::sim::adversarial::AdversarialRfSimulation;
use overparam::sim::random_features::{FeatureDraws, RandomFeaturesSimulation};
use overparam::sim::ridge::{AnisotropicRidgeSimulation, LinearRidgeSimulation};
use overparam::spectral::Population;
use overparam::theory::adversarial::AdversarialRf;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::{AnisotropicRidge, Ridge};

const SEED: u64 = 7;

fn lambdas() -> Vec<f64> {
    (0..50)
        .map(|i| 10f64.powf(-3.0 + 4.0 * i as f64 / 49.0))
        .collect()
}

fn lambda_curve(c: &mut Criterion) {
    let mut group = c.benchmark_group("lambda_curve");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let run = RunOptions {
        seed: SEED,
        trials: 2,
        progress: false,
    };
    let grid = lambdas();

    let ridge = LinearRidgeSimulation {
        model: Ridge::new(2.0, 0.1, 1.0),
        n: 400,
    }
    .check()
    .expect("valid ridge simulation");
    group.bench_function("ridge_point", |b| {
        b.iter(|| black_box(&ridge).run(&run).map(|r| r.test_error.mean))
    });
    group.bench_function("ridge_curve50", |b| {
        b.iter(|| {
            black_box(&ridge)
                .run_lambda_curve(&run, &grid)
                .map(|r| r.len())
        })
    });
    group.bench_function("ridge_points50", |b| {
        b.iter(|| {
            grid.iter()
                .map(|&lambda| {
                    LinearRidgeSimulation {
                        model: Ridge::new(2.0, lambda, 1.0),
                        n: 400,
                    }
                    .check()
                    .and_then(|s| s.run(&run))
                    .map(|r| r.test_error.mean)
                })
                .collect::<overparam::Result<Vec<f64>>>()
        })
    });

    let pop =
        Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8]).expect("valid population");
    let aniso = AnisotropicRidgeSimulation {
        model: AnisotropicRidge::new(pop, 2.0, 0.1, 4.0),
        n: 300,
    }
    .check()
    .expect("valid anisotropic ridge simulation");
    group.bench_function("aniso_point", |b| {
        b.iter(|| black_box(&aniso).run(&run).map(|r| r.test_error.mean))
    });
    group.bench_function("aniso_curve50", |b| {
        b.iter(|| {
            black_box(&aniso)
                .run_lambda_curve(&run, &grid)
                .map(|r| r.len())
        })
    });

    let rf = RandomFeaturesSimulation {
        model: RandomFeatures {
            psi1: 2.0,
            psi2: 3.0,
            lambda: 1e-3,
            noise_sd: 0.5,
            ..RandomFeatures::default()
        },
        d: 200,
        ..RandomFeaturesSimulation::default()
    }
    .check()
    .expect("valid random-features simulation");
    group.bench_function("rf_point", |b| {
        b.iter(|| black_box(&rf).run(&run).map(|r| r.test_error.mean))
    });
    group.bench_function("rf_curve50", |b| {
        b.iter(|| {
            black_box(&rf)
                .run_lambda_curve(&run, &grid)
                .map(|r| r.len())
        })
    });
    let psi1s = [0.5, 1.0, 1.5, 2.0, 2.5];
    for (name, draws) in [
        ("rf_psi1_nested5", FeatureDraws::Nested),
        ("rf_psi1_independent5", FeatureDraws::Independent),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&rf)
                    .run_psi1_curve(&run, &psi1s, draws)
                    .map(|c| c.reports.len())
            })
        });
    }
    group.finish();
}

fn rf_at(d: usize) -> RandomFeaturesSimulation {
    RandomFeaturesSimulation {
        model: RandomFeatures {
            psi1: 3.0,
            psi2: 3.0,
            lambda: 1e-3,
            noise_sd: 0.5,
            ..RandomFeatures::default()
        },
        d,
        test_points: 1000,
        ..RandomFeaturesSimulation::default()
    }
}

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(5));
    let mut sizes = vec![500, 1000];
    if std::env::var_os("OVERPARAM_BENCH_HUGE").is_some() {
        sizes.push(2000);
    }
    for d in sizes {
        let sim = rf_at(d).check().expect("valid random-features simulation");
        group.bench_function(format!("rf_d{d}"), |b| {
            b.iter(|| black_box(&sim).run_trial(SEED, 0).map(|t| t.test_error))
        });
    }
    let ridge = LinearRidgeSimulation {
        model: Ridge::new(0.5, 0.1, 1.0),
        n: 4000,
    }
    .check()
    .expect("valid ridge simulation");
    group.bench_function("ridge_n4000", |b| {
        b.iter(|| black_box(&ridge).run_trial(SEED, 0).map(|t| t.test_error))
    });
    let adv = AdversarialRfSimulation {
        model: AdversarialRf {
            noise_sd: 0.5,
            psi1: 2.0,
            psi2: 2.0,
            eps: 0.3,
            eps_test: None,
            ..AdversarialRf::default()
        },
        d: 500,
    }
    .check()
    .expect("valid adversarial rf simulation");
    group.bench_function("adversarial_d500", |b| {
        b.iter(|| black_box(&adv).trial(SEED, 0).map(|t| t.robust_test_risk))
    });
    group.finish();
}

criterion_group!(benches, lambda_curve, scale);
criterion_main!(benches);
