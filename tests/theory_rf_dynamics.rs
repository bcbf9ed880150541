//! Random features under gradient flow (`theory::rf_dynamics`) against independent references:
//! Mei–Montanari's ridge / ridgeless risk (t -> infinity), the zero predictor (t = 0), gradient
//! descent with a small step, and the closed-form first-order behaviour at small t.

use overparam::gaussian::Activation;
use overparam::theory::dynamics::Algorithm;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::RfDynamics;

fn rf(psi1: f64, psi2: f64, lambda: f64, activation: Activation) -> RandomFeatures {
    RandomFeatures {
        psi1,
        psi2,
        lambda,
        activation,
        f1: 1.0,
        f_star: 0.4,
        noise_sd: 0.5,
        ..Default::default()
    }
}

/// t -> infinity: gradient flow without a ridge term ends at the min-norm / least-squares fit,
/// whose risk is MM's ridgeless limit (lambda -> 0+), on both sides of psi1 = psi2; with the ridge
/// term it ends at MM's ridge risk. Test and training error.
#[test]
fn long_time_equals_mei_montanari() {
    let mut worst: f64 = 0.0;
    for activation in [Activation::Relu, Activation::Tanh] {
        for &(psi1, psi2, lambda) in &[
            (0.5, 1.5, 0.0),
            (3.0, 1.5, 0.0),
            (1.2, 2.0, 0.0),
            (2.0, 0.7, 0.0),
            (0.8, 1.5, 0.05),
            (3.0, 1.5, 0.05),
        ] {
            let m = RfDynamics {
                model: rf(psi1, psi2, lambda, activation.clone()),
                ..Default::default()
            }
            .check()
            .unwrap();
            let want = m.limit().unwrap();
            let got = m.at(1e7).unwrap();
            for (name, a, b) in [
                ("test", got.test_error, want.test_error),
                ("train", got.train_error, want.train_error),
            ] {
                let rel = (a - b).abs() / b.abs().max(1e-3);
                worst = worst.max(rel);
                assert!(
                    rel < 1e-6,
                    "{} psi1 {psi1} psi2 {psi2} lambda {lambda} {name}: {a} vs MM {b}",
                    activation.name()
                );
            }
        }
    }
    println!("worst relative difference to MM at t = 1e7: {worst:.2e}");
}

/// t = 0: the predictor is zero, so the test error is the target's energy F1^2 + F*^2 and the
/// training error adds the noise; all of it is bias.
#[test]
fn time_zero_is_the_zero_predictor() {
    for &(psi1, psi2) in &[(0.5, 1.5), (3.0, 1.5)] {
        let m = RfDynamics {
            model: rf(psi1, psi2, 0.0, Activation::Relu),
            ..Default::default()
        }
        .check()
        .unwrap();
        let r = m.at(0.0).unwrap();
        assert!((r.test_error - 1.16).abs() < 1e-9, "{}", r.test_error);
        assert!((r.train_error - 1.41).abs() < 1e-9, "{}", r.train_error);
        assert!(r.variance.abs() < 1e-9);
    }
}

/// The training error decreases monotonically along the flow (gradient flow decreases the loss,
/// and the limit training loss is the population-level quantity), and a curve equals the
/// pointwise evaluations.
#[test]
fn curve_is_consistent_and_train_error_decreases() {
    let m = RfDynamics {
        model: rf(2.0, 1.5, 0.0, Activation::Relu),
        ..Default::default()
    }
    .check()
    .unwrap();
    let times = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0];
    let curve = m.curve(&times).unwrap();
    for w in curve.windows(2) {
        assert!(w[1].train_error < w[0].train_error);
    }
    for (t, c) in times.iter().zip(&curve) {
        let p = m.at(*t).unwrap();
        assert!((p.test_error - c.test_error).abs() < 1e-9 * c.test_error.max(1.0));
    }
}

/// Gradient descent with a small step approaches gradient flow at t = k eta (the gap shrinks
/// with eta, first order).
#[test]
fn small_step_gradient_descent_approaches_the_flow() {
    let model = rf(0.7, 1.5, 0.0, Activation::Relu);
    let flow = RfDynamics {
        model: model.clone(),
        ..Default::default()
    }
    .check()
    .unwrap()
    .at(5.0)
    .unwrap();
    let mut previous = f64::INFINITY;
    for &eta in &[0.1, 0.05, 0.025] {
        let gd = RfDynamics {
            model: model.clone(),
            algorithm: Algorithm::GradientDescent,
            lr: eta,
            momentum: 0.0,
        }
        .check()
        .unwrap()
        .at((5.0 / eta).round())
        .unwrap();
        let gap = (gd.test_error - flow.test_error).abs();
        assert!(gap < 0.7 * previous, "eta {eta}: {gap} vs {previous}");
        previous = gap;
    }
    assert!(previous < 5e-3 * flow.test_error);
}

/// psi1 = psi2 exactly is outside the contour quadrature's domain (typed error naming psi1);
/// an invalid time is a typed error.
#[test]
fn domain_errors() {
    let e = RfDynamics {
        model: rf(1.5, 1.5, 0.0, Activation::Relu),
        ..Default::default()
    }
    .check();
    assert!(e.is_err());
    let m = RfDynamics {
        model: rf(1.0, 1.5, 0.0, Activation::Relu),
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(m.at(-1.0).is_err());
    assert!(m.at(f64::NAN).is_err());
}

/// Early stopping for random features: the optimum is the lifted linear optimum, not above a
/// dense grid of the curve; the rf optimal ridge equals the anisotropic optimal ridge on the
/// equivalent population (plus the constant), an independent route.
#[test]
fn early_stopping_optimum_and_ridge() {
    use overparam::theory::ridge::AnisotropicRidge;
    for &(psi1, psi2) in &[(2.0, 3.0), (0.6, 1.5)] {
        let m = RfDynamics {
            model: rf(psi1, psi2, 0.0, Activation::Relu),
            ..Default::default()
        }
        .check()
        .unwrap();
        let es = m.early_stopping().unwrap();
        let t = es.at_optimum.time;
        let times: Vec<f64> = (0..=1000)
            .map(|i| t * 10f64.powf(-2.0 + 4.0 * i as f64 / 1000.0))
            .collect();
        let curve = m.curve(&times).unwrap();
        let best = curve
            .iter()
            .map(|r| r.test_error)
            .fold(f64::INFINITY, f64::min);
        assert!(
            es.at_optimum.test_error <= best + 1e-12,
            "psi1 {psi1}: {} vs grid {best}",
            es.at_optimum.test_error
        );
        let direct = m.at(t).unwrap();
        assert!((direct.test_error - es.at_optimum.test_error).abs() < 1e-12);
        // The ridge comparison through the other route.
        let eq = m.equivalent();
        let linear = AnisotropicRidge {
            noise_sd: eq.noise_energy().sqrt(),
            ..AnisotropicRidge::new(
                std::sync::Arc::clone(eq.population()),
                eq.gamma(),
                1.0,
                eq.signal_energy() / eq.noise_energy(),
            )
        }
        .check()
        .unwrap()
        .optimal_lambda()
        .unwrap();
        let via_linear = linear.at_optimum.test_error + eq.constant();
        eprintln!(
            "psi1 {psi1} psi2 {psi2}: t* {t} rf ridge {} (lambda {}) linear {} (lambda {} / psi1 = {})",
            es.ridge.risk.test_error,
            es.ridge.lambda,
            via_linear,
            linear.lambda,
            linear.lambda / psi1
        );
        assert!(
            (es.ridge.risk.test_error - via_linear).abs() < 1e-10 * via_linear,
            "psi1 {psi1}: rf ridge {} vs linear {via_linear}",
            es.ridge.risk.test_error
        );
        close_rel(
            es.ratio_to_ridge,
            es.at_optimum.test_error / es.ridge.risk.test_error,
        );
    }
}

fn close_rel(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-14 * b.abs(), "{a} vs {b}");
}
