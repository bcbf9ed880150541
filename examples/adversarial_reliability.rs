//! Reliability probe of the adversarial saddle solvers: the failure rate of cold solves
//! (`AdversarialRfModel::solve`, `AdversarialLinearModel::solve`) on seeded random parameter
//! draws in the bands of docs/adversarial.md ("Cold starts outside the box", "Known failures",
//! "Linear model").
//!
//! Every band draws 2000 parameter sets from a fixed-seed SplitMix64 stream (the same draws on
//! every run and machine), solves each from a cold start and counts the typed errors; a solve
//! that returns `Ok` with a non-finite number would be a bug and is counted separately. The noise
//! variance $\tau^2$ is drawn as in the property tests (`strategies::adversarial`): 0 with
//! probability 1/5, else uniform on $[0, 4]$.
//!
//! The last two bands probe the linear model's warm-started $\varepsilon$ curve
//! (`AdversarialLinearModel::curve_eps`) on coarse grids, on the engine and, on the same draws,
//! by the pre-port warm/cold loop.
//!
//! Run with `cargo run --release --example adversarial_reliability` (a few minutes).
//! H. Hassani and A. Javanmard, Ann. Statist. 52(2), 2024, arXiv:2201.05149 (the RF model);
//! Javanmard, Soltanolkotabi and Hassani, COLT 2020, arXiv:2002.10477 (the linear model).

use std::time::Instant;

use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fixed, portable stream.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.uniform(lo.ln(), hi.ln()).exp()
    }
    fn tau2(&mut self) -> f64 {
        if self.unit() < 0.2 {
            0.0
        } else {
            self.uniform(0.0, 4.0)
        }
    }
}

const DRAWS: usize = 2000;

/// One RF band: name, seed, $\psi_1$ range, $\psi_2$ range, radius.
type RfBand = (&'static str, u64, (f64, f64), (f64, f64), Radius);

/// How the radius of one draw is set from $\varepsilon_0$.
#[derive(Clone, Copy)]
enum Radius {
    /// $\varepsilon/\varepsilon_0$ log-uniform on `[lo, hi]`.
    Fraction(f64, f64),
    /// $h = 1 - \varepsilon/\varepsilon_0$ log-uniform on `[lo, hi]`.
    Gap(f64, f64),
}

impl Radius {
    fn fraction(self, rng: &mut SplitMix) -> f64 {
        match self {
            Radius::Fraction(lo, hi) => rng.log_uniform(lo, hi),
            Radius::Gap(lo, hi) => 1.0 - rng.log_uniform(lo, hi),
        }
    }
}

struct Tally {
    failures: usize,
    /// Curve bands: curves with a point where the curve and the cold solve differ but one of
    /// them stopped at a stationarity residual above 1e-11 (not counted as failures).
    unresolved: usize,
    bad_ok: usize,
    skipped: usize,
    slowest_ms: f64,
    seconds: f64,
}

fn rf_band(seed: u64, psi1: (f64, f64), psi2: (f64, f64), radius: Radius) -> Tally {
    let mut rng = SplitMix(seed);
    let start = Instant::now();
    let mut t = Tally {
        failures: 0,
        unresolved: 0,
        bad_ok: 0,
        skipped: 0,
        slowest_ms: 0.0,
        seconds: 0.0,
    };
    for _ in 0..DRAWS {
        let probe = AdversarialRf {
            psi1: rng.log_uniform(psi1.0, psi1.1),
            psi2: rng.log_uniform(psi2.0, psi2.1),
            eps: 1.0,
            eps_test: None,
            ..AdversarialRf::default()
        }
        .with_noise_variance(rng.tau2());
        let frac = radius.fraction(&mut rng);
        let Ok(model) = probe.check().and_then(|m| m.with_eps(frac * m.eps0())) else {
            t.skipped += 1;
            continue;
        };
        let one = Instant::now();
        match model.solve() {
            Ok(s) => {
                if !(s.test_risk.is_finite() && s.robust_test_risk.is_finite()) {
                    t.bad_ok += 1;
                }
            }
            Err(_) => t.failures += 1,
        }
        t.slowest_ms = t.slowest_ms.max(one.elapsed().as_secs_f64() * 1e3);
    }
    t.seconds = start.elapsed().as_secs_f64();
    t
}

fn linear_band(seed: u64, delta: (f64, f64), radius: Radius) -> Tally {
    let mut rng = SplitMix(seed);
    let start = Instant::now();
    let mut t = Tally {
        failures: 0,
        unresolved: 0,
        bad_ok: 0,
        skipped: 0,
        slowest_ms: 0.0,
        seconds: 0.0,
    };
    for _ in 0..DRAWS {
        let probe = AdversarialLinear {
            delta: rng.log_uniform(delta.0, delta.1),
            r0: rng.log_uniform(0.1, 10.0),
            eps: 1.0,
            eps_test: None,
            ..AdversarialLinear::default()
        }
        .with_noise_variance(rng.uniform(0.01, 4.0));
        let frac = radius.fraction(&mut rng);
        let Ok(model) = probe.check().and_then(|m| m.with_eps(frac * m.eps0())) else {
            t.skipped += 1;
            continue;
        };
        let one = Instant::now();
        match model.solve() {
            Ok(s) => {
                if !(s.test_risk.is_finite() && s.robust_test_risk.is_finite()) {
                    t.bad_ok += 1;
                }
            }
            Err(_) => t.failures += 1,
        }
        t.slowest_ms = t.slowest_ms.max(one.elapsed().as_secs_f64() * 1e3);
    }
    t.seconds = start.elapsed().as_secs_f64();
    t
}

/// The linear model's $\varepsilon$ curve (`AdversarialLinearModel::curve_eps`, on the solver
/// engine since issue 12) on a coarse 8-point log grid of $\varepsilon/\varepsilon_0$ in
/// $[10^{-6}, 0.999]$, per draw: a failure is a curve that returns an error, or a point that
/// differs from an independent cold solve by more than $10^{-6}$ relative in the test risk while
/// both report a stationarity residual $\le 10^{-11}$ (where one of them stopped above that, on
/// the objective's flat direction in $b$ at $\varepsilon/\varepsilon_0 \lesssim 10^{-5}$,
/// $\delta < 1$, the curve is counted as unresolved, not failed). With
/// `pre_port`, the same curve by the pre-port algorithm (warm start from the previous saddle,
/// cold solve on failure, outside the engine) for comparison.
fn linear_curve_band(seed: u64, delta: (f64, f64), pre_port: bool) -> Tally {
    let mut rng = SplitMix(seed);
    let start = Instant::now();
    let mut t = Tally {
        failures: 0,
        unresolved: 0,
        bad_ok: 0,
        skipped: 0,
        slowest_ms: 0.0,
        seconds: 0.0,
    };
    for _ in 0..DRAWS {
        let probe = AdversarialLinear {
            delta: rng.log_uniform(delta.0, delta.1),
            r0: rng.log_uniform(0.1, 10.0),
            eps: 1.0,
            eps_test: None,
            ..AdversarialLinear::default()
        }
        .with_noise_variance(if rng.unit() < 0.2 {
            0.0
        } else {
            rng.uniform(0.01, 4.0)
        });
        let Ok(model) = probe.check() else {
            t.skipped += 1;
            continue;
        };
        let grid: Vec<f64> = (0..8)
            .map(|k| {
                let f = (1e-6f64.ln() + (0.999f64.ln() - 1e-6f64.ln()) * k as f64 / 7.0).exp();
                f * model.eps0()
            })
            .collect();
        let one = Instant::now();
        let curve = if pre_port {
            let mut prev: Option<[f64; 4]> = None;
            grid.iter()
                .map(|&e| {
                    let m = model.with_eps(e)?;
                    let sol = match prev {
                        Some(g) => m.solve_from(g).or_else(|_| m.solve())?,
                        None => m.solve()?,
                    };
                    prev = sol.saddle.or(prev);
                    Ok(sol)
                })
                .collect::<overparam::Result<Vec<_>>>()
        } else {
            model.curve_eps(&grid)
        };
        t.slowest_ms = t.slowest_ms.max(one.elapsed().as_secs_f64() * 1e3);
        match curve {
            Ok(points) => {
                // A disagreement counts only where both the curve point and the cold solve claim
                // a converged saddle (stationarity residual <= 1e-11): at eps/eps0 ~ 1e-6 with
                // delta < 1 the objective is so flat in b that Newton (cold or warm) stops at
                // residuals ~1e-9 on points whose risks differ in the 3rd digit (counted apart);
                // converged points agree to ~1e-7 (the same flatness), hence the 1e-6.
                let mut flat = false;
                let mut disagree = false;
                for (&e, p) in grid.iter().zip(&points) {
                    if let Ok(c) = model.with_eps(e).and_then(|m| m.solve())
                        && (p.test_risk - c.test_risk).abs() > 1e-6 * c.test_risk.abs()
                    {
                        if p.residual <= 1e-11 && c.residual <= 1e-11 {
                            disagree = true;
                            if std::env::var("DIAG").is_ok() {
                                eprintln!(
                                    "DIS pre{pre_port} delta {} var {} eps/eps0 {:.3e}: {} vs {} res {} {}",
                                    model.delta(),
                                    model.noise_var(),
                                    e / model.eps0(),
                                    p.test_risk,
                                    c.test_risk,
                                    p.residual,
                                    c.residual
                                );
                            }
                        } else {
                            flat = true;
                        }
                    }
                }
                if disagree {
                    t.failures += 1;
                } else if flat {
                    t.unresolved += 1;
                }
                if points.iter().any(|p| {
                    !(p.test_risk.is_finite() && p.robust_test_risk.is_finite() && p.m.is_finite())
                }) {
                    t.bad_ok += 1;
                }
            }
            Err(e) => {
                t.failures += 1;
                if std::env::var("DIAG").is_ok() {
                    eprintln!(
                        "ERR pre{pre_port} delta {} var {}: {e}",
                        model.delta(),
                        model.noise_var()
                    );
                }
            }
        }
    }
    t.seconds = start.elapsed().as_secs_f64();
    t
}

fn print(name: &str, t: &Tally) {
    println!(
        "{name:<58} failures {:>4}/{DRAWS}  non-finite Ok {}  skipped {}  slowest {:.1} ms  total {:.1} s{}",
        t.failures,
        t.bad_ok,
        t.skipped,
        t.slowest_ms,
        t.seconds,
        if t.unresolved > 0 {
            format!("  unresolved (residual > 1e-11) {}", t.unresolved)
        } else {
            String::new()
        }
    );
}

fn main() {
    let bands: [RfBand; 4] = [
        (
            "RF psi1 in [1e-2,1e3], psi2 in [1e-3,0.1]",
            1,
            (1e-2, 1e3),
            (1e-3, 0.1),
            Radius::Fraction(1e-3, 0.99),
        ),
        (
            "RF psi1 in [1e4,1e5], psi2 in [0.1,100]",
            2,
            (1e4, 1e5),
            (0.1, 100.0),
            Radius::Fraction(1e-3, 0.99),
        ),
        (
            "RF near eps0, h = 1 - eps/eps0 in [1e-6,1e-5]",
            3,
            (1e-2, 1e3),
            (0.1, 100.0),
            Radius::Gap(1e-6, 1e-5),
        ),
        (
            "RF near eps0, h = 1 - eps/eps0 in [1e-5,1e-4]",
            4,
            (1e-2, 1e3),
            (0.1, 100.0),
            Radius::Gap(1e-5, 1e-4),
        ),
    ];
    for (name, seed, psi1, psi2, radius) in bands {
        print(name, &rf_band(seed, psi1, psi2, radius));
    }
    print(
        "linear delta in [1e-2,1], eps/eps0 in [1e-6,1e-3]",
        &linear_band(5, (1e-2, 1.0), Radius::Fraction(1e-6, 1e-3)),
    );
    print(
        "linear delta in [1e-2,1e2], eps/eps0 in [1e-3,0.999]",
        &linear_band(6, (1e-2, 1e2), Radius::Fraction(1e-3, 0.999)),
    );
    print(
        "linear curve_eps, delta in [1e-2,1e2], 8 radii (engine)",
        &linear_curve_band(7, (1e-2, 1e2), false),
    );
    print(
        "linear curve_eps, same draws, pre-port warm/cold loop",
        &linear_curve_band(7, (1e-2, 1e2), true),
    );
}
