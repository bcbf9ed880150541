//! `overparam adversarial`: adversarially trained random features (Hassani & Javanmard, Thm 4.2)
//! and the linear special case.

use clap::Args;
use overparam::sim::adversarial::{AdversarialLinearSim, AdversarialRfSim, AdversarialSimResult};
use overparam::theory::adversarial::{
    AdversarialLinear, AdversarialLinearSolution, AdversarialRf, AdversarialRfSolution, SaddlePoint,
};

use crate::CliError;
use crate::grid::{ValueOrRange, parse_value_or_range};
use crate::output::{Field, Format, Record, write_records};

/// Arguments of `overparam adversarial`.
#[derive(Debug, Args)]
pub struct AdversarialArgs {
    /// psi1 = N/d, features per input dimension: X, or START:STOP:COUNT (log-spaced).
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    psi1: Option<ValueOrRange>,
    /// psi2 = n/d, samples per input dimension: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    psi2: Option<ValueOrRange>,
    /// Training radius eps > 0 of the l2 input perturbations: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    eps: ValueOrRange,
    /// Test radius of the robust error (default: the training radius).
    #[arg(long, allow_hyphen_values = true)]
    eps_test: Option<f64>,
    /// Label-noise variance tau^2 >= 0 (the note's reference setting is 0.25).
    #[arg(long, default_value_t = 0.25, allow_hyphen_values = true)]
    tau2: f64,
    /// Use the linear model (least squares trained adversarially) instead of random features.
    #[arg(long)]
    linear: bool,
    /// delta = n/d for --linear: X or START:STOP:COUNT.
    #[arg(long, value_parser = parse_value_or_range, allow_hyphen_values = true)]
    delta: Option<ValueOrRange>,
    /// Signal norm r0 = ||theta_0|| for --linear.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    r0: f64,
    /// Also run the finite-size simulation (adds sim_* fields with standard errors).
    #[arg(long)]
    simulate: bool,
    /// Input dimension d of the simulation.
    #[arg(long, default_value_t = 200)]
    d: usize,
    /// Number of independent simulation trials.
    #[arg(long, default_value_t = 4)]
    trials: usize,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw an SVG figure: standard and robust test error (theory lines; simulation points
    /// with 2-SE bars when --simulate) versus the first swept parameter (psi1, psi2 or delta,
    /// then eps; log axis for START:STOP:COUNT, linear for lin:). A single point is one marker.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

fn bad(flag: &str, value: f64, expected: &str) -> CliError {
    CliError::usage(format!(
        "{flag}: invalid value {value}: expected {expected}"
    ))
}

fn opt(x: Option<f64>) -> Field {
    x.map_or(Field::Null, Field::Num)
}

fn rf_fields(rec: &mut Record, s: &AdversarialRfSolution) {
    let sp = s.saddle;
    let get = |f: fn(&SaddlePoint) -> f64| opt(sp.as_ref().map(f));
    rec.extend([
        ("standard_error", Field::Num(s.standard_error)),
        ("robust_error", Field::Num(s.robust_error)),
        ("train_loss", Field::Num(s.train_loss)),
        (
            "zero_residual_fraction",
            Field::Num(s.zero_residual_fraction),
        ),
        ("adversarial_norm", Field::Num(s.adversarial_norm)),
        ("eps0", Field::Num(s.eps0)),
        ("sigma_sq", Field::Num(s.sigma_sq)),
        ("alpha", get(|p| p.alpha)),
        ("tau_g", get(|p| p.tau_g)),
        ("beta", get(|p| p.beta)),
        ("gamma", get(|p| p.gamma)),
        ("tau_q", get(|p| p.tau_q)),
        ("nu", Field::Num(s.nu)),
        ("kappa", Field::Num(s.kappa)),
        ("lambda", opt(s.lambda)),
        ("residual", Field::Num(s.residual)),
        ("iterations", Field::Int(s.iterations)),
    ]);
}

fn linear_fields(rec: &mut Record, s: &AdversarialLinearSolution) {
    let get = |i: usize| opt(s.saddle.map(|x| x[i]));
    rec.extend([
        ("standard_error", Field::Num(s.standard_error)),
        ("robust_error", Field::Num(s.robust_error)),
        ("train_loss", Field::Num(s.train_loss)),
        (
            "zero_residual_fraction",
            Field::Num(s.zero_residual_fraction),
        ),
        ("theta_norm", Field::Num(s.theta_norm)),
        ("adversarial_norm", Field::Num(s.adversarial_norm)),
        ("eps0", Field::Num(s.eps0)),
        ("tau", get(0)),
        ("s", get(1)),
        ("rho", get(2)),
        ("b", get(3)),
        ("m", Field::Num(s.m)),
        ("residual", Field::Num(s.residual)),
        ("iterations", Field::Int(s.iterations)),
    ]);
}

fn error_fields(rec: &mut Record, e: &overparam::Error) {
    rec.extend([
        ("standard_error", Field::Null),
        ("robust_error", Field::Null),
        ("error", Field::Text(e.to_string())),
    ]);
}

/// Simulation settings passed to the per-point simulation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SimSettings {
    d: usize,
    trials: usize,
    seed: u64,
}

/// Run `overparam adversarial`.
pub fn run(args: AdversarialArgs) -> Result<(), CliError> {
    for &e in &args.eps.0 {
        if !(e.is_finite() && e > 0.0) {
            return Err(bad("--eps", e, "a finite number > 0"));
        }
    }
    if let Some(e) = args.eps_test
        && !(e.is_finite() && e >= 0.0)
    {
        return Err(bad("--eps-test", e, "a finite number >= 0"));
    }
    if !(args.tau2.is_finite() && args.tau2 >= 0.0) {
        return Err(bad("--tau2", args.tau2, "a finite number >= 0"));
    }
    let sim = if args.simulate {
        if args.d < 2 || args.d > 20_000 {
            return Err(bad("--d", args.d as f64, "an integer in [2, 20000]"));
        }
        if args.trials < 2 || args.trials > 100_000 {
            return Err(bad(
                "--trials",
                args.trials as f64,
                "an integer in [2, 100000]",
            ));
        }
        Some(SimSettings {
            d: args.d,
            trials: args.trials,
            seed: args.seed,
        })
    } else {
        None
    };
    let records = if args.linear {
        run_linear(&args, sim)?
    } else {
        run_rf(&args, sim)?
    };
    let columns: &[&str] = if args.linear {
        &[
            "delta",
            "eps",
            "standard_error",
            "robust_error",
            "train_loss",
            "zero_residual_fraction",
            "theta_norm",
            "sim_standard_error",
            "sim_robust_error",
        ]
    } else {
        &[
            "psi1",
            "psi2",
            "eps",
            "standard_error",
            "robust_error",
            "train_loss",
            "zero_residual_fraction",
            "sim_standard_error",
            "sim_robust_error",
        ]
    };
    write_records(&records, args.format, columns).map_err(|e| CliError {
        message: format!("writing output: {e}"),
        status: 1,
    })?;
    if let Some(path) = &args.plot {
        let values = |v: &Option<ValueOrRange>| v.as_ref().map_or(Vec::new(), |r| r.0.clone());
        let (psi1, psi2, delta) = (values(&args.psi1), values(&args.psi2), values(&args.delta));
        let (x, x_scale) = if args.linear {
            crate::plot::swept(&[("delta", &delta), ("eps", &args.eps.0)])
        } else {
            crate::plot::swept(&[("psi1", &psi1), ("psi2", &psi2), ("eps", &args.eps.0)])
        };
        let (model, params): (&str, &[&str]) = if args.linear {
            ("adversarial linear", &["delta", "eps", "tau2", "r0"])
        } else {
            (
                "adversarial random features",
                &["psi1", "psi2", "eps", "tau2"],
            )
        };
        crate::plot::quantities_chart(
            &records,
            x,
            x_scale,
            crate::plot::title(model, &records, params, x),
            "test error (squared loss)",
            crate::plot::Scale::Log,
            &[
                (
                    "standard_error",
                    "sim_standard_error",
                    "sim_standard_error_se",
                    "standard error",
                ),
                (
                    "robust_error",
                    "sim_robust_error",
                    "sim_robust_error_se",
                    "robust error",
                ),
            ],
            path,
        )?;
    }
    Ok(())
}

fn run_rf(args: &AdversarialArgs, sim: Option<SimSettings>) -> Result<Vec<Record>, CliError> {
    if args.delta.is_some() {
        return Err(CliError::usage("--delta: only valid with --linear"));
    }
    let psi1 = args
        .psi1
        .as_ref()
        .ok_or_else(|| CliError::usage("--psi1: required (or use --linear --delta D)"))?;
    let psi2 = args
        .psi2
        .as_ref()
        .ok_or_else(|| CliError::usage("--psi2: required (or use --linear --delta D)"))?;
    let params = |p1: f64, p2: f64, e: f64| AdversarialRf {
        psi1: p1,
        psi2: p2,
        tau2: args.tau2,
        eps: e,
        eps_test: args.eps_test,
    };
    // Validate every point before any output.
    for &p1 in &psi1.0 {
        for &p2 in &psi2.0 {
            for &e in &args.eps.0 {
                params(p1, p2, e)
                    .check()
                    .map_err(|e| CliError::from_library(&e))?;
            }
        }
    }
    let single = !(psi1.is_range() || psi2.is_range() || args.eps.is_range());
    let mut records = Vec::new();
    for &p2 in &psi2.0 {
        for &e in &args.eps.0 {
            let mut warm: Option<SaddlePoint> = None;
            for &p1 in &psi1.0 {
                let model = params(p1, p2, e)
                    .check()
                    .map_err(|e| CliError::from_library(&e))?;
                let mut rec: Record = vec![
                    ("psi1", Field::Num(p1)),
                    ("psi2", Field::Num(p2)),
                    ("tau2", Field::Num(args.tau2)),
                    ("eps", Field::Num(e)),
                    ("eps_test", Field::Num(model.eps_test())),
                ];
                let solved = match warm {
                    Some(g) => model.solve_from(&g).or_else(|_| model.solve()),
                    None => model.solve(),
                };
                match solved {
                    Ok(s) => {
                        warm = s.saddle;
                        rf_fields(&mut rec, &s);
                    }
                    Err(err) if single => return Err(CliError::from_library(&err)),
                    Err(err) => {
                        warm = None;
                        error_fields(&mut rec, &err);
                    }
                }
                if let Some(sim) = sim {
                    simulate_rf_fields(&mut rec, p1, p2, args.tau2, e, model.eps_test(), sim)?;
                }
                records.push(rec);
            }
        }
    }
    Ok(records)
}

fn run_linear(args: &AdversarialArgs, sim: Option<SimSettings>) -> Result<Vec<Record>, CliError> {
    if args.psi1.is_some() || args.psi2.is_some() {
        return Err(CliError::usage(
            "--psi1: not valid with --linear (use --delta)",
        ));
    }
    let delta = args
        .delta
        .as_ref()
        .ok_or_else(|| CliError::usage("--delta: required with --linear"))?;
    if !(args.r0.is_finite() && args.r0 > 0.0) {
        return Err(bad("--r0", args.r0, "a finite number > 0"));
    }
    let params = |dl: f64, e: f64| AdversarialLinear {
        delta: dl,
        noise_var: args.tau2,
        r0: args.r0,
        eps: e,
        eps_test: args.eps_test,
    };
    for &dl in &delta.0 {
        for &e in &args.eps.0 {
            params(dl, e)
                .check()
                .map_err(|e| CliError::from_library(&e))?;
        }
    }
    let single = !(delta.is_range() || args.eps.is_range());
    let mut records = Vec::new();
    for &e in &args.eps.0 {
        let mut warm: Option<[f64; 4]> = None;
        for &dl in &delta.0 {
            let model = params(dl, e)
                .check()
                .map_err(|e| CliError::from_library(&e))?;
            let mut rec: Record = vec![
                ("delta", Field::Num(dl)),
                ("tau2", Field::Num(args.tau2)),
                ("r0", Field::Num(args.r0)),
                ("eps", Field::Num(e)),
                ("eps_test", Field::Num(model.eps_test())),
            ];
            let solved = match warm {
                Some(g) => model.solve_from(g).or_else(|_| model.solve()),
                None => model.solve(),
            };
            match solved {
                Ok(s) => {
                    warm = s.saddle;
                    linear_fields(&mut rec, &s);
                }
                Err(err) if single => return Err(CliError::from_library(&err)),
                Err(err) => {
                    warm = None;
                    error_fields(&mut rec, &err);
                }
            }
            if let Some(sim) = sim {
                simulate_linear_fields(&mut rec, dl, args.tau2, args.r0, e, model.eps_test(), sim)?;
            }
            records.push(rec);
        }
    }
    Ok(records)
}

fn sim_fields(rec: &mut Record, r: &AdversarialSimResult) {
    for (name, se_name, est) in [
        (
            "sim_standard_error",
            "sim_standard_error_se",
            &r.standard_error,
        ),
        ("sim_robust_error", "sim_robust_error_se", &r.robust_error),
        ("sim_train_loss", "sim_train_loss_se", &r.train_loss),
        (
            "sim_zero_residual_fraction",
            "sim_zero_residual_fraction_se",
            &r.zero_residual_fraction,
        ),
        (
            "sim_adversarial_norm",
            "sim_adversarial_norm_se",
            &r.adversarial_norm,
        ),
    ] {
        rec.push((name, Field::Num(est.mean)));
        rec.push((se_name, Field::Num(est.std_err)));
    }
    rec.push(("sim_trials", Field::Int(r.standard_error.trials)));
    // z = (simulation - theory) / SE for the two test errors, when the theory point solved.
    let theory = |key: &str| {
        rec.iter().find_map(|(k, v)| match v {
            Field::Num(x) if *k == key => Some(*x),
            _ => None,
        })
    };
    let z = |th: Option<f64>, est: &overparam::sim::Estimate| match th {
        Some(t) if est.std_err > 0.0 => Field::Num((est.mean - t) / est.std_err),
        _ => Field::Null,
    };
    let z_sr = z(theory("standard_error"), &r.standard_error);
    let z_ar = z(theory("robust_error"), &r.robust_error);
    rec.push(("sim_standard_error_z", z_sr));
    rec.push(("sim_robust_error_z", z_ar));
}

#[allow(clippy::too_many_arguments)]
fn simulate_rf_fields(
    rec: &mut Record,
    psi1: f64,
    psi2: f64,
    tau2: f64,
    eps: f64,
    eps_test: f64,
    sim: SimSettings,
) -> Result<(), CliError> {
    let r = AdversarialRfSim {
        d: sim.d,
        psi1,
        psi2,
        tau2,
        eps,
        eps_test: Some(eps_test),
        trials: sim.trials,
        seed: sim.seed,
    }
    .run()
    .map_err(|e| CliError::from_library(&e))?;
    rec.push(("sim_d", Field::Int(sim.d)));
    sim_fields(rec, &r);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn simulate_linear_fields(
    rec: &mut Record,
    delta: f64,
    tau2: f64,
    r0: f64,
    eps: f64,
    eps_test: f64,
    sim: SimSettings,
) -> Result<(), CliError> {
    let r = AdversarialLinearSim {
        d: sim.d,
        delta,
        noise_var: tau2,
        r0,
        eps,
        eps_test: Some(eps_test),
        trials: sim.trials,
        seed: sim.seed,
    }
    .run()
    .map_err(|e| CliError::from_library(&e))?;
    rec.push(("sim_d", Field::Int(sim.d)));
    sim_fields(rec, &r);
    Ok(())
}
