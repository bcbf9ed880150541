//! Monte Carlo estimates: per-trial values with their mean and standard error.

use crate::error::{Error, Result};

/// A Monte Carlo estimate of one metric over independent trials.
///
/// `mean` $= \bar v = \frac1m\sum_k v_k$ and `std_err` $= s/\sqrt m$ with the unbiased sample
/// standard deviation $s^2 = \frac1{m-1}\sum_k (v_k - \bar v)^2$ ($0$ for a single trial).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Sample mean over trials.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_err: f64,
    /// Number of trials $m$.
    pub trials: usize,
    /// The value of every trial, in trial order.
    pub per_trial: Vec<f64>,
}

/// Mean and standard error of `values / scale` (at least two values).
fn mean_and_std_err(values: &[f64], scale: f64) -> (f64, f64) {
    let m = values.len() as f64;
    let mean = values.iter().map(|v| v / scale).sum::<f64>() / m;
    let ss: f64 = values
        .iter()
        .map(|v| (v / scale - mean) * (v / scale - mean))
        .sum();
    (mean, (ss / (m - 1.0) / m).sqrt())
}

impl Estimate {
    /// Summarise per-trial values: the mean $\bar v$ and the standard error
    /// $\mathrm{SE} = \sqrt{\sum_k (v_k - \bar v)^2/((m - 1)m)}$ of $m$ trials.
    ///
    /// Domain: at least [`crate::sim::MIN_TRIALS`] $= 2$ finite values (one trial has no standard
    /// error: it used to give $\mathrm{SE} = 0$ and an infinite z-score). The mean and SE are finite
    /// for every finite input: when the plain sums overflow (values beyond $\sim10^{154}$) they are
    /// recomputed on values scaled by $\max_k |v_k|$.
    ///
    /// Errors: [`Error::InvalidParameter`] naming `trials` for fewer than 2 values,
    /// [`Error::NonFinite`] if a value is not finite.
    ///
    /// ```
    /// use overparam::sim::Estimate;
    /// let e = Estimate::from_trials(vec![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(e.mean, 2.5);
    /// // s^2 = 5/3, SE = sqrt(5/3 / 4)
    /// assert!((e.std_err - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn from_trials(per_trial: Vec<f64>) -> Result<Self> {
        Self::from_trials_at_least(per_trial, crate::sim::MIN_TRIALS)
    }

    /// [`Estimate::from_trials`] with another minimum number of trials: `1` for the deprecated
    /// positional `run(seed, trials, progress)` methods, which accept a single trial and report
    /// its standard error as 0 (as they always did).
    pub(crate) fn from_trials_at_least(per_trial: Vec<f64>, min_trials: usize) -> Result<Self> {
        let m = per_trial.len();
        if m < min_trials.max(1) {
            return Err(Error::InvalidParameter {
                name: "trials",
                value: m as f64,
                expected: "at least 2 trials (sim::MIN_TRIALS: a standard error needs two)",
            });
        }
        if m == 1 {
            let v = crate::error::finite(per_trial[0], "Monte Carlo trial value")?;
            return Ok(Self {
                mean: v,
                std_err: 0.0,
                trials: 1,
                per_trial,
            });
        }
        if per_trial.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "Monte Carlo trial value",
            });
        }
        let (mut mean, mut std_err) = mean_and_std_err(&per_trial, 1.0);
        if !(mean.is_finite() && std_err.is_finite()) {
            // The sums overflowed: the same formulas on v / max|v| (each term at most 4), rescaled.
            let scale = per_trial.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let (m_scaled, se_scaled) = mean_and_std_err(&per_trial, scale);
            mean = m_scaled * scale;
            std_err = (se_scaled * scale).min(f64::MAX);
        }
        Ok(Self {
            mean,
            std_err,
            trials: m,
            per_trial,
        })
    }

    /// Sample standard deviation of the per-trial values, $s = \sqrt m\cdot\mathrm{SE}$, saturated
    /// at `f64::MAX` when it is not representable (trials near $\pm$`f64::MAX`).
    pub fn std_dev(&self) -> f64 {
        crate::compare::saturate(self.std_err * (self.trials as f64).sqrt())
    }

    /// Relative standard error $\mathrm{SE}/|\bar v|$, saturated at `f64::MAX` (when the mean is
    /// zero, or the quotient overflows; it was $+\infty$ before issue 13).
    pub fn relative_std_err(&self) -> f64 {
        if self.mean == 0.0 {
            f64::MAX
        } else {
            crate::compare::saturate(self.std_err / self.mean.abs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_trial_and_errors() {
        // Issue 13: one trial was accepted with SE = 0 (so z = +-inf); two are required.
        assert!(matches!(
            Estimate::from_trials(vec![3.5]),
            Err(Error::InvalidParameter { name: "trials", .. })
        ));
        let e = Estimate::from_trials(vec![3.5, 3.5]).unwrap();
        assert_eq!((e.mean, e.std_err, e.trials), (3.5, 0.0, 2));
        assert!(Estimate::from_trials(vec![]).is_err());
        assert!(matches!(
            Estimate::from_trials(vec![1.0, f64::NAN]),
            Err(Error::NonFinite { .. })
        ));
    }

    /// The plain sums overflow beyond ~1e154; the scaled recomputation gives the finite values.
    #[test]
    fn huge_trials_have_a_finite_mean_and_standard_error() {
        let e = Estimate::from_trials(vec![1e300, -1e300, 1e300, -1e300]).unwrap();
        assert_eq!(e.mean, 0.0);
        // s^2 = 4e600/3, SE = sqrt(s^2/4) = 1e300/sqrt(3).
        assert!(
            (e.std_err / (1e300 / 3f64.sqrt()) - 1.0).abs() < 1e-15,
            "{e:?}"
        );
        let e = Estimate::from_trials(vec![f64::MAX, -f64::MAX]).unwrap();
        assert_eq!(e.mean, 0.0);
        assert_eq!(e.std_err, f64::MAX); // exact value MAX, computed without overflow
        assert_eq!(e.std_dev(), f64::MAX); // sqrt(2) MAX is not representable: saturated
        let e = Estimate::from_trials(vec![1.0, 5e-324, 1e160, 2.0]).unwrap();
        assert!(e.mean.is_finite() && e.std_err.is_finite());
        assert!((e.mean / 2.5e159 - 1.0).abs() < 1e-15, "{e:?}");
    }

    #[test]
    fn standard_error_of_a_known_sample() {
        // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, s^2 = 32/7.
        let e = Estimate::from_trials(vec![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(e.mean, 5.0);
        assert!((e.std_err - (32.0f64 / 7.0 / 8.0).sqrt()).abs() < 1e-15);
        assert!((e.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < 1e-14);
        assert!((e.relative_std_err() - e.std_err / 5.0).abs() < 1e-16);
    }
}

/// A derived Monte Carlo estimate (not a plain mean over trials) with its standard error.
///
/// Plain means over trials are reported as [`Estimate`] (with their per-trial values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointEstimate {
    /// The estimate.
    pub value: f64,
    /// Its standard error.
    pub std_err: f64,
}

impl From<&Estimate> for PointEstimate {
    fn from(e: &Estimate) -> Self {
        Self {
            value: e.mean,
            std_err: e.std_err,
        }
    }
}

impl PointEstimate {
    /// $z = (\text{value} - \text{reference})/\text{std\_err}$, saturated at $\pm$`f64::MAX` (if the
    /// SE is 0 and they differ, or the quotient overflows; it was $\pm\infty$ before issue 13).
    /// `NaN` only for a `NaN` argument or field.
    pub fn z_score(&self, reference: f64) -> f64 {
        let d = self.value - reference;
        if d == 0.0 {
            0.0
        } else {
            crate::compare::saturate(d / self.std_err)
        }
    }
}
