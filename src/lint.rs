//! `lint`: offline, no credentials. Scans code and infrastructure files for Bedrock ARNs, model
//! IDs and profile IDs and checks each against the ARN grammar and the embedded knowledge base,
//! with file, line and column. The walk is parallel and respects `.gitignore`; a literal
//! prefilter (Aho–Corasick, as ripgrep does) skips files that mention nothing Bedrock.

use crate::codes::Code;
use crate::ident::PROFILE_GEOS;
use crate::ident::arn::{self, ResourceType};
use crate::ident::model_id::{PROVIDERS, alternation};
use crate::knowledge::Knowledge;
use crate::report::{Cause, Finding, Location, Status, Summary};
use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

/// File names and extensions lint reads.
const EXTENSIONS: &[&str] = &[
    "ts",
    "tsx",
    "js",
    "jsx",
    "mjs",
    "cjs",
    "py",
    "json",
    "yaml",
    "yml",
    "tf",
    "tfvars",
    "hcl",
    "toml",
    "env",
    "template",
    "rb",
    "go",
    "java",
    "kt",
    "cs",
    "rs",
    "php",
    "sh",
    "ini",
    "cfg",
    "properties",
];

/// The knowledge base a lint report checked against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeInfo {
    pub date: String,
    pub source: String,
}

/// The JSON of `lint --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintReport {
    pub schema_version: u32,
    pub knowledge_base: KnowledgeInfo,
    pub files_scanned: usize,
    /// How many identifiers lint could check against the knowledge base, and how many it
    /// could not (pieces built at run time, placeholders, ids it does not know).
    #[serde(default)]
    pub identifiers: IdentifierCounts,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Identifiers found, by whether they could be checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierCounts {
    pub checked: usize,
    pub unchecked: usize,
}

impl From<&LintReport> for crate::report::Report {
    /// A lint report in the shape of a check report, for the formats they share.
    fn from(l: &LintReport) -> Self {
        crate::report::Report {
            checks: vec![crate::report::CheckSummary {
                id: "lint".into(),
                status: l.findings.iter().map(|f| f.status).max().unwrap_or(Status::Pass),
                findings: l.findings.len(),
                duration_ms: 0,
                error: None,
            }],
            // Each lint finding has its own place in a file: the findings are the diagnoses
            // (none of their own).
            summary: l.summary,
            ..crate::report::Report::of(l.findings.clone())
        }
    }
}

impl LintReport {
    /// 0 clean (warnings allowed), 1 a `fail` finding.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.summary.fail > 0)
    }
}

static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "arn:aws",
        "bedrock",
        "anthropic.",
        "amazon.titan",
        "amazon.nova",
        "meta.llama",
        "mistral.",
        "cohere.",
        "ai21.",
        "stability.",
        "deepseek.",
        "qwen.",
        "openai.",
        "writer.",
    ])
    .expect("valid literals")
});
/// An ARN up to the first quote, space or closing bracket; `${…}`, `{{…}}` and f-string or
/// `.format` fields (`{region}`, `{self.account}`, `{}`, `%(region)s`) stay inside.
static ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"arn:aws[a-z-]*:bedrock[a-z-]*:(?:\$\{[^}\n]*\}|\{\{[^}\n]*\}\}|\{[A-Za-z0-9_.\[\]'"]*\}|%\([A-Za-z0-9_]+\)s|[^\s"'`,\]\)\}>$])*"#)
        .expect("valid")
});

/// Words that put what follows in an IAM policy (a statement's resources), in JSON, YAML,
/// Terraform, CDK and Serverless: a profile ARN there is a grant; anywhere else it is an
/// identifier the code calls.
static POLICY_CONTEXT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "\"resource\"",
            "resource:",
            "resources:",
            "resources =",
            "resources=",
            "resources: [",
            "policystatement",
            "policydocument",
            "aws_iam_policy_document",
            "iamrolestatements",
            "addtorolepolicy",
            "addtopolicy",
            "\"effect\"",
            "effect:",
        ])
        .expect("valid literals")
});

/// Whether the text up to `pos` (the 15 lines before it, and its own line) reads as an IAM
/// policy statement.
fn in_policy(text: &str, pos: usize) -> bool {
    let start = text[..pos]
        .char_indices()
        .rev()
        .filter(|(_, c)| *c == '\n')
        .nth(15)
        .map_or(0, |(i, _)| i);
    POLICY_CONTEXT.find(&text[start..pos]).is_some()
}
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"bedrock(?:-runtime)?(?:-fips)?\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com")
        .expect("valid")
});
static REGION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d)\b").expect("valid")
});
static MODEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"["'`=:\s]((?:(?:{})\.)?(?:{})\.[a-z0-9][a-z0-9.-]*-[a-z0-9.-]*(?::\d+(?::[0-9a-z]+)?)?)"#,
        alternation(PROFILE_GEOS),
        alternation(PROVIDERS)
    ))
    .expect("valid")
});

/// Byte offset → 1-based line and character column.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { text, starts }
    }

    fn at(&self, file: &str, offset: usize) -> Location {
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Location {
            file: file.to_string(),
            line,
            column,
        }
    }
}

/// `bedrock-doctor: ignore[BD308, BD310] reason`, in any comment syntax.
static IGNORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"bedrock-doctor:\s*ignore\[([A-Za-z0-9_,\s-]+)\]\s*([^\r\n]*)").expect("valid")
});

/// Mutes the findings an inline `bedrock-doctor: ignore[CODE] reason` names, on their own line
/// or the line above; they are still reported, as suppressed.
fn apply_inline_ignores(text: &str, findings: &mut [Finding]) {
    if !text.contains("bedrock-doctor:") {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for f in findings.iter_mut() {
        let Some(line) = f.location.as_ref().map(|l| l.line) else {
            continue;
        };
        for at in [line, line.saturating_sub(1)].into_iter().filter(|l| *l >= 1) {
            let Some(c) = lines.get(at - 1).and_then(|l| IGNORE.captures(l)) else {
                continue;
            };
            let names = c[1]
                .split(',')
                .map(str::trim)
                .any(|n| n.parse::<Code>().is_ok_and(|code| code == f.code));
            if names {
                let reason = c[2]
                    .trim()
                    .trim_end_matches(['*', '/', '-', '>', '#'])
                    .trim()
                    .to_string();
                f.suppressed = Some(crate::report::Suppressed {
                    reason: if reason.is_empty() {
                        "inline ignore".into()
                    } else {
                        reason
                    },
                    expires: None,
                });
                break;
            }
        }
    }
}

/// Lints one file's text (`name` is how findings refer to it).
pub fn lint_text(name: &str, text: &str, kb: &Knowledge) -> Vec<Finding> {
    lint_text_counted(name, text, kb).0
}

/// [`lint_text`], with how many identifiers could and could not be checked.
fn lint_text_counted(name: &str, text: &str, kb: &Knowledge) -> (Vec<Finding>, IdentifierCounts) {
    let (mut out, counts) = lint_findings(name, text, kb);
    apply_inline_ignores(text, &mut out);
    (out, counts)
}

fn lint_findings(name: &str, text: &str, kb: &Knowledge) -> (Vec<Finding>, IdentifierCounts) {
    let mut out = Vec::new();
    let mut counts = IdentifierCounts::default();
    if PREFILTER.find(text).is_none() {
        return (out, counts);
    }
    let lines = Lines::new(text);
    let arns: Vec<(usize, &str)> = ARN
        .find_iter(text)
        .map(|m| (m.start(), m.as_str().trim_end_matches(['.', ';'])))
        .collect();
    let in_arn = |pos: usize| arns.iter().any(|(s, a)| pos >= *s && pos < s + a.len());
    // Regions the file uses outside ARNs: endpoints and region literals.
    let mut used: BTreeSet<String> = ENDPOINT.captures_iter(text).map(|c| c[1].to_string()).collect();
    for m in REGION.find_iter(text) {
        if !in_arn(m.start()) {
            used.insert(m.as_str().to_string());
        }
    }
    let mut wildcards_seen: BTreeSet<&str> = BTreeSet::new();
    let parsed: Vec<(usize, &str, Option<arn::Arn>)> = arns
        .iter()
        .map(|(pos, s)| {
            // A piece of an ARN built by concatenation, `Fn::Join` or `.format`: the rest is
            // elsewhere, and the piece is no ARN to judge.
            if arn::is_fragment(s) || arn::other_service(s) {
                counts.unchecked += 1;
                return (*pos, *s, None);
            }
            let (a, mut problems) = arn::check(s);
            // The knowledge base knows which profiles each region can call (`us.` from
            // ca-central-1, `jp.` from ap-northeast-1): its word beats the prefix rule.
            if let Some(a) = &a
                && kb.destinations(Some(a.region.as_str()), &a.resource).is_some()
            {
                problems.retain(|p| p.cause != Cause::ArnGeographyMismatch);
            }
            let loc = lines.at(name, *pos);
            // A deliberate wildcard repeated through a file is one finding, at its first place.
            let repeats = arns.iter().filter(|(_, x)| x == s).count();
            let repeated_wildcard = !wildcards_seen.insert(s);
            for p in problems {
                if p.cause == Cause::ArnWildcard && repeated_wildcard {
                    continue;
                }
                let code = crate::triage::code_for(p.cause);
                let status = if p.warning { Status::Warn } else { Status::Fail };
                let mut detail = format!("In {name} at line {}, column {}.", loc.line, loc.column);
                if p.cause == Cause::ArnWildcard && repeats > 1 {
                    detail.push_str(&format!(
                        " The same ARN appears {repeats} times in the file; this is the only finding for it."
                    ));
                }
                out.push(
                    with_subject(
                        Finding::new(code, status, p.cause, format!("`{s}`: {}", p.message)),
                        a.as_ref(),
                    )
                    .check("lint")
                    .detail(detail)
                    .step(fix_for(p.cause))
                    .at(loc.clone()),
                );
            }
            (*pos, *s, a)
        })
        .collect();
    for (_, _, a) in &parsed {
        let knowable = a.as_ref().is_some_and(|a| {
            !arn::is_placeholder(&a.region) && a.model_id().is_none_or(|m| !arn::is_placeholder(m))
        });
        if a.is_some() {
            if knowable {
                counts.checked += 1;
            } else {
                counts.unchecked += 1;
            }
        }
    }
    for (pos, s, a) in &parsed {
        let Some(a) = a else { continue };
        let loc = || lines.at(name, *pos);
        // BD309: a grant for a region the file never calls.
        let concrete = !a.region.is_empty() && !a.region.contains('*') && !arn::is_placeholder(&a.region);
        // Foundation-model ARNs in a granted profile's destination regions are expected.
        let destination_of_profile = a.resource_type == ResourceType::FoundationModel
            && parsed.iter().filter_map(|(_, _, x)| x.as_ref()).any(|x| {
                x.resource_type == ResourceType::InferenceProfile && x.model_id() == Some(a.resource.as_str())
            });
        if concrete
            && !destination_of_profile
            && !used.is_empty()
            && !used.contains(&a.region)
            && crate::regions::lookup(&a.region).is_some_and(|r| r.bedrock)
        {
            out.push(
                with_subject(Finding::new(Code::BD309, Status::Warn, Cause::ArnRegionMismatch, format!("`{s}` grants {} but the file calls {}", a.region, used.iter().cloned().collect::<Vec<_>>().join(", "))), Some(a))
                    .check("lint")
                    .detail(format!("No endpoint or region in {name} is {}: the grant is for a region the code does not call (a typo, a stale region), while the regions it does call may lack a grant.", a.region))
                    .step(format!("Grant the regions the code calls: {}", used.iter().map(|r| format!("`{}`", arn::foundation_arn(&a.partition, r, &a.resource))).collect::<Vec<_>>().join(", ")))
                    .at(loc()),
            );
        }
        // BD307: the knowledge base's complete listing lacks the model in that region.
        if a.resource_type == ResourceType::FoundationModel
            && concrete
            && !a.resource.contains('*')
            && kb.known_absent(&a.region, &a.resource)
        {
            out.push(
                with_subject(Finding::new(Code::BD307, Status::Fail, Cause::ArnModelNotInRegion, format!("`{}` is not offered in {} (knowledge base of {})", a.resource, a.region, kb.date)), Some(a))
                    .check("lint")
                    .step(format!("Check `bedrock-doctor models --region {}`; use a region that offers the model or an inference profile", a.region))
                    .at(loc()),
            );
        }
        // BD310: a profile granted without the foundation-model ARNs it routes to (a grant
        // only: the same ARN passed to an SDK call is an identifier).
        if a.resource_type == ResourceType::InferenceProfile
            && in_policy(text, *pos)
            && let Some(model) = a.model_id()
        {
            let granted: Vec<&arn::Arn> = parsed
                .iter()
                .filter_map(|(_, _, x)| x.as_ref())
                .filter(|x| {
                    x.resource_type == ResourceType::FoundationModel
                        && (x.resource == model
                            || x.resource == "*"
                            || (x.resource.ends_with('*')
                                && model.starts_with(x.resource.trim_end_matches('*'))))
                })
                .collect();
            // `arn:aws:bedrock:::foundation-model/ID` (no region) is its own resource, the one a
            // global profile is also evaluated against: it covers no region.
            let covers = |r: &str| granted.iter().any(|g| g.region == r || g.region.contains('*'));
            let destinations = kb
                .destinations(Some(a.region.as_str()).filter(|r| !r.is_empty()), &a.resource)
                .cloned();
            let global = a.profile_geo() == Some("global");
            let mut missing: Vec<String> = match &destinations {
                // A global profile is evaluated against the foundation model in the source
                // region and the region-less ARN, not each destination (AWS's documentation).
                Some(_) if global => [a.region.clone()].into_iter().filter(|r| !covers(r)).collect(),
                Some(d) => d.iter().filter(|r| !covers(r)).cloned().collect(),
                None if granted.is_empty() && !arn::is_placeholder(&a.region) => vec![a.region.clone()],
                None => vec![],
            };
            // A global profile also needs the region-less foundation-model ARN.
            if global
                && destinations.is_some()
                && !granted.iter().any(|g| g.region.is_empty() || g.region == "*")
            {
                missing.push(String::new());
            }
            // What the knowledge base does not know is a note, never a failure.
            let status = if destinations.is_some() {
                Status::Fail
            } else {
                Status::Warn
            };
            if !missing.is_empty() {
                let arns: Vec<String> = missing
                    .iter()
                    .map(|r| arn::foundation_arn(&a.partition, r, model))
                    .collect();
                let known = destinations.map_or_else(
                    || "its destination regions are not in the knowledge base; `bedrock-doctor check --model` on the profile lists them".to_string(),
                    |d| format!("it routes to {} (knowledge base of {})", d.join(", "), kb.date),
                );
                out.push(
                    with_subject(Finding::new(Code::BD310, status, Cause::ArnProfileDestinationsMissing, format!("`{}` is granted without the foundation-model ARNs it routes to", a.resource)), Some(a))
                        .check("lint")
                        .detail(format!("IAM evaluates a profile call against the profile ARN and the foundation-model ARN in the destination region; {known}. Missing: {}.", arns.join(", ")))
                        .step(format!("Add to the same statement: {}", arns.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")))
                        .at(loc()),
                );
            }
        }
    }
    // Bare model and profile IDs outside ARNs.
    let mut seen = BTreeSet::new();
    for c in MODEL.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if in_arn(m.start()) || text[m.end()..].starts_with(".amazonaws") {
            continue;
        }
        let id = m.as_str().trim_end_matches(['.', '-']);
        if !seen.insert((id.to_string(), lines.at(name, m.start()).line)) {
            continue;
        }
        let loc = lines.at(name, m.start());
        let is_profile = crate::ident::profile_parts(id).is_some();
        if !is_profile && kb.profile_only(id) {
            // The profiles of the geographies this file calls, else what the knowledge base knows.
            let mut profiles: Vec<String> = used
                .iter()
                .map(|r| format!("{}.{id}", crate::ident::geo_for_region(r)))
                .collect();
            profiles.dedup();
            if profiles.is_empty() {
                profiles = kb.profiles_for(id);
            }
            out.push(
                Finding::new(Code::BD312, Status::Fail, Cause::NeedsInferenceProfile, format!("`{id}` is invoked by its bare ID, but it is offered only through inference profiles"))
                    .check("lint")
                    .detail(format!("Every region in the knowledge base (of {}) lists it with INFERENCE_PROFILE only; calls by the bare ID fail with \"on-demand throughput isn't supported\".", kb.date))
                    .step(if profiles.is_empty() { "Use a cross-region inference profile ID (`us.`, `eu.`, `apac.`, `global.` + the model ID)".to_string() } else { format!("Use a profile ID: {}", profiles.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")) })
                    .at(loc),
            );
        }
        if !is_profile && crate::ident::is_provisioned_only(id) {
            out.push(
                Finding::new(Code::BD314, Status::Fail, Cause::InvalidModelId, format!("`{id}` is a context-length variant: it exists only for Provisioned Throughput"))
                    .check("lint")
                    .detail("On-demand calls by this id fail with a validation error; only the ARN of a provisioned model built from it can be invoked.")
                    .step(format!("Use the on-demand id without the context suffix (`{}`), or invoke your Provisioned Throughput ARN", id.rsplit_once(':').map_or(id, |(a, _)| a)))
                    .at(lines.at(name, m.start())),
            );
        }
        if is_profile
            && let Some((geo, _)) = id.split_once('.')
            && !used.is_empty()
            && !used.iter().any(|r| crate::ident::geo_serves_region(geo, r))
        {
            out.push(
                Finding::new(Code::BD315, Status::Fail, Cause::ModelNotInRegion, format!("`{id}` is a `{geo}.` profile, but the file calls {}", used.iter().cloned().collect::<Vec<_>>().join(", ")))
                    .check("lint")
                    .detail("A system profile can be called only from regions of its geography; from elsewhere the runtime answers \"The provided model identifier is invalid\".")
                    .step(format!("Use `{}.{}` (the geography of the regions called) or a `global.` profile", crate::ident::geo_for_region(used.iter().next().map_or("", String::as_str)), id.split_once('.').map_or(id, |(_, r)| r)))
                    .at(lines.at(name, m.start())),
            );
        }
        let model = if is_profile {
            id.split_once('.').map_or(id, |(_, r)| r)
        } else {
            id
        };
        // An ID the complete knowledge base does not know: misspelt, or retired before it.
        let complete = kb.regions.values().any(|r| r.complete);
        if complete && !crate::ident::is_provisioned_only(model) && kb.whereabouts(model).is_none() {
            let near = kb.nearest(model);
            let hint = kb.did_you_mean(model);
            out.push(
                Finding::new(Code::BD316, Status::Warn, Cause::InvalidModelId, format!("`{id}` is not a model the knowledge base of {} knows{hint}", kb.date))
                    .check("lint")
                    .model(id)
                    .detail("Every model Bedrock offers in any region is in the knowledge base: this ID is misspelt, retired, or newer than the knowledge base (refresh it: scripts/refresh-knowledge).")
                    .step(match near.first() {
                        Some(n) => format!("Use the exact ID, e.g. `{n}`; `bedrock-doctor where MODEL` shows where it can be called"),
                        None => "Use an exact model ID; `bedrock-doctor where MODEL` shows where it can be called".into(),
                    })
                    .at(lines.at(name, m.start())),
            );
            counts.unchecked += 1;
            continue;
        }
        counts.checked += 1;
        if let Some((status, eol)) = kb.retired(model) {
            out.push(
                Finding::new(Code::BD313, Status::Warn, Cause::ModelEolLegacy, format!("`{id}` is {status}{}", eol.map(|d| format!(" (end of life {d})")).unwrap_or_default()))
                    .check("lint")
                    .detail(format!("The knowledge base (of {}) lists the model as {status}: Legacy models lock out accounts that have not used them recently and stop at end of life.", kb.date))
                    .step("Move to the model's successor before its end-of-life date")
                    .at(lines.at(name, m.start())),
            );
        }
    }
    (out, counts)
}

/// The region and model an ARN names, on its finding, when they are concrete.
fn with_subject(f: Finding, a: Option<&arn::Arn>) -> Finding {
    let Some(a) = a else { return f };
    let concrete = |x: &str| !x.is_empty() && !x.contains('*') && !arn::is_placeholder(x);
    let f = if concrete(&a.region) {
        f.region(a.region.clone())
    } else {
        f
    };
    match a.model_id().filter(|m| concrete(m)) {
        Some(m) => f.model(m.to_string()),
        None => f,
    }
}

fn fix_for(cause: Cause) -> String {
    match cause {
        Cause::ArnAccountField => "Foundation-model ARNs have an empty account (`::`); profile, provisioned, custom and imported ARNs need the account id".into(),
        Cause::ArnInvalidRegion => "Use a region that offers Bedrock in the ARN's partition".into(),
        Cause::ArnWrongService => "Bedrock ARNs use the service `bedrock` (for runtime calls too)".into(),
        Cause::ArnUnknownResourceType => "Use `foundation-model/MODEL_ID` or `inference-profile/PROFILE_ID`".into(),
        Cause::ArnGeographyMismatch => "Use the profile of the region's geography (`us.`, `eu.`, `apac.`, …) or `global.`".into(),
        Cause::ArnWildcard => "List the exact ARNs unless the wildcard is intended".into(),
        _ => "Write the ARN as `arn:aws:bedrock:REGION::foundation-model/MODEL_ID`".into(),
    }
}

/// A path to lint that does not exist or cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("`{path}`: {reason}")]
pub struct LintError {
    pub path: String,
    pub reason: String,
}

/// Whether lint reads this file (by extension, or `.env`-style names).
fn wanted(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.starts_with(".env")
        || name == "Dockerfile"
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Walks `paths` in parallel (gitignore-aware) and calls `visit(name, text)` for every file
/// lint reads; returns how many files were read.
fn walk(
    paths: &[PathBuf],
    exclude: &[String],
    visit: impl Fn(&str, &str) + Sync,
) -> Result<usize, LintError> {
    for p in paths {
        if !p.exists() {
            return Err(LintError {
                path: p.display().to_string(),
                reason: "no such file or directory".into(),
            });
        }
    }
    let scanned = std::sync::atomic::AtomicUsize::new(0);
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        builder.add(p);
    }
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    // `--exclude GLOB`: gitignore syntax, relative to the working directory.
    if !exclude.is_empty() {
        let mut o = ignore::overrides::OverrideBuilder::new(".");
        for glob in exclude {
            o.add(&format!("!{glob}")).map_err(|e| LintError {
                path: glob.clone(),
                reason: format!("not a glob: {e}"),
            })?;
        }
        builder.overrides(o.build().map_err(|e| LintError {
            path: exclude.join(", "),
            reason: format!("not a glob: {e}"),
        })?);
    }
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            let path = entry.path();
            let explicit = entry.depth() == 0;
            if !entry.file_type().is_some_and(|t| t.is_file()) || (!explicit && !wanted(path)) {
                return ignore::WalkState::Continue;
            }
            let Ok(bytes) = std::fs::read(path) else {
                return ignore::WalkState::Continue;
            };
            scanned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if bytes.len() > 64 * 1024 * 1024 || memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
            {
                return ignore::WalkState::Continue;
            }
            visit(&path.display().to_string(), &String::from_utf8_lossy(&bytes));
            ignore::WalkState::Continue
        })
    });
    Ok(scanned.into_inner())
}

/// What a tree mentions: regions called, models named, ARNs granted (for `init --from-lint`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub regions: BTreeSet<String>,
    pub models: BTreeSet<String>,
    pub arns: BTreeSet<String>,
}

/// Collects the regions, models and ARNs of one text.
pub fn inventory_text(text: &str, inv: &mut Inventory) {
    if PREFILTER.find(text).is_none() {
        return;
    }
    let arns: Vec<(usize, usize)> = ARN.find_iter(text).map(|m| (m.start(), m.end())).collect();
    let in_arn = |pos: usize| arns.iter().any(|(s, e)| pos >= *s && pos < *e);
    for m in ARN.find_iter(text) {
        inv.arns
            .insert(m.as_str().trim_end_matches(['.', ';']).to_string());
    }
    for c in ENDPOINT.captures_iter(text) {
        inv.regions.insert(c[1].to_string());
    }
    for m in REGION.find_iter(text).filter(|m| !in_arn(m.start())) {
        if crate::regions::lookup(m.as_str()).is_some_and(|r| r.bedrock) {
            inv.regions.insert(m.as_str().to_string());
        }
    }
    for c in MODEL.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !in_arn(m.start()) && !text[m.end()..].starts_with(".amazonaws") {
            inv.models
                .insert(m.as_str().trim_end_matches(['.', '-']).to_string());
        }
    }
}

/// Adds one file's inventory to the shared one.
fn collect_into(all: &Mutex<Inventory>, text: &str) {
    let mut mine = Inventory::default();
    inventory_text(text, &mut mine);
    let mut all = all.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    all.regions.extend(mine.regions);
    all.models.extend(mine.models);
    all.arns.extend(mine.arns);
}

/// Collects the inventory of `paths`, less what `exclude` leaves out (as `lint_paths` does).
pub fn inventory_paths(paths: &[PathBuf], exclude: &[String]) -> Result<Inventory, LintError> {
    let inv = Mutex::new(Inventory::default());
    walk(paths, exclude, |_, text| collect_into(&inv, text))?;
    Ok(inv
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Lints `paths` (files or directories) in parallel.
pub fn lint_paths(paths: &[PathBuf], exclude: &[String], kb: &Knowledge) -> Result<LintReport, LintError> {
    lint_with_inventory(paths, exclude, kb, false).map(|(report, _)| report)
}

/// Lints `paths` and, with `inventory`, collects their inventory in the same walk (`lint
/// --needs` compares the ARNs the files grant with what the app needs).
pub fn lint_with_inventory(
    paths: &[PathBuf],
    exclude: &[String],
    kb: &Knowledge,
    inventory: bool,
) -> Result<(LintReport, Inventory), LintError> {
    let findings = Mutex::new(Vec::new());
    let counts = Mutex::new(IdentifierCounts::default());
    let inv = Mutex::new(Inventory::default());
    let scanned = walk(paths, exclude, |name, text| {
        if inventory {
            collect_into(&inv, text);
        }
        let (found, c) = lint_text_counted(name, text, kb);
        if c.checked + c.unchecked > 0 {
            let mut all = counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            all.checked += c.checked;
            all.unchecked += c.unchecked;
        }
        if !found.is_empty() {
            findings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(found);
        }
    })?;
    let mut findings = findings
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    findings.sort_by(|a, b| a.location.cmp(&b.location).then(a.code.cmp(&b.code)));
    findings.dedup_by(|a, b| a.location == b.location && a.code == b.code && a.title == b.title);
    let findings: Vec<Finding> = findings.into_iter().map(Finding::finish).collect();
    let report = LintReport {
        schema_version: 1,
        knowledge_base: KnowledgeInfo {
            date: kb.date.clone(),
            source: kb.source.clone(),
        },
        files_scanned: scanned,
        identifiers: counts
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
        summary: Summary::of(&findings),
        findings,
    };
    Ok((
        report,
        inv.into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    ))
}

/// `lint --needs`: BD317 for every resource the needs file's models call from its regions (as
/// [`crate::policy::generate`] expands them) that no granted ARN covers, located at the model
/// that needs it. A model that cannot be placed is an error naming its location.
pub fn not_granted(
    needs: &crate::config::Loaded,
    granted: &BTreeSet<String>,
    kb: &Knowledge,
) -> Result<Vec<Finding>, String> {
    use crate::policy;
    let config = &needs.config;
    let path = needs.path.display();
    if config.models.is_empty() {
        return Err(format!("{path}: --needs names no `models`"));
    }
    let regions = crate::config::values(&config.regions);
    let mut out = Vec::new();
    for model in &config.models {
        let location = needs.location(model.span().start);
        let wanted = policy::Needs {
            regions: regions.clone(),
            models: vec![model.get_ref().clone()],
            ..Default::default()
        };
        let p = policy::generate(kb, &wanted)
            .map_err(|e| format!("{}:{}:{}: {e}", location.file, location.line, location.column))?;
        for (arn, whys) in p
            .resources
            .iter()
            .filter(|(arn, _)| !granted.iter().any(|g| policy::covers(g, arn)))
        {
            out.push(
                Finding::new(
                    Code::BD317,
                    Status::Fail,
                    Cause::IamDeniedInvoke,
                    format!("no scanned file grants `{arn}`, which `{}` needs", model.get_ref()),
                )
                .check("lint")
                .model(model.get_ref())
                .detail(format!(
                    "Needed for {} (knowledge base of {}). The comparison is textual: it does not evaluate conditions or Deny statements.",
                    whys.join("; "),
                    kb.date
                ))
                .step(format!("Grant `{arn}` (`bedrock-doctor policy --config {path}` writes the whole policy)"))
                .at(location.clone()),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed knowledge base, so a refresh of the embedded one never moves these tests.
    fn seed() -> &'static Knowledge {
        static SEED: LazyLock<Knowledge> = LazyLock::new(|| {
            serde_json::from_str(include_str!("../tests/fixtures/knowledge/seed.json")).expect("seed parses")
        });
        &SEED
    }

    fn codes(text: &str) -> Vec<(Code, usize, usize)> {
        lint_text("f.ts", text, seed())
            .into_iter()
            .map(|f| {
                let l = f.location.unwrap();
                (f.code, l.line, l.column)
            })
            .collect()
    }

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let text = "const a = 1;\n  // é\n  \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0\"\n";
        assert_eq!(codes(text), vec![(Code::BD304, 3, 4)]);
    }

    #[test]
    fn region_not_called_by_the_file() {
        let text = r#"const url = "https://bedrock-runtime.ap-southeast-1.amazonaws.com";
const arn = "arn:aws:bedrock:ap-southeast-2::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0";"#;
        assert_eq!(codes(text), vec![(Code::BD309, 2, 14)]);
    }

    #[test]
    fn profile_without_foundation_model_arns() {
        let text = r#"resources = ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
  "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"]
region = "us-east-1""#;
        let f = lint_text("main.tf", text, seed());
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].code, Code::BD310);
        assert!(
            f[0].remediation[0].contains(
                "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
            )
        );
        assert!(f[0].remediation[0].contains("us-west-2"));
        assert!(!f[0].remediation[0].contains("us-east-1::"));
    }

    #[test]
    fn bare_profile_only_model_ids() {
        let text = "MODEL_ID = \"anthropic.claude-3-7-sonnet-20250219-v1:0\"\nOK = \"us.anthropic.claude-3-7-sonnet-20250219-v1:0\"\n";
        assert_eq!(codes(text), vec![(Code::BD312, 1, 13)]);
    }

    #[test]
    fn legacy_models_from_the_knowledge_base() {
        let mut kb = seed().clone();
        kb.regions.get_mut("us-east-1").unwrap().models.insert(
            "anthropic.claude-v2:1".into(),
            crate::knowledge::ModelFacts {
                inference_types: vec!["ON_DEMAND".into()],
                lifecycle: Some("LEGACY".into()),
                end_of_life_time: Some("2026-01-01T00:00:00Z".into()),
                legacy_time: None,
                mantle_apis: vec![],
            },
        );
        let f = lint_text("a.py", "model = 'anthropic.claude-v2:1'", &kb);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, f[0].cause), (Code::BD313, Cause::ModelEolLegacy));
    }

    #[test]
    fn provisioned_variants_and_foreign_profiles() {
        let text = "region = \"us-east-1\"\nm1 = \"amazon.titan-text-express-v1:0:8k\"\nm2 = \"eu.amazon.nova-pro-v1:0\"\nm3 = \"us.amazon.nova-pro-v1:0\"\n";
        assert_eq!(codes(text), vec![(Code::BD314, 2, 7), (Code::BD315, 3, 7)]);
    }

    #[test]
    fn clean_text_and_lookalikes_give_nothing() {
        assert!(
            codes("see https://www.amazon.com/ and amazon.titan is nice\nconst r = 'us-east-1';").is_empty()
        );
        assert!(codes("arn = \"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0\"\nregion = 'us-east-1'").is_empty());
        assert!(codes("nothing to see").is_empty());
    }
}
