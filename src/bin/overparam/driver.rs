//! The one driver every subcommand runs through: parameters -> one validation by the library's
//! `check()` -> a lazy Cartesian product of the grid axes -> evaluation along the last swept axis
//! (with the library's warm-started curve functions where they exist) -> one record per point,
//! written and flushed immediately.
//!
//! Memory does not grow with the number of points: the product is an iterator over pieces of at
//! most [`CHUNK`] points of one line (the last swept axis), and each record is written before the
//! next piece is evaluated (unless `--plot` asks to keep them for the figure).

use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::CliError;
use crate::grid::ValueOrRange;
use crate::output::{Field, Format, Record, Writer};
use crate::simulate::SimulateArgs;
use overparam::experiment::RunOptions;

/// Points of one line evaluated together (a curve function's warm start restarts per piece).
pub const CHUNK: usize = 256;

/// One swept (or fixed) parameter.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    /// The record key and flag name (`psi1`, `lambda`, ...).
    pub name: &'static str,
    /// The library field it sets (for matching validation errors to the axis).
    pub field: &'static str,
    /// Its values.
    pub values: ValueOrRange,
    /// Given by the user (false for a placeholder, e.g. lambda under `--optimal-lambda`).
    pub given: bool,
}

impl Axis {
    /// An axis whose library field has the same name.
    pub fn new(name: &'static str, values: ValueOrRange) -> Self {
        Self {
            name,
            field: name,
            values,
            given: true,
        }
    }

    /// A placeholder axis (one value the evaluation replaces; not shown in messages).
    pub fn placeholder(name: &'static str, value: f64) -> Self {
        Self {
            given: false,
            ..Self::new(name, ValueOrRange::single(value))
        }
    }
}

/// The point as the flags that give it (`--psi1 3 --psi2 3 --lambda 0`), for messages.
pub fn point_flags(axes: &[Axis], values: &[f64]) -> String {
    axes.iter()
        .zip(values)
        .filter(|(a, _)| a.given)
        .map(|(a, v)| {
            format!(
                "--{} {}",
                a.name.replace('_', "-"),
                overparam::error::display_number(*v)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last flags of `rf` and `ridge` (the two risk models): the deprecated `--kappa`, the output
/// format and `--plot`.
#[derive(Debug, clap::Args)]
pub struct RiskOutput {
    /// Deprecated alias of --finite-size-constant.
    #[arg(long = "kappa", hide = true, requires = "simulate",
          conflicts_with = "finite_size_constant",
          value_parser = crate::grid::parse_non_negative)]
    pub kappa: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also draw an SVG figure: test and train error (theory lines on a fine grid; simulation
    /// points with 2-SE bars when --simulate) versus the first swept parameter, one line per
    /// value of the second (log axis for START:STOP:COUNT, linear for lin:).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<String>,
}

impl RiskOutput {
    /// Stream the records of `rf` or `ridge` (table: the axes' columns as `columns`, then the
    /// risks and the primary join fields) and draw `--plot` (test and train error against the
    /// `theory` on a fine grid).
    pub fn stream_and_plot(
        &self,
        axes: &[Axis],
        columns: [&'static str; 3],
        sim: &SimulateArgs,
        summary: impl FnOnce() -> crate::plot::Summary,
        eval: impl FnMut(&Piece<'_>) -> Vec<Outcome>,
        theory: impl Fn(&[f64]) -> overparam::Result<[f64; 2]>,
    ) -> Result<(), CliError> {
        let table: Vec<&'static str> = columns
            .into_iter()
            .chain([
                "test_error",
                "train_error",
                "bias",
                "variance",
                "sim_mean",
                "sim_se",
                "z",
                "agrees",
            ])
            .collect();
        let records = stream(
            axes,
            Stream {
                format: self.format,
                table: &table,
                keep: self.plot.is_some(),
                progress: sim.progress(),
            },
            eval,
        )?;
        if let Some(path) = &self.plot {
            crate::plot::rf_figure(&summary(), axes, &records, path, theory)?;
        }
        Ok(())
    }
}

/// Number of points of the product (saturating).
pub fn total(axes: &[Axis]) -> u128 {
    axes.iter().map(|a| a.values.len() as u128).product()
}

/// The axis the sweep walks along innermost: the last swept one (the last one if none is).
pub fn line_axis(axes: &[Axis]) -> usize {
    axes.iter()
        .rposition(|a| a.values.is_range())
        .unwrap_or(axes.len().saturating_sub(1))
}

/// A piece of the sweep: up to [`CHUNK`] consecutive points along the line axis, every other
/// axis fixed.
#[derive(Debug, Clone)]
pub struct Piece<'a> {
    axes: &'a [Axis],
    index: Vec<usize>,
    /// The axis that varies within the piece.
    pub line: usize,
    len: usize,
}

impl Piece<'_> {
    /// Number of points in the piece.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The values of every axis (in the axes' order) at point `i` of the piece.
    pub fn point(&self, i: usize) -> Vec<f64> {
        self.axes
            .iter()
            .zip(&self.index)
            .enumerate()
            .map(|(a, (axis, &k))| axis.values.get(if a == self.line { k + i } else { k }))
            .collect()
    }

    /// The values of the line axis over the piece.
    pub fn line_values(&self) -> Vec<f64> {
        let axis = &self.axes[self.line];
        (0..self.len)
            .map(|i| axis.values.get(self.index[self.line] + i))
            .collect()
    }
}

/// The lazy product: pieces in order, the first axis outermost.
pub struct Pieces<'a> {
    axes: &'a [Axis],
    line: usize,
    index: Vec<usize>,
    done: bool,
}

/// Iterate the Cartesian product of `axes` piece by piece.
pub fn pieces(axes: &[Axis]) -> Pieces<'_> {
    Pieces {
        axes,
        line: line_axis(axes),
        index: vec![0; axes.len()],
        done: axes.is_empty(),
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.done {
            return None;
        }
        let line_len = self.axes[self.line].values.len();
        let start = self.index[self.line];
        let piece = Piece {
            axes: self.axes,
            index: self.index.clone(),
            line: self.line,
            len: CHUNK.min(line_len - start),
        };
        // Advance: along the line first, then the other axes as an odometer (last fastest).
        self.index[self.line] += piece.len;
        if self.index[self.line] >= line_len {
            self.index[self.line] = 0;
            let mut carried = true;
            for a in (0..self.axes.len()).rev().filter(|&a| a != self.line) {
                self.index[a] += 1;
                if self.index[a] < self.axes[a].values.len() {
                    carried = false;
                    break;
                }
                self.index[a] = 0;
            }
            self.done = carried;
        }
        Some(piece)
    }
}

/// The library field an error is about, if it is an invalid parameter or choice.
fn error_field(e: &overparam::Error) -> Option<&'static str> {
    match e {
        overparam::Error::InvalidParameter { name, .. }
        | overparam::Error::InvalidChoice { name, .. } => Some(name),
        _ => None,
    }
}

/// Validate once, before any output, with the library's own `check` (no bounds of our own): the
/// first point, and each swept axis at both ends with the other axes at their first values. A
/// failure at an end that the library attributes to another parameter (a joint condition such
/// as ridge's $\gamma = 1$ with $\lambda = 0$) is left to the points it concerns, which are then
/// records with an `error` field; intervals of valid values make the ends sufficient otherwise.
pub fn validate(
    axes: &[Axis],
    check: impl Fn(&[f64]) -> overparam::Result<()>,
) -> Result<(), CliError> {
    validate_blaming(axes, check, |_| None)
}

/// As [`validate`], with `blame` naming the flags of a joint condition that the library
/// attributes to one parameter (e.g. ridge's finite $\mathrm{snr}\,\sigma^2$ is reported as
/// `snr`, but an overflowing `--noise-sd` breaks it as much): `Some(flags)` replaces the flag.
pub fn validate_blaming(
    axes: &[Axis],
    check: impl Fn(&[f64]) -> overparam::Result<()>,
    blame: impl Fn(&overparam::Error) -> Option<String>,
) -> Result<(), CliError> {
    let fail = |e: &overparam::Error| match blame(e) {
        Some(flags) => CliError::usage(format!("{flags}: {e}")),
        None => CliError::from_library(e),
    };
    let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
    check(&base).map_err(|e| match error_field(&e) {
        Some(_) => fail(&e),
        None => at_point(&e, &point_flags(axes, &base)),
    })?;
    for (i, axis) in axes.iter().enumerate() {
        for end in axis.values.ends() {
            let mut p = base.clone();
            p[i] = end;
            if let Err(e) = check(&p)
                && error_field(&e) == Some(axis.field)
            {
                return Err(fail(&e));
            }
        }
    }
    Ok(())
}

/// Evaluate a piece: with `curve` (the library's warm-started curve function along the line
/// axis) when there is one, point by point otherwise; if the curve fails anywhere, every point
/// of the piece is evaluated on its own so that only the failing points carry an error.
pub fn along<P, O>(
    piece: &Piece<'_>,
    build: impl Fn(&[f64]) -> overparam::Result<P>,
    curve: Option<impl Fn(&P, &[f64]) -> overparam::Result<Vec<O>>>,
    single: impl Fn(&P) -> overparam::Result<O>,
) -> Vec<(Vec<f64>, overparam::Result<O>)> {
    let points: Vec<Vec<f64>> = (0..piece.len()).map(|i| piece.point(i)).collect();
    if let Some(curve) = curve
        && points.len() > 1
        && let Ok(first) = build(&points[0])
        && let Ok(values) = curve(&first, &piece.line_values())
        && values.len() == points.len()
    {
        return points.into_iter().zip(values.into_iter().map(Ok)).collect();
    }
    points
        .into_iter()
        .map(|p| {
            let out = build(&p).and_then(|m| single(&m));
            (p, out)
        })
        .collect()
}

/// What one point produced: its record and, if something failed, the first error.
pub struct Outcome {
    /// The record (with an `error` / `sim_error` field when something failed).
    pub record: Record,
    /// The error, for a single-point run (which fails with it instead of printing a record).
    pub error: Option<overparam::Error>,
}

/// Simulation flags whose invalid values fail the whole run (they are the same at every point).
const RUN_WIDE: &[&str] = &["d", "n", "trials", "test_points", "seed"];

/// How to stream.
pub struct Stream<'a> {
    /// Output format.
    pub format: Format,
    /// The table's columns.
    pub table: &'a [&'static str],
    /// Keep the records (for `--plot`); otherwise nothing is kept.
    pub keep: bool,
    /// Draw a progress bar over the points of a sweep on a terminal (a single point draws the
    /// library's bar over its trials instead: [`run_options`]).
    pub progress: bool,
}

/// A record whose evaluation succeeded but holds a non-finite number (the library promises
/// none; an overflow would otherwise print as a blank field): marked with an `error` field and
/// returned as [`overparam::Error::NonFinite`].
fn no_lie(rec: &mut Record) -> Option<overparam::Error> {
    let key = rec
        .0
        .iter()
        .find(|(_, v)| matches!(v, Field::Num(x) if !x.is_finite()))
        .map(|(k, _)| k.to_string())?;
    rec.push(
        "error",
        Field::Text(format!(
            "non-finite value in `{key}` (the result overflows)"
        )),
    );
    Some(overparam::Error::NonFinite {
        what: "a result of this point (it overflows)",
    })
}

/// The error of a failed single point: an invalid parameter names its flag
/// ([`CliError::from_library`]); any other failure says at which point it happened.
fn at_point(e: &overparam::Error, point: &str) -> CliError {
    let mut err = CliError::from_library(e);
    if error_field(e).is_none() && !point.is_empty() {
        err.message = format!("at {point}: {}", err.message);
    }
    err
}

/// The library's run options for one simulated point: a single point draws the library's bar
/// over its trials (`RunOptions::progress`, shown only on a terminal); in a sweep the driver
/// draws one bar over the points instead.
pub fn run_options(sim: &SimulateArgs, axes: &[Axis]) -> RunOptions {
    RunOptions {
        progress: sim.progress() && total(axes) == 1,
        ..sim.run()
    }
}

/// Run the sweep: evaluate piece by piece and write each record immediately. A single point
/// that fails is an error (exit status 2 when the point is outside the model's domain or the
/// limit diverges there, 1 when a computation failed; docs/cli.md); in a sweep a failed point
/// is a record with an `error` field. A closed output pipe ends the run quietly.
pub fn stream(
    axes: &[Axis],
    how: Stream<'_>,
    mut eval: impl FnMut(&Piece<'_>) -> Vec<Outcome>,
) -> Result<Vec<Record>, CliError> {
    let single = total(axes) == 1;
    let mut writer = Writer::new(crate::output::records_out(), how.format, how.table);
    let bar = if how.progress && !single && io::stderr().is_terminal() {
        let n = u64::try_from(total(axes)).unwrap_or(u64::MAX);
        let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} points, {elapsed} elapsed, eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("simulating");
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut kept = Vec::new();
    for piece in pieces(axes) {
        for (i, mut outcome) in eval(&piece).into_iter().enumerate() {
            let overflow = outcome.error.is_none();
            if overflow {
                outcome.error = no_lie(&mut outcome.record);
            }
            if let Some(e) = &outcome.error
                && (single || error_field(e).is_some_and(|f| RUN_WIDE.contains(&f)))
            {
                bar.finish_and_clear();
                let point = point_flags(axes, &piece.point(i));
                let mut err = at_point(e, &point);
                // An overflow: the record's message names the field.
                if overflow && let Some(Field::Text(text)) = outcome.record.get("error") {
                    err.message = format!("at {point}: {text}");
                }
                return Err(err);
            }
            writer
                .write(&outcome.record)
                .map_err(|e| CliError::from_io(&e))?;
            bar.inc(1);
            if how.keep {
                kept.push(outcome.record);
            }
        }
    }
    bar.finish_and_clear();
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::parse_value_or_range;

    fn axis(name: &'static str, s: &str) -> Axis {
        Axis::new(name, parse_value_or_range(s).unwrap())
    }

    #[test]
    fn pieces_walk_the_product_in_order_with_the_last_swept_axis_innermost() {
        let axes = [
            axis("a", "lin:0:1:3"),
            axis("b", "lin:10:20:2"),
            axis("c", "5"),
        ];
        let got: Vec<Vec<f64>> = pieces(&axes)
            .flat_map(|p| (0..p.len()).map(move |i| p.point(i)).collect::<Vec<_>>())
            .collect();
        let mut want = Vec::new();
        for a in [0.0, 0.5, 1.0] {
            for b in [10.0, 20.0] {
                want.push(vec![a, b, 5.0]);
            }
        }
        assert_eq!(got, want);
        assert_eq!(line_axis(&axes), 1);
    }

    #[test]
    fn long_lines_come_in_bounded_pieces() {
        let axes = [axis("a", "lin:0:1:2"), axis("b", "lin:0:1:1000")];
        let sizes: Vec<usize> = pieces(&axes).map(|p| p.len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 2000);
        assert!(sizes.iter().all(|&s| s <= CHUNK));
        assert_eq!(total(&axes), 2000);
        // A product far too large to hold is still walked lazily.
        let huge = [
            axis("a", "1:2:1000"),
            axis("b", "1:2:1000"),
            axis("c", "1:2:1000"),
        ];
        assert_eq!(total(&huge), 1_000_000_000);
        let first = pieces(&huge).next().unwrap();
        assert_eq!(first.point(0), vec![1.0, 1.0, 1.0]);
        assert_eq!(first.len(), CHUNK);
    }

    #[test]
    fn messages_give_the_point_as_the_flags_the_user_typed() {
        let axes = [
            Axis::placeholder("lambda", 1.0),
            axis("psi2", "3"),
            axis("test_points", "1:10:2"),
        ];
        assert_eq!(
            point_flags(&axes, &[1.0, 3.0, 10.0]),
            "--psi2 3 --test-points 10"
        );
        let e = overparam::Error::NonFinite { what: "the risk" };
        let err = at_point(&e, "--psi1 3");
        assert_eq!(err.status, 2);
        assert_eq!(err.message, "at --psi1 3: non-finite value in the risk");
        // An invalid parameter names its own flag, without the point.
        let e = overparam::Error::InvalidParameter {
            name: "psi1",
            value: -1.0,
            expected: "x",
        };
        assert!(at_point(&e, "--psi1 -1").message.starts_with("--psi1: "));
    }

    #[test]
    fn a_record_with_a_non_finite_number_is_an_error_not_a_blank() {
        let mut rec = Record::default();
        rec.num("psi1", 2.0);
        rec.num("test_error", 1.5);
        assert_eq!(no_lie(&mut rec), None);
        assert_eq!(rec.get("error"), None);
        rec.num("bias", f64::INFINITY);
        rec.push("z", Field::Null);
        assert!(matches!(
            no_lie(&mut rec),
            Some(overparam::Error::NonFinite { .. })
        ));
        assert!(
            matches!(rec.get("error"), Some(Field::Text(t)) if t.contains("`bias`")),
            "{rec:?}"
        );
    }

    #[test]
    fn single_point_is_one_piece() {
        let axes = [axis("a", "2"), axis("b", "3")];
        let all: Vec<_> = pieces(&axes).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].point(0), vec![2.0, 3.0]);
    }
}
