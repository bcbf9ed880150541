//! Ridge regression with any population covariance and any target alignment: the deterministic
//! equivalent (Dobriban & Wager, *Ann. Statist.* 46(1), 2018, arXiv:1507.03003; Hastie,
//! Montanari, Rosset & Tibshirani, *Ann. Statist.* 50(2), 2022, arXiv:1903.08560, §5; Bach,
//! *SIAM J. Math. Data Sci.* 2024, arXiv:2303.01372; Atanasov, Zavatone-Veth & Pehlevan 2024,
//! arXiv:2405.00592).
//!
//! **Model.** $x \sim N(0, \Sigma)$, $y = x^\top\beta + \sigma\varepsilon$, $n$ samples,
//! $p/n \to \gamma$, $\hat\beta = \arg\min_b \tfrac1n\|y - Xb\|^2 + \lambda\|b\|^2$; excess risk
//! $R = (\hat\beta - \beta)^\top\Sigma(\hat\beta - \beta)$. The population
//! ([`Population`]) gives the eigenvalues $s_j \ge 0$ of $\Sigma$, their dimension shares $w_j$
//! and the signal shares $c_j$ (the fraction of $\|\beta\|^2 = r^2 = \mathrm{snr}\,\sigma^2$ in
//! the eigenspace of $s_j$).
//!
//! **Effective regularisation** $\kappa \ge \lambda$, the unique positive root of
//! $$ \kappa - \lambda = \kappa\,\gamma \sum_j w_j \frac{s_j}{s_j + \kappa}
//!    \qquad(\kappa = 1/\underline m(-\lambda),\ \underline m \text{ the companion Stieltjes transform}). $$
//! With $\mathrm{df}_1/n = \gamma\sum_j w_j s_j/(s_j+\kappa) = 1 - \lambda/\kappa$ and
//! $\mathrm{df}_2/n = \gamma\sum_j w_j s_j^2/(s_j+\kappa)^2$:
//! $$ B = \frac{r^2\kappa^2\sum_j c_j s_j/(s_j+\kappa)^2}{1 - \mathrm{df}_2/n},\qquad
//!    V = \sigma^2\frac{\mathrm{df}_2/n}{1 - \mathrm{df}_2/n},\qquad
//!    E_{\rm train} = \Big(\frac{\lambda}{\kappa}\Big)^2 (B + V + \sigma^2). $$
//! The denominator is evaluated as the sum of positive terms
//! $1 - \mathrm{df}_2/n = \lambda/\kappa + \gamma\kappa\sum_j w_j s_j/(s_j+\kappa)^2$ (equal at
//! the root), with no cancellation; it is also $d\kappa/d\lambda = 1/(1 - \mathrm{df}_2/n)$, so
//! $V = \sigma^2(\kappa'(\lambda) - 1)$ (checked numerically in the tests).
//!
//! **Ridgeless limit.** With $w_+ = \sum_{s_j > 0} w_j$ (directions of zero variance never enter
//! the fit): for $\gamma w_+ < 1$ and $\lambda = 0$, $\kappa = 0$, $B = 0$,
//! $V = \sigma^2\gamma w_+/(1 - \gamma w_+)$, $E_{\rm train} = (1 - \gamma w_+)^2(V + \sigma^2)$;
//! for $\gamma w_+ > 1$, $\kappa_0 > 0$ solves $\gamma\sum_j w_j s_j/(s_j+\kappa_0) = 1$
//! and $E_{\rm train} = 0$ (interpolation); $\gamma w_+ = 1$ with $\lambda = 0$ is rejected (the
//! risk is infinite). For $\lambda > 0$ everything is continuous across $\gamma w_+ = 1$.
//!
//! **Solver.** The function
//! $g(u) = 1 - \lambda e^{-u} - \gamma\sum_j w_j s_j/(s_j + e^u)$ of $u = \ln\kappa$, evaluated as
//! $(1 - \gamma w_+) + \gamma\sum_{s_j>0} w_j\kappa/(s_j+\kappa) - \lambda/\kappa$ (no
//! cancellation of order 1 near $\gamma w_+ = 1$; for $\gamma w_+ > 2$ the plain form, whose
//! terms are then the smaller), is strictly increasing with
//! $g'(u) = \lambda/\kappa + \gamma\kappa\sum_j w_j s_j/(s_j+\kappa)^2 > 0$, and
//! $\lambda \le \kappa \le \lambda + \gamma\sum_j w_j s_j$ ($\lambda > 0$; the upper end tightened
//! to the one-atom Jensen bound), resp.
//! $s_{\min}(\gamma w_+ - 1) \le \kappa_0 \le s_{\max}(\gamma w_+ - 1)$ ($\lambda = 0$, extreme
//! positive atoms), bracket the root. $w_+$, $\sum_j w_js_j$, the extreme atoms and a
//! **compressed quadrature** of the population (2-point Gauss rules on bins of ratio
//! $1 + 2^{-5}$: a few hundred nodes, Stieltjes sums to about $10^{-8}$ relative) are computed
//! once when the [`Population`] is built, so `check` reads no atom.
//!
//! 1. *Start*: safeguarded Halley in $u$ on the compressed quadrature (from the upper end of the
//!    bracket; bisection when a step leaves it): $\bar\kappa$, about $10^{-9}$ relative off (the start only).
//! 2. *One pass over the atoms* at $\bar\kappa$ gives, with $q_j = s_j/(s_j+\bar\kappa)$,
//!    $k_j = \bar\kappa/(s_j+\bar\kappa)$, the sums $Q = \sum_{s_j>0}w_jk_j$, $D_n = \sum_j w_jq_jk_j^n$
//!    ($n = 1, 2$), $E_0 = \sum_j w_jq_j^2$, $F_n = \sum_j c_js_jk_j^{n+2}$ ($n = 0, 1$), and
//!    $D_0 = E_0 + D_1$, $E_1 = D_1 - D_2$ ($q_j + k_j = 1$). Since $\lambda/\kappa$ and
//!    $q_j$ are geometric series in $x = \kappa/\bar\kappa - 1$,
//!    $g = g_0 + a_1x - a_2x^2 + \dots$ with $a_n = \lambda/\bar\kappa + \gamma D_n$, and the risk
//!    sums are $\sum_n (n+1)(-x)^n E_n$, $(1+x)\sum_n (n+1)(-x)^n D_{n+1}$,
//!    $(1+x)^2\sum_n (n+1)(-x)^nF_n$. $\kappa_1 = \bar\kappa(1 + x)$ with $x$ the root of the
//!    quadratic (third-order convergence).
//! 3. *Certificate*: every coefficient sequence decreases in $n$ ($k_j \le 1$), so the tails
//!    after the last computed term are bounded by it times $\sum_{n>N} (n+1)|x|^n$ (complete
//!    monotonicity in $\kappa$). $\kappa_1$ and the risk sums at $\kappa_1$ are returned when
//!    the bound on $|g(\ln\kappa_1)|$ divided by $g'$ is below $4\varepsilon\max(1, |u|)$ and
//!    every tail (with the rounding of $E_1$) is below $\varepsilon/2$ relative; otherwise the
//!    next pass starts at $\kappa_1$ (Newton's point in $u$ or bisection if $|x| \ge 1/2$ or it
//!    leaves the bracket, which every pass narrows by the sign of $g_0$). The certified bound is
//!    the reported residual; like any evaluation of $g$ it excludes the rounding of the sums.
//!
//! 4. *Certified compressed rule* (populations of 1024 atoms or more): steps 2–3 run first on
//!    a compressed rule of the population (5-point Gauss rules on bins of ratio $\le 1.05$,
//!    about 800 nodes per measure for $10^4$ power-law atoms) whose relative error $\delta$ on
//!    every sum of the pass is proven for all $\kappa \ge 0$
//!    (`spectral::population::certified_rule`, about $5\cdot10^{-16}$); the certificate then adds
//!    $\gamma\delta X(1+|x|)/(1-|x|)$ to the residual ($X$ the sum in $g$), takes $g'$ a factor
//!    $1-\delta$ smaller, and the risk sums are within $\varepsilon/2 + \delta$ relative. If
//!    two passes on the rule do not certify, the passes run on the atoms. The rule is built
//!    on request, by [`Population::build_certified_rule`] (building it costs about 230 passes
//!    over the atoms; the CLI and the Python package call it from
//!    [`crate::spectral::population::CERTIFIED_RULE_MIN_POINTS`] points on); until then every
//!    point passes over the atoms. The solver never builds it itself, so a point's result
//!    does not depend on the points evaluated before it (nor on threads or order). On this path the start (step 1) runs on the rule's 10-point Gauss rules per
//!    octave (about 150 nodes), and the pass sums the dimension nodes ($Q, D_1, D_2, E_0$) and
//!    the signal nodes ($F_0, F_1$) separately.
//!
//! One pass over the atoms at every point of the robustness grid and of the large-population
//! tests (`tests/theory_ridge_anisotropic.rs`). Sums over the atoms are blocked (8 lanes inside
//! chunks of 1024, chunks added with Neumaier compensation), so $10^6$ atoms keep about
//! $10^{-15}$ relative accuracy; they run on the CPU's widest vector unit and, from $2^{16}$
//! atoms, on all threads of the rayon pool, with results independent of both
//! (`spectral::atom_sums`).

use std::sync::Arc;

use crate::error::{Error, Result, validate};
use crate::spectral::Population;
use crate::spectral::atom_sums;
use crate::spectral::population::CertifiedNodes;

/// Parameters of ridge regression with a population covariance and target alignment
/// (unchecked). See the [module documentation](self).
///
/// The population is shared (`Arc`), so cloning the parameters for a sweep does not copy the
/// atoms.
///
/// ```
/// use overparam::spectral::Population;
/// use overparam::theory::ridge::AnisotropicRidge;
/// // The isotropic population reproduces the isotropic ridge (min-norm at gamma = 2, snr = 4).
/// let risk = AnisotropicRidge::new(Population::isotropic(), 2.0, 0.0, 4.0).check()?.risk()?;
/// assert!((risk.bias - 2.0).abs() < 1e-14 && (risk.variance - 1.0).abs() < 1e-14);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicRidge {
    /// Eigenvalues $s_j$, dimension shares $w_j$ and signal shares $c_j$ of the population.
    pub population: Arc<Population>,
    /// $\gamma = p/n$, finite and $> 0$.
    pub gamma: f64,
    /// Ridge penalty $\lambda \ge 0$ (convention $\tfrac1n\|y - Xb\|^2 + \lambda\|b\|^2$).
    pub lambda: f64,
    /// Signal-to-noise ratio $\|\beta\|^2/\sigma^2 \ge 0$.
    pub snr: f64,
    /// Label-noise standard deviation $\sigma > 0$ (default 1).
    pub noise_sd: f64,
}

impl AnisotropicRidge {
    /// Parameters with $\sigma = 1$.
    pub fn new(population: impl Into<Arc<Population>>, gamma: f64, lambda: f64, snr: f64) -> Self {
        Self {
            population: population.into(),
            gamma,
            lambda,
            snr,
            noise_sd: 1.0,
        }
    }

    /// Validate: $\gamma > 0$, $\lambda \ge 0$, $\mathrm{snr} \ge 0$, $\sigma > 0$ with
    /// $\sigma^2$ and $r^2 = \mathrm{snr}\,\sigma^2$ finite, not ($\lambda = 0$ and
    /// $\gamma w_+ = 1$) where the ridgeless risk is infinite ($w_+$ the share of dimensions
    /// with positive variance), and $\gamma\sum_j w_j s_j$ finite (the bracket of $\kappa$).
    /// The population itself was validated when it was built ([`Population::new`]: finite,
    /// non-negative, not all zero).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<AnisotropicRidgeModel> {
        let gamma = validate::positive("gamma", self.gamma)?;
        let lambda = validate::non_negative("lambda", self.lambda)?;
        let snr = validate::non_negative("snr", self.snr)?;
        let name = "noise_sd";
        let sigma = validate::positive(name, self.noise_sd)?;
        if !(sigma * sigma).is_finite() {
            return Err(Error::InvalidParameter {
                name,
                value: sigma,
                expected: "a finite number > 0 whose square is finite (below about 1.3e154)",
            });
        }
        let r2 = snr * sigma * sigma;
        if !r2.is_finite() {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: snr,
                expected: "snr * noise_sd^2 finite",
            });
        }
        let pop = &self.population;
        // w+ and sum_j w_j s_j were computed when the population was built.
        let (w_plus, mean) = (pop.cache().w_plus, pop.cache().mean);
        if !(gamma * mean).is_finite() {
            return Err(Error::InvalidParameter {
                name: "gamma",
                value: gamma,
                expected: "gamma * (mean eigenvalue) finite",
            });
        }
        let effective = gamma * w_plus;
        if lambda == 0.0 && effective == 1.0 {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: 0.0,
                expected: "lambda > 0 when gamma * (share of positive eigenvalues) = 1 \
                           (the ridgeless risk is infinite at an effective p = n)",
            });
        }
        Ok(AnisotropicRidgeModel {
            population: Arc::clone(pop),
            gamma,
            lambda,
            snr,
            sigma,
            w_plus,
            mean,
        })
    }
}

/// A validated anisotropic ridge problem (see [`AnisotropicRidge`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AnisotropicRidgeModel {
    population: Arc<Population>,
    gamma: f64,
    lambda: f64,
    snr: f64,
    sigma: f64,
    w_plus: f64,
    mean: f64,
}

/// The effective regularisation and its certificate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KappaSolution {
    /// $\kappa$ ($0$ exactly in the ridgeless underparameterised case $\lambda = 0$,
    /// $\gamma w_+ < 1$).
    pub kappa: f64,
    /// $|g(\ln\kappa)|$, the residual of the $\kappa$ equation divided by $\kappa$
    /// (dimensionless; $0$ when $\kappa = 0$ is exact): when the one-pass certificate holds,
    /// its bound (Taylor polynomial residual plus the certified tail; see the
    /// [module documentation](self)).
    pub residual: f64,
    /// Width of the final bracket in $u = \ln\kappa$ (relative width in $\kappa$); with the
    /// certificate, $2\,$`residual`$/g'(u)$.
    pub bracket_width: f64,
    /// Passes of the certified step: over the certified compressed rule when it certifies
    /// there, else over all atoms (1 when the start from the compressed quadrature certifies;
    /// the start's own iterations on a few hundred nodes are not counted).
    pub iterations: usize,
}

/// Risk decomposition of anisotropic ridge (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnisotropicRidgeRisk {
    /// Bias $B$.
    pub bias: f64,
    /// Variance $V$.
    pub variance: f64,
    /// Excess test risk $R = B + V$ (label noise excluded).
    pub test_error: f64,
    /// Training error $\tfrac1n\|y - X\hat\beta\|^2$ (label noise included).
    pub train_error: f64,
    /// Effective regularisation $\kappa$.
    pub kappa: f64,
    /// $\mathrm{df}_1/n = \tfrac1n\operatorname{tr}S(S+\lambda)^{-1} = \gamma\sum_j w_j s_j/(s_j+\kappa)$.
    pub df_ratio: f64,
    /// $\mathrm{df}_2/n = \gamma\sum_j w_j s_j^2/(s_j+\kappa)^2$.
    pub df2_ratio: f64,
    /// The limit of generalised cross-validation $E_{\rm train}/(1 - \mathrm{df}_1/n)^2$, which
    /// is the prediction error $R + \sigma^2$ (the GCV identity; at $\lambda = 0$,
    /// $\gamma w_+ > 1$, the limit $\lambda \to 0^+$).
    pub gcv: f64,
    /// The solver's certificate for $\kappa$.
    pub solve: KappaSolution,
}

/// The optimally tuned penalty of an anisotropic problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimalAnisotropicRidge {
    /// $\lambda^* \ge 0$.
    pub lambda: f64,
    /// The risk at $\lambda^*$.
    pub at_optimum: AnisotropicRidgeRisk,
}

/// For $\kappa > 0$, with $q_j = s_j/(s_j+\kappa)$, $k_j = \kappa/(s_j+\kappa)$:
/// $[Q, \sum_j w_jq_jk_j, \sum_j w_jq_jk_j(q_j - k_j)]$ with $Q = \sum_{s_j>0} w_jk_j$ if
/// `shifted`, else $Q = T_1 = \sum_j w_jq_j = w_+ - \sum_{s_j>0} w_jk_j$ (the last two give
/// $g'(u)$ and $g''(u)$).
fn kappa_sums(s: &[f64], w: &[f64], kappa: f64, shifted: bool) -> [f64; 3] {
    atom_sums::sums(s, w, w, &atom_sums::KappaSums { kappa, shifted })
}

/// The one-pass sums of the dimension rule's nodes (all positive; weights in `a`, `b`
/// unused): $[Q, D_1, D_2, E_0]$ of [`atom_sums::KappaTaylorSums`], the same terms with the
/// same roundings (only their order of summation differs).
struct RuleDimensionSums {
    kappa: f64,
}

impl atom_sums::AtomTerms<4> for RuleDimensionSums {
    #[inline(always)]
    fn terms<S: pulp::Simd>(&self, simd: S, s: S::f64s, a: S::f64s, _b: S::f64s) -> [S::f64s; 4] {
        let kap = simd.splat_f64s(self.kappa);
        let r = simd.div_f64s(simd.splat_f64s(1.0), simd.add_f64s(s, kap));
        let q = simd.mul_f64s(s, r);
        let k = simd.mul_f64s(kap, r);
        let wq = simd.mul_f64s(a, q);
        let d1 = simd.mul_f64s(wq, k);
        [
            simd.mul_f64s(a, k),
            d1,
            simd.mul_f64s(d1, k),
            simd.mul_f64s(wq, q),
        ]
    }
}

/// The one-pass sums of the signal rule's nodes (signal weights in `b`, `a` unused):
/// $[F_0, F_1]$ of [`atom_sums::KappaTaylorSums`], the same terms.
struct RuleSignalSums {
    kappa: f64,
}

impl atom_sums::AtomTerms<2> for RuleSignalSums {
    #[inline(always)]
    fn terms<S: pulp::Simd>(&self, simd: S, s: S::f64s, _a: S::f64s, b: S::f64s) -> [S::f64s; 2] {
        let kap = simd.splat_f64s(self.kappa);
        let r = simd.div_f64s(simd.splat_f64s(1.0), simd.add_f64s(s, kap));
        let k = simd.mul_f64s(kap, r);
        let f0 = simd.mul_f64s(simd.mul_f64s(simd.mul_f64s(b, s), k), k);
        [f0, simd.mul_f64s(f0, k)]
    }
}

/// What a pass of the certified step sums over: all atoms, or the certified compressed rule
/// (the dimension rule's nodes and the signal rule's nodes summed separately).
#[derive(Clone, Copy)]
enum PassSource<'a> {
    /// The atoms $(s_j, w_j, c_j)$.
    Atoms(&'a [f64], &'a [f64], &'a [f64]),
    /// The certified rule.
    Rule(&'a CertifiedNodes),
}

impl PassSource<'_> {
    /// $[Q, D_1, D_2, E_0, F_0, F_1]$ at $\kappa_0$ (see [`atom_sums::KappaTaylorSums`]).
    fn taylor_sums(self, kappa: f64) -> [f64; 6] {
        match self {
            Self::Atoms(s, w, c) => atom_sums::sums(s, w, c, &atom_sums::KappaTaylorSums { kappa }),
            Self::Rule(rule) => {
                let (x, w, c, k) = (&rule.nodes, &rule.w, &rule.c, rule.split);
                let [q, d1, d2, e0] =
                    atom_sums::sums(&x[..k], &w[..k], &w[..k], &RuleDimensionSums { kappa });
                let [f0, f1] =
                    atom_sums::sums(&x[k..], &c[k..], &c[k..], &RuleSignalSums { kappa });
                [q, d1, d2, e0, f0, f1]
            }
        }
    }
}

/// Passes over the certified compressed rule before falling back to the atoms.
const RULE_PASSES: usize = 2;

/// Maximum steps of the $\kappa$ solver (bisection alone needs at most about 64 per factor
/// $10^{300}$ of bracket).
const MAX_STEPS: usize = 400;

impl AnisotropicRidgeModel {
    /// $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// $\lambda$.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// Signal-to-noise ratio.
    pub fn snr(&self) -> f64 {
        self.snr
    }
    /// $\sigma$.
    pub fn noise_sd(&self) -> f64 {
        self.sigma
    }
    /// The population.
    pub fn population(&self) -> &Population {
        &self.population
    }
    /// $r^2 = \|\beta\|^2 = \mathrm{snr}\,\sigma^2$.
    pub fn signal_energy(&self) -> f64 {
        self.snr * self.sigma * self.sigma
    }
    /// The share $w_+$ of dimensions with positive variance.
    pub fn positive_share(&self) -> f64 {
        self.w_plus
    }
    /// The risk of the null estimator $\hat\beta = 0$, $\beta^\top\Sigma\beta =
    /// r^2\sum_j c_j s_j$: the limit of the test error as $\lambda \to \infty$ (it is $r^2$ only
    /// when $\sum_j c_j s_j = 1$, e.g. isotropic).
    pub fn null_risk(&self) -> f64 {
        let pop = &self.population;
        let (s, c) = (pop.eigenvalues(), pop.signal());
        let [v] = atom_sums::sums(s, c, c, &atom_sums::Moment);
        self.signal_energy() * v
    }

    /// Solve the $\kappa$ equation (see the [module documentation](self) for the bracket and
    /// the iteration).
    ///
    /// Errors: [`Error::NotConverged`] (`"anisotropic ridge kappa"`) if the bracket does not
    /// shrink below $4\varepsilon$ in $\ln\kappa$ within 400 steps (not observed);
    /// [`Error::NonFinite`] if a sum overflows.
    pub fn kappa(&self) -> Result<KappaSolution> {
        self.solve().map(|(k, _)| k)
    }

    /// [`Self::kappa`] and the risk sums
    /// $[\sum_j w_j q_j^2, \sum_j w_j q_j k_j, \sum_j w_j q_j, \sum_j c_j s_j k_j^2]$
    /// ($q_j = s_j/(s_j+\kappa)$, $k_j = \kappa/(s_j+\kappa)$) at the returned $\kappa$ when the
    /// one-pass certificate succeeded (`None` in the ridgeless underparameterised case and when
    /// the bracket closed first).
    fn solve(&self) -> Result<(KappaSolution, Option<[f64; 4]>)> {
        let (g, l) = (self.gamma, self.lambda);
        let pop = &self.population;
        let cache = pop.cache();
        let (s, w) = (pop.eigenvalues(), pop.weights());
        if l == 0.0 && g * self.w_plus < 1.0 {
            let k = KappaSolution {
                kappa: 0.0,
                residual: 0.0,
                bracket_width: 0.0,
                iterations: 0,
            };
            return Ok((k, None));
        }
        let (lo, hi) = self.bracket(cache.s_min, cache.s_max);
        if !(lo > 0.0 && hi.is_finite()) {
            return Err(Error::NonFinite {
                what: "anisotropic ridge kappa bracket",
            });
        }
        let base = 1.0 - g * self.w_plus;
        let shifted = g * self.w_plus <= 2.0;
        let (a, b) = (lo.ln(), hi.ln());
        if a == b {
            let [q, _, _] = kappa_sums(s, w, lo, shifted);
            let k = KappaSolution {
                kappa: lo,
                residual: self.g_value(base, shifted, lo, q, q).abs(),
                bracket_width: 0.0,
                iterations: 1,
            };
            return Ok((k, None));
        }
        let (s, w, c) = (pop.eigenvalues(), pop.weights(), pop.signal());
        // The certified compressed rule (a few hundred nodes per measure with a proven relative
        // error bound on every sum; built lazily, see `Population::build_certified_rule`): the
        // start on its coarse octave rule, then its one-pass certificate plus the bound, else
        // the atoms.
        let mut u = if let Some(rule) = pop.certified_rule_for_point() {
            let (xs, xw) = (&rule.start.0, &rule.start.1);
            let u = self.halley(xs, xw, a, b, base, shifted)?;
            let source = PassSource::Rule(rule);
            match self.passes(source, rule.bound, RULE_PASSES, u, a, b, base, shifted)? {
                Some(done) => return Ok(done),
                // Not certified on the rule: the start is a good start for the atoms too.
                None => u.clamp(a, b),
            }
        } else {
            // The start: the root of the equation on the compressed quadrature of the
            // population (a few hundred nodes, about 1e-9 relative; the atoms themselves when
            // they are few).
            let (cs, cw) = match &cache.compressed {
                Some((nodes, weights)) => (nodes.as_slice(), weights.as_slice()),
                None => (s, w),
            };
            self.halley(cs, cw, a, b, base, shifted)?
        };
        u = u.clamp(a, b);
        match self.passes(
            PassSource::Atoms(s, w, c),
            0.0,
            MAX_STEPS,
            u,
            a,
            b,
            base,
            shifted,
        )? {
            Some(done) => Ok(done),
            None => Err(Error::NotConverged {
                method: "anisotropic ridge kappa",
                iterations: MAX_STEPS,
                residual: f64::NAN,
                tolerance: 4.0 * f64::EPSILON,
                last_iterate: vec![u.exp()],
            }),
        }
    }

    /// The passes over all atoms from the start $u = \ln\kappa_0$ in the bracket $[a, b]$ (in
    /// $u$): each pass gives the $\kappa$ equation and the risk sums with their Taylor
    /// coefficients at $\kappa_0$; the root $\kappa_1 = \kappa_0(1 + x)$ of the quadratic
    /// Taylor polynomial is returned with the risk sums at $\kappa_1$ when the certificate
    /// holds (the bound on $|g(\ln\kappa_1)|$ over $g'$ below $4\varepsilon$ in $u$, every
    /// Taylor tail below $\varepsilon/2$ relative), else the next pass starts at $\kappa_1$
    /// (or at Newton's point in $u$, or the bisection point of the bracket).
    ///
    /// `(s, w, c)` are the atoms (`quad` $= 0$) or the certified compressed rule of the
    /// population, whose every sum is within the relative bound `quad` of the atoms' sum: then
    /// the residual certified includes $\gamma\,\delta\,X$ ($X$ the sum in $g$, bounded at
    /// $\kappa_1$ by its value at $\kappa_0$ times $(1+|x|)/(1-|x|)$), $g'$ is taken
    /// $(1 - \delta)$ smaller, and the risk sums are within $\varepsilon/2 + \delta$ relative;
    /// `Ok(None)` when the rule does not certify within `max_passes` (the caller then passes
    /// over the atoms).
    #[allow(clippy::too_many_arguments)]
    fn passes(
        &self,
        source: PassSource<'_>,
        quad: f64,
        max_passes: usize,
        mut u: f64,
        mut a: f64,
        mut b: f64,
        base: f64,
        shifted: bool,
    ) -> Result<Option<(KappaSolution, Option<[f64; 4]>)>> {
        let (g, l) = (self.gamma, self.lambda);
        let tol = |u: f64| 4.0 * f64::EPSILON * u.abs().max(1.0);
        let mut best = (f64::INFINITY, u);
        for pass in 1..=max_passes {
            let kappa = u.exp();
            let [q, d1, d2, e0, f0, f1] = source.taylor_sums(kappa);
            // q + k = 1 on positive atoms: D0 = E0 + D1 (no cancellation) and E1 = D1 - D2,
            // whose rounding error is certified below: each of D1 >= D2 is off by at most
            // (128 + 3 + 2 + 5) eps times itself (lanes of 128 atoms per chunk, the lane tree,
            // the compensated chunk sum, 5 roundings per term), so E1 by 2^9 eps D1.
            let d0 = e0 + d1;
            let e1 = (d1 - d2).max(0.0);
            let e1_err = 512.0 * f64::EPSILON * d1;
            let lk = l / kappa;
            let g0 = self.g_value(base, shifted, kappa, q, d0);
            if !(g0.is_finite() && d0.is_finite() && f0.is_finite()) {
                return Err(Error::NonFinite {
                    what: "anisotropic ridge kappa equation",
                });
            }
            if g0.abs() < best.0 {
                best = (g0.abs(), u);
            }
            if g0 < 0.0 {
                a = a.max(u);
            } else if g0 > 0.0 {
                b = b.min(u);
            }
            // g(kappa (1 + x)) = g0 + a1 x - a2 x^2 + ..., a_n = lambda/kappa + gamma D_n
            // (expand lambda/kappa and q = s/(s + kappa) in x); |the rest| <= a2 |x|^3/(1 - |x|)
            // since D_n decreases in n.
            let (a1, a2) = (lk + g * d1, lk + g * d2);
            let quadratic = |x: f64| g0 + x * (a1 - x * a2);
            let mut x = -g0 / a1;
            for _ in 0..8 {
                let dx = quadratic(x) / (a1 - 2.0 * a2 * x);
                x -= dx;
                if dx.abs() <= f64::EPSILON * x.abs() || dx.is_nan() {
                    break;
                }
            }
            let y = x.abs();
            if y < 0.5 {
                // The certificate: |g(kappa_1)| <= |p(x)| + a2 y^3/(1 - y), and the risk sums at
                // kappa_1 by their Taylor series in x with the tails bounded by the last
                // coefficient (every sum of w q^i k^n or c s k^n decreases in n):
                // sum_{n>=2} y^n = y^2/(1 - y), sum_{n>=2} (n+1) y^n = y^2 (3 - 2y)/(1 - y)^2.
                let in_g = if shifted { q } else { d0 };
                let residual = quadratic(x).abs()
                    + a2 * y.powi(3) / (1.0 - y)
                    + g * quad * in_g * (1.0 + y) / (1.0 - y) * (1.0 + 4.0 * quad);
                let tail = y * y * (3.0 - 2.0 * y) / ((1.0 - y) * (1.0 - y));
                let kappa1 = kappa * (1.0 + x);
                let t1 = d0 - x * (d1 - x * d2);
                let k0 = d1 - 2.0 * x * d2;
                let kt2 = (1.0 + x) * k0;
                let a2s = e0 - 2.0 * x * e1;
                let b0 = f0 - 2.0 * x * f1;
                let bsum = (1.0 + x) * (1.0 + x) * b0;
                let eps = 0.5 * f64::EPSILON;
                let tails_ok = d2 * y.powi(3) / (1.0 - y) <= eps * t1
                    && d2 * tail <= eps * k0
                    && (e1 + e1_err) * tail + 2.0 * y * e1_err <= eps * a2s
                    && f1 * tail <= eps * b0;
                let du = (l / kappa1 + g * kt2) * (1.0 - quad);
                let u1 = kappa1.ln();
                if tails_ok && du > 0.0 && residual <= tol(u1) * du {
                    let k = KappaSolution {
                        kappa: kappa1,
                        residual,
                        bracket_width: 2.0 * residual / du,
                        iterations: pass,
                    };
                    return Ok(Some((k, Some([a2s, kt2, t1, bsum]))));
                }
            }
            if quad > 0.0 && (b - a <= tol(u) || pass == max_passes) {
                return Ok(None);
            }
            if b - a <= tol(u) {
                let k = KappaSolution {
                    kappa: best.1.exp(),
                    residual: best.0,
                    bracket_width: b - a,
                    iterations: pass,
                };
                return Ok(Some((k, None)));
            }
            // Not certified yet: the next pass at the root of the quadratic (third-order
            // convergence), or Newton's step in u = ln(kappa), or bisection in u.
            let next = if y < 0.5 {
                (kappa * (1.0 + x)).ln()
            } else {
                u - g0 / a1
            };
            u = if next > a && next < b && next != u {
                next
            } else {
                0.5 * (a + b)
            };
        }
        Err(Error::NotConverged {
            method: "anisotropic ridge kappa",
            iterations: MAX_STEPS,
            residual: best.0,
            tolerance: 4.0 * f64::EPSILON,
            last_iterate: vec![best.1.exp()],
        })
    }

    /// The passes over the atoms alone (the tests' entry point).
    #[cfg(test)]
    fn certified_passes(
        &self,
        u: f64,
        a: f64,
        b: f64,
        base: f64,
        shifted: bool,
    ) -> Result<(KappaSolution, Option<[f64; 4]>)> {
        let pop = &self.population;
        let atoms = PassSource::Atoms(pop.eigenvalues(), pop.weights(), pop.signal());
        self.passes(atoms, 0.0, MAX_STEPS, u, a, b, base, shifted)?
            .ok_or(Error::NonFinite {
                what: "anisotropic ridge kappa (no certificate)",
            })
    }

    /// $g(\ln\kappa)$ from the sums $Q = \sum_{s_j>0} w_jk_j$ and $T_1 = \sum_j w_jq_j$ (see the
    /// [module documentation](self) for the two forms).
    fn g_value(&self, base: f64, shifted: bool, kappa: f64, q: f64, t1: f64) -> f64 {
        let lk = self.lambda / kappa;
        if shifted {
            base + self.gamma * q - lk
        } else {
            1.0 - lk - self.gamma * t1
        }
    }

    /// The certified bracket $[\kappa_{lo}, \kappa_{hi}]$ of the root (see the
    /// [module documentation](self)); `s_min`, `s_max` are the extreme positive atoms.
    fn bracket(&self, s_min: f64, s_max: f64) -> (f64, f64) {
        let (g, l) = (self.gamma, self.lambda);
        // Upper end: Jensen's inequality (s/(s + kappa) is concave in s) bounds the sum by the
        // one-atom population at the mean positive eigenvalue m+ with share w+, whose kappa
        // solves kappa^2 + kappa (m+(1 - gamma w+) - lambda) - lambda m+ = 0; g >= 0 there.
        let m_plus = self.mean / self.w_plus;
        let a_eff = g * self.w_plus;
        if l > 0.0 {
            let b = m_plus * (1.0 - a_eff) - l;
            let disc = b.hypot(2.0 * (l * m_plus).sqrt());
            let iso = if b >= 0.0 {
                2.0 * l * m_plus / (b + disc)
            } else {
                (disc - b) / 2.0
            };
            // (1 + 1e-12): rounding margin, the bound is tight for one atom.
            let hi = (iso * (1.0 + 1e-12)).min(l + g * self.mean);
            (
                l,
                if hi.is_finite() {
                    hi.max(l)
                } else {
                    l + g * self.mean
                },
            )
        } else {
            let excess = a_eff - 1.0;
            (
                s_min * excess,
                (m_plus * excess * (1.0 + 1e-12)).min(s_max * excess),
            )
        }
    }

    /// Safeguarded Halley in $u = \ln\kappa$ on the bracket $[a, b]$ for the $\kappa$ equation
    /// of the measure $\sum_j w_j\delta_{s_j}$ (the population or its compressed quadrature),
    /// from the upper end $b$: returns $u$ once the last step is below $10^{-5}$ (then the
    /// error is far below that, Halley's convergence being cubic) or the bracket or the
    /// correction is below $4\varepsilon$.
    fn halley(
        &self,
        s: &[f64],
        w: &[f64],
        a: f64,
        b: f64,
        base: f64,
        shifted: bool,
    ) -> Result<f64> {
        let (g, l) = (self.gamma, self.lambda);
        let (mut a, mut b) = (a, b);
        let tol = |u: f64| 4.0 * f64::EPSILON * u.abs().max(1.0);
        let mut u = b;
        for _ in 1..=MAX_STEPS {
            let kappa = u.exp();
            let [q, qk, qkd] = kappa_sums(s, w, kappa, shifted);
            let lk = l / kappa;
            let fu = self.g_value(base, shifted, kappa, q, q);
            let (du, duu) = (lk + g * qk, g * qkd - lk);
            if !(fu.is_finite() && du.is_finite()) {
                return Err(Error::NonFinite {
                    what: "anisotropic ridge kappa equation",
                });
            }
            if fu == 0.0 {
                return Ok(u);
            }
            if fu < 0.0 {
                a = u;
            } else {
                b = u;
            }
            let newton_step = fu / du;
            if du > 0.0 && newton_step.abs() <= tol(u) {
                return Ok(u);
            }
            // Halley's correction (cubic convergence) when it is a modest change of Newton's.
            let halley = 1.0 - 0.5 * newton_step * duu / du;
            let step = if (0.5..=2.0).contains(&halley) {
                newton_step / halley
            } else {
                newton_step
            };
            let newton = u - step;
            let step_ok = du > 0.0 && newton > a && newton < b;
            if step_ok && step.abs() < 1e-5 {
                return Ok(newton);
            }
            if b - a <= tol(u) {
                return Ok(u);
            }
            u = if step_ok { newton } else { 0.5 * (a + b) };
        }
        Ok(u)
    }

    /// Bias, variance, test and training error, $\kappa$, degrees of freedom and GCV (see the
    /// [module documentation](self)).
    ///
    /// Errors: those of [`Self::kappa`]; [`Error::NonFinite`] naming the quantity if a result
    /// overflows (e.g. $r^2$ near `f64::MAX`).
    ///
    /// ```
    /// use overparam::spectral::Population;
    /// use overparam::theory::ridge::AnisotropicRidge;
    /// let pop = Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8])?;
    /// let risk = AnisotropicRidge::new(pop, 2.0, 0.01, 4.0).check()?.risk()?;
    /// assert!((risk.test_error - 4.2819).abs() < 1e-4); // general_spectra.md section 4
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn risk(&self) -> Result<AnisotropicRidgeRisk> {
        let (solve, sums) = self.solve()?;
        let kappa = solve.kappa;
        let (g, l) = (self.gamma, self.lambda);
        let pop = &self.population;
        let (s, w, c) = (pop.eigenvalues(), pop.weights(), pop.signal());
        let r2 = self.signal_energy();
        let s2 = self.sigma * self.sigma;
        let (bias, variance, train, df1, df2) = if kappa == 0.0 {
            // lambda = 0, gamma w+ < 1: kappa/(s + kappa) = 0 on positive atoms.
            let df2 = g * self.w_plus;
            let den = 1.0 - df2;
            let variance = s2 * df2 / den;
            (0.0, variance, den * den * (variance + s2), df2, df2)
        } else {
            // [sum w (s/(s+k))^2, sum w s k/(s+k)^2, sum w s/(s+k)] and sum c s (k/(s+k))^2.
            let [a2, kt2, t1, bsum] =
                sums.unwrap_or_else(|| atom_sums::sums(s, w, c, &atom_sums::RiskSums { kappa }));
            let lk = l / kappa;
            let den = lk + g * kt2;
            let df2 = g * a2;
            let bias = r2 * bsum / den;
            let variance = s2 * df2 / den;
            let train = lk * lk * (bias + variance + s2);
            (bias, variance, train, g * t1, df2)
        };
        let out = AnisotropicRidgeRisk {
            bias,
            variance,
            test_error: bias + variance,
            train_error: train,
            kappa,
            df_ratio: df1,
            df2_ratio: df2,
            gcv: bias + variance + s2,
            solve,
        };
        for (v, what) in [
            (out.bias, "anisotropic ridge bias"),
            (out.variance, "anisotropic ridge variance"),
            (out.test_error, "anisotropic ridge test error"),
            (out.train_error, "anisotropic ridge training error"),
            (out.gcv, "anisotropic ridge GCV"),
            (out.df_ratio, "anisotropic ridge degrees of freedom"),
            (out.df2_ratio, "anisotropic ridge degrees of freedom"),
        ] {
            if !v.is_finite() {
                return Err(Error::NonFinite { what });
            }
        }
        Ok(out)
    }

    /// The test-error-minimising penalty $\lambda^* \ge 0$: a scan of 81 log-spaced values in
    /// $[10^{-8}, 10^{8}]\cdot\bar s$ ($\bar s = \sum_j w_j s_j$), Brent in $\ln\lambda$ around the
    /// best (relative tolerance $\sqrt\varepsilon$ on $\lambda^*$), and the end points
    /// $\lambda = 0$ (when allowed) and the null risk ($\lambda \to \infty$) as candidates: if the
    /// null risk is strictly best, $\lambda^* = \infty$ is reported as an
    /// [`Error::NoSolution`]. When the signal is spread like the dimensions ($c_j = w_j$) the
    /// optimum is the Bayes penalty $\lambda^* = \gamma/\mathrm{snr}$ (tested), independently of
    /// the spectrum. (For strongly aligned targets the risk-minimising penalty can be negative,
    /// e.g. Wu & Xu 2020, arXiv:2006.05800; this searches $\lambda \ge 0$ only.)
    ///
    /// Errors: [`Error::InvalidParameter`] (`snr`) for $\mathrm{snr} = 0$ (the optimum is
    /// $\lambda = \infty$); those of [`Self::risk`].
    pub fn optimal_lambda(&self) -> Result<OptimalAnisotropicRidge> {
        if self.snr <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: self.snr,
                expected: "snr > 0 (for snr = 0 the optimal penalty is infinite)",
            });
        }
        let at = |lambda: f64| {
            AnisotropicRidgeModel {
                lambda,
                ..self.clone()
            }
            .risk()
        };
        let scale = self.mean;
        let opt = crate::solver::minimize_log_scale(
            |x| at(x).map(|r| r.test_error),
            1e-8 * scale,
            1e8 * scale,
            crate::solver::LogGridOptions {
                grid_points: 81,
                ..Default::default()
            },
        )?;
        let mut best = (opt.location, at(opt.location)?);
        if self.gamma * self.w_plus != 1.0 {
            let zero = at(0.0)?;
            if zero.test_error < best.1.test_error {
                best = (0.0, zero);
            }
        }
        if self.null_risk() < best.1.test_error {
            return Err(Error::NoSolution {
                what: "optimal ridge penalty: the null estimator (lambda = infinity) is best",
            });
        }
        Ok(OptimalAnisotropicRidge {
            lambda: best.0,
            at_optimum: best.1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs()
    }

    /// The certified compressed rule (issue 15 §4): on a grid of (gamma, lambda) and
    /// populations from 1e4 to 5e4 atoms (power laws, log-uniform with zero atoms), the points
    /// certified on the rule agree with the passes over the atoms (kappa and the four risk
    /// sums to 1e-13), the true residual of the kappa equation at the rule's kappa (a
    /// compensated pass over the atoms) is within the certified residual plus the rounding of
    /// that pass, and most points certify on the rule.
    #[test]
    fn certified_rule_path_agrees_with_the_atoms() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let s: Vec<f64> = (0..30_000)
            .map(|j| {
                if j % 53 == 0 {
                    0.0
                } else {
                    (20.0 * next() - 10.0).exp()
                }
            })
            .collect();
        let w: Vec<f64> = (0..30_000).map(|_| next()).collect();
        let c: Vec<f64> = (0..30_000).map(|_| next()).collect();
        let pops = [
            Population::power_law(1.5, 1.0, 10_000).unwrap(),
            Population::power_law(1.0, 1.0, 50_000).unwrap(),
            Population::power_law(2.5, 0.5, 20_000).unwrap(),
            Population::new(s, w, c).unwrap(),
        ];
        let (mut on_rule, mut total) = (0, 0);
        for pop in pops {
            let pop = Arc::new(pop);
            let rule = pop.certified_rule().cloned().expect("a certified rule");
            assert!(rule.bound <= 8.0 * f64::EPSILON);
            for gamma in [0.3, 0.999, 1.5, 2.0, 5.0, 20.0] {
                for lambda in [0.0, 1e-8, 1e-4, 0.01, 1.0, 100.0] {
                    let m = AnisotropicRidge::new(pop.clone(), gamma, lambda, 2.0)
                        .check()
                        .unwrap();
                    if lambda == 0.0 && gamma * m.w_plus < 1.0 {
                        continue;
                    }
                    total += 1;
                    let cache = pop.cache();
                    let (lo, hi) = m.bracket(cache.s_min, cache.s_max);
                    let (a, b) = (lo.ln(), hi.ln());
                    let base = 1.0 - m.gamma * m.w_plus;
                    let shifted = m.gamma * m.w_plus <= 2.0;
                    let (cs, cw) = (&rule.start.0, &rule.start.1);
                    let u0 = m.halley(cs, cw, a, b, base, shifted).unwrap();
                    let nodes = PassSource::Rule(&rule);
                    let Some((kr, Some(sr))) = m
                        .passes(nodes, rule.bound, RULE_PASSES, u0, a, b, base, shifted)
                        .unwrap()
                    else {
                        continue;
                    };
                    on_rule += 1;
                    let (ka, sa) = m.certified_passes(u0, a, b, base, shifted).unwrap();
                    let sa = sa.unwrap();
                    let what = format!("{gamma} {lambda}: {kr:?} {ka:?}");
                    assert!(close(kr.kappa, ka.kappa, 1e-13), "{what}");
                    for (x, y) in sr.iter().zip(&sa) {
                        assert!(close(*x, *y, 1e-13), "{what}: {sr:?} {sa:?}");
                    }
                    // The certificate against the atoms: |g(kappa_rule)| <= residual + rounding.
                    let (ps, pw) = (pop.eigenvalues(), pop.weights());
                    let [q, _, _] = kappa_sums(ps, pw, kr.kappa, shifted);
                    let gt = m.g_value(base, shifted, kr.kappa, q, q);
                    let rounding =
                        64.0 * f64::EPSILON * (gamma * q + lambda / kr.kappa + base.abs());
                    assert!(gt.abs() <= kr.residual + rounding, "{what}: |g| = {gt:e}");
                    // The solver returns the rule's answer.
                    let (ks, _) = m.solve().unwrap();
                    assert_eq!(ks.kappa, kr.kappa, "{what}");
                }
            }
        }
        eprintln!("certified on the rule: {on_rule} of {total} points");
        assert!(4 * on_rule >= 3 * total, "{on_rule} of {total}");
    }

    /// The certified rule's pass sums its dimension nodes and its signal nodes with two
    /// kernels: they equal the six-sum kernel over the whole node list to rounding (1e-14
    /// relative), over kappa from 1e-9 to 1e3.
    #[test]
    fn split_rule_sums_equal_the_joint_kernel() {
        for pop in [
            Population::power_law(1.5, 1.0, 10_000).unwrap(),
            Population::power_law(1.0, 0.0, 50_000).unwrap(),
        ] {
            let rule = pop.certified_rule().expect("a certified rule");
            for kappa in [1e-9, 1e-5, 0.01, 1.0, 1e3] {
                let split = PassSource::Rule(rule).taylor_sums(kappa);
                let joint = PassSource::Atoms(&rule.nodes, &rule.w, &rule.c).taylor_sums(kappa);
                for (x, y) in split.iter().zip(&joint) {
                    assert!(close(*x, *y, 1e-14), "{kappa}: {split:?} {joint:?}");
                }
            }
        }
    }

    /// A start that is off (by 1e-6 relative, just outside what one pass certifies, up to a
    /// factor 3) makes the certified passes take further passes, and they reach the one-pass
    /// answer: kappa and the four risk sums to 1e-14. The one-pass answer itself is checked
    /// against Brent's method on the plain equation in tests/theory_ridge_anisotropic.rs.
    #[test]
    fn certified_passes_recover_from_bad_starts() {
        let cases = [
            (Population::power_law(1.5, 1.0, 20_000), 2.0, 0.01),
            (Population::power_law(0.5, 0.0, 3_000), 1.7, 0.0),
            (Population::power_law(3.0, 2.0, 5_000), 0.999, 1e-6),
            (Population::power_law(1.0, 1.0, 5_000), 5.0, 0.0),
            (Population::power_law(2.0, 0.5, 5_000), 0.3, 1e3),
        ];
        for (pop, gamma, lambda) in cases {
            let m = AnisotropicRidge::new(pop.unwrap(), gamma, lambda, 2.0)
                .check()
                .unwrap();
            let (k, sums) = m.solve().unwrap();
            let sums = sums.unwrap();
            assert_eq!(k.iterations, 1, "{gamma} {lambda}: {k:?}");
            let cache = m.population.cache();
            let (lo, hi) = m.bracket(cache.s_min, cache.s_max);
            let (a, b) = (lo.ln(), hi.ln());
            let base = 1.0 - m.gamma * m.w_plus;
            let shifted = m.gamma * m.w_plus <= 2.0;
            for factor in [1.0 + 1e-6, 1.0 - 1e-4, 1.1, 0.5, 3.0] {
                let u0 = (k.kappa * factor).ln();
                if !(u0 > a && u0 < b) {
                    continue;
                }
                let (k2, s2) = m.certified_passes(u0, a, b, base, shifted).unwrap();
                assert!(k2.iterations > 1, "{factor}: {k2:?}");
                assert!(close(k2.kappa, k.kappa, 1e-14), "{factor}: {k2:?} {k:?}");
                let s2 = s2.unwrap();
                for (x, y) in s2.iter().zip(&sums) {
                    assert!(close(*x, *y, 1e-14), "{factor}: {s2:?} {sums:?}");
                }
            }
        }
    }
}
