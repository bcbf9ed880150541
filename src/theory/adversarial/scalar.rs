//! Scalar building blocks shared by the random-features and the linear adversarial theories.
//!
//! - $S(z;\psi_1)$, the Stieltjes transform of the Marchenko–Pastur law of $WW^\top$ with the
//!   opposite sign (Hassani & Javanmard 2024, arXiv:2201.05149, eq. (4.4)), and its derivative,
//!   from [`crate::spectral::marchenko_pastur`].
//! - $Q(m) = \mathbb E(m - |G|)_+^2$ and $Q'(m)$, with a series for small $m$.
//! - The per-sample proximal expectation
//!   $E(c;\zeta,k) = \mathbb E\min_u\big[\tfrac12(|u| + c)^2 + \tfrac k2(\zeta G - u)^2\big]$
//!   and its partial derivatives.
//! - The root $\nu^\star(\kappa, k)$ of $\kappa - k\nu - \nu\,\mathrm{erf}(\nu/\sqrt2) - \sqrt{2/\pi}\,e^{-\nu^2/2} = 0$.

use crate::error::{Error, Result};
use crate::gaussian::normal::erf;
use crate::spectral::marchenko_pastur::mp_negative_real;

pub use crate::gaussian::normal::SQRT_2_OVER_PI;

/// $S(z;\psi_1)$ for $z < 0$ (Hassani & Javanmard 2024, arXiv:2201.05149, eq. (4.4)): the
/// Marchenko–Pastur Stieltjes transform with the opposite sign, $S(z;\psi_1) = -m_{\psi_1}(z)$,
/// i.e. $S$ solves $\psi_1 z S^2 + (1 - \psi_1 - z) S + 1 = 0$ with $S < 0$.
///
/// Evaluated by the crate's one implementation of the closed form,
/// [`MarchenkoPastur::stieltjes_negative_real`](crate::spectral::MarchenkoPastur::stieltjes_negative_real)
/// at $\lambda = -z$ (cancellation-free: with $b = 1 - \psi_1 - z$ and $D = b^2 - 4\psi_1 z$,
/// $S = -2/(b + \sqrt D)$ for $b \ge 0$ and $S = (b - \sqrt D)/(-2\psi_1 z)$ otherwise).
///
/// Domain: $10^{-100} \le -z \le 10^{100}$ and $0 < \psi_1 \le 10^{12}$ (the models' ratio range), where
/// the value and the derivative are finite; outside it the kernel follows IEEE arithmetic
/// (`NaN`/`inf`) like `f64::sqrt`, see docs/numerics.md.
pub fn stieltjes(z: f64, psi1: f64) -> f64 {
    -mp_negative_real(psi1, -z).0
}

/// $S(z;\psi_1)$ and $S'(z) = dS/dz = -m_{\psi_1}'(z)$ together, for $z < 0$ (one evaluation of
/// the Marchenko–Pastur closed form; $S' = (S - \psi_1 S^2)/\sqrt D$).
///
/// Domain: as [`stieltjes`].
pub fn stieltjes_with_derivative(z: f64, psi1: f64) -> (f64, f64) {
    let (m, dm) = mp_negative_real(psi1, -z);
    (-m, -dm)
}

/// $S'(z) = dS/dz = (S - \psi_1 S^2)/\sqrt D$ for $z < 0$, where `s` $= S(z;\psi_1)$ from
/// [`stieltjes`]. Evaluated by the Marchenko–Pastur closed form (as
/// [`stieltjes_with_derivative`], which computes both at once); `s` is only checked in debug
/// builds and kept for compatibility.
pub fn stieltjes_derivative(z: f64, psi1: f64, s: f64) -> f64 {
    let (m, dm) = mp_negative_real(psi1, -z);
    debug_assert!((s + m).abs() <= 1e-12 * m.abs().max(1.0) || !s.is_finite());
    -dm
}

/// $Q(m) = \mathbb E(m - |G|)_+^2 = (m^2 + 1)\,\mathrm{erf}(m/\sqrt2) - 2m\sqrt{2/\pi} + m\sqrt{2/\pi}\,e^{-m^2/2}$
/// for $m \ge 0$ (series $\sqrt{2/\pi}(m^3/3 - m^5/60 + m^7/840 - m^9/12096)$ below $0.1$;
/// $m^2 + 1 - 2m\sqrt{2/\pi}$ from $m = 40$ on, where the erf is 1 and the exponential 0 in double
/// precision). $0$ for $m \le 0$. Exact for $m \lesssim 1.3\cdot10^{154}$; beyond, $Q \sim m^2$
/// exceeds the floating-point range and the result saturates at `f64::MAX` (docs/numerics.md);
/// `NaN` only for a `NaN` input.
pub fn q_fn(m: f64) -> f64 {
    if m <= 0.0 {
        return 0.0;
    }
    if m < 0.1 {
        let m2 = m * m;
        SQRT_2_OVER_PI
            * m
            * m2
            * (1.0 / 3.0 + m2 * (-1.0 / 60.0 + m2 * (1.0 / 840.0 - m2 / 12096.0)))
    } else if m < 40.0 {
        (m * m + 1.0) * erf(m / std::f64::consts::SQRT_2) - 2.0 * m * SQRT_2_OVER_PI
            + m * SQRT_2_OVER_PI * (-0.5 * m * m).exp()
    } else {
        // erf(m / sqrt 2) = 1 and e^{-m^2/2} = 0 to double precision: the same arithmetic as
        // above without the erf (whose argument may overflow); beyond m ~ 1.3e154 the value
        // exceeds the floating-point range and saturates at f64::MAX.
        ((m * m + 1.0) - 2.0 * m * SQRT_2_OVER_PI).min(f64::MAX)
    }
}

/// $Q'(m) = 2\big[m\,\mathrm{erf}(m/\sqrt2) - \sqrt{2/\pi}(1 - e^{-m^2/2})\big]$ (series below $0.1$;
/// $2(m - \sqrt{2/\pi})$ from $m = 40$ on). $0$ for $m \le 0$; exact up to about `f64::MAX / 2`,
/// saturated at `f64::MAX` beyond.
pub fn q_prime(m: f64) -> f64 {
    if m <= 0.0 {
        return 0.0;
    }
    if m < 0.1 {
        let m2 = m * m;
        SQRT_2_OVER_PI * m2 * (1.0 + m2 * (-1.0 / 12.0 + m2 * (1.0 / 120.0 - m2 / 1344.0)))
    } else if m < 40.0 {
        2.0 * (m * erf(m / std::f64::consts::SQRT_2) + SQRT_2_OVER_PI * (-0.5 * m * m).exp_m1())
    } else {
        // erf = 1, e^{-m^2/2} = 0: Q' = 2 (m - sqrt(2/pi)), finite up to m ~ f64::MAX / 2 and
        // saturated at f64::MAX beyond.
        (2.0 * (m - SQRT_2_OVER_PI)).min(f64::MAX)
    }
}

/// The proximal expectation $E(c;\zeta,k)$ and its partial derivatives.
#[derive(Debug, Clone, Copy)]
pub struct Prox {
    /// $E$.
    pub value: f64,
    /// $\partial E/\partial c$.
    pub d_c: f64,
    /// $\partial E/\partial \zeta$.
    pub d_zeta: f64,
    /// $\partial E/\partial k$ multiplied by $(1+k)^2$ (finite as $k \to \infty$).
    pub d_k_times_1pk_sq: f64,
}

/// $E(c;\zeta,k) = \frac{k}{2(1+k)}(\zeta^2 + 2\sqrt{2/\pi}\,c\zeta + c^2) + \frac{k^2\zeta^2}{2(1+k)}Q\big(\tfrac{c}{k\zeta}\big)$
/// (Hassani & Javanmard 2024, arXiv:2201.05149; docs/adversarial.md#derivation-notes-proximal-form-and-extra-outputs), with `kk` $= k/(1+k)$ passed separately so that it is exact when
/// $k$ is huge.
///
/// Domain: $c \ge 0$, $\zeta > 0$, $k \ge 0$, all at most $10^{100}$ with $k\zeta \le 10^{150}$,
/// `kk` $= k/(1+k)$; there every
/// field is finite. For $m = c/(k\zeta) \ge 10^{100}$ (e.g. $\zeta$ subnormal or $k$ tiny, where the
/// direct forms overflow to `inf`/`NaN`), the closed forms are rewritten without $m$, using
/// $Q(m) = m^2 + 1 - 2m\sqrt{2/\pi}$ and $Q'(m) = 2(m - \sqrt{2/\pi})$ (exact in double precision
/// from $m = 40$ on). Below $10^{100}$ the direct forms are kept unchanged; note that their
/// $\partial_\zeta E$ cancels terms of size $c\,m$ and so loses about $\log_{10}m^2$ digits for
/// large $m$:
/// $\frac{k}{1+k}k\zeta^2 Q = \frac{c^2}{1+k} + \frac{k}{1+k}(k\zeta^2 - 2\sqrt{2/\pi}\,c\zeta)$,
/// $\partial_c E = \frac{k}{1+k}c + \frac{c}{1+k}$, $\partial_\zeta E = k\zeta$ and
/// $(1+k)^2\partial_k E = \tfrac12\zeta^2(1+k)^2$ (the terms in $c^2/k$ and $c^2/(k\zeta)$ cancel
/// exactly).
pub fn prox(c: f64, zeta: f64, k: f64, kk: f64) -> Prox {
    // c = 0 is m = 0 even when k zeta underflows to 0 (0/0).
    let m = if c == 0.0 { 0.0 } else { c / (k * zeta) };
    if m >= 1e100 && c.is_finite() && k > 0.0 && zeta > 0.0 {
        let s = SQRT_2_OVER_PI;
        let quad = zeta * zeta + 2.0 * s * c * zeta + c * c;
        // kk * k zeta^2 Q = c^2/(1+k) + kk (k zeta^2 - 2 s c zeta), without c^2/k (which
        // overflows for tiny k).
        let kk_kzq = c * c / (1.0 + k) + kk * (k * zeta * zeta - 2.0 * s * c * zeta);
        return Prox {
            value: 0.5 * kk * quad + 0.5 * kk_kzq,
            d_c: kk * c + c / (1.0 + k),
            d_zeta: k * zeta,
            d_k_times_1pk_sq: 0.5 * zeta * zeta * (1.0 + k) * (1.0 + k),
        };
    }
    let q = q_fn(m);
    let qp = q_prime(m);
    let quad = zeta * zeta + 2.0 * SQRT_2_OVER_PI * c * zeta + c * c;
    let value = kk * (0.5 * quad + 0.5 * k * zeta * zeta * q);
    let d_c = kk * (SQRT_2_OVER_PI * zeta + c + 0.5 * zeta * qp);
    let d_zeta = kk * (zeta + SQRT_2_OVER_PI * c + k * zeta * q - 0.5 * c * qp);
    // (1+k)^2 dE/dk = quad/2 + k(2+k) zeta^2 Q/2 - k(1+k) zeta^2 m Q'/2.
    let d_k_times_1pk_sq = 0.5 * quad + 0.5 * k * (2.0 + k) * zeta * zeta * q
        - 0.5 * k * (1.0 + k) * zeta * zeta * m * qp;
    Prox {
        value,
        d_c,
        d_zeta,
        d_k_times_1pk_sq,
    }
}

/// $\nu^\star(\kappa,k)$: the root of $h(\nu) = k\nu + \nu\,\mathrm{erf}(\nu/\sqrt2) + \sqrt{2/\pi}\,e^{-\nu^2/2} = \kappa$,
/// and $0$ when $\kappa \le \sqrt{2/\pi}$. $h$ is increasing and convex, so Newton's method started
/// at the upper bound $\min(\kappa/k, \max(1, \kappa/\mathrm{erf}(1/\sqrt2)))$ decreases monotonically
/// to the root. Returns the root and the number of iterations.
pub fn nu_star(kappa: f64, k: f64) -> Result<(f64, usize)> {
    if !(kappa.is_finite() && k.is_finite() && k >= 0.0) {
        return Err(Error::NonFinite {
            what: "nu* equation coefficients",
        });
    }
    if kappa <= SQRT_2_OVER_PI {
        return Ok((0.0, 0));
    }
    const ERF_1: f64 = 0.682_689_492_137_085_9;
    let mut nu = if k > 0.0 {
        (kappa / k).min((kappa / ERF_1).max(1.0))
    } else {
        (kappa / ERF_1).max(1.0)
    };
    for it in 1..=200 {
        let e = erf(nu / std::f64::consts::SQRT_2);
        let h = k * nu + nu * e + SQRT_2_OVER_PI * (-0.5 * nu * nu).exp() - kappa;
        let step = h / (k + e);
        let next = (nu - step).max(0.0);
        if !(next.is_finite()) {
            return Err(Error::NonFinite { what: "nu* Newton" });
        }
        // In exact arithmetic the iterates decrease monotonically; once they stop decreasing
        // the root is resolved to rounding.
        if next >= nu || (nu - next) <= 4.0 * f64::EPSILON * nu {
            return Ok((next.min(nu), it));
        }
        nu = next;
    }
    Err(Error::NotConverged {
        method: "nu* Newton",
        iterations: 200,
        residual: f64::NAN,
        tolerance: 4.0 * f64::EPSILON,
        last_iterate: vec![nu],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn stieltjes_matches_note_table() {
        // docs/adversarial.md#derivation-notes-reference-values (unit values).
        let z0 = 2.0 / PI - 1.0;
        for (psi1, s0, s1, s5) in [
            (0.5, -0.963058567630, -0.561552812809, -0.828427124746),
            (1.0, -1.232610283325, -0.618033988750, -1.0),
            (3.0, -1.967520164377, -0.767591879244, -1.457427107756),
            (10.0, -2.487380556174, -0.909901951359, -1.810468635615),
        ] {
            assert!((stieltjes(z0, psi1) - s0).abs() < 1e-11);
            assert!((stieltjes(-1.0, psi1) - s1).abs() < 1e-11);
            assert!((stieltjes(-0.5, psi1) - s5).abs() < 1e-11);
            let h = 1e-5;
            let fd = (stieltjes(z0 + h, psi1) - stieltjes(z0 - h, psi1)) / (2.0 * h);
            let s = stieltjes(z0, psi1);
            assert!((stieltjes_derivative(z0, psi1, s) - fd).abs() < 1e-8);
        }
    }

    #[test]
    fn q_series_joins_closed_form() {
        for m in [0.0999999, 0.1] {
            let m2 = m * m;
            let series = SQRT_2_OVER_PI
                * m
                * m2
                * (1.0 / 3.0 + m2 * (-1.0 / 60.0 + m2 * (1.0 / 840.0 - m2 / 12096.0)));
            let closed = (m * m + 1.0) * erf(m / std::f64::consts::SQRT_2)
                - 2.0 * m * SQRT_2_OVER_PI
                + m * SQRT_2_OVER_PI * (-0.5 * m * m).exp();
            assert!((series - closed).abs() < 1e-12 * series);
        }
        for m in [0.05, 0.3, 2.0] {
            let h = 1e-6;
            let fd = (q_fn(m + h) - q_fn(m - h)) / (2.0 * h);
            assert!((q_prime(m) - fd).abs() < 1e-8, "{m}");
        }
    }

    #[test]
    fn nu_star_matches_note_table() {
        for (kappa, k, want) in [
            (1.0, 0.5, 0.322139827660),
            (2.0, 0.1, 1.791677525576),
            (0.9, 2.0, 0.050548156173),
        ] {
            let (nu, _) = nu_star(kappa, k).unwrap();
            assert!((nu - want).abs() < 1e-11, "{nu} vs {want}");
        }
        assert_eq!(nu_star(0.5, 1.0).unwrap().0, 0.0);
    }
}
