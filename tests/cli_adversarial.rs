//! The `overparam adversarial` command-line contract.

mod common;

use common::{json_lines, run};

use overparam::theory::adversarial::{AdversarialLinear, AdversarialRf};

#[test]
fn single_point_prints_all_documented_fields() {
    let (code, out, err) = run(&[
        "adversarial",
        "--psi1",
        "3",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--tau2",
        "0.25",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    for key in [
        "standard_error",
        "robust_error",
        "train_loss",
        "zero_residual_fraction",
        "eps0",
        "alpha",
        "tau_g",
        "beta",
        "gamma",
        "tau_q",
        "nu",
        "lambda",
        "residual",
        "adversarial_norm",
    ] {
        assert!(v[0][key].is_number(), "{key}");
    }
    // Independent reference: docs/adversarial.md#derivation-notes-reference-values (saddle table), psi1 = 3 row.
    assert!((v[0]["standard_error"].as_f64().unwrap() - 1.0841357).abs() < 1e-6);
    assert!((v[0]["robust_error"].as_f64().unwrap() - 1.93147921).abs() < 1e-7);
    assert!((v[0]["train_loss"].as_f64().unwrap() - 0.105859181).abs() < 1e-8);
    assert!(v[0]["residual"].as_f64().unwrap() < 1e-10);
}

#[test]
fn eps_test_changes_only_the_robust_error() {
    let (code, out, _) = run(&[
        "adversarial",
        "--psi1",
        "10",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--eps-test",
        "0.6",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    // docs/adversarial.md#derivation-notes-reference-values: AR at eps_test = 2 eps, psi1 = 10.
    assert!((v[0]["robust_error"].as_f64().unwrap() - 1.720397).abs() < 2e-6);
    assert!((v[0]["standard_error"].as_f64().unwrap() - 0.862755057).abs() < 1e-8);
}

#[test]
fn ranges_print_one_record_per_point_and_match_the_library() {
    let (code, out, err) = run(&[
        "adversarial",
        "--psi1",
        "0.5:5:7",
        "--psi2",
        "2",
        "--eps",
        "0.1:0.3:2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 14);
    for rec in &v {
        let want = AdversarialRf {
            noise_sd: 0.5,
            psi1: rec["psi1"].as_f64().unwrap(),
            psi2: 2.0,
            eps: rec["eps"].as_f64().unwrap(),
            eps_test: None,
            ..AdversarialRf::default()
        }
        .check()
        .unwrap()
        .solve()
        .unwrap();
        let got = rec["robust_error"].as_f64().unwrap();
        assert!((got - want.robust_test_risk).abs() < 1e-9 * want.robust_test_risk);
    }
}

#[test]
fn linear_model_from_the_command_line() {
    let (code, out, err) = run(&[
        "adversarial",
        "--linear",
        "--delta",
        "2",
        "--eps",
        "0.3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    // docs/adversarial.md#derivation-notes-reference-values (linear model): delta = 2, eps = 0.3.
    assert!((v[0]["standard_error"].as_f64().unwrap() - 0.431805).abs() < 2e-6);
    assert!((v[0]["robust_error"].as_f64().unwrap() - 0.798831).abs() < 2e-6);
    assert!((v[0]["theta_norm"].as_f64().unwrap() - 0.922984).abs() < 2e-6);
    let lib = AdversarialLinear::default()
        .check()
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!(v[0]["train_loss"].as_f64(), Some(lib.train_loss));
    // Range over delta.
    let (code, out, _) = run(&[
        "adversarial",
        "--linear",
        "--delta",
        "0.5:4:4",
        "--eps",
        "0.3",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 5);
}

#[test]
fn zero_solution_regime() {
    let (code, out, _) = run(&[
        "adversarial",
        "--psi1",
        "0.5",
        "--psi2",
        "2",
        "--eps",
        "0.8",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    // eps0 = 0.726495 < 0.8: theta = 0, SR = AR = 1 + tau^2.
    assert_eq!(v[0]["standard_error"].as_f64(), Some(1.25));
    assert_eq!(v[0]["robust_error"].as_f64(), Some(1.25));
    assert!(v[0]["alpha"].is_null());
}

#[test]
fn bad_input_names_the_flag_and_exits_2() {
    for (args, flag) in [
        (
            vec!["--psi1", "-1", "--psi2", "2", "--eps", "0.3"],
            "--psi1",
        ),
        (vec!["--psi1", "1", "--psi2", "0", "--eps", "0.3"], "--psi2"),
        (vec!["--psi1", "1", "--psi2", "2", "--eps", "0"], "--eps"),
        (
            vec![
                "--psi1",
                "1",
                "--psi2",
                "2",
                "--eps",
                "0.3",
                "--eps-test",
                "-1",
            ],
            "--eps-test",
        ),
        (
            vec![
                "--psi1", "1", "--psi2", "2", "--eps", "0.3", "--tau2", "nan",
            ],
            "--tau2",
        ),
        (vec!["--psi2", "2", "--eps", "0.3"], "--psi1"),
        (vec!["--linear", "--eps", "0.3"], "--delta"),
        (vec!["--linear", "--delta", "-2", "--eps", "0.3"], "--delta"),
        (vec!["--psi1", "1", "--psi2", "2", "--eps", "abc"], "--eps"),
    ] {
        let mut full = vec!["adversarial"];
        full.extend(args.iter());
        let (code, out, err) = run(&full);
        assert_eq!(code, 2, "{full:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(flag), "{full:?}: {err}");
    }
}

#[test]
fn simulate_adds_values_with_standard_errors() {
    let (code, out, err) = run(&[
        "adversarial",
        "--psi1",
        "0.5",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--simulate",
        "--d",
        "40",
        "--trials",
        "3",
        "--seed",
        "11",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let want = overparam::sim::adversarial::AdversarialRfSimulation {
        model: overparam::theory::adversarial::AdversarialRf {
            psi1: 0.5,
            psi2: 2.0,
            noise_sd: 0.5,
            eps: 0.3,
            eps_test: Some(0.3),
            ..Default::default()
        },
        d: 40,
    }
    .check()
    .unwrap()
    .run(&overparam::experiment::RunOptions {
        seed: 11,
        trials: 3,
        progress: false,
    })
    .unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    // The deprecated keys of 0.1 keep their meaning: sim_standard_error is the simulated test
    // risk, sim_robust_error the robust test risk; the join fields carry the same numbers.
    assert!(close(
        v[0]["sim_standard_error"].as_f64().unwrap(),
        want.test_risk.mean
    ));
    assert!(close(
        v[0]["sim_test_risk"].as_f64().unwrap(),
        want.test_risk.mean
    ));
    assert!(close(
        v[0]["sim_robust_error_se"].as_f64().unwrap(),
        want.robust_test_risk.std_err
    ));
    assert!(close(
        v[0]["sim_se"].as_f64().unwrap(),
        want.robust_test_risk.std_err
    ));
    assert!(v[0]["sim_zero_residual_fraction"].is_number());
    assert_eq!(v[0]["sim_trials"].as_u64(), Some(3));
    // sim_robust_error_z (deprecated) is against the nominal theory, as in 0.1.
    let z = (want.robust_test_risk.mean - v[0]["robust_error"].as_f64().unwrap())
        / want.robust_test_risk.std_err;
    assert!((v[0]["sim_robust_error_z"].as_f64().unwrap() - z).abs() < 1e-9);
    // Linear model too.
    let (code, out, _) = run(&[
        "adversarial",
        "--linear",
        "--delta",
        "2",
        "--eps",
        "0.3",
        "--simulate",
        "--d",
        "50",
        "--trials",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    assert!(v[0]["sim_standard_error_se"].as_f64().unwrap() > 0.0);
    let (code, _, err) = run(&[
        "adversarial",
        "--psi1",
        "1",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--simulate",
        "--trials",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--trials"));
}
