//! `overparam ridge`: linear ridge / min-norm regression (placeholder until the theory lands).

use clap::Args;

use crate::CliError;

/// Arguments of `overparam ridge`.
#[derive(Debug, Args)]
pub struct RidgeArgs {}

/// Run `overparam ridge`.
pub fn run(_args: RidgeArgs) -> Result<(), CliError> {
    Err(CliError::usage("ridge: not yet available"))
}
