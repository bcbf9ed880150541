//! `overparam density`: spectral densities.
//!
//! - `--population H --gamma G --x X`: the sample covariance $X^\top X/n$ for any population
//!   spectrum (generalised Marchenko–Pastur, Silverstein's equation), `SampleCovariance`.
//! - `--free-sum LAW LAW --x X`: the free additive convolution $\mu \boxplus \nu$ (the
//!   eigenvalues of $A + UBU^*$, $U$ Haar), `FreeSum`.
//! - `--free-product LAW LAW --x X`: the free multiplicative convolution $\mu \boxtimes \nu$
//!   (of $A^{1/2}UBU^*A^{1/2}$; both laws on $[0, \infty)$), `FreeProduct`.
//!
//! LAW is a law spec of `overparam::spectral::Measure::parse` (`semicircle:R`, `mp:GAMMA`,
//! `uniform:A:B`, `powerlaw:ALPHA:P`, `atoms:FILE`, `mix:W@SPEC,...`, or a CSV file).
//! Arguments -> library type -> records.

use clap::Args;
use overparam::spectral::{
    DensityPoint, FreeProduct, FreeSum, Measure, SampleCovariance, SilversteinSolution,
};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, Stream, stream};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record};

/// Arguments of `overparam density`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("law").required(true).args(["population", "free_sum", "free_product"]))]
pub struct DensityArgs {
    /// The population spectrum H of the covariance Sigma: a CSV file with the header
    /// `eigenvalue,weight,signal` or `eigenvalue,weight` (weights normalised; the signal column
    /// is not used), `atoms:FILE`, or `powerlaw:ALPHA:P` (eigenvalues k^-ALPHA, k = 1..P).
    #[arg(long, value_name = "FILE|SPEC", requires = "gamma")]
    population: Option<String>,
    /// gamma = p/n (with --population): X or START:STOP:COUNT (log-spaced) or
    /// lin:START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true,
          requires = "population", conflicts_with_all = ["free_sum", "free_product"])]
    gamma: Option<ValueOrRange>,
    /// The free additive convolution of two laws (A + U B U*, U Haar): two law specs
    /// (semicircle:R, mp:GAMMA, uniform:A:B, powerlaw:ALPHA:P, atoms:FILE, mix:W@SPEC,..., FILE).
    #[arg(long, num_args = 2, value_names = ["LAW", "LAW"])]
    free_sum: Option<Vec<String>>,
    /// The free multiplicative convolution of two laws on [0, inf) (A^1/2 U B U* A^1/2).
    #[arg(long, num_args = 2, value_names = ["LAW", "LAW"])]
    free_product: Option<Vec<String>>,
    /// Point(s) at which to evaluate the density: X or a range (`lin:0.01:5:500` for a curve).
    /// With --population, x != 0 (the atom at 0 is the field atom_at_zero).
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    x: ValueOrRange,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure of the density against x (one line per gamma).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

/// The support intervals of the law at one gamma (the last one computed).
type SupportCache = Option<(f64, overparam::Result<Vec<(f64, f64)>>)>;

/// The population's atoms, or an exit-2 error naming the flag (and the file and line).
fn population(spec: &str) -> Result<overparam::spectral::Atoms, CliError> {
    let measure =
        Measure::parse(spec).map_err(|e| CliError::usage(format!("--population: {e}")))?;
    measure.as_atoms().ok_or_else(|| {
        CliError::usage(format!(
            "--population `{spec}`: a population spectrum must be discrete (a CSV file, \
             atoms:FILE or powerlaw:ALPHA:P)"
        ))
    })
}

/// Run `overparam density`.
pub fn run(args: DensityArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.plot.as_ref())?;
    if let Some(laws) = &args.free_sum {
        return run_free(&args, laws, Operation::Sum);
    }
    if let Some(laws) = &args.free_product {
        return run_free(&args, laws, Operation::Product);
    }
    let (Some(spec), Some(gamma)) = (&args.population, args.gamma) else {
        return Err(CliError::usage(
            "give --population FILE|SPEC with --gamma, or --free-sum LAW LAW, or --free-product LAW LAW",
        ));
    };
    let h = population(spec)?;
    let axes = [Axis::new("gamma", gamma), Axis::new("x", args.x)];
    for g in gamma.ends() {
        SampleCovariance::new(&h, g).map_err(|e| CliError::from_library(&e))?;
    }
    for x in args.x.ends() {
        if !x.is_finite() || x == 0.0 {
            return Err(CliError::usage(format!(
                "--x {x}: expected a finite x != 0 (the atom at 0 is the field atom_at_zero)"
            )));
        }
    }
    let table = [
        "gamma",
        "x",
        "density",
        "stieltjes_re",
        "stieltjes_im",
        "atom_at_zero",
        "lower_edge",
        "upper_edge",
    ];
    // The support of the law at the last gamma (computed once per gamma, not per piece).
    let mut support_cache: SupportCache = None;
    let records = stream(
        &axes,
        Stream {
            format: args.format,
            table: &table,
            keep: args.plot.is_some(),
            progress: false,
        },
        |piece| evaluate(&h, piece, &mut support_cache),
    )?;
    if let Some(path) = &args.plot {
        plot(
            &records,
            &format!("sample-covariance density, population {spec}"),
            path,
        )?;
    }
    Ok(())
}

/// The free convolution asked for.
#[derive(Debug, Clone, Copy)]
enum Operation {
    Sum,
    Product,
}

impl Operation {
    fn flag(self) -> &'static str {
        match self {
            Self::Sum => "--free-sum",
            Self::Product => "--free-product",
        }
    }
}

/// A free sum or product of two parsed laws.
enum Free {
    Sum(Box<FreeSum<Measure, Measure>>),
    Product(Box<FreeProduct<Measure, Measure>>),
}

impl Free {
    fn density_points(&self, xs: &[f64]) -> Vec<overparam::Result<DensityPoint>> {
        match self {
            Self::Sum(f) => f.density_points(xs),
            Self::Product(f) => f.density_points(xs),
        }
    }
}

/// `density --free-sum LAW LAW` / `--free-product LAW LAW`: one record per x with `x`,
/// `density`, `stieltjes_re`, `stieltjes_im` (at $x + i\eta$), `eta`, `residual`,
/// `iterations`.
fn run_free(args: &DensityArgs, laws: &[String], op: Operation) -> Result<(), CliError> {
    let flag = op.flag();
    let parse = |spec: &String| {
        Measure::parse(spec).map_err(|e| CliError::usage(format!("{flag} `{spec}`: {e}")))
    };
    let (Some(a), Some(b)) = (laws.first(), laws.get(1)) else {
        return Err(CliError::usage(format!("{flag}: expected two laws")));
    };
    let (mu, nu) = (parse(a)?, parse(b)?);
    let free = match op {
        Operation::Sum => FreeSum::new(mu, nu).map(|f| Free::Sum(Box::new(f))),
        Operation::Product => FreeProduct::new(mu, nu).map(|f| Free::Product(Box::new(f))),
    }
    .map_err(|e| CliError::usage(format!("{flag} {a} {b}: {e}")))?;
    for x in args.x.ends() {
        if !x.is_finite() {
            return Err(CliError::usage(format!("--x {x}: expected a finite x")));
        }
    }
    let axes = [Axis::new("x", args.x)];
    let table = ["x", "density", "stieltjes_re", "stieltjes_im", "eta"];
    let records = stream(
        &axes,
        Stream {
            format: args.format,
            table: &table,
            keep: args.plot.is_some(),
            progress: false,
        },
        |piece| {
            let xs: Vec<f64> = (0..piece.len()).map(|i| piece.point(i)[0]).collect();
            xs.iter()
                .zip(free.density_points(&xs))
                .map(|(&x, point)| {
                    let mut rec = Record::default();
                    rec.num("x", x);
                    match point {
                        Ok(p) => {
                            rec.num("density", p.density);
                            rec.num("stieltjes_re", p.stieltjes.re);
                            rec.num("stieltjes_im", p.stieltjes.im);
                            rec.num("eta", p.eta);
                            rec.num("residual", p.residual);
                            rec.push("iterations", Field::Int(p.iterations as u64));
                            Outcome {
                                record: rec,
                                error: None,
                            }
                        }
                        Err(e) => {
                            rec.push("density", Field::opt(None));
                            rec.push("error", Field::Text(e.to_string()));
                            Outcome {
                                record: rec,
                                error: Some(e),
                            }
                        }
                    }
                })
                .collect()
        },
    )?;
    if let Some(path) = &args.plot {
        let symbol = match op {
            Operation::Sum => "⊞",
            Operation::Product => "⊠",
        };
        plot(
            &records,
            &format!("free convolution {a} {symbol} {b}"),
            path,
        )?;
    }
    Ok(())
}

fn evaluate(
    h: &overparam::spectral::Atoms,
    piece: &Piece<'_>,
    support_cache: &mut SupportCache,
) -> Vec<Outcome> {
    let points: Vec<Vec<f64>> = (0..piece.len()).map(|i| piece.point(i)).collect();
    let gamma = points.first().map_or(1.0, |p| p[0]);
    let law = match SampleCovariance::new(h, gamma) {
        Ok(l) => l,
        Err(e) => {
            return points.iter().map(|p| failed(p, &e)).collect();
        }
    };
    let support = match support_cache {
        Some((g, s)) if *g == gamma => s.clone(),
        _ => {
            let s = law.support();
            *support_cache = Some((gamma, s.clone()));
            s
        }
    };
    // x is the line axis when it is swept; otherwise every point has its own gamma.
    let solutions: Vec<overparam::Result<SilversteinSolution>> =
        if points.iter().all(|p| p[0] == gamma) {
            let xs: Vec<f64> = points.iter().map(|p| p[1]).collect();
            law.density_curve(&xs)
        } else {
            points
                .iter()
                .map(|p| SampleCovariance::new(h, p[0]).and_then(|l| l.density(p[1])))
                .collect()
        };
    points
        .iter()
        .zip(solutions)
        .map(|(p, s)| {
            let law_here = if p[0] == gamma {
                Ok(law.clone())
            } else {
                SampleCovariance::new(h, p[0])
            };
            let mut rec = Record::default();
            rec.num("gamma", p[0]);
            rec.num("x", p[1]);
            match s {
                Ok(s) => {
                    rec.num("density", s.density());
                    rec.num("stieltjes_re", s.stieltjes.re);
                    rec.num("stieltjes_im", s.stieltjes.im);
                    rec.num("companion_re", s.companion.re);
                    rec.num("companion_im", s.companion.im);
                    rec.num("companion_density", s.companion_density());
                    if let Ok(l) = &law_here {
                        rec.num("atom_at_zero", l.atom_at_zero());
                        rec.num("companion_atom_at_zero", l.companion_atom_at_zero());
                    }
                    let sup = if p[0] == gamma {
                        support.clone()
                    } else {
                        law_here
                            .as_ref()
                            .map_err(Clone::clone)
                            .and_then(|l| l.support())
                    };
                    if let Ok(sup) = sup
                        && let (Some(first), Some(last)) = (sup.first(), sup.last())
                    {
                        rec.num("lower_edge", first.0);
                        rec.num("upper_edge", last.1);
                        rec.push("support_intervals", Field::Int(sup.len() as u64));
                    }
                    rec.num("residual", s.residual);
                    rec.push("iterations", Field::Int(s.iterations as u64));
                    Outcome {
                        record: rec,
                        error: None,
                    }
                }
                Err(e) => failed(p, &e),
            }
        })
        .collect()
}

fn failed(p: &[f64], e: &overparam::Error) -> Outcome {
    let mut rec = Record::default();
    rec.num("gamma", p[0]);
    rec.num("x", p[1]);
    rec.push("density", Field::opt(None));
    rec.push("error", Field::Text(e.to_string()));
    Outcome {
        record: rec,
        error: Some(e.clone()),
    }
}

fn plot(records: &[Record], title: &str, path: &str) -> Result<(), CliError> {
    use overparam::plot::{Chart, Scale, Series};
    let mut lines: Vec<(f64, Vec<(f64, f64)>)> = Vec::new();
    for r in records {
        // The free forms have no gamma: one line.
        let g = r.number("gamma").unwrap_or(f64::NAN);
        let Some(x) = r.number("x") else {
            continue;
        };
        let y = r.number("density").unwrap_or(f64::NAN);
        match lines.last_mut() {
            Some((last, xy)) if *last == g || (last.is_nan() && g.is_nan()) => xy.push((x, y)),
            _ => lines.push((g, vec![(x, y)])),
        }
    }
    let series = lines
        .into_iter()
        .map(|(g, mut xy)| {
            xy.sort_by(|a, b| a.0.total_cmp(&b.0));
            let label = if g.is_nan() {
                "density".to_string()
            } else {
                format!("gamma = {}", overparam::error::display_number(g))
            };
            Series::line(label, xy)
        })
        .collect();
    let chart = Chart {
        title: title.to_string(),
        x_label: "x (eigenvalue)".into(),
        y_label: "density (continuous part)".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series,
    };
    crate::plot::draw(&chart, path)
}
