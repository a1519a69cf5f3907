//! The lexical rules of Bedrock model identifiers: model IDs (`provider.model-version`), the
//! geography prefixes of system inference profiles, and which geography serves which region.
//! The ARN grammar and the `--model` resolver build on these.

/// Geography prefixes of system-defined (cross-region) inference profiles.
pub const PROFILE_GEOS: &[&str] = &["us", "eu", "apac", "global", "jp", "au", "ca", "in", "us-gov"];

/// Model providers, as the first part of a model ID (`anthropic.…`); what lint and triage
/// recognise as a model ID in free text.
pub const PROVIDERS: &[&str] = &[
    "anthropic",
    "amazon",
    "meta",
    "mistral",
    "cohere",
    "ai21",
    "stability",
    "deepseek",
    "qwen",
    "openai",
    "writer",
    "twelvelabs",
    "luma",
    "minimax",
    "moonshot",
    "moonshotai",
    "google",
    "nvidia",
    "xai",
    "zai",
];

/// A regular-expression alternation of `words` (`us|eu|…`), for the scanners that find
/// identifiers in free text.
pub fn alternation(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether `s` uses only the characters Bedrock allows in model IDs.
pub fn valid_model_chars(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_'))
}

/// Why `s` is not a model ID (`provider.model-version`), or `None` when it is one.
pub fn model_id_problem(s: &str) -> Option<&'static str> {
    if !valid_model_chars(s) {
        Some("model IDs use letters, digits and `-._:` only (did you paste a display name?)")
    } else if !s.contains('.') {
        Some(
            "a model ID looks like `provider.model-version`, e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`",
        )
    } else {
        None
    }
}

/// A system inference profile id split into its geography and the foundation model it routes
/// to: `us.amazon.nova-pro-v1:0` → (`us`, `amazon.nova-pro-v1:0`).
pub fn profile_parts(id: &str) -> Option<(&str, &str)> {
    let (geo, rest) = id.split_once('.')?;
    (PROFILE_GEOS.contains(&geo) && rest.contains('.')).then_some((geo, rest))
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

/// Whether a system profile of geography `geo` can be called from `region`, as AWS's profile
/// listings show it (`us.` from Canada too, `eu.` from Israel, `au.` from Auckland). The
/// knowledge base, where it knows the profile, has the last word.
pub fn geo_serves_region(geo: &str, region: &str) -> bool {
    match geo {
        "global" => true,
        "us" => (region.starts_with("us-") && !region.starts_with("us-gov-")) || region.starts_with("ca-"),
        "us-gov" => region.starts_with("us-gov-"),
        "eu" => region.starts_with("eu-") || region == "il-central-1",
        "apac" => region.starts_with("ap-"),
        "jp" => matches!(region, "ap-northeast-1" | "ap-northeast-3"),
        "au" => matches!(region, "ap-southeast-2" | "ap-southeast-4" | "ap-southeast-6"),
        "in" => matches!(region, "ap-south-1" | "ap-south-2"),
        "ca" => region.starts_with("ca-"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioned_only_variants() {
        assert!(is_provisioned_only("amazon.titan-text-express-v1:0:8k"));
        assert!(is_provisioned_only("anthropic.claude-v2:1:200k"));
        assert!(!is_provisioned_only("anthropic.claude-v2:1"));
        assert!(!is_provisioned_only("anthropic.claude-3-5-sonnet-20240620-v1:0"));
        assert!(!is_provisioned_only("x:y:zk"));
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
