//! What a `--model` value (or a `models` entry) names: a bare model ID, a system inference
//! profile ID (`us.`, `eu.`, `apac.`, `global.` …) or an ARN. Parsing is offline and never
//! panics; what it cannot place is an [`IdentError`] with the reason.

use super::arn::{self, ResourceType};
use super::model_id::{model_id_problem, profile_parts};
use std::fmt;

/// What a `--model` value names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelRef {
    /// A foundation model by ID, e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`.
    Foundation { id: String },
    /// A foundation model by ARN; `region` is empty in IAM's global form.
    FoundationArn { region: String, id: String },
    /// A system inference profile by ID, e.g. `us.anthropic.claude-sonnet-4-20250514-v1:0`.
    SystemProfile { geo: String, id: String },
    /// An inference profile ARN (system or application).
    ProfileArn {
        region: String,
        account: String,
        id: String,
        application: bool,
    },
    /// Provisioned, custom, imported models, prompts: invoked as given, not in the catalogue.
    OtherArn { region: String, resource_type: String },
}

/// Why a string is not a usable model identifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a Bedrock model identifier: {reason}")]
pub struct IdentError {
    pub input: String,
    pub reason: String,
}

impl ModelRef {
    /// The foundation model this identifier resolves to, when that is knowable offline.
    pub fn foundation_id(&self) -> Option<&str> {
        match self {
            ModelRef::Foundation { id } | ModelRef::FoundationArn { id, .. } => Some(id),
            ModelRef::SystemProfile { id, .. } => profile_parts(id).map(|(_, model)| model),
            _ => None,
        }
    }

    /// The inference profile id for profile identifiers.
    pub fn profile_id(&self) -> Option<&str> {
        match self {
            ModelRef::SystemProfile { id, .. } => Some(id),
            ModelRef::ProfileArn { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The region an ARN pins, if any.
    pub fn arn_region(&self) -> Option<&str> {
        match self {
            ModelRef::FoundationArn { region, .. }
            | ModelRef::ProfileArn { region, .. }
            | ModelRef::OtherArn { region, .. } => Some(region.as_str()).filter(|r| !r.is_empty()),
            _ => None,
        }
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelRef::Foundation { id } => write!(f, "foundation model {id}"),
            ModelRef::FoundationArn { id, .. } => write!(f, "foundation model ARN of {id}"),
            ModelRef::SystemProfile { id, .. } => write!(f, "inference profile {id}"),
            ModelRef::ProfileArn { id, application, .. } => {
                write!(
                    f,
                    "{} inference profile {id}",
                    if *application { "application" } else { "system" }
                )
            }
            ModelRef::OtherArn { resource_type, .. } => write!(f, "{resource_type} ARN"),
        }
    }
}

/// Parses a model ID, profile ID or ARN. ARNs go through the one ARN grammar
/// ([`super::arn::check`]): any problem it finds that is not a mere note rejects them here.
pub fn parse(input: &str) -> Result<ModelRef, IdentError> {
    let err = |reason: &str| IdentError {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err("it is empty"));
    }
    if s.starts_with("arn:") {
        return from_arn(s).map_err(|reason| err(&reason));
    }
    if let Some(problem) = model_id_problem(s) {
        return Err(err(problem));
    }
    Ok(match profile_parts(s) {
        Some((geo, _)) => ModelRef::SystemProfile {
            geo: geo.into(),
            id: s.into(),
        },
        None => ModelRef::Foundation { id: s.into() },
    })
}

/// What an ARN names, when it names something a model call can use.
fn from_arn(s: &str) -> Result<ModelRef, String> {
    let (arn, problems) = arn::check(s);
    if let Some(p) = problems.iter().find(|p| !p.warning) {
        return Err(p.message.clone());
    }
    let Some(arn) = arn else {
        return Err("it is not a Bedrock ARN".into());
    };
    if arn.has_wildcard() {
        return Err("a model identifier names one model: it cannot hold wildcards".into());
    }
    let region = arn.region.clone();
    Ok(match arn.resource_type {
        ResourceType::FoundationModel => ModelRef::FoundationArn {
            region,
            id: arn.resource,
        },
        ResourceType::InferenceProfile | ResourceType::ApplicationInferenceProfile => ModelRef::ProfileArn {
            region,
            account: arn.account,
            id: arn.resource,
            application: arn.resource_type == ResourceType::ApplicationInferenceProfile,
        },
        ResourceType::OtherBedrock => {
            return Err(format!(
                "a `{}` ARN names no model (use a model ID, an inference profile or a model ARN)",
                arn.type_name
            ));
        }
        _ => ModelRef::OtherArn {
            region,
            resource_type: arn.type_name,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            parse("anthropic.claude-3-5-sonnet-20240620-v1:0").unwrap(),
            ModelRef::Foundation {
                id: "anthropic.claude-3-5-sonnet-20240620-v1:0".into()
            }
        );
        let p = parse("us.anthropic.claude-sonnet-4-20250514-v1:0").unwrap();
        assert_eq!(p.foundation_id(), Some("anthropic.claude-sonnet-4-20250514-v1:0"));
        assert_eq!(p.profile_id(), Some("us.anthropic.claude-sonnet-4-20250514-v1:0"));
        let a = parse("arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0").unwrap();
        assert_eq!(a.arn_region(), Some("eu-west-1"));
        assert_eq!(a.foundation_id(), Some("amazon.nova-pro-v1:0"));
        let pa = parse("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0")
            .unwrap();
        assert_eq!(pa.profile_id(), Some("us.amazon.nova-pro-v1:0"));
        assert!(matches!(
            parse("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123").unwrap(),
            ModelRef::ProfileArn {
                application: true,
                ..
            }
        ));
        assert!(matches!(
            parse("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdefghijkl").unwrap(),
            ModelRef::OtherArn { .. }
        ));
        // `global.` as a geo, and a provider that happens to contain no dot after it.
        assert!(matches!(
            parse("global.anthropic.claude-sonnet-4-5-20250929-v1:0").unwrap(),
            ModelRef::SystemProfile { .. }
        ));
    }

    #[test]
    fn context_length_variants_are_model_ids() {
        assert!(matches!(
            parse("amazon.titan-text-express-v1:0:8k").unwrap(),
            ModelRef::Foundation { .. }
        ));
    }

    #[test]
    fn rejects_with_reasons() {
        for (bad, why) in [
            ("", "empty"),
            ("Claude 3.5 Sonnet", "letters, digits"),
            ("claude", "provider.model"),
            ("arn:aws:s3:::bucket/x", "not `bedrock`"),
            (
                "arn:aws:bedrock:us-east-1:123456789012:foundation-model/x.y",
                "empty account",
            ),
            (
                "arn:aws:bedrock:us-east-1::inference-profile/us.x.y",
                "account id",
            ),
            ("arn:aws:bedrock:us-east-1", "six"),
            (
                "arn:aws:bedrock:us-east-1::model/x",
                "unknown Bedrock resource type",
            ),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad}: {}", e.reason);
        }
    }

    /// The `--model` resolver and the ARN grammar are one grammar: they never disagree.
    #[test]
    fn model_arns_follow_the_arn_grammar() {
        let endpoint =
            parse("arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/my-endpoint").unwrap();
        assert_eq!(
            endpoint,
            ModelRef::OtherArn {
                region: "us-east-1".into(),
                resource_type: "marketplace/model-endpoint".into()
            }
        );
        assert!(parse("arn:aws:bedrock:us-east-1:123456789012:marketplace-model-endpoint/x").is_err());
        for (bad, why) in [
            (
                "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ",
                "names no model",
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.*",
                "wildcards",
            ),
            (
                "arn:aws:bedrock:us-east-3::foundation-model/amazon.nova-pro-v1:0",
                "not an AWS region",
            ),
            (
                "arn:aws:bedrock:us-east-1:12345:inference-profile/us.amazon.nova-pro-v1:0",
                "12-digit",
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
                "cannot be called",
            ),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad}: {}", e.reason);
        }
        for s in [
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/x",
            "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ",
            "arn:aws:bedrock:us-east-1::foundation-model/x y",
        ] {
            let clean = arn::check(s).1.iter().all(|p| p.warning);
            let is_model_type = !s.contains(":agent/");
            assert_eq!(parse(s).is_ok(), clean && is_model_type, "{s}");
        }
    }
}
