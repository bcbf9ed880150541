//! Progress bars (issue 13): every long-running subcommand draws one on a terminal — over the
//! points of a simulated sweep, over the trials of a single simulated point (the library's
//! `RunOptions::progress`, not "0/1 points"), over the runs of `hessian --gd` — never when
//! stderr is not a terminal, and never with `--no-progress`.
//!
//! The terminal is a pseudo-terminal from util-linux `script(1)`; where `script` is missing the
//! terminal half is skipped (and says so), the pipe half always runs.
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

/// Runs that draw a bar (indicatif draws its first state at once, then at most 20 times a
/// second), short enough for the suite.
const LONG: &[(&str, &str)] = &[
    (
        "rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d 40 --trials 20",
        "/20 trials",
    ),
    (
        "ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --n 100 --trials 20",
        "/20 trials",
    ),
    (
        "adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --d 40 --trials 4",
        "/4 trials",
    ),
    (
        "adversarial --linear --delta 2 --eps 0.3 --simulate --d 40 --trials 8",
        "/8 trials",
    ),
    (
        "membership --gamma 2 --simulate --n 100 --trials 20",
        "/20 trials",
    ),
    ("hessian --gd --d 6 --runs 40", "/40 trials"),
    (
        "rf --psi1 1:3:4 --psi2 3 --lambda 0.1 --simulate --d 30 --trials 4",
        "/4 points",
    ),
    ("hessian --d lin:10:20:3 --simulate", "/3 points"),
];

/// The text a run draws on a pseudo-terminal (stdout discarded), or `None` without `script`.
fn on_a_terminal(args: &str) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_overparam");
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("'{bin}' {args} --format json >/dev/null"),
            "/dev/null",
        ])
        .output()
        .ok()?;
    assert!(out.status.success(), "{args}: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_terminal_shows_progress_unless_no_progress() {
    let mut skipped = 0;
    for (args, bar) in LONG {
        let Some(drawn) = on_a_terminal(args) else {
            skipped += 1;
            continue;
        };
        assert!(drawn.contains(bar), "{args}: no `{bar}` bar in {drawn:?}");
        assert!(!drawn.contains("0/1 points"), "{args}: {drawn:?}");
        let quiet = on_a_terminal(&format!("{args} --no-progress")).unwrap_or_default();
        assert!(
            !quiet.contains("trials") && !quiet.contains("points"),
            "{args} --no-progress: {quiet:?}"
        );
    }
    if skipped > 0 {
        eprintln!("script(1) not found: the terminal half of this test was skipped");
    }
}

#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    for (args, _) in LONG {
        let args: Vec<&str> = args.split(' ').collect();
        let (code, out, err) = common::run(&[&args[..], &["--format", "json"]].concat());
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty());
        assert!(err.is_empty(), "{args:?}: {err:?}");
    }
}

#[test]
fn every_subcommand_accepts_no_progress() {
    for args in [
        "rf --psi1 2 --psi2 3 --lambda 0.1",
        "ridge --gamma 2 --lambda 0.1 --snr 2",
        "adversarial --psi1 2 --psi2 3 --eps 0.3",
        "adversarial --linear --delta 2 --eps 0.3",
        "membership --gamma 2",
        "hessian --d 5",
        "hessian --threshold",
        "hessian --gd --d 4 --runs 2",
        "hessian --d 4 --simulate",
    ] {
        let args: Vec<&str> = args.split(' ').collect();
        let (code, _, err) = common::run(&[&args[..], &["--no-progress"]].concat());
        assert_eq!(code, 0, "{args:?}: {err}");
    }
}
