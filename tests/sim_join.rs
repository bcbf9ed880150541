//! The theory-versus-simulation join (`overparam::experiment`) for every model: at a small size
//! with a fixed seed every metric agrees (|sim - theory| <= 4 SE + allowance), and a
//! deliberately wrong theory (the limit at a shifted parameter) is rejected on the primary
//! metric.
//!
//! Why the shifts are detectable: each shift moves the primary metric's limit by several times
//! (4 SE + allowance) at the simulated size; the printed table (`--nocapture`) shows the
//! margins. The right theory's agreement is not luck either: the allowances are the measured
//! finite-size biases times a margin (docs/simulation.md), and 4 SE has a false-alarm rate
//! below 1e-4 per metric.

use overparam::experiment::{Experiment, JoinOptions, Joined, RunOptions, join, sweep_sizes};
use overparam::sim::PointEstimate;
use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::ridge::LinearRidgeSimulation;
use overparam::sim::two_layer::TwoLayerHessian;
use overparam::sim::two_layer_census::GradientDescentCensus;
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};
use overparam::theory::membership::Membership;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::Ridge;
use overparam::theory::two_layer::critical::Family;

/// An experiment with its theory replaced by given values (everything else delegated).
struct WrongTheory<'a, E> {
    inner: &'a E,
    theory: Vec<f64>,
}

impl<E: Experiment> Experiment for WrongTheory<'_, E> {
    fn metric_names(&self) -> &'static [&'static str] {
        self.inner.metric_names()
    }
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn theory_realised(&self) -> overparam::Result<Vec<f64>> {
        Ok(self.theory.clone())
    }
    fn simulate(&self, run: &RunOptions) -> overparam::Result<Vec<PointEstimate>> {
        self.inner.simulate(run)
    }
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> overparam::Result<Vec<f64>> {
        self.inner.allowances(theory, options)
    }
}

fn run(seed: u64, trials: usize) -> RunOptions {
    RunOptions {
        seed,
        trials,
        progress: false,
    }
}

fn show(label: &str, j: &Joined) {
    for m in &j.metrics {
        let margin = (m.simulation.value - m.theory_realised).abs()
            / (4.0 * m.simulation.std_err + m.allowance);
        println!(
            "{label:<28} {:<22} theory {:>10.6}  sim {:>10.6} ± {:.6}  allowance {:.6}  gap/(4SE+allow) {margin:.2}  {}",
            m.name,
            m.theory_realised,
            m.simulation.value,
            m.simulation.std_err,
            m.allowance,
            if m.agrees { "agrees" } else { "DISAGREES" }
        );
    }
}

/// Join `e`, require every metric to agree, then join it against `wrong` theory values and
/// require the primary metric to be rejected.
fn agrees_and_rejects<E: Experiment>(label: &str, e: &E, wrong: Vec<f64>, run: &RunOptions) {
    let options = JoinOptions::default();
    let j = join(e, run, &options).unwrap();
    show(label, &j);
    assert!(j.all_agree(), "{label}: {j:?}");
    assert_eq!(j.metrics[0].name, e.metric_names()[0]);
    let bad = join(
        &WrongTheory {
            inner: e,
            theory: wrong,
        },
        run,
        &options,
    )
    .unwrap();
    show(&format!("{label} (wrong)"), &bad);
    assert!(!bad.metrics[0].agrees, "{label}: wrong theory accepted");
}

#[test]
fn random_features_join() {
    let model = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        lambda: 1e-3,
        noise_sd: 0.5,
        ..Default::default()
    };
    let sim = RandomFeaturesSimulation {
        model: model.clone(),
        d: 100,
        ..Default::default()
    }
    .check()
    .unwrap();
    let wrong = RandomFeatures { psi1: 2.2, ..model }
        .check()
        .unwrap()
        .risk()
        .unwrap();
    let wrong = vec![
        wrong.test_error,
        wrong.bias,
        wrong.variance,
        wrong.train_error,
    ];
    agrees_and_rejects("rf psi=(2,3) d=100", &sim, wrong, &run(3, 6));
}

#[test]
fn ridge_join_and_generic_size_sweep() {
    let model = Ridge {
        gamma: 0.5,
        lambda: 0.1,
        snr: 1.0,
        noise_sd: 1.0,
        ..Default::default()
    };
    let sim = LinearRidgeSimulation { model, n: 200 }.check().unwrap();
    let wrong = Ridge {
        gamma: 0.55,
        ..model
    }
    .check()
    .unwrap()
    .risk()
    .unwrap();
    let wrong = vec![
        wrong.test_error,
        wrong.bias,
        wrong.variance,
        wrong.train_error,
    ];
    agrees_and_rejects("ridge gamma=0.5 n=200", &sim, wrong, &run(4, 16));
    // The generic sweep: least squares at gamma = 0.25, where the exact finite-n mean is
    // sigma^2 p/(n - p - 1), i.e. a gap of about gamma/(1-gamma)^2/n, slope -1.
    let ols = Ridge::new(0.25, 0.0, 1.0);
    let sweep = sweep_sizes(
        |n| LinearRidgeSimulation { model: ols, n }.check(),
        &[50, 100, 200, 400],
        &run(5, 64),
        &JoinOptions::default(),
    )
    .unwrap();
    println!(
        "ridge OLS sweep slope {:.3} ± {:.3}",
        sweep.fit.slope, sweep.fit.slope_std_err
    );
    assert!(sweep.points.iter().all(|p| p.joined.all_agree()));
    for p in &sweep.points {
        // Independent reference: the exact finite-n mean sigma^2 p/(n - p - 1) (OLS, no bias).
        let (n, dim) = (p.size as f64, (0.25 * p.size as f64).round());
        let exact = dim / (n - dim - 1.0);
        let sim = p.joined.primary().unwrap().simulation;
        println!(
            "  n = {n}: sim {:.6} ± {:.6}, exact {exact:.6}",
            sim.value, sim.std_err
        );
        assert!((sim.value - exact).abs() <= 4.0 * sim.std_err, "n = {n}");
    }
    // The gap to the limit decays like 1/n (slope -1; the 64-trial noise of the n = 400 gap,
    // about a third of it, leaves the fitted slope within +-0.5 of that).
    assert!((sweep.fit.slope + 1.0).abs() < 0.5, "{:?}", sweep.fit);
}

#[test]
fn adversarial_rf_join() {
    let model = AdversarialRf {
        noise_sd: 0.5,
        psi1: 1.0,
        psi2: 2.0,
        eps: 0.3,
        eps_test: None,
        ..AdversarialRf::default()
    };
    let sim = AdversarialRfSimulation {
        model: model.clone(),
        d: 60,
    }
    .check()
    .unwrap();
    // The limit at twice the test radius (the robust risk of the wrong perturbation budget).
    let w = AdversarialRf {
        eps_test: Some(0.6),
        ..model
    }
    .check()
    .unwrap()
    .solve()
    .unwrap();
    let wrong = vec![
        w.robust_test_risk,
        w.test_risk,
        w.train_loss,
        w.zero_residual_fraction,
        w.adversarial_norm,
    ];
    agrees_and_rejects("adversarial rf d=60", &sim, wrong, &run(2026, 8));
}

#[test]
fn adversarial_linear_join() {
    let model = AdversarialLinear {
        noise_sd: 0.5,
        delta: 2.0,
        r0: 1.0,
        eps: 0.3,
        eps_test: None,
        ..AdversarialLinear::default()
    };
    let sim = AdversarialLinearSimulation {
        model: model.clone(),
        d: 100,
    }
    .check()
    .unwrap();
    let w = AdversarialLinear {
        eps_test: Some(0.6),
        ..model
    }
    .check()
    .unwrap()
    .solve()
    .unwrap();
    let wrong = vec![
        w.robust_test_risk,
        w.test_risk,
        w.train_loss,
        w.zero_residual_fraction,
        w.adversarial_norm,
    ];
    agrees_and_rejects("adversarial linear d=100", &sim, wrong, &run(99, 8));
}

#[test]
fn membership_joins_both_attacks() {
    for attack in [Attack::Output, Attack::Loss] {
        let model = Membership {
            gamma: 0.5,
            kappa: 0.25,
            ..Membership::default()
        };
        let sim = MembershipAttackSimulation {
            model,
            n: 100,
            attack,
        }
        .check()
        .unwrap();
        let shifted = Membership {
            gamma: 0.6,
            ..model
        }
        .check()
        .unwrap();
        let (adv, auc) = match attack {
            Attack::Output => {
                let a = shifted.output_attack().unwrap();
                (a.advantage, a.auc)
            }
            Attack::Loss => {
                let a = shifted.loss_attack().unwrap();
                (a.advantage, a.auc)
            }
        };
        let wrong = vec![adv, auc, shifted.utility().unwrap().test_risk];
        agrees_and_rejects(
            &format!("membership {attack:?} n=100"),
            &sim,
            wrong,
            &run(2026, 400),
        );
    }
}

#[test]
fn two_layer_join_block_versus_dense() {
    // Type A is a minimum at d = 8 (Morse index 0); the [d-2, 2] family is a saddle at d = 7
    // with Morse index 4 (tests/theory_two_layer.rs).
    for (family, d, morse) in [(Family::TypeA, 8, 0.0), (Family::Flipped { m: 2 }, 7, 4.0)] {
        let check = TwoLayerHessian { family, d }.check().unwrap();
        let j = join(&check, &run(1, 2), &JoinOptions::default()).unwrap();
        show(&format!("two-layer {family} d={d}"), &j);
        assert!(j.all_agree());
        assert_eq!(j.metric("morse_index").unwrap().simulation.value, morse);
        // The block spectrum one dimension up is a different Hessian: rejected.
        let other = TwoLayerHessian { family, d: d + 1 }.check().unwrap();
        let bad = join(
            &WrongTheory {
                inner: &check,
                theory: other.theory_realised().unwrap(),
            },
            &run(1, 2),
            &JoinOptions::default(),
        )
        .unwrap();
        assert!(!bad.metrics[0].agrees, "{bad:?}");
    }
}

#[test]
fn runs_need_two_trials() {
    let sim = LinearRidgeSimulation::default().check().unwrap();
    for trials in [0, 1] {
        assert!(matches!(
            sim.run(&run(1, trials)),
            Err(overparam::Error::InvalidParameter { name: "trials", .. })
        ));
        assert!(matches!(
            join(&sim, &run(1, trials), &JoinOptions::default()),
            Err(overparam::Error::InvalidParameter { name: "trials", .. })
        ));
    }
    // One validation, the theory's: what the theory rejects, the simulation rejects.
    let linear = RandomFeaturesSimulation {
        model: RandomFeatures {
            activation: overparam::gaussian::Activation::Linear,
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(linear.model.check().is_err());
    assert!(linear.check().is_err());
    let adv = AdversarialRfSimulation {
        model: AdversarialRf {
            eps: -1.0,
            ..Default::default()
        },
        d: 20,
    };
    assert!(matches!(
        adv.check(),
        Err(overparam::Error::InvalidParameter { name: "eps", .. })
    ));
    assert!(matches!(
        AdversarialRfSimulation {
            model: AdversarialRf::default(),
            d: 1
        }
        .check(),
        Err(overparam::Error::InvalidParameter { name: "d", .. })
    ));
}

/// The census moved under `sim/` and now seeds run r from `trial_rng(seed, r)`: re-verify what
/// the CLI test asserts (d = 8, 12 runs, seed 1: every run accounted for, the global minimum
/// found, any [7, 1] family is type A) and that the result does not depend on the thread count.
#[test]
fn census_with_trial_streams() {
    let census = GradientDescentCensus {
        d: 8,
        ..Default::default()
    }
    .check()
    .unwrap();
    let c = census.run(&run(1, 12)).unwrap();
    for e in &c.entries {
        println!(
            "{:?} flipped {:?} loss {:.10} count {}",
            e.sizes, e.flipped, e.loss, e.count
        );
    }
    let total: usize = c.entries.iter().map(|e| e.count).sum();
    assert_eq!(total + c.not_converged, 12);
    assert!(c.entries.iter().any(|e| e.sizes == [8.0] && e.loss < 1e-12));
    for e in &c.entries {
        if e.sizes == [7.0, 1.0] {
            assert!((e.loss - 0.0215080372).abs() < 1e-9);
        }
    }
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| census.run(&run(1, 12)).unwrap());
    assert_eq!(one, c);
}
