//! The `overparam membership` command-line contract.

mod common;

use common::json_lines;

/// Run `overparam membership ARGS`.
fn run(args: &[&str]) -> (i32, String, String) {
    common::run(&[&["membership"], args].concat())
}

use overparam::theory::membership::Membership;

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn output_attack_single_point_matches_library() {
    let (code, out, err) = run(&[
        "--gamma", "3", "--lambda", "1", "--kappa", "0.25", "--sigma", "0.5", "--attack", "output",
        "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let m = Membership {
        gamma: 3.0,
        kappa: 0.25,
        noise_sd: 0.5,
        lambda: 1.0,
        output_noise: 0.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    let a = m.output_attack().unwrap();
    let u = m.utility().unwrap();
    for (key, want) in [
        ("advantage", a.advantage),
        ("auc", a.auc),
        ("v0", a.v0),
        ("v1", a.v1),
        ("tpr_at_fpr_0_01", a.test.tpr_at_fpr(0.01).unwrap()),
        ("test_error", u.test_risk),
    ] {
        assert_eq!(num(&v[0], key), want, "{key}");
    }
    assert_eq!(v[0]["attack"], "output");
}

#[test]
fn loss_attack_auc_is_three_quarters_at_gamma_two_lambda_one() {
    let (code, out, err) = run(&[
        "--gamma", "2", "--lambda", "1", "--attack", "loss", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert!((num(&v[0], "auc") - 0.75).abs() < 1e-15);
    assert!((num(&v[0], "shrinkage") - (2f64.sqrt() - 1.0)).abs() < 1e-15);
    assert!(num(&v[0], "tpr_at_fpr_0_01") > 0.01);
}

#[test]
fn ranges_print_one_record_per_point_and_flag_the_singular_point() {
    let (code, out, err) = run(&[
        "--gamma", "0.5:2:3", "--lambda", "0.1:1:2", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 6);
    let gammas: Vec<f64> = v.iter().take(3).map(|r| num(r, "gamma")).collect();
    assert!((gammas[1] - 1.0).abs() < 1e-12 && gammas[0] == 0.5 && gammas[2] == 2.0);
    // gamma = 1 with lambda = 0 inside a sweep: a record with an error, not a failure.
    let (code, out, _) = run(&["--gamma", "0.5:2:3", "--format", "json"]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert!(v[1]["advantage"].is_null() && v[1]["error"].as_str().unwrap().contains("gamma"));
    assert!(num(&v[2], "advantage") < 1e-15); // gamma = 2, kappa = 0: exactly 0
}

#[test]
fn bad_input_is_one_line_naming_the_flag_with_status_2() {
    for (args, flag) in [
        (vec!["--gamma", "1"], "--gamma"),
        (vec!["--gamma", "2", "--kappa", "1.5"], "--kappa"),
        (vec!["--gamma", "2", "--sigma", "-1"], "--sigma"),
        (vec!["--gamma", "2", "--lambda", "-0.5"], "--lambda"),
        (vec!["--gamma", "abc"], "--gamma"),
        (vec!["--gamma", "2", "--attack", "oracle"], "--attack"),
        (
            vec!["--gamma", "2", "--simulate", "--trials", "2"],
            "--trials",
        ),
        (vec!["--gamma", "2", "--simulate", "--n", "1"], "--n"),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn simulate_adds_values_with_standard_errors_reproducibly() {
    let args = [
        "--gamma",
        "4",
        "--kappa",
        "0.2",
        "--simulate",
        "--n",
        "60",
        "--trials",
        "400",
        "--seed",
        "3",
        "--format",
        "json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let (_, again, _) = run(&args);
    assert_eq!(out, again, "same seed, same output");
    let v = &json_lines(&out)[0];
    for key in ["sim_advantage", "sim_auc", "sim_v0", "sim_test_error"] {
        let se = num(v, &format!("{key}_se"));
        assert!(se > 0.0 && se.is_finite(), "{key}");
    }
    // gamma > 1, lambda = 0: a member is interpolated, so its conditional output variance is
    // kappa + s^2 = 1 + sigma^2 in every trial (standard error 0 up to rounding).
    assert!((num(v, "sim_v1") - 2.0).abs() < 1e-12 && num(v, "sim_v1_se") < 1e-12);
    // Theory agrees with the simulation (4 SE plus a 3% finite-size allowance).
    for (th, sim) in [
        ("v0", "sim_v0"),
        ("v1", "sim_v1"),
        ("advantage", "sim_advantage"),
        ("auc", "sim_auc"),
    ] {
        let (t, s, se) = (num(v, th), num(v, sim), num(v, &format!("{sim}_se")));
        assert!(
            (t - s).abs() <= 4.0 * se + 0.03 * t,
            "{th}: {t} vs {s} +- {se}"
        );
    }
    assert_eq!(v["p"], 240);
}

#[test]
fn simulate_reports_the_library_estimator_and_keeps_the_old_keys_meaning() {
    let (code, out, err) = run(&[
        "--gamma",
        "2",
        "--lambda",
        "0.5",
        "--simulate",
        "--n",
        "40",
        "--trials",
        "20",
        "--seed",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    let sim = overparam::sim::membership::MembershipAttackSimulation {
        model: Membership {
            gamma: 2.0,
            lambda: 0.5,
            ..Default::default()
        },
        n: 40,
        attack: overparam::sim::membership::Attack::Output,
    }
    .check()
    .unwrap();
    let r = sim
        .run(&overparam::experiment::RunOptions {
            seed: 4,
            trials: 20,
            progress: false,
        })
        .unwrap();
    let out = r.output.as_ref().unwrap();
    // Equal up to the JSON parser's last-bit rounding (serde_json without float_roundtrip).
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs();
    // The join's advantage is the library's reported estimator (the Rao-Blackwellised plug-in
    // for the output attack) ...
    assert!(close(num(v, "sim_mean"), r.advantage.value), "sim_mean");
    assert!(close(num(v, "sim_se"), r.advantage.std_err), "sim_se");
    assert_eq!(r.advantage, out.advantage_rao_blackwell);
    assert!(close(num(v, "sim_auc"), r.auc.value), "sim_auc");
    // ... while the deprecated sim_advantage keeps its 0.1 meaning, the split-threshold one.
    assert!(
        close(num(v, "sim_advantage"), out.advantage_split.value),
        "sim_advantage"
    );
    assert!(
        close(num(v, "sim_advantage_se"), out.advantage_split.std_err),
        "sim_advantage_se"
    );
    assert!(
        close(num(v, "sim_test_error"), r.test_risk.mean),
        "sim_test_error"
    );
    assert!(
        close(num(v, "sim_test_risk"), r.test_risk.mean),
        "sim_test_risk"
    );
    assert_eq!(v["trials"], 20);
}
