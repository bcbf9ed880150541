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
