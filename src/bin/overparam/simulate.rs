//! The shared `--simulate` flags and the one way a theory-versus-simulation join
//! (`overparam::experiment`) becomes record fields (docs/glossary.md). No math here: the
//! estimates, the theory at the realised sizes, the allowances and the verdicts are the
//! library's.

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use clap::Args;
use overparam::compare::{DEFAULT_KAPPA, compare_point};
use overparam::experiment::{Experiment, JoinOptions, Joined, RunOptions, join_simulated};
use overparam::sim::PointEstimate;
use overparam::sim::memory::{MemoryBudget, format_bytes};

use crate::CliError;
use crate::driver::Axis;
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
        requires = "simulate",
        allow_negative_numbers = true
    )]
    pub size: Option<usize>,
    /// Number of independent trials (each a fresh data set) per point: an integer in
    /// [2, 1000000] (a standard error needs two; a million trials of the smallest model already
    /// take hours, and more only shrink the standard error below the finite-size allowance).
    #[arg(long, default_value_t = 10, requires = "simulate", value_parser = parse_trials,
          allow_negative_numbers = true)]
    pub trials: usize,
    /// Seed: the same seed gives bit-identical results whatever the number of threads.
    #[arg(
        long,
        default_value_t = 1,
        requires = "simulate",
        allow_negative_numbers = true
    )]
    pub seed: u64,
    /// Memory the simulation may use: bytes with a unit (`500MB`, `8GiB`; B, kB, MB, GB, TB
    /// are powers of 1000, KiB, MiB, GiB, TiB of 1024) or a percentage of physical memory
    /// (`50%`, the default). A simulation whose estimated peak memory is over it is refused
    /// before anything is allocated, with exit status 2.
    #[arg(long, value_name = "SIZE|PERCENT", value_parser = parse_memory_budget,
          requires = "simulate", allow_hyphen_values = true)]
    pub memory_budget: Option<MemoryBudget>,
    /// Finite-size constant c: simulation and theory agree when |gap| <= 4 SE + c |theory| / size.
    #[arg(long, default_value_t = DEFAULT_KAPPA, value_parser = parse_non_negative,
          requires = "simulate")]
    pub finite_size_constant: f64,
    /// No progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Run only shard I of M: the trials k with k = I - 1 (mod M), same random streams, and
    /// print a partial result instead of the records; `overparam merge` of the M parts prints
    /// exactly what the run without --shard prints (docs/scaling.md).
    #[arg(long, value_name = "I/M", requires = "simulate", allow_hyphen_values = true,
          value_parser = |s: &str| s.parse::<overparam::sim::shard::Shard>().map_err(|e| e.to_string()))]
    pub shard: Option<overparam::sim::shard::Shard>,
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

    /// The memory budget: `--memory-budget`, or the library's default (half of the physical
    /// memory).
    pub fn budget(&self) -> MemoryBudget {
        self.memory_budget.unwrap_or_default()
    }

    /// Refuse, before any output, a simulation that would not fit the memory budget at some
    /// point of the grid: its library memory estimate is checked at every corner of the grid
    /// (the sizes, hence the estimate, grow monotonically along every axis, so the largest
    /// estimate is at a corner). Fixes the budget every later simulation of this process runs
    /// under ([`budget`]). Corners whose simulation fails its own check are left to the point.
    ///
    /// Errors: exit status 2 naming the size flag, with the estimate and the budget.
    pub fn check_memory<S: Experiment>(
        &self,
        axes: &[Axis],
        build: impl Fn(&[f64]) -> overparam::Result<S>,
    ) -> Result<(), CliError> {
        let budget = self.budget();
        let _ = BUDGET.set(budget);
        if let Some(lambda) = axes.iter().find(|a| a.name == "lambda" && a.given) {
            let grid: Vec<f64> = lambda.values.values().collect();
            if grid.len() > 1 {
                let _ = LAMBDA_GRID.set(grid);
            }
        }
        let run = self.run();
        let corners = 1usize << axes.len().min(16);
        for corner in 0..corners {
            let v: Vec<f64> = axes
                .iter()
                .enumerate()
                .map(|(i, a)| a.values.ends()[(corner >> i) & 1])
                .collect();
            let checked = match build(&v) {
                Ok(s) => s,
                Err(e @ overparam::Error::MemoryBudget { .. }) => {
                    return Err(memory_error(&e, self.size, &budget));
                }
                Err(_) => continue,
            };
            let estimate = checked.memory_estimate(&run);
            if let Err(e) = budget.check(&estimate) {
                let size = match estimate.parameter {
                    "trials" => run.trials,
                    _ => checked.size(),
                };
                return Err(memory_error(&e, Some(size), &budget));
            }
        }
        Ok(())
    }
}

/// The budget fixed by [`SimulateArgs::check_memory`] for every simulation of this process.
static BUDGET: OnceLock<MemoryBudget> = OnceLock::new();

/// The lambda axis of this process's grid (more than one value), fixed by
/// [`SimulateArgs::check_memory`]: ridge, anisotropic ridge and random-features points on it
/// are simulated as one amortised curve per lambda-free model ([`curve_estimates`]).
static LAMBDA_GRID: OnceLock<Vec<f64>> = OnceLock::new();

/// One amortised curve's estimates per lambda of [`LAMBDA_GRID`] (`None`: the curve failed,
/// e.g. one lambda is outside the simulation's domain; its points run one by one).
type CurveSlot = Arc<OnceLock<Option<Vec<Vec<PointEstimate>>>>>;

/// The curves computed so far, by lambda-free model, size and run.
static CURVES: OnceLock<Mutex<HashMap<String, CurveSlot>>> = OnceLock::new();

/// The estimates of `sim` (in the order of its metric names) from the amortised lambda-curve
/// over [`LAMBDA_GRID`] (the library's `run_lambda_curve`: the same per-trial streams as the
/// point, values equal to rounding, bit for bit for ridge), computed once per lambda-free model
/// and cached. `None` when `sim` is not a curve model, no grid is set, its lambda is not on the
/// grid, or the curve failed: the caller then simulates the point alone.
fn curve_estimates<S: Experiment + 'static>(
    sim: &S,
    run: &RunOptions,
) -> Option<Vec<PointEstimate>> {
    use overparam::sim::random_features::RandomFeaturesSimulator;
    use overparam::sim::ridge::{AnisotropicRidgeSimulator, LinearRidgeSimulator};
    use overparam::theory::random_features::RandomFeatures;
    use overparam::theory::ridge::{AnisotropicRidge, Ridge};
    let grid = LAMBDA_GRID.get()?;
    let any: &dyn Any = sim;
    let risk = |e: [&overparam::sim::Estimate; 4]| e.map(PointEstimate::from).to_vec();
    type Compute<'a> = Box<dyn FnOnce() -> Option<Vec<Vec<PointEstimate>>> + 'a>;
    let (lambda, key, compute): (f64, String, Compute<'_>) =
        if let Some(s) = any.downcast_ref::<LinearRidgeSimulator>() {
            let model = Ridge {
                lambda: 0.0,
                ..*s.model()
            };
            (
                s.lambda(),
                format!("ridge {model:?} n {}", s.n()),
                Box::new(move || {
                    let curve = s.run_lambda_curve_with_budget(run, grid, &budget()).ok()?;
                    Some(
                        curve
                            .iter()
                            .map(|r| risk([&r.test_error, &r.bias, &r.variance, &r.train_error]))
                            .collect(),
                    )
                }),
            )
        } else if let Some(s) = any.downcast_ref::<AnisotropicRidgeSimulator>() {
            let model = AnisotropicRidge {
                lambda: 0.0,
                ..s.model().clone()
            };
            (
                s.model().lambda,
                format!("anisotropic ridge {model:?} n {}", s.n()),
                Box::new(move || {
                    let curve = s.run_lambda_curve_with_budget(run, grid, &budget()).ok()?;
                    Some(
                        curve
                            .iter()
                            .map(|r| risk([&r.test_error, &r.bias, &r.variance, &r.train_error]))
                            .collect(),
                    )
                }),
            )
        } else if let Some(s) = any.downcast_ref::<RandomFeaturesSimulator>() {
            let mut simulation = s.simulation();
            simulation.model = RandomFeatures {
                lambda: 0.0,
                ..simulation.model
            };
            (
                s.model().lambda,
                format!("rf {simulation:?}"),
                Box::new(move || {
                    let curve = s.run_lambda_curve_with_budget(run, grid, &budget()).ok()?;
                    Some(
                        curve
                            .iter()
                            .map(|r| risk([&r.test_error, &r.bias, &r.variance, &r.train_error]))
                            .collect(),
                    )
                }),
            )
        } else {
            return None;
        };
    let j = grid.iter().position(|&g| g == lambda)?;
    let key = format!("{key} seed {} trials {}", run.seed, run.trials);
    let slot = {
        let mut curves = CURVES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(curves.entry(key).or_default())
    };
    slot.get_or_init(compute).as_ref()?.get(j).cloned()
}

/// The memory budget the simulations of this process run under: `--memory-budget` once a
/// subcommand has checked its grid ([`SimulateArgs::check_memory`]), the library default before.
pub fn budget() -> MemoryBudget {
    BUDGET.get().copied().unwrap_or_default()
}

/// The error of a simulation run outside the shared flags (`hessian --gd`): a memory refusal
/// exits 2 naming the flag of the size that drives it (`renames` maps a field to its flag, as in
/// `CliError::from_library_as`); anything else as `CliError::from_library_as`.
pub fn run_error(e: &overparam::Error, renames: &[(&str, &str)]) -> CliError {
    if let overparam::Error::MemoryBudget { parameter, .. } = e {
        let flag = renames
            .iter()
            .find(|(name, _)| name == parameter)
            .map_or_else(|| format!("--{parameter}"), |(_, flag)| flag.to_string());
        return memory_refusal(e, flag, &budget());
    }
    CliError::from_library_as(e, renames)
}

/// [`memory_refusal`] naming `--PARAMETER SIZE`.
fn memory_error(e: &overparam::Error, size: Option<usize>, budget: &MemoryBudget) -> CliError {
    let overparam::Error::MemoryBudget { parameter, .. } = e else {
        return CliError::from_library(e);
    };
    let flag = match size {
        Some(size) => format!("--{parameter} {size}"),
        None => format!("--{parameter}"),
    };
    memory_refusal(e, flag, budget)
}

/// The over-budget refusal: "--n 1000000: the simulation needs about 14.6 TiB, over the memory
/// budget of 11.7 GiB (50% of physical memory; raise it with --memory-budget)", exit 2.
fn memory_refusal(e: &overparam::Error, flag: String, budget: &MemoryBudget) -> CliError {
    let overparam::Error::MemoryBudget {
        estimate_bytes,
        budget_bytes,
        ..
    } = e
    else {
        return CliError::from_library(e);
    };
    let needs = format_bytes(*estimate_bytes);
    let limit = format_bytes(*budget_bytes);
    let how = if *budget_bytes >= overparam::sim::memory::ADDRESS_LIMIT_BYTES {
        "the largest allocation possible".to_string()
    } else {
        match budget.fraction() {
            Some(f) => format!(
                "{}% of physical memory; raise it with --memory-budget",
                format!("{:.3}", f * 100.0)
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            ),
            None => "set by --memory-budget".to_string(),
        }
    };
    CliError::usage(format!(
        "{flag}: the simulation needs about {needs}, over the memory budget of {limit} ({how})"
    ))
}

/// Largest `--trials`.
pub const MAX_TRIALS: usize = 1_000_000;

/// `--trials`: an integer in [2, 1000000].
fn parse_trials(s: &str) -> Result<usize, String> {
    match s.trim().parse::<i128>() {
        Ok(t) if (2..=MAX_TRIALS as i128).contains(&t) => Ok(t as usize),
        Ok(_) => Err(format!(
            "expected an integer in [2, {MAX_TRIALS}] (a standard error needs two trials)"
        )),
        Err(_) => Err(format!("`{s}` is not an integer")),
    }
}

/// `--memory-budget`: `N%` of physical memory (0 < N <= 100), or bytes with an optional unit
/// (B, kB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: powers of 1024; case-insensitive).
pub fn parse_memory_budget(s: &str) -> Result<MemoryBudget, String> {
    let t = s.trim();
    if let Some(pct) = t.strip_suffix('%') {
        let p: f64 = pct
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: expected a percentage like 50%"))?;
        return MemoryBudget::fraction_of_physical(p / 100.0)
            .map_err(|_| format!("`{s}`: expected a percentage in (0%, 100%]"));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}`: expected bytes with a unit (500MB, 8GiB) or a percentage"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        _ => {
            return Err(format!(
                "`{s}`: unknown unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB or %)"
            ));
        }
    };
    let bytes = value * scale;
    if !(bytes.is_finite() && bytes >= 1.0) {
        return Err(format!("`{s}`: expected at least one byte"));
    }
    Ok(MemoryBudget::bytes(if bytes >= u64::MAX as f64 {
        u64::MAX
    } else {
        bytes as u64
    }))
}

/// The record keys of metric `name` at position `i`: the library's one vocabulary
/// ([`overparam::experiment::join_field_names`]).
fn keys(i: usize, name: &str) -> [Cow<'static, str>; 6] {
    overparam::experiment::join_field_names(i, name)
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
        Ok(Self::new(
            sim,
            sim.simulate_with_budget(run, &budget())?,
            run,
            options,
        ))
    }

    /// [`Self::run`], or, when the grid has a lambda range and `sim` is a ridge or
    /// random-features point on it, its slice of the amortised lambda-curve
    /// ([`curve_estimates`]; values equal to the point's to rounding), then join.
    pub fn run_amortised<E: Experiment + 'static>(
        sim: &E,
        run: &RunOptions,
        options: &JoinOptions,
    ) -> overparam::Result<Self> {
        match curve_estimates(sim, run) {
            Some(estimates) => Ok(Self::new(sim, estimates, run, options)),
            None => Self::run(sim, run, options),
        }
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
pub fn simulate_point<S: Experiment + 'static>(
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
    let simulated = checked.and_then(|s| Simulated::run_amortised(&s, &run, &options));
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
    fn memory_budgets_parse_with_units_and_percentages() {
        let bytes = |s: &str| parse_memory_budget(s).map(|b| b.limit_bytes());
        assert_eq!(bytes("500MB"), Ok(500_000_000));
        assert_eq!(bytes("8GiB"), Ok(8 << 30));
        assert_eq!(bytes("1.5 kib"), Ok(1536));
        assert_eq!(bytes("123"), Ok(123));
        assert_eq!(bytes("2TB"), Ok(2_000_000_000_000));
        assert_eq!(
            parse_memory_budget("50%").map(|b| b.fraction()),
            Ok(Some(0.5))
        );
        for bad in [
            "",
            "MB",
            "0",
            "0.5B",
            "-1GB",
            "5 parsecs",
            "0%",
            "101%",
            "nan%",
            "inf",
        ] {
            assert!(parse_memory_budget(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_trials("2"), Ok(2));
        assert_eq!(parse_trials("1000000"), Ok(MAX_TRIALS));
        for bad in ["1", "1000001", "-3", "18446744073709551615", "x"] {
            assert!(parse_trials(bad).is_err(), "{bad}");
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
