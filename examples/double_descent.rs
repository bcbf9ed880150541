//! The random-features double-descent curve (Mei & Montanari, Figure 1 setting), theory plus
//! finite-size simulation: test error versus $\psi_1 = N/d$ at $\psi_2 = n/d = 3$, ReLU, linear
//! target $F_1 = 1$, label noise $\tau = 0.5$, ridge $\lambda \in \{10^{-3}, 0.1, 1\}$.
//!
//! Run: `cargo run --release --example double_descent` (20-30 s on 2 cores; `--quick`
//! for a few seconds).
//!
//! Flags: `--d 200` (input dimension of the simulation, $n = 3d$), `--trials 6`, `--points 13`
//! (simulated $\psi_1$ values per $\lambda$, log-spaced in $[0.3, 30]$), `--test-points 1000`,
//! `--seed 2026`, `--out DIR` (default `target/figures` of the crate), `--quick` ($d = 100$,
//! 3 trials, 7 points, 500 test points).
//!
//! Theory: 200 log-spaced $\psi_1 \in [0.3, 30]$ per $\lambda$. Simulation: for each point the
//! mean ± SE over trials of the variance-reduced test error, compared with the theory at the
//! *realised* ratio $N/d$ by [`overparam::compare`]: a point agrees when
//! $|\mathrm{gap}| \le 4\,\mathrm{SE} + \kappa R/d$ with $\kappa = 3$ (`DEFAULT_KAPPA`). Points that
//! do not agree are listed with their relative gap and the $\kappa$ they would need.
//!
//! Writes `double_descent.svg` (theory lines, simulated points with 2-SE bars in the colour of
//! their line) and `double_descent.csv` to the output directory.

use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use overparam::compare::{Comparison, DEFAULT_KAPPA, Z_THRESHOLD, compare, finite_size_allowance};
use overparam::experiment::RunOptions;
use overparam::gaussian::Activation;
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::sim::InputDistribution;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::theory::random_features::RandomFeatures;

const PSI2: f64 = 3.0;
const TAU: f64 = 0.5;
const LAMBDAS: [f64; 3] = [1e-3, 0.1, 1.0];
const PSI1_MIN: f64 = 0.3;
const PSI1_MAX: f64 = 30.0;
const THEORY_POINTS: usize = 200;

struct Options {
    d: usize,
    trials: usize,
    points: usize,
    test_points: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut o = Options {
        d: 200,
        trials: 6,
        points: 13,
        test_points: 1000,
        seed: 2026,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--quick" {
            (o.d, o.trials, o.points, o.test_points) = (100, 3, 7, 500);
            continue;
        }
        if flag == "--help" || flag == "-h" {
            println!(
                "double_descent [--d 200] [--trials 6] [--points 13] [--test-points 1000] \
                 [--seed 2026] [--out DIR] [--quick]"
            );
            std::process::exit(0);
        }
        let value = args
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--d" => o.d = value.parse().map_err(|e| bad(&e))?,
            "--trials" => o.trials = value.parse().map_err(|e| bad(&e))?,
            "--points" => o.points = value.parse().map_err(|e| bad(&e))?,
            "--test-points" => o.test_points = value.parse().map_err(|e| bad(&e))?,
            "--seed" => o.seed = value.parse().map_err(|e| bad(&e))?,
            "--out" => o.out = PathBuf::from(&value),
            _ => return Err(format!("unknown flag {flag} (try --help)").into()),
        }
    }
    if o.points < 2 || o.trials < 2 {
        return Err("--points and --trials must be at least 2".into());
    }
    Ok(o)
}

/// One simulated point and its comparison with the theory at the realised $N/d$.
struct SimPoint {
    lambda: f64,
    psi1: f64,
    num_features: usize,
    realised_psi1: f64,
    comparison: Comparison,
    seconds: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let o = parse_args()?;
    let start = Instant::now();
    let n = (PSI2 * o.d as f64).round() as usize;
    println!(
        "random features: ReLU, psi2 = n/d = {PSI2}, F1 = 1, F* = 0, tau = {TAU}, sphere inputs"
    );
    println!(
        "simulation: d = {}, n = {n}, {} trials per point, {} test points, seed {}; \
         agree = |gap| <= {Z_THRESHOLD} SE + kappa R/d, kappa = {DEFAULT_KAPPA}",
        o.d, o.trials, o.test_points, o.seed
    );

    // Theory curves.
    let theory_psi1 = log_spaced(PSI1_MIN, PSI1_MAX, THEORY_POINTS)?;
    let base = RandomFeatures {
        psi2: PSI2,
        noise_sd: TAU,
        ..Default::default()
    }
    .check()?;
    let curves: Vec<Vec<f64>> = LAMBDAS
        .iter()
        .map(|&l| {
            let risks = base.with_lambda(l)?.curve_psi1(&theory_psi1)?;
            Ok(risks.iter().map(|r| r.test_error).collect())
        })
        .collect::<Result<_, overparam::Error>>()?;
    let theory_ms = 1e3 * start.elapsed().as_secs_f64();

    // Simulation.
    println!();
    println!(
        "{:>7} {:>8} {:>5} {:>8} {:>9} {:>20} {:>8} {:>7} {:>9} {:>6} {:>6}",
        "lambda",
        "psi1",
        "N",
        "N/d",
        "theory",
        "sim mean +- SE",
        "gap %",
        "z",
        "allowance",
        "agrees",
        "sec"
    );
    let sim_psi1 = log_spaced(PSI1_MIN, PSI1_MAX, o.points)?;
    let mut points = Vec::new();
    for &lambda in &LAMBDAS {
        for &psi1 in &sim_psi1 {
            let t0 = Instant::now();
            let sim = RandomFeaturesSimulation {
                model: RandomFeatures {
                    psi1,
                    psi2: PSI2,
                    lambda,
                    activation: Activation::Relu,
                    f1: 1.0,
                    f_star: 0.0,
                    noise_sd: TAU,
                    ..Default::default()
                },
                d: o.d,
                test_points: o.test_points,
                input: InputDistribution::Sphere,
            }
            .check()?;
            let theory = sim.theory()?.test_error;
            let report = sim.run(&RunOptions {
                seed: o.seed,
                trials: o.trials,
                progress: false,
            })?;
            let allowance = finite_size_allowance(theory, DEFAULT_KAPPA, o.d)?;
            let c = compare(theory, &report.test_error, allowance)?;
            let p = SimPoint {
                lambda,
                psi1,
                num_features: report.num_features,
                realised_psi1: report.realised_psi1,
                comparison: c,
                seconds: t0.elapsed().as_secs_f64(),
            };
            println!(
                "{:>7} {:>8.4} {:>5} {:>8.4} {:>9.5} {:>20} {:>+8.2} {:>+7.2} {:>9.5} {:>6} {:>6.2}",
                p.lambda,
                p.psi1,
                p.num_features,
                p.realised_psi1,
                c.theory,
                format!("{:.5} +- {:.5}", c.mean, c.std_err),
                100.0 * c.relative_gap(),
                c.z,
                c.allowance,
                if c.agrees() { "yes" } else { "NO" },
                p.seconds
            );
            std::io::stdout().flush()?;
            points.push(p);
        }
    }

    // Summary.
    let max_z = points
        .iter()
        .map(|p| p.comparison.z.abs())
        .fold(0.0, f64::max);
    let agree = points.iter().filter(|p| p.comparison.agrees()).count();
    println!();
    println!(
        "summary: {agree}/{} points agree (|gap| <= {Z_THRESHOLD} SE + {DEFAULT_KAPPA} R/d); max |z| = {max_z:.2}",
        points.len()
    );
    for &lambda in &LAMBDAS {
        let of: Vec<&SimPoint> = points.iter().filter(|p| p.lambda == lambda).collect();
        let mz = of.iter().map(|p| p.comparison.z.abs()).fold(0.0, f64::max);
        let mg = of
            .iter()
            .map(|p| p.comparison.relative_gap().abs())
            .fold(0.0, f64::max);
        let ok = of.iter().filter(|p| p.comparison.agrees()).count();
        println!(
            "  lambda = {lambda:<6} {ok}/{} agree, max |z| = {mz:.2}, max |gap| = {:.2}% of theory",
            of.len(),
            100.0 * mg
        );
    }
    let outside: Vec<&SimPoint> = points.iter().filter(|p| !p.comparison.agrees()).collect();
    if !outside.is_empty() {
        println!(
            "outside 4 SE + allowance (kappa needed = (|gap| - 4 SE) d / R; the allowance uses {DEFAULT_KAPPA}):"
        );
        for p in outside {
            let c = &p.comparison;
            let needed = (c.gap.abs() - Z_THRESHOLD * c.std_err) * o.d as f64 / c.theory.abs();
            println!(
                "  lambda = {}, psi1 = {:.3}: sim {:+.2}% from theory (z = {:+.1}), kappa needed {needed:.1}",
                p.lambda,
                p.psi1,
                100.0 * c.relative_gap(),
                c.z
            );
        }
    }

    // Outputs.
    std::fs::create_dir_all(&o.out)?;
    let mut csv = String::from(
        "kind,lambda,psi1,num_features,realised_psi1,theory,sim_mean,sim_se,z,allowance,agrees\n",
    );
    for (&lambda, curve) in LAMBDAS.iter().zip(&curves) {
        for (psi1, r) in theory_psi1.iter().zip(curve) {
            writeln!(csv, "theory,{lambda},{psi1},,,{r},,,,,")?;
        }
    }
    for p in &points {
        let c = &p.comparison;
        writeln!(
            csv,
            "simulation,{},{},{},{},{},{},{},{},{},{}",
            p.lambda,
            p.psi1,
            p.num_features,
            p.realised_psi1,
            c.theory,
            c.mean,
            c.std_err,
            c.z,
            c.allowance,
            c.agrees()
        )?;
    }
    let csv_path = o.out.join("double_descent.csv");
    std::fs::write(&csv_path, csv)?;

    let mut series = Vec::new();
    for (k, (&lambda, curve)) in LAMBDAS.iter().zip(&curves).enumerate() {
        let xy = theory_psi1.iter().copied().zip(curve.iter().copied());
        series
            .push(Series::line(format!("theory, lambda = {lambda}"), xy.collect()).with_colour(k));
        let of = points.iter().filter(|p| p.lambda == lambda);
        let xy = of.clone().map(|p| (p.psi1, p.comparison.mean)).collect();
        let bars = of.map(|p| 2.0 * p.comparison.std_err).collect();
        series.push(
            Series::points(format!("simulation, lambda = {lambda}"), xy, bars).with_colour(k),
        );
    }
    let chart = Chart {
        title: format!(
            "Random features: psi2 = {PSI2}, ReLU, F1 = 1, tau = {TAU}; simulation d = {}, n = {n}",
            o.d
        ),
        x_label: "psi1 = N/d (number of features / dimension)".into(),
        y_label: "test error (noise excluded)".into(),
        x_scale: Scale::Log,
        y_scale: Scale::Log,
        series,
    };
    let svg_path = o.out.join("double_descent.svg");
    draw(&chart, &svg_path.to_string_lossy())?;
    println!();
    println!("wrote {} and {}", svg_path.display(), csv_path.display());
    println!(
        "time: theory {theory_ms:.1} ms, total {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
