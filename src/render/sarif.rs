//! SARIF 2.1.0 through the typed `serde-sarif` crate: one rule per code with its remediation
//! document as help, one result per problem, located at the `bedrock-doctor.toml` entry or the
//! linted file, with a stable fingerprint so code-scanning tools track it across runs.

use crate::codes::{Code, Severity};
use crate::report::{Finding, Report, Status};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};
use std::collections::BTreeMap;

/// FNV-1a: a fingerprint must not change between Rust versions, as `DefaultHasher` may.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn rule(code: Code) -> ReportingDescriptor {
    let level = match code.default_severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    ReportingDescriptor::builder()
        .id(code.as_str().to_string())
        .name(code.slug().to_string())
        .short_description(
            MultiformatMessageString::builder()
                .text(code.title().to_string())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(code.explanation().to_string())
                .markdown(code.explanation().to_string())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level))
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: i64) -> SarifResult {
    let level = match f.status {
        Status::Fail => ResultLevel::Error,
        Status::Warn => ResultLevel::Warning,
        _ => ResultLevel::Note,
    };
    let kind = match f.status {
        Status::Inconclusive => ResultKind::Review,
        _ => ResultKind::Fail,
    };
    let mut text = f.title.clone();
    if let Some(step) = f.remediation.first() {
        text.push_str(&format!(". Fix: {step}"));
    }
    let location = f.location.as_ref().map(|l| {
        Location::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(
                        ArtifactLocation::builder()
                            .uri(l.file.trim_start_matches("./").to_string())
                            .build(),
                    )
                    .region(
                        Region::builder()
                            .start_line(l.line as i64)
                            .start_column(l.column as i64)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let file = f.location.as_ref().map_or("", |l| l.file.as_str());
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "bedrockDoctor/v1".to_string(),
        fnv1a(&[
            f.code.as_str(),
            &f.check,
            f.region.as_deref().unwrap_or(""),
            f.model.as_deref().unwrap_or(""),
            file,
            &f.title,
        ]),
    );
    let base = SarifResult::builder()
        .rule_id(f.code.as_str().to_string())
        .rule_index(rule_index)
        .level(level)
        .kind(kind)
        .message(Message::builder().text(text).build())
        .partial_fingerprints(fingerprints);
    match location {
        Some(l) => base.locations(vec![l]).build(),
        None => base.build(),
    }
}

pub fn render(r: &Report) -> String {
    // Every code is a rule, so a result's ruleIndex never moves between runs.
    let rules: Vec<ReportingDescriptor> = Code::ALL.iter().map(|c| rule(*c)).collect();
    let results: Vec<SarifResult> = r
        .findings
        .iter()
        .filter(|f| {
            f.suppressed.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Inconclusive)
        })
        .map(|f| result(f, Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0) as i64))
        .collect();
    let driver = ToolComponent::builder()
        .name(r.tool.name.clone())
        .version(r.tool.version.clone())
        .semantic_version(r.tool.version.clone())
        .information_uri(
            "https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html"
                .to_string(),
        )
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results);
    // The root causes ride in the run's property bag: SARIF has no place of its own for them.
    let run = if r.diagnoses.is_empty() {
        run.build()
    } else {
        let mut bag = std::collections::BTreeMap::new();
        bag.insert(
            "diagnoses".to_string(),
            serde_json::to_value(&r.diagnoses).expect("diagnoses serialise"),
        );
        run.properties(PropertyBag::builder().additional_properties(bag).build())
            .build()
    };
    let sarif = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json".to_string())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&sarif).expect("SARIF serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_values() {
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
        assert_eq!(fnv1a(&[]), "cbf29ce484222325");
    }
}
