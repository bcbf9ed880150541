//! Anisotropic ridge: the deterministic equivalent against simulation (issue 15).
//!
//! Population of general_spectra.md section 4: eigenvalues $s = (1, 10)$ with dimension shares
//! $w = (0.7, 0.3)$ and signal shares $c = (0.2, 0.8)$, snr 4, $\sigma = 1$; test error versus
//! $\gamma = p/n \in [0.1, 10]$ for $\lambda \in \{0, 10^{-2}, 0.3\}$ (ridgeless: double descent
//! with its pole at $\gamma w_+ = 1$). Simulation: $n = 200$ (so $p = \mathrm{round}(w_j\,
//! \mathrm{round}(\gamma n))$ per atom), 8 trials per point, joined with the theory at the
//! realised sizes by the spine's `join` (agree: $|\mathrm{gap}| \le 4\,\mathrm{SE}$ + the
//! finite-size allowance).
//!
//! Run: `cargo run --release --example ridge_anisotropic` (about 10 s on 2 cores); flags
//! `--n 200`, `--trials 8`, `--seed 2026`, `--out DIR` (default `target/figures`).
//! Writes `ridge_anisotropic.svg` (the validation figure of docs/ridge.md).

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use overparam::experiment::{JoinOptions, RunOptions, join};
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::sim::ridge::AnisotropicRidgeSimulation;
use overparam::spectral::Population;
use overparam::theory::ridge::AnisotropicRidge;

const LAMBDAS: [f64; 3] = [0.0, 1e-2, 0.3];

fn main() -> Result<(), Box<dyn Error>> {
    let (mut n, mut trials, mut seed) = (200usize, 8usize, 2026u64);
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        match flag.as_str() {
            "--n" => n = value.parse()?,
            "--trials" => trials = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--out" => out = PathBuf::from(value),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let pop = Arc::new(Population::new(
        vec![1.0, 10.0],
        vec![0.7, 0.3],
        vec![0.2, 0.8],
    )?);
    let model = |gamma: f64, lambda: f64| AnisotropicRidge {
        population: Arc::clone(&pop),
        gamma,
        lambda,
        snr: 4.0,
        noise_sd: 1.0,
    };
    let run = RunOptions {
        seed,
        trials,
        progress: false,
    };
    let mut series = Vec::new();
    let mut points = Vec::new();
    let (mut agree, mut total) = (0, 0);
    println!(
        "{:>7} {:>7} {:>5} {:>10} {:>10} {:>8} {:>6}",
        "lambda", "gamma", "p", "theory", "sim", "se", "agree"
    );
    for &lambda in &LAMBDAS {
        let grid = log_spaced(0.1, 10.0, 400)?;
        let xy: Vec<(f64, f64)> = grid
            .iter()
            .map(|&g| {
                let r = model(g, lambda).check().and_then(|m| m.risk());
                (g, r.map_or(f64::NAN, |r| r.test_error))
            })
            .collect();
        series.push(Series::line(format!("theory, lambda = {lambda}"), xy));
        let mut sim_xy = Vec::new();
        let mut bars = Vec::new();
        for &gamma in &log_spaced(0.15, 8.0, 9)? {
            let sim = AnisotropicRidgeSimulation {
                model: model(gamma, lambda),
                n,
            }
            .check()?;
            let joined = join(&sim, &run, &JoinOptions::default())?;
            let t = joined.primary().ok_or("no primary metric")?;
            total += 1;
            if t.agrees {
                agree += 1;
            }
            println!(
                "{lambda:>7} {:>7.3} {:>5} {:>10.4} {:>10.4} {:>8.4} {:>6}",
                sim.realised_gamma(),
                sim.p(),
                t.theory_realised,
                t.simulation.value,
                t.simulation.std_err,
                t.agrees
            );
            sim_xy.push((sim.realised_gamma(), t.simulation.value));
            bars.push(2.0 * t.simulation.std_err);
        }
        points.push(Series::points(
            format!("simulation n = {n}, lambda = {lambda} (2 SE)"),
            sim_xy,
            bars,
        ));
    }
    println!("{agree} of {total} simulated points agree with the theory at the realised sizes");
    series.extend(points);
    std::fs::create_dir_all(&out)?;
    let path = out.join("ridge_anisotropic.svg");
    draw(
        &Chart {
            title: "anisotropic ridge: s = (1, 10), w = (0.7, 0.3), c = (0.2, 0.8), snr 4, sigma 1"
                .into(),
            x_label: "gamma = p/n".into(),
            y_label: "excess test risk".into(),
            x_scale: Scale::Log,
            y_scale: Scale::Log,
            series,
        },
        path.to_str().ok_or("non-UTF-8 path")?,
    )?;
    println!("wrote {}", path.display());
    Ok(())
}
