//! The branch guard of `critical::continue_to` (issue 12: the continuation's verification hook).
//!
//! (a) Continuation across the type A threshold $d^* = 5.5855052474234$, where the Morse index
//! legitimately changes, still works. (b) The default continuation of the `flipped --m 8` family
//! from its seed at $d = 100$ down to $d = 10$ jumps to another critical point when unguarded; the
//! guard rejects the jump and lands where a continuation with 100x smaller steps lands.

use overparam::Error;
use overparam::solver::ContinuationOptions;
use overparam::theory::two_layer::critical::{
    BranchGuard, Family, ReducedNewtonOptions, continue_to, continue_with, critical_point,
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
