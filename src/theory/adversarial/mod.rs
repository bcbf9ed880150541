//! Adversarially trained regression in the proportional limit.
//!
//! - [`rf`]: random-features regression trained against $\ell_2$ perturbations of the inputs
//!   (Hassani & Javanmard 2022, Theorem 4.2): standard and robust test error, training loss,
//!   fraction of zero training residuals, the zero-solution threshold $\varepsilon_0$.
//! - [`linear`]: the linear special case (least squares trained adversarially, $\delta = n/d$),
//!   from its own scalar min-max problem.
//! - [`scalar`]: the shared scalar functions (Stieltjes transform, proximal expectation, $\nu^\star$).
//!
//! Both scalar problems are solved by Newton's method on their stationarity equations with analytic
//! gradients (see [`rf`] for the details and the traps it avoids).

pub mod linear;
pub mod rf;
pub mod scalar;
mod stationary;

pub use linear::{AdversarialLinear, AdversarialLinearModel, AdversarialLinearSolution};
pub use rf::{
    AdversarialRf, AdversarialRfModel, AdversarialRfSolution, ObjectiveEval, RobustExtrema,
    SaddlePoint, robust_extrema,
};
