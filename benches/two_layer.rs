//! Criterion benches for the two-layer ReLU module: block spectra at large d (never forming the
//! d^2 x d^2 Hessian), reduced Newton with continuation, a threshold, and the dense Hessian.
//!
//! Needs `[[bench]] name = "two_layer" harness = false` in Cargo.toml.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::kernel::Teacher;
use overparam::theory::two_layer::spectrum::block_spectrum;
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};

fn spectra(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_layer_spectrum");
    for d in [20.0, 1000.0, 1e5] {
        let cp = critical_point(Family::TypeA, d).expect("type A exists");
        group.bench_function(format!("type_a_blocks_d={d}"), |b| {
            b.iter(|| block_spectrum(black_box(&cp.partition), black_box(&cp.params)))
        });
    }
    group.bench_function("type_a_point_and_blocks_d=1000", |b| {
        b.iter(|| {
            critical_point(Family::TypeA, black_box(1000.0))
                .and_then(|cp| block_spectrum(&cp.partition, &cp.params))
        })
    });
    group.finish();
}

fn threshold(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_layer_threshold");
    group.sample_size(10);
    group.bench_function("type_a_d_star", |b| {
        b.iter(|| saddle_to_minimum(Family::TypeA, black_box(ThresholdOptions::default())))
    });
    group.finish();
}

fn dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_layer_dense");
    group.sample_size(10);
    let t = Teacher::identity(20).expect("d >= 1");
    let cp = critical_point(Family::TypeA, 20.0).expect("type A exists");
    let w = cp.partition.embed(&cp.params).expect("integer sizes");
    group.bench_function("hessian_d=20", |b| b.iter(|| t.hessian(black_box(&w))));
    group.finish();
}

criterion_group!(benches, spectra, threshold, dense);
criterion_main!(benches);
