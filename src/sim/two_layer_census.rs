//! The two-layer gradient-descent census: a Monte Carlo over random initialisations of gradient
//! descent, each end point identified (isotropy) and polished (reduced Newton).
//!
//! Moved here from `theory::two_layer::census` (a Monte Carlo is a simulation, not theory); that
//! path keeps re-exporting these items, with its old `census(d, runs, seed, opts)` deprecated.
//!
//! The protocol follows Safran & Shamir (*Spurious local minima are common in two-layer ReLU
//! neural networks*, ICML 2018) and Safran, Yehudai & Shamir (2021): Xavier initialisation
//! $W_{ia}\sim\mathcal N(0,1/d)$, plain gradient descent with constant step (default $5/k$; on
//! divergence the run restarts from the same initialisation with the step halved), stopped when
//! $\max_i\|\nabla_{w_i}F\|\le$ `tolerance`. Each end point is mapped to a diagonal-subgroup fixed
//! space (see [`identify_isotropy`]) and polished with reduced Newton
//! ([`crate::theory::two_layer::critical::reduced_newton`]).

use std::collections::BTreeMap;

use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::error::{Error, Result};
use crate::experiment::RunOptions;
use crate::sim::rng::trial_rng;
use crate::theory::two_layer::critical::{ReducedNewtonOptions, reduced_newton};
use crate::theory::two_layer::kernel::Teacher;
use crate::theory::two_layer::spectrum::block_spectrum;
use crate::theory::two_layer::symmetry::{Param, Partition, PartitionParams};

/// Options of [`gradient_descent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientDescentOptions {
    /// Initial step size; `None` means $5/k$.
    pub step: Option<f64>,
    /// Stop when $\max_i\|\nabla_{w_i}F\|\le$ `tolerance`.
    pub tolerance: f64,
    /// Maximum number of iterations per attempt.
    pub max_iter: usize,
}

impl Default for GradientDescentOptions {
    fn default() -> Self {
        Self {
            step: None,
            tolerance: 1e-8,
            max_iter: 200_000,
        }
    }
}

/// The end point of a gradient-descent run.
#[derive(Debug, Clone, PartialEq)]
pub struct DescentReport {
    /// Final weights (row-major $k\times d$).
    pub weights: Vec<f64>,
    /// Final loss.
    pub loss: f64,
    /// Final $\max_i\|\nabla_{w_i}F\|$.
    pub residual: f64,
    /// Iterations of the final attempt.
    pub iterations: usize,
    /// Step size of the final attempt.
    pub step: f64,
}

/// Xavier initialisation: a $k\times d$ matrix with i.i.d. $\mathcal N(0,1/d)$ entries.
pub fn xavier_init(k: usize, d: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let s = 1.0 / (d as f64).sqrt();
    (0..k * d)
        .map(|_| s * Distribution::<f64>::sample(&StandardNormal, rng))
        .collect::<Vec<f64>>()
}

fn max_row_norm(g: &[f64], d: usize) -> f64 {
    g.chunks(d)
        .map(|r| r.iter().map(|x| x * x).sum::<f64>().sqrt())
        .fold(0.0, f64::max)
}

/// Plain gradient descent on $F$ from `w0`. Fails with [`Error::NotConverged`] if the tolerance is
/// not reached in `max_iter` iterations (after up to 20 step halvings on divergence).
pub fn gradient_descent(
    teacher: &Teacher,
    w0: &[f64],
    opts: GradientDescentOptions,
) -> Result<DescentReport> {
    let d = teacher.input_dim();
    let k = w0.len() / d.max(1);
    let mut step = opts.step.unwrap_or(5.0 / k.max(1) as f64);
    if !(step > 0.0 && step.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "step",
            value: step,
            expected: "a finite step size > 0",
        });
    }
    let mut last = (f64::NAN, 0usize, w0.to_vec());
    for _ in 0..20 {
        let mut w = w0.to_vec();
        let mut diverged = false;
        for iter in 0..opts.max_iter {
            let g = match teacher.gradient(&w) {
                Ok(g) => g,
                Err(_) => {
                    diverged = true;
                    break;
                }
            };
            let r = max_row_norm(&g, d);
            if r <= opts.tolerance {
                return Ok(DescentReport {
                    loss: teacher.loss(&w)?,
                    weights: w,
                    residual: r,
                    iterations: iter,
                    step,
                });
            }
            if r.is_nan() || r >= 1e4 {
                diverged = true;
                break;
            }
            w.iter_mut().zip(&g).for_each(|(x, gi)| *x -= step * gi);
            last = (r, iter, w.clone());
        }
        if !diverged {
            break;
        }
        step *= 0.5;
    }
    Err(Error::NotConverged {
        method: "gradient descent",
        iterations: last.1,
        residual: last.0,
        tolerance: opts.tolerance,
        last_iterate: last.2,
    })
}

/// The isotropy type of a point: the class sizes of a diagonal subgroup
/// $\Delta(S_{n_1}\times\cdots\times S_{n_m})$ whose fixed space contains it (after permuting the
/// columns), with the reduced parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotropy {
    /// Class sizes, largest first.
    pub partition: Partition,
    /// Reduced parameters read off the point (class averages).
    pub params: Vec<f64>,
    /// Largest deviation of an entry from its class value.
    pub deviation: f64,
}

/// Identify the isotropy of a square $d\times d$ point $W$ ($k=d$, $V=I_d$).
///
/// Each neuron is matched to the coordinate where $|W_{ia}|$ is largest; if these are not a
/// permutation, coordinates are assigned greedily by decreasing $|W_{ia}|$; after aligning these on the diagonal, indices are grouped by iterated refinement of
/// the signature (diagonal value, multisets of row and column entries by class), with entries
/// compared at resolution `tol`. Fails with [`Error::InvalidParameter`] if no diagonal-subgroup
/// structure fits within `tol`.
pub fn identify_isotropy(w: &[f64], d: usize, tol: f64) -> Result<Isotropy> {
    if d == 0 || w.len() != d * d {
        return Err(Error::DimensionMismatch {
            what: "square student for isotropy identification",
            expected: d * d,
            found: w.len(),
        });
    }
    let no_fit = |value: f64| Error::InvalidParameter {
        name: "student",
        value,
        expected: "a point with diagonal-subgroup isotropy (within the tolerance)",
    };
    // sigma(i) = argmax_a |W_ia|.
    let sigma: Vec<usize> = (0..d)
        .map(|i| {
            (0..d)
                .max_by(|&a, &b| w[i * d + a].abs().total_cmp(&w[i * d + b].abs()))
                .unwrap_or(0)
        })
        .collect();
    let mut seen = vec![false; d];
    let mut sigma = sigma;
    if sigma.iter().any(|&s| std::mem::replace(&mut seen[s], true)) {
        // The row maxima are no permutation (e.g. the singleton of the (13, 6, 1) minimum at
        // d = 20 has |D| = 0.26 < |B| = 0.375): assign greedily by decreasing |W_ia| instead.
        sigma = greedy_assignment(w, d).ok_or_else(|| no_fit(d as f64))?;
    }
    // Aligned matrix: A[i][a] = W[i][sigma(a)].
    let a_mat: Vec<f64> = (0..d * d)
        .map(|idx| w[(idx / d) * d + sigma[idx % d]])
        .collect();
    let q = |x: f64| (x / tol).round() as i64;
    let mut color: Vec<usize> = {
        let keys: Vec<i64> = (0..d).map(|i| q(a_mat[i * d + i])).collect();
        relabel(&keys)
    };
    loop {
        let sigs: Vec<Signature> = (0..d)
            .map(|i| {
                let mut row: Vec<(usize, i64)> = (0..d)
                    .filter(|&a| a != i)
                    .map(|a| (color[a], q(a_mat[i * d + a])))
                    .collect();
                let mut col: Vec<(usize, i64)> = (0..d)
                    .filter(|&a| a != i)
                    .map(|a| (color[a], q(a_mat[a * d + i])))
                    .collect();
                row.sort_unstable();
                col.sort_unstable();
                (color[i], row, col)
            })
            .collect();
        let next = relabel(&sigs);
        let changed = next.iter().max() != color.iter().max();
        color = next;
        if !changed {
            break;
        }
    }
    // Classes ordered by size (largest first), then by first index.
    let m = color.iter().max().map_or(0, |c| c + 1);
    let mut classes: Vec<Vec<usize>> = vec![Vec::new(); m];
    for (i, &c) in color.iter().enumerate() {
        classes[c].push(i);
    }
    classes.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    let partition = PartitionParams {
        sizes: classes.iter().map(|c| c.len() as f64).collect(),
    }
    .check()?;
    let mut class_of = vec![0; d];
    for (c, members) in classes.iter().enumerate() {
        for &i in members {
            class_of[i] = c;
        }
    }
    let np = partition.params().len();
    let mut sum = vec![0.0; np];
    let mut cnt = vec![0.0; np];
    let param_of = |i: usize, a: usize| {
        let (c, r) = (class_of[i], class_of[a]);
        if i == a {
            Param::Diag(c)
        } else if c == r {
            Param::Off(c)
        } else {
            Param::Cross(c, r)
        }
    };
    for i in 0..d {
        for a in 0..d {
            if let Some(p) = partition.index_of(param_of(i, a)) {
                sum[p] += a_mat[i * d + a];
                cnt[p] += 1.0;
            }
        }
    }
    let params: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
    let mut deviation = 0.0f64;
    for i in 0..d {
        for a in 0..d {
            if let Some(p) = partition.index_of(param_of(i, a)) {
                deviation = deviation.max((a_mat[i * d + a] - params[p]).abs());
            }
        }
    }
    if deviation > 10.0 * tol {
        return Err(no_fit(deviation));
    }
    Ok(Isotropy {
        partition,
        params,
        deviation,
    })
}

/// A permutation $\sigma$ chosen greedily: entries by decreasing $|W_{ia}|$ (ties by index), each
/// taken if its row and column are still free.
fn greedy_assignment(w: &[f64], d: usize) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..d * d).collect();
    order.sort_by(|&x, &y| w[y].abs().total_cmp(&w[x].abs()).then(x.cmp(&y)));
    let mut sigma = vec![usize::MAX; d];
    let mut col_used = vec![false; d];
    let mut left = d;
    for idx in order {
        let (i, a) = (idx / d, idx % d);
        if sigma[i] == usize::MAX && !col_used[a] {
            sigma[i] = a;
            col_used[a] = true;
            left -= 1;
            if left == 0 {
                break;
            }
        }
    }
    (left == 0).then_some(sigma)
}

/// An index's colour with the multisets of (colour, entry) pairs of its row and column.
type Signature = (usize, Vec<(usize, i64)>, Vec<(usize, i64)>);

fn relabel<T: Ord + Clone>(keys: &[T]) -> Vec<usize> {
    let mut map = BTreeMap::new();
    for k in keys {
        let n = map.len();
        map.entry(k.clone()).or_insert(n);
    }
    keys.iter().map(|k| map[k]).collect()
}

/// One family found by the census.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusEntry {
    /// Class sizes (largest first); empty if the isotropy could not be identified.
    pub sizes: Vec<f64>,
    /// Which classes are "flipped" ($D_c<0$).
    pub flipped: Vec<bool>,
    /// Polished reduced parameters (empty if unidentified).
    pub params: Vec<f64>,
    /// Loss at the polished point (or at the GD end point if unidentified).
    pub loss: f64,
    /// Number of runs that ended here.
    pub count: usize,
    /// Smallest Hessian eigenvalue at the polished point (NaN if unidentified).
    pub min_eigenvalue: f64,
    /// Morse index at the polished point (NaN if unidentified).
    pub morse_index: f64,
}

/// The result of [`CensusSimulator::run`].
#[derive(Debug, Clone, PartialEq)]
pub struct Census {
    /// Families found, by increasing loss.
    pub entries: Vec<CensusEntry>,
    /// Runs that did not converge.
    pub not_converged: usize,
    /// Total runs.
    pub runs: usize,
}

/// Unchecked settings of the gradient-descent census for the teacher $V = I_d$ with $k = d$
/// neurons.
///
/// ```
/// use overparam::experiment::RunOptions;
/// use overparam::sim::two_layer_census::GradientDescentCensus;
/// let census = GradientDescentCensus { d: 4, ..Default::default() }.check()?;
/// let c = census.run(&RunOptions { seed: 1, trials: 3, progress: false })?;
/// assert_eq!(c.runs, 3);
/// assert_eq!(c.entries.iter().map(|e| e.count).sum::<usize>() + c.not_converged, 3);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientDescentCensus {
    /// Input dimension $d = k \in [2, 200]$.
    pub d: usize,
    /// Gradient-descent settings of every run.
    pub options: GradientDescentOptions,
}

impl Default for GradientDescentCensus {
    /// $d = 8$, default gradient-descent options.
    fn default() -> Self {
        Self {
            d: 8,
            options: GradientDescentOptions::default(),
        }
    }
}

impl GradientDescentCensus {
    /// Validate: $2 \le d \le 200$, a positive finite step (if given) and tolerance, at least one
    /// iteration.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<CensusSimulator> {
        if !(2..=200).contains(&self.d) {
            return Err(Error::InvalidParameter {
                name: "d",
                value: self.d as f64,
                expected: "an integer in [2, 200]",
            });
        }
        if let Some(step) = self.options.step {
            crate::error::validate::positive("step", step)?;
        }
        crate::error::validate::positive("tolerance", self.options.tolerance)?;
        if self.options.max_iter == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        Ok(CensusSimulator {
            teacher: Teacher::identity(self.d)?,
            d: self.d,
            options: self.options,
        })
    }
}

/// A validated census (build with [`GradientDescentCensus::check`]).
#[derive(Debug, Clone)]
pub struct CensusSimulator {
    teacher: Teacher,
    d: usize,
    options: GradientDescentOptions,
}

impl CensusSimulator {
    /// Input dimension $d = k$.
    pub fn d(&self) -> usize {
        self.d
    }

    /// Run `run.trials` ($\ge 1$) gradient-descent runs in parallel from Xavier initialisations,
    /// run $r$ drawing from [`trial_rng`]`(seed, r)` (independent streams, whatever the thread
    /// count), identify and polish each end point, and group them by family.
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for zero runs.
    pub fn run(&self, run: &RunOptions) -> Result<Census> {
        let d = self.d;
        let results: Vec<Option<CensusEntry>> =
            crate::sim::run_trials(run, 1, "gradient-descent census", |r| {
                let mut rng = trial_rng(run.seed, r);
                let w0 = xavier_init(d, d, &mut rng);
                Ok(gradient_descent(&self.teacher, &w0, self.options)
                    .ok()
                    .map(|rep| classify(&rep, d)))
            })?;
        Ok(group(results, run.trials))
    }
}

impl CensusSimulator {
    /// The peak memory of [`Self::run`] under `run`: per run the $d\times d$ start, iterate,
    /// gradient, last iterate and the classification's copies (about $8d^2$ entries of 8
    /// bytes, with the reduced Newton's small systems), and per run a kept result
    /// ([`CensusEntry`] with up to $3d$ class entries). See [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> crate::sim::memory::MemoryEstimate {
        use crate::sim::memory::{F64, MemoryEstimate, mul};
        let per_result =
            std::mem::size_of::<Option<CensusEntry>>() as u128 + 3 * self.d as u128 * F64;
        MemoryEstimate::new("d", 8 * mul(self.d, self.d) * F64, 0, per_result, run)
    }

    /// [`Self::run`] refused before allocating when [`Self::memory_estimate`] is over `budget`.
    ///
    /// Errors: [`Error::MemoryBudget`] (`d`); those of [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &crate::sim::memory::MemoryBudget,
    ) -> Result<Census> {
        budget.check(&self.memory_estimate(run))?;
        self.run(run)
    }
}

fn group(results: Vec<Option<CensusEntry>>, runs: usize) -> Census {
    let not_converged = results.iter().filter(|r| r.is_none()).count();
    let mut entries: Vec<CensusEntry> = Vec::new();
    for e in results.into_iter().flatten() {
        let same = entries.iter_mut().find(|x| {
            x.sizes == e.sizes
                && x.flipped == e.flipped
                && (x.loss - e.loss).abs() <= 1e-7 * x.loss.abs().max(1e-6)
        });
        match same {
            Some(x) => x.count += 1,
            None => entries.push(e),
        }
    }
    entries.sort_by(|a, b| a.loss.total_cmp(&b.loss));
    Census {
        entries,
        not_converged,
        runs,
    }
}

/// The census's classification of one gradient-descent end point: its isotropy
/// ([`identify_isotropy`] at resolution $10^{-4}$), polished by reduced Newton, with loss, Morse
/// index and smallest eigenvalue; an entry with empty `sizes` (and the GD loss) if the isotropy
/// is not identified. `count` is 1.
pub fn classify_end_point(rep: &DescentReport, d: usize) -> CensusEntry {
    classify(rep, d)
}

fn classify(rep: &DescentReport, d: usize) -> CensusEntry {
    let unidentified = CensusEntry {
        sizes: Vec::new(),
        flipped: Vec::new(),
        params: Vec::new(),
        loss: rep.loss,
        count: 1,
        min_eigenvalue: f64::NAN,
        morse_index: f64::NAN,
    };
    let Ok(iso) = identify_isotropy(&rep.weights, d, 1e-4) else {
        return unidentified;
    };
    let Ok(polished) = reduced_newton(&iso.partition, &iso.params, ReducedNewtonOptions::default())
    else {
        return unidentified;
    };
    let loss = iso.partition.loss(&polished.params).unwrap_or(rep.loss);
    let p = &iso.partition;
    let (min_eigenvalue, morse_index) = match block_spectrum(p, &polished.params) {
        Ok(s) => (s.min_value(), s.morse_index()),
        Err(_) => (f64::NAN, f64::NAN),
    };
    CensusEntry {
        sizes: p.sizes().to_vec(),
        flipped: (0..p.num_classes())
            .map(|c| polished.params[c] < 0.0)
            .collect(),
        params: polished.params,
        loss,
        count: 1,
        min_eigenvalue,
        morse_index,
    }
}

/// How the branch search ([`crate::theory::two_layer::branches::find_branches`]) names one census
/// entry (issue 14 §3).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryName {
    /// Index of the entry in [`Census::entries`].
    pub entry: usize,
    /// Index of the matching branch in the search of the entry's partition (reduced parameters
    /// equal to [`NAME_TOLERANCE`], relative, up to permutations of classes of equal size), or
    /// `None`: a **new** point the search did not list (or an unidentified end point).
    pub branch: Option<usize>,
    /// Whether the matching branch is the partition's default branch.
    pub is_default: bool,
    /// Number of branches the search listed for the partition (0 if unidentified).
    pub branches: usize,
}

/// A census with every entry named by the branch search ([`CensusSimulator::run_named`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedCensus {
    /// The census, as [`CensusSimulator::run`] returns it.
    pub census: Census,
    /// One name per entry, in the order of `census.entries`.
    pub names: Vec<EntryName>,
    /// The branch search of each partition met, by class sizes (largest first).
    pub searches: Vec<crate::theory::two_layer::branches::BranchSearch>,
}

impl NamedCensus {
    /// Entries no listed branch matches (identified or not).
    pub fn new_points(&self) -> impl Iterator<Item = &CensusEntry> {
        self.names
            .iter()
            .filter(|n| n.branch.is_none())
            .map(|n| &self.census.entries[n.entry])
    }
}

/// Relative tolerance on the reduced parameters for naming a census entry by a branch (both
/// sides are reduced-Newton polished to $10^{-14}d$).
pub const NAME_TOLERANCE: f64 = 1e-8;

/// Name every entry of a census: search the branches of each partition met (once per
/// partition, with `opts`) and match the polished reduced parameters (see [`EntryName`]).
///
/// Errors: those of [`crate::theory::two_layer::branches::find_branches`] (options out of
/// domain).
pub fn name_census(
    census: Census,
    opts: &crate::theory::two_layer::branches::BranchSearchOptions,
) -> Result<NamedCensus> {
    use crate::theory::two_layer::branches::find_branches;
    let mut searches: Vec<crate::theory::two_layer::branches::BranchSearch> = Vec::new();
    let mut names = Vec::with_capacity(census.entries.len());
    for (i, e) in census.entries.iter().enumerate() {
        if e.sizes.is_empty() || e.params.is_empty() {
            names.push(EntryName {
                entry: i,
                branch: None,
                is_default: false,
                branches: 0,
            });
            continue;
        }
        let k = match searches
            .iter()
            .position(|s| s.partition.sizes() == e.sizes.as_slice())
        {
            Some(k) => k,
            None => {
                let p = PartitionParams {
                    sizes: e.sizes.clone(),
                }
                .check()?;
                searches.push(find_branches(&p, opts)?);
                searches.len() - 1
            }
        };
        let s = &searches[k];
        let branch = s.matching(&e.params, NAME_TOLERANCE);
        names.push(EntryName {
            entry: i,
            branch,
            is_default: branch.is_some() && branch == s.default_index(),
            branches: s.branches.len(),
        });
    }
    Ok(NamedCensus {
        census,
        names,
        searches,
    })
}

impl CensusSimulator {
    /// [`Self::run`], then [`name_census`] with `opts`: the same runs (same seeding, bit-identical
    /// across thread counts), each entry matched to a branch of its partition or reported new.
    ///
    /// Errors: those of [`Self::run`] and [`name_census`].
    pub fn run_named(
        &self,
        run: &RunOptions,
        opts: &crate::theory::two_layer::branches::BranchSearchOptions,
    ) -> Result<NamedCensus> {
        name_census(self.run(run)?, opts)
    }
}
