//! `--plot FILE.svg`: one generic SVG chart (lines, points with error bars, log or linear axes,
//! legend, title) used by every subcommand. No math here beyond choosing what to draw.

use plotters::prelude::*;

use crate::CliError;
use crate::output::{Field, Record};

/// Axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear axis.
    Linear,
    /// Base-10 logarithmic axis (non-positive values are dropped).
    Log,
}

/// One series of the chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend entry.
    pub label: String,
    /// `(x, y)` points in increasing x.
    pub xy: Vec<(f64, f64)>,
    /// `None`: a line (theory); `Some(h)`: points with vertical error bars of half-width `h[i]`.
    pub error_bars: Option<Vec<f64>>,
}

/// A chart: title, axis labels and scales, series.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Title (the fixed parameters).
    pub title: String,
    /// Horizontal axis label, with units or scaling.
    pub x_label: String,
    /// Vertical axis label, with units or scaling.
    pub y_label: String,
    /// Horizontal scale.
    pub x_scale: Scale,
    /// Vertical scale.
    pub y_scale: Scale,
    /// The series.
    pub series: Vec<Series>,
}

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

/// A theory line from fields `x` and `y` of the records (records without both are skipped).
pub fn line(records: &[Record], x: &str, y: &str, label: &str) -> Series {
    Series {
        label: label.to_string(),
        xy: records
            .iter()
            .filter_map(|r| Some((num(r, x)?, num(r, y)?)))
            .collect(),
        error_bars: None,
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
    }
}

/// The scale for a swept parameter's values: linear when equally spaced (a `lin:` range),
/// logarithmic when geometrically spaced (a `START:STOP:COUNT` range).
pub fn scale_of(values: &[f64]) -> Scale {
    let positive = values.iter().all(|&v| v > 0.0);
    if !positive || values.len() < 2 {
        return Scale::Linear;
    }
    if values.len() == 2 {
        let r = values[1] / values[0];
        return if !(0.1..=10.0).contains(&r) {
            Scale::Log
        } else {
            Scale::Linear
        };
    }
    let d0 = values[1] - values[0];
    let equal = values
        .windows(2)
        .all(|w| ((w[1] - w[0]) - d0).abs() <= 1e-9 * d0.abs().max(values[0].abs()));
    if equal { Scale::Linear } else { Scale::Log }
}

fn to_axis(v: f64, s: Scale) -> Option<f64> {
    match s {
        Scale::Linear => Some(v),
        Scale::Log if v > 0.0 => Some(v.log10()),
        Scale::Log => None,
    }
}

fn tick(v: f64, s: Scale) -> String {
    let x = match s {
        Scale::Linear => v,
        Scale::Log => 10f64.powf(v),
    };
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e4).contains(&a) {
        format!("{x:.1e}")
    } else {
        // Two significant digits: readable ticks on a log axis (0.4, 0.63, 1, 1.6, ...).
        let digits = (1 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

const COLORS: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(0, 0, 0),
    RGBColor(0, 90, 50),
];

/// A series in axis coordinates: points, and error bars `(x, low, high)` for point series.
type AxisSeries = (Vec<(f64, f64)>, Option<Vec<(f64, f64, f64)>>);

/// Up to this many series the legend sits inside the plot, in its emptiest corner.
const LEGEND_INSIDE_MAX: usize = 6;
/// Width in pixels of the legend column used above that.
const LEGEND_COLUMN: u32 = 190;

/// Draw the chart into an SVG file. Any failure is one line, exit status 1.
pub fn draw(chart: &Chart, path: &str) -> Result<(), CliError> {
    let fail = |e: String| CliError {
        message: format!("--plot {path}: {e}"),
        status: 1,
    };
    // Transform to axis coordinates; drop points a log axis cannot show.
    let series: Vec<AxisSeries> = chart
        .series
        .iter()
        .map(|s| {
            let xy: Vec<(f64, f64)> =
                s.xy.iter()
                    .filter_map(|&(x, y)| {
                        Some((to_axis(x, chart.x_scale)?, to_axis(y, chart.y_scale)?))
                    })
                    .collect();
            let bars = s.error_bars.as_ref().map(|h| {
                s.xy.iter()
                    .zip(h)
                    .filter_map(|(&(x, y), &h)| {
                        let ax = to_axis(x, chart.x_scale)?;
                        let ay = to_axis(y, chart.y_scale)?;
                        let lo = to_axis(y - h, chart.y_scale).unwrap_or(ay - 3.0);
                        let hi = to_axis(y + h, chart.y_scale)?;
                        Some((ax, lo, hi))
                    })
                    .collect()
            });
            (xy, bars)
        })
        .collect();
    let all_x = series.iter().flat_map(|(xy, _)| xy.iter().map(|p| p.0));
    let all_y = series.iter().flat_map(|(xy, b)| {
        xy.iter()
            .map(|p| p.1)
            .chain(b.iter().flatten().flat_map(|&(_, lo, hi)| [lo, hi]))
    });
    let (mut x0, mut x1) = all_x.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (mut y0, mut y1) = all_y.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
        return Err(fail("no finite point to plot".into()));
    }
    let pad = |a: &mut f64, b: &mut f64| {
        let w = if *b > *a { *b - *a } else { a.abs().max(1.0) };
        *a -= 0.05 * w;
        *b += 0.05 * w;
    };
    pad(&mut x0, &mut x1);
    pad(&mut y0, &mut y1);
    // Put the legend in the corner holding the fewest data points.
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
        (SeriesLabelPosition::LowerRight, true, false),
    ];
    let crowd = |right: bool, upper: bool| {
        series
            .iter()
            .flat_map(|(xy, _)| xy.iter())
            .filter(|&&(x, y)| {
                let fx = (x - x0) / (x1 - x0);
                let fy = (y - y0) / (y1 - y0);
                (if right { fx > 0.55 } else { fx < 0.45 })
                    && (if upper { fy > 0.6 } else { fy < 0.4 })
            })
            .count()
    };
    let legend_at = corners
        .iter()
        .min_by_key(|(_, r, u)| crowd(*r, *u))
        .map_or(SeriesLabelPosition::UpperRight, |c| c.0.clone());

    // Many series: the legend goes in its own column right of the plot, where it cannot
    // cover a line.
    let outside = chart.series.len() > LEGEND_INSIDE_MAX;
    let legend_width = if outside { LEGEND_COLUMN } else { 0 };
    let root = SVGBackend::new(path, (800 + legend_width, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    let (plot_area, legend_area) = root.split_horizontally(800);
    let mut ctx = ChartBuilder::on(&plot_area)
        .caption(&chart.title, ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| fail(e.to_string()))?;
    let (xs, ys) = (chart.x_scale, chart.y_scale);
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&|v| tick(*v, xs))
        .y_label_formatter(&|v| tick(*v, ys))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| fail(e.to_string()))?;
    // (label, colour, drawn as a line) for the outside legend column.
    let mut entries: Vec<(&str, RGBColor, bool)> = Vec::new();
    let (mut n_lines, mut n_points) = (0, 0);
    for (s, (xy, bars)) in chart.series.iter().zip(series) {
        // The k-th point series takes the colour of the k-th line (its theory).
        let k = if bars.is_none() {
            &mut n_lines
        } else {
            &mut n_points
        };
        let color = COLORS[*k % COLORS.len()];
        *k += 1;
        entries.push((s.label.as_str(), color, bars.is_none()));
        match bars {
            None => {
                if xy.len() == 1 {
                    ctx.draw_series(xy.iter().map(|&p| Cross::new(p, 6, color.stroke_width(2))))
                        .map_err(|e| fail(e.to_string()))?;
                }
                ctx.draw_series(LineSeries::new(xy, color.stroke_width(2)))
                    .map_err(|e| fail(e.to_string()))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
            }
            Some(bars) => {
                ctx.draw_series(bars.iter().map(|&(x, lo, hi)| {
                    PathElement::new(vec![(x, lo), (x, hi)], color.stroke_width(1))
                }))
                .map_err(|e| fail(e.to_string()))?;
                ctx.draw_series(xy.iter().map(|&p| Circle::new(p, 4, color.filled())))
                    .map_err(|e| fail(e.to_string()))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
            }
        }
    }
    if outside {
        // One row per series, aligned with the top of the plotting area.
        let text = ("sans-serif", 14).into_font().color(&BLACK);
        for (i, (label, color, is_line)) in entries.into_iter().enumerate() {
            let y = 45 + 22 * i as i32;
            if is_line {
                legend_area
                    .draw(&PathElement::new(
                        vec![(5, y), (25, y)],
                        color.stroke_width(2),
                    ))
                    .map_err(|e| fail(e.to_string()))?;
            } else {
                legend_area
                    .draw(&Circle::new((15, y), 4, color.filled()))
                    .map_err(|e| fail(e.to_string()))?;
            }
            legend_area
                .draw(&Text::new(label, (32, y - 8), text.clone()))
                .map_err(|e| fail(e.to_string()))?;
        }
    } else {
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .position(legend_at)
            .draw()
            .map_err(|e| fail(e.to_string()))?;
    }
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
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
