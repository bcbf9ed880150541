//! Theory versus finite-size simulation for membership inference, and the estimators' bias.
//!
//! Agreement criterion: |simulated - theory| <= 4 SE + a finite-size allowance. For lambda = 0
//! the allowance is the gap between the finite-(n, p, D) expectation formula
//! ([`FiniteSize`]) and the proportional limit; for lambda > 0 (no finite-n formula) it is
//! 2/n relative, the measured size of O(1/n) corrections at these points.
//!
//! These tests pin the reference values through the deprecated API (`AdversarialRfSim`,
//! `AdversarialLinearSim`, `MembershipSimulation` with seed and trials as fields), which delegates
//! to the new shape (`AdversarialRfSimulation`, `AdversarialLinearSimulation`,
//! `MembershipAttackSimulation` and `RunOptions`): old callers keep their numbers. The new shape
//! and the join are tested in tests/sim_join.rs.
#![allow(deprecated)]

use overparam::sim::membership::{
    MembershipSimulation, PointEstimate, mann_whitney_auc, max_threshold_advantage,
    split_threshold_advantage,
};
use overparam::theory::membership::{FiniteSize, Membership, MembershipModel, ScaleTest};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

fn model(gamma: f64, kappa: f64, sigma: f64, lambda: f64) -> MembershipModel {
    Membership {
        gamma,
        kappa,
        noise_sd: sigma,
        lambda,
        output_noise: 0.0,
        ..Default::default()
    }
    .check()
    .unwrap()
}

fn check(label: &str, what: &str, sim: PointEstimate, theory: f64, allowance: f64) {
    let z = sim.z_score(theory);
    println!(
        "{label:<34} {what:<14} theory {theory:>8.5}  sim {:>8.5} +- {:.5}  z {z:>6.2}  allow {allowance:.4}",
        sim.value, sim.std_err
    );
    assert!(
        (sim.value - theory).abs() <= 4.0 * sim.std_err + allowance + 1e-12 * theory.abs(),
        "{label} {what}: sim {} +- {} vs theory {theory} (allowance {allowance})",
        sim.value,
        sim.std_err
    );
}

/// Output-only attack: variances (Rao–Blackwellised and sampled), advantage (three
/// estimators), AUC and test error against the proportional limit.
fn output_point(gamma: f64, kappa: f64, sigma: f64, lambda: f64, n: usize, trials: usize) {
    let m = model(gamma, kappa, sigma, lambda);
    let th = m.output_attack().unwrap();
    let sim = MembershipSimulation {
        n,
        trials,
        seed: 2026,
    }
    .check()
    .unwrap()
    .output_attack(&m)
    .unwrap();
    let label = format!("output g={gamma} k={kappa} s={sigma:.3} l={lambda} n={n}");
    // Finite-size allowances on V0, V1 and the advantage.
    let (a0, a1, aadv) = if lambda == 0.0 {
        let d = if kappa == 0.0 {
            sim.p * 1_000_000
        } else {
            (sim.p as f64 / kappa).round() as usize
        };
        let fin = FiniteSize::new(n, sim.p, d, sigma)
            .check()
            .unwrap()
            .output_attack_normalised()
            .unwrap();
        // The finite formula is at p = round(gamma n); compare it with the limit at the same p/n.
        let lim = model(sim.p as f64 / n as f64, kappa, sigma, 0.0)
            .output_attack()
            .unwrap();
        let shift = (lim.v0 - th.v0).abs() + (lim.v1 - th.v1).abs();
        (
            (fin.v0 - th.v0).abs() + shift,
            (fin.v1 - th.v1).abs() + shift,
            (fin.advantage - th.advantage).abs() + (lim.advantage - th.advantage).abs(),
        )
    } else {
        let r = 2.0 / n as f64;
        (r * th.v0, r * th.v1, 0.242 * 2.0 * r)
    };
    check(
        &label,
        "V0 (RB)",
        PointEstimate::from(&sim.v0_rao_blackwell),
        th.v0,
        a0,
    );
    check(
        &label,
        "V1 (RB)",
        PointEstimate::from(&sim.v1_rao_blackwell),
        th.v1,
        a1,
    );
    check(
        &label,
        "V0 (sampled)",
        PointEstimate::from(&sim.v0),
        th.v0,
        a0,
    );
    check(
        &label,
        "V1 (sampled)",
        PointEstimate::from(&sim.v1),
        th.v1,
        a1,
    );
    check(
        &label,
        "Adv (RB)",
        sim.advantage_rao_blackwell,
        th.advantage,
        aadv,
    );
    check(
        &label,
        "Adv (plug-in)",
        sim.advantage_plugin,
        th.advantage,
        aadv,
    );
    // The split and Mann-Whitney estimators see the finite-n laws, which are scale mixtures of
    // Gaussians: add the (Rao-Blackwellised) non-Gaussianity gap to their allowance.
    let mix = (sim.advantage_finite_n - sim.advantage_rao_blackwell.value).abs();
    check(
        &label,
        "Adv (split)",
        sim.advantage_split,
        th.advantage,
        aadv + mix,
    );
    let auc_ml = if th.test.member_has_larger_variance() {
        th.auc
    } else {
        1.0 - th.auc
    };
    let rb_auc = ScaleTest::new(sim.v1_rao_blackwell.mean, sim.v0_rao_blackwell.mean).unwrap();
    let rb_auc_ml = if rb_auc.member_has_larger_variance() {
        rb_auc.auc()
    } else {
        1.0 - rb_auc.auc()
    };
    let mix_auc = (sim.auc_member_larger_finite_n - rb_auc_ml).abs();
    println!(
        "{label:<34} finite-n mixture: Adv {:.5} AUC_ml {:.5}",
        sim.advantage_finite_n, sim.auc_member_larger_finite_n
    );
    check(
        &label,
        "AUC (MW)",
        sim.auc_member_larger,
        auc_ml,
        aadv + mix_auc,
    );
    let te = m.utility().unwrap().test_risk;
    check(
        &label,
        "test error",
        PointEstimate::from(&sim.test_error),
        te,
        (a0 / th.v0) * te,
    );
}

/// Loss-threshold attack: S, advantage (two estimators), AUC, test error.
fn loss_point(gamma: f64, kappa: f64, lambda: f64, n: usize, trials: usize) {
    let m = model(gamma, kappa, 1.0, lambda);
    let th = m.loss_attack().unwrap();
    let sim = MembershipSimulation {
        n,
        trials,
        seed: 99,
    }
    .check()
    .unwrap()
    .loss_attack(&m)
    .unwrap();
    let label = format!("loss g={gamma} k={kappa} l={lambda} n={n}");
    // O(1/n) corrections (e.g. (1 - gamma) vs (n - p)/n and LOO on n - 1 points).
    let r = 2.0 / n as f64;
    check(&label, "S", sim.shrinkage, th.shrinkage, r);
    check(
        &label,
        "Adv (plug-in)",
        sim.advantage_plugin,
        th.advantage,
        r,
    );
    check(&label, "Adv (split)", sim.advantage_split, th.advantage, r);
    check(&label, "AUC (MW)", PointEstimate::from(&sim.auc), th.auc, r);
    check(
        &label,
        "test error",
        PointEstimate::from(&sim.nonmember_variance),
        th.nonmember_variance,
        2.0 * r * th.nonmember_variance,
    );
}

#[test]
fn output_attack_gamma_below_one_min_norm_misspecified() {
    output_point(0.5, 0.25, 1.0, 0.0, 100, 3000);
}

#[test]
fn output_attack_between_one_and_two_ridge() {
    output_point(1.5, 0.1, 0.5f64.sqrt(), 0.2, 100, 3000);
}

#[test]
fn output_attack_above_two_ridge_misspecified() {
    output_point(3.0, 0.25, 1.0, 1.0, 100, 3000);
}

#[test]
fn output_attack_above_two_min_norm_kappa_zero() {
    output_point(5.0, 0.0, 1.0, 0.0, 100, 3000);
}

#[test]
fn output_attack_vanishes_at_p_equal_2n_plus_1() {
    // kappa -> 0, lambda = 0: at p = 2n + 1 the finite-n expectations of V0 and V1 coincide.
    let n = 100;
    let m = model(2.01, 0.0, 1.0, 0.0);
    let sim = MembershipSimulation {
        n,
        trials: 3000,
        seed: 5,
    }
    .check()
    .unwrap()
    .output_attack(&m)
    .unwrap();
    assert_eq!(sim.p, 2 * n + 1);
    check(
        "output p=2n+1 k=0 l=0 n=100",
        "V1-V0 (RB)",
        PointEstimate {
            value: sim.v1_rao_blackwell.mean - sim.v0_rao_blackwell.mean,
            std_err: sim
                .v0_rao_blackwell
                .std_err
                .hypot(sim.v1_rao_blackwell.std_err),
        },
        0.0,
        0.0,
    );
    // Equal variances, but at finite n the non-member law is a scale mixture (the member law is
    // exactly N(0, 1 + sigma^2)), so the finite-n advantage is small but not 0: it is the
    // allowance for the sampled estimators.
    println!(
        "p = 2n+1: finite-n mixture Adv {:.5}, AUC_ml {:.5}",
        sim.advantage_finite_n, sim.auc_member_larger_finite_n
    );
    assert!(sim.advantage_finite_n < 0.05);
    check(
        "output p=2n+1 k=0 l=0 n=100",
        "Adv (RB)",
        sim.advantage_rao_blackwell,
        0.0,
        0.0,
    );
    check(
        "output p=2n+1 k=0 l=0 n=100",
        "Adv (split)",
        sim.advantage_split,
        0.0,
        sim.advantage_finite_n,
    );
    check(
        "output p=2n+1 k=0 l=0 n=100",
        "AUC (MW)",
        sim.auc_member_larger,
        0.5,
        (sim.auc_member_larger_finite_n - 0.5).abs(),
    );
    // The limit at gamma = 2 is exactly 0 (theory), and the finite formula at p = 2n+1 too.
    assert!(model(2.0, 0.0, 1.0, 0.0).output_attack().unwrap().advantage == 0.0);
    let fin = FiniteSize::new(n, 2 * n + 1, 10usize.pow(12), 1.0)
        .check()
        .unwrap();
    assert!(fin.output_attack_normalised().unwrap().advantage < 1e-5);
}

#[test]
fn loss_attack_points() {
    loss_point(0.5, 0.2, 0.0, 200, 150);
    loss_point(1.5, 0.0, 0.5, 200, 100);
    loss_point(4.0, 0.5, 10.0, 100, 200);
}

#[test]
fn loss_attack_auc_three_quarters_at_gamma_two_lambda_one() {
    let m = model(2.0, 0.3, 1.0, 1.0);
    assert!((m.loss_attack().unwrap().auc - 0.75).abs() < 1e-15);
    loss_point(2.0, 0.3, 1.0, 200, 150);
}

#[test]
fn loss_attack_is_perfect_against_the_interpolator() {
    let sim = MembershipSimulation {
        n: 50,
        trials: 10,
        seed: 3,
    }
    .check()
    .unwrap()
    .loss_attack(&model(3.0, 0.0, 1.0, 0.0))
    .unwrap();
    assert!(sim.member_variance.mean < 1e-20);
    assert_eq!(sim.advantage_split.value, 1.0);
    assert_eq!(sim.auc.mean, 1.0);
}

#[test]
fn naive_max_threshold_bias_matches_the_note() {
    // Notes §6.2: with T samples per class and true advantage 0, the maximum over thresholds
    // has mean ~ E sup|Brownian bridge| sqrt(2/T) = sqrt(pi/2) ln 2 sqrt(2/T) ~ 1.23/sqrt(T);
    // the split-threshold estimator on the same data is centred at 0.
    let t = 2000;
    let reps = 300;
    let mut naive = Vec::with_capacity(reps);
    let mut split = Vec::with_capacity(reps);
    for r in 0..reps {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1000 + r as u64);
        let mut draw = || -> Vec<f64> {
            (0..t)
                .map(|_| rng.sample::<f64, _>(StandardNormal).abs())
                .collect()
        };
        let (a, b) = (draw(), draw());
        naive.push(max_threshold_advantage(&a, &b));
        split.push(split_threshold_advantage(&a, &b).unwrap().value);
    }
    let mean_se = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        (m, s / (v.len() as f64).sqrt())
    };
    let (mn, sn) = mean_se(&naive);
    let (ms, ss) = mean_se(&split);
    let predicted = (std::f64::consts::PI / 2.0).sqrt() * 2f64.ln() * (2.0 / t as f64).sqrt();
    println!(
        "naive KS mean {mn:.5} +- {sn:.5}, predicted {predicted:.5}; split {ms:.5} +- {ss:.5}"
    );
    // The KS mean approaches its limit from below like O(1/sqrt T): allow 6% plus 4 SE.
    assert!((mn - predicted).abs() < 0.06 * predicted + 4.0 * sn);
    assert!(mn > 0.8 * predicted);
    assert!(ms.abs() < 4.0 * ss);
    // At a true advantage > 0 the naive bias is smaller but still positive (notes: T = 1e3 gives
    // 0.3356 at true A(4) = 0.3227).
    let truth = ScaleTest::new(4.0, 1.0).unwrap().advantage();
    let mut excess = Vec::new();
    for r in 0..200 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5000 + r as u64);
        let m: Vec<f64> = (0..1000)
            .map(|_| 2.0 * rng.sample::<f64, _>(StandardNormal).abs())
            .collect();
        let nm: Vec<f64> = (0..1000)
            .map(|_| rng.sample::<f64, _>(StandardNormal).abs())
            .collect();
        excess.push(max_threshold_advantage(&m, &nm) - truth);
    }
    let (me, se) = mean_se(&excess);
    println!("naive excess at A = {truth:.4}: {me:.5} +- {se:.5} (note: ~0.013)");
    assert!(me > 0.0 && (me - 0.0129).abs() < 4.0 * se + 0.003);
}

#[test]
fn mann_whitney_standard_error_matches_hanley_mcneil_at_half() {
    // Under equal laws the AUC SE is sqrt((m + n + 1)/(12 m n)).
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
    let a: Vec<f64> = (0..3000).map(|_| rng.sample(StandardNormal)).collect();
    let b: Vec<f64> = (0..3000).map(|_| rng.sample(StandardNormal)).collect();
    let e = mann_whitney_auc(&a, &b).unwrap();
    let exact = (6001.0_f64 / (12.0 * 3000.0 * 3000.0)).sqrt();
    assert!((e.std_err / exact - 1.0).abs() < 0.05);
    assert!((e.value - 0.5).abs() < 4.0 * exact);
}

#[test]
fn reproducible_whatever_the_thread_count() {
    let m = model(3.0, 0.2, 1.0, 0.5);
    let sim = MembershipSimulation {
        n: 40,
        trials: 40,
        seed: 11,
    }
    .check()
    .unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| (sim.output_attack(&m).unwrap(), sim.loss_attack(&m).unwrap()))
    };
    let (o1, l1) = run(1);
    let (o3, l3) = run(3);
    assert_eq!(o1, o3);
    assert_eq!(l1, l3);
    let other = MembershipSimulation {
        n: 40,
        trials: 40,
        seed: 12,
    }
    .check()
    .unwrap();
    assert_ne!(
        other.output_attack(&m).unwrap().member_outputs,
        o1.member_outputs
    );
}

#[test]
fn invalid_settings_are_rejected() {
    use overparam::Error;
    assert!(matches!(
        MembershipSimulation {
            n: 1,
            trials: 10,
            seed: 0
        }
        .check(),
        Err(Error::InvalidParameter { name: "n", .. })
    ));
    assert!(matches!(
        MembershipSimulation {
            n: 10,
            trials: 3,
            seed: 0
        }
        .check(),
        Err(Error::InvalidParameter { name: "trials", .. })
    ));
    // p = round(gamma n) = n with lambda = 0 is singular.
    let sim = MembershipSimulation {
        n: 10,
        trials: 10,
        seed: 0,
    }
    .check()
    .unwrap();
    assert!(sim.output_attack(&model(1.02, 0.0, 1.0, 0.0)).is_err());
}

#[test]
fn output_noise_defence_matches_theory() {
    // tau = 1 added to every released output: V0, V1 shift by tau^2, the advantage shrinks.
    let m = Membership {
        gamma: 4.0,
        kappa: 0.2,
        noise_sd: 1.0,
        lambda: 0.0,
        output_noise: 1.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    let th = m.output_attack().unwrap();
    let sim = MembershipSimulation {
        n: 100,
        trials: 2000,
        seed: 8,
    }
    .check()
    .unwrap()
    .output_attack(&m)
    .unwrap();
    let fin = FiniteSize::new(100, 400, 2000, 1.0)
        .check()
        .unwrap()
        .output_attack_normalised()
        .unwrap();
    let a0 = (fin.v0 + 1.0 - th.v0).abs();
    let label = "output g=4 k=0.2 l=0 tau=1 n=100";
    check(
        label,
        "V0 (RB)",
        PointEstimate::from(&sim.v0_rao_blackwell),
        th.v0,
        a0,
    );
    check(
        label,
        "V0 (sampled)",
        PointEstimate::from(&sim.v0),
        th.v0,
        a0,
    );
    check(
        label,
        "V1 (sampled)",
        PointEstimate::from(&sim.v1),
        th.v1,
        0.0,
    );
    check(
        label,
        "Adv (split)",
        sim.advantage_split,
        th.advantage,
        0.01,
    );
    let loss = MembershipSimulation {
        n: 100,
        trials: 100,
        seed: 8,
    }
    .check()
    .unwrap()
    .loss_attack(&m)
    .unwrap();
    let lt = m.loss_attack().unwrap();
    check(
        "loss g=4 k=0.2 l=0 tau=1 n=100",
        "Adv (plug-in)",
        loss.advantage_plugin,
        lt.advantage,
        0.02,
    );
    check(
        "loss g=4 k=0.2 l=0 tau=1 n=100",
        "AUC (MW)",
        PointEstimate::from(&loss.auc),
        lt.auc,
        0.02,
    );
}

#[test]
fn membership_statistics_refuse_nan_scores_and_survive_huge_ones() {
    // Found by the library fuzz (issue 13): a NaN score made the threshold search never return,
    // and squares of scores near 1e141 gave the plug-in advantage a NaN standard error in Ok.
    use overparam::sim::membership::{
        gaussian_plugin_advantage, mann_whitney_auc, max_threshold_advantage,
        split_threshold_advantage,
    };
    let member = [0.5, f64::NAN, 1.0, 2.0, -1.0];
    let nonmember = [0.1, 0.2, -0.3, 0.4, 0.0];
    assert!(max_threshold_advantage(&member, &nonmember).is_nan());
    for r in [
        split_threshold_advantage(&member, &nonmember),
        mann_whitney_auc(&member, &nonmember),
        gaussian_plugin_advantage(&member, &nonmember),
    ] {
        assert!(
            matches!(
                r,
                Err(overparam::Error::InvalidParameter {
                    name: "member_scores",
                    ..
                })
            ),
            "{r:?}"
        );
    }
    let big = [1.3e141, -2.0e140, 1e16, 5e140, -7e140];
    let est = gaussian_plugin_advantage(&big, &nonmember).unwrap();
    assert!(est.value.is_finite() && est.std_err.is_finite(), "{est:?}");
    // Scale invariance of the plug-in: the same scores divided by 1e140 give the same advantage.
    let small: Vec<f64> = big.iter().map(|x| x / 1e140).collect();
    let non_small: Vec<f64> = nonmember.iter().map(|x| x / 1e140).collect();
    let reference = gaussian_plugin_advantage(&small, &non_small).unwrap();
    assert!(
        (est.value - reference.value).abs() < 1e-12,
        "{est:?} {reference:?}"
    );
}
