//! The model-agnostic numerical engine.
//!
//! - [`root`]: bracketed scalar roots (Brent).
//! - [`fixed_point`](mod@fixed_point): vector fixed points $x = G(x)$ over real or complex unknowns (damped Picard
//!   with adaptive damping, Anderson acceleration, Newton, and an `Auto` strategy).
//! - [`newton`](mod@newton): Newton's method with Armijo backtracking (analytic or finite-difference
//!   Jacobian; LU from [`crate::linalg`]), and its bounded/scaled mode ([`newton_bounded`]: box
//!   bounds with fraction-to-boundary steps, variable scaling, residual weights, a rounding-floor
//!   acceptance) on which the adversarial saddle points and the two-layer critical points are
//!   solved.
//! - [`continuation`](mod@continuation): warm-started solves along a parameter grid with step
//!   control, and [`adaptive_continuation`] (predictor, step halving/growth, a verification hook)
//!   which the adversarial and two-layer models use to reach hard points.
//! - [`optimize`]: bracketed scalar minimisation and maximisation (Brent, via `argmin`), including
//!   a log-scale grid-then-Brent search.
//!
//! Every solver returns its residual and iteration count and fails with a typed
//! [`crate::error::Error`]; non-finite values are always an error.

pub mod continuation;
pub mod fixed_point;
pub mod newton;
pub mod optimize;
pub mod root;

pub use continuation::{
    AdaptiveReport, ContinuationOptions, ContinuationReport, ContinuationStep, JumpPolicy,
    PathPoint, PointSolution, adaptive_continuation, continuation, secant_prediction,
};
pub use fixed_point::{
    FixedPointMethod, FixedPointOptions, FixedPointReport, FixedPointTermination, fixed_point,
};
pub use newton::{
    FiniteDifference, NewtonOptions, NewtonProblem, NewtonReport, NewtonScaling, NewtonTermination,
    newton, newton_bounded, newton_with_jacobian,
};
pub use optimize::{
    BrentOptOptions, LogGridOptions, ScalarOptimum, maximize_scalar, minimize_log_scale,
    minimize_scalar,
};
pub use root::{RootOptions, RootReport, brent_root};

use num_complex::Complex64;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for num_complex::Complex64 {}
}

/// The scalar types the vector solvers accept: `f64` and [`Complex64`].
///
/// Sealed: internally every unknown is flattened into [`Scalar::PARTS`] real numbers (a complex
/// number into `re, im`), so complex problems are solved as real problems of twice the size.
pub trait Scalar:
    sealed::Sealed + Copy + std::fmt::Debug + PartialEq + Send + Sync + 'static
{
    /// Number of real parts of one scalar (1 for `f64`, 2 for `Complex64`).
    const PARTS: usize;
    /// Write the real parts of `self` into `out` (length [`Scalar::PARTS`]).
    fn write_parts(self, out: &mut [f64]);
    /// Build a scalar from its real parts (length [`Scalar::PARTS`]).
    fn from_parts(parts: &[f64]) -> Self;
    /// The modulus $|x|$.
    fn modulus(self) -> f64;
    /// Whether every part is finite.
    fn is_finite_scalar(self) -> bool;
}

impl Scalar for f64 {
    const PARTS: usize = 1;
    #[inline]
    fn write_parts(self, out: &mut [f64]) {
        out[0] = self;
    }
    #[inline]
    fn from_parts(parts: &[f64]) -> Self {
        parts[0]
    }
    #[inline]
    fn modulus(self) -> f64 {
        self.abs()
    }
    #[inline]
    fn is_finite_scalar(self) -> bool {
        self.is_finite()
    }
}

impl Scalar for Complex64 {
    const PARTS: usize = 2;
    #[inline]
    fn write_parts(self, out: &mut [f64]) {
        out[0] = self.re;
        out[1] = self.im;
    }
    #[inline]
    fn from_parts(parts: &[f64]) -> Self {
        Complex64::new(parts[0], parts[1])
    }
    #[inline]
    fn modulus(self) -> f64 {
        self.norm()
    }
    #[inline]
    fn is_finite_scalar(self) -> bool {
        self.is_finite()
    }
}

/// Flatten scalars into their real parts.
pub(crate) fn to_parts<T: Scalar>(x: &[T]) -> Vec<f64> {
    let mut out = vec![0.0; x.len() * T::PARTS];
    for (v, chunk) in x.iter().zip(out.chunks_exact_mut(T::PARTS)) {
        v.write_parts(chunk);
    }
    out
}

/// Rebuild scalars from their real parts (the length must be a multiple of `T::PARTS`).
pub(crate) fn from_parts<T: Scalar>(parts: &[f64]) -> Vec<T> {
    parts.chunks_exact(T::PARTS).map(T::from_parts).collect()
}

/// Scaled max-norm difference over groups of `parts` reals:
/// $\max_i |a_i - b_i| / \max(1, |b_i|)$ where $a_i, b_i$ are the `i`-th (possibly complex) entries.
pub(crate) fn scaled_max_diff(a: &[f64], b: &[f64], parts: usize) -> f64 {
    let mut worst = 0.0_f64;
    for (ca, cb) in a.chunks_exact(parts).zip(b.chunks_exact(parts)) {
        let mut d2 = 0.0;
        let mut b2 = 0.0;
        for (x, y) in ca.iter().zip(cb) {
            d2 += (x - y) * (x - y);
            b2 += y * y;
        }
        let r = d2.sqrt() / b2.sqrt().max(1.0);
        // `max` would drop a NaN; keep it visible.
        if r > worst || r.is_nan() {
            worst = r;
        }
    }
    worst
}
