//! `--plot FILE.svg`: every sweeping subcommand writes a well-formed SVG with its axis labels,
//! legend entries and one marker per simulated point, and leaves stdout unchanged.

use std::path::PathBuf;

mod common;

/// Run the binary: (success, stdout, stderr).
fn overparam(args: &[&str]) -> (bool, String, String) {
    let (status, out, err) = common::run(args);
    (status == 0, out, err)
}

fn temp_svg(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("overparam_cli_plot_{}_{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!("{name}.svg"))
}

/// Run with and without `--plot`; check stdout is identical and return the SVG text.
fn plotted(name: &str, args: &[&str]) -> String {
    let path = temp_svg(name);
    let p = path.to_str().expect("utf-8 path");
    let (ok_plain, plain, err_plain) = overparam(args);
    assert!(ok_plain, "{err_plain}");
    let mut with = args.to_vec();
    with.extend(["--plot", p]);
    let (ok, out, err) = overparam(&with);
    assert!(ok, "{err}");
    assert_eq!(plain, out, "--plot changed stdout");
    let svg = std::fs::read_to_string(&path).expect("svg written");
    let _ = std::fs::remove_dir_all(path.parent().expect("parent"));
    assert!(
        svg.trim_start().starts_with("<svg"),
        "not an SVG: {}",
        &svg[..svg.len().min(80)]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    svg
}

fn circles(svg: &str) -> usize {
    svg.matches("<circle").count()
}

#[test]
fn rf_plot_has_labels_legend_and_one_marker_per_simulated_point() {
    let svg = plotted(
        "rf",
        &[
            "rf",
            "--psi1",
            "0.5:4:4",
            "--psi2",
            "2",
            "--lambda",
            "1e-2",
            "--simulate",
            "--d",
            "20",
            "--trials",
            "2",
        ],
    );
    for text in [
        "psi1 = N/d",
        "test error (excess, noise excluded)",
        "train error (noise included)",
        "test error (theory)",
        "train error (theory)",
        "test error (simulation, 2 SE)",
        "psi2 = 2",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // 4 test + 4 train simulated points (in two panels), plus one legend marker per point series.
    assert_eq!(circles(&svg), 4 + 4 + 2);
}

#[test]
fn ridge_plot_without_simulation_has_no_markers() {
    let svg = plotted(
        "ridge",
        &[
            "ridge",
            "--gamma",
            "lin:0.2:3:7",
            "--lambda",
            "0.1",
            "--snr",
            "2",
        ],
    );
    for text in ["gamma = p/n", "test error (theory)", "train error (theory)"] {
        assert!(svg.contains(text), "missing {text}");
    }
    assert_eq!(circles(&svg), 0);
}

#[test]
fn adversarial_plot_shows_standard_and_robust_error() {
    let svg = plotted(
        "adversarial",
        &[
            "adversarial",
            "--psi1",
            "0.5:2:3",
            "--psi2",
            "2",
            "--eps",
            "0.3",
            "--simulate",
            "--d",
            "20",
            "--trials",
            "2",
        ],
    );
    for text in [
        "psi1 = N/d",
        "test risk (theory)",
        "robust test risk (theory)",
        "robust test risk (simulation, 2 SE)",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    assert_eq!(circles(&svg), 3 + 3 + 2);
}

#[test]
fn membership_plot_shows_advantage() {
    let svg = plotted(
        "membership",
        &[
            "membership",
            "--gamma",
            "0.3:0.8:3",
            "--simulate",
            "--n",
            "40",
            "--trials",
            "20",
        ],
    );
    for text in [
        "gamma = p/n",
        "membership advantage",
        "advantage (theory)",
        "advantage (simulation, 2 SE)",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    assert_eq!(circles(&svg), 3 + 1);
}

#[test]
fn hessian_plot_has_one_series_per_component() {
    let svg = plotted(
        "hessian",
        &["hessian", "--family", "type-a", "--d", "6:20:4"],
    );
    for text in ["d = k", "|eigenvalue|", "trivial #1"] {
        assert!(svg.contains(text), "missing {text}");
    }
}

#[test]
fn unwritable_plot_path_is_one_line_exit_1() {
    let (status, _, err) = common::run(&[
        "ridge",
        "--gamma",
        "0.5",
        "--lambda",
        "0.1",
        "--snr",
        "2",
        "--plot",
        "/nonexistent_dir_x/y.svg",
    ]);
    assert_eq!(status, 1);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--plot"));
}
