//! Theory versus simulation: z-scores, an explicit finite-size allowance, and size sweeps.
//!
//! A simulation at dimension $d$ estimates a finite-$d$ expectation $R_d$, which differs from
//! the proportional limit $R_\infty$ by a finite-size bias $R_d - R_\infty \approx \kappa R_\infty/d$.
//! The measurements summarised in docs/simulation.md ("The finite-size allowance") give the
//! relative bias on sphere data with ReLU for 13 configurations at $d = 50$–$400$: every one satisfies $|\kappa| \le 2.5$ (the largest,
//! $\kappa \approx 2.45$, is at the interpolation threshold $\psi_1 = \psi_2 = 3$, $\lambda = 10^{-3}$,
//! $d = 50$; ridgeless min-norm at $\psi_1 = 6$, $\psi_2 = 3$ gives $\kappa \approx 1.6$–$2.2$).
//! [`DEFAULT_KAPPA`] $= 3$ adds a margin to that. A comparison therefore passes when
//!
//! $$|\bar R_{\rm sim} - R_{\rm theory}| \le 4\,\mathrm{SE} + \underbrace{\kappa\,|R_{\rm theory}|/d}_{\text{allowance}},$$
//!
//! i.e. the gap is explained by Monte Carlo noise (4 standard errors: a false alarm rate below
//! $10^{-4}$ per comparison) plus a finite-size bias that vanishes like $1/d$.
//! [`size_sweep`] checks the second part directly: at fixed ratios the gap should shrink like
//! $d^{-1}$, i.e. the least-squares slope of $\log|{\rm gap}|$ against $\log d$ should be near $-1$.

use crate::error::{Error, Result};
use crate::sim::Estimate;
use crate::sim::random_features::RfSimReport;
#[allow(deprecated)]
use crate::sim::random_features::RfSimulation;
use crate::sim::ridge::RidgeSimReport;
use crate::theory::random_features::RfRisk;
use crate::theory::ridge::RidgeRisk;

/// Number of standard errors the Monte Carlo noise may account for.
pub const Z_THRESHOLD: f64 = 4.0;

/// Default finite-size constant $\kappa$ of the allowance $\kappa|R|/d$ (see the module docs).
///
/// Measured large enough for the notes' random-features configurations ($|\kappa| \le 2.5$) but
/// not for nearly ridgeless, heavily overparameterized random features: at $\psi_2 = 3$,
/// $\lambda = 10^{-3}$ the measured $d\,|{\rm gap}|/R$ is about 5 at $\psi_1 = 14$ and 7.5 at
/// $\psi_1 = 30$ (it shrinks like $1/d$; see `docs/simulation.md`). Pass a larger $\kappa$ there.
pub const DEFAULT_KAPPA: f64 = 3.0;

/// The finite-size allowance $\kappa\,|R_{\rm theory}|/d$.
///
/// Domain: finite `theory`, finite $\kappa \ge 0$, $d \ge 1$, and a representable product
/// (not beyond `f64::MAX`, e.g. $\kappa = 10^{308}$ with $|R| = 19$ is refused).
///
/// Errors: [`Error::InvalidParameter`] if `kappa` is negative or not finite or `d == 0`;
/// [`Error::NonFinite`] if `theory` is not finite or the allowance overflows.
///
/// ```
/// use overparam::compare::finite_size_allowance;
/// assert_eq!(finite_size_allowance(-0.5, 3.0, 100)?, 0.015);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn finite_size_allowance(theory: f64, kappa: f64, d: usize) -> Result<f64> {
    crate::error::finite(theory, "theory value")?;
    let kappa = crate::error::validate::non_negative("kappa", kappa)?;
    if d == 0 {
        return Err(Error::InvalidParameter {
            name: "d",
            value: 0.0,
            expected: "an integer >= 1",
        });
    }
    let allowance = kappa * theory.abs() / d as f64;
    if allowance.is_finite() {
        Ok(allowance)
    } else {
        // kappa |R| overflowed: divide first (the quotient may still be representable).
        crate::error::finite(
            kappa * (theory.abs() / d as f64),
            "finite-size allowance kappa |theory| / d",
        )
    }
}

/// Whether a simulation agrees with the theory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// $|\mathrm{gap}| \le 4\,\mathrm{SE} + \text{allowance}$.
    Agree,
    /// The gap exceeds the Monte Carlo noise plus the finite-size allowance.
    Disagree,
}

/// One theory value against one Monte Carlo estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The theory value.
    pub theory: f64,
    /// The simulation mean.
    pub mean: f64,
    /// The simulation standard error.
    pub std_err: f64,
    /// $z = \mathrm{gap}/\mathrm{SE}$, saturated at $\pm$`f64::MAX` (when $\mathrm{SE} = 0$ and the gap
    /// is not zero, or when the quotient overflows; it was $\pm\infty$ before issue 13, which
    /// promised no non-finite value inside `Ok`). $|z| =$ `f64::MAX` means "infinitely many
    /// standard errors".
    pub z: f64,
    /// $\mathrm{gap} = \text{mean} - \text{theory}$.
    pub gap: f64,
    /// The finite-size allowance used.
    pub allowance: f64,
    /// The verdict.
    pub verdict: Verdict,
}

impl Comparison {
    /// Whether the verdict is [`Verdict::Agree`].
    pub fn agrees(&self) -> bool {
        self.verdict == Verdict::Agree
    }

    /// The relative gap $\mathrm{gap}/|\text{theory}|$, saturated at $\pm$`f64::MAX` (if the theory
    /// is zero and the gap is not, or the quotient overflows; it was $\pm\infty$ before issue 13).
    pub fn relative_gap(&self) -> f64 {
        if self.theory == 0.0 {
            if self.gap == 0.0 {
                0.0
            } else {
                f64::MAX.copysign(self.gap)
            }
        } else {
            saturate(self.gap / self.theory.abs())
        }
    }
}

/// `x` with $\pm\infty$ replaced by $\pm$`f64::MAX` (a quotient that overflowed; `NaN` is kept).
pub(crate) fn saturate(x: f64) -> f64 {
    if x.is_infinite() {
        f64::MAX.copysign(x)
    } else {
        x
    }
}

/// Compare a theory value with a simulation estimate, allowing `allowance` (absolute, $\ge 0$)
/// of finite-size bias on top of [`Z_THRESHOLD`] standard errors.
///
/// ```
/// use overparam::compare::{compare, Verdict};
/// use overparam::sim::Estimate;
/// let sim = Estimate::from_trials(vec![1.01, 1.03, 0.99, 1.01])?; // mean 1.01, SE 0.008165
/// let ok = compare(1.0, &sim, 0.0)?;
/// assert_eq!(ok.verdict, Verdict::Agree); // gap 0.01 < 4 SE = 0.033
/// assert!((ok.z - 0.01 / 0.008164965809277263).abs() < 1e-12);
/// assert_eq!(compare(1.1, &sim, 0.01)?.verdict, Verdict::Disagree); // gap 0.09 > 0.033 + 0.01
/// # Ok::<(), overparam::Error>(())
/// ```
///
/// Domain: finite theory value, mean and SE, finite allowance $\ge 0$, and a representable gap
/// (mean $-$ theory not beyond `f64::MAX`). $z$ is saturated at $\pm$`f64::MAX` (see
/// [`Comparison::z`]).
///
/// Errors: [`Error::NonFinite`] for a non-finite theory value or estimate, or a gap that
/// overflows; [`Error::InvalidParameter`] for a negative or non-finite allowance.
pub fn compare(theory: f64, simulation: &Estimate, allowance: f64) -> Result<Comparison> {
    compare_mean(theory, simulation.mean, simulation.std_err, allowance)
}

/// [`compare`] for a derived estimate (an advantage, an AUC, a fitted slope: a value with a
/// standard error but no per-trial values), e.g. the membership simulation's split-threshold
/// advantage.
///
/// ```
/// use overparam::compare::{compare_point, Verdict};
/// use overparam::sim::PointEstimate;
/// let adv = PointEstimate { value: 0.31, std_err: 0.015 };
/// assert_eq!(compare_point(0.3, &adv, 0.0)?.verdict, Verdict::Agree); // |gap| 0.01 < 4 SE
/// assert_eq!(compare_point(0.2, &adv, 0.0)?.verdict, Verdict::Disagree); // 0.11 > 0.06
/// # Ok::<(), overparam::Error>(())
/// ```
///
/// Errors as for [`compare`].
pub fn compare_point(
    theory: f64,
    simulation: &crate::sim::PointEstimate,
    allowance: f64,
) -> Result<Comparison> {
    compare_mean(theory, simulation.value, simulation.std_err, allowance)
}

fn compare_mean(theory: f64, mean: f64, std_err: f64, allowance: f64) -> Result<Comparison> {
    crate::error::finite(theory, "theory value")?;
    crate::error::finite(mean, "simulation mean")?;
    crate::error::finite(std_err, "simulation standard error")?;
    let allowance = crate::error::validate::non_negative("allowance", allowance)?;
    let gap = crate::error::finite(mean - theory, "gap = simulation mean - theory value")?;
    let z = if std_err > 0.0 {
        saturate(gap / std_err)
    } else if gap == 0.0 {
        0.0
    } else {
        f64::MAX.copysign(gap)
    };
    let verdict = if gap.abs() <= Z_THRESHOLD * std_err + allowance {
        Verdict::Agree
    } else {
        Verdict::Disagree
    };
    Ok(Comparison {
        theory,
        mean,
        std_err,
        z,
        gap,
        allowance,
        verdict,
    })
}

/// Theory values of the four metrics a simulation reports (label noise excluded from the test
/// error and its parts, included in the training error).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskValues {
    /// Test error.
    pub test_error: f64,
    /// Bias part of the test error.
    pub bias: f64,
    /// Variance part of the test error.
    pub variance: f64,
    /// Training error.
    pub train_error: f64,
}

/// The metric names of [`RiskValues`], in its order (the primary metric `test_error` first).
pub const RISK_METRICS: [&str; 4] = ["test_error", "bias", "variance", "train_error"];

impl RiskValues {
    /// The values in the order of [`RISK_METRICS`].
    pub fn to_array(&self) -> [f64; 4] {
        [self.test_error, self.bias, self.variance, self.train_error]
    }
}

impl From<&RidgeRisk> for RiskValues {
    fn from(r: &RidgeRisk) -> Self {
        Self {
            test_error: r.test_error,
            bias: r.bias,
            variance: r.variance,
            train_error: r.train_error,
        }
    }
}

impl From<&RfRisk> for RiskValues {
    fn from(r: &RfRisk) -> Self {
        Self {
            test_error: r.test_error,
            bias: r.bias,
            variance: r.variance,
            train_error: r.train_error,
        }
    }
}

/// Theory against simulation for every metric of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskComparison {
    /// Test error.
    pub test_error: Comparison,
    /// Bias part.
    pub bias: Comparison,
    /// Variance part.
    pub variance: Comparison,
    /// Training error.
    pub train_error: Comparison,
}

impl RiskComparison {
    /// Whether all four metrics agree.
    pub fn all_agree(&self) -> bool {
        [self.test_error, self.bias, self.variance, self.train_error]
            .iter()
            .all(|c| c.agrees())
    }
}

/// Smallest allowance, absorbing round-off when both theory and simulation are (nearly) zero,
/// e.g. the training error of an interpolator.
const ROUND_OFF: f64 = 1e-9;

/// Compare the four simulated metrics with their theory values at size `size` (the $d$ of the
/// allowance $\kappa R/d$; use $d$ for random features and $n$ for linear ridge).
///
/// The allowance is $\kappa R/d$ with $R$ the theory test error, for the test error and for its
/// bias and variance parts: the finite-size biases of the two parts are larger than that of their
/// sum and partly cancel (min-norm random features at $\psi = (6, 3)$, $d = 100$: bias $-3.6\%$,
/// variance $+4.3\%$, total $+1.6\%$), so they are measured in units of the total. For the
/// training error $E_{\rm train} = (R + \tau^2)(1 - \mathrm{df}/n)^2$ an $O(1/d)$ error in the
/// degrees of freedom moves it by $O(\sqrt{E_{\rm train}(R + \tau^2)}/d)$, which is much more
/// than $E_{\rm train}/d$ near interpolation, where $E_{\rm train}$ is small; the allowance is
/// $\kappa\max\big(E_{\rm train}, \sqrt{E_{\rm train} R}\big)/d$. Each allowance is at least
/// $10^{-9}$ (round-off, e.g. an interpolator's zero training error).
///
/// Errors: as [`compare`] and [`finite_size_allowance`].
pub fn compare_risks(
    simulation: [&Estimate; 4],
    theory: &RiskValues,
    kappa: f64,
    size: usize,
) -> Result<RiskComparison> {
    let [test, bias, variance, train] = simulation;
    let [scale, _, _, train_allowance] = risk_allowances(theory, kappa, size)?;
    Ok(RiskComparison {
        test_error: compare(theory.test_error, test, scale)?,
        bias: compare(theory.bias, bias, scale)?,
        variance: compare(theory.variance, variance, scale)?,
        train_error: compare(theory.train_error, train, train_allowance)?,
    })
}

/// The allowances [`compare_risks`] uses, in the order of [`RISK_METRICS`]: $\kappa|R|/d$ for
/// the test error and its bias and variance parts, $\kappa\max(E_{\rm train},
/// \sqrt{E_{\rm train}R})/d$ for the training error, each at least $10^{-9}$.
///
/// Errors: as [`finite_size_allowance`].
pub fn risk_allowances(theory: &RiskValues, kappa: f64, size: usize) -> Result<[f64; 4]> {
    let scale = finite_size_allowance(theory.test_error, kappa, size)?.max(ROUND_OFF);
    let train_scale = theory
        .train_error
        .abs()
        .max(theory.train_error.abs().sqrt() * theory.test_error.abs().sqrt());
    let train_allowance = finite_size_allowance(train_scale, kappa, size)?.max(ROUND_OFF);
    Ok([scale, scale, scale, train_allowance])
}

/// [`risk_allowances`] of theory values given in the order of [`RISK_METRICS`] (the form
/// [`crate::experiment::Experiment::allowances`] receives them in).
///
/// Errors: [`Error::DimensionMismatch`] unless there are 4 values; as [`risk_allowances`].
pub(crate) fn risk_allowances_of(theory: &[f64], kappa: f64, size: usize) -> Result<Vec<f64>> {
    let [test_error, bias, variance, train_error] =
        <[f64; 4]>::try_from(theory).map_err(|_| Error::DimensionMismatch {
            what: "risk theory values",
            expected: 4,
            found: theory.len(),
        })?;
    let values = RiskValues {
        test_error,
        bias,
        variance,
        train_error,
    };
    Ok(risk_allowances(&values, kappa, size)?.to_vec())
}

/// Compare a random-features report with the theory (which should be evaluated at the report's
/// realised ratios, e.g. by [`crate::sim::random_features::RandomFeaturesSimulator::theory`]); allowances as
/// in [`compare_risks`] with size $d$.
///
/// Errors: as [`compare_risks`].
pub fn compare_rf(report: &RfSimReport, theory: &RfRisk, kappa: f64) -> Result<RiskComparison> {
    compare_risks(
        [
            &report.test_error,
            &report.bias,
            &report.variance,
            &report.train_error,
        ],
        &RiskValues::from(theory),
        kappa,
        report.d,
    )
}

/// Compare a linear ridge report with the theory at the report's realised $\gamma = p/n$ (e.g.
/// [`crate::sim::ridge::LinearRidgeSimulator::theory`]);
/// allowances as in [`compare_risks`] with size $n$.
///
/// For least squares ($\lambda = 0$, $\gamma < 1$) the exact finite-$n$ mean
/// $\sigma^2 p/(n - p - 1)$ exceeds the limit $\sigma^2\gamma/(1-\gamma)$ by the relative amount
/// $1/(n(1 - \gamma) - 1) \approx \kappa/n$ with $\kappa = 1/(1-\gamma)$, and min-norm
/// ($\gamma > 1$) behaves alike with $\kappa \approx 1/(\gamma - 1)$: [`DEFAULT_KAPPA`] covers
/// $|\gamma - 1| \ge 1/3$; closer to the threshold with small $\lambda$ use a larger $\kappa$.
///
/// Errors: as [`compare_risks`].
pub fn compare_ridge(
    report: &RidgeSimReport,
    theory: &RidgeRisk,
    kappa: f64,
) -> Result<RiskComparison> {
    compare_risks(
        [
            &report.test_error,
            &report.bias,
            &report.variance,
            &report.train_error,
        ],
        &RiskValues::from(theory),
        kappa,
        report.n,
    )
}

/// Least-squares fit of $\log|y|$ against $\log x$: $\log|y| \approx a + b\log x$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLogFit {
    /// The slope $b$.
    pub slope: f64,
    /// The intercept $a$.
    pub intercept: f64,
    /// Standard error of the slope from the residuals (`f64::MAX`, i.e. unknown, with only two
    /// points: it was $\infty$ before issue 13).
    pub slope_std_err: f64,
    /// Number of points.
    pub points: usize,
}

/// Fit $\log|y_i| = a + b\log x_i$ by ordinary least squares.
///
/// ```
/// use overparam::compare::fit_log_log;
/// let fit = fit_log_log(&[100.0, 200.0, 400.0], &[0.02, 0.01, 0.005])?;
/// assert!((fit.slope + 1.0).abs() < 1e-12);
/// # Ok::<(), overparam::Error>(())
/// ```
///
/// Errors: [`Error::DimensionMismatch`] for unequal lengths, [`Error::InvalidParameter`] for fewer
/// than two points, non-positive or non-finite $x$, zero or non-finite $y$, or all $x$ equal.
pub fn fit_log_log(xs: &[f64], ys: &[f64]) -> Result<LogLogFit> {
    if xs.len() != ys.len() {
        return Err(Error::DimensionMismatch {
            what: "log-log fit abscissae and ordinates",
            expected: xs.len(),
            found: ys.len(),
        });
    }
    let m = xs.len();
    if m < 2 {
        return Err(Error::InvalidParameter {
            name: "points",
            value: m as f64,
            expected: "at least two points",
        });
    }
    let mut lx = Vec::with_capacity(m);
    let mut ly = Vec::with_capacity(m);
    for (&x, &y) in xs.iter().zip(ys) {
        lx.push(crate::error::validate::positive("x", x)?.ln());
        if !(y.is_finite() && y != 0.0) {
            return Err(Error::InvalidParameter {
                name: "y",
                value: y,
                expected: "a finite nonzero number",
            });
        }
        ly.push(y.abs().ln());
    }
    let mf = m as f64;
    let mx = lx.iter().sum::<f64>() / mf;
    let my = ly.iter().sum::<f64>() / mf;
    let sxx: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
    if sxx <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "x",
            value: xs[0],
            expected: "at least two distinct abscissae",
        });
    }
    let sxy: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let slope_std_err = if m > 2 {
        let rss: f64 = lx
            .iter()
            .zip(&ly)
            .map(|(x, y)| (y - intercept - slope * x).powi(2))
            .sum();
        saturate((rss / (mf - 2.0) / sxx).sqrt())
    } else {
        f64::MAX
    };
    Ok(LogLogFit {
        slope,
        intercept,
        slope_std_err,
        points: m,
    })
}

/// One dimension of a size sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// Input dimension $d$.
    pub d: usize,
    /// Realised $N/d$.
    pub realised_psi1: f64,
    /// Realised $n/d$.
    pub realised_psi2: f64,
    /// The test-error comparison at the realised ratios (allowance $\kappa R/d$).
    pub comparison: Comparison,
    /// The simulated test error.
    pub simulation: Estimate,
}

/// A size sweep: the test-error gap at increasing $d$ and the fitted decay exponent.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeSweep {
    /// One row per dimension, in the order given.
    pub rows: Vec<SweepRow>,
    /// Least-squares fit of $\log|\mathrm{gap}|$ against $\log d$ (slope $\approx -1$ expected).
    pub fit: LogLogFit,
}

/// Run a random-features simulation at each dimension in `dims` (same nominal ratios, $\lambda$,
/// activation and target as `base`), compare each with the theory at its realised ratios, and fit
/// the decay of the gap.
///
/// `trials` is the number of trials at each $d$; runs are seeded with `seed` for every $d$.
/// A gap of exactly zero cannot enter the log-log fit and is reported as an error.
///
/// Deprecated: use [`crate::experiment::sweep_sizes`], which works for every model (numbers
/// unchanged: this wrapper runs the same simulations with the same seeds).
///
/// Errors: those of the simulation, the theory and [`fit_log_log`].
#[deprecated(note = "use experiment::sweep_sizes (generic over Experiment)")]
#[allow(deprecated)]
pub fn size_sweep(
    base: &RfSimulation,
    dims: &[usize],
    seed: u64,
    trials: usize,
    kappa: f64,
    progress: bool,
) -> Result<SizeSweep> {
    let mut rows = Vec::with_capacity(dims.len());
    for &d in dims {
        let sim = RfSimulation { d, ..base.clone() }.check()?;
        let theory = sim.theory()?.test_error;
        let report = sim.run(seed, trials, progress)?;
        let allowance = finite_size_allowance(theory, kappa, d)?;
        rows.push(SweepRow {
            d,
            realised_psi1: report.realised_psi1,
            realised_psi2: report.realised_psi2,
            comparison: compare(theory, &report.test_error, allowance)?,
            simulation: report.test_error,
        });
    }
    let xs: Vec<f64> = rows.iter().map(|r| r.d as f64).collect();
    let ys: Vec<f64> = rows.iter().map(|r| r.comparison.gap).collect();
    let fit = fit_log_log(&xs, &ys)?;
    Ok(SizeSweep { rows, fit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_and_verdict_edges() {
        // Two identical trials (one trial is no longer an estimate): SE = 0.
        let exact = Estimate::from_trials(vec![2.0, 2.0]).unwrap();
        let c = compare(2.0, &exact, 0.0).unwrap();
        assert_eq!((c.z, c.verdict), (0.0, Verdict::Agree));
        let c = compare(1.0, &exact, 0.5).unwrap();
        // Issue 13: z was +inf inside Ok; it saturates at f64::MAX.
        assert_eq!(c.z, f64::MAX);
        assert_eq!(c.verdict, Verdict::Disagree);
        assert_eq!(c.relative_gap(), 1.0);
        assert!(compare(1.0, &exact, 1.0).unwrap().agrees());
        assert!(compare(f64::NAN, &exact, 0.0).is_err());
        assert!(compare(1.0, &exact, -1.0).is_err());
        assert!(finite_size_allowance(1.0, 3.0, 0).is_err());
    }

    #[test]
    fn log_log_fit_recovers_a_power_law_and_its_noise() {
        // y = 5 d^{-0.5} exactly: slope -0.5, intercept ln 5, zero residual.
        let xs = [10.0, 20.0, 40.0, 80.0];
        let ys: Vec<f64> = xs.iter().map(|x: &f64| -5.0 * x.powf(-0.5)).collect();
        let fit = fit_log_log(&xs, &ys).unwrap();
        assert!((fit.slope + 0.5).abs() < 1e-12);
        assert!((fit.intercept - 5f64.ln()).abs() < 1e-12);
        assert!(fit.slope_std_err < 1e-12);
        // Three points, hand-computed: ln x = 0, 1, 2 (x = 1, e, e^2); ln y = 0, 1, 3.
        let e = std::f64::consts::E;
        let fit = fit_log_log(&[1.0, e, e * e], &[1.0, e, e.powi(3)]).unwrap();
        assert!((fit.slope - 1.5).abs() < 1e-12); // sxy = 3, sxx = 2
        assert!((fit.intercept + 1.0 / 6.0).abs() < 1e-12); // 4/3 - 1.5
        // Residuals 1/6, -1/3, 1/6: rss = 1/6, SE = sqrt(1/6 / 1 / 2).
        assert!((fit.slope_std_err - (1.0f64 / 12.0).sqrt()).abs() < 1e-12);
        assert!(fit_log_log(&[1.0], &[1.0]).is_err());
        assert!(fit_log_log(&[1.0, 1.0], &[1.0, 2.0]).is_err());
        assert!(fit_log_log(&[1.0, 2.0], &[0.0, 2.0]).is_err());
        assert!(fit_log_log(&[1.0, 2.0], &[1.0]).is_err());
    }
}
