//! # overparam
//!
//! Exact proportional-limit (high-dimensional) asymptotics of overparameterized models, each
//! cross-validated against finite-size simulation.
//!
//! In the proportional limit the sample size $n$, the input dimension $d$ and the number of
//! parameters $N$ grow together with fixed ratios ($\psi_1 = N/d$, $\psi_2 = n/d$, or
//! $\gamma = p/n$ for linear models). Test and training errors then concentrate on deterministic
//! limits that are solutions of scalar fixed-point equations; this crate computes those limits in
//! microseconds and simulates the finite-size models they describe.
//!
//! Modules:
//! - [`theory::ridge`]: linear ridge and min-norm regression (Hastie, Montanari, Rosset,
//!   Tibshirani 2022).
//! - [`theory::random_features`]: random-features ridge regression (Mei & Montanari 2022).
//! - [`theory::adversarial`]: adversarially trained random features and the linear model
//!   (Hassani & Javanmard 2022).
//! - [`theory::membership`]: membership inference against ridge / min-norm regression (Tan,
//!   Mason, Javadi, Baraniuk 2022).
//! - [`theory::two_layer`]: symmetric critical points of two-layer ReLU networks and their
//!   Hessian spectra (Arjevani & Field 2020/2021).
//! - [`solver`]: the model-agnostic numerical engine (Brent, damped Picard, Anderson, Newton,
//!   continuation).
//! - [`spectral`]: Stieltjes transforms (Marchenko–Pastur) and Herglotz branch selection.
//! - [`gaussian`]: Gaussian expectations (activation coefficients, normal tails).
//! - [`linalg`]: the one dense linear-algebra module (pure-Rust `faer`), used by solver, theory
//!   and simulation alike.
//! - [`sim`]: finite-size Monte Carlo of every model.
//! - [`experiment`]: the theory-versus-simulation join, one shape for every model.
//! - [`compare`]: theory versus simulation (z-scores, finite-size allowance, size sweeps).
//! - `plot` (feature `plot`, on by default): SVG charts of theory (lines) versus simulation
//!   (points with error bars).
//!
//! Features: `cli` (default; the `overparam` binary: clap, serde_json, progress bars, `--plot`),
//! `plot` (default; plotters), `progress` (indicatif progress bars of long simulations; no-ops
//! without it), `proptest` (the `strategies` module). With `default-features = false` the crate
//! depends only on the mathematics (faer, rand, rayon and a few numerical crates).
//! - [`grid`]: log-spaced and evenly spaced parameter grids for sweeps.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compare;
pub mod error;
pub mod experiment;
pub mod gaussian;
pub mod grid;
pub mod linalg;
#[cfg(feature = "plot")]
pub mod plot;
pub mod sim;
pub mod solver;
pub mod spectral;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod theory;

pub use error::{Error, Result};

/// The README's Rust example runs as a doctest, so the front page cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
