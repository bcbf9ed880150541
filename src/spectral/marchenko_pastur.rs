//! The Marchenko–Pastur law and its Stieltjes transform in closed form.
//!
//! Let $X \in \mathbb{R}^{n \times p}$ have iid entries of mean $0$ and variance $1$, and let
//! $p/n \to \gamma > 0$. The empirical spectral distribution of $S = X^\top X / n$ ($p \times p$)
//! converges to the Marchenko–Pastur law $\mu_\gamma$ (Marchenko & Pastur 1967):
//!
//! $$ d\mu_\gamma(s) = \Big(1 - \tfrac{1}{\gamma}\Big)_+ \delta_0(ds) +
//!    \frac{\sqrt{(b - s)(s - a)}}{2 \pi \gamma s} \mathbf{1}_{[a, b]}(s)\, ds,
//!    \qquad a = (1 - \sqrt\gamma)^2, \; b = (1 + \sqrt\gamma)^2. $$
//!
//! Its Stieltjes transform $m(z) = \int d\mu_\gamma(s) / (s - z)$ solves
//! $\gamma z m^2 + (z - 1 + \gamma) m + 1 = 0$. The companion law $\tilde\mu_\gamma$ of
//! $X X^\top / n$ ($n \times n$) has $\tilde m(z) = \gamma m(z) - (1 - \gamma)/z$.
//! (Bai & Silverstein, *Spectral Analysis of Large Dimensional Random Matrices*, 2010, ch. 3;
//! Hastie, Montanari, Rosset & Tibshirani, *Ann. Statist.* 50(2), 2022, §2.)

use num_complex::Complex64;

use crate::error::{Error, Result, validate};

/// The Marchenko–Pastur law of ratio $\gamma = p/n$ and variance $1$ (spectrum of $X^\top X/n$).
///
/// ```
/// use overparam::spectral::marchenko_pastur::MarchenkoPastur;
/// let mp = MarchenkoPastur::new(0.25)?;
/// let (a, b) = mp.edges();
/// assert!((a - 0.25).abs() < 1e-15 && (b - 2.25).abs() < 1e-15);
/// assert_eq!(mp.atom_mass(), 0.0);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarchenkoPastur {
    gamma: f64,
}

/// Value and $z$-derivative of a Stieltjes transform on the negative real axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegativeRealStieltjes {
    /// $m(-\lambda) = \int d\mu(s)/(s + \lambda) > 0$.
    pub m: f64,
    /// $m'(-\lambda) = \frac{dm}{dz}\big|_{z=-\lambda} = \int d\mu(s)/(s + \lambda)^2 > 0$.
    pub dm: f64,
}

/// Resolvent moments of the Marchenko–Pastur law at $z = -\lambda$, $\lambda \ge 0$, in forms
/// without cancellation (see [`MarchenkoPastur::resolvent_moments`]).
///
/// With $\mu \sim \mu_\gamma$ (atom included) and $m = m(-\lambda)$:
/// $T_1 = \mathbb E\frac{\mu}{\mu+\lambda} = 1 - \lambda m$,
/// $T_2 = \mathbb E\frac{\mu^2}{(\mu+\lambda)^2} = T_1 - \lambda T_3$,
/// $T_3 = \mathbb E\frac{\mu}{(\mu+\lambda)^2} = m - \lambda m'$, and the leave-one-out factor
/// $S = 1/(1 + \gamma m) = \lambda\tilde m(-\lambda)$ with $1 - S = \gamma T_1$ and
/// $S' = dS/d\lambda = \gamma T_3$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResolventMoments {
    /// $S = 1/(1 + \gamma m(-\lambda)) = \lambda\tilde m(-\lambda) \in [0, 1]$; for ridge regression
    /// on $p/n = \gamma$ it is the limit of the leave-one-out factor $1 - H_{ii}$ of the hat matrix.
    pub s: f64,
    /// $1 - S$ (computed without cancellation).
    pub one_minus_s: f64,
    /// $S' = dS/d\lambda = \gamma T_3$.
    pub s_prime: f64,
    /// $T_1 = \mathbb E[\mu/(\mu+\lambda)] = (1 - S)/\gamma$.
    pub t1: f64,
    /// $T_2 = \mathbb E[\mu^2/(\mu+\lambda)^2]$.
    pub t2: f64,
    /// $T_3 = \mathbb E[\mu/(\mu+\lambda)^2] = m(-\lambda) - \lambda m'(-\lambda)$.
    pub t3: f64,
}

impl MarchenkoPastur {
    /// Create the law of ratio `gamma` $= p/n$; `gamma` must be finite and $> 0$.
    pub fn new(gamma: f64) -> Result<Self> {
        let gamma = validate::positive("gamma", gamma)?;
        Ok(Self { gamma })
    }

    /// The ratio $\gamma = p/n$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Edges $(a, b) = ((1 - \sqrt\gamma)^2, (1 + \sqrt\gamma)^2)$ of the continuous part.
    pub fn edges(&self) -> (f64, f64) {
        let r = self.gamma.sqrt();
        ((1.0 - r) * (1.0 - r), (1.0 + r) * (1.0 + r))
    }

    /// Mass $(1 - 1/\gamma)_+$ of the atom at $0$ (present only for $\gamma > 1$).
    pub fn atom_mass(&self) -> f64 {
        (1.0 - 1.0 / self.gamma).max(0.0)
    }

    /// Density of the absolutely continuous part,
    /// $\sqrt{(b - x)(x - a)}/(2\pi\gamma x)$ on $[a, b]$ and $0$ elsewhere (the atom is excluded).
    ///
    /// Domain: every finite `x` except the singular point $x = 0$ at $\gamma = 1$, where the
    /// density behaves like $1/(\pi\sqrt{x})$ (an integrable singularity, so the measure has no atom
    /// there but the density has no finite value); every returned value is finite.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `x` if `x` is not finite, or if $\gamma = 1$ and
    /// $x = 0$ (it used to return $+\infty$ inside `Ok`).
    pub fn density(&self, x: f64) -> Result<f64> {
        let x = validate::finite("x", x)?;
        let (a, b) = self.edges();
        if x < a || x > b {
            return Ok(0.0);
        }
        if x == 0.0 {
            return Err(Error::InvalidParameter {
                name: "x",
                value: x,
                expected: "x != 0 at gamma = 1 (the density has an integrable x^(-1/2) singularity at 0)",
            });
        }
        let root = ((b - x) * (x - a)).max(0.0).sqrt();
        Ok(root / (2.0 * std::f64::consts::PI * self.gamma * x))
    }

    /// The Stieltjes transform $m(z) = \int d\mu_\gamma(s)/(s - z)$, the Herglotz branch.
    ///
    /// $$ m(z) = \frac{1 - \gamma - z + \sqrt{z - a}\,\sqrt{z - b}}{2 \gamma z}
    ///        = \frac{2}{1 - \gamma - z - \sqrt{z - a}\,\sqrt{z - b}}, $$
    ///
    /// with principal square roots. The product $\sqrt{z-a}\sqrt{z-b}$ is analytic off $[a, b]$ and
    /// behaves like $z - 1 - \gamma$ at infinity, so $m(z) \sim -1/z$, $\operatorname{Im} m > 0$
    /// for $\operatorname{Im} z > 0$ and $m(\bar z) = \overline{m(z)}$. Of the two algebraically
    /// equal forms the one without cancellation is used.
    ///
    /// Real `z`: off the support the value is real; inside $[a, b]$ it is the boundary value from
    /// above, $\lim_{\eta \downarrow 0} m(x + i\eta)$ (so $\operatorname{Im} m = \pi \cdot$ density).
    /// At $z = 0$: for $\gamma < 1$, $m(0) = 1/(1 - \gamma)$; for $\gamma \ge 1$ the transform is
    /// infinite (atom, or the $x^{-1/2}$ edge at $\gamma = 1$) and an
    /// [`Error::InvalidParameter`] is returned. Non-finite `z` gives [`Error::InvalidParameter`].
    ///
    /// ```
    /// use num_complex::Complex64;
    /// use overparam::spectral::marchenko_pastur::MarchenkoPastur;
    /// let mp = MarchenkoPastur::new(0.5)?;
    /// let m = mp.stieltjes(Complex64::new(1.0, 0.5))?;
    /// assert!(m.im > 0.0);
    /// // The quadratic gamma z m^2 + (z - 1 + gamma) m + 1 = 0 holds.
    /// let z = Complex64::new(1.0, 0.5);
    /// let p = 0.5 * z * m * m + (z - 0.5) * m + 1.0;
    /// assert!(p.norm() < 1e-14);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        if !(z.re.is_finite() && z.im.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "z",
                value: if z.re.is_finite() { z.im } else { z.re },
                expected: "a finite complex number",
            });
        }
        if z.im < 0.0 {
            return Ok(self.stieltjes(z.conj())?.conj());
        }
        let g = self.gamma;
        if z.re == 0.0 && z.im == 0.0 {
            if g < 1.0 {
                return Ok(Complex64::new(1.0 / (1.0 - g), 0.0));
            }
            return Err(Error::InvalidParameter {
                name: "z",
                value: 0.0,
                expected: "z != 0 when gamma >= 1 (the transform is infinite at the atom / hard edge)",
            });
        }
        let (a, b) = self.edges();
        // For real z the principal branch of sqrt(z - x) at a negative real argument gives
        // +i sqrt(x - z): exactly the boundary value from above (Im z = +0).
        let za = Complex64::new(z.re - a, z.im);
        let zb = Complex64::new(z.re - b, z.im);
        let s = sqrt_upper(za) * sqrt_upper(zb);
        let c = Complex64::new(1.0 - g, 0.0) - z;
        let plus = c + s;
        let minus = c - s;
        let m = if plus.norm() >= minus.norm() {
            plus / (2.0 * g * z)
        } else {
            2.0 / minus
        };
        if m.re.is_finite() && m.im.is_finite() {
            Ok(m)
        } else {
            Err(Error::NonFinite {
                what: "Marchenko-Pastur Stieltjes transform",
            })
        }
    }

    /// $m(-\lambda)$ and $m'(-\lambda)$ for $\lambda > 0$, without cancellation.
    ///
    /// With $D = \sqrt{(1 - \gamma + \lambda)^2 + 4\gamma\lambda} = \sqrt{(\lambda + a)(\lambda + b)}$:
    ///
    /// $$ m(-\lambda) = \frac{D - (1 - \gamma + \lambda)}{2\gamma\lambda}
    ///    = \frac{2}{D + 1 - \gamma + \lambda}, \qquad
    ///    m'(-\lambda) = \frac{m (1 + \gamma m)}{D}, $$
    ///
    /// choosing the first form when $1 - \gamma + \lambda < 0$ and the second otherwise.
    /// `lambda` must be finite and $> 0$ (use [`Self::stieltjes`] at $z = 0$ for $\gamma < 1$).
    ///
    /// ```
    /// use overparam::spectral::marchenko_pastur::MarchenkoPastur;
    /// let s = MarchenkoPastur::new(0.5)?.stieltjes_negative_real(1.0)?;
    /// assert!((s.m - 0.5615528128088).abs() < 1e-12);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn stieltjes_negative_real(&self, lambda: f64) -> Result<NegativeRealStieltjes> {
        let lambda = validate::positive("lambda", lambda)?;
        let (m, dm) = mp_negative_real(self.gamma, lambda);
        if m.is_finite() && dm.is_finite() {
            Ok(NegativeRealStieltjes { m, dm })
        } else {
            Err(Error::NonFinite {
                what: "Marchenko-Pastur m(-lambda)",
            })
        }
    }

    /// Stieltjes transform $\tilde m(z) = \gamma m(z) - (1 - \gamma)/z$ of the companion law
    /// (spectrum of $X X^\top/n$, $n \times n$, atom of mass $(1-\gamma)_+$ at $0$).
    ///
    /// Computed as $\tilde m(z) = \gamma^{-1} m_{1/\gamma}(z/\gamma)$ (the eigenvalues of
    /// $XX^\top/n$ are $\gamma$ times those of $XX^\top/p$), which has no cancellation. Same
    /// branch conventions and errors as [`Self::stieltjes`] (infinite at $z = 0$ for $\gamma \le 1$).
    /// Near the atom the exact value can exceed `f64::MAX` (e.g. $\gamma = 10^{-100}$,
    /// $z = -10^{-310}(1 + i)$: $|\tilde m| \approx 1/|z|$): [`Error::NonFinite`] then.
    pub fn companion_stieltjes(&self, z: Complex64) -> Result<Complex64> {
        let dual = MarchenkoPastur::new(1.0 / self.gamma)?;
        let m = dual.stieltjes(z / self.gamma)? / self.gamma;
        if m.re.is_finite() && m.im.is_finite() {
            Ok(m)
        } else {
            Err(Error::NonFinite {
                what: "companion Marchenko-Pastur Stieltjes transform (beyond f64::MAX)",
            })
        }
    }

    /// $\tilde m(-\lambda)$ and $\tilde m'(-\lambda)$ of the companion law, for $\lambda > 0$, in the
    /// cancellation-free form $\tilde m(-\lambda) = \gamma^{-1} m_{1/\gamma}(-\lambda/\gamma)$,
    /// $\tilde m'(-\lambda) = \gamma^{-2} m_{1/\gamma}'(-\lambda/\gamma)$.
    ///
    /// For $\gamma > 1$ these stay finite as $\lambda \to 0$:
    /// $\tilde m(0) = 1/(\gamma - 1)$.
    pub fn companion_negative_real(&self, lambda: f64) -> Result<NegativeRealStieltjes> {
        let lambda = validate::positive("lambda", lambda)?;
        let g = self.gamma;
        let (m, dm) = mp_negative_real(1.0 / g, lambda / g);
        let out = NegativeRealStieltjes {
            m: m / g,
            dm: dm / (g * g),
        };
        if out.m.is_finite() && out.dm.is_finite() {
            Ok(out)
        } else {
            Err(Error::NonFinite {
                what: "Marchenko-Pastur companion m(-lambda)",
            })
        }
    }

    /// The resolvent moments $S, 1 - S, S', T_1, T_2, T_3$ at $z = -\lambda$ (see
    /// [`ResolventMoments`]), for $\lambda \ge 0$.
    ///
    /// With $D = \sqrt{(1-\gamma+\lambda)^2 + 4\gamma\lambda}$ (as in
    /// [`Self::stieltjes_negative_real`]), $b = \gamma - 1 + \lambda$ and $q = \gamma + 1 + \lambda$:
    ///
    /// $$ S = \tfrac12(D - b) = \frac{2\lambda}{D + b}, \qquad 1 - S = \frac{2\gamma}{q + D}, \qquad
    ///    T_3 = \frac{2}{D\,(q + D)}, \qquad
    ///    T_2 = \frac{2\,[(1-\gamma)^2 + 2\lambda(1+\gamma)]}{D\,(D+\lambda)\,(q+D)}, $$
    ///
    /// every one a ratio of positive terms (the form of $S$ is chosen by the sign of $b$), so they
    /// stay accurate as $\lambda \to 0$ with $\gamma > 1$, where $m(-\lambda)$ and
    /// $\lambda m'(-\lambda)$ both blow up like $1/\lambda$, and as $\lambda \to \infty$.
    /// (Bai & Silverstein 2010, ch. 3; Hastie, Montanari, Rosset & Tibshirani, *Ann. Statist.*
    /// 50(2), 2022, arXiv:1903.08560, §2 and §5.) At $\lambda = 0$: $S = (1 - \gamma)_+$.
    ///
    /// Errors: [`Error::InvalidParameter`] for a negative or non-finite `lambda`, or for
    /// $\lambda = 0$ at $\gamma = 1$ (where $T_3 = \int d\mu/\mu$ is infinite).
    ///
    /// ```
    /// use overparam::spectral::marchenko_pastur::MarchenkoPastur;
    /// let mp = MarchenkoPastur::new(0.5)?;
    /// let r = mp.resolvent_moments(1.0)?;
    /// let s = mp.stieltjes_negative_real(1.0)?;
    /// assert!((r.s - 1.0 / (1.0 + 0.5 * s.m)).abs() < 1e-15);
    /// assert!((r.t3 - (s.m - s.dm)).abs() < 1e-15);
    /// # Ok::<(), overparam::Error>(())
    /// ```
    pub fn resolvent_moments(&self, lambda: f64) -> Result<ResolventMoments> {
        let lambda = validate::non_negative("lambda", lambda)?;
        if self.gamma == 1.0 && lambda == 0.0 {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: 0.0,
                expected: "lambda > 0 when gamma = 1 (E[1/mu] is infinite at the hard edge)",
            });
        }
        let out = resolvent_moments(self.gamma, lambda);
        if [out.s, out.one_minus_s, out.s_prime, out.t1, out.t2, out.t3]
            .iter()
            .all(|v| v.is_finite())
        {
            Ok(out)
        } else {
            Err(Error::NonFinite {
                what: "Marchenko-Pastur resolvent moments",
            })
        }
    }
}

/// The discriminant $D = \sqrt{(1 - \gamma + \lambda)^2 + 4\gamma\lambda} = \sqrt{(\lambda + a)(\lambda + b)}$
/// of the quadratic of $m(-\lambda)$ ($a, b$ the edges), for $\gamma > 0$, $\lambda \ge 0$.
/// Every closed form on the negative real axis below is written in terms of it.
#[inline]
fn discriminant(gamma: f64, lambda: f64) -> f64 {
    let c = 1.0 - gamma + lambda;
    (c * c + 4.0 * gamma * lambda).sqrt()
}

/// $(m(-\lambda), m'(-\lambda))$ for the MP law of ratio `gamma`, both inputs $> 0$.
///
/// This is the one implementation of the closed form on the negative real axis: ridge
/// ([`crate::theory::ridge`]), the adversarial $S(z;\psi_1) = -m_{\psi_1}(z)$
/// ([`crate::theory::adversarial::scalar::stieltjes`]) and, through
/// [`resolvent_moments`], membership inference all call it.
pub(crate) fn mp_negative_real(gamma: f64, lambda: f64) -> (f64, f64) {
    let c = 1.0 - gamma + lambda;
    let d = discriminant(gamma, lambda);
    let m = if c < 0.0 {
        (d - c) / (2.0 * gamma * lambda)
    } else {
        2.0 / (d + c)
    };
    let dm = m * (1.0 + gamma * m) / d;
    (m, dm)
}

/// [`ResolventMoments`] at $(\gamma, \lambda)$, $\gamma > 0$, $\lambda \ge 0$, not both
/// $\gamma = 1$ and $\lambda = 0$ (the caller validates; see
/// [`MarchenkoPastur::resolvent_moments`] for the formulas).
pub(crate) fn resolvent_moments(gamma: f64, lambda: f64) -> ResolventMoments {
    let d = discriminant(gamma, lambda);
    let b = gamma - 1.0 + lambda;
    let q = gamma + 1.0 + lambda;
    let s = if b > 0.0 {
        2.0 * lambda / (d + b)
    } else {
        0.5 * (d - b)
    };
    let one_minus_s = 2.0 * gamma / (q + d);
    let t3 = 2.0 / (d * (q + d));
    let t2 =
        2.0 * ((1.0 - gamma).powi(2) + 2.0 * lambda * (1.0 + gamma)) / (d * (d + lambda) * (q + d));
    ResolventMoments {
        s,
        one_minus_s,
        s_prime: gamma * t3,
        t1: one_minus_s / gamma,
        t2,
        t3,
    }
}

/// Principal square root, with the boundary value from above on the negative real axis
/// (a `-0.0` imaginary part is treated as `+0`).
fn sqrt_upper(w: Complex64) -> Complex64 {
    Complex64::new(w.re, w.im.abs()).sqrt()
}
