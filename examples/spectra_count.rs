use overparam::spectral::*;
fn main() {
    let h = Atoms::power_law(1.0, 1000).unwrap();
    let law = SampleCovariance::new(&h, 0.5).unwrap();
    let xs: Vec<f64> = (0..1000)
        .map(|k| 1e-3 + (1.5 - 1e-3) * k as f64 / 999.0)
        .collect();
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let t = std::time::Instant::now();
    let mut total = 0.0;
    for _ in 0..reps {
        total += law
            .density_curve(&xs)
            .iter()
            .map(|r| r.as_ref().unwrap().density())
            .sum::<f64>();
    }
    println!(
        "curve wall {:?} per curve, checksum {}",
        t.elapsed() / reps as u32,
        total / reps as f64
    );
}
