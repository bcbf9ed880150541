//! The `overparam dynamics --model rf` contract: fields equal to the library's, curves over time,
//! simulation join fields, errors naming the flag.

mod common;

use common::{json_lines, run};
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::rf_dynamics::RfDynamics;

fn library(psi1: f64, psi2: f64, time: f64) -> overparam::theory::rf_dynamics::RfDynamicsRisk {
    RfDynamics {
        model: RandomFeatures {
            psi1,
            psi2,
            lambda: 0.0,
            f1: 1.0,
            f_star: 0.0,
            noise_sd: 0.5,
            ..Default::default()
        },
        ..Default::default()
    }
    .check()
    .unwrap()
    .at(time)
    .unwrap()
}

#[test]
fn gradient_flow_point_matches_the_library() {
    let (code, out, err) = run(&[
        "dynamics",
        "--model",
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "1.5",
        "--lambda",
        "0",
        "--tau",
        "0.5",
        "--algorithm",
        "gradient-flow",
        "--time",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let want = library(2.0, 1.5, 3.0);
    for (key, value) in [
        ("test_error", want.test_error),
        ("train_error", want.train_error),
        ("bias", want.bias),
        ("variance", want.variance),
    ] {
        assert_eq!(v[0][key].as_f64(), Some(value), "{key}");
    }
    assert_eq!(v[0]["model"], "rf");
    assert_eq!(v[0]["activation"], "relu");
    assert_eq!(v[0]["noise_sd"].as_f64(), Some(0.5));
    assert_eq!(v[0]["time"].as_f64(), Some(3.0));
}

#[test]
fn a_time_range_is_a_curve() {
    let (code, out, err) = run(&[
        "dynamics",
        "--model",
        "rf",
        "--psi1",
        "0.5",
        "--psi2",
        "1.5",
        "--lambda",
        "0",
        "--tau",
        "0.5",
        "--time",
        "0.1:100:4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 4);
    for r in &v {
        let t = r["time"].as_f64().unwrap();
        let want = library(0.5, 1.5, t);
        assert!((r["test_error"].as_f64().unwrap() - want.test_error).abs() < 1e-9);
    }
}

#[test]
fn simulate_adds_the_join_fields() {
    let (code, out, err) = run(&[
        "dynamics",
        "--model",
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "1.5",
        "--lambda",
        "0",
        "--tau",
        "0.5",
        "--time",
        "2",
        "--simulate",
        "--d",
        "40",
        "--trials",
        "4",
        "--test-points",
        "200",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    for key in ["sim_mean", "sim_se", "theory_realised", "z", "allowance"] {
        assert!(v[0][key].is_f64(), "{key}: {}", v[0]);
    }
    assert!(v[0]["agrees"].is_boolean());
    assert_eq!(v[0]["d"].as_u64(), Some(40));
    assert_eq!(v[0]["num_features"].as_u64(), Some(80));
    assert_eq!(v[0]["n"].as_u64(), Some(60));
    assert!(v[0]["sim_train_error"].is_f64());
}

#[test]
fn errors_name_the_flag() {
    for (args, needle) in [
        (
            vec!["dynamics", "--model", "rf", "--psi2", "1.5", "--time", "1"],
            "--psi1",
        ),
        (
            vec![
                "dynamics", "--model", "rf", "--psi1", "-1", "--psi2", "1.5", "--time", "1",
            ],
            "--psi1",
        ),
        (
            vec!["dynamics", "--model", "rf", "--psi1", "2", "--psi2", "1.5"],
            "--time",
        ),
        (
            vec![
                "dynamics", "--model", "rf", "--psi1", "2", "--psi2", "1.5", "--time", "1",
                "--gamma", "2",
            ],
            "--gamma",
        ),
        (
            vec![
                "dynamics",
                "--model",
                "rf",
                "--psi1",
                "2",
                "--psi2",
                "1.5",
                "--time",
                "1",
                "--early-stopping",
            ],
            "--early-stopping",
        ),
        (
            vec![
                "dynamics", "--gamma", "2", "--snr", "1", "--time", "1", "--psi1", "2",
            ],
            "--psi1",
        ),
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// `--model rf --early-stopping`: the library's optimum and Mei–Montanari's optimal ridge.
#[test]
fn early_stopping_matches_the_library() {
    let (code, out, err) = run(&[
        "dynamics",
        "--model",
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--early-stopping",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    let m = RfDynamics {
        model: RandomFeatures {
            psi1: 2.0,
            psi2: 3.0,
            lambda: 0.0,
            activation: overparam::gaussian::Activation::Relu,
            f1: 1.0,
            f_star: 0.0,
            noise_sd: 1.0,
            ..Default::default()
        },
        ..Default::default()
    }
    .check()
    .unwrap();
    let want = m.early_stopping().unwrap();
    let t = v["time"].as_f64().unwrap();
    assert!(
        (t - want.at_optimum.time).abs() <= 1e-9 * want.at_optimum.time,
        "{v}"
    );
    let got = v["test_error"].as_f64().unwrap();
    assert!((got - want.at_optimum.test_error).abs() <= 1e-12, "{v}");
    assert_eq!(v["stops_early"], true);
    let ridge = v["ridge_test_error"].as_f64().unwrap();
    assert!((ridge - want.ridge.risk.test_error).abs() <= 1e-12, "{v}");
    assert!(v["ratio_to_ridge"].as_f64().unwrap() >= 1.0, "{v}");
    // Without --early-stopping a time is still required.
    let (code, _, err) = run(&["dynamics", "--model", "rf", "--psi1", "2", "--psi2", "3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--time"), "{err}");
}
