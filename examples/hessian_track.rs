//! Track branches of a partition in d: folds and symmetry-breaking crossings.
//!
//! `cargo run --release --example hessian_track -- 6,6 [branch] [class] [d_lo]`
use overparam::theory::two_layer::branches::{BranchSearchOptions, PartitionFamily, find_branches};
use overparam::theory::two_layer::track::{TrackDirection, TrackOptions, track_branch};

fn main() -> Result<(), overparam::Error> {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<f64> = args
        .get(1)
        .map_or("6,6", |s| s.as_str())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let branch: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let class: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let d_lo: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let p = PartitionFamily { sizes }.partition()?;
    let search = find_branches(&p, &BranchSearchOptions::default())?;
    for (i, b) in search.branches.iter().enumerate() {
        println!(
            "branch {i}: loss {:.10} morse {} min {:.3e}",
            b.loss, b.morse_index, b.min_eigenvalue
        );
    }
    let b = &search.branches[branch];
    let d = p.dimension();
    let tr = track_branch(
        &p,
        &b.params,
        TrackDirection::Class(class),
        true,
        d_lo,
        d,
        &TrackOptions::default(),
    )?;
    println!("end {:?} after {} points", tr.end, tr.path.len());
    for e in &tr.events {
        println!("{e:?}");
    }
    if let Some((d_end, x)) = tr.last() {
        println!("last d {d_end}: {x:?}");
        if *d_end == d {
            println!("matches listed branch {:?}", search.matching(x, 1e-7));
        }
    }
    for s in &tr.switched {
        println!(
            "switched: end {:?} last {:?} events {}",
            s.end,
            s.last().map(|l| l.0),
            s.events.len()
        );
    }
    Ok(())
}
