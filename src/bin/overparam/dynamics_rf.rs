//! `overparam dynamics --model rf`: random features whose second layer is trained by gradient
//! flow (or GD, heavy ball, Nesterov). Arguments -> `RfDynamics` -> records.
//!
//! The flags shared with the linear model (`--lambda`, `--algorithm`, `--time`, `--steps`,
//! `--lr`, `--momentum`, `--noise-sd`, the simulation and output flags) are parsed by
//! `dynamics.rs` and handed over in an [`RfInvocation`]; the random-features flags are
//! [`RfFlags`], flattened into the `dynamics` arguments.

use clap::Args;
use overparam::compare::RISK_METRICS;
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::rf_dynamics::{RfDynamicsSimulation, RfDynamicsSimulator};
use overparam::theory::dynamics::Algorithm;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::{
    RfDynamics, RfDynamicsModel, RfDynamicsRisk, RfEarlyStopping,
};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, RiskOutput, along, run_options, validate};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Record};
use crate::simulate::{SimulateArgs, simulate_point};

fn parse_input(s: &str) -> Result<InputDistribution, String> {
    s.parse::<InputDistribution>().map_err(|e| e.to_string())
}

fn parse_activation(s: &str) -> Result<Activation, String> {
    s.parse::<Activation>().map_err(|e| e.to_string())
}

/// `--model` of `overparam dynamics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Least squares with Gaussian design (--gamma, --snr).
    Linear,
    /// Random features, second layer trained (--psi1, --psi2, ...).
    Rf,
}

/// The random-features flags of `overparam dynamics --model rf`.
#[derive(Debug, Args)]
pub struct RfFlags {
    /// (--model rf) psi1 = N/d, features per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    pub psi1: Option<ValueOrRange>,
    /// (--model rf) psi2 = n/d, samples per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    pub psi2: Option<ValueOrRange>,
    /// (--model rf) Activation (default relu).
    #[arg(long, value_parser = parse_activation)]
    pub activation: Option<Activation>,
    /// (--model rf) F1: norm of the linear part of the target (default 1).
    #[arg(long, allow_negative_numbers = true, value_parser = crate::grid::parse_finite)]
    pub f1: Option<f64>,
    /// (--model rf) F_star: amplitude of the nonlinear part of the target (default 0). Alias:
    /// --fstar.
    #[arg(long = "f-star", alias = "fstar", allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite)]
    pub f_star: Option<f64>,
    /// (--model rf) Label-noise standard deviation; overrides --noise-sd (deprecated name of
    /// noise_sd, accepted for the `rf` subcommand's habit).
    #[arg(long, allow_negative_numbers = true)]
    pub tau: Option<f64>,
    /// (--model rf, --simulate) Fresh test points per simulated trial (default 1000).
    #[arg(long)]
    pub test_points: Option<usize>,
    /// (--model rf, --simulate) Law of simulated inputs and weights: sphere or gaussian.
    #[arg(long, value_parser = parse_input)]
    pub input: Option<InputDistribution>,
}

impl RfFlags {
    /// The first random-features flag given (for "does not apply" messages of the linear model).
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("--psi1", self.psi1.is_some()),
            ("--psi2", self.psi2.is_some()),
            ("--activation", self.activation.is_some()),
            ("--f1", self.f1.is_some()),
            ("--f-star", self.f_star.is_some()),
            ("--tau", self.tau.is_some()),
            ("--test-points", self.test_points.is_some()),
            ("--input", self.input.is_some()),
        ]
        .into_iter()
        .find_map(|(flag, given)| given.then_some(flag))
    }
}

/// Everything `overparam dynamics --model rf` needs: the rf flags and the shared ones.
pub struct RfInvocation<'a> {
    /// The random-features flags.
    pub flags: &'a RfFlags,
    /// `--lambda` (MM's ridge penalty; the loss carries psi1 lambda).
    pub lambda: ValueOrRange,
    /// `--algorithm`.
    pub algorithm: Algorithm,
    /// `--time`.
    pub time: Option<ValueOrRange>,
    /// `--steps`.
    pub steps: Option<ValueOrRange>,
    /// `--lr`.
    pub lr: Option<ValueOrRange>,
    /// `--momentum`.
    pub momentum: Option<ValueOrRange>,
    /// `--noise-sd` (overridden by `--tau`).
    pub noise_sd: f64,
    /// `--early-stopping`: the time (or steps) minimising the test error, and optimally tuned
    /// ridge.
    pub early_stopping: bool,
    /// Flags of the linear model that were given (each is a usage error here).
    pub linear_flags: Vec<&'static str>,
    /// Simulation flags.
    pub sim: &'a SimulateArgs,
    /// Output flags.
    pub out: &'a RiskOutput,
}

/// Default simulated input dimension.
const D: usize = 100;

/// Index of the time axis (last: curves over time are the line axis).
const TIME: usize = 5;

impl RfInvocation<'_> {
    fn discrete(&self) -> bool {
        self.algorithm.is_discrete()
    }

    fn time_name(&self) -> &'static str {
        if self.discrete() { "steps" } else { "time" }
    }

    fn noise_sd(&self) -> f64 {
        self.flags.tau.unwrap_or(self.noise_sd)
    }

    /// Axes, outermost first: lambda, psi2, psi1, lr, momentum, time (or steps).
    fn axes(&self) -> Result<[Axis; 6], CliError> {
        let opt = |name, v: Option<ValueOrRange>, default| match v {
            Some(values) => Axis::new(name, values),
            None => Axis::placeholder(name, default),
        };
        let time = if self.discrete() {
            self.steps
        } else {
            self.time
        };
        let mut time_axis = opt(self.time_name(), time, 0.0);
        time_axis.field = self.time_name();
        let psi1 = self
            .flags
            .psi1
            .ok_or_else(|| CliError::usage("--psi1: required by --model rf"))?;
        let psi2 = self
            .flags
            .psi2
            .ok_or_else(|| CliError::usage("--psi2: required by --model rf"))?;
        Ok([
            Axis::new("lambda", self.lambda),
            Axis::new("psi2", psi2),
            Axis::new("psi1", psi1),
            opt("lr", self.lr, 0.1),
            opt("momentum", self.momentum, 0.0),
            time_axis,
        ])
    }

    fn params(&self, v: &[f64]) -> RfDynamics {
        RfDynamics {
            model: RandomFeatures {
                lambda: v[0],
                psi2: v[1],
                psi1: v[2],
                activation: self.flags.activation.clone().unwrap_or(Activation::Relu),
                f1: self.flags.f1.unwrap_or(1.0),
                f_star: self.flags.f_star.unwrap_or(0.0),
                noise_sd: self.noise_sd(),
                ..RandomFeatures::default()
            },
            algorithm: self.algorithm,
            lr: v[3],
            momentum: v[4],
        }
    }

    fn time_of(&self, v: &[f64]) -> f64 {
        if self.discrete() && self.steps.is_some_and(|s| s.is_range()) {
            v[TIME].round()
        } else {
            v[TIME]
        }
    }

    fn simulation(&self, p: &RfDynamics, time: f64) -> RfDynamicsSimulation {
        RfDynamicsSimulation {
            model: p.model.clone(),
            d: self.sim.size_or(D),
            test_points: self.flags.test_points.unwrap_or(1000),
            input: self.flags.input.unwrap_or(InputDistribution::Sphere),
            algorithm: p.algorithm,
            lr: p.lr,
            momentum: p.momentum,
            time,
        }
    }

    fn check_flags(&self) -> Result<(), CliError> {
        if let Some(flag) = self.linear_flags.first() {
            return Err(CliError::usage(format!(
                "{flag}: does not apply to --model rf (use --psi1, --psi2, --f1, --f-star)"
            )));
        }
        if !self.sim.simulate {
            for (flag, given) in [
                ("--test-points", self.flags.test_points.is_some()),
                ("--input", self.flags.input.is_some()),
            ] {
                if given {
                    return Err(CliError::usage(format!("{flag}: requires --simulate")));
                }
            }
        }
        let name = self.algorithm.name();
        if self.discrete() {
            if self.time.is_some() {
                return Err(CliError::usage(format!(
                    "--time: applies to --algorithm gradient-flow; {name} takes --steps"
                )));
            }
            if self.lr.is_none() {
                return Err(CliError::usage(format!(
                    "--lr: required by --algorithm {name}"
                )));
            }
            if self.steps.is_none() && !self.early_stopping {
                return Err(CliError::usage(format!(
                    "--steps: required by --algorithm {name} (or --early-stopping)"
                )));
            }
            if self.algorithm == Algorithm::GradientDescent && self.momentum.is_some() {
                return Err(CliError::usage(
                    "--momentum: does not apply to --algorithm gd (use heavy-ball or nesterov)",
                ));
            }
        } else {
            for (flag, given) in [
                ("--steps", self.steps.is_some()),
                ("--lr", self.lr.is_some()),
                ("--momentum", self.momentum.is_some()),
            ] {
                if given {
                    return Err(CliError::usage(format!(
                        "{flag}: does not apply to --algorithm gradient-flow (use gd, heavy-ball or nesterov)"
                    )));
                }
            }
            if self.time.is_none() && !self.early_stopping {
                return Err(CliError::usage(
                    "--time: required by --algorithm gradient-flow (or --early-stopping)",
                ));
            }
        }
        Ok(())
    }

    fn check_point(&self, v: &[f64]) -> overparam::Result<()> {
        let m = self.params(v).check()?;
        if self.early_stopping {
            // The time is found per point.
            return Ok(());
        }
        m.at(self.time_of(v)).map(|_| ())
    }

    /// The risk at the point's time, or at the early-stopping optimum (with its extras).
    fn solve(&self, m: &RfDynamicsModel, time: f64) -> overparam::Result<Solved> {
        if self.early_stopping {
            let es = m.early_stopping()?;
            Ok(Solved {
                risk: es.at_optimum,
                early: Some(es),
            })
        } else {
            Ok(Solved {
                risk: m.at(time)?,
                early: None,
            })
        }
    }
}

/// What one point computed: the risk, and the early-stopping extras.
#[derive(Debug, Clone, Copy)]
struct Solved {
    risk: RfDynamicsRisk,
    early: Option<RfEarlyStopping>,
}

/// Run `overparam dynamics --model rf`.
pub fn run(inv: RfInvocation<'_>) -> Result<(), CliError> {
    inv.check_flags()?;
    crate::plot::check_path(inv.out.plot.as_ref())?;
    let axes = inv.axes()?;
    validate(&axes, |v| inv.check_point(v))?;
    if inv.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        inv.simulation(&inv.params(&base), inv.time_of(&base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        inv.sim.check_memory(&axes, |v| {
            inv.simulation(&inv.params(v), inv.time_of(v)).check()
        })?;
    }
    let summary = || crate::plot::Summary {
        model: format!("random features, {}", inv.algorithm.name()),
        fixed: vec![("noise_sd", inv.noise_sd())],
        simulated: inv
            .sim
            .simulate
            .then(|| (format!("d = {}", inv.sim.size_or(D)), inv.sim.trials)),
    };
    inv.out.stream_and_plot(
        &axes,
        ["psi1", "psi2", inv.time_name()],
        inv.sim,
        summary,
        |piece| evaluate(&inv, &axes, piece),
        |v| {
            let r = inv.solve(&inv.params(v).check()?, inv.time_of(v))?.risk;
            Ok([r.test_error, r.train_error])
        },
    )
}

fn evaluate(inv: &RfInvocation<'_>, axes: &[Axis], piece: &Piece<'_>) -> Vec<Outcome> {
    let curve = (piece.line == TIME && !inv.early_stopping).then_some(
        |(m, _): &(RfDynamicsModel, f64), times: &[f64]| -> overparam::Result<Vec<Solved>> {
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
        |v| Ok((inv.params(v).check()?, inv.time_of(v))),
        curve,
        |(m, t)| inv.solve(m, *t),
    )
    .into_iter()
    .map(|(v, r)| outcome(inv, axes, &v, r))
    .collect()
}

fn outcome(
    inv: &RfInvocation<'_>,
    axes: &[Axis],
    v: &[f64],
    solved: overparam::Result<Solved>,
) -> Outcome {
    let p = inv.params(v);
    let mut rec = Record::default();
    rec.push("model", Field::Text("rf".to_string()));
    rec.num("psi1", p.model.psi1);
    rec.num("psi2", p.model.psi2);
    rec.num("lambda", p.model.lambda);
    rec.push(
        "activation",
        Field::Text(p.model.activation.name().to_string()),
    );
    rec.num("f1", p.model.f1);
    rec.num("f_star", p.model.f_star);
    rec.num("noise_sd", p.model.noise_sd);
    rec.push("algorithm", Field::Text(p.algorithm.name().to_string()));
    if p.algorithm.is_discrete() {
        rec.num("lr", p.lr);
        if p.algorithm != Algorithm::GradientDescent {
            rec.num("momentum", p.momentum);
        }
    }
    let time = match &solved {
        Ok(s) if inv.early_stopping => s.risk.time,
        _ => inv.time_of(v),
    };
    if p.algorithm.is_discrete() {
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
    if inv.early_stopping {
        let es = solved.as_ref().ok().and_then(|s| s.early);
        rec.push(
            "stops_early",
            es.map_or(Field::Null, |e| Field::Bool(e.stops_early)),
        );
        rec.push("ridge_lambda", Field::opt(es.map(|e| e.ridge.lambda)));
        rec.push(
            "ridge_test_error",
            Field::opt(es.map(|e| e.ridge.risk.test_error)),
        );
        rec.push("ratio_to_ridge", Field::opt(es.map(|e| e.ratio_to_ridge)));
    }
    let mut error = None;
    if let Err(e) = &solved {
        rec.push("error", Field::Text(e.to_string()));
        error = Some(e.clone());
    }
    if inv.sim.simulate {
        let sim_error = simulate_point(
            &mut rec,
            inv.simulation(&p, time).check(),
            &[
                ("d", |s: &RfDynamicsSimulator| Field::Int(s.d() as u64)),
                ("num_features", |s| Field::Int(s.num_features() as u64)),
                ("n", |s| Field::Int(s.n() as u64)),
            ],
            &RISK_METRICS,
            (run_options(inv.sim, axes), inv.sim.join(inv.out.kappa)),
            &[],
        );
        error = error.or(sim_error);
    }
    Outcome { record: rec, error }
}
