//! Physical-root selection for algebraic Stieltjes equations by continuation from infinity.
//!
//! A Stieltjes transform $m(z) = \int d\mu(s)/(s - z)$ of a probability measure on $\mathbb{R}$ is a
//! Herglotz function: analytic on $\mathbb{C}_+ = \{\operatorname{Im} z > 0\}$ with
//! $\operatorname{Im} m > 0$ there, $m(z) \sim -1/z$ as $|z| \to \infty$, and
//! $m(\bar z) = \overline{m(z)}$. When $m$ solves a polynomial equation $P(m; z) = 0$ whose
//! coefficients depend on $z$, the other roots are spurious. The physical one is found by
//! following a root continuously from $z = x + iH$ with $H$ large, where it is the root closest to
//! the known asymptote, down to the target $z$. This is the recipe of Bai & Silverstein (2010,
//! ch. 3) and of the random-features literature (Mei & Montanari, *CPAM* 75(4), 2022, Def. 1 (iii)).
//!
//! The polynomial roots come from [`polynomial_roots`], an Aberth–Ehrlich iteration
//! (O. Aberth, *Math. Comp.* 27, 1973; L. W. Ehrlich, *Comm. ACM* 10, 1967) followed by Newton
//! polishing.

use num_complex::Complex64;

use crate::error::{Error, Result};

/// The roots of a complex polynomial together with their quality.
#[derive(Debug, Clone, PartialEq)]
pub struct PolynomialRoots {
    /// The roots (as many as the effective degree).
    pub roots: Vec<Complex64>,
    /// Largest normwise backward error $|P(r)| / \sum_k |c_k| |r|^k$ over the roots.
    pub residual: f64,
    /// Aberth iterations used.
    pub iterations: usize,
}

/// All roots of $P(x) = \sum_{k=0}^{d} c_k x^k$ (coefficients in ascending order).
///
/// Leading coefficients that are exactly zero or below $10^{-14}$ times the largest coefficient are
/// dropped (the degree drops). Errors: empty or all-zero coefficients ([`Error::InvalidParameter`]),
/// a non-finite coefficient ([`Error::NonFinite`]); no convergence within 500 iterations ([`Error::NotConverged`]).
///
/// Domain: any finite coefficients (magnitudes up to `f64::MAX`); every returned root and the
/// residual are finite. When the iteration on the monic polynomial fails (overflow of $x^k$ for
/// coefficients near $10^{155}$ and beyond, or no convergence), it is repeated on the scaled
/// polynomial $\tilde P(y) = P(Ry)/R^d$ with $R$ the Fujiwara-type root bound, whose coefficients
/// are at most $1$ in modulus and whose roots are at most $2$; the roots are $x = Ry$.
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::herglotz::polynomial_roots;
/// // (x - 1)(x - 2)(x + 3) = x^3 - 7x + 6
/// let c = [6.0, -7.0, 0.0, 1.0].map(|v| Complex64::new(v, 0.0));
/// let mut r: Vec<f64> = polynomial_roots(&c)?.roots.iter().map(|z| z.re).collect();
/// r.sort_by(f64::total_cmp);
/// assert!((r[0] + 3.0).abs() < 1e-13 && (r[1] - 1.0).abs() < 1e-13 && (r[2] - 2.0).abs() < 1e-13);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn polynomial_roots(coeffs: &[Complex64]) -> Result<PolynomialRoots> {
    if coeffs
        .iter()
        .any(|c| !(c.re.is_finite() && c.im.is_finite()))
    {
        return Err(Error::NonFinite {
            what: "polynomial coefficient",
        });
    }
    let scale = coeffs.iter().map(|c| c.norm()).fold(0.0, f64::max);
    if coeffs.is_empty() || scale == 0.0 {
        return Err(Error::InvalidParameter {
            name: "coeffs",
            value: 0.0,
            expected: "a polynomial with at least one non-zero coefficient",
        });
    }
    let mut deg = coeffs.len() - 1;
    while deg > 0 && coeffs[deg].norm() <= 1e-14 * scale {
        deg -= 1;
    }
    let c: Vec<Complex64> = coeffs[..=deg].iter().map(|v| v / coeffs[deg]).collect();
    if deg == 0 {
        return Ok(PolynomialRoots {
            roots: Vec::new(),
            residual: 0.0,
            iterations: 0,
        });
    }
    let normalised = c.iter().all(|v| v.re.is_finite() && v.im.is_finite());
    let first = if normalised {
        aberth(&c)
    } else {
        Err(Error::NonFinite {
            what: "polynomial coefficient divided by the leading one",
        })
    };
    if first.is_ok() {
        return first;
    }
    // Scaled retry: x = R y with R = max_k (|a_k|/|a_d|)^(1/(d-k)) (computed in logs, so it
    // exists even when a_k/a_d overflows), b_k = a_k R^(k-d) / a_d, |b_k| <= 1.
    let a = &coeffs[..=deg];
    let ln_lead = a[deg].norm().ln();
    let ln_radius = (0..deg)
        .filter(|&k| a[k].norm() > 0.0)
        .map(|k| (a[k].norm().ln() - ln_lead) / (deg - k) as f64)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(-690.0);
    let radius = ln_radius.exp();
    let scaled: Vec<Complex64> = a
        .iter()
        .enumerate()
        .map(|(k, ak)| {
            if ak.norm() == 0.0 {
                Complex64::new(0.0, 0.0)
            } else {
                let modulus =
                    (ak.norm().ln() + (k as f64 - deg as f64) * ln_radius - ln_lead).exp();
                Complex64::from_polar(modulus, ak.arg() - a[deg].arg())
            }
        })
        .collect();
    if !radius.is_finite()
        || scaled
            .iter()
            .any(|v| !(v.re.is_finite() && v.im.is_finite()))
    {
        return first;
    }
    match aberth(&scaled) {
        Ok(r) => {
            let roots: Vec<Complex64> = r.roots.iter().map(|y| y * radius).collect();
            // Backward error of the roots against the scaled polynomial (the monic one may
            // not be representable).
            let residual = max_backward_error(&scaled, &r.roots);
            if roots.iter().all(|v| v.re.is_finite() && v.im.is_finite()) && residual <= 1e-8 {
                Ok(PolynomialRoots {
                    roots,
                    residual,
                    iterations: r.iterations,
                })
            } else {
                first
            }
        }
        Err(_) => first,
    }
}

/// The Fujiwara-type bound $\max_k |c_k|^{1/(d-k)}$ of a monic polynomial (at least $10^{-300}$).
fn root_bound(c: &[Complex64]) -> f64 {
    let deg = c.len() - 1;
    (0..deg)
        .map(|k| c[k].norm().powf(1.0 / (deg - k) as f64))
        .fold(0.0, f64::max)
        .max(1e-300)
}

/// Largest normwise backward error $|P(r)| / \sum_k |c_k||r|^k$ over `roots` (`+inf` if any is
/// not a number).
fn max_backward_error(c: &[Complex64], roots: &[Complex64]) -> f64 {
    roots
        .iter()
        .map(|&r| {
            let (p, _, bound) = horner(c, r);
            let e = p.norm() / bound.max(f64::MIN_POSITIVE);
            if e.is_nan() { f64::INFINITY } else { e }
        })
        .fold(0.0, f64::max)
}

/// Aberth–Ehrlich iteration and Newton polishing on the monic polynomial `c` (degree >= 1).
fn aberth(c: &[Complex64]) -> Result<PolynomialRoots> {
    let deg = c.len() - 1;
    // Initial guesses on a circle of radius given by a Fujiwara-type bound, offset in angle so
    // that no symmetry of real polynomials traps the iteration.
    let radius = root_bound(c);
    let mut z: Vec<Complex64> = (0..deg)
        .map(|k| {
            let t = 2.0 * std::f64::consts::PI * (k as f64 + 0.25) / deg as f64 + 0.4;
            Complex64::from_polar(radius, t)
        })
        .collect();
    let max_iter = 500;
    let mut iterations = 0;
    let mut done = vec![false; deg];
    while iterations < max_iter && done.iter().any(|d| !d) {
        iterations += 1;
        for k in 0..deg {
            if done[k] {
                continue;
            }
            let (p, dp, bound) = horner(c, z[k]);
            if p.norm() <= 4.0 * f64::EPSILON * bound {
                done[k] = true;
                continue;
            }
            let ratio = p / dp;
            let mut sum = Complex64::new(0.0, 0.0);
            for j in 0..deg {
                if j != k {
                    sum += (z[k] - z[j]).inv();
                }
            }
            let step = ratio / (Complex64::new(1.0, 0.0) - ratio * sum);
            if step.re.is_finite() && step.im.is_finite() {
                z[k] -= step;
                if step.norm() <= 4.0 * f64::EPSILON * z[k].norm() {
                    done[k] = true;
                }
            } else {
                // Coincident iterates: nudge.
                z[k] += Complex64::new(radius * 1e-3, radius * 1e-3);
            }
        }
    }
    // Newton polishing.
    for r in z.iter_mut() {
        for _ in 0..3 {
            let (p, dp, _) = horner(c, *r);
            let step = p / dp;
            if step.re.is_finite() && step.im.is_finite() {
                let cand = *r - step;
                if horner(c, cand).0.norm() <= p.norm() {
                    *r = cand;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
    }
    let residual = max_backward_error(c, &z);
    let finite_roots = z.iter().all(|v| v.re.is_finite() && v.im.is_finite());
    if !finite_roots || !residual.is_finite() || residual > 1e-8 {
        return Err(Error::NotConverged {
            method: "aberth",
            iterations,
            residual,
            tolerance: 1e-8,
            last_iterate: z.iter().flat_map(|v| [v.re, v.im]).collect(),
        });
    }
    Ok(PolynomialRoots {
        roots: z,
        residual,
        iterations,
    })
}

/// $P(x)$, $P'(x)$ and $\sum |c_k| |x|^k$ by Horner's rule.
fn horner(c: &[Complex64], x: Complex64) -> (Complex64, Complex64, f64) {
    let mut p = Complex64::new(0.0, 0.0);
    let mut dp = Complex64::new(0.0, 0.0);
    let mut bound = 0.0;
    let ax = x.norm();
    for ck in c.iter().rev() {
        dp = dp * x + p;
        p = p * x + ck;
        bound = bound * ax + ck.norm();
    }
    (p, dp, bound)
}

/// Options for [`herglotz_root`]: the path from $z = x + iH$ down to the target.
///
/// (Previously named `ContinuationOptions`; that name belongs to the solver engine's
/// continuation, [`crate::solver::continuation::ContinuationOptions`], and is kept here only as a
/// deprecated alias.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HerglotzOptions {
    /// Starting height $H$: the path starts at $\operatorname{Re} z + iH'$ with
    /// $H' = \max(H, 10^3 (1 + |z|))$, where the asymptote is accurate.
    pub start_height: f64,
    /// Number of initial steps, equally spaced in $\log \operatorname{Im} z$.
    pub initial_steps: usize,
    /// A step is accepted only if the second-nearest root is at least `separation` times farther
    /// from the previous root than the nearest; otherwise the step is halved.
    pub separation: f64,
    /// Maximum number of halvings of one step before the nearest root is accepted anyway.
    pub max_halvings: usize,
    /// Heights below this (relative to $1 + |z|$) are reached by one final linear step.
    pub min_relative_height: f64,
}

/// Largest [`HerglotzOptions::initial_steps`] accepted.
const MAX_INITIAL_STEPS: usize = 10_000;
/// Halvings of one step beyond this are not attempted (the step would be below $2^{-60}$ of the
/// base step).
const MAX_HALVINGS: usize = 60;
/// Budget of polynomial solves along one path; beyond it [`herglotz_root`] returns
/// [`Error::NotConverged`] instead of running on (issue 13: a path whose every step was
/// ambiguous never ended).
const MAX_PATH_STEPS: usize = 50_000;

/// Deprecated name of [`HerglotzOptions`].
#[deprecated(note = "use HerglotzOptions (ContinuationOptions is the solver engine's)")]
pub type ContinuationOptions = HerglotzOptions;

impl Default for HerglotzOptions {
    fn default() -> Self {
        Self {
            start_height: 1e4,
            initial_steps: 60,
            separation: 3.0,
            max_halvings: 30,
            min_relative_height: 1e-9,
        }
    }
}

/// Result of [`herglotz_root`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HerglotzRoot {
    /// The physical root $m(z)$.
    pub root: Complex64,
    /// Normwise backward error of the polynomial at the target, $|P(m; z)| / \sum_k |c_k(z)||m|^k$.
    pub residual: f64,
    /// Continuation steps taken (accepted steps, halvings included).
    pub steps: usize,
    /// Number of steps at which the nearest root was accepted although the second-nearest was
    /// within `separation` of it after `max_halvings` halvings (e.g. at a band edge).
    pub ambiguous_steps: usize,
}

/// The physical root of $P(m; z) = 0$ at `z`, selected by continuation from $z = x + iH$.
///
/// * `coeffs(z)` returns the coefficients $c_0(z), \dots, c_d(z)$ of $P(\cdot; z)$ (ascending).
/// * `asymptote(z)` is the known behaviour at large $|z|$ (e.g. $-1/z$ for a Stieltjes transform);
///   at the start the root nearest to it is taken.
/// * Along the vertical path $\operatorname{Re} z + i h$, $h$ decreasing geometrically to
///   $\operatorname{Im} z$, each step takes the root nearest the previous one; a step is halved
///   while the choice is ambiguous (see [`HerglotzOptions`]).
/// * `admissible(z, m)` is checked at the end (e.g. $\operatorname{Im} m > 0$); failure gives
///   [`Error::NotConverged`] with `method = "herglotz admissibility"`.
/// * Domain: finite `z`; `start_height` finite and $> 0$, `separation` finite and $\ge 1$,
///   `initial_steps` $\le 10^4$, `min_relative_height` finite and $\ge 0$ (each otherwise an
///   [`Error::InvalidParameter`] naming it); `max_halvings` is used up to 60. The path is bounded:
///   a step that no longer moves, or more than $5\times10^4$ polynomial solves, gives
///   [`Error::NotConverged`] with `method = "herglotz continuation"` (a path on which every step
///   stays ambiguous used to run forever).
///
/// For $\operatorname{Im} z < 0$ the routine solves at $\bar z$ and returns the conjugate
/// (Schwarz reflection; valid when $P(\bar m; \bar z) = \overline{P(m; z)}$, which the returned
/// residual, computed at the actual $z$, exposes); `admissible` is evaluated at $(\bar z, \bar m)$.
/// A real `z` is reached from above (the boundary value $\lim_{\eta\downarrow 0} m(x + i\eta)$).
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::herglotz::{herglotz_root, HerglotzOptions};
/// // Marchenko–Pastur, gamma = 0.5: gamma z m^2 + (z - 1 + gamma) m + 1 = 0.
/// let g = 0.5;
/// let z = Complex64::new(1.2, 0.1);
/// let r = herglotz_root(
///     |z| vec![Complex64::new(1.0, 0.0), z - 1.0 + g, g * z],
///     |z| -1.0 / z,
///     |_, m| m.im > 0.0,
///     z,
///     HerglotzOptions::default(),
/// )?;
/// assert!(r.root.im > 0.0 && r.residual < 1e-14);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn herglotz_root<C, A, P>(
    coeffs: C,
    asymptote: A,
    admissible: P,
    z: Complex64,
    opts: HerglotzOptions,
) -> Result<HerglotzRoot>
where
    C: Fn(Complex64) -> Vec<Complex64>,
    A: Fn(Complex64) -> Complex64,
    P: Fn(Complex64, Complex64) -> bool,
{
    if !(z.re.is_finite() && z.im.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "z",
            value: if z.re.is_finite() { z.im } else { z.re },
            expected: "a finite complex number",
        });
    }
    if !(opts.start_height.is_finite() && opts.start_height > 0.0) {
        return Err(Error::InvalidParameter {
            name: "start_height",
            value: opts.start_height,
            expected: "a finite number > 0",
        });
    }
    if !(opts.separation.is_finite() && opts.separation >= 1.0) {
        return Err(Error::InvalidParameter {
            name: "separation",
            value: opts.separation,
            expected: "a finite number >= 1",
        });
    }
    if opts.initial_steps > MAX_INITIAL_STEPS {
        return Err(Error::InvalidParameter {
            name: "initial_steps",
            value: opts.initial_steps as f64,
            expected: "at most 10000 steps",
        });
    }
    if !(opts.min_relative_height.is_finite() && opts.min_relative_height >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "min_relative_height",
            value: opts.min_relative_height,
            expected: "a finite number >= 0",
        });
    }
    let max_halvings = opts.max_halvings.min(MAX_HALVINGS);
    let reflected = z.im < 0.0;
    let target = if reflected { z.conj() } else { z };
    let x = target.re;
    let scale = 1.0 + target.norm();
    let h0 = opts.start_height.max(1e3 * scale);
    let h_floor = (opts.min_relative_height * scale).max(f64::MIN_POSITIVE);
    let h_end = target.im.max(h_floor);
    let at = |h: f64| Complex64::new(x, h);

    let start = at(h0);
    let roots0 = polynomial_roots(&coeffs(start))?.roots;
    let guess = asymptote(start);
    let mut current = nearest(&roots0, guess)
        .ok_or(Error::NonFinite {
            what: "herglotz continuation: no root at the start",
        })?
        .0;
    let mut steps = 0usize;
    let mut ambiguous_steps = 0usize;

    // Continuation in t = ln h from ln h0 to ln h_end.
    let (t0, t1) = (h0.ln(), h_end.ln());
    let base = (t1 - t0) / opts.initial_steps.max(1) as f64;
    let mut t = t0;
    let mut dt = base;
    while t > t1 {
        let mut halvings = 0;
        let dt_start = dt;
        loop {
            let t_next = if t + dt < t1 { t1 } else { t + dt };
            if steps >= MAX_PATH_STEPS || t_next >= t {
                // The step budget is spent, or the step no longer moves t (it underflowed).
                return Err(Error::NotConverged {
                    method: "herglotz continuation",
                    iterations: steps,
                    residual: (t - t1).abs(),
                    tolerance: 0.0,
                    last_iterate: vec![current.re, current.im],
                });
            }
            let h = if t_next == t1 { h_end } else { t_next.exp() };
            let roots = polynomial_roots(&coeffs(at(h)))?.roots;
            let (cand, d1, d2) = nearest(&roots, current).ok_or(Error::NonFinite {
                what: "herglotz continuation: polynomial lost all roots",
            })?;
            steps += 1;
            if d2 >= opts.separation * d1 || halvings >= max_halvings {
                let forced = d2 < opts.separation * d1;
                if forced {
                    ambiguous_steps += 1;
                }
                current = cand;
                t = t_next;
                dt = if forced {
                    // Halving did not resolve the ambiguity: do not carry the halved step on
                    // (it would shrink geometrically and the path would never end).
                    dt_start
                } else {
                    // Grow the step back towards the base step after a success.
                    (dt * 2.0).max(base)
                };
                break;
            }
            dt *= 0.5;
            halvings += 1;
        }
    }
    // Final linear step down to a (near-)real target.
    if target.im < h_end {
        let roots = polynomial_roots(&coeffs(target))?.roots;
        let (cand, d1, d2) = nearest(&roots, current).ok_or(Error::NonFinite {
            what: "herglotz continuation: no root at the target",
        })?;
        steps += 1;
        if d2 < opts.separation * d1 {
            ambiguous_steps += 1;
        }
        current = cand;
    }
    if !admissible(target, current) {
        return Err(Error::NotConverged {
            method: "herglotz admissibility",
            iterations: steps,
            residual: f64::INFINITY,
            tolerance: 0.0,
            last_iterate: vec![current.re, current.im],
        });
    }
    let root = if reflected { current.conj() } else { current };
    let c = coeffs(z);
    let (p, _, bound) = horner(&c, root);
    let residual = p.norm() / bound.max(f64::MIN_POSITIVE);
    if !residual.is_finite() {
        return Err(Error::NonFinite {
            what: "herglotz root residual",
        });
    }
    Ok(HerglotzRoot {
        root,
        residual,
        steps,
        ambiguous_steps,
    })
}

/// The root nearest `to`, with its distance and the distance of the second-nearest
/// (`+inf` if there is only one root).
fn nearest(roots: &[Complex64], to: Complex64) -> Option<(Complex64, f64, f64)> {
    let mut best: Option<(Complex64, f64)> = None;
    let mut second = f64::INFINITY;
    for &r in roots {
        let d = (r - to).norm();
        match best {
            Some((_, db)) if d >= db => second = second.min(d),
            Some((_, db)) => {
                second = db;
                best = Some((r, d));
            }
            None => best = Some((r, d)),
        }
    }
    best.map(|(r, d)| (r, d, second))
}

/// Options for [`herglotz_fixed_point`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPointContinuationOptions {
    /// Path parameters (start height, number of steps, minimum relative height); `separation`
    /// and `max_halvings` are used as: a step whose iteration fails is halved up to
    /// `max_halvings` times.
    pub path: HerglotzOptions,
    /// Damping $\alpha \in (0, 1]$: $m \leftarrow (1 - \alpha)m + \alpha F(m; z)$.
    pub damping: f64,
    /// Convergence tolerance on $\max_i |F_i(m) - m_i| / (1 + \max_i |m_i|)$.
    pub tolerance: f64,
    /// Maximum iterations per continuation step.
    pub max_iter: usize,
}

impl Default for FixedPointContinuationOptions {
    fn default() -> Self {
        Self {
            path: HerglotzOptions {
                initial_steps: 30,
                ..HerglotzOptions::default()
            },
            damping: 0.5,
            tolerance: 1e-13,
            max_iter: 100_000,
        }
    }
}

/// Result of [`herglotz_fixed_point`].
#[derive(Debug, Clone, PartialEq)]
pub struct HerglotzFixedPoint {
    /// The solution $m(z)$ (one entry per unknown).
    pub root: Vec<Complex64>,
    /// $\max_i |F_i(m; z) - m_i|$ at the target (at $\bar z$ when $\operatorname{Im} z < 0$).
    pub residual: f64,
    /// Continuation steps taken (including failed attempts that were halved).
    pub steps: usize,
    /// Total fixed-point iterations over all steps.
    pub iterations: usize,
}

/// The Herglotz solution of a fixed-point system $m = F(m; z)$, by damped iteration continued
/// from $z = \operatorname{Re} z + iH$ down to `z`, each step warm-started at the previous solution.
///
/// This is the fixed-point counterpart of [`herglotz_root`] for equations that are not
/// conveniently polynomial (e.g. Mei & Montanari 2022, Definition 1, with unknowns
/// $(\nu_1, \nu_2)$). At large height the map is a contraction near the asymptote `asymptote(z)`,
/// which is the starting iterate. A step whose iteration does not converge within `max_iter` is
/// halved; after `max_halvings` halvings [`Error::NotConverged`] is returned. At the end
/// `admissible(z, m)` is checked (failure: [`Error::NotConverged`] with
/// `method = "herglotz admissibility"`). $\operatorname{Im} z < 0$ is handled by reflection
/// ($m(\bar z) = \overline{m(z)}$, for maps with real structure); the target must have
/// $\operatorname{Im} z \ne 0$, since damped iteration generally does not converge on the real axis.
///
/// Domain: finite `z` with $\operatorname{Im} z \ne 0$, `damping` in $(0, 1]$, finite
/// `tolerance` $> 0$, finite `start_height` $> 0$, `initial_steps` $\le 10^4$ (each otherwise an
/// [`Error::InvalidParameter`] naming it). A step that no longer moves, or more than
/// $5\times10^4$ path steps, gives [`Error::NotConverged`].
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::herglotz::{herglotz_fixed_point, FixedPointContinuationOptions};
/// // Marchenko–Pastur as a fixed point: m = 1/(1 - gamma - z - gamma z m).
/// let g = 0.5;
/// let r = herglotz_fixed_point(
///     |z, m| vec![1.0 / (1.0 - g - z - g * z * m[0])],
///     |z| vec![-1.0 / z],
///     |_, m| m[0].im > 0.0,
///     Complex64::new(1.0, 0.2),
///     FixedPointContinuationOptions::default(),
/// )?;
/// assert!(r.residual < 1e-12 && r.root[0].im > 0.0);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn herglotz_fixed_point<F, A, P>(
    map: F,
    asymptote: A,
    admissible: P,
    z: Complex64,
    opts: FixedPointContinuationOptions,
) -> Result<HerglotzFixedPoint>
where
    F: Fn(Complex64, &[Complex64]) -> Vec<Complex64>,
    A: Fn(Complex64) -> Vec<Complex64>,
    P: Fn(Complex64, &[Complex64]) -> bool,
{
    if !(z.re.is_finite() && z.im.is_finite()) || z.im == 0.0 {
        return Err(Error::InvalidParameter {
            name: "z",
            value: z.im,
            expected: "a finite complex number with Im z != 0",
        });
    }
    if !(opts.damping > 0.0 && opts.damping <= 1.0) {
        return Err(Error::InvalidParameter {
            name: "damping",
            value: opts.damping,
            expected: "a number in (0, 1]",
        });
    }
    if !(opts.tolerance.is_finite() && opts.tolerance > 0.0) {
        return Err(Error::InvalidParameter {
            name: "tolerance",
            value: opts.tolerance,
            expected: "a finite number > 0",
        });
    }
    if !(opts.path.start_height.is_finite() && opts.path.start_height > 0.0) {
        return Err(Error::InvalidParameter {
            name: "start_height",
            value: opts.path.start_height,
            expected: "a finite number > 0",
        });
    }
    if opts.path.initial_steps > MAX_INITIAL_STEPS {
        return Err(Error::InvalidParameter {
            name: "initial_steps",
            value: opts.path.initial_steps as f64,
            expected: "at most 10000 steps",
        });
    }
    let reflected = z.im < 0.0;
    let target = if reflected { z.conj() } else { z };
    let scale = 1.0 + target.norm();
    let h0 = opts.path.start_height.max(1e3 * scale);
    let at = |h: f64| Complex64::new(target.re, h);
    let alpha = opts.damping;

    // Damped iteration at one z from `start`; Ok((m, residual, iterations)) or Err(last state).
    let solve = |zz: Complex64, start: &[Complex64]| -> (Vec<Complex64>, f64, usize, bool) {
        let mut m = start.to_vec();
        let mut res = f64::INFINITY;
        for it in 1..=opts.max_iter {
            let f = map(zz, &m);
            if f.len() != m.len() || f.iter().any(|v| !(v.re.is_finite() && v.im.is_finite())) {
                return (m, f64::INFINITY, it, false);
            }
            let size = m.iter().map(|v| v.norm()).fold(0.0, f64::max);
            res = f
                .iter()
                .zip(&m)
                .map(|(a, b)| (a - b).norm())
                .fold(0.0, f64::max);
            if res <= opts.tolerance * (1.0 + size) {
                return (f, res, it, true);
            }
            for (mi, fi) in m.iter_mut().zip(&f) {
                *mi = (1.0 - alpha) * *mi + alpha * fi;
            }
        }
        (m, res, opts.max_iter, false)
    };

    let start = at(h0);
    let mut current = asymptote(start);
    let (m0, res0, it0, ok0) = solve(start, &current);
    let mut iterations = it0;
    let mut steps = 1usize;
    if !ok0 {
        return Err(Error::NotConverged {
            method: "herglotz fixed point (start)",
            iterations,
            residual: res0,
            tolerance: opts.tolerance,
            last_iterate: m0.iter().flat_map(|v| [v.re, v.im]).collect(),
        });
    }
    current = m0;
    let (t0, t1) = (h0.ln(), target.im.ln());
    let base = (t1 - t0) / opts.path.initial_steps.max(1) as f64;
    let mut t = t0;
    let mut dt = base;
    let mut last_res = res0;
    while t > t1 {
        let mut halvings = 0;
        loop {
            let t_next = if t + dt < t1 { t1 } else { t + dt };
            if steps >= MAX_PATH_STEPS || t_next >= t {
                // The step budget is spent, or the step no longer moves t (it underflowed).
                return Err(Error::NotConverged {
                    method: "herglotz fixed point continuation",
                    iterations,
                    residual: last_res,
                    tolerance: opts.tolerance,
                    last_iterate: current.iter().flat_map(|v| [v.re, v.im]).collect(),
                });
            }
            let h = if t_next == t1 {
                target.im
            } else {
                t_next.exp()
            };
            let (m, res, it, ok) = solve(at(h), &current);
            iterations += it;
            steps += 1;
            if ok {
                current = m;
                last_res = res;
                t = t_next;
                dt = (dt * 2.0).max(base);
                break;
            }
            if halvings >= opts.path.max_halvings {
                return Err(Error::NotConverged {
                    method: "herglotz fixed point",
                    iterations,
                    residual: res,
                    tolerance: opts.tolerance,
                    last_iterate: m.iter().flat_map(|v| [v.re, v.im]).collect(),
                });
            }
            dt *= 0.5;
            halvings += 1;
        }
    }
    if !admissible(target, &current) {
        return Err(Error::NotConverged {
            method: "herglotz admissibility",
            iterations,
            residual: last_res,
            tolerance: opts.tolerance,
            last_iterate: current.iter().flat_map(|v| [v.re, v.im]).collect(),
        });
    }
    let check = map(target, &current);
    let residual = check
        .iter()
        .zip(&current)
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max);
    if !residual.is_finite() {
        return Err(Error::NonFinite {
            what: "herglotz fixed point residual",
        });
    }
    let root: Vec<Complex64> = if reflected {
        current.iter().map(|v| v.conj()).collect()
    } else {
        current
    };
    Ok(HerglotzFixedPoint {
        root,
        residual,
        steps,
        iterations,
    })
}

/// A Newton iteration whose residual stalls (decreases by less than half in a step, or no
/// backtracked step decreases it) below this multiple of the tolerance has reached the
/// rounding floor and is accepted.
const STAGNATION_FACTOR: f64 = 100.0;

/// Halvings of one Newton step in [`newton_refine`]'s backtracking.
const MAX_BACKTRACKS: usize = 30;

/// Options for [`herglotz_newton`] and [`newton_refine`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewtonContinuationOptions {
    /// Starting height relative to $1 + |z|$: the path starts at
    /// $\operatorname{Re} z + i\,H(1 + |z|)$ (the asymptote is accurate there).
    pub start_height: f64,
    /// Initial number of steps per decade of $\operatorname{Im} z$ (a step that fails is halved,
    /// a step that succeeds lets the next one double, up to this base).
    pub steps_per_decade: f64,
    /// Convergence: $|f(m; z)| \le$ `tolerance` $\cdot$ scale (the scale returned by the map).
    pub tolerance: f64,
    /// Newton iterations allowed per step.
    pub max_iter: usize,
    /// Halvings of one step before [`Error::NotConverged`].
    pub max_halvings: usize,
}

impl Default for NewtonContinuationOptions {
    fn default() -> Self {
        Self {
            start_height: 1e3,
            steps_per_decade: 1.0,
            tolerance: 1e-14,
            max_iter: 40,
            max_halvings: 40,
        }
    }
}

/// Result of [`herglotz_newton`] and [`newton_refine`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HerglotzNewton {
    /// The root $m(z)$.
    pub root: Complex64,
    /// Relative residual $|f(m; z)| / \text{scale}$ at the target.
    pub residual: f64,
    /// Newton iterations over the whole path.
    pub iterations: usize,
    /// Continuation steps (halved attempts included; 0 for [`newton_refine`]).
    pub steps: usize,
    /// $\partial f/\partial m$ at the root (from the last evaluation; e.g. $dm/dz =
    /// -(\partial f/\partial z)/(\partial f/\partial m)$ for a predictor).
    pub derivative: Complex64,
}

/// Newton's method for $f(m; z) = 0$ at a fixed `z` from `start`, with backtracking (a step is
/// halved until $|f|$ decreases, at most 30 times).
///
/// `map(z, m)` returns $(f, \partial f/\partial m, \text{scale})$ where scale $> 0$ is the size of
/// the terms of $f$ (the residual is relative to it). Convergence when
/// $|f| \le$ `tolerance` $\cdot$ scale, or when the residual stalls below $100\times$ the
/// tolerance (the rounding floor, e.g. for eigenvalues spread over 12 decades); otherwise
/// [`Error::NotConverged`] with
/// `method = "newton"` after `max_iter` iterations (or when no backtracked step decreases
/// $|f|$); a non-finite start or `z` is [`Error::InvalidParameter`]. No admissibility check is
/// made: the caller classifies the root (e.g. a boundary value on the real axis).
pub fn newton_refine<F>(
    map: F,
    z: Complex64,
    start: Complex64,
    opts: NewtonContinuationOptions,
) -> Result<HerglotzNewton>
where
    F: Fn(Complex64, Complex64) -> (Complex64, Complex64, f64),
{
    let finite = |v: Complex64| v.re.is_finite() && v.im.is_finite();
    if !finite(z) {
        return Err(Error::InvalidParameter {
            name: "z",
            value: if z.re.is_finite() { z.im } else { z.re },
            expected: "a finite complex number",
        });
    }
    if !finite(start) {
        return Err(Error::InvalidParameter {
            name: "start",
            value: if start.re.is_finite() {
                start.im
            } else {
                start.re
            },
            expected: "a finite starting value",
        });
    }
    let tol = opts.tolerance;
    let mut m = start;
    let (mut f, mut df, mut scale) = map(z, m);
    let mut res = relative(f, scale);
    for it in 0..=opts.max_iter {
        if res <= tol {
            // One polishing step (kept only if it lowers the residual): converged Newton is
            // quadratic, so this reaches the rounding floor at the cost of one evaluation.
            if res > 1e-2 * tol && finite(df) && df.norm() > 0.0 {
                let candidate = m - f / df;
                let (fc, dfc, sc) = map(z, candidate);
                let rc = relative(fc, sc);
                if finite(candidate) && rc < res {
                    m = candidate;
                    res = rc;
                    df = dfc;
                }
            }
            return Ok(HerglotzNewton {
                root: m,
                residual: res,
                iterations: it,
                steps: 0,
                derivative: df,
            });
        }
        if it == opts.max_iter || !finite(df) || df.norm() == 0.0 {
            break;
        }
        let before = res;
        let step = f / df;
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..MAX_BACKTRACKS {
            let candidate = m - step * t;
            let (fc, dfc, sc) = map(z, candidate);
            let rc = relative(fc, sc);
            if finite(candidate) && rc.is_finite() && fc.norm() < f.norm() {
                m = candidate;
                f = fc;
                df = dfc;
                scale = sc;
                res = rc;
                moved = true;
                break;
            }
            t *= 0.5;
        }
        if !moved {
            break;
        }
        // Stagnation at the rounding floor: no further progress is possible.
        if res <= STAGNATION_FACTOR * tol && res > 0.5 * before {
            return Ok(HerglotzNewton {
                root: m,
                residual: res,
                iterations: it + 1,
                steps: 0,
                derivative: df,
            });
        }
    }
    let _ = scale;
    if res <= STAGNATION_FACTOR * tol {
        return Ok(HerglotzNewton {
            root: m,
            residual: res,
            iterations: opts.max_iter,
            steps: 0,
            derivative: df,
        });
    }
    Err(Error::NotConverged {
        method: "newton",
        iterations: opts.max_iter,
        residual: res,
        tolerance: tol,
        last_iterate: vec![m.re, m.im],
    })
}

/// $|f|/\text{scale}$, or $+\infty$ when not a number.
fn relative(f: Complex64, scale: f64) -> f64 {
    let r = f.norm() / scale;
    if r.is_nan() { f64::INFINITY } else { r }
}

/// The Herglotz root of a scalar equation $f(m; z) = 0$ at `z` ($\operatorname{Im} z > 0$), by
/// Newton's method continued from $z = \operatorname{Re} z + iH$ down to `z`, each step
/// warm-started at the previous root.
///
/// The Newton counterpart of [`herglotz_fixed_point`] for scalar equations whose derivative is
/// cheap (e.g. Silverstein's equation, [`crate::spectral::sample_covariance`]): a few $O(P)$
/// evaluations per step instead of a damped iteration. At the start the iterate is
/// `asymptote(z)`; a step whose Newton iteration ([`newton_refine`]) fails, or whose root fails
/// `admissible(z, m)` (e.g. $\operatorname{Im} m > 0$), is halved (in $\log\operatorname{Im} z$)
/// up to `max_halvings` times, then [`Error::NotConverged`] (`method = "herglotz newton"`).
/// The final root is checked with `admissible` (failure: `method = "herglotz admissibility"`).
///
/// Domain: finite `z` with $\operatorname{Im} z > 0$ (otherwise [`Error::InvalidParameter`]
/// `z`; a real target is reached by [`newton_refine`] from a root just above it, which the caller
/// classifies), finite `start_height` $> 0$, `steps_per_decade` in $(0, 100]$, finite
/// `tolerance` $> 0$ (each otherwise [`Error::InvalidParameter`] naming it). At most
/// $5 \times 10^4$ steps.
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::herglotz::{herglotz_newton, NewtonContinuationOptions};
/// // Marchenko–Pastur: f(m) = gamma z m^2 + (z - 1 + gamma) m + 1.
/// let g = 0.5;
/// let r = herglotz_newton(
///     |z, m| {
///         let f = g * z * m * m + (z - 1.0 + g) * m + 1.0;
///         let df = 2.0 * g * z * m + (z - 1.0 + g);
///         (f, df, 1.0 + (g * z * m * m).norm() + ((z - 1.0 + g) * m).norm())
///     },
///     |z| -1.0 / z,
///     |_, m| m.im > 0.0,
///     Complex64::new(1.0, 1e-3),
///     NewtonContinuationOptions::default(),
/// )?;
/// assert!(r.residual < 1e-13 && r.root.im > 0.0);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn herglotz_newton<F, A, P>(
    map: F,
    asymptote: A,
    admissible: P,
    z: Complex64,
    opts: NewtonContinuationOptions,
) -> Result<HerglotzNewton>
where
    F: Fn(Complex64, Complex64) -> (Complex64, Complex64, f64),
    A: Fn(Complex64) -> Complex64,
    P: Fn(Complex64, Complex64) -> bool,
{
    if !(z.re.is_finite() && z.im.is_finite() && z.im > 0.0) {
        return Err(Error::InvalidParameter {
            name: "z",
            value: z.im,
            expected: "a finite complex number with Im z > 0",
        });
    }
    if !(opts.start_height.is_finite() && opts.start_height > 0.0) {
        return Err(Error::InvalidParameter {
            name: "start_height",
            value: opts.start_height,
            expected: "a finite number > 0",
        });
    }
    if !(opts.steps_per_decade > 0.0 && opts.steps_per_decade <= 100.0) {
        return Err(Error::InvalidParameter {
            name: "steps_per_decade",
            value: opts.steps_per_decade,
            expected: "a number in (0, 100]",
        });
    }
    if !(opts.tolerance.is_finite() && opts.tolerance > 0.0) {
        return Err(Error::InvalidParameter {
            name: "tolerance",
            value: opts.tolerance,
            expected: "a finite number > 0",
        });
    }
    let h0 = opts.start_height * (1.0 + z.norm());
    let at = |h: f64| Complex64::new(z.re, h);
    let mut iterations = 0;
    let mut steps = 0;
    let (mut t, t1) = if h0 > z.im {
        (h0.ln(), z.im.ln())
    } else {
        (z.im.ln(), z.im.ln())
    };
    let start = if t > t1 { at(h0) } else { z };
    let first = newton_refine(&map, start, asymptote(start), opts)?;
    iterations += first.iterations;
    let mut current = first.root;
    let mut last_res = first.residual;
    let mut last_derivative = first.derivative;
    let base = -std::f64::consts::LN_10 / opts.steps_per_decade;
    let mut dt = base;
    while t > t1 {
        let mut halvings = 0;
        loop {
            let t_next = if t + dt < t1 { t1 } else { t + dt };
            if steps >= MAX_PATH_STEPS || t_next >= t {
                return Err(Error::NotConverged {
                    method: "herglotz newton continuation",
                    iterations,
                    residual: last_res,
                    tolerance: opts.tolerance,
                    last_iterate: vec![current.re, current.im],
                });
            }
            let zz = if t_next == t1 { z } else { at(t_next.exp()) };
            steps += 1;
            match newton_refine(&map, zz, current, opts) {
                Ok(r) if admissible(zz, r.root) => {
                    iterations += r.iterations;
                    current = r.root;
                    last_res = r.residual;
                    last_derivative = r.derivative;
                    t = t_next;
                    dt = (dt * 2.0).max(base);
                    break;
                }
                Ok(r) => {
                    iterations += r.iterations;
                    last_res = r.residual;
                }
                Err(_) => iterations += opts.max_iter,
            }
            if halvings >= opts.max_halvings {
                return Err(Error::NotConverged {
                    method: "herglotz newton",
                    iterations,
                    residual: last_res,
                    tolerance: opts.tolerance,
                    last_iterate: vec![current.re, current.im],
                });
            }
            dt *= 0.5;
            halvings += 1;
        }
    }
    if !admissible(z, current) {
        return Err(Error::NotConverged {
            method: "herglotz admissibility",
            iterations,
            residual: last_res,
            tolerance: opts.tolerance,
            last_iterate: vec![current.re, current.im],
        });
    }
    Ok(HerglotzNewton {
        root: current,
        residual: last_res,
        iterations,
        steps,
        derivative: last_derivative,
    })
}
