//! `overparam membership`: membership-inference advantage against ridge / min-norm regression.
//! Arguments -> `Membership` -> records.

use clap::{Args, ValueEnum};
use overparam::experiment::Joined;
use overparam::sim::membership::{MembershipSimulation, PointEstimate};
use overparam::theory::membership::{Membership, MembershipModel};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, Stream, along, stream, validate};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record};
use crate::plot::{Panel, Scale, Summary};
use crate::simulate::{SimulateArgs, join_values, joined_fields};

/// The threat model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Attack {
    /// Output-only (Tan et al.): the attacker sees the prediction at the target, not its label.
    Output,
    /// Loss-threshold (Yeom et al.): the attacker knows the label and sees the residual.
    Loss,
}

/// Arguments of `overparam membership`.
#[derive(Debug, Args)]
pub struct MembershipArgs {
    /// gamma = p/n, parameters per sample: X, or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    gamma: ValueOrRange,
    /// Ridge penalty lambda >= 0 in the convention (1/n)||y - Xb||^2 + lambda ||b||^2; 0 is
    /// least squares / the min-norm interpolator. X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true, default_value = "0")]
    lambda: ValueOrRange,
    /// kappa = p/D in [0, 1], the fraction of the true features the model uses (0: D >> p).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    kappa: f64,
    /// Label-noise standard deviation. Deprecated alias: --sigma.
    #[arg(
        long,
        alias = "sigma",
        default_value_t = 1.0,
        allow_hyphen_values = true
    )]
    noise_sd: f64,
    /// Standard deviation of noise added to every released output (the output-noise defence).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    output_noise: f64,
    /// Threat model: output-only (Tan et al.) or loss-threshold (attacker knows the label).
    #[arg(long, value_enum, default_value_t = Attack::Output)]
    attack: Attack,
    #[command(flatten)]
    sim: SimulateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure: the attack's advantage TPR - FPR (theory line on a fine grid;
    /// simulation points with 2-SE bars when --simulate) versus the last swept parameter, one
    /// line per value of the other.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

/// Default simulated sample size.
const N: usize = 200;
const FPR: f64 = 0.01;

fn params(args: &MembershipArgs, v: &[f64]) -> Membership {
    Membership {
        lambda: v[0],
        gamma: v[1],
        kappa: args.kappa,
        sigma: args.noise_sd,
        output_noise: args.output_noise,
    }
}

fn simulation(args: &MembershipArgs) -> MembershipSimulation {
    MembershipSimulation {
        n: args.sim.size_or(N),
        trials: args.sim.trials,
        seed: args.sim.seed,
    }
}

/// Run `overparam membership`.
pub fn run(args: MembershipArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.plot.as_ref())?;
    let axes = [
        Axis::new("lambda", args.lambda),
        Axis::new("gamma", args.gamma),
    ];
    validate(&axes, |v| params(&args, v).check().map(|_| ()))?;
    if args.sim.simulate {
        simulation(&args)
            .check()
            .map_err(|e| CliError::from_library(&e))?;
    }
    let table: &[&str] = if args.sim.simulate {
        &[
            "gamma",
            "lambda",
            "advantage",
            "sim_mean",
            "sim_se",
            "z",
            "agrees",
            "auc",
            "sim_auc",
            "test_risk",
            "sim_test_risk",
        ]
    } else {
        &[
            "gamma",
            "lambda",
            "advantage",
            "auc",
            "tpr_at_fpr_0_01",
            "v0",
            "v1",
            "shrinkage",
            "test_risk",
        ]
    };
    let records = stream(
        &axes,
        Stream {
            format: args.format,
            table,
            keep: args.plot.is_some(),
            progress: args.sim.progress(),
        },
        |piece| evaluate(&args, piece),
    )?;
    if let Some(path) = &args.plot {
        let attack = match args.attack {
            Attack::Output => "output-only attack",
            Attack::Loss => "loss-threshold attack",
        };
        crate::plot::figure(
            &Summary {
                model: format!("membership inference, {attack}"),
                fixed: vec![("kappa", args.kappa), ("noise_sd", args.noise_sd)],
                simulated: args
                    .sim
                    .simulate
                    .then(|| (format!("n = {}", args.sim.size_or(N)), args.sim.trials)),
            },
            &axes,
            &records,
            path,
            &[Panel {
                y_label: "membership advantage (TPR - FPR of the attack)",
                y_scale: Scale::Linear,
                quantities: vec![("advantage", 0, "sim_mean", "sim_se")],
            }],
            |v| Ok(vec![theory(&params(&args, v).check()?, args.attack)?.0]),
        )?;
    }
    Ok(())
}

/// The advantage, AUC and test risk of the attack, with the attack's other fields.
fn theory(model: &MembershipModel, attack: Attack) -> overparam::Result<(f64, f64, f64, Record)> {
    let utility = model.utility()?;
    let mut rec = Record::default();
    let (advantage, auc) = match attack {
        Attack::Output => {
            let a = model.output_attack()?;
            rec.num("tpr_at_fpr_0_01", a.test.tpr_at_fpr(FPR)?);
            rec.num("v0", a.v0);
            rec.num("v1", a.v1);
            rec.push(
                "member_variance_larger",
                Field::Bool(a.test.member_has_larger_variance()),
            );
            (a.advantage, a.auc)
        }
        Attack::Loss => {
            let a = model.loss_attack()?;
            rec.num("tpr_at_fpr_0_01", a.test.tpr_at_fpr(FPR)?);
            rec.num("shrinkage", a.shrinkage);
            rec.num("member_variance", a.member_variance);
            rec.num("nonmember_variance", a.nonmember_variance);
            (a.advantage, a.auc)
        }
    };
    rec.num("excess_error", utility.excess_error);
    Ok((advantage, auc, utility.test_error, rec))
}

fn evaluate(args: &MembershipArgs, piece: &Piece<'_>) -> Vec<Outcome> {
    let no_curve = None::<fn(&MembershipModel, &[f64]) -> overparam::Result<Vec<_>>>;
    along(
        piece,
        |v| params(args, v).check(),
        no_curve,
        |m| Ok((*m, theory(m, args.attack)?)),
    )
    .into_iter()
    .map(|(v, solved)| outcome(args, &v, solved))
    .collect()
}

type Solved = (MembershipModel, (f64, f64, f64, Record));

fn outcome(args: &MembershipArgs, v: &[f64], solved: overparam::Result<Solved>) -> Outcome {
    let p = params(args, v);
    let mut rec = Record::default();
    let attack = match args.attack {
        Attack::Output => "output",
        Attack::Loss => "loss",
    };
    rec.push("attack", Field::Text(attack.into()));
    rec.num("gamma", p.gamma);
    rec.num("kappa", p.kappa);
    rec.num("noise_sd", p.sigma);
    rec.num("sigma", p.sigma); // deprecated key
    rec.num("lambda", p.lambda);
    rec.num("output_noise", p.output_noise);
    let t = solved.as_ref().ok().map(|s| &s.1);
    rec.push("advantage", Field::opt(t.map(|t| t.0)));
    rec.push("auc", Field::opt(t.map(|t| t.1)));
    let extra_keys: &[&'static str] = match args.attack {
        Attack::Output => &["tpr_at_fpr_0_01", "v0", "v1", "member_variance_larger"],
        Attack::Loss => &[
            "tpr_at_fpr_0_01",
            "shrinkage",
            "member_variance",
            "nonmember_variance",
        ],
    };
    for key in extra_keys {
        rec.push(
            *key,
            t.and_then(|t| t.3.get(key).cloned()).unwrap_or(Field::Null),
        );
    }
    rec.push("test_risk", Field::opt(t.map(|t| t.2)));
    rec.push("test_error", Field::opt(t.map(|t| t.2))); // deprecated key (noise included)
    rec.push(
        "excess_error",
        t.and_then(|t| t.3.get("excess_error").cloned())
            .unwrap_or(Field::Null),
    );
    let mut error = None;
    match &solved {
        Err(e) => {
            rec.push("error", Field::Text(e.to_string()));
            error = Some(e.clone());
            if args.sim.simulate {
                joined_fields(&mut rec, NAMES, None);
            }
        }
        Ok((model, _)) if args.sim.simulate => {
            error = simulate(args, model, &mut rec);
        }
        Ok(_) => {}
    }
    Outcome { record: rec, error }
}

/// Metric names of the membership join, primary first.
const NAMES: &[&str] = &["advantage", "auc", "test_risk"];

/// MOVE TO LIBRARY (the membership `Experiment`): the simulated AUC of the output attack is
/// $P(|r_{\rm member}| < |r_{\rm non-member}|)$; when the member's output variance is the smaller
/// one the attack flips its orientation, so the AUC it achieves is $1 - $ that.
fn oriented_auc(
    model: &MembershipModel,
    auc_member_larger: PointEstimate,
) -> overparam::Result<PointEstimate> {
    Ok(
        if model.output_attack()?.test.member_has_larger_variance() {
            auc_member_larger
        } else {
            PointEstimate {
                value: 1.0 - auc_member_larger.value,
                std_err: auc_member_larger.std_err,
            }
        },
    )
}

/// MOVE TO LIBRARY (the membership `Experiment`): advantage, AUC and test risk at the realised
/// $\gamma = p/n$, $p = \mathrm{round}(\gamma n)$.
fn realised(
    args: &MembershipArgs,
    model: &MembershipModel,
    p: usize,
    n: usize,
) -> overparam::Result<[f64; 3]> {
    let m = Membership {
        gamma: p as f64 / n as f64,
        lambda: model.lambda(),
        kappa: args.kappa,
        sigma: args.noise_sd,
        output_noise: args.output_noise,
    }
    .check()?;
    let (a, auc, risk, _) = theory(&m, args.attack)?;
    Ok([a, auc, risk])
}

fn est(rec: &mut Record, name: &'static str, e: PointEstimate) {
    rec.num(name, e.value);
    rec.num(format!("{name}_se"), e.std_err);
}

fn simulate(
    args: &MembershipArgs,
    model: &MembershipModel,
    rec: &mut Record,
) -> Option<overparam::Error> {
    let sim = match simulation(args).check() {
        Ok(s) => s,
        Err(e) => {
            joined_fields(rec, NAMES, None);
            rec.push("sim_error", Field::Text(e.to_string()));
            return Some(e);
        }
    };
    // The primary estimate: the split-threshold advantage (threshold chosen on half of the
    // trials, evaluated on the other half: unbiased, unlike the plug-in maximum).
    let sims = match args.attack {
        Attack::Output => sim.output_attack(model).and_then(|r| {
            let auc = oriented_auc(model, r.auc_member_larger)?;
            let mut old = Record::default();
            est(&mut old, "sim_advantage_plugin", r.advantage_plugin);
            est(
                &mut old,
                "sim_advantage_rao_blackwell",
                r.advantage_rao_blackwell,
            );
            old.num("sim_advantage_finite_n", r.advantage_finite_n);
            old.num("sim_advantage_max_threshold", r.advantage_max_threshold);
            est(&mut old, "sim_v0", PointEstimate::from(&r.v0_rao_blackwell));
            est(&mut old, "sim_v1", PointEstimate::from(&r.v1_rao_blackwell));
            est(&mut old, "sim_v0_sampled", PointEstimate::from(&r.v0));
            est(&mut old, "sim_v1_sampled", PointEstimate::from(&r.v1));
            let risk = PointEstimate::from(&r.test_error);
            Ok(((r.n, r.p), [r.advantage_split, auc, risk], old))
        }),
        Attack::Loss => sim.loss_attack(model).map(|r| {
            let mut old = Record::default();
            est(&mut old, "sim_advantage_plugin", r.advantage_plugin);
            old.num("sim_advantage_max_threshold", r.advantage_max_threshold);
            est(&mut old, "sim_shrinkage", r.shrinkage);
            est(
                &mut old,
                "sim_member_variance",
                PointEstimate::from(&r.member_variance),
            );
            let risk = PointEstimate::from(&r.nonmember_variance);
            let auc = PointEstimate::from(&r.auc);
            ((r.n, r.p), [r.advantage_split, auc, risk], old)
        }),
    };
    let ((n, p), [advantage, auc, risk], old) = match sims {
        Ok(s) => s,
        Err(e) => {
            joined_fields(rec, NAMES, None);
            rec.push("sim_error", Field::Text(e.to_string()));
            return Some(e);
        }
    };
    rec.push("n", Field::Int(n as u64));
    rec.push("p", Field::Int(p as u64));
    let joined: overparam::Result<Joined> = realised(args, model, p, n).and_then(|t| {
        join_values(
            &[
                ("advantage", t[0], advantage),
                ("auc", t[1], auc),
                ("test_risk", t[2], risk),
            ],
            args.sim.finite_size_constant,
            n,
            args.sim.run(),
        )
    });
    match &joined {
        Ok(j) => joined_fields(rec, NAMES, Some(j)),
        Err(e) => {
            joined_fields(rec, NAMES, None);
            rec.set("sim_mean", Field::Num(advantage.value));
            rec.set("sim_se", Field::Num(advantage.std_err));
            rec.push(
                "sim_error",
                Field::Text(format!("theory at the realised sizes: {e}")),
            );
        }
    }
    // Deprecated keys of 0.1 (sim_auc and its SE are emitted by the join above).
    est(rec, "sim_advantage", advantage);
    rec.0.extend(old.0);
    est(rec, "sim_test_error", risk);
    rec.push("trials", Field::Int(args.sim.trials as u64));
    None
}
