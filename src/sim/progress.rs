//! A progress bar for long simulations: drawn on stderr only when asked for, stderr is a terminal
//! and the `progress` feature (enabled by `cli`) is on; a no-op otherwise.

#[cfg(feature = "progress")]
use std::io::IsTerminal;

#[cfg(feature = "progress")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A thread-safe trial counter that may or may not be drawn.
pub(crate) struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<ProgressBar>,
}

#[cfg(feature = "progress")]
impl Progress {
    /// A bar over `total` trials, shown iff `enabled` and stderr is a terminal.
    pub(crate) fn new(total: usize, enabled: bool, label: &'static str) -> Self {
        if !(enabled && std::io::stderr().is_terminal()) {
            return Self { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} trials (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar.set_prefix(label);
        Self { bar: Some(bar) }
    }

    /// One trial done.
    pub(crate) fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Remove the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(not(feature = "progress"))]
impl Progress {
    /// Without the `progress` feature nothing is drawn.
    pub(crate) fn new(_total: usize, _enabled: bool, _label: &'static str) -> Self {
        Self {}
    }

    /// One trial done (no-op).
    pub(crate) fn tick(&self) {}

    /// Remove the bar (no-op).
    pub(crate) fn finish(&self) {}
}
