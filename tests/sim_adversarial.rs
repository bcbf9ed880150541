//! Finite-size adversarial training against the asymptotic theory (Hassani & Javanmard Thm 4.2
//! and the linear special case), and the exactness of the training solver.
//!
//! These tests pin the reference values through the deprecated API (`AdversarialRfSim`,
//! `AdversarialLinearSim`, `MembershipSimulation` with seed and trials as fields), which delegates
//! to the new shape (`AdversarialRfSimulation`, `AdversarialLinearSimulation`,
//! `MembershipAttackSimulation` and `RunOptions`): old callers keep their numbers. The new shape
//! and the join are tested in tests/sim_join.rs.
#![allow(deprecated)]

use overparam::sim::adversarial::{
    AdversarialLinearSim, AdversarialRfSim, AdversarialSimResult, solve_robust_least_squares,
};
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

fn objective(x: &[f64], n: usize, p: usize, y: &[f64], eps: f64, phi: &[f64]) -> f64 {
    let t = phi.iter().map(|v| v * v).sum::<f64>().sqrt();
    (0..n)
        .map(|i| {
            let r = y[i] - (0..p).map(|c| x[i * p + c] * phi[c]).sum::<f64>();
            (r.abs() + eps * t).powi(2)
        })
        .sum::<f64>()
        / (2.0 * n as f64)
}

/// A small deterministic pseudo-random sequence (independent of the crate's RNG).
fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*state >> 11) as f64) / (1u64 << 53) as f64 - 0.5
}

#[test]
fn solver_reaches_the_exact_optimum() {
    let mut st = 7u64;
    for (n, p, eps) in [(40, 6, 0.2), (12, 20, 0.1), (30, 3, 0.6)] {
        let x: Vec<f64> = (0..n * p).map(|_| lcg(&mut st) * 3.0).collect();
        let y: Vec<f64> = (0..n).map(|i| x[i * p] + 0.3 * lcg(&mut st)).collect();
        let sol = solve_robust_least_squares(&x, n, p, &y, eps).unwrap();
        let f0 = objective(&x, n, p, &y, eps, &sol.phi);
        assert!((f0 - sol.objective).abs() < 1e-14 * f0.max(1.0));
        // Convexity: a local minimum is global; probe random directions at several scales.
        for scale in [1e-2, 1e-4, 1e-6] {
            for _ in 0..200 {
                let trial: Vec<f64> = sol.phi.iter().map(|v| v + scale * lcg(&mut st)).collect();
                let f = objective(&x, n, p, &y, eps, &trial);
                assert!(f >= f0 - 1e-11 * f0, "n {n} p {p}: {f} < {f0}");
            }
        }
        if n < p {
            // Overparameterised, small eps: interpolation (all residuals exactly zero).
            assert_eq!(sol.zero_residual_fraction, 1.0);
        }
    }
}

#[test]
fn solver_matches_golden_section_in_one_dimension() {
    // p = 1: minimise a convex function of one variable by golden-section search (an
    // independent algorithm) and compare.
    let mut st = 3u64;
    let n = 50;
    let x: Vec<f64> = (0..n).map(|_| lcg(&mut st) * 2.0).collect();
    let y: Vec<f64> = x.iter().map(|v| 0.8 * v + 0.2 * lcg(&mut st)).collect();
    for eps in [0.05, 0.2] {
        let sol = solve_robust_least_squares(&x, n, 1, &y, eps).unwrap();
        let (mut a, mut b) = (-5.0_f64, 5.0_f64);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..200 {
            let c = b - g * (b - a);
            let d = a + g * (b - a);
            if objective(&x, n, 1, &y, eps, &[c]) < objective(&x, n, 1, &y, eps, &[d]) {
                b = d;
            } else {
                a = c;
            }
        }
        let best = 0.5 * (a + b);
        assert!((sol.phi[0] - best).abs() < 1e-7, "{} vs {best}", sol.phi[0]);
    }
    // Above the zero-solution radius the answer is exactly 0.
    let sol = solve_robust_least_squares(&x, n, 1, &y, 50.0).unwrap();
    assert_eq!(sol.phi, vec![0.0]);
}

fn z(sim: &overparam::sim::Estimate, theory: f64) -> f64 {
    (sim.mean - theory) / sim.std_err.max(1e-12)
}

/// |sim - theory| <= 4 SE + allowance * |theory|.
fn agree(name: &str, sim: &overparam::sim::Estimate, theory: f64, allowance: f64) {
    let tol = 4.0 * sim.std_err + allowance * theory.abs();
    println!(
        "    {name:>6}: theory {theory:.4}  sim {:.4} ± {:.4}  z = {:+.2}",
        sim.mean,
        sim.std_err,
        z(sim, theory)
    );
    assert!(
        (sim.mean - theory).abs() <= tol,
        "{name}: sim {} ± {} vs theory {theory}",
        sim.mean,
        sim.std_err
    );
}

fn check_all(r: &AdversarialSimResult, sr: f64, ar: f64, loss: f64, frac0: f64, jn: f64) {
    // Finite-size allowance at d = 100: 4 % (note §5.6: 1–3 % at d = 200, up to 3.3 % bias at
    // psi1 = 10, d = 100).
    agree("SR", &r.standard_error, sr, 0.04);
    agree("AR", &r.robust_error, ar, 0.04);
    agree("train", &r.train_loss, loss, 0.05);
    agree("eJt", &r.adversarial_norm, jn, 0.06);
    // frac0 is a proportion; its allowance is absolute.
    let f = &r.zero_residual_fraction;
    println!(
        "    frac0: theory {frac0:.4}  sim {:.4} ± {:.4}",
        f.mean, f.std_err
    );
    assert!((f.mean - frac0).abs() <= 4.0 * f.std_err + 0.03);
}

#[test]
fn random_features_simulation_agrees_with_theorem_4_2() {
    // psi2 = 2, tau2 = 0.25: psi1 below, at and above psi2; small and large eps.
    for (psi1, eps, d, trials) in [
        (0.5, 0.3, 100, 8),
        (0.5, 0.6, 100, 8),
        (1.0, 0.1, 100, 8),
        (2.0, 0.3, 100, 6),
        (3.0, 0.3, 100, 4),
    ] {
        let th = AdversarialRf {
            noise_sd: 0.5,
            psi1,
            psi2: 2.0,
            eps,
            eps_test: None,
            ..AdversarialRf::default()
        }
        .check()
        .unwrap()
        .solve()
        .unwrap();
        let r = AdversarialRfSim {
            d,
            psi1,
            psi2: 2.0,
            tau2: 0.25,
            eps,
            eps_test: None,
            trials,
            seed: 2026,
        }
        .run()
        .unwrap();
        println!("psi1 = {psi1}, eps = {eps}, d = {d}, {trials} trials");
        check_all(
            &r,
            th.test_risk,
            th.robust_test_risk,
            th.train_loss,
            th.zero_residual_fraction,
            th.adversarial_norm,
        );
    }
}

#[test]
fn linear_simulation_agrees_with_theory() {
    for (delta, eps, d, trials) in [
        (2.0, 0.3, 200, 4),
        (2.0, 1.0, 200, 4),
        (0.5, 0.3, 200, 4),
        (1.0, 0.3, 150, 6),
    ] {
        let th = AdversarialLinear {
            noise_sd: 0.5,
            delta,
            r0: 1.0,
            eps,
            eps_test: None,
            ..AdversarialLinear::default()
        }
        .check()
        .unwrap()
        .solve()
        .unwrap();
        let r = AdversarialLinearSim {
            d,
            delta,
            noise_var: 0.25,
            r0: 1.0,
            eps,
            eps_test: None,
            trials,
            seed: 99,
        }
        .run()
        .unwrap();
        println!("linear delta = {delta}, eps = {eps}, d = {d}, {trials} trials");
        check_all(
            &r,
            th.test_risk,
            th.robust_test_risk,
            th.train_loss,
            th.zero_residual_fraction,
            th.adversarial_norm,
        );
    }
}

#[test]
fn simulation_is_reproducible_and_validates_input() {
    let sim = AdversarialRfSim {
        d: 30,
        psi1: 1.0,
        psi2: 2.0,
        tau2: 0.25,
        eps: 0.3,
        eps_test: None,
        trials: 2,
        seed: 5,
    };
    assert_eq!(sim.run().unwrap(), sim.run().unwrap());
    let bad = AdversarialRfSim {
        d: 1,
        ..sim.clone()
    }
    .run()
    .unwrap_err();
    assert!(matches!(
        bad,
        overparam::Error::InvalidParameter { name: "d", .. }
    ));
    let bad = AdversarialRfSim { eps: -1.0, ..sim }.run().unwrap_err();
    assert!(matches!(
        bad,
        overparam::Error::InvalidParameter { name: "eps", .. }
    ));
}

/// Noiseless labels: below the closed-form threshold eps_1 adversarial training recovers theta_0
/// exactly (SR = 0, every training residual 0); above it SR > 0. The closed form was derived
/// from the scalar problem only, so this is its independent check by simulation.
#[test]
fn noiseless_linear_exact_recovery_threshold_matches_simulation() {
    let (delta, d, trials) = (2.0, 200, 4);
    let model = |eps: f64| {
        AdversarialLinear {
            noise_sd: 0.0,
            delta,
            r0: 1.0,
            eps,
            eps_test: None,
            ..AdversarialLinear::default()
        }
        .check()
        .unwrap()
    };
    let eps1 = model(0.1).eps_exact();
    assert!(eps1 > 0.3 && eps1 < 0.8, "eps1 = {eps1}");
    for (factor, exact) in [(0.9, true), (1.3, false), (2.0, false)] {
        let eps = factor * eps1;
        let th = model(eps).solve().unwrap();
        let sim = AdversarialLinearSim {
            d,
            delta,
            noise_var: 0.0,
            r0: 1.0,
            eps,
            eps_test: None,
            trials,
            seed: 7,
        }
        .run()
        .unwrap();
        println!(
            "noiseless delta = {delta}, eps = {factor} eps1 = {eps:.4}: SR theory {:.5}, sim {:.5} ± {:.5}; \
             zero residuals theory {:.4}, sim {:.4}",
            th.test_risk,
            sim.standard_error.mean,
            sim.standard_error.std_err,
            th.zero_residual_fraction,
            sim.zero_residual_fraction.mean
        );
        if exact {
            assert_eq!(th.test_risk, 0.0);
            assert!(sim.standard_error.mean < 1e-6, "{:?}", sim.standard_error);
            assert!(sim.zero_residual_fraction.mean > 0.999);
        } else {
            assert!(th.test_risk > 1e-3);
            agree(
                "SR (noiseless)",
                &sim.standard_error,
                th.test_risk,
                0.04 * th.test_risk,
            );
        }
    }
}

/// The simulation uses the resolved label noise: `noise_sd` alone, the deprecated variance field
/// and `with_noise_variance` give bit-identical trials, different from the default noise.
#[test]
#[allow(deprecated)]
fn simulation_uses_the_resolved_noise() {
    use overparam::sim::adversarial::{AdversarialLinearSimulation, AdversarialRfSimulation};
    let base = AdversarialRf {
        psi1: 1.0,
        psi2: 2.0,
        eps: 0.3,
        eps_test: None,
        ..AdversarialRf::default()
    };
    let trial = |model: AdversarialRf| {
        let t = AdversarialRfSimulation { model, d: 12 }
            .check()
            .unwrap()
            .trial(3, 0)
            .unwrap();
        (t.test_risk.to_bits(), t.robust_test_risk.to_bits())
    };
    let sd = trial(AdversarialRf {
        noise_sd: 1.0,
        ..base.clone()
    });
    assert_eq!(sd, trial(base.clone().with_noise_variance(1.0)));
    assert_eq!(
        sd,
        trial(AdversarialRf {
            tau2: 1.0,
            ..base.clone()
        })
    );
    assert_ne!(sd, trial(base));
    let lin = AdversarialLinear {
        delta: 2.0,
        r0: 1.0,
        eps: 0.3,
        eps_test: None,
        ..AdversarialLinear::default()
    };
    let trial = |model: AdversarialLinear| {
        let t = AdversarialLinearSimulation { model, d: 12 }
            .check()
            .unwrap()
            .trial(3, 0)
            .unwrap();
        (t.test_risk.to_bits(), t.robust_test_risk.to_bits())
    };
    let sd = trial(AdversarialLinear {
        noise_sd: 1.0,
        ..lin.clone()
    });
    assert_eq!(sd, trial(lin.clone().with_noise_variance(1.0)));
    assert_eq!(
        sd,
        trial(AdversarialLinear {
            noise_var: 1.0,
            ..lin.clone()
        })
    );
    assert_ne!(sd, trial(lin));
}

/// `adversarial --linear --delta 2 --eps 0.1 --simulate --d 700 --trials 2` failed with
/// `NotConverged`: in the last smoothing stage of one trial the Newton decrement stalled at
/// 1.35e-13 f (the rounding of an n = 1400 term gradient), just above the 1e-13 target, until
/// the 100-step cap. A stalled objective at the rounding floor now counts as converged.
#[test]
fn robust_least_squares_accepts_the_rounding_floor_at_d700() {
    use overparam::sim::adversarial::AdversarialLinearSimulation;
    let model = AdversarialLinear {
        delta: 2.0,
        eps: 0.1,
        ..AdversarialLinear::default()
    };
    let sim = AdversarialLinearSimulation { model, d: 700 }
        .check()
        .unwrap();
    for trial in 0..2 {
        let t = sim.trial(1, trial).unwrap();
        assert!(t.robust_test_risk.is_finite() && t.robust_test_risk > t.test_risk);
        assert!(t.train_loss > 0.0 && t.train_loss < t.robust_test_risk);
    }
}

/// The full solver gives the same minimiser with the Newton systems solved in the dual form
/// (Woodbury, n x n) as in the primal form (p x p): objective to 1e-10 relative (the solver's
/// own accuracy, module docs of `sim::adversarial`), phi to 1e-6 relative (the objective is
/// quadratic near its minimum, so phi is determined to about the square root of that), and the
/// same zero-residual fraction. Instances: p >> n with a small isotropic term (eps = 1e-3), and
/// moderate eps; the automatic rule picks the dual form exactly when p >= n + 2.
#[test]
fn dual_and_primal_newton_forms_give_the_same_minimiser() {
    use overparam::sim::adversarial::{NewtonChoice, NewtonForm, solve_robust_least_squares_with};
    let mut st = 11u64;
    for (n, p, eps) in [
        (20, 80, 1e-3),
        (15, 150, 1e-3),
        (30, 90, 0.3),
        (40, 60, 0.1),
        (12, 20, 0.1),
    ] {
        let x: Vec<f64> = (0..n * p).map(|_| lcg(&mut st) * 3.0).collect();
        let y: Vec<f64> = (0..n).map(|i| x[i * p] + 0.3 * lcg(&mut st)).collect();
        let primal =
            solve_robust_least_squares_with(&x, n, p, &y, eps, NewtonChoice::Primal).unwrap();
        let dual = solve_robust_least_squares_with(&x, n, p, &y, eps, NewtonChoice::Dual).unwrap();
        let auto = solve_robust_least_squares(&x, n, p, &y, eps).unwrap();
        assert_eq!(primal.form, NewtonForm::Primal);
        assert_eq!(primal.dual_steps, 0);
        assert_eq!(dual.form, NewtonForm::Dual);
        assert!(dual.dual_steps > 0);
        // A dual step is redone in the primal form only when its check fails (seen once here,
        // at n = 15, p = 150, eps = 1e-3, in the last smoothing stage where cond(H) ~ 1/u).
        assert!(
            dual.fallback_steps * 10 <= dual.solution.newton_steps,
            "n {n} p {p} eps {eps}: {} fallbacks",
            dual.fallback_steps
        );
        assert_eq!(
            dual.primal_steps + dual.dual_steps,
            dual.solution.newton_steps
        );
        // Automatic = dual here (p >= n + 2), bit for bit.
        assert_eq!(auto.phi, dual.solution.phi);
        let (a, b) = (&primal.solution, &dual.solution);
        let rel = (a.objective - b.objective).abs() / a.objective;
        let diff: f64 = a.phi.iter().zip(&b.phi).map(|(u, v)| (u - v).powi(2)).sum();
        let norm: f64 = a.phi.iter().map(|u| u * u).sum();
        let phi_rel = (diff / norm).sqrt();
        println!(
            "n {n} p {p} eps {eps}: objective rel diff {rel:.2e}, phi rel diff {phi_rel:.2e}, \
             steps primal {} dual {} (fallbacks {})",
            a.newton_steps, b.newton_steps, dual.fallback_steps
        );
        assert!(rel <= 1e-10, "n {n} p {p} eps {eps}: objective {rel}");
        assert!(phi_rel <= 1e-6, "n {n} p {p} eps {eps}: phi {phi_rel}");
        assert_eq!(a.zero_residual_fraction, b.zero_residual_fraction);
        // Both are minimisers of the exact objective.
        let f = objective(&x, n, p, &y, eps, &b.phi);
        assert!((f - b.objective).abs() < 1e-14 * f.max(1.0));
    }
    // p <= n + 1: the automatic rule keeps the primal form, bit-identical to forcing it.
    let (n, p) = (40, 10);
    let x: Vec<f64> = (0..n * p).map(|_| lcg(&mut st) * 3.0).collect();
    let y: Vec<f64> = (0..n).map(|i| x[i * p] + 0.3 * lcg(&mut st)).collect();
    let auto = solve_robust_least_squares_with(&x, n, p, &y, 0.2, NewtonChoice::Automatic).unwrap();
    let primal = solve_robust_least_squares_with(&x, n, p, &y, 0.2, NewtonChoice::Primal).unwrap();
    assert_eq!(auto.form, NewtonForm::Primal);
    assert_eq!(auto.solution.phi, primal.solution.phi);
    assert_eq!(auto.solution.objective, primal.solution.objective);
}

/// The simulators say which form their trials' Newton steps take.
#[test]
fn simulators_report_their_newton_form() {
    use overparam::sim::adversarial::{
        AdversarialLinearSimulation, AdversarialRfSimulation, NewtonForm,
    };
    let rf = |psi1: f64| {
        AdversarialRfSimulation {
            model: AdversarialRf {
                psi1,
                psi2: 1.0,
                eps: 0.3,
                ..AdversarialRf::default()
            },
            d: 50,
        }
        .check()
        .unwrap()
        .newton_form()
    };
    assert_eq!(rf(4.0), NewtonForm::Dual);
    assert_eq!(rf(1.0), NewtonForm::Primal);
    assert_eq!(rf(0.5), NewtonForm::Primal);
    let lin = |delta: f64| {
        AdversarialLinearSimulation {
            model: AdversarialLinear {
                delta,
                eps: 0.3,
                ..AdversarialLinear::default()
            },
            d: 50,
        }
        .check()
        .unwrap()
        .newton_form()
    };
    assert_eq!(lin(0.5), NewtonForm::Dual);
    assert_eq!(lin(2.0), NewtonForm::Primal);
}
