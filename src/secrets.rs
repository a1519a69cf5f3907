//! Secrets never leave: a process-wide scrubber every output path goes through.
//!
//! Secret access keys, session tokens and Bedrock API keys are registered as soon as they are
//! seen (environment, profile files, resolved credentials). Reports, logs and panic messages
//! are passed through [`scrub`] before they are written, so even an AWS error that echoes a
//! token back cannot carry it out.

use std::borrow::Cow;
use std::sync::RwLock;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

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
    if !list.iter().any(|s| s == value) {
        list.push(value.to_string());
        // Longest first, so a token containing a shorter secret is replaced whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Replaces every registered secret in `text`.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let list = SECRETS.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !list.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in list.iter() {
        out = out.replace(s.as_str(), REDACTED);
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
