//! `overparam rf`: random-features ridge regression.

use clap::Args;
use overparam::gaussian::Activation;
use overparam::theory::random_features::RandomFeatures;

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};

fn parse_activation(s: &str) -> Result<Activation, String> {
    s.parse::<Activation>().map_err(|e| e.to_string())
}

/// Arguments of `overparam rf`.
#[derive(Debug, Args)]
pub struct RfArgs {
    /// psi1 = N/d, features per input dimension: X, or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    psi1: ValueOrRange,
    /// psi2 = n/d, samples per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    psi2: ValueOrRange,
    /// Ridge penalty lambda >= 0 in Mei–Montanari's convention (penalty (N lambda/d)||a||^2;
    /// the formulas use lambda/mu_star^2); 0 is the ridgeless limit. X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true,
          required_unless_present = "optimal_lambda", conflicts_with = "optimal_lambda")]
    lambda: Option<ValueOrRange>,
    /// Use the test-error-minimising lambda at each point (searched on [1e-8, 1e4] and against
    /// the ridgeless limit) instead of --lambda.
    #[arg(long)]
    optimal_lambda: bool,
    /// Activation.
    #[arg(long, default_value = "relu", value_parser = parse_activation)]
    activation: Activation,
    /// F1: norm of the linear part of the target (energy F1^2).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    f1: f64,
    /// F_star: amplitude of the nonlinear part of the target (energy F_star^2).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    fstar: f64,
    /// tau: standard deviation of the label noise (variance tau^2).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    tau: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Run `overparam rf`.
pub fn run(args: RfArgs) -> Result<(), CliError> {
    let mut records = Vec::new();
    // With --optimal-lambda the lambda grid is a single placeholder point, replaced per point.
    let lambdas = args.lambda.clone().unwrap_or(ValueOrRange(vec![1.0]));
    let base = RandomFeatures {
        psi1: args.psi1.0[0],
        psi2: args.psi2.0[0],
        lambda: lambdas.0[0],
        activation: args.activation.clone(),
        f1: args.f1,
        f_star: args.fstar,
        tau: args.tau,
    };
    // Validate everything once up front so bad input fails before any output.
    for (name, values) in [
        ("psi1", &args.psi1),
        ("psi2", &args.psi2),
        ("lambda", &lambdas),
    ] {
        for &v in &values.0 {
            let mut p = base.clone();
            match name {
                "psi1" => p.psi1 = v,
                "psi2" => p.psi2 = v,
                _ => p.lambda = v,
            }
            p.check().map_err(|e| CliError::from_library(&e))?;
        }
    }
    let single = !(args.psi1.is_range() || args.psi2.is_range() || lambdas.is_range());
    for &lambda in &lambdas.0 {
        for &psi2 in &args.psi2.0 {
            // Warm-start along psi1 (the innermost, most common sweep).
            let mut chi_guess = None;
            for &psi1 in &args.psi1.0 {
                let params = RandomFeatures {
                    psi1,
                    psi2,
                    lambda,
                    ..base.clone()
                };
                let mut model = params.check().map_err(|e| CliError::from_library(&e))?;
                let mut lambda = lambda;
                if args.optimal_lambda {
                    match model.optimal_lambda() {
                        Ok(opt) => {
                            lambda = opt.lambda;
                            model = model
                                .with_lambda(lambda)
                                .map_err(|e| CliError::from_library(&e))?;
                        }
                        Err(e) if single => return Err(CliError::from_library(&e)),
                        Err(_) => {}
                    }
                }
                let mut rec: Record = vec![
                    ("psi1", Field::Num(psi1)),
                    ("psi2", Field::Num(psi2)),
                    ("lambda", Field::Num(lambda)),
                    (
                        "activation",
                        Field::Text(args.activation.name().to_string()),
                    ),
                    ("f1", Field::Num(args.f1)),
                    ("fstar", Field::Num(args.fstar)),
                    ("tau", Field::Num(args.tau)),
                ];
                if args.optimal_lambda {
                    rec.push(("optimal_lambda", Field::Text("true".to_string())));
                }
                match model.risk_near(chi_guess) {
                    Ok(r) => {
                        chi_guess = Some(r.chi);
                        rec.extend([
                            ("test_error", Field::Num(r.test_error)),
                            ("train_error", Field::Num(r.train_error)),
                            ("bias", Field::Num(r.bias)),
                            ("variance", Field::Num(r.variance)),
                            ("bias_coefficient", Field::Num(r.bias_coefficient)),
                            ("variance_coefficient", Field::Num(r.variance_coefficient)),
                            ("lambda_bar", Field::Num(model.reduced().lambda_bar())),
                            ("zeta_sq", Field::Num(model.reduced().zeta_sq())),
                            ("chi", Field::Num(r.chi)),
                            ("residual", Field::Num(r.residual)),
                            ("iterations", Field::Int(r.iterations)),
                        ]);
                    }
                    Err(e) if single => return Err(CliError::from_library(&e)),
                    Err(e) => {
                        chi_guess = None;
                        rec.extend([
                            ("test_error", Field::Null),
                            ("train_error", Field::Null),
                            ("bias", Field::Null),
                            ("variance", Field::Null),
                            ("error", Field::Text(e.to_string())),
                        ]);
                    }
                }
                records.push(rec);
            }
        }
    }
    write_records(
        &records,
        args.format,
        &[
            "psi1",
            "psi2",
            "lambda",
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
