//! Criterion benches for the random-features theory ([`overparam::theory::random_features`]).
//!
//! Main groups (the naming shared by every solver bench): `random_features/point_cold`,
//! `random_features/point_warm` (Brent's bracket shrunk around $\chi$ of the neighbouring point
//! $\psi_1 = 1.99$), `random_features/curve_1000` (1000 points over $\psi_1 \in [0.1, 10]$,
//! warm-started by [`RandomFeaturesModel::curve_psi1`]) and `random_features/curve_1000_cold`
//! (the same grid, every point cold). Further groups: cold points in other regimes, the general
//! fixed-point iteration at the same points, and the optimal $\lambda$. Iteration counts are
//! printed once to stderr (`iterations: ...` lines, collected by `benches/reference/collect.py`).
//!
//! Run: `cargo bench --bench random_features`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use overparam::solver::fixed_point::FixedPointMethod;
use overparam::theory::random_features::{RandomFeatures, RandomFeaturesModel};

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn curve_grid() -> Vec<f64> {
    (0..1000)
        .map(|i| 0.1 * 10f64.powf(2.0 * i as f64 / 999.0))
        .collect()
}

fn model(psi1: f64) -> RandomFeaturesModel {
    RandomFeatures {
        psi1,
        psi2: 3.0,
        lambda: 1e-3,
        noise_sd: 0.5,
        ..Default::default()
    }
    .check()
    .expect("valid random-features parameters")
}

/// `random_features/{point_cold, point_warm, curve_1000, curve_1000_cold}` at
/// $\psi = (2, 3)$, $\lambda = 10^{-3}$, $\tau = 0.5$, ReLU.
fn main_groups(c: &mut Criterion) {
    let params = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        lambda: 1e-3,
        noise_sd: 0.5,
        ..Default::default()
    };
    let at = model(2.0);
    let neighbour_chi = model(1.99).risk().expect("neighbouring point solves").chi;
    let grid = curve_grid();
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        at.risk(),
        at.risk_near(Some(neighbour_chi)),
        model(1.0).curve_psi1(&grid),
    ) {
        let total: usize = curve.iter().map(|r| r.iterations).sum();
        let max = curve.iter().map(|r| r.iterations).max().unwrap_or(0);
        eprintln!("iterations: random_features point_cold {}", cold.iterations);
        eprintln!("iterations: random_features point_warm {}", warm.iterations);
        eprintln!("iterations: random_features curve_1000 total {total} max {max}");
    }
    let mut group = c.benchmark_group("random_features");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.risk())
                .map(|r| r.test_error)
        })
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.risk_near(Some(black_box(neighbour_chi))))
                .map(|r| r.test_error)
        })
    });
    let base = model(1.0);
    group.bench_function("curve_1000", |b| {
        b.iter(|| base.curve_psi1(black_box(&grid)).map(|v| v.len()))
    });
    group.bench_function("curve_1000_cold", |b| {
        b.iter(|| {
            black_box(&grid)
                .iter()
                .map(|&p| {
                    base.with_psi1(p)
                        .and_then(|m| m.risk())
                        .map(|r| r.test_error)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    });
    group.finish();
}

fn cold_point(c: &mut Criterion) {
    let mut group = c.benchmark_group("rf_theory_cold_point");
    quick(&mut group);
    // Under-, over-parameterised and the interpolation threshold at small lambda.
    for (name, psi1, psi2, lambda) in [
        ("psi1=2_psi2=3_lambda=1e-3", 2.0, 3.0, 1e-3),
        ("psi1=6_psi2=3_lambda=1e-3", 6.0, 3.0, 1e-3),
        ("psi1=3_psi2=3_lambda=1e-8", 3.0, 3.0, 1e-8),
        ("psi1=2_psi2=3_ridgeless", 2.0, 3.0, 0.0),
    ] {
        let params = RandomFeatures {
            psi1,
            psi2,
            lambda,
            noise_sd: 0.5,
            ..Default::default()
        };
        if let Ok(r) = params.check().and_then(|m| m.risk()) {
            eprintln!("iterations: rf_theory_cold_point {name} {}", r.iterations);
        }
        group.bench_function(name, |b| {
            // Cold: validation, activation coefficients, bracket, Brent, polish, E-polynomials.
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

fn iteration_cross_check(c: &mut Criterion) {
    // The general fixed-point iteration (the research-code route) at the same points, for the
    // speed ratio against the bracketed quartic.
    let mut group = c.benchmark_group("rf_theory_iteration");
    quick(&mut group);
    for (name, psi1, psi2, lambda) in [
        ("psi1=2_psi2=3_lambda=1e-3", 2.0, 3.0, 1e-3),
        ("psi1=3_psi2=3_lambda=1e-8", 3.0, 3.0, 1e-8),
    ] {
        let model = RandomFeatures {
            psi1,
            psi2,
            lambda,
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()
        .expect("valid");
        for method in [
            FixedPointMethod::Picard,
            FixedPointMethod::Anderson,
            FixedPointMethod::Auto,
        ] {
            if let Ok(r) = model.risk_by_iteration(method) {
                eprintln!(
                    "iterations: rf_theory_iteration {name} {method:?} {}",
                    r.iterations
                );
            }
        }
        for (mname, method) in [
            ("picard", FixedPointMethod::Picard),
            ("anderson", FixedPointMethod::Anderson),
            ("auto", FixedPointMethod::Auto),
        ] {
            group.bench_function(format!("{name}/{mname}"), |b| {
                b.iter(|| {
                    black_box(&model)
                        .risk_by_iteration(method)
                        .map(|r| r.test_error)
                })
            });
        }
    }
    group.finish();
}

fn optimal_lambda(c: &mut Criterion) {
    let model = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        noise_sd: 0.5,
        ..Default::default()
    }
    .check()
    .expect("valid");
    if let Ok(o) = model.optimal_lambda() {
        eprintln!(
            "iterations: rf_theory_optimal_lambda evaluations {}",
            o.evaluations
        );
    }
    let mut group = c.benchmark_group("rf_theory_optimal_lambda");
    quick(&mut group);
    group.bench_function("psi1=2_psi2=3", |b| {
        b.iter(|| black_box(&model).optimal_lambda().map(|o| o.lambda))
    });
    group.finish();
}

criterion_group!(
    benches,
    main_groups,
    cold_point,
    iteration_cross_check,
    optimal_lambda
);
criterion_main!(benches);
