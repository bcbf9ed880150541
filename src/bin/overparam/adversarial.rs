//! `overparam adversarial`: adversarially trained random features (Hassani & Javanmard, Thm 4.2)
//! and the linear special case. Arguments -> `AdversarialRf` / `AdversarialLinear` -> records.

use clap::Args;
use overparam::experiment::Experiment;
use overparam::sim::adversarial::{
    ADVERSARIAL_METRICS, AdversarialLinearSimulation, AdversarialLinearSimulator,
    AdversarialRfSimulation, AdversarialRfSimulator,
};
use overparam::theory::adversarial::{
    AdversarialLinear, AdversarialLinearModel, AdversarialLinearSolution, AdversarialRf,
    AdversarialRfModel, AdversarialRfSolution, SaddlePoint,
};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, Stream, along, run_options, stream, validate};
use crate::grid::{ValueOrRange, parse_non_negative, parse_value_or_range};
use crate::output::{Field, Format, Record};
use crate::plot::{Panel, Scale, Summary};
use crate::simulate::{Old, SimulateArgs, Simulated, simulation_fields};

/// Arguments of `overparam adversarial`.
#[derive(Debug, Args)]
pub struct AdversarialArgs {
    /// psi1 = N/d, features per input dimension: X, or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    psi1: Option<ValueOrRange>,
    /// psi2 = n/d, samples per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    psi2: Option<ValueOrRange>,
    /// Training radius eps > 0 of the l2 input perturbations: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    eps: ValueOrRange,
    /// Test radius of the robust risk (default: the training radius).
    #[arg(long, allow_negative_numbers = true, value_parser = crate::grid::parse_finite)]
    eps_test: Option<f64>,
    /// Label-noise standard deviation (default 0.5, i.e. variance 0.25, the note's setting).
    #[arg(long, value_parser = parse_non_negative, conflicts_with = "tau2")]
    noise_sd: Option<f64>,
    /// Deprecated: the label-noise VARIANCE tau^2 (use --noise-sd = sqrt(tau^2)).
    #[arg(long, hide = true, allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite)]
    tau2: Option<f64>,
    /// Use the linear model (least squares trained adversarially) instead of random features.
    #[arg(long)]
    linear: bool,
    /// delta = n/d for --linear: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    delta: Option<ValueOrRange>,
    /// Signal norm r0 = ||theta_0|| for --linear.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite, requires = "linear")]
    r0: f64,
    #[command(flatten)]
    sim: SimulateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure: test risk and robust test risk (theory lines on a fine grid;
    /// simulation points with 2-SE bars when --simulate) versus the last swept parameter, one
    /// line per value of the one swept before it.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

/// Default simulated input dimension.
const D: usize = 200;

impl AdversarialArgs {
    /// `--noise-sd` (a standard deviation) into `noise_sd`, or the deprecated `--tau2` (a
    /// variance) through the library's `with_noise_variance`; the library resolves the two.
    fn rf_noise(&self, p: AdversarialRf) -> AdversarialRf {
        match (self.noise_sd, self.tau2) {
            (_, Some(tau2)) => p.with_noise_variance(tau2),
            (Some(noise_sd), None) => AdversarialRf { noise_sd, ..p },
            (None, None) => p,
        }
    }

    /// As [`Self::rf_noise`] for the linear model.
    fn linear_noise(&self, p: AdversarialLinear) -> AdversarialLinear {
        match (self.noise_sd, self.tau2) {
            (_, Some(tau2)) => p.with_noise_variance(tau2),
            (Some(noise_sd), None) => AdversarialLinear { noise_sd, ..p },
            (None, None) => p,
        }
    }

    /// The label-noise standard deviation printed (NaN only if the noise is invalid, which
    /// `validate` reports first).
    fn noise_sd(&self) -> f64 {
        self.rf_noise(AdversarialRf::default())
            .label_noise()
            .map_or(f64::NAN, |(sd, _)| sd)
    }
}

/// Run `overparam adversarial`.
pub fn run(args: AdversarialArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.plot.as_ref())?;
    if args.linear {
        run_model::<Linear>(&args)
    } else {
        run_model::<Rf>(&args)
    }
}

fn summary(args: &AdversarialArgs, model: &str) -> Summary {
    let mut fixed = vec![("noise_sd", args.noise_sd())];
    if args.linear {
        fixed.push(("r0", args.r0));
    }
    Summary {
        model: model.into(),
        fixed,
        simulated: args
            .sim
            .simulate
            .then(|| (format!("d = {}", args.sim.size_or(D)), args.sim.trials)),
    }
}

fn panel() -> [Panel; 1] {
    [Panel {
        y_label: "test risk (squared loss, noise included)",
        y_scale: Scale::Log,
        quantities: vec![
            ("test risk", 0, "sim_test_risk", "sim_test_risk_se"),
            ("robust test risk", 1, "sim_mean", "sim_se"),
        ],
    }]
}

/// What differs between the two adversarial models; [`run_model`] and [`evaluate`] are the
/// rest, shared.
trait Model {
    /// The theory parameters (`AdversarialRf`, `AdversarialLinear`).
    type Params;
    /// The checked model.
    type Checked;
    /// Its solution at one point.
    type Solution;
    /// Its finite-size simulation, checked.
    type Simulator: Experiment;
    /// The model's name in the figure's title.
    const NAME: &'static str;
    /// The table's parameter columns.
    const PARAMS: &'static [&'static str];
    /// The table's model-specific theory columns (after the risks).
    const EXTRA: &'static [&'static str];
    /// The grid axes, outermost first.
    fn axes(args: &AdversarialArgs) -> Result<Vec<Axis>, CliError>;
    /// The parameters at one point of the axes.
    fn params(args: &AdversarialArgs, v: &[f64]) -> Self::Params;
    /// The library's one validation.
    fn check(p: &Self::Params) -> overparam::Result<Self::Checked>;
    /// The library's warm-started curve along the line axis `line`, if any.
    #[allow(clippy::type_complexity)]
    fn curve(
        line: usize,
    ) -> Option<fn(&Self::Checked, &[f64]) -> overparam::Result<Vec<Self::Solution>>>;
    /// One point.
    fn solve(m: &Self::Checked) -> overparam::Result<Self::Solution>;
    /// Test risk and robust test risk.
    fn risks(s: &Self::Solution) -> (f64, f64);
    /// The parameter fields of a record.
    fn param_fields(rec: &mut Record, p: &Self::Params);
    /// The theory fields of a record (`null`s without a solution).
    fn solution_fields(rec: &mut Record, s: Option<&Self::Solution>);
    /// The simulation at input dimension `d`, checked.
    fn simulation(p: &Self::Params, d: usize) -> overparam::Result<Self::Simulator>;
}

/// Adversarially trained random features.
struct Rf;
/// The linear model (least squares trained adversarially).
struct Linear;

impl Model for Rf {
    type Params = AdversarialRf;
    type Checked = AdversarialRfModel;
    type Solution = AdversarialRfSolution;
    type Simulator = AdversarialRfSimulator;
    const NAME: &'static str = "adversarial random features";
    const PARAMS: &'static [&'static str] = &["psi1", "psi2", "eps"];
    const EXTRA: &'static [&'static str] = &[];

    fn axes(args: &AdversarialArgs) -> Result<Vec<Axis>, CliError> {
        if args.delta.is_some() {
            return Err(CliError::usage("--delta: only valid with --linear"));
        }
        let psi1 = args
            .psi1
            .ok_or_else(|| CliError::usage("--psi1: required (or use --linear --delta D)"))?;
        let psi2 = args
            .psi2
            .ok_or_else(|| CliError::usage("--psi2: required (or use --linear --delta D)"))?;
        Ok(vec![
            Axis::new("psi2", psi2),
            Axis::new("eps", args.eps),
            Axis::new("psi1", psi1),
        ])
    }

    fn params(args: &AdversarialArgs, v: &[f64]) -> AdversarialRf {
        args.rf_noise(AdversarialRf {
            psi2: v[0],
            eps: v[1],
            psi1: v[2],
            eps_test: args.eps_test,
            ..AdversarialRf::default()
        })
    }

    fn check(p: &AdversarialRf) -> overparam::Result<AdversarialRfModel> {
        p.check()
    }

    fn curve(
        line: usize,
    ) -> Option<fn(&AdversarialRfModel, &[f64]) -> overparam::Result<Vec<AdversarialRfSolution>>>
    {
        match line {
            2 => Some(AdversarialRfModel::curve_psi1),
            1 => Some(AdversarialRfModel::curve_eps),
            _ => None,
        }
    }

    fn solve(m: &AdversarialRfModel) -> overparam::Result<AdversarialRfSolution> {
        m.solve()
    }

    fn risks(s: &AdversarialRfSolution) -> (f64, f64) {
        (s.test_risk, s.robust_test_risk)
    }

    fn param_fields(rec: &mut Record, p: &AdversarialRf) {
        rec.num("psi1", p.psi1);
        rec.num("psi2", p.psi2);
        noise_fields(rec, p.label_noise().ok());
        rec.num("eps", p.eps);
        rec.num("eps_test", p.eps_test.unwrap_or(p.eps));
    }

    fn solution_fields(rec: &mut Record, s: Option<&AdversarialRfSolution>) {
        rf_fields(rec, s);
    }

    fn simulation(p: &AdversarialRf, d: usize) -> overparam::Result<AdversarialRfSimulator> {
        AdversarialRfSimulation {
            model: p.clone(),
            d,
        }
        .check()
    }
}

impl Model for Linear {
    type Params = AdversarialLinear;
    type Checked = AdversarialLinearModel;
    type Solution = AdversarialLinearSolution;
    type Simulator = AdversarialLinearSimulator;
    const NAME: &'static str = "adversarial linear";
    const PARAMS: &'static [&'static str] = &["delta", "eps"];
    const EXTRA: &'static [&'static str] = &["theta_norm"];

    fn axes(args: &AdversarialArgs) -> Result<Vec<Axis>, CliError> {
        if args.psi1.is_some() {
            return Err(CliError::usage(
                "--psi1: not valid with --linear (use --delta)",
            ));
        }
        if args.psi2.is_some() {
            return Err(CliError::usage(
                "--psi2: not valid with --linear (use --delta)",
            ));
        }
        let delta = args
            .delta
            .ok_or_else(|| CliError::usage("--delta: required with --linear"))?;
        Ok(vec![Axis::new("eps", args.eps), Axis::new("delta", delta)])
    }

    fn params(args: &AdversarialArgs, v: &[f64]) -> AdversarialLinear {
        args.linear_noise(AdversarialLinear {
            eps: v[0],
            delta: v[1],
            r0: args.r0,
            eps_test: args.eps_test,
            ..AdversarialLinear::default()
        })
    }

    fn check(p: &AdversarialLinear) -> overparam::Result<AdversarialLinearModel> {
        p.check()
    }

    fn curve(
        line: usize,
    ) -> Option<
        fn(&AdversarialLinearModel, &[f64]) -> overparam::Result<Vec<AdversarialLinearSolution>>,
    > {
        (line == 0).then_some(AdversarialLinearModel::curve_eps)
    }

    fn solve(m: &AdversarialLinearModel) -> overparam::Result<AdversarialLinearSolution> {
        m.solve()
    }

    fn risks(s: &AdversarialLinearSolution) -> (f64, f64) {
        (s.test_risk, s.robust_test_risk)
    }

    fn param_fields(rec: &mut Record, p: &AdversarialLinear) {
        rec.num("delta", p.delta);
        noise_fields(rec, p.label_noise().ok());
        rec.num("r0", p.r0);
        rec.num("eps", p.eps);
        rec.num("eps_test", p.eps_test.unwrap_or(p.eps));
    }

    fn solution_fields(rec: &mut Record, s: Option<&AdversarialLinearSolution>) {
        linear_fields(rec, s);
    }

    fn simulation(
        p: &AdversarialLinear,
        d: usize,
    ) -> overparam::Result<AdversarialLinearSimulator> {
        AdversarialLinearSimulation {
            model: p.clone(),
            d,
        }
        .check()
    }
}

/// The label noise as a standard deviation, and (deprecated key `tau2`) as a variance.
fn noise_fields(rec: &mut Record, noise: Option<(f64, f64)>) {
    rec.push("noise_sd", Field::opt(noise.map(|(sd, _)| sd)));
    rec.push("tau2", Field::opt(noise.map(|(_, var)| var))); // deprecated key: the variance
}

/// Validate once, stream the records, draw the figure: the same for both models.
fn run_model<M: Model>(args: &AdversarialArgs) -> Result<(), CliError> {
    let axes = M::axes(args)?;
    validate(&axes, |v| M::check(&M::params(args, v)).map(|_| ()))?;
    if args.sim.simulate {
        let d = args.sim.size_or(D);
        args.sim
            .check_memory(&axes, |v| M::simulation(&M::params(args, v), d))?;
    }
    let table: Vec<&'static str> = [
        M::PARAMS,
        &[
            "test_risk",
            "robust_test_risk",
            "train_loss",
            "zero_residual_fraction",
        ],
        M::EXTRA,
        &["sim_mean", "sim_se", "z", "agrees"],
    ]
    .concat();
    let records = stream(
        &axes,
        Stream {
            format: args.format,
            table: &table,
            keep: args.plot.is_some(),
            progress: args.sim.progress(),
        },
        |piece| evaluate::<M>(args, piece),
    )?;
    if let Some(path) = &args.plot {
        crate::plot::figure(
            &summary(args, M::NAME),
            &axes,
            &records,
            path,
            &panel(),
            |v| {
                let (test, robust) = M::risks(&M::solve(&M::check(&M::params(args, v))?)?);
                Ok(vec![test, robust])
            },
        )?;
    }
    Ok(())
}

/// The records of one piece of the sweep: theory (warm-started along the line axis where the
/// library has a curve), then the simulation when asked for.
fn evaluate<M: Model>(args: &AdversarialArgs, piece: &Piece<'_>) -> Vec<Outcome> {
    along(
        piece,
        |v| M::check(&M::params(args, v)),
        M::curve(piece.line),
        M::solve,
    )
    .into_iter()
    .map(|(v, solved)| {
        let p = M::params(args, &v);
        let mut rec = Record::default();
        M::param_fields(&mut rec, &p);
        M::solution_fields(&mut rec, solved.as_ref().ok());
        let mut error = solved.as_ref().err().cloned();
        if let Some(e) = &error {
            rec.push("error", Field::Text(e.to_string()));
        }
        if args.sim.simulate {
            let nominal = solved.as_ref().ok().map(M::risks);
            let sim = M::simulation(&p, args.sim.size_or(D));
            error = error.or(simulate(args, sim, nominal, &mut rec));
        }
        Outcome { record: rec, error }
    })
    .collect()
}

fn risk_fields(rec: &mut Record, test: Option<f64>, robust: Option<f64>) {
    rec.push("test_risk", Field::opt(test));
    rec.push("robust_test_risk", Field::opt(robust));
    // Deprecated keys (same values).
    rec.push("standard_error", Field::opt(test));
    rec.push("robust_error", Field::opt(robust));
}

fn rf_fields(rec: &mut Record, s: Option<&AdversarialRfSolution>) {
    let get = |f: fn(&AdversarialRfSolution) -> f64| Field::opt(s.map(f));
    let saddle = |f: fn(&SaddlePoint) -> f64| Field::opt(s.and_then(|s| s.saddle.as_ref()).map(f));
    risk_fields(rec, s.map(|s| s.test_risk), s.map(|s| s.robust_test_risk));
    rec.push("train_loss", get(|s| s.train_loss));
    rec.push("zero_residual_fraction", get(|s| s.zero_residual_fraction));
    rec.push("adversarial_norm", get(|s| s.adversarial_norm));
    rec.push("eps0", get(|s| s.eps0));
    rec.push("sigma_sq", get(|s| s.sigma_sq));
    // The auxiliary unknowns of the saddle-point equations: aux_<symbol>, and (deprecated) the
    // bare symbols of 0.1.
    let aux: [(&'static str, &'static str, Field); 8] = [
        ("aux_alpha", "alpha", saddle(|p| p.alpha)),
        ("aux_tau_g", "tau_g", saddle(|p| p.tau_g)),
        ("aux_beta", "beta", saddle(|p| p.beta)),
        ("aux_gamma", "gamma", saddle(|p| p.gamma)),
        ("aux_tau_q", "tau_q", saddle(|p| p.tau_q)),
        ("aux_nu", "nu", get(|s| s.nu)),
        ("aux_kappa", "kappa", get(|s| s.kappa)),
        ("aux_lambda", "lambda", Field::opt(s.and_then(|s| s.lambda))),
    ];
    for (new, _, v) in &aux {
        rec.push(*new, v.clone());
    }
    for (_, old, v) in aux {
        rec.push(old, v);
    }
    rec.push("residual", get(|s| s.residual));
    rec.push(
        "iterations",
        s.map_or(Field::Null, |s| Field::Int(s.iterations as u64)),
    );
}

/// The simulation fields of one point: `sim_d`, the join, then the deprecated keys of 0.1
/// (`sim_standard_error`, `sim_robust_error` and their `_se`: the simulated test risk and
/// robust test risk; `sim_standard_error_z`, `sim_robust_error_z`: their z against the
/// NOMINAL theory, as in 0.1, where the join's `z_test_risk` and `z` use the theory at the
/// realised sizes).
fn simulate<S: Experiment>(
    args: &AdversarialArgs,
    sim: overparam::Result<S>,
    nominal: Option<(f64, f64)>,
    rec: &mut Record,
) -> Option<overparam::Error> {
    rec.push("sim_d", Field::Int(args.sim.size_or(D) as u64));
    let axes = match args.linear {
        true => Linear::axes(args),
        false => Rf::axes(args),
    };
    let run = match axes {
        Ok(axes) => run_options(&args.sim, &axes),
        Err(_) => args.sim.run(),
    };
    let simulated = sim.and_then(|s| Simulated::run(&s, &run, &args.sim.join(None)));
    let old = [
        ("sim_standard_error", Old::Mean("test_risk")),
        ("sim_standard_error_se", Old::Se("test_risk")),
        ("sim_robust_error", Old::Mean("robust_test_risk")),
        ("sim_robust_error_se", Old::Se("robust_test_risk")),
        (
            "sim_standard_error_z",
            Old::ZAgainst("test_risk", nominal.map(|n| n.0)),
        ),
        (
            "sim_robust_error_z",
            Old::ZAgainst("robust_test_risk", nominal.map(|n| n.1)),
        ),
    ];
    simulation_fields(rec, &ADVERSARIAL_METRICS, simulated, &old, run)
}

fn linear_fields(rec: &mut Record, s: Option<&AdversarialLinearSolution>) {
    let get = |f: fn(&AdversarialLinearSolution) -> f64| Field::opt(s.map(f));
    let saddle = |i: usize| Field::opt(s.and_then(|s| s.saddle).map(|x| x[i]));
    risk_fields(rec, s.map(|s| s.test_risk), s.map(|s| s.robust_test_risk));
    rec.push("train_loss", get(|s| s.train_loss));
    rec.push("zero_residual_fraction", get(|s| s.zero_residual_fraction));
    rec.push("theta_norm", get(|s| s.theta_norm));
    rec.push("adversarial_norm", get(|s| s.adversarial_norm));
    rec.push("eps0", get(|s| s.eps0));
    let aux: [(&'static str, &'static str, Field); 5] = [
        ("aux_tau", "tau", saddle(0)),
        ("aux_s", "s", saddle(1)),
        ("aux_rho", "rho", saddle(2)),
        ("aux_b", "b", saddle(3)),
        ("aux_m", "m", get(|s| s.m)),
    ];
    for (new, _, v) in &aux {
        rec.push(*new, v.clone());
    }
    for (_, old, v) in aux {
        rec.push(old, v);
    }
    rec.push("residual", get(|s| s.residual));
    rec.push(
        "iterations",
        s.map_or(Field::Null, |s| Field::Int(s.iterations as u64)),
    );
}
