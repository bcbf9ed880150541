//! `overparam ridge`: linear ridge / min-norm regression (Hastie, Montanari, Rosset, Tibshirani).
//! Arguments -> `Ridge` -> records; with `--spectrum`, arguments -> `AnisotropicRidge` -> records
//! (the deterministic equivalent for any population covariance and target alignment).

use std::sync::Arc;

use clap::Args;
use overparam::compare::RISK_METRICS;
use overparam::sim::ridge::{
    AnisotropicRidgeSimulation, AnisotropicRidgeSimulator, LinearRidgeSimulation,
    LinearRidgeSimulator,
};
use overparam::spectral::Population;
use overparam::spectral::population::CERTIFIED_RULE_MIN_POINTS;
use overparam::theory::ridge::{
    AnisotropicRidge, AnisotropicRidgeModel, AnisotropicRidgeRisk, Ridge, RidgeModel, RidgeRisk,
};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, RiskOutput, along, run_options, validate_blaming};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Record};
use crate::simulate::{RISK_OLD_KEYS, SimulateArgs, simulate_point};

/// Arguments of `overparam ridge`.
#[derive(Debug, Args)]
pub struct RidgeArgs {
    /// gamma = p/n, parameters per sample: X or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    gamma: ValueOrRange,
    /// Ridge penalty lambda >= 0 in min (1/n)||y - Xb||^2 + lambda ||b||^2; 0 gives least squares
    /// (gamma < 1) or the min-norm interpolator (gamma > 1). X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true,
          required_unless_present = "optimal_lambda", conflicts_with = "optimal_lambda")]
    lambda: Option<ValueOrRange>,
    /// Use the test-error-minimising lambda* = gamma/snr at each point instead of --lambda.
    #[arg(long)]
    optimal_lambda: bool,
    /// Signal-to-noise ratio ||beta||^2 / noise_sd^2: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    snr: ValueOrRange,
    /// Label-noise standard deviation. Deprecated alias: --sigma.
    #[arg(
        long,
        alias = "sigma",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    noise_sd: f64,
    /// Population covariance spectrum and target alignment: a CSV file with the header
    /// `eigenvalue,weight,signal` (weights = shares of the p dimensions, signal = shares of
    /// ||beta||^2; both normalised), or `powerlaw:ALPHA:P` (eigenvalues k^-ALPHA, k = 1..P, equal
    /// weights, signal shares k^-BETA with BETA from --signal-exponent). Without it: isotropic.
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
    #[command(flatten)]
    sim: SimulateArgs,
    #[command(flatten)]
    out: RiskOutput,
}

/// Default simulated sample size.
const N: usize = 200;

/// Axes, outermost first: snr, lambda, gamma.
fn axes(args: &RidgeArgs) -> [Axis; 3] {
    [
        Axis::new("snr", args.snr),
        // With --optimal-lambda the lambda axis is a placeholder, replaced at every point.
        match args.lambda {
            Some(values) => Axis::new("lambda", values),
            None => Axis::placeholder("lambda", 1.0),
        },
        Axis::new("gamma", args.gamma),
    ]
}

fn params(args: &RidgeArgs, v: &[f64]) -> Ridge {
    Ridge {
        snr: v[0],
        lambda: v[1],
        gamma: v[2],
        noise_sd: args.noise_sd,
        ..Ridge::default()
    }
}

fn simulation(args: &RidgeArgs, p: &Ridge) -> LinearRidgeSimulation {
    LinearRidgeSimulation {
        model: *p,
        n: args.sim.size_or(N),
    }
}

/// The library reports a signal energy $\mathrm{snr}\,\sigma^2$ that overflows against `snr`;
/// a valid snr with a huge `--noise-sd` breaks it as much, so the message names both flags.
fn blame(e: &overparam::Error) -> Option<String> {
    match e {
        overparam::Error::InvalidParameter {
            name: "snr", value, ..
        } if value.is_finite() && *value >= 0.0 => {
            Some("--snr with --noise-sd (alias --sigma)".into())
        }
        _ => None,
    }
}

/// Run `overparam ridge`.
pub fn run(args: RidgeArgs) -> Result<(), CliError> {
    if let Some(spec) = &args.spectrum {
        let population = Arc::new(population(spec, args.signal_exponent)?);
        return run_anisotropic(&args, population);
    }
    crate::plot::check_path(args.out.plot.as_ref())?;
    let axes = axes(&args);
    validate_blaming(&axes, |v| params(&args, v).check().map(|_| ()), blame)?;
    if args.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        simulation(&args, &params(&args, &base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        args.sim
            .check_memory(&axes, |v| simulation(&args, &params(&args, v)).check())?;
    }
    let summary = || crate::plot::Summary {
        model: "linear ridge".into(),
        fixed: vec![("noise_sd", args.noise_sd)],
        simulated: args
            .sim
            .simulate
            .then(|| (format!("n = {}", args.sim.size_or(N)), args.sim.trials)),
    };
    args.out.stream_and_plot(
        &axes,
        ["gamma", "lambda", "snr"],
        &args.sim,
        summary,
        |piece| evaluate(&args, piece),
        |v| {
            let r = solve(&args, &params(&args, v).check()?)?;
            Ok([r.1.test_error, r.1.train_error])
        },
    )
}

/// The lambda used and the risk there.
fn solve(args: &RidgeArgs, m: &RidgeModel) -> overparam::Result<(f64, RidgeRisk)> {
    if args.optimal_lambda {
        let o = m.optimal_lambda()?;
        Ok((o.lambda, o.at_optimum))
    } else {
        Ok((m.lambda(), m.risk()?))
    }
}

fn evaluate(args: &RidgeArgs, piece: &Piece<'_>) -> Vec<Outcome> {
    // Closed forms: no curve function is needed.
    let no_curve = None::<fn(&RidgeModel, &[f64]) -> overparam::Result<Vec<(f64, RidgeRisk)>>>;
    along(
        piece,
        |v| params(args, v).check(),
        no_curve,
        |m| solve(args, m),
    )
    .into_iter()
    .map(|(v, solved)| outcome(args, &v, solved))
    .collect()
}

fn outcome(args: &RidgeArgs, v: &[f64], solved: overparam::Result<(f64, RidgeRisk)>) -> Outcome {
    let mut p = params(args, v);
    if let Ok((lambda, _)) = &solved {
        p.lambda = *lambda;
    }
    let mut rec = Record::default();
    rec.num("gamma", p.gamma);
    rec.num("lambda", p.lambda);
    rec.num("snr", p.snr);
    rec.num("noise_sd", p.noise_sd);
    rec.num("sigma", p.noise_sd); // deprecated key
    if args.optimal_lambda {
        rec.push("optimal_lambda", Field::Bool(true));
    }
    let r = solved.as_ref().ok().map(|s| &s.1);
    rec.push("test_error", Field::opt(r.map(|r| r.test_error)));
    rec.push("train_error", Field::opt(r.map(|r| r.train_error)));
    rec.push("bias", Field::opt(r.map(|r| r.bias)));
    rec.push("variance", Field::opt(r.map(|r| r.variance)));
    let mut error = None;
    if let Err(e) = &solved {
        rec.push("error", Field::Text(e.to_string()));
        error = Some(e.clone());
    }
    if args.sim.simulate {
        error = error.or(simulate(args, &p, &mut rec));
    }
    Outcome { record: rec, error }
}

/// Simulate one point and add the simulation fields to its record.
fn simulate(args: &RidgeArgs, p: &Ridge, rec: &mut Record) -> Option<overparam::Error> {
    simulate_point(
        rec,
        simulation(args, p).check(),
        &[
            ("n", |s: &LinearRidgeSimulator| Field::Int(s.n() as u64)),
            ("p", |s| Field::Int(s.p() as u64)),
            ("realised_gamma", |s| Field::Num(s.realised_gamma())),
        ],
        &RISK_METRICS,
        (
            run_options(&args.sim, &axes(args)),
            args.sim.join(args.out.kappa),
        ),
        &RISK_OLD_KEYS,
    )
}

/// Parse `--spectrum`: `powerlaw:ALPHA:P` or a CSV file (errors name the file, the line and the
/// problem; exit status 2).
pub(crate) fn population(spec: &str, signal_exponent: Option<f64>) -> Result<Population, CliError> {
    if let Some(rest) = spec.strip_prefix("powerlaw:") {
        let bad = || {
            CliError::usage(format!(
                "--spectrum {spec}: expected powerlaw:ALPHA:P with ALPHA >= 0 a number and P >= 1 an integer"
            ))
        };
        let (a, p) = rest.split_once(':').ok_or_else(bad)?;
        let alpha: f64 = a.trim().parse().map_err(|_| bad())?;
        let count: usize = p.trim().parse().map_err(|_| bad())?;
        Population::power_law(alpha, signal_exponent.unwrap_or(0.0), count).map_err(|e| {
            let flag = match &e {
                overparam::Error::InvalidParameter { name: "beta", .. } => "--signal-exponent",
                _ => "--spectrum",
            };
            CliError::usage(format!("{flag}: {e}"))
        })
    } else {
        if signal_exponent.is_some() {
            return Err(CliError::usage(
                "--signal-exponent applies to --spectrum powerlaw:ALPHA:P only (a spectrum file gives the signal shares in its `signal` column)",
            ));
        }
        Population::from_csv_path(std::path::Path::new(spec))
            .map_err(|e| CliError::usage(format!("--spectrum: {e}")))
    }
}

fn aparams(args: &RidgeArgs, pop: &Arc<Population>, v: &[f64]) -> AnisotropicRidge {
    AnisotropicRidge {
        population: Arc::clone(pop),
        snr: v[0],
        lambda: v[1],
        gamma: v[2],
        noise_sd: args.noise_sd,
    }
}

fn asimulation(args: &RidgeArgs, p: &AnisotropicRidge) -> AnisotropicRidgeSimulation {
    AnisotropicRidgeSimulation {
        model: p.clone(),
        n: args.sim.size_or(N),
    }
}

/// `overparam ridge --spectrum ...`: the anisotropic model.
fn run_anisotropic(args: &RidgeArgs, pop: Arc<Population>) -> Result<(), CliError> {
    crate::plot::check_path(args.out.plot.as_ref())?;
    let axes = axes(args);
    validate_blaming(&axes, |v| aparams(args, &pop, v).check().map(|_| ()), blame)?;
    // A long run is evaluated on the certified compressed rule (built once here; the decision
    // depends on the grid's size only, so the output does not depend on evaluation order).
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    if points >= CERTIFIED_RULE_MIN_POINTS {
        pop.build_certified_rule();
    }
    if args.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        asimulation(args, &aparams(args, &pop, &base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        args.sim.check_memory(&axes, |v| {
            asimulation(args, &aparams(args, &pop, v)).check()
        })?;
    }
    let summary = || crate::plot::Summary {
        model: "anisotropic ridge".into(),
        fixed: vec![("noise_sd", args.noise_sd)],
        simulated: args
            .sim
            .simulate
            .then(|| (format!("n = {}", args.sim.size_or(N)), args.sim.trials)),
    };
    let spectrum = args.spectrum.clone().unwrap_or_default();
    args.out.stream_and_plot(
        &axes,
        ["gamma", "lambda", "snr"],
        &args.sim,
        summary,
        |piece| {
            let no_curve = None::<
                fn(
                    &AnisotropicRidgeModel,
                    &[f64],
                ) -> overparam::Result<Vec<(f64, AnisotropicRidgeRisk)>>,
            >;
            along(
                piece,
                |v| aparams(args, &pop, v).check(),
                no_curve,
                |m| asolve(args, m),
            )
            .into_iter()
            .map(|(v, solved)| aoutcome(args, &pop, &spectrum, &v, solved))
            .collect()
        },
        |v| {
            let r = asolve(args, &aparams(args, &pop, v).check()?)?;
            Ok([r.1.test_error, r.1.train_error])
        },
    )
}

fn asolve(
    args: &RidgeArgs,
    m: &AnisotropicRidgeModel,
) -> overparam::Result<(f64, AnisotropicRidgeRisk)> {
    if args.optimal_lambda {
        let o = m.optimal_lambda()?;
        Ok((o.lambda, o.at_optimum))
    } else {
        Ok((m.lambda(), m.risk()?))
    }
}

fn aoutcome(
    args: &RidgeArgs,
    pop: &Arc<Population>,
    spectrum: &str,
    v: &[f64],
    solved: overparam::Result<(f64, AnisotropicRidgeRisk)>,
) -> Outcome {
    let mut p = aparams(args, pop, v);
    if let Ok((lambda, _)) = &solved {
        p.lambda = *lambda;
    }
    let mut rec = Record::default();
    rec.num("gamma", p.gamma);
    rec.num("lambda", p.lambda);
    rec.num("snr", p.snr);
    rec.num("noise_sd", p.noise_sd);
    rec.push("spectrum", Field::Text(spectrum.to_string()));
    rec.push("atoms", Field::Int(pop.len() as u64));
    if args.optimal_lambda {
        rec.push("optimal_lambda", Field::Bool(true));
    }
    let r = solved.as_ref().ok().map(|s| &s.1);
    rec.push("test_error", Field::opt(r.map(|r| r.test_error)));
    rec.push("train_error", Field::opt(r.map(|r| r.train_error)));
    rec.push("bias", Field::opt(r.map(|r| r.bias)));
    rec.push("variance", Field::opt(r.map(|r| r.variance)));
    rec.push("kappa", Field::opt(r.map(|r| r.kappa)));
    rec.push("df_ratio", Field::opt(r.map(|r| r.df_ratio)));
    rec.push("gcv", Field::opt(r.map(|r| r.gcv)));
    rec.push("kappa_residual", Field::opt(r.map(|r| r.solve.residual)));
    rec.push(
        "kappa_iterations",
        match r {
            Some(r) => Field::Int(r.solve.iterations as u64),
            None => Field::Null,
        },
    );
    let mut error = None;
    if let Err(e) = &solved {
        rec.push("error", Field::Text(e.to_string()));
        error = Some(e.clone());
    }
    if args.sim.simulate {
        rec.push(
            "p_rounding",
            Field::Text("p = sum_j round(w_j * round(gamma * n))".into()),
        );
        let simulated = simulate_point(
            &mut rec,
            asimulation(args, &p).check(),
            &[
                (
                    "n",
                    |s: &AnisotropicRidgeSimulator| Field::Int(s.n() as u64),
                ),
                ("p", |s| Field::Int(s.p() as u64)),
                ("realised_gamma", |s| Field::Num(s.realised_gamma())),
            ],
            &RISK_METRICS,
            (
                run_options(&args.sim, &axes(args)),
                args.sim.join(args.out.kappa),
            ),
            &RISK_OLD_KEYS,
        );
        error = error.or(simulated);
    }
    Outcome { record: rec, error }
}
