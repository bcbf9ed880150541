//! Fine-grid convergence sweep of the random-features solver.
//!
//! Solves the Mei–Montanari fixed point on a log-spaced grid psi1, psi2 in [1e-2, 1e2] and
//! lambda in [1e-8, 1e2] (the grid contains psi1 = psi2, the interpolation threshold, for every
//! lambda) for several activations, and reports the fraction of points that converged with
//! residual < 1e-12, the worst residual and the largest iteration count.
//!
//! Run: `cargo run --release --example convergence_grid [POINTS_PER_PSI] [POINTS_PER_LAMBDA]`
//! (defaults 201 and 51, i.e. 2.06 million points per activation).

use overparam::grid::log_spaced;
use std::time::Instant;

use overparam::gaussian::Activation;
use overparam::theory::random_features::RandomFeatures;

fn main() -> Result<(), overparam::Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_psi = args.first().copied().unwrap_or(201);
    let n_lambda = args.get(1).copied().unwrap_or(51);
    let psis = log_spaced(1e-2, 1e2, n_psi)?;
    let lambdas = log_spaced(1e-8, 1e2, n_lambda)?;
    println!(
        "grid: {n_psi} x {n_psi} x {n_lambda} (psi1, psi2 in [1e-2, 1e2], lambda in [1e-8, 1e2])"
    );
    println!(
        "{:>10} {:>10} {:>10} {:>12} {:>10} {:>10} {:>9}",
        "activation", "points", "converged", "worst_resid", "max_iter", "mean_iter", "ns/point"
    );
    for activation in [
        Activation::Relu,
        Activation::Tanh,
        Activation::Erf,
        Activation::Abs,
        Activation::Softplus,
    ] {
        let base = RandomFeatures {
            activation: activation.clone(),
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()?;
        let (mut total, mut ok, mut worst, mut max_iter, mut sum_iter) =
            (0usize, 0usize, 0.0f64, 0usize, 0usize);
        let start = Instant::now();
        for &lambda in &lambdas {
            let at_lambda = base.with_lambda(lambda)?;
            for &psi2 in &psis {
                let row = at_lambda.with_psi2(psi2)?;
                for &psi1 in &psis {
                    total += 1;
                    match row.with_psi1(psi1).and_then(|m| m.risk()) {
                        Ok(r) if r.residual < 1e-12 && r.test_error.is_finite() => {
                            ok += 1;
                            worst = worst.max(r.residual);
                            max_iter = max_iter.max(r.iterations);
                            sum_iter += r.iterations;
                        }
                        Ok(r) => {
                            worst = worst.max(r.residual);
                            eprintln!(
                                "residual {:.2e} at psi1={psi1} psi2={psi2} lambda={lambda}",
                                r.residual
                            );
                        }
                        Err(e) => {
                            eprintln!("failed at psi1={psi1} psi2={psi2} lambda={lambda}: {e}")
                        }
                    }
                }
            }
        }
        let ns = start.elapsed().as_nanos() as f64 / total as f64;
        println!(
            "{:>10} {:>10} {:>9.4}% {:>12.2e} {:>10} {:>10.1} {:>9.0}",
            activation.name(),
            total,
            100.0 * ok as f64 / total as f64,
            worst,
            max_iter,
            sum_iter as f64 / ok.max(1) as f64,
            ns
        );
    }
    Ok(())
}
