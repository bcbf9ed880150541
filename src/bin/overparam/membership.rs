//! `overparam membership`: membership-inference advantage (in progress).

use clap::Args;

use crate::CliError;

/// Arguments of `overparam membership`.
#[derive(Debug, Args)]
pub struct MembershipArgs {}

/// Run `overparam membership`.
pub fn run(_args: MembershipArgs) -> Result<(), CliError> {
    Err(CliError::usage("membership: not yet available"))
}
