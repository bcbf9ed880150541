//! Bit-identical results for any number of threads (issue 17 §2): the same run on a rayon pool
//! of 1 thread and of 2 threads (and 3, more threads than this machine's cores) gives equal
//! reports, for every simulation whose trial loop is `run_trials` and for the amortised curves.
//! The linear algebra inside a trial is sequential (`Par::Seq`), so a trial's arithmetic does
//! not depend on the pool; the trials are collected in trial order.

use overparam::experiment::RunOptions;
use overparam::sim::adversarial::AdversarialRfSimulation;
use overparam::sim::random_features::RandomFeaturesSimulation;
use overparam::sim::ridge::{AnisotropicRidgeSimulation, LinearRidgeSimulation};
use overparam::spectral::Population;
use overparam::theory::adversarial::AdversarialRf;
use overparam::theory::random_features::RandomFeatures;
use overparam::theory::ridge::{AnisotropicRidge, Ridge};

const RUN: RunOptions = RunOptions {
    seed: 5,
    trials: 5,
    progress: false,
};

/// `f` on a pool of `threads` threads.
fn on<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool")
        .install(f)
}

fn identical<T: PartialEq + std::fmt::Debug + Send>(f: impl Fn() -> T + Send + Sync) {
    let one = on(1, &f);
    for threads in [2, 3] {
        assert_eq!(one, on(threads, &f), "1 thread vs {threads}");
    }
}

#[test]
fn ridge_points_and_curves_are_bit_identical_across_thread_counts() {
    let sim = LinearRidgeSimulation {
        model: Ridge::new(2.0, 0.1, 1.0),
        n: 80,
    }
    .check()
    .unwrap();
    identical(|| sim.run(&RUN).unwrap());
    identical(|| sim.run_lambda_curve(&RUN, &[0.0, 0.1, 1.0]).unwrap());
    let pop = Population::new(vec![1.0, 10.0], vec![0.7, 0.3], vec![0.2, 0.8]).unwrap();
    let aniso = AnisotropicRidgeSimulation {
        model: AnisotropicRidge::new(pop, 2.0, 0.1, 4.0),
        n: 50,
    }
    .check()
    .unwrap();
    identical(|| aniso.run(&RUN).unwrap());
    identical(|| aniso.run_lambda_curve(&RUN, &[0.01, 0.5]).unwrap());
}

#[test]
fn random_features_points_and_curves_are_bit_identical_across_thread_counts() {
    for psi1 in [1.0, 3.0] {
        let sim = RandomFeaturesSimulation {
            model: RandomFeatures {
                psi1,
                psi2: 2.0,
                lambda: 0.05,
                f_star: 0.5,
                ..Default::default()
            },
            d: 20,
            test_points: 50,
            ..Default::default()
        }
        .check()
        .unwrap();
        identical(|| sim.run(&RUN).unwrap());
        identical(|| sim.run_lambda_curve(&RUN, &[0.01, 0.1, 1.0]).unwrap());
    }
}

#[test]
fn adversarial_runs_are_bit_identical_across_thread_counts() {
    let sim = AdversarialRfSimulation {
        model: AdversarialRf {
            psi1: 2.0,
            psi2: 2.0,
            eps: 0.3,
            ..AdversarialRf::default()
        },
        d: 20,
    }
    .check()
    .unwrap();
    identical(|| {
        let r = sim.run(&RUN).unwrap();
        format!("{r:?}")
    });
}
