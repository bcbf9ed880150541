//! The parallel dense kernel (issue 17 §2): inside `linalg::with_parallel_kernel` the large
//! products, Gram products and the Cholesky factorisation and solves run on rayon's pool; their
//! results must be bit-identical to the sequential kernel for every number of threads. Each
//! operation is run sequentially (outside `with_parallel_kernel`) and inside it on dedicated
//! rayon pools of 1, 2 and 3 threads, at sizes where faer splits the work (600 and above), and
//! compared with `==` on the raw bits.

use overparam::linalg::{
    Cholesky, Matrix, PARALLEL_MIN_FLOPS, SymmetricEigen, kernel_threads, parallel_kernel_enabled,
    with_parallel_kernel,
};
use overparam::sim::rng::{normal, trial_rng};

/// `f` on a dedicated pool of `threads` threads.
fn on<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool")
        .install(f)
}

/// A dense matrix of standard normal entries.
fn sample(nrows: usize, ncols: usize, seed: u64) -> Matrix {
    let mut rng = trial_rng(seed, 0);
    Matrix::from_fn(nrows, ncols, |_, _| normal(&mut rng))
}

/// The bits of every entry (so `-0.0` and `0.0`, or two NaNs, are told apart).
fn bits(m: &Matrix) -> Vec<u64> {
    (0..m.ncols())
        .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
        .map(|(i, j)| m.get(i, j).unwrap_or(f64::NAN).to_bits())
        .collect()
}

/// `op` sequentially, then inside `with_parallel_kernel` on pools of 1, 2 and 3 threads: the
/// same bits every time.
fn bit_identical(what: &str, op: impl Fn() -> Vec<u64> + Send + Sync) {
    let seq = op();
    assert!(!parallel_kernel_enabled());
    assert_eq!(kernel_threads(usize::MAX), 1, "sequential outside");
    for threads in [1, 2, 3] {
        let par = on(threads, || {
            with_parallel_kernel(|| {
                // The large operations really run on every thread of the pool.
                assert_eq!(kernel_threads(PARALLEL_MIN_FLOPS), threads);
                assert_eq!(kernel_threads(PARALLEL_MIN_FLOPS - 1), 1);
                op()
            })
        });
        assert!(
            seq == par,
            "{what}: parallel kernel on {threads} threads differs from the sequential kernel"
        );
    }
    assert!(!parallel_kernel_enabled(), "the setting is restored");
}

#[test]
fn products_and_grams_are_bit_identical_for_any_thread_count() {
    // Odd sizes, so that the blocks of the split do not line up with the matrix.
    let (m, k, n) = (613, 701, 655);
    assert!(m * k * n >= PARALLEL_MIN_FLOPS);
    let a = sample(m, k, 1);
    let b = sample(k, n, 2);
    let bt = sample(n, k, 3);
    let c = sample(m, n, 4);
    bit_identical("A B", || bits(&a.matmul(&b, 0.7).unwrap()));
    bit_identical("A^T C", || bits(&a.matmul_tn(&c, 1.3).unwrap()));
    bit_identical("A B^T", || bits(&a.matmul_nt(&bt, 1.0).unwrap()));
    bit_identical("A^T A", || bits(&a.gram(1.0 / k as f64)));
    bit_identical("A A^T", || bits(&a.gram_rows(0.5)));
    let mut out = Matrix::zeros(k, k);
    bit_identical("A^T A into", || {
        let mut o = out.clone();
        a.gram_into(2.0, &mut o).unwrap();
        bits(&o)
    });
    out.scale(0.0);
    // A square product at 1000 (the random-features feature matrices at d = 500).
    let x = sample(1000, 1000, 5);
    bit_identical("X X (1000)", || bits(&x.matmul(&x, 1.0).unwrap()));
}

#[test]
fn cholesky_and_its_solves_are_bit_identical_for_any_thread_count() {
    for n in [600, 1024] {
        let z = sample(n + 37, n, 10 + n as u64);
        let gram = z.gram(1.0 / n as f64);
        let rhs = sample(n, 300, 20 + n as u64);
        for shift in [0.0, 1e-3] {
            bit_identical("Cholesky factor (log det)", || {
                vec![Cholesky::new(&gram, shift).unwrap().log_det().to_bits()]
            });
            bit_identical("Cholesky solve", || {
                bits(&Cholesky::new(&gram, shift).unwrap().solve(&rhs).unwrap())
            });
            bit_identical("L^-1 B", || {
                bits(
                    &Cholesky::new(&gram, shift)
                        .unwrap()
                        .solve_lower(&rhs)
                        .unwrap(),
                )
            });
            bit_identical("L^-T B", || {
                bits(
                    &Cholesky::new(&gram, shift)
                        .unwrap()
                        .solve_lower_transpose(&rhs)
                        .unwrap(),
                )
            });
        }
    }
}

#[test]
fn the_sequential_operations_stay_sequential_inside_the_parallel_kernel() {
    // The eigendecomposition is never parallel (faer's parallel tridiagonalisation rounds
    // differently per thread count): still bit-identical inside the parallel kernel.
    let z = sample(700, 640, 30);
    let gram = z.gram(1.0 / 640.0);
    bit_identical("eigenvalues and vectors", || {
        let e = SymmetricEigen::new(&gram).unwrap();
        let mut v: Vec<u64> = e.values().iter().map(|s| s.to_bits()).collect();
        v.extend(bits(e.vectors()));
        v
    });
}

#[test]
fn the_setting_is_restored_after_a_panic_and_nests() {
    assert!(!parallel_kernel_enabled());
    let r = std::panic::catch_unwind(|| with_parallel_kernel(|| panic!("inside")));
    assert!(r.is_err());
    assert!(!parallel_kernel_enabled(), "restored after unwinding");
    with_parallel_kernel(|| {
        with_parallel_kernel(|| assert!(parallel_kernel_enabled()));
        assert!(
            parallel_kernel_enabled(),
            "an inner call leaves the outer one on"
        );
    });
    assert!(!parallel_kernel_enabled());
}
