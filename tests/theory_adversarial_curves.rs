//! Warm-started adversarial curves against cold solves at every grid point.
//!
//! The grids are deliberately sparse (a factor 300 between neighbouring psi1 values), so that the
//! warm start from the previous grid point fails and the curve inserts intermediate points with
//! the engine's adaptive continuation (verified by the max-min saddle check) before falling back
//! to a cold solve. The reference is an independent cold solve at each grid point: both must find
//! the same saddle point.

use overparam::grid::log_spaced;
use overparam::theory::adversarial::AdversarialRf;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn sparse_psi1_curves_agree_with_cold_solves() {
    for (psi2, eps, points) in [(5.0, 0.1, 3), (0.3, 0.9, 4), (2.0, 0.3, 5)] {
        let model = AdversarialRf {
            psi1: 1.0,
            psi2,
            eps,
            ..Default::default()
        }
        .check()
        .unwrap();
        let grid = log_spaced(0.02, 2000.0, points).unwrap();
        let curve = model.curve_psi1(&grid).unwrap();
        assert_eq!(curve.len(), grid.len());
        for (&psi1, warm) in grid.iter().zip(&curve) {
            let cold = model.with_psi1(psi1).unwrap().solve().unwrap();
            assert!(
                rel(warm.train_loss, cold.train_loss) < 1e-9,
                "psi2 = {psi2}, eps = {eps}, psi1 = {psi1}: train loss {} vs cold {}",
                warm.train_loss,
                cold.train_loss
            );
            match (warm.saddle, cold.saddle) {
                (Some(w), Some(c)) => {
                    for (x, y) in [
                        (w.alpha, c.alpha),
                        (w.tau_g, c.tau_g),
                        (w.beta, c.beta),
                        (w.gamma, c.gamma),
                        (w.tau_q, c.tau_q),
                    ] {
                        assert!(rel(x, y) < 1e-7, "psi1 = {psi1}: saddle {x} vs cold {y}");
                    }
                }
                (None, None) => {}
                (w, c) => panic!("psi1 = {psi1}: warm {w:?} vs cold {c:?}"),
            }
        }
    }
}

/// The linear model's epsilon curve on the engine (issue 12): on coarse grids, where Newton from
/// the previous saddle can fail and the curve bridges the gap by adaptive continuation with the
/// saddle check as its verification hook, every point equals an independent cold solve.
#[test]
fn linear_curve_eps_on_coarse_grids_matches_cold_solves() {
    use overparam::theory::adversarial::AdversarialLinear;
    let mut points = 0;
    for (delta, noise_sd) in [(0.05, 0.5), (0.3, 0.0), (0.5, 1.0), (2.0, 0.0), (20.0, 0.3)] {
        let model = AdversarialLinear {
            delta,
            noise_sd,
            r0: 1.0,
            eps: 0.1,
            eps_test: Some(0.2),
            ..AdversarialLinear::default()
        }
        .check()
        .unwrap();
        let eps0 = model.eps0();
        // Five points from 1e-5 eps0 to 0.999 eps0: steps of a factor ~10 in eps.
        let grid: Vec<f64> = [1e-5, 1e-3, 0.05, 0.5, 0.999]
            .iter()
            .map(|f| f * eps0)
            .collect();
        let curve = model.curve_eps(&grid).unwrap();
        for (e, warm) in grid.iter().zip(&curve) {
            let cold = model.with_eps(*e).unwrap().solve().unwrap();
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-300);
            assert!(
                rel(warm.test_risk, cold.test_risk) < 1e-8,
                "delta {delta} eps {e}: {} vs {}",
                warm.test_risk,
                cold.test_risk
            );
            assert!(rel(warm.robust_test_risk, cold.robust_test_risk) < 1e-8);
            assert!(rel(warm.train_loss, cold.train_loss) < 1e-8);
            assert!(warm.m.is_finite() && warm.residual <= 1e-9);
            points += 1;
        }
    }
    assert_eq!(points, 25);
}
