//! Membership-inference advantage versus $\gamma = p/n$ (Tan, Mason, Javadi & Baraniuk 2022
//! setting), theory plus finite-size simulation, for three attacks on ridge / min-norm
//! regression with $\kappa = p/D \to 0$ and label noise $\sigma = 1$:
//!
//! * the output-only attack against the min-norm / least-squares fit ($\lambda = 0$): the
//!   advantage tends to 1 at the interpolation threshold $\gamma = 1$, vanishes at $\gamma = 2$
//!   and grows again with $\gamma$;
//! * the output-only attack against ridge, $\lambda = 1$;
//! * the loss-threshold attack against ridge, $\lambda = 1$ (it depends on $\gamma$, $\lambda$
//!   only).
//!
//! Run: `cargo run --release --example membership_advantage` (under a minute on 2 cores;
//! `--quick` for a few seconds).
//!
//! Flags: `--n 100` (training-set size), `--trials 3000` (output-attack trials: one member and
//! one non-member output each), `--loss-trials 200` (loss-attack fits, $n$ members and $n$
//! fresh non-members each), `--points 11` (simulated $\gamma$ values per curve, log-spaced in
//! $[0.2, 20]$), `--seed 2026`, `--out DIR` (default `target/figures` of the crate), `--quick`
//! ($n = 60$, 800 trials, 100 loss trials, 7 points).
//!
//! Simulated values are the split-threshold advantage (threshold chosen on one half of the
//! data, evaluated on the other) with its standard error. Each is compared by
//! [`overparam::compare`] with the limit at the realised $\gamma = p/n$, $p = \mathrm{round}(\gamma n)$:
//! a point agrees when $|\mathrm{gap}| \le 4\,\mathrm{SE} + \text{allowance}$. The finite-size
//! allowance is $c\,\mathrm{Adv}/n$ with $c = 3$ (`DEFAULT_KAPPA`), and for the $\lambda = 0$
//! output attack at least the gap between the finite-$(n, p)$ expectation formula
//! ([`overparam::theory::membership::FiniteSize`]) and the limit, which is large next to
//! $\gamma = 1$ (the formula's variances carry $1/(|p - n| - 1)$ instead of
//! $1/(n|1 - \gamma|)$).
//!
//! Writes `membership_advantage.svg` (theory lines, simulated points with 2-SE bars in the colour
//! of their line) and `membership_advantage.csv` to the output directory.

use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use overparam::compare::{Comparison, DEFAULT_KAPPA, Z_THRESHOLD, compare_point};
use overparam::experiment::RunOptions;
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::theory::membership::{FiniteSize, Membership};

const SIGMA: f64 = 1.0;
const GAMMA_MIN: f64 = 0.2;
const GAMMA_MAX: f64 = 20.0;
const THEORY_POINTS: usize = 200;

/// The three curves of the figure.
#[derive(Clone, Copy, PartialEq)]
enum Curve {
    /// Output-only attack, ridge penalty `lambda`.
    Output(f64),
    /// Loss-threshold attack, ridge penalty `lambda`.
    Loss(f64),
}

const CURVES: [Curve; 3] = [Curve::Output(0.0), Curve::Output(1.0), Curve::Loss(1.0)];

impl Curve {
    fn lambda(self) -> f64 {
        match self {
            Curve::Output(l) | Curve::Loss(l) => l,
        }
    }
    fn attack(self) -> &'static str {
        match self {
            Curve::Output(_) => "output",
            Curve::Loss(_) => "loss",
        }
    }
    fn label(self) -> String {
        match self {
            Curve::Output(l) => format!("output-only, lambda = {l}"),
            Curve::Loss(l) => format!("loss-threshold, lambda = {l}"),
        }
    }
    /// The simulated $\gamma$ values: the log grid, plus $\gamma = 0.9, 1.1$ on the two sides of
    /// the interpolation threshold for the min-norm output attack.
    fn sim_gammas(self, grid: &[f64]) -> Vec<f64> {
        let mut g = grid.to_vec();
        if self == Curve::Output(0.0) {
            g.extend([0.9, 1.1]);
            g.sort_by(f64::total_cmp);
        }
        g
    }
    /// The limiting advantage at `gamma`.
    fn theory(self, gamma: f64) -> Result<f64, overparam::Error> {
        let model = Membership {
            gamma,
            kappa: 0.0,
            noise_sd: SIGMA,
            lambda: self.lambda(),
            output_noise: 0.0,
            ..Default::default()
        }
        .check()?;
        Ok(match self {
            Curve::Output(_) => model.output_attack()?.advantage,
            Curve::Loss(_) => model.loss_attack()?.advantage,
        })
    }
}

struct Options {
    n: usize,
    trials: usize,
    loss_trials: usize,
    points: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut o = Options {
        n: 100,
        trials: 3000,
        loss_trials: 200,
        points: 11,
        seed: 2026,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--quick" {
            (o.n, o.trials, o.loss_trials, o.points) = (60, 800, 100, 7);
            continue;
        }
        if flag == "--help" || flag == "-h" {
            println!(
                "membership_advantage [--n 100] [--trials 3000] [--loss-trials 200] \
                 [--points 11] [--seed 2026] [--out DIR] [--quick]"
            );
            std::process::exit(0);
        }
        let value = args
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--n" => o.n = value.parse().map_err(|e| bad(&e))?,
            "--trials" => o.trials = value.parse().map_err(|e| bad(&e))?,
            "--loss-trials" => o.loss_trials = value.parse().map_err(|e| bad(&e))?,
            "--points" => o.points = value.parse().map_err(|e| bad(&e))?,
            "--seed" => o.seed = value.parse().map_err(|e| bad(&e))?,
            "--out" => o.out = PathBuf::from(&value),
            _ => return Err(format!("unknown flag {flag} (try --help)").into()),
        }
    }
    if o.points < 2 {
        return Err("--points must be at least 2".into());
    }
    Ok(o)
}

/// One simulated point.
struct SimPoint {
    curve: Curve,
    gamma: f64,
    p: usize,
    /// The finite-$(n, p)$ formula's advantage ($\lambda = 0$ output attack only).
    finite_formula: Option<f64>,
    comparison: Comparison,
    seconds: f64,
}

fn simulate(curve: Curve, gamma: f64, o: &Options) -> Result<SimPoint, Box<dyn Error>> {
    let t0 = Instant::now();
    let model = Membership {
        gamma,
        kappa: 0.0,
        noise_sd: SIGMA,
        lambda: curve.lambda(),
        output_noise: 0.0,
        ..Default::default()
    };
    let trials = match curve {
        Curve::Output(_) => o.trials,
        Curve::Loss(_) => o.loss_trials,
    };
    let run = RunOptions {
        seed: o.seed,
        trials,
        progress: false,
    };
    let sim = MembershipAttackSimulation {
        model,
        n: o.n,
        attack: Attack::Output,
    }
    .check()?;
    // The split-threshold estimator for both curves (the figure's points; the join reports the
    // Rao-Blackwellised plug-in for the output attack, see docs/simulation.md).
    let (p, advantage) = match curve {
        Curve::Output(_) => {
            let r = sim.output_attack(&run)?;
            (r.p, r.advantage_split)
        }
        Curve::Loss(_) => {
            let r = sim.loss_attack(&run)?;
            (r.p, r.advantage_split)
        }
    };
    // The limit at the realised ratio p/n.
    let theory = curve.theory(p as f64 / o.n as f64)?;
    let finite_formula = if curve == Curve::Output(0.0) {
        // kappa = p/D -> 0: D = 10^6 p, as in the crate's tests.
        let fin = FiniteSize::new(o.n, p, p * 1_000_000, SIGMA).check()?;
        Some(fin.output_attack_normalised()?.advantage)
    } else {
        None
    };
    let mut allowance = DEFAULT_KAPPA * theory.abs() / o.n as f64;
    if let Some(f) = finite_formula {
        allowance = allowance.max((f - theory).abs());
    }
    let comparison = compare_point(theory, &advantage, allowance)?;
    Ok(SimPoint {
        curve,
        gamma,
        p,
        finite_formula,
        comparison,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let o = parse_args()?;
    let start = Instant::now();
    println!(
        "membership inference, ridge / min-norm regression: kappa = p/D -> 0, sigma = {SIGMA}"
    );
    println!(
        "simulation: n = {}, output attack {} trials, loss attack {} fits x {} members, seed {}; \
         split-threshold advantage; agree = |gap| <= {Z_THRESHOLD} SE + allowance",
        o.n, o.trials, o.loss_trials, o.n, o.seed
    );

    // Theory: a log grid, plus points approaching the threshold gamma = 1 where the lambda = 0
    // output-attack advantage tends to 1 (it is undefined at gamma = 1 itself).
    let mut theory_gamma = log_spaced(GAMMA_MIN, GAMMA_MAX, THEORY_POINTS)?;
    for k in 2..=6 {
        let e = 10f64.powi(-k);
        theory_gamma.extend([1.0 - e, 1.0 + e]);
    }
    theory_gamma.sort_by(f64::total_cmp);
    let curves: Vec<Vec<(f64, f64)>> = CURVES
        .iter()
        .map(|&c| {
            theory_gamma
                .iter()
                .map(|&g| Ok((g, c.theory(g)?)))
                .collect::<Result<_, overparam::Error>>()
        })
        .collect::<Result<_, _>>()?;
    let theory_ms = 1e3 * start.elapsed().as_secs_f64();

    println!();
    println!(
        "{:>6} {:>6} {:>7} {:>5} {:>8} {:>18} {:>7} {:>9} {:>8} {:>6} {:>6}",
        "attack",
        "lambda",
        "gamma",
        "p",
        "theory",
        "sim +- SE",
        "z",
        "allowance",
        "finite-n",
        "agrees",
        "sec"
    );
    let sim_gamma = log_spaced(GAMMA_MIN, GAMMA_MAX, o.points)?;
    let mut points = Vec::new();
    for &curve in &CURVES {
        for gamma in curve.sim_gammas(&sim_gamma) {
            // Least squares / min-norm is singular at p = n.
            if curve.lambda() == 0.0 && (gamma * o.n as f64).round() as usize == o.n {
                println!(
                    "{:>6} {:>6} {gamma:>7.4}  skipped: p = n",
                    curve.attack(),
                    0
                );
                continue;
            }
            let p = simulate(curve, gamma, &o)?;
            let c = &p.comparison;
            println!(
                "{:>6} {:>6} {:>7.4} {:>5} {:>8.5} {:>18} {:>+7.2} {:>9.5} {:>8} {:>6} {:>6.2}",
                curve.attack(),
                curve.lambda(),
                p.gamma,
                p.p,
                c.theory,
                format!("{:.4} +- {:.4}", c.mean, c.std_err),
                c.z,
                c.allowance,
                p.finite_formula
                    .map_or_else(|| "-".to_string(), |f| format!("{f:.5}")),
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
    let se: Vec<f64> = points.iter().map(|p| p.comparison.std_err).collect();
    println!();
    println!(
        "summary: {agree}/{} points agree (|gap| <= {Z_THRESHOLD} SE + allowance); max |z| = {max_z:.2}; \
         SE from {:.4} to {:.4}",
        points.len(),
        se.iter().copied().fold(f64::INFINITY, f64::min),
        se.iter().copied().fold(0.0, f64::max)
    );
    for &curve in &CURVES {
        let of: Vec<&SimPoint> = points.iter().filter(|p| p.curve == curve).collect();
        let mz = of.iter().map(|p| p.comparison.z.abs()).fold(0.0, f64::max);
        let mg = of
            .iter()
            .map(|p| p.comparison.gap.abs())
            .fold(0.0, f64::max);
        let ok = of.iter().filter(|p| p.comparison.agrees()).count();
        println!(
            "  {:<28} {ok}/{} agree, max |z| = {mz:.2}, max |gap| = {mg:.4}",
            curve.label(),
            of.len()
        );
    }
    for p in points.iter().filter(|p| !p.comparison.agrees()) {
        let c = &p.comparison;
        println!(
            "  outside: {} at gamma = {:.3} (p = {}): sim {:.4} +- {:.4} vs theory {:.4}, gap {:+.4}, allowance {:.4}",
            p.curve.label(),
            p.gamma,
            p.p,
            c.mean,
            c.std_err,
            c.theory,
            c.gap,
            c.allowance
        );
    }

    // Outputs.
    std::fs::create_dir_all(&o.out)?;
    let mut csv =
        String::from("kind,attack,lambda,gamma,p,theory,sim,sim_se,z,allowance,finite_n,agrees\n");
    for (&curve, xy) in CURVES.iter().zip(&curves) {
        for (g, a) in xy {
            writeln!(
                csv,
                "theory,{},{},{g},,{a},,,,,,",
                curve.attack(),
                curve.lambda()
            )?;
        }
    }
    for p in &points {
        let c = &p.comparison;
        writeln!(
            csv,
            "simulation,{},{},{},{},{},{},{},{},{},{},{}",
            p.curve.attack(),
            p.curve.lambda(),
            p.gamma,
            p.p,
            c.theory,
            c.mean,
            c.std_err,
            c.z,
            c.allowance,
            p.finite_formula.map_or_else(String::new, |f| f.to_string()),
            c.agrees()
        )?;
    }
    let csv_path = o.out.join("membership_advantage.csv");
    std::fs::write(&csv_path, csv)?;

    let mut series = Vec::new();
    for (k, (&curve, xy)) in CURVES.iter().zip(&curves).enumerate() {
        series.push(Series::line(curve.label(), xy.clone()).with_colour(k));
        let of = points.iter().filter(|p| p.curve == curve);
        let xy = of.clone().map(|p| (p.gamma, p.comparison.mean)).collect();
        let bars = of.map(|p| 2.0 * p.comparison.std_err).collect();
        series.push(
            Series::points(format!("simulated, n = {} (2 SE)", o.n), xy, bars).with_colour(k),
        );
    }
    let chart = Chart {
        title: format!("Membership advantage versus gamma: kappa = p/D -> 0, sigma = {SIGMA}"),
        x_label: "gamma = p/n (parameters / training samples)".into(),
        y_label: "membership advantage (TPR - FPR)".into(),
        x_scale: Scale::Log,
        y_scale: Scale::Linear,
        series,
    };
    let svg_path = o.out.join("membership_advantage.svg");
    draw(&chart, &svg_path.to_string_lossy())?;
    println!();
    println!("wrote {} and {}", svg_path.display(), csv_path.display());
    println!(
        "time: theory {theory_ms:.1} ms, total {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
