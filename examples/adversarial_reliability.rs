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
//! Run with `cargo run --release --example adversarial_reliability` (about a minute).
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

fn print(name: &str, t: &Tally) {
    println!(
        "{name:<58} failures {:>4}/{DRAWS}  non-finite Ok {}  skipped {}  slowest {:.1} ms  total {:.1} s",
        t.failures, t.bad_ok, t.skipped, t.slowest_ms, t.seconds
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
}
