//! Closed-form population loss, gradient and Hessian of a two-layer ReLU teacher–student network.
//!
//! Student $f(x;W)=\sum_{i=1}^k\phi(w_i^\top x)$ with $\phi(z)=\max(0,z)$, $W\in\mathbb R^{k\times d}$
//! (**rows are neurons**), teacher $f(x;V)$ with $V\in\mathbb R^{k'\times d}$, input
//! $x\sim\mathcal N(0,I_d)$ and loss
//! $$F(W)=\tfrac12\,\mathbb E_x\big[(f(x;W)-f(x;V))^2\big]
//! =\tfrac12\sum_{i,j}\kappa(w_i,w_j)-\sum_{i,j}\kappa(w_i,v_j)+\tfrac12\sum_{i,j}\kappa(v_i,v_j),$$
//! where $\kappa$ is the arc-cosine kernel of degree one (Cho & Saul 2009),
//! $$\kappa(u,v)=\mathbb E[\phi(u^\top x)\phi(v^\top x)]=\frac{|u||v|}{2\pi}\big(\sin\theta+(\pi-\theta)\cos\theta\big).$$
//! Gradient and Hessian blocks follow Safran & Shamir (ICML 2018) and Arjevani & Field
//! (NeurIPS 2020, arXiv 2008.01805):
//! $$\nabla_{w_i}F=\tfrac12w_i+\sum_{j\ne i}g(w_i,w_j)-\sum_jg(w_i,v_j),\quad
//! g(w,v)=\tfrac1{2\pi}\big(|v|\sin\theta\,\bar w+(\pi-\theta)v\big),$$
//! $$H_{ii}=\tfrac12I+\sum_{j\ne i}h_1(w_i,w_j)-\sum_jh_1(w_i,v_j),\qquad H_{ij}=h_2(w_i,w_j)\ (i\ne j),$$
//! with $h_1(w,v)=\frac{|v|}{2\pi|w|}\big(\sin\theta\,(I-\bar w\bar w^\top)+rr^\top/\sin\theta\big)$,
//! $r=\bar v-\cos\theta\,\bar w$, and
//! $h_2(w,v)=\frac1{2\pi}\big((\pi-\theta)I+\tfrac12\tan\tfrac\theta2\,aa^\top-\tfrac12\cot\tfrac\theta2\,bb^\top\big)$,
//! $a=\bar w+\bar v$, $b=\bar w-\bar v$ (an algebraically equivalent form of Safran's $h_2$ that
//! has no $0/0$ at parallel or antiparallel pairs).
//!
//! Angles are computed as $\theta=\operatorname{atan2}(|\bar v-\cos\theta\,\bar w|,\cos\theta)$;
//! at $\theta\in\{0,\pi\}$ the $C^2$ limits $h_1=0$, $h_2=\frac{\pi-\theta}{2\pi}I$ are used.
//! $F$ is not differentiable at a zero neuron: the gradient and Hessian return
//! [`Error::InvalidParameter`] there.

use crate::linalg::dot;
use std::f64::consts::PI;

use crate::error::{Error, Result};

/// Geometry of an ordered pair of nonzero vectors $(w, v)$ used by every kernel formula.
///
/// All vector quantities are stored through a caller-supplied inner product so that the same
/// code serves the full model (Euclidean $\mathbb R^d$) and the symmetry-reduced model
/// (weighted "cell" coordinates, see [`super::symmetry`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairAngle {
    /// $|w|$.
    pub norm_w: f64,
    /// $|v|$.
    pub norm_v: f64,
    /// $\cos\theta$.
    pub cos: f64,
    /// $\sin\theta\ge0$.
    pub sin: f64,
    /// $\theta\in[0,\pi]$.
    pub theta: f64,
}

impl PairAngle {
    /// Angle data from $|w|^2$, $|v|^2$ and $w^\top v$, with $\sin\theta$ from
    /// $|\bar v - c\bar w|^2 = 1 - c^2$ computed as $(1-c)(1+c)$.
    pub fn from_products(ww: f64, vv: f64, wv: f64, sin_direct: Option<f64>) -> Self {
        let norm_w = ww.sqrt();
        let norm_v = vv.sqrt();
        let cos = (wv / (norm_w * norm_v)).clamp(-1.0, 1.0);
        let sin = match sin_direct {
            Some(s) => s,
            None => ((1.0 - cos) * (1.0 + cos)).max(0.0).sqrt(),
        };
        let theta = sin.atan2(cos);
        Self {
            norm_w,
            norm_v,
            cos,
            sin,
            theta,
        }
    }

    /// $\kappa(w,v)$.
    pub fn kernel(&self) -> f64 {
        self.norm_w * self.norm_v * (self.sin + (PI - self.theta) * self.cos) / (2.0 * PI)
    }

    /// $\tan(\theta/2)$, stable on $[0,\pi)$ (infinite only at $\theta=\pi$, where it is unused
    /// because the matching $a$ vanishes; we return 0 there).
    pub fn tan_half(&self) -> f64 {
        if self.cos >= 0.0 {
            self.sin / (1.0 + self.cos)
        } else if self.sin > 0.0 {
            (1.0 - self.cos) / self.sin
        } else {
            0.0
        }
    }

    /// $\cot(\theta/2)$, stable on $(0,\pi]$ (0 returned at $\theta=0$ where $b$ vanishes).
    pub fn cot_half(&self) -> f64 {
        if self.cos <= 0.0 {
            self.sin / (1.0 - self.cos)
        } else if self.sin > 0.0 {
            (1.0 + self.cos) / self.sin
        } else {
            0.0
        }
    }
}

/// Largest number of entries $kd$ of a student (and $d$ of [`Teacher::identity`]) for which the
/// dense Hessian ($kd\times kd$, $(kd)^2$ entries, 128 MiB at the limit) and the identity teacher are
/// formed.
pub const MAX_DENSE_SIZE: usize = 4096;

/// A checked teacher network $V\in\mathbb R^{k'\times d}$ (rows are teacher neurons).
#[derive(Debug, Clone, PartialEq)]
pub struct Teacher {
    weights: Vec<f64>,
    input_dim: usize,
    width: usize,
}

/// Unchecked teacher parameters: the row-major $k'\times d$ matrix `weights` and `input_dim` $= d$.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherParams {
    /// Row-major teacher weights, length $k' d$ (rows are neurons).
    pub weights: Vec<f64>,
    /// Input dimension $d\ge1$.
    pub input_dim: usize,
}

impl TeacherParams {
    /// Validate: $d\ge1$, a nonempty whole number of rows, finite entries.
    pub fn check(&self) -> Result<Teacher> {
        if self.input_dim == 0 {
            return Err(Error::InvalidParameter {
                name: "d",
                value: 0.0,
                expected: "an input dimension >= 1",
            });
        }
        if self.weights.is_empty() || !self.weights.len().is_multiple_of(self.input_dim) {
            return Err(Error::DimensionMismatch {
                what: "teacher weights (length must be a positive multiple of d)",
                expected: self.input_dim,
                found: self.weights.len(),
            });
        }
        if let Some(&x) = self.weights.iter().find(|x| !x.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "teacher",
                value: x,
                expected: "finite entries",
            });
        }
        Ok(Teacher {
            width: self.weights.len() / self.input_dim,
            weights: self.weights.clone(),
            input_dim: self.input_dim,
        })
    }
}

impl Teacher {
    /// The standard teacher $V=I_d$ ($k'=d$). Domain: $1\le d\le$ [`MAX_DENSE_SIZE`]; outside
    /// it [`Error::InvalidParameter`] naming `d` (it allocates $d^2$ entries).
    pub fn identity(d: usize) -> Result<Self> {
        if d > MAX_DENSE_SIZE {
            return Err(Error::InvalidParameter {
                name: "d",
                value: d as f64,
                expected: "an input dimension in [1, 4096] for the identity teacher",
            });
        }
        let mut weights = vec![0.0; d * d];
        for i in 0..d {
            weights[i * d + i] = 1.0;
        }
        TeacherParams {
            weights,
            input_dim: d,
        }
        .check()
    }

    /// Input dimension $d$.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// Number of teacher neurons $k'$.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Row-major teacher weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    fn row(&self, j: usize) -> &[f64] {
        &self.weights[j * self.input_dim..(j + 1) * self.input_dim]
    }

    /// Number of student neurons $k$ of a row-major student `w`, after checking its length and entries.
    fn student_width(&self, w: &[f64]) -> Result<usize> {
        let d = self.input_dim;
        if w.is_empty() || !w.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "student weights (length must be a positive multiple of d)",
                expected: d,
                found: w.len(),
            });
        }
        if let Some(&x) = w.iter().find(|x| !x.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "student",
                value: x,
                expected: "finite entries",
            });
        }
        Ok(w.len() / d)
    }

    fn require_nonzero_rows(&self, w: &[f64], k: usize) -> Result<()> {
        let d = self.input_dim;
        for i in 0..k {
            let r = &w[i * d..(i + 1) * d];
            if dot(r, r) == 0.0 {
                return Err(Error::InvalidParameter {
                    name: "student",
                    value: 0.0,
                    expected: "nonzero neuron rows (the loss is not differentiable at w_i = 0)",
                });
            }
        }
        Ok(())
    }

    /// $\kappa(u,v)$ for two rows (0 if either vanishes).
    fn kappa(u: &[f64], v: &[f64]) -> f64 {
        let (uu, vv) = (dot(u, u), dot(v, v));
        if uu == 0.0 || vv == 0.0 {
            return 0.0;
        }
        let pa = pair_angle(u, v);
        pa.kernel()
    }

    /// The population loss $F(W)$ for a row-major student `w` of shape $k\times d$ (any $k\ge1$).
    ///
    /// Zero neurons are allowed here ($\kappa(0,v)=0$). Errors: [`Error::DimensionMismatch`] for
    /// a length that is not a positive multiple of $d$, [`Error::InvalidParameter`] naming
    /// `student` for a non-finite entry, [`Error::NonFinite`] if the loss overflows (entries
    /// beyond about $10^{154}$).
    pub fn loss(&self, w: &[f64]) -> Result<f64> {
        let k = self.student_width(w)?;
        let d = self.input_dim;
        let row = |i: usize| &w[i * d..(i + 1) * d];
        let mut ss = 0.0;
        for i in 0..k {
            ss += 0.5 * dot(row(i), row(i));
            for j in (i + 1)..k {
                ss += 2.0 * Self::kappa(row(i), row(j));
            }
        }
        let mut st = 0.0;
        for i in 0..k {
            for j in 0..self.width {
                st += Self::kappa(row(i), self.row(j));
            }
        }
        let tt = self.teacher_energy();
        crate::error::finite(0.5 * ss - st + 0.5 * tt, "two-layer loss")
    }

    /// $\sum_{i,j}\kappa(v_i,v_j)$.
    fn teacher_energy(&self) -> f64 {
        let mut tt = 0.0;
        for i in 0..self.width {
            for j in 0..self.width {
                tt += Self::kappa(self.row(i), self.row(j));
            }
        }
        tt
    }

    /// The gradient $\nabla F(W)$, row-major $k\times d$. Fails at a zero neuron
    /// ([`Error::InvalidParameter`] naming `student`); other errors as [`Self::loss`].
    pub fn gradient(&self, w: &[f64]) -> Result<Vec<f64>> {
        let k = self.student_width(w)?;
        self.require_nonzero_rows(w, k)?;
        let d = self.input_dim;
        let mut grad = vec![0.0; k * d];
        for i in 0..k {
            self.gradient_row(w, k, i, &mut grad[i * d..(i + 1) * d]);
        }
        if grad.iter().any(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                what: "two-layer gradient",
            });
        }
        Ok(grad)
    }

    /// Rows `rows` of the gradient $\nabla F(W)$ (row-major $|{\rm rows}|\times d$, in the order
    /// given), each computed exactly as the same row of [`Self::gradient`] (bitwise the same
    /// values) at cost $O((k+{\rm width})\,d)$ per row instead of $O(k(k+{\rm width})d)$ for all.
    /// At a point with a symmetry (e.g. an embedded fixed-space point) the rows of one orbit are
    /// permutations of each other, so one row per orbit checks the whole gradient.
    ///
    /// Domain: as [`Self::gradient`], and every row index $<k$ (else
    /// [`Error::InvalidParameter`] naming `rows`).
    pub fn gradient_rows(&self, w: &[f64], rows: &[usize]) -> Result<Vec<f64>> {
        let k = self.student_width(w)?;
        self.require_nonzero_rows(w, k)?;
        if let Some(&i) = rows.iter().find(|&&i| i >= k) {
            return Err(Error::InvalidParameter {
                name: "rows",
                value: i as f64,
                expected: "row indices below the student width k",
            });
        }
        let d = self.input_dim;
        let mut grad = vec![0.0; rows.len() * d];
        for (r, &i) in rows.iter().enumerate() {
            self.gradient_row(w, k, i, &mut grad[r * d..(r + 1) * d]);
        }
        if grad.iter().any(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                what: "two-layer gradient",
            });
        }
        Ok(grad)
    }

    /// Row `i` of the gradient into `gi` (length $d$).
    fn gradient_row(&self, w: &[f64], k: usize, i: usize, gi: &mut [f64]) {
        let d = self.input_dim;
        let row = |i: usize| &w[i * d..(i + 1) * d];
        for (g, x) in gi.iter_mut().zip(row(i)) {
            *g = 0.5 * x;
        }
        for j in 0..k {
            if j != i {
                add_g(gi, row(i), row(j), 1.0);
            }
        }
        for j in 0..self.width {
            add_g(gi, row(i), self.row(j), -1.0);
        }
    }

    /// The dense Hessian $\nabla^2F(W)$ as a row-major $(kd)\times(kd)$ matrix, with the flattening
    /// $\mathrm{vec}(W)_{(i,a)}=W_{ia}$ at index $i d+a$. Fails at a zero neuron.
    ///
    /// This forms all $(kd)^2$ entries; for spectra at symmetric points use
    /// [`super::spectrum`], which never forms this matrix. Domain: $kd\le$ [`MAX_DENSE_SIZE`]
    /// (else [`Error::InvalidParameter`] naming `student`), finite entries, no zero row.
    pub fn hessian(&self, w: &[f64]) -> Result<Vec<f64>> {
        let k = self.student_width(w)?;
        self.require_nonzero_rows(w, k)?;
        let d = self.input_dim;
        let n = k * d;
        if n > MAX_DENSE_SIZE {
            return Err(Error::InvalidParameter {
                name: "student",
                value: n as f64,
                expected: "a student with k d <= 4096 entries for the dense Hessian",
            });
        }
        let row = |i: usize| &w[i * d..(i + 1) * d];
        let mut h = vec![0.0; n * n];
        let mut block = vec![0.0; d * d];
        for i in 0..k {
            // Diagonal block.
            block.iter_mut().for_each(|x| *x = 0.0);
            for a in 0..d {
                block[a * d + a] = 0.5;
            }
            for j in 0..k {
                if j != i {
                    add_h1(&mut block, row(i), row(j), 1.0);
                }
            }
            for j in 0..self.width {
                add_h1(&mut block, row(i), self.row(j), -1.0);
            }
            for a in 0..d {
                for b in 0..d {
                    h[(i * d + a) * n + i * d + b] = block[a * d + b];
                }
            }
            for j in 0..k {
                if j == i {
                    continue;
                }
                block.iter_mut().for_each(|x| *x = 0.0);
                add_h2(&mut block, row(i), row(j));
                for a in 0..d {
                    for b in 0..d {
                        h[(i * d + a) * n + j * d + b] = block[a * d + b];
                    }
                }
            }
        }
        if h.iter().any(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                what: "two-layer Hessian",
            });
        }
        Ok(h)
    }
}

/// Angle data for two nonzero Euclidean vectors, with $\sin\theta=|\bar v-c\bar w|$.
///
/// The three products $|w|^2$, $|v|^2$, $w\cdot v$ are summed in one pass, each in index order
/// (the arithmetic of three in-order dot products; this is the gradient's inner loop, called
/// $k(k+k')$ times per gradient).
#[inline]
fn pair_angle(w: &[f64], v: &[f64]) -> PairAngle {
    let (mut ww, mut vv, mut wv) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (x, y) in w.iter().zip(v) {
        ww += x * x;
        vv += y * y;
        wv += x * y;
    }
    let nw = ww.sqrt();
    let nv = vv.sqrt();
    let c = (wv / (nw * nv)).clamp(-1.0, 1.0);
    let s2: f64 = w
        .iter()
        .zip(v)
        .map(|(x, y)| {
            let r = y / nv - c * x / nw;
            r * r
        })
        .sum();
    PairAngle::from_products(nw * nw, nv * nv, wv, Some(s2.sqrt()))
}

/// `out += sign * g(w, v)` with $g(w,v)=\nabla_w\kappa(w,v)$; no-op if $v=0$.
fn add_g(out: &mut [f64], w: &[f64], v: &[f64], sign: f64) {
    if dot(v, v) == 0.0 {
        return;
    }
    let pa = pair_angle(w, v);
    let cw = sign * pa.norm_v * pa.sin / (2.0 * PI * pa.norm_w);
    let cv = sign * (PI - pa.theta) / (2.0 * PI);
    for ((o, x), y) in out.iter_mut().zip(w).zip(v) {
        *o += cw * x + cv * y;
    }
}

/// `block += sign * h1(w, v)` (row-major $d\times d$); no-op if $v=0$.
fn add_h1(block: &mut [f64], w: &[f64], v: &[f64], sign: f64) {
    if dot(v, v) == 0.0 {
        return;
    }
    let d = w.len();
    let pa = pair_angle(w, v);
    if pa.sin == 0.0 {
        return;
    }
    let scale = sign * pa.norm_v / (2.0 * PI * pa.norm_w);
    let wb: Vec<f64> = w.iter().map(|x| x / pa.norm_w).collect();
    let r: Vec<f64> = v
        .iter()
        .zip(&wb)
        .map(|(y, x)| y / pa.norm_v - pa.cos * x)
        .collect();
    for a in 0..d {
        for b in 0..d {
            let id = if a == b { 1.0 } else { 0.0 };
            block[a * d + b] += scale * (pa.sin * (id - wb[a] * wb[b]) + r[a] * r[b] / pa.sin);
        }
    }
}

/// `block += h2(w, v)` (row-major $d\times d$).
fn add_h2(block: &mut [f64], w: &[f64], v: &[f64]) {
    let d = w.len();
    let pa = pair_angle(w, v);
    let a: Vec<f64> = w
        .iter()
        .zip(v)
        .map(|(x, y)| x / pa.norm_w + y / pa.norm_v)
        .collect();
    let b: Vec<f64> = w
        .iter()
        .zip(v)
        .map(|(x, y)| x / pa.norm_w - y / pa.norm_v)
        .collect();
    let (ta, cb) = (0.5 * pa.tan_half(), 0.5 * pa.cot_half());
    for i in 0..d {
        for j in 0..d {
            let id = if i == j { PI - pa.theta } else { 0.0 };
            block[i * d + j] += (id + ta * a[i] * a[j] - cb * b[i] * b[j]) / (2.0 * PI);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_kernel_values() {
        let u = [1.0, 0.0];
        let v = [0.0, 2.0];
        assert!((Teacher::kappa(&u, &v) - 2.0 / (2.0 * PI)).abs() < 1e-15);
        assert!((Teacher::kappa(&u, &u) - 0.5).abs() < 1e-15);
        assert!(Teacher::kappa(&u, &[-3.0, 0.0]).abs() < 1e-15);
    }

    #[test]
    fn global_minimum_has_zero_loss_and_gradient() {
        let t = Teacher::identity(4).unwrap();
        let w = t.weights().to_vec();
        assert!(t.loss(&w).unwrap().abs() < 1e-14);
        assert!(t.gradient(&w).unwrap().iter().all(|g| g.abs() < 1e-14));
    }
}
