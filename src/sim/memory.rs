//! Memory estimates and budgets of the simulations: refuse a run that cannot fit *before*
//! allocating anything.
//!
//! Every checked simulator has `memory_estimate(&RunOptions) -> MemoryEstimate`, the peak number
//! of bytes a run holds at once, computed from the code of its trial (every matrix a trial holds
//! at the same time: inputs, features, Gram matrices, factors, copies, see each simulator's
//! documentation):
//!
//! $$\text{peak} = \underbrace{w}_{\text{per trial}} \cdot \min(T, P)
//!   + \underbrace{s + T\,r}_{\text{shared}},$$
//!
//! with $T$ the number of trials, $P$ the number of rayon threads (the trials running at once),
//! $s$ the data shared by every trial and $r$ the bytes of the result one trial keeps until the
//! run ends. `run` checks the estimate against the default budget ([`MemoryBudget::default`],
//! half of the physical memory) and returns [`Error::MemoryBudget`] naming the size that drives
//! it (`d` or `n`) when it is over; `run_with_budget(&RunOptions, &MemoryBudget)` takes an
//! explicit budget ([`MemoryBudget::bytes`], [`MemoryBudget::fraction_of_physical`],
//! [`MemoryBudget::unlimited`]).
//!
//! Whatever the budget, an estimate above `isize::MAX` bytes (the largest allocation Rust can
//! make) is refused too, so a size product that overflows (`n * N` for `n`, `N` near
//! $2^{32}$) is a typed error, never a wrapped multiplication or a capacity-overflow panic.
//!
//! **Physical memory** is read from `/proc/meminfo` (`MemTotal`), lowered to the cgroup limit
//! (`/sys/fs/cgroup/memory.max`, cgroup v2, or `memory.limit_in_bytes`, v1) when a container
//! sets one: no dependency, and the number that the kernel's out-of-memory killer enforces. Where
//! neither can be read (not Linux), [`FALLBACK_PHYSICAL_BYTES`] (8 GiB) is assumed; pass an
//! explicit [`MemoryBudget::bytes`] there. See docs/simulation.md, "Memory".
//!
//! ```
//! use overparam::experiment::RunOptions;
//! use overparam::sim::memory::MemoryBudget;
//! use overparam::sim::ridge::LinearRidgeSimulation;
//! use overparam::theory::ridge::Ridge;
//! let sim = LinearRidgeSimulation { model: Ridge::new(0.5, 0.1, 1.0), n: 20_000 }.check()?;
//! let run = RunOptions { seed: 1, trials: 8, progress: false };
//! let estimate = sim.memory_estimate(&run);
//! assert_eq!(estimate.parameter, "n");
//! // 20000 x 10000 design plus Gram matrices: more than a gigabyte per trial.
//! assert!(estimate.per_trial_bytes > 1 << 30);
//! // Refused before allocating anything under a 100 MB budget.
//! let refused = sim.run_with_budget(&run, &MemoryBudget::bytes(100_000_000));
//! assert!(matches!(refused, Err(overparam::Error::MemoryBudget { parameter: "n", .. })));
//! # Ok::<(), overparam::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::experiment::RunOptions;

/// Bytes of one `f64`.
pub(crate) const F64: u128 = 8;

/// The fraction of physical memory of the default budget.
pub const DEFAULT_FRACTION: f64 = 0.5;

/// Physical memory assumed where it cannot be read (8 GiB).
pub const FALLBACK_PHYSICAL_BYTES: u64 = 8 << 30;

/// Largest number of bytes any allocation (hence any run) can hold: `isize::MAX`.
pub const ADDRESS_LIMIT_BYTES: u64 = isize::MAX as u64;

/// The peak memory of one simulation run, estimated before allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// The size that drives the estimate, as the simulation's field (`"d"` or `"n"`), or
    /// `"trials"` when the results kept by every trial outweigh the working set; the CLI names
    /// its flag (`--d`, `--n`, `--trials`).
    pub parameter: &'static str,
    /// Bytes one trial holds at its peak (saturating at `u64::MAX`).
    pub per_trial_bytes: u64,
    /// Trials that run at once: $\min(T, P)$ with $P$ the rayon threads.
    pub concurrent_trials: usize,
    /// Bytes shared by the run: data every trial reads and the per-trial results kept until the
    /// run ends (saturating).
    pub shared_bytes: u64,
    /// The estimate: `per_trial_bytes * concurrent_trials + shared_bytes` (saturating).
    pub bytes: u64,
}

fn saturate(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

impl MemoryEstimate {
    /// An estimate from the bytes one trial holds at its peak, the bytes shared by the run and
    /// the bytes of the result each trial keeps until the run ends (exact integers, so no product
    /// of sizes can overflow: `u128` holds $(2^{64})^2$), and the run's trials. The size that
    /// drives it is `parameter`, or `"trials"` when the kept results outweigh the rest.
    pub(crate) fn new(
        parameter: &'static str,
        per_trial_bytes: u128,
        shared_bytes: u128,
        kept_per_trial_bytes: u128,
        run: &RunOptions,
    ) -> Self {
        let concurrent_trials = run.trials.min(rayon::current_num_threads().max(1));
        let working = per_trial_bytes
            .saturating_mul(concurrent_trials as u128)
            .saturating_add(shared_bytes);
        let kept = kept_per_trial_bytes.saturating_mul(run.trials as u128);
        let shared_bytes = shared_bytes.saturating_add(kept);
        let total = working.saturating_add(kept);
        Self {
            parameter: if kept > working { "trials" } else { parameter },
            per_trial_bytes: saturate(per_trial_bytes),
            concurrent_trials,
            shared_bytes: saturate(shared_bytes),
            bytes: saturate(total),
        }
    }

    /// The estimate of a simulation that does not know its memory (the default of
    /// [`crate::experiment::Experiment::memory_estimate`]): zero bytes, never refused.
    pub fn unknown(parameter: &'static str) -> Self {
        Self {
            parameter,
            per_trial_bytes: 0,
            concurrent_trials: 0,
            shared_bytes: 0,
            bytes: 0,
        }
    }

    /// Whether any allocation of this size can succeed (at most [`ADDRESS_LIMIT_BYTES`]).
    pub(crate) fn check_addressable(&self) -> Result<()> {
        if self.per_trial_bytes > ADDRESS_LIMIT_BYTES || self.bytes > ADDRESS_LIMIT_BYTES {
            return Err(Error::MemoryBudget {
                parameter: self.parameter,
                estimate_bytes: self.bytes.max(self.per_trial_bytes),
                budget_bytes: ADDRESS_LIMIT_BYTES,
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Limit {
    Bytes(u64),
    Fraction(f64),
    Unlimited,
}

/// How much memory a simulation run may use. Build with [`MemoryBudget::bytes`],
/// [`MemoryBudget::fraction_of_physical`] or [`MemoryBudget::unlimited`]; the default is
/// [`DEFAULT_FRACTION`] (one half) of the physical memory ([`physical_memory_bytes`]): room for
/// the rest of the machine, and far below the point where the allocator or the out-of-memory
/// killer would end the process instead of an error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryBudget(Limit);

impl Default for MemoryBudget {
    /// [`DEFAULT_FRACTION`] of the physical memory.
    fn default() -> Self {
        Self(Limit::Fraction(DEFAULT_FRACTION))
    }
}

impl MemoryBudget {
    /// A budget of `bytes` bytes.
    pub fn bytes(bytes: u64) -> Self {
        Self(Limit::Bytes(bytes))
    }

    /// A budget of `fraction` of the physical memory ([`physical_memory_bytes`]).
    ///
    /// Domain: $0 < \text{fraction} \le 1$. Errors: [`Error::InvalidParameter`]
    /// (`memory_budget`) outside it, non-finite values included.
    pub fn fraction_of_physical(fraction: f64) -> Result<Self> {
        if fraction.is_finite() && fraction > 0.0 && fraction <= 1.0 {
            Ok(Self(Limit::Fraction(fraction)))
        } else {
            Err(Error::InvalidParameter {
                name: "memory_budget",
                value: fraction,
                expected: "a fraction of physical memory in (0, 1]",
            })
        }
    }

    /// No budget: only runs above the address limit (`isize::MAX` bytes) are refused.
    pub fn unlimited() -> Self {
        Self(Limit::Unlimited)
    }

    /// The budget in bytes (physical memory read now for a fraction).
    pub fn limit_bytes(&self) -> u64 {
        match self.0 {
            Limit::Bytes(b) => b.min(ADDRESS_LIMIT_BYTES),
            Limit::Fraction(f) => {
                let physical = physical_memory_bytes().unwrap_or(FALLBACK_PHYSICAL_BYTES);
                ((physical as f64 * f).floor() as u64).min(ADDRESS_LIMIT_BYTES)
            }
            Limit::Unlimited => ADDRESS_LIMIT_BYTES,
        }
    }

    /// The fraction of physical memory, if the budget is one.
    pub fn fraction(&self) -> Option<f64> {
        match self.0 {
            Limit::Fraction(f) => Some(f),
            _ => None,
        }
    }

    /// The budget in words, e.g. `"11.7 GiB (50% of physical memory)"` or `"500 MB"`.
    pub fn describe(&self) -> String {
        let bytes = format_bytes(self.limit_bytes());
        match self.0 {
            Limit::Fraction(f) => {
                let source = if physical_memory_bytes().is_some() {
                    "physical memory"
                } else {
                    "an assumed 8 GiB of physical memory"
                };
                format!("{bytes} ({}% of {source})", trim_number(f * 100.0))
            }
            Limit::Bytes(_) => bytes,
            Limit::Unlimited => format!("{bytes} (the address limit)"),
        }
    }

    /// `Ok(())` if `estimate` fits the budget and the address limit.
    ///
    /// Errors: [`Error::MemoryBudget`] naming the estimate's size parameter, the estimate and
    /// the budget in bytes.
    pub fn check(&self, estimate: &MemoryEstimate) -> Result<()> {
        estimate.check_addressable()?;
        let budget_bytes = self.limit_bytes();
        if estimate.bytes > budget_bytes {
            return Err(Error::MemoryBudget {
                parameter: estimate.parameter,
                estimate_bytes: estimate.bytes,
                budget_bytes,
            });
        }
        Ok(())
    }
}

/// The physical memory of the machine in bytes: `MemTotal` of `/proc/meminfo`, lowered to the
/// cgroup memory limit if one is set (`/sys/fs/cgroup/memory.max`, or
/// `/sys/fs/cgroup/memory/memory.limit_in_bytes`); `None` where neither can be read.
pub fn physical_memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let total = meminfo.as_deref().and_then(parse_meminfo_total);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .find_map(|s| s.trim().parse::<u64>().ok());
    match (total, cgroup) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }
}

/// `MemTotal:  24522100 kB` → bytes.
fn parse_meminfo_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let value: u64 = words.next()?.parse().ok()?;
    let unit = match words.next() {
        Some("kB") | Some("KB") | Some("kiB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(unit)
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Bytes in human units with three significant digits: powers of 1024 (`KiB`, `MiB`, `GiB`,
/// `TiB`, `PiB`, `EiB`), e.g. `format_bytes(16 << 40) == "16 TiB"`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text} {unit}")
}

/// `a * b` as exact `u128` (sizes are `usize`, so this never overflows).
#[inline]
pub(crate) fn mul(a: usize, b: usize) -> u128 {
    a as u128 * b as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_is_parsed_in_kibibytes() {
        let text = "MemFree:   100 kB\nMemTotal:       24522100 kB\n";
        assert_eq!(parse_meminfo_total(text), Some(24_522_100 * 1024));
        assert_eq!(parse_meminfo_total("MemTotal: x kB"), None);
        assert_eq!(parse_meminfo_total("nothing"), None);
    }

    #[test]
    fn bytes_print_in_binary_units() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(1024), "1 KiB");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(16 << 40), "16 TiB");
        assert_eq!(format_bytes(500_000_000), "477 MiB");
        assert_eq!(format_bytes(u64::MAX), "16 EiB");
    }

    #[test]
    fn budgets_resolve_and_refuse() {
        let run = RunOptions {
            seed: 1,
            trials: 1000,
            progress: false,
        };
        let e = MemoryEstimate::new("n", 1000, 24, 0, &run);
        let p = rayon::current_num_threads();
        assert_eq!(e.concurrent_trials, p.min(1000));
        assert_eq!(e.bytes, 1000 * p.min(1000) as u64 + 24);
        assert!(MemoryBudget::bytes(e.bytes).check(&e).is_ok());
        assert_eq!(
            MemoryBudget::bytes(e.bytes - 1).check(&e),
            Err(Error::MemoryBudget {
                parameter: "n",
                estimate_bytes: e.bytes,
                budget_bytes: e.bytes - 1
            })
        );
        // Overflowing sizes saturate and are refused even without a budget.
        let huge = MemoryEstimate::new("d", mul(usize::MAX, usize::MAX) * F64, 0, 0, &run);
        assert_eq!(huge.per_trial_bytes, u64::MAX);
        assert!(matches!(
            MemoryBudget::unlimited().check(&huge),
            Err(Error::MemoryBudget {
                parameter: "d",
                budget_bytes: ADDRESS_LIMIT_BYTES,
                ..
            })
        ));
        for bad in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                MemoryBudget::fraction_of_physical(bad),
                Err(Error::InvalidParameter {
                    name: "memory_budget",
                    ..
                })
            ));
        }
        // Results kept by every trial name `trials` once they outweigh the working set.
        let many = RunOptions {
            trials: 1 << 40,
            ..run
        };
        let kept = MemoryEstimate::new("n", 1000, 24, 16, &many);
        assert_eq!(kept.parameter, "trials");
        assert_eq!(kept.shared_bytes, 24 + (16 << 40));
        assert_eq!(
            MemoryEstimate::new("n", 1_000_000, 24, 16, &run).parameter,
            "n"
        );
        let half = MemoryBudget::default();
        assert_eq!(half.fraction(), Some(0.5));
        let physical = physical_memory_bytes().unwrap_or(FALLBACK_PHYSICAL_BYTES);
        assert_eq!(half.limit_bytes(), physical / 2);
        assert!(half.describe().contains("50% of"), "{}", half.describe());
        assert_eq!(MemoryBudget::bytes(1536).describe(), "1.5 KiB");
    }

    #[test]
    fn physical_memory_is_plausible_on_linux() {
        if std::path::Path::new("/proc/meminfo").exists() {
            let b = physical_memory_bytes().expect("MemTotal is readable");
            assert!(b > 64 << 20, "{b}");
        }
    }
}
