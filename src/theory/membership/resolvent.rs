//! The Marchenko–Pastur resolvent scalars of isotropic ridge regression.
//!
//! Let $\mu$ follow the Marchenko–Pastur law of $U^\top U/n$ ($U$: $n\times p$ with i.i.d.
//! $\mathcal N(0,1)$ entries, $p/n \to \gamma$; an atom $(1 - 1/\gamma)_+$ at 0). With
//! $b = \gamma - 1 + \lambda$, $a = \gamma + 1 + \lambda$ and $r = \sqrt{b^2 + 4\lambda}$,
//!
//! $$S = \tfrac12(r - b), \qquad 1 - S = \frac{2\gamma}{a + r}, \qquad
//!   S' = \frac{dS}{d\lambda} = \frac{2\gamma}{r\,(a + r)},$$
//! $$T_1 = \mathbb E\frac{\mu}{\mu+\lambda} = \frac{1-S}{\gamma},\quad
//!   T_3 = \mathbb E\frac{\mu}{(\mu+\lambda)^2} = \frac{S'}{\gamma},\quad
//!   T_2 = \mathbb E\frac{\mu^2}{(\mu+\lambda)^2} = T_1 - \lambda T_3
//!   = \frac{2\,[(1-\gamma)^2 + 2\lambda(1+\gamma)]}{r\,(r+\lambda)\,(a+r)} .$$
//!
//! $S = 1/(1 + \gamma m(-\lambda))$, with $m$ the Stieltjes transform, is the limit of the
//! leave-one-out factor $1 - H_{ii}$ ($H$ the ridge hat matrix). Every expression above is a
//! ratio of positive terms (the cancelling forms $r - b$ and $T_1 - \lambda T_3$ are
//! rationalised), so they stay accurate as $\lambda \to 0$ with $\gamma > 1$ (where
//! $m(-\lambda)$ and $\lambda m'(-\lambda)$ both blow up like $1/\lambda$) and as
//! $\lambda \to \infty$. (Derivation: crate notes `membership_inference.md` §2.5, §3.2; the
//! scalars are those of Hastie, Montanari, Rosset, Tibshirani, *Surprises in high-dimensional
//! ridgeless least squares interpolation*, Ann. Statist. 50(2), 2022.)

/// Resolvent scalars at $(\gamma, \lambda)$; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RidgeScalars {
    /// $S = 1/(1 + \gamma m(-\lambda)) \in [0, 1]$, the limiting $1 - H_{ii}$.
    pub s: f64,
    /// $1 - S$ (computed without cancellation).
    pub one_minus_s: f64,
    /// $S' = dS/d\lambda$.
    pub s_prime: f64,
    /// $T_1 = \mathbb E[\mu/(\mu+\lambda)]$.
    pub t1: f64,
    /// $T_2 = \mathbb E[\mu^2/(\mu+\lambda)^2]$.
    pub t2: f64,
    /// $T_3 = \mathbb E[\mu/(\mu+\lambda)^2]$.
    pub t3: f64,
}

impl RidgeScalars {
    /// Evaluate at $\gamma > 0$, $\lambda \ge 0$, not both $\gamma = 1$ and $\lambda = 0$ (the
    /// caller validates; [`super::Membership::check`] does).
    pub(crate) fn new(gamma: f64, lambda: f64) -> Self {
        let b = gamma - 1.0 + lambda;
        let a = gamma + 1.0 + lambda;
        let r = b.hypot(2.0 * lambda.sqrt());
        let s = if b > 0.0 {
            2.0 * lambda / (r + b)
        } else {
            0.5 * (r - b)
        };
        let one_minus_s = 2.0 * gamma / (a + r);
        let t3 = 2.0 / (r * (a + r));
        let t2 = 2.0 * ((1.0 - gamma).powi(2) + 2.0 * lambda * (1.0 + gamma))
            / (r * (r + lambda) * (a + r));
        Self {
            s,
            one_minus_s,
            s_prime: gamma * t3,
            t1: one_minus_s / gamma,
            t2,
            t3,
        }
    }
}
