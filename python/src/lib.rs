//! `overparam._core`: the Python extension module of `overparam` (PyO3 + rust-numpy).
//!
//! Like the command line (`src/bin/overparam`), this layer only parses, calls the library and
//! returns: no model formulas, no validation bounds of its own, no hand-written warm-start loops
//! (the library's curve functions are called along the last axis, as the CLI's driver calls
//! them along the innermost swept axis). The pure-Python package `overparam` broadcasts the
//! arguments (NumPy rules), flattens them in C order and calls the functions here with
//! contiguous 1-D `float64` arrays of one length (or of length 1: a scalar argument, repeated
//! here, see [`Col`]) and the length of the last axis (`line`), which is solved in the CLI's
//! pieces of [`CHUNK`] points.
//!
//! Every function returns `(columns, errors)`: `columns` a dict of 1-D `float64` arrays named as
//! the CLI's JSON keys (NaN where a point failed), `errors` a list of `(index, info)` with `info`
//! a dict describing the library error (`kind` = the `overparam::Error` variant, `message`, and
//! the variant's fields); index `-1` is an error of the whole call. The Python layer turns them
//! into exceptions or an `error` array (`errors="raise" | "nan"`). The GIL is released during the
//! computation.
#![forbid(unsafe_code)]

use std::ops::Range;
use std::sync::Arc;

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use overparam::Error;
use overparam::experiment::{Experiment, JoinOptions, RunOptions, join_simulated};
use overparam::gaussian::Activation;
use overparam::sim::InputDistribution;
use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
use overparam::sim::dynamics::DynamicsSimulation;
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::sim::memory::MemoryBudget;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::ridge::{AnisotropicRidgeSimulation, LinearRidgeSimulation};
use overparam::sim::shard::{MergedRun, PartialRun, Shard, capture, replay};
use overparam::sim::two_layer::TwoLayerHessian;
use overparam::spectral::{FreeProduct, FreeSum, Measure, Population, SampleCovariance};
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
use overparam::theory::dynamics::{Algorithm, Dynamics, steps_of};
use overparam::theory::membership::Membership;
use overparam::theory::random_features::{RandomFeatures, RandomFeaturesModel};
use overparam::theory::ridge::{AnisotropicRidge, Ridge};
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::spectrum::block_spectrum;

type Arr<'py> = PyReadonlyArray1<'py, f64>;

/// The columns of a result, filled point by point (NaN where a point has no value).
struct Out {
    n: usize,
    names: Vec<String>,
    cols: Vec<Vec<f64>>,
    errors: Vec<(isize, &'static str, Error)>,
}

impl Out {
    fn new(n: usize, names: &[&str]) -> Self {
        Self {
            n,
            names: names.iter().map(|s| s.to_string()).collect(),
            // Large columns are filled in parallel: the first touch (page faults) is shared.
            cols: names
                .iter()
                .map(|_| {
                    if n >= PARALLEL_MIN {
                        (0..n).into_par_iter().map(|_| f64::NAN).collect()
                    } else {
                        vec![f64::NAN; n]
                    }
                })
                .collect(),
            errors: Vec::new(),
        }
    }

    /// Set the first `values.len()` columns (the model's fixed schema) at point `i`.
    fn row(&mut self, i: usize, values: &[f64]) {
        for (c, v) in self.cols.iter_mut().zip(values) {
            c[i] = *v;
        }
    }

    /// The column `name`, added (NaN-filled) if new.
    fn col(&mut self, name: &str) -> usize {
        if let Some(k) = self.names.iter().position(|n| n == name) {
            return k;
        }
        self.names.push(name.to_string());
        self.cols.push(vec![f64::NAN; self.n]);
        self.cols.len() - 1
    }

    fn set(&mut self, i: usize, name: &str, v: f64) {
        let k = self.col(name);
        self.cols[k][i] = v;
    }

    fn fail(&mut self, i: usize, stage: &'static str, e: Error) {
        self.errors.push((i as isize, stage, e));
    }

    /// The columns as a dict of NumPy arrays, except for a call of one point, whose columns
    /// are Python floats (no array allocations: the per-call overhead of scalar calls; the
    /// Python layer gives them the call's shape).
    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let dict = PyDict::new(py);
        for (name, col) in self.names.into_iter().zip(self.cols) {
            if let [v] = col[..] {
                dict.set_item(name, v)?;
            } else {
                dict.set_item(name, col.into_pyarray(py))?;
            }
        }
        let errors = PyList::empty(py);
        for (i, stage, e) in &self.errors {
            errors.append((*i, error_info(py, e, stage)?))?;
        }
        Ok((dict, errors).into_pyobject(py)?.into_any().unbind())
    }
}

/// A whole-call failure (bad option string, unreadable spectrum file, ...): no columns.
fn call_error(py: Python<'_>, e: &Error) -> PyResult<Py<PyAny>> {
    let errors = PyList::empty(py);
    errors.append((-1isize, error_info(py, e, "arguments")?))?;
    Ok((py.None(), errors).into_pyobject(py)?.into_any().unbind())
}

/// The library error as a dict: `kind` (the variant), `message` (its `Display`), `stage`, and
/// the variant's fields.
fn error_info<'py>(py: Python<'py>, e: &Error, stage: &str) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("message", e.to_string())?;
    d.set_item("stage", stage)?;
    let kind = match e {
        Error::InvalidParameter {
            name,
            value,
            expected,
        } => {
            d.set_item("name", *name)?;
            d.set_item("value", *value)?;
            d.set_item("expected", *expected)?;
            "InvalidParameter"
        }
        Error::InvalidChoice {
            name,
            value,
            expected,
        } => {
            d.set_item("name", *name)?;
            d.set_item("value", value.as_str())?;
            d.set_item("expected", *expected)?;
            "InvalidChoice"
        }
        Error::NotConverged {
            method,
            iterations,
            residual,
            tolerance,
            ..
        } => {
            d.set_item("method", *method)?;
            d.set_item("iterations", *iterations)?;
            d.set_item("residual", *residual)?;
            d.set_item("tolerance", *tolerance)?;
            "NotConverged"
        }
        Error::NonFinite { what } => {
            d.set_item("what", *what)?;
            "NonFinite"
        }
        Error::NoBracket { .. } => "NoBracket",
        Error::DimensionMismatch { .. } => "DimensionMismatch",
        Error::NoSolution { what } => {
            d.set_item("what", *what)?;
            "NoSolution"
        }
        Error::NotASaddle {
            iterations,
            residual,
            ..
        } => {
            d.set_item("iterations", *iterations)?;
            d.set_item("residual", *residual)?;
            "NotASaddle"
        }
        Error::LinearAlgebra { .. } => "LinearAlgebra",
        Error::MemoryBudget {
            parameter,
            estimate_bytes,
            budget_bytes,
        } => {
            d.set_item("name", *parameter)?;
            d.set_item("estimate_bytes", *estimate_bytes)?;
            d.set_item("budget_bytes", *budget_bytes)?;
            "MemoryBudget"
        }
        Error::InvalidData {
            origin,
            line,
            problem,
        } => {
            d.set_item("origin", origin.as_str())?;
            d.set_item("line", *line)?;
            d.set_item("problem", problem.as_str())?;
            "InvalidData"
        }
        Error::Sharded { index, count } => {
            d.set_item("shard", (*index, *count))?;
            "Sharded"
        }
        _ => "Other",
    };
    d.set_item("kind", kind)?;
    Ok(d)
}

/// From this many points on, the columns are filled and the random-features pieces solved in
/// parallel (rayon). Below, on the calling thread: each parallel call hands work to the pool and
/// waits for it (tens of microseconds per call on a loaded machine, one per column), which cost
/// about 0.5 ms per call of 2 to 500 points, 50 times the work (python/bench/bench.py,
/// `rf_small_array_us`). The numbers are the same either way.
const PARALLEL_MIN: usize = 4096;

/// Points per warm-started piece of a line: the CLI driver's `CHUNK` (src/bin/overparam/
/// driver.rs), so that a line longer than this gives the CLI's numbers (each piece is
/// warm-started from its own first point).
const CHUNK: usize = 256;

/// The pieces of the lines of a flattened C-order array whose last axis has length `line`: up to
/// [`CHUNK`] consecutive points of one line, as the CLI's pieces.
fn lines(n: usize, line: usize) -> impl Iterator<Item = Range<usize>> {
    let line = line.max(1);
    (0..n.div_ceil(line)).flat_map(move |k| {
        let (start, end) = (k * line, ((k + 1) * line).min(n));
        (start..end)
            .step_by(CHUNK)
            .map(move |a| a..(a + CHUNK).min(end))
    })
}

/// Does `xs` hold one value on `range`?
fn constant(xs: &Col<'_>, range: &Range<usize>) -> bool {
    if xs.0.len() == 1 {
        return true;
    }
    let first = xs[range.start];
    xs.0[range.clone()]
        .iter()
        .all(|x| x.to_bits() == first.to_bits())
}

/// The CLI driver's `along`: the library's warm-started curve over a line when it applies and
/// succeeds, else every point on its own.
fn along<M, O>(
    range: Range<usize>,
    build: impl Fn(usize) -> overparam::Result<M>,
    curve: Option<(Col<'_>, impl Fn(&M, &[f64]) -> overparam::Result<Vec<O>>)>,
    single: impl Fn(&M) -> overparam::Result<O>,
) -> Vec<overparam::Result<O>> {
    if let Some((xs, curve)) = curve
        && range.len() > 1
        && let Ok(first) = build(range.start)
        && let Ok(values) = curve(&first, &xs.slice(range.clone()))
        && values.len() == range.len()
    {
        return values.into_iter().map(Ok).collect();
    }
    range.map(|i| build(i).and_then(|m| single(&m))).collect()
}

/// A size field of a simulator: its name and how to read it.
type Size<S> = (&'static str, fn(&S) -> f64);

/// Simulation options from Python: `(size, trials, seed, finite_size_constant, memory_budget)`
/// (the budget in bytes; `None`: the library's default, half of physical memory).
type SimOptions = Option<(usize, usize, u64, f64, Option<u64>)>;

/// Simulate one point and join it with the theory at the realised sizes, as the CLI's
/// `simulate_point` (under the given memory budget, else the library's default; the same fields).
fn simulate<S: Experiment>(
    out: &mut Out,
    i: usize,
    checked: overparam::Result<S>,
    sizes: &[Size<S>],
    (trials, seed, c, budget): (usize, u64, f64, Option<u64>),
) {
    let sim = match checked {
        Ok(s) => s,
        Err(e) => return out.fail(i, "simulation", e),
    };
    for (name, f) in sizes {
        out.set(i, name, f(&sim));
    }
    let run = RunOptions {
        seed,
        trials,
        progress: false,
    };
    let options = JoinOptions {
        finite_size_constant: c,
    };
    let joined = sim
        .simulate_with_budget(
            &run,
            &budget.map_or_else(MemoryBudget::default, MemoryBudget::bytes),
        )
        .and_then(|est| join_simulated(&sim, &est, &run, &options));
    match joined {
        Ok(j) => {
            for (k, m) in j.metrics.iter().enumerate() {
                let values = [
                    m.simulation.value,
                    m.simulation.std_err,
                    m.theory_realised,
                    m.z.unwrap_or(f64::NAN),
                    m.allowance,
                    if m.agrees { 1.0 } else { 0.0 },
                ];
                for (name, v) in metric_keys(k, m.name).iter().zip(values) {
                    out.set(i, name, v);
                }
            }
            out.set(i, "sim_trials", j.run.trials as f64);
            out.set(i, "sim_seed", j.run.seed as f64);
        }
        Err(e) => {
            if let Error::Sharded { .. } = e {
                // Inside a shard: the trials were recorded, nothing aggregated. The fields exist
                // (NaN), as in the merged call, so that code reading them runs through.
                for (k, name) in sim.metric_names().iter().enumerate() {
                    for key in metric_keys(k, name) {
                        out.col(&key);
                    }
                }
                out.col("sim_trials");
                out.col("sim_seed");
            }
            out.fail(i, "simulation", e);
        }
    }
}

/// The fields of simulated metric `k` (`name`): the library's one vocabulary
/// ([`overparam::experiment::join_field_names`]), as the CLI's JSON keys.
fn metric_keys(k: usize, name: &str) -> [std::borrow::Cow<'static, str>; 6] {
    overparam::experiment::join_field_names(k, name)
}

/// One broadcast argument: `n` values, or one value standing for all `n` (the Python layer
/// passes a scalar argument as a length-1 array instead of materialising it).
#[derive(Clone, Copy)]
struct Col<'a>(&'a [f64]);

impl Col<'_> {
    /// The values on `range` (copied only for a length-1 argument).
    fn slice(&self, range: Range<usize>) -> std::borrow::Cow<'_, [f64]> {
        if self.0.len() == 1 {
            std::borrow::Cow::Owned(vec![self.0[0]; range.len()])
        } else {
            std::borrow::Cow::Borrowed(&self.0[range])
        }
    }
}

impl std::ops::Index<usize> for Col<'_> {
    type Output = f64;
    fn index(&self, i: usize) -> &f64 {
        if self.0.len() == 1 {
            &self.0[0]
        } else {
            &self.0[i]
        }
    }
}

/// The arguments as [`Col`]s and the number of points (every length is 1 or the largest).
fn slices<'a, const K: usize>(arrays: &'a [Arr<'_>; K]) -> PyResult<([Col<'a>; K], usize)> {
    let mut out: [Col<'a>; K] = [Col(&[]); K];
    for (o, a) in out.iter_mut().zip(arrays) {
        *o = Col(a.as_slice()?);
    }
    let n = out.iter().map(|c| c.0.len()).max().unwrap_or(0);
    if out.iter().any(|c| c.0.len() != n && c.0.len() != 1) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "overparam._core: every array must have the length of the largest or length 1 \
             (broadcast them first)",
        ));
    }
    Ok((out, n))
}

// ---------------------------------------------------------------------------------------------
// random features

/// A solved random-features point: the lambda used, the risk, lambda_bar, zeta_sq.
type RfSolved = (f64, overparam::theory::random_features::RfRisk, f64, f64);

/// One row of the random-features columns ([`RF_FIELDS`], then `iterations`) of a solved point.
fn rf_row(p: &RandomFeatures, (lambda, r, lb, zs): &RfSolved) -> [f64; 17] {
    [
        p.psi1,
        p.psi2,
        *lambda,
        p.f1,
        p.f_star,
        p.noise_sd,
        r.test_error,
        r.train_error,
        r.bias,
        r.variance,
        r.bias_coefficient,
        r.variance_coefficient,
        *lb,
        *zs,
        r.chi,
        r.residual,
        r.iterations as f64,
    ]
}

const RF_FIELDS: [&str; 16] = [
    "psi1",
    "psi2",
    "lambda",
    "f1",
    "f_star",
    "noise_sd",
    "test_error",
    "train_error",
    "bias",
    "variance",
    "bias_coefficient",
    "variance_coefficient",
    "lambda_bar",
    "zeta_sq",
    "chi",
    "residual",
];

/// Random-features ridge regression (`overparam rf`), warm-started along `psi1` on each line.
#[pyfunction]
#[pyo3(signature = (psi1, psi2, lam, f1, f_star, noise_sd, line, activation, optimal_lambda=false, sim=None, test_points=1000, input="sphere"))]
#[allow(clippy::too_many_arguments)]
fn random_features(
    py: Python<'_>,
    psi1: Arr<'_>,
    psi2: Arr<'_>,
    lam: Arr<'_>,
    f1: Arr<'_>,
    f_star: Arr<'_>,
    noise_sd: Arr<'_>,
    line: usize,
    activation: &str,
    optimal_lambda: bool,
    sim: SimOptions,
    test_points: usize,
    input: &str,
) -> PyResult<Py<PyAny>> {
    let arrays = [psi1, psi2, lam, f1, f_star, noise_sd];
    let ([psi1, psi2, lam, f1, f_star, noise_sd], n) = slices(&arrays)?;
    let activation: Activation = match activation.parse() {
        Ok(a) => a,
        Err(e) => return call_error(py, &e),
    };
    let input: InputDistribution = match input.parse() {
        Ok(a) => a,
        Err(e) => return call_error(py, &e),
    };
    let out = py.detach(|| {
        let params = |i: usize| RandomFeatures {
            psi1: psi1[i],
            psi2: psi2[i],
            lambda: lam[i],
            activation: activation.clone(),
            f1: f1[i],
            f_star: f_star[i],
            noise_sd: noise_sd[i],
            ..RandomFeatures::default()
        };
        let mut fields = RF_FIELDS.to_vec();
        fields.push("iterations");
        let mut out = Out::new(n, &fields);
        let build = |i: usize| params(i).check();
        let single = |m: &RandomFeaturesModel| -> overparam::Result<RfSolved> {
            let m = if optimal_lambda {
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
        // As the CLI's `along`, piece by piece: the warm-started curve when only psi1 varies on
        // the piece and it succeeds, else every point on its own; (lambda used, risk,
        // lambda_bar, zeta_sq) per point. The pieces are independent, so they are solved in
        // parallel (rayon; the same numbers for any number of threads).
        let solve_piece = |range: &Range<usize>| -> Vec<overparam::Result<RfSolved>> {
            let others = [psi2, lam, f1, f_star, noise_sd];
            let warm = !optimal_lambda && others.iter().all(|xs| constant(xs, range));
            if warm
                && range.len() > 1
                && let Ok(first) = build(range.start)
                && let Ok(risks) = first.curve_psi1(&psi1.slice(range.clone()))
                && risks.len() == range.len()
            {
                let (lambda, lb, zs) = (
                    first.lambda(),
                    first.reduced().lambda_bar(),
                    first.reduced().zeta_sq(),
                );
                return risks.into_iter().map(|r| Ok((lambda, r, lb, zs))).collect();
            }
            range
                .clone()
                .map(|i| build(i).and_then(|m| single(&m)))
                .collect()
        };
        // Each piece writes its rows straight into its own slices of the columns (in parallel;
        // no intermediate vector of results, and the output pages are touched by the threads
        // that fill them).
        let pieces: Vec<Range<usize>> = lines(n, line).collect();
        let mut slices: Vec<Vec<&mut [f64]>> = pieces.iter().map(|_| Vec::new()).collect();
        for col in out.cols.iter_mut() {
            let mut rest: &mut [f64] = col;
            for (piece, range) in slices.iter_mut().zip(&pieces) {
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(range.len());
                piece.push(head);
                rest = tail;
            }
        }
        let fill = |(range, mut cols): (&Range<usize>, Vec<&mut [f64]>)| {
            let mut failed = Vec::new();
            for (k, (i, s)) in range.clone().zip(solve_piece(range)).enumerate() {
                let p = &params(i);
                let row: &[f64] = match &s {
                    Ok(solved) => &rf_row(p, solved),
                    Err(_) => &[p.psi1, p.psi2, p.lambda, p.f1, p.f_star, p.noise_sd],
                };
                for (col, v) in cols.iter_mut().zip(row) {
                    col[k] = *v;
                }
                if let Err(e) = s {
                    failed.push((i, e));
                }
            }
            failed
        };
        let failures: Vec<Vec<(usize, Error)>> = if n >= PARALLEL_MIN && pieces.len() > 1 {
            pieces
                .par_iter()
                .zip(slices.into_par_iter())
                .map(fill)
                .collect()
        } else {
            pieces.iter().zip(slices).map(fill).collect()
        };
        for (i, e) in failures.into_iter().flatten() {
            out.fail(i, "theory", e);
        }
        if let Some((d, trials, seed, c, budget)) = sim {
            for i in 0..n {
                let mut p = params(i);
                p.lambda = out.cols[2][i];
                let checked = RandomFeaturesSimulation {
                    model: p,
                    d,
                    test_points,
                    input,
                }
                .check();
                simulate(
                    &mut out,
                    i,
                    checked,
                    &[
                        ("d", |s| s.d() as f64),
                        ("realised_psi1", |s| s.realised_psi1()),
                        ("realised_psi2", |s| s.realised_psi2()),
                    ],
                    (trials, seed, c, budget),
                );
            }
        }
        out
    });
    out.into_py(py)
}

// ---------------------------------------------------------------------------------------------
// ridge

/// A population spectrum: `powerlaw:ALPHA:P` (with `signal_exponent`), a CSV path, or arrays.
fn population(
    spec: Option<&str>,
    signal_exponent: Option<f64>,
    arrays: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
) -> overparam::Result<Population> {
    if let Some((eigenvalues, weights, signal)) = arrays {
        return Population::new(eigenvalues, weights, signal);
    }
    let spec = spec.unwrap_or_default();
    if let Some(rest) = spec.strip_prefix("powerlaw:") {
        let bad = || Error::InvalidChoice {
            name: "spectrum",
            value: spec.to_string(),
            expected: "powerlaw:ALPHA:P with ALPHA >= 0 a number and P >= 1 an integer",
        };
        let (a, p) = rest.split_once(':').ok_or_else(bad)?;
        let alpha: f64 = a.trim().parse().map_err(|_| bad())?;
        let count: usize = p.trim().parse().map_err(|_| bad())?;
        Population::power_law(alpha, signal_exponent.unwrap_or(0.0), count)
    } else {
        if signal_exponent.is_some() {
            return Err(Error::InvalidChoice {
                name: "signal_exponent",
                value: spec.to_string(),
                expected: "a spectrum powerlaw:ALPHA:P (a CSV file gives the signal shares in its `signal` column)",
            });
        }
        Population::from_csv_path(std::path::Path::new(spec))
    }
}

/// Linear ridge (`overparam ridge`), isotropic or with a population spectrum.
#[pyfunction]
#[pyo3(signature = (gamma, lam, snr, noise_sd, line, optimal_lambda=false, spectrum=None, signal_exponent=None, arrays=None, sim=None))]
#[allow(clippy::too_many_arguments)]
fn ridge(
    py: Python<'_>,
    gamma: Arr<'_>,
    lam: Arr<'_>,
    snr: Arr<'_>,
    noise_sd: Arr<'_>,
    line: usize,
    optimal_lambda: bool,
    spectrum: Option<&str>,
    signal_exponent: Option<f64>,
    arrays: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
    sim: SimOptions,
) -> PyResult<Py<PyAny>> {
    let _ = line; // closed forms / one solve per point: no curve functions
    let arr = [gamma, lam, snr, noise_sd];
    let ([gamma, lam, snr, noise_sd], n) = slices(&arr)?;
    let anisotropic = spectrum.is_some() || arrays.is_some();
    let pop = if anisotropic {
        match population(spectrum, signal_exponent, arrays) {
            Ok(p) => Some(Arc::new(p)),
            Err(e) => return call_error(py, &e),
        }
    } else {
        None
    };
    // A long array call is evaluated on the certified compressed rule, built once here (as the
    // CLI does for the same number of points: the decision depends on the size only).
    if let Some(p) = &pop
        && n >= overparam::spectral::population::CERTIFIED_RULE_MIN_POINTS
    {
        py.detach(|| p.build_certified_rule());
    }
    let out = py.detach(|| match pop {
        None => {
            let mut out = Out::new(
                n,
                &[
                    "gamma",
                    "lambda",
                    "snr",
                    "noise_sd",
                    "test_error",
                    "train_error",
                    "bias",
                    "variance",
                ],
            );
            for i in 0..n {
                let p = Ridge {
                    gamma: gamma[i],
                    lambda: lam[i],
                    snr: snr[i],
                    noise_sd: noise_sd[i],
                    ..Ridge::default()
                };
                let solved = p.check().and_then(|m| {
                    if optimal_lambda {
                        let o = m.optimal_lambda()?;
                        Ok((o.lambda, o.at_optimum))
                    } else {
                        Ok((m.lambda(), m.risk()?))
                    }
                });
                let lambda = match solved {
                    Ok((l, r)) => {
                        out.row(
                            i,
                            &[
                                p.gamma,
                                l,
                                p.snr,
                                p.noise_sd,
                                r.test_error,
                                r.train_error,
                                r.bias,
                                r.variance,
                            ],
                        );
                        l
                    }
                    Err(e) => {
                        out.row(i, &[p.gamma, p.lambda, p.snr, p.noise_sd]);
                        out.fail(i, "theory", e);
                        p.lambda
                    }
                };
                if let Some((size, trials, seed, c, budget)) = sim {
                    let checked = LinearRidgeSimulation {
                        model: Ridge { lambda, ..p },
                        n: size,
                    }
                    .check();
                    simulate(
                        &mut out,
                        i,
                        checked,
                        &[
                            ("n", |s| s.n() as f64),
                            ("p", |s| s.p() as f64),
                            ("realised_gamma", |s| s.realised_gamma()),
                        ],
                        (trials, seed, c, budget),
                    );
                }
            }
            out
        }
        Some(pop) => {
            let mut out = Out::new(
                n,
                &[
                    "gamma",
                    "lambda",
                    "snr",
                    "noise_sd",
                    "atoms",
                    "test_error",
                    "train_error",
                    "bias",
                    "variance",
                    "kappa",
                    "df_ratio",
                    "gcv",
                    "kappa_residual",
                    "kappa_iterations",
                ],
            );
            for i in 0..n {
                let p = AnisotropicRidge {
                    population: Arc::clone(&pop),
                    gamma: gamma[i],
                    lambda: lam[i],
                    snr: snr[i],
                    noise_sd: noise_sd[i],
                };
                let atoms = pop.len() as f64;
                let solved = p.check().and_then(|m| {
                    if optimal_lambda {
                        let o = m.optimal_lambda()?;
                        Ok((o.lambda, o.at_optimum))
                    } else {
                        Ok((m.lambda(), m.risk()?))
                    }
                });
                let lambda = match solved {
                    Ok((l, r)) => {
                        out.row(
                            i,
                            &[
                                p.gamma,
                                l,
                                p.snr,
                                p.noise_sd,
                                atoms,
                                r.test_error,
                                r.train_error,
                                r.bias,
                                r.variance,
                                r.kappa,
                                r.df_ratio,
                                r.gcv,
                                r.solve.residual,
                                r.solve.iterations as f64,
                            ],
                        );
                        l
                    }
                    Err(e) => {
                        out.row(i, &[p.gamma, p.lambda, p.snr, p.noise_sd, atoms]);
                        out.fail(i, "theory", e);
                        p.lambda
                    }
                };
                if let Some((size, trials, seed, c, budget)) = sim {
                    let checked = AnisotropicRidgeSimulation {
                        model: AnisotropicRidge { lambda, ..p },
                        n: size,
                    }
                    .check();
                    simulate(
                        &mut out,
                        i,
                        checked,
                        &[
                            ("n", |s| s.n() as f64),
                            ("p", |s| s.p() as f64),
                            ("realised_gamma", |s| s.realised_gamma()),
                        ],
                        (trials, seed, c, budget),
                    );
                }
            }
            out
        }
    });
    out.into_py(py)
}

/// One isotropic ridge point without arrays (the per-call-overhead path of `overparam.ridge`
/// with scalar arguments): `(dict of floats, None)` or `(None, error info)`.
#[pyfunction]
fn ridge_point(
    py: Python<'_>,
    gamma: f64,
    lam: f64,
    snr: f64,
    noise_sd: f64,
) -> PyResult<Py<PyAny>> {
    let p = Ridge {
        gamma,
        lambda: lam,
        snr,
        noise_sd,
        ..Ridge::default()
    };
    match p.check().and_then(|m| m.risk()) {
        Ok(r) => {
            let d = PyDict::new(py);
            let fields = [
                (pyo3::intern!(py, "gamma"), gamma),
                (pyo3::intern!(py, "lambda"), lam),
                (pyo3::intern!(py, "snr"), snr),
                (pyo3::intern!(py, "noise_sd"), noise_sd),
                (pyo3::intern!(py, "test_error"), r.test_error),
                (pyo3::intern!(py, "train_error"), r.train_error),
                (pyo3::intern!(py, "bias"), r.bias),
                (pyo3::intern!(py, "variance"), r.variance),
            ];
            for (k, v) in fields {
                d.set_item(k, v)?;
            }
            Ok((d, py.None()).into_pyobject(py)?.into_any().unbind())
        }
        Err(e) => Ok((py.None(), error_info(py, &e, "theory")?)
            .into_pyobject(py)?
            .into_any()
            .unbind()),
    }
}

/// One random-features point without arrays (the per-call-overhead path of
/// `overparam.random_features` with scalar arguments, no simulation, no optimal lambda): the
/// same solve as a one-point array call; `(dict of floats, None)`, `(None, error info)` for a
/// failed point, or `(None, [(-1, error info)])` for an error of the whole call.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn rf_point(
    py: Python<'_>,
    psi1: f64,
    psi2: f64,
    lam: f64,
    f1: f64,
    f_star: f64,
    noise_sd: f64,
    activation: &str,
) -> PyResult<Py<PyAny>> {
    // An unknown activation is an error of the whole call (as in the array path).
    let activation: Activation = match activation.parse() {
        Ok(a) => a,
        Err(e) => return call_error(py, &e),
    };
    let p = RandomFeatures {
        psi1,
        psi2,
        lambda: lam,
        activation,
        f1,
        f_star,
        noise_sd,
        ..RandomFeatures::default()
    };
    let solved = p.check().and_then(|m| {
        Ok::<RfSolved, Error>((
            m.lambda(),
            m.risk()?,
            m.reduced().lambda_bar(),
            m.reduced().zeta_sq(),
        ))
    });
    match solved {
        Ok(solved) => {
            let d = PyDict::new(py);
            let names = RF_FIELDS.iter().chain(std::iter::once(&"iterations"));
            for (k, v) in names.zip(rf_row(&p, &solved)) {
                d.set_item(pyo3::types::PyString::intern(py, k), v)?;
            }
            Ok((d, py.None()).into_pyobject(py)?.into_any().unbind())
        }
        Err(e) => Ok((py.None(), error_info(py, &e, "theory")?)
            .into_pyobject(py)?
            .into_any()
            .unbind()),
    }
}

// ---------------------------------------------------------------------------------------------
// membership

/// Membership inference (`overparam membership`).
#[pyfunction]
#[pyo3(signature = (gamma, lam, kappa, noise_sd, output_noise, attack, sim=None))]
#[allow(clippy::too_many_arguments)]
fn membership(
    py: Python<'_>,
    gamma: Arr<'_>,
    lam: Arr<'_>,
    kappa: Arr<'_>,
    noise_sd: Arr<'_>,
    output_noise: Arr<'_>,
    attack: &str,
    sim: SimOptions,
) -> PyResult<Py<PyAny>> {
    let arr = [gamma, lam, kappa, noise_sd, output_noise];
    let ([gamma, lam, kappa, noise_sd, output_noise], n) = slices(&arr)?;
    let attack = match attack {
        "output" => Attack::Output,
        "loss" => Attack::Loss,
        other => {
            return call_error(
                py,
                &Error::InvalidChoice {
                    name: "attack",
                    value: other.to_string(),
                    expected: "`output` or `loss`",
                },
            );
        }
    };
    let out = py.detach(|| {
        let extra: &[&str] = match attack {
            Attack::Output => &["tpr_at_fpr_0_01", "v0", "v1", "member_variance_larger"],
            _ => &[
                "tpr_at_fpr_0_01",
                "shrinkage",
                "member_variance",
                "nonmember_variance",
            ],
        };
        let mut names = vec![
            "gamma",
            "kappa",
            "noise_sd",
            "lambda",
            "output_noise",
            "advantage",
            "auc",
            "test_risk",
            "excess_error",
        ];
        names.extend_from_slice(extra);
        let mut out = Out::new(n, &names);
        for i in 0..n {
            let p = Membership {
                gamma: gamma[i],
                lambda: lam[i],
                kappa: kappa[i],
                noise_sd: noise_sd[i],
                output_noise: output_noise[i],
                ..Membership::default()
            };
            let head = [p.gamma, p.kappa, p.noise_sd, p.lambda, p.output_noise];
            let solved = p.check().and_then(|m| {
                let u = m.utility()?;
                let (adv, auc, x) = match attack {
                    Attack::Output => {
                        let a = m.output_attack()?;
                        let more = if a.test.member_has_larger_variance() {
                            1.0
                        } else {
                            0.0
                        };
                        (
                            a.advantage,
                            a.auc,
                            [a.test.tpr_at_fpr(0.01)?, a.v0, a.v1, more],
                        )
                    }
                    _ => {
                        let a = m.loss_attack()?;
                        (
                            a.advantage,
                            a.auc,
                            [
                                a.test.tpr_at_fpr(0.01)?,
                                a.shrinkage,
                                a.member_variance,
                                a.nonmember_variance,
                            ],
                        )
                    }
                };
                Ok((adv, auc, u.test_risk, u.excess_error, x))
            });
            match solved {
                Ok((adv, auc, risk, excess, x)) => {
                    let mut row = head.to_vec();
                    row.extend_from_slice(&[adv, auc, risk, excess]);
                    row.extend_from_slice(&x);
                    out.row(i, &row);
                }
                Err(e) => {
                    out.row(i, &head);
                    out.fail(i, "theory", e);
                }
            }
            if let Some((size, trials, seed, c, budget)) = sim {
                let checked = MembershipAttackSimulation {
                    model: p,
                    n: size,
                    attack,
                }
                .check();
                simulate(
                    &mut out,
                    i,
                    checked,
                    &[("n", |s| s.n() as f64), ("p", |s| s.p() as f64)],
                    (trials, seed, c, budget),
                );
            }
        }
        out
    });
    out.into_py(py)
}

// ---------------------------------------------------------------------------------------------
// adversarial

/// Adversarial training (`overparam adversarial`): random features (`linear=false`; arrays
/// `a, b` are psi1, psi2) or the linear model (`linear=true`; `a` is delta, `b` is r0).
/// Warm-started along psi1 or eps (rf) and eps (linear) on each line, as the CLI.
#[pyfunction]
#[pyo3(signature = (linear, a, b, eps, eps_test, noise_sd, line, sim=None))]
#[allow(clippy::too_many_arguments)]
fn adversarial(
    py: Python<'_>,
    linear: bool,
    a: Arr<'_>,
    b: Arr<'_>,
    eps: Arr<'_>,
    eps_test: Arr<'_>,
    noise_sd: Arr<'_>,
    line: usize,
    sim: SimOptions,
) -> PyResult<Py<PyAny>> {
    let arr = [a, b, eps, eps_test, noise_sd];
    let ([a, b, eps, eps_test, noise_sd], n) = slices(&arr)?;
    let opt = |x: f64| (!x.is_nan()).then_some(x);
    let out = py.detach(|| {
        let common = [
            "eps",
            "eps_test",
            "noise_sd",
            "test_risk",
            "robust_test_risk",
            "train_loss",
            "zero_residual_fraction",
            "adversarial_norm",
            "eps0",
        ];
        if linear {
            let mut names = vec!["delta", "r0"];
            names.extend_from_slice(&common);
            names.extend_from_slice(&[
                "theta_norm",
                "aux_tau",
                "aux_s",
                "aux_rho",
                "aux_b",
                "aux_m",
                "residual",
                "iterations",
            ]);
            let mut out = Out::new(n, &names);
            let params = |i: usize| {
                let mut p = AdversarialLinear {
                    delta: a[i],
                    r0: b[i],
                    eps: eps[i],
                    eps_test: opt(eps_test[i]),
                    ..AdversarialLinear::default()
                };
                if let Some(sd) = opt(noise_sd[i]) {
                    p.noise_sd = sd;
                }
                p
            };
            for range in lines(n, line) {
                let warm = [a, b, eps_test, noise_sd]
                    .iter()
                    .all(|xs| constant(xs, &range));
                let curve = warm.then_some((
                    eps,
                    |m: &overparam::theory::adversarial::AdversarialLinearModel, xs: &[f64]| {
                        m.curve_eps(xs)
                    },
                ));
                let solved = along(range.clone(), |i| params(i).check(), curve, |m| m.solve());
                for (i, s) in range.zip(solved) {
                    let p = params(i);
                    let sd = p.label_noise().map_or(f64::NAN, |x| x.0);
                    let head = [p.delta, p.r0, p.eps, p.eps_test.unwrap_or(p.eps), sd];
                    match s {
                        Ok(s) => {
                            let sad = |k: usize| s.saddle.map_or(f64::NAN, |x| x[k]);
                            let mut row = head.to_vec();
                            row.extend_from_slice(&[
                                s.test_risk,
                                s.robust_test_risk,
                                s.train_loss,
                                s.zero_residual_fraction,
                                s.adversarial_norm,
                                s.eps0,
                                s.theta_norm,
                                sad(0),
                                sad(1),
                                sad(2),
                                sad(3),
                                s.m,
                                s.residual,
                                s.iterations as f64,
                            ]);
                            out.row(i, &row);
                        }
                        Err(e) => {
                            out.row(i, &head);
                            out.fail(i, "theory", e);
                        }
                    }
                    if let Some((d, trials, seed, c, budget)) = sim {
                        let checked = AdversarialLinearSimulation { model: p, d }.check();
                        out.set(i, "sim_d", d as f64);
                        simulate(&mut out, i, checked, &[], (trials, seed, c, budget));
                    }
                }
            }
            out
        } else {
            let mut names = vec!["psi1", "psi2"];
            names.extend_from_slice(&common);
            names.extend_from_slice(&[
                "sigma_sq",
                "aux_alpha",
                "aux_tau_g",
                "aux_beta",
                "aux_gamma",
                "aux_tau_q",
                "aux_nu",
                "aux_kappa",
                "aux_lambda",
                "residual",
                "iterations",
            ]);
            let mut out = Out::new(n, &names);
            let params = |i: usize| {
                let mut p = AdversarialRf {
                    psi1: a[i],
                    psi2: b[i],
                    eps: eps[i],
                    eps_test: opt(eps_test[i]),
                    ..AdversarialRf::default()
                };
                if let Some(sd) = opt(noise_sd[i]) {
                    p.noise_sd = sd;
                }
                p
            };
            type RfModel = overparam::theory::adversarial::AdversarialRfModel;
            type RfCurve = fn(
                &RfModel,
                &[f64],
            ) -> overparam::Result<
                Vec<overparam::theory::adversarial::AdversarialRfSolution>,
            >;
            for range in lines(n, line) {
                let fixed = [b, eps_test, noise_sd]
                    .iter()
                    .all(|xs| constant(xs, &range));
                let curve: Option<(Col<'_>, RfCurve)> = if fixed && constant(&eps, &range) {
                    Some((a, RfModel::curve_psi1))
                } else if fixed && constant(&a, &range) {
                    Some((eps, RfModel::curve_eps))
                } else {
                    None
                };
                let solved = along(range.clone(), |i| params(i).check(), curve, |m| m.solve());
                for (i, s) in range.zip(solved) {
                    let p = params(i);
                    let sd = p.label_noise().map_or(f64::NAN, |x| x.0);
                    let head = [p.psi1, p.psi2, p.eps, p.eps_test.unwrap_or(p.eps), sd];
                    match s {
                        Ok(s) => {
                            let sad =
                                |f: fn(&overparam::theory::adversarial::SaddlePoint) -> f64| {
                                    s.saddle.as_ref().map_or(f64::NAN, f)
                                };
                            let mut row = head.to_vec();
                            row.extend_from_slice(&[
                                s.test_risk,
                                s.robust_test_risk,
                                s.train_loss,
                                s.zero_residual_fraction,
                                s.adversarial_norm,
                                s.eps0,
                                s.sigma_sq,
                                sad(|x| x.alpha),
                                sad(|x| x.tau_g),
                                sad(|x| x.beta),
                                sad(|x| x.gamma),
                                sad(|x| x.tau_q),
                                s.nu,
                                s.kappa,
                                s.lambda.unwrap_or(f64::NAN),
                                s.residual,
                                s.iterations as f64,
                            ]);
                            out.row(i, &row);
                        }
                        Err(e) => {
                            out.row(i, &head);
                            out.fail(i, "theory", e);
                        }
                    }
                    if let Some((d, trials, seed, c, budget)) = sim {
                        let checked = AdversarialRfSimulation { model: p, d }.check();
                        out.set(i, "sim_d", d as f64);
                        simulate(&mut out, i, checked, &[], (trials, seed, c, budget));
                    }
                }
            }
            out
        }
    });
    out.into_py(py)
}

// ---------------------------------------------------------------------------------------------
// dynamics

/// Training dynamics of least squares (`overparam dynamics`); warm-started (one quadrature, one
/// recursion) along the time / steps on each line. `early_stopping` finds the optimal time.
#[pyfunction]
#[pyo3(signature = (gamma, snr, noise_sd, lam, lr, momentum, time, line, algorithm, early_stopping=false, sim=None))]
#[allow(clippy::too_many_arguments)]
fn dynamics(
    py: Python<'_>,
    gamma: Arr<'_>,
    snr: Arr<'_>,
    noise_sd: Arr<'_>,
    lam: Arr<'_>,
    lr: Arr<'_>,
    momentum: Arr<'_>,
    time: Arr<'_>,
    line: usize,
    algorithm: &str,
    early_stopping: bool,
    sim: SimOptions,
) -> PyResult<Py<PyAny>> {
    let arr = [gamma, snr, noise_sd, lam, lr, momentum, time];
    let ([gamma, snr, noise_sd, lam, lr, momentum, time], n) = slices(&arr)?;
    let algorithm: Algorithm = match algorithm.parse() {
        Ok(a) => a,
        Err(e) => return call_error(py, &e),
    };
    let discrete = algorithm.is_discrete();
    let out = py.detach(|| {
        let mut names = vec![
            "gamma",
            "snr",
            "noise_sd",
            "lambda",
            "lr",
            "momentum",
            if discrete { "steps" } else { "time" },
            "test_error",
            "train_error",
            "bias",
            "variance",
            "quadrature_error",
            "nodes",
        ];
        if early_stopping {
            names.extend_from_slice(&[
                "stops_early",
                "ridge_lambda",
                "ridge_test_error",
                "ratio_to_ridge",
            ]);
        }
        let mut out = Out::new(n, &names);
        let params = |i: usize| Dynamics {
            gamma: gamma[i],
            snr: snr[i],
            noise_sd: noise_sd[i],
            lambda: lam[i],
            lr: lr[i],
            momentum: momentum[i],
            algorithm,
        };
        type Model = overparam::theory::dynamics::DynamicsModel;
        type Risk = overparam::theory::dynamics::DynamicsRisk;
        type Early = overparam::theory::dynamics::EarlyStopping;
        for range in lines(n, line) {
            let warm = !early_stopping
                && [gamma, snr, noise_sd, lam, lr, momentum]
                    .iter()
                    .all(|xs| constant(xs, &range));
            let curve = warm.then_some((time, |m: &(Model, f64), ts: &[f64]| {
                let risks: Vec<Risk> = if discrete {
                    let steps = ts
                        .iter()
                        .map(|&t| steps_of(t))
                        .collect::<overparam::Result<Vec<u64>>>()?;
                    m.0.curve_steps(&steps)?
                } else {
                    m.0.curve_time(ts)?
                };
                Ok(risks.into_iter().map(|r| (r, None)).collect())
            }));
            let single = |(m, t): &(Model, f64)| -> overparam::Result<(Risk, Option<Early>)> {
                if early_stopping {
                    let es = m.early_stopping()?;
                    Ok((es.at_optimum, Some(es)))
                } else {
                    Ok((m.at(*t)?, None))
                }
            };
            let solved = along(
                range.clone(),
                |i| Ok((params(i).check()?, time[i])),
                curve,
                single,
            );
            for (i, s) in range.zip(solved) {
                let p = params(i);
                let mut head = vec![
                    p.gamma, p.snr, p.noise_sd, p.lambda, p.lr, p.momentum, time[i],
                ];
                let t = match s {
                    Ok((r, es)) => {
                        head[6] = r.time;
                        head.extend_from_slice(&[
                            r.test_error,
                            r.train_error,
                            r.bias,
                            r.variance,
                            r.quadrature_error,
                            r.nodes as f64,
                        ]);
                        if let Some(e) = es {
                            head.extend_from_slice(&[
                                if e.stops_early { 1.0 } else { 0.0 },
                                e.ridge.lambda,
                                e.ridge.at_optimum.test_error,
                                e.ratio_to_ridge,
                            ]);
                        }
                        out.row(i, &head);
                        r.time
                    }
                    Err(e) => {
                        out.row(i, &head);
                        out.fail(i, "theory", e);
                        time[i]
                    }
                };
                if let Some((size, trials, seed, c, budget)) = sim {
                    let checked = DynamicsSimulation {
                        model: p,
                        n: size,
                        time: t,
                    }
                    .check();
                    simulate(
                        &mut out,
                        i,
                        checked,
                        &[
                            ("n", |s| s.n() as f64),
                            ("p", |s| s.p() as f64),
                            ("realised_gamma", |s| s.realised_gamma()),
                        ],
                        (trials, seed, c, budget),
                    );
                }
            }
        }
        out
    });
    out.into_py(py)
}

// ---------------------------------------------------------------------------------------------
// density

/// Spectral densities (`overparam density`): the sample covariance of a population (`population`
/// a law spec or `arrays` (eigenvalues, weights), with `gamma`), or the free additive /
/// multiplicative convolution of two laws (`free = ("sum" | "product", LAW, LAW)`).
#[pyfunction]
#[pyo3(signature = (x, gamma, line, population=None, arrays=None, free=None))]
fn density(
    py: Python<'_>,
    x: Arr<'_>,
    gamma: Arr<'_>,
    line: usize,
    population: Option<&str>,
    arrays: Option<(Vec<f64>, Vec<f64>)>,
    free: Option<(String, String, String)>,
) -> PyResult<Py<PyAny>> {
    let arr = [x, gamma];
    let ([x, gamma], n) = slices(&arr)?;
    if let Some((op, a, b)) = free {
        let xs = x.slice(0..n);
        let laws = Measure::parse(&a).and_then(|mu| Ok((mu, Measure::parse(&b)?)));
        let (mu, nu) = match laws {
            Ok(l) => l,
            Err(e) => return call_error(py, &e),
        };
        let points = match op.as_str() {
            "sum" => FreeSum::new(mu, nu).map(|f| py.detach(|| f.density_points(&xs))),
            _ => FreeProduct::new(mu, nu).map(|f| py.detach(|| f.density_points(&xs))),
        };
        let points = match points {
            Ok(p) => p,
            Err(e) => return call_error(py, &e),
        };
        let mut out = Out::new(
            n,
            &[
                "x",
                "density",
                "stieltjes_re",
                "stieltjes_im",
                "eta",
                "residual",
                "iterations",
            ],
        );
        for (i, p) in points.into_iter().enumerate() {
            match p {
                Ok(p) => out.row(
                    i,
                    &[
                        x[i],
                        p.density,
                        p.stieltjes.re,
                        p.stieltjes.im,
                        p.eta,
                        p.residual,
                        p.iterations as f64,
                    ],
                ),
                Err(e) => {
                    out.row(i, &[x[i]]);
                    out.fail(i, "theory", e);
                }
            }
        }
        return out.into_py(py);
    }
    let h = match arrays {
        Some((ev, w)) => overparam::spectral::Atoms::new(ev, w),
        None => {
            let spec = population.unwrap_or_default();
            Measure::parse(spec).and_then(|m| {
                m.as_atoms().ok_or(Error::InvalidChoice {
                    name: "population",
                    value: spec.to_string(),
                    expected: "a discrete population spectrum (a CSV file, atoms:FILE or powerlaw:ALPHA:P)",
                })
            })
        }
    };
    let h = match h {
        Ok(h) => h,
        Err(e) => return call_error(py, &e),
    };
    let out = py.detach(|| {
        let mut out = Out::new(
            n,
            &[
                "gamma",
                "x",
                "density",
                "stieltjes_re",
                "stieltjes_im",
                "companion_re",
                "companion_im",
                "companion_density",
                "atom_at_zero",
                "companion_atom_at_zero",
                "lower_edge",
                "upper_edge",
                "support_intervals",
                "residual",
                "iterations",
            ],
        );
        for range in lines(n, line) {
            let g = gamma[range.start];
            let law = if constant(&gamma, &range) {
                Some(SampleCovariance::new(&h, g))
            } else {
                None
            };
            let solutions: Vec<_> = match &law {
                Some(Ok(l)) => l.density_curve(&x.slice(range.clone())),
                _ => range
                    .clone()
                    .map(|i| SampleCovariance::new(&h, gamma[i]).and_then(|l| l.density(x[i])))
                    .collect(),
            };
            let support = match &law {
                Some(Ok(l)) => Some(l.support()),
                _ => None,
            };
            for (i, s) in range.zip(solutions) {
                let here = match &law {
                    Some(l) => l.clone(),
                    None => SampleCovariance::new(&h, gamma[i]),
                };
                match (s, here) {
                    (Ok(s), Ok(l)) => {
                        let sup = match &support {
                            Some(sup) => sup.clone(),
                            None => l.support(),
                        };
                        let (lo, hi, k) = match &sup {
                            Ok(v) if !v.is_empty() => (v[0].0, v[v.len() - 1].1, v.len() as f64),
                            _ => (f64::NAN, f64::NAN, f64::NAN),
                        };
                        out.row(
                            i,
                            &[
                                gamma[i],
                                x[i],
                                s.density(),
                                s.stieltjes.re,
                                s.stieltjes.im,
                                s.companion.re,
                                s.companion.im,
                                s.companion_density(),
                                l.atom_at_zero(),
                                l.companion_atom_at_zero(),
                                lo,
                                hi,
                                k,
                                s.residual,
                                s.iterations as f64,
                            ],
                        );
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        out.row(i, &[gamma[i], x[i]]);
                        out.fail(i, "theory", e);
                    }
                }
            }
        }
        out
    });
    out.into_py(py)
}

// ---------------------------------------------------------------------------------------------
// hessian

/// Hessian spectra at the symmetric critical points of two-layer ReLU networks (`overparam
/// hessian --family F --d D`). Returns the columns plus, per point, the spectrum as a list of
/// `(value, multiplicity, component)` (None where the point failed). `simulate` adds the dense
/// check (the d^2 x d^2 Hessian; deterministic: no trials, no seed).
#[pyfunction]
#[pyo3(signature = (family, d, m=None, simulate_dense=false))]
fn hessian(
    py: Python<'_>,
    family: &str,
    d: Arr<'_>,
    m: Option<usize>,
    simulate_dense: bool,
) -> PyResult<Py<PyAny>> {
    let d = d.as_slice()?;
    let fam: Family = match (family, m) {
        ("flipped", Some(m)) => Family::Flipped { m },
        ("flipped", None) => {
            let e = Error::InvalidChoice {
                name: "m",
                value: "None".into(),
                expected: "an integer M >= 2 with family=\"flipped\"",
            };
            return call_error(py, &e);
        }
        (name, _) => match name.parse::<Family>() {
            Ok(f) => f,
            Err(e) => return call_error(py, &e),
        },
    };
    let (out, spectra) = py.detach(|| {
        let n = d.len();
        let mut out = Out::new(
            n,
            &["d", "loss", "residual", "min_eigenvalue", "morse_index"],
        );
        let mut spectra = Vec::with_capacity(n);
        for (i, &di) in d.iter().enumerate() {
            let solved = critical_point(fam, di)
                .and_then(|cp| Ok((block_spectrum(&cp.partition, &cp.params)?, cp)));
            match solved {
                Ok((spec, cp)) => {
                    out.row(
                        i,
                        &[di, cp.loss, cp.residual, spec.min_value(), spec.morse_index()],
                    );
                    spectra.push(Some(
                        spec.values()
                            .iter()
                            .map(|v| (v.value, v.multiplicity, v.component.to_string()))
                            .collect::<Vec<_>>(),
                    ));
                }
                Err(e) => {
                    out.row(i, &[di]);
                    out.fail(i, "theory", e);
                    spectra.push(None);
                }
            }
            if simulate_dense {
                let checked = if di.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&di) {
                    TwoLayerHessian {
                        family: fam,
                        d: di as usize,
                    }
                    .check()
                } else {
                    Err(Error::InvalidParameter {
                        name: "d",
                        value: di,
                        expected: "an integer dimension (the dense check builds the d^2 x d^2 Hessian)",
                    })
                };
                let run = RunOptions::default();
                let c = JoinOptions::default().finite_size_constant;
                simulate(&mut out, i, checked, &[], (run.trials, run.seed, c, None));
                for key in ["sim_trials", "sim_seed"] {
                    out.set(i, key, f64::NAN);
                }
            }
        }
        (out, spectra)
    });
    let res = out.into_py(py)?;
    Ok((res, spectra).into_pyobject(py)?.into_any().unbind())
}

/// The bare library curve (`RandomFeaturesModel::curve_psi1` over `psi1` at fixed psi2, lambda,
/// noise_sd, ReLU), returning the number of points: the in-process reference of the timings
/// (python/bench/bench.py), so that the bindings' cost is a ratio measured in one process.
#[pyfunction]
fn _rf_curve_only(
    py: Python<'_>,
    psi1: Arr<'_>,
    psi2: f64,
    lam: f64,
    noise_sd: f64,
) -> PyResult<usize> {
    let xs = psi1.as_slice()?;
    let Some(&first) = xs.first() else {
        return Ok(0);
    };
    let n = py.detach(|| {
        RandomFeatures {
            psi1: first,
            psi2,
            lambda: lam,
            noise_sd,
            ..RandomFeatures::default()
        }
        .check()
        .and_then(|m| m.curve_psi1(xs))
        .map_or(0, |v| v.len())
    });
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// sharded runs (docs/python.md, "Distributed studies with Dask"; docs/scaling.md)

/// Run the Python callable `f` (no arguments; e.g. a call of `overparam.random_features` with
/// `simulate=True`) as shard `index`/`count` of its simulations: inside the library's
/// `sim::shard::capture`, every trial loop that `f` starts on this thread computes only the trials
/// $k \equiv I - 1 \pmod M$ and records them; the aggregation refuses (`Error::Sharded`).
///
/// Returns `(text, calls, raised, error)`: `text` the partial result (`PartialRun::to_text`, the
/// format of `overparam ... --shard I/M`) with `command` as its command, `calls` the number of
/// trial loops recorded, `raised` the exception `f` raised (or None: the Python layer decides,
/// as the CLI does, that an exception with no trial loop recorded is the call's own error), and
/// `error` None, or the error info of an invalid shard (`InvalidParameter` naming `shard`;
/// `text` is then None). The GIL is held only while `f` runs Python code (the models release
/// it; the trial loops run on this thread, so the capture sees them).
#[pyfunction]
fn _shard_capture(
    py: Python<'_>,
    index: usize,
    count: usize,
    command: Vec<String>,
    f: Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let shard = match Shard::new(index, count) {
        Ok(s) => s,
        Err(e) => {
            let info = error_info(py, &e, "arguments")?;
            return Ok((py.None(), 0usize, py.None(), info)
                .into_pyobject(py)?
                .into_any()
                .unbind());
        }
    };
    let (result, calls) = capture(shard, || f.call0());
    let raised: Py<PyAny> = match result {
        Ok(_) => py.None(),
        Err(e) => e.into_value(py).into_any(),
    };
    let n = calls.len();
    let text = py.detach(|| PartialRun::new(shard, command, calls).to_text());
    Ok((text, n, raised, py.None())
        .into_pyobject(py)?
        .into_any()
        .unbind())
}

/// Merge the partial results `parts` (`(origin, text)`: a name for messages and the text of a
/// shard, in any order) of the call `command`, and run the Python callable `f` (the same call)
/// inside the library's `sim::shard::replay`: every trial loop reads its trials from the parts,
/// so `f` returns exactly what the call without shards returns (bit for bit), or raises what it
/// raises.
///
/// Returns `(value, None)`, or `(None, info)` with the `InvalidData` info (stage `merge`) of a
/// part that does not parse (malformed, truncated, corrupted), parts that do not fit together
/// (another command, crate version or shard count, a shard missing or given twice), parts of
/// another call than `command`, or trial loops of `f` that are not the parts'. An exception of
/// `f` itself propagates.
#[pyfunction]
fn _shard_merge(
    py: Python<'_>,
    parts: Vec<(String, String)>,
    command: Vec<String>,
    f: Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let merged = py.detach(|| -> overparam::Result<MergedRun> {
        let parsed = parts
            .iter()
            .map(|(origin, text)| Ok((origin.clone(), PartialRun::parse(text, origin)?)))
            .collect::<overparam::Result<Vec<_>>>()?;
        let merged = MergedRun::from_parts(&parsed)?;
        if merged.command != command {
            let origin = parts.first().map_or("merge", |p| p.0.as_str());
            return Err(Error::InvalidData {
                origin: origin.to_string(),
                line: 0,
                problem: format!(
                    "the parts are of another call: `{}`, not `{}`",
                    merged.command.join(" "),
                    command.join(" ")
                ),
            });
        }
        Ok(merged)
    });
    let failed = |e: &Error| -> PyResult<Py<PyAny>> {
        let info = error_info(py, e, "merge")?;
        Ok((py.None(), info).into_pyobject(py)?.into_any().unbind())
    };
    let merged = match merged {
        Ok(m) => m,
        Err(e) => return failed(&e),
    };
    match replay(&merged, || f.call0()) {
        Ok(Ok(value)) => Ok((value, py.None()).into_pyobject(py)?.into_any().unbind()),
        Ok(Err(e)) => Err(e),
        Err(e) => failed(&e),
    }
}

/// The extension module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(random_features, m)?)?;
    m.add_function(wrap_pyfunction!(ridge, m)?)?;
    m.add_function(wrap_pyfunction!(ridge_point, m)?)?;
    m.add_function(wrap_pyfunction!(rf_point, m)?)?;
    m.add_function(wrap_pyfunction!(membership, m)?)?;
    m.add_function(wrap_pyfunction!(adversarial, m)?)?;
    m.add_function(wrap_pyfunction!(dynamics, m)?)?;
    m.add_function(wrap_pyfunction!(density, m)?)?;
    m.add_function(wrap_pyfunction!(hessian, m)?)?;
    m.add_function(wrap_pyfunction!(_rf_curve_only, m)?)?;
    m.add_function(wrap_pyfunction!(_shard_capture, m)?)?;
    m.add_function(wrap_pyfunction!(_shard_merge, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
