//! Random features trained by gradient flow: test error and training error over time, theory
//! lines ([`overparam::theory::rf_dynamics`], through the Gaussian-equivalent linear model) and
//! finite-size simulation points ([`overparam::sim::rf_dynamics`]), for several $\psi_1 = N/d$ on
//! both sides of $N = n$.
//!
//! Setting: ReLU, $\psi_2 = n/d = 1.5$, $F_1 = 1$, $F_\star = 0.3$, noise sd $0.5$, no ridge term
//! ($\lambda = 0$: the long-time limit is Mei–Montanari's ridgeless risk), gradient flow from
//! zero. Theory: 200 log-spaced times in $[10^{-2}, 10^4]$. Simulation: $d = 100$, 10 trials,
//! 9 times from one eigendecomposition per trial (`run_times`), each point joined with the theory
//! at the realised ratios (4 SE + allowance).
//!
//! Run: `cargo run --release --example rf_dynamics_epochs [-- --out DIR]`.
//! Writes `rf_dynamics_epochs.svg` and `rf_dynamics_epochs.csv` (default `target/figures`).

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use overparam::experiment::{JoinOptions, RunOptions, join_simulated};
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw_panels};
use overparam::sim::PointEstimate;
use overparam::sim::rf_dynamics::RfDynamicsSimulation;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::RfDynamics;

const PSI1: [f64; 3] = [0.5, 1.2, 4.0];
const PSI2: f64 = 1.5;
const D: usize = 100;

fn main() -> Result<(), Box<dyn Error>> {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--out") {
        out = PathBuf::from(args.get(i + 1).ok_or("--out needs a directory")?);
    }
    std::fs::create_dir_all(&out)?;
    let fine = log_spaced(1e-2, 1e4, 200)?;
    let sim_times = log_spaced(1e-2, 1e4, 9)?;
    let run = RunOptions {
        seed: 2026,
        trials: 10,
        progress: false,
    };
    let (mut test, mut train) = (Vec::new(), Vec::new());
    let mut csv = String::from(
        "psi1,time,theory_test,sim_test,sim_test_se,z,agrees,theory_train,sim_train,sim_train_se,z_train\n",
    );
    let mut disagreements = 0;
    for (k, &psi1) in PSI1.iter().enumerate() {
        let model = RandomFeatures {
            psi1,
            psi2: PSI2,
            lambda: 0.0,
            f1: 1.0,
            f_star: 0.3,
            noise_sd: 0.5,
            ..Default::default()
        };
        let theory = RfDynamics {
            model: model.clone(),
            ..Default::default()
        }
        .check()?;
        let curve = theory.curve(&fine)?;
        let label = format!("psi1 = {psi1}");
        test.push(
            Series::line(
                label.clone(),
                fine.iter()
                    .zip(&curve)
                    .map(|(&t, r)| (t, r.test_error))
                    .collect(),
            )
            .with_colour(k),
        );
        train.push(
            Series::line(
                label,
                fine.iter()
                    .zip(&curve)
                    .map(|(&t, r)| (t, r.train_error))
                    .collect(),
            )
            .with_colour(k),
        );
        let sim = RfDynamicsSimulation {
            model: model.clone(),
            d: D,
            test_points: 500,
            ..Default::default()
        }
        .check()?;
        let reports = sim.run_times(&run, &sim_times)?;
        let (mut tp, mut tb, mut rp, mut rb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in &reports {
            let at = RfDynamicsSimulation {
                model: model.clone(),
                d: D,
                test_points: 500,
                time: r.time,
                ..Default::default()
            }
            .check()?;
            let estimates: Vec<PointEstimate> =
                [&r.test_error, &r.bias, &r.variance, &r.train_error]
                    .into_iter()
                    .map(PointEstimate::from)
                    .collect();
            let joined = join_simulated(&at, &estimates, &run, &JoinOptions::default())?;
            let c = joined.primary().ok_or("no primary metric")?;
            let tr = joined
                .metrics
                .iter()
                .find(|m| m.name == "train_error")
                .ok_or("no train_error")?;
            if !joined.all_agree() {
                disagreements += 1;
            }
            writeln!(
                csv,
                "{psi1},{},{},{},{},{},{},{},{},{},{}",
                r.time,
                c.theory_realised,
                r.test_error.mean,
                r.test_error.std_err,
                c.z.unwrap_or(f64::NAN),
                c.agrees,
                tr.theory_realised,
                r.train_error.mean,
                r.train_error.std_err,
                tr.z.unwrap_or(f64::NAN),
            )?;
            tp.push((r.time, r.test_error.mean));
            tb.push(2.0 * r.test_error.std_err);
            rp.push((r.time, r.train_error.mean));
            rb.push(2.0 * r.train_error.std_err);
        }
        test.push(Series::points("", tp, tb).with_colour(k));
        train.push(Series::points("", rp, rb).with_colour(k));
    }
    let chart = |y_label: &str, y_scale, series| Chart {
        title: format!("RF (ReLU) gradient flow, psi2 = {PSI2}; simulation d = {D} (2 SE bars)"),
        x_label: "time t (log scale)".into(),
        y_label: y_label.into(),
        x_scale: Scale::Log,
        y_scale,
        series,
    };
    let svg = out.join("rf_dynamics_epochs.svg");
    draw_panels(
        &[
            chart("test error (noise excluded)", Scale::Log, test),
            chart("train error (noise included)", Scale::Linear, train),
        ],
        &svg.to_string_lossy(),
    )?;
    std::fs::write(out.join("rf_dynamics_epochs.csv"), csv)?;
    println!(
        "wrote {} ({} of {} simulated points disagree in some metric)",
        svg.display(),
        disagreements,
        PSI1.len() * sim_times.len()
    );
    Ok(())
}
