//! The grammar of Bedrock ARNs as users write them into IAM policies, infrastructure code and
//! configuration: structure, partition, service, region, account field, resource type, profile
//! geography and wildcards. Pure and total: any input gives a parse or located problems, never a
//! panic (`fuzz/fuzz_targets/arn.rs` checks that).

use super::model_id::{self, geo_serves_region, profile_parts};
use crate::regions;
use crate::report::Cause;

/// The resource types Bedrock ARNs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceType {
    FoundationModel,
    InferenceProfile,
    ApplicationInferenceProfile,
    ProvisionedModel,
    CustomModel,
    ImportedModel,
    CustomModelDeployment,
    Prompt,
    PromptRouter,
    /// An AWS Marketplace model endpoint (`marketplace/model-endpoint/ID`).
    MarketplaceModelEndpoint,
    /// Anything else Bedrock names (agents, knowledge bases, guardrails…): valid, not a model.
    OtherBedrock,
}

impl ResourceType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "foundation-model" => Self::FoundationModel,
            "inference-profile" => Self::InferenceProfile,
            "application-inference-profile" => Self::ApplicationInferenceProfile,
            "provisioned-model" => Self::ProvisionedModel,
            "custom-model" => Self::CustomModel,
            "imported-model" => Self::ImportedModel,
            "custom-model-deployment" => Self::CustomModelDeployment,
            "prompt" => Self::Prompt,
            "prompt-router" | "default-prompt-router" => Self::PromptRouter,
            "marketplace/model-endpoint" => Self::MarketplaceModelEndpoint,
            "agent"
            | "agent-alias"
            | "knowledge-base"
            | "guardrail"
            | "guardrail-profile"
            | "model-customization-job"
            | "model-invocation-job"
            | "model-evaluation-job"
            | "evaluation-job"
            | "flow"
            | "flow-alias"
            | "data-automation-project"
            | "async-invoke"
            | "model-copy-job"
            | "model-import-job"
            | "blueprint" => Self::OtherBedrock,
            _ => return None,
        })
    }

    /// Whether the account field must be empty (`false`: it must be present).
    fn account_empty(self) -> Option<bool> {
        match self {
            Self::FoundationModel => Some(true),
            Self::OtherBedrock => None,
            _ => Some(false),
        }
    }
}

/// A parsed Bedrock ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub resource_type: ResourceType,
    /// The resource type as written, e.g. `inference-profile`.
    pub type_name: String,
    /// What follows `TYPE/`: a model id, a profile id, an opaque id.
    pub resource: String,
}

impl Arn {
    /// The foundation model this ARN grants or invokes, when it names one.
    pub fn model_id(&self) -> Option<&str> {
        match self.resource_type {
            ResourceType::FoundationModel => Some(&self.resource),
            ResourceType::InferenceProfile => profile_parts(&self.resource).map(|(_, model)| model),
            _ => None,
        }
    }

    /// The geography prefix of a system inference profile (`us`, `eu`, `apac`, `global`, …).
    pub fn profile_geo(&self) -> Option<&str> {
        if self.resource_type != ResourceType::InferenceProfile {
            return None;
        }
        profile_parts(&self.resource).map(|(geo, _)| geo)
    }

    /// Whether the ARN matches more than one resource. `*` in a foundation model's account
    /// field matches only the empty account such ARNs have, so it widens nothing.
    pub fn has_wildcard(&self) -> bool {
        self.region.contains('*')
            || (self.account.contains('*') && self.resource_type != ResourceType::FoundationModel)
            || self.resource.contains('*')
            || self.resource.contains('?')
    }
}

/// One problem with an ARN; `warning` problems are notes (the ARN still works).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnProblem {
    pub cause: Cause,
    pub warning: bool,
    pub message: String,
}

fn problem(cause: Cause, message: impl Into<String>) -> ArnProblem {
    ArnProblem {
        cause,
        warning: false,
        message: message.into(),
    }
}

fn note(cause: Cause, message: impl Into<String>) -> ArnProblem {
    ArnProblem {
        cause,
        warning: true,
        message: message.into(),
    }
}

/// A field filled in by a template (`${AWS::Region}`, `${data.x.account_id}`, `{{region}}`,
/// `<ACCOUNT_ID>`): present, but not checkable offline.
/// `{region}`, `{self.account}`, `{}` (Python f-strings and `.format`), and upper-case template
/// words (`REGION`, `ACCOUNT_ID`, `MODEL_ID`) count too.
pub fn is_placeholder(field: &str) -> bool {
    field.contains("${")
        || field.contains("{{")
        || field.contains('{')
        || field.contains('<')
        || field.contains("%s")
        || field.contains("%(")
        || field.contains("#{")
        || (field.len() >= 3
            && field.bytes().any(|b| b.is_ascii_uppercase())
            && field
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit()))
}

/// Services whose ARNs share the `bedrock` prefix but are other services: not Bedrock ARNs to
/// judge (a typo such as `bedrock-runtime` is still one).
const OTHER_SERVICES: &[&str] = &["bedrock-agentcore", "bedrock-mantle", "bedrock-data-automation"];

/// Whether `s` is the ARN of another service that merely starts with `bedrock`.
pub fn other_service(s: &str) -> bool {
    s.split(':')
        .nth(2)
        .is_some_and(|service| OTHER_SERVICES.contains(&service))
}

/// A piece of an ARN that code completes elsewhere (`"arn:aws:bedrock:" + region + …`,
/// `Fn::Join`, `.format`): it ends at a separator, before the resource id or a field.
pub fn is_fragment(s: &str) -> bool {
    let s = s.trim();
    let fields = s.split(':').count();
    s.ends_with('/') || (fields < 6 && (s.ends_with(':') || s.ends_with('{')))
}

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-f",
    "aws-eusc",
];

/// Checks an ARN: the parse (if the structure allows one) and every problem found.
pub fn check(input: &str) -> (Option<Arn>, Vec<ArnProblem>) {
    let mut problems = Vec::new();
    let s = input.trim();
    let Some(rest) = s.strip_prefix("arn:") else {
        return (
            None,
            vec![problem(Cause::ArnMalformed, "an ARN starts with `arn:`")],
        );
    };
    let fields = split_fields(rest, 5);
    let [partition, service, region, account, resource] = fields[..] else {
        return (
            None,
            vec![problem(
                Cause::ArnMalformed,
                format!(
                    "an ARN has six `:`-separated fields (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE); this one has {}",
                    fields.len() + 1
                ),
            )],
        );
    };
    if !PARTITIONS.contains(&partition) {
        let hint = strsim_best(partition, PARTITIONS)
            .map(|p| format!(" (did you mean `{p}`?)"))
            .unwrap_or_default();
        problems.push(problem(
            Cause::ArnMalformed,
            format!("unknown partition `{partition}`{hint}"),
        ));
    }
    if service != "bedrock" {
        let hint = if service.starts_with("bedrock") {
            " (both Bedrock planes use the service `bedrock` in ARNs)"
        } else {
            ""
        };
        problems.push(problem(
            Cause::ArnWrongService,
            format!("the service is `{service}`, not `bedrock`{hint}"),
        ));
        return (None, problems);
    }
    let Some((rtype, rid)) = resource.split_once('/') else {
        problems.push(problem(
            Cause::ArnMalformed,
            format!("the resource `{resource}` has no `TYPE/ID` form"),
        ));
        return (None, problems);
    };
    // `marketplace/model-endpoint/...` has a slash inside its type.
    let (rtype, rid) = if rtype == "marketplace" {
        (
            "marketplace/model-endpoint",
            rid.trim_start_matches("model-endpoint/"),
        )
    } else {
        (rtype, rid)
    };
    let Some(kind) = ResourceType::parse(rtype) else {
        let known = [
            "foundation-model",
            "inference-profile",
            "application-inference-profile",
            "provisioned-model",
            "custom-model",
            "imported-model",
        ];
        let hint = strsim_best(rtype, &known)
            .map(|p| format!(" (did you mean `{p}`?)"))
            .unwrap_or_default();
        problems.push(problem(
            Cause::ArnUnknownResourceType,
            format!("unknown Bedrock resource type `{rtype}`{hint}"),
        ));
        return (None, problems);
    };
    if rid.is_empty() {
        problems.push(problem(
            Cause::ArnMalformed,
            format!("the `{rtype}/` resource has no id"),
        ));
    }
    if rid.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'') {
        problems.push(problem(
            Cause::ArnMalformed,
            "the resource id contains spaces or quotes",
        ));
    }
    // Region.
    let global_fm = kind == ResourceType::FoundationModel && region.is_empty();
    if region.is_empty() {
        if !global_fm {
            problems.push(problem(
                Cause::ArnInvalidRegion,
                format!("the region field is empty; a `{rtype}` ARN names its region"),
            ));
        }
    } else if !region.contains('*') && !region.contains('?') && !is_placeholder(region) {
        match regions::lookup(region) {
            None => {
                let hint = regions::suggest(region)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                problems.push(problem(
                    Cause::ArnInvalidRegion,
                    format!("`{region}` is not an AWS region{hint}"),
                ));
            }
            Some(info) => {
                if PARTITIONS.contains(&partition) && info.partition != partition {
                    problems.push(problem(
                        Cause::ArnInvalidRegion,
                        format!(
                            "`{region}` belongs to the `{}` partition, not `{partition}`",
                            info.partition
                        ),
                    ));
                } else if !info.bedrock {
                    problems.push(problem(
                        Cause::ArnInvalidRegion,
                        format!("Amazon Bedrock is not offered in `{region}`"),
                    ));
                }
            }
        }
    }
    // Account field (`*` matches the empty account IAM evaluates foundation models with).
    match kind.account_empty() {
        Some(true) if !account.is_empty() && account != "*" => problems.push(problem(
            Cause::ArnAccountField,
            format!("a foundation-model ARN has an empty account field: `arn:{partition}:bedrock:{region}::foundation-model/{rid}` (remove `{account}`)"),
        )),
        Some(false) if account.is_empty() => problems.push(problem(
            Cause::ArnAccountField,
            format!("a `{rtype}` ARN needs the 12-digit account id: `arn:{partition}:bedrock:{region}:ACCOUNT_ID:{rtype}/{rid}`"),
        )),
        _ => {}
    }
    let checkable = !account.is_empty() && !account.contains('*') && !is_placeholder(account);
    let twelve_digits = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if checkable && !twelve_digits {
        problems.push(problem(
            Cause::ArnAccountField,
            format!("the account field `{account}` is not a 12-digit account id"),
        ));
    }
    let arn = Arn {
        partition: partition.to_string(),
        region: region.to_string(),
        account: account.to_string(),
        resource_type: kind,
        type_name: rtype.to_string(),
        resource: rid.to_string(),
    };
    // Model ids inside foundation-model ARNs.
    if kind == ResourceType::FoundationModel && !rid.contains('*') && !rid.is_empty() && !is_placeholder(rid)
    {
        if let Some((_, rest)) = profile_parts(rid) {
            problems.push(problem(Cause::ArnUnknownResourceType, format!("`{rid}` is an inference profile id: use `arn:{partition}:bedrock:{region}:ACCOUNT_ID:inference-profile/{rid}` (and the foundation-model ARN of `{rest}` in each destination region)")));
        } else if model_id::model_id_problem(rid).is_some() {
            problems.push(problem(
                Cause::ArnMalformed,
                format!("`{rid}` is not a model id (`provider.model-version`)"),
            ));
        }
    }
    // Profile geography against the ARN's region.
    if let Some(geo) = arn.profile_geo()
        && !region.is_empty()
        && !region.contains('*')
        && !is_placeholder(region)
        && !geo_serves_region(geo, region)
    {
        problems.push(problem(Cause::ArnGeographyMismatch, format!("a `{geo}.` profile cannot be called from `{region}`; use the profile of {region}'s geography or `global.`")));
    }
    if arn.has_wildcard() {
        let what = if arn.resource == "*" {
            format!("every {rtype}")
        } else {
            format!("`{}`", arn.resource)
        };
        // Name the part that is wide: the region, the account, or the resource.
        let scope = if region.contains('*') || region.is_empty() {
            "in every region"
        } else {
            "in this region"
        };
        let accounts = if arn.account.contains('*') && kind != ResourceType::FoundationModel {
            " of any account"
        } else {
            ""
        };
        problems.push(note(
            Cause::ArnWildcard,
            format!(
                "the wildcard grants {what}{accounts} {scope}; list the exact ARNs unless that is intended"
            ),
        ));
    }
    (Some(arn), problems)
}

/// Splits on `:` into at most `n` fields, keeping template expressions (`${AWS::Region}`,
/// `{{ … }}`) whole.
fn split_fields(s: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 && out.len() + 1 < n => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn strsim_best<'a>(s: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(s, c), *c))
        .filter(|(d, _)| *d > 0 && *d <= 3)
        .min()
        .map(|(_, c)| c)
}

/// The foundation-model ARN of `model` in `region`.
pub fn foundation_arn(partition: &str, region: &str, model: &str) -> String {
    format!("arn:{partition}:bedrock:{region}::foundation-model/{model}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn causes(s: &str) -> Vec<Cause> {
        check(s).1.into_iter().map(|p| p.cause).collect()
    }

    #[test]
    fn valid_kinds() {
        for ok in [
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/a1b2c3d4e5f6",
            "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdefghijkl",
            "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl",
            "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdefghijkl",
            "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abcdefghijkl",
            "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k",
            "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ",
            "arn:aws:bedrock:us-east-1:${data.aws_caller_identity.current.account_id}:inference-profile/us.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:${AWS::Region}::foundation-model/amazon.nova-pro-v1:0",
            "arn:aws:bedrock:{{region}}:<ACCOUNT_ID>:application-inference-profile/abc123def456",
        ] {
            let (arn, problems) = check(ok);
            assert!(arn.is_some() && problems.is_empty(), "{ok}: {problems:?}");
        }
        let (arn, _) =
            check("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0");
        let arn = arn.unwrap();
        assert_eq!(arn.profile_geo(), Some("us"));
        assert_eq!(arn.model_id(), Some("amazon.nova-pro-v1:0"));
    }

    #[test]
    fn invalid_kinds() {
        let cases: &[(&str, Cause)] = &[
            ("arn:aws:bedrock:us-east-1", Cause::ArnMalformed),
            ("bedrock:us-east-1::foundation-model/x.y", Cause::ArnMalformed),
            (
                "arn:awz:bedrock:us-east-1::foundation-model/anthropic.claude-v2",
                Cause::ArnMalformed,
            ),
            (
                "arn:aws:bedrock-runtime:us-east-1::foundation-model/anthropic.claude-v2",
                Cause::ArnWrongService,
            ),
            ("arn:aws:s3:::my-bucket/x", Cause::ArnWrongService),
            (
                "arn:aws:bedrock:us-east-3::foundation-model/anthropic.claude-v2",
                Cause::ArnInvalidRegion,
            ),
            (
                "arn:aws:bedrock:ap-east-1::foundation-model/anthropic.claude-v2",
                Cause::ArnInvalidRegion,
            ),
            (
                "arn:aws:bedrock:cn-north-1::foundation-model/anthropic.claude-v2",
                Cause::ArnInvalidRegion,
            ),
            (
                "arn:aws-cn:bedrock:us-east-1::foundation-model/anthropic.claude-v2",
                Cause::ArnInvalidRegion,
            ),
            (
                "arn:aws:bedrock::123456789012:inference-profile/us.amazon.nova-pro-v1:0",
                Cause::ArnInvalidRegion,
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-v2",
                Cause::ArnAccountField,
            ),
            (
                "arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-pro-v1:0",
                Cause::ArnAccountField,
            ),
            (
                "arn:aws:bedrock:us-east-1:12345:inference-profile/us.amazon.nova-pro-v1:0",
                Cause::ArnAccountField,
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-models/anthropic.claude-v2",
                Cause::ArnUnknownResourceType,
            ),
            (
                "arn:aws:bedrock:us-east-1::model/anthropic.claude-v2",
                Cause::ArnUnknownResourceType,
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/us.amazon.nova-pro-v1:0",
                Cause::ArnUnknownResourceType,
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
                Cause::ArnGeographyMismatch,
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/Claude 3",
                Cause::ArnMalformed,
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/",
                Cause::ArnMalformed,
            ),
            ("arn:aws:bedrock:*::foundation-model/*", Cause::ArnWildcard),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.*",
                Cause::ArnWildcard,
            ),
        ];
        for (s, want) in cases {
            let got = causes(s);
            assert!(got.contains(want), "{s}: {got:?}");
        }
        // Suggestions.
        let (_, p) = check("arn:aws:bedrock:us-east-1::foundation-modle/anthropic.claude-v2");
        assert!(p[0].message.contains("did you mean `foundation-model`"), "{p:?}");
        let (_, p) = check("arn:aws:bedrock:eu-wset-1::foundation-model/anthropic.claude-v2");
        assert!(p[0].message.contains("did you mean `eu-west-1`"), "{p:?}");
        // Wildcards are notes, not errors.
        let (_, p) = check("arn:aws:bedrock:*::foundation-model/*");
        assert!(p.iter().all(|p| p.warning));
    }

    #[test]
    fn templates_and_fragments() {
        for p in [
            "${AWS::Region}",
            "{region}",
            "{self.account}",
            "{}",
            "%s",
            "%(region)s",
            "<REGION>",
            "REGION",
            "ACCOUNT_ID",
            "{{region}}",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for real in ["us-east-1", "123456789012", "", "*", "us", "A1"] {
            assert!(!is_placeholder(real), "{real}");
        }
        assert!(is_fragment("arn:aws:bedrock:"));
        assert!(is_fragment("arn:aws:bedrock:us-east-1::foundation-model/"));
        assert!(!is_fragment(
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
        ));
        assert!(
            !is_fragment("arn:aws:bedrock:us-east-1"),
            "a truncated ARN is malformed, not a fragment"
        );
        assert!(other_service(
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a"
        ));
        assert!(!other_service(
            "arn:aws:bedrock-runtime:us-east-1::foundation-model/a.b"
        ));
        // `*` in a foundation model's account matches the empty account: neither wrong nor wide.
        let (a, p) = check("arn:aws:bedrock:us-east-1:*:foundation-model/amazon.titan-embed-text-v2:0");
        assert!(a.is_some() && p.is_empty(), "{p:?}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "arn:",
            "arn:::::",
            "arn:aws:bedrock:::",
            "arn:aws:bedrock:::/",
            "arn:aws:bedrock:us-east-1::/",
            "arn:aws:bedrock:é::foundation-model/é",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/.",
            "arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/x",
        ] {
            let _ = check(s);
        }
    }
}
