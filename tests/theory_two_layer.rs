//! Two-layer ReLU teacher–student: closed forms against finite differences and Monte Carlo,
//! reduced model against the full model, block spectra against a dense eigendecomposition (faer),
//! and the reference values of docs/two_layer.md#derivation-notes-global-minimum, #derivation-notes-reference-values, #derivation-notes-type-a (Arjevani & Field 2020, arXiv:2008.01805).

use overparam::theory::two_layer::critical::{
    Family, ReducedNewtonOptions, critical_point, reduced_newton,
};
use overparam::theory::two_layer::kernel::{Teacher, TeacherParams};
use overparam::theory::two_layer::spectrum::{Component, block_spectrum};
use overparam::theory::two_layer::symmetry::PartitionParams;
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::f64::consts::PI;

fn normal_vec(rng: &mut Xoshiro256PlusPlus, n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| scale * rng.sample::<f64, _>(StandardNormal))
        .collect()
}

fn random_problem(seed: u64, k: usize, kt: usize, d: usize) -> (Teacher, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let v = normal_vec(&mut rng, kt * d, 1.0);
    let w = normal_vec(&mut rng, k * d, 1.0);
    let t = TeacherParams {
        weights: v,
        input_dim: d,
    }
    .check()
    .unwrap();
    (t, w)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn gradient_matches_central_differences() {
    for (seed, k, kt, d) in [(1, 4, 3, 5), (2, 6, 6, 6), (3, 2, 5, 3)] {
        let (t, w) = random_problem(seed, k, kt, d);
        let g = t.gradient(&w).unwrap();
        let eps = 1e-6;
        let fd: Vec<f64> = (0..w.len())
            .map(|i| {
                let (mut p, mut m) = (w.clone(), w.clone());
                p[i] += eps;
                m[i] -= eps;
                (t.loss(&p).unwrap() - t.loss(&m).unwrap()) / (2.0 * eps)
            })
            .collect();
        let err = max_abs_diff(&g, &fd);
        println!("gradient FD error {err:e}");
        assert!(err < 1e-7, "seed {seed}: gradient vs FD error {err:e}");
    }
}

fn hessian_fd_error(t: &Teacher, w: &[f64]) -> f64 {
    let h = t.hessian(w).unwrap();
    let n = w.len();
    let eps = 1e-6;
    let mut err = 0.0f64;
    for j in 0..n {
        let (mut p, mut m) = (w.to_vec(), w.to_vec());
        p[j] += eps;
        m[j] -= eps;
        let (gp, gm) = (t.gradient(&p).unwrap(), t.gradient(&m).unwrap());
        for i in 0..n {
            err = err.max((h[i * n + j] - (gp[i] - gm[i]) / (2.0 * eps)).abs());
        }
    }
    err
}

#[test]
fn hessian_matches_differences_and_is_symmetric() {
    for (seed, k, kt, d) in [(4, 4, 3, 5), (5, 3, 3, 4)] {
        let (t, w) = random_problem(seed, k, kt, d);
        let err = hessian_fd_error(&t, &w);
        println!("Hessian FD error {err:e}");
        assert!(err < 1e-7, "seed {seed}: Hessian vs FD error {err:e}");
        let h = t.hessian(&w).unwrap();
        let n = w.len();
        let asym = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .fold(0.0f64, |m, (i, j)| {
                m.max((h[i * n + j] - h[j * n + i]).abs())
            });
        assert!(asym < 1e-15, "asymmetry {asym:e}");
    }
    // Parallel pairs (W = V = I, theta = 0) and an antiparallel pair (theta = pi): the limits.
    let t = Teacher::identity(4).unwrap();
    let mut w = t.weights().to_vec();
    // F is C^2 but not C^3 at theta = 0, so the central-difference error is O(eps) there.
    let e0 = hessian_fd_error(&t, &w);
    assert!(e0 < 1e-6, "W = I: Hessian FD error {e0:e}");
    // Row 0 = (1.3, 0, 0, 0) and row 1 = (-0.9, 0, 0, 0): antiparallel to each other and to e_0.
    w[0] = 1.3;
    w[4] = -0.9;
    w[5] = 0.0;
    let err = hessian_fd_error(&t, &w);
    assert!(err < 1e-6, "antiparallel Hessian FD error {err:e}");
}

#[test]
fn homogeneity_identity() {
    // H vec(W) equals the gradient of the student-student part alone (teacher = 0).
    let (t, w) = random_problem(6, 5, 4, 4);
    let h = t.hessian(&w).unwrap();
    let n = w.len();
    let hw: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i * n + j] * w[j]).sum())
        .collect();
    let zero = TeacherParams {
        weights: vec![0.0; 4],
        input_dim: 4,
    }
    .check()
    .unwrap();
    let g0 = zero.gradient(&w).unwrap();
    let err = max_abs_diff(&hw, &g0);
    assert!(err < 1e-13, "homogeneity identity error {err:e}");
}

#[test]
fn invariance_under_permutations() {
    let d = 5;
    let t = Teacher::identity(d).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let w = normal_vec(&mut rng, d * d, 0.6);
    let pi = [3usize, 0, 4, 1, 2];
    // (pi, pi) . W : rows and columns permuted by the same permutation.
    let pw: Vec<f64> = (0..d * d)
        .map(|idx| w[pi[idx / d] * d + pi[idx % d]])
        .collect();
    let (f, fp) = (t.loss(&w).unwrap(), t.loss(&pw).unwrap());
    assert!((f - fp).abs() < 1e-13, "{f} vs {fp}");
    let (g, gp) = (t.gradient(&w).unwrap(), t.gradient(&pw).unwrap());
    for idx in 0..d * d {
        assert!((gp[idx] - g[pi[idx / d] * d + pi[idx % d]]).abs() < 1e-13);
    }
    let (h, hp) = (t.hessian(&w).unwrap(), t.hessian(&pw).unwrap());
    let n = d * d;
    let perm = |idx: usize| pi[idx / d] * d + pi[idx % d];
    for a in 0..n {
        for b in 0..n {
            assert!((hp[a * n + b] - h[perm(a) * n + perm(b)]).abs() < 1e-13);
        }
    }
    // Row permutations alone (any teacher): F is invariant.
    let (t2, w2) = random_problem(8, 4, 3, 5);
    let rows = [2usize, 0, 3, 1];
    let w2p: Vec<f64> = (0..20).map(|idx| w2[rows[idx / 5] * 5 + idx % 5]).collect();
    assert!((t2.loss(&w2).unwrap() - t2.loss(&w2p).unwrap()).abs() < 1e-13);
}

#[test]
fn loss_matches_monte_carlo() {
    let (d, k, kt) = (5, 4, 3);
    let (t, w) = random_problem(9, k, kt, d);
    let exact = t.loss(&w).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2024);
    let samples = 400_000;
    let (mut s, mut s2) = (0.0, 0.0);
    let v = t.weights();
    for _ in 0..samples {
        let x = normal_vec(&mut rng, d, 1.0);
        let f = |m: &[f64], rows: usize| -> f64 {
            (0..rows)
                .map(|i| (0..d).map(|a| m[i * d + a] * x[a]).sum::<f64>().max(0.0))
                .sum()
        };
        let e = 0.5 * (f(&w, k) - f(v, kt)).powi(2);
        s += e;
        s2 += e * e;
    }
    let mean = s / samples as f64;
    let se = ((s2 / samples as f64 - mean * mean) / samples as f64).sqrt();
    println!("MC {mean} +- {se}, exact {exact}");
    assert!(
        (mean - exact).abs() < 3.0 * se,
        "MC {mean} +- {se} vs exact {exact}"
    );
}

#[test]
fn zero_neuron_is_a_typed_error() {
    let t = Teacher::identity(3).unwrap();
    let mut w = t.weights().to_vec();
    w[3..6].iter_mut().for_each(|x| *x = 0.0);
    assert!(t.loss(&w).unwrap().is_finite());
    assert!(t.gradient(&w).is_err());
    assert!(t.hessian(&w).is_err());
    assert!(t.loss(&[1.0, 2.0]).is_err());
    let p = PartitionParams { sizes: vec![3.0] }.check().unwrap();
    assert!(p.gradient(&[0.0, 0.0]).is_err());
    assert!(PartitionParams { sizes: vec![0.5] }.check().is_err());
}

#[test]
fn reduced_model_matches_full_model() {
    let p = PartitionParams {
        sizes: vec![4.0, 2.0, 1.0],
    }
    .check()
    .unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let xi = normal_vec(&mut rng, p.params().len(), 0.5);
    let w = p.embed(&xi).unwrap();
    let t = Teacher::identity(7).unwrap();
    assert!((p.loss(&xi).unwrap() - t.loss(&w).unwrap()).abs() < 1e-13);
    // The full gradient is in the fixed space; its block values are G^{-1} grad F_red.
    let gf = t.gradient(&w).unwrap();
    let gfix = p.fix_gradient(&xi).unwrap();
    let gw = p.embed(&gfix).unwrap();
    assert!(max_abs_diff(&gf, &gw) < 1e-13);
    // Reduced Hessian = J^T H J with J the embedding of the parameters.
    let h = t.hessian(&w).unwrap();
    let hr = p.hessian(&xi).unwrap();
    let np = xi.len();
    let cols: Vec<Vec<f64>> = (0..np)
        .map(|a| {
            let mut e = vec![0.0; np];
            e[a] = 1.0;
            p.embed(&e).unwrap()
        })
        .collect();
    let n = 49;
    for a in 0..np {
        for b in 0..np {
            let v: f64 = (0..n)
                .map(|i| cols[a][i] * (0..n).map(|j| h[i * n + j] * cols[b][j]).sum::<f64>())
                .sum();
            assert!(
                (v - hr[a * np + b]).abs() < 1e-12,
                "({a},{b}) {v} vs {}",
                hr[a * np + b]
            );
        }
    }
}

/// Reference type-A rows of docs/two_layer.md#derivation-notes-type-a: d, D_reg, O_reg, D_dist, B_rd, B_dr, F.
const TYPE_A: [[f64; 7]; 3] = [
    [
        6.0,
        0.9867038188886,
        -0.05041340321681,
        -0.6015119235611,
        0.3080109914791,
        0.2245158075995,
        0.02508058100246,
    ],
    [
        10.0,
        1.004354823262,
        -0.01581192580575,
        -0.6990368174938,
        0.1823677557887,
        0.1260423608434,
        0.01870219458561,
    ],
    [
        20.0,
        1.003003746007,
        -0.00365514067788,
        -0.8100205756126,
        0.09318740829938,
        0.06371471024133,
        0.01127558194758,
    ],
];

#[test]
fn type_a_matches_reference_points() {
    for row in TYPE_A {
        let cp = critical_point(Family::TypeA, row[0]).unwrap();
        // params order: D_reg, D_dist, O_reg, B_rd, B_dr.
        let expect = [row[1], row[3], row[2], row[4], row[5]];
        for (x, e) in cp.params.iter().zip(expect) {
            assert!((x - e).abs() < 1e-11, "d={}: {x} vs {e}", row[0]);
        }
        assert!(
            (cp.loss - row[6]).abs() < 1e-13,
            "d={}: F {}",
            row[0],
            cp.loss
        );
        assert!(cp.residual < 1e-13);
    }
}

#[test]
fn type_a_spectrum_matches_reference_table() {
    // docs/two_layer.md#derivation-notes-type-a, d = 6 and d = 20: trivial x5, standard x5, x, y.
    let tables: [(f64, [f64; 12]); 2] = [
        (
            6.0,
            [
                0.06244194518,
                0.2211723401,
                0.8694840035,
                1.61787104,
                2.023733857,
                0.004700354704,
                0.07729070371,
                0.2383455845,
                0.3388549949,
                1.671978226,
                0.04637758006,
                0.3638006888,
            ],
        ),
        (
            20.0,
            [
                0.08955897544,
                0.2129909172,
                2.977355299,
                5.198018284,
                5.685553827,
                0.05509258142,
                0.08918886984,
                0.2430660166,
                0.3820670706,
                5.223143962,
                0.07609251455,
                0.3939076436,
            ],
        ),
    ];
    for (d, vals) in tables {
        let cp = critical_point(Family::TypeA, d).unwrap();
        let sp = block_spectrum(&cp.partition, &cp.params).unwrap();
        let of = |c: Component| -> Vec<f64> {
            sp.values()
                .iter()
                .filter(|v| v.component == c)
                .map(|v| v.value)
                .collect()
        };
        let got: Vec<f64> = [
            of(Component::Trivial),
            of(Component::Standard(0)),
            of(Component::Exterior(0)),
            of(Component::Young(0)),
        ]
        .concat();
        assert_eq!(got.len(), 12);
        for (g, e) in got.iter().zip(vals) {
            assert!((g - e).abs() < 2e-9 * e.max(1.0), "d={d}: {g} vs {e}");
        }
        let mult = |c: Component| {
            sp.values()
                .iter()
                .find(|v| v.component == c)
                .unwrap()
                .multiplicity
        };
        assert_eq!(mult(Component::Standard(0)), d - 2.0);
        assert_eq!(mult(Component::Exterior(0)), (d - 2.0) * (d - 3.0) / 2.0);
        assert_eq!(mult(Component::Young(0)), (d - 1.0) * (d - 4.0) / 2.0);
        assert_eq!(sp.total_multiplicity(), d * d);
        assert_eq!(sp.morse_index(), 0.0);
    }
}

#[test]
fn global_minimum_closed_forms() {
    for d in [4.0, 6.0, 10.0, 20.0, 1000.5] {
        let p = PartitionParams { sizes: vec![d] }.check().unwrap();
        let sp = block_spectrum(&p, &[1.0, 0.0]).unwrap();
        let s_pm = |s: f64| {
            (PI * (d + 2.0) + s * (PI * PI * d * d - 16.0 * PI + 16.0).sqrt()) / (8.0 * PI)
        };
        let t_pm = |s: f64| {
            ((PI + 2.0) * d
                + 2.0 * PI
                + s * ((PI - 2.0).powi(2) * d * d + 16.0 * (PI - 1.0) * (d - 1.0)).sqrt())
                / (8.0 * PI)
        };
        let low = 0.25 - 1.0 / (2.0 * PI);
        let mut expect = vec![
            (low, Component::Exterior(0)),
            (0.25 + 1.0 / (2.0 * PI), Component::Young(0)),
            (low, Component::Standard(0)),
            (s_pm(-1.0), Component::Standard(0)),
            (s_pm(1.0), Component::Standard(0)),
            (t_pm(-1.0), Component::Trivial),
            (t_pm(1.0), Component::Trivial),
        ];
        assert_eq!(sp.values().len(), expect.len());
        for v in sp.values() {
            let pos = expect
                .iter()
                .position(|(e, c)| *c == v.component && (e - v.value).abs() < 1e-12 * e.max(1.0))
                .unwrap_or_else(|| panic!("d={d}: unexpected {v:?}"));
            expect.remove(pos);
        }
        // 6 distinct values: x and one standard branch coincide.
        assert_eq!(sp.distinct(1e-10).len(), 6);
    }
    // The closed-form routine agrees with the block route at real d.
    for d in [4.0, 7.25, 50.0, 1e4] {
        let closed = overparam::theory::two_layer::spectrum::global_minimum(d).unwrap();
        let p = PartitionParams { sizes: vec![d] }.check().unwrap();
        let blocks = block_spectrum(&p, &[1.0, 0.0]).unwrap();
        assert_eq!(closed.values().len(), blocks.values().len());
        for a in closed.values() {
            assert!(
                blocks.values().iter().any(|b| b.component == a.component
                    && b.multiplicity == a.multiplicity
                    && (a.value - b.value).abs() < 1e-12 * a.value.max(1.0)),
                "d={d}: {a:?}"
            );
        }
    }
    assert!(overparam::theory::two_layer::spectrum::global_minimum(3.0).is_err());
    // docs/two_layer.md#derivation-notes-global-minimum table, d = 6.
    let p = PartitionParams { sizes: vec![6.0] }.check().unwrap();
    let sp = block_spectrum(&p, &[1.0, 0.0]).unwrap();
    for e in [0.287081474, 1.712918526, 0.889662739, 2.065266920] {
        assert!(sp.values().iter().any(|v| (v.value - e).abs() < 1e-9));
    }
}

/// Dense eigenvalues clustered with a relative tolerance: (value, multiplicity).
fn dense_clusters(w: &[f64], d: usize) -> Vec<(f64, f64)> {
    let t = Teacher::identity(d).unwrap();
    let h = t.hessian(w).unwrap();
    let n = d * d;
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| h[i * n + j]);
    let ev = m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
    let mut out: Vec<(f64, f64)> = Vec::new();
    for e in ev {
        match out.last_mut() {
            Some((x, k)) if (e - *x).abs() <= 1e-8 * e.abs().max(x.abs()).max(1e-3) => *k += 1.0,
            _ => out.push((e, 1.0)),
        }
    }
    out
}

fn check_dense_vs_block(family: Family, d: usize) {
    let cp = critical_point(family, d as f64).unwrap();
    let w = cp.partition.embed(&cp.params).unwrap();
    let dense = dense_clusters(&w, d);
    let sp = block_spectrum(&cp.partition, &cp.params).unwrap();
    let block = sp.distinct(1e-8);
    assert_eq!(
        dense.len(),
        block.len(),
        "{family} d={d}: {dense:?} vs {block:?}"
    );
    for ((dv, dm), (bv, bm)) in dense.iter().zip(&block) {
        assert!((dv - bv).abs() < 1e-10, "{family} d={d}: {dv} vs {bv}");
        assert_eq!(*dm, *bm, "{family} d={d}: multiplicity of {dv}");
    }
}

#[test]
fn block_spectra_match_dense_eigendecomposition() {
    for d in [6, 10, 20] {
        check_dense_vs_block(Family::TypeA, d);
    }
    for fam in [
        Family::Global,
        Family::Flipped { m: 2 },
        Family::Flipped { m: 3 },
        Family::AllFlipped,
        Family::AllButOneFlipped,
    ] {
        check_dense_vs_block(fam, 10);
    }
    check_dense_vs_block(Family::Flipped { m: 4 }, 20);
}

#[test]
fn block_spectrum_matches_dense_at_d_36() {
    check_dense_vs_block(Family::TypeA, 36);
}

#[test]
fn safran_shamir_losses() {
    // docs/two_layer.md#derivation-notes-reference-values (Safran & Shamir 2018 minima): (family, d, loss).
    for (fam, d, f) in [
        (Family::Flipped { m: 2 }, 9.0, 0.0374889628),
        (Family::Flipped { m: 2 }, 10.0, 0.0353268803),
        (Family::Flipped { m: 3 }, 12.0, 0.0454580006),
        (Family::Flipped { m: 4 }, 20.0, 0.0420215565),
        (Family::TypeA, 7.0, 0.0232027149),
    ] {
        let cp = critical_point(fam, d).unwrap();
        assert!(
            (cp.loss - f).abs() < 2e-10,
            "{fam} d={d}: {} vs {f}",
            cp.loss
        );
        let sp = block_spectrum(&cp.partition, &cp.params).unwrap();
        assert!(sp.min_value() > 0.0, "{fam} d={d} should be a minimum");
    }
}

#[test]
fn type_a_threshold_and_bifurcation() {
    let th = saddle_to_minimum(Family::TypeA, ThresholdOptions::default())
        .unwrap()
        .unwrap();
    assert!(
        (th.d_star - 5.5855052474).abs() < 1e-9,
        "d* = {}",
        th.d_star
    );
    assert_eq!(th.component, Component::Standard(0));
    // At d = 3 the type A point has the larger isotropy of a column-permuted Delta S_3 point
    // (docs/two_layer.md#derivation-notes-fixed-point-spaces-and-reduced-loss): a = c = e, b = f.
    let cp = critical_point(Family::TypeA, 3.0).unwrap();
    let [a, f, b, c, e] = [
        cp.params[0],
        cp.params[1],
        cp.params[2],
        cp.params[3],
        cp.params[4],
    ];
    assert!((a - 0.659453).abs() < 1e-6 && (b + 0.318180).abs() < 1e-6);
    assert!((a - c).abs() < 1e-10 && (a - e).abs() < 1e-10 && (b - f).abs() < 1e-10);
}

#[test]
fn type_a_large_d_limits() {
    // docs/two_layer.md#derivation-notes-type-a: as d grows the bulk eigenvalues tend to 1/4 - 1/(2 pi), 1/4, 1/4 + 1/(2 pi); at
    // d = 10^5 the O(d^{-1/2}) corrections are below 1e-2.
    let cp = critical_point(Family::TypeA, 1e5).unwrap();
    let sp = block_spectrum(&cp.partition, &cp.params).unwrap();
    let x = sp
        .values()
        .iter()
        .find(|v| v.component == Component::Exterior(0))
        .unwrap();
    let y = sp
        .values()
        .iter()
        .find(|v| v.component == Component::Young(0))
        .unwrap();
    assert!((x.value - (0.25 - 0.5 / PI)).abs() < 1e-3);
    assert!((y.value - (0.25 + 0.5 / PI)).abs() < 1e-2);
    assert_eq!(sp.morse_index(), 0.0);
}

#[test]
fn newton_reports_non_convergence() {
    let p = Family::TypeA.partition(10.0).unwrap();
    let r = reduced_newton(
        &p,
        &[1.0, -0.7, 0.0, 0.2, 0.1],
        ReducedNewtonOptions {
            tolerance: 1e-14,
            max_iter: 1,
        },
    );
    assert!(matches!(r, Err(overparam::Error::NotConverged { .. })));
}

#[test]
fn isotropy_identification_and_gradient_descent() {
    use overparam::theory::two_layer::census::{
        GradientDescentOptions, gradient_descent, identify_isotropy,
    };
    let d = 8;
    let cp = critical_point(Family::Flipped { m: 2 }, 10.0).unwrap();
    let w = cp.partition.embed(&cp.params).unwrap();
    // Scramble rows and columns independently (F is invariant under S_k x S_d).
    let rows = [3usize, 9, 0, 5, 1, 7, 2, 8, 4, 6];
    let cols = [6usize, 2, 8, 0, 4, 9, 1, 3, 7, 5];
    let ws: Vec<f64> = (0..100)
        .map(|i| w[rows[i / 10] * 10 + cols[i % 10]])
        .collect();
    let iso = identify_isotropy(&ws, 10, 1e-6).unwrap();
    assert_eq!(iso.partition.sizes(), &[8.0, 2.0]);
    assert!(max_abs_diff(&iso.params, &cp.params) < 1e-12);
    // GD from a perturbed type-A minimum at d = 8 returns to it.
    let ta = critical_point(Family::TypeA, d as f64).unwrap();
    let mut w0 = ta.partition.embed(&ta.params).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    for (x, n) in w0.iter_mut().zip(normal_vec(&mut rng, d * d, 1e-3)) {
        *x += n;
    }
    let t = Teacher::identity(d).unwrap();
    let rep = gradient_descent(&t, &w0, GradientDescentOptions::default()).unwrap();
    assert!(rep.residual <= 1e-8);
    assert!((rep.loss - 0.02150803717152).abs() < 1e-12, "{}", rep.loss);
    let iso = identify_isotropy(&rep.weights, d, 1e-4).unwrap();
    assert_eq!(iso.partition.sizes(), &[7.0, 1.0]);
}

#[test]
fn type_a_loss_at_large_d() {
    // docs/two_layer.md#derivation-notes-type-a: d F(W*) = 0.2742 (100), 0.2926 (1000), 0.2961 (10^4), 0.29725 (10^6), tending to
    // 1/2 - 2/pi^2. The loss must keep its relative accuracy (no d^2 eps cancellation).
    for (d, df) in [
        (100.0, 0.2742),
        (1000.0, 0.2926),
        (1e4, 0.2961),
        (1e6, 0.29725),
    ] {
        let cp = critical_point(Family::TypeA, d).unwrap();
        assert!(
            (d * cp.loss - df).abs() < 1e-4,
            "d={d}: d F = {}",
            d * cp.loss
        );
    }
}

#[test]
fn downward_continuation_limits() {
    use overparam::theory::two_layer::threshold::lower_limit;
    // Type A continues down to the edge d -> 2 of its partition, where it tends to a permuted
    // global minimum (F -> 0).
    let p = lower_limit(Family::TypeA, 10.0, 1e-3).unwrap();
    assert!(p.partition.dimension() < 2.01);
    assert!(p.loss < 1e-3 && p.loss > 0.0);
    // The [d-2, 2] family ends at d -> 3 on the same Delta S_3-type point as type A at d = 3 (docs/two_layer.md#derivation-notes-fixed-point-spaces-and-reduced-loss).
    let q = lower_limit(Family::Flipped { m: 2 }, 10.0, 1e-3).unwrap();
    assert!(q.partition.dimension() < 3.01);
    // params: D0, D1, O0, O1, B01, B10; the flipped class (size 2) carries -0.318 on its diagonal.
    assert!((q.params[3] - 0.659453).abs() < 2e-3 && (q.params[1] + 0.318180).abs() < 2e-3);
}

/// The [d-2, 2] family (two flipped neurons) is a saddle at d = 7 and already a local minimum at
/// d = 8 (d* = 7.5612), by the block spectrum and by the dense Hessian: the Physica D abstract of Arjevani & Field (arXiv:2003.10576) reads
/// as giving spurious minima of this isotropy only for k >= 9.
#[test]
fn two_flipped_family_is_a_minimum_from_d_eight() {
    for (d, negative) in [(7usize, 4usize), (8, 0)] {
        let cp = critical_point(Family::Flipped { m: 2 }, d as f64).unwrap();
        let w = cp.partition.embed(&cp.params).unwrap();
        let dense = dense_clusters(&w, d);
        let dense_negative: f64 = dense.iter().filter(|(v, _)| *v < 0.0).map(|(_, k)| k).sum();
        let sp = block_spectrum(&cp.partition, &cp.params).unwrap();
        assert_eq!(dense_negative, negative as f64, "d = {d}: {dense:?}");
        assert_eq!(sp.morse_index(), negative as f64, "d = {d}");
        // Well clear of zero: the smallest eigenvalue is a few 1e-3 on either side.
        assert!(dense[0].0.abs() > 1e-3, "d = {d}: {}", dense[0].0);
    }
}
