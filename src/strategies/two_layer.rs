//! Two-layer ReLU teacher–student networks: symmetric critical points and their Hessian spectra
//! (Safran & Shamir, ICML 2018; Arjevani & Field, NeurIPS 2020, arXiv:2008.01805, and NeurIPS
//! 2021, arXiv:2107.10370).
//!
//! # Ranges (measured)
//!
//! - [`family`]: `global`, `type-a`, `all-flipped`, `all-but-one-flipped` or `flipped-M` with
//!   $M \in \{2, 3, 4\}$.
//! - [`family_dimension`]: real $d$ log-uniform on $[d_{\rm lo}, 1000]$ with
//!   $d_{\rm lo} = 3 + (\text{size of the small class})$, i.e. 3, 4, 4, $M + 3$: the large class
//!   is then $\ge 3$, where every isotypic component is present and the multiplicities sum to
//!   $d^2$ also at fractional $d$ (for a class in $(2, 3)$ the $x_c$ block is omitted by design).
//!   1400 random [`critical_point`](crate::theory::two_layer::critical::critical_point) solves in
//!   these ranges all converged (slowest 10 ms), with full gradient $\le 7\cdot10^{-12}$; below
//!   them continuation can fail (e.g. `flipped-3` at $d = 4.54$).
//! - [`family_integer_dimension`]: integer $d \in [d_{\rm lo}, d_{\max}]$ (for dense comparisons).
//! - [`symmetric_point`]: an integer partition of $d \le d_{\max}$ into 1–3 classes and reduced
//!   parameters uniform on $[-1.5, 1.5]$: a generic (non-critical) point of a fixed-point space.
//!
//! The threshold dimensions $d^*$ of [`saddle_to_minimum`](crate::theory::two_layer::threshold::saddle_to_minimum)
//! are, for these families and $d \ge d_{\rm lo}$, the only change of stability: the family is a
//! minimum (Morse index 0) for $d > d^*$ and a saddle for $d_{\rm lo} \le d < d^*$ (scanned at
//! steps of 0.02 and checked at $d^* \pm 10^{-6}$).

use proptest::prelude::*;

use super::{ensure, log_uniform};
use crate::linalg::{Matrix, symmetric_eigenvalues};
use crate::theory::two_layer::critical::{CriticalPoint, Family};
use crate::theory::two_layer::kernel::Teacher;
use crate::theory::two_layer::spectrum::Spectrum;
use crate::theory::two_layer::symmetry::{Partition, PartitionParams};

/// One of the built-in families (flipped with $M \in \{2, 3, 4\}$).
pub fn family() -> impl Strategy<Value = Family> {
    prop_oneof![
        Just(Family::Global),
        Just(Family::TypeA),
        Just(Family::AllFlipped),
        Just(Family::AllButOneFlipped),
        (2usize..=4).prop_map(|m| Family::Flipped { m }),
    ]
}

/// The lowest dimension of the checked range of a family: $3 + $ the size of its small class.
pub fn lowest_dimension(family: Family) -> f64 {
    match family {
        Family::Global | Family::AllFlipped => 3.0,
        Family::TypeA | Family::AllButOneFlipped => 4.0,
        Family::Flipped { m } => m as f64 + 3.0,
    }
}

/// A real dimension $d$ log-uniform on $[d_{\rm lo}, 1000]$ for `family` (module docs).
pub fn family_dimension(family: Family) -> impl Strategy<Value = f64> {
    log_uniform(lowest_dimension(family), 1000.0)
}

/// An integer dimension in $[d_{\rm lo}, \max(d_{\rm lo}, d_{\max})]$ for `family`.
pub fn family_integer_dimension(family: Family, d_max: usize) -> impl Strategy<Value = usize> {
    let lo = lowest_dimension(family) as usize;
    lo..=d_max.max(lo)
}

/// A family together with a real dimension in its range.
pub fn family_point() -> impl Strategy<Value = (Family, f64)> {
    family().prop_flat_map(|f| (Just(f), family_dimension(f)))
}

/// A symmetric point: an integer partition of some $d \in [2, d_{\max}]$ into 1–3 classes and
/// reduced parameters (one per [`Partition::params`] entry) uniform on $[-1.5, 1.5]$.
pub fn symmetric_point(d_max: usize) -> impl Strategy<Value = (Partition, Vec<f64>)> {
    let d_max = d_max.max(2);
    (1usize..=3, 2..=d_max)
        .prop_flat_map(|(m, d)| prop::collection::vec(1usize..=d, m).prop_map(move |v| (v, d)))
        .prop_filter_map("sizes do not fit", |(raw, d)| {
            // Scale the raw sizes to sum to d, keeping every class >= 1.
            let m = raw.len().min(d);
            let total: usize = raw.iter().take(m).sum();
            let mut sizes: Vec<f64> = raw
                .iter()
                .take(m)
                .map(|&r| ((r * d) / total).max(1) as f64)
                .collect();
            let used: f64 = sizes.iter().sum();
            let last = sizes.last_mut()?;
            *last += d as f64 - used;
            if *last < 1.0 {
                return None;
            }
            PartitionParams { sizes }.check().ok()
        })
        .prop_flat_map(|p| {
            let n = p.params().len();
            (Just(p), prop::collection::vec(-1.5..=1.5f64, n))
        })
}

/// A critical point of the symmetry-reduced loss is a critical point of the full loss (principle
/// of symmetric criticality; Arjevani & Field 2021): the full gradient's block values
/// $G^{-1}\nabla_\xi F_{\rm red}$ are $\le$ `tol` $\cdot\max(1, d)$, the loss is $\ge 0$ and equals
/// $F_{\rm red}(\xi)$. At integer $d \le 40$ the gradient is also recomputed densely
/// ($\nabla F$ of the $d\times d$ matrix $W(\xi)$, Safran & Shamir 2018) and must be $\le$ `tol`
/// $\cdot\max(1, d)$.
pub fn check_critical_point(cp: &CriticalPoint, tol: f64) -> Result<(), String> {
    let part = &cp.partition;
    let d = part.dimension();
    let at = || format!("d = {d}, sizes {:?}, params {:?}", part.sizes(), cp.params);
    let bound = tol * d.max(1.0);
    let g = part
        .fix_gradient(&cp.params)
        .map_err(|e| format!("reduced gradient failed: {e} ({})", at()))?;
    let gmax = g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    ensure(gmax <= bound, || {
        format!("reduced gradient {gmax:.3e} <= {bound:.1e} ({})", at())
    })?;
    let loss = part
        .loss(&cp.params)
        .map_err(|e| format!("reduced loss failed: {e} ({})", at()))?;
    ensure(cp.loss >= 0.0 && cp.loss == loss, || {
        format!("loss {} >= 0 and = F_red = {loss} ({})", cp.loss, at())
    })?;
    if d.fract() == 0.0 && d <= 40.0 {
        let w = part
            .embed(&cp.params)
            .map_err(|e| format!("embedding failed: {e} ({})", at()))?;
        let grad = Teacher::identity(d as usize)
            .and_then(|t| t.gradient(&w))
            .map_err(|e| format!("dense gradient failed: {e} ({})", at()))?;
        let gmax = grad.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        ensure(gmax <= bound, || {
            format!("dense gradient {gmax:.3e} <= {bound:.1e} ({})", at())
        })?;
    }
    Ok(())
}

/// The multiplicities of the isotypic decomposition $M(d,d) = \bigoplus$ (Arjevani & Field 2020):
/// each is $\ge 0$, an integer when the class sizes are, and they sum to $dk = d^2$ (relative
/// slack `tol`) whenever no class size lies in $(1, 2) \cup (2, 3)$, where a formal
/// component is omitted by design (see
/// [`Component::all`](crate::theory::two_layer::spectrum::Component::all)).
pub fn check_spectrum_multiplicities(
    partition: &Partition,
    spectrum: &Spectrum,
    tol: f64,
) -> Result<(), String> {
    let sizes = partition.sizes();
    let d = partition.dimension();
    let integer = sizes.iter().all(|n| n.fract() == 0.0);
    for v in spectrum.values() {
        ensure(
            v.multiplicity >= 0.0 && (!integer || v.multiplicity.fract() == 0.0),
            || format!("multiplicity {v:?} >= 0 and integral at integer sizes {sizes:?}"),
        )?;
    }
    let omitted = sizes.iter().any(|&n| n > 1.0 && n < 3.0 && n != 2.0);
    if !omitted {
        let total = spectrum.total_multiplicity();
        ensure((total - d * d).abs() <= tol * d * d, || {
            format!(
                "multiplicities sum to d^2 = {}: {total} (sizes {sizes:?})",
                d * d
            )
        })?;
    }
    Ok(())
}

/// The Morse index against the threshold $d^*$ at which `family` turns from saddle into minimum
/// (Arjevani & Field 2021): index 0 for $d > d^*$, index $> 0$ for $d < d^*$ (`d_star = None`: a
/// minimum for every $d$, the global family). Valid for $d \ge$ [`lowest_dimension`] (module docs).
pub fn check_morse_index(
    family: Family,
    d: f64,
    spectrum: &Spectrum,
    d_star: Option<f64>,
) -> Result<(), String> {
    let index = spectrum.morse_index();
    let minimum = d_star.is_none_or(|ds| d > ds);
    ensure((index == 0.0) == minimum, || {
        format!(
            "{family} at d = {d}: Morse index {index} but d* = {d_star:?} (smallest eigenvalue {})",
            spectrum.min_value()
        )
    })
}

/// The isotypic block spectrum equals the spectrum of the dense $d^2\times d^2$ Hessian at the
/// integer point $W(\xi)$ (Arjevani & Field 2020): every block eigenvalue, repeated by its
/// multiplicity, matches the sorted dense eigenvalues to `tol` $\cdot\max(1, \max|\lambda|)$.
/// Holds at any symmetric point (critical or not) without a zero neuron.
pub fn check_block_vs_dense(
    partition: &Partition,
    xi: &[f64],
    spectrum: &Spectrum,
    tol: f64,
) -> Result<(), String> {
    let d = partition.dimension();
    let at = || format!("sizes {:?}, params {xi:?}", partition.sizes());
    if d.fract() != 0.0 || d > 40.0 {
        return Err(format!(
            "dense comparison needs an integer d <= 40 ({})",
            at()
        ));
    }
    let d = d as usize;
    let w = partition
        .embed(xi)
        .map_err(|e| format!("embedding failed: {e} ({})", at()))?;
    let h = Teacher::identity(d)
        .and_then(|t| t.hessian(&w))
        .map_err(|e| format!("dense Hessian failed: {e} ({})", at()))?;
    let n = d * d;
    let dense = symmetric_eigenvalues(&Matrix::from_fn(n, n, |i, j| h[i * n + j]))
        .map_err(|e| format!("dense eigenvalues failed: {e} ({})", at()))?;
    let mut block = Vec::with_capacity(n);
    for v in spectrum.values() {
        if v.multiplicity.fract() != 0.0 || v.multiplicity < 0.0 {
            return Err(format!("non-integer multiplicity {v:?} ({})", at()));
        }
        block.extend(std::iter::repeat_n(v.value, v.multiplicity as usize));
    }
    block.sort_by(f64::total_cmp);
    ensure(block.len() == dense.len(), || {
        format!(
            "block multiplicities sum to {} = d^2 = {} ({})",
            block.len(),
            dense.len(),
            at()
        )
    })?;
    let scale = dense.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    let worst = block
        .iter()
        .zip(&dense)
        .fold(0.0f64, |m, (b, e)| m.max((b - e).abs()));
    ensure(worst <= tol * scale, || {
        format!(
            "block spectrum = dense spectrum: max difference {worst:.3e} > {:.1e} ({})",
            tol * scale,
            at()
        )
    })
}
