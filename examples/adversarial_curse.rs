//! The curse of overparameterisation in adversarial training (Hassani & Javanmard, Ann. Statist.
//! 52(2), 2024, arXiv:2201.05149): standard error SR and robust error AR of adversarially trained
//! random-features regression versus psi1 = N/d, theory (Theorem 4.2) against a finite-d
//! simulation of the same robust ERM.
//!
//! Setting: psi2 = n/d = 2, label noise tau^2 = 0.25, training radius eps = 0.3 and 0.1, test
//! radius equal to the training radius, centred ReLU features, Gaussian inputs.
//!
//! - Theory: 240 log-spaced psi1 in [0.1, 1e4] per radius (`AdversarialRfModel::curve_psi1`,
//!   warm-started continuation), the robust-risk peak near psi1 = psi2 and the minimum beyond it
//!   (`robust_extrema`), and the approach to the psi1 -> infinity limit SR = AR = 1 + tau^2.
//! - Simulation (`AdversarialRfSimulation`): 10 psi1 values in [0.25, 16], 8 trials each, d = 100 while
//!   N = psi1 d <= 640 and d = 640 / psi1 beyond (the training solve is O(N^3)); every point is
//!   compared with the theory at the realised ratios N/d, n/d (`compare::compare`, z = gap / SE,
//!   agreement within 4 SE plus the finite-size allowance 3|R|/d).
//!
//! Writes `target/figures/adversarial_curse.svg` and `.csv` (under the crate root).
//!
//! Run: `cargo run --release --example adversarial_curse [-- --trials 8 --d 100 --max-n 640
//! --seed 2026 --out DIR]`

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use overparam::compare::{Comparison, DEFAULT_KAPPA, compare, finite_size_allowance};
use overparam::experiment::RunOptions;
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::sim::adversarial::AdversarialRfSimulation;
use overparam::theory::adversarial::{AdversarialRf, AdversarialRfSolution, robust_extrema};

const PSI2: f64 = 2.0;
const TAU2: f64 = 0.25;
const RADII: [f64; 2] = [0.3, 0.1];
/// Simulated psi1 values (N = psi1 d is an integer for every d used below).
const SIM_PSI1: [f64; 10] = [0.25, 0.5, 1.0, 1.5, 2.0, 2.8, 4.0, 6.0, 10.0, 16.0];

struct Options {
    trials: usize,
    d: usize,
    max_n: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut o = Options {
        trials: 8,
        d: 100,
        max_n: 640,
        seed: 2026,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--trials" => o.trials = value()?.parse()?,
            "--d" => o.d = value()?.parse()?,
            "--max-n" => o.max_n = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--out" => o.out = PathBuf::from(value()?),
            other => {
                return Err(format!(
                    "unknown flag `{other}` (--trials, --d, --max-n, --seed, --out)"
                )
                .into());
            }
        }
    }
    Ok(o)
}

/// One simulated point with its theory at the realised ratios.
struct SimPoint {
    eps: f64,
    psi1: f64,
    d: usize,
    sr: Comparison,
    ar: Comparison,
    seconds: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let opts = parse_args()?;
    let start = Instant::now();
    std::fs::create_dir_all(&opts.out)?;
    println!(
        "adversarial random features (Hassani & Javanmard): psi2 = {PSI2}, tau^2 = {TAU2}, \
         eps_test = eps, centred ReLU, Gaussian inputs"
    );

    // Theory curves.
    let grid = log_spaced(0.1, 1e4, 240)?;
    let mut curves: Vec<Vec<AdversarialRfSolution>> = Vec::new();
    println!("\ntheory: 240 log-spaced psi1 in [0.1, 1e4]");
    for &eps in &RADII {
        let t = Instant::now();
        let model = AdversarialRf {
            psi1: grid[0],
            psi2: PSI2,
            eps,
            eps_test: None,
            ..AdversarialRf::default()
        }
        .with_noise_variance(TAU2)
        .check()?;
        let curve = model.curve_psi1(&grid)?;
        let ext = robust_extrema(&grid, &curve)
            .ok_or("robust-risk peak or minimum on the end of the psi1 grid")?;
        let peak = model.with_psi1(ext.peak_psi1)?.solve()?;
        let min = model.with_psi1(ext.min_psi1)?.solve()?;
        let last = curve.last().ok_or("empty theory curve")?;
        println!(
            "  eps = {eps}: AR peak {:.4} at psi1 = {:.3} (SR there {:.4}); AR minimum beyond it \
             {:.4} at psi1 = {:.2} (SR {:.4}); at psi1 = 1e4: SR - (1 + tau^2) = {:+.4}, \
             AR - (1 + tau^2) = {:+.4}; eps0 at the peak {:.3} [{:.2} s]",
            peak.robust_test_risk,
            ext.peak_psi1,
            peak.test_risk,
            min.robust_test_risk,
            ext.min_psi1,
            min.test_risk,
            last.test_risk - (1.0 + TAU2),
            last.robust_test_risk - (1.0 + TAU2),
            peak.eps0,
            t.elapsed().as_secs_f64()
        );
        curves.push(curve);
    }

    // Simulation.
    println!(
        "\nsimulation: {} trials per point, seed {}, d = {} while N <= {}, else d = {} / psi1; \
         theory at the realised N/d, n/d; allowance = {DEFAULT_KAPPA} |R| / d",
        opts.trials, opts.seed, opts.d, opts.max_n, opts.max_n
    );
    println!(
        "{:>5} {:>6} {:>4} {:>5} {:>4} | {:>8} {:>17} {:>6} | {:>8} {:>17} {:>6} | {:>6}",
        "eps", "psi1", "d", "N", "n", "SR th", "SR sim ± SE", "z", "AR th", "AR sim ± SE", "z", "s"
    );
    let mut points: Vec<SimPoint> = Vec::new();
    for (k, &eps) in RADII.iter().enumerate() {
        for (j, &psi1) in SIM_PSI1.iter().enumerate() {
            let d = if psi1 * opts.d as f64 <= opts.max_n as f64 {
                opts.d
            } else {
                (opts.max_n as f64 / psi1).round() as usize
            };
            let big_n = (psi1 * d as f64).round();
            let n = (PSI2 * d as f64).round();
            let t = Instant::now();
            let sim = AdversarialRfSimulation {
                model: AdversarialRf {
                    psi1,
                    psi2: PSI2,
                    eps,
                    eps_test: None,
                    ..AdversarialRf::default()
                }
                .with_noise_variance(TAU2),
                d,
            }
            .check()?
            .run(&RunOptions {
                // One seed per (radius, psi1): the points are independent.
                seed: opts.seed + 1000 * k as u64 + j as u64,
                trials: opts.trials,
                progress: false,
            })?;
            let seconds = t.elapsed().as_secs_f64();
            let theory = AdversarialRf {
                psi1: big_n / d as f64,
                psi2: n / d as f64,
                eps,
                eps_test: None,
                ..AdversarialRf::default()
            }
            .with_noise_variance(TAU2)
            .check()?
            .solve()?;
            let cmp = |th: f64, est| -> Result<Comparison, overparam::Error> {
                compare(th, est, finite_size_allowance(th, DEFAULT_KAPPA, d)?)
            };
            let p = SimPoint {
                eps,
                psi1,
                d,
                sr: cmp(theory.test_risk, &sim.test_risk)?,
                ar: cmp(theory.robust_test_risk, &sim.robust_test_risk)?,
                seconds,
            };
            println!(
                "{:>5} {:>6} {:>4} {:>5} {:>4} | {:>8.4} {:>8.4} ± {:>6.4} {:>+6.2} | {:>8.4} \
                 {:>8.4} ± {:>6.4} {:>+6.2} | {:>6.1}",
                eps,
                psi1,
                d,
                big_n,
                n,
                p.sr.theory,
                p.sr.mean,
                p.sr.std_err,
                p.sr.z,
                p.ar.theory,
                p.ar.mean,
                p.ar.std_err,
                p.ar.z,
                seconds
            );
            points.push(p);
        }
    }
    let all: Vec<(&SimPoint, &str, &Comparison)> = points
        .iter()
        .flat_map(|p| [(p, "SR", &p.sr), (p, "AR", &p.ar)])
        .collect();
    let max_z = all.iter().fold(0.0f64, |m, (_, _, c)| m.max(c.z.abs()));
    let agree = all.iter().filter(|(_, _, c)| c.agrees()).count();
    let within_4se = all.iter().filter(|(_, _, c)| c.z.abs() <= 4.0).count();
    println!(
        "\nsummary: max |z| = {max_z:.2}; {within_4se}/{} comparisons within 4 SE, {agree}/{} \
         within 4 SE + allowance",
        all.len(),
        all.len()
    );
    for (p, what, c) in all.iter().filter(|(_, _, c)| !c.agrees()) {
        println!(
            "  outside: {what} eps = {} psi1 = {} d = {}: gap {:+.4} ({:+.1}%), 4 SE + allowance \
             = {:.4}",
            p.eps,
            p.psi1,
            p.d,
            c.gap,
            100.0 * c.relative_gap(),
            4.0 * c.std_err + c.allowance
        );
    }

    // Figure: theory lines (SR, AR per radius, the limit 1 + tau^2) and simulated points with
    // 2-SE bars in the colour of their line.
    let mut series = Vec::new();
    for (k, (&eps, curve)) in RADII.iter().zip(&curves).enumerate() {
        let line = |f: fn(&AdversarialRfSolution) -> f64| -> Vec<(f64, f64)> {
            grid.iter().zip(curve).map(|(&x, s)| (x, f(s))).collect()
        };
        series.push(
            Series::line(format!("SR eps={eps} theory"), line(|s| s.test_risk)).with_colour(2 * k),
        );
        series.push(
            Series::line(format!("AR eps={eps} theory"), line(|s| s.robust_test_risk))
                .with_colour(2 * k + 1),
        );
    }
    series.push(
        Series::line(
            "1 + tau^2 (psi1 -> inf)",
            vec![(grid[0], 1.0 + TAU2), (grid[grid.len() - 1], 1.0 + TAU2)],
        )
        .with_colour(8),
    );
    for (k, &eps) in RADII.iter().enumerate() {
        for (m, (what, pick)) in [
            ("SR", (|p: &SimPoint| p.sr) as fn(&SimPoint) -> Comparison),
            ("AR", |p: &SimPoint| p.ar),
        ]
        .into_iter()
        .enumerate()
        {
            let pts: Vec<&SimPoint> = points.iter().filter(|p| p.eps == eps).collect();
            series.push(
                Series::points(
                    format!("{what} eps={eps} sim ±2SE"),
                    pts.iter().map(|p| (p.psi1, pick(p).mean)).collect(),
                    pts.iter().map(|p| 2.0 * pick(p).std_err).collect(),
                )
                .with_colour(2 * k + m),
            );
        }
    }
    let chart = Chart {
        title: format!(
            "adversarial random features: psi2 = {PSI2}, tau^2 = {TAU2}, eps_test = eps"
        ),
        x_label: "psi1 = N/d (features per dimension)".into(),
        y_label: "test error (SR standard, AR robust; noise included)".into(),
        x_scale: Scale::Log,
        y_scale: Scale::Linear,
        series,
    };
    let svg = opts.out.join("adversarial_curse.svg");
    draw(&chart, &svg.to_string_lossy())?;

    let mut csv = String::from(
        "source,eps,psi1,d,standard_error,standard_error_se,robust_error,robust_error_se,\
         theory_standard_error,theory_robust_error,z_standard,z_robust\n",
    );
    for (&eps, curve) in RADII.iter().zip(&curves) {
        for (x, s) in grid.iter().zip(curve) {
            writeln!(
                csv,
                "theory,{eps},{x},,{},,{},,,,,",
                s.test_risk, s.robust_test_risk
            )?;
        }
    }
    for p in &points {
        writeln!(
            csv,
            "simulation,{},{},{},{},{},{},{},{},{},{},{}",
            p.eps,
            p.psi1,
            p.d,
            p.sr.mean,
            p.sr.std_err,
            p.ar.mean,
            p.ar.std_err,
            p.sr.theory,
            p.ar.theory,
            p.sr.z,
            p.ar.z
        )?;
    }
    let csv_path = opts.out.join("adversarial_curse.csv");
    std::fs::write(&csv_path, csv)?;
    let sim_seconds: f64 = points.iter().map(|p| p.seconds).sum();
    println!(
        "\nwrote {} and {}\nelapsed {:.1} s (simulation {:.1} s)",
        svg.display(),
        csv_path.display(),
        start.elapsed().as_secs_f64(),
        sim_seconds
    );
    Ok(())
}
