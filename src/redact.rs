//! `--redact`: replaces account ids, the account and principal names inside ARNs, access key
//! ids and IP addresses with stable pseudonyms (the same value gives the same token within one
//! report, so a reader can still tell two accounts apart), and keeps request ids, regions and
//! model ids. It works on the serialised report, so every field of every format is covered.

use regex::Regex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

/// Access key ids and unique ids; a role's unique id carries the session name after `:`.
static KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|APKA|ABIA|ACCA)[A-Z0-9]{12,}\b(?::[\w+=,.@-]+)?",
    )
    .expect("valid")
});
static MASKED_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\*{4}[A-Za-z0-9]{1,4}\b").expect("valid"));
static PRINCIPAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(:(?:user|role|group|federated-user|instance-profile)/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)|(:assumed-role/)([\w+=,.@-]+)/([\w+=,.@-]+)").expect("valid")
});
static DIGITS12: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{12,}").expect("valid"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").expect("valid"));

/// Makes pseudonyms with a per-report salt.
pub struct Redactor {
    salt: u64,
}

impl Default for Redactor {
    fn default() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Redactor {
            salt: (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32),
        }
    }
}

impl Redactor {
    pub fn with_salt(salt: u64) -> Self {
        Redactor { salt }
    }

    fn token(&self, kind: &str, value: &str) -> String {
        let mut h = DefaultHasher::new();
        self.salt.hash(&mut h);
        value.hash(&mut h);
        format!("{kind}-{:08x}", h.finish() as u32)
    }

    /// Redacts one string.
    pub fn text(&self, s: &str) -> String {
        let s = KEY_ID.replace_all(s, |c: &regex::Captures| self.token("AKID", &c[0]));
        let s = MASKED_KEY.replace_all(&s, |c: &regex::Captures| self.token("key", &c[0]));
        let s = PRINCIPAL.replace_all(&s, |c: &regex::Captures| {
            if let (Some(prefix), Some(name)) = (c.get(1), c.get(2)) {
                format!("{}{}", prefix.as_str(), self.token("name", name.as_str()))
            } else {
                format!(
                    "{}{}/{}",
                    &c[3],
                    self.token("role", &c[4]),
                    self.token("session", &c[5])
                )
            }
        });
        // Twelve-digit account ids, but not the digit groups of request ids (UUIDs).
        let s = DIGITS12.replace_all(&s, |c: &regex::Captures| {
            let m = c.get(0).expect("whole match");
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            let in_uuid = before == Some('-') || after == Some('-');
            if m.as_str().len() == 12 && !in_uuid {
                self.token("account", m.as_str())
            } else {
                m.as_str().to_string()
            }
        });
        let s = IPV4.replace_all(&s, |c: &regex::Captures| self.token("ip", &c[0]));
        s.into_owned()
    }

    fn value(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = self.text(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.value(x)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| self.value(x)),
            _ => {}
        }
    }

    /// Redacts every string of a serialisable report.
    pub fn report<T: Serialize + DeserializeOwned>(&self, report: &T) -> T {
        let mut v = serde_json::to_value(report).expect("reports serialise");
        self.value(&mut v);
        serde_json::from_value(v).expect("redaction keeps the report's shape")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// An account id anywhere in free text never survives, and request ids always do.
        #[test]
        fn accounts_never_survive(account in "[0-9]{12}", before in "[a-zA-Z ,:/=]{0,30}", after in "[a-zA-Z ,:/=]{0,30}", tail in "[0-9]{12}") {
            let r = Redactor::with_salt(1);
            let request_id = format!("6a1f0c1e-0000-4000-8000-{tail}");
            let text = format!("{before} {account} {after} request {request_id}");
            let out = r.text(&text);
            proptest::prop_assert!(!out.contains(&account), "{}", out);
            proptest::prop_assert!(out.contains(&request_id), "{}", out);
        }

        /// Redaction never panics and is stable for the same input.
        #[test]
        fn redaction_is_total_and_deterministic(text in ".{0,300}") {
            let r = Redactor::with_salt(3);
            proptest::prop_assert_eq!(r.text(&text), r.text(&text));
        }
    }

    #[test]
    fn pseudonyms_are_stable_within_a_report_and_keep_what_support_needs() {
        let r = Redactor::with_salt(7);
        let text = "User: arn:aws:sts::123456789012:assumed-role/AppRole/i-0abc is not authorized on arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0; key AKIAIOSFODNN7EXAMPLE ****MPLE from 10.1.2.3, request 6a1f0c1e-0000-4000-8000-000000000003, account 123456789012, user arn:aws:iam::210987654321:user/alice";
        let out = r.text(text);
        for secret in [
            "123456789012",
            "AppRole",
            "i-0abc",
            "AKIAIOSFODNN7EXAMPLE",
            "****MPLE",
            "10.1.2.3",
            "210987654321",
            "alice",
        ] {
            assert!(!out.contains(secret), "{secret} survived: {out}");
        }
        for kept in [
            "6a1f0c1e-0000-4000-8000-000000000003",
            "us-east-1",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "foundation-model",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        let a = r.token("account", "123456789012");
        assert_eq!(
            out.matches(&a).count(),
            2,
            "the same account gives the same token: {out}"
        );
        assert_ne!(a, r.token("account", "210987654321"));
        assert_ne!(
            a,
            Redactor::with_salt(8).token("account", "123456789012"),
            "salted per report"
        );
    }
}
