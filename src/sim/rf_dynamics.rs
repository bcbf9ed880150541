//! Finite-size simulation of random features whose second layer is trained by gradient flow (or
//! gradient descent, heavy ball, Nesterov) from zero: the finite problems whose limits
//! [`crate::theory::rf_dynamics`] computes.
//!
//! # Model
//!
//! As [`crate::sim::random_features`]: inputs and first-layer weights on
//! $\mathbb S^{d-1}(\sqrt d)$ (or Gaussian), $N = \mathrm{round}(\psi_1 d)$ features
//! $Z_{ia} = \sigma(\langle\theta_a, x_i\rangle/\sqrt d)$, $n = \mathrm{round}(\psi_2 d)$ samples,
//! the target with linear energy $F_1^2$, nonlinear energy $F_\star^2$ and label noise $\tau^2$.
//! The second layer runs the method on
//!
//! $$L(a) = \frac1{2n}\|y - Za\|^2 + \frac{\lambda_{\rm lin}}2\|a\|^2,\qquad
//!   \lambda_{\rm lin} = \frac{N\lambda}{d}$$
//!
//! (MM's $\lambda$; the minimiser is MM's ridge estimator) from $a_0 = a_{-1} = 0$. Every method
//! gives $a = q(S + \lambda_{\rm lin})Z^\top y/n$, $S = Z^\top Z/n$, with the scalar filter $q$ of
//! [`crate::theory::dynamics`] (gradient flow: $q_t(u) = (1 - e^{-tu})/u$).
//!
//! # What a trial computes (exactly, given $X$, $\Theta$ and the test points)
//!
//! One symmetric eigendecomposition of the smaller Gram matrix ($Z^\top Z$ if $N \le n$, else
//! $ZZ^\top$; eigenvalues $g_i$, $k = \min(N, n)$) per trial, then for every time only the
//! $k$ filter values $h_i = q(g_i/n + \lambda_{\rm lin})/n$: the predictions are
//! $\hat f(x_t) = p_t^\top y$ with $P^\top = L^\top\mathrm{diag}(h)B$, where $L = U^\top Z^\top$,
//! $B = U^\top Z_{\rm test}^\top$ (primal) or $L = V^\top$, $B = V^\top ZZ_{\rm test}^\top$
//! (dual). The conditional risks averaged exactly over $\beta$, the noise and the nonlinear
//! target (the estimator of [`crate::sim::random_features`], with $p_t$ from the filter) are
//! then quadratic forms in $h$ with $k\times k$ matrices precomputed once per trial
//! ($(LXX^\top L^\top)\circ(BB^\top)$ and, for $F_\star > 0$, $(LKL^\top)\circ(BB^\top)$), so a
//! time costs $O(k^2)$. The training residual is $y - Za = W\mathrm{diag}(\rho)W^\top y$ on the
//! range of $Z$ (orthonormal $W$) and the identity off it, with
//! $\rho_i = 1 - s_iq(s_i + \lambda_{\rm lin})$ computed without cancellation.

use super::data::{InputDistribution, sample_points};
use super::estimate::Estimate;
use super::random_features::{check_model_and_sizes, rounded_size};
use super::rng::trial_rng;
use crate::error::{Error, Result, validate};
use crate::linalg::{Matrix, SymmetricEigen};
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::theory::dynamics::{Algorithm, FilterState, MAX_STEPS, gradient_flow_filter};
use crate::theory::random_features::RandomFeatures;

/// Unchecked parameters of a random-features dynamics simulation.
///
/// ```
/// use overparam::experiment::RunOptions;
/// use overparam::sim::rf_dynamics::RfDynamicsSimulation;
/// use overparam::theory::random_features::RandomFeatures;
/// let model = RandomFeatures { psi1: 2.0, psi2: 3.0, lambda: 0.0, noise_sd: 0.5, ..Default::default() };
/// let sim = RfDynamicsSimulation { model, d: 30, time: 5.0, ..Default::default() }.check()?;
/// let report = sim.run(&RunOptions { seed: 7, trials: 3, progress: false })?;
/// assert!(report.test_error.mean > 0.0 && report.train_error.mean < 1.25);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RfDynamicsSimulation {
    /// The random-features model (nominal ratios; its `lambda` is MM's ridge penalty, the loss
    /// carries $\lambda_{\rm lin} = N\lambda/d$).
    pub model: RandomFeatures,
    /// Input dimension $d \in [2, 20000]$.
    pub d: usize,
    /// Number $T \in [1, 20000]$ of fresh test points per trial.
    pub test_points: usize,
    /// Law of inputs and weights.
    pub input: InputDistribution,
    /// The method (gradient flow by default).
    pub algorithm: Algorithm,
    /// Step $\eta > 0$ of a discrete method (ignored by gradient flow).
    pub lr: f64,
    /// Momentum $m \in [0, 1)$ of heavy ball / Nesterov (ignored otherwise).
    pub momentum: f64,
    /// Gradient-flow time $t \ge 0$, or the number of steps (an integer) of a discrete method.
    pub time: f64,
}

impl Default for RfDynamicsSimulation {
    /// The default [`RandomFeatures`] at $d = 100$, $T = 1000$ sphere points, gradient flow to
    /// $t = 10$.
    fn default() -> Self {
        Self {
            model: RandomFeatures::default(),
            d: 100,
            test_points: 1000,
            input: InputDistribution::Sphere,
            algorithm: Algorithm::GradientFlow,
            lr: 0.1,
            momentum: 0.0,
            time: 10.0,
        }
    }
}

/// Validate a time of `algorithm`: $t \ge 0$ finite, or an integer number of steps in
/// $[0, $ [`MAX_STEPS`]$]$.
fn check_time(algorithm: Algorithm, time: f64) -> Result<f64> {
    if algorithm.is_discrete() {
        if !(time.is_finite() && time >= 0.0 && time.fract() == 0.0 && time <= MAX_STEPS as f64) {
            return Err(Error::InvalidParameter {
                name: "steps",
                value: time,
                expected: "an integer number of steps in [0, 1e7]",
            });
        }
        Ok(time)
    } else {
        validate::non_negative("time", time)
    }
}

impl RfDynamicsSimulation {
    /// Validate the model ([`RandomFeatures::check`]), the method, the time and the sizes.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the field (`d`, `test_points`, `psi1`,
    /// `psi2`, `lr`, `momentum`, `time` / `steps`, or the model's).
    pub fn check(&self) -> Result<RfDynamicsSimulator> {
        let model = check_model_and_sizes(&self.model, self.d, self.test_points)?;
        if self.algorithm.is_discrete() {
            validate::positive("lr", self.lr)?;
            validate::in_closed("momentum", self.momentum, 0.0, 1.0, "a number in [0, 1)")?;
            if self.momentum >= 1.0 {
                return Err(Error::InvalidParameter {
                    name: "momentum",
                    value: self.momentum,
                    expected: "a number in [0, 1)",
                });
            }
        }
        let time = check_time(self.algorithm, self.time)?;
        let num_features = rounded_size("psi1", self.model.psi1, self.d)?;
        let n = rounded_size("psi2", self.model.psi2, self.d)?;
        Ok(RfDynamicsSimulator {
            model,
            d: self.d,
            num_features,
            n,
            test_points: self.test_points,
            input: self.input,
            algorithm: self.algorithm,
            lr: self.lr,
            momentum: self.momentum,
            time,
        })
    }
}

/// A validated random-features dynamics simulation (build with
/// [`RfDynamicsSimulation::check`]).
#[derive(Debug, Clone)]
pub struct RfDynamicsSimulator {
    model: RandomFeatures,
    d: usize,
    num_features: usize,
    n: usize,
    test_points: usize,
    input: InputDistribution,
    algorithm: Algorithm,
    lr: f64,
    momentum: f64,
    time: f64,
}

/// The conditional risks of one trial at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfDynamicsTrial {
    /// Test error (label noise excluded).
    pub test_error: f64,
    /// Bias part (everything but the variance).
    pub bias: f64,
    /// Variance part $(\tau^2 + F_\star^2)\frac1T\sum_t\|p_t\|^2$.
    pub variance: f64,
    /// Training error (label noise included).
    pub train_error: f64,
}

/// Monte Carlo estimates at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct RfDynamicsSimReport {
    /// The time (or number of steps).
    pub time: f64,
    /// Test error (label noise excluded).
    pub test_error: Estimate,
    /// Bias part.
    pub bias: Estimate,
    /// Variance part.
    pub variance: Estimate,
    /// Training error (label noise included).
    pub train_error: Estimate,
    /// Input dimension $d$.
    pub d: usize,
    /// Number of features $N$.
    pub num_features: usize,
    /// Number of samples $n$.
    pub n: usize,
}

/// One trial's spectral data: everything the risks at any time need (see the module docs).
#[derive(Debug, Clone)]
pub struct RfTrialSpectrum {
    /// Eigenvalues $g_i$ of the smaller Gram matrix (unnormalised, clamped at 0).
    g: Vec<f64>,
    /// $f_i = (LL^\top)_{ii}$: $g_i$ (primal) or 1 (dual).
    f: Vec<f64>,
    /// $(BB^\top)_{ii}$.
    bb: Vec<f64>,
    /// $\langle (LX)_i, (BX_{\rm test})_i\rangle$.
    c1: Vec<f64>,
    /// $(LXX^\top L^\top)\circ(BB^\top)$.
    h1: Matrix,
    /// $\|W_i^\top X\|^2$.
    omega: Vec<f64>,
    /// $\|X\|_F^2$, $\|X_{\rm test}\|_F^2$.
    x_norm: f64,
    xt_norm: f64,
    /// The nonlinear target's terms (if $F_\star > 0$).
    nonlinear: Option<NonlinearTerms>,
    n: usize,
    d: usize,
    t: usize,
}

#[derive(Debug, Clone)]
struct NonlinearTerms {
    /// $(LQB^\top)_{ii}$.
    c2: Vec<f64>,
    /// $(LKL^\top)\circ(BB^\top)$.
    h2: Matrix,
    /// $W_i^\top K W_i$.
    kappa: Vec<f64>,
    /// $\operatorname{tr} K$.
    trace: f64,
    /// $\frac1T\sum_t k(x_t, x_t)$.
    self_term: f64,
}

/// Row-wise dot products of two matrices of the same shape.
fn row_dots(a: &Matrix, b: &Matrix) -> Vec<f64> {
    let mut out = vec![0.0; a.nrows()];
    for j in 0..a.ncols() {
        let (ca, cb) = (a.col(j), b.col(j));
        for (o, (x, y)) in out.iter_mut().zip(ca.iter().zip(cb)) {
            *o += x * y;
        }
    }
    out
}

/// Hadamard product of two square matrices of the same size.
fn hadamard(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_fn(a.nrows(), a.ncols(), |i, j| a.col(j)[i] * b.col(j)[i])
}

/// $h^\top H h$.
fn quadratic_form(h: &[f64], m: &Matrix) -> f64 {
    (0..h.len())
        .map(|j| {
            let col = m.col(j);
            h[j] * col.iter().zip(h).map(|(a, b)| a * b).sum::<f64>()
        })
        .sum()
}

impl RfDynamicsSimulator {
    /// Input dimension $d$.
    pub fn d(&self) -> usize {
        self.d
    }
    /// $N$.
    pub fn num_features(&self) -> usize {
        self.num_features
    }
    /// $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The time (or steps) of [`Self::run`].
    pub fn time(&self) -> f64 {
        self.time
    }
    /// The method.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// Step $\eta$.
    pub fn lr(&self) -> f64 {
        self.lr
    }
    /// Momentum $m$.
    pub fn momentum(&self) -> f64 {
        self.momentum
    }
    /// Realised $\psi_1 = N/d$.
    pub fn realised_psi1(&self) -> f64 {
        self.num_features as f64 / self.d as f64
    }
    /// Realised $\psi_2 = n/d$.
    pub fn realised_psi2(&self) -> f64 {
        self.n as f64 / self.d as f64
    }
    /// The model at the realised ratios.
    pub fn realised_model(&self) -> RandomFeatures {
        RandomFeatures {
            psi1: self.realised_psi1(),
            psi2: self.realised_psi2(),
            ..self.model.clone()
        }
    }
    /// The model (nominal ratios).
    pub fn model(&self) -> &RandomFeatures {
        &self.model
    }
    /// The ridge term of the loss, $\lambda_{\rm lin} = N\lambda/d$.
    pub fn ridge_lambda(&self) -> f64 {
        self.num_features as f64 * self.model.lambda / self.d as f64
    }

    /// The draws of trial `trial`: $X$ ($n\times d$), $\Theta$ ($N\times d$), $X_{\rm test}$
    /// ($T\times d$), in the order and from the stream of
    /// [`crate::sim::random_features::RandomFeaturesSimulator::run_trial`] (the same seed gives
    /// the same data).
    pub fn trial_inputs(&self, seed: u64, trial: u64) -> (Matrix, Matrix, Matrix) {
        let mut rng = trial_rng(seed, trial);
        let x = sample_points(&mut rng, self.n, self.d, self.input);
        let theta = sample_points(&mut rng, self.num_features, self.d, self.input);
        let x_test = sample_points(&mut rng, self.test_points, self.d, self.input);
        (x, theta, x_test)
    }

    /// The features $Z = \sigma(X\Theta^\top/\sqrt d)$ ($n\times N$) and
    /// $Z_{\rm test}^\top$ ($N\times T$).
    ///
    /// Errors: [`Error::NonFinite`] if the activation produces non-finite features; shape errors.
    pub fn features(
        &self,
        x: &Matrix,
        theta: &Matrix,
        x_test: &Matrix,
    ) -> Result<(Matrix, Matrix)> {
        let scale = 1.0 / (self.d as f64).sqrt();
        let activation = &self.model.activation;
        let mut z = x.matmul_nt(theta, scale)?;
        z.map_in_place(|v| activation.eval(v));
        let mut z_test_t = theta.matmul_nt(x_test, scale)?;
        z_test_t.map_in_place(|v| activation.eval(v));
        if !z.is_finite() || !z_test_t.is_finite() {
            return Err(Error::NonFinite {
                what: "random features (activation output)",
            });
        }
        Ok((z, z_test_t))
    }

    /// The spectral data of one trial from its inputs (one eigendecomposition).
    ///
    /// Errors: [`Error::DimensionMismatch`] for shapes other than $n\times d$, $N\times d$,
    /// $\cdot\times d$; linear-algebra failures; [`Error::NonFinite`].
    pub fn spectrum(&self, x: &Matrix, theta: &Matrix, x_test: &Matrix) -> Result<RfTrialSpectrum> {
        let (d, n, nf) = (self.d, self.n, self.num_features);
        for (what, m, rows) in [
            ("training inputs", x, n),
            ("feature weights", theta, nf),
            ("test inputs", x_test, x_test.nrows().max(1)),
        ] {
            if m.nrows() != rows || m.ncols() != d {
                return Err(Error::DimensionMismatch {
                    what,
                    expected: rows * d,
                    found: m.nrows() * m.ncols(),
                });
            }
        }
        let t = x_test.nrows();
        let (z, z_test_t) = self.features(x, theta, x_test)?;
        let primal = nf <= n;
        // L (k x n), B (k x T), f = diag(L L^T), and the orthonormal range basis rows.
        let (g, l, b, f) = if primal {
            let eigen = SymmetricEigen::new(&z.gram(1.0))?;
            let u = eigen.vectors();
            let l = u.matmul_tn(&z.transpose(), 1.0)?; // U^T Z^T
            let b = u.matmul_tn(&z_test_t, 1.0)?;
            let g: Vec<f64> = eigen.values().iter().map(|v| v.max(0.0)).collect();
            let f = g.clone();
            (g, l, b, f)
        } else {
            let eigen = SymmetricEigen::new(&z.gram_rows(1.0))?;
            let v = eigen.vectors();
            let l = v.transpose();
            let b = v.matmul_tn(&z.matmul(&z_test_t, 1.0)?, 1.0)?;
            let g: Vec<f64> = eigen.values().iter().map(|v| v.max(0.0)).collect();
            (g, l, b, vec![1.0; n])
        };
        let bb_full = b.gram_rows(1.0); // B B^T (k x k)
        let bb = bb_full.diagonal();
        let lx = l.matmul(x, 1.0)?; // k x d
        let bxt = b.matmul(x_test, 1.0)?; // k x d
        let c1 = row_dots(&lx, &bxt);
        let lxx = lx.gram_rows(1.0);
        let h1 = hadamard(&lxx, &bb_full);
        // ||W_i^T X||^2: the rows of L are sqrt(g_i) W_i^T (primal) or W_i^T (dual).
        let omega: Vec<f64> = lxx
            .diagonal()
            .iter()
            .zip(&f)
            .map(|(v, fi)| if *fi > 0.0 { v / fi } else { 0.0 })
            .collect();
        let nonlinear = if self.model.f_star != 0.0 {
            let law = self.input;
            let norms = x.row_norms_sq();
            let test_norms = x_test.row_norms_sq();
            let kernel_of = |inner: &Matrix, left: &[f64], right: &[f64]| {
                Matrix::from_fn(inner.nrows(), inner.ncols(), |i, j| {
                    super::data::nonlinear_kernel(inner.col(j)[i], left[i], right[j], d, law)
                })
            };
            let k_train = kernel_of(&x.gram_rows(1.0), &norms, &norms);
            let q = kernel_of(&x.matmul_nt(x_test, 1.0)?, &norms, &test_norms);
            let self_term = test_norms
                .iter()
                .map(|&s| super::data::nonlinear_kernel(s, s, s, d, law))
                .sum::<f64>()
                / t as f64;
            let lk = l.matmul(&k_train, 1.0)?;
            let lkl = lk.matmul_nt(&l, 1.0)?;
            let c2 = row_dots(&l.matmul(&q, 1.0)?, &b);
            let kappa = lkl
                .diagonal()
                .iter()
                .zip(&f)
                .map(|(v, fi)| if *fi > 0.0 { v / fi } else { 0.0 })
                .collect();
            Some(NonlinearTerms {
                c2,
                h2: hadamard(&lkl, &bb_full),
                kappa,
                trace: k_train.diagonal().iter().sum(),
                self_term,
            })
        } else {
            None
        };
        Ok(RfTrialSpectrum {
            g,
            f,
            bb,
            c1,
            h1,
            omega,
            x_norm: x.frobenius_sq(),
            xt_norm: x_test.frobenius_sq(),
            nonlinear,
            n,
            d,
            t,
        })
    }

    /// The filter values $(q_i, \rho_i)$ at every eigenvalue $s_i = g_i/n$ after `time` (the
    /// simulator's method, step and momentum).
    fn filters(&self, g: &[f64], time: f64) -> Vec<(f64, f64)> {
        let lam = self.ridge_lambda();
        let n = self.n as f64;
        g.iter()
            .map(|&gi| {
                let s = gi / n;
                let u = s + lam;
                if self.algorithm.is_discrete() {
                    let mut state = FilterState::default();
                    for _ in 0..(time as u64) {
                        state.step(self.algorithm, self.lr, self.momentum, u);
                    }
                    (state.q, state.rho(lam))
                } else {
                    let q = gradient_flow_filter(time, u);
                    // rho = 1 - s q = e^{-tu} + lambda q.
                    (q, (-time * u).exp() + lam * q)
                }
            })
            .collect()
    }

    /// The conditional risks at each of `times` from one trial's spectral data.
    ///
    /// Errors: [`Error::InvalidParameter`] (`time` / `steps`) for an invalid time;
    /// [`Error::NonFinite`] if a risk overflows (a discrete method outside its stability region).
    pub fn risks_at(&self, spec: &RfTrialSpectrum, times: &[f64]) -> Result<Vec<RfDynamicsTrial>> {
        let (f1_sq, fs_sq, tau_sq) = (
            self.model.f1 * self.model.f1,
            self.model.f_star * self.model.f_star,
            self.model.noise_sd * self.model.noise_sd,
        );
        let (n_f, d_f, t_f) = (spec.n as f64, spec.d as f64, spec.t as f64);
        let k = spec.g.len();
        times
            .iter()
            .map(|&time| {
                let time = check_time(self.algorithm, time)?;
                let fr = self.filters(&spec.g, time);
                let h: Vec<f64> = fr.iter().map(|(q, _)| q / n_f).collect();
                let rho: Vec<f64> = fr.iter().map(|(_, r)| *r).collect();
                let cross: f64 = h.iter().zip(&spec.c1).map(|(a, b)| a * b).sum();
                let linear =
                    (spec.xt_norm - 2.0 * cross + quadratic_form(&h, &spec.h1)) / (t_f * d_f);
                let noise_like: f64 = (0..k)
                    .map(|i| h[i] * h[i] * spec.f[i] * spec.bb[i])
                    .sum::<f64>()
                    / t_f;
                // 1 - rho^2 = (1 - rho)(1 + rho), 1 - rho = s q.
                let learnt = |i: usize| {
                    let one_minus = spec.g[i] / n_f * fr[i].0;
                    one_minus * (1.0 + rho[i])
                };
                // Squared norms: clamp the rounding of an interpolating fit (exactly 0) at 0.
                let train_linear = ((spec.x_norm
                    - (0..k).map(|i| spec.omega[i] * learnt(i)).sum::<f64>())
                    / (n_f * d_f))
                    .max(0.0);
                let train_noise =
                    ((spec.n - k) as f64 + rho.iter().map(|r| r * r).sum::<f64>()) / n_f;
                let (nonlinear, train_nonlinear) = match &spec.nonlinear {
                    Some(nl) => {
                        let cross: f64 = h.iter().zip(&nl.c2).map(|(a, b)| a * b).sum();
                        (
                            nl.self_term - 2.0 * cross / t_f + quadratic_form(&h, &nl.h2) / t_f,
                            (nl.trace - (0..k).map(|i| nl.kappa[i] * learnt(i)).sum::<f64>()) / n_f,
                        )
                    }
                    None => (0.0, 0.0),
                };
                let test_error = f1_sq * linear + tau_sq * noise_like + fs_sq * nonlinear;
                let variance = (tau_sq + fs_sq) * noise_like;
                let train_error =
                    f1_sq * train_linear + tau_sq * train_noise + fs_sq * train_nonlinear;
                crate::error::finite(test_error, "random-features dynamics test error")?;
                crate::error::finite(train_error, "random-features dynamics training error")?;
                Ok(RfDynamicsTrial {
                    test_error,
                    bias: test_error - variance,
                    variance,
                    train_error,
                })
            })
            .collect()
    }

    /// The peak memory of a run: the inputs ($(n + N + T)d$), the features ($nN + NT$), the
    /// Gram matrix and its eigendecomposition ($3k^2$), $L$, $B$, $LX$, $BX_{\rm test}$
    /// ($kn + kT + 2kd$), the two $k\times k$ Hadamard products and $BB^\top$ ($3k^2$), and with
    /// $F_\star > 0$ the kernels ($n^2 + nT$) and $LK$, $LKL^\top$, $LQ$ ($kn + k^2 + kT$).
    pub fn memory_estimate(&self, run: &crate::experiment::RunOptions) -> MemoryEstimate {
        let (d, n, nf, t) = (
            self.d as u128,
            self.n as u128,
            self.num_features as u128,
            self.test_points as u128,
        );
        let k = n.min(nf);
        let mut words = (n + nf + t) * d + n * nf + nf * t + 6 * k * k + k * n + k * t + 2 * k * d;
        if self.model.f_star != 0.0 {
            words += n * n + n * t + k * n + k * k + k * t;
        }
        MemoryEstimate::new("d", words.saturating_mul(memory::F64), 0, 96, run)
    }

    /// Every time in `times` from the same trials (one eigendecomposition per trial).
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than 2 trials, (`time` /
    /// `steps`) for an invalid time; [`Error::MemoryBudget`] (`d`) over `budget`; those of
    /// [`Self::spectrum`] and [`Self::risks_at`].
    pub fn run_times_with_budget(
        &self,
        run: &crate::experiment::RunOptions,
        times: &[f64],
        budget: &MemoryBudget,
    ) -> Result<Vec<RfDynamicsSimReport>> {
        for &t in times {
            check_time(self.algorithm, t)?;
        }
        budget.check(&self.memory_estimate(run))?;
        let results = crate::sim::run_trials(run, crate::sim::MIN_TRIALS, "rf dynamics", |k| {
            let (x, theta, x_test) = self.trial_inputs(run.seed, k);
            let spec = self.spectrum(&x, &theta, &x_test)?;
            self.risks_at(&spec, times)
        })?;
        times
            .iter()
            .enumerate()
            .map(|(i, &time)| {
                let pick = |f: fn(&RfDynamicsTrial) -> f64| {
                    Estimate::from_trials(results.iter().map(|r| f(&r[i])).collect())
                };
                Ok(RfDynamicsSimReport {
                    time,
                    test_error: pick(|t| t.test_error)?,
                    bias: pick(|t| t.bias)?,
                    variance: pick(|t| t.variance)?,
                    train_error: pick(|t| t.train_error)?,
                    d: self.d,
                    num_features: self.num_features,
                    n: self.n,
                })
            })
            .collect()
    }

    /// [`Self::run_times_with_budget`] under the default budget.
    pub fn run_times(
        &self,
        run: &crate::experiment::RunOptions,
        times: &[f64],
    ) -> Result<Vec<RfDynamicsSimReport>> {
        self.run_times_with_budget(run, times, &MemoryBudget::default())
    }

    /// The simulation at this simulator's time.
    ///
    /// Errors: as [`Self::run_times_with_budget`].
    pub fn run(&self, run: &crate::experiment::RunOptions) -> Result<RfDynamicsSimReport> {
        self.run_with_budget(run, &MemoryBudget::default())
    }

    /// [`Self::run`] under an explicit memory budget.
    pub fn run_with_budget(
        &self,
        run: &crate::experiment::RunOptions,
        budget: &MemoryBudget,
    ) -> Result<RfDynamicsSimReport> {
        let mut out = self.run_times_with_budget(run, &[self.time], budget)?;
        out.pop().ok_or(Error::DimensionMismatch {
            what: "simulated times",
            expected: 1,
            found: 0,
        })
    }
}

impl RfDynamicsSimulator {
    /// The limit ([`crate::theory::rf_dynamics`]) at the realised ratios $N/d$, $n/d$, at this
    /// simulator's time and method.
    ///
    /// Errors: those of [`crate::theory::rf_dynamics::RfDynamics::check`] and `at`.
    pub fn theory(&self) -> Result<crate::theory::rf_dynamics::RfDynamicsRisk> {
        self.theory_at(self.time)
    }

    /// The limit at the realised ratios at another time.
    ///
    /// Errors: as [`Self::theory`].
    pub fn theory_at(&self, time: f64) -> Result<crate::theory::rf_dynamics::RfDynamicsRisk> {
        crate::theory::rf_dynamics::RfDynamics {
            model: self.realised_model(),
            algorithm: self.algorithm,
            lr: self.lr,
            momentum: self.momentum,
        }
        .check()?
        .at(time)
    }
}

crate::sim::risk_metric_experiment!(RfDynamicsSimulator, size: d);
