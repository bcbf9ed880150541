//! Finite-size gap of the adversarial simulations: $d\,(\bar R_{\rm sim} - R)/|R|$ of every
//! metric at increasing $d$ (the measurement behind
//! `overparam::sim::adversarial::ADVERSARIAL_ALLOWANCE_SCALE`; see docs/simulation.md).
//!
//! Usage: `cargo run --release --example adversarial_finite_size [TRIALS]` (default 8 trials).

use overparam::experiment::{Experiment, JoinOptions, RunOptions, join};
use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

fn show<E: Experiment>(label: &str, d: usize, e: &E, run: &RunOptions) -> overparam::Result<()> {
    let j = join(e, run, &JoinOptions::default())?;
    print!("{label:<34} d = {d:>4}:");
    for m in &j.metrics {
        let gap = m.simulation.value - m.theory_realised;
        let scaled = if m.name == "zero_residual_fraction" {
            d as f64 * gap
        } else {
            d as f64 * gap / m.theory_realised.abs()
        };
        print!(
            "  {}: {:+.2} (SE {:.2}){}",
            m.name,
            scaled,
            d as f64 * m.simulation.std_err / m.theory_realised.abs().max(1e-300),
            if m.agrees { "" } else { " NO" }
        );
    }
    println!();
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trials: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(8);
    let run = RunOptions {
        seed: 2026,
        trials,
        progress: false,
    };
    for (psi1, eps) in [(2.0, 0.3), (0.5, 0.6)] {
        for d in [50, 100, 200] {
            let model = AdversarialRf {
                noise_sd: 0.5,
                psi1,
                psi2: 2.0,
                eps,
                eps_test: None,
                ..AdversarialRf::default()
            };
            let sim = AdversarialRfSimulation { model, d }.check()?;
            show(
                &format!("rf psi1 = {psi1}, psi2 = 2, eps = {eps}"),
                d,
                &sim,
                &run,
            )?;
        }
    }
    for (delta, eps) in [(2.0, 0.3), (0.5, 0.3)] {
        for d in [100, 200, 400] {
            let model = AdversarialLinear {
                noise_sd: 0.5,
                delta,
                r0: 1.0,
                eps,
                eps_test: None,
                ..AdversarialLinear::default()
            };
            let sim = AdversarialLinearSimulation { model, d }.check()?;
            show(
                &format!("linear delta = {delta}, eps = {eps}"),
                d,
                &sim,
                &run,
            )?;
        }
    }
    Ok(())
}
