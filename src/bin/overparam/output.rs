//! Streaming output: one record at a time as JSON lines, CSV or a fixed-width table, flushed
//! after every record. No math here.
//!
//! The CSV header and the table's columns are fixed by the first record (every subcommand emits
//! the same keys for every point, `null` where a point failed), with an `error` column always
//! present (and in CSV a `sim_error` column in a simulated run). JSON is written by hand (numbers in shortest round-trip form, `null` for non-finite
//! values), so the binary needs no serialisation framework.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by a `--shard` run: the records are not printed (the shard prints its partial result).
static DISCARD: AtomicBool = AtomicBool::new(false);

/// From now on, the records of this process go nowhere ([`records_out`]): a `--shard` run
/// computes its trials through the ordinary driver and prints only its partial result.
pub fn discard_records() {
    DISCARD.store(true, Ordering::Relaxed);
}

/// Where the records go: standard output, or nowhere after [`discard_records`].
pub fn records_out() -> Box<dyn Write> {
    if DISCARD.load(Ordering::Relaxed) {
        Box::new(io::sink())
    } else {
        Box::new(io::stdout().lock())
    }
}

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A real number (non-finite values are written as `null` / empty).
    Num(f64),
    /// A count.
    Int(u64),
    /// A yes/no answer (a JSON boolean).
    Bool(bool),
    /// Text.
    Text(String),
    /// Pre-rendered JSON (an object or array) and its one-cell text form for CSV and tables.
    Nested {
        /// The JSON text.
        json: String,
        /// The text for CSV and tables.
        text: String,
    },
    /// Missing (e.g. the point failed; see the `error` field).
    Null,
}

impl Field {
    /// A count given as a real number: an integer when it is one, else the number.
    pub fn count(x: f64) -> Self {
        if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 {
            Field::Int(x as u64)
        } else {
            Field::Num(x)
        }
    }

    /// An optional number (`null` when absent).
    pub fn opt(x: Option<f64>) -> Self {
        x.map_or(Field::Null, Field::Num)
    }
}

/// An ordered list of named fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record(pub Vec<(Cow<'static, str>, Field)>);

impl Record {
    /// Append a field.
    pub fn push(&mut self, key: impl Into<Cow<'static, str>>, value: Field) {
        self.0.push((key.into(), value));
    }

    /// Append a number.
    pub fn num(&mut self, key: impl Into<Cow<'static, str>>, x: f64) {
        self.push(key, Field::Num(x));
    }

    /// Replace the value of field `key` (append it if absent).
    pub fn set(&mut self, key: &'static str, value: Field) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.push(key, value),
        }
    }

    /// The field named `key`.
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The number in field `key`, if present and finite.
    pub fn number(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Field::Num(x) if x.is_finite() => Some(*x),
            Field::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned, human-readable table (fixed column widths).
    Table,
    /// One JSON object per line.
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

/// A number in shortest round-trip form (an exponent for very small or large magnitudes).
pub fn number_text(x: f64) -> String {
    let a = x.abs();
    let text = if a == 0.0 || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    };
    // Keep reals recognisable as reals (`0.0`, not the integer `0`).
    if text.contains(['.', 'e']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON text of one value.
pub fn json_value(field: &Field) -> String {
    match field {
        Field::Num(x) if x.is_finite() => number_text(*x),
        Field::Num(_) | Field::Null => "null".into(),
        Field::Int(i) => i.to_string(),
        Field::Bool(b) => b.to_string(),
        Field::Text(s) => json_string(s),
        Field::Nested { json, .. } => json.clone(),
    }
}

/// A JSON object from key / JSON-text pairs.
pub fn json_object<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let body: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", json_string(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn plain(field: &Field) -> String {
    match field {
        Field::Num(x) if x.is_finite() => number_text(*x),
        Field::Num(_) | Field::Null => String::new(),
        Field::Int(i) => i.to_string(),
        Field::Bool(b) => b.to_string(),
        Field::Text(s) => s.clone(),
        Field::Nested { text, .. } => text.clone(),
    }
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Width of every table column but the last (`error`).
const TABLE_WIDTH: usize = 12;

/// Writes records one at a time, flushing after each.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    table_columns: Vec<&'static str>,
    columns: Option<Vec<String>>,
    dropped: bool,
}

impl<W: Write> Writer<W> {
    /// A writer in `format`; `table_columns` selects the table's columns (JSON and CSV get all).
    pub fn new(out: W, format: Format, table_columns: &[&'static str]) -> Self {
        Self {
            out,
            format,
            table_columns: table_columns.to_vec(),
            columns: None,
            dropped: false,
        }
    }

    /// The columns, fixed by the first record (the CSV header / table heading).
    fn columns_for(&mut self, rec: &Record) -> io::Result<Vec<String>> {
        if let Some(c) = &self.columns {
            return Ok(c.clone());
        }
        let mut cols: Vec<String> = match self.format {
            Format::Table => self
                .table_columns
                .iter()
                .filter(|c| rec.get(c).is_some())
                .map(|c| c.to_string())
                .collect(),
            _ => rec
                .0
                .iter()
                .filter(|(k, _)| k != "error")
                .map(|(k, _)| k.to_string())
                .collect(),
        };
        // A simulated run always has room for a failed simulation's `sim_error`.
        let simulated = rec.0.iter().any(|(k, _)| k.starts_with("sim_"));
        if self.format == Format::Csv && simulated && !cols.iter().any(|c| c == "sim_error") {
            cols.push("sim_error".into());
        }
        cols.push("error".into());
        let heading: Vec<String> = match self.format {
            Format::Table => cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i + 1 == cols.len() {
                        c.clone()
                    } else {
                        format!("{c:>w$}", w = TABLE_WIDTH.max(c.len()))
                    }
                })
                .collect(),
            _ => cols.iter().map(|c| csv_escape(c)).collect(),
        };
        let sep = if self.format == Format::Table {
            "  "
        } else {
            ","
        };
        writeln!(self.out, "{}", heading.join(sep))?;
        self.columns = Some(cols.clone());
        Ok(cols)
    }

    /// Write one record and flush.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        match self.format {
            Format::Json => {
                let line = json_object(rec.0.iter().map(|(k, v)| (k.as_ref(), json_value(v))));
                writeln!(self.out, "{line}")?;
            }
            Format::Csv => {
                let cols = self.columns_for(rec)?;
                if !self.dropped && rec.0.iter().any(|(k, _)| !cols.iter().any(|c| c == k)) {
                    self.dropped = true;
                    eprintln!(
                        "warning: a record has fields beyond the CSV header; they are not written"
                    );
                }
                let row: Vec<String> = cols
                    .iter()
                    .map(|c| rec.get(c).map_or(String::new(), |v| csv_escape(&plain(v))))
                    .collect();
                writeln!(self.out, "{}", row.join(","))?;
            }
            Format::Table => {
                let cols = self.columns_for(rec)?;
                let cells: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let cell = match rec.get(c) {
                            Some(Field::Num(x)) if x.is_finite() => table_number(*x),
                            Some(Field::Num(_)) | Some(Field::Null) => "-".to_string(),
                            None if c == "error" => String::new(),
                            None => "-".to_string(),
                            Some(f) => plain(f),
                        };
                        if i + 1 == cols.len() {
                            cell
                        } else {
                            format!("{cell:>w$}", w = TABLE_WIDTH.max(c.len()))
                        }
                    })
                    .collect();
                writeln!(self.out, "{}", cells.join("  ").trim_end())?;
            }
        }
        self.out.flush()
    }
}

/// A number in a table cell: six decimals for magnitudes in $[10^{-4}, 10^7)$ (and zero), six
/// significant digits with an exponent otherwise, so a small value never reads as `0.000000`.
fn table_number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || (1e-4..1e7).contains(&a) {
        format!("{x:.6}")
    } else {
        format!("{x:.5e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(error: Option<&str>) -> Record {
        let mut r = Record::default();
        r.num("x", 0.5);
        r.push("n", Field::Int(3));
        r.push("ok", Field::Bool(true));
        r.push("missing", Field::Null);
        if let Some(e) = error {
            r.push("error", Field::Text(e.into()));
        }
        r
    }

    #[test]
    fn json_has_typed_values() {
        let mut buf = Vec::new();
        Writer::new(&mut buf, Format::Json, &[])
            .write(&rec(Some("a \"b\"")))
            .unwrap();
        let line = String::from_utf8(buf).unwrap();
        assert_eq!(
            line,
            "{\"x\":0.5,\"n\":3,\"ok\":true,\"missing\":null,\"error\":\"a \\\"b\\\"\"}\n"
        );
    }

    #[test]
    fn csv_header_is_fixed_by_the_first_record_and_has_an_error_column() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, Format::Csv, &[]);
        w.write(&rec(None)).unwrap();
        w.write(&rec(Some("diverges, here"))).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "x,n,ok,missing,error");
        assert_eq!(lines[1], "0.5,3,true,,");
        assert_eq!(lines[2], "0.5,3,true,,\"diverges, here\"");
    }

    #[test]
    fn a_simulated_csv_always_has_a_sim_error_column() {
        let mut first = rec(None);
        first.num("sim_mean", 1.0);
        let mut failed = rec(None);
        failed.push("sim_mean", Field::Null);
        failed.push("sim_error", Field::Text("too small".into()));
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, Format::Csv, &[]);
        w.write(&first).unwrap();
        w.write(&failed).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "x,n,ok,missing,sim_mean,sim_error,error");
        assert_eq!(lines[2], "0.5,3,true,,,too small,");
    }

    #[test]
    fn table_columns_have_fixed_widths() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, Format::Table, &["x", "n"]);
        w.write(&rec(None)).unwrap();
        w.write(&rec(Some("bad"))).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("{:>12}  {:>12}  error", "x", "n"));
        assert_eq!(lines[1], format!("{:>12}  {:>12}", "0.500000", "3"));
        assert_eq!(lines[2], format!("{:>12}  {:>12}  bad", "0.500000", "3"));
    }

    #[test]
    fn table_cells_keep_small_and_large_values_visible() {
        assert_eq!(table_number(0.5), "0.500000");
        assert_eq!(table_number(0.0), "0.000000");
        assert_eq!(table_number(1e-4), "0.000100");
        assert_eq!(table_number(3.2e-9), "3.20000e-9");
        assert_eq!(table_number(-2.5e-7), "-2.50000e-7");
        assert_eq!(table_number(1.5e12), "1.50000e12");
        assert_eq!(table_number(-1.23456e-300), "-1.23456e-300");
    }

    #[test]
    fn numbers_round_trip() {
        for x in [0.44495, 1e-300, 123456.789, -2.5e-7, 1e20, 0.0, 1.0 / 3.0] {
            assert_eq!(number_text(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(number_text(0.0), "0.0");
        assert_eq!(number_text(3.0), "3.0");
        assert_eq!(number_text(1e-300), "1e-300");
        assert_eq!(Field::count(19.0), Field::Int(19));
        assert_eq!(Field::count(19.5), Field::Num(19.5));
    }
}
