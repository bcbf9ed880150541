//! Parsing of parameter values and ranges given on the command line.

/// A parameter given as one value `X` or a log-spaced range `START:STOP:COUNT`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueOrRange(pub Vec<f64>);

impl ValueOrRange {
    /// Is this a range of more than one point?
    pub fn is_range(&self) -> bool {
        self.0.len() > 1
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
        [x] if !linear => Ok(ValueOrRange(vec![num(x)?])),
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
            let v = if linear {
                overparam::grid::lin_spaced(a, b, n)
            } else {
                overparam::grid::log_spaced(a, b, n)
            }
            .map_err(|e| e.to_string())?;
            Ok(ValueOrRange(v))
        }
        _ => Err("expected a number X or a range START:STOP:COUNT".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_and_ranges() {
        assert_eq!(parse_value_or_range("2.5").unwrap().0, vec![2.5]);
        let r = parse_value_or_range("0.1:10:3").unwrap().0;
        assert_eq!(r.len(), 3);
        assert!((r[1] - 1.0).abs() < 1e-15 && r[2] == 10.0 && r[0] == 0.1);
        let l = parse_value_or_range("lin:0:1:5").unwrap().0;
        assert_eq!(l, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(parse_value_or_range("0:1:5").is_err());
        assert!(parse_value_or_range("abc").is_err());
        assert!(parse_value_or_range("1:2:0").is_err());
        assert!(parse_value_or_range("nan").is_err());
    }
}
