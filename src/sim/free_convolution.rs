//! Haar Monte Carlo for the free convolutions of [`crate::spectral::free`].
//!
//! For diagonal $A = \operatorname{diag}(a)$, $B = \operatorname{diag}(b)$ of size $N$ and a
//! Haar orthogonal $U$ ([`crate::linalg::haar_orthogonal`], QR of a Gaussian matrix with the
//! sign fix of Mezzadri 2007), the eigenvalues of $A + UBU^\top$ and of
//! $A^{1/2} U B U^\top A^{1/2}$ have empirical distributions converging to
//! $\mu_A \boxplus \mu_B$ and $\mu_A \boxtimes \mu_B$ (Voiculescu 1991; orthogonal and unitary
//! invariance give the same limit). Compare them with the theory by
//! [`crate::sim::spectral_distance`]. Draws are reproducible: `(seed, trial)` seeds one
//! [`crate::sim::rng::trial_rng`] stream.

use crate::error::{Error, Result};
use crate::linalg::{Matrix, haar_orthogonal, symmetric_eigenvalues};
use crate::sim::memory::{MemoryBudget, MemoryEstimate};
use crate::sim::rng::{normal, trial_rng};
use crate::spectral::Atoms;

/// The diagonal of length $n$ whose empirical distribution is closest to the atoms: atom $j$
/// repeated $\lfloor w_j n \rceil$ times, remainders assigned by the largest-remainder rule so that
/// the counts sum to $n$ (sorted ascending). Kolmogorov distance to the atoms at most $P/n$ for
/// $P$ atoms.
///
/// Errors: `n` zero ([`Error::InvalidParameter`]).
pub fn diagonal_from_atoms(atoms: &Atoms, n: usize) -> Result<Vec<f64>> {
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "n",
            value: 0.0,
            expected: "a matrix size >= 1",
        });
    }
    let w = atoms.weights();
    let mut counts: Vec<usize> = w.iter().map(|w| (w * n as f64).floor() as usize).collect();
    let mut order: Vec<usize> = (0..w.len()).collect();
    order.sort_by(|&i, &j| {
        let ri = w[i] * n as f64 - counts[i] as f64;
        let rj = w[j] * n as f64 - counts[j] as f64;
        rj.total_cmp(&ri)
    });
    let assigned: usize = counts.iter().sum();
    for &i in order.iter().take(n.saturating_sub(assigned)) {
        counts[i] += 1;
    }
    let mut out = Vec::with_capacity(n);
    for (s, c) in atoms.eigenvalues().iter().zip(&counts) {
        out.extend(std::iter::repeat_n(*s, *c));
    }
    out.sort_by(f64::total_cmp);
    Ok(out)
}

fn check_inputs(a: &[f64], b: &[f64], positive: bool) -> Result<()> {
    if a.is_empty() {
        return Err(Error::InvalidParameter {
            name: "a",
            value: 0.0,
            expected: "a non-empty diagonal",
        });
    }
    if b.len() != a.len() {
        return Err(Error::DimensionMismatch {
            what: "the diagonals a and b",
            expected: a.len(),
            found: b.len(),
        });
    }
    for (name, v) in [("a", a), ("b", b)] {
        if let Some(&x) = v.iter().find(|x| !x.is_finite() || (positive && **x < 0.0)) {
            return Err(Error::InvalidParameter {
                name,
                value: x,
                expected: if positive {
                    "finite entries >= 0"
                } else {
                    "finite entries"
                },
            });
        }
    }
    // Peak: the Gaussian / Q matrix, U diag(b), the product and the eigen workspace.
    let n = a.len() as u128;
    let bytes = 4 * n * n * 8;
    let estimate = MemoryEstimate {
        parameter: "n",
        per_trial_bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
        concurrent_trials: 1,
        shared_bytes: 0,
        bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
    };
    MemoryBudget::default().check(&estimate)
}

/// $U \operatorname{diag}(b) U^\top$ for a fresh Haar $U$.
fn rotated(b: &[f64], seed: u64, trial: u64) -> Result<Matrix> {
    let mut rng = trial_rng(seed, trial);
    let u = haar_orthogonal(b.len(), || normal(&mut rng))?;
    let mut ub = u.clone();
    ub.map_indexed_in_place(|_, j, v| v * b[j]);
    ub.matmul_nt(&u, 1.0)
}

/// Eigenvalues (ascending) of $\operatorname{diag}(a) + U\operatorname{diag}(b)U^\top$, $U$
/// Haar orthogonal drawn from `(seed, trial)`.
///
/// Errors: empty or non-finite diagonals ([`Error::InvalidParameter`] `a` / `b`), lengths that
/// differ ([`Error::DimensionMismatch`]), a size over the default memory budget
/// ([`Error::MemoryBudget`] `n`), linear-algebra failures, entries so large that the matrix
/// overflows ([`Error::NonFinite`]).
pub fn free_sum_eigenvalues(a: &[f64], b: &[f64], seed: u64, trial: u64) -> Result<Vec<f64>> {
    check_inputs(a, b, false)?;
    let mut m = rotated(b, seed, trial)?;
    m.map_indexed_in_place(|i, j, v| if i == j { v + a[i] } else { v });
    finite_eigenvalues(&m)
}

/// Eigenvalues, [`Error::NonFinite`] if the matrix or a value overflowed.
fn finite_eigenvalues(m: &Matrix) -> Result<Vec<f64>> {
    let values = symmetric_eigenvalues(m)?;
    if values.iter().all(|v| v.is_finite()) {
        Ok(values)
    } else {
        Err(Error::NonFinite {
            what: "eigenvalues of the rotated matrix (entries too large)",
        })
    }
}

/// Eigenvalues (ascending) of $A^{1/2}U B U^\top A^{1/2}$ for $A = \operatorname{diag}(a)$,
/// $B = \operatorname{diag}(b)$ with entries $\ge 0$, $U$ Haar orthogonal drawn from
/// `(seed, trial)`.
///
/// Errors: as [`free_sum_eigenvalues`], and a negative entry ([`Error::InvalidParameter`]).
pub fn free_product_eigenvalues(a: &[f64], b: &[f64], seed: u64, trial: u64) -> Result<Vec<f64>> {
    check_inputs(a, b, true)?;
    let mut m = rotated(b, seed, trial)?;
    let root: Vec<f64> = a.iter().map(|x| x.sqrt()).collect();
    m.map_indexed_in_place(|i, j, v| root[i] * v * root[j]);
    finite_eigenvalues(&m)
}
