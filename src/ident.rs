//! Bedrock model identifiers as users write them: bare model IDs, system inference profile IDs
//! (`us.`, `eu.`, `apac.`, `global.` …) and ARNs. Parsing is offline and never panics; what it
//! cannot place is an [`IdentError`] with the reason.

use std::fmt;

/// Geography prefixes of system-defined (cross-region) inference profiles.
pub const PROFILE_GEOS: &[&str] = &["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"];

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
            ModelRef::SystemProfile { id, geo } => id.strip_prefix(geo.as_str())?.strip_prefix('.'),
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

fn valid_model_chars(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_'))
}

/// Parses a model ID, profile ID or ARN.
pub fn parse(input: &str) -> Result<ModelRef, IdentError> {
    let err = |reason: &str| IdentError {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err("it is empty"));
    }
    if let Some(rest) = s.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = parts[..] else {
            return Err(err(
                "an ARN has six `:`-separated fields (arn:PARTITION:bedrock:REGION:ACCOUNT:RESOURCE)",
            ));
        };
        if !matches!(
            partition,
            "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b" | "aws-iso-f" | "aws-eusc"
        ) {
            return Err(err(&format!("unknown partition `{partition}`")));
        }
        if service != "bedrock" {
            return Err(err(&format!("the service is `{service}`, not `bedrock`")));
        }
        let (rtype, rid) = resource
            .split_once('/')
            .ok_or_else(|| err("the resource has no `TYPE/ID` part"))?;
        return match rtype {
            "foundation-model" => {
                if !account.is_empty() {
                    return Err(err(
                        "a foundation-model ARN has an empty account field (`arn:aws:bedrock:REGION::foundation-model/ID`)",
                    ));
                }
                if !valid_model_chars(rid) {
                    return Err(err("the model ID has characters Bedrock does not allow"));
                }
                Ok(ModelRef::FoundationArn {
                    region: region.into(),
                    id: rid.into(),
                })
            }
            "inference-profile" | "application-inference-profile" => {
                if account.is_empty() {
                    return Err(err("an inference-profile ARN needs the account id"));
                }
                Ok(ModelRef::ProfileArn {
                    region: region.into(),
                    account: account.into(),
                    id: rid.into(),
                    application: rtype == "application-inference-profile",
                })
            }
            "provisioned-model"
            | "custom-model"
            | "imported-model"
            | "custom-model-deployment"
            | "prompt"
            | "default-prompt-router"
            | "prompt-router"
            | "marketplace-model-endpoint" => Ok(ModelRef::OtherArn {
                region: region.into(),
                resource_type: rtype.into(),
            }),
            other => Err(err(&format!("unknown Bedrock resource type `{other}`"))),
        };
    }
    if !valid_model_chars(s) {
        return Err(err(
            "model IDs use letters, digits and `-._:` only (did you paste a display name?)",
        ));
    }
    if let Some((first, rest)) = s.split_once('.') {
        if PROFILE_GEOS.contains(&first) && rest.contains('.') {
            return Ok(ModelRef::SystemProfile {
                geo: first.into(),
                id: s.into(),
            });
        }
        return Ok(ModelRef::Foundation { id: s.into() });
    }
    Err(err(
        "a model ID looks like `provider.model-version`, e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`",
    ))
}

/// Context-length variants (`amazon.titan-text-express-v1:0:8k`, `anthropic.claude-v2:1:200k`)
/// exist only for Provisioned Throughput.
pub fn is_provisioned_only(id: &str) -> bool {
    let mut parts = id.rsplit(':');
    let last = parts.next().unwrap_or_default();
    let version = parts.next();
    parts.next().is_some()
        && version.is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        && last.len() > 1
        && last.ends_with('k')
        && last[..last.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

/// The geography prefix of the system profiles callable from `region`.
pub fn geo_for_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "us-gov"
    } else if region.starts_with("us-") {
        "us"
    } else if region.starts_with("eu-") {
        "eu"
    } else if region.starts_with("ap-") {
        "apac"
    } else if region.starts_with("ca-") {
        "ca"
    } else {
        "global"
    }
}

/// Whether a system profile of geography `geo` is meant to be called from `region`.
pub fn geo_serves_region(geo: &str, region: &str) -> bool {
    match geo {
        "global" => true,
        "us" => region.starts_with("us-") && !region.starts_with("us-gov-"),
        "us-gov" => region.starts_with("us-gov-"),
        "eu" => region.starts_with("eu-"),
        "apac" => region.starts_with("ap-"),
        "jp" => matches!(region, "ap-northeast-1" | "ap-northeast-3"),
        "au" => matches!(region, "ap-southeast-2" | "ap-southeast-4"),
        "ca" => region.starts_with("ca-"),
        _ => true,
    }
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

    #[test]
    fn provisioned_only_variants() {
        assert!(is_provisioned_only("amazon.titan-text-express-v1:0:8k"));
        assert!(is_provisioned_only("anthropic.claude-v2:1:200k"));
        assert!(!is_provisioned_only("anthropic.claude-v2:1"));
        assert!(!is_provisioned_only("anthropic.claude-3-5-sonnet-20240620-v1:0"));
        assert!(!is_provisioned_only("x:y:zk"));
        assert!(matches!(
            parse("amazon.titan-text-express-v1:0:8k").unwrap(),
            ModelRef::Foundation { .. }
        ));
    }

    #[test]
    fn geographies() {
        assert!(geo_serves_region("us", "us-west-2"));
        assert!(!geo_serves_region("eu", "us-east-1"));
        assert!(!geo_serves_region("us", "us-gov-west-1"));
        assert!(geo_serves_region("apac", "ap-southeast-1"));
        assert!(geo_serves_region("global", "eu-west-1"));
    }
}
