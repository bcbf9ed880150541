//! Tests of `overparam::theory::ridge` (HMRT isotropic ridge / min-norm).

use overparam::Error;
use overparam::theory::ridge::{Ridge, RidgeRisk};

fn risk(gamma: f64, lambda: f64, snr: f64, sigma: f64) -> RidgeRisk {
    Ridge {
        gamma,
        lambda,
        snr,
        noise_sd: sigma,
        ..Default::default()
    }
    .check()
    .unwrap()
    .risk()
    .unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }
}

#[test]
fn oracle_table() {
    // Hastie, Montanari, Rosset & Tibshirani 2022, arXiv:1903.08560; docs/ridge.md#derivation-notes-reference-values: (gamma, lambda, m, m', B/r^2, V/sigma^2), 13 significant digits.
    let table = [
        (
            0.5,
            0.1,
            1.483314773548,
            3.452248382485,
            0.03452248382485,
            0.5690449676497,
        ),
        (
            0.5,
            1.0,
            0.5615528128088,
            0.3488746876272,
            0.3488746876272,
            0.1063390625908,
        ),
        (
            1.0,
            0.2,
            1.791287847478,
            5.4554472559,
            0.218217890236,
            0.700198396298,
        ),
        (
            1.0,
            0.001,
            31.12672920174,
            15809.41224781,
            0.01580941224781,
            15.31731695393,
        ),
        (
            2.0,
            0.1,
            5.422144385112,
            50.61358820277,
            0.5061358820277,
            0.7215711296706,
        ),
        (
            2.0,
            0.5,
            1.280776406404,
            2.212678125182,
            0.5531695312954,
            0.3488746876272,
        ),
        (
            4.0,
            1.0,
            0.8090169943749,
            0.7663118960625,
            0.7663118960625,
            0.1708203932499,
        ),
    ];
    // sigma = 0.7, snr = 3 so r^2 = 1.47: checks the scalings, not only sigma = r = 1.
    let (sigma, snr) = (0.7, 3.0);
    let (s2, r2) = (sigma * sigma, snr * sigma * sigma);
    for (g, l, m, dm, b, v) in table {
        let out = risk(g, l, snr, sigma);
        // The table has 13 digits except the gamma = 1, lambda = 0.2 row (11-12 digits).
        let tol = if g == 1.0 && l == 0.2 { 1e-10 } else { 1e-11 };
        assert!(rel(out.m, m) < tol, "m {g} {l}: {}", out.m);
        assert!(rel(out.dm, dm) < tol, "dm {g} {l}: {}", out.dm);
        assert!(rel(out.bias, r2 * b) < tol, "B {g} {l}: {}", out.bias / r2);
        assert!(
            rel(out.variance, s2 * v) < tol,
            "V {g} {l}: {}",
            out.variance / s2
        );
        assert_eq!(out.test_error, out.bias + out.variance);
    }
}

#[test]
#[allow(deprecated)] // `OptimalRidge::risk` keeps its meaning: checked here.
fn optimal_ridge_oracles_and_consistency() {
    for (g, snr, want) in [
        (0.5, 4.0, 0.7015621187164),
        (2.0, 4.0, 2.561552812809),
        (1.0, 1.0, (5f64.sqrt() - 1.0) / 2.0),
    ] {
        let model = Ridge::new(g, 0.3, snr).check().unwrap();
        let opt = model.optimal_lambda().unwrap();
        assert_eq!(opt.lambda, g / snr);
        assert!(rel(opt.risk, want) < 1e-12, "g={g}: {}", opt.risk);
        // Closed-form R* equals B + V evaluated at lambda*.
        let at = risk(g, opt.lambda, snr, 1.0);
        assert!(rel(at.test_error, opt.risk) < 1e-13);
        // The full decomposition at the optimum is that risk (same evaluation), and its test
        // error is the oracle R*.
        assert_eq!(opt.at_optimum, at);
        assert!(rel(opt.at_optimum.test_error, want) < 1e-12, "g={g}");
    }
}

#[test]
fn optimal_lambda_minimises_risk_on_log_grid() {
    for (g, snr, sigma) in [
        (0.5, 4.0, 1.0),
        (2.0, 0.5, 2.0),
        (1.0, 10.0, 0.3),
        (5.0, 2.0, 1.0),
    ] {
        let opt = Ridge {
            gamma: g,
            lambda: 1.0,
            snr,
            noise_sd: sigma,
            ..Default::default()
        }
        .check()
        .unwrap()
        .optimal_lambda()
        .unwrap();
        let n = 20_001;
        let (lo, hi) = (-4.0f64, 3.0f64);
        let mut best = (f64::INFINITY, 0.0);
        for k in 0..n {
            let l = 10f64.powf(lo + (hi - lo) * k as f64 / (n - 1) as f64);
            let r = risk(g, l, snr, sigma).test_error;
            if r < best.0 {
                best = (r, l);
            }
        }
        let step = (hi - lo) / (n - 1) as f64 * std::f64::consts::LN_10;
        assert!(
            (best.1 / opt.lambda).ln().abs() <= step,
            "g={g}: grid {} vs {}",
            best.1,
            opt.lambda
        );
        let r_opt = opt.at_optimum.test_error;
        assert!(best.0 >= r_opt * (1.0 - 1e-14), "grid beat the optimum");
        // Quadratic minimum: the half grid step (4e-4 in ln lambda) gives <= ~1e-7.
        assert!(rel(best.0, r_opt) < 1e-6, "{}", rel(best.0, r_opt));
    }
}

#[test]
fn ridgeless_closed_forms() {
    let (sigma, snr) = (1.5, 2.0);
    let (s2, r2) = (sigma * sigma, snr * sigma * sigma);
    for g in [0.1, 0.5, 0.9, 0.999] {
        let out = risk(g, 0.0, snr, sigma);
        assert_eq!(out.bias, 0.0);
        assert!(rel(out.variance, s2 * g / (1.0 - g)) < 1e-13, "g={g}");
        assert!(rel(out.train_error, s2 * (1.0 - g)) < 1e-13, "g={g}");
        assert!(rel(out.m, 1.0 / (1.0 - g)) < 1e-13);
        assert!(rel(out.df_ratio, g) < 1e-15);
    }
    for g in [1.001, 1.5, 2.0, 10.0] {
        let out = risk(g, 0.0, snr, sigma);
        assert!(rel(out.bias, r2 * (1.0 - 1.0 / g)) < 1e-13, "g={g}");
        assert!(rel(out.variance, s2 / (g - 1.0)) < 1e-12, "g={g}");
        assert_eq!(out.train_error, 0.0);
        // m(-lambda) diverges like (1 - 1/gamma)/lambda (the atom): the field holds the finite
        // part, the transform of the nonzero eigenvalues at 0 (it was +inf, issue 13).
        assert!(
            rel(out.m, 1.0 / (g * (g - 1.0))) < 1e-12,
            "g={g}: {}",
            out.m
        );
        assert!(
            rel(out.dm, 1.0 / (g - 1.0).powi(3)) < 1e-9,
            "g={g}: {}",
            out.dm
        );
        assert_eq!(out.df_ratio, 1.0);
    }
    // For SNR > 1 the gamma > 1 ridgeless risk is minimised at gamma* = sqrt(snr)/(sqrt(snr) - 1).
    let snr = 9.0;
    let gstar = 3.0 / 2.0;
    let r = |g: f64| risk(g, 0.0, snr, 1.0).test_error;
    assert!(r(gstar) < r(gstar * 1.001) && r(gstar) < r(gstar / 1.001));
}

#[test]
fn small_lambda_is_continuous() {
    for g in [0.3, 0.8, 1.2, 1.5, 4.0, 50.0] {
        let at0 = risk(g, 0.0, 2.0, 1.0);
        let mut prev_err = f64::INFINITY;
        for l in [1e-6, 1e-9, 1e-12, 1e-15, 1e-300] {
            let out = risk(g, l, 2.0, 1.0);
            let err = (out.bias - at0.bias).abs()
                + (out.variance - at0.variance).abs()
                + (out.train_error - at0.train_error).abs()
                + (out.df_ratio - at0.df_ratio).abs();
            // Linear in lambda with an O(1/(1 - sqrt(g))^4) constant.
            let c = 10.0 * (1.0 + g) / (1.0 - g.sqrt()).powi(4);
            assert!(err <= c * l + 1e-14, "g={g} l={l}: err {err}");
            assert!(err <= prev_err);
            prev_err = err;
        }
    }
    // gamma = 1: the risk diverges like lambda^{-1/2}, finitely for every lambda > 0.
    let a = risk(1.0, 1e-8, 1.0, 1.0).test_error;
    let b = risk(1.0, 1e-10, 1.0, 1.0).test_error;
    assert!(a.is_finite() && b.is_finite());
    assert!((b / a - 10.0).abs() < 0.01, "ratio {}", b / a);
}

#[test]
fn closed_forms_match_spectral_integral() {
    let mut worst: f64 = 0.0;
    for g in [0.2, 0.5, 0.8, 1.0, 1.3, 2.0, 4.0] {
        for l in [0.0, 1e-3, 0.1, 1.0, 10.0, 1e4] {
            if l == 0.0 && g == 1.0 {
                continue;
            }
            if g == 1.0 && l < 0.05 {
                continue; // the integrand is nearly singular at the hard edge (documented)
            }
            let model = Ridge {
                gamma: g,
                lambda: l,
                snr: 2.5,
                noise_sd: 0.8,
                ..Default::default()
            }
            .check()
            .unwrap();
            let cf = model.risk().unwrap();
            let q = model.risk_via_spectral_integral(600).unwrap();
            for (a, b, what) in [
                (cf.bias, q.bias, "bias"),
                (cf.variance, q.variance, "variance"),
                (cf.train_error, q.train_error, "train"),
                (cf.df_ratio, q.df_ratio, "df"),
                (cf.m, q.m, "m"),
                (cf.dm, q.dm, "dm"),
            ] {
                if a.is_infinite() {
                    assert_eq!(a, b);
                    continue;
                }
                let e = rel(a, b);
                worst = worst.max(e);
                assert!(e < 1e-10, "g={g} l={l} {what}: {a} vs {b}");
            }
        }
    }
    eprintln!("closed form vs quadrature: worst relative difference {worst:.2e}");
}

#[test]
fn training_error_satisfies_gcv_identity() {
    // T = (R + sigma^2)(1 - df/n)^2, an algebraically different route to the training error.
    for g in [0.3, 1.0, 2.5] {
        for l in [1e-4, 0.05, 0.7, 20.0] {
            let (snr, sigma) = (1.7, 1.3);
            let out = risk(g, l, snr, sigma);
            let gcv = (out.test_error + sigma * sigma) * (1.0 - out.df_ratio).powi(2);
            assert!(
                rel(out.train_error, gcv) < 1e-11,
                "g={g} l={l}: {} vs {gcv}",
                out.train_error
            );
        }
    }
}

#[test]
fn large_lambda_has_no_cancellation() {
    // V = sigma^2 gamma int s/(s+l)^2 = sigma^2 gamma (1/l^2 - 2(1+gamma)/l^3 + O(l^-4)).
    for g in [0.5, 3.0] {
        for l in [1e6, 1e9, 1e12] {
            let out = risk(g, l, 1.0, 1.0);
            let want = g * (1.0 / (l * l) - 2.0 * (1.0 + g) / (l * l * l));
            assert!(
                rel(out.variance, want) < 1e-9,
                "g={g} l={l}: {} vs {want}",
                out.variance
            );
            assert!(out.bias <= 1.0 && out.bias > 0.99);
        }
    }
}

#[test]
fn default_is_the_simulation_default_point() {
    // The README pattern `Ridge { .., ..Default::default() }`; the default point is the ridge
    // simulation's (gamma = 0.5, lambda = 0.1, snr = 1, unit noise).
    let p = Ridge {
        gamma: 2.0,
        ..Default::default()
    };
    assert_eq!((p.lambda, p.snr), (0.1, 1.0));
    let d = Ridge::default();
    assert_eq!(d, Ridge::new(0.5, 0.1, 1.0));
    let model = d.check().unwrap();
    assert_eq!(
        (model.gamma(), model.lambda(), model.snr()),
        (0.5, 0.1, 1.0)
    );
    let r = model.risk().unwrap();
    assert_eq!(r, risk(0.5, 0.1, 1.0, 1.0));
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let bad = [
        Ridge::new(0.0, 0.1, 1.0),
        Ridge::new(-1.0, 0.1, 1.0),
        Ridge::new(f64::NAN, 0.1, 1.0),
        Ridge::new(f64::INFINITY, 0.1, 1.0),
        Ridge::new(0.5, -0.1, 1.0),
        Ridge::new(0.5, f64::NAN, 1.0),
        Ridge::new(0.5, 0.1, -1.0),
        Ridge::new(0.5, 0.1, f64::NAN),
        Ridge {
            gamma: 0.5,
            lambda: 0.1,
            snr: 1.0,
            noise_sd: 0.0,
            ..Default::default()
        },
        Ridge {
            gamma: 0.5,
            lambda: 0.1,
            snr: 1.0,
            noise_sd: f64::NAN,
            ..Default::default()
        },
        Ridge::new(1.0, 0.0, 1.0),
        Ridge {
            gamma: 0.5,
            lambda: 0.1,
            snr: 1e300,
            noise_sd: 1e10,
            ..Default::default()
        },
    ];
    for p in bad {
        assert!(
            matches!(p.check(), Err(Error::InvalidParameter { .. })),
            "{p:?}"
        );
    }
    let zero_snr = Ridge::new(0.5, 0.1, 0.0).check().unwrap();
    assert!(matches!(
        zero_snr.optimal_lambda(),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(zero_snr.risk().unwrap().bias, 0.0);
    assert!(matches!(
        zero_snr.risk_via_spectral_integral(0),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Tiny deterministic normal generator (xorshift64* + Box–Muller) for the Monte Carlo check.
struct Normal(u64);
impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// One finite-size ridge fit: returns (||beta_hat - beta||^2, (1/n)||y - X beta_hat||^2).
fn simulate(n: usize, p: usize, lambda: f64, r: f64, sigma: f64, rng: &mut Normal) -> (f64, f64) {
    let x: Vec<f64> = (0..n * p).map(|_| rng.sample()).collect(); // row-major n x p
    let mut beta: Vec<f64> = (0..p).map(|_| rng.sample()).collect();
    let norm = beta.iter().map(|b| b * b).sum::<f64>().sqrt();
    beta.iter_mut().for_each(|b| *b *= r / norm);
    let y: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| x[i * p + j] * beta[j]).sum::<f64>() + sigma * rng.sample())
        .collect();
    // A = X^T X + n lambda I, rhs = X^T y; Cholesky solve.
    let mut a = vec![0.0; p * p];
    for i in 0..n {
        let row = &x[i * p..(i + 1) * p];
        for j in 0..p {
            let xj = row[j];
            for k in 0..=j {
                a[j * p + k] += xj * row[k];
            }
        }
    }
    for j in 0..p {
        a[j * p + j] += n as f64 * lambda;
    }
    let mut rhs: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| x[i * p + j] * y[i]).sum())
        .collect();
    for j in 0..p {
        for k in 0..j {
            let s: f64 = (0..k).map(|l| a[j * p + l] * a[k * p + l]).sum();
            a[j * p + k] = (a[j * p + k] - s) / a[k * p + k];
        }
        let s: f64 = (0..j).map(|l| a[j * p + l] * a[j * p + l]).sum();
        a[j * p + j] = (a[j * p + j] - s).sqrt();
    }
    for j in 0..p {
        let s: f64 = (0..j).map(|l| a[j * p + l] * rhs[l]).sum();
        rhs[j] = (rhs[j] - s) / a[j * p + j];
    }
    for j in (0..p).rev() {
        let s: f64 = (j + 1..p).map(|l| a[l * p + j] * rhs[l]).sum();
        rhs[j] = (rhs[j] - s) / a[j * p + j];
    }
    let excess: f64 = rhs.iter().zip(&beta).map(|(h, b)| (h - b) * (h - b)).sum();
    let train: f64 = (0..n)
        .map(|i| {
            let fit: f64 = (0..p).map(|j| x[i * p + j] * rhs[j]).sum();
            (y[i] - fit) * (y[i] - fit)
        })
        .sum::<f64>()
        / n as f64;
    (excess, train)
}

#[test]
fn monte_carlo_matches_test_and_training_error() {
    // Independent check of the (derived) training-error formula and of B + V.
    let mut rng = Normal(0x1234_5678_9ABC_DEF1);
    for (n, p, lambda) in [(600, 300, 0.1), (300, 600, 0.1), (400, 400, 0.5)] {
        let (r, sigma) = (1.0, 0.7);
        let theory = risk(
            p as f64 / n as f64,
            lambda,
            (r * r) / (sigma * sigma),
            sigma,
        );
        let reps = 24;
        let (mut ex, mut tr) = (0.0, 0.0);
        for _ in 0..reps {
            let (e, t) = simulate(n, p, lambda, r, sigma, &mut rng);
            ex += e / reps as f64;
            tr += t / reps as f64;
        }
        eprintln!(
            "n={n} p={p} lambda={lambda}: excess {ex:.4} vs {:.4}, train {tr:.4} vs {:.4}",
            theory.test_error, theory.train_error
        );
        assert!(
            rel(ex, theory.test_error) < 0.04,
            "excess {ex} vs {}",
            theory.test_error
        );
        assert!(
            rel(tr, theory.train_error) < 0.04,
            "train {tr} vs {}",
            theory.train_error
        );
    }
}

#[test]
#[allow(deprecated)] // the deprecated alias `sigma` and accessor `sigma()` are what is tested
fn deprecated_sigma_is_an_alias_of_noise_sd() {
    // Min-norm at gamma = 2, snr = 4, noise sd 2: B = snr sigma^2 (1 - 1/gamma) = 8,
    // V = sigma^2/(gamma - 1) = 4 (closed forms of the module docs).
    let new = Ridge {
        gamma: 2.0,
        lambda: 0.0,
        snr: 4.0,
        noise_sd: 2.0,
        ..Default::default()
    };
    let old = Ridge {
        gamma: 2.0,
        lambda: 0.0,
        snr: 4.0,
        sigma: 2.0,
        ..Default::default()
    };
    let (a, b) = (new.check().unwrap(), old.check().unwrap());
    assert_eq!(a, b);
    assert_eq!((a.noise_sd(), b.sigma()), (2.0, 2.0));
    let r = b.risk().unwrap();
    assert!(
        (r.bias - 8.0).abs() < 1e-13 && (r.variance - 4.0).abs() < 1e-13,
        "{r:?}"
    );
    assert_eq!(Ridge { sigma: 2.0, ..new }.check().unwrap(), a);
    match (Ridge { sigma: 3.0, ..new }).check() {
        Err(Error::InvalidParameter { name, value, .. }) => {
            assert_eq!((name, value), ("noise_sd", 2.0));
        }
        other => panic!("conflicting noise levels accepted: {other:?}"),
    }
    match (Ridge {
        sigma: 0.0,
        ..Ridge::default()
    })
    .check()
    {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "sigma"),
        other => panic!("sigma = 0 accepted: {other:?}"),
    }
}
