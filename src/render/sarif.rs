//! SARIF 2.1.0 through the typed `serde-sarif` crate, shaped for GitHub code scanning: one rule
//! per code with its remediation document as help and a `security-severity`; one result per
//! problem that has a place in a file (the linted line, or the `bedrock-doctor.toml` entry it
//! concerns), with a relative URI under `%SRCROOT%` and a fingerprint made of stable parts only;
//! problems without a place (an endpoint override, a live verdict run without a configuration)
//! go to the run's tool execution notifications, because GitHub rejects a whole upload for one
//! result without a location.

use crate::codes::{Code, Severity};
use crate::report::{Finding, Report, Status};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
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
    // GitHub ranks alerts by this score (0.0–10.0), as it does for security tools.
    let score = match code.default_severity() {
        Severity::Error => "7.0",
        Severity::Warning => "4.0",
        Severity::Info => "1.0",
    };
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), serde_json::json!(score));
    props.insert("tags".to_string(), serde_json::json!(["bedrock", code.check()]));
    ReportingDescriptor::builder()
        .id(code.as_str().to_string())
        .properties(PropertyBag::builder().additional_properties(props).build())
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

/// A file path as SARIF wants it: relative to the checkout (`%SRCROOT%`), forward slashes.
fn relative_uri(file: &str) -> String {
    let path = std::path::Path::new(file);
    // Outside the working directory (a --config elsewhere) the file name is the best guess of
    // where it sits in the checkout.
    let relative = match std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
    {
        Some(r) => r.to_path_buf(),
        None if path.is_absolute() => path.file_name().map_or_else(|| path.to_path_buf(), Into::into),
        None => path.to_path_buf(),
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").trim_start_matches('/').to_string()
}

fn level_of(status: Status) -> ResultLevel {
    match status {
        Status::Fail => ResultLevel::Error,
        Status::Warn => ResultLevel::Warning,
        _ => ResultLevel::Note,
    }
}

fn message(f: &Finding) -> Message {
    let mut text = f.title.clone();
    if let Some(step) = f.remediation.first() {
        text.push_str(&format!(". Fix: {step}"));
    }
    Message::builder().text(text).build()
}

/// A located finding as a result; `None` for a finding without a place in a file.
fn result(f: &Finding, rule_index: i64) -> Option<SarifResult> {
    let l = f.location.as_ref()?;
    let uri = relative_uri(&l.file);
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri.clone())
                        .uri_base_id("%SRCROOT%")
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
        .build();
    let kind = match f.status {
        Status::Inconclusive => ResultKind::Review,
        _ => ResultKind::Fail,
    };
    // Stable parts only: never the title (it holds latencies and counts) or the line.
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "bedrockDoctor/v2".to_string(),
        fnv1a(&[f.identity().as_slice(), &[uri.as_str()]].concat()),
    );
    Some(
        SarifResult::builder()
            .rule_id(f.code.as_str().to_string())
            .rule_index(rule_index)
            .level(level_of(f.status))
            .kind(kind)
            .message(message(f))
            .partial_fingerprints(fingerprints)
            .locations(vec![location])
            .build(),
    )
}

/// A finding without a place in a file, kept as a notification of the run.
fn notification(f: &Finding) -> Notification {
    let level = match f.status {
        Status::Fail => "error",
        Status::Warn => "warning",
        _ => "note",
    };
    Notification::builder()
        .message(message(f))
        .level(serde_json::json!(level))
        .associated_rule(
            ReportingDescriptorReference::builder()
                .id(f.code.as_str().to_string())
                .build(),
        )
        .build()
}

pub fn render(r: &Report) -> String {
    // Every code is a rule, so a result's ruleIndex never moves between runs.
    let rules: Vec<ReportingDescriptor> = Code::ALL.iter().map(|c| rule(*c)).collect();
    let problems: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| {
            f.suppressed.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Inconclusive)
        })
        .collect();
    let results: Vec<SarifResult> = problems
        .iter()
        .filter_map(|f| result(f, Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0) as i64))
        .collect();
    let notifications: Vec<Notification> = problems
        .iter()
        .filter(|f| f.location.is_none())
        .map(|f| notification(f))
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(!r.incomplete)
        .tool_execution_notifications(notifications)
        .build();
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
        .invocations(vec![invocation])
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
