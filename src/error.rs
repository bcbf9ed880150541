//! The crate-wide error type.
//!
//! Every fallible public function returns [`Result<T>`]. The variants separate the ways a
//! computation can fail: the caller passed a value outside the model's domain
//! ([`Error::InvalidParameter`]), an iterative method ran out of iterations
//! ([`Error::NotConverged`]), arithmetic produced a non-finite number ([`Error::NonFinite`]),
//! the equations have no solution on the branch or in the regime asked for
//! ([`Error::NoSolution`]), or a converged stationary point failed its second-order check
//! ([`Error::NotASaddle`]). No public function returns `NaN` or panics on caller input.

/// Errors produced by this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside its valid range.
    #[error("invalid parameter `{name}` = {}: expected {expected}", display_number(*value))]
    InvalidParameter {
        /// Name of the parameter, as in the API and the CLI.
        name: &'static str,
        /// The value that was passed (integers are converted to `f64`).
        value: f64,
        /// The valid range, in words (e.g. `"a finite number > 0"`).
        expected: &'static str,
    },
    /// A named choice (e.g. an activation name) is not one of the accepted values.
    #[error("invalid value `{value}` for `{name}`: expected {expected}")]
    InvalidChoice {
        /// Name of the parameter.
        name: &'static str,
        /// The value that was passed.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
    /// An iterative method stopped before reaching its tolerance.
    #[error(
        "{method} did not converge: residual {residual:.3e} > tolerance {tolerance:.1e} after {iterations} iterations"
    )]
    NotConverged {
        /// Which method (e.g. `"anderson"`, `"brent"`).
        method: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// Residual of the last iterate.
        residual: f64,
        /// The requested tolerance.
        tolerance: f64,
        /// The last iterate (complex unknowns are stored as consecutive `re, im` pairs).
        last_iterate: Vec<f64>,
    },
    /// A computation produced `NaN` or `±∞`.
    #[error("non-finite value in {what}")]
    NonFinite {
        /// What was being computed.
        what: &'static str,
    },
    /// A bracketing interval does not bracket a sign change.
    #[error(
        "interval [{lower}, {upper}] does not bracket a root (f = {f_lower:.3e}, {f_upper:.3e})"
    )]
    NoBracket {
        /// Left end.
        lower: f64,
        /// Right end.
        upper: f64,
        /// Function value at the left end.
        f_lower: f64,
        /// Function value at the right end.
        f_upper: f64,
    },
    /// Array shapes are inconsistent.
    #[error("dimension mismatch in {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// What was being checked.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Actual size.
        found: usize,
    },
    /// The equations have no solution on this branch or in this regime (e.g. a continuation path
    /// that enters the regime where the solution is identically zero, or an inner supremum with no
    /// interior maximiser). Not a failure of the iteration: a different start cannot help.
    #[error("no solution: {what}")]
    NoSolution {
        /// What has no solution, and where.
        what: &'static str,
    },
    /// A stationary point was found ($\|\nabla R\|_\infty \le$ tolerance) but it fails the
    /// second-order check it must pass: for a max–min problem, positive definiteness of the
    /// minimisation block and negative definiteness of its Schur complement; for a critical point,
    /// the expected Morse index.
    #[error(
        "{what}: stationary point (residual {residual:.3e} after {iterations} iterations) fails the second-order check"
    )]
    NotASaddle {
        /// Which check failed.
        what: &'static str,
        /// Newton iterations that found the stationary point.
        iterations: usize,
        /// Stationarity residual at the point.
        residual: f64,
        /// The stationary point.
        point: Vec<f64>,
    },
    /// A dense factorisation failed (e.g. a matrix that should be positive definite is not).
    #[error("linear algebra failure: {what}")]
    LinearAlgebra {
        /// What failed.
        what: String,
    },
    /// A simulation would need more memory than its budget (estimated before allocating; see
    /// [`crate::sim::memory`]). `parameter` is the size that drives the estimate (`"d"` or
    /// `"n"`, or `"trials"` when the results kept per trial dominate); a budget of `isize::MAX`
    /// bytes is the address limit (the sizes overflow any allocation).
    #[error(
        "`{parameter}`: the simulation needs about {}, over the memory budget of {}",
        crate::sim::memory::format_bytes(*.estimate_bytes),
        crate::sim::memory::format_bytes(*.budget_bytes)
    )]
    MemoryBudget {
        /// The size that drives the estimate, as the simulation's field (`"d"`, `"n"`,
        /// `"trials"`).
        parameter: &'static str,
        /// The estimated peak memory of the run, in bytes.
        estimate_bytes: u64,
        /// The budget it exceeds, in bytes.
        budget_bytes: u64,
    },
    /// Input data (a file or a text the caller passed, e.g. a spectrum CSV) is malformed.
    /// `line` is 1-based; 0 when the problem is not on one line (an unreadable or empty file).
    #[error("{origin}, line {line}: {problem}")]
    InvalidData {
        /// Where the data came from (a file path, or a description such as `"spectrum"`).
        origin: String,
        /// The 1-based line of the problem, 0 if it concerns the whole input.
        line: usize,
        /// What is wrong, in words.
        problem: String,
    },
    /// A simulation ran inside [`crate::sim::shard::capture`]: its trial loop computed and
    /// recorded only the trials of shard `index`/`count` and does not aggregate (the merged
    /// parts do, [`crate::sim::shard::replay`]).
    #[error("shard {index}/{count}: trials recorded for the merge, not aggregated")]
    Sharded {
        /// The shard $I$ (1-based).
        index: usize,
        /// The number of shards $M$.
        count: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Return `Ok(x)` if `x` is finite, [`Error::NonFinite`] otherwise.
#[inline]
pub fn finite(x: f64, what: &'static str) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Error::NonFinite { what })
    }
}

/// Validation helpers used by every parameter struct's `check()`.
pub(crate) mod validate {
    use super::{Error, Result};

    /// A finite number strictly greater than zero.
    pub fn positive(name: &'static str, value: f64) -> Result<f64> {
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(Error::InvalidParameter {
                name,
                value,
                expected: "a finite number > 0",
            })
        }
    }

    /// A finite number greater than or equal to zero.
    pub fn non_negative(name: &'static str, value: f64) -> Result<f64> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(Error::InvalidParameter {
                name,
                value,
                expected: "a finite number >= 0",
            })
        }
    }

    /// A finite number.
    #[allow(dead_code)]
    pub fn finite(name: &'static str, value: f64) -> Result<f64> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Error::InvalidParameter {
                name,
                value,
                expected: "a finite number",
            })
        }
    }

    /// A finite number in the closed interval `[lo, hi]`.
    #[allow(dead_code)]
    pub fn in_closed(
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
        expected: &'static str,
    ) -> Result<f64> {
        if value.is_finite() && value >= lo && value <= hi {
            Ok(value)
        } else {
            Err(Error::InvalidParameter {
                name,
                value,
                expected,
            })
        }
    }
}

/// A number in messages: shortest round-trip form, with an exponent outside $[10^{-5}, 10^{16})$
/// (so `1e200` is not printed with 200 digits); the same digits as `{}` otherwise.
pub fn display_number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}
