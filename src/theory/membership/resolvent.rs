//! The Marchenko–Pastur resolvent scalars of isotropic ridge regression.
//!
//! Let $\mu$ follow the Marchenko–Pastur law of $U^\top U/n$ ($U$: $n\times p$ with i.i.d.
//! $\mathcal N(0,1)$ entries, $p/n \to \gamma$; an atom $(1 - 1/\gamma)_+$ at 0) and $m$ its
//! Stieltjes transform. The membership formulas use
//!
//! $$S = \frac{1}{1 + \gamma m(-\lambda)},\qquad S' = \frac{dS}{d\lambda},\qquad
//!   T_1 = \mathbb E\frac{\mu}{\mu+\lambda},\quad
//!   T_2 = \mathbb E\frac{\mu^2}{(\mu+\lambda)^2},\quad
//!   T_3 = \mathbb E\frac{\mu}{(\mu+\lambda)^2},$$
//!
//! where $S$ is the limit of the leave-one-out factor $1 - H_{ii}$ ($H$ the ridge hat matrix).
//! They are computed, in cancellation-free closed form, by the crate's one implementation of the
//! Marchenko–Pastur transform, [`MarchenkoPastur::resolvent_moments`](crate::spectral::MarchenkoPastur::resolvent_moments)
//! (formulas there); [`RidgeScalars`] is that function's result type. (The scalars are those of
//! Hastie, Montanari, Rosset & Tibshirani, *Surprises in high-dimensional ridgeless least squares
//! interpolation*, Ann. Statist. 50(2), 2022, arXiv:1903.08560; how they enter the attacks is
//! derived in docs/membership.md#derivation-notes-random-matrix-scalars and
//! #derivation-notes-output-attack-with-ridge.)

use crate::spectral::marchenko_pastur::resolvent_moments;

/// Resolvent scalars at $(\gamma, \lambda)$: $S$, $1 - S$, $S'$, $T_1$, $T_2$, $T_3$ (see the module
/// docs and [`crate::spectral::ResolventMoments`], of which this is an alias).
pub type RidgeScalars = crate::spectral::ResolventMoments;

/// Evaluate at $\gamma > 0$, $\lambda \ge 0$, not both $\gamma = 1$ and $\lambda = 0$ (the caller
/// validates; [`super::Membership::check`] does).
pub(crate) fn ridge_scalars(gamma: f64, lambda: f64) -> RidgeScalars {
    resolvent_moments(gamma, lambda)
}
