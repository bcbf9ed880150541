//! Fixed-point subspaces of diagonal subgroups and the symmetry-reduced loss with real class sizes.
//!
//! For the standard teacher $V=I_d$, $k=d$, the loss is invariant under $S_d\times S_d$ acting by
//! $(\pi,\rho)\cdot W=P_\pi WP_\rho^\top$ (Arjevani & Field, arXiv 2008.01805, 2107.10370). Partition
//! $\{1..d\}$ into classes $C_1,\dots,C_m$ of sizes $n_1,\dots,n_m$. The fixed-point space of the
//! diagonal subgroup $\Delta(S_{n_1}\times\cdots\times S_{n_m})$ consists of the $W$ with, for a
//! neuron $i\in C_c$: $D_c$ at coordinate $i$, $O_c$ at the other coordinates of $C_c$ (only when
//! $n_c>1$) and $B_{cr}$ at every coordinate of $C_r$, $r\ne c$.
//!
//! Every inner product between the vectors that enter the loss, gradient and Hessian (two neurons,
//! a neuron and a teacher row, and the basis directions $E_a$ of the fixed space) only depends on a
//! few "cells": the marked indices of the pair and the remaining bulk of each class, with weight
//! $n_r-\#\{\text{marked in }C_r\}$. The reduced loss, its gradient and its Hessian are therefore
//! polynomial–trigonometric expressions in the class sizes, which may be **real** numbers
//! ("fractional dimension", Arjevani & Field 2107.10370). The cost does not depend on $d$.
//!
//! Metric: with $E_a$ the indicator of the entries of parameter $a$, the Gram matrix
//! $G_{ab}=\langle E_a,E_b\rangle$ is diagonal with $G=n_c$ for $D_c$, $n_c(n_c-1)$ for $O_c$ and
//! $n_cn_r$ for $B_{cr}$. The full gradient at $W(\xi)$ has block values $G^{-1}\nabla_\xi F_{\rm red}$
//! and the full Hessian restricted to the fixed space is $G^{-1/2}\nabla^2_\xi F_{\rm red}G^{-1/2}$.

use std::f64::consts::PI;

use super::kernel::PairAngle;
use crate::error::{Error, Result};

/// One reduced parameter of a fixed-point space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    /// $D_c$: the weight of a neuron of class $c$ on its own coordinate.
    Diag(usize),
    /// $O_c$: the weight on the other coordinates of its own class (only if $n_c>1$).
    Off(usize),
    /// $B_{cr}$: the weight of a neuron of class $c$ on every coordinate of class $r\ne c$.
    Cross(usize, usize),
}

impl Param {
    /// Whether the parameter moves the neurons of class `c` (its row class is `c`).
    fn moves(&self, c: usize) -> bool {
        match *self {
            Param::Diag(x) | Param::Off(x) | Param::Cross(x, _) => x == c,
        }
    }
}

/// Largest dimension $d=\sum_cn_c$ of a partition (and of the built-in families): beyond it the
/// metric $n_c^2$, the multiplicities and the loss lose their meaning long before they overflow,
/// and continuation paths from the seeds at $d_0=100$ get long.
pub const MAX_DIMENSION: f64 = 1e7;

/// Largest number of classes $m$ of a partition: the reduced Hessian has $(m^2+m)^2$ entries and
/// costs $O(m^6)$ operations (at $m=64$ about $1.8\cdot10^7$ entries).
pub const MAX_CLASSES: usize = 64;

/// Largest dimension for which [`Partition::embed`] forms the full $d\times d$ matrix.
pub const MAX_EMBED_DIMENSION: f64 = 4096.0;

/// Unchecked class sizes of a diagonal subgroup $\Delta(S_{n_1}\times\cdots\times S_{n_m})$.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionParams {
    /// Class sizes $n_c$: each exactly 1 (a singleton) or a real number $>1$.
    pub sizes: Vec<f64>,
}

/// A checked partition with real class sizes; $d=\sum_cn_c$.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    sizes: Vec<f64>,
    params: Vec<Param>,
}

impl PartitionParams {
    /// Validate. Domain: between 1 and [`MAX_CLASSES`] classes; every size finite and either
    /// exactly 1 or $>1$; $d=\sum_cn_c\le$ [`MAX_DIMENSION`]. Outside it:
    /// [`Error::InvalidParameter`] naming `sizes`.
    pub fn check(&self) -> Result<Partition> {
        if self.sizes.is_empty() || self.sizes.len() > MAX_CLASSES {
            return Err(Error::InvalidParameter {
                name: "sizes",
                value: self.sizes.len() as f64,
                expected: "between 1 and 64 classes",
            });
        }
        for &n in &self.sizes {
            if !(n.is_finite() && n >= 1.0) {
                return Err(Error::InvalidParameter {
                    name: "sizes",
                    value: n,
                    expected: "class sizes equal to 1 or real numbers > 1",
                });
            }
        }
        let d: f64 = self.sizes.iter().sum();
        if d > MAX_DIMENSION {
            return Err(Error::InvalidParameter {
                name: "sizes",
                value: d,
                expected: "class sizes summing to a dimension d <= 1e7",
            });
        }
        let m = self.sizes.len();
        let mut params: Vec<Param> = (0..m).map(Param::Diag).collect();
        params.extend((0..m).filter(|&c| self.sizes[c] > 1.0).map(Param::Off));
        for c in 0..m {
            for r in 0..m {
                if r != c {
                    params.push(Param::Cross(c, r));
                }
            }
        }
        Ok(Partition {
            sizes: self.sizes.clone(),
            params,
        })
    }
}

/// A cell of a pair context: the coordinates of `class` that are the marked index `slot`, or
/// (for `slot == None`) the unmarked rest of the class, of size `weight`.
#[derive(Debug, Clone, Copy)]
struct Cell {
    class: usize,
    slot: Option<usize>,
    weight: f64,
}

/// The cells of a context whose marked indices (slot 0, slot 1, ...) lie in the given classes.
#[derive(Default)]
struct Context {
    cells: Vec<Cell>,
}

impl Context {
    /// [`Self::ip`] of a 0/1 direction (given by the indices of its cells equal to 1, from
    /// [`hits_into`]) with `y`: the same nonzero terms $n\cdot1\cdot y_i$ in the same order (the
    /// zero terms of the full sum add nothing to it).
    fn ip_hits(&self, hits: &[usize], y: &[f64]) -> f64 {
        hits.iter()
            .map(|&i| self.cells[i].weight * 1.0 * y[i])
            .sum()
    }

    fn ip(&self, x: &[f64], y: &[f64]) -> f64 {
        self.cells
            .iter()
            .zip(x.iter().zip(y))
            .map(|(c, (a, b))| c.weight * a * b)
            .sum()
    }
}

/// Kernel geometry of a pair $(w,v)$ in a context, with the vectors needed by $g$, $h_1$, $h_2$:
/// $\bar w$, $v$, $r=\bar v-\cos\theta\,\bar w$, $a=\bar w+\bar v$, $b=\bar w-\bar v$, stored
/// one after the other in one buffer (one allocation per pair; the same arithmetic).
struct PairGeometry {
    angle: PairAngle,
    /// Length of each vector (the number of cells).
    len: usize,
    /// $[\bar w, v, r, a, b]$, each of length `len`.
    buf: Vec<f64>,
}

impl PairGeometry {
    fn w_unit(&self) -> &[f64] {
        &self.buf[..self.len]
    }
    fn v(&self) -> &[f64] {
        &self.buf[self.len..2 * self.len]
    }
    fn r(&self) -> &[f64] {
        &self.buf[2 * self.len..3 * self.len]
    }
    fn a(&self) -> &[f64] {
        &self.buf[3 * self.len..4 * self.len]
    }
    fn b(&self) -> &[f64] {
        &self.buf[4 * self.len..5 * self.len]
    }

    fn new(ctx: &Context, w: &[f64], v: &[f64]) -> Result<Self> {
        Self::new_in(ctx, w, v, Vec::new())
    }

    /// [`Self::new`] with the storage of `buf` (reused by [`Scratch`]; the same arithmetic).
    fn new_in(ctx: &Context, w: &[f64], v: &[f64], mut buf: Vec<f64>) -> Result<Self> {
        let ww = ctx.ip(w, w);
        let vv = ctx.ip(v, v);
        if !(ww > 0.0 && vv > 0.0) {
            return Err(Error::InvalidParameter {
                name: "params",
                value: ww.min(vv),
                expected: "nonzero neurons (|w_i| > 0; the loss is not differentiable at w_i = 0)",
            });
        }
        let (nw, nv) = (ww.sqrt(), vv.sqrt());
        let wv = ctx.ip(w, v);
        let cos = (wv / (nw * nv)).clamp(-1.0, 1.0);
        let len = w.len().min(v.len());
        // Layout [w_unit, v, r, a, b, v_unit] (v_unit is scratch, dropped at the end).
        buf.clear();
        buf.resize(6 * len, 0.0);
        for i in 0..len {
            let (wu, vu) = (w[i] / nw, v[i] / nv);
            buf[i] = wu;
            buf[len + i] = v[i];
            buf[2 * len + i] = vu - cos * wu;
            buf[3 * len + i] = wu + vu;
            buf[4 * len + i] = wu - vu;
            buf[5 * len + i] = vu;
        }
        buf.truncate(5 * len);
        let r = &buf[2 * len..3 * len];
        let s2 = ctx.ip(r, r);
        let sin = if s2 >= 0.0 {
            s2.sqrt()
        } else {
            ((1.0 - cos) * (1.0 + cos)).max(0.0).sqrt()
        };
        let angle = PairAngle::from_products(ww, vv, wv, Some(sin));
        Ok(Self { angle, len, buf })
    }

    /// The storage, for reuse.
    fn into_buf(self) -> Vec<f64> {
        self.buf
    }

    /// $x^\top g(w,v)$ for a 0/1 direction $x$ given by its cells equal to 1 ([`hits_into`]).
    fn grad_dot_hits(&self, ctx: &Context, hits: &[usize]) -> f64 {
        let p = &self.angle;
        (p.norm_v * p.sin * ctx.ip_hits(hits, self.w_unit())
            + (PI - p.theta) * ctx.ip_hits(hits, self.v()))
            / (2.0 * PI)
    }

    /// $x^\top g(w,v)$ (the dense reference of [`Self::grad_dot_hits`] in the tests).
    #[cfg(test)]
    fn grad_dot(&self, ctx: &Context, x: &[f64]) -> f64 {
        let p = &self.angle;
        (p.norm_v * p.sin * ctx.ip(x, self.w_unit()) + (PI - p.theta) * ctx.ip(x, self.v()))
            / (2.0 * PI)
    }
}

/// Reusable buffers of one gradient or Hessian evaluation (the contexts, neurons, teacher rows,
/// pair geometries and direction vectors are refilled per pair instead of allocated).
#[derive(Default)]
struct Scratch {
    ctx: Context,
    w: Vec<f64>,
    v: Vec<f64>,
    e: Vec<f64>,
    gv: Vec<f64>,
    ge: Vec<f64>,
    /// The 0/1 directions of slot 0 as lists of cells ([`Partition::hit_lists_into`]): the
    /// cells of every parameter, one after the other, and each parameter's range (`None` for a
    /// parameter that does not move the neuron).
    xs: Vec<usize>,
    xl: Vec<Option<(usize, usize)>>,
    /// The same for slot 1.
    ys: Vec<usize>,
    yl: Vec<Option<(usize, usize)>>,
}

/// The cells of the direction of parameter `a` stored by [`Partition::hit_lists_into`].
fn hits_of<'a>(
    buf: &'a [usize],
    ranges: &[Option<(usize, usize)>],
    a: usize,
) -> Option<&'a [usize]> {
    ranges[a].map(|(s, e)| &buf[s..e])
}

/// [`Context::ip`] of two 0/1 directions given by their cells (`None`: a zero direction): the
/// terms $n\cdot1\cdot1$ of the cells in both, in cell order (the others are zeros).
fn ip_both(ctx: &Context, x: Option<&[usize]>, y: Option<&[usize]>) -> f64 {
    let (x, y) = (x.unwrap_or(&[]), y.unwrap_or(&[]));
    x.iter()
        .filter(|i| y.contains(i))
        .map(|&i| ctx.cells[i].weight * 1.0 * 1.0)
        .sum()
}

/// Projections of a 0/1 direction (given by its cells equal to 1; `None` for zero) onto the
/// geometry vectors of a pair.
fn project_hits(ctx: &Context, g: &PairGeometry, x: Option<&[usize]>) -> Proj {
    let Some(x) = x else {
        // A zero direction: never read by the sums.
        return Proj {
            w_unit: 0.0,
            r: 0.0,
            a: 0.0,
            b: 0.0,
        };
    };
    Proj {
        w_unit: ctx.ip_hits(x, g.w_unit()),
        r: ctx.ip_hits(x, g.r()),
        a: ctx.ip_hits(x, g.a()),
        b: ctx.ip_hits(x, g.b()),
    }
}

#[cfg(test)]
fn is_nonzero(x: &[f64]) -> bool {
    x.iter().any(|v| *v != 0.0)
}

/// Projections of one direction vector onto the geometry vectors of a pair.
#[derive(Clone, Copy)]
struct Proj {
    w_unit: f64,
    r: f64,
    a: f64,
    b: f64,
}

/// The dense form of [`project_hits`] (its reference in the tests).
#[cfg(test)]
fn project(ctx: &Context, g: &PairGeometry, x: &[f64]) -> Proj {
    if x.is_empty() {
        // A zero direction (left empty): never read by the sums.
        return Proj {
            w_unit: 0.0,
            r: 0.0,
            a: 0.0,
            b: 0.0,
        };
    }
    Proj {
        w_unit: ctx.ip(x, g.w_unit()),
        r: ctx.ip(x, g.r()),
        a: ctx.ip(x, g.a()),
        b: ctx.ip(x, g.b()),
    }
}

/// The per-pair constants of `h1_form` and `h2_form`, computed once per pair geometry
/// (the same values, so the same arithmetic, as computing them per entry).
#[derive(Clone, Copy)]
struct FormConstants {
    sin: f64,
    /// $|v|/(2\pi|w|)$.
    h1: f64,
    /// $\pi-\theta$.
    pi_theta: f64,
    /// $\frac12\tan(\theta/2)$.
    half_tan: f64,
    /// $\frac12\cot(\theta/2)$.
    half_cot: f64,
}

impl FormConstants {
    fn of(g: &PairGeometry) -> Self {
        let p = &g.angle;
        Self {
            sin: p.sin,
            h1: p.norm_v / (2.0 * PI * p.norm_w),
            pi_theta: PI - p.theta,
            half_tan: 0.5 * p.tan_half(),
            half_cot: 0.5 * p.cot_half(),
        }
    }

    /// $h_1(w,v)[x,y]$ from $x^\top y$ and projections.
    #[inline]
    fn h1(&self, xy: f64, px: Proj, py: Proj) -> f64 {
        if self.sin == 0.0 {
            return 0.0;
        }
        self.h1 * (self.sin * (xy - px.w_unit * py.w_unit) + px.r * py.r / self.sin)
    }

    /// $h_2(w,v)[x,y]$ from $x^\top y$ and projections.
    #[inline]
    fn h2(&self, xy: f64, px: Proj, py: Proj) -> f64 {
        (self.pi_theta * xy + self.half_tan * px.a * py.a - self.half_cot * px.b * py.b)
            / (2.0 * PI)
    }
}

/// $h_1(w,v)[x,y]$ from $x^\top y$ and projections (the reference of [`FormConstants::h1`] in
/// the tests).
#[cfg(test)]
fn h1_form(g: &PairGeometry, xy: f64, px: Proj, py: Proj) -> f64 {
    let p = &g.angle;
    if p.sin == 0.0 {
        return 0.0;
    }
    p.norm_v / (2.0 * PI * p.norm_w) * (p.sin * (xy - px.w_unit * py.w_unit) + px.r * py.r / p.sin)
}

/// $h_2(w,v)[x,y]$ from $x^\top y$ and projections (the reference of [`FormConstants::h2`] in
/// the tests).
#[cfg(test)]
fn h2_form(g: &PairGeometry, xy: f64, px: Proj, py: Proj) -> f64 {
    let p = &g.angle;
    ((PI - p.theta) * xy + 0.5 * p.tan_half() * px.a * py.a - 0.5 * p.cot_half() * px.b * py.b)
        / (2.0 * PI)
}

/// $R(c)=\kappa$-profile remainder: $J(c)-\frac1{2\pi}-\frac c4-\frac{c^2}{4\pi}$ with
/// $J(c)=\frac1{2\pi}(\sqrt{1-c^2}+(\pi-\arccos c)c)$; a power series for $|c|<\frac12$.
fn kernel_remainder(c: f64) -> f64 {
    if c.abs() < 0.5 {
        // sqrt(1-x) coefficients s_k (x = c^2) and c*arcsin(c) coefficients b_{k-1} of c^{2k}.
        let x = c * c;
        let (mut s_k, mut b_j, mut pow, mut sum) = (-0.5f64, 1.0f64, x * x, 0.0f64);
        for k in 2..60 {
            s_k *= (k as f64 - 1.5) / k as f64; // C(1/2,k)(-1)^k
            let j = (k - 1) as f64;
            b_j *= (2.0 * j - 1.0).powi(2) / (2.0 * j * (2.0 * j + 1.0));
            let term = (s_k + b_j) * pow;
            sum += term;
            if term.abs() < 1e-18 * sum.abs() {
                break;
            }
            pow *= x;
        }
        sum / (2.0 * PI)
    } else {
        let cc = c.clamp(-1.0, 1.0);
        let j = ((1.0 - cc * cc).max(0.0).sqrt() + (PI - cc.acos()) * cc) / (2.0 * PI);
        j - 1.0 / (2.0 * PI) - cc / 4.0 - cc * cc / (4.0 * PI)
    }
}

/// $\Delta=\kappa(w,v)-\kappa(w,g)-\kappa(e,v)+\kappa(e,g)$ for unit $e\perp g$, without cancellation.
/// `dw`, `dv`: scratch buffers for $w-e$ and $v-g$ (overwritten).
fn mixed_difference(
    ctx: &Context,
    (w, v, e, g): (&[f64], &[f64], &[f64], &[f64]),
    dw: &mut Vec<f64>,
    dv: &mut Vec<f64>,
) -> Option<f64> {
    dw.clear();
    dw.extend(w.iter().zip(e).map(|(a, b)| a - b));
    dv.clear();
    dv.extend(v.iter().zip(g).map(|(a, b)| a - b));
    let (dw, dv) = (&dw[..], &dv[..]);
    let (nw2, nv2) = (ctx.ip(w, w), ctx.ip(v, v));
    if !(nw2 > 0.0 && nv2 > 0.0) {
        return None;
    }
    let (nw, nv) = (nw2.sqrt(), nv2.sqrt());
    // |w| - 1 = (|w|^2 - 1) / (|w| + 1), |w|^2 - 1 = |w - e|^2 + 2 e.(w - e).
    let nw_m1 = (ctx.ip(dw, dw) + 2.0 * ctx.ip(e, dw)) / (nw + 1.0);
    let nv_m1 = (ctx.ip(dv, dv) + 2.0 * ctx.ip(g, dv)) / (nv + 1.0);
    let (wv, wg, ev) = (ctx.ip(w, v), ctx.ip(w, g), ctx.ip(e, v));
    let norm_part = nw_m1 * nv_m1 / (2.0 * PI);
    let linear_part = ctx.ip(dw, dv) / 4.0;
    let quad_part = (wv * wv / (nw * nv) - wg * wg / nw - ev * ev / nv) / (4.0 * PI);
    let rem = nw * nv * kernel_remainder(wv / (nw * nv))
        - nw * kernel_remainder(wg / nw)
        - nv * kernel_remainder(ev / nv);
    Some(norm_part + linear_part + quad_part + rem)
}

/// The cells at which the direction of `p` for a neuron of class `class` at `slot` is 1 (in
/// cell order), into `out` (cleared first).
fn hits_into(ctx: &Context, p: Param, slot: usize, class: usize, out: &mut Vec<usize>) {
    out.clear();
    out.extend(
        ctx.cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| hit(p, cell, slot, class) != 0.0)
            .map(|(i, _)| i),
    );
}

/// The entry of the direction of `p` (`Partition::direction_into`) at `cell`, for a neuron of class
/// `class` at marked `slot`: 1 or 0.
#[inline]
fn hit(p: Param, cell: &Cell, slot: usize, class: usize) -> f64 {
    let hit = match p {
        Param::Diag(c) => c == class && cell.slot == Some(slot),
        Param::Off(c) => c == class && cell.class == c && cell.slot != Some(slot),
        Param::Cross(c, r) => c == class && cell.class == r,
    };
    if hit { 1.0 } else { 0.0 }
}

impl Partition {
    /// Class sizes $n_c$.
    pub fn sizes(&self) -> &[f64] {
        &self.sizes
    }

    /// Number of classes $m$.
    pub fn num_classes(&self) -> usize {
        self.sizes.len()
    }

    /// The (real) dimension $d=\sum_cn_c$.
    pub fn dimension(&self) -> f64 {
        self.sizes.iter().sum()
    }

    /// The reduced parameters in their fixed order: all $D_c$, then $O_c$ for $n_c>1$, then
    /// $B_{cr}$ in row-major order of $(c,r)$. The dimension is $m^2+\#\{c:n_c>1\}$.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Position of a parameter in [`Self::params`].
    pub fn index_of(&self, p: Param) -> Option<usize> {
        // Closed form of the layout of [`Self::params`] (the position of `p` in it).
        let m = self.sizes.len();
        let big = |c: usize| self.sizes[c] > 1.0;
        match p {
            Param::Diag(c) => (c < m).then_some(c),
            Param::Off(c) => (c < m && big(c)).then(|| m + (0..c).filter(|&e| big(e)).count()),
            Param::Cross(c, r) => (c < m && r < m && c != r).then(|| {
                let offs = (0..m).filter(|&e| big(e)).count();
                m + offs + c * (m - 1) + if r < c { r } else { r - 1 }
            }),
        }
    }

    /// The diagonal of the Gram matrix $G$ of the basis directions $E_a$.
    pub fn metric(&self) -> Vec<f64> {
        self.params
            .iter()
            .map(|p| match *p {
                Param::Diag(c) => self.sizes[c],
                Param::Off(c) => self.sizes[c] * (self.sizes[c] - 1.0),
                Param::Cross(c, r) => self.sizes[c] * self.sizes[r],
            })
            .collect()
    }

    fn check_len(&self, xi: &[f64]) -> Result<()> {
        if xi.len() != self.params.len() {
            return Err(Error::DimensionMismatch {
                what: "reduced parameters",
                expected: self.params.len(),
                found: xi.len(),
            });
        }
        if let Some(&x) = xi.iter().find(|x| !x.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "params",
                value: x,
                expected: "finite reduced parameters",
            });
        }
        Ok(())
    }

    fn value(&self, xi: &[f64], p: Param) -> f64 {
        self.index_of(p).map_or(0.0, |i| xi[i])
    }

    fn context(&self, marked: &[usize]) -> Context {
        let mut ctx = Context::default();
        self.context_into(marked, &mut ctx);
        ctx
    }

    /// [`Self::context`] written into `ctx` (reuses its storage).
    fn context_into(&self, marked: &[usize], ctx: &mut Context) {
        let cells = &mut ctx.cells;
        cells.clear();
        for (r, &n) in self.sizes.iter().enumerate() {
            let mut count = 0.0;
            for (s, &c) in marked.iter().enumerate() {
                if c == r {
                    cells.push(Cell {
                        class: r,
                        slot: Some(s),
                        weight: 1.0,
                    });
                    count += 1.0;
                }
            }
            cells.push(Cell {
                class: r,
                slot: None,
                weight: n - count,
            });
        }
    }

    /// The row of a neuron of class `class` sitting at marked `slot`, in cell coordinates.
    fn neuron(&self, ctx: &Context, xi: &[f64], slot: usize, class: usize) -> Vec<f64> {
        let mut out = Vec::new();
        self.neuron_into(ctx, xi, slot, class, &mut out);
        out
    }

    /// [`Self::neuron`] written into `out` (cleared first).
    fn neuron_into(
        &self,
        ctx: &Context,
        xi: &[f64],
        slot: usize,
        class: usize,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend(ctx.cells.iter().map(|cell| {
            if cell.slot == Some(slot) {
                self.value(xi, Param::Diag(class))
            } else if cell.class == class {
                self.value(xi, Param::Off(class))
            } else {
                self.value(xi, Param::Cross(class, cell.class))
            }
        }));
    }

    /// the direction $\partial W/\partial\xi_a$ written into `out` (cleared first; reuses its
    /// allocation): the dense form of [`Self::hit_lists_into`] (its reference in the tests).
    #[cfg(test)]
    fn direction_into(
        &self,
        ctx: &Context,
        p: Param,
        slot: usize,
        class: usize,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend(ctx.cells.iter().map(|cell| hit(p, cell, slot, class)));
    }

    fn teacher(ctx: &Context, slot: usize) -> Vec<f64> {
        let mut out = Vec::new();
        Self::teacher_into(ctx, slot, &mut out);
        out
    }

    /// [`Self::teacher`] written into `out` (cleared first).
    fn teacher_into(ctx: &Context, slot: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            ctx.cells
                .iter()
                .map(|cell| if cell.slot == Some(slot) { 1.0 } else { 0.0 }),
        );
    }

    /// The 0/1 directions of every parameter for a neuron of class `class` at `slot`, as the
    /// lists of their cells equal to 1 (in cell order), one after the other in `buf`, with each
    /// parameter's range in `ranges` (`None` if the parameter does not move the neuron).
    fn hit_lists_into(
        &self,
        ctx: &Context,
        slot: usize,
        class: usize,
        buf: &mut Vec<usize>,
        ranges: &mut Vec<Option<(usize, usize)>>,
    ) {
        buf.clear();
        ranges.clear();
        for &p in &self.params {
            if p.moves(class) {
                let start = buf.len();
                buf.extend(
                    ctx.cells
                        .iter()
                        .enumerate()
                        .filter(|(_, cell)| hit(p, cell, slot, class) != 0.0)
                        .map(|(i, _)| i),
                );
                ranges.push(Some((start, buf.len())));
            } else {
                ranges.push(None);
            }
        }
    }

    /// Number of other neurons (or teacher rows) of class `r` seen from a neuron of class `c`.
    fn others(&self, c: usize, r: usize) -> f64 {
        self.sizes[r] - if c == r { 1.0 } else { 0.0 }
    }

    /// The reduced loss $F_{\rm red}(\xi)=F(W(\xi))$ (Arjevani & Field 2107.10370), for $V=I_d$, $k=d$.
    ///
    /// Evaluated in a cancellation-free form: the $d(d-1)$ off-diagonal pairs enter through the mixed
    /// second difference
    /// $\Delta_{il}=\kappa(w_i,w_l)-\kappa(w_i,e_l)-\kappa(e_i,w_l)+\kappa(e_i,e_l)$, with
    /// $\kappa(u,v)=\frac{|u||v|}{2\pi}+\frac{u^\top v}4+\frac{(u^\top v)^2}{4\pi|u||v|}+|u||v|R(\cos\theta)$ and
    /// $R(c)=\frac1{2\pi}\sum_{k\ge2}a_kc^{2k}=O(c^4)$ summed as a series, so that
    /// $F=\sum_cn_c\big[\frac{|w_i|^2+1}4-\kappa(w_i,e_i)\big]+\frac12\sum_{i\ne l}\Delta_{il}$ keeps its relative
    /// accuracy at large $d$ (the naive sum loses about $d^2\varepsilon$ in absolute terms). Zero
    /// neurons are evaluated with the naive sum.
    pub fn loss(&self, xi: &[f64]) -> Result<f64> {
        self.check_len(xi)?;
        match self.loss_stable(xi) {
            Some(f) => crate::error::finite(f, "reduced two-layer loss"),
            None => self.loss_direct(xi),
        }
    }

    /// The stable form of [`Self::loss`]; `None` at a zero neuron.
    fn loss_stable(&self, xi: &[f64]) -> Option<f64> {
        let mut f = 0.0;
        // One set of buffers for every pair (the same arithmetic as with fresh vectors).
        let mut sc = Scratch::default();
        let (mut g, mut dw, mut dv) = (Vec::new(), Vec::new(), Vec::new());
        for (c, &nc) in self.sizes.iter().enumerate() {
            self.context_into(&[c], &mut sc.ctx);
            self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
            Self::teacher_into(&sc.ctx, 0, &mut sc.e);
            let nn = sc.ctx.ip(&sc.w, &sc.w);
            if nn <= 0.0 {
                return None;
            }
            let ge =
                PairGeometry::new_in(&sc.ctx, &sc.w, &sc.e, std::mem::take(&mut sc.ge)).ok()?;
            let k = ge.angle.kernel();
            sc.ge = ge.into_buf();
            f += nc * ((nn + 1.0) / 4.0 - k);
            for r in 0..self.sizes.len() {
                let cnt = self.others(c, r);
                if cnt == 0.0 {
                    continue;
                }
                self.context_into(&[c, r], &mut sc.ctx);
                self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
                self.neuron_into(&sc.ctx, xi, 1, r, &mut sc.v);
                Self::teacher_into(&sc.ctx, 0, &mut sc.e);
                Self::teacher_into(&sc.ctx, 1, &mut g);
                let vectors = (&sc.w[..], &sc.v[..], &sc.e[..], &g[..]);
                f += 0.5 * nc * cnt * mixed_difference(&sc.ctx, vectors, &mut dw, &mut dv)?;
            }
        }
        Some(f)
    }

    /// The naive sum of kernel values (used at zero neurons).
    fn loss_direct(&self, xi: &[f64]) -> Result<f64> {
        let d = self.dimension();
        let mut f = d / 4.0 + d * (d - 1.0) / (4.0 * PI);
        for (c, &nc) in self.sizes.iter().enumerate() {
            let ctx = self.context(&[c]);
            let w = self.neuron(&ctx, xi, 0, c);
            let nn = ctx.ip(&w, &w);
            f += nc * nn / 4.0;
            if nn > 0.0 {
                let e = Self::teacher(&ctx, 0);
                f -= nc * PairGeometry::new(&ctx, &w, &e)?.angle.kernel();
            }
            for r in 0..self.sizes.len() {
                let cnt = self.others(c, r);
                if cnt == 0.0 {
                    continue;
                }
                let ctx = self.context(&[c, r]);
                let w = self.neuron(&ctx, xi, 0, c);
                let v = self.neuron(&ctx, xi, 1, r);
                let e = Self::teacher(&ctx, 1);
                let (ww, vv) = (ctx.ip(&w, &w), ctx.ip(&v, &v));
                if ww > 0.0 && vv > 0.0 {
                    f += 0.5 * nc * cnt * PairGeometry::new(&ctx, &w, &v)?.angle.kernel();
                }
                if ww > 0.0 {
                    f -= nc * cnt * PairGeometry::new(&ctx, &w, &e)?.angle.kernel();
                }
            }
        }
        crate::error::finite(f, "reduced two-layer loss")
    }

    /// The Euclidean gradient $\nabla_\xi F_{\rm red}$. Fails at a zero neuron.
    pub fn gradient(&self, xi: &[f64]) -> Result<Vec<f64>> {
        self.check_len(xi)?;
        let np = self.params.len();
        let mut grad = vec![0.0; np];
        // One set of buffers for every pair (the same arithmetic as with fresh vectors).
        let mut sc = Scratch::default();
        let mut x = Vec::new();
        for (c, &nc) in self.sizes.iter().enumerate() {
            self.context_into(&[c], &mut sc.ctx);
            self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
            Self::teacher_into(&sc.ctx, 0, &mut sc.e);
            let ge = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.e, std::mem::take(&mut sc.ge))?;
            // Only the parameters of class c move this neuron (the others have a zero direction
            // and add an exact zero). One direction buffer, refilled per parameter.
            for (a, &p) in self.params.iter().enumerate() {
                if !p.moves(c) {
                    continue;
                }
                hits_into(&sc.ctx, p, 0, c, &mut x);
                grad[a] += nc * (0.5 * sc.ctx.ip_hits(&x, &sc.w) - ge.grad_dot_hits(&sc.ctx, &x));
            }
            sc.ge = ge.into_buf();
            for r in 0..self.sizes.len() {
                let cnt = self.others(c, r);
                if cnt == 0.0 {
                    continue;
                }
                self.context_into(&[c, r], &mut sc.ctx);
                self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
                self.neuron_into(&sc.ctx, xi, 1, r, &mut sc.v);
                Self::teacher_into(&sc.ctx, 1, &mut sc.e);
                let gv = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.v, std::mem::take(&mut sc.gv))?;
                let ge = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.e, std::mem::take(&mut sc.ge))?;
                for (a, &p) in self.params.iter().enumerate() {
                    if !p.moves(c) {
                        continue;
                    }
                    hits_into(&sc.ctx, p, 0, c, &mut x);
                    grad[a] +=
                        nc * cnt * (gv.grad_dot_hits(&sc.ctx, &x) - ge.grad_dot_hits(&sc.ctx, &x));
                }
                sc.gv = gv.into_buf();
                sc.ge = ge.into_buf();
            }
        }
        if grad.iter().any(|g| !g.is_finite()) {
            return Err(Error::NonFinite {
                what: "reduced two-layer gradient",
            });
        }
        Ok(grad)
    }

    /// The block values of the full gradient at $W(\xi)$: $G^{-1}\nabla_\xi F_{\rm red}$.
    pub fn fix_gradient(&self, xi: &[f64]) -> Result<Vec<f64>> {
        let g = self.gradient(xi)?;
        Ok(g.iter().zip(self.metric()).map(|(g, m)| g / m).collect())
    }

    /// The Euclidean Hessian $\nabla^2_\xi F_{\rm red}$, row-major $p\times p$. Fails at a zero neuron.
    pub fn hessian(&self, xi: &[f64]) -> Result<Vec<f64>> {
        self.check_len(xi)?;
        let np = self.params.len();
        let mut h = vec![0.0; np * np];
        // One set of buffers for every pair (the same arithmetic as with fresh vectors).
        let mut sc = Scratch::default();
        let (mut pe, mut pxv, mut pyv, mut pxe) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut moving, mut cols) = (Vec::new(), Vec::new());
        for (c, &nc) in self.sizes.iter().enumerate() {
            self.context_into(&[c], &mut sc.ctx);
            self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
            Self::teacher_into(&sc.ctx, 0, &mut sc.e);
            let ge = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.e, std::mem::take(&mut sc.ge))?;
            // Directions of the parameters that do not move this neuron are zero (`None`):
            // every term with them is an exact zero, so only the moving ones are summed, and
            // a 0/1 direction enters the inner products through its cells equal to 1 (the same
            // nonzero terms in the same order).
            self.hit_lists_into(&sc.ctx, 0, c, &mut sc.xs, &mut sc.xl);
            let xs = |a: usize| hits_of(&sc.xs, &sc.xl, a);
            let nonzero = |x: Option<&[usize]>| x.is_some_and(|x| !x.is_empty());
            pe.clear();
            pe.extend((0..np).map(|a| project_hits(&sc.ctx, &ge, xs(a))));
            moving.clear();
            moving.extend((0..np).filter(|&a| nonzero(xs(a))));
            let ke = FormConstants::of(&ge);
            for &a in &moving {
                for &b in &moving {
                    let xy = ip_both(&sc.ctx, xs(a), xs(b));
                    h[a * np + b] += nc * (0.5 * xy - ke.h1(xy, pe[a], pe[b]));
                }
            }
            sc.ge = ge.into_buf();
            for r in 0..self.sizes.len() {
                let cnt = self.others(c, r);
                if cnt == 0.0 {
                    continue;
                }
                self.context_into(&[c, r], &mut sc.ctx);
                self.neuron_into(&sc.ctx, xi, 0, c, &mut sc.w);
                self.neuron_into(&sc.ctx, xi, 1, r, &mut sc.v);
                Self::teacher_into(&sc.ctx, 1, &mut sc.e);
                let gv = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.v, std::mem::take(&mut sc.gv))?;
                let ge = PairGeometry::new_in(&sc.ctx, &sc.w, &sc.e, std::mem::take(&mut sc.ge))?;
                self.hit_lists_into(&sc.ctx, 0, c, &mut sc.xs, &mut sc.xl);
                self.hit_lists_into(&sc.ctx, 1, r, &mut sc.ys, &mut sc.yl);
                let xs = |a: usize| hits_of(&sc.xs, &sc.xl, a);
                let ys = |a: usize| hits_of(&sc.ys, &sc.yl, a);
                pxv.clear();
                pxv.extend((0..np).map(|a| project_hits(&sc.ctx, &gv, xs(a))));
                pyv.clear();
                pyv.extend((0..np).map(|a| project_hits(&sc.ctx, &gv, ys(a))));
                pxe.clear();
                pxe.extend((0..np).map(|a| project_hits(&sc.ctx, &ge, xs(a))));
                let scale = nc * cnt;
                // Terms vanish exactly unless x_a != 0 and (x_b != 0 or y_b != 0).
                moving.clear();
                moving.extend((0..np).filter(|&a| nonzero(xs(a))));
                cols.clear();
                cols.extend((0..np).filter(|&b| nonzero(xs(b)) || nonzero(ys(b))));
                let (kv, ke) = (FormConstants::of(&gv), FormConstants::of(&ge));
                for &a in &moving {
                    for &b in &cols {
                        let xx = ip_both(&sc.ctx, xs(a), xs(b));
                        let xy = ip_both(&sc.ctx, xs(a), ys(b));
                        h[a * np + b] += scale
                            * (kv.h1(xx, pxv[a], pxv[b]) + kv.h2(xy, pxv[a], pyv[b])
                                - ke.h1(xx, pxe[a], pxe[b]));
                    }
                }
                sc.gv = gv.into_buf();
                sc.ge = ge.into_buf();
            }
        }
        // Symmetrise the rounding (the exact form is symmetric).
        for a in 0..np {
            for b in (a + 1)..np {
                let s = 0.5 * (h[a * np + b] + h[b * np + a]);
                h[a * np + b] = s;
                h[b * np + a] = s;
            }
        }
        if h.iter().any(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                what: "reduced two-layer Hessian",
            });
        }
        Ok(h)
    }

    /// The full $d\times d$ matrix $W(\xi)$ (row-major), classes occupying consecutive indices in
    /// order. Domain: integer class sizes with $d\le$ [`MAX_EMBED_DIMENSION`] (else
    /// [`Error::InvalidParameter`] naming `sizes`), reduced parameters as in [`Self::loss`].
    pub fn embed(&self, xi: &[f64]) -> Result<Vec<f64>> {
        self.check_len(xi)?;
        let d = self.dimension();
        if d > MAX_EMBED_DIMENSION {
            return Err(Error::InvalidParameter {
                name: "sizes",
                value: d,
                expected: "class sizes summing to d <= 4096 to form the full d x d matrix",
            });
        }
        let mut class_of = Vec::new();
        for (c, &n) in self.sizes.iter().enumerate() {
            if n.fract() != 0.0 || n > 1e6 {
                return Err(Error::InvalidParameter {
                    name: "sizes",
                    value: n,
                    expected: "integer class sizes (at most 1e6) to form the full matrix",
                });
            }
            class_of.extend(std::iter::repeat_n(c, n as usize));
        }
        let d = class_of.len();
        let mut w = vec![0.0; d * d];
        for i in 0..d {
            for a in 0..d {
                let (c, r) = (class_of[i], class_of[a]);
                w[i * d + a] = if i == a {
                    self.value(xi, Param::Diag(c))
                } else if c == r {
                    self.value(xi, Param::Off(c))
                } else {
                    self.value(xi, Param::Cross(c, r))
                };
            }
        }
        Ok(w)
    }

    /// Split class `class` into a remainder of size $n_c-\sum$`pieces` (kept at index `class`)
    /// and the given pieces (appended as new classes). Returns the finer partition.
    pub fn split(&self, class: usize, pieces: &[f64]) -> Result<Partition> {
        if class >= self.sizes.len() {
            return Err(Error::InvalidParameter {
                name: "class",
                value: class as f64,
                expected: "an existing class index",
            });
        }
        let mut sizes = self.sizes.clone();
        sizes[class] -= pieces.iter().sum::<f64>();
        sizes.extend_from_slice(pieces);
        PartitionParams { sizes }.check()
    }

    /// The linear embedding $\mathrm{Fix}(\text{coarse})\subset\mathrm{Fix}(\text{self})$ as a
    /// row-major $p_{\rm fine}\times p_{\rm coarse}$ 0/1 matrix; `parent[f]` is the coarse class
    /// containing fine class `f`, and the coarse sizes must be the sums of their fine sizes.
    pub fn embedding_from(&self, coarse: &Partition, parent: &[usize]) -> Result<Vec<f64>> {
        if parent.len() != self.sizes.len() || parent.iter().any(|&p| p >= coarse.sizes.len()) {
            return Err(Error::DimensionMismatch {
                what: "parent map of a refinement",
                expected: self.sizes.len(),
                found: parent.len(),
            });
        }
        for (cc, &n) in coarse.sizes.iter().enumerate() {
            let sum: f64 = (0..self.sizes.len())
                .filter(|&f| parent[f] == cc)
                .map(|f| self.sizes[f])
                .sum();
            if (sum - n).abs() > 1e-9 * n.max(1.0) {
                return Err(Error::InvalidParameter {
                    name: "sizes",
                    value: sum,
                    expected: "fine class sizes summing to the coarse class size",
                });
            }
        }
        let (pf, pc) = (self.params.len(), coarse.params.len());
        let mut j = vec![0.0; pf * pc];
        for (a, &p) in self.params.iter().enumerate() {
            let q = match p {
                Param::Diag(f) => Param::Diag(parent[f]),
                Param::Off(f) => Param::Off(parent[f]),
                Param::Cross(f, g) if parent[f] == parent[g] => Param::Off(parent[f]),
                Param::Cross(f, g) => Param::Cross(parent[f], parent[g]),
            };
            if let Some(b) = coarse.index_of(q) {
                j[a * pc + b] = 1.0;
            }
        }
        Ok(j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cell-list forms of the inner products, projections and Hessian forms give exactly
    /// the dense forms' numbers (the same nonzero terms in the same order; only the sign of an
    /// exact zero may differ, as a sum of no terms is $-0$), for every parameter, slot and pair
    /// context of three partitions.
    #[test]
    fn cell_list_forms_are_the_dense_forms() {
        for sizes in [vec![13.0, 6.0, 1.0], vec![5.5, 2.0], vec![3.0, 1.0, 1.0]] {
            let p = PartitionParams { sizes }.check().unwrap();
            let np = p.params().len();
            let xi: Vec<f64> = (0..np)
                .map(|a| 0.9 * ((a as f64) * 1.37 + 0.4).sin() + if a < 3 { 0.5 } else { 0.0 })
                .collect();
            let m = p.num_classes();
            let mut checked = 0;
            for c in 0..m {
                for r in 0..m {
                    let ctx = p.context(&[c, r]);
                    let w = p.neuron(&ctx, &xi, 0, c);
                    let v = p.neuron(&ctx, &xi, 1, r);
                    let Ok(g) = PairGeometry::new(&ctx, &w, &v) else {
                        continue;
                    };
                    let k = FormConstants::of(&g);
                    let (mut hx, mut rx, mut hy, mut ry) = (vec![], vec![], vec![], vec![]);
                    p.hit_lists_into(&ctx, 0, c, &mut hx, &mut rx);
                    p.hit_lists_into(&ctx, 1, r, &mut hy, &mut ry);
                    let mut one = Vec::new();
                    for a in 0..np {
                        let mut xa = Vec::new();
                        p.direction_into(&ctx, p.params()[a], 0, c, &mut xa);
                        let la = hits_of(&hx, &rx, a);
                        assert_eq!(la.is_some(), p.params()[a].moves(c));
                        if la.is_none() {
                            assert!(!is_nonzero(&xa));
                            continue;
                        }
                        hits_into(&ctx, p.params()[a], 0, c, &mut one);
                        assert_eq!(Some(&one[..]), la);
                        assert_eq!(ctx.ip_hits(&one, &w), ctx.ip(&xa, &w));
                        assert_eq!(g.grad_dot_hits(&ctx, &one), g.grad_dot(&ctx, &xa));
                        let (pa, qa) = (project_hits(&ctx, &g, la), project(&ctx, &g, &xa));
                        for (x, y) in [
                            (pa.w_unit, qa.w_unit),
                            (pa.r, qa.r),
                            (pa.a, qa.a),
                            (pa.b, qa.b),
                        ] {
                            assert_eq!(x, y);
                        }
                        for b in 0..np {
                            let (mut xb, mut yb) = (Vec::new(), Vec::new());
                            if p.params()[b].moves(c) {
                                p.direction_into(&ctx, p.params()[b], 0, c, &mut xb);
                            }
                            if p.params()[b].moves(r) {
                                p.direction_into(&ctx, p.params()[b], 1, r, &mut yb);
                            }
                            let (lb, mb) = (hits_of(&hx, &rx, b), hits_of(&hy, &ry, b));
                            let xx = ip_both(&ctx, la, lb);
                            let xy = ip_both(&ctx, la, mb);
                            assert_eq!(xx, ctx.ip(&xa, &xb));
                            assert_eq!(xy, ctx.ip(&xa, &yb));
                            let (pb, qb) = (project_hits(&ctx, &g, lb), project(&ctx, &g, &xb));
                            let (pyb, qyb) = (project_hits(&ctx, &g, mb), project(&ctx, &g, &yb));
                            assert_eq!(k.h1(xx, pa, pb), h1_form(&g, xx, qa, qb));
                            assert_eq!(k.h2(xy, pa, pyb), h2_form(&g, xy, qa, qyb));
                            checked += 1;
                        }
                    }
                }
            }
            assert!(checked > np * np, "{checked}");
        }
    }

    fn remainder_direct(c: f64) -> f64 {
        let j = ((1.0 - c * c).sqrt() + (PI - c.acos()) * c) / (2.0 * PI);
        j - 1.0 / (2.0 * PI) - c / 4.0 - c * c / (4.0 * PI)
    }

    #[test]
    fn kernel_remainder_series_matches_direct_form() {
        for c in [-0.49, -0.3, 0.1, 0.3, 0.4999] {
            let (s, d) = (kernel_remainder(c), remainder_direct(c));
            assert!((s - d).abs() < 1e-15, "{c}: {s} vs {d}");
        }
        // Leading term c^4 / (48 pi) for small c.
        let c: f64 = 1e-3;
        assert!((kernel_remainder(c) / (c.powi(4) / (48.0 * PI)) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn index_of_is_the_position_in_params() {
        for sizes in [
            vec![5.0],
            vec![13.0, 6.0, 1.0],
            vec![1.0, 2.5, 1.0, 4.0],
            vec![1.0, 1.0],
        ] {
            let p = PartitionParams { sizes }.check().unwrap();
            let m = p.num_classes();
            for (i, &q) in p.params().iter().enumerate() {
                assert_eq!(p.index_of(q), Some(i), "{q:?}");
            }
            // Parameters not in the layout.
            for c in 0..m + 1 {
                let off_absent = c >= m || p.sizes()[c] == 1.0;
                if off_absent {
                    assert_eq!(p.index_of(Param::Off(c)), None);
                }
                assert_eq!(p.index_of(Param::Cross(c, c)), None);
            }
            assert_eq!(p.index_of(Param::Diag(m)), None);
            assert_eq!(p.index_of(Param::Cross(0, m)), None);
        }
    }

    #[test]
    fn stable_and_direct_loss_agree() {
        let p = PartitionParams {
            sizes: vec![7.5, 2.0, 1.0],
        }
        .check()
        .unwrap();
        let xi: Vec<f64> = (0..p.params().len())
            .map(|i| 0.4 - 0.13 * (i % 5) as f64)
            .collect();
        let (a, b) = (p.loss(&xi).unwrap(), p.loss_direct(&xi).unwrap());
        assert!((a - b).abs() < 1e-13 * b.abs().max(1.0), "{a} vs {b}");
    }
}
