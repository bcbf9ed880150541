//! Criterion benches for the training dynamics ([`overparam::theory::dynamics`]).
//!
//! Groups: `dynamics/gf_point` (validation plus one gradient-flow time, adaptive quadrature),
//! `dynamics/gf_curve_1000` (1000 log-spaced times in $[10^{-2}, 10^3]$, one quadrature level for
//! the curve), `dynamics/heavy_ball_10000` (heavy ball after $10^4$ steps: one recursion per
//! node at two levels), `dynamics/early_stopping_gf`, `dynamics/sigma_gf_curve_1000_p10000`
//! (general population: a $10^4$-atom power law $s_k = k^{-1}$, $c_k \propto k^{-1}$,
//! $\gamma = 0.5$, 1000 log-spaced times in $[10^{-2}, 10^6]$, from the checked model: the
//! contour rules, the $\kappa$ solves and the double integrals).
//!
//! Run: `cargo bench --bench dynamics`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::spectral::Population;
use overparam::theory::dynamics::{Algorithm, AnisotropicDynamics, Dynamics};

fn dynamics(c: &mut Criterion) {
    let mut group = c.benchmark_group("dynamics");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let params = Dynamics {
        gamma: 0.5,
        snr: 4.0,
        ..Default::default()
    };
    group.bench_function("gf_point", |b| {
        b.iter(|| {
            black_box(params)
                .check()
                .and_then(|m| m.at_time(black_box(2.0)))
                .map(|r| r.test_error)
        })
    });
    let times = log_spaced(1e-2, 1e3, 1000).expect("valid grid");
    let model = params.check().expect("valid");
    eprintln!(
        "nodes: gf_curve_1000 {}",
        model.curve_time(&times).map(|c| c[0].nodes).unwrap_or(0)
    );
    group.bench_function("gf_curve_1000", |b| {
        b.iter(|| {
            black_box(&model)
                .curve_time(black_box(&times))
                .map(|c| c.len())
        })
    });
    let hb = Dynamics {
        algorithm: Algorithm::HeavyBall,
        lr: 0.2,
        momentum: 0.5,
        ..params
    }
    .check()
    .expect("valid");
    eprintln!(
        "nodes: heavy_ball_10000 {}",
        hb.at_steps(10_000).map(|r| r.nodes).unwrap_or(0)
    );
    group.bench_function("heavy_ball_10000", |b| {
        b.iter(|| {
            black_box(&hb)
                .at_steps(black_box(10_000))
                .map(|r| r.test_error)
        })
    });
    group.bench_function("early_stopping_gf", |b| {
        b.iter(|| {
            black_box(&model)
                .early_stopping()
                .map(|e| e.at_optimum.time)
        })
    });
    let pop = Population::power_law(1.0, 1.0, 10_000).expect("valid population");
    let sigma = AnisotropicDynamics::new(pop, 0.5).check().expect("valid");
    let long = log_spaced(1e-2, 1e6, 1000).expect("valid grid");
    eprintln!(
        "nodes: sigma_gf_curve_1000_p10000 {}",
        sigma.curve_time(&long).map(|c| c[0].nodes).unwrap_or(0)
    );
    group.bench_function("sigma_gf_curve_1000_p10000", |b| {
        b.iter(|| {
            black_box(&sigma)
                .curve_time(black_box(&long))
                .map(|c| c.len())
        })
    });
    group.finish();
}

criterion_group!(benches, dynamics);
criterion_main!(benches);
