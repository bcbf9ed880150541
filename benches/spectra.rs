//! Criterion benches for the generalised Marchenko–Pastur law
//! ([`overparam::spectral::sample_covariance`]) and the spectral measures.
//!
//! Groups (all on the power law $s_k = k^{-1}$, $P = 1000$ atoms, $\gamma = 0.5$):
//! `spectra/density_curve_1000` (1000 points $x \in [10^{-3}, 1.5]$, warm-started along the
//! curve: the issue-15 target is 50 ms), `spectra/density_point_cold` (one point by continuation
//! from large $\operatorname{Im} z$), `spectra/support` (all the support intervals),
//! `spectra/semicircle_closure_stieltjes` (a user density's transform near the support).
//! The NumPy reference of the same curve is `benches/reference/silverstein.py bench`.
//!
//! Run: `cargo bench --bench spectra`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use num_complex::Complex64;
use overparam::spectral::{Atoms, Measure, SampleCovariance, StieltjesTransform};

fn spectra(c: &mut Criterion) {
    let h = Atoms::power_law(1.0, 1000).unwrap();
    let law = SampleCovariance::new(&h, 0.5).unwrap();
    let xs: Vec<f64> = (0..1000)
        .map(|k| 1e-3 + (1.5 - 1e-3) * k as f64 / 999.0)
        .collect();
    let iterations: usize = law
        .density_curve(&xs)
        .iter()
        .map(|r| r.as_ref().map_or(0, |s| s.iterations))
        .sum();
    eprintln!(
        "iterations: spectra density_curve_1000 {iterations} Newton iterations; checksum {:.9}",
        law.density_curve(&xs)
            .iter()
            .map(|r| r.as_ref().map_or(f64::NAN, |s| s.density()))
            .sum::<f64>()
    );
    let mut group = c.benchmark_group("spectra");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("density_curve_1000", |b| {
        b.iter(|| law.density_curve(black_box(&xs)))
    });
    group.bench_function("density_point_cold", |b| {
        b.iter(|| law.density(black_box(0.7)))
    });
    group.bench_function("support", |b| b.iter(|| black_box(&law).support()));
    let r = 2.0;
    let closure =
        Measure::from_density(-r, r, move |x: f64| (r * r - x * x).max(0.0).sqrt()).unwrap();
    group.bench_function("semicircle_closure_stieltjes", |b| {
        b.iter(|| closure.stieltjes(black_box(Complex64::new(0.3, 1e-3))))
    });
    group.finish();
}

criterion_group!(benches, spectra);
criterion_main!(benches);
