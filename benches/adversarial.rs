//! Criterion benches for the adversarial-training theory: cold single points (Theorem 4.2 and the
//! linear model) and a 200-point psi1 curve with continuation.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

fn cold_point(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial_rf_cold_point");
    for (name, psi1, eps) in [
        ("psi1=0.5_eps=0.3", 0.5, 0.3),
        ("psi1=2_eps=0.3", 2.0, 0.3),
        ("psi1=30_eps=0.3", 30.0, 0.3),
        ("psi1=2_eps=0.1", 2.0, 0.1),
    ] {
        let params = AdversarialRf {
            psi1,
            psi2: 2.0,
            tau2: 0.25,
            eps,
            eps_test: None,
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&params)
                    .check()
                    .and_then(|m| m.solve())
                    .map(|s| s.robust_error)
            })
        });
    }
    group.finish();
    let linear = AdversarialLinear::default();
    c.bench_function("adversarial_linear_cold_point", |b| {
        b.iter(|| {
            black_box(&linear)
                .check()
                .and_then(|m| m.solve())
                .map(|s| s.robust_error)
        })
    });
}

fn curve(c: &mut Criterion) {
    let model = AdversarialRf {
        psi1: 1.0,
        psi2: 2.0,
        tau2: 0.25,
        eps: 0.3,
        eps_test: None,
    }
    .check()
    .expect("valid parameters");
    let grid: Vec<f64> = (0..200)
        .map(|i| 0.1 * 1000f64.powf(i as f64 / 199.0))
        .collect();
    c.bench_function("adversarial_rf_curve_200_psi1", |b| {
        b.iter(|| model.curve_psi1(black_box(&grid)).map(|v| v.len()))
    });
}

criterion_group!(benches, cold_point, curve);
criterion_main!(benches);
