//! The shared `--simulate` flags and the one way a theory-versus-simulation join
//! (`overparam::experiment`) becomes record fields (docs/glossary.md). No math here: the
//! estimates, the theory at the realised sizes, the allowances and the verdicts are the
//! library's.

use std::borrow::Cow;

use clap::Args;
use overparam::compare::{DEFAULT_KAPPA, compare_point};
use overparam::experiment::{Experiment, JoinOptions, Joined, RunOptions, join_simulated};
use overparam::sim::PointEstimate;

use crate::grid::parse_non_negative;
use crate::output::{Field, Record};

/// The flags of a finite-size simulation next to the theory, the same for every subcommand.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Also simulate each point at finite size and join it with the theory: sim_mean, sim_se,
    /// theory_realised, z, allowance, agrees for the primary metric (and sim_M, sim_M_se, ... for
    /// every other metric M), sim_trials, sim_seed.
    #[arg(long)]
    pub simulate: bool,
    /// Size of the simulated model: the input dimension d (rf: default 100; adversarial: 200)
    /// or the sample size n (ridge, membership: default 200).
    #[arg(
        long = "d",
        visible_alias = "n",
        value_name = "SIZE",
        requires = "simulate"
    )]
    pub size: Option<usize>,
    /// Number of independent trials (each a fresh data set) per point.
    #[arg(long, default_value_t = 10, requires = "simulate")]
    pub trials: usize,
    /// Seed: the same seed gives bit-identical results whatever the number of threads.
    #[arg(long, default_value_t = 1, requires = "simulate")]
    pub seed: u64,
    /// Finite-size constant c: simulation and theory agree when |gap| <= 4 SE + c |theory| / size.
    #[arg(long, default_value_t = DEFAULT_KAPPA, value_parser = parse_non_negative,
          requires = "simulate")]
    pub finite_size_constant: f64,
    /// No progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
}

impl SimulateArgs {
    /// The size, or the subcommand's default.
    pub fn size_or(&self, default: usize) -> usize {
        self.size.unwrap_or(default)
    }

    /// Trials and seed as the library's run options (no per-trial progress bar: the driver draws
    /// one over the points).
    pub fn run(&self) -> RunOptions {
        RunOptions {
            seed: self.seed,
            trials: self.trials,
            progress: false,
        }
    }

    /// The join's options: the finite-size constant `c` (`kappa`: the deprecated rf/ridge
    /// `--kappa`, if given).
    pub fn join(&self, kappa: Option<f64>) -> JoinOptions {
        JoinOptions {
            finite_size_constant: kappa.unwrap_or(self.finite_size_constant),
        }
    }

    /// Draw the driver's progress bar?
    pub fn progress(&self) -> bool {
        self.simulate && !self.no_progress
    }
}

/// The record keys of metric `name` at position `i` (the primary metric, `i = 0`, has the
/// short names): mean, SE, theory at the realised sizes, z, allowance, verdict.
fn keys(i: usize, name: &str) -> [Cow<'static, str>; 6] {
    if i == 0 {
        [
            "sim_mean",
            "sim_se",
            "theory_realised",
            "z",
            "allowance",
            "agrees",
        ]
        .map(Cow::Borrowed)
    } else {
        [
            format!("sim_{name}"),
            format!("sim_{name}_se"),
            format!("theory_realised_{name}"),
            format!("z_{name}"),
            format!("allowance_{name}"),
            format!("agrees_{name}"),
        ]
        .map(Cow::Owned)
    }
}

/// Metrics that are counts: their simulated and theory values print as integers when whole.
const COUNTS: &[&str] = &["morse_index"];

/// Turn a join into record fields (docs/glossary.md): for the primary metric `sim_mean`,
/// `sim_se`, `theory_realised`, `z` (`null` if undefined), `allowance`, `agrees` (a boolean);
/// for every other metric `M` the same with `M` in the name (`sim_M`, `sim_M_se`,
/// `theory_realised_M`, `z_M`, `allowance_M`, `agrees_M`); then `sim_trials` and `sim_seed`.
/// Without a join (the point failed) the same keys are written with `null` values, in the order
/// of `names`.
pub fn joined_fields(rec: &mut Record, names: &[&'static str], joined: Option<&Joined>) {
    match joined {
        Some(j) => {
            for (i, m) in j.metrics.iter().enumerate() {
                let [mean, se, theory, z, allowance, agrees] = keys(i, m.name);
                // Counts are integers in JSON (docs/glossary.md).
                let value = |x: f64| match COUNTS.contains(&m.name) {
                    true => Field::count(x),
                    false => Field::Num(x),
                };
                rec.push(mean, value(m.simulation.value));
                rec.num(se, m.simulation.std_err);
                rec.push(theory, value(m.theory_realised));
                rec.push(z, Field::opt(m.z));
                rec.num(allowance, m.allowance);
                rec.push(agrees, Field::Bool(m.agrees));
            }
            rec.push("sim_trials", Field::Int(j.run.trials as u64));
            rec.push("sim_seed", Field::Int(j.run.seed));
        }
        None => {
            for (i, name) in names.iter().enumerate() {
                for key in keys(i, name) {
                    rec.push(key, Field::Null);
                }
            }
            rec.push("sim_trials", Field::Null);
            rec.push("sim_seed", Field::Null);
        }
    }
}

/// One simulated point: every metric's estimate, and its join with the theory at the realised
/// sizes (which may fail on its own, e.g. at a threshold the rounded sizes land on).
pub struct Simulated {
    /// The model's metric names, primary first.
    pub names: &'static [&'static str],
    /// Their estimates, in the same order.
    pub estimates: Vec<PointEstimate>,
    /// The join with the theory at the realised sizes.
    pub joined: overparam::Result<Joined>,
}

impl Simulated {
    /// Join estimates simulated with `run` (the library's `join_simulated`).
    pub fn new<E: Experiment>(
        sim: &E,
        estimates: Vec<PointEstimate>,
        run: &RunOptions,
        options: &JoinOptions,
    ) -> Self {
        Self {
            names: sim.metric_names(),
            joined: join_simulated(sim, &estimates, run, options),
            estimates,
        }
    }

    /// Simulate `sim` (the model's `Experiment::simulate`) and join.
    pub fn run<E: Experiment>(
        sim: &E,
        run: &RunOptions,
        options: &JoinOptions,
    ) -> overparam::Result<Self> {
        Ok(Self::new(sim, sim.simulate(run)?, run, options))
    }

    /// The estimate of metric `name`.
    pub fn estimate(&self, name: &str) -> Option<PointEstimate> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.estimates.get(i).copied()
    }
}

/// A deprecated simulation key of 0.1, kept with its old meaning.
pub enum Old {
    /// The simulated mean of a metric.
    Mean(&'static str),
    /// Its standard error.
    Se(&'static str),
    /// Its z against the theory at the realised sizes (`z_M`).
    Z(&'static str),
    /// Its z against another theory value (adversarial: the nominal theory), by the library's
    /// `compare_point`; `null` without that value or when undefined.
    ZAgainst(&'static str, Option<f64>),
    /// The number of trials.
    Trials,
    /// A value read from the model's full report.
    Value(Field),
}

/// The simulation fields of one point: the join fields (docs/glossary.md), then the deprecated
/// keys `old`, then `sim_error` if something failed. Every key is present whatever failed
/// (`null` then). When only the theory at the realised sizes failed, `sim_mean` and `sim_se`
/// still carry the primary estimate and the point is not an error; a failed simulation is
/// returned as the point's error.
pub fn simulation_fields(
    rec: &mut Record,
    names: &[&'static str],
    simulated: overparam::Result<Simulated>,
    old: &[(&'static str, Old)],
    run: RunOptions,
) -> Option<overparam::Error> {
    let sim = match simulated {
        Ok(s) => s,
        Err(e) => {
            joined_fields(rec, names, None);
            for (key, _) in old {
                rec.push(*key, Field::Null);
            }
            rec.push("sim_error", Field::Text(e.to_string()));
            return Some(e);
        }
    };
    let joined = sim.joined.as_ref().ok();
    joined_fields(rec, names, joined);
    if joined.is_none()
        && let Some(primary) = sim.estimates.first()
    {
        rec.set("sim_mean", Field::Num(primary.value));
        rec.set("sim_se", Field::Num(primary.std_err));
        rec.set("sim_trials", Field::Int(run.trials as u64));
        rec.set("sim_seed", Field::Int(run.seed));
    }
    let z_of = |m: &str| joined.and_then(|j| j.metric(m)).and_then(|m| m.z);
    for (key, what) in old {
        let field = match what {
            Old::Mean(m) => Field::opt(sim.estimate(m).map(|e| e.value)),
            Old::Se(m) => Field::opt(sim.estimate(m).map(|e| e.std_err)),
            Old::Z(m) => Field::opt(z_of(m)),
            Old::ZAgainst(m, theory) => Field::opt(
                theory
                    .zip(sim.estimate(m))
                    .and_then(|(t, e)| compare_point(t, &e, 0.0).ok())
                    .map(|c| c.z)
                    .filter(|z| z.is_finite()),
            ),
            Old::Trials => Field::Int(run.trials as u64),
            Old::Value(v) => v.clone(),
        };
        rec.push(*key, field);
    }
    if let Err(e) = &sim.joined {
        rec.push(
            "sim_error",
            Field::Text(format!("theory at the realised sizes: {e}")),
        );
    }
    None
}

/// A realised size of a simulated point: its key and how to read it from the checked simulation.
pub type Size<S> = (&'static str, fn(&S) -> Field);

/// Simulate one checked point and write its fields: the realised `sizes` (`null` if the
/// simulation's `check` failed), then [`simulation_fields`] of the metrics `names`.
pub fn simulate_point<S: Experiment>(
    rec: &mut Record,
    checked: overparam::Result<S>,
    sizes: &[Size<S>],
    names: &[&'static str],
    (run, options): (RunOptions, JoinOptions),
    old: &[(&'static str, Old)],
) -> Option<overparam::Error> {
    for (key, size) in sizes {
        rec.push(*key, checked.as_ref().map_or(Field::Null, size));
    }
    let simulated = checked.and_then(|s| Simulated::run(&s, &run, &options));
    simulation_fields(rec, names, simulated, old, run)
}

/// The deprecated simulation keys of 0.1 of rf and ridge (same values as the join fields
/// `sim_bias`, `sim_variance`, `sim_train_error`, `sim_train_error_se`, `z_train_error`,
/// `sim_trials`).
pub const RISK_OLD_KEYS: [(&str, Old); 6] = [
    ("sim_bias_mean", Old::Mean("bias")),
    ("sim_variance_mean", Old::Mean("variance")),
    ("sim_train_mean", Old::Mean("train_error")),
    ("sim_train_se", Old::Se("train_error")),
    ("train_z", Old::Z("train_error")),
    ("trials", Old::Trials),
];

#[cfg(test)]
mod tests {
    use super::*;
    use overparam::experiment::MetricComparison;

    fn metric(name: &'static str, z: Option<f64>, agrees: bool) -> MetricComparison {
        MetricComparison {
            name,
            theory_realised: 1.5,
            simulation: PointEstimate {
                value: 1.6,
                std_err: 0.05,
            },
            z,
            allowance: 0.03,
            agrees,
        }
    }

    #[test]
    fn joined_becomes_the_glossary_fields() {
        let joined = Joined {
            metrics: vec![
                metric("robust_test_risk", Some(2.0), true),
                metric("test_risk", None, false),
            ],
            size: 100,
            run: RunOptions {
                seed: 7,
                trials: 12,
                progress: false,
            },
        };
        let mut rec = Record::default();
        joined_fields(&mut rec, &["robust_test_risk", "test_risk"], Some(&joined));
        let keys: Vec<&str> = rec.0.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(
            keys,
            [
                "sim_mean",
                "sim_se",
                "theory_realised",
                "z",
                "allowance",
                "agrees",
                "sim_test_risk",
                "sim_test_risk_se",
                "theory_realised_test_risk",
                "z_test_risk",
                "allowance_test_risk",
                "agrees_test_risk",
                "sim_trials",
                "sim_seed",
            ]
        );
        assert_eq!(rec.get("sim_mean"), Some(&Field::Num(1.6)));
        assert_eq!(rec.get("z"), Some(&Field::Num(2.0)));
        assert_eq!(rec.get("agrees"), Some(&Field::Bool(true)));
        assert_eq!(rec.get("z_test_risk"), Some(&Field::Null));
        assert_eq!(rec.get("agrees_test_risk"), Some(&Field::Bool(false)));
        assert_eq!(rec.get("sim_trials"), Some(&Field::Int(12)));
        assert_eq!(rec.get("sim_seed"), Some(&Field::Int(7)));
        // A failed point has the same keys, all null.
        let mut failed = Record::default();
        joined_fields(&mut failed, &["robust_test_risk", "test_risk"], None);
        let failed_keys: Vec<&str> = failed.0.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(failed_keys, keys);
        assert!(failed.0.iter().all(|(_, v)| *v == Field::Null));
    }
}
