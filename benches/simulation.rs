//! Criterion benches: one finite-size simulation point per model ([`overparam::sim`] and the
//! two-layer census), at modest sizes, 10 samples each.
//!
//! | bench id | what one iteration runs |
//! |---|---|
//! | `simulation/ridge` | one trial, $n = 400$, $\gamma = 2$ ($p = 800$), $\lambda = 0.1$ |
//! | `simulation/random_features` | one trial, $d = 200$, $\psi_1 = 2$, $\psi_2 = 3$, $T = 1000$ |
//! | `simulation/adversarial_rf` | one trial, $d = 100$, $\psi_1 = \psi_2 = 2$, $\varepsilon = 0.3$ |
//! | `simulation/adversarial_linear` | one trial, $d = 200$, $\delta = 2$, $\varepsilon = 0.3$ |
//! | `simulation/membership_output` | 8 trials, $n = 200$, $\gamma = 2$, $\kappa = 0.5$, $\lambda = 0.1$ |
//! | `simulation/membership_loss` | 8 trials, the same model |
//! | `simulation/two_layer_census` | gradient-descent census, $d = k = 5$, 4 runs |
//! | `simulation/two_layer_dense_eigen` | dense $d^2 \times d^2$ Hessian and its eigenvalues, $d = 20$ |
//!
//! The membership simulations and the census run their trials on rayon's pool (there is no
//! single-trial entry point); `benches/run_all.sh` sets `RAYON_NUM_THREADS=1` so that every row
//! is single-threaded.
//!
//! Run: `cargo bench --bench simulation`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::experiment::RunOptions;
use overparam::linalg::{Matrix, symmetric_eigenvalues};
use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::ridge::LinearRidgeSimulation;
use overparam::sim::two_layer_census::GradientDescentCensus;
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
use overparam::theory::membership::Membership;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::Ridge;
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::kernel::Teacher;

const SEED: u64 = 7;

fn simulation(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulation");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    let ridge = LinearRidgeSimulation {
        model: Ridge {
            gamma: 2.0,
            lambda: 0.1,
            snr: 1.0,
            noise_sd: 1.0,
            ..Default::default()
        },
        n: 400,
    }
    .check()
    .expect("valid ridge simulation");
    group.bench_function("ridge", |b| {
        b.iter(|| ridge.run_trial(black_box(SEED), 0).map(|t| t.test_error))
    });

    // The old RfSimulation default: psi = (2, 3), lambda = 1e-3, tau = 0.5, T = 1000.
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
    group.bench_function("random_features", |b| {
        b.iter(|| rf.run_trial(black_box(SEED), 0).map(|t| t.test_error))
    });

    let adv_rf = AdversarialRfSimulation {
        model: AdversarialRf {
            noise_sd: 0.5,
            psi1: 2.0,
            psi2: 2.0,
            eps: 0.3,
            eps_test: None,
            ..AdversarialRf::default()
        },
        d: 100,
    }
    .check()
    .expect("valid adversarial rf simulation");
    if let Ok(t) = adv_rf.trial(SEED, 0) {
        eprintln!(
            "iterations: simulation adversarial_rf newton_steps {}",
            t.newton_steps
        );
    }
    group.bench_function("adversarial_rf", |b| {
        b.iter(|| {
            black_box(&adv_rf)
                .trial(SEED, 0)
                .map(|t| t.robust_test_risk)
        })
    });

    let adv_lin = AdversarialLinearSimulation {
        model: AdversarialLinear {
            noise_sd: 0.5,
            delta: 2.0,
            r0: 1.0,
            eps: 0.3,
            eps_test: None,
            ..AdversarialLinear::default()
        },
        d: 200,
    }
    .check()
    .expect("valid adversarial linear simulation");
    if let Ok(t) = adv_lin.trial(SEED, 0) {
        eprintln!(
            "iterations: simulation adversarial_linear newton_steps {}",
            t.newton_steps
        );
    }
    group.bench_function("adversarial_linear", |b| {
        b.iter(|| {
            black_box(&adv_lin)
                .trial(SEED, 0)
                .map(|t| t.robust_test_risk)
        })
    });

    let membership = Membership {
        gamma: 2.0,
        kappa: 0.5,
        noise_sd: 1.0,
        lambda: 0.1,
        output_noise: 0.0,
        ..Default::default()
    };
    let sim = MembershipAttackSimulation {
        model: membership,
        n: 200,
        attack: Attack::Output,
    }
    .check()
    .expect("valid membership simulation");
    let run = RunOptions {
        seed: SEED,
        trials: 8,
        progress: false,
    };
    group.bench_function("membership_output", |b| {
        b.iter(|| {
            black_box(&sim)
                .output_attack(&run)
                .map(|r| r.advantage_plugin.value)
        })
    });
    group.bench_function("membership_loss", |b| {
        b.iter(|| {
            black_box(&sim)
                .loss_attack(&run)
                .map(|r| r.advantage_plugin.value)
        })
    });

    // Runs seeded from trial_rng(seed, r) since the census moved under sim/ (it used seed + r).
    let census = GradientDescentCensus {
        d: 5,
        ..GradientDescentCensus::default()
    }
    .check()
    .expect("valid census");
    let census_run = RunOptions {
        seed: SEED,
        trials: 4,
        progress: false,
    };
    if let Ok(cen) = census.run(&census_run) {
        eprintln!(
            "iterations: simulation two_layer_census runs {} not_converged {} families {}",
            cen.runs,
            cen.not_converged,
            cen.entries.len()
        );
    }
    group.bench_function("two_layer_census", |b| {
        b.iter(|| black_box(&census).run(&census_run).map(|c| c.entries.len()))
    });

    let d = 20;
    let teacher = Teacher::identity(d).expect("d >= 1");
    let cp = critical_point(Family::TypeA, d as f64).expect("type A exists at d = 20");
    let w = cp.partition.embed(&cp.params).expect("integer class sizes");
    group.bench_function("two_layer_dense_eigen", |b| {
        b.iter(|| {
            teacher.hessian(black_box(&w)).and_then(|h| {
                let n = d * d;
                let m = Matrix::from_fn(n, n, |i, j| h[i * n + j]);
                symmetric_eigenvalues(&m).map(|ev| ev.first().copied())
            })
        })
    });
    group.finish();
}

criterion_group!(benches, simulation);
criterion_main!(benches);
