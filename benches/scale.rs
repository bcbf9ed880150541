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
//! | `scale/rf_d500_kernel` | `scale/rf_d500` inside `linalg::with_parallel_kernel` (one trial on every thread) |
//! | `two_cores/<model>_default` | the library join (`experiment::join`: theory at the realised sizes + 10 trials, seed 1) of each model's CLI default simulation (below) |
//!
//! `two_cores` models (the sizes `--simulate` uses without `--d`/`--n`): `rf` ($\psi = (2, 3)$,
//! $\lambda = 0.1$, $d = 100$, $T = 1000$), `ridge` ($\gamma = 2$, $\lambda = 0.1$, snr 1,
//! $n = 200$), `aniso_ridge` (the same with `--spectrum powerlaw:1.5:50`), `adversarial_rf`
//! ($\psi = (2, 2)$, $\varepsilon = 0.3$, $d = 200$), `adversarial_linear` (defaults,
//! $\varepsilon = 0.3$, $d = 200$), `membership` ($\gamma = 2$, $\kappa = 0.5$, $\lambda = 0.1$,
//! $n = 200$), `dynamics` ($\gamma = 0.5$, snr 4, gradient flow at $t = 10$, $n = 200$),
//! `rf_dynamics` ($\psi = (2, 3)$, gradient flow at $t = 10$, $d = 100$, $T = 1000$).
//!
//! Every iteration is single-threaded when run with `RAYON_NUM_THREADS=1` (the 2-trial runs
//! otherwise use two threads, one trial each). The lambda grid is 50 points log-spaced in
//! $[10^{-3}, 10]$. `scale/rf_d2000` ($n = N = 6000$) is behind `OVERPARAM_BENCH_HUGE=1`.
//!
//! Run: `RAYON_NUM_THREADS=1 cargo bench --bench scale -- --sample-size 10 lambda_curve`
//! and `... scale/` (the large points take minutes). 1 vs 2 threads:
//! `for t in 1 2; do RAYON_NUM_THREADS=$t cargo bench --bench scale -- two_cores/; done` and the
//! same with `scale/rf_d500`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::experiment::{JoinOptions, RunOptions, join};
use overparam::linalg::with_parallel_kernel;
use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
use overparam::sim::dynamics::DynamicsSimulation;
use overparam::sim::membership::MembershipAttackSimulation;
use overparam::sim::random_features::{FeatureDraws, RandomFeaturesSimulation};
use overparam::sim::rf_dynamics::RfDynamicsSimulation;
use overparam::sim::ridge::{AnisotropicRidgeSimulation, LinearRidgeSimulation};
use overparam::spectral::Population;
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
use overparam::theory::dynamics::Dynamics;
use overparam::theory::membership::Membership;
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
        if d == 500 {
            group.bench_function("rf_d500_kernel", |b| {
                b.iter(|| {
                    with_parallel_kernel(|| {
                        black_box(&sim).run_trial(SEED, 0).map(|t| t.test_error)
                    })
                })
            });
        }
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

/// The library join of each model's default CLI simulation (10 trials), for 1 vs 2 threads.
fn two_cores(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_cores");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    let run = RunOptions {
        seed: 1,
        trials: 10,
        progress: false,
    };
    let options = JoinOptions::default();
    macro_rules! bench_join {
        ($name:expr, $sim:expr) => {{
            let sim = $sim.check().expect("valid default simulation");
            group.bench_function($name, |b| {
                b.iter(|| join(black_box(&sim), &run, &options).map(|j| j.all_agree()))
            });
        }};
    }
    bench_join!(
        "rf_default",
        RandomFeaturesSimulation {
            model: RandomFeatures {
                psi1: 2.0,
                psi2: 3.0,
                lambda: 0.1,
                ..RandomFeatures::default()
            },
            d: 100,
            test_points: 1000,
            ..RandomFeaturesSimulation::default()
        }
    );
    bench_join!(
        "ridge_default",
        LinearRidgeSimulation {
            model: Ridge::new(2.0, 0.1, 1.0),
            n: 200,
        }
    );
    let pop = Population::power_law(1.5, 0.0, 50).expect("valid power law");
    bench_join!(
        "aniso_ridge_default",
        AnisotropicRidgeSimulation {
            model: AnisotropicRidge::new(pop, 2.0, 0.1, 1.0),
            n: 200,
        }
    );
    bench_join!(
        "adversarial_rf_default",
        AdversarialRfSimulation {
            model: AdversarialRf {
                psi1: 2.0,
                psi2: 2.0,
                eps: 0.3,
                ..AdversarialRf::default()
            },
            d: 200,
        }
    );
    bench_join!(
        "adversarial_linear_default",
        AdversarialLinearSimulation {
            model: AdversarialLinear {
                eps: 0.3,
                ..AdversarialLinear::default()
            },
            d: 200,
        }
    );
    bench_join!(
        "membership_default",
        MembershipAttackSimulation {
            model: Membership {
                gamma: 2.0,
                kappa: 0.5,
                lambda: 0.1,
                ..Membership::default()
            },
            n: 200,
            attack: Default::default(),
        }
    );
    bench_join!(
        "dynamics_default",
        DynamicsSimulation {
            model: Dynamics {
                gamma: 0.5,
                snr: 4.0,
                ..Dynamics::default()
            },
            n: 200,
            time: 10.0,
        }
    );
    bench_join!(
        "rf_dynamics_default",
        RfDynamicsSimulation {
            model: RandomFeatures {
                psi1: 2.0,
                psi2: 3.0,
                ..RandomFeatures::default()
            },
            d: 100,
            test_points: 1000,
            time: 10.0,
            ..RfDynamicsSimulation::default()
        }
    );
    group.finish();
}

criterion_group!(benches, lambda_curve, scale, two_cores);
criterion_main!(benches);
