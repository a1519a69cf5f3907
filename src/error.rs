//! The one error type commands return for the user's own mistakes.

/// A usage, configuration or input problem: reported on stderr with exit code 2. The message
/// says what and where.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<crate::config::ConfigError> for UsageError {
    fn from(e: crate::config::ConfigError) -> Self {
        UsageError(e.to_string())
    }
}
