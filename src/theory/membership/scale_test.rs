//! The optimal membership test between two centred Gaussians of different variances.
//!
//! Both threat models of this module end in the same one-dimensional problem: the attacker's
//! statistic $T$ (the released output, or the residual) is $\mathcal N(0, v_1)$ for members and
//! $\mathcal N(0, v_0)$ for non-members. With prior $1/2$ the Bayes-optimal test thresholds
//! $|T|$, and its advantage (true-positive rate minus false-positive rate, Yeom et al. 2018,
//! Def. 4) equals the total-variation distance
//!
//! $$\mathrm{Adv}(\rho) = 2\Big[\Phi\Big(\sqrt{\tfrac{\rho\ln\rho}{\rho-1}}\Big) -
//!   \Phi\Big(\sqrt{\tfrac{\ln\rho}{\rho-1}}\Big)\Big],
//!   \qquad \rho = \frac{\max(v_0, v_1)}{\min(v_0, v_1)} \ge 1,$$
//!
//! the area under the ROC curve of the $|T|$ score is $\mathrm{AUC} = \tfrac2\pi\arctan\sqrt\rho$,
//! and the ROC curve is explicit (see [`ScaleTest::tpr_at_fpr`]). (Tan, Mason, Javadi, Baraniuk,
//! *Parameters or Privacy*, NeurIPS 2022, arXiv:2202.01243, §3; the closed forms are derived in
//! docs/membership.md#derivation-notes-two-gaussians.)
//!
//! # Numerics
//!
//! With $\ell = \ln\rho$ the two arguments are $x_b = \sqrt{\ell/(1 - e^{-\ell})}$ and
//! $x_s = \sqrt{\ell/(e^{\ell} - 1)}$, evaluated with `expm1`, so $\rho \to 1$ is no $0/0$.
//! Because $x_b^2 - x_s^2 = \ell$ exactly, the width $x_b - x_s = \ell/(x_b + x_s)$ has no
//! cancellation; when it is below 1 the advantage is computed as $2\int_{x_s}^{x_b}\varphi$ by
//! 8-point Gauss–Legendre (relative error $\sim 10^{-16}$, and $\approx \varphi(1)\,\ell$ as
//! $\ell \to 0$), otherwise as $2[\bar\Phi(x_s) - \bar\Phi(x_b)]$ with the tail-stable
//! [`crate::gaussian::normal::sf`].

use std::f64::consts::{FRAC_2_PI, SQRT_2};

use crate::error::{Error, Result};
use crate::gaussian::normal;

/// 8-point Gauss–Legendre nodes (positive half) and weights on $[-1, 1]$ (tabulated values).
#[allow(clippy::excessive_precision)]
const GL8: [(f64, f64); 4] = [
    (0.183_434_642_495_649_8, 0.362_683_783_378_362_0),
    (0.525_532_409_916_329_0, 0.313_706_645_877_887_3),
    (0.796_666_477_413_626_7, 0.222_381_034_453_374_5),
    (0.960_289_856_497_536_3, 0.101_228_536_290_376_3),
];

/// A point of an ROC curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    /// False-positive rate (non-members called members).
    pub fpr: f64,
    /// True-positive rate (members called members).
    pub tpr: f64,
}

/// The likelihood-ratio test between $\mathcal N(0, v_1)$ (member) and $\mathcal N(0, v_0)$
/// (non-member).
///
/// ```
/// use overparam::theory::membership::ScaleTest;
/// // Variance ratio 3: AUC = (2/pi) arctan(sqrt 3) = 2/3 exactly.
/// let t = ScaleTest::new(3.0, 1.0)?;
/// assert!((t.auc() - 2.0 / 3.0).abs() < 1e-15);
/// assert!((t.advantage() - 0.259359).abs() < 1e-6);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleTest {
    member_variance: f64,
    nonmember_variance: f64,
    log_ratio: f64,
}

impl ScaleTest {
    /// The test between member variance $v_1 \ge 0$ and non-member variance $v_0 > 0$.
    ///
    /// $v_1 = 0$ is allowed (members are identified exactly: advantage 1).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if a variance is not finite or out of range.
    pub fn new(member_variance: f64, nonmember_variance: f64) -> Result<Self> {
        if !(member_variance.is_finite() && member_variance >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "member_variance",
                value: member_variance,
                expected: "a finite number >= 0",
            });
        }
        if !(nonmember_variance.is_finite() && nonmember_variance > 0.0) {
            return Err(Error::InvalidParameter {
                name: "nonmember_variance",
                value: nonmember_variance,
                expected: "a finite number > 0",
            });
        }
        Ok(Self {
            member_variance,
            nonmember_variance,
            // -inf at v1 = 0 saturates at -f64::MAX (docs/numerics.md, "Saturation"): every
            // statistic below reads it as "beyond any threshold" (advantage 1, AUC 1).
            log_ratio: (member_variance.ln() - nonmember_variance.ln()).max(-f64::MAX),
        })
    }

    /// The test with member variance `member_variance` $= v_0 e^{\ell}$ and a log ratio $\ell$
    /// known more accurately than the ratio of the rounded variances (caller guarantees
    /// consistency and validity).
    pub(crate) fn with_log_ratio(
        member_variance: f64,
        nonmember_variance: f64,
        log_ratio: f64,
    ) -> Result<Self> {
        let mut t = Self::new(member_variance, nonmember_variance)?;
        if !log_ratio.is_nan() {
            t.log_ratio = log_ratio.clamp(-f64::MAX, f64::MAX);
        }
        Ok(t)
    }

    /// Member variance $v_1$.
    pub fn member_variance(&self) -> f64 {
        self.member_variance
    }

    /// Non-member variance $v_0$.
    pub fn nonmember_variance(&self) -> f64 {
        self.nonmember_variance
    }

    /// $\ln(v_1/v_0)$; $-\infty$ when $v_1 = 0$, reported saturated as `-f64::MAX`.
    pub fn log_ratio(&self) -> f64 {
        self.log_ratio
    }

    /// $\rho = \max(v_0,v_1)/\min(v_0,v_1) \ge 1$; beyond `f64::MAX` (e.g. $v_1 = 0$) it
    /// saturates at `f64::MAX`.
    pub fn variance_ratio(&self) -> f64 {
        self.log_ratio.abs().exp().min(f64::MAX)
    }

    /// Whether members have the larger variance (then the test says "member" for large $|T|$).
    pub fn member_has_larger_variance(&self) -> bool {
        self.log_ratio > 0.0
    }

    /// The optimal advantage $\mathrm{Adv}(\rho) = \max_\tau (\mathrm{TPR} - \mathrm{FPR})$,
    /// equal to the total-variation distance between the two laws.
    pub fn advantage(&self) -> f64 {
        advantage_from_log_ratio(self.log_ratio.abs())
    }

    /// Accuracy of the Bayes-optimal test at prior $1/2$: $(1 + \mathrm{Adv})/2$.
    pub fn accuracy(&self) -> f64 {
        0.5 * (1.0 + self.advantage())
    }

    /// Area under the ROC curve of the $|T|$ score, $\tfrac2\pi\arctan\sqrt\rho$.
    pub fn auc(&self) -> f64 {
        FRAC_2_PI * (0.5 * self.log_ratio.abs()).exp().atan()
    }

    /// The optimal threshold $\alpha$ on $|T|$ (where the two densities cross):
    /// $\alpha^2 = v_s v_b \ln(v_b/v_s)/(v_b - v_s)$. `None` when $v_0 = v_1$ (every threshold
    /// has advantage 0); `Some(0.0)` when the smaller variance is 0 (a point mass at 0 against a
    /// Gaussian: the test $|T| \le 0$ has advantage 1).
    pub fn threshold(&self) -> Option<f64> {
        let l = self.log_ratio.abs();
        if l == 0.0 {
            return None;
        }
        let v_small = self.member_variance.min(self.nonmember_variance);
        if v_small == 0.0 {
            return Some(0.0);
        }
        Some((v_small * large_arg_sq(l)).sqrt())
    }

    /// True-positive rate of the $|T|$ test at false-positive rate $f \in [0, 1]$.
    ///
    /// Member variance larger (say "member" if $|T| \ge \tau$):
    /// $\mathrm{TPR} = 2\bar\Phi\big(\bar\Phi^{-1}(f/2)/\sqrt\rho\big)$.
    /// Member variance smaller (say "member" if $|T| \le \tau$):
    /// $\mathrm{TPR} = \operatorname{erf}\big(\sqrt\rho\, z/\sqrt2\big)$ with
    /// $\operatorname{erf}(z/\sqrt2) = f$, i.e. $2\Phi(\sqrt\rho\,\Phi^{-1}(\tfrac{1+f}2)) - 1$.
    ///
    /// Defined for every valid test (any $\rho \in [1, \infty]$, including subnormal or zero
    /// member variance) and returns a rate in $[0, 1]$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`fpr`) if $f \notin [0, 1]$ (or NaN).
    pub fn tpr_at_fpr(&self, fpr: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&fpr) {
            return Err(Error::InvalidParameter {
                name: "fpr",
                value: fpr,
                expected: "a rate in [0, 1]",
            });
        }
        let l = self.log_ratio;
        if fpr == 1.0 {
            return Ok(1.0);
        }
        if l <= -f64::MAX {
            // Members have T = 0 exactly: the threshold tau = 0 catches all of them.
            return Ok(1.0);
        }
        if fpr == 0.0 {
            return Ok(0.0);
        }
        if l == 0.0 {
            return Ok(fpr);
        }
        if l > 0.0 {
            // z = upper f/2 quantile of N(0,1); quantile of a small probability is accurate.
            let z = -normal::quantile(0.5 * fpr)?;
            Ok(2.0 * normal::sf(z * (-0.5 * l).exp()))
        } else {
            let z = half_normal_quantile(fpr)?;
            // erf(x) rounds to exactly 1 for x >= 6 (1 - erf(6) = 2.2e-17 < eps/2); beyond,
            // sqrt(rho) z may overflow (v1 subnormal), so the saturated value is returned directly.
            let x = z * (0.5 * l.abs()).exp() / SQRT_2;
            if x >= 6.0 {
                Ok(1.0)
            } else {
                crate::error::finite(normal::erf(x), "true-positive rate")
            }
        }
    }

    /// The ROC curve at the given false-positive rates.
    ///
    /// # Errors
    /// As [`ScaleTest::tpr_at_fpr`].
    pub fn roc(&self, fprs: &[f64]) -> Result<Vec<RocPoint>> {
        fprs.iter()
            .map(|&fpr| {
                Ok(RocPoint {
                    fpr,
                    tpr: self.tpr_at_fpr(fpr)?,
                })
            })
            .collect()
    }
}

/// $x_b^2 = \ell/(1 - e^{-\ell}) = \rho\ln\rho/(\rho - 1)$.
fn large_arg_sq(l: f64) -> f64 {
    l / -(-l).exp_m1()
}

/// $x_s^2 = \ell/(e^\ell - 1) = \ln\rho/(\rho - 1)$.
fn small_arg_sq(l: f64) -> f64 {
    l / l.exp_m1()
}

/// $\mathrm{Adv}$ as a function of $\ell = |\ln\rho| \in [0, \infty]$.
fn advantage_from_log_ratio(l: f64) -> f64 {
    if l == 0.0 {
        return 0.0;
    }
    if l >= f64::MAX {
        // An infinite (saturated) log ratio: one law is a point mass.
        return 1.0;
    }
    let xb = large_arg_sq(l).sqrt();
    let xs = small_arg_sq(l).sqrt();
    let width = l / (xb + xs);
    let a = if width <= 1.0 {
        let mid = 0.5 * (xb + xs);
        let half = 0.5 * width;
        let integral: f64 = GL8
            .iter()
            .map(|&(t, w)| w * (normal::pdf(mid - half * t) + normal::pdf(mid + half * t)))
            .sum::<f64>()
            * half;
        2.0 * integral
    } else {
        2.0 * (normal::sf(xs) - normal::sf(xb))
    };
    a.clamp(0.0, 1.0)
}

/// The $z \ge 0$ with $P(|Z| \le z) = \operatorname{erf}(z/\sqrt2) = f$, for $f \in (0, 1)$,
/// accurate also for tiny $f$ (Newton on the relatively accurate `erf` near 0).
fn half_normal_quantile(f: f64) -> Result<f64> {
    let mut z = normal::quantile(0.5 * (1.0 + f))?;
    if z <= 0.0 {
        z = f * (std::f64::consts::PI / 2.0).sqrt();
    }
    for _ in 0..3 {
        let g = normal::erf(z / SQRT_2) - f;
        let dz = g / (2.0 * normal::pdf(z));
        if !dz.is_finite() {
            break;
        }
        z -= dz;
    }
    crate::error::finite(z, "half-normal quantile")
}
