//! Two-layer ReLU teacher–student networks: closed-form loss, gradient and Hessian, symmetric
//! critical points, and Hessian spectra from isotypic blocks.
//!
//! Model (Safran & Shamir, ICML 2018; Arjevani & Field, NeurIPS 2020/2021): student
//! $f(x;W)=\sum_{i=1}^k\max(0,w_i^\top x)$ with $W\in\mathbb R^{k\times d}$ (rows are neurons), teacher
//! $V$ (default $V=I_d$, $k=d$), $x\sim\mathcal N(0,I_d)$, loss $F(W)=\frac12\mathbb E(f(x;W)-f(x;V))^2$.
//!
//! - [`kernel`]: $F$, $\nabla F$, $\nabla^2F$ for any $W$, $V$ (arc-cosine kernel).
//! - [`symmetry`]: fixed-point spaces of $\Delta(S_{n_1}\times\cdots\times S_{n_m})$ and the reduced
//!   loss with real class sizes.
//! - [`critical`]: reduced Newton, built-in families and continuation in $d$.
//! - [`spectrum`]: eigenvalues with multiplicities from isotypic blocks, as analytic functions of $d$.
//! - [`threshold`]: the fractional dimension $d^*$ at which a family turns from saddle into minimum.
//! - [`track`]: pseudo-arclength branch tracking in $d$ with fold, branch-point and
//!   symmetry-breaking detection.
//! - [`census`]: gradient descent from random initialisation, isotropy identification, polishing.
//!
//! ```
//! use overparam::theory::two_layer::critical::{Family, critical_point};
//! use overparam::theory::two_layer::spectrum::block_spectrum;
//!
//! // The Safran–Shamir (type A) spurious minimum at d = 20 and its 12 distinct eigenvalues.
//! let cp = critical_point(Family::TypeA, 20.0)?;
//! assert!((cp.loss - 0.01127558194758).abs() < 1e-12);
//! let spec = block_spectrum(&cp.partition, &cp.params)?;
//! assert_eq!(spec.distinct(1e-8).len(), 12);
//! assert_eq!(spec.morse_index(), 0.0);
//! # Ok::<(), overparam::Error>(())
//! ```

pub mod branches;
pub mod census; // moved to sim::two_layer_census (re-exported here)
pub mod critical;
pub mod kernel;
pub mod spectrum;
pub mod symmetry;
pub mod threshold;
pub mod track;
