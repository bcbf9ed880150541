//! Free additive and multiplicative convolution (`spectral::free`) against independent
//! references: closed forms (semicircles, shifts, scalings, Marchenko–Pastur, the arcsine law),
//! moments from free cumulants (a second algorithm: combinatorics instead of subordination, the
//! moments of the output read off by a contour integral of its transform), Herglotz properties,
//! and robustness on grids of hostile inputs.

use num_complex::Complex64;
use overparam::Error;
use overparam::spectral::{
    Atoms, FreeOptions, FreeProduct, FreeSum, MarchenkoPastur, StieltjesTransform, SupportBounds,
    WithSupport,
};

/// The semicircle law of variance `v` (radius 2 sqrt(v)), closed form written here:
/// m(z) = -2 / (z + sqrt(z - R) sqrt(z + R)) (principal roots; the Herglotz branch on C+).
#[derive(Clone, Copy)]
struct Semicircle {
    v: f64,
    centre: f64,
}

impl Semicircle {
    fn radius(&self) -> f64 {
        2.0 * self.v.sqrt()
    }
    fn m(&self, z: Complex64) -> Complex64 {
        let r = self.radius();
        let z = z - self.centre;
        let s = (z - r).sqrt() * (z + r).sqrt();
        -2.0 / (z + s)
    }
    fn density(&self, x: f64) -> f64 {
        let r = self.radius();
        let y = x - self.centre;
        if y.abs() >= r {
            0.0
        } else {
            2.0 * (r * r - y * y).sqrt() / (std::f64::consts::PI * r * r)
        }
    }
}

impl StieltjesTransform for Semicircle {
    fn stieltjes(&self, z: Complex64) -> overparam::Result<Complex64> {
        Ok(self.m(z))
    }
}

impl SupportBounds for Semicircle {
    fn support_bounds(&self) -> (f64, f64) {
        (self.centre - self.radius(), self.centre + self.radius())
    }
}

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

#[test]
fn semicircle_closed_form_is_herglotz() {
    // The test-local closed form itself: density by inversion and m ~ -1/z.
    let s = Semicircle {
        v: 2.0,
        centre: 0.5,
    };
    let m = s.m(c(1.0, 1e-12));
    assert!((m.im / std::f64::consts::PI - s.density(1.0)).abs() < 1e-10);
    let z = c(1e5, 3e5);
    assert!((s.m(z) * z + 1.0).norm() < 1e-5);
}

#[test]
fn semicircles_add_variances() {
    let a = Semicircle {
        v: 1.0,
        centre: 0.0,
    };
    let b = Semicircle {
        v: 2.5,
        centre: 1.0,
    };
    let expected = Semicircle {
        v: 3.5,
        centre: 1.0,
    };
    let sum = FreeSum::new(a, b).unwrap();
    for &(x, y) in &[
        (0.0, 1.0),
        (1.0, 1e-3),
        (3.0, 1e-6),
        (-5.0, 1e-8),
        (4.8, 1e-9),
        (10.0, 0.5),
        (-2.0, 30.0),
    ] {
        let z = c(x, y);
        let p = sum.solve(z).unwrap();
        let exact = expected.m(z);
        assert!(
            (p.stieltjes - exact).norm() <= 1e-10 * exact.norm(),
            "z = {z}: {} vs {exact}",
            p.stieltjes
        );
        assert!(p.omega.0.im >= y * (1.0 - 1e-9) && p.omega.1.im >= y * (1.0 - 1e-9));
    }
    // Densities (smoothing width 1e-10 of the support width): 1e-8 inside the bulk.
    let xs: Vec<f64> = (0..200).map(|k| -7.0 + 16.0 * k as f64 / 199.0).collect();
    let curve = sum.density_curve(&xs).unwrap();
    for p in &curve {
        let exact = expected.density(p.x);
        assert!(
            (p.density - exact).abs() < 2e-5 * expected.density(1.0),
            "{} {} {}",
            p.x,
            p.density,
            exact
        );
        let edge = (p.x - 1.0).abs() - expected.radius();
        if edge.abs() > 0.05 {
            assert!(
                (p.density - exact).abs() < 1e-8,
                "{} {} {}",
                p.x,
                p.density,
                exact
            );
        }
    }
    // Warm-started curve and single points agree.
    for p in curve.iter().step_by(37) {
        let q = sum.density(p.x).unwrap();
        assert!((q.density - p.density).abs() < 1e-10);
    }
}

#[test]
fn bernoulli_free_square_is_arcsine() {
    let b = Atoms::new(vec![-1.0, 1.0], vec![1.0, 1.0]).unwrap();
    let sum = FreeSum::new(b.clone(), b).unwrap();
    for &x in &[-1.9, -1.0, 0.0, 0.3, 1.5, 1.99] {
        let exact = 1.0 / (std::f64::consts::PI * (4.0f64 - x * x).sqrt());
        let p = sum.density(x).unwrap();
        assert!(
            (p.density - exact).abs() < 1e-7 * exact,
            "{x}: {} {exact}",
            p.density
        );
    }
    // Outside the support the output is the Cauchy tail eta |m'(x)| / pi of the smoothing,
    // m(z) = -1/sqrt(z^2 - 4) for the arcsine law.
    for &x in &[-2.5, 2.01, 7.0] {
        let p = sum.density(x).unwrap();
        let tail = p.eta * (x / (x * x - 4.0f64).powf(1.5)).abs() / std::f64::consts::PI;
        assert!(
            p.density <= 1.01 * tail + 1e-15,
            "{x}: {} {tail}",
            p.density
        );
    }
}

#[test]
fn point_mass_shifts_and_scales() {
    let mp = MarchenkoPastur::new(0.3).unwrap();
    let a = 2.5;
    let delta = Atoms::new(vec![a], vec![1.0]).unwrap();
    // A point mass given with a wider support enclosure takes the subordination solver (the
    // exact bounds a == a take the closed-form shortcut): both are checked.
    let delta_wide = WithSupport::new(delta.clone(), a - 1.0, a + 1.0).unwrap();
    let sum = FreeSum::new(delta_wide.clone(), mp).unwrap();
    let product = FreeProduct::new(delta_wide, mp).unwrap();
    let sum_exact = FreeSum::new(delta.clone(), mp).unwrap();
    let product_exact = FreeProduct::new(mp, delta).unwrap();
    for &(x, y) in &[
        (0.5, 0.1),
        (3.0, 1e-4),
        (4.0, 1e-9),
        (-1.0, 2.0),
        (9.0, 1e-7),
    ] {
        let z = c(x, y);
        let shifted = mp.stieltjes(z - a).unwrap();
        let s = sum.solve(z).unwrap().stieltjes;
        assert!((s - shifted).norm() <= 1e-11 * shifted.norm(), "{z}");
        let scaled = mp.stieltjes(z / a).unwrap() / a;
        let p = product.solve(z).unwrap().stieltjes;
        assert!(
            (p - scaled).norm() <= 1e-11 * scaled.norm(),
            "{z}: {p} {scaled}"
        );
        let s = sum_exact.solve(z).unwrap().stieltjes;
        assert!((s - shifted).norm() <= 1e-13 * shifted.norm(), "{z}");
        let p = product_exact.solve(z).unwrap().stieltjes;
        assert!((p - scaled).norm() <= 1e-13 * scaled.norm(), "{z}");
    }
    for &x in &[0.5, 1.0, 2.0, 3.5] {
        let d = product.density(x).unwrap().density;
        let exact = mp.density(x / a).unwrap() / a;
        assert!((d - exact).abs() < 1e-7, "{x}: {d} {exact}");
    }
}

/// Moments 1..=4 of a measure from its transform on a circle around `centre` of radius `r`
/// (m(z) = -sum_k m_k / (z - c)^{k+1} about the centre; trapezoid rule, exponentially accurate;
/// the lower half-circle by conjugate symmetry). Moments about the centre, shifted back.
fn moments_by_contour(f: &dyn Fn(Complex64) -> Complex64, centre: f64, r: f64) -> [f64; 5] {
    let n = 128;
    let mut central = [0.0; 5];
    for j in 0..n {
        let theta = (j as f64 + 0.5) * std::f64::consts::TAU / n as f64;
        let u = Complex64::from_polar(r, theta);
        let z = centre + u;
        let m = if z.im > 0.0 { f(z) } else { f(z.conj()).conj() };
        // -(1/2 pi i) oint u^k m dz = -(1/n) sum u^{k+1} m
        for (k, slot) in central.iter_mut().enumerate() {
            *slot += -(u.powi(k as i32 + 1) * m).re / n as f64;
        }
    }
    // raw moments from central ones
    let mut raw = [0.0; 5];
    for (k, slot) in raw.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, cj) in central.iter().enumerate().take(k + 1) {
            s += binom(k, j) * cj * centre.powi((k - j) as i32);
        }
        *slot = s;
    }
    raw
}

fn binom(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

fn free_cumulants(m: [f64; 5]) -> [f64; 5] {
    let k1 = m[1];
    let k2 = m[2] - k1 * k1;
    let k3 = m[3] - 3.0 * k1 * k2 - k1.powi(3);
    let k4 = m[4] - 4.0 * k1 * k3 - 2.0 * k2 * k2 - 6.0 * k1 * k1 * k2 - k1.powi(4);
    [1.0, k1, k2, k3, k4]
}

fn moments_from_free_cumulants(k: [f64; 5]) -> [f64; 5] {
    let (k1, k2, k3, k4) = (k[1], k[2], k[3], k[4]);
    [
        1.0,
        k1,
        k2 + k1 * k1,
        k3 + 3.0 * k1 * k2 + k1.powi(3),
        k4 + 4.0 * k1 * k3 + 2.0 * k2 * k2 + 6.0 * k1 * k1 * k2 + k1.powi(4),
    ]
}

#[test]
fn free_cumulants_add_under_the_free_sum() {
    let mu = Atoms::new(vec![0.0, 1.0, 3.0], vec![0.5, 0.3, 0.2]).unwrap();
    let nu = Atoms::new(vec![-1.0, 2.0], vec![0.6, 0.4]).unwrap();
    let moments = |a: &Atoms| [1.0, a.moment(1), a.moment(2), a.moment(3), a.moment(4)];
    let (kmu, knu) = (free_cumulants(moments(&mu)), free_cumulants(moments(&nu)));
    let mut k = [1.0; 5];
    for i in 1..5 {
        k[i] = kmu[i] + knu[i];
    }
    let expected = moments_from_free_cumulants(k);
    let sum = FreeSum::new(mu, nu).unwrap();
    let got = moments_by_contour(&|z| sum.stieltjes(z).unwrap(), 0.5, 12.0);
    for i in 1..5 {
        assert!(
            (got[i] - expected[i]).abs() < 1e-9 * expected[i].abs().max(1.0),
            "moment {i}: {} vs {}",
            got[i],
            expected[i]
        );
    }
}

/// Moments of H ⊠ MP(gamma) (free cumulants of MP are gamma^{n-1}; the moment–cumulant formula
/// of a free product over NC(n) and its Kreweras complement; equivalently S-transforms
/// multiplying): h1, h2 + g h1^2, h3 + 3 g h1 h2 + g^2 h1^3,
/// h4 + 4 g h1 h3 + 2 g h2^2 + 6 g^2 h1^2 h2 + g^3 h1^4.
#[test]
fn product_with_marchenko_pastur_has_the_generalised_mp_moments() {
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    for &g in &[0.5, 2.0] {
        let hm = |k| h.moment(k);
        let expected = [
            1.0,
            hm(1),
            hm(2) + g * hm(1).powi(2),
            hm(3) + 3.0 * g * hm(1) * hm(2) + g * g * hm(1).powi(3),
            hm(4)
                + 4.0 * g * hm(1) * hm(3)
                + 2.0 * g * hm(2).powi(2)
                + 6.0 * g * g * hm(1).powi(2) * hm(2)
                + g.powi(3) * hm(1).powi(4),
        ];
        let product = FreeProduct::new(h.clone(), MarchenkoPastur::new(g).unwrap()).unwrap();
        let (_, hi) = product.support_bounds();
        let got = moments_by_contour(&|z| product.stieltjes(z).unwrap(), hi / 2.0, hi);
        for i in 1..5 {
            assert!(
                (got[i] - expected[i]).abs() < 1e-9 * expected[i].abs(),
                "gamma {g}, moment {i}: {} vs {}",
                got[i],
                expected[i]
            );
        }
    }
}

#[test]
fn product_of_two_marchenko_pastur_laws_moments() {
    // MP(a) ⊠ MP(b): free cumulants of MP(a) are a^{n-1}; via the NC formula
    // m2 = 1 + a + b, m3 = (1+a)(1+b)... computed here from the general formula with
    // kappa(MP(a)) and the moments of MP(b): 1, 1+b, 1+3b+b^2.
    let (a, b) = (0.4, 0.7);
    let mb: [f64; 4] = [1.0, 1.0, 1.0 + b, 1.0 + 3.0 * b + b * b];
    let expected3 = mb[3] + 3.0 * a * mb[2] * mb[1] + a * a * mb[1].powi(3);
    let expected2 = mb[2] + a * mb[1] * mb[1];
    let product = FreeProduct::new(
        MarchenkoPastur::new(a).unwrap(),
        MarchenkoPastur::new(b).unwrap(),
    )
    .unwrap();
    let (_, hi) = product.support_bounds();
    let got = moments_by_contour(&|z| product.stieltjes(z).unwrap(), hi / 2.0, hi);
    assert!((got[1] - 1.0).abs() < 1e-10);
    assert!((got[2] - expected2).abs() < 1e-9 * expected2);
    assert!((got[3] - expected3).abs() < 1e-9 * expected3);
}

#[test]
fn marchenko_pastur_is_the_identity_product_with_delta_one() {
    let h = Atoms::new(vec![1.0], vec![1.0]).unwrap();
    for &g in &[0.5, 0.1, 3.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        let product = FreeProduct::new(h.clone(), mp).unwrap();
        let (a, b) = mp.edges();
        let xs: Vec<f64> = (1..100).map(|k| a + (b - a) * k as f64 / 100.0).collect();
        for p in product.density_curve(&xs).unwrap() {
            let exact = mp.density(p.x).unwrap();
            assert!(
                (p.density - exact).abs() < 1e-7 * exact.max(0.1),
                "{g} {}",
                p.x
            );
        }
    }
}

#[test]
fn two_atom_population_times_marchenko_pastur() {
    // The note's value from eigenvalue histograms: rho(0.5) ~ 0.538 for s = (1, 10),
    // w = (0.7, 0.3), gamma = 0.5 (histogram accuracy; the independent check is the
    // generalised-MP moment test above and the Haar Monte Carlo in tests/sim_free.rs).
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    let product = FreeProduct::new(h, MarchenkoPastur::new(0.5).unwrap()).unwrap();
    let p = product.density(0.5).unwrap();
    assert!((p.density - 0.538).abs() < 0.01, "{}", p.density);
    // Silverstein's equation m = sum_j w_j / (s_j (1 - g - g z m) - z) holds for the product.
    for &(x, y) in &[(0.5, 1e-8), (3.0, 1e-3), (12.0, 0.1), (25.0, 1e-6)] {
        let z = c(x, y);
        let m = product.stieltjes(z).unwrap();
        let g = 0.5;
        let rhs =
            0.7 / (1.0 * (1.0 - g - g * z * m) - z) + 0.3 / (10.0 * (1.0 - g - g * z * m) - z);
        assert!((m - rhs).norm() < 1e-10 * m.norm(), "{z}: {m} {rhs}");
    }
}

#[test]
fn outputs_are_herglotz() {
    let mu = Atoms::new(vec![0.1, 1.0, 5.0], vec![0.2, 0.5, 0.3]).unwrap();
    let nu = MarchenkoPastur::new(1.7).unwrap();
    let sum = FreeSum::new(mu.clone(), nu).unwrap();
    let product = FreeProduct::new(mu, nu).unwrap();
    for i in 0..40 {
        for j in 0..8 {
            let z = c(-5.0 + 0.5 * i as f64, 10f64.powi(-j));
            assert!(sum.stieltjes(z).unwrap().im > 0.0, "{z}");
            assert!(product.stieltjes(z).unwrap().im > 0.0, "{z}");
        }
    }
    for &z in &[c(1e6, 1e6), c(-3e7, 1e5), c(0.0, 1e8)] {
        assert!((sum.stieltjes(z).unwrap() * z + 1.0).norm() < 1e-5, "{z}");
        assert!(
            (product.stieltjes(z).unwrap() * z + 1.0).norm() < 1e-5,
            "{z}"
        );
    }
}

#[test]
fn typed_errors() {
    let mu = Atoms::new(vec![1.0], vec![1.0]).unwrap();
    let neg = Atoms::new(vec![-1.0, 1.0], vec![1.0, 1.0]).unwrap();
    let zero = Atoms::new(vec![0.0], vec![1.0]).unwrap();
    assert!(matches!(
        FreeProduct::new(neg, mu.clone()),
        Err(Error::InvalidParameter { name: "mu", .. })
    ));
    assert!(matches!(
        FreeProduct::new(mu.clone(), zero),
        Err(Error::InvalidParameter { name: "nu", .. })
    ));
    let sum = FreeSum::new(mu.clone(), mu.clone()).unwrap();
    assert!(matches!(
        sum.solve(c(1.0, 0.0)),
        Err(Error::InvalidParameter { name: "z", .. })
    ));
    assert!(matches!(
        sum.solve(c(f64::NAN, 1.0)),
        Err(Error::InvalidParameter { name: "z", .. })
    ));
    assert!(matches!(
        sum.density(f64::INFINITY),
        Err(Error::InvalidParameter { name: "x", .. })
    ));
    assert!(WithSupport::new(mu.clone(), 1.0, 0.0).is_err());
    assert!(FreeOptions::default().with_tolerance(0.0).is_err());
    assert!(FreeOptions::default().with_density_eta(f64::NAN).is_err());
    assert!(FreeOptions::default().with_max_iterations(0).is_err());
    // A budget too small to converge is a typed NotConverged error.
    let tight = FreeOptions::default().with_max_iterations(1).unwrap();
    let s = FreeSum::new(
        Semicircle {
            v: 1.0,
            centre: 0.0,
        },
        Semicircle {
            v: 1.0,
            centre: 0.0,
        },
    )
    .unwrap()
    .with_options(tight);
    assert!(matches!(s.density(0.3), Err(Error::NotConverged { .. })));
}

/// Every point of a grid over (and around) the support of sums and products of hostile inputs
/// (atoms, gaps, scales 1e-6..1e6, hard edges at 0, 200-atom power laws) either converges
/// (finite, Herglotz) or returns a typed `NotConverged`; the rate is printed and must be at least
/// 99.995% (measured 99.998%: 2 of 100000; the failures are mid-gap points between
/// clusters whose widths differ from their spacing by 1e6 or more, where the subordination
/// functions have a pole on the real axis and rounding is amplified).
#[test]
fn robustness_grid_converges_everywhere() {
    use overparam::spectral::DensityPoint;
    let mut total = 0usize;
    let mut failures = Vec::new();
    let scales = [1e-6, 1e-3, 1.0, 1e3, 1e6];
    let shapes: Vec<(Vec<f64>, Vec<f64>)> = vec![
        (vec![1.0], vec![1.0]),
        (vec![1.0, 10.0], vec![0.7, 0.3]),
        (vec![0.0, 1.0, 3.0], vec![0.5, 0.3, 0.2]),
        (vec![0.1, 0.2, 5.0, 5.5], vec![0.25, 0.25, 0.25, 0.25]),
        (
            (1..=200).map(|k| (k as f64).powf(-1.5)).collect(),
            vec![1.0; 200],
        ),
    ];
    type Points<'a> = &'a dyn Fn(&[f64]) -> Vec<overparam::Result<DensityPoint>>;
    type Single<'a> = &'a dyn Fn(f64) -> overparam::Result<DensityPoint>;
    let mut check = |label: String, lo: f64, hi: f64, f: Points, g: Single| {
        let w = (hi - lo).max(1e-12 * hi.abs().max(1e-300));
        let mut xs: Vec<f64> = (0..=120)
            .map(|k| lo - 0.1 * w + 1.2 * w * k as f64 / 120.0)
            .collect();
        xs.extend([lo, hi, lo + 1e-9 * w, hi - 1e-9 * w]);
        let singles: Vec<_> = xs.iter().map(|&x| g(x)).collect();
        for (x, result) in xs.iter().zip(f(&xs).into_iter().chain(singles)) {
            total += 1;
            match result {
                Ok(p) => assert!(
                    p.density.is_finite() && p.density >= 0.0 && p.stieltjes.im >= 0.0,
                    "{label} {x}"
                ),
                Err(Error::NotConverged { .. }) => failures.push(format!("{label} x = {x:e}")),
                Err(e) => panic!("{label} x = {x:e}: untyped failure {e}"),
            }
        }
    };
    for (i, (s1, w1)) in shapes.iter().enumerate() {
        for (j, (s2, w2)) in shapes.iter().enumerate() {
            for &a in &scales {
                for &b in &[1e-6, 1.0, 1e6] {
                    let mu = Atoms::new(s1.iter().map(|s| a * s).collect(), w1.clone()).unwrap();
                    let nu = Atoms::new(s2.iter().map(|s| b * s).collect(), w2.clone()).unwrap();
                    let sum = FreeSum::new(mu.clone(), nu.clone()).unwrap();
                    let (lo, hi) = sum.support_bounds();
                    check(
                        format!("sum {i} {j} {a:e} {b:e}"),
                        lo,
                        hi,
                        &|xs| sum.density_points(xs),
                        &|x| sum.density(x),
                    );
                    let product = FreeProduct::new(mu, nu).unwrap();
                    let (lo, hi) = product.support_bounds();
                    check(
                        format!("product {i} {j} {a:e} {b:e}"),
                        lo,
                        hi,
                        &|xs| product.density_points(xs),
                        &|x| product.density(x),
                    );
                }
            }
        }
        for &g in &[1e-3, 0.5, 1.0, 4.0, 1e3] {
            let mu = Atoms::new(s1.clone(), w1.clone()).unwrap();
            let mp = MarchenkoPastur::new(g).unwrap();
            let product = FreeProduct::new(mu.clone(), mp).unwrap();
            let (lo, hi) = product.support_bounds();
            check(
                format!("product {i} MP({g})"),
                lo,
                hi,
                &|xs| product.density_points(xs),
                &|x| product.density(x),
            );
            let sum = FreeSum::new(mu, mp).unwrap();
            let (lo, hi) = sum.support_bounds();
            check(
                format!("sum {i} MP({g})"),
                lo,
                hi,
                &|xs| sum.density_points(xs),
                &|x| sum.density(x),
            );
        }
    }
    let rate = 1.0 - failures.len() as f64 / total as f64;
    println!(
        "robustness grid: {} of {total} evaluations converged ({:.4}%)",
        total - failures.len(),
        100.0 * rate
    );
    for f in &failures {
        println!("not converged: {f}");
    }
    assert!(rate >= 0.99995, "{} failures", failures.len());
}
