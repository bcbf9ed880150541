//! Parameter grids for sweeps and curves: log-spaced and evenly spaced values with exact
//! endpoints.
//!
//! ```
//! use overparam::grid::{lin_spaced, log_spaced};
//! assert_eq!(log_spaced(0.1, 10.0, 3)?, vec![0.1, 1.0, 10.0]);
//! assert_eq!(lin_spaced(0.0, 1.0, 5)?, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
//! # Ok::<(), overparam::Error>(())
//! ```

use crate::error::{Error, Result};

/// `count` values $x_i = a\,(b/a)^{i/(\text{count}-1)}$, $i = 0, \dots, \text{count} - 1$, from
/// `start` $= a$ to `stop` $= b$ (both endpoints exact; a single value is `start`). Decreasing
/// grids ($b < a$) are allowed.
///
/// Domain: every finite $a, b > 0$ (subnormals included) and $1 \le$ `count` $\le$
/// [`MAX_POINTS`]; every value is finite and lies between $a$ and $b$. When the ratio $b/a$
/// overflows or underflows (e.g. $a = 10^{-200}$, $b = 10^{200}$) the points are interpolated in
/// the log domain, $x_i = \exp\big((1 - t_i)\ln a + t_i \ln b\big)$, $t_i = i/(\text{count} - 1)$.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `start` or `stop` unless it is finite and $> 0$, naming
/// `count` unless $1 \le$ `count` $\le$ [`MAX_POINTS`].
pub fn log_spaced(start: f64, stop: f64, count: usize) -> Result<Vec<f64>> {
    for (name, v) in [("start", start), ("stop", stop)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidParameter {
                name,
                value: v,
                expected: "a finite number > 0 (log-spaced grid)",
            });
        }
    }
    let ratio = stop / start;
    let (ln_a, ln_b) = (start.ln(), stop.ln());
    let (lo, hi) = (start.min(stop), start.max(stop));
    spaced(start, stop, count, |t| {
        let x = start * ratio.powf(t);
        if x.is_finite() && x > 0.0 && ratio.is_finite() && ratio > 0.0 {
            x
        } else {
            ((1.0 - t) * ln_a + t * ln_b).exp().clamp(lo, hi)
        }
    })
}

/// The largest `count` of [`log_spaced`] and [`lin_spaced`] ($10^8$ points, 800 MB): a larger
/// grid is refused rather than allocated.
pub const MAX_POINTS: usize = 100_000_000;

/// `count` evenly spaced values from `start` to `stop` (both endpoints exact; a single value is
/// `start`): $x_i = a + (b - a)\,t_i$, $t_i = i/(\text{count} - 1)$.
///
/// Domain: every finite $a, b$ and $1 \le$ `count` $\le$ [`MAX_POINTS`]; every value is finite
/// and lies between $a$ and $b$. When $b - a$ overflows (e.g. $a = -10^{308}$, $b = 10^{308}$)
/// the points are computed as $a\,(1 - t_i) + b\,t_i$.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `start` or `stop` unless it is finite, naming `count`
/// unless $1 \le$ `count` $\le$ [`MAX_POINTS`].
pub fn lin_spaced(start: f64, stop: f64, count: usize) -> Result<Vec<f64>> {
    for (name, v) in [("start", start), ("stop", stop)] {
        if !v.is_finite() {
            return Err(Error::InvalidParameter {
                name,
                value: v,
                expected: "a finite number",
            });
        }
    }
    let width = stop - start;
    let (lo, hi) = (start.min(stop), start.max(stop));
    spaced(start, stop, count, |t| {
        if width.is_finite() {
            start + width * t
        } else {
            (start * (1.0 - t) + stop * t).clamp(lo, hi)
        }
    })
}

fn spaced(start: f64, stop: f64, count: usize, at: impl Fn(f64) -> f64) -> Result<Vec<f64>> {
    match count {
        0 => Err(Error::InvalidParameter {
            name: "count",
            value: 0.0,
            expected: "at least 1 grid point",
        }),
        1 => Ok(vec![start]),
        n if n > MAX_POINTS => Err(Error::InvalidParameter {
            name: "count",
            value: n as f64,
            expected: "at most 1e8 grid points",
        }),
        _ => Ok((0..count)
            .map(|i| {
                if i == count - 1 {
                    stop
                } else {
                    at(i as f64 / (count - 1) as f64)
                }
            })
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_grid_has_constant_ratio_and_exact_ends() {
        let g = log_spaced(1e-3, 1e3, 61).unwrap();
        assert_eq!((g[0], g[60]), (1e-3, 1e3));
        for w in g.windows(2) {
            assert!((w[1] / w[0] - 10f64.powf(0.1)).abs() < 1e-12);
        }
        let down = log_spaced(10.0, 0.1, 3).unwrap();
        assert!((down[1] - 1.0).abs() < 1e-15 && down[2] == 0.1);
    }

    #[test]
    fn lin_grid_has_constant_step() {
        let g = lin_spaced(-1.0, 2.0, 31).unwrap();
        assert_eq!((g[0], g[30]), (-1.0, 2.0));
        assert!(g.windows(2).all(|w| (w[1] - w[0] - 0.1).abs() < 1e-14));
    }

    #[test]
    fn bad_grids_are_typed_errors() {
        assert!(matches!(
            log_spaced(0.0, 1.0, 5),
            Err(Error::InvalidParameter { name: "start", .. })
        ));
        assert!(matches!(
            log_spaced(1.0, f64::INFINITY, 5),
            Err(Error::InvalidParameter { name: "stop", .. })
        ));
        assert!(matches!(
            lin_spaced(0.0, 1.0, 0),
            Err(Error::InvalidParameter { name: "count", .. })
        ));
        assert_eq!(lin_spaced(3.0, 4.0, 1).unwrap(), vec![3.0]);
        assert!(matches!(
            lin_spaced(0.0, 1.0, usize::MAX),
            Err(Error::InvalidParameter { name: "count", .. })
        ));
        assert!(matches!(
            log_spaced(1.0, 2.0, MAX_POINTS + 1),
            Err(Error::InvalidParameter { name: "count", .. })
        ));
    }

    /// Issue 13: `log_spaced(1e-200, 1e200, 3)` was `[1e-200, inf, 1e200]` (the ratio overflows).
    #[test]
    fn log_grid_over_the_whole_range_is_finite() {
        let g = log_spaced(1e-200, 1e200, 3).unwrap();
        assert_eq!(g[0], 1e-200);
        assert_eq!(g[2], 1e200);
        assert!((g[1] - 1.0).abs() < 1e-12, "{g:?}");
        let g = log_spaced(f64::MAX, 5e-324, 5).unwrap();
        assert!(g.iter().all(|x| x.is_finite() && *x > 0.0), "{g:?}");
        assert!(g.windows(2).all(|w| w[1] < w[0]), "{g:?}");
        // Middle point of [1e-300, 1e300] on 101 points: 10^(-300 + 6 * 50) = 1.
        let g = log_spaced(1e-300, 1e300, 101).unwrap();
        assert!(
            (g[50] - 1.0).abs() < 1e-12 && (g[75] / 1e150 - 1.0).abs() < 1e-11,
            "{:?}",
            g[75]
        );
    }

    /// Issue 13: `lin_spaced(-1e308, 1e308, 3)` was `[-1e308, NaN, 1e308]` (the width overflows).
    #[test]
    fn lin_grid_over_the_whole_range_is_finite() {
        assert_eq!(
            lin_spaced(-1e308, 1e308, 3).unwrap(),
            vec![-1e308, 0.0, 1e308]
        );
        let g = lin_spaced(f64::MAX, -f64::MAX, 5).unwrap();
        assert_eq!((g[0], g[2], g[4]), (f64::MAX, 0.0, -f64::MAX));
        assert!(
            (g[1] / (f64::MAX / 2.0) - 1.0).abs() < 1e-15 && g[3] == -g[1],
            "{g:?}"
        );
    }
}
