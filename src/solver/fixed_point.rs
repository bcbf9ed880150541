//! Vector fixed points $x = G(x)$ over real (`f64`) or complex ([`num_complex::Complex64`]) unknowns.
//!
//! # Residual
//! For an iterate $x \in \mathbb{K}^n$ ($\mathbb{K} = \mathbb{R}$ or $\mathbb{C}$) the residual is the
//! scaled max-norm
//! $$r(x) = \max_{1 \le i \le n} \frac{|G(x)_i - x_i|}{\max(1, |x_i|)},$$
//! with $|\cdot|$ the complex modulus for complex unknowns: absolute for small entries, relative
//! for large ones. A solve succeeds when $r(x) \le$ `tolerance` (default $10^{-12}$) and the
//! reported solution is that $x$.
//!
//! Steps are accepted or rejected on the merit function $\phi(x) = \|G(x) - x\|_2$ rather than on
//! $r(x)$: the max-norm need not decrease along a convergent iteration (it can even increase for
//! every damping $w > 0$), while $\phi$ decreases at every damped Picard step on a linear map
//! $G(x) = Ax + b$ with symmetric $A$ of spectrum in $(-1, 1)$, and it is the quantity Anderson's
//! least-squares step minimises.
//!
//! # Methods ([`FixedPointMethod`])
//! - **Picard** with adaptive damping: $x \leftarrow (1 - w)\,x + w\,G(x)$. A step that increases
//!   $\phi$ above $1.25\times$ the largest of its last five accepted values (a non-monotone test:
//!   a slowly converging contraction may raise $\phi$ slightly, e.g. by 0.7% once in the 1700
//!   steps Mei–Montanari's equations take at $\psi_1 = 2.9, \psi_2 = 3, \lambda = 10^{-6}$, and
//!   rejecting such steps would drive $w$ to zero and stall) is rejected and $w$ is halved (down to $10^{-6}$); after three consecutive
//!   slowly-contracting accepted steps ($\phi_{k+1}/\phi_k > 1/2$) $w$ grows by $3/2$ back towards the
//!   initial damping. This handles maps with $G'(x^\star) < -1$ (undamped Picard oscillates and
//!   diverges) without a hand-tuned constant.
//! - **Anderson** acceleration (D. G. Anderson, *J. ACM* 12 (1965) 547–560; H. F. Walker and P. Ni,
//!   *SIAM J. Numer. Anal.* 49 (2011) 1715–1735), memory $m$ (default 6). With
//!   $f_k = G(x_k) - x_k$ and the differences $\Delta X = [x_{j+1} - x_j]$,
//!   $\Delta F = [f_{j+1} - f_j]$ over the last $m$ steps, solve the Tikhonov-regularised least
//!   squares problem (columns of $\Delta F$ scaled to unit norm, $\delta$ = `anderson_regularization`)
//!   $$\gamma = \arg\min_\gamma \|f_k - \Delta F \gamma\|_2^2 + \delta \|\gamma\|_2^2$$
//!   and step $x_{k+1} = x_k + w f_k - (\Delta X + w\,\Delta F)\,\gamma$. Safeguard: an
//!   accelerated step that increases $\phi$ (above the largest of its last five accepted values)
//!   is rejected, the history is cleared (restart) and an adaptively damped Picard step (with
//!   Picard's acceptance rule) is taken instead. Complex unknowns are handled as $2n$ real unknowns (real mixing
//!   coefficients).
//! - **Newton** on $F(x) = G(x) - x$ via [`crate::solver::newton`](mod@crate::solver::newton), with a forward-difference
//!   Jacobian, complex unknowns as $2n$ real unknowns. Best for small systems close to the root.
//! - **Auto** (default): Anderson with its safeguards (falling back to damped Picard); if it does
//!   not converge within `max_iter` and the system has at most 64 real unknowns, a Newton polish
//!   (at most $\min(\texttt{max\_iter}, 50)$ Newton steps) is attempted from the last iterate; if
//!   that fails too, Anderson's [`Error::NotConverged`] is returned.
//!
//! # Iteration counts
//! For Picard and Anderson, `iterations` counts evaluations of $G$ (including rejected steps);
//! for Newton, Newton steps (the evaluations, including finite differences, are reported
//! separately); for `Auto` with a Newton polish, the Anderson evaluations plus the Newton steps.

use crate::error::{Error, Result};
use crate::linalg::solve_dense_row_major;
use crate::solver::Scalar;
use crate::solver::newton::{NewtonOptions, newton_core};
use std::collections::VecDeque;

/// Which fixed-point method to use; see the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FixedPointMethod {
    /// Damped Picard iteration with adaptive damping.
    Picard,
    /// Anderson acceleration with restarts and a damped Picard fallback.
    Anderson,
    /// Newton's method on $G(x) - x$ with a finite-difference Jacobian.
    Newton,
    /// Anderson, then a Newton polish if needed.
    #[default]
    Auto,
}

/// Options for [`fixed_point`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPointOptions {
    /// Convergence threshold on the scaled residual (default $10^{-12}$).
    pub tolerance: f64,
    /// Maximum number of iterations (evaluations of $G$ for Picard/Anderson, Newton steps for
    /// Newton; default 1000).
    pub max_iter: usize,
    /// The method (default [`FixedPointMethod::Auto`]).
    pub method: FixedPointMethod,
    /// Initial (and maximal) damping $w \in (0, 1]$ (default 1).
    pub damping: f64,
    /// Anderson memory $m \ge 1$ (default 6).
    pub anderson_memory: usize,
    /// Tikhonov regularisation $\delta \ge 0$ of the scaled Anderson least-squares problem
    /// (default $10^{-10}$).
    pub anderson_regularization: f64,
}

impl Default for FixedPointOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iter: 1000,
            method: FixedPointMethod::Auto,
            damping: 1.0,
            anderson_memory: 6,
            anderson_regularization: 1e-10,
        }
    }
}

impl FixedPointOptions {
    /// Validate the options.
    pub fn check(&self) -> Result<()> {
        crate::error::validate::positive("tolerance", self.tolerance)?;
        crate::error::validate::in_closed(
            "damping",
            self.damping,
            f64::MIN_POSITIVE,
            1.0,
            "a number in (0, 1]",
        )?;
        crate::error::validate::non_negative(
            "anderson_regularization",
            self.anderson_regularization,
        )?;
        if self.max_iter == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        if self.anderson_memory == 0 || self.anderson_memory > 50 {
            return Err(Error::InvalidParameter {
                name: "anderson_memory",
                value: self.anderson_memory as f64,
                expected: "an integer in [1, 50]",
            });
        }
        Ok(())
    }
}

/// Why a fixed-point solve stopped successfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FixedPointTermination {
    /// The scaled residual reached the tolerance.
    ResidualBelowTolerance,
}

/// The outcome of a successful [`fixed_point`] solve.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedPointReport<T> {
    /// The fixed point $x$ with $r(x) \le$ tolerance.
    pub solution: Vec<T>,
    /// The scaled residual $r(x)$ (see the [module documentation](self)).
    pub residual: f64,
    /// Iterations (see the [module documentation](self) for what is counted).
    pub iterations: usize,
    /// Evaluations of $G$ in total.
    pub evaluations: usize,
    /// Why the solve stopped.
    pub termination: FixedPointTermination,
    /// The method that produced the solution (never `Auto`: for `Auto` this is `Anderson` or,
    /// after a Newton polish, `Newton`).
    pub method: FixedPointMethod,
}

/// Solve $x = G(x)$ from the initial guess `x0`.
///
/// `g(x, out)` writes $G(x)$ into `out` (same length as `x`) and may fail with any crate error,
/// which is passed through. Errors: [`Error::DimensionMismatch`] for an empty `x0`;
/// [`Error::InvalidParameter`] for bad options; [`Error::NonFinite`] if `x0` or a value of $G$ is
/// not finite; [`Error::NotConverged`] carrying the last accepted iterate (complex unknowns as
/// `re, im` pairs) and its residual.
///
/// ```
/// use overparam::solver::{fixed_point, FixedPointOptions};
/// // x = cos x (the Dottie number).
/// let r = fixed_point(
///     |x: &[f64], out: &mut [f64]| {
///         out[0] = x[0].cos();
///         Ok(())
///     },
///     &[1.0],
///     FixedPointOptions::default(),
/// )?;
/// assert!((r.solution[0] - 0.739_085_133_215_160_6).abs() < 1e-11);
/// assert!(r.residual <= 1e-12);
/// # Ok::<(), overparam::error::Error>(())
/// ```
pub fn fixed_point<T, G>(mut g: G, x0: &[T], opts: FixedPointOptions) -> Result<FixedPointReport<T>>
where
    T: Scalar,
    G: FnMut(&[T], &mut [T]) -> Result<()>,
{
    opts.check()?;
    if x0.is_empty() {
        return Err(Error::DimensionMismatch {
            what: "fixed-point initial guess",
            expected: 1,
            found: 0,
        });
    }
    if x0.iter().any(|v| !v.is_finite_scalar()) {
        return Err(Error::NonFinite {
            what: "fixed-point initial guess",
        });
    }
    let mut map = RealMap {
        g: &mut g,
        xt: x0.to_vec(),
        gt: x0.to_vec(),
        evaluations: 0,
    };
    let x = crate::solver::to_parts(x0);
    let (out, method) = match opts.method {
        FixedPointMethod::Picard => (picard(&mut map, x, &opts)?, FixedPointMethod::Picard),
        FixedPointMethod::Anderson => (anderson(&mut map, x, &opts)?, FixedPointMethod::Anderson),
        FixedPointMethod::Newton => (
            newton_fp(&mut map, x, &opts, opts.max_iter)?,
            FixedPointMethod::Newton,
        ),
        FixedPointMethod::Auto => match anderson(&mut map, x, &opts) {
            Ok(o) => (o, FixedPointMethod::Anderson),
            Err(Error::NotConverged {
                last_iterate,
                iterations,
                residual,
                tolerance,
                method,
            }) if last_iterate.len() <= 64 => {
                match newton_fp(&mut map, last_iterate.clone(), &opts, opts.max_iter.min(50)) {
                    Ok(mut o) => {
                        o.iterations += iterations;
                        (o, FixedPointMethod::Newton)
                    }
                    Err(_) => {
                        return Err(Error::NotConverged {
                            method,
                            iterations,
                            residual,
                            tolerance,
                            last_iterate,
                        });
                    }
                }
            }
            Err(e) => return Err(e),
        },
    };
    Ok(FixedPointReport {
        solution: crate::solver::from_parts(&out.x),
        residual: out.residual,
        iterations: out.iterations,
        evaluations: map.evaluations,
        termination: FixedPointTermination::ResidualBelowTolerance,
        method,
    })
}

/// The map $G$ seen on flattened real parts, with finiteness checks.
struct RealMap<'a, T, G> {
    g: &'a mut G,
    xt: Vec<T>,
    gt: Vec<T>,
    evaluations: usize,
}

impl<T, G> RealMap<'_, T, G>
where
    T: Scalar,
    G: FnMut(&[T], &mut [T]) -> Result<()>,
{
    const PARTS: usize = T::PARTS;

    fn eval(&mut self, x: &[f64], out: &mut [f64]) -> Result<()> {
        for (t, c) in self.xt.iter_mut().zip(x.chunks_exact(T::PARTS)) {
            *t = T::from_parts(c);
        }
        (self.g)(&self.xt, &mut self.gt)?;
        self.evaluations += 1;
        if self.gt.iter().any(|v| !v.is_finite_scalar()) {
            return Err(Error::NonFinite {
                what: "fixed-point map value",
            });
        }
        for (v, c) in self.gt.iter().zip(out.chunks_exact_mut(T::PARTS)) {
            v.write_parts(c);
        }
        Ok(())
    }
}

struct Outcome {
    x: Vec<f64>,
    residual: f64,
    iterations: usize,
}

/// Growth of the residual norm over the recent maximum that a Picard step may show and still be
/// accepted (see [`picard`]): well above the slow drift of a contraction, well below the
/// per-step growth of a divergent oscillation ($|G'| \ge 1.5$).
const PICARD_SLACK: f64 = 1.25;
const MIN_DAMPING: f64 = 1e-6;

/// The merit function $\|G(x) - x\|_2$ used to accept or reject steps.
fn diff_norm(g: &[f64], x: &[f64]) -> f64 {
    g.iter()
        .zip(x)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// Number of recent accepted residuals a new residual is compared against.
const WINDOW: usize = 5;

/// The largest of the last [`WINDOW`] accepted residuals: a step is rejected only if its residual
/// exceeds this (a non-monotone test: the max-norm residual of a convergent iteration need not
/// decrease at every step).
struct ResidualWindow(VecDeque<f64>);

impl ResidualWindow {
    fn new(r: f64) -> Self {
        Self(VecDeque::from([r]))
    }
    fn push(&mut self, r: f64) {
        if self.0.len() == WINDOW {
            self.0.pop_front();
        }
        self.0.push_back(r);
    }
    fn max(&self) -> f64 {
        self.0.iter().fold(0.0, |m, &v| f64::max(m, v))
    }
    fn reset(&mut self, r: f64) {
        self.0.clear();
        self.0.push_back(r);
    }
}

/// Adaptive damping state shared by Picard and the Anderson fallback.
struct Damping {
    w: f64,
    w_max: f64,
    streak: usize,
}

impl Damping {
    fn new(w: f64) -> Self {
        Self {
            w,
            w_max: w,
            streak: 0,
        }
    }
    fn reject(&mut self) {
        self.w = (0.5 * self.w).max(MIN_DAMPING);
        self.streak = 0;
    }
    fn accept(&mut self, ratio: f64) {
        self.streak += 1;
        if self.streak >= 3 && ratio > 0.5 && self.w < self.w_max {
            self.w = (1.5 * self.w).min(self.w_max);
            self.streak = 0;
        }
    }
}

fn not_converged(
    method: &'static str,
    iterations: usize,
    residual: f64,
    tol: f64,
    x: Vec<f64>,
) -> Error {
    Error::NotConverged {
        method,
        iterations,
        residual,
        tolerance: tol,
        last_iterate: x,
    }
}

fn picard<T, G>(
    map: &mut RealMap<'_, T, G>,
    mut x: Vec<f64>,
    opts: &FixedPointOptions,
) -> Result<Outcome>
where
    T: Scalar,
    G: FnMut(&[T], &mut [T]) -> Result<()>,
{
    let parts = RealMap::<T, G>::PARTS;
    let n = x.len();
    let mut gx = vec![0.0; n];
    map.eval(&x, &mut gx)?;
    let mut evals = 1;
    let mut res = crate::solver::scaled_max_diff(&gx, &x, parts);
    let mut merit = diff_norm(&gx, &x);
    let mut damping = Damping::new(opts.damping);
    let mut window = ResidualWindow::new(merit);
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    loop {
        if res <= opts.tolerance {
            return Ok(Outcome {
                x,
                residual: res,
                iterations: evals,
            });
        }
        if evals >= opts.max_iter {
            return Err(not_converged("picard", evals, res, opts.tolerance, x));
        }
        let w = damping.w;
        for ((xni, xi), gi) in xn.iter_mut().zip(&x).zip(&gx) {
            *xni = xi + w * (gi - xi);
        }
        map.eval(&xn, &mut gn)?;
        evals += 1;
        let mn = diff_norm(&gn, &xn);
        // Non-monotone acceptance: a contraction's residual norm may rise slightly along the way
        // (e.g. Mei–Montanari's equations near psi1 = psi2 at small lambda: +0.7% once over a
        // 1700-step run). Rejecting those steps drives the damping to zero and stalls the
        // iteration, so only growth beyond PICARD_SLACK times the recent maximum is rejected.
        if mn.is_nan() || mn > PICARD_SLACK * window.max() {
            damping.reject();
            // Measure later steps against the point we restart from.
            window.reset(merit);
        } else {
            damping.accept(mn / merit);
            window.push(mn);
            std::mem::swap(&mut x, &mut xn);
            std::mem::swap(&mut gx, &mut gn);
            res = crate::solver::scaled_max_diff(&gx, &x, parts);
            merit = mn;
        }
    }
}

fn anderson<T, G>(
    map: &mut RealMap<'_, T, G>,
    mut x: Vec<f64>,
    opts: &FixedPointOptions,
) -> Result<Outcome>
where
    T: Scalar,
    G: FnMut(&[T], &mut [T]) -> Result<()>,
{
    let parts = RealMap::<T, G>::PARTS;
    let n = x.len();
    let mem = opts.anderson_memory;
    let mut gx = vec![0.0; n];
    map.eval(&x, &mut gx)?;
    let mut evals = 1;
    let mut f: Vec<f64> = gx.iter().zip(&x).map(|(g, x)| g - x).collect();
    let mut res = crate::solver::scaled_max_diff(&gx, &x, parts);
    let mut merit = diff_norm(&gx, &x);
    let mut damping = Damping::new(opts.damping);
    let mut window = ResidualWindow::new(merit);
    let mut dx: VecDeque<Vec<f64>> = VecDeque::with_capacity(mem);
    let mut df: VecDeque<Vec<f64>> = VecDeque::with_capacity(mem);
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    let mut gram = Vec::with_capacity(mem * mem);
    loop {
        if res <= opts.tolerance {
            return Ok(Outcome {
                x,
                residual: res,
                iterations: evals,
            });
        }
        if evals >= opts.max_iter {
            return Err(not_converged("anderson", evals, res, opts.tolerance, x));
        }
        let w = damping.w;
        for ((xni, xi), fi) in xn.iter_mut().zip(&x).zip(&f) {
            *xni = xi + w * fi;
        }
        let mut accelerated = !dx.is_empty()
            && anderson_correction(
                &dx,
                &df,
                &f,
                w,
                opts.anderson_regularization,
                &mut gram,
                &mut xn,
            );
        if accelerated && xn.iter().any(|v| !v.is_finite()) {
            // A blown-up extrapolation: restart with the plain damped step.
            for ((xni, xi), fi) in xn.iter_mut().zip(&x).zip(&f) {
                *xni = xi + w * fi;
            }
            dx.clear();
            df.clear();
            accelerated = false;
        }
        map.eval(&xn, &mut gn)?;
        evals += 1;
        let mn = diff_norm(&gn, &xn);
        // Accelerated steps must not raise the residual norm; plain (damped) Picard steps get the
        // same non-monotone slack as in `picard`.
        let limit = if accelerated {
            window.max()
        } else {
            PICARD_SLACK * window.max()
        };
        if mn.is_nan() || mn > limit {
            // Restart: drop the history; the next step is a (possibly more damped) Picard step.
            dx.clear();
            df.clear();
            window.reset(merit);
            if !accelerated {
                damping.reject();
            }
            continue;
        }
        window.push(mn);
        if !accelerated {
            damping.accept(mn / merit);
        }
        let rn = crate::solver::scaled_max_diff(&gn, &xn, parts);
        merit = mn;
        if dx.len() == mem {
            dx.pop_front();
            df.pop_front();
        }
        let fnew: Vec<f64> = gn.iter().zip(&xn).map(|(g, x)| g - x).collect();
        dx.push_back(xn.iter().zip(&x).map(|(a, b)| a - b).collect());
        df.push_back(fnew.iter().zip(&f).map(|(a, b)| a - b).collect());
        std::mem::swap(&mut x, &mut xn);
        f = fnew;
        res = rn;
    }
}

/// Subtract the Anderson correction $(\Delta X + w \Delta F)\gamma$ from `xn`. Returns `false`
/// (leaving `xn` untouched) if the least-squares problem is degenerate.
#[allow(clippy::too_many_arguments)]
fn anderson_correction(
    dx: &VecDeque<Vec<f64>>,
    df: &VecDeque<Vec<f64>>,
    f: &[f64],
    w: f64,
    reg: f64,
    gram: &mut Vec<f64>,
    xn: &mut [f64],
) -> bool {
    let m = df.len();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let scale: Vec<f64> = df.iter().map(|c| dot(c, c).sqrt()).collect();
    if scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return false;
    }
    gram.clear();
    for i in 0..m {
        for j in 0..m {
            let v = dot(&df[i], &df[j]) / (scale[i] * scale[j]);
            gram.push(if i == j { v + reg } else { v });
        }
    }
    let gamma: Vec<f64> = (0..m).map(|i| dot(&df[i], f) / scale[i]).collect();
    // The row-major Gram matrix is solved in place of a copy into a faer matrix (the memory m is
    // small: direct elimination, no allocation beyond the solution).
    let Ok(gamma) = solve_dense_row_major(m, gram, &gamma, m as f64 * f64::EPSILON) else {
        return false;
    };
    for (j, gj) in gamma.iter().enumerate() {
        let c = gj / scale[j];
        for ((xi, a), b) in xn.iter_mut().zip(&dx[j]).zip(&df[j]) {
            *xi -= c * (a + w * b);
        }
    }
    true
}

fn newton_fp<T, G>(
    map: &mut RealMap<'_, T, G>,
    x: Vec<f64>,
    opts: &FixedPointOptions,
    max_iter: usize,
) -> Result<Outcome>
where
    T: Scalar,
    G: FnMut(&[T], &mut [T]) -> Result<()>,
{
    let parts = RealMap::<T, G>::PARTS;
    let mut fun = |x: &[f64], out: &mut [f64]| -> Result<()> {
        map.eval(x, out)?;
        for (o, xi) in out.iter_mut().zip(x) {
            *o -= xi;
        }
        Ok(())
    };
    // r(x) = max_i |F_i| / max(1, |x_i|) with F = G(x) - x, i.e. |G(x)_i - x_i| / max(1, |x_i|).
    let residual = |x: &[f64], fx: &[f64]| {
        let mut worst = 0.0_f64;
        for (cx, cf) in x.chunks_exact(parts).zip(fx.chunks_exact(parts)) {
            let nx = cx.iter().map(|v| v * v).sum::<f64>().sqrt();
            let nf = cf.iter().map(|v| v * v).sum::<f64>().sqrt();
            let r = nf / nx.max(1.0);
            if r > worst || r.is_nan() {
                worst = r;
            }
        }
        worst
    };
    let nopts = NewtonOptions {
        tolerance: opts.tolerance,
        max_iter,
        ..NewtonOptions::default()
    };
    let r = newton_core(
        &mut fun,
        None::<&mut fn(&[f64], &mut [f64]) -> Result<()>>,
        &x,
        nopts,
        &residual,
    )?;
    Ok(Outcome {
        x: r.solution,
        residual: r.residual,
        iterations: r.iterations,
    })
}
