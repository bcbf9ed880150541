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
    for d_start in [f64::NAN, f64::INFINITY, 1.5, 2.0, 1001.0, 2e4, 1e308] {
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

#[test]
fn global_minimum_spectrum_has_a_domain() {
    use overparam::theory::two_layer::spectrum::global_minimum;
    // Old code: global_minimum(1e308) returned Ok with infinite eigenvalues (d^2 overflows).
    for d in [
        1e308,
        1e200,
        1e7 * (1.0 + 1e-12),
        f64::INFINITY,
        f64::NAN,
        3.999,
        -4.0,
    ] {
        assert_eq!(invalid_name(global_minimum(d)), "d", "d = {d}");
    }
    for d in [4.0, 20.5, 1e7] {
        let s = global_minimum(d).unwrap();
        assert!(
            s.values()
                .iter()
                .all(|v| v.value.is_finite() && v.multiplicity.is_finite())
        );
        assert!((s.total_multiplicity() - d * d).abs() <= 1e-12 * d * d);
    }
}

#[test]
fn multiplicity_of_an_absent_class_is_zero() {
    use overparam::theory::two_layer::spectrum::Component;
    // Old code: indexing panic.
    let sizes = [5.0, 1.0];
    assert_eq!(Component::Standard(7).multiplicity(&sizes), 0.0);
    assert_eq!(Component::Product(0, 9).multiplicity(&sizes), 0.0);
    assert_eq!(Component::Young(2).multiplicity(&[]), 0.0);
    assert_eq!(Component::Trivial.multiplicity(&[]), 1.0);
    assert_eq!(Component::Young(0).multiplicity(&sizes), 5.0);
}

#[test]
fn partitions_and_families_name_the_bad_argument() {
    use overparam::theory::two_layer::critical::{ReducedNewtonOptions, reduced_newton};
    use overparam::theory::two_layer::kernel::Teacher;
    use overparam::theory::two_layer::symmetry::PartitionParams;
    // Huge d: old check accepted it and the metric n^2 overflowed to inf.
    let huge = PartitionParams {
        sizes: vec![1e308, 1.0],
    };
    assert_eq!(invalid_name(huge.check()), "sizes");
    let over = PartitionParams {
        sizes: vec![1e7, 1.0],
    };
    assert_eq!(invalid_name(over.check()), "sizes");
    let many = PartitionParams {
        sizes: vec![1.0; 65],
    };
    assert_eq!(invalid_name(many.check()), "sizes");
    assert!(
        PartitionParams {
            sizes: vec![1.0; 64]
        }
        .check()
        .is_ok()
    );
    // m > d names m (the CLI maps it to --m); absurd d names d.
    for (fam, d, name) in [
        (Family::Flipped { m: 1000 }, 20.0, "m"),
        (Family::Flipped { m: 5 }, 6.0, "m"),
        (Family::Flipped { m: 0 }, 10.0, "m"),
        (Family::Flipped { m: 1 }, 10.0, "m"),
        (Family::Flipped { m: usize::MAX }, 10.0, "m"),
        (Family::Flipped { m: 2 }, f64::NAN, "d"),
        (Family::TypeA, 1e308, "d"),
        (Family::TypeA, f64::INFINITY, "d"),
        (Family::TypeA, -3.0, "d"),
        (Family::Global, 1.0, "d"),
        (Family::AllFlipped, 2e7, "d"),
    ] {
        let r = timed(Duration::from_millis(500), || critical_point(fam, d));
        assert_eq!(invalid_name(r), name, "{fam} at d = {d}");
    }
    assert!(Family::Flipped { m: 5 }.partition(6.5).is_ok());
    // Newton options.
    let p = Family::TypeA.partition(10.0).unwrap();
    let seed = [1.0, -0.9, -0.0003, 0.04, 0.03];
    for (opts, name) in [
        (
            ReducedNewtonOptions {
                tolerance: f64::NAN,
                max_iter: 60,
            },
            "tolerance",
        ),
        (
            ReducedNewtonOptions {
                tolerance: -1.0,
                max_iter: 60,
            },
            "tolerance",
        ),
        (
            ReducedNewtonOptions {
                tolerance: 1e-14,
                max_iter: 0,
            },
            "max_iter",
        ),
        (
            ReducedNewtonOptions {
                tolerance: 1e-14,
                max_iter: usize::MAX,
            },
            "max_iter",
        ),
    ] {
        assert_eq!(invalid_name(reduced_newton(&p, &seed, opts)), name);
    }
    // Dense sizes: old code tried to allocate d^2 (identity) or d^2 (embed) entries and aborted.
    assert_eq!(invalid_name(Teacher::identity(1 << 20)), "d");
    let big = PartitionParams {
        sizes: vec![1e6, 1.0],
    }
    .check()
    .unwrap();
    assert_eq!(invalid_name(big.embed(&seed)), "sizes");
    let t = Teacher::identity(65).unwrap();
    assert_eq!(invalid_name(t.hessian(&vec![0.5; 65 * 65])), "student");
}

/// A seeded sweep of extreme inputs into the reduced model and the spectra: no panic, and every
/// `Ok` holds finite numbers only.
#[test]
fn extreme_inputs_give_errors_or_finite_values() {
    use overparam::theory::two_layer::spectrum::block_spectrum;
    use overparam::theory::two_layer::symmetry::PartitionParams;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    let values = [
        0.0,
        1e-300,
        -1e-300,
        1e-10,
        -0.5,
        1.0,
        -1.0,
        1e10,
        1e154,
        -1e160,
        1e200,
        1e308,
        f64::NAN,
        f64::INFINITY,
        f64::MIN_POSITIVE,
    ];
    let sizes = [1.0, 1.5, 2.0, 3.5, 7.0, 1e3, 1e6, 1e7, 1e300, f64::NAN, 0.5];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
    let (mut ok, mut calls) = (0usize, 0usize);
    for _ in 0..150 {
        let m = rng.random_range(1..=3usize);
        let s: Vec<f64> = (0..m)
            .map(|_| sizes[rng.random_range(0..sizes.len())])
            .collect();
        let Ok(p) = (PartitionParams { sizes: s.clone() }).check() else {
            continue;
        };
        assert!(
            p.metric().iter().all(|g| g.is_finite() && *g > 0.0),
            "{s:?}"
        );
        let n = p.params().len();
        let xi: Vec<f64> = (0..n)
            .map(|_| {
                if rng.random_range(0..3) == 0 {
                    values[rng.random_range(0..values.len())]
                } else {
                    rng.random_range(-1.5..1.5)
                }
            })
            .collect();
        let at = format!("sizes {s:?}, params {xi:?}");
        calls += 5;
        if let Ok(f) = p.loss(&xi) {
            ok += 1;
            assert!(f.is_finite(), "loss {at}");
        }
        if let Ok(g) = p.gradient(&xi) {
            ok += 1;
            assert!(g.iter().all(|x| x.is_finite()), "gradient {at}");
        }
        if let Ok(g) = p.fix_gradient(&xi) {
            ok += 1;
            assert!(g.iter().all(|x| x.is_finite()), "fix_gradient {at}");
        }
        if let Ok(h) = p.hessian(&xi) {
            ok += 1;
            assert!(h.iter().all(|x| x.is_finite()), "hessian {at}");
        }
        if let Ok(sp) = block_spectrum(&p, &xi) {
            ok += 1;
            assert!(
                sp.values()
                    .iter()
                    .all(|v| v.value.is_finite() && v.multiplicity.is_finite()),
                "spectrum {at}"
            );
            assert!(sp.morse_index().is_finite() && sp.min_value().is_finite());
        }
    }
    // The sweep must exercise both outcomes.
    assert!(ok > 50 && ok < calls, "{ok} of {calls} calls returned Ok");
}
