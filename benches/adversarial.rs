//! Criterion benches for the adversarial-training theory ([`overparam::theory::adversarial`]).
//!
//! Main groups: `adversarial_rf/{point_cold, point_warm, curve_1000}` (Theorem 4.2 at
//! $\psi_1 = 2$, $\psi_2 = 2$, $\tau^2 = 0.25$, $\varepsilon = 0.3$; warm = Newton from the saddle
//! at $\psi_1 = 1.98$; curve = 1000 points over $\psi_1 \in [0.1, 100]$ with continuation) and
//! `adversarial_linear/{point_cold, point_warm, curve_1000}` (the linear model at its defaults
//! $\delta = 2$, $\sigma_0^2 = 0.25$, $\varepsilon = 0.3$; warm = Newton from the saddle at
//! $\varepsilon = 0.29$; curve = 1000 radii over $[0.01, 0.9\,\varepsilon_0]$, each point
//! warm-started from the previous one). Also cold points in other regimes
//! (`adversarial_rf_cold_point`). Iteration counts are printed once to stderr (`iterations: ...`).
//!
//! Run: `cargo bench --bench adversarial`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use overparam::grid::log_spaced;
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn rf_params(psi1: f64, eps: f64) -> AdversarialRf {
    AdversarialRf {
        psi1,
        psi2: 2.0,
        noise_sd: 0.5,
        eps,
        eps_test: None,
        ..AdversarialRf::default()
    }
}

fn cold_point(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial_rf_cold_point");
    quick(&mut group);
    for (name, psi1, eps) in [
        ("psi1=0.5_eps=0.3", 0.5, 0.3),
        ("psi1=2_eps=0.3", 2.0, 0.3),
        ("psi1=30_eps=0.3", 30.0, 0.3),
        ("psi1=2_eps=0.1", 2.0, 0.1),
    ] {
        let params = rf_params(psi1, eps);
        if let Ok(s) = params.check().and_then(|m| m.solve()) {
            eprintln!(
                "iterations: adversarial_rf_cold_point {name} {}",
                s.iterations
            );
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&params)
                    .check()
                    .and_then(|m| m.solve())
                    .map(|s| s.robust_test_risk)
            })
        });
    }
    group.finish();
}

fn adversarial_rf(c: &mut Criterion) {
    let params = rf_params(2.0, 0.3);
    let model = params.check().expect("valid parameters");
    let guess = rf_params(1.98, 0.3)
        .check()
        .and_then(|m| m.solve())
        .ok()
        .and_then(|s| s.saddle)
        .expect("the neighbouring point has a non-zero saddle");
    let grid = log_spaced(0.1, 100.0, 1000).expect("valid grid");
    let base = rf_params(1.0, 0.3).check().expect("valid parameters");
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        model.solve(),
        model.solve_from(&guess),
        base.curve_psi1(&grid),
    ) {
        let total: usize = curve.iter().map(|s| s.iterations).sum();
        let max = curve.iter().map(|s| s.iterations).max().unwrap_or(0);
        eprintln!("iterations: adversarial_rf point_cold {}", cold.iterations);
        eprintln!("iterations: adversarial_rf point_warm {}", warm.iterations);
        eprintln!("iterations: adversarial_rf curve_1000 total {total} max {max}");
    }
    let mut group = c.benchmark_group("adversarial_rf");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve())
                .map(|s| s.robust_test_risk)
        })
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve_from(black_box(&guess)))
                .map(|s| s.robust_test_risk)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("curve_1000", |b| {
        b.iter(|| base.curve_psi1(black_box(&grid)).map(|v| v.len()))
    });
    group.finish();
}

fn adversarial_linear(c: &mut Criterion) {
    let params = AdversarialLinear::default();
    let model = params.check().expect("valid parameters");
    let guess = model
        .with_eps(0.29)
        .and_then(|m| m.solve())
        .ok()
        .and_then(|s| s.saddle)
        .expect("the neighbouring point has a non-zero saddle");
    let eps0 = model.eps0();
    let grid = overparam::grid::lin_spaced(0.01, 0.9 * eps0, 1000).expect("valid grid");
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        model.solve(),
        model.solve_from(guess),
        model.curve_eps(&grid),
    ) {
        let total: usize = curve.iter().map(|s| s.iterations).sum();
        let max = curve.iter().map(|s| s.iterations).max().unwrap_or(0);
        eprintln!(
            "iterations: adversarial_linear point_cold {}",
            cold.iterations
        );
        eprintln!(
            "iterations: adversarial_linear point_warm {}",
            warm.iterations
        );
        eprintln!(
            "iterations: adversarial_linear curve_1000 total {total} max {max} (eps0 = {eps0:.4})"
        );
    }
    let mut group = c.benchmark_group("adversarial_linear");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve())
                .map(|s| s.robust_test_risk)
        })
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve_from(black_box(guess)))
                .map(|s| s.robust_test_risk)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("curve_1000", |b| {
        b.iter(|| black_box(&model).curve_eps(&grid).map(|v| v.len()))
    });
    group.finish();
}

criterion_group!(benches, adversarial_rf, adversarial_linear, cold_point);
criterion_main!(benches);
