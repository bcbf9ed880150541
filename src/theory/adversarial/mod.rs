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
//!
//! ```
//! use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
//!
//! // psi1 = N/d = 3, psi2 = n/d = 2, tau^2 = 0.25, training and test radius 0.3.
//! let model = AdversarialRf { psi1: 3.0, psi2: 2.0, tau2: 0.25, eps: 0.3, eps_test: None }.check()?;
//! let s = model.solve()?;
//! assert!((s.standard_error - 1.0841357).abs() < 1e-6);
//! assert!((s.robust_error - 1.93147921).abs() < 1e-7);
//! assert!(s.robust_error_at(0.6)? > s.robust_error);
//! assert!(model.eps0() > 0.3); // below the zero-solution threshold
//!
//! // The linear model: delta = n/d = 2.
//! let lin = AdversarialLinear { delta: 2.0, noise_var: 0.25, r0: 1.0, eps: 0.3, eps_test: None };
//! let l = lin.check()?.solve()?;
//! assert!((l.standard_error - 0.431805).abs() < 1e-5);
//! # Ok::<(), overparam::Error>(())
//! ```

pub mod linear;
pub mod rf;
pub mod scalar;
mod stationary;

pub use linear::{AdversarialLinear, AdversarialLinearModel, AdversarialLinearSolution};
pub use rf::{
    AdversarialRf, AdversarialRfModel, AdversarialRfSolution, ObjectiveEval, RobustExtrema,
    SaddlePoint, robust_extrema,
};
