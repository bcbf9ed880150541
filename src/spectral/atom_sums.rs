//! Deterministic, runtime-dispatched SIMD sums over the atoms of a discrete spectrum.
//!
//! The $O(P)$ sums of the spectral engine — the $\kappa$ equation and the risk sums of
//! anisotropic ridge ([`crate::theory::ridge::AnisotropicRidge`]), Silverstein's map of
//! [`super::SampleCovariance`] — are sums $\sum_j t(s_j, a_j, b_j)$ of per-atom terms with one
//! division each. This module evaluates them with the widest vector instructions the CPU has
//! (AVX2/FMA or AVX-512 through [`pulp`]'s runtime dispatch; the baseline otherwise), and on
//! both cores for large $P$, with results that do **not** depend on the vector width or the
//! thread count (bit for bit):
//!
//! - inside a chunk of [`CHUNK`] atoms, [`LANES`] $= 8$ accumulators: lane $l$ sums, in order,
//!   the terms of the atoms $j \equiv l \pmod 8$ of the chunk (a $w$-wide vector unit holds
//!   $8/w$ vectors of lanes, $w \in \{1, 2, 4, 8\}$), then the lanes are added by the fixed tree
//!   $((l_0+l_1)+(l_2+l_3))+((l_4+l_5)+(l_6+l_7))$;
//! - the chunk sums (chunk boundaries at multiples of [`CHUNK`], independent of the threads)
//!   are added in chunk order with Neumaier's compensation;
//! - the terms use only correctly rounded IEEE operations, so every lane computes the same bits
//!   on every path: no `mul_add_e` (fused on some units, not on others; the width test fails
//!   with it) and no exact `mul_add` either (a slow software FMA on CPUs without one).
//!
//! For $P \ge$ [`PARALLEL_MIN`] the chunks are summed by rayon (in the current pool) and
//! combined in chunk order, so 1 and 2 threads give identical results.

use pulp::{Arch, Simd, WithSimd};
use rayon::prelude::*;

/// Accumulator lanes per chunk (fixed: the result does not depend on the SIMD width).
pub(crate) const LANES: usize = 8;
/// Atoms per chunk (chunk boundaries are multiples of this, independent of the threads).
pub(crate) const CHUNK: usize = 1024;
/// Atoms from which the chunks are summed in parallel.
pub(crate) const PARALLEL_MIN: usize = 1 << 16;

/// The `K` per-atom terms $t(s_j, a_j, b_j)$ of a sum, written once for every vector width
/// (`S::f64s` holds `S::F64_LANES` atoms; for [`pulp::Scalar`] it is one `f64`).
///
/// Implementations must use only `add`, `sub`, `mul`, `div`, `neg`, comparisons and `select`
/// (correctly rounded or exact lane-wise), so that all widths give the same bits.
pub(crate) trait AtomTerms<const K: usize>: Sync {
    /// The terms of the atoms in `s`, `a`, `b` (lane-wise).
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, b: S::f64s) -> [S::f64s; K];
}

/// Neumaier-compensated accumulator (for the chunk sums).
#[derive(Debug, Default, Clone, Copy)]
struct Compensated {
    sum: f64,
    carry: f64,
}

impl Compensated {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.carry += (self.sum - t) + x;
        } else {
            self.carry += (x - t) + self.sum;
        }
        self.sum = t;
    }
    fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// The fixed reduction tree of the lanes.
#[inline(always)]
fn lane_tree(l: &[f64; LANES]) -> f64 {
    ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
}

/// The [`LANES`] lane sums of one chunk on the vector unit `simd` (any width dividing 8).
#[inline(always)]
fn chunk_lanes<S: Simd, T: AtomTerms<K>, const K: usize>(
    simd: S,
    s: &[f64],
    a: &[f64],
    b: &[f64],
    terms: &T,
) -> [[f64; LANES]; K] {
    let width = S::F64_LANES;
    let groups = LANES / width;
    let n = s.len().min(a.len()).min(b.len());
    let m = n / LANES * LANES;
    let (sv, _) = S::as_simd_f64s(&s[..m]);
    let (av, _) = S::as_simd_f64s(&a[..m]);
    let (bv, _) = S::as_simd_f64s(&b[..m]);
    let zero = simd.splat_f64s(0.0);
    let mut acc = [[zero; LANES]; K];
    if width * groups == LANES {
        for ((sg, ag), bg) in sv
            .chunks_exact(groups)
            .zip(av.chunks_exact(groups))
            .zip(bv.chunks_exact(groups))
        {
            for v in 0..groups {
                let t = terms.terms(simd, sg[v], ag[v], bg[v]);
                for k in 0..K {
                    acc[k][v] = simd.add_f64s(acc[k][v], t[k]);
                }
            }
        }
    }
    let mut out = [[0.0f64; LANES]; K];
    if width * groups == LANES {
        for k in 0..K {
            for v in 0..groups {
                simd.partial_store_f64s(&mut out[k][v * width..(v + 1) * width], acc[k][v]);
            }
        }
    } else {
        // A width that does not divide 8 (none exists today): one atom at a time.
        for (j, ((&sj, &aj), &bj)) in s[..m].iter().zip(&a[..m]).zip(&b[..m]).enumerate() {
            let t = terms.terms(pulp::Scalar, sj, aj, bj);
            for k in 0..K {
                out[k][j % LANES] += t[k];
            }
        }
    }
    // The last n - m < 8 atoms: atom m + l goes to lane l (m is a multiple of 8).
    for (l, ((&sj, &aj), &bj)) in s[m..n].iter().zip(&a[m..n]).zip(&b[m..n]).enumerate() {
        let t = terms.terms(pulp::Scalar, sj, aj, bj);
        for k in 0..K {
            out[k][l] += t[k];
        }
    }
    out
}

/// One chunk's sums as a [`WithSimd`] operation.
struct ChunkSum<'a, T, const K: usize> {
    s: &'a [f64],
    a: &'a [f64],
    b: &'a [f64],
    terms: &'a T,
}

impl<T: AtomTerms<K>, const K: usize> WithSimd for ChunkSum<'_, T, K> {
    type Output = [f64; K];
    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> [f64; K] {
        chunk_lanes(simd, self.s, self.a, self.b, self.terms).map(|l| lane_tree(&l))
    }
}

/// A chunk's sums on a given vector unit (tests compare the widths).
#[cfg(test)]
fn chunk_sum_on<S: Simd, T: AtomTerms<K>, const K: usize>(
    simd: S,
    s: &[f64],
    a: &[f64],
    b: &[f64],
    terms: &T,
) -> [f64; K] {
    simd.vectorize(ChunkSum { s, a, b, terms })
}

/// $\sum_j t(s_j, a_j, b_j)$ for the `K` terms of `terms` over the common length of the slices
/// (see the [module documentation](self) for the order of the additions).
pub(crate) fn sums<const K: usize, T: AtomTerms<K>>(
    s: &[f64],
    a: &[f64],
    b: &[f64],
    terms: &T,
) -> [f64; K] {
    let n = s.len().min(a.len()).min(b.len());
    let (s, a, b) = (&s[..n], &a[..n], &b[..n]);
    let arch = Arch::new();
    let chunk =
        |((s, a), b): ((&[f64], &[f64]), &[f64])| arch.dispatch(ChunkSum { s, a, b, terms });
    let mut total = [Compensated::default(); K];
    if n >= PARALLEL_MIN {
        let parts: Vec<[f64; K]> = s
            .par_chunks(CHUNK)
            .zip(a.par_chunks(CHUNK))
            .zip(b.par_chunks(CHUNK))
            .map(chunk)
            .collect();
        for part in parts {
            for k in 0..K {
                total[k].add(part[k]);
            }
        }
    } else {
        for part in s
            .chunks(CHUNK)
            .zip(a.chunks(CHUNK))
            .zip(b.chunks(CHUNK))
            .map(chunk)
        {
            for k in 0..K {
                total[k].add(part[k]);
            }
        }
    }
    total.map(|t| t.value())
}

/// The scalar reference of [`sums`]: the same lanes, tree and chunk order, one atom at a time
/// (tests compare it bit for bit with the dispatched kernel).
#[cfg(test)]
pub(crate) fn sums_reference<const K: usize, T: AtomTerms<K>>(
    s: &[f64],
    a: &[f64],
    b: &[f64],
    terms: &T,
) -> [f64; K] {
    let n = s.len().min(a.len()).min(b.len());
    let mut total = [Compensated::default(); K];
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let mut lanes = [[0.0f64; LANES]; K];
        for j in start..end {
            let t = terms.terms(pulp::Scalar, s[j], a[j], b[j]);
            for k in 0..K {
                lanes[k][(j - start) % LANES] += t[k];
            }
        }
        for k in 0..K {
            total[k].add(lane_tree(&lanes[k]));
        }
    }
    total.map(|t| t.value())
}

/// $[\sum_{s_j > 0} a_j, \sum_j a_j s_j]$ (`b` unused): the positive share and the mean.
pub(crate) struct ShareAndMean;

impl AtomTerms<2> for ShareAndMean {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, _b: S::f64s) -> [S::f64s; 2] {
        let zero = simd.splat_f64s(0.0);
        let pos = simd.select_f64s(simd.greater_than_f64s(s, zero), a, zero);
        [pos, simd.mul_f64s(a, s)]
    }
}

/// $[\sum_j a_j s_j]$ (`b` unused).
pub(crate) struct Moment;

impl AtomTerms<1> for Moment {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, _b: S::f64s) -> [S::f64s; 1] {
        [simd.mul_f64s(a, s)]
    }
}

/// The per-atom quantities of the $\kappa$ equation: $q = s/(s+\kappa)$, $k = \kappa/(s+\kappa)$
/// (one division), the first sum's term ($[s > 0]\,w k$ if `shifted`, else $w q$) and $wqk$.
#[inline(always)]
fn kappa_atom<S: Simd>(simd: S, kappa: f64, shifted: bool, s: S::f64s, w: S::f64s) -> [S::f64s; 5] {
    let kap = simd.splat_f64s(kappa);
    let r = simd.div_f64s(simd.splat_f64s(1.0), simd.add_f64s(s, kap));
    let q = simd.mul_f64s(s, r);
    let k = simd.mul_f64s(kap, r);
    let wq = simd.mul_f64s(w, q);
    let first = if shifted {
        let zero = simd.splat_f64s(0.0);
        let pos = simd.select_f64s(simd.greater_than_f64s(s, zero), w, zero);
        simd.mul_f64s(pos, k)
    } else {
        wq
    };
    let wqk = simd.mul_f64s(wq, k);
    [q, k, wq, first, wqk]
}

/// The $\kappa$ equation's sums at $\kappa > 0$ (weights in `a`, `b` unused):
/// $[Q, \sum_j w_jq_jk_j, \sum_j w_jq_jk_j(q_j - k_j)]$ with $Q = \sum_{s_j>0} w_jk_j$ if
/// `shifted`, else $\sum_j w_jq_j$.
pub(crate) struct KappaSums {
    pub kappa: f64,
    pub shifted: bool,
}

impl AtomTerms<3> for KappaSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, _b: S::f64s) -> [S::f64s; 3] {
        let [q, k, _, first, wqk] = kappa_atom(simd, self.kappa, self.shifted, s, a);
        [first, wqk, simd.mul_f64s(wqk, simd.sub_f64s(q, k))]
    }
}

/// The risk sums alone (weights in `a`, signal shares in `b`):
/// $[\sum wq^2, \sum wqk, \sum wq, \sum c s k^2]$.
pub(crate) struct RiskSums {
    pub kappa: f64,
}

impl AtomTerms<4> for RiskSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, b: S::f64s) -> [S::f64s; 4] {
        let [q, k, wq, _, wqk] = kappa_atom(simd, self.kappa, false, s, a);
        let csk = simd.mul_f64s(simd.mul_f64s(b, s), k);
        [simd.mul_f64s(wq, q), wqk, wq, simd.mul_f64s(csk, k)]
    }
}

/// The one-pass sums of the anisotropic ridge solver at $\kappa_0 > 0$ (weights in `a`,
/// signal shares in `b`): with $q = s/(s+\kappa_0)$, $k = \kappa_0/(s+\kappa_0)$,
/// $[Q, D_1, D_2, E_0, F_0, F_1]$ where $Q = \sum_{s>0} w k$, $D_n = \sum w q k^n$,
/// $E_0 = \sum w q^2$, $F_n = \sum c s k^{n+2}$: the values and the Taylor coefficients in
/// $\kappa$ of the $\kappa$ equation and of the risk sums ($D_0 = E_0 + D_1$ and
/// $E_1 = D_1 - D_2$ follow, since $q + k = 1$ on positive atoms).
pub(crate) struct KappaTaylorSums {
    pub kappa: f64,
}

impl AtomTerms<6> for KappaTaylorSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, a: S::f64s, b: S::f64s) -> [S::f64s; 6] {
        let kap = simd.splat_f64s(self.kappa);
        let zero = simd.splat_f64s(0.0);
        let r = simd.div_f64s(simd.splat_f64s(1.0), simd.add_f64s(s, kap));
        let q = simd.mul_f64s(s, r);
        let k = simd.mul_f64s(kap, r);
        let pos = simd.select_f64s(simd.greater_than_f64s(s, zero), a, zero);
        let wq = simd.mul_f64s(a, q);
        let d1 = simd.mul_f64s(wq, k);
        let f0 = simd.mul_f64s(simd.mul_f64s(simd.mul_f64s(b, s), k), k);
        [
            simd.mul_f64s(pos, k),
            d1,
            simd.mul_f64s(d1, k),
            simd.mul_f64s(wq, q),
            f0,
            simd.mul_f64s(f0, k),
        ]
    }
}

/// Silverstein's map sums at $\underline m = m_r + i m_i$ (weights in `a`, `b` unused): with
/// $d = 1 + s\underline m$ and $t = s/d = s\bar d/|d|^2$ (one real division),
/// $[\operatorname{Re}\sum wt, -\operatorname{Im}\sum wt, \operatorname{Re}\sum wt^2,
/// -\tfrac12\operatorname{Im}\sum wt^2]$ (the signs and the factor 2 are exact on the sums).
pub(crate) struct SilversteinSums {
    pub mr: f64,
    pub mi: f64,
}

impl AtomTerms<4> for SilversteinSums {
    /// Terms $[w t_r, w t_i', w(t_r^2 - t_i'^2), w t_r t_i']$ with $t_i' = -\operatorname{Im} t$:
    /// the caller negates the second and multiplies the fourth by $-2$ (both exact on the sums).
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, w: S::f64s, _b: S::f64s) -> [S::f64s; 4] {
        let dr = simd.add_f64s(
            simd.splat_f64s(1.0),
            simd.mul_f64s(s, simd.splat_f64s(self.mr)),
        );
        let di = simd.mul_f64s(s, simd.splat_f64s(self.mi));
        let den = simd.add_f64s(simd.mul_f64s(dr, dr), simd.mul_f64s(di, di));
        let sq = simd.div_f64s(s, den);
        let tr = simd.mul_f64s(dr, sq);
        let ti = simd.mul_f64s(di, sq);
        let ar = simd.mul_f64s(w, tr);
        let ai = simd.mul_f64s(w, ti);
        [
            ar,
            ai,
            simd.sub_f64s(simd.mul_f64s(ar, tr), simd.mul_f64s(ai, ti)),
            simd.mul_f64s(ar, ti),
        ]
    }
}

/// The companion-to-$m$ sums at $\underline m = m_r + i m_i$ (weights in `a`, `b` unused): with
/// $d = 1 + s\underline m$, $[\operatorname{Re}\sum w/d, \operatorname{Im}\sum w/d]$
/// ($w/d = w\bar d/|d|^2$, one real division).
pub(crate) struct ResolventSums {
    pub mr: f64,
    pub mi: f64,
}

impl AtomTerms<2> for ResolventSums {
    #[inline(always)]
    fn terms<S: Simd>(&self, simd: S, s: S::f64s, w: S::f64s, _b: S::f64s) -> [S::f64s; 2] {
        let dr = simd.add_f64s(
            simd.splat_f64s(1.0),
            simd.mul_f64s(s, simd.splat_f64s(self.mr)),
        );
        let di = simd.mul_f64s(s, simd.splat_f64s(self.mi));
        let den = simd.add_f64s(simd.mul_f64s(dr, dr), simd.mul_f64s(di, di));
        let r = simd.div_f64s(w, den);
        [simd.mul_f64s(dr, r), simd.neg_f64s(simd.mul_f64s(di, r))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spread of atoms (including zeros, tiny and huge eigenvalues) of length `n`.
    fn atoms(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let s = (0..n)
            .map(|j| {
                if j % 37 == 5 {
                    0.0
                } else {
                    (40.0 * next() - 20.0).exp()
                }
            })
            .collect();
        let w = (0..n).map(|_| next() / n as f64).collect();
        let c = (0..n).map(|_| next() / n as f64).collect();
        (s, w, c)
    }

    fn bits<const K: usize>(v: [f64; K]) -> [u64; K] {
        v.map(f64::to_bits)
    }

    /// Every vector width (1, 2, 4, 8 emulated; the CPU's own) gives the scalar reference's bits.
    #[allow(clippy::type_complexity)]
    fn all_widths<const K: usize, T: AtomTerms<K>>(terms: &T) {
        for n in [0usize, 1, 7, 8, 9, 31, 1000, 4095, 4096, 4097, 9001] {
            let (s, w, c) = atoms(n);
            let reference = bits(sums_reference(&s, &w, &c, terms));
            let one_chunk = |f: &dyn Fn(&[f64], &[f64], &[f64]) -> [f64; K]| {
                let mut total = [Compensated::default(); K];
                for start in (0..n).step_by(CHUNK) {
                    let end = (start + CHUNK).min(n);
                    let part = f(&s[start..end], &w[start..end], &c[start..end]);
                    for k in 0..K {
                        total[k].add(part[k]);
                    }
                }
                bits(total.map(|t| t.value()))
            };
            let widths: [(&str, [u64; K]); 5] = [
                (
                    "scalar",
                    one_chunk(&|s, a, b| chunk_sum_on(pulp::Scalar, s, a, b, terms)),
                ),
                (
                    "128b",
                    one_chunk(&|s, a, b| chunk_sum_on(pulp::Scalar128b, s, a, b, terms)),
                ),
                (
                    "256b",
                    one_chunk(&|s, a, b| chunk_sum_on(pulp::Scalar256b, s, a, b, terms)),
                ),
                (
                    "512b",
                    one_chunk(&|s, a, b| chunk_sum_on(pulp::Scalar512b, s, a, b, terms)),
                ),
                ("dispatched", bits(sums(&s, &w, &c, terms))),
            ];
            for (name, got) in widths {
                assert_eq!(got, reference, "{name}, n = {n}");
            }
            #[cfg(target_arch = "x86_64")]
            if let Some(v3) = pulp::x86::V3::try_new() {
                assert_eq!(
                    one_chunk(&|s, a, b| chunk_sum_on(v3, s, a, b, terms)),
                    reference,
                    "AVX2, n = {n}"
                );
            }
            #[cfg(target_arch = "x86_64")]
            if let Some(v2) = pulp::x86::V2::try_new() {
                assert_eq!(
                    one_chunk(&|s, a, b| chunk_sum_on(v2, s, a, b, terms)),
                    reference,
                    "SSE4.2, n = {n}"
                );
            }
        }
    }

    #[test]
    fn widths_are_bit_identical() {
        all_widths(&ShareAndMean);
        all_widths(&Moment);
        for kappa in [1e-9, 0.3, 7.0, 1e12] {
            for shifted in [false, true] {
                all_widths(&KappaSums { kappa, shifted });
            }
            all_widths(&RiskSums { kappa });
            all_widths(&KappaTaylorSums { kappa });
        }
        for (mr, mi) in [(0.3, 1e-9), (-2.0, 0.5), (1e3, 1e-3)] {
            all_widths(&SilversteinSums { mr, mi });
            all_widths(&ResolventSums { mr, mi });
        }
    }

    #[test]
    fn threads_are_bit_identical() {
        let (s, w, c) = atoms(3 * PARALLEL_MIN + 123);
        let terms = KappaTaylorSums { kappa: 0.01 };
        let reference = bits(sums_reference(&s, &w, &c, &terms));
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| e.to_string());
            let Ok(pool) = pool else {
                panic!("thread pool: {pool:?}");
            };
            let got = pool.install(|| bits(sums(&s, &w, &c, &terms)));
            assert_eq!(got, reference, "{threads} threads");
        }
    }

    /// The sums agree with a naive compensated evaluation of the same formulas.
    #[test]
    fn values_match_naive_sums() {
        let (s, w, c) = atoms(5000);
        let kappa = 0.05;
        let [a2, kt2, t1, bsum] = sums(&s, &w, &c, &RiskSums { kappa });
        let naive = |f: &dyn Fn(f64, f64, f64) -> f64| {
            let mut t = Compensated::default();
            for j in 0..s.len() {
                t.add(f(s[j], w[j], c[j]));
            }
            t.value()
        };
        let rel = |x: f64, y: f64| (x - y).abs() / y.abs();
        assert!(rel(a2, naive(&|s, w, _| w * (s / (s + kappa)).powi(2))) < 1e-14);
        assert!(rel(kt2, naive(&|s, w, _| w * s * kappa / (s + kappa).powi(2))) < 1e-14);
        assert!(rel(t1, naive(&|s, w, _| w * s / (s + kappa))) < 1e-14);
        assert!(
            rel(
                bsum,
                naive(&|s, _, c| c * s * (kappa / (s + kappa)).powi(2))
            ) < 1e-14
        );
        let (mr, mi) = (0.4, 0.2);
        let [ar, ai, br, bi] = sums(&s, &w, &c, &SilversteinSums { mr, mi });
        let (ai, bi) = (-ai, -2.0 * bi);
        let m = num_complex::Complex64::new(mr, mi);
        let zero = num_complex::Complex64::new(0.0, 0.0);
        let (mut a, mut b) = (zero, zero);
        for j in 0..s.len() {
            let t = s[j] / (1.0 + s[j] * m);
            a += w[j] * t;
            b += w[j] * t * t;
        }
        assert!(rel(ar, a.re) < 1e-13 && rel(ai, a.im) < 1e-13);
        assert!(rel(br, b.re) < 1e-13 && rel(bi, b.im) < 1e-13);
        let [rr, ri] = sums(&s, &w, &c, &ResolventSums { mr, mi });
        let mut r = zero;
        for j in 0..s.len() {
            r += w[j] / (1.0 + s[j] * m);
        }
        assert!(rel(rr, r.re) < 1e-13 && rel(ri, r.im) < 1e-13);
    }
}
