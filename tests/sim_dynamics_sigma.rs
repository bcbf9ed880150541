//! General-population dynamics: theory against simulation (the judge of the two-resolvent
//! derivation), every method from one eigendecomposition per trial, both sides of gamma = 1.

use overparam::experiment::{JoinOptions, RunOptions, join};
use overparam::sim::dynamics::AnisotropicDynamicsSimulation;
use overparam::spectral::Population;
use overparam::theory::dynamics::{Algorithm, AnisotropicDynamics};

fn two_scale() -> Population {
    // A large-eigenvalue block with little signal, a small-eigenvalue block with most of it.
    Population::new(vec![10.0, 0.1], vec![0.3, 0.7], vec![0.1, 0.9]).unwrap()
}

#[test]
fn gradient_flow_agrees_with_simulation_on_both_sides_of_one() {
    let run = RunOptions {
        seed: 16,
        trials: 12,
        progress: false,
    };
    for pop in [two_scale(), Population::power_law(1.0, 1.0, 50).unwrap()] {
        for &gamma in &[0.5, 2.0] {
            for &time in &[0.5, 5.0, 200.0] {
                let sim = AnisotropicDynamicsSimulation {
                    model: AnisotropicDynamics::new(pop.clone(), gamma).with_energies(4.0, 0.5),
                    n: 300,
                    time,
                }
                .check()
                .unwrap();
                let joined = join(&sim, &run, &JoinOptions::default()).unwrap();
                for m in &joined.metrics {
                    eprintln!(
                        "gamma {gamma} t {time} {}: theory {:.5} sim {:.5} z {:?}",
                        m.name, m.theory_realised, m.simulation.value, m.z
                    );
                }
                assert!(joined.all_agree(), "gamma {gamma} t {time}: {joined:?}");
            }
        }
    }
}

#[test]
fn every_method_agrees_with_simulation_from_one_eigendecomposition() {
    let run = RunOptions {
        seed: 61,
        trials: 12,
        progress: false,
    };
    for &gamma in &[0.5, 2.0] {
        let base = AnisotropicDynamics::new(two_scale(), gamma).with_energies(4.0, 0.5);
        let sim = AnisotropicDynamicsSimulation {
            model: base.clone(),
            n: 300,
            time: 3.0,
        }
        .check()
        .unwrap();
        let top = sim.realised_model().support().1;
        let realised = sim.realised_model().clone();
        let mut points = Vec::new();
        for (alg, lr, m) in [
            (Algorithm::GradientFlow, 0.0, 0.0),
            (Algorithm::GradientDescent, 1.0 / top, 0.0),
            (Algorithm::HeavyBall, 1.0 / top, 0.6),
            (Algorithm::Nesterov, 0.8 / top, 0.6),
        ] {
            let model = realised.with_algorithm(alg, lr, m).unwrap();
            let time = if alg.is_discrete() { 60.0 } else { 3.0 };
            points.push((model, time));
        }
        let reports = sim.run_many(&run, &points).unwrap();
        for ((model, time), rep) in points.iter().zip(&reports) {
            let th = model.at(*time).unwrap();
            for (name, t, e) in [
                ("test", th.test_error, &rep.test_error),
                ("train", th.train_error, &rep.train_error),
            ] {
                let z = (e.mean - t) / e.std_err;
                eprintln!(
                    "{:?} gamma {gamma} {name}: theory {t:.5} sim {:.5} +- {:.5} z {z:.2}",
                    model.algorithm(),
                    e.mean,
                    e.std_err
                );
                assert!(
                    (e.mean - t).abs() <= 4.0 * e.std_err + 3.0 * t.abs() / 300.0,
                    "{:?} {name}",
                    model.algorithm()
                );
            }
        }
    }
}

/// The epoch-wise double descent of `theory_dynamics_sigma.rs` (fall, rise, fall) against
/// simulation at its three extrema.
#[test]
fn epoch_wise_double_descent_agrees_with_simulation() {
    let pop = Population::new(vec![1.0, 1e-3], vec![0.7, 0.3], vec![0.1, 0.9]).unwrap();
    let model = AnisotropicDynamics::new(pop, 0.5).with_energies(1e-3f64.sqrt().recip(), 0.5);
    let sim = AnisotropicDynamicsSimulation {
        model,
        n: 400,
        time: 5.8,
    }
    .check()
    .unwrap();
    let m = sim.realised_model().clone();
    let points: Vec<_> = [5.8, 29.0, 340.0].iter().map(|&t| (m.clone(), t)).collect();
    let run = RunOptions {
        seed: 7,
        trials: 10,
        progress: false,
    };
    let reps = sim.run_many(&run, &points).unwrap();
    for ((model, t), rep) in points.iter().zip(&reps) {
        let th = model.at_time(*t).unwrap().test_error;
        let e = &rep.test_error;
        eprintln!(
            "EDD t {t}: theory {th:.5} sim {:.5} +- {:.5} z {:.2}",
            e.mean,
            e.std_err,
            (e.mean - th) / e.std_err
        );
        assert!(
            (e.mean - th).abs() <= 4.0 * e.std_err + 3.0 * th / 400.0,
            "t {t}"
        );
    }
    assert!(reps[1].test_error.mean > reps[0].test_error.mean);
    assert!(reps[2].test_error.mean < reps[1].test_error.mean);
}
