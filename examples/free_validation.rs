//! Validation figure for free convolutions: theory densities by subordination against Haar
//! Monte Carlo eigenvalue histograms.
//!
//! Left: $\mathrm{Bernoulli}(\pm1) \boxplus \mathrm{Bernoulli}(\pm1)$ (the arcsine law on
//! $[-2, 2]$), eigenvalues of $A + UAU^\top$. Right: $H \boxtimes MP(\gamma)$ with
//! $H = 0.7\,\delta_1 + 0.3\,\delta_{10}$, $\gamma = 0.5$ (the sample covariance law of a two-atom
//! population), eigenvalues of $A^{1/2}UBU^\top A^{1/2}$ with $A = \operatorname{diag}(H)$ and
//! $B$ the eigenvalues of a Wishart matrix $Z^\top Z/n$ ($p \times p$, $n = p/\gamma$): since
//! $Z^\top Z/n = V\Lambda V^\top$ with $V$ Haar independent of $\Lambda$, this is exactly the
//! sample covariance $\Sigma^{1/2}(Z^\top Z/n)\Sigma^{1/2}$.
//!
//! Run: `cargo run --release --example free_validation [-- --n 1000 --draws 3 --out DIR]`
//! (default output `target/figures`; a few seconds). Prints the KS distance of each Monte Carlo
//! sample to the theory CDF and the threshold of `sim::spectral_distance`.

use std::error::Error;
use std::path::PathBuf;

use overparam::linalg::{Matrix, symmetric_eigenvalues};
use overparam::plot::{Chart, Scale, Series, draw_panels};
use overparam::sim::free_convolution::{
    diagonal_from_atoms, free_product_eigenvalues, free_sum_eigenvalues,
};
use overparam::sim::rng::{normal, trial_rng};
use overparam::sim::spectral_distance::{TabulatedCdf, ks_distance, ks_threshold};
use overparam::spectral::{Atoms, FreeProduct, FreeSum, MarchenkoPastur};

fn histogram(samples: &[f64], lo: f64, hi: f64, bins: usize) -> (Vec<(f64, f64)>, Vec<f64>) {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &x in samples {
        if x >= lo && x < hi {
            counts[((x - lo) / width) as usize] += 1;
        }
    }
    let n = samples.len() as f64;
    let xy = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| (lo + (k as f64 + 0.5) * width, c as f64 / (n * width)))
        .collect();
    // Two binomial standard errors (conservative: eigenvalues are more rigid than iid draws).
    let bars = counts
        .iter()
        .map(|&c| {
            let p = c as f64 / n;
            2.0 * (p * (1.0 - p) / n).sqrt() / width
        })
        .collect();
    (xy, bars)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut n = 1000usize;
    let mut draws = 3u64;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--n", Some(v)) => n = v.parse()?,
            ("--draws", Some(v)) => draws = v.parse()?,
            ("--out", Some(v)) => out = PathBuf::from(v),
            _ => return Err("usage: free_validation [--n N] [--draws D] [--out DIR]".into()),
        }
    }
    std::fs::create_dir_all(&out)?;

    // Free sum of two Bernoullis.
    let bernoulli = Atoms::new(vec![-1.0, 1.0], vec![1.0, 1.0])?;
    let sum = FreeSum::new(bernoulli.clone(), bernoulli.clone())?;
    let xs: Vec<f64> = (0..=600).map(|k| -2.2 + 4.4 * k as f64 / 600.0).collect();
    let theory: Vec<(f64, f64)> = sum
        .density_curve(&xs)?
        .iter()
        .map(|p| (p.x, p.density.min(3.0)))
        .collect();
    let a = diagonal_from_atoms(&bernoulli, n)?;
    let mut sum_eigs = Vec::new();
    let threshold = ks_threshold(n, 1e-3, 4.0)?;
    let arcsine = |x: f64| 0.5 + (x.clamp(-2.0, 2.0) / 2.0).asin() / std::f64::consts::PI;
    for t in 0..draws {
        let e = free_sum_eigenvalues(&a, &a, 2026, t)?;
        println!(
            "sum draw {t}: KS distance {:.5} (threshold {threshold:.5})",
            ks_distance(&e, arcsine)?
        );
        sum_eigs.extend(e);
    }
    let (hist, bars) = histogram(&sum_eigs, -2.2, 2.2, 44);
    let left = Chart {
        title: format!("Bernoulli ⊞ Bernoulli (arcsine), N = {n}, {draws} draws"),
        x_label: "eigenvalue".into(),
        y_label: "density".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![
            Series::line("subordination", theory),
            Series::points("A + U A U^T (Haar)", hist, bars),
        ],
    };

    // H ⊠ MP(1/2) against Wishart-rotated sample covariances.
    let gamma = 0.5;
    let h = Atoms::new(vec![1.0, 10.0], vec![0.7, 0.3])?;
    let product = FreeProduct::new(h.clone(), MarchenkoPastur::new(gamma)?)?;
    let xs: Vec<f64> = (0..=1500).map(|k| 30.0 * k as f64 / 1500.0).collect();
    let curve = product.density_curve(&xs)?;
    let theory: Vec<(f64, f64)> = curve.iter().map(|p| (p.x, p.density)).collect();
    let table =
        TabulatedCdf::from_density(&xs, &curve.iter().map(|p| p.density).collect::<Vec<_>>())?;
    println!("product: theory mass on [0, 30] {:.5}", table.mass());
    println!(
        "product: density at x = 0.5: {:.4}",
        product.density(0.5)?.density
    );
    let a = diagonal_from_atoms(&h, n)?;
    let rows = (n as f64 / gamma).round() as usize;
    let mut product_eigs = Vec::new();
    for t in 0..draws {
        let mut rng = trial_rng(7, t);
        let z = Matrix::from_fn(rows, n, |_, _| normal(&mut rng));
        let wishart = symmetric_eigenvalues(&z.gram(1.0 / rows as f64))?;
        let e = free_product_eigenvalues(&a, &wishart, 2027, t)?;
        println!(
            "product draw {t}: KS distance {:.5} (threshold {threshold:.5})",
            ks_distance(&e, |x| table.eval(x))?
        );
        product_eigs.extend(e);
    }
    let (hist, bars) = histogram(&product_eigs, 0.0, 30.0, 60);
    let right = Chart {
        title: format!("H ⊠ MP(0.5), H = 0.7 δ1 + 0.3 δ10, p = {n}, {draws} draws"),
        x_label: "eigenvalue".into(),
        y_label: "density".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![
            Series::line("subordination", theory),
            Series::points("Σ^1/2 W Σ^1/2 (Wishart)", hist, bars),
        ],
    };
    let path = out.join("free_validation.svg");
    draw_panels(&[left, right], &path.to_string_lossy())?;
    println!("wrote {}", path.display());
    Ok(())
}
