//! Bias and standard error of the membership simulation's five advantage estimators against the
//! proportional limit (the measurement behind the choice of
//! `overparam::sim::membership::MembershipSimReport::advantage`; see docs/simulation.md).
//!
//! For each point, `REPEATS` independent runs (seeds 1..=REPEATS) of `TRIALS` trials each: the
//! mean of every estimator minus the theory (its bias, with the SE of that mean) and the
//! spread of the estimator across runs (its actual SE), next to the mean SE it reports.
//!
//! Usage: `cargo run --release --example membership_estimators [TRIALS] [REPEATS]`
//! (default 200 trials, 20 repeats).

use overparam::experiment::RunOptions;
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::theory::membership::Membership;

fn summary(name: &str, values: &[f64], reported_se: Option<&[f64]>, theory: f64) {
    let m = values.len() as f64;
    let mean = values.iter().sum::<f64>() / m;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
    let rep = reported_se.map_or("      -".to_string(), |s| {
        format!("{:.4}", s.iter().sum::<f64>() / m)
    });
    println!(
        "    {name:<22} bias {:+.4} +- {:.4}   spread (true SE) {:.4}   reported SE {rep}",
        mean - theory,
        sd / m.sqrt(),
        sd
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trials: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    let repeats: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20);
    for (gamma, kappa, lambda, n) in [
        (0.5, 0.0, 0.0, 100),
        (0.5, 0.25, 0.0, 100),
        (3.0, 0.25, 1.0, 100),
        (1.5, 0.1, 0.2, 200),
    ] {
        let model = Membership {
            gamma,
            kappa,
            lambda,
            ..Membership::default()
        };
        let sim = MembershipAttackSimulation {
            model,
            n,
            attack: Attack::Output,
        }
        .check()?;
        let theory = sim.realised_model()?.output_attack()?.advantage;
        println!(
            "output attack, gamma = {gamma}, kappa = {kappa}, lambda = {lambda}, n = {n}, {trials} trials x {repeats} runs: theory {theory:.4}"
        );
        let mut cols: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); 5];
        for seed in 1..=repeats {
            let r = sim.output_attack(&RunOptions {
                seed,
                trials,
                progress: false,
            })?;
            for (k, (v, s)) in [
                (r.advantage_split.value, r.advantage_split.std_err),
                (r.advantage_plugin.value, r.advantage_plugin.std_err),
                (
                    r.advantage_rao_blackwell.value,
                    r.advantage_rao_blackwell.std_err,
                ),
                (r.advantage_finite_n, f64::NAN),
                (r.advantage_max_threshold, f64::NAN),
            ]
            .into_iter()
            .enumerate()
            {
                cols[k].0.push(v);
                cols[k].1.push(s);
            }
        }
        for (k, name) in [
            "split threshold",
            "plug-in (sampled)",
            "plug-in (Rao-Blackwell)",
            "finite-n mixture TV",
            "max threshold (KS)",
        ]
        .iter()
        .enumerate()
        {
            let se = (k < 3).then_some(&cols[k].1[..]);
            summary(name, &cols[k].0, se, theory);
        }
    }
    let model = Membership {
        gamma: 0.5,
        kappa: 0.25,
        ..Membership::default()
    };
    let sim = MembershipAttackSimulation {
        model,
        n: 100,
        attack: Attack::Loss,
    }
    .check()?;
    let theory = sim.realised_model()?.loss_attack()?.advantage;
    println!(
        "loss attack, gamma = 0.5, kappa = 0.25, lambda = 0, n = 100, {trials} trials x {repeats} runs: theory {theory:.4}"
    );
    let mut cols: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); 3];
    for seed in 1..=repeats {
        let r = sim.loss_attack(&RunOptions {
            seed,
            trials,
            progress: false,
        })?;
        for (k, (v, s)) in [
            (r.advantage_split.value, r.advantage_split.std_err),
            (r.advantage_plugin.value, r.advantage_plugin.std_err),
            (r.advantage_max_threshold, f64::NAN),
        ]
        .into_iter()
        .enumerate()
        {
            cols[k].0.push(v);
            cols[k].1.push(s);
        }
    }
    for (k, name) in ["split threshold", "plug-in", "max threshold (KS)"]
        .iter()
        .enumerate()
    {
        let se = (k < 2).then_some(&cols[k].1[..]);
        summary(name, &cols[k].0, se, theory);
    }
    Ok(())
}
