//! One random-features gradient-flow curve (1000 log-spaced times in $[10^{-2}, 10^3]$, ReLU,
//! $\psi_1 = 2$, $\psi_2 = 1.5$, $\lambda = 0$), for instruction counts:
//!
//! `valgrind --tool=callgrind target/release/examples/rf_dynamics_timing`
//!
//! Prints the wall time of the reduction and of the curve (validation included).

use std::time::Instant;

use overparam::grid::log_spaced;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::RfDynamics;
use overparam::theory::rf_equivalent::random_features_equivalent;

fn main() -> Result<(), overparam::Error> {
    let model = RandomFeatures {
        psi1: 2.0,
        psi2: 1.5,
        lambda: 0.0,
        noise_sd: 0.5,
        ..Default::default()
    };
    let start = Instant::now();
    let eq = random_features_equivalent(&model.check()?)?;
    let reduction = start.elapsed();
    let times = log_spaced(1e-2, 1e3, 1000)?;
    let start = Instant::now();
    let curve = RfDynamics {
        model,
        ..Default::default()
    }
    .check()?
    .curve(&times)?;
    let elapsed = start.elapsed();
    println!(
        "reduction: {} atoms in {:.3} ms; curve: {} times in {:.1} ms (test error at t = 1e3: {:.6})",
        eq.population().len(),
        reduction.as_secs_f64() * 1e3,
        curve.len(),
        elapsed.as_secs_f64() * 1e3,
        curve[curve.len() - 1].test_error
    );
    Ok(())
}
