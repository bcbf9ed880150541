//! `overparam ridge`: linear ridge / min-norm regression (Hastie, Montanari, Rosset, Tibshirani).

use clap::Args;
use overparam::compare::compare_ridge;
use overparam::sim::ridge::RidgeSimulation;
use overparam::theory::ridge::Ridge;

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};
use crate::simulate::{SimulateArgs, SimulatedPoint, point_progress, record_simulation};

/// Arguments of `overparam ridge`.
#[derive(Debug, Args)]
pub struct RidgeArgs {
    /// gamma = p/n, parameters per sample: X or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    gamma: ValueOrRange,
    /// Ridge penalty lambda >= 0 in min (1/n)||y - Xb||^2 + lambda ||b||^2; 0 gives least squares
    /// (gamma < 1) or the min-norm interpolator (gamma > 1). X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    lambda: ValueOrRange,
    /// Signal-to-noise ratio ||beta||^2 / sigma^2: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    snr: ValueOrRange,
    /// Noise standard deviation sigma.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    sigma: f64,
    /// Sample size n of the simulation (p = round(gamma n) features).
    #[arg(
        long,
        visible_alias = "d",
        default_value_t = 200,
        requires = "simulate"
    )]
    n: usize,
    #[command(flatten)]
    sim: SimulateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure: test and train error (theory lines; simulation points with 2-SE
    /// bars when --simulate) versus the first swept parameter (log axis for START:STOP:COUNT,
    /// linear for lin:). A single point is drawn as one marker.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

/// Run `overparam ridge`.
pub fn run(args: RidgeArgs) -> Result<(), CliError> {
    let base = Ridge {
        gamma: args.gamma.0[0],
        lambda: args.lambda.0[0],
        snr: args.snr.0[0],
        sigma: args.sigma,
    };
    // Validate each axis on its own (the other parameters at safe values) so that bad values fail
    // before any output; the joint condition (gamma = 1 with lambda = 0) is a per-point error in a
    // sweep.
    for &gamma in &args.gamma.0 {
        Ridge {
            gamma,
            lambda: 1.0,
            ..base
        }
        .check()
        .map_err(|e| CliError::from_library(&e))?;
    }
    for &lambda in &args.lambda.0 {
        Ridge {
            lambda,
            gamma: 2.0,
            ..base
        }
        .check()
        .map_err(|e| CliError::from_library(&e))?;
    }
    for &snr in &args.snr.0 {
        Ridge {
            snr,
            gamma: 2.0,
            lambda: 1.0,
            ..base
        }
        .check()
        .map_err(|e| CliError::from_library(&e))?;
    }
    let single = !(args.gamma.is_range() || args.lambda.is_range() || args.snr.is_range());
    if args.sim.simulate {
        simulation_for(
            &args,
            &Ridge {
                gamma: 2.0,
                lambda: 1.0,
                ..base
            },
        )
        .check()
        .map_err(|e| CliError::from_library(&e))?;
        if args.sim.trials == 0 {
            return Err(CliError::usage("--trials: expected an integer >= 1"));
        }
    }
    let bar = point_progress(
        &args.sim,
        args.gamma.0.len() * args.lambda.0.len() * args.snr.0.len(),
    );
    let mut records = Vec::new();
    for &snr in &args.snr.0 {
        for &lambda in &args.lambda.0 {
            for &gamma in &args.gamma.0 {
                let checked = Ridge {
                    gamma,
                    lambda,
                    snr,
                    sigma: args.sigma,
                }
                .check();
                let mut rec: Record = vec![
                    ("gamma", Field::Num(gamma)),
                    ("lambda", Field::Num(lambda)),
                    ("snr", Field::Num(snr)),
                    ("sigma", Field::Num(args.sigma)),
                ];
                match checked.and_then(|m| m.risk()) {
                    Ok(r) => rec.extend([
                        ("test_error", Field::Num(r.test_error)),
                        ("train_error", Field::Num(r.train_error)),
                        ("bias", Field::Num(r.bias)),
                        ("variance", Field::Num(r.variance)),
                    ]),
                    Err(e) if single => return Err(CliError::from_library(&e)),
                    Err(e) => rec.extend([
                        ("test_error", Field::Null),
                        ("train_error", Field::Null),
                        ("bias", Field::Null),
                        ("variance", Field::Null),
                        ("error", Field::Text(e.to_string())),
                    ]),
                }
                if args.sim.simulate {
                    simulate_point(
                        &args,
                        &Ridge {
                            gamma,
                            lambda,
                            snr,
                            sigma: args.sigma,
                        },
                        &mut rec,
                        single,
                    )?;
                    bar.inc(1);
                }
                records.push(rec);
            }
        }
    }
    bar.finish_and_clear();
    write_records(
        &records,
        args.format,
        &[
            "gamma",
            "lambda",
            "snr",
            "test_error",
            "train_error",
            "bias",
            "variance",
            "sim_mean",
            "sim_se",
            "z",
            "agrees",
        ],
    )
    .map_err(|e| CliError {
        message: format!("writing output: {e}"),
        status: 1,
    })?;
    if let Some(path) = &args.plot {
        let (x, x_scale) = crate::plot::swept(&[
            ("gamma", &args.gamma.0),
            ("lambda", &args.lambda.0),
            ("snr", &args.snr.0),
        ]);
        crate::plot::error_chart(
            &records,
            x,
            x_scale,
            "linear ridge",
            &["gamma", "lambda", "snr", "sigma"],
            path,
        )?;
    }
    Ok(())
}

fn simulation_for(args: &RidgeArgs, p: &Ridge) -> RidgeSimulation {
    RidgeSimulation {
        n: args.n,
        gamma: p.gamma,
        lambda: p.lambda,
        snr: p.snr,
        sigma: p.sigma,
    }
}

/// Simulate one point and add the simulation fields to its record.
fn simulate_point(
    args: &RidgeArgs,
    p: &Ridge,
    rec: &mut Record,
    single: bool,
) -> Result<(), CliError> {
    let point = simulation_for(args, p).check().and_then(|sim| {
        let report = sim.run(args.sim.seed, args.sim.trials, false)?;
        let comparison = sim
            .theory()
            .and_then(|t| Ok((t.test_error, compare_ridge(&report, &t, args.sim.kappa)?)));
        Ok(SimulatedPoint {
            sizes: vec![
                ("n", Field::Int(report.n)),
                ("p", Field::Int(report.p)),
                ("realised_gamma", Field::Num(report.realised_gamma)),
            ],
            estimates: [
                report.test_error,
                report.bias,
                report.variance,
                report.train_error,
            ],
            comparison,
        })
    });
    record_simulation(rec, point, args.sim.trials, single)
}
