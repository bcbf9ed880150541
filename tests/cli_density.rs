//! The `overparam density` command-line contract (generalised Marchenko–Pastur law).

mod common;

use common::json_lines;
use overparam::spectral::{Atoms, MarchenkoPastur, SampleCovariance};

/// Run `overparam density ARGS`.
fn run(args: &[&str]) -> (i32, String, String) {
    common::run(&[&["density"], args].concat())
}

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("overparam_cli_density_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn single_point_json_matches_the_library() {
    let f = temp_file(
        "two.csv",
        "eigenvalue,weight,signal\n1,0.7,0.2\n10,0.3,0.8\n",
    );
    let (code, out, err) = run(&[
        "--population",
        f.to_str().unwrap(),
        "--gamma",
        "0.5",
        "--x",
        "0.5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let law =
        SampleCovariance::new(&Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3]).unwrap(), 0.5).unwrap();
    let d = law.density(0.5).unwrap();
    assert_eq!(num(&v[0], "density"), d.density());
    assert_eq!(num(&v[0], "stieltjes_re"), d.stieltjes.re);
    assert_eq!(num(&v[0], "stieltjes_im"), d.stieltjes.im);
    assert_eq!(num(&v[0], "atom_at_zero"), 0.0);
    let support = law.support().unwrap();
    // (the edges agree to the last bits only: the bisections are inlined differently in the
    // binary and in this test)
    assert!((num(&v[0], "lower_edge") - support[0].0).abs() < 1e-14 * support[0].0);
    let top = support.last().unwrap().1;
    assert!((num(&v[0], "upper_edge") - top).abs() < 1e-14 * top);
    assert_eq!(num(&v[0], "support_intervals"), support.len() as f64);
    assert!((num(&v[0], "density") - 0.538).abs() < 1e-3);
}

#[test]
fn a_range_gives_a_curve_and_a_plot() {
    let svg = std::env::temp_dir().join(format!("overparam_density_{}.svg", std::process::id()));
    let (code, out, err) = run(&[
        "--population",
        "powerlaw:0:3",
        "--gamma",
        "0.25",
        "--x",
        "lin:0.05:3:40",
        "--format",
        "json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // powerlaw:0:3 is three atoms at 1: Marchenko–Pastur
    let mp = MarchenkoPastur::new(0.25).unwrap();
    let v = json_lines(&out);
    assert_eq!(v.len(), 40);
    for r in &v {
        let x = num(r, "x");
        assert!(
            (num(r, "density") - mp.density(x).unwrap()).abs() < 1e-12,
            "{x}"
        );
    }
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    std::fs::remove_file(&svg).ok();
}

#[test]
fn atom_at_zero_for_gamma_above_one() {
    let (code, out, err) = run(&[
        "--population",
        "powerlaw:0:1",
        "--gamma",
        "4",
        "--x",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert!((num(&v[0], "atom_at_zero") - 0.75).abs() < 1e-15);
    assert!(
        (num(&v[0], "density") - MarchenkoPastur::new(4.0).unwrap().density(1.0).unwrap()).abs()
            < 1e-12
    );
}

#[test]
fn bad_inputs_exit_2_naming_the_problem() {
    let bad = temp_file("bad.csv", "eigenvalue,weight,signal\n1,0.7,0.2\n10,x,0.8\n");
    let (code, _, err) = run(&[
        "--population",
        bad.to_str().unwrap(),
        "--gamma",
        "0.5",
        "--x",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("weight `x`"),
        "{err}"
    );
    let neg = temp_file("neg.csv", "eigenvalue,weight\n1,1\n-1,1\n");
    let (code, _, err) = run(&[
        "--population",
        neg.to_str().unwrap(),
        "--gamma",
        "0.5",
        "--x",
        "1",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("eigenvalues"), "{err}");
    let (code, _, err) = run(&[
        "--population",
        "/nonexistent/p.csv",
        "--gamma",
        "0.5",
        "--x",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/p.csv") && err.contains("cannot read"),
        "{err}"
    );
    let (code, _, err) = run(&["--population", "semicircle:1", "--gamma", "0.5", "--x", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("discrete"), "{err}");
    let (code, _, err) = run(&["--population", "powerlaw:1:10", "--gamma", "-1", "--x", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--gamma"), "{err}");
    let (code, _, err) = run(&["--population", "powerlaw:1:10", "--gamma", "1", "--x", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--x"), "{err}");
    let (code, _, err) = run(&["--population", "powerlaw:x:10", "--gamma", "1", "--x", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("alpha"), "{err}");
}

/// `--free-sum`: two semicircles of radius 2 (variance 1) add to the semicircle of variance 2
/// (radius 2 sqrt 2), a closed form; the values are those of the library's `FreeSum`.
#[test]
fn free_sum_of_semicircles_is_the_semicircle_of_the_summed_variance() {
    let (code, out, err) = run(&[
        "--free-sum",
        "semicircle:2",
        "semicircle:2",
        "--x",
        "lin:-2.5:2.5:11",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 11);
    let r = 2.0 * 2f64.sqrt();
    for rec in &v {
        let x = num(rec, "x");
        let exact = 2.0 * (r * r - x * x).sqrt() / (std::f64::consts::PI * r * r);
        assert!((num(rec, "density") - exact).abs() < 1e-8, "{rec}");
        assert!(num(rec, "stieltjes_im") > 0.0 && num(rec, "eta") > 0.0);
        assert!(num(rec, "residual") < 1e-10);
    }
}

/// `--free-product`: a point mass at 2 times MP(0.5) is MP(0.5) scaled by 2:
/// rho(x) = rho_MP(x / 2) / 2.
#[test]
fn free_product_with_a_point_mass_scales_the_law() {
    let f = temp_file("one_atom.csv", "eigenvalue,weight\n2,1\n");
    let spec = format!("atoms:{}", f.to_str().unwrap());
    let (code, out, err) = run(&[
        "--free-product",
        &spec,
        "mp:0.5",
        "--x",
        "lin:0.5:5:10",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let mp = MarchenkoPastur::new(0.5).unwrap();
    for rec in json_lines(&out) {
        let x = num(&rec, "x");
        let exact = mp.density(x / 2.0).unwrap() / 2.0;
        assert!((num(&rec, "density") - exact).abs() < 1e-7, "{rec}");
    }
}

/// Bad laws and missing forms: exit 2 naming the flag.
#[test]
fn free_forms_reject_bad_input_with_status_2() {
    for (args, needle) in [
        (
            vec!["--free-sum", "semicircle:-1", "mp:0.5", "--x", "1"],
            "--free-sum",
        ),
        (
            vec!["--free-product", "semicircle:1", "mp:0.5", "--x", "1"],
            "--free-product",
        ),
        (vec!["--free-sum", "semicircle:1", "--x", "1"], "--free-sum"),
        (vec!["--x", "1"], "--population"),
        (
            vec!["--free-sum", "mp:1", "mp:1", "--gamma", "1", "--x", "1"],
            "--gamma",
        ),
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}
