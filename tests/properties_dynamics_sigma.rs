//! Property tests of the general-population dynamics over random populations
//! (`overparam::strategies::spectra::population`).

use overparam::spectral::Population;
use overparam::strategies::spectra::population;
use overparam::theory::dynamics::AnisotropicDynamics;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Ali, Kolter & Tibshirani 2019 (arXiv:1810.10082, Theorems 1 and 3): with a prior that is
    /// isotropic in the eigenbasis (signal shares equal to the dimension shares, c_j = w_j),
    /// gradient flow at time t has at most 1.6862 times the excess risk of ridge at
    /// lambda = 1/t, for any covariance.
    #[test]
    fn gradient_flow_is_within_1_6862_of_ridge_at_inverse_time(
        atoms in population(),
        lg in -1.0f64..1.0,
        lsnr in -1.0f64..1.5,
        lt in -2.0f64..3.0,
    ) {
        let (g, snr, t) = (10f64.powf(lg), 10f64.powf(lsnr), 10f64.powf(lt));
        prop_assume!((g - 1.0).abs() > 1e-3);
        let s = atoms.eigenvalues().to_vec();
        let w = atoms.weights().to_vec();
        let pop = Population::new(s, w.clone(), w).unwrap();
        let m = AnisotropicDynamics::new(pop, g).with_snr(snr, 1.0).check().unwrap();
        let flow = m.at_time(t).unwrap().test_error;
        let ridge = m.ridge_at_inverse_time(t).unwrap().test_error;
        prop_assert!(flow <= 1.6862 * ridge, "g={g} snr={snr} t={t}: {flow} {ridge}");
    }

    /// Every output is finite and the decomposition holds: test = bias + variance, all >= 0
    /// (up to the quadrature's error), over random populations with any alignment.
    #[test]
    fn outputs_are_consistent(
        atoms in population(),
        signal in proptest::collection::vec(0.01f64..1.0, 12),
        lg in -1.0f64..1.0,
        lt in -2.0f64..3.0,
    ) {
        let g = 10f64.powf(lg);
        prop_assume!((g - 1.0).abs() > 1e-3);
        let s = atoms.eigenvalues().to_vec();
        let c = signal[..s.len()].to_vec();
        let pop = Population::new(s, atoms.weights().to_vec(), c).unwrap();
        let m = AnisotropicDynamics::new(pop, g).with_energies(2.0, 0.5).check().unwrap();
        let r = m.at_time(10f64.powf(lt)).unwrap();
        let tol = 1e-9 * (m.null_risk() + 0.5);
        prop_assert!((r.test_error - r.bias - r.variance).abs() <= tol);
        prop_assert!(r.bias >= -tol && r.variance >= -tol && r.train_error >= -tol, "{r:?}");
        prop_assert!(r.test_error <= m.null_risk() * 10.0 + 10.0);
    }
}
