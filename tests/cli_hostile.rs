//! The command-line hostile-input table (issue 13): for every subcommand, command lines a user or
//! a fuzzer may type — negative integers, NaN / inf / 1e308 / 1e-320, missing values, unknown
//! flags, flags that do not apply, huge ranges, `--trials 0/1/huge`, sizes too big for memory,
//! closed pipes — each with the exit status it must end with (docs/cli.md, "Exit status") and
//! the flag names its one-line message must contain.
//!
//! A row passes when the status is one of the allowed ones, stderr contains every `must` entry
//! (an entry `a|b` is satisfied by either), contains no `must_not` entry, an error is one line,
//! and an exit status 0 printed JSON records whose primary metric is a number (never a blank
//! field or an `error`). Rows marked [`Needs::Memory`] need the simulation memory budget and the
//! `--trials` bounds of the MEMORY part of issue 13; they run in the test `memory_rows`, under a
//! 6 GB address-space limit so that a missing budget fails the row instead of the machine; rows
//! marked [`Needs::Library`] need the library's finite results (NONFINITE part) and run in the
//! test `library_rows` (both were `#[ignore]`d until those parts landed; they run by default). `OVERPARAM_BIN=/path/to/overparam` runs the table against
//! another build (how the before count of the closing note was taken).
#![cfg(feature = "cli")]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a row needs to pass besides this branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Nothing: must pass now.
    Now,
    /// The MEMORY part of issue 13 (memory budget, `--trials` bounds).
    Memory,
    /// The library's finite results (NONFINITE part of issue 13): a finite answer, or an error
    /// naming the parameter, where the library overflows today.
    Library,
}

/// How the output is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    /// Read to the end.
    All,
    /// Read a few bytes and close the pipe (`| head -c 64`): must end with 0 and say nothing.
    ClosedPipe,
}

struct Row {
    /// The command line (split at spaces).
    args: &'static str,
    /// Allowed exit statuses.
    codes: &'static [i32],
    /// Substrings the message must contain (`a|b`: either).
    must: &'static [&'static str],
    /// Substrings the message must not contain.
    must_not: &'static [&'static str],
    needs: Needs,
    out: Out,
}

const fn row(args: &'static str, codes: &'static [i32], must: &'static [&'static str]) -> Row {
    Row {
        args,
        codes,
        must,
        must_not: &[],
        needs: Needs::Now,
        out: Out::All,
    }
}

const fn memory(args: &'static str, must: &'static [&'static str]) -> Row {
    Row {
        args,
        codes: &[2],
        must,
        must_not: &[],
        needs: Needs::Memory,
        out: Out::All,
    }
}

const fn library(mut r: Row) -> Row {
    r.needs = Needs::Library;
    r
}

const fn pipe(args: &'static str) -> Row {
    Row {
        args,
        codes: &[0],
        must: &[],
        must_not: &[],
        needs: Needs::Now,
        out: Out::ClosedPipe,
    }
}

const fn not(mut r: Row, must_not: &'static [&'static str]) -> Row {
    r.must_not = must_not;
    r
}

const U: &[i32] = &[2];
const OK: &[i32] = &[0];
/// A finite answer or a usage error naming the flag (both honest; the library decides).
const OK_OR_U: &[i32] = &[0, 2];

/// The primary metric of each subcommand's records (a number whenever the run succeeds).
fn primary(args: &str) -> &'static str {
    let sub = args.split(' ').next().unwrap_or_default();
    match sub {
        "rf" | "ridge" => "test_error",
        "adversarial" => "robust_test_risk",
        "membership" => "advantage",
        "density" => "density",
        _ if args.contains("--threshold") => "d_star",
        _ => "min_eigenvalue",
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ---- no subcommand, unknown subcommand ----
    row("", U, &[]),
    row("bogus", U, &["bogus"]),
    // ---- rf ----
    row("rf --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --bogus 1", U, &["--bogus"]),
    row("rf --psi1 -2 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 nan --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 inf --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 1e308 --psi2 3 --lambda 0.1", OK_OR_U, &["--psi1"]),
    library(row("rf --psi1 1e-320 --psi2 3 --lambda 0.1", OK_OR_U, &["--psi1"])),
    row("rf --psi1 2 --psi2 3 --lambda 1e308", OK_OR_U, &["--lambda"]),
    row("rf --psi1 2 --psi2 3 --lambda -1e-320", U, &["--lambda"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --f1 -inf", U, &["--f1"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --noise-sd -nan", U, &["--noise-sd|--tau"]),
    row("rf --psi1 1:2:100000000 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 0:2:10 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 lin:-1:2:10 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 1:2:-3 --psi2 3 --lambda 0.1", U, &["--psi1"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --f1 nan", U, &["--f1"]),
    library(row("rf --psi1 2 --psi2 3 --lambda 0.1 --f1 1e200", OK_OR_U, &["--f1"])),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --f-star inf", U, &["--f-star"]),
    library(row("rf --psi1 2 --psi2 3 --lambda 0.1 --f-star 1e200", OK_OR_U, &["--f-star"])),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --noise-sd -1", U, &["--noise-sd"]),
    library(row("rf --psi1 2 --psi2 3 --lambda 0.1 --noise-sd 1e308", OK_OR_U, &["--noise-sd"])),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --activation linear", U, &["--activation"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --format xml", U, &["--format"]),
    row("rf --psi1 2 --psi2 3 --optimal-lambda --lambda 1", U, &["--lambda", "--optimal-lambda"]),
    // A divergent single point (the ridgeless interpolation threshold): exit 2, like ridge and
    // membership, naming the parameters.
    row("rf --psi1 3 --psi2 3 --lambda 0", U, &["--psi1", "--lambda"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d -5", U, &["--d", "-5"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --trials -1", U, &["--trials", "-1"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --seed -1", U, &["--seed", "-1"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --trials 0", U, &["--trials"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d", U, &["--d"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d 0", U, &["--d"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d 1e3", U, &["--d"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --test-points 0", U, &["--test-points"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --test-points -3", U, &["--test-points", "-3"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --finite-size-constant nan", U, &["--finite-size-constant"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --input cube", U, &["--input"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --d 50", U, &["--d", "--simulate"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --trials 5", U, &["--trials", "--simulate"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --seed 5", U, &["--seed", "--simulate"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --test-points 5", U, &["--test-points", "--simulate"]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --trials 4 --no-progress", OK, &[]),
    row("rf --psi1 2 --psi2 3 --lambda 0.1 --plot out.png", U, &["--plot"]),
    // N = psi1 d = 40000 is over the simulation's documented cap of 20000 features: refused before
    // the memory estimate, naming --psi1 (the budget itself is exercised in tests/cli_memory.rs).
    memory("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --d 20000", &["--psi1"]),
    memory("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --trials 1", &["--trials"]),
    memory("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --trials 1000000000000", &["--trials"]),
    memory("rf --psi1 2 --psi2 3 --lambda 0.1 --simulate --test-points 100000000000", &["--test-points"]),
    pipe("rf --psi1 0.1:10:100000 --psi2 3 --lambda 1e-3"),
    pipe("rf --psi1 0.1:10:1000 --psi2 3 --lambda 1e-3 --simulate --d 20 --trials 2 --format csv"),
    // ---- ridge ----
    row("ridge --lambda 0.1 --snr 2", U, &["--gamma"]),
    row("ridge --gamma 2 --lambda 0.1", U, &["--snr"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --bogus", U, &["--bogus"]),
    row("ridge --gamma -2 --lambda 0.1 --snr 2", U, &["--gamma"]),
    row("ridge --gamma nan --lambda 0.1 --snr 2", U, &["--gamma"]),
    row("ridge --gamma 2 --lambda 0.1 --snr inf", U, &["--snr"]),
    row("ridge --gamma 1e308 --lambda 0.1 --snr 2", OK_OR_U, &["--gamma"]),
    row("ridge --gamma 1e-320 --lambda 0.1 --snr 2", OK_OR_U, &["--gamma"]),
    row("ridge --gamma 2 --lambda 1e308 --snr 2", OK_OR_U, &["--lambda"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 1e308", OK_OR_U, &["--snr"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --noise-sd nan", U, &["--noise-sd|--sigma"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --noise-sd -1", U, &["--noise-sd|--sigma"]),
    // The overflow of snr * noise_sd^2 is as much the noise's fault as the snr's.
    row("ridge --gamma 2 --lambda 0.1 --snr 1 --sigma 1e200", U, &["--noise-sd|--sigma"]),
    row("ridge --gamma 1:2:100000000 --lambda 0.1 --snr 2", U, &["--gamma"]),
    row("ridge --gamma 1 --lambda 0 --snr 1", U, &["--lambda"]),
    row("ridge --gamma 2 --optimal-lambda --lambda 1 --snr 1", U, &["--lambda", "--optimal-lambda"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --n -5", U, &["--n|--d", "-5"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --trials -1", U, &["--trials", "-1"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --seed -1", U, &["--seed", "-1"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --trials 0", U, &["--trials"]),
    // The reproducer: gamma = 0.5 at n = 15000 (p = 7500) is valid and was rejected as
    // "`gamma` = 2"; here the only fault is --trials.
    not(row("ridge --gamma 0.5 --lambda 0.1 --snr 2 --simulate --n 15000 --trials 0", U, &["--trials"]), &["gamma"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --n 15000", U, &["--gamma", "= 2"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --n", U, &["--n|--d"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --n 50", U, &["--n|--d", "--simulate"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --trials 3", U, &["--trials", "--simulate"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --kappa 3", U, &["--kappa", "--simulate"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --test-points 5", U, &["--test-points"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --trials 4 --no-progress", OK, &[]),
    not(memory("ridge --gamma 0.5 --lambda 0.1 --snr 2 --simulate --n 100000", &["--n|--d"]), &["= 2:"]),
    memory("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --trials 1", &["--trials"]),
    memory("ridge --gamma 2 --lambda 0.1 --snr 2 --simulate --trials 1000000000000", &["--trials"]),
    pipe("ridge --gamma 1.1:2:1000 --lambda 1:2:1000 --snr 1:2:1000 --format csv"),
    // ---- ridge --spectrum (issue 15) ----
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum /nonexistent/pop.csv", U, &["--spectrum", "/nonexistent/pop.csv"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum powerlaw:-1:100", U, &["--spectrum"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum powerlaw:1:0", U, &["--spectrum"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum powerlaw:nan:10", U, &["--spectrum"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum bogus:1", U, &["--spectrum"]),
    row("ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum powerlaw:1:1000 --signal-exponent -1", U, &["--signal-exponent"]),
    row("ridge --gamma 1e-3:1e3:6 --lambda lin:0:1e3:5 --snr 2 --spectrum powerlaw:5:1000", OK, &[]),
    // ---- dynamics --spectrum (issue 16) ----
    row("dynamics --gamma 2 --snr 2 --time 1 --spectrum /nonexistent/pop.csv", U, &["--spectrum", "/nonexistent/pop.csv"]),
    row("dynamics --gamma 2 --snr 2 --time 1 --spectrum powerlaw:nan:10", U, &["--spectrum"]),
    row("dynamics --gamma 2 --snr 2 --time 1 --spectrum powerlaw:1:100 --signal-exponent -1", U, &["--signal-exponent"]),
    row("dynamics --gamma 0.5 --snr 2 --algorithm gd --lr 1e3 --steps 5 --spectrum powerlaw:1:100", U, &["--lr"]),
    row("ridge --gamma 1 --lambda 0 --snr 2 --spectrum powerlaw:1:100", OK_OR_U, &["--gamma|--lambda"]),
    pipe("ridge --gamma 0.1:10:1000 --lambda 0.01:1:1000 --snr 2 --spectrum powerlaw:1.5:1000 --format csv"),
    // ---- density (issue 15) ----
    row("density --gamma 0.5 --x 1", U, &["--population"]),
    row("density --population powerlaw:1:100 --x 1", U, &["--gamma"]),
    row("density --population /nonexistent/pop.csv --gamma 0.5 --x 1", U, &["--population", "/nonexistent/pop.csv"]),
    row("density --population powerlaw:1:100 --gamma -1 --x 1", U, &["--gamma"]),
    row("density --population powerlaw:1:100 --gamma nan --x 1", U, &["--gamma"]),
    row("density --population powerlaw:1:100 --gamma 0.5 --x 0", U, &["--x"]),
    row("density --population powerlaw:1:100 --gamma 0.5 --x inf", U, &["--x"]),
    row("density --population semicircle:1 --gamma 0.5 --x 1", U, &["--population"]),
    row("density --population powerlaw:1:100 --gamma 1e-300 --x 1", OK_OR_U, &["--gamma"]),
    row("density --population powerlaw:1:100 --gamma 1e300 --x 1", U, &["--gamma"]),
    row("density --population powerlaw:1:100 --gamma 1e4 --x 1:1e5:20", OK, &[]),
    row("density --free-sum semicircle:1 --x 1", U, &["--free-sum"]),
    row("density --free-sum semicircle:0 mp:0.5 --x 1", U, &["--free-sum"]),
    row("density --free-product semicircle:1 mp:0.5 --x 1", U, &["--free-product"]),
    row("density --free-sum mp:1 mp:1 --gamma 1 --x 1", U, &["--gamma"]),
    row("density --free-sum mp:0.5 uniform:0:1 --x nan", U, &["--x"]),
    row("density --free-sum mp:0.5 uniform:0:1 --x lin:-1e6:1e10:5", OK, &[]),
    // Far outside the support (|x| >= 1e100) the subordination fails with a typed error (no
    // far-field expansion yet): a one-line message, status 1 or 2, never a number in Ok.
    row("density --free-sum mp:0.5 uniform:0:1 --x 1e200", &[1, 2], &["--x 1e200"]),
    pipe("density --population powerlaw:1:100 --gamma 0.5 --x lin:0.01:2:1000000 --format csv"),
    pipe("density --free-sum semicircle:1 uniform:0:1 --x lin:-2:3:1000000 --format csv"),
    // ---- adversarial (random features) ----
    row("adversarial --psi1 2 --psi2 3", U, &["--eps"]),
    row("adversarial --psi2 3 --eps 0.3", U, &["--psi1"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --bogus", U, &["--bogus"]),
    row("adversarial --psi1 2 --psi2 3 --eps -0.3", U, &["--eps"]),
    row("adversarial --psi1 2 --psi2 3 --eps nan", U, &["--eps"]),
    row("adversarial --psi1 2 --psi2 3 --eps 1e308", OK_OR_U, &["--eps"]),
    row("adversarial --psi1 -2 --psi2 3 --eps 0.3", U, &["--psi1"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --eps-test nan", U, &["--eps-test"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --eps-test -1", U, &["--eps-test"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --noise-sd -1", U, &["--noise-sd"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --tau2 nan", U, &["--tau2"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --noise-sd 1 --tau2 1", U, &["--noise-sd", "--tau2"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --delta 2", U, &["--delta", "--linear"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --r0 2", U, &["--r0", "--linear"]),
    row("adversarial --psi1 1:2:100000000 --psi2 3 --eps 0.3", U, &["--psi1"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --d 50", U, &["--d", "--simulate"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --trials 5", U, &["--trials", "--simulate"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --seed 5", U, &["--seed", "--simulate"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --d -5", U, &["--d", "-5"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --trials -1", U, &["--trials", "-1"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --seed -1", U, &["--seed", "-1"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --trials 0", U, &["--trials"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --d 0", U, &["--d"]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --no-progress", OK, &[]),
    row("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --d 40 --trials 2 --no-progress", OK, &[]),
    memory("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --d 20000", &["--psi1"]),
    memory("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --trials 1", &["--trials"]),
    memory("adversarial --psi1 2 --psi2 3 --eps 0.3 --simulate --trials 1000000000000", &["--trials"]),
    pipe("adversarial --psi1 0.5:5:400 --psi2 2 --eps 0.3"),
    // ---- adversarial --linear ----
    row("adversarial --linear --eps 0.3", U, &["--delta"]),
    row("adversarial --linear --delta 2 --eps 0.3 --psi1 2", U, &["--psi1", "--linear"]),
    row("adversarial --linear --delta 2 --eps 0.3 --psi2 2", U, &["--psi2", "--linear"]),
    row("adversarial --linear --delta -2 --eps 0.3", U, &["--delta"]),
    row("adversarial --linear --delta nan --eps 0.3", U, &["--delta"]),
    row("adversarial --linear --delta 2 --eps 0.3 --r0 nan", U, &["--r0"]),
    row("adversarial --linear --delta 2 --eps 0.3 --r0 -1", U, &["--r0"]),
    library(row("adversarial --linear --delta 2 --eps 0.3 --r0 1e308", OK_OR_U, &["--r0"])),
    library(row("adversarial --linear --delta 2 --eps 0.1 --noise-sd 0 --eps-test 1e160", OK_OR_U, &["--eps-test"])),
    row("adversarial --linear --delta 1e-320 --eps 0.3", OK_OR_U, &["--delta"]),
    row("adversarial --linear --delta 2 --eps 0.3 --d 50", U, &["--d", "--simulate"]),
    row("adversarial --linear --delta 2 --eps 0.3 --trials 5", U, &["--trials", "--simulate"]),
    row("adversarial --linear --delta 2 --eps 0.3 --simulate --d -5", U, &["--d", "-5"]),
    row("adversarial --linear --delta 2 --eps 0.3 --simulate --trials -1", U, &["--trials", "-1"]),
    row("adversarial --linear --delta 2 --eps 0.3 --simulate --trials 0", U, &["--trials"]),
    row("adversarial --linear --delta 2 --eps 0.3 --simulate --d 40 --trials 2 --no-progress", OK, &[]),
    memory("adversarial --linear --delta 2 --eps 0.3 --simulate --d 20000", &["--d"]),
    memory("adversarial --linear --delta 2 --eps 0.3 --simulate --trials 1", &["--trials"]),
    pipe("adversarial --linear --delta 0.5:5:2000 --eps 0.3 --format csv"),
    // ---- membership ----
    row("membership", U, &["--gamma"]),
    row("membership --gamma 2 --bogus", U, &["--bogus"]),
    row("membership --gamma -2", U, &["--gamma"]),
    row("membership --gamma nan", U, &["--gamma"]),
    row("membership --gamma 1e308", OK_OR_U, &["--gamma"]),
    row("membership --gamma 1e-320", OK_OR_U, &["--gamma"]),
    row("membership --gamma 2 --lambda 1e308", OK_OR_U, &["--lambda"]),
    row("membership --gamma 2 --kappa -1", U, &["--kappa"]),
    row("membership --gamma 2 --kappa nan", U, &["--kappa"]),
    row("membership --gamma 2 --kappa inf", U, &["--kappa"]),
    row("membership --gamma 2 --kappa nan --simulate --trials 2", U, &["--kappa"]),
    row("membership --gamma 2 --noise-sd inf", U, &["--noise-sd|--sigma"]),
    row("membership --gamma 2 --output-noise nan", U, &["--output-noise"]),
    row("membership --gamma 2 --output-noise -1", U, &["--output-noise"]),
    row("membership --gamma 2 --attack foo", U, &["--attack"]),
    row("membership --gamma 1:2:100000000", U, &["--gamma"]),
    // A divergent single point (min-norm at gamma = 1): exit 2.
    row("membership --gamma 1 --lambda 0", U, &["--gamma"]),
    row("membership --gamma 2 --n 50", U, &["--n|--d", "--simulate"]),
    row("membership --gamma 2 --trials 5", U, &["--trials", "--simulate"]),
    row("membership --gamma 2 --seed 5", U, &["--seed", "--simulate"]),
    row("membership --gamma 2 --simulate --n -5", U, &["--n|--d", "-5"]),
    row("membership --gamma 2 --simulate --trials -1", U, &["--trials", "-1"]),
    row("membership --gamma 2 --simulate --seed -1", U, &["--seed", "-1"]),
    row("membership --gamma 2 --simulate --trials 0", U, &["--trials"]),
    row("membership --gamma 2 --simulate --n 0", U, &["--n|--d"]),
    row("membership --gamma 2 --no-progress", OK, &[]),
    row("membership --gamma 2 --simulate --n 50 --trials 4 --no-progress", OK, &[]),
    memory("membership --gamma 2 --simulate --n 1000000", &["--n|--d"]),
    memory("membership --gamma 2 --simulate --trials 1", &["--trials"]),
    memory("membership --gamma 2 --simulate --trials 1000000000000", &["--trials"]),
    pipe("membership --gamma 0.5:2:100000 --format csv"),
    // ---- hessian ----
    row("hessian", U, &["--d"]),
    row("hessian --d 5 --bogus", U, &["--bogus"]),
    row("hessian --d -5", U, &["--d", "-5"]),
    row("hessian --d nan", U, &["--d"]),
    row("hessian --d inf", U, &["--d"]),
    row("hessian --d 1e308", U, &["--d"]),
    row("hessian --d 1e-320", U, &["--d"]),
    row("hessian --d 4:40:100000000", U, &["--d"]),
    row("hessian --d", U, &["--d"]),
    row("hessian --family foo --d 5", U, &["--family"]),
    row("hessian --family flipped --d 5", U, &["--m"]),
    row("hessian --family flipped --m -1 --d 5", U, &["--m", "-1"]),
    row("hessian --family flipped --m 1 --d 5", U, &["--m"]),
    // d = 5 is too small for M = 1000 flipped neurons: the message names --m as well as --d.
    row("hessian --family flipped --m 1000 --d 5", U, &["--m", "--d"]),
    row("hessian --m 3 --d 5", U, &["--m", "--family"]),
    row("hessian --d 5 --format xml", U, &["--format"]),
    row("hessian --d 5 --trials 3", U, &["--trials"]),
    row("hessian --d 5 --no-progress", OK, &[]),
    row("hessian --d 5 --runs 3", U, &["--runs", "--gd"]),
    row("hessian --d 5 --seed 3", U, &["--seed", "--gd"]),
    row("hessian --d 5 --seed -3", U, &["--seed"]),
    // --threshold
    row("hessian --threshold", OK, &[]),
    row("hessian --threshold --d 5", U, &["--d", "--threshold"]),
    row("hessian --threshold --family foo", U, &["--family"]),
    row("hessian --threshold --gd --d 4", U, &["--threshold", "--gd"]),
    row("hessian --threshold --no-progress", OK, &[]),
    // --gd
    row("hessian --gd", U, &["--d"]),
    row("hessian --gd --d 4 --runs 2 --family global", U, &["--family", "--gd"]),
    row("hessian --gd --d 4 --runs 0", U, &["--runs"]),
    row("hessian --gd --d 4 --runs -1", U, &["--runs", "-1"]),
    row("hessian --gd --d 4 --runs 2 --seed -1", U, &["--seed", "-1"]),
    row("hessian --gd --d 4:8:3 --runs 2", U, &["--d"]),
    row("hessian --gd --d 4.5 --runs 2", U, &["--d"]),
    row("hessian --gd --d -4 --runs 2", U, &["--d", "-4"]),
    row("hessian --gd --d 4 --runs 2 --no-progress", OK, &[]),
    memory("hessian --gd --d 4 --runs 1000000000000", &["--runs"]),
    memory("hessian --gd --d 100000 --runs 2", &["--d"]),
    // --simulate (the dense check)
    row("hessian --simulate --d 4.5", U, &["--d"]),
    row("hessian --simulate --d 100", U, &["--d"]),
    row("hessian --simulate --d 1", U, &["--d"]),
    row("hessian --simulate --gd --d 4", U, &["--simulate", "--gd"]),
    row("hessian --simulate --threshold", U, &["--simulate", "--threshold"]),
    row("hessian --simulate --d 4 --trials 3", U, &["--trials"]),
    row("hessian --simulate --d 4 --no-progress", OK, &[]),
    pipe("hessian --family type-a --d 4:40:40"),
    pipe("hessian --family type-a --d lin:4:40:37 --simulate --format csv"),
];

/// Run `args` (with `--format json` unless a format is given), consuming stdout as `out` says,
/// killing it after `limit`. Under `memory_cap` (unix), the address space is limited through
/// the shell's `ulimit -v`.
fn run(r: &Row, limit: Duration, memory_cap: bool) -> (Option<i32>, String, String) {
    let mut args: Vec<&str> = r.args.split(' ').filter(|a| !a.is_empty()).collect();
    if !args.is_empty() && !r.args.contains("--format") && !r.args.starts_with("bogus") {
        args.extend(["--format", "json"]);
    }
    // OVERPARAM_BIN runs the table against another build (e.g. the code before issue 13, for the
    // before/after count); the default is this crate's binary.
    let bin =
        std::env::var("OVERPARAM_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_overparam").into());
    let mut cmd = if memory_cap && cfg!(unix) {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("ulimit -v 6000000; exec \"$0\" \"$@\"")
            .arg(&bin)
            .args(&args);
        c
    } else {
        let mut c = Command::new(&bin);
        c.args(&args);
        c
    };
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let out = match r.out {
        Out::All => {
            let out_reader = std::thread::spawn(move || {
                let mut s = String::new();
                let _ = stdout.read_to_string(&mut s);
                s
            });
            let code = wait(&mut child, limit);
            let out = out_reader.join().unwrap_or_default();
            let err = err_reader.join().unwrap_or_default();
            return (code, out, err);
        }
        Out::ClosedPipe => {
            let mut first = [0u8; 64];
            let _ = stdout.read_exact(&mut first);
            drop(stdout);
            String::from_utf8_lossy(&first).into_owned()
        }
    };
    let code = wait(&mut child, limit);
    (code, out, err_reader.join().unwrap_or_default())
}

/// Wait for the child; `None` (and the child killed) after `limit`.
fn wait(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status.code().unwrap_or(-1)),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// Why a row fails, or `None`.
fn verdict(r: &Row, (code, out, err): &(Option<i32>, String, String)) -> Option<String> {
    let Some(code) = *code else {
        return Some("timed out".into());
    };
    if !r.codes.contains(&code) {
        return Some(format!("exit {code}, expected {:?}", r.codes));
    }
    if r.out == Out::ClosedPipe {
        return (!err.is_empty()).then(|| format!("a closed pipe printed {err:?}"));
    }
    if code == 0 {
        // Success must be an answer: JSON records whose primary metric is a number.
        if !r.args.contains("--plot") {
            let key = primary(r.args);
            let lines: Vec<&str> = out.lines().collect();
            if lines.is_empty() {
                return Some("exit 0 without a record".into());
            }
            for l in lines {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else {
                    return Some(format!("not JSON: {l}"));
                };
                if !v[key].is_number() || v.get("error").is_some() || v.get("sim_error").is_some() {
                    return Some(format!("exit 0 but `{key}` is {} in {l}", v[key]));
                }
            }
        }
        return None;
    }
    if err.trim_end().lines().count() != 1 && !r.args.is_empty() {
        return Some(format!("the message is not one line: {err:?}"));
    }
    for m in r.must {
        if !m.split('|').any(|alt| err.contains(alt)) {
            return Some(format!("the message does not name {m}: {}", err.trim_end()));
        }
    }
    for m in r.must_not {
        if err.contains(m) {
            return Some(format!("the message contains {m:?}: {}", err.trim_end()));
        }
    }
    if !out.is_empty() {
        return Some(format!("an error after output: {out}"));
    }
    None
}

fn check(needs: Needs, limit: Duration, memory_cap: bool) {
    let rows: Vec<&Row> = ROWS.iter().filter(|r| r.needs == needs).collect();
    let mut failures = Vec::new();
    for r in &rows {
        let got = run(r, limit, memory_cap);
        if let Some(why) = verdict(r, &got) {
            failures.push(format!("  overparam {}\n      -> {why}", r.args));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile command lines fail:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn every_hostile_command_line_ends_with_its_documented_status_naming_the_flag() {
    check(Needs::Now, Duration::from_secs(120), false);
}

/// The rows that need the memory budget and the `--trials` bounds (MEMORY part of issue 13).
#[test]
fn memory_rows() {
    check(Needs::Memory, Duration::from_secs(120), true);
}

/// The rows that need the library's finite results (NONFINITE part of issue 13).
#[test]
fn library_rows() {
    check(Needs::Library, Duration::from_secs(120), false);
}

#[test]
fn the_table_covers_every_subcommand_and_mode() {
    for mode in [
        "rf ",
        "ridge ",
        "ridge --gamma 2 --lambda 0.1 --snr 2 --spectrum",
        "density --population",
        "density --free",
        "adversarial --psi1",
        "adversarial --linear",
        "membership ",
        "hessian --d",
        "hessian --gd",
        "hessian --threshold",
        "hessian --simulate",
    ] {
        let n = ROWS.iter().filter(|r| r.args.starts_with(mode)).count();
        assert!(n >= 3, "{mode}: {n} rows");
    }
    for sub in ["rf", "ridge", "adversarial", "membership", "hessian"] {
        assert!(
            ROWS.iter()
                .any(|r| r.needs == Needs::Memory && r.args.starts_with(sub)),
            "{sub}: no row for the memory budget"
        );
        assert!(
            ROWS.iter()
                .any(|r| r.out == Out::ClosedPipe && r.args.starts_with(sub)),
            "{sub}: no closed-pipe row"
        );
    }
}
