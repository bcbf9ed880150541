//! Moved: the gradient-descent census is a Monte Carlo and lives in
//! [`crate::sim::two_layer_census`] ([`GradientDescentCensus`] -> `check()` -> `run(&RunOptions)`).
//!
//! This path keeps re-exporting the census items; its positional [`census`] function is
//! deprecated. Runs are now seeded from `sim::rng::trial_rng(seed, run)` instead of
//! `seed + run` (whose streams collided between neighbouring seeds), so a given seed now finds
//! different initialisations than before.

pub use crate::sim::two_layer_census::{
    Census, CensusEntry, CensusSimulator, DescentReport, GradientDescentCensus,
    GradientDescentOptions, Isotropy, gradient_descent, identify_isotropy, xavier_init,
};

/// Run `runs` gradient-descent trials for $V=I_d$, $k=d$ from Xavier initialisations, identify
/// and polish each end point, and group them.
///
/// Deprecated: use [`GradientDescentCensus`]. Run $r$ now draws from
/// `sim::rng::trial_rng(seed, r)` (it used `seed + r`), so results differ from earlier releases.
///
/// Errors: as [`GradientDescentCensus::check`] and [`CensusSimulator::run`].
#[deprecated(
    note = "use sim::two_layer_census::GradientDescentCensus { d, options }.check()?.run(&RunOptions)"
)]
pub fn census(
    d: usize,
    runs: usize,
    seed: u64,
    opts: GradientDescentOptions,
) -> crate::Result<Census> {
    GradientDescentCensus { d, options: opts }
        .check()?
        .run(&crate::experiment::RunOptions {
            seed,
            trials: runs,
            progress: false,
        })
}
