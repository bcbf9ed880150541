//! The random-features dynamics simulation (`sim::rf_dynamics`) against independent references:
//! the ridge simulation of `sim::random_features` on the same draws (t -> infinity), literal
//! iteration of gradient descent on the fitted operator, and the theory through the join.

use overparam::linalg::Matrix;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::rf_dynamics::{RfDynamicsSimulation, RfDynamicsSimulator};
use overparam::theory::dynamics::Algorithm;
use overparam::theory::random_features::RandomFeatures;

fn rf(psi1: f64, psi2: f64, lambda: f64, f_star: f64) -> RandomFeatures {
    RandomFeatures {
        psi1,
        psi2,
        lambda,
        f1: 1.0,
        f_star,
        noise_sd: 0.5,
        ..Default::default()
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-3)
}

/// Gradient flow to t = infinity with the ridge term is MM's ridge estimator: the risks equal
/// those of the ridge simulation on the same draws (same seed and order), with a nonlinear
/// target and noise, on both sides of N = n (primal and dual forms); and lambda = 0 gives the
/// least-squares / min-norm fit of the ridgeless simulation.
#[test]
fn long_time_equals_the_ridge_simulation_on_the_same_draws() {
    for &(psi1, psi2, lambda) in &[
        (0.5, 1.5, 0.05),
        (2.0, 1.0, 0.05),
        (0.5, 1.5, 0.0),
        (2.0, 1.0, 0.0),
    ] {
        let model = rf(psi1, psi2, lambda, 0.5);
        let d = 24;
        let ridge = RandomFeaturesSimulation {
            model: model.clone(),
            d,
            test_points: 50,
            ..Default::default()
        }
        .check()
        .unwrap();
        let dynamics = RfDynamicsSimulation {
            model,
            d,
            test_points: 50,
            time: 1e9,
            ..Default::default()
        }
        .check()
        .unwrap();
        for trial in 0..2 {
            let want = ridge.run_trial(11, trial).unwrap();
            let (x, theta, x_test) = dynamics.trial_inputs(11, trial);
            let spec = dynamics.spectrum(&x, &theta, &x_test).unwrap();
            let got = dynamics.risks_at(&spec, &[1e9]).unwrap()[0];
            for (name, a, b) in [
                ("test", got.test_error, want.test_error),
                ("train", got.train_error, want.train_error),
                ("variance", got.variance, want.variance),
            ] {
                assert!(
                    close(a, b, 1e-8),
                    "psi1 {psi1} psi2 {psi2} lambda {lambda} {name}: {a} vs {b}"
                );
            }
        }
    }
}

/// Literal gradient descent on the linear map y -> a (an N x n matrix F):
/// F_{k+1} = F_k - eta (Z^T Z F_k / n - Z^T / n + lambda_lin F_k), and its conditional risks
/// computed directly (p_t = F^T z_t, M = I - Z F).
fn literal_gd(
    sim: &RfDynamicsSimulator,
    x: &Matrix,
    theta: &Matrix,
    x_test: &Matrix,
    eta: f64,
    steps: usize,
) -> (f64, f64) {
    let (z, z_test_t) = sim.features(x, theta, x_test).unwrap();
    let (n, nf, d, t) = (x.nrows(), theta.nrows(), x.ncols(), x_test.nrows());
    let lam = sim.ridge_lambda();
    let zt = z.transpose();
    let gram = z.gram(1.0 / n as f64); // Z^T Z / n
    let mut f = Matrix::zeros(nf, n);
    for _ in 0..steps {
        let grad = gram
            .matmul(&f, 1.0)
            .unwrap()
            .linear_combination(1.0, &zt, -1.0 / n as f64)
            .unwrap()
            .linear_combination(1.0, &f, lam)
            .unwrap();
        f = f.linear_combination(1.0, &grad, -eta).unwrap();
    }
    let p_t = f.matmul_tn(&z_test_t, 1.0).unwrap(); // n x T
    let fitted = x.matmul_tn(&p_t, 1.0).unwrap(); // d x T
    let linear = fitted.distance_sq(&x_test.transpose()).unwrap() / (t * d) as f64;
    let noise_like = p_t.frobenius_sq() / t as f64;
    let mut m = z.matmul(&f, -1.0).unwrap();
    m.add_to_diagonal(1.0);
    let train_linear = m.matmul(x, 1.0).unwrap().frobenius_sq() / (n * d) as f64;
    let train_noise = m.frobenius_sq() / n as f64;
    let tau_sq = 0.25;
    (
        linear + tau_sq * noise_like,
        train_linear + tau_sq * train_noise,
    )
}

/// The eigendecomposition route equals literal gradient descent step by step (to rounding), on
/// both sides of N = n, with and without the ridge term; and gradient descent with a small step
/// approaches gradient flow at t = k eta (first-order error).
#[test]
fn spectral_route_equals_literal_iteration() {
    for &(psi1, psi2, lambda) in &[(0.6, 1.2, 0.0), (1.6, 0.8, 0.0), (1.6, 0.8, 0.1)] {
        let d = 20;
        let base = RfDynamicsSimulation {
            model: rf(psi1, psi2, lambda, 0.0),
            d,
            test_points: 30,
            ..Default::default()
        };
        let (eta, steps) = (0.05, 200);
        let gd = RfDynamicsSimulation {
            algorithm: Algorithm::GradientDescent,
            lr: eta,
            time: steps as f64,
            ..base.clone()
        }
        .check()
        .unwrap();
        let (x, theta, x_test) = gd.trial_inputs(3, 0);
        let spec = gd.spectrum(&x, &theta, &x_test).unwrap();
        let got = gd.risks_at(&spec, &[steps as f64]).unwrap()[0];
        let (test, train) = literal_gd(&gd, &x, &theta, &x_test, eta, steps);
        assert!(
            close(got.test_error, test, 1e-10),
            "{} vs {test}",
            got.test_error
        );
        assert!(
            close(got.train_error, train, 1e-10),
            "{} vs {train}",
            got.train_error
        );
        // Small step: GD at k = t/eta against gradient flow at t = 10.
        let gf = RfDynamicsSimulation {
            time: 10.0,
            ..base.clone()
        }
        .check()
        .unwrap();
        let flow = gf.risks_at(&spec, &[10.0]).unwrap()[0];
        let mut previous = f64::INFINITY;
        for &eta in &[0.02, 0.01, 0.005] {
            let gd = RfDynamicsSimulation {
                algorithm: Algorithm::GradientDescent,
                lr: eta,
                time: (10.0 / eta).round(),
                ..base.clone()
            }
            .check()
            .unwrap();
            let r = gd.risks_at(&spec, &[(10.0 / eta).round()]).unwrap()[0];
            let gap = (r.test_error - flow.test_error).abs();
            assert!(gap < 0.6 * previous, "eta {eta}: gap {gap} vs {previous}");
            previous = gap;
        }
        assert!(previous < 1e-2 * flow.test_error, "{previous}");
    }
}

/// Heavy ball with m = 0 is gradient descent; at t = 0 the predictor is zero: the test error is
/// the target's energy (F1^2 + F*^2 up to the sphere's finite-size factors) and the training
/// error is the empirical label energy.
#[test]
fn method_identities() {
    let base = RfDynamicsSimulation {
        model: rf(1.5, 1.0, 0.0, 0.0),
        d: 20,
        test_points: 30,
        ..Default::default()
    };
    let gd = RfDynamicsSimulation {
        algorithm: Algorithm::GradientDescent,
        lr: 0.1,
        time: 50.0,
        ..base.clone()
    }
    .check()
    .unwrap();
    let hb = RfDynamicsSimulation {
        algorithm: Algorithm::HeavyBall,
        lr: 0.1,
        momentum: 0.0,
        time: 50.0,
        ..base.clone()
    }
    .check()
    .unwrap();
    let (x, theta, x_test) = gd.trial_inputs(5, 1);
    let spec = gd.spectrum(&x, &theta, &x_test).unwrap();
    let a = gd.risks_at(&spec, &[50.0]).unwrap()[0];
    let b = hb.risks_at(&spec, &[50.0]).unwrap()[0];
    assert_eq!(a, b);
    let gf = base.check().unwrap();
    let zero = gf.risks_at(&spec, &[0.0]).unwrap()[0];
    // Zero predictor: test error = F1^2 mean ||x_t||^2 / d = 1 on the sphere; no variance.
    assert!((zero.test_error - 1.0).abs() < 1e-12, "{}", zero.test_error);
    assert_eq!(zero.variance, 0.0);
    assert!(
        (zero.train_error - 1.25).abs() < 1e-12,
        "{}",
        zero.train_error
    );
    // Invalid times and methods.
    assert!(gf.risks_at(&spec, &[-1.0]).is_err());
    assert!(gd.risks_at(&spec, &[2.5]).is_err());
    assert!(
        RfDynamicsSimulation {
            algorithm: Algorithm::Nesterov,
            momentum: 1.0,
            ..base.clone()
        }
        .check()
        .is_err()
    );
}

/// Theory against simulation through the spine's join (theory at the realised ratios, 4 SE +
/// allowance c|R|/d) at several times on both sides of N = n, with ReLU (mu_0 != 0: the constant
/// feature direction is a spike of the Gram matrix) and tanh (mu_0 = 0): the spike does not
/// matter. Every metric (test, bias, variance, train) must agree.
#[test]
fn theory_agrees_with_simulation_through_the_join() {
    use overparam::experiment::{JoinOptions, RunOptions, join_simulated};
    use overparam::gaussian::Activation;
    use overparam::sim::PointEstimate;
    let run = RunOptions {
        seed: 16,
        trials: 12,
        progress: false,
    };
    let times = [0.3, 3.0, 30.0, 1000.0];
    let mut worst_z: f64 = 0.0;
    for activation in [Activation::Relu, Activation::Tanh] {
        for &(psi1, psi2) in &[(0.6, 1.5), (3.0, 1.5)] {
            let model = RandomFeatures {
                activation: activation.clone(),
                ..rf(psi1, psi2, 0.0, 0.4)
            };
            let base = RfDynamicsSimulation {
                model,
                d: 80,
                test_points: 400,
                ..Default::default()
            };
            let sim = base.check().unwrap();
            let reports = sim.run_times(&run, &times).unwrap();
            for r in &reports {
                let at = RfDynamicsSimulation {
                    time: r.time,
                    ..base.clone()
                }
                .check()
                .unwrap();
                let estimates: Vec<PointEstimate> =
                    [&r.test_error, &r.bias, &r.variance, &r.train_error]
                        .into_iter()
                        .map(PointEstimate::from)
                        .collect();
                let joined =
                    join_simulated(&at, &estimates, &run, &JoinOptions::default()).unwrap();
                for m in &joined.metrics {
                    println!(
                        "{} psi1 {psi1} t {:>6}: {:<11} theory {:.5} sim {:.5} +- {:.5} z {:+.2}",
                        activation.name(),
                        r.time,
                        m.name,
                        m.theory_realised,
                        m.simulation.value,
                        m.simulation.std_err,
                        m.z.unwrap_or(0.0)
                    );
                    if m.name == "test_error" || m.name == "train_error" {
                        worst_z = worst_z.max(m.z.unwrap_or(0.0).abs());
                    }
                }
                assert!(
                    joined.all_agree(),
                    "{} psi1 {psi1} t {}: {joined:?}",
                    activation.name(),
                    r.time
                );
            }
        }
    }
    println!("largest |z| (test and train): {worst_z:.2}");
}

/// The finite-size gap shrinks with d: the mean absolute gap |sim - theory| of the test error at
/// t = 10 (psi1 = 2, psi2 = 1.5), averaged over the sizes' trials, is smaller at d = 160 than at
/// d = 20.
#[test]
fn finite_size_gap_shrinks() {
    use overparam::experiment::RunOptions;
    let run = RunOptions {
        seed: 3,
        trials: 16,
        progress: false,
    };
    let mut gaps = Vec::new();
    for &d in &[20, 40, 80, 160] {
        let sim = RfDynamicsSimulation {
            model: rf(2.0, 1.5, 0.0, 0.4),
            d,
            test_points: 400,
            time: 10.0,
            ..Default::default()
        }
        .check()
        .unwrap();
        let r = sim.run(&run).unwrap();
        let theory = sim.theory().unwrap().test_error;
        let gap = (r.test_error.mean - theory).abs();
        println!(
            "d {d:>4}: theory {theory:.5} sim {:.5} +- {:.5} gap {gap:.5}",
            r.test_error.mean, r.test_error.std_err
        );
        gaps.push((gap, r.test_error.std_err));
    }
    // The largest size is within 4 SE of the limit and closer than the smallest size.
    let (last, last_se) = gaps[gaps.len() - 1];
    assert!(last < 4.0 * last_se + 3.0 / 160.0 * 1.2, "{gaps:?}");
    assert!(last < gaps[0].0, "{gaps:?}");
}

/// The constant feature direction (mu_0 != 0, ReLU) is a spike of the Gram matrix of size about
/// mu_0^2 N that gradient flow learns almost at once: at finite n it fits the sample mean of the
/// labels, an O(1/n) variance that the limit does not have. Early in training (t = 0.3), where the
/// variance itself is small, this is the visible finite-size gap; it shrinks like 1/d (here
/// by at least a factor 2.5 from d = 80 to d = 320, expected 4), so the spike does not matter in
/// the limit.
#[test]
fn relu_mean_spike_is_a_one_over_n_effect() {
    use overparam::experiment::RunOptions;
    let run = RunOptions {
        seed: 5,
        trials: 8,
        progress: false,
    };
    let mut gaps = Vec::new();
    for &d in &[80, 320] {
        let sim = RfDynamicsSimulation {
            model: rf(0.6, 1.5, 0.0, 0.4),
            d,
            test_points: 300,
            time: 0.3,
            ..Default::default()
        }
        .check()
        .unwrap();
        let r = sim.run(&run).unwrap();
        let theory = sim.theory().unwrap().variance;
        println!(
            "d {d}: variance theory {theory:.6} sim {:.6} +- {:.6}",
            r.variance.mean, r.variance.std_err
        );
        gaps.push(r.variance.mean - theory);
    }
    assert!(gaps[0] > 0.0 && gaps[1] > 0.0, "{gaps:?}");
    assert!(gaps[1] < gaps[0] / 2.5, "{gaps:?}");
}
