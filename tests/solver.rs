//! Integration tests of the solver engine against independent references (closed forms,
//! a bracketed root finder, an exact linear solve).

use num_complex::Complex64;
use overparam::error::{Error, Result};
use overparam::solver::{
    BrentOptOptions, ContinuationOptions, FiniteDifference, FixedPointMethod, FixedPointOptions,
    JumpPolicy, LogGridOptions, NewtonOptions, PointSolution, RootOptions, brent_root,
    continuation, fixed_point, minimize_log_scale, minimize_scalar, newton, newton_with_jacobian,
};

const DOTTIE: f64 = 0.739_085_133_215_160_7;

fn opts(method: FixedPointMethod) -> FixedPointOptions {
    FixedPointOptions {
        method,
        ..FixedPointOptions::default()
    }
}

fn cos_map(x: &[f64], out: &mut [f64]) -> Result<()> {
    out[0] = x[0].cos();
    Ok(())
}

#[test]
fn every_method_finds_the_dottie_number() {
    for method in [
        FixedPointMethod::Picard,
        FixedPointMethod::Anderson,
        FixedPointMethod::Newton,
        FixedPointMethod::Auto,
    ] {
        let r = fixed_point(cos_map, &[1.0], opts(method)).unwrap();
        assert!((r.solution[0] - DOTTIE).abs() < 1e-12, "{method:?}: {r:?}");
        assert!(r.residual <= 1e-12);
        // The reported residual is |cos x - x| at the returned x.
        assert!(((r.solution[0].cos() - r.solution[0]).abs() - r.residual).abs() < 1e-16);
        eprintln!(
            "dottie {method:?}: iterations {} evaluations {}",
            r.iterations, r.evaluations
        );
    }
}

#[test]
fn adaptive_damping_converges_where_plain_picard_oscillates() {
    // G(x) = 2.5 cos x: G'(x*) = -2.5 sin x* ~ -2.24, so x <- G(x) is repelled from x*.
    let g = |x: f64| 2.5 * x.cos();
    let reference = brent_root(|x| x - g(x), 0.0, 1.5, RootOptions::default())
        .unwrap()
        .root;
    assert!((-2.5 * reference.sin()).abs() > 2.0);
    let mut x = reference + 1e-3;
    for _ in 0..200 {
        x = g(x);
    }
    assert!(
        (x - reference).abs() > 0.1,
        "plain Picard should not converge, got {x}"
    );

    let r = fixed_point(
        |x: &[f64], o: &mut [f64]| {
            o[0] = g(x[0]);
            Ok(())
        },
        &[1.0],
        opts(FixedPointMethod::Picard),
    )
    .unwrap();
    assert!(
        (r.solution[0] - reference).abs() < 1e-12,
        "{r:?} vs {reference}"
    );
    eprintln!("damped Picard on 2.5 cos x: {} iterations", r.iterations);
}

/// A = H diag(lambda) H with H = I - 2 v v^T / |v|^2 (orthogonal, symmetric),
/// lambda_i = 0.99 i / (n - 1): spectral radius 0.99.
struct LinearProblem {
    n: usize,
    v: Vec<f64>,
    vv: f64,
    lambda: Vec<f64>,
    b: Vec<f64>,
}

impl LinearProblem {
    fn new(n: usize) -> Self {
        let v: Vec<f64> = (0..n).map(|i| 1.0 + (i as f64 * 0.7).sin()).collect();
        let vv = v.iter().map(|x| x * x).sum();
        let lambda = (0..n).map(|i| 0.99 * i as f64 / (n - 1) as f64).collect();
        let b = (0..n).map(|i| (i as f64 * 1.3).cos()).collect();
        Self {
            n,
            v,
            vv,
            lambda,
            b,
        }
    }
    fn reflect(&self, x: &[f64]) -> Vec<f64> {
        let c = 2.0 * self.v.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() / self.vv;
        x.iter().zip(&self.v).map(|(xi, vi)| xi - c * vi).collect()
    }
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        let y: Vec<f64> = self
            .reflect(x)
            .iter()
            .zip(&self.lambda)
            .map(|(a, l)| a * l)
            .collect();
        for ((o, h), b) in out.iter_mut().zip(self.reflect(&y)).zip(&self.b) {
            *o = h + b;
        }
    }
    /// x = (I - A)^{-1} b = H diag(1 / (1 - lambda)) H b.
    fn exact(&self) -> Vec<f64> {
        let y: Vec<f64> = self
            .reflect(&self.b)
            .iter()
            .zip(&self.lambda)
            .map(|(a, l)| a / (1.0 - l))
            .collect();
        self.reflect(&y)
    }
}

#[test]
fn anderson_beats_picard_on_a_slow_linear_contraction() {
    let p = LinearProblem::new(20);
    let exact = p.exact();
    let map = |x: &[f64], o: &mut [f64]| {
        p.apply(x, o);
        Ok(())
    };
    let x0 = vec![0.0; p.n];
    let mut iters = Vec::new();
    for method in [
        FixedPointMethod::Picard,
        FixedPointMethod::Anderson,
        FixedPointMethod::Newton,
    ] {
        let o = FixedPointOptions {
            method,
            max_iter: 20_000,
            ..FixedPointOptions::default()
        };
        let r = fixed_point(map, &x0, o).unwrap();
        // r <= tol gives |(I - A) e|_inf <= tol max(1, |x|_inf), so
        // |e|_2 <= sqrt(n) tol max(1, |x|_inf) / (1 - 0.99).
        let xmax = exact.iter().fold(1.0, |m: f64, v| m.max(v.abs()));
        let bound = (p.n as f64).sqrt() * 1e-12 * xmax / 0.01 * 1.01;
        let err = r
            .solution
            .iter()
            .zip(&exact)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err < bound, "{method:?}: error {err} > {bound}");
        eprintln!(
            "linear n=20 rho=0.99 {method:?}: iterations {} evaluations {} error {err:.2e} (bound {bound:.2e})",
            r.iterations, r.evaluations
        );
        iters.push(r.iterations);
    }
    assert!(
        iters[1] * 10 < iters[0],
        "Anderson {} vs Picard {}",
        iters[1],
        iters[0]
    );
    assert!(iters[2] <= 3, "Newton on a linear map: {}", iters[2]);
    // Longer memory (informational; must still converge).
    let o = FixedPointOptions {
        method: FixedPointMethod::Anderson,
        anderson_memory: 10,
        ..FixedPointOptions::default()
    };
    let r = fixed_point(map, &x0, o).unwrap();
    eprintln!(
        "linear n=20 rho=0.99 Anderson(m=10): iterations {}",
        r.iterations
    );
    // Auto: Anderson alone needs more than 30 evaluations here; the Newton polish finishes.
    let o = FixedPointOptions {
        max_iter: 30,
        ..FixedPointOptions::default()
    };
    let r = fixed_point(map, &x0, o).unwrap();
    assert_eq!(r.method, FixedPointMethod::Newton);
    let err = r
        .solution
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-8, "{err}");
    let anderson_only = FixedPointOptions {
        max_iter: 30,
        method: FixedPointMethod::Anderson,
        ..Default::default()
    };
    assert!(matches!(
        fixed_point(map, &x0, anderson_only),
        Err(Error::NotConverged { .. })
    ));
}

/// Stieltjes transform of Marchenko–Pastur (ratio gamma, unit variance), closed form:
/// the root of gamma z m^2 - (1 - gamma - z) m + 1 = 0 with Im m > 0 (for Im z > 0).
fn mp_stieltjes(z: Complex64, gamma: f64) -> Complex64 {
    let a = 1.0 - gamma - z;
    let disc = (a * a - 4.0 * gamma * z).sqrt();
    let r1 = (a - disc) / (2.0 * gamma * z);
    let r2 = (a + disc) / (2.0 * gamma * z);
    if r1.im > 0.0 { r1 } else { r2 }
}

#[test]
fn complex_marchenko_pastur_fixed_point_matches_closed_form() {
    let gamma = 0.5;
    let z = Complex64::new(1.0, 0.5);
    let reference = mp_stieltjes(z, gamma);
    assert!(reference.im > 0.0);
    // m = 1 / (1 - gamma - z - gamma z m).
    let map = |m: &[Complex64], o: &mut [Complex64]| {
        o[0] = 1.0 / (1.0 - gamma - z - gamma * z * m[0]);
        Ok(())
    };
    for method in [
        FixedPointMethod::Picard,
        FixedPointMethod::Anderson,
        FixedPointMethod::Newton,
        FixedPointMethod::Auto,
    ] {
        let r = fixed_point(map, &[Complex64::new(0.0, 1.0)], opts(method)).unwrap();
        assert!(
            (r.solution[0] - reference).norm() < 1e-11,
            "{method:?}: {r:?} vs {reference}"
        );
        eprintln!(
            "MP m(1+0.5i) {method:?}: iterations {} evaluations {}",
            r.iterations, r.evaluations
        );
    }
}

fn system(x: &[f64], o: &mut [f64]) -> Result<()> {
    // Root (1, 2, 3).
    o[0] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - 14.0;
    o[1] = x[0] * x[1] - 2.0;
    o[2] = x[1] * x[2] - 6.0;
    Ok(())
}

fn system_jacobian(x: &[f64], j: &mut [f64]) -> Result<()> {
    j.copy_from_slice(&[
        2.0 * x[0],
        2.0 * x[1],
        2.0 * x[2],
        x[1],
        x[0],
        0.0,
        0.0,
        x[2],
        x[1],
    ]);
    Ok(())
}

#[test]
fn newton_analytic_and_finite_difference_jacobians_agree() {
    let x0 = [0.8, 1.7, 3.4];
    let root = [1.0, 2.0, 3.0];
    let analytic =
        newton_with_jacobian(system, system_jacobian, &x0, NewtonOptions::default()).unwrap();
    let forward = newton(system, &x0, NewtonOptions::default()).unwrap();
    let central = newton(
        system,
        &x0,
        NewtonOptions {
            finite_difference: FiniteDifference::Central,
            ..NewtonOptions::default()
        },
    )
    .unwrap();
    for r in [&analytic, &forward, &central] {
        for (a, b) in r.solution.iter().zip(root) {
            assert!((a - b).abs() < 1e-12, "{r:?}");
        }
        assert!(r.residual <= 1e-12);
        assert!(r.iterations <= 8, "{r:?}");
    }
    // Quadratic convergence makes the iteration counts (almost) identical.
    assert!(analytic.iterations.abs_diff(forward.iterations) <= 1);
    assert!(analytic.iterations.abs_diff(central.iterations) <= 1);
}

#[test]
fn newton_line_search_rescues_a_far_start() {
    // arctan(x) = 0: the full Newton step diverges from |x| > 1.39; backtracking converges.
    let r = newton(
        |x: &[f64], o: &mut [f64]| {
            o[0] = x[0].atan();
            Ok(())
        },
        &[10.0],
        NewtonOptions::default(),
    )
    .unwrap();
    assert!(r.solution[0].abs() < 1e-12, "{r:?}");
}

#[test]
fn typed_errors() {
    // Non-convergence carries the last iterate and its residual.
    let p = LinearProblem::new(20);
    let map = |x: &[f64], o: &mut [f64]| {
        p.apply(x, o);
        Ok(())
    };
    let o = FixedPointOptions {
        max_iter: 3,
        method: FixedPointMethod::Picard,
        ..Default::default()
    };
    match fixed_point(map, &[0.0; 20], o).unwrap_err() {
        Error::NotConverged {
            iterations,
            residual,
            last_iterate,
            ..
        } => {
            assert_eq!(iterations, 3);
            assert_eq!(last_iterate.len(), 20);
            let mut g = vec![0.0; 20];
            p.apply(&last_iterate, &mut g);
            let r = g
                .iter()
                .zip(&last_iterate)
                .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
                .fold(0.0, f64::max);
            assert!(
                (r - residual).abs() <= 1e-15 * r.max(1.0),
                "{r} vs {residual}"
            );
        }
        e => panic!("{e:?}"),
    }
    // Complex iterates are stored as re, im pairs.
    let z = Complex64::new(1.0, 0.5);
    let cmap = |m: &[Complex64], o: &mut [Complex64]| {
        o[0] = 1.0 / (0.5 - z - 0.5 * z * m[0]);
        Ok(())
    };
    let o = FixedPointOptions {
        max_iter: 3,
        method: FixedPointMethod::Anderson,
        ..Default::default()
    };
    match fixed_point(cmap, &[Complex64::new(0.0, 1.0)], o).unwrap_err() {
        Error::NotConverged { last_iterate, .. } => assert_eq!(last_iterate.len(), 2),
        e => panic!("{e:?}"),
    }
    // A NaN-producing map.
    for method in [
        FixedPointMethod::Picard,
        FixedPointMethod::Anderson,
        FixedPointMethod::Newton,
        FixedPointMethod::Auto,
    ] {
        let e = fixed_point(
            |x: &[f64], o: &mut [f64]| {
                o[0] = (x[0] - 10.0).sqrt();
                Ok(())
            },
            &[1.0],
            opts(method),
        )
        .unwrap_err();
        assert!(matches!(e, Error::NonFinite { .. }), "{method:?}: {e:?}");
    }
    // Bad dimensions and options.
    let e = fixed_point(cos_map, &[], FixedPointOptions::default()).unwrap_err();
    assert!(matches!(e, Error::DimensionMismatch { .. }));
    let e = fixed_point(
        cos_map,
        &[1.0],
        FixedPointOptions {
            damping: 1.5,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidParameter {
            name: "damping",
            ..
        }
    ));
    let e = newton(system, &[], NewtonOptions::default()).unwrap_err();
    assert!(matches!(e, Error::DimensionMismatch { .. }));
    // Newton out of iterations.
    let e = newton(
        system,
        &[0.8, 1.7, 3.4],
        NewtonOptions {
            max_iter: 1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::NotConverged { iterations: 1, .. }),
        "{e:?}"
    );
    // The map's own errors pass through.
    let e = fixed_point(
        |_: &[f64], _: &mut [f64]| {
            Err(Error::InvalidChoice {
                name: "m",
                value: "x".into(),
                expected: "y",
            })
        },
        &[1.0],
        FixedPointOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidChoice { .. }));
}

/// Real roots of x^3 - x - p = 0 in increasing order (closed forms).
fn cubic_roots(p: f64) -> Vec<f64> {
    let fold = 2.0 / (3.0 * 3f64.sqrt());
    if p.abs() < fold {
        // Trigonometric form: x_k = (2/sqrt 3) cos(theta/3 - 2 pi k / 3), cos theta = 3 sqrt(3) p / 2.
        let theta = (1.5 * 3f64.sqrt() * p).acos();
        let mut r: Vec<f64> = (0..3)
            .map(|k| {
                2.0 / 3f64.sqrt()
                    * (theta / 3.0 - 2.0 * std::f64::consts::PI * k as f64 / 3.0).cos()
            })
            .collect();
        r.sort_by(f64::total_cmp);
        r
    } else {
        // Cardano.
        let s = (p * p / 4.0 - 1.0 / 27.0).sqrt();
        vec![(p / 2.0 + s).cbrt() + (p / 2.0 - s).cbrt()]
    }
}

/// Newton from the warm start only (fails past the fold: no root nearby).
fn cubic_point_local(p: f64, warm: &[f64]) -> Result<PointSolution<f64>> {
    let r = newton(
        |x: &[f64], o: &mut [f64]| {
            o[0] = x[0] * x[0] * x[0] - x[0] - p;
            Ok(())
        },
        warm,
        NewtonOptions::default(),
    )?;
    Ok(PointSolution {
        solution: r.solution,
        residual: r.residual,
        iterations: r.iterations,
    })
}

/// Newton from the warm start, falling back to a start at x = 2 (which can land on any branch).
fn cubic_point(p: f64, warm: &[f64]) -> Result<PointSolution<f64>> {
    cubic_point_local(p, warm).or_else(|_| cubic_point_local(p, &[2.0]))
}

#[test]
fn continuation_follows_the_lower_cubic_branch_to_its_fold() {
    let fold = 2.0 / (3.0 * 3f64.sqrt());
    let params: Vec<f64> = (0..=16).map(|i| -2.0 + 0.25 * i as f64).collect();
    let o = ContinuationOptions {
        max_relative_jump: 0.2,
        on_unresolved_jump: JumpPolicy::Accept,
        ..ContinuationOptions::default()
    };
    let rep = continuation(&params, &[-1.5], cubic_point, o).unwrap();
    for pt in &rep.points {
        let roots = cubic_roots(pt.parameter);
        // Before the fold the path must be on the lowest root (the branch it started on); after
        // it only one real root is left.
        let expected = roots[0];
        assert!(
            (pt.solution[0] - expected).abs() < 1e-10,
            "p = {}: {} vs {roots:?}",
            pt.parameter,
            pt.solution[0]
        );
    }
    assert_eq!(rep.unresolved_jumps, 1);
    let jumps: Vec<_> = rep
        .points
        .iter()
        .filter_map(|p| p.unresolved_jump)
        .collect();
    let (a, b) = jumps[0];
    assert!(
        a <= fold && fold <= b && (b - a) < 0.25 / 256.0,
        "jump across [{a}, {b}], fold {fold}"
    );
    assert!(rep.substeps_inserted > 0);
    eprintln!(
        "cubic continuation: solves {} substeps {} iterations {} jump [{a:.6}, {b:.6}]",
        rep.solves, rep.substeps_inserted, rep.total_iterations
    );

    // Under the default policy the jump is an error.
    let e = continuation(
        &params,
        &[-1.5],
        cubic_point,
        ContinuationOptions {
            max_relative_jump: 0.2,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotConverged {
                method: "continuation (solution jump at minimal step)",
                ..
            }
        ),
        "{e:?}"
    );
    // A purely local solver cannot pass the fold: its own error comes through.
    let e = continuation(&params, &[-1.5], cubic_point_local, o).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotConverged {
                method: "newton (line search failed)",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn continuation_of_the_marchenko_pastur_transform_along_a_complex_path() {
    let gamma = 0.5;
    let eta = 0.05;
    let xs: Vec<f64> = (0..=40).map(|i| 0.05 + 0.1 * i as f64).collect();
    let rep = continuation(
        &xs,
        &[Complex64::new(0.0, 1.0)],
        |x: f64, warm: &[Complex64]| {
            let z = Complex64::new(x, eta);
            let r = fixed_point(
                |m: &[Complex64], o: &mut [Complex64]| {
                    o[0] = 1.0 / (1.0 - gamma - z - gamma * z * m[0]);
                    Ok(())
                },
                warm,
                FixedPointOptions::default(),
            )?;
            Ok(PointSolution {
                solution: r.solution,
                residual: r.residual,
                iterations: r.iterations,
            })
        },
        ContinuationOptions::default(),
    )
    .unwrap();
    for (pt, x) in rep.points.iter().zip(&xs) {
        let reference = mp_stieltjes(Complex64::new(*x, eta), gamma);
        assert!(
            (pt.solution[0] - reference).norm() < 1e-9 * reference.norm().max(1.0),
            "x = {x}: {:?} vs {reference}",
            pt.solution[0]
        );
    }
}

#[test]
fn minimisation_finds_e() {
    let f = |x: f64| Ok((x.ln() - 1.0).powi(2) + 3.0);
    let e = std::f64::consts::E;
    let m = minimize_scalar(f, 0.5, 10.0, BrentOptOptions::default()).unwrap();
    assert!((m.location - e).abs() < 1e-6, "{m:?}");
    assert!((m.value - 3.0).abs() < 1e-14);
    let m = minimize_log_scale(f, 1e-8, 1e2, LogGridOptions::default()).unwrap();
    assert!((m.location / e - 1.0).abs() < 1e-7, "{m:?}");
    assert!((m.value - 3.0).abs() < 1e-14);
    eprintln!(
        "log-scale minimisation: {} Brent iterations, {} evaluations",
        m.iterations, m.evaluations
    );
    let err = minimize_log_scale(f, 0.0, 1.0, LogGridOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }));
}

mod bounded_newton {
    use super::*;
    use overparam::solver::{NewtonProblem, NewtonScaling, NewtonTermination, newton_bounded};
    use std::cell::RefCell;

    /// $F(x) = \ln x - 1$ (root $e$) is undefined for $x \le 0$. From $x_0 = 10$ the Newton step
    /// $-x_0(\ln x_0 - 1) \approx -13$ leaves the domain: the unbounded solve fails there, the
    /// bounded one caps the first step at $\tau x_0$ and converges to $e$ with every evaluation
    /// at $x \ge (1 - \tau) x_0$.
    #[test]
    fn fraction_to_boundary_keeps_iterates_in_the_domain() {
        let seen = RefCell::new(Vec::new());
        let f = |x: &[f64], out: &mut [f64]| -> Result<()> {
            seen.borrow_mut().push(x[0]);
            if x[0] <= 0.0 {
                return Err(Error::InvalidParameter {
                    name: "x",
                    value: x[0],
                    expected: "> 0",
                });
            }
            out[0] = x[0].ln() - 1.0;
            Ok(())
        };
        let jac = |x: &[f64], out: &mut [f64]| -> Result<()> {
            out[0] = 1.0 / x[0];
            Ok(())
        };
        let unbounded = newton_with_jacobian(f, jac, &[10.0], NewtonOptions::default());
        assert!(matches!(unbounded, Err(Error::InvalidParameter { .. })));
        seen.borrow_mut().clear();
        let lower = [0.0];
        let tau = 0.995;
        let r = newton_bounded(
            f,
            jac,
            &[10.0],
            &NewtonProblem {
                lower: Some(&lower),
                ..NewtonProblem::default()
            },
            NewtonOptions {
                fraction_to_boundary: tau,
                ..NewtonOptions::default()
            },
        )
        .unwrap();
        assert!((r.solution[0] - std::f64::consts::E).abs() < 1e-12, "{r:?}");
        assert_eq!(r.termination, NewtonTermination::ResidualBelowTolerance);
        let seen = seen.borrow();
        assert!((seen[1] - (1.0 - tau) * 10.0).abs() < 1e-12, "{seen:?}");
        assert!(seen.iter().all(|&x| x >= (1.0 - tau) * 10.0 - 1e-12));
        // An upper bound caps steps the other way: F(x) = 1 - ln x from x0 = 0.1 steps to
        // 0.1 + 0.1 (1 + ln 10) = 0.43 < 0.5, but with the bound 0.3 the first trial is
        // 0.1 + tau (0.3 - 0.1).
        let upper = [0.3];
        let lower = [0.0];
        let first = RefCell::new(None);
        let e = newton_bounded(
            |x: &[f64], out: &mut [f64]| {
                first.borrow_mut().get_or_insert(Vec::new()).push(x[0]);
                out[0] = 1.0 - x[0].ln();
                Ok(())
            },
            |x: &[f64], out: &mut [f64]| {
                out[0] = -1.0 / x[0];
                Ok(())
            },
            &[0.1],
            &NewtonProblem {
                lower: Some(&lower),
                upper: Some(&upper),
                method: Some("bounded test"),
                ..NewtonProblem::default()
            },
            NewtonOptions {
                max_iter: 5,
                ..NewtonOptions::default()
            },
        );
        // The root e lies outside the box: a typed failure carrying the method name.
        match e {
            Err(Error::NotConverged { method, .. }) => assert_eq!(method, "bounded test"),
            other => panic!("{other:?}"),
        }
        let first = first.borrow();
        let trials = first.as_ref().unwrap();
        assert!((trials[1] - (0.1 + tau * 0.2)).abs() < 1e-12, "{trials:?}");
        assert!(trials.iter().all(|&x| x > 0.0 && x < 0.3));
    }

    /// Variable scaling and residual weights do not move the root: the badly scaled system
    /// $F(x) = (10^8 x_1 - 1,\ 10^{-4} x_2^2 - 4 \cdot 10^{-4})$ has the root $(10^{-8}, 2)$ in every
    /// mode; the weighted residual is $\max_i |F_i| / w_i$.
    #[test]
    fn scaling_and_weights_find_the_same_root() {
        let f = |x: &[f64], out: &mut [f64]| -> Result<()> {
            out[0] = 1e8 * x[0] - 1.0;
            out[1] = 1e-4 * x[1] * x[1] - 4e-4;
            Ok(())
        };
        let jac = |x: &[f64], out: &mut [f64]| -> Result<()> {
            out.copy_from_slice(&[1e8, 0.0, 0.0, 2e-4 * x[1]]);
            Ok(())
        };
        let weights = [1e8, 1e-4];
        for scaling in [NewtonScaling::None, NewtonScaling::Variables] {
            for w in [None, Some(&weights[..])] {
                let r = newton_bounded(
                    f,
                    jac,
                    &[3e-8, 5.0],
                    &NewtonProblem {
                        weights: w,
                        ..NewtonProblem::default()
                    },
                    NewtonOptions {
                        tolerance: 1e-13,
                        scaling,
                        ..NewtonOptions::default()
                    },
                )
                .unwrap();
                assert!((r.solution[0] - 1e-8).abs() < 1e-20, "{r:?}");
                assert!((r.solution[1] - 2.0).abs() < 1e-9, "{r:?}");
                let mut fx = [0.0; 2];
                f(&r.solution, &mut fx).unwrap();
                let expected = match w {
                    Some(w) => (fx[0] / w[0]).abs().max((fx[1] / w[1]).abs()),
                    None => fx[0].abs().max(fx[1].abs()),
                };
                assert_eq!(r.residual, expected);
            }
        }
        // Invalid per-problem data is a typed error.
        let bad = [1.0, -1.0];
        assert!(matches!(
            newton_bounded(
                f,
                jac,
                &[1.0, 1.0],
                &NewtonProblem {
                    weights: Some(&bad),
                    ..NewtonProblem::default()
                },
                NewtonOptions::default()
            ),
            Err(Error::InvalidParameter {
                name: "weights",
                ..
            })
        ));
        let lower = [2.0, 0.0];
        assert!(matches!(
            newton_bounded(
                f,
                jac,
                &[1.0, 1.0],
                &NewtonProblem {
                    lower: Some(&lower),
                    ..NewtonProblem::default()
                },
                NewtonOptions::default()
            ),
            Err(Error::InvalidParameter { name: "x0", .. })
        ));
        assert!(matches!(
            newton_bounded(
                f,
                jac,
                &[1.0, 1.0],
                &NewtonProblem {
                    lower: Some(&lower[..1]),
                    ..NewtonProblem::default()
                },
                NewtonOptions::default()
            ),
            Err(Error::DimensionMismatch { .. })
        ));
    }

    /// $F(x) = x^2 + 10^{-13}$ has no root; $|F| \ge 10^{-13}$ with the minimum at 0. Newton
    /// halves $x$ and stalls near the floor: with a tolerance of $10^{-15}$ it fails, and with
    /// `accept_stalled = 1e3` it returns the stalled point (residual $\le 10^{-12}$), flagged.
    #[test]
    fn stalled_solves_are_accepted_only_when_asked() {
        let f = |x: &[f64], out: &mut [f64]| -> Result<()> {
            out[0] = x[0] * x[0] + 1e-13;
            Ok(())
        };
        let jac = |x: &[f64], out: &mut [f64]| -> Result<()> {
            out[0] = 2.0 * x[0];
            Ok(())
        };
        let base = NewtonOptions {
            tolerance: 1e-15,
            max_iter: 60,
            ..NewtonOptions::default()
        };
        let strict = newton_bounded(f, jac, &[1.0], &NewtonProblem::default(), base);
        assert!(strict.is_err(), "{strict:?}");
        let r = newton_bounded(
            f,
            jac,
            &[1.0],
            &NewtonProblem::default(),
            NewtonOptions {
                accept_stalled: 1e3,
                ..base
            },
        )
        .unwrap();
        assert_eq!(r.termination, NewtonTermination::Stalled);
        assert!(r.residual <= 1e-12 && r.residual >= 1e-13, "{r:?}");
        // Options are validated.
        for bad in [
            NewtonOptions {
                armijo: 0.0,
                ..base
            },
            NewtonOptions {
                fraction_to_boundary: 1.0,
                ..base
            },
            NewtonOptions {
                accept_stalled: -1.0,
                ..base
            },
        ] {
            assert!(matches!(
                newton_bounded(f, jac, &[1.0], &NewtonProblem::default(), bad),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }
}

mod adaptive {
    use super::*;
    use overparam::solver::{ContinuationStep, adaptive_continuation, secant_prediction};

    /// A solver that lands on the wrong branch $x = -\sqrt s$ whenever the step from the last
    /// accepted point exceeds 0.3: the verification hook ($x > 0$) rejects those points, the step
    /// shrinks, and the walk still ends on $x = \sqrt 4 = 2$ with every accepted step
    /// $\le 0.3$ and the counts reported.
    #[test]
    fn verification_hook_rejections_shrink_the_step() {
        let accepted = std::cell::RefCell::new(vec![1.0]);
        let report = adaptive_continuation(
            (1.0, 4.0),
            &[1.0],
            secant_prediction,
            |s: f64, guess: &[f64]| {
                let last = *accepted.borrow().last().unwrap();
                let mut x = guess[0].abs().max(0.1);
                for _ in 0..60 {
                    x -= (x * x - s) / (2.0 * x);
                }
                if s - last > 0.3 {
                    x = -x;
                }
                Ok(ContinuationStep {
                    value: x,
                    residual: (x * x - s).abs(),
                })
            },
            |s: f64, x: &f64| {
                if *x > 0.0 {
                    accepted.borrow_mut().push(s);
                    Ok(())
                } else {
                    Err(Error::NotConverged {
                        method: "wrong branch",
                        iterations: 0,
                        residual: *x,
                        tolerance: 0.0,
                        last_iterate: vec![],
                    })
                }
            },
            |x: &f64| Ok(vec![*x]),
            &ContinuationOptions {
                first_step: 1.0,
                max_step: 1.0,
                grow: 2.0,
                ..ContinuationOptions::default()
            },
        )
        .unwrap();
        assert!((report.value - 2.0).abs() < 1e-14);
        assert!(report.residual < 1e-14);
        assert!(report.rejections >= 2, "{report:?}");
        assert_eq!(report.failures, 0);
        let s = accepted.borrow();
        assert_eq!(report.steps, s.len() - 1);
        assert_eq!(*s.last().unwrap(), 4.0);
        assert!(s.windows(2).all(|w| w[1] - w[0] <= 0.3 + 1e-15), "{s:?}");
    }

    /// Failures end the walk with the solver's own error below `min_step`, and with
    /// `NotConverged` (the distance still to go) after `max_steps` solves; the secant predictor
    /// is exact on a straight line.
    #[test]
    fn failures_and_budget_are_typed_errors() {
        let solve = |s: f64, g: &[f64]| {
            if s > 2.0 {
                Err(Error::NoSolution { what: "beyond 2" })
            } else {
                Ok(ContinuationStep {
                    value: g[0],
                    residual: 0.0,
                })
            }
        };
        let e = adaptive_continuation(
            (0.0, 3.0),
            &[0.0],
            secant_prediction,
            solve,
            |_, _: &f64| Ok(()),
            |x: &f64| Ok(vec![*x]),
            &ContinuationOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e, Error::NoSolution { what: "beyond 2" });
        let e = adaptive_continuation(
            (0.0, 3.0),
            &[0.0],
            secant_prediction,
            solve,
            |_, _: &f64| Ok(()),
            |x: &f64| Ok(vec![*x]),
            &ContinuationOptions {
                max_step: 0.1,
                max_steps: 5,
                ..ContinuationOptions::default()
            },
        )
        .unwrap_err();
        match e {
            Error::NotConverged { residual, .. } => assert!((residual - 2.5).abs() < 1e-12),
            other => panic!("{other:?}"),
        }
        let line = vec![(1.0, vec![3.0, -1.0]), (2.0, vec![5.0, -2.0])];
        assert_eq!(secant_prediction(&line, 3.5), vec![8.0, -3.5]);
        assert_eq!(secant_prediction(&line[..1], 3.5), vec![3.0, -1.0]);
        assert!(matches!(
            ContinuationOptions {
                shrink: 1.0,
                ..ContinuationOptions::default()
            }
            .check(),
            Err(Error::InvalidParameter { name: "shrink", .. })
        ));
    }
}

/// Found by the library fuzz: the secant predictor overflowed to `-inf` for a finite history
/// (a jump of 1e160 extrapolated by a ratio of ~1e199); it falls back to the last point.
#[test]
fn secant_prediction_is_finite_for_a_finite_history() {
    use overparam::solver::secant_prediction;
    let history = vec![
        (1e-300, vec![-1e-16, -1000.0]),
        (
            -0.9999999999999,
            vec![0.8814273819990284, -0.2795531073840843],
        ),
        (0.48128018911790527, vec![-1e160, 0.0017431295195657471]),
    ];
    let p = secant_prediction(&history, 2.7984146092701e199);
    assert_eq!(p, history[2].1);
    // An ordinary history is extrapolated: x = 2 s through (1, 2), (2, 4) predicts 6 at s = 3.
    let line = vec![(1.0, vec![2.0]), (2.0, vec![4.0])];
    assert_eq!(secant_prediction(&line, 3.0), vec![6.0]);
}

#[test]
fn continuation_from_near_f64_max_splits_without_overflow() {
    // The midpoint of f64::MAX and a large parameter used to overflow to +inf, and the split
    // then pushed +inf forever (memory grew until the process was killed; found by the library
    // fuzz). Here the solver succeeds at f64::MAX only: the
    // walk from f64::MAX to 2 must halve its step down to the minimal step and end in the
    // solver's own error after a bounded number of solves (the start, one per depth, the last).
    use overparam::solver::{ContinuationOptions, PointSolution, continuation};
    let opts = ContinuationOptions::default();
    let mut solves = 0usize;
    let mut largest_finite = true;
    let res = continuation(
        &[f64::MAX, 2.0],
        &[1.0],
        |p: f64, _x0: &[f64]| {
            solves += 1;
            largest_finite &= p.is_finite();
            if p < f64::MAX {
                Err(overparam::Error::NonFinite {
                    what: "test solver",
                })
            } else {
                Ok(PointSolution {
                    solution: vec![1.0],
                    residual: 0.0,
                    iterations: 1,
                })
            }
        },
        opts,
    );
    assert!(
        matches!(
            res,
            Err(overparam::Error::NonFinite {
                what: "test solver"
            })
        ),
        "{res:?}"
    );
    assert!(largest_finite, "a non-finite parameter reached the solver");
    assert!(solves <= opts.max_depth + 3, "{solves} solves");
}

#[test]
fn error_messages_print_extreme_values_with_an_exponent() {
    let e = overparam::Error::InvalidParameter {
        name: "noise_sd",
        value: 1e200,
        expected: "x",
    };
    assert_eq!(
        e.to_string(),
        "invalid parameter `noise_sd` = 1e200: expected x"
    );
    let e = overparam::Error::InvalidParameter {
        name: "psi1",
        value: 2.5,
        expected: "x",
    };
    assert_eq!(e.to_string(), "invalid parameter `psi1` = 2.5: expected x");
}
