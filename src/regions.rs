//! The embedded list of AWS regions and where Amazon Bedrock is offered.
//!
//! Endpoint rules resolve any region string, so only a list can tell a typo (`us-east-3`) or a
//! region without Bedrock (`ap-east-1`) from a real one before a call fails at DNS. Source:
//! botocore `endpoints.json` (key `bedrock`) checked against the Bedrock endpoints page, as of
//! [`DATA_DATE`]. A region launched after that date reads as unknown until this list is updated.

/// When this list was last checked against AWS.
pub const DATA_DATE: &str = "2026-11-01";

/// One AWS region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    pub code: &'static str,
    pub partition: &'static str,
    pub name: &'static str,
    /// Amazon Bedrock (control plane and runtime) is offered here.
    pub bedrock: bool,
}

const fn r(code: &'static str, partition: &'static str, name: &'static str, bedrock: bool) -> RegionInfo {
    RegionInfo {
        code,
        partition,
        name,
        bedrock,
    }
}

/// Every region we know, by partition.
pub const REGIONS: &[RegionInfo] = &[
    r("af-south-1", "aws", "Africa (Cape Town)", true),
    r("ap-east-1", "aws", "Asia Pacific (Hong Kong)", false),
    r("ap-east-2", "aws", "Asia Pacific (Taipei)", true),
    r("ap-northeast-1", "aws", "Asia Pacific (Tokyo)", true),
    r("ap-northeast-2", "aws", "Asia Pacific (Seoul)", true),
    r("ap-northeast-3", "aws", "Asia Pacific (Osaka)", true),
    r("ap-south-1", "aws", "Asia Pacific (Mumbai)", true),
    r("ap-south-2", "aws", "Asia Pacific (Hyderabad)", true),
    r("ap-southeast-1", "aws", "Asia Pacific (Singapore)", true),
    r("ap-southeast-2", "aws", "Asia Pacific (Sydney)", true),
    r("ap-southeast-3", "aws", "Asia Pacific (Jakarta)", true),
    r("ap-southeast-4", "aws", "Asia Pacific (Melbourne)", true),
    r("ap-southeast-5", "aws", "Asia Pacific (Malaysia)", true),
    r("ap-southeast-6", "aws", "Asia Pacific (New Zealand)", true),
    r("ap-southeast-7", "aws", "Asia Pacific (Thailand)", true),
    r("ca-central-1", "aws", "Canada (Central)", true),
    r("ca-west-1", "aws", "Canada West (Calgary)", true),
    r("eu-central-1", "aws", "Europe (Frankfurt)", true),
    r("eu-central-2", "aws", "Europe (Zurich)", true),
    r("eu-north-1", "aws", "Europe (Stockholm)", true),
    r("eu-south-1", "aws", "Europe (Milan)", true),
    r("eu-south-2", "aws", "Europe (Spain)", true),
    r("eu-west-1", "aws", "Europe (Ireland)", true),
    r("eu-west-2", "aws", "Europe (London)", true),
    r("eu-west-3", "aws", "Europe (Paris)", true),
    r("il-central-1", "aws", "Israel (Tel Aviv)", true),
    r("me-central-1", "aws", "Middle East (UAE)", true),
    r("me-south-1", "aws", "Middle East (Bahrain)", true),
    r("mx-central-1", "aws", "Mexico (Central)", true),
    r("sa-east-1", "aws", "South America (Sao Paulo)", true),
    r("us-east-1", "aws", "US East (N. Virginia)", true),
    r("us-east-2", "aws", "US East (Ohio)", true),
    r("us-west-1", "aws", "US West (N. California)", true),
    r("us-west-2", "aws", "US West (Oregon)", true),
    r("cn-north-1", "aws-cn", "China (Beijing)", false),
    r("cn-northwest-1", "aws-cn", "China (Ningxia)", false),
    r("us-gov-east-1", "aws-us-gov", "AWS GovCloud (US-East)", true),
    r("us-gov-west-1", "aws-us-gov", "AWS GovCloud (US-West)", true),
    r("us-iso-east-1", "aws-iso", "US ISO East", true),
    r("us-iso-west-1", "aws-iso", "US ISO West", false),
    r("us-isob-east-1", "aws-iso-b", "US ISOB East (Ohio)", true),
    r("us-isof-east-1", "aws-iso-f", "US ISOF East", true),
    r("us-isof-south-1", "aws-iso-f", "US ISOF South", true),
    r("eusc-de-east-1", "aws-eusc", "EU (Germany) Sovereign Cloud", true),
];

/// The regions of repeatable, comma-separated `--region` values, trimmed, in order, each once.
pub fn from_flags(flags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in flags
        .iter()
        .flat_map(|f| f.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    out
}

/// Looks a region code up (exact, lowercase).
pub fn lookup(code: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|r| r.code == code)
}

/// The closest known region to a mistyped code, if it is close enough to be a typo.
pub fn suggest(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    REGIONS
        .iter()
        .map(|r| (strsim::damerau_levenshtein(&code, r.code), r.code))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, c)| (*d, !c.ends_with("-1"), *c))
        .map(|(_, c)| c)
}

/// Bedrock regions in the same geography (`ap-east-1` → `ap-*`), for "use this instead".
pub fn bedrock_regions_near(code: &str) -> Vec<&'static str> {
    let geo = code.split('-').next().unwrap_or_default();
    let partition = lookup(code).map_or("aws", |r| r.partition);
    REGIONS
        .iter()
        .filter(|r| r.bedrock && r.partition == partition && r.code.split('-').next() == Some(geo))
        .map(|r| r.code)
        .take(4)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_suggestions() {
        assert_eq!(suggest("us-east-3"), Some("us-east-1"));
        assert_eq!(suggest("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(suggest("US-EAST-1"), Some("us-east-1"));
        assert_eq!(suggest("mars-north-9"), None);
    }

    #[test]
    fn lookups() {
        assert!(lookup("us-east-1").unwrap().bedrock);
        assert!(!lookup("ap-east-1").unwrap().bedrock);
        assert!(lookup("us-east-3").is_none());
        let near = bedrock_regions_near("ap-east-1");
        assert!(near.contains(&"ap-northeast-1") && !near.contains(&"ap-east-1"));
        assert!(bedrock_regions_near("cn-north-1").is_empty());
    }

    #[test]
    fn list_is_unique() {
        let mut codes: Vec<_> = REGIONS.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REGIONS.len());
    }
}
