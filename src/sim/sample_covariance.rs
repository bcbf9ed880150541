//! Monte Carlo of the sample covariance $X^\top X/n$ with rows $x \sim N(0, \Sigma)$, $\Sigma$
//! diagonal with a given spectrum: the finite-size check of
//! [`crate::spectral::sample_covariance`].
//!
//! The spectral law is rotation invariant, so $\Sigma$ is diagonal: each atom $s_j$ of the
//! population is repeated $\approx w_j p$ times (largest-remainder rounding, so the counts sum
//! to $p$ exactly: [`diagonal_population`]). The eigenvalues come from the smaller of the two
//! Gram matrices ($X^\top X/n$ when $p \le n$, else $XX^\top/n$ padded with $p - n$ zeros)
//! through [`crate::linalg::symmetric_eigenvalues`] (faer).

use crate::error::{Error, Result};
use crate::linalg::{Matrix, symmetric_eigenvalues};
use crate::sim::rng::{normal, trial_rng};
use crate::spectral::Atoms;

/// Largest $p \cdot n$ accepted (the $n \times p$ design is held in memory: 800 MB).
pub const MAX_ENTRIES: usize = 100_000_000;

/// The diagonal of $\Sigma$: atom $s_j$ repeated $\lfloor w_j p\rceil$ times by the
/// largest-remainder rule (counts sum to $p$), in the order of the atoms.
///
/// Errors: [`Error::InvalidParameter`] `p` = 0.
pub fn diagonal_population(population: &Atoms, p: usize) -> Result<Vec<f64>> {
    if p == 0 {
        return Err(Error::InvalidParameter {
            name: "p",
            value: 0.0,
            expected: "at least one dimension",
        });
    }
    let exact: Vec<f64> = population.weights().iter().map(|w| w * p as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let assigned: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&i, &j| (exact[j] - exact[j].floor()).total_cmp(&(exact[i] - exact[i].floor())));
    for &i in order.iter().take(p.saturating_sub(assigned)) {
        counts[i] += 1;
    }
    Ok(population
        .eigenvalues()
        .iter()
        .zip(&counts)
        .flat_map(|(s, c)| std::iter::repeat_n(*s, *c))
        .collect())
}

fn check_sizes(population: &Atoms, p: usize, n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "n",
            value: 0.0,
            expected: "at least one sample",
        });
    }
    if p == 0 {
        return Err(Error::InvalidParameter {
            name: "p",
            value: 0.0,
            expected: "at least one dimension",
        });
    }
    if p.saturating_mul(n) > MAX_ENTRIES {
        return Err(Error::InvalidParameter {
            name: "p",
            value: p as f64,
            expected: "p * n <= 1e8",
        });
    }
    if let Some(&s) = population.eigenvalues().iter().find(|s| **s < 0.0) {
        return Err(Error::InvalidParameter {
            name: "eigenvalues",
            value: s,
            expected: "eigenvalues >= 0 (a covariance spectrum)",
        });
    }
    Ok(())
}

/// The design $X = Z\Sigma^{1/2}$ ($n \times p$, $Z$ iid $N(0,1)$ from
/// [`trial_rng`]`(seed, trial)`), $\Sigma$ = [`diagonal_population`].
///
/// Errors: [`Error::InvalidParameter`] `n` or `p` zero, $pn > 10^8$ (`p`), a negative
/// eigenvalue (`eigenvalues`).
pub fn design(population: &Atoms, p: usize, n: usize, seed: u64, trial: u64) -> Result<Matrix> {
    check_sizes(population, p, n)?;
    let root: Vec<f64> = diagonal_population(population, p)?
        .iter()
        .map(|s| s.sqrt())
        .collect();
    let mut rng = trial_rng(seed, trial);
    Ok(Matrix::from_fn(n, p, |_, j| normal(&mut rng) * root[j]))
}

/// The sample covariance $X^\top X/n$ ($p \times p$) of [`design`].
pub fn sample_covariance(
    population: &Atoms,
    p: usize,
    n: usize,
    seed: u64,
    trial: u64,
) -> Result<Matrix> {
    Ok(design(population, p, n, seed, trial)?.gram(1.0 / n as f64))
}

/// The $p$ eigenvalues of $X^\top X/n$, ascending (from the smaller Gram matrix; zeros padded
/// when $p > n$).
///
/// Errors: those of [`design`]; [`Error::LinearAlgebra`] if the eigensolver fails.
pub fn sample_covariance_eigenvalues(
    population: &Atoms,
    p: usize,
    n: usize,
    seed: u64,
    trial: u64,
) -> Result<Vec<f64>> {
    let x = design(population, p, n, seed, trial)?;
    let alpha = 1.0 / n as f64;
    if p <= n {
        symmetric_eigenvalues(&x.gram(alpha))
    } else {
        let mut values = vec![0.0; p - n];
        values.extend(symmetric_eigenvalues(&x.gram_rows(alpha))?);
        Ok(values)
    }
}

/// The sample covariance $X^\top X/n$ of [`design`] as a nalgebra matrix (feature
/// `nalgebra`; same draw as [`sample_covariance`]).
#[cfg(feature = "nalgebra")]
pub fn sample_covariance_nalgebra(
    population: &Atoms,
    p: usize,
    n: usize,
    seed: u64,
    trial: u64,
) -> Result<nalgebra::DMatrix<f64>> {
    let s = sample_covariance(population, p, n, seed, trial)?;
    Ok(nalgebra::DMatrix::from_fn(p, p, |i, j| {
        s.get(i, j).unwrap_or(f64::NAN)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonal_counts_sum_to_p() {
        let h = Atoms::new(vec![1.0, 2.0, 3.0], vec![1.0, 1.0, 1.0]).unwrap();
        let d = diagonal_population(&h, 10).unwrap();
        assert_eq!(d.len(), 10);
        assert_eq!(d.iter().filter(|s| **s == 1.0).count(), 4);
        // trace of the sample covariance is about p * mean(s)
        let e = sample_covariance_eigenvalues(&h, 40, 60, 1, 0).unwrap();
        assert_eq!(e.len(), 40);
        let wide = sample_covariance_eigenvalues(&h, 60, 40, 1, 0).unwrap();
        assert_eq!(wide.len(), 60);
        assert!(wide[..20].iter().all(|v| *v == 0.0));
    }
}
