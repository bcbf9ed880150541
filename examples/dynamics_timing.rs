//! Timing harness for the training-dynamics theory (for `valgrind --tool=callgrind` instruction
//! counts and a wall-clock check next to the criterion bench `benches/dynamics.rs`).
//!
//! Run: `cargo run --release --example dynamics_timing -- [gf|hb|point] [REPS]`.

use std::time::Instant;

use overparam::grid::log_spaced;
use overparam::theory::dynamics::{Algorithm, Dynamics};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map_or("gf", String::as_str);
    let reps: usize = args.get(1).map_or(Ok(10), |r| r.parse())?;
    let params = Dynamics {
        gamma: 0.5,
        snr: 4.0,
        ..Default::default()
    };
    let times = log_spaced(1e-2, 1e3, 1000)?;
    let start = Instant::now();
    let mut check = 0.0;
    for _ in 0..reps {
        check += match what {
            "hb" => {
                Dynamics {
                    algorithm: Algorithm::HeavyBall,
                    lr: 0.2,
                    momentum: 0.5,
                    ..params
                }
                .check()?
                .at_steps(10_000)?
                .test_error
            }
            "point" => params.check()?.at_time(2.0)?.test_error,
            _ => params
                .check()?
                .curve_time(&times)?
                .iter()
                .map(|r| r.test_error)
                .sum(),
        };
    }
    let per = start.elapsed().as_secs_f64() / reps as f64;
    println!(
        "{what}: {:.3} ms per call ({reps} calls; checksum {check:.6})",
        per * 1e3
    );
    Ok(())
}
