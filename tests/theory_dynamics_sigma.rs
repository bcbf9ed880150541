//! General-population dynamics (`AnisotropicDynamics`) against independent references: the
//! isotropic model (Marchenko–Pastur quadrature, another algorithm), anisotropic ridge (the
//! two-resolvent functional at z1 = z2 = -lambda, the long-time limits), heavy ball with m = 0,
//! small-step gradient descent.

use num_complex::Complex64 as C;
use overparam::spectral::Population;
use overparam::theory::dynamics::{Algorithm, AnisotropicDynamics, Dynamics};
use overparam::theory::ridge::AnisotropicRidge;

fn two_atoms() -> Population {
    Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8]).unwrap()
}

#[test]
fn isotropic_population_reproduces_isotropic_gradient_flow() {
    for &gamma in &[0.3, 0.5, 2.0, 3.5] {
        for &lambda in &[0.0, 0.2] {
            let d = Dynamics {
                gamma,
                snr: 3.0,
                noise_sd: 0.7,
                lambda,
                ..Default::default()
            };
            let iso = d.check().unwrap();
            let general = d.with_population(Population::isotropic()).check().unwrap();
            let times = [0.0, 0.1, 1.0, 7.0, 100.0, 1e4];
            let a = iso.curve_time(&times).unwrap();
            let b = general.curve_time(&times).unwrap();
            for (x, y) in a.iter().zip(&b) {
                for (u, v, what) in [
                    (x.test_error, y.test_error, "test"),
                    (x.bias, y.bias, "bias"),
                    (x.variance, y.variance, "variance"),
                    (x.train_error, y.train_error, "train"),
                ] {
                    eprintln!(
                        "g {gamma} l {lambda} t {} {what}: {u} {v} diff {:e} nodes {}",
                        x.time,
                        (u - v).abs(),
                        y.nodes
                    );
                    assert!(
                        (u - v).abs() < 1e-10,
                        "gamma {gamma} lambda {lambda} t {} {what}: {u} vs {v}",
                        x.time
                    );
                }
            }
        }
    }
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol,
        "{what}: {a} vs {b} (diff {:e})",
        (a - b).abs()
    );
}

#[test]
fn isotropic_population_reproduces_isotropic_discrete_methods() {
    for &gamma in &[0.5, 2.0] {
        for &(algorithm, lr, momentum) in &[
            (Algorithm::GradientDescent, 0.2, 0.0),
            (Algorithm::HeavyBall, 0.15, 0.5),
            (Algorithm::Nesterov, 0.15, 0.5),
        ] {
            for &lambda in &[0.0, 0.1] {
                let d = Dynamics {
                    gamma,
                    snr: 2.0,
                    noise_sd: 1.3,
                    lambda,
                    algorithm,
                    lr,
                    momentum,
                };
                let iso = d.check().unwrap();
                let general = d.with_population(Population::isotropic()).check().unwrap();
                let steps = [0, 1, 5, 40, 300];
                let a = iso.curve_steps(&steps).unwrap();
                let b = general.curve_steps(&steps).unwrap();
                for (x, y) in a.iter().zip(&b) {
                    let what = format!("{algorithm:?} gamma {gamma} lambda {lambda} k {}", x.time);
                    close(x.test_error, y.test_error, 1e-10, &what);
                    close(x.bias, y.bias, 1e-10, &what);
                    close(x.variance, y.variance, 1e-10, &what);
                    close(x.train_error, y.train_error, 1e-10, &what);
                }
            }
        }
    }
}

/// At z1 = z2 = -lambda the two-resolvent functional times lambda^2 is the ridge bias.
#[test]
fn two_resolvent_at_minus_lambda_is_the_ridge_bias() {
    let pops = [
        two_atoms(),
        Population::power_law(1.2, 0.8, 200).unwrap(),
        Population::new(
            vec![0.0, 0.5, 3.0],
            vec![0.2, 0.5, 0.3],
            vec![0.1, 0.6, 0.3],
        )
        .unwrap(),
    ];
    for pop in pops {
        for &gamma in &[0.4, 2.5] {
            for &lambda in &[0.05, 1.0] {
                let m = AnisotropicDynamics::new(pop.clone(), gamma)
                    .with_energies(3.0, 1.0)
                    .check()
                    .unwrap();
                let z = C::new(-lambda, 0.0);
                let two = m.two_resolvent(z, z).unwrap();
                let ridge = AnisotropicRidge::new(pop.clone(), gamma, lambda, 3.0)
                    .check()
                    .unwrap()
                    .risk()
                    .unwrap();
                let bias = lambda * lambda * two.re;
                close(
                    bias,
                    ridge.bias,
                    1e-12 * ridge.bias.max(1.0),
                    "two-resolvent vs ridge bias",
                );
                assert!(two.im.abs() < 1e-14);
            }
        }
    }
}

/// The long-time limits: anisotropic ridge (ridgeless on both sides of gamma w_+ = 1, ridge for
/// the ridge term).
#[test]
fn long_time_limit_is_anisotropic_ridge() {
    for pop in [two_atoms(), Population::power_law(1.0, 1.5, 100).unwrap()] {
        for &gamma in &[0.5, 2.0] {
            for &lambda in &[0.0, 0.3] {
                let m = AnisotropicDynamics::new(pop.clone(), gamma)
                    .with_snr(4.0, 1.0)
                    .with_lambda(lambda)
                    .check()
                    .unwrap();
                let lim = m.limit().unwrap();
                let t_big = if lambda > 0.0 { 1e4 } else { 1e9 };
                let r = m.at_time(t_big).unwrap();
                let what = format!("gamma {gamma} lambda {lambda}");
                let tol = 1e-9 * lim.test_error.max(1.0);
                close(r.bias, lim.bias, tol, &what);
                close(r.variance, lim.variance, tol, &what);
                close(r.train_error, lim.train_error, tol, &what);
            }
        }
    }
}

/// Heavy ball with m = 0 is gradient descent (two code paths of the recursion).
#[test]
fn heavy_ball_without_momentum_is_gradient_descent() {
    let pop = Population::power_law(1.0, 0.5, 60).unwrap();
    for &gamma in &[0.5, 2.0] {
        let base = AnisotropicDynamics::new(pop.clone(), gamma).with_energies(2.0, 0.5);
        let top = base.clone().check().unwrap().support().1;
        let gd = base
            .clone()
            .with_algorithm(Algorithm::GradientDescent, 1.5 / top, 0.0)
            .check()
            .unwrap();
        let hb = base
            .with_algorithm(Algorithm::HeavyBall, 1.5 / top, 0.0)
            .check()
            .unwrap();
        let steps = [0, 3, 30, 300];
        for (a, b) in gd
            .curve_steps(&steps)
            .unwrap()
            .iter()
            .zip(hb.curve_steps(&steps).unwrap())
        {
            close(a.test_error, b.test_error, 1e-13, "hb m=0 test");
            close(a.train_error, b.train_error, 1e-13, "hb m=0 train");
        }
    }
}

/// Gradient descent with a small step approaches gradient flow at t = k eta, with an error
/// O(eta) (checked: halving eta halves the gap).
#[test]
fn small_step_gradient_descent_approaches_gradient_flow() {
    let pop = two_atoms();
    for &gamma in &[0.5, 2.0] {
        let base = AnisotropicDynamics::new(pop.clone(), gamma).with_energies(3.0, 1.0);
        let gf = base.clone().check().unwrap();
        let t = 2.0;
        let flow = gf.at_time(t).unwrap();
        let mut gaps = Vec::new();
        for &eta in &[0.004, 0.002] {
            let gd = base
                .clone()
                .with_algorithm(Algorithm::GradientDescent, eta, 0.0)
                .check()
                .unwrap();
            let r = gd.at_steps((t / eta).round() as u64).unwrap();
            gaps.push(
                (r.test_error - flow.test_error).abs() + (r.train_error - flow.train_error).abs(),
            );
        }
        assert!(
            gaps[1] < 0.01 * flow.test_error,
            "gamma {gamma}: gap {gaps:?}"
        );
        let ratio = gaps[0] / gaps[1];
        assert!(
            (1.8..2.2).contains(&ratio),
            "gamma {gamma}: first-order convergence, ratio {ratio}"
        );
    }
}

/// The test error at t = 0 is beta^T Sigma beta, the training error adds sigma^2; variance 0.
#[test]
fn time_zero_is_the_null_estimator() {
    let pop = Population::new(
        vec![0.0, 0.5, 3.0],
        vec![0.2, 0.5, 0.3],
        vec![0.1, 0.6, 0.3],
    )
    .unwrap();
    for &gamma in &[0.5, 3.0] {
        let m = AnisotropicDynamics::new(pop.clone(), gamma)
            .with_energies(2.0, 0.3)
            .check()
            .unwrap();
        let r = m.at_time(0.0).unwrap();
        let null = 2.0 * (0.6 * 0.5 + 0.3 * 3.0);
        close(r.test_error, null, 1e-10, "null risk");
        close(r.train_error, null + 0.3, 1e-10, "null train");
        close(r.variance, 0.0, 1e-12, "null variance");
    }
}

/// Epoch-wise double descent (issue 16, "Done means"): a fast block with little signal and a slow
/// block with most of it, with noise: the gradient-flow test error falls (the fast block is
/// learnt), rises (its noise is fitted) and falls again (the slow block is learnt). The theory
/// curve's extrema; `sim_dynamics_sigma.rs` checks the three times against simulation.
#[test]
fn epoch_wise_double_descent_on_a_two_scale_population() {
    let pop = Population::new(vec![1.0, 1e-3], vec![0.7, 0.3], vec![0.1, 0.9]).unwrap();
    let m = AnisotropicDynamics::new(pop, 0.5)
        .with_energies(1e-3f64.sqrt().recip(), 0.5)
        .check()
        .unwrap();
    let e = |t: f64| m.at_time(t).unwrap().test_error;
    let (first_min, bump, second_min) = (e(5.8), e(29.0), e(340.0));
    assert!(first_min < e(0.5) && first_min < e(2.0), "falls");
    assert!(bump > first_min + 0.02, "rises: {first_min} -> {bump}");
    assert!(
        second_min < bump - 0.005,
        "falls again: {bump} -> {second_min}"
    );
}

/// Early stopping for a general population: an isotropic population gives the isotropic
/// early-stopping optimum (time, risk, ridge) for gradient flow and gradient descent.
#[test]
fn isotropic_population_reproduces_isotropic_early_stopping() {
    for &gamma in &[0.5, 2.0] {
        for &(algorithm, lr) in &[
            (Algorithm::GradientFlow, 0.0),
            (Algorithm::GradientDescent, 0.3),
        ] {
            let d = Dynamics {
                gamma,
                snr: 3.0,
                noise_sd: 0.7,
                algorithm,
                lr,
                ..Default::default()
            };
            let iso = d.check().unwrap().early_stopping().unwrap();
            let general = d
                .with_population(Population::isotropic())
                .check()
                .unwrap()
                .early_stopping()
                .unwrap();
            let what = format!("gamma {gamma} {algorithm:?}");
            assert_eq!(iso.stops_early, general.stops_early, "{what}");
            let tol_t = if algorithm.is_discrete() { 0.0 } else { 1e-6 };
            close(
                general.at_optimum.time / iso.at_optimum.time,
                1.0,
                tol_t,
                &format!("{what} time"),
            );
            close(
                general.at_optimum.test_error,
                iso.at_optimum.test_error,
                1e-8,
                &format!("{what} test error"),
            );
            close(
                general.ridge.at_optimum.test_error,
                iso.ridge.at_optimum.test_error,
                1e-8,
                &format!("{what} ridge"),
            );
            close(
                general.ratio_to_ridge,
                iso.ratio_to_ridge,
                1e-8,
                &format!("{what} ratio"),
            );
        }
    }
}

/// The optimum is not above any point of a dense grid of the curve (2001 log-spaced times over
/// the search bracket and around the optimum), and the grid's best time is next to it.
#[test]
fn early_stopping_optimum_beats_a_dense_grid() {
    // The power law spreads the signal like the dimensions (beta = 0): there optimally tuned
    // ridge is the Bayes estimator, so no stopping time beats it; the two atoms' signal is
    // aligned with the large eigenvalue, where early stopping can beat ridge (lambda >= 0).
    let bayes = Population::power_law(1.0, 0.0, 200).unwrap();
    let aligned = Population::power_law(1.0, 1.5, 200).unwrap();
    for (pop, ridge_is_bayes) in [(two_atoms(), false), (bayes, true), (aligned, false)] {
        for &gamma in &[0.5, 2.0] {
            let m = AnisotropicDynamics::new(pop.clone(), gamma)
                .with_snr(4.0, 0.8)
                .check()
                .unwrap();
            let es = m.early_stopping().unwrap();
            assert!(es.stops_early);
            let t = es.at_optimum.time;
            let times: Vec<f64> = (0..=2000)
                .map(|i| t * 10f64.powf(-2.0 + 4.0 * i as f64 / 2000.0))
                .collect();
            let curve = m.curve_time(&times).unwrap();
            let (best_i, best) = curve
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.test_error.total_cmp(&b.1.test_error))
                .unwrap();
            assert!(
                es.at_optimum.test_error <= best.test_error + 1e-12,
                "gamma {gamma}: optimum {} above grid {}",
                es.at_optimum.test_error,
                best.test_error
            );
            // Grid spacing is 10^(4/2000): the grid's best is within two cells of the optimum.
            let ratio = times[best_i] / t;
            assert!(
                (ratio.ln()).abs() <= 2.0 * 4.0 / 2000.0 * std::f64::consts::LN_10,
                "gamma {gamma}: grid best at {} vs optimum {t}",
                times[best_i]
            );
            if ridge_is_bayes {
                assert!(es.ratio_to_ridge >= 1.0 - 1e-9, "{}", es.ratio_to_ridge);
            }
            eprintln!("gamma {gamma} t* {t} ratio to ridge {}", es.ratio_to_ridge);
        }
    }
}

/// Discrete methods: the optimal step count is the exact argmin of the whole curve of steps.
#[test]
fn early_stopping_steps_are_the_argmin_of_the_curve() {
    for &(algorithm, lr, momentum) in &[
        (Algorithm::GradientDescent, 0.05, 0.0),
        (Algorithm::HeavyBall, 0.03, 0.5),
    ] {
        let m = AnisotropicDynamics::new(two_atoms(), 2.0)
            .with_snr(4.0, 0.8)
            .with_algorithm(algorithm, lr, momentum)
            .check()
            .unwrap();
        let es = m.early_stopping().unwrap();
        let k = es.at_optimum.time as u64;
        let steps: Vec<u64> = (0..=(3 * k + 20)).collect();
        let curve = m.curve_steps(&steps).unwrap();
        let best = curve
            .iter()
            .min_by(|a, b| a.test_error.total_cmp(&b.test_error))
            .unwrap();
        assert_eq!(best.time as u64, k, "{algorithm:?}");
        close(
            best.test_error,
            es.at_optimum.test_error,
            1e-12,
            &format!("{algorithm:?}"),
        );
    }
}
