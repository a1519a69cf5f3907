//! The registry of checks. A check is a unit struct implementing [`Check`], listed once in
//! [`ALL`]; its codes are the lines of `src/codes.rs` that name it.

mod arns;
mod credentials;
pub(crate) mod model_access;
mod probe;
mod regions;

use crate::codes::Code;
use crate::context::Context;
use crate::runner::Findings;
use futures::future::BoxFuture;

/// The check itself broke (as opposed to finding a problem, which is a finding).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("internal error: {0} (this is a bug in bedrock-doctor; please report it)")]
    Internal(String),
}

/// One diagnostic check.
pub trait Check: Send + Sync + 'static {
    /// Stable id used by `--only`/`--skip`, e.g. `credentials`.
    fn id(&self) -> &'static str;
    /// One line for `list-checks`.
    fn summary(&self) -> &'static str;
    /// Ids of checks that must finish first.
    fn depends_on(&self) -> &'static [&'static str] {
        &[]
    }
    /// Does the work, pushing one finding per evaluated item. `Err` only if the check broke.
    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>>;
}

/// Every check, in the order they are listed and reported.
pub static ALL: &[&dyn Check] = &[
    &credentials::Credentials,
    &regions::Regions,
    &arns::Arns,
    &model_access::ModelAccess,
    &probe::Probe,
];

/// The codes a check may emit, from the code table.
pub fn codes_of(id: &str) -> Vec<Code> {
    Code::ALL.iter().copied().filter(|c| c.check() == id).collect()
}

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    ALL.iter().copied().find(|c| c.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_belongs_to_a_registered_check() {
        for code in Code::ALL {
            let owner = code.check();
            assert!(
                owner == crate::codes::ANY_CHECK || owner == crate::codes::LINT || find(owner).is_some(),
                "{code} names unknown check {owner}"
            );
        }
        for check in ALL {
            assert!(!codes_of(check.id()).is_empty(), "{} has no codes", check.id());
            for dep in check.depends_on() {
                assert!(find(dep).is_some(), "{} depends on unknown {dep}", check.id());
            }
        }
    }

    /// Every code owned by a check is emitted somewhere in that check's source file (lint
    /// codes in `src/lint.rs`).
    #[test]
    fn every_code_is_emitted_by_its_check() {
        let lint = std::fs::read_to_string(format!("{}/src/lint.rs", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for code in codes_of(crate::codes::LINT) {
            assert!(
                lint.contains(&format!("Code::{code}")),
                "{code} is never emitted in src/lint.rs"
            );
        }
        for check in ALL {
            let path = format!(
                "{}/src/checks/{}.rs",
                env!("CARGO_MANIFEST_DIR"),
                check.id().replace('-', "_")
            );
            let source = std::fs::read_to_string(&path).unwrap();
            // Codes a check reaches through the one cause → code table count too.
            let mapped = |code: Code| {
                source.contains("code_for(")
                    && crate::report::Cause::ALL
                        .iter()
                        .any(|c| crate::triage::code_for(*c) == code)
            };
            for code in codes_of(check.id()) {
                assert!(
                    source.contains(&format!("Code::{code}")) || mapped(code),
                    "{code} is never emitted in {path}"
                );
            }
        }
    }
}
