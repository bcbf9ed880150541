//! Finite-size Monte Carlo of membership inference against ridge / min-norm regression.
//!
//! Simulates the model of [`crate::theory::membership`] in its reduced $p$-dimensional form:
//! rows $u_i \sim \mathcal N(0, I_p)$, $\beta_p \sim \mathcal N(0, (\kappa/p) I_p)$ and labels
//! $y_i = u_i^\top\beta_p + \varepsilon_i$ with $\varepsilon_i \sim \mathcal N(0, s^2)$,
//! $s^2 = \sigma^2 + 1 - \kappa$ (the $D - p$ unmodelled features, marginalised over their
//! coefficients, act as independent label noise; this replaces the random
//! $\|\beta_{\rm rest}\|^2$ by its mean $1 - \kappa$, an $O(D^{-1/2})$ change). $p = \mathrm{round}(\gamma n)$.
//! Fits solve the ridge normal equations in the smaller dimension, $(U^\top U + n\lambda I)$
//! for $p < n$ and $(UU^\top + n\lambda I)$ for $p \ge n$, by Cholesky.
//!
//! With the output-noise defence ($\tau > 0$ in the model) an independent $\mathcal N(0, \tau^2)$
//! is added to every released prediction (the target output, and every residual of the loss
//! protocol); the Rao–Blackwellised variances include $\tau^2$.
//!
//! # Protocols
//!
//! * **Output-only attack** ([`MembershipSimulator::output_attack`]; Tan et al. 2022): a
//!   target $u_0$ is drawn once and normalised to $\|u_0\|^2 = p$. Each trial draws a fresh
//!   non-member design and a fresh member design (the target *replaces* row 0, so $n$ stays
//!   fixed), with fresh $\beta_p$ and noise for each, and records both outputs
//!   $\hat y_0 = h^\top y$. Given the design the output is exactly
//!   $\mathcal N\big(0, (\kappa/p)\|U^\top h\|^2 + s^2\|h\|^2\big)$ with
//!   $h = U(U^\top U + n\lambda I)^{-1}u_0$; averaging these conditional variances is the
//!   Rao–Blackwellised estimator of $V_0$, $V_1$ (much smaller standard error than the sampled
//!   mean squares).
//! * **Loss-threshold attack** ([`MembershipSimulator::loss_attack`]; Yeom et al. 2018): each
//!   trial fits once and records the $n$ training residuals (members) and the residuals of $n$
//!   fresh points (non-members). Residuals within a trial share $\hat\beta$, so standard errors
//!   are taken over trials.
//!
//! # Estimators of the advantage (none biased upward by threshold selection)
//!
//! * split-threshold: the best threshold rule is chosen on one half of the data and its
//!   $\mathrm{TPR} - \mathrm{FPR}$ evaluated on the other half (and vice versa, averaged);
//!   its standard error is $\sqrt{[\mathrm{TPR}(1-\mathrm{TPR}) + \mathrm{FPR}(1-\mathrm{FPR})]/m}$
//!   per half (the two halves are combined conservatively, as if perfectly correlated);
//! * parametric two-Gaussian plug-in: $\mathrm{Adv}(\hat\rho)$ from the two mean squares, with a
//!   delta-method standard error (it is biased upward by $O(T^{-1/2})$ when the true
//!   advantage is 0, because $\mathrm{Adv}$ has a kink there);
//! * AUC by Mann–Whitney with the DeLong standard error.
//!
//! The naive estimator [`max_threshold_advantage`] (maximum over thresholds on the same data,
//! i.e. the two-sample Kolmogorov–Smirnov statistic) is provided to measure its bias: about
//! $\sqrt{\pi/2}\,\ln 2\cdot\sqrt{2/T} \approx 1.23/\sqrt T$ when the true advantage is 0.
//!
//! Reproducibility: trial $t$ draws from its own stream, seeded from `(seed, t)`, and trials
//! run in parallel (rayon) with results collected in trial order, so the output does not depend
//! on the thread count.
//!
//! Linear algebra runs on the shared kernel [`crate::linalg`] (Gram on one triangle,
//! Cholesky), random streams come from [`crate::sim::rng::trial_rng`].

use crate::error::{Error, Result};
use crate::experiment::{Experiment, JoinOptions, RunOptions};
use crate::linalg::{Cholesky, Matrix, dot};
use crate::sim::estimate::Estimate;
use crate::sim::memory::{self, MemoryBudget, MemoryEstimate};
use crate::sim::rng::{TrialRng, normal, trial_rng};
use crate::theory::membership::{Membership, MembershipModel, ScaleTest};

pub use crate::sim::estimate::PointEstimate;

/// The attack a membership simulation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Attack {
    /// Output-only (Tan et al. 2022): the attacker sees the prediction at the target.
    #[default]
    Output,
    /// Loss-threshold (Yeom et al. 2018): the attacker knows the label and sees the residual.
    Loss,
}

/// The smallest number of trials a membership run accepts: the split-threshold estimator
/// chooses its threshold on one half of the trials and evaluates it on the other.
pub const MEMBERSHIP_MIN_TRIALS: usize = 4;

/// The metrics the membership join reports, primary (`advantage`) first.
pub const MEMBERSHIP_METRICS: [&str; 3] = ["advantage", "auc", "test_risk"];

/// Unchecked settings of a membership-inference simulation: the theory's parameters
/// ([`Membership`], nominal $\gamma$), the training-set size and the attack.
///
/// [`MembershipAttackSimulation::check`] validates `model` with [`Membership::check`] (once),
/// then the sizes ($n \ge 2$, $1 \le p = \mathrm{round}(\gamma n)$, $p \ne n$ when
/// $\lambda = 0$). Seed and trials are [`RunOptions`], not fields.
///
/// ```
/// use overparam::experiment::RunOptions;
/// use overparam::sim::membership::{Attack, MembershipAttackSimulation};
/// use overparam::theory::membership::Membership;
/// let model = Membership { gamma: 0.5, kappa: 0.25, ..Membership::default() };
/// let sim = MembershipAttackSimulation { model, n: 40, attack: Attack::Output }.check()?;
/// let r = sim.output_attack(&RunOptions { seed: 1, trials: 200, progress: false })?;
/// assert_eq!(r.p, 20);
/// assert!(r.v0_rao_blackwell.mean > r.v1_rao_blackwell.mean);
/// # Ok::<(), overparam::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MembershipAttackSimulation {
    /// The model: $\gamma$ (nominal), $\kappa$, $\sigma$, $\lambda$, output noise.
    pub model: Membership,
    /// Training-set size $n \ge 2$.
    pub n: usize,
    /// The attack [`MembershipAttackSimulator::run`] and the join simulate.
    pub attack: Attack,
}

impl Default for MembershipAttackSimulation {
    /// The theory's default model ([`Membership::default`]), $n = 200$, output-only attack.
    fn default() -> Self {
        Self {
            model: Membership::default(),
            n: 200,
            attack: Attack::Output,
        }
    }
}

impl MembershipAttackSimulation {
    /// Validate the model ([`Membership::check`]) and the sizes.
    ///
    /// Errors: [`Error::InvalidParameter`] naming the offending field (`n` for sizes);
    /// [`Error::MemoryBudget`] (`n`) if $np$ overflows any allocation (more than `isize::MAX`
    /// bytes per trial).
    pub fn check(&self) -> Result<MembershipAttackSimulator> {
        let model = self.model.check()?;
        if self.n < 2 {
            return Err(Error::InvalidParameter {
                name: "n",
                value: self.n as f64,
                expected: "an integer >= 2",
            });
        }
        let dims = dims(self.n, &model)?;
        // Sizes whose product overflows any allocation (n p near 2^64) are refused here, before
        // any run: the trials' budget check comes with the run options.
        dims_memory(&dims, self.attack, &RunOptions::default()).check_addressable()?;
        Ok(MembershipAttackSimulator {
            params: self.model,
            model,
            attack: self.attack,
            dims,
        })
    }
}

/// A validated membership-inference simulation (build with [`MembershipAttackSimulation::check`]).
#[derive(Debug, Clone)]
pub struct MembershipAttackSimulator {
    params: Membership,
    model: MembershipModel,
    attack: Attack,
    dims: Dims,
}

/// The result of [`MembershipAttackSimulator::run`]: the three joined metrics and the full
/// protocol output.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipSimReport {
    /// The attack simulated.
    pub attack: Attack,
    /// The reported advantage $\mathrm{TPR} - \mathrm{FPR}$ of the optimal attack: the
    /// two-Gaussian plug-in on the Rao–Blackwellised variances for the output attack
    /// (`advantage_rao_blackwell`: at $n = 100$–$200$, 200 trials, bias $\le 0.004$ and a
    /// standard error of 0.001–0.004, 10–20 times smaller than the split-threshold estimator's
    /// 0.06–0.07, whose threshold chosen on 100 outputs is poor), the split-threshold estimator
    /// for the loss attack (`advantage_split`: bias $0.0002 \pm 0.0011$, every training
    /// residual of every trial is a sample). Measured biases and standard errors of all five
    /// estimators: docs/simulation.md, "Membership: which advantage".
    pub advantage: PointEstimate,
    /// The attack's AUC, oriented as the attack uses it: $P(\text{member score} >
    /// \text{non-member score})$ with the score $|\hat y_0|$ when the theory says members have
    /// the larger output variance and $-|\hat y_0|$ otherwise (output attack); $P(|r_{\rm member}|
    /// < |r_{\rm non\text{-}member}|)$ (loss attack).
    pub auc: PointEstimate,
    /// Test risk $\mathbb E(y_0 - \hat y_0)^2$ of a fresh point (label noise and output noise
    /// included), Rao–Blackwellised for the output attack, the mean squared fresh residual for
    /// the loss attack.
    pub test_risk: Estimate,
    /// Training-set size $n$.
    pub n: usize,
    /// Number of modelled features $p$.
    pub p: usize,
    /// Trials.
    pub trials: usize,
    /// The output-only protocol's full result (when `attack` is [`Attack::Output`]).
    pub output: Option<OutputAttackSimulation>,
    /// The loss-threshold protocol's full result (when `attack` is [`Attack::Loss`]).
    pub loss: Option<LossAttackSimulation>,
}

impl MembershipSimReport {
    /// The joined metrics' estimates in the order of [`MEMBERSHIP_METRICS`] (`advantage`,
    /// `auc`, `test_risk`): what the [`Experiment`] implementation simulates, for
    /// [`crate::experiment::join_simulated`] when the full report is kept too.
    pub fn estimates(&self) -> Vec<PointEstimate> {
        vec![
            self.advantage,
            self.auc,
            PointEstimate::from(&self.test_risk),
        ]
    }
}

/// Unchecked simulation settings, with seed and trials as fields.
///
/// Deprecated: use [`MembershipAttackSimulation`] (the model embedded; seed and trials in
/// [`RunOptions`]).
#[deprecated(note = "use MembershipAttackSimulation { model, n, attack } and RunOptions")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipSimulation {
    /// Training-set size $n \ge 2$.
    pub n: usize,
    /// Number of independent trials, at least 4.
    pub trials: usize,
    /// Seed of the per-trial random streams.
    pub seed: u64,
}

#[allow(deprecated)]
impl MembershipSimulation {
    /// Validate.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `n` ($\ge 2$) or `trials` ($\ge 4$).
    pub fn check(&self) -> Result<MembershipSimulator> {
        if self.n < 2 {
            return Err(Error::InvalidParameter {
                name: "n",
                value: self.n as f64,
                expected: "an integer >= 2",
            });
        }
        check_trials(self.trials)?;
        Ok(MembershipSimulator {
            n: self.n,
            trials: self.trials,
            seed: self.seed,
        })
    }
}

/// Checked simulation settings of the old shape; build with [`MembershipSimulation::check`].
///
/// Deprecated: use [`MembershipAttackSimulator`].
#[deprecated(note = "use MembershipAttackSimulator")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipSimulator {
    n: usize,
    trials: usize,
    seed: u64,
}

fn check_trials(trials: usize) -> Result<()> {
    if trials < MEMBERSHIP_MIN_TRIALS {
        return Err(Error::InvalidParameter {
            name: "trials",
            value: trials as f64,
            expected: "an integer >= 4",
        });
    }
    Ok(())
}

/// Result of the output-only protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputAttackSimulation {
    /// Training-set size.
    pub n: usize,
    /// Number of modelled features $p = \mathrm{round}(\gamma n)$.
    pub p: usize,
    /// Trials (one member and one non-member output each).
    pub trials: usize,
    /// Sampled non-member variance: mean of $\hat y_0^2$.
    pub v0: Estimate,
    /// Sampled member variance.
    pub v1: Estimate,
    /// Rao–Blackwellised $V_0$: mean of the exact conditional variances given the design.
    pub v0_rao_blackwell: Estimate,
    /// Rao–Blackwellised $V_1$.
    pub v1_rao_blackwell: Estimate,
    /// Two-Gaussian plug-in advantage from the sampled variances.
    pub advantage_plugin: PointEstimate,
    /// Two-Gaussian plug-in advantage from the Rao–Blackwellised variances.
    pub advantage_rao_blackwell: PointEstimate,
    /// Split-threshold advantage on the sampled outputs (threshold on $|\hat y_0|$).
    pub advantage_split: PointEstimate,
    /// Naive maximum over thresholds on all the data (biased upward; for comparison only).
    pub advantage_max_threshold: f64,
    /// Mann–Whitney $P(|\hat y_0^{\rm member}| > |\hat y_0^{\rm non\text{-}member}|)$.
    pub auc_member_larger: PointEstimate,
    /// Total variation between the two finite-$n$ output laws, each the scale mixture
    /// $\frac1T\sum_t \mathcal N(0, v_t)$ of the exact conditional laws given the simulated
    /// designs (Rao–Blackwellised; at most 4000 designs per class are used). Unlike
    /// `advantage_rao_blackwell` it includes the non-Gaussianity of the finite-$n$ laws.
    pub advantage_finite_n: f64,
    /// $P(|\hat y_0^{\rm member}| > |\hat y_0^{\rm non\text{-}member}|)$ under the same two
    /// scale mixtures (pairs of designs, at most 2000 per class).
    pub auc_member_larger_finite_n: f64,
    /// The conditional member output variances given each simulated design, in trial order.
    pub member_variances: Vec<f64>,
    /// The conditional non-member output variances, in trial order.
    pub nonmember_variances: Vec<f64>,
    /// Rao–Blackwellised test risk $\mathbb E(\hat y_0 - y_0)^2$ of non-member fits (label and
    /// output noise included: the glossary's `test_risk`).
    pub test_risk: Estimate,
    /// The same as `test_risk`, under its old name.
    #[deprecated(note = "use test_risk (the noise-included risk; docs/glossary.md)")]
    pub test_error: Estimate,
    /// The sampled member outputs, in trial order.
    pub member_outputs: Vec<f64>,
    /// The sampled non-member outputs, in trial order.
    pub nonmember_outputs: Vec<f64>,
}

/// Result of the loss-threshold protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct LossAttackSimulation {
    /// Training-set size (members per trial).
    pub n: usize,
    /// Number of modelled features.
    pub p: usize,
    /// Trials (fits).
    pub trials: usize,
    /// Fresh points per trial (non-members), equal to `n`.
    pub fresh: usize,
    /// Mean squared training residual.
    pub member_variance: Estimate,
    /// Mean squared fresh residual (the noisy test error).
    pub nonmember_variance: Estimate,
    /// $\sqrt{\text{member}/\text{non-member variance}}$, the simulated $S$.
    pub shrinkage: PointEstimate,
    /// Two-Gaussian plug-in advantage.
    pub advantage_plugin: PointEstimate,
    /// Split-threshold advantage (threshold chosen on half of the trials, evaluated on the rest).
    pub advantage_split: PointEstimate,
    /// Naive maximum over thresholds on all pooled residuals (biased upward).
    pub advantage_max_threshold: f64,
    /// Mann–Whitney $P(|r_{\rm member}| < |r_{\rm non\text{-}member}|)$, averaged over trials.
    pub auc: Estimate,
}

#[allow(deprecated)]
impl MembershipSimulator {
    /// Training-set size.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Number of trials.
    pub fn trials(&self) -> usize {
        self.trials
    }
    /// Seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn run_options(&self) -> RunOptions {
        RunOptions {
            seed: self.seed,
            trials: self.trials,
            progress: false,
        }
    }

    /// Run the output-only protocol (see the module docs).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`n`) if $p = \mathrm{round}(\gamma n)$ is 0 or equals $n$
    /// with $\lambda = 0$; [`Error::LinearAlgebra`] if a Gram matrix is numerically singular.
    pub fn output_attack(&self, model: &MembershipModel) -> Result<OutputAttackSimulation> {
        output_attack_on(
            &dims(self.n, model)?,
            &self.run_options(),
            &MemoryBudget::default(),
        )
    }

    /// Run the loss-threshold protocol (see the module docs).
    ///
    /// # Errors
    /// As [`MembershipSimulator::output_attack`].
    pub fn loss_attack(&self, model: &MembershipModel) -> Result<LossAttackSimulation> {
        loss_attack_on(
            &dims(self.n, model)?,
            &self.run_options(),
            &MemoryBudget::default(),
        )
    }
}

impl MembershipAttackSimulator {
    /// Training-set size $n$.
    pub fn n(&self) -> usize {
        self.dims.n
    }
    /// Number of modelled features $p = \mathrm{round}(\gamma n)$.
    pub fn p(&self) -> usize {
        self.dims.p
    }
    /// The attack.
    pub fn attack(&self) -> Attack {
        self.attack
    }
    /// The checked model (nominal $\gamma$).
    pub fn model(&self) -> &MembershipModel {
        &self.model
    }
    /// The parameters (nominal $\gamma$) this simulator was checked from.
    pub fn params(&self) -> &Membership {
        &self.params
    }
    /// The model at the realised $\gamma = p/n$.
    ///
    /// Errors: those of [`Membership::check`] (e.g. $\lambda = 0$ at a realised $p = n$ cannot
    /// occur: [`MembershipAttackSimulation::check`] rejects it).
    pub fn realised_model(&self) -> Result<MembershipModel> {
        Membership {
            gamma: self.dims.p as f64 / self.dims.n as f64,
            ..self.params
        }
        .check()
    }

    /// Run the output-only protocol (whatever [`MembershipAttackSimulator::attack`] says).
    ///
    /// Errors: [`Error::InvalidParameter`] (`trials`) for fewer than
    /// [`MEMBERSHIP_MIN_TRIALS`] trials; [`Error::LinearAlgebra`] if a Gram matrix is
    /// numerically singular.
    pub fn output_attack(&self, run: &RunOptions) -> Result<OutputAttackSimulation> {
        check_trials(run.trials)?;
        output_attack_on(&self.dims, run, &MemoryBudget::default())
    }

    /// The peak memory of [`Self::run`] (the configured attack) under `run`, from the arrays a
    /// trial holds at once (8 bytes an entry; $k = \min(n, p)$): output attack, the design $U$
    /// and its draws ($2np$) or $U$ with the $k\times k$ Gram matrix, its shifted copy and the
    /// Cholesky factor ($np + 3k^2$); loss attack, the same plus the fresh design and its draws
    /// while $U$ is alive ($3np$), and the $2n$ residuals of every trial kept for the
    /// threshold estimators with their copies and pools ($10nT$ entries in all, shared).
    /// Trials at once: $\min(\text{trials}, \text{rayon threads})$. See
    /// [`crate::sim::memory`].
    pub fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        dims_memory(&self.dims, self.attack, run)
    }

    /// [`Self::run`] under an explicit memory budget.
    ///
    /// Errors: [`Error::MemoryBudget`] (`n`) if [`Self::memory_estimate`] is over `budget`;
    /// those of [`Self::run`].
    pub fn run_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<MembershipSimReport> {
        self.run_attack(run, budget)
    }

    /// Run the loss-threshold protocol (whatever [`MembershipAttackSimulator::attack`] says).
    ///
    /// Errors: as [`MembershipAttackSimulator::output_attack`].
    pub fn loss_attack(&self, run: &RunOptions) -> Result<LossAttackSimulation> {
        check_trials(run.trials)?;
        loss_attack_on(&self.dims, run, &MemoryBudget::default())
    }

    /// Run the configured attack and report the joined metrics (see [`MembershipSimReport`]).
    ///
    /// Errors: as [`MembershipAttackSimulator::output_attack`]; those of the theory at the
    /// realised $\gamma$ (used to orient the output attack's AUC).
    ///
    /// The run is refused before allocating, with [`Error::MemoryBudget`] naming `n`, when
    /// [`Self::memory_estimate`] is over the default budget ([`MemoryBudget::default`], half of
    /// the physical memory); [`Self::run_with_budget`] takes another.
    pub fn run(&self, run: &RunOptions) -> Result<MembershipSimReport> {
        self.run_attack(run, &MemoryBudget::default())
    }

    fn run_attack(&self, run: &RunOptions, budget: &MemoryBudget) -> Result<MembershipSimReport> {
        check_trials(run.trials)?;
        match self.attack {
            Attack::Output => {
                let r = output_attack_on(&self.dims, run, budget)?;
                let member_larger = self
                    .realised_model()?
                    .output_attack()?
                    .test
                    .member_has_larger_variance();
                let auc = if member_larger {
                    r.auc_member_larger
                } else {
                    PointEstimate {
                        value: 1.0 - r.auc_member_larger.value,
                        std_err: r.auc_member_larger.std_err,
                    }
                };
                Ok(MembershipSimReport {
                    attack: Attack::Output,
                    advantage: r.advantage_rao_blackwell,
                    auc,
                    test_risk: r.test_risk.clone(),
                    n: r.n,
                    p: r.p,
                    trials: r.trials,
                    output: Some(r),
                    loss: None,
                })
            }
            Attack::Loss => {
                let r = loss_attack_on(&self.dims, run, budget)?;
                Ok(MembershipSimReport {
                    attack: Attack::Loss,
                    advantage: r.advantage_split,
                    auc: PointEstimate::from(&r.auc),
                    test_risk: r.nonmember_variance.clone(),
                    n: r.n,
                    p: r.p,
                    trials: r.trials,
                    output: None,
                    loss: Some(r),
                })
            }
        }
    }
}

impl Experiment for MembershipAttackSimulator {
    /// [`MEMBERSHIP_METRICS`]: `advantage` (primary), `auc`, `test_risk`.
    fn metric_names(&self) -> &'static [&'static str] {
        &MEMBERSHIP_METRICS
    }
    /// $n$.
    fn size(&self) -> usize {
        self.dims.n
    }
    /// The limit at the realised $\gamma = p/n$: the attack's advantage and AUC and the
    /// utility's test risk (noise included).
    fn theory_realised(&self) -> Result<Vec<f64>> {
        let m = self.realised_model()?;
        let (advantage, auc) = match self.attack {
            Attack::Output => {
                let a = m.output_attack()?;
                (a.advantage, a.auc)
            }
            Attack::Loss => {
                let a = m.loss_attack()?;
                (a.advantage, a.auc)
            }
        };
        Ok(vec![advantage, auc, m.utility()?.test_risk])
    }
    fn simulate(&self, run: &RunOptions) -> Result<Vec<PointEstimate>> {
        Ok(self.run(run)?.estimates())
    }
    fn memory_estimate(&self, run: &RunOptions) -> MemoryEstimate {
        MembershipAttackSimulator::memory_estimate(self, run)
    }
    fn simulate_with_budget(
        &self,
        run: &RunOptions,
        budget: &MemoryBudget,
    ) -> Result<Vec<PointEstimate>> {
        Ok(self.run_with_budget(run, budget)?.estimates())
    }
    /// `advantage` and `auc` (probabilities): $c/n$ absolute; `test_risk`: $c|R|/n$. The
    /// $O(1/n)$ corrections of $V_0$, $V_1$ (about $2/n$ relative at the tested points) move
    /// the two-Gaussian advantage by at most $\approx 0.24\cdot 4/n \approx 1/n$, so $c = 3$
    /// leaves a margin of 3 (docs/simulation.md).
    fn allowances(&self, theory: &[f64], options: &JoinOptions) -> Result<Vec<f64>> {
        if theory.len() != MEMBERSHIP_METRICS.len() {
            return Err(Error::DimensionMismatch {
                what: "membership theory values",
                expected: MEMBERSHIP_METRICS.len(),
                found: theory.len(),
            });
        }
        let c = options.finite_size_constant;
        let n = self.dims.n;
        Ok(vec![
            crate::compare::finite_size_allowance(1.0, c, n)?,
            crate::compare::finite_size_allowance(1.0, c, n)?,
            crate::compare::finite_size_allowance(theory[2], c, n)?.max(1e-9),
        ])
    }
}

fn dims(n: usize, model: &MembershipModel) -> Result<Dims> {
    let p = (model.gamma() * n as f64).round();
    if !(1.0..=1e8).contains(&p) {
        return Err(Error::InvalidParameter {
            name: "n",
            value: n as f64,
            expected: "a size with 1 <= round(gamma n) <= 1e8",
        });
    }
    let p = p as usize;
    if model.lambda() == 0.0 && p == n {
        return Err(Error::InvalidParameter {
            name: "n",
            value: n as f64,
            expected: "a size with round(gamma n) != n when lambda = 0 (singular fit)",
        });
    }
    let sigma2 = model.noise_sd() * model.noise_sd();
    Ok(Dims {
        n,
        p,
        ridge: n as f64 * model.lambda(),
        beta_sd: (model.kappa() / p as f64).sqrt(),
        noise_sd: model.effective_noise_variance().sqrt(),
        kappa: model.kappa(),
        s2: model.effective_noise_variance(),
        sigma2,
        tau: model.output_noise(),
    })
}

/// The output-only protocol on checked dimensions (see the module docs).
#[allow(deprecated)] // fills the deprecated alias `test_error` too
fn output_attack_on(
    dims: &Dims,
    run: &RunOptions,
    budget: &MemoryBudget,
) -> Result<OutputAttackSimulation> {
    budget.check(&dims_memory(dims, Attack::Output, run))?;
    let seed = run.seed;
    let target = {
        let mut rng = trial_rng(seed, u64::MAX);
        let mut u0 = normals(&mut rng, dims.p, 1.0);
        let norm = u0.iter().map(|x| x * x).sum::<f64>().sqrt();
        let scale = (dims.p as f64).sqrt() / norm;
        u0.iter_mut().for_each(|x| *x *= scale);
        u0
    };
    let outcomes: Vec<OutputTrial> = crate::sim::run_trials(run, 1, "membership (output)", |t| {
        output_trial(dims, &target, seed, t)
    })?;
    let col = |f: &dyn Fn(&OutputTrial) -> f64| outcomes.iter().map(f).collect::<Vec<f64>>();
    let y0 = col(&|o| o.nonmember.output);
    let y1 = col(&|o| o.member.output);
    let sq0: Vec<f64> = y0.iter().map(|x| x * x).collect();
    let sq1: Vec<f64> = y1.iter().map(|x| x * x).collect();
    let v0 = Estimate::from_trials(sq0)?;
    let v1 = Estimate::from_trials(sq1)?;
    let cv0 = col(&|o| o.nonmember.variance);
    let cv1 = col(&|o| o.member.variance);
    let rb0 = Estimate::from_trials(cv0.clone())?;
    let rb1 = Estimate::from_trials(cv1.clone())?;
    let advantage_plugin = plugin_advantage((&v1).into(), (&v0).into())?;
    let advantage_rao_blackwell = plugin_advantage((&rb1).into(), (&rb0).into())?;
    let test_risk = Estimate::from_trials(col(&|o| o.nonmember.test_error))?;
    let abs0: Vec<f64> = y0.iter().map(|x| x.abs()).collect();
    let abs1: Vec<f64> = y1.iter().map(|x| x.abs()).collect();
    Ok(OutputAttackSimulation {
        n: dims.n,
        p: dims.p,
        trials: run.trials,
        v0,
        v1,
        v0_rao_blackwell: rb0,
        v1_rao_blackwell: rb1,
        advantage_plugin,
        advantage_rao_blackwell,
        advantage_split: split_threshold_advantage(&abs1, &abs0)?,
        advantage_max_threshold: max_threshold_advantage(&abs1, &abs0),
        auc_member_larger: mann_whitney_auc(&abs1, &abs0)?,
        advantage_finite_n: mixture_total_variation(&cv1, &cv0),
        auc_member_larger_finite_n: mixture_auc(&cv1, &cv0),
        member_variances: cv1,
        nonmember_variances: cv0,
        test_risk: test_risk.clone(),
        test_error: test_risk,
        member_outputs: y1,
        nonmember_outputs: y0,
    })
}

/// The loss-threshold protocol on checked dimensions (see the module docs).
fn loss_attack_on(
    dims: &Dims,
    run: &RunOptions,
    budget: &MemoryBudget,
) -> Result<LossAttackSimulation> {
    budget.check(&dims_memory(dims, Attack::Loss, run))?;
    let outcomes: Vec<LossTrial> = crate::sim::run_trials(run, 1, "membership (loss)", |t| {
        loss_trial(dims, run.seed, t)
    })?;
    let msq = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64;
    let xm: Vec<f64> = outcomes.iter().map(|o| msq(&o.member)).collect();
    let xn: Vec<f64> = outcomes.iter().map(|o| msq(&o.nonmember)).collect();
    let member_variance = Estimate::from_trials(xm.clone())?;
    let nonmember_variance = Estimate::from_trials(xn.clone())?;
    // Delta method for log(Vm/Vn) with the per-trial covariance.
    let (mm, mn) = (member_variance.mean, nonmember_variance.mean);
    let t = run.trials as f64;
    let cov = xm
        .iter()
        .zip(&xn)
        .map(|(a, b)| (a - mm) * (b - mn))
        .sum::<f64>()
        / (t - 1.0)
        / t;
    let var_log = if mm > 0.0 {
        (member_variance.std_err / mm).powi(2) + (nonmember_variance.std_err / mn).powi(2)
            - 2.0 * cov / (mm * mn)
    } else {
        0.0
    };
    let sd_log = var_log.max(0.0).sqrt();
    let ratio = (mm / mn).sqrt();
    let shrinkage = PointEstimate {
        value: ratio,
        std_err: 0.5 * ratio * sd_log,
    };
    let advantage_plugin = advantage_with_delta(mm, mn, sd_log)?;
    // Split threshold: choose on the first half of the trials, evaluate per trial on the
    // second half, and vice versa.
    let abs = |o: &LossTrial| -> (Vec<f64>, Vec<f64>) {
        (
            o.member.iter().map(|x| x.abs()).collect(),
            o.nonmember.iter().map(|x| x.abs()).collect(),
        )
    };
    let scored: Vec<(Vec<f64>, Vec<f64>)> = outcomes.iter().map(abs).collect();
    let half = run.trials / 2;
    let (first, second) = scored.split_at(half);
    let pool = |part: &[(Vec<f64>, Vec<f64>)]| -> (Vec<f64>, Vec<f64>) {
        (
            part.iter().flat_map(|s| s.0.iter().copied()).collect(),
            part.iter().flat_map(|s| s.1.iter().copied()).collect(),
        )
    };
    let evaluate = |rule: ThresholdRule, part: &[(Vec<f64>, Vec<f64>)]| -> PointEstimate {
        let per: Vec<f64> = part
            .iter()
            .map(|(m, nm)| rule.tpr(m) - rule.tpr(nm))
            .collect();
        mean_se(&per)
    };
    let (m1, n1) = pool(first);
    let (m2, n2) = pool(second);
    let a = evaluate(best_threshold(&m1, &n1), second);
    let b = evaluate(best_threshold(&m2, &n2), first);
    let advantage_split = PointEstimate {
        value: 0.5 * (a.value + b.value),
        std_err: 0.5 * (a.std_err + b.std_err),
    };
    let (all_m, all_n) = pool(&scored);
    let aucs: Vec<f64> = scored
        .iter()
        .map(|(m, nm)| {
            // P(|r_member| < |r_non-member|): member scores are smaller.
            mann_whitney(nm, m).0
        })
        .collect();
    Ok(LossAttackSimulation {
        n: dims.n,
        p: dims.p,
        trials: run.trials,
        fresh: dims.n,
        member_variance,
        nonmember_variance,
        shrinkage,
        advantage_plugin,
        advantage_split,
        advantage_max_threshold: max_threshold_advantage(&all_m, &all_n),
        auc: Estimate::from_trials(aucs)?,
    })
}

/// The peak memory of one protocol on `dims` (see
/// [`MembershipAttackSimulator::memory_estimate`]).
fn dims_memory(dims: &Dims, attack: Attack, run: &RunOptions) -> MemoryEstimate {
    let (n, p) = (dims.n, dims.p);
    let np = memory::mul(n, p);
    let k = n.min(p);
    let gram = 3 * memory::mul(k, k);
    let (per_trial, shared, kept) = match attack {
        // The design with its draws, or the design with the Gram matrix, copy and factor; the
        // shared target u_0; about 16 numbers kept per trial.
        Attack::Output => (np + (np.max(gram)), p as u128, 16),
        // Two designs and the draws of the second; 2n residuals per trial, their absolute
        // values, the two pools and the pooled copies.
        Attack::Loss => (np + (2 * np).max(gram), 0, 10 * n as u128),
    };
    MemoryEstimate::new(
        "n",
        per_trial * memory::F64,
        shared * memory::F64,
        kept * memory::F64,
        run,
    )
}

/// Model dimensions and scales of one simulation.
#[derive(Debug, Clone, PartialEq)]
struct Dims {
    n: usize,
    p: usize,
    ridge: f64,
    beta_sd: f64,
    noise_sd: f64,
    kappa: f64,
    s2: f64,
    sigma2: f64,
    /// Standard deviation of the noise added to every released output.
    tau: f64,
}

fn normals(rng: &mut TrialRng, len: usize, sd: f64) -> Vec<f64> {
    (0..len).map(|_| sd * normal(rng)).collect()
}

/// A column vector as a `len × 1` matrix.
fn column(v: &[f64]) -> Matrix {
    Matrix::from_fn(v.len(), 1, |i, _| v[i])
}

/// `n × p` design with i.i.d. N(0, 1) entries, drawn row by row; row 0 is `first_row` if given.
fn design(rng: &mut TrialRng, n: usize, p: usize, first_row: Option<&[f64]>) -> Matrix {
    let mut rows = normals(rng, n * p, 1.0);
    if let Some(r) = first_row {
        rows[..p].copy_from_slice(r);
    }
    Matrix::from_fn(n, p, |i, j| rows[i * p + j])
}

struct OutputSample {
    output: f64,
    variance: f64,
    test_error: f64,
}

struct OutputTrial {
    member: OutputSample,
    nonmember: OutputSample,
}

fn output_trial(dims: &Dims, target: &[f64], seed: u64, trial: u64) -> Result<OutputTrial> {
    let mut rng = trial_rng(seed, trial);
    let nonmember = output_sample(dims, target, &mut rng, false)?;
    let member = output_sample(dims, target, &mut rng, true)?;
    Ok(OutputTrial { member, nonmember })
}

/// One fit and its output at the target; `member` puts the target in row 0.
fn output_sample(
    dims: &Dims,
    u0: &[f64],
    rng: &mut TrialRng,
    member: bool,
) -> Result<OutputSample> {
    let (n, p, ridge) = (dims.n, dims.p, dims.ridge);
    let u = design(rng, n, p, member.then_some(u0));
    let beta = column(&normals(rng, p, dims.beta_sd));
    let noise = normals(rng, n, dims.noise_sd);
    let mut y = u.matmul(&beta, 1.0)?;
    for (yi, e) in y.col_mut(0).iter_mut().zip(&noise) {
        *yi += e;
    }
    let (mut output, h_sq, uth_sq, u0_uth) = output_pieces(&u, u0, &y, ridge, p >= n)?;
    let tau2 = dims.tau * dims.tau;
    if dims.tau > 0.0 {
        output += dims.tau * normal(rng);
    }
    let q = dot(u0, u0);
    let per = dims.kappa / p as f64;
    let variance = per * uth_sq + dims.s2 * h_sq + tau2;
    let test_error = per * (uth_sq - 2.0 * u0_uth + q)
        + dims.s2 * h_sq
        + (1.0 - dims.kappa)
        + dims.sigma2
        + tau2;
    if !(output.is_finite() && variance.is_finite() && test_error.is_finite()) {
        return Err(Error::NonFinite {
            what: "membership output-attack trial",
        });
    }
    Ok(OutputSample {
        output,
        variance,
        test_error,
    })
}

/// For $h = U(U^\top U + cI)^{-1}u_0$: $(h^\top y, \|h\|^2, \|U^\top h\|^2, u_0^\top U^\top h)$,
/// solved in the $n\times n$ (`dual`) or the $p\times p$ form.
fn output_pieces(
    u: &Matrix,
    u0: &[f64],
    y: &Matrix,
    ridge: f64,
    dual: bool,
) -> Result<(f64, f64, f64, f64)> {
    let u0m = column(u0);
    let q = dot(u0, u0);
    Ok(if dual {
        let chol = Cholesky::new(&u.gram_rows(1.0), ridge)?;
        let g = u.matmul(&u0m, 1.0)?;
        let h = chol.solve(&g)?;
        let (g, h) = (g.col(0), h.col(0));
        let h_sq = dot(h, h);
        let gh = dot(g, h);
        (dot(h, y.col(0)), h_sq, gh - ridge * h_sq, gh)
    } else {
        let chol = Cholesky::new(&u.gram(1.0), ridge)?;
        let a = chol.solve(&u0m)?;
        let uty = u.matmul_tn(y, 1.0)?;
        let a = a.col(0);
        let a_sq = dot(a, a);
        let a_u0 = dot(a, u0);
        let r: Vec<f64> = u0.iter().zip(a).map(|(x, ai)| x - ridge * ai).collect();
        (
            dot(a, uty.col(0)),
            a_u0 - ridge * a_sq,
            dot(&r, &r),
            q - ridge * a_u0,
        )
    })
}

struct LossTrial {
    member: Vec<f64>,
    nonmember: Vec<f64>,
}

// Sharded runs (`sim::shard`): the trial outcomes written losslessly for the merge.
impl crate::sim::shard::TrialOutcome for LossTrial {
    fn encode(&self, out: &mut Vec<f64>) {
        self.member.encode(out);
        self.nonmember.encode(out);
    }
    fn decode(values: &mut crate::sim::shard::Values<'_>) -> Result<Self> {
        Ok(Self {
            member: Vec::decode(values)?,
            nonmember: Vec::decode(values)?,
        })
    }
}

impl crate::sim::shard::TrialOutcome for OutputTrial {
    fn fields() -> &'static [&'static str] {
        &[
            "member_output",
            "member_variance",
            "member_test_error",
            "nonmember_output",
            "nonmember_variance",
            "nonmember_test_error",
        ]
    }
    fn encode(&self, out: &mut Vec<f64>) {
        for s in [&self.member, &self.nonmember] {
            out.extend([s.output, s.variance, s.test_error]);
        }
    }
    fn decode(values: &mut crate::sim::shard::Values<'_>) -> Result<Self> {
        let mut sample = || -> Result<OutputSample> {
            Ok(OutputSample {
                output: values.next()?,
                variance: values.next()?,
                test_error: values.next()?,
            })
        };
        let member = sample()?;
        let nonmember = sample()?;
        Ok(Self { member, nonmember })
    }
}

fn loss_trial(dims: &Dims, seed: u64, trial: u64) -> Result<LossTrial> {
    let (n, p, ridge) = (dims.n, dims.p, dims.ridge);
    let mut rng = trial_rng(seed, trial);
    let u = design(&mut rng, n, p, None);
    let beta = column(&normals(&mut rng, p, dims.beta_sd));
    let noise = normals(&mut rng, n, dims.noise_sd);
    let mut y = u.matmul(&beta, 1.0)?;
    for (yi, e) in y.col_mut(0).iter_mut().zip(&noise) {
        *yi += e;
    }
    let (beta_hat, mut member) = if p >= n {
        let chol = Cholesky::new(&u.gram_rows(1.0), ridge)?;
        let alpha = chol.solve(&y)?;
        // Training residuals y - U U^T alpha = ridge * alpha (exact, zero when interpolating).
        let res: Vec<f64> = alpha.col(0).iter().map(|a| ridge * a).collect();
        (u.matmul_tn(&alpha, 1.0)?, res)
    } else {
        let chol = Cholesky::new(&u.gram(1.0), ridge)?;
        let b = chol.solve(&u.matmul_tn(&y, 1.0)?)?;
        let fitted = u.matmul(&b, 1.0)?;
        let res: Vec<f64> = y
            .col(0)
            .iter()
            .zip(fitted.col(0))
            .map(|(a, f)| a - f)
            .collect();
        (b, res)
    };
    let fresh = design(&mut rng, n, p, None);
    let fresh_noise = normals(&mut rng, n, dims.noise_sd);
    // Fresh residual: x^T (beta - beta_hat) + noise.
    let diff = beta.linear_combination(1.0, &beta_hat, -1.0)?;
    let err = fresh.matmul(&diff, 1.0)?;
    let mut nonmember: Vec<f64> = err
        .col(0)
        .iter()
        .zip(&fresh_noise)
        .map(|(a, e)| a + e)
        .collect();
    if dims.tau > 0.0 {
        // Released predictions carry the output noise, so every residual does.
        for r in member.iter_mut().chain(nonmember.iter_mut()) {
            *r += dims.tau * normal(&mut rng);
        }
    }
    if member.iter().chain(&nonmember).any(|x| !x.is_finite()) {
        return Err(Error::NonFinite {
            what: "membership loss-attack trial",
        });
    }
    Ok(LossTrial { member, nonmember })
}

// ----- estimators ---------------------------------------------------------------------------

/// Sample mean with its standard error $s/\sqrt T$, computed on $x/\max|x|$ and rescaled so
/// that squares of values near `f64::MAX` do not overflow (the same digits otherwise).
fn mean_se(x: &[f64]) -> PointEstimate {
    let t = x.len() as f64;
    let scale = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if !(scale > 0.0 && scale.is_finite()) || scale <= 1e150 {
        let mean = x.iter().sum::<f64>() / t;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (t - 1.0).max(1.0);
        return PointEstimate {
            value: mean,
            std_err: (var / t).sqrt(),
        };
    }
    let y: Vec<f64> = x.iter().map(|v| v / scale).collect();
    let inner = mean_se(&y);
    PointEstimate {
        value: inner.value * scale,
        std_err: (inner.std_err * scale).min(f64::MAX),
    }
}

/// Membership scores must be numbers: a NaN score has no rank and no square.
fn check_scores(member: &[f64], nonmember: &[f64], finite: bool) -> Result<()> {
    for (name, v) in [("member_scores", member), ("nonmember_scores", nonmember)] {
        if let Some(&x) = v.iter().find(|x| x.is_nan() || (finite && x.is_infinite())) {
            return Err(Error::InvalidParameter {
                name,
                value: x,
                expected: if finite {
                    "finite scores"
                } else {
                    "scores that are not NaN"
                },
            });
        }
    }
    Ok(())
}

/// $\mathrm{Adv}(V_1/V_0)$ with the delta-method SE given the SE of $\ln(V_1/V_0)$.
fn advantage_with_delta(v1: f64, v0: f64, sd_log: f64) -> Result<PointEstimate> {
    let test = ScaleTest::new(v1, v0)?;
    let l = test.log_ratio().abs();
    // A zero variance: the log ratio is infinite (saturated at f64::MAX by ScaleTest).
    if !l.is_finite() || l == f64::MAX {
        return Ok(PointEstimate {
            value: 1.0,
            std_err: 0.0,
        });
    }
    let step = 1e-4 * l.max(1.0);
    let at = |x: f64| -> Result<f64> { Ok(ScaleTest::new(x.exp(), 1.0)?.advantage()) };
    let lo = (l - step).max(0.0);
    let slope = (at(l + step)? - at(lo)?) / (l + step - lo);
    Ok(PointEstimate {
        value: test.advantage(),
        std_err: slope * sd_log,
    })
}

/// Two-Gaussian plug-in advantage from two independent variance estimates.
fn plugin_advantage(v1: PointEstimate, v0: PointEstimate) -> Result<PointEstimate> {
    let sd_log = ((v1.std_err / v1.value).powi(2) + (v0.std_err / v0.value).powi(2)).sqrt();
    advantage_with_delta(v1.value, v0.value, sd_log)
}

/// A threshold rule on a score: "member" if the score is above (or below) `threshold`.
#[derive(Debug, Clone, Copy)]
struct ThresholdRule {
    threshold: f64,
    member_above: bool,
}

impl ThresholdRule {
    /// Fraction of `scores` called "member".
    fn tpr(&self, scores: &[f64]) -> f64 {
        let hits = scores
            .iter()
            .filter(|&&s| {
                if self.member_above {
                    s > self.threshold
                } else {
                    s <= self.threshold
                }
            })
            .count();
        hits as f64 / scores.len() as f64
    }
}

/// The rule maximising TPR - FPR on the given data (both directions), and that maximum.
fn best_threshold_with_value(member: &[f64], nonmember: &[f64]) -> (ThresholdRule, f64) {
    let mut all: Vec<(f64, bool)> = member
        .iter()
        .map(|&s| (s, true))
        .chain(nonmember.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (nm, nn) = (member.len() as f64, nonmember.len() as f64);
    // Sweep thresholds "score <= t": F_m(t) - F_n(t) is the advantage of "member if below".
    let mut best = (
        ThresholdRule {
            threshold: f64::NEG_INFINITY,
            member_above: true,
        },
        0.0,
    );
    let (mut cm, mut cn) = (0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        while i < all.len() && all[i].0 == t {
            if all[i].1 {
                cm += 1.0;
            } else {
                cn += 1.0;
            }
            i += 1;
        }
        let below = cm / nm - cn / nn;
        if below > best.1 {
            best = (
                ThresholdRule {
                    threshold: t,
                    member_above: false,
                },
                below,
            );
        }
        if -below > best.1 {
            best = (
                ThresholdRule {
                    threshold: t,
                    member_above: true,
                },
                -below,
            );
        }
    }
    best
}

fn best_threshold(member: &[f64], nonmember: &[f64]) -> ThresholdRule {
    best_threshold_with_value(member, nonmember).0
}

/// The naive advantage estimate: the maximum over threshold rules (either direction) of
/// TPR - FPR on the same data, i.e. the two-sample Kolmogorov–Smirnov statistic of the scores.
///
/// Biased upward: with $T$ samples per class and true advantage 0 its mean is about
/// $\sqrt{\pi/2}\,\ln 2\,\sqrt{2/T} \approx 1.23/\sqrt T$. Returns 0 for empty input and NaN
/// if a score is NaN.
///
/// ```
/// use overparam::sim::membership::max_threshold_advantage;
/// assert_eq!(max_threshold_advantage(&[3.0, 4.0], &[1.0, 2.0]), 1.0);
/// ```
pub fn max_threshold_advantage(member_scores: &[f64], nonmember_scores: &[f64]) -> f64 {
    if member_scores.is_empty() || nonmember_scores.is_empty() {
        return 0.0;
    }
    if check_scores(member_scores, nonmember_scores, false).is_err() {
        // Garbage in (a NaN score has no rank): NaN out, at once (the search never ended).
        return f64::NAN;
    }
    best_threshold_with_value(member_scores, nonmember_scores).1
}

/// Split-threshold advantage: the best rule on the first half of each sample, evaluated on the
/// second half, and vice versa; the two are averaged. Not biased upward by the selection. The
/// standard error is $\tfrac12(\mathrm{se}_1 + \mathrm{se}_2)$ with
/// $\mathrm{se}_i = \sqrt{\mathrm{TPR}(1-\mathrm{TPR})/m_1 + \mathrm{FPR}(1-\mathrm{FPR})/m_0}$.
///
/// # Errors
/// [`Error::InvalidParameter`] (`trials`) if either sample has fewer than 4 scores;
/// (`member_scores` / `nonmember_scores`) for a NaN score.
pub fn split_threshold_advantage(
    member_scores: &[f64],
    nonmember_scores: &[f64],
) -> Result<PointEstimate> {
    if member_scores.len() < 4 || nonmember_scores.len() < 4 {
        return Err(Error::InvalidParameter {
            name: "trials",
            value: member_scores.len().min(nonmember_scores.len()) as f64,
            expected: "at least 4 scores per class",
        });
    }
    check_scores(member_scores, nonmember_scores, false)?;
    let (m1, m2) = member_scores.split_at(member_scores.len() / 2);
    let (n1, n2) = nonmember_scores.split_at(nonmember_scores.len() / 2);
    let eval = |rule: ThresholdRule, m: &[f64], nm: &[f64]| -> (f64, f64) {
        let tpr = rule.tpr(m);
        let fpr = rule.tpr(nm);
        let se = (tpr * (1.0 - tpr) / m.len() as f64 + fpr * (1.0 - fpr) / nm.len() as f64).sqrt();
        (tpr - fpr, se)
    };
    let (a, sa) = eval(best_threshold(m1, n1), m2, n2);
    let (b, sb) = eval(best_threshold(m2, n2), m1, n1);
    Ok(PointEstimate {
        value: 0.5 * (a + b),
        std_err: 0.5 * (sa + sb),
    })
}

/// $P(\text{positive} > \text{negative})$ (ties count 1/2) and the DeLong variance.
fn mann_whitney(pos: &[f64], neg: &[f64]) -> (f64, f64) {
    let (m, k) = (pos.len(), neg.len());
    let mut sorted_neg = neg.to_vec();
    sorted_neg.sort_by(f64::total_cmp);
    let mut sorted_pos = pos.to_vec();
    sorted_pos.sort_by(f64::total_cmp);
    // Placement values: for each positive, fraction of negatives below it (ties 1/2).
    let place = |x: f64, sorted: &[f64]| -> f64 {
        let below = sorted.partition_point(|&v| v < x);
        let not_above = sorted.partition_point(|&v| v <= x);
        (below as f64 + 0.5 * (not_above - below) as f64) / sorted.len() as f64
    };
    let v10: Vec<f64> = pos.iter().map(|&x| place(x, &sorted_neg)).collect();
    let v01: Vec<f64> = neg.iter().map(|&x| 1.0 - place(x, &sorted_pos)).collect();
    let auc = v10.iter().sum::<f64>() / m as f64;
    let var = |v: &[f64]| -> f64 {
        let mu = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0).max(1.0)
    };
    let delong = var(&v10) / m as f64 + var(&v01) / k as f64;
    (auc, delong)
}

/// AUC by the Mann–Whitney statistic, $\hat P(\text{member score} > \text{non-member score})$
/// (ties count 1/2), with the DeLong standard error.
///
/// # Errors
/// [`Error::InvalidParameter`] (`trials`) if either sample has fewer than 2 scores;
/// (`member_scores` / `nonmember_scores`) for a NaN score.
///
/// ```
/// use overparam::sim::membership::mann_whitney_auc;
/// let a = mann_whitney_auc(&[2.0, 3.0, 0.5], &[1.0, 0.0])?;
/// assert!((a.value - 5.0 / 6.0).abs() < 1e-15);
/// # Ok::<(), overparam::Error>(())
/// ```
pub fn mann_whitney_auc(member_scores: &[f64], nonmember_scores: &[f64]) -> Result<PointEstimate> {
    if member_scores.len() < 2 || nonmember_scores.len() < 2 {
        return Err(Error::InvalidParameter {
            name: "trials",
            value: member_scores.len().min(nonmember_scores.len()) as f64,
            expected: "at least 2 scores per class",
        });
    }
    check_scores(member_scores, nonmember_scores, false)?;
    let (auc, var) = mann_whitney(member_scores, nonmember_scores);
    Ok(PointEstimate {
        value: auc,
        std_err: var.sqrt(),
    })
}

/// At most `max` values of `v`, evenly strided (deterministic).
fn strided(v: &[f64], max: usize) -> Vec<f64> {
    let step = v.len().div_ceil(max).max(1);
    v.iter().step_by(step).copied().collect()
}

/// Total variation between the scale mixtures $\frac1{T}\sum_t\mathcal N(0, a_t)$ and
/// $\frac1{T'}\sum_t\mathcal N(0, b_t)$: $\int_0^\infty |f_a - f_b|$ (the densities are even) by
/// the composite Simpson rule on $[0, 12\sqrt{\max v}]$ with 2000 panels (absolute error about
/// $10^{-6}$: the integrand has kinks where the densities cross).
fn mixture_total_variation(a: &[f64], b: &[f64]) -> f64 {
    let (a, b) = (strided(a, 4000), strided(b, 4000));
    let vmax = a.iter().chain(&b).fold(0.0_f64, |m, &v| m.max(v));
    if vmax <= 0.0 || a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let density = |v: &[f64], x: f64| -> f64 {
        v.iter()
            .map(|&s| {
                if s > 0.0 {
                    (-0.5 * x * x / s).exp() / (2.0 * std::f64::consts::PI * s).sqrt()
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / v.len() as f64
    };
    let hi = 12.0 * vmax.sqrt();
    let panels = 2000;
    let h = hi / panels as f64;
    let mut sum = 0.0;
    for i in 0..=panels {
        let x = i as f64 * h;
        let w = if i == 0 || i == panels {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        sum += w * (density(&a, x) - density(&b, x)).abs();
    }
    // Over the whole line: twice the half-line integral, and TV is half the L1 distance.
    (sum * h / 3.0).min(1.0)
}

/// $P(|X_a| > |X_b|)$ for independent scale mixtures: the mean over pairs of
/// $\tfrac2\pi\arctan\sqrt{a_t/b_s}$.
fn mixture_auc(a: &[f64], b: &[f64]) -> f64 {
    let (a, b) = (strided(a, 2000), strided(b, 2000));
    if a.is_empty() || b.is_empty() {
        return 0.5;
    }
    let mut sum = 0.0;
    for &x in &a {
        for &y in &b {
            sum += if y > 0.0 {
                (x / y).sqrt().atan()
            } else {
                std::f64::consts::FRAC_PI_4
            };
        }
    }
    std::f64::consts::FRAC_2_PI * sum / (a.len() * b.len()) as f64
}

/// Two-Gaussian plug-in advantage of zero-mean scores: $\mathrm{Adv}(\overline{T_1^2}/\overline{T_0^2})$
/// with a delta-method standard error.
///
/// # Errors
/// [`Error::InvalidParameter`] if a sample has fewer than 2 values or zero non-member spread,
/// or (`member_scores` / `nonmember_scores`) a score is not finite.
pub fn gaussian_plugin_advantage(member: &[f64], nonmember: &[f64]) -> Result<PointEstimate> {
    if member.len() < 2 || nonmember.len() < 2 {
        return Err(Error::InvalidParameter {
            name: "trials",
            value: member.len().min(nonmember.len()) as f64,
            expected: "at least 2 values per class",
        });
    }
    check_scores(member, nonmember, true)?;
    let sq = |v: &[f64]| v.iter().map(|x| x * x).collect::<Vec<f64>>();
    plugin_advantage(mean_se(&sq(member)), mean_se(&sq(nonmember)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primal_and_dual_forms_agree() {
        let mut rng = trial_rng(1, 2);
        for (n, p) in [(7, 5), (5, 9)] {
            let u = design(&mut rng, n, p, None);
            let u0 = normals(&mut rng, p, 1.0);
            let y = column(&normals(&mut rng, n, 1.0));
            let a = output_pieces(&u, &u0, &y, 0.7, true).unwrap();
            let b = output_pieces(&u, &u0, &y, 0.7, false).unwrap();
            for (x, z) in [(a.0, b.0), (a.1, b.1), (a.2, b.2), (a.3, b.3)] {
                assert!((x - z).abs() < 1e-12 * (1.0 + x.abs()), "{x} vs {z}");
            }
        }
    }

    #[test]
    fn single_component_mixtures_match_the_closed_forms() {
        for (a, b) in [(2.0, 1.0), (1.0, 4.0), (1.0, 1.0)] {
            let t = ScaleTest::new(a, b).unwrap();
            let tv = mixture_total_variation(&[a, a], &[b]);
            assert!((tv - t.advantage()).abs() < 2e-6, "{tv}");
            let auc = mixture_auc(&[a], &[b, b]);
            let want = if a >= b { t.auc() } else { 1.0 - t.auc() };
            assert!((auc - want).abs() < 1e-14);
        }
    }
}
