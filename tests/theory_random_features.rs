//! Random-features ridge regression: the solver against independent reference values.
//!
//! Reference values are the 40-digit mpmath evaluations of docs/random_features.md#derivation-notes-reference-values (Mei & Montanari 2022, arXiv:1908.05355)
//! (bracketed quartic + E-polynomials at high precision, cross-checked there against Picard
//! iteration) and the closed-form ridgeless / wide / large-sample limits of Mei & Montanari.

use overparam::Error;
use overparam::gaussian::Activation;
use overparam::grid::log_spaced;
#[allow(deprecated)]
use overparam::theory::random_features::{RandomFeatures, ReducedRandomFeatures, chi_minus};

const RELU_MU_STAR_SQ: f64 = 0.25 - 0.5 / std::f64::consts::PI;
const RELU_ZETA_SQ: f64 = std::f64::consts::PI / (std::f64::consts::PI - 2.0);

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// (zeta^2, psi1, psi2, lambda_bar, chi, a, b, B, V)
const GENERAL: &[[f64; 9]] = &[
    [
        1.0,
        1.0,
        1.0,
        1.0,
        -0.2691431301688,
        0.5187900636759,
        0.5187900636759,
        0.9224639483054,
        0.3231660803654,
    ],
    [
        1.0,
        2.0,
        3.0,
        0.1,
        -1.049821365664,
        0.5654891638011,
        1.856483612537,
        0.7218918818365,
        0.6991027237327,
    ],
    [
        1.0,
        0.5,
        2.0,
        0.01,
        -0.279620111328,
        0.01861823151887,
        15.01861823152,
        1.038465942143,
        0.3300384012301,
    ],
];

/// ReLU rows: (psi1, psi2, lambda (raw), chi, a, b, B, V)
const RELU: &[[f64; 8]] = &[
    [
        1.0,
        3.0,
        1e-3,
        -0.4432179435048,
        0.04012516482609,
        11.04588468174,
        0.6670472049155,
        0.48919797783,
    ],
    [
        2.0,
        3.0,
        1e-3,
        -1.165795213773,
        0.2795238013369,
        4.170647394596,
        0.6011889087063,
        1.631497393455,
    ],
    [
        3.0,
        3.0,
        1e-3,
        -1.754635476903,
        1.324626542427,
        1.324626542427,
        0.5770988147652,
        2.953973916592,
    ],
    [
        6.0,
        3.0,
        1e-3,
        -2.024008013643,
        7.027630920722,
        0.2880071586678,
        0.161969155286,
        1.137515535464,
    ],
    [
        10.0,
        3.0,
        0.1,
        -0.5127293915302,
        1.549099754245,
        0.3309853933714,
        0.2205415753264,
        0.1545548262327,
    ],
    [
        0.5,
        2.0,
        1.0,
        -0.05290778093126,
        0.09644905452811,
        0.5485567607699,
        0.829236097861,
        0.03714990228119,
    ],
    [
        4.0,
        2.0,
        0.01,
        -0.9314639194243,
        2.503344025345,
        0.3720878592769,
        0.2594204432875,
        0.7958437623769,
    ],
    [
        2.0,
        0.5,
        0.1,
        -0.1352736149996,
        1.51875863967,
        0.0890685402316,
        0.766150514242,
        0.3555284008664,
    ],
    [
        3.0,
        3.0,
        1e-6,
        -2.13114096262,
        1.459842786954,
        1.459842786954,
        15.00373603846,
        102.5634929076,
    ],
];

#[test]
fn general_lambda_matches_reference_table() {
    for row in GENERAL {
        let m = ReducedRandomFeatures::new(row[1], row[2], row[3], row[0]).unwrap();
        let bv = m.bias_variance().unwrap();
        let fp = bv.fixed_point;
        // The table has 13 significant digits.
        for (got, want) in [
            (fp.chi, row[4]),
            (fp.a, row[5]),
            (fp.b, row[6]),
            (bv.bias, row[7]),
            (bv.variance, row[8]),
        ] {
            assert!(rel(got, want) < 2e-12, "row {row:?}: {got} vs {want}");
        }
        assert!(fp.residual < 1e-13, "residual {}", fp.residual);
    }
}

#[test]
fn relu_rows_match_reference_table_through_the_public_api() {
    for row in RELU {
        let model = RandomFeatures {
            psi1: row[0],
            psi2: row[1],
            lambda: row[2],
            ..Default::default()
        }
        .check()
        .unwrap();
        assert!(rel(model.reduced().lambda_bar(), row[2] / RELU_MU_STAR_SQ) < 1e-15);
        let r = model.risk().unwrap();
        let fp = model.reduced().fixed_point().unwrap();
        // 12-13 significant digits printed; the lambda = 1e-6 threshold row has 12.
        let tol = 5e-11;
        for (got, want) in [
            (fp.chi, row[3]),
            (fp.a, row[4]),
            (fp.b, row[5]),
            (r.bias_coefficient, row[6]),
            (r.variance_coefficient, row[7]),
        ] {
            assert!(rel(got, want) < tol, "row {row:?}: {got} vs {want}");
        }
        assert!(r.residual < 1e-12);
    }
}

/// (zeta^2, psi1, psi2, chi, B, V); zeta^2 = 0 marks ReLU.
const RIDGELESS: &[[f64; 6]] = &[
    [0.0, 0.5, 3.0, -0.1749782207644, 0.8099738649173, 0.2],
    [0.0, 2.0, 3.0, -1.228299797615, 0.684899392846, 2.0],
    [0.0, 2.85, 3.0, -2.003525437449, 3.070508748982, 19.0],
    [
        0.0,
        6.0,
        3.0,
        -2.144873775608,
        0.1726269343526,
        1.32230872226,
    ],
    [
        0.0,
        10.0,
        3.0,
        -2.144873775608,
        0.0898419197197,
        0.7508801508312,
    ],
    [
        0.0,
        3.0,
        1.0,
        -0.4479062053368,
        0.5125350214138,
        0.9384506213489,
    ],
    [
        0.0,
        1.0,
        0.5,
        -0.1749782207644,
        1.252616196957,
        1.267874356307,
    ],
    [1.0, 0.5, 3.0, -0.2807764064044, 0.9369316876853, 0.2],
    [
        1.0,
        2.0,
        3.0,
        -std::f64::consts::SQRT_2,
        1.242640687119,
        2.0,
    ],
    [1.0, 2.85, 3.0, -2.165869035855, 6.317380717107, 19.0],
    [
        1.0,
        6.0,
        3.0,
        -2.302775637732,
        0.4121760301825,
        1.193375245282,
    ],
    [
        1.0,
        10.0,
        3.0,
        -2.302775637732,
        0.2391613800499,
        0.621946673853,
    ],
    [
        1.0,
        3.0,
        1.0,
        -0.6180339887499,
        0.7562305898749,
        0.6708203932499,
    ],
    [
        1.0,
        1.0,
        0.5,
        -0.2807764064044,
        1.455213750218,
        1.106339062591,
    ],
];

#[test]
fn ridgeless_closed_form_matches_reference_table() {
    for row in RIDGELESS {
        let z2 = if row[0] == 0.0 { RELU_ZETA_SQ } else { row[0] };
        let m = ReducedRandomFeatures::new(row[1], row[2], 0.0, z2).unwrap();
        let bv = m.bias_variance().unwrap();
        assert!(rel(bv.fixed_point.chi, row[3]) < 2e-12, "{row:?}");
        assert!(rel(bv.bias, row[4]) < 2e-11, "{row:?}: {}", bv.bias);
        assert!(rel(bv.variance, row[5]) < 2e-11, "{row:?}: {}", bv.variance);
        // Exact OLS variance for psi1 < psi2 (MM Theorem 3 reduced form).
        if row[1] < row[2] {
            assert!(rel(bv.variance, row[1] / (row[2] - row[1])) < 1e-12);
            // Training residual fraction 1 - psi1/psi2.
            assert!((bv.residual_fraction - (1.0 - row[1] / row[2])).abs() < 1e-13);
        } else {
            assert!(
                bv.residual_fraction.abs() < 1e-13,
                "interpolation: zero training error"
            );
        }
    }
}

#[test]
fn small_lambda_converges_to_ridgeless_limit() {
    for &(p1, p2) in &[(0.5, 3.0), (2.0, 3.0), (6.0, 3.0), (3.0, 1.0), (1.0, 0.5)] {
        let z = ReducedRandomFeatures::new(p1, p2, 0.0, RELU_ZETA_SQ)
            .unwrap()
            .bias_variance()
            .unwrap();
        let mut prev_gap = f64::INFINITY;
        for lb in [1e-4, 1e-6, 1e-8, 1e-10] {
            let s = ReducedRandomFeatures::new(p1, p2, lb, RELU_ZETA_SQ)
                .unwrap()
                .bias_variance()
                .unwrap();
            let gap = rel(s.bias, z.bias).max(rel(s.variance, z.variance));
            assert!(
                gap < prev_gap || gap < 1e-9,
                "({p1},{p2}) lambda_bar={lb}: gap {gap} not shrinking"
            );
            prev_gap = gap;
        }
        assert!(
            prev_gap < 1e-7,
            "({p1},{p2}): lambda_bar=1e-10 gap {prev_gap}"
        );
    }
}

#[test]
fn ridgeless_threshold_is_a_typed_error_not_nan() {
    let e = RandomFeatures {
        psi1: 3.0,
        psi2: 3.0,
        lambda: 0.0,
        ..Default::default()
    }
    .check()
    .unwrap()
    .risk();
    assert!(matches!(e, Err(Error::NonFinite { .. })), "{e:?}");
}

/// Wide-limit table (ReLU): (psi2, lambda_bar, omega2, B, V).
const WIDE: &[[f64; 5]] = &[
    [0.5, 0.0, -0.4815292838152, 0.5776379761926, 0.2678743563072],
    [0.5, 0.1, -0.4711184867474, 0.5812992502906, 0.2580417931583],
    [0.5, 1.0, -0.396457946478, 0.6113452262432, 0.1921811444285],
    [3.0, 0.0, -5.90256049313, 0.02775315874499, 0.3223087222598],
    [3.0, 0.1, -4.611022319278, 0.04098966117078, 0.2905009268965],
    [3.0, 1.0, -1.636877970902, 0.1650164398492, 0.1473800048495],
    [
        10.0,
        0.0,
        -24.87380556174,
        0.001645865142392,
        0.1018306973102,
    ],
    [
        10.0,
        0.1,
        -12.48575408554,
        0.006014091337861,
        0.09375610863079,
    ],
    [
        10.0,
        1.0,
        -2.326786521109,
        0.09500181210948,
        0.05143336845511,
    ],
];

#[test]
fn wide_limit_matches_table_and_general_formula() {
    for row in WIDE {
        let m = ReducedRandomFeatures::new(1.0, row[0], row[1], RELU_ZETA_SQ).unwrap();
        let (b, v) = m.wide_limit().unwrap();
        assert!(rel(b, row[3]) < 2e-11, "{row:?}: {b}");
        assert!(rel(v, row[4]) < 2e-11, "{row:?}: {v}");
        if row[1] > 0.0 {
            // The general formula at psi1 = 1e6 agrees with the limit to O(1/psi1).
            let far = ReducedRandomFeatures::new(1e6, row[0], row[1], RELU_ZETA_SQ)
                .unwrap()
                .bias_variance()
                .unwrap();
            assert!(
                rel(far.bias, b) < 1e-4 && rel(far.variance, v) < 1e-4,
                "{row:?}: {} {}",
                far.bias,
                far.variance
            );
        }
    }
}

#[test]
fn large_sample_limit_matches_table_and_general_formula() {
    // B_lsamp(psi1, lambda_bar), ReLU.
    let table = [
        (0.5, [0.6749782207644, 0.6750665358271, 0.6811800542523]),
        (3.0, [0.1448737756077, 0.1465519541139, 0.2185714195599]),
        (10.0, [0.03864912711096, 0.04008320743405, 0.1136916812466]),
    ];
    for (p1, row) in table {
        for (lb, want) in [0.0, 0.1, 1.0].into_iter().zip(row) {
            let b = ReducedRandomFeatures::new(p1, 1.0, lb, RELU_ZETA_SQ)
                .unwrap()
                .large_sample_limit()
                .unwrap();
            assert!(rel(b, want) < 2e-11, "psi1={p1} lb={lb}: {b} vs {want}");
            if lb > 0.0 {
                let far = ReducedRandomFeatures::new(p1, 1e7, lb, RELU_ZETA_SQ)
                    .unwrap()
                    .bias_variance()
                    .unwrap();
                assert!(
                    rel(far.bias, b) < 1e-5,
                    "psi1={p1} lb={lb}: {} vs {b}",
                    far.bias
                );
                assert!(far.variance < 1e-5);
            }
        }
    }
}

#[test]
fn full_risks_for_monte_carlo_cases() {
    // docs/random_features.md#derivation-notes-reference-values, "Full risks of the Monte Carlo cases" (5 significant digits).
    let cases: &[(f64, f64, f64, f64, f64, f64)] = &[
        // psi1, psi2, f_star^2, tau^2, lambda, R
        (2.0, 3.0, 0.0, 0.25, 0.0, 1.18490),
        (2.0, 3.0, 0.0, 0.25, 1e-3, 1.00906),
        (2.0, 3.0, 0.0, 0.25, 0.1, 0.44495),
        (6.0, 3.0, 0.0, 0.25, 0.0, 0.50320),
        (6.0, 3.0, 0.0, 0.25, 1e-3, 0.44635),
        (6.0, 3.0, 0.0, 0.25, 0.1, 0.29083),
        (3.0, 3.0, 0.0, 0.25, 1e-3, 1.31559),
        (3.0, 3.0, 0.0, 0.25, 1e-2, 0.48144),
        (3.0, 3.0, 0.0, 0.25, 0.1, 0.36968),
        (4.0, 2.0, 0.5, 0.2, 0.0, 1.79933),
        (4.0, 2.0, 0.5, 0.2, 1e-2, 1.31651),
        (4.0, 2.0, 0.5, 0.2, 0.1, 1.00222),
        (0.5, 2.0, 0.3, 0.1, 0.0, 1.33330),
        (0.5, 2.0, 0.3, 0.1, 1e-2, 1.31070),
        (0.5, 2.0, 0.3, 0.1, 1.0, 1.14410),
    ];
    for &(psi1, psi2, fs2, t2, lambda, want) in cases {
        let r = RandomFeatures {
            psi1,
            psi2,
            lambda,
            f1: 1.0,
            f_star: fs2.sqrt(),
            noise_sd: t2.sqrt(),
            ..Default::default()
        }
        .check()
        .unwrap()
        .risk()
        .unwrap();
        assert!(
            (r.test_error - want).abs() < 6e-6,
            "({psi1},{psi2},{lambda}): {} vs {want}",
            r.test_error
        );
        assert!((r.bias + r.variance - r.test_error).abs() < 1e-14);
    }
}

#[test]
fn training_error_matches_monte_carlo_spot_values() {
    // docs/random_features.md#derivation-notes-training-error: MC at d = 200 (four seeds) vs the GCV formula; the formula values are
    // printed to 4-5 digits, the MC values agree with them to ~1%.
    let rows: &[(f64, f64, f64, f64, f64, f64)] = &[
        (4.0, 2.0, 0.01, 0.5, 0.2, 0.04622),
        (4.0, 2.0, 0.1, 0.5, 0.2, 0.36252),
        (0.5, 2.0, 0.0, 0.3, 0.1, 0.80623),
        (0.5, 2.0, 1.0, 0.3, 0.1, 1.03023),
        (3.0, 3.0, 0.01, 0.0, 0.25, 0.09372),
    ];
    for &(psi1, psi2, lambda, fs2, t2, want) in rows {
        let r = RandomFeatures {
            psi1,
            psi2,
            lambda,
            f1: 1.0,
            f_star: fs2.sqrt(),
            noise_sd: t2.sqrt(),
            ..Default::default()
        }
        .check()
        .unwrap()
        .risk()
        .unwrap();
        assert!(
            rel(r.train_error, want) < 2e-4,
            "({psi1},{psi2},{lambda}): {} vs {want}",
            r.train_error
        );
    }
}

#[test]
#[allow(deprecated)] // chi_minus is the deprecated unchecked form of try_chi_minus
fn chi_minus_is_the_negative_root_and_stable_for_small_zeta() {
    for &psi in &[1e-3, 0.5, 1.0, 3.0, 1e3] {
        for &c in &[1e-12, 1e-3, 1.0, RELU_ZETA_SQ, 1e3] {
            let x = chi_minus(psi, c);
            assert!(x < 0.0);
            let f = -c * x * x + (1.0 + c - c * psi) * x + psi;
            let scale = c * x * x + (1.0 + c + c * psi) * x.abs() + psi;
            assert!(f.abs() < 4e-16 * scale, "psi={psi} c={c}: f={f}");
        }
        assert!(rel(chi_minus(psi, 1e-14), -psi) < 1e-12);
    }
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let base = RandomFeatures::default();
    for (name, p) in [
        (
            "psi1",
            RandomFeatures {
                psi1: 0.0,
                ..base.clone()
            },
        ),
        (
            "psi2",
            RandomFeatures {
                psi2: f64::NAN,
                ..base.clone()
            },
        ),
        (
            "lambda",
            RandomFeatures {
                lambda: -1.0,
                ..base.clone()
            },
        ),
        (
            "noise_sd",
            RandomFeatures {
                noise_sd: f64::INFINITY,
                ..base.clone()
            },
        ),
    ] {
        match p.check() {
            Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: expected InvalidParameter, got {other:?}"),
        }
    }
    // A linear activation is a degenerate choice (mu_star = 0), not an out-of-range number.
    let linear = RandomFeatures {
        activation: Activation::Linear,
        ..base.clone()
    };
    match linear.check() {
        Err(e @ Error::InvalidChoice { name, .. }) => {
            assert_eq!(name, "activation");
            let msg = e.to_string();
            assert!(
                msg.contains("`linear`") && msg.contains("mu_star = 0"),
                "{msg}"
            );
        }
        other => panic!("linear activation: expected InvalidChoice, got {other:?}"),
    }
    // A custom activation without a nonlinear part is rejected the same way, by its name.
    let affine = Activation::custom("affine", |x| 2.0 * x + 1.0);
    match (RandomFeatures {
        activation: affine,
        ..base.clone()
    })
    .check()
    {
        Err(Error::InvalidChoice { name, value, .. }) => {
            assert_eq!((name, value.as_str()), ("activation", "affine"));
        }
        other => panic!("affine activation: expected InvalidChoice, got {other:?}"),
    }
}

#[test]
fn warm_started_curve_equals_cold_solves() {
    let model = RandomFeatures {
        psi2: 3.0,
        lambda: 1e-6,
        noise_sd: 0.5,
        ..Default::default()
    }
    .check()
    .unwrap();
    let grid: Vec<f64> = (0..200)
        .map(|i| 0.1 * 10f64.powf(2.0 * i as f64 / 199.0))
        .collect();
    let curve = model.curve_psi1(&grid).unwrap();
    for (p, warm) in grid.iter().zip(&curve) {
        let cold = model.with_psi1(*p).unwrap().risk().unwrap();
        assert!(
            rel(warm.test_error, cold.test_error) < 1e-10,
            "psi1={p}: {} vs {}",
            warm.test_error,
            cold.test_error
        );
    }
}

#[test]
fn converges_on_the_whole_coarse_grid() {
    // Issue requirement: residual < 1e-12 at 100% of a log-spaced grid psi1, psi2 in [1e-2, 1e2],
    // lambda in [1e-8, 1e2] (the fine grid runs in `examples/convergence_grid.rs`). The grid has
    // psi1 = psi2 points (the interpolation threshold) at every lambda.
    let psis = log_spaced(1e-2, 1e2, 21).unwrap();
    let lambdas = log_spaced(1e-8, 1e2, 11).unwrap();
    let mut worst: (f64, f64, f64, f64) = (0.0, 0.0, 0.0, 0.0);
    let mut count = 0;
    for &p1 in &psis {
        for &p2 in &psis {
            for &l in &lambdas {
                let m = RandomFeatures {
                    psi1: p1,
                    psi2: p2,
                    lambda: l,
                    noise_sd: 0.5,
                    ..Default::default()
                }
                .check()
                .unwrap();
                let r = m.risk().unwrap_or_else(|e| panic!("({p1},{p2},{l}): {e}"));
                assert!(r.test_error.is_finite() && r.train_error.is_finite());
                assert!(
                    r.bias >= 0.0 && r.variance >= 0.0 && r.train_error >= 0.0,
                    "({p1},{p2},{l}): {r:?}"
                );
                if r.residual > worst.0 {
                    worst = (r.residual, p1, p2, l);
                }
                count += 1;
            }
        }
    }
    assert_eq!(count, 21 * 21 * 11);
    assert!(worst.0 < 1e-12, "worst residual {worst:?}");
}

#[test]
fn general_iteration_agrees_with_bracketed_quartic() {
    use overparam::solver::fixed_point::FixedPointMethod;
    // The research-code route (iterate MM's equations) against the quartic, every method.
    let points = [
        (1.0, 3.0, 1e-3),
        (2.0, 3.0, 1e-3),
        (3.0, 3.0, 1e-3),
        (6.0, 3.0, 1e-3),
        (0.5, 2.0, 1.0),
        (2.9, 3.0, 1e-6),
    ];
    for (psi1, psi2, lambda) in points {
        let m = RandomFeatures {
            psi1,
            psi2,
            lambda,
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()
        .unwrap();
        let quartic = m.risk().unwrap();
        // Pure Newton is a local method: from the cold start (the resolvent bound) its line search
        // can stall in a local minimum of |F|^2, so it is exercised from a 0.1% perturbation of the
        // solution below; the globalised methods run from the cold start.
        for method in [
            FixedPointMethod::Picard,
            FixedPointMethod::Anderson,
            FixedPointMethod::Auto,
        ] {
            let it = m
                .risk_by_iteration(method)
                .unwrap_or_else(|e| panic!("({psi1},{psi2},{lambda}) {method:?}: {e}"));
            assert!(
                rel(it.chi, quartic.chi) < 1e-10,
                "({psi1},{psi2},{lambda}) {method:?}: chi {} vs {}",
                it.chi,
                quartic.chi
            );
            assert!(rel(it.test_error, quartic.test_error) < 1e-9, "{method:?}");
            assert!(it.residual < 1e-12);
        }
        let fp = m.reduced().fixed_point().unwrap();
        let near = m
            .reduced()
            .fixed_point_by_iteration(Some((1.001 * fp.a, 0.999 * fp.b)), FixedPointMethod::Newton)
            .unwrap();
        assert!(
            rel(near.chi, fp.chi) < 1e-10,
            "Newton: {} vs {}",
            near.chi,
            fp.chi
        );
        assert!(
            near.iterations < 20,
            "Newton iterations {}",
            near.iterations
        );
    }
}

#[test]
fn lambda_to_zero_continuation_stays_on_the_physical_branch() {
    // Iteration with continuation along lambda = 1 -> 1e-8 near and at the threshold, each point
    // warm-started from the previous; compared with the bracketed quartic (unique root, so an
    // independent reference) at every point.
    let lambdas = log_spaced(1.0, 1e-8, 33).unwrap();
    for (psi1, psi2) in [(2.9, 3.0), (3.0, 3.0), (6.0, 3.0), (0.3, 3.0)] {
        let m = RandomFeatures {
            psi1,
            psi2,
            lambda: 1.0,
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()
        .unwrap();
        let path = m.curve_lambda_by_iteration(&lambdas).unwrap();
        for (l, r) in lambdas.iter().zip(&path) {
            let q = m.with_lambda(*l).unwrap().risk().unwrap();
            assert!(
                rel(r.chi, q.chi) < 1e-9,
                "({psi1},{psi2}) lambda={l}: {} vs {}",
                r.chi,
                q.chi
            );
            assert!(rel(r.test_error, q.test_error) < 1e-8);
        }
    }
}

#[test]
fn optimal_lambda_beats_a_fine_grid() {
    for (psi1, psi2, fs, tau) in [
        (2.0, 3.0, 0.0, 0.5),
        (3.0, 3.0, 0.0, 0.5),
        (6.0, 3.0, 0.5, 0.3),
        (0.5, 2.0, 0.3, 0.1),
    ] {
        let m = RandomFeatures {
            psi1,
            psi2,
            f_star: fs,
            noise_sd: tau,
            ..Default::default()
        }
        .check()
        .unwrap();
        let opt = m.optimal_lambda().unwrap();
        // Independent reference: brute force on 2001 log-spaced lambdas plus lambda = 0.
        let mut best = (f64::INFINITY, 0.0);
        for l in log_spaced(1e-8, 1e4, 2001).unwrap() {
            let r = m.with_lambda(l).unwrap().risk().unwrap().test_error;
            if r < best.0 {
                best = (r, l);
            }
        }
        if let Ok(r0) = m.ridgeless()
            && r0.test_error < best.0
        {
            best = (r0.test_error, 0.0);
        }
        assert!(
            opt.risk.test_error <= best.0 * (1.0 + 1e-12),
            "({psi1},{psi2}): {} > grid {}",
            opt.risk.test_error,
            best.0
        );
        // The grid spacing (1.4% in lambda) bounds how much better than the grid the optimum can be.
        assert!(
            opt.risk.test_error >= best.0 * (1.0 - 1e-4),
            "optimum {} far below grid {}",
            opt.risk.test_error,
            best.0
        );
        if best.1 > 0.0 {
            assert!(
                (opt.lambda / best.1).ln().abs() < 0.02,
                "lambda* {} vs grid {}",
                opt.lambda,
                best.1
            );
        }
        assert!(!opt.at_boundary);
    }
}

#[test]
#[allow(deprecated)] // the deprecated alias `tau` and accessor `tau_sq` are what is tested
fn deprecated_tau_is_an_alias_of_noise_sd() {
    let new = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        lambda: 0.1,
        noise_sd: 0.5,
        ..Default::default()
    };
    let old = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        lambda: 0.1,
        tau: 0.5,
        ..Default::default()
    };
    let both = RandomFeatures {
        tau: 0.5,
        ..new.clone()
    };
    let (a, b, c) = (
        new.check().unwrap(),
        old.check().unwrap(),
        both.check().unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!((a.noise_sd(), a.tau_sq()), (0.5, 0.25));
    // The old field really sets the noise: the documented value at this point (rustdoc of
    // `risk`, 0.44495) includes noise_sd = 0.5; without noise the risk is smaller.
    let r = b.risk().unwrap();
    assert_eq!(r, a.risk().unwrap());
    assert!((r.test_error - 0.44495).abs() < 1e-5, "{}", r.test_error);
    let quiet = RandomFeatures {
        noise_sd: 0.0,
        ..new.clone()
    };
    assert!(quiet.check().unwrap().risk().unwrap().test_error < r.test_error - 1e-3);
    // Two different non-default values: an error naming the new field.
    match (RandomFeatures {
        tau: 0.3,
        ..new.clone()
    })
    .check()
    {
        Err(Error::InvalidParameter { name, value, .. }) => {
            assert_eq!((name, value), ("noise_sd", 0.5));
        }
        other => panic!("conflicting noise levels accepted: {other:?}"),
    }
    // An invalid value given under the old name is reported under it.
    match (RandomFeatures {
        tau: -1.0,
        ..Default::default()
    })
    .check()
    {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "tau"),
        other => panic!("negative tau accepted: {other:?}"),
    }
}
