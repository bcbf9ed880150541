//! Bit-identical results for any number of threads (issue 17 §2): the same run on a rayon pool
//! of 1 thread and of 2 threads (and 3, more threads than this machine's cores) gives equal
//! reports, for every simulation whose trial loop is `run_trials` and for the amortised curves.
//! The trials are collected in trial order, and the linear algebra inside a trial does not depend
//! on the pool: it is sequential, or, for a trial in the tail of the loop (fewer trials left than
//! threads) and for a trial run inside `linalg::with_parallel_kernel`, the parallel kernel, whose
//! products and Cholesky factorisations are bit-identical to the sequential ones for any number of
//! threads. The whole-trial tests below run at sizes where faer splits the work ($\ge 600$).

use overparam::experiment::RunOptions;
use overparam::linalg::with_parallel_kernel;
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

/// `trial` sequentially (outside the parallel kernel), then inside the parallel kernel on pools
/// of 1, 2 and 3 threads: the same `Debug` text (shortest round-trip decimals: equal text means
/// equal bits).
fn trial_identical<T: std::fmt::Debug>(what: &str, trial: impl Fn() -> T + Send + Sync) {
    let seq = format!("{:?}", trial());
    for threads in [1, 2, 3] {
        let par = on(threads, || {
            with_parallel_kernel(|| format!("{:?}", trial()))
        });
        assert_eq!(seq, par, "{what}: parallel kernel on {threads} threads");
    }
}

fn rf_large() -> overparam::sim::random_features::RandomFeaturesSimulator {
    // N = n = 600: the Gram matrix, its Cholesky factor and the products are split by faer.
    RandomFeaturesSimulation {
        model: RandomFeatures {
            psi1: 2.0,
            psi2: 2.0,
            lambda: 1e-3,
            noise_sd: 0.5,
            ..Default::default()
        },
        d: 300,
        test_points: 600,
        ..Default::default()
    }
    .check()
    .unwrap()
}

#[test]
fn whole_trials_are_bit_identical_inside_the_parallel_kernel() {
    let rf = rf_large();
    trial_identical("rf trial (N = n = 600)", || rf.run_trial(11, 0).unwrap());
    let ridge = LinearRidgeSimulation {
        model: Ridge::new(0.5, 0.1, 1.0),
        n: 1400,
    }
    .check()
    .unwrap();
    trial_identical("ridge trial (n = 1400, p = 700)", || {
        ridge.run_trial(11, 0).unwrap()
    });
    let adv = AdversarialRfSimulation {
        model: AdversarialRf {
            noise_sd: 0.5,
            psi1: 2.0,
            psi2: 2.0,
            eps: 0.3,
            ..AdversarialRf::default()
        },
        d: 300,
    }
    .check()
    .unwrap();
    trial_identical("adversarial rf trial (N = n = 600)", || {
        adv.trial(11, 0).unwrap()
    });
}

#[test]
fn runs_whose_tail_uses_the_parallel_kernel_are_bit_identical() {
    // 3 trials on 2 or 3 threads: the last trial (or every trial) runs in the parallel kernel;
    // on 1 thread none does. Equal reports.
    let rf = rf_large();
    let run = RunOptions {
        seed: 3,
        trials: 3,
        progress: false,
    };
    identical(|| rf.run(&run).unwrap());
    let ridge = LinearRidgeSimulation {
        model: Ridge::new(0.5, 0.1, 1.0),
        n: 1400,
    }
    .check()
    .unwrap();
    identical(|| ridge.run(&run).unwrap());
}
