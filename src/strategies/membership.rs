//! Membership inference against ridge and min-norm regression (Tan, Mason, Javadi & Baraniuk,
//! *Parameters or Privacy: A Provable Tradeoff Between Overparameterization and Membership
//! Inference*, NeurIPS 2022, for the output-only attack; Yeom et al., CSF 2018, for the
//! loss-threshold attack; ridge formulas derived in docs/membership.md#derivation-notes, see
//! [`crate::theory::membership`]).
//!
//! Ranges of [`membership_params`]: $\gamma$ log-uniform on $[10^{-2}, 10^2]$; $\lambda = 0$
//! (probability 1/4) or log-uniform on $[10^{-4}, 10^2]$; $\kappa = 0$ (probability 1/5) or uniform
//! on $[0, 1]$; $\sigma$ uniform on $[0, 2]$; output noise $\tau = 0$ (probability 1/2) or uniform on
//! $[0, 2]$. The closed forms have no solver, so every valid point is computable.
//!
//! # The advantage–AUC relation
//!
//! Both attacks end in the test between $\mathcal N(0, v_1)$ and $\mathcal N(0, v_0)$ with the
//! $|T|$ score. Its ROC curve is concave (the likelihood ratio is monotone in $|T|$) and
//! $\mathrm{TPR}(f) \le f + A$ by definition of the advantage $A = \max(\mathrm{TPR} - \mathrm{FPR})$.
//! The area under the polygon $(0,0), (f^\star, f^\star + A), (1,1)$ is a lower bound and the area
//! under $\min(1, f + A)$ an upper bound, so
//!
//! $$A \;\le\; 2\,\mathrm{AUC} - 1 \;\le\; 2A - A^2 .$$
//!
//! (Verified numerically before being asserted: over the variance ratios $\rho \in [1, 10^{12}]$
//! both gaps are $\ge 0$, e.g. $\rho = 3$: $A = 0.2594$, $2\mathrm{AUC} - 1 = 1/3$,
//! $2A - A^2 = 0.4515$.)

use proptest::prelude::*;

use super::{close, ensure, log_uniform};
use crate::gaussian::normal;
use crate::theory::membership::{Membership, MembershipModel, ScaleTest};

/// Which attack (both reduce to a [`ScaleTest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// The output-only attack of Tan et al. (2022): the attacker sees $\hat y_0$.
    Output,
    /// The loss-threshold attack of Yeom et al. (2018): the attacker sees $y_0 - \hat y_0$.
    Loss,
}

impl Attack {
    /// The attack's two-Gaussian test at a checked model.
    ///
    /// # Errors
    /// As [`MembershipModel::output_attack`] / [`MembershipModel::loss_attack`].
    pub fn test(&self, model: &MembershipModel) -> crate::Result<ScaleTest> {
        match self {
            Attack::Output => model.output_attack().map(|a| a.test),
            Attack::Loss => model.loss_attack().map(|a| a.test),
        }
    }

    /// The attack's optimal advantage at unchecked parameters (`Err` names the failure).
    pub fn advantage(&self, params: &Membership) -> Result<f64, String> {
        params
            .check()
            .and_then(|m| self.test(&m))
            .map(|t| t.advantage())
            .map_err(|e| format!("{self:?} attack failed at {params:?}: {e}"))
    }
}

/// Either attack, with equal probability.
pub fn attack() -> impl Strategy<Value = Attack> {
    prop_oneof![Just(Attack::Output), Just(Attack::Loss)]
}

/// Valid membership-inference parameter sets (Tan et al. 2022; ranges in the module docs).
pub fn membership_params() -> impl Strategy<Value = Membership> {
    (
        log_uniform(1e-2, 1e2),
        prop_oneof![1 => Just(0.0), 3 => log_uniform(1e-4, 1e2)],
        prop_oneof![1 => Just(0.0), 4 => 0.0..=1.0f64],
        0.0..=2.0f64,
        prop_oneof![Just(0.0), 0.0..=2.0f64],
    )
        .prop_map(
            |(gamma, lambda, kappa, noise_sd, output_noise)| Membership {
                gamma,
                kappa,
                noise_sd,
                lambda,
                output_noise,
                ..Membership::default()
            },
        )
        .prop_filter("gamma = 1 with lambda = 0 is invalid", |p| {
            p.check().is_ok()
        })
}

/// The invariants of the optimal test between $\mathcal N(0, v_1)$ and $\mathcal N(0, v_0)$
/// (Tan et al. 2022, arXiv:2202.01243, §3; docs/membership.md#derivation-notes-two-gaussians), with slack `tol`:
///
/// - $0 \le A \le 1$, $\tfrac12 \le \mathrm{AUC} \le 1$, and $A \le 2\mathrm{AUC} - 1 \le 2A - A^2$
///   (module docs);
/// - the ROC curve on a grid of false-positive rates is in $[0, 1]$, non-decreasing, above the
///   diagonal and below $f + A$;
/// - at the optimal threshold $\alpha$ (where the densities cross) the ROC attains the advantage:
///   with $f^\star = P_0(\text{say member})$, $\mathrm{TPR}(f^\star) - f^\star = A$;
/// - the AUC equals the trapezoidal area under the ROC curve (to `tol` plus $10^{-4}$, the
///   quadrature error of 4000 points clustered at $f = 0$).
pub fn check_scale_test(test: &ScaleTest, tol: f64) -> Result<(), String> {
    let (a, auc) = (test.advantage(), test.auc());
    let at = || format!("{test:?}: advantage {a}, AUC {auc}");
    ensure((0.0..=1.0).contains(&a), || {
        format!("0 <= advantage <= 1 ({})", at())
    })?;
    ensure((0.5..=1.0).contains(&auc), || {
        format!("1/2 <= AUC <= 1 ({})", at())
    })?;
    let gap = 2.0 * auc - 1.0;
    ensure(a <= gap + tol, || {
        format!("advantage <= 2 AUC - 1 = {gap} ({})", at())
    })?;
    ensure(gap <= 2.0 * a - a * a + tol, || {
        format!("2 AUC - 1 <= 2A - A^2 = {} ({})", 2.0 * a - a * a, at())
    })?;
    // ROC on a grid clustered at 0 (f = t^3).
    let n = 4000;
    let mut prev = (0.0, 0.0);
    let mut area = 0.0;
    for i in 1..=n {
        let t = i as f64 / n as f64;
        let f = t * t * t;
        let tpr = test
            .tpr_at_fpr(f)
            .map_err(|e| format!("ROC failed at FPR {f}: {e} ({})", at()))?;
        ensure((0.0..=1.0).contains(&tpr) && tpr + tol >= prev.1, || {
            format!(
                "ROC in [0, 1] and non-decreasing: TPR({f}) = {tpr} after {} ({})",
                prev.1,
                at()
            )
        })?;
        ensure(tpr + tol >= f && tpr <= f + a + tol, || {
            format!("FPR <= TPR <= FPR + A at FPR {f}: TPR {tpr} ({})", at())
        })?;
        area += 0.5 * (f - prev.0) * (tpr + prev.1);
        prev = (f, tpr);
    }
    ensure((area - auc).abs() <= tol + 1e-4, || {
        format!("AUC = area under the ROC curve = {area} ({})", at())
    })?;
    if test.member_variance() == 0.0 || test.variance_ratio().is_infinite() {
        // v1 = 0: members are identified exactly, advantage = AUC = 1. (The crossing point of
        // the densities degenerates: `threshold()` is NaN or 0 there, so the check below does not
        // apply.)
        return ensure(a >= 1.0 - tol && auc >= 1.0 - tol, || {
            format!("member variance 0 gives advantage = AUC = 1 ({})", at())
        });
    }
    if let Some(alpha) = test.threshold() {
        let tail = 2.0 * normal::sf(alpha / test.nonmember_variance().sqrt());
        let f_star = if test.member_has_larger_variance() {
            tail
        } else {
            1.0 - tail
        };
        let tpr = test
            .tpr_at_fpr(f_star)
            .map_err(|e| format!("ROC failed at the threshold: {e} ({})", at()))?;
        ensure((tpr - f_star - a).abs() <= tol, || {
            format!(
                "TPR - FPR = advantage at the optimal threshold {alpha}: {} ({})",
                tpr - f_star,
                at()
            )
        })?;
    }
    Ok(())
}

/// The invariants of both attacks and the utility at one parameter point (Tan et al. 2022,
/// Theorem 3.2 for the min-norm output attack; Yeom et al. 2018 and docs/membership.md#derivation-notes-ridgeless-limit to docs/membership.md#derivation-notes-output-noise),
/// with relative slack `tol`:
///
/// - both [`ScaleTest`]s satisfy [`check_scale_test`], and the reported advantage / AUC are theirs;
/// - output attack, $\lambda = 0$, $\tau = 0$ (closed forms, independent of the resolvent code),
///   with $s^2 = \sigma^2 + 1 - \kappa$: for $\gamma > 1$, $V_0 = \kappa/\gamma + s^2/(\gamma-1)$ and
///   $V_1 = 1 + \sigma^2$; for $\gamma < 1$, $V_0 = \kappa + s^2\gamma/(1-\gamma)$ and
///   $V_1 = \kappa + s^2\gamma$;
/// - loss attack: the shrinkage $S \in [0, 1]$, member variance $S^2R + \tau^2$ against
///   $R + \tau^2$, and at $\lambda = 0$: $S = (1 - \gamma)_+$;
/// - utility: test risk $=$ excess error $+ \sigma^2$ and excess error $\ge (1 - \kappa) + \tau^2$
///   (the unmodelled features cannot be predicted).
pub fn check_membership(params: &Membership, tol: f64) -> Result<(), String> {
    let model = params
        .check()
        .map_err(|e| format!("invalid parameters: {e}"))?;
    let out = model
        .output_attack()
        .map_err(|e| format!("output attack failed: {e} ({params:?})"))?;
    let loss = model
        .loss_attack()
        .map_err(|e| format!("loss attack failed: {e} ({params:?})"))?;
    let util = model
        .utility()
        .map_err(|e| format!("utility failed: {e} ({params:?})"))?;
    let at = || format!("{params:?}: {out:?}; {loss:?}; {util:?}");
    check_scale_test(&out.test, tol).map_err(|e| format!("output attack: {e}"))?;
    check_scale_test(&loss.test, tol).map_err(|e| format!("loss attack: {e}"))?;
    ensure(
        out.advantage == out.test.advantage()
            && out.auc == out.test.auc()
            && loss.advantage == loss.test.advantage()
            && loss.auc == loss.test.auc(),
        || format!("reported advantage and AUC are the tests' ({})", at()),
    )?;
    let (g, k, s) = (params.gamma, params.kappa, model.noise_sd());
    let s2 = s * s + 1.0 - k;
    let tau2 = params.output_noise * params.output_noise;
    if params.lambda == 0.0 && tau2 == 0.0 {
        let (v0, v1) = if g > 1.0 {
            (k / g + s2 / (g - 1.0), 1.0 + s * s)
        } else {
            (k + s2 * g / (1.0 - g), k + s2 * g)
        };
        ensure(close(out.v0, v0, tol) && close(out.v1, v1, tol), || {
            format!("min-norm output variances V0 = {v0}, V1 = {v1} ({})", at())
        })?;
        let shrink = (1.0 - g).max(0.0);
        ensure(close(loss.shrinkage, shrink, tol), || {
            format!(
                "ridgeless shrinkage S = (1 - gamma)_+ = {shrink} ({})",
                at()
            )
        })?;
    }
    let sh = loss.shrinkage;
    ensure((0.0..=1.0).contains(&sh), || {
        format!("loss-attack shrinkage S in [0, 1] ({})", at())
    })?;
    let r = loss.nonmember_variance - tau2;
    ensure(close(loss.member_variance, sh * sh * r + tau2, tol), || {
        format!("member residual variance = S^2 R + tau^2 ({})", at())
    })?;
    ensure(
        close(util.test_risk, util.excess_error + s * s, tol),
        || format!("test risk = excess error + sigma^2 ({})", at()),
    )?;
    ensure(util.excess_error >= (1.0 - k + tau2) * (1.0 - tol), || {
        format!("excess error >= 1 - kappa + tau^2 ({})", at())
    })
}

/// Monotonicity of the advantages that the theory implies (docs/membership.md#derivation-notes-output-attack-with-ridge and
/// #derivation-notes-loss-attack), comparing `params` with a perturbed copy (relative
/// slack `tol`):
///
/// - more output noise $\tau$ never helps either attacker ($\rho \to 1$ as $\tau$ grows);
/// - at $\tau = 0$ the loss-threshold advantage $\mathrm{Adv}(1/S^2)$ is non-increasing in
///   $\lambda$, non-decreasing in $\gamma$ and independent of $\sigma$ and $\kappa$. With output
///   noise the variances $S^2R + \tau^2$, $R + \tau^2$ depend on the test error $R$, since
///   $1 - \rho = (1 - S^2)R/(R + \tau^2)$ grows with $R$, and both monotonicities fail: in
///   $\gamma$, e.g. $\gamma = 7.37 \to 11.05$ at $\kappa = \sigma = \lambda = 0$, $\tau = 0.154$; in
///   $\lambda$, e.g. $\gamma = 0.0365$, $\kappa = 0.918$, $\sigma = 0$, $\tau = 1.372$, where
///   $\lambda = 0.066 \to 0.265$ raises $R$ and the advantage from $7.36\cdot10^{-4}$ to
///   $8.70\cdot10^{-4}$;
/// - for $\gamma \ge 2$ and $\tau = 0$ the output-only advantage is non-decreasing in $\lambda$
///   (Tan et al.'s "more regularisation, more vulnerability"; it is not monotone on
///   $1 < \gamma < 2$, nor with output noise: $\gamma = 6.1$, $\kappa = \sigma = 0$, $\tau = 0.73$
///   gives 0.177781 at $\lambda = 0$ and 0.177750 at $\lambda = 10^{-3}$).
pub fn check_membership_monotone(params: &Membership, tol: f64) -> Result<(), String> {
    let base_out = Attack::Output.advantage(params)?;
    let base_loss = Attack::Loss.advantage(params)?;
    let noisier = Membership {
        output_noise: params.output_noise + 0.5,
        ..*params
    };
    for (attack, base) in [(Attack::Output, base_out), (Attack::Loss, base_loss)] {
        let a = attack.advantage(&noisier)?;
        ensure(a <= base + tol, || {
            format!(
                "{attack:?} advantage non-increasing in output noise: {base} -> {a} ({params:?})"
            )
        })?;
    }
    let more_ridge = Membership {
        lambda: params.lambda * 4.0 + 1e-3,
        ..*params
    };
    if params.output_noise == 0.0 {
        let a = Attack::Loss.advantage(&more_ridge)?;
        ensure(a <= base_loss + tol, || {
            format!("loss advantage non-increasing in lambda: {base_loss} -> {a} ({params:?})")
        })?;
    }
    let wider = Membership {
        gamma: params.gamma * 1.5,
        ..*params
    };
    if params.output_noise == 0.0 && wider.check().is_ok() {
        let a = Attack::Loss.advantage(&wider)?;
        ensure(a + tol >= base_loss, || {
            format!("loss advantage non-decreasing in gamma: {base_loss} -> {a} ({params:?})")
        })?;
    }
    if params.output_noise == 0.0 {
        let noise_sd = params
            .check()
            .map_err(|e| format!("invalid parameters: {e}"))?
            .noise_sd()
            + 0.7;
        // Both the field and its deprecated alias, so that `check()` sees one value whichever
        // of the two `params` set.
        #[allow(deprecated)]
        let other = Membership {
            noise_sd,
            sigma: noise_sd,
            kappa: 0.5 * params.kappa + 0.25,
            ..*params
        };
        let a = Attack::Loss.advantage(&other)?;
        ensure(close(a, base_loss, tol), || {
            format!(
                "loss advantage independent of sigma and kappa: {base_loss} vs {a} ({params:?})"
            )
        })?;
    }
    if params.gamma >= 2.0 && params.output_noise == 0.0 {
        let a = Attack::Output.advantage(&more_ridge)?;
        ensure(a + tol >= base_out, || {
            format!(
                "output advantage non-decreasing in lambda for gamma >= 2: {base_out} -> {a} ({params:?})"
            )
        })?;
    }
    Ok(())
}
