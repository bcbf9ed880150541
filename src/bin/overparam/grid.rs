//! Parameter values and ranges given on the command line, kept lazy: a range is its two ends and
//! a count, and the `i`-th value is computed when needed (so a sweep never holds its points).

/// A parameter given as one value `X`, a log-spaced range `START:STOP:COUNT` or a linear range
/// `lin:START:STOP:COUNT`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueOrRange {
    start: f64,
    stop: f64,
    count: usize,
    linear: bool,
}

impl ValueOrRange {
    /// One value.
    pub fn single(x: f64) -> Self {
        Self {
            start: x,
            stop: x,
            count: 1,
            linear: false,
        }
    }

    /// Is this a range of more than one point?
    pub fn is_range(&self) -> bool {
        self.count > 1
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Is the range linearly spaced (`lin:`)?
    pub fn is_linear(&self) -> bool {
        self.linear
    }

    /// The `i`-th value: $a\,(b/a)^{i/(\text{count}-1)}$ (log) or $a + (b - a)\,i/(\text{count}-1)$
    /// (linear), both ends exact — the same values as `overparam::grid::{log_spaced,
    /// lin_spaced}`.
    pub fn get(&self, i: usize) -> f64 {
        let (a, b, n) = (self.start, self.stop, self.count);
        if n == 1 || i == 0 {
            a
        } else if i + 1 >= n {
            b
        } else {
            let t = i as f64 / (n - 1) as f64;
            if self.linear {
                a + (b - a) * t
            } else {
                a * (b / a).powf(t)
            }
        }
    }

    /// The first value.
    pub fn first(&self) -> f64 {
        self.start
    }

    /// The two ends (equal for a single value).
    pub fn ends(&self) -> [f64; 2] {
        [self.start, self.stop]
    }

    /// All values (for the few places that need them, e.g. a plot's fine grid).
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.count).map(|i| self.get(i))
    }
}

/// Parse `X` or `START:STOP:COUNT` (log-spaced, both ends included; START, STOP > 0, COUNT >= 1).
/// A `lin:` prefix (`lin:START:STOP:COUNT`) gives a linearly spaced range instead.
pub fn parse_value_or_range(s: &str) -> Result<ValueOrRange, String> {
    let (linear, body) = match s.strip_prefix("lin:") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let num = |p: &str| -> Result<f64, String> {
        let x: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("`{p}` is not a number"))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("`{p}` is not finite"))
        }
    };
    match parts.as_slice() {
        [x] if !linear => Ok(ValueOrRange::single(num(x)?)),
        [a, b, n] => {
            let (a, b) = (num(a)?, num(b)?);
            let n: usize = n
                .trim()
                .parse()
                .map_err(|_| format!("count `{n}` is not a positive integer"))?;
            if n == 0 || n > 10_000_000 {
                return Err(format!("count {n} must be between 1 and 10000000"));
            }
            if !linear && (a <= 0.0 || b <= 0.0) {
                return Err(
                    "a log-spaced range needs START > 0 and STOP > 0 (use lin:START:STOP:COUNT)"
                        .into(),
                );
            }
            Ok(ValueOrRange {
                start: a,
                stop: if n == 1 { a } else { b },
                count: n,
                linear,
            })
        }
        _ => Err("expected a number X or a range START:STOP:COUNT".into()),
    }
}

/// A finite number (a flag whose value must be finite: NaN and infinities are refused when the
/// command line is parsed, naming the flag).
pub fn parse_finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => Err(format!("{x}: expected a finite number")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// A non-negative finite number (a standard deviation given on the command line).
pub fn parse_non_negative(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Ok(x) => Err(format!("{x}: expected a finite number >= 0")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(v: &ValueOrRange) -> Vec<f64> {
        v.values().collect()
    }

    #[test]
    fn parses_values_and_ranges() {
        assert_eq!(all(&parse_value_or_range("2.5").unwrap()), vec![2.5]);
        let r = all(&parse_value_or_range("0.1:10:3").unwrap());
        assert_eq!(r.len(), 3);
        assert!((r[1] - 1.0).abs() < 1e-15 && r[2] == 10.0 && r[0] == 0.1);
        let l = all(&parse_value_or_range("lin:0:1:5").unwrap());
        assert_eq!(l, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(parse_value_or_range("0:1:5").is_err());
        assert!(parse_value_or_range("abc").is_err());
        assert!(parse_value_or_range("1:2:0").is_err());
        assert!(parse_value_or_range("nan").is_err());
    }

    #[test]
    fn finite_flags_refuse_nan_and_infinities() {
        assert_eq!(parse_finite("-2.5"), Ok(-2.5));
        assert_eq!(parse_finite("1e-320"), Ok(1e-320));
        for bad in ["nan", "NaN", "inf", "-inf", "1e309", "abc", ""] {
            assert!(parse_finite(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lazy_values_equal_the_library_grids_bit_for_bit() {
        for (a, b, n) in [
            (0.1, 10.0, 200),
            (3.0, 0.01, 17),
            (1e-3, 1e3, 61),
            (2.0, 2.0, 1),
        ] {
            let lazy = all(&parse_value_or_range(&format!("{a}:{b}:{n}")).unwrap());
            assert_eq!(lazy, overparam::grid::log_spaced(a, b, n).unwrap());
            let lazy = all(&parse_value_or_range(&format!("lin:{a}:{b}:{n}")).unwrap());
            assert_eq!(lazy, overparam::grid::lin_spaced(a, b, n).unwrap());
        }
    }
}
