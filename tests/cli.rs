//! The command-line contract (later issues and users rely on it).

mod common;

use common::{json_lines, run};

use overparam::theory::random_features::RandomFeatures;

#[test]
fn rf_single_point_json_matches_library() {
    let (code, out, err) = run(&[
        "rf", "--psi1", "2", "--psi2", "3", "--lambda", "0.1", "--tau", "0.5", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let want = RandomFeatures {
        psi1: 2.0,
        psi2: 3.0,
        lambda: 0.1,
        noise_sd: 0.5,
        ..Default::default()
    }
    .check()
    .unwrap()
    .risk()
    .unwrap();
    for (key, value) in [
        ("test_error", want.test_error),
        ("train_error", want.train_error),
        ("bias", want.bias),
        ("variance", want.variance),
    ] {
        assert_eq!(v[0][key].as_f64(), Some(value), "{key}");
    }
    // Independent reference: docs/random_features.md#derivation-notes-reference-values case A, lambda = 0.1.
    assert!((v[0]["test_error"].as_f64().unwrap() - 0.44495).abs() < 1e-5);
}

#[test]
fn rf_range_prints_one_json_object_per_point() {
    let (code, out, _) = run(&[
        "rf",
        "--psi1",
        "0.1:10:200",
        "--psi2",
        "3",
        "--lambda",
        "1e-3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    assert_eq!(v.len(), 200);
    let first = v[0]["psi1"].as_f64().unwrap();
    let last = v[199]["psi1"].as_f64().unwrap();
    assert!((first - 0.1).abs() < 1e-15 && (last - 10.0).abs() < 1e-12);
    // Log-spaced: constant ratio between neighbours.
    let r1 = v[1]["psi1"].as_f64().unwrap() / first;
    let r2 = last / v[198]["psi1"].as_f64().unwrap();
    assert!((r1 - r2).abs() < 1e-12);
}

#[test]
fn rf_csv_has_header_and_rows() {
    let (code, out, _) = run(&[
        "rf", "--psi1", "1:4:4", "--psi2", "2", "--lambda", "0.01", "--format", "csv",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5);
    let header: Vec<&str> = lines[0].split(',').collect();
    for key in ["psi1", "test_error", "train_error", "bias", "variance"] {
        assert!(header.contains(&key), "missing {key}");
    }
}

#[test]
fn rf_sweep_through_ridgeless_threshold_marks_the_point() {
    let (code, out, _) = run(&[
        "rf",
        "--psi1",
        "lin:2:4:3",
        "--psi2",
        "3",
        "--lambda",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    assert!(v[1]["test_error"].is_null() && v[1]["error"].is_string());
    assert!(v[0]["test_error"].as_f64().unwrap().is_finite());
}

#[test]
fn bad_input_is_one_line_naming_the_flag_with_status_2() {
    for (args, flag) in [
        (
            &["rf", "--psi1", "abc", "--psi2", "3", "--lambda", "1"][..],
            "--psi1",
        ),
        (
            &["rf", "--psi1", "-1", "--psi2", "3", "--lambda", "1"][..],
            "--psi1",
        ),
        (
            &["rf", "--psi1", "1", "--psi2", "3", "--lambda", "-1"][..],
            "--lambda",
        ),
        (
            &[
                "rf", "--psi1", "1", "--psi2", "3", "--lambda", "1", "--tau", "nan",
            ][..],
            "--tau",
        ),
        (
            &[
                "rf",
                "--psi1",
                "1",
                "--psi2",
                "3",
                "--lambda",
                "1",
                "--activation",
                "foo",
            ][..],
            "--activation",
        ),
        (
            &[
                "rf", "--psi1", "1", "--psi2", "3", "--lambda", "1", "--bogus",
            ][..],
            "--bogus",
        ),
        (&["rf", "--psi2", "3", "--lambda", "1"][..], "--psi1"),
        // The library names the field noise_sd; the message names the flag.
        (
            &[
                "rf",
                "--psi1",
                "1",
                "--psi2",
                "3",
                "--lambda",
                "1",
                "--noise-sd",
                "-1",
            ][..],
            "--noise-sd",
        ),
        // A degenerate activation is the library's InvalidChoice, reported against the flag.
        (
            &[
                "rf",
                "--psi1",
                "1",
                "--psi2",
                "3",
                "--lambda",
                "1",
                "--activation",
                "linear",
            ][..],
            "--activation",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn rf_optimal_lambda_flag_reports_the_minimiser() {
    let (code, out, err) = run(&[
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--tau",
        "0.5",
        "--optimal-lambda",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let lambda = v[0]["lambda"].as_f64().unwrap();
    let best = v[0]["test_error"].as_f64().unwrap();
    // Neighbouring penalties are worse (independent check of the minimum).
    for factor in [0.8, 1.25] {
        let r = RandomFeatures {
            psi1: 2.0,
            psi2: 3.0,
            lambda: lambda * factor,
            noise_sd: 0.5,
            ..Default::default()
        }
        .check()
        .unwrap()
        .risk()
        .unwrap();
        assert!(
            r.test_error > best,
            "lambda*{factor}: {} <= {best}",
            r.test_error
        );
    }
    let (code, _, err) = run(&[
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--optimal-lambda",
        "--lambda",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--lambda") && err.contains("--optimal-lambda"));
}

#[test]
fn ridge_json_matches_closed_forms() {
    // Min-norm, gamma = 1.5, lambda = 0: B = r^2 (1 - 1/gamma), V = sigma^2 / (gamma - 1) (HMRT).
    let (code, out, err) = run(&[
        "ridge", "--gamma", "1.5", "--lambda", "0", "--snr", "2", "--sigma", "0.5", "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let r2 = 2.0 * 0.25;
    assert!((v[0]["bias"].as_f64().unwrap() - r2 / 3.0).abs() < 1e-14);
    assert!((v[0]["variance"].as_f64().unwrap() - 0.25 / 0.5).abs() < 1e-14);
    assert!(
        v[0]["train_error"].as_f64().unwrap().abs() < 1e-14,
        "interpolation"
    );
    for key in ["test_error", "train_error", "bias", "variance"] {
        assert!(v[0][key].is_f64(), "{key}");
    }
}

#[test]
fn ridge_sweep_marks_the_interpolation_threshold_and_bad_values_fail() {
    let (code, out, _) = run(&[
        "ridge",
        "--gamma",
        "lin:0.5:1.5:3",
        "--lambda",
        "0",
        "--snr",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert!(v[1]["test_error"].is_null() && v[1]["error"].is_string());
    // OLS variance sigma^2 gamma / (1 - gamma) at gamma = 0.5.
    assert!((v[0]["test_error"].as_f64().unwrap() - 1.0).abs() < 1e-14);
    for (args, flag) in [
        (
            &["ridge", "--gamma", "0", "--lambda", "1", "--snr", "1"][..],
            "--gamma",
        ),
        (
            &["ridge", "--gamma", "1", "--lambda", "0", "--snr", "1"][..],
            "--lambda",
        ),
        (
            &["ridge", "--gamma", "2", "--lambda", "1", "--snr", "-1"][..],
            "--snr",
        ),
        (
            &[
                "ridge", "--gamma", "2", "--lambda", "1", "--snr", "1", "--sigma", "0",
            ][..],
            "--sigma",
        ),
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1);
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn rf_simulate_adds_simulation_fields_reproducibly() {
    let args = [
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--lambda",
        "0.1",
        "--tau",
        "0.5",
        "--simulate",
        "--d",
        "60",
        "--trials",
        "3",
        "--seed",
        "7",
        "--test-points",
        "300",
        "--format",
        "json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    let (mean, se, z) = (
        v["sim_mean"].as_f64().unwrap(),
        v["sim_se"].as_f64().unwrap(),
        v["z"].as_f64().unwrap(),
    );
    let theory = v["theory_realised"].as_f64().unwrap();
    assert!(se > 0.0 && ((mean - theory) / se - z).abs() < 1e-9 * z.abs().max(1.0));
    // Theory at psi = (2, 3), lambda = 0.1 is 0.44495 (docs/random_features.md#derivation-notes-reference-values); d = 60 is within a few %.
    assert!((mean / 0.44495 - 1.0).abs() < 0.05, "sim mean {mean}");
    assert_eq!(v["trials"].as_u64(), Some(3));
    // Same seed: identical output; another seed: a different sample.
    let (_, again, _) = run(&args);
    assert_eq!(out, again);
    let mut other = args;
    let seed_at = args.iter().position(|a| *a == "--seed").unwrap() + 1;
    other[seed_at] = "8";
    let (_, different, _) = run(&other);
    assert_ne!(json_lines(&different)[0]["sim_mean"], v["sim_mean"]);
}

#[test]
fn ridge_simulate_adds_simulation_fields() {
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "2",
        "--simulate",
        "--n",
        "200",
        "--trials",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    for key in ["sim_mean", "sim_se", "z", "sim_train_mean"] {
        assert!(v[key].is_f64(), "{key}");
    }
    assert!(v["z"].as_f64().unwrap().abs() < 6.0, "{v}");
    let (code, _, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "2",
        "--simulate",
        "--trials",
        "0",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--trials"));
}
