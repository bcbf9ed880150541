//! `overparam`: exact proportional-limit risk curves from the command line.
//!
//! Subcommands print one record per parameter point as an aligned table (default), JSON lines
//! (`--format json`) or CSV (`--format csv`). A parameter given as `START:STOP:COUNT` is swept on
//! a log-spaced grid (`lin:START:STOP:COUNT` for a linear grid); several ranges give their
//! Cartesian product. Bad flags or values print one line naming the flag and exit with status 2.
#![forbid(unsafe_code)]

mod adversarial;
mod driver;
mod grid;
mod hessian;
mod membership;
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
}

/// An error for the user: the message, and the exit status (2 for bad input, 1 otherwise).
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
    /// A library error; invalid parameters are reported against their flag with status 2.
    pub fn from_library(e: &overparam::Error) -> Self {
        match e {
            overparam::Error::InvalidParameter { name, .. }
            | overparam::Error::InvalidChoice { name, .. } => {
                Self::usage(format!("{}: {e}", flag_of(name)))
            }
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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
                return ExitCode::from(2);
            }
            eprintln!("{}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Rf(args) => rf::run(args),
        Command::Ridge(args) => ridge::run(args),
        Command::Adversarial(args) => adversarial::run(args),
        Command::Hessian(args) => hessian::run(args),
        Command::Membership(args) => membership::run(args),
    };
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
