//! `overparam ridge`: linear ridge / min-norm regression (Hastie, Montanari, Rosset, Tibshirani).

use clap::Args;
use overparam::theory::ridge::Ridge;

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};

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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
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
                records.push(rec);
            }
        }
    }
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
        ],
    )
    .map_err(|e| CliError {
        message: format!("writing output: {e}"),
        status: 1,
    })
}
