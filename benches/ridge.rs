//! Criterion benches for the isotropic ridge theory ([`overparam::theory::ridge`]).
//!
//! Groups: `ridge/point_cold` (validation plus the closed-form risk at one point) and
//! `ridge/curve_1000` (1000 points over $\gamma \in [0.1, 10]$ at fixed $\lambda$). The risk is a
//! closed form in the Marchenko–Pastur transform: there is no iteration and nothing to warm-start,
//! so there is no `ridge/point_warm` (see `docs/performance.md`).
//!
//! Group `ridge_anisotropic` (issue 15): one cold point of the anisotropic deterministic
//! equivalent (validation, the certified kappa solve and the risk) for the power law
//! $s_k = k^{-1.5}$, signal $c_k \propto k^{-1}$, with $P = 10^4$ and $10^6$ atoms, at
//! $\gamma = 2$, $\lambda = 10^{-2}$, snr 4 (`point_cold_1e4`, `point_cold_1e6`); the NumPy/SciPy
//! reference of the same equations is `benches/reference/ridge.py`.
//!
//! Run: `cargo bench --bench ridge`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::spectral::Population;
use overparam::theory::ridge::{AnisotropicRidge, Ridge};

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

fn ridge_anisotropic(c: &mut Criterion) {
    let mut group = c.benchmark_group("ridge_anisotropic");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for (name, atoms) in [
        ("point_cold_1e4", 10_000usize),
        ("point_cold_1e6", 1_000_000),
    ] {
        let params = AnisotropicRidge::new(
            Population::power_law(1.5, 1.0, atoms).expect("valid power law"),
            2.0,
            0.01,
            4.0,
        );
        let r = params
            .check()
            .and_then(|m| m.risk())
            .expect("valid anisotropic ridge");
        eprintln!(
            "iterations: ridge_anisotropic {name} {} (test error {:.12}, kappa {:.12e})",
            r.solve.iterations, r.test_error, r.kappa
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&params)
                    .check()
                    .and_then(|m| m.risk())
                    .map(|r| r.test_error)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, ridge, ridge_anisotropic);
criterion_main!(benches);
