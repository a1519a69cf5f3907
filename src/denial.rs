//! What an AccessDenied text says, as fields: the principal, the action, the resource, which kind
//! of policy said no (identity, resource, SCP, RCP, permissions boundary, session, VPC endpoint),
//! whether the deny was explicit, the policy's ARN when AWS names it, and the destination region
//! when the denied resource lies in a region other than the call's (a cross-region profile hop).
//!
//! The forms are AWS's documented ones (IAM User Guide, "Troubleshoot access denied error
//! messages"): `User: P is not authorized to perform: A on resource: R because no T policy allows
//! the A action` (implicit) and `… with an explicit deny in a T policy[: ARN]` (explicit).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The kind of policy that denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyType {
    IdentityBased,
    ResourceBased,
    ServiceControlPolicy,
    ResourceControlPolicy,
    PermissionsBoundary,
    SessionPolicy,
    VpcEndpointPolicy,
}

/// An AccessDenied text, read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Absent when the text does not say (older messages name no policy type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<PolicyType>,
    /// A `Deny` statement matched (else no statement allowed the action).
    #[serde(default)]
    pub explicit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The denied resource's region, when it is not the region the call went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
}

static DENIED: LazyLock<Regex> = LazyLock::new(|| {
    let kind = r"(?:identity-based|identity\ based|resource-based|resource\ based|service\ control|resource\ control|session|VPC\ endpoint)\s+policy|permissions\s+boundary";
    Regex::new(&format!(
        r"(?x)
        (?:(?P<principal>arn:[^\s]+)\s+)?is\ not\ authorized\ to\ perform:?\s+(?P<action>[a-z0-9-]+:[A-Za-z0-9*]+)
        (?:\s+on\s+resource:?\s+(?P<resource>arn:[^\s,;]+|[^\s,;]+))?
        (?:
            \s+because\s+no\s+(?P<implicit>{kind})\s+allows
          | \s+with\s+an\s+explicit\s+deny\s+in\s+(?:a|an|the)\s+(?P<explicit>{kind})(?::\s*(?P<arn>arn:[^\s,;]+))?
        )?"
    ))
    .expect("valid regex")
});

fn policy_type(words: &str) -> Option<PolicyType> {
    let w = words.to_ascii_lowercase();
    Some(if w.contains("service control") {
        PolicyType::ServiceControlPolicy
    } else if w.contains("resource control") {
        PolicyType::ResourceControlPolicy
    } else if w.contains("permissions boundary") {
        PolicyType::PermissionsBoundary
    } else if w.contains("session") {
        PolicyType::SessionPolicy
    } else if w.contains("vpc endpoint") {
        PolicyType::VpcEndpointPolicy
    } else if w.contains("resource-based") || w.contains("resource based") {
        PolicyType::ResourceBased
    } else if w.contains("identity-based") || w.contains("identity based") {
        PolicyType::IdentityBased
    } else {
        return None;
    })
}

impl PolicyType {
    /// "a service control policy": how a sentence names it.
    pub fn describe(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "an identity-based policy",
            PolicyType::ResourceBased => "a resource-based policy",
            PolicyType::ServiceControlPolicy => "a service control policy (SCP)",
            PolicyType::ResourceControlPolicy => "a resource control policy (RCP)",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::SessionPolicy => "a session policy",
            PolicyType::VpcEndpointPolicy => "a VPC endpoint policy",
        }
    }
}

/// Reads an AccessDenied text; `call_region` is where the call went (for a cross-region hop).
pub fn parse(text: &str, call_region: Option<&str>) -> Option<Denial> {
    let c = DENIED.captures(text)?;
    let resource = c.name("resource").map(|m| {
        m.as_str()
            .trim_end_matches(['.', ')', '"', '\\', '}', '\''])
            .to_string()
    });
    let resource_region = resource
        .as_deref()
        .and_then(|r| r.strip_prefix("arn:"))
        .and_then(|r| r.split(':').nth(2))
        .filter(|r| !r.is_empty());
    let (words, explicit) = match (c.name("implicit"), c.name("explicit")) {
        (Some(w), _) => (Some(w.as_str()), false),
        (None, Some(w)) => (Some(w.as_str()), true),
        _ => (None, false),
    };
    Some(Denial {
        principal: c.name("principal").map(|m| m.as_str().to_string()),
        action: c["action"].to_string(),
        destination_region: match (resource_region, call_region) {
            (Some(r), Some(call)) if r != call => Some(r.to_string()),
            _ => None,
        },
        resource,
        policy_type: words.and_then(policy_type),
        explicit,
        policy_arn: c
            .name("arn")
            .map(|m| m.as_str().trim_end_matches('.').to_string()),
    })
}

impl Denial {
    /// One line: "`bedrock:InvokeModel` on `arn:…` denied by an explicit deny in a service
    /// control policy (arn:…), in us-east-2 (the call went elsewhere)".
    pub fn describe(&self) -> String {
        let mut s = format!("`{}`", self.action);
        if let Some(r) = &self.resource {
            s.push_str(&format!(" on `{r}`"));
        }
        s.push_str(match (self.policy_type, self.explicit) {
            (_, true) => " denied by an explicit deny in ",
            (Some(_), false) => " allowed by no ",
            (None, false) => " not allowed",
        });
        if let Some(t) = self.policy_type {
            let d = t.describe();
            s.push_str(if self.explicit {
                d
            } else {
                d.split_once(' ').map_or(d, |(_, rest)| rest)
            });
        } else if self.explicit {
            s.push_str("a policy");
        }
        if let Some(arn) = &self.policy_arn {
            s.push_str(&format!(" ({arn})"));
        }
        if let Some(p) = &self.principal {
            s.push_str(&format!(", for {p}"));
        }
        if let Some(r) = &self.destination_region {
            s.push_str(&format!(", in the destination region {r}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_form() {
        let implicit = parse(
            "User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0 because no identity-based policy allows the bedrock:InvokeModel action",
            Some("us-east-1"),
        )
        .unwrap();
        assert_eq!(
            implicit.principal.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/app/i-0abc")
        );
        assert_eq!(implicit.action, "bedrock:InvokeModel");
        assert_eq!(implicit.policy_type, Some(PolicyType::IdentityBased));
        assert!(!implicit.explicit);
        assert_eq!(
            implicit.destination_region.as_deref(),
            Some("us-east-2"),
            "a profile's hop"
        );
        assert_eq!(
            implicit.describe(),
            "`bedrock:InvokeModel` on `arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0` allowed by no identity-based policy, for arn:aws:sts::123456789012:assumed-role/app/i-0abc, in the destination region us-east-2"
        );

        let cases = [
            (
                "with an explicit deny in a service control policy",
                Some(PolicyType::ServiceControlPolicy),
                true,
                None,
            ),
            (
                "with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-abc/service_control_policy/p-xyz",
                Some(PolicyType::ServiceControlPolicy),
                true,
                Some("arn:aws:organizations::111122223333:policy/o-abc/service_control_policy/p-xyz"),
            ),
            (
                "with an explicit deny in a resource control policy",
                Some(PolicyType::ResourceControlPolicy),
                true,
                None,
            ),
            (
                "because no permissions boundary allows the bedrock:InvokeModel action",
                Some(PolicyType::PermissionsBoundary),
                false,
                None,
            ),
            (
                "with an explicit deny in a permissions boundary",
                Some(PolicyType::PermissionsBoundary),
                true,
                None,
            ),
            (
                "because no session policy allows the bedrock:InvokeModel action",
                Some(PolicyType::SessionPolicy),
                false,
                None,
            ),
            (
                "with an explicit deny in a VPC endpoint policy",
                Some(PolicyType::VpcEndpointPolicy),
                true,
                None,
            ),
            (
                "because no resource-based policy allows the bedrock:InvokeModel action",
                Some(PolicyType::ResourceBased),
                false,
                None,
            ),
            (
                "with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoClaude",
                Some(PolicyType::IdentityBased),
                true,
                Some("arn:aws:iam::123456789012:policy/NoClaude"),
            ),
            ("", None, false, None),
        ];
        for (tail, kind, explicit, arn) in cases {
            let text = format!(
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0 {tail}"
            );
            let d = parse(&text, Some("us-east-1")).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (d.policy_type, d.explicit, d.policy_arn.as_deref()),
                (kind, explicit, arn),
                "{tail}"
            );
            assert_eq!(
                d.resource.as_deref(),
                Some("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0")
            );
            assert_eq!(d.destination_region, None);
        }
        // No resource (some actions take none), JSON-quoted message.
        let d = parse(
            r#"{"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action"}"#,
            None,
        )
        .unwrap();
        assert_eq!(
            (d.action.as_str(), d.resource, d.policy_type),
            (
                "bedrock:ListFoundationModels",
                None,
                Some(PolicyType::IdentityBased)
            )
        );
        assert!(
            parse(
                "AccessDeniedException: You don't have access to the model with the specified model ID.",
                None
            )
            .is_none()
        );
    }
}
