//! SVG charts of theory versus simulation: theory as lines, simulation as points with error
//! bars, linear or base-10 logarithmic axes, a legend and a title.
//!
//! One generic chart, drawn with [`plotters`] (SVG backend, no system fonts needed), used by the
//! command-line tool's `--plot` and by the paper-figure examples. No model math lives here.
//!
//! ```no_run
//! use overparam::plot::{Chart, Scale, Series, draw};
//!
//! let theory = Series::line("test error (theory)", vec![(0.5, 1.2), (1.0, 2.0), (2.0, 0.9)]);
//! let sim = Series::points("test error (simulation, 2 SE)", vec![(1.0, 1.9)], vec![0.1]);
//! let chart = Chart {
//!     title: "random features: psi2 = 3".into(),
//!     x_label: "psi1 = N/d".into(),
//!     y_label: "test error".into(),
//!     x_scale: Scale::Log,
//!     y_scale: Scale::Log,
//!     series: vec![theory, sim],
//! };
//! draw(&chart, "figure.svg")?;
//! # Ok::<(), overparam::plot::PlotError>(())
//! ```

use plotters::prelude::*;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// No series has a point that the chosen axes can show (e.g. only non-positive values on a
    /// log axis).
    #[error("{path}: no finite point to plot")]
    Empty {
        /// The output file.
        path: String,
    },
    /// The drawing backend failed (typically: the file cannot be written).
    #[error("{path}: {message}")]
    Backend {
        /// The output file.
        path: String,
        /// The backend's message.
        message: String,
    },
}

/// Axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear axis.
    Linear,
    /// Base-10 logarithmic axis (non-positive values are dropped).
    Log,
}

/// One series of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry; an empty label leaves the series out of the legend (e.g. the second and
    /// later point series of a group that shares one entry).
    pub label: String,
    /// `(x, y)` points in increasing x. A point the axes cannot show (a non-finite coordinate,
    /// or a non-positive one on a log axis) is skipped, and for a line it also breaks the line,
    /// so mark a divergence with `f64::NAN` to keep the line from bridging it.
    pub xy: Vec<(f64, f64)>,
    /// `None`: a line (theory); `Some(h)`: points with vertical error bars of half-width `h[i]`.
    pub error_bars: Option<Vec<f64>>,
    /// Palette index (modulo the 12-colour palette). `None`: the k-th line takes colour k and
    /// the k-th point series takes the colour of the k-th line (its theory). Set it to pair a
    /// simulation with its theory explicitly when the series are not in matching order.
    pub colour: Option<usize>,
}

/// A chart: title, axis labels and scales, series.
#[derive(Debug, Clone, PartialEq)]
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

impl Series {
    /// A theory line through `xy` (in increasing x).
    pub fn line(label: impl Into<String>, xy: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            xy,
            error_bars: None,
            colour: None,
        }
    }

    /// Simulated points `xy` with vertical error bars of half-width `half_widths[i]` (e.g. two
    /// standard errors). Extra half-widths are ignored; missing ones draw no bar.
    pub fn points(label: impl Into<String>, xy: Vec<(f64, f64)>, half_widths: Vec<f64>) -> Self {
        Self {
            label: label.into(),
            xy,
            error_bars: Some(half_widths),
            colour: None,
        }
    }

    /// The same series drawn in palette colour `index` (modulo the palette size).
    #[must_use]
    pub fn with_colour(mut self, index: usize) -> Self {
        self.colour = Some(index);
        self
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
        _ if !v.is_finite() => None,
        Scale::Linear => Some(v),
        Scale::Log if v > 0.0 => Some(v.log10()),
        Scale::Log => None,
    }
}

/// The runs of consecutive drawable points of a line, in axis coordinates: a point the axes
/// cannot show (non-finite, or non-positive on a log axis) ends a run, so a line never bridges a
/// divergence.
fn segments(xy: &[(f64, f64)], xs: Scale, ys: Scale) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for &(x, y) in xy {
        match (to_axis(x, xs), to_axis(y, ys)) {
            (Some(ax), Some(ay)) => {
                if let Some(run) = runs.last_mut() {
                    run.push((ax, ay));
                }
            }
            _ => {
                if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(Vec::new());
                }
            }
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// A tick label for axis coordinate `v`: two significant digits (so the half-decade ticks of a
/// log axis read 0.32, 3.2, 32, 320, 3200), scientific outside $[10^{-3}, 10^5)$ (1e-4, 3.2e-4).
pub fn tick(v: f64, s: Scale) -> String {
    let x = match s {
        Scale::Linear => v,
        Scale::Log => 10f64.powf(v),
    };
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.1e}").replace(".0e", "e")
    } else if a >= 10.0 {
        let unit = 10f64.powi(a.log10().floor() as i32 - 1);
        format!("{:.0}", (x / unit).round() * unit)
    } else {
        let digits = (1 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// On a linear axis, a tick within rounding noise of zero (relative to the axis span `span`) is
/// zero: the tick generator's `0.1 * 3 - 0.3` must read "0", not "5.6e-17".
fn snap_zero(v: f64, span: f64, s: Scale) -> f64 {
    if s == Scale::Linear && v.abs() <= 1e-9 * span.abs() {
        0.0
    } else {
        v
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
/// Minimum width in pixels of the legend column used above that (wider for long labels).
const LEGEND_COLUMN: u32 = 190;

/// Draw the chart into the SVG file `path` (800 x 560 pixels; wider when the legend needs its
/// own column).
///
/// # Errors
/// [`PlotError::Empty`] when no point is drawable, [`PlotError::Backend`] when the file cannot be
/// written.
pub fn draw(chart: &Chart, path: &str) -> Result<(), PlotError> {
    draw_panels(std::slice::from_ref(chart), path)
}

/// Draw several charts as panels stacked vertically in one SVG file (800 x 560 pixels each), e.g.
/// quantities that differ by decades, each on its own vertical axis.
///
/// # Errors
/// [`PlotError::Empty`] when a panel has no drawable point, [`PlotError::Backend`] when the file
/// cannot be written.
pub fn draw_panels(charts: &[Chart], path: &str) -> Result<(), PlotError> {
    let fail = |e: String| PlotError::Backend {
        path: path.to_string(),
        message: e,
    };
    let outside = charts
        .iter()
        .any(|c| c.series.iter().filter(|s| !s.label.is_empty()).count() > LEGEND_INSIDE_MAX);
    // Wide enough for the longest label (about 6.8 px per character at 14 px sans-serif).
    let longest = charts
        .iter()
        .flat_map(|c| c.series.iter().map(|s| s.label.chars().count()))
        .max()
        .unwrap_or(0);
    let needed = 40 + (longest as f64 * 6.8).ceil() as u32;
    let legend_width = if outside {
        LEGEND_COLUMN.max(needed)
    } else {
        0
    };
    let panels = u32::try_from(charts.len().max(1)).unwrap_or(1);
    let root = SVGBackend::new(path, (800 + legend_width, 560 * panels)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    for (chart, area) in charts.iter().zip(root.split_evenly((charts.len(), 1))) {
        draw_on(chart, &area, outside, path)?;
    }
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Number of points of `chart` that its axes cannot show although they are finite: values
/// $\le 0$ on a logarithmic axis (report them; [`draw`] leaves them out).
pub fn not_drawable(chart: &Chart) -> usize {
    let hidden = |v: f64, s: Scale| v.is_finite() && to_axis(v, s).is_none();
    chart
        .series
        .iter()
        .flat_map(|s| s.xy.iter())
        .filter(|&&(x, y)| hidden(x, chart.x_scale) || hidden(y, chart.y_scale))
        .count()
}

fn draw_on(
    chart: &Chart,
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    outside: bool,
    path: &str,
) -> Result<(), PlotError> {
    let fail = |e: String| PlotError::Backend {
        path: path.to_string(),
        message: e,
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
        return Err(PlotError::Empty {
            path: path.to_string(),
        });
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
    let labelled = chart.series.iter().filter(|s| !s.label.is_empty()).count();
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
        .x_label_formatter(&|v| tick(snap_zero(*v, x1 - x0, xs), xs))
        .y_label_formatter(&|v| tick(snap_zero(*v, y1 - y0, ys), ys))
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
        let color = COLORS[s.colour.unwrap_or(*k) % COLORS.len()];
        *k += 1;
        if !s.label.is_empty() {
            entries.push((s.label.as_str(), color, bars.is_none()));
        }
        match bars {
            None => {
                let runs = segments(&s.xy, chart.x_scale, chart.y_scale);
                for (i, run) in runs.into_iter().enumerate() {
                    if run.len() == 1 {
                        ctx.draw_series(
                            run.iter().map(|&p| Cross::new(p, 6, color.stroke_width(2))),
                        )
                        .map_err(|e| fail(e.to_string()))?;
                    }
                    let drawn = ctx
                        .draw_series(LineSeries::new(run, color.stroke_width(2)))
                        .map_err(|e| fail(e.to_string()))?;
                    if i == 0 && !s.label.is_empty() {
                        drawn.label(s.label.as_str()).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                        });
                    }
                }
            }
            Some(bars) => {
                ctx.draw_series(bars.iter().map(|&(x, lo, hi)| {
                    PathElement::new(vec![(x, lo), (x, hi)], color.stroke_width(1))
                }))
                .map_err(|e| fail(e.to_string()))?;
                let drawn = ctx
                    .draw_series(xy.iter().map(|&p| Circle::new(p, 4, color.filled())))
                    .map_err(|e| fail(e.to_string()))?;
                if !s.label.is_empty() {
                    drawn
                        .label(s.label.as_str())
                        .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
                }
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
    } else if labelled > 0 {
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .position(legend_at)
            .draw()
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}
