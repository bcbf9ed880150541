//! Simulation of anisotropic ridge against the deterministic equivalent (the spine's join:
//! standard error plus the finite-size allowance), on both sides of gamma = 1, ridgeless and
//! ridge, and a size sweep showing the gap shrink.

use overparam::experiment::{JoinOptions, RunOptions, join, sweep_sizes};
use overparam::sim::ridge::AnisotropicRidgeSimulation;
use overparam::spectral::Population;
use overparam::theory::ridge::AnisotropicRidge;

fn two_atoms() -> Population {
    Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8]).unwrap()
}

/// The note's example (general_spectra.md section 4), simulated at p = 800, n = 400 with 20
/// trials: the note quotes R = 4.2819 and Monte Carlo 4.272 +- 0.091.
#[test]
fn note_example_by_simulation() {
    let sim = AnisotropicRidgeSimulation {
        model: AnisotropicRidge::new(two_atoms(), 2.0, 0.01, 4.0),
        n: 400,
    }
    .check()
    .unwrap();
    assert_eq!(sim.p(), 800); // 560 + 240 coordinates, no rounding loss
    let run = RunOptions {
        seed: 7,
        trials: 20,
        progress: false,
    };
    let joined = join(&sim, &run, &JoinOptions::default()).unwrap();
    let t = joined.primary().unwrap();
    eprintln!(
        "note example: theory {} simulation {} +- {}",
        t.theory_realised, t.simulation.value, t.simulation.std_err
    );
    assert!((t.theory_realised - 4.2819).abs() < 5e-5);
    // Every metric (test error, bias, variance, training error) within SE + allowance.
    assert!(joined.all_agree(), "{joined:#?}");
    // And within 4 standard errors alone for the test error.
    assert!(
        (t.simulation.value - t.theory_realised).abs()
            < 4.0 * t.simulation.std_err + 0.02 * t.theory_realised
    );
}

/// Ridge and ridgeless, p < n and p > n (the p x p and n x n forms), a population with a
/// null direction and misaligned signal: every metric agrees with the theory at the realised
/// sizes.
#[test]
fn join_agrees_across_regimes() {
    let pop = Population::new(
        vec![0.2, 1.0, 5.0, 0.0],
        vec![0.3, 0.3, 0.2, 0.2],
        vec![0.5, 0.1, 0.3, 0.1],
    )
    .unwrap();
    let run = RunOptions {
        seed: 11,
        trials: 16,
        progress: false,
    };
    for &(gamma, lambda) in &[(0.5, 0.0), (0.5, 0.3), (2.5, 0.0), (2.5, 0.05), (1.0, 0.1)] {
        let sim = AnisotropicRidgeSimulation {
            model: AnisotropicRidge::new(pop.clone(), gamma, lambda, 3.0),
            n: 300,
        }
        .check()
        .unwrap();
        let joined = join(&sim, &run, &JoinOptions::default()).unwrap();
        assert!(
            joined.all_agree(),
            "gamma {gamma} lambda {lambda}: {joined:#?}"
        );
    }
}

/// Rounding of the coordinates: round(w_j round(gamma n)) per atom, realised weights m_j / p;
/// an atom too small for a coordinate is dropped and its signal share renormalised away.
#[test]
fn rounding_of_coordinates_is_reported() {
    let pop = Population::new(
        vec![1.0, 2.0, 3.0],
        vec![0.499, 0.499, 0.002],
        vec![0.4, 0.4, 0.2],
    )
    .unwrap();
    let sim = AnisotropicRidgeSimulation {
        model: AnisotropicRidge::new(pop, 1.0, 0.1, 1.0),
        n: 100,
    }
    .check()
    .unwrap();
    // round(0.499 * 100) = 50 twice, round(0.2) = 0.
    assert_eq!(sim.p(), 100);
    let r = sim.realised_population();
    assert_eq!(r.len(), 2);
    assert_eq!(r.weights(), &[0.5, 0.5]);
    assert_eq!(r.signal(), &[0.5, 0.5]);
}

/// Size sweep: the gap between the simulated mean and the limit shrinks with n (fitted
/// log-log slope negative) at an interpolating point.
#[test]
fn size_sweep_gap_shrinks() {
    let model = AnisotropicRidge::new(two_atoms(), 0.5, 0.0, 2.0);
    let run = RunOptions {
        seed: 3,
        trials: 64,
        progress: false,
    };
    let sweep = sweep_sizes(
        |n| {
            AnisotropicRidgeSimulation {
                model: model.clone(),
                n,
            }
            .check()
        },
        &[40, 80, 160, 320],
        &run,
        &JoinOptions::default(),
    )
    .unwrap();
    for p in &sweep.points {
        let t = p.joined.primary().unwrap();
        eprintln!(
            "n {} gap {:+.4} (se {:.4})",
            p.size,
            t.simulation.value - t.theory_realised,
            t.simulation.std_err
        );
    }
    // Least squares: E V_n - V = O(1/n): slope about -1.
    assert!(sweep.fit.slope < -0.5, "{:?}", sweep.fit);
}
