//! Iteration counts of the random-features solvers: the bracketed quartic (Brent + Newton
//! polish) versus the general fixed-point iteration (Picard, Anderson, Auto) on MM's equations.
//!
//! Run: `cargo run --release --example iteration_counts`

use overparam::solver::fixed_point::FixedPointMethod;
use overparam::theory::random_features::RandomFeatures;

fn main() -> Result<(), overparam::Error> {
    println!(
        "{:>6} {:>6} {:>8} {:>8} {:>8} {:>9} {:>6}",
        "psi1", "psi2", "lambda", "quartic", "picard", "anderson", "auto"
    );
    for (psi1, psi2, lambda) in [
        (1.0, 3.0, 1e-3),
        (2.0, 3.0, 1e-3),
        (3.0, 3.0, 1e-3),
        (6.0, 3.0, 1e-3),
        (2.9, 3.0, 1e-6),
        (3.0, 3.0, 1e-8),
        (0.5, 2.0, 1.0),
    ] {
        let m = RandomFeatures {
            psi1,
            psi2,
            lambda,
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()?;
        let q = m.risk()?.iterations;
        let count = |method| {
            m.risk_by_iteration(method)
                .map(|r| r.iterations.to_string())
                .unwrap_or_else(|e| format!("fail: {e}"))
        };
        println!(
            "{psi1:>6} {psi2:>6} {lambda:>8.0e} {q:>8} {:>8} {:>9} {:>6}",
            count(FixedPointMethod::Picard),
            count(FixedPointMethod::Anderson),
            count(FixedPointMethod::Auto)
        );
    }
    Ok(())
}
