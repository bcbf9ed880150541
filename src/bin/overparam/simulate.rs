//! The shared `--simulate` flags and the one way a theory-versus-simulation join becomes record
//! fields (docs/glossary.md). No math here, except the functions marked `MOVE TO LIBRARY`, which
//! assemble an `overparam::experiment::Joined` from today's per-model simulation reports until
//! every model implements `overparam::experiment::Experiment`.

use std::borrow::Cow;

use clap::Args;
use overparam::compare::{DEFAULT_KAPPA, RiskComparison, compare_point, finite_size_allowance};
use overparam::experiment::{Joined, MetricComparison, RunOptions};
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
                rec.num(mean, m.simulation.value);
                rec.num(se, m.simulation.std_err);
                rec.num(theory, m.theory_realised);
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

/// MOVE TO LIBRARY (`overparam::experiment`, the rf and ridge `Experiment` implementations): the
/// join of today's four-metric comparison (test error, bias, variance, training error; see
/// `overparam::compare::compare_risks` for the allowances).
pub fn joined_from_risks(c: &RiskComparison, size: usize, run: RunOptions) -> Joined {
    let metric = |name: &'static str, c: &overparam::compare::Comparison| MetricComparison {
        name,
        theory_realised: c.theory,
        simulation: PointEstimate {
            value: c.mean,
            std_err: c.std_err,
        },
        z: c.z.is_finite().then_some(c.z),
        allowance: c.allowance,
        agrees: c.agrees(),
    };
    Joined {
        metrics: vec![
            metric("test_error", &c.test_error),
            metric("bias", &c.bias),
            metric("variance", &c.variance),
            metric("train_error", &c.train_error),
        ],
        size,
        run,
    }
}

/// MOVE TO LIBRARY (`overparam::experiment::join` with the allowance of each model): join named
/// theory values at the realised sizes with simulated estimates, allowance
/// $c\,\max(|R|, 10^{-9} d / c)/\text{size}$ (as `compare_risks`: at least $10^{-9}$ for
/// round-off), verdict $|\text{gap}| \le 4\,\text{SE} + \text{allowance}$.
pub fn join_values(
    metrics: &[(&'static str, f64, PointEstimate)],
    c: f64,
    size: usize,
    run: RunOptions,
) -> overparam::Result<Joined> {
    let metrics = metrics
        .iter()
        .map(|&(name, theory, sim)| {
            let allowance = finite_size_allowance(theory, c, size)?.max(1e-9);
            let cmp = compare_point(theory, &sim, allowance)?;
            Ok(MetricComparison {
                name,
                theory_realised: theory,
                simulation: sim,
                z: cmp.z.is_finite().then_some(cmp.z),
                allowance,
                agrees: cmp.agrees(),
            })
        })
        .collect::<overparam::Result<Vec<_>>>()?;
    Ok(Joined { metrics, size, run })
}

/// What a four-metric simulation (rf, ridge) produced: its realised sizes as record fields, the
/// estimates of test error, bias, variance and training error, the size the allowance divides
/// by, and the comparison with the theory at the realised sizes (or why there is none).
pub struct RiskSimulation {
    /// Realised sizes (`d`, `realised_psi1`, ... or `n`, `p`, `realised_gamma`).
    pub sizes: Vec<(&'static str, Field)>,
    /// Test error, bias, variance, training error.
    pub estimates: [overparam::sim::Estimate; 4],
    /// The size of the allowance ($d$ or $n$).
    pub size: usize,
    /// The comparison with the theory at the realised sizes.
    pub comparison: overparam::Result<RiskComparison>,
}

/// Metric names of the four-metric join, primary first.
const RISK_NAMES: &[&str] = &["test_error", "bias", "variance", "train_error"];

/// The simulation fields of an rf or ridge point: realised sizes, the join, and the deprecated
/// keys of 0.1 (`sim_bias_mean`, `sim_variance_mean`, `sim_train_mean`, `sim_train_se`,
/// `train_z`, `trials`). Every key is present (`null` when the simulation failed, with a
/// `sim_error`); the error is returned.
pub fn risk_simulation_fields(
    rec: &mut Record,
    size_keys: &[&'static str],
    simulated: overparam::Result<RiskSimulation>,
    run: RunOptions,
) -> Option<overparam::Error> {
    let sim = match simulated {
        Ok(s) => s,
        Err(e) => {
            for key in size_keys {
                rec.push(*key, Field::Null);
            }
            joined_fields(rec, RISK_NAMES, None);
            for key in [
                "sim_bias_mean",
                "sim_variance_mean",
                "sim_train_mean",
                "sim_train_se",
                "train_z",
                "trials",
            ] {
                rec.push(key, Field::Null);
            }
            rec.push("sim_error", Field::Text(e.to_string()));
            return Some(e);
        }
    };
    let [test, bias, variance, train] = &sim.estimates;
    rec.0
        .extend(sim.sizes.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)));
    let joined = sim.comparison.map(|c| joined_from_risks(&c, sim.size, run));
    match &joined {
        Ok(j) => joined_fields(rec, RISK_NAMES, Some(j)),
        Err(_) => {
            joined_fields(rec, RISK_NAMES, None);
            rec.set("sim_mean", Field::Num(test.mean));
            rec.set("sim_se", Field::Num(test.std_err));
        }
    }
    // Deprecated keys of 0.1 (same values under the glossary names above).
    rec.num("sim_bias_mean", bias.mean);
    rec.num("sim_variance_mean", variance.mean);
    rec.num("sim_train_mean", train.mean);
    rec.num("sim_train_se", train.std_err);
    rec.push(
        "train_z",
        Field::opt(joined.as_ref().ok().and_then(|j| j.metrics[3].z)),
    );
    rec.push("trials", Field::Int(run.trials as u64));
    if let Err(e) = &joined {
        rec.push(
            "sim_error",
            Field::Text(format!("theory at the realised sizes: {e}")),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn join_values_applies_the_allowance_and_verdict() {
        let run = RunOptions::default();
        let sim = PointEstimate {
            value: 1.1,
            std_err: 0.01,
        };
        // gap 0.1 > 4 SE = 0.04; allowance 3 * 1.0 / 100 = 0.03: disagrees.
        let j = join_values(&[("m", 1.0, sim)], 3.0, 100, run).unwrap();
        assert!(!j.metrics[0].agrees);
        assert!((j.metrics[0].allowance - 0.03).abs() < 1e-15);
        assert!((j.metrics[0].z.unwrap() - 10.0).abs() < 1e-9);
        // c = 10: allowance 0.1 covers the gap.
        let j = join_values(&[("m", 1.0, sim)], 10.0, 100, run).unwrap();
        assert!(j.metrics[0].agrees);
    }
}
