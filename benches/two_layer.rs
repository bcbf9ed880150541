//! Criterion benches for the two-layer ReLU module ([`overparam::theory::two_layer`]).
//!
//! Main groups (type-A family, $V = I_d$, $k = d$):
//! - `two_layer_critical/{point_cold, point_warm, curve_1000}`: the critical point at $d = 1000$
//!   by continuation from the family's seed (cold); reduced Newton at $d = 1000$ from the solution
//!   at $d = 990$ (warm); 1000 points over $d \in [20, 10^5]$ (log grid), each continued from the
//!   previous one.
//! - `two_layer_spectrum/{point_cold, curve_1000}`: block spectrum of a given critical point
//!   ($d = 1000$), and of the 1000 points of the curve. A direct eigen-computation of small
//!   blocks: nothing to warm-start.
//! - `two_layer_dstar/{point_cold, point_warm}`: the saddle-to-minimum threshold $d^\star$ from the
//!   default options ($d_{\rm start} = 40$), and from a start just above $d^\star$. $d^\star$ is one
//!   number per family, so there is no curve.
//!
//! Also: block spectra at $d = 20, 1000, 10^5$ and the dense $dk \times dk$ Hessian at $d = 20$.
//! Iteration counts are printed once to stderr (`iterations: ...`).
//!
//! Run: `cargo bench --bench two_layer`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use overparam::grid::log_spaced;
use overparam::theory::two_layer::critical::{
    CriticalPoint, Family, ReducedNewtonOptions, continue_to, critical_point, reduced_newton,
};
use overparam::theory::two_layer::kernel::Teacher;
use overparam::theory::two_layer::spectrum::block_spectrum;
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn d_grid() -> Vec<f64> {
    log_spaced(20.0, 1e5, 1000).expect("valid grid")
}

/// The type-A family along `ds`, each point continued from the previous one.
fn critical_curve(ds: &[f64]) -> overparam::Result<Vec<CriticalPoint>> {
    let mut out: Vec<CriticalPoint> = Vec::with_capacity(ds.len());
    for &d in ds {
        let cp = match out.last() {
            Some(prev) => continue_to(
                Family::TypeA,
                prev.partition.dimension(),
                &prev.params,
                d,
                ReducedNewtonOptions::default(),
            )?,
            None => critical_point(Family::TypeA, d)?,
        };
        out.push(cp);
    }
    Ok(out)
}

fn critical(c: &mut Criterion) {
    let near = critical_point(Family::TypeA, 990.0).expect("type A exists at d = 990");
    let partition = Family::TypeA
        .partition(1000.0)
        .expect("valid partition at d = 1000");
    let grid = d_grid();
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        critical_point(Family::TypeA, 1000.0),
        reduced_newton(&partition, &near.params, ReducedNewtonOptions::default()),
        critical_curve(&grid),
    ) {
        let total: usize = curve.iter().map(|p| p.iterations).sum();
        let max = curve.iter().map(|p| p.iterations).max().unwrap_or(0);
        eprintln!(
            "iterations: two_layer_critical point_cold {} (Newton steps at the final d; \
             continuation from the seed at d = 100 not counted)",
            cold.iterations
        );
        eprintln!(
            "iterations: two_layer_critical point_warm {}",
            warm.iterations
        );
        eprintln!(
            "iterations: two_layer_critical curve_1000 total {total} max {max} (final Newton \
             solve of each point)"
        );
    }
    let mut group = c.benchmark_group("two_layer_critical");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| critical_point(Family::TypeA, black_box(1000.0)).map(|p| p.loss))
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            reduced_newton(
                black_box(&partition),
                black_box(&near.params),
                ReducedNewtonOptions::default(),
            )
            .map(|r| r.iterations)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("curve_1000", |b| {
        b.iter(|| critical_curve(black_box(&grid)).map(|v| v.len()))
    });
    group.finish();
}

fn spectra(c: &mut Criterion) {
    let curve = critical_curve(&d_grid()).expect("type-A curve solves");
    let mut group = c.benchmark_group("two_layer_spectrum");
    quick(&mut group);
    let cp = critical_point(Family::TypeA, 1000.0).expect("type A exists");
    group.bench_function("point_cold", |b| {
        b.iter(|| block_spectrum(black_box(&cp.partition), black_box(&cp.params)))
    });
    for d in [20.0, 1e5] {
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
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("curve_1000", |b| {
        b.iter(|| {
            black_box(&curve)
                .iter()
                .map(|p| block_spectrum(&p.partition, &p.params).map(|s| s.min_value()))
                .collect::<overparam::Result<Vec<f64>>>()
        })
    });
    group.finish();
}

fn threshold(c: &mut Criterion) {
    let cold = saddle_to_minimum(Family::TypeA, ThresholdOptions::default())
        .ok()
        .flatten()
        .expect("type A has a saddle-to-minimum threshold");
    // Warm: scan from just above d*, so the bracket is found in one step.
    let warm_opts = ThresholdOptions {
        d_start: cold.d_star + 0.2,
        ..ThresholdOptions::default()
    };
    eprintln!(
        "iterations: two_layer_dstar point_cold {} (Brent; d* = {:.12})",
        cold.iterations, cold.d_star
    );
    if let Ok(Some(warm)) = saddle_to_minimum(Family::TypeA, warm_opts) {
        eprintln!(
            "iterations: two_layer_dstar point_warm {} (Brent; d* = {:.12})",
            warm.iterations, warm.d_star
        );
    }
    let mut group = c.benchmark_group("two_layer_dstar");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("point_cold", |b| {
        b.iter(|| saddle_to_minimum(Family::TypeA, black_box(ThresholdOptions::default())))
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| saddle_to_minimum(Family::TypeA, black_box(warm_opts)))
    });
    group.finish();
}

fn dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("two_layer_dense");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let t = Teacher::identity(20).expect("d >= 1");
    let cp = critical_point(Family::TypeA, 20.0).expect("type A exists");
    let w = cp.partition.embed(&cp.params).expect("integer sizes");
    group.bench_function("hessian_d=20", |b| b.iter(|| t.hessian(black_box(&w))));
    group.finish();
}

/// `two_layer_branches/{d=20_(14,6), d=20_(13,6,1), d=100_(50,50), d=100_(96,4),
/// d=100_(33,33,34), d=100_(60,30,10)}`: the branch search of one partition
/// ([`overparam::theory::two_layer::branches::find_branches`], default options: sign patterns, 16
/// random points, coarser families; issue 14 §5 targets: d = 20 under 100 ms, d = 100 under 1 s).
/// The seeds' Newton solves run in parallel (rayon): set `RAYON_NUM_THREADS=1` for one core.
fn branches(c: &mut Criterion) {
    use overparam::theory::two_layer::branches::{
        BranchSearchOptions, PartitionFamily, find_branches,
    };
    let mut group = c.benchmark_group("two_layer_branches");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let opts = BranchSearchOptions::default();
    for (name, sizes) in [
        ("d=20_(14,6)", vec![14.0, 6.0]),
        ("d=20_(13,6,1)", vec![13.0, 6.0, 1.0]),
        ("d=100_(50,50)", vec![50.0, 50.0]),
        ("d=100_(96,4)", vec![96.0, 4.0]),
        ("d=100_(33,33,34)", vec![33.0, 33.0, 34.0]),
        ("d=100_(60,30,10)", vec![60.0, 30.0, 10.0]),
    ] {
        let p = PartitionFamily { sizes }
            .partition()
            .expect("valid class sizes");
        let s = find_branches(&p, &opts).expect("search runs");
        eprintln!(
            "branches {name}: {} branches from {} seeds",
            s.branches.len(),
            s.seeds_tried
        );
        group.bench_function(name, |b| b.iter(|| find_branches(black_box(&p), &opts)));
    }
    group.finish();
}

criterion_group!(benches, critical, spectra, threshold, dense);
criterion_group!(branch_benches, branches);
criterion_main!(benches, branch_benches);
