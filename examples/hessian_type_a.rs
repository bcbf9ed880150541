//! The Hessian spectrum of the type A spurious critical point of two-layer ReLU networks
//! (Safran & Shamir 2018; Arjevani & Field, arXiv:2008.01805 and arXiv:2107.10370) as a function
//! of the real dimension d, and its saddle-to-minimum threshold d*.
//!
//! Model: student $\sum_{i=1}^d \max(0, w_i^\top x)$, teacher $V = I_d$ ($k = d$ neurons), Gaussian
//! inputs. The type A family has isotropy $\Delta(S_{d-1}\times S_1)$ (the distinguished neuron
//! flipped); along it the Hessian splits into the isotypic blocks trivial (5 eigenvalues,
//! multiplicity 1), standard[0] = $s_{d-1}$ (5, multiplicity $d-2$), x[0] (1, multiplicity
//! $(d-2)(d-3)/2$) and y[0] (1, multiplicity $(d-1)(d-4)/2$): 12 analytic branches in real d.
//!
//! - Theory: the 12 branches on 160 log-spaced d in (d*, 100] (`critical::continue_to` along
//!   the grid, `spectrum::block_spectrum`), and d* itself (`threshold::saddle_to_minimum`: the
//!   zero of the smallest standard[0] eigenvalue, by Brent).
//! - Cross-check ("simulation"): at integer d = 4, ..., 60 (14 values) the critical point is
//!   embedded as the full d x d weight matrix, the dense $d^2\times d^2$ Hessian is formed
//!   (`kernel::Teacher::hessian`) and diagonalised (`sim::linalg::symmetric_eigenvalues`, faer);
//!   the distinct dense eigenvalues (clustered at relative 1e-8) and their multiplicities must
//!   equal the block values and the representation dimensions.
//!
//! Writes `target/figures/hessian_type_a_spectrum.{svg,csv}` (all branches, log-log) and
//! `target/figures/hessian_type_a_threshold.{svg,csv}` (the smallest eigenvalue crossing zero
//! at d*, linear axes), under the crate root.
//!
//! Run: `cargo run --release --example hessian_type_a [-- --dense 4,5,6,8,20,40 --out DIR]`

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use overparam::grid::log_spaced;
use overparam::linalg::{Matrix, symmetric_eigenvalues};
use overparam::plot::{Chart, Scale, Series, draw};
use overparam::theory::two_layer::critical::{
    CriticalPoint, Family, ReducedNewtonOptions, continue_to, critical_point,
};
use overparam::theory::two_layer::kernel::Teacher;
use overparam::theory::two_layer::spectrum::{Component, Spectrum, block_spectrum};
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};

/// Relative tolerance for merging eigenvalues into one distinct value.
const CLUSTER_TOL: f64 = 1e-8;
/// Upper end of the spectrum figure.
const D_MAX: f64 = 100.0;
/// The zoom window of the threshold figure.
const ZOOM: (f64, f64) = (4.0, 8.0);

struct Options {
    dense: Vec<usize>,
    out: PathBuf,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut o = Options {
        dense: vec![4, 5, 6, 7, 8, 10, 12, 16, 20, 25, 32, 40, 50, 60],
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--dense" => {
                o.dense = value()?
                    .split(',')
                    .map(|s| s.trim().parse::<usize>())
                    .collect::<Result<_, _>>()?;
                if o.dense.iter().any(|&d| !(4..=80).contains(&d)) {
                    return Err("--dense: integer dimensions in [4, 80]".into());
                }
            }
            "--out" => o.out = PathBuf::from(value()?),
            other => return Err(format!("unknown flag `{other}` (--dense, --out)").into()),
        }
    }
    Ok(o)
}

/// A branch: the isotypic component and the rank of the eigenvalue inside its block.
type Branch = (Component, usize);

/// The eigenvalues of a spectrum labelled by branch, with their multiplicities.
fn branches(spec: &Spectrum) -> Vec<(Branch, f64, f64)> {
    let mut rank: Vec<(Component, usize)> = Vec::new();
    spec.values()
        .iter()
        .map(|v| {
            let r = match rank.iter_mut().find(|(c, _)| *c == v.component) {
                Some((_, r)) => {
                    *r += 1;
                    *r
                }
                None => {
                    rank.push((v.component, 1));
                    1
                }
            };
            ((v.component, r), v.value, v.multiplicity)
        })
        .collect()
}

fn branch_name(b: &Branch) -> String {
    format!("{} #{}", b.0, b.1)
}

/// Distinct eigenvalues with multiplicities, merged at relative tolerance [`CLUSTER_TOL`]
/// (absolute below $10^{-3}$).
fn clusters(sorted: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for &e in sorted {
        match out.last_mut() {
            Some((x, k)) if (e - *x).abs() <= CLUSTER_TOL * e.abs().max(x.abs()).max(1e-3) => {
                *k += 1.0;
            }
            _ => out.push((e, 1.0)),
        }
    }
    out
}

/// The dense cross-check at one integer dimension.
struct DenseCheck {
    d: usize,
    /// (branch, block value, nearest dense distinct value).
    matched: Vec<(Branch, f64, f64)>,
    distinct_dense: usize,
    distinct_block: usize,
    multiplicities_agree: bool,
    max_gap: f64,
    seconds: f64,
}

fn dense_check(cp: &CriticalPoint, d: usize) -> Result<DenseCheck, Box<dyn Error>> {
    let t = Instant::now();
    let w = cp.partition.embed(&cp.params)?;
    let h = Teacher::identity(d)?.hessian(&w)?;
    let n = d * d;
    let ev = symmetric_eigenvalues(&Matrix::from_fn(n, n, |i, j| h[i * n + j]))?;
    let seconds = t.elapsed().as_secs_f64();
    let dense = clusters(&ev);
    let spec = block_spectrum(&cp.partition, &cp.params)?;
    let block = spec.distinct(CLUSTER_TOL);
    let multiplicities_agree = dense.len() == block.len()
        && dense
            .iter()
            .zip(&block)
            .all(|(a, b)| (a.1 - b.1).abs() < 1e-9 && (a.0 - b.0).abs() < 1e-8);
    let matched: Vec<(Branch, f64, f64)> = branches(&spec)
        .into_iter()
        .map(|(b, v, _)| {
            let near = dense
                .iter()
                .map(|c| c.0)
                .min_by(|x, y| (x - v).abs().total_cmp(&(y - v).abs()))
                .unwrap_or(f64::NAN);
            (b, v, near)
        })
        .collect();
    let max_gap = matched
        .iter()
        .fold(0.0f64, |m, (_, v, e)| m.max((v - e).abs()));
    Ok(DenseCheck {
        d,
        matched,
        distinct_dense: dense.len(),
        distinct_block: block.len(),
        multiplicities_agree,
        max_gap,
        seconds,
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let opts = parse_args()?;
    let start = Instant::now();
    std::fs::create_dir_all(&opts.out)?;
    let family = Family::TypeA;
    let newton = ReducedNewtonOptions::default();
    println!(
        "type A critical points of the two-layer ReLU teacher-student model (V = I_d, k = d, \
         Gaussian inputs), isotropy Delta(S_(d-1) x S_1)"
    );

    // The threshold.
    let t = Instant::now();
    let th = saddle_to_minimum(family, ThresholdOptions::default())?
        .ok_or("the type A family has no saddle-to-minimum threshold above d = 3")?;
    let d_star = th.d_star;
    println!(
        "\nsaddle-to-minimum threshold: d* = {d_star:.13} (unstable block {}, |lambda_min| at d* \
         = {:.1e}, Brent bracket {:.1e}, {} Brent steps, F(W*) = {:.10}) [{:.2} s]",
        th.component,
        th.residual,
        th.bracket_width,
        th.iterations,
        th.point.loss,
        t.elapsed().as_secs_f64()
    );
    let crossing: Branch = (th.component, 1);

    // The spectrum along d in (d*, D_MAX], continued upward from d*.
    let t = Instant::now();
    let lo = d_star * 1.002;
    let grid = log_spaced(lo, D_MAX, 160)?;
    let mut curves: Vec<(Branch, Vec<(f64, f64)>)> = Vec::new();
    let mut csv_spec = String::from("source,d,branch,component,rank,value,multiplicity\n");
    let (mut cur_d, mut cur) = (d_star, th.point.clone());
    for &d in &grid {
        cur = continue_to(family, cur_d, &cur.params, d, newton)?;
        cur_d = d;
        let spec = block_spectrum(&cur.partition, &cur.params)?;
        for (b, v, m) in branches(&spec) {
            writeln!(
                csv_spec,
                "blocks,{d},{},{},{},{v},{m}",
                branch_name(&b),
                b.0,
                b.1
            )?;
            match curves.iter_mut().find(|(c, _)| *c == b) {
                Some((_, xy)) => xy.push((d, v)),
                None => curves.push((b, vec![(d, v)])),
            }
        }
    }
    curves.sort_by(|a, b| {
        let first = |c: &[(f64, f64)]| c.first().map_or(f64::NAN, |p| p.1);
        first(&a.1).total_cmp(&first(&b.1))
    });
    println!(
        "spectrum: {} branches on {} log-spaced d in [{:.4}, {D_MAX}] [{:.2} s]",
        curves.len(),
        grid.len(),
        lo,
        t.elapsed().as_secs_f64()
    );
    for (b, xy) in &curves {
        if let (Some(a), Some(z)) = (xy.first(), xy.last()) {
            println!(
                "  {:<16} {:>12.6} at d = {:<7.4} -> {:>12.6} at d = {}",
                branch_name(b),
                a.1,
                a.0,
                z.1,
                z.0
            );
        }
    }

    // The zoom on the crossing: the unstable branch on a linear grid around d*.
    let zoom_grid: Vec<f64> = (0..=160)
        .map(|i| ZOOM.0 + (ZOOM.1 - ZOOM.0) * i as f64 / 160.0)
        .collect();
    let mut zoom: Vec<(f64, f64)> = Vec::new();
    let mut csv_zoom = String::from("source,d,smallest_eigenvalue\n");
    // Walk down from d* to the left end, then up from d* to the right end.
    let below: Vec<f64> = zoom_grid
        .iter()
        .rev()
        .copied()
        .filter(|&d| d < d_star)
        .collect();
    let above: Vec<f64> = zoom_grid.iter().copied().filter(|&d| d >= d_star).collect();
    for part in [below, above] {
        let (mut pd, mut pc) = (d_star, th.point.clone());
        for d in part {
            pc = continue_to(family, pd, &pc.params, d, newton)?;
            pd = d;
            let spec = block_spectrum(&pc.partition, &pc.params)?;
            let v = branches(&spec)
                .into_iter()
                .find(|(b, _, _)| *b == crossing)
                .map(|(_, v, _)| v)
                .ok_or("no unstable-block eigenvalue")?;
            zoom.push((d, v));
        }
    }
    zoom.sort_by(|a, b| a.0.total_cmp(&b.0));
    for &(d, v) in &zoom {
        writeln!(csv_zoom, "blocks,{d},{v}")?;
    }
    let slope = {
        let (a, b) = (
            zoom.iter()
                .rev()
                .find(|p| p.0 < d_star)
                .ok_or("empty zoom")?,
            zoom.iter().find(|p| p.0 >= d_star).ok_or("empty zoom")?,
        );
        (b.1 - a.1) / (b.0 - a.0)
    };
    println!(
        "smallest {} eigenvalue: slope d lambda / d d = {slope:.5} at d*; negative (saddle) for \
         d < d*, positive (minimum) above",
        th.component
    );

    // Dense cross-check at integer d.
    println!(
        "\ndense check: full d^2 x d^2 Hessian, faer symmetric eigenvalues, clustered at relative \
         {CLUSTER_TOL:e}"
    );
    println!(
        "{:>4} {:>7} {:>9} {:>9} {:>14} {:>10} {:>13} {:>8}",
        "d", "size", "distinct", "(blocks)", "multiplicities", "max gap", "lambda_min", "s"
    );
    let mut checks: Vec<DenseCheck> = Vec::new();
    for &d in &opts.dense {
        let cp = critical_point(family, d as f64)?;
        let c = dense_check(&cp, d)?;
        let lmin = c
            .matched
            .iter()
            .fold(f64::INFINITY, |m, (_, _, e)| m.min(*e));
        println!(
            "{:>4} {:>7} {:>9} {:>9} {:>14} {:>10.2e} {:>+13.6e} {:>8.2}",
            d,
            d * d,
            c.distinct_dense,
            c.distinct_block,
            if c.multiplicities_agree {
                "agree"
            } else {
                "DIFFER"
            },
            c.max_gap,
            lmin,
            c.seconds
        );
        for (b, _, e) in &c.matched {
            writeln!(
                csv_spec,
                "dense,{d},{},{},{},{e},{}",
                branch_name(b),
                b.0,
                b.1,
                b.0.multiplicity(cp.partition.sizes())
            )?;
            if *b == crossing {
                writeln!(csv_zoom, "dense,{d},{e}")?;
            }
        }
        checks.push(c);
    }
    let max_gap = checks.iter().fold(0.0f64, |m, c| m.max(c.max_gap));
    let all_agree = checks.iter().all(|c| c.multiplicities_agree);
    println!(
        "summary: d* = {d_star:.13}; dense vs blocks at d = {:?}: max |gap| = {max_gap:.2e}, \
         distinct values and multiplicities {}",
        opts.dense,
        if all_agree { "all agree" } else { "DIFFER" }
    );

    // Figure 1: every branch (log-log), dense values as points in the colour of their branch.
    let mut series = Vec::new();
    for (k, (b, xy)) in curves.iter().enumerate() {
        series.push(Series::line(branch_name(b), xy.clone()).with_colour(k));
        let pts: Vec<(f64, f64)> = checks
            .iter()
            .filter(|c| c.d as f64 > d_star)
            .filter_map(|c| {
                c.matched
                    .iter()
                    .find(|(cb, _, _)| cb == b)
                    .map(|(_, _, e)| (c.d as f64, *e))
            })
            .collect();
        // One legend entry stands for all dense points (each drawn in its branch's colour).
        let label = if k == 0 { "dense Hessian (faer)" } else { "" };
        series.push(Series::points(label, pts, vec![]).with_colour(k));
    }
    let chart = Chart {
        title: format!("type A Hessian spectrum, d from d* = {d_star:.6} to {D_MAX}"),
        x_label: "d = k (input dimension = number of neurons; real)".into(),
        y_label: "Hessian eigenvalue (log scale)".into(),
        x_scale: Scale::Log,
        y_scale: Scale::Log,
        series,
    };
    let spec_svg = opts.out.join("hessian_type_a_spectrum.svg");
    draw(&chart, &spec_svg.to_string_lossy())?;
    std::fs::write(opts.out.join("hessian_type_a_spectrum.csv"), csv_spec)?;

    // Figure 2: the unstable branch crossing zero at d*, in units of 1e-3 (so that the zero
    // tick is exact).
    let colour = curves.iter().position(|(b, _)| *b == crossing).unwrap_or(0);
    let milli: Vec<(f64, f64)> = zoom.iter().map(|&(d, v)| (d, 1e3 * v)).collect();
    let (y_lo, y_hi) = milli
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let dense_pts: Vec<(f64, f64)> = checks
        .iter()
        .filter(|c| (ZOOM.0..=ZOOM.1).contains(&(c.d as f64)))
        .filter_map(|c| {
            c.matched
                .iter()
                .find(|(b, _, _)| *b == crossing)
                .map(|(_, _, e)| (c.d as f64, 1e3 * e))
        })
        .collect();
    let chart = Chart {
        title: format!("type A: smallest {} eigenvalue near d*", th.component),
        x_label: "d = k (real)".into(),
        y_label: "smallest Hessian eigenvalue (x 1e-3)".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![
            Series::line(format!("{} (blocks)", branch_name(&crossing)), milli).with_colour(colour),
            Series::line("zero", vec![(ZOOM.0, 0.0), (ZOOM.1, 0.0)]).with_colour(8),
            Series::line(
                format!("d* = {d_star:.10}"),
                vec![(d_star, y_lo), (d_star, y_hi)],
            )
            .with_colour(10),
            Series::points("dense Hessian (faer)", dense_pts, vec![]).with_colour(colour),
        ],
    };
    let th_svg = opts.out.join("hessian_type_a_threshold.svg");
    draw(&chart, &th_svg.to_string_lossy())?;
    std::fs::write(opts.out.join("hessian_type_a_threshold.csv"), csv_zoom)?;
    println!(
        "\nwrote {} and {} (+ .csv)\nelapsed {:.1} s",
        spec_svg.display(),
        th_svg.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
