//! `overparam membership`: membership-inference advantage against ridge / min-norm regression.
//! Arguments -> `Membership` -> records.

use clap::{Args, ValueEnum};
use overparam::sim::membership::{
    self as sim, MEMBERSHIP_METRICS, MembershipAttackSimulation, MembershipSimReport, PointEstimate,
};
use overparam::theory::membership::{Membership, MembershipModel};

use crate::CliError;
use crate::driver::{Axis, Outcome, Piece, Stream, along, run_options, stream, validate};
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record};
use crate::plot::{Panel, Scale, Summary};
use crate::simulate::{Old, SimulateArgs, Simulated, simulation_fields};

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
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true)]
    gamma: ValueOrRange,
    /// Ridge penalty lambda >= 0 in the convention (1/n)||y - Xb||^2 + lambda ||b||^2; 0 is
    /// least squares / the min-norm interpolator. X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_negative_numbers = true, default_value = "0")]
    lambda: ValueOrRange,
    /// kappa = p/D in [0, 1], the fraction of the true features the model uses (0: D >> p).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite)]
    kappa: f64,
    /// Label-noise standard deviation. Deprecated alias: --sigma.
    #[arg(
        long,
        alias = "sigma",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    noise_sd: f64,
    /// Standard deviation of noise added to every released output (the output-noise defence).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true,
          value_parser = crate::grid::parse_finite)]
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
        noise_sd: args.noise_sd,
        output_noise: args.output_noise,
        ..Membership::default()
    }
}

fn simulation(args: &MembershipArgs, model: Membership) -> MembershipAttackSimulation {
    MembershipAttackSimulation {
        model,
        n: args.sim.size_or(N),
        attack: match args.attack {
            Attack::Output => sim::Attack::Output,
            Attack::Loss => sim::Attack::Loss,
        },
    }
}

/// Axes, outermost first: lambda, gamma.
fn axes(args: &MembershipArgs) -> [Axis; 2] {
    [
        Axis::new("lambda", args.lambda),
        Axis::new("gamma", args.gamma),
    ]
}

/// Run `overparam membership`.
pub fn run(args: MembershipArgs) -> Result<(), CliError> {
    crate::plot::check_path(args.plot.as_ref())?;
    let axes = axes(&args);
    validate(&axes, |v| params(&args, v).check().map(|_| ()))?;
    if args.sim.simulate {
        let base: Vec<f64> = axes.iter().map(|a| a.values.first()).collect();
        simulation(&args, params(&args, &base))
            .check()
            .map_err(|e| CliError::from_library(&e))?;
        args.sim
            .check_memory(&axes, |v| simulation(&args, params(&args, v)).check())?;
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
    Ok((advantage, auc, utility.test_risk, rec))
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
    rec.num("noise_sd", p.noise_sd);
    rec.num("sigma", p.noise_sd); // deprecated key
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
                error = error.or(simulate(args, &p, &mut rec));
            }
        }
        Ok(_) if args.sim.simulate => {
            error = simulate(args, &p, &mut rec);
        }
        Ok(_) => {}
    }
    Outcome { record: rec, error }
}

/// Simulate one point and add the simulation fields to its record: `n`, `p`, the join
/// (`advantage` is the library's reported estimator: the Rao–Blackwellised plug-in for the
/// output attack, the split-threshold one for the loss attack), then the deprecated keys of 0.1
/// with their old meaning (`sim_advantage`: the split-threshold estimator; the protocol's other
/// estimators; `sim_test_error`: the simulated test risk; `trials`).
fn simulate(args: &MembershipArgs, p: &Membership, rec: &mut Record) -> Option<overparam::Error> {
    let run = run_options(&args.sim, &axes(args));
    let checked = simulation(args, *p).check();
    match &checked {
        Ok(s) => {
            rec.push("n", Field::Int(s.n() as u64));
            rec.push("p", Field::Int(s.p() as u64));
        }
        Err(_) => {
            rec.push("n", Field::Null);
            rec.push("p", Field::Null);
        }
    }
    let mut report = None;
    let simulated = checked.and_then(|s| {
        let r = s.run_with_budget(&run, &crate::simulate::budget())?;
        let simulated = Simulated::new(&s, r.estimates(), &run, &args.sim.join(None));
        report = Some(r);
        Ok(simulated)
    });
    let old = old_keys(args.attack, report.as_ref());
    simulation_fields(rec, &MEMBERSHIP_METRICS, simulated, &old, run)
}

/// The deprecated simulation keys of 0.1, with their old meaning, read from the report.
fn old_keys(attack: Attack, report: Option<&MembershipSimReport>) -> Vec<(&'static str, Old)> {
    let value = |x: Option<f64>| Old::Value(Field::opt(x));
    let est = |name: &'static str, se: &'static str, e: Option<PointEstimate>| {
        [
            (name, value(e.map(|e| e.value))),
            (se, value(e.map(|e| e.std_err))),
        ]
    };
    let output = report.and_then(|r| r.output.as_ref());
    let loss = report.and_then(|r| r.loss.as_ref());
    let mut keys = Vec::new();
    match attack {
        Attack::Output => {
            let pe = |f: fn(&sim::OutputAttackSimulation) -> PointEstimate| output.map(f);
            let e = |f: fn(&sim::OutputAttackSimulation) -> &overparam::sim::Estimate| {
                output.map(|o| PointEstimate::from(f(o)))
            };
            keys.extend(est(
                "sim_advantage",
                "sim_advantage_se",
                pe(|o| o.advantage_split),
            ));
            keys.extend(est(
                "sim_advantage_plugin",
                "sim_advantage_plugin_se",
                pe(|o| o.advantage_plugin),
            ));
            keys.extend(est(
                "sim_advantage_rao_blackwell",
                "sim_advantage_rao_blackwell_se",
                pe(|o| o.advantage_rao_blackwell),
            ));
            keys.push((
                "sim_advantage_finite_n",
                value(output.map(|o| o.advantage_finite_n)),
            ));
            keys.push((
                "sim_advantage_max_threshold",
                value(output.map(|o| o.advantage_max_threshold)),
            ));
            keys.extend(est("sim_v0", "sim_v0_se", e(|o| &o.v0_rao_blackwell)));
            keys.extend(est("sim_v1", "sim_v1_se", e(|o| &o.v1_rao_blackwell)));
            keys.extend(est("sim_v0_sampled", "sim_v0_sampled_se", e(|o| &o.v0)));
            keys.extend(est("sim_v1_sampled", "sim_v1_sampled_se", e(|o| &o.v1)));
        }
        Attack::Loss => {
            let pe = |f: fn(&sim::LossAttackSimulation) -> PointEstimate| loss.map(f);
            keys.extend(est(
                "sim_advantage",
                "sim_advantage_se",
                pe(|l| l.advantage_split),
            ));
            keys.extend(est(
                "sim_advantage_plugin",
                "sim_advantage_plugin_se",
                pe(|l| l.advantage_plugin),
            ));
            keys.push((
                "sim_advantage_max_threshold",
                value(loss.map(|l| l.advantage_max_threshold)),
            ));
            keys.extend(est(
                "sim_shrinkage",
                "sim_shrinkage_se",
                pe(|l| l.shrinkage),
            ));
            keys.extend(est(
                "sim_member_variance",
                "sim_member_variance_se",
                loss.map(|l| PointEstimate::from(&l.member_variance)),
            ));
        }
    }
    keys.push(("sim_test_error", Old::Mean("test_risk")));
    keys.push(("sim_test_error_se", Old::Se("test_risk")));
    keys.push(("trials", Old::Trials));
    keys
}
