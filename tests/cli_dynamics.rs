//! The `overparam dynamics` command-line contract: fields and their types, curves over time and
//! steps equal to the library's, early stopping, simulation fields, errors naming the flag.

mod common;

use common::{json_lines, run};
use overparam::spectral::Population;
use overparam::theory::dynamics::{Algorithm, AnisotropicDynamics, Dynamics};

#[test]
fn gradient_flow_point_json_matches_the_library_and_the_note() {
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "4",
        "--algorithm",
        "gradient-flow",
        "--time",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let want = Dynamics {
        gamma: 0.5,
        snr: 4.0,
        ..Default::default()
    }
    .check()
    .unwrap()
    .at_time(2.0)
    .unwrap();
    for (key, value) in [
        ("test_error", want.test_error),
        ("train_error", want.train_error),
        ("bias", want.bias),
        ("variance", want.variance),
    ] {
        assert_eq!(v[0][key].as_f64(), Some(value), "{key}");
    }
    // Independent reference (QUADPACK, tests/theory_dynamics.rs): 0.84304214991296489.
    assert!((v[0]["test_error"].as_f64().unwrap() - 0.843042149912965).abs() < 1e-10);
    assert_eq!(v[0]["algorithm"], "gradient-flow");
    assert_eq!(v[0]["time"].as_f64(), Some(2.0));
    assert!(v[0]["nodes"].is_u64());
    // --sigma is an alias of --noise-sd.
    let (code, out, _) = run(&[
        "dynamics", "--gamma", "0.5", "--snr", "4", "--time", "2", "--sigma", "1", "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out)[0]["test_error"], v[0]["test_error"]);
}

#[test]
fn a_time_range_is_the_library_curve() {
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "2",
        "--snr",
        "4",
        "--time",
        "0.01:1000:300",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 300);
    let m = Dynamics {
        gamma: 2.0,
        snr: 4.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    for rec in [&v[0], &v[150], &v[299]] {
        let t = rec["time"].as_f64().unwrap();
        let want = m.at_time(t).unwrap().test_error;
        assert!((rec["test_error"].as_f64().unwrap() - want).abs() < 1e-11 * want);
    }
}

#[test]
fn discrete_methods_take_steps_lr_and_momentum() {
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "4",
        "--algorithm",
        "heavy-ball",
        "--lr",
        "0.2",
        "--momentum",
        "0.5",
        "--steps",
        "1:1000:20",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 20);
    let m = Dynamics {
        gamma: 0.5,
        snr: 4.0,
        algorithm: Algorithm::HeavyBall,
        lr: 0.2,
        momentum: 0.5,
        ..Default::default()
    }
    .check()
    .unwrap();
    for rec in &v {
        assert!(rec["steps"].is_u64(), "{rec}");
        let k = rec["steps"].as_u64().unwrap();
        let want = m.at_steps(k).unwrap();
        assert!((rec["train_error"].as_f64().unwrap() - want.train_error).abs() <= 1e-11);
        assert_eq!(rec["momentum"].as_f64(), Some(0.5));
    }
    assert_eq!(v[19]["steps"].as_u64(), Some(1000));
}

#[test]
fn early_stopping_prints_the_optimum_and_ridge() {
    for extra in [
        vec![],
        vec![
            "--algorithm",
            "nesterov",
            "--lr",
            "0.2",
            "--momentum",
            "0.5",
        ],
    ] {
        let mut argv = vec![
            "dynamics",
            "--gamma",
            "0.5",
            "--snr",
            "4",
            "--early-stopping",
            "--format",
            "json",
        ];
        argv.extend(extra.iter());
        let (code, out, err) = run(&argv);
        assert_eq!(code, 0, "{err}");
        let v = &json_lines(&out)[0];
        assert_eq!(v["stops_early"], true);
        let ratio = v["ratio_to_ridge"].as_f64().unwrap();
        assert!((1.0..1.2).contains(&ratio), "{v}");
        assert_eq!(v["ridge_lambda"].as_f64(), Some(0.125));
        let key = if extra.is_empty() { "time" } else { "steps" };
        assert!(v[key].as_f64().unwrap() > 0.0, "{v}");
    }
}

#[test]
fn simulate_joins_theory_and_simulation() {
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "2",
        "--snr",
        "4",
        "--algorithm",
        "gd",
        "--lr",
        "0.2",
        "--steps",
        "10",
        "--simulate",
        "--n",
        "100",
        "--trials",
        "6",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    for key in [
        "sim_mean",
        "sim_se",
        "theory_realised",
        "allowance",
        "sim_train_error",
    ] {
        assert!(v[key].is_f64(), "{key}: {v}");
    }
    assert!(v["agrees"].is_boolean() && v["sim_trials"].is_u64() && v["n"].is_u64());
    assert_eq!(v["p"].as_u64(), Some(200));
    // With --early-stopping the simulation runs at the optimum found.
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "4",
        "--early-stopping",
        "--simulate",
        "--n",
        "100",
        "--trials",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = &json_lines(&out)[0];
    assert_eq!(v["theory_realised"], v["test_error"], "{v}");
    assert!(v["sim_mean"].is_f64());
}

#[test]
fn plot_writes_an_svg_over_log_time() {
    let dir = std::env::temp_dir().join(format!("overparam-dyn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dyn.svg");
    let (code, _, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "4",
        "--time",
        "0.01:100:20",
        "--plot",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("time"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_names_the_flag_with_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--algorithm", "gd", "--lr", "1", "--steps", "3"], "--lr"),
        (
            &[
                "--algorithm",
                "heavy-ball",
                "--lr",
                "0.1",
                "--momentum",
                "1",
                "--steps",
                "3",
            ],
            "--momentum",
        ),
        (
            &[
                "--algorithm",
                "gd",
                "--lr",
                "0.1",
                "--momentum",
                "0.5",
                "--steps",
                "3",
            ],
            "--momentum",
        ),
        (
            &["--algorithm", "gd", "--lr", "0.1", "--time", "3"],
            "--time",
        ),
        (&["--algorithm", "gd", "--steps", "3"], "--lr"),
        (
            &["--algorithm", "gd", "--lr", "0.1", "--steps", "2.5"],
            "--steps",
        ),
        (&["--algorithm", "nesterov", "--lr", "0.1"], "--steps"),
        (&["--time", "2", "--lr", "0.1"], "--lr"),
        (&["--steps", "2"], "--steps"),
        (&["--time", "-1"], "--time"),
        (&[], "--time"),
        (&["--time", "1", "--spectrum", "spectrum.csv"], "--spectrum"),
        (&["--time", "1", "--lambda", "-1"], "--lambda"),
    ];
    for (extra, flag) in cases {
        let mut argv = vec!["dynamics", "--gamma", "0.5", "--snr", "4"];
        argv.extend(extra.iter());
        let (code, out, err) = run(&argv);
        assert_eq!(code, 2, "{argv:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(flag), "{argv:?}: {err}");
    }
    // A spectrum file that does not exist: exit 2 naming the flag (no longer "not yet
    // supported": --spectrum is the general-population model).
    let (code, _, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "4",
        "--time",
        "1",
        "--spectrum",
        "/nonexistent/x.csv",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--spectrum"), "{err}");
}

/// `--spectrum` (parsed as `ridge --spectrum`): a curve over time equal to the library's
/// `AnisotropicDynamics`, a discrete method, and the simulation fields.
#[test]
fn spectrum_curves_match_the_library() {
    use overparam::spectral::Population;
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "2",
        "--snr",
        "3",
        "--spectrum",
        "powerlaw:1:50",
        "--signal-exponent",
        "1.5",
        "--time",
        "0.1:100:4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 4);
    let pop = Population::power_law(1.0, 1.5, 50).unwrap();
    let m = Dynamics {
        gamma: 2.0,
        snr: 3.0,
        ..Default::default()
    }
    .with_population(pop.clone())
    .check()
    .unwrap();
    for rec in &v {
        let t = rec["time"].as_f64().unwrap();
        let want = m.at_time(t).unwrap();
        for (key, value) in [
            ("test_error", want.test_error),
            ("train_error", want.train_error),
            ("bias", want.bias),
            ("variance", want.variance),
        ] {
            let got = rec[key].as_f64().unwrap();
            assert!(
                (got - value).abs() <= 1e-10 * value.abs().max(1.0),
                "{key} at {t}: {got} vs {value}"
            );
        }
    }
    let (code, out, err) = run(&[
        "dynamics",
        "--gamma",
        "0.5",
        "--snr",
        "3",
        "--spectrum",
        "powerlaw:1:50",
        "--algorithm",
        "heavy-ball",
        "--lr",
        "0.5",
        "--momentum",
        "0.5",
        "--steps",
        "40",
        "--simulate",
        "--trials",
        "3",
        "--n",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    let want = Dynamics {
        gamma: 0.5,
        snr: 3.0,
        algorithm: Algorithm::HeavyBall,
        lr: 0.5,
        momentum: 0.5,
        ..Default::default()
    }
    .with_population(Population::power_law(1.0, 0.0, 50).unwrap())
    .check()
    .unwrap()
    .at_steps(40)
    .unwrap();
    let got = v[0]["test_error"].as_f64().unwrap();
    assert!(
        (got - want.test_error).abs() <= 1e-10,
        "{got} vs {}",
        want.test_error
    );
    assert!(
        v[0]["sim_mean"].as_f64().is_some() && v[0]["agrees"].is_boolean(),
        "{}",
        v[0]
    );
    // --signal-exponent needs --spectrum; --early-stopping does not take a time.
    for extra in [
        &["--time", "1", "--signal-exponent", "1"][..],
        &[
            "--spectrum",
            "powerlaw:1:50",
            "--early-stopping",
            "--time",
            "1",
        ][..],
    ] {
        let mut argv = vec!["dynamics", "--gamma", "0.5", "--snr", "4"];
        argv.extend(extra.iter());
        let (code, _, err) = run(&argv);
        assert_eq!(code, 2, "{argv:?}: {err}");
    }
}

/// `--spectrum` with `--early-stopping`: the library's optimum (time or steps, test error) and
/// the anisotropic optimal ridge; with an even signal the ridge penalty is Bayes' gamma/snr.
#[test]
fn early_stopping_with_a_spectrum_matches_the_library() {
    for (extra, algorithm, lr) in [
        (vec![], Algorithm::GradientFlow, 0.0),
        (
            vec!["--algorithm", "gd", "--lr", "0.5"],
            Algorithm::GradientDescent,
            0.5,
        ),
    ] {
        let mut argv = vec![
            "dynamics",
            "--gamma",
            "2",
            "--snr",
            "4",
            "--noise-sd",
            "0.5",
            "--spectrum",
            "powerlaw:1:50",
            "--early-stopping",
            "--format",
            "json",
        ];
        argv.extend(extra.iter());
        let (code, out, err) = run(&argv);
        assert_eq!(code, 0, "{err}");
        let v = &json_lines(&out)[0];
        let want = AnisotropicDynamics::new(Population::power_law(1.0, 0.0, 50).unwrap(), 2.0)
            .with_snr(4.0, 0.5)
            .with_algorithm(algorithm, lr, 0.0)
            .check()
            .unwrap()
            .early_stopping()
            .unwrap();
        let key = if algorithm.is_discrete() {
            "steps"
        } else {
            "time"
        };
        let t = v[key].as_f64().unwrap();
        assert!(
            (t - want.at_optimum.time).abs() <= 1e-9 * want.at_optimum.time,
            "{v}"
        );
        let got = v["test_error"].as_f64().unwrap();
        assert!((got - want.at_optimum.test_error).abs() <= 1e-12, "{v}");
        assert_eq!(v["stops_early"], true);
        let lambda = v["ridge_lambda"].as_f64().unwrap();
        assert!((lambda - 0.5).abs() < 1e-6, "{v}");
        let ratio = v["ratio_to_ridge"].as_f64().unwrap();
        assert!((1.0..1.2).contains(&ratio), "{v}");
    }
}
