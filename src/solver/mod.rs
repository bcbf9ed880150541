//! The model-agnostic numerical engine.
//!
//! - [`root`]: bracketed scalar roots (Brent).
//! - [`fixed_point`]: vector fixed points $x = G(x)$ over real or complex unknowns (damped Picard
//!   with adaptive damping, Anderson acceleration).
//! - [`newton`]: Newton's method with line search (analytic or finite-difference Jacobian).
//! - [`continuation`]: warm-started solves along a parameter path with step control.

pub mod continuation;
pub mod fixed_point;
pub mod newton;
pub mod root;
