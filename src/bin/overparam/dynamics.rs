//! `overparam dynamics`: training dynamics of least squares (gradient flow, gradient descent,
//! heavy ball, Nesterov), isotropic design or any population spectrum (`--spectrum`, parsed as
//! `ridge --spectrum`). Arguments -> `Dynamics` (+ `AnisotropicDynamics`) -> records.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use overparam::compare::RISK_METRICS;
use overparam::sim::dynamics::{
    AnisotropicDynamicsSimulation, AnisotropicDynamicsSimulator, DynamicsSimulation,
    DynamicsSimulator,
};
use overparam::spectral::Population;
use overparam::theory::dynamics::{
    Algorithm, AnisotropicDynamicsModel, Dynamics, DynamicsModel, DynamicsRisk, steps_of,
};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, RiskOutput, along, run_options, validate};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Record};
use crate::simulate::{RISK_OLD_KEYS, SimulateArgs, simulate_point};

/// The method (`--algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    /// Gradient flow, continuous time --time.
    GradientFlow,
    /// Gradient descent, --lr, --steps.
    Gd,
    /// Heavy ball (Polyak momentum), --lr, --momentum, --steps.
    HeavyBall,
    /// Nesterov momentum, --lr, --momentum, --steps.
    Nesterov,
}

impl From<AlgorithmArg> for Algorithm {
    fn from(a: AlgorithmArg) -> Self {
        match a {
            AlgorithmArg::GradientFlow => Algorithm::GradientFlow,
            AlgorithmArg::Gd => Algorithm::GradientDescent,
            AlgorithmArg::HeavyBall => Algorithm::HeavyBall,
            AlgorithmArg::Nesterov => Algorithm::Nesterov,
        }
    }
}

/// Arguments of `overparam dynamics`.
#[derive(Debug, Args)]
pub struct DynamicsArgs {
    /// gamma = p/n, parameters per sample: X or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, required_if_eq("model", "linear"))]
    gamma: Option<ValueOrRange>,
    /// Signal-to-noise ratio ||beta||^2 / noise_sd^2: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, required_if_eq("model", "linear"))]
    snr: Option<ValueOrRange>,
    /// Label-noise standard deviation. Alias: --sigma.
    #[arg(long, alias = "sigma", default_value_t = 1.0)]
    noise_sd: f64,
    /// Ridge term lambda >= 0 in the loss (1/2n)||y - Xb||^2 + (lambda/2)||b||^2 (default 0: the
    /// long-time limit is least squares / the min-norm interpolator).
    #[arg(long, value_parser = parse_value_or_range, default_value = "0")]
    lambda: ValueOrRange,
    /// The method.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::GradientFlow)]
    algorithm: AlgorithmArg,
    /// Gradient-flow time t >= 0: X or START:STOP:COUNT (a log-spaced curve over time).
    #[arg(long, value_parser = parse_value_or_range)]
    time: Option<ValueOrRange>,
    /// Number of steps of gd, heavy-ball, nesterov: an integer, or START:STOP:COUNT (rounded to
    /// integers).
    #[arg(long, value_parser = parse_value_or_range)]
    steps: Option<ValueOrRange>,
    /// Step size eta > 0 of gd, heavy-ball, nesterov (stable when eta (lambda + (1 +
    /// sqrt(gamma))^2) < 2, 2 (1 + m), 2 (1 + m)/(1 + 2m) respectively).
    #[arg(long, value_parser = parse_value_or_range)]
    lr: Option<ValueOrRange>,
    /// Momentum m in [0, 1) of heavy-ball and nesterov (default 0).
    #[arg(long, value_parser = parse_value_or_range)]
    momentum: Option<ValueOrRange>,
    /// Print the early-stopping optimum (the time or number of steps minimising the test error)
    /// and its comparison with optimally tuned ridge instead of a given time.
    #[arg(long, conflicts_with_all = ["time", "steps"])]
    early_stopping: bool,
    /// A population spectrum (general covariance), as `ridge --spectrum`: a CSV file with the
    /// header `eigenvalue,weight,signal` (dimension shares and shares of ||beta||^2), or
    /// `powerlaw:ALPHA:P` (eigenvalues k^-ALPHA, k = 1..P, equal weights). With
    /// --early-stopping the ridge comparison is anisotropic ridge at its optimal penalty.
    #[arg(long, value_name = "FILE|powerlaw:ALPHA:P")]
    spectrum: Option<String>,
    /// Signal exponent BETA of `--spectrum powerlaw:ALPHA:P`: the share of ||beta||^2 on the k-th
    /// eigendirection is proportional to k^-BETA (default 0: spread evenly).
    #[arg(
        long,
        requires = "spectrum",
        value_name = "BETA",
        allow_negative_numbers = true
    )]
    signal_exponent: Option<f64>,
    /// The parsed `--spectrum` (filled by `run`).
    #[arg(skip)]
    population: Option<Arc<Population>>,
    /// The model: linear (least squares; --gamma, --snr) or rf (random features, second layer
    /// trained: --psi1, --psi2, --activation, --f1, --f-star).
    #[arg(long, value_enum, default_value_t = crate::dynamics_rf::ModelArg::Linear)]
    model: crate::dynamics_rf::ModelArg,
    #[command(flatten)]
    rf: crate::dynamics_rf::RfFlags,
    #[command(flatten)]
    sim: SimulateArgs,
    #[command(flatten)]
    out: RiskOutput,
}

/// Default simulated sample size.
const N: usize = 200;

/// Index of the time axis (the last one, so that curves over time are the line axis).
const TIME: usize = 5;

fn algorithm(args: &DynamicsArgs) -> Algorithm {
    args.algorithm.into()
}

/// The record key and flag of the time axis: `time` (gradient flow) or `steps`.
fn time_name(args: &DynamicsArgs) -> &'static str {
    if algorithm(args).is_discrete() {
        "steps"
    } else {
        "time"
    }
}

/// Axes, outermost first: snr, gamma, lambda, lr, momentum, time (or steps).
fn axes(args: &DynamicsArgs) -> [Axis; 6] {
    let opt = |name, v: Option<ValueOrRange>, default| match v {
        Some(values) => Axis::new(name, values),
        None => Axis::placeholder(name, default),
    };
    let time = if algorithm(args).is_discrete() {
        args.steps
    } else {
        args.time
    };
    let mut time_axis = opt(time_name(args), time, 0.0);
    // The library reports a bad time as `time` (gradient flow) or `steps`.
    time_axis.field = time_name(args);
    [
        Axis::new("snr", args.snr.unwrap_or(ValueOrRange::single(1.0))),
        Axis::new("gamma", args.gamma.unwrap_or(ValueOrRange::single(1.0))),
        Axis::new("lambda", args.lambda),
        opt("lr", args.lr, 0.1),
        opt("momentum", args.momentum, 0.0),
        time_axis,
    ]
}

fn params(args: &DynamicsArgs, v: &[f64]) -> Dynamics {
    Dynamics {
        snr: v[0],
        gamma: v[1],
        lambda: v[2],
        lr: v[3],
        momentum: v[4],
        noise_sd: args.noise_sd,
        algorithm: algorithm(args),
    }
}

/// The checked model of a point: isotropic, or with the `--spectrum` population.
#[derive(Debug, Clone)]
enum Model {
    Isotropic(DynamicsModel),
    Population(Box<AnisotropicDynamicsModel>),
}

impl Model {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Isotropic(m) => m.algorithm(),
            Self::Population(m) => m.algorithm(),
        }
    }
    fn at(&self, time: f64) -> overparam::Result<DynamicsRisk> {
        match self {
            Self::Isotropic(m) => m.at(time),
            Self::Population(m) => m.at(time),
        }
    }
    fn curve(&self, times: &[f64]) -> overparam::Result<Vec<DynamicsRisk>> {
        match self {
            Self::Isotropic(m) if m.algorithm().is_discrete() => {
                let steps = times
                    .iter()
                    .map(|&t| steps_of(t))
                    .collect::<overparam::Result<Vec<u64>>>()?;
                m.curve_steps(&steps)
            }
            Self::Isotropic(m) => m.curve_time(times),
            Self::Population(m) => m.curve(times),
        }
    }
    fn check_time(&self, time: f64) -> overparam::Result<f64> {
        match self {
            Self::Isotropic(m) => m.check_time(time),
            Self::Population(m) => m.check_time(time),
        }
    }
}

fn model(args: &DynamicsArgs, v: &[f64]) -> overparam::Result<Model> {
    let p = params(args, v);
    match &args.population {
        Some(pop) => Ok(Model::Population(Box::new(
            p.with_population(Arc::clone(pop)).check()?,
        ))),
        None => p.check().map(Model::Isotropic),
    }
}

fn asimulation(args: &DynamicsArgs, v: &[f64]) -> Option<AnisotropicDynamicsSimulation> {
    args.population
        .as_ref()
        .map(|pop| AnisotropicDynamicsSimulation {
            model: params(args, v).with_population(Arc::clone(pop)),
            n: args.sim.size_or(N),
            time: time_of(args, v),
        })
}

/// The time of a point: the steps of a range are rounded to integers (a log-spaced range of
/// steps); a single `--steps` value must be an integer itself.
fn time_of(args: &DynamicsArgs, v: &[f64]) -> f64 {
    if algorithm(args).is_discrete() && args.steps.is_some_and(|s| s.is_range()) {
        v[TIME].round()
    } else {
        v[TIME]
    }
}

fn simulation(args: &DynamicsArgs, p: &Dynamics, time: f64) -> DynamicsSimulation {
    DynamicsSimulation {
        model: *p,
        n: args.sim.size_or(N),
        time,
    }
}

/// Flags that do not apply to the chosen method, or that it needs.
fn check_flags(args: &DynamicsArgs) -> Result<(), CliError> {
    let discrete = algorithm(args).is_discrete();
    let name = algorithm(args).name();
    if discrete {
        if args.time.is_some() {
            return Err(CliError::usage(format!(
                "--time: applies to --algorithm gradient-flow; {name} takes --steps"
            )));
        }
        if args.lr.is_none() {
            return Err(CliError::usage(format!(
                "--lr: required by --algorithm {name}"
            )));
        }
        if args.steps.is_none() && !args.early_stopping {
            return Err(CliError::usage(format!(
                "--steps: required by --algorithm {name} (or --early-stopping)"
            )));
        }
        if algorithm(args) == Algorithm::GradientDescent && args.momentum.is_some() {
            return Err(CliError::usage(
                "--momentum: does not apply to --algorithm gd (use heavy-ball or nesterov)",
            ));
        }
    } else {
        for (flag, given) in [
            ("--steps", args.steps.is_some()),
            ("--lr", args.lr.is_some()),
            ("--momentum", args.momentum.is_some()),
        ] {
            if given {
                return Err(CliError::usage(format!(
                    "{flag}: does not apply to --algorithm gradient-flow (use gd, heavy-ball or nesterov)"
                )));
            }
        }
        if args.time.is_none() && !args.early_stopping {
            return Err(CliError::usage(
                "--time: required by --algorithm gradient-flow (or --early-stopping)",
            ));
        }
    }
    Ok(())
}

/// The library's validation of one point: the model and its time.
fn check_point(args: &DynamicsArgs, v: &[f64]) -> overparam::Result<()> {
    let m = model(args, v)?;
    if !args.early_stopping {
        m.check_time(time_of(args, v))?;
    }
    Ok(())
}

/// Run `overparam dynamics`.
pub fn run(mut args: DynamicsArgs) -> Result<(), CliError> {
    if args.model == crate::dynamics_rf::ModelArg::Rf {
        return crate::dynamics_rf::run(crate::dynamics_rf::RfInvocation {
            flags: &args.rf,
            lambda: args.lambda,
            algorithm: algorithm(&args),
            time: args.time,
            steps: args.steps,
            lr: args.lr,
            momentum: args.momentum,
            noise_sd: args.noise_sd,
            early_stopping: args.early_stopping,
            linear_flags: [
                ("--gamma", args.gamma.is_some()),
                ("--snr", args.snr.is_some()),
                ("--spectrum", args.spectrum.is_some()),
            ]
            .into_iter()
            .filter_map(|(f, given)| given.then_some(f))
            .collect(),
            sim: &args.sim,
            out: &args.out,
        });
    }
    if let Some(flag) = args.rf.first_given() {
        return Err(CliError::usage(format!(
            "{flag}: applies to --model rf only"
        )));
    }
    for (flag, given) in [
        ("--gamma", args.gamma.is_some()),
        ("--snr", args.snr.is_some()),
    ] {
        if !given {
            return Err(CliError::usage(format!(
                "{flag}: required by --model linear"
            )));
        }
    }
    check_flags(&args)?;
    if let Some(spec) = &args.spectrum {
        args.population = Some(Arc::new(crate::ridge::population(
            spec,
            args.signal_exponent,
        )?));
    }
    crate::plot::check_path(args.out.plot.as_ref())?;
    let axes = axes(&args);
    validate(&axes, |v| check_point(&args, v))?;
    // With --early-stopping the time is found per point; the sizes (hence the memory) do not
    // depend on it, so the placeholder time 0 checks them.
    if args.sim.simulate && args.population.is_some() {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        let build = |v: &[f64]| -> overparam::Result<AnisotropicDynamicsSimulator> {
            match asimulation(&args, v) {
                Some(s) => s.check(),
                None => Err(overparam::Error::NonFinite {
                    what: "no population",
                }),
            }
        };
        build(&base).map_err(|e| CliError::from_library(&e))?;
        args.sim.check_memory(&axes, build)?;
    } else if args.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        simulation(&args, &params(&args, &base), time_of(&args, &base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        args.sim.check_memory(&axes, |v| {
            simulation(&args, &params(&args, v), time_of(&args, v)).check()
        })?;
    }
    let summary = || crate::plot::Summary {
        model: match &args.spectrum {
            Some(spec) => format!(
                "least squares, {}, spectrum {spec}",
                algorithm(&args).name()
            ),
            None => format!("least squares, {}", algorithm(&args).name()),
        },
        fixed: vec![("noise_sd", args.noise_sd)],
        simulated: args
            .sim
            .simulate
            .then(|| (format!("n = {}", args.sim.size_or(N)), args.sim.trials)),
    };
    args.out.stream_and_plot(
        &axes,
        ["gamma", "snr", time_name(&args)],
        &args.sim,
        summary,
        |piece| evaluate(&args, piece),
        |v| {
            let r = solve(&args, &model(&args, v)?, time_of(&args, v))?;
            Ok([r.risk.test_error, r.risk.train_error])
        },
    )
}

/// What one point computed: the risk at the time, and the early-stopping extras.
#[derive(Debug, Clone, Copy)]
struct Solved {
    risk: DynamicsRisk,
    early: Option<Early>,
}

/// The early-stopping extras of either population.
#[derive(Debug, Clone, Copy)]
struct Early {
    stops_early: bool,
    ridge_lambda: f64,
    ridge_test_error: f64,
    ratio_to_ridge: f64,
}

fn solve(args: &DynamicsArgs, m: &Model, time: f64) -> overparam::Result<Solved> {
    if args.early_stopping {
        let (risk, early) = match m {
            Model::Isotropic(m) => {
                let es = m.early_stopping()?;
                let early = Early {
                    stops_early: es.stops_early,
                    ridge_lambda: es.ridge.lambda,
                    ridge_test_error: es.ridge.at_optimum.test_error,
                    ratio_to_ridge: es.ratio_to_ridge,
                };
                (es.at_optimum, early)
            }
            Model::Population(m) => {
                let es = m.early_stopping()?;
                let early = Early {
                    stops_early: es.stops_early,
                    ridge_lambda: es.ridge.lambda,
                    ridge_test_error: es.ridge.at_optimum.test_error,
                    ratio_to_ridge: es.ratio_to_ridge,
                };
                (es.at_optimum, early)
            }
        };
        Ok(Solved {
            risk,
            early: Some(early),
        })
    } else {
        Ok(Solved {
            risk: m.at(time)?,
            early: None,
        })
    }
}

fn evaluate(args: &DynamicsArgs, piece: &Piece<'_>) -> Vec<Outcome> {
    // Along the time axis: the library's curve (one quadrature level for all times, one
    // recursion up to the last step).
    let curve = (piece.line == TIME && !args.early_stopping).then_some(
        |(m, _): &(Model, f64), times: &[f64]| -> overparam::Result<Vec<Solved>> {
            let times: Vec<f64> = if m.algorithm().is_discrete() {
                times.iter().map(|t| t.round()).collect()
            } else {
                times.to_vec()
            };
            Ok(m.curve(&times)?
                .into_iter()
                .map(|risk| Solved { risk, early: None })
                .collect())
        },
    );
    along(
        piece,
        |v| Ok((model(args, v)?, time_of(args, v))),
        curve,
        |(m, t)| solve(args, m, *t),
    )
    .into_iter()
    .map(|(v, solved)| outcome(args, &v, solved))
    .collect()
}

fn outcome(args: &DynamicsArgs, v: &[f64], solved: overparam::Result<Solved>) -> Outcome {
    let p = params(args, v);
    let discrete = p.algorithm.is_discrete();
    let mut rec = Record::default();
    rec.num("gamma", p.gamma);
    rec.num("snr", p.snr);
    rec.num("noise_sd", p.noise_sd);
    rec.num("lambda", p.lambda);
    rec.push("algorithm", Field::Text(p.algorithm.name().to_string()));
    if discrete {
        rec.num("lr", p.lr);
        if p.algorithm != Algorithm::GradientDescent {
            rec.num("momentum", p.momentum);
        }
    }
    let time = match &solved {
        Ok(s) if args.early_stopping => s.risk.time,
        _ => time_of(args, v),
    };
    if discrete {
        rec.push("steps", Field::count(time));
    } else {
        rec.num("time", time);
    }
    let r = solved.as_ref().ok().map(|s| &s.risk);
    rec.push("test_error", Field::opt(r.map(|r| r.test_error)));
    rec.push("train_error", Field::opt(r.map(|r| r.train_error)));
    rec.push("bias", Field::opt(r.map(|r| r.bias)));
    rec.push("variance", Field::opt(r.map(|r| r.variance)));
    rec.push(
        "quadrature_error",
        Field::opt(r.map(|r| r.quadrature_error)),
    );
    rec.push(
        "nodes",
        r.map_or(Field::Null, |r| Field::Int(r.nodes as u64)),
    );
    if args.early_stopping {
        let es = solved.as_ref().ok().and_then(|s| s.early);
        rec.push(
            "stops_early",
            es.map_or(Field::Null, |e| Field::Bool(e.stops_early)),
        );
        rec.push("ridge_lambda", Field::opt(es.map(|e| e.ridge_lambda)));
        rec.push(
            "ridge_test_error",
            Field::opt(es.map(|e| e.ridge_test_error)),
        );
        rec.push("ratio_to_ridge", Field::opt(es.map(|e| e.ratio_to_ridge)));
    }
    let mut error = None;
    if let Err(e) = &solved {
        rec.push("error", Field::Text(e.to_string()));
        error = Some(e.clone());
    }
    if args.sim.simulate {
        error = error.or(match asimulation(args, v) {
            Some(s) => {
                simulate_population(args, AnisotropicDynamicsSimulation { time, ..s }, &mut rec)
            }
            None => simulate(args, &p, time, &mut rec),
        });
    }
    Outcome { record: rec, error }
}

/// Simulate one point (at its time, or at the early-stopping optimum) and add the join fields.
fn simulate(
    args: &DynamicsArgs,
    p: &Dynamics,
    time: f64,
    rec: &mut Record,
) -> Option<overparam::Error> {
    simulate_point(
        rec,
        simulation(args, p, time).check(),
        &[
            ("n", |s: &DynamicsSimulator| Field::Int(s.n() as u64)),
            ("p", |s| Field::Int(s.p() as u64)),
            ("realised_gamma", |s| Field::Num(s.realised_gamma())),
        ],
        &RISK_METRICS,
        (
            run_options(&args.sim, &axes(args)),
            args.sim.join(args.out.kappa),
        ),
        &RISK_OLD_KEYS[..0],
    )
}

/// Simulate one point with the `--spectrum` population and add the join fields.
fn simulate_population(
    args: &DynamicsArgs,
    sim: AnisotropicDynamicsSimulation,
    rec: &mut Record,
) -> Option<overparam::Error> {
    simulate_point(
        rec,
        sim.check(),
        &[
            ("n", |s: &AnisotropicDynamicsSimulator| {
                Field::Int(s.n() as u64)
            }),
            ("p", |s| Field::Int(s.p() as u64)),
            ("realised_gamma", |s| Field::Num(s.realised_gamma())),
        ],
        &RISK_METRICS,
        (
            run_options(&args.sim, &axes(args)),
            args.sim.join(args.out.kappa),
        ),
        &RISK_OLD_KEYS[..0],
    )
}
