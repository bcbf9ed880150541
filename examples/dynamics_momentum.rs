//! Momentum comparison: test error of gradient descent, heavy ball and Nesterov over steps at
//! the same step size, theory lines and simulation points ($\gamma = 0.5$, snr 4, $\sigma = 1$).
//!
//! Step $\eta = 0.1$ (gradient descent is stable below $2/s_+ = 0.686$); momentum $m = 0.5$ and
//! $0.9$ for heavy ball and Nesterov. Theory: every step $0..2000$ (one recursion per method).
//! Simulation: $n = 200$, 20 trials, 12 step counts per method, all from one eigendecomposition
//! per trial. Also prints the early-stopping optimum of each method against optimally tuned
//! ridge.
//!
//! Run: `cargo run --release --example dynamics_momentum [-- --out DIR]`.
//! Writes `dynamics_momentum.svg` (default `target/figures`).

use std::error::Error;
use std::path::PathBuf;

use overparam::experiment::RunOptions;
use overparam::grid::log_spaced;
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::sim::dynamics::DynamicsSimulation;
use overparam::theory::dynamics::{Algorithm, Dynamics};

const LR: f64 = 0.1;
const LAST: u64 = 2000;

fn main() -> Result<(), Box<dyn Error>> {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--out") {
        out = PathBuf::from(args.get(i + 1).ok_or("--out needs a directory")?);
    }
    std::fs::create_dir_all(&out)?;
    let methods = [
        (Algorithm::GradientDescent, 0.0),
        (Algorithm::HeavyBall, 0.5),
        (Algorithm::Nesterov, 0.5),
        (Algorithm::HeavyBall, 0.9),
        (Algorithm::Nesterov, 0.9),
    ];
    let base = Dynamics {
        gamma: 0.5,
        snr: 4.0,
        ..Default::default()
    };
    let sim = DynamicsSimulation {
        model: base,
        n: 200,
        time: 1.0,
    }
    .check()?;
    let steps: Vec<u64> = log_spaced(1.0, LAST as f64, 12)?
        .iter()
        .map(|k| k.round() as u64)
        .collect();
    let mut points = Vec::new();
    let mut series = Vec::new();
    for (i, &(alg, m)) in methods.iter().enumerate() {
        let model = Dynamics {
            algorithm: alg,
            lr: LR,
            momentum: m,
            ..base
        }
        .check()?;
        let all = model.all_steps(LAST)?;
        let label = if alg == Algorithm::GradientDescent {
            "gd".to_string()
        } else {
            format!("{} m = {m}", alg.name())
        };
        series.push(
            Series::line(
                label.clone(),
                all.iter().skip(1).map(|r| (r.time, r.test_error)).collect(),
            )
            .with_colour(i),
        );
        let es = model.early_stopping()?;
        println!(
            "{label:>18}: early stopping at k = {:>5}, test error {:.6} ({:.4} x optimal ridge {:.6})",
            es.at_optimum.time,
            es.at_optimum.test_error,
            es.ratio_to_ridge,
            es.ridge.at_optimum.test_error
        );
        for &k in &steps {
            points.push((i, model, k));
        }
    }
    let run = RunOptions {
        seed: 7,
        trials: 20,
        progress: false,
    };
    let reports = sim.run_many(
        &run,
        &points
            .iter()
            .map(|&(_, m, k)| (m, k as f64))
            .collect::<Vec<_>>(),
    )?;
    for (i, _) in methods.iter().enumerate() {
        let (xy, bars): (Vec<_>, Vec<_>) = points
            .iter()
            .zip(&reports)
            .filter(|((j, _, _), _)| *j == i)
            .map(|((_, _, k), r)| ((*k as f64, r.test_error.mean), 2.0 * r.test_error.std_err))
            .unzip();
        series.push(Series::points("", xy, bars).with_colour(i));
    }
    let chart = Chart {
        title: format!(
            "least squares, gamma 0.5, snr 4: step {LR}; simulation n = 200, 20 trials (2 SE bars)"
        ),
        x_label: "steps k (log scale)".into(),
        y_label: "test error (excess, noise excluded)".into(),
        x_scale: Scale::Log,
        y_scale: Scale::Log,
        series,
    };
    let svg = out.join("dynamics_momentum.svg");
    draw(&chart, &svg.to_string_lossy())?;
    println!("wrote {}", svg.display());
    Ok(())
}
