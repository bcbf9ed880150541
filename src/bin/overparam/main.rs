//! `overparam`: exact proportional-limit risk curves from the command line.
//!
//! Subcommands print one record per parameter point as an aligned table (default), JSON lines
//! (`--format json`) or CSV (`--format csv`). A parameter given as `START:STOP:COUNT` is swept on
//! a log-spaced grid (`lin:START:STOP:COUNT` for a linear grid); several ranges give their
//! Cartesian product. Bad flags or values print one line naming the flag and exit with status 2.
#![forbid(unsafe_code)]

mod adversarial;
mod density;
mod driver;
mod dynamics;
mod dynamics_rf;
mod grid;
mod hessian;
mod membership;
mod merge;
mod output;
mod plot;
mod rf;
mod ridge;
mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exact proportional-limit asymptotics of overparameterized models.
#[derive(Debug, Parser)]
#[command(name = "overparam", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Random-features ridge regression (Mei & Montanari): test/train error, bias, variance.
    Rf(rf::RfArgs),
    /// Linear ridge / min-norm regression, isotropic design (Hastie, Montanari, Rosset, Tibshirani).
    Ridge(ridge::RidgeArgs),
    /// Adversarially trained random features: standard and robust test error (Hassani & Javanmard).
    Adversarial(adversarial::AdversarialArgs),
    /// Hessian spectra at symmetric critical points of two-layer ReLU networks (Arjevani & Field).
    Hessian(hessian::HessianArgs),
    /// Membership inference against ridge / min-norm linear regression (Tan, Mason, Javadi, Baraniuk).
    Membership(membership::MembershipArgs),
    /// Spectral density of the sample covariance X^T X / n for any population spectrum
    /// (generalised Marchenko–Pastur, Silverstein's equation).
    Density(density::DensityArgs),
    /// Training dynamics of least squares: gradient flow, GD, heavy ball, Nesterov over time.
    Dynamics(Box<dynamics::DynamicsArgs>),
    /// Merge the partial results of a run split with --shard I/M into exactly what the run
    /// without --shard prints (docs/scaling.md).
    Merge(merge::MergeArgs),
}

/// An error for the user: the message, and the exit status ([`EXIT_STATUS`]: 2 for a command
/// that cannot be answered as given, 1 for a failed computation or write).
pub struct CliError {
    /// The one-line message.
    pub message: String,
    /// The process exit status.
    pub status: u8,
}

impl CliError {
    /// Bad input (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 2,
        }
    }
    /// A failed write: a closed pipe (`| head`) ends the run quietly with status 0.
    pub fn from_io(e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self {
                message: String::new(),
                status: 0,
            }
        } else {
            Self {
                message: format!("writing output: {e}"),
                status: 1,
            }
        }
    }
    /// A library error. Invalid parameters are reported against their flag with status 2; a
    /// point where the limit is not finite (`NonFinite`) or has no solution (`NoSolution`) is
    /// outside the model's domain too (status 2); a failed computation (no convergence, a
    /// linear-algebra failure, ...) has status 1.
    pub fn from_library(e: &overparam::Error) -> Self {
        match e {
            overparam::Error::InvalidParameter { name, .. }
            | overparam::Error::InvalidChoice { name, .. } => {
                Self::usage(format!("{}: {e}", flag_of(name)))
            }
            overparam::Error::NonFinite { .. }
            | overparam::Error::NoSolution { .. }
            | overparam::Error::InvalidData { .. } => Self::usage(e.to_string()),
            _ => Self {
                message: e.to_string(),
                status: 1,
            },
        }
    }
}

impl CliError {
    /// As [`CliError::from_library`], for a subcommand whose flag for a library parameter has
    /// another name (`renames`: library name -> flag, e.g. the census's `trials` is `--runs`).
    pub fn from_library_as(e: &overparam::Error, renames: &[(&str, &str)]) -> Self {
        match e {
            overparam::Error::InvalidParameter { name, .. }
            | overparam::Error::InvalidChoice { name, .. } => {
                match renames.iter().find(|(n, _)| n == name) {
                    Some((_, flag)) => Self::usage(format!("{flag}: {e}")),
                    None => Self::from_library(e),
                }
            }
            _ => Self::from_library(e),
        }
    }
}

/// The command-line flag for a library parameter name.
fn flag_of(name: &str) -> String {
    match name {
        "f_star" => "--f-star (alias --fstar)".to_string(),
        "lambda_bar" => "--lambda".to_string(),
        "noise_sd" => "--noise-sd (alias --tau in rf, --sigma in ridge and membership)".to_string(),
        "tau" => "--noise-sd (alias --tau)".to_string(),
        "sigma" => "--noise-sd (alias --sigma)".to_string(),
        "tau2" | "noise_var" => "--tau2 (the label-noise variance; or --noise-sd)".to_string(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Collapse clap's multi-line message to its first paragraph on one line.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit statuses (docs/cli.md; `overparam --help`).
const EXIT_STATUS: &str = "\
Exit status:
  0  success (also when the output pipe is closed early, e.g. `| head`)
  1  a computation failed on valid input (a solver did not converge, a linear-algebra
     failure) or the output could not be written
  2  the command cannot be answered as given: an unknown, missing or malformed flag or value,
     a flag that does not apply, a size over the memory budget, or a single point outside the
     model's domain, including a point where the limit diverges (e.g. rf at psi1 = psi2 with
     lambda = 0, ridge and membership at gamma = 1 with lambda = 0)
In a sweep, a point that fails is a record with an `error` field and the run goes on (status 0).";

/// The command line, with every flag that takes a value accepting negative numbers (so that
/// `--d -5` is "--d: invalid value" rather than "unexpected argument '-5'").
fn command() -> clap::Command {
    use clap::CommandFactory;
    fn negative_values(a: clap::Arg) -> clap::Arg {
        if a.get_action().takes_values() && !a.is_positional() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    }
    Cli::command()
        .after_help(EXIT_STATUS)
        .mut_args(negative_values)
        .mut_subcommands(|s| s.mut_args(negative_values))
}

/// A required flag is missing: if it is missing only because another flag given needs it
/// (`--d` without `--simulate`), the flag given, found by parsing again without it.
fn needed_by(argv: &[std::ffi::OsString], e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let missing = match e.get(ContextKind::InvalidArg)? {
        ContextValue::Strings(s) if s.len() == 1 => s[0].split(' ').next()?.to_string(),
        _ => return None,
    };
    let cmd = command();
    let sub = cmd.find_subcommand(argv.get(1)?.to_str()?)?;
    for (i, token) in argv.iter().enumerate().skip(2) {
        let Some(long) = token.to_str().and_then(|t| t.strip_prefix("--")) else {
            continue;
        };
        let (name, inline) = match long.split_once('=') {
            Some((n, _)) => (n, true),
            None => (long, false),
        };
        let Some(arg) = sub.get_arguments().find(|a| {
            a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
        }) else {
            continue;
        };
        let width = if arg.get_action().takes_values() && !inline {
            2
        } else {
            1
        };
        let mut without = argv.to_vec();
        without.drain(i..(i + width).min(argv.len()));
        let still_missing = matches!(
            command().try_get_matches_from(&without),
            Err(e) if e.kind() == clap::error::ErrorKind::MissingRequiredArgument
        );
        if !still_missing {
            return Some(format!(
                "error: --{name}: only valid with {missing} (add {missing}, or drop --{name})"
            ));
        }
    }
    None
}

/// A value that starts with `-` but is a number clap does not recognise as one (`-1e-320`,
/// `-inf`, `-nan`) is joined to its flag (`--lambda=-1e-320`), so that the flag's own parser
/// judges it and the message names the flag.
fn join_negative_values(argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let cmd = command();
    let sub = argv
        .get(1)
        .and_then(|s| s.to_str())
        .and_then(|s| cmd.find_subcommand(s));
    let Some(sub) = sub else {
        return argv;
    };
    let mut out: Vec<std::ffi::OsString> = Vec::with_capacity(argv.len());
    let mut tokens = argv.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let takes_value = token
            .to_str()
            .and_then(|t| t.strip_prefix("--"))
            .filter(|name| !name.contains('='))
            .and_then(|name| {
                sub.get_arguments().find(|a| {
                    a.get_long() == Some(name)
                        || a.get_all_aliases().is_some_and(|al| al.contains(&name))
                })
            })
            .is_some_and(|a| a.get_action().takes_values());
        let negative_number = |v: &std::ffi::OsString| {
            v.to_str()
                .is_some_and(|v| v.starts_with('-') && v.parse::<f64>().is_ok())
        };
        match tokens.peek() {
            Some(value) if takes_value && negative_number(value) => {
                let mut joined = token;
                joined.push("=");
                joined.push(value);
                tokens.next();
                out.push(joined);
            }
            _ => out.push(token),
        }
    }
    out
}

/// Parse a command line (with the program name first) the way `main` does: `Ok` with the
/// parsed command and its matches, or `Err` with the exit status after printing clap's message
/// (help and version print and succeed).
fn parse(argv: &[std::ffi::OsString]) -> Result<(Cli, clap::ArgMatches), ExitCode> {
    use clap::FromArgMatches;
    let parsed = command()
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    parsed.map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            let _ = e.print();
            return ExitCode::from(2);
        }
        if e.kind() == ErrorKind::MissingRequiredArgument
            && let Some(message) = needed_by(argv, &e)
        {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
        eprintln!("{}", one_line(&e.render().to_string()));
        ExitCode::from(2)
    })
}

/// Run a parsed subcommand.
fn dispatch(command: Command) -> Result<(), CliError> {
    match command {
        Command::Rf(args) => rf::run(args),
        Command::Ridge(args) => ridge::run(args),
        Command::Adversarial(args) => adversarial::run(args),
        Command::Hessian(args) => hessian::run(args),
        Command::Membership(args) => membership::run(args),
        Command::Density(args) => density::run(args),
        Command::Dynamics(args) => dynamics::run(*args),
        Command::Merge(args) => merge::run(args),
    }
}

/// The exit status of a result, printing its message.
fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.message.is_empty() => ExitCode::from(e.status),
        Err(e) => {
            let msg = e.message;
            if msg.starts_with("error") {
                eprintln!("{msg}")
            } else {
                eprintln!("error: {msg}")
            }
            ExitCode::from(e.status)
        }
    }
}

fn main() -> ExitCode {
    let argv = join_negative_values(std::env::args_os().collect());
    let (cli, matches) = match parse(&argv) {
        Ok(p) => p,
        Err(status) => return status,
    };
    if let Some((_, sub)) = matches.subcommand()
        && let Ok(Some(shard)) = sub.try_get_one::<overparam::sim::shard::Shard>("shard")
    {
        return finish(merge::run_shard(*shard, &argv, sub, || {
            dispatch(cli.command)
        }));
    }
    finish(dispatch(cli.command))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn argv(s: &str) -> Vec<OsString> {
        s.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn exit_status_two_for_what_cannot_be_answered_one_for_failed_computations() {
        let status = |e: overparam::Error| CliError::from_library(&e).status;
        let invalid = overparam::Error::InvalidParameter {
            name: "d",
            value: -1.0,
            expected: "x",
        };
        assert_eq!(status(invalid), 2);
        assert_eq!(
            status(overparam::Error::NonFinite {
                what: "a divergent risk"
            }),
            2
        );
        assert_eq!(status(overparam::Error::NoSolution { what: "x" }), 2);
        let failed = overparam::Error::NotConverged {
            method: "newton",
            iterations: 3,
            residual: 1.0,
            tolerance: 1e-12,
            last_iterate: vec![],
        };
        assert_eq!(status(failed), 1);
        assert_eq!(
            status(overparam::Error::LinearAlgebra { what: "x".into() }),
            1
        );
        let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(CliError::from_io(&closed).status, 0);
        let full = std::io::Error::other("disk full");
        assert_eq!(CliError::from_io(&full).status, 1);
    }

    #[test]
    fn negative_numbers_clap_does_not_recognise_are_joined_to_their_flag() {
        let joined = join_negative_values(argv(
            "overparam rf --psi1 2 --lambda -1e-320 --f1 -inf --noise-sd -5 --simulate",
        ));
        assert_eq!(
            joined,
            argv("overparam rf --psi1 2 --lambda=-1e-320 --f1=-inf --noise-sd=-5 --simulate")
        );
        // A flag is never taken for a value, and flags without values are left alone.
        let flags = argv("overparam rf --psi1 --psi2 3 --simulate -5");
        assert_eq!(join_negative_values(flags.clone()), flags);
        // Aliases too (--n is --d).
        assert_eq!(
            join_negative_values(argv("overparam ridge --n -5")),
            argv("overparam ridge --n=-5")
        );
    }

    #[test]
    fn a_flag_that_needs_another_is_named() {
        for (line, flag, needs) in [
            (
                "overparam rf --psi1 2 --psi2 3 --lambda 1 --d 50",
                "--d",
                "--simulate",
            ),
            (
                "overparam ridge --gamma 2 --lambda 1 --snr 1 --n 50",
                "--n",
                "--simulate",
            ),
            (
                "overparam membership --gamma 2 --trials=5",
                "--trials",
                "--simulate",
            ),
            ("overparam hessian --d 5 --runs 5", "--runs", "--gd"),
        ] {
            let args = argv(line);
            let Err(e) = command().try_get_matches_from(&args) else {
                panic!("{line}: parsed");
            };
            assert_eq!(e.kind(), clap::error::ErrorKind::MissingRequiredArgument);
            let message = needed_by(&args, &e).unwrap_or_default();
            assert!(
                message.starts_with(&format!("error: {flag}: only valid with {needs}")),
                "{line}: {message}"
            );
        }
        // A genuinely missing flag is left to clap's message.
        let args = argv("overparam rf --psi2 3 --lambda 1");
        let Err(e) = command().try_get_matches_from(&args) else {
            panic!("parsed");
        };
        assert_eq!(needed_by(&args, &e), None);
    }

    #[test]
    fn help_lists_the_exit_statuses() {
        let help = command().render_long_help().to_string();
        assert!(help.contains("Exit status:"), "{help}");
        assert!(help.contains("2  the command cannot be answered"), "{help}");
    }
}
