//! Criterion benches for the membership-inference theory ([`overparam::theory::membership`]).
//!
//! Four models — the output attack and the loss attack, each for ridge ($\lambda = 0.1$) and
//! ridgeless ($\lambda = 0$, min-norm) regression — each with `<model>/point_cold` (validation,
//! resolvent scalars and the attack's scale test at one point) and `<model>/curve_1000` (1000
//! points over $\gamma \in [0.1, 10]$, skipping the ridgeless pole $\gamma = 1$). Everything is
//! closed form (no iteration), so there is no warm start and no `point_warm` bench.
//!
//! Run: `cargo bench --bench membership`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use overparam::grid::log_spaced;
use overparam::theory::membership::{Membership, Sweep, privacy_utility_curve};

#[derive(Clone, Copy)]
enum Attack {
    Output,
    Loss,
}

fn params(gamma: f64, lambda: f64) -> Membership {
    Membership {
        gamma,
        kappa: 0.0,
        noise_sd: 1.0,
        lambda,
        output_noise: 0.0,
        ..Default::default()
    }
}

fn advantage(p: &Membership, attack: Attack) -> overparam::Result<f64> {
    let model = p.check()?;
    match attack {
        Attack::Output => model.output_attack().map(|a| a.advantage),
        Attack::Loss => model.loss_attack().map(|a| a.advantage),
    }
}

fn membership(c: &mut Criterion) {
    eprintln!("iterations: membership (all four models) 0 (closed form)");
    // The grid avoids gamma = 1 exactly (1000 log-spaced points from 0.1 to 10 miss it), where
    // the ridgeless variance diverges.
    let grid = log_spaced(0.1, 10.0, 1000).expect("valid grid");
    for (name, attack, lambda) in [
        ("membership_output_ridge", Attack::Output, 0.1),
        ("membership_output_ridgeless", Attack::Output, 0.0),
        ("membership_loss_ridge", Attack::Loss, 0.1),
        ("membership_loss_ridgeless", Attack::Loss, 0.0),
    ] {
        let mut group = c.benchmark_group(name);
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        let point = params(2.0, lambda);
        group.bench_function("point_cold", |b| {
            b.iter(|| advantage(black_box(&point), attack))
        });
        group.bench_function("curve_1000", |b| {
            b.iter(|| {
                black_box(&grid)
                    .iter()
                    .map(|&g| advantage(&params(g, lambda), attack))
                    .collect::<overparam::Result<Vec<f64>>>()
            })
        });
        group.finish();
    }
    // The library's own sweep (both attacks plus the utility at every point).
    let mut group = c.benchmark_group("membership_privacy_utility");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let base = params(2.0, 0.1);
    let lambdas = log_spaced(1e-3, 1e3, 1000).expect("valid grid");
    group.bench_function("curve_1000_lambda", |b| {
        b.iter(|| privacy_utility_curve(black_box(&base), Sweep::Lambda, &lambdas).map(|v| v.len()))
    });
    group.finish();
}

criterion_group!(benches, membership);
criterion_main!(benches);
