//! Contracts of the one driver: streaming, closed pipes, value types, glossary names with their
//! deprecated aliases, the shared simulation fields, `--optimal-lambda`, `--plot` and features.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{json_lines, run};
use serde_json::Value;

fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_overparam"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the overparam binary starts")
}

#[test]
fn first_record_is_printed_long_before_a_huge_sweep_ends() {
    // 10^9 points: buffering would never print (and would run out of memory).
    let mut child = spawn(&[
        "ridge",
        "--gamma",
        "1.1:2:1000",
        "--lambda",
        "1:2:1000",
        "--snr",
        "1:2:1000",
        "--format",
        "json",
    ]);
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let start = Instant::now();
    let line = rx.recv_timeout(Duration::from_secs(20));
    child.kill().expect("kill the sweep");
    let _ = child.wait();
    let line = line.expect("a first record within 20 s");
    assert!(start.elapsed() < Duration::from_secs(20));
    let v: Value = serde_json::from_str(line.trim()).expect("one JSON object");
    assert_eq!(v["gamma"].as_f64(), Some(1.1));
    assert_eq!(v["lambda"].as_f64(), Some(1.0));
    assert!(v["test_error"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    for args in [
        &[
            "hessian", "--family", "type-a", "--d", "4:40:40", "--format", "json",
        ][..],
        &[
            "rf",
            "--psi1",
            "0.1:10:100000",
            "--psi2",
            "3",
            "--lambda",
            "1e-3",
        ][..],
        &[
            "ridge",
            "--gamma",
            "1.1:2:1000",
            "--lambda",
            "1:2:1000",
            "--snr",
            "1:2:1000",
            "--format",
            "csv",
        ][..],
        &[
            "adversarial",
            "--psi1",
            "0.5:5:400",
            "--psi2",
            "2",
            "--eps",
            "0.3",
            "--format",
            "json",
        ][..],
        &["membership", "--gamma", "0.5:2:100000", "--format", "csv"][..],
    ] {
        let mut child = spawn(args);
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout); // like `| head -c 16`
        let status = child.wait().expect("the run ends");
        let mut err = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("stderr text");
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn booleans_are_booleans_and_counts_are_integers() {
    let (code, out, err) = run(&[
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--lambda",
        "0.1",
        "--simulate",
        "--d",
        "20",
        "--trials",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    assert!(v["agrees"].is_boolean(), "{v}");
    assert!(v["agrees_train_error"].is_boolean(), "{v}");
    for key in ["sim_trials", "sim_seed", "iterations", "d", "trials"] {
        assert!(v[key].is_u64(), "{key}: {v}");
    }
    let (code, out, err) = run(&[
        "hessian", "--family", "type-a", "--d", "20", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    assert_eq!(v["morse_index"], Value::from(0u64), "{v}");
    assert_eq!(v["d"], Value::from(20u64));
    for item in v["spectrum"].as_array().expect("spectrum") {
        assert!(item["multiplicity"].is_u64(), "{item}");
    }
    let (_, out, _) = run(&["membership", "--gamma", "0.5", "--format", "json"]);
    assert!(json_lines(&out)[0]["member_variance_larger"].is_boolean());
    // Reals stay reals even when whole (0.0, not 0).
    let (_, out, _) = run(&[
        "ridge", "--gamma", "1.5", "--lambda", "0", "--snr", "2", "--format", "json",
    ]);
    assert!(json_lines(&out)[0]["train_error"].is_f64());
}

/// Run both argument lists and require identical stdout.
fn same_output(a: &[&str], b: &[&str]) {
    let (ca, oa, ea) = run(a);
    let (cb, ob, eb) = run(b);
    assert_eq!(ca, 0, "{a:?}: {ea}");
    assert_eq!(cb, 0, "{b:?}: {eb}");
    assert_eq!(oa, ob, "{a:?} vs {b:?}");
}

#[test]
fn deprecated_flags_give_identical_records() {
    let rf = [
        "rf", "--psi1", "0.5:4:5", "--psi2", "3", "--lambda", "0.01", "--format", "json",
    ];
    same_output(
        &[&rf[..], &["--tau", "0.5", "--fstar", "0.3"]].concat(),
        &[&rf[..], &["--noise-sd", "0.5", "--f-star", "0.3"]].concat(),
    );
    let sim = ["--simulate", "--d", "20", "--trials", "3"];
    same_output(
        &[&rf[..], &sim[..], &["--kappa", "5"]].concat(),
        &[&rf[..], &sim[..], &["--finite-size-constant", "5"]].concat(),
    );
    let ridge = [
        "ridge", "--gamma", "0.5:2:4", "--lambda", "0.1", "--snr", "2", "--format", "csv",
    ];
    same_output(
        &[&ridge[..], &["--sigma", "0.7"]].concat(),
        &[&ridge[..], &["--noise-sd", "0.7"]].concat(),
    );
    same_output(
        &[
            "ridge",
            "--gamma",
            "2",
            "--lambda",
            "0.1",
            "--snr",
            "2",
            "--simulate",
            "--n",
            "50",
        ],
        &[
            "ridge",
            "--gamma",
            "2",
            "--lambda",
            "0.1",
            "--snr",
            "2",
            "--simulate",
            "--d",
            "50",
        ],
    );
    same_output(
        &[
            "membership",
            "--gamma",
            "0.5:2:4",
            "--lambda",
            "0.1",
            "--sigma",
            "0.7",
        ],
        &[
            "membership",
            "--gamma",
            "0.5:2:4",
            "--lambda",
            "0.1",
            "--noise-sd",
            "0.7",
        ],
    );
    // --tau2 is a variance: 0.25 is --noise-sd 0.5.
    let adv = [
        "adversarial",
        "--psi1",
        "1:3:3",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--format",
        "json",
    ];
    same_output(
        &[&adv[..], &["--tau2", "0.25"]].concat(),
        &[&adv[..], &["--noise-sd", "0.5"]].concat(),
    );
    let (_, out, _) = run(&[&adv[..], &["--noise-sd", "0.5"]].concat());
    let v = &json_lines(&out)[0];
    assert_eq!(v["noise_sd"].as_f64(), Some(0.5));
    assert_eq!(v["tau2"].as_f64(), Some(0.25));
}

#[test]
fn renamed_keys_are_also_written_under_their_old_names() {
    let (_, out, _) = run(&[
        "rf",
        "--psi1",
        "2",
        "--psi2",
        "3",
        "--lambda",
        "0.1",
        "--noise-sd",
        "0.5",
        "--f-star",
        "0.2",
        "--format",
        "json",
    ]);
    let v = &json_lines(&out)[0];
    assert_eq!(v["noise_sd"], v["tau"]);
    assert_eq!(v["f_star"], v["fstar"]);
    let (_, out, _) = run(&[
        "adversarial",
        "--psi1",
        "3",
        "--psi2",
        "2",
        "--eps",
        "0.3",
        "--format",
        "json",
    ]);
    let v = &json_lines(&out)[0];
    for (new, old) in [
        ("test_risk", "standard_error"),
        ("robust_test_risk", "robust_error"),
        ("aux_gamma", "gamma"),
        ("aux_kappa", "kappa"),
        ("aux_nu", "nu"),
        ("aux_lambda", "lambda"),
        ("aux_alpha", "alpha"),
    ] {
        assert!(v[new].is_number(), "{new}");
        assert_eq!(v[new], v[old], "{new} vs {old}");
    }
    let (_, out, _) = run(&["membership", "--gamma", "0.5", "--format", "json"]);
    let v = &json_lines(&out)[0];
    assert_eq!(v["test_risk"], v["test_error"]);
    assert_eq!(v["noise_sd"], v["sigma"]);
}

/// The glossary's join fields of the primary metric.
const JOIN: [&str; 8] = [
    "sim_mean",
    "sim_se",
    "theory_realised",
    "z",
    "allowance",
    "agrees",
    "sim_trials",
    "sim_seed",
];

#[test]
fn every_simulate_reports_the_same_join_fields_with_the_same_defaults() {
    for (args, second) in [
        (
            &[
                "rf", "--psi1", "2", "--psi2", "3", "--lambda", "0.1", "--d", "20",
            ][..],
            "bias",
        ),
        (
            &[
                "ridge", "--gamma", "2", "--lambda", "0.1", "--snr", "2", "--n", "40",
            ][..],
            "train_error",
        ),
        (
            &[
                "adversarial",
                "--psi1",
                "1",
                "--psi2",
                "2",
                "--eps",
                "0.3",
                "--d",
                "20",
            ][..],
            "test_risk",
        ),
        (
            &[
                "adversarial",
                "--linear",
                "--delta",
                "2",
                "--eps",
                "0.3",
                "--d",
                "30",
            ][..],
            "test_risk",
        ),
        (
            &["membership", "--gamma", "2", "--lambda", "0.5", "--n", "40"][..],
            "auc",
        ),
    ] {
        let full = [args, &["--simulate", "--format", "json"]].concat();
        let (code, out, err) = run(&full);
        assert_eq!(code, 0, "{full:?}: {err}");
        let v = &json_lines(&out)[0];
        for key in JOIN {
            assert!(!v[key].is_null(), "{full:?}: {key} in {v}");
        }
        assert_eq!(v["sim_trials"], Value::from(10u64), "{full:?}");
        assert_eq!(v["sim_seed"], Value::from(1u64), "{full:?}");
        assert!(v["agrees"].is_boolean());
        // z is the gap in standard errors.
        let (m, se, t, z) = (
            v["sim_mean"].as_f64().unwrap(),
            v["sim_se"].as_f64().unwrap(),
            v["theory_realised"].as_f64().unwrap(),
            v["z"].as_f64().unwrap(),
        );
        assert!(
            (z - (m - t) / se).abs() <= 1e-9 * z.abs().max(1.0),
            "{full:?}"
        );
        let agrees = (m - t).abs() <= 4.0 * se + v["allowance"].as_f64().unwrap();
        assert_eq!(v["agrees"].as_bool(), Some(agrees));
        for suffix in [
            "sim_{}",
            "sim_{}_se",
            "theory_realised_{}",
            "allowance_{}",
            "agrees_{}",
        ] {
            let key = suffix.replace("{}", second);
            assert!(!v[&key].is_null(), "{full:?}: {key}");
        }
    }
}

#[test]
fn csv_has_a_fixed_header_with_an_error_column() {
    let (code, out, _) = run(&[
        "ridge",
        "--gamma",
        "lin:0.5:1.5:3",
        "--lambda",
        "0",
        "--snr",
        "1",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.last(), Some(&"error"));
    // Every row has the header's columns; only the singular point fills `error`.
    for (i, row) in lines[1..].iter().enumerate() {
        let cells = row.matches(',').count() + 1;
        assert!(cells >= header.len(), "{row}");
        assert_eq!(row.ends_with(','), i != 1, "{row}");
    }
}

#[test]
fn ridge_optimal_lambda_is_gamma_over_snr() {
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "lin:0.5:3:6",
        "--snr",
        "2",
        "--optimal-lambda",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    for v in json_lines(&out) {
        let (gamma, lambda) = (v["gamma"].as_f64().unwrap(), v["lambda"].as_f64().unwrap());
        // HMRT: lambda* = sigma^2 gamma / r^2 = gamma / snr.
        assert!((lambda - gamma / 2.0).abs() < 1e-12, "{v}");
        assert_eq!(v["optimal_lambda"], Value::Bool(true));
        let best = v["test_error"].as_f64().unwrap();
        for other in [lambda * 0.8, lambda * 1.25] {
            let (_, o, _) = run(&[
                "ridge",
                "--gamma",
                &gamma.to_string(),
                "--snr",
                "2",
                "--lambda",
                &other.to_string(),
                "--format",
                "json",
            ]);
            assert!(json_lines(&o)[0]["test_error"].as_f64().unwrap() > best);
        }
    }
}

#[test]
fn plot_png_is_refused_naming_the_extension() {
    let (code, out, err) = run(&[
        "rf", "--psi1", "2", "--psi2", "3", "--lambda", "0.1", "--plot", "x.png",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.trim().lines().count(), 1);
    assert!(err.contains("--plot") && err.contains(".png"), "{err}");
}

#[test]
fn plot_draws_one_line_per_second_parameter_and_reports_what_it_cannot_draw() {
    let dir = std::env::temp_dir().join(format!("overparam-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two.svg");
    let p = path.to_str().unwrap();
    let (code, _, err) = run(&[
        "rf",
        "--psi1",
        "0.3:30:8",
        "--psi2",
        "3",
        "--lambda",
        "1e-3:1:3",
        "--simulate",
        "--d",
        "20",
        "--trials",
        "2",
        "--plot",
        p,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("wrote {p}")), "{err}");
    let svg = std::fs::read_to_string(&path).unwrap();
    for lambda in ["lambda = 0.001", "lambda = 0.032", "lambda = 1"] {
        // Theory and simulation legend entries, in each of the two panels.
        assert_eq!(svg.matches(lambda).count(), 4, "{lambda}");
    }
    assert!(svg.contains("d = 20") && svg.contains("2 trials"), "title");
    // Theory on a fine grid: each line has far more vertices than the 8 swept points.
    let longest = svg
        .split("<polyline")
        .skip(1)
        .map(|s| {
            s.split("points=\"")
                .nth(1)
                .map_or(0, |p| p.split('"').next().unwrap().split(' ').count())
        })
        .max()
        .unwrap_or(0);
    assert!(longest >= 150, "{longest}");
    // The min-norm interpolator's training error is 0: not drawable on the log axis, and said so.
    let path = dir.join("zeros.svg");
    let p = path.to_str().unwrap();
    let (code, _, err) = run(&[
        "ridge",
        "--gamma",
        "lin:1.5:3:4",
        "--lambda",
        "0",
        "--snr",
        "2",
        "--plot",
        p,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("points <= 0 not drawn on the log axis"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_library_builds_without_the_command_line_stack() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(tree.contains("faer") && tree.contains("rand"), "{tree}");
    for heavy in ["clap", "serde_json", "indicatif", "plotters"] {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{heavy} "))),
            "{heavy}"
        );
    }
}

#[test]
fn failed_points_keep_every_key_so_the_csv_header_fits_every_row() {
    // psi1 = 2 = psi2 is the ridgeless interpolation threshold; at d = 20 the neighbours round
    // to it too, so their theory at the realised sizes fails while the nominal theory exists.
    let args = [
        "rf",
        "--psi1",
        "lin:1.99:2.01:3",
        "--psi2",
        "2",
        "--lambda",
        "0",
        "--simulate",
        "--d",
        "20",
        "--trials",
        "2",
    ];
    let (code, out, err) = run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert!(v[1]["error"].is_string() && v[1]["test_error"].is_null());
    assert!(
        v[0]["test_error"].is_f64() && v[0]["sim_error"].is_string(),
        "{}",
        v[0]
    );
    assert!(v[0]["z"].is_null() && v[0]["sim_mean"].is_f64());
    let keys = |r: &Value| {
        let mut k: Vec<String> = r
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "error" && *k != "sim_error")
            .cloned()
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v[0]), keys(&v[1]));
    assert_eq!(keys(&v[0]), keys(&v[2]));
    let (code, out, _) = run(&[&args[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    let columns = lines[0].split(',').count();
    for row in &lines[1..] {
        assert_eq!(csv_cells(row), columns, "{row}");
    }
}

/// Number of cells of a CSV row (quoted cells may hold commas and doubled quotes).
fn csv_cells(row: &str) -> usize {
    let (mut cells, mut quoted) = (1, false);
    for c in row.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => cells += 1,
            _ => {}
        }
    }
    cells
}
