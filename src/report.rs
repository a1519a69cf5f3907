//! The report model: findings, causes, statuses and the report they form.
//!
//! This is the JSON contract (`schema_version` 1, documented in `docs/report.md`). Every renderer
//! reads this one model; checks only ever build [`Finding`]s.

use crate::codes::{Code, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The version of the JSON layout below; bumped only on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What a finding says about the item it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not evaluated (prerequisite failed, or not requested).
    Skip,
    /// Verified working.
    Pass,
    /// Works, but something deserves attention.
    Warn,
    /// AWS could not answer (throttling, 5xx, timeout, network): nothing was verified.
    Inconclusive,
    /// Verified broken.
    Fail,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Inconclusive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Skip => "skip",
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Inconclusive => "inconclusive",
            Status::Fail => "fail",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! causes {
    ($($variant:ident => $s:literal,)*) => {
        /// Why a finding has its status: the fixed public vocabulary of `../shared/causes.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Cause { $($variant),* }

        impl Cause {
            pub const ALL: &'static [Cause] = &[$(Cause::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Cause::$variant => $s),* }
            }
        }
    };
}

causes! {
    Ok => "ok",
    NoCredentials => "no_credentials",
    InvalidCredentials => "invalid_credentials",
    ExpiredToken => "expired_token",
    ClockSkew => "clock_skew",
    IamDeniedInvoke => "iam_denied_invoke",
    IamDeniedMarketplace => "iam_denied_marketplace",
    ScpDenied => "scp_denied",
    ModelAccessNotGranted => "model_access_not_granted",
    AnthropicUseCaseForm => "anthropic_use_case_form",
    MarketplaceAgreementMissing => "marketplace_agreement_missing",
    NeedsInferenceProfile => "needs_inference_profile",
    ModelNotInRegion => "model_not_in_region",
    ModelEolLegacy => "model_eol_legacy",
    InvalidModelId => "invalid_model_id",
    MalformedBody => "malformed_body",
    LegacyPromptFormat => "legacy_prompt_format",
    Throttled => "throttled",
    QuotaExceeded => "quota_exceeded",
    ModelNotReady => "model_not_ready",
    ModelTimeout => "model_timeout",
    ServiceUnavailable => "service_unavailable",
    RegionNotSupported => "region_not_supported",
    EndpointUnreachable => "endpoint_unreachable",
    NonAwsAnswer => "non_aws_answer",
    ServiceTierUnavailable => "service_tier_unavailable",
    DataRetentionIncompatible => "data_retention_incompatible",
    AssumeRoleDenied => "assume_role_denied",
    Other => "other",
    ArnMalformed => "arn_malformed",
    ArnWrongService => "arn_wrong_service",
    ArnInvalidRegion => "arn_invalid_region",
    ArnAccountField => "arn_account_field",
    ArnUnknownResourceType => "arn_unknown_resource_type",
    ArnGeographyMismatch => "arn_geography_mismatch",
    ArnModelNotInRegion => "arn_model_not_in_region",
    ArnWildcard => "arn_wildcard",
    ArnRegionMismatch => "arn_region_mismatch",
    ArnProfileDestinationsMissing => "arn_profile_destinations_missing",
    ArnGrantMissing => "arn_grant_missing",
}

impl Cause {
    /// Causes that mean "AWS could not answer": a check seeing them is inconclusive, never failed.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Cause::Throttled
                | Cause::QuotaExceeded
                | Cause::ModelNotReady
                | Cause::ModelTimeout
                | Cause::ServiceUnavailable
                | Cause::EndpointUnreachable
                | Cause::NonAwsAnswer
        )
    }

    /// Causes that say the credentials themselves are unusable.
    pub fn is_credential_problem(self) -> bool {
        matches!(
            self,
            Cause::NoCredentials | Cause::InvalidCredentials | Cause::ExpiredToken | Cause::ClockSkew
        )
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What AWS said, as evidence for a finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsEvidence {
    /// `sts`, `bedrock` or `bedrock-runtime`.
    pub service: String,
    /// The API operation, e.g. `GetCallerIdentity`.
    pub operation: String,
    /// HTTP status of the answer; null when no answer arrived (timeout, network).
    pub http_status: Option<u16>,
    /// The AWS error code (`x-amzn-ErrorType`, XML `Code`), null on success or without answer.
    pub error_code: Option<String>,
    /// The request id AWS assigned (`x-amzn-RequestId`), for support cases.
    pub request_id: Option<String>,
    /// AWS's own message, or the client-side failure when no answer arrived.
    pub message: Option<String>,
    /// An AccessDenied message, read: principal, action, resource, the policy type that denied,
    /// explicit or not, the policy ARN, the destination region of a cross-region hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<crate::denial::Denial>,
}

/// Reads every AccessDenied text among `findings`' evidence into its `denial` field.
pub fn read_denials(findings: &mut [Finding]) {
    for f in findings {
        let read = f.aws_denial();
        if let Some(aws) = f.aws.as_mut() {
            aws.denial = read;
        }
    }
}

impl AwsEvidence {
    /// A successful answer: HTTP 200 and AWS's request id.
    pub fn success(service: &str, operation: &str, request_id: Option<&str>) -> Self {
        AwsEvidence {
            service: service.to_string(),
            operation: operation.to_string(),
            http_status: Some(200),
            request_id: request_id.map(str::to_string),
            ..AwsEvidence::default()
        }
    }
}

/// One verdict about one item (the identity, a region, a region × model pair, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    /// The code's kebab-case name (`no-credentials`).
    pub slug: String,
    /// Id of the check that produced it.
    pub check: String,
    pub cause: Cause,
    pub status: Status,
    pub severity: Severity,
    pub region: Option<String>,
    pub model: Option<String>,
    /// One line saying what was observed.
    pub title: String,
    /// Everything else worth knowing, in plain sentences.
    pub detail: String,
    /// Steps to fix, most direct first; the last points at `bedrock-doctor explain`.
    pub remediation: Vec<String>,
    pub aws: Option<AwsEvidence>,
    /// Wall time of the AWS call behind the verdict, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Where in a file the finding points (lint, configuration), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Set when a `[[suppress]]` entry of the configuration mutes this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppressed>,
    /// The account the finding concerns, in a multi-account run (`--role-arn`, several
    /// `--profile`, `[[accounts]]`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountRef>,
    /// The endpoint a probe called: `runtime` (bedrock-runtime) or `mantle` (bedrock-mantle);
    /// absent for findings of no plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plane: Option<String>,
    /// What IAM's policy simulator answered for one needed (action, resource) pair
    /// (`--explain-iam`, the `iam` check); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Simulation>,
}

/// One answer of IAM's policy simulator (`SimulatePrincipalPolicy`), as the `iam` check read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Simulation {
    /// The principal simulated: the caller's user or role ARN (an assumed-role session is
    /// simulated as its role, without the session policy).
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The context keys sent with it (`aws:RequestedRegion`, `bedrock:InferenceProfileArn`).
    pub context: BTreeMap<String, String>,
    pub decision: Decision,
    /// The statements that decided, as the simulator names them: the policy and the position
    /// of the statement in it.
    pub matched_statements: Vec<MatchedStatement>,
    /// `false`: an AWS Organizations policy (SCP) does not allow it; absent when the simulator
    /// did not say (no organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations_allowed: Option<bool>,
    /// `false`: the permissions boundary does not allow it; absent without a boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_allowed: Option<bool>,
}

/// The simulator's verdict for one pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allowed,
    /// No statement allows it.
    ImplicitDeny,
    /// A `Deny` statement matched.
    ExplicitDeny,
}

/// A statement the simulator says decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedStatement {
    /// The policy: an inline policy's name, a managed policy's name or ARN.
    pub policy_id: String,
    /// `user`, `group`, `role`, `aws-managed`, `user-managed`, `resource`, `none`.
    pub policy_type: String,
    /// Where the statement starts in the policy document (1-based), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<i32>,
}

impl std::fmt::Display for MatchedStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} policy `{}`", self.policy_type, self.policy_id)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " (statement at line {l}, column {c})")?;
        }
        Ok(())
    }
}

/// Which account of a multi-account run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    /// The 12-digit account id: from STS, else from the role ARN; null when neither says.
    pub id: Option<String>,
    /// The name given in `[[accounts]]`, else the role ARN or profile name.
    pub name: String,
}

/// One account of a multi-account run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: Option<String>,
    pub name: String,
    /// The role assumed for it, or the profile used.
    pub role_arn: Option<String>,
    pub profile: Option<String>,
    /// Who the run acted as there; null when the role could not be assumed.
    pub identity: Option<Identity>,
    /// Its findings per status.
    pub summary: Summary,
}

impl Finding {
    /// What the finding is about, the same from run to run: code, check, region, model and the
    /// ARN it names; never its wording, times or counts. Drift and SARIF fingerprints use it.
    pub fn identity(&self) -> [&str; 5] {
        let t = self.title.as_str();
        let resource = t
            .find("arn:")
            .map(|i| {
                let rest = &t[i..];
                &rest[..rest.find(['`', ' ', '"', ')']).unwrap_or(rest.len())]
            })
            .unwrap_or("");
        [
            self.code.as_str(),
            &self.check,
            self.region.as_deref().unwrap_or(""),
            self.model.as_deref().unwrap_or(""),
            resource,
        ]
    }
}

/// What changed since a baseline report (`--baseline`): problems (fail, warn, inconclusive)
/// that are new, gone, or whose status moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The baseline: its file and when it was made.
    pub baseline: String,
    pub new: Vec<DriftEntry>,
    pub resolved: Vec<DriftEntry>,
    pub changed: Vec<DriftEntry>,
}

/// One finding in a drift list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftEntry {
    pub code: Code,
    pub region: Option<String>,
    pub model: Option<String>,
    pub title: String,
    /// Its status now (for `resolved`: `pass`, or the status it had when it is gone).
    pub status: Status,
    /// Its status in the baseline; null for `new`.
    pub was: Option<Status>,
}

/// Why a finding is muted: it is still reported, but does not count toward the exit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    pub reason: String,
    /// The date (YYYY-MM-DD) after which the suppression stops muting.
    pub expires: Option<String>,
}

/// The lowest level of finding that fails a run (`--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    /// `fail` findings (the default).
    Error,
    /// `fail` and `warn`.
    Warning,
    /// `fail`, `warn` and `inconclusive`.
    Inconclusive,
    /// Nothing: exit 0 unless the run is incomplete (3) or unusable (2).
    Never,
    /// `fail` findings that the baseline (`--baseline`) did not have.
    New,
}

impl FailOn {
    /// Whether a finding with `status` fails the run at this level.
    pub fn fails(self, status: Status) -> bool {
        match self {
            FailOn::Error => status == Status::Fail,
            FailOn::Warning => matches!(status, Status::Fail | Status::Warn),
            FailOn::Inconclusive => matches!(status, Status::Fail | Status::Warn | Status::Inconclusive),
            FailOn::Never | FailOn::New => false,
        }
    }
}

/// A position in a file: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Finding {
    /// A finding for `code`, emitted by the check that owns it (`check` for engine codes).
    pub fn new(code: Code, status: Status, cause: Cause, title: impl Into<String>) -> Self {
        Finding {
            code,
            slug: code.slug().to_string(),
            check: code.check().to_string(),
            cause,
            status,
            severity: code.default_severity(),
            region: None,
            model: None,
            title: title.into(),
            detail: String::new(),
            remediation: Vec::new(),
            aws: None,
            latency_ms: None,
            location: None,
            suppressed: None,
            account: None,
            plane: None,
            simulation: None,
        }
    }

    pub fn check(mut self, check: &str) -> Self {
        self.check = check.to_string();
        self
    }

    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn step(mut self, step: impl Into<String>) -> Self {
        self.remediation.push(step.into());
        self
    }

    pub fn aws(mut self, evidence: AwsEvidence) -> Self {
        self.aws = Some(evidence);
        self
    }

    /// The AccessDenied text of the finding's evidence, read: as the report carries it, else
    /// from AWS's message.
    pub fn aws_denial(&self) -> Option<crate::denial::Denial> {
        let aws = self.aws.as_ref()?;
        aws.denial
            .clone()
            .or_else(|| crate::denial::parse(aws.message.as_deref()?, self.region.as_deref()))
    }

    pub fn plane(mut self, plane: &str) -> Self {
        self.plane = Some(plane.to_string());
        self
    }

    pub fn simulation(mut self, s: Simulation) -> Self {
        self.simulation = Some(s);
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn latency(mut self, d: std::time::Duration) -> Self {
        self.latency_ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Adds the closing pointer to the code's document, for anything not a plain pass.
    pub(crate) fn finish(mut self) -> Self {
        if self.status != Status::Pass {
            self.remediation
                .push(format!("Run `bedrock-doctor explain {}` for details", self.code));
        }
        self
    }
}

/// Tool name and version, so a report names what produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Who the run acted as.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Account id from STS; null when STS did not answer.
    pub account: Option<String>,
    /// Caller ARN from STS.
    pub arn: Option<String>,
    /// Caller user id from STS.
    pub user_id: Option<String>,
    /// Where the credentials came from (`environment`, `profile:NAME (sso)`, `web-identity`, …).
    pub credential_source: String,
    /// Session (temporary) credentials rather than a long-term key.
    pub temporary: bool,
    /// The access key id masked to its last four characters (`****MPLE`).
    pub access_key_id: String,
    /// Expiry of temporary credentials (RFC 3339), when the provider says.
    pub expires_at: Option<String>,
}

/// A region the run looked at, and where that region came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSource {
    pub region: String,
    /// `flag`, `environment`, `profile:NAME`, `instance-metadata`.
    pub source: String,
    /// The account's data retention setting in the region (`GetAccountDataRetention`), when the
    /// probe asked; absent when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_retention: Option<DataRetention>,
}

impl RegionSource {
    /// Where the region came from and, when read, the account's data retention there:
    /// `flag`, `flag, data retention none`, `flag, data retention not readable`.
    pub fn describe(&self) -> String {
        match &self.data_retention {
            Some(DataRetention { mode: Some(m), .. }) => format!("{}, data retention {m}", self.source),
            Some(DataRetention { note: Some(_), .. }) => format!("{}, data retention unread", self.source),
            _ => self.source.clone(),
        }
    }

    pub fn new(region: impl Into<String>, source: impl Into<String>) -> Self {
        RegionSource {
            region: region.into(),
            source: source.into(),
            data_retention: None,
        }
    }
}

/// What `GetAccountDataRetention` answered for a region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRetention {
    /// `default`, `none`, `provider_data_share`, `inherit`, `aws_review`; absent when unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Why the mode could not be read (a missing `bedrock:GetAccountDataRetention` is a note,
    /// never a failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One row per check: what ran and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub id: String,
    /// The worst status among the check's findings (`skip` when it produced none).
    pub status: Status,
    pub findings: usize,
    pub duration_ms: u64,
    /// Set when the check could not complete (crashed or cut off by `--timeout`).
    pub error: Option<String>,
}

/// What the probes of the run consumed, with an upper bound of what they cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbeCost {
    /// Successful billed calls.
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub images: u64,
    /// An upper bound in US dollars, at the highest on-demand prices of any Bedrock model
    /// ([`MAX_USD_PER_INPUT_TOKEN`], [`MAX_USD_PER_OUTPUT_TOKEN`], [`MAX_USD_PER_IMAGE`]).
    pub estimated_usd_max: f64,
}

impl std::fmt::Display for ProbeCost {
    /// "3 calls, 24 input + 3 output tokens, at most $0.0006" (with images when there were any).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {} input + {} output tokens",
            plural(self.calls, "call", "calls"),
            self.input_tokens,
            self.output_tokens
        )?;
        if self.images > 0 {
            write!(f, ", {}", plural(self.images, "image", "images"))?;
        }
        write!(f, ", at most ${:.4}", self.estimated_usd_max)
    }
}

/// $15 per million input tokens: the most expensive on-demand text model (Claude Opus 4).
pub const MAX_USD_PER_INPUT_TOKEN: f64 = 15.0 / 1_000_000.0;
/// $75 per million output tokens (Claude Opus 4).
pub const MAX_USD_PER_OUTPUT_TOKEN: f64 = 75.0 / 1_000_000.0;
/// $0.14 per image (Stable Image Ultra), the most expensive image model.
pub const MAX_USD_PER_IMAGE: f64 = 0.14;

impl ProbeCost {
    pub fn new(calls: u64, input_tokens: u64, output_tokens: u64, images: u64) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let usd = input_tokens as f64 * MAX_USD_PER_INPUT_TOKEN
            + output_tokens as f64 * MAX_USD_PER_OUTPUT_TOKEN
            + images as f64 * MAX_USD_PER_IMAGE;
        ProbeCost {
            calls,
            input_tokens,
            output_tokens,
            images,
            estimated_usd_max: usd,
        }
    }
}

/// Counts of findings per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub inconclusive: usize,
    /// Findings muted by a suppression (not counted in the statuses above).
    #[serde(default)]
    pub suppressed: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            if f.suppressed.is_some() {
                s.suppressed += 1;
            } else {
                *s.slot(f.status) += 1;
            }
        }
        s
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Fail => &mut self.fail,
            Status::Skip => &mut self.skip,
            Status::Inconclusive => &mut self.inconclusive,
        }
    }

    pub fn get(&self, status: Status) -> usize {
        let mut copy = *self;
        *copy.slot(status)
    }
}

/// One root cause and the findings it explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub cause: Cause,
    /// The code of its most serious finding (`bedrock-doctor explain CODE`).
    pub code: Code,
    /// The most serious status among its findings.
    pub status: Status,
    /// What is wrong, in one line.
    pub title: String,
    /// The one fix.
    pub remediation: String,
    /// How many findings it explains.
    pub findings: usize,
    /// The regions and models those findings concern, in report order.
    pub regions: Vec<String>,
    pub models: Vec<String>,
}

/// The whole report of one `check` run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub identity: Option<Identity>,
    /// The regions examined, primary first.
    pub regions: Vec<RegionSource>,
    /// The models requested with `--model` (or the configuration).
    pub models: Vec<String>,
    /// When the report was made (RFC 3339, UTC).
    #[serde(default)]
    pub generated_at: Option<String>,
    pub checks: Vec<CheckSummary>,
    /// The accounts of a multi-account run, in the order asked; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountSummary>,
    /// The root causes, most serious first; each explains one or more findings
    /// (`crate::diagnosis`).
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// What the probes consumed; null when no probe call succeeded.
    pub probes: Option<ProbeCost>,
    /// What changed since the `--baseline` report; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// True when a check crashed or the run hit `--timeout` (exit code 3).
    pub incomplete: bool,
    pub duration_ms: u64,
}

impl Report {
    /// A report of `findings` and nothing else (no identity, regions, checks or timing): the
    /// base every producer fills in with struct-update syntax.
    pub fn of(findings: Vec<Finding>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            identity: None,
            regions: vec![],
            models: vec![],
            generated_at: None,
            checks: vec![],
            accounts: vec![],
            diagnoses: vec![],
            drift: None,
            summary: Summary::of(&findings),
            findings,
            probes: None,
            incomplete: false,
            duration_ms: 0,
        }
    }

    /// The process exit code this report calls for with the default `--fail-on error`.
    pub fn exit_code(&self) -> u8 {
        self.exit_code_for(FailOn::Error)
    }

    /// The process exit code for a `--fail-on` level: 3 incomplete, 1 a finding at or above the
    /// level (suppressed ones excepted), else 0.
    pub fn exit_code_for(&self, fail_on: FailOn) -> u8 {
        let new_failure = || {
            self.drift
                .as_ref()
                .is_some_and(|d| d.new.iter().any(|e| e.status == Status::Fail))
        };
        if self.incomplete {
            3
        } else if self
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && fail_on.fails(f.status))
            || (fail_on == FailOn::New && new_failure())
        {
            1
        } else {
            0
        }
    }
}

/// The sink checks push findings into; shared so that what a check found before it was cut
/// off is still reported.
#[derive(Clone, Default)]
pub struct Findings {
    inner: Arc<Mutex<Vec<Finding>>>,
}

impl Findings {
    pub fn push(&self, finding: Finding) {
        self.lock().push(finding.finish());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Finding>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of everything pushed so far (for a check that reads what others found).
    pub fn snapshot(&self) -> Vec<Finding> {
        self.lock().clone()
    }

    /// Everything pushed so far, leaving the sink empty.
    pub fn take(&self) -> Vec<Finding> {
        std::mem::take(&mut *self.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_strings_match_the_public_vocabulary() {
        for c in Cause::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        let vocabulary = "ok no_credentials invalid_credentials expired_token clock_skew \
            iam_denied_invoke iam_denied_marketplace scp_denied model_access_not_granted \
            anthropic_use_case_form marketplace_agreement_missing needs_inference_profile \
            model_not_in_region model_eol_legacy invalid_model_id malformed_body \
            legacy_prompt_format throttled quota_exceeded model_not_ready model_timeout \
            service_unavailable region_not_supported endpoint_unreachable non_aws_answer \
            service_tier_unavailable data_retention_incompatible assume_role_denied other \
            arn_malformed arn_wrong_service arn_invalid_region arn_account_field \
            arn_unknown_resource_type arn_geography_mismatch arn_model_not_in_region arn_wildcard \
            arn_region_mismatch arn_profile_destinations_missing arn_grant_missing";
        let ours: Vec<&str> = Cause::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ours, vocabulary.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn probe_cost_reads_as_a_sentence() {
        let mut p = ProbeCost {
            calls: 1,
            input_tokens: 8,
            output_tokens: 1,
            images: 0,
            estimated_usd_max: 0.00019,
        };
        assert_eq!(
            p.to_string(),
            "1 call, 8 input + 1 output tokens, at most $0.0002"
        );
        p.calls = 3;
        p.images = 1;
        assert_eq!(
            p.to_string(),
            "3 calls, 8 input + 1 output tokens, 1 image, at most $0.0002"
        );
    }

    #[test]
    fn exit_code_follows_fail_and_incomplete() {
        let mut r = Report::of(vec![]);
        assert_eq!(r.exit_code(), 0);
        r.findings.push(Finding::new(
            Code::BD503,
            Status::Inconclusive,
            Cause::Throttled,
            "t",
        ));
        assert_eq!(r.exit_code(), 0);
        assert_eq!(r.exit_code_for(FailOn::Inconclusive), 1);
        r.findings
            .push(Finding::new(Code::BD308, Status::Warn, Cause::ArnWildcard, "w"));
        assert_eq!((r.exit_code(), r.exit_code_for(FailOn::Warning)), (0, 1));
        r.findings.push(Finding::new(
            Code::BD501,
            Status::Fail,
            Cause::RegionNotSupported,
            "f",
        ));
        assert_eq!((r.exit_code(), r.exit_code_for(FailOn::Never)), (1, 0));
        r.findings.last_mut().unwrap().suppressed = Some(Suppressed {
            reason: "known".into(),
            expires: None,
        });
        assert_eq!(r.exit_code(), 0);
        r.incomplete = true;
        assert_eq!((r.exit_code(), r.exit_code_for(FailOn::Never)), (3, 3));
    }
}
