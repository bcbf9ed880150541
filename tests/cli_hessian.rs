//! The `overparam hessian` command-line contract.

mod common;

use common::json_lines;

/// Run `overparam hessian ARGS`.
fn run(args: &[&str]) -> (i32, String, String) {
    common::run(&[&["hessian"], args].concat())
}

#[test]
fn type_a_d20_json() {
    let (code, out, err) = run(&["--family", "type-a", "--d", "20", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let r = &v[0];
    // §4.2 of the math notes, d = 20.
    assert!((r["loss"].as_f64().unwrap() - 0.01127558194758).abs() < 1e-12);
    assert!((r["params"]["D1"].as_f64().unwrap() + 0.8100205756126).abs() < 1e-11);
    assert_eq!(r["morse_index"].as_f64().unwrap(), 0.0);
    let spec = r["spectrum"].as_array().unwrap();
    assert_eq!(spec.len(), 12);
    let total: f64 = spec
        .iter()
        .map(|e| e["multiplicity"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 400.0);
    let first = &spec[0];
    assert!((first["value"].as_f64().unwrap() - 0.05509258142).abs() < 1e-10);
    assert_eq!(first["multiplicity"].as_f64().unwrap(), 18.0);
    assert_eq!(first["component"].as_str().unwrap(), "standard[0]");
}

#[test]
fn sweep_and_saddle_morse_index() {
    let (code, out, err) = run(&["--family", "type-a", "--d", "lin:4:6:3", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    // Below d* = 5.5855 the unstable block is the standard one, multiplicity d - 2.
    assert_eq!(v[0]["morse_index"].as_f64().unwrap(), 2.0);
    assert_eq!(v[1]["morse_index"].as_f64().unwrap(), 3.0);
    assert_eq!(v[2]["morse_index"].as_f64().unwrap(), 0.0);
}

#[test]
fn threshold_type_a() {
    let (code, out, err) = run(&["--family", "type-a", "--threshold", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert!((v[0]["d_star"].as_f64().unwrap() - 5.5855052474).abs() < 1e-9);
    assert_eq!(v[0]["component"].as_str().unwrap(), "standard[0]");
}

#[test]
fn gd_census_finds_global_and_type_a() {
    let (code, out, err) = run(&[
        "--gd", "--d", "8", "--runs", "12", "--seed", "1", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let total: u64 = v.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    let nc = v
        .first()
        .map_or(0, |r| r["not_converged"].as_u64().unwrap());
    assert_eq!(total + nc, 12);
    // The global minimum has zero loss and class sizes [8].
    assert!(
        v.iter()
            .any(|r| r["sizes"] == serde_json::json!([8]) && r["loss"].as_f64().unwrap() < 1e-12)
    );
    // Any [7,1] family found is the type A minimum of §4.1 (F = 0.0215080372).
    for r in &v {
        if r["sizes"] == serde_json::json!([7, 1]) {
            assert!((r["loss"].as_f64().unwrap() - 0.0215080372).abs() < 1e-9);
        }
    }
}

#[test]
fn bad_input_names_the_flag() {
    for (args, flag) in [
        (vec!["--family", "nope", "--d", "10"], "--family"),
        (vec!["--family", "flipped", "--d", "10"], "--m"),
        (vec!["--family", "type-a", "--d", "0.5"], "--d"),
        (vec!["--family", "type-a"], "--d"),
        (vec!["--gd", "--d", "7.5"], "--d"),
        (vec!["--gd", "--d", "8", "--runs", "0"], "--runs"),
        (vec!["--gd", "--d", "300", "--runs", "2"], "--d"),
        (vec!["--gd", "--d", "4:8:3"], "--d"),
        (
            vec!["--family", "type-a", "--d", "lin:4:5:3", "--simulate"],
            "--d",
        ),
        (vec!["--family", "type-a", "--d", "41", "--simulate"], "--d"),
        (vec!["--family", "type-a", "--d", "abc"], "--d"),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn simulate_checks_the_block_spectrum_against_the_dense_hessian() {
    let (code, out, err) = run(&[
        "--family",
        "type-a",
        "--d",
        "lin:4:8:3",
        "--simulate",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    for (r, morse) in v.iter().zip([2.0, 0.0, 0.0]) {
        // The primary metric is the smallest eigenvalue; the dense one is an independent
        // eigendecomposition of the d^2 x d^2 Hessian.
        assert_eq!(r["theory_realised"], r["min_eigenvalue"], "{r}");
        let (dense, block) = (
            r["sim_mean"].as_f64().unwrap(),
            r["min_eigenvalue"].as_f64().unwrap(),
        );
        assert!((dense - block).abs() <= 1e-9 * block.abs().max(1.0), "{r}");
        assert_eq!(r["sim_se"].as_f64(), Some(0.0));
        assert_eq!(r["agrees"], true, "{r}");
        assert_eq!(r["sim_morse_index"].as_f64(), Some(morse), "{r}");
        assert!(r["sim_morse_index"].is_u64(), "a count is an integer: {r}");
        assert_eq!(r["morse_index"].as_f64(), Some(morse), "{r}");
        assert_eq!(r["agrees_morse_index"], true, "{r}");
        assert!(r["sim_max_eigenvalue"].as_f64().unwrap() > 0.0);
        // The dense check is deterministic: no trials and no seed, so the join's keys are
        // present (the same keys for every --simulate) and null (0.1 printed 10 and 1).
        for key in ["sim_trials", "sim_seed"] {
            assert!(r.get(key).is_some_and(|x| x.is_null()), "{key}: {r}");
        }
    }
}

#[test]
fn gd_census_is_reproducible_and_seeded_per_run() {
    let args = [
        "--gd", "--d", "6", "--runs", "6", "--seed", "5", "--format", "json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let (_, again, _) = run(&args);
    assert_eq!(out, again);
    // The census is the library's GradientDescentCensus with runs as trials.
    let c = overparam::sim::two_layer_census::GradientDescentCensus {
        d: 6,
        ..Default::default()
    }
    .check()
    .unwrap()
    .run(&overparam::experiment::RunOptions {
        seed: 5,
        trials: 6,
        progress: false,
    })
    .unwrap();
    let v = json_lines(&out);
    assert_eq!(v.len(), c.entries.len());
    for (r, e) in v.iter().zip(&c.entries) {
        assert_eq!(r["count"].as_u64(), Some(e.count as u64));
        let sizes: Vec<u64> = e.sizes.iter().map(|&s| s as u64).collect();
        assert_eq!(r["sizes"], serde_json::json!(sizes));
        // Same loss (to the printed digits; the global minimum's is round-off, ~1e-16).
        let loss = r["loss"].as_f64().unwrap();
        assert!((loss - e.loss).abs() <= 1e-12 * e.loss.abs() + 1e-15, "{r}");
    }
}

/// Issue 14 §4: `--family classes --sizes 6,6 --d 12 --branches --format json` lists every
/// critical point of the partition, one JSON line each, by increasing loss; the minimum that
/// gradient descent finds (loss 0.0543414129, Safran & Shamir) is the default branch, the
/// `flipped --m 6` point (loss 0.0795368924, Morse index 5) is listed too.
#[test]
fn classes_branches_json() {
    let (code, out, err) = run(&[
        "--family",
        "classes",
        "--sizes",
        "6,6",
        "--d",
        "12",
        "--branches",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert!(v.len() >= 3, "{}", v.len());
    let loss = |r: &serde_json::Value| r["loss"].as_f64().unwrap();
    for w in v.windows(2) {
        assert!(loss(&w[0]) <= loss(&w[1]));
    }
    for (i, r) in v.iter().enumerate() {
        assert_eq!(r["branch"].as_u64().unwrap(), i as u64);
        assert_eq!(r["sizes"], serde_json::json!([6, 6]));
        assert_eq!(r["branches"].as_u64().unwrap(), v.len() as u64);
        assert!(r["full_gradient"].as_f64().unwrap() < 1e-10);
        let total: f64 = r["spectrum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["multiplicity"].as_f64().unwrap())
            .sum();
        assert_eq!(total, 144.0);
        for key in ["D0", "D1", "O0", "O1", "B01", "B10"] {
            assert!(r["params"][key].is_f64(), "{key}");
        }
    }
    assert_eq!(v.iter().filter(|r| r["default"] == true).count(), 1);
    assert_eq!(v[0]["default"], true);
    assert!((loss(&v[0]) - 0.0543414129).abs() < 1e-9);
    assert_eq!(v[0]["morse_index"].as_f64().unwrap(), 0.0);
    assert!(v[0]["min_eigenvalue"].as_f64().unwrap() > 0.0);
    let named = v
        .iter()
        .find(|r| (loss(r) - 0.0795368924).abs() < 1e-9)
        .expect("the flipped --m 6 branch");
    assert_eq!(named["morse_index"].as_f64().unwrap(), 5.0);
}

/// Without --branches: the default branch only; a three-class partition works too (the (12, 6, 1)
/// minimum at d = 19 of Safran & Shamir's data, loss 0.0600542226).
#[test]
fn classes_default_branch_only() {
    let (code, out, err) = run(&[
        "--family", "classes", "--sizes", "12,6,1", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["default"], true);
    assert_eq!(v[0]["d"].as_f64().unwrap(), 19.0);
    assert!((v[0]["loss"].as_f64().unwrap() - 0.0600542226).abs() < 1e-9);
    assert_eq!(v[0]["morse_index"].as_f64().unwrap(), 0.0);
    // --branch N picks one branch.
    let (code, out, err) = run(&[
        "--family", "classes", "--sizes", "6,6", "--branch", "1", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["branch"].as_u64().unwrap(), 1);
    assert_eq!(v[0]["default"], false);
}

/// The named families keep their behaviour without --branches (the continued branch), and
/// list their partition's branches with it.
#[test]
fn named_family_branches() {
    let (code, out, err) = run(&[
        "--family", "flipped", "--m", "6", "--d", "12", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert!((v[0]["loss"].as_f64().unwrap() - 0.0795368924).abs() < 1e-9);
    let (code, out, err) = run(&[
        "--family",
        "flipped",
        "--m",
        "6",
        "--d",
        "12",
        "--branches",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v[0]["family"].as_str().unwrap(), "flipped-6");
    assert!((v[0]["loss"].as_f64().unwrap() - 0.0543414129).abs() < 1e-9);
}

#[test]
fn classes_usage_errors() {
    for args in [
        &["--family", "classes", "--sizes", "6,6", "--d", "11"][..],
        &["--family", "classes", "--d", "12"][..],
        &["--family", "type-a", "--sizes", "6,6", "--d", "12"][..],
        &["--family", "classes", "--sizes", "6,6", "--branch", "99"][..],
        &[
            "--family",
            "classes",
            "--sizes",
            "6,6",
            "--threshold",
            "--branch",
            "99",
        ][..],
        &["--family", "classes", "--sizes", "6,0.5"][..],
        &["--family", "type-a", "--d", "lin:6:8:3", "--branches"][..],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("--"), "{args:?}: {err}");
    }
}

/// `--gd --branches`: every census entry is named by a listed branch of its partition.
#[test]
fn gd_census_names_branches() {
    let (code, out, err) = run(&[
        "--gd",
        "--d",
        "8",
        "--runs",
        "12",
        "--seed",
        "1",
        "--branches",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert!(!v.is_empty());
    for r in &v {
        assert!(r["branch"].is_u64(), "{r}");
        assert_eq!(r["new"], false);
        assert!(r["branches"].as_u64().unwrap() >= 1);
    }
}

/// `--family classes --sizes 9,1 --threshold`: d_star of the default branch (type A) by
/// continuing the large class downward, the Safran–Shamir threshold 5.5855052474.
#[test]
fn classes_threshold_per_branch() {
    let (code, out, err) = run(&[
        "--family",
        "classes",
        "--sizes",
        "9,1",
        "--threshold",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["branch"].as_u64().unwrap(), 0);
    assert!((v[0]["d_star"].as_f64().unwrap() - 5.5855052474).abs() < 1e-8);
    assert_eq!(v[0]["component"].as_str().unwrap(), "standard[0]");
    let (code, _, err) = run(&["--family", "type-a", "--threshold", "--branch", "1"]);
    assert_eq!(code, 2, "{err}");
}

/// `--family flipped --m M --d K --threshold --branch N` (issue 14): d_star of branch N of the
/// named family's partition at d = K, continued down by the family's first class. Branch 1 of
/// (6,6) at d = 12 (the loss-0.0795 saddle that the `flipped --m 6` continuation reaches)
/// becomes a minimum below d* = 8.1966 (`--family classes --sizes 6,6 --threshold --branch 1`
/// gives the same number: the two routes agree); the default branch of `flipped --m 2` at
/// d = 12 gives the family's own threshold. Without --branch the named family's --threshold
/// is unchanged, and --d without --branch stays an error.
#[test]
fn named_family_threshold_per_branch() {
    let (code, out, err) = run(&[
        "--family",
        "flipped",
        "--m",
        "6",
        "--d",
        "12",
        "--threshold",
        "--branch",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["family"].as_str().unwrap(), "flipped-6");
    assert_eq!(v[0]["d"].as_u64().unwrap(), 12);
    assert_eq!(v[0]["branch"].as_u64().unwrap(), 1);
    assert!((v[0]["loss"].as_f64().unwrap() - 0.0795368924).abs() < 1e-9);
    let named = v[0]["d_star"].as_f64().unwrap();
    assert!((named - 8.1966).abs() < 1e-4, "{named}");
    let (code, out, err) = run(&[
        "--family",
        "classes",
        "--sizes",
        "6,6",
        "--threshold",
        "--branch",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let classes = json_lines(&out)[0]["d_star"].as_f64().unwrap();
    assert!((named - classes).abs() < 1e-9, "{named} vs {classes}");
    // flipped --m 2: the default branch (0) at d = 12 against the family's own threshold.
    let (code, out, err) = run(&[
        "--family",
        "flipped",
        "--m",
        "2",
        "--d",
        "12",
        "--threshold",
        "--branch",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let per_branch = json_lines(&out)[0]["d_star"].as_f64().unwrap();
    let (code, out, err) = run(&[
        "--family",
        "flipped",
        "--m",
        "2",
        "--threshold",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let family = json_lines(&out)[0]["d_star"].as_f64().unwrap();
    assert!(
        (per_branch - family).abs() < 1e-7,
        "{per_branch} vs {family}"
    );
    // Usage errors: --branch out of range, --branch without --d, --d without --branch.
    for args in [
        &[
            "--family",
            "flipped",
            "--m",
            "6",
            "--d",
            "12",
            "--threshold",
            "--branch",
            "99",
        ][..],
        &[
            "--family",
            "flipped",
            "--m",
            "6",
            "--threshold",
            "--branch",
            "1",
        ][..],
        &[
            "--family",
            "flipped",
            "--m",
            "6",
            "--d",
            "12",
            "--threshold",
        ][..],
        &[
            "--family",
            "classes",
            "--sizes",
            "6,6",
            "--d",
            "12",
            "--threshold",
        ][..],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("--branch") || err.contains("--d"),
            "{args:?}: {err}"
        );
    }
}
