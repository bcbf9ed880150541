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
/// # Errors
/// [`Error::InvalidParameter`] unless `start` and `stop` are finite and $> 0$ and
/// `count` $\ge 1$.
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
    spaced(start, stop, count, |t| start * (stop / start).powf(t))
}

/// `count` evenly spaced values from `start` to `stop` (both endpoints exact; a single value is
/// `start`).
///
/// # Errors
/// [`Error::InvalidParameter`] unless `start` and `stop` are finite and `count` $\ge 1$.
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
    spaced(start, stop, count, |t| start + (stop - start) * t)
}

fn spaced(start: f64, stop: f64, count: usize, at: impl Fn(f64) -> f64) -> Result<Vec<f64>> {
    match count {
        0 => Err(Error::InvalidParameter {
            name: "count",
            value: 0.0,
            expected: "at least 1 grid point",
        }),
        1 => Ok(vec![start]),
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
    }
}
