//! Activation functions and their Gaussian (Hermite) coefficients.
//!
//! INTERFACE STUB: the public API below is fixed; the implementation is being completed.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};

/// Hermite coefficients of an activation $\sigma$ under $G \sim \mathcal N(0,1)$:
/// $\mu_0 = \mathbb E\,\sigma(G)$, $\mu_1 = \mathbb E[G\sigma(G)]$, $\mu_2 = \mathbb E\,\sigma(G)^2$,
/// $\mu_\star^2 = \mu_2 - \mu_0^2 - \mu_1^2$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivationCoefficients {
    /// $\mu_0 = \mathbb E\,\sigma(G)$.
    pub mu0: f64,
    /// $\mu_1 = \mathbb E[G\,\sigma(G)]$.
    pub mu1: f64,
    /// $\mu_2 = \mathbb E\,\sigma(G)^2$.
    pub mu2: f64,
    /// $\mu_\star^2 = \mu_2 - \mu_0^2 - \mu_1^2$ (the nonlinear energy).
    pub mu_star_sq: f64,
}

impl ActivationCoefficients {
    /// $\mu_\star = \sqrt{\mu_\star^2}$.
    pub fn mu_star(&self) -> f64 {
        self.mu_star_sq.max(0.0).sqrt()
    }
    /// $\zeta^2 = \mu_1^2 / \mu_\star^2$ (infinite for a linear activation).
    pub fn zeta_sq(&self) -> f64 {
        self.mu1 * self.mu1 / self.mu_star_sq
    }
}

/// A user-supplied activation.
#[derive(Clone)]
pub struct CustomActivation {
    name: String,
    function: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
    kinks: Vec<f64>,
}

/// An activation function $\sigma: \mathbb R \to \mathbb R$.
#[derive(Clone)]
#[non_exhaustive]
pub enum Activation {
    /// $\max(x, 0)$.
    Relu,
    /// $|x|$.
    Abs,
    /// $\tanh x$.
    Tanh,
    /// $\operatorname{erf} x$.
    Erf,
    /// $1/(1+e^{-x})$.
    Sigmoid,
    /// $\log(1+e^{x})$.
    Softplus,
    /// $x$.
    Linear,
    /// $\mathrm{He}_2(x) = x^2 - 1$.
    Quadratic,
    /// A user closure.
    Custom(CustomActivation),
}

impl Activation {
    /// A user activation (assumed smooth).
    pub fn custom<F: Fn(f64) -> f64 + Send + Sync + 'static>(name: &str, f: F) -> Self {
        Self::custom_with_kinks(name, f, &[])
    }
    /// A user activation with kinks (points of non-differentiability) at `kinks`.
    pub fn custom_with_kinks<F: Fn(f64) -> f64 + Send + Sync + 'static>(
        name: &str,
        f: F,
        kinks: &[f64],
    ) -> Self {
        Self::Custom(CustomActivation {
            name: name.to_string(),
            function: Arc::new(f),
            kinks: kinks.to_vec(),
        })
    }
    /// $\sigma(x)$.
    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Self::Relu => x.max(0.0),
            Self::Abs => x.abs(),
            Self::Tanh => x.tanh(),
            Self::Erf => statrs::function::erf::erf(x),
            Self::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Self::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Self::Linear => x,
            Self::Quadratic => x * x - 1.0,
            Self::Custom(c) => (c.function)(x),
        }
    }
    /// The CLI name (`relu`, `abs`, ...), or the user's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Relu => "relu",
            Self::Abs => "abs",
            Self::Tanh => "tanh",
            Self::Erf => "erf",
            Self::Sigmoid => "sigmoid",
            Self::Softplus => "softplus",
            Self::Linear => "linear",
            Self::Quadratic => "quadratic",
            Self::Custom(c) => &c.name,
        }
    }
    /// The Hermite coefficients.
    pub fn coefficients(&self) -> Result<ActivationCoefficients> {
        match self {
            Self::Relu => {
                let mu0 = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
                Ok(ActivationCoefficients {
                    mu0,
                    mu1: 0.5,
                    mu2: 0.5,
                    mu_star_sq: 0.25 - 0.5 / std::f64::consts::PI,
                })
            }
            _ => {
                let _ = &self;
                Err(Error::NonFinite { what: "activation coefficients (stub)" })
            }
        }
    }
}

impl fmt::Debug for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Activation({})", self.name())
    }
}

impl FromStr for Activation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "relu" => Self::Relu,
            "abs" => Self::Abs,
            "tanh" => Self::Tanh,
            "erf" => Self::Erf,
            "sigmoid" => Self::Sigmoid,
            "softplus" => Self::Softplus,
            "linear" => Self::Linear,
            "quadratic" => Self::Quadratic,
            _ => {
                return Err(Error::InvalidChoice {
                    name: "activation",
                    value: s.to_string(),
                    expected: "one of relu|abs|tanh|erf|sigmoid|softplus|linear|quadratic",
                })
            }
        })
    }
}
