//! The crate's one dense linear-algebra module, used by the solver engine, the theory and the
//! simulations alike.
//!
//! This is the only module of the crate that talks to the pure-Rust [`faer`] library (no LAPACK,
//! no BLAS). It exposes the operations the crate needs on a column-major [`Matrix`]:
//!
//! - products $AB$, $A^\top B$, $AB^\top$ (transposes are views, never formed);
//! - Gram matrices $A^\top A$ and $AA^\top$, computed on one triangle only (half the flops) and
//!   mirrored;
//! - the Cholesky factorisation $A + cI = LL^\top$ and solves with it ([`Cholesky`]);
//! - the symmetric eigendecomposition ([`SymmetricEigen`]) and the eigenvalues alone;
//! - the LU factorisation with partial pivoting $PA = LU$ ([`Lu`], [`solve_dense`]) for the small
//!   non-symmetric systems of the Newton solvers, with a typed error at a numerically singular
//!   matrix;
//! - a Cholesky test of positive definiteness with a scale-invariant pivot floor
//!   ([`is_positive_definite`]), used by the saddle-point checks.
//!
//! Threads. By default every operation runs single-threaded (`Par::Seq`): the simulations
//! parallelise over independent trials instead, which on a small machine is faster. Inside
//! [`with_parallel_kernel`] (which [`crate::sim`]'s trial loop enters for a trial that would
//! otherwise leave a thread idle: one trial, a shard holding one trial, the odd last trial) the
//! large products ([`Matrix::matmul`], [`Matrix::matmul_tn`], [`Matrix::matmul_nt`], the Gram
//! products) and the Cholesky factorisation and its solves ([`Cholesky`]) run on every thread of
//! rayon's current pool. These faer kernels split the *output* over threads and keep the order
//! of every sum, so their results are **bit-identical** to `Par::Seq` for any number of threads
//! (tested: `tests/linalg_threads.rs`). The symmetric eigendecomposition ([`SymmetricEigen`],
//! [`symmetric_eigenvalues`]) always runs sequentially: faer's parallel tridiagonalisation sums
//! per-thread partial products, whose rounding depends on the number of threads. The LU and QR
//! factorisations ([`Lu`], [`haar_orthogonal`]) are sequential too (small systems, or not on a
//! hot path). faer's own global default parallelism is set to `Par::Seq` the first time this
//! module calls one of faer's high-level solvers, so that those keep their sequential, portable
//! results with faer's `rayon` feature compiled in.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::linalg::solvers::Solve;
use faer::{Accum, Conj, Mat, Par, Side};
use std::cell::Cell;
use std::sync::Once;

use crate::error::{Error, Result};

/// Relative cutoff below which a singular value (or eigenvalue of a Gram matrix) is treated as
/// zero by the ridgeless ($\lambda = 0$) pseudo-inverse: $s \le 10^{-12}\max s$.
pub const RIDGELESS_CUTOFF: f64 = 1e-12;

thread_local! {
    /// Whether [`with_parallel_kernel`] is active on this thread.
    static PARALLEL_KERNEL: Cell<bool> = const { Cell::new(false) };
}

/// Products with fewer multiply-adds than this ($m n k$) stay sequential inside
/// [`with_parallel_kernel`]: below about $128^3$ the cost of waking a second thread is comparable
/// with the product itself.
pub const PARALLEL_MIN_FLOPS: usize = 128 * 128 * 128;

/// Run `f` with the parallel dense kernel enabled on the calling thread: inside `f`, the large
/// products, Gram products and Cholesky factorisations and solves of this module (those with at
/// least [`PARALLEL_MIN_FLOPS`] multiply-adds) run on every thread of rayon's current pool
/// (issue 17 §2). The results are **bit-identical** to the sequential kernel for any number of
/// threads, so this only changes the wall time: use it when fewer independent tasks than threads
/// are running, e.g. a single [`crate::sim::random_features::RandomFeaturesSimulator::run_trial`]
/// on a 2-core machine. The eigendecompositions, LU and QR stay sequential (module docs).
///
/// The setting is per thread and restored when `f` returns (or unwinds); nested calls are
/// allowed. On a pool of one thread it has no effect.
///
/// ```
/// use overparam::linalg::{Matrix, with_parallel_kernel};
/// let a = Matrix::from_fn(300, 300, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
/// let seq = a.matmul(&a, 1.0).unwrap();
/// let par = with_parallel_kernel(|| a.matmul(&a, 1.0)).unwrap();
/// assert_eq!(seq, par);
/// ```
pub fn with_parallel_kernel<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            PARALLEL_KERNEL.with(|p| p.set(self.0));
        }
    }
    let _restore = Restore(PARALLEL_KERNEL.with(|p| p.replace(true)));
    f()
}

/// Whether [`with_parallel_kernel`] is active on the calling thread.
pub fn parallel_kernel_enabled() -> bool {
    PARALLEL_KERNEL.with(Cell::get)
}

/// The number of threads an operation of `flops` multiply-adds of the parallel kernel runs on
/// when called from here: the size of rayon's current pool inside [`with_parallel_kernel`] for an
/// operation of at least [`PARALLEL_MIN_FLOPS`], else 1.
pub fn kernel_threads(flops: usize) -> usize {
    if flops >= PARALLEL_MIN_FLOPS && parallel_kernel_enabled() {
        rayon::current_num_threads().max(1)
    } else {
        1
    }
}

/// The parallelism of an operation of `flops` multiply-adds ([`kernel_threads`]).
fn par_for(flops: usize) -> Par {
    match kernel_threads(flops) {
        0 | 1 => Par::Seq,
        threads => Par::rayon(threads),
    }
}

static SEQUENTIAL_DEFAULT: Once = Once::new();

/// Set faer's global default parallelism (read by its high-level solvers: `llt`,
/// `self_adjoint_eigen`, `partial_piv_lu`, `qr` and their solves) to `Par::Seq`, once. With
/// faer's `rayon` feature its default is every thread, which would make the eigendecomposition's
/// rounding depend on the pool.
fn sequential_default() {
    SEQUENTIAL_DEFAULT.call_once(|| faer::set_global_parallelism(Par::Seq));
}

/// The dot product $\sum_i a_i b_i$ of two slices of equal length (the shorter length is used
/// if they differ): in order for fewer than 16 entries, with four accumulators (which the
/// compiler vectorises) from 16 on.
///
/// ```
/// assert_eq!(overparam::linalg::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    if a.len().min(b.len()) < 16 {
        // Short vectors (the two-layer kernels' rows, d ~ 5-20): one accumulator in order,
        // inlined into the caller (the kernels call this O(k^2) times per gradient).
        return a.iter().zip(b).map(|(x, y)| x * y).sum();
    }
    let len = a.len().min(b.len());
    dot_blocked(&a[..len], &b[..len])
}

/// [`dot`] from 16 entries on: four accumulators (kept out of line so that the short path
/// inlines small).
fn dot_blocked(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len();
    let mut acc = [0.0; 4];
    let chunks = len / 4;
    for c in 0..chunks {
        for j in 0..4 {
            acc[j] += a[4 * c + j] * b[4 * c + j];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for j in 4 * chunks..len {
        s += a[j] * b[j];
    }
    s
}

/// A dense column-major matrix of `f64`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    inner: Mat<f64>,
}

impl Matrix {
    /// The `nrows × ncols` zero matrix.
    pub fn zeros(nrows: usize, ncols: usize) -> Self {
        Self {
            inner: Mat::zeros(nrows, ncols),
        }
    }

    /// The `n × n` identity.
    pub fn identity(n: usize) -> Self {
        Self {
            inner: Mat::identity(n, n),
        }
    }

    /// The matrix with entries `f(i, j)`.
    pub fn from_fn(nrows: usize, ncols: usize, f: impl FnMut(usize, usize) -> f64) -> Self {
        Self {
            inner: Mat::from_fn(nrows, ncols, f),
        }
    }

    /// The `nrows × ncols` matrix with row-major entries `data` (`data[i * ncols + j]` is
    /// $a_{ij}$).
    ///
    /// Errors: [`Error::DimensionMismatch`] if `data.len() != nrows * ncols`.
    pub fn from_row_major(nrows: usize, ncols: usize, data: &[f64]) -> Result<Self> {
        if data.len() != nrows * ncols {
            return Err(Error::DimensionMismatch {
                what: "row-major matrix data (nrows * ncols)",
                expected: nrows * ncols,
                found: data.len(),
            });
        }
        Ok(Self::from_fn(nrows, ncols, |i, j| data[i * ncols + j]))
    }

    /// The largest absolute entry $\max_{ij}|a_{ij}|$ (`NaN` if an entry is `NaN`).
    pub fn max_abs(&self) -> f64 {
        let mut m = 0.0_f64;
        for j in 0..self.ncols() {
            for &v in self.col(j) {
                if v.abs() > m || v.is_nan() {
                    m = v.abs();
                }
            }
        }
        m
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.inner.nrows()
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.inner.ncols()
    }

    /// Entry $(i, j)$, or `None` out of range.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.nrows() && j < self.ncols()).then(|| self.inner[(i, j)])
    }

    /// Column `j` as a contiguous slice (panics if `j >= ncols`; internal use).
    pub(crate) fn col(&self, j: usize) -> &[f64] {
        self.inner.col_as_slice(j)
    }

    /// Column `j` as a mutable contiguous slice (panics if `j >= ncols`; internal use).
    pub(crate) fn col_mut(&mut self, j: usize) -> &mut [f64] {
        self.inner.col_as_slice_mut(j)
    }

    /// Apply `f` to every entry in place.
    pub fn map_in_place(&mut self, mut f: impl FnMut(f64) -> f64) {
        for j in 0..self.ncols() {
            for v in self.col_mut(j) {
                *v = f(*v);
            }
        }
    }

    /// Multiply every entry by `alpha`.
    pub fn scale(&mut self, alpha: f64) {
        self.map_in_place(|v| alpha * v);
    }

    /// Add `c` to every diagonal entry.
    pub fn add_to_diagonal(&mut self, c: f64) {
        let k = self.nrows().min(self.ncols());
        for i in 0..k {
            self.inner[(i, i)] += c;
        }
    }

    /// The diagonal entries.
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.nrows().min(self.ncols()))
            .map(|i| self.inner[(i, i)])
            .collect()
    }

    /// Squared Frobenius norm $\sum_{ij} a_{ij}^2$.
    pub fn frobenius_sq(&self) -> f64 {
        (0..self.ncols())
            .map(|j| self.col(j).iter().map(|v| v * v).sum::<f64>())
            .sum()
    }

    /// $\sum_{ij} a_{ij} b_{ij}$ (the Frobenius inner product).
    pub fn dot(&self, other: &Self) -> Result<f64> {
        self.same_shape(other, "Frobenius inner product")?;
        Ok((0..self.ncols())
            .map(|j| {
                self.col(j)
                    .iter()
                    .zip(other.col(j))
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            })
            .sum())
    }

    /// $\|A - B\|_F^2$.
    pub fn distance_sq(&self, other: &Self) -> Result<f64> {
        self.same_shape(other, "Frobenius distance")?;
        Ok((0..self.ncols())
            .map(|j| {
                self.col(j)
                    .iter()
                    .zip(other.col(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
            })
            .sum())
    }

    /// $\alpha A + \beta B$.
    pub fn linear_combination(&self, alpha: f64, other: &Self, beta: f64) -> Result<Self> {
        self.same_shape(other, "linear combination")?;
        let mut out = self.clone();
        for j in 0..self.ncols() {
            for (o, b) in out.col_mut(j).iter_mut().zip(other.col(j)) {
                *o = alpha * *o + beta * b;
            }
        }
        Ok(out)
    }

    /// $A^\top$ (a copy).
    pub fn transpose(&self) -> Self {
        Self {
            inner: self.inner.transpose().to_owned(),
        }
    }

    /// Squared Euclidean norm of every row.
    pub fn row_norms_sq(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.nrows()];
        for j in 0..self.ncols() {
            for (o, v) in out.iter_mut().zip(self.col(j)) {
                *o += v * v;
            }
        }
        out
    }

    /// Multiply row `i` by `factors[i]`.
    pub fn scale_rows(&mut self, factors: &[f64]) -> Result<()> {
        if factors.len() != self.nrows() {
            return Err(Error::DimensionMismatch {
                what: "row scaling factors",
                expected: self.nrows(),
                found: factors.len(),
            });
        }
        for j in 0..self.ncols() {
            for (v, f) in self.col_mut(j).iter_mut().zip(factors) {
                *v *= f;
            }
        }
        Ok(())
    }

    /// $\alpha A B$.
    pub fn matmul(&self, rhs: &Self, alpha: f64) -> Result<Self> {
        check_inner(self.ncols(), rhs.nrows(), "A B")?;
        let mut out = Mat::zeros(self.nrows(), rhs.ncols());
        let par = par_for(product_flops(self.nrows(), self.ncols(), rhs.ncols()));
        matmul(
            out.as_mut(),
            Accum::Replace,
            self.inner.as_ref(),
            rhs.inner.as_ref(),
            alpha,
            par,
        );
        Ok(Self { inner: out })
    }

    /// $\alpha A^\top B$ (the transpose is a view).
    pub fn matmul_tn(&self, rhs: &Self, alpha: f64) -> Result<Self> {
        check_inner(self.nrows(), rhs.nrows(), "A^T B")?;
        let mut out = Mat::zeros(self.ncols(), rhs.ncols());
        let par = par_for(product_flops(self.ncols(), self.nrows(), rhs.ncols()));
        matmul(
            out.as_mut(),
            Accum::Replace,
            self.inner.transpose(),
            rhs.inner.as_ref(),
            alpha,
            par,
        );
        Ok(Self { inner: out })
    }

    /// $\alpha A B^\top$ (the transpose is a view).
    pub fn matmul_nt(&self, rhs: &Self, alpha: f64) -> Result<Self> {
        check_inner(self.ncols(), rhs.ncols(), "A B^T")?;
        let mut out = Mat::zeros(self.nrows(), rhs.nrows());
        let par = par_for(product_flops(self.nrows(), self.ncols(), rhs.nrows()));
        matmul(
            out.as_mut(),
            Accum::Replace,
            self.inner.as_ref(),
            rhs.inner.transpose(),
            alpha,
            par,
        );
        Ok(Self { inner: out })
    }

    /// $\alpha A^\top A$ (`ncols × ncols`): only the lower triangle is computed, then mirrored.
    pub fn gram(&self, alpha: f64) -> Self {
        let k = self.ncols();
        let mut out = Self::zeros(k, k);
        mirror_gram(
            self.inner.transpose(),
            self.inner.as_ref(),
            alpha,
            &mut out.inner,
        );
        out
    }

    /// [`gram`](Self::gram) into an existing `ncols × ncols` matrix, so a loop that forms a Gram
    /// matrix every iteration allocates nothing.
    ///
    /// Errors: [`Error::DimensionMismatch`] if `out` is not `ncols × ncols`.
    pub fn gram_into(&self, alpha: f64, out: &mut Self) -> Result<()> {
        let k = self.ncols();
        if out.nrows() != k || out.ncols() != k {
            return Err(Error::DimensionMismatch {
                what: "Gram matrix output (ncols x ncols)",
                expected: k,
                found: out.nrows(),
            });
        }
        mirror_gram(
            self.inner.transpose(),
            self.inner.as_ref(),
            alpha,
            &mut out.inner,
        );
        Ok(())
    }

    /// Overwrite with the entries of `other` (same shape), without allocating.
    ///
    /// Errors: [`Error::DimensionMismatch`] if the shapes differ.
    pub fn copy_from(&mut self, other: &Self) -> Result<()> {
        if self.nrows() != other.nrows() || self.ncols() != other.ncols() {
            return Err(Error::DimensionMismatch {
                what: "matrix copy (same shape)",
                expected: self.nrows() * self.ncols(),
                found: other.nrows() * other.ncols(),
            });
        }
        self.inner.copy_from(&other.inner);
        Ok(())
    }

    /// Replace every entry $a_{ij}$ by `f(i, j, a_ij)`.
    pub fn map_indexed_in_place(&mut self, mut f: impl FnMut(usize, usize, f64) -> f64) {
        for j in 0..self.ncols() {
            for (i, v) in self.col_mut(j).iter_mut().enumerate() {
                *v = f(i, j, *v);
            }
        }
    }

    /// $\alpha A A^\top$ (`nrows × nrows`): only the lower triangle is computed, then mirrored.
    pub fn gram_rows(&self, alpha: f64) -> Self {
        let k = self.nrows();
        let mut out = Self::zeros(k, k);
        mirror_gram(
            self.inner.as_ref(),
            self.inner.transpose(),
            alpha,
            &mut out.inner,
        );
        out
    }

    /// Whether every entry is finite.
    pub fn is_finite(&self) -> bool {
        (0..self.ncols()).all(|j| self.col(j).iter().all(|v| v.is_finite()))
    }

    fn same_shape(&self, other: &Self, what: &'static str) -> Result<()> {
        if self.nrows() != other.nrows() {
            return Err(Error::DimensionMismatch {
                what,
                expected: self.nrows(),
                found: other.nrows(),
            });
        }
        if self.ncols() != other.ncols() {
            return Err(Error::DimensionMismatch {
                what,
                expected: self.ncols(),
                found: other.ncols(),
            });
        }
        Ok(())
    }
}

/// $m n k$, the multiply-adds of an $m \times k$ by $k \times n$ product (saturating).
fn product_flops(m: usize, k: usize, n: usize) -> usize {
    m.saturating_mul(k).saturating_mul(n)
}

fn check_inner(left: usize, right: usize, what: &'static str) -> Result<()> {
    if left == right {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what,
            expected: left,
            found: right,
        })
    }
}

fn mirror_lower(m: &mut Mat<f64>) {
    let k = m.nrows();
    for j in 0..k {
        for i in (j + 1)..k {
            m[(j, i)] = m[(i, j)];
        }
    }
}

fn check_square(a: &Matrix, what: &'static str) -> Result<()> {
    if a.nrows() == a.ncols() {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what,
            expected: a.nrows(),
            found: a.ncols(),
        })
    }
}

/// $\alpha\,\mathrm{lhs}\,\mathrm{rhs}$ into `out` for a symmetric product ($\mathrm{rhs} =
/// \mathrm{lhs}^\top$): the lower triangle is computed, then mirrored.
fn mirror_gram(
    lhs: faer::MatRef<'_, f64>,
    rhs: faer::MatRef<'_, f64>,
    alpha: f64,
    out: &mut Mat<f64>,
) {
    // Half of the product: the lower triangle.
    let par = par_for(product_flops(lhs.nrows(), lhs.ncols(), rhs.ncols()) / 2);
    triangular_matmul(
        out.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        lhs,
        BlockStructure::Rectangular,
        rhs,
        BlockStructure::Rectangular,
        alpha,
        par,
    );
    mirror_lower(out);
}

/// The Cholesky factorisation $A + cI = LL^\top$ of a symmetric positive definite matrix.
pub struct Cholesky {
    /// The lower-triangular factor $L$ (strict upper triangle zero).
    l: Mat<f64>,
    dim: usize,
}

impl Cholesky {
    /// Factor $A + cI$ (only the lower triangle of $A$ is read).
    ///
    /// Errors: [`Error::DimensionMismatch`] if $A$ is not square, [`Error::LinearAlgebra`] if
    /// $A + cI$ is not numerically positive definite, [`Error::NonFinite`] on non-finite input.
    pub fn new(a: &Matrix, shift: f64) -> Result<Self> {
        check_square(a, "Cholesky factorisation (square matrix)")?;
        if !shift.is_finite() || !a.is_finite() {
            return Err(Error::NonFinite {
                what: "Cholesky input",
            });
        }
        let n = a.nrows();
        // The steps of faer's `Llt::new` (copy the lower triangle, factor in place, zero the
        // strict upper triangle), with an explicit parallelism ($n^3/3$ multiply-adds).
        let mut l = Mat::<f64>::zeros(n, n);
        l.copy_from_triangular_lower(a.inner.as_ref());
        if shift != 0.0 {
            for i in 0..n {
                l[(i, i)] += shift;
            }
        }
        let par = par_for(product_flops(n, n, n) / 3);
        let mut mem = faer::dyn_stack::MemBuffer::new(
            faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f64>(
                n,
                par,
                Default::default(),
            ),
        );
        faer::linalg::cholesky::llt::factor::cholesky_in_place(
            l.as_mut(),
            Default::default(),
            par,
            faer::dyn_stack::MemStack::new(&mut mem),
            Default::default(),
        )
        .map_err(|e| Error::LinearAlgebra {
            what: format!("Cholesky factorisation failed (matrix not positive definite): {e:?}"),
        })?;
        for j in 1..n {
            for i in 0..j {
                l[(i, j)] = 0.0;
            }
        }
        Ok(Self { l, dim: n })
    }

    /// $(A + cI)^{-1} B$.
    pub fn solve(&self, rhs: &Matrix) -> Result<Matrix> {
        check_inner(self.dim, rhs.nrows(), "Cholesky solve")?;
        let mut out = rhs.inner.clone();
        let par = par_for(product_flops(self.dim, self.dim, rhs.ncols()));
        faer::linalg::cholesky::llt::solve::solve_in_place_with_conj(
            self.l.as_ref(),
            Conj::No,
            out.as_mut(),
            par,
            faer::dyn_stack::MemStack::new(&mut faer::dyn_stack::MemBuffer::new(
                faer::linalg::cholesky::llt::solve::solve_in_place_scratch::<f64>(
                    self.dim,
                    rhs.ncols(),
                    par,
                ),
            )),
        );
        Ok(Matrix { inner: out })
    }

    /// $L^{-1} B$ (forward substitution), so that $B_1^\top (A + cI)^{-1} B_2 =
    /// (L^{-1}B_1)^\top (L^{-1}B_2)$.
    pub fn solve_lower(&self, rhs: &Matrix) -> Result<Matrix> {
        check_inner(self.dim, rhs.nrows(), "triangular solve")?;
        let mut out = rhs.inner.clone();
        let par = par_for(product_flops(self.dim, self.dim, rhs.ncols()) / 2);
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(
            self.l.as_ref(),
            out.as_mut(),
            par,
        );
        Ok(Matrix { inner: out })
    }

    /// $L^{-\top} B$ (back substitution with the transposed factor), so that
    /// $(A + cI)^{-1}B = L^{-\top}(L^{-1}B)$.
    pub fn solve_lower_transpose(&self, rhs: &Matrix) -> Result<Matrix> {
        check_inner(self.dim, rhs.nrows(), "triangular solve")?;
        let mut out = rhs.inner.clone();
        let par = par_for(product_flops(self.dim, self.dim, rhs.ncols()) / 2);
        faer::linalg::triangular_solve::solve_upper_triangular_in_place(
            self.l.transpose(),
            out.as_mut(),
            par,
        );
        Ok(Matrix { inner: out })
    }

    /// $\log\det(A + cI) = 2\sum_i \log L_{ii}$.
    pub fn log_det(&self) -> f64 {
        let l = &self.l;
        (0..self.dim).map(|i| 2.0 * l[(i, i)].ln()).sum()
    }
}

/// The symmetric eigendecomposition $A = U\,\mathrm{diag}(s)\,U^\top$, eigenvalues ascending.
pub struct SymmetricEigen {
    values: Vec<f64>,
    vectors: Matrix,
}

impl SymmetricEigen {
    /// Decompose $A$ (only the lower triangle is read).
    ///
    /// Errors: [`Error::DimensionMismatch`] if $A$ is not square, [`Error::NonFinite`] on
    /// non-finite input, [`Error::LinearAlgebra`] if the iteration fails.
    pub fn new(a: &Matrix) -> Result<Self> {
        check_square(a, "symmetric eigendecomposition (square matrix)")?;
        if !a.is_finite() {
            return Err(Error::NonFinite {
                what: "eigendecomposition input",
            });
        }
        sequential_default();
        let evd = a
            .inner
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| Error::LinearAlgebra {
                what: format!("symmetric eigendecomposition failed: {e:?}"),
            })?;
        let s = evd.S();
        let values = (0..a.nrows()).map(|i| s[i]).collect();
        Ok(Self {
            values,
            vectors: Matrix {
                inner: evd.U().to_owned(),
            },
        })
    }

    /// The eigenvalues, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The orthonormal eigenvectors (columns, in the order of [`Self::values`]).
    pub fn vectors(&self) -> &Matrix {
        &self.vectors
    }

    /// $U\,\mathrm{diag}(g(s))\,U^\top B$ for a spectral filter $g$.
    pub fn apply_filter(&self, rhs: &Matrix, g: impl Fn(f64) -> f64) -> Result<Matrix> {
        let mut coeffs = self.vectors.matmul_tn(rhs, 1.0)?;
        let factors: Vec<f64> = self.values.iter().map(|&s| g(s)).collect();
        coeffs.scale_rows(&factors)?;
        self.vectors.matmul(&coeffs, 1.0)
    }
}

impl SymmetricEigen {
    /// $\mathrm{diag}(\sqrt{g(s)})\,U^\top B$ for a nonnegative spectral filter $g$, so that
    /// $B_1^\top U\mathrm{diag}(g(s))U^\top B_2$ is the product of two such half-applications.
    /// Negative filter values are treated as zero.
    pub fn apply_half_filter(&self, rhs: &Matrix, g: impl Fn(f64) -> f64) -> Result<Matrix> {
        let mut coeffs = self.vectors.matmul_tn(rhs, 1.0)?;
        let factors: Vec<f64> = self.values.iter().map(|&s| g(s).max(0.0).sqrt()).collect();
        coeffs.scale_rows(&factors)?;
        Ok(coeffs)
    }
}

/// The eigenvalues of a symmetric matrix (only the lower triangle is read), ascending.
///
/// Errors as [`SymmetricEigen::new`].
pub fn symmetric_eigenvalues(a: &Matrix) -> Result<Vec<f64>> {
    check_square(a, "symmetric eigenvalues (square matrix)")?;
    if !a.is_finite() {
        return Err(Error::NonFinite {
            what: "eigenvalue input",
        });
    }
    sequential_default();
    a.inner
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::LinearAlgebra {
            what: format!("symmetric eigenvalues failed: {e:?}"),
        })
}

/// Largest dimension factored by the in-module small-matrix kernels of [`Lu`] and
/// [`is_positive_definite`] instead of faer. For the Newton systems of the models ($n \le 6$)
/// faer's general blocked factorisation costs about 2 µs per $4\times4$ solve in set-up and
/// allocation, against some 50 ns for a direct elimination; above this size faer is used.
pub const SMALL_DIMENSION: usize = 16;

/// The LU factorisation with partial pivoting $PA = LU$ of a square matrix ($L$ unit lower
/// triangular, $U$ upper triangular), for the small dense non-symmetric systems of the Newton
/// solvers (G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed., 2013, §3.4 and
/// Algorithm 3.4.1). Matrices up to [`SMALL_DIMENSION`] are eliminated directly in a row-major
/// buffer; larger ones by faer's partial-pivoting LU. Both pick the largest pivot in each
/// column, so the two paths agree to rounding (tested).
pub struct Lu {
    factor: LuFactor,
    dim: usize,
}

enum LuFactor {
    /// Row-major packed $L\backslash U$ and the row swapped with row `k` at step `k`.
    Small {
        lu: Vec<f64>,
        swaps: Vec<usize>,
    },
    Faer(faer::linalg::solvers::PartialPivLu<f64>),
}

impl Lu {
    /// Factor $A$ and check that it is numerically non-singular: every pivot must satisfy
    /// $|u_{kk}| > \text{pivot\_floor}\cdot\max_{ij}|a_{ij}|$ (and exceed the smallest positive
    /// normal number). A typical floor is $n\,\epsilon_{\rm mach}$ or $10^{-15}$.
    ///
    /// Errors: [`Error::DimensionMismatch`] if $A$ is not square or empty, [`Error::NonFinite`] on
    /// non-finite input (or floor), [`Error::LinearAlgebra`] if $A$ is numerically singular.
    pub fn new(a: &Matrix, pivot_floor: f64) -> Result<Self> {
        if a.nrows() <= SMALL_DIMENSION {
            Self::new_small(a, pivot_floor)
        } else {
            Self::new_faer(a, pivot_floor)
        }
    }

    /// [`Lu::new`] of the `n × n` matrix with row-major entries `data` (`data[i * n + j]` is
    /// $a_{ij}$), without building a [`Matrix`] for small `n`.
    ///
    /// Errors as [`Lu::new`]; [`Error::DimensionMismatch`] if `data.len() != n * n`.
    pub fn from_row_major(n: usize, data: &[f64], pivot_floor: f64) -> Result<Self> {
        if data.len() != n * n {
            return Err(Error::DimensionMismatch {
                what: "row-major matrix data (n * n)",
                expected: n * n,
                found: data.len(),
            });
        }
        if n > SMALL_DIMENSION {
            return Self::new_faer(&Matrix::from_row_major(n, n, data)?, pivot_floor);
        }
        if n == 0 {
            return Err(Error::DimensionMismatch {
                what: "LU factorisation (non-empty matrix)",
                expected: 1,
                found: 0,
            });
        }
        if !pivot_floor.is_finite() || data.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "LU input" });
        }
        let amax = data.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if amax == 0.0 {
            return Err(Error::LinearAlgebra {
                what: "singular (zero) matrix in LU factorisation".into(),
            });
        }
        Self::eliminate(n, data.to_vec(), pivot_floor * amax)
    }

    fn check_input(a: &Matrix, pivot_floor: f64) -> Result<f64> {
        check_square(a, "LU factorisation (square matrix)")?;
        if a.nrows() == 0 {
            return Err(Error::DimensionMismatch {
                what: "LU factorisation (non-empty matrix)",
                expected: 1,
                found: 0,
            });
        }
        if !a.is_finite() || !pivot_floor.is_finite() {
            return Err(Error::NonFinite { what: "LU input" });
        }
        let amax = a.max_abs();
        if amax == 0.0 {
            return Err(Error::LinearAlgebra {
                what: "singular (zero) matrix in LU factorisation".into(),
            });
        }
        Ok(pivot_floor * amax)
    }

    fn singular(p: f64, k: usize, n: usize) -> Error {
        Error::LinearAlgebra {
            what: format!("singular matrix: pivot {p:.3e} at column {k} of {n}"),
        }
    }

    fn new_small(a: &Matrix, pivot_floor: f64) -> Result<Self> {
        let threshold = Self::check_input(a, pivot_floor)?;
        let n = a.nrows();
        let lu: Vec<f64> = (0..n * n).map(|k| a.inner[(k / n, k % n)]).collect();
        Self::eliminate(n, lu, threshold)
    }

    /// Partial-pivoting elimination of the row-major `lu` in place.
    fn eliminate(n: usize, mut lu: Vec<f64>, threshold: f64) -> Result<Self> {
        let mut swaps = vec![0usize; n];
        eliminate_in_place(n, &mut lu, &mut swaps, threshold)?;
        Ok(Self {
            factor: LuFactor::Small { lu, swaps },
            dim: n,
        })
    }

    fn new_faer(a: &Matrix, pivot_floor: f64) -> Result<Self> {
        let threshold = Self::check_input(a, pivot_floor)?;
        sequential_default();
        let lu = a.inner.partial_piv_lu();
        let n = a.nrows();
        let u = lu.U();
        for k in 0..n {
            let p = u[(k, k)].abs();
            if !(p > threshold && p > f64::MIN_POSITIVE) {
                return Err(Self::singular(p, k, n));
            }
        }
        Ok(Self {
            factor: LuFactor::Faer(lu),
            dim: n,
        })
    }

    /// The solution $x$ of $Ax = b$.
    ///
    /// Errors: [`Error::DimensionMismatch`] if `b` has the wrong length, [`Error::NonFinite`] if
    /// the solution is not finite (an ill-conditioned matrix).
    pub fn solve(&self, b: &[f64]) -> Result<Vec<f64>> {
        check_inner(self.dim, b.len(), "LU solve (right-hand side length)")?;
        let n = self.dim;
        let x = match &self.factor {
            LuFactor::Small { lu, swaps } => {
                let mut x = b.to_vec();
                substitute(n, lu, swaps, &mut x);
                x
            }
            LuFactor::Faer(lu) => {
                let mut rhs = Mat::from_fn(n, 1, |i, _| b[i]);
                sequential_default();
                lu.solve_in_place(rhs.as_mut());
                (0..n).map(|i| rhs[(i, 0)]).collect()
            }
        };
        if x.iter().all(|v| v.is_finite()) {
            Ok(x)
        } else {
            Err(Error::NonFinite {
                what: "LU solution (ill-conditioned matrix)",
            })
        }
    }
}

/// Partial-pivoting elimination of the row-major `n × n` `lu` in place ($L\backslash U$ packed,
/// `swaps[k]` the row exchanged with row `k`); a pivot at most `threshold` is singular.
fn eliminate_in_place(n: usize, lu: &mut [f64], swaps: &mut [usize], threshold: f64) -> Result<()> {
    for k in 0..n {
        let mut p = k;
        let mut best = lu[k * n + k].abs();
        for i in k + 1..n {
            let v = lu[i * n + k].abs();
            if v > best {
                best = v;
                p = i;
            }
        }
        if !(best > threshold && best > f64::MIN_POSITIVE) {
            return Err(Lu::singular(best, k, n));
        }
        swaps[k] = p;
        if p != k {
            for j in 0..n {
                lu.swap(k * n + j, p * n + j);
            }
        }
        let pivot = lu[k * n + k];
        for i in k + 1..n {
            let l = lu[i * n + k] / pivot;
            lu[i * n + k] = l;
            if l != 0.0 {
                for j in k + 1..n {
                    lu[i * n + j] -= l * lu[k * n + j];
                }
            }
        }
    }
    Ok(())
}

/// Forward and back substitution with the factors of [`eliminate_in_place`]; `x` holds $b$ on
/// entry and the solution on exit.
fn substitute(n: usize, lu: &[f64], swaps: &[usize], x: &mut [f64]) {
    for (k, &p) in swaps.iter().enumerate().take(n) {
        x.swap(k, p);
    }
    for i in 0..n {
        let mut s = x[i];
        for j in 0..i {
            s -= lu[i * n + j] * x[j];
        }
        x[i] = s;
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for j in i + 1..n {
            s -= lu[i * n + j] * x[j];
        }
        x[i] = s / lu[i * n + i];
    }
}

/// Partial-pivoting elimination and substitution for a fixed dimension `N` (the same arithmetic
/// as [`eliminate_in_place`] and [`substitute`], on stack arrays).
fn solve_fixed<const N: usize>(data: &[f64], b: &[f64], threshold: f64) -> Result<Vec<f64>> {
    let mut a = [[0.0; N]; N];
    for (i, row) in a.iter_mut().enumerate() {
        row.copy_from_slice(&data[i * N..(i + 1) * N]);
    }
    let mut x = [0.0; N];
    x.copy_from_slice(b);
    Ok(solve_array_core(a, x, threshold)?.to_vec())
}

/// [`solve_dense_row_major`] for a fixed dimension `N` on stack arrays, without any heap
/// allocation (for the models' tiny Newton systems): the same input checks, the same relative
/// `pivot_floor` and bit-for-bit the same arithmetic.
///
/// Errors as [`solve_dense_row_major`].
pub(crate) fn solve_dense_array<const N: usize>(
    a: &[[f64; N]; N],
    b: &[f64; N],
    pivot_floor: f64,
) -> Result<[f64; N]> {
    if N == 0 || N > SMALL_DIMENSION {
        let data: Vec<f64> = a.iter().flatten().copied().collect();
        let x = solve_dense_row_major(N, &data, b, pivot_floor)?;
        return Ok(std::array::from_fn(|i| x[i]));
    }
    if !pivot_floor.is_finite() || a.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "LU input" });
    }
    let amax = a.iter().flatten().fold(0.0_f64, |m, v| m.max(v.abs()));
    if amax == 0.0 {
        return Err(Error::LinearAlgebra {
            what: "singular (zero) matrix in LU factorisation".into(),
        });
    }
    let x = solve_array_core(*a, *b, pivot_floor * amax)?;
    if x.iter().all(|v| v.is_finite()) {
        Ok(x)
    } else {
        Err(Error::NonFinite {
            what: "LU solution (ill-conditioned matrix)",
        })
    }
}

/// The elimination and substitution of [`solve_fixed`] on stack arrays.
#[inline]
fn solve_array_core<const N: usize>(
    mut a: [[f64; N]; N],
    mut x: [f64; N],
    threshold: f64,
) -> Result<[f64; N]> {
    for k in 0..N {
        let mut p = k;
        let mut best = a[k][k].abs();
        for (i, row) in a.iter().enumerate().skip(k + 1) {
            if row[k].abs() > best {
                best = row[k].abs();
                p = i;
            }
        }
        if !(best > threshold && best > f64::MIN_POSITIVE) {
            return Err(Lu::singular(best, k, N));
        }
        a.swap(k, p);
        x.swap(k, p);
        let pivot_row = a[k];
        let pivot = pivot_row[k];
        for i in k + 1..N {
            let l = a[i][k] / pivot;
            if l != 0.0 {
                for j in k + 1..N {
                    a[i][j] -= l * pivot_row[j];
                }
                x[i] -= l * x[k];
            }
        }
    }
    for i in (0..N).rev() {
        let mut s = x[i];
        for j in i + 1..N {
            s -= a[i][j] * x[j];
        }
        x[i] = s / a[i][i];
    }
    Ok(x)
}

/// [`solve_dense`] of the `n × n` row-major system `data` (see [`Lu::from_row_major`]); up to
/// [`SMALL_DIMENSION`] the elimination runs in a stack buffer (one allocation: the solution).
///
/// Errors as [`Lu::from_row_major`] and [`Lu::solve`].
pub fn solve_dense_row_major(
    n: usize,
    data: &[f64],
    b: &[f64],
    pivot_floor: f64,
) -> Result<Vec<f64>> {
    if n > SMALL_DIMENSION || n == 0 || data.len() != n * n {
        return Lu::from_row_major(n, data, pivot_floor)?.solve(b);
    }
    check_inner(n, b.len(), "LU solve (right-hand side length)")?;
    if !pivot_floor.is_finite() || data.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "LU input" });
    }
    let amax = data.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if amax == 0.0 {
        return Err(Error::LinearAlgebra {
            what: "singular (zero) matrix in LU factorisation".into(),
        });
    }
    let threshold = pivot_floor * amax;
    // The models' Newton systems (n <= 6) get a fixed-size kernel the compiler unrolls.
    let fixed = match n {
        1 => Some(solve_fixed::<1>(data, b, threshold)),
        2 => Some(solve_fixed::<2>(data, b, threshold)),
        3 => Some(solve_fixed::<3>(data, b, threshold)),
        4 => Some(solve_fixed::<4>(data, b, threshold)),
        5 => Some(solve_fixed::<5>(data, b, threshold)),
        6 => Some(solve_fixed::<6>(data, b, threshold)),
        _ => None,
    };
    let mut x = b.to_vec();
    let mut swaps = [0usize; SMALL_DIMENSION];
    if let Some(solved) = fixed {
        x = solved?;
    } else {
        let mut lu = [0.0; SMALL_DIMENSION * SMALL_DIMENSION];
        lu[..n * n].copy_from_slice(data);
        eliminate_in_place(n, &mut lu[..n * n], &mut swaps[..n], pivot_floor * amax)?;
        substitute(n, &lu[..n * n], &swaps[..n], &mut x);
    }
    if x.iter().all(|v| v.is_finite()) {
        Ok(x)
    } else {
        Err(Error::NonFinite {
            what: "LU solution (ill-conditioned matrix)",
        })
    }
}

/// The solution of the dense square system $Ax = b$ by [`Lu`] with the given relative
/// `pivot_floor`.
///
/// Errors as [`Lu::new`] and [`Lu::solve`].
///
/// ```
/// use overparam::linalg::{Matrix, solve_dense};
/// let a = Matrix::from_row_major(2, 2, &[0.0, 2.0, 1.0, 1.0])?;
/// let x = solve_dense(&a, &[4.0, 3.0], 1e-15)?;
/// assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 2.0).abs() < 1e-15);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn solve_dense(a: &Matrix, b: &[f64], pivot_floor: f64) -> Result<Vec<f64>> {
    Lu::new(a, pivot_floor)?.solve(b)
}

/// Whether the symmetric matrix $A$ (lower triangle read) is positive definite with every
/// Cholesky pivot resolved: $A = LL^\top$ exists and $\ell_{kk}^2 > \text{pivot\_floor}\cdot a_{kk}$
/// with $a_{kk} > 0$ for every $k$.
///
/// The ratio $\ell_{kk}^2/a_{kk}$ is the fraction of the curvature along variable $k$ not
/// explained by the previous ones; it is invariant under a diagonal rescaling $A \mapsto DAD$, so
/// the test does not depend on the units of the variables. A non-square or non-finite matrix is
/// not positive definite (`false`, never a panic).
pub fn is_positive_definite(a: &Matrix, pivot_floor: f64) -> bool {
    if a.nrows() != a.ncols() || !a.is_finite() {
        return false;
    }
    let n = a.nrows();
    if (0..n).any(|k| a.inner[(k, k)] <= 0.0) {
        return false;
    }
    if n <= SMALL_DIMENSION {
        // Gaussian elimination without pivoting on the lower triangle: the k-th pivot is l_kk^2.
        let mut m: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if i >= j {
                    a.inner[(i, j)]
                } else {
                    a.inner[(j, i)]
                }
            })
            .collect();
        for k in 0..n {
            let p = m[k * n + k];
            if !(p.is_finite() && p > pivot_floor * a.inner[(k, k)] && p > 0.0) {
                return false;
            }
            for i in k + 1..n {
                let f = m[i * n + k] / p;
                for j in k + 1..=i {
                    m[i * n + j] -= f * m[j * n + k];
                }
            }
        }
        return true;
    }
    sequential_default();
    let Ok(llt) = a.inner.llt(Side::Lower) else {
        return false;
    };
    let l = llt.L();
    (0..n).all(|k| {
        let p = l[(k, k)] * l[(k, k)];
        p.is_finite() && p > pivot_floor * a.inner[(k, k)]
    })
}

/// Whether the symmetric `N × N` matrix $H = \begin{pmatrix} A & B \\ B^\top & C\end{pmatrix}$
/// (lower triangle read), with $A$ its leading `p × p` block, has $A \succ 0$ and Schur complement
/// $S = C - B^\top A^{-1} B \prec 0$ — the second-order condition of a strict local max-min point
/// (minimised in the first `p` variables, maximised in the rest) — with every pivot resolved: the
/// same test as [`is_positive_definite`] applied to $A$ and to $-S$ (each pivot of the
/// elimination at least `pivot_floor` times the diagonal entry it started from, which makes the
/// test invariant under a diagonal rescaling of the variables).
///
/// One symmetric elimination without pivoting on a stack copy of $H$ (no allocation): the first
/// `p` pivots are those of $A$; after them the trailing block holds $S$, whose pivots must all be
/// negative. A non-finite matrix or `p > N` gives `false`.
///
/// ```
/// use overparam::linalg::is_max_min_definite;
/// // A = 2, B = 1, C = -1: S = -1 - 1/2 < 0.
/// assert!(is_max_min_definite(&[[2.0, 1.0], [1.0, -1.0]], 1, 1e-12));
/// // C = 1: S = 1 - 1/2 > 0, not a max-min point.
/// assert!(!is_max_min_definite(&[[2.0, 1.0], [1.0, 1.0]], 1, 1e-12));
/// ```
#[allow(clippy::needless_range_loop)] // symmetric index arithmetic reads clearer with indices
pub fn is_max_min_definite<const N: usize>(h: &[[f64; N]; N], p: usize, pivot_floor: f64) -> bool {
    if p > N || h.iter().flatten().any(|v| !v.is_finite()) {
        return false;
    }
    // Symmetric copy from the lower triangle.
    let mut m = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            m[i][j] = h[i][j];
            m[j][i] = h[i][j];
        }
    }
    let mut start = [0.0; N];
    for k in 0..N {
        if k == p {
            // The trailing block now holds S; its diagonal is where the pivots of -S start.
            for (i, s) in start.iter_mut().enumerate().skip(p) {
                *s = -m[i][i];
            }
        }
        if k < p {
            start[k] = h[k][k];
        }
        let pivot = if k < p { m[k][k] } else { -m[k][k] };
        if !(start[k] > 0.0 && pivot.is_finite() && pivot > pivot_floor * start[k] && pivot > 0.0) {
            return false;
        }
        let d = m[k][k];
        for i in k + 1..N {
            let f = m[i][k] / d;
            for j in k + 1..=i {
                m[i][j] -= f * m[j][k];
                m[j][i] = m[i][j];
            }
        }
    }
    true
}

/// Eigenvalues (ascending) of the `n × n` symmetric matrix with row-major entries `a` (its
/// symmetric part $\frac12(A + A^\top)$ is used), by cyclic Jacobi rotations to an off-diagonal
/// norm of $10^{-15}\|A\|_F$ (G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed.,
/// 2013, §8.5). For the many small blocks of the two-layer spectra ($n \le$
/// [`SMALL_DIMENSION`]) this is several times faster than [`symmetric_eigenvalues`], whose
/// set-up cost dominates there; larger matrices are passed to it.
///
/// Errors: [`Error::DimensionMismatch`] if `a.len() != n * n`, [`Error::NonFinite`] on
/// non-finite input or output, [`Error::NotConverged`] after 100 sweeps.
pub fn small_symmetric_eigenvalues(n: usize, a: &[f64]) -> Result<Vec<f64>> {
    if a.len() != n * n {
        return Err(Error::DimensionMismatch {
            what: "row-major symmetric matrix (n * n)",
            expected: n * n,
            found: a.len(),
        });
    }
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "eigenvalue input",
        });
    }
    if n > SMALL_DIMENSION {
        let m = Matrix::from_fn(n, n, |i, j| 0.5 * (a[i * n + j] + a[j * n + i]));
        return symmetric_eigenvalues(&m);
    }
    let mut a = a.to_vec();
    for i in 0..n {
        for j in (i + 1)..n {
            let s = 0.5 * (a[i * n + j] + a[j * n + i]);
            a[i * n + j] = s;
            a[j * n + i] = s;
        }
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut sweeps = 0;
    loop {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || n < 2 {
            break;
        }
        sweeps += 1;
        if sweeps > 100 {
            return Err(Error::NotConverged {
                method: "jacobi eigenvalues",
                iterations: sweeps,
                residual: off,
                tolerance: 1e-15 * scale,
                last_iterate: (0..n).map(|i| a[i * n + i]).collect(),
            });
        }
        for p in 0..n {
            for q in (p + 1)..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    if ev.iter().any(|x| !x.is_finite()) {
        return Err(Error::NonFinite {
            what: "symmetric eigenvalues",
        });
    }
    ev.sort_by(f64::total_cmp);
    Ok(ev)
}

/// A Haar-distributed orthogonal $n \times n$ matrix: the QR factorisation $G = QR$ of a
/// matrix $G$ of iid standard normals (drawn column by column from `normal`), with the columns of
/// $Q$ multiplied by $\operatorname{sign} R_{jj}$ so that the factorisation is unique and $Q$ is
/// exactly Haar (F. Mezzadri, "How to generate random matrices from the classical compact
/// groups", *Notices AMS* 54(5), 2007; without the sign fix the law of $Q$ depends on the
/// Householder convention and is not Haar).
///
/// Errors: [`Error::DimensionMismatch`] for `n == 0`; [`Error::NonFinite`] if a draw is not
/// finite.
pub fn haar_orthogonal(n: usize, mut normal: impl FnMut() -> f64) -> Result<Matrix> {
    if n == 0 {
        return Err(Error::DimensionMismatch {
            what: "Haar orthogonal matrix (n >= 1)",
            expected: 1,
            found: 0,
        });
    }
    let g = Mat::<f64>::from_fn(n, n, |_, _| normal());
    let gm = Matrix { inner: g };
    if !gm.is_finite() {
        return Err(Error::NonFinite {
            what: "Gaussian draws of the Haar matrix",
        });
    }
    sequential_default();
    let qr = gm.inner.qr();
    let r = qr.R();
    let signs: Vec<f64> = (0..n)
        .map(|j| if r[(j, j)] < 0.0 { -1.0 } else { 1.0 })
        .collect();
    let mut q = qr.compute_Q();
    for (j, sign) in signs.iter().enumerate() {
        if *sign < 0.0 {
            for i in 0..n {
                q[(i, j)] = -q[(i, j)];
            }
        }
    }
    Ok(Matrix { inner: q })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass max-min test agrees with its definition through faer: Cholesky of A, the
    /// Schur complement -S = (L^{-1}B)^T (L^{-1}B) - C, and `is_positive_definite` on A and -S.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn max_min_definite_matches_the_faer_composition() {
        let mut rng = crate::sim::rng::trial_rng(2026, 0);
        let mut agree_true = 0;
        for trial in 0..4000 {
            let h: [[f64; 5]; 5] = {
                let mut h = [[0.0; 5]; 5];
                for i in 0..5 {
                    for j in 0..=i {
                        let v = crate::sim::rng::normal(&mut rng);
                        // A positive diagonal for the min block, negative for the max block most
                        // of the time, so that both outcomes occur.
                        let shift = if i == j {
                            if i < 2 { 2.0 } else { -2.0 }
                        } else {
                            0.0
                        };
                        h[i][j] = v + shift;
                        h[j][i] = h[i][j];
                    }
                }
                h
            };
            let floor = 1e-9;
            let a = Matrix::from_fn(2, 2, |i, j| h[i][j]);
            let b = Matrix::from_fn(2, 3, |i, j| h[i][2 + j]);
            let reference = is_positive_definite(&a, floor)
                && match Cholesky::new(&a, 0.0).and_then(|c| c.solve_lower(&b)) {
                    Ok(y) => {
                        let mut neg_s = y.gram(1.0);
                        neg_s.map_indexed_in_place(|i, j, v| v - h[2 + i][2 + j]);
                        is_positive_definite(&neg_s, floor)
                    }
                    Err(_) => false,
                };
            assert_eq!(
                is_max_min_definite(&h, 2, floor),
                reference,
                "trial {trial}: {h:?}"
            );
            agree_true += usize::from(reference);
        }
        // Both outcomes are exercised.
        assert!(
            agree_true > 400 && agree_true < 3600,
            "{agree_true} of 4000 max-min points"
        );
        // p = N is plain positive definiteness; p > N and non-finite input are rejected.
        assert!(is_max_min_definite(&[[2.0, 1.0], [1.0, 2.0]], 2, 1e-12));
        assert!(!is_max_min_definite(&[[2.0, 1.0], [1.0, 2.0]], 3, 1e-12));
        assert!(!is_max_min_definite(
            &[[f64::NAN, 0.0], [0.0, -1.0]],
            1,
            1e-12
        ));
    }

    #[test]
    fn solve_dense_array_matches_row_major_bitwise() {
        // A pivoting 4x4 system: the array path must give the row-major path's bits.
        let a = [
            [1e-3, 2.0, -1.0, 0.5],
            [4.0, -1.0, 0.25, 3.0],
            [-2.0, 7.0, 1.0, -1.5],
            [0.5, 0.125, 9.0, 2.0],
        ];
        let b = [1.0, -2.0, 0.5, 3.0];
        let x = solve_dense_array(&a, &b, 1e-15).unwrap();
        let flat: Vec<f64> = a.iter().flatten().copied().collect();
        let y = solve_dense_row_major(4, &flat, &b, 1e-15).unwrap();
        for (u, v) in x.iter().zip(&y) {
            assert_eq!(u.to_bits(), v.to_bits());
        }
        // Residual check against the matrix itself (an independent reference).
        for (row, bi) in a.iter().zip(&b) {
            let r: f64 = row.iter().zip(&x).map(|(p, q)| p * q).sum();
            assert!((r - bi).abs() < 1e-13);
        }
        // Same typed errors: singular, zero and non-finite matrices.
        let singular = [[1.0, 2.0], [2.0, 4.0]];
        assert!(matches!(
            solve_dense_array(&singular, &[1.0, 1.0], 1e-15),
            Err(Error::LinearAlgebra { .. })
        ));
        assert!(matches!(
            solve_dense_array(&[[0.0; 2]; 2], &[1.0, 1.0], 1e-15),
            Err(Error::LinearAlgebra { .. })
        ));
        assert!(matches!(
            solve_dense_array(&[[f64::NAN, 0.0], [0.0, 1.0]], &[1.0, 1.0], 1e-15),
            Err(Error::NonFinite { .. })
        ));
    }

    fn sample(nrows: usize, ncols: usize, seed: u64) -> Matrix {
        // A deterministic, well-conditioned pseudo-random pattern (no RNG dependency).
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Matrix::from_fn(nrows, ncols, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
    }

    fn naive_product(a: &Matrix, b: &Matrix) -> Matrix {
        Matrix::from_fn(a.nrows(), b.ncols(), |i, j| {
            (0..a.ncols())
                .map(|k| a.get(i, k).unwrap() * b.get(k, j).unwrap())
                .sum()
        })
    }

    #[test]
    fn products_match_the_triple_loop() {
        let a = sample(13, 7, 1);
        let b = sample(7, 5, 2);
        let c = sample(13, 5, 3);
        let ab = a.matmul(&b, 2.0).unwrap();
        let mut expected = naive_product(&a, &b);
        expected.scale(2.0);
        assert!(ab.distance_sq(&expected).unwrap() < 1e-24);
        let atc = a.matmul_tn(&c, 1.0).unwrap();
        assert!(atc.distance_sq(&naive_product(&a.transpose(), &c)).unwrap() < 1e-24);
        let bt = b.transpose();
        let abt = a.matmul_nt(&bt, 1.0).unwrap();
        assert!(abt.distance_sq(&naive_product(&a, &b)).unwrap() < 1e-24);
        let gram = a.gram(0.5);
        let mut expected = naive_product(&a.transpose(), &a);
        expected.scale(0.5);
        assert!(gram.distance_sq(&expected).unwrap() < 1e-24);
        let gram_rows = a.gram_rows(1.0);
        assert!(
            gram_rows
                .distance_sq(&naive_product(&a, &a.transpose()))
                .unwrap()
                < 1e-24
        );
        assert!(matches!(
            a.matmul(&c, 1.0),
            Err(Error::DimensionMismatch { .. })
        ));
    }

    /// The Cholesky factor and solves, now called through faer's low-level functions with an
    /// explicit parallelism, equal bit for bit what faer's `Llt` (the implementation before issue
    /// 17 §2) computes sequentially, at sizes below and above faer's blocking (and, in the
    /// parallel kernel on two threads, the same bits again).
    #[test]
    fn cholesky_equals_faers_sequential_llt_bit_for_bit() {
        use faer::linalg::solvers::Solve;
        sequential_default();
        for (n, shift) in [(7, 0.0), (150, 0.25), (300, 0.0), (700, 1e-3)] {
            let a = sample(n + 11, n, n as u64).gram(1.0);
            let rhs = sample(n, 5, 3);
            let mut shifted = a.clone();
            shifted.add_to_diagonal(shift);
            let llt = shifted.inner.llt(Side::Lower).unwrap();
            let mut want = rhs.inner.clone();
            llt.solve_in_place(want.as_mut());
            let want_l: Vec<u64> = (0..n)
                .flat_map(|j| (0..n).map(move |i| (i, j)))
                .map(|(i, j)| llt.L()[(i, j)].to_bits())
                .collect();
            let check = |chol: &Cholesky| {
                let got_l: Vec<u64> = (0..n)
                    .flat_map(|j| (0..n).map(move |i| (i, j)))
                    .map(|(i, j)| chol.l[(i, j)].to_bits())
                    .collect();
                assert!(got_l == want_l, "L differs at n = {n}");
                let x = chol.solve(&rhs).unwrap();
                assert!(x.inner == want, "solve differs at n = {n}");
            };
            check(&Cholesky::new(&a, shift).unwrap());
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            pool.install(|| with_parallel_kernel(|| check(&Cholesky::new(&a, shift).unwrap())));
        }
    }

    #[test]
    fn cholesky_solve_inverts_and_log_det_matches_eigenvalues() {
        let a = sample(40, 25, 4).gram(1.0);
        let shift = 0.3;
        let chol = Cholesky::new(&a, shift).unwrap();
        let b = sample(25, 3, 5);
        let x = chol.solve(&b).unwrap();
        let mut shifted = a.clone();
        shifted.add_to_diagonal(shift);
        let back = shifted.matmul(&x, 1.0).unwrap();
        assert!(back.distance_sq(&b).unwrap() < 1e-22);
        let eigenvalues = symmetric_eigenvalues(&a).unwrap();
        let log_det: f64 = eigenvalues.iter().map(|s| (s + shift).ln()).sum();
        assert!((chol.log_det() - log_det).abs() < 1e-10);
        // Not positive definite: a typed error, no panic.
        let mut negative = Matrix::identity(3);
        negative.scale(-1.0);
        assert!(matches!(
            Cholesky::new(&negative, 0.0),
            Err(Error::LinearAlgebra { .. })
        ));
    }

    #[test]
    fn in_place_gram_copy_and_map_match_the_allocating_forms() {
        let a = sample(30, 12, 3);
        let mut out = Matrix::zeros(12, 12);
        a.gram_into(0.5, &mut out).unwrap();
        assert_eq!(out, a.gram(0.5));
        assert!(a.gram_into(1.0, &mut Matrix::zeros(11, 12)).is_err());
        let mut b = Matrix::zeros(30, 12);
        b.copy_from(&a).unwrap();
        assert_eq!(b, a);
        assert!(b.copy_from(&Matrix::zeros(12, 30)).is_err());
        b.map_indexed_in_place(|i, j, v| v + (i * 100 + j) as f64);
        assert_eq!(b.get(7, 5), Some(a.get(7, 5).unwrap() + 705.0));
    }

    #[test]
    fn lu_solves_a_permuted_system_and_reports_singular_matrices() {
        // A needs pivoting (zero leading entry); x = (1, 2, 3) by construction.
        let a =
            Matrix::from_row_major(3, 3, &[0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 4.0, -1.0, 2.0]).unwrap();
        let b = [7.0, 6.0, 8.0];
        let x = solve_dense(&a, &b, 1e-15).unwrap();
        for (xi, want) in x.iter().zip([1.0, 2.0, 3.0]) {
            assert!((xi - want).abs() < 1e-14, "{x:?}");
        }
        // Agrees with the Cholesky solve on a symmetric positive definite matrix.
        let spd = sample(20, 6, 9).gram(1.0);
        let rhs = sample(6, 1, 10);
        let via_lu = solve_dense(&spd, rhs.col(0), 1e-15).unwrap();
        let via_chol = Cholesky::new(&spd, 0.0).unwrap().solve(&rhs).unwrap();
        for (i, v) in via_lu.iter().enumerate() {
            assert!((v - via_chol.get(i, 0).unwrap()).abs() < 1e-12);
        }
        let singular = Matrix::from_row_major(2, 2, &[1.0, 2.0, 2.0, 4.0]).unwrap();
        assert!(matches!(
            solve_dense(&singular, &[1.0, 1.0], 1e-15),
            Err(Error::LinearAlgebra { .. })
        ));
        assert!(matches!(
            Lu::new(&Matrix::zeros(2, 2), 1e-15),
            Err(Error::LinearAlgebra { .. })
        ));
        assert!(matches!(
            Lu::new(&Matrix::zeros(2, 3), 1e-15),
            Err(Error::DimensionMismatch { .. })
        ));
        let mut nan = Matrix::identity(2);
        nan.add_to_diagonal(f64::NAN);
        assert!(matches!(Lu::new(&nan, 1e-15), Err(Error::NonFinite { .. })));
        assert!(Matrix::from_row_major(2, 2, &[1.0]).is_err());
    }

    #[test]
    fn small_and_faer_paths_agree() {
        for n in [1, 2, 3, 5, 8, 16] {
            let a = sample(n, n, 20 + n as u64);
            let b: Vec<f64> = (0..n).map(|i| (i as f64).sin() + 0.5).collect();
            let small = Lu::new_small(&a, 1e-15).unwrap().solve(&b).unwrap();
            let rows: Vec<f64> = (0..n * n).map(|k| a.get(k / n, k % n).unwrap()).collect();
            assert_eq!(
                solve_dense_row_major(n, &rows, &b, 1e-15).unwrap(),
                small,
                "row-major entry point"
            );
            let large = Lu::new_faer(&a, 1e-15).unwrap().solve(&b).unwrap();
            let back = a
                .matmul(&Matrix::from_fn(n, 1, |i, _| small[i]), 1.0)
                .unwrap();
            for i in 0..n {
                assert!((small[i] - large[i]).abs() < 1e-10 * (1.0 + large[i].abs()));
                assert!((back.get(i, 0).unwrap() - b[i]).abs() < 1e-12);
            }
            // Positive definiteness: a Gram matrix plus a shift is; minus a large shift is not.
            let mut spd = sample(n + 3, n, 40 + n as u64).gram(1.0);
            spd.add_to_diagonal(1e-3);
            let mut ind = spd.clone();
            ind.add_to_diagonal(-10.0);
            for floor in [0.0, 1e-9] {
                assert!(is_positive_definite(&spd, floor));
                assert!(!is_positive_definite(&ind, floor));
            }
        }
        // A large matrix goes through faer and agrees with the Cholesky solve.
        let n = 40;
        let mut spd = sample(60, n, 7).gram(1.0);
        spd.add_to_diagonal(0.1);
        let b: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let x = solve_dense(&spd, &b, 1e-15).unwrap();
        let y = Cholesky::new(&spd, 0.0)
            .unwrap()
            .solve(&Matrix::from_fn(n, 1, |i, _| b[i]))
            .unwrap();
        for (i, xi) in x.iter().enumerate() {
            assert!((xi - y.get(i, 0).unwrap()).abs() < 1e-9 * (1.0 + xi.abs()));
        }
        assert!(is_positive_definite(&spd, 1e-9));
        let mut ind = spd.clone();
        ind.add_to_diagonal(-1e6);
        assert!(!is_positive_definite(&ind, 1e-9));
    }

    #[test]
    fn small_eigenvalues_match_faer() {
        for n in [1, 2, 5, 12, 16, 20] {
            let a = sample(n + 4, n, 60 + n as u64).gram(1.0);
            let rows: Vec<f64> = (0..n * n).map(|k| a.get(k / n, k % n).unwrap()).collect();
            let jacobi = small_symmetric_eigenvalues(n, &rows).unwrap();
            let reference = symmetric_eigenvalues(&a).unwrap();
            assert_eq!(jacobi.len(), n);
            for (x, y) in jacobi.iter().zip(&reference) {
                assert!(
                    (x - y).abs() < 1e-12 * (1.0 + y.abs()),
                    "{jacobi:?} {reference:?}"
                );
            }
        }
        assert!(small_symmetric_eigenvalues(2, &[1.0]).is_err());
        assert!(small_symmetric_eigenvalues(1, &[f64::NAN]).is_err());
    }

    #[test]
    fn positive_definiteness_by_scale_invariant_pivots() {
        // [[1, r], [r, 1]] has pivots 1 and 1 - r^2: positive definite iff |r| < 1, and the
        // second pivot ratio is 1 - r^2.
        let m = |r: f64| Matrix::from_row_major(2, 2, &[1.0, r, r, 1.0]).unwrap();
        assert!(is_positive_definite(&m(0.5), 1e-9));
        assert!(!is_positive_definite(&m(1.5), 1e-9));
        assert!(!is_positive_definite(&m(1.0 - 1e-12), 1e-9));
        assert!(is_positive_definite(&m(1.0 - 1e-6), 1e-9));
        // Invariant under a diagonal rescaling by very different scales.
        let d = [1e-8, 1e4];
        let scaled = Matrix::from_fn(2, 2, |i, j| d[i] * d[j] * m(0.9).get(i, j).unwrap());
        assert!(is_positive_definite(&scaled, 1e-9));
        let mut negative = Matrix::identity(3);
        negative.scale(-1.0);
        assert!(!is_positive_definite(&negative, 1e-9));
        assert!(!is_positive_definite(&Matrix::zeros(2, 3), 1e-9));
    }

    #[test]
    fn eigendecomposition_reconstructs_and_filters() {
        let a = sample(30, 12, 6).gram(1.0);
        let evd = SymmetricEigen::new(&a).unwrap();
        assert!(evd.values().windows(2).all(|w| w[0] <= w[1]));
        let identity = Matrix::identity(12);
        let rebuilt = evd.apply_filter(&identity, |s| s).unwrap();
        assert!(rebuilt.distance_sq(&a).unwrap() < 1e-22);
        // The filter 1/(s + c) is the Cholesky inverse.
        let inverse = evd.apply_filter(&identity, |s| 1.0 / (s + 0.7)).unwrap();
        let chol = Cholesky::new(&a, 0.7).unwrap().solve(&identity).unwrap();
        assert!(inverse.distance_sq(&chol).unwrap() < 1e-22);
        // Half-applications multiply back to the full filter, and the Cholesky forward
        // substitution does the same for the inverse.
        let b = sample(12, 4, 8);
        let half = evd.apply_half_filter(&b, |s| 1.0 / (s + 0.7)).unwrap();
        let full = b
            .matmul_tn(&evd.apply_filter(&b, |s| 1.0 / (s + 0.7)).unwrap(), 1.0)
            .unwrap();
        assert!(half.gram(1.0).distance_sq(&full).unwrap() < 1e-22);
        let factor = Cholesky::new(&a, 0.7).unwrap();
        let forward = factor.solve_lower(&b).unwrap();
        assert!(forward.gram(1.0).distance_sq(&full).unwrap() < 1e-22);
        // Back substitution with L^T after forward substitution is the full solve.
        let both = factor.solve_lower_transpose(&forward).unwrap();
        assert!(both.distance_sq(&factor.solve(&b).unwrap()).unwrap() < 1e-22);
        let values = symmetric_eigenvalues(&a).unwrap();
        for (x, y) in values.iter().zip(evd.values()) {
            assert!((x - y).abs() < 1e-10);
        }
    }
}
