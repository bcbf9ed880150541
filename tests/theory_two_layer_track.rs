//! Branch tracking in d (`theory::two_layer::track`, issue 14 §2): folds passed and located,
//! symmetry-breaking crossings located, in-Fix branch points switched, each against an
//! independent reference (the type A threshold and `saddle_to_minimum`, the partner branch of
//! the branch search, the maximum of d along a coordinate parametrisation of the branch).

use overparam::theory::two_layer::branches::{
    BranchSearch, BranchSearchOptions, PartitionFamily, branch_threshold, find_branches,
};
use overparam::theory::two_layer::critical::{Family, ReducedNewtonOptions, reduced_newton};
use overparam::theory::two_layer::spectrum::{Component, block_spectrum, component_eigenvalues};
use overparam::theory::two_layer::symmetry::{Partition, PartitionParams};
use overparam::theory::two_layer::threshold::{ThresholdOptions, saddle_to_minimum};
use overparam::theory::two_layer::track::{
    BranchEvent, TrackDirection, TrackEnd, TrackOptions, track_branch,
};

fn search(sizes: &[f64]) -> BranchSearch {
    let p = PartitionFamily {
        sizes: sizes.to_vec(),
    }
    .partition()
    .unwrap();
    find_branches(&p, &BranchSearchOptions::default()).unwrap()
}

fn partition(sizes: Vec<f64>) -> Partition {
    PartitionParams { sizes }.check().unwrap()
}

/// The branch of the search with this loss (to 1e-6).
fn by_loss(s: &BranchSearch, loss: f64) -> usize {
    s.branches
        .iter()
        .position(|b| (b.loss - loss).abs() < 1e-6)
        .unwrap_or_else(|| panic!("no branch of loss {loss}"))
}

/// Type A, (9,1) at d = 10, tracked down by its large class: the smallest eigenvalue, in the
/// standard block of the large class, crosses zero at d* = 5.5855052474 (the crate's reference,
/// also `branch_threshold`): a symmetry-breaking crossing of multiplicity n_0 - 1 = d* - 2, and
/// the Morse index jumps from 0 to that multiplicity.
#[test]
fn tracker_reports_the_type_a_symmetry_breaking_at_d_star() {
    let s = search(&[9.0, 1.0]);
    let b = s.default_branch().unwrap();
    let tr = track_branch(
        &s.partition,
        &b.params,
        TrackDirection::Class(0),
        true,
        4.0,
        10.0,
        &TrackOptions::default(),
    )
    .unwrap();
    assert_eq!(tr.end, TrackEnd::Reached);
    assert_eq!(tr.last().unwrap().0, 4.0);
    assert_eq!(tr.folds().count(), 0);
    let ev: Vec<&BranchEvent> = tr.symmetry_breaking().collect();
    assert_eq!(ev.len(), 1, "{:?}", tr.events);
    let BranchEvent::SymmetryBreaking {
        d,
        sizes,
        params,
        component,
        multiplicity,
        negative_change,
    } = ev[0]
    else {
        unreachable!()
    };
    assert!((d - 5.5855052474).abs() < 1e-8, "{d}");
    let reference = branch_threshold(&s.partition, &b.params, 0, 3.0)
        .unwrap()
        .unwrap()
        .d_star;
    assert!((d - reference).abs() < 1e-9, "{d} vs {reference}");
    assert_eq!(*component, Component::Standard(0));
    assert!((multiplicity - (d - 2.0)).abs() < 1e-12);
    assert_eq!(*negative_change, 1);
    assert_eq!(sizes[1], 1.0);
    // The Morse index on both sides: 0 above d*, d - 2 (the block's multiplicity) below.
    for (delta, expect_negative) in [(1e-3, false), (-1e-3, true)] {
        let p = partition(vec![d + delta - 1.0, 1.0]);
        let x = reduced_newton(&p, params, ReducedNewtonOptions::default())
            .unwrap()
            .params;
        let spec = block_spectrum(&p, &x).unwrap();
        let expected = if expect_negative {
            d + delta - 2.0
        } else {
            0.0
        };
        assert!(
            (spec.morse_index() - expected).abs() < 1e-9,
            "{} vs {expected}",
            spec.morse_index()
        );
    }
}

/// The default branch of (10,2) tracked down: its first symmetry-breaking crossing is the
/// `flipped --m 2` threshold of `saddle_to_minimum` (another algorithm: natural continuation of
/// the family's seed, scan and Brent on the unstable block).
#[test]
fn tracker_first_crossing_of_flipped_2_matches_saddle_to_minimum() {
    let s = search(&[10.0, 2.0]);
    let b = s.default_branch().unwrap();
    let tr = track_branch(
        &s.partition,
        &b.params,
        TrackDirection::Class(0),
        true,
        3.5,
        12.0,
        &TrackOptions::default(),
    )
    .unwrap();
    let first = tr.symmetry_breaking().next().unwrap();
    let reference = saddle_to_minimum(Family::Flipped { m: 2 }, ThresholdOptions::default())
        .unwrap()
        .unwrap();
    assert!(
        (first.d() - reference.d_star).abs() < 1e-7,
        "{} vs {}",
        first.d(),
        reference.d_star
    );
    let BranchEvent::SymmetryBreaking { component, .. } = first else {
        unreachable!()
    };
    assert_eq!(*component, reference.component);
}

/// Newton on R(xi, d) = G^{-1} grad F_red = 0 with xi_k = s fixed, unknowns (xi without k, d),
/// the Jacobian by central differences (an independent solver; sizes (8, d - 8)).
#[allow(clippy::needless_range_loop)] // dense elimination reads clearer with indices
fn solve_fixed_coordinate(xi0: &[f64], d0: f64, k: usize, s: f64) -> Option<(Vec<f64>, f64)> {
    let n = xi0.len();
    let residual = |xi: &[f64], d: f64| -> Option<Vec<f64>> {
        PartitionParams {
            sizes: vec![8.0, d - 8.0],
        }
        .check()
        .ok()?
        .fix_gradient(xi)
        .ok()
    };
    let mut xi = xi0.to_vec();
    xi[k] = s;
    let mut d = d0;
    for _ in 0..50 {
        let r = residual(&xi, d)?;
        // Unknown vector u: xi entries except k, then d.
        let mut jac = vec![vec![0.0; n]; n];
        let h = 1e-6;
        let mut col = 0;
        for j in 0..=n {
            if j == k {
                continue;
            }
            let (mut xp, mut xm, mut dp, mut dm) = (xi.clone(), xi.clone(), d, d);
            if j < n {
                xp[j] += h;
                xm[j] -= h;
            } else {
                dp += h;
                dm -= h;
            }
            let (rp, rm) = (residual(&xp, dp)?, residual(&xm, dm)?);
            for i in 0..n {
                jac[i][col] = (rp[i] - rm[i]) / (2.0 * h);
            }
            col += 1;
        }
        // Gaussian elimination.
        let mut a = jac;
        let mut b: Vec<f64> = r.iter().map(|v| -v).collect();
        for c in 0..n {
            let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
            a.swap(c, p);
            b.swap(c, p);
            for i in (c + 1)..n {
                let f = a[i][c] / a[c][c];
                for j in c..n {
                    a[i][j] -= f * a[c][j];
                }
                b[i] -= f * b[c];
            }
        }
        let mut u = vec![0.0; n];
        for c in (0..n).rev() {
            let t: f64 = ((c + 1)..n).map(|j| a[c][j] * u[j]).sum();
            u[c] = (b[c] - t) / a[c][c];
        }
        let mut col = 0;
        for j in 0..n {
            if j != k {
                xi[j] += u[col];
                col += 1;
            }
        }
        d += u[n - 1];
        if u.iter().map(|v| v.abs()).fold(0.0, f64::max) < 1e-13 {
            return Some((xi, d));
        }
    }
    None
}

/// (8,6) at d = 14 has two saddles (loss 0.0822287 and 0.0847340, Morse index 12 and 13) that
/// are the two halves of one curve in (xi, d): tracked up by the second class, each reaches a
/// fold (the classes are (8, 10.0568) there), turns back and lands at d = 14 on the other one,
/// a listed branch of the search. The fold d is checked against the maximum of d along the
/// branch parametrised by one coordinate (golden section on an independent Newton solve), and
/// the reduced Hessian is singular there.
#[test]
fn tracker_passes_the_fold_joining_two_listed_86_branches() {
    let s = search(&[8.0, 6.0]);
    let (i3, i4) = (by_loss(&s, 0.0822287), by_loss(&s, 0.0847340));
    let mut folds = Vec::new();
    for (from, to) in [(i3, i4), (i4, i3)] {
        let tr = track_branch(
            &s.partition,
            &s.branches[from].params,
            TrackDirection::Class(1),
            false,
            14.0,
            24.0,
            &TrackOptions::default(),
        )
        .unwrap();
        assert_eq!(tr.end, TrackEnd::Reached, "{:?}", tr.events);
        let (d_end, x_end) = tr.last().unwrap();
        assert_eq!(*d_end, 14.0);
        assert_eq!(s.matching(x_end, 1e-7), Some(to), "{x_end:?}");
        let f: Vec<&BranchEvent> = tr.folds().collect();
        assert_eq!(f.len(), 1);
        folds.push(f[0].clone());
    }
    let (d_a, d_b) = (folds[0].d(), folds[1].d());
    assert!((d_a - d_b).abs() < 1e-9, "{d_a} vs {d_b}");
    assert!((d_a - 18.0568).abs() < 1e-3, "{d_a}");
    let BranchEvent::Fold { params, sizes, .. } = &folds[0] else {
        unreachable!()
    };
    assert_eq!(sizes[0], 8.0);
    // The reduced Hessian is singular at the fold.
    let p = partition(sizes.clone());
    let triv = component_eigenvalues(&p, params, Component::Trivial).unwrap();
    let small = triv.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
    let scale = triv.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(small < 1e-6 * scale, "{triv:?}");
    // Second method: d is extremal along the branch; parametrise it by the coordinate that
    // moves most between the two partner branches and maximise d by golden section.
    let (a, b) = (&s.branches[i3].params, &s.branches[i4].params);
    let k = (0..a.len())
        .max_by(|&i, &j| (a[i] - b[i]).abs().total_cmp(&(a[j] - b[j]).abs()))
        .unwrap();
    let d_of = |t: f64| -> f64 {
        solve_fixed_coordinate(params, d_a, k, t)
            .map(|(_, d)| d)
            .unwrap_or(f64::NEG_INFINITY)
    };
    let (mut lo, mut hi) = (params[k] - 0.02, params[k] + 0.02);
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut f1, mut f2) = (d_of(x1), d_of(x2));
    for _ in 0..60 {
        if f1 > f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = d_of(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = d_of(x2);
        }
    }
    let d_max = f1.max(f2);
    assert!(d_max.is_finite());
    assert!(
        (d_max - d_a).abs() < 1e-8,
        "golden {d_max} vs tracker {d_a}"
    );
}

/// An in-Fix branch point: tracking the (12,6,1) saddle of loss 0.0809171 (Morse index 16) down
/// by its second class meets a sign change of the augmented determinant without a fold, near
/// d = 18.03 (sizes (12, 5.03, 1)); the reduced Hessian is singular there (a trivial-block
/// eigenvalue crosses zero) and the tracker switches onto the crossing branch, whose points are
/// critical points of the partition and not on the tracked branch. (In the two-class data the
/// same test finds only sign changes through poles of the determinant at a moving class size in
/// (1, 2), which the tracker rejects: the reduced Hessian is not singular there.)
#[test]
fn tracker_switches_at_an_in_fix_branch_point() {
    let s = search(&[12.0, 6.0, 1.0]);
    let i3 = by_loss(&s, 0.0809170584);
    let tr = track_branch(
        &s.partition,
        &s.branches[i3].params,
        TrackDirection::Class(1),
        true,
        3.0,
        19.0,
        &TrackOptions::default(),
    )
    .unwrap();
    let bp: Vec<&BranchEvent> = tr
        .events
        .iter()
        .filter(|e| matches!(e, BranchEvent::BranchPoint { .. }))
        .collect();
    assert_eq!(bp.len(), 1, "{:?}", tr.events);
    assert_eq!(tr.folds().count(), 0);
    let BranchEvent::BranchPoint { d, sizes, params } = bp[0] else {
        unreachable!()
    };
    assert!((d - 18.0318).abs() < 1e-3, "{d}");
    let p = partition(sizes.clone());
    let triv = component_eigenvalues(&p, params, Component::Trivial).unwrap();
    let small = triv.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
    let scale = triv.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(small < 1e-6 * scale, "{triv:?}");
    // The tracked branch: a trivial eigenvalue changes sign across the branch point.
    let negatives = |dd: f64| {
        let q = partition(vec![12.0, dd - 13.0, 1.0]);
        let x = reduced_newton(&q, params, ReducedNewtonOptions::default())
            .unwrap()
            .params;
        component_eigenvalues(&q, &x, Component::Trivial)
            .unwrap()
            .iter()
            .filter(|v| **v < 0.0)
            .count()
    };
    assert_ne!(negatives(d + 1e-3), negatives(d - 1e-3));
    assert!(!tr.switched.is_empty());
    for sw in &tr.switched {
        assert!(sw.path.len() >= 3);
        for (dd, x) in sw.path.iter().skip(1) {
            let q = partition(vec![12.0, dd - 13.0, 1.0]);
            let r = q.fix_gradient(x).unwrap();
            assert!(r.iter().all(|v| v.abs() < 1e-9 * dd), "{r:?}");
        }
        // Away from the branch point the switched branch is not the tracked one.
        let (dd, x) = &sw.path[2];
        // The tracked branch solved at the switched point's d, from its point nearest in d.
        let q = partition(vec![12.0, dd - 13.0, 1.0]);
        let nearest = tr
            .path
            .iter()
            .min_by(|a, b| (a.0 - dd).abs().total_cmp(&(b.0 - dd).abs()))
            .unwrap();
        let main = reduced_newton(&q, &nearest.1, ReducedNewtonOptions::default())
            .unwrap()
            .params;
        let dist = main
            .iter()
            .zip(x)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(dist > 1e-4, "{dist}");
    }
}

/// Domain errors name the parameter.
#[test]
fn track_branch_domain() {
    let s = search(&[9.0, 1.0]);
    let b = s.default_branch().unwrap();
    let o = TrackOptions::default();
    let run = |dir, lo, hi, opts: &TrackOptions, xi: &[f64]| {
        track_branch(&s.partition, xi, dir, true, lo, hi, opts)
    };
    let name = |r: overparam::Result<_>| match r {
        Err(overparam::Error::InvalidParameter { name, .. }) => name,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        name(run(TrackDirection::Class(1), 4.0, 10.0, &o, &b.params)),
        "class"
    );
    assert_eq!(
        name(run(TrackDirection::Class(7), 4.0, 10.0, &o, &b.params)),
        "class"
    );
    assert_eq!(
        name(run(TrackDirection::Class(0), 11.0, 12.0, &o, &b.params)),
        "d_lo"
    );
    assert_eq!(
        name(run(TrackDirection::Class(0), 1.0, 12.0, &o, &b.params)),
        "d_lo"
    );
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 9.0, &o, &b.params)),
        "d_hi"
    );
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, f64::NAN, &o, &b.params)),
        "d_hi"
    );
    let bad = o.with_step(0.0);
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 10.0, &bad, &b.params)),
        "step"
    );
    let bad = o.with_max_step(0.01);
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 10.0, &bad, &b.params)),
        "max_step"
    );
    let bad = o.with_max_steps(1 << 40);
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 10.0, &bad, &b.params)),
        "max_steps"
    );
    let mut off = b.params.clone();
    off[0] += 0.3;
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 10.0, &o, &off)),
        "params"
    );
    assert_eq!(
        name(run(TrackDirection::Class(0), 4.0, 10.0, &o, &off[1..])),
        "params"
    );
    let one = partition(vec![1.0, 1.0]);
    assert_eq!(
        name(track_branch(
            &one,
            &[1.0, 1.0, 0.0, 0.0],
            TrackDirection::Scaled,
            true,
            1.5,
            2.0,
            &o
        )),
        "sizes"
    );
}

/// Scaled direction: the type A point tracked up with its large class growing is the type A
/// family at the larger d (the built-in continuation).
#[test]
fn scaled_tracking_reaches_the_family_point() {
    use overparam::theory::two_layer::critical::critical_point;
    let s = search(&[9.0, 1.0]);
    let b = s.default_branch().unwrap();
    let tr = track_branch(
        &s.partition,
        &b.params,
        TrackDirection::Scaled,
        false,
        10.0,
        20.0,
        &TrackOptions::default(),
    )
    .unwrap();
    assert_eq!(tr.end, TrackEnd::Reached);
    let (d, x) = tr.last().unwrap();
    assert_eq!(*d, 20.0);
    let cp = critical_point(Family::TypeA, 20.0).unwrap();
    let s20 = search(&[19.0, 1.0]);
    let want = s20.matching(&cp.params, 1e-7).unwrap();
    assert_eq!(s20.matching(x, 1e-7), Some(want));
}

/// Continuation seeds (`BranchSearchOptions::with_continuation`): at (8,4), d = 12, the saddle of
/// loss 0.0694850 tracked up by its second class turns at a fold (sizes (8, 10.0568), the fold
/// of the (8,6) test) and comes back to d = 12 on a branch the default search does not list.
/// With continuation seeds that branch is listed (source `continuation`, verified by the dense
/// gradient), and every branch of the default search is still listed.
#[test]
fn continuation_seeds_list_the_partner_branch_beyond_a_fold() {
    use overparam::theory::two_layer::branches::SeedSource;
    let base = search(&[8.0, 4.0]);
    let p = base.partition.clone();
    let i = by_loss(&base, 0.0694850);
    let tr = track_branch(
        &p,
        &base.branches[i].params,
        TrackDirection::Class(1),
        false,
        12.0,
        20.0,
        &TrackOptions::default(),
    )
    .unwrap();
    assert_eq!(tr.folds().count(), 1);
    let (d_end, partner) = tr.last().unwrap();
    assert_eq!(*d_end, 12.0);
    assert_eq!(base.matching(partner, 1e-7), None);
    let more = find_branches(&p, &BranchSearchOptions::default().with_continuation(8.0)).unwrap();
    assert!(more.branches.len() > base.branches.len());
    for b in &base.branches {
        assert!(more.matching(&b.params, 1e-7).is_some());
    }
    let k = more.matching(partner, 1e-7).expect("the partner is listed");
    let b = &more.branches[k];
    assert!(b.sources.contains(&SeedSource::Continuation));
    assert!(b.full_gradient.unwrap() < 1e-9, "{:?}", b.full_gradient);
    assert!(b.residual < 1e-9);
    // Domain of the option.
    for bad in [0.0, -1.0, f64::NAN, 101.0] {
        assert!(matches!(
            find_branches(&p, &BranchSearchOptions::default().with_continuation(bad)),
            Err(overparam::Error::InvalidParameter {
                name: "continuation",
                ..
            })
        ));
    }
}

/// Seeds continued from a smaller dimension (`with_continuation_from`): the (12,6,1) partition
/// scaled down to d = 14, searched there, its branches tracked up (classes growing in proportion)
/// to d = 19. Every branch of the default search is still listed, the search lists branches the
/// default one misses (each verified: reduced residual and dense gradient), and the option's
/// domain is checked.
#[test]
fn seeds_continued_from_a_smaller_dimension() {
    use overparam::theory::two_layer::branches::SeedSource;
    let base = search(&[12.0, 6.0, 1.0]);
    let p = base.partition.clone();
    let more = find_branches(
        &p,
        &BranchSearchOptions::default().with_continuation_from(14.0),
    )
    .unwrap();
    for b in &base.branches {
        assert!(more.matching(&b.params, 1e-7).is_some());
    }
    let new: Vec<_> = more
        .branches
        .iter()
        .filter(|b| base.matching(&b.params, 1e-7).is_none())
        .collect();
    assert!(!new.is_empty());
    for b in new {
        assert_eq!(b.sources, vec![SeedSource::Continuation]);
        assert!(b.residual < 1e-9 && b.full_gradient.unwrap() < 1e-9);
    }
    for bad in [19.0, 25.0, 1.0, 2.5, f64::NAN] {
        assert!(
            matches!(
                find_branches(
                    &p,
                    &BranchSearchOptions::default().with_continuation_from(bad)
                ),
                Err(overparam::Error::InvalidParameter {
                    name: "continuation_from",
                    ..
                })
            ),
            "{bad}"
        );
    }
}
