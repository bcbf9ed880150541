//! Training dynamics of least squares (issue 16, isotropic part): filters against QUADPACK
//! references, exact moment formulas of polynomial filters, literal limits, the ridge limit, the
//! Ali–Kolter–Tibshirani bound, the small-step limit of gradient descent, heavy ball with
//! m = 0, the stability regions and the early-stopping optimum.

#![allow(clippy::excessive_precision)] // reference values as printed by the reference script (17 digits)

use overparam::Error;
use overparam::theory::dynamics::{Algorithm, Dynamics, DynamicsModel, DynamicsRisk};

fn gf(gamma: f64, snr: f64, sigma: f64, lambda: f64) -> DynamicsModel {
    Dynamics {
        gamma,
        snr,
        noise_sd: sigma,
        lambda,
        ..Default::default()
    }
    .check()
    .unwrap()
}

fn method(gamma: f64, lambda: f64, algorithm: Algorithm, lr: f64, momentum: f64) -> DynamicsModel {
    Dynamics {
        gamma,
        snr: 4.0,
        noise_sd: 1.0,
        lambda,
        algorithm,
        lr,
        momentum,
    }
    .check()
    .unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn four(r: &DynamicsRisk) -> [f64; 4] {
    [r.test_error, r.bias, r.variance, r.train_error]
}

/// Second method: QUADPACK's QAWS (scipy.integrate.quad with the algebraic endpoint weight
/// $(s-a)^{1/2}(b-s)^{1/2}$, or $s^{-1/2}(4-s)^{1/2}$ at gamma = 1) of the same integrals in
/// $s$ (no cosine substitution, no Gauss–Legendre), epsrel 1e-14. Script: docs/dynamics.md
/// (Derivation notes, reference values). Order: test, bias, variance, train.
/// (gamma, snr, sigma, t, lambda).
type Case = (f64, f64, f64, f64, f64);

const QAWS: &[(Case, [f64; 4])] = &[
    (
        (0.5, 4.0, 1.0, 2.0, 0.0),
        [
            8.4304214991296489e-01,
            5.2125346463930855e-01,
            3.2178868527365634e-01,
            7.2155788140627708e-01,
        ],
    ),
    (
        (2.0, 4.0, 1.0, 2.0, 0.0),
        [
            2.6309223897218472e+00,
            2.0977237318835069e+00,
            5.3319865783834031e-01,
            8.9642401534343483e-02,
        ],
    ),
    (
        (0.9, 2.0, 1.0, 10.0, 0.0),
        [
            1.7171284710115833e+00,
            1.7544778693008711e-01,
            1.5416806840814963e+00,
            1.8536323202851368e-01,
        ],
    ),
    (
        (3.0, 1.0, 0.5, 0.7, 0.2),
        [
            2.2844117844710601e-01,
            1.7454348920103288e-01,
            5.3897689246073126e-02,
            3.4111458146198967e-02,
        ],
    ),
    (
        (0.25, 9.0, 1.5, 50.0, 0.0),
        [
            7.4999987771747134e-01,
            8.4537009460988900e-13,
            7.4999987771662602e-01,
            1.6875000000002471e+00,
        ],
    ),
];

#[test]
fn gradient_flow_matches_an_independent_quadrature() {
    for &((g, snr, sigma, t, lambda), want) in QAWS {
        let got = gf(g, snr, sigma, lambda).at_time(t).unwrap();
        for (x, w) in four(&got).iter().zip(want) {
            // The tiny bias of the last case is an absolute check.
            assert!(
                (x - w).abs() <= 1e-10 * w.abs().max(1e-2),
                "{g} {t}: {got:?} vs {want:?}"
            );
        }
        assert!(got.quadrature_error <= 1e-11, "{got:?}");
    }
}

#[test]
fn gamma_one_is_integrated_deliberately() {
    // QAWS with weight s^{-1/2}(4 - s)^{1/2}.
    let want = [
        1.6098268613839943e+00,
        9.1156208201448563e-01,
        6.9826477936950870e-01,
        3.0220005336374206e-01,
    ];
    let got = gf(1.0, 4.0, 1.0, 0.0).at_time(3.0).unwrap();
    for (x, w) in four(&got).iter().zip(want) {
        assert!(rel(*x, w) < 1e-10, "{got:?}");
    }
    // Approaching gamma = 1 from both sides is continuous.
    for g in [1.0 - 1e-6, 1.0 + 1e-6] {
        let near = gf(g, 4.0, 1.0, 0.0).at_time(3.0).unwrap();
        assert!(rel(near.test_error, got.test_error) < 1e-4, "{near:?}");
    }
}

/// Moments of the Marchenko–Pastur law: $E_j = \sum_{i=1}^j N(j, i)\gamma^{i-1}$ (Narayana
/// numbers $N(j, i) = \binom ji\binom j{i-1}/j$), $E_0 = 1$ (the atom included).
fn mp_moment(j: usize, g: f64) -> f64 {
    if j == 0 {
        return 1.0;
    }
    let binom = |n: usize, k: usize| -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    };
    (1..=j)
        .map(|i| binom(j, i) * binom(j, i - 1) / j as f64 * g.powi(i as i32 - 1))
        .sum()
}

fn poly_mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

fn poly_axpy(a: f64, x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len().max(y.len());
    (0..n)
        .map(|i| a * x.get(i).copied().unwrap_or(0.0) + y.get(i).copied().unwrap_or(0.0))
        .collect()
}

/// Test, bias, variance, train of a discrete method at lambda = 0 by exact polynomial algebra:
/// the filter q_k(s) as a coefficient vector (the recursion in the monomial basis), then the
/// integrals as combinations of the MP moments. No quadrature.
/// Also returns the rounding scale of the moment sums, $\sum_j |c_j| E_j$ (the largest over the
/// three integrals): the monomial basis cancels badly when $\eta s_+ > 1$.
fn by_moments(
    alg: Algorithm,
    g: f64,
    lr: f64,
    m: f64,
    k: usize,
    r2: f64,
    s2: f64,
) -> ([f64; 4], f64) {
    let (mut q, mut prev) = (vec![0.0], vec![0.0]);
    for _ in 0..k {
        // (1 - lr s) as a polynomial.
        let one_minus = [1.0, -lr];
        let next = match alg {
            Algorithm::GradientDescent => poly_axpy(1.0, &poly_mul(&one_minus, &q), &[lr]),
            Algorithm::HeavyBall => {
                let a = poly_mul(&[1.0 + m, -lr], &q);
                poly_axpy(1.0, &poly_axpy(-m, &prev, &a), &[lr])
            }
            Algorithm::Nesterov => {
                let y = poly_axpy(-m, &prev, &poly_axpy(1.0 + m, &q, &[0.0]));
                poly_axpy(1.0, &poly_mul(&one_minus, &y), &[lr])
            }
            Algorithm::GradientFlow => unreachable!(),
        };
        prev = q;
        q = next;
    }
    // rho = 1 - s q.
    let sq = poly_mul(&[0.0, 1.0], &q);
    let rho = poly_axpy(-1.0, &sq, &[1.0]);
    let cond = std::cell::Cell::new(0.0f64);
    let integrate = |p: &[f64]| -> f64 {
        let abs: f64 = p
            .iter()
            .enumerate()
            .map(|(j, c)| c.abs() * mp_moment(j, g))
            .sum();
        cond.set(cond.get().max(abs));
        p.iter().enumerate().map(|(j, c)| c * mp_moment(j, g)).sum()
    };
    let rho2 = integrate(&poly_mul(&rho, &rho));
    let sq2 = integrate(&poly_mul(&sq, &q));
    let srho2 = integrate(&poly_mul(&[0.0, 1.0], &poly_mul(&rho, &rho)));
    let bias = r2 * rho2;
    let variance = s2 * g * sq2;
    let train = r2 * srho2 + s2 * (g * rho2 + 1.0 - g);
    (
        [bias + variance, bias, variance, train],
        cond.get() * (r2 + s2 * g.max(1.0)),
    )
}

#[test]
fn discrete_methods_match_exact_moment_algebra() {
    let cases = [
        (Algorithm::GradientDescent, 0.3, 0.0),
        (Algorithm::HeavyBall, 0.2, 0.5),
        (Algorithm::Nesterov, 0.25, 0.3),
    ];
    for g in [0.5, 2.0] {
        for &(alg, lr, m) in &cases {
            let model = method(g, 0.0, alg, lr, m);
            for k in [0u64, 1, 2, 5, 8] {
                let got = model.at_steps(k).unwrap();
                let (want, cond) = by_moments(alg, g, lr, m, k as usize, 4.0, 1.0);
                for (x, w) in four(&got).iter().zip(want) {
                    // 1e-12 relative, plus the rounding of the reference's own moment sums
                    // (64 ulp of their absolute sum; they cancel when lr * s_+ > 1).
                    assert!(
                        (x - w).abs() <= 1e-12 * w.abs().max(1e-1) + 64.0 * f64::EPSILON * cond,
                        "{alg:?} g={g} k={k}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn time_zero_and_long_time_limits() {
    for g in [0.3, 0.5, 2.0, 4.0] {
        let m = gf(g, 4.0, 1.0, 0.0);
        let z = m.at_time(0.0).unwrap();
        assert!(
            rel(z.test_error, 4.0) < 1e-13 && rel(z.train_error, 5.0) < 1e-13,
            "{z:?}"
        );
        assert!(z.variance.abs() < 1e-15);
        // t -> infinity: sigma^2 gamma/(1 - gamma), or r^2 (1 - 1/gamma) + sigma^2/(gamma - 1).
        let want = if g < 1.0 {
            g / (1.0 - g)
        } else {
            4.0 * (1.0 - 1.0 / g) + 1.0 / (g - 1.0)
        };
        let inf = m.at_time(1e6).unwrap();
        assert!(rel(inf.test_error, want) < 1e-10, "{g}: {inf:?} vs {want}");
        let ridge = m.limit().unwrap();
        for (x, w) in four(&inf).iter().zip([
            ridge.test_error,
            ridge.bias,
            ridge.variance,
            ridge.train_error,
        ]) {
            assert!(
                (x - w).abs() <= 1e-10 * w.abs().max(1.0),
                "{g}: {inf:?} vs {ridge:?}"
            );
        }
    }
}

#[test]
fn long_time_limits_with_a_ridge_term_and_every_method() {
    for g in [0.5, 2.0] {
        let lambda = 0.3;
        let ridge = gf(g, 4.0, 1.0, lambda).limit().unwrap();
        let want = [
            ridge.test_error,
            ridge.bias,
            ridge.variance,
            ridge.train_error,
        ];
        let check = |r: DynamicsRisk| {
            for (x, w) in four(&r).iter().zip(want) {
                assert!(
                    (x - w).abs() <= 1e-10 * w.abs().max(1.0),
                    "{g}: {r:?} vs {ridge:?}"
                );
            }
        };
        check(gf(g, 4.0, 1.0, lambda).at_time(1e4).unwrap());
        check(
            method(g, lambda, Algorithm::GradientDescent, 0.3, 0.0)
                .at_steps(4000)
                .unwrap(),
        );
        check(
            method(g, lambda, Algorithm::HeavyBall, 0.2, 0.6)
                .at_steps(4000)
                .unwrap(),
        );
        check(
            method(g, lambda, Algorithm::Nesterov, 0.2, 0.6)
                .at_steps(4000)
                .unwrap(),
        );
    }
}

#[test]
fn heavy_ball_without_momentum_is_gradient_descent_bit_for_bit() {
    for g in [0.5, 1.0, 3.0] {
        let gd = method(g, 0.1, Algorithm::GradientDescent, 0.2, 0.0);
        let hb = method(g, 0.1, Algorithm::HeavyBall, 0.2, 0.0);
        let ks = [0, 1, 7, 30, 200];
        let a = gd.curve_steps(&ks).unwrap();
        let b = hb.curve_steps(&ks).unwrap();
        assert_eq!(a, b);
        // Nesterov without momentum too.
        let ne = method(g, 0.1, Algorithm::Nesterov, 0.2, 0.0);
        assert_eq!(a, ne.curve_steps(&ks).unwrap());
    }
}

#[test]
fn gradient_descent_with_small_steps_approaches_gradient_flow_at_first_order() {
    let t = 2.0;
    for g in [0.5, 2.0] {
        let flow = gf(g, 4.0, 1.0, 0.0).at_time(t).unwrap();
        let gaps: Vec<f64> = [0.1, 0.05, 0.025, 0.0125]
            .iter()
            .map(|&lr| {
                let k = (t / lr).round() as u64;
                let r = method(g, 0.0, Algorithm::GradientDescent, lr, 0.0)
                    .at_steps(k)
                    .unwrap();
                (r.test_error - flow.test_error).abs()
            })
            .collect();
        // O(eta): halving the step halves the gap.
        for w in gaps.windows(2) {
            let ratio = w[0] / w[1];
            assert!((ratio - 2.0).abs() < 0.1, "{g}: {gaps:?}");
        }
        assert!(gaps[3] < 1e-2, "{gaps:?}");
    }
}

/// Spectral radius of the filter recursion's companion polynomial z^2 + a1 z + a0.
fn radius(a1: f64, a0: f64) -> f64 {
    let disc = a1 * a1 - 4.0 * a0;
    if disc >= 0.0 {
        let r = disc.sqrt();
        ((-a1 + r) / 2.0).abs().max(((-a1 - r) / 2.0).abs())
    } else {
        a0.abs().sqrt()
    }
}

#[test]
fn stability_regions_are_exact_on_the_top_edge() {
    for g in [0.5, 2.0] {
        for lambda in [0.0, 0.4] {
            let top = lambda + (1.0 + f64::sqrt(g)).powi(2);
            for m in [0.0, 0.3, 0.9] {
                for alg in [
                    Algorithm::HeavyBall,
                    Algorithm::Nesterov,
                    Algorithm::GradientDescent,
                ] {
                    let m = if alg == Algorithm::GradientDescent {
                        0.0
                    } else {
                        m
                    };
                    let max = alg.max_stable_lr(m, top);
                    let coeffs = |lr: f64, u: f64| match alg {
                        Algorithm::Nesterov => (-(1.0 - lr * u) * (1.0 + m), (1.0 - lr * u) * m),
                        _ => (-(1.0 + m - lr * u), m),
                    };
                    // Just inside: every u of the support contracts; just outside: the top grows.
                    let inside = 0.999 * max;
                    for i in 1..=200 {
                        let u = lambda + top * i as f64 / 200.0;
                        let u = u.min(top);
                        let (a1, a0) = coeffs(inside, u);
                        assert!(radius(a1, a0) < 1.0, "{alg:?} m={m} u={u}");
                    }
                    let (a1, a0) = coeffs(1.001 * max, top);
                    assert!(radius(a1, a0) > 1.0, "{alg:?} m={m}");
                    let params = Dynamics {
                        gamma: g,
                        lambda,
                        algorithm: alg,
                        lr: inside,
                        momentum: m,
                        ..Default::default()
                    };
                    assert!(params.check().is_ok());
                    let out = Dynamics {
                        lr: 1.001 * max,
                        ..params
                    }
                    .check();
                    assert!(
                        matches!(out, Err(Error::InvalidParameter { name: "lr", .. })),
                        "{out:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn invalid_inputs_name_their_parameter() {
    let base = Dynamics::default();
    let name = |d: Dynamics| match d.check() {
        Err(Error::InvalidParameter { name, .. }) => name,
        other => panic!("{other:?}"),
    };
    assert_eq!(name(Dynamics { gamma: 0.0, ..base }), "gamma");
    assert_eq!(
        name(Dynamics {
            gamma: f64::NAN,
            ..base
        }),
        "gamma"
    );
    assert_eq!(name(Dynamics { snr: -1.0, ..base }), "snr");
    assert_eq!(
        name(Dynamics {
            noise_sd: 0.0,
            ..base
        }),
        "noise_sd"
    );
    assert_eq!(
        name(Dynamics {
            lambda: -0.1,
            ..base
        }),
        "lambda"
    );
    let hb = Dynamics {
        algorithm: Algorithm::HeavyBall,
        ..base
    };
    assert_eq!(
        name(Dynamics {
            momentum: 1.0,
            ..hb
        }),
        "momentum"
    );
    assert_eq!(name(Dynamics { lr: 0.0, ..hb }), "lr");
    assert_eq!(name(Dynamics { lr: 10.0, ..hb }), "lr");
    let gd = Dynamics {
        algorithm: Algorithm::GradientDescent,
        momentum: 0.5,
        ..base
    };
    assert_eq!(name(gd), "momentum");
    let m = gf(0.5, 4.0, 1.0, 0.0);
    assert!(matches!(
        m.at_time(-1.0),
        Err(Error::InvalidParameter { name: "time", .. })
    ));
    assert!(matches!(
        m.at_time(f64::INFINITY),
        Err(Error::InvalidParameter { name: "time", .. })
    ));
    assert!(matches!(
        m.at_steps(3),
        Err(Error::InvalidChoice {
            name: "algorithm",
            ..
        })
    ));
    let d = method(0.5, 0.0, Algorithm::GradientDescent, 0.1, 0.0);
    assert!(matches!(
        d.at_time(1.0),
        Err(Error::InvalidChoice {
            name: "algorithm",
            ..
        })
    ));
    assert!(matches!(
        d.at_steps(u64::MAX),
        Err(Error::InvalidParameter { name: "steps", .. })
    ));
    assert!("adam".parse::<Algorithm>().is_err());
    assert_eq!(
        "heavy-ball".parse::<Algorithm>().unwrap(),
        Algorithm::HeavyBall
    );
    // gamma = 1 without a ridge term: every finite time is finite, the limit is not.
    let one = gf(1.0, 4.0, 1.0, 0.0);
    assert!(one.at_time(1e3).is_ok());
    assert!(matches!(
        one.limit(),
        Err(Error::InvalidParameter { name: "lambda", .. })
    ));
}

#[test]
fn early_stopping_beats_the_limit_and_never_beats_optimal_ridge() {
    for g in [0.5, 0.9, 2.0] {
        let m = gf(g, 4.0, 1.0, 0.0);
        let es = m.early_stopping().unwrap();
        assert!(es.stops_early);
        let t = es.at_optimum.time;
        let r = es.at_optimum.test_error;
        // A local minimum in t ...
        for f in [0.99, 1.01] {
            assert!(
                m.at_time(t * f).unwrap().test_error >= r - 1e-14,
                "{g}: {es:?}"
            );
        }
        // ... below the limit, and above the Bayes-optimal ridge risk.
        assert!(r < m.limit().unwrap().test_error);
        assert!(es.ratio_to_ridge >= 1.0 - 1e-12, "{es:?}");
        assert!(r >= es.ridge.at_optimum.test_error * (1.0 - 1e-12));
        // Discrete: the exact integer minimum.
        let d = method(g, 0.0, Algorithm::HeavyBall, 0.3, 0.5);
        let es = d.early_stopping().unwrap();
        let k = es.at_optimum.time as u64;
        assert!(k >= 1 && es.stops_early, "{es:?}");
        let around = d.curve_steps(&[k - 1, k, k + 1]).unwrap();
        assert!(around[0].test_error >= around[1].test_error);
        assert!(around[2].test_error >= around[1].test_error);
        assert!(es.ratio_to_ridge >= 1.0 - 1e-12);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Ali, Kolter & Tibshirani 2019 (arXiv:1810.10082, Theorem 1): gradient flow at time t has at
    /// most 1.6862 times the risk of ridge at lambda = 1/t, for every t, gamma and snr.
    #[test]
    fn gradient_flow_is_within_1_6862_of_ridge_at_inverse_time(
        lg in -1.5f64..1.5, lsnr in -1.0f64..1.5, lt in -2.0f64..3.0,
    ) {
        let (g, snr, t) = (10f64.powf(lg), 10f64.powf(lsnr), 10f64.powf(lt));
        let m = gf(g, snr, 1.0, 0.0);
        let flow = m.at_time(t).unwrap().test_error;
        let ridge = m.ridge_at_inverse_time(t).unwrap().test_error;
        proptest::prop_assert!(flow <= 1.6862 * ridge, "g={g} snr={snr} t={t}: {flow} {ridge}");
    }
}

#[test]
fn a_small_training_error_keeps_its_relative_accuracy() {
    // gamma = 2, lambda = 0: the training error decays like e^{-2 t s_-} towards the
    // interpolator's 0; the residual p = e^{-ts} is carried separately from q, so it is not the
    // rounding error of 1 - s q. Reference: QAWS of r^2 int s e^{-2ts} dmu + sigma^2 gamma
    // int e^{-2ts} dmu (epsrel 1e-13).
    // The quadrature's convergence test is relative to max(value, r^2 + sigma^2), so a value
    // 1e-34 is only guaranteed on that absolute scale; it still keeps several digits (1 - s q
    // would give rounding noise ~1e-32, a factor 100 off).
    let m = gf(2.0, 4.0, 1.0, 0.0);
    for (t, want, tol) in [
        (50.0, 8.7477591837941938e-11, 1e-9),
        (200.0, 5.0577480404491998e-34, 1e-6),
    ] {
        let got = m.at_time(t).unwrap().train_error;
        assert!(rel(got, want) < tol, "{t}: {got} vs {want}");
    }
}

#[test]
fn the_quadrature_carries_the_whole_measure() {
    use overparam::theory::dynamics::SpectralQuadrature;
    // Mass min(1, 1/gamma) on the continuous part, first moment 1 (the atom carries none):
    // the plain 128-node rule (level 3) away from gamma = 1 (its error decays like
    // gamma^{n/2} or gamma^{-n/2}), the graded rules everywhere, gamma = 1 included.
    for g in [0.2, 1.0, 1.0 + 1e-9, 3.0, 1e6] {
        let q = SpectralQuadrature::marchenko_pastur(g).unwrap();
        let plain: &[u32] = if (g - 1.0).abs() > 0.5 { &[3] } else { &[] };
        for &level in plain.iter().chain(&[6, 8]) {
            let r = q.rule(level);
            let mass: f64 = r.weights.iter().sum();
            let first: f64 = r.nodes.iter().zip(&r.weights).map(|(s, w)| s * w).sum();
            assert!(rel(mass, 1f64.min(1.0 / g)) < 1e-12, "{g} {level}: {mass}");
            assert!(rel(first, 1.0) < 1e-12, "{g} {level}: {first}");
            assert!(rel(mass + q.atom(), 1.0) < 1e-12);
        }
    }
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e13] {
        assert!(matches!(
            SpectralQuadrature::marchenko_pastur(bad),
            Err(Error::InvalidParameter { name: "gamma", .. })
        ));
    }
    assert_eq!(
        overparam::theory::dynamics::gradient_flow_filter(2.5, 0.0),
        2.5
    );
}

#[test]
fn hostile_inputs_give_finite_results_or_typed_errors() {
    // The numerics contract (docs/numerics.md) for this module, in the style of the library fuzz:
    // every field and time from a hostile list, each call under catch_unwind.
    let hostile = [
        0.0,
        -0.0,
        5e-324,
        1e-310,
        f64::MIN_POSITIVE,
        1e-12,
        0.3,
        1.0,
        1.0 - 1e-12,
        1.0 + 1e-12,
        2.0,
        1e12,
        1.4e154,
        1e300,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -1.0,
    ];
    let finite = |r: &DynamicsRisk| {
        four(r)
            .iter()
            .chain([&r.time, &r.quadrature_error])
            .all(|v| v.is_finite())
    };
    let mut calls = 0;
    for (i, &h) in hostile.iter().enumerate() {
        for alg in [Algorithm::GradientFlow, Algorithm::HeavyBall] {
            let base = Dynamics {
                algorithm: alg,
                lr: 0.1,
                momentum: 0.3,
                ..Default::default()
            };
            let variants = [
                Dynamics { gamma: h, ..base },
                Dynamics { snr: h, ..base },
                Dynamics {
                    noise_sd: h,
                    ..base
                },
                Dynamics { lambda: h, ..base },
                Dynamics { lr: h, ..base },
                Dynamics {
                    momentum: h,
                    ..base
                },
            ];
            for d in variants {
                let time = hostile[(i + 3) % hostile.len()];
                let out = std::panic::catch_unwind(|| {
                    let m = d.check()?;
                    let t = if alg.is_discrete() {
                        time.abs().min(200.0).round()
                    } else {
                        time
                    };
                    let r = m.at(t)?;
                    let f = m.filter(time, h)?;
                    Ok::<_, Error>((r, f))
                });
                calls += 1;
                match out {
                    Err(_) => panic!("panic at {d:?} time {time}"),
                    Ok(Ok((r, f))) => {
                        assert!(finite(&r) && f.is_finite(), "{d:?} {time}: {r:?} {f}")
                    }
                    Ok(Err(_)) => {}
                }
            }
        }
    }
    assert!(calls > 200);
}

#[test]
fn gamma_one_without_ridge_term_stops_early_and_its_variance_grows_like_root_t() {
    // The limit is infinite (min-norm at p = n), so the optimum is at a finite time.
    let m = gf(1.0, 4.0, 1.0, 0.0);
    let es = m.early_stopping().unwrap();
    assert!(es.stops_early && es.ratio_to_ridge >= 1.0, "{es:?}");
    // V(t) ~ c sqrt(t): the ratio V(4t)/V(t) tends to 2.
    let v = |t: f64| m.at_time(t).unwrap().variance;
    let ratio = v(4e12) / v(1e12);
    assert!((ratio - 2.0).abs() < 1e-3, "{ratio}");
}
