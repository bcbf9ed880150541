//! `overparam hessian`: Hessian spectra at symmetric critical points of two-layer ReLU networks.

use crate::CliError;
use crate::driver::{Axis, Outcome, Stream, stream, validate_blaming};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{
    Field, Format, Record, Writer, json_object, json_string, json_value, number_text,
};
use crate::simulate::simulate_point;
use clap::Args;
use overparam::experiment::JoinOptions;
use overparam::experiment::RunOptions;
use overparam::sim::two_layer::{TWO_LAYER_METRICS, TwoLayerHessian};
use overparam::sim::two_layer_census::{GradientDescentCensus, name_census};
use overparam::theory::two_layer::branches::{
    BranchSearch, BranchSearchOptions, PartitionFamily, branch_threshold, find_branches,
};
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::spectrum::{Spectrum, block_spectrum};
use overparam::theory::two_layer::symmetry::{Param, Partition};
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};

/// Arguments of `overparam hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {
    /// Family of critical points: global, type-a, flipped (with --m), all-flipped, all-but-one-flipped,
    /// or classes (with --sizes: any partition of the d neurons).
    /// Not with --gd (the census finds whatever gradient descent reaches).
    #[arg(long, default_value = "type-a", conflicts_with = "gd")]
    family: String,
    /// Class sizes A,B[,C...] of --family classes (summing to --d, if given).
    #[arg(long, value_delimiter = ',', conflicts_with = "gd")]
    sizes: Option<Vec<f64>>,
    /// List every critical point found for the family's partition at a single --d (one record
    /// per branch, by increasing loss; the default branch is the lowest-loss minimum, else the
    /// lowest-loss point). With --gd: name each end point by a listed branch of its partition.
    #[arg(long, conflicts_with_all = ["threshold", "simulate", "plot"])]
    branches: bool,
    /// Print only branch N (0-based, by increasing loss) of the branch search; with --threshold,
    /// the branch whose d_star is computed (--family classes: default the default branch; a
    /// named family: branch N of its partition at --d K, continued down by its first class).
    #[arg(long, conflicts_with_all = ["gd", "simulate", "plot"])]
    branch: Option<usize>,
    /// Number of flipped neurons for --family flipped (M >= 2).
    #[arg(long, conflicts_with = "gd")]
    m: Option<usize>,
    /// Dimension d = k (real allowed for families): X, or START:STOP:COUNT (log-spaced; lin: prefix
    /// for linear). Not with --threshold, except with --threshold --branch N for a named family
    /// (the dimension at which its branches are listed).
    #[arg(long, value_parser = parse_value_or_range)]
    d: Option<ValueOrRange>,
    /// Print the fractional dimension d_star at which the family turns from saddle into minimum.
    #[arg(long, conflicts_with = "gd")]
    threshold: bool,
    /// Run the gradient-descent census (Safran–Shamir protocol) at integer --d.
    #[arg(long)]
    gd: bool,
    /// Number of gradient-descent runs for --gd.
    #[arg(long, default_value_t = 100, requires = "gd")]
    runs: usize,
    /// Seed for --gd: run r draws from its own stream of (seed, r), independent of the others.
    #[arg(long, default_value_t = 1, requires = "gd")]
    seed: u64,
    /// Run only shard I of M of the --gd runs (runs r = I - 1 mod M, same streams) and print a
    /// partial result; `overparam merge` of the M parts prints the census (docs/scaling.md).
    #[arg(long, value_name = "I/M", requires = "gd", allow_hyphen_values = true,
          value_parser = |s: &str| s.parse::<overparam::sim::shard::Shard>().map_err(|e| e.to_string()))]
    #[allow(dead_code)] // read by `main` from the matches
    shard: Option<overparam::sim::shard::Shard>,
    /// Also check each point's symmetry-reduced spectrum against the dense eigendecomposition of
    /// the d^2 x d^2 Hessian (integer d in [2, 40]): sim_mean, theory_realised, z, allowance,
    /// agrees for min_eigenvalue (and sim_M, ... for max_eigenvalue, morse_index).
    #[arg(long, conflicts_with_all = ["gd", "threshold"])]
    simulate: bool,
    /// No progress bar (drawn on stderr, only when it is a terminal, over the runs of --gd and
    /// the points of a --simulate sweep).
    #[arg(long)]
    no_progress: bool,
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

fn params_field(partition: &Partition, xi: &[f64]) -> Field {
    let names: Vec<String> = partition.params().iter().map(|p| param_name(*p)).collect();
    let json = json_object(
        names
            .iter()
            .zip(xi)
            .map(|(n, x)| (n.as_str(), json_value(&Field::Num(*x)))),
    );
    Field::Nested {
        text: json.clone(),
        json,
    }
}

fn spectrum_field(s: &Spectrum) -> Field {
    let items: Vec<String> = s
        .values()
        .iter()
        .map(|v| {
            json_object([
                ("value", json_value(&Field::Num(v.value))),
                ("multiplicity", json_value(&Field::count(v.multiplicity))),
                ("component", json_string(&v.component.to_string())),
            ])
        })
        .collect();
    let text = s
        .values()
        .iter()
        .map(|v| {
            let mult = match Field::count(v.multiplicity) {
                Field::Int(i) => i.to_string(),
                _ => number_text(v.multiplicity),
            };
            format!("{:.10e} x{mult} {}", v.value, v.component)
        })
        .collect::<Vec<_>>()
        .join("; ");
    Field::Nested {
        json: format!("[{}]", items.join(",")),
        text,
    }
}

/// Write a few records (threshold, census) through the same streaming writer.
fn print(records: Vec<Record>, format: Format, cols: &[&'static str]) -> Result<(), CliError> {
    let mut w = Writer::new(crate::output::records_out(), format, cols);
    for r in &records {
        w.write(r).map_err(|e| CliError::from_io(&e))?;
    }
    Ok(())
}

/// Run `overparam hessian`.
pub fn run(args: HessianArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.plot.as_ref())?;
    if args.gd {
        return run_census(&args);
    }
    if args.sizes.is_some() && args.family != "classes" {
        return Err(CliError::usage("--sizes: only valid with --family classes"));
    }
    if args.threshold && args.d.is_some() && (args.branch.is_none() || args.family == "classes") {
        return Err(CliError::usage(
            "--d: not with --threshold (the threshold scans d itself), except with --threshold \
             --branch N for a named family, where --d K is the dimension at which the branches \
             are listed",
        ));
    }
    if args.family == "classes" || args.branches || args.branch.is_some() {
        return run_branches(&args);
    }
    let fam = family(&args)?;
    if args.threshold {
        return run_threshold(fam, args.format);
    }
    let ds = args
        .d
        .as_ref()
        .ok_or_else(|| CliError::usage("--d: required (or use --threshold)"))?;
    let axes = [Axis::new("d", *ds)];
    if args.simulate {
        // The dense check needs integer dimensions: every point is checked before any output
        // (a parity test per value, stopping at the first non-integer).
        if let Some(e) = ds.values().find_map(|d| integer(d).err()) {
            return Err(CliError::from_library(&e));
        }
    }
    // The flipped family needs 2 <= M < d - 1: --m and --d together, so name both.
    let blame = |e: &overparam::Error| match (fam, e) {
        (Family::Flipped { m }, overparam::Error::InvalidParameter { name: "d", .. }) => {
            Some(format!("--d (with --family flipped --m {m})"))
        }
        (Family::Flipped { m }, overparam::Error::InvalidParameter { name: "m", .. }) => {
            Some(format!("--m {m} (with --d)"))
        }
        _ => None,
    };
    validate_blaming(
        &axes,
        |v| {
            fam.partition(v[0])?;
            if args.simulate {
                TwoLayerHessian {
                    family: fam,
                    d: integer(v[0])?,
                }
                .check()?;
            }
            Ok(())
        },
        blame,
    )?;
    // (component, rank within the component) -> (d, eigenvalue) for --plot.
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let keep = args.plot.is_some();
    stream(
        &axes,
        Stream {
            format: args.format,
            table: if args.simulate {
                &[
                    "family",
                    "d",
                    "loss",
                    "min_eigenvalue",
                    "morse_index",
                    "sim_mean",
                    "z",
                    "agrees",
                    "sim_morse_index",
                    "agrees_morse_index",
                ]
            } else {
                &["family", "d", "loss", "min_eigenvalue", "morse_index"]
            },
            keep: false,
            progress: args.simulate && !args.no_progress,
        },
        |piece| {
            (0..piece.len())
                .map(|i| {
                    let d = piece.point(i)[0];
                    let (outcome, spectrum) = point(fam, d, args.simulate);
                    if keep && let Some(spec) = spectrum {
                        add_curves(&mut curves, d, &spec);
                    }
                    outcome
                })
                .collect()
        },
    )?;
    if let Some(path) = &args.plot {
        use crate::plot::{Chart, Scale, Series, draw};
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
            x_scale: if ds.is_range() && !ds.is_linear() {
                Scale::Log
            } else {
                Scale::Linear
            },
            y_scale: Scale::Log,
            series,
        };
        draw(&chart, path)?;
    }
    Ok(())
}

/// One critical point and its spectrum.
fn point(fam: Family, d: f64, simulate: bool) -> (Outcome, Option<Spectrum>) {
    let mut r = Record::default();
    r.push("family", Field::Text(fam.to_string()));
    r.push("d", Field::count(d));
    let solved =
        critical_point(fam, d).and_then(|cp| Ok((block_spectrum(&cp.partition, &cp.params)?, cp)));
    let (mut outcome, spectrum) = solved_fields(r, solved);
    if simulate {
        let e = dense_check(fam, d, &mut outcome.record);
        outcome.error = outcome.error.or(e);
    }
    (outcome, spectrum)
}

/// The block-versus-dense join of one point (`sim::two_layer::TwoLayerHessian`): deterministic,
/// so SE 0 and the allowance is round-off. The join's `sim_trials` and `sim_seed` keys are kept
/// (every `--simulate` record has the same keys, docs/glossary.md) but are `null`: the dense
/// check draws nothing, so it has no trials and no seed (0.1 printed the unused defaults 10 and
/// 1).
fn dense_check(fam: Family, d: f64, rec: &mut Record) -> Option<overparam::Error> {
    let checked = integer(d).and_then(|d| TwoLayerHessian { family: fam, d }.check());
    let join = (RunOptions::default(), JoinOptions::default());
    let error = simulate_point(rec, checked, &[], &TWO_LAYER_METRICS, join, &[]);
    rec.set("sim_trials", Field::Null);
    rec.set("sim_seed", Field::Null);
    error
}

/// `d` as an integer dimension, or the library's error naming `d`.
fn integer(d: f64) -> overparam::Result<usize> {
    if d.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&d) {
        Ok(d as usize)
    } else {
        Err(overparam::Error::InvalidParameter {
            name: "d",
            value: d,
            expected: "an integer dimension (the dense check builds the d^2 x d^2 Hessian)",
        })
    }
}

fn solved_fields(
    mut r: Record,
    solved: overparam::Result<(
        Spectrum,
        overparam::theory::two_layer::critical::CriticalPoint,
    )>,
) -> (Outcome, Option<Spectrum>) {
    match solved {
        Ok((spec, cp)) => {
            r.push("params", params_field(&cp.partition, &cp.params));
            r.num("loss", cp.loss);
            r.num("residual", cp.residual);
            r.num("min_eigenvalue", spec.min_value());
            r.push("morse_index", Field::count(spec.morse_index()));
            r.push("spectrum", spectrum_field(&spec));
            (
                Outcome {
                    record: r,
                    error: None,
                },
                Some(spec),
            )
        }
        Err(e) => {
            for key in [
                "params",
                "loss",
                "residual",
                "min_eigenvalue",
                "morse_index",
                "spectrum",
            ] {
                r.push(key, Field::Null);
            }
            r.push("error", Field::Text(e.to_string()));
            (
                Outcome {
                    record: r,
                    error: Some(e),
                },
                None,
            )
        }
    }
}

fn add_curves(curves: &mut Vec<(String, Vec<(f64, f64)>)>, d: f64, spec: &Spectrum) {
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

/// `--family classes --sizes ...` and `--branches` / `--branch N`: the branch search of one
/// partition at a single dimension.
fn run_branches(args: &HessianArgs) -> Result<(), CliError> {
    if args.simulate || args.plot.is_some() {
        return Err(CliError::usage(
            "--simulate/--plot: not available for --family classes, --branches or --branch",
        ));
    }
    let single_d = |what: &str| -> Result<Option<f64>, CliError> {
        match &args.d {
            Some(ds) if ds.is_range() => Err(CliError::usage(format!(
                "--d: {what} needs a single dimension"
            ))),
            Some(ds) => Ok(Some(ds.first())),
            None => Ok(None),
        }
    };
    let (label, partition) = if args.family == "classes" {
        if args.m.is_some() {
            return Err(CliError::usage("--m: only valid with --family flipped"));
        }
        let sizes = args
            .sizes
            .clone()
            .ok_or_else(|| CliError::usage("--sizes: required with --family classes"))?;
        let fam = PartitionFamily { sizes };
        let p = fam.partition().map_err(|e| CliError::from_library(&e))?;
        if let Some(d) = single_d("--family classes")?
            && d != p.dimension()
        {
            return Err(CliError::usage(format!(
                "--d: {} is not the sum {} of --sizes",
                number_text(d),
                number_text(p.dimension())
            )));
        }
        ("classes".to_string(), p)
    } else {
        let fam = family(args)?;
        let d = single_d("--branches")?.ok_or_else(|| {
            CliError::usage(if args.threshold {
                "--d: required with --threshold --branch for a named family (the dimension at \
                 which the branches are listed; d_star is found by continuing branch N down)"
            } else {
                "--d: required with --branches"
            })
        })?;
        let p = fam.partition(d).map_err(|e| CliError::from_library(&e))?;
        (fam.to_string(), p)
    };
    let search = find_branches(&partition, &BranchSearchOptions::default())
        .map_err(|e| CliError::from_library(&e))?;
    let Some(default) = search.default_index() else {
        return Err(CliError {
            message: format!(
                "no critical point found for the partition ({} seeds tried)",
                search.seeds_tried
            ),
            status: 1,
        });
    };
    if args.threshold {
        let i = match args.branch {
            Some(n) if n >= search.branches.len() => {
                return Err(CliError::usage(format!(
                    "--branch: {n}; the search found {} branches (0..{})",
                    search.branches.len(),
                    search.branches.len() - 1
                )));
            }
            Some(n) => n,
            None => default,
        };
        return run_branch_threshold(args, &label, &search, i);
    }
    let chosen: Vec<usize> = match args.branch {
        Some(n) if n >= search.branches.len() => {
            return Err(CliError::usage(format!(
                "--branch: {n}; the search found {} branches (0..{})",
                search.branches.len(),
                search.branches.len() - 1
            )));
        }
        Some(n) => vec![n],
        None if args.branches => (0..search.branches.len()).collect(),
        None => vec![default],
    };
    let records = chosen
        .into_iter()
        .map(|i| branch_record(&label, &search, i, default))
        .collect();
    print(
        records,
        args.format,
        &[
            "family",
            "sizes",
            "branch",
            "default",
            "loss",
            "min_eigenvalue",
            "morse_index",
        ],
    )
}

/// `--family classes --sizes ... --threshold [--branch N]`: d_star of one branch, continued
/// downward in d by the largest class (`branches::branch_threshold`, down to d = 2).
/// `--family NAMED --d K --threshold --branch N`: the same for branch N of the named family's
/// partition at d = K, continued by the family's first class (the one whose size is d - 1 or
/// d - M, so that d keeps the family's meaning).
fn run_branch_threshold(
    args: &HessianArgs,
    label: &str,
    search: &BranchSearch,
    i: usize,
) -> Result<(), CliError> {
    let p = &search.partition;
    let class = if args.family == "classes" {
        (0..p.num_classes())
            .max_by(|&a, &b| p.sizes()[a].total_cmp(&p.sizes()[b]).then(b.cmp(&a)))
            .unwrap_or(0)
    } else {
        0
    };
    let b = &search.branches[i];
    let t = branch_threshold(p, &b.params, class, 2.0).map_err(|e| CliError::from_library(&e))?;
    let mut r = Record::default();
    r.push("family", Field::Text(label.to_string()));
    if args.family != "classes" {
        // The dimension at which the branch was listed (given by --d).
        r.push("d", Field::count(p.dimension()));
    }
    r.push("branch", Field::Int(i as u64));
    r.num("loss", b.loss);
    r.push("morse_index", Field::count(b.morse_index));
    match t {
        Some(t) => {
            r.num("d_star", t.d_star);
            r.push("component", Field::Text(t.component.to_string()));
            let sizes: Vec<String> = t.sizes.iter().map(|&n| number_text(n)).collect();
            r.push(
                "sizes_at_d_star",
                Field::Nested {
                    json: format!("[{}]", sizes.join(",")),
                    text: format!("[{}]", sizes.join(", ")),
                },
            );
            let pt = overparam::theory::two_layer::symmetry::PartitionParams { sizes: t.sizes }
                .check()
                .map_err(|e| CliError::from_library(&e))?;
            r.push("params", params_field(&pt, &t.params));
        }
        None => r.push("d_star", Field::Null),
    }
    print(
        vec![r],
        args.format,
        &[
            "family",
            "branch",
            "loss",
            "morse_index",
            "d_star",
            "component",
        ],
    )
}

fn branch_record(label: &str, search: &BranchSearch, i: usize, default: usize) -> Record {
    let p = &search.partition;
    let b = &search.branches[i];
    let mut r = Record::default();
    r.push("family", Field::Text(label.to_string()));
    let sizes: Vec<String> = p
        .sizes()
        .iter()
        .map(|&n| match Field::count(n) {
            Field::Int(i) => i.to_string(),
            _ => number_text(n),
        })
        .collect();
    r.push(
        "sizes",
        Field::Nested {
            json: format!("[{}]", sizes.join(",")),
            text: format!("[{}]", sizes.join(", ")),
        },
    );
    r.push("d", Field::count(p.dimension()));
    r.push("branch", Field::Int(i as u64));
    r.push("default", Field::Bool(i == default));
    r.push("params", params_field(p, &b.params));
    r.num("loss", b.loss);
    r.num("residual", b.residual);
    r.push("full_gradient", Field::opt(b.full_gradient));
    r.num("min_eigenvalue", b.min_eigenvalue);
    r.push("morse_index", Field::count(b.morse_index));
    r.push("spectrum", spectrum_field(&b.spectrum));
    r.push("hits", Field::Int(b.hits as u64));
    let sources: Vec<String> = b.sources.iter().map(|s| s.to_string()).collect();
    r.push(
        "sources",
        Field::Nested {
            json: format!(
                "[{}]",
                sources
                    .iter()
                    .map(|s| json_string(s))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            text: sources.join(" "),
        },
    );
    r.push("branches", Field::Int(search.branches.len() as u64));
    r.push("seeds_tried", Field::Int(search.seeds_tried as u64));
    r.push("converged", Field::Int(search.converged as u64));
    r
}

fn run_threshold(fam: Family, format: Format) -> Result<(), CliError> {
    let th = saddle_to_minimum(fam, ThresholdOptions::default())
        .map_err(|e| CliError::from_library(&e))?;
    let mut r = Record::default();
    r.push("family", Field::Text(fam.to_string()));
    match th {
        Some(t) => {
            r.num("d_star", t.d_star);
            r.push("component", Field::Text(t.component.to_string()));
            r.num("residual", t.residual);
            r.num("bracket_width", t.bracket_width);
            r.push("iterations", Field::Int(t.iterations as u64));
            r.num("loss", t.point.loss);
            r.push("params", params_field(&t.point.partition, &t.point.params));
        }
        None => r.push("d_star", Field::Null),
    }
    print(
        vec![r],
        format,
        &["family", "d_star", "component", "residual"],
    )
}

fn run_census(args: &HessianArgs) -> Result<(), CliError> {
    let ds = args
        .d
        .as_ref()
        .ok_or_else(|| CliError::usage("--d: required with --gd"))?;
    if ds.is_range() {
        return Err(CliError::usage(
            "--d: --gd needs a single integer dimension",
        ));
    }
    let runs = RunOptions {
        seed: args.seed,
        trials: args.runs,
        // The library's bar over the runs (drawn only when stderr is a terminal).
        progress: !args.no_progress,
    };
    let c = integer(ds.first())
        .and_then(|d| {
            GradientDescentCensus {
                d,
                ..Default::default()
            }
            .check()
        })
        .and_then(|census| census.run_with_budget(&runs, &crate::simulate::budget()))
        .map_err(|e| crate::simulate::run_error(&e, &[("trials", "--runs")]))?;
    let d = ds.first();
    let names = if args.branches {
        Some(
            name_census(c.clone(), &BranchSearchOptions::default())
                .map_err(|e| CliError::from_library(&e))?
                .names,
        )
    } else {
        None
    };
    let records = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let sizes: Vec<u64> = e.sizes.iter().map(|&s| s as u64).collect();
            let sizes_json = format!(
                "[{}]",
                sizes
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let flipped_json = format!(
                "[{}]",
                e.flipped
                    .iter()
                    .map(bool::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let params_json = format!(
                "[{}]",
                e.params
                    .iter()
                    .map(|x| json_value(&Field::Num(*x)))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut r = Record::default();
            r.push("d", Field::count(d));
            r.push(
                "sizes",
                Field::Nested {
                    json: sizes_json,
                    text: format!("{sizes:?}"),
                },
            );
            r.push(
                "flipped",
                Field::Nested {
                    json: flipped_json,
                    text: format!("{:?}", e.flipped),
                },
            );
            r.num("loss", e.loss);
            r.push("count", Field::Int(e.count as u64));
            r.push("runs", Field::Int(c.runs as u64));
            r.push("not_converged", Field::Int(c.not_converged as u64));
            r.num("min_eigenvalue", e.min_eigenvalue);
            r.push("morse_index", Field::count(e.morse_index));
            r.push(
                "params",
                Field::Nested {
                    text: params_json.clone(),
                    json: params_json,
                },
            );
            if let Some(n) = names.as_ref().and_then(|n| n.get(i)) {
                r.push(
                    "branch",
                    n.branch.map_or(Field::Null, |b| Field::Int(b as u64)),
                );
                r.push("default", Field::Bool(n.is_default));
                r.push("new", Field::Bool(n.branch.is_none()));
                r.push("branches", Field::Int(n.branches as u64));
            }
            r
        })
        .collect();
    let cols: &[&'static str] = if args.branches {
        &[
            "sizes",
            "flipped",
            "loss",
            "count",
            "min_eigenvalue",
            "morse_index",
            "branch",
            "default",
        ]
    } else {
        &[
            "sizes",
            "flipped",
            "loss",
            "count",
            "min_eigenvalue",
            "morse_index",
        ]
    };
    print(records, args.format, cols)
}
