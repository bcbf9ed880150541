//! `sim::shard`: a run split into shards, merged and replayed, equals the single run bit for
//! bit (every model's full report, including membership's pooled statistics); the shards
//! partition the trials; the text form is lossless; malformed parts are typed errors.

use overparam::Error;
use overparam::experiment::RunOptions;
use overparam::sim::dynamics::DynamicsSimulation;
use overparam::sim::membership::{Attack, MembershipAttackSimulation};
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::ridge::LinearRidgeSimulation;
use overparam::sim::shard::{MergedRun, PartialRun, Shard, TrialOutcome, Values, capture, replay};
use overparam::sim::two_layer_census::GradientDescentCensus;

/// Run `sim` as `m` shards (each through the text form), merge, replay: the result of `sim`.
fn sharded<R: PartialEq + std::fmt::Debug>(
    m: usize,
    sim: impl Fn() -> overparam::Result<R>,
) -> overparam::Result<R> {
    let mut parts = Vec::new();
    for i in 1..=m {
        let shard = Shard::new(i, m)?;
        let (result, calls) = capture(shard, &sim);
        // A shard alone never aggregates.
        match result {
            Err(Error::Sharded { index, count }) => assert_eq!((index, count), (i, m)),
            other => panic!("shard {i}/{m} returned {other:?}"),
        }
        let part = PartialRun::new(shard, vec!["test".into()], calls);
        let text = part.to_text();
        let back = PartialRun::parse(&text, "part")?;
        assert_eq!(back, part, "the text form is lossless");
        parts.push((format!("part.{i}"), back));
    }
    parts.reverse();
    let merged = MergedRun::from_parts(&parts)?;
    replay(&merged, sim)?
}

#[test]
fn every_model_merges_to_the_single_run_bit_for_bit() {
    let run = RunOptions {
        seed: 5,
        trials: 7,
        progress: false,
    };
    let rf = RandomFeaturesSimulation {
        d: 20,
        ..Default::default()
    }
    .check()
    .unwrap();
    let single = rf.run(&run).unwrap();
    for m in [1, 2, 3, 7, 9] {
        assert_eq!(
            sharded(m, || rf.run(&run)).unwrap(),
            single,
            "rf, {m} shards"
        );
    }
    let ridge = LinearRidgeSimulation {
        n: 40,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert_eq!(
        sharded(3, || ridge.run(&run)).unwrap(),
        ridge.run(&run).unwrap()
    );
    for attack in [Attack::Output, Attack::Loss] {
        let sim = MembershipAttackSimulation {
            n: 30,
            attack,
            ..Default::default()
        }
        .check()
        .unwrap();
        let single = sim.run(&run).unwrap();
        assert_eq!(sharded(4, || sim.run(&run)).unwrap(), single, "{attack:?}");
    }
    let dynamics = DynamicsSimulation {
        n: 40,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert_eq!(
        sharded(2, || dynamics.run(&run)).unwrap(),
        dynamics.run(&run).unwrap()
    );
    let census = GradientDescentCensus {
        d: 4,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert_eq!(
        sharded(3, || census.run(&run)).unwrap(),
        census.run(&run).unwrap()
    );
}

#[test]
fn shards_partition_the_trials() {
    for m in 1..=6 {
        for trials in 0..20 {
            let mut seen = vec![0; trials];
            for i in 1..=m {
                let s = Shard::new(i, m).unwrap();
                for k in s.trials(trials) {
                    assert!(s.contains(k));
                    seen[k as usize] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "m {m}, trials {trials}");
        }
    }
    assert_eq!("3/4".parse::<Shard>().unwrap(), Shard::new(3, 4).unwrap());
    assert_eq!(Shard::new(3, 4).unwrap().to_string(), "3/4");
    for bad in [
        "0/4",
        "5/4",
        "1/0",
        "",
        "1",
        "a/b",
        "1/2/3",
        "-1/2",
        "1/1000001",
    ] {
        assert!(
            matches!(
                bad.parse::<Shard>(),
                Err(Error::InvalidParameter { name: "shard", .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn outcomes_round_trip_through_the_text_form_exactly() {
    let hostile = [
        0.0,
        -0.0,
        5e-324,
        -1e-310,
        f64::MIN_POSITIVE,
        1.0 / 3.0,
        0.1 + 0.2,
        -1.7976931348623157e308,
        f64::MAX,
        123456789.0,
        f64::INFINITY,
    ];
    let value: (Vec<f64>, (Option<usize>, Vec<bool>)) =
        (hostile.to_vec(), (Some(42), vec![true, false]));
    let mut encoded = Vec::new();
    value.encode(&mut encoded);
    let part = PartialRun {
        shard: Shard::whole(),
        command: vec!["a b".into(), "tab\there".into(), "back\\slash\nnew".into()],
        crate_version: "x".into(),
        calls: vec![overparam::sim::shard::PartialCall {
            label: "a label".into(),
            seed: u64::MAX,
            trials: 1,
            stats: vec![],
            trials_done: vec![overparam::sim::shard::TrialRecord {
                trial: 0,
                outcome: Ok(encoded),
            }],
        }],
    };
    let back = PartialRun::parse(&part.to_text(), "t").unwrap();
    assert_eq!(back.command, part.command);
    let Ok(values) = &back.calls[0].trials_done[0].outcome else {
        panic!("outcome");
    };
    let mut v = Values::new(values);
    let decoded = <(Vec<f64>, (Option<usize>, Vec<bool>))>::decode(&mut v).unwrap();
    assert!(v.is_done());
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&decoded.0), bits(&hostile));
    assert_eq!(decoded.1, value.1);
    // Too few values, a count that is not a whole number: typed errors.
    assert!(Vec::<f64>::decode(&mut Values::new(&[3.0, 1.0])).is_err());
    assert!(Vec::<f64>::decode(&mut Values::new(&[1.5, 1.0])).is_err());
    assert!(bool::decode(&mut Values::new(&[2.0])).is_err());
}

#[test]
fn malformed_parts_and_mismatched_replays_are_typed_errors() {
    let run = RunOptions {
        seed: 1,
        trials: 4,
        progress: false,
    };
    let ridge = LinearRidgeSimulation {
        n: 30,
        ..Default::default()
    }
    .check()
    .unwrap();
    let part = |i: usize| {
        let s = Shard::new(i, 2).unwrap();
        PartialRun::new(s, vec!["ridge".into()], capture(s, || ridge.run(&run)).1)
    };
    let text = part(1).to_text();
    let line_of = |e: Error| match e {
        Error::InvalidData { line, problem, .. } => (line, problem),
        other => panic!("{other:?}"),
    };
    // A trial of another shard.
    let wrong = text.replacen("trial 0 ", "trial 1 ", 1);
    let (line, problem) = line_of(PartialRun::parse(&wrong, "p").unwrap_err());
    assert!(line > 0 && problem.contains("does not belong"), "{problem}");
    // Truncated.
    let cut = &text[..text.rfind("end").unwrap()];
    let (_, problem) = line_of(PartialRun::parse(cut, "p").unwrap_err());
    assert!(problem.contains("truncated"), "{problem}");
    // A missing shard, a duplicate.
    let one = vec![("a".to_string(), part(1))];
    assert!(MergedRun::from_parts(&one).is_err());
    let dup = vec![("a".to_string(), part(1)), ("b".to_string(), part(1))];
    let (_, problem) = line_of(MergedRun::from_parts(&dup).unwrap_err());
    assert!(problem.contains("given twice"), "{problem}");
    assert!(MergedRun::from_parts(&[]).is_err());
    // Replaying another run (another seed) is refused, not silently wrong.
    let merged = MergedRun::from_parts(&[("a".into(), part(1)), ("b".into(), part(2))]).unwrap();
    let other = RunOptions { seed: 2, ..run };
    assert!(matches!(
        replay(&merged, || ridge.run(&other)),
        Err(Error::InvalidData { .. })
    ));
    // A replay that runs fewer loops than the parts hold is refused too.
    assert!(replay(&merged, || ()).is_err());
    assert_eq!(
        replay(&merged, || ridge.run(&run)).unwrap(),
        ridge.run(&run)
    );
    // A capture inside a replay restores the replay when it ends; after both, runs compute.
    let nested = replay(&merged, || {
        let (inner, calls) = capture(Shard::new(2, 2).unwrap(), || ridge.run(&run));
        assert!(matches!(inner, Err(Error::Sharded { index: 2, count: 2 })));
        assert_eq!(calls.len(), 1);
        ridge.run(&run)
    })
    .unwrap();
    assert_eq!(nested, ridge.run(&run));
    assert!(ridge.run(&run).is_ok());
}
