//! `overparam ridge --spectrum`: the anisotropic model on the command line, its file errors, and
//! the isotropic output kept byte-identical.

mod common;

use std::io::Write;

use common::{json_lines, run};
use overparam::spectral::Population;
use overparam::theory::ridge::AnisotropicRidge;

fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("overparam_cli_ridge_{}_{name}", std::process::id()));
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    path
}

/// Without --spectrum the output is byte-identical to the binary before issue 15 (fixtures
/// recorded from that binary at commit 476c44a).
#[test]
fn isotropic_output_unchanged() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "ridge",
                "--gamma",
                "0.1:10:7",
                "--lambda",
                "lin:0:1:3",
                "--snr",
                "2",
                "--format",
                "json",
            ],
            include_str!("cli_ridge_fixtures/a.json"),
        ),
        (
            &[
                "ridge",
                "--gamma",
                "0.5:3:5",
                "--optimal-lambda",
                "--snr",
                "1:4:2",
                "--format",
                "csv",
            ],
            include_str!("cli_ridge_fixtures/b.csv"),
        ),
        (
            &[
                "ridge",
                "--gamma",
                "2",
                "--lambda",
                "0.01",
                "--snr",
                "4",
                "--noise-sd",
                "2",
            ],
            include_str!("cli_ridge_fixtures/c.txt"),
        ),
        (
            &[
                "ridge",
                "--gamma",
                "0.5",
                "--lambda",
                "0.1",
                "--snr",
                "1",
                "--simulate",
                "--n",
                "50",
                "--trials",
                "4",
                "--format",
                "json",
            ],
            include_str!("cli_ridge_fixtures/d.json"),
        ),
    ];
    for (args, want) in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, want, "{args:?}");
    }
}

#[test]
fn spectrum_file_json_matches_library() {
    let path = temp_csv(
        "two.csv",
        "eigenvalue,weight,signal\n1,0.7,0.2\n10,0.3,0.8\n",
    );
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.01",
        "--snr",
        "4",
        "--spectrum",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let pop = Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8]).unwrap();
    let want = AnisotropicRidge::new(pop, 2.0, 0.01, 4.0)
        .check()
        .unwrap()
        .risk()
        .unwrap();
    for (key, value) in [
        ("test_error", want.test_error),
        ("bias", want.bias),
        ("variance", want.variance),
        ("train_error", want.train_error),
        ("kappa", want.kappa),
        ("df_ratio", want.df_ratio),
        ("gcv", want.gcv),
    ] {
        // (serde_json's default float parser is not always correctly rounded: 1 ulp.)
        let got = v[0][key].as_f64().unwrap();
        assert!(
            (got - value).abs() <= 4e-16 * value.abs(),
            "{key}: {got} vs {value}"
        );
    }
    // general_spectra.md section 4.
    assert!((v[0]["test_error"].as_f64().unwrap() - 4.2819).abs() < 5e-5);
    let _ = std::fs::remove_file(path);
}

#[test]
fn powerlaw_spectrum_with_signal_exponent_and_ranges() {
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "0.5:2:3",
        "--lambda",
        "0.1",
        "--snr",
        "3",
        "--spectrum",
        "powerlaw:1.5:500",
        "--signal-exponent",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    let pop = Population::power_law(1.5, 2.0, 500).unwrap();
    for (rec, nominal) in v.iter().zip([0.5, 1.0, 2.0]) {
        let gamma = rec["gamma"].as_f64().unwrap();
        let want = AnisotropicRidge::new(pop.clone(), gamma, 0.1, 3.0)
            .check()
            .unwrap()
            .risk()
            .unwrap();
        assert!((gamma - nominal).abs() < 1e-12);
        let got = rec["test_error"].as_f64().unwrap();
        assert!(
            (got - want.test_error).abs() <= 4e-16 * want.test_error,
            "{got} vs {want:?}"
        );
    }
    // Optimal lambda works with a spectrum too.
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--optimal-lambda",
        "--snr",
        "3",
        "--spectrum",
        "powerlaw:1:100",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    // c = w (beta = 0): the Bayes penalty gamma / snr.
    assert!(
        (v[0]["lambda"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-6,
        "{}",
        out
    );
}

#[test]
fn spectrum_with_simulation_joins() {
    let (code, out, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "2",
        "--spectrum",
        "powerlaw:1:4",
        "--simulate",
        "--n",
        "100",
        "--trials",
        "6",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v[0]["p"].as_u64(), Some(200));
    assert!(v[0]["agrees"].as_bool().is_some());
    assert!(v[0]["p_rounding"].as_str().unwrap().contains("round"));
}

/// Bad files exit 2 naming the file, the line and the problem.
#[test]
fn bad_spectrum_files_exit_2_with_file_and_line() {
    for (name, text, line, problem) in [
        (
            "neg.csv",
            "eigenvalue,weight,signal\n1,0.5,0.5\n-2,0.5,0.5\n",
            "line 3",
            "negative",
        ),
        (
            "nan.csv",
            "eigenvalue,weight,signal\n1,abc,0.5\n",
            "line 2",
            "not a number",
        ),
        (
            "header.csv",
            "eig,weight,signal\n1,1,1\n",
            "line 1",
            "header",
        ),
        ("empty.csv", "", "line", ""),
    ] {
        let path = temp_csv(name, text);
        let (code, _, err) = run(&[
            "ridge",
            "--gamma",
            "2",
            "--lambda",
            "0.1",
            "--snr",
            "1",
            "--spectrum",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(path.to_str().unwrap()) && err.contains(line) && err.contains(problem),
            "{name}: {err}"
        );
        let _ = std::fs::remove_file(path);
    }
    let (code, _, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "1",
        "--spectrum",
        "/nonexistent/spectrum.csv",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/spectrum.csv") && err.contains("cannot read"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "1",
        "--spectrum",
        "powerlaw:1.5",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "1",
        "--spectrum",
        "powerlaw:1:10",
        "--signal-exponent",
        "-1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--signal-exponent"), "{err}");
    // --signal-exponent needs --spectrum.
    let (code, _, _) = run(&[
        "ridge",
        "--gamma",
        "2",
        "--lambda",
        "0.1",
        "--snr",
        "1",
        "--signal-exponent",
        "1",
    ]);
    assert_eq!(code, 2);
}

/// The value of `key` in one JSON line, parsed from its text with Rust's correctly rounded
/// parser (the CLI prints the shortest text that reads back to the same `f64`).
fn exact_field(line: &str, key: &str) -> f64 {
    let tag = format!("\"{key}\":");
    let start = line.find(&tag).unwrap_or_else(|| panic!("{key} in {line}")) + tag.len();
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap();
    rest[..end].trim().parse().unwrap()
}

/// A run of at least `CERTIFIED_RULE_MIN_POINTS` (64) points is evaluated on the certified
/// compressed rule, a shorter run on the atoms (the decision depends on the run's size only):
/// each record equals, bit for bit, the library's point on the matching path, and the two
/// paths differ somewhere on this grid (so the check can fail).
#[test]
fn long_spectrum_runs_use_the_certified_rule() {
    use overparam::spectral::population::CERTIFIED_RULE_MIN_POINTS;
    use std::sync::Arc;
    let atoms_pop = Arc::new(Population::power_law(1.5, 1.0, 4000).unwrap());
    let rule_pop = Arc::new(Population::power_law(1.5, 1.0, 4000).unwrap());
    assert!(rule_pop.build_certified_rule());
    let mut differ = 0;
    for count in [CERTIFIED_RULE_MIN_POINTS - 1, CERTIFIED_RULE_MIN_POINTS] {
        let range = format!("1e-6:10:{count}");
        let (code, out, err) = run(&[
            "ridge",
            "--gamma",
            "1.7",
            "--lambda",
            &range,
            "--snr",
            "4",
            "--spectrum",
            "powerlaw:1.5:4000",
            "--signal-exponent",
            "1",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), count);
        let on_rule = count >= CERTIFIED_RULE_MIN_POINTS;
        for line in lines {
            let lambda = exact_field(line, "lambda");
            let point = |pop: &Arc<Population>| {
                AnisotropicRidge::new(Arc::clone(pop), 1.7, lambda, 4.0)
                    .check()
                    .and_then(|m| m.risk())
                    .unwrap()
            };
            let (want, other) = if on_rule {
                (point(&rule_pop), point(&atoms_pop))
            } else {
                (point(&atoms_pop), point(&rule_pop))
            };
            for (key, value) in [
                ("test_error", want.test_error),
                ("kappa", want.kappa),
                // The certificate's residual includes the rule's proven error on the rule path.
                ("kappa_residual", want.solve.residual),
            ] {
                assert_eq!(exact_field(line, key), value, "{key} at lambda {lambda}");
            }
            differ += usize::from(want.solve.residual != other.solve.residual);
        }
    }
    assert!(
        differ > 0,
        "the two paths agree bit for bit everywhere: the test cannot tell them apart"
    );
}
