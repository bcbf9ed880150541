//! Discrete spectra and populations: weighted atoms, and atoms with the target's signal shares.
//!
//! A covariance $\Sigma$ ($p \times p$) enters the proportional limit only through its empirical
//! spectral distribution $H = \sum_j w_j \delta_{s_j}$ (eigenvalue $s_j$ carrying the share $w_j$
//! of the $p$ dimensions) and, for a linear target $\beta$, through the share $c_j$ of
//! $\|\beta\|^2$ that lies in the eigenspace of $s_j$ (Dobriban & Wager, *Ann. Statist.* 46(1),
//! 2018; Hastie, Montanari, Rosset & Tibshirani, *Ann. Statist.* 50(2), 2022, §5).
//!
//! - [`Atoms`]: a validated discrete probability measure $\sum_j w_j\delta_{s_j}$ on $\mathbb R$
//!   (weights normalised to sum 1), with its Stieltjes transform and moments; $O(P)$ per
//!   evaluation, so $10^6$ atoms are cheap.
//! - [`Population`]: a covariance spectrum (atoms $s_j \ge 0$, not all zero) with the signal
//!   shares $c_j$ (normalised to sum 1); from arrays, from a CSV text or file with the header
//!   `eigenvalue,weight,signal`, isotropic, or a power law.
//! - [`StieltjesTransform`]: anything with a Stieltjes transform $m(z) = \int d\mu(s)/(s - z)$
//!   on $\mathbb C_+$ (the free-probability engine and the generalised Marchenko–Pastur solver
//!   take measures through it).

use num_complex::Complex64;

use crate::error::{Error, Result};
use crate::spectral::marchenko_pastur::MarchenkoPastur;

/// A probability measure known through its Stieltjes transform
/// $m_\mu(z) = \int \frac{d\mu(s)}{s - z}$.
///
/// Contract of [`StieltjesTransform::stieltjes`]: for every finite $z$ with
/// $\operatorname{Im} z > 0$ it returns the Herglotz value ($\operatorname{Im} m > 0$,
/// $m(z) \sim -1/z$ as $|z| \to \infty$, $m(\bar z) = \overline{m(z)}$) or a typed error; real
/// $z$ outside the support may be accepted (the value is then real).
pub trait StieltjesTransform {
    /// The Stieltjes transform $m_\mu(z)$.
    fn stieltjes(&self, z: Complex64) -> Result<Complex64>;
}

impl StieltjesTransform for MarchenkoPastur {
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        MarchenkoPastur::stieltjes(self, z)
    }
}

/// A discrete probability measure $\mu = \sum_{j=1}^P w_j \delta_{s_j}$ (validated, weights
/// normalised to $\sum_j w_j = 1$).
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::{Atoms, StieltjesTransform};
/// let mu = Atoms::new(vec![1.0, 10.0], vec![7.0, 3.0])?; // weights normalised to 0.7, 0.3
/// let m = mu.stieltjes(Complex64::new(2.0, 1.0))?;
/// assert!(m.im > 0.0);
/// assert!((mu.moment(1) - 3.7).abs() < 1e-15);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Atoms {
    eigenvalues: Vec<f64>,
    weights: Vec<f64>,
}

impl Atoms {
    /// Atoms $s_j$ with weights $w_j$ (normalised by the sum).
    ///
    /// Errors ([`Error::InvalidParameter`]): empty lists (`eigenvalues`), lengths that differ
    /// (`weights`), a non-finite eigenvalue (`eigenvalues`), a negative or non-finite weight
    /// (`weights`), weights summing to zero or to infinity (`weights`).
    pub fn new(eigenvalues: Vec<f64>, weights: Vec<f64>) -> Result<Self> {
        if eigenvalues.is_empty() {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: 0.0,
                expected: "at least one atom",
            });
        }
        if weights.len() != eigenvalues.len() {
            return Err(Error::InvalidParameter {
                name: "weights",
                value: weights.len() as f64,
                expected: "as many weights as eigenvalues",
            });
        }
        if let Some(&s) = eigenvalues.iter().find(|s| !s.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: s,
                expected: "finite eigenvalues",
            });
        }
        let weights = normalise("weights", weights)?;
        Ok(Self {
            eigenvalues,
            weights,
        })
    }

    /// Equal weights $1/P$ on the given eigenvalues.
    pub fn uniform(eigenvalues: Vec<f64>) -> Result<Self> {
        let weights = vec![1.0; eigenvalues.len()];
        Self::new(eigenvalues, weights)
    }

    /// The power law $s_k = k^{-\alpha}$, $k = 1, \dots, P$, with equal weights.
    ///
    /// Errors: `alpha` not finite or negative, `count` zero ([`Error::InvalidParameter`]).
    pub fn power_law(alpha: f64, count: usize) -> Result<Self> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "alpha",
                value: alpha,
                expected: "a finite exponent >= 0",
            });
        }
        if count == 0 {
            return Err(Error::InvalidParameter {
                name: "count",
                value: 0.0,
                expected: "at least one eigenvalue",
            });
        }
        let eigenvalues = (1..=count).map(|k| (k as f64).powf(-alpha)).collect();
        Self::uniform(eigenvalues)
    }

    /// The eigenvalues $s_j$ (in the order given).
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigenvalues
    }

    /// The normalised weights $w_j$ ($\sum_j w_j = 1$).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The number of atoms $P$.
    pub fn len(&self) -> usize {
        self.eigenvalues.len()
    }

    /// Always `false` (a validated measure has at least one atom).
    pub fn is_empty(&self) -> bool {
        self.eigenvalues.is_empty()
    }

    /// The moment $\int s^k d\mu = \sum_j w_j s_j^k$ (may overflow to $\pm\infty$ for huge
    /// eigenvalues and large $k$: an informational value, not a solver input).
    pub fn moment(&self, k: i32) -> f64 {
        self.eigenvalues
            .iter()
            .zip(&self.weights)
            .map(|(s, w)| w * s.powi(k))
            .sum()
    }

    /// The smallest and largest atom carrying positive weight: the support is inside
    /// $[\min, \max]$ and both ends are atoms.
    pub fn support(&self) -> (f64, f64) {
        self.eigenvalues
            .iter()
            .zip(&self.weights)
            .filter(|(_, w)| **w > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (s, _)| {
                (lo.min(*s), hi.max(*s))
            })
    }
}

impl Atoms {
    /// Parse a CSV text with the header `eigenvalue,weight` or `eigenvalue,weight,signal` (a
    /// third column is read and checked but ignored: the measure is the spectrum alone; blank
    /// lines and `#` comments skipped). `origin` names the source in errors.
    ///
    /// Errors: [`Error::InvalidData`] naming `origin`, the 1-based line and the problem (a
    /// missing or wrong header, a wrong number of fields, a field that is not a finite number, a
    /// negative weight, no data rows), then the validation of [`Atoms::new`] (line 0).
    /// Eigenvalues may be negative here (a general measure); [`Population`] and the
    /// sample-covariance law reject them.
    pub fn from_csv(text: &str, origin: &str) -> Result<Self> {
        let bad = |line: usize, problem: String| Error::InvalidData {
            origin: origin.to_string(),
            line,
            problem,
        };
        let mut columns = 0;
        let mut eigenvalues = Vec::new();
        let mut weights = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
            if columns == 0 {
                let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
                if lower == ["eigenvalue", "weight"] || lower == ["eigenvalue", "weight", "signal"]
                {
                    columns = lower.len();
                    continue;
                }
                return Err(bad(
                    line,
                    format!(
                        "expected the header `eigenvalue,weight` or `eigenvalue,weight,signal`, found `{trimmed}`"
                    ),
                ));
            }
            if fields.len() != columns {
                return Err(bad(
                    line,
                    format!("expected {columns} fields, found {}", fields.len()),
                ));
            }
            let mut values = [0.0; 3];
            for (k, (field, name)) in fields
                .iter()
                .zip(["eigenvalue", "weight", "signal"])
                .enumerate()
            {
                values[k] = field
                    .parse::<f64>()
                    .map_err(|_| bad(line, format!("{name} `{field}` is not a number")))?;
                if !values[k].is_finite() {
                    return Err(bad(line, format!("{name} `{field}` is not finite")));
                }
            }
            if values[1] < 0.0 {
                return Err(bad(line, format!("weight {} is negative", values[1])));
            }
            if values[2] < 0.0 {
                return Err(bad(line, format!("signal {} is negative", values[2])));
            }
            eigenvalues.push(values[0]);
            weights.push(values[1]);
        }
        if columns == 0 {
            return Err(bad(
                0,
                "empty: expected the header `eigenvalue,weight[,signal]`".into(),
            ));
        }
        if eigenvalues.is_empty() {
            return Err(bad(0, "no data rows after the header".into()));
        }
        Self::new(eigenvalues, weights).map_err(|e| bad(0, e.to_string()))
    }

    /// Read and parse a CSV file (see [`Atoms::from_csv`]); a file that cannot be read is
    /// [`Error::InvalidData`] with line 0.
    pub fn from_csv_path(path: &std::path::Path) -> Result<Self> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidData {
            origin: origin.clone(),
            line: 0,
            problem: format!("cannot read the file: {e}"),
        })?;
        Self::from_csv(&text, &origin)
    }
}

impl StieltjesTransform for Atoms {
    /// $m(z) = \sum_j w_j / (s_j - z)$, for finite $z$ that is not an atom.
    ///
    /// Errors: non-finite $z$ ([`Error::InvalidParameter`] `z`), $z$ equal to an atom of
    /// positive weight ([`Error::InvalidParameter`] `z`: the transform has a pole there).
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        if !(z.re.is_finite() && z.im.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "z",
                value: if z.re.is_finite() { z.im } else { z.re },
                expected: "a finite complex number",
            });
        }
        let mut m = Complex64::new(0.0, 0.0);
        for (s, w) in self.eigenvalues.iter().zip(&self.weights) {
            let d = Complex64::new(s - z.re, -z.im);
            if d.re == 0.0 && d.im == 0.0 {
                if *w > 0.0 {
                    return Err(Error::InvalidParameter {
                        name: "z",
                        value: z.re,
                        expected: "a point that is not an atom of the measure",
                    });
                }
                continue;
            }
            m += *w / d;
        }
        if m.re.is_finite() && m.im.is_finite() {
            Ok(m)
        } else {
            Err(Error::NonFinite {
                what: "Stieltjes transform of the atoms (z too close to an atom)",
            })
        }
    }
}

/// A population covariance spectrum with the target's alignment: eigenvalues $s_j \ge 0$ with
/// dimension shares $w_j$ and signal shares $c_j$ (both normalised to sum 1).
///
/// $w_j$ is the fraction of the $p$ dimensions whose variance is $s_j$; $c_j$ is the fraction
/// of $\|\beta\|^2$ in those directions. `Population::isotropic()` ($\Sigma = I$) is the
/// setting of the isotropic models (`theory::ridge`).
///
/// Building a population also computes, once, what the anisotropic ridge solver needs
/// independently of $(\gamma, \lambda)$ ($w_+$, $\sum_j w_js_j$, the extreme atoms, a compressed
/// quadrature of a few hundred nodes; $O(P)$, about a sixth of the cost of `power_law`), so a
/// point of [`crate::theory::ridge::AnisotropicRidge`] reads the atoms only once. The
/// certified compressed rule, with which a point reads no atom, is built on request, by
/// [`Population::build_certified_rule`] (the drivers call it before long runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    spectrum: Atoms,
    signal: Vec<f64>,
    /// Parameter-free summaries computed once at construction (a function of the atoms, so the
    /// derived equality is unchanged).
    cache: PopulationCache,
}

/// What the anisotropic ridge solver needs from a population that does not depend on
/// $(\gamma, \lambda)$, computed once when the population is built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PopulationCache {
    /// $w_+ = \sum_{s_j > 0} w_j$ (capped at 1).
    pub(crate) w_plus: f64,
    /// $\sum_j w_j s_j$.
    pub(crate) mean: f64,
    /// The smallest and largest positive atom with positive weight.
    pub(crate) s_min: f64,
    /// See `s_min`.
    pub(crate) s_max: f64,
    /// A compressed quadrature of the positive part of $\sum_j w_j\delta_{s_j}$ (nodes,
    /// weights), or `None` when it would not be smaller than the atoms themselves.
    pub(crate) compressed: Option<(Vec<f64>, Vec<f64>)>,
    /// The certified compressed rules of $\sum_jw_j\delta_{s_j}$ and $\sum_jc_j\delta_{s_j}$
    /// on one node list (see [`certified_rule`]), when they are at most half the atoms and
    /// their bound is at most $8\varepsilon$; built lazily
    /// ([`Population::build_certified_rule`]).
    pub(crate) certified: LazyRule,
}

/// Both certified rules of a population on one node list: a node of the dimension rule has
/// signal weight 0 and vice versa (atoms kept as they are appear in each rule they belong to).
/// The dimension rule's nodes come first (`..split`), the signal rule's after (`split..`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CertifiedNodes {
    /// Nodes (positive).
    pub(crate) nodes: Vec<f64>,
    /// Dimension weights $\tilde w_i \ge 0$ (zero from `split` on).
    pub(crate) w: Vec<f64>,
    /// Signal weights $\tilde c_i \ge 0$ (zero before `split`).
    pub(crate) c: Vec<f64>,
    /// Relative error bound of every sum of $w$ or $c$ times $s^p/(s+\kappa)^q$
    /// ([`certified_rule::INTEGRANDS`]), any $\kappa \ge 0$.
    pub(crate) bound: f64,
    /// The number of nodes of the dimension rule (the first ones; both parts are padded with
    /// nodes of weight 0 to a multiple of 8, the lanes of the sums).
    pub(crate) split: usize,
    /// The solver's start quadrature on this path: the
    /// [`certified_rule::START_NODES`]-point Gauss rules, per octave, of the dimension rule
    /// (nodes, weights; about 100–200 nodes, Stieltjes sums to about $10^{-11}$ relative, not
    /// certified: a start only).
    pub(crate) start: (Vec<f64>, Vec<f64>),
}

/// Populations below this many atoms get no certified rule.
const CERTIFIED_MIN_ATOMS: usize = 1024;

/// Points of the anisotropic ridge solver evaluated on the atoms before the certified rule is
/// built (see [`Population::build_certified_rule`]): building it costs about as much as this
/// many passes over the atoms (measured, docs/performance.md), so a single point or a short
/// curve never pays for it, and a long curve pays at most about twice the cheaper of the two
/// strategies (the ski-rental bound).
/// From this many points on one population, the drivers (the CLI's `ridge --spectrum`, the
/// Python `ridge(spectrum=...)`) build the certified rule before evaluating
/// ([`Population::build_certified_rule`]): the build costs about as much as 230 points over
/// the atoms, so shorter runs pass over the atoms; the decision depends on the run's size only,
/// never on the order of evaluation.
pub const CERTIFIED_RULE_MIN_POINTS: usize = 64;

impl CertifiedNodes {
    fn new(s: &[f64], w: &[f64], c: &[f64]) -> Option<Self> {
        if s.len() < CERTIFIED_MIN_ATOMS {
            return None;
        }
        let (rw, rc) = if s.len() >= crate::spectral::atom_sums::PARALLEL_MIN {
            rayon::join(
                || certified_rule::build(s, w),
                || certified_rule::build(s, c),
            )
        } else {
            (certified_rule::build(s, w), certified_rule::build(s, c))
        };
        let rw = rw?;
        let (cn, cw, cb) = match rc {
            Some(r) => (r.nodes, r.weights, r.bound),
            None => (Vec::new(), Vec::new(), 0.0),
        };
        let total = rw.nodes.len() + cn.len();
        let bound = rw.bound.max(cb);
        if 2 * total > s.len() || bound.is_nan() || bound > 8.0 * f64::EPSILON {
            return None;
        }
        let mut start = certified_rule::start_rule(&rw.nodes, &rw.weights);
        // Each part padded to a multiple of the 8 lanes of the sums with nodes of weight 0
        // (their terms are exactly 0): no scalar tail in the solver's passes.
        let pad = |nodes: &mut Vec<f64>, weights: &mut Vec<f64>| {
            let last = nodes.last().copied().unwrap_or(1.0);
            while !nodes
                .len()
                .is_multiple_of(crate::spectral::atom_sums::LANES)
            {
                nodes.push(last);
                weights.push(0.0);
            }
        };
        pad(&mut start.0, &mut start.1);
        let (mut nodes, mut wv) = (rw.nodes, rw.weights);
        pad(&mut nodes, &mut wv);
        let split = nodes.len();
        let (mut cn, mut cw) = (cn, cw);
        pad(&mut cn, &mut cw);
        nodes.extend(cn);
        let total = nodes.len();
        wv.resize(total, 0.0);
        let mut cv = vec![0.0; total - cw.len()];
        cv.extend(cw);
        Some(Self {
            nodes,
            w: wv,
            c: cv,
            bound,
            split,
            start,
        })
    }
}

/// The certified rules of a population, built on request (thread-safe, at most once).
/// Cloning keeps what was built; equality ignores it (it is a
/// function of the atoms).
pub(crate) struct LazyRule {
    cell: std::sync::OnceLock<Option<CertifiedNodes>>,
}

impl LazyRule {
    fn new() -> Self {
        Self {
            cell: std::sync::OnceLock::new(),
        }
    }
}

impl Clone for LazyRule {
    fn clone(&self) -> Self {
        let cell = std::sync::OnceLock::new();
        if let Some(rule) = self.cell.get() {
            let _ = cell.set(rule.clone());
        }
        Self { cell }
    }
}

impl PartialEq for LazyRule {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for LazyRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.cell.get() {
            None => "not built",
            Some(None) => "built: none",
            Some(Some(_)) => "built",
        };
        f.debug_struct("LazyRule").field("state", &state).finish()
    }
}

/// Sub-bins per octave of the compressed quadrature: $2^{5}$ (bins of ratio at most
/// $1 + 2^{-5}$).
const COMPRESS_SUB_BITS: u32 = 5;

impl PopulationCache {
    fn new(s: &[f64], w: &[f64]) -> Self {
        let [w_plus, mean] =
            crate::spectral::atom_sums::sums(s, w, w, &crate::spectral::atom_sums::ShareAndMean);
        let (mut s_min, mut s_max) = (f64::INFINITY, 0.0f64);
        for (&sj, &wj) in s.iter().zip(w) {
            if sj > 0.0 && wj > 0.0 {
                s_min = s_min.min(sj);
                s_max = s_max.max(sj);
            }
        }
        Self {
            w_plus: w_plus.min(1.0),
            mean,
            s_min,
            s_max,
            compressed: compress(s, w, s_min, s_max),
            certified: LazyRule::new(),
        }
    }
}

/// A compressed quadrature of the positive atoms: the atoms are binned by their exponent and
/// the leading [`COMPRESS_SUB_BITS`] mantissa bits (bins $[a, a(1 + 2^{-5})]$ at most), and
/// each bin is replaced by its 2-point Gauss rule (matching the bin's moments 0 to 3). For a
/// Stieltjes-type sum $\sum_j w_j f(s_j)$ with $f(s) = 1/(s+\kappa)$, $\kappa \ge 0$, the
/// Gauss error of a bin is $\tfrac{f^{(4)}(\xi)}{4!}\int p_2^2 \le
/// \tfrac{4}{45}\,(h/(a+\kappa))^4 f(a)$ times its weight ($h$ the half-width, $p_2$ the
/// monic orthogonal polynomial; $h/a \le 2^{-6}$), below $10^{-8}$ relative (tested at
/// $10^{-7}$): a starting point for the solver, never its answer. `None` below 64 atoms and
/// when the bins are more than a quarter of the atoms (the atoms themselves are then the
/// start's measure).
fn compress(s: &[f64], w: &[f64], s_min: f64, s_max: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    let shift = 52 - COMPRESS_SUB_BITS;
    if !(s_min > 0.0 && s_max.is_finite()) || s.len() < 64 {
        return None;
    }
    let (k_min, k_max) = (s_min.to_bits() >> shift, s_max.to_bits() >> shift);
    let bins = usize::try_from(k_max - k_min + 1).ok()?;
    // (reference atom, weight, first three moments of t = s / reference - 1)
    let mut acc = vec![[0.0f64; 5]; bins];
    for (&sj, &wj) in s.iter().zip(w) {
        if !(sj > 0.0 && wj > 0.0) {
            continue;
        }
        let Ok(b) = usize::try_from((sj.to_bits() >> shift) - k_min) else {
            continue;
        };
        let Some(bin) = acc.get_mut(b) else {
            continue;
        };
        if bin[0] == 0.0 {
            bin[0] = sj;
        }
        let t = (sj - bin[0]) / bin[0];
        let wt = wj * t;
        bin[1] += wj;
        bin[2] += wt;
        bin[3] += wt * t;
        bin[4] += wt * t * t;
    }
    let occupied = acc.iter().filter(|b| b[1] > 0.0).count();
    if 4 * occupied > s.len() {
        return None;
    }
    let mut nodes = Vec::with_capacity(2 * occupied);
    let mut weights = Vec::with_capacity(2 * occupied);
    for &[reference, m0, m1, m2, m3] in acc.iter().filter(|b| b[1] > 0.0) {
        let mean = m1 / m0;
        let c2 = m2 / m0 - mean * mean;
        let c3 = m3 / m0 - 3.0 * mean * (m2 / m0) + 2.0 * mean * mean * mean;
        // The monic orthogonal polynomial y^2 - (c3 / c2) y - c2 in y = t - mean.
        let two = if c2 > 1e-24 {
            let half = 0.5 * c3 / c2;
            let root = (half * half + c2).sqrt();
            let (yp, ym) = (half + root, half - root);
            let (wp, wm) = (m0 * (-ym) / (yp - ym), m0 * yp / (yp - ym));
            let (sp, sm) = (reference * (1.0 + mean + yp), reference * (1.0 + mean + ym));
            let fine = [wp, wm, sp, sm].iter().all(|v| v.is_finite() && *v > 0.0);
            fine.then_some([(sm, wm), (sp, wp)])
        } else {
            None
        };
        match two {
            Some(pair) => {
                for (node, weight) in pair {
                    nodes.push(node);
                    weights.push(weight);
                }
            }
            None => {
                let node = reference * (1.0 + mean);
                if node.is_finite() && node > 0.0 {
                    nodes.push(node);
                    weights.push(m0);
                } else {
                    nodes.push(reference);
                    weights.push(m0);
                }
            }
        }
    }
    Some((nodes, weights))
}

impl Population {
    /// Eigenvalues $s_j$, dimension weights $w_j$ and signal shares $c_j$ (both normalised).
    ///
    /// Errors ([`Error::InvalidParameter`]): those of [`Atoms::new`]; a negative eigenvalue
    /// (`eigenvalues`); no eigenvalue with positive weight that is positive (`eigenvalues`: the
    /// covariance would be zero); `signal` of another length, with a negative or non-finite
    /// entry, or summing to zero (`signal`).
    pub fn new(eigenvalues: Vec<f64>, weights: Vec<f64>, signal: Vec<f64>) -> Result<Self> {
        let spectrum = Atoms::new(eigenvalues, weights)?;
        if let Some(&s) = spectrum.eigenvalues.iter().find(|s| **s < 0.0) {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: s,
                expected: "eigenvalues >= 0 (a covariance spectrum)",
            });
        }
        if !spectrum
            .eigenvalues
            .iter()
            .zip(&spectrum.weights)
            .any(|(s, w)| *s > 0.0 && *w > 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "eigenvalues",
                value: 0.0,
                expected: "at least one positive eigenvalue with positive weight",
            });
        }
        if signal.len() != spectrum.len() {
            return Err(Error::InvalidParameter {
                name: "signal",
                value: signal.len() as f64,
                expected: "as many signal shares as eigenvalues",
            });
        }
        let signal = normalise("signal", signal)?;
        Ok(Self::with_cache(spectrum, signal))
    }

    /// The population with its parameter-free summaries computed.
    fn with_cache(spectrum: Atoms, signal: Vec<f64>) -> Self {
        let cache = PopulationCache::new(&spectrum.eigenvalues, &spectrum.weights);
        Self {
            spectrum,
            signal,
            cache,
        }
    }

    /// The parameter-free summaries (crate-private: the anisotropic ridge solver).
    pub(crate) fn cache(&self) -> &PopulationCache {
        &self.cache
    }

    /// Build, once, the **certified compressed rule** the anisotropic ridge solver evaluates
    /// instead of the atoms ([`crate::theory::ridge::AnisotropicRidge`]; the rules of
    /// $\sum_jw_j\delta_{s_j}$ and $\sum_jc_j\delta_{s_j}$ with a proven relative error, see
    /// docs/ridge.md), and return whether this population has one (populations under 1024
    /// atoms, and those whose rule would not be at most half the atoms, have none: their points
    /// pass over the atoms).
    ///
    /// Optional: the solver never builds the rule itself (a point's path, and so its last bits,
    /// must not depend on how many points came before it), so without this call every point
    /// passes over the atoms and a single point does not pay for the rule. Call it first when
    /// many points will follow (a curve, a grid, a benchmark; the CLI and the Python package do
    /// from [`CERTIFIED_RULE_MIN_POINTS`] points on): every point is then on the rule. Building
    /// is $O(P)$ and costs about as much as 230 points over the atoms (about 0.6 ms for
    /// $10^4$ atoms). Thread-safe; the answers of the solver agree on both paths to about
    /// $10^{-13}$ relative (each is certified).
    pub fn build_certified_rule(&self) -> bool {
        self.certified_rule().is_some()
    }

    /// Whether the certified compressed rule has been built (by
    /// [`Population::build_certified_rule`]; `false` before, and
    /// after a build that found no rule).
    pub fn certified_rule_is_built(&self) -> bool {
        matches!(self.cache.certified.cell.get(), Some(Some(_)))
    }

    /// The certified rules, built now if they were not (crate-private).
    pub(crate) fn certified_rule(&self) -> Option<&CertifiedNodes> {
        self.cache
            .certified
            .cell
            .get_or_init(|| {
                CertifiedNodes::new(
                    &self.spectrum.eigenvalues,
                    &self.spectrum.weights,
                    &self.signal,
                )
            })
            .as_ref()
    }

    /// The certified rules for one point of the solver: the rules if they have been built (by
    /// [`Population::build_certified_rule`]), else `None` (the point passes over the atoms).
    /// Deliberately not built here: which path a point takes must not depend on how many
    /// points, on which threads, came before it, so that results are reproducible bit for bit
    /// whatever the thread count or evaluation order.
    pub(crate) fn certified_rule_for_point(&self) -> Option<&CertifiedNodes> {
        self.cache.certified.cell.get().and_then(Option::as_ref)
    }

    /// $\Sigma = I$: one atom at 1 carrying all dimensions and all the signal.
    pub fn isotropic() -> Self {
        Self::with_cache(
            Atoms {
                eigenvalues: vec![1.0],
                weights: vec![1.0],
            },
            vec![1.0],
        )
    }

    /// The power law $s_k = k^{-\alpha}$, $k = 1, \dots, P$ (equal dimension weights), with
    /// signal shares $c_k \propto k^{-\beta}$ of $\|\beta\|^2$ (so $\beta_k^2 \propto k^{-\beta}$
    /// in the eigenbasis; $\beta = 0$ spreads the signal evenly).
    ///
    /// Errors: `alpha` or `beta` not finite or negative, `count` zero
    /// ([`Error::InvalidParameter`]).
    pub fn power_law(alpha: f64, beta: f64, count: usize) -> Result<Self> {
        let spectrum = Atoms::power_law(alpha, count)?;
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "beta",
                value: beta,
                expected: "a finite exponent >= 0",
            });
        }
        let signal: Vec<f64> = (1..=count).map(|k| (k as f64).powf(-beta)).collect();
        let signal = normalise("signal", signal)?;
        Ok(Self::with_cache(spectrum, signal))
    }

    /// Parse a CSV text with the header `eigenvalue,weight,signal` (columns in that order;
    /// blank lines and lines starting with `#` are skipped; surrounding spaces are allowed).
    /// `origin` names the source in errors (a file path).
    ///
    /// Errors: [`Error::InvalidData`] naming `origin`, the 1-based line and the problem (a
    /// missing or wrong header, a wrong number of fields, a field that is not a number, no data
    /// rows), then the validation of [`Population::new`] (reported as
    /// [`Error::InvalidData`] too, on the line of the offending row when there is one).
    pub fn from_csv(text: &str, origin: &str) -> Result<Self> {
        let bad = |line: usize, problem: String| Error::InvalidData {
            origin: origin.to_string(),
            line,
            problem,
        };
        let mut header_seen = false;
        let mut eigenvalues = Vec::new();
        let mut weights = Vec::new();
        let mut signal = Vec::new();
        let mut lines_of_rows = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
            if !header_seen {
                let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
                if lower != ["eigenvalue", "weight", "signal"] {
                    return Err(bad(
                        line,
                        format!(
                            "expected the header `eigenvalue,weight,signal`, found `{trimmed}`"
                        ),
                    ));
                }
                header_seen = true;
                continue;
            }
            if fields.len() != 3 {
                return Err(bad(
                    line,
                    format!(
                        "expected 3 fields (eigenvalue,weight,signal), found {}",
                        fields.len()
                    ),
                ));
            }
            let mut values = [0.0; 3];
            for (k, (field, name)) in fields
                .iter()
                .zip(["eigenvalue", "weight", "signal"])
                .enumerate()
            {
                values[k] = field
                    .parse::<f64>()
                    .map_err(|_| bad(line, format!("{name} `{field}` is not a number")))?;
                if !values[k].is_finite() {
                    return Err(bad(line, format!("{name} `{field}` is not finite")));
                }
            }
            if values[0] < 0.0 {
                return Err(bad(
                    line,
                    format!(
                        "eigenvalue {} is negative (a covariance spectrum is >= 0)",
                        values[0]
                    ),
                ));
            }
            if values[1] < 0.0 {
                return Err(bad(line, format!("weight {} is negative", values[1])));
            }
            if values[2] < 0.0 {
                return Err(bad(line, format!("signal {} is negative", values[2])));
            }
            eigenvalues.push(values[0]);
            weights.push(values[1]);
            signal.push(values[2]);
            lines_of_rows.push(line);
        }
        if !header_seen {
            return Err(bad(
                0,
                "empty: expected the header `eigenvalue,weight,signal`".into(),
            ));
        }
        if eigenvalues.is_empty() {
            return Err(bad(0, "no data rows after the header".into()));
        }
        Self::new(eigenvalues, weights, signal).map_err(|e| bad(0, e.to_string()))
    }

    /// Read and parse a CSV file (see [`Population::from_csv`]); a file that cannot be read is
    /// [`Error::InvalidData`] with line 0.
    pub fn from_csv_path(path: &std::path::Path) -> Result<Self> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidData {
            origin: origin.clone(),
            line: 0,
            problem: format!("cannot read the file: {e}"),
        })?;
        Self::from_csv(&text, &origin)
    }

    /// The spectrum $H = \sum_j w_j \delta_{s_j}$.
    pub fn spectrum(&self) -> &Atoms {
        &self.spectrum
    }

    /// The eigenvalues $s_j$.
    pub fn eigenvalues(&self) -> &[f64] {
        self.spectrum.eigenvalues()
    }

    /// The dimension shares $w_j$ (sum 1).
    pub fn weights(&self) -> &[f64] {
        self.spectrum.weights()
    }

    /// The signal shares $c_j$ (sum 1).
    pub fn signal(&self) -> &[f64] {
        &self.signal
    }

    /// The number of atoms.
    pub fn len(&self) -> usize {
        self.spectrum.len()
    }

    /// Always `false` (a validated population has at least one atom).
    pub fn is_empty(&self) -> bool {
        self.spectrum.is_empty()
    }

    /// Whether this is $\Sigma = cI$ up to atoms of zero weight: every atom with positive
    /// weight has the same eigenvalue.
    pub fn is_isotropic(&self) -> bool {
        let (lo, hi) = self.spectrum.support();
        lo == hi
    }
}

/// Interoperability with nalgebra (feature `nalgebra`): populations from a covariance matrix or
/// an eigenvalue vector.
///
/// The eigenvalues of a nalgebra matrix are computed with nalgebra's own `SymmetricEigen` (the
/// data already lives in nalgebra; the crate's numerics otherwise run on faer, see
/// `crate::linalg`). Each eigenvalue is an atom of weight $1/p$.
#[cfg(feature = "nalgebra")]
mod nalgebra_interop {
    use super::{Atoms, Population};
    use crate::error::{Error, Result};

    /// Relative tolerance for symmetry and for rounding-level negative eigenvalues.
    const TOLERANCE: f64 = 1e-10;

    /// The eigenvalues of a symmetric, finite, square matrix.
    fn symmetric_eigenvalues(m: &nalgebra::DMatrix<f64>) -> Result<Vec<f64>> {
        let (r, c) = m.shape();
        if r != c || r == 0 {
            return Err(Error::DimensionMismatch {
                what: "covariance matrix (square, non-empty)",
                expected: r,
                found: c,
            });
        }
        if m.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "covariance",
                value: f64::NAN,
                expected: "a finite matrix",
            });
        }
        let scale = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let asym = (m - m.transpose())
            .iter()
            .fold(0.0f64, |a, v| a.max(v.abs()));
        if asym > TOLERANCE * scale {
            return Err(Error::InvalidParameter {
                name: "covariance",
                value: asym,
                expected: "a symmetric matrix (max |A - A^T| <= 1e-10 max |A|)",
            });
        }
        Ok(nalgebra::SymmetricEigen::new(m.clone())
            .eigenvalues
            .iter()
            .copied()
            .collect())
    }

    impl Atoms {
        /// Equal-weight atoms at the entries of a nalgebra vector (errors of [`Atoms::new`]).
        pub fn from_nalgebra_eigenvalues(values: &nalgebra::DVector<f64>) -> Result<Self> {
            Self::uniform(values.iter().copied().collect())
        }

        /// The spectral distribution of a symmetric nalgebra matrix (eigenvalues by nalgebra's
        /// `SymmetricEigen`, weight $1/p$ each).
        ///
        /// Errors: [`Error::DimensionMismatch`] for a non-square or empty matrix;
        /// [`Error::InvalidParameter`] `covariance` for a non-finite or non-symmetric one
        /// (relative tolerance $10^{-10}$).
        pub fn from_nalgebra_matrix(matrix: &nalgebra::DMatrix<f64>) -> Result<Self> {
            Self::uniform(symmetric_eigenvalues(matrix)?)
        }
    }

    impl Population {
        /// A population with eigenvalues from a nalgebra vector (weight $1/p$ each) and the
        /// signal spread like the dimensions ($c_j = w_j$: a target with no preferred
        /// direction). Errors of [`Population::new`].
        pub fn from_nalgebra_eigenvalues(values: &nalgebra::DVector<f64>) -> Result<Self> {
            let s: Vec<f64> = values.iter().copied().collect();
            let n = s.len();
            Self::new(s, vec![1.0; n], vec![1.0; n])
        }

        /// The population of a nalgebra covariance matrix $\Sigma$ (symmetric positive
        /// semidefinite): its eigenvalues, weight $1/p$ each, signal spread like the dimensions.
        /// Eigenvalues above $-10^{-10}\max|\Sigma_{ij}|$ but below 0 are rounding and are set
        /// to 0.
        ///
        /// Errors: those of [`Atoms::from_nalgebra_matrix`]; [`Error::InvalidParameter`]
        /// `eigenvalues` for a clearly negative eigenvalue (not a covariance) or a zero matrix.
        pub fn from_nalgebra_covariance(matrix: &nalgebra::DMatrix<f64>) -> Result<Self> {
            let scale = matrix.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let s: Vec<f64> = symmetric_eigenvalues(matrix)?
                .into_iter()
                .map(|v| {
                    if v < 0.0 && v >= -TOLERANCE * scale {
                        0.0
                    } else {
                        v
                    }
                })
                .collect();
            let n = s.len();
            Self::new(s, vec![1.0; n], vec![1.0; n])
        }
    }
}

/// Validate non-negative finite shares and divide by their sum.
fn normalise(name: &'static str, values: Vec<f64>) -> Result<Vec<f64>> {
    if let Some(&v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::InvalidParameter {
            name,
            value: v,
            expected: "finite shares >= 0",
        });
    }
    let total: f64 = values.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return Err(Error::InvalidParameter {
            name,
            value: total,
            expected: "shares with a finite positive sum",
        });
    }
    Ok(values.into_iter().map(|v| v / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_transform_is_herglotz_and_matches_the_sum() {
        let mu = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
        for &(x, y) in &[(0.5, 1e-3), (5.0, 2.0), (-3.0, 0.1), (1e6, 1e6)] {
            let z = Complex64::new(x, y);
            let m = mu.stieltjes(z).unwrap();
            assert!(m.im > 0.0);
            let direct = 0.7 / (1.0 - z) + 0.3 / (10.0 - z);
            assert!((m - direct).norm() <= 1e-15 * direct.norm());
        }
        // m(z) ~ -1/z
        let z = Complex64::new(3e8, 4e8);
        let m = mu.stieltjes(z).unwrap();
        assert!((m * z + 1.0).norm() < 1e-7);
        // a pole at an atom
        assert!(mu.stieltjes(Complex64::new(10.0, 0.0)).is_err());
    }

    #[test]
    fn population_validation_names_the_input() {
        let e = Population::new(vec![1.0, -1.0], vec![1.0, 1.0], vec![1.0, 1.0]).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidParameter {
                name: "eigenvalues",
                ..
            }
        ));
        let e = Population::new(vec![], vec![], vec![]).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidParameter {
                name: "eigenvalues",
                ..
            }
        ));
        let e = Population::new(vec![1.0, f64::NAN], vec![1.0, 1.0], vec![1.0, 1.0]).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidParameter {
                name: "eigenvalues",
                ..
            }
        ));
        let e = Population::new(vec![0.0], vec![1.0], vec![1.0]).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidParameter {
                name: "eigenvalues",
                ..
            }
        ));
        let e = Population::new(vec![1.0], vec![1.0], vec![0.0]).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { name: "signal", .. }));
        let p = Population::new(vec![1.0, 10.0], vec![7.0, 3.0], vec![2.0, 8.0]).unwrap();
        assert_eq!(p.weights(), &[0.7, 0.3]);
        assert_eq!(p.signal(), &[0.2, 0.8]);
        assert!(!p.is_isotropic());
        assert!(Population::isotropic().is_isotropic());
    }

    #[test]
    fn csv_errors_name_the_line_and_the_problem() {
        let ok = "# a comment\neigenvalue,weight,signal\n1, 0.7, 0.2\n\n10,0.3,0.8\n";
        let p = Population::from_csv(ok, "pop.csv").unwrap();
        assert_eq!(p.eigenvalues(), &[1.0, 10.0]);
        let cases = [
            ("", 0, "empty"),
            ("eigenvalue,weight\n1,1\n", 1, "header"),
            ("eigenvalue,weight,signal\n", 0, "no data rows"),
            ("eigenvalue,weight,signal\n1,1\n", 2, "3 fields"),
            (
                "eigenvalue,weight,signal\n1,x,1\n",
                2,
                "weight `x` is not a number",
            ),
            ("eigenvalue,weight,signal\n1,1,1\n-2,1,1\n", 3, "negative"),
            ("eigenvalue,weight,signal\n1,1,inf\n", 2, "not finite"),
            ("eigenvalue,weight,signal\n1,0,1\n", 0, "weights"),
        ];
        for (text, line, needle) in cases {
            match Population::from_csv(text, "pop.csv") {
                Err(Error::InvalidData {
                    origin,
                    line: l,
                    problem,
                }) => {
                    assert_eq!(origin, "pop.csv");
                    assert_eq!(l, line, "{text:?}: {problem}");
                    assert!(problem.contains(needle), "{text:?}: {problem}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    /// The compressed quadrature keeps the moments 0 to 3 of the positive atoms (Gauss rules
    /// per bin) and reproduces Stieltjes-type sums to the documented 1e-7 relative, with far
    /// fewer nodes; tiny populations are not compressed; the cached sums equal the direct ones.
    #[test]
    fn compressed_quadrature_keeps_moments_and_sums() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let random: Vec<f64> = (0..50_000)
            .map(|j| {
                if j % 97 == 0 {
                    0.0
                } else {
                    (27.6 * next() - 13.8).exp()
                }
            })
            .collect();
        let weights: Vec<f64> = (0..50_000).map(|_| next()).collect();
        let pops = [
            Population::power_law(1.5, 1.0, 100_000).unwrap(),
            Population::power_law(0.1, 0.0, 20_000).unwrap(),
            Population::new(random, weights, vec![1.0; 50_000]).unwrap(),
        ];
        for pop in &pops {
            let (s, w) = (pop.eigenvalues(), pop.weights());
            let cache = pop.cache();
            let Some((nodes, nw)) = &cache.compressed else {
                panic!("not compressed");
            };
            assert!(4 * nodes.len() <= 2 * s.len(), "{} nodes", nodes.len());
            let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
            let mut w_plus = 0.0;
            for (&sj, &wj) in s.iter().zip(w) {
                if sj > 0.0 && wj > 0.0 {
                    lo = lo.min(sj);
                    hi = hi.max(sj);
                    w_plus += wj;
                }
            }
            assert_eq!((cache.s_min, cache.s_max), (lo, hi));
            assert!((cache.w_plus - w_plus).abs() < 1e-11);
            let mean: f64 = s.iter().zip(w).map(|(s, w)| s * w).sum();
            assert!((cache.mean - mean).abs() < 1e-11 * mean);
            // Moments about each node's own scale: sum_j w_j (s_j / m)^k, m the mean.
            for k in 0..4 {
                let exact: f64 = s
                    .iter()
                    .zip(w)
                    .filter(|(s, _)| **s > 0.0)
                    .map(|(s, w)| w * (s / mean).powi(k))
                    .sum();
                let quad: f64 = nodes
                    .iter()
                    .zip(nw)
                    .map(|(s, w)| w * (s / mean).powi(k))
                    .sum();
                assert!((quad - exact).abs() < 1e-11 * exact, "moment {k}");
            }
            for kappa in [0.0, 1e-9, 1e-4, 0.03, 1.0, 1e3] {
                let f = |s: &[f64], w: &[f64]| -> f64 {
                    s.iter()
                        .zip(w)
                        .filter(|(s, _)| **s > 0.0)
                        .map(|(s, w)| w / (s + kappa))
                        .sum()
                };
                let (exact, quad) = (f(s, w), f(nodes, nw));
                assert!(
                    (quad - exact).abs() < 1e-7 * exact,
                    "{kappa}: {quad} {exact}"
                );
            }
        }
        assert!(Population::isotropic().cache().compressed.is_none());
        // A spectrum wider than f64's range of ratios (1e-300 to 1e300) builds its rule.
        let wide: Vec<f64> = (0..4000)
            .map(|j| 10f64.powf(-300.0 + 0.15 * j as f64))
            .collect();
        let rule = super::certified_rule::build(&wide, &[1.0; 4000]).unwrap();
        assert!(rule.nodes.iter().all(|x| *x > 0.0 && x.is_finite()));
        let mass: f64 = rule.weights.iter().sum();
        assert!((mass - 4000.0).abs() < 1e-9, "{mass}");
        let few = Population::power_law(1.0, 0.0, 40).unwrap();
        assert!(few.cache().compressed.is_none());
    }

    fn xorshift(seed: u64) -> impl FnMut() -> f64 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// 30 000 atoms log-uniform on [1e-6, 1e6] (condition 1e12) with every 97th atom zero,
    /// and random weights: the hard population of the rule tests.
    fn log_uniform_with_zeros(next: &mut impl FnMut() -> f64) -> (Vec<f64>, Vec<f64>) {
        let atoms = (0..30_000)
            .map(|j| {
                if j % 97 == 0 {
                    0.0
                } else {
                    (27.6 * next() - 13.8).exp()
                }
            })
            .collect();
        let weights = (0..30_000).map(|_| next()).collect();
        (atoms, weights)
    }

    /// Compensated (two-sum) direct sum of w_j f(s_j) over the positive atoms.
    fn direct(s: &[f64], w: &[f64], f: impl Fn(f64) -> f64) -> f64 {
        let (mut hi, mut lo) = (0.0f64, 0.0f64);
        for (&sj, &wj) in s.iter().zip(w) {
            if sj > 0.0 && wj > 0.0 {
                let x = wj * f(sj);
                let t = hi + x;
                let bp = t - hi;
                lo += (hi - (t - bp)) + (x - bp);
                hi = t;
            }
        }
        hi + lo
    }

    /// One bin: the certified rule is the 5-point Gauss rule (moments 0..9 exact to 1e-13 in
    /// the bin's coordinates; moment 10 is not), and its sums obey the proven bound.
    #[test]
    fn certified_rule_is_gauss_on_a_bin() {
        use super::certified_rule::{NODES, build};
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let s: Vec<f64> = (0..300).map(|_| 1.0 + 0.04 * next()).collect();
        let w: Vec<f64> = (0..300).map(|_| next()).collect();
        let rule = build(&s, &w).unwrap();
        assert_eq!(rule.nodes.len(), NODES);
        assert_eq!(rule.compressed_bins, 1);
        for &x in &rule.nodes {
            assert!((1.0..=1.04).contains(&x));
        }
        let moment =
            |s: &[f64], w: &[f64], k: i32| -> f64 { direct(s, w, |x| ((x - 1.0) / 0.04).powi(k)) };
        for k in 0..2 * NODES as i32 {
            let (exact, quad) = (moment(&s, &w, k), moment(&rule.nodes, &rule.weights, k));
            assert!(
                (quad - exact).abs() <= 1e-13 * exact,
                "moment {k}: {quad} {exact}"
            );
        }
        let k = 2 * NODES as i32;
        let (exact, quad) = (moment(&s, &w, k), moment(&rule.nodes, &rule.weights, k));
        assert!(
            (quad - exact).abs() > 1e-6 * exact,
            "moment {k} is not exact"
        );
    }

    /// The certified rule: compressed sums of s^p/(s+kappa)^q equal compensated direct sums
    /// within the proven bound (plus the rounding of evaluating both sums) over kappa from 0 to
    /// 1e12 times the largest atom, on power laws (condition to 1e12), a log-uniform spectrum
    /// with zero atoms, and clusters of equal atoms; at least 4x compression where atoms are
    /// dense.
    #[test]
    fn certified_rule_sums_within_the_proven_bound() {
        use super::certified_rule::{INTEGRANDS, build};
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (log_uniform, random_w) = log_uniform_with_zeros(&mut next);
        let clusters: Vec<f64> = (0..20_000)
            .map(|j| [1e-3, 0.5, 2.0][j % 3] * (1.0 + 1e-6 * (j % 7) as f64))
            .collect();
        let sig = Population::power_law(1.5, 1.0, 10_000).unwrap();
        let cases: Vec<(&str, Vec<f64>, Vec<f64>, usize)> = vec![
            (
                "power 1.5, 1e4",
                sig.eigenvalues().to_vec(),
                sig.weights().to_vec(),
                4,
            ),
            (
                "power 1.5, signal",
                sig.eigenvalues().to_vec(),
                sig.signal().to_vec(),
                4,
            ),
            (
                "power 1.2, 1e5 (condition 1e6)",
                Population::power_law(1.2, 0.0, 100_000)
                    .unwrap()
                    .eigenvalues()
                    .to_vec(),
                vec![1.0; 100_000],
                4,
            ),
            (
                "power 2.4, 1e5 (condition 1e12)",
                Population::power_law(2.4, 0.0, 100_000)
                    .unwrap()
                    .eigenvalues()
                    .to_vec(),
                vec![1.0; 100_000],
                4,
            ),
            ("log-uniform with zeros", log_uniform, random_w, 4),
            ("clusters", clusters, vec![1.0; 20_000], 1),
        ];
        for (name, s, w, factor) in &cases {
            let rule = build(s, w).unwrap();
            let positive = s
                .iter()
                .zip(w)
                .filter(|(s, w)| **s > 0.0 && **w > 0.0)
                .count();
            assert!(
                factor * rule.nodes.len() <= positive,
                "{name}: {} nodes for {positive} atoms",
                rule.nodes.len()
            );
            assert!(rule.bound < 1e-15, "{name}: bound {:e}", rule.bound);
            let s_max = s.iter().copied().fold(0.0, f64::max);
            let mut worst = 0.0f64;
            for kappa_rel in [
                0.0, 1e-300, 1e-12, 1e-7, 1e-4, 1e-2, 0.3, 1.0, 7.0, 1e3, 1e12,
            ] {
                let kappa = kappa_rel * s_max;
                for (p, q) in INTEGRANDS {
                    let f = |x: f64| x.powi(p as i32) / (x + kappa).powi(q as i32);
                    let (exact, quad) = (direct(s, w, f), direct(&rule.nodes, &rule.weights, f));
                    let err = (quad - exact).abs() / exact;
                    worst = worst.max(err);
                    // Evaluating f rounds each term by at most (p + q + 3) eps on both sides.
                    let allowed = rule.bound + 2.0 * f64::from(p + q + 3) * f64::EPSILON;
                    assert!(
                        err <= allowed,
                        "{name}: kappa {kappa:e} (p, q) = ({p}, {q}): {err:e} > {allowed:e}"
                    );
                }
            }
            eprintln!(
                "{name}: {} atoms -> {} nodes ({} Gauss bins), bound {:.2e}, worst observed {:.2e}",
                positive,
                rule.nodes.len(),
                rule.compressed_bins,
                rule.bound,
                worst
            );
        }
    }

    /// The solver's start quadrature on the certified path (octave Gauss rules of the dimension
    /// rule): Stieltjes sums of 1/(s+kappa) and s/(s+kappa) within 1e-10 relative of the atoms'
    /// over kappa from 0 to 1e3 times the largest atom, with at most a quarter of the rule's
    /// nodes; the rule's parts (split) are the dimension and the signal rule.
    #[test]
    fn start_rule_is_accurate_and_small() {
        let mut next = xorshift(0x5851_f42d_4c95_7f2d);
        let (log_uniform, random_w) = log_uniform_with_zeros(&mut next);
        let pops = [
            Population::power_law(1.5, 1.0, 10_000).unwrap(),
            Population::power_law(2.4, 0.0, 100_000).unwrap(),
            Population::power_law(0.3, 2.0, 5_000).unwrap(),
            Population::new(log_uniform, random_w.clone(), random_w).unwrap(),
        ];
        for pop in &pops {
            let rule = pop.certified_rule().expect("a certified rule");
            let (s, w) = (pop.eigenvalues(), pop.weights());
            assert!(rule.w[rule.split..].iter().all(|x| *x == 0.0));
            assert!(rule.c[..rule.split].iter().all(|x| *x == 0.0));
            let (xs, xw) = &rule.start;
            assert!(
                4 * xs.len() <= rule.split,
                "{} start nodes, {} rule nodes",
                xs.len(),
                rule.split
            );
            let s_max = s.iter().copied().fold(0.0, f64::max);
            for kappa_rel in [0.0, 1e-300, 1e-12, 1e-7, 1e-4, 1e-2, 0.3, 1.0, 7.0, 1e3] {
                let kappa = kappa_rel * s_max;
                for p in [0, 1] {
                    let f = |x: f64| x.powi(p) / (x + kappa);
                    let (exact, quad) = (direct(s, w, f), direct(xs, xw, f));
                    assert!(
                        (quad - exact).abs() <= 1e-10 * exact,
                        "kappa {kappa:e} p {p}: {quad:e} vs {exact:e}"
                    );
                }
            }
        }
    }

    /// The certified rule is built on request only: not when the population is built, never
    /// by the solver's points (whatever their number: the path a point takes must not depend
    /// on the points before it), at once by `build_certified_rule`; never for small
    /// populations; clones keep it, equality ignores it; `Population` stays Send + Sync.
    #[test]
    fn certified_rule_is_built_on_request_only() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Population>();
        let pop = Population::power_law(1.5, 1.0, 10_000).unwrap();
        let fresh = pop.clone();
        assert!(!pop.certified_rule_is_built());
        for _ in 0..2 * CERTIFIED_RULE_MIN_POINTS {
            assert!(pop.certified_rule_for_point().is_none());
        }
        assert!(!pop.certified_rule_is_built());
        assert!(pop.build_certified_rule());
        assert!(pop.certified_rule_is_built());
        let rule = pop
            .certified_rule_for_point()
            .expect("built on request")
            .clone();
        assert_eq!(pop, fresh); // equality ignores the rule
        let copy = pop.clone();
        assert!(copy.certified_rule_is_built());
        assert_eq!(copy.certified_rule(), Some(&rule));
        // Built on another copy, the same rule (a function of the atoms).
        assert!(!fresh.certified_rule_is_built());
        assert!(fresh.build_certified_rule());
        assert_eq!(fresh.certified_rule(), Some(&rule));
        // Small populations have none.
        let small = Population::power_law(1.5, 1.0, 1000).unwrap();
        assert!(!small.build_certified_rule());
        assert!(!small.certified_rule_is_built());
        assert!(small.certified_rule_for_point().is_none());
        assert!(!Population::isotropic().build_certified_rule());
    }

    #[test]
    fn power_law_shares() {
        let p = Population::power_law(1.5, 2.0, 4).unwrap();
        assert!((p.eigenvalues()[3] - 4f64.powf(-1.5)).abs() < 1e-16);
        let total: f64 = (1..=4).map(|k| (k as f64).powi(-2)).sum();
        assert!((p.signal()[1] - 0.25 / total).abs() < 1e-16);
        assert!(Population::power_law(-1.0, 0.0, 4).is_err());
        assert!(Population::power_law(1.0, 0.0, 0).is_err());
    }
}

/// Certified compressed Gauss rules of a discrete measure (issue 15 §4; the anisotropic ridge
/// solver's pass runs on them, see [`CertifiedNodes`]).
///
/// The positive atoms are binned geometrically (bins $[a, b]$ with $b \le a\,\rho$,
/// $\rho = 1.05$); a bin with more than $n = 5$ distinct atoms is replaced by its $n$-point
/// Gauss rule (Stieltjes procedure on the bin's atoms in the exact coordinates
/// $t = (s - a)/2^k$, then the Jacobi matrix's eigen-decomposition, Golub & Welsch, *Math.
/// Comp.* 23, 1969), the others are kept as they are (exact). For the integrands
/// $f(s) = s^p/(s+\kappa)^q$ ($(p, q) \in \{(0,1), (1,1), (1,2), (1,3), (2,2)\}$, all
/// $\kappa \ge 0$) the error of a compressed bin is bounded **a posteriori** through the Hermite
/// interpolant $H$ of $f$ at the computed nodes $\tilde x_i$ (each twice):
/// $$ \sum_j w_jf(s_j) - \sum_i\tilde w_if(\tilde x_i)
///    = \sum_j w_j f[z_0,\dots,z_{2n-1},s_j]\prod_i(s_j - \tilde x_i)^2 +
///    \sum_{m<2n} f[z_0,\dots,z_m]\,\Delta_m, $$
/// $\Delta_m = \sum_jw_j\omega_m(s_j) - \sum_i\tilde w_i\omega_m(\tilde x_i)$ the discrepancy
/// of the Newton basis $\omega_m = \prod_{l<m}(s - z_l)$ (zero for the exact Gauss rule, a
/// rounding for the computed one), and by Leibniz
/// $|f^{(m)}(s)|/m! \le f(s)\,a^{-m}L_m$, $L_m = \sum_{l\le\min(m,p)}\binom pl\binom{q+m-l-1}{m-l}$,
/// uniformly in $\kappa \ge 0$. Relative to the bin's sum ($\ge \mu_0\min f$,
/// $\max f/\min f \le (b/a)^{p+q}$) the error is at most
/// $(b/a)^{p+q}\big[\sum_{m<2n}L_m (r/a)^m|\Delta_m|/\mu_0 + L_{2n}(r/a)^{2n}I_2/\mu_0\big]$
/// with $I_2 = \sum_jw_j\prod_i(t_j - \tilde t_i)^2$, $r = 2^k$; $\Delta_m$ and $I_2$ are
/// computed at construction with a rounding allowance. The rule's bound is the maximum over
/// bins and integrands (a relative bound on every such sum, since the terms are positive).
#[allow(clippy::needless_range_loop)] // small dense matrices indexed by row and column
pub(crate) mod certified_rule {
    /// Gauss nodes per compressed bin.
    pub(crate) const NODES: usize = 5;
    /// The largest ratio $b/a$ of a bin.
    pub(crate) const RATIO: f64 = 1.05;
    /// The integrands $s^p/(s+\kappa)^q$ the bound covers.
    pub(crate) const INTEGRANDS: [(u32, u32); 5] = [(0, 1), (1, 1), (1, 2), (1, 3), (2, 2)];

    /// A compressed rule: nodes, weights, and the proven relative error bound.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Rule {
        /// Nodes (positive).
        pub(crate) nodes: Vec<f64>,
        /// Weights (positive).
        pub(crate) weights: Vec<f64>,
        /// $\sup$ over $\kappa \ge 0$ and [`INTEGRANDS`] of the relative error of the rule.
        pub(crate) bound: f64,
        /// Bins replaced by Gauss rules.
        pub(crate) compressed_bins: usize,
    }

    /// Neumaier-compensated sum.
    #[derive(Default, Clone, Copy)]
    struct Sum {
        s: f64,
        c: f64,
    }
    impl Sum {
        fn add(&mut self, x: f64) {
            let t = self.s + x;
            if self.s.abs() >= x.abs() {
                self.c += (self.s - t) + x;
            } else {
                self.c += (x - t) + self.s;
            }
            self.s = t;
        }
        fn value(self) -> f64 {
            self.s + self.c
        }
    }

    fn binomial(n: u32, k: u32) -> f64 {
        (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
    }

    /// $L_m$ of the Leibniz bound for $s^p/(s+\kappa)^q$.
    pub(crate) fn leibniz(p: u32, q: u32, m: u32) -> f64 {
        (0..=m.min(p))
            .map(|l| binomial(p, l) * binomial(q + m - l - 1, m - l))
            .sum()
    }

    /// Eigenvalues and first eigenvector components of a symmetric matrix (cyclic Jacobi).
    fn jacobi_eigen<const N: usize>(
        mut a: [[f64; N]; N],
        off_tol: f64,
    ) -> Option<([f64; N], [f64; N])> {
        let mut v = [[0.0; N]; N];
        for (i, row) in v.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for _ in 0..60 {
            let off: f64 = (0..N)
                .flat_map(|i| (0..N).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| a[i][j] * a[i][j])
                .sum();
            let diag: f64 = (0..N).map(|i| a[i][i] * a[i][i]).sum();
            // Off-diagonal mass below `off_tol` times the diagonal's (the certified rule:
            // (1e-3 eps)^2): the eigenvalues move by less than that over the gaps (the
            // certificate below measures the rule actually produced, whatever its accuracy).
            if off <= off_tol * diag {
                break;
            }
            for p in 0..N {
                for q in p + 1..N {
                    if a[p][q] == 0.0 {
                        continue;
                    }
                    let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                    let t = theta.signum() / (theta.abs() + theta.hypot(1.0));
                    let t = if theta == 0.0 { 1.0 } else { t };
                    let c = 1.0 / t.hypot(1.0);
                    let s = t * c;
                    for k in 0..N {
                        let (akp, akq) = (a[k][p], a[k][q]);
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for k in 0..N {
                        let (apk, aqk) = (a[p][k], a[q][k]);
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for row in v.iter_mut() {
                        let (vp, vq) = (row[p], row[q]);
                        row[p] = c * vp - s * vq;
                        row[q] = s * vp + c * vq;
                    }
                    // The rotation annihilates the pair (up to rounding).
                    a[p][q] = 0.0;
                    a[q][p] = 0.0;
                }
            }
        }
        let mut values = [0.0; N];
        let mut first = [0.0; N];
        for i in 0..N {
            values[i] = a[i][i];
            first[i] = v[0][i];
        }
        values
            .iter()
            .chain(&first)
            .all(|x| x.is_finite())
            .then_some((values, first))
    }

    /// The `N`-point Gauss rule of the discrete measure $\sum_j w_j\delta_{t_j}$ (coordinates
    /// $t_j \in [0, 1]$): the Stieltjes procedure (monic orthogonal polynomials on the atoms,
    /// compensated inner products), then the Jacobi matrix's eigenvalues (the nodes) and the
    /// squared first components of its eigenvectors (the weights over $\mu_0$).
    fn gauss_in_t<const N: usize>(
        t: &[f64],
        w: &[f64],
        off_tol: f64,
    ) -> Option<([f64; N], [f64; N])> {
        // Stieltjes procedure: monic orthogonal polynomials on the bin's atoms.
        let (mut alpha, mut beta) = ([0.0; N], [0.0; N]);
        let (mut prev, mut cur) = (vec![0.0; t.len()], vec![1.0; t.len()]);
        let mut norm_prev = 1.0;
        for k in 0..N {
            let (mut nk, mut tk) = (Sum::default(), Sum::default());
            for ((&tj, &wj), &pj) in t.iter().zip(w).zip(&cur) {
                nk.add(wj * pj * pj);
                tk.add(wj * tj * pj * pj);
            }
            let (nk, tk) = (nk.value(), tk.value());
            if !(nk > 0.0 && nk.is_finite()) {
                return None;
            }
            alpha[k] = tk / nk;
            beta[k] = if k == 0 { 0.0 } else { nk / norm_prev };
            norm_prev = nk;
            let next: Vec<f64> = t
                .iter()
                .zip(&cur)
                .zip(&prev)
                .map(|((&tj, &cj), &pj)| (tj - alpha[k]) * cj - beta[k] * pj)
                .collect();
            prev = std::mem::replace(&mut cur, next);
        }
        let mut jm = [[0.0; N]; N];
        for k in 0..N {
            jm[k][k] = alpha[k];
            if k > 0 {
                let off = beta[k].sqrt();
                jm[k][k - 1] = off;
                jm[k - 1][k] = off;
            }
        }
        jacobi_eigen(jm, off_tol)
    }

    /// Gauss nodes per octave of the solver's start quadrature ([`start_rule`]).
    pub(crate) const START_NODES: usize = 10;

    /// The start quadrature of the anisotropic ridge solver on the certified path: the positive
    /// nodes binned by octave ($[x_{\min}2^k, x_{\min}2^{k+1})$), each bin with more than
    /// [`START_NODES`] nodes replaced by its [`START_NODES`]-point Gauss rule (others kept).
    /// For $f(s) = 1/(s+\kappa)$, $\kappa \ge 0$, the Gauss error of a bin $[a, b]$ is
    /// $f^{(2n)}(\xi)/(2n)!\int p_n^2 \le \frac{b}{a}\,4\big(\frac{b-a}{4a}\big)^{2n}$ relative
    /// (the monic Chebyshev polynomial, of maximum $2((b-a)/4)^n$, bounds $\int p_n^2$),
    /// $8\cdot16^{-n} \approx 7\cdot10^{-12}$ for an octave and $n = 10$; the same order for
    /// $s/(s+\kappa)$. A start only: the certified passes verify the answer.
    pub(crate) fn start_rule(x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let x_min = x.iter().copied().fold(f64::INFINITY, f64::min);
        if !(x_min > 0.0 && x_min.is_finite()) {
            return (x.to_vec(), w.to_vec());
        }
        let log_min = x_min.ln();
        let index = |v: f64| {
            ((v.ln() - log_min) / std::f64::consts::LN_2)
                .floor()
                .max(0.0) as usize
        };
        let bins = x.iter().map(|&v| index(v)).max().unwrap_or(0) + 1;
        let mut members: Vec<Vec<(f64, f64)>> = vec![Vec::new(); bins];
        for (&v, &wv) in x.iter().zip(w) {
            members[index(v)].push((v, wv));
        }
        let (mut nodes, mut weights) = (Vec::new(), Vec::new());
        for bin in members {
            let (a, b) = bin
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), &(v, _)| {
                    (lo.min(v), hi.max(v))
                });
            let gauss = if bin.len() > START_NODES && a < b && b < 1e300 {
                let r = 2f64.powi((b - a).log2().ceil() as i32);
                let (t, bw): (Vec<f64>, Vec<f64>) =
                    bin.iter().map(|&(v, wv)| ((v - a) / r, wv)).unzip();
                let mu0: f64 = bw.iter().sum();
                (r.is_normal() && r >= b - a)
                    .then(|| gauss_in_t::<START_NODES>(&t, &bw, f64::EPSILON * f64::EPSILON))
                    .flatten()
                    .map(|(tn, first)| {
                        let pairs: Vec<(f64, f64)> = tn
                            .iter()
                            .zip(&first)
                            .map(|(&ti, &fi)| ((a + r * ti).clamp(a, b), mu0 * fi * fi))
                            .collect();
                        pairs
                    })
                    .filter(|p| {
                        p.iter()
                            .all(|(v, wv)| *v > 0.0 && *wv > 0.0 && wv.is_finite())
                    })
            } else {
                None
            };
            for (v, wv) in gauss.unwrap_or(bin) {
                nodes.push(v);
                weights.push(wv);
            }
        }
        (nodes, weights)
    }

    /// The Gauss rule of one bin (atoms in $[a, b]$, $b \le 2a$) and its relative bound, or
    /// `None` (keep the atoms).
    fn gauss_bin(s: &[f64], w: &[f64], a: f64, b: f64) -> Option<(Vec<f64>, Vec<f64>, f64)> {
        let eps = f64::EPSILON;
        // r = 2^k >= b - a: t = (s - a)/r is exact (Sterbenz, then a power of two).
        let r = 2f64.powi((b - a).log2().ceil() as i32);
        if !(r.is_normal() && r >= b - a && a.is_normal() && b <= 2.0 * a && b < 1e300) {
            return None;
        }
        let t: Vec<f64> = s.iter().map(|&x| (x - a) / r).collect();
        let mut mu0 = Sum::default();
        w.iter().for_each(|&x| mu0.add(x));
        let mu0 = mu0.value();
        let (tn, first) = gauss_in_t::<NODES>(&t, w, 1e-6 * eps * eps)?;
        let mut nodes = Vec::with_capacity(NODES);
        let mut weights = Vec::with_capacity(NODES);
        let mut tt = Vec::with_capacity(NODES);
        for i in 0..NODES {
            let x = (a + r * tn[i]).clamp(a, b);
            let wt = mu0 * first[i] * first[i];
            if !(wt > 0.0 && wt.is_finite()) {
                return None;
            }
            nodes.push(x);
            weights.push(wt);
            tt.push((x - a) / r); // exact
        }
        // Put the rounding of the weights' sum into the largest weight (twice), so that
        // Delta_0 is a fraction of an ulp of mu_0.
        for _ in 0..2 {
            let mut total = Sum::default();
            total.add(mu0);
            weights.iter().for_each(|&x| total.add(-x));
            let (imax, _) =
                weights.iter().enumerate().fold(
                    (0, 0.0),
                    |(ib, b), (i, &x)| if x > b { (i, x) } else { (ib, b) },
                );
            weights[imax] += total.value();
        }
        // The certificate: Delta_m in the Newton basis with the nodes doubled, and I_2.
        let z: Vec<f64> = tt.iter().flat_map(|&x| [x, x]).collect();
        // omega_m(x) = prod_{l<m} (x - z_l) for all m at once, by the running product (the
        // same products in the same order as the fold over z[..m]); each m's sum adds the
        // atoms' terms in order, then the nodes'.
        let (mut d, mut abs) = ([Sum::default(); 2 * NODES], [0.0f64; 2 * NODES]);
        for (&tj, &wj) in t.iter().zip(w) {
            let mut omega = 1.0;
            for m in 0..2 * NODES {
                let v = wj * omega;
                d[m].add(v);
                abs[m] += v.abs();
                omega *= tj - z[m];
            }
        }
        for (&ti, &wi) in tt.iter().zip(&weights) {
            let mut omega = 1.0;
            for m in 0..2 * NODES {
                let v = wi * omega;
                d[m].add(-v);
                abs[m] += v.abs();
                omega *= ti - z[m];
            }
        }
        let mut delta = [0.0f64; 2 * NODES];
        for (m, dm) in delta.iter_mut().enumerate() {
            // Each term has relative error <= 2m eps (m exact-input subtractions, m - 1
            // products, one weight product; none for m = 0); the compensated sum adds
            // 2 eps |sum| + P eps^2 sum|terms|.
            let terms = (t.len() + NODES) as f64;
            *dm = d[m].value().abs() * (1.0 + 4.0 * eps)
                + abs[m] * eps * (2.0 * m as f64 * (1.0 + 1e-10) + 2.0 * terms * eps);
        }
        let mut i2 = 0.0;
        for (&tj, &wj) in t.iter().zip(w) {
            i2 += wj * tt.iter().fold(1.0, |acc, &ti| acc * (tj - ti) * (tj - ti));
        }
        let i2 = i2 * (1.0 + (4.0 * NODES as f64 + 4.0 + t.len() as f64) * eps);
        let mu_lo = mu0 * (1.0 - 4.0 * eps);
        let ra = (r / a) * (1.0 + 2.0 * eps);
        let ratio = (b / a) * (1.0 + 2.0 * eps);
        let mut bound = 0.0f64;
        for (p, q) in INTEGRANDS {
            let mut e = leibniz(p, q, 2 * NODES as u32) * ra.powi(2 * NODES as i32) * i2;
            for (m, dm) in delta.iter().enumerate() {
                e += leibniz(p, q, m as u32) * ra.powi(m as i32) * dm;
            }
            bound = bound.max(ratio.powi((p + q) as i32) * e / mu_lo * (1.0 + 1e-12));
        }
        bound.is_finite().then_some((nodes, weights, bound))
    }

    /// The certified rule of the positive part of $\sum_j w_j\delta_{s_j}$, or `None` when it
    /// has no positive atom with positive weight.
    pub(crate) fn build(s: &[f64], w: &[f64]) -> Option<Rule> {
        let positive: Vec<(f64, f64)> = s
            .iter()
            .zip(w)
            .filter(|(s, w)| **s > 0.0 && **w > 0.0)
            .map(|(s, w)| (*s, *w))
            .collect();
        let s_min = positive.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        if !s_min.is_finite() {
            return None;
        }
        let (step, log_min) = (RATIO.ln(), s_min.ln());
        // ln x - ln s_min, not ln(x / s_min), which overflows for spectra wider than f64.
        let index = |x: f64| ((x.ln() - log_min) / step).floor().max(0.0) as usize;
        let of_atom: Vec<usize> = positive.iter().map(|p| index(p.0)).collect();
        let bins = of_atom.iter().copied().max().unwrap_or(0) + 1;
        let mut start = vec![0usize; bins + 1];
        for &k in &of_atom {
            start[k + 1] += 1;
        }
        for k in 0..bins {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut sorted = vec![(0.0, 0.0); positive.len()];
        for (p, &k) in positive.iter().zip(&of_atom) {
            sorted[fill[k]] = *p;
            fill[k] += 1;
        }
        let mut rule = Rule {
            nodes: Vec::new(),
            weights: Vec::new(),
            bound: 0.0,
            compressed_bins: 0,
        };
        for k in 0..bins {
            let bin = &sorted[start[k]..start[k + 1]];
            let (bs, bw): (Vec<f64>, Vec<f64>) = bin.iter().copied().unzip();
            let (a, b) = bs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
            let gauss = if bin.len() > NODES && a < b {
                gauss_bin(&bs, &bw, a, b)
            } else {
                None
            };
            match gauss {
                Some((nodes, weights, bound)) if bound < 1e-15 => {
                    rule.nodes.extend(nodes);
                    rule.weights.extend(weights);
                    rule.bound = rule.bound.max(bound);
                    rule.compressed_bins += 1;
                }
                _ => {
                    rule.nodes.extend(bs);
                    rule.weights.extend(bw);
                }
            }
        }
        Some(rule)
    }
}
