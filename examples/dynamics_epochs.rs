//! Test error (log scale) and training error (linear scale) of least squares over gradient-flow
//! time (epoch-wise curves), theory lines and finite-size simulation points, on both sides of
//! $\gamma = 1$.
//!
//! Setting: isotropic design, snr 4, $\sigma = 1$, $\gamma \in \{0.5, 0.9, 2\}$, gradient flow
//! from zero ([`overparam::theory::dynamics`]). Theory: 200 log-spaced times in
//! $[10^{-2}, 10^4]$ (one call of `curve_time` per $\gamma$). Simulation: $n = 200$, 20 trials,
//! 13 times, every time from one eigendecomposition per trial (`run_many`); each point is
//! joined with the theory at the realised $\gamma$ (4 SE + allowance).
//!
//! Run: `cargo run --release --example dynamics_epochs [-- --out DIR]` (a few seconds).
//! Writes `dynamics_epochs.svg` and `dynamics_epochs.csv` (default `target/figures`).

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use overparam::experiment::{JoinOptions, RunOptions, join_simulated};
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw_panels};
use overparam::sim::PointEstimate;
use overparam::sim::dynamics::DynamicsSimulation;
use overparam::theory::dynamics::Dynamics;

const GAMMAS: [f64; 3] = [0.5, 0.9, 2.0];

fn main() -> Result<(), Box<dyn Error>> {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--out") {
        out = PathBuf::from(args.get(i + 1).ok_or("--out needs a directory")?);
    }
    std::fs::create_dir_all(&out)?;
    let fine = log_spaced(1e-2, 1e4, 200)?;
    let sim_times = log_spaced(1e-2, 1e4, 13)?;
    let run = RunOptions {
        seed: 2026,
        trials: 20,
        progress: false,
    };
    let (mut test, mut train) = (Vec::new(), Vec::new());
    let mut csv = String::from(
        "gamma,time,theory_test,sim_test,sim_test_se,z,agrees,theory_train,sim_train,sim_train_se\n",
    );
    let mut disagreements = 0;
    for (k, &gamma) in GAMMAS.iter().enumerate() {
        let model = Dynamics {
            gamma,
            snr: 4.0,
            ..Default::default()
        };
        let curve = model.check()?.curve_time(&fine)?;
        test.push(
            Series::line(
                format!("gamma = {gamma}"),
                fine.iter()
                    .zip(&curve)
                    .map(|(&t, r)| (t, r.test_error))
                    .collect(),
            )
            .with_colour(k),
        );
        train.push(
            Series::line(
                format!("gamma = {gamma}"),
                fine.iter()
                    .zip(&curve)
                    .map(|(&t, r)| (t, r.train_error))
                    .collect(),
            )
            .with_colour(k),
        );
        let sim = DynamicsSimulation {
            model,
            n: 200,
            time: 1.0,
        }
        .check()?;
        let realised = sim.realised_model()?;
        let points: Vec<_> = sim_times.iter().map(|&t| (*sim.model(), t)).collect();
        let reports = sim.run_many(&run, &points)?;
        let (mut tp, mut tb, mut rp, mut rb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in &reports {
            // The spine's join at this time: theory at the realised gamma, 4 SE + allowance.
            let at = DynamicsSimulation {
                model,
                n: 200,
                time: r.time,
            }
            .check()?;
            let estimates: Vec<PointEstimate> =
                [&r.test_error, &r.bias, &r.variance, &r.train_error]
                    .into_iter()
                    .map(PointEstimate::from)
                    .collect();
            let joined = join_simulated(&at, &estimates, &run, &JoinOptions::default())?;
            let c = joined.primary().ok_or("no primary metric")?;
            if !joined.all_agree() {
                disagreements += 1;
            }
            let theory = realised.at_time(r.time)?;
            writeln!(
                csv,
                "{gamma},{},{},{},{},{},{},{},{},{}",
                r.time,
                c.theory_realised,
                r.test_error.mean,
                r.test_error.std_err,
                c.z.unwrap_or(f64::NAN),
                c.agrees,
                theory.train_error,
                r.train_error.mean,
                r.train_error.std_err
            )?;
            tp.push((r.time, r.test_error.mean));
            tb.push(2.0 * r.test_error.std_err);
            rp.push((r.time, r.train_error.mean));
            rb.push(2.0 * r.train_error.std_err);
        }
        test.push(Series::points("", tp, tb).with_colour(k));
        train.push(Series::points("", rp, rb).with_colour(k));
    }
    let chart = |y_label: &str, y_scale, series| {
        Chart {
        title: "least squares, gradient flow: snr 4, sigma 1; simulation n = 200, 20 trials (2 SE bars)".into(),
        x_label: "time t (log scale)".into(),
        y_label: y_label.into(),
        x_scale: Scale::Log,
        y_scale,
        series,
    }
    };
    let svg = out.join("dynamics_epochs.svg");
    draw_panels(
        &[
            chart("test error (excess, noise excluded)", Scale::Log, test),
            chart("train error (noise included)", Scale::Linear, train),
        ],
        &svg.to_string_lossy(),
    )?;
    std::fs::write(out.join("dynamics_epochs.csv"), csv)?;
    println!(
        "wrote {} ({} of {} simulated points disagree in some metric)",
        svg.display(),
        disagreements,
        GAMMAS.len() * sim_times.len()
    );
    Ok(())
}
