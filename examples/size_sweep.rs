//! Finite-size sweep: the random-features test error at d = 100, 200, 400, 800 with the ratios
//! fixed, against the Mei–Montanari limit at the realised ratios, and the least-squares slope of
//! log|gap| versus log d (about -1 expected: the finite-size bias decays like kappa/d).
//!
//! Run: `cargo run --release --example size_sweep [trials] [test_points] [threshold|minnorm]`
//! (default 12 trials, 1000 test points, `threshold`; under a minute on 2 cores, dominated by
//! d = 800).
//!
//! `threshold` is the interpolation threshold psi1 = psi2 = 3 with lambda = 1e-3 (ReLU, F1 = 1,
//! tau^2 = 0.25), where the finite-size bias is largest (docs/random_features.md#derivation-notes-finite-size-bias, case C);
//! `minnorm` is the over-parameterised min-norm interpolator psi1 = 6, psi2 = 3, lambda = 0
//! (case B).

use overparam::compare::DEFAULT_KAPPA;
use overparam::experiment::{JoinOptions, RunOptions, sweep_sizes};
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::theory::random_features::RandomFeatures;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trials: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(12);
    let test_points: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let (psi1, lambda) = match args.next().as_deref() {
        None | Some("threshold") => (3.0, 1e-3),
        Some("minnorm") => (6.0, 0.0),
        Some(other) => return Err(format!("unknown case `{other}`: threshold|minnorm").into()),
    };
    let base = RandomFeaturesSimulation {
        model: RandomFeatures {
            psi1,
            psi2: 3.0,
            lambda,
            activation: Activation::Relu,
            f1: 1.0,
            f_star: 0.0,
            noise_sd: 0.5,
            ..Default::default()
        },
        d: 100,
        test_points,
        input: InputDistribution::Sphere,
    };
    let m = &base.model;
    println!(
        "random features, ReLU, psi1 = {}, psi2 = {}, lambda = {}, F1^2 = 1, F*^2 = {}, tau^2 = {}, sphere inputs",
        m.psi1,
        m.psi2,
        m.lambda,
        m.f_star * m.f_star,
        m.noise_sd * m.noise_sd
    );
    println!(
        "{trials} trials per d, {test_points} test points, seed 2026, kappa = {DEFAULT_KAPPA}"
    );
    let start = std::time::Instant::now();
    let dims = [100, 200, 400, 800];
    let build = |d| RandomFeaturesSimulation { d, ..base.clone() }.check();
    let run = RunOptions {
        seed: 2026,
        trials,
        progress: true,
    };
    let options = JoinOptions {
        finite_size_constant: DEFAULT_KAPPA,
    };
    let sweep = sweep_sizes(build, &dims, &run, &options)?;
    println!(
        "\n{:>5} {:>6} {:>6} {:>9} {:>20} {:>10} {:>8} {:>7} {:>9} {:>8}",
        "d", "N", "n", "theory", "simulation", "gap", "rel gap", "z", "allowance", "verdict"
    );
    for point in &sweep.points {
        let sim = build(point.size)?;
        let Some(c) = point.joined.primary() else {
            continue;
        };
        let gap = c.simulation.value - c.theory_realised;
        println!(
            "{:>5} {:>6} {:>6} {:>9.5} {:>11.5} ± {:>6.5} {:>+10.5} {:>+7.2}% {:>+7.2} {:>9.5} {:>8}",
            point.size,
            sim.num_features(),
            sim.n(),
            c.theory_realised,
            c.simulation.value,
            c.simulation.std_err,
            gap,
            100.0 * gap / c.theory_realised.abs(),
            c.z.unwrap_or(f64::INFINITY.copysign(gap)),
            c.allowance,
            if c.agrees { "Agree" } else { "Disagree" }
        );
    }
    println!(
        "\nleast-squares slope of log|gap| vs log d: {:.3} ± {:.3} (intercept {:.3}, {} points)",
        sweep.fit.slope, sweep.fit.slope_std_err, sweep.fit.intercept, sweep.fit.points
    );
    println!("elapsed {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
