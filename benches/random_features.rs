//! Criterion benches for the random-features theory: one cold point and a 1000-point curve.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::solver::fixed_point::FixedPointMethod;
use overparam::theory::random_features::RandomFeatures;

fn cold_point(c: &mut Criterion) {
    let mut group = c.benchmark_group("rf_theory_cold_point");
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
            tau: 0.5,
            ..Default::default()
        };
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

fn curve(c: &mut Criterion) {
    let model = RandomFeatures {
        psi2: 3.0,
        lambda: 1e-3,
        tau: 0.5,
        ..Default::default()
    }
    .check()
    .expect("valid");
    let grid: Vec<f64> = (0..1000)
        .map(|i| 0.1 * 10f64.powf(2.0 * i as f64 / 999.0))
        .collect();
    let mut group = c.benchmark_group("rf_theory_curve_1000");
    group.bench_function("psi1_0.1_to_10_warm", |b| {
        b.iter(|| model.curve_psi1(black_box(&grid)).map(|v| v.len()))
    });
    group.bench_function("psi1_0.1_to_10_cold", |b| {
        b.iter(|| {
            black_box(&grid)
                .iter()
                .map(|&p| {
                    model
                        .with_psi1(p)
                        .and_then(|m| m.risk())
                        .map(|r| r.test_error)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    });
    group.finish();
}

fn iteration_cross_check(c: &mut Criterion) {
    // The general fixed-point iteration (the research-code route) at the same points, for the
    // speed ratio against the bracketed quartic.
    let mut group = c.benchmark_group("rf_theory_iteration");
    for (name, psi1, psi2, lambda) in [
        ("psi1=2_psi2=3_lambda=1e-3", 2.0, 3.0, 1e-3),
        ("psi1=3_psi2=3_lambda=1e-8", 3.0, 3.0, 1e-8),
    ] {
        let model = RandomFeatures {
            psi1,
            psi2,
            lambda,
            tau: 0.5,
            ..Default::default()
        }
        .check()
        .expect("valid");
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
        tau: 0.5,
        ..Default::default()
    }
    .check()
    .expect("valid");
    c.bench_function("rf_theory_optimal_lambda/psi1=2_psi2=3", |b| {
        b.iter(|| black_box(&model).optimal_lambda().map(|o| o.lambda))
    });
}

criterion_group!(
    benches,
    cold_point,
    curve,
    iteration_cross_check,
    optimal_lambda
);
criterion_main!(benches);
