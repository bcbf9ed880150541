//! Tests of the spectral measures (`spectral::measure`) and the generalised Marchenko–Pastur law
//! (`spectral::sample_covariance`) against independent references: closed forms, a second
//! algorithm (damped fixed-point iteration on the p x p form of Silverstein's equation), quadrature
//! with `gauss_quad`, brute-force scans, and Monte Carlo eigenvalue histograms.

use std::f64::consts::PI;
use std::num::NonZeroUsize;

use gauss_quad::GaussLegendre;
use num_complex::Complex64;
use overparam::Error;
use overparam::sim::sample_covariance::sample_covariance_eigenvalues;
use overparam::spectral::herglotz::{FixedPointContinuationOptions, herglotz_fixed_point};
use overparam::spectral::{
    Atoms, MarchenkoPastur, Measure, SampleCovariance, StieltjesTransform, density_by_inversion,
};

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// The mass of the continuous part on [lo, hi], by the substitution x = mid - half cos t on each
/// support interval (removes the square-root edges) and the midpoint rule in t with 8000 nodes
/// (the density can dip sharply where a gap almost opens, e.g. near x = 0.579 for
/// s = (0.5, 1, 2, 8), gamma = 0.2, where Gauss–Legendre panels are off by 1e-6).
fn mass_between(law: &SampleCovariance, lo: f64, hi: f64) -> f64 {
    moment_between(law, lo, hi, 0)
}

/// The integral of x^k against the continuous part on [lo, hi] (as [`mass_between`]).
fn moment_between(law: &SampleCovariance, lo: f64, hi: f64, k: i32) -> f64 {
    let n = 8000;
    let mut total = 0.0;
    for (a, b) in law.support().unwrap() {
        let (l, h) = (lo.max(a), hi.min(b));
        if h <= l {
            continue;
        }
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let t = |x: f64| ((mid - x) / half).clamp(-1.0, 1.0).acos();
        let (t0, t1) = (t(l), t(h));
        let dt = (t1 - t0) / n as f64;
        let ts: Vec<f64> = (0..n).map(|k| t0 + dt * (k as f64 + 0.5)).collect();
        let xs: Vec<f64> = ts.iter().map(|th| mid - half * th.cos()).collect();
        for ((th, x), d) in ts.iter().zip(&xs).zip(law.density_curve(&xs)) {
            if *x > 0.0 {
                total += x.powi(k) * d.unwrap().density() * half * th.sin() * dt;
            }
        }
    }
    total
}

/// The p x p form of Silverstein's equation as in general_spectra.md §2,
/// m = sum_j w_j / (s_j (1 - gamma - gamma z m) - z), solved by the crate's damped fixed-point
/// continuation (another equation form and another algorithm than SampleCovariance).
fn fixed_point_m(s: &[f64], w: &[f64], gamma: f64, z: Complex64) -> Complex64 {
    let r = herglotz_fixed_point(
        |z, m| {
            let t = 1.0 - gamma - gamma * z * m[0];
            vec![s.iter().zip(w).map(|(s, w)| *w / (*s * t - z)).sum()]
        },
        |z| vec![-1.0 / z],
        |_, m| m[0].im > 0.0,
        z,
        FixedPointContinuationOptions {
            damping: 0.3,
            ..FixedPointContinuationOptions::default()
        },
    )
    .unwrap();
    r.root[0]
}

#[test]
fn delta_one_reproduces_marchenko_pastur_to_1e_12() {
    for gamma in [1e-3, 0.1, 0.5, 0.9, 1.0, 1.5, 4.0, 1e3] {
        let law = SampleCovariance::new(&Atoms::uniform(vec![1.0]).unwrap(), gamma).unwrap();
        let mp = MarchenkoPastur::new(gamma).unwrap();
        let (a, b) = mp.edges();
        let s = law.support().unwrap();
        assert_eq!(s.len(), 1, "gamma {gamma}: {s:?}");
        assert!((s[0].0 - a).abs() < 1e-12 * b && (s[0].1 - b).abs() < 1e-12 * b);
        assert!((law.atom_at_zero() - mp.atom_mass()).abs() < 1e-15);
        for k in 1..40 {
            let x = a + (b - a) * (k as f64 - 0.5) / 39.0;
            let d = law.density(x).unwrap();
            let e = mp.density(x).unwrap();
            assert!(
                (d.density() - e).abs() < 1e-12 * (1.0 + e),
                "gamma {gamma} x {x}: {} vs {e}",
                d.density()
            );
            assert!(d.residual < 1e-13);
        }
        // Outside the support: zero density, real transforms equal to the closed form.
        for x in [-1.0, 0.5 * a, b * 1.5] {
            if x == 0.0 {
                continue;
            }
            let d = law.density(x).unwrap();
            assert_eq!(d.density(), 0.0);
            let e = mp.stieltjes(c(x, 0.0)).unwrap();
            assert!((d.stieltjes - e).norm() < 1e-12 * e.norm(), "{x}");
        }
        // (at the edge the problem's condition number is about (Im z / b)^(-1/2): 1e-6 b keeps it at 1e3)
        for z in [c(0.7, 0.3), c(-2.0, 1e-3), c(b, 1e-6 * b), c(30.0, 5.0)] {
            let r = law.solve(z).unwrap();
            let m = mp.stieltjes(z).unwrap();
            let mc = mp.companion_stieltjes(z).unwrap();
            assert!(
                (r.stieltjes - m).norm() < 1e-12 * m.norm(),
                "gamma {gamma} z {z}"
            );
            assert!(
                (r.companion - mc).norm() < 1e-12 * mc.norm(),
                "gamma {gamma} z {z}"
            );
        }
    }
}

#[test]
fn two_atom_example_of_the_note_against_a_second_route() {
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    let law = SampleCovariance::new(&h, 0.5).unwrap();
    let d = law.density(0.5).unwrap();
    // The fixed-point route at eta = 1e-8 (bias O(eta)); NumPy (benches/reference/silverstein.py
    // point) gives 0.537982254638 at eta = 1e-8.
    let m = fixed_point_m(&[1.0, 10.0], &[0.7, 0.3], 0.5, c(0.5, 1e-8));
    assert!(
        (d.density() - m.im / PI).abs() < 1e-6,
        "{} vs {}",
        d.density(),
        m.im / PI
    );
    assert!((d.density() - 0.537982254638).abs() < 1e-6);
    assert!((d.density() - 0.538).abs() < 1e-3);
    assert!(d.residual < 1e-13);
    // Complex points: both routes.
    for z in [c(0.5, 0.1), c(3.0, 0.01), c(12.0, 1.0), c(-1.0, 0.5)] {
        let a = law.solve(z).unwrap().stieltjes;
        let b = fixed_point_m(&[1.0, 10.0], &[0.7, 0.3], 0.5, z);
        assert!((a - b).norm() < 1e-10 * b.norm(), "{z}: {a} vs {b}");
    }
}

#[test]
fn density_integrates_to_one_with_the_atoms() {
    let cases: Vec<(Vec<f64>, Vec<f64>, f64)> = vec![
        (vec![1.0, 10.0], vec![0.7, 0.3], 0.5),
        (vec![1.0, 10.0], vec![0.7, 0.3], 0.05), // two support intervals
        (vec![1.0, 10.0], vec![0.7, 0.3], 3.0),  // atom 1 - 1/gamma
        (vec![0.0, 1.0, 4.0], vec![0.5, 0.3, 0.2], 1.5), // atom w0 = 0.5 > 1 - 1/gamma
        (vec![0.0, 1.0, 4.0], vec![0.2, 0.3, 0.5], 4.0), // atom 1 - 1/gamma = 0.75 > w0
        (vec![0.5, 1.0, 2.0, 8.0], vec![0.25; 4], 0.2),
    ];
    // A zero atom w0 of H: on x > 0 the law is (1 - w0) times the law of H restricted to its
    // positive part at gamma (1 - w0).
    let with_zero = SampleCovariance::new(
        &Atoms::new(vec![0.0, 1.0, 4.0], vec![0.5, 0.3, 0.2]).unwrap(),
        1.5,
    )
    .unwrap();
    let without =
        SampleCovariance::new(&Atoms::new(vec![1.0, 4.0], vec![0.6, 0.4]).unwrap(), 0.75).unwrap();
    assert_eq!(with_zero.support().unwrap(), without.support().unwrap());
    for x in [0.03, 0.5, 1.0, 3.0, 8.0] {
        let a = with_zero.density(x).unwrap().density();
        let b = 0.5 * without.density(x).unwrap().density();
        assert!((a - b).abs() < 1e-13 * b, "{x}: {a} vs {b}");
    }
    for (s, w, gamma) in cases {
        let h = Atoms::new(s.clone(), w.clone()).unwrap();
        let law = SampleCovariance::new(&h, gamma).unwrap();
        let support = law.support().unwrap();
        let mass = mass_between(&law, 0.0, f64::INFINITY);
        let atom = law.atom_at_zero();
        assert!(
            (mass + atom - 1.0).abs() < 1e-8,
            "{s:?} {w:?} gamma {gamma}: continuous {mass} + atom {atom}, support {support:?}"
        );
        // The mean of the law is the mean of H (E tr S/p = tr Sigma/p).
        let mean = moment_between(&law, 0.0, f64::INFINITY, 1);
        assert!(
            (mean - h.moment(1)).abs() < 1e-7 * h.moment(1),
            "{mean} vs {}",
            h.moment(1)
        );
    }
}

#[test]
fn atom_at_zero_is_max_not_sum() {
    // rank S = min(n, p(1 - w0)): the atom is max(w0, 1 - 1/gamma), also seen in Im m.
    let h = Atoms::new(vec![0.0, 1.0], vec![0.3, 0.7]).unwrap();
    for (gamma, atom) in [(0.5, 0.3), (2.0, 0.5), (10.0, 0.9)] {
        let law = SampleCovariance::new(&h, gamma).unwrap();
        assert!((law.atom_at_zero() - atom).abs() < 1e-15);
        // w = lim -i eta m(i eta)
        let eta = 1e-9;
        let m = law.solve(c(0.0, eta)).unwrap().stieltjes;
        let seen = (-c(0.0, eta) * m).re;
        assert!(
            (seen - atom).abs() < 1e-6,
            "gamma {gamma}: {seen} vs {atom}"
        );
        // companion atom max(0, 1 - gamma (1 - w0))
        let mc = law.solve(c(0.0, eta)).unwrap().companion;
        let seen_c = (-c(0.0, eta) * mc).re;
        assert!((seen_c - law.companion_atom_at_zero()).abs() < 1e-6);
    }
}

#[test]
fn edges_against_a_brute_force_scan_of_the_density() {
    let cases: Vec<(Vec<f64>, Vec<f64>, f64)> = vec![
        (vec![1.0, 10.0], vec![0.7, 0.3], 0.5),
        (vec![1.0, 10.0], vec![0.7, 0.3], 0.05),
        (vec![1.0, 3.0, 10.0], vec![0.3, 0.3, 0.4], 0.02),
        (vec![0.0, 1.0, 4.0], vec![0.2, 0.3, 0.5], 4.0),
    ];
    for (s, w, gamma) in cases {
        let h = Atoms::new(s, w).unwrap();
        let law = SampleCovariance::new(&h, gamma).unwrap();
        let support = law.support().unwrap();
        let top = support.last().unwrap().1;
        // scan: positive density exactly on the intervals
        let xs: Vec<f64> = (1..4000).map(|k| top * 1.1 * k as f64 / 4000.0).collect();
        let curve = law.density_curve(&xs);
        let mut found = Vec::new();
        let mut inside = false;
        for (x, d) in xs.iter().zip(&curve) {
            let positive = d.as_ref().unwrap().density() > 0.0;
            if positive != inside {
                found.push(*x);
                inside = positive;
            }
        }
        let edges: Vec<f64> = support.iter().flat_map(|(a, b)| [*a, *b]).collect();
        assert_eq!(found.len(), edges.len(), "{found:?} vs {edges:?}");
        let step = top * 1.1 / 4000.0;
        for (f, e) in found.iter().zip(&edges) {
            assert!((f - e).abs() <= step, "{found:?} vs {edges:?}");
        }
        // and sharply: positive just inside each edge, zero just outside
        for (a, b) in &support {
            let d = 1e-7 * top;
            if *a > 0.0 {
                assert_eq!(law.density(a - d).unwrap().density(), 0.0);
            }
            assert!(law.density(a + d).unwrap().density() > 0.0);
            assert!(law.density(b - d).unwrap().density() > 0.0);
            assert_eq!(law.density(b + d).unwrap().density(), 0.0);
        }
    }
}

#[test]
fn warm_started_curve_equals_pointwise_solves() {
    let h = Atoms::power_law(1.0, 300).unwrap();
    let law = SampleCovariance::new(&h, 0.3).unwrap();
    let xs: Vec<f64> = (1..=400).map(|k| 2.0 * k as f64 / 400.0).collect();
    for (x, d) in xs.iter().zip(law.density_curve(&xs)) {
        let d = d.unwrap();
        let p = law.density(*x).unwrap();
        assert!(
            (d.stieltjes - p.stieltjes).norm() < 1e-10 * p.stieltjes.norm(),
            "{x}: {} vs {}",
            d.stieltjes,
            p.stieltjes
        );
    }
}

#[test]
fn sample_covariance_law_is_herglotz() {
    let h = Atoms::new(vec![0.5, 2.0, 9.0], vec![0.2, 0.5, 0.3]).unwrap();
    for gamma in [0.01, 0.7, 5.0] {
        let law = SampleCovariance::new(&h, gamma).unwrap();
        for z in [
            c(0.1, 1e-6),
            c(1.0, 0.5),
            c(-3.0, 2.0),
            c(20.0, 1e-3),
            c(1e7, 1e7),
        ] {
            let m = law.stieltjes(z).unwrap();
            assert!(m.im > 0.0, "{z}: {m}");
            let mbar = law.stieltjes(z.conj()).unwrap();
            assert_eq!(mbar, m.conj());
        }
        let z = c(3e8, 4e8);
        assert!((law.stieltjes(z).unwrap() * z + 1.0).norm() < 1e-7);
    }
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let h = Atoms::new(vec![1.0], vec![1.0]).unwrap();
    assert!(matches!(
        SampleCovariance::new(&h, 0.0),
        Err(Error::InvalidParameter { name: "gamma", .. })
    ));
    assert!(matches!(
        SampleCovariance::new(&Atoms::new(vec![-1.0, 1.0], vec![1.0, 1.0]).unwrap(), 0.5),
        Err(Error::InvalidParameter {
            name: "eigenvalues",
            ..
        })
    ));
    assert!(matches!(
        SampleCovariance::new(&Atoms::new(vec![0.0], vec![1.0]).unwrap(), 0.5),
        Err(Error::InvalidParameter {
            name: "eigenvalues",
            ..
        })
    ));
    let law = SampleCovariance::new(&h, 0.5).unwrap();
    assert!(matches!(
        law.density(0.0),
        Err(Error::InvalidParameter { name: "x", .. })
    ));
    assert!(matches!(
        law.density(f64::NAN),
        Err(Error::InvalidParameter { name: "x", .. })
    ));
    assert!(matches!(
        law.solve(c(1.0, -1.0)),
        Err(Error::InvalidParameter { name: "z", .. })
    ));
}

/// Robustness grid (issue 15 §5): condition numbers to 1e12, power-law exponents 0.1–5, gamma in
/// [1e-3, 1e3]. Every point must converge (the rate is printed; target 100 %), with the support
/// found and the density consistent with it: positive at 5 points inside each interval, zero
/// 1 % beyond each interval's upper edge (unless another interval covers that point).
#[test]
fn robustness_grid_converges_everywhere() {
    let mut populations: Vec<(String, Atoms)> = Vec::new();
    for kappa in [1e0f64, 1e3, 1e6, 1e9, 1e12] {
        let s: Vec<f64> = (0..20).map(|k| kappa.powf(-(k as f64) / 19.0)).collect();
        populations.push((
            format!("geometric cond {kappa:e}"),
            Atoms::uniform(s).unwrap(),
        ));
        populations.push((
            format!("two atoms cond {kappa:e}"),
            Atoms::new(vec![1.0, 1.0 / kappa], vec![0.5, 0.5]).unwrap(),
        ));
    }
    for alpha in [0.1, 0.5, 1.0, 2.0, 5.0] {
        populations.push((
            format!("powerlaw {alpha}"),
            Atoms::power_law(alpha, 200).unwrap(),
        ));
    }
    let gammas = [1e-3, 1e-2, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0, 1e3];
    let (mut total, mut ok) = (0usize, 0usize);
    let mut failures = Vec::new();
    for (name, h) in &populations {
        for &gamma in &gammas {
            let law = SampleCovariance::new(h, gamma).unwrap();
            let support = match law.support() {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{name} gamma {gamma}: support {e}"));
                    total += 1;
                    continue;
                }
            };
            // (x, inside the support?)
            let mut xs = Vec::new();
            for (a, b) in &support {
                for t in [0.01, 0.3, 0.5, 0.9, 0.999] {
                    xs.push((a + t * (b - a), true));
                }
                let beyond = b * 1.01;
                let covered = support
                    .iter()
                    .any(|(a2, b2)| *a2 <= beyond && beyond <= *b2);
                xs.push((beyond, covered));
            }
            xs.retain(|x| x.0 > 0.0);
            for (x, inside) in xs {
                total += 1;
                match law.density(x) {
                    // consistent with the support: positive inside, zero outside
                    Ok(d)
                        if d.density().is_finite()
                            && d.residual < 1e-10
                            && (d.density() > 0.0) == inside =>
                    {
                        ok += 1
                    }
                    Ok(d) => failures.push(format!(
                        "{name} gamma {gamma} x {x} (inside: {inside}): density {} residual {}",
                        d.density(),
                        d.residual
                    )),
                    Err(e) => failures.push(format!("{name} gamma {gamma} x {x}: {e}")),
                }
            }
        }
    }
    println!("robustness grid: {ok}/{total} points converged");
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

/// Monte Carlo: binned eigenvalues of X^T X / n (diagonal Sigma, p = 1000, n = 2000) against the
/// integrated density. Counts of eigenvalues in a bin fluctuate less than multinomial counts
/// (eigenvalues repel), so the multinomial SE is conservative; the finite-size bias is measured
/// at p = 250 and p = 1000 and must shrink.
#[test]
fn monte_carlo_histogram_matches_the_density() {
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
    let gamma = 0.5;
    let law = SampleCovariance::new(&h, gamma).unwrap();
    let support = law.support().unwrap();
    let (lo, hi) = (support[0].0, support.last().unwrap().1);
    let bins = 30;
    let width = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|k| lo + width * k as f64).collect();
    let probs: Vec<f64> = edges
        .windows(2)
        .map(|e| mass_between(&law, e[0], e[1]))
        .collect();
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-8);
    let mut distances = Vec::new();
    for p in [250usize, 1000] {
        let n = (p as f64 / gamma) as usize;
        let draws = 2;
        let mut counts = vec![0.0; bins + 2];
        for trial in 0..draws {
            for v in sample_covariance_eigenvalues(&h, p, n, 17, trial).unwrap() {
                let k = ((v - lo) / width).floor();
                let idx = if k < 0.0 {
                    0
                } else if k >= bins as f64 {
                    bins + 1
                } else {
                    k as usize + 1
                };
                counts[idx] += 1.0;
            }
        }
        let total = (p * draws as usize) as f64;
        let mut worst: f64 = 0.0;
        let mut tv = (counts[0] + counts[bins + 1]) / total;
        for (k, prob) in probs.iter().enumerate() {
            let expected = prob * total;
            let se = (total * prob * (1.0 - prob)).sqrt().max(1.0);
            worst = worst.max((counts[k + 1] - expected).abs() / se);
            tv += (counts[k + 1] - expected).abs() / total;
        }
        println!("p = {p}: max |O - E| / SE_multinomial = {worst:.2}, L1 distance = {tv:.4}");
        // 4 multinomial SEs per bin (conservative for repelling eigenvalues), with the
        // finite-size allowance of one edge-bin's displacement: eigenvalues outside the limit
        // support are O(p^(-2/3)) away.
        assert!(
            worst < 4.0 + 40.0 * (p as f64).powf(-1.0 / 3.0),
            "p = {p}: {worst}"
        );
        distances.push(tv);
    }
    assert!(distances[1] < distances[0], "{distances:?}");
    assert!(distances[1] < 0.03, "{distances:?}");
}

// ---------- measures ----------

#[test]
fn every_measure_kind_is_herglotz() {
    let dir = std::env::temp_dir().join(format!("overparam_spectra_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("atoms.csv");
    std::fs::write(&file, "eigenvalue,weight\n1,0.7\n10,0.3\n").unwrap();
    let specs = [
        "semicircle:2".to_string(),
        "mp:0.5".into(),
        "mp:3".into(),
        "uniform:-1:2".into(),
        "powerlaw:1.5:50".into(),
        format!("atoms:{}", file.display()),
        "mix:0.3@semicircle:1,0.7@uniform:2:3".into(),
    ];
    let mut measures: Vec<Measure> = specs.iter().map(|s| Measure::parse(s).unwrap()).collect();
    measures.push(Measure::from_density(0.0, 2.0, |x| x * (2.0 - x)).unwrap());
    for (k, m) in measures.iter().enumerate() {
        for z in [c(0.3, 1e-3), c(1.5, 0.5), c(-4.0, 2.0), c(20.0, 1e-2)] {
            let v = m.stieltjes(z).unwrap();
            assert!(v.im > 0.0, "measure {k} at {z}: {v}");
            assert_eq!(m.stieltjes(z.conj()).unwrap(), v.conj(), "measure {k}");
        }
        for z in [c(3e8, 4e8), c(-1e6, 1.0)] {
            let v = m.stieltjes(z).unwrap();
            assert!(
                (v * z + 1.0).norm() < 1e-5,
                "measure {k}: {}",
                (v * z + 1.0).norm()
            );
        }
        assert!((m.cdf(1e9).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(m.cdf(-1e9).unwrap(), 0.0);
        assert!((m.moment(0).unwrap() - 1.0).abs() < 1e-12);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn closed_forms_against_quadrature_and_inversion() {
    let rule = GaussLegendre::new(NonZeroUsize::new(200).unwrap());
    // semicircle: transform vs quadrature of the density (theta substitution), cdf, moments
    let r = 1.7;
    let sc = Measure::semicircle(r).unwrap();
    for z in [c(0.4, 0.3), c(2.5, 0.1), c(-1.0, 1.0)] {
        let q_re = rule.integrate(0.0, PI, |t| {
            let s = -r * t.cos();
            let f = 2.0 / (PI * r * r) * (r * t.sin()) * r * t.sin();
            (f / (s - z)).re
        });
        let q_im = rule.integrate(0.0, PI, |t| {
            let s = -r * t.cos();
            let f = 2.0 / (PI * r * r) * (r * t.sin()) * r * t.sin();
            (f / (s - z)).im
        });
        let m = sc.stieltjes(z).unwrap();
        assert!((m - c(q_re, q_im)).norm() < 1e-10, "{z}: {m}");
    }
    assert!((sc.moment(4).unwrap() - 2.0 * (r / 2.0).powi(4)).abs() < 1e-14);
    assert!(
        (sc.cdf(0.5).unwrap() - rule.integrate(-r, 0.5, |x| sc.density(x).unwrap())).abs() < 1e-5
    );
    // inversion: O(eta) in the interior
    for eta in [1e-3, 1e-5] {
        let d = density_by_inversion(&sc, 0.3, eta).unwrap();
        assert!(
            (d - sc.density(0.3).unwrap()).abs() < 2.0 * eta,
            "{eta}: {d}"
        );
    }
    // Marchenko–Pastur: cdf at the edges, moments vs the closed-form density quadrature
    for gamma in [0.3, 1.0, 2.5] {
        let mp = Measure::marchenko_pastur(gamma).unwrap();
        let law = MarchenkoPastur::new(gamma).unwrap();
        let (a, b) = law.edges();
        assert!((mp.cdf(b).unwrap() - 1.0).abs() < 1e-13);
        let x = 0.5 * (a + b);
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let body = rule.integrate(0.0, PI / 2.0, |t| {
            let s = mid - half * t.cos();
            law.density(s).unwrap_or(0.0) * half * t.sin()
        });
        assert!((mp.cdf(x).unwrap() - law.atom_mass() - body).abs() < 1e-10);
        for k in 1..5u32 {
            let q = rule.integrate(0.0, PI, |t| {
                let s = mid - half * t.cos();
                s.powi(k as i32) * law.density(s).unwrap_or(0.0) * half * t.sin()
            });
            assert!(
                (mp.moment(k).unwrap() - q).abs() < 1e-9 * q,
                "gamma {gamma} k {k}"
            );
        }
    }
    // uniform: closed-form log vs quadrature, cdf
    let u = Measure::uniform(-1.0, 2.0).unwrap();
    for &(x, eta) in &[(0.5f64, 1e-9f64), (0.5, 0.01), (2.5, 1e-3)] {
        // Im m = (atan((b - x)/eta) + atan((x - a)/eta)) / (b - a), exactly
        let exact = (((2.0 - x) / eta).atan() + ((x + 1.0) / eta).atan()) / 3.0;
        let m = u.stieltjes(c(x, eta)).unwrap();
        assert!(
            (m.im - exact).abs() < 1e-14,
            "{x} {eta}: {} vs {exact}",
            m.im
        );
        let re = ((x + 1.0).hypot(eta) / (2.0 - x).hypot(eta)).ln() / 3.0;
        assert!((m.re + re).abs() < 1e-14, "{x} {eta}: {} vs {}", m.re, -re);
    }
    for z in [c(0.5, 0.3), c(5.0, 0.2), c(1e6, 3.0)] {
        let q_re = rule.integrate(-1.0, 2.0, |s| (1.0 / (3.0 * (s - z))).re);
        let q_im = rule.integrate(-1.0, 2.0, |s| (1.0 / (3.0 * (s - z))).im);
        let m = u.stieltjes(z).unwrap();
        assert!(
            (m - c(q_re, q_im)).norm() < 1e-6 * m.norm(),
            "{z}: {m} vs {q_re} {q_im}"
        );
    }
    assert!((u.stieltjes(c(1e8, 0.0)).unwrap() * 1e8 + 1.0).norm() < 1e-7);
    assert!((u.cdf(0.5).unwrap() - 0.5).abs() < 1e-15);
}

#[test]
fn user_density_quadrature_accuracy() {
    // The semicircle given as a closure vs its closed form: the worst case (square-root edges).
    let r = 2.0;
    let closure = Measure::from_density(-r, r, move |x| (r * r - x * x).max(0.0).sqrt()).unwrap();
    let exact = Measure::semicircle(r).unwrap();
    let mut worst: f64 = 0.0;
    for z in [
        c(0.3, 1e-8),
        c(0.3, 1e-3),
        c(1.9, 1e-4),
        c(-1.2, 0.1),
        c(3.0, 0.0),
        c(0.0, 5.0),
    ] {
        let a = closure.stieltjes(z).unwrap();
        let b = exact.stieltjes(z).unwrap();
        worst = worst.max((a - b).norm() / b.norm());
    }
    println!("user-density transform, semicircle closure: worst relative error {worst:.2e}");
    assert!(worst < 1e-6, "{worst}");
    assert!((closure.density(0.5).unwrap() - exact.density(0.5).unwrap()).abs() < 1e-5);
    assert!((closure.cdf(0.5).unwrap() - exact.cdf(0.5).unwrap()).abs() < 1e-5);
    assert!((closure.moment(2).unwrap() - 1.0).abs() < 1e-5);
    // A smooth density: rounding-level accuracy away from the support.
    let smooth = Measure::from_density(0.0, 1.0, |x| 6.0 * x * (1.0 - x)).unwrap();
    // exact: int_0^1 6 s (1 - s)/(s - z) ds = -6 (1/2 + z + z^2 L) + 6 (1 + z L),
    // L = log(1 - z) - log(-z)
    for z in [c(0.4, 0.05), c(0.4, 1e-6), c(1.5, 0.5), c(-0.3, 0.0)] {
        let l = (1.0 - z).ln() - (-z).ln();
        let exact = -6.0 * (0.5 + z + z * z * l) + 6.0 * (1.0 + z * l);
        let m = smooth.stieltjes(z).unwrap();
        println!(
            "smooth user density at {z}: relative error {:.2e}",
            (m - exact).norm() / exact.norm()
        );
        assert!(
            (m - exact).norm() < 1e-10 * exact.norm(),
            "{z}: {m} vs {exact}"
        );
    }
}

#[test]
fn law_specs_parse_and_fail_with_typed_errors() {
    let m = Measure::parse("mix:1@mp:0.5,1@semicircle:1").unwrap();
    assert!((m.moment(1).unwrap() - 0.5).abs() < 1e-14);
    let p = Measure::parse("powerlaw:1:4").unwrap().as_atoms().unwrap();
    assert_eq!(p.len(), 4);
    assert!(Measure::parse("semicircle:1").unwrap().as_atoms().is_none());
    for bad in [
        "semicircle:",
        "semicircle:x",
        "uniform:1",
        "powerlaw:1:-3",
        "mix:0.5",
        "mix:1@mix:1@mp:1",
    ] {
        match Measure::parse(bad) {
            Err(Error::InvalidData { origin, .. }) => assert!(origin.contains(bad), "{origin}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert!(matches!(
        Measure::parse("semicircle:-1"),
        Err(Error::InvalidParameter { name: "radius", .. })
    ));
    assert!(matches!(
        Measure::parse("uniform:2:1"),
        Err(Error::InvalidParameter { name: "b", .. })
    ));
    match Measure::parse("/nonexistent/pop.csv") {
        Err(Error::InvalidData {
            origin,
            line: 0,
            problem,
        }) => {
            assert!(origin.contains("pop.csv") && problem.contains("cannot read"));
        }
        other => panic!("{other:?}"),
    }
    match Atoms::from_csv("eigenvalue,weight\n1,0.5\n2,x\n", "f.csv") {
        Err(Error::InvalidData {
            line: 3, problem, ..
        }) => assert!(problem.contains("weight `x`")),
        other => panic!("{other:?}"),
    }
    let a = Atoms::from_csv("eigenvalue,weight,signal\n1,1,0\n2,3,1\n", "f.csv").unwrap();
    assert_eq!(a.weights(), &[0.25, 0.75]);
}

/// The nalgebra feature: populations from nalgebra matrices, simulated matrices as nalgebra.
#[cfg(feature = "nalgebra")]
mod nalgebra_interop {
    use overparam::Error;
    use overparam::sim::sample_covariance::{
        sample_covariance_eigenvalues, sample_covariance_nalgebra,
    };
    use overparam::spectral::{Atoms, Population};

    #[test]
    fn populations_from_nalgebra() {
        // A rotated diag(1, 1, 4): the eigenvalues come back.
        let d = nalgebra::DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![1.0, 1.0, 4.0]));
        let (c, s) = (0.6f64, 0.8f64);
        let q = nalgebra::DMatrix::from_row_slice(3, 3, &[c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0]);
        let sigma = &q * d * q.transpose();
        let p = Population::from_nalgebra_covariance(&sigma).unwrap();
        let mut e = p.eigenvalues().to_vec();
        e.sort_by(f64::total_cmp);
        for (a, b) in e.iter().zip([1.0, 1.0, 4.0]) {
            assert!((a - b).abs() < 1e-14);
        }
        assert!((p.weights()[0] - 1.0 / 3.0).abs() < 1e-16);
        let v = nalgebra::DVector::from_vec(vec![2.0, 3.0]);
        assert_eq!(
            Atoms::from_nalgebra_eigenvalues(&v).unwrap().eigenvalues(),
            &[2.0, 3.0]
        );
        assert_eq!(
            Population::from_nalgebra_eigenvalues(&v)
                .unwrap()
                .eigenvalues(),
            &[2.0, 3.0]
        );
        // errors
        let rect = nalgebra::DMatrix::<f64>::zeros(2, 3);
        assert!(matches!(
            Population::from_nalgebra_covariance(&rect),
            Err(Error::DimensionMismatch { .. })
        ));
        let asym = nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.0, 1.0]);
        assert!(matches!(
            Population::from_nalgebra_covariance(&asym),
            Err(Error::InvalidParameter {
                name: "covariance",
                ..
            })
        ));
        let neg = nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        assert!(matches!(
            Population::from_nalgebra_covariance(&neg),
            Err(Error::InvalidParameter {
                name: "eigenvalues",
                ..
            })
        ));
    }

    #[test]
    fn simulated_matrix_as_nalgebra() {
        let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap();
        let m = sample_covariance_nalgebra(&h, 30, 60, 5, 0).unwrap();
        assert_eq!(m.shape(), (30, 30));
        let mut ours = nalgebra::SymmetricEigen::new(m)
            .eigenvalues
            .iter()
            .copied()
            .collect::<Vec<_>>();
        ours.sort_by(f64::total_cmp);
        let faer = sample_covariance_eigenvalues(&h, 30, 60, 5, 0).unwrap();
        for (a, b) in ours.iter().zip(&faer) {
            assert!((a - b).abs() < 1e-10 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}

/// The documented range of gamma (`GAMMA_MAX`): every point of the scan converges from
/// gamma = 1e-15 to 1e4 (power laws and two-atom populations up to condition number 1e12, 60
/// points from 1e-12 to 1.8 times the top of the support each); above 1e4 `new` refuses gamma.
#[test]
fn every_point_converges_over_the_documented_gamma_range() {
    use overparam::spectral::sample_covariance::GAMMA_MAX;
    let mut populations: Vec<Atoms> = Vec::new();
    for alpha in [0.1, 1.0, 5.0] {
        for p in [10usize, 1000] {
            populations.push(Atoms::power_law(alpha, p).unwrap());
        }
    }
    for cond in [1e3, 1e12] {
        populations.push(Atoms::new(vec![1.0, cond], vec![0.5, 0.5]).unwrap());
    }
    let mut total = 0;
    for g in [1e-15, 1e-6, 1e-3, 1.0, 1e3, GAMMA_MAX] {
        for h in &populations {
            let law = SampleCovariance::new(h, g).unwrap();
            let top = g.max(1.0) * 4.0 * h.support().1 + 10.0;
            for k in 0..30 {
                let x = top * 10f64.powf(-12.0 + 12.25 * k as f64 / 29.0);
                let d = law.density(x);
                assert!(d.is_ok(), "gamma {g:e}, x {x:e}, {h:?}: {d:?}");
                total += 1;
            }
        }
    }
    assert_eq!(total, 6 * 8 * 30);
    let h = Atoms::power_law(1.0, 10).unwrap();
    assert!(matches!(
        SampleCovariance::new(&h, 2.0 * GAMMA_MAX),
        Err(overparam::Error::InvalidParameter { name: "gamma", .. })
    ));
}
