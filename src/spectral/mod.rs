//! Stieltjes transforms of limiting spectral distributions.
//!
//! - [`marchenko_pastur`]: the Marchenko–Pastur law in closed form (density, edges, atom,
//!   Stieltjes transform with a deliberate Herglotz branch, companion transform, resolvent
//!   moments on the negative axis). It is the crate's only implementation of these closed
//!   forms: ridge, membership inference and the adversarial models call it.
//! - [`herglotz`]: physical-root selection for algebraic Stieltjes equations by continuation
//!   from $z = iH$ (polynomial and fixed-point variants), and an Aberth–Ehrlich polynomial
//!   root finder.
//! - [`free`]: free additive and multiplicative convolution by subordination ([`FreeSum`],
//!   [`FreeProduct`]).
//! - [`population`]: discrete spectra ([`Atoms`]), covariance spectra with the target's signal
//!   shares ([`Population`], from arrays, CSV, isotropic or a power law), and the
//!   [`StieltjesTransform`] trait that the spectral engine takes measures through.
//! - [`measure`]: one type for spectral measures ([`Measure`]: atoms, power laws,
//!   Marchenko–Pastur, semicircle, uniform, user densities, mixtures; law specs such as
//!   `semicircle:2`), with transform, density, CDF, moments and support.
//! - [`sample_covariance`]: the generalised Marchenko–Pastur law of $X^\top X/n$ for any
//!   population spectrum ([`SampleCovariance`]: Silverstein's equation, its branch, density,
//!   atoms at 0 and the support intervals).

pub(crate) mod atom_sums;
pub mod free;
pub mod herglotz;
pub mod marchenko_pastur;
pub mod measure;
pub mod population;
pub mod sample_covariance;

pub use free::{
    DensityPoint, FreeOptions, FreeProduct, FreeSum, SubordinationPoint, SupportBounds, WithSupport,
};
#[allow(deprecated)]
pub use herglotz::ContinuationOptions;
pub use herglotz::{
    HerglotzOptions, HerglotzRoot, PolynomialRoots, herglotz_root, polynomial_roots,
};
pub use marchenko_pastur::{MarchenkoPastur, NegativeRealStieltjes, ResolventMoments};
pub use measure::{LAW_SPECS, Measure, density_by_inversion};
pub use population::{Atoms, Population, StieltjesTransform};
pub use sample_covariance::{SampleCovariance, SilversteinSolution};
