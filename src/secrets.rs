//! Secrets never leave: a process-wide scrubber every output path goes through.
//!
//! Secret access keys, session tokens and Bedrock API keys are registered as soon as they are
//! seen (environment, profile files, resolved credentials). Reports, logs and panic messages
//! are passed through [`scrub`] before they are written, so even an AWS error that echoes a
//! token back cannot carry it out.

use std::borrow::Cow;
use std::sync::RwLock;

/// Every secret seen so far, longest first; held as [`Secret`], so even a `Debug` of the
/// registry shows none of them.
static SECRETS: RwLock<Vec<Secret>> = RwLock::new(Vec::new());

/// The replacement text for a scrubbed secret.
pub const REDACTED: &str = "[redacted]";

/// Remembers a secret value; values shorter than 8 characters are ignored (too likely to
/// appear by chance, and too short to be a real AWS secret).
pub fn register(value: &str) {
    let value = value.trim();
    if value.len() < 8 {
        return;
    }
    let mut list = SECRETS.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !list.iter().any(|s| s.0 == value) {
        list.push(Secret(value.to_string()));
        // Longest first, so a token containing a shorter secret is replaced whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
    }
}

/// Replaces every registered secret in `text`, and what a failed `credential_process` printed
/// on its standard error (the SDK quotes it in its errors and logs; a helper script may print
/// tokens there, and nothing could register them beforehand).
pub fn scrub(text: &str) -> Cow<'_, str> {
    static PROCESS_STDERR: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#"Stderr: (?:[^"\n\\]|\\.)*"#).expect("valid"));
    let list = SECRETS.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    let stderr = text.contains("Stderr: ");
    if !stderr && !list.iter().any(|s| text.contains(s.expose())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in list.iter() {
        out = out.replace(s.expose(), REDACTED);
    }
    if stderr {
        out = PROCESS_STDERR
            .replace_all(
                &out,
                "Stderr: (withheld: a credential process may print secrets there)",
            )
            .into_owned();
    }
    Cow::Owned(out)
}

/// Masks an access key id to its last four characters: `AKIA…MPLE` → `****MPLE`.
pub fn mask_key_id(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

/// A writer for logs that scrubs each write before passing it on.
pub struct ScrubWriter<W: std::io::Write>(pub W);

impl<W: std::io::Write> std::io::Write for ScrubWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A value that must never be shown: `Debug` and `Display` print `****`, it has no `Serialize`,
/// and making one registers it with the scrubber. Only [`Secret::expose`] gives the value, for
/// the code that must use it (signing, a request header).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value itself. Never format it into anything that is printed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("****")
    }
}

/// A URL as it may be shown: `scheme://****@host:port/path`, its user name and password (and
/// any query or fragment, where tokens hide) removed and registered with the scrubber. The only
/// way to make one is [`DisplayUrl::new`], so a URL with credentials cannot reach a renderer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayUrl(String);

impl DisplayUrl {
    pub fn new(raw: &str) -> Self {
        register_url(raw);
        let raw = raw.trim();
        match url::Url::parse(raw) {
            Ok(u) => {
                let mut shown = format!("{}://", u.scheme());
                if !u.username().is_empty() || u.password().is_some() {
                    shown.push_str("****@");
                }
                shown.push_str(u.host_str().unwrap_or_default());
                if let Some(port) = u.port() {
                    shown.push_str(&format!(":{port}"));
                }
                if u.path() != "/" {
                    shown.push_str(u.path());
                }
                if u.query().is_some() || u.fragment().is_some() {
                    shown.push_str("?****");
                }
                DisplayUrl(shown)
            }
            // Not a URL the parser takes: show what precedes any `@`, never what follows a `:`.
            Err(_) => DisplayUrl(match raw.rsplit_once('@') {
                Some((_, host)) => format!("****@{host}"),
                None => raw.to_string(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DisplayUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Registers the user name, password and query of a URL (`http://user:pass@proxy:3128`).
pub fn register_url(raw: &str) {
    let raw = raw.trim();
    if let Ok(u) = url::Url::parse(raw) {
        if let Some(p) = u.password() {
            register(p);
            register_decoded(p);
        }
        if !u.username().is_empty() {
            register(u.username());
            register_decoded(u.username());
        }
        if let Some(q) = u.query() {
            register(q);
        }
    } else if let Some((userinfo, _)) = raw.split_once("://").map_or(raw, |(_, r)| r).rsplit_once('@') {
        register(userinfo);
        if let Some((_, password)) = userinfo.split_once(':') {
            register(password);
        }
    }
}

fn register_decoded(s: &str) {
    if let Ok(d) = percent_encoding::percent_decode_str(s).decode_utf8() {
        register(&d);
    }
}

/// Every string field of a serialisable value scrubbed, before anything lays it out: a table
/// that wraps a secret across two lines would hide it from a scrub of the rendered text.
pub fn scrub_fields<T: serde::Serialize + serde::de::DeserializeOwned + Clone>(value: &T) -> T {
    fn walk(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => match scrub(s) {
                Cow::Owned(clean) => {
                    *s = clean;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            serde_json::Value::Array(a) => a.iter_mut().fold(false, |changed, x| walk(x) | changed),
            serde_json::Value::Object(o) => o.values_mut().fold(false, |changed, x| walk(x) | changed),
            _ => false,
        }
    }
    let Ok(mut v) = serde_json::to_value(value) else {
        return value.clone();
    };
    if walk(&mut v) {
        serde_json::from_value(v).unwrap_or_else(|_| value.clone())
    } else {
        value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_registered_values_and_masks_keys() {
        register("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETCANARY");
        register("short");
        let text = "secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETCANARY short";
        assert_eq!(scrub(text), format!("secret={REDACTED} short"));
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
        assert_eq!(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask_key_id("AB"), "****AB");
    }
}
