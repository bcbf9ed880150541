//! Times, in nanoseconds (median of repeated batches), the Rust calls that the Python timings
//! compare against: one isotropic ridge point (`ridge_point_ns`), one random-features point
//! solved cold (`rf_point_ns`), and the warm-started random-features curve over a log-spaced
//! psi1 grid of N points (`rf_curve_ns`; N from the first argument, default 100000), at the
//! parameters of python/bench/bench.py. Prints one JSON object.
use std::hint::black_box;
use std::time::Instant;

use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::Ridge;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn per_call(batch: usize, repeats: usize, mut f: impl FnMut()) -> f64 {
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        times.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    median(times)
}

fn main() -> Result<(), overparam::Error> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let ridge_ns = per_call(200_000, 15, || {
        let r = Ridge {
            gamma: black_box(2.0),
            lambda: black_box(0.1),
            snr: black_box(4.0),
            noise_sd: black_box(1.0),
            ..Ridge::default()
        }
        .check()
        .and_then(|m| m.risk());
        black_box(r.ok());
    });
    let rf = |psi1: f64| RandomFeatures {
        psi1,
        psi2: 3.0,
        lambda: 1e-3,
        noise_sd: 0.5,
        ..RandomFeatures::default()
    };
    let rf_point_ns = per_call(2_000, 15, || {
        black_box(rf(black_box(2.0)).check().and_then(|m| m.risk()).ok());
    });
    let grid: Vec<f64> = (0..n)
        .map(|i| 0.1 * 100f64.powf(i as f64 / (n.max(2) - 1) as f64))
        .collect();
    let model = rf(grid[0]).check()?;
    let mut curve = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        black_box(model.curve_psi1(black_box(&grid))?);
        curve.push(t.elapsed().as_nanos() as f64);
    }
    println!(
        "{{\"ridge_point_ns\": {ridge_ns:.1}, \"rf_point_ns\": {rf_point_ns:.1}, \"rf_curve_ns\": {:.0}, \"rf_curve_points\": {n}}}",
        median(curve)
    );
    Ok(())
}
