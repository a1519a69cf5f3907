//! What a check declares about itself (id, summary, dependencies, starter-file comment, the
//! matrix column its findings fill), as plain data that the offline parts read: `list-checks`,
//! `init`'s starter file, `--only`/`--skip` resolution and the table's model matrix.

use crate::codes::Code;
use crate::report::Finding;

/// A column of the table's region × model matrix: which plane gave the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// The region's catalogue (Bedrock control plane).
    Catalogue,
    /// The account's entitlement hints (Bedrock control plane).
    Entitlement,
    /// A real call (Bedrock runtime).
    Probe,
    /// A real call on the OpenAI-compatible `bedrock-mantle` endpoint (`--plane mantle|all`).
    Mantle,
}

impl Column {
    /// Every column, in the order the matrix shows them.
    pub const ALL: &'static [Column] = &[
        Column::Catalogue,
        Column::Entitlement,
        Column::Probe,
        Column::Mantle,
    ];

    /// The matrix header.
    pub fn header(self) -> &'static str {
        match self {
            Column::Catalogue => "Catalogue (control plane)",
            Column::Entitlement => "Entitlement (control plane)",
            Column::Probe => "Probe (runtime)",
            Column::Mantle => "Probe (mantle)",
        }
    }
}

/// Everything about a check but its code: declared once, in the check's own file.
#[derive(Debug)]
pub struct CheckInfo {
    /// Stable id used by `--only`/`--skip` and `[checks]`, e.g. `model-access`.
    pub id: &'static str,
    /// One line for `list-checks`.
    pub summary: &'static str,
    /// Ids of the checks that must finish first.
    pub depends_on: &'static [&'static str],
    /// What the check verifies, in the words of the starter `bedrock-doctor.toml` (`init`).
    pub starter: &'static str,
    /// The matrix column a finding of this check fills, if any.
    pub column: fn(&Finding) -> Option<Column>,
}

impl CheckInfo {
    /// The codes this check may emit: the lines of the code table that name it.
    pub fn codes(&self) -> Vec<Code> {
        Code::ALL
            .iter()
            .copied()
            .filter(|c| c.check() == self.id)
            .collect()
    }
}

/// For checks whose findings fill no matrix column.
pub fn no_column(_: &Finding) -> Option<Column> {
    None
}

/// Resolves `--only` / `--skip` into the ids of the checks to run, in registry order:
/// `--only` brings its dependencies along. An unknown id is an error naming the known ones.
pub fn select(checks: &[&CheckInfo], only: &[String], skip: &[String]) -> Result<Vec<&'static str>, String> {
    let find = |id: &str| checks.iter().find(|c| c.id == id.trim()).copied();
    for id in only.iter().chain(skip) {
        if find(id).is_none() {
            let known: Vec<&str> = checks.iter().map(|c| c.id).collect();
            return Err(format!(
                "unknown check `{id}`; known checks: {}",
                known.join(", ")
            ));
        }
    }
    let mut wanted: Vec<&'static str> = Vec::new();
    fn add(c: &CheckInfo, checks: &[&CheckInfo], out: &mut Vec<&'static str>) {
        if out.contains(&c.id) {
            return;
        }
        for d in c.depends_on {
            if let Some(dep) = checks.iter().find(|x| x.id == *d) {
                add(dep, checks, out);
            }
        }
        out.push(c.id);
    }
    for c in checks {
        if only.is_empty() {
            if !skip.iter().any(|s| s.trim() == c.id) {
                wanted.push(c.id);
            }
        } else if only.iter().any(|s| s.trim() == c.id) {
            add(c, checks, &mut wanted);
        }
    }
    wanted.sort_by_key(|id| checks.iter().position(|c| c.id == *id));
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: CheckInfo = CheckInfo {
        id: "a",
        summary: "",
        depends_on: &[],
        starter: "",
        column: no_column,
    };
    static B: CheckInfo = CheckInfo {
        id: "b",
        summary: "",
        depends_on: &["a"],
        starter: "",
        column: no_column,
    };
    static C: CheckInfo = CheckInfo {
        id: "c",
        summary: "",
        depends_on: &[],
        starter: "",
        column: no_column,
    };

    #[test]
    fn only_brings_dependencies_and_keeps_registry_order() {
        let all = [&A, &B, &C];
        assert_eq!(select(&all, &["b".into()], &[]).unwrap(), ["a", "b"]);
        assert_eq!(select(&all, &[], &["a".into()]).unwrap(), ["b", "c"]);
        assert_eq!(select(&all, &[], &[]).unwrap(), ["a", "b", "c"]);
        let e = select(&all, &["x".into()], &[]).unwrap_err();
        assert!(e.contains("unknown check `x`") && e.contains("a, b, c"), "{e}");
    }
}
