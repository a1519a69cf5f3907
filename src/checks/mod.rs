//! The registry of checks: one line per check in [`ALL`]. A check is a unit struct in its own
//! file implementing [`Check`]; its id, summary, dependencies, starter comment and matrix column
//! are its [`CheckInfo`], and its codes are the lines of `src/codes.rs` that name it.

mod arns;
mod credentials;
mod iam;
mod model_access;
mod probe;
mod probe_mantle;
mod regions;

use crate::check::Check;
use crate::check_info::{CheckInfo, Column};
use crate::report::Finding;

/// Every check, in the order they are listed and reported.
pub static ALL: &[&dyn Check] = &[
    &credentials::Credentials,
    &regions::Regions,
    &arns::Arns,
    &model_access::ModelAccess,
    &probe::Probe,
    &iam::Iam,
];

/// What every check declares about itself, in registry order.
pub fn infos() -> Vec<&'static CheckInfo> {
    ALL.iter().map(|c| c.info()).collect()
}

/// The matrix column `f` fills, as the check that made it declares.
pub fn column(f: &Finding) -> Option<Column> {
    find(&f.check).and_then(|c| (c.info().column)(f))
}

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    ALL.iter().copied().find(|c| c.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;

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
            assert!(!check.info().codes().is_empty(), "{} has no codes", check.id());
            for dep in check.depends_on() {
                assert!(find(dep).is_some(), "{} depends on unknown {dep}", check.id());
            }
        }
    }

    /// A registered check is complete: it declares a summary and a starter comment that `init`
    /// writes, docs/report.md names it, it owns codes, and each has its remediation document.
    #[test]
    fn every_registered_check_is_complete() {
        let infos = infos();
        let starter = crate::config::starter(&[], &[], &[], &infos);
        let report_doc = include_str!("../../docs/report.md");
        for c in &infos {
            assert!(
                report_doc.contains(&format!("`{}`", c.id)),
                "docs/report.md does not name the check `{}`",
                c.id
            );
            assert!(!c.summary.is_empty(), "{} has no summary", c.id);
            assert!(
                !c.starter.is_empty() && starter.contains(c.starter),
                "{} has no starter comment in `init`'s file",
                c.id
            );
            let codes = c.codes();
            assert!(!codes.is_empty(), "{} owns no code in src/codes.rs", c.id);
            for code in codes {
                let path = format!("{}/checks/{code}.md", env!("CARGO_MANIFEST_DIR"));
                let doc = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(
                    doc.starts_with(&format!("# {code}")) && doc == code.explanation(),
                    "{code} of {} has no remediation document at {path}",
                    c.id
                );
            }
        }
    }

    /// Every code owned by a check is emitted somewhere in that check's source file (lint
    /// codes in `src/lint.rs`).
    #[test]
    fn every_code_is_emitted_by_its_check() {
        let lint = std::fs::read_to_string(format!("{}/src/lint.rs", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for code in Code::ALL
            .iter()
            .copied()
            .filter(|c| c.check() == crate::codes::LINT)
            .collect::<Vec<_>>()
        {
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
            for code in check.info().codes() {
                assert!(
                    source.contains(&format!("Code::{code}")) || mapped(code),
                    "{code} is never emitted in {path}"
                );
            }
        }
    }
}
