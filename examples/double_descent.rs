//! The random-features double-descent curve (Mei & Montanari, Figure 1 setting): test error
//! versus psi1 / psi2 at psi2 = 3, ReLU, linear target F1 = 1, for several ridge penalties,
//! plus the ridgeless curve and the optimally tuned curve.
//!
//! Run: `cargo run --release --example double_descent`

use overparam::theory::random_features::RandomFeatures;

fn main() -> Result<(), overparam::Error> {
    let psi2 = 3.0;
    let ratios: Vec<f64> = (0..41)
        .map(|i| 0.1 * 100f64.powf(i as f64 / 40.0))
        .collect();
    let lambdas = [1e-8, 1e-3, 1e-1];
    let base = RandomFeatures {
        psi2,
        tau: 0.5,
        ..Default::default()
    }
    .check()?;
    print!("{:>10}", "psi1/psi2");
    for l in lambdas {
        print!(" {:>14}", format!("lambda={l:e}"));
    }
    println!();
    let curves: Vec<Vec<f64>> = lambdas
        .iter()
        .map(|&l| {
            let m = base.with_lambda(l)?;
            let psi1: Vec<f64> = ratios.iter().map(|r| r * psi2).collect();
            Ok(m.curve_psi1(&psi1)?.iter().map(|r| r.test_error).collect())
        })
        .collect::<Result<_, overparam::Error>>()?;
    for (i, r) in ratios.iter().enumerate() {
        print!("{r:>10.4}");
        for c in &curves {
            print!(" {:>14.6}", c[i]);
        }
        println!();
    }
    Ok(())
}
