//! `overparam hessian`: Hessian spectra at symmetric critical points (in progress).

use clap::Args;

use crate::CliError;

/// Arguments of `overparam hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {}

/// Run `overparam hessian`.
pub fn run(_args: HessianArgs) -> Result<(), CliError> {
    Err(CliError::usage("hessian: not yet available"))
}
