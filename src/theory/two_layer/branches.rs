//! Families as partitions, and every branch of critical points of one partition (issue 14).
//!
//! A **family** is a partition of the $k=d$ student neurons (and, for $V=I_d$, of the $d$
//! coordinates) into classes of sizes $n_1,\dots,n_r$ with $\sum_cn_c=d$: the critical points
//! whose isotropy contains the diagonal subgroup $\Delta(S_{n_1}\times\cdots\times S_{n_r})$
//! (Arjevani & Field, arXiv 2008.01805, 2107.10370). [`PartitionFamily`] names it by its class
//! sizes; the named families of [`Family`] are shortcuts ([`PartitionFamily::named`]): `type-a`
//! and `all-but-one-flipped` are $(d-1,1)$, `flipped --m M` is $(d-M,M)$, `global` and
//! `all-flipped` are $(d)$.
//!
//! The fixed space $\mathrm{Fix}$ of a partition usually holds **several** critical points with
//! the same isotropy (**branches**): e.g. for $(6,6)$ at $d=12$ a saddle of loss $0.07954$ (Morse
//! index 5, the point the `flipped --m 6` continuation reaches) and the minimum of loss
//! $0.0543414$ that gradient descent finds (Safran & Shamir, ICML 2018). [`find_branches`] runs
//! reduced Newton ([`reduced_newton`]) from many seeds on $\mathrm{Fix}$ and keeps every distinct
//! critical point:
//!
//! 1. **sign patterns**: $D_c\in\{1,-0.7,-0.4\}$ for every class ($r\le3$ classes; the singleton
//!    of the $(M,1,d-M-1)$ minima has $D\approx-0.3\ldots-0.4$), $D_c\in\{1,-0.7\}$ ($r\le5$),
//!    else one class flipped or all but one; $O_c=0$, $B_{cr}=\beta/\sqrt d$ with
//!    $\beta\in\{0.7,0.2\}$; each used directly and after the descent of item 3;
//! 2. **the named family's own point** ([`critical_point`]) when the partition is a named family's;
//! 3. **random points** on $\mathrm{Fix}$ ($D_c\sim\mathcal U(-1.2,1.2)$, $O_c,B_{cr}\sim\mathcal
//!    N(0,1/d)$, from [`trial_rng`]`(seed, i)`), each used twice: as a Newton seed directly (finds
//!    saddles) and after a descent on $F|_{\mathrm{Fix}}$ (saddle-free Newton; finds the minima of
//!    the restricted loss);
//! 4. **gradient-descent end points** (integer $d\le200$, optional): full gradient descent from
//!    Xavier initialisations as in the census ([`crate::sim::two_layer_census`]), each end point
//!    whose identified partition has the same class sizes projected on $\mathrm{Fix}$ (class
//!    averages);
//! 5. **points of coarser families** (up to [`MAX_COARSER_CLASSES`] classes): for each merge of two
//!    classes, the distinct sign-pattern critical points of the coarser partition, embedded
//!    ([`Partition::embedding_from`]) and perturbed within $\mathrm{Fix}$ along $\pm$ the two
//!    softest directions of the fine Hessian and one random direction (to reach branches that
//!    bifurcate from them).
//!
//! Two screens end hopeless work early without changing the branches found: a descent (item 3)
//! that comes within $10^{-5}$ (relative) of the fixed space of a coarser partition is abandoned
//! (no seed: the descent is equivariant, so its seed would end at a point of larger isotropy), and
//! a seed's Newton solve that accepts only steps of at most $2^{-7}$ of the Newton step in 25
//! consecutive iterations (crawling towards a minimum of the merit that is not a critical point)
//! is ended as not converged.
//!
//! Each converged point is **verified**: the reduced residual $\max_a|(G^{-1}\nabla
//! F_{\rm red})_a|$, and for integer $d\le200$ the full gradient $\nabla F(W(\xi))$ (one row per
//! class, the others being its permutations) from
//! [`Teacher::gradient_rows`] at the embedded matrix. Points are **de-duplicated up to the symmetry**:
//! two reduced parameter vectors are the same point if they agree (to $10^{-7}$, relative) after a
//! permutation of classes of equal size. Points whose isotropy is strictly larger (two classes
//! can be merged, e.g. the global minimum $I_d$ lies in every $\mathrm{Fix}$) belong to a coarser
//! family and are counted but not listed. Branches are sorted by loss, each with its Morse index,
//! smallest eigenvalue and block spectrum ([`block_spectrum`]).
//!
//! **Default branch** (stable, documented): the minimum (Morse index 0) of lowest loss if any
//! branch is a minimum, else the branch of lowest loss ([`BranchSearch::default_branch`]).
//!
//! **Completeness**: the search is a multi-start heuristic, not a proof that every critical point
//! was found; [`BranchSearch`] reports the seeds tried, how many converged and how many hit each
//! branch (a branch hit once is a sign that more seeds may find more).
//!
//! ```
//! use overparam::theory::two_layer::branches::{BranchSearchOptions, PartitionFamily, find_branches};
//!
//! // k = d = 12, two classes of 6: the minimum gradient descent finds (loss 0.0543414) is listed.
//! let p = PartitionFamily { sizes: vec![6.0, 6.0] }.partition()?;
//! let search = find_branches(&p, &BranchSearchOptions::default())?;
//! let best = search.default_branch().unwrap();
//! assert!((best.loss - 0.0543414129).abs() < 1e-9);
//! assert_eq!(best.morse_index, 0.0);
//! # Ok::<(), overparam::Error>(())
//! ```

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::critical::{
    Family, ReducedNewtonOptions, StagnationScreen, critical_point, reduced_newton,
    reduced_newton_screened,
};
use super::kernel::Teacher;
use super::spectrum::{Spectrum, block_spectrum};
use super::symmetry::{Param, Partition, PartitionParams};
use crate::error::{Error, Result};
use crate::sim::rng::trial_rng;

/// A family given by its class sizes $n_1,\dots,n_r$ ($\sum_cn_c=d$; sizes exactly 1 or real
/// $>1$). The named [`Family`] values are shortcuts ([`Self::named`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionFamily {
    /// Class sizes in order (class $c$ occupies the indices after those of classes $<c$).
    pub sizes: Vec<f64>,
}

impl PartitionFamily {
    /// The partition of a named family at dimension $d$ ([`Family::partition`]).
    ///
    /// Errors: those of [`Family::partition`].
    pub fn named(family: Family, d: f64) -> Result<Self> {
        Ok(Self {
            sizes: family.partition(d)?.sizes().to_vec(),
        })
    }

    /// The checked partition. Domain and errors: [`PartitionParams::check`].
    pub fn partition(&self) -> Result<Partition> {
        PartitionParams {
            sizes: self.sizes.clone(),
        }
        .check()
    }

    /// The dimension $d=\sum_cn_c$.
    pub fn dimension(&self) -> f64 {
        self.sizes.iter().sum()
    }

    /// The named families whose partition has these class sizes in this order (the seeds of
    /// their built-in continuation are used by [`find_branches`]).
    pub fn named_families(&self) -> Vec<Family> {
        let s = &self.sizes;
        match s.len() {
            1 => vec![Family::Global, Family::AllFlipped],
            2 if s[1] == 1.0 && s[0] > 1.0 => vec![Family::TypeA, Family::AllButOneFlipped],
            2 if s[1] >= 2.0 && s[1].fract() == 0.0 && s[0] > 1.0 => {
                vec![Family::Flipped { m: s[1] as usize }]
            }
            _ => Vec::new(),
        }
    }
}

/// Options of [`find_branches`]. Build with `BranchSearchOptions::default()` and the `with_*`
/// methods (new settings will come as methods, not fields).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BranchSearchOptions {
    random_seeds: usize,
    descent_runs: usize,
    seed: u64,
    coarser: bool,
    continuation: Option<f64>,
    continuation_from: Option<f64>,
}

/// Largest number of random seeds or gradient-descent runs of a branch search.
pub const MAX_BRANCH_SEEDS: usize = 100_000;

impl Default for BranchSearchOptions {
    /// 16 random points on the fixed space (each used twice), no full gradient-descent runs,
    /// seed 1, coarser families on.
    fn default() -> Self {
        Self {
            random_seeds: 16,
            descent_runs: 0,
            seed: 1,
            coarser: true,
            continuation: None,
            continuation_from: None,
        }
    }
}

impl BranchSearchOptions {
    /// Number of random points on the fixed space (each a direct Newton seed and, after the
    /// descent on the fixed space, a second one).
    pub fn with_random_seeds(mut self, n: usize) -> Self {
        self.random_seeds = n;
        self
    }
    /// Number of full gradient-descent runs from Xavier initialisations (integer $d\le200$ only;
    /// cost $O(d^3)$ per iteration).
    pub fn with_descent_runs(mut self, n: usize) -> Self {
        self.descent_runs = n;
        self
    }
    /// Seed of the random streams ([`trial_rng`]`(seed, i)`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Whether to seed from the critical points of coarser partitions (two classes merged).
    pub fn with_coarser(mut self, on: bool) -> Self {
        self.coarser = on;
        self
    }
    /// Continuation seeds (off by default): after the other seeds, every listed branch is
    /// tracked in $d$ ([`track_branch`](super::track::track_branch)) by each class of size $>1$, up and down, over
    /// $[d-\Delta,d+\Delta]$ with $\Delta=$ `span` (clipped at $d>1$), without the
    /// symmetry monitors; a path that turns at a fold and comes back to $d$ lands on the partner
    /// branch, and the branches switched onto at in-Fix branch points are tracked back to $d$;
    /// each such end point is a seed ([`SeedSource::Continuation`]). Newly found branches are
    /// tracked in turn (two rounds). `span` must be finite and in $(0, 100]$ (checked by
    /// [`Self::check`]); cost: a few hundred reduced Newton steps per branch and class.
    pub fn with_continuation(mut self, span: f64) -> Self {
        self.continuation = Some(span);
        self
    }
    /// Seeds continued from a smaller dimension (off by default): the partition **scaled down**
    /// to $d_0=$ `d_small` (every class of size $>1$ multiplied by one factor, singletons kept)
    /// is searched with the other seed sources, and each branch found there is tracked up in $d$
    /// with the classes growing in proportion ([`TrackDirection::Scaled`](super::track::TrackDirection::Scaled))
    /// to the search's $d$; the end points are seeds ([`SeedSource::Continuation`]). Domain
    /// (checked by [`find_branches`]): $1<d_0<d$ with every scaled class still $>1$; outside it
    /// [`Error::InvalidParameter`] naming `continuation_from`.
    pub fn with_continuation_from(mut self, d_small: f64) -> Self {
        self.continuation_from = Some(d_small);
        self
    }
    /// The smaller dimension of [`Self::with_continuation_from`], if on.
    pub fn continuation_from(&self) -> Option<f64> {
        self.continuation_from
    }
    /// The continuation span, if continuation seeds are on.
    pub fn continuation(&self) -> Option<f64> {
        self.continuation
    }
    /// The number of random points.
    pub fn random_seeds(&self) -> usize {
        self.random_seeds
    }
    /// The number of gradient-descent runs.
    pub fn descent_runs(&self) -> usize {
        self.descent_runs
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Validate. Domain: at most [`MAX_BRANCH_SEEDS`] random seeds and descent runs, a
    /// continuation span in $(0,100]$; outside it [`Error::InvalidParameter`] naming
    /// `random_seeds`, `descent_runs` or `continuation`.
    pub fn check(&self) -> Result<()> {
        if let Some(span) = self.continuation
            && !(span.is_finite() && span > 0.0 && span <= 100.0)
        {
            return Err(Error::InvalidParameter {
                name: "continuation",
                value: span,
                expected: "a continuation span in (0, 100]",
            });
        }
        for (name, n) in [
            ("random_seeds", self.random_seeds),
            ("descent_runs", self.descent_runs),
        ] {
            if n > MAX_BRANCH_SEEDS {
                return Err(Error::InvalidParameter {
                    name,
                    value: n as f64,
                    expected: "at most 100000 seeds",
                });
            }
        }
        Ok(())
    }
}

/// Where a seed came from. (Non-exhaustive: new seed sources may be added.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SeedSource {
    /// A sign pattern of flipped classes.
    SignPattern,
    /// A named family's built-in continuation ([`critical_point`]).
    Named,
    /// A random point on the fixed space, used directly.
    Random,
    /// A sign-pattern or random seed after the descent on the fixed space (saddle-free Newton).
    Descended,
    /// A full gradient-descent end point projected on the fixed space.
    Descent,
    /// A perturbed critical point of a coarser partition.
    Coarser,
    /// A listed branch tracked in $d$ ([`crate::theory::two_layer::track`]) across a fold back
    /// to the search's $d$ (the partner branch), or a branch switched onto at an in-Fix branch
    /// point and tracked back to $d$ ([`BranchSearchOptions::with_continuation`]).
    Continuation,
}

impl std::fmt::Display for SeedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SeedSource::SignPattern => "sign-pattern",
            SeedSource::Named => "named",
            SeedSource::Random => "random",
            SeedSource::Descended => "descended",
            SeedSource::Descent => "descent",
            SeedSource::Coarser => "coarser",
            SeedSource::Continuation => "continuation",
        })
    }
}

/// One branch: a verified critical point of a partition, distinct up to the symmetry.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// Reduced parameters (ordered as [`Partition::params`]).
    pub params: Vec<f64>,
    /// The loss $F(W^*)$.
    pub loss: f64,
    /// Reduced residual $\max_a|(G^{-1}\nabla F_{\rm red})_a|$ (the largest entry of the full
    /// gradient, by symmetric criticality).
    pub residual: f64,
    /// The largest entry of $\nabla F$ computed densely at the embedded $d\times d$ matrix
    /// (`None` for non-integer $d$ or $d>200$): the rows of one neuron per class
    /// ([`Teacher::gradient_rows`], each summing over all $2d$ other neurons and teacher rows);
    /// the other rows of a class are permutations of its row, by the symmetry of the point.
    pub full_gradient: Option<f64>,
    /// Morse index (number of negative Hessian eigenvalues with multiplicity).
    pub morse_index: f64,
    /// Smallest Hessian eigenvalue.
    pub min_eigenvalue: f64,
    /// The block spectrum.
    pub spectrum: Spectrum,
    /// How many seeds converged to this branch.
    pub hits: usize,
    /// The kinds of seed that found it (sorted, distinct).
    pub sources: Vec<SeedSource>,
}

/// The result of [`find_branches`].
#[derive(Debug, Clone, PartialEq)]
pub struct BranchSearch {
    /// The partition searched.
    pub partition: Partition,
    /// Distinct branches, by increasing loss.
    pub branches: Vec<Branch>,
    /// Seeds tried (Newton solves started; a descent abandoned near a coarser fixed space gives
    /// no seed).
    pub seeds_tried: usize,
    /// Solves that converged to a verified critical point.
    pub converged: usize,
    /// Converged points with a strictly larger isotropy (two classes mergeable), not listed.
    pub larger_isotropy: usize,
}

impl BranchSearch {
    /// Index of the default branch: the minimum (Morse index 0) of lowest loss if any, else the
    /// branch of lowest loss; `None` if no branch was found.
    pub fn default_index(&self) -> Option<usize> {
        self.branches
            .iter()
            .position(|b| b.morse_index == 0.0)
            .or(if self.branches.is_empty() {
                None
            } else {
                Some(0)
            })
    }

    /// The default branch ([`Self::default_index`]).
    pub fn default_branch(&self) -> Option<&Branch> {
        self.default_index().map(|i| &self.branches[i])
    }

    /// The branch matching reduced parameters `xi` of the same partition up to the symmetry
    /// (relative tolerance `tol`), if listed.
    pub fn matching(&self, xi: &[f64], tol: f64) -> Option<usize> {
        let gens = generators(&self.partition);
        self.branches
            .iter()
            .position(|b| same_point(&self.partition, &gens, &b.params, xi, tol))
    }
}

/// Relative tolerance of the de-duplication.
pub const DEDUP_TOLERANCE: f64 = 1e-7;

/// Largest residual accepted as a critical point (times $\max(1,d)$); Newton's own tolerance is
/// $10^{-14}\max(1,d)$.
const VERIFY_TOLERANCE: f64 = 1e-10;

/// Every branch found for `partition` (see the module docs for the seeds, the verification, the
/// de-duplication and the default).
///
/// Domain: a checked partition (any real class sizes); `opts` as in
/// [`BranchSearchOptions::check`] (else [`Error::InvalidParameter`]). Seeds that fail (Newton not
/// converged or ended by the stagnation screen, zero neuron) are skipped and counted in
/// `seeds_tried` only. Returns `Ok` with an
/// empty list when no seed converged. Every number in the result is finite.
///
/// The seeds' Newton solves and descents run in parallel (rayon's global pool) and are merged in
/// a fixed seed order: the result is bitwise the same for any number of threads.
pub fn find_branches(partition: &Partition, opts: &BranchSearchOptions) -> Result<BranchSearch> {
    opts.check()?;
    let d = partition.dimension();
    let gens = generators(partition);
    let mut acc = Accumulator {
        partition,
        gens: &gens,
        found: Vec::new(),
        seeds_tried: 0,
        converged: 0,
        larger_isotropy: 0,
    };
    // Seeds of items 1-5, in a fixed order. Each job is a seed used directly and, for the
    // sources that descend, after the descent on the fixed space; the Newton solves (and
    // descents) run in parallel (rayon) and are merged in job order, so the result does not
    // depend on the number of threads (bitwise).
    let metric = partition.metric();
    let mut jobs: Vec<Job> = Vec::new();
    // 1. Sign patterns.
    for s in sign_pattern_seeds(partition) {
        jobs.push(Job::new(
            s,
            SeedSource::SignPattern,
            Some(SeedSource::Descended),
        ));
    }
    // 2. Named families' continuation.
    let fam = PartitionFamily {
        sizes: partition.sizes().to_vec(),
    };
    for f in fam.named_families() {
        if let Ok(cp) = critical_point(f, d) {
            jobs.push(Job::new(cp.params, SeedSource::Named, None));
        }
    }
    // 3. Random points, direct and after descent on the fixed space.
    for i in 0..opts.random_seeds {
        let mut rng = trial_rng(opts.seed, i as u64);
        let xi: Vec<f64> = partition
            .params()
            .iter()
            .map(|p| match p {
                Param::Diag(_) => rng.random_range(-1.2..1.2),
                _ => Distribution::<f64>::sample(&StandardNormal, &mut rng) / d.sqrt(),
            })
            .collect();
        jobs.push(Job::new(
            xi,
            SeedSource::Random,
            Some(SeedSource::Descended),
        ));
    }
    // 4. Full gradient-descent end points.
    if opts.descent_runs > 0 {
        for xi in descent_seeds(partition, opts)? {
            jobs.push(Job::new(xi, SeedSource::Descent, None));
        }
    }
    // 5. Coarser partitions.
    if opts.coarser && partition.num_classes() <= MAX_COARSER_CLASSES {
        for xi in coarser_seeds(partition, opts.seed) {
            jobs.push(Job::new(xi, SeedSource::Coarser, Some(SeedSource::Coarser)));
        }
    }
    let outcomes: Vec<[Option<(SeedSource, Outcome)>; 2]> = jobs
        .par_iter()
        .map(|job| {
            let direct = Some((job.source, solve_seed(partition, &gens, &job.seed)));
            let descended = job.descended.and_then(|src| {
                descend(partition, &metric, &job.seed)
                    .map(|y| (src, solve_seed(partition, &gens, &y)))
            });
            [direct, descended]
        })
        .collect();
    for (source, outcome) in outcomes.into_iter().flatten().flatten() {
        acc.record(outcome, source);
    }
    // 6. Continuation: folds back to d and branch switching.
    if let Some(span) = opts.continuation {
        continuation_seeds(&mut acc, span);
    }
    // 7. Branches of the scaled-down partition, continued up to d.
    if let Some(d_small) = opts.continuation_from {
        for xi in scaled_seeds(partition, d_small, opts)? {
            acc.try_seed(&xi, SeedSource::Continuation);
        }
    }
    let Accumulator {
        found,
        seeds_tried,
        converged,
        larger_isotropy,
        ..
    } = acc;
    // One block spectrum and one dense gradient check per distinct branch (in parallel; the
    // order is kept).
    let mut branches = found
        .into_par_iter()
        .map(|mut f| {
            f.params = canonical(partition, &gens, &f.params);
            let spectrum = block_spectrum(partition, &f.params)?;
            let mut sources = f.sources;
            sources.sort();
            sources.dedup();
            Ok(Branch {
                full_gradient: full_gradient(partition, &f.params),
                morse_index: spectrum.morse_index(),
                min_eigenvalue: spectrum.min_value(),
                spectrum,
                params: f.params,
                loss: f.loss,
                residual: f.residual,
                hits: f.hits,
                sources,
            })
        })
        .collect::<Result<Vec<Branch>>>()?;
    branches.sort_by(|a, b| a.loss.total_cmp(&b.loss));
    Ok(BranchSearch {
        partition: partition.clone(),
        branches,
        seeds_tried,
        converged,
        larger_isotropy,
    })
}

/// The branches of a named family's partition at dimension $d$ ([`find_branches`] on
/// [`PartitionFamily::named`]).
///
/// Errors: those of [`Family::partition`] and [`find_branches`].
pub fn family_branches(family: Family, d: f64, opts: &BranchSearchOptions) -> Result<BranchSearch> {
    find_branches(&family.partition(d)?, opts)
}

struct Found {
    params: Vec<f64>,
    loss: f64,
    residual: f64,
    hits: usize,
    sources: Vec<SeedSource>,
}

struct Accumulator<'a> {
    partition: &'a Partition,
    gens: &'a [Generator],
    found: Vec<Found>,
    seeds_tried: usize,
    converged: usize,
    larger_isotropy: usize,
}

/// One seed of [`find_branches`]: used directly (`source`) and, if `descended` is set, after
/// the descent on the fixed space (with that source).
struct Job {
    seed: Vec<f64>,
    source: SeedSource,
    descended: Option<SeedSource>,
}

impl Job {
    fn new(seed: Vec<f64>, source: SeedSource, descended: Option<SeedSource>) -> Self {
        Self {
            seed,
            source,
            descended,
        }
    }
}

/// The result of one Newton solve of a seed, before the de-duplication.
enum Outcome {
    /// Newton failed, or the point did not verify.
    Failed,
    /// A verified critical point of strictly larger isotropy.
    Larger,
    /// A verified critical point of this partition's isotropy.
    Point {
        params: Vec<f64>,
        loss: f64,
        residual: f64,
    },
}

/// How far $\xi$ is from the fixed space of a coarser partition: the smallest, over pairs of
/// classes $c\ne e$, of the largest difference between the values that a merge of $c$ and $e$
/// makes equal ($D_c=D_e$; $O_c$, $O_e$, $B_{ce}$, $B_{ec}$ all equal; $B_{cr}=B_{er}$ and
/// $B_{rc}=B_{re}$ for the other classes $r$), relative to $\max(1,\|\xi\|_\infty)$. Zero exactly on
/// the coarser fixed spaces; [`mergeable`] is this at most [`DEDUP_TOLERANCE`] (for some point
/// of the orbit).
fn merge_distance(p: &Partition, xi: &[f64]) -> f64 {
    let m = p.num_classes();
    let scale = xi.iter().fold(1.0f64, |a, x| a.max(x.abs()));
    let get = |q| value(p, xi, q);
    let mut best = f64::INFINITY;
    for c in 0..m {
        for e in (c + 1)..m {
            let (Some(dc), Some(de)) = (get(Param::Diag(c)), get(Param::Diag(e))) else {
                continue;
            };
            let mut dist = (dc - de).abs();
            // The off-diagonal values of the merged class: O_c, O_e (if any), B_ce, B_ec.
            let mut first: Option<f64> = None;
            for o in [
                get(Param::Off(c)),
                get(Param::Off(e)),
                get(Param::Cross(c, e)),
                get(Param::Cross(e, c)),
            ]
            .into_iter()
            .flatten()
            {
                let f = *first.get_or_insert(o);
                dist = dist.max((o - f).abs());
            }
            for r in (0..m).filter(|&r| r != c && r != e) {
                for (x, y) in [
                    (get(Param::Cross(c, r)), get(Param::Cross(e, r))),
                    (get(Param::Cross(r, c)), get(Param::Cross(r, e))),
                ] {
                    dist = dist.max(match (x, y) {
                        (Some(x), Some(y)) => (x - y).abs(),
                        _ => f64::INFINITY,
                    });
                }
            }
            best = best.min(dist / scale);
        }
    }
    best
}

/// A descent of the search (`descend`) is abandoned (no seed) at a point whose
/// [`merge_distance`] is below this: the descent (like reduced Newton) maps the fixed space of a
/// coarser partition to itself (the reduced gradient and Hessian are equivariant), and has
/// converged onto one; its seed would end at a point of larger isotropy. On the partitions of the
/// tests (113 searches) no descent whose seed ends on a listed branch comes closer than
/// $8\cdot10^{-4}$, and the lists are bitwise those without the screen.
const DESCENT_ABANDON_MERGE: f64 = 1e-5;

/// The stagnation screen of the search's Newton solves
/// ([`StagnationScreen`](super::critical::StagnationScreen)): 25 consecutive iterations that
/// each accept a step of at most $2^{-7}$ of the Newton step. Solves that end on a branch crawl
/// for at most 20 consecutive such iterations on the tests' partitions; the solves it ends
/// would have run into the 60-iteration limit or a failed line search (8–20 gradients per
/// iteration).
const SEARCH_STAGNATION: StagnationScreen = StagnationScreen {
    halvings: 7,
    iterations: 25,
};

/// Reduced Newton from `seed` and the verification of the end point (thread-safe; no state).
/// Solves ended by the stagnation screen ([`SEARCH_STAGNATION`]) count as failed (tried, not
/// converged).
fn solve_seed(p: &Partition, gens: &[Generator], seed: &[f64]) -> Outcome {
    let Ok(rep) =
        reduced_newton_screened(p, seed, ReducedNewtonOptions::default(), SEARCH_STAGNATION)
    else {
        return Outcome::Failed;
    };
    let d = p.dimension().max(1.0);
    if !rep.residual.is_finite()
        || rep.residual > VERIFY_TOLERANCE * d
        || rep.params.iter().any(|x| !x.is_finite())
    {
        return Outcome::Failed;
    }
    let Ok(loss) = p.loss(&rep.params) else {
        return Outcome::Failed;
    };
    if !loss.is_finite() {
        return Outcome::Failed;
    }
    if orbit(p, gens, &rep.params).iter().any(|y| mergeable(p, y)) {
        return Outcome::Larger;
    }
    Outcome::Point {
        params: rep.params,
        loss,
        residual: rep.residual,
    }
}

impl Accumulator<'_> {
    fn try_seed(&mut self, seed: &[f64], source: SeedSource) {
        let outcome = solve_seed(self.partition, self.gens, seed);
        self.record(outcome, source);
    }

    /// Count one solve and merge its point into the list (in call order).
    fn record(&mut self, outcome: Outcome, source: SeedSource) {
        self.seeds_tried += 1;
        let (params, loss, residual) = match outcome {
            Outcome::Failed => return,
            Outcome::Larger => {
                self.converged += 1;
                self.larger_isotropy += 1;
                return;
            }
            Outcome::Point {
                params,
                loss,
                residual,
            } => (params, loss, residual),
        };
        self.converged += 1;
        let p = self.partition;
        if let Some(f) = self
            .found
            .iter_mut()
            .find(|f| same_point(p, self.gens, &f.params, &params, DEDUP_TOLERANCE))
        {
            f.hits += 1;
            f.sources.push(source);
            return;
        }
        self.found.push(Found {
            params,
            loss,
            residual,
            hits: 1,
            sources: vec![source],
        });
    }
}

/// The value of parameter `p` in `xi`, with $O_c$ of a singleton class read as `None`.
/// The branches of `p` scaled down to `d_small`, tracked up to $d$ (end points at $d$).
fn scaled_seeds(p: &Partition, d_small: f64, opts: &BranchSearchOptions) -> Result<Vec<Vec<f64>>> {
    use super::track::{TrackDirection, TrackEnd, TrackOptions, track_branch};
    let d = p.dimension();
    let singles = p.sizes().iter().filter(|&&n| n == 1.0).count() as f64;
    let total = d - singles;
    let factor = (d_small - singles) / total;
    let bad = || Error::InvalidParameter {
        name: "continuation_from",
        value: d_small,
        expected: "a smaller dimension 1 < d0 < d at which every class of size > 1 stays > 1",
    };
    if !(d_small.is_finite() && d_small > 1.0 && d_small < d && factor > 0.0) {
        return Err(bad());
    }
    let sizes: Vec<f64> = p
        .sizes()
        .iter()
        .map(|&n| if n == 1.0 { 1.0 } else { n * factor })
        .collect();
    // Every scaled class must stay a genuine class (> 1), else the parameter layout changes.
    if p.sizes()
        .iter()
        .zip(&sizes)
        .any(|(&n, &m)| n != 1.0 && m <= 1.0)
    {
        return Err(bad());
    }
    let small = PartitionParams { sizes }.check().map_err(|_| bad())?;
    let inner = BranchSearchOptions {
        continuation: None,
        continuation_from: None,
        descent_runs: 0,
        ..*opts
    };
    let found = find_branches(&small, &inner)?;
    let track = TrackOptions::default().with_symmetry_monitors(false);
    let mut out = Vec::new();
    for b in &found.branches {
        let Ok(tr) = track_branch(
            &small,
            &b.params,
            TrackDirection::Scaled,
            false,
            small.dimension(),
            d,
            &track,
        ) else {
            continue;
        };
        if tr.end == TrackEnd::Reached
            && let Some((dd, x)) = tr.last()
            && *dd == d
        {
            out.push(x.clone());
        }
    }
    Ok(out)
}

/// Rounds of [`continuation_seeds`] (branches found in round 1 are tracked in round 2).
const CONTINUATION_ROUNDS: usize = 2;

/// Track every found branch in $d$ and seed from the paths that come back to $d$.
fn continuation_seeds(acc: &mut Accumulator<'_>, span: f64) {
    use super::track::{TrackDirection, TrackEnd, TrackOptions, track_branch};
    let p = acc.partition;
    let d = p.dimension();
    let opts = TrackOptions::default().with_symmetry_monitors(false);
    let (lo, hi) = ((d - span).max(1.0 + 1e-9), d + span);
    let mut done = 0usize;
    for _ in 0..CONTINUATION_ROUNDS {
        let todo: Vec<Vec<f64>> = acc.found[done..].iter().map(|f| f.params.clone()).collect();
        done = acc.found.len();
        for xi in todo {
            for c in (0..p.num_classes()).filter(|&c| p.sizes()[c] > 1.0) {
                for (down, a, b) in [(true, lo, d), (false, d, hi)] {
                    let Ok(tr) = track_branch(p, &xi, TrackDirection::Class(c), down, a, b, &opts)
                    else {
                        continue;
                    };
                    let back = |t: &super::track::BranchTrack| {
                        (t.end == TrackEnd::Reached && t.path.len() > 2)
                            .then(|| t.last().filter(|l| l.0 == d).map(|l| l.1.clone()))
                            .flatten()
                    };
                    let mut seeds: Vec<Vec<f64>> = back(&tr).into_iter().collect();
                    seeds.extend(tr.switched.iter().filter_map(back));
                    for s in seeds {
                        acc.try_seed(&s, SeedSource::Continuation);
                    }
                }
            }
        }
        if done == acc.found.len() {
            break;
        }
    }
}

fn value(p: &Partition, xi: &[f64], q: Param) -> Option<f64> {
    p.index_of(q).map(|i| xi[i])
}

/// Whether two classes $c\ne c'$ can be merged: the point then lies in the fixed space of a
/// coarser partition and has a strictly larger isotropy.
fn mergeable(p: &Partition, xi: &[f64]) -> bool {
    let m = p.num_classes();
    let scale = xi.iter().fold(1.0f64, |a, x| a.max(x.abs()));
    let close = |a: f64, b: f64| (a - b).abs() <= DEDUP_TOLERANCE * scale;
    for c in 0..m {
        for e in (c + 1)..m {
            let get = |q| value(p, xi, q);
            let Some(dc) = get(Param::Diag(c)) else {
                continue;
            };
            let Some(de) = get(Param::Diag(e)) else {
                continue;
            };
            if !close(dc, de) {
                continue;
            }
            // The off-diagonal value of the merged class.
            let mut offs: Vec<f64> = Vec::new();
            offs.extend(get(Param::Off(c)));
            offs.extend(get(Param::Off(e)));
            offs.extend(get(Param::Cross(c, e)));
            offs.extend(get(Param::Cross(e, c)));
            if offs.iter().any(|&o| !close(o, offs[0])) {
                continue;
            }
            let rest_ok = (0..m).filter(|&r| r != c && r != e).all(|r| {
                let pair = |a: Option<f64>, b: Option<f64>| match (a, b) {
                    (Some(a), Some(b)) => close(a, b),
                    _ => false,
                };
                pair(get(Param::Cross(c, r)), get(Param::Cross(e, r)))
                    && pair(get(Param::Cross(r, c)), get(Param::Cross(r, e)))
            });
            if rest_ok {
                return true;
            }
        }
    }
    false
}

/// A symmetry of $\Gamma=S_d\times S_d$ that maps the fixed space of the partition to itself,
/// acting on the reduced parameters.
#[derive(Debug, Clone, Copy)]
enum Generator {
    /// Swap two classes of equal size (the same permutation on rows and columns).
    Classes(usize, usize),
    /// Swap the two neurons (rows) of a class of size 2: $D_c\leftrightarrow O_c$.
    PairRows(usize),
    /// Swap the neurons (rows) of two singleton classes.
    SingletonRows(usize, usize),
    /// Swap the coordinates (columns) of two singleton classes.
    SingletonColumns(usize, usize),
}

/// Generators of the symmetries of $\mathrm{Fix}$ used to compare points: besides relabelling
/// classes of equal size (the normaliser of the diagonal subgroup), $\Gamma$ acts on rows and
/// columns independently, and a row (or column) transposition inside a class of size 2, or among
/// singleton classes, also maps $\mathrm{Fix}$ to itself (it maps e.g. $I_d$ to a permutation
/// matrix in $\mathrm{Fix}$ that is still the global minimum).
fn generators(p: &Partition) -> Vec<Generator> {
    let n = p.sizes();
    let m = n.len();
    // Swaps among singletons only for at most MAX_SINGLETON_SWAPS singletons (the orbit grows
    // like (s!)^2).
    let singletons = n.iter().filter(|&&x| x == 1.0).count();
    let mut g = Vec::new();
    for c in 0..m {
        if n[c] == 2.0 {
            g.push(Generator::PairRows(c));
        }
        for e in (c + 1)..m {
            if n[c] == n[e] {
                g.push(Generator::Classes(c, e));
            }
            if n[c] == 1.0 && n[e] == 1.0 && singletons <= MAX_SINGLETON_SWAPS {
                g.push(Generator::SingletonRows(c, e));
                g.push(Generator::SingletonColumns(c, e));
            }
        }
    }
    g
}

fn apply(p: &Partition, g: Generator, xi: &[f64]) -> Vec<f64> {
    let mut out = xi.to_vec();
    let idx = |q: Param| p.index_of(q);
    let mut set = |to: Param, from: Param| {
        if let (Some(t), Some(f)) = (idx(to), idx(from)) {
            out[t] = xi[f];
        }
    };
    let m = p.num_classes();
    match g {
        Generator::Classes(c, e) => {
            let sw = |x: usize| {
                if x == c {
                    e
                } else if x == e {
                    c
                } else {
                    x
                }
            };
            for &q in p.params() {
                let from = match q {
                    Param::Diag(x) => Param::Diag(sw(x)),
                    Param::Off(x) => Param::Off(sw(x)),
                    Param::Cross(x, y) => Param::Cross(sw(x), sw(y)),
                };
                set(q, from);
            }
        }
        Generator::PairRows(c) => {
            set(Param::Diag(c), Param::Off(c));
            set(Param::Off(c), Param::Diag(c));
        }
        Generator::SingletonRows(c, e) => {
            set(Param::Diag(c), Param::Cross(e, c));
            set(Param::Cross(c, e), Param::Diag(e));
            set(Param::Diag(e), Param::Cross(c, e));
            set(Param::Cross(e, c), Param::Diag(c));
            for r in (0..m).filter(|&r| r != c && r != e) {
                set(Param::Cross(c, r), Param::Cross(e, r));
                set(Param::Cross(e, r), Param::Cross(c, r));
            }
        }
        Generator::SingletonColumns(c, e) => {
            set(Param::Diag(c), Param::Cross(c, e));
            set(Param::Cross(c, e), Param::Diag(c));
            set(Param::Diag(e), Param::Cross(e, c));
            set(Param::Cross(e, c), Param::Diag(e));
            for r in (0..m).filter(|&r| r != c && r != e) {
                set(Param::Cross(r, c), Param::Cross(r, e));
                set(Param::Cross(r, e), Param::Cross(r, c));
            }
        }
    }
    out
}

/// Largest number of singleton classes for which row and column swaps among singletons are used
/// in the comparison (beyond, a point may be listed once per such relabelling).
const MAX_SINGLETON_SWAPS: usize = 4;

/// Largest number of classes for which the coarser-family seeds are used (a partition with $m$
/// classes has $m(m-1)/2$ merges).
pub const MAX_COARSER_CLASSES: usize = 6;

/// Largest orbit kept by [`orbit`] (beyond, the comparison may miss an equivalence and list a
/// point twice; it never merges distinct points).
const MAX_ORBIT: usize = 1024;

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    let scale = a.iter().fold(1.0f64, |s, x| s.max(x.abs()));
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * scale)
}

/// The orbit of $\xi$ under the group generated by [`generators`] (breadth first, at most
/// [`MAX_ORBIT`] points).
fn orbit(p: &Partition, gens: &[Generator], xi: &[f64]) -> Vec<Vec<f64>> {
    let mut out = vec![xi.to_vec()];
    let mut k = 0;
    while k < out.len() && out.len() < MAX_ORBIT {
        for &g in gens {
            let y = apply(p, g, &out[k]);
            if !out.iter().any(|z| close(z, &y, 1e-12)) {
                out.push(y);
            }
        }
        k += 1;
    }
    out
}

/// The representative of the orbit of $\xi$ listed: the largest weighted diagonal
/// $\sum_cn_c|D_c|$ (the neurons aligned with their largest coordinate, as
/// [`crate::sim::two_layer_census::identify_isotropy`] aligns them), ties broken by the
/// lexicographically largest parameter vector.
fn canonical(p: &Partition, gens: &[Generator], xi: &[f64]) -> Vec<f64> {
    let weight = |y: &[f64]| -> f64 {
        (0..p.num_classes())
            .map(|c| p.sizes()[c] * y[c].abs())
            .sum()
    };
    let mut best = xi.to_vec();
    for y in orbit(p, gens, xi) {
        let (wy, wb) = (weight(&y), weight(&best));
        let better = if (wy - wb).abs() > 1e-9 * wb.max(1.0) {
            wy > wb
        } else {
            y.iter()
                .zip(&best)
                .find(|(a, b)| (*a - *b).abs() > 1e-12)
                .is_some_and(|(a, b)| a > b)
        };
        if better {
            best = y;
        }
    }
    best
}

fn same_point(p: &Partition, gens: &[Generator], a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len() && orbit(p, gens, b).iter().any(|y| close(a, y, tol))
}

/// Sign-pattern seeds (module docs, item 1).
fn sign_pattern_seeds(p: &Partition) -> Vec<Vec<f64>> {
    let m = p.num_classes();
    let d = p.dimension();
    // Levels of D_c: unflipped, flipped, half-flipped (the singleton of the (M, 1, d-M-1) minima
    // has D ~ -0.4); three levels for up to 3 classes, two up to 5, else one flip or all but one.
    let levels: &[f64] = if m <= 3 {
        &[1.0, -0.7, -0.4]
    } else {
        &[1.0, -0.7]
    };
    let sets: Vec<Vec<f64>> = if m <= 5 {
        let base = levels.len();
        (0..base.pow(m as u32))
            .map(|mut code| {
                (0..m)
                    .map(|_| {
                        let l = levels[code % base];
                        code /= base;
                        l
                    })
                    .collect()
            })
            .collect()
    } else {
        let mut v = vec![vec![1.0; m], vec![-0.7; m]];
        for c in 0..m {
            v.push((0..m).map(|e| if e == c { -0.7 } else { 1.0 }).collect());
            v.push((0..m).map(|e| if e == c { 1.0 } else { -0.7 }).collect());
        }
        v
    };
    let mut out = Vec::new();
    for diag in &sets {
        for beta in [0.7, 0.2] {
            out.push(
                p.params()
                    .iter()
                    .map(|q| match *q {
                        Param::Diag(c) => diag[c],
                        Param::Off(_) => 0.0,
                        Param::Cross(..) => beta / d.sqrt(),
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Descent on $F|_{\rm Fix}$ towards a minimum of the restricted loss: saddle-free Newton
/// (Dauphin et al., NeurIPS 2014) in metric-orthonormal coordinates $y=G^{1/2}\xi$, i.e. the step
/// $-\sum_iu_iu_i^\top\nabla_y F/\max(|\lambda_i|,\delta)$ over the eigenpairs of
/// $G^{-1/2}\nabla^2_\xi F_{\rm red}G^{-1/2}$ ($\delta=10^{-3}\max(1,\max_i|\lambda_i|)$), with
/// backtracking until the loss decreases; at most 200 steps, stopped when the largest full-gradient
/// entry is below $10^{-9}$. It is the restriction of a descent method of the full loss, so it
/// never climbs to a saddle (unlike plain Newton); reduced Newton polishes the end point.
fn descend(p: &Partition, metric: &[f64], xi0: &[f64]) -> Option<Vec<f64>> {
    use crate::linalg::{Matrix, SymmetricEigen};
    let n = xi0.len();
    let sq: Vec<f64> = metric.iter().map(|w| w.sqrt()).collect();
    let mut xi = xi0.to_vec();
    let mut loss = p.loss(&xi).ok()?;
    for _ in 0..200 {
        if merge_distance(p, &xi) < DESCENT_ABANDON_MERGE {
            return None;
        }
        let g = p.gradient(&xi).ok()?;
        let r = g
            .iter()
            .zip(metric)
            .fold(0.0f64, |a, (g, w)| a.max((g / w).abs()));
        if !r.is_finite() {
            return None;
        }
        if r < 1e-9 {
            break;
        }
        let h = p.hessian(&xi).ok()?;
        let hy = Matrix::from_fn(n, n, |i, j| h[i * n + j] / (sq[i] * sq[j]));
        let eig = SymmetricEigen::new(&hy).ok()?;
        let gy: Vec<f64> = g.iter().zip(&sq).map(|(g, s)| g / s).collect();
        let vals = eig.values();
        let delta = 1e-3 * vals.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        let u = eig.vectors();
        let mut step_y = vec![0.0; n];
        for (k, &lam) in vals.iter().enumerate() {
            let c: f64 = (0..n).map(|i| u.get(i, k).unwrap_or(0.0) * gy[i]).sum();
            let f = c / lam.abs().max(delta);
            for (i, s) in step_y.iter_mut().enumerate() {
                *s -= f * u.get(i, k).unwrap_or(0.0);
            }
        }
        let slope: f64 = step_y.iter().zip(&gy).map(|(s, g)| s * g).sum();
        let mut t = 1.0;
        let mut moved = false;
        while t > 1e-8 {
            let trial: Vec<f64> = xi
                .iter()
                .zip(step_y.iter().zip(&sq))
                .map(|(x, (s, q))| x + t * s / q)
                .collect();
            if let Ok(l) = p.loss(&trial)
                && l.is_finite()
                && l <= loss + 1e-4 * t * slope
            {
                xi = trial;
                loss = l;
                moved = true;
                break;
            }
            t *= 0.5;
        }
        if !moved {
            break;
        }
    }
    Some(xi)
}

/// Gradient-descent seeds (module docs, item 4): integer class sizes, $d\le200$.
fn descent_seeds(p: &Partition, opts: &BranchSearchOptions) -> Result<Vec<Vec<f64>>> {
    use crate::sim::two_layer_census::{
        GradientDescentOptions, gradient_descent, identify_isotropy, xavier_init,
    };
    let d = p.dimension();
    if p.sizes().iter().any(|n| n.fract() != 0.0) || d > 200.0 {
        return Ok(Vec::new());
    }
    let du = d as usize;
    let teacher = Teacher::identity(du)?;
    let mut out = Vec::new();
    for r in 0..opts.descent_runs {
        let mut rng = trial_rng(opts.seed ^ 0x5EED_DE5C, r as u64);
        let w0 = xavier_init(du, du, &mut rng);
        let Ok(rep) = gradient_descent(&teacher, &w0, GradientDescentOptions::default()) else {
            continue;
        };
        let Ok(iso) = identify_isotropy(&rep.weights, du, 1e-4) else {
            continue;
        };
        if let Some(xi) = transfer(&iso.partition, &iso.params, p) {
            out.push(xi);
        }
    }
    Ok(out)
}

/// Map the parameters of a point of partition `from` to partition `to` with the same multiset of
/// class sizes (any size-preserving bijection of classes; `None` if the sizes differ).
pub fn transfer(from: &Partition, xi: &[f64], to: &Partition) -> Option<Vec<f64>> {
    let (fs, ts) = (from.sizes(), to.sizes());
    if fs.len() != ts.len() || xi.len() != from.params().len() {
        return None;
    }
    let mut used = vec![false; ts.len()];
    let mut map = vec![0usize; fs.len()];
    for (c, &n) in fs.iter().enumerate() {
        let t = (0..ts.len()).find(|&t| !used[t] && ts[t] == n)?;
        used[t] = true;
        map[c] = t;
    }
    let mut out = vec![0.0; xi.len()];
    for (a, &q) in from.params().iter().enumerate() {
        let target = match q {
            Param::Diag(c) => Param::Diag(map[c]),
            Param::Off(c) => Param::Off(map[c]),
            Param::Cross(c, r) => Param::Cross(map[c], map[r]),
        };
        out[to.index_of(target)?] = xi[a];
    }
    Some(out)
}

/// Coarser-family seeds (module docs, item 5).
fn coarser_seeds(p: &Partition, seed: u64) -> Vec<Vec<f64>> {
    let m = p.num_classes();
    let mut out = Vec::new();
    if m < 2 {
        return out;
    }
    // The coarser partitions (one per merge of two classes) and their embeddings.
    let mut merges: Vec<(Partition, Vec<f64>)> = Vec::new();
    for c in 0..m {
        for e in (c + 1)..m {
            // parent map: e merged into c, later classes shift down.
            let parent: Vec<usize> = (0..m)
                .map(|f| {
                    if f == e {
                        c
                    } else if f > e {
                        f - 1
                    } else {
                        f
                    }
                })
                .collect();
            let mut sizes: Vec<f64> = Vec::with_capacity(m - 1);
            for f in 0..m {
                if f != e {
                    sizes.push(p.sizes()[f] + if f == c { p.sizes()[e] } else { 0.0 });
                }
            }
            let Ok(coarse) = (PartitionParams { sizes }).check() else {
                continue;
            };
            let Ok(j) = p.embedding_from(&coarse, &parent) else {
                continue;
            };
            merges.push((coarse, j));
        }
    }
    // The sign-pattern Newton solves of every coarser partition, in parallel (kept in order).
    let solved: Vec<Vec<Option<Vec<f64>>>> = merges
        .par_iter()
        .map(|(coarse, _)| {
            sign_pattern_seeds(coarse)
                .par_iter()
                .map(|s| {
                    reduced_newton(coarse, s, ReducedNewtonOptions::default())
                        .ok()
                        .map(|rep| rep.params)
                })
                .collect()
        })
        .collect();
    // The distinct points of each merge, embedded, with their perturbations (the perturbation
    // stream is drawn sequentially, in merge order).
    let mut rng = trial_rng(seed ^ 0xC0A2_5E55, 0);
    for ((coarse, j), sols) in merges.iter().zip(solved) {
        let (pf, pc) = (p.params().len(), coarse.params().len());
        let mut points: Vec<Vec<f64>> = Vec::new();
        for params in sols.into_iter().flatten() {
            if points.iter().any(|q| close(q, &params, DEDUP_TOLERANCE)) {
                continue;
            }
            points.push(params);
        }
        let fines: Vec<Vec<f64>> = points
            .iter()
            .map(|coarse_xi| {
                (0..pf)
                    .map(|a| (0..pc).map(|b| j[a * pc + b] * coarse_xi[b]).sum())
                    .collect()
            })
            .collect();
        // Along the two softest directions of the fine Hessian (where a finer branch
        // bifurcates), both signs, and one random direction.
        let softs: Vec<Vec<Vec<f64>>> = fines
            .par_iter()
            .map(|fine| soft_directions(p, fine, 2, 0.05))
            .collect();
        for (fine, soft) in fines.iter().zip(softs) {
            out.extend(soft);
            out.push(
                fine.iter()
                    .map(|x| x + 0.05 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
                    .collect(),
            );
        }
    }
    out
}

/// $\xi\pm\epsilon\,G^{-1/2}u_i/\max|G^{-1/2}u_i|$ for the eigenvectors $u_i$ of the `count`
/// smallest eigenvalues of $G^{-1/2}\nabla^2_\xi F_{\rm red}G^{-1/2}$ at $\xi$.
fn soft_directions(p: &Partition, xi: &[f64], count: usize, eps: f64) -> Vec<Vec<f64>> {
    use crate::linalg::{Matrix, SymmetricEigen};
    let n = xi.len();
    let metric = p.metric();
    let sq: Vec<f64> = metric.iter().map(|w| w.sqrt()).collect();
    let Ok(h) = p.hessian(xi) else {
        return Vec::new();
    };
    let Ok(eig) = SymmetricEigen::new(&Matrix::from_fn(n, n, |i, j| {
        h[i * n + j] / (sq[i] * sq[j])
    })) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in 0..count.min(n) {
        let dir: Vec<f64> = (0..n)
            .map(|i| eig.vectors().get(i, k).unwrap_or(0.0) / sq[i])
            .collect();
        let scale = dir.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        if !(scale > 0.0 && scale.is_finite()) {
            continue;
        }
        for sign in [1.0, -1.0] {
            out.push(
                xi.iter()
                    .zip(&dir)
                    .map(|(x, v)| x + sign * eps * v / scale)
                    .collect(),
            );
        }
    }
    out
}

/// The largest entry of the dense full gradient at the embedded point (integer $d\le200$).
fn full_gradient(p: &Partition, xi: &[f64]) -> Option<f64> {
    let d = p.dimension();
    if p.sizes().iter().any(|n| n.fract() != 0.0) || d > 200.0 {
        return None;
    }
    let w = p.embed(xi).ok()?;
    // One row per class (the first: classes occupy consecutive indices): the other rows of a
    // class are permutations of it (W is invariant under the isotropy, the gradient equivariant).
    let mut rows = Vec::with_capacity(p.num_classes());
    let mut start = 0usize;
    for &n in p.sizes() {
        rows.push(start);
        start += n as usize;
    }
    let g = Teacher::identity(d as usize)
        .ok()?
        .gradient_rows(&w, &rows)
        .ok()?;
    let r = g.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    r.is_finite().then_some(r)
}

/// The saddle-to-minimum dimension of one branch ([`branch_threshold`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BranchThreshold {
    /// The dimension $d^*$ at which the smallest Hessian eigenvalue of the continued branch
    /// changes sign (it has the sign it has at the start on the start's side: a minimum turns
    /// into a saddle below $d^*$, or a saddle into a minimum).
    pub d_star: f64,
    /// The class sizes at $d^*$.
    pub sizes: Vec<f64>,
    /// The reduced parameters at $d^*$.
    pub params: Vec<f64>,
    /// The isotypic component of the smallest eigenvalue at $d^*$.
    pub component: super::spectrum::Component,
    /// Continuation steps taken.
    pub steps: usize,
}

/// Step of the downward scan of [`branch_threshold`] in $d$.
const THRESHOLD_SCAN_STEP: f64 = 0.05;

/// $d^*$ **per branch** (issue 14 §2): continue the critical point `xi` of `partition` downward in
/// $d$ by changing the size of class `class` only (natural continuation: reduced Newton from the
/// linear extrapolation of the last two points, step $0.05$ in $d$, halved down to $10^{-6}$ when
/// Newton fails or the parameters jump by more than $0.1(1+\|\xi\|_\infty)$ in one step — a fold
/// ends the branch), until the smallest Hessian eigenvalue changes sign; then bisection (50 steps)
/// on that sign. Returns `Ok(None)` if the sign does not change down to `d_min` or the branch ends
/// (fold, class size reaching 1) first.
///
/// This is the branch-tracking counterpart of [`super::threshold::saddle_to_minimum`] for a
/// listed branch, by natural continuation (a bifurcation in the fixed space is crossed, guarded
/// only by the parameter-jump test). [`super::track::track_branch`] passes folds and reports
/// every fold, branch point and symmetry-breaking crossing along the way; its first
/// symmetry-breaking event is this $d^*$ when the sign change happens outside the trivial block.
///
/// Domain: `class` an index of a class of size $>1$ (else [`Error::InvalidParameter`] naming
/// `class`), $1<$ `d_min` $<d$ (else naming `d_min`), `xi` a critical point of `partition`
/// (reduced residual $\le10^{-10}d$; else [`Error::InvalidParameter`] naming `params`).
pub fn branch_threshold(
    partition: &Partition,
    xi: &[f64],
    class: usize,
    d_min: f64,
) -> Result<Option<BranchThreshold>> {
    let sizes0 = partition.sizes().to_vec();
    let d0 = partition.dimension();
    if class >= sizes0.len() || sizes0[class] <= 1.0 {
        return Err(Error::InvalidParameter {
            name: "class",
            value: class as f64,
            expected: "the index of a class of size > 1",
        });
    }
    if !(d_min.is_finite() && d_min > 1.0 && d_min < d0) {
        return Err(Error::InvalidParameter {
            name: "d_min",
            value: d_min,
            expected: "a dimension in (1, d)",
        });
    }
    let at = |d: f64| -> Result<Partition> {
        let mut s = sizes0.clone();
        s[class] += d - d0;
        PartitionParams { sizes: s }.check()
    };
    let solve =
        |d: f64, seed: &[f64]| -> Option<(Partition, Vec<f64>, f64, super::spectrum::Component)> {
            let p = at(d).ok()?;
            if p.sizes()[class] <= 1.0 {
                return None;
            }
            let rep = reduced_newton(&p, seed, ReducedNewtonOptions::default()).ok()?;
            let spec = block_spectrum(&p, &rep.params).ok()?;
            let comp = spec.min_component()?;
            Some((p, rep.params, spec.min_value(), comp))
        };
    let (_, x0, l0, _) = solve(d0, xi).ok_or(Error::InvalidParameter {
        name: "params",
        value: d0,
        expected: "a critical point of the partition (reduced Newton from it must converge)",
    })?;
    if xi
        .iter()
        .zip(&x0)
        .any(|(a, b)| (a - b).abs() > 1e-6 * (1.0 + a.abs()))
    {
        return Err(Error::InvalidParameter {
            name: "params",
            value: d0,
            expected: "a critical point of the partition (Newton moved away from it)",
        });
    }
    let sign0 = l0 >= 0.0;
    let jump_ok = |a: &[f64], b: &[f64]| {
        let scale = a.iter().fold(0.0f64, |s, x| s.max(x.abs()));
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 0.1 * (1.0 + scale))
    };
    let mut d_prev = d0;
    let mut x_prev = x0;
    let mut x_prev2: Option<(f64, Vec<f64>)> = None;
    let mut steps = 0usize;
    let mut h = THRESHOLD_SCAN_STEP;
    while d_prev > d_min {
        let d = (d_prev - h).max(d_min);
        let seed: Vec<f64> = match &x_prev2 {
            Some((dp2, xp2)) => x_prev
                .iter()
                .zip(xp2)
                .map(|(a, b)| a + (a - b) * (d - d_prev) / (d_prev - dp2))
                .collect(),
            None => x_prev.clone(),
        };
        match solve(d, &seed).filter(|s| jump_ok(&x_prev, &s.1)) {
            Some((_, x, l, _)) => {
                steps += 1;
                if (l >= 0.0) != sign0 {
                    // Bisection on the sign of the smallest eigenvalue in [d, d_prev].
                    let (mut lo, mut hi) = (d, d_prev);
                    let mut x_hi = x_prev.clone();
                    for _ in 0..50 {
                        let mid = 0.5 * (lo + hi);
                        let Some((_, xm, lm, _)) = solve(mid, &x_hi) else {
                            break;
                        };
                        if (lm >= 0.0) == sign0 {
                            hi = mid;
                            x_hi = xm;
                        } else {
                            lo = mid;
                        }
                    }
                    let Some((p, params, _, component)) = solve(hi, &x_hi) else {
                        return Ok(None);
                    };
                    return Ok(Some(BranchThreshold {
                        d_star: 0.5 * (lo + hi),
                        sizes: p.sizes().to_vec(),
                        params,
                        component,
                        steps,
                    }));
                }
                x_prev2 = Some((d_prev, std::mem::replace(&mut x_prev, x)));
                d_prev = d;
                h = (h * 1.5).min(THRESHOLD_SCAN_STEP);
            }
            None => {
                h *= 0.5;
                if h < 1e-6 {
                    return Ok(None);
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `merge_distance` is zero exactly on the fixed spaces of the coarser partitions (embedded
    /// points), where [`mergeable`] holds, and measures the departure from them.
    #[test]
    fn merge_distance_vanishes_on_coarser_fixed_spaces() {
        let p = PartitionParams {
            sizes: vec![13.0, 6.0, 1.0],
        }
        .check()
        .unwrap();
        let coarse = PartitionParams {
            sizes: vec![19.0, 1.0],
        }
        .check()
        .unwrap();
        // Classes 0 and 1 merged into coarse class 0.
        let j = p.embedding_from(&coarse, &[0, 0, 1]).unwrap();
        let xc = [0.9, -0.4, 0.05, 0.02, -0.03];
        let (pf, pc) = (p.params().len(), coarse.params().len());
        let fine: Vec<f64> = (0..pf)
            .map(|a| (0..pc).map(|b| j[a * pc + b] * xc[b]).sum())
            .collect();
        assert_eq!(merge_distance(&p, &fine), 0.0);
        assert!(mergeable(&p, &fine));
        let mut moved = fine.clone();
        let i = p.index_of(Param::Cross(0, 2)).unwrap();
        moved[i] += 3e-4;
        let md = merge_distance(&p, &moved);
        assert!((md - 3e-4).abs() < 1e-15, "{md}");
        assert!(!mergeable(&p, &moved));
        // A generic point is far from every coarser fixed space.
        let generic: Vec<f64> = (0..pf).map(|a| 0.3 * a as f64 - 1.0).collect();
        assert!(merge_distance(&p, &generic) > 0.1);
    }
}
