//! Tests of `overparam::spectral`: the Marchenko–Pastur law and Herglotz root selection.

use std::f64::consts::PI;
use std::num::NonZeroUsize;

use gauss_quad::GaussLegendre;
use num_complex::Complex64;
use overparam::Error;
use overparam::spectral::herglotz::{HerglotzOptions, herglotz_root, polynomial_roots};
use overparam::spectral::marchenko_pastur::MarchenkoPastur;

const GAMMAS: [f64; 6] = [0.1, 0.5, 0.9, 1.0, 2.0, 5.0];

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// Integral of `f` against the continuous MP density, by the substitution
/// s = (a+b)/2 - (b-a)/2 cos t and Gauss–Legendre in t (independent of the closed forms).
fn mp_integral<F: Fn(f64) -> Complex64>(gamma: f64, nodes: usize, f: F) -> Complex64 {
    let (a, b) = ((1.0 - gamma.sqrt()).powi(2), (1.0 + gamma.sqrt()).powi(2));
    let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
    let rule = GaussLegendre::new(NonZeroUsize::new(nodes).unwrap());
    let re = rule.integrate(0.0, PI, |t| {
        let s = mid - half * t.cos();
        (f(s) * half * half * t.sin().powi(2) / (2.0 * PI * gamma * s)).re
    });
    let im = rule.integrate(0.0, PI, |t| {
        let s = mid - half * t.cos();
        (f(s) * half * half * t.sin().powi(2) / (2.0 * PI * gamma * s)).im
    });
    c(re, im)
}

fn mp_quadratic(gamma: f64, z: Complex64, m: Complex64) -> f64 {
    (gamma * z * m * m + (z - 1.0 + gamma) * m + 1.0).norm()
}

#[test]
fn density_normalisation_mean_second_moment() {
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        let atom = mp.atom_mass();
        assert_eq!(atom, (1.0 - 1.0 / g).max(0.0));
        let mass = mp_integral(g, 400, |_| c(1.0, 0.0)).re;
        let mean = mp_integral(g, 400, |s| c(s, 0.0)).re;
        let second = mp_integral(g, 400, |s| c(s * s, 0.0)).re;
        assert!((mass - (1.0 - atom)).abs() < 1e-6, "g={g} mass={mass}");
        assert!((mean - 1.0).abs() < 1e-12, "g={g} mean={mean}");
        assert!((second - (1.0 + g)).abs() < 1e-12, "g={g} second={second}");
        // The density() method agrees with the formula used by the quadrature.
        let (a, b) = mp.edges();
        let x = 0.3 * a + 0.7 * b;
        let want = ((b - x) * (x - a)).sqrt() / (2.0 * PI * g * x);
        assert!((mp.density(x).unwrap() - want).abs() < 1e-15 * want.max(1.0));
        assert_eq!(mp.density(b + 0.1).unwrap(), 0.0);
        assert_eq!(mp.density(-1.0).unwrap(), 0.0);
    }
    // mass of the density at gamma = 1: the x^{-1/2} edge makes sin^2/s integrable but not
    // smooth; the normalisation above used 1e-6 for that reason. Away from gamma = 1 it is exact:
    let mass = mp_integral(0.5, 200, |_| c(1.0, 0.0)).re;
    assert!((mass - 1.0).abs() < 1e-13);
}

#[test]
fn edges_and_density_by_direct_quadrature() {
    let mp = MarchenkoPastur::new(0.25).unwrap();
    assert_eq!(mp.edges(), (0.25, 2.25));
    // Plain (no substitution) Gauss–Legendre of density() over [a, b]: converges slowly at the
    // sqrt edges, so a loose tolerance; it checks density() itself rather than the formula.
    let rule = GaussLegendre::new(NonZeroUsize::new(2000).unwrap());
    let mass = rule.integrate(0.25, 2.25, |x| mp.density(x).unwrap());
    assert!((mass - 1.0).abs() < 1e-5, "mass {mass}");
}

#[test]
fn herglotz_property_on_grid() {
    let mut worst: f64 = 0.0;
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        for i in 0..41 {
            for j in 0..30 {
                let z = c(-3.0 + 0.25 * i as f64, 10f64.powf(-6.0 + 0.25 * j as f64));
                let m = mp.stieltjes(z).unwrap();
                assert!(m.im > 0.0, "g={g} z={z} m={m}");
                let res = mp_quadratic(g, z, m) / (1.0 + g * (z * m * m).norm() + (z * m).norm());
                worst = worst.max(res);
            }
        }
    }
    assert!(worst < 1e-13, "worst relative quadratic residual {worst}");
}

#[test]
fn asymptotics_at_infinity() {
    // z m + 1 = -(1/z) int s dmu + O(|z|^-2), with mean 1: z (z m + 1) -> -1.
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        for theta in [0.1, 0.7, 1.5, 2.5, 3.0] {
            let mut prev = f64::INFINITY;
            for r in [1e2, 1e3, 1e4] {
                let z = Complex64::from_polar(r, theta);
                let m = mp.stieltjes(z).unwrap();
                let first = (z * m + 1.0).norm();
                assert!(first < 2.0 / r, "g={g} r={r} |zm+1|={first}");
                // Second-order term: z^2 m + z + 1 = -(1 + gamma)/z + ..., so error ~ 1/r.
                let second = (z * (z * m + 1.0) + 1.0).norm();
                assert!(second < 10.0 * (1.0 + g) / r, "g={g} r={r} second={second}");
                assert!(second < prev);
                prev = second;
            }
        }
    }
}

#[test]
fn schwarz_reflection_and_real_axis() {
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        for z in [c(0.3, 0.2), c(-1.0, 1e-3), c(5.0, 2.0), c(1.0, 1e-9)] {
            assert_eq!(
                mp.stieltjes(z.conj()).unwrap(),
                mp.stieltjes(z).unwrap().conj()
            );
        }
        let (a, b) = mp.edges();
        // Off the support (and away from the atom), m is real and equals the quadrature
        // int density/(s - x) + atom/(0 - x).
        for x in [
            -2.0,
            -0.1,
            b + 0.05,
            b + 3.0,
            if a > 0.05 { 0.5 * a } else { -0.5 },
        ] {
            let m = mp.stieltjes(c(x, 0.0)).unwrap();
            assert_eq!(m.im, 0.0, "g={g} x={x}");
            let quad = mp_integral(g, 400, |s| c(1.0 / (s - x), 0.0)).re - mp.atom_mass() / x;
            assert!(
                (m.re - quad).abs() < 1e-9 * quad.abs().max(1.0),
                "g={g} x={x} {m} {quad}"
            );
            // Limit from above and from below agree off the support.
            let up = mp.stieltjes(c(x, 1e-12)).unwrap();
            assert!((up - m).norm() < 1e-9 * m.norm().max(1.0));
        }
    }
}

#[test]
fn stieltjes_equals_quadrature_off_support() {
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        for z in [c(1.0, 0.5), c(-0.5, 0.3), c(3.0, 1.0), c(0.2, 2.0)] {
            let quad = mp_integral(g, 800, |s| 1.0 / (c(s, 0.0) - z)) - mp.atom_mass() / z;
            let m = mp.stieltjes(z).unwrap();
            assert!(
                (m - quad).norm() < 1e-9 * m.norm(),
                "g={g} z={z} {m} {quad}"
            );
        }
    }
}

#[test]
fn stieltjes_inversion_recovers_density() {
    for g in [0.25, 0.5, 2.0, 4.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        let (a, b) = mp.edges();
        for k in 1..10 {
            let x = a + (b - a) * k as f64 / 10.0;
            let rho = mp.density(x).unwrap();
            // Boundary value on the real axis from above.
            let m0 = mp.stieltjes(c(x, 0.0)).unwrap();
            assert!(
                (m0.im / PI - rho).abs() < 1e-12 * rho.max(1.0),
                "g={g} x={x}"
            );
            // Limit eta -> 0: error O(eta).
            for eta in [1e-4, 1e-6] {
                let m = mp.stieltjes(c(x, eta)).unwrap();
                assert!(
                    (m.im / PI - rho).abs() < 200.0 * eta,
                    "g={g} x={x} eta={eta}"
                );
            }
        }
    }
}

#[test]
fn zero_and_invalid_inputs() {
    let mp = MarchenkoPastur::new(0.25).unwrap();
    let m0 = mp.stieltjes(c(0.0, 0.0)).unwrap();
    assert!((m0.re - 1.0 / 0.75).abs() < 1e-15 && m0.im == 0.0);
    // Continuity at 0 from the negative axis (removable 0/0 in the naive formula).
    let near = mp.stieltjes_negative_real(1e-12).unwrap();
    assert!((near.m - 1.0 / 0.75).abs() < 1e-11);
    assert!(
        (near.dm - 1.0 / 0.75f64.powi(3)).abs() < 1e-9,
        "{}",
        near.dm
    );
    for g in [1.0, 2.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        assert!(matches!(
            mp.stieltjes(c(0.0, 0.0)),
            Err(Error::InvalidParameter { .. })
        ));
    }
    for g in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            MarchenkoPastur::new(g),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        mp.stieltjes(c(f64::NAN, 1.0)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        mp.stieltjes_negative_real(0.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        mp.stieltjes_negative_real(-1.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        mp.density(f64::NAN),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn negative_real_axis_oracles() {
    // docs/ridge.md#derivation-notes-reference-values (30-digit values): (gamma, lambda, m(-lambda), m'(-lambda)).
    let table = [
        (0.5, 0.1, 1.483314773548, 3.452248382485),
        (0.5, 1.0, 0.5615528128088, 0.3488746876272),
        (1.0, 0.2, 1.791287847478, 5.4554472559),
        (1.0, 0.001, 31.12672920174, 15809.41224781),
        (2.0, 0.1, 5.422144385112, 50.61358820277),
        (2.0, 0.5, 1.280776406404, 2.212678125182),
        (4.0, 1.0, 0.8090169943749, 0.7663118960625),
    ];
    for (g, l, m_ref, dm_ref) in table {
        let mp = MarchenkoPastur::new(g).unwrap();
        let s = mp.stieltjes_negative_real(l).unwrap();
        // The table gives 13 significant digits (11 for one m' entry).
        assert!(
            ((s.m - m_ref) / m_ref).abs() < 1e-12,
            "g={g} l={l} m={}",
            s.m
        );
        assert!(
            ((s.dm - dm_ref) / dm_ref).abs() < 1e-10,
            "g={g} l={l} dm={}",
            s.dm
        );
        // Same value from the complex closed form, and the derivative by central differences.
        let mc = mp.stieltjes(c(-l, 0.0)).unwrap();
        assert!((mc.re - s.m).abs() < 1e-14 * s.m && mc.im == 0.0);
        let h = 1e-5 * l;
        let fd = (mp.stieltjes(c(-l + h, 0.0)).unwrap().re
            - mp.stieltjes(c(-l - h, 0.0)).unwrap().re)
            / (2.0 * h);
        assert!(((fd - s.dm) / s.dm).abs() < 1e-7, "fd {fd} vs {}", s.dm);
    }
}

#[test]
fn companion_transform() {
    for g in [0.3, 1.0, 3.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        for z in [c(0.5, 0.4), c(-2.0, 0.0), c(6.0, 0.1)] {
            let want = g * mp.stieltjes(z).unwrap() - (1.0 - g) / z;
            let got = mp.companion_stieltjes(z).unwrap();
            assert!((got - want).norm() < 1e-13 * want.norm(), "g={g} z={z}");
        }
        let l = 0.7;
        let s = mp.stieltjes_negative_real(l).unwrap();
        let t = mp.companion_negative_real(l).unwrap();
        assert!((t.m - (g * s.m + (1.0 - g) / l)).abs() < 1e-13);
        assert!((t.dm - (g * s.dm + (1.0 - g) / (l * l))).abs() < 1e-13);
    }
    // Companion at gamma > 1 is finite at 0: m~(0) = 1/(gamma - 1).
    let t = MarchenkoPastur::new(3.0)
        .unwrap()
        .companion_negative_real(1e-14)
        .unwrap();
    assert!((t.m - 0.5).abs() < 1e-13);
}

#[test]
fn aberth_roots_of_known_polynomials() {
    // prod (x - r_k) with clustered, complex and large-range roots.
    let cases: Vec<Vec<Complex64>> = vec![
        vec![
            c(1.0, 0.0),
            c(2.0, 0.0),
            c(3.0, 0.0),
            c(4.0, 0.0),
            c(5.0, 0.0),
            c(6.0, 0.0),
        ],
        vec![c(1.0, 0.0), c(1.001, 0.0), c(-2.0, 1.0), c(-2.0, -1.0)],
        vec![c(1e-3, 0.0), c(1e3, 0.0), c(0.0, 5.0)],
        vec![c(0.5, 0.5)],
    ];
    for roots in cases {
        let mut coeffs = vec![c(1.0, 0.0)];
        for r in &roots {
            let mut next = vec![c(0.0, 0.0); coeffs.len() + 1];
            for (k, ck) in coeffs.iter().enumerate() {
                next[k + 1] += ck;
                next[k] -= ck * r;
            }
            coeffs = next;
        }
        // Padding with a zero leading coefficient must drop the degree.
        coeffs.push(c(0.0, 0.0));
        let out = polynomial_roots(&coeffs).unwrap();
        assert_eq!(out.roots.len(), roots.len());
        assert!(out.residual < 1e-13, "residual {}", out.residual);
        for r in &roots {
            let d = out
                .roots
                .iter()
                .map(|x| (x - r).norm())
                .fold(f64::INFINITY, f64::min);
            // Clustered pair 1, 1.001: conditioning ~ eps / 1e-3.
            assert!(d < 1e-9 * r.norm().max(1.0), "root {r} missed by {d}");
        }
    }
    assert!(matches!(
        polynomial_roots(&[c(0.0, 0.0)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        polynomial_roots(&[]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        polynomial_roots(&[c(f64::NAN, 0.0), c(1.0, 0.0)]),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn herglotz_routine_reproduces_mp_closed_form() {
    let mut max_steps = 0;
    for g in GAMMAS {
        let mp = MarchenkoPastur::new(g).unwrap();
        let (a, b) = mp.edges();
        let zs = [
            c(1.0, 0.5),
            c(-2.0, 0.1),
            c(0.5 * (a + b), 1e-6),
            c(0.5 * (a + b), 0.0),
            c(a + 0.3 * (b - a), -0.2),
            c(b + 1.0, 0.0),
            c(-1.0, 0.0),
            c(10.0, 3.0),
            c(b - 1e-3, 1e-10),
        ];
        for z in zs {
            let r = herglotz_root(
                |z| vec![c(1.0, 0.0), z - 1.0 + g, g * z],
                |z| -1.0 / z,
                // Real targets: roots of a real quadratic may carry a rounding-level Im < 0.
                |_, m| m.im >= -1e-12 * m.norm(),
                z,
                HerglotzOptions::default(),
            )
            .unwrap();
            let want = mp.stieltjes(z).unwrap();
            assert!(
                (r.root - want).norm() < 1e-10 * want.norm(),
                "g={g} z={z} {} {want}",
                r.root
            );
            assert!(r.residual < 1e-13);
            max_steps = max_steps.max(r.steps);
        }
    }
    eprintln!("MP continuation: max steps {max_steps}");
    assert!(max_steps < 2000, "steps {max_steps}");
}

#[test]
fn herglotz_admissibility_failure_is_typed() {
    // An admissibility predicate that no root satisfies.
    let r = herglotz_root(
        |z| vec![c(1.0, 0.0), z - 0.5, 0.5 * z],
        |z| -1.0 / z,
        |_, m| m.im < 0.0,
        c(1.0, 0.5),
        HerglotzOptions::default(),
    );
    assert!(matches!(
        r,
        Err(Error::NotConverged {
            method: "herglotz admissibility",
            ..
        })
    ));
}

/// Coefficients (ascending in chi) of f1 f2 - xi^2 chi (1 - c chi)^2.
fn rf_quartic(psi1: f64, psi2: f64, cz: f64, xi: Complex64) -> Vec<Complex64> {
    let f = |psi: f64| [psi, 1.0 + cz - cz * psi, -cz];
    let (f1, f2) = (f(psi1), f(psi2));
    let mut out = vec![c(0.0, 0.0); 5];
    for i in 0..3 {
        for j in 0..3 {
            out[i + j] += f1[i] * f2[j];
        }
    }
    let x2 = xi * xi;
    out[1] -= x2;
    out[2] += 2.0 * cz * x2;
    out[3] -= cz * cz * x2;
    out
}

/// Damped Picard iteration of MM Definition 1 at complex xi (written here as the reference).
fn mm_fixed_point(psi1: f64, psi2: f64, cz: f64, xi: Complex64) -> (Complex64, Complex64) {
    let mut n1 = -psi1 / xi;
    let mut n2 = -psi2 / xi;
    for _ in 0..200_000 {
        let d = 1.0 - cz * n1 * n2;
        let new1 = psi1 / (-xi - n2 - cz * n2 / d);
        let new2 = psi2 / (-xi - n1 - cz * n1 / d);
        let change = (new1 - n1).norm() + (new2 - n2).norm();
        n1 = 0.5 * n1 + 0.5 * new1;
        n2 = 0.5 * n2 + 0.5 * new2;
        if change < 1e-15 {
            return (n1, n2);
        }
    }
    panic!("reference fixed point did not converge at psi=({psi1},{psi2}) c={cz} xi={xi}");
}

#[test]
fn herglotz_routine_picks_physical_rf_quartic_root() {
    let cases = [
        (2.0, 3.0, 0.5, c(0.3, 0.8)),
        (0.5, 4.0, 1.0, c(-1.0, 0.5)),
        (3.0, 1.5, 2.0, c(2.0, 1.0)),
        (1.0, 1.0, 0.2, c(0.0, 0.3)),
        (10.0, 0.3, 0.05, c(0.7, 0.6)),
    ];
    for (p1, p2, cz, xi) in cases {
        let r = herglotz_root(
            |xi| rf_quartic(p1, p2, cz, xi),
            |xi| p1 * p2 / (xi * xi),
            |xi, chi| {
                let den = (1.0 - cz * chi) * xi;
                let f = |psi: f64| -cz * chi * chi + (1.0 + cz - cz * psi) * chi + psi;
                (-f(p1) / den).im > 0.0 && (-f(p2) / den).im > 0.0
            },
            xi,
            HerglotzOptions::default(),
        )
        .unwrap();
        let (n1, n2) = mm_fixed_point(p1, p2, cz, xi);
        let chi_ref = n1 * n2;
        assert!(
            (r.root - chi_ref).norm() < 1e-10 * chi_ref.norm(),
            "psi=({p1},{p2}) c={cz} xi={xi}: {} vs {chi_ref}",
            r.root
        );
        assert!(r.residual < 1e-13);
        // The reconstructed nu_i match the fixed point too.
        let den = (1.0 - cz * r.root) * xi;
        let f1 = -cz * r.root * r.root + (1.0 + cz - cz * p1) * r.root + p1;
        assert!((-f1 / den - n1).norm() < 1e-9 * n1.norm());
        // Exactly one of the four roots is admissible here (docs/random_features.md#derivation-notes-fixed-point, complex xi).
        let roots = polynomial_roots(&rf_quartic(p1, p2, cz, xi)).unwrap().roots;
        let admissible = roots
            .iter()
            .filter(|&&chi| {
                let den = (1.0 - cz * chi) * xi;
                let f = |psi: f64| -cz * chi * chi + (1.0 + cz - cz * psi) * chi + psi;
                (-f(p1) / den).im > 0.0 && (-f(p2) / den).im > 0.0
            })
            .count();
        assert_eq!(admissible, 1);
        // Reflection: the root at conj(xi) is the conjugate.
        let rr = herglotz_root(
            |xi| rf_quartic(p1, p2, cz, xi),
            |xi| p1 * p2 / (xi * xi),
            |_, _| true,
            xi.conj(),
            HerglotzOptions::default(),
        )
        .unwrap();
        assert!((rr.root - r.root.conj()).norm() < 1e-12 * r.root.norm());
    }
}

#[test]
fn continuation_agrees_with_herglotz_filter_on_random_draws() {
    // docs/random_features.md#derivation-notes-fixed-point (complex xi): for Im xi > 0 exactly one quartic root gives Im nu_1, Im nu_2 > 0.
    // Continuation (nearest-root tracking) and that filter are different selection rules.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut unif = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut max_steps, mut ambiguous, mut compared) = (0, 0, 0);
    for _ in 0..300 {
        let p1 = 0.03 * 1000f64.powf(unif());
        let p2 = 0.03 * 1000f64.powf(unif());
        let cz = 0.01 * 1e4f64.powf(unif());
        let xi = c(-5.0 + 10.0 * unif(), 1e-3 * 1e4f64.powf(unif()));
        let nu_im = |chi: Complex64, xi: Complex64| {
            let den = (1.0 - cz * chi) * xi;
            let f = |psi: f64| -cz * chi * chi + (1.0 + cz - cz * psi) * chi + psi;
            ((-f(p1) / den).im, (-f(p2) / den).im)
        };
        let roots = polynomial_roots(&rf_quartic(p1, p2, cz, xi)).unwrap().roots;
        let passing: Vec<Complex64> = roots
            .iter()
            .copied()
            .filter(|&chi| {
                let (a, b) = nu_im(chi, xi);
                a > 0.0 && b > 0.0
            })
            .collect();
        let r = herglotz_root(
            |xi| rf_quartic(p1, p2, cz, xi),
            |xi| p1 * p2 / (xi * xi),
            |_, _| true,
            xi,
            HerglotzOptions::default(),
        )
        .unwrap();
        max_steps = max_steps.max(r.steps);
        ambiguous += r.ambiguous_steps;
        if passing.len() == 1 {
            compared += 1;
            assert!(
                (r.root - passing[0]).norm() < 1e-8 * passing[0].norm(),
                "psi=({p1},{p2}) c={cz} xi={xi}: {} vs {}",
                r.root,
                passing[0]
            );
        }
    }
    eprintln!("compared {compared}/300, max steps {max_steps}, ambiguous steps {ambiguous}");
    assert!(compared >= 290);
}

#[test]
fn aberth_multiple_roots() {
    // (x - 1)^2 (x + 2) = x^3 - 3x + 2: a double root is accurate to ~sqrt(eps).
    let out = polynomial_roots(&[c(2.0, 0.0), c(-3.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)]).unwrap();
    let near_one = out
        .roots
        .iter()
        .filter(|r| (*r - 1.0).norm() < 1e-7)
        .count();
    let near_m2 = out
        .roots
        .iter()
        .filter(|r| (*r + 2.0).norm() < 1e-12)
        .count();
    assert_eq!((near_one, near_m2), (2, 1), "{:?}", out.roots);
    // x^3: triple root at 0.
    let out = polynomial_roots(&[c(0.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)]).unwrap();
    assert!(
        out.roots.iter().all(|r| r.norm() < 1e-100),
        "{:?}",
        out.roots
    );
    // x^6 + 1: roots of -1 (symmetric configuration).
    let mut coeffs = vec![c(0.0, 0.0); 7];
    coeffs[0] = c(1.0, 0.0);
    coeffs[6] = c(1.0, 0.0);
    let out = polynomial_roots(&coeffs).unwrap();
    for r in out.roots {
        assert!((r.powi(6) + 1.0).norm() < 1e-13 && (r.norm() - 1.0).abs() < 1e-14);
    }
}

#[test]
fn fixed_point_continuation_matches_closed_form_and_quartic() {
    use overparam::spectral::herglotz::{FixedPointContinuationOptions, herglotz_fixed_point};
    // Marchenko–Pastur through the Silverstein equation for the companion transform,
    // m~ = -1/(z - gamma/(1 + m~)), a map of C+ into itself (hence a contraction there),
    // against the closed form. (The naive map m = 1/(1 - gamma - z - gamma z m) is NOT a
    // self-map of C+ and its physical fixed point can be repelling: damped iteration then lands
    // on the other root, which the admissibility check catches — tested below.)
    for g in [0.3, 1.0, 3.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        for z in [c(1.0, 0.3), c(-1.0, 0.05), c(2.0, -0.4), c(0.5, 0.02)] {
            let r = herglotz_fixed_point(
                |z, m| vec![-1.0 / (z - g / (1.0 + m[0]))],
                |z| vec![-1.0 / z],
                |_, m| m[0].im > 0.0,
                z,
                FixedPointContinuationOptions::default(),
            )
            .unwrap();
            let want = mp.companion_stieltjes(z).unwrap();
            assert!(
                (r.root[0] - want).norm() < 1e-10 * want.norm(),
                "g={g} z={z}"
            );
            assert!(r.residual < 1e-12);
        }
    }
    // gamma = 3, z = 0.5 + 0.02i (in the gap between the atom and the bulk): the naive map
    // converges to the non-physical root (Im < 0); the admissibility check must reject it.
    let naive = herglotz_fixed_point(
        |z, m| vec![1.0 / (1.0 - 3.0 - z - 3.0 * z * m[0])],
        |z| vec![-1.0 / z],
        |_, m| m[0].im > 0.0,
        c(0.5, 0.02),
        FixedPointContinuationOptions::default(),
    );
    match naive {
        Err(Error::NotConverged {
            method,
            last_iterate,
            ..
        }) => {
            assert_eq!(method, "herglotz admissibility");
            assert!(last_iterate[1] < 0.0);
        }
        other => panic!("expected an admissibility failure, got {other:?}"),
    }
    // MM Definition 1 (nu_1, nu_2) close to the real axis, against the quartic root.
    for (p1, p2, cz, xi) in [
        (2.0, 3.0, 0.5, c(0.3, 0.05)),
        (0.5, 4.0, 1.0, c(-1.5, 0.02)),
    ] {
        let r = herglotz_fixed_point(
            |xi, nu| {
                let d = 1.0 - cz * nu[0] * nu[1];
                vec![
                    p1 / (-xi - nu[1] - cz * nu[1] / d),
                    p2 / (-xi - nu[0] - cz * nu[0] / d),
                ]
            },
            |xi| vec![-p1 / xi, -p2 / xi],
            |_, nu| nu[0].im > 0.0 && nu[1].im > 0.0,
            xi,
            FixedPointContinuationOptions::default(),
        )
        .unwrap();
        let q = herglotz_root(
            |xi| rf_quartic(p1, p2, cz, xi),
            |xi| p1 * p2 / (xi * xi),
            |_, _| true,
            xi,
            HerglotzOptions::default(),
        )
        .unwrap();
        let chi = r.root[0] * r.root[1];
        assert!(
            (chi - q.root).norm() < 1e-9 * q.root.norm(),
            "{chi} vs {}",
            q.root
        );
        eprintln!(
            "fixed-point continuation: {} steps, {} iterations",
            r.steps, r.iterations
        );
    }
    assert!(matches!(
        herglotz_fixed_point(
            |_, m| m.to_vec(),
            |z| vec![-1.0 / z],
            |_, _| true,
            c(1.0, 0.0),
            FixedPointContinuationOptions::default()
        ),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn resolvent_moments_match_quadrature_and_stieltjes() {
    // Independent references: T_k by Gauss–Legendre against the continuous density (the atom at
    // 0 contributes nothing to mu/(mu+lambda)^k), S = 1 - gamma T_1, and the identities
    // T_1 = 1 - lambda m, T_3 = m - lambda m' against stieltjes_negative_real.
    for g in [0.1, 0.5, 2.0, 5.0] {
        let mp = MarchenkoPastur::new(g).unwrap();
        for lambda in [0.0, 1e-3, 0.1, 1.0, 10.0] {
            let r = mp.resolvent_moments(lambda).unwrap();
            let t1 = mp_integral(g, 400, |s| c(s / (s + lambda), 0.0)).re;
            let t2 = mp_integral(g, 400, |s| c(s * s / ((s + lambda) * (s + lambda)), 0.0)).re;
            let t3 = mp_integral(g, 400, |s| c(s / ((s + lambda) * (s + lambda)), 0.0)).re;
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            assert!(close(r.t1, t1), "g={g} l={lambda} t1 {} vs {t1}", r.t1);
            assert!(close(r.t2, t2), "g={g} l={lambda} t2 {} vs {t2}", r.t2);
            assert!(close(r.t3, t3), "g={g} l={lambda} t3 {} vs {t3}", r.t3);
            assert!(close(r.s, 1.0 - g * t1), "g={g} l={lambda} s");
            assert!(close(r.one_minus_s, g * t1), "g={g} l={lambda} 1-s");
            assert!((r.s + r.one_minus_s - 1.0).abs() < 1e-15);
            assert!(close(r.s_prime, g * t3));
            if lambda == 0.0 {
                assert!(close(r.s, (1.0 - g).max(0.0)), "g={g}: S(0) = (1-g)_+");
            } else {
                let st = mp.stieltjes_negative_real(lambda).unwrap();
                assert!(
                    close(r.s, 1.0 / (1.0 + g * st.m)),
                    "g={g} l={lambda} S = 1/(1+g m)"
                );
                // S = lambda m~(-lambda), the companion transform.
                let comp = mp.companion_negative_real(lambda).unwrap();
                assert!(
                    close(r.s, lambda * comp.m),
                    "g={g} l={lambda} S = lambda m~"
                );
                let h = 1e-6 * lambda;
                let fd = (mp.resolvent_moments(lambda + h).unwrap().s
                    - mp.resolvent_moments(lambda - h).unwrap().s)
                    / (2.0 * h);
                assert!(
                    (r.s_prime - fd).abs() < 1e-7 * r.s_prime.max(1.0),
                    "g={g} l={lambda}"
                );
            }
        }
    }
    // gamma = 1, lambda = 0: T_3 = E[1/mu] is infinite; a negative lambda is invalid.
    let one = MarchenkoPastur::new(1.0).unwrap();
    assert!(matches!(
        one.resolvent_moments(0.0),
        Err(Error::InvalidParameter { name: "lambda", .. })
    ));
    assert!(one.resolvent_moments(1e-9).is_ok());
    assert!(matches!(
        one.resolvent_moments(-1.0),
        Err(Error::InvalidParameter { name: "lambda", .. })
    ));
}

#[test]
#[allow(deprecated)] // the old name is what is tested
fn herglotz_options_old_name_still_works() {
    let old: overparam::spectral::ContinuationOptions = HerglotzOptions::default();
    let z = c(1.2, 0.1);
    let g = 0.5;
    let r = herglotz_root(
        |z| vec![c(1.0, 0.0), z - 1.0 + g, g * z],
        |z| -1.0 / z,
        |_, m| m.im > 0.0,
        z,
        old,
    )
    .unwrap();
    let mp = MarchenkoPastur::new(g).unwrap().stieltjes(z).unwrap();
    assert!((r.root - mp).norm() < 1e-13);
}

/// Issue 13: `MarchenkoPastur::new(1.)?.density(0.)` was `Ok(inf)`; the point is singular (the
/// density behaves like 1/(pi sqrt x)): a typed error naming `x`, finite values next to it.
#[test]
fn mp_density_at_its_singular_point_is_a_typed_error() {
    let mp = MarchenkoPastur::new(1.0).unwrap();
    assert!(matches!(
        mp.density(0.0),
        Err(Error::InvalidParameter { name: "x", .. })
    ));
    for x in [1e-300, 1e-100, 1e-12] {
        let rho = mp.density(x).unwrap();
        // rho(x) = sqrt((4 - x) x) / (2 pi x) ~ 1 / (pi sqrt x).
        let want = 1.0 / (PI * x.sqrt());
        assert!(
            rho.is_finite() && (rho / want - 1.0).abs() < 1e-6,
            "{x}: {rho} vs {want}"
        );
    }
    // Elsewhere 0 stays a valid point: outside the support for gamma != 1.
    assert_eq!(
        MarchenkoPastur::new(0.5).unwrap().density(0.0).unwrap(),
        0.0
    );
}

/// Issue 13: coefficients near 1e155 gave `Ok` with infinite/NaN roots (and residual 0, the
/// NaN being dropped by the max). The scaled retry finds them; the roots are checked against the
/// polynomial and, for a product form, against the known roots.
#[test]
fn polynomial_roots_with_huge_and_tiny_coefficients() {
    let fuzzed = [
        c(2.2250738585072014e-153, 0.0),
        c(4.393698369354768e157, 0.0),
        c(2.5996975619155738e157, 0.0),
        c(2.775807584672834e152, 0.0),
        c(7.70583614765101e152, 0.061663189212377116),
    ];
    // Either finite roots with a small backward error or a typed error (this one has a root
    // near -5e-311, a subnormal), never a non-finite value inside Ok.
    if let Ok(r) = polynomial_roots(&fuzzed) {
        assert!(
            r.roots.iter().all(|z| z.re.is_finite() && z.im.is_finite()),
            "{r:?}"
        );
        assert!(r.residual.is_finite() && r.residual <= 1e-8, "{r:?}");
    }
    // (x - 1e200)(x - 2e200)(x + 3e200) = x^3 - 7 s^2 x + 6 s^3 (s = 1e200) times 1e-300: the
    // monic coefficients (6e600) are not representable, the roots are.
    let coeffs = [c(6e300, 0.0), c(-7e100, 0.0), c(0.0, 0.0), c(1e-300, 0.0)];
    let mut r: Vec<f64> = polynomial_roots(&coeffs)
        .unwrap()
        .roots
        .iter()
        .map(|z| z.re)
        .collect();
    r.sort_by(f64::total_cmp);
    for (got, want) in r.iter().zip([-3e200, 1e200, 2e200]) {
        assert!((got / want - 1.0).abs() < 1e-12, "{r:?}");
    }
}

/// Issue 13 (found by the library fuzz): a path on which every step stays ambiguous never ended
/// (each forced acceptance carried the halved step on, which shrank to zero). It now ends: with a
/// finite answer or a typed error, in bounded time.
#[test]
fn herglotz_root_paths_always_end() {
    let cases = [
        (
            1.0,
            c(-0.999999999999, 0.06379681892972987),
            2.002713294094829e109,
            64,
            20,
        ),
        (
            -1e155,
            c(7.517345345039669e-143, 0.018143321379379133),
            5.946499993176093,
            1,
            20,
        ),
        (0.5, c(1.2, 0.1), 1e300, 60, usize::MAX),
    ];
    for (gamma, z, separation, initial_steps, max_halvings) in cases {
        let opts = HerglotzOptions {
            start_height: 1.5,
            initial_steps,
            separation,
            max_halvings,
            min_relative_height: 5e-5,
        };
        let t = std::time::Instant::now();
        let r = herglotz_root(
            |z| vec![c(1.0, 0.0), z + gamma - 1.0, z * gamma],
            |z| -1.0 / z,
            |_, _| true,
            z,
            opts,
        );
        assert!(
            t.elapsed().as_secs_f64() < 20.0,
            "{gamma} {z}: {:?}",
            t.elapsed()
        );
        if let Ok(r) = r {
            assert!(r.root.re.is_finite() && r.root.im.is_finite() && r.residual.is_finite());
        }
    }
    // Options outside the domain are named.
    let bad = HerglotzOptions {
        initial_steps: usize::MAX,
        ..HerglotzOptions::default()
    };
    assert!(matches!(
        herglotz_root(
            |z| vec![c(1.0, 0.0), z, z],
            |z| -1.0 / z,
            |_, _| true,
            c(1.0, 1.0),
            bad
        ),
        Err(Error::InvalidParameter {
            name: "initial_steps",
            ..
        })
    ));
}

/// Found by the library fuzz: the companion transform next to the atom exceeds f64::MAX
/// (|m~(z)| ~ (1 - gamma)/|z|); it was `Ok(inf)`, it is a typed error.
#[test]
fn companion_stieltjes_beyond_f64_max_is_an_error() {
    let mp = MarchenkoPastur::new(1e-100).unwrap();
    assert!(matches!(
        mp.companion_stieltjes(c(-1e-310, -1e-310)),
        Err(Error::NonFinite { .. })
    ));
    // Away from it the value is finite and ~ -(1 - gamma)/z.
    let z = c(-1e-300, -1e-300);
    let m = mp.companion_stieltjes(z).unwrap();
    // -1/z = (1 - i)/(2e-300), written out (num_complex's division overflows |z|^2).
    let want = c(0.5e300, -0.5e300);
    assert!((m - want).norm() < 1e-10 * want.norm(), "{m} vs {want}");
}
