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
//! - [`census`]: gradient descent from random initialisation, isotropy identification, polishing.

pub mod census;
pub mod critical;
pub mod kernel;
pub mod spectrum;
pub mod symmetry;
pub mod threshold;
