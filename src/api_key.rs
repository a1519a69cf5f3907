//! What a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) says about itself, read without keeping or
//! printing it (AWS's "How Amazon Bedrock API keys work" page, and the format of AWS's own
//! token generator, aws-bedrock-token-generator):
//!
//! - A short-term key is `bedrock-api-key-` + base64 of a SigV4-presigned URL,
//!   `bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=AKID/DATE/REGION/bedrock/aws4_request&X-Amz-Date=…&X-Amz-Expires=SECS…&Version=1`.
//!   It works only in the region it was made in and until the presigned URL expires (12 h at
//!   most, or the session's end).
//! - A long-term key is `ABSK` + base64 of `BedrockAPIKey-xxxx-at-ACCOUNT:secret`: a
//!   service-specific credential of an IAM user, valid until it expires or is revoked.
//!
//! The facts kept are the region, the times and the account: none of them is a secret.

use base64::Engine as _;

/// What kind of key it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiKey {
    /// Valid only in `region`, from `issued` until `expires` (seconds since the epoch).
    ShortTerm {
        region: String,
        issued: i64,
        expires: i64,
    },
    /// A service-specific credential of an IAM user in `account` (when the key names it).
    LongTerm { account: Option<String> },
    /// Neither shape: AWS will say whether it accepts it.
    Unrecognised,
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim_end_matches('=')))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')))
        .ok()
}

/// `20260430T004719Z` → seconds since the epoch.
fn amz_date(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Reads `key` (the variable's value).
pub fn inspect(key: &str) -> ApiKey {
    let key = key.trim();
    if let Some(rest) = key.strip_prefix("bedrock-api-key-") {
        let Some(url) = b64(rest).and_then(|b| String::from_utf8(b).ok()) else {
            return ApiKey::Unrecognised;
        };
        let Ok(parsed) = url::Url::parse(&format!("https://{}", url.trim_start_matches("https://"))) else {
            return ApiKey::Unrecognised;
        };
        let q = |name: &str| {
            parsed
                .query_pairs()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.into_owned())
        };
        let region = q("X-Amz-Credential").and_then(|c| c.split('/').nth(2).map(str::to_string));
        let issued = q("X-Amz-Date").as_deref().and_then(amz_date);
        let lasts = q("X-Amz-Expires").and_then(|e| e.parse::<i64>().ok());
        return match (region, issued, lasts) {
            (Some(region), Some(issued), Some(lasts)) if !region.is_empty() => ApiKey::ShortTerm {
                region,
                issued,
                expires: issued + lasts,
            },
            _ => ApiKey::Unrecognised,
        };
    }
    if let Some(rest) = key.strip_prefix("ABSK") {
        let decoded = b64(rest).map(|b| String::from_utf8_lossy(&b).into_owned());
        let account = decoded.as_deref().and_then(|d| {
            let user = d.split(':').next()?;
            let account = user.rsplit("-at-").next()?;
            (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_string())
        });
        return ApiKey::LongTerm { account };
    }
    ApiKey::Unrecognised
}

/// Why a short-term key cannot serve a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It was made in this other region and works only there.
    MadeIn(String),
    /// It expired at this time (seconds since the epoch).
    Expired(i64),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::MadeIn(own) => write!(
                f,
                "the short-term Bedrock API key in AWS_BEARER_TOKEN_BEDROCK was made in {own} and works only there"
            ),
            Refusal::Expired(at) => write!(
                f,
                "the short-term Bedrock API key in AWS_BEARER_TOKEN_BEDROCK expired at {}",
                rfc3339(*at)
            ),
        }
    }
}

impl ApiKey {
    /// Why the key cannot serve `region` at `now`, if it cannot.
    pub fn refuses(&self, region: &str, now: i64) -> Option<Refusal> {
        match self {
            ApiKey::ShortTerm { region: own, .. } if own != region => Some(Refusal::MadeIn(own.clone())),
            ApiKey::ShortTerm { expires, .. } if *expires <= now => Some(Refusal::Expired(*expires)),
            _ => None,
        }
    }

    /// One sentence for the report.
    pub fn describe(&self, now: i64) -> String {
        match self {
            ApiKey::ShortTerm { region, expires, .. } if *expires <= now => format!(
                "It is a short-term key made in {region}; it expired at {}.",
                rfc3339(*expires)
            ),
            ApiKey::ShortTerm { region, expires, .. } => format!(
                "It is a short-term key: valid only in {region}, until {} ({} min from now).",
                rfc3339(*expires),
                (expires - now) / 60
            ),
            ApiKey::LongTerm { account } => format!(
                "It is a long-term key: a service-specific credential of an IAM user{}, valid until it expires or is revoked; its calls act with that user's permissions.",
                account
                    .as_ref()
                    .map(|a| format!(" in account {a}"))
                    .unwrap_or_default()
            ),
            ApiKey::Unrecognised => {
                "Its shape is neither a short-term (`bedrock-api-key-…`) nor a long-term (`ABSK…`) key."
                    .into()
            }
        }
    }
}

/// Seconds since the epoch, now (what [`ApiKey::refuses`] and [`ApiKey::describe`] compare with).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key in the shape AWS's token generator makes (the credential is AWS's documented
    /// example, the signature made up).
    pub fn short_term(region: &str, date: &str, expires: u32) -> String {
        let url = format!(
            "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F{}%2F{region}%2Fbedrock%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE&X-Amz-Signature=0123456789abcdef&X-Amz-SignedHeaders=host&Version=1",
            &date[..8]
        );
        format!(
            "bedrock-api-key-{}",
            base64::engine::general_purpose::STANDARD.encode(url)
        )
    }

    #[test]
    fn a_short_term_key_names_its_region_and_expiry() {
        let key = short_term("ap-northeast-2", "20260430T004719Z", 43200);
        let k = inspect(&key);
        let issued = amz_date("20260430T004719Z").unwrap();
        assert_eq!(
            k,
            ApiKey::ShortTerm {
                region: "ap-northeast-2".into(),
                issued,
                expires: issued + 43200
            }
        );
        assert!(k.refuses("ap-northeast-2", issued + 60).is_none());
        assert!(
            k.refuses("us-east-1", issued + 60)
                .unwrap()
                .to_string()
                .contains("made in ap-northeast-2")
        );
        assert!(
            k.refuses("ap-northeast-2", issued + 43200)
                .unwrap()
                .to_string()
                .contains("expired at 2026-04-30T12:47:19Z")
        );
        let said = k.describe(issued + 600);
        assert!(
            said.contains("valid only in ap-northeast-2") && said.contains("710 min"),
            "{said}"
        );
        assert!(!said.contains("ASIA") && !said.contains("Signature"));
    }

    #[test]
    fn a_long_term_key_names_its_account_and_odd_keys_are_unrecognised() {
        let key = format!(
            "ABSK{}",
            base64::engine::general_purpose::STANDARD.encode("BedrockAPIKey-7mvh-at-123456789012:c2VjcmV0")
        );
        assert_eq!(
            inspect(&key),
            ApiKey::LongTerm {
                account: Some("123456789012".into())
            }
        );
        assert!(inspect(&key).refuses("eu-west-1", 0).is_none());
        assert_eq!(inspect("bedrock-api-key-%%%"), ApiKey::Unrecognised);
        assert_eq!(inspect("sk-abc"), ApiKey::Unrecognised);
        assert_eq!(inspect(""), ApiKey::Unrecognised);
    }
}
