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

impl Estimate {
    /// Summarise per-trial values.
    ///
    /// Errors: [`Error::InvalidParameter`] for an empty slice, [`Error::NonFinite`] if a value is
    /// not finite.
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
        let m = per_trial.len();
        if m == 0 {
            return Err(Error::InvalidParameter {
                name: "trials",
                value: 0.0,
                expected: "at least one trial",
            });
        }
        if per_trial.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "Monte Carlo trial value",
            });
        }
        let mean = per_trial.iter().sum::<f64>() / m as f64;
        let std_err = if m > 1 {
            let ss: f64 = per_trial.iter().map(|v| (v - mean) * (v - mean)).sum();
            (ss / (m - 1) as f64 / m as f64).sqrt()
        } else {
            0.0
        };
        Ok(Self {
            mean,
            std_err,
            trials: m,
            per_trial,
        })
    }

    /// Sample standard deviation of the per-trial values, $s = \sqrt m\cdot\mathrm{SE}$.
    pub fn std_dev(&self) -> f64 {
        self.std_err * (self.trials as f64).sqrt()
    }

    /// Relative standard error $\mathrm{SE}/|\bar v|$ (infinite when the mean is zero).
    pub fn relative_std_err(&self) -> f64 {
        if self.mean == 0.0 {
            f64::INFINITY
        } else {
            self.std_err / self.mean.abs()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_trial_and_errors() {
        let e = Estimate::from_trials(vec![3.5]).unwrap();
        assert_eq!((e.mean, e.std_err, e.trials), (3.5, 0.0, 1));
        assert!(Estimate::from_trials(vec![]).is_err());
        assert!(matches!(
            Estimate::from_trials(vec![1.0, f64::NAN]),
            Err(Error::NonFinite { .. })
        ));
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
    /// $z = (\text{value} - \text{reference})/\text{std\_err}$ (infinite if the SE is 0 and they differ).
    pub fn z_score(&self, reference: f64) -> f64 {
        let d = self.value - reference;
        if d == 0.0 { 0.0 } else { d / self.std_err }
    }
}
