//! `--plot FILE.svg`: figures of the swept records. Theory lines are evaluated on a fine grid
//! (200 points along the swept axis), one line per value of the second swept parameter;
//! simulated points carry 2-SE bars. No math here beyond choosing what to draw.

pub use overparam::plot::{Chart, Scale, Series, tick};

use crate::CliError;
use crate::driver::{Axis, line_axis};
use crate::output::Record;

/// Points of each theory line.
const FINE: usize = 200;

/// What the title says besides the swept parameters.
pub struct Summary {
    /// Model name.
    pub model: String,
    /// Fixed parameters not among the axes.
    pub fixed: Vec<(&'static str, f64)>,
    /// When simulated: the size (e.g. "d = 100") and the number of trials.
    pub simulated: Option<(String, usize)>,
}

/// One plotted quantity: legend name, index into the theory values, simulated mean and SE keys.
pub type Quantity = (&'static str, usize, &'static str, &'static str);

/// One panel: its vertical axis label and scale, and the quantities drawn on it.
pub struct Panel {
    /// Vertical axis label.
    pub y_label: &'static str,
    /// Vertical scale.
    pub y_scale: Scale,
    /// The quantities.
    pub quantities: Vec<Quantity>,
}

/// Refuse anything but an SVG file name before any work (exit status 2).
pub fn check_path(path: Option<&String>) -> Result<(), CliError> {
    match path {
        Some(p) if !p.to_ascii_lowercase().ends_with(".svg") => {
            let ext = p.rsplit_once('.').map_or("", |(_, e)| e);
            Err(CliError::usage(format!(
                "--plot: `{p}`: only SVG is written (extension `.{ext}` refused); use FILE.svg"
            )))
        }
        _ => Ok(()),
    }
}

/// The axis label of a parameter.
pub fn axis_name(x: &str) -> String {
    match x {
        "psi1" => "psi1 = N/d (features per dimension)".into(),
        "psi2" => "psi2 = n/d (samples per dimension)".into(),
        "gamma" => "gamma = p/n (parameters per sample)".into(),
        "lambda" => "lambda (ridge penalty)".into(),
        "eps" => "eps (adversarial budget)".into(),
        "delta" => "delta = n/d (samples per dimension)".into(),
        "d" => "d (input dimension)".into(),
        other => other.to_string(),
    }
}

fn scale(axis: &Axis) -> Scale {
    if axis.values.is_range() && !axis.values.is_linear() {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// `FINE` values between the ends of an axis, spaced like the axis.
fn fine(axis: &Axis) -> Vec<f64> {
    let [a, b] = axis.values.ends();
    if !axis.values.is_range() {
        return vec![a];
    }
    let grid = if axis.values.is_linear() {
        overparam::grid::lin_spaced(a, b, FINE)
    } else {
        overparam::grid::log_spaced(a, b, FINE)
    };
    grid.unwrap_or_else(|_| vec![a, b])
}

/// The figure of a sweep: the x axis is the last swept parameter, one line (and one set of
/// simulated points) per value of the swept parameter before it, the other parameters at their
/// first values. `theory(values)` gives the theory values at a point (`values` in the axes'
/// order) indexed by the quantities' theory indices.
pub fn figure(
    summary: &Summary,
    axes: &[Axis],
    records: &[Record],
    path: &str,
    panels: &[Panel],
    theory: impl Fn(&[f64]) -> overparam::Result<Vec<f64>>,
) -> Result<(), CliError> {
    let x = line_axis(axes);
    let series_axis = (0..x).rev().find(|&a| axes[a].values.is_range());
    let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
    let series_values: Vec<Option<f64>> = match series_axis {
        Some(a) => axes[a].values.values().map(Some).collect(),
        None => vec![None],
    };
    let xs = fine(&axes[x]);
    // Theory on the fine grid for every series value: lines[k][i] = values at xs[i].
    let lines: Vec<Vec<Option<Vec<f64>>>> = series_values
        .iter()
        .map(|sv| {
            xs.iter()
                .map(|&xv| {
                    let mut p = base.clone();
                    p[x] = xv;
                    if let (Some(a), Some(v)) = (series_axis, sv) {
                        p[a] = *v;
                    }
                    theory(&p).ok()
                })
                .collect()
        })
        .collect();
    // Other swept axes are shown at their first value only.
    let others: Vec<usize> = (0..axes.len())
        .filter(|&a| a != x && Some(a) != series_axis && axes[a].values.is_range())
        .collect();
    let matches = |r: &Record, sv: Option<f64>| {
        others
            .iter()
            .all(|&a| r.number(axes[a].name) == Some(axes[a].values.first()))
            && match (series_axis, sv) {
                (Some(a), Some(v)) => r.number(axes[a].name) == Some(v),
                _ => true,
            }
    };
    let label = |name: &str, sv: Option<f64>| match (series_axis, sv) {
        (Some(a), Some(v)) => format!("{name}, {} = {}", axes[a].name, tick(v, Scale::Linear)),
        _ => name.to_string(),
    };
    let mut charts = Vec::new();
    for panel in panels {
        let mut series = Vec::new();
        let mut colour = 0;
        for &(name, index, mean, se) in &panel.quantities {
            for (k, sv) in series_values.iter().enumerate() {
                let xy = xs
                    .iter()
                    .zip(&lines[k])
                    .map(|(&xv, t)| (xv, t.as_ref().map_or(f64::NAN, |t| t[index])))
                    .collect();
                series.push(
                    Series::line(label(&format!("{name} (theory)"), *sv), xy).with_colour(colour),
                );
                let (pts, bars): (Vec<_>, Vec<_>) = records
                    .iter()
                    .filter(|r| matches(r, *sv))
                    .filter_map(|r| {
                        Some((
                            (r.number(axes[x].name)?, r.number(mean)?),
                            2.0 * r.number(se)?,
                        ))
                    })
                    .unzip();
                if !pts.is_empty() {
                    series.push(
                        Series::points(
                            label(&format!("{name} (simulation, 2 SE)"), *sv),
                            pts,
                            bars,
                        )
                        .with_colour(colour),
                    );
                }
                colour += 1;
            }
        }
        charts.push(Chart {
            title: title(summary, axes, x, series_axis, &others),
            x_label: axis_name(axes[x].name),
            y_label: panel.y_label.to_string(),
            x_scale: scale(&axes[x]),
            y_scale: panel.y_scale,
            series,
        });
    }
    let hidden: usize = charts.iter().map(overparam::plot::not_drawable).sum();
    if hidden > 0 {
        eprintln!("{path}: {hidden} points <= 0 not drawn on the log axis");
    }
    // A panel with nothing drawable is left out (said on stderr) rather than failing the figure.
    let finite = |c: &Chart| {
        c.series
            .iter()
            .flat_map(|s| s.xy.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .count()
    };
    let (drawable, empty): (Vec<Chart>, Vec<Chart>) = charts
        .into_iter()
        .partition(|c| finite(c) > overparam::plot::not_drawable(c));
    for c in &empty {
        eprintln!("{path}: panel `{}` left out: no point to draw", c.y_label);
    }
    if drawable.is_empty() {
        return Err(CliError {
            message: format!("--plot {path}: no finite point to plot"),
            status: 1,
        });
    }
    draw_panels(&drawable, path)
}

fn title(
    summary: &Summary,
    axes: &[Axis],
    x: usize,
    series_axis: Option<usize>,
    others: &[usize],
) -> String {
    let mut parts: Vec<String> = axes
        .iter()
        .enumerate()
        .filter(|(a, _)| *a != x && Some(*a) != series_axis)
        .map(|(a, axis)| {
            let shown = if others.contains(&a) {
                " (first value)"
            } else {
                ""
            };
            format!(
                "{} = {}{shown}",
                axis.name,
                tick(axis.values.first(), Scale::Linear)
            )
        })
        .collect();
    parts.extend(
        summary
            .fixed
            .iter()
            .map(|(n, v)| format!("{n} = {}", tick(*v, Scale::Linear))),
    );
    if let Some((size, trials)) = &summary.simulated {
        parts.push(format!("simulated at {size}, {trials} trials (2 SE bars)"));
    }
    format!("{}: {}", summary.model, parts.join(", "))
}

/// Test and training error in two panels (they can differ by decades): the rf and ridge figure.
pub fn rf_figure(
    summary: &Summary,
    axes: &[Axis],
    records: &[Record],
    path: &str,
    theory: impl Fn(&[f64]) -> overparam::Result<[f64; 2]>,
) -> Result<(), CliError> {
    figure(
        summary,
        axes,
        records,
        path,
        &[
            Panel {
                y_label: "test error (excess, noise excluded)",
                y_scale: Scale::Log,
                quantities: vec![("test error", 0, "sim_mean", "sim_se")],
            },
            Panel {
                y_label: "train error (noise included)",
                y_scale: Scale::Log,
                quantities: vec![("train error", 1, "sim_train_error", "sim_train_error_se")],
            },
        ],
        |v| theory(v).map(|t| t.to_vec()),
    )
}

/// Draw the panels; "wrote FILE" on stderr, or one line with exit status 1.
pub fn draw_panels(charts: &[Chart], path: &str) -> Result<(), CliError> {
    overparam::plot::draw_panels(charts, path).map_err(|e| CliError {
        message: format!("--plot {e}"),
        status: 1,
    })?;
    eprintln!("wrote {path}");
    Ok(())
}

/// Draw one chart (see [`draw_panels`]).
pub fn draw(chart: &Chart, path: &str) -> Result<(), CliError> {
    draw_panels(std::slice::from_ref(chart), path)
}
