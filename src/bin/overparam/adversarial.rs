//! `overparam adversarial`: adversarially trained random features (in progress).

use clap::Args;

use crate::CliError;

/// Arguments of `overparam adversarial`.
#[derive(Debug, Args)]
pub struct AdversarialArgs {}

/// Run `overparam adversarial`.
pub fn run(_args: AdversarialArgs) -> Result<(), CliError> {
    Err(CliError::usage("adversarial: not yet available"))
}
