//! `overparam rf`: random-features ridge regression.

use clap::Args;
use overparam::compare::compare_rf;
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::random_features::RfSimulation;
use overparam::theory::random_features::RandomFeatures;

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};
use crate::simulate::{SimulateArgs, SimulatedPoint, point_progress, record_simulation};

fn parse_input(s: &str) -> Result<InputDistribution, String> {
    s.parse::<InputDistribution>().map_err(|e| e.to_string())
}

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
    /// Input dimension d of the simulation (N = round(psi1 d), n = round(psi2 d)).
    #[arg(long, default_value_t = 100, requires = "simulate")]
    d: usize,
    /// Fresh test points per simulated trial.
    #[arg(long, default_value_t = 1000, requires = "simulate")]
    test_points: usize,
    /// Law of simulated inputs and weights: sphere (Mei–Montanari's setting) or gaussian.
    #[arg(long, default_value = "sphere", value_parser = parse_input, requires = "simulate")]
    input: InputDistribution,
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
    if args.sim.simulate {
        // Bad simulation flags fail before any work.
        simulation_for(&args, &base)
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        if args.sim.trials == 0 {
            return Err(CliError::usage("--trials: expected an integer >= 1"));
        }
    }
    let bar = point_progress(
        &args.sim,
        args.psi1.0.len() * args.psi2.0.len() * lambdas.0.len(),
    );
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
                if args.sim.simulate {
                    simulate_point(
                        &args,
                        &params_at(&base, psi1, psi2, lambda),
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
            "psi1",
            "psi2",
            "lambda",
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
        let lambda_values = args.lambda.as_ref().map_or(&[][..], |l| &l.0[..]);
        let (x, x_scale) = crate::plot::swept(&[
            ("psi1", &args.psi1.0),
            ("psi2", &args.psi2.0),
            ("lambda", lambda_values),
        ]);
        crate::plot::error_chart(
            &records,
            x,
            x_scale,
            "random features",
            &["psi1", "psi2", "lambda", "tau"],
            path,
        )?;
    }
    Ok(())
}

fn params_at(base: &RandomFeatures, psi1: f64, psi2: f64, lambda: f64) -> RandomFeatures {
    RandomFeatures {
        psi1,
        psi2,
        lambda,
        ..base.clone()
    }
}

fn simulation_for(args: &RfArgs, p: &RandomFeatures) -> RfSimulation {
    RfSimulation {
        d: args.d,
        psi1: p.psi1,
        psi2: p.psi2,
        lambda: p.lambda,
        activation: p.activation.clone(),
        f1: p.f1,
        f_star: p.f_star,
        tau: p.tau,
        test_points: args.test_points,
        input: args.input,
    }
}

/// Simulate one point and add the simulation fields to its record.
fn simulate_point(
    args: &RfArgs,
    p: &RandomFeatures,
    rec: &mut Record,
    single: bool,
) -> Result<(), CliError> {
    let point = simulation_for(args, p).check().and_then(|sim| {
        let report = sim.run(args.sim.seed, args.sim.trials, false)?;
        let comparison = sim
            .theory()
            .and_then(|t| Ok((t.test_error, compare_rf(&report, &t, args.sim.kappa)?)));
        Ok(SimulatedPoint {
            sizes: vec![
                ("d", Field::Int(report.d)),
                ("realised_psi1", Field::Num(report.realised_psi1)),
                ("realised_psi2", Field::Num(report.realised_psi2)),
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
