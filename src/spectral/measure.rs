//! Spectral measures: one type for atoms, absolutely continuous laws, power laws and mixtures.
//!
//! A [`Measure`] is a probability measure on $\mathbb R$ of one of these kinds:
//!
//! | kind | constructor | spec ([`Measure::parse`]) | transform | CDF |
//! |---|---|---|---|---|
//! | weighted atoms | [`Measure::atoms`] | `atoms:FILE` (CSV `eigenvalue,weight[,signal]`) | exact sum | exact |
//! | power law $s_k = k^{-\alpha}$, $k \le P$ (atoms) | [`Measure::power_law`] | `powerlaw:ALPHA:P` | exact sum | exact |
//! | Marchenko–Pastur $\mu_\gamma$ (atom included) | [`Measure::marchenko_pastur`] | `mp:GAMMA` | closed form | quadrature in $\theta$ (spectral) |
//! | semicircle of radius $R$ | [`Measure::semicircle`] | `semicircle:R` | closed form | closed form |
//! | uniform on $[a, b]$ | [`Measure::uniform`] | `uniform:A:B` | closed form | closed form |
//! | user density on $[a, b]$ | [`Measure::from_density`] | — | quadrature | quadrature |
//! | mixture $\sum_k \pi_k\mu_k$ | [`Measure::mixture`] | `mix:W@SPEC,W@SPEC,...` | sum | sum |
//!
//! Every kind implements [`StieltjesTransform`] ($m(z) = \int d\mu(s)/(s - z)$, Herglotz on
//! $\mathbb C_+$; real $z$ gives the boundary value from above). [`Measure::density`] is the
//! density of the continuous part (exact for closed forms and user densities; atoms carry none:
//! [`Measure::point_masses`]). [`density_by_inversion`] recovers a density from any transform,
//! $\rho_\eta(x) = \operatorname{Im} m(x + i\eta)/\pi$ (the density convolved with the Cauchy
//! kernel of width $\eta$: error $O(\eta)$ in the interior, $O(\sqrt\eta)$ at a square-root edge).
//!
//! **User densities.** $f \ge 0$ on $[a, b]$ is normalised by composite Gauss–Legendre
//! quadrature in $\theta$ with $s = \frac{a+b}2 - \frac{b-a}2\cos\theta$ (64 panels of 16
//! nodes on $[0, \pi]$, clustered at the ends; the node values are stored once). Its transform
//! is the same quadrature after subtracting the singularity: for
//! $\operatorname{Re} z = x \in (a, b)$,
//! $m(z) = \frac1Z\Big[\int\frac{f(s) - f(x) - c(s - x)}{s - z}ds + f(x)L + c\big((b - a) +
//! (z - x)L\big)\Big]$, $L = \log\frac{b - z}{a - z}$, exact for any $c$; $c \approx f'(x)$ (a
//! central difference) removes the kink of the integrand at $s = x$.
//! Far from $[a, b]$ (distance $\gtrsim$ one panel) the error is at rounding level for smooth
//! $f$; close to the support it is governed by what is left of the kink at $s = x$ (width
//! $\operatorname{Im} z$), measured in `tests/theory_spectra.rs`: for the semicircle given
//! as a closure the worst relative error of $m$ over points down to $\operatorname{Im} z =
//! 10^{-8}$ is quoted in docs/spectra.md. A density that is not continuous inside $(a, b)$
//! loses the subtraction's benefit at its jumps (split it into a mixture).

use std::sync::Arc;

use num_complex::Complex64;

use crate::error::{Error, Result};
use crate::spectral::marchenko_pastur::MarchenkoPastur;
use crate::spectral::population::{Atoms, StieltjesTransform};

/// Panels and nodes per panel of the composite Gauss–Legendre rule for user densities.
const PANELS: usize = 64;
const NODES: usize = 16;

/// A probability measure on $\mathbb R$ (see the [module documentation](self)).
///
/// ```
/// use num_complex::Complex64;
/// use overparam::spectral::{Measure, StieltjesTransform};
/// let sc = Measure::parse("semicircle:2")?;
/// assert!((sc.density(0.0)? - 1.0 / std::f64::consts::PI).abs() < 1e-15);
/// assert!((sc.cdf(0.0)? - 0.5).abs() < 1e-15);
/// assert!((sc.moment(2)? - 1.0).abs() < 1e-15); // variance R^2/4
/// assert!(sc.stieltjes(Complex64::new(0.3, 0.1))?.im > 0.0);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Measure {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Atoms(Atoms),
    MarchenkoPastur(MarchenkoPastur),
    Semicircle { radius: f64 },
    Uniform { a: f64, b: f64 },
    Density(UserDensity),
    Mixture(Vec<(f64, Measure)>),
}

/// A normalised user density on $[a, b]$ with its quadrature.
#[derive(Clone)]
struct UserDensity {
    a: f64,
    b: f64,
    f: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
    /// $Z = \int_a^b f$.
    norm: f64,
    /// Quadrature nodes, weights and $f$ at the nodes (unnormalised).
    nodes: Vec<f64>,
    weights: Vec<f64>,
    values: Vec<f64>,
}

impl std::fmt::Debug for UserDensity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserDensity")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("norm", &self.norm)
            .finish_non_exhaustive()
    }
}

/// Gauss–Legendre nodes and weights on $[-1, 1]$ (Newton on $P_n$ from Chebyshev guesses).
fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n {
        let mut t = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, t);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * t * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            dp = n as f64 * (t * p1 - p0) / (t * t - 1.0);
            let dt = p1 / dp;
            t -= dt;
            if dt.abs() < 1e-16 {
                break;
            }
        }
        x[i] = t;
        w[i] = 2.0 / ((1.0 - t * t) * dp * dp);
    }
    (x, w)
}

/// Composite Gauss–Legendre rule on $[a, b]$.
fn composite_rule(a: f64, b: f64, panels: usize, nodes: usize) -> (Vec<f64>, Vec<f64>) {
    let (x, w) = gauss_legendre(nodes);
    let h = (b - a) / panels as f64;
    let mut xs = Vec::with_capacity(panels * nodes);
    let mut ws = Vec::with_capacity(panels * nodes);
    for p in 0..panels {
        let lo = a + p as f64 * h;
        for (xi, wi) in x.iter().zip(&w) {
            xs.push(lo + 0.5 * h * (xi + 1.0));
            ws.push(0.5 * h * wi);
        }
    }
    (xs, ws)
}

/// The composite rule in $\theta \in [t_0, t_1]$ for $s = \frac{a+b}2 - \frac{b-a}2\cos\theta$:
/// nodes $s_i$ and weights $w_i \frac{b-a}2\sin\theta_i$ (clustered at the ends, so densities
/// with square-root edges integrate like smooth functions).
fn cosine_rule(a: f64, b: f64, t0: f64, t1: f64) -> (Vec<f64>, Vec<f64>) {
    let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
    let (thetas, weights) = composite_rule(t0, t1, PANELS, NODES);
    let nodes = thetas.iter().map(|t| mid - half * t.cos()).collect();
    let weights = thetas
        .iter()
        .zip(&weights)
        .map(|(t, w)| w * half * t.sin())
        .collect();
    (nodes, weights)
}

/// $\log(1 + w)$ accurate for small $|w|$ (Kahan's device, valid for complex $w$).
fn log1p(w: Complex64) -> Complex64 {
    let u = 1.0 + w;
    if u == Complex64::new(1.0, 0.0) {
        w
    } else {
        u.ln() * w / (u - 1.0)
    }
}

/// $\int_a^b \frac{ds}{s - z} = \log\frac{b - z}{a - z}$ with the Herglotz branch (real $z$
/// inside: the boundary value from above).
fn log_ratio(a: f64, b: f64, z: Complex64) -> Result<Complex64> {
    let im = z.im + 0.0; // -0.0 -> +0.0
    let da = Complex64::new(a - z.re, -im);
    let db = Complex64::new(b - z.re, -im);
    if da.norm() == 0.0 || db.norm() == 0.0 {
        return Err(Error::InvalidParameter {
            name: "z",
            value: z.re,
            expected: "a point that is not an end of the interval (the transform is infinite there)",
        });
    }
    let mid = 0.5 * (a + b);
    let far = Complex64::new(mid - z.re, -im).norm() > 2.0 * (b - a);
    Ok(if far {
        log1p((b - a) / da)
    } else {
        db.ln() - da.ln()
    })
}

fn bad_spec(spec: &str, problem: String) -> Error {
    Error::InvalidData {
        origin: format!("law `{spec}`"),
        line: 0,
        problem,
    }
}

fn number(spec: &str, field: &str, what: &str) -> Result<f64> {
    field
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| bad_spec(spec, format!("{what} `{field}` is not a finite number")))
}

/// The specs [`Measure::parse`] accepts, for messages.
pub const LAW_SPECS: &str = "semicircle:R, mp:GAMMA, uniform:A:B, powerlaw:ALPHA:P, \
                             atoms:FILE (CSV eigenvalue,weight[,signal]), \
                             mix:W@SPEC,W@SPEC,... or a CSV FILE";

impl Measure {
    /// Weighted atoms.
    pub fn atoms(atoms: Atoms) -> Self {
        Self {
            kind: Kind::Atoms(atoms),
        }
    }

    /// The power law $s_k = k^{-\alpha}$, $k = 1..P$, equal weights (atoms; errors of
    /// [`Atoms::power_law`]).
    pub fn power_law(alpha: f64, count: usize) -> Result<Self> {
        Ok(Self::atoms(Atoms::power_law(alpha, count)?))
    }

    /// The Marchenko–Pastur law of ratio $\gamma$ (the atom $(1 - 1/\gamma)_+$ at 0 included);
    /// `gamma` finite and $> 0$ ([`Error::InvalidParameter`]).
    pub fn marchenko_pastur(gamma: f64) -> Result<Self> {
        Ok(Self {
            kind: Kind::MarchenkoPastur(MarchenkoPastur::new(gamma)?),
        })
    }

    /// The semicircle law of radius $R$ on $[-R, R]$, density $\frac{2}{\pi R^2}\sqrt{R^2 - x^2}$
    /// (variance $R^2/4$); $R$ finite and $> 0$ ([`Error::InvalidParameter`] `radius`).
    pub fn semicircle(radius: f64) -> Result<Self> {
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::InvalidParameter {
                name: "radius",
                value: radius,
                expected: "a finite radius > 0",
            });
        }
        Ok(Self {
            kind: Kind::Semicircle { radius },
        })
    }

    /// The uniform law on $[a, b]$; finite $a < b$ ([`Error::InvalidParameter`] `a` or `b`).
    pub fn uniform(a: f64, b: f64) -> Result<Self> {
        if !a.is_finite() {
            return Err(Error::InvalidParameter {
                name: "a",
                value: a,
                expected: "a finite lower end",
            });
        }
        if !(b.is_finite() && b > a) {
            return Err(Error::InvalidParameter {
                name: "b",
                value: b,
                expected: "a finite upper end > a",
            });
        }
        Ok(Self {
            kind: Kind::Uniform { a, b },
        })
    }

    /// The law with density proportional to `f` on $[a, b]$ (normalised by quadrature; see the
    /// module documentation for the accuracy).
    ///
    /// Errors ([`Error::InvalidParameter`]): `a`, `b` not finite with $a < b$; `density` when
    /// $f$ is negative or not finite at a quadrature node, or integrates to 0.
    pub fn from_density(
        a: f64,
        b: f64,
        f: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Result<Self> {
        Self::uniform(a, b)?;
        let (nodes, weights) = cosine_rule(a, b, 0.0, std::f64::consts::PI);
        let values: Vec<f64> = nodes.iter().map(|&s| f(s)).collect();
        if let Some(&v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "density",
                value: v,
                expected: "a finite density >= 0 on [a, b]",
            });
        }
        let norm: f64 = values.iter().zip(&weights).map(|(v, w)| v * w).sum();
        if !(norm.is_finite() && norm > 0.0) {
            return Err(Error::InvalidParameter {
                name: "density",
                value: norm,
                expected: "a density with a finite positive integral",
            });
        }
        Ok(Self {
            kind: Kind::Density(UserDensity {
                a,
                b,
                f: Arc::new(f),
                norm,
                nodes,
                weights,
                values,
            }),
        })
    }

    /// The mixture $\sum_k \pi_k\mu_k$ (weights normalised).
    ///
    /// Errors ([`Error::InvalidParameter`] `weights`): no component, a negative or non-finite
    /// weight, weights summing to 0.
    pub fn mixture(components: Vec<(f64, Measure)>) -> Result<Self> {
        if components.is_empty() {
            return Err(Error::InvalidParameter {
                name: "weights",
                value: 0.0,
                expected: "at least one component",
            });
        }
        let atoms = Atoms::new(
            vec![0.0; components.len()],
            components.iter().map(|c| c.0).collect(),
        )?;
        Ok(Self {
            kind: Kind::Mixture(
                atoms
                    .weights()
                    .iter()
                    .zip(components)
                    .map(|(w, (_, m))| (*w, m))
                    .collect(),
            ),
        })
    }

    /// Parse a law spec: `semicircle:R`, `mp:GAMMA`, `uniform:A:B`, `powerlaw:ALPHA:P`,
    /// `atoms:FILE` (CSV with the header `eigenvalue,weight` or `eigenvalue,weight,signal`,
    /// [`Atoms::from_csv_path`]), `mix:W@SPEC,W@SPEC,...` (components not themselves mixtures),
    /// or a path to such a CSV file (anything whose prefix before `:` is not one of these).
    ///
    /// Errors: [`Error::InvalidData`] with origin ``law `SPEC` `` naming the problem (a missing
    /// field, a field that is not a number, a malformed mixture), or naming the file and line
    /// for a CSV; then the validation of the constructor ([`Error::InvalidParameter`]).
    pub fn parse(spec: &str) -> Result<Self> {
        let spec_t = spec.trim();
        let (head, rest) = match spec_t.split_once(':') {
            Some((h, r)) => (h.to_ascii_lowercase(), r),
            None => (String::new(), ""),
        };
        let fields: Vec<&str> = rest.split(':').collect();
        let want = |n: usize, form: &str| -> Result<()> {
            if fields.len() == n && fields.iter().all(|f| !f.trim().is_empty()) {
                Ok(())
            } else {
                Err(bad_spec(
                    spec,
                    format!("expected {form} ({n} field(s) after `{head}:`)"),
                ))
            }
        };
        match head.as_str() {
            "semicircle" => {
                want(1, "semicircle:R")?;
                Self::semicircle(number(spec, fields[0], "radius")?)
            }
            "mp" => {
                want(1, "mp:GAMMA")?;
                Self::marchenko_pastur(number(spec, fields[0], "gamma")?)
            }
            "uniform" => {
                want(2, "uniform:A:B")?;
                Self::uniform(number(spec, fields[0], "a")?, number(spec, fields[1], "b")?)
            }
            "powerlaw" => {
                want(2, "powerlaw:ALPHA:P")?;
                let alpha = number(spec, fields[0], "alpha")?;
                let count = fields[1]
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| bad_spec(spec, format!("P `{}` is not a count", fields[1])))?;
                Self::power_law(alpha, count)
            }
            "atoms" => {
                if rest.trim().is_empty() {
                    return Err(bad_spec(spec, "expected atoms:FILE".into()));
                }
                Ok(Self::atoms(Atoms::from_csv_path(std::path::Path::new(
                    rest.trim(),
                ))?))
            }
            "mix" => {
                let mut components = Vec::new();
                for part in rest.split(',') {
                    let (w, law) = part.split_once('@').ok_or_else(|| {
                        bad_spec(spec, format!("mixture component `{part}` is not W@SPEC"))
                    })?;
                    let w = number(spec, w, "mixture weight")?;
                    if law.trim().to_ascii_lowercase().starts_with("mix:") {
                        return Err(bad_spec(spec, "nested mixtures are not supported".into()));
                    }
                    components.push((w, Self::parse(law)?));
                }
                Self::mixture(components)
            }
            _ => {
                if spec_t.is_empty() {
                    return Err(bad_spec(
                        spec,
                        format!("empty; expected one of {LAW_SPECS}"),
                    ));
                }
                Ok(Self::atoms(Atoms::from_csv_path(std::path::Path::new(
                    spec_t,
                ))?))
            }
        }
    }

    /// The atoms, if this measure is discrete (atoms or a power law; a mixture of discrete
    /// measures is merged). `None` for a law with a continuous part.
    pub fn as_atoms(&self) -> Option<Atoms> {
        match &self.kind {
            Kind::Atoms(a) => Some(a.clone()),
            Kind::Mixture(parts) => {
                let mut s = Vec::new();
                let mut w = Vec::new();
                for (pi, m) in parts {
                    let a = m.as_atoms()?;
                    s.extend_from_slice(a.eigenvalues());
                    w.extend(a.weights().iter().map(|x| x * pi));
                }
                Atoms::new(s, w).ok()
            }
            _ => None,
        }
    }

    /// The point masses $(s, w)$ (atoms of the measure; for Marchenko–Pastur the atom at 0 when
    /// $\gamma > 1$).
    pub fn point_masses(&self) -> Vec<(f64, f64)> {
        match &self.kind {
            Kind::Atoms(a) => a
                .eigenvalues()
                .iter()
                .zip(a.weights())
                .filter(|(_, w)| **w > 0.0)
                .map(|(s, w)| (*s, *w))
                .collect(),
            Kind::MarchenkoPastur(mp) if mp.atom_mass() > 0.0 => vec![(0.0, mp.atom_mass())],
            Kind::Mixture(parts) => parts
                .iter()
                .flat_map(|(pi, m)| m.point_masses().into_iter().map(move |(s, w)| (s, w * pi)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The smallest interval containing the support.
    pub fn support(&self) -> (f64, f64) {
        match &self.kind {
            Kind::Atoms(a) => a.support(),
            Kind::MarchenkoPastur(mp) => {
                let (a, b) = mp.edges();
                (if mp.atom_mass() > 0.0 { 0.0 } else { a }, b)
            }
            Kind::Semicircle { radius } => (-radius, *radius),
            Kind::Uniform { a, b } => (*a, *b),
            Kind::Density(d) => (d.a, d.b),
            Kind::Mixture(parts) => parts
                .iter()
                .map(|(_, m)| m.support())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                    (lo.min(a), hi.max(b))
                }),
        }
    }

    /// The density of the continuous part at `x` (0 for atoms; exact for the closed forms and
    /// user densities, i.e. $f(x)/Z$).
    ///
    /// Errors: [`Error::InvalidParameter`] `x` not finite; Marchenko–Pastur at $\gamma = 1$,
    /// $x = 0$ (an integrable singularity, [`MarchenkoPastur::density`]).
    pub fn density(&self, x: f64) -> Result<f64> {
        let x = crate::error::validate::finite("x", x)?;
        Ok(match &self.kind {
            Kind::Atoms(_) => 0.0,
            Kind::MarchenkoPastur(mp) => mp.density(x)?,
            Kind::Semicircle { radius } => {
                let r = *radius;
                if x.abs() >= r {
                    0.0
                } else {
                    2.0 * ((r - x) * (r + x)).sqrt() / (std::f64::consts::PI * r * r)
                }
            }
            Kind::Uniform { a, b } => {
                if x < *a || x > *b {
                    0.0
                } else {
                    1.0 / (b - a)
                }
            }
            Kind::Density(d) => {
                if x < d.a || x > d.b {
                    0.0
                } else {
                    let v = (d.f)(x) / d.norm;
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(Error::NonFinite {
                            what: "user density (not a finite number >= 0 at x)",
                        });
                    }
                    v
                }
            }
            Kind::Mixture(parts) => {
                let mut t = 0.0;
                for (pi, m) in parts {
                    t += pi * m.density(x)?;
                }
                t
            }
        })
    }

    /// The distribution function $F(x) = \mu((-\infty, x])$.
    ///
    /// Exact for atoms, the semicircle ($\frac12 + \frac{x\sqrt{R^2 - x^2}}{\pi R^2} +
    /// \frac{\arcsin(x/R)}{\pi}$) and the uniform law; Marchenko–Pastur by 64-point
    /// Gauss–Legendre in $\theta$ with $s = \frac{a+b}2 - \frac{b-a}2\cos\theta$ (the integrand
    /// is smooth, error at rounding level); user densities by the composite rule on $[a, x]$.
    /// Errors: [`Error::InvalidParameter`] `x` not finite.
    pub fn cdf(&self, x: f64) -> Result<f64> {
        let x = crate::error::validate::finite("x", x)?;
        Ok(match &self.kind {
            Kind::Atoms(a) => a
                .eigenvalues()
                .iter()
                .zip(a.weights())
                .filter(|(s, _)| **s <= x)
                .map(|(_, w)| w)
                .sum::<f64>()
                .min(1.0),
            Kind::MarchenkoPastur(mp) => {
                let atom = if x >= 0.0 { mp.atom_mass() } else { 0.0 };
                let (a, b) = mp.edges();
                if x <= a {
                    atom
                } else if x >= b {
                    1.0
                } else {
                    let (c, r) = (0.5 * (a + b), 0.5 * (b - a));
                    let theta = ((c - x) / r).clamp(-1.0, 1.0).acos();
                    let (nodes, weights) = composite_rule(0.0, theta, 4, NODES);
                    let g = mp.gamma();
                    let body: f64 = nodes
                        .iter()
                        .zip(&weights)
                        .map(|(t, w)| {
                            let (sn, cs) = t.sin_cos();
                            // r^2 sin^2 / (2 pi gamma s), with s = c - r cos written stably
                            w * r * r * sn * sn
                                / (2.0
                                    * std::f64::consts::PI
                                    * g
                                    * (c - r * cs).max(f64::MIN_POSITIVE))
                        })
                        .sum();
                    (atom + body).clamp(0.0, 1.0)
                }
            }
            Kind::Semicircle { radius } => {
                let r = *radius;
                if x <= -r {
                    0.0
                } else if x >= r {
                    1.0
                } else {
                    let t = x / r;
                    (0.5 + (t * (1.0 - t * t).sqrt() + t.asin()) / std::f64::consts::PI)
                        .clamp(0.0, 1.0)
                }
            }
            Kind::Uniform { a, b } => ((x - a) / (b - a)).clamp(0.0, 1.0),
            Kind::Density(d) => {
                if x <= d.a {
                    0.0
                } else if x >= d.b {
                    1.0
                } else {
                    let theta = ((0.5 * (d.a + d.b) - x) / (0.5 * (d.b - d.a)))
                        .clamp(-1.0, 1.0)
                        .acos();
                    let (nodes, weights) = cosine_rule(d.a, d.b, 0.0, theta);
                    let mut t = 0.0;
                    for (s, w) in nodes.iter().zip(&weights) {
                        let v = (d.f)(*s);
                        if !(v.is_finite() && v >= 0.0) {
                            return Err(Error::NonFinite {
                                what: "user density (not a finite number >= 0)",
                            });
                        }
                        t += w * v;
                    }
                    (t / d.norm).clamp(0.0, 1.0)
                }
            }
            Kind::Mixture(parts) => {
                let mut t = 0.0;
                for (pi, m) in parts {
                    t += pi * m.cdf(x)?;
                }
                t.clamp(0.0, 1.0)
            }
        })
    }

    /// The moment $\int s^k d\mu(s)$.
    ///
    /// Exact for atoms, Marchenko–Pastur (Narayana: $\sum_{r=0}^{k-1}\frac{\gamma^r}{r+1}
    /// \binom{k}{r}\binom{k-1}{r}$), the semicircle ($(R/2)^k C_{k/2}$ for even $k$, Catalan
    /// numbers) and the uniform law; user densities by quadrature. Errors:
    /// [`Error::NonFinite`] when the moment overflows.
    pub fn moment(&self, k: u32) -> Result<f64> {
        let v = match &self.kind {
            Kind::Atoms(a) => a.moment(k as i32),
            Kind::MarchenkoPastur(mp) => {
                if k == 0 {
                    1.0
                } else {
                    let g = mp.gamma();
                    (0..k)
                        .map(|r| {
                            g.powi(r as i32) / (r + 1) as f64 * binomial(k, r) * binomial(k - 1, r)
                        })
                        .sum()
                }
            }
            Kind::Semicircle { radius } => {
                if k % 2 == 1 {
                    0.0
                } else {
                    let h = k / 2;
                    (radius / 2.0).powi(k as i32) * binomial(2 * h, h) / (h + 1) as f64
                }
            }
            Kind::Uniform { a, b } => {
                let k1 = (k + 1) as i32;
                (b.powi(k1) - a.powi(k1)) / ((k + 1) as f64 * (b - a))
            }
            Kind::Density(d) => {
                d.nodes
                    .iter()
                    .zip(&d.weights)
                    .zip(&d.values)
                    .map(|((s, w), v)| w * v * s.powi(k as i32))
                    .sum::<f64>()
                    / d.norm
            }
            Kind::Mixture(parts) => {
                let mut t = 0.0;
                for (pi, m) in parts {
                    t += pi * m.moment(k)?;
                }
                t
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::NonFinite {
                what: "moment of the measure (overflow)",
            })
        }
    }
}

/// $\binom{n}{k}$ in floating point.
fn binomial(n: u32, k: u32) -> f64 {
    let k = k.min(n - k.min(n));
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

impl StieltjesTransform for Measure {
    /// Closed forms for Marchenko–Pastur, the semicircle
    /// ($m(z) = -2/(z + \sqrt{z - R}\sqrt{z + R})$) and the uniform law
    /// ($\frac{1}{b - a}\log\frac{b - z}{a - z}$, by $\log(1 + w)$ far from $[a, b]$); the exact
    /// sum for atoms; quadrature with singularity subtraction for user densities.
    ///
    /// Domain: finite $z$; real $z$ gives the boundary value from above. Errors:
    /// [`Error::InvalidParameter`] `z` not finite, at an atom, at an end of a uniform or
    /// user-density interval, or where Marchenko–Pastur's transform is infinite.
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        if !(z.re.is_finite() && z.im.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "z",
                value: if z.re.is_finite() { z.im } else { z.re },
                expected: "a finite complex number",
            });
        }
        if z.im < 0.0 {
            return self.stieltjes(z.conj()).map(|m| m.conj());
        }
        let z = Complex64::new(z.re, z.im + 0.0);
        let m = match &self.kind {
            Kind::Atoms(a) => a.stieltjes(z)?,
            Kind::MarchenkoPastur(mp) => mp.stieltjes(z)?,
            Kind::Semicircle { radius } => {
                let r = *radius;
                let q = (z - r).sqrt() * (z + r).sqrt();
                -2.0 / (z + q)
            }
            Kind::Uniform { a, b } => log_ratio(*a, *b, z)? / (b - a),
            Kind::Density(d) => {
                let x = z.re;
                if x > d.a && x < d.b {
                    let fx = (d.f)(x);
                    if !(fx.is_finite() && fx >= 0.0) {
                        return Err(Error::NonFinite {
                            what: "user density (not a finite number >= 0 at Re z)",
                        });
                    }
                    // Slope c of f at x (central difference inside (a, b)); the decomposition is
                    // exact for any c, a good c removes the kink of the integrand at s = x.
                    let h = (1e-4 * (d.b - d.a))
                        .min(0.5 * (x - d.a))
                        .min(0.5 * (d.b - x));
                    let slope = ((d.f)(x + h) - (d.f)(x - h)) / (2.0 * h);
                    let slope = if slope.is_finite() { slope } else { 0.0 };
                    let mut t = Complex64::new(0.0, 0.0);
                    for ((s, w), v) in d.nodes.iter().zip(&d.weights).zip(&d.values) {
                        t += w * (v - fx - slope * (s - x)) / Complex64::new(s - z.re, -z.im);
                    }
                    let log = log_ratio(d.a, d.b, z)?;
                    let linear = (d.b - d.a) + Complex64::new(0.0, z.im) * log;
                    (t + fx * log + slope * linear) / d.norm
                } else {
                    let mut t = Complex64::new(0.0, 0.0);
                    for ((s, w), v) in d.nodes.iter().zip(&d.weights).zip(&d.values) {
                        t += w * v / Complex64::new(s - z.re, -z.im);
                    }
                    t / d.norm
                }
            }
            Kind::Mixture(parts) => {
                let mut t = Complex64::new(0.0, 0.0);
                for (pi, m) in parts {
                    t += *pi * m.stieltjes(z)?;
                }
                t
            }
        };
        if m.re.is_finite() && m.im.is_finite() {
            Ok(m)
        } else {
            Err(Error::NonFinite {
                what: "Stieltjes transform of the measure",
            })
        }
    }
}

/// The density recovered from a Stieltjes transform, $\rho_\eta(x) = \operatorname{Im}
/// m(x + i\eta)/\pi$: the density convolved with the Cauchy kernel of half-width $\eta$ (exact
/// as $\eta \to 0$; error $O(\eta)$ where the density is smooth, $O(\sqrt\eta)$ at a square-root
/// edge; an atom of mass $w$ at distance $d$ adds $w\eta/(\pi(d^2 + \eta^2))$).
///
/// Errors: [`Error::InvalidParameter`] `x` not finite or `eta` not finite and $> 0$; those of
/// the transform.
pub fn density_by_inversion<M: StieltjesTransform + ?Sized>(
    measure: &M,
    x: f64,
    eta: f64,
) -> Result<f64> {
    let x = crate::error::validate::finite("x", x)?;
    let eta = crate::error::validate::positive("eta", eta)?;
    let m = measure.stieltjes(Complex64::new(x, eta))?;
    Ok((m.im / std::f64::consts::PI).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_integrates_polynomials() {
        let (x, w) = gauss_legendre(16);
        for k in 0..31 {
            let q: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(k)).sum();
            let exact = if k % 2 == 1 {
                0.0
            } else {
                2.0 / (k + 1) as f64
            };
            assert!((q - exact).abs() < 1e-14, "k = {k}: {q} vs {exact}");
        }
    }
}
