//! Criterion benches for free convolutions by subordination ([`overparam::spectral::free`]).
//!
//! Groups: `free/sum_curve_1000` (a 1000-point density curve of $\mu \boxplus \nu$ for two
//! 1000-atom inputs) and `free/product_curve_1000` (the same for $\mu \boxtimes \nu$), both with
//! warm starts along the grid; `free/sum_point_cold` (one density point by continuation from
//! scratch). The NumPy reference of the same iteration is `benches/reference/free.py`.
//!
//! Run: `cargo bench --bench free`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::spectral::{Atoms, FreeProduct, FreeSum};

/// The inputs, shared with `benches/reference/free.py`: $\mu$ the 1000 midpoint quantiles of
/// the uniform law on $[-1, 1]$, $\nu$ the power law $k^{-1/2}$, $k = 1..1000$; for the product
/// $\mu'$ the uniform quantiles on $[0.5, 1.5]$ and the same $\nu$. Grids: 1000 midpoints of
/// $[-1.2, 2.2]$ (sum) and $[0, 0.45]$ (product: the bulk; beyond it the mass of the large
/// atoms of $\nu$ sits in narrow bumps).
fn inputs() -> (Atoms, Atoms, Atoms, Atoms) {
    let n = 1000;
    let uniform: Vec<f64> = (0..n)
        .map(|k| -1.0 + 2.0 * (k as f64 + 0.5) / n as f64)
        .collect();
    let power: Vec<f64> = (1..=n).map(|k| 1.0 / (k as f64).sqrt()).collect();
    let positive_uniform: Vec<f64> = (0..n).map(|k| 0.5 + (k as f64 + 0.5) / n as f64).collect();
    let positive_power = power.clone();
    (
        Atoms::uniform(uniform).expect("valid atoms"),
        Atoms::uniform(power).expect("valid atoms"),
        Atoms::uniform(positive_uniform).expect("valid atoms"),
        Atoms::uniform(positive_power).expect("valid atoms"),
    )
}

fn grid(lo: f64, hi: f64) -> Vec<f64> {
    (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect()
}

fn free(c: &mut Criterion) {
    let (mu, nu, mu_p, nu_p) = inputs();
    let sum = FreeSum::new(mu, nu).expect("valid inputs");
    let product = FreeProduct::new(mu_p, nu_p).expect("valid inputs");
    let sum_grid = grid(-1.2, 2.2);
    let product_grid = grid(0.0, 0.45);
    let its = |points: Vec<overparam::Result<overparam::spectral::DensityPoint>>| {
        let ok: Vec<_> = points.into_iter().filter_map(|p| p.ok()).collect();
        (
            ok.len(),
            ok.iter().map(|p| p.iterations).sum::<usize>(),
            ok.iter().map(|p| p.density).sum::<f64>(),
        )
    };
    let (ok, total, _) = its(sum.density_points(&sum_grid));
    eprintln!("iterations: free sum_curve_1000 {total} over {ok} converged points");
    let (ok, total, _) = its(product.density_points(&product_grid));
    eprintln!("iterations: free product_curve_1000 {total} over {ok} converged points");
    for (label, points) in [
        (
            "sum",
            sum.density_points(&[sum_grid[100], sum_grid[500], sum_grid[900]]),
        ),
        (
            "product",
            product.density_points(&[product_grid[100], product_grid[300], product_grid[500]]),
        ),
    ] {
        let values: Vec<String> = points
            .iter()
            .map(|p| match p {
                Ok(p) => format!("{}: {:.9e}", p.x, p.density),
                Err(e) => e.to_string(),
            })
            .collect();
        eprintln!("densities ({label}, compare benches/reference/free.py): {values:?}");
    }
    let mut group = c.benchmark_group("free");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    group.bench_function("sum_curve_1000", |b| {
        b.iter(|| sum.density_curve(black_box(&sum_grid)).map(|c| c.len()))
    });
    group.bench_function("product_curve_1000", |b| {
        b.iter(|| {
            product
                .density_curve(black_box(&product_grid))
                .map(|c| c.len())
        })
    });
    group.bench_function("sum_point_cold", |b| {
        b.iter(|| sum.density(black_box(0.7)).map(|p| p.density))
    });
    group.finish();
}

criterion_group!(benches, free);
criterion_main!(benches);
