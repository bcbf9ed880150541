//! Criterion benches for the isotropic ridge theory ([`overparam::theory::ridge`]).
//!
//! Groups: `ridge/point_cold` (validation plus the closed-form risk at one point) and
//! `ridge/curve_1000` (1000 points over $\gamma \in [0.1, 10]$ at fixed $\lambda$). The risk is a
//! closed form in the Marchenko–Pastur transform: there is no iteration and nothing to warm-start,
//! so there is no `ridge/point_warm` (see `docs/performance.md`).
//!
//! Run: `cargo bench --bench ridge`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::theory::ridge::Ridge;

/// The benchmarked point: overparameterised ($\gamma = 2$), light ridge, SNR 4.
const POINT: (f64, f64, f64) = (2.0, 0.1, 4.0);

fn ridge(c: &mut Criterion) {
    eprintln!("iterations: ridge point_cold 0 (closed form)");
    let mut group = c.benchmark_group("ridge");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let (gamma, lambda, snr) = POINT;
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            Ridge::new(black_box(gamma), black_box(lambda), black_box(snr))
                .check()
                .and_then(|m| m.risk())
                .map(|r| r.test_error)
        })
    });
    // gamma = 1 is included exactly only if the grid hits it; lambda > 0 keeps it finite anyway.
    let grid = log_spaced(0.1, 10.0, 1000).expect("valid grid");
    group.bench_function("curve_1000", |b| {
        b.iter(|| {
            black_box(&grid)
                .iter()
                .map(|&g| {
                    Ridge::new(g, lambda, snr)
                        .check()
                        .and_then(|m| m.risk())
                        .map(|r| r.test_error)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    });
    // The spectral-integral route (Gauss–Legendre against the Marchenko–Pastur density), the
    // independent check of the closed form, for the speed ratio.
    let model = Ridge::new(gamma, lambda, snr)
        .check()
        .expect("valid ridge parameters");
    group.bench_function("point_spectral_integral_64", |b| {
        b.iter(|| {
            black_box(&model)
                .risk_via_spectral_integral(64)
                .map(|r| r.test_error)
        })
    });
    group.finish();
}

criterion_group!(benches, ridge);
criterion_main!(benches);
