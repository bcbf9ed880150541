//! The branch guard of `critical::continue_to` (issue 12: the continuation's verification hook).
//!
//! (a) Continuation across the type A threshold $d^* = 5.5855052474234$, where the Morse index
//! legitimately changes, still works. (b) The default continuation of the `flipped --m 8` family
//! from its seed at $d = 100$ down to $d = 10$ jumps to another critical point when unguarded; the
//! guard rejects the jump and lands where a continuation with 100x smaller steps lands.
//! (c) The screened guard of `continue_to` (`BranchGuard::Screened`) does both without a block
//! spectrum on a clean path, and gives the same points as the full per-step guard.

use overparam::Error;
use overparam::solver::ContinuationOptions;
use overparam::theory::two_layer::critical::{
    BranchGuard, Family, ReducedNewtonOptions, continue_to, continue_with, continue_with_spectrum,
    critical_point,
};
use overparam::theory::two_layer::spectrum::block_spectrum;

fn run(
    family: Family,
    d_from: f64,
    xi: &[f64],
    d_to: f64,
    steps: &ContinuationOptions,
    guard: BranchGuard,
) -> overparam::Result<overparam::theory::two_layer::critical::BranchContinuation> {
    continue_with(
        family,
        d_from,
        xi,
        d_to,
        ReducedNewtonOptions::default(),
        steps,
        guard,
    )
}

/// Steps of 0.005 in log d (100x below the default largest step), unguarded: the reference path.
fn careful() -> ContinuationOptions {
    ContinuationOptions {
        first_step: 0.005,
        max_step: 0.005,
        ..ContinuationOptions::default()
    }
}

#[test]
fn continuation_crosses_the_type_a_threshold() {
    let (d0, xi0) = Family::TypeA.seed();
    let c = run(
        Family::TypeA,
        d0,
        &xi0,
        5.0,
        &ContinuationOptions::default(),
        BranchGuard::Verified,
    )
    .unwrap();
    // A minimum at d = 100, a saddle at d = 5 < d*: standard[0] (multiplicity d - 2 = 3) is negative.
    assert_eq!(c.morse_index_start, Some(0.0));
    assert_eq!(c.morse_index_end, Some(3.0));
    // One spectrum at the start and one per solve that passed the (cheaper) parameter test.
    assert!(c.spectrum_evaluations > c.steps);
    assert!(c.spectrum_evaluations <= 1 + c.steps + c.rejections);
    let reference = run(
        Family::TypeA,
        d0,
        &xi0,
        5.0,
        &careful(),
        BranchGuard::Unverified,
    )
    .unwrap();
    assert!((c.point.loss - reference.point.loss).abs() < 1e-12);
    // One step straddling d*: the crossing is resolved (the eigenvalue is small at both ends).
    let at6 = critical_point(Family::TypeA, 6.0).unwrap();
    let one = run(
        Family::TypeA,
        6.0,
        &at6.params,
        5.2,
        &ContinuationOptions::default(),
        BranchGuard::Verified,
    )
    .unwrap();
    assert_eq!(one.morse_index_start, Some(0.0));
    assert_eq!(one.morse_index_end, Some((5.2 - 1.0) - 1.0)); // standard[0]: n_0 - 1 = d - 2
    assert_eq!(one.rejections, 0);
    // continue_to (the guarded default) agrees with critical_point.
    let p = continue_to(
        Family::TypeA,
        6.0,
        &at6.params,
        5.0,
        ReducedNewtonOptions::default(),
    )
    .unwrap();
    let sp = block_spectrum(&p.partition, &p.params).unwrap();
    assert_eq!(sp.morse_index(), 3.0);
}

#[test]
fn guard_rejects_a_branch_jump_of_the_default_continuation() {
    let fam = Family::Flipped { m: 8 };
    let (d0, xi0) = fam.seed();
    let d = 10.0;
    let reference = run(fam, d0, &xi0, d, &careful(), BranchGuard::Unverified).unwrap();
    let unguarded = run(
        fam,
        d0,
        &xi0,
        d,
        &ContinuationOptions::default(),
        BranchGuard::Unverified,
    )
    .unwrap();
    let guarded = run(
        fam,
        d0,
        &xi0,
        d,
        &ContinuationOptions::default(),
        BranchGuard::Verified,
    )
    .unwrap();
    let morse = |c: &overparam::theory::two_layer::critical::BranchContinuation| {
        block_spectrum(&c.point.partition, &c.point.params)
            .unwrap()
            .morse_index()
    };
    // Unguarded: a different critical point (higher loss, Morse index 2 instead of 0).
    assert!(
        (unguarded.point.loss - reference.point.loss).abs() > 1e-2,
        "{} vs {}",
        unguarded.point.loss,
        reference.point.loss
    );
    assert_eq!(morse(&unguarded), 2.0);
    // Guarded: the reference point, after rejected steps.
    assert!(guarded.rejections > 0);
    assert!((guarded.point.loss - reference.point.loss).abs() < 1e-10);
    let diff = guarded
        .point
        .params
        .iter()
        .zip(&reference.point.params)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff < 1e-9, "{diff:e}");
    assert_eq!(morse(&guarded), 0.0);
    assert_eq!(guarded.morse_index_end, Some(0.0));
    // The default API is the guarded one.
    let cp = critical_point(fam, d).unwrap();
    assert!((cp.loss - reference.point.loss).abs() < 1e-10);
}

#[test]
fn guard_refuses_a_forced_jump_with_a_typed_error() {
    // One forced step from d = 100 to d = 10 (no room to shrink): unguarded, Newton converges
    // to some critical point; guarded, the step is refused with the guard's typed error.
    let fam = Family::Flipped { m: 8 };
    let (d0, xi0) = fam.seed();
    let huge = ContinuationOptions {
        first_step: 10.0,
        max_step: 10.0,
        min_step: 5.0,
        ..ContinuationOptions::default()
    };
    let reference = run(fam, d0, &xi0, 10.0, &careful(), BranchGuard::Unverified).unwrap();
    let unguarded = run(fam, d0, &xi0, 10.0, &huge, BranchGuard::Unverified).unwrap();
    assert_eq!(unguarded.steps, 1);
    assert!((unguarded.point.loss - reference.point.loss).abs() > 1e-2);
    match run(fam, d0, &xi0, 10.0, &huge, BranchGuard::Verified) {
        Err(Error::NoSolution { .. }) | Err(Error::NotASaddle { .. }) => {}
        other => panic!("expected the guard's rejection, got {other:?}"),
    }
}

#[test]
fn screened_guard_catches_the_flipped_8_jump_with_fewer_spectra() {
    let fam = Family::Flipped { m: 8 };
    let (d0, xi0) = fam.seed();
    let default = ContinuationOptions::default();
    let reference = run(fam, d0, &xi0, 10.0, &careful(), BranchGuard::Unverified).unwrap();
    let full = run(fam, d0, &xi0, 10.0, &default, BranchGuard::Verified).unwrap();
    let screened = run(fam, d0, &xi0, 10.0, &default, BranchGuard::Screened).unwrap();
    assert!(screened.rejections > 0);
    // The same accepted path as the full guard: the same point, bit for bit.
    assert_eq!(screened.point, full.point);
    assert_eq!(
        (screened.steps, screened.rejections),
        (full.steps, full.rejections)
    );
    assert!((screened.point.loss - reference.point.loss).abs() < 1e-10);
    let sp = block_spectrum(&screened.point.partition, &screened.point.params).unwrap();
    assert_eq!(sp.morse_index(), 0.0);
    // Spectra only after the rejections (full guard: one per solve plus the start).
    assert!(screened.spectrum_evaluations < full.spectrum_evaluations);
    assert!(screened.spectrum_evaluations <= 2 * screened.rejections);
    // A single forced step is refused as by the full guard.
    let huge = ContinuationOptions {
        first_step: 10.0,
        max_step: 10.0,
        min_step: 5.0,
        ..ContinuationOptions::default()
    };
    match run(fam, d0, &xi0, 10.0, &huge, BranchGuard::Screened) {
        Err(Error::NoSolution { .. }) | Err(Error::NotASaddle { .. }) => {}
        other => panic!("expected the guard's rejection, got {other:?}"),
    }
}

#[test]
fn screened_guard_costs_no_spectrum_on_a_clean_path() {
    // The workloads of benches/two_layer.rs: cold points from the seed at d0 = 100, and a warm
    // continuation 990 -> 1000. Zero block spectra, the same points as both other modes.
    for (fam, d) in [
        (Family::TypeA, 20.0),
        (Family::TypeA, 1000.0),
        (Family::Flipped { m: 2 }, 20.0),
        (Family::Flipped { m: 2 }, 1000.0),
        (Family::AllFlipped, 1e5),
    ] {
        let (d0, xi0) = fam.seed();
        let default = ContinuationOptions::default();
        let screened = run(fam, d0, &xi0, d, &default, BranchGuard::Screened).unwrap();
        let full = run(fam, d0, &xi0, d, &default, BranchGuard::Verified).unwrap();
        let none = run(fam, d0, &xi0, d, &default, BranchGuard::Unverified).unwrap();
        assert_eq!(screened.spectrum_evaluations, 0, "{fam} at d = {d}");
        assert!(full.spectrum_evaluations > full.steps);
        assert_eq!(screened.point, full.point);
        assert_eq!(screened.point, none.point);
        assert_eq!(screened.morse_index_end, None);
        assert_eq!(critical_point(fam, d).unwrap(), screened.point);
    }
    let near = critical_point(Family::TypeA, 990.0).unwrap();
    let warm = run(
        Family::TypeA,
        990.0,
        &near.params,
        1000.0,
        &ContinuationOptions::default(),
        BranchGuard::Screened,
    )
    .unwrap();
    assert_eq!(warm.spectrum_evaluations, 0);
    assert_eq!(warm.steps, 1);
}

#[test]
fn screened_guard_crosses_the_type_a_threshold() {
    let (d0, xi0) = Family::TypeA.seed();
    let default = ContinuationOptions::default();
    let screened = run(
        Family::TypeA,
        d0,
        &xi0,
        5.0,
        &default,
        BranchGuard::Screened,
    )
    .unwrap();
    let full = run(
        Family::TypeA,
        d0,
        &xi0,
        5.0,
        &default,
        BranchGuard::Verified,
    )
    .unwrap();
    assert_eq!(screened.point, full.point);
    let sp = block_spectrum(&screened.point.partition, &screened.point.params).unwrap();
    assert_eq!(sp.morse_index(), 3.0);
    // With the start spectrum known, the end spectrum comes back (checked in full against the
    // start: one step straddling d* = 5.5855, a resolved crossing of standard[0]).
    let at6 = critical_point(Family::TypeA, 6.0).unwrap();
    let start = block_spectrum(&at6.partition, &at6.params).unwrap();
    let (p, end) = continue_with_spectrum(
        Family::TypeA,
        6.0,
        &at6.params,
        &start,
        5.2,
        ReducedNewtonOptions::default(),
    )
    .unwrap();
    assert_eq!(end, block_spectrum(&p.partition, &p.params).unwrap());
    assert_eq!(end.morse_index(), (5.2 - 1.0) - 1.0);
    // Handed a start spectrum that is not the start's (the saddle at d = 3, standard[0]
    // negative), the end check sees a change of the per-block Morse index over a step where the
    // eigenvalue is not small, and refuses.
    let at3 = critical_point(Family::TypeA, 3.0).unwrap();
    let wrong = block_spectrum(&at3.partition, &at3.params).unwrap();
    assert!(wrong.morse_index() > 0.0);
    let fine = continue_with_spectrum(
        Family::TypeA,
        6.0,
        &at6.params,
        &wrong,
        6.1,
        ReducedNewtonOptions::default(),
    );
    assert!(matches!(fine, Err(Error::NotASaddle { .. })), "{fine:?}");
}
