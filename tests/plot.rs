//! The library chart: it writes a well-formed SVG holding the title, legend entries and one
//! circle per simulated point, and refuses a chart with nothing drawable.

use overparam::plot::{Chart, PlotError, Scale, Series, draw, scale_of, tick};

fn chart(series: Vec<Series>, y_scale: Scale) -> Chart {
    Chart {
        title: "unit chart: psi2 = 3".into(),
        x_label: "psi1".into(),
        y_label: "error".into(),
        x_scale: Scale::Log,
        y_scale,
        series,
    }
}

#[test]
fn draws_lines_points_and_legend() {
    let dir = std::env::temp_dir().join(format!("overparam-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("chart.svg");
    let path = path.to_str().unwrap();
    let c = chart(
        vec![
            Series::line("theory", vec![(0.1, 1.0), (1.0, 3.0), (10.0, 0.5)]),
            Series::points(
                "simulation",
                vec![(0.1, 1.1), (1.0, 2.8), (10.0, 0.45)],
                vec![0.1; 3],
            ),
        ],
        Scale::Log,
    );
    draw(&c, path).unwrap();
    let svg = std::fs::read_to_string(path).unwrap();
    assert!(
        svg.starts_with("<svg"),
        "not an SVG: {}",
        &svg[..40.min(svg.len())]
    );
    assert!(svg.contains("unit chart: psi2 = 3"));
    let texts: Vec<&str> = svg.lines().map(str::trim).collect();
    assert!(texts.contains(&"theory") && texts.contains(&"simulation"));
    // Three data points plus one legend marker.
    assert_eq!(svg.matches("<circle").count(), 4);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn nothing_drawable_is_an_error() {
    let c = chart(
        vec![Series::line("negative", vec![(1.0, -1.0), (2.0, -2.0)])],
        Scale::Log,
    );
    let err = draw(&c, "/nonexistent-dir/never-written.svg").unwrap_err();
    assert!(matches!(err, PlotError::Empty { .. }), "{err}");
}

#[test]
fn unwritable_path_is_a_backend_error() {
    let c = chart(
        vec![Series::line("ok", vec![(1.0, 1.0), (2.0, 2.0)])],
        Scale::Linear,
    );
    let err = draw(&c, "/nonexistent-dir/never-written.svg").unwrap_err();
    assert!(matches!(err, PlotError::Backend { .. }), "{err}");
}

#[test]
fn scales_and_ticks() {
    assert_eq!(scale_of(&[1.0, 2.0, 3.0, 4.0]), Scale::Linear);
    assert_eq!(scale_of(&[0.1, 1.0, 10.0, 100.0]), Scale::Log);
    assert_eq!(scale_of(&[-1.0, 1.0, 10.0]), Scale::Linear);
    assert_eq!(tick(0.0, Scale::Log), "1");
    assert_eq!(tick(1.0_f64.log10() + 0.2, Scale::Log), "1.6");
    assert_eq!(tick(0.25, Scale::Linear), "0.25");
    assert_eq!(tick(12345.0, Scale::Linear), "12000");
    assert_eq!(tick(3.5, Scale::Log), "3200");
    assert_eq!(tick(-0.5, Scale::Log), "0.32");
    assert_eq!(tick(5.0, Scale::Log), "1e5");
    assert_eq!(tick(-4.0, Scale::Log), "1e-4");
    assert_eq!(tick(-3.5, Scale::Log), "3.2e-4");
}

#[test]
fn explicit_colour_pairs_points_with_their_line() {
    let dir = std::env::temp_dir().join(format!("overparam-colour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("colour.svg");
    let path = path.to_str().unwrap();
    let svg_for = |series: Vec<Series>| {
        draw(&chart(series, Scale::Linear), path).unwrap();
        std::fs::read_to_string(path).unwrap().to_uppercase()
    };
    // Palette colours 0 (#1F77B4) and 1 (#D62728).
    let default = svg_for(vec![Series::points("sim", vec![(1.0, 1.0)], vec![0.1])]);
    assert!(default.contains("#1F77B4") && !default.contains("#D62728"));
    let second = svg_for(vec![
        Series::points("sim", vec![(1.0, 1.0)], vec![0.1]).with_colour(1),
    ]);
    assert!(second.contains("#D62728") && !second.contains("#1F77B4"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zero_tick_on_a_linear_axis_reads_zero() {
    // An axis from -0.0035 to 0.0025 has a tick at 0 that the generator computes with
    // rounding noise; the label must be "0", never "3.5e-18".
    let dir = std::env::temp_dir().join(format!("overparam-zero-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("zero.svg");
    let path = path.to_str().unwrap();
    let c = Chart {
        x_scale: Scale::Linear,
        ..chart(
            vec![Series::line(
                "crossing",
                vec![(5.0, -0.0031), (5.5, -0.0004), (6.0, 0.0021)],
            )],
            Scale::Linear,
        )
    };
    draw(&c, path).unwrap();
    let svg = std::fs::read_to_string(path).unwrap();
    let labels: Vec<&str> = svg.lines().map(str::trim).collect();
    assert!(labels.contains(&"0"), "no zero tick label");
    assert!(
        !labels
            .iter()
            .any(|l| l.contains("e-1") || l.contains("e-2")),
        "rounding noise printed as a tick"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn empty_label_keeps_a_series_out_of_the_legend() {
    let dir = std::env::temp_dir().join(format!("overparam-nolegend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("nolegend.svg");
    let path = path.to_str().unwrap();
    let c = chart(
        vec![
            Series::line("theory", vec![(0.1, 1.0), (1.0, 3.0), (10.0, 0.5)]),
            Series::points("", vec![(0.1, 1.1), (1.0, 2.8), (10.0, 0.45)], vec![0.1; 3]),
        ],
        Scale::Log,
    );
    draw(&c, path).unwrap();
    let svg = std::fs::read_to_string(path).unwrap();
    // Three data points and no legend marker (the labelled case draws four circles).
    assert_eq!(svg.matches("<circle").count(), 3);
    assert!(svg.lines().map(str::trim).any(|l| l == "theory"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_line_does_not_bridge_a_divergence() {
    let dir = std::env::temp_dir().join(format!("overparam-gap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gap.svg");
    let path = path.to_str().unwrap();
    let polylines = |xy: Vec<(f64, f64)>| {
        draw(&chart(vec![Series::line("risk", xy)], Scale::Log), path).unwrap();
        std::fs::read_to_string(path)
            .unwrap()
            .matches("<polyline")
            .count()
    };
    let left = [(0.5, 1.0), (0.8, 4.0)];
    let right = [(1.25, 4.0), (2.0, 1.5)];
    let joined: Vec<_> = left.iter().chain(&right).copied().collect();
    let broken: Vec<_> = left
        .iter()
        .copied()
        .chain([(1.0, f64::NAN)])
        .chain(right.iter().copied())
        .collect();
    // The legend marker is a path element too; compare the two drawings.
    let (n_joined, n_broken) = (polylines(joined), polylines(broken));
    assert_eq!(n_broken, n_joined + 1, "NaN must split the line in two");
    std::fs::remove_dir_all(&dir).ok();
}
