//! Membership-inference theory against the reference values of docs/membership.md#derivation-notes-reference-values
//! (Tan, Mason, Javadi & Baraniuk 2022, arXiv:2202.01243; two-gaussians, output-attack-with-ridge, loss-attack sections), closed forms, brute-force threshold
//! scans, and quadrature of the Marchenko–Pastur law.

use overparam::Error;
use overparam::solver::root::{RootOptions, brent_root};
use overparam::theory::membership::{
    FiniteSize, Membership, MembershipModel, ScaleTest, Sweep, privacy_utility_curve,
};
use statrs::function::erf::erf;

fn model(gamma: f64, kappa: f64, sigma: f64, lambda: f64) -> MembershipModel {
    Membership {
        gamma,
        kappa,
        noise_sd: sigma,
        lambda,
        output_noise: 0.0,
        ..Default::default()
    }
    .check()
    .expect("valid parameters")
}

/// Brute-force advantage: max over a fine threshold grid of |P(|Z1| > t) - P(|Z0| > t)|, using
/// statrs' erf (a different implementation of Phi) — independent of the closed form.
fn brute_force_advantage(v1: f64, v0: f64) -> f64 {
    let tail = |t: f64, v: f64| 1.0 - erf(t / (2.0 * v).sqrt());
    let hi = 12.0 * v0.max(v1).sqrt();
    let mut best = 0.0_f64;
    // Coarse scan, then refine around the best point.
    let mut centre = 0.0;
    let mut width = hi;
    for _ in 0..6 {
        let lo = (centre - width).max(0.0);
        let step = 2.0 * width / 2000.0;
        for i in 0..=2000 {
            let t = lo + i as f64 * step;
            let d = (tail(t, v1) - tail(t, v0)).abs();
            if d > best {
                best = d;
                centre = t;
            }
        }
        width = 4.0 * step;
    }
    best
}

#[test]
fn scale_test_advantage_matches_note_values_and_brute_force() {
    // docs/membership.md#derivation-notes-two-gaussians: A(2), A(3), A(4), A(10), A(100), A(1e4).
    for (rho, expected) in [
        (2.0, 0.166064),
        (3.0, 0.259359),
        (4.0, 0.322675),
        (10.0, 0.503283),
        (100.0, 0.798216),
        (1e4, 0.973383),
    ] {
        let up = ScaleTest::new(rho, 1.0).unwrap();
        let down = ScaleTest::new(1.0, rho).unwrap();
        assert!(
            (up.advantage() - expected).abs() < 1e-6,
            "A({rho}) = {}",
            up.advantage()
        );
        assert!((up.advantage() - down.advantage()).abs() < 1e-15);
        let bf = brute_force_advantage(rho, 1.0);
        assert!((up.advantage() - bf).abs() < 1e-9, "brute force {bf}");
        assert!(up.member_has_larger_variance() && !down.member_has_larger_variance());
    }
    // Small-gap series A ~ phi(1) |ln rho| (docs/membership.md#derivation-notes-two-gaussians: rho = 0.99 gives 0.0024319).
    let t = ScaleTest::new(0.99, 1.0).unwrap();
    assert!((t.advantage() - 0.0024319).abs() < 1e-7);
    let phi1 = (-0.5_f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    for eps in [1e-6, 1e-10, 1e-14] {
        let a = ScaleTest::new(1.0 + eps, 1.0).unwrap().advantage();
        let series = phi1 * (1.0 + eps).ln();
        assert!(
            ((a - series) / series).abs() < 1e-6,
            "eps {eps}: {a} vs {series}"
        );
    }
    assert_eq!(ScaleTest::new(2.5, 2.5).unwrap().advantage(), 0.0);
    // Degenerate member variance 0: perfect attack.
    let perfect = ScaleTest::new(0.0, 1.0).unwrap();
    assert_eq!(perfect.advantage(), 1.0);
    assert_eq!(perfect.auc(), 1.0);
    assert_eq!(perfect.tpr_at_fpr(0.0).unwrap(), 1.0);
    // Huge ratio approaches 1 from below, no NaN.
    let huge = ScaleTest::new(1e300, 1e-300).unwrap().advantage();
    assert!(huge.is_finite() && huge > 0.999 && huge <= 1.0);
}

#[test]
fn scale_test_auc_roc_and_threshold() {
    // AUC closed form special values (docs/membership.md#derivation-notes-two-gaussians).
    assert!((ScaleTest::new(3.0, 1.0).unwrap().auc() - 2.0 / 3.0).abs() < 1e-15);
    let r = (1.0 + 2f64.sqrt()).powi(2);
    assert!((ScaleTest::new(1.0, r).unwrap().auc() - 0.75).abs() < 1e-15);
    for (v1, v0) in [(3.0, 1.0), (1.0, 4.0), (0.2, 1.0)] {
        let t = ScaleTest::new(v1, v0).unwrap();
        // AUC = integral of the ROC curve (midpoint rule in fpr) — independent of arctan.
        let m = 20000;
        let auc_num: f64 = (0..m)
            .map(|i| t.tpr_at_fpr((i as f64 + 0.5) / m as f64).unwrap())
            .sum::<f64>()
            / m as f64;
        assert!((auc_num - t.auc()).abs() < 2e-5, "{auc_num} vs {}", t.auc());
        // Advantage = max over the ROC curve of TPR - FPR, attained at the density crossing.
        let best = (1..m)
            .map(|i| {
                let f = i as f64 / m as f64;
                t.tpr_at_fpr(f).unwrap() - f
            })
            .fold(0.0_f64, f64::max);
        assert!((best - t.advantage()).abs() < 1e-6);
        // At the threshold alpha the two densities cross: v0^{-1/2} e^{-a^2/2v0} = v1^{-1/2} e^{-a^2/2v1}.
        let a = t.threshold().unwrap();
        let dens = |v: f64| (-a * a / (2.0 * v)).exp() / v.sqrt();
        assert!((dens(v0) - dens(v1)).abs() < 1e-12);
    }
    // Small-FPR behaviour: TPR ~ sqrt(rho) f (member variance smaller), by direct erf.
    let t = ScaleTest::new(1.0, 9.0).unwrap();
    let f = 1e-12;
    assert!((t.tpr_at_fpr(f).unwrap() / (3.0 * f) - 1.0).abs() < 1e-6);
    assert!(ScaleTest::new(1.0, 2.0).unwrap().threshold().is_some());
    assert!(ScaleTest::new(2.0, 2.0).unwrap().threshold().is_none());
    assert!(matches!(
        t.tpr_at_fpr(1.5),
        Err(Error::InvalidParameter { name: "fpr", .. })
    ));
    assert!(ScaleTest::new(f64::NAN, 1.0).is_err());
    assert!(ScaleTest::new(1.0, 0.0).is_err());
}

#[test]
fn output_attack_kappa_zero_table() {
    // docs/membership.md#derivation-notes-reference-values (kappa -> 0, min-norm; independent of sigma): gamma, V1/V0, Adv, AUC.
    let table = [
        (0.1, 0.9, 0.025488, 0.516761),
        (0.25, 0.75, 0.069491, 0.545629),
        (0.5, 0.5, 0.166064, 0.608173),
        (0.75, 0.25, 0.322675, 0.704833),
        (0.9, 0.1, 0.503283, 0.805018),
        (1.05, 0.05, 0.615542, 0.859951),
        (1.1, 0.1, 0.503283, 0.805018),
        (1.2, 0.2, 0.369793, 0.732280),
        (1.5, 0.5, 0.166064, 0.608173),
        (2.0, 1.0, 0.0, 0.5),
        (3.0, 2.0, 0.166064, 0.608173),
        (4.0, 3.0, 0.259359, 2.0 / 3.0),
        (5.0, 4.0, 0.322675, 0.704833),
        (10.0, 9.0, 0.484328, 0.795167),
        (20.0, 19.0, 0.607974, 0.856434),
        (100.0, 99.0, 0.797369, 0.936231),
        (1000.0, 999.0, 0.925146, 0.979865),
    ];
    for (gamma, ratio, adv, auc) in table {
        for sigma in [0.0, 1.0, 3.0] {
            let a = model(gamma, 0.0, sigma, 0.0).output_attack().unwrap();
            assert!(
                (a.v1 / a.v0 - ratio).abs() < 1e-12,
                "gamma {gamma}: {}",
                a.v1 / a.v0
            );
            assert!(
                (a.advantage - adv).abs() < 2e-6,
                "gamma {gamma}: {}",
                a.advantage
            );
            assert!((a.auc - auc).abs() < 2e-6, "gamma {gamma}: {}", a.auc);
        }
    }
}

#[test]
fn output_attack_general_kappa_and_ridge_references() {
    // docs/membership.md#derivation-notes-reference-values, (gamma, kappa, sigma^2) -> (V0, V1, Adv), min-norm.
    for (g, k, s2, v0, v1, adv) in [
        (3.0, 0.1, 0.25, 0.608333, 1.25, 0.172405),
        (3.0, 0.5, 0.25, 0.541667, 1.25, 0.199454),
        (3.0, 0.5, 4.0, 2.416667, 5.0, 0.174014),
        (0.5, 0.5, 0.25, 1.25, 0.875, 0.086077),
        (0.5, 0.1, 4.0, 5.0, 2.55, 0.161409),
        (10.0, 0.9, 1.0, 0.212222, 2.0, 0.492672),
    ] {
        let a = model(g, k, f64::sqrt(s2), 0.0).output_attack().unwrap();
        assert!((a.v0 - v0).abs() < 1e-6, "{g},{k},{s2}: V0 {}", a.v0);
        assert!((a.v1 - v1).abs() < 1e-12, "{g},{k},{s2}: V1 {}", a.v1);
        assert!(
            (a.advantage - adv).abs() < 2e-6,
            "{g},{k},{s2}: {}",
            a.advantage
        );
    }
    // Ridge, docs/membership.md#derivation-notes-reference-values (Rao-Blackwellised MC, theory column): (gamma, kappa, sigma^2, lambda).
    let a = model(3.0, 0.25, 1.0, 1.0).output_attack().unwrap();
    assert!((a.v0 - 0.3804).abs() < 1e-4 && (a.v1 - 1.0316).abs() < 1e-4);
    let a = model(1.5, 0.1, 0.5f64.sqrt(), 0.2).output_attack().unwrap();
    assert!((a.v0 - 1.0070).abs() < 1e-4 && (a.v1 - 0.9831).abs() < 1e-4);
    // docs/membership.md#derivation-notes-output-attack-with-ridge: kappa = 0, gamma = 1.5: non-monotone in lambda.
    for (lambda, adv) in [(0.0, 0.166), (0.3, 0.013), (1.0, 0.098), (5.0, 0.176)] {
        let a = model(1.5, 0.0, 1.0, lambda).output_attack().unwrap();
        assert!(
            (a.advantage - adv).abs() < 1e-3,
            "lambda {lambda}: {}",
            a.advantage
        );
    }
    // lambda -> infinity with kappa = 0: V1/V0 -> 1 + gamma.
    for gamma in [0.5, 3.0] {
        let a = model(gamma, 0.0, 1.0, 1e7).output_attack().unwrap();
        assert!((a.v1 / a.v0 - (1.0 + gamma)).abs() < 1e-5);
    }
    // gamma >= 2: advantage increases with lambda (paper's ridge claim).
    let advs: Vec<f64> = [0.0, 0.3, 1.0, 2.0, 5.0]
        .iter()
        .map(|&l| model(3.0, 0.1, 1.0, l).output_attack().unwrap().advantage)
        .collect();
    assert!(advs.windows(2).all(|w| w[1] > w[0]), "{advs:?}");
}

/// Marchenko–Pastur expectation E[g(mu)] for U^T U / n (ratio gamma, variance 1), by the
/// substitution x = c + h cos(theta) and the midpoint rule (exponentially convergent), plus
/// the atom at 0.
fn mp_expectation(gamma: f64, g: impl Fn(f64) -> f64) -> f64 {
    let a = (1.0 - gamma.sqrt()).powi(2);
    let b = (1.0 + gamma.sqrt()).powi(2);
    let (c, h) = ((a + b) / 2.0, (b - a) / 2.0);
    let m = 4000;
    let mut sum = 0.0;
    for i in 0..m {
        let th = std::f64::consts::PI * (i as f64 + 0.5) / m as f64;
        let x = c + h * th.cos();
        sum += g(x) * h * h * th.sin().powi(2) / (2.0 * std::f64::consts::PI * gamma * x);
    }
    let atom = (1.0 - 1.0 / gamma).max(0.0);
    sum * std::f64::consts::PI / m as f64 + atom * g(0.0)
}

#[test]
fn resolvent_scalars_match_marchenko_pastur_quadrature() {
    for (gamma, lambda) in [
        (0.5, 0.0),
        (0.5, 0.7),
        (3.0, 0.2),
        (3.0, 2.0),
        (1.0, 0.5),
        (1.6, 1e-3),
    ] {
        let sc = model(gamma, 0.0, 1.0, lambda).scalars();
        let t1 = mp_expectation(gamma, |x| if x == 0.0 { 0.0 } else { x / (x + lambda) });
        let t2 = mp_expectation(gamma, |x| {
            if x == 0.0 {
                0.0
            } else {
                (x / (x + lambda)).powi(2)
            }
        });
        let t3 = mp_expectation(gamma, |x| {
            if x == 0.0 {
                0.0
            } else {
                x / (x + lambda).powi(2)
            }
        });
        for (name, got, want) in [("T1", sc.t1, t1), ("T2", sc.t2, t2), ("T3", sc.t3, t3)] {
            assert!(
                ((got - want) / want).abs() < 1e-8,
                "{name} at ({gamma},{lambda}): {got} vs {want}"
            );
        }
        assert!((sc.s + sc.one_minus_s - 1.0).abs() < 1e-15);
        if lambda > 0.0 {
            // S = 1/(1 + gamma m(-lambda)), m the Stieltjes transform (quadratic's root).
            let m = mp_expectation(gamma, |x| 1.0 / (x + lambda));
            assert!((sc.s - 1.0 / (1.0 + gamma * m)).abs() < 1e-8);
            // S' = dS/dlambda by central differences.
            let e = 1e-5 * lambda;
            let sp = (model(gamma, 0.0, 1.0, lambda + e).scalars().s
                - model(gamma, 0.0, 1.0, lambda - e).scalars().s)
                / (2.0 * e);
            assert!(((sp - sc.s_prime) / sc.s_prime).abs() < 1e-6);
        }
    }
}

#[test]
fn smooth_across_gamma_one_gamma_two_and_lambda_to_zero() {
    // lambda -> 0 for gamma > 1: the S, S' forms have no 1/lambda cancellation.
    for gamma in [1.3, 3.0, 50.0] {
        let a0 = model(gamma, 0.3, 1.0, 0.0).output_attack().unwrap();
        let a1 = model(gamma, 0.3, 1.0, 1e-13).output_attack().unwrap();
        assert!((a0.v0 - a1.v0).abs() < 1e-9 * a0.v0 && (a0.v1 - a1.v1).abs() < 1e-9);
        assert!((a0.advantage - a1.advantage).abs() < 1e-9);
    }
    // Across gamma = 1 (min-norm): V0 diverges like 1/|gamma - 1|, advantage -> 1, never NaN.
    let mut prev_left = 0.0;
    for e in [1e-2, 1e-4, 1e-8, 1e-12] {
        for gamma in [1.0 - e, 1.0 + e] {
            let a = model(gamma, 0.2, 1.0, 0.0).output_attack().unwrap();
            assert!(a.v0.is_finite() && a.advantage.is_finite() && a.advantage <= 1.0);
            let s2 = 1.0 + 1.0 - 0.2;
            assert!(
                (a.v0 * e / s2 - 1.0).abs() < 2.0 * e + 1e-3,
                "gamma {gamma}: V0 {}",
                a.v0
            );
        }
        let left = model(1.0 - e, 0.2, 1.0, 0.0)
            .output_attack()
            .unwrap()
            .advantage;
        assert!(left > prev_left);
        prev_left = left;
    }
    assert!(prev_left > 0.99);
    // With lambda > 0, gamma = 1 is an ordinary point.
    let mid = model(1.0, 0.2, 1.0, 0.1).output_attack().unwrap().advantage;
    let left = model(1.0 - 1e-9, 0.2, 1.0, 0.1)
        .output_attack()
        .unwrap()
        .advantage;
    assert!((mid - left).abs() < 1e-7);
    // Across gamma = 2 with kappa = 0: advantage ~ phi(1) |ln(gamma - 1)|, continuous, zero at 2.
    let phi1 = (-0.5_f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    for e in [1e-3, 1e-7] {
        for gamma in [2.0 - e, 2.0 + e] {
            let a = model(gamma, 0.0, 1.0, 0.0)
                .output_attack()
                .unwrap()
                .advantage;
            let series = phi1 * (gamma - 1.0_f64).ln().abs();
            assert!(
                ((a - series) / series).abs() < 1e-5,
                "{gamma}: {a} vs {series}"
            );
        }
    }
    assert!(model(2.0, 0.0, 0.5, 0.0).output_attack().unwrap().advantage < 1e-15);
}

#[test]
fn zero_crossing_for_positive_kappa_solves_the_notes_equation() {
    // docs/membership.md#derivation-notes-ridgeless-limit: for kappa > 0 the advantage vanishes where
    // s^2 (2 - gamma)/(gamma - 1) = kappa (gamma - 1)/gamma, slightly below gamma = 2.
    let (kappa, sigma) = (0.3, 0.5);
    let s2 = sigma * sigma + 1.0 - kappa;
    let root = brent_root(
        |g| s2 * (2.0 - g) / (g - 1.0) - kappa * (g - 1.0) / g,
        1.2,
        2.0,
        RootOptions::default(),
    )
    .unwrap()
    .root;
    assert!(root < 2.0 && root > 1.8);
    let a = model(root, kappa, sigma, 0.0).output_attack().unwrap();
    assert!(a.advantage < 1e-10, "{}", a.advantage);
}

#[test]
fn loss_attack_references() {
    // AUC = 3/4 at gamma = 2, lambda = 1 (S = sqrt2 - 1), any sigma, kappa.
    for (k, s) in [(0.0, 1.0), (0.7, 0.2)] {
        let l = model(2.0, k, s, 1.0).loss_attack().unwrap();
        assert!((l.auc - 0.75).abs() < 1e-15);
        assert!((l.shrinkage - (2f64.sqrt() - 1.0)).abs() < 1e-15);
    }
    // docs/membership.md#derivation-notes-reference-values, loss attack, theory column: (gamma, lambda) -> (1 + c, Adv, AUC).
    for (g, lam, ratio, adv, auc) in [
        (0.5, 0.0, 2.0, 0.323, 0.705),
        (2.0, 1.0, 2.414, 0.401, 0.7500),
        (4.0, 10.0, 1.373, 0.152, 0.599),
    ] {
        let l = model(g, 0.3, 1.0, lam).loss_attack().unwrap();
        assert!((1.0 / l.shrinkage - ratio).abs() < 1e-3);
        assert!((l.advantage - adv).abs() < 1e-3 && (l.auc - auc).abs() < 1e-3);
        // Depends on (gamma, lambda) only.
        let other = model(g, 0.0, 3.0, lam).loss_attack().unwrap();
        assert!((other.advantage - l.advantage).abs() < 1e-14);
    }
    // Ridgeless, gamma < 1: S = 1 - gamma, so Adv = A(1/(1-gamma)^2), i.e. A(4) at gamma = 1/2.
    assert!((model(0.5, 0.0, 1.0, 0.0).loss_attack().unwrap().advantage - 0.322675).abs() < 1e-6);
    // Interpolator: perfect attack; ridge decreases it.
    assert_eq!(
        model(3.0, 0.0, 1.0, 0.0).loss_attack().unwrap().advantage,
        1.0
    );
    let a: Vec<f64> = [0.01, 0.1, 1.0, 10.0]
        .iter()
        .map(|&l| model(3.0, 0.0, 1.0, l).loss_attack().unwrap().advantage)
        .collect();
    assert!(a.windows(2).all(|w| w[1] < w[0]), "{a:?}");
    // Opposite directions of the two threat models in lambda at gamma = 3.
    let o: Vec<f64> = [0.01, 0.1, 1.0, 10.0]
        .iter()
        .map(|&l| model(3.0, 0.0, 1.0, l).output_attack().unwrap().advantage)
        .collect();
    assert!(o.windows(2).all(|w| w[1] > w[0]), "{o:?}");
    // TPR at FPR = f ~ f / S for small f.
    let l = model(2.0, 0.0, 1.0, 1.0).loss_attack().unwrap();
    let f = 1e-9;
    assert!((l.test.tpr_at_fpr(f).unwrap() * l.shrinkage / f - 1.0).abs() < 1e-6);
}

#[test]
fn utility_references_and_quadrature() {
    // docs/membership.md#derivation-notes-reference-values (utility; theory values of the MSE against the noiseless truth).
    for (g, k, s2, lam, mse) in [
        (3.0, 0.25, 1.0, 0.0, 1.7917),
        (3.0, 0.25, 1.0, 1.0, 1.2642),
        (0.5, 0.3, 0.5, 0.2, 1.2061),
    ] {
        let u = model(g, k, f64::sqrt(s2), lam).utility().unwrap();
        assert!(
            (u.excess_error - mse).abs() < 1e-4,
            "{g},{k},{lam}: {}",
            u.excess_error
        );
        assert!((u.test_risk - u.excess_error - s2).abs() < 1e-12);
    }
    // Well-specified (kappa = 1): bias E[lambda^2/(mu+lambda)^2] + variance sigma^2 gamma E[mu/(mu+lambda)^2].
    for (g, lam) in [(0.5, 0.3), (2.5, 0.7)] {
        let sigma2: f64 = 0.6;
        let u = model(g, 1.0, sigma2.sqrt(), lam).utility().unwrap();
        let want = mp_expectation(g, |x| (lam / (x + lam)).powi(2))
            + sigma2 * g * mp_expectation(g, |x| x / (x + lam).powi(2));
        assert!((u.excess_error - want).abs() < 1e-8);
    }
}

#[test]
fn output_noise_defence_and_privacy_utility_curves() {
    let base = Membership {
        gamma: 5.0,
        kappa: 0.1,
        noise_sd: 1.0,
        lambda: 0.0,
        output_noise: 0.0,
        ..Default::default()
    };
    let taus = [0.0, 0.5, 1.0, 2.0, 4.0];
    let curve = privacy_utility_curve(&base, Sweep::OutputNoise, &taus).unwrap();
    let clean = base.check().unwrap().output_attack().unwrap();
    for (pt, tau) in curve.iter().zip(taus) {
        let t2 = tau * tau;
        let want = ScaleTest::new(clean.v1 + t2, clean.v0 + t2)
            .unwrap()
            .advantage();
        assert!((pt.output_advantage - want).abs() < 1e-15);
    }
    assert!(
        curve
            .windows(2)
            .all(|w| w[1].output_advantage < w[0].output_advantage
                && w[1].utility.test_risk > w[0].utility.test_risk)
    );
    // p sweep at fixed n, D: kappa/gamma fixed.
    let curve = privacy_utility_curve(&base, Sweep::Parameters, &[2.5, 5.0, 10.0]).unwrap();
    assert!((curve[2].params.kappa - 0.2).abs() < 1e-15);
    // Past p = D the sweep fails with a typed error naming kappa.
    assert!(matches!(
        privacy_utility_curve(&base, Sweep::Parameters, &[60.0]),
        Err(Error::InvalidParameter { name: "kappa", .. })
    ));
    let curve = privacy_utility_curve(&base, Sweep::Lambda, &[0.0, 1.0]).unwrap();
    assert!(curve[1].loss_advantage < curve[0].loss_advantage);
}

#[test]
fn finite_size_formula() {
    // Fig. 2a of Tan et al. (n = 1000, D = 1e7, sigma = 1; digitised, averaged over targets).
    for (p, fig) in [(3000, 0.1670), (9726, 0.4785), (98360, 0.7960)] {
        let m = FiniteSize::new(1000, p, 10_000_000, 1.0).check().unwrap();
        let a = m.output_attack_normalised().unwrap().advantage;
        assert!((a - fig).abs() < 6e-3, "p = {p}: {a} vs {fig}");
    }
    // docs/membership.md#derivation-notes-finite-size-formula: n = 100, gamma = 1.05, kappa = gamma/30 (D = 3000): finite 0.6448 vs limit 0.6131.
    let fin = FiniteSize::new(100, 105, 3000, 1.0).check().unwrap();
    let lim = model(1.05, 0.035, 1.0, 0.0)
        .output_attack()
        .unwrap()
        .advantage;
    assert!((fin.output_attack_normalised().unwrap().advantage - 0.6448).abs() < 1e-4);
    assert!((lim - 0.6131).abs() < 1e-4);
    // Converges to the proportional limit (both regimes) as n grows at fixed ratios.
    for (gamma, kappa) in [(3.0, 0.3), (0.5, 0.25)] {
        let lim = model(gamma, kappa, 1.0, 0.0).output_attack().unwrap();
        let mut prev = f64::INFINITY;
        for n in [100usize, 1000, 10000, 100000] {
            let p = (gamma * n as f64) as usize;
            let d = (p as f64 / kappa) as usize;
            let a = FiniteSize::new(n, p, d, 1.0)
                .check()
                .unwrap()
                .output_attack_normalised()
                .unwrap();
            let err = (a.v0 - lim.v0).abs() + (a.v1 - lim.v1).abs();
            assert!(err < prev);
            prev = err;
        }
        assert!(prev < 1e-4);
    }
    assert!(matches!(
        FiniteSize::new(100, 101, 3000, 1.0).check(),
        Err(Error::InvalidParameter { name: "p", .. })
    ));
}

#[test]
fn invalid_parameters_are_named() {
    let ok = Membership::default();
    for (p, name) in [
        (Membership { gamma: 0.0, ..ok }, "gamma"),
        (
            Membership {
                gamma: f64::NAN,
                ..ok
            },
            "gamma",
        ),
        (Membership { kappa: 1.5, ..ok }, "kappa"),
        (
            Membership {
                noise_sd: -1.0,
                ..ok
            },
            "noise_sd",
        ),
        (
            Membership {
                lambda: f64::INFINITY,
                ..ok
            },
            "lambda",
        ),
        (
            Membership {
                output_noise: -0.1,
                ..ok
            },
            "output_noise",
        ),
        (
            Membership {
                gamma: 1.0,
                lambda: 0.0,
                ..ok
            },
            "gamma",
        ),
    ] {
        match p.check() {
            Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{p:?}: {other:?}"),
        }
    }
}

#[test]
fn resolvent_scalars_match_the_spectral_module() {
    // An independent implementation: the crate's Marchenko-Pastur Stieltjes transform m(-lambda)
    // and m'(-lambda), with T1 = 1 - lambda m, T3 = m - lambda m', T2 = 1 - 2 lambda m + lambda^2 m'.
    use overparam::spectral::marchenko_pastur::MarchenkoPastur;
    for (gamma, lambda) in [
        (0.3, 0.05),
        (0.5, 1.0),
        (1.0, 0.2),
        (2.0, 1.0),
        (4.0, 10.0),
        (7.0, 0.3),
    ] {
        let st = MarchenkoPastur::new(gamma)
            .unwrap()
            .stieltjes_negative_real(lambda)
            .unwrap();
        let sc = model(gamma, 0.0, 1.0, lambda).scalars();
        let (m, dm) = (st.m, st.dm);
        for (name, got, want) in [
            ("S", sc.s, 1.0 / (1.0 + gamma * m)),
            ("T1", sc.t1, 1.0 - lambda * m),
            ("T2", sc.t2, 1.0 - 2.0 * lambda * m + lambda * lambda * dm),
            ("T3", sc.t3, m - lambda * dm),
        ] {
            assert!(
                ((got - want) / want).abs() < 1e-10,
                "{name} at ({gamma}, {lambda}): {got} vs {want}"
            );
        }
    }
}

#[test]
fn tiny_loss_advantage_keeps_relative_accuracy() {
    // gamma -> 0 or lambda -> infinity: 1 - S ~ gamma/(1 + lambda) for gamma << 1, and
    // Adv ~ phi(1) |ln S^2| ~ 2 phi(1) (1 - S).
    let phi1 = (-0.5_f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    for (gamma, lambda) in [(1e-12, 1e3), (1e-9, 0.0), (1e-6, 1e6)] {
        let l = model(gamma, 0.0, 1.0, lambda).loss_attack().unwrap();
        let one_minus_s = gamma / (1.0 + lambda);
        let want = 2.0 * phi1 * one_minus_s;
        assert!(
            ((l.advantage - want) / want).abs() < 1e-5,
            "{gamma},{lambda}: {}",
            l.advantage
        );
    }
}

/// The min-norm interpolator (lambda = 0, gamma > 1) has S = 0: zero member residuals, so the
/// loss attack is perfect. The advantage must be exactly 1 and the threshold 0 — never NaN, and
/// not 1 - 1e-15 from a 1 - S that rounds one ulp below 1.
#[test]
fn interpolator_loss_attack_is_exactly_perfect() {
    for (gamma, sigma) in [
        (1.1843646987031418, 1.0),
        (5.369603069449931, 0.0),
        (3.0, 0.5),
    ] {
        let m = overparam::theory::membership::Membership {
            gamma,
            lambda: 0.0,
            noise_sd: sigma,
            ..overparam::theory::membership::Membership::default()
        }
        .check()
        .unwrap();
        let a = m.loss_attack().unwrap();
        assert_eq!(a.shrinkage, 0.0, "gamma {gamma}");
        assert_eq!(a.advantage, 1.0, "gamma {gamma}, sigma {sigma}");
        assert_eq!(
            a.test.threshold(),
            Some(0.0),
            "gamma {gamma}, sigma {sigma}"
        );
    }
}

#[test]
#[allow(deprecated)] // the deprecated alias `sigma`, `sigma()` and `Utility::test_error` are tested
fn deprecated_sigma_and_test_error_keep_their_meaning() {
    // docs/membership.md#derivation-notes-reference-values: gamma = 3, kappa = 0.1,
    // sigma^2 = 0.25 -> V0 = 0.608333, V1 = 1.25 (min-norm).
    let old = Membership {
        gamma: 3.0,
        kappa: 0.1,
        sigma: 0.5,
        ..Membership::default()
    };
    let new = Membership {
        gamma: 3.0,
        kappa: 0.1,
        noise_sd: 0.5,
        ..Membership::default()
    };
    let (a, b) = (old.check().unwrap(), new.check().unwrap());
    assert_eq!(a, b);
    assert_eq!((a.sigma(), a.noise_sd()), (0.5, 0.5));
    let out = a.output_attack().unwrap();
    assert!((out.v0 - 0.608333).abs() < 1e-6 && (out.v1 - 1.25).abs() < 1e-12);
    // `test_error` keeps its old value, the noisy risk (= test_risk = excess + sigma^2).
    let u = a.utility().unwrap();
    assert_eq!(u.test_error, u.test_risk);
    assert!((u.test_risk - u.excess_error - 0.25).abs() < 1e-14);
    match (Membership { sigma: 0.7, ..new }).check() {
        Err(Error::InvalidParameter { name, value, .. }) => {
            assert_eq!((name, value), ("noise_sd", 0.5));
        }
        other => panic!("conflicting noise levels accepted: {other:?}"),
    }
    match (Membership {
        sigma: -1.0,
        ..Membership::default()
    })
    .check()
    {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "sigma"),
        other => panic!("negative sigma accepted: {other:?}"),
    }
}
