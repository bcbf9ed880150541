//! `overparam membership`: membership-inference advantage against ridge / min-norm regression.

use clap::{Args, ValueEnum};
use overparam::sim::membership::{MembershipSimulation, PointEstimate};
use overparam::theory::membership::{Membership, MembershipModel};

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};

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
    /// Label-noise standard deviation sigma.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    sigma: f64,
    /// Standard deviation of noise added to every released output (the output-noise defence).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    output_noise: f64,
    /// Threat model: output-only (Tan et al.) or loss-threshold (attacker knows the label).
    #[arg(long, value_enum, default_value_t = Attack::Output)]
    attack: Attack,
    /// Also run the finite-size Monte Carlo and print simulated values with standard errors.
    #[arg(long)]
    simulate: bool,
    /// Training-set size of the simulation.
    #[arg(long, default_value_t = 200)]
    n: usize,
    /// Number of simulation trials.
    #[arg(long, default_value_t = 1000)]
    trials: usize,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure: the attack's advantage TPR - FPR (theory line; simulation points
    /// with 2-SE bars when --simulate) versus gamma, or lambda when only lambda is swept (log
    /// axis for START:STOP:COUNT, linear for lin:). A single point is drawn as one marker.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

const FPR: f64 = 0.01;

fn lib(e: &overparam::Error) -> CliError {
    CliError::from_library(e)
}

fn est(rec: &mut Record, name: &'static str, se_name: &'static str, e: PointEstimate) {
    rec.push((name, Field::Num(e.value)));
    rec.push((se_name, Field::Num(e.std_err)));
}

fn theory_fields(model: &MembershipModel, attack: Attack) -> overparam::Result<Record> {
    let utility = model.utility()?;
    let mut rec: Record = Vec::new();
    match attack {
        Attack::Output => {
            let a = model.output_attack()?;
            rec.extend([
                ("advantage", Field::Num(a.advantage)),
                ("auc", Field::Num(a.auc)),
                ("tpr_at_fpr_0_01", Field::Num(a.test.tpr_at_fpr(FPR)?)),
                ("v0", Field::Num(a.v0)),
                ("v1", Field::Num(a.v1)),
                (
                    "member_variance_larger",
                    Field::Text(a.test.member_has_larger_variance().to_string()),
                ),
            ]);
        }
        Attack::Loss => {
            let a = model.loss_attack()?;
            rec.extend([
                ("advantage", Field::Num(a.advantage)),
                ("auc", Field::Num(a.auc)),
                ("tpr_at_fpr_0_01", Field::Num(a.test.tpr_at_fpr(FPR)?)),
                ("shrinkage", Field::Num(a.shrinkage)),
                ("member_variance", Field::Num(a.member_variance)),
                ("nonmember_variance", Field::Num(a.nonmember_variance)),
            ]);
        }
    }
    rec.extend([
        ("test_error", Field::Num(utility.test_error)),
        ("excess_error", Field::Num(utility.excess_error)),
    ]);
    Ok(rec)
}

fn simulated_fields(model: &MembershipModel, args: &MembershipArgs) -> overparam::Result<Record> {
    let sim = MembershipSimulation {
        n: args.n,
        trials: args.trials,
        seed: args.seed,
    }
    .check()?;
    let mut rec: Record = Vec::new();
    match args.attack {
        Attack::Output => {
            let r = sim.output_attack(model)?;
            let member_larger = model.output_attack()?.test.member_has_larger_variance();
            let orient = |e: PointEstimate| {
                if member_larger {
                    e
                } else {
                    PointEstimate {
                        value: 1.0 - e.value,
                        std_err: e.std_err,
                    }
                }
            };
            rec.extend([
                ("n", Field::Int(r.n)),
                ("p", Field::Int(r.p)),
                ("trials", Field::Int(r.trials)),
            ]);
            est(
                &mut rec,
                "sim_advantage",
                "sim_advantage_se",
                r.advantage_split,
            );
            est(
                &mut rec,
                "sim_advantage_plugin",
                "sim_advantage_plugin_se",
                r.advantage_plugin,
            );
            est(
                &mut rec,
                "sim_advantage_rao_blackwell",
                "sim_advantage_rao_blackwell_se",
                r.advantage_rao_blackwell,
            );
            rec.push(("sim_advantage_finite_n", Field::Num(r.advantage_finite_n)));
            rec.push((
                "sim_advantage_max_threshold",
                Field::Num(r.advantage_max_threshold),
            ));
            est(
                &mut rec,
                "sim_auc",
                "sim_auc_se",
                orient(r.auc_member_larger),
            );
            est(
                &mut rec,
                "sim_v0",
                "sim_v0_se",
                PointEstimate::from(&r.v0_rao_blackwell),
            );
            est(
                &mut rec,
                "sim_v1",
                "sim_v1_se",
                PointEstimate::from(&r.v1_rao_blackwell),
            );
            est(
                &mut rec,
                "sim_v0_sampled",
                "sim_v0_sampled_se",
                PointEstimate::from(&r.v0),
            );
            est(
                &mut rec,
                "sim_v1_sampled",
                "sim_v1_sampled_se",
                PointEstimate::from(&r.v1),
            );
            est(
                &mut rec,
                "sim_test_error",
                "sim_test_error_se",
                PointEstimate::from(&r.test_error),
            );
        }
        Attack::Loss => {
            let r = sim.loss_attack(model)?;
            rec.extend([
                ("n", Field::Int(r.n)),
                ("p", Field::Int(r.p)),
                ("trials", Field::Int(r.trials)),
            ]);
            est(
                &mut rec,
                "sim_advantage",
                "sim_advantage_se",
                r.advantage_split,
            );
            est(
                &mut rec,
                "sim_advantage_plugin",
                "sim_advantage_plugin_se",
                r.advantage_plugin,
            );
            rec.push((
                "sim_advantage_max_threshold",
                Field::Num(r.advantage_max_threshold),
            ));
            est(
                &mut rec,
                "sim_auc",
                "sim_auc_se",
                PointEstimate::from(&r.auc),
            );
            est(&mut rec, "sim_shrinkage", "sim_shrinkage_se", r.shrinkage);
            est(
                &mut rec,
                "sim_member_variance",
                "sim_member_variance_se",
                PointEstimate::from(&r.member_variance),
            );
            est(
                &mut rec,
                "sim_test_error",
                "sim_test_error_se",
                PointEstimate::from(&r.nonmember_variance),
            );
        }
    }
    Ok(rec)
}

/// Run `overparam membership`.
pub fn run(args: MembershipArgs) -> Result<(), CliError> {
    let base = Membership {
        gamma: args.gamma.0[0],
        kappa: args.kappa,
        sigma: args.sigma,
        lambda: args.lambda.0[0],
        output_noise: args.output_noise,
    };
    let single = !(args.gamma.is_range() || args.lambda.is_range());
    // Validate everything up front so bad input fails before any output. In a sweep, the one
    // singular point gamma = 1, lambda = 0 becomes a record with an `error` field instead.
    for &gamma in &args.gamma.0 {
        for &lambda in &args.lambda.0 {
            let p = Membership {
                gamma,
                lambda,
                ..base
            };
            if let Err(e) = p.check()
                && (single || !(gamma == 1.0 && lambda == 0.0))
            {
                return Err(lib(&e));
            }
        }
    }
    if args.simulate {
        MembershipSimulation {
            n: args.n,
            trials: args.trials,
            seed: args.seed,
        }
        .check()
        .map_err(|e| lib(&e))?;
    }
    let attack_name = match args.attack {
        Attack::Output => "output",
        Attack::Loss => "loss",
    };
    let mut records = Vec::new();
    for &lambda in &args.lambda.0 {
        for &gamma in &args.gamma.0 {
            let params = Membership {
                gamma,
                lambda,
                ..base
            };
            let mut rec: Record = vec![
                ("attack", Field::Text(attack_name.to_string())),
                ("gamma", Field::Num(gamma)),
                ("kappa", Field::Num(args.kappa)),
                ("sigma", Field::Num(args.sigma)),
                ("lambda", Field::Num(lambda)),
                ("output_noise", Field::Num(args.output_noise)),
            ];
            let result = params.check().and_then(|model| {
                let mut fields = theory_fields(&model, args.attack)?;
                if args.simulate {
                    fields.extend(simulated_fields(&model, &args)?);
                }
                Ok(fields)
            });
            match result {
                Ok(fields) => rec.extend(fields),
                Err(e) if single => return Err(lib(&e)),
                Err(e) => rec.extend([
                    ("advantage", Field::Null),
                    ("auc", Field::Null),
                    ("test_error", Field::Null),
                    ("error", Field::Text(e.to_string())),
                ]),
            }
            records.push(rec);
        }
    }
    let columns: &[&str] = if args.simulate {
        &[
            "gamma",
            "lambda",
            "advantage",
            "sim_advantage",
            "sim_advantage_se",
            "auc",
            "sim_auc",
            "sim_auc_se",
            "v0",
            "sim_v0",
            "v1",
            "sim_v1",
            "test_error",
            "sim_test_error",
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
            "test_error",
        ]
    };
    write_records(&records, args.format, columns).map_err(|e| CliError {
        message: format!("writing output: {e}"),
        status: 1,
    })?;
    if let Some(path) = &args.plot {
        let (x, x_scale) =
            crate::plot::swept(&[("gamma", &args.gamma.0), ("lambda", &args.lambda.0)]);
        let attack = match args.attack {
            Attack::Output => "output-only attack",
            Attack::Loss => "loss-threshold attack",
        };
        crate::plot::quantities_chart(
            &records,
            x,
            x_scale,
            crate::plot::title(
                &format!("membership inference, {attack}"),
                &records,
                &["gamma", "lambda"],
                x,
            ),
            "membership advantage (TPR - FPR of the attack)",
            crate::plot::Scale::Linear,
            &[(
                "advantage",
                "sim_advantage",
                "sim_advantage_se",
                "advantage",
            )],
            path,
        )?;
    }
    Ok(())
}
