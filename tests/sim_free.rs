//! Haar Monte Carlo of free convolutions against the theory (`spectral::free`), with the KS
//! distance of `sim::spectral_distance` and its threshold: the DKW critical value at level
//! alpha = 1e-3 (conservative: eigenvalues are more rigid than iid draws) plus the finite-size
//! allowance c / N with c = 4. The measured N * D_N is flat at 2.5-2.7 for N = 250..1000 (the
//! deterministic O(1/N) part dominates; printed tables, docs/spectra.md section 6), so each test also
//! asserts the much sharper rigidity bound N * D_N <= c, which an iid sample (N * D_N ~ sqrt N)
//! or a wrong law would fail.

use num_complex::Complex64;
use overparam::linalg::haar_orthogonal;
use overparam::sim::free_convolution::{
    diagonal_from_atoms, free_product_eigenvalues, free_sum_eigenvalues,
};
use overparam::sim::rng::{normal, trial_rng};
use overparam::sim::spectral_distance::{TabulatedCdf, ks_distance, ks_threshold};
use overparam::spectral::{Atoms, FreeProduct, FreeSum, StieltjesTransform, WithSupport};

const ALPHA: f64 = 1e-3;
const FINITE_SIZE: f64 = 4.0;

/// The uniform law on [lo, hi]: m(z) = (log(hi - z) - log(lo - z)) / (hi - lo) (principal logs;
/// both arguments lie in the lower half-plane for z in C+, so no cut is crossed).
#[derive(Clone, Copy)]
struct Uniform {
    lo: f64,
    hi: f64,
}

impl StieltjesTransform for Uniform {
    fn stieltjes(&self, z: Complex64) -> overparam::Result<Complex64> {
        Ok(((self.hi - z).ln() - (self.lo - z).ln()) / (self.hi - self.lo))
    }
}

#[test]
fn haar_matrices_are_orthogonal_with_haar_trace_moments() {
    // For U Haar on O(n): E tr U = 0 and E (tr U)^2 = 1 (Diaconis & Shahshahani 1994).
    let n = 12;
    let draws = 2000;
    let (mut s1, mut s2) = (0.0, 0.0);
    for t in 0..draws {
        let mut rng = trial_rng(5, t);
        let u = haar_orthogonal(n, || normal(&mut rng)).unwrap();
        if t == 0 {
            let utu = u.matmul_tn(&u, 1.0).unwrap();
            let mut id = overparam::linalg::Matrix::identity(n);
            id.scale(-1.0);
            assert!(utu.linear_combination(1.0, &id, 1.0).unwrap().max_abs() < 1e-13);
        }
        let tr: f64 = u.diagonal().iter().sum();
        s1 += tr;
        s2 += tr * tr;
    }
    let mean = s1 / draws as f64;
    let second = s2 / draws as f64;
    // Standard errors: 1/sqrt(2000) = 0.022 for the mean; sqrt(Var (tr U)^2 / 2000) with
    // Var = E tr^4 - 1 = 2: 0.032. Bounds at 5 standard errors. (Without the sign fix the
    // Householder QR of faer gives mean trace -2.04 and second moment 4.75 on these draws:
    // measured, both far outside the bounds.)
    assert!(mean.abs() < 0.11, "mean trace {mean}");
    assert!((second - 1.0).abs() < 0.16, "second moment {second}");
    assert!(haar_orthogonal(0, || 0.0).is_err());
    assert!(haar_orthogonal(3, || f64::NAN).is_err());
}

fn arcsine_cdf(x: f64) -> f64 {
    if x <= -2.0 {
        0.0
    } else if x >= 2.0 {
        1.0
    } else {
        0.5 + (x / 2.0).asin() / std::f64::consts::PI
    }
}

#[test]
fn free_sum_of_bernoullis_matches_the_arcsine_law() {
    let bernoulli = Atoms::new(vec![-1.0, 1.0], vec![1.0, 1.0]).unwrap();
    // Theory by subordination, tabulated; checked against the closed form first.
    let sum = FreeSum::new(bernoulli.clone(), bernoulli.clone()).unwrap();
    let xs: Vec<f64> = (0..=4000).map(|k| -2.0 + 4.0 * k as f64 / 4000.0).collect();
    let dens: Vec<f64> = sum
        .density_points(&xs)
        .into_iter()
        .map(|p| p.map(|p| p.density).unwrap_or(f64::NAN))
        .collect();
    // The endpoints are integrable singularities: drop them from the table (density 0 there).
    let mut dens = dens;
    dens[0] = 0.0;
    dens[4000] = 0.0;
    let table = TabulatedCdf::from_density(&xs, &dens).unwrap();
    // Increments over [-1.9, 1.9] (the trapezoid rule loses O(sqrt h) of mass at the
    // inverse-square-root edges, so the table is compared away from them).
    let mut worst: f64 = 0.0;
    for k in 0..=100 {
        let x = -1.9 + 3.8 * k as f64 / 100.0;
        let table_increment = table.eval(x) - table.eval(-1.9);
        let exact_increment = arcsine_cdf(x) - arcsine_cdf(-1.9);
        worst = worst.max((table_increment - exact_increment).abs());
    }
    assert!(worst < 1e-5, "tabulated theory vs closed form: {worst}");
    println!("N, D_N, N D_N, threshold");
    let mut previous = f64::INFINITY;
    for &n in &[250usize, 500, 1000] {
        let a = diagonal_from_atoms(&bernoulli, n).unwrap();
        let eig = free_sum_eigenvalues(&a, &a, 17, n as u64).unwrap();
        let d = ks_distance(&eig, arcsine_cdf).unwrap();
        let threshold = ks_threshold(n, ALPHA, FINITE_SIZE).unwrap();
        println!("{n}, {d:.5}, {:.3}, {threshold:.5}", n as f64 * d);
        assert!(d <= threshold, "N = {n}: D = {d} > {threshold}");
        // Rigidity: D_N = O(1/N), far inside the iid scale, and shrinking with N.
        assert!(
            n as f64 * d <= FINITE_SIZE,
            "N = {n}: N D = {}",
            n as f64 * d
        );
        assert!(d < previous, "N = {n}: {d} vs {previous}");
        previous = d;
        if n == 1000 {
            // The commuting case (U = I) has a different law (atoms at -2, 0, 2): rejected.
            let commuting: Vec<f64> = a.iter().zip(a.iter().rev()).map(|(x, y)| x + y).collect();
            let wrong = ks_distance(&commuting, arcsine_cdf).unwrap();
            assert!(
                wrong > 3.0 * threshold,
                "commuting sum not rejected: {wrong}"
            );
        }
    }
}

#[test]
fn free_product_matches_the_subordination_density() {
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    let uniform = Uniform { lo: 0.5, hi: 1.5 };
    let product =
        FreeProduct::new(h.clone(), WithSupport::new(uniform, 0.5, 1.5).unwrap()).unwrap();
    let xs: Vec<f64> = (0..=6000).map(|k| 0.2 + 16.0 * k as f64 / 6000.0).collect();
    let dens: Vec<f64> = product
        .density_points(&xs)
        .into_iter()
        .map(|p| p.unwrap().density)
        .collect();
    let table = TabulatedCdf::from_density(&xs, &dens).unwrap();
    assert!((table.mass() - 1.0).abs() < 2e-3, "mass {}", table.mass());
    println!("N, D_N, N D_N, threshold");
    for &n in &[250usize, 500, 1000] {
        let a = diagonal_from_atoms(&h, n).unwrap();
        let b: Vec<f64> = (0..n).map(|k| 0.5 + (k as f64 + 0.5) / n as f64).collect();
        let eig = free_product_eigenvalues(&a, &b, 29, n as u64).unwrap();
        let d = ks_distance(&eig, |x| table.eval(x)).unwrap();
        let threshold = ks_threshold(n, ALPHA, FINITE_SIZE).unwrap();
        println!("{n}, {d:.5}, {:.3}, {threshold:.5}", n as f64 * d);
        assert!(d <= threshold, "N = {n}: D = {d} > {threshold}");
        assert!(
            n as f64 * d <= FINITE_SIZE,
            "N = {n}: N D = {}",
            n as f64 * d
        );
        if n == 1000 {
            // Without the rotation the eigenvalues are a_i b_i: rejected.
            let commuting: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
            let wrong = ks_distance(&commuting, |x| table.eval(x)).unwrap();
            assert!(
                wrong > 3.0 * threshold,
                "commuting product not rejected: {wrong}"
            );
        }
    }
    assert!(free_product_eigenvalues(&[1.0, -1.0], &[1.0, 1.0], 1, 0).is_err());
    assert!(free_sum_eigenvalues(&[1.0], &[1.0, 2.0], 1, 0).is_err());
    assert!(free_sum_eigenvalues(&[], &[], 1, 0).is_err());
}

/// The generalised Marchenko–Pastur law as a free product: H ⊠ MP(gamma) against exact sample
/// covariances. A^{1/2} U diag(eig W) U^T A^{1/2} with W = Z^T Z / n Wishart and U Haar is
/// distributed as Sigma^{1/2} W Sigma^{1/2} (W = V Lambda V^T with V Haar independent of
/// Lambda). The note's histogram value rho(0.5) ~ 0.538 is reproduced (0.5380).
#[test]
fn population_times_marchenko_pastur_matches_sample_covariances() {
    use overparam::linalg::{Matrix, symmetric_eigenvalues};
    use overparam::spectral::MarchenkoPastur;
    let gamma = 0.5;
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    let product = FreeProduct::new(h.clone(), MarchenkoPastur::new(gamma).unwrap()).unwrap();
    assert!((product.density(0.5).unwrap().density - 0.538).abs() < 1e-3);
    let xs: Vec<f64> = (0..=3000).map(|k| 30.0 * k as f64 / 3000.0).collect();
    let dens: Vec<f64> = product
        .density_curve(&xs)
        .unwrap()
        .iter()
        .map(|p| p.density)
        .collect();
    let table = TabulatedCdf::from_density(&xs, &dens).unwrap();
    assert!((table.mass() - 1.0).abs() < 1e-3, "mass {}", table.mass());
    let p = 600;
    let n = (p as f64 / gamma) as usize;
    let mut rng = trial_rng(41, 0);
    let z = Matrix::from_fn(n, p, |_, _| normal(&mut rng));
    let wishart = symmetric_eigenvalues(&z.gram(1.0 / n as f64)).unwrap();
    let a = diagonal_from_atoms(&h, p).unwrap();
    let eig = free_product_eigenvalues(&a, &wishart, 43, 0).unwrap();
    let d = ks_distance(&eig, |x| table.eval(x)).unwrap();
    let threshold = ks_threshold(p, ALPHA, FINITE_SIZE).unwrap();
    println!(
        "H ⊠ MP: p = {p}, D = {d:.5}, p D = {:.3}, threshold {threshold:.5}",
        p as f64 * d
    );
    assert!(d <= threshold, "D = {d} > {threshold}");
    // Against the wrong law (the population itself scaled, i.e. no Marchenko–Pastur spreading).
    let wrong = ks_distance(&eig, |x| {
        0.7 * f64::from(u8::from(x >= 1.0)) + 0.3 * f64::from(u8::from(x >= 10.0))
    })
    .unwrap();
    assert!(wrong > 3.0 * threshold, "{wrong}");
}
