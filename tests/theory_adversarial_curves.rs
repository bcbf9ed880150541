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
