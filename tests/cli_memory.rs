//! The command line's memory budget and `--trials` bounds (issue 13, first item): every
//! reproducer that used to abort or panic on allocation exits with status 2 within a second,
//! naming the size flag, the estimate and the budget; `--trials` outside [2, 10^6] is refused
//! naming `--trials`.
#![cfg(feature = "cli")]

mod common;

use std::time::{Duration, Instant};

use common::run;
use overparam::sim::memory::MemoryBudget;

/// Run and time.
fn timed(args: &[&str]) -> (i32, String, String, Duration) {
    let start = Instant::now();
    let (code, out, err) = run(args);
    (code, out, err, start.elapsed())
}

/// The reproducers of issue 13 (with the model flags every subcommand requires), the flag the
/// refusal must name, and the smallest estimate among them (29.8 GiB).
const REPRODUCERS: [(&[&str], &str); 4] = [
    (
        &[
            "membership",
            "--gamma",
            "0.5",
            "--lambda",
            "0.1",
            "--simulate",
            "--n",
            "1000000",
        ],
        "--n 1000000",
    ),
    (
        &[
            "rf",
            "--psi1",
            "1",
            "--psi2",
            "1",
            "--lambda",
            "0.1",
            "--simulate",
            "--d",
            "20000",
        ],
        "--d 20000",
    ),
    (
        &[
            "adversarial",
            "--linear",
            "--delta",
            "1",
            "--eps",
            "0.1",
            "--simulate",
            "--d",
            "20000",
        ],
        "--d 20000",
    ),
    (
        &[
            "adversarial",
            "--psi1",
            "1",
            "--psi2",
            "1",
            "--eps",
            "0.1",
            "--simulate",
            "--d",
            "20000",
        ],
        "--d 20000",
    ),
];

fn assert_refused(args: &[&str], flag: &str, budget_words: &str) {
    let (code, out, err, elapsed) = timed(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(out.is_empty(), "{args:?} printed {out}");
    assert!(elapsed < Duration::from_secs(1), "{args:?}: {elapsed:?}");
    assert!(
        err.starts_with(&format!("error: {flag}: the simulation needs about ")),
        "{err}"
    );
    assert!(err.contains(", over the memory budget of "), "{err}");
    assert!(err.contains(budget_words), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn reproducers_exit_2_naming_the_size_flag_under_an_explicit_budget() {
    for (args, flag) in REPRODUCERS {
        let mut with_budget = args.to_vec();
        with_budget.extend(["--memory-budget", "8GiB"]);
        assert_refused(&with_budget, flag, "8 GiB (set by --memory-budget)");
    }
}

/// As the issue ran them, without `--memory-budget`: refused under the default budget (half of
/// physical memory) wherever that is below every reproducer's estimate (29.8 GiB at least); on a
/// larger machine only the 18 TiB membership run is certain to be refused.
#[test]
fn reproducers_exit_2_under_the_default_budget() {
    let small_machine = MemoryBudget::default().limit_bytes() < 29 << 30;
    for (args, flag) in REPRODUCERS {
        if small_machine || args[0] == "membership" {
            assert_refused(
                args,
                flag,
                "% of physical memory; raise it with --memory-budget)",
            );
        }
    }
}

/// The loss attack keeps 2n residuals of every trial: a million trials at n = 10^4 is refused
/// naming `--trials`, the size that drives it.
#[test]
fn results_kept_per_trial_name_trials() {
    let args = [
        "membership",
        "--gamma",
        "0.5",
        "--lambda",
        "0.1",
        "--attack",
        "loss",
        "--simulate",
        "--n",
        "10000",
        "--trials",
        "1000000",
        "--memory-budget",
        "8GiB",
    ];
    assert_refused(&args, "--trials 1000000", "8 GiB (set by --memory-budget)");
}

/// The gradient-descent census keeps a result per run: an unbounded `--runs` used to start
/// collecting 2^64 results; it is refused naming `--runs`.
#[test]
fn census_runs_beyond_any_allocation_name_runs() {
    let (code, out, err, elapsed) = timed(&[
        "hessian",
        "--gd",
        "--d",
        "4",
        "--runs",
        "18446744073709551615",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert!(
        err.starts_with("error: --runs: the simulation needs about "),
        "{err}"
    );
}

/// The whole grid is checked before any output: the last corner of a psi1 sweep is over the
/// budget although the first point fits.
#[test]
fn a_grid_is_refused_before_its_first_record() {
    let args = [
        "rf",
        "--psi1",
        "0.1:1:3",
        "--psi2",
        "1",
        "--lambda",
        "0.1",
        "--simulate",
        "--d",
        "2000",
        "--memory-budget",
        "400MB",
        "--format",
        "json",
    ];
    assert_refused(&args, "--d 2000", "(set by --memory-budget)");
}

#[test]
fn a_run_within_an_explicit_budget_runs() {
    for budget in ["1GiB", "500MB", "25%", "1e9"] {
        let (code, out, err) = run(&[
            "ridge",
            "--gamma",
            "0.5",
            "--lambda",
            "0.1",
            "--snr",
            "1",
            "--simulate",
            "--n",
            "100",
            "--trials",
            "3",
            "--memory-budget",
            budget,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{budget}: {err}");
        assert_eq!(out.lines().count(), 1, "{out}");
    }
}

#[test]
fn bad_budgets_exit_2_naming_the_flag() {
    for budget in ["abc", "0%", "150%", "-5MB", "12 parsecs", "0", "nan"] {
        let (code, _, err) = run(&[
            "rf",
            "--psi1",
            "1",
            "--psi2",
            "1",
            "--lambda",
            "0.1",
            "--simulate",
            "--memory-budget",
            budget,
        ]);
        assert_eq!(code, 2, "{budget}: {err}");
        assert!(err.contains("--memory-budget"), "{budget}: {err}");
    }
}

/// `--trials 18446744073709551615` used to start allocating; `--trials 1` printed `sim_se` 0.
#[test]
fn trials_outside_two_to_a_million_exit_2_naming_trials() {
    for trials in ["18446744073709551615", "1000001", "1", "0", "-1", "1e3"] {
        for sub in [
            &["rf", "--psi1", "1", "--psi2", "1", "--lambda", "0.1"][..],
            &["membership", "--gamma", "0.5", "--lambda", "0.1"][..],
            &["adversarial", "--linear", "--delta", "1", "--eps", "0.1"][..],
        ] {
            let mut args = sub.to_vec();
            args.extend(["--simulate", "--trials", trials]);
            let (code, out, err, elapsed) = timed(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(out.is_empty());
            assert!(err.contains("--trials"), "{args:?}: {err}");
            assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
        }
    }
}

/// Negative sizes and seeds name their flag instead of "unexpected argument '-5'".
#[test]
fn negative_sizes_and_seeds_name_their_flag() {
    for (flag, value) in [("--d", "-5"), ("--n", "-5"), ("--seed", "-1")] {
        let (code, _, err) = run(&[
            "ridge",
            "--gamma",
            "0.5",
            "--lambda",
            "0.1",
            "--snr",
            "1",
            "--simulate",
            flag,
            value,
        ]);
        assert_eq!(code, 2, "{err}");
        let named = err.contains(&format!("'{flag} <")) || err.contains("'--d <");
        assert!(named, "{flag}: {err}");
    }
}
