//! Random features whose second layer is trained by gradient flow (or gradient descent, heavy
//! ball, Nesterov) from zero: exact test and training error over time in the proportional limit.
//!
//! # Route
//!
//! The second-layer fit is a linear regression on the random features; by Gaussian equivalence
//! ([`crate::theory::rf_equivalent`]) it is a well-specified Gaussian linear regression in
//! $N$ dimensions with $\gamma = N/n = \psi_1/\psi_2$, the population
//! $\lambda(s) = \mu_1^2 s + \mu_\star^2$, $s \sim \mathrm{MP}_{\psi_1}$, signal energy
//! $r^2 = \|\theta_\star\|^2$ and effective noise
//! $\sigma_{\rm eff}^2 = F_1^2(1 - e_1) + F_\star^2 + \tau^2$. Every first-order method is a spectral filter of the feature Gram matrix, so its risk
//! is that of the same filter in the linear model, which
//! [`crate::theory::dynamics::AnisotropicDynamics`] computes for any population (a double contour
//! integral of the two-resolvent deterministic equivalent). Then
//!
//! $$R_{\rm RF}(t) = R_{\rm lin}(t) + F_1^2(1 - e_1) + F_\star^2,\qquad
//!   E^{\rm RF}_{\rm train}(t) = E^{\rm lin}_{\rm train}(t).$$
//!
//! The loss is $L(a) = \frac1{2n}\|y - Za\|^2 + \frac{\lambda_{\rm lin}}2\|a\|^2$ with
//! $\lambda_{\rm lin} = \psi_1\lambda$ (MM's $\lambda$, so that $t \to \infty$ is MM's ridge
//! estimator; $\lambda = 0$: the min-norm / least-squares fit, MM's ridgeless limit, Mei &
//! Montanari 2022, arXiv:1908.05355, Theorem 3). This is the quantity Bodin & Macris 2021
//! (arXiv:2110.11805) write as a double contour integral of the two-point resolvent functional
//! of the random-features Gram matrix; here the Gaussian equivalence moves the whole
//! computation onto the linear model.
//!
//! The bias/variance split is Mei–Montanari's grouping: `variance` $= (\tau^2 + F_\star^2)
//! \cdot V_{\rm lin}/\sigma_{\rm eff}^2$ (the part proportional to the noise-like energies),
//! `bias` the rest. Domain: that of [`RandomFeatures::check`] and of
//! `AnisotropicDynamics::check`, which rejects $\psi_1 = \psi_2$ exactly (there the spectrum
//! of the Gram matrix touches 0, which its contour quadrature does not support; error naming
//! `gamma`).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::theory::dynamics::{
    Algorithm, AnisotropicDynamics, AnisotropicDynamicsModel, DynamicsRisk,
};
use crate::theory::random_features::{OptimalLambda, RandomFeatures, RandomFeaturesModel, RfRisk};
use crate::theory::rf_equivalent::{RfEquivalent, random_features_equivalent};

/// Unchecked parameters: a random-features model and the method.
///
/// `model.lambda` is MM's ridge penalty; the loss carries $\lambda_{\rm lin} = \psi_1\lambda$
/// (default $\lambda = 10^{-3}$ of [`RandomFeatures::default`]; set `lambda: 0.0` for plain
/// least squares).
#[derive(Debug, Clone, Default)]
pub struct RfDynamics {
    /// The random-features model.
    pub model: RandomFeatures,
    /// The method.
    pub algorithm: Algorithm,
    /// Step $\eta > 0$ of a discrete method (ignored by gradient flow).
    pub lr: f64,
    /// Momentum $m \in [0, 1)$ of heavy ball / Nesterov.
    pub momentum: f64,
}

/// A validated random-features dynamics problem.
#[derive(Debug, Clone)]
pub struct RfDynamicsModel {
    rf: RandomFeaturesModel,
    equivalent: RfEquivalent,
    linear: AnisotropicDynamicsModel,
}

/// Test and training error at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfDynamicsRisk {
    /// Gradient-flow time $t$, or the number of steps.
    pub time: f64,
    /// Test error (label noise excluded), as `rf`'s `test_error`.
    pub test_error: f64,
    /// Bias part (MM's grouping: everything proportional to $F_1^2$, plus $F_\star^2$).
    pub bias: f64,
    /// Variance part ($\propto \tau^2 + F_\star^2$).
    pub variance: f64,
    /// Training error $\frac1n\|y - Za\|^2$ (label noise included).
    pub train_error: f64,
    /// Estimated quadrature error: the linear model's contour quadrature plus the reduction's.
    pub quadrature_error: f64,
}

/// The early-stopping optimum of random features and its comparison with optimally tuned ridge
/// ([`RfDynamicsModel::early_stopping`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfEarlyStopping {
    /// The risks at the optimal time (its `time` is the optimal $t$ or $k$).
    pub at_optimum: RfDynamicsRisk,
    /// Whether the optimum is at a finite time; false when the test error decreases to its
    /// long-time limit.
    pub stops_early: bool,
    /// Optimally tuned random-features ridge
    /// ([`RandomFeaturesModel::optimal_lambda`], MM's $\lambda$).
    pub ridge: OptimalLambda,
    /// `at_optimum.test_error / ridge.risk.test_error`.
    pub ratio_to_ridge: f64,
}

impl RfDynamics {
    /// Validate: the model ([`RandomFeatures::check`]), the reduction, and the linear dynamics
    /// problem (method, step, momentum, stability).
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field (the model's; `lr`, `momentum`;
    /// `gamma` for $\psi_1 = \psi_2$); those of [`random_features_equivalent`].
    pub fn check(&self) -> Result<RfDynamicsModel> {
        let rf = self.model.check()?;
        let equivalent = random_features_equivalent(&rf)?;
        let linear =
            AnisotropicDynamics::new(Arc::clone(equivalent.population()), equivalent.gamma())
                .with_energies(equivalent.signal_energy(), equivalent.noise_energy())
                .with_lambda(equivalent.ridge_lambda())
                .with_algorithm(self.algorithm, self.lr, self.momentum)
                .check()
                .map_err(|e| match e {
                    Error::InvalidParameter { name: "gamma", .. } => Error::InvalidParameter {
                        name: "psi1",
                        value: rf.reduced().psi1(),
                        expected: "psi1 != psi2 (at N = n the spectrum of the feature Gram \
                                   matrix touches 0, which the contour quadrature does not support)",
                    },
                    e => e,
                })?;
        Ok(RfDynamicsModel {
            rf,
            equivalent,
            linear,
        })
    }
}

impl RfDynamicsModel {
    /// The random-features model.
    pub fn random_features(&self) -> &RandomFeaturesModel {
        &self.rf
    }
    /// The linear equivalent.
    pub fn equivalent(&self) -> &RfEquivalent {
        &self.equivalent
    }
    /// The linear dynamics problem on the equivalent population.
    pub fn linear(&self) -> &AnisotropicDynamicsModel {
        &self.linear
    }
    /// The method.
    pub fn algorithm(&self) -> Algorithm {
        self.linear.algorithm()
    }

    fn lift(&self, r: DynamicsRisk) -> Result<RfDynamicsRisk> {
        let eq = &self.equivalent;
        let test_error = r.test_error + eq.constant();
        let noise_like = eq.label_noise() + self.rf.f_star_sq();
        let variance = if eq.noise_energy() > 0.0 {
            r.variance * (noise_like / eq.noise_energy())
        } else {
            0.0
        };
        let out = RfDynamicsRisk {
            time: r.time,
            test_error,
            bias: test_error - variance,
            variance,
            // A squared norm: the contour quadrature's rounding of an interpolating fit (0) can
            // come out a hair below 0.
            train_error: r.train_error.max(0.0),
            quadrature_error: r.quadrature_error + eq.quadrature_error(),
        };
        if [out.test_error, out.bias, out.variance, out.train_error]
            .iter()
            .all(|v| v.is_finite())
        {
            Ok(out)
        } else {
            Err(Error::NonFinite {
                what: "random-features dynamics risk",
            })
        }
    }

    /// The risks at `time` (gradient-flow time, or an integer number of steps).
    ///
    /// Errors: those of `AnisotropicDynamicsModel::at` (`time` / `steps` out of range).
    pub fn at(&self, time: f64) -> Result<RfDynamicsRisk> {
        self.lift(self.linear.at(time)?)
    }

    /// The risks at every time of `times` (one quadrature for the whole curve).
    ///
    /// Errors: as [`Self::at`].
    pub fn curve(&self, times: &[f64]) -> Result<Vec<RfDynamicsRisk>> {
        self.linear
            .curve(times)?
            .into_iter()
            .map(|r| self.lift(r))
            .collect()
    }

    /// The early-stopping optimum: the time (or step count) minimising the test error, and the
    /// comparison with optimally tuned ridge. The random-features test error is the linear
    /// equivalent's plus a constant, so the optimum is
    /// [`AnisotropicDynamicsModel::early_stopping_optimum`] on the equivalent population (same
    /// search), lifted; the ridge is Mei–Montanari's at [`RandomFeaturesModel::optimal_lambda`]
    /// (equal to the anisotropic optimal ridge on the equivalent population, tested).
    ///
    /// Errors: those of [`Self::at`] and of [`RandomFeaturesModel::optimal_lambda`];
    /// [`Error::NonFinite`] if the ratio is not finite.
    pub fn early_stopping(&self) -> Result<RfEarlyStopping> {
        let (opt, stops_early) = self.linear.early_stopping_optimum()?;
        let at_optimum = self.lift(opt)?;
        let ridge = self.rf.optimal_lambda()?;
        let ratio = at_optimum.test_error / ridge.risk.test_error;
        Ok(RfEarlyStopping {
            at_optimum,
            stops_early,
            ridge,
            ratio_to_ridge: crate::error::finite(ratio, "early stopping ratio to ridge")?,
        })
    }

    /// The long-time limit: Mei–Montanari's ridge risk at the model's $\lambda$ (the ridgeless
    /// limit for $\lambda = 0$).
    ///
    /// Errors: those of `RandomFeaturesModel::risk` (e.g. $\lambda = 0$ at $\psi_1 = \psi_2$).
    pub fn limit(&self) -> Result<RfRisk> {
        self.rf.risk()
    }
}
