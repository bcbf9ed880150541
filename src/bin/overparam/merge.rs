//! Sharded runs: `--shard I/M` (the partial result of one shard) and `overparam merge PARTS...`
//! (exactly what the run without `--shard` prints). The partial format, the validation and the
//! replay are the library's (`overparam::sim::shard`); here only files, messages and the
//! command line.
//!
//! A shard runs the ordinary subcommand with its records discarded, inside
//! `shard::capture`: every trial loop computes only the shard's trials and records them. The
//! merge parses the parts, validates them, and runs the parts' command again inside
//! `shard::replay`, where every trial loop reads its trials from the parts: the same driver,
//! the same aggregation, the same printing, hence the same bytes.

use std::ffi::OsString;
use std::io::{Read, Write};

use clap::Args;
use overparam::sim::shard::{self, MergedRun, PartialRun, Shard};

use crate::CliError;

/// `overparam merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial results of the M shards of one run (files written by `... --shard I/M`, in
    /// any order; `-` reads one part from standard input).
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<String>,
}

/// The command line without the program name and without `--shard I/M` / `--shard=I/M`.
fn without_shard(argv: &[OsString]) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    let mut tokens = argv.iter().skip(1);
    while let Some(t) = tokens.next() {
        let t = t.to_str().ok_or_else(|| {
            CliError::usage(format!(
                "--shard: the argument {t:?} is not UTF-8 text (a partial result records the command as text)"
            ))
        })?;
        if t == "--shard" {
            tokens.next();
            continue;
        }
        if t.starts_with("--shard=") {
            continue;
        }
        out.push(t.to_string());
    }
    Ok(out)
}

/// Run a subcommand as shard `shard` (`run` runs it) and print its partial result.
///
/// Errors: `--plot` with `--shard` (the merge draws the figure); an error of the subcommand
/// before any simulation (the same as without `--shard`); a failed write.
pub fn run_shard(
    shard: Shard,
    argv: &[OsString],
    matches: &clap::ArgMatches,
    run: impl FnOnce() -> Result<(), CliError>,
) -> Result<(), CliError> {
    if let Ok(Some(_)) = matches.try_get_one::<String>("plot") {
        return Err(CliError::usage(
            "--plot: not with --shard (a shard has a part of the trials; `overparam merge` draws the figure)",
        ));
    }
    let command = without_shard(argv)?;
    crate::output::discard_records();
    let (result, calls) = shard::capture(shard, run);
    // With no trial loop captured the error is the command's own (a bad flag, a point outside
    // the domain, over the memory budget): the same as without --shard. Otherwise an error is
    // the shard's refusal to aggregate (or a failure the merge reproduces).
    if let Err(e) = result
        && calls.is_empty()
    {
        return Err(e);
    }
    let text = PartialRun::new(shard, command, calls).to_text();
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::from_io(&e))
}

/// A library error about a part as one line (`FILE, line N: problem`, or `FILE: problem`).
fn part_error(e: &overparam::Error) -> CliError {
    match e {
        overparam::Error::InvalidData {
            origin,
            line: 0,
            problem,
        } => CliError::usage(format!("merge: {origin}: {problem}")),
        e => CliError::usage(format!("merge: {e}")),
    }
}

/// `overparam merge PARTS...`: validate the parts and print what the run without `--shard`
/// prints, byte for byte.
///
/// Errors (exit status 2, naming the file): an unreadable part, a part that is not a partial
/// result of this format version or is corrupted or truncated, parts of different commands or
/// shard counts, a shard missing or given twice; then the command's own errors.
pub fn run(args: MergeArgs) -> Result<(), CliError> {
    let mut parts = Vec::with_capacity(args.parts.len());
    let mut stdin_used = false;
    for path in &args.parts {
        let mut text = String::new();
        let read = if path == "-" {
            if stdin_used {
                return Err(CliError::usage(
                    "merge: `-` given twice (standard input holds one part)",
                ));
            }
            stdin_used = true;
            std::io::stdin().read_to_string(&mut text).map(|_| ())
        } else {
            std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
        };
        read.map_err(|e| CliError::usage(format!("merge: {path}: cannot read: {e}")))?;
        let origin = if path == "-" {
            "<stdin>"
        } else {
            path.as_str()
        };
        let part = PartialRun::parse(&text, origin).map_err(|e| part_error(&e))?;
        parts.push((origin.to_string(), part));
    }
    let merged = MergedRun::from_parts(&parts).map_err(|e| part_error(&e))?;
    let mut argv: Vec<OsString> = vec!["overparam".into()];
    argv.extend(merged.command.iter().map(OsString::from));
    if merged.command.first().map(String::as_str) == Some("merge") {
        return Err(CliError::usage(
            "merge: the parts' command is itself a merge",
        ));
    }
    let (cli, _) = crate::parse(&argv).map_err(|_| {
        CliError::usage(format!(
            "merge: the parts' command `{}` does not parse with this build",
            merged.command.join(" ")
        ))
    })?;
    match shard::replay(&merged, || crate::dispatch(cli.command)) {
        Ok(result) => result,
        Err(e) => Err(part_error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_kept_without_the_shard_flag() {
        let argv: Vec<OsString> = "overparam rf --psi1 2 --shard 3/4 --simulate --shard=1/2 --d 50"
            .split(' ')
            .map(OsString::from)
            .collect();
        assert_eq!(
            without_shard(&argv).ok(),
            Some(
                "rf --psi1 2 --simulate --d 50"
                    .split(' ')
                    .map(String::from)
                    .collect()
            )
        );
    }
}
