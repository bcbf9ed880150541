//! Issue 13 for the two-layer theory: bounded loops, validated options and domain checks.
//!
//! Each reproducer of the issue (a call that hung, ran for minutes or returned a wrong
//! `Ok(None)` / a non-finite value) is a test here that must fail on the old code and finish in
//! well under a second on the new one.

use std::time::{Duration, Instant};

use overparam::Error;
use overparam::theory::two_layer::critical::{Family, critical_point};
use overparam::theory::two_layer::threshold::{ThresholdOptions, lower_limit, saddle_to_minimum};

/// Run `f`, assert it returned within `limit` (the reproducers used to hang or run for minutes).
fn timed<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let out = f();
    let elapsed = t0.elapsed();
    assert!(elapsed < limit, "took {elapsed:?} (limit {limit:?})");
    out
}

fn invalid_name<T: std::fmt::Debug>(r: overparam::Result<T>) -> &'static str {
    match r {
        Err(Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn lower_limit_rejects_steps_below_the_relative_floor() {
    // Old code: `lower_limit(TypeA, 10, 1e-16)` never returned (near d = 2, d - 1e-16 == d and
    // the walk stood still); min_step <= 0 looped forever; NaN returned the start point as "the
    // lowest dimension reached".
    for min_step in [1e-16, 1e-13, 0.0, -1.0, f64::NAN, f64::INFINITY, 0.75] {
        let r = timed(Duration::from_millis(500), || {
            lower_limit(Family::TypeA, 10.0, min_step)
        });
        assert_eq!(invalid_name(r), "min_step", "min_step = {min_step}");
    }
    for d_start in [f64::NAN, f64::INFINITY, 1.5, 2.0, 2e4, 1e308] {
        let r = timed(Duration::from_millis(500), || {
            lower_limit(Family::TypeA, d_start, 1e-3)
        });
        assert_eq!(invalid_name(r), "d_start", "d_start = {d_start}");
    }
    // The floor is relative: 1e-11 is fine at d_start = 10.
    let p = lower_limit(Family::TypeA, 10.0, 1e-11).unwrap();
    assert!(
        p.partition.dimension() < 2.0 + 1e-9,
        "{}",
        p.partition.dimension()
    );
}

#[test]
fn threshold_scan_options_are_bounded() {
    let base = ThresholdOptions::default();
    // Old code: scan_step 1e-9 and d_start 1e6 ran for minutes; scan_step 1e-16 returned a wrong
    // Ok(None) (the step vanished in rounding: d - 1e-16 == d).
    let cases: [(ThresholdOptions, &str); 11] = [
        (
            ThresholdOptions {
                scan_step: 1e-9,
                ..base
            },
            "scan_step",
        ),
        (
            ThresholdOptions {
                scan_step: 1e-16,
                ..base
            },
            "scan_step",
        ),
        (
            ThresholdOptions {
                scan_step: 0.0,
                ..base
            },
            "scan_step",
        ),
        (
            ThresholdOptions {
                scan_step: -0.25,
                ..base
            },
            "scan_step",
        ),
        (
            ThresholdOptions {
                scan_step: f64::NAN,
                ..base
            },
            "scan_step",
        ),
        (
            ThresholdOptions {
                d_start: 1e6,
                ..base
            },
            "d_start",
        ),
        (
            ThresholdOptions {
                d_start: f64::NAN,
                ..base
            },
            "d_start",
        ),
        (
            ThresholdOptions {
                d_start: 2.5,
                ..base
            },
            "d_start",
        ),
        (
            ThresholdOptions {
                d_min: f64::NAN,
                ..base
            },
            "d_min",
        ),
        (ThresholdOptions { d_min: 1.0, ..base }, "d_min"),
        (
            ThresholdOptions {
                d_min: f64::NEG_INFINITY,
                ..base
            },
            "d_min",
        ),
    ];
    for (opts, name) in cases {
        let r = timed(Duration::from_millis(500), || {
            saddle_to_minimum(Family::TypeA, opts)
        });
        assert_eq!(invalid_name(r), name, "{opts:?}");
        assert_eq!(invalid_name(opts.check().map(|_| ())), name, "{opts:?}");
    }
    // d_start outside the family's domain is named as d_start (flipped-50 needs d > 51).
    let r = saddle_to_minimum(Family::Flipped { m: 50 }, base);
    assert_eq!(invalid_name(r), "d_start");
    // The largest admissible scan (1e4 steps) is accepted by the check.
    let edge = ThresholdOptions {
        d_start: 40.0,
        d_min: 3.0,
        scan_step: 37.0 / 1e4,
    };
    assert!(edge.check().is_ok());
    assert!(base.check().is_ok());
}

#[test]
fn threshold_none_only_where_documented() {
    // The global minimum stays a minimum down to d_min: the documented Ok(None).
    let opts = ThresholdOptions {
        d_start: 12.0,
        scan_step: 1.0,
        d_min: 4.0,
    };
    assert_eq!(saddle_to_minimum(Family::Global, opts).unwrap(), None);
    // Type A with a coarse valid scan still finds d*.
    let opts = ThresholdOptions {
        d_start: 12.0,
        scan_step: 1.5,
        d_min: 3.0,
    };
    let th = saddle_to_minimum(Family::TypeA, opts).unwrap().unwrap();
    assert!((th.d_star - 5.5855052474234).abs() < 1e-9, "{}", th.d_star);
    // d_min = 6 lies above type A's d* = 5.59: the scan stops at d_min while still a minimum.
    let opts = ThresholdOptions {
        d_start: 12.0,
        scan_step: 0.5,
        d_min: 6.0,
    };
    assert_eq!(saddle_to_minimum(Family::TypeA, opts).unwrap(), None);
    let cp = critical_point(Family::TypeA, 6.0).unwrap();
    assert!(cp.loss > 0.0);
}
