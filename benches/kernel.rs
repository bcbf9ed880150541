//! Dense-kernel benchmark: GEMM and Cholesky throughput (single-threaded) at n = 512, 1024, 2048,
//! and one full random-features ridge fit at d = 500, psi1 = psi2 = 2.
//!
//! Throughput is reported as elements/s where one "element" is one floating-point operation, so
//! criterion's `Gelem/s` reads as GFLOP/s (GEMM: 2n^3 flops; Cholesky: n^3/3 flops).
//! The NumPy counterpart is `benches/reference/numpy_kernel.py`; results are in
//! `docs/performance.md`. `benches/run_all.sh` runs both in one go and
//! `benches/reference/collect.py` prints the faer/NumPy ratios.
//!
//! Run: `cargo bench --bench kernel` (about 1.5 minutes).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use overparam::gaussian::Activation;
use overparam::linalg::{Cholesky, Matrix};
use overparam::sim::InputDistribution;
use overparam::sim::data::sample_points;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::rng::{normal, trial_rng};
use overparam::theory::random_features::RandomFeatures;

fn gaussian_matrix(n: usize, m: usize, seed: u64) -> Matrix {
    let mut rng = trial_rng(seed, 0);
    Matrix::from_fn(n, m, |_, _| normal(&mut rng))
}

fn gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for n in [512usize, 1024, 2048] {
        let a = gaussian_matrix(n, n, 1);
        let b = gaussian_matrix(n, n, 2);
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
        group.measurement_time(Duration::from_secs(if n >= 2048 { 12 } else { 4 }));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| black_box(a.matmul(&b, 1.0).map(|m| m.ncols())));
        });
    }
    group.finish();
}

fn cholesky(c: &mut Criterion) {
    let mut group = c.benchmark_group("cholesky");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for n in [512usize, 1024, 2048] {
        // A well-conditioned SPD matrix: G^T G / n + I.
        let g = gaussian_matrix(n, n, 3);
        let a = g.gram(1.0 / n as f64);
        group.throughput(Throughput::Elements((n as u64).pow(3) / 3));
        group.measurement_time(Duration::from_secs(if n >= 2048 { 6 } else { 3 }));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| black_box(Cholesky::new(&a, 1.0).map(|f| f.log_det())));
        });
    }
    group.finish();
}

/// One full random-features ridge fit: sample X (n x d) and Theta (N x d) on the sphere, form
/// Z = relu(X Theta^T / sqrt d), the Gram matrix Z^T Z, Cholesky of Z^T Z + cI, and solve for the
/// weights a = (Z^T Z + cI)^{-1} Z^T y.
fn rf_fit(d: usize, psi: f64, lambda: f64, seed: u64) -> f64 {
    let (n, nf) = ((psi * d as f64) as usize, (psi * d as f64) as usize);
    let mut rng = trial_rng(seed, 0);
    let x = sample_points(&mut rng, n, d, InputDistribution::Sphere);
    let theta = sample_points(&mut rng, nf, d, InputDistribution::Sphere);
    let y = Matrix::from_fn(n, 1, |_, _| normal(&mut rng));
    let Ok(mut z) = x.matmul_nt(&theta, 1.0 / (d as f64).sqrt()) else {
        return f64::NAN;
    };
    z.map_in_place(|v| v.max(0.0));
    let c = n as f64 * nf as f64 * lambda / d as f64;
    let gram = z.gram(1.0);
    let Ok(chol) = Cholesky::new(&gram, c) else {
        return f64::NAN;
    };
    let Ok(zty) = z.matmul_tn(&y, 1.0) else {
        return f64::NAN;
    };
    chol.solve(&zty)
        .map(|a| a.frobenius_sq())
        .unwrap_or(f64::NAN)
}

fn random_features(c: &mut Criterion) {
    let mut group = c.benchmark_group("rf");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("fit_d500_psi2_psi2", |bench| {
        bench.iter(|| black_box(rf_fit(500, 2.0, 1e-3, 5)));
    });
    // One complete simulation trial at the same size (fit + variance-reduced test and training
    // errors on 1000 test points, F_star > 0).
    let sim = RandomFeaturesSimulation {
        model: RandomFeatures {
            psi1: 2.0,
            psi2: 2.0,
            lambda: 1e-3,
            activation: Activation::Relu,
            f1: 1.0,
            f_star: 0.5,
            noise_sd: 0.5,
            ..Default::default()
        },
        d: 500,
        test_points: 1000,
        input: InputDistribution::Sphere,
    }
    .check()
    .expect("valid parameters");
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("sim_trial_d500_psi2_psi2_T1000", |bench| {
        bench.iter(|| black_box(sim.run_trial(5, 0).map(|t| t.test_error)));
    });
    group.finish();
}

criterion_group!(kernel, gemm, cholesky, random_features);
criterion_main!(kernel);
