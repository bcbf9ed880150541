//! `overparam hessian`: Hessian spectra at symmetric critical points of two-layer ReLU networks.

use clap::Args;
use overparam::theory::two_layer::census::{GradientDescentOptions, census};
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::spectrum::{Spectrum, block_spectrum};
use overparam::theory::two_layer::symmetry::{Param, Partition};
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};
use serde_json::{Map, Value, json};

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};

/// Arguments of `overparam hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {
    /// Family of critical points: global, type-a, flipped (with --m), all-flipped, all-but-one-flipped.
    #[arg(long, default_value = "type-a")]
    family: String,
    /// Number of flipped neurons for --family flipped (M >= 2).
    #[arg(long)]
    m: Option<usize>,
    /// Dimension d = k (real allowed for families): X, or START:STOP:COUNT (log-spaced; lin: prefix
    /// for linear). Not needed with --threshold.
    #[arg(long, value_parser = parse_value_or_range)]
    d: Option<ValueOrRange>,
    /// Print the fractional dimension d_star at which the family turns from saddle into minimum.
    #[arg(long)]
    threshold: bool,
    /// Run the gradient-descent census (Safran–Shamir protocol) at integer --d.
    #[arg(long)]
    gd: bool,
    /// Number of gradient-descent runs for --gd.
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// Seed of the first run for --gd (run r uses seed + r).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure of the spectrum versus d: |eigenvalue| on a log axis, one line per
    /// isotypic component and eigenvalue rank, negative eigenvalues marked by extra point series
    /// (x axis log for START:STOP:COUNT, linear for lin:). A single d is drawn as markers.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

fn family(args: &HessianArgs) -> Result<Family, CliError> {
    match (args.family.as_str(), args.m) {
        ("flipped", Some(m)) if m >= 2 => Ok(Family::Flipped { m }),
        ("flipped", Some(m)) => Err(CliError::usage(format!(
            "--m: {m} flipped neurons; expected M >= 2 (M = 1 is --family type-a)"
        ))),
        ("flipped", None) => Err(CliError::usage("--m: required with --family flipped")),
        (_, Some(_)) => Err(CliError::usage("--m: only valid with --family flipped")),
        (name, None) if name.starts_with("flipped-") => Err(CliError::usage(format!(
            "--family: `{name}` is not a family; use --family flipped --m M"
        ))),
        (name, None) => name.parse::<Family>().map_err(|_| {
            CliError::usage(format!(
                "--family: `{name}` is not a family; expected global, type-a, flipped (with --m M), \
                 all-flipped or all-but-one-flipped"
            ))
        }),
    }
}

fn param_name(p: Param) -> String {
    match p {
        Param::Diag(c) => format!("D{c}"),
        Param::Off(c) => format!("O{c}"),
        Param::Cross(c, r) => format!("B{c}{r}"),
    }
}

fn params_json(partition: &Partition, xi: &[f64]) -> Value {
    let mut map = Map::new();
    for (p, x) in partition.params().iter().zip(xi) {
        map.insert(param_name(*p), json!(x));
    }
    Value::Object(map)
}

fn spectrum_json(s: &Spectrum) -> Value {
    Value::Array(
        s.values()
            .iter()
            .map(|v| {
                json!({
                    "value": v.value,
                    "multiplicity": v.multiplicity,
                    "component": v.component.to_string(),
                })
            })
            .collect(),
    )
}

fn spectrum_text(s: &Spectrum) -> String {
    s.values()
        .iter()
        .map(|v| format!("{:.10e} x{} {}", v.value, v.multiplicity, v.component))
        .collect::<Vec<_>>()
        .join("; ")
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn print(
    records: Vec<(Map<String, Value>, Record)>,
    format: Format,
    cols: &[&str],
) -> Result<(), CliError> {
    match format {
        Format::Json => {
            for (m, _) in records {
                println!("{}", Value::Object(m));
            }
            Ok(())
        }
        _ => {
            let recs: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();
            write_records(&recs, format, cols).map_err(|e| CliError {
                message: e.to_string(),
                status: 1,
            })
        }
    }
}

/// Run `overparam hessian`.
pub fn run(args: HessianArgs) -> Result<(), CliError> {
    if args.gd {
        return run_census(&args);
    }
    let fam = family(&args)?;
    if args.threshold {
        return run_threshold(fam, args.format);
    }
    let ds = args
        .d
        .as_ref()
        .ok_or_else(|| CliError::usage("--d: required (or use --threshold)"))?;
    for &d in &ds.0 {
        fam.partition(d).map_err(|e| CliError::from_library(&e))?;
    }
    let mut out = Vec::new();
    // (component, rank within the component) -> (d, eigenvalue) for --plot.
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for &d in &ds.0 {
        let cp = critical_point(fam, d).map_err(|e| CliError::from_library(&e))?;
        let spec =
            block_spectrum(&cp.partition, &cp.params).map_err(|e| CliError::from_library(&e))?;
        let mut m = Map::new();
        m.insert("family".into(), json!(fam.to_string()));
        m.insert("d".into(), json!(d));
        m.insert("params".into(), params_json(&cp.partition, &cp.params));
        m.insert("loss".into(), num(cp.loss));
        m.insert("residual".into(), num(cp.residual));
        m.insert("min_eigenvalue".into(), num(spec.min_value()));
        m.insert("morse_index".into(), num(spec.morse_index()));
        m.insert("spectrum".into(), spectrum_json(&spec));
        let mut r: Record = vec![
            ("family", Field::Text(fam.to_string())),
            ("d", Field::Num(d)),
        ];
        r.push((
            "params",
            Field::Text(params_json(&cp.partition, &cp.params).to_string()),
        ));
        r.push(("loss", Field::Num(cp.loss)));
        r.push(("residual", Field::Num(cp.residual)));
        r.push(("min_eigenvalue", Field::Num(spec.min_value())));
        r.push(("morse_index", Field::Num(spec.morse_index())));
        r.push(("spectrum", Field::Text(spectrum_text(&spec))));
        if args.plot.is_some() {
            let mut rank: Vec<(String, usize)> = Vec::new();
            for v in spec.values() {
                let comp = v.component.to_string();
                let k = match rank.iter_mut().find(|(c, _)| *c == comp) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        rank.push((comp.clone(), 1));
                        1
                    }
                };
                let name = format!("{comp} #{k}");
                match curves.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, c)) => c.push((d, v.value)),
                    None => curves.push((name, vec![(d, v.value)])),
                }
            }
        }
        out.push((m, r));
    }
    print(
        out,
        args.format,
        &["family", "d", "loss", "min_eigenvalue", "morse_index"],
    )?;
    if let Some(path) = &args.plot {
        use crate::plot::{Chart, Scale, Series, draw, scale_of};
        let mut series: Vec<Series> = curves
            .iter()
            .map(|(name, c)| Series {
                label: name.clone(),
                xy: c.iter().map(|&(d, v)| (d, v.abs())).collect(),
                error_bars: None,
                colour: None,
            })
            .collect();
        let negative: Vec<(f64, f64)> = curves
            .iter()
            .flat_map(|(_, c)| c.iter().filter(|p| p.1 < 0.0).map(|&(d, v)| (d, -v)))
            .collect();
        if !negative.is_empty() {
            series.push(Series {
                label: "negative (|value| shown)".into(),
                error_bars: Some(vec![0.0; negative.len()]),
                colour: None,
                xy: negative,
            });
        }
        let chart = Chart {
            title: format!("Hessian spectrum at the {fam} critical point"),
            x_label: "d = k (input dimension = number of neurons)".into(),
            y_label: "|eigenvalue| (log scale; negative ones marked)".into(),
            x_scale: scale_of(&ds.0),
            y_scale: Scale::Log,
            series,
        };
        draw(&chart, path)?;
    }
    Ok(())
}

fn run_threshold(fam: Family, format: Format) -> Result<(), CliError> {
    let th = saddle_to_minimum(fam, ThresholdOptions::default())
        .map_err(|e| CliError::from_library(&e))?;
    let mut m = Map::new();
    m.insert("family".into(), json!(fam.to_string()));
    let mut r: Record = vec![("family", Field::Text(fam.to_string()))];
    match th {
        Some(t) => {
            m.insert("d_star".into(), json!(t.d_star));
            m.insert("component".into(), json!(t.component.to_string()));
            m.insert("residual".into(), num(t.residual));
            m.insert("bracket_width".into(), num(t.bracket_width));
            m.insert("iterations".into(), json!(t.iterations));
            m.insert("loss".into(), num(t.point.loss));
            m.insert(
                "params".into(),
                params_json(&t.point.partition, &t.point.params),
            );
            r.push(("d_star", Field::Num(t.d_star)));
            r.push(("component", Field::Text(t.component.to_string())));
            r.push(("residual", Field::Num(t.residual)));
            r.push(("bracket_width", Field::Num(t.bracket_width)));
            r.push(("iterations", Field::Int(t.iterations)));
            r.push(("loss", Field::Num(t.point.loss)));
        }
        None => {
            m.insert("d_star".into(), Value::Null);
            r.push(("d_star", Field::Null));
        }
    }
    print(
        vec![(m, r)],
        format,
        &["family", "d_star", "component", "residual"],
    )
}

fn run_census(args: &HessianArgs) -> Result<(), CliError> {
    let ds = args
        .d
        .as_ref()
        .ok_or_else(|| CliError::usage("--d: required with --gd"))?;
    let d = match ds.0.as_slice() {
        [d] if d.fract() == 0.0 && *d >= 2.0 && *d <= 200.0 => *d as usize,
        _ => {
            return Err(CliError::usage(
                "--d: --gd needs a single integer dimension between 2 and 200",
            ));
        }
    };
    if args.runs == 0 || args.runs > 100_000 {
        return Err(CliError::usage(format!(
            "--runs: {} runs; expected between 1 and 100000",
            args.runs
        )));
    }
    let c = census(d, args.runs, args.seed, GradientDescentOptions::default())
        .map_err(|e| CliError::from_library(&e))?;
    let mut out = Vec::new();
    for e in &c.entries {
        let sizes: Vec<usize> = e.sizes.iter().map(|&s| s as usize).collect();
        let sizes_text = format!("{sizes:?}");
        let flipped_text = format!("{:?}", e.flipped);
        let mut m = Map::new();
        m.insert("d".into(), json!(d));
        m.insert("sizes".into(), json!(sizes));
        m.insert("flipped".into(), json!(e.flipped));
        m.insert("loss".into(), num(e.loss));
        m.insert("count".into(), json!(e.count));
        m.insert("runs".into(), json!(c.runs));
        m.insert("not_converged".into(), json!(c.not_converged));
        m.insert("min_eigenvalue".into(), num(e.min_eigenvalue));
        m.insert("morse_index".into(), num(e.morse_index));
        m.insert("params".into(), json!(e.params));
        let r: Record = vec![
            ("d", Field::Int(d)),
            ("sizes", Field::Text(sizes_text)),
            ("flipped", Field::Text(flipped_text)),
            ("loss", Field::Num(e.loss)),
            ("count", Field::Int(e.count)),
            ("runs", Field::Int(c.runs)),
            ("not_converged", Field::Int(c.not_converged)),
            ("min_eigenvalue", Field::Num(e.min_eigenvalue)),
            ("morse_index", Field::Num(e.morse_index)),
        ];
        out.push((m, r));
    }
    print(
        out,
        args.format,
        &[
            "sizes",
            "flipped",
            "loss",
            "count",
            "min_eigenvalue",
            "morse_index",
        ],
    )
}
