//! What `invoke` reports: the user's own request body checked locally, and the answer or the
//! classified failure. The call itself is made in `commands/invoke.rs`.

use crate::body::{self, Level, Problem};
use crate::report::{AwsEvidence, Cause};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON of `invoke --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvokeReport {
    pub model: String,
    pub region: String,
    /// `InvokeModel` or `Converse`.
    pub operation: String,
    /// Whether the request was sent (false for `--dry-run` and for bodies with errors).
    pub sent: bool,
    pub problems: Vec<Problem>,
    pub response: Option<Answer>,
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub content_type: Option<String>,
    pub latency_ms: u64,
    pub request_id: Option<String>,
    /// The model's answer: JSON when it is JSON, else text.
    pub body: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub cause: Cause,
    pub code: crate::codes::Code,
    pub title: String,
    pub remediation: Vec<String>,
    pub aws: AwsEvidence,
    pub latency_ms: u64,
}

impl InvokeReport {
    /// 0 answered (or a clean dry run), 1 AWS refused, 2 the body has errors.
    pub fn exit_code(&self) -> u8 {
        if self.problems.iter().any(|p| p.level == Level::Error) {
            2
        } else if self.failure.is_some() {
            1
        } else {
            0
        }
    }
}

/// Checks `bytes` for `model` (`converse` bodies follow the Converse schema).
pub fn check_body(model: &str, bytes: &[u8], converse: bool) -> (Option<Value>, Vec<Problem>) {
    match body::parse(bytes) {
        Ok(v) => {
            let problems = body::validate(model, &v, converse);
            (Some(v), problems)
        }
        Err(p) => (None, vec![p]),
    }
}

impl Failure {
    /// A refused call, with triage's title and steps for what AWS answered. The classifier saw
    /// the structured answer, so its cause is kept (triage only adds advice).
    pub fn classified(
        cause: Cause,
        mut aws: AwsEvidence,
        model: &str,
        region: &str,
        latency: std::time::Duration,
    ) -> Self {
        let text = format!(
            "{} {}",
            aws.error_code.clone().unwrap_or_default(),
            aws.message.clone().unwrap_or_default()
        );
        let t = crate::triage::triage(&text, Some(region), Some(model));
        aws.denial = t.extracted.denial.clone().or(aws.denial);
        Failure {
            cause,
            code: crate::triage::code_for(cause),
            title: if t.cause == cause {
                t.title
            } else {
                format!("AWS refused the call ({cause})")
            },
            remediation: t.remediation,
            aws,
            latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

impl InvokeReport {
    /// A report of `body` checked for `model`, not (yet) sent.
    pub fn checked(model: &str, region: &str, converse: bool, problems: Vec<Problem>) -> Self {
        InvokeReport {
            model: model.to_string(),
            region: region.to_string(),
            operation: if converse { "Converse" } else { "InvokeModel" }.to_string(),
            sent: false,
            problems,
            response: None,
            failure: None,
        }
    }

    /// Whether the body has errors that keep it from being sent.
    pub fn blocked(&self) -> bool {
        self.problems.iter().any(|p| p.level == Level::Error)
    }
}
