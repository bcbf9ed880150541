//! Hessian spectra at symmetric points from isotypic blocks, as analytic functions of real $d$.
//!
//! At a point $W$ with isotropy $\Delta(S_{n_1}\times\cdots\times S_{n_m})$ the Hessian commutes with
//! the isotropy, so $M(d,d)=\mathbb R^d\otimes\mathbb R^d$ splits into isotypic components
//! (Arjevani & Field, *Analytic characterization of the Hessian in shallow ReLU models*,
//! arXiv 2008.01805). Writing $\mathbb R^d=\bigoplus_c(t+s_c)$ with $s_c$ the standard representation
//! of $S_{n_c}$, the irreducible constituents are: the trivial $t$; $s_c$ (dimension $n_c-1$);
//! $x_c=\wedge^2s_c$ (dimension $(n_c-1)(n_c-2)/2$); $y_c=(n_c-2,2)$ (dimension $n_c(n_c-3)/2$); and
//! $s_c\otimes s_r$ (dimension $(n_c-1)(n_r-1)$).
//!
//! Each isotypic block is obtained without character tables and without forming the $d^2\times d^2$
//! matrix: split one or two points off a class, embed the coarser fixed spaces into the finer one,
//! and restrict $G^{-1/2}\nabla^2F_{\rm red}G^{-1/2}$ to the $G$-orthogonal complement of the
//! embeddings (for $x_c$ / $y_c$: its antisymmetric / symmetric part under swapping the two split
//! points). Every step is analytic in the class sizes, so $d$ may be fractional. The finer fixed
//! spaces have at most $(m+2)^2+m+2$ parameters; the cost is independent of $d$.

use crate::linalg::{dot, small_symmetric_eigenvalues};
use std::fmt;

use super::symmetry::{MAX_DIMENSION, Param, Partition};
use crate::error::{Error, Result};

/// An isotypic component of $M(d,d)$ under $\Delta(S_{n_1}\times\cdots\times S_{n_m})$.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Component {
    /// The trivial representation (the fixed space itself).
    Trivial,
    /// $s_c$, the standard representation of class $c$.
    Standard(usize),
    /// $x_c=\wedge^2 s_c$, the $(n_c-2,1,1)$ representation.
    Exterior(usize),
    /// $y_c$, the $(n_c-2,2)$ representation.
    Young(usize),
    /// $s_c\otimes s_r$ for two classes $c<r$.
    Product(usize, usize),
}

impl Component {
    /// The dimension of the irreducible representation (the eigenvalue multiplicity), a polynomial
    /// in the real class sizes. A component that names a class not in `sizes` is absent:
    /// multiplicity 0. (Finite for the sizes of a checked [`Partition`], $d\le10^7$.)
    pub fn multiplicity(&self, sizes: &[f64]) -> f64 {
        let n = |c: usize| sizes.get(c).copied();
        let value = match *self {
            Component::Trivial => Some(1.0),
            Component::Standard(c) => n(c).map(|a| a - 1.0),
            Component::Exterior(c) => n(c).map(|a| (a - 1.0) * (a - 2.0) / 2.0),
            Component::Young(c) => n(c).map(|a| a * (a - 3.0) / 2.0),
            Component::Product(c, r) => n(c).zip(n(r)).map(|(a, b)| (a - 1.0) * (b - 1.0)),
        };
        value.unwrap_or(0.0)
    }

    /// The components whose blocks are computed for the given class sizes: $s_c$ for $n_c\ge2$,
    /// $x_c$ for $n_c\ge3$, $y_c$ for $n_c>3$, $s_c\otimes s_r$ for $n_c,n_r\ge2$. (For a real
    /// $n_c\in(2,3)$ the formal dimension of $x_c$ is positive but its block needs a split off two
    /// points, which leaves a class smaller than one; it is omitted.)
    pub fn all(sizes: &[f64]) -> Vec<Component> {
        let m = sizes.len();
        let mut out = vec![Component::Trivial];
        for c in 0..m {
            out.push(Component::Standard(c));
            out.push(Component::Exterior(c));
            out.push(Component::Young(c));
        }
        for c in 0..m {
            for r in (c + 1)..m {
                out.push(Component::Product(c, r));
            }
        }
        out.retain(|comp| match *comp {
            Component::Trivial => true,
            Component::Standard(c) => sizes[c] >= 2.0,
            Component::Exterior(c) => sizes[c] >= 3.0,
            Component::Young(c) => sizes[c] > 3.0,
            Component::Product(c, r) => sizes[c] >= 2.0 && sizes[r] >= 2.0,
        });
        out
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Component::Trivial => write!(f, "trivial"),
            Component::Standard(c) => write!(f, "standard[{c}]"),
            Component::Exterior(c) => write!(f, "x[{c}]"),
            Component::Young(c) => write!(f, "y[{c}]"),
            Component::Product(c, r) => write!(f, "standard[{c}]*standard[{r}]"),
        }
    }
}

/// One eigenvalue of the full Hessian with its isotypic component and multiplicity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralValue {
    /// The eigenvalue.
    pub value: f64,
    /// Its multiplicity in the full $dk\times dk$ Hessian (a polynomial in $d$; an integer at integer $d$).
    pub multiplicity: f64,
    /// The isotypic component it belongs to.
    pub component: Component,
}

/// The Hessian spectrum at a symmetric point, one entry per (component, block eigenvalue).
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    values: Vec<SpectralValue>,
}

impl Spectrum {
    /// All eigenvalues, sorted by value.
    pub fn values(&self) -> &[SpectralValue] {
        &self.values
    }

    /// The smallest eigenvalue. (The spectra of this module always hold the trivial block, so
    /// they are never empty; an empty spectrum would give NaN.)
    pub fn min_value(&self) -> f64 {
        self.values.first().map_or(f64::NAN, |v| v.value)
    }

    /// The Morse index: the total multiplicity of the eigenvalues below
    /// $-10^{-12}\max|\lambda|$ (a real number at fractional $d$).
    pub fn morse_index(&self) -> f64 {
        let scale = self.values.iter().fold(0.0f64, |m, v| m.max(v.value.abs()));
        self.values
            .iter()
            .filter(|v| v.value < -1e-12 * scale)
            .fold(0.0, |acc, v| acc + v.multiplicity)
    }

    /// Total multiplicity (equals $d^2$ at integer sizes; used as a consistency check).
    pub fn total_multiplicity(&self) -> f64 {
        self.values.iter().map(|v| v.multiplicity).sum()
    }

    /// Distinct eigenvalues: values within `rel_tol` (relative to $\max(|\lambda|,|\mu|)$) are merged
    /// and their multiplicities added. Returns (value, multiplicity) pairs, sorted.
    pub fn distinct(&self, rel_tol: f64) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for v in &self.values {
            match out.last_mut() {
                Some((x, m)) if (v.value - *x).abs() <= rel_tol * v.value.abs().max(x.abs()) => {
                    *m += v.multiplicity;
                }
                _ => out.push((v.value, v.multiplicity)),
            }
        }
        out
    }

    /// The component containing the smallest eigenvalue.
    pub fn min_component(&self) -> Option<Component> {
        self.values.first().map(|v| v.component)
    }
}

/// The Hessian spectrum at the global minimum $W=V=I_d$ in closed form (real $d\ge4$):
/// $$\lambda_x=\tfrac14-\tfrac1{2\pi},\quad\lambda_y=\tfrac14+\tfrac1{2\pi},\quad
/// \lambda_{s,0}=\tfrac14-\tfrac1{2\pi},\quad
/// \lambda_{s\pm}=\frac{\pi(d+2)\pm\sqrt{\pi^2d^2-16\pi+16}}{8\pi},\quad
/// \lambda_{t\pm}=\frac{(\pi+2)d+2\pi\pm\sqrt{(\pi-2)^2d^2+16(\pi-1)(d-1)}}{8\pi},$$
/// with multiplicities $(d-1)(d-2)/2$, $d(d-3)/2$, $d-1$ (each standard value) and 1. Obtained from
/// $HX=\frac14(X+\mathbf 1\mathbf 1^\top X)+\frac1{2\pi}PX$ with
/// $(PX)_{ia}=\delta_{ia}(\operatorname{tr}X-X_{ii})+(1-\delta_{ia})X_{ai}$ (Arjevani & Field,
/// arXiv 2008.01805, derived independently in the crate's math notes).
///
/// Domain: $4\le d\le10^7$ ([`MAX_DIMENSION`], the crate's largest dimension; $d^2$ in the
/// roots and multiplicities overflows near $d=10^{154}$, and at $d=10^{308}$ gave infinite
/// eigenvalues). Outside it: [`Error::InvalidParameter`] naming `d`.
pub fn global_minimum(d: f64) -> Result<Spectrum> {
    if !(d.is_finite() && (4.0..=MAX_DIMENSION).contains(&d)) {
        return Err(Error::InvalidParameter {
            name: "d",
            value: d,
            expected: "a finite dimension in [4, 1e7]",
        });
    }
    use std::f64::consts::PI;
    let root_s = (PI * PI * d * d - 16.0 * PI + 16.0).sqrt();
    let root_t = ((PI - 2.0).powi(2) * d * d + 16.0 * (PI - 1.0) * (d - 1.0)).sqrt();
    let low = 0.25 - 0.5 / PI;
    let sv = |value: f64, component: Component| SpectralValue {
        value,
        multiplicity: component.multiplicity(&[d]),
        component,
    };
    let mut values = vec![
        sv(low, Component::Exterior(0)),
        sv(0.25 + 0.5 / PI, Component::Young(0)),
        sv(low, Component::Standard(0)),
        sv(
            (PI * (d + 2.0) - root_s) / (8.0 * PI),
            Component::Standard(0),
        ),
        sv(
            (PI * (d + 2.0) + root_s) / (8.0 * PI),
            Component::Standard(0),
        ),
        sv(
            ((PI + 2.0) * d + 2.0 * PI - root_t) / (8.0 * PI),
            Component::Trivial,
        ),
        sv(
            ((PI + 2.0) * d + 2.0 * PI + root_t) / (8.0 * PI),
            Component::Trivial,
        ),
    ];
    values.sort_by(|a, b| a.value.total_cmp(&b.value));
    Ok(Spectrum { values })
}

/// The Hessian spectrum of $F$ at the symmetric point $W(\xi)$ of `partition` ($V=I_d$, $k=d$),
/// from the isotypic blocks of every component (see the module docs).
///
/// Domain: a checked partition ($d\le10^7$, at most 64 classes) and finite reduced parameters of
/// the right length with no zero neuron. Errors: [`Error::DimensionMismatch`] for a wrong length,
/// [`Error::InvalidParameter`] naming `params` for a non-finite entry or a zero neuron,
/// [`Error::NonFinite`] if the Hessian overflows (huge parameters). Every returned eigenvalue and
/// multiplicity is finite.
pub fn block_spectrum(partition: &Partition, xi: &[f64]) -> Result<Spectrum> {
    let mut values = Vec::new();
    let comps = Component::all(partition.sizes());
    let mut push = |comp: Component, block: Vec<f64>| {
        let mult = comp.multiplicity(partition.sizes());
        for value in block {
            values.push(SpectralValue {
                value,
                multiplicity: mult,
                component: comp,
            });
        }
    };
    for &comp in &comps {
        match comp {
            // x_c and y_c share their split partitions and fine Hessian: computed together (the
            // same arithmetic as two calls of `component_eigenvalues`).
            Component::Exterior(c) if comps.contains(&Component::Young(c)) => {
                let mut both = swap_blocks(partition, xi, c, &[-1.0, 1.0])?.into_iter();
                push(comp, both.next().unwrap_or_default());
                push(Component::Young(c), both.next().unwrap_or_default());
            }
            Component::Young(c) if comps.contains(&Component::Exterior(c)) => {}
            _ => push(comp, component_eigenvalues(partition, xi, comp)?),
        }
    }
    values.sort_by(|a, b| a.value.total_cmp(&b.value));
    Ok(Spectrum { values })
}

/// The eigenvalues (sorted, each counted once) of the Hessian block of one isotypic component.
///
/// Domain: as [`block_spectrum`], and a component carried by the partition (see
/// [`Component::all`]); otherwise [`Error::InvalidParameter`] naming `class` (no such class, or
/// the same class twice) or `sizes` (a class too small for the component).
pub fn component_eigenvalues(
    partition: &Partition,
    xi: &[f64],
    comp: Component,
) -> Result<Vec<f64>> {
    let sizes = partition.sizes();
    let m = sizes.len();
    let check_class = |c: usize| -> Result<()> {
        if c >= m {
            return Err(Error::InvalidParameter {
                name: "class",
                value: c as f64,
                expected: "an existing class index",
            });
        }
        Ok(())
    };
    match comp {
        Component::Trivial => {
            let h = partition.hessian(xi)?;
            let g = partition.metric();
            let p = g.len();
            let full: Vec<Vec<f64>> = (0..p)
                .map(|a| (0..p).map(|b| if a == b { 1.0 } else { 0.0 }).collect())
                .collect();
            restricted_eigenvalues(&h, &g, &full)
        }
        Component::Standard(c) => {
            check_class(c)?;
            require_size(sizes[c], 2.0)?;
            let fine = partition.split(c, &[1.0])?;
            let parent: Vec<usize> = (0..m).chain([c]).collect();
            let j = fine.embedding_from(partition, &parent)?;
            let fine_xi = apply(&j, partition.params().len(), xi);
            let basis = complement(&fine.metric(), &[(&j, partition.params().len())])?;
            restricted_eigenvalues(&fine.hessian(&fine_xi)?, &fine.metric(), &basis)
        }
        Component::Exterior(c) | Component::Young(c) => {
            check_class(c)?;
            require_size(sizes[c], 3.0)?;
            let sign = if matches!(comp, Component::Exterior(_)) {
                -1.0
            } else {
                1.0
            };
            let mut blocks = swap_blocks(partition, xi, c, &[sign])?;
            Ok(blocks.pop().unwrap_or_default())
        }
        Component::Product(c, r) => {
            check_class(c)?;
            check_class(r)?;
            if c == r {
                return Err(Error::InvalidParameter {
                    name: "class",
                    value: c as f64,
                    expected: "two different classes",
                });
            }
            require_size(sizes[c], 2.0)?;
            require_size(sizes[r], 2.0)?;
            // Fine: c -> n_c - 1 plus alpha = m; r -> n_r - 1 plus beta = m + 1.
            let fine = partition.split(c, &[1.0])?.split(r, &[1.0])?;
            let coarse_parent: Vec<usize> = (0..m).chain([c, r]).collect();
            let j0 = fine.embedding_from(partition, &coarse_parent)?;
            let fine_xi = apply(&j0, partition.params().len(), xi);
            let only_r = partition.split(r, &[1.0])?; // beta is its class m
            let only_c = partition.split(c, &[1.0])?; // alpha is its class m
            let p1: Vec<usize> = (0..m).chain([c, m]).collect();
            let p2: Vec<usize> = (0..m).chain([m, r]).collect();
            let j1 = fine.embedding_from(&only_r, &p1)?;
            let j2 = fine.embedding_from(&only_c, &p2)?;
            let metric = fine.metric();
            let basis = complement(
                &metric,
                &[(&j1, only_r.params().len()), (&j2, only_c.params().len())],
            )?;
            restricted_eigenvalues(&fine.hessian(&fine_xi)?, &metric, &basis)
        }
    }
}

/// The $x_c$ (`sign` $=-1$) and/or $y_c$ (`sign` $=+1$) blocks of class `c` (size $\ge3$), sharing
/// the split partitions, the complement basis and the fine Hessian; one eigenvalue list per sign.
fn swap_blocks(
    partition: &Partition,
    xi: &[f64],
    c: usize,
    signs: &[f64],
) -> Result<Vec<Vec<f64>>> {
    let m = partition.sizes().len();
    // Fine: c -> (n-2), alpha = m, beta = m + 1.
    let fine = partition.split(c, &[1.0, 1.0])?;
    let mid = partition.split(c, &[1.0])?;
    let coarse_parent: Vec<usize> = (0..m).chain([c, c]).collect();
    let j0 = fine.embedding_from(partition, &coarse_parent)?;
    let fine_xi = apply(&j0, partition.params().len(), xi);
    // alpha merged back (beta is mid's singleton), and beta merged back.
    let pa: Vec<usize> = (0..m).chain([c, m]).collect();
    let pb: Vec<usize> = (0..m).chain([m, c]).collect();
    let ja = fine.embedding_from(&mid, &pa)?;
    let jb = fine.embedding_from(&mid, &pb)?;
    let pm = mid.params().len();
    let metric = fine.metric();
    let basis = complement(&metric, &[(&ja, pm), (&jb, pm)])?;
    // Swap alpha <-> beta on the fine parameters.
    let swap_class = |k: usize| {
        if k == m {
            m + 1
        } else if k == m + 1 {
            m
        } else {
            k
        }
    };
    let perm: Vec<usize> = fine
        .params()
        .iter()
        .map(|&p| {
            let q = match p {
                Param::Diag(k) => Param::Diag(swap_class(k)),
                Param::Off(k) => Param::Off(swap_class(k)),
                Param::Cross(k, l) => Param::Cross(swap_class(k), swap_class(l)),
            };
            fine.index_of(q).unwrap_or(usize::MAX)
        })
        .collect();
    if perm.contains(&usize::MAX) {
        return Err(Error::LinearAlgebra {
            what: "swap of split points is not a permutation of parameters".into(),
        });
    }
    let hessian = fine.hessian(&fine_xi)?;
    signs
        .iter()
        .map(|&sign| {
            // Project the complement basis (orthonormal in u = G^{1/2} xi coordinates) onto the
            // +-1 eigenspace of the swap: (u + sign * S u) / 2, then re-orthonormalise.
            let projected: Vec<Vec<f64>> = basis
                .iter()
                .map(|u| {
                    (0..u.len())
                        .map(|i| 0.5 * (u[i] + sign * u[perm[i]]))
                        .collect()
                })
                .collect();
            let sub = orthonormalize(&projected, 1e-8, 1e-8);
            restricted_eigenvalues(&hessian, &metric, &sub)
        })
        .collect()
}

fn require_size(n: f64, min: f64) -> Result<()> {
    if n < min {
        return Err(Error::InvalidParameter {
            name: "sizes",
            value: n,
            expected: "a class large enough to carry this component",
        });
    }
    Ok(())
}

/// $J\xi$ for a row-major $J$ with `cols` columns.
fn apply(j: &[f64], cols: usize, xi: &[f64]) -> Vec<f64> {
    j.chunks(cols)
        .map(|row| row.iter().zip(xi).map(|(a, b)| a * b).sum())
        .collect()
}

/// Modified Gram–Schmidt (twice) keeping vectors of norm above `min_norm` whose relative residual
/// norm exceeds `tol`.
fn orthonormalize(vectors: &[Vec<f64>], tol: f64, min_norm: f64) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for v in vectors {
        let n0 = dot(v, v).sqrt();
        if n0 <= min_norm {
            continue;
        }
        let mut u: Vec<f64> = v.iter().map(|x| x / n0).collect();
        for _ in 0..2 {
            for q in &out {
                let p = dot(&u, q);
                u.iter_mut().zip(q).for_each(|(a, b)| *a -= p * b);
            }
        }
        let n = dot(&u, &u).sqrt();
        if n > tol {
            u.iter_mut().for_each(|a| *a /= n);
            out.push(u);
        }
    }
    out
}

/// An orthonormal basis (in $u=G^{1/2}\xi$ coordinates) of the $G$-orthogonal complement of the
/// column spans of the given embeddings (row-major matrices with the given column counts).
fn complement(metric: &[f64], embeddings: &[(&Vec<f64>, usize)]) -> Result<Vec<Vec<f64>>> {
    let p = metric.len();
    let sq: Vec<f64> = metric.iter().map(|g| g.sqrt()).collect();
    let mut span_vectors = Vec::new();
    for (j, cols) in embeddings {
        for b in 0..*cols {
            span_vectors.push(
                (0..p)
                    .map(|a| sq[a] * j[a * cols + b])
                    .collect::<Vec<f64>>(),
            );
        }
    }
    let span = orthonormalize(&span_vectors, 1e-8, 0.0);
    let mut all = span.clone();
    let unit: Vec<Vec<f64>> = (0..p)
        .map(|i| (0..p).map(|k| if k == i { 1.0 } else { 0.0 }).collect())
        .collect();
    all.extend(unit);
    let full = orthonormalize(&all, 1e-8, 0.0);
    if full.len() != p {
        return Err(Error::LinearAlgebra {
            what: format!("complement basis has rank {} instead of {p}", full.len()),
        });
    }
    Ok(full[span.len()..].to_vec())
}

/// Eigenvalues of $Q^\top G^{-1/2}HG^{-1/2}Q$ for an orthonormal basis $Q$ (in $u$ coordinates).
fn restricted_eigenvalues(h: &[f64], metric: &[f64], basis: &[Vec<f64>]) -> Result<Vec<f64>> {
    let p = metric.len();
    let inv_sq: Vec<f64> = metric.iter().map(|g| 1.0 / g.sqrt()).collect();
    let r = basis.len();
    // z_k = G^{-1/2} q_k in parameter coordinates.
    let z: Vec<Vec<f64>> = basis
        .iter()
        .map(|q| q.iter().zip(&inv_sq).map(|(a, b)| a * b).collect())
        .collect();
    let hz: Vec<Vec<f64>> = z
        .iter()
        .map(|zk| {
            (0..p)
                .map(|a| (0..p).map(|b| h[a * p + b] * zk[b]).sum())
                .collect()
        })
        .collect();
    if r == 0 {
        return Ok(Vec::new());
    }
    let mut m = vec![0.0; r * r];
    for k in 0..r {
        for l in 0..r {
            m[k * r + l] = dot(&z[k], &hz[l]);
        }
    }
    small_symmetric_eigenvalues(r, &m).map_err(|e| match e {
        Error::NonFinite { .. } => Error::NonFinite {
            what: "block eigenvalues",
        },
        other => other,
    })
}
