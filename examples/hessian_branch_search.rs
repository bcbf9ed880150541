//! Time and summarise the branch search of one partition (per seed source: how many distinct
//! branches each source class finds).
//!
//! `cargo run --release --example hessian_branch_search -- 13,6,1 [seed] [reps] [continuation span or -] [d_small]`
use overparam::theory::two_layer::branches::{BranchSearchOptions, PartitionFamily, find_branches};
use std::time::Instant;

fn main() -> Result<(), overparam::Error> {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<f64> = args
        .get(1)
        .map_or("13,6,1", |s| s.as_str())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    // Optional continuation span (issue 14: continuation seeds).
    let span: Option<f64> = args.get(4).and_then(|s| s.parse().ok());
    // Optional smaller dimension to continue the scaled-down partition's branches from.
    let d_small: Option<f64> = args.get(5).and_then(|s| s.parse().ok());
    let p = PartitionFamily { sizes }.partition()?;
    let mut opts = BranchSearchOptions::default().with_seed(seed);
    if let Some(span) = span {
        opts = opts.with_continuation(span);
    }
    if let Some(d0) = d_small {
        opts = opts.with_continuation_from(d0);
    }
    let t0 = Instant::now();
    let mut s = find_branches(&p, &opts)?;
    for _ in 1..reps {
        s = find_branches(&p, &opts)?;
    }
    let dt = t0.elapsed().as_secs_f64() / reps as f64;
    println!(
        "{:?}: {} branches, {} seeds, {} converged, {:.1} ms",
        p.sizes(),
        s.branches.len(),
        s.seeds_tried,
        s.converged,
        dt * 1e3
    );
    for (i, b) in s.branches.iter().enumerate() {
        let src: Vec<String> = b.sources.iter().map(|x| x.to_string()).collect();
        println!(
            "{i:3} loss {:.10} morse {:>6} hits {:>3} [{}]",
            b.loss,
            b.morse_index,
            b.hits,
            src.join(" ")
        );
    }
    Ok(())
}
