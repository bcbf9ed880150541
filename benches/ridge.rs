//! Criterion benches for the isotropic ridge theory ([`overparam::theory::ridge`]).
//!
//! Groups: `ridge/point_cold` (validation plus the closed-form risk at one point) and
//! `ridge/curve_1000` (1000 points over $\gamma \in [0.1, 10]$ at fixed $\lambda$). The risk is a
//! closed form in the Marchenko–Pastur transform: there is no iteration and nothing to warm-start,
//! so there is no `ridge/point_warm` (see `docs/performance.md`).
//!
//! Group `ridge_anisotropic` (issue 15): one cold point of the anisotropic deterministic
//! equivalent (validation, the certified kappa solve and the risk) for the power law
//! $s_k = k^{-1.5}$, signal $c_k \propto k^{-1}$, with $P = 10^4$ and $10^6$ atoms, at
//! $\gamma = 2$, $\lambda = 10^{-2}$, snr 4 (`point_cold_1e4`, `point_cold_1e6`); the NumPy/SciPy
//! reference of the same equations is `benches/reference/ridge.py`.
//!
//! A cold point is `check()` + `risk()` with the population already built and its certified
//! compressed rule built (`Population::build_certified_rule`, as for a curve: the CLI and the
//! Python package build it for runs of 64 points or more): no pass in `check` (the population caches $w_+$,
//! $\sum_j w_js_j$), the start on the rule's octave Gauss rule (about 150 nodes), then one
//! certified pass over the rule (about 800 nodes per measure). `population_1e4`,
//! `population_1e6`: building the population (`Population::power_law`, the eager cache, not the
//! rule); `population_rule_1e4`, `population_rule_1e6`: the same plus the certified rule.
//!
//! `one_shot_1e4`, `one_shot_1e6`: what a user computing **one** point pays: building the
//! population and one point (check and risk; the point passes over the atoms, the rule is not
//! built); the NumPy one-shot (building the arrays, then the point) is in the same script.
//!
//! Group `ridge_anisotropic_floor`: the floor of one pass over the atoms, $\sum_j w_j/(s_j+\kappa)$
//! (one division per atom and nothing else) with the same runtime-dispatched SIMD (pulp, 8
//! lanes) on one thread, for $P = 10^4$ and $10^6$ (`one_pass_1e4`, `one_pass_1e6`): the lower
//! bound of any method that certifies its answer against every atom (docs/performance.md).
//!
//! Run: `cargo bench --bench ridge`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::spectral::Population;
use overparam::theory::ridge::{AnisotropicRidge, Ridge};

/// The benchmarked point: overparameterised ($\gamma = 2$), light ridge, SNR 4.
const POINT: (f64, f64, f64) = (2.0, 0.1, 4.0);

fn ridge(c: &mut Criterion) {
    eprintln!("iterations: ridge point_cold 0 (closed form)");
    let mut group = c.benchmark_group("ridge");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let (gamma, lambda, snr) = POINT;
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            Ridge::new(black_box(gamma), black_box(lambda), black_box(snr))
                .check()
                .and_then(|m| m.risk())
                .map(|r| r.test_error)
        })
    });
    // gamma = 1 is included exactly only if the grid hits it; lambda > 0 keeps it finite anyway.
    let grid = log_spaced(0.1, 10.0, 1000).expect("valid grid");
    group.bench_function("curve_1000", |b| {
        b.iter(|| {
            black_box(&grid)
                .iter()
                .map(|&g| {
                    Ridge::new(g, lambda, snr)
                        .check()
                        .and_then(|m| m.risk())
                        .map(|r| r.test_error)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    });
    // The spectral-integral route (Gauss–Legendre against the Marchenko–Pastur density), the
    // independent check of the closed form, for the speed ratio.
    let model = Ridge::new(gamma, lambda, snr)
        .check()
        .expect("valid ridge parameters");
    group.bench_function("point_spectral_integral_64", |b| {
        b.iter(|| {
            black_box(&model)
                .risk_via_spectral_integral(64)
                .map(|r| r.test_error)
        })
    });
    group.finish();
}

fn ridge_anisotropic(c: &mut Criterion) {
    let mut group = c.benchmark_group("ridge_anisotropic");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for (name, atoms) in [
        ("point_cold_1e4", 10_000usize),
        ("point_cold_1e6", 1_000_000),
    ] {
        let population = Population::power_law(1.5, 1.0, atoms).expect("valid power law");
        let has_rule = population.build_certified_rule();
        let params = AnisotropicRidge::new(population, 2.0, 0.01, 4.0);
        let r = params
            .check()
            .and_then(|m| m.risk())
            .expect("valid anisotropic ridge");
        eprintln!(
            "iterations: ridge_anisotropic {name} {} (test error {:.12}, kappa {:.12e}, rule {has_rule})",
            r.solve.iterations, r.test_error, r.kappa
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&params)
                    .check()
                    .and_then(|m| m.risk())
                    .map(|r| r.test_error)
            })
        });
    }
    for (name, atoms) in [
        ("population_1e4", 10_000usize),
        ("population_1e6", 1_000_000),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| Population::power_law(1.5, 1.0, black_box(atoms)).map(|p| p.len()))
        });
    }
    for (name, atoms) in [
        ("population_rule_1e4", 10_000usize),
        ("population_rule_1e6", 1_000_000),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                Population::power_law(1.5, 1.0, black_box(atoms))
                    .map(|p| (p.build_certified_rule(), p.len()))
            })
        });
    }
    for (name, atoms) in [("one_shot_1e4", 10_000usize), ("one_shot_1e6", 1_000_000)] {
        let r = Population::power_law(1.5, 1.0, atoms)
            .and_then(|p| AnisotropicRidge::new(p, 2.0, 0.01, 4.0).check())
            .and_then(|m| m.risk())
            .expect("valid anisotropic ridge");
        eprintln!(
            "iterations: ridge_anisotropic {name} {} (test error {:.12}, kappa {:.12e})",
            r.solve.iterations, r.test_error, r.kappa
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                Population::power_law(1.5, 1.0, black_box(atoms))
                    .and_then(|p| AnisotropicRidge::new(p, 2.0, 0.01, 4.0).check())
                    .and_then(|m| m.risk())
                    .map(|r| r.test_error)
            })
        });
    }
    group.finish();
}

/// One pass $\sum_j w_j/(s_j+\kappa)$ in 8 lanes on the vector unit `simd`.
struct OnePass<'a> {
    s: &'a [f64],
    w: &'a [f64],
    kappa: f64,
}

impl pulp::WithSimd for OnePass<'_> {
    type Output = f64;
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> f64 {
        let groups = 8 / S::F64_LANES;
        let m = self.s.len() / 8 * 8;
        let (sv, _) = S::as_simd_f64s(&self.s[..m]);
        let (wv, _) = S::as_simd_f64s(&self.w[..m]);
        let kap = simd.splat_f64s(self.kappa);
        let mut acc = [simd.splat_f64s(0.0); 8];
        for (sg, wg) in sv.chunks_exact(groups).zip(wv.chunks_exact(groups)) {
            for v in 0..groups {
                let t = simd.div_f64s(wg[v], simd.add_f64s(sg[v], kap));
                acc[v] = simd.add_f64s(acc[v], t);
            }
        }
        let mut total: f64 = acc[..groups].iter().map(|&a| simd.reduce_sum_f64s(a)).sum();
        for (s, w) in self.s[m..].iter().zip(&self.w[m..]) {
            total += w / (s + self.kappa);
        }
        total
    }
}

fn ridge_anisotropic_floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("ridge_anisotropic_floor");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let arch = pulp::Arch::new();
    eprintln!("iterations: ridge_anisotropic_floor dispatch {arch:?}");
    for (name, atoms) in [("one_pass_1e4", 10_000usize), ("one_pass_1e6", 1_000_000)] {
        let pop = Population::power_law(1.5, 1.0, atoms).expect("valid power law");
        let (s, w) = (pop.eigenvalues().to_vec(), pop.weights().to_vec());
        group.bench_function(name, |b| {
            b.iter(|| {
                arch.dispatch(OnePass {
                    s: black_box(&s),
                    w: black_box(&w),
                    kappa: black_box(0.01),
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, ridge, ridge_anisotropic, ridge_anisotropic_floor);
criterion_main!(benches);
