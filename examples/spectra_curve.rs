//! One 1000-point density curve of the 1000-atom power law s_k = 1/k at gamma = 0.5 (the
//! issue-15 performance case; benches/spectra.rs times it with criterion): the harness for
//! instruction counts, `valgrind --tool=callgrind target/release/examples/spectra_curve 1`.
//!
//! Run: `cargo run --release --example spectra_curve [-- REPEATS]`

use overparam::spectral::{Atoms, SampleCovariance};

fn main() -> Result<(), overparam::Error> {
    let reps: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let law = SampleCovariance::new(&Atoms::power_law(1.0, 1000)?, 0.5)?;
    let xs: Vec<f64> = (0..1000)
        .map(|k| 1e-3 + (1.5 - 1e-3) * k as f64 / 999.0)
        .collect();
    let start = std::time::Instant::now();
    let mut checksum = 0.0;
    for _ in 0..reps.max(1) {
        for d in law.density_curve(&xs) {
            checksum += d?.density();
        }
    }
    println!(
        "{:?} per curve, checksum {:.9}",
        start.elapsed() / reps.max(1),
        checksum / f64::from(reps.max(1))
    );
    Ok(())
}
