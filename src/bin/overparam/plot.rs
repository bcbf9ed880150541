//! `--plot FILE.svg`: one generic SVG chart (lines, points with error bars, log or linear axes,
//! legend, title) used by every subcommand. No math here beyond choosing what to draw.

pub use overparam::plot::{Chart, Scale, Series, scale_of, tick};

use crate::CliError;
use crate::output::{Field, Record};

/// The number in field `name` of a record, if present and finite.
pub fn num(rec: &Record, name: &str) -> Option<f64> {
    rec.iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, f)| match f {
            Field::Num(x) if x.is_finite() => Some(*x),
            Field::Int(i) => Some(*i as f64),
            _ => None,
        })
}

/// A theory line from fields `x` and `y` of the records. A record with `x` but no finite `y`
/// (e.g. a point where the limit diverges, reported with an `error` field) breaks the line there.
pub fn line(records: &[Record], x: &str, y: &str, label: &str) -> Series {
    Series {
        label: label.to_string(),
        xy: records
            .iter()
            .filter_map(|r| Some((num(r, x)?, num(r, y).unwrap_or(f64::NAN))))
            .collect(),
        error_bars: None,
        colour: None,
    }
}

/// Simulated points from fields `x`, `mean` with 2-SE error bars from field `se`.
pub fn points(records: &[Record], x: &str, mean: &str, se: &str, label: &str) -> Series {
    let (xy, bars): (Vec<_>, Vec<_>) = records
        .iter()
        .filter_map(|r| Some(((num(r, x)?, num(r, mean)?), 2.0 * num(r, se)?)))
        .unzip();
    Series {
        label: label.to_string(),
        xy,
        error_bars: Some(bars),
        colour: None,
    }
}

/// The swept parameter: the first of `candidates` given as a range (else the first), and its scale.
pub fn swept<'a>(candidates: &[(&'a str, &[f64])]) -> (&'a str, Scale) {
    let (name, values) = candidates
        .iter()
        .find(|(_, v)| v.len() > 1)
        .or(candidates.first())
        .copied()
        .unwrap_or(("", &[]));
    (name, scale_of(values))
}

/// The title: the values of the fields other than the swept one, from the first record.
pub fn title(prefix: &str, records: &[Record], fields: &[&str], swept: &str) -> String {
    let parts: Vec<String> = fields
        .iter()
        .filter(|f| **f != swept)
        .filter_map(|f| {
            Some(format!(
                "{f} = {}",
                tick(num(records.first()?, f)?, Scale::Linear)
            ))
        })
        .collect();
    format!("{prefix}: {}", parts.join(", "))
}

/// The axis label of a ratio parameter.
pub fn axis_name(x: &str) -> String {
    match x {
        "psi1" => "psi1 = N/d (features per dimension)".into(),
        "psi2" => "psi2 = n/d (samples per dimension)".into(),
        "gamma" => "gamma = p/n (parameters per sample)".into(),
        "lambda" => "lambda (ridge penalty)".into(),
        "eps" => "eps (adversarial budget)".into(),
        "d" => "d (input dimension)".into(),
        other => other.to_string(),
    }
}

/// One plotted quantity: theory field, simulated mean and standard-error fields, legend name.
pub type Quantity<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Theory lines and (when simulated) points with 2-SE bars of `quantities` versus `x`.
#[allow(clippy::too_many_arguments)]
pub fn quantities_chart(
    records: &[Record],
    x: &str,
    x_scale: Scale,
    title: String,
    y_label: &str,
    y_scale: Scale,
    quantities: &[Quantity<'_>],
    path: &str,
) -> Result<(), CliError> {
    let mut series: Vec<Series> = quantities
        .iter()
        .map(|&(theory, _, _, name)| line(records, x, theory, &format!("{name} (theory)")))
        .collect();
    for &(_, mean, se, name) in quantities {
        let sim = points(records, x, mean, se, &format!("{name} (simulation, 2 SE)"));
        if !sim.xy.is_empty() {
            series.push(sim);
        }
    }
    let chart = Chart {
        title,
        x_label: axis_name(x),
        y_label: y_label.to_string(),
        x_scale,
        y_scale,
        series,
    };
    draw(&chart, path)
}

/// Draw the chart; a failure is one line on stderr with exit status 1.
pub fn draw(chart: &Chart, path: &str) -> Result<(), CliError> {
    overparam::plot::draw(chart, path).map_err(|e| CliError {
        message: format!("--plot {e}"),
        status: 1,
    })
}

/// Test and train error versus `x`: the rf and ridge figure.
pub fn error_chart(
    records: &[Record],
    x: &str,
    x_scale: Scale,
    model: &str,
    params: &[&str],
    path: &str,
) -> Result<(), CliError> {
    quantities_chart(
        records,
        x,
        x_scale,
        title(model, records, params, x),
        "error (test: excess, noise excluded; train: with noise)",
        Scale::Log,
        &[
            ("test_error", "sim_mean", "sim_se", "test error"),
            (
                "train_error",
                "sim_train_mean",
                "sim_train_se",
                "train error",
            ),
        ],
        path,
    )
}
