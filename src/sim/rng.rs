//! Reproducible random streams: one independent generator per trial.
//!
//! Trial $k$ of a run with seed $s$ draws from its own `Xoshiro256PlusPlus` stream whose 256-bit
//! state is derived from $(s, k)$ by the SplitMix64 finaliser. A trial's numbers therefore depend
//! only on $(s, k)$, never on which thread ran it or in which order: a run is bit-identical with 1
//! or 64 threads. Xoshiro256++ (Blackman & Vigna, *Scrambled linear pseudorandom number
//! generators*, ACM TOMS 47(4), 2021) is a named, portable algorithm, unlike `StdRng` whose
//! algorithm may change between `rand` releases.

use rand::SeedableRng;
use rand::distr::Distribution;
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used by every simulation.
pub type TrialRng = Xoshiro256PlusPlus;

/// SplitMix64 step: advances `state` and returns the next output (Steele, Lea & Flood 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of trial `trial` of a run seeded with `seed`.
///
/// ```
/// use overparam::sim::rng::trial_rng;
/// use rand::Rng;
/// let mut a = trial_rng(7, 3);
/// let mut b = trial_rng(7, 3);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert_ne!(trial_rng(7, 3).next_u64(), trial_rng(7, 4).next_u64());
/// ```
pub fn trial_rng(seed: u64, trial: u64) -> TrialRng {
    // Mix the seed first so that (seed, trial) and (seed + 1, trial - 1) do not collide.
    let mut state = seed;
    let base = splitmix64(&mut state);
    let mut state = base ^ trial.wrapping_mul(0xD605_BBB5_8C8A_BBCD);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

/// A standard normal draw.
pub fn normal(rng: &mut TrialRng) -> f64 {
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_reference_output() {
        // First outputs of SplitMix64 seeded with 0 (reference implementation by Vigna).
        let mut state = 0u64;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut state), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = trial_rng(1, 0);
        let m = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..m {
            let x = normal(&mut rng);
            s1 += x;
            s2 += x * x;
        }
        let mean = s1 / m as f64;
        let var = s2 / m as f64 - mean * mean;
        // Standard errors: 1/sqrt(m) = 0.0022 for the mean, sqrt(2/m) = 0.0032 for the variance.
        assert!(mean.abs() < 0.012, "mean {mean}");
        assert!((var - 1.0).abs() < 0.016, "variance {var}");
    }
}
