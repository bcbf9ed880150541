//! The generalised Marchenko–Pastur density against Monte Carlo eigenvalue histograms
//! (docs/spectra.md's validation figure).
//!
//! Population s = (1, 10) with weights (0.7, 0.3) (general_spectra.md §2), gamma = 0.5 (one
//! support interval) and gamma = 0.05 (two): the density of `SampleCovariance` against the
//! histogram of the eigenvalues of X^T X / n (p = 1000, 3 draws, diagonal Sigma) with 2-SE
//! multinomial bars. Also prints the maximal |O - E| / SE per bin.
//!
//! Run: `cargo run --release --example spectra_validation [-- OUT.svg]`
//! (default docs/figures/spectra_validation.svg).

use overparam::plot::{Chart, Scale, Series, draw_panels};
use overparam::sim::sample_covariance::sample_covariance_eigenvalues;
use overparam::spectral::{Atoms, SampleCovariance};

fn panel(gamma: f64, p: usize, draws: u64) -> Result<Chart, Box<dyn std::error::Error>> {
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3])?;
    let law = SampleCovariance::new(&h, gamma)?;
    let support = law.support()?;
    let (lo, hi) = (support[0].0, support.last().map_or(1.0, |s| s.1));
    let xs: Vec<f64> = (0..=600)
        .map(|k| lo * 0.9 + (hi * 1.05 - lo * 0.9) * k as f64 / 600.0)
        .collect();
    let curve: Vec<(f64, f64)> = xs
        .iter()
        .zip(law.density_curve(&xs))
        .map(|(x, d)| (*x, d.map_or(f64::NAN, |d| d.density())))
        .collect();
    let bins = 60;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    let n = (p as f64 / gamma).round() as usize;
    for trial in 0..draws {
        for v in sample_covariance_eigenvalues(&h, p, n, 2026, trial)? {
            let k = ((v - lo) / width).floor();
            if k >= 0.0 && (k as usize) < bins {
                counts[k as usize] += 1.0;
            }
        }
    }
    let total = (p as u64 * draws) as f64;
    let mut xy = Vec::new();
    let mut bars = Vec::new();
    let mut worst: f64 = 0.0;
    for (k, c) in counts.iter().enumerate() {
        let (a, b) = (lo + width * k as f64, lo + width * (k + 1) as f64);
        // expected mass of the bin: midpoint rule on a fine grid of the density
        let fine = 200;
        let ys: Vec<f64> = (0..fine)
            .map(|i| a + (b - a) * (i as f64 + 0.5) / fine as f64)
            .collect();
        let prob: f64 = law
            .density_curve(&ys)
            .iter()
            .map(|d| d.as_ref().map_or(0.0, |d| d.density()))
            .sum::<f64>()
            * (b - a)
            / fine as f64;
        let se = (total * prob * (1.0 - prob)).sqrt().max(1.0);
        worst = worst.max((c - total * prob).abs() / se);
        xy.push((0.5 * (a + b), c / (total * width)));
        bars.push(
            2.0 * (total * (c / total) * (1.0 - c / total)).sqrt().max(1.0) / (total * width),
        );
    }
    println!("gamma = {gamma}: max |O - E| / SE_multinomial over {bins} bins = {worst:.2}");
    Ok(Chart {
        title: format!(
            "s = (1, 10), w = (0.7, 0.3), gamma = {gamma}: {} support interval(s)",
            support.len()
        ),
        x_label: "eigenvalue x of X^T X / n".into(),
        y_label: "density".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![
            Series::line("Silverstein's equation (theory)", curve),
            Series::points(
                format!("Monte Carlo, p = {p}, {draws} draws (2 SE)"),
                xy,
                bars,
            ),
        ],
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/figures/spectra_validation.svg".into());
    let charts = vec![panel(0.5, 1000, 3)?, panel(0.05, 1000, 3)?];
    draw_panels(&charts, &out)?;
    println!("wrote {out}");
    Ok(())
}
