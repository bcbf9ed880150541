//! Criterion benches for random features under gradient flow
//! ([`overparam::theory::rf_dynamics`]) and its simulation.
//!
//! Groups: `rf_dynamics/equivalent` (the reduction: Gauss rule of the MP law, population, scalars),
//! `rf_dynamics/gf_curve_1000` (1000 log-spaced times in $[10^{-2}, 10^3]$, ReLU, $\psi_1 = 2$,
//! $\psi_2 = 1.5$, $\lambda = 0$, validation included), `rf_dynamics/sim_trial_d100` (one
//! simulated trial at $d = 100$ with 50 times: one eigendecomposition, then the filters).
//!
//! Run: `cargo bench --bench rf_dynamics -- --measurement-time 2 rf_dynamics`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::sim::rf_dynamics::RfDynamicsSimulation;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::RfDynamics;
use overparam::theory::rf_equivalent::random_features_equivalent;

fn rf_dynamics(c: &mut Criterion) {
    let mut group = c.benchmark_group("rf_dynamics");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let model = RandomFeatures {
        psi1: 2.0,
        psi2: 1.5,
        lambda: 0.0,
        noise_sd: 0.5,
        ..Default::default()
    };
    let checked = model.check().expect("valid");
    group.bench_function("equivalent", |b| {
        b.iter(|| random_features_equivalent(black_box(&checked)).map(|e| e.nodes()))
    });
    let times = log_spaced(1e-2, 1e3, 1000).expect("valid grid");
    let params = RfDynamics {
        model: model.clone(),
        ..Default::default()
    };
    group.bench_function("gf_curve_1000", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.curve(black_box(&times)))
                .map(|c| c.len())
        })
    });
    let sim = RfDynamicsSimulation {
        model,
        d: 100,
        test_points: 500,
        ..Default::default()
    }
    .check()
    .expect("valid");
    let sim_times = log_spaced(1e-2, 1e3, 50).expect("valid grid");
    group.bench_function("sim_trial_d100", |b| {
        b.iter(|| {
            let (x, theta, x_test) = sim.trial_inputs(1, 0);
            sim.spectrum(&x, &theta, &x_test)
                .and_then(|s| sim.risks_at(&s, black_box(&sim_times)))
                .map(|r| r.len())
        })
    });
    group.finish();
}

criterion_group!(benches, rf_dynamics);
criterion_main!(benches);
