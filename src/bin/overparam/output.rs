//! Output records as JSON lines, CSV or an aligned table. No math here.

use std::io::{self, Write};

/// One value of a record.
#[derive(Debug, Clone)]
pub enum Field {
    /// A real number (non-finite values are written as `null` / empty).
    Num(f64),
    /// A count.
    Int(usize),
    /// Text.
    Text(String),
    /// Missing (e.g. the point failed; see the `error` field).
    Null,
}

/// An ordered list of named fields.
pub type Record = Vec<(&'static str, Field)>;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned, human-readable table.
    Table,
    /// One JSON object per line.
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

fn json_value(field: &Field) -> serde_json::Value {
    match field {
        Field::Num(x) if x.is_finite() => serde_json::Value::from(*x),
        Field::Num(_) | Field::Null => serde_json::Value::Null,
        Field::Int(i) => serde_json::Value::from(*i),
        Field::Text(s) => serde_json::Value::from(s.as_str()),
    }
}

fn plain(field: &Field) -> String {
    match field {
        // Shortest round-trip representation, with an exponent for very small/large values.
        Field::Num(x) if x.is_finite() => serde_json::Value::from(*x).to_string(),
        Field::Num(_) | Field::Null => String::new(),
        Field::Int(i) => i.to_string(),
        Field::Text(s) => s.clone(),
    }
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Write all records in the chosen format. `table_columns` selects the columns of the table
/// format (all columns for JSON and CSV).
pub fn write_records(records: &[Record], format: Format, table_columns: &[&str]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            for r in records {
                let mut map = serde_json::Map::new();
                for (k, v) in r {
                    map.insert((*k).to_string(), json_value(v));
                }
                writeln!(out, "{}", serde_json::Value::Object(map))?;
            }
        }
        Format::Csv => {
            // The header is the union of keys in first-seen order (failed points add `error`).
            let mut keys: Vec<&str> = Vec::new();
            for r in records {
                for (k, _) in r {
                    if !keys.contains(k) {
                        keys.push(k);
                    }
                }
            }
            writeln!(out, "{}", keys.join(","))?;
            for r in records {
                let row: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        r.iter()
                            .find(|(kk, _)| kk == k)
                            .map_or(String::new(), |(_, v)| csv_escape(&plain(v)))
                    })
                    .collect();
                writeln!(out, "{}", row.join(","))?;
            }
        }
        Format::Table => {
            let mut cols: Vec<&str> = table_columns
                .iter()
                .copied()
                .filter(|c| records.iter().any(|r| r.iter().any(|(k, _)| k == c)))
                .collect();
            if records.iter().any(|r| r.iter().any(|(k, _)| *k == "error")) {
                cols.push("error");
            }
            let cell = |r: &Record, c: &str| -> String {
                match r.iter().find(|(k, _)| *k == c) {
                    Some((_, Field::Num(x))) if x.is_finite() => format!("{x:.6}"),
                    Some((_, Field::Num(_))) | Some((_, Field::Null)) | None => "-".to_string(),
                    Some((_, f)) => plain(f),
                }
            };
            let widths: Vec<usize> = cols
                .iter()
                .map(|c| {
                    records
                        .iter()
                        .map(|r| cell(r, c).len())
                        .max()
                        .unwrap_or(0)
                        .max(c.len())
                })
                .collect();
            let line: Vec<String> = cols
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect();
            writeln!(out, "{}", line.join("  "))?;
            for r in records {
                let line: Vec<String> = cols
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{:>w$}", cell(r, c)))
                    .collect();
                writeln!(out, "{}", line.join("  "))?;
            }
        }
    }
    out.flush()
}
