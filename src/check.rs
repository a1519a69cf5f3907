//! The trait every check implements. A check is one file in `src/checks/` plus one line in
//! the registry ([`crate::checks::ALL`]); everything else about it is in its [`CheckInfo`].

use crate::check_info::CheckInfo;
use crate::context::Context;
use crate::report::Findings;
use futures::future::BoxFuture;

/// The check itself broke (as opposed to finding a problem, which is a finding).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("internal error: {0} (this is a bug in bedrock-doctor; please report it)")]
    Internal(String),
}

/// One diagnostic check.
pub trait Check: Send + Sync + 'static {
    /// What the check declares about itself.
    fn info(&self) -> &'static CheckInfo;
    /// Does the work, pushing one finding per evaluated item. `Err` only if the check broke.
    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>>;

    /// Stable id, e.g. `credentials`.
    fn id(&self) -> &'static str {
        self.info().id
    }
    /// Ids of checks that must finish first.
    fn depends_on(&self) -> &'static [&'static str] {
        self.info().depends_on
    }
    /// Ids of checks that finish first when they run, without being pulled into a run by
    /// `--only` (a check that reads what another found, if it was asked for).
    fn runs_after(&self) -> &'static [&'static str] {
        &[]
    }
    /// Every check this one waits for: its dependencies and what it runs after.
    fn waits_for(&self) -> Vec<&'static str> {
        self.depends_on()
            .iter()
            .chain(self.runs_after())
            .copied()
            .collect()
    }
}
