//! Training dynamics against simulation: the spectral fit against literal iteration of each
//! algorithm (small sizes, 1e-10 relative), the join on both sides of gamma = 1 for every method,
//! a shifted theory rejected, and the finite-size gap shrinking with n.

use overparam::experiment::{JoinOptions, RunOptions, join, sweep_sizes};
use overparam::linalg::{Matrix, SymmetricEigen};
use overparam::sim::dynamics::{DynamicsSimulation, fit_from_eigen};
use overparam::sim::rng::{normal, trial_rng};
use overparam::theory::dynamics::{Algorithm, Dynamics};

fn params(gamma: f64, algorithm: Algorithm, lr: f64, momentum: f64, lambda: f64) -> Dynamics {
    Dynamics {
        gamma,
        snr: 4.0,
        noise_sd: 1.0,
        lambda,
        algorithm,
        lr,
        momentum,
    }
}

/// Literal iteration of each method on L(b) = ||y - Xb||^2/(2n) + lambda ||b||^2/2 (plain
/// matrix-vector products, no eigendecomposition).
fn literal(x: &Matrix, y: &Matrix, d: &Dynamics, steps: usize) -> Matrix {
    let (n, p) = (x.nrows(), x.ncols());
    let grad = |b: &Matrix| -> Matrix {
        let r = x
            .matmul(b, 1.0)
            .unwrap()
            .linear_combination(1.0, y, -1.0)
            .unwrap();
        let g = x.matmul_tn(&r, 1.0 / n as f64).unwrap();
        g.linear_combination(1.0, b, d.lambda).unwrap()
    };
    let (mut b, mut prev) = (Matrix::zeros(p, 1), Matrix::zeros(p, 1));
    for _ in 0..steps {
        let next = match d.algorithm {
            Algorithm::GradientDescent => b.linear_combination(1.0, &grad(&b), -d.lr).unwrap(),
            Algorithm::HeavyBall => {
                let step = b.linear_combination(1.0, &grad(&b), -d.lr).unwrap();
                let mom = b
                    .linear_combination(d.momentum, &prev, -d.momentum)
                    .unwrap();
                step.linear_combination(1.0, &mom, 1.0).unwrap()
            }
            Algorithm::Nesterov => {
                let yk = b
                    .linear_combination(1.0 + d.momentum, &prev, -d.momentum)
                    .unwrap();
                yk.linear_combination(1.0, &grad(&yk), -d.lr).unwrap()
            }
            Algorithm::GradientFlow => unreachable!(),
        };
        prev = b;
        b = next;
    }
    b
}

#[test]
fn spectral_fit_equals_literal_iteration() {
    let mut rng = trial_rng(5, 0);
    for (n, p) in [(12, 7), (8, 15)] {
        let x = Matrix::from_fn(n, p, |_, _| normal(&mut rng));
        let beta: Vec<f64> = (0..p).map(|_| normal(&mut rng) * 0.6).collect();
        let y = Matrix::from_fn(n, 1, |i, _| {
            (0..p).map(|j| x.get(i, j).unwrap() * beta[j]).sum::<f64>() + 0.8 * normal(&mut rng)
        });
        let gram = x.gram(1.0 / n as f64);
        let eigen = SymmetricEigen::new(&gram).unwrap();
        let c = x.matmul_tn(&y, 1.0 / n as f64).unwrap();
        let top = eigen.values().iter().cloned().fold(0.0, f64::max);
        for (alg, m) in [
            (Algorithm::GradientDescent, 0.0),
            (Algorithm::HeavyBall, 0.6),
            (Algorithm::Nesterov, 0.6),
        ] {
            for lambda in [0.0, 0.2] {
                // A step stable for this design (the finite spectrum can exceed s_+ slightly).
                let lr = 0.5 * alg.max_stable_lr(m, top + lambda);
                let d = params(p as f64 / n as f64, alg, lr, m, lambda);
                let Ok(model) = d.check() else { continue };
                for steps in [1usize, 5, 40] {
                    let spectral = fit_from_eigen(&eigen, &c, &model, steps as f64).unwrap();
                    let direct = literal(&x, &y, &d, steps);
                    let gap = spectral.distance_sq(&direct).unwrap().sqrt();
                    let size = direct.frobenius_sq().sqrt();
                    assert!(
                        gap <= 1e-10 * size,
                        "{alg:?} {n}x{p} k={steps}: {gap} vs {size}"
                    );
                    // Test and training error of the realised fit agree too.
                    let test = |b: &Matrix| -> f64 {
                        (0..p)
                            .map(|j| (b.get(j, 0).unwrap() - beta[j]).powi(2))
                            .sum()
                    };
                    assert!((test(&spectral) - test(&direct)).abs() <= 1e-10 * test(&direct));
                    // The training residuals y - Xb agree relative to y (the training error of an
                    // interpolating fit is itself ~0, so it is compared on the scale of the data).
                    let fit = |b: &Matrix| x.matmul(b, 1.0).unwrap();
                    let gap = fit(&spectral).distance_sq(&fit(&direct)).unwrap().sqrt();
                    assert!(gap <= 1e-10 * y.frobenius_sq().sqrt(), "{gap}");
                }
            }
        }
    }
}

#[test]
fn gradient_flow_fit_is_the_limit_of_tiny_steps() {
    // Gradient flow has no literal iteration: GD with eta -> 0 at k eta = t approaches it at O(eta).
    let mut rng = trial_rng(6, 0);
    let (n, p) = (10, 6);
    let x = Matrix::from_fn(n, p, |_, _| normal(&mut rng));
    let y = Matrix::from_fn(n, 1, |_, _| normal(&mut rng));
    let eigen = SymmetricEigen::new(&x.gram(1.0 / n as f64)).unwrap();
    let c = x.matmul_tn(&y, 1.0 / n as f64).unwrap();
    let t = 1.5;
    let flow = fit_from_eigen(
        &eigen,
        &c,
        &params(0.6, Algorithm::GradientFlow, 0.0, 0.0, 0.0)
            .check()
            .unwrap(),
        t,
    )
    .unwrap();
    let gaps: Vec<f64> = [1e-2, 5e-3]
        .iter()
        .map(|&lr| {
            let d = params(0.6, Algorithm::GradientDescent, lr, 0.0, 0.0);
            let b = literal(&x, &y, &d, (t / lr).round() as usize);
            b.distance_sq(&flow).unwrap().sqrt()
        })
        .collect();
    assert!((gaps[0] / gaps[1] - 2.0).abs() < 0.1, "{gaps:?}");
}

fn run(trials: usize) -> RunOptions {
    RunOptions {
        seed: 11,
        trials,
        progress: false,
    }
}

#[test]
fn join_agrees_for_every_method_on_both_sides_of_gamma_one() {
    let methods = [
        (Algorithm::GradientFlow, 0.0, 0.0, 2.0),
        (Algorithm::GradientDescent, 0.2, 0.0, 10.0),
        (Algorithm::HeavyBall, 0.15, 0.5, 10.0),
        (Algorithm::Nesterov, 0.15, 0.5, 10.0),
    ];
    for gamma in [0.5, 2.0] {
        for &(alg, lr, m, time) in &methods {
            for lambda in [0.0, 0.1] {
                let sim = DynamicsSimulation {
                    model: params(gamma, alg, lr, m, lambda),
                    n: 200,
                    time,
                }
                .check()
                .unwrap();
                let joined = join(&sim, &run(20), &JoinOptions::default()).unwrap();
                let z: Vec<String> = joined
                    .metrics
                    .iter()
                    .map(|c| format!("{}: z {:.2}", c.name, c.z.unwrap_or(f64::NAN)))
                    .collect();
                println!("gamma {gamma} {alg:?} lambda {lambda}: {}", z.join(", "));
                assert!(joined.all_agree(), "{gamma} {alg:?} {lambda}: {joined:?}");
            }
        }
    }
}

#[test]
fn a_shifted_theory_is_rejected() {
    // The same simulation joined with the theory of a 10 % larger snr disagrees.
    let good = DynamicsSimulation {
        model: params(0.5, Algorithm::GradientFlow, 0.0, 0.0, 0.0),
        n: 200,
        time: 2.0,
    };
    let sim = good.check().unwrap();
    let estimates = overparam::experiment::Experiment::simulate(&sim, &run(20)).unwrap();
    let wrong = DynamicsSimulation {
        model: Dynamics {
            snr: 4.4,
            ..good.model
        },
        ..good
    }
    .check()
    .unwrap();
    let joined = overparam::experiment::join_simulated(
        &wrong,
        &estimates,
        &run(20),
        &JoinOptions::default(),
    )
    .unwrap();
    assert!(!joined.primary().unwrap().agrees, "{joined:?}");
}

#[test]
fn one_eigendecomposition_serves_every_time_and_method() {
    let sim = DynamicsSimulation {
        model: params(2.0, Algorithm::GradientFlow, 0.0, 0.0, 0.0),
        n: 100,
        time: 1.0,
    }
    .check()
    .unwrap();
    let gf = *sim.model();
    let hb = gf.with_algorithm(Algorithm::HeavyBall, 0.1, 0.5).unwrap();
    let points = [(gf, 0.5), (gf, 1.0), (hb, 20.0)];
    let many = sim.run_many(&run(4), &points).unwrap();
    // Identical to separate runs at each point (same seed, same designs).
    let single = sim.run(&run(4)).unwrap();
    assert_eq!(many[1].test_error, single.test_error);
    let other = DynamicsSimulation {
        model: params(2.0, Algorithm::HeavyBall, 0.1, 0.5, 0.0),
        n: 100,
        time: 20.0,
    }
    .check()
    .unwrap()
    .run(&run(4))
    .unwrap();
    assert_eq!(many[2].train_error, other.train_error);
    // A model of another problem is refused.
    let foreign = overparam::theory::dynamics::Dynamics {
        gamma: 0.5,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(sim.run_many(&run(4), &[(foreign, 1.0)]).is_err());
}

#[test]
fn the_finite_size_gap_shrinks_with_n() {
    // Gradient flow past the early-stopping time at gamma = 0.5: gap at n = 50, 100, 200, 400.
    let model = params(0.5, Algorithm::GradientFlow, 0.0, 0.0, 0.0);
    let sweep = sweep_sizes(
        |n| {
            DynamicsSimulation {
                model,
                n,
                time: 20.0,
            }
            .check()
        },
        &[50, 100, 200, 400],
        &run(200),
        &JoinOptions::default(),
    )
    .unwrap();
    for p in &sweep.points {
        let c = p.joined.primary().unwrap();
        println!(
            "n {}: sim {:.5} +- {:.5}, theory {:.5}, gap {:.2e}",
            p.size,
            c.simulation.value,
            c.simulation.std_err,
            c.theory_realised,
            c.simulation.value - c.theory_realised
        );
        assert!(p.joined.all_agree());
    }
    println!(
        "slope {:.3} +- {:.3}",
        sweep.fit.slope, sweep.fit.slope_std_err
    );
    assert!((sweep.fit.slope + 1.0).abs() < 0.5, "{:?}", sweep.fit);
}
