//! Criterion benches for the adversarial-training theory ([`overparam::theory::adversarial`]).
//!
//! Main groups: `adversarial_rf/{point_cold, point_warm, curve_1000}` (Theorem 4.2 at
//! $\psi_1 = 2$, $\psi_2 = 2$, $\tau^2 = 0.25$, $\varepsilon = 0.3$; warm = Newton from the saddle
//! at $\psi_1 = 1.98$; curve = 1000 points over $\psi_1 \in [0.1, 100]$ with continuation) and
//! `adversarial_linear/{point_cold, point_warm, curve_1000}` (the linear model at its defaults
//! $\delta = 2$, $\sigma_0^2 = 0.25$, $\varepsilon = 0.3$; warm = Newton from the saddle at
//! $\varepsilon = 0.29$; curve = 1000 radii over $[0.01, 0.9\,\varepsilon_0]$, each point
//! warm-started from the previous one). Also cold points in other regimes
//! (`adversarial_rf_cold_point`). Iteration counts are printed once to stderr (`iterations: ...`).
//!
//! Simulation (issue 17 §1): `adversarial_newton_form/{primal,dual}/p_over_n=R` solves one
//! adversarial least-squares problem ([`solve_robust_least_squares_with`], Gaussian design,
//! $n = 100$ samples, $p = Rn$ parameters, $R \in \{0.25, 0.5, 1, 1.5, 2, 4\}$, $\varepsilon = 0.3$)
//! with the Newton systems forced into the primal ($p\times p$) or the dual ($n\times n$
//! Woodbury) form: the crossover of [`NewtonForm::automatic`]. Newton steps and fallbacks are
//! printed to stderr (`newton: ...`). `adversarial_sim/d500` is one trial of the simulation
//! at the point ($d = 500$, $\psi_1 = \psi_2 = 2$, i.e. $N = n = 1000$, $\varepsilon = 0.3$;
//! the primal form) and `adversarial_sim/d250_psi1_4_psi2_1` one at $N = 1000$, $n = 250$ (the
//! dual form); both behind `OVERPARAM_BENCH_SIM=1` (tens of seconds a sample).
//!
//! Run: `cargo bench --bench adversarial`; the simulation groups:
//! `cargo bench --bench adversarial -- --sample-size 10 adversarial_newton_form` and
//! `OVERPARAM_BENCH_SIM=1 cargo bench --bench adversarial -- --sample-size 10 adversarial_sim`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use overparam::grid::log_spaced;
use overparam::sim::adversarial::{
    AdversarialRfSimulation, NewtonChoice, NewtonForm, solve_robust_least_squares_with,
};
use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn rf_params(psi1: f64, eps: f64) -> AdversarialRf {
    AdversarialRf {
        psi1,
        psi2: 2.0,
        noise_sd: 0.5,
        eps,
        eps_test: None,
        ..AdversarialRf::default()
    }
}

fn cold_point(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial_rf_cold_point");
    quick(&mut group);
    for (name, psi1, eps) in [
        ("psi1=0.5_eps=0.3", 0.5, 0.3),
        ("psi1=2_eps=0.3", 2.0, 0.3),
        ("psi1=30_eps=0.3", 30.0, 0.3),
        ("psi1=2_eps=0.1", 2.0, 0.1),
    ] {
        let params = rf_params(psi1, eps);
        if let Ok(s) = params.check().and_then(|m| m.solve()) {
            eprintln!(
                "iterations: adversarial_rf_cold_point {name} {}",
                s.iterations
            );
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&params)
                    .check()
                    .and_then(|m| m.solve())
                    .map(|s| s.robust_test_risk)
            })
        });
    }
    group.finish();
}

fn adversarial_rf(c: &mut Criterion) {
    let params = rf_params(2.0, 0.3);
    let model = params.check().expect("valid parameters");
    let guess = rf_params(1.98, 0.3)
        .check()
        .and_then(|m| m.solve())
        .ok()
        .and_then(|s| s.saddle)
        .expect("the neighbouring point has a non-zero saddle");
    let grid = log_spaced(0.1, 100.0, 1000).expect("valid grid");
    let base = rf_params(1.0, 0.3).check().expect("valid parameters");
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        model.solve(),
        model.solve_from(&guess),
        base.curve_psi1(&grid),
    ) {
        let total: usize = curve.iter().map(|s| s.iterations).sum();
        let max = curve.iter().map(|s| s.iterations).max().unwrap_or(0);
        eprintln!("iterations: adversarial_rf point_cold {}", cold.iterations);
        eprintln!("iterations: adversarial_rf point_warm {}", warm.iterations);
        eprintln!("iterations: adversarial_rf curve_1000 total {total} max {max}");
    }
    let mut group = c.benchmark_group("adversarial_rf");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve())
                .map(|s| s.robust_test_risk)
        })
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve_from(black_box(&guess)))
                .map(|s| s.robust_test_risk)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("curve_1000", |b| {
        b.iter(|| base.curve_psi1(black_box(&grid)).map(|v| v.len()))
    });
    group.finish();
}

fn adversarial_linear(c: &mut Criterion) {
    let params = AdversarialLinear::default();
    let model = params.check().expect("valid parameters");
    let guess = model
        .with_eps(0.29)
        .and_then(|m| m.solve())
        .ok()
        .and_then(|s| s.saddle)
        .expect("the neighbouring point has a non-zero saddle");
    let eps0 = model.eps0();
    let grid = overparam::grid::lin_spaced(0.01, 0.9 * eps0, 1000).expect("valid grid");
    if let (Ok(cold), Ok(warm), Ok(curve)) = (
        model.solve(),
        model.solve_from(guess),
        model.curve_eps(&grid),
    ) {
        let total: usize = curve.iter().map(|s| s.iterations).sum();
        let max = curve.iter().map(|s| s.iterations).max().unwrap_or(0);
        eprintln!(
            "iterations: adversarial_linear point_cold {}",
            cold.iterations
        );
        eprintln!(
            "iterations: adversarial_linear point_warm {}",
            warm.iterations
        );
        eprintln!(
            "iterations: adversarial_linear curve_1000 total {total} max {max} (eps0 = {eps0:.4})"
        );
    }
    let mut group = c.benchmark_group("adversarial_linear");
    quick(&mut group);
    group.bench_function("point_cold", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve())
                .map(|s| s.robust_test_risk)
        })
    });
    group.bench_function("point_warm", |b| {
        b.iter(|| {
            black_box(&params)
                .check()
                .and_then(|m| m.solve_from(black_box(guess)))
                .map(|s| s.robust_test_risk)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("curve_1000", |b| {
        b.iter(|| black_box(&model).curve_eps(&grid).map(|v| v.len()))
    });
    group.finish();
}

/// A deterministic Gaussian design ($n\times p$, row-major) and labels $y = x_1 + 0.5\xi$
/// (Box–Muller on a 64-bit LCG; independent of the crate's RNG).
fn design(n: usize, p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut gaussian = move || {
        let (u, v) = (uniform(), uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    };
    let x: Vec<f64> = (0..n * p).map(|_| gaussian()).collect();
    let y = (0..n).map(|i| x[i * p] + 0.5 * gaussian()).collect();
    (x, y)
}

fn newton_form(c: &mut Criterion) {
    let n = 100;
    let mut group = c.benchmark_group("adversarial_newton_form");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for ratio in [0.25, 0.5, 1.0, 1.5, 2.0, 4.0] {
        let p = (ratio * n as f64).round() as usize;
        let (x, y) = design(n, p);
        for (name, choice) in [
            ("primal", NewtonChoice::Primal),
            ("dual", NewtonChoice::Dual),
        ] {
            if let Ok(r) = solve_robust_least_squares_with(&x, n, p, &y, 0.3, choice) {
                eprintln!(
                    "newton: {name} n {n} p {p}: {} steps ({} dual, {} primal, {} fallbacks); \
                     flops a step primal {:.3e} dual {:.3e}; automatic {:?}",
                    r.solution.newton_steps,
                    r.dual_steps,
                    r.primal_steps,
                    r.fallback_steps,
                    NewtonForm::Primal.flops(n, p),
                    NewtonForm::Dual.flops(n, p),
                    NewtonForm::automatic(n, p)
                );
            }
            group.bench_function(format!("{name}/p_over_n={ratio}"), |b| {
                b.iter(|| {
                    solve_robust_least_squares_with(black_box(&x), n, p, &y, 0.3, choice)
                        .map(|r| r.solution.objective)
                })
            });
        }
    }
    group.finish();
}

fn simulation(c: &mut Criterion) {
    if std::env::var_os("OVERPARAM_BENCH_SIM").is_none() {
        return;
    }
    let mut group = c.benchmark_group("adversarial_sim");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    for (name, d, psi1, psi2) in [
        ("d500", 500, 2.0, 2.0),
        ("d250_psi1_4_psi2_1", 250, 4.0, 1.0),
    ] {
        let sim = AdversarialRfSimulation {
            model: AdversarialRf {
                noise_sd: 0.5,
                psi1,
                psi2,
                eps: 0.3,
                eps_test: None,
                ..AdversarialRf::default()
            },
            d,
        }
        .check()
        .expect("valid adversarial rf simulation");
        eprintln!("newton: adversarial_sim/{name}: {:?}", sim.newton_form());
        group.bench_function(name, |b| {
            b.iter(|| black_box(&sim).trial(7, 0).map(|t| t.robust_test_risk))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    adversarial_rf,
    adversarial_linear,
    cold_point,
    newton_form,
    simulation
);
criterion_main!(benches);
