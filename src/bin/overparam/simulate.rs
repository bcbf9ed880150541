//! Shared `--simulate` flags and the record fields a simulation adds. No math here: the
//! library simulates and compares; this file only parses and formats.

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use overparam::compare::{DEFAULT_KAPPA, RiskComparison};
use overparam::sim::Estimate;

use crate::output::{Field, Record};

/// Flags of a finite-size simulation next to the theory.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Also simulate each point at finite size and add sim_mean, sim_se, z (and more) to each record.
    #[arg(long)]
    pub simulate: bool,
    /// Number of independent trials (each a fresh data set) per point.
    #[arg(long, default_value_t = 10, requires = "simulate")]
    pub trials: usize,
    /// Seed: the same seed gives bit-identical results whatever the number of threads.
    #[arg(long, default_value_t = 1, requires = "simulate")]
    pub seed: u64,
    /// Finite-size allowance constant kappa: simulation and theory agree when
    /// |gap| <= 4 SE + kappa |theory| / size.
    #[arg(long, default_value_t = DEFAULT_KAPPA, requires = "simulate")]
    pub kappa: f64,
    /// No progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
}

/// A progress bar over the points of a sweep: drawn on a terminal, hidden otherwise.
pub fn point_progress(args: &SimulateArgs, points: usize) -> ProgressBar {
    if !args.simulate || args.no_progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(points as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} points, {elapsed} elapsed, eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("simulating");
    bar
}

/// The fields a simulation adds to a record: the test error's `sim_mean`, `sim_se`, `z` against
/// the theory at the realised sizes, the verdict with its allowance, and the other metrics.
pub fn simulation_fields(
    rec: &mut Record,
    theory_realised: f64,
    comparison: &RiskComparison,
    estimates: [&Estimate; 4],
    trials: usize,
) {
    let [_, bias, variance, train] = estimates;
    let c = &comparison.test_error;
    rec.extend([
        ("theory_realised", Field::Num(theory_realised)),
        ("sim_mean", Field::Num(c.mean)),
        ("sim_se", Field::Num(c.std_err)),
        ("z", Field::Num(c.z)),
        ("allowance", Field::Num(c.allowance)),
        ("agrees", Field::Text(c.agrees().to_string())),
        ("sim_bias_mean", Field::Num(bias.mean)),
        ("sim_bias_se", Field::Num(bias.std_err)),
        ("sim_variance_mean", Field::Num(variance.mean)),
        ("sim_variance_se", Field::Num(variance.std_err)),
        ("sim_train_mean", Field::Num(train.mean)),
        ("sim_train_se", Field::Num(train.std_err)),
        ("train_z", Field::Num(comparison.train_error.z)),
        ("trials", Field::Int(trials)),
    ]);
}
