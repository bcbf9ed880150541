//! The random-features -> linear-model reduction (`theory::rf_equivalent`) against independent
//! references: Mei–Montanari's quartic (`theory::random_features`, itself checked against
//! simulation), the Marchenko–Pastur Stieltjes transform in closed form, and the limits.

use num_complex::Complex64;
use overparam::Error;
use overparam::gaussian::Activation;
use overparam::spectral::marchenko_pastur::MarchenkoPastur;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_equivalent::{
    random_features_equivalent, random_features_equivalent_with_nodes,
};

fn model(
    psi1: f64,
    psi2: f64,
    lambda: f64,
    activation: Activation,
) -> overparam::theory::random_features::RandomFeaturesModel {
    RandomFeatures {
        psi1,
        psi2,
        lambda,
        activation,
        f1: 1.0,
        f_star: 0.6,
        noise_sd: 0.4,
        ..Default::default()
    }
    .check()
    .unwrap()
}

/// AnisotropicRidge on the reduced population equals MM's formula over a grid on both sides of
/// psi1 = psi2 (and of psi1 = 1), lambda 1e-3..10, ReLU and tanh, F_star > 0, tau > 0: test error,
/// training error, bias and variance.
#[test]
fn ridge_on_the_equivalent_equals_mei_montanari() {
    let mut worst: f64 = 0.0;
    let mut count = 0;
    for activation in [Activation::Relu, Activation::Tanh, Activation::Erf] {
        for &psi1 in &[0.3, 0.8, 1.0, 1.5, 4.0, 20.0] {
            for &psi2 in &[0.5, 2.0, 5.0] {
                for &lambda in &[1e-3, 1e-2, 0.1, 1.0, 10.0] {
                    let m = model(psi1, psi2, lambda, activation.clone());
                    let mm = m.risk().unwrap();
                    let eq = random_features_equivalent(&m).unwrap();
                    let lin = eq.risk().unwrap();
                    for (name, a, b) in [
                        ("test_error", lin.test_error, mm.test_error),
                        ("train_error", lin.train_error, mm.train_error),
                        ("bias", lin.bias, mm.bias),
                        ("variance", lin.variance, mm.variance),
                        ("V", lin.variance_coefficient, mm.variance_coefficient),
                    ] {
                        let rel = (a - b).abs() / b.abs().max(1e-3);
                        worst = worst.max(rel);
                        assert!(
                            rel < 1e-8,
                            "{name}: {} psi1 {psi1} psi2 {psi2} lambda {lambda}: \
                             equivalent {a} MM {b}",
                            activation.name()
                        );
                    }
                    count += 1;
                }
            }
        }
    }
    println!("{count} points, worst relative difference {worst:.2e}");
    assert_eq!(count, 270);
}

/// The ridgeless limit lambda -> 0+: MM's closed-form root against the equivalent at lambda = 0
/// (min-norm / least squares in the linear model) on both sides of psi1 = psi2, and lambda = 0 at
/// psi1 = psi2 is an error on both sides.
#[test]
fn ridgeless_limit_matches() {
    for &(psi1, psi2) in &[(0.5, 2.0), (3.0, 1.0), (1.5, 4.0), (8.0, 2.0), (1.0, 3.0)] {
        let m = model(psi1, psi2, 0.0, Activation::Relu);
        let mm = m.risk().unwrap();
        let lin = random_features_equivalent(&m).unwrap().risk().unwrap();
        for (a, b) in [
            (lin.test_error, mm.test_error),
            (lin.train_error, mm.train_error),
        ] {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1e-3),
                "psi1 {psi1} psi2 {psi2}: {a} vs {b}"
            );
        }
        // And lambda -> 0+ of the equivalent is continuous.
        let small = random_features_equivalent(&m.with_lambda(1e-10).unwrap())
            .unwrap()
            .risk()
            .unwrap();
        assert!((small.test_error - lin.test_error).abs() < 1e-6 * lin.test_error);
    }
    let m = model(2.0, 2.0, 0.0, Activation::Relu);
    assert!(m.risk().is_err());
    assert!(matches!(
        random_features_equivalent(&m).unwrap().risk(),
        Err(Error::InvalidParameter { name: "lambda", .. })
    ));
}

/// The explained share e_1 = psi1 int mu1^2 s/(mu1^2 s + mu_*^2) dMP against the closed-form MP
/// Stieltjes transform: e_1 = psi1 (1 - m(-1/zeta^2)/zeta^2) with m(z) = int dMP(s)/(s - z).
#[test]
fn explained_share_matches_the_stieltjes_transform() {
    for activation in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        for &psi1 in &[0.1, 0.7, 1.0, 1.3, 5.0, 100.0] {
            let m = model(psi1, 2.0, 0.1, activation.clone());
            let c = m.coefficients();
            let zeta_sq = c.mu1 * c.mu1 / c.mu_star_sq;
            let mp = MarchenkoPastur::new(psi1).unwrap();
            let st = mp
                .stieltjes(Complex64::new(-1.0 / zeta_sq, 0.0))
                .unwrap()
                .re;
            let want = psi1 * (1.0 - st / zeta_sq);
            let eq = random_features_equivalent(&m).unwrap();
            assert!(
                (eq.explained_share() - want).abs() < 1e-11,
                "{} psi1 {psi1}: {} vs {want}",
                activation.name(),
                eq.explained_share()
            );
            assert!(eq.quadrature_error() < 1e-10, "{}", eq.quadrature_error());
            // The additive constant and the effective noise.
            let unexplained = 1.0 - want;
            assert!((eq.constant() - (unexplained + 0.36)).abs() < 1e-11);
            assert!((eq.noise_energy() - (unexplained + 0.36 + 0.16)).abs() < 1e-11);
        }
    }
}

/// The discretised population reproduces the MP Stieltjes transform of the feature covariance:
/// with lambda_j = mu1^2 s_j + mu_*^2, sum_j w_j/(lambda_j - z) = m_MP((z - mu_*^2)/mu1^2)/mu1^2,
/// at several z (real negative and complex), and its first two moments.
#[test]
fn population_reproduces_the_marchenko_pastur_law() {
    for &psi1 in &[0.25, 1.0, 3.0] {
        let m = model(psi1, 1.0, 0.1, Activation::Relu);
        let c = m.coefficients();
        let (mu1_sq, ms) = (c.mu1 * c.mu1, c.mu_star_sq);
        let eq = random_features_equivalent(&m).unwrap();
        let pop = eq.population();
        let mp = MarchenkoPastur::new(psi1).unwrap();
        for z in [
            Complex64::new(-0.05, 0.0),
            Complex64::new(-2.0, 0.0),
            Complex64::new(0.5, 1.0),
            Complex64::new(3.0, 0.5),
        ] {
            let got: Complex64 = pop
                .eigenvalues()
                .iter()
                .zip(pop.weights())
                .map(|(l, w)| *w / (*l - z))
                .sum();
            let want = mp.stieltjes((z - ms) / mu1_sq).unwrap() / mu1_sq;
            assert!(
                (got - want).norm() < 1e-10 * want.norm(),
                "psi1 {psi1} z {z}: {got} vs {want}"
            );
        }
        // Mean mu1^2 + mu_*^2, variance mu1^4 psi1.
        let mean: f64 = pop
            .eigenvalues()
            .iter()
            .zip(pop.weights())
            .map(|(l, w)| l * w)
            .sum();
        let var: f64 = pop
            .eigenvalues()
            .iter()
            .zip(pop.weights())
            .map(|(l, w)| (l - mean).powi(2) * w)
            .sum();
        assert!((mean - (mu1_sq + ms)).abs() < 1e-13);
        assert!((var - mu1_sq * mu1_sq * psi1).abs() < 1e-12);
        assert!((eq.gamma() - psi1).abs() < 1e-15);
        assert!((eq.ridge_lambda() - psi1 * 0.1).abs() < 1e-15);
    }
}

/// The quadrature converges: the default rule agrees with a rule of twice as many nodes to 1e-12
/// on the risk, and a too coarse rule is visibly off (so the comparison can fail).
#[test]
fn quadrature_converges() {
    let m = model(1.2, 2.0, 0.01, Activation::Tanh);
    let eq = random_features_equivalent(&m).unwrap();
    let fine = random_features_equivalent_with_nodes(&m, (2 * eq.nodes()).min(600))
        .unwrap()
        .risk()
        .unwrap();
    let default = eq.risk().unwrap();
    assert!((fine.test_error - default.test_error).abs() < 1e-12);
    let coarse = random_features_equivalent_with_nodes(&m, 3)
        .unwrap()
        .risk()
        .unwrap();
    assert!((coarse.test_error - default.test_error).abs() > 1e-6);
    assert!(matches!(
        random_features_equivalent_with_nodes(&m, 1),
        Err(Error::InvalidParameter { name: "nodes", .. })
    ));
    assert!(random_features_equivalent_with_nodes(&m, 601).is_err());
}

/// No signal and no noise: every risk is exactly zero; mu1 = 0 (|x|): no linear signal is
/// learnable, the test error is F1^2 + F*^2 plus the variance.
#[test]
fn degenerate_energies() {
    let m = RandomFeatures {
        psi1: 2.0,
        psi2: 1.0,
        lambda: 0.1,
        f1: 0.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    let r = random_features_equivalent(&m).unwrap().risk().unwrap();
    assert_eq!((r.test_error, r.train_error), (0.0, 0.0));
    let m = model(2.0, 3.0, 0.1, Activation::Abs);
    let eq = random_features_equivalent(&m).unwrap();
    assert_eq!(eq.signal_energy(), 0.0);
    let (lin, mm) = (eq.risk().unwrap(), m.risk().unwrap());
    assert!((lin.test_error - mm.test_error).abs() < 1e-12);
}

/// Extreme but valid inputs give finite numbers or a typed error, never a panic or a non-finite
/// number inside Ok (docs/numerics.md): ratios at the ends of RATIO_RANGE, lambda up to 1e12, an
/// almost linear activation (zeta^2 huge: the node count saturates), huge energies.
#[test]
fn extreme_inputs_are_finite_or_errors() {
    let almost_linear = Activation::custom("almost_linear", |x| x + 1e-3 * (x * x - 1.0));
    for &psi1 in &[1e-12, 1e-6, 0.999_999, 1.0, 1.000_001, 1e6, 1e12] {
        for &psi2 in &[1e-12, 1.0, 1e12] {
            for &lambda in &[0.0, 1e-12, 1.0, 1e12] {
                // The almost linear activation saturates the node count (600 nodes, two dense
                // 600 x 600 eigendecompositions): a few points only.
                let activations =
                    if psi2 == 1.0 && lambda <= 1.0 && [1e-6, 1.0, 1e6].contains(&psi1) {
                        vec![Activation::Relu, almost_linear.clone()]
                    } else {
                        vec![Activation::Relu]
                    };
                for activation in activations {
                    for &amp in &[0.0, 1.0, 1e150] {
                        let Ok(m) = (RandomFeatures {
                            psi1,
                            psi2,
                            lambda,
                            activation: activation.clone(),
                            f1: amp,
                            f_star: amp,
                            noise_sd: amp,
                            ..Default::default()
                        })
                        .check() else {
                            continue;
                        };
                        let Ok(eq) = random_features_equivalent(&m) else {
                            continue;
                        };
                        for v in [
                            eq.gamma(),
                            eq.ridge_lambda(),
                            eq.signal_energy(),
                            eq.noise_energy(),
                            eq.constant(),
                            eq.explained_share(),
                            eq.quadrature_error(),
                        ] {
                            assert!(v.is_finite(), "psi1 {psi1} psi2 {psi2} lambda {lambda}");
                        }
                        assert!((0.0..=1.0).contains(&eq.explained_share()));
                        if let Ok(r) = eq.risk() {
                            for v in [r.test_error, r.bias, r.variance, r.train_error, r.kappa] {
                                assert!(v.is_finite(), "psi1 {psi1} psi2 {psi2} lambda {lambda}");
                            }
                        }
                    }
                }
            }
        }
    }
}
