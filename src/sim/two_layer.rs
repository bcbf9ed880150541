//! The two-layer ReLU Hessian at a symmetric critical point, computed densely: the "simulation"
//! side of the two-layer join.
//!
//! Theory ([`crate::theory::two_layer`], Arjevani & Field, *Analytic characterization of the
//! Hessian in shallow ReLU models: a tale of symmetry*, NeurIPS 2020): the spectrum of the
//! $d^2\times d^2$ Hessian $\nabla^2F(W^*)$ at a critical point with isotropy
//! $\Delta(S_{n_1}\times\cdots\times S_{n_m})$ is the union of the eigenvalues of a few small
//! isotypic blocks, with multiplicities polynomial in $d$
//! ([`crate::theory::two_layer::spectrum::block_spectrum`]). The check here builds the full
//! Hessian from the closed-form kernel ([`Teacher::hessian`]) at the embedded point and
//! diagonalises it densely with faer ([`crate::linalg::symmetric_eigenvalues`]), an
//! independent $O(d^6)$ computation. There is no randomness: the standard error is 0 and the
//! allowance is round-off, $10^{-9}\max_i|\lambda_i|$ for the eigenvalues and 0 for the Morse
//! index (both sides count eigenvalues below $-10^{-9}\max|\lambda|$ resp.
//! $-10^{-12}\max|\lambda|$; genuine negative eigenvalues are of order $10^{-3}$ and larger).

use crate::error::{Error, Result};
use crate::experiment::{Experiment, JoinOptions, RunOptions};
use crate::linalg::{Matrix, symmetric_eigenvalues};
use crate::sim::PointEstimate;
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::theory::two_layer::critical::{CriticalPoint, Family, critical_point};
use crate::theory::two_layer::kernel::Teacher;
use crate::theory::two_layer::spectrum::block_spectrum;

/// The metrics of the two-layer join, primary (`min_eigenvalue`) first.
pub const TWO_LAYER_METRICS: [&str; 3] = ["min_eigenvalue", "max_eigenvalue", "morse_index"];

/// Relative round-off allowance of the eigenvalues.
const ROUND_OFF: f64 = 1e-9;

/// Largest $d$ of the dense check (a $d^2\times d^2$ eigendecomposition).
const MAX_D: usize = 40;

/// Unchecked settings: a family of symmetric critical points at an integer dimension $d = k$
/// (teacher $V = I_d$).
///
/// ```
/// use overparam::experiment::{JoinOptions, RunOptions, join};
/// use overparam::sim::two_layer::TwoLayerHessian;
/// use overparam::theory::two_layer::critical::Family;
/// let check = TwoLayerHessian { family: Family::TypeA, d: 8 }.check()?;
/// let j = join(&check, &RunOptions::default(), &JoinOptions::default())?;
/// assert!(j.all_agree());
/// assert_eq!(j.metric("morse_index").map(|m| m.theory_realised), Some(0.0)); // a minimum
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoLayerHessian {
    /// The family of critical points.
    pub family: Family,
    /// The integer dimension $d = k \in [2, 40]$.
    pub d: usize,
}

impl TwoLayerHessian {
    /// Validate $d$ and solve for the critical point.
    ///
    /// Errors: [`Error::InvalidParameter`] (`d`); those of
    /// [`crate::theory::two_layer::critical::critical_point`].
    pub fn check(&self) -> Result<TwoLayerHessianSimulator> {
        if !(2..=MAX_D).contains(&self.d) {
            return Err(Error::InvalidParameter {
                name: "d",
                value: self.d as f64,
                expected: "an integer in [2, 40] (dense d^2 x d^2 eigendecomposition)",
            });
        }
        let point = critical_point(self.family, self.d as f64)?;
        let weights = point.partition.embed(&point.params)?;
        Ok(TwoLayerHessianSimulator {
            family: self.family,
            d: self.d,
            point,
            weights,
            teacher: Teacher::identity(self.d)?,
        })
    }
}

/// A solved critical point, ready for the block-versus-dense join.
#[derive(Debug, Clone)]
pub struct TwoLayerHessianSimulator {
    family: Family,
    d: usize,
    point: CriticalPoint,
    weights: Vec<f64>,
    teacher: Teacher,
}

impl TwoLayerHessianSimulator {
    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }
    /// The dimension $d$.
    pub fn d(&self) -> usize {
        self.d
    }
    /// The critical point (reduced parameters).
    pub fn point(&self) -> &CriticalPoint {
        &self.point
    }

    /// The $d^2$ eigenvalues of the dense Hessian, ascending.
    ///
    /// Errors: those of [`Teacher::hessian`] and the eigendecomposition.
    pub fn dense_eigenvalues(&self) -> Result<Vec<f64>> {
        let h = self.teacher.hessian(&self.weights)?;
        let n = self.d * self.d;
        if h.len() != n * n {
            return Err(Error::DimensionMismatch {
                what: "dense Hessian",
                expected: n * n,
                found: h.len(),
            });
        }
        symmetric_eigenvalues(&Matrix::from_fn(n, n, |i, j| h[i * n + j]))
    }
}

impl Experiment for TwoLayerHessianSimulator {
    /// [`TWO_LAYER_METRICS`]: `min_eigenvalue` (primary), `max_eigenvalue`, `morse_index`.
    fn metric_names(&self) -> &'static [&'static str] {
        &TWO_LAYER_METRICS
    }
    /// $d$.
    fn size(&self) -> usize {
        self.d
    }
    /// From the symmetry-reduced block spectrum.
    fn theory_realised(&self) -> Result<Vec<f64>> {
        let s = block_spectrum(&self.point.partition, &self.point.params)?;
        let max = s.values().last().map_or(f64::NAN, |v| v.value);
        let values = vec![s.min_value(), max, s.morse_index()];
        for v in &values {
            crate::error::finite(*v, "two-layer block spectrum")?;
        }
        Ok(values)
    }
    /// The dense eigendecomposition (deterministic: `run` is ignored; SE 0).
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>> {
        self.simulate_with_budget(run, &MemoryBudget::default())
    }
    /// One dense eigendecomposition (no trials): the $d^2\times d^2$ Hessian as an array and
    /// as a matrix, faer's copy and workspace ($4d^4$ entries of 8 bytes), driven by `d`.
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        let n = self.d * self.d;
        let one = RunOptions { trials: 1, ..*run };
        MemoryEstimate::new("d", 4 * memory::mul(n, n) * memory::F64, 0, 0, &one)
    }
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        budget.check(&Experiment::memory_estimate(self, run))?;
        let ev = self.dense_eigenvalues()?;
        let (min, max) = match (ev.first(), ev.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => {
                return Err(Error::DimensionMismatch {
                    what: "dense Hessian eigenvalues",
                    expected: self.d * self.d,
                    found: 0,
                });
            }
        };
        let scale = ev.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let morse = ev.iter().filter(|&&v| v < -ROUND_OFF * scale).count() as f64;
        Ok([min, max, morse]
            .into_iter()
            .map(|value| PointEstimate {
                value,
                std_err: 0.0,
            })
            .collect())
    }
    /// Round-off: $10^{-9}\max(|\lambda_{\min}|, |\lambda_{\max}|)$ for the eigenvalues, 0 for
    /// the Morse index (the finite-size constant plays no role: nothing is asymptotic here).
    fn allowances(&self, theory: &[f64], _options: &JoinOptions) -> Result<Vec<f64>> {
        if theory.len() != TWO_LAYER_METRICS.len() {
            return Err(Error::DimensionMismatch {
                what: "two-layer theory values",
                expected: TWO_LAYER_METRICS.len(),
                found: theory.len(),
            });
        }
        let scale = theory[0].abs().max(theory[1].abs());
        Ok(vec![ROUND_OFF * scale, ROUND_OFF * scale, 0.0])
    }
}
