//! The one table of finding codes.
//!
//! Every code a check can emit is one line of the [`codes!`] invocation below: its number, kebab
//! slug, owning check, default severity and a short title. Each code's remediation document lives
//! in `checks/BDnnn.md` and is embedded with `include_str!`, so a code without a document does not
//! compile. The hundreds digit names the area: 1xx credentials, 2xx model access, 3xx ARNs,
//! 4xx probes, 5xx regions, 9xx the tool itself. Codes are forever: never renumber or reuse one.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How much a problem under this code matters by default (a pass finding uses `info` codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A severity override.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Problems under the code fail the run.
    Error,
    /// Problems under the code only warn.
    Warning,
}

/// Check id used by codes that any check (or the engine itself) may emit.
pub const ANY_CHECK: &str = "*";

/// Owner of the codes only `bedrock-doctor lint` emits (it also emits the `arns` codes).
pub const LINT: &str = "lint";

macro_rules! codes {
    ($( $code:ident => ($slug:literal, $check:expr, $sev:ident, $title:literal), )*) => {
        /// A stable finding code (`BDnnn`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($code),* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written in reports, e.g. `BD101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code)),* }
            }

            /// The kebab-case name of the problem, e.g. `no-credentials`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$code => $slug),* }
            }

            /// The id of the check that emits this code ([`ANY_CHECK`] for engine codes).
            pub fn check(self) -> &'static str {
                match self { $(Code::$code => $check),* }
            }

            /// Default severity; configuration may override it later.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$code => Severity::$sev),* }
            }

            /// A short generic title, used by `explain --list`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$code => $title),* }
            }

            /// The remediation document, embedded from `checks/BDnnn.md`.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$code => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/checks/", stringify!($code), ".md"))),*
                }
            }
        }
    };
}

codes! {
    BD100 => ("identity-verified", "credentials", Info, "AWS credentials resolved and identity verified"),
    BD101 => ("no-credentials", "credentials", Error, "No usable AWS credentials were found"),
    BD102 => ("credentials-rejected", "credentials", Error, "AWS rejected the credentials"),
    BD103 => ("credentials-expired", "credentials", Error, "The credentials or session token have expired"),
    BD104 => ("clock-skew", "credentials", Error, "The local clock is too far from AWS time"),
    BD105 => ("identity-not-verified", "credentials", Warning, "AWS could not confirm the identity (STS did not answer)"),
    BD106 => ("bedrock-api-key-in-use", "credentials", Warning, "A Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) overrides IAM credentials"),
    BD107 => ("endpoint-override", "credentials", Warning, "AWS endpoint URLs are overridden by the environment or profile"),
    BD108 => ("credentials-expiring-soon", "credentials", Warning, "Temporary credentials expire soon"),
    BD109 => ("ca-bundle-in-use", "credentials", Info, "A CA bundle (AWS_CA_BUNDLE, the profile's ca_bundle) is trusted for TLS"),
    BD110 => ("assume-role-denied", "credentials", Error, "A role of a multi-account run could not be assumed"),
    BD111 => ("api-key-cannot-serve-region", "credentials", Error, "The Bedrock API key cannot serve a region: a short-term key made in another region, or expired"),
    BD200 => ("model-offered", "model-access", Info, "The model is in the region's catalogue and can be invoked on demand"),
    BD201 => ("model-not-in-region", "model-access", Error, "The model is not offered in the region"),
    BD202 => ("model-not-on-demand", "model-access", Error, "The model cannot be invoked on demand by this identifier"),
    BD203 => ("model-legacy", "model-access", Warning, "The model is Legacy or past its end of life"),
    BD204 => ("inference-profile-unavailable", "model-access", Error, "The inference profile cannot be called from the region"),
    BD205 => ("entitlement-ready", "model-access", Info, "The account's availability hints for the model are all positive"),
    BD206 => ("entitlement-incomplete", "model-access", Warning, "An availability hint for the model is negative"),
    BD207 => ("use-case-form-missing", "model-access", Warning, "No Anthropic use-case form is on file for the account"),
    BD208 => ("model-not-verified", "model-access", Warning, "Part of the model's access could not be read"),
    BD209 => ("invalid-model-identifier", "model-access", Error, "The model identifier is malformed"),
    BD210 => ("inference-profile-ready", "model-access", Info, "The inference profile can be called from the region"),
    BD211 => ("use-case-form-on-file", "model-access", Info, "Anthropic's use-case form is on file for the account"),
    BD300 => ("arn-valid", "arns", Info, "The granted ARN is well-formed and names what exists"),
    BD301 => ("malformed-arn", "arns", Error, "The ARN is malformed"),
    BD302 => ("arn-wrong-service", "arns", Error, "The ARN is not a Bedrock ARN"),
    BD303 => ("arn-invalid-region", "arns", Error, "The ARN's region is not a Bedrock region of its partition"),
    BD304 => ("arn-account-field", "arns", Error, "The ARN's account field is present where it must be empty, or missing"),
    BD305 => ("arn-unknown-resource-type", "arns", Error, "The ARN's resource type is not one Bedrock uses"),
    BD306 => ("profile-geography-mismatch", "arns", Error, "The inference profile's geography does not serve the ARN's region"),
    BD307 => ("arn-model-not-in-region", "arns", Error, "The ARN names a model not offered in its region"),
    BD308 => ("arn-wildcard", "arns", Warning, "The ARN's wildcard grants more than one model or region"),
    BD309 => ("arn-region-unused", "lint", Warning, "The ARN's region matches no endpoint or region used in the same file"),
    BD310 => ("profile-grant-incomplete", "lint", Error, "A profile is granted without the foundation-model ARNs of its destinations"),
    BD311 => ("granted-region-missing", "arns", Error, "A region the app uses has no granted ARN for the model"),
    BD312 => ("model-id-needs-profile", "lint", Error, "The code invokes a bare model ID that needs an inference profile"),
    BD313 => ("model-legacy-in-code", "lint", Warning, "The code uses a model that is Legacy or past its end of life"),
    BD314 => ("provisioned-only-model-id", "lint", Error, "The code invokes a context-length variant that exists only for Provisioned Throughput"),
    BD315 => ("profile-id-geography-mismatch", "lint", Error, "The code uses a profile of a geography none of its regions belongs to"),
    BD316 => ("unknown-model-id", "lint", Warning, "The code names a model ID the knowledge base does not know"),
    BD317 => ("needed-resource-not-granted", "lint", Error, "No scanned file grants a resource the app's declared needs call"),
    BD400 => ("probe-succeeded", "probe", Info, "A real minimal call to the model succeeded"),
    BD401 => ("invoke-denied-by-iam", "probe", Error, "An IAM policy does not allow invoking the model"),
    BD402 => ("invoke-denied-by-scp", "probe", Error, "An organization policy (SCP) denies invoking the model"),
    BD403 => ("marketplace-permission-missing", "probe", Error, "The caller lacks the AWS Marketplace permissions a first use needs"),
    BD404 => ("marketplace-agreement-missing", "probe", Error, "The Marketplace subscription for the model is missing, pending or failed"),
    BD405 => ("use-case-form-not-filed", "probe", Error, "Anthropic's use-case form has not been filed"),
    BD406 => ("model-access-not-granted", "probe", Error, "The account may not use the model"),
    BD407 => ("invoke-needs-inference-profile", "probe", Error, "On-demand invocation by this identifier is not supported"),
    BD408 => ("model-legacy-locked-out", "probe", Error, "The model is Legacy and the account is locked out, or it reached end of life"),
    BD409 => ("model-identifier-rejected", "probe", Error, "The runtime rejected the model identifier in the region"),
    BD410 => ("probe-rejected", "probe", Error, "The runtime rejected the probe for another reason"),
    BD411 => ("probe-not-verified", "probe", Warning, "The probe got no usable answer (throttling, 5xx, timeout, network)"),
    BD412 => ("probe-skipped", "probe", Info, "The probe was not sent"),
    BD413 => ("service-tier-unavailable", "probe", Error, "The requested service tier cannot serve the model for this account and region"),
    BD414 => ("data-retention-incompatible", "probe", Error, "The account's data retention mode in the region is not one the model accepts"),
    BD500 => ("region-ready", "regions", Info, "Bedrock answered in the region"),
    BD501 => ("unknown-region", "regions", Error, "The region code is not a known AWS region"),
    BD502 => ("region-without-bedrock", "regions", Error, "Amazon Bedrock is not offered in the region"),
    BD503 => ("region-not-verified", "regions", Warning, "Bedrock in the region could not be verified (no answer)"),
    BD504 => ("region-call-rejected", "regions", Error, "Bedrock rejected the control-plane call in the region"),
    BD505 => ("no-region", "regions", Error, "No region is configured"),
    BD600 => ("iam-simulation-allows", "iam", Info, "IAM's policy simulator allows every action and resource the model needs"),
    BD601 => ("iam-implicit-deny", "iam", Error, "No policy statement allows an action or resource the model needs"),
    BD602 => ("iam-explicit-deny", "iam", Error, "A Deny statement or an organization policy refuses an action or resource the model needs"),
    BD603 => ("iam-not-simulated", "iam", Warning, "IAM's policy simulator could not be asked (permission, principal or no answer)"),
    BD900 => ("not-checked", ANY_CHECK, Info, "Not checked because a prerequisite failed or was not requested"),
    BD901 => ("check-crashed", ANY_CHECK, Error, "A check could not complete"),
    BD902 => ("run-timed-out", ANY_CHECK, Error, "The run hit its time bound before the check finished"),
    BD903 => ("unused-suppression", ANY_CHECK, Warning, "A suppression in bedrock-doctor.toml matched no finding"),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no code.
#[derive(Debug, thiserror::Error)]
#[error("unknown code `{0}`")]
pub struct UnknownCode(pub String);

impl FromStr for Code {
    type Err = UnknownCode;

    /// Accepts `BD101`, `bd101`, `101` or the slug `no-credentials`, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t
            .strip_prefix("BD")
            .or_else(|| t.strip_prefix("bd"))
            .or_else(|| t.strip_prefix("Bd"))
            .or_else(|| t.strip_prefix("bD"))
            .unwrap_or(t);
        Code::ALL
            .iter()
            .copied()
            .find(|c| &c.as_str()[2..] == digits || c.slug().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const REQUIRED_HEADINGS: &[&str] = &[
        "## What this means",
        "## Common causes",
        "## How to fix",
        "## How to verify",
        "## Example",
        "## See also",
    ];

    #[test]
    fn every_document_has_a_code_and_the_template_headings() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/checks");
        let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let expected: BTreeSet<String> = Code::ALL.iter().map(|c| format!("{c}.md")).collect();
        let orphans: Vec<_> = on_disk.difference(&expected).collect();
        assert!(orphans.is_empty(), "documents without a code: {orphans:?}");
        for code in Code::ALL {
            let doc = code.explanation();
            let first = doc.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("# {code}: ")),
                "{code}.md must start with `# {code}: <title>`, found {first:?}"
            );
            for h in REQUIRED_HEADINGS {
                assert!(doc.contains(h), "{code}.md lacks the heading {h:?}");
            }
        }
    }

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        let mut slugs = BTreeSet::new();
        for pair in Code::ALL.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str(), "codes out of order");
        }
        for c in Code::ALL {
            assert!(slugs.insert(c.slug()), "duplicate slug {}", c.slug());
            assert!(c.as_str().len() == 5 && c.as_str().starts_with("BD"));
            assert!(
                c.slug()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '-' || ch.is_ascii_digit())
            );
        }
    }

    #[test]
    fn parses_number_code_and_slug() {
        assert_eq!("BD101".parse::<Code>().unwrap(), Code::BD101);
        assert_eq!("bd101".parse::<Code>().unwrap(), Code::BD101);
        assert_eq!("101".parse::<Code>().unwrap(), Code::BD101);
        assert_eq!("No-Credentials".parse::<Code>().unwrap(), Code::BD101);
        assert!("BD999".parse::<Code>().is_err());
        assert!("".parse::<Code>().is_err());
    }

    /// The public list of codes is a contract: changing it must be a deliberate edit here.
    #[test]
    fn approved_code_list() {
        let list: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("{c} {} {}", c.slug(), c.check()))
            .collect();
        let approved = include_str!("../tests/approved-codes.txt");
        assert_eq!(
            list.join("\n"),
            approved.trim_end(),
            "update tests/approved-codes.txt"
        );
    }
}
