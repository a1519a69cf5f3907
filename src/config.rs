//! `bedrock-doctor.toml`: what the app needs from Bedrock, per environment. Regions in order
//! (primary first, then fallbacks), the models exactly as the code sends them, the ARNs its IAM
//! policy grants, probe settings, checks to run or skip, severity overrides per code.
//!
//! Unknown keys are errors with a "did you mean"; every error names file, line and column.

use crate::check_info::CheckInfo;
use crate::codes::{Code, Level};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file `check` looks for in the working directory.
pub const FILE_NAME: &str = "bedrock-doctor.toml";

const TOP_KEYS: &[&str] = &[
    "regions",
    "models",
    "granted_arns",
    "profile",
    "probe",
    "explain_iam",
    "service_tier",
    "planes",
    "checks",
    "severity",
    "suppress",
    "accounts",
];

/// An endpoint in `planes = [...]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaneName {
    Runtime,
    Mantle,
}

/// A Bedrock service tier (Converse `serviceTier`; AWS's "Service tiers for inference" page):
/// how a request is queued and priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ServiceTier {
    /// Standard on-demand capacity.
    Default,
    /// Served ahead of the default tier, at a higher price.
    Priority,
    /// Served when capacity is free, at a lower price; may wait longer.
    Flex,
    /// Capacity reserved for the account in advance (an arrangement with AWS).
    Reserved,
}

impl ServiceTier {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceTier::Default => "default",
            ServiceTier::Priority => "priority",
            ServiceTier::Flex => "flex",
            ServiceTier::Reserved => "reserved",
        }
    }
}

/// An `[[accounts]]` entry: one account of a multi-account run, reached through a role (or a
/// profile), optionally with its own regions and models.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub models: Vec<String>,
}

/// A `[[suppress]]` entry: mutes matching findings, with a reason and an optional expiry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    pub code: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day it mutes.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// `false` is `--no-invoke`.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `true` is `--probe-images`.
    #[serde(default)]
    pub images: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    #[serde(default)]
    pub only: Vec<String>,
    #[serde(default)]
    pub skip: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub regions: Vec<Spanned<String>>,
    #[serde(default)]
    pub models: Vec<Spanned<String>>,
    #[serde(default)]
    pub granted_arns: Vec<Spanned<String>>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub probe: Option<ProbeConfig>,
    /// `true` is `--explain-iam`.
    #[serde(default)]
    pub explain_iam: bool,
    /// As `--service-tier`.
    #[serde(default)]
    pub service_tier: Option<ServiceTier>,
    /// The endpoints to probe (`--plane`): `["runtime"]` (the default), `["mantle"]`, or both.
    #[serde(default)]
    pub planes: Vec<PlaneName>,
    #[serde(default)]
    pub checks: ChecksConfig,
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<Level>>,
    #[serde(default)]
    pub suppress: Vec<Spanned<Suppression>>,
    #[serde(default)]
    pub accounts: Vec<Spanned<AccountConfig>>,
}

/// A loaded configuration with where it came from, for locating findings.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub text: String,
    pub config: Config,
    /// Severity overrides, validated.
    pub severity: BTreeMap<Code, Level>,
}

impl Loaded {
    /// Where an entry starting at byte `offset` sits in the file.
    pub fn location(&self, offset: usize) -> crate::report::Location {
        let (line, column) = position(&self.text, offset);
        crate::report::Location {
            file: self.path.display().to_string(),
            line,
            column,
        }
    }
}

/// A configuration problem: exit code 2, with file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// 1-based line and column of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

/// Reads and validates a configuration file; `checks` are the known check ids.
pub fn load(path: &Path, checks: &[&str]) -> Result<Loaded, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: file.clone(),
        line: 1,
        column: 1,
        message: format!("cannot read the configuration: {e}"),
    })?;
    parse(&file, &text, checks).map(|(config, severity)| Loaded {
        path: path.to_path_buf(),
        text,
        config,
        severity,
    })
}

/// Parses configuration text (`file` names it in errors); `checks` are the known check ids.
pub fn parse(
    file: &str,
    text: &str,
    checks: &[&str],
) -> Result<(Config, BTreeMap<Code, Level>), ConfigError> {
    let at = |offset: usize, message: String| {
        let (line, column) = position(text, offset);
        ConfigError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let config: Config = toml::from_str(text).map_err(|e| {
        let mut message = e.message().trim().to_string();
        // serde names the unknown key and the expected ones: add the likely one.
        if let Some(rest) = message.strip_prefix("unknown field `")
            && let Some(key) = rest.split('`').next()
        {
            let expected: Vec<&str> = message
                .split("expected ")
                .nth(1)
                .map(|tail| tail.split('`').skip(1).step_by(2).collect())
                .unwrap_or_else(|| TOP_KEYS.to_vec());
            if let Some(s) = closest(key, &expected) {
                message.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        at(e.span().map_or(0, |s| s.start), message)
    })?;
    for r in &config.regions {
        let code = r.get_ref();
        if !crate::regions::lookup(code).is_some_and(|i| i.bedrock) {
            let hint = crate::regions::suggest(code)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(at(
                r.span().start,
                format!("`{code}` in `regions` is not a region that offers Bedrock{hint}"),
            ));
        }
    }
    for m in &config.models {
        if let Err(e) = crate::ident::parse(m.get_ref()) {
            return Err(at(m.span().start, format!("in `models`: {e}")));
        }
    }
    for id in config.checks.only.iter().chain(&config.checks.skip) {
        if !checks.contains(&id.as_str()) {
            let hint = closest(id, checks)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let offset = text.find(&format!("\"{id}\"")).unwrap_or(0);
            return Err(at(offset, format!("unknown check `{id}` in [checks]{hint}")));
        }
    }
    for acct in &config.accounts {
        let a = acct.get_ref();
        if a.role_arn.is_none() == a.profile.is_none() {
            return Err(at(
                acct.span().start,
                "an [[accounts]] entry needs exactly one of `role_arn` and `profile`".into(),
            ));
        }
        if let Some(arn) = &a.role_arn
            && !(arn.starts_with("arn:aws") && arn.contains(":iam::") && arn.contains(":role/"))
        {
            return Err(at(
                acct.span().start,
                format!("`{arn}` in [[accounts]] is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
            ));
        }
    }
    for sup in &config.suppress {
        let entry = sup.get_ref();
        if entry.code.parse::<Code>().is_err() {
            return Err(at(
                sup.span().start,
                format!(
                    "unknown code `{}` in [[suppress]]; `bedrock-doctor explain --list` lists them",
                    entry.code
                ),
            ));
        }
        if entry.reason.trim().is_empty() {
            return Err(at(
                sup.span().start,
                "a [[suppress]] entry needs a non-empty `reason`".into(),
            ));
        }
        if let Some(e) = &entry.expires
            && expiry_day(e).is_none()
        {
            return Err(at(
                sup.span().start,
                format!("`expires = \"{e}\"` in [[suppress]] is not a date (YYYY-MM-DD)"),
            ));
        }
    }
    let mut severity = BTreeMap::new();
    for (key, level) in &config.severity {
        let Ok(code) = key.parse::<Code>() else {
            let offset = text.find(key.as_str()).unwrap_or(level.span().start);
            return Err(at(
                offset,
                format!("unknown code `{key}` in [severity]; `bedrock-doctor explain --list` lists them"),
            ));
        };
        severity.insert(code, *level.get_ref());
    }
    Ok((config, severity))
}

/// A list from the configuration as plain strings (the spans are for locating findings).
pub fn values(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

/// The command line's list when it has one, else the configuration's (`pick` chooses which).
pub fn flags_or(
    flags: &[String],
    cfg: Option<&Config>,
    pick: fn(&Config) -> &Vec<Spanned<String>>,
) -> Vec<String> {
    if flags.is_empty() {
        cfg.map(|c| values(pick(c))).unwrap_or_default()
    } else {
        flags.to_vec()
    }
}

/// Finds the configuration: `--config PATH`, else `bedrock-doctor.toml` in the working directory.
pub fn discover(explicit: Option<&Path>, checks: &[&str]) -> Result<Option<Loaded>, ConfigError> {
    match explicit {
        Some(p) => load(p, checks).map(Some),
        None => {
            let p = Path::new(FILE_NAME);
            if p.is_file() {
                load(p, checks).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// `YYYY-MM-DD` as days since the epoch.
fn expiry_day(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    let date = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp().div_euclid(86_400))
}

/// Mutes findings matched by a suppression that has not expired; notes expired ones on the
/// findings they would have muted; and returns a warning (BD903) for every suppression that
/// matched nothing. `today` is days since the epoch.
pub fn apply_suppressions(
    findings: &mut [crate::report::Finding],
    loaded: &Loaded,
    today: i64,
) -> Vec<crate::report::Finding> {
    use crate::report::{Cause, Finding, Status, Suppressed};
    let mut used = vec![false; loaded.config.suppress.len()];
    for f in findings.iter_mut() {
        for (i, sup) in loaded.config.suppress.iter().enumerate() {
            let s = sup.get_ref();
            let matches = s.code.parse::<Code>().is_ok_and(|c| c == f.code)
                && s.region.as_deref().is_none_or(|r| f.region.as_deref() == Some(r))
                && s.model.as_deref().is_none_or(|m| f.model.as_deref() == Some(m));
            if !matches {
                continue;
            }
            used[i] = true;
            let expired = s
                .expires
                .as_deref()
                .and_then(expiry_day)
                .is_some_and(|d| today > d);
            if expired {
                f.detail = format!(
                    "{} A suppression for {} (\"{}\") expired on {}: the finding counts again.",
                    f.detail,
                    f.code,
                    s.reason,
                    s.expires.as_deref().unwrap_or_default()
                )
                .trim()
                .to_string();
            } else {
                f.suppressed = Some(Suppressed {
                    reason: s.reason.clone(),
                    expires: s.expires.clone(),
                });
            }
            break;
        }
    }
    loaded
        .config
        .suppress
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(sup, _)| {
            let s = sup.get_ref();
            Finding::new(Code::BD903, Status::Warn, Cause::Other, format!("the suppression of {} matched no finding", s.code))
                .check("config")
                .detail(format!(
                    "`[[suppress]]` code = \"{}\"{}{} (\"{}\") muted nothing in this run: the problem is gone, or the entry is wrong.",
                    s.code,
                    s.region.as_ref().map(|r| format!(", region = \"{r}\"")).unwrap_or_default(),
                    s.model.as_ref().map(|m| format!(", model = \"{m}\"")).unwrap_or_default(),
                    s.reason
                ))
                .step("Remove the entry, or fix its code, region or model")
                .at(loaded.location(sup.span().start))
                .finish()
        })
        .collect()
}

/// Points findings that have no location at the configuration entry of their model (or
/// region), so SARIF and annotations land on the line that declares it.
pub fn locate(findings: &mut [crate::report::Finding], loaded: &Loaded) {
    for f in findings.iter_mut().filter(|f| f.location.is_none()) {
        let entry = f
            .model
            .as_ref()
            .and_then(|m| loaded.config.models.iter().find(|x| x.get_ref() == m))
            .or_else(|| {
                f.region
                    .as_ref()
                    .and_then(|r| loaded.config.regions.iter().find(|x| x.get_ref() == r))
            });
        if let Some(e) = entry {
            f.location = Some(loaded.location(e.span().start));
        }
    }
}

/// Re-levels findings as the configuration asks: `warning` turns a failure into a warning,
/// `error` turns a warning into a failure.
pub fn apply_severity(findings: &mut [crate::report::Finding], levels: &BTreeMap<Code, Level>) {
    use crate::codes::Severity;
    use crate::report::Status;
    for f in findings.iter_mut() {
        match levels.get(&f.code) {
            Some(Level::Warning) => {
                f.severity = Severity::Warning;
                if f.status == Status::Fail {
                    f.status = Status::Warn;
                }
            }
            Some(Level::Error) => {
                f.severity = Severity::Error;
                if f.status == Status::Warn {
                    f.status = Status::Fail;
                }
            }
            None => {}
        }
    }
}

/// The commented starter file `init` writes; `checks` (the registry) describe themselves in it.
pub fn starter(regions: &[String], models: &[String], arns: &[String], checks: &[&CheckInfo]) -> String {
    let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let described: String = checks
        .iter()
        .map(|c| format!("#   {:width$}  {}\n", c.id, c.starter))
        .collect();
    let list = |items: &[String], fallback: &str| {
        if items.is_empty() {
            fallback.to_string()
        } else {
            format!(
                "[\n{}\n]",
                items
                    .iter()
                    .map(|i| format!("  \"{i}\","))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    };
    format!(
        r#"# bedrock-doctor.toml: what this application needs from Amazon Bedrock.
# `bedrock-doctor check` reads it from the working directory (or --config PATH);
# --region and --model on the command line override it.

# Regions in order: the primary first, then the fallbacks. Every fallback is checked as
# thoroughly as the primary; one that cannot serve a model the primary serves fails the run.
regions = {regions}

# Models exactly as the code sends them: model IDs, inference profile IDs (us., eu., apac.,
# global.) or ARNs.
models = {models}

# The ARNs the application's IAM policy grants for bedrock:InvokeModel. Each is checked
# offline (grammar, account field, region) and live (is the model in that region), and every
# region above must be covered for every model (the finding names the ARN to add).
granted_arns = {arns}

# The AWS profile to use (as --profile).
# profile = "prod"

# The endpoints the application calls (as --plane): "runtime" (bedrock-runtime), "mantle"
# (the OpenAI-compatible bedrock-mantle endpoint), or both.
# planes = ["runtime"]

# The service tier the application asks for (as --service-tier): default, priority, flex, reserved.
# service_tier = "priority"

# Ask IAM's policy simulator which policy allows or refuses each needed resource (as
# --explain-iam; needs iam:SimulatePrincipalPolicy on the caller's own user or role).
# explain_iam = true

[probe]
# One real call per model and region, maxTokens 1 (a fraction of a cent). false = --no-invoke.
enabled = true
# Also generate one small image per image model (billed per image).
images = false

[checks]
# Run only these, or skip these:
{described}only = []
skip = []

[severity]
# Re-level a code: "error" fails the run, "warning" only warns.
# BD308 = "error"   # wildcards in granted ARNs

# Mute a known finding: still shown as suppressed, not counted by --fail-on.
# [[suppress]]
# code = "BD206"
# region = "us-east-1"          # optional
# model = "anthropic.claude-3-5-sonnet-20240620-v1:0"   # optional
# reason = "agreement accepted centrally"
# expires = "2027-01-31"        # optional: stops muting after this day
"#,
        regions = list(regions, "[\"us-east-1\"]"),
        models = list(models, "[]"),
        arns = list(arns, "[]"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKS: &[&str] = &["credentials", "regions", "arns", "model-access", "probe"];

    #[test]
    fn a_full_file_parses() {
        let (c, sev) = parse(
            "t.toml",
            "regions = [\"ap-southeast-1\", \"ap-northeast-1\"]\nmodels = [\"anthropic.claude-3-5-sonnet-20240620-v1:0\"]\ngranted_arns = [\"arn:aws:bedrock:ap-southeast-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0\"]\n[probe]\nenabled = false\n[checks]\nskip = [\"probe\"]\n[severity]\nBD308 = \"error\"\n",
            CHECKS,
        )
        .unwrap();
        assert_eq!(c.regions[1].get_ref(), "ap-northeast-1");
        assert!(!c.probe.unwrap().enabled);
        assert_eq!(sev.get(&Code::BD308), Some(&Level::Error));
        assert_eq!(position("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn errors_are_located_with_suggestions() {
        let cases = [
            ("regoins = [\"us-east-1\"]\n", 1, 1, "did you mean `regions`"),
            (
                "regions = [\"us-east-1\"]\n[probe]\nenabeld = true\n",
                3,
                1,
                "did you mean `enabled`",
            ),
            (
                "regions = [\"us-east-1\", \"us-east-3\"]\n",
                1,
                25,
                "did you mean `us-east-1`",
            ),
            (
                "models = [\"Claude 3\"]\n",
                1,
                11,
                "not a Bedrock model identifier",
            ),
            ("[checks]\nskip = [\"prob\"]\n", 2, 9, "did you mean `probe`"),
            ("[severity]\nBD999 = \"error\"\n", 2, 1, "unknown code `BD999`"),
            ("[severity]\nBD308 = \"fatal\"\n", 2, 9, "unknown variant"),
            ("regions = \"us-east-1\"\n", 1, 11, "expected a sequence"),
            ("regions = [\n", 1, 12, "unclosed array"),
            (
                "[[suppress]]\ncode = \"BD999\"\nreason = \"x\"\n",
                1,
                1,
                "unknown code `BD999` in [[suppress]]",
            ),
            ("[[suppress]]\ncode = \"BD308\"\n", 1, 1, "missing field `reason`"),
            (
                "[[suppress]]\ncode = \"BD308\"\nreason = \"x\"\nexpires = \"soon\"\n",
                1,
                1,
                "not a date",
            ),
        ];
        for (text, line, column, needle) in cases {
            let e = parse("bedrock-doctor.toml", text, CHECKS).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            assert!(e.message.contains(needle), "{text:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("bedrock-doctor.toml:{line}:{column}: "))
            );
        }
    }

    #[test]
    fn the_starter_file_parses() {
        let text = starter(
            &["ap-southeast-1".into()],
            &["anthropic.claude-3-5-sonnet-20240620-v1:0".into()],
            &[],
            &[],
        );
        let (c, _) = parse("starter", &text, CHECKS).unwrap();
        assert_eq!(c.regions.len(), 1);
        assert!(parse("empty", &starter(&[], &[], &[], &[]), CHECKS).is_ok());
        // Its optional settings, uncommented as a user would, parse too.
        let mut uncommented = text.clone();
        for key in ["profile", "planes", "service_tier", "explain_iam"] {
            uncommented = uncommented.replace(&format!("# {key} = "), &format!("{key} = "));
        }
        let (c, _) = parse("uncommented", &uncommented, CHECKS).unwrap();
        assert_eq!(
            (c.planes, c.service_tier, c.explain_iam),
            (vec![PlaneName::Runtime], Some(ServiceTier::Priority), true)
        );
    }
}
