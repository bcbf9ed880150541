//! `overparam rf`: random-features ridge regression. Arguments -> `RandomFeatures` -> records.

use clap::Args;
use overparam::compare::RISK_METRICS;
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::random_features::{RandomFeaturesSimulation, RandomFeaturesSimulator};
use overparam::theory::random_features::{RandomFeatures, RandomFeaturesModel, RfRisk};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, RiskOutput, along, run_options, validate};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Record};
use crate::simulate::{RISK_OLD_KEYS, SimulateArgs, simulate_point};

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
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    psi1: ValueOrRange,
    /// psi2 = n/d, samples per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    psi2: ValueOrRange,
    /// Ridge penalty lambda >= 0 in Mei–Montanari's convention (penalty (N lambda/d)||a||^2;
    /// the formulas use lambda/mu_star^2); 0 is the ridgeless limit. X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true,
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
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite)]
    f1: f64,
    /// F_star: amplitude of the nonlinear part of the target (energy F_star^2). Deprecated
    /// alias: --fstar.
    #[arg(
        long = "f-star",
        alias = "fstar",
        default_value_t = 0.0,
        allow_negative_numbers = true,
        value_parser = crate::grid::parse_finite
    )]
    f_star: f64,
    /// Label-noise standard deviation (variance noise_sd^2). Deprecated alias: --tau.
    #[arg(
        long,
        alias = "tau",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    noise_sd: f64,
    /// Fresh test points per simulated trial.
    #[arg(long, default_value_t = 1000, requires = "simulate")]
    test_points: usize,
    /// Law of simulated inputs and weights: sphere (Mei–Montanari's setting) or gaussian.
    #[arg(long, default_value = "sphere", value_parser = parse_input, requires = "simulate")]
    input: InputDistribution,
    #[command(flatten)]
    sim: SimulateArgs,
    #[command(flatten)]
    out: RiskOutput,
}

/// Default simulated input dimension.
const D: usize = 100;

/// Axes, outermost first: lambda, psi2, psi1.
fn axes(args: &RfArgs) -> [Axis; 3] {
    // With --optimal-lambda the lambda axis is a placeholder, replaced at every point.
    let lambda = match args.lambda {
        Some(values) => Axis::new("lambda", values),
        None => Axis::placeholder("lambda", 1.0),
    };
    [
        lambda,
        Axis::new("psi2", args.psi2),
        Axis::new("psi1", args.psi1),
    ]
}

fn params(args: &RfArgs, v: &[f64]) -> RandomFeatures {
    RandomFeatures {
        lambda: v[0],
        psi2: v[1],
        psi1: v[2],
        activation: args.activation.clone(),
        f1: args.f1,
        f_star: args.f_star,
        noise_sd: args.noise_sd,
        ..RandomFeatures::default()
    }
}

fn simulation(args: &RfArgs, p: &RandomFeatures) -> RandomFeaturesSimulation {
    RandomFeaturesSimulation {
        model: p.clone(),
        d: args.sim.size_or(D),
        test_points: args.test_points,
        input: args.input,
    }
}

/// A solved point: the lambda used, the risk, lambda_bar and zeta^2.
type Solved = (f64, RfRisk, f64, f64);

/// Run `overparam rf`.
pub fn run(args: RfArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.out.plot.as_ref())?;
    let axes = axes(&args);
    validate(&axes, |v| params(&args, v).check().map(|_| ()))?;
    if args.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        simulation(&args, &params(&args, &base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        args.sim
            .check_memory(&axes, |v| simulation(&args, &params(&args, v)).check())?;
    }
    args.out.stream_and_plot(
        &axes,
        ["psi1", "psi2", "lambda"],
        &args.sim,
        || args_summary(&args),
        |piece| evaluate(&args, piece),
        |v| {
            let r = params(&args, v).check()?.risk()?;
            Ok([r.test_error, r.train_error])
        },
    )
}

fn args_summary(args: &RfArgs) -> crate::plot::Summary {
    crate::plot::Summary {
        model: "random features".into(),
        fixed: vec![
            ("noise_sd", args.noise_sd),
            ("f1", args.f1),
            ("f_star", args.f_star),
        ],
        simulated: args
            .sim
            .simulate
            .then(|| (format!("d = {}", args.sim.size_or(D)), args.sim.trials)),
    }
}

fn evaluate(args: &RfArgs, piece: &Piece<'_>) -> Vec<Outcome> {
    let build = |v: &[f64]| params(args, v).check();
    let curve = (piece.line == 2 && !args.optimal_lambda).then_some(
        |m: &RandomFeaturesModel, xs: &[f64]| {
            let (lb, zs) = (m.reduced().lambda_bar(), m.reduced().zeta_sq());
            let lambda = m.lambda();
            Ok(m.curve_psi1(xs)?
                .into_iter()
                .map(|r| (lambda, r, lb, zs))
                .collect::<Vec<Solved>>())
        },
    );
    let single = |m: &RandomFeaturesModel| {
        let m = if args.optimal_lambda {
            m.with_lambda(m.optimal_lambda()?.lambda)?
        } else {
            m.clone()
        };
        Ok((
            m.lambda(),
            m.risk()?,
            m.reduced().lambda_bar(),
            m.reduced().zeta_sq(),
        ))
    };
    along(piece, build, curve, single)
        .into_iter()
        .map(|(v, solved)| outcome(args, &v, solved))
        .collect()
}

fn outcome(args: &RfArgs, v: &[f64], solved: overparam::Result<Solved>) -> Outcome {
    let mut p = params(args, v);
    if let Ok((lambda, ..)) = &solved {
        p.lambda = *lambda;
    }
    let mut rec = Record::default();
    rec.num("psi1", p.psi1);
    rec.num("psi2", p.psi2);
    rec.num("lambda", p.lambda);
    rec.push(
        "activation",
        Field::Text(args.activation.name().to_string()),
    );
    rec.num("f1", args.f1);
    rec.num("f_star", args.f_star);
    rec.num("noise_sd", args.noise_sd);
    // Deprecated keys (same values): fstar, tau.
    rec.num("fstar", args.f_star);
    rec.num("tau", args.noise_sd);
    if args.optimal_lambda {
        rec.push("optimal_lambda", Field::Bool(true));
    }
    let r = solved.as_ref().ok();
    let get = |f: fn(&Solved) -> f64| Field::opt(r.map(f));
    rec.push("test_error", get(|s| s.1.test_error));
    rec.push("train_error", get(|s| s.1.train_error));
    rec.push("bias", get(|s| s.1.bias));
    rec.push("variance", get(|s| s.1.variance));
    rec.push("bias_coefficient", get(|s| s.1.bias_coefficient));
    rec.push("variance_coefficient", get(|s| s.1.variance_coefficient));
    rec.push("lambda_bar", get(|s| s.2));
    rec.push("zeta_sq", get(|s| s.3));
    rec.push("chi", get(|s| s.1.chi));
    rec.push("residual", get(|s| s.1.residual));
    rec.push(
        "iterations",
        r.map_or(Field::Null, |s| Field::Int(s.1.iterations as u64)),
    );
    let mut error = None;
    if let Err(e) = &solved {
        rec.push("error", Field::Text(e.to_string()));
        error = Some(e.clone());
    }
    if args.sim.simulate {
        let sim_error = simulate(args, &p, &mut rec);
        error = error.or(sim_error);
    }
    Outcome { record: rec, error }
}

/// Simulate one point and add the simulation fields to its record.
fn simulate(args: &RfArgs, p: &RandomFeatures, rec: &mut Record) -> Option<overparam::Error> {
    simulate_point(
        rec,
        simulation(args, p).check(),
        &[
            ("d", |s: &RandomFeaturesSimulator| Field::Int(s.d() as u64)),
            ("realised_psi1", |s| Field::Num(s.realised_psi1())),
            ("realised_psi2", |s| Field::Num(s.realised_psi2())),
        ],
        &RISK_METRICS,
        (
            run_options(&args.sim, &axes(args)),
            args.sim.join(args.out.kappa),
        ),
        &RISK_OLD_KEYS,
    )
}
